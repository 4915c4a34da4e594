#!/usr/bin/env bash
# mediactl alone drives a session through its life: create, query (also by Call-ID), update
# (remote, direction, options, add and remove streams), list, watch for events, delete; and
# refuses bad arguments with exit status 2, node errors with 1; advertise_ip and an exhausted
# port pool seen through it.
. "$(dirname "$0")/lib.sh"

start_mediad m1 --set mediad.workers=1 || exit 1
ctl() { "$MEDIACTL" -e "$m1_RPC" -i tester "$@"; }
q() { ctl --json query "$S" | jq -r "$1"; }

S=$(ctl -q create call-x --a audio:127.0.0.1:4000 --b audio --timeout-ms 600000 --tag-a alice)
check "create prints the session id" grep -q "^m1-[0-9a-f]\{16\}$" <<<"$S"
check "A's remote from the command line" test "$(q '.query_session_reply.session.leg_a.streams[0].remote_rtp.port')" = 4000
check "B's remote unknown" test "$(q '.query_session_reply.session.leg_b.streams[0].remote_rtp')" = null
check "timeout and tag kept" test "$(q '.query_session_reply.session | "\(.options.inactivity_timeout_ms) \(.leg_a.tag)"')" = "600000 alice"
check "query by Call-ID" bash -c "'$MEDIACTL' -e '$m1_RPC' query --call call-x | grep -q 'session_id: $S'"

check "update B's remote and direction" ctl -q update "$S" --leg b --stream 0 --remote 127.0.0.1:5000 --direction sendonly
check "B's remote and direction set" test "$(q '.query_session_reply.session.leg_b.streams[0] | "\(.remote_rtp.port) \(.direction)"')" = "5000 DIRECTION_SENDONLY"
check "update --strict alone" ctl -q update "$S" --strict
check "strict on, timeout unchanged" test "$(q '.query_session_reply.session.options | "\(.strict_source) \(.inactivity_timeout_ms)"')" = "true 600000"
check "add a video stream (mux on B)" ctl -q update "$S" --add-a video --add-b video,mux,rate=90000
check "two streams, B's video muxed" test "$(q '.query_session_reply.session.leg_b.streams | "\(length) \(.[1].rtcp_mux) \(.[1].kind)"')" = "2 true MEDIA_KIND_VIDEO"
check "remove it again" ctl -q update "$S" --remove 1
check "stream 1 removed" test "$(q '.query_session_reply.session.leg_a.streams[1].removed')" = true

check "list shows it (text)" bash -c "'$MEDIACTL' -e '$m1_RPC' list | grep -q 'session_id: $S'"
check "list --json" test "$(ctl --json list | jq -r '.list_sessions_reply.sessions | length')" = 1

err=$(ctl create call-x --a audio --b audio 2>&1)
check "duplicate Call-ID: exit 1" test $? -eq 1
check "naming the status" grep -q "STATUS_ALREADY_EXISTS" <<<"$err"
ctl create call-y --a audio:999.0.0.1:4000 --b audio >/dev/null 2>&1
check "impossible address: exit 1" test $? -eq 1
ctl create call-z --a audio >/dev/null 2>&1
check "no B streams: exit 2" test $? -eq 2
ctl create call-z --a audoi --b audio >/dev/null 2>&1
check "bad stream kind: exit 2" test $? -eq 2
ctl update "$S" --stream 0 --remote 127.0.0.1:1 >/dev/null 2>&1
check "update without --leg: exit 2" test $? -eq 2
ctl update "$S" --leg c --stream 0 >/dev/null 2>&1
check "bad leg: exit 2" test $? -eq 2
check "help lists every command" bash -c "'$MEDIACTL' -h | grep -c '^  \(ping\|create\|update\|delete\|query\|list\|watch\)\( \|$\)' | grep -qx 7"

# Events: a 300 ms timeout on a new session reaches its creator's identity.
T2=$(ctl -q create call-t --a audio --b audio --timeout-ms 300)
out=$(ctl watch --count 1 --duration 10)
check "watch prints the RtpTimeout" grep -q "^rtp_timeout session=$T2 call=call-t idle_ms=" <<<"$out"
ctl --json watch --count 1 --duration 1 >"$T/none.json"
check "watch with no event before --duration: exit 1" test $? -eq 1

check "delete" ctl -q delete "$S" --reason "test over"
check "delete the other" ctl -q delete --call call-t
ctl query "$S" >/dev/null 2>&1
check "query after delete: exit 1" test $? -eq 1
check "mediad logged the reason" grep -q "closed $S (test over)" "$T/m1.log"
check "no sessions left" test "$(ctl --json ping | jq -r '.ping_reply.node.sessions')" = 0

# A node behind NAT: sockets on bind_ip, SDP addresses from advertise_ip.
start_mediad nat --set rtp.advertise_ip=192.0.2.7 || exit 1
out=$("$MEDIACTL" -e "$nat_RPC" --json create nat-call --a audio --b audio)
check "local endpoints carry advertise_ip" test "$(jq -r '.create_session_reply.session.leg_a.streams[0].local_rtp.ip' <<<"$out")" = 192.0.2.7
check "Ping reports it" test "$("$MEDIACTL" -e "$nat_RPC" --json ping | jq -r '.ping_reply.node.advertise_ip')" = 192.0.2.7
check "mediad stops cleanly (exit 0) with a session open" stop_daemon nat
check "mediad m1 stops cleanly (exit 0)" stop_daemon m1

# Two port pairs: one session (a pair per leg) fills the pool.
p=$(free_port 4) || exit 1
start_mediad tiny --set rtp.port_min="$p" --set rtp.port_max=$((p + 3)) || exit 1
tiny() { "$MEDIACTL" -e "$tiny_RPC" "$@"; }
check "the first session fits" tiny -q create c1 --a audio --b audio
err=$(tiny create c2 --a audio --b audio 2>&1)
check "the second does not: exit 1" test $? -eq 1
check "with STATUS_NO_PORTS" grep -q "STATUS_NO_PORTS" <<<"$err"
check "delete the first" tiny -q delete --call c1
check "then the second fits" tiny -q create c2 --a audio --b audio
finish
