#!/usr/bin/env bash
# Admission control: new calls past a limit get 503 with Retry-After, cheaply and without
# harming the calls already admitted. max_calls (FreeSWITCH's max-sessions) refuses a second
# call while one is up; a SIP receive queue over [sip] overload_queue_kb (signald stopped while
# a burst of INVITEs arrives) sheds the surplus before any challenge; the node serves again
# once the queue is gone, and no call or media session is left behind.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set call.max_calls=1 \
	--set sip.overload_queue_kb=64 || exit 1
sig_pid=$(cat "$T/s1.pid")

expect_status() { # expect_status NAME STATUS: one call from 1000 to 1001 ends with STATUS
	local name=$1 status=$2
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_fail.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
		-m 1 -s 1001 -set status "$status" -set caller 1000 -au 1000 -ap 1234 -timeout 20s \
		-timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		>"$T/$name.sipp.log" 2>&1
}

callee_port=$(free_port)
check "callee registers" register_user reg1001 1001 "$callee_port"

# 1. max_calls = 1: a second call while the first is up gets 503.
sipp_bg held-callee call_uas.xml "$callee_port" $(relay_args)
sipp_bg held call_uac.xml "$(free_port)" -s 1001 -au 1000 -ap 1234 -set caller 1000 -d 4000 $(relay_args)
check "max_calls: the first call is up" wait_for 10 output_is 1 live_sessions "$m1_RPC"
check "max_calls: a second call gets 503" expect_status second 503
check "max_calls: refusal logged once with its cause" grep -aq "refusing new calls with 503: 0 for the SIP receive queue .* 1 for max_calls" "$T/s1.log"
check "max_calls: the first call ends normally" sipp_wait held
check "max_calls: its callee too" sipp_wait held-callee
check "max_calls: no media session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"

# 2. A backlog: 400 new INVITEs arrive while signald is stopped. Once it runs again the first
# ones it reads find the queue over 64 KB and get 503; the last ones find it short and are
# challenged (407) as usual.
kill -STOP "$sig_pid"
python3 "$TANDEM_SRC/tests/integration/invite_flood.py" "$s1_SIP" --count 400 --wait 15 \
	--after-send "kill -CONT $sig_pid" >"$T/flood.out" 2>&1
kill -CONT "$sig_pid" 2>/dev/null
cat "$T/flood.out"
n503=$(awk '$1 == 503 {print $2}' "$T/flood.out")
n407=$(awk '$1 == 407 {print $2}' "$T/flood.out")
nretry=$(awk '$1 == "retry-after" {print $2}' "$T/flood.out")
check "backlog: the surplus got 503" test "${n503:-0}" -gt 50
check "backlog: every 503 has Retry-After" test "${nretry:-0}" = "${n503:-0}"
check "backlog: the rest were challenged" test "${n407:-0}" -gt 0
check "backlog: every INVITE got an answer" test $((${n503:-0} + ${n407:-0})) = 400
check "backlog: shedding logged" grep -aq "for the SIP receive queue" "$T/s1.log"

# 2b. The same backlog, every INVITE with a made-up Proxy-Authorization: shed all the same
# (only a nonce we issued to that source buys a way past shedding).
kill -STOP "$sig_pid"
python3 "$TANDEM_SRC/tests/integration/invite_flood.py" "$s1_SIP" --count 400 --wait 15 \
	--fake-auth --after-send "kill -CONT $sig_pid" >"$T/flood2.out" 2>&1
kill -CONT "$sig_pid" 2>/dev/null
cat "$T/flood2.out"
n503=$(awk '$1 == 503 {print $2}' "$T/flood2.out")
n407=$(awk '$1 == 407 {print $2}' "$T/flood2.out")
check "fake credentials: the surplus got 503 all the same" test "${n503:-0}" -gt 50
check "fake credentials: the rest were challenged" test "${n407:-0}" -gt 0
check "fake credentials: every INVITE got an answer" test $((${n503:-0} + ${n407:-0})) = 400

# 3. Afterwards the node takes calls again.
sipp_bg after-callee call_uas.xml "$callee_port" $(relay_args)
check "after: a call completes" run_sipp after call_uac.xml "$s1_SIP" -s 1001 -au 1000 -ap 1234 -set caller 1000 $(relay_args)
check "after: its callee too" sipp_wait after-callee
check "after: no media session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "signald still runs" kill -0 "$sig_pid"
finish
