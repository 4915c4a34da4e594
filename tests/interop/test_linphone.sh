#!/usr/bin/env bash
# Debian's Linphone console client (linphone-cli 5.1, linphonec driven through linphonecsh)
# against signald and mediad started with the demo config, with a baresip phone on the other
# end: linphonec registers as 1012 with the demo defaults, calls 1010 and is called by it, plays
# a 1000 Hz tone and records what it hears (baresip plays 440 Hz); the test checks the frequency
# each side received, that the SDP baresip got for linphonec's pause points at mediad, hold
# (pause) and resume from linphonec, DTMF (RFC 4733) both ways, hangup from either phone, and
# that mediad holds no session afterwards. Last, linphonec registers a user offered SHA-256 alone (auth-algorithms).
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip linphonec linphonecsh sox jq
UA_OPTS=(-s -v) # baresip logs the DTMF it decodes

# linphonecsh talks to one linphonec per user through /tmp/linphonec-UID: never take over a
# daemon someone else is running.
if timeout 5 linphonecsh generic "calls" >/dev/null 2>&1; then
	log "SKIP: a linphonec daemon of this user is already running"
	exit 77
fi
lp() { timeout 5 linphonecsh generic "$*" 2>&1 | tee -a "$T/lp.out"; }
# lp_state STATE: linphonec's call list shows a call in STATE.
lp_state() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q -- "| $1"; }
# lp_digits_are DIGITS: the tones linphonec reported receiving, in order.
lp_digits_are() {
	[ "$(grep -ao "Receiving tone . from" "$T/linphonec.out" | cut -d' ' -f3 | tr -d '\n')" = "$1" ]
}
lp_idle() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q "No active call"; }

start_demo || exit 1
start_phone 1010 440

LP=$T/lp
mkdir -p "$LP/.local/share/linphone"
tone "$T/tone-1012.wav" 1000
cat >"$LP/linphonerc" <<EOF
[sip]
sip_port=$(free_port)
sip_tcp_port=0
sip_tls_port=0
[rtp]
audio_rtp_port=$(free_port 2)
[sound]
echocancellation=0
[video]
capture=0
display=0
EOF
start_linphonec
lp "soundcard use files" >/dev/null
lp "play $T/tone-1012.wav" >/dev/null
lp "record $T/call1-heard-by-1012.wav" >/dev/null
lp "register sip:1012@127.0.0.1 sip:$SIP 1234" >/dev/null
check "linphonec registers as 1012 with the demo defaults (MD5 digest)" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user='1012'" 1
check "baresip registers as 1010" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user='1010'" 1

# ---- call 1: linphonec calls 1010, pauses and resumes, baresip (callee) hangs up ----
lp "call sip:1010@127.0.0.1:$sip_port" >/dev/null
check "1010 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1010.log"
ctl 1010 accept
check "call 1 established on both phones" wait_for 10 eval \
	'lp_state StreamsRunning && count_is 1 "$T/ua1010.log" "Call established"'
check "mediad holds the call's session" wait_for 5 output_is 1 live_sessions "$RPC"
sleep 2
lp pause >/dev/null
check "pause from linphonec: mediad's leg a (linphonec) sendonly, leg b recvonly" \
	wait_for 5 eval 'dir_is a SENDONLY && dir_is b RECVONLY'
sleep 1
lp resume >/dev/null
check "resume from linphonec: both legs sendrecv again" wait_for 5 eval 'dir_is a SENDRECV && dir_is b SENDRECV'
check "after resume RTP flows from both phones" rtp_flows
ctl 1010 hangup
check "hangup from baresip ends the call on linphonec" wait_for 10 lp_idle
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard linphonec's 1000 Hz tone" eval 'recording 1010 call1 && heard "$T/call1/heard-by-1010.wav" 1000'
check "linphonec heard 1010's 440 Hz tone" heard "$T/call1-heard-by-1012.wav" 440

# ---- call 2: 1010 calls linphonec, linphonec (callee) answers and hangs up ----
lp "record $T/call2-heard-by-1012.wav" >/dev/null
ctl 1010 dial 1012
check "linphonec rings" wait_for 10 lp_state IncomingReceived
lp answer >/dev/null
check "call 2 established on both phones" wait_for 10 eval \
	'lp_state StreamsRunning && count_is 2 "$T/ua1010.log" "Call established"'
check "mediad holds the second call's session" wait_for 5 output_is 1 live_sessions "$RPC"
# DTMF both ways: a line of digits makes linphonec send RFC 4733 events, baresip's sndcode too.
lp "123#" >/dev/null
check "1010 decoded the digits linphonec sent (123#), in order" wait_for 5 digits_are 1010 "123#"
ctl 1010 sndcode "58*"
check "linphonec decoded the digits 1010 sent (58*), in order" wait_for 5 lp_digits_are "58*"
sleep 1
lp terminate >/dev/null
check "hangup from linphonec ends the call on baresip" \
	wait_for 10 count_is 2 "$T/ua1010.log" "Call with sip:1012@.* terminated"
check "mediad has no session after linphonec's hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "call 2: 1010 heard 1000 Hz" eval 'recording 1010 call2 && heard "$T/call2/heard-by-1010.wav" 1000'
check "call 2: linphonec heard 440 Hz" heard "$T/call2-heard-by-1012.wav" 440

check "every SDP baresip received points at mediad, including linphonec's pause" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 4 --dir a=sendonly
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out" "$T/lp.out"
ctl 1010 quit
check "signald stops cleanly" stop_daemon signald

# ---- SHA-256: linphonec registers where a user is offered SHA-256 alone ----
sed 's|<user id="1014">|&<params><param name="auth-algorithms" value="SHA-256"/></params>|' \
	"$DEMO/directory.xml" >"$T/directory.xml"
SIP=127.0.0.1:$(free_port)
mkdir -p "$T/state2"
"$SIGNALD" -c "$DEMO/signald.ini" --set "sip.listen=$SIP" --set "media.node=$RPC" \
	--set "signald.state_dir=$T/state2" --set "directory.path=$T/directory.xml" \
	--set "events.publish=" --set "metrics.listen=" >"$T/signald2.log" 2>&1 &
echo $! >"$T/signald2.pid"
wait_for 10 "$SIPPING" "sip:$SIP" 300 || { log "second signald did not answer OPTIONS"; exit 1; }
lp "register sip:1014@127.0.0.1 sip:$SIP 1234" >/dev/null
check "linphonec registers 1014, offered SHA-256 alone" \
	wait_for 10 sql_is "$T/state2/tandem.db" "select count(*) from sip_registrations where sip_user='1014'" 1
# On a loaded machine linphonecsh may time out before linphonec reads the command: asked twice.
check "linphonec exits" eval 'stop_linphonec || stop_linphonec'
check "the second signald stops cleanly" stop_daemon signald2
check "mediad stops cleanly" stop_daemon mediad
finish
