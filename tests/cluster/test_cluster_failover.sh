#!/usr/bin/env bash
# A media node killed (kill -9) under ten held calls with RTP: its calls are moved to the other
# node (a new session there, a re-INVITE to both legs with its address) within 5 s, measured at
# the phones and printed, and their RTP flows again, through the new node; the other node's calls
# see nothing. A leg that answers the move with a new address is followed there. A call whose
# leg refuses the move, and calls with no node left to move to, end with a BYE to both legs
# carrying a Reason header, and the CDR says why.
. "$(dirname "$0")/cluster.sh"

cluster_up || exit 1
start_node media1 || exit 1
start_node media2 || exit 1
start_sig || exit 1
DB=$T/sig-state/tandem.db
check "signald sees both nodes up" wait_for 5 nodes_up 2
check "1001 registers from phone2" register_callee 1001

# rtp_sessions HOST: sessions on HOST in which RTP came from both phones.
rtp_sessions() {
	ctl "$1" --json list | jq '[.list_sessions_reply.sessions[]? |
		select(.leg_a.streams[0].rtp.packets > 0 and .leg_b.streams[0].rtp.packets > 0)] | length'
}
session_ids() { ctl "$1" --json list | jq -r '.list_sessions_reply.sessions[]?.session_id' | sort; }
# reinvites_after LOG MS: how long after MS (epoch ms) each INVITE received after it came.
reinvites_after() {
	awk -v after="$2" '
		/^----------------------------------------------- / {
			split($3, hms, /[:.]/); d = $2; gsub(/-/, " ", d)
			t = mktime(d " " hms[1] " " hms[2] " " hms[3]) * 1000 + int(hms[4] / 1000)
		}
		/message received/ { rx = 1; next }
		/^$/ { next }
		rx && /^INVITE / { if (t > after) print t - after }
		{ rx = 0 }' "$1"
}

# 1. Ten calls held 10 s after their last INVITE, RTP from the caller echoed by the callee.
callee_bg held-callee "$CLUSTER_SIPP/uas_held.xml" 10
sleep 0.3
caller_bg held-caller "$(held_scenario uac_held10.xml 10000)" 10
check "ten calls up" wait_for 10 output_is 10 total_sessions
n1=$(node_sessions media1) n2=$(node_sessions media2)
log "sessions: media1 $n1, media2 $n2"
check "both nodes have calls" test "$n1" -ge 1 -a "$n2" -ge 1
before2=$(session_ids media2)
sleep 1

# 2. kill -9 media1: its calls move to media2.
kill -9 "$(cat "$T/media1.pid")"
rm -f "$T/media1.pid"
t_kill=$(now_ms)
check "media1's calls move: media2 holds all ten" wait_for 8 output_is 10 node_sessions media2
sleep 1.5
mapfile -t at < <(reinvites_after "$T/held-caller.sipp-messages.log" "$t_kill")
mapfile -t bt < <(reinvites_after "$T/held-callee.sipp-messages.log" "$t_kill")
worst=0
for t in "${at[@]}" "${bt[@]}"; do [ "$t" -gt "$worst" ] && worst=$t; done
log "kill -9 to re-INVITE at the phones (ms): callers ${at[*]}; callees ${bt[*]}; worst $worst"
check "every moved call's caller got one re-INVITE ($n1)" test "${#at[@]}" -eq "$n1"
check "every moved call's callee got one re-INVITE ($n1)" test "${#bt[@]}" -eq "$n1"
check "re-INVITEs within 5 s of the kill (worst $worst ms)" test "$worst" -le 5000
check "RTP flows both ways again, through media2, for all ten" test "$(rtp_sessions media2)" -eq 10
check "media2's own calls kept their sessions" test -z "$(comm -23 <(echo "$before2") <(session_ids media2))"
check "moves logged" test "$(grep -ac 'move complete' "$T/sig.log")" -eq "$n1"

