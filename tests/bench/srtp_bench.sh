#!/bin/bash
# srtp_bench.sh: relay CPU per packet with SDES SRTP, mediad against rtpengine (userspace,
# table = -1), next to plain RTP through the same relays, at one packet rate.
#
# In one run, for every case and relay, --repeats times (cases and relays interleaved, so that
# a change in the machine's other load hits every row alike): N calls (both directions at 50
# packets/s, 172-octet G.711 RTP) through one relay session each, the relay started fresh and
# pinned to core 0 with 1 worker thread, rtp_load pinned to core 1. Cases (--cases):
#   plain                  RTP <-> RTP, the reference
#   a:SUITE                leg A SRTP, leg B plain: SRTP -> RTP and RTP -> SRTP
#   ab:SUITE_A:SUITE_B     both legs SRTP with different keys: SRTP -> SRTP both ways
#   ab:SUITE               both legs one suite: mediad still has a key per leg; rtpengine
#                          offers B the key A offered and forwards SRTP untouched
# rtp_load encrypts with libsrtp2 what its SRTP endpoints send and decrypts and checks every
# packet they receive (authentication failures must stay 0). mediad gets the keys in
# CreateSession (SrtpParams); rtpengine in ng offer/answer SDP (rtpe_ng.py --srtp), its own keys
# read back from the SDP it returns. Relay CPU per packet = its utime + stime over the measured
# window / packets relayed (the packets the generator received). Results: $OUT/results.jsonl
# (one line per step) and $OUT/report.md (medians); with --doc, the section "### SRTP: mediad vs
# rtpengine, relay CPU per packet" of that file is replaced by the report (added after the
# section "### SRTP: what SDES costs the relay per packet" the first time).
#
#   tests/bench/srtp_bench.sh [--build DIR] [--out DIR] [--doc FILE] [--relays "mediad rtpengine"]
#                             [--cases "plain a:SUITE ..."] [--calls N] [--duration S]
#                             [--warmup S] [--repeats R] [--base-port P] [--relay-ports MIN-MAX]
#
# Needs: a build (cmake --build build), root or sudo for apt-get when rtpengine is missing.
# Loopback only; every loop below is bounded in count and time.
set -u
# One benchmark at a time on this machine (shared with rtp_bench.sh); -o: daemons started below
# do not inherit the lock.
if [ "${RTP_BENCH_LOCKED:-}" != 1 ]; then
	export RTP_BENCH_LOCKED=1
	exec flock -o -w 900 /tmp/tandem-rtp-bench.lock "$0" "$@"
fi

SRC="$(cd "$(dirname "$0")/../.." && pwd)"
BUILD="$SRC/build"
OUT="/tmp/tandem-srtp-bench.$(date +%Y%m%d-%H%M%S)"
DOC=""
RELAYS="mediad rtpengine"
CM80=AES_CM_128_HMAC_SHA1_80
CM32=AES_CM_128_HMAC_SHA1_32
GCM128=AEAD_AES_128_GCM
GCM256=AEAD_AES_256_GCM
CASES="plain a:$CM80 ab:$CM80:$CM32 a:$GCM128 ab:$GCM128:$GCM256 ab:$CM80"
CALLS=100
DURATION=10
WARMUP=2
REPEATS=3
GEN_BASE_PORT=2000
RELAY_PORT_MIN=32000
RELAY_PORT_MAX=65000
RELAY_CORE=0
GEN_CORE=1
# As in rtp_bench.sh: relay and generator at nice -10 where allowed, the session's autogroup too.
PRIO=(nice -n -10)
"${PRIO[@]}" true 2>/dev/null || PRIO=()
AUTOGROUP_NICE=$(sed -n 's/.* nice \(-\?[0-9]*\)$/\1/p' /proc/self/autogroup 2>/dev/null)
[ -n "$AUTOGROUP_NICE" ] && [ ${#PRIO[@]} -gt 0 ] && { echo -10 >/proc/self/autogroup; } 2>/dev/null

usage() { sed -n '2,27p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage
	case "$1" in
	--build) BUILD=$2 ;;
	--out) OUT=$2 ;;
	--doc) DOC=$2 ;;
	--relays) RELAYS=$2 ;;
	--cases) CASES=$2 ;;
	--calls) CALLS=$2 ;;
	--duration) DURATION=$2 ;;
	--warmup) WARMUP=$2 ;;
	--repeats) REPEATS=$2 ;;
	--base-port) GEN_BASE_PORT=$2 ;;
	--relay-ports) RELAY_PORT_MIN=${2%-*}; RELAY_PORT_MAX=${2#*-} ;;
	*) usage ;;
	esac
	shift 2
