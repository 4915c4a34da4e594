#!/usr/bin/env bash
# linphonec (linphone-cli 5.1) registers over TCP to signald started with the demo config and is
# called by a baresip phone on UDP, then calls it: the test checks the TCP binding, that signald
# reached linphonec over the connection it registered on, that signald's Contact towards it
# says TCP (linphonec sends its BYE there), the tone each side heard, hangup from linphonec as
# callee and as caller, and that mediad holds no session afterwards.
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
lp_state() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q -- "| $1"; }
lp_idle() { timeout 5 linphonecsh generic calls 2>/dev/null | grep -q "No active call"; }

start_demo || exit 1
start_phone 1010 440

LP=$T/lp
mkdir -p "$LP/.local/share/linphone"
tone "$T/tone-1013.wav" 1000
# UDP off, TCP on: everything linphonec sends and gets goes over TCP.
printf '%s\n' "[sip]" "sip_port=0" "sip_tcp_port=$(free_port)" "sip_tls_port=0" \
	"[rtp]" "audio_rtp_port=$(free_port 2)" "[sound]" "echocancellation=0" \
	"[video]" "capture=0" "display=0" >"$LP/linphonerc"
start_linphonec
lp "soundcard use files" >/dev/null
lp "play $T/tone-1013.wav" >/dev/null
lp "record $T/heard-by-1013.wav" >/dev/null
lp "register sip:1013@127.0.0.1 sip:$SIP;transport=tcp 1234" >/dev/null
check "linphonec registers 1013 over TCP" wait_for 10 sql_is "$DB" \
	"select network_proto || ' ' || status from sip_registrations where sip_user = '1013'" "tcp Registered(TCP)"
check "baresip registers 1010 over UDP" \
	wait_for 10 sql_is "$DB" "select network_proto from sip_registrations where sip_user = '1010'" udp
flow=$(sql "$DB" "select network_port from sip_registrations where sip_user = '1013'")

ctl 1010 dial 1013
check "linphonec rings" wait_for 10 lp_state IncomingReceived
check "signald reached linphonec over the TCP connection it registered on (port $flow)" \
	grep -q "calling sip:1013.*via sip:127.0.0.1:$flow;transport=tcp" "$T/signald.log"
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
# ---- linphonec calls 1010 over TCP and hangs up ----
lp "record $T/call2-heard-by-1013.wav" >/dev/null
lp "call sip:1010@$SIP;transport=tcp" >/dev/null
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
# sofia-sip's own Contact has no transport (UDP), where linphonec, on TCP alone, sends nothing.
check "signald's Contact towards linphonec says TCP, as caller and as callee" eval \
	'[ "$(grep -c "^Contact: <sip:127.0.0.1:$sip_port;transport=tcp>" "$T/linphonec.log")" -ge 2 ] &&
	 ! grep -q "^Contact: <sip:127.0.0.1:$sip_port>" "$T/linphonec.log"'
check "every SDP baresip received points at mediad" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 2
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out" "$T/lp.out"
ctl 1010 quit
check "linphonec exits" eval 'stop_linphonec || stop_linphonec'
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
