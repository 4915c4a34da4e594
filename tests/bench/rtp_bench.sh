#!/bin/bash
# rtp_bench.sh: RTP relay benchmark, mediad against rtpengine (userspace) on one core each.
#
# In one run: a direct A<->B baseline (no relay), then for each relay a sweep of N calls (both
# directions at 50 packets/s, 172-byte G.711 RTP) until loss exceeds the limit, then a check that
# the generator itself was not the limit and a latency step at half of mediad's maximum. The relay
# (mediad with 1 worker, or rtpengine with 1 thread, table = -1) is pinned to core 0, the load
# generator (rtp_load) to core 1. Every relay is started fresh for every step and stopped by PID.
# Results: $OUT/results.jsonl (one line per step) and $OUT/report.md; with --doc, the section
# "## RTP relay: mediad vs rtpengine" of that file is replaced by the report.
#
#   tests/bench/rtp_bench.sh [--build DIR] [--out DIR] [--doc FILE] [--relays "mediad rtpengine"]
#                            [--steps "50 100 ..."] [--chain K] [--duration S] [--warmup S]
#                            [--max-loss PCT] [--rt N] [--fast-chain K]
#
# Relays: mediad (userspace: [rtp] fast_path = off), mediad-fast (the kernel fast path, see
# below), rtpengine, and min-sendto / min-connect: min_relay (tests/bench/min_relay.c),
# the least a userspace socket relay does per packet (mediad's io_uring path without mediad;
# connect: sockets connected to their remotes), to show the ceiling of any such relay here.
#
# --rt N: the half-load latency step is also run with the relays under SCHED_FIFO priority N
# (mediad: --set mediad.worker_rt_priority=N, its relay thread only; rtpengine: chrt -f N, the
# whole process), and rtpengine gets the same half-load step under normal scheduling too.
#
# --chain K (default 3): every simulated call crosses K relay sessions in a row (hop h's B side
# sends to hop h+1's A side), so the relay handles K packets per packet the generator sends and
# receives. One generator core cannot offer more than about what one relay core can relay when
# each packet crosses the relay once; the chain lets it load the relay to its limit. The relay's
# work per packet is the same either way: receive on one socket, send to another.
#
# mediad-fast: mediad with [rtp] fast_path = auto, so that latched streams are forwarded by its tc
# program in the receive softirq; the relay thread only sets up. That softirq runs on the core
# that receives, which on loopback is the sender's: the generator's. For the step, mediad and
# the generator run in a network namespace of their own (so no other loopback traffic of the
# machine is counted), where RPS on lo steers receive processing to the relay core; the relay's
# CPU is that core's busy time (all but idle, /proc/stat) over the measured window (rtp_load
# --relay-core): mediad, the softirq, and whatever else the scheduler put on that core, so an
# upper bound. The program's own run time per packet comes from the kernel's BPF statistics
# (kernel.bpf_stats_enabled, restored after the step). --fast-chain K (default 1): hops per
# call for mediad-fast; one hop gives the full receive path per relayed packet, as a relay
# between hosts has, and the generator then runs out before the relay core does.
#
# Needs: a build (cmake --build build), root or sudo for apt-get when rtpengine is missing.
# Loopback only; every loop below is bounded in count and time.
set -u
# One benchmark at a time on this machine; -o: daemons started below do not inherit the lock.
if [ "${RTP_BENCH_LOCKED:-}" != 1 ]; then
	export RTP_BENCH_LOCKED=1
	exec flock -o -w 900 /tmp/tandem-rtp-bench.lock "$0" "$@"
fi

SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$SRC/build"
OUT="/tmp/tandem-rtp-bench.$(date +%Y%m%d-%H%M%S)"
DOC=""
RELAYS="mediad rtpengine"
# Generator calls per step. A relay holds 4 sockets per session (RTP and RTCP on both legs):
# 1600 calls x 3 hops stay within a 20000-descriptor limit.
STEPS="50 100 200 300 400 500 600 700 800 1000 1200 1400 1600"
CHAIN=3
FAST_CHAIN=1
DURATION=10
WARMUP=2
MAX_LOSS=0.1
RT=0
BASELINE_CALLS=500
GEN_BASE_PORT=2000 # generator endpoints: 2000 .. 2000+2N-1 (below free_port's 20000-31999)
RELAY_PORT_MIN=32000
RELAY_PORT_MAX=65000
RELAY_CORE=0
GEN_CORE=1
# Relay and generator run at nice -10 so that background work on the same cores (builds) takes
# less of their time; falls back to normal priority where that is not allowed. With the
# scheduler's autogroups (sched_autogroup_enabled), nice only ranks processes of one session
# against each other, so the session's autogroup is raised too, and restored at exit.
PRIO=(nice -n -10)
"${PRIO[@]}" true 2>/dev/null || PRIO=()
AUTOGROUP_NICE=$(sed -n 's/.* nice \(-\?[0-9]*\)$/\1/p' /proc/self/autogroup 2>/dev/null)
[ -n "$AUTOGROUP_NICE" ] && [ ${#PRIO[@]} -gt 0 ] && { echo -10 >/proc/self/autogroup; } 2>/dev/null

while [ $# -gt 0 ]; do
	case "$1" in
	--build) BUILD=$2; shift 2 ;;
	--out) OUT=$2; shift 2 ;;
	--doc) DOC=$2; shift 2 ;;
	--relays) RELAYS=$2; shift 2 ;;
	--steps) STEPS=$2; shift 2 ;;
	--chain) CHAIN=$2; shift 2 ;;
	--duration) DURATION=$2; shift 2 ;;
	--warmup) WARMUP=$2; shift 2 ;;
	--max-loss) MAX_LOSS=$2; shift 2 ;;
	--rt) RT=$2; shift 2 ;;
	--fast-chain) FAST_CHAIN=$2; shift 2 ;;
	*) sed -n '2,43p' "$0" >&2; exit 2 ;;
	esac
done

RTP_LOAD=$BUILD/tests/bench/rtp_load
MIN_RELAY=$BUILD/tests/bench/min_relay
MEDIAD=${MEDIAD:-$BUILD/mediad/mediad} # environment overrides, to try another mediad build
MEDIACTL=${MEDIACTL:-$BUILD/mediad/mediactl}
FREE_PORT=$BUILD/tests/integration/free_port
NG=$SRC/tests/bench/rtpe_ng.py
REPORT=$SRC/tests/bench/rtp_bench_report.py
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)" # relays and generator open thousands of sockets
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
RELAY_PID=""
VERDICT=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/bench.log" >&2; }

# --- dependencies ---------------------------------------------------------------------------
apt_install() {
	local sudo=""
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	log "installing $*"
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@" \
		>>"$OUT/apt.log" 2>&1 ||
		{ $sudo apt-get update >>"$OUT/apt.log" 2>&1 &&
			DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "$@" \
				>>"$OUT/apt.log" 2>&1; }
}
command -v python3 >/dev/null || apt_install python3 || { log "python3 missing"; exit 1; }
case " $RELAYS " in *" rtpengine "*)
	command -v rtpengine >/dev/null || apt_install rtpengine-daemon ||
		{ log "rtpengine-daemon could not be installed (see $OUT/apt.log)"; exit 1; } ;;
esac
for f in "$RTP_LOAD" "$FREE_PORT"; do
	[ -x "$f" ] || { log "missing $f: build first (cmake --build $BUILD)"; exit 1; }
done
case " $RELAYS " in *" mediad "* | *" mediad-fast "*)
	[ -x "$MEDIAD" ] && [ -x "$MEDIACTL" ] || { log "missing $MEDIAD"; exit 1; } ;;
esac
case " $RELAYS " in *" min-"*)
	[ -x "$MIN_RELAY" ] || { log "missing $MIN_RELAY: build first"; exit 1; } ;;
esac
[ "$RT" -eq 0 ] || chrt -f "$RT" true ||
	{ log "--rt $RT: SCHED_FIFO is not allowed here (root or CAP_SYS_NICE needed)"; exit 1; }

