#!/usr/bin/env bash
# IPv6 on loopback: signald listens on [::1], mediad binds and advertises ::1 (the demo config
# otherwise; one address family per media node), two baresip phones on ::1 register (1010 over
# UDP, 1011 over TCP) and call each other. The test checks the bindings, that every URI signald
# wrote towards the phones brackets the address (Contact, Request-URI, Via), that the SDP each
# phone got says c=IN IP6 ::1 with mediad's ports, the tone each side heard, hold and resume,
# hangup, and that mediad holds no session afterwards.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	log "SKIP: no IPv6 loopback (::1) on this machine"
	exit 77
fi

DEMO_IP=::1
UA_IP=::1
start_demo || exit 1
check "signald listens on $SIP" grep -q "SIP on \[::1\]:$sip_port (udp, tcp)" "$T/signald.log"
UA_TRANSPORT=udp start_phone 1010 440
UA_TRANSPORT=tcp start_phone 1011 1000
check "1010 registers from ::1 over UDP, 1011 over TCP" wait_for 10 eval \
	'sql_is "$DB" "select network_proto from sip_registrations where sip_user = '"'1010'"' and network_ip = '"'::1'"'" udp &&
	 sql_is "$DB" "select network_proto from sip_registrations where sip_user = '"'1011'"' and network_ip = '"'::1'"'" tcp'
check "signald logs the sources bracketed" \
	grep -q "'1010' REGISTER accepted from udp \[::1\]:[0-9]* " "$T/signald.log"
flow=$(sql "$DB" "select network_port from sip_registrations where sip_user = '1011'")

ctl 1010 dial 1011
check "1011 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
ctl 1011 accept
check "the call is established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
check "mediad holds the call's session" wait_for 5 output_is 1 live_sessions "$RPC"
check "signald reached 1011 over its TCP connection, bracketed" \
	grep -q "calling sip:1011-[^ ]*@\[::1\]:[0-9]*;transport=tcp via sip:\[::1\]:$flow;transport=tcp" "$T/signald.log"
sleep 2
ctl 1010 hold
check "hold from 1010: mediad's leg a is sendonly, leg b recvonly" \
	wait_for 5 eval 'dir_is a SENDONLY && dir_is b RECVONLY'
ctl 1010 resume
check "resume from 1010: both legs sendrecv again" wait_for 5 eval 'dir_is a SENDRECV && dir_is b SENDRECV'
check "after resume RTP flows from both phones" rtp_flows
ctl 1010 hangup
check "hangup from the caller ends the call on the callee" \
	wait_for 10 count_is 1 "$T/ua1011.log" "Call with sip:1010@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard 1011's 1000 Hz tone over IPv6" eval 'recording 1010 call && heard "$T/call/heard-by-1010.wav" 1000'
check "1011 heard 1010's 440 Hz tone over IPv6" eval 'recording 1011 call && heard "$T/call/heard-by-1011.wav" 440'

# ---- what the phones were told ----
trace() { sed 's/\x1b\[[0-9;]*m//g' "$T/ua$1.log"; }
for u in 1010 1011; do
	check "every SDP $u got from signald says c=IN IP6 ::1 with mediad's ports" \
		"${UACTL[@]}" sdp "$T/ua$u.log" "$SIP" "$rtp_min" "$rtp_max" --min 2 --every 'c=IN IP6 ::1'
	check "signald's Contact towards $u is bracketed, and never bare" eval \
		"trace $u | grep -aq '^Contact: <sip:\[::1\]:$sip_port' && ! trace $u | grep -aq '^Contact: <sip:::1'"
done
check "the INVITE to 1011 names its contact bracketed and carries a bracketed Via" eval \
	"trace 1011 | grep -aq '^INVITE sip:1011-[^ ]*@\[::1\]:[0-9]*;transport=tcp SIP/2.0' &&
	 trace 1011 | grep -aq '^Via: SIP/2.0/TCP \[::1\]:$sip_port;'"
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out"
ctl 1010 quit
ctl 1011 quit
check "the phones unregistered as they quit" \
	wait_for 5 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011')" 0
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1011 exits on quit" stop_daemon ua1011
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
