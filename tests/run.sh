#!/usr/bin/env bash
# The whole test run: installs missing test packages, builds the normal and the sanitizer
# (address+undefined) trees, checks formatting, runs ctest in both, then builds the fuzz tree and
# runs every fuzzer briefly (tests/fuzz/run.sh). Non-zero on any failure.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
JOBS=$(nproc)

"$ROOT/deploy/install-deps.sh" --test || exit 1

build() { # build DIR cmake-args...
	local dir=$1; shift
	cmake -S "$ROOT" -B "$dir" -DTANDEM_TESTS=ON "$@" >"$dir.configure.log" 2>&1 ||
		{ cat "$dir.configure.log"; return 1; }
	cmake --build "$dir" -j"$JOBS" >"$dir.build.log" 2>&1 ||
		{ grep -E "error|warning" "$dir.build.log" | head -40; tail -n 20 "$dir.build.log"; return 1; }
}

rc=0
mkdir -p build build-asan
echo "== build (RelWithDebInfo)"
build build -DCMAKE_BUILD_TYPE=RelWithDebInfo || { echo "build failed"; exit 1; }
echo "== build (sanitizers: address, undefined)"
build build-asan -DCMAKE_BUILD_TYPE=Debug -DTANDEM_SANITIZE=ON || { echo "sanitizer build failed"; exit 1; }

echo "== format check (clang-format)"
unformatted=$(git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run 2>&1 | grep -c 'warning:' || true)
if [ "${unformatted:-0}" -ne 0 ]; then
	git ls-files '*.c' '*.h' | xargs -r clang-format --dry-run 2>&1 | grep 'warning:' | head -20
	echo "format check: $unformatted places differ from .clang-format"
	rc=1
fi

echo "== tests (RelWithDebInfo)"
(cd build && ctest --output-on-failure -j2 --timeout 600) || rc=1
echo "== tests (sanitizers)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1:suppressions=$ROOT/tests/asan.supp
export LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j2 --timeout 900) || rc=1

# Each fuzzer replays its corpus and regression inputs, then fuzzes for FUZZ_SECONDS (20 s by
# default; the step takes about 3 minutes on 2 cores with the build). Crashes land in
# tests/fuzz/regressions/ and fail the run.
echo "== fuzzers (libFuzzer, ${FUZZ_SECONDS:-20} s each)"
SEED=${FUZZ_SEED:-1} BUILD=build-fuzz JOBS=$JOBS tests/fuzz/run.sh "${FUZZ_SECONDS:-20}" || rc=1

if [ $rc -eq 0 ]; then echo "tests/run.sh: all passed"; else echo "tests/run.sh: FAILED"; fi
exit $rc
