#!/usr/bin/env bash
# signald killed (kill -9) under four held calls with RTP spread over two media hosts, and
# started again on its host with the same state: it takes every call back (claims each session
# on its node, re-INVITEs both legs), the time from the kill to all calls taken back is printed,
# the sessions outlive the nodes' restart grace and RTP keeps flowing through both nodes; then
# each caller hangs up, the callee gets the BYE, and no session, sip_dialogs or sip_calls row is
# left, with four complete CDRs.
. "$(dirname "$0")/cluster.sh"

GRACE_S=2
cluster_up || exit 1
start_node media1 --set rtp.owner_restart_grace_s=$GRACE_S || exit 1
start_node media2 --set rtp.owner_restart_grace_s=$GRACE_S || exit 1
start_sig || exit 1
DB=$T/sig-state/tandem.db
check "signald sees both nodes up" wait_for 5 nodes_up 2
check "1001 registers from phone2" register_callee 1001

# rtp_packets: RTP packets received on every session of both nodes.
rtp_packets() {
	local h n=0 v
	for h in media1 media2; do
		v=$(ctl "$h" --json list | jq '[.list_sessions_reply.sessions[]? |
			.leg_a.streams[]?.rtp.packets // 0, .leg_b.streams[]?.rtp.packets // 0] | add // 0')
		n=$((n + ${v:-0}))
	done
	echo "$n"
}
session_ids() {
	local h
	for h in media1 media2; do
		ctl "$h" --json list | jq -r '.list_sessions_reply.sessions[]?.session_id'
	done | sort
}

# Four calls held 6 s after their last INVITE (so after the restoring re-INVITE too).
callee_bg held-callee "$CLUSTER_SIPP/uas_held.xml" 4
sleep 0.3
caller_bg held-caller "$(held_scenario uac_held6.xml 6000)" 4
check "four calls up" wait_for 10 output_is 4 total_sessions
check "both nodes have calls" test "$(node_sessions media1)" -ge 1 -a "$(node_sessions media2)" -ge 1
check "four calls saved" wait_for 5 output_is 4 sqlite3 "$DB" "SELECT count(*) FROM sip_calls"
before=$(session_ids)
sleep 0.5

kill -9 "$(cat "$T/sig.pid")"
t_kill=$(now_ms)
ip netns exec "$(ns sig)" "$SIGNALD" -c "$T/sig.ini" "${SIPP_AUTH[@]}" >>"$T/sig.log" 2>&1 &
echo $! >"$T/sig.pid"
check "signald takes the four calls back" \
	wait_for 10 grep -q "restore complete: 4 call(s) taken back, 0 ended" "$T/sig.log"
t_ready=$(date -d "$(grep "restore complete" "$T/sig.log" | tail -1 | cut -d' ' -f1)" +%s%3N)
log "signald kill -9 to four calls taken back (sessions claimed on two nodes, eight legs answered): $((t_ready - t_kill)) ms"
sleep $((GRACE_S + 1))
check "the same four sessions outlive the nodes' grace" test "$(session_ids)" = "$before"
check "no node closed a session" test "$(grep -c 'did not claim' "$T/media1.log" "$T/media2.log" |
	awk -F: '{ n += $2 } END { print n }')" = 0
p0=$(rtp_packets)
sleep 1
p1=$(rtp_packets)
check "RTP keeps flowing through the nodes ($p0 -> $p1 packets)" test "$p1" -gt "$p0"

check "callers hang up after the restart, their BYEs answered" sipp_wait held-caller
check "callees get the BYEs" sipp_wait held-callee
check "no session left on either node" wait_for 5 output_is 0 total_sessions
check "no sip_dialogs or sip_calls row left" wait_for 5 output_is 0 sqlite3 "$DB" \
	"SELECT (SELECT count(*) FROM sip_dialogs) + (SELECT count(*) FROM sip_calls)"
check "four CDRs, answered, hung up by the caller" wait_for 5 output_is 4 sqlite3 "$DB" \
	"SELECT count(*) FROM cdr WHERE answer_epoch > 0 AND hangup_side = 'caller'
	AND hangup_cause = 'NORMAL_CLEARING'"
finish
