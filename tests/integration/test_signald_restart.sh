#!/usr/bin/env bash
# signald killed (-9) under a confirmed call with RTP and started again on the same state_dir
# and SIP port: it takes the call back from its sip_calls row (claims the media session on
# mediad before the node's restart grace closes it, re-INVITEs both legs with the SDP they last
# got), RTP keeps flowing through the node past the grace, and a BYE from the caller afterwards
# ends both legs (the callee gets a BYE), deletes the session and leaves no sip_dialogs or
# sip_calls row and one complete CDR; so does a BYE from the callee. Prints the
# restart-to-ready time. A late-offer call is saved with its SDP complete. A call still ringing
# when signald dies is not taken back: its row goes at start and its session after the grace.
# A call whose phone forgot it (481 to the re-INVITE), or whose caller hung up while signald was
# down, ends: BYE to the other leg. A call whose node restarted too, or closed the session after
# its grace, moves to a new session.
. "$(dirname "$0")/lib.sh"

K=$T/keys
make_keys "$K" server sig1 admin || exit 1
printf '%s s1\n%s ops admin\n' "$(cat "$K/sig1.pub")" "$(cat "$K/admin.pub")" >"$K/clients"
export MEDIACTL_SERVER_KEY=$K/server.pub MEDIACTL_KEY=$K/admin.key
GRACE_S=1
MEDIAD_ARGS=(--set "mediad.rpc_key_file=$K/server.key" --set "mediad.rpc_clients_file=$K/clients"
	--set rtp.owner_restart_grace_s=$GRACE_S --set rtp.owner_timeout_s=2)
SIGNALD_ARGS=("${SIPP_AUTH[@]}" --set "media.key_file=$K/sig1.key"
	--set "media.server_key_file=$K/server.pub" --set media.rpc_timeout_ms=1000)
start_mediad m1 "${MEDIAD_ARGS[@]}" || exit 1
start_signald s1 "$m1_RPC" "${SIGNALD_ARGS[@]}" || exit 1
DB=$T/s1-state/tandem.db
P2=$(free_port)

# kill -9 and start again with the same configuration (same SIP port, same state_dir).
restart_signald() {
	kill -KILL "$(cat "$T/s1.pid")"
	wait "$(cat "$T/s1.pid")" 2>/dev/null
	"$SIGNALD" -c "$T/s1.ini" "${SIGNALD_ARGS[@]}" >>"$T/s1.log" 2>&1 &
	echo $! >"$T/s1.pid"
}
# restores_are N: signald has logged N restarts that took one call back.
restores_are() {
	[ "$(grep -c "restore complete: 1 call(s) taken back, 0 ended" "$T/s1.log")" = "$1" ]
}
# logged_since LINES PATTERN: signald logged PATTERN after its first LINES lines.
logged_since() { tail -n +"$(($1 + 1))" "$T/s1.log" | grep -q "$2"; }
# rtp_packets SESSION: packets the node received on the session, both legs.
rtp_packets() {
	"$MEDIACTL" -e "$m1_RPC" -j query "$1" | grep -o '"packets[a-z_]*":[0-9]*' |
		awk -F: '{ n += $2 } END { print n + 0 }'
}

check "1001 registers" register_user reg 1001 "$P2"
wait_for 5 grep -q "media node $m1_RPC (m1 .*): up" "$T/s1.log"

# The held-call scenarios of the multi-host harness, on loopback: the caller plays RTP, answers
# re-INVITEs with the same SDP, and hangs up HOLD_MS after the last one; the callee echoes RTP.
for f in uac_held uas_held; do
	sed -e 's/10\\.77\\.0\\.1\[12\]/127\\.0\\.0\\.1/' -e 's/HOLD_MS/4000/' \
		"$TANDEM_SRC/tests/cluster/sipp/$f.xml" >"$T/$f.xml"
done
sed -e 's/10\\.77\\.0\\.1\[12\]/127\\.0\\.0\\.1/' -e 's/HOLD_MS/15000/' \
	"$TANDEM_SRC/tests/cluster/sipp/uac_held.xml" >"$T/uac_held_15000.xml"
sipp_bg callee "$T/uas_held.xml" "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller "$T/uac_held.xml" "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "call up on m1" wait_for 10 output_is 1 live_sessions "$m1_RPC"
check "the confirmed call is persisted (sip_calls)" \
	wait_for 5 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
sid=$(sql "$DB" "SELECT media_session FROM sip_calls")
call_id=$(sql "$DB" "SELECT call_id FROM sip_calls")
answered=$(sql "$DB" "SELECT answer_epoch FROM sip_calls")
check "sip_calls has both legs' dialogs" sql_is "$DB" "SELECT count(*) FROM sip_calls WHERE
	a_local LIKE '%tag=%' AND a_remote LIKE '%tag=%' AND b_local LIKE '%tag=%'
	AND b_remote LIKE '%tag=%' AND a_target <> '' AND b_target <> ''" 1
sleep 0.5

