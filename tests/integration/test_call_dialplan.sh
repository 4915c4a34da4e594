#!/usr/bin/env bash
# Calls routed by an XML dialplan of the test's own: an alias number bridged to a user through a
# regex capture, a per-call ring time set by a `set` action, a refusal with a chosen cause, and
# an `${var}` condition fed by the caller's directory variables.
. "$(dirname "$0")/lib.sh"

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="busy-line">
      <condition field="destination_number" expression="^2000$">
        <action application="hangup" data="USER_BUSY"/>
      </condition>
    </extension>
    <extension name="short-ring">
      <condition field="destination_number" expression="^3(\d{3})$">
        <action application="set" data="call_timeout=1"/>
        <action application="bridge" data="user/1$1"/>
      </condition>
    </extension>
    <extension name="alias">
      <condition field="destination_number" expression="^4(\d{3})$">
        <action application="bridge" data="user/1$1"/>
      </condition>
    </extension>
    <extension name="by-caller-variable">
      <condition field="${effective_caller_id_number}" expression="^1000$"/>
      <condition field="destination_number" expression="^5555$">
        <action application="hangup" data="CALL_REJECTED"/>
      </condition>
    </extension>
    <extension name="rest">
      <condition field="destination_number" expression="^.*$">
        <action application="hangup" data="UNALLOCATED_NUMBER"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
CALLEE_PORT=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"

caller() { # caller NAME SCENARIO DIALLED [args]
	local name=$1 scen=$2 dialled=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		"$@" >"$T/$name.sipp.log" 2>&1
}

check "hangup USER_BUSY: 486" caller busy call_uac_fail.xml 2000 -set status 486
check "\${var} condition from the caller's directory variables: 603" caller var call_uac_fail.xml 5555 -set status 603
check "no matching extension but the catch-all: 404" caller rest call_uac_fail.xml 7777 -set status 404

sipp_bg alias-callee call_uas.xml "$CALLEE_PORT" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "alias 4001 bridged to user 1001" caller alias call_uac.xml 4001 -d 300
check "alias: callee answered" sipp_wait alias-callee

sipp_bg short-callee call_uas_ring.xml "$CALLEE_PORT" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
SECONDS=0
check "set call_timeout=1: 480 after a short ring" caller short call_uac_fail.xml 3001 -set status 480
check "the ring lasted about 1 s, not [call] timeout_s" test "$SECONDS" -lt 5
check "short ring: callee cancelled" sipp_wait short-callee
check "signald logged the extension" grep -aq "context default, extension short-ring" "$T/s1.log"
finish
