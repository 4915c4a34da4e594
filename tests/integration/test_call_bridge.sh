#!/usr/bin/env bash
# What the dialplan makes of a call besides routing it: ring_ready (180 before the callee rings),
# pre_answer (183 with the media node's SDP before the callee rings), answer (200 before the
# bridge; a BYE when the callee then fails), bridge target lists (`,` rings two
# users at once and cancels the loser, `|` fails over from a busy user, [leg_timeout=N] ends a
# ringing leg and fails over), and codec_string / absolute_codec_string in the callee's offer.
# After every call mediad holds no session.
. "$(dirname "$0")/lib.sh"

DIALPLAN=$T/dialplan.xml
cat >"$DIALPLAN" <<'XML'
<include>
  <context name="default">
    <extension name="pre-answer">
      <condition field="destination_number" expression="^6001$">
        <action application="log" data="INFO pre-answering"/>
        <action application="pre_answer"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="pre-answer-pcma">
      <condition field="destination_number" expression="^6011$">
        <action application="set" data="codec_string=PCMA"/>
        <action application="pre_answer"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="answer">
      <condition field="destination_number" expression="^6002$">
        <action application="answer"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="ring-ready">
      <condition field="destination_number" expression="^6000$">
        <action application="ring_ready"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="answer-then-busy">
      <condition field="destination_number" expression="^6010$">
        <action application="answer"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="both">
      <condition field="destination_number" expression="^6003$">
        <action application="bridge" data="user/1001,user/1002"/>
      </condition>
    </extension>
    <extension name="failover">
      <condition field="destination_number" expression="^6004$">
        <action application="bridge" data="user/1001|user/1002"/>
      </condition>
    </extension>
    <extension name="leg-timeout">
      <condition field="destination_number" expression="^6005$">
        <action application="bridge" data="[leg_timeout=1]user/1001|user/1002"/>
      </condition>
    </extension>
    <extension name="codec-string">
      <condition field="destination_number" expression="^6006$">
        <action application="set" data="codec_string=PCMA"/>
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
    <extension name="absolute-codec-string">
      <condition field="destination_number" expression="^6007$">
        <action application="set" data="codec_string=PCMU"/>
        <action application="bridge" data="{absolute_codec_string=PCMA}user/1001"/>
      </condition>
    </extension>
    <extension name="default-codecs">
      <condition field="destination_number" expression="^6009$">
        <action application="bridge" data="user/1001"/>
      </condition>
    </extension>
  </context>
</include>
XML

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" || exit 1
P1=$(free_port)
P2=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$P1"
check "1002 registers" register_user reg1002 1002 "$P2"

