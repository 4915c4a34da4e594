#!/bin/bash
# call_bench.sh: calls per second through Tandem (signald + mediad) and through the peer
# (Kamailio + rtpengine) in one run, with the same SIPp scenarios and the same rates.
#
# For each mode ("sig": no RTP; "rtp": 1 s of G.711 echoed by the callee) and each system, the
# system is started fresh, callee 1001 registers from a SIPp UAS, and a SIPp UAC places calls
# (407 round trip, 1 s hold) at a fixed rate per step, ramping until failures reach --max-fail %.
# Per step: offered/achieved rate, calls ok/failed, setup time p50/p99, CPU of each daemon, and in
# rtp mode the RTP that went through the relay. At Tandem's limit, signald is profiled with
# perf and per-thread CPU from /proc. Results: $OUT/results.jsonl, one directory per step under $OUT/steps, and the
# section "## Calls: signald + mediad vs Kamailio + rtpengine" of --doc (its "### Analysis"
# part is kept across runs).
#
#   tests/bench/call_bench.sh [--build DIR [--no-build]] [--out DIR] [--doc FILE | --no-doc]
#                             [--systems "tandem peer"] [--modes "sig rtp"] [--rates "50 100 ..."]
#                             [--step-s S] [--max-fail PCT] [--log-level LEVEL] [--no-profile]
#                             [--wait-quiet MINUTES]
#
# --no-build: use DIR's binaries as they are (the smoke test does). --wait-quiet M: before
# starting, wait up to M minutes for a 1-minute load average below 0.5 held for a minute; the
# run starts anyway afterwards (the load is in the report). --systems tandem needs neither
# Kamailio nor rtpengine. Environment: CALL_BENCH_LOCKS (lock files, "" for none),
# TANDEM_PEER_DIR (default <repo>/../shared/peers/kamailio-rtpengine: start.sh and
# stop.sh are used as they are, with RUN_DIR in our temp dir).
# Loopback only. Daemons and SIPp are stopped by PID; every step is bounded by -m, -timeout and
# -recv_timeout. Runs under flock so that it never overlaps another benchmark of this machine.
# Both systems' daemons and SIPp run at nice -10 (when allowed), the session's scheduler
# autogroup raised the same way and restored at exit, so that background work on the shared
# cores takes less of their time; the report shows how much other work there was.
set -u
LOCKS=${CALL_BENCH_LOCKS-/tmp/anchor-bench.lock /tmp/tandem-rtp-bench.lock}
if [ "${CALL_BENCH_LOCKED:-}" != 1 ]; then
	export CALL_BENCH_LOCKED=1
	cmd=("$0" "$@")
	# -o: the daemons started below do not inherit the locks
	for l in $LOCKS; do cmd=(flock -o -w 3600 "$l" "${cmd[@]}"); done
	exec "${cmd[@]}"
fi

SRC="$(cd "$(dirname "$0")/../.." && pwd)"
HERE="$SRC/tests/bench"
BUILD="$SRC/build-bench"
OUT="/tmp/tandem-callbench.$(date +%Y%m%d-%H%M%S)"
DOC="$SRC/docs/performance.md"
SYSTEMS="tandem peer"
MODES="sig rtp"
RATES="50 100 200 300 400 500 600 800 1000 1200 1500 2000"
STEP_S=20
WARM_S=3
MAX_FAIL=0.1
HOLD_MS=1000
LOG_LEVEL=notice
PRIO=(nice -n -10)
"${PRIO[@]}" true 2>/dev/null || PRIO=()
PROFILE=1
WAIT_QUIET=0
NO_BUILD=0
PEER_DIR=${TANDEM_PEER_DIR:-$SRC/../shared/peers/kamailio-rtpengine}
TANDEM_RTP_MIN=50000 # mediad's range; the peer's rtpengine uses 40000-49999
TANDEM_RTP_MAX=59999
PEER_RTP_MIN=40000
PEER_RTP_MAX=49999
COMMAND="tests/bench/call_bench.sh${*:+ $(printf '%q ' "$@")}"

