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
mport=$(free_port)
start_mediad m1 --set mediad.workers=2 --set apps.prompts_dir="$T/prompts" \
	--set apps.recordings_dir="$T/rec" --set apps.max_recordings=2 \
	--set "metrics.listen=127.0.0.1:$mport" || exit 1
for c in dtmf echo play playctl senddtmf srtpplay record recdelete; do
	dir=$T/prompts
	case $c in rec*) dir=$T/rec ;; esac
	if "$APPS_CLIENT" "$m1_RPC" "$c" "$dir" >"$T/case-$c.out" 2>&1; then
		pass "apps case $c ($(grep -c '^ok:' "$T/case-$c.out") checks)"
	else
		fail "apps case $c"
		cat "$T/case-$c.out"
	fi
done
# Digits on a stream the kernel forwards (mediad/fastpath.h): still reported.
metric() { python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" get "127.0.0.1:$mport" /metrics |
	awk -v n="$1" '$1 == n { print $2 }'; }
fast0=$(metric tandem_mediad_fastpath_packets_total)
if "$APPS_CLIENT" "$m1_RPC" dtmf_fast >"$T/case-dtmf_fast.out" 2>&1; then
	pass "apps case dtmf_fast ($(grep -c '^ok:' "$T/case-dtmf_fast.out") checks)"
else
	fail "apps case dtmf_fast"
	cat "$T/case-dtmf_fast.out"
fi
if grep -q "fast path: kernel" "$T/m1.log"; then
	fast1=$(metric tandem_mediad_fastpath_packets_total)
	check "the kernel forwarded that call's audio (${fast0:-0} -> ${fast1:-0} packets), the relay thread its digit" \
		test "${fast1:-0}" -ge $((${fast0:-0} + 50))
else
	log "no kernel fast path on this node: dtmf_fast ran in userspace"
fi
check "a digit is logged with the Call-ID" grep -q "\[dtmf-.*digit 1 (120 ms) from leg A" "$T/m1.log"
check "a refused name is logged" grep -q "STATUS_BAD_REQUEST ('../tone1k.wav' names '..'" "$T/m1.log"
check "mediad survived every case" "$MEDIACTL" -e "$m1_RPC" ping
check "nothing was written outside the recordings folder" test ! -e "$T/escape.wav" -a ! -e /tmp/abs.wav

# mediactl: each command, and watch printing the events of the identity that created the session.
ctl() { "$MEDIACTL" -e "$m1_RPC" "$@"; }
S=$(ctl -i ctl-owner -q create ctl-apps --a audio:127.0.0.1:4000,codec=PCMU,te=101 \
	--b audio:127.0.0.1:5000,codec=PCMA/8)
ctl -i ctl-owner watch --count 2 --duration 10 >"$T/watch.out" 2>&1 &
watch_pid=$!
wait_for 5 grep -q "Ping request" "$T/m1.log"
check "mediactl play" ctl play "$S" --leg a tone1k.wav --id 41
check "mediactl play --loops replaces it" ctl play "$S" --leg a tone1k.wav --loops 3 --id 42
check "mediactl stop-play" ctl stop-play "$S" --leg a
# The demo's prompts (deploy/demo/prompts, what quickstart.sh and the package install) play.
cp "$TANDEM_SRC"/deploy/demo/prompts/*.wav "$T/prompts/"
for f in "$TANDEM_SRC"/deploy/demo/prompts/*.wav; do
	check "the demo prompt $(basename "$f") plays to a PCMA leg" ctl play "$S" --leg b "$(basename "$f")" --id 50
done
ctl stop-play "$S" --leg b >/dev/null
check "mediactl play of '../x.wav' fails (exit 1)" test "$(ctl play "$S" --leg b ../x.wav >/dev/null 2>&1; echo $?)" = 1
check "mediactl echo on" ctl echo "$S" --leg b on
check "mediactl echo off" ctl echo "$S" --leg b off
check "mediactl send-dtmf" ctl send-dtmf "$S" --leg a '12#' --duration-ms 80
check "mediactl send-dtmf to a leg without telephone-event fails" \
	test "$(ctl send-dtmf "$S" --leg b 1 >/dev/null 2>&1; echo $?)" = 1
check "mediactl record" ctl record "$S" ctl/apps.wav
sleep 0.5
ctl stop-record "$S" >"$T/stop-record.out"
check "mediactl stop-record prints the complete recording" \
	grep -q "duration_ms: [1-9]" "$T/stop-record.out"
check "the recording is there" test -s "$T/rec/ctl/apps.wav"
check "mediactl delete" ctl delete "$S"
wait "$watch_pid"
check "watch printed the prompt replaced" grep -q 'playback_done session=.* leg=a play_id=41 .*reason="replaced"' "$T/watch.out"
check "watch printed the prompt stopped" grep -q 'playback_done session=.* play_id=42 .*reason="stopped"' "$T/watch.out"

# SIGTERM with a recording running: the file is finalized, the node exits 0.
S=$(ctl -i ctl-owner -q create ctl-term --a audio:127.0.0.1:4000 --b audio:127.0.0.1:5000)
check "a recording left running" ctl record "$S" term.wav
sleep 0.3
check "mediad exits 0 on SIGTERM with a recording running" stop_daemon m1
check "the recording is complete: header sizes match the file" python3 -c '
import os, struct, sys
b = open(sys.argv[1], "rb").read()
assert b[:4] == b"RIFF" and struct.unpack("<I", b[40:44])[0] == len(b) - 44 and len(b) > 44
assert struct.unpack("<I", b[4:8])[0] == len(b) - 8
' "$T/rec/term.wav"

# A node killed mid-recording leaves a valid WAV: its header is rewritten once a second.
start_mediad m2 --set mediad.workers=1 --set apps.recordings_dir="$T/rec" || exit 1
check "apps case reckill" "$APPS_CLIENT" "$m2_RPC" reckill
kill -9 "$(cat "$T/m2.pid")"
check "the recording of a killed node is a valid WAV with audio" python3 -c '
import os, sys, wave
w = wave.open(sys.argv[1])
assert w.getnchannels() == 2 and w.getframerate() == 8000 and w.getsampwidth() == 2
# The header of 1 s in says what was written by then (at least 0.2 s), all of it in the file.
assert w.getnframes() >= 1600, w.getnframes()
assert 44 + 4 * w.getnframes() <= os.path.getsize(sys.argv[1])
' "$T/rec/killed.wav"
finish
