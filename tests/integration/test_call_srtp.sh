#!/usr/bin/env bash
# SRTP calls through signald and mediad (SDES): SIPp sets the calls up with a=crypto in its SDP,
# srtp_probe (libsrtp2) plays both phones' media on the ports their SDP named, with the keys
# their SDP and ours carried.
#  - SRTP caller -> plain callee (the callee's policy is off): B is offered plain RTP without any
#    key, audio crosses both ways decrypted and encrypted, a tampered SRTP packet and a replayed
#    one are dropped and counted in srtp_failed;
#  - SRTP caller -> callee the dialplan makes `srtp=optional`: B is offered RTP/AVP with fresh
#    keys of its own and answers one: SRTP <-> SRTP with other keys both ways;
#  - `srtp=mandatory` on the callee: RTP/SAVP is offered, and a callee answering plain RTP ends
#    the call;
#  - a re-INVITE with a new key keeps audio, under new keys both ways; so does an UPDATE;
#  - an SRTP caller the dialplan answers itself (`answer` before `bridge`) gets RTP/SAVP with a
#    key of ours in signald's own 200, and media crosses to a plain callee;
#  - no key of either phone or of ours appears in signald's or mediad's log.
. "$(dirname "$0")/lib.sh"
PROBE=$TANDEM_BUILD/tests/integration/srtp_probe

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="srtp-optional">
      <condition field="destination_number" expression="^2(10[01][0-9])$">
        <action application="set" data="srtp=optional"/>
        <action application="bridge" data="user/$1"/>
      </condition>
    </extension>
    <extension name="srtp-mandatory">
      <condition field="destination_number" expression="^3(10[01][0-9])$">
        <action application="set" data="srtp=mandatory"/>
        <action application="bridge" data="user/$1"/>
      </condition>
    </extension>
    <extension name="answered-first">
      <condition field="destination_number" expression="^5(10[01][0-9])$">
        <action application="answer"/>
        <action application="bridge" data="user/$1"/>
      </condition>
    </extension>
    <extension name="local">
      <condition field="destination_number" expression="^(10[01][0-9])$">
        <action application="bridge" data="user/$1"/>
      </condition>
    </extension>
  </context>
</include>
XML
export DIALPLAN
start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" || exit 1
read -r -a RELAY <<<"$(relay_args)"
P2=$(free_port)
check "1001 registers" register_user reg 1001 "$P2"

newkey() { head -c 30 /dev/urandom | base64 -w0; }
KEYS=()
# media_port LOG OWN: the m=audio port in a SIPp message log other than the phone's own.
media_port() { grep -ao 'm=audio [0-9]* RTP/S\?AVP' "$1" | awk '{print $2}' | grep -vx "$2" | tail -n 1; }
# our_key LOG PHONEKEY: the tag-1 AES_CM_128_HMAC_SHA1_80 key in a SIPp log other than the phone's.
our_key() {
	grep -ao 'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/=]*' "$1" |
		sed 's/.*inline://' | grep -vxF "$2" | tail -n 1
}
srtp_failed_a() {
	"$MEDIACTL" -e "$m1_RPC" --json list |
		jq '[.list_sessions_reply.sessions[].leg_a.streams[0].rtp.srtp_failed // 0] | add // 0'
}

# call NAME DEST CALLEE_PROTO [UAS UAC args...]: SIPp callee and caller with fresh keys; sets
# KA KB A B.
call() {
	local name=$1 dest=$2 proto=$3 uas=${4:-call_uas_srtp.xml} uac=${5:-call_uac_srtp.xml}
	shift 5 2>/dev/null || shift $#
	KA=$(newkey) KB=$(newkey)
	KEYS+=("$KA" "$KB")
	A=$(free_port 2) B=$(free_port 2)
	sipp_bg "$name-callee" "$uas" "$P2" -mp "$(free_port 4)" -set rtp "$B" \
		-set proto "$proto" -set key "$KB" "${RELAY[@]}"
	sleep 0.3
	sipp_bg "$name-caller" "$uac" "$(free_port)" -s "$dest" -au 1000 -ap 1234 \
		-set caller 1000 -mp "$(free_port 4)" -set rtp "$A" -set key "$KA" -d 4000 \
		"${RELAY[@]}" "$@"
}
# probe NAME A_SPEC B_SPEC WHAT: srtp_probe with its output kept and shown on failure.
probe() {
	if "$PROBE" "$2" "$3" >"$T/probe-$1.out" 2>&1; then
		pass "$4 ($(grep -c '^ok:' "$T/probe-$1.out") checks)"
	else
		fail "$4"
		cat "$T/probe-$1.out"
	fi
}

