#!/usr/bin/env bash
# The call's executor: actions that wait run one after the other before the bridge. `answer`,
# `sleep 800` and `bridge` answer the caller at once and call the callee only after the sleep;
# `set` after a wait still reaches the bridge; a plan that runs out of actions hangs up; the
# CDR of such calls is written. The hook variables run at their moments: execute_on_ring when
# the callee rings, execute_on_answer and api_on_answer when it answers, api_hangup_hook at the
# end with the call's final variables.
. "$(dirname "$0")/lib.sh"

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="wait-then-bridge">
      <condition field="destination_number" expression="^7001$">
        <action application="answer"/>
        <action application="sleep" data="800"/>
        <action application="set" data="after_sleep=yes"/>
        <action application="log" data="INFO slept, after_sleep=${after_sleep}"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="wait-then-nothing">
      <condition field="destination_number" expression="^7002$">
        <action application="answer"/>
        <action application="sleep" data="300"/>
      </condition>
    </extension>
    <extension name="hook">
      <condition field="destination_number" expression="^7003$">
        <action application="set" data="execute_on_answer=log NOTICE answered hook ran"/>
        <action application="set" data="execute_on_ring=log NOTICE ring hook ran"/>
        <action application="set" data="api_on_answer=status"/>
        <action application="set" data="api_hangup_hook=uuid_getvar ${uuid} hangup_cause"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="answer-after-a-wait">
      <condition field="destination_number" expression="^7005$">
        <action application="sleep" data="300"/>
        <action application="answer"/>
        <action application="sleep" data="300"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="hook-hangs-up">
      <condition field="destination_number" expression="^7004$">
        <action application="set" data="execute_on_answer=hangup CALL_REJECTED"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
DB=$T/s1-state/tandem.db
P1=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$P1"

caller() { # caller NAME SCENARIO DIALLED [args]
	local name=$1 scen=$2 dialled=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		"$@" >"$T/$name.sipp.log" 2>&1
}
# ms_between FIRST SECOND: milliseconds from signald's first line matching FIRST to its first
# line matching SECOND (after it).
ms_between() {
	python3 - "$T/s1.log" "$1" "$2" <<'PY'
import re, sys, datetime
first = second = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT[\d:.]+)Z", line)
    if not m:
        continue
    t = datetime.datetime.fromisoformat(m.group(1))
    if first is None and re.search(sys.argv[2], line):
        first = t
    elif first is not None and second is None and re.search(sys.argv[3], line):
        second = t
print(int((second - first).total_seconds() * 1000) if first and second else -1)
PY
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr WHERE destination = '$2' ORDER BY rowid DESC LIMIT 1"; }

sipp_bg callee1 call_uas_slow.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "answer, sleep, bridge: the caller's 200 within 1 s, then the callee's call" \
	caller wait call_uac_answered.xml 7001 -d 4500
check "answer, sleep, bridge: callee answered" sipp_wait callee1
gap=$(ms_between "answer: 200 with the media node's SDP" "calling sip:1001@")
log "answer to callee INVITE: $gap ms"
check "the callee was called 800 ms or more after the answer ($gap ms)" test "$gap" -ge 800
check "the callee was called within 2 s of the answer" test "$gap" -lt 2000
check "set after a wait: seen by log" grep -aq "slept, after_sleep=yes" "$T/s1.log"
check "CDR of the call: answered, NORMAL_CLEARING" \
	wait_for 5 output_is NORMAL_CLEARING cdr hangup_cause 7001
check "CDR: no recording" output_is "" cdr record_path 7001

check "a plan that runs out of actions hangs up (BYE after the answer)" \
	caller nothing call_uac_answered_bye.xml 7002
check "logged: no more actions" grep -aq "no more actions: hangup" "$T/s1.log"
check "CDR of the call that was never bridged" wait_for 5 output_is dialplan cdr hangup_side 7002

sipp_bg callee2 call_uas.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "execute_on_answer: call bridged" caller hook call_uac.xml 7003 -d 300
check "execute_on_answer: callee answered" sipp_wait callee2
check "execute_on_answer ran its application when the callee answered" \
	grep -aq "answered hook ran" "$T/s1.log"
check "execute_on_ring ran its application when the callee rang" \
	grep -aq "ring hook ran" "$T/s1.log"
check "the ring hook came before the answer hook" \
	test "$(grep -anm1 "notice dialplan.*ring hook ran" "$T/s1.log" | cut -d: -f1)" -lt \
	"$(grep -anm1 "notice dialplan.*answered hook ran" "$T/s1.log" | cut -d: -f1)"
check "api_on_answer ran its command (output logged)" grep -aq "api_on_answer: status: UP" "$T/s1.log"
check "api_hangup_hook ran at the end with the final variables" \
	grep -aq "api_hangup_hook: uuid_getvar: NORMAL_CLEARING" "$T/s1.log"

# answer after a wait: the caller has our SDP in a 183 at once, the 200 after the wait, and the
# callee is called after the second wait.
sipp_bg callee4 call_uas_slow.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "answer after a wait: 183 at once, then 200, then the callee's call" \
	caller late-answer call_uac_preanswer.xml 7005 -d 3500 -set early_pt 0
check "answer after a wait: callee answered" sipp_wait callee4
gap=$(ms_between "7005: running the plan's applications" "answer: 200 with the media node's SDP\$")
check "the 200 came after the first wait ($gap ms)" test "$gap" -ge 300
gap=$(ms_between "answer: 200 with the media node's SDP\$" "calling sip:1001@")
check "the callee was called after the second wait ($gap ms)" test "$gap" -ge 300

# A hook that ends the call: the callee and the caller get a BYE right after the answer (SIPp
# takes a BYE that close to the 200 as unexpected: only signald's side is checked).
sipp_bg callee3 call_uas.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
caller hookbye call_uac.xml 7004 -d 2000
check "the callee got the BYE too" sipp_wait callee3
check "CDR: CALL_REJECTED by the dialplan" wait_for 5 output_is CALL_REJECTED cdr hangup_cause 7004
check "it was answered first" test "$(cdr sip_status 7004)" = 200
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 300 "sip:127.0.0.1:*"
check "no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
finish
