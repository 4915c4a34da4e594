#!/usr/bin/env bash
# Recording calls into one stereo WAV on the media node (caller left, callee right):
# `record_session` from the dialplan before the bridge, and the flow FreeSWITCH users have
# scripts for: the dialplan sets execute_on_answer=lua auto_record.lua (deploy/demo/scripts),
# and when the callee answers the script reads the call's variables and runs
# session:execute("record_session", path). The caller sends a 1000 Hz tone, the callee 1600 Hz
# (A-law RTP played by SIPp); each WAV must hold the caller's tone left and the callee's right,
# last as long as the recorded part of the call within 100 ms, and the CDR names it with its
# duration and size. A script's session:recordFile records the caller for max_len_s, and
# stop_record_session ends a recording before the call ends.
. "$(dirname "$0")/lib.sh"
TONES=$(dirname "$0")/tones.py

mkdir -p "$T/recordings" "$T/scripts"
cp "$TANDEM_SRC/deploy/demo/scripts/auto_record.lua" "$T/scripts/"
cat >"$T/scripts/stoprec.lua" <<'LUA'
session:execute("record_session", "stopped/" .. session:getVariable("caller_id_number") .. ".wav")
session:sleep(1000)
session:execute("stop_record_session")
session:sleep(1500)
LUA
cat >"$T/scripts/recfile.lua" <<'LUA'
local ok = session:recordFile("voice/" .. session:getVariable("caller_id_number") .. ".wav", 3, 0, 0)
freeswitch.consoleLog("info", "recfile.lua: recordFile returned " .. tostring(ok) .. "\n")
LUA
python3 "$TONES" pcap "$T/caller.pcap" 1000 5 || exit 1
python3 "$TONES" pcap "$T/callee.pcap" 1600 5 || exit 1
sed "s|/usr/share/sip-tester/g711a.pcap|$T/caller.pcap|" "$SIPP_DIR/call_uac.xml" >"$T/uac_tone.xml"
python3 - "$SIPP_DIR/call_uas.xml" "$T/uas_tone.xml" "$T/callee.pcap" <<'PY'
import sys
s = open(sys.argv[1]).read()
ack = '<recv request="ACK" crlf="true"/>'
assert ack in s
s = s.replace(ack, ack + '\n  <nop><action><exec play_pcap_audio="%s"/></action></nop>' % sys.argv[3])
open(sys.argv[2], "w").write(s)
PY
# The caller of a call the switch ends: answered, its tone 1.5 s after the ACK, the BYE awaited.
sed "s|/usr/share/sip-tester/dtmf_2833_1.pcap|$T/caller.pcap|" "$SIPP_DIR/call_uac_dtmf.xml" \
	>"$T/uac_tone_bye.xml"

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="record-from-the-plan">
      <condition field="destination_number" expression="^7401$">
        <action application="record_session" data="plan/${destination_number}-${caller_id_number}.wav"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="record-file">
      <condition field="destination_number" expression="^7403$">
        <action application="answer"/>
        <action application="lua" data="recfile.lua"/>
      </condition>
    </extension>
    <extension name="record-then-stop">
      <condition field="destination_number" expression="^7404$">
        <action application="answer"/>
        <action application="lua" data="stoprec.lua"/>
      </condition>
    </extension>
    <extension name="record-on-answer">
      <condition field="destination_number" expression="^7402$">
        <action application="set" data="recordings_dir=auto"/>
        <action application="set" data="execute_on_answer=lua auto_record.lua"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 --set apps.recordings_dir="$T/recordings" || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set lua.scripts_dir="$T/scripts" || exit 1
DB=$T/s1-state/tandem.db
P1=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$P1"

