#!/usr/bin/env bash
# Call transfer (REFER, RFC 3515). Blind from the callee: 1000 calls 1001, 1001 puts 1000 on
# hold and REFERs it to 1002; 1001 gets 202, NOTIFY 100 Trying and NOTIFY 200 OK (terminated),
# then a BYE; 1002's INVITE carries Referred-By and comes from 1000; 1000 gets a re-INVITE at
# the media node (sendrecv again), audio flows both ways, then it hangs up and 1002 gets the
# BYE. The same when 1001 hangs up right after NOTIFY 100 (the transfer goes on without it),
# and from the caller: 1000 REFERs 1001 to 1002. Refused and failed transfers: Refer-To tel:
# 488, another domain 403, a busy target reported in the final NOTIFY (486), one that does not
# answer within the ring time likewise (408), the call still up. Attended: 1001, in calls with
# 1000 and with 1002, REFERs 1000 with a Replaces naming the second call (its Refer-To the
# switch's Contact, no user, as current liblinphone sends it): 1000 and 1002 are joined, both of 1001's
# legs get a BYE; a Replaces naming another user's call gets 403. REFER
# outside a dialog or in one we do not hold: 405 (REFER is allowed only in a call's dialogs:
# the caller's 200 lists it). After each: no media session, no sip_dialogs row.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# A ring time of 3 s: a target that does not answer is given up after it.
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set call.timeout_s=3 || exit 1
DB=$T/s1-state/tandem.db
P1001=$(free_port)
P1002=$(free_port)
P1003=$(free_port)
read -r -a RELAY <<<"$(relay_args)"

caller() { # caller NAME SCENARIO [args]
	local name=$1 scen=$2; shift 2
	timeout 90 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$name-caller.sipp-errors.log" \
		-trace_msg -message_file "$T/$name-caller.sipp-messages.log" "$@" >"$T/$name-caller.sipp.log" 2>&1
}
all_clear() {
	wait_for 5 output_is 0 live_sessions "$m1_RPC" &&
		wait_for 5 output_is 0 sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs'
}
# first_request METHOD FILE: the first METHOD request in a SIPp message trace, CRs removed.
first_request() {
	awk -v m="$1" '/^-----/{if (on) exit} $0 ~ "^" m " sip:"{on = 1} on' "$2" | tr -d '\r'
}

# rtp_both_ways CALL_ID: the call's CDR counts more than 30 RTP packets from each side.
rtp_both_ways() {
	[ "$(sqlite3 "$DB" "SELECT rtp_packets_a > 30 AND rtp_packets_b > 30 FROM cdr WHERE call_id = '$1'")" = 1 ]
}
# received METHOD FILE: a SIPp message trace shows a METHOD request received.
received() {
	grep -a -A2 'message received' "$2" | grep -q "^$1 sip:"
}

check "1001 registers" register_user reg1001 1001 "$P1001"
check "1002 registers" register_user reg1002 1002 "$P1002"
check "1003 registers" register_user reg1003 1003 "$P1003"

# ---- blind transfer from the callee ----
sipp_bg target xfer_uas_target.xml "$P1002" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sipp_bg referrer xfer_uas_refer.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}" -set target 1002
sleep 0.3
check "blind: the caller is re-INVITEd towards the target's media, then hangs up" \
	caller blind xfer_uac_transferred.xml
check "blind: the referrer gets 202, NOTIFY 100, NOTIFY 200 (terminated), BYE" sipp_wait referrer
check "blind: the target answers, gets the caller's BYE" sipp_wait target
first_request INVITE "$T/target.sipp-messages.log" >"$T/target-invite"
check "blind: the target's INVITE comes from the caller 1000" grep -q '^From:.*sip:1000@' "$T/target-invite"
check "blind: the target's INVITE is for 1002" grep -q '^To: *<sip:1002@' "$T/target-invite"
check "blind: the transfer completed" grep -aq 'transfer to 1002 complete' "$T/s1.log"
cid=$(sed -n 's/^Call-ID: *//p' "$T/blind-caller.sipp-messages.log" | head -1 | tr -d '\r')
check "blind: the caller's audio reached the target and its echo came back through mediad" \
	wait_for 5 rtp_both_ways "$cid"
check "blind: all clear" all_clear

# ---- the referrer hangs up right after NOTIFY 100; the target answers 1 s later ----
sipp_bg target3 xfer_uas_target.xml "$P1002" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}" -d 1000
sipp_bg referrer3 xfer_uas_refer_bye.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}" -set target 1002
sleep 0.3
check "referrer gone: the caller is still transferred, then hangs up" caller gone xfer_uac_transferred.xml
check "referrer gone: the referrer's BYE got 200" sipp_wait referrer3
check "referrer gone: the target answers, gets the caller's BYE" sipp_wait target3
cid=$(sed -n 's/^Call-ID: *//p' "$T/gone-caller.sipp-messages.log" | head -1 | tr -d '\r')
check "referrer gone: audio both ways between the caller and the target" \
	wait_for 5 rtp_both_ways "$cid"
check "referrer gone: all clear" all_clear

# ---- blind transfer from the caller: the callee stays, the target takes the caller's place ----
sipp_bg target2 xfer_uas_target.xml "$P1002" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg transferee xfer_uas_transferred.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "from the caller: the referrer gets 202, NOTIFY 100, NOTIFY 200 (terminated), BYE" \
	caller fromcaller xfer_uac_refer.xml -set target 1002
check "from the caller: the callee is re-INVITEd towards the target's media, then hangs up" \
	sipp_wait transferee
check "from the caller: the target answers, gets the callee's BYE" sipp_wait target2
first_request INVITE "$T/target2.sipp-messages.log" >"$T/target2-invite"
check "from the caller: the target's INVITE comes from the callee 1001" \
	grep -q '^From:.*sip:1001@' "$T/target2-invite"
