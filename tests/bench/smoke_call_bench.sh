#!/bin/bash
# Smoke test of the call benchmark (not a measurement): one 5 s step at 20 calls/s through
# signald + mediad in each mode must complete every call, the rtp step's CDRs must show the 34
# packets of each side, the report must name the section and both tables, a rewrite must keep a
# hand-written analysis, and the pcap trimmer must keep exactly 1 s of g711a.pcap.
set -u
: "${TANDEM_BUILD:?TANDEM_BUILD must name the build directory}"
HERE="$(cd "$(dirname "$0")" && pwd)"
T=$(mktemp -d /tmp/tandem-callbench-smoke.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0
check() { # check "what" command...
	local what=$1; shift
	if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fails=$((fails + 1)); fi
}
field() { # field LINE KEY: a value of line LINE (from 0) of results.jsonl
	python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])]).get(sys.argv[3]))' \
		"$T/out/results.jsonl" "$1" "$2" 2>/dev/null
}

check "pcap_trim keeps the 34 packets of 1 s" \
	test "$(python3 "$HERE/pcap_trim.py" /usr/share/sip-tester/g711a.pcap "$T/1s.pcap" 1)" = 34
check "pcap_trim refuses a file that is not a pcap" \
	bash -c "! python3 '$HERE/pcap_trim.py' '$HERE/call_bench.sh' '$T/x.pcap' 1 2>/dev/null"

printf '# Performance\n\n## Other\n\nkept\n' >"$T/perf.md"
CALL_BENCH_LOCKS="" timeout 170 "$HERE/call_bench.sh" --build "$TANDEM_BUILD" --no-build \
	--systems tandem --modes "sig rtp" --rates 20 --step-s 5 --no-profile --log-level info \
	--out "$T/out" --doc "$T/perf.md"
check "call_bench.sh exits 0" test $? -eq 0
check "two steps recorded" test "$(grep -c . "$T/out/results.jsonl" 2>/dev/null)" = 2
for i in 0 1; do
	check "step $i: 100 calls ok, none failed" \
		test "$(field $i successful)/$(field $i failed)" = 100/0
	check "step $i: setup time measured" test "$(field $i setup_samples)" = 100
	check "step $i: signald CPU measured" \
		grep -q '"signald"' <<<"$(sed -n "$((i + 1))p" "$T/out/results.jsonl")"
done
check "rtp step: 100 CDRs" test "$(field 1 cdr_calls)" = 100
check "rtp step: 34 packets from each side of every call" \
	test "$(field 1 cdr_rtp_a)/$(field 1 cdr_rtp_b)/$(field 1 cdr_short)" = 3400/3400/0
check "no session or dialog left" \
	test "$(field 0 leftover_sessions)$(field 1 leftover_sessions)$(field 1 leftover_dialogs)" = 000
check "doc: section written" grep -q '^## Calls: signald + mediad vs Kamailio + rtpengine$' "$T/perf.md"
check "doc: both tables" test "$(grep -c '^### signald + mediad' "$T/perf.md")" = 2
check "doc: other sections kept" grep -q '^## Other$' "$T/perf.md"
printf '\n### Analysis\n\nhand-written\n' >>"$T/perf.md"
python3 "$HERE/call_bench_report.py" doc "$T/out/results.jsonl" "$T/out/machine.json" "$T/perf.md"
check "doc: a rewrite keeps the analysis" grep -q '^hand-written$' "$T/perf.md"
check "doc: a rewrite keeps one section" test "$(grep -c '^## Calls' "$T/perf.md")" = 1
[ "$fails" -eq 0 ]
