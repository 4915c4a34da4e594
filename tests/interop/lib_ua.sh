# Shared by the interop tests: the demo config (deploy/demo) started on free ports, baresip
# phones driven through ctrl_tcp, and checks on what mediad holds. Source it after
# tests/integration/lib.sh has been sourced by the test.

# need_tools TOOL...: skips the test (exit 77) when one is not installed.
need_tools() {
	local tool
	for tool in "$@"; do
		if ! command -v "$tool" >/dev/null; then
			log "SKIP: $tool is not installed (deploy/install-deps.sh --test installs it)"
			exit 77
		fi
	done
}

UACTL=(python3 "$TANDEM_SRC/tests/interop/uactl.py")
DEMO=$TANDEM_SRC/deploy/demo

# start_demo: mediad and signald with the demo config, only the ports changed. Sets RPC (mediad's
# endpoint), SIP (signald's host:port), sip_port, rtp_min, rtp_max and DB.
start_demo() {
	sip_port=$(free_port)
	rtp_min=$(free_port 200)
	rtp_max=$((rtp_min + 199))
	RPC=tcp://127.0.0.1:$(free_port)
	SIP=127.0.0.1:$sip_port
	DB=$T/state/tandem.db
	"$MEDIAD" -c "$DEMO/mediad.ini" --set "mediad.rpc_endpoint=$RPC" \
		--set "rtp.port_min=$rtp_min" --set "rtp.port_max=$rtp_max" >"$T/mediad.log" 2>&1 &
	echo $! >"$T/mediad.pid"
	wait_for 10 "$MEDIACTL" -e "$RPC" -t 300 ping || { log "mediad did not answer Ping"; return 1; }
	mkdir -p "$T/state"
	"$SIGNALD" -c "$DEMO/signald.ini" --set "sip.listen=$SIP" --set "media.node=$RPC" \
		--set "signald.state_dir=$T/state" "$@" >"$T/signald.log" 2>&1 &
	echo $! >"$T/signald.pid"
	wait_for 10 "$SIPPING" "sip:$SIP" 300 || { log "signald did not answer OPTIONS"; return 1; }
}

# tone FILE HZ: a 60 s sine at 8 kHz, mono 16-bit, for a phone's microphone.
tone() { sox -n -r 8000 -c 1 -b 16 -e signed-integer "$1" synth 60 sine "$2" vol 0.5; }

declare -A CTL
# start_phone USER HZ [MEDIAENC]: a baresip phone registering USER (password 1234) to $SIP, its
# microphone a HZ tone; its ctrl_tcp port goes to CTL[USER], its log to $T/uaUSER.log (with the
# SIP trace). MEDIAENC (e.g. srtp-mand) is the account's mediaenc, with the srtp module loaded.
start_phone() {
	local user=$1 d=$T/ua$1 enc=${3:-}
	CTL[$user]=$(free_port)
	mkdir -p "$d/rec"
	tone "$T/tone-$user.wav" "$2"
	# aufile plays the tone as the microphone, sndfile dumps what is sent and what is heard,
	# ALSA's null device stands in for the speaker, ctrl_tcp takes the commands.
	cat >"$d/config" <<CFG
poll_method epoll
sip_listen 127.0.0.1:$(free_port)
net_interface 127.0.0.1
call_local_timeout 20
call_max_calls 2
audio_player alsa,null
audio_alert alsa,null
audio_source aufile,$T/tone-$user.wav
ausrc_srate 8000
ausrc_channels 1
audio_buffer 40
jitter_buffer_delay 1-5
rtp_tos 0
module_path /usr/lib/baresip/modules
module g711.so
module sndfile.so
module aufile.so
module alsa.so
${enc:+module srtp.so}
module_tmp account.so
module_app menu.so
module_app ctrl_tcp.so
ctrl_tcp_listen 127.0.0.1:${CTL[$user]}
snd_path $d/rec
CFG
	echo "<sip:$user@127.0.0.1:$sip_port;transport=udp>;auth_pass=1234;regint=600${enc:+;mediaenc=$enc}" >"$d/accounts"
	: >"$d/contacts"
	timeout 120 baresip -s -f "$d" >"$T/ua$user.log" 2>&1 </dev/null &
	echo $! >"$T/ua$user.pid"
}

# ctl USER COMMAND [PARAMS]: one ctrl_tcp command to USER's baresip.
ctl() { "${UACTL[@]}" ctl "${CTL[$1]}" "${@:2}" >>"$T/ctl.out" 2>&1; }
# count_is N FILE PATTERN: the pattern occurs N times (or more) in FILE.
count_is() { [ "$(grep -c -- "$3" "$2" 2>/dev/null)" -ge "$1" ]; }
# dir_is LEG DIRECTION: mediad's stream 0 of that leg has that direction.
dir_is() {
	[ "$("$MEDIACTL" -e "$RPC" --json list | jq -r ".list_sessions_reply.sessions[0].leg_$1.streams[0].direction")" = "DIRECTION_$2" ]
}
# srtp_of LEG: the SRTP suite of mediad's stream 0 of that leg (SRTP_SUITE_NONE when plain).
srtp_of() {
	"$MEDIACTL" -e "$RPC" --json list | jq -r ".list_sessions_reply.sessions[0].leg_$1.streams[0].srtp // \"SRTP_SUITE_NONE\""
}
# rtp_in LEG: RTP packets mediad received from that leg so far.
rtp_in() {
	"$MEDIACTL" -e "$RPC" --json list | jq -r ".list_sessions_reply.sessions[0].leg_$1.streams[0].rtp.packets // 0"
}
# rtp_flows: RTP reaches mediad from both legs (at least 25 packets each in 1.5 s: 75 are due,
# a loaded machine delays some).
rtp_flows() {
	local a0 b0 a1 b1
	a0=$(rtp_in a); b0=$(rtp_in b)
	sleep 1.5
	a1=$(rtp_in a); b1=$(rtp_in b)
	log "RTP in 1.5 s: $((a1 - a0)) packets from leg a, $((b1 - b0)) from leg b"
	[ $((a1 - a0)) -ge 25 ] && [ $((b1 - b0)) -ge 25 ]
}
# recording USER CALL: moves the received-audio dump of USER's baresip for CALL to
# $T/CALL/heard-by-USER.wav.
recording() {
	local f
	f=$(ls "$T/ua$1/rec/"*-dec.wav 2>/dev/null | head -n 1)
	[ -n "$f" ] || return 1
	mkdir -p "$T/$2"
	mv "$f" "$T/$2/heard-by-$1.wav"
	rm -f "$T/ua$1/rec/"*.wav
}
# heard FILE HZ [MIN_S]: the recording's dominant frequency is HZ (within 20 Hz).
heard() { "${UACTL[@]}" freq "$1" "$2" --min-s "${3:-1}"; }
