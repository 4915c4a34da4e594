#!/usr/bin/env bash
# Lua scripts run by calls ([lua] scripts_dir): the dialplan's `lua` application with
# arguments, the script reading the call's variables, playing a prompt and collecting a digit
# the caller sends as RFC 4733 telephone-events (reported by the media node), setting a
# variable the plan reads after it; a script that raises an error is logged with its traceback
# and the plan goes on; a name outside the folder is refused; an input callback returning
# "break" stops a prompt at the caller's digit.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/prompts" "$T/scripts"
python3 - "$T/prompts/greeting.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
                           for i in range(4000)))
PY
cat >"$T/scripts/digits.lua" <<'LUA'
local who = session:getVariable("caller_id_number")
local dest = session:getVariable("destination_number")
local greeting = session:getVariable("greeting")
freeswitch.consoleLog("info", string.format("digits.lua: %s -> %s, greeting=%s, args=%s|%s\n",
	who, dest, greeting, argv[1], argv[2]))
session:streamFile("greeting.wav")
local d = session:getDigits(1, "", 8000)
freeswitch.consoleLog("info", "digits.lua: got digit [" .. d .. "]\n")
session:setVariable("got", d)
LUA
python3 - "$T/prompts/long.wav" <<'PY'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1)
    w.setsampwidth(2)
    w.setframerate(8000)
    w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 500 * i / 8000)))
                           for i in range(40000)))
PY
cat >"$T/scripts/callback.lua" <<'LUA'
function on_input(s, kind, obj, arg)
	freeswitch.consoleLog("info", "callback.lua: " .. kind .. " " .. obj.digit .. "\n")
	return "break"
end
session:setInputCallback("on_input")
session:streamFile("long.wav")
freeswitch.consoleLog("info", "callback.lua: streamFile returned\n")
LUA
cat >"$T/scripts/bad.lua" <<'LUA'
local function inner() error("boom from bad.lua") end
inner()
LUA

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="digits">
      <condition field="destination_number" expression="^7301$">
        <action application="answer"/>
        <action application="set" data="greeting=hello"/>
        <action application="lua" data="digits.lua one 'two words'"/>
        <action application="log" data="INFO after the script: got=${got}"/>
        <action application="lua" data="bad.lua"/>
        <action application="log" data="INFO after the bad script"/>
        <action application="lua" data="../outside.lua"/>
      </condition>
    </extension>
    <extension name="callback">
      <condition field="destination_number" expression="^7302$">
        <action application="answer"/>
        <action application="lua" data="callback.lua"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 --set apps.prompts_dir="$T/prompts" || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set lua.scripts_dir="$T/scripts" || exit 1
read -r -a RELAY <<<"$(relay_args)"

check "the caller is answered, sends the digit 1, and the plan hangs up at its end" \
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_dtmf.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
	-m 1 -mp "$(free_port 4)" -s 7301 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/dtmf.sipp-errors.log"
check "the script read the call's variables and its arguments" \
	grep -aq "digits.lua: 1000 -> 7301, greeting=hello, args=one|two words" "$T/s1.log"
check "the prompt played for the script" grep -aq "prompt 1 ended after [0-9]* ms: end" "$T/s1.log"
check "the media node reported the digit" grep -aq "digit 1 from the caller" "$T/s1.log"
check "getDigits returned it" grep -aq "digits.lua: got digit \[1\]" "$T/s1.log"
check "the plan read the variable the script set" grep -aq "after the script: got=1" "$T/s1.log"
check "the error is logged with its traceback" grep -aq "boom from bad.lua" "$T/s1.log"
check "the plan went on after the error" grep -aq "after the bad script" "$T/s1.log"
check "a script outside the folder is refused" grep -aq "lua(../outside.lua) not run" "$T/s1.log"
check "an input callback: the caller's digit breaks a 5 s prompt" \
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_dtmf.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
	-m 1 -mp "$(free_port 4)" -s 7302 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/callback.sipp-errors.log"
check "the callback got the digit" grep -aq "callback.lua: dtmf 1" "$T/s1.log"
check "the prompt stopped early (the node's PlaybackDone: stopped)" \
	grep -aqE "prompt [0-9]+ ended after ([0-9]{1,3}|[0-3][0-9]{3}) ms: stopped" "$T/s1.log"
check "streamFile returned to the script" grep -aq "callback.lua: streamFile returned" "$T/s1.log"
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 300 "sip:127.0.0.1:*"
check "no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
finish