check "from the caller: all clear" all_clear

# ---- refusals, then a busy target: the call stays up ----
sipp_bg busy call_uas_busy.xml "$P1003" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg referrer2 xfer_uas_refer_fail.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}" -set target 1003
sleep 0.3
check "busy: the caller's call survives the failed transfers (its BYE gets 200)" \
	caller busy call_uac.xml -d 3000
check "busy: 488 for tel:, 403 for another domain, NOTIFY 486 for the busy target, then BYE" \
	sipp_wait referrer2
check "busy: the target said 486" sipp_wait busy
check "busy: the failure is logged" grep -aq 'transfer to 1003 failed: 486' "$T/s1.log"
check "busy: all clear" all_clear

# ---- attended: 1001 talks to 1000 and, on a second call, to 1002; it REFERs 1000 to that
# call (Replaces naming it). A Replaces naming a call of other users (1003 to 1004) gets 403.
# 1000 and 1002 end up together; both of 1001's legs get a BYE.
P1004=$(free_port)
check "1004 registers" register_user reg1004 1004 "$P1004"
CID2=attended-2-$$
CID3=attended-3-$$
# call_bg NAME SCENARIO FROM TO [args]: a caller in the background, FROM calling TO.
call_bg() {
	local name=$1 scen=$2 from=$3 to=$4; shift 4
	timeout 90 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$to" -au "$from" -ap 1234 -set caller "$from" "${RELAY[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		-trace_msg -message_file "$T/$name.sipp-messages.log" "$@" >"$T/$name.sipp.log" 2>&1 &
	echo $! >"$T/$name.pid"
}
sipp_bg joined xfer_uas_joined.xml "$P1002" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sipp_bg other-callee call_uas.xml "$P1004" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg att-referrer xfer_uas_refer_attended.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}" \
	-set cid "$CID2" -set other_cid "$CID3"
sleep 0.3
call_bg att-caller xfer_uac_transferred.xml 1000 1001
sleep 0.3
call_bg other-caller xfer_uac_replaced.xml 1003 1004 -cid_str "$CID3" -set ftag replaced3
call_bg second-call xfer_uac_replaced.xml 1001 1002 -cid_str "$CID2" -set ftag replaced2
check "attended: the referrer gets 403 for another user's call, then 202, NOTIFY 100, NOTIFY 200, BYE" \
	sipp_wait att-referrer
check "attended: the referrer's second call ends" sipp_wait second-call
check "attended: with the switch's BYE" received BYE "$T/second-call.sipp-messages.log"
check "attended: the caller is re-INVITEd towards 1002's media, then hangs up" sipp_wait att-caller
check "attended: 1002 is re-INVITEd into the caller's session, then gets its BYE" sipp_wait joined
check "attended: the other users' call is untouched (it hangs up itself)" sipp_wait other-caller
check "attended: its callee gets that BYE" sipp_wait other-callee
cid=$(sed -n 's/^Call-ID: *//p' "$T/att-caller.sipp-messages.log" | head -1 | tr -d '\r')
check "attended: the caller's audio reached 1002 and its echo came back through mediad" \
	wait_for 5 rtp_both_ways "$cid"
check "attended: the replaced call ended as ATTENDED_TRANSFER" wait_for 5 output_is 1 \
	sqlite3 "$DB" "SELECT count(*) FROM cdr WHERE hangup_cause = 'ATTENDED_TRANSFER'"
check "attended: all clear" all_clear

# ---- INVITE with Replaces (RFC 3891): 1000 takes its call with 1001 over from another device;
# 1003 may not take it (403) ----
CIDR=replaced-$$
sipp_bg replaced-callee xfer_uas_joined.xml "$P1001" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sleep 0.3
call_bg replaced-caller xfer_uac_replaced.xml 1000 1001 -cid_str "$CIDR" -set ftag replacedR
sleep 0.8
check "Replaces: another user may not take the call over (403)" \
	caller stranger xfer_uac_replacing_fail.xml -au 1003 -set caller 1003 -set status 403 \
	-set rcid "$CIDR" -set rtag replacedR
check "Replaces: the new device's INVITE is answered at the media node, then it hangs up" \
	caller replacing xfer_uac_replacing.xml -d 1500 -set rcid "$CIDR" -set rtag replacedR
check "Replaces: the replaced device gets the switch's BYE" sipp_wait replaced-caller
check "Replaces: with the switch's BYE" received BYE "$T/replaced-caller.sipp-messages.log"
check "Replaces: the callee is re-INVITEd to the new device, then gets its BYE" \
	sipp_wait replaced-callee
check "Replaces: audio both ways between the new device and the callee" \
	wait_for 5 rtp_both_ways "$CIDR"
check "Replaces: all clear" all_clear

# ---- a target that does not answer within the ring time: NOTIFY 408, the call stays ----
sipp_bg noanswer call_uas_ring.xml "$P1003" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg referrer4 xfer_uas_refer_noanswer.xml "$P1001" -mp "$(free_port 4)" "${RELAY[@]}" -set target 1003
sleep 0.3
check "no answer: the caller's call survives (its BYE gets 200)" caller noanswer call_uac.xml -d 5000
check "no answer: the referrer gets NOTIFY 100, then NOTIFY 408 after the ring time, then BYE" \
	sipp_wait referrer4
check "no answer: the target's ringing is cancelled" sipp_wait noanswer
check "no answer: all clear" all_clear

# ---- REFERs for no call of ours ----
check "REFER outside a dialog, or in a dialog we do not hold: 405 and nothing else" \
	timeout 30 sipp -sf "$SIPP_DIR/refer_nodialog.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
	-m 1 -timeout 20s -timeout_error -nostdin

check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
finish
