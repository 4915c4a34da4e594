#!/usr/bin/env bash
# The units' SystemCallFilter= against what the daemons really call: mediad and signald run
# under strace through start-up, a registration, an answered call with RTP relayed on io_uring
# (SIPp, echo), /metrics scrapes, tandemctl, a SIGHUP reload and shutdown; every system call seen must pass the filter of the
# daemon's unit (deploy/systemd), expanded with systemd-analyze's groups. A call missing there
# would kill the daemon with SIGSYS under systemd.
. "$(dirname "$0")/../integration/lib.sh"
command -v strace >/dev/null || { log "SKIP: strace missing (deploy/install-deps.sh --test)"; exit 77; }
# The sanitizers' own run-time makes calls the packaged binaries never do.
[ "${TANDEM_SANITIZE:-OFF}" = OFF ] || { log "SKIP: sanitizer build"; exit 77; }
strace -f -qq -o /dev/null true 2>/dev/null || { log "SKIP: strace cannot trace here"; exit 77; }
UNITS=$TANDEM_BUILD/package

# Each daemon starts under strace -f -c (a summary per process tree, written at its exit), as
# an unprivileged user like the units' User=tandem: some libraries call more as root (SQLite
# chowns its journal to the database's owner).
as_user=()
if [ "$(id -u)" -eq 0 ]; then
	as_user=(-u nobody)
	chmod 0755 "$T"
	mkdir -p "$T/s1-state"
	chown nobody "$T/s1-state"
fi
for d in mediad signald; do
	real=$([ $d = mediad ] && echo "$MEDIAD" || echo "$SIGNALD")
	printf '#!/bin/sh\nexec strace -f -qq -c %s -o %s %s "$@"\n' "${as_user[*]}" "$T/$d.strace" "$real" >"$T/$d-traced"
	chmod +x "$T/$d-traced"
done
mport=$(free_port)
MEDIAD=$T/mediad-traced start_mediad m1 --set "metrics.listen=127.0.0.1:$mport" || exit 1
sport=$(free_port)
# The control socket, the event stream and /metrics too (the state folder is the user's).
SIGNALD=$T/signald-traced start_signald s1 "$m1_RPC" --set "control.socket=$T/s1-state/s1.sock" \
	--set "events.publish=tcp://127.0.0.1:$(free_port)" --set "metrics.listen=127.0.0.1:$sport" || exit 1
# The daemon is strace's child: signals go to it, strace follows it out.
daemon_pid() { pgrep -P "$(cat "$T/$1.pid")" | head -n1; }
# Their own pid files too, so a failed run stops them (stopping strace would only detach it).
for d in m1 s1; do daemon_pid $d >"$T/$d-daemon.pid"; done

CALLEE_PORT=$(free_port)
read -r -a RELAY <<<"$(relay_args)"
check "1001 registers" register_user reg1001 1001 "$CALLEE_PORT"
sipp_bg callee call_uas.xml "$CALLEE_PORT" -mp "$(free_port 4)" -rtp_echo "${RELAY[@]}"
sleep 0.3
check "a call with RTP through mediad" timeout 60 sipp -sf "$SIPP_DIR/call_uac.xml" "$s1_SIP" \
	-i 127.0.0.1 -p "$(free_port)" -m 1 -mp "$(free_port 4)" -s 1001 -au 1000 -ap 1234 \
	-set caller 1000 "${RELAY[@]}" -d 1500 -timeout 30s -timeout_error -nostdin \
	>"$T/caller.sipp.log" 2>&1
check "callee completes" sipp_wait callee
check "a /metrics scrape" python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" status "127.0.0.1:$mport" /metrics
check "a signald /metrics scrape" python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" status "127.0.0.1:$sport" /metrics
check "tandemctl status and nodes" bash -c "'$TANDEMCTL' -s '$T/s1-state/s1.sock' status >/dev/null && '$TANDEMCTL' -s '$T/s1-state/s1.sock' -j nodes >/dev/null"
check "tandemctl reload" "$TANDEMCTL" -s "$T/s1-state/s1.sock" reload
kill -HUP "$(daemon_pid s1)"
check "signald reloaded" wait_for 5 grep -q "directory reloaded" "$T/s1.log"
for d in s1 m1; do
	pid=$(daemon_pid $d) spid=$(cat "$T/$d.pid")
	kill -TERM "$pid"
	wait "$spid"
	rm -f "$T/$d.pid" "$T/$d-daemon.pid"
done
check "strace summaries written" test -s "$T/mediad.strace" -a -s "$T/signald.strace"
out=$(python3 "$TANDEM_SRC/tests/package/unit_syscalls.py" "$UNITS/tandem-mediad.service" "$T/mediad.strace")
check "mediad: every system call passes tandem-mediad.service's filter: $out" test $? -eq 0
grep -q io_uring_enter "$T/mediad.strace"
check "mediad called io_uring_enter (the relay ran on io_uring)" test $? -eq 0
out=$(python3 "$TANDEM_SRC/tests/package/unit_syscalls.py" "$UNITS/tandem-signald.service" "$T/signald.strace")
check "signald: every system call passes tandem-signald.service's filter: $out" test $? -eq 0
# The check itself: a filter without @network-io refuses a daemon that uses sockets.
grep -v '^SystemCallFilter' "$UNITS/tandem-mediad.service" >"$T/narrow.service"
echo 'SystemCallFilter=@basic-io' >>"$T/narrow.service"
python3 "$TANDEM_SRC/tests/package/unit_syscalls.py" "$T/narrow.service" "$T/mediad.strace" >/dev/null
check "a narrower filter is reported" test $? -eq 1
finish
