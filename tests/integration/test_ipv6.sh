#!/usr/bin/env bash
# IPv6 on loopback with SIPp (-i ::1): signald listening on [::1], a media node binding ::1. A
# callee registers over UDP and a caller calls it with an SDP offer c=IN IP6 ::1: the callee's
# INVITE must name its contact bracketed, reach it at its source, carry a bracketed Contact and
# Via, and both offer and answer point at the node (c=IN IP6 ::1, its ports), RTP echoed through
# it (counted in the CDR); then a registration over TCP from ::1. Addresses in signald's logs are bracketed.
. "$(dirname "$0")/lib.sh"
if ! python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null; then
	log "SKIP: no IPv6 loopback (::1) on this machine"
	exit 77
fi

start_mediad m1 --set rtp.bind_ip=::1 || exit 1
SIGNALD_IP=::1 start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
DB=$T/s1-state/tandem.db
RELAY=(-set relay_ip ::1 -set relay_port_min "$m1_PORT_MIN" -set relay_port_max $((m1_PORT_MIN + 199)))
P2=$(free_port)
sipp6() { # sipp6 NAME SCENARIO PORT [args]: one bounded SIPp run from [::1]:PORT
	local name=$1 scen=$2 port=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i ::1 -p "$port" -m 1 -timeout 30s \
		-timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		-trace_msg -message_file "$T/$name.sipp-messages.log" "$@" >"$T/$name.sipp.log" 2>&1
}

check "signald listens on $s1_SIP" grep -q "SIP on \[::1\]:[0-9]* (udp, tcp)" "$T/s1.log"
check "1001 registers from [::1]:$P2 over UDP" sipp6 reg call_register.xml "$P2" -s 1001 -au 1001 -ap 1234
check "the binding holds the bracketed contact and the bare source address" sql_is "$DB" \
	"select contact || ' ' || network_ip || ' ' || network_proto from sip_registrations where sip_user = '1001'" \
	"sip:1001@[::1]:$P2;transport=UDP ::1 udp"
check "the REGISTER's source is logged bracketed" \
	grep -q "'1001' REGISTER accepted from udp \[::1\]:$P2 " "$T/s1.log"

sipp_bg callee call_uas.xml "$P2" -i ::1 -p "$P2" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
# sipp_bg aims at $s1_SIP with -i 127.0.0.1 first; the later -i ::1 wins.
check "the call from [::1] completes, the answer pointing at the node (c=IN IP6 ::1)" \
	sipp6 caller call_uac.xml "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 \
	-set caller 1000 "${RELAY[@]}" -d 2500
check "the callee completes, its offer pointing at the node" sipp_wait callee
msgs=$T/callee.sipp-messages.log
check "the callee's INVITE names its contact bracketed" grep -q "^INVITE sip:1001@\[::1\]:$P2;transport=UDP SIP/2.0" "$msgs"
check "the callee's INVITE carries signald's Contact bracketed" grep -qi "^Contact: <sip:\[::1\]:[0-9]*>" "$msgs"
check "the callee's INVITE carries a bracketed Via" grep -q "^Via: SIP/2.0/UDP \[::1\]:[0-9]*;" "$msgs"
check "signald sent it to the source it registered from, bracketed" \
	grep -q "calling sip:1001@\[::1\]:$P2;transport=UDP via sip:\[::1\]:$P2;transport=udp" "$T/s1.log"
check "mediad has no session left" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no dialog left" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
check "the CDR records a normal clearing" \
	sql_is "$DB" "select hangup_cause from cdr order by rowid desc limit 1" NORMAL_CLEARING
cdr() { sql "$DB" "select $1 from cdr order by rowid desc limit 1"; }
check "RTP from the caller reached mediad over IPv6 ($(cdr rtp_packets_a) packets)" test "$(cdr rtp_packets_a)" -gt 50
check "the callee's echo came back through mediad ($(cdr rtp_packets_b) packets)" test "$(cdr rtp_packets_b)" -gt 50

P3=$(free_port)
check "1002 registers from [::1]:$P3 over TCP" sipp6 reg-tcp call_register.xml "$P3" -t t1 -s 1002 -au 1002 -ap 1234
check "its binding is TCP from ::1" sql_is "$DB" \
	"select network_ip || ' ' || network_proto from sip_registrations where sip_user = '1002'" "::1 tcp"
check "signald stops cleanly" stop_daemon s1
finish