usage() { sed -n '2,31p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--no-build) NO_BUILD=1; shift ;;
	--out) OUT=$2; shift 2 ;;
	--doc) DOC=$2; shift 2 ;;
	--no-doc) DOC=""; shift ;;
	--systems) SYSTEMS=$2; shift 2 ;;
	--modes) MODES=$2; shift 2 ;;
	--rates) RATES=$2; shift 2 ;;
	--step-s) STEP_S=$2; shift 2 ;;
	--max-fail) MAX_FAIL=$2; shift 2 ;;
	--log-level) LOG_LEVEL=$2; shift 2 ;;
	--no-profile) PROFILE=0; shift ;;
	--wait-quiet) WAIT_QUIET=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ "$STEP_S" -ge 5 ] && [ "$STEP_S" -le 120 ] || { echo "--step-s: 5..120" >&2; exit 2; }
for r in $RATES; do [ "$r" -ge 1 ] && [ "$r" -le 5000 ] || { echo "--rates: 1..5000" >&2; exit 2; }; done

REPORT="$HERE/call_bench_report.py"
SCEN="$HERE/sipp"
REG_SCEN="$SRC/tests/integration/sipp/call_register.xml"
MEDIAD=$BUILD/mediad/mediad
MEDIACTL=$BUILD/mediad/mediactl
SIGNALD=$BUILD/signaling/signald
SIPPING=$BUILD/signaling/tandem-sipping
FREE_PORT=$BUILD/tests/integration/free_port
RESULTS=$OUT/results.jsonl
T=$(mktemp -d /tmp/tandem-callbench-run.XXXXXX)
mkdir -p "$OUT/steps"
: >"$RESULTS"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/bench.log"; }
die() { log "ERROR: $*"; exit 1; }

