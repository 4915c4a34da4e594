#!/usr/bin/env bash
# Calls that cannot be connected get the right answer from signald (after the 407 round trip):
# unknown user 404, registered nowhere 480, credentials of someone else 403, a caller that does
# not exist challenged like a wrong password, and no media node 503. No call is left behind.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1

expect_status() { # expect_status NAME DIALLED STATUS [sipp args]
	local name=$1 dialled=$2 status=$3; shift 3
	local port
	port=$(free_port)
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_fail.xml" "$s1_SIP" -i 127.0.0.1 -p "$port" -m 1 \
		-s "$dialled" -set status "$status" -timeout 20s -timeout_error -nostdin \
		-trace_err -error_file "$T/$name.sipp-errors.log" "$@" >"$T/$name.sipp.log" 2>&1
}

check "unknown user: 404" expect_status unknown 1999 404 -au 1000 -ap 1234 -set caller 1000
check "user registered nowhere: 480" expect_status unreg 1002 480 -au 1000 -ap 1234 -set caller 1000
check "credentials of another user: 403" expect_status spoof 1002 403 -au 1003 -ap 1234 -set caller 1000
check "wrong password: challenged again (407)" expect_status wrongpw 1002 407 -au 1000 -ap 4321 -set caller 1000
check "caller that does not exist: 407, like a wrong password" \
	expect_status nobody 1002 407 -au 4242 -ap 1234 -set caller 4242

# With the only media node gone, a call to a registered user gets 503.
check "callee registers" register_user reg1001 1001 "$(free_port)"
check "mediad stops" stop_daemon m1
check "signald sees the node down" wait_for 15 grep -q "media node .*: down" "$T/s1.log"
check "no media node: 503" expect_status nomedia 1001 503 -au 1000 -ap 1234 -set caller 1000
check "signald logged the 503 cause" grep -aq "no media node available: no media node is up" "$T/s1.log"
check "no call left" wait_for 5 grep -aq "ended: cause NORMAL_CIRCUIT_CONGESTION" "$T/s1.log"
check "signald still answers OPTIONS" "$SIPPING" "sip:$s1_SIP" 1000
finish
