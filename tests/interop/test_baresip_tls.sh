#!/usr/bin/env bash
# baresip 1010 registers over TLS ([sip] tls_listen, a self-signed certificate it trusts through
# sip_cafile), baresip 1011 over UDP: signald stores a TLS binding, and calls run both ways with
# one leg on TLS and the other on UDP. Each leg carries our Contact on its own transport (sips:
# or transport=tls only towards the TLS phone, a plain sip: one towards the UDP phone, which it
# would refuse otherwise); each phone hears the other's tone through mediad.
. "$(dirname "$0")/../integration/lib.sh"
. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq openssl

make_cert "$T/tls" || { log "openssl could not make a certificate"; exit 1; }
tls_port=$(free_port)
SIPS=127.0.0.1:$tls_port
start_demo --set "sip.tls_listen=$SIPS" --set "sip.tls_cert_dir=$T/tls" || exit 1
check "signald listens on TLS" grep -q "and $SIPS (tls)" "$T/signald.log"
UA_TRANSPORT=tls start_phone 1010 440
UA_TRANSPORT=udp start_phone 1011 1000
check "1010 registers over TLS, 1011 over UDP" wait_for 10 eval \
	'sql_is "$DB" "select network_proto from sip_registrations where sip_user = '"'1010'"'" tls &&
	 sql_is "$DB" "select network_proto from sip_registrations where sip_user = '"'1011'"'" udp'
# SIP messages as baresip traced them, colours stripped
trace() { sed 's/\x1b\[[0-9;]*m//g' "$T/ua$1.log"; }
# the Contact lines of the messages signald sent to USER (after baresip's "-> local" hop line)
contacts_to() {
	trace "$1" | awk '/^ *(UDP|TLS) .* -> /{from_us = ($0 ~ /'"$sip_port"' ->|'"$tls_port"' ->/)} from_us && /^Contact:/'
}

mark 1010 1011
ctl 1010 dial 1011
check "1011 (UDP) rings from 1010 (TLS)" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
ctl 1011 accept
check "the TLS-to-UDP call is established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
sleep 2.5
check "RTP flows from both phones" rtp_flows
ctl 1010 hangup
check "hangup from the TLS caller ends the call on 1011" \
	wait_for 10 count_is 1 "$T/ua1011.log" "Call with sip:1010@.* terminated"
check "mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 (TLS) heard 1011's 1000 Hz tone" eval 'recording 1010 call1 && heard "$T/call1/heard-by-1010.wav" 1000'
check "1011 (UDP) heard 1010's 440 Hz tone" eval 'recording 1011 call1 && heard "$T/call1/heard-by-1011.wav" 440'

ctl 1011 dial 1010
check "1010 (TLS) rings from 1011 (UDP), over the connection it registered on" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Incoming call from"
ctl 1010 accept
check "the UDP-to-TLS call is established on both phones" wait_for 10 eval \
	'count_is 2 "$T/ua1010.log" "Call established" && count_is 2 "$T/ua1011.log" "Call established"'
ctl 1011 hangup
check "hangup from the UDP caller ends the call on 1010" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Call with sip:1011@.* terminated"
contacts_to 1011 >"$T/contacts-1011"
contacts_to 1010 >"$T/contacts-1010"
log "Contacts sent to 1011 (UDP): $(sort -u "$T/contacts-1011" | tr '\n' ' ')"
log "Contacts sent to 1010 (TLS): $(sort -u "$T/contacts-1010" | tr '\n' ' ')"
check "1011 (UDP) got our Contact in the INVITE and the 200 (two calls)" \
	eval '[ "$(grep -c "^Contact: <sip:127.0.0.1:$sip_port>" "$T/contacts-1011")" -ge 2 ]'
check "no sips: or transport=tls Contact reached the UDP phone" \
	eval '! grep -qi "sips:\|transport=tls" "$T/contacts-1011"'
check "1010 (TLS) got our TLS Contact in the INVITE and the 200 (two calls)" \
	eval '[ "$(grep -c "^Contact: <sip:127.0.0.1:$tls_port;transport=tls>" "$T/contacts-1010")" -ge 2 ]'
check "every SDP 1010 received points at mediad" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIPS" "$rtp_min" "$rtp_max" --min 1
check "every SDP 1011 received points at mediad" \
	"${UACTL[@]}" sdp "$T/ua1011.log" "$SIP" "$rtp_min" "$rtp_max" --min 1
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out"
ctl 1010 quit
ctl 1011 quit
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1011 exits on quit" stop_daemon ua1011
check "signald stops cleanly" stop_daemon signald
check "mediad stops cleanly" stop_daemon mediad
finish
