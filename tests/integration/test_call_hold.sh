#!/usr/bin/env bash
# Held calls and the media timeouts: with [rtp] timeout_s=2 on the node, a call put on hold
# (re-INVITE a=sendonly, answered a=recvonly) and sending no RTP stays up past it, while a call
# not on hold without RTP is still ended; with [call] media_hold_timeout_s set, the held call is
# ended after that instead.
. "$(dirname "$0")/lib.sh"

start_mediad m1 --set rtp.timeout_s=2 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
DB=$T/s1-state/tandem.db
P2=$(free_port)
read -r -a RELAY <<<"$(relay_args)"

caller() { # caller NAME SCENARIO [args]
	local name=$1 scen=$2; shift 2
	timeout 90 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$name-caller.sipp-errors.log" \
		"$@" >"$T/$name-caller.sipp.log" 2>&1
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr ORDER BY rowid DESC LIMIT 1"; }
all_clear() {
	wait_for 5 output_is 0 live_sessions "$m1_RPC" &&
		wait_for 5 output_is 0 sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs'
}
# elapsed_at_least MS START_NS: at least MS ms have passed since START_NS (date +%s%N).
elapsed_at_least() { (($(date +%s%N) - $2 >= $1 * 1000000)); }

check "1001 registers" register_user reg 1001 "$P2"

# Held for 4 s without RTP (twice the media timeout): the caller's BYE still gets 200.
sipp_bg held-callee call_uas_held.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "held call: stays up past [rtp] timeout_s, the caller's BYE gets 200" \
	caller held call_uac_hold_wait.xml -d 4000
check "held call: the callee sees the hold and the caller's BYE" sipp_wait held-callee
check "held call: cause NORMAL_CLEARING" wait_for 5 output_is NORMAL_CLEARING cdr hangup_cause
check "held call: no RtpTimeout raised" bash -c "! grep -q 'RtpTimeout' '$T/m1.log'"
check "held call: all clear" all_clear

# Not on hold and no RTP: still ended by the media timeout.
sipp_bg unheld-callee call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "unheld call without RTP: the caller gets a BYE" caller unheld call_uac_wait_bye.xml
check "unheld call without RTP: the callee gets a BYE" sipp_wait unheld-callee
check "unheld call without RTP: cause MEDIA_TIMEOUT" wait_for 5 output_is MEDIA_TIMEOUT cdr hangup_cause
check "unheld call without RTP: all clear" all_clear

# A hold timeout of 4 s: the held call is ended after it, not after the 2 s media timeout.
stop_daemon s1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set call.media_hold_timeout_s=4 || exit 1
check "1001 registers again" register_user reg2 1001 "$P2"
sipp_bg holdto-callee call_uas_held.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
start=$(date +%s%N)
check "hold timeout: the held caller gets a BYE" caller holdto call_uac_hold_bye.xml
check "hold timeout: not before [call] media_hold_timeout_s" elapsed_at_least 4000 "$start"
check "hold timeout: the callee gets a BYE" sipp_wait holdto-callee
check "hold timeout: cause MEDIA_TIMEOUT" wait_for 5 output_is MEDIA_TIMEOUT cdr hangup_cause
check "hold timeout: all clear" all_clear

finish
