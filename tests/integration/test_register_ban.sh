#!/usr/bin/env bash
# Repeated authentication failures from one source get it banned: 403 without a challenge, even
# for the right password, with a log line naming the source.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" --set "directory.path=$DEMO_DIRECTORY" \
	--set auth.max_failures=3 --set auth.failure_window_s=120 --set auth.ban_s=120 || exit 1
users_csv "$T/wrong.csv" "1000;0000"
users_csv "$T/good.csv" "1000;1234"

check "1st wrong password: 401" reg_sipp w1 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "2nd wrong password: 401" reg_sipp w2 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "3rd wrong password: 403" reg_sipp w3 register_forbidden.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "ban logged with the source address" grep -q "source 127.0.0.1 banned" "$T/s1.log"
check "banned source: 403 at once, no challenge" \
	reg_sipp b1 register_banned.xml "$s1_SIP" "$(free_port)" "$T/good.csv"
check "banned source cannot register with the right password either" \
	reg_sipp b2 register_banned.xml "$s1_SIP" "$(free_port)" "$T/good.csv"
check "refusals logged" grep -q "from banned source 127.0.0.1" "$T/s1.log"
check "OPTIONS from the banned source still answered" run_sipp opt options.xml "$s1_SIP"
check "signald stops cleanly" stop_daemon s1
finish
