#!/usr/bin/env bash
# The relay's io_uring as the kernel reports it (/proc/PID/fdinfo of the worker's ring): a
# relayed packet costs one completion, its receive, because sends complete without one; and
# releasing send buffers without waiting for completions still leaves the ports free right
# after DeleteSession.
. "$(dirname "$0")/lib.sh"

start_mediad m1 --set mediad.workers=1 || exit 1
pid=$(cat "$T/m1.pid")
pa=$(free_port 2) # A and B of the test call
pb=$((pa + 1))

# The worker's ring: the one io_uring descriptor mediad keeps open (the start-up check's is gone).
ring_fdinfo() {
	local f
	for f in /proc/"$pid"/fd/*; do
		[ "$(readlink "$f")" = "anon_inode:[io_uring]" ] && cat /proc/"$pid"/fdinfo/"${f##*/}"
	done
}
cq_tail() { ring_fdinfo | sed -n 's/^CqTail:\t*//p'; }

json=$("$MEDIACTL" -e "$m1_RPC" --json create uring-call --a "audio:127.0.0.1:$pa" \
	--b "audio:127.0.0.1:$pb")
sid=$(jq -r '.create_session_reply.session.session_id' <<<"$json")
la=$(jq -r '.create_session_reply.session.leg_a.streams[0].local_rtp.port' <<<"$json")
lb=$(jq -r '.create_session_reply.session.leg_b.streams[0].local_rtp.port' <<<"$json")
check "session created" test -n "$sid" -a "$la" != null -a "$lb" != null
check "the worker's ring is visible" test -n "$(cq_tail)"

# 200 RTP packets from A's address to the relay's A port, each waited for on B before the next.
before=$(cq_tail)
got=$(python3 - "$pa" "$pb" "$la" <<'PY'
import socket, struct, sys
pa, pb, la = (int(x) for x in sys.argv[1:4])
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); a.bind(("127.0.0.1", pa))
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); b.bind(("127.0.0.1", pb))
b.settimeout(2.0)
got = 0
for seq in range(200):
    pkt = struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + bytes(160)
    a.sendto(pkt, ("127.0.0.1", la))
    try:
        if b.recv(2048) == pkt:
            got += 1
    except socket.timeout:
        pass
print(got)
PY
)
after=$(cq_tail)
check "200 packets relayed A to B (got $got)" test "$got" = 200
# Each packet: one receive completion. Sends with completions would add 200 more; the rest
# (the wake-up read of each request, re-armed receives) is a handful.
check "completions for 200 relayed packets: $((after - before)), fewer than 300" \
	test $((after - before)) -ge 200 -a $((after - before)) -lt 300

"$MEDIACTL" -e "$m1_RPC" -q delete "$sid" >/dev/null
check "after DeleteSession its ports bind again" python3 -c '
import socket, sys
for p in sys.argv[1:]:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).bind(("127.0.0.1", int(p)))
' "$la" $((la + 1)) "$lb" $((lb + 1))
finish
