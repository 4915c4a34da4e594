#!/usr/bin/env bash
# Digits sent as SIP INFO (application/dtmf-relay) are the call's digit events. In a bridged
# call the INFO is relayed to the callee as before, and since the callee negotiated
# telephone-events the media node also sends it the digit as RFC 4733 events (the form it
# negotiated): its RTP receiver sees the event. While a script collects digits
# (session:getDigits) the INFO is answered by the switch, the digit goes to the script and
# reaches the callee in neither form.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/scripts"
cat >"$T/scripts/collect.lua" <<'LUA'
local d = session:getDigits(1, "", 5000)
freeswitch.consoleLog("info", "collect.lua: got [" .. d .. "]\n")
LUA

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="bridged">
      <condition field="destination_number" expression="^7501$">
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="collected">
      <condition field="destination_number" expression="^7502$">
        <!-- the callee answers PCMA only: the caller is answered with it -->
        <action application="set" data="codec_string=PCMA"/>
        <action application="answer"/>
        <action application="lua" data="collect.lua"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set lua.scripts_dir="$T/scripts" || exit 1
P1=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$P1"

call() { # call NAME DIALLED DIGIT: the callee's RTP is taken by rtp_sink.py
	local name=$1 dialled=$2 digit=$3 rtp sink
	rtp=$(free_port)
	python3 "$(dirname "$0")/rtp_sink.py" "$rtp" 6 "$T/$name.heard" &
	sink=$!
	wait_for 5 test -e "$T/$name.heard.ready"
	sipp_bg "$name-callee" call_uas_listen.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}" \
		-set rtp_port "$rtp"
	sleep 0.3
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_info_digit.xml" "$s1_SIP" -i 127.0.0.1 \
		-p "$(free_port)" -m 1 -mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 \
		-set caller 1000 -set digit "$digit" "${RELAY[@]}" -d 2000 -timeout 30s \
		-timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		>"$T/$name.sipp.log" 2>&1 && sipp_wait "$name-callee"
	local rc=$?
	wait "$sink"
	log "$name: the callee heard $(tr '\n' ' ' <"$T/$name.heard")"
	return $rc
}
heard() { sed -n "s/^$2=//p" "$T/$1.heard"; }

check "bridged call: the caller's INFO (digit 5) is answered 200" call bridged 7501 5
check "the INFO's digit is the call's event" grep -aq "digit 5 from the caller (160 ms)" "$T/s1.log"
check "the INFO was relayed to the callee as before" grep -aq "INFO answered 200 by the callee" "$T/s1.log"
check "the callee also got the digit as RFC 4733 events" test "$(heard bridged events)" = 5
check "with its end repeated (3 or more packets)" test "$(heard bridged event_packets)" -ge 3

check "a script collecting digits: the caller's INFO (digit 7) is answered 200" call collected 7502 7
check "the script got the digit" grep -aq "collect.lua: got \[7\]" "$T/s1.log"
check "the callee got no event" test "$(heard collected events)" = none
check "and no INFO" test "$(grep -ac "INFO answered 200 by the callee" "$T/s1.log")" -eq 1
check "no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
finish