call() { # call NAME DIALLED: the caller holds 3 s, both sides send their tone
	local name=$1 dialled=$2
	sipp_bg "$name-callee" "$T/uas_tone.xml" "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
	sleep 0.3
	timeout 60 sipp -sf "$T/uac_tone.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-d 3000 -timeout 30s -timeout_error -nostdin -trace_err \
		-error_file "$T/$name.sipp-errors.log" >"$T/$name.sipp.log" 2>&1 &&
		sipp_wait "$name-callee"
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr WHERE destination = '$2' ORDER BY rowid DESC LIMIT 1"; }
wav() { sed -n "s/^$2=//p" "$T/$1.wav.txt"; }
near() { # near A B MS: |A - B| <= MS
	local d=$(($1 - $2))
	[ "${d#-}" -le "$3" ]
}
# ms_between FIRST SECOND: from signald's last log line matching FIRST to the first matching
# SECOND after it.
ms_between() {
	python3 - "$T/s1.log" "$1" "$2" <<'PY'
import re, sys, datetime
first = second = None
for line in open(sys.argv[1], errors="replace"):
    m = re.match(r"(\d{4}-\d\d-\d\dT[\d:.]+)Z", line)
    if not m:
        continue
    t = datetime.datetime.fromisoformat(m.group(1))
    if re.search(sys.argv[2], line):
        first, second = t, None
    elif first is not None and second is None and re.search(sys.argv[3], line):
        second = t
print(int((second - first).total_seconds() * 1000) if first and second else -1)
PY
}
check_wav() { # check_wav NAME FILE CALL_MS: the stereo WAV of a call of CALL_MS
	local name=$1 file=$2 call_ms=$3
	python3 "$TONES" wav "$file" >"$T/$name.wav.txt" || { fail "$name: $file unreadable"; return; }
	log "$name: $(tr '\n' ' ' <"$T/$name.wav.txt")"
	check "$name: stereo 16-bit" test "$(wav "$name" channels)" = 2 -a "$(wav "$name" bits)" = 16
	check "$name: the caller's 1000 Hz left" near "$(wav "$name" left_hz)" 1000 20
	check "$name: the callee's 1600 Hz right" near "$(wav "$name" right_hz)" 1600 20
	check "$name: both tones clear (ratios $(wav "$name" left_ratio), $(wav "$name" right_ratio))" \
		test "$(wav "$name" left_ratio)" -ge 20 -a "$(wav "$name" right_ratio)" -ge 20
	check "$name: $(wav "$name" duration_ms) ms long, the call's recorded part $call_ms ms (within 100 ms)" \
		near "$(wav "$name" duration_ms)" "$call_ms" 100
}

check "record_session in the plan: call bridged" call plan 7401
FILE=$T/recordings/plan/7401-1000.wav
check "the WAV is where the plan's \${var}s said" wait_for 5 test -s "$FILE"
check "its CDR: the recording's path" wait_for 5 output_is "$FILE" cdr record_path 7401
check_wav plan "$FILE" "$(cdr duration_ms 7401)"
check "its CDR: duration of the recording" near "$(cdr record_ms 7401)" "$(wav plan duration_ms)" 50
check "its CDR: the file's size" output_is "$(stat -c %s "$FILE")" cdr record_bytes 7401

check "execute_on_answer=lua auto_record.lua: call bridged" call auto 7402
AUTO=$(ls "$T"/recordings/auto/*_1000_7402_*.wav 2>/dev/null | head -n1)
check "auto_record.lua recorded into recordings_dir, named by caller and callee" test -s "$AUTO"
check "the script logged its path" grep -aq "auto_record: recording to auto/" "$T/s1.log"
ANSWERED_MS=$(ms_between "answered by sip:1001@.*" "hangup NORMAL_CLEARING by caller")
check_wav auto "$AUTO" "$ANSWERED_MS"
check "its CDR: the script's recording" wait_for 5 output_is "$AUTO" cdr record_path 7402

# A script's session:recordFile(file, 3): the caller's voice (left) for 3 s, nothing right.
check "recordFile: the caller is answered and hung up after the recording" \
	timeout 60 sipp -sf "$T/uac_tone_bye.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 7403 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/recfile.sipp-errors.log"
VOICE=$T/recordings/voice/1000.wav
check "recordFile wrote the file it was given" test -s "$VOICE"
check "recordFile returned true" grep -aq "recfile.lua: recordFile returned true" "$T/s1.log"
python3 "$TONES" wav "$VOICE" >"$T/voice.wav.txt"
log "voice: $(tr '\n' ' ' <"$T/voice.wav.txt")"
check "recordFile: 3 s long (max_len_s)" near "$(wav voice duration_ms)" 3000 100
check "recordFile: the caller's tone left" near "$(wav voice left_hz)" 1000 20
check "recordFile: nothing right (no callee)" test "$(wav voice right_loud_ms)" -eq 0

# stop_record_session ends the recording before the call: 1 s of the call's 2.5 s.
check "stop_record_session: the call runs its script and ends" \
	timeout 60 sipp -sf "$T/uac_tone_bye.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 7404 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/stoprec.sipp-errors.log"
STOPPED=$T/recordings/stopped/1000.wav
python3 "$TONES" wav "$STOPPED" >"$T/stopped.wav.txt"
log "stopped: $(tr '\n' ' ' <"$T/stopped.wav.txt")"
check "stop_record_session: the recording lasts 1 s" near "$(wav stopped duration_ms)" 1000 100
check "the stop was logged with the node's figures" grep -aq "recording stopped: $STOPPED" "$T/s1.log"
stopped_cdr() { local v; v=$(cdr record_ms 7404); [ -n "$v" ] && near "$v" "$(wav stopped duration_ms)" 20; }
check "its CDR: the stopped recording's duration" wait_for 5 stopped_cdr
check "no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
finish
