#!/bin/bash
# Smoke test of srtp_bench.sh (not a benchmark): 10 calls for 1 s per case, once, through mediad
# and through rtpengine: plain RTP, SRTP on leg A only and SRTP on both legs with different
# suites and keys. Each relay must forward every case with the generator decrypting what its
# SRTP endpoints receive and no authentication failure anywhere; the report must be written and
# inserted into a copy of docs/performance.md after the SRTP section. Skipped (77) without
# rtpengine.
set -u
: "${TANDEM_BUILD:?TANDEM_BUILD must name the build directory}"
: "${TANDEM_SRC:?TANDEM_SRC must name the source directory}"
command -v rtpengine >/dev/null || { echo "SKIP: rtpengine is not installed"; exit 77; }
FREE_PORT=$TANDEM_BUILD/tests/integration/free_port
T=$(mktemp -d /tmp/tandem-srtp-smoke.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check "what" command...
	local what=$1; shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}

CASES="plain a:AES_CM_128_HMAC_SHA1_80 ab:AES_CM_128_HMAC_SHA1_80:AES_CM_128_HMAC_SHA1_32"
base=$("$FREE_PORT" 20) || { echo "FAIL: no free ports"; exit 1; }
relay=$("$FREE_PORT" 200) || { echo "FAIL: no free ports"; exit 1; }
# Not behind the benchmarks' lock (a short functional run; a benchmark must not stall ctest).
RTP_BENCH_LOCKED=1 timeout 150 bash "$TANDEM_SRC/tests/bench/srtp_bench.sh" \
	--build "$TANDEM_BUILD" --out "$T/out" --cases "$CASES" --calls 10 --duration 1 --warmup 0.5 --repeats 1 \
	--base-port "$base" --relay-ports "$relay-$((relay + 199))"
rc=$?
check "srtp_bench.sh exits 0" [ "$rc" -eq 0 ]
python3 "$TANDEM_SRC/tests/bench/srtp_bench_report.py" check "$T/out" "mediad rtpengine" "$CASES"
check "both relays forward RTP and SRTP, decrypted, without failures" [ $? -eq 0 ]
check "the report has a row per case" \
	[ "$(grep -c '^| SRTP <-> \|^| RTP <-> RTP' "$T/out/report.md" 2>/dev/null)" -eq 3 ]
cp "$TANDEM_SRC/docs/performance.md" "$T/perf.md"
python3 "$TANDEM_SRC/tests/bench/srtp_bench_report.py" update-doc "$T/perf.md" "$T/out/report.md"
python3 "$TANDEM_SRC/tests/bench/srtp_bench_report.py" update-doc "$T/perf.md" "$T/out/report.md"
check "the doc holds the section once, after the SRTP cost section" python3 - "$T/perf.md" <<'PY'
import sys
t = open(sys.argv[1]).read()
a = t.find("### SRTP: what SDES costs the relay per packet")
b = t.find("### SRTP: mediad vs rtpengine, relay CPU per packet")
sys.exit(0 if 0 <= a < b and t.count("### SRTP: mediad vs rtpengine") == 1
         and "--calls 10 --duration 1" in t[b:] else 1)
PY
[ "$fails" -eq 0 ]
