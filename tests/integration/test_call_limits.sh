#!/usr/bin/env bash
# Per-user quotas: a user with [call] max_calls_per_user live calls gets 486 for one more while
# another user still gets through; an offer with more media streams than
# [call] max_streams_per_call gets 488 and leases no port.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set call.max_calls_per_user=1 \
	--set call.max_streams_per_call=2 || exit 1

expect_status() { # expect_status NAME CALLER CALLEE STATUS [scenario]: one call ends with STATUS
	local name=$1 from=$2 to=$3 status=$4 scen=${5:-$SIPP_DIR/call_uac_fail.xml}
	timeout 60 sipp -sf "$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
		-m 1 -s "$to" -set status "$status" -set caller "$from" -au "$from" -ap 1234 -timeout 20s \
		-timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		>"$T/$name.sipp.log" 2>&1
}

p1001=$(free_port)
p1003=$(free_port)
check "1001 registers" register_user reg1001 1001 "$p1001"
check "1003 registers" register_user reg1003 1003 "$p1003"

# 1000 holds one call to 1001 for 4 s.
sipp_bg held-callee call_uas.xml "$p1001" $(relay_args)
sleep 0.3
sipp_bg held call_uac.xml "$(free_port)" -s 1001 -au 1000 -ap 1234 -set caller 1000 -d 4000 $(relay_args)
check "1000's first call is up" wait_for 10 output_is 1 live_sessions "$m1_RPC"
check "1000's second call gets 486" expect_status second 1000 1003 486
check "refusal logged with the limit" grep -aq "1000 has 1 live calls already (\[call\] max_calls_per_user): 486" "$T/s1.log"
sipp_bg other-callee call_uas.xml "$p1003" $(relay_args)
sleep 0.3
check "another user (1002) still gets through" \
	run_sipp other call_uac.xml "$s1_SIP" -s 1003 -au 1002 -ap 1234 -set caller 1002 $(relay_args)
check "1003 answered it" sipp_wait other-callee
check "1000's first call ends normally" sipp_wait held
check "its callee too" sipp_wait held-callee
check "no media session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"

# Three audio streams in one offer, two allowed.
sed 's|^\( *\)a=rtpmap:8 PCMA/8000$|&\n\1m=audio [media_port+2] RTP/AVP 0\n\1m=audio [media_port+4] RTP/AVP 0|' \
	"$SIPP_DIR/call_uac_fail.xml" >"$T/three_streams.xml"
check "scenario has three m-lines per offer" test "$(grep -c '^ *m=audio' "$T/three_streams.xml")" = 6
check "three streams when two are allowed: 488" expect_status streams 1000 1001 488 "$T/three_streams.xml"
check "streams refusal logged" grep -aq "max_streams_per_call" "$T/s1.log"
check "no media session leased for it" output_is 0 live_sessions "$m1_RPC"
check "signald stops cleanly" stop_daemon s1
finish
