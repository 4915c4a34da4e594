#!/usr/bin/env bash
# Builds the fuzz tree (clang, libFuzzer, ASan+UBSan) and runs each fuzzer for SECONDS (default
# 20), one after the other. Every fuzzer first replays its committed corpus and regression
# inputs. A crash, leak, timeout or out-of-memory input is written to
# tests/fuzz/regressions/<fuzzer>/ (commit it with the fix) and fails the run.
#
#   tests/fuzz/run.sh [SECONDS] [FUZZER...]      e.g. tests/fuzz/run.sh 600 fuzz_sdp
#
# Environment: BUILD (default build-fuzz), JOBS (build jobs, default 2), SEED (libFuzzer -seed;
# unset = random; tests/run.sh fixes it so that a CI run repeats what passed here). Inputs that found new
# coverage are kept in $BUILD/corpus/<fuzzer>/ (not committed), so later runs start from them.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_EACH=${1:-20}
shift || true
BUILD=${BUILD:-build-fuzz}
JOBS=${JOBS:-2}
FUZZ_DIR=$ROOT/tests/fuzz
mapfile -t ALL < <(cd "$FUZZ_DIR" && ls fuzz_*.c | sed "s/\.c$//")
if [ $# -gt 0 ]; then LIST=("$@"); else LIST=("${ALL[@]}"); fi

mkdir -p "$BUILD"
CC=clang cmake -S "$ROOT" -B "$BUILD" -DTANDEM_FUZZ=ON -DTANDEM_TESTS=OFF \
	-DCMAKE_BUILD_TYPE=RelWithDebInfo >"$BUILD/configure.log" 2>&1 ||
	{ cat "$BUILD/configure.log"; exit 1; }
nice cmake --build "$BUILD" -j"$JOBS" --target fuzzers >"$BUILD/build.log" 2>&1 ||
	{ grep -E "error|warning" "$BUILD/build.log" | head -40; tail -n 20 "$BUILD/build.log"; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:suppressions=$ROOT/tests/asan.supp
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

rc=0
mkdir -p "$BUILD/fuzz-logs"
for f in "${LIST[@]}"; do
	bin=$BUILD/tests/fuzz/$f
	corpus=$FUZZ_DIR/corpus/$f
	regr=$FUZZ_DIR/regressions/$f
	work=$BUILD/corpus/$f
	log=$BUILD/fuzz-logs/$f.log
	mkdir -p "$work" "$regr"
	if ! nice "$bin" -runs=0 -artifact_prefix="$BUILD/fuzz-logs/$f-replay-" "$corpus" "$regr" \
		>"$log.replay" 2>&1; then
		echo "$f: FAILED replaying its corpus or regression inputs"
		grep -E "ERROR|SUMMARY|runtime error|Running" "$log.replay" | head -20
		rc=1
		continue
	fi
	before=$(ls "$regr" | wc -l)
	seed=()
	[ -n "${SEED:-}" ] && seed=(-seed="$SEED")
	dict=()
	[ -f "$FUZZ_DIR/dict/$f.dict" ] && dict=(-dict="$FUZZ_DIR/dict/$f.dict")
	nice "$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$regr/" "${seed[@]}" "${dict[@]}" "$work" "$corpus" \
		>"$log" 2>&1
	frc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
	if [ $frc -ne 0 ] || [ "$(ls "$regr" | wc -l)" -ne "$before" ]; then
		echo "$f: FAILED after ${execs:-?} runs (log: $log); new inputs in $regr:"
		ls -t "$regr" | head -5
		grep -E "ERROR|SUMMARY|runtime error" "$log" | head -10
		rc=1
	else
		echo "$f: ok, ${execs:-?} runs in ${SECONDS_EACH} s, ${cov:-cov: ?} edges"
	fi
done
exit $rc