# ------------------------------------------------------------------ processes, by pid file only
stop_pidfile() { # stop_pidfile FILE [SIGNAL]
	local pf=$1 sig=${2:-TERM} pid
	[ -f "$pf" ] || return 0
	pid=$(cat "$pf")
	if kill -0 "$pid" 2>/dev/null; then
		kill -"$sig" "$pid" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	rm -f "$pf"
}
stop_peer() {
	[ -f "$T/peer/kamailio.pid" ] || [ -f "$T/peer/rtpengine.pid" ] || return 0
	RUN_DIR="$T/peer" "$PEER_DIR/stop.sh" >>"$OUT/bench.log" 2>&1
}
cleanup() {
	local rc=$?
	[ -n "${AUTOGROUP_NICE:-}" ] && echo "$AUTOGROUP_NICE" >/proc/self/autogroup 2>/dev/null
	for pf in "$T"/*.pid "$T"/tandem/*.pid; do [ -e "$pf" ] && stop_pidfile "$pf"; done
	stop_peer
	rm -rf "$T"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_for() { # wait_for SECONDS command...
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}
free_port() { "$FREE_PORT" "${1:-1}"; }
udp_free() { python3 -c "import socket,sys; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(('127.0.0.1',int(sys.argv[1])))" "$1" 2>/dev/null; }
tcp_free() { python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(('127.0.0.1',int(sys.argv[1])))" "$1" 2>/dev/null; }
load1() { cut -d' ' -f1 /proc/loadavg; }

# ------------------------------------------------------------------ packages and build
install_missing() {
	local need=() b p tools="sipp:sip-tester python3:python3 sqlite3:sqlite3 flock:util-linux"
	case " $SYSTEMS " in *" peer "*)
		tools="$tools kamailio:kamailio kamcmd:kamailio rtpengine:rtpengine-daemon"
		tools="$tools rtpengine-ctl:rtpengine-utils" ;;
	esac
	for b in $tools; do
		command -v "${b%%:*}" >/dev/null || need+=("${b#*:}")
	done
	[ ${#need[@]} -eq 0 ] && return 0
	mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
	log "installing ${need[*]}"
	[ "$(id -u)" -eq 0 ] || die "missing packages ${need[*]}: run as root or install them"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${need[@]}" >>"$OUT/bench.log" 2>&1 || die "apt-get install failed"
	for p in "${need[@]}"; do dpkg-query -W "$p" >/dev/null 2>&1 || die "$p not installed"; done
}
build() {
	if [ "$NO_BUILD" = 1 ]; then
		for b in "$MEDIAD" "$MEDIACTL" "$SIGNALD" "$SIPPING" "$FREE_PORT"; do
			[ -x "$b" ] || die "--no-build: $b is missing"
		done
		return 0
	fi
	# optimised (RelWithDebInfo: -O2 -g, so perf can name functions), like the peer's packages
	if [ ! -f "$BUILD/CMakeCache.txt" ]; then
		cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT/build.log" 2>&1 ||
			die "cmake failed, see $OUT/build.log"
	fi
	cmake --build "$BUILD" -j2 --target signald mediad mediactl tandem-sipping free_port \
		>>"$OUT/build.log" 2>&1 || die "build failed, see $OUT/build.log"
	grep -q 'CMAKE_BUILD_TYPE:STRING=\(RelWithDebInfo\|Release\)' "$BUILD/CMakeCache.txt" ||
		log "warning: $BUILD is not an optimised build"
}

wait_quiet() {
	local end=$((SECONDS + WAIT_QUIET * 60)) quiet_since=""
	[ "$WAIT_QUIET" -gt 0 ] || return 0
	log "waiting up to $WAIT_QUIET min for load average < 0.5 during a minute (now $(load1))"
	while [ "$SECONDS" -lt "$end" ]; do
		if awk "BEGIN{exit !($(load1) < 0.5)}"; then
			[ -n "$quiet_since" ] || quiet_since=$SECONDS
			[ $((SECONDS - quiet_since)) -ge 60 ] && { log "machine quiet (load $(load1))"; return 0; }
		else
			quiet_since=""
		fi
		sleep 5
	done
	log "machine not quiet after $WAIT_QUIET min (load $(load1)); running anyway"
}

# ------------------------------------------------------------------ the systems under test
# start_system SYSTEM MODE: sets TARGET, PASS, RELAY_MIN/MAX and the daemons' pids (PIDS_ROLES)
start_tandem() {
	local dir=$T/tandem rpc sip
	mkdir -p "$dir/state"
	rpc=$(free_port)
	sip=$(free_port)
	cat >"$dir/mediad.ini" <<-INI
		[mediad]
		node_id = bench-media
		rpc_endpoint = tcp://127.0.0.1:$rpc
		log_level = $LOG_LEVEL
		[rtp]
		bind_ip = 127.0.0.1
		port_min = $TANDEM_RTP_MIN
		port_max = $TANDEM_RTP_MAX
	INI
	cat >"$dir/signald.ini" <<-INI
		[signald]
		node_id = bench-sig
		log_level = $LOG_LEVEL
		state_dir = $dir/state
		[sip]
		listen = 127.0.0.1:$sip
		domain = 127.0.0.1
		; every SIPp instance sends from 127.0.0.1
		source_rate = 0
		[media]
		node = tcp://127.0.0.1:$rpc
		[directory]
		path = $SRC/deploy/demo/directory.xml
		[call]
		; the benchmark measures capacity: every call comes from one user, no admission limit
		max_calls = 0
		max_cps = 0
		max_calls_per_user = 0
	INI
	"${PRIO[@]}" "$MEDIAD" -c "$dir/mediad.ini" >"$SYS_DIR/mediad.log" 2>&1 &
	echo $! >"$dir/mediad.pid"
	wait_for 10 "$MEDIACTL" -e "tcp://127.0.0.1:$rpc" -t 300 ping || die "mediad did not start"
	"${PRIO[@]}" "$SIGNALD" -c "$dir/signald.ini" --set auth.uri_check=host >"$SYS_DIR/signald.log" 2>&1 &
	echo $! >"$dir/signald.pid"
	wait_for 10 "$SIPPING" "sip:127.0.0.1:$sip" 300 || die "signald did not start"
	TARGET=127.0.0.1:$sip
	PASS=1234
	RELAY_MIN=$TANDEM_RTP_MIN
	RELAY_MAX=$TANDEM_RTP_MAX
	MEDIA_RPC=tcp://127.0.0.1:$rpc
	DB=$dir/state/tandem.db
	PIDS_ROLES="signald:$(cat "$dir/signald.pid") mediad:$(cat "$dir/mediad.pid")"
}
stop_tandem() {
	stop_pidfile "$T/tandem/signald.pid"
	stop_pidfile "$T/tandem/mediad.pid"
	rm -rf "$T/tandem"
}
start_peer() {
	local p
	[ -x "$PEER_DIR/start.sh" ] && [ -x "$PEER_DIR/stop.sh" ] || die "no start.sh/stop.sh in $PEER_DIR"
	for p in 5070 2224; do udp_free $p || die "udp 127.0.0.1:$p is taken: another Kamailio/rtpengine runs"; done
	tcp_free 9226 || die "tcp 127.0.0.1:9226 is taken: another rtpengine runs"
	mkdir -p "$T/peer"
	RUN_DIR="$T/peer" "${PRIO[@]}" "$PEER_DIR/start.sh" >>"$OUT/bench.log" 2>&1 || die "peer start.sh failed"
	TARGET=127.0.0.1:5070
	PASS=secret
	RELAY_MIN=$PEER_RTP_MIN
	RELAY_MAX=$PEER_RTP_MAX
	PIDS_ROLES="kamailio:$(cat "$T/peer/kamailio.pid") rtpengine:$(cat "$T/peer/rtpengine.pid")"
}
stop_peer_logs() {
	cp "$T/peer/kamailio.log" "$T/peer/rtpengine.log" "$SYS_DIR/" 2>/dev/null
	stop_peer
	rm -rf "$T/peer"
}
rtpe() { rtpengine-ctl -ip 127.0.0.1 -port 9226 "$@" 2>/dev/null; }
rtpe_total() { rtpe list totals | awk -F: -v k="$1" '$1 ~ "^ *"k" *$" {gsub(/ /,"",$2); print $2; exit}'; }

# live_calls: "SESSIONS DIALOGS" left on the system under test
live_calls() {
	if [ "$SYS" = tandem ]; then
		echo "$("$MEDIACTL" -e "$MEDIA_RPC" -t 1000 --json ping | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p')" \
			"$(sqlite3 "$DB" 'SELECT count(*) FROM sip_dialogs' 2>/dev/null)"
	else
		echo "$(rtpe list numsessions | awk -F: '/sessions total/{gsub(/ /,"",$2); print $2}')" \
			"$(kamcmd -s "unix:$T/peer/kamailio_ctl" tm.stats 2>/dev/null | awk '/current:/{print $2}')"
	fi
}
drained() { [ "$(live_calls)" = "0 0" ]; }

media_before() {
	if [ "$SYS" = tandem ]; then
		CDR_MARK=$(sqlite3 "$DB" 'SELECT coalesce(max(rowid),0) FROM cdr')
	else
		RTPE_MARK=$(rtpe_total "Total relayed packets")
	fi
}
media_after() { # media_after FILE: what the relay saw for this step's calls
	if [ "$SYS" = tandem ]; then
		sqlite3 -separator ' ' "$DB" "SELECT count(*), coalesce(sum(rtp_packets_a),0),
			coalesce(sum(rtp_packets_b),0), coalesce(sum(rtp_packets_a < 30 OR rtp_packets_b < 30),0),
			coalesce(sum(sip_status = 200),0) FROM cdr WHERE rowid > $CDR_MARK" |
			awk '{print "cdr_calls=" $1 "\ncdr_rtp_a=" $2 "\ncdr_rtp_b=" $3 "\ncdr_short=" $4 "\ncdr_answered=" $5}' >"$1"
	else
		local now
		now=$(rtpe_total "Total relayed packets")
		{ echo "rtpe_packets=$((now - RTPE_MARK))"
		  echo "rtpe_sessions_total=$(rtpe_total "Total managed sessions")"
		  echo "rtpe_timeouts_total=$(rtpe_total "Total timed-out sessions via TIMEOUT")"; } >"$1"
	fi
}

# ------------------------------------------------------------------ one load step
SIPP_COMMON=(-i 127.0.0.1 -nostdin -buff_size 4194304 -trace_stat -fd 5 -trace_err)
register_callee() { # register_callee DIR
	timeout 30 "${PRIO[@]}" sipp "$TARGET" -sf "$REG_SCEN" -s 1001 -au 1001 -ap "$PASS" -i 127.0.0.1 \
		-p "$UAS_PORT" -m 1 -timeout 20s -timeout_error -nostdin -trace_err \
		-error_file "$1/register_errors.log" >"$1/register.log" 2>&1
}

# run_step RATE [profile]: one step of $STEP_S seconds at RATE calls/s against $SYS in $MODE
run_step() {
	local rate=$1 prof=${2:-} n d uac uas win rc urc i rtp=() tmo roles pids=() r pp ls ld
	n=$((rate * STEP_S))
	STEP_NO=$((STEP_NO + 1))
	# the caller's ports are fresh every step: test suites on this machine take ports of the
	# same range (the callee keeps the port it registered for the whole ramp)
	UAC_PORT=$(free_port)
	UAC_MEDIA=$(free_port 4)
	d=$OUT/steps/$(printf '%02d' "$STEP_NO")_${SYS}_${MODE}_${rate}${prof:+_profile}
	mkdir -p "$d/uac" "$d/uas"
	if ! register_callee "$d"; then
		# a port taken meanwhile never sent the REGISTER: the callee moves to other ports
		grep -qs 'Unable to bind' "$d/register.log" "$d/register_errors.log" || {
			log "callee registration failed ($d/register.log)"; return 1; }
		UAS_PORT=$(free_port)
		UAS_MEDIA=$(free_port 4)
		register_callee "$d" || { log "callee registration failed ($d/register.log)"; return 1; }
	fi
	tmo=$((STEP_S + 45))
	(cd "$d/uas" && exec "${PRIO[@]}" sipp "$TARGET" -sf "$SCEN/bench_uas.xml" -p "$UAS_PORT" -mp "$UAS_MEDIA" \
		-rtp_echo -set relay_ip 127.0.0.1 -set relay_port_min "$RELAY_MIN" \
		-set relay_port_max "$RELAY_MAX" -m "$n" -timeout "$((tmo + 10))s" -recv_timeout 20000 \
		-stf uas_stat.csv "${SIPP_COMMON[@]}" >stdout.log 2>stderr.log) &
	uas=$!
	echo "$uas" >"$T/sipp_uas.pid"
	sleep 0.5
	media_before
	[ "$MODE" = sig ] && rtp=(-set rtp off)
	echo "load1=$(load1)" >"$d/params"
	(cd "$d/uac" && exec "${PRIO[@]}" sipp "$TARGET" -sf "$SCEN/bench_uac.xml" -s 1001 -inf "$T/callers.csv" \
		-p "$UAC_PORT" -mp "$UAC_MEDIA" -key pcap_audio "$PCAP" -set relay_ip 127.0.0.1 \
		-set relay_port_min "$RELAY_MIN" -set relay_port_max "$RELAY_MAX" "${rtp[@]}" \
		-d "$HOLD_MS" -r "$rate" -m "$n" -l $((rate * 15)) -timeout "${tmo}s" \
		-recv_timeout 10000 -trace_rtt -rtt_freq 1 -stf uac_stat.csv "${SIPP_COMMON[@]}" \
		>stdout.log 2>stderr.log) &
	uac=$!
	echo "$uac" >"$T/sipp_uac.pid"
	roles="$PIDS_ROLES sipp_uac:$uac sipp_uas:$uas"
	for r in $roles; do pids+=("${r#*:}"); done
	python3 "$REPORT" window "$d/cpu_start" "$d/cpu_end" "$WARM_S" "$STEP_S" "$uac" "${pids[@]}" &
	win=$!
	pp=""
	if [ -n "$prof" ]; then
		profile "$d" &
		pp=$!
	fi
	wait "$uac"
	rc=$?
	rm -f "$T/sipp_uac.pid"
	wait "$win"
	[ -n "$pp" ] && wait "$pp"
	# the UAS ends after n calls and its 4 s time-wait; calls that never reached it keep it waiting
	for i in $(seq 1 100); do kill -0 "$uas" 2>/dev/null || break; sleep 0.1; done
	stop_pidfile "$T/sipp_uas.pid" INT
	wait "$uas" 2>/dev/null
	urc=$?
	LAST_STEP_DIR=$d
	{ echo "uac_rc=$rc"; echo "uas_rc=$urc"; echo "system=$SYS"; echo "mode=$MODE"
	  echo "rate=$rate"; echo "seconds=$STEP_S"; echo "offered=$n"
	  for r in $roles; do echo "pid_${r%%:*}=${r#*:}"; done; } >>"$d/params"
	# every call of the step has ended on the SIPp side: the system must hold none either
	if grep -qs 'Unable to bind' "$d/uac/stderr.log" "$d/uas/stderr.log"; then
		log "a SIPp port was taken meanwhile ($d); the step is run again on other ports"
		mv "$d" "$d.port-taken"
		return 2
	fi
	# every call of the step has ended on the SIPp side: the system should hold none either
	wait_for 10 drained
	read -r ls ld <<<"$(live_calls)"
	{ echo "leftover_sessions=${ls:-}"; echo "leftover_dialogs=${ld:-}"
	  for r in $PIDS_ROLES; do echo "rss_kb_${r%%:*}=$(rss_kb "${r#*:}")"; done; } >>"$d/params"
	media_after "$d/media"
	r=$(python3 "$REPORT" step "$d") || { log "no result for $d"; return 1; }
	[ -n "$prof" ] && r=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); d["profile"]=True; print(json.dumps(d, sort_keys=True))' "$r")
	echo "$r" >>"$RESULTS"
	log "$(python3 "$REPORT" line "$r")${prof:+ (profile step)}"
	[ "${ls:-0}" = 0 ] && [ "${ld:-0}" = 0 ] || log "WARNING: $ls sessions / $ld dialogs left after the step"
	LAST_FAIL=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["fail_pct"])' "$r")
	# the next step starts from an idle system (calls SIPp abandoned at overload may linger
	# until the relay's RTP timeout; the ramp ends at such a step anyway)
	wait_for 10 drained || true
}

# thread_ticks TASKDIR: utime+stime of one thread in clock ticks (fields 14 and 15 of its stat,
# counted after the ")" that ends the thread's name, which may itself hold spaces)
thread_ticks() { awk '{sub(/.*\) /, ""); print $12 + $13}' "$1/stat" 2>/dev/null; }

# thread_cpu SECONDS PID...: each thread's share of a core over SECONDS, from /proc (top -H
# showed mediad's total on its main thread's row here, so it is not used)
thread_cpu() {
	local secs=$1 p t now hz
	shift
	declare -A before
	hz=$(getconf CLK_TCK)
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do before[$t]=$(thread_ticks "$t"); done
	done
	sleep "$secs"
	printf '%-8s %-8s %-16s %6s\n' PID TID THREAD "%CPU"
	for p in "$@"; do
		for t in /proc/"$p"/task/*; do
			now=$(thread_ticks "$t")
			[ -n "$now" ] && [ -n "${before[$t]:-}" ] || continue
			printf '%-8s %-8s %-16s %6.1f\n' "$p" "${t##*/}" "$(cat "$t/comm")" \
				"$(awk -v a="${before[$t]}" -v b="$now" -v s="$secs" -v hz="$hz" \
					'BEGIN { print (b - a) * 100 / (s * hz) }')"
		done
	done
}

