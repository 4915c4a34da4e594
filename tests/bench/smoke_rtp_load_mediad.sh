#!/bin/bash
# Smoke test of rtp_load against mediad (not a benchmark): 10 calls, each through a chain of 2
# mediad sessions made over the RPC, for one second. Every packet of the measured window must
# arrive, mediad must have counted the packets it relayed, and rtp_load must leave no session
# behind. Catches a generator whose mediad setup, chaining or teardown broke.
set -u
. "$TANDEM_SRC/tests/integration/lib.sh"
RTP_LOAD=$TANDEM_BUILD/tests/bench/rtp_load

start_mediad md --set mediad.workers=1 --set rtp.self_relay=yes || { fail "mediad starts"; finish; exit; }
base=$(free_port 20)
out=$(timeout 60 "$RTP_LOAD" --mediad "$md_RPC" --calls 10 --chain 2 --base-port "$base" \
	--duration 1 --warmup 0.5 --poll sleep --label smoke 2>"$T/rtp_load.log")
rc=$?
echo "$out"
check "rtp_load exits 0" [ "$rc" -eq 0 ]
# 10 calls x 2 directions x 50 packets/s x 1 s, none lost
check "1000 packets sent and 1000 received" grep -q '"sent":1000,"received":1000,"lost":0,' <<<"$out"
check "the relay relayed each packet twice" grep -q '"chain":2,"relay_pps":2000.0,' <<<"$out"
check "nothing misrouted or malformed" grep -q '"misrouted":0,"malformed":0,' <<<"$out"
# mediad's own counters, from the DeleteSession replies: at least the measured packets x 2 hops
counted=$(sed -n 's/.*"counted_packets":\([0-9]*\).*/\1/p' <<<"$out")
check "mediad counted the relayed packets" [ "${counted:-0}" -ge 2000 ]
# deleted sessions give their ports back: the pool is whole again
ping=$("$MEDIACTL" -e "$md_RPC" ping)
free=$(sed -n 's/^ *free_ports: *//p' <<<"$ping")
total=$(sed -n 's/^ *total_ports: *//p' <<<"$ping")
check "no session left on mediad" bash -c "! grep -Eq '^ *sessions: *[1-9]' <<<'$ping'"
check "every port back in the pool ($free of $total)" test -n "$total" -a "$free" = "$total"
finish
