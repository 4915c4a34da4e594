#!/usr/bin/env bash
# Blind transfer between three baresip phones (Debian's baresip 1.0.0) through signald and mediad
# started with the demo config: 1010 calls 1011, 1011 transfers 1010 to 1012 with its `transfer`
# command (a REFER without Replaces; baresip 1.0.0 has no attended transfer), 1012 answers. The
# test checks that 1011 got the NOTIFYs (sipfrag 100 then 200) and a BYE, that 1010 and 1012 are
# then in a call through one mediad session, each hearing the other's tone, and that nothing is
# left once they hang up.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

start_demo || exit 1
start_phone 1010 440
start_phone 1011 1000
start_phone 1012 700
check "baresip 1010, 1011 and 1012 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011','1012')" 3
ctl 1010 dial 1011
check "1011 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
ctl 1011 accept
check "1010 and 1011 are in a call" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
sleep 1.5
ctl 1011 transfer 1012
check "1012 rings, called by signald for the transfer" wait_for 10 grep -q "Incoming call from" "$T/ua1012.log"
"${UACTL[@]}" msgs "$T/ua1012.log" "$SIP" '^INVITE ' >"$T/to1012.txt"
cat "$T/to1012.txt"
check "1012 is called from 1010 (the transferee), Referred-By 1011" eval \
	'grep -Eq "^  From: .*<sip:1010@" "$T/to1012.txt" && grep -Eq "^  Referred-By: .*sip:1011@" "$T/to1012.txt"'
ctl 1012 accept
check "1012 is in a call" wait_for 10 count_is 1 "$T/ua1012.log" "Call established"
check "1011's call ends (signald's BYE)" \
	wait_for 10 count_is 1 "$T/ua1011.log" "Call with sip:1010@.* terminated"
"${UACTL[@]}" msgs "$T/ua1011.log" "$SIP" '^(NOTIFY|BYE) ' >"$T/to1011.txt"
cat "$T/to1011.txt"
# The order of what 1011 was sent: NOTIFY 100 (active), NOTIFY 200 (terminated), BYE.
seq=$(grep -oE '^(NOTIFY|BYE) |Subscription-State: (active|terminated)|^  SIP/2.0 [0-9]{3}' "$T/to1011.txt" |
	tr -s ' \n' ' ')
log "what 1011 was sent: $seq"
check "1011 got NOTIFY with sipfrag 100 Trying, then NOTIFY 200 OK ending the subscription, then the BYE" \
	test "$seq" = "NOTIFY Subscription-State: active SIP/2.0 100 NOTIFY Subscription-State: terminated SIP/2.0 200 BYE "
check "both NOTIFYs are for the refer event" test "$(grep -c '^  Event: refer' "$T/to1011.txt")" = 2
check "mediad holds one session, RTP flowing from both legs" eval 'output_is 1 live_sessions "$RPC" && rtp_flows'
sleep 2
ctl 1012 hangup
check "hangup from 1012 ends the call on 1010" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Call with sip:1011@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
check "1010 heard 1012's 700 Hz tone at the end" \
	eval 'recording 1010 xfer && heard "$T/xfer/heard-by-1010.wav" 700 1.5 --last-s 2'
check "1012 heard 1010's 440 Hz tone" eval 'recording 1012 xfer && heard "$T/xfer/heard-by-1012.wav" 440 1.5'
check "1011 heard 1010's 440 Hz tone before the transfer" \
	eval 'recording 1011 xfer && heard "$T/xfer/heard-by-1011.wav" 440'
check "every SDP 1010 got points at mediad: the answer, then the transfer's re-INVITE" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 2
for u in 1011 1012; do
	check "the SDP $u got points at mediad" "${UACTL[@]}" sdp "$T/ua$u.log" "$SIP" "$rtp_min" "$rtp_max"
done
cat "$T/ctl.out"
for u in 1010 1011 1012; do ctl $u quit; done
for u in 1010 1011 1012; do check "baresip $u exits on quit" stop_daemon ua$u; done
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