# profile DIR: perf and per-thread CPU of signald (and mediad) in the middle of a step
profile() {
	local d=$1 sig med
	sig=$(cat "$T/tandem/signald.pid")
	med=$(cat "$T/tandem/mediad.pid")
	sleep "$WARM_S"
	thread_cpu 3 "$sig" "$med" >"$d/threads.txt" 2>&1
	if command -v perf >/dev/null; then
		timeout 30 perf record -e cpu-clock -F 999 -g -p "$sig" -o "$d/perf.data" -- sleep 8 \
			>"$d/perf_record.log" 2>&1
		perf report -i "$d/perf.data" --stdio --no-children --percent-limit 1 \
			--sort dso,symbol -g none >"$d/perf_symbols.txt" 2>/dev/null
		perf report -i "$d/perf.data" --stdio --no-children --sort dso -g none \
			>"$d/perf_dso.txt" 2>/dev/null
		perf report -i "$d/perf.data" --stdio --children --percent-limit 5 --sort symbol \
			-g none >"$d/perf_children.txt" 2>/dev/null
	fi
}

# ramp: the steps of one system in one mode, until a step fails
ramp() {
	local rate rc
	STEP_FAILED=""
	for rate in $RATES; do
		run_step "$rate"
		rc=$?
		[ $rc = 2 ] && { run_step "$rate"; rc=$?; }
		[ $rc = 0 ] || { STEP_FAILED=$rate; break; }
		awk "BEGIN{exit !($LAST_FAIL >= $MAX_FAIL)}" && { STEP_FAILED=$rate; break; }
	done
}

