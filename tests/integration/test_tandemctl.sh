#!/usr/bin/env bash
# tandemctl against running daemons, every command with --json read by python3: status, nodes,
# registrations, a call shown with both legs, codecs and the media node's live counters, reload
# refused with a broken dialplan or [codecs] while that call goes on, codecs reloaded for the
# next call, hangup with a cause (both phones get their BYE, the CDR says so), drain and
# undrain, loglevel, unregister, and the errors (unknown call, command, level).
. "$(dirname "$0")/lib.sh"

cp "$TANDEM_SRC/deploy/demo/dialplan.xml" "$T/dialplan.xml"
DIALPLAN=$T/dialplan.xml
start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" "${SIPP_AUTH[@]}" --set "control.socket=$T/s1.sock" || exit 1
DB=$T/s1-state/tandem.db
P2=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
J=$T/answer.json
# js ARGS... -- EXPR: runs tandemctl --json ARGS, then true when python EXPR on it holds.
js() {
	local args=() expr
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	expr=$2
	tctl s1 --json "${args[@]}" >"$J" 2>>"$T/ctl-errors.log" || return 1
	[ "$(jq_py "$J" "$expr")" = True ]
}
cdr() { sqlite3 "$DB" "SELECT $1 FROM cdr ORDER BY rowid DESC LIMIT 1"; }

check "the control socket is mode 0660" test "$(stat -c %a "$T/s1.sock")" = 660
check "status: node s1, no calls" js status -- 'd["node_id"]=="s1" and d["calls"]==0 and d["version"]!=""'
check "status: the media node comes up" wait_for 5 js status -- 'd["media_nodes_up"]==1'
check "status (text) names the node" bash -c "'$TANDEMCTL' -s '$T/s1.sock' status | grep -q '^node s1'"
check "nodes: m1 up, not drained" js nodes -- 'len(d)==1 and d[0]["node_id"]=="m1" and d[0]["up"] and not d[0]["drained_here"]'

check "1001 registers" register_user reg 1001 "$P2"
check "registrations: 1001's binding" \
	js registrations -- 'len(d)==1 and d[0]["user"]=="1001" and d[0]["contact"].endswith(":'"$P2"';transport=UDP") and d[0]["expires_in_s"]>0'
check "registrations 1001: one" js registrations 1001 -- 'len(d)==1 and d[0]["network_port"]=='"$P2"
check "registrations 1002: none" js registrations 1002 -- 'd==[]'
check "status counts the registration" js status -- 'd["registrations"]==1'

# A call the switch will end: the caller and the callee wait for a BYE.
call_up() { # call_up NAME
	sipp_bg "$1-callee" call_uas.xml "$P2" -mp "$(free_port 4)" "${RELAY[@]}"
	sleep 0.3
	timeout 90 sipp -sf "$SIPP_DIR/call_uac_wait_bye.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" \
		-m 1 -mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$1-caller.sipp-errors.log" \
		>"$T/$1-caller.sipp.log" 2>&1 &
	echo $! >"$T/$1-caller.pid"
}
call_up first
check "calls: one active call" wait_for 10 js calls -- 'len(d)==1 and d[0]["state"]=="active"'
ID=$(jq_py "$J" 'd[0]["call_id"]')
check "calls: caller, destination and media node" \
	js calls -- 'd[0]["caller"]=="1000" and d[0]["destination"]=="1001" and d[0]["media_node"]=="m1"'
check "call: both legs confirmed, the B leg answered" \
	js call "$ID" -- '[l["state"] for l in d["legs"]]==["confirmed","confirmed"] and d["legs"][1]["leg"]=="B0*"'
check "call: the codecs of each leg" \
	js call "$ID" -- 'd["legs"][0]["codecs"][0]=="PCMA/8000" and "PCMU/8000" in d["legs"][1]["codecs"]'
check "call: the node's session with live counters per leg" \
	js call "$ID" -- 'd["media_session"].startswith("m1-") and len(d["media"]["a"])==1 and "packets" in d["media"]["b"][0]["rtp"] and d["media"]["a"][0]["local_port"]>0'
check "call (text): legs and media" bash -c "'$TANDEMCTL' -s '$T/s1.sock' call '$ID' | grep -q 'a stream 0: local 127.0.0.1:'"
check "status: one active call" js status -- 'd["calls_by_state"]["active"]==1'

