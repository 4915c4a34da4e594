#!/usr/bin/env bash
# Two baresip phones register over TCP (;transport=tcp) to signald started with the demo config,
# call each other through signald and mediad, each plays a tone and records what it hears: the
# test checks signald stored TCP bindings, reached the callee back over the very connection it
# registered on (not a new one to its contact), the frequency each side received, that every
# SDP points at mediad, that a call taken back after signald is killed reaches the callee over
# a new connection to its contact, that once that connection is gone a new call goes to the
# contact, hangup, and that mediad holds no session afterwards.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

start_demo || exit 1
UA_TRANSPORT=tcp
start_phone 1010 440
start_phone 1011 1000
check "baresip 1010 and 1011 register over TCP" wait_for 10 sql_is "$DB" \
	"select count(*) from sip_registrations where sip_user in ('1010','1011') and network_proto = 'tcp' and status = 'Registered(TCP)'" 2
flow=$(sql "$DB" "select network_port from sip_registrations where sip_user = '1011'")
# the message line after baresip's "TCP src -> dst" trace line, for the first INVITE it got
invite_hop() {
	sed 's/\x1b\[[0-9;]*m//g' "$T/ua$1.log" | awk '/^ *TCP .* -> /{hop=$0} /^INVITE sip:/{print hop; exit}'
}

# The REGISTER listed the connection at once; past one TCP sweep (5 s) it is still listed, now
# found among signald's sockets.
sleep 5.5
ctl 1010 dial 1011
check "1011 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
hop=$(invite_hop 1011)
log "1011 got the INVITE on: $hop (registered from port $flow)"
check "the INVITE reached 1011 over the TCP connection it registered on (port $flow)" \
	eval '[[ "$hop" == *"TCP $SIP -> 127.0.0.1:$flow" ]]'
check "signald logged the registered connection as the next hop" \
	grep -q "calling sip:1011.*via sip:127.0.0.1:$flow;transport=tcp" "$T/signald.log"
ctl 1011 accept
check "the call is established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
check "mediad holds the call's session" wait_for 5 output_is 1 live_sessions "$RPC"
sleep 2.5
check "RTP flows from both phones" rtp_flows
# A crash takes the TCP connections with it: the call taken back re-INVITEs 1011 over a new
# connection to its contact, not to the dead one.
check "the confirmed call is persisted" wait_for 5 sql_is "$DB" "select count(*) from sip_calls" 1
check "the persisted callee leg is reached through its registered contact, not the connection" \
	sql_is "$DB" "select b_proxy from sip_calls" "$(sql "$DB" "select contact from sip_registrations where sip_user = '1011'")"
crash_signald
check "signald, killed and started again, takes the call back" \
	wait_for 10 grep -q "restore complete: 1 call(s) taken back, 0 ended" "$T/signald.log"
check "1011 got the restoring re-INVITE over a new connection to its contact" \
	wait_for 5 eval '[ "$(sed "s/\x1b\[[0-9;]*m//g" "$T/ua1011.log" | grep -ac "^INVITE sip:")" -ge 2 ]'
check "RTP flows from both phones after the restart" rtp_flows
ctl 1011 hangup
check "hangup from the callee ends the call on the caller" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Call with sip:1011@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard 1011's 1000 Hz tone" eval 'recording 1010 call && heard "$T/call/heard-by-1010.wav" 1000'
check "1011 heard 1010's 440 Hz tone" eval 'recording 1011 call && heard "$T/call/heard-by-1011.wav" 440'
# The connection 1011 registered on died with the first signald: a new call reaches it through
# its contact (the bindings were kept in the store).
ctl 1010 dial 1011
check "with its connection gone, 1011 is called through its contact" wait_for 10 eval \
	'count_is 2 "$T/ua1011.log" "Incoming call from" && grep -q "calling sip:1011[^ ]*;transport=tcp\$" "$T/signald.log"'
ctl 1011 accept
check "the second call is established on both phones" wait_for 10 eval \
	'count_is 2 "$T/ua1010.log" "Call established" && count_is 2 "$T/ua1011.log" "Call established"'
ctl 1010 hangup
# The BYE comes over a connection signald opened for it; when that closes before baresip has
# handled the BYE, baresip reports the call as "session closed" with the socket error instead.
check "hangup from the caller ends the second call" \
	wait_for 10 count_is 2 "$T/ua1011.log" "Call with sip:1010@.* terminated\|sip:1010@[^ ]*: session closed"
check "mediad has no session after the second call" wait_for 5 output_is 0 live_sessions "$RPC"
check "every SDP 1010 received points at mediad" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 1
check "every SDP 1011 received points at mediad" \
	"${UACTL[@]}" sdp "$T/ua1011.log" "$SIP" "$rtp_min" "$rtp_max" --min 1
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out"
ctl 1010 quit
ctl 1011 quit
check "the phones unregistered over TCP as they quit" \
	wait_for 5 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011')" 0
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1011 exits on quit" stop_daemon ua1011
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
