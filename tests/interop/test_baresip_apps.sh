#!/usr/bin/env bash
# The demo's media applications with real phones (baresip 1.0.0, the demo config as it ships,
# the demo's prompts and Lua scripts):
#  - 71001: the call is recorded by scripts/auto_record.lua from its answer: one stereo WAV on
#    the media node, 1010's 440 Hz on the left, 1001's 1000 Hz on the right;
#  - 9196: the echo test, 1010 hears its own 440 Hz;
#  - 5000: the IVR (scripts/ivr_menu.lua): the caller hears the menu prompt, presses 2 (RFC 4733
#    from baresip), and is bridged to 1001; each then hears the other's tone.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

mkdir -p "$T/rec"
MEDIAD_ARGS=(--set "apps.prompts_dir=$DEMO/prompts" --set "apps.recordings_dir=$T/rec")
start_demo || exit 1
UA_OPTS=(-s -v)
start_phone 1010 440
start_phone 1001 1000
check "baresip 1010 and 1001 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1001')" 2

# 1. A recorded call.
ctl 1010 dial 71001
check "recorded call: 1001 rings" wait_for 10 count_is 1 "$T/ua1001.log" "Incoming call from"
ctl 1001 accept
check "recorded call: established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1001.log" "Call established"'
check "recorded call: auto_record.lua started the recording" wait_for 5 eval 'ls "$T"/rec/*.wav >/dev/null 2>&1'
sleep 3
ctl 1010 hangup
check "recorded call: over on 1001" wait_for 10 count_is 1 "$T/ua1001.log" "Call with sip:1010@.* terminated"
check "recorded call: mediad has no session" wait_for 5 output_is 0 live_sessions "$RPC"
wav=$(ls "$T"/rec/*.wav 2>/dev/null | head -n 1)
log "recording: $wav ($(soxi -c "$wav" 2>/dev/null) channels, $(soxi -D "$wav" 2>/dev/null) s)"
check "recorded call: a stereo WAV" test "$(soxi -c "$wav" 2>/dev/null)" = 2
sox "$wav" "$T/left.wav" remix 1 && sox "$wav" "$T/right.wav" remix 2
check "recorded call: the caller's 440 Hz on the left" heard "$T/left.wav" 440 2
check "recorded call: the callee's 1000 Hz on the right" heard "$T/right.wav" 1000 2
check "recorded call: the CDR names the file" \
	sql_is "$DB" "select count(*) from cdr where record_path like '%$(basename "$wav")'" 1
rm -f "$T"/ua*/rec/*.wav

# 2. The echo test.
ctl 1010 dial 9196
check "echo: answered" wait_for 10 count_is 2 "$T/ua1010.log" "Call established"
sleep 2.5
ctl 1010 hangup
check "echo: mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "echo: 1010 heard its own 440 Hz" eval 'recording 1010 echo && heard "$T/echo/heard-by-1010.wav" 440'

# 3. The IVR: menu prompt, digit 2, bridged to 1001.
ctl 1010 dial 5000
check "IVR: answered by the menu" wait_for 10 count_is 3 "$T/ua1010.log" "Call established"
sleep 2
ctl 1010 sndcode 2
check "IVR: pressing 2 rings 1001" wait_for 10 count_is 2 "$T/ua1001.log" "Incoming call from"
ctl 1001 accept
check "IVR: 1001 answers" wait_for 10 count_is 2 "$T/ua1001.log" "Call established"
sleep 3
ctl 1010 hangup
check "IVR: over on 1001" wait_for 10 count_is 2 "$T/ua1001.log" "Call with sip:.* terminated"
check "IVR: mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "IVR: the menu prompt was played to the caller" grep -q "ivr-menu.wav" "$T/mediad.log"
check "IVR: then 1001's 1000 Hz" eval 'recording 1010 ivr && heard "$T/ivr/heard-by-1010.wav" 1000 1 --last-s 2'
check "IVR: 1001 heard 1010's 440 Hz" eval 'recording 1001 ivr && heard "$T/ivr/heard-by-1001.wav" 440'
grep -E "ivr_menu|playback|lua" "$T/signald.log" | tail -n 5
cat "$T/ctl.out"
for u in 1010 1001; do ctl "$u" quit; done
for u in 1010 1001; do check "baresip $u exits on quit" stop_daemon "ua$u"; done
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
