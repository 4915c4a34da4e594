#!/usr/bin/env bash
# The kernel fast path between hosts: mediad in a network namespace of its own, the phones in
# another, joined by a veth pair. Packets arrive on the veth, are rewritten and leave through it
# again with the next hop resolved by the kernel (bpf_redirect_neigh), without the relay thread.
# Skipped when namespaces cannot be made or the kernel refuses the program.
. "$(dirname "$0")/lib.sh"

NS_R=tdmfp$$-relay
NS_P=tdmfp$$-phones
VR=tfr$$
VP=tfp$$
RELAY_IP=10.79.0.1
A=10.79.0.2:4000
B=10.79.0.3:5000
PEER=$TANDEM_SRC/tests/integration/fastpath_peer.py
RPC=tcp://127.0.0.1:5555

netns_exit() {
	local rc=$?
	[ -e "$T/mr.pid" ] && kill "$(cat "$T/mr.pid")" 2>/dev/null && sleep 0.3
	ip netns del "$NS_R" 2>/dev/null
	ip netns del "$NS_P" 2>/dev/null
	(exit "$rc")
	cleanup
}
trap netns_exit EXIT
skip() { log "SKIP: $*"; exit 77; }

ip netns add "$NS_R" 2>/dev/null && ip netns add "$NS_P" || skip "cannot create network namespaces"
ip link add "$VR" type veth peer name "$VP" || skip "cannot create a veth pair"
ip link set "$VR" netns "$NS_R" && ip link set "$VP" netns "$NS_P" || exit 1
ip -n "$NS_R" addr add "$RELAY_IP/24" dev "$VR"
ip -n "$NS_P" addr add 10.79.0.2/24 dev "$VP"
ip -n "$NS_P" addr add 10.79.0.3/24 dev "$VP"
for ns in "$NS_R" "$NS_P"; do ip -n "$ns" link set lo up; done
ip -n "$NS_R" link set "$VR" up
ip -n "$NS_P" link set "$VP" up
# Full checksums, sent and verified (no offload either way, and veth does not mark packets as
# checked): a checksum the program got wrong drops the packet
# at the receiving socket instead of passing unchecked.
if command -v ethtool >/dev/null; then
	ip netns exec "$NS_P" ethtool -K "$VP" tx off rx off >/dev/null 2>&1
	ip netns exec "$NS_R" ethtool -K "$VR" tx off rx off >/dev/null 2>&1
fi

cat >"$T/mr.ini" <<INI
[mediad]
node_id = mr
rpc_endpoint = $RPC
log_level = debug
workers = 1
[rtp]
bind_ip = $RELAY_IP
port_min = 30000
port_max = 30099
INI
ip netns exec "$NS_R" "$MEDIAD" -c "$T/mr.ini" >"$T/mr.log" 2>&1 &
echo $! >"$T/mr.pid"
ctl() { ip netns exec "$NS_R" "$MEDIACTL" -e "$RPC" "$@"; }
wait_for 10 ctl -t 300 ping || { fail "mediad in its namespace did not answer"; finish; exit 1; }
if ! grep -q "fast path: kernel" "$T/mr.log"; then
	skip "no kernel fast path here: $(grep -o 'fast path: off.*' "$T/mr.log" | head -n 1)"
fi
check "the program is on lo and on the relay's veth" grep -q "fast path: kernel (tc ingress on lo, $VR)" "$T/mr.log"
map_id=$(sed -n 's/.*fast path: kernel.* map id \([0-9]*\),.*/\1/p' "$T/mr.log" | head -n 1)

sid=$(ctl -i fp -q create fp-netns --a "audio:$A" --b "audio:$B")
json=$(ctl -j query "$sid")
pa=$(jq -r '.query_session_reply.session.leg_a.streams[0].local_rtp.port' <<<"$json")
pb=$(jq -r '.query_session_reply.session.leg_b.streams[0].local_rtp.port' <<<"$json")
peer() { ip netns exec "$NS_P" python3 "$PEER" "$RELAY_IP" "$pa" "$pb" "$A" "$B" "$@"; }
rx() { ctl -j ping | jq -r '.ping_reply.node.packets_received'; }

check "5 packets each way while latching" test "$(peer 5)" = "relayed 10"
sleep 0.3
rx0=$(rx)
check "200 more after latching, each unchanged from the far relay port" test "$(peer 100)" = "relayed 200"
sleep 0.3
rx1=$(rx)
check "the relay thread received none of them ($rx0 -> $rx1)" test "$rx0" = "$rx1"
json=$(ctl -j query "$sid")
check "QuerySession counts the kernel's packets: 105 each way" test \
	"$(jq -r '.query_session_reply.session | "\(.leg_a.streams[0].rtp.packets) \(.leg_b.streams[0].rtp.packets)"' <<<"$json")" = "105 105"
if command -v bpftool >/dev/null; then
	check "two entries in the map" test "$(bpftool -j map dump id "$map_id" | jq length)" = 2
fi
check "a stranger's packets are not forwarded" test "$(peer stranger 10.79.0.2:4002)" = "leaked 0"
json=$(ctl -j query "$sid")
check "the relay counted them as strange_source" test \
	"$(jq -r '.query_session_reply.session | "\(.leg_a.streams[0].rtp.strange_source) \(.leg_b.streams[0].rtp.strange_source)"' <<<"$json")" = "1 1"
check "DeleteSession" ctl -q delete "$sid"
check "nothing is forwarded after the delete" test "$(peer 1)" = "relayed 0"
if command -v bpftool >/dev/null; then
	check "no entry left in the map" test "$(bpftool -j map dump id "$map_id" | jq length)" = 0
fi
pid=$(cat "$T/mr.pid")
kill -TERM "$pid"
wait "$pid"
check "mediad exits 0" test $? = 0
rm -f "$T/mr.pid"
check "it removed its filter from the veth" \
	test -z "$(ip netns exec "$NS_R" tc filter show dev "$VR" ingress | grep tandem_relay)"
finish
