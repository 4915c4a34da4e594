#!/bin/bash
# Smoke test of the RTP load generator (not a benchmark): 20 calls sent directly between their A
# and B endpoints for one second must all arrive, each packet once, on the right socket, and the
# JSON result must say so. Catches a generator that stops sending, receiving or counting.
set -u
: "${TANDEM_BUILD:?TANDEM_BUILD must name the build directory}"
RTP_LOAD=$TANDEM_BUILD/tests/bench/rtp_load
FREE_PORT=$TANDEM_BUILD/tests/integration/free_port
fails=0
check() { # check "what" command...
	local what=$1; shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

base=$("$FREE_PORT" 40) || { echo "FAIL: no free ports"; exit 1; }
out=$(timeout 60 "$RTP_LOAD" --direct --calls 20 --base-port "$base" --duration 1 --warmup 0.2 \
	--poll sleep --label smoke)
rc=$?
echo "$out"
check "rtp_load exits 0" [ "$rc" -eq 0 ]
# 20 calls x 2 directions x 50 packets/s x 1 s measured
check "2000 packets sent and 2000 received" grep -q '"sent":2000,"received":2000,"lost":0,' <<<"$out"
check "no duplicate, misrouted or malformed packet" \
	grep -q '"dups":0,"reordered":0,"misrouted":0,"malformed":0,"send_errors":0,' <<<"$out"
check "warm-up packets counted too" grep -q '"sent_total":2400,"received_total":2400,' <<<"$out"
check "latency measured" grep -Eq '"latency_us":\{"p50":[0-9.]+,' <<<"$out"
check "usage error on a bad option" bash -c "! '$RTP_LOAD' --calls 0 --direct 2>/dev/null"
[ "$fails" -eq 0 ]
