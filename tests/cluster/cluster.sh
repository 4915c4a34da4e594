# Multi-host harness: builds a small network of its own with network namespaces, one per host,
# each joined by a veth pair to a bridge that lives in a namespace of its own, on 10.77.0.0/24
# (addresses that exist only inside these namespaces):
#   sig 10.77.0.1 (signald)   media1 10.77.0.11, media2 10.77.0.12 (mediad)
#   phone1 10.77.0.21 (callers), phone2 10.77.0.22 (callees)          (SIPp)
# Names carry the shell's pid, so parallel runs do not collide. Every process is started with a
# pid file in $T; on exit (pass, fail or interrupt) they are stopped and the namespaces deleted.
# Needs root (CI runs as root); exits 77 (skipped) when namespaces cannot be made.
# The media RPC crosses hosts, so it runs with CURVE keys as docs/deployment.md says: a server
# pair shared by the nodes, one pair for signald, one admin pair for mediactl (ctl), and a
# "stranger" pair that no node lists.
# It sources ../integration/lib.sh for the checks and $T. CLUSTER_MEDIAD_EXTRA and
# CLUSTER_MEDIA_EXTRA, when set, are lines added to mediad's [mediad] and signald's [media].
. "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

CLUSTER_SIPP=$TANDEM_SRC/tests/cluster/sipp
NS_PREFIX=tdm$$
NS_BRIDGE=$NS_PREFIX-br
declare -A HOST_IP=([sig]=10.77.0.1 [media1]=10.77.0.11 [media2]=10.77.0.12
	[phone1]=10.77.0.21 [phone2]=10.77.0.22)
CLUSTER_HOSTS=()
SIG_IP=${HOST_IP[sig]}
RPC_PORT=5555
RTP_MIN=20000
RTP_MAX=20999
KEYS=$T/keys
make_keys "$KEYS" server sig admin stranger || exit 1
{
	echo "$(cat "$KEYS/sig.pub") sig"
	echo "$(cat "$KEYS/admin.pub") ops admin"
} >"$KEYS/clients"

ns() { echo "$NS_PREFIX-$1"; }
# on HOST CMD...: runs CMD inside HOST's namespace. Background processes are started with
# `ip netns exec` itself, which execs the command: $! is then the daemon's own pid.
on() { local h=$1; shift; ip netns exec "$(ns "$h")" "$@"; }

cluster_delete_ns() {
	local h
	for h in "${CLUSTER_HOSTS[@]}"; do ip netns del "$(ns "$h")" 2>/dev/null; done
	ip netns del "$NS_BRIDGE" 2>/dev/null
	CLUSTER_HOSTS=()
}

