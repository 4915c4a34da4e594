#!/usr/bin/env bash
# mediad's Prometheus endpoint ([metrics] listen): the exposition passes `promtool check
# metrics`; a session with RTP relayed, junk and packets from a stranger moves the counters
# (sessions, free ports, packets and bytes per worker, drops by reason) and, once it closes,
# the jitter and loss histograms; only GET /metrics is served; oversized requests are refused;
# connections that never finish their request are closed after 5 s, and while 16 of them are
# held (the cap) the RPC still answers at once.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { log "SKIP: promtool missing (package prometheus; deploy/install-deps.sh --test)"; exit 77; }
PROBE=$TANDEM_SRC/tests/integration/metrics_probe.py
mport=$(free_port)
M=127.0.0.1:$mport
start_mediad m1 --set "metrics.listen=$M" --set mediad.workers=2 --set apps.recordings_dir="$T/rec" || exit 1

scrape() { python3 "$PROBE" get "$M" /metrics | tail -n +2; }
# value NAME [LABEL-MATCH]: the sum of NAME's samples whose labels contain LABEL-MATCH.
value() { scrape | awk -v n="$1" -v l="${2:-}" '$1 ~ "^"n"({|$)" && index($1, l) { s += $2 } END { printf "%d\n", s }'; }

check "GET /metrics: 200" test "$(python3 "$PROBE" status "$M" /metrics)" = 200
scrape >"$T/idle.prom"
check "promtool check metrics passes (idle node)" promtool check metrics <"$T/idle.prom"
check "one worker series per worker" test "$(grep -c '^tandem_mediad_packets_received_total{worker=' "$T/idle.prom")" = 2
free0=$(value tandem_mediad_port_pairs_free)

pa=$(free_port 3)
pb=$((pa + 1)) pc=$((pa + 2)) # A and B of the call; C a stranger
json=$("$MEDIACTL" -e "$m1_RPC" --json create metrics-call --a "audio:127.0.0.1:$pa" --b "audio:127.0.0.1:$pb")
la=$(jq -r '.create_session_reply.session.leg_a.streams[0].local_rtp.port' <<<"$json")
check "session created" test -n "$la" -a "$la" != null
got=$(python3 - "$pa" "$pb" "$pc" "$la" <<'PY'
import socket, struct, sys
pa, pb, pc, la = (int(x) for x in sys.argv[1:5])
a, b, c = (socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(3))
a.bind(("127.0.0.1", pa)); b.bind(("127.0.0.1", pb)); c.bind(("127.0.0.1", pc))
b.settimeout(2.0)
got = 0
for seq in range(100):
    a.sendto(struct.pack("!BBHII", 0x80, 0, seq, seq * 160, 0x1234) + bytes(160), ("127.0.0.1", la))
    try:
        b.recv(2048); got += 1
    except socket.timeout:
        pass
for i in range(10):
    a.sendto(b"junk" * 5, ("127.0.0.1", la))  # not RTP
    c.sendto(struct.pack("!BBHII", 0x80, 0, 500 + i, 0, 0x9999) + bytes(160), ("127.0.0.1", la))
print(got)
PY
)
check "100 packets relayed A to B (got $got)" test "$got" = 100
sleep 0.3 # workers publish their counters after each round
scrape >"$T/busy.prom"
check "promtool check metrics passes (with traffic)" promtool check metrics <"$T/busy.prom"
check "sessions 1" test "$(value tandem_mediad_sessions)" = 1
check "recordings 0" test "$(value tandem_mediad_recordings)" = 0
sid=$(jq -r '.create_session_reply.session.session_id' <<<"$json")
"$MEDIACTL" -e "$m1_RPC" -q record "$sid" metrics.wav
check "recordings 1 while one runs" test "$(value tandem_mediad_recordings)" = 1
check "free port pairs fell by the session's two ($free0 -> $(value tandem_mediad_port_pairs_free))" \
	test "$(value tandem_mediad_port_pairs_free)" = $((free0 - 2))
check "packets received >= 120 ($(value tandem_mediad_packets_received_total))" test "$(value tandem_mediad_packets_received_total)" -ge 120
check "packets relayed = 100 ($(value tandem_mediad_packets_relayed_total))" test "$(value tandem_mediad_packets_relayed_total)" = 100
check "bytes relayed = 100 x 172 ($(value tandem_mediad_bytes_relayed_total))" test "$(value tandem_mediad_bytes_relayed_total)" = 17200
check "drops: 10 malformed ($(value tandem_mediad_packets_dropped_total 'reason="malformed"'))" \
	test "$(value tandem_mediad_packets_dropped_total 'reason="malformed"')" = 10