lines=$(wc -l <"$T/s1.log")
t0=$(date +%s%N)
restart_signald
check "signald took the call back" wait_for 10 restores_are 1
# Timed by signald's own log line, not by the polling above.
t1=$(date -d "$(grep "restore complete" "$T/s1.log" | tail -1 | cut -d' ' -f1)" +%s%N)
log "signald kill -9 to the call taken back (session claimed, both legs answered): $(((t1 - t0) / 1000000)) ms"
tail -n +"$((lines + 1))" "$T/s1.log" | grep -E "restore complete|taking back|claimed|is back" |
	sed 's/^/    /'
check "the callee got the restoring re-INVITE" \
	test "$(grep -c '^INVITE sip:' "$T/callee.sipp-messages.log")" -ge 2
check "the caller got the restoring re-INVITE" grep -q '^INVITE sip:1000@' \
	"$T/caller.sipp-messages.log"
sleep $((GRACE_S + 1))
check "the session outlives the node's restart grace" output_is 1 live_sessions "$m1_RPC"
check "mediad closed nothing" test "$(grep -c 'did not claim' "$T/m1.log")" = 0
p0=$(rtp_packets "$sid")
sleep 1
p1=$(rtp_packets "$sid")
check "RTP keeps flowing through the node after the restart ($p0 -> $p1 packets)" \
	test "$p1" -gt "$p0"

# The caller hangs up 4 s after the re-INVITE: its BYE goes to the restored dialog.
check "the caller's BYE is answered" sipp_wait caller
check "the callee gets the BYE" sipp_wait callee
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no sip_dialogs row left" wait_for 5 sql_is "$DB" "SELECT count(*) FROM sip_dialogs" 0
check "no sip_calls row left" sql_is "$DB" "SELECT count(*) FROM sip_calls" 0
check "one CDR: answered before the restart, hung up by the caller, with RTP counted" \
	wait_for 5 sql_is "$DB" "SELECT count(*) FROM cdr WHERE call_id = '$call_id' AND
	answer_epoch = $answered AND billsec >= 3 AND hangup_side = 'caller' AND sip_status = 200 AND
	hangup_cause = 'NORMAL_CLEARING' AND rtp_packets_a > 0" 1

# A late offer: its SDP is complete only when the caller's answer (in its ACK) has gone on to the
# callee in ours, and the call is saved then.
read -r -a RELAY <<<"$(relay_args)"
sipp_bg late-callee call_uas_late.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
sipp_bg late-caller call_uac_late.xml "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000 "${RELAY[@]}" -d 1500
check "a late-offer call is saved with the SDP of both legs both ways" wait_for 5 sql_is "$DB" \
	"SELECT count(*) FROM sip_calls WHERE a_sdp <> '' AND a_sdp_sent <> '' AND b_sdp <> ''
	AND b_sdp_sent <> ''" 1
check "the late-offer call ends" sipp_wait late-caller
check "its callee completes" sipp_wait late-callee
check "its sip_calls row goes with it" wait_for 5 sql_is "$DB" "SELECT count(*) FROM sip_calls" 0

# A call still ringing is not taken back: its row goes at start, its session after the grace.
sipp_bg ring-callee call_uas_ring.xml "$P2" -mp "$(free_port 4)" \
	-set relay_ip 127.0.0.1 -set relay_port_min "$m1_PORT_MIN" \
	-set relay_port_max "$((m1_PORT_MIN + 199))"
sleep 0.3
sipp_bg ring-caller call_uac_wait_bye.xml "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "a ringing call on m1" wait_for 10 output_is 1 live_sessions "$m1_RPC"
check "its sip_dialogs row, no sip_calls row" \
	wait_for 5 sql_is "$DB" "SELECT count(*) FROM sip_dialogs WHERE state = 'ringing'" 1
restart_signald
check "its row is dropped at start" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_dialogs" 0
check "its session is closed after the grace" wait_for 5 output_is 0 live_sessions "$m1_RPC"
stop_pidfile "$T/ring-caller.pid"
stop_pidfile "$T/ring-callee.pid"

# A phone that forgot the call (481 to the restoring re-INVITE): the call ends, the other leg
# gets a BYE, the session goes.
sipp_bg callee3 "$T/uas_held.xml" "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller3 call_uac_forgot.xml "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "third call up" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
call_id=$(sql "$DB" "SELECT call_id FROM sip_calls")
restart_signald
check "signald ends the call the caller forgot" \
	wait_for 10 grep -q "restore complete: 0 call(s) taken back, 1 ended" "$T/s1.log"
check "the caller got its 481 acknowledged" sipp_wait caller3
check "the callee gets a BYE" sipp_wait callee3
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no sip_dialogs or sip_calls row left" wait_for 5 sql_is "$DB" \
	"SELECT (SELECT count(*) FROM sip_dialogs) + (SELECT count(*) FROM sip_calls)" 0
check "its CDR: ended by the caller's side" wait_for 5 sql_is "$DB" \
	"SELECT count(*) FROM cdr WHERE call_id = '$call_id' AND hangup_side = 'caller'" 1

