#!/usr/bin/env bash
# Blind transfer between three baresip phones (Debian's baresip 1.0.0) through signald and mediad
# started with the demo config, from either leg: 1010 calls 1011 and 1011 (the callee) transfers
# 1010 to 1012 with its `transfer` command (a REFER without Replaces; baresip 1.0.0 has no
# attended transfer); then 1010 calls 1011 again and 1010 (the caller) transfers 1011 to 1012.
# Each time the test checks the target's INVITE (from the transferee, Referred-By the referrer),
# that the referrer got the NOTIFYs (sipfrag 100, then 200 ending the subscription) and a BYE,
# that the transferee and the target are then in a call through one mediad session, each hearing
# the other's tone, and that nothing is left once they hang up.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

declare -A HZ=([1010]=440 [1011]=1000 [1012]=700)
start_demo || exit 1
for u in 1010 1011 1012; do start_phone $u "${HZ[$u]}"; done
check "baresip 1010, 1011 and 1012 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011','1012')" 3

# blind_transfer CASE CALLER CALLEE REFERRER TRANSFEREE HANGUP: CALLER calls CALLEE, REFERRER
# transfers TRANSFEREE to 1012, which answers; HANGUP (the transferee or 1012) hangs up.
blind_transfer() {
	local c=$1 caller=$2 callee=$3 ref=$4 tee=$5 hup=$6 other
	other=$([ "$hup" = 1012 ] && echo "$tee" || echo 1012)
	mark 1010 1011 1012
	ctl "$caller" dial "$callee"
	check "$c: $callee rings" wait_for 10 in_part "$callee" "Incoming call from"
	ctl "$callee" accept
	check "$c: $caller and $callee are in a call" wait_for 10 eval \
		'in_part "$caller" "Call established" && in_part "$callee" "Call established"'
	sleep 1
	ctl "$ref" transfer 1012
	check "$c: 1012 rings, called by signald for the transfer" wait_for 10 in_part 1012 "Incoming call from"
	part 1012 >"$T/$c-1012.log"
	"${UACTL[@]}" msgs "$T/$c-1012.log" "$SIP" '^INVITE ' >"$T/$c-to1012.txt"
	cat "$T/$c-to1012.txt"
	check "$c: 1012 is called from $tee (the transferee), Referred-By $ref" eval \
		'grep -Eq "^  From: .*<sip:$tee@" "$T/$c-to1012.txt" && grep -Eq "^  Referred-By: .*sip:$ref@" "$T/$c-to1012.txt"'
	ctl 1012 accept
	check "$c: 1012 is in a call" wait_for 10 in_part 1012 "Call established"
	check "$c: $ref's call ends (signald's BYE)" wait_for 10 in_part "$ref" "Call with sip:$tee@.* terminated"
	part "$ref" >"$T/$c-$ref.log"
	"${UACTL[@]}" msgs "$T/$c-$ref.log" "$SIP" '^(NOTIFY|BYE) ' >"$T/$c-to$ref.txt"
	# The order of what the referrer was sent: NOTIFY 100 (active), NOTIFY 200 (terminated), BYE.
	local seq
	seq=$(grep -oE '^(NOTIFY|BYE) |Subscription-State: (active|terminated)|^  SIP/2.0 [0-9]{3}' \
		"$T/$c-to$ref.txt" | tr -s ' \n' ' ')
	log "$c: what $ref was sent: $seq"
	check "$c: $ref got NOTIFY with sipfrag 100 Trying, then NOTIFY 200 OK ending the subscription, then the BYE" \
		test "$seq" = "NOTIFY Subscription-State: active SIP/2.0 100 NOTIFY Subscription-State: terminated SIP/2.0 200 BYE "
	check "$c: both NOTIFYs are for the refer event" test "$(grep -c '^  Event: refer' "$T/$c-to$ref.txt")" = 2
	check "$c: mediad holds one session, RTP flowing from both legs" \
		eval 'output_is 1 live_sessions "$RPC" && rtp_flows'
	sleep 0.5
	ctl "$hup" hangup
	check "$c: hangup from $hup ends the call on $other" \
		wait_for 10 in_part "$other" "Call with sip:.* terminated"
	check "$c: mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
	check "$c: no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
	check "$c: $tee heard 1012's ${HZ[1012]} Hz tone at the end" \
		eval 'recording $tee $c && heard "$T/$c/heard-by-$tee.wav" ${HZ[1012]} 1.5 --last-s 2'
	check "$c: 1012 heard $tee's ${HZ[$tee]} Hz tone" \
		eval 'recording 1012 $c && heard "$T/$c/heard-by-1012.wav" ${HZ[$tee]} 1.5'
	check "$c: $ref heard $tee's ${HZ[$tee]} Hz tone before the transfer" \
		eval 'recording $ref $c && heard "$T/$c/heard-by-$ref.wav" ${HZ[$tee]}'
	part "$tee" >"$T/$c-$tee.log"
	check "$c: every SDP the phones got points at mediad, $tee's the call's and the transfer's re-INVITE" eval \
		'"${UACTL[@]}" sdp "$T/$c-$tee.log" "$SIP" "$rtp_min" "$rtp_max" --min 2 &&
		"${UACTL[@]}" sdp "$T/$c-$ref.log" "$SIP" "$rtp_min" "$rtp_max" &&
		"${UACTL[@]}" sdp "$T/$c-1012.log" "$SIP" "$rtp_min" "$rtp_max"'
}

blind_transfer from-callee 1010 1011 1011 1010 1012
blind_transfer from-caller 1010 1011 1010 1011 1011
cat "$T/ctl.out"
for u in 1010 1011 1012; do ctl $u quit; done
for u in 1010 1011 1012; do check "baresip $u exits on quit" stop_daemon ua$u; done
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