check "drops: 10 from a strange source ($(value tandem_mediad_packets_dropped_total 'reason="strange_source"'))" \
	test "$(value tandem_mediad_packets_dropped_total 'reason="strange_source"')" = 10
check "the session's worker holds it" test "$(value tandem_mediad_worker_sessions)" = 1
check "worker CPU time is counted" grep -qE '^tandem_mediad_worker_cpu_seconds_total\{worker="[01]"\} [0-9]+\.[0-9]+$' "$T/busy.prom"

# Closing the session puts its legs into the quality histograms: A sent 100 packets in order
# (loss 0), B sent none (no observation).
"$MEDIACTL" -e "$m1_RPC" -q delete "$sid" >/dev/null
check "after DeleteSession: sessions 0" wait_for 3 output_is 0 value tandem_mediad_sessions
check "and recordings 0" test "$(value tandem_mediad_recordings)" = 0
scrape >"$T/closed.prom"
check "promtool check metrics passes (histograms filled)" promtool check metrics <"$T/closed.prom"
check "jitter histogram: one observation (leg A)" grep -qx 'tandem_mediad_stream_jitter_seconds_count 1' "$T/closed.prom"
check "loss histogram: one observation, in the le=\"0\" bucket" \
	grep -qx 'tandem_mediad_stream_loss_ratio_bucket{le="0"} 1' "$T/closed.prom"
check "histogram buckets are cumulative up to +Inf" grep -qx 'tandem_mediad_stream_loss_ratio_bucket{le="+Inf"} 1' "$T/closed.prom"
check "free port pairs back to $free0" test "$(value tandem_mediad_port_pairs_free)" = "$free0"

# deploy/grafana/tandem-mediad.json: every query parses (promtool check rules, the dashboard's
# $instance filled in) and names only metrics this node exports.
python3 - "$TANDEM_SRC/deploy/grafana/tandem-mediad.json" "$T/closed.prom" "$T/dash.rules.yml" <<'PY' >"$T/dash.out"
import json, re, sys
dash = json.load(open(sys.argv[1]))
exprs = [t["expr"].replace("$instance", ".*") for p in dash["panels"] for t in p["targets"]]
have = {l.split()[2] for l in open(sys.argv[2]) if l.startswith("# TYPE ")}
with open(sys.argv[3], "w") as f:
    f.write("groups:\n- name: dashboard\n  rules:\n")
    for i, e in enumerate(exprs):
        f.write("  - record: dashboard:q%d\n    expr: %s\n" % (i, json.dumps(e)))
used = {re.sub(r"_bucket$", "", m) for e in exprs for m in re.findall(r"tandem_mediad_\w+", e)}
print(len(exprs), " ".join(sorted(used - have)))
PY
read -r n_queries unknown <"$T/dash.out"
check "dashboard: $n_queries queries, all on exported metrics${unknown:+ (unknown: $unknown)}" test "$n_queries" -gt 5 -a -z "$unknown"
check "dashboard: every query parses (promtool check rules)" promtool check rules "$T/dash.rules.yml"

check "another path: 404" test "$(python3 "$PROBE" status "$M" /other)" = 404
check "POST: 405" test "$(python3 "$PROBE" status "$M" /metrics POST)" = 405
check "HEAD /metrics: 200" test "$(python3 "$PROBE" status "$M" /metrics HEAD)" = 200
r=$(python3 "$PROBE" big "$M" 65536)
check "64 KiB of headers refused with 431 ($r)" test "$r" = 431
# 16 half-sent requests (the connection cap) held for 6 s: the RPC answers meanwhile, the
# server drops them after its 5 s timeout, then scrapes work again.
python3 "$PROBE" hold "$M" 16 6.5 >"$T/hold.out" &
holder=$!
sleep 0.5
t0=$(date +%s%N)
"$MEDIACTL" -e "$m1_RPC" -t 1000 ping >/dev/null
rc=$? ms=$((($(date +%s%N) - t0) / 1000000))
check "Ping answered while 16 HTTP connections hang (${ms} ms)" test "$rc" = 0 -a "$ms" -lt 500
wait "$holder"
check "the 16 hanging connections were closed by the server ($(cat "$T/hold.out") of 16)" test "$(cat "$T/hold.out")" = 16
check "scrapes work again" test "$(python3 "$PROBE" status "$M" /metrics)" = 200
check "mediad still serves Ping" "$MEDIACTL" -e "$m1_RPC" -t 1000 ping
finish
