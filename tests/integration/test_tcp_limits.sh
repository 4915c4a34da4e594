#!/usr/bin/env bash
# TCP connections cannot pile up: silent ones are shut after [sip] tcp_idle_s, a source holds at
# most [sip] tcp_max_per_source, a message must arrive whole within tcp_message_timeout_s; a
# REGISTER over TCP still works.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" --set "directory.path=$DEMO_DIRECTORY" --set auth.algorithms=MD5 \
	--set sip.tcp_idle_s=4 --set sip.tcp_max_per_source=3 --set sip.tcp_message_timeout_s=1 || exit 1
check "idle, per-source cap and message timeout" \
	python3 "$TANDEM_SRC/tests/integration/tcp_limits.py" "$s1_SIP"
check "closures logged" grep -aq "past \[sip\] tcp_max_per_source" "$T/s1.log"
users_csv "$T/u1000.csv" "1000;1234"
check "REGISTER over TCP still gets 200" \
	reg_sipp r1 register.xml "$s1_SIP" "$(free_port)" "$T/u1000.csv" -t t1 -set expires 300
check "signald stops cleanly" stop_daemon s1
finish
