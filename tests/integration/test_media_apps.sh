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
start_mediad m1 --set mediad.workers=2 --set apps.prompts_dir="$T/prompts" \
	--set apps.recordings_dir="$T/rec" --set apps.max_recordings=2 || exit 1
for c in dtmf echo play playctl senddtmf record recdelete; do
	dir=$T/prompts
	case $c in rec*) dir=$T/rec ;; esac
	if "$APPS_CLIENT" "$m1_RPC" "$c" "$dir" >"$T/case-$c.out" 2>&1; then
		pass "apps case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "apps case $c"
		cat "$T/case-$c.out"
	fi
done
check "a digit is logged with the Call-ID" grep -q "\[dtmf-.*digit 1 (120 ms) from leg A" "$T/m1.log"
check "a refused name is logged" grep -q "STATUS_BAD_REQUEST ('../tone1k.wav' names '..'" "$T/m1.log"
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
check "nothing was written outside the recordings folder" test ! -e "$T/escape.wav" -a ! -e /tmp/abs.wav

# A node killed mid-recording leaves a valid WAV: its header is rewritten once a second.
check "apps case reckill" "$APPS_CLIENT" "$m1_RPC" reckill
kill -9 "$(cat "$T/m1.pid")"
check "the recording of a killed node is a valid WAV with audio" python3 -c '
import os, sys, wave
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2 and w.getframerate() == 8000 and w.getsampwidth() == 2
# The header of 1 s in says what was written by then (at least 0.2 s), all of it in the file.
assert w.getnframes() >= 1600, w.getnframes()
assert 44 + 4 * w.getnframes() <= os.path.getsize(sys.argv[1])
' "$T/rec/killed.wav"
finish
