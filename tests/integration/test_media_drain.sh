#!/usr/bin/env bash
# Drain with two media nodes (1000 calls 1001, and 1002 for the call held across the drain): mediactl drain puts m1 into drain, signald sees it in the Ping and
# sends new calls to m2 (the SDP points at m2's ports) while m1's live call goes on to its end;
# undrain makes m1 take calls again.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_mediad m2 || exit 1
start_signald s1 "$m1_RPC $m2_RPC" "${SIPP_AUTH[@]}" || exit 1
P2=$(free_port)
P3=$(free_port)
CALLEE=1001 CALLEE_PORT=$P2

on_node() { # on_node NAME: the relay arguments that make SIPp check the SDP points at NAME
	local min_var=${1}_PORT_MIN
	echo "-set relay_ip 127.0.0.1 -set relay_port_min ${!min_var} -set relay_port_max $((${!min_var} + 199))"
}
call() { # call NAME NODE [caller args]: 1000 calls 1001; the SDP must point at NODE
	local name=$1 node=$2; shift 2
	local relay
	read -r -a relay <<<"$(on_node "$node")"
	sipp_bg "$name-callee" call_uas.xml "$CALLEE_PORT" -mp "$(free_port 4)" "${relay[@]}"
	sleep 0.3
	timeout 90 sipp -sf "$SIPP_DIR/call_uac.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$CALLEE" -au 1000 -ap 1234 -set caller 1000 "${relay[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err \
		-error_file "$T/$name-caller.sipp-errors.log" "$@" >"$T/$name-caller.sipp.log" 2>&1 &&
		sipp_wait "$name-callee"
}

nodes_up() { [ "$(grep -c "): up" "$T/s1.log")" -ge 2 ]; }
check "both nodes up" wait_for 10 nodes_up
check "1001 registers" register_user reg 1001 "$P2"
check "1002 registers" register_user reg2 1002 "$P3"
drain() { # drain NODE on|off: mediactl drain/undrain, then wait until signald has seen it
	local rpc_var=${1}_RPC cmd=drain want="draining, no new calls"
	[ "$2" = off ] && cmd=undrain want="no longer draining"
	local before
	before=$(grep -c "media node ${!rpc_var} ($1): $want" "$T/s1.log")
	"$MEDIACTL" -e "${!rpc_var}" -q "$cmd" &&
		wait_for 5 seen_more "$before" "media node ${!rpc_var} ($1): $want"
}
seen_more() { [ "$(grep -c "$2" "$T/s1.log")" -gt "$1" ]; }

# Each choice below is forced by a drain, never left to a tie between equal nodes.
check "mediactl drain m2, signald notices" drain m2 on
check "a call goes to m1 while m2 drains" call c1 m1 -d 200

# A call in progress on m1 while it is drained.
CALLEE=1002 CALLEE_PORT=$P3 call held m1 -d 4000 &
held=$!
check "the held call is up on m1" wait_for 10 output_is 1 live_sessions "$m1_RPC"
check "mediactl undrain m2" drain m2 off
check "mediactl drain m1" drain m1 on
check "Ping says m1 drains" grep -q '"draining":true' <("$MEDIACTL" -e "$m1_RPC" -j ping)
check "a new call goes to m2 while m1 drains" call c2 m2 -d 200
check "the call on m1 is still up" output_is 1 live_sessions "$m1_RPC"
wait "$held"
check "the held call on the draining m1 ends normally" test $? = 0
check "m1 is empty" wait_for 5 output_is 0 live_sessions "$m1_RPC"

check "mediactl undrain m1" drain m1 off
check "mediactl drain m2 again" drain m2 on
check "calls go to m1 again" call c3 m1 -d 200
finish
