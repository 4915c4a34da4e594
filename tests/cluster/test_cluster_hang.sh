#!/usr/bin/env bash
# A media node that hangs (SIGSTOP) never slows the calls that go to the other node: call setup
# times (authenticated INVITE to 200, measured at the caller) on the healthy node while the other
# hangs, against the same calls before; calls first sent to the hung node are retried on the
# other (their setup grows by the RPC timeout) and none fails. Once the hung node wakes up
# (SIGCONT) the sessions it created after their requests timed out are deleted, and it takes
# calls again.
. "$(dirname "$0")/cluster.sh"

cluster_up || exit 1
start_node media1 || exit 1
start_node media2 || exit 1
start_sig || exit 1
check "signald sees both nodes up" wait_for 5 nodes_up 2
check "1001 registers from phone2" register_callee 1001

# setup_run NAME CALLS RATE [CMD...]: CALLS short calls at RATE per second, CMD run just before
# the first; one line per call in $T/NAME.times: "CALL-ID NODE-IP MS".
setup_run() {
	local name=$1 calls=$2 rate=$3
	shift 3
	callee_bg "$name-callee" "$CLUSTER_SIPP/uas_held.xml" "$calls"
	sleep 0.3
	[ $# -eq 0 ] || "$@"
	ip netns exec "$(ns phone1)" timeout 60 sipp -sf "$CLUSTER_SIPP/uac_setup.xml" "$SIG_IP:5060" \
		-i "${HOST_IP[phone1]}" -p 5070 -mi "${HOST_IP[phone1]}" -mp 7000 -s 1001 -au 1000 \
		-ap 1234 -set caller 1000 -m "$calls" -r "$rate" -timeout 30s -timeout_error -nostdin \
		-trace_logs -log_file "$T/$name.sipp-log.log" -trace_err \
		-error_file "$T/$name.sipp-errors.log" >"$T/$name.sipp.log" 2>&1
	local rc=$?
	sipp_wait "$name-callee" || rc=1
	awk '$1 == "setup" { printf "%s %s %d\n", $2, $3, ($6 - $4) * 1000 + ($7 - $5) / 1000 }' \
		"$T/$name.sipp-log.log" >"$T/$name.times"
	return $rc
}
# stats FILE [NODE-IP]: "count avg max" of the setup times (of calls on NODE-IP).
stats() {
	awk -v ip="${2:-}" '(ip == "" || $2 == ip) { n++; s += $3; if ($3 > m) m = $3 }
		END { printf "%d %d %d\n", n, n ? s / n : 0, m }' "$1"
}

# 1. Both nodes healthy: the reference.
check "reference: 10 calls complete" setup_run before 10 10
read -r n_before avg_before max_before < <(stats "$T/before.times")
log "setup before, all nodes: $n_before calls, avg $avg_before ms, max $max_before ms"

# 2. media1 hangs; 16 calls over the next 2 s (before it is declared down at 3 s).
hang_media1() { kill -STOP "$(cat "$T/media1.pid")"; t_stop=$(now_ms); }
check "while media1 hangs: 16 calls complete, none refused" setup_run hung 16 8 hang_media1
read -r n_hung avg_hung max_hung < <(stats "$T/hung.times")
retried=$(grep -ac 'session not created (Connection timed out): trying another node' "$T/sig.log")
grep -a 'trying another node' "$T/sig.log" | sed -n 's/.*\[\([^]]*\)\].*/\1/p' | sort >"$T/retried.ids"
awk 'FILENAME == ARGV[1] { r[$1] = 1; next } !($1 in r)' "$T/retried.ids" "$T/hung.times" \
	>"$T/direct.times"
read -r n_direct avg_direct max_direct < <(stats "$T/direct.times" "${HOST_IP[media2]}")
log "setup while media1 hangs: $n_hung calls, avg $avg_hung ms, max $max_hung ms;" \
	"$retried first sent to media1 and retried; straight to media2: $n_direct calls," \
	"avg $avg_direct ms, max $max_direct ms (before: avg $avg_before, max $max_before)"
check "every call ended on media2" test "$(stats "$T/hung.times" "${HOST_IP[media2]}" | cut -d' ' -f1)" -eq 16
check "calls straight to media2 were timed" test "$n_direct" -ge 8
# The hung node's cost would be the RPC timeout (1 s); a loaded test machine adds some noise.
check "their setup did not grow (max $max_direct ms <= 2 x $max_before ms + 100)" \
	test "$max_direct" -le $((2 * max_before + 100))
check "signaling never waited on the hung node (max $max_direct < 500 ms)" test "$max_direct" -lt 500
check "media1 declared down" wait_for 5 nodes_down 1
log "media1 declared down $(( $(now_ms) - t_stop )) ms or less after SIGSTOP"

# 3. media1 wakes up: used again.
kill -CONT "$(cat "$T/media1.pid")"
check "media1 up again" wait_for 5 nodes_up 3
check "the sessions it created too late are deleted" wait_for 5 output_is 0 node_sessions media1
check "one late-session delete per retried call ($retried)" \
	test "$(grep -ac 'late CreateSession reply: deleting session' "$T/sig.log")" -eq "$retried"
check "after: 6 calls complete" setup_run after 6 10
check "media1 takes calls again" test "$(stats "$T/after.times" "${HOST_IP[media1]}" | cut -d' ' -f1)" -ge 2
finish