# --- daemons (started and stopped by PID only) ------------------------------------------------
stop_relay() {
	[ -n "$RELAY_PID" ] || return 0
	if kill -0 "$RELAY_PID" 2>/dev/null; then
		kill -TERM "$RELAY_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$RELAY_PID" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$RELAY_PID" 2>/dev/null && kill -KILL "$RELAY_PID" 2>/dev/null
	fi
	wait "$RELAY_PID" 2>/dev/null
	RELAY_PID=""
}
# mediad-fast steps run in a network namespace of their own (see the header).
NS_FAST=tdmbench$$
NSX=()
BPF_STATS_SAVED=""
fast_ns_up() {
	ip netns add "$NS_FAST" 2>/dev/null && ip -n "$NS_FAST" link set lo up ||
		{ log "mediad-fast: cannot create a network namespace"; return 1; }
	NSX=(ip netns exec "$NS_FAST")
	"${NSX[@]}" sh -c "printf '%x' $((1 << RELAY_CORE)) >/sys/class/net/lo/queues/rx-0/rps_cpus" ||
		log "mediad-fast: cannot set RPS on the namespace's lo: the softirq stays on the generator's core"
	BPF_STATS_SAVED=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null)
	sysctl -qw kernel.bpf_stats_enabled=1 2>/dev/null
	return 0
}
fast_ns_down() {
	NSX=()
	ip netns del "$NS_FAST" 2>/dev/null
	[ -n "$BPF_STATS_SAVED" ] && sysctl -qw kernel.bpf_stats_enabled="$BPF_STATS_SAVED" 2>/dev/null
	BPF_STATS_SAVED=""
	return 0
}
# prog_stats ID: "run_time_ns run_cnt" of a BPF program (kernel.bpf_stats_enabled).
prog_stats() {
	bpftool -j prog show id "$1" 2>/dev/null | python3 -c \
		'import json,sys; p=json.load(sys.stdin); print(p.get("run_time_ns",0), p.get("run_cnt",0))' 2>/dev/null ||
		echo "0 0"
}
restore_autogroup() {
	[ -n "$AUTOGROUP_NICE" ] && { echo "$AUTOGROUP_NICE" >/proc/self/autogroup; } 2>/dev/null
	return 0
}
trap 'stop_relay; fast_ns_down; restore_autogroup' EXIT
trap 'exit 130' INT TERM

# bounded wait: wait_for SECONDS command...
wait_for() {
	local secs=$1; shift
	local end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		kill -0 "$RELAY_PID" 2>/dev/null || return 1
		sleep 0.1
	done
}

# RTPRIO: SCHED_FIFO priority of the relay being started, 0 for normal scheduling.
RTPRIO=0
rt_prefix() { [ "$RTPRIO" -gt 0 ] && echo chrt -f "$RTPRIO"; }

start_mediad() { # [FAST_PATH]; sets RELAY_PID, MEDIAD_RPC
	local port rt=() fast=${1:-off}
	port=$("${NSX[@]}" $FREE_PORT) || return 1
	MEDIAD_RPC=tcp://127.0.0.1:$port
	cat >"$OUT/mediad.ini" <<-INI
		[mediad]
		node_id = bench
		rpc_endpoint = $MEDIAD_RPC
		workers = 1
		log_level = notice
		[rtp]
		bind_ip = 127.0.0.1
		port_min = $RELAY_PORT_MIN
		port_max = $RELAY_PORT_MAX
		self_relay = yes
		fast_path = $fast
	INI
	# Leg A of every hop but the first learns its remote (the previous hop) from the first
	# packet; a shorter window than the default 3 s latches it within the warm-up, so that
	# the measured window sees the whole chain on the fast path.
	[ "$fast" = auto ] && echo "latch_learn_ms = 500" >>"$OUT/mediad.ini"
	[ "$RTPRIO" -gt 0 ] && rt=(--set "mediad.worker_rt_priority=$RTPRIO")
	"${NSX[@]}" "${PRIO[@]}" taskset -c $RELAY_CORE "$MEDIAD" -c "$OUT/mediad.ini" "${rt[@]}" \
		>"$OUT/mediad.last.log" 2>&1 &
	RELAY_PID=$!
	wait_for 10 "${NSX[@]}" "$MEDIACTL" -e "$MEDIAD_RPC" -t 300 ping || { log "mediad did not start"; return 1; }
	if [ "$fast" = auto ] && ! grep -q "fast path: kernel" "$OUT/mediad.last.log"; then
		log "mediad-fast: $(grep -o 'fast path: .*' "$OUT/mediad.last.log" | head -n 1)"
		return 1
	fi
}

start_rtpengine() { # sets RELAY_PID, RTPE_NG
	local port
	port=$($FREE_PORT) || return 1
	RTPE_NG=127.0.0.1:$port
	cat >"$OUT/rtpengine.conf" <<-CONF
		[rtpengine]
		table = -1
		interface = 127.0.0.1
		listen-ng = $RTPE_NG
		port-min = $RELAY_PORT_MIN
		port-max = $RELAY_PORT_MAX
		num-threads = 1
		delete-delay = 0
		timeout = 120
		silent-timeout = 3600
		foreground = true
		log-stderr = true
		log-level = 4
	CONF
	$(rt_prefix) "${PRIO[@]}" taskset -c $RELAY_CORE rtpengine \
		--config-file="$OUT/rtpengine.conf" --config-section=rtpengine >>"$OUT/rtpengine.log" 2>&1 &
	RELAY_PID=$!
	wait_for 10 python3 "$NG" ping --ng "$RTPE_NG" || { log "rtpengine did not start"; return 1; }
}

