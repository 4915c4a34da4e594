#!/usr/bin/env bash
# A dialplan naming an application Tandem lacks: signald refuses to start with it (file, line,
# name), a SIGHUP with it keeps the plan that was loaded, and a SIGHUP with a good plan takes the
# new one for the next call.
. "$(dirname "$0")/lib.sh"

plan() { # plan FILE APPLICATION DATA: 7777 runs APPLICATION(DATA)
	cat >"$1" <<XML
<include>
  <context name="default">
    <extension name="only">
      <condition field="destination_number" expression="^7777\$">
        <action application="$2" data="$3"/>
      </condition>
    </extension>
  </context>
</include>
XML
}

plan "$T/bad.xml" say "en number"
out=$("$SIGNALD" --set "dialplan.file=$T/bad.xml" --set "signald.state_dir=$T" \
	--set "sip.listen=127.0.0.1:$(free_port)" 2>&1)
rc=$?
check "signald refuses to start with an unknown application" test "$rc" -ne 0 -a "$rc" -lt 128
check "the error names the file, the line and the application" \
	grep -q "bad.xml:5: <action application=\"say\">: unknown application 'say'" <<<"$out"

DIALPLAN=$T/dialplan.xml
plan "$DIALPLAN" hangup USER_BUSY
start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1

call() { # call NAME STATUS
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_fail.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
		-m 1 -mp "$(free_port 4)" -s 7777 -au 1000 -ap 1234 -set caller 1000 -set status "$2" \
		-timeout 20s -timeout_error -nostdin -trace_err -error_file "$T/$1.sipp-errors.log" \
		>"$T/$1.sipp.log" 2>&1
}
hup() { kill -HUP "$(cat "$T/s1.pid")"; }

check "the loaded plan: 486" call first 486
cp "$DIALPLAN" "$T/good.xml"
plan "$DIALPLAN" conference room
hup
check "SIGHUP with an unknown application: reload refused" \
	wait_for 5 grep -aq "dialplan reload failed, keeping the previous plan: .*dialplan.xml:5: <action application=\"conference\">: unknown application 'conference'" "$T/s1.log"
check "the previous plan still routes: 486" call kept 486
plan "$DIALPLAN" hangup CALL_REJECTED
hup
check "SIGHUP with a good plan: reloaded" wait_for 5 grep -aq "dialplan reloaded from" "$T/s1.log"
check "the new plan routes: 603" call new 603
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
finish
