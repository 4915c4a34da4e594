# Harness for integration tests: real daemons on free loopback ports, a private temp dir for
# configs, state and logs, stop by pid file, logs shown when a test fails. Source it, then call
# start_mediad / start_signald, then your checks with pass/fail helpers.
set -u
: "${TANDEM_BUILD:?TANDEM_BUILD must name the build directory}"
: "${TANDEM_SRC:?TANDEM_SRC must name the source directory}"

MEDIAD=$TANDEM_BUILD/mediad/mediad
MEDIACTL=$TANDEM_BUILD/mediad/mediactl
SIGNALD=$TANDEM_BUILD/signaling/signald
SIPPING=$TANDEM_BUILD/signaling/tandem-sipping
FREE_PORT=$TANDEM_BUILD/tests/integration/free_port
SIPP_DIR=$TANDEM_SRC/tests/integration/sipp

T=$(mktemp -d /tmp/tandem-it.XXXXXX)
FAILED=0
CHECKS=0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

dump_logs() {
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 60 lines)"
		tail -n 60 "$f"
	done
}

stop_pidfile() {
	local pf=$1 pid
	[ -f "$pf" ] || return 0
	pid=$(cat "$pf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pf"
}

cleanup() {
	local rc=$?
	for pf in "$T"/*.pid; do [ -e "$pf" ] && stop_pidfile "$pf"; done
	# A daemon built with sanitizers reports into its log; any report fails the test.
	if grep -alE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log >/dev/null 2>&1; then
		log "FAIL: sanitizer report in $(grep -alE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$T"/*.log | tr '\n' ' ')"
		FAILED=$((FAILED + 1))
	fi
	if [ "$FAILED" -ne 0 ] || [ "$rc" -ne 0 ]; then
		dump_logs
		[ "$rc" -eq 0 ] && rc=1
	fi
	[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pass() { CHECKS=$((CHECKS + 1)); log "ok: $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); log "FAIL: $*"; }
check() { # check "description" command...
	local what=$1; shift
	if "$@"; then pass "$what"; else fail "$what"; fi
}
finish() {
	log "$CHECKS checks, $FAILED failed"
	[ "$CHECKS" -gt 0 ] || { log "FAIL: test asserted nothing"; FAILED=1; }
	[ "$FAILED" -eq 0 ]
}

free_port() { "$FREE_PORT" "${1:-1}"; }

# wait_for SECONDS command...: retries until the command succeeds.
wait_for() {
	local secs=$1; shift
	local end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# output_is EXPECTED CMD...: CMD prints EXPECTED (for wait_for: the command runs on every try,
# where `wait_for 5 test "$(cmd)" = x` would expand cmd once, before the first try).
output_is() {
	local want=$1; shift
	[ "$("$@" 2>/dev/null)" = "$want" ]
}

# start_mediad NAME [--set k=v ...]: sets ${NAME}_RPC (endpoint) and ${NAME}_PORT_MIN.
start_mediad() {
	local name=$1; shift
	local rpc_port rtp_base
	rpc_port=$(free_port)
	rtp_base=$(free_port 200)
	cat >"$T/$name.ini" <<INI
[mediad]
node_id = $name
rpc_endpoint = tcp://127.0.0.1:$rpc_port
log_level = debug
[rtp]
bind_ip = 127.0.0.1
port_min = $rtp_base
port_max = $((rtp_base + 199))
INI
	"$MEDIAD" -c "$T/$name.ini" "$@" >"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	printf -v "${name}_RPC" '%s' "tcp://127.0.0.1:$rpc_port"
	printf -v "${name}_PORT_MIN" '%s' "$rtp_base"
	if ! wait_for 10 "$MEDIACTL" -e "tcp://127.0.0.1:$rpc_port" -t 300 ping; then
		log "mediad $name did not answer Ping"
		return 1
	fi
}

# start_signald NAME MEDIA_ENDPOINT [--set k=v ...]: sets ${NAME}_SIP (host:port). Several media
# nodes: MEDIA_ENDPOINT as one word list, "$m1_RPC $m2_RPC". SIGNALD_IP=::1 listens on [::1].
start_signald() {
	local name=$1 media=$2; shift 2
	local sip_port host=${SIGNALD_IP:-127.0.0.1}
	[[ $host == *:* ]] && host="[$host]"
	sip_port=$(free_port)
	mkdir -p "$T/$name-state"
	cat >"$T/$name.ini" <<INI
[signald]
node_id = $name
log_level = debug
state_dir = $T/$name-state
[sip]
listen = $host:$sip_port
[media]
$(for m in $media; do echo "node = $m"; done)
ping_interval_ms = 500
[directory]
path = $TANDEM_SRC/deploy/demo/directory.xml
[dialplan]
file = ${DIALPLAN:-$TANDEM_SRC/deploy/demo/dialplan.xml}
[control]
socket = $T/$name.sock
INI
	"$SIGNALD" -c "$T/$name.ini" "$@" >"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	printf -v "${name}_SIP" '%s' "$host:$sip_port"
	if ! wait_for 10 "$SIPPING" "sip:$host:$sip_port" 300 "sip:$host:*"; then
		log "signald $name did not answer OPTIONS"
		return 1
	fi
}

# stop_daemon NAME: SIGTERM, wait, return its exit status.
stop_daemon() {
	local pf=$T/$1.pid pid rc
	pid=$(cat "$pf")
	kill -TERM "$pid"
	wait "$pid"
	rc=$?
	rm -f "$pf"
	return $rc
}

# run_sipp NAME SCENARIO TARGET [sipp args...]: bounded SIPp run, logs kept in $T.
run_sipp() {
	local name=$1 scen=$2 target=$3; shift 3
	local port
	port=$(free_port)
	timeout 120 sipp -sf "$SIPP_DIR/$scen" "$target" -i 127.0.0.1 -p "$port" -m 1 \
		-timeout 30s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		-trace_screen -screen_file "$T/$name.sipp-screen.log" "$@" >"$T/$name.sipp.log" 2>&1
}

# SIPp 3.6's digest uri is "sip:REMOTE_IP:REMOTE_PORT" without the called user, which the
# default [auth] uri_check = host accepts; call tests say so explicitly.
SIPP_AUTH=(--set auth.uri_check=host)

# register_user NAME USER PORT [sipp args...]: registers USER (password 1234) from 127.0.0.1:PORT.
register_user() {
	local name=$1 user=$2 port=$3; shift 3
	timeout 60 sipp -sf "$SIPP_DIR/call_register.xml" "$s1_SIP" -i 127.0.0.1 -p "$port" \
		-s "$user" -au "$user" -ap 1234 -m 1 -timeout 20s -timeout_error -nostdin \
		-trace_err -error_file "$T/$name.sipp-errors.log" "$@" >"$T/$name.sipp.log" 2>&1
}

# sipp_bg NAME SCENARIO PORT [sipp args...]: a SIPp run in the background (pid file NAME.pid);
# SCENARIO is a file of tests/integration/sipp or an absolute path.
sipp_bg() {
	local name=$1 scen=$2 port=$3; shift 3
	[[ $scen = /* ]] || scen=$SIPP_DIR/$scen
	timeout 90 sipp -sf "$scen" "$s1_SIP" -i 127.0.0.1 -p "$port" -m 1 \
		-timeout 60s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		-trace_msg -message_file "$T/$name.sipp-messages.log" "$@" >"$T/$name.sipp.log" 2>&1 &
	echo $! >"$T/$name.pid"
}

# sipp_wait NAME: waits for a background SIPp and returns its exit status.
sipp_wait() {
	local pid rc
	pid=$(cat "$T/$1.pid")
	wait "$pid"
	rc=$?
	rm -f "$T/$1.pid"
	return $rc
}

# relay_args: the -set arguments that make SIPp check SDP points at mediad m1.
relay_args() {
	echo "-set relay_ip 127.0.0.1 -set relay_port_min $m1_PORT_MIN -set relay_port_max $((m1_PORT_MIN + 199))"
}

# live_sessions ENDPOINT: number of sessions mediad reports.
live_sessions() {
	"$MEDIACTL" -e "$1" --json ping | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p'
}
# ---- registration helpers ----
DEMO_DIRECTORY=$TANDEM_SRC/deploy/demo/directory.xml

# users_csv FILE USER;PASSWORD...: a SIPp -inf file, one registration per line.
users_csv() {
	local f=$1; shift
	{ echo SEQUENTIAL; printf '%s\n' "$@"; } >"$f"
}

# reg_sipp NAME SCENARIO TARGET LOCAL_PORT CSV [sipp args...]: one bounded registration call from
# a fixed local port (the contact); SIPp's -log_file goes to $T/NAME.sipp-log.log.
reg_sipp() {
	local name=$1 scen=$2 target=$3 port=$4 csv=$5; shift 5
	timeout 60 sipp -sf "$SIPP_DIR/$scen" "$target" -i 127.0.0.1 -p "$port" -m 1 -inf "$csv" \
		-timeout 15s -timeout_error -nostdin -trace_err -error_file "$T/$name.sipp-errors.log" \
		-trace_logs -log_file "$T/$name.sipp-log.log" "$@" >"$T/$name.sipp.log" 2>&1
}

# sql DB QUERY: one value from the daemon's SQLite database (read while it runs, thanks to WAL).
sql() { sqlite3 -batch -noheader "$1" "$2"; }
# sql_is DB QUERY VALUE: true when the query returns VALUE (for wait_for, which re-runs it).
sql_is() { [ "$(sql "$1" "$2")" = "$3" ]; }

# ---- RPC keys ----
# make_keys DIR NAME...: a CURVE key pair per NAME (DIR/NAME.key, mode 0600, and DIR/NAME.pub).
make_keys() {
	local dir=$1; shift
	mkdir -p "$dir"
	for n in "$@"; do "$MEDIACTL" keygen --out "$dir/$n" >/dev/null || return 1; done
}

# make_cert DIR: a self-signed certificate for 127.0.0.1 as signald's [sip] tls_cert_dir wants it
# (agent.pem: key and certificate; cafile.pem: the certificate).
make_cert() {
	mkdir -p "$1"
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=127.0.0.1" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$1/key.pem" -out "$1/cafile.pem" 2>/dev/null &&
		cat "$1/key.pem" "$1/cafile.pem" >"$1/agent.pem"
}

# ---- tandemctl ----
TANDEMCTL=$TANDEM_BUILD/signaling/tandemctl
# tctl NAME ARGS...: tandemctl against signald NAME's control socket ($T/NAME.sock, where
# start_signald puts it).
tctl() {
	local name=$1; shift
	"$TANDEMCTL" -s "$T/$name.sock" "$@"
}
# jq_py JSON-FILE EXPR: prints EXPR evaluated by python3 on the JSON document in the file as `d`.
jq_py() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}