start_min_relay() { # MODE CALLS CHAIN; sets RELAY_PID, writes $OUT/ports.txt once ready
	rm -f "$OUT/ports.txt"
	$(rt_prefix) "${PRIO[@]}" taskset -c $RELAY_CORE "$MIN_RELAY" --mode "$1" --calls "$2" \
		--chain "$3" --base-port $GEN_BASE_PORT --port-min $RELAY_PORT_MIN --out "$OUT/ports.txt" \
		>>"$OUT/min_relay.log" 2>&1 &
	RELAY_PID=$!
	wait_for 30 test -s "$OUT/ports.txt" || { log "min_relay did not start"; return 1; }
}

# --- one step ------------------------------------------------------------------------------
# run_step RELAY N ATTEMPT PHASE [CHAIN [RT]]: appends one line to $RESULTS (PHASE: baseline,
# sweep or follow-up; RT: SCHED_FIFO priority of the relay, 0 = normal) and sets VERDICT (see
# rtp_bench_report.py). Not run in a subshell, so that the relay it starts stays this shell's
# child and the EXIT trap can stop it.
run_step() {
	local relay=$1 n=$2 attempt=$3 phase=$4 chain=${5:-$CHAIN} json="" rc=0 load0 load1 stat0 stat1
	[ "$relay" = mediad-fast ] && [ -z "${5:-}" ] && chain=$FAST_CHAIN
	RTPRIO=${6:-0}
	local gen=(timeout $((DURATION + WARMUP + 300)) "${PRIO[@]}" taskset -c $GEN_CORE "$RTP_LOAD" --calls "$n"
		--base-port $GEN_BASE_PORT --duration "$DURATION" --warmup "$WARMUP" --label "$relay")
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	stat0=$(grep -E '^cpu[0-9]+ ' /proc/stat | tr '\n' ';')
	case "$relay" in
	direct)
		json=$("${gen[@]}" --direct 2>>"$OUT/rtp_load.log") || rc=$?
		chain=1
		;;
	mediad)
		start_mediad || return 1
		json=$("${gen[@]}" --chain "$chain" --mediad "$MEDIAD_RPC" --relay-pid "$RELAY_PID" \
			2>>"$OUT/rtp_load.log") || rc=$?
		kill -0 "$RELAY_PID" 2>/dev/null || log "mediad died during the step"
		stop_relay
		cat "$OUT/mediad.last.log" >>"$OUT/mediad.log"
		;;
	mediad-fast)
		local prog s0 s1
		fast_ns_up || return 1
		if start_mediad auto; then
			prog=$(sed -n 's/.*fast path: kernel.*prog id \([0-9]*\),.*/\1/p' "$OUT/mediad.last.log")
			s0=$(prog_stats "$prog")
			json=$("${NSX[@]}" "${gen[@]}" --chain "$chain" --mediad "$MEDIAD_RPC" \
				--relay-pid "$RELAY_PID" --relay-core $RELAY_CORE 2>>"$OUT/rtp_load.log") || rc=$?
			s1=$(prog_stats "$prog")
			kill -0 "$RELAY_PID" 2>/dev/null || log "mediad died during the step"
			# the program's own time per run (one run per packet it saw) into the result
			[ -n "$json" ] && json=$(python3 -c 'import json,sys
r = json.loads(sys.argv[1]); t0, n0 = map(int, sys.argv[2].split()); t1, n1 = map(int, sys.argv[3].split())
r["bpf"] = {"runs": n1 - n0, "run_ns": t1 - t0, "ns_per_run": (t1 - t0) / (n1 - n0) if n1 > n0 else None}
print(json.dumps(r))' "$json" "$s0" "$s1")
		else
			rc=1
		fi
		stop_relay
		fast_ns_down
		cat "$OUT/mediad.last.log" >>"$OUT/mediad.log"
		[ -n "$json" ] || return 1
		;;
	rtpengine)
		start_rtpengine || return 1
		if timeout 600 python3 "$NG" setup --ng "$RTPE_NG" --calls "$n" --chain "$chain" \
			--base-port $GEN_BASE_PORT --prefix "bench$n" --out "$OUT/ports.txt" >>"$OUT/rtpe_ng.log" 2>&1; then
			json=$("${gen[@]}" --chain "$chain" --ports "$OUT/ports.txt" --relay-pid "$RELAY_PID" \
				2>>"$OUT/rtp_load.log") || rc=$?
			timeout 600 python3 "$NG" delete --ng "$RTPE_NG" --calls "$n" --chain "$chain" \
				--prefix "bench$n" >>"$OUT/rtpe_ng.log" 2>&1
		else
			log "rtpengine setup of $n calls failed (see $OUT/rtpe_ng.log)"; rc=1
		fi
		kill -0 "$RELAY_PID" 2>/dev/null || log "rtpengine died during the step"
		stop_relay
		;;
	min-*)
		start_min_relay "${relay#min-}" "$n" "$chain" || return 1
		json=$("${gen[@]}" --chain "$chain" --ports "$OUT/ports.txt" --relay-pid "$RELAY_PID" \
			2>>"$OUT/rtp_load.log") || rc=$?
		kill -0 "$RELAY_PID" 2>/dev/null || log "min_relay died during the step"
		stop_relay
		;;
	esac
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	stat1=$(grep -E '^cpu[0-9]+ ' /proc/stat | tr '\n' ';')
	[ -n "$json" ] || json=null
	printf '{"relay":"%s","calls":%s,"attempt":%s,"phase":"%s","rt":%s,"rc":%s,"loadavg_before":"%s","loadavg_after":"%s","stat_before":"%s","stat_after":"%s","result":%s}\n' \
		"$relay" "$n" "$attempt" "$phase" "$RTPRIO" "$rc" "$load0" "$load1" "$stat0" "$stat1" "$json" >>"$RESULTS"
	VERDICT=$(python3 "$REPORT" verdict "$json" "$MAX_LOSS")
	local sched=""
	[ "$RTPRIO" -gt 0 ] && sched=" SCHED_FIFO $RTPRIO"
	log "$relay N=$n chain $chain$sched attempt $attempt: $VERDICT (load $load0 -> $load1)"
}

