#!/usr/bin/env bash
# SIP session timers (RFC 4028) on both legs, with intervals of a few seconds (min_se_s below the
# RFC's 90 s, for tests only): refreshes from a well-behaved caller are answered and signald
# refreshes the callee itself, so the call outlives the interval; a callee that stops answering
# (SIGSTOP) or whose port closes, or a caller that stops refreshing, ends the call, the other
# leg getting a BYE with Reason Q.850 cause 102, the media session deleted and the cause in the
# CDR. A callee without UPDATE is refreshed with re-INVITEs.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set sip.session_timer_s=8 --set sip.min_se_s=2 \
	--set sip.timer_t1x64_ms=2000 || exit 1
DB=$T/s1-state/tandem.db
CALLEE_PORT=$(free_port)
CALLEE_MEDIA=$(free_port 4)
CALLER_MEDIA=$(free_port 4)
REASON='Reason: Q.850;cause=102;text="session timer expired"'

check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"

callee() { # callee NAME SE REFRESHER
	sipp_bg "$1-callee" call_uas_timer.xml "$CALLEE_PORT" -mp "$CALLEE_MEDIA" -set se "$2" \
		-set refresher "$3"
	sleep 0.3
}
caller() { # caller NAME SCENARIO SE
	timeout 60 sipp -sf "$SIPP_DIR/$2" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$CALLER_MEDIA" -s 1001 -au 1000 -ap 1234 -set caller 1000 -set se "$3" \
		-timeout 40s -timeout_error -nostdin -trace_err -error_file "$T/$1-caller.sipp-errors.log" \
		-trace_msg -message_file "$T/$1-caller.sipp-messages.log" >"$T/$1-caller.sipp.log" 2>&1
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr ORDER BY rowid DESC LIMIT 1"; }
cdr_count=0
next_cdr() { cdr_count=$((cdr_count + 1)); wait_for 5 output_is "$cdr_count" sqlite3 "$DB" 'SELECT count(*) FROM cdr'; }
all_clear() {
	wait_for 5 output_is 0 live_sessions "$m1_RPC" &&
		wait_for 5 output_is 0 sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs'
}
# actives: calls that became active so far (signald's log).
actives() { grep -ac ']: active$' "$T/s1.log"; }
# received NAME-ROLE METHOD: how many METHOD requests SIPp received (its message log).
received() { grep -ac "^$2 sip:" "$T/$1.sipp-messages.log"; }

# 1. Both phones well-behaved: the caller (refresher, 4 s) refreshes with UPDATE every 1.5 s for
#    6 s; signald refreshes the callee (refresher=uac in its 200 makes signald's side refresh).
callee ok 4 uac
SECONDS_START=$SECONDS
check "refreshed call: the caller's four refreshes answered 200, its BYE too" caller ok call_uac_timer.xml 4
check "refreshed call: lasted longer than the interval" test $((SECONDS - SECONDS_START)) -ge 5
check "refreshed call: callee completes" sipp_wait ok-callee
check "refreshed call: signald refreshed the callee itself (UPDATE)" test "$(received ok-callee UPDATE)" -ge 2
check "refreshed call: the caller's refreshes were not relayed to the callee" \
	test "$(received ok-callee UPDATE)" -le 4
check "refreshed call: CDR" next_cdr
check "refreshed call: NORMAL_CLEARING by caller" test "$(cdr "hangup_cause || ',' || hangup_side")" = "NORMAL_CLEARING,caller"
check "refreshed call: all clear" all_clear

# 2. The callee vanishes (SIGSTOP) after answering: signald's refresh to it (every 1.5 s) gets no
#    answer, and the caller gets a BYE with the Reason.
callee gone 3 uac
caller gone call_uac_timer_wait.xml 8 &
CALLER_PID=$!
wait_for 10 output_is 2 actives
SIPP_PID=$(pgrep -P "$(cat "$T/gone-callee.pid")" sipp)
kill -STOP "$SIPP_PID"
STOPPED=$SECONDS
check "vanished callee: the caller gets a BYE and answers it" wait "$CALLER_PID"
log "vanished callee: caller's BYE $((SECONDS - STOPPED)) s after the callee stopped"
check "vanished callee: the BYE carries $REASON" grep -aqF "$REASON" "$T/gone-caller.sipp-messages.log"
check "vanished callee: CDR" next_cdr
check "vanished callee: RECOVERY_ON_TIMER_EXPIRE by callee" test "$(cdr "hangup_cause || ',' || hangup_side")" = "RECOVERY_ON_TIMER_EXPIRE,callee"
check "vanished callee: mediad has no session, no dialog left" all_clear
check "vanished callee: logged" grep -aq "session timer expired on the callee leg" "$T/s1.log"
kill -KILL "$SIPP_PID" 2>/dev/null
sipp_wait gone-callee

# 2b. The callee's SIP port closes (its process is killed): signald's refresh gets an ICMP
#     error and the call ends the same way.
callee dead 3 uac
caller dead call_uac_timer_wait.xml 8 &
CALLER_PID=$!
wait_for 10 output_is 3 actives
SIPP_PID=$(pgrep -P "$(cat "$T/dead-callee.pid")" sipp)
kill -KILL "$SIPP_PID"
check "closed callee: the caller gets a BYE and answers it" wait "$CALLER_PID"
check "closed callee: the BYE carries $REASON" grep -aqF "$REASON" "$T/dead-caller.sipp-messages.log"
check "closed callee: CDR" next_cdr
check "closed callee: RECOVERY_ON_TIMER_EXPIRE by callee" test "$(cdr "hangup_cause || ',' || hangup_side")" = "RECOVERY_ON_TIMER_EXPIRE,callee"
check "closed callee: all clear" all_clear
sipp_wait dead-callee

# 3. The caller stops refreshing (3 s, refresher=uac): signald ends its leg (sofia-sip's BYE) and
#    the callee, which keeps answering signald's refreshes, gets a BYE with the Reason.
callee quiet 8 uac
check "silent caller: signald hangs the caller up" caller quiet call_uac_timer_wait.xml 3
check "silent caller: callee gets a BYE and completes" sipp_wait quiet-callee
check "silent caller: the callee's BYE carries $REASON" grep -aqF "$REASON" "$T/quiet-callee.sipp-messages.log"
check "silent caller: CDR" next_cdr
check "silent caller: RECOVERY_ON_TIMER_EXPIRE by caller" test "$(cdr "hangup_cause || ',' || hangup_side")" = "RECOVERY_ON_TIMER_EXPIRE,caller"
check "silent caller: all clear" all_clear

# 4. Phones without timers, refreshed by signald after half of session_timer_s (4 s): the caller
#    (which takes UPDATE) with an UPDATE without SDP, the callee (which does not) with a
#    re-INVITE, never an UPDATE it does not allow (sofia-sip would retry a refused one every
#    second).
sipp_bg noupd-callee call_uas_timer_noupdate.xml "$CALLEE_PORT" -mp "$CALLEE_MEDIA"
sleep 0.3
check "phones without timers: the caller is refreshed with an UPDATE, then hangs up" \
	caller noupd call_uac_timer_refreshed.xml 0
check "phones without timers: callee completes, no UPDATE came" sipp_wait noupd-callee
check "phones without timers: refreshed by re-INVITE" test "$(received noupd-callee INVITE)" -ge 2
check "phones without timers: CDR" next_cdr
check "phones without timers: NORMAL_CLEARING by caller" test "$(cdr "hangup_cause || ',' || hangup_side")" = "NORMAL_CLEARING,caller"
check "phones without timers: all clear" all_clear

# 5. An interval below min_se_s (2 s): 422 with Min-SE, and no call.
check "interval too small: 422 with Min-SE" caller small call_uac_timer_small.xml 1
check "interval too small: no session, no dialog" all_clear

finish
