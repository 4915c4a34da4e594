#!/usr/bin/env bash
# 500 sessions at once on one node (2000 of 3000 ports, 2000 sockets in mediad, 1000 in the client),
# each relaying RTP both ways, all ports back afterwards.
. "$(dirname "$0")/lib.sh"
RELAY_CLIENT=$TANDEM_BUILD/tests/integration/relay_client

# 1500 pairs, at least 1300 of them free, for the 1000 needed: mediad skips ports other
# programs hold (a fully free block that large is rare on a busy machine).
base=$("$FREE_PORT" 3000 2600) || exit 1
start_mediad big --set mediad.workers=2 --set rtp.port_min="$base" \
	--set rtp.port_max=$((base + 2999)) || exit 1
if "$RELAY_CLIENT" "$big_RPC" scale 500 >"$T/scale.out" 2>&1; then
	pass "500 sessions: $(grep -c '^ok:' "$T/scale.out") checks"
else
	fail "500 sessions"
	cat "$T/scale.out"
fi
check "mediad still serving" "$MEDIACTL" -e "$big_RPC" ping
check "mediad stops cleanly (exit 0)" stop_daemon big
finish
