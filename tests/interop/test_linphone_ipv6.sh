#!/usr/bin/env bash
# IPv6 on loopback with linphonec (linphone-cli 5.1): signald on [::1] and mediad on ::1 (the demo
# config otherwise, as interop.test_baresip_ipv6 runs it), linphonec registers from ::1 over UDP,
# is called by a baresip phone on ::1, then calls it: the test checks the binding, signald's
# bracketed Contact towards linphonec, that the SDP the other phone got says c=IN IP6 ::1 with
# mediad's ports, the tone each side heard (through mediad both ways), hangup from linphonec as
# callee and as caller, and that mediad holds no session afterwards.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip linphonec linphonecsh sox jq
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	log "SKIP: no IPv6 loopback (::1) on this machine"
	exit 77
fi

# linphonecsh talks to one linphonec per user through /tmp/linphonec-UID: never take over a
# daemon someone else is running.
if timeout 5 linphonecsh generic "calls" >/dev/null 2>&1; then
	log "SKIP: a linphonec daemon of this user is already running"
	exit 77
fi
lp() { timeout 5 linphonecsh generic "$*" 2>&1 | tee -a "$T/lp.out"; }
lp_state() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q -- "| $1"; }
lp_idle() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q "No active call"; }

DEMO_IP=::1
UA_IP=::1
start_demo || exit 1
start_phone 1010 440

LP=$T/lp
mkdir -p "$LP/.local/share/linphone"
tone "$T/tone-1013.wav" 1000
printf '%s\n' "[sip]" "sip_port=$(free_port)" "sip_tcp_port=0" "sip_tls_port=0" "use_ipv6=1" \
	"[rtp]" "audio_rtp_port=$(free_port 2)" "[sound]" "echocancellation=0" \
	"[video]" "capture=0" "display=0" >"$LP/linphonerc"
start_linphonec
lp "soundcard use files" >/dev/null
lp "play $T/tone-1013.wav" >/dev/null
lp "record $T/heard-by-1013.wav" >/dev/null
lp "register sip:1013@[::1] sip:$SIP 1234" >/dev/null
check "linphonec registers 1013 from ::1" wait_for 10 sql_is "$DB" \
	"select network_ip || ' ' || network_proto from sip_registrations where sip_user = '1013'" "::1 udp"
check "baresip registers 1010 from ::1" \
	wait_for 10 sql_is "$DB" "select network_ip from sip_registrations where sip_user = '1010'" ::1
flow=$(sql "$DB" "select network_port from sip_registrations where sip_user = '1013'")

ctl 1010 dial 1013
check "linphonec rings" wait_for 10 lp_state IncomingReceived
check "signald called linphonec where it registered from, bracketed" \
	grep -q "calling sip:1013@\[::1\]:[0-9]*.* via sip:\[::1\]:$flow;transport=udp" "$T/signald.log"
lp answer >/dev/null
check "the call is established on both phones" wait_for 10 eval \
	'lp_state StreamsRunning && count_is 1 "$T/ua1010.log" "Call established"'
check "mediad holds the call's session" wait_for 5 output_is 1 live_sessions "$RPC"
sleep 2.5
lp terminate >/dev/null
check "hangup from linphonec ends the call on baresip" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Call with sip:1013@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard linphonec's 1000 Hz tone" eval 'recording 1010 call && heard "$T/call/heard-by-1010.wav" 1000'
check "linphonec heard 1010's 440 Hz tone" heard "$T/heard-by-1013.wav" 440
# ---- linphonec calls 1010 and hangs up ----
lp "record $T/call2-heard-by-1013.wav" >/dev/null
lp "call sip:1010@$SIP" >/dev/null
check "1010 rings for linphonec's call" wait_for 10 count_is 1 "$T/ua1010.log" "Incoming call from"
ctl 1010 accept
check "the second call is established on both phones" wait_for 10 eval \
	'lp_state StreamsRunning && count_is 2 "$T/ua1010.log" "Call established"'
sleep 2.5
lp terminate >/dev/null
check "linphonec's BYE as the caller ends the call on baresip" \
	wait_for 10 count_is 2 "$T/ua1010.log" "Call with sip:1013@.* terminated"
check "mediad has no session after the second call" wait_for 5 output_is 0 live_sessions "$RPC"
check "call 2: 1010 heard 1000 Hz" eval 'recording 1010 call2 && heard "$T/call2/heard-by-1010.wav" 1000'
check "call 2: linphonec heard 440 Hz" heard "$T/call2-heard-by-1013.wav" 440
check "signald's Contact towards linphonec is bracketed, as caller and as callee" \
	eval '[ "$(grep -c "^Contact: <sip:\[::1\]:$sip_port>" "$T/linphonec.log")" -ge 2 ]'
check "every SDP baresip received says c=IN IP6 ::1 with mediad's ports" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 2 --every 'c=IN IP6 ::1'
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out" "$T/lp.out"
ctl 1010 quit
check "linphonec exits" eval 'stop_linphonec || stop_linphonec'
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