done

RTP_LOAD=$BUILD/tests/bench/rtp_load
MEDIAD=${MEDIAD:-$BUILD/mediad/mediad}
MEDIACTL=${MEDIACTL:-$BUILD/mediad/mediactl}
FREE_PORT=$BUILD/tests/integration/free_port
NG=$SRC/tests/bench/rtpe_ng.py
REPORT=$SRC/tests/bench/srtp_bench_report.py
mkdir -p "$OUT"
ulimit -n "$(ulimit -Hn)"
RESULTS=$OUT/results.jsonl
: >"$RESULTS"
RELAY_PID=""

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" | tee -a "$OUT/bench.log" >&2; }

# --- dependencies (as rtp_bench.sh) ------------------------------------------------------------
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
case " $RELAYS " in *" mediad "*)
	[ -x "$MEDIAD" ] && [ -x "$MEDIACTL" ] || { log "missing $MEDIAD"; exit 1; } ;;
esac

# --- daemons (started and stopped by PID only) ---------------------------------------------------
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
restore_autogroup() {
	[ -n "$AUTOGROUP_NICE" ] && { echo "$AUTOGROUP_NICE" >/proc/self/autogroup; } 2>/dev/null
	return 0
}
trap 'stop_relay; restore_autogroup' EXIT
trap 'exit 130' INT TERM

wait_for() { # bounded: wait_for SECONDS command...
	local secs=$1; shift
	local end=$((SECONDS + secs))
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		kill -0 "$RELAY_PID" 2>/dev/null || return 1
		sleep 0.1
	done
}

start_mediad() { # sets RELAY_PID, MEDIAD_RPC
	local port
	port=$($FREE_PORT) || return 1
	MEDIAD_RPC=tcp://127.0.0.1:$port
	cat >"$OUT/mediad.ini" <<-INI
		[mediad]
		node_id = srtpbench
		rpc_endpoint = $MEDIAD_RPC
		workers = 1
		log_level = notice
		[rtp]
		bind_ip = 127.0.0.1
		port_min = $RELAY_PORT_MIN
		port_max = $RELAY_PORT_MAX
		self_relay = yes
	INI
	"${PRIO[@]}" taskset -c $RELAY_CORE "$MEDIAD" -c "$OUT/mediad.ini" >>"$OUT/mediad.log" 2>&1 &
	RELAY_PID=$!
	wait_for 10 "$MEDIACTL" -e "$MEDIAD_RPC" -t 300 ping || { log "mediad did not start"; return 1; }
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
	"${PRIO[@]}" taskset -c $RELAY_CORE rtpengine --config-file="$OUT/rtpengine.conf" \
		--config-section=rtpengine >>"$OUT/rtpengine.log" 2>&1 &
	RELAY_PID=$!
	wait_for 10 python3 "$NG" ping --ng "$RTPE_NG" || { log "rtpengine did not start"; return 1; }
}