# 1. SRTP caller, plain callee.
call plain 1001 RTP/AVP
has_answer() { [ -n "$(media_port "$1" "$2")" ]; }
check "srtp->rtp: the caller got its answer" wait_for 10 has_answer "$T/plain-caller.sipp-messages.log" "$A"
MA=$(media_port "$T/plain-caller.sipp-messages.log" "$A")
MB=$(media_port "$T/plain-callee.sipp-messages.log" "$B")
KA_RX=$(our_key "$T/plain-caller.sipp-messages.log" "$KA")
KEYS+=("$KA_RX")
check "srtp->rtp: the caller is answered RTP/SAVP with a key of ours" test -n "$KA_RX" -a -n "$MA"
check "srtp->rtp: the callee is offered plain RTP/AVP" grep -aq "m=audio $MB RTP/AVP" "$T/plain-callee.sipp-messages.log"
check "srtp->rtp: the callee's offer has no a=crypto" \
	test "$(grep -ac 'a=crypto' "$T/plain-callee.sipp-messages.log")" = 1 # its own answer's only
if "$PROBE" "$A:$MA:1:$KA:$KA_RX" "$B:$MB:plain" >"$T/probe-plain.out" 2>&1; then
	pass "srtp->rtp: media both ways, tampered and replayed packets dropped ($(grep -c '^ok:' "$T/probe-plain.out") checks)"
else
	fail "srtp->rtp: media"
	cat "$T/probe-plain.out"
fi
check "srtp->rtp: the node counted 2 packets failing SRTP on the caller's leg" test "$(srtp_failed_a)" = 2
check "srtp->rtp: the caller completes" sipp_wait plain-caller
check "srtp->rtp: the callee completes" sipp_wait plain-callee

# 2. SRTP caller, callee with srtp=optional answering our offer with a key of its own.
call both 21001 RTP/AVP
check "srtp->srtp: the caller got its answer" wait_for 10 has_answer "$T/both-caller.sipp-messages.log" "$A"
MA=$(media_port "$T/both-caller.sipp-messages.log" "$A")
MB=$(media_port "$T/both-callee.sipp-messages.log" "$B")
KA_RX=$(our_key "$T/both-caller.sipp-messages.log" "$KA")
KB_RX=$(our_key "$T/both-callee.sipp-messages.log" "$KB")
KEYS+=("$KA_RX" "$KB_RX")
check "srtp->srtp: the callee is offered RTP/AVP with a key per suite (best effort)" \
	test "$(grep -ac 'a=crypto:[1-4] ' "$T/both-callee.sipp-messages.log")" = 5
check "srtp->srtp: each leg has keys of its own" test -n "$KB_RX" -a "$KB_RX" != "$KA_RX" -a "$KB_RX" != "$KA"
if "$PROBE" "$A:$MA:1:$KA:$KA_RX" "$B:$MB:1:$KB:$KB_RX" >"$T/probe-both.out" 2>&1; then
	pass "srtp->srtp: media both ways re-encrypted ($(grep -c '^ok:' "$T/probe-both.out") checks)"
else
	fail "srtp->srtp: media"
	cat "$T/probe-both.out"
fi
check "srtp->srtp: the caller completes" sipp_wait both-caller
check "srtp->srtp: the callee completes" sipp_wait both-callee

# 3. srtp=mandatory on the callee: RTP/SAVP offered; a plain answer ends the call.
sipp_bg mand-callee call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
timeout 60 sipp -sf "$SIPP_DIR/call_uac.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 31001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" -d 3000 \
	-timeout 30s -nostdin -trace_msg -message_file "$T/mand-caller.sipp-messages.log" \
	>"$T/mand-caller.sipp.log" 2>&1
