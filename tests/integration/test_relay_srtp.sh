#!/usr/bin/env bash
# SRTP through mediad end to end: relay_client (relay_cases_srtp.c) creates sessions over the
# RPC and plays the phones with libsrtp2 over loopback UDP: SRTP <-> RTP both ways with SRTCP
# for every suite, tampered/replayed/plain packets dropped and counted, SRTP <-> SRTP with other
# keys and suites, and a re-key by UpdateSession.
. "$(dirname "$0")/lib.sh"
RELAY_CLIENT=$TANDEM_BUILD/tests/integration/relay_client

start_mediad m1 --set mediad.workers=2 || exit 1
for c in srtp srtp_bridge srtp_rekey; do
	if "$RELAY_CLIENT" "$m1_RPC" "$c" >"$T/case-$c.out" 2>&1; then
		pass "relay case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "relay case $c"
		cat "$T/case-$c.out"
	fi
done
# Every key the phones used, in hex and in base64 (SDES's inline form), is absent from the log.
leaked=0
keys=0
for k in $(sed -n 's/^key://p' "$T"/case-*.out); do
	keys=$((keys + 1))
	b64=$(xxd -r -p <<<"$k" | base64 -w0)
	if grep -qiF -e "$k" -e "$b64" -e "${b64:0:16}" "$T/m1.log"; then leaked=$((leaked + 1)); fi
done
check "no key of the $keys used appears in mediad's log" test "$keys" -gt 10 -a "$leaked" = 0
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
finish
