#!/usr/bin/env bash
# The event stream ([events] publish) read by `tandemctl events` during real SIPp traffic: a
# registration, a wrong password, a call put on hold and hung up (CHANNEL_CREATE of both legs,
# PROGRESS, ANSWER, BRIDGE, HOLD, HANGUP with its cause and media counters, in that order), an
# operator's unregister and the media node going down; a subscription to one event name gets
# that event only; every event is JSON with FreeSWITCH's header names.
. "$(dirname "$0")/lib.sh"

EV=tcp://127.0.0.1:$(free_port)
start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set "control.socket=$T/s1.sock" \
	--set "events.publish=$EV" || exit 1
P2=$(free_port)
read -r -a RELAY <<<"$(relay_args)"

tctl s1 --json --duration 30 events >"$T/all.jsonl" 2>"$T/all.err" &
echo $! >"$T/sub-all.pid"
tctl s1 --json --duration 30 events CHANNEL_HANGUP >"$T/hangup.jsonl" 2>"$T/hangup.err" &
echo $! >"$T/sub-hangup.pid"
tctl s1 --duration 30 events "CUSTOM sofia::" >"$T/sofia.txt" 2>"$T/sofia.err" &
echo $! >"$T/sub-sofia.pid"
sleep 1 # ZeroMQ subscriptions reach the publisher a moment after connect

users_csv "$T/wrong.csv" "1000;0000"
check "a wrong password: 401" reg_sipp w1 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "1001 registers" register_user reg 1001 "$P2"
sipp_bg callee call_uas_held.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
sleep 0.3
check "a call put on hold, then hung up by the caller" \
	timeout 90 sipp -sf "$SIPP_DIR/call_uac_hold_wait.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" -d 1000 \
	-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/caller.sipp-errors.log"
check "the callee saw it through" sipp_wait callee
check "tandemctl unregister 1001" tctl s1 unregister 1001
stop_daemon m1
# The node is down node_down_ms (3 s) after its last answer.
check "tandem::node_down published" wait_for 10 grep -q '"tandem::node_down"' "$T/all.jsonl"
for s in all hangup sofia; do stop_pidfile "$T/sub-$s.pid"; done

cat >"$T/check.py" <<'PY'
import json, sys
T = sys.argv[1]
events = [json.loads(l) for l in open(T + "/all.jsonl") if l.strip()]
fails = []
def want(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        fails.append(what)
want(len(events) > 0, "events received")
seq = [int(e["Event-Sequence"]) for e in events]
want(seq == sorted(seq) and len(set(seq)) == len(seq), "Event-Sequence rises")
want(all(e.get("Core-UUID") == "s1" and "Event-Date-Timestamp" in e for e in events),
     "every event names the node and its time")
want(all(isinstance(v, str) for e in events for v in e.values()), "every value is a string")
chan = [e for e in events if e["Event-Name"].startswith("CHANNEL_")]
uuid = chan[0]["Channel-Call-UUID"] if chan else ""
names = [e["Event-Name"] + ("/B" if e["Call-Direction"] == "outbound" else "/A")
         for e in chan if e["Channel-Call-UUID"] == uuid]
expect = ["CHANNEL_CREATE/A", "CHANNEL_CREATE/B", "CHANNEL_PROGRESS/B", "CHANNEL_PROGRESS/A",
          "CHANNEL_ANSWER/B", "CHANNEL_ANSWER/A", "CHANNEL_BRIDGE/A", "CHANNEL_HOLD/A",
          "CHANNEL_HANGUP/A"]
want(names == expect, "the call's events in order: %s" % names)
create = [e for e in chan if e["Event-Name"] == "CHANNEL_CREATE"]
want(len(create) == 2 and create[0]["Caller-Caller-ID-Number"] == "1000" and
     create[0]["Caller-Destination-Number"] == "1001" and create[0]["Unique-ID"] == uuid,
     "CHANNEL_CREATE: caller, destination, Unique-ID")
bridge = [e for e in chan if e["Event-Name"] == "CHANNEL_BRIDGE"]
want(bridge and bridge[0]["Bridge-B-Unique-ID"] == create[1]["Unique-ID"],
     "CHANNEL_BRIDGE names the B leg")
hang = [e for e in chan if e["Event-Name"] == "CHANNEL_HANGUP"]
want(hang and hang[0]["Hangup-Cause"] == "NORMAL_CLEARING" and
     hang[0]["variable_hangup_cause_q850"] == "16" and hang[0]["variable_hangup_side"] == "caller",
     "CHANNEL_HANGUP: cause NORMAL_CLEARING (16) by the caller")
want(hang and all(k in hang[0] for k in ("variable_rtp_audio_in_packet_count",
     "variable_rtp_audio_out_packet_count", "variable_billsec", "variable_duration_ms")),
     "CHANNEL_HANGUP: media counters and durations")
want(hang and hang[0]["variable_media_node"] == "m1", "CHANNEL_HANGUP: the media node")
sub = [e.get("Event-Subclass") for e in events if e["Event-Name"] == "CUSTOM"]
want("tandem::auth_failure" in sub, "the wrong password: tandem::auth_failure")
af = [e for e in events if e.get("Event-Subclass") == "tandem::auth_failure"]
want(af and af[0]["username"] == "1000" and af[0]["auth-method"] == "REGISTER",
     "auth failure: user and method")
reg = [e for e in events if e.get("Event-Subclass") == "sofia::register"]
want(len(reg) == 1 and reg[0]["username"] == "1001" and int(reg[0]["expires"]) > 0,
     "sofia::register of 1001 with its expiry")
unreg = [e for e in events if e.get("Event-Subclass") == "sofia::unregister"]
want(len(unreg) == 1 and unreg[0]["username"] == "1001" and unreg[0]["count"] == "1",
     "sofia::unregister of 1001's one binding")
want(sub.index("sofia::register") < sub.index("sofia::unregister") < sub.index("tandem::node_down"),
     "register, unregister, node down in order")
down = [e for e in events if e.get("Event-Subclass") == "tandem::node_down"]
want(down and down[0]["node-id"] == "m1", "tandem::node_down names m1")
only = [json.loads(l) for l in open(T + "/hangup.jsonl") if l.strip()]
want(len(only) == 1 and only[0]["Event-Name"] == "CHANNEL_HANGUP",
     "a CHANNEL_HANGUP subscription gets the hangup only")
sofia = [l.split() for l in open(T + "/sofia.txt") if l.strip()]
want([w[2] for w in sofia] == ["sofia::register", "sofia::unregister"],
     "a 'CUSTOM sofia::' subscription (text output): register and unregister only")
sys.exit(1 if fails else 0)
PY
check "the stream as expected" python3 "$T/check.py" "$T"
finish
