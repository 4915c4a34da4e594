#!/usr/bin/env bash
# Type=notify as systemd runs it: each daemon says READY=1 only once its listening sockets are
# bound (checked while the daemon is frozen at that moment), pings WATCHDOG=1 from its loop at
# half of WATCHDOG_USEC, says STOPPING=1 on SIGTERM, and signald frames its SIGHUP reload with
# RELOADING=1 and READY=1.
source "$(dirname "$0")/../integration/lib.sh"
[ "${TANDEM_SYSTEMD:-ON}" = ON ] || { log "SKIP: built without libsystemd (TANDEM_SYSTEMD=OFF)"; exit 77; }
NOTIFY_RUN=$TANDEM_SRC/tests/package/notify_run.py

# msgs FILE: the notification texts, one line per message (fields joined by '|').
msgs() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if "msg" in j: print("|".join(j["msg"].strip().split("\n")))' "$1"; }
# field FILE KEY: the values of KEY ("ready_check", "exit") in FILE's records.
field() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    j = json.loads(l)
    if sys.argv[2] in j: print(j[sys.argv[2]])' "$1" "$2"; }
has_field() { [ -n "$(field "$1" "$2" 2>/dev/null)" ]; }
# pings_in_first FILE SECONDS: WATCHDOG=1 messages within SECONDS of READY=1.
pings_in_first() { python3 -c 'import json,sys
ready = None; n = 0
for l in open(sys.argv[1]):
    j = json.loads(l)
    m = j.get("msg", "").split("\n")
    if ready is None and "READY=1" in m: ready = j["t"]
    elif ready is not None and "WATCHDOG=1" in m and j["t"] - ready <= float(sys.argv[2]): n += 1
print(n)' "$1" "$2"; }

# --- mediad: RPC socket bound at READY=1 ---
rpc_port=$(free_port)
rtp_base=$(free_port 20)
cat >"$T/m1.ini" <<INI
[mediad]
node_id = m1
rpc_endpoint = tcp://127.0.0.1:$rpc_port
[rtp]
bind_ip = 127.0.0.1
port_min = $rtp_base
port_max = $((rtp_base + 19))
INI
python3 "$NOTIFY_RUN" --out "$T/m1.notify" --log "$T/m1.log" --watchdog-usec 400000 --run 3 \
	--on-ready "ss -Hltn 'sport = :$rpc_port' | grep -q LISTEN" \
	-- "$MEDIAD" -c "$T/m1.ini" &
runner=$!
wait_for 10 has_field "$T/m1.notify" ready_check
check "mediad answers Ping once ready" "$MEDIACTL" -e "tcp://127.0.0.1:$rpc_port" -t 1000 ping
wait "$runner"
log "mediad notifications: $(msgs "$T/m1.notify" | tr '\n' ' ')"
check "mediad: READY=1 first" test "$(msgs "$T/m1.notify" | head -n1 | cut -d'|' -f1)" = READY=1
check "mediad: RPC port listening when READY=1 arrived" test "$(field "$T/m1.notify" ready_check)" = 0
n=$(pings_in_first "$T/m1.notify" 2)
check "mediad: WATCHDOG=1 every ~200 ms for WATCHDOG_USEC=400000 ($n in 2 s)" test "$n" -ge 7 -a "$n" -le 12
check "mediad: STOPPING=1 on SIGTERM" test "$(msgs "$T/m1.notify" | grep -c '^STOPPING=1$')" = 1
check "mediad: exit 0" test "$(field "$T/m1.notify" exit)" = 0

# --- signald: SIP UDP and TCP bound at READY=1; SIGHUP reload framed ---
sip_port=$(free_port)
dead_rpc=$(free_port)
mkdir -p "$T/s1-state"
cat >"$T/s1.ini" <<INI
[signald]
node_id = s1
state_dir = $T/s1-state
[sip]
listen = 127.0.0.1:$sip_port
[media]
node = tcp://127.0.0.1:$dead_rpc
[directory]
path = $TANDEM_SRC/deploy/demo/directory.xml
INI
python3 "$NOTIFY_RUN" --out "$T/s1.notify" --log "$T/s1.log" --watchdog-usec 400000 --hup 2.5 \
	--run 4 --on-ready "ss -Hlun 'sport = :$sip_port' | grep -q . && ss -Hltn 'sport = :$sip_port' | grep -q LISTEN" \
	-- "$SIGNALD" -c "$T/s1.ini" &
runner=$!
wait_for 10 has_field "$T/s1.notify" ready_check
check "signald answers OPTIONS once ready" "$SIPPING" "sip:127.0.0.1:$sip_port" 1000
wait "$runner"
log "signald notifications: $(msgs "$T/s1.notify" | tr '\n' ' ')"
check "signald: READY=1 first" test "$(msgs "$T/s1.notify" | head -n1 | cut -d'|' -f1)" = READY=1
check "signald: SIP UDP and TCP listening when READY=1 arrived" test "$(field "$T/s1.notify" ready_check)" = 0
n=$(pings_in_first "$T/s1.notify" 2)
check "signald: WATCHDOG=1 every ~200 ms for WATCHDOG_USEC=400000 ($n in 2 s)" test "$n" -ge 7 -a "$n" -le 12
# After the SIGHUP: RELOADING=1 (with MONOTONIC_USEC), then READY=1 again.
after_hup=$(msgs "$T/s1.notify" | grep -v '^WATCHDOG=1$' | sed -n '2,3p' | cut -d'|' -f1 | tr '\n' ' ')
check "signald: SIGHUP gives RELOADING=1 then READY=1 (got: $after_hup)" test "$after_hup" = "RELOADING=1 READY=1 "
check "signald: RELOADING=1 carries MONOTONIC_USEC" grep -q 'RELOADING=1\\nMONOTONIC_USEC=[0-9]' "$T/s1.notify"
check "signald: reload logged" grep -q "directory reloaded" "$T/s1.log"
check "signald: STOPPING=1 on SIGTERM" test "$(msgs "$T/s1.notify" | grep -c '^STOPPING=1$')" = 1
check "signald: exit 0" test "$(field "$T/s1.notify" exit)" = 0

# --- no watchdog asked for: no pings ---
python3 "$NOTIFY_RUN" --out "$T/m2.notify" --log "$T/m2.log" --run 1 -- "$MEDIAD" -c "$T/m1.ini"
check "mediad: no WATCHDOG=1 without WATCHDOG_USEC" test "$(msgs "$T/m2.notify" | grep -c WATCHDOG)" = 0
check "mediad: READY=1 without watchdog too" grep -q 'READY=1' "$T/m2.notify"
finish
