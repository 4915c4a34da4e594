#!/usr/bin/env bash
# SRTP (SDES) with real phones: baresip 1.0.0 with mediaenc=srtp-mand against signald and mediad
# started with the demo config, the directory giving 1010 and 1011 `srtp = mandatory`:
#  - 1010 (SRTP) calls 1011 (SRTP): both legs are SRTP with keys of their own (SRTP <-> SRTP),
#    each phone hears the other's tone;
#  - 1010 (SRTP) calls 1012 (plain RTP, the default policy): SRTP <-> RTP, each hears the other;
#  - 1012 (plain) calls 1011, whose policy is mandatory: 1011 is offered RTP/SAVP, and the call
#    with a plain caller works the other way round (RTP <-> SRTP).
# No packet fails SRTP in mediad during the calls, and it holds no session afterwards.
# SRTP_SIP=tls (interop.test_baresip_srtp_tls): 1010 and 1011 register and call over SIP over
# TLS, so that their keys never cross the network in clear; 1012 stays on UDP.
. "$(dirname "$0")/../integration/lib.sh"

. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq
[ -f /usr/lib/baresip/modules/srtp.so ] || { log "SKIP: baresip has no srtp module"; exit 77; }

sed -e 's|<user id="1010">|&<variables><variable name="srtp" value="mandatory"/></variables>|' \
	-e 's|<user id="1011">|&<variables><variable name="srtp" value="mandatory"/></variables>|' \
	"$DEMO/directory.xml" >"$T/directory.xml"
tls_args=()
if [ "${SRTP_SIP:-udp}" = tls ]; then
	need_tools openssl
	make_cert "$T/tls" || { log "openssl could not make a certificate"; exit 1; }
	SIPS=127.0.0.1:$(free_port)
	tls_args=(--set "sip.tls_listen=$SIPS" --set "sip.tls_cert_dir=$T/tls")
fi
start_demo --set "directory.path=$T/directory.xml" "${tls_args[@]}" || exit 1
UA_TRANSPORT=${SRTP_SIP:-udp} start_phone 1010 440 srtp-mand
UA_TRANSPORT=${SRTP_SIP:-udp} start_phone 1011 1000 srtp-mand
UA_TRANSPORT=udp start_phone 1012 700
check "1010, 1011 and 1012 register" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011','1012')" 3
if [ "${SRTP_SIP:-udp}" = tls ]; then
	check "1010 and 1011 registered over TLS" \
		sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011') and network_proto = 'tls'" 2
fi

# srtp_failed LEG: packets of that leg mediad dropped for failing SRTP.
srtp_failed() {
	"$MEDIACTL" -e "$RPC" --json list | jq -r ".list_sessions_reply.sessions[0].leg_$1.streams[0].rtp.srtp_failed // 0"
}

# call NUM CALLER CALLEE HZ_CALLER HZ_CALLEE SUITE_A SUITE_B: dial, accept, 2.5 s of audio, caller hangs up; checks the tones.
call() {
	local n=$1 from=$2 to=$3 hz_from=$4 hz_to=$5 a=$6 b=$7
	local est_from est_to
	est_from=$(($(grep -c "Call established" "$T/ua$from.log") + 1))
	est_to=$(($(grep -c "Call established" "$T/ua$to.log") + 1))
	ctl "$from" dial "$to"
	check "call $n: $to rings" wait_for 10 count_is "$est_to" "$T/ua$to.log" "Incoming call from"
	ctl "$to" accept
	check "call $n: established on both phones" wait_for 10 eval \
		"count_is $est_from \"$T/ua$from.log\" 'Call established' && count_is $est_to \"$T/ua$to.log\" 'Call established'"
	check "call $n: mediad's legs are $a / $b" wait_for 5 eval \
		"[ \"\$(srtp_of a)\" = $a ] && [ \"\$(srtp_of b)\" = $b ]"
	check "call $n: RTP flows from both phones" rtp_flows
	check "call $n: no packet failed SRTP on either leg" eval '[ "$(srtp_failed a)" = 0 ] && [ "$(srtp_failed b)" = 0 ]'
	sleep 1.5
	ctl "$from" hangup
	check "call $n: mediad has no session after the hangup" wait_for 5 output_is 0 live_sessions "$RPC"
	check "call $n: $from heard $to's $hz_to Hz tone" \
		eval "recording $from call$n && heard \"$T/call$n/heard-by-$from.wav\" $hz_to"
	check "call $n: $to heard $from's $hz_from Hz tone" \
		eval "recording $to call$n && heard \"$T/call$n/heard-by-$to.wav\" $hz_from"
	rm -f "$T"/ua*/rec/*.wav
}

call 1 1010 1011 440 1000 SRTP_AES_CM_128_HMAC_SHA1_80 SRTP_AES_CM_128_HMAC_SHA1_80
call 2 1010 1012 440 700 SRTP_AES_CM_128_HMAC_SHA1_80 SRTP_SUITE_NONE
call 3 1012 1011 700 1000 SRTP_SUITE_NONE SRTP_AES_CM_128_HMAC_SHA1_80
for u in 1010 1011 1012; do ctl "$u" quit; done
for u in 1010 1011 1012; do check "baresip $u exits on quit" stop_daemon "ua$u"; done
check "signald stops cleanly" stop_daemon signald
finish
