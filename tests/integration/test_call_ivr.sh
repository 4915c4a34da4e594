#!/usr/bin/env bash
# An IVR greeting: `answer`, `playback greeting.wav`, `bridge`. The caller is answered at once,
# hears the prompt as G.711 RTP from the media node (a 440 Hz tone, one continuous stream:
# sequence and timestamps without a gap, marker on the first packet), and the callee is called
# only once the node said the prompt ended (PlaybackDone). A prompt that does not exist is
# logged and the plan goes on to the bridge. `answer`, `echo` returns the caller's media to it.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/prompts"
python3 - "$T/prompts/greeting.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 440 * i / 8000)))
                           for i in range(8000)))
PY

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="greeting">
      <condition field="destination_number" expression="^7101$">
        <action application="answer"/>
        <action application="playback" data="greeting.wav"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="echo">
      <condition field="destination_number" expression="^7103$">
        <action application="answer"/>
        <action application="echo"/>
      </condition>
    </extension>
    <extension name="missing-prompt">
      <condition field="destination_number" expression="^7102$">
        <action application="answer"/>
        <action application="playback" data="nosuch.wav"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 --set apps.prompts_dir="$T/prompts" || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
P1=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$P1"

caller() { # caller NAME SCENARIO DIALLED [args]
	local name=$1 scen=$2 dialled=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		"$@" >"$T/$name.sipp.log" 2>&1
}
heard() { grep -q "^$2=" "$T/$1.heard" && sed -n "s/^$2=//p" "$T/$1.heard"; }
# logged_before FIRST SECOND: signald logged a line matching FIRST before one matching SECOND.
logged_before() {
	local a b
	a=$(grep -an -m1 -- "$1" "$T/s1.log" | cut -d: -f1)
	b=$(grep -an -- "$2" "$T/s1.log" | tail -n1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

RTP=$(free_port)
python3 "$(dirname "$0")/rtp_sink.py" "$RTP" 8 "$T/greet.heard" &
SINK=$!
wait_for 5 test -e "$T/greet.heard.ready"
sipp_bg callee1 call_uas_slow.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "greeting: the caller is answered within 1 s and bridged after the prompt" \
	caller greet call_uac_ivr.xml 7101 -d 4500 -set rtp_port "$RTP"
check "greeting: callee answered" sipp_wait callee1
wait "$SINK"
log "caller heard: $(tr '\n' ' ' <"$T/greet.heard")"
check "the caller got the prompt as RTP (50 packets or more)" test "$(heard greet packets)" -ge 50
check "in G.711 (payload type 0 or 8)" grep -qE '^pt=(0|8)$' "$T/greet.heard"
check "a 440 Hz tone" test "$(heard greet tone_hz)" -ge 430 -a "$(heard greet tone_hz)" -le 450
check "clearly above everything else (ratio $(heard greet tone_ratio))" test "$(heard greet tone_ratio)" -ge 20
check "about 1 s of audio ($(heard greet audio_ms) ms)" test "$(heard greet audio_ms)" -ge 900
check "no gap in the sequence numbers" test "$(heard greet seq_gaps)" -eq 0
check "timestamps continuous" test "$(heard greet ts_bad)" -eq 0
check "marker bit on the first packet" test "$(heard greet marker_first)" -eq 1
check "the prompt ended (PlaybackDone) before the callee was called" \
	logged_before "prompt 1 ended after [0-9]* ms: end" "calling sip:1001@"

sipp_bg callee2 call_uas_slow.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "a missing prompt: the plan goes on to the bridge" \
	caller missing call_uac_ivr.xml 7102 -d 3500 -set rtp_port "$(free_port)"
check "missing prompt: callee answered" sipp_wait callee2
check "the missing prompt is logged" grep -aq "playback: .*nosuch.wav" "$T/s1.log"

# echo: the caller's own 700 Hz comes back to it. Its RTP goes to the node's port for it, which
# the node's session says.
RTP=$(free_port)
python3 "$(dirname "$0")/rtp_sink.py" "$RTP" 10 "$T/echo.heard" --send "$T/echo.dest" 700 &
SINK=$!
wait_for 5 test -e "$T/echo.heard.ready"
caller echo call_uac_ivr.xml 7103 -d 4000 -set rtp_port "$RTP" &
CALLER=$!
a_port() {
	local s
	s=$("$MEDIACTL" -e "$m1_RPC" --json list | jq -r '.. | .session_id? // empty' | head -n1)
	[ -n "$s" ] && "$MEDIACTL" -e "$m1_RPC" --json query "$s" |
		jq -er '.query_session_reply.session.leg_a.streams[0].local_rtp.port'
}
if wait_for 5 a_port; then
	echo "127.0.0.1 $(a_port)" >"$T/echo.dest"
fi
check "echo: the call ends as the caller hangs up" wait "$CALLER"
wait "$SINK"
log "echo: the caller heard $(tr '\n' ' ' <"$T/echo.heard")"
check "echo: the caller heard itself (50 packets or more)" test "$(heard echo packets)" -ge 50
check "echo: its own 700 Hz" test "$(heard echo tone_hz)" -ge 690 -a "$(heard echo tone_hz)" -le 710
check "no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
finish
