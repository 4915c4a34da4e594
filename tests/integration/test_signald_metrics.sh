#!/usr/bin/env bash
# signald's Prometheus endpoint ([metrics] listen), scraped idle, during a SIPp call and after
# it, with mediad's scraped during the call too: `promtool check metrics` passes on each; the
# counters grow (calls, answers, hangups by cause, registrations, authentication failures, media
# RPCs), live calls by state show the call while it is up, and every histogram is well formed
# (cumulative buckets, +Inf equal to _count).
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null || { log "SKIP: promtool missing (package prometheus; deploy/install-deps.sh --test)"; exit 77; }
PROBE=$TANDEM_SRC/tests/integration/metrics_probe.py

MM=127.0.0.1:$(free_port)
SM=127.0.0.1:$(free_port)
start_mediad m1 --set "metrics.listen=$MM" || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set "metrics.listen=$SM" \
	--set "control.socket=$T/s1.sock" || exit 1
P2=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
scrape() { # scrape HOST:PORT FILE: the body of GET /metrics, after a 200
	python3 "$PROBE" get "$1" /metrics >"$2.raw" && head -n1 "$2.raw" | grep -qx 200 &&
		tail -n +2 "$2.raw" >"$2"
}

cat >"$T/prom.py" <<'PY'
# prom.py FILE EXPR: EXPR over v(name, **labels) (the sample's value, 0 when absent) holds; or
# prom.py FILE hist: every histogram is well formed; prom.py FILE value NAME [LABEL=VALUE]...:
# prints the sample's value.
import re, sys
samples = {}
for line in open(sys.argv[1]):
    if not line.strip() or line.startswith("#"):
        continue
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$', line.strip())
    assert m, line
    labels = tuple(sorted(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(3) or "")))
    samples[(m.group(1), labels)] = float(m.group(4))
def v(name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))), 0)
if sys.argv[2] == "value":
    print(v(sys.argv[3], **dict(a.split("=", 1) for a in sys.argv[4:])))
    sys.exit(0)
if sys.argv[2] == "hist":
    ok = True
    series = {}
    for (name, labels), val in samples.items():
        if name.endswith("_bucket"):
            rest = tuple(l for l in labels if l[0] != "le")
            le = dict(labels)["le"]
            series.setdefault((name[:-7], rest), []).append((float("inf") if le == "+Inf" else float(le), val))
    for (base, rest), b in series.items():
        b.sort()
        counts = [c for _, c in b]
        ok &= counts == sorted(counts) and b[-1][0] == float("inf")
        ok &= samples.get((base + "_count", rest)) == b[-1][1] and (base + "_sum", rest) in samples
    ok &= len(series) > 0
    sys.exit(0 if ok else 1)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
m() { python3 "$T/prom.py" "$@"; }

check "idle: GET /metrics answers" scrape "$SM" "$T/idle.prom"
check "idle: promtool check metrics passes" promtool check metrics <"$T/idle.prom"
check "idle: the node's info, no calls" m "$T/idle.prom" 'v("tandem_signald_info", node_id="s1", version="'"$(tctl s1 -j status | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"'")==1 and v("tandem_signald_calls_total")==0'
check "idle: the media node up" wait_for 5 bash -c "python3 '$PROBE' get '$SM' /metrics | grep -q '^tandem_signald_media_node_up{node=\"$m1_RPC\",node_id=\"m1\"} 1$'"

users_csv "$T/wrong.csv" "1000;0000"
check "a wrong password: 401" reg_sipp w1 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "1001 registers" register_user reg 1001 "$P2"
check "an INVITE with a wrong password: 407 again" \
	timeout 60 sipp -sf "$SIPP_DIR/call_uac_fail.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-s 1001 -set status 407 -au 1000 -ap 4321 -set caller 1000 -timeout 20s -timeout_error -nostdin
sipp_bg callee call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
timeout 90 sipp -sf "$SIPP_DIR/call_uac_wait_bye.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
	-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/caller.sipp-errors.log" \
	>"$T/caller.sipp.log" 2>&1 &