cluster_exit() {
	local rc=$? pf
	# A stopped process cannot act on SIGTERM: let it run again first.
	for pf in "$T"/*.pid; do [ -e "$pf" ] && kill -CONT "$(cat "$pf")" 2>/dev/null; done
	for pf in "$T"/*.pid; do [ -e "$pf" ] && stop_pidfile "$pf"; done
	cluster_delete_ns
	(exit "$rc")
	cleanup
}
trap cluster_exit EXIT

skip() { log "SKIP: $*"; trap - EXIT; rm -rf "$T"; exit 77; }

# cluster_up: the bridge and the five hosts, each with lo and eth0 up.
cluster_up() {
	local h
	[ "$(id -u)" = 0 ] || skip "network namespaces need root"
	command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
	ip netns add "$NS_BRIDGE" 2>/dev/null || skip "ip netns is not permitted here"
	ip -n "$NS_BRIDGE" link add br0 type bridge || skip "no bridge device here"
	ip -n "$NS_BRIDGE" link set br0 up
	for h in sig media1 media2 phone1 phone2; do
		ip netns add "$(ns "$h")" || return 1
		CLUSTER_HOSTS+=("$h")
		ip -n "$NS_BRIDGE" link add "$h" type veth peer name eth0 netns "$(ns "$h")" || return 1
		ip -n "$NS_BRIDGE" link set "$h" master br0 up || return 1
		ip -n "$(ns "$h")" addr add "${HOST_IP[$h]}/24" dev eth0 || return 1
		ip -n "$(ns "$h")" link set eth0 up || return 1
		ip -n "$(ns "$h")" link set lo up || return 1
	done
	return 0
}

# ctl HOST ARGS...: mediactl on the node of media host HOST, from the signaling host.
ctl() {
	local h=$1; shift
	on sig "$MEDIACTL" -e "tcp://${HOST_IP[$h]}:$RPC_PORT" -k "$KEYS/admin.key" \
		-s "$KEYS/server.pub" -t 500 "$@"
}
node_sessions() { ctl "$1" --json ping | sed -n 's/.*"sessions":\([0-9]*\).*/\1/p'; }
total_sessions() {
	local a b
	a=$(node_sessions media1) b=$(node_sessions media2)
	echo $((${a:-0} + ${b:-0}))
}

# start_node HOST [mediad args]: mediad on HOST's address (RPC and RTP).
start_node() {
	local h=$1; shift
	cat >"$T/$h.ini" <<INI
[mediad]
node_id = $h
rpc_endpoint = tcp://${HOST_IP[$h]}:$RPC_PORT
log_level = debug
rpc_key_file = $KEYS/server.key
rpc_clients_file = $KEYS/clients
${CLUSTER_MEDIAD_EXTRA:-}
[rtp]
bind_ip = ${HOST_IP[$h]}
port_min = $RTP_MIN
port_max = $RTP_MAX
INI
	ip netns exec "$(ns "$h")" "$MEDIAD" -c "$T/$h.ini" "$@" >>"$T/$h.log" 2>&1 &
	echo $! >"$T/$h.pid"
	wait_for 10 ctl "$h" ping || { log "mediad on $h did not answer Ping"; return 1; }
}

# start_sig [signald args]: signald on sig with both media nodes.
start_sig() {
	mkdir -p "$T/sig-state"
	cat >"$T/sig.ini" <<INI
[signald]
node_id = sig
log_level = debug
state_dir = $T/sig-state
[sip]
listen = $SIG_IP:5060
[media]
node = tcp://${HOST_IP[media1]}:$RPC_PORT
node = tcp://${HOST_IP[media2]}:$RPC_PORT
ping_interval_ms = 500
key_file = $KEYS/sig.key
server_key_file = $KEYS/server.pub
${CLUSTER_MEDIA_EXTRA:-}
[directory]
path = $TANDEM_SRC/deploy/demo/directory.xml
[dialplan]
file = $TANDEM_SRC/deploy/demo/dialplan.xml
INI
	ip netns exec "$(ns sig)" "$SIGNALD" -c "$T/sig.ini" "${SIPP_AUTH[@]}" "$@" >"$T/sig.log" 2>&1 &
	echo $! >"$T/sig.pid"
	wait_for 10 on phone1 "$SIPPING" "sip:$SIG_IP:5060" 300 "sip:${HOST_IP[phone1]}:*" ||
		{ log "signald did not answer OPTIONS"; return 1; }
}

# nodes_up N: signald's log says N nodes came up (it pings every 500 ms).
nodes_up() { [ "$(grep -ac 'media node .*: up' "$T/sig.log")" -ge "$1" ]; }
nodes_down() { [ "$(grep -ac 'media node .*: down' "$T/sig.log")" -ge "$1" ]; }

# register_callee USER: USER registers from phone2:5060 (where callee scenarios listen).
register_callee() {
	on phone2 timeout 30 sipp -sf "$SIPP_DIR/call_register.xml" "$SIG_IP:5060" \
		-i "${HOST_IP[phone2]}" -p 5060 -s "$1" -au "$1" -ap 1234 -m 1 -timeout 20s \
		-timeout_error -nostdin -trace_err -error_file "$T/reg$1.sipp-errors.log" \
		>"$T/reg$1.sipp.log" 2>&1
}

# callee_bg NAME SCENARIO CALLS [sipp args]: the callee phone on phone2:5060 for CALLS calls,
# RTP echoed on 6000.
callee_bg() {
	local name=$1 scen=$2 calls=$3; shift 3
	ip netns exec "$(ns phone2)" timeout 120 sipp -sf "$scen" -i "${HOST_IP[phone2]}" -p 5060 -mi \
		"${HOST_IP[phone2]}" -mp 6000 -rtp_echo -m "$calls" -timeout 100s -timeout_error -nostdin \
		-trace_err -error_file "$T/$name.sipp-errors.log" -trace_msg \
		-message_file "$T/$name.sipp-messages.log" "$@" >"$T/$name.sipp.log" 2>&1 &
	echo $! >"$T/$name.pid"
}

# caller_bg NAME SCENARIO CALLS [sipp args]: CALLS calls from phone1 (user 1000) to 1001.
caller_bg() {
	local name=$1 scen=$2 calls=$3; shift 3
	ip netns exec "$(ns phone1)" timeout 120 sipp -sf "$scen" "$SIG_IP:5060" -i "${HOST_IP[phone1]}" -p 5070 \
		-mi "${HOST_IP[phone1]}" -mp 7000 -s 1001 -au 1000 -ap 1234 -set caller 1000 \
		-m "$calls" -l "$calls" -r 20 -timeout 100s -timeout_error -nostdin -trace_err \
		-error_file "$T/$name.sipp-errors.log" -trace_msg \
		-message_file "$T/$name.sipp-messages.log" "$@" >"$T/$name.sipp.log" 2>&1 &
	echo $! >"$T/$name.pid"
}

# held_scenario FILE HOLD_MS: the caller scenario that holds each call HOLD_MS after its last
# (re-)INVITE, in $T.
held_scenario() {
	sed "s/HOLD_MS/$2/" "$CLUSTER_SIPP/uac_held.xml" >"$T/$1"
	echo "$T/$1"
}

now_ms() { date +%s%3N; }
