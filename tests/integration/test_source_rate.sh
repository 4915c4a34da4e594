#!/usr/bin/env bash
# The per-source request rate limit ([sip] source_rate, source_burst): a source past it gets 503
# with Retry-After before any authentication work, other sources are unaffected, refusals are
# logged at a limited rate. signald runs with its descriptor limit raised to the hard limit.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# A low soft limit for signald to raise (a soft limit may be lowered without privilege).
hard=$(ulimit -Hn)
low=$hard
if [ "$hard" = unlimited ] || [ "$hard" -gt 1024 ]; then low=1024; ulimit -Sn 1024; fi
start_signald s1 "$m1_RPC" --set "directory.path=$DEMO_DIRECTORY" --set auth.algorithms=MD5 \
	--set sip.source_rate=5 --set sip.source_burst=10 || exit 1
check "a burst past the limit gets 503, other sources and later requests are served" \
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" rate --user 1000 --bind 127.0.0.7
python3 "$TANDEM_SRC/tests/integration/invite_flood.py" "$s1_SIP" --count 30 --wait 5 >"$T/flood.out" 2>&1
cat "$T/flood.out"
n503=$(awk '$1 == 503 {print $2}' "$T/flood.out")
n407=$(awk '$1 == 407 {print $2}' "$T/flood.out")
check "INVITE burst: the first 10 challenged (${n407:-0})" test "${n407:-0}" -ge 10 -a "${n407:-0}" -le 12
check "INVITE burst: the rest get 503 (${n503:-0})" test $((${n503:-0} + ${n407:-0})) = 30
n=$(grep -ac "over \[sip\] source_rate" "$T/s1.log")
check "refusals logged, at most 5 lines a second ($n)" test "$n" -ge 1 -a "$n" -le 10
limits=$(awk '/^Max open files/ {print $4, $5}' "/proc/$(cat "$T/s1.pid")/limits")
check "signald raised its open file limit from $low to the hard limit ($limits)" \
	test "${limits% *}" = "${limits#* }"
check "signald stops cleanly" stop_daemon s1
finish
