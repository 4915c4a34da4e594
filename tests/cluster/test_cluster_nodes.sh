#!/usr/bin/env bash
# Node choice across hosts: signald on one host, mediad on two, phones on two more. Ten calls
# spread over both nodes with RTP flowing through the node each call was given; with both nodes
# gone new calls get 503 with Retry-After; a node that comes back takes calls again.
. "$(dirname "$0")/cluster.sh"

cluster_up || exit 1
start_node media1 || exit 1
start_node media2 || exit 1
start_sig || exit 1
check "signald sees both nodes up" wait_for 5 nodes_up 2

# 0. The RPC across hosts: signald and the admin key are answered; from a phone's host a key no
# node lists, or no key at all, gets nothing, and the node logs the refused key once.
check "admin key answered across hosts" ctl media1 ping
not() { ! "$@"; }
stranger() { on phone1 "$MEDIACTL" -e "tcp://${HOST_IP[media1]}:$RPC_PORT" -t 500 "$@" ping; }
check "a key the node does not list gets no answer" \
	not stranger -k "$KEYS/stranger.key" -s "$KEYS/server.pub"
check "no key gets no answer" not stranger
check "the refused key is logged on the node" \
	wait_for 3 grep -aqF "$(cat "$KEYS/stranger.pub")" "$T/media1.log"
check "1001 registers from phone2" register_callee 1001

# rtp_sessions HOST: sessions on HOST in which RTP came from both phones.
rtp_sessions() {
	ctl "$1" --json list | jq '[.list_sessions_reply.sessions[]? |
		select(.leg_a.streams[0].rtp.packets > 0 and .leg_b.streams[0].rtp.packets > 0)] | length'
}
# 1. Ten calls at once: both nodes get some, and RTP flows through each call's node.
callee_bg spread-callee "$CLUSTER_SIPP/uas_held.xml" 10
sleep 0.3
caller_bg spread-caller "$(held_scenario uac_spread.xml 4000)" 10
check "ten calls up" wait_for 10 output_is 10 total_sessions
n1=$(node_sessions media1) n2=$(node_sessions media2)
log "sessions: media1 $n1, media2 $n2"
check "media1 has calls" test "$n1" -ge 3
check "media2 has calls" test "$n2" -ge 3
sleep 1.5
r1=$(rtp_sessions media1) r2=$(rtp_sessions media2)
log "sessions with RTP both ways: media1 $r1, media2 $r2"
check "RTP both ways through media1 for its calls" test "$r1" -eq "$n1"
check "RTP both ways through media2 for its calls" test "$r2" -eq "$n2"
check "callers complete" sipp_wait spread-caller
check "callees complete" sipp_wait spread-callee
check "no session left" wait_for 5 output_is 0 total_sessions

# 2. Both nodes gone: 503 with Retry-After, within node_down_ms (3 s) of their last answer.
kill -9 "$(cat "$T/media1.pid")" "$(cat "$T/media2.pid")"
rm -f "$T/media1.pid" "$T/media2.pid"
t0=$(now_ms)
check "both nodes down" wait_for 6 nodes_down 2
log "both nodes seen down $(( $(now_ms) - t0 )) ms after kill -9"
on phone1 timeout 30 sipp -sf "$SIPP_DIR/call_uac_fail.xml" "$SIG_IP:5060" -i "${HOST_IP[phone1]}" \
	-p 5071 -m 1 -s 1001 -au 1000 -ap 1234 -set caller 1000 -set status 503 -timeout 20s \
	-timeout_error -nostdin -trace_msg -message_file "$T/down.sipp-messages.log" \
	>"$T/down.sipp.log" 2>&1
check "no node: the call gets 503" test $? -eq 0
check "503 carries Retry-After" grep -aq "^Retry-After:" "$T/down.sipp-messages.log"

# 3. media2 back (a fresh process): used again.
start_node media2 || exit 1
check "signald sees media2 up again" wait_for 5 nodes_up 3
callee_bg back-callee "$CLUSTER_SIPP/uas_held.xml" 1
sleep 0.3
caller_bg back-caller "$(held_scenario uac_back.xml 1500)" 1
check "a new call goes to media2" wait_for 5 output_is 1 node_sessions media2
check "and completes" sipp_wait back-caller
check "callee completes" sipp_wait back-callee
finish
