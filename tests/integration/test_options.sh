#!/usr/bin/env bash
# SIPp sends OPTIONS over UDP and TCP to a real signald (with a real mediad behind it): 200 OK.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" || exit 1
check "OPTIONS over UDP answered 200" run_sipp opt-udp options.xml "$s1_SIP"
check "OPTIONS over TCP answered 200" run_sipp opt-tcp options.xml "$s1_SIP" -t t1
check "signald logged the media node up" grep -q "media node tcp://.*(m1 .*): up" "$T/s1.log"
check "signald stops cleanly on SIGTERM" stop_daemon s1
check "mediad stops cleanly on SIGTERM" stop_daemon m1
finish
