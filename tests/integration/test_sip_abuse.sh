#!/usr/bin/env bash
# Hostile SIP against a real signald: a 300 kB INVITE over TCP and a 56 kB one over UDP are
# refused by the SIP stack ([sip] max_message_kb) at once; SDP over [codecs] max_sdp_bytes, max_formats or max_attributes
# is refused with 413/488 and a Warning before any parsing work, and the next call goes through;
# Contacts with maddr= or a transport signald does not serve are refused, and a contact is
# reached only at the address it registered from.
. "$(dirname "$0")/lib.sh"

ABUSE=$TANDEM_SRC/tests/integration/sipabuse.py
start_mediad m1 || exit 1
# 48 kB: below what one UDP datagram can carry, so the limit shows on UDP too.
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set sip.max_message_kb=48 || exit 1

check "300 kB INVITE over TCP: 413 at once" python3 "$ABUSE" "$s1_SIP" big-tcp
check "56 kB INVITE over UDP: 413 at once" python3 "$ABUSE" "$s1_SIP" big-udp
check "signald answers OPTIONS right after" "$SIPPING" "sip:$s1_SIP" 500
check "over-limit SDP: 413/488 with a Warning, then a normal call" python3 "$ABUSE" "$s1_SIP" sdp-caps
check "signald logged the refusal" grep -aq "SDP offer refused: SDP bytes" "$T/s1.log"
check "Contacts with maddr=/foreign transport refused; no INVITE elsewhere" \
	python3 "$ABUSE" "$s1_SIP" maddr
check "signald still answers OPTIONS" "$SIPPING" "sip:$s1_SIP" 500
check "signald stops cleanly on SIGTERM" stop_daemon s1
finish
