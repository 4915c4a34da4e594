#!/usr/bin/env bash
# The media applications of mediad end to end (apps_client.c over the RPC and loopback RTP):
# RFC 4733 digits reported as DtmfEvents, echo, prompts (G.711, continuity, PlaybackDone,
# replace/stop/delete, refused names), digits sent to a leg.
. "$(dirname "$0")/lib.sh"
APPS_CLIENT=$TANDEM_BUILD/tests/integration/apps_client

mkdir -p "$T/prompts" "$T/outside"
printf 'RIFF' >"$T/outside/secret.wav"
ln -s "$T/outside/secret.wav" "$T/prompts/escape.wav"
echo "not a wav file at all" >"$T/prompts/notwav.wav"
start_mediad m1 --set mediad.workers=2 --set apps.prompts_dir="$T/prompts" || exit 1
for c in dtmf echo play playctl senddtmf; do
	if "$APPS_CLIENT" "$m1_RPC" "$c" "$T/prompts" >"$T/case-$c.out" 2>&1; then
		pass "apps case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "apps case $c"
		cat "$T/case-$c.out"
	fi
done
check "a digit is logged with the Call-ID" grep -q "\[dtmf-.*digit 1 (120 ms) from leg A" "$T/m1.log"
check "a refused name is logged" grep -q "STATUS_BAD_REQUEST ('../tone1k.wav' names '..'" "$T/m1.log"
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
finish
