#!/usr/bin/env bash
# linphonec (linphone-cli 5.1, driven through linphonecsh) as the referrer of a transfer, with
# two baresip phones, through signald and mediad started with the demo config: 1010 (baresip)
# calls linphonec (1011), which transfers it to 1012 (baresip), first blind (`transfer URI`,
# REFER without Replaces), then attended (linphonec pauses the first call and calls 1012
# itself, then `transfer ID1 --to-call ID2`: REFER with Replaces). Each time the test checks
# that linphonec saw the transfer succeed (the NOTIFY with 200) and has no call left, that
# 1010 and 1012 are then in a call through one mediad session with RTP forwarded both ways,
# what each heard, and that nothing is left once they hang up.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip linphonec linphonecsh sox jq

# linphonecsh talks to one linphonec per user through /tmp/linphonec-UID: never take over a
# daemon someone else is running.
if timeout 5 linphonecsh generic "calls" >/dev/null 2>&1; then
	log "SKIP: a linphonec daemon of this user is already running"
	exit 77
fi
lp() { timeout 5 linphonecsh generic "$*" 2>&1 | tee -a "$T/lp.out"; }
lp_calls() { timeout 5 linphonecsh generic calls 2>/dev/null; }
lp_state() { lp_calls | grep -q -- "| $1"; }
lp_idle() { lp_calls | grep -q "No active call"; }
# lp_call_id STATE: the id of linphonec's call in that state.
lp_call_id() { lp_calls | awk -F'|' -v s="$1" '$3 ~ s { gsub(/ /, "", $1); print $1; exit }'; }
# fwd_to_a: RTP packets mediad forwarded from leg b (1012, the target) to leg a (1010).
fwd_to_a() {
	"$MEDIACTL" -e "$RPC" --json list | jq -r ".list_sessions_reply.sessions[0].leg_b.streams[0].rtp.forwarded // 0"
}
# lp_transferred N: linphonec reported N transfers done (it got the NOTIFY carrying 200).
lp_transferred() { count_is "$1" "$T/linphonec.out" "has been transfered"; }

start_demo || exit 1
start_phone 1010 440
start_phone 1012 700

LP=$T/lp
mkdir -p "$LP/.local/share/linphone"
tone "$T/tone-1011.wav" 1000
printf '%s\n' "[sip]" "sip_port=$(free_port)" "sip_tcp_port=0" "sip_tls_port=0" \
	"[rtp]" "audio_rtp_port=$(free_port 2)" "[sound]" "echocancellation=0" \
	"[video]" "capture=0" "display=0" >"$LP/linphonerc"
start_linphonec
lp "soundcard use files" >/dev/null
lp "play $T/tone-1011.wav" >/dev/null
lp "register sip:1011@127.0.0.1 sip:$SIP 1234" >/dev/null
check "linphonec (1011) and baresip 1010 and 1012 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011','1012')" 3

# call_linphonec CASE: 1010 calls linphonec, which answers.
call_linphonec() {
	mark 1010 1012
	ctl 1010 dial 1011
	check "$1: linphonec rings" wait_for 10 lp_state IncomingReceived
	lp answer >/dev/null
	check "$1: 1010 and linphonec are in a call" wait_for 10 eval \
		'lp_state StreamsRunning && in_part 1010 "Call established"'
	sleep 1
}
# transferred CASE N: the checks after linphonec's Nth transfer of 1010 to 1012.
transferred() {
	local c=$1
	check "$c: linphonec reports the transfer done" wait_for 10 lp_transferred "$2"
	check "$c: linphonec has no call left (signald's BYE)" wait_for 10 lp_idle
	check "$c: 1010 and 1012 stay in a call" eval 'in_part 1012 "Call established" && ! in_part 1010 "terminated"'
	local fwd0
	fwd0=$(fwd_to_a)
	check "$c: mediad holds one session, RTP flowing from both legs" \
		eval 'output_is 1 live_sessions "$RPC" && rtp_flows'
	check "$c: mediad forwards 1012's RTP to 1010 (25 packets or more in 1.5 s)" \
		test $(($(fwd_to_a) - fwd0)) -ge 25
	sleep 0.5
	ctl 1012 hangup
	check "$c: hangup from 1012 ends the call on 1010" wait_for 10 in_part 1010 "Call with sip:1011@.* terminated"
	check "$c: mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
	check "$c: no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
	if [ "$c" = blind ]; then
		check "$c: 1010 heard 1012's 700 Hz tone at the end" \
			eval 'recording 1010 $c && heard "$T/$c/heard-by-1010.wav" 700 1.5 --last-s 2'
	else
		# baresip 1.0.0 dumps nothing it decodes once its peer has put it on hold (linphonec's
		# pause), though the stream reaches it: its log names the new source instead.
		check "$c: 1010 receives 1012's stream from mediad (baresip logs the new SSRC)" \
			in_part 1010 "SSRC changed .* from 127.0.0.1:"
	fi
	check "$c: 1012 heard 1010's 440 Hz tone at the end" \
		eval 'recording 1012 $c && heard "$T/$c/heard-by-1012.wav" 440 1.5 --last-s 2'
	part 1010 >"$T/$c-1010.log"
	check "$c: every SDP 1010 got points at mediad, the transfer's re-INVITE among them" \
		"${UACTL[@]}" sdp "$T/$c-1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 2
}

# ---- blind: linphonec transfers 1010 to 1012 ----
call_linphonec blind
lp "transfer sip:1012@$SIP" >/dev/null
check "blind: 1012 rings, called by signald for the transfer" wait_for 10 in_part 1012 "Incoming call from"
check "blind: 1012 is called from 1010 (the transferee)" in_part 1012 "Incoming call from: .*sip:1010@"
ctl 1012 accept
transferred blind 1
check "blind: linphonec's REFER named 1012 alone" grep -aq '^Refer-To: <\?sip:1012@[^?]*$' "$T/linphonec.log"

# ---- attended: linphonec calls 1012 first, then joins 1010 to it ----
call_linphonec attended
# linphonec places no second call while one is running: the first is paused (held) first.
lp pause >/dev/null
check "attended: linphonec pauses 1010" wait_for 5 lp_state Paused
lp "call sip:1012@$SIP" >/dev/null
check "attended: 1012 rings, called by linphonec" wait_for 10 in_part 1012 "Incoming call from: .*sip:1011@"
ctl 1012 accept
check "attended: linphonec talks to 1012, 1010 paused" wait_for 10 eval \
	'lp_state StreamsRunning && lp_state Paused && in_part 1012 "Call established"'
sleep 1
lp_calls | tee -a "$T/lp.out"
lp "transfer $(lp_call_id Paused) --to-call $(lp_call_id StreamsRunning)" >/dev/null
transferred attended 2
check "attended: linphonec's REFER named 1012 with a Replaces" \
	grep -aq '^Refer-To: <sip:1012@[^?]*?Replaces=' "$T/linphonec.log"
check "attended: 1012 got no second call" test "$(part 1012 | grep -c "Incoming call from")" = 1
cat "$T/ctl.out" "$T/lp.out"

ctl 1010 quit
ctl 1012 quit
check "linphonec exits" eval 'stop_linphonec || stop_linphonec'
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1012 exits on quit" stop_daemon ua1012
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