caller() { # caller NAME SCENARIO DIALLED [args]
	local name=$1 scen=$2 dialled=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
		-mp "$(free_port 4)" -s "$dialled" -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		"$@" >"$T/$name.sipp.log" 2>&1
}
callee() { # callee NAME SCENARIO PORT [args]
	local name=$1 scen=$2 port=$3; shift 3
	sipp_bg "$name" "$scen" "$port" -mp "$(free_port 4)" "${RELAY[@]}" "$@"
}
no_session() { wait_for 5 output_is 0 live_sessions "$m1_RPC"; }
# logged_before FIRST SECOND: signald logged a line matching FIRST before one matching SECOND.
logged_before() {
	local a b
	a=$(grep -an -m1 -- "$1" "$T/s1.log" | cut -d: -f1)
	b=$(grep -an -- "$2" "$T/s1.log" | tail -n1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# ring_ready: the 180 within 1 s, before the callee (2 s) rings.
callee rr1 call_uas_slow.xml "$P1"
sleep 0.3
check "ring_ready: 180 before the callee rings" caller rr call_uac_ringready.xml 6000 -d 300
check "ring_ready: callee answered" sipp_wait rr1
check "ring_ready: no session left" no_session

# pre_answer: the 183 (SDP at mediad) within 1 s, the callee rings only after 2 s.
callee pre1 call_uas_slow.xml "$P1"
sleep 0.3
check "pre_answer: 183 with the media node's SDP, then the 200 with the same" \
	caller pre call_uac_preanswer.xml 6001 -d 300 -set early_pt 0
check "pre_answer: callee answered" sipp_wait pre1
check "pre_answer: the 183 went out before the callee was called" \
	logged_before "pre_answer: 183" "calling sip:"
check "log application wrote its line" grep -aq "pre-answering" "$T/s1.log"
check "pre_answer: no session left" no_session

# codec_string limits what the caller is answered with too ([codecs] alone would pick PCMU).
callee prea1 call_uas_slow.xml "$P1"
sleep 0.3
check "codec_string=PCMA with pre_answer: the caller's 183 and 200 carry PCMA" \
	caller prea call_uac_preanswer.xml 6011 -d 300 -set early_pt 8
check "codec_string=PCMA with pre_answer: callee answered PCMA" sipp_wait prea1
check "codec_string with pre_answer: no session left" no_session

# answer: the 200 within 1 s, before the callee (2 s) answers; the call then bridges.
callee ans1 call_uas_slow.xml "$P1"
sleep 0.3
check "answer: 200 with the media node's SDP before the bridge" \
	caller ans call_uac_answered.xml 6002 -d 3000
check "answer: callee answered and got the caller's BYE" sipp_wait ans1
check "answer: no session left" no_session

# answer, then the callee is busy: the answered caller gets a BYE.
callee ab1 call_uas_busy.xml "$P1"
sleep 0.3
check "answer then a busy callee: the caller gets 200, then BYE" \
	caller ab call_uac_wait_bye.xml 6010
check "answer then a busy callee: callee saw the INVITE" sipp_wait ab1
check "answer then a busy callee: hung up USER_BUSY" grep -aq "hangup USER_BUSY by callee" "$T/s1.log"
check "answer then a busy callee: no session left" no_session

# 1001,1002: both ring, 1002 answers, 1001 is cancelled.
callee both1 call_uas_ring.xml "$P1"
callee both2 call_uas.xml "$P2"
sleep 0.3
check "user/1001,user/1002: answered" caller both call_uac.xml 6003 -d 300
check "user/1001,user/1002: 1001 rang and got CANCEL" sipp_wait both1
check "user/1001,user/1002: 1002 answered" sipp_wait both2
check "simultaneous: no session left" no_session

# 1001|1002: 1001 busy, then 1002 answers.
callee seq1 call_uas_busy.xml "$P1"
callee seq2 call_uas.xml "$P2"
sleep 0.3
check "user/1001|user/1002: answered by 1002" caller seq call_uac.xml 6004 -d 300
check "user/1001|user/1002: 1001 was busy" sipp_wait seq1
check "user/1001|user/1002: 1002 answered" sipp_wait seq2
check "failover logged" grep -aq "failover: calling the next 1 target" "$T/s1.log"
check "sequential: no session left" no_session

# [leg_timeout=1]1001|1002: 1001 rings, is cancelled after 1 s, 1002 answers.
callee lt1 call_uas_ring.xml "$P1"
callee lt2 call_uas.xml "$P2"
sleep 0.3
SECONDS=0
check "[leg_timeout=1]user/1001|user/1002: answered by 1002" caller lt call_uac.xml 6005 -d 300
check "leg_timeout: the whole call took less than 5 s" test "$SECONDS" -lt 5
check "leg_timeout: 1001 cancelled" sipp_wait lt1
check "leg_timeout: 1002 answered" sipp_wait lt2
check "leg_timeout logged" grep -aq "no answer within leg_timeout 1 s" "$T/s1.log"
check "leg_timeout: no session left" no_session

# Codecs offered to the callee (the caller offers PCMU, PCMA; [codecs] audio
# prefers PCMU).
callee c0 call_uas_codecs.xml "$P1" -set want_fmt "0 8"
sleep 0.3
check "default: PCMU, PCMA offered" caller c0 call_uac_fail.xml 6009 -set status 486
check "default: callee saw the offer" sipp_wait c0
callee c1 call_uas_codecs.xml "$P1" -set want_fmt "8"
sleep 0.3
check "codec_string=PCMA: only PCMA offered" \
	caller c1 call_uac_fail.xml 6006 -set status 486
check "codec_string: callee saw the offer" sipp_wait c1
callee c2 call_uas_codecs.xml "$P1" -set want_fmt "8"
sleep 0.3
check "{absolute_codec_string=PCMA} wins over codec_string=PCMU" \
	caller c2 call_uac_fail.xml 6007 -set status 486
check "absolute_codec_string: callee saw the offer" sipp_wait c2
check "codecs: no session left" no_session
finish
