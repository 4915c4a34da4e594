#!/usr/bin/env bash
# The kernel fast path on loopback (mediad/fastpath.h): latched streams leave the relay thread,
# strangers, hold and delete behave as in userspace, no map entry outlives its session, and a
# node killed with its program attached cleans up after itself when started again. Skipped only
# when this kernel or build cannot run the fast path; the node's log says why.
. "$(dirname "$0")/lib.sh"
RELAY_CLIENT=$TANDEM_BUILD/tests/integration/relay_client

mport=$(free_port)
start_mediad m1 --set mediad.workers=1 --set "metrics.listen=127.0.0.1:$mport" || exit 1
if ! grep -q "fast path: kernel" "$T/m1.log"; then
	grep "fast path:" "$T/m1.log"
	stop_daemon m1
	log "SKIP: no kernel fast path here: $(grep -o 'fast path: off.*' "$T/m1.log" | head -n 1)"
	exit 77
fi
map_id=$(sed -n 's/.*fast path: kernel.* map id \([0-9]*\),.*/\1/p' "$T/m1.log" | head -n 1)
entries() { bpftool -j map dump id "$1" 2>/dev/null | jq length; }
map_gone() { [ -z "$(bpftool map show id "$1" 2>/dev/null)" ]; } # freed a moment after its last user
have_bpftool=0
command -v bpftool >/dev/null && command -v jq >/dev/null && have_bpftool=1

if "$RELAY_CLIENT" "$m1_RPC" fastpath >"$T/case-fastpath.out" 2>&1; then
	pass "relay case fastpath ($(grep -c '^ok:' "$T/case-fastpath.out") checks)"
else
	fail "relay case fastpath"
	cat "$T/case-fastpath.out"
fi
metric() { python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" get "127.0.0.1:$mport" /metrics |
	awk -v n="$1" '$1 == n { print $2 }'; }
check "/metrics: fast path enabled" test "$(metric tandem_mediad_fastpath_enabled)" = 1
check "/metrics: the kernel's packets counted ($(metric tandem_mediad_fastpath_packets_total), want >= 240)" \
	test "$(metric tandem_mediad_fastpath_packets_total)" -ge 240
check "/metrics: no direction left installed" test "$(metric tandem_mediad_fastpath_directions)" = 0
if [ $have_bpftool = 1 ]; then
	check "no map entry survives the deleted session" test "$(entries "$map_id")" = 0
	check "relay case fastpath_open" "$RELAY_CLIENT" "$m1_RPC" fastpath_open
	check "an open session has its two entries in the map" test "$(entries "$map_id")" = 2
	# Killed without a chance to clean up: the filter and its map stay in the kernel ...
	kill -9 "$(cat "$T/m1.pid")"
	wait "$(cat "$T/m1.pid")" 2>/dev/null
	check "after kill -9 the old map is still there" test "$(entries "$map_id")" = 2
	# ... until the node starts again with the same address and ports.
	"$MEDIAD" -c "$T/m1.ini" --set mediad.workers=1 >"$T/m1b.log" 2>&1 &
	echo $! >"$T/m1.pid"
	check "the restarted node answers" wait_for 10 "$MEDIACTL" -e "$m1_RPC" -t 300 ping
	check "it replaced the filter left behind" grep -q "replacing a filter left on lo" "$T/m1b.log"
	check "the old map is gone" wait_for 5 map_gone "$map_id"
	new_id=$(sed -n 's/.*fast path: kernel.* map id \([0-9]*\),.*/\1/p' "$T/m1b.log" | head -n 1)
	check "the new map is empty" test "$(entries "$new_id")" = 0
	check "relay case fastpath_open after the restart" "$RELAY_CLIENT" "$m1_RPC" fastpath_open
	check "mediad exits 0 on SIGTERM" stop_daemon m1
	check "the map is gone with the node" wait_for 5 map_gone "$new_id"
	prio=$(sed -n 's/.*fast path: kernel.*filter priority \([0-9]*\).*/\1/p' "$T/m1b.log" | head -n 1)
	check "no filter of the node is left on lo (priority $prio)" \
		test -z "$(tc filter show dev lo ingress pref "$prio" 2>/dev/null)"
else
	log "bpftool or jq missing: kernel state after delete and restart not checked"
	stop_daemon m1
fi

# fast_path = off: the node says so and relays in userspace.
start_mediad m2 --set mediad.workers=1 --set rtp.fast_path=off || exit 1
check "fast_path = off is logged" grep -q "fast path: off (\[rtp\] fast_path = off)" "$T/m2.log"
check "relay case forward with fast_path = off" "$RELAY_CLIENT" "$m2_RPC" forward
stop_daemon m2

# Without the capabilities (as under the packaged unit): bpf() is not even tried.
if command -v setpriv >/dev/null; then
	printf '#!/bin/sh\nexec setpriv --bounding-set=-net_admin,-bpf,-sys_admin %s "$@"\n' "$MEDIAD" >"$T/mediad-nocaps"
	chmod +x "$T/mediad-nocaps"
	MEDIAD=$T/mediad-nocaps start_mediad m3 --set mediad.workers=1 || exit 1
	check "without CAP_NET_ADMIN the node says fast path off" grep -q "fast path: off (no CAP_NET_ADMIN)" "$T/m3.log"
	check "relay case forward without the capabilities" "$RELAY_CLIENT" "$m3_RPC" forward
fi
finish