sipp_wait mand-callee
check "mandatory: the callee was offered RTP/SAVP" grep -aq "m=audio [0-9]* RTP/SAVP" "$T/mand-callee.sipp-messages.log"
check "mandatory: a plain answer is refused and logged" grep -q "answer from .* refused: m-line 0: RTP/AVP answer without a=crypto" "$T/s1.log"
check "mandatory: the caller hears 488" grep -aq "^SIP/2.0 488" "$T/mand-caller.sipp-messages.log"
check "mandatory: the call is over" wait_for 10 output_is 0 live_sessions "$m1_RPC"

# 4. A re-INVITE (or an UPDATE, RFC 3311) with a new key keeps audio: the caller's leg is
# re-keyed (its new key, a new one of ours), the callee's is left alone.
# rekey NAME METHOD UAS UAC: one such call, METHOD naming the mid-call request in the checks.
rekey() {
	local name=$1 how=$2 uas=$3 uac=$4 log
	KA2=$(newkey)
	KEYS+=("$KA2")
	call "$name" 1001 RTP/AVP "$uas" "$uac" -set key2 "$KA2"
	log=$T/$name-caller.sipp-messages.log
	check "$how re-key: the caller got its answer" wait_for 10 has_answer "$log" "$A"
	MA=$(media_port "$log" "$A")
	MB=$(media_port "$T/$name-callee.sipp-messages.log" "$B")
	KA_RX=$(our_key "$log" "$KA")
	KEYS+=("$KA_RX")
	probe "${name}1" "$A:$MA:1:$KA:$KA_RX" "$B:$MB:plain" "$how re-key: media before the $how"
	# the tag-2 key of ours in the answer to the re-INVITE or UPDATE
	rekeyed() {
		grep -ao 'a=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/=]*' "$log" |
			sed 's/.*inline://' | grep -vxF "$KA2" | tail -n 1
	}
	has_rekey() { [ -n "$(rekeyed)" ]; }
	check "$how re-key: the $how is answered with a new key of ours" wait_for 10 has_rekey
	KA2_RX=$(rekeyed)
	KEYS+=("$KA2_RX")
	check "$how re-key: our key changed too" test -n "$KA2_RX" -a "$KA2_RX" != "$KA_RX"
	probe "${name}2" "$A:$MA:1:$KA2:$KA2_RX" "$B:$MB:plain" "$how re-key: media after the $how, with the new keys"
	check "$how re-key: the caller completes" sipp_wait "$name-caller"
	check "$how re-key: the callee completes" sipp_wait "$name-callee"
}
rekey rekey re-INVITE call_uas_srtp_reinvite.xml call_uac_srtp_rekey.xml
rekey uprekey UPDATE call_uas_srtp_update.xml call_uac_srtp_rekey_update.xml

# 5. The dialplan answers the SRTP caller before the bridge: our own 200 carries our key.
call answered 51001 RTP/AVP
check "local answer: the caller got its answer" wait_for 10 has_answer "$T/answered-caller.sipp-messages.log" "$A"
MA=$(media_port "$T/answered-caller.sipp-messages.log" "$A")
KA_RX=$(our_key "$T/answered-caller.sipp-messages.log" "$KA")
KEYS+=("$KA_RX")
check "local answer: signald answered the caller itself (logged)" grep -q "answer: 200 with the media node's SDP" "$T/s1.log"
check "local answer: RTP/SAVP with a key of ours" \
	eval 'test -n "$KA_RX" && grep -aq "m=audio $MA RTP/SAVP" "$T/answered-caller.sipp-messages.log"'
check "local answer: the callee is then offered plain RTP" wait_for 10 has_answer "$T/answered-callee.sipp-messages.log" "$B"
MB=$(media_port "$T/answered-callee.sipp-messages.log" "$B")
probe answered "$A:$MA:1:$KA:$KA_RX" "$B:$MB:plain" "local answer: media both ways, SRTP to the caller"
check "local answer: the caller completes" sipp_wait answered-caller
check "local answer: the callee completes" sipp_wait answered-callee

leaked=0
for k in "${KEYS[@]}"; do
	[ -n "$k" ] || continue
	if grep -qF -e "$k" "$T/s1.log" "$T/m1.log"; then leaked=$((leaked + 1)); fi
done
check "no key (${#KEYS[@]} of them) appears in signald's or mediad's log" test "$leaked" = 0
finish
