#!/usr/bin/env bash
# In-dialog requests relayed by the b2bua: in an answered call the caller's INFO
# (application/dtmf-relay, Signal=5) reaches the callee with its body and Content-Type and the
# callee's 200 comes back, a MESSAGE likewise, a 415 from the callee comes back as 415, a
# NOTIFY (Event: refer, message/sipfrag) keeps its Event and Subscription-State, the
# callee's MESSAGE reaches the caller, and an INFO the callee leaves unanswered gets 408. The
# INFO's digit is also the call's digit event, sent to the callee as a telephone-event.
# Outside a dialog INFO, MESSAGE and NOTIFY get 481; OPTIONS lists them in Allow.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# A short 64xT1: an unanswered relayed INFO gets 408 after 2 s.
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set sip.timer_t1x64_ms=2000 || exit 1
DB=$T/s1-state/tandem.db
CALLEE_PORT=$(free_port)
read -r -a RELAY <<<"$(relay_args)"

check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"

sipp_bg info-callee call_uas_info.xml "$CALLEE_PORT" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "caller: INFO 200, MESSAGE 200, INFO 415, NOTIFY 200, the callee's MESSAGE, INFO 408" \
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_info.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
	-m 1 -mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/info-caller.sipp-errors.log" \
	-trace_msg -message_file "$T/info-caller.sipp-messages.log"
check "callee: INFO, MESSAGE, INFO, NOTIFY, its MESSAGE answered 200, INFO, BYE" sipp_wait info-callee

# request N FILE: the Nth INFO or MESSAGE the callee received (request line, headers, body) as
# its message trace shows it (messages end at a line of dashes), into FILE.
request() {
	awk -v n="$1" '/^-----/{on = 0} /^(INFO|MESSAGE) sip:/{k++; on = 1} on && k == n' \
		"$T/info-callee.sipp-messages.log" | tr -d '\r' >"$2"
}
# the NOTIFY the callee received, likewise.
notify() {
	awk '/^-----/{on = 0} /^NOTIFY sip:/{on = 1} on' "$T/info-callee.sipp-messages.log" |
		tr -d '\r' >"$1"
}
has_line() { grep -qx -- "$2" "$1"; }
request 1 "$T/info1"
request 2 "$T/msg1"
check "INFO reached the callee" grep -q '^INFO sip:' "$T/info1"
check "INFO kept its Content-Type application/dtmf-relay" \
	has_line "$T/info1" 'Content-Type: application/dtmf-relay'
check "INFO kept its body Signal=5" has_line "$T/info1" 'Signal=5'
check "INFO kept its body Duration=160" has_line "$T/info1" 'Duration=160'
# The INFO's digit is the call's digit event, and the callee, which negotiated
# telephone-events, is sent it in that form too (SendDtmf to the media node).
check "the INFO's digit became an event: digit 5 from the caller, 160 ms" \
	grep -aq "digit 5 from the caller (160 ms)" "$T/s1.log"
check "the digit went to the callee as a telephone-event" \
	grep -aq "digit 5 from the caller's INFO sent to the callee as a telephone-event" "$T/s1.log"
check "MESSAGE reached the callee" grep -q '^MESSAGE sip:' "$T/msg1"
check "MESSAGE kept its Content-Type" has_line "$T/msg1" 'Content-Type: text/plain;charset=UTF-8'
check "MESSAGE kept its body" has_line "$T/msg1" 'Hello through the switch'
notify "$T/notify1"
check "NOTIFY reached the callee" grep -q '^NOTIFY sip:' "$T/notify1"
check "NOTIFY kept its Event" has_line "$T/notify1" 'Event: refer'
check "NOTIFY kept its Subscription-State" grep -q '^Subscription-State: active' "$T/notify1"
check "NOTIFY kept its Content-Type" has_line "$T/notify1" 'Content-Type: message/sipfrag;version=2.0'
check "NOTIFY kept its body" has_line "$T/notify1" 'SIP/2.0 200 OK'
check "the 415 is logged as the callee's answer" grep -aq 'INFO answered 415 by the callee' "$T/s1.log"
check "the callee's MESSAGE was relayed to the caller" grep -aq 'MESSAGE answered 200 by the caller' "$T/s1.log"
check "the unanswered INFO timed out with 408" grep -aq 'INFO answered 408 by the callee' "$T/s1.log"
check "all clear" wait_for 5 output_is 0 live_sessions "$m1_RPC"

# Outside a dialog there is nothing to relay to: 481, and the stack does not answer 200.
check "INFO, MESSAGE and NOTIFY outside a dialog: 481" timeout 30 sipp -sf "$SIPP_DIR/request_nodialog.xml" \
	"$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 -timeout 20s -timeout_error -nostdin

# allow_header: the Allow header of signald's answer to OPTIONS.
allow_header() {
	run_sipp opt options.xml "$s1_SIP" -trace_msg -message_file "$T/opt.sipp-messages.log" &&
		grep -a '^Allow:' "$T/opt.sipp-messages.log" | tail -1 | tr -d '\r'
}
allow=$(allow_header)
check "OPTIONS: Allow lists INFO, MESSAGE and NOTIFY ($allow)" \
	bash -c '[[ $1 == *" INFO,"* && $1 == *" MESSAGE,"* && $1 == *" NOTIFY,"* ]]' _ "$allow"
check "OPTIONS: Allow lists no REFER or SUBSCRIBE" \
	bash -c '[[ -n $1 && $1 != *REFER* && $1 != *SUBSCRIBE* ]]' _ "$allow"
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
finish
