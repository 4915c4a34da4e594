#!/usr/bin/env bash
# Reliable provisional answers (100rel/PRACK, RFC 3262), on by the other leg's request:
# (a) a caller with Require: 100rel gets the callee's early media in a 183 with RSeq and
#     Require: 100rel, retransmitted until it PRACKs (1 s late), gets 200 for the PRACK and only
#     then the 200 the callee sent meanwhile; the call completes with RTP both ways; the callee
#     was offered 100rel and its own reliable 183 was PRACKed by signald;
# (a2) with Require, the callee's plain 180 reaches the caller reliably too (RSeq, PRACK), and
#     the reliable 183 after it, with the next RSeq, only once the 180 is PRACKed;
# (b) a callee that sends a reliable 183 to a caller that offered no 100rel is PRACKed by
#     signald, was not offered 100rel, and the caller gets an ordinary 183;
# (c) a caller with Supported: 100rel that never PRACKs gets the 183 again and again (T1
#     doubling) until 64*T1 (2 s here), then 504; the callee is cancelled;
# (d) likewise with Require, after the callee answered: the 200 is never sent, the caller gets
#     504 and the callee a BYE;
# (e) a caller that cancels with its reliable 183 not PRACKed gets 200 and 487, the callee is
#     cancelled.
# A PRACK for nothing of ours gets 481; OPTIONS lists PRACK in Allow and 100rel in Supported.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# A short 64xT1: the unPRACKed 183 of (c) times out after 2 s.
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set sip.timer_t1x64_ms=2000 || exit 1
DB=$T/s1-state/tandem.db
CALLEE_PORT=$(free_port)
read -r -a RELAY <<<"$(relay_args)"

check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"

