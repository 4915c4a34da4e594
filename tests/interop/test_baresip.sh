#!/usr/bin/env bash
# Two baresip phones (Debian's baresip 1.0.0) against signald and mediad started with the demo
# config (deploy/demo, only the ports changed): both register as 1010 and 1011 with password
# 1234, call each other through signald and mediad, each plays its own tone (440 Hz, 1000 Hz)
# and records what it hears; the test checks the frequency each side received, that every SDP a
# phone got points at mediad, hold and resume from the phone, hangup from callee and caller, and
# that mediad holds no session afterwards.
. "$(dirname "$0")/../integration/lib.sh"

. "$(dirname "$0")/lib_ua.sh"
need_tools baresip sox jq

start_demo || exit 1
start_phone 1010 440
start_phone 1011 1000
check "baresip 1010 and 1011 register with the demo defaults (MD5 digest)" \
	wait_for 10 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011')" 2
check "baresip reports 200 to its REGISTER" wait_for 5 grep -q "1010@127.0.0.1: .*200 OK" "$T/ua1010.log"

# ---- call 1: 1010 calls 1011, holds and resumes, 1011 (callee) hangs up ----
ctl 1010 dial 1011
check "1011 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1011.log"
ctl 1011 accept
check "call 1 established on both phones" wait_for 10 eval \
	'count_is 1 "$T/ua1010.log" "Call established" && count_is 1 "$T/ua1011.log" "Call established"'
check "mediad holds the call's session" wait_for 5 output_is 1 live_sessions "$RPC"
sleep 2.5
ctl 1010 hold
check "hold from 1010: mediad's leg a is sendonly, leg b recvonly" \
	wait_for 5 eval 'dir_is a SENDONLY && dir_is b RECVONLY'
sleep 1
ctl 1010 resume
check "resume from 1010: both legs sendrecv again" wait_for 5 eval 'dir_is a SENDRECV && dir_is b SENDRECV'
check "after resume RTP flows from both phones" rtp_flows
ctl 1011 hangup
check "hangup from the callee ends the call on the caller" \
	wait_for 10 count_is 1 "$T/ua1010.log" "Call with sip:1011@.* terminated"
check "mediad has no session after the callee's hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "1010 heard 1011's 1000 Hz tone" eval 'recording 1010 call1 && heard "$T/call1/heard-by-1010.wav" 1000'
check "1011 heard 1010's 440 Hz tone" eval 'recording 1011 call1 && heard "$T/call1/heard-by-1011.wav" 440'

# ---- call 2: 1011 calls 1010, 1011 (caller) hangs up ----
ctl 1011 dial 1010
check "1010 rings" wait_for 10 grep -q "Incoming call from" "$T/ua1010.log"
ctl 1010 accept
check "call 2 established on both phones" wait_for 10 eval \
	'count_is 2 "$T/ua1010.log" "Call established" && count_is 2 "$T/ua1011.log" "Call established"'
check "mediad holds the second call's session" wait_for 5 output_is 1 live_sessions "$RPC"
sleep 2.5
ctl 1011 hangup
check "hangup from the caller ends the call on the callee" \
	wait_for 10 count_is 2 "$T/ua1010.log" "Call with sip:1011@.* terminated"
check "mediad has no session after the caller's hangup" wait_for 5 output_is 0 live_sessions "$RPC"
check "call 2: 1010 heard 1000 Hz" eval 'recording 1010 call2 && heard "$T/call2/heard-by-1010.wav" 1000'
check "call 2: 1011 heard 440 Hz" eval 'recording 1011 call2 && heard "$T/call2/heard-by-1011.wav" 440'

# ---- what the phones were told ----
check "every SDP 1010 received points at mediad (3 for call 1 + 1 for call 2), hold answered recvonly" \
	"${UACTL[@]}" sdp "$T/ua1010.log" "$SIP" "$rtp_min" "$rtp_max" --min 4 --dir a=recvonly
check "every SDP 1011 received points at mediad, the hold offered sendonly" \
	"${UACTL[@]}" sdp "$T/ua1011.log" "$SIP" "$rtp_min" "$rtp_max" --min 4 --dir a=sendonly
check "no call left in signald" wait_for 5 sql_is "$DB" "select count(*) from sip_dialogs" 0
cat "$T/ctl.out"
ctl 1010 quit
ctl 1011 quit
check "the phones unregistered as they quit" \
	wait_for 5 sql_is "$DB" "select count(*) from sip_registrations where sip_user in ('1010','1011')" 0
check "baresip 1010 exits on quit" stop_daemon ua1010
check "baresip 1011 exits on quit" stop_daemon ua1011
check "signald stops cleanly" stop_daemon signald

# ---- why MD5 alone is the default: baresip 1.0.0 and a SHA-256 challenge ----
# The demo again, with a directory that turns SHA-256 on for 1012 (first) and 1013 (second).
sed -e 's|<user id="1012">|&<params><param name="auth-algorithms" value="SHA-256, MD5"/></params>|' \
	-e 's|<user id="1013">|&<params><param name="auth-algorithms" value="MD5, SHA-256"/></params>|' \
	"$DEMO/directory.xml" >"$T/directory.xml"
sip_port=$(free_port)
SIP=127.0.0.1:$sip_port
mkdir -p "$T/state2"
"$SIGNALD" -c "$DEMO/signald.ini" --set "sip.listen=$SIP" --set "media.node=$RPC" \
	--set "signald.state_dir=$T/state2" --set "directory.path=$T/directory.xml" \
	--set "events.publish=" --set "metrics.listen=" >"$T/signald2.log" 2>&1 &
echo $! >"$T/signald2.pid"
wait_for 10 "$SIPPING" "sip:$SIP" 300 || { log "second signald did not answer OPTIONS"; exit 1; }
start_phone 1012 440
start_phone 1013 440
for u in 1012 1013; do
	check "$u (auth-algorithms set) is challenged with SHA-256 and MD5" \
		wait_for 10 eval "grep -q 'WWW-Authenticate: .*algorithm=SHA-256' '$T/ua$u.log' && grep -q 'WWW-Authenticate: .*algorithm=MD5' '$T/ua$u.log'"
	check "baresip 1.0.0 gives up on it (Function not implemented), sends no credentials" \
		eval "wait_for 10 grep -q 'Register: Function not implemented' '$T/ua$u.log' && ! grep -q '^Authorization:' '$T/ua$u.log'"
done
check "neither is registered" sql_is "$T/state2/tandem.db" "select count(*) from sip_registrations" 0
ctl 1012 quit
ctl 1013 quit
check "signald with per-user SHA-256 stops cleanly" stop_daemon signald2
check "mediad stops cleanly" stop_daemon mediad
finish
