#!/usr/bin/env bash
# The relay end to end: a test client (relay_client.c) drives mediad over the RPC and sends
# real RTP/RTCP over loopback: forwarding both ways (audio, video, RTCP, mux), latching, strict
# source, updates, immediate teardown, inactivity timeout, garbage datagrams, malformed RPCs,
# Ping's numbers; then owner reaping on a second node and a clean shutdown with sessions open.
. "$(dirname "$0")/lib.sh"
RELAY_CLIENT=$TANDEM_BUILD/tests/integration/relay_client

start_mediad m1 --set mediad.workers=2 || exit 1
for c in forward video latch strict update delete timeout garbage badrpc status; do
	if "$RELAY_CLIENT" "$m1_RPC" "$c" >"$T/case-$c.out" 2>&1; then
		pass "relay case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "relay case $c"
		cat "$T/case-$c.out"
	fi
done
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
json=$("$MEDIACTL" -e "$m1_RPC" --json ping)
check "Ping: no sessions, every port free" \
	test "$(jq -r '.ping_reply.node | "\(.sessions) \(.free_ports == .total_ports)"' <<<"$json")" = "0 true"

# A silent owner's sessions are reaped.
start_mediad m2 --set mediad.workers=1 --set rtp.owner_timeout_s=1 || exit 1
check "relay case reap" "$RELAY_CLIENT" "$m2_RPC" reap
check "the reaping is logged" grep -q "silent for more than 1 s: reaping" "$T/m2.log"

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