# --- one step ----------------------------------------------------------------------------------
# run_step RELAY CASE REPEAT: appends one line to $RESULTS. Not in a subshell, so that the relay
# stays this shell's child and the EXIT trap can stop it.
run_step() {
	local relay=$1 case=$2 rep=$3 json="" rc=0 load0 load1 srtp=() ng_srtp=() legs suite_a suite_b
	IFS=: read -r legs suite_a suite_b <<<"$case"
	if [ "$legs" != plain ]; then
		srtp=(--srtp "$legs" --srtp-suite "$suite_a")
		ng_srtp=(--srtp "$legs" --srtp-suite "$suite_a" --keys "$OUT/keys.txt")
		if [ -n "$suite_b" ]; then
			srtp+=(--srtp-suite-b "$suite_b")
			ng_srtp+=(--srtp-suite-b "$suite_b")
		fi
	fi
	local gen=(timeout $((${DURATION%.*} + ${WARMUP%.*} + 300)) "${PRIO[@]}" taskset -c $GEN_CORE
		"$RTP_LOAD" --calls "$CALLS" --base-port "$GEN_BASE_PORT" --duration "$DURATION"
		--warmup "$WARMUP" --label "$relay $case" "${srtp[@]}")
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	case "$relay" in
	mediad)
		start_mediad || return 1
		json=$("${gen[@]}" --mediad "$MEDIAD_RPC" --relay-pid "$RELAY_PID" \
			2>>"$OUT/rtp_load.log") || rc=$?
		kill -0 "$RELAY_PID" 2>/dev/null || log "mediad died during the step"
		stop_relay
		;;
	rtpengine)
		start_rtpengine || return 1
		if timeout 600 python3 "$NG" setup --ng "$RTPE_NG" --calls "$CALLS" \
			--base-port "$GEN_BASE_PORT" --prefix "srtp$rep" --out "$OUT/ports.txt" "${ng_srtp[@]}" \
			>>"$OUT/rtpe_ng.log" 2>&1; then
			local keys=()
			[ "$legs" = plain ] || keys=(--srtp-keys "$OUT/keys.txt")
			json=$("${gen[@]}" --ports "$OUT/ports.txt" --relay-pid "$RELAY_PID" "${keys[@]}" \
				2>>"$OUT/rtp_load.log") || rc=$?
			timeout 600 python3 "$NG" delete --ng "$RTPE_NG" --calls "$CALLS" \
				--prefix "srtp$rep" >>"$OUT/rtpe_ng.log" 2>&1
		else
			log "rtpengine setup of $case failed (see $OUT/rtpe_ng.log)"; rc=1
		fi
		kill -0 "$RELAY_PID" 2>/dev/null || log "rtpengine died during the step"
		stop_relay
		;;
	esac
	load1=$(cut -d' ' -f1-3 /proc/loadavg)
	[ -n "$json" ] || json=null
	printf '{"relay":"%s","case":"%s","repeat":%s,"calls":%s,"rc":%s,"loadavg_before":"%s","loadavg_after":"%s","result":%s}\n' \
		"$relay" "$case" "$rep" "$CALLS" "$rc" "$load0" "$load1" "$json" >>"$RESULTS"
	log "$relay $case #$rep: $(python3 "$REPORT" summary "$json") (load $load0 -> $load1)"
}

log "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
{
	echo "nproc=$(nproc)"
	echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
	echo "kernel=$(uname -r)"
	echo "rtpengine=$(rtpengine --version 2>&1 | head -1)"
	echo "libsrtp2=$(dpkg-query -W -f '${Version}' libsrtp2-1 2>/dev/null)"
	echo "commit=$(git -C "$SRC" log -1 --format='%h' 2>/dev/null)"
	echo "command=tests/bench/srtp_bench.sh --relays \"$RELAYS\" --cases \"$CASES\" --calls $CALLS --duration $DURATION --warmup $WARMUP --repeats $REPEATS"
	echo "started=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
} >"$OUT/machine.txt"

steps_failed=0
for rep in $(seq "$REPEATS"); do
	for case in $CASES; do
		for relay in $RELAYS; do
			run_step "$relay" "$case" "$rep" || { log "$relay $case #$rep could not run"; steps_failed=$((steps_failed + 1)); }
		done
	done
done
echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
echo "finished=$(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$OUT/machine.txt"
python3 "$REPORT" report "$OUT" >"$OUT/report.md" || { log "report failed"; exit 1; }
if [ -n "$DOC" ]; then
	python3 "$REPORT" update-doc "$DOC" "$OUT/report.md" && log "updated $DOC"
fi
log "results in $OUT (report.md, results.jsonl)"
cat "$OUT/report.md"
[ "$steps_failed" -eq 0 ]