# Reload while the call is up: a broken dialplan, then a broken [codecs], are refused.
cp "$DIALPLAN" "$T/dialplan.good"
sed -i 's/<\/include>//' "$DIALPLAN"
check "reload with a broken dialplan: refused" bash -c "! '$TANDEMCTL' -s '$T/s1.sock' reload 2>'$T/reload.err'"
check "the refusal names the dialplan" grep -q "reload refused.*dialplan: .*dialplan.xml" "$T/reload.err"
check "reload --json: the error" bash -c "! '$TANDEMCTL' -s '$T/s1.sock' -j reload >'$J'"
check "reload --json: error text" test "$(jq_py "$J" '"dialplan" in d["error"]')" = True
cp "$T/dialplan.good" "$DIALPLAN"
printf '[codecs]\naudio = PCMA,telephone-event\nnegotiation = sideways\n' >>"$T/s1.ini"
check "reload with a broken [codecs]: refused" bash -c "! '$TANDEMCTL' -s '$T/s1.sock' reload 2>'$T/reload.err'"
check "the refusal names [codecs]" grep -q "\[codecs\] negotiation: 'sideways'" "$T/reload.err"
check "the call is still up after the refusals" js call "$ID" -- 'd["state"]=="active"'
sed -i 's/^negotiation = sideways$/negotiation = greedy/' "$T/s1.ini"
check "reload with the mended files" js reload -- 'd["reloaded"]'
# SIGHUP does the same.
sed -i 's/^negotiation = greedy$/negotiation = sideways/' "$T/s1.ini"
kill -HUP "$(cat "$T/s1.pid")"
check "SIGHUP with a broken [codecs]: refused, logged" \
	wait_for 5 grep -q "configuration reload failed, keeping the previous codecs: .*s1.ini: \[codecs\] negotiation: 'sideways'" "$T/s1.log"
sed -i 's/^negotiation = sideways$/negotiation = greedy/' "$T/s1.ini"
kill -HUP "$(cat "$T/s1.pid")"
check "SIGHUP with the mended file: codecs reloaded (after tandemctl's, a second time)" \
	wait_for 5 output_is 2 grep -c "codecs reloaded: audio PCMA,telephone-event, video H264,VP8, greedy" "$T/s1.log"

check "hangup: the call" js hangup "$ID" -- 'd["cause"]=="NORMAL_CLEARING"'
check "hangup: the caller gets a BYE" sipp_wait first-caller
check "hangup: the callee gets a BYE" sipp_wait first-callee
check "hangup: CDR cause NORMAL_CLEARING by operator" wait_for 5 output_is "NORMAL_CLEARING|operator" cdr "hangup_cause || '|' || hangup_side"
check "hangup: no call left" wait_for 5 js calls -- 'd==[]'

# The reloaded [codecs] (PCMA only) for the next call; hung up with a cause.
call_up second
check "second call: active" wait_for 10 js calls -- 'len(d)==1 and d[0]["state"]=="active"'
ID=$(jq_py "$J" 'd[0]["call_id"]')
check "second call: the callee is offered the reloaded codecs only" \
	js call "$ID" -- 'd["legs"][1]["codecs"]==["PCMA/8000","telephone-event/8000"]'
check "hangup with a cause" js hangup "$ID" CALL_REJECTED -- 'd["cause"]=="CALL_REJECTED"'
check "hangup with a cause: the caller gets a BYE" sipp_wait second-caller
check "hangup with a cause: the callee gets a BYE" sipp_wait second-callee
check "hangup with a cause: in the CDR" wait_for 5 output_is CALL_REJECTED cdr hangup_cause

# A call with RTP (SIPp plays audio, the callee echoes it): the node's counters move.
sipp_bg rtp-callee call_uas.xml "$P2" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sleep 0.3
timeout 60 sipp -sf "$SIPP_DIR/call_uac.xml" "$s1_SIP" -i 127.0.0.1 -p "$(free_port)" -m 1 \
	-mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 -set caller 1000 "${RELAY[@]}" -d 3000 \
	-timeout 30s -timeout_error -nostdin >"$T/rtp-caller.sipp.log" 2>&1 &
echo $! >"$T/rtp-caller.pid"
check "RTP call: active" wait_for 10 js calls -- 'len(d)==1 and d[0]["state"]=="active"'
ID=$(jq_py "$J" 'd[0]["call_id"]')
check "call: RTP counted from both legs, live" \
	wait_for 10 js call "$ID" -- 'd["media"]["a"][0]["rtp"]["packets"]>0 and d["media"]["b"][0]["rtp"]["packets"]>0 and d["media"]["a"][0]["rtp"]["bytes"]>0'