# The caller hangs up while signald is down: its BYE, retransmitted, reaches the new process,
# which ends the call (BYE to the callee) instead of taking it back.
sed -e 's/10\\.77\\.0\\.1\[12\]/127\\.0\\.0\\.1/' -e 's/HOLD_MS/1000/' \
	"$TANDEM_SRC/tests/cluster/sipp/uac_held.xml" >"$T/uac_held_short.xml"
sipp_bg callee5 "$T/uas_held.xml" "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller5 "$T/uac_held_short.xml" "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "fifth call up" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
call_id=$(sql "$DB" "SELECT call_id FROM sip_calls")
kill -KILL "$(cat "$T/s1.pid")"
check "the caller hangs up while signald is down" \
	wait_for 5 grep -q '^BYE sip:' "$T/caller5.sipp-messages.log"
sleep 0.6
lines=$(wc -l <"$T/s1.log")
restart_signald
check "the call ends instead of being taken back" \
	wait_for 10 logged_since "$lines" "restore complete: 0 call(s) taken back, 1 ended"
check "the callee gets a BYE" sipp_wait callee5
stop_pidfile "$T/caller5.pid"
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no sip_dialogs or sip_calls row left" wait_for 5 sql_is "$DB" \
	"SELECT (SELECT count(*) FROM sip_dialogs) + (SELECT count(*) FROM sip_calls)" 0
check "its CDR: hung up by the caller" wait_for 5 sql_is "$DB" \
	"SELECT count(*) FROM cdr WHERE call_id = '$call_id' AND hangup_side = 'caller'" 1

# Both down at once: signald and mediad killed, mediad back first. The session is gone with the
# node's old process, so the restarted signald takes the call back and moves it to a new session
# (a second re-INVITE to each leg); the caller's BYE then ends it.
sipp_bg callee4 "$T/uas_held.xml" "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller4 "$T/uac_held.xml" "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "fourth call up" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
kill -KILL "$(cat "$T/s1.pid")"
kill -KILL "$(cat "$T/m1.pid")"
wait "$(cat "$T/m1.pid")" 2>/dev/null
"$MEDIAD" -c "$T/m1.ini" "${MEDIAD_ARGS[@]}" >>"$T/m1.log" 2>&1 &
echo $! >"$T/m1.pid"
check "m1 back" wait_for 10 "$MEDIACTL" -e "$m1_RPC" -t 300 ping
restart_signald
check "the call moves to a new session on the restarted node" \
	wait_for 10 grep -q "move complete" "$T/s1.log"
check "the callee got the restoring and the moving re-INVITE" \
	test "$(grep -c '^INVITE sip:' "$T/callee4.sipp-messages.log")" -ge 3
check "the new session lives" output_is 1 live_sessions "$m1_RPC"
check "the caller's BYE ends it" sipp_wait caller4
check "the callee gets the BYE" sipp_wait callee4
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no sip_dialogs or sip_calls row left" wait_for 5 sql_is "$DB" \
	"SELECT (SELECT count(*) FROM sip_dialogs) + (SELECT count(*) FROM sip_calls)" 0

# signald down longer than [rtp] owner_timeout_s (2 s here): the node closed the session, so
# the call taken back moves to a new one.
sipp_bg callee6 "$T/uas_held.xml" "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller6 "$T/uac_held.xml" "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "sixth call up" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
kill -KILL "$(cat "$T/s1.pid")"
check "mediad closes the session of its silent owner" wait_for 5 output_is 0 live_sessions "$m1_RPC"
lines=$(wc -l <"$T/s1.log")
restart_signald
check "the call taken back moves to a new session" \
	wait_for 10 logged_since "$lines" "move complete"
check "the new session lives" output_is 1 live_sessions "$m1_RPC"
check "the caller's BYE ends it" sipp_wait caller6
check "the callee gets the BYE" sipp_wait callee6
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"

# The other way round: after the restart the callee hangs up, and the caller gets the BYE.
sipp_bg callee2 call_uas_held_bye.xml "$P2" -mp "$(free_port 4)" -rtp_echo
sleep 0.3
sipp_bg caller2 "$T/uac_held_15000.xml" "$(free_port)" -mp "$(free_port 4)" -s 1001 -au 1000 \
	-ap 1234 -set caller 1000
check "second call up" wait_for 10 sql_is "$DB" "SELECT count(*) FROM sip_calls" 1
call_id=$(sql "$DB" "SELECT call_id FROM sip_calls")
restart_signald
check "signald took the second call back" wait_for 10 restores_are 4
check "the callee's BYE is answered" sipp_wait callee2
check "the caller gets the BYE" sipp_wait caller2
check "no session left on mediad" wait_for 5 output_is 0 live_sessions "$m1_RPC"
check "no sip_dialogs or sip_calls row left" wait_for 5 sql_is "$DB" \
	"SELECT (SELECT count(*) FROM sip_dialogs) + (SELECT count(*) FROM sip_calls)" 0
check "its CDR: hung up by the callee" wait_for 5 sql_is "$DB" \
	"SELECT count(*) FROM cdr WHERE call_id = '$call_id' AND hangup_side = 'callee'" 1
# (the process that took it back ends normally at cleanup: a sanitizer build checks its memory)
finish