caller() { # caller NAME SCENARIO [args]
	local name=$1 scen=$2; shift 2
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name-caller.sipp-errors.log" \
		-trace_msg -message_file "$T/$name-caller.sipp-messages.log" "$@" >"$T/$name-caller.sipp.log" 2>&1
}
callee() { # callee NAME SCENARIO
	sipp_bg "$1-callee" "$2" "$CALLEE_PORT" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
	sleep 0.3
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr ORDER BY rowid DESC LIMIT 1"; }
cdr_count=0
next_cdr() { cdr_count=$((cdr_count + 1)); wait_for 5 output_is "$cdr_count" sqlite3 "$DB" 'SELECT count(*) FROM cdr'; }
all_clear() {
	wait_for 5 output_is 0 live_sessions "$m1_RPC" &&
		wait_for 5 output_is 0 sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs'
}
# message FILE FIRST_LINE_REGEX: the first message of a SIPp trace whose first line matches
# (headers and body, CRs dropped); messages end at a line of dashes.
message() {
	awk -v re="$2" '/^-----/{if (on) exit} !on && $0 ~ re {on = 1} on' "$1" | tr -d '\r'
}
# header FILE FIRST_LINE_REGEX NAME: that message's header NAME (the whole line), or nothing.
header() { message "$1" "$2" | grep -i "^$3:" | head -1; }
# count FILE FIRST_LINE_REGEX: how many messages of the trace start with such a line.
count() { grep -ac -- "$2" "$1"; }

# (a) Require: 100rel from the caller.
callee req call_uas_100rel.xml
check "require: 183 with RSeq and Require: 100rel, PRACK answered 200, then the 200, call completes" \
	caller req call_uac_100rel.xml -set rel Require -set prack_delay 1000 -d 2500
n183=$(count "$T/req-caller.sipp-messages.log" '^SIP/2.0 183 ')
check "require: the 183 was retransmitted until the PRACK ($n183 copies)" test "$n183" -ge 2
check "require: the callee was PRACKed (RAck), answered and hung up" sipp_wait req-callee
inv_supported=$(header "$T/req-callee.sipp-messages.log" '^INVITE sip:' Supported)
check "require: the callee's INVITE offers 100rel ($inv_supported)" \
	bash -c '[[ $1 == *100rel* ]]' _ "$inv_supported"
check "require: PRACK logged from the caller" grep -aq 'PRACK from the caller for RSeq' "$T/s1.log"
check "require: PRACK to the callee answered 200" grep -aq 'PRACK to .* answered 200' "$T/s1.log"
check "require: CDR" next_cdr
check "require: answered, NORMAL_CLEARING by caller" \
	test "$(cdr "sip_status || ',' || hangup_cause || ',' || hangup_side")" = "200,NORMAL_CLEARING,caller"
check "require: RTP from the caller reached mediad" test "$(cdr rtp_packets_a)" -gt 50
check "require: the callee's echo came back through mediad" test "$(cdr rtp_packets_b)" -gt 50
check "require: all clear" all_clear

# (a2) Require: every 1xx is reliable, the 180 without SDP too.
callee ring call_uas_100rel_180.xml
check "require, 180 first: 180 with RSeq PRACKed, then 183 with the next RSeq PRACKed, then 200" \
	caller ring call_uac_100rel_180.xml -d 500
check "require, 180 first: the callee completes" sipp_wait ring-callee
check "require, 180 first: CDR" next_cdr
check "require, 180 first: all clear" all_clear

# (b) The caller offers no 100rel; the callee requires it in its 183 all the same.
callee plain call_uas_100rel.xml
check "plain caller: 183 with SDP at mediad, then 200" caller plain call_uac_early.xml -d 500
check "plain caller: the callee was PRACKed by signald and completes" sipp_wait plain-callee
inv_supported=$(header "$T/plain-callee.sipp-messages.log" '^INVITE sip:' Supported)
check "plain caller: the callee's INVITE does not offer 100rel ($inv_supported)" \
	bash -c '[[ $1 != *100rel* ]]' _ "$inv_supported"
check "plain caller: its 183 has no RSeq" \
	test -z "$(header "$T/plain-caller.sipp-messages.log" '^SIP/2.0 183 ' RSeq)"
check "plain caller: its 183 requires nothing" \
	test -z "$(header "$T/plain-caller.sipp-messages.log" '^SIP/2.0 183 ' Require)"
check "plain caller: CDR" next_cdr
check "plain caller: all clear" all_clear

# (c) Supported: 100rel from the caller, which never PRACKs. T1 = 500 ms: the 183 goes at 0,
# 0.5 and 1.5 s, the 504 at 2 s.
callee noprack call_uas_100rel_ring.xml
start_ms=$(date +%s%3N)
check "no PRACK: reliable 183, then 504" caller noprack call_uac_100rel_noprack.xml -set rel Supported
took=$(($(date +%s%3N) - start_ms))
check "no PRACK: the callee is cancelled" sipp_wait noprack-callee
n183=$(count "$T/noprack-caller.sipp-messages.log" '^SIP/2.0 183 ')
check "no PRACK: the 183 was retransmitted ($n183 copies)" test "$n183" -ge 3
rseqs=$(grep -ai '^RSeq:' "$T/noprack-caller.sipp-messages.log" | tr -d '\r' | sort -u | wc -l)
check "no PRACK: every copy has the same RSeq" test "$rseqs" -eq 1
check "no PRACK: 504 after 64*T1, not before ($took ms)" test "$took" -ge 1900 -a "$took" -lt 6000
check "no PRACK: CDR" next_cdr
check "no PRACK: RECOVERY_ON_TIMER_EXPIRE by caller" \
	test "$(cdr "hangup_cause || ',' || hangup_side")" = "RECOVERY_ON_TIMER_EXPIRE,caller"
check "no PRACK: logged" grep -aq 'no PRACK from the caller' "$T/s1.log"
check "no PRACK: all clear" all_clear

# (d) Require from a caller that never PRACKs, the callee answers meanwhile.
callee answered call_uas_100rel.xml
check "no PRACK, answered: reliable 183, then 504, no 200" \
	caller answered call_uac_100rel_noprack.xml -set rel Require
check "no PRACK, answered: the callee gets its BYE" sipp_wait answered-callee
check "no PRACK, answered: CDR" next_cdr
check "no PRACK, answered: RECOVERY_ON_TIMER_EXPIRE by caller, status 504" \
	test "$(cdr "hangup_cause || ',' || hangup_side || ',' || sip_status")" = "RECOVERY_ON_TIMER_EXPIRE,caller,504"
check "no PRACK, answered: all clear" all_clear

# (e) CANCEL while the reliable 183 waits for its PRACK.
callee cancel call_uas_100rel_ring.xml
check "cancel before PRACK: 200, 487" caller cancel call_uac_100rel_cancel.xml -set rel Require
check "cancel before PRACK: the callee is cancelled" sipp_wait cancel-callee
check "cancel before PRACK: CDR" next_cdr
check "cancel before PRACK: ORIGINATOR_CANCEL" test "$(cdr hangup_cause)" = ORIGINATOR_CANCEL
check "cancel before PRACK: all clear" all_clear

check "a PRACK outside any dialog: 481" run_sipp stray prack_nodialog.xml "$s1_SIP"

# What OPTIONS says: PRACK is handled, 100rel supported.
run_sipp opt options.xml "$s1_SIP" -trace_msg -message_file "$T/opt.sipp-messages.log"
allow=$(header "$T/opt.sipp-messages.log" '^SIP/2.0 200' Allow)
supported=$(header "$T/opt.sipp-messages.log" '^SIP/2.0 200' Supported)
check "OPTIONS: Allow lists PRACK ($allow)" bash -c '[[ $1 == *PRACK* ]]' _ "$allow"
check "OPTIONS: Supported lists 100rel ($supported)" bash -c '[[ $1 == *100rel* ]]' _ "$supported"
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
check "no error from mediad" sh -c "! grep -a ' error ' '$T/m1.log'"
finish
