#!/usr/bin/env bash
# The relay end to end: a test client (relay_client.c) drives mediad over the RPC and sends
# real RTP/RTCP over loopback: forwarding both ways (audio, video, RTCP, mux), latching, strict
# source, updates, immediate teardown, inactivity timeout, garbage datagrams, malformed RPCs,
# Ping's numbers; then owner reaping on a second node and a clean shutdown with sessions open.
. "$(dirname "$0")/lib.sh"
RELAY_CLIENT=$TANDEM_BUILD/tests/integration/relay_client

start_mediad m1 --set mediad.workers=2 --set rtp.latch_learn_ms=300 || exit 1
for c in forward video latch strict update policy delete timeout garbage badrpc status; do
	if "$RELAY_CLIENT" "$m1_RPC" "$c" >"$T/case-$c.out" 2>&1; then
		pass "relay case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "relay case $c"
		cat "$T/case-$c.out"
	fi
done
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
check "a refused remote is logged with the rule" \
	grep -q "STATUS_INVALID_ADDRESS (leg_a.streams\[0\].remote_rtp: 127.0.0.1:[0-9]* is one of this media node's own relay ports)" "$T/m1.log"
json=$("$MEDIACTL" -e "$m1_RPC" --json ping)
check "Ping: no sessions, every port free" \
	test "$(jq -r '.ping_reply.node | "\(.sessions) \(.free_ports == .total_ports)"' <<<"$json")" = "0 true"

# A silent owner's sessions are reaped.
start_mediad m2 --set mediad.workers=1 --set rtp.owner_timeout_s=1 || exit 1
check "relay case reap" "$RELAY_CLIENT" "$m2_RPC" reap
check "the reaping is logged" grep -q "silent for more than 1 s: reaping" "$T/m2.log"

# worker_rt_priority: the relay thread runs under SCHED_FIFO (or says why it cannot) and still
# forwards and latches.
start_mediad m3 --set mediad.workers=1 --set mediad.worker_rt_priority=5 --set rtp.latch_learn_ms=300 || exit 1
m3_worker=$(grep -l '^mediad-w0$' /proc/"$(cat "$T/m3.pid")"/task/*/comm | head -n 1)
m3_policy=$(chrt -p "$(basename "$(dirname "$m3_worker")")" 2>/dev/null)
if grep -q "worker 0: SCHED_FIFO priority 5" "$T/m3.log"; then
	check "the relay thread runs SCHED_FIFO" grep -q "policy: SCHED_FIFO" <<<"$m3_policy"
	check "the relay thread has priority 5" grep -q "priority: 5" <<<"$m3_policy"
else
	check "a refused SCHED_FIFO is reported" grep -q "cannot use SCHED_FIFO priority 5" "$T/m3.log"
fi
check "the control thread keeps normal scheduling" \
	grep -q "policy: SCHED_OTHER" <<<"$(chrt -p "$(cat "$T/m3.pid")")"
for c in forward latch; do
	check "relay case $c with a SCHED_FIFO worker" "$RELAY_CLIENT" "$m3_RPC" "$c"
done

# SIGTERM with a session open: its owner hears SessionClosed "node shutdown", exit status 0.
"$MEDIACTL" -e "$m1_RPC" -i keeper -q create shutdown-call --a audio:127.0.0.1:4000 \
	--b audio:127.0.0.1:5000 >"$T/keeper.id"
"$MEDIACTL" -e "$m1_RPC" -i keeper watch --count 1 --duration 10 >"$T/watch.out" 2>&1 &
watch_pid=$!
wait_for 5 grep -q "Ping request" "$T/m1.log"
sleep 1
check "mediad exits 0 on SIGTERM with a session open" stop_daemon m1
wait "$watch_pid"
check "the owner got SessionClosed for it" grep -q "session_closed session=$(cat "$T/keeper.id").*node shutdown" "$T/watch.out"
finish
