#!/usr/bin/env bash
# Failures count only for credentials that answer a challenge we sent to that address: forged
# REGISTERs (made-up nonces, or a nonce sent to another address) never ban the source they claim,
# and replies do not tell unknown users from known ones with a wrong password.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" --set "directory.path=$DEMO_DIRECTORY" --set auth.algorithms=MD5 \
	--set auth.max_failures=3 --set auth.failure_window_s=120 --set auth.ban_s=120 || exit 1
SIPREG=$TANDEM_SRC/tests/integration/sipreg.py

check "30 forged REGISTERs from 127.0.0.3 (20 made-up nonces), then it registers" \
	python3 "$SIPREG" "$s1_SIP" forged --user 1000 --bind 127.0.0.3
check "no ban logged for 127.0.0.3" bash -c "! grep -q 'source 127.0.0.3 banned' '$T/s1.log'"
n=$(grep -c "refused: nonce not issued by us" "$T/s1.log")
check "forged nonces logged as not ours, a few lines a second ($n for 20)" test "$n" -ge 1 -a "$n" -le 10
check "unknown user and wrong password: identical replies" \
	python3 "$SIPREG" "$s1_SIP" enum --user 1001
check "signald stops cleanly" stop_daemon s1
finish