echo $! >"$T/caller.pid"
check "the call is up" wait_for 10 bash -c "'$TANDEMCTL' -s '$T/s1.sock' calls | grep -q ' active '"
check "during the call: scraped" scrape "$SM" "$T/busy.prom"
check "during the call: promtool check metrics passes" promtool check metrics <"$T/busy.prom"
check "during the call: one active call, one set up and answered" \
	m "$T/busy.prom" 'v("tandem_signald_calls", state="active")==1 and v("tandem_signald_calls_total")==1 and v("tandem_signald_calls_answered_total")==1'
check "during the call: registrations and both failures counted" \
	m "$T/busy.prom" 'v("tandem_signald_registrations")==1 and v("tandem_signald_registration_events_total", event="register")==1 and v("tandem_signald_auth_failures_total", method="REGISTER")==1 and v("tandem_signald_auth_failures_total", method="INVITE")==1'
check "during the call: setup time observed once" m "$T/busy.prom" 'v("tandem_signald_call_setup_seconds_count")==1'
check "during the call: media RPCs timed" \
	m "$T/busy.prom" 'v("tandem_signald_media_rpc_seconds_count", node="'"$m1_RPC"'", node_id="m1")>=2'
check "during the call: histograms well formed" m "$T/busy.prom" hist
check "during the call: mediad scraped" scrape "$MM" "$T/mediad.prom"
check "during the call: mediad passes promtool check metrics" promtool check metrics <"$T/mediad.prom"
check "during the call: mediad has the session" m "$T/mediad.prom" 'v("tandem_mediad_sessions")==1'

ID=$(tctl s1 -j calls | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["call_id"])')
check "tandemctl hangs the call up" tctl s1 hangup "$ID" USER_BUSY
check "the caller gets its BYE" sipp_wait caller
check "the callee gets its BYE" sipp_wait callee
check "after the call: no live call" wait_for 5 bash -c "python3 '$PROBE' get '$SM' /metrics | grep -q '^tandem_signald_calls{state=\"active\"} 0$'"
check "after the call: scraped" scrape "$SM" "$T/after.prom"
check "after the call: promtool check metrics passes" promtool check metrics <"$T/after.prom"
check "after the call: the hangup by cause" \
	m "$T/after.prom" 'v("tandem_signald_hangups_total", cause="USER_BUSY")==1 and v("tandem_signald_calls_total")==1'
rpcs=$(m "$T/busy.prom" value tandem_signald_media_rpc_seconds_count "node=$m1_RPC" node_id=m1)
check "after the call: RPC count grew (DeleteSession)" \
	m "$T/after.prom" 'v("tandem_signald_media_rpc_seconds_count", node="'"$m1_RPC"'", node_id="m1")>'"$rpcs"
check "after the call: histograms well formed" m "$T/after.prom" hist
# deploy/grafana/tandem-signald.json: every query parses (promtool check rules, the dashboard's
# $instance filled in) and names only metrics signald exports.
python3 - "$TANDEM_SRC/deploy/grafana/tandem-signald.json" "$T/after.prom" "$T/dash.rules.yml" <<'PY' >"$T/dash.out"
import json, re, sys
dash = json.load(open(sys.argv[1]))
exprs = [t["expr"].replace("$instance", ".*") for p in dash["panels"] for t in p["targets"]]
have = {l.split()[2] for l in open(sys.argv[2]) if l.startswith("# TYPE ")}
with open(sys.argv[3], "w") as f:
    f.write("groups:\n- name: dashboard\n  rules:\n")
    for i, e in enumerate(exprs):
        f.write("  - record: dashboard:q%d\n    expr: %s\n" % (i, json.dumps(e)))
used = {re.sub(r"_bucket$", "", m) for e in exprs for m in re.findall(r"tandem_signald_\w+", e)}
print(len(exprs), " ".join(sorted(used - have)))
PY
read -r n_queries unknown <"$T/dash.out"
check "dashboard: $n_queries queries, all on exported metrics${unknown:+ (unknown: $unknown)}" test "$n_queries" -gt 5 -a -z "$unknown"
check "dashboard: every query parses (promtool check rules)" promtool check rules "$T/dash.rules.yml"
check "only GET /metrics: 404 elsewhere" output_is 404 python3 "$PROBE" status "$SM" /other
finish
