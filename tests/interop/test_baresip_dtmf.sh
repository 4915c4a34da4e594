#!/usr/bin/env bash
# DTMF between two baresip phones through signald and mediad started with the demo config: the
# demo offers telephone-event, each phone sends RFC 4733 events in RTP (baresip's `sndcode`
# command) and the test checks the digits the other phone decoded, in order, equal those sent,
# both ways, with the call's audio still checked by frequency.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

start_demo || exit 1
UA_OPTS=(-s -v)
start_phone 1010 440
start_phone 1011 1000
check "baresip 1010 and 1011 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011')" 2
ctl 1010 dial 1011
check "1011 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
ctl 1011 accept
check "the call is established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
for u in 1010 1011; do
	check "every SDP $u got from signald points at mediad and carries telephone-event" \
		"${UACTL[@]}" sdp "$T/ua$u.log" "$SIP" "$rtp_min" "$rtp_max" --every 'a=rtpmap:[0-9]+ telephone-event/8000'
done
sleep 1
sent1="1234567890*#"
ctl 1010 sndcode "$sent1"
check "1011 decoded the digits 1010 sent ($sent1), in order" wait_for 10 digits_are 1011 "$sent1"
log "1011 decoded: $(received_digits 1011)"
sent2="9#0*"
ctl 1011 sndcode "$sent2"
check "1010 decoded the digits 1011 sent ($sent2), in order" wait_for 10 digits_are 1010 "$sent2"
log "1010 decoded: $(received_digits 1010)"
check "RTP flows from both phones after the digits" rtp_flows
ctl 1010 hangup
check "hangup from the caller ends the call on the callee" \
	wait_for 10 count_is 1 "$T/ua1011.log" "Call with sip:1010@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard 1011's 1000 Hz tone" eval 'recording 1010 call && heard "$T/call/heard-by-1010.wav" 1000'
check "1011 heard 1010's 440 Hz tone" eval 'recording 1011 call && heard "$T/call/heard-by-1011.wav" 440'
cat "$T/ctl.out"
ctl 1010 quit
ctl 1011 quit
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1011 exits on quit" stop_daemon ua1011
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
