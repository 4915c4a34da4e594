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

# start_demo [SIGNALD ARGS...]: mediad (with MEDIAD_ARGS) and signald with the demo config, only the ports changed
# (and with DEMO_IP=::1, the addresses: signald listens on [::1], mediad binds and advertises
# ::1). Sets RPC (mediad's endpoint), SIP (signald's host:port), sip_port, rtp_min, rtp_max, DB.
DEMO_IP=127.0.0.1
MEDIAD_ARGS=()
start_demo() {
	local media_ip=()
	sip_port=$(free_port)
	rtp_min=$(free_port 200)
	rtp_max=$((rtp_min + 199))
	RPC=tcp://127.0.0.1:$(free_port)
	SIP=$DEMO_IP:$sip_port
	if [[ $DEMO_IP == *:* ]]; then
		SIP="[$DEMO_IP]:$sip_port"
		media_ip=(--set "rtp.bind_ip=$DEMO_IP" --set "rtp.advertise_ip=$DEMO_IP")
	fi
	DB=$T/state/tandem.db
	"$MEDIAD" -c "$DEMO/mediad.ini" --set "mediad.rpc_endpoint=$RPC" "${media_ip[@]}" \
		--set "rtp.port_min=$rtp_min" --set "rtp.port_max=$rtp_max" \
		--set "metrics.listen=127.0.0.1:$(free_port)" "${MEDIAD_ARGS[@]}" >"$T/mediad.log" 2>&1 &
	echo $! >"$T/mediad.pid"
	wait_for 10 "$MEDIACTL" -e "$RPC" -t 300 ping || { log "mediad did not answer Ping"; return 1; }
	mkdir -p "$T/state"
	SIGNALD_CMD=("$SIGNALD" -c "$DEMO/signald.ini" --set "sip.listen=$SIP" --set "media.node=$RPC"
		--set "signald.state_dir=$T/state" --set "events.publish=" --set "metrics.listen=" "$@")
	"${SIGNALD_CMD[@]}" >"$T/signald.log" 2>&1 &
	echo $! >"$T/signald.pid"
	local from=sip:127.0.0.1:*
	[[ $DEMO_IP == *:* ]] && from="sip:[$DEMO_IP]:*"
	wait_for 10 "$SIPPING" "sip:$SIP" 300 "$from" || { log "signald did not answer OPTIONS"; return 1; }
}

# crash_signald: kill -9 the demo's signald and start it again as start_demo did (same port and
# state_dir), its log appended.
crash_signald() {
	kill -KILL "$(cat "$T/signald.pid")"
	wait "$(cat "$T/signald.pid")" 2>/dev/null
	"${SIGNALD_CMD[@]}" >>"$T/signald.log" 2>&1 &
	echo $! >"$T/signald.pid"
}

# tone FILE HZ: a 60 s sine at 8 kHz, mono 16-bit, for a phone's microphone.
tone() { sox -n -r 8000 -c 1 -b 16 -e signed-integer "$1" synth 60 sine "$2" vol 0.5; }

