#!/usr/bin/env bash
# The call flow end to end, SIPp against the real signald and mediad: 1000 calls 1001 (both
# authenticated), media anchored on mediad. Scenarios: answered call with RTP echoed, callee
# hangs up, caller cancels while ringing, busy, no answer, late offer, hold and resume. After
# each one mediad holds no session and sip_dialogs no live call; the CDR says how it ended.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# The defaults, as the demo has them: SIPp calls authenticate without any [auth] setting.
start_signald s1 "$m1_RPC" --set call.timeout_s=3 || exit 1
DB=$T/s1-state/tandem.db
CALLEE_PORT=$(free_port)
CALLEE_MEDIA=$(free_port 4)
CALLER_MEDIA=$(free_port 4)
read -r -a RELAY <<<"$(relay_args)"

check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"

callee() { # callee NAME SCENARIO [args]
	local name=$1 scen=$2; shift 2
	sipp_bg "$name-callee" "$scen" "$CALLEE_PORT" -mp "$CALLEE_MEDIA" -rtp_echo "${RELAY[@]}" "$@"
	sleep 0.3
}
caller() { # caller NAME SCENARIO [args]
	local name=$1 scen=$2; shift 2
	timeout 90 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$CALLER_MEDIA" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$name-caller.sipp-errors.log" \
		-trace_msg -message_file "$T/$name-caller.sipp-messages.log" "$@" >"$T/$name-caller.sipp.log" 2>&1
}
cdr() { # cdr CALLER_SCENARIO_NAME COLUMN: the column of the last CDR
	sqlite3 "$DB" "SELECT $1 FROM cdr ORDER BY rowid DESC LIMIT 1"
}
all_clear() {
	wait_for 5 output_is 0 live_sessions "$m1_RPC" &&
		wait_for 5 output_is 0 sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs'
}
cdr_count=0
next_cdr() { cdr_count=$((cdr_count + 1)); wait_for 5 output_is "$cdr_count" sqlite3 "$DB" 'SELECT count(*) FROM cdr'; }

# 1. Answered, RTP from the caller's pcap relayed to the callee and echoed back, caller hangs up.
callee basic call_uas.xml
check "basic: caller completes (SDP at mediad, BYE answered)" caller basic call_uac.xml -d 2500
check "basic: callee completes (offer at mediad)" sipp_wait basic-callee
check "basic: CDR written" next_cdr
check "basic: cause NORMAL_CLEARING by caller" test "$(cdr "hangup_cause || ',' || hangup_side")" = "NORMAL_CLEARING,caller"
check "basic: RTP from the caller reached mediad" test "$(cdr rtp_packets_a)" -gt 50
check "basic: the callee's echo came back through mediad" test "$(cdr rtp_packets_b)" -gt 50
check "basic: answered call has billsec and status 200" test "$(cdr sip_status)" = 200
check "basic: all clear" all_clear

# 2. The callee hangs up.
callee byeb call_uas_bye.xml
check "callee BYE: caller gets BYE" caller byeb call_uac_wait_bye.xml
check "callee BYE: callee completes" sipp_wait byeb-callee
check "callee BYE: CDR" next_cdr
check "callee BYE: hangup by callee" test "$(cdr hangup_side)" = callee
check "callee BYE: all clear" all_clear

# 3. The caller cancels while it rings.
callee cancel call_uas_ring.xml
check "cancel: caller gets 200 and 487" caller cancel call_uac_cancel.xml
check "cancel: callee gets CANCEL" sipp_wait cancel-callee
check "cancel: CDR" next_cdr
check "cancel: ORIGINATOR_CANCEL" test "$(cdr hangup_cause)" = ORIGINATOR_CANCEL
check "cancel: all clear" all_clear

# 3b. The callee's 200 crosses the caller's CANCEL: the B leg is ACKed and hung up with a BYE.
callee cross call_uas_cross.xml
check "cancel/200 race: caller gets 200 and 487" caller cross call_uac_cancel.xml
check "cancel/200 race: callee gets ACK and BYE" sipp_wait cross-callee
check "cancel/200 race: CDR" next_cdr
check "cancel/200 race: all clear" all_clear

# 4. Busy.
callee busy call_uas_busy.xml
check "busy: caller gets 486" caller busy call_uac_fail.xml -set status 486
check "busy: callee completes" sipp_wait busy-callee
check "busy: CDR" next_cdr
check "busy: USER_BUSY" test "$(cdr hangup_cause)" = USER_BUSY
check "busy: all clear" all_clear

# 5. No answer within call.timeout_s (3 s): the callee is cancelled, the caller gets 480.
callee noans call_uas_ring.xml
check "no answer: caller gets 480" caller noans call_uac_fail.xml -set status 480
check "no answer: callee is cancelled" sipp_wait noans-callee
check "no answer: CDR" next_cdr
check "no answer: NO_ANSWER" test "$(cdr hangup_cause)" = NO_ANSWER
check "no answer: all clear" all_clear

# 6. Late offer: the offer comes in the callee's 200, the answer in the caller's ACK.
callee late call_uas_late.xml
check "late offer: caller gets the offer from mediad and answers in ACK" caller late call_uac_late.xml -d 500
check "late offer: callee gets the answer in ACK, at mediad" sipp_wait late-callee
check "late offer: CDR" next_cdr
check "late offer: answered" test "$(cdr sip_status)" = 200
check "late offer: all clear" all_clear

# 7. Hold and resume through re-INVITEs relayed by the b2bua.
callee hold call_uas_hold.xml
check "hold/resume: caller's re-INVITEs answered recvonly then sendrecv" caller hold call_uac_hold.xml
check "hold/resume: callee sees sendonly then sendrecv" sipp_wait hold-callee
check "hold/resume: CDR" next_cdr
check "hold/resume: all clear" all_clear

# 8. Session refresh: a re-INVITE with the same SDP and an UPDATE without SDP are answered
# without disturbing the callee (call_uas.xml fails on any request but the BYE).
callee refresh call_uas.xml
check "refresh: re-INVITE and UPDATE answered 200" caller refresh call_uac_refresh.xml
check "refresh: the callee saw neither" sipp_wait refresh-callee
check "refresh: CDR" next_cdr
check "refresh: all clear" all_clear

# 9. UPDATE with an SDP offer repeating the session: 200 with our answer, at mediad.
callee update call_uas.xml
check "UPDATE with SDP: 200 with SDP at mediad" caller update call_uac_update.xml
check "UPDATE with SDP: the callee saw nothing" sipp_wait update-callee
check "UPDATE with SDP: CDR" next_cdr
check "UPDATE with SDP: all clear" all_clear

# 10. UPDATE changing the session (hold): relayed to the callee as an UPDATE, its answer relayed
# back; both SDPs at mediad.
callee updhold call_uas_update.xml
check "UPDATE hold: caller gets 200 a=recvonly at mediad" caller updhold call_uac_update_hold.xml
check "UPDATE hold: callee got the UPDATE a=sendonly at mediad" sipp_wait updhold-callee
check "UPDATE hold: relayed, not refused" grep -aq "UPDATE relayed to the callee leg" "$T/s1.log"
check "UPDATE hold: CDR" next_cdr
check "UPDATE hold: all clear" all_clear

check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
check "no error from mediad" sh -c "! grep -a ' error ' '$T/m1.log'"
finish
