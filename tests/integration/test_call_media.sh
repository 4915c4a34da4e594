#!/usr/bin/env bash
# Media-side behaviour of calls: forking to two registered contacts (first 200 wins, the other is
# cancelled), RTP timeout hangs the call up both ways with MEDIA_TIMEOUT, malformed or unusable
# SDP offers get 400/488 and leave nothing behind, a BYE for an unknown dialog gets 481.
. "$(dirname "$0")/lib.sh"

start_mediad m1 --set rtp.timeout_s=2 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
DB=$T/s1-state/tandem.db
P1=$(free_port)
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

check "1001 registers from two contacts (1)" register_user reg1 1001 "$P1"
check "1001 registers from two contacts (2)" register_user reg2 1001 "$P2"

# Forking: contact 1 only rings, contact 2 answers; contact 1 must be cancelled.
sipp_bg fork-ring call_uas_ring.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg fork-answer call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "fork: the call is answered and hung up" caller fork call_uac.xml -d 500
check "fork: the answering contact completes" sipp_wait fork-answer
check "fork: the ringing contact is cancelled" sipp_wait fork-ring
check "fork: all clear" all_clear

# RTP timeout: no media flows, mediad reports it after 2 s, signald sends BYE both ways.
sipp_bg rtpto-callee call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg rtpto-ring call_uas_ring.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "rtp timeout: the caller gets a BYE" caller rtpto call_uac_wait_bye.xml \
	-trace_msg -message_file "$T/rtpto-caller.sipp-messages.log"
check "rtp timeout: the callee gets a BYE" sipp_wait rtpto-callee
sipp_wait rtpto-ring
check "rtp timeout: cause MEDIA_TIMEOUT" wait_for 5 output_is MEDIA_TIMEOUT cdr hangup_cause
# bye_reason LOG: the Reason header of the BYE SIPp received, as its message trace shows it.
bye_reason() { awk '/^BYE /{b=1} b&&/^Reason:/{print; exit} /^$/{b=0}' "$1" | tr -d '\r'; }
for side in caller callee; do
	check "rtp timeout: the $side's BYE says why ($(bye_reason "$T/rtpto-$side.sipp-messages.log"))" \
		test "$(bye_reason "$T/rtpto-$side.sipp-messages.log")" = 'Reason: Tandem;cause=804;text="MEDIA_TIMEOUT"'
done
check "rtp timeout: all clear" all_clear

# Early media: the callee's 183 with SDP reaches the caller pointing at mediad, then the 200.
sipp_bg early-callee call_uas_early.xml "$P2" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sipp_bg early-ring call_uas_ring.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "early media: 183 with SDP at mediad, then 200" caller early call_uac_early.xml -d 500
check "early media: callee completes" sipp_wait early-callee
sipp_wait early-ring
check "early media: all clear" all_clear

# Strict source: on loopback each phone's SDP names the address its SIP came from, so signald
# asks the node for strict source (media pinned to SDP's addresses), and keeps it after the
# answer; nothing changed the options.
strict_session() { "$MEDIACTL" -e "$m1_RPC" --json list | grep -q '"strict_source":true'; }
options_changes() { grep -c "new options" "$T/m1.log"; }
sipp_bg strict-callee call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sipp_bg strict-ring call_uas_ring.xml "$P1" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
changes_before=$(options_changes)
caller strict call_uac.xml -d 2500 &
strict_pid=$!
check "strict source: the session of a call between direct phones is strict" wait_for 5 strict_session
sleep 1
check "strict source: still strict once answered" strict_session
wait "$strict_pid"
check "strict source: the call completes" sipp_wait strict-callee
sipp_wait strict-ring
check "strict source: options never changed" test "$(options_changes)" = "$changes_before"
check "strict source: all clear" all_clear

# NAT: 1002's contact names an address nothing listens on; the INVITE must go to the address
# its REGISTER came from.
P3=$(free_port)
check "1002 registers a private contact" timeout 60 sipp -sf "$SIPP_DIR/call_register_nat.xml" \
	"$s1_SIP" -i 127.0.0.1 -p "$P3" -s 1002 -au 1002 -ap 1234 -m 1 -timeout 20s -timeout_error \
	-nostdin >"$T/regnat.sipp.log" 2>&1
check "NAT: the registration is marked nat" test "$(sqlite3 "$DB" "SELECT nat FROM sip_registrations WHERE sip_user='1002'")" = 1
sipp_bg nat-callee call_uas_nat.xml "$P3" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "NAT: the call reaches the contact through its NAT binding" caller nat call_uac.xml -s 1002 -d 300
check "NAT: callee completes" sipp_wait nat-callee
check "NAT: the INVITE kept the contact as Request-URI" grep -q "INVITE sip:1002@127.0.0.99:5999" "$T/nat-callee.sipp-messages.log"
check "NAT: the callee's answer turned strict source off (its leg learns)" \
	test "$(options_changes)" -gt "$changes_before"
check "NAT: all clear" all_clear

# Offers that cannot be used.
check "SDP without c=: 400" caller noc call_uac_sdp_noc.xml -set status 400
check "SDP with unknown codecs only: 488" caller codecs call_uac_sdp_codecs.xml -set status 488
check "SDP with 100 m-lines: 488" caller many call_uac_sdp_many.xml -set status 488
check "SDP with a bad port: 400" caller port call_uac_sdp_port.xml -set status 400
check "SDP naming a multicast address (refused by the media node): 488" \
	caller maddr call_uac_sdp_addr.xml -set addr 224.0.0.1 -set status 488
check "bad offers: all clear" all_clear
check "BYE for an unknown dialog: 481" run_sipp byeunk bye_unknown.xml "$s1_SIP"
check "signald still answers" "$SIPPING" "sip:$s1_SIP" 1000
finish