[ "$FAILED" -eq 0 ] || cat "$J" # the last answer, for the log
check "RTP call: the caller's BYE" sipp_wait rtp-caller
check "RTP call: the callee saw it" sipp_wait rtp-callee

check "hangup of an unknown call: exit 1" bash -c "'$TANDEMCTL' -s '$T/s1.sock' hangup nosuch; test \$? -eq 1"
check "hangup of an unknown call --json: the error" bash -c "! '$TANDEMCTL' -s '$T/s1.sock' -j hangup nosuch >'$J'"
check "the error says no call" test "$(jq_py "$J" 'd["error"]')" = "no call nosuch"
check "hangup with an unknown cause: refused" bash -c "'$TANDEMCTL' -s '$T/s1.sock' hangup x NO_SUCH_CAUSE; test \$? -eq 1"

check "drain m1" js drain m1 -- 'd["drained"] and d["node_told"]'
check "nodes: m1 drained here and by itself" wait_for 5 js nodes -- 'd[0]["drained_here"] and d[0]["draining"]'
check "undrain m1" js undrain "$m1_RPC" -- 'not d["drained"]'
check "nodes: m1 no longer drained" wait_for 5 js nodes -- 'not d[0]["drained_here"] and not d[0]["draining"]'
check "drain an unknown node: refused" bash -c "'$TANDEMCTL' -s '$T/s1.sock' drain m9; test \$? -eq 1"

check "loglevel: debug as configured" js loglevel -- 'd["log_level"]=="debug"'
check "loglevel warn" js loglevel warn -- 'd["log_level"]=="warn"'
check "status shows the new level" js status -- 'd["log_level"]=="warn"'
check "loglevel with an unknown level: refused" bash -c "'$TANDEMCTL' -s '$T/s1.sock' loglevel loud; test \$? -eq 1"
tctl s1 loglevel debug >/dev/null

check "unregister 1001" js unregister 1001 -- 'd["removed"]==1'
check "registrations: none left" js registrations -- 'd==[]'
check "unregister again: nothing to remove" bash -c "'$TANDEMCTL' -s '$T/s1.sock' unregister 1001; test \$? -eq 1"
check "events without [events] publish: refused" bash -c "'$TANDEMCTL' -s '$T/s1.sock' events; test \$? -eq 1"
check "an unknown command: exit 1" bash -c "'$TANDEMCTL' -s '$T/s1.sock' frobnicate; test \$? -eq 1"
check "no signald on the socket: exit 3" bash -c "'$TANDEMCTL' -s '$T/none.sock' status; test \$? -eq 3"
# What a client of the socket may send that tandemctl never does.
cat >"$T/hostile.py" <<'PY'
import json, socket, sys, time
path = sys.argv[1]
def conn():
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    return s
def talk(data, close_early=False):
    s = conn()
    s.sendall(data)
    if close_early:
        s.close()
        return b""
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            break
        out += d
    s.close()
    return out
checks = [
    (talk(b"x" * 2000).startswith(b"ERR\nrequest line longer"), "a line over 1 KiB"),
    (talk(b"hello\n").startswith(b"ERR\n"), "no format word"),
    (talk(b"json " + b"a " * 20 + b"\n") == b'ERR\n{"error":"too many words (at most 8)"}\n', "too many words"),
    (talk(b"text \x00\xff\x1b[2J\n").startswith(b"ERR\n"), "a NUL byte"),
    (json.loads(talk(b"json \xff\x1b[2J\n")[4:])["error"] == "unknown command '\ufffd\x1b[2J'",
     "bytes that are not UTF-8, escapes: valid JSON"),
    (talk(b"json status", close_early=True) == b"", "a client leaving mid-line"),
    (talk(b"json calls\njson status\n").count(b"OK\n") == 1, "one request per connection"),
]
idle = [conn() for _ in range(16)]
time.sleep(0.3)
extra = conn()  # told at once, before it says anything
checks.append((extra.recv(4096).startswith(b"ERR\ntoo many"), "a 17th client refused"))
extra.close()
for s in idle:
    s.close()
time.sleep(0.3)
checks.append((talk(b"json status\n").startswith(b"OK\n{"), "served again once they left"))
for ok, what in checks:
    print(("ok: " if ok else "FAIL: ") + what)
sys.exit(0 if all(ok for ok, _ in checks) else 1)
PY
check "hostile requests on the socket are refused, signald unharmed" python3 "$T/hostile.py" "$T/s1.sock"
check "status still answers" js status -- 'd["node_id"]=="s1"'
check "signald still answers SIP" "$SIPPING" "sip:$s1_SIP" 1000
finish
