#!/usr/bin/env bash
# A restarted mediad does not start leasing where the last one did: the first session of each of
# three runs on the same port range gets its ports at a random place (all three equal would
# happen once in 250 000 runs; without the random start all three get port_min).
. "$(dirname "$0")/lib.sh"

firsts=()
for run in 1 2 3; do
	# The same range every time: the first run's.
	start_mediad "m$run" --set mediad.workers=1 ${base:+--set rtp.port_min=$base} \
		${base:+--set rtp.port_max=$((base + 199))} || exit 1
	base=${base:-$m1_PORT_MIN}
	rpc_var="m${run}_RPC"
	s=$("$MEDIACTL" -e "${!rpc_var}" -q create "call-$run" --a audio --b audio)
	port=$("$MEDIACTL" -e "${!rpc_var}" --json query "$s" |
		jq -r '.query_session_reply.session.leg_a.streams[0].local_rtp.port')
	check "run $run: a port in the range ($port)" test "$port" -ge "$base" -a "$port" -le $((base + 199))
	firsts+=("$port")
	stop_daemon "m$run"
done
log "first ports: ${firsts[*]} (range $base-$((base + 199)))"
check "the three runs did not all start at the same port" \
	test "$(printf '%s\n' "${firsts[@]}" | sort -u | wc -l)" -gt 1
finish