declare -A CTL
# The phones' address and the transport they register over (tcp: baresip's outbound connection
# carries every request both ways). UA_IP=::1 makes IPv6 phones; SIP then names [::1]:port.
UA_IP=127.0.0.1
UA_TRANSPORT=udp
# UA_TRANSPORT=tls registers to $SIPS (signald's tls_listen host:port), trusting $T/tls/cafile.pem.
# baresip's options: -s prints the SIP trace; -v adds its debug lines (received RFC 4733 events).
UA_OPTS=(-s)
# start_phone USER HZ [MEDIAENC]: a baresip phone registering USER (password 1234) to $SIP, its
# microphone a HZ tone; its ctrl_tcp port goes to CTL[USER], its log to $T/uaUSER.log (with the
# SIP trace). MEDIAENC (e.g. srtp-mand) is the account's mediaenc, with the srtp module loaded.
start_phone() {
	local user=$1 d=$T/ua$1 host=$UA_IP enc=${3:-} registrar=$SIP tls=
	[ "$UA_TRANSPORT" = tls ] && registrar=$SIPS tls=1
	[[ $host == *:* ]] && host="[$host]"
	CTL[$user]=$(free_port)
	mkdir -p "$d/rec"
	tone "$T/tone-$user.wav" "$2"
	# aufile plays the tone as the microphone, sndfile dumps what is sent and what is heard,
	# ALSA's null device stands in for the speaker, ctrl_tcp takes the commands.
	cat >"$d/config" <<CFG
poll_method epoll
sip_listen $host:$(free_port)
net_interface $UA_IP
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
${tls:+sip_cafile $T/tls/cafile.pem}
CFG
	echo "<sip:$user@$registrar;transport=$UA_TRANSPORT>;auth_pass=1234;regint=600${enc:+;mediaenc=$enc}" >"$d/accounts"
	: >"$d/contacts"
	timeout 120 baresip "${UA_OPTS[@]}" -f "$d" >"$T/ua$user.log" 2>&1 </dev/null &
	echo $! >"$T/ua$user.pid"
}

# ctl USER COMMAND [PARAMS]: one ctrl_tcp command to USER's baresip.
ctl() { "${UACTL[@]}" ctl "${CTL[$1]}" "${@:2}" >>"$T/ctl.out" 2>&1; }
# count_is N FILE PATTERN: the pattern occurs N times (or more) in FILE.
count_is() { [ "$(grep -c -- "$3" "$2" 2>/dev/null)" -ge "$1" ]; }
# mark USER...: a new part of those phones' logs starts now; part USER prints USER's log from its
# mark on, in_part USER PATTERN finds the pattern there (a test of several calls checks each one).
declare -A MARK
mark() { local u; for u in "$@"; do MARK[$u]=$(($(wc -l <"$T/ua$u.log") + 1)); done; }
part() { tail -n "+${MARK[$1]}" "$T/ua$1.log"; }
in_part() { part "$1" | grep -q -- "$2"; }
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
# received_digits USER: the digits USER's baresip decoded from RFC 4733 events, in order (one per
# event end; UA_OPTS with -v makes baresip log them). digits_are USER DIGITS: exactly those.
received_digits() {
	sed 's/\x1b\[[0-9;]*m//g' "$T/ua$1.log" | grep -ao "received event: '.' (end=1)" | cut -d"'" -f2 | tr -d '\n'
}
digits_are() { [ "$(received_digits "$1")" = "$2" ]; }
# heard FILE HZ [MIN_S [FREQ OPTIONS]]: the recording's dominant frequency is HZ (within 20 Hz).
heard() { "${UACTL[@]}" freq "$1" "$2" --min-s "${3:-1}" "${@:4}"; }

# start_linphonec: linphonec reading $LP/linphonerc (HOME=$LP), its output in
# $T/linphonec.out, its log in $T/linphonec.log; the test defines lp_idle. Both pids are kept,
# the timeout wrapper's (linphonec.pid) and linphonec's own (linphonec-child.pid): a linphonec
# stuck on its way out ignores SIGTERM, and the harness's KILL must reach it too.
start_linphonec() {
	HOME=$LP timeout -s KILL 120 linphonec --pipe -c "$LP/linphonerc" -d 5 -l "$T/linphonec.log" \
		</dev/null >"$T/linphonec.out" 2>&1 &
	echo $! >"$T/linphonec.pid"
	wait_for 5 eval 'pgrep -P "$(cat "$T/linphonec.pid")" >"$T/linphonec-child.pid"'
	wait_for 10 lp_idle || { log "linphonec did not answer"; exit 1; }
}
# stop_linphonec: asks linphonec to exit; true once it has.
stop_linphonec() {
	timeout 5 linphonecsh exit >/dev/null 2>&1
	wait_for 10 eval '! kill -0 "$(cat "$T/linphonec.pid")"' || return 1
	rm -f "$T/linphonec-child.pid"
}
