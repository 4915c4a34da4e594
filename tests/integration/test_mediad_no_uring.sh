#!/usr/bin/env bash
# Without a usable io_uring (set-up refused, or no provided buffer rings) mediad says so in one
# line at start and exits non-zero instead of running without a relay.
. "$(dirname "$0")/lib.sh"
SHIM=$TANDEM_BUILD/tests/integration/liburing_refuse.so
# A sanitizer runtime must otherwise come first in the preload list.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
rpc=$(free_port)

for what in setup bufring; do
	out=$(URING_REFUSE=$what LD_PRELOAD=$SHIM timeout 20 "$MEDIAD" \
		--set mediad.rpc_endpoint="tcp://127.0.0.1:$rpc" 2>&1)
	rc=$?
	check "$what refused: exit status 1 (got $rc)" test $rc -eq 1
	check "$what refused: one error line" test "$(grep -c ' error ' <<<"$out")" -eq 1
	case $what in
	setup) check "it names io_uring_setup" grep -q "io_uring is not available (io_uring_setup: Function not implemented)" <<<"$out" ;;
	bufring) check "it names the buffer ring" grep -q "provided buffer ring" <<<"$out" ;;
	esac
done
# The same shim passing the calls through: mediad runs, so the refusals above were the cause.
URING_REFUSE=none LD_PRELOAD=$SHIM start_mediad m1 || exit 1
check "with the shim passing calls on, mediad serves" "$MEDIACTL" -e "$m1_RPC" ping
finish