rss_kb() { awk '/^VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null; }

run_system() { # run_system SYSTEM MODE
	SYS=$1 MODE=$2
	SYS_DIR=$OUT/$SYS-$MODE
	mkdir -p "$SYS_DIR"
	log "== $SYS, $MODE: starting"
	if [ "$SYS" = tandem ]; then start_tandem; else start_peer; fi
	UAS_PORT=$(free_port)
	UAS_MEDIA=$(free_port 4)
	for r in $PIDS_ROLES; do echo "rss_start_${r%%:*}=$(rss_kb "${r#*:}")"; done >"$SYS_DIR/info"
	ramp
	if [ "$SYS" = tandem ] && [ "$PROFILE" = 1 ]; then
		local prate
		prate=$(python3 "$REPORT" last-rate "$RESULTS" tandem "$MODE" "$MAX_FAIL")
		log "profiling signald at $prate calls/s"
		run_step "$prate" profile
		[ $? = 2 ] && run_step "$prate" profile
		PROFILE_DIRS+=("$LAST_STEP_DIR")
	fi
	for r in $PIDS_ROLES; do
		echo "rss_end_${r%%:*}=$(rss_kb "${r#*:}")"
		kill -0 "${r#*:}" 2>/dev/null || log "WARNING: ${r%%:*} died during the run"
	done >>"$SYS_DIR/info"
	echo "live_at_end=$(live_calls)" >>"$SYS_DIR/info"
	if [ "$SYS" = tandem ]; then
		cp "$T/tandem/state/tandem.db" "$SYS_DIR/" 2>/dev/null
		stop_tandem
	else
		stop_peer_logs
	fi
	log "== $SYS, $MODE: done ($(tr '\n' ' ' <"$SYS_DIR/info"))"
}

# ------------------------------------------------------------------ main
install_missing
build
if [ ${#PRIO[@]} -gt 0 ]; then
	AUTOGROUP_NICE=$(sed -n 's/.* nice \(-\?[0-9]*\)$/\1/p' /proc/self/autogroup 2>/dev/null)
	[ -n "$AUTOGROUP_NICE" ] && { echo -10 >/proc/self/autogroup; } 2>/dev/null
fi
ulimit -n "$(ulimit -Hn)" # relays and SIPp hold thousands of sockets at the top rates
wait_quiet
PCAP=$T/g711a_1s.pcap
python3 "$HERE/pcap_trim.py" /usr/share/sip-tester/g711a.pcap "$PCAP" 1 >/dev/null ||
	die "cannot trim /usr/share/sip-tester/g711a.pcap"
STEP_NO=0
PROFILE_DIRS=()
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
log "results in $OUT; load average $LOAD_BEFORE"

for MODE_ in $MODES; do
	for SYS_ in $SYSTEMS; do
		# caller identities: every demo user but the callee; each system has its own password
		pass=1234; [ "$SYS_" = peer ] && pass=secret
		{ echo SEQUENTIAL; for u in 1000 $(seq 1002 1019); do echo "$u;$pass;127.0.0.1"; done; } >"$T/callers.csv"
		run_system "$SYS_" "$MODE_"
	done
done

# machine and run description for the report
PRIORITY="${PRIO[*]:-normal priority}"
export SRC COMMAND LOAD_BEFORE HOLD_MS STEP_S WARM_S MAX_FAIL LOG_LEVEL PRIORITY
python3 "$REPORT" machine "$OUT/machine.json" "$RESULTS" "${PROFILE_DIRS[@]}" ||
	die "cannot describe the run"
if [ -n "$DOC" ]; then
	python3 "$REPORT" doc "$RESULTS" "$OUT/machine.json" "$DOC" || die "report failed"
	log "section written to $DOC"
fi
log "done: $OUT"
