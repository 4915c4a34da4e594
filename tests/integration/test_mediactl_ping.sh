#!/usr/bin/env bash
# mediactl ping against a real mediad, human and JSON output; and against nothing: a clear error.
. "$(dirname "$0")/lib.sh"

start_mediad m1 --set mediad.workers=1 || exit 1
out=$("$MEDIACTL" -e "$m1_RPC" ping)
check "ping exit 0" test $? -eq 0
check "text output names the node" grep -q "node_id: m1" <<<"$out"
json=$("$MEDIACTL" -e "$m1_RPC" --json ping)
check "json output has status OK" grep -q '"code":"STATUS_OK"' <<<"$json"
check "json output has total ports" grep -q '"total_ports":100' <<<"$json"
check "json is one line" test "$(wc -l <<<"$json")" -eq 1

dead=$(free_port)
err=$("$MEDIACTL" -e "tcp://127.0.0.1:$dead" -t 300 ping 2>&1)
rc=$?
check "ping to a dead endpoint exits 3" test $rc -eq 3
check "and says so in one line" test "$(wc -l <<<"$err")" -eq 1
check "naming the endpoint" grep -q "no reply from tcp://127.0.0.1:$dead" <<<"$err"

"$MEDIACTL" -e "$m1_RPC" frobnicate >/dev/null 2>&1
check "unknown command exits 2" test $? -eq 2
check "mediad still serving" "$MEDIACTL" -e "$m1_RPC" ping
finish