# 3. The callers hang up: every call ends normally on media2.
check "callers complete" sipp_wait held-caller
check "callees complete" sipp_wait held-callee
check "no session left on media2" wait_for 5 output_is 0 node_sessions media2
check "ten CDRs, NORMAL_CLEARING" wait_for 5 output_is 10 sqlite3 "$DB" \
	"SELECT count(*) FROM cdr WHERE hangup_cause = 'NORMAL_CLEARING'"

# 4. A leg that refuses the move: both legs get a BYE with a Reason, the CDR a cause.
start_node media1 || exit 1
check "media1 back" wait_for 5 nodes_up 3
callee_bg refuse-callee "$CLUSTER_SIPP/uas_refuse.xml" 1
sleep 0.3
caller_bg refuse-caller "$(held_scenario uac_held20.xml 20000)" 1
check "a call up" wait_for 10 output_is 1 total_sessions
if [ "$(node_sessions media1)" = 1 ]; then gone=media1 left=media2; else gone=media2 left=media1; fi
kill -9 "$(cat "$T/$gone.pid")"
rm -f "$T/$gone.pid"
check "refused: the caller gets a BYE" sipp_wait refuse-caller
check "refused: the callee refused the re-INVITE, then got a BYE" sipp_wait refuse-callee
check "refused: logged" grep -aq "the callee leg refused the move: 488" "$T/sig.log"
reasons() {
	cat "$@" | grep -ac '^Reason: Q.850;cause=41;text="media node lost"'
}
check "refused: both BYEs carry Reason: Q.850 cause 41" test "$(reasons "$T"/refuse-*.sipp-messages.log)" -eq 2
check "refused: CDR says NORMAL_TEMPORARY_FAILURE" wait_for 5 output_is 1 sqlite3 "$DB" \
	"SELECT count(*) FROM cdr WHERE hangup_cause = 'NORMAL_TEMPORARY_FAILURE'"
check "refused: no session left on $left" wait_for 5 output_is 0 node_sessions "$left"

# 4b. A leg that answers the move with a new address: the new session sends there.
start_node "$gone" || exit 1
check "$gone back" wait_for 5 nodes_up 4
callee_bg newport-callee "$CLUSTER_SIPP/uas_newport.xml" 1
sleep 0.3
caller_bg newport-caller "$(held_scenario uac_held5.xml 5000)" 1
check "new address: a call up" wait_for 10 output_is 1 total_sessions
if [ "$(node_sessions media1)" = 1 ]; then gone=media1 left=media2; else gone=media2 left=media1; fi
kill -9 "$(cat "$T/$gone.pid")"
rm -f "$T/$gone.pid"
callee_port() {
	ctl "$left" --json list | jq -r '.list_sessions_reply.sessions[0].leg_b.streams[0].remote_rtp.port'
}
check "new address: the session on $left sends to the callee's new port" wait_for 8 output_is 6002 callee_port
moved_strict() {
	ctl "$left" --json list | jq -r '.list_sessions_reply.sessions[0].options.strict_source'
}
# Both phones send from their SDP addresses: the moved session pins them as the first one did.
check "new address: the moved session keeps strict source" output_is true moved_strict
check "new address: caller completes" sipp_wait newport-caller
check "new address: callee completes" sipp_wait newport-callee

# 5. Calls on the last node, and no node to move to: the same.
callee_bg lost-callee "$CLUSTER_SIPP/uas_held.xml" 2
sleep 0.3
caller_bg lost-caller "$(held_scenario uac_held20.xml 20000)" 2
check "two calls up on $left" wait_for 10 output_is 2 node_sessions "$left"
kill -9 "$(cat "$T/$left.pid")"
rm -f "$T/$left.pid"
check "no node: callers get a BYE" sipp_wait lost-caller
check "no node: callees get a BYE" sipp_wait lost-callee
check "no node: the BYEs carry Reason: Q.850 cause 41" test "$(reasons "$T"/lost-*.sipp-messages.log)" -eq 4
check "no node: CDRs say NORMAL_TEMPORARY_FAILURE" wait_for 5 output_is 3 sqlite3 "$DB" \
	"SELECT count(*) FROM cdr WHERE hangup_cause = 'NORMAL_TEMPORARY_FAILURE'"
finish