# sweep RELAY: steps in order until one fails. A step with loss is run again once (the machine
# may have been busy); one whose loss came with late sends (another process took the generator's
# core) up to 3 times in all. The sweep also stops when the generator itself is the limit.
sweep() {
	local relay=$1 n attempt losses
	for n in $STEPS; do
		losses=0
		for attempt in 1 2 3; do
			run_step "$relay" "$n" "$attempt" sweep || { log "$relay: step $n could not run"; return 0; }
			case "$VERDICT" in
			ok | noisy-ok) continue 2 ;;
			generator-*) log "$relay: the generator is the limit at N=$n; sweep stops"; return 0 ;;
			loss) losses=$((losses + 1)); [ "$losses" -ge 2 ] && break ;;
			noisy-loss) ;;
			*) break ;;
			esac
		done
		log "$relay: loss above $MAX_LOSS % at N=$n; sweep stops"
		return 0
	done
}

RT_OPT=""
[ "$RT" -gt 0 ] && RT_OPT=" --rt $RT"
log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
{
	echo "nproc=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "kernel=$(uname -r)"
	echo "rtpengine=$(rtpengine --version 2>&1 | head -1)"
	echo "commit=$(git -C "$SRC" log -1 --format='%h %s' 2>/dev/null)"
	echo "command=tests/bench/rtp_bench.sh --relays \"$RELAYS\" --steps \"$STEPS\" --chain $CHAIN --fast-chain $FAST_CHAIN --duration $DURATION --warmup $WARMUP --max-loss $MAX_LOSS$RT_OPT"
	echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"

log "baseline: direct, $BASELINE_CALLS calls"
run_step direct "$BASELINE_CALLS" 1 baseline
for relay in $RELAYS; do
	log "sweep: $relay"
	sweep "$relay"
done
# Follow-up steps chosen from the sweep results: generator check and half-load latency.
for extra in $(python3 "$REPORT" followups "$RESULTS" "$MAX_LOSS" "$RT"); do # RELAY:CALLS:CHAIN:RT
	log "follow-up: $extra"
	IFS=: read -r f_relay f_calls f_chain f_rt <<<"$extra"
	run_step "$f_relay" "$f_calls" 1 follow-up "$f_chain" "$f_rt"
done
echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/machine.txt"
python3 "$REPORT" report "$OUT" "$MAX_LOSS" >"$OUT/report.md" || { log "report failed"; exit 1; }
if [ -n "$DOC" ]; then
	python3 "$REPORT" update-doc "$DOC" "$OUT/report.md" && log "updated $DOC"
fi
log "results in $OUT (report.md, results.jsonl)"
cat "$OUT/report.md"
