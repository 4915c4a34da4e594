#!/usr/bin/env bash
# Tandem quickstart: installs missing Debian packages, builds into build/, starts mediad and
# signald on loopback with the demo config in deploy/demo/, and says how to place a call.
#   deploy/quickstart.sh          start (harmless when already running)
#   deploy/quickstart.sh stop     stop both daemons by pid file
#   deploy/quickstart.sh status   show whether they answer
# Runtime files (pid files, logs, database, RPC keys) live in $TANDEM_STATE (default: ./state).
# The media RPC runs with CURVE keys: quickstart makes them in $TANDEM_STATE/keys on first start.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=${TANDEM_STATE:-$ROOT/state}
BUILD=$ROOT/build
DEMO=$ROOT/deploy/demo
MEDIACTL=$BUILD/mediad/mediactl
SIPPING=$BUILD/signaling/tandem-sipping
TANDEMCTL=$BUILD/signaling/tandemctl
KEYS=$STATE/keys
# mediactl reads these: the admin key pair made below and the node's public key.
export MEDIACTL_KEY=$KEYS/admin.key MEDIACTL_SERVER_KEY=$KEYS/server.pub
# tandemctl reads this: signald's control socket, in the state folder.
export TANDEM_CONTROL_SOCKET=$STATE/signald.sock

running() { [ -f "$STATE/$1.pid" ] && kill -0 "$(cat "$STATE/$1.pid")" 2>/dev/null; }

stop_one() {
	local name=$1 pid
	if ! running "$name"; then rm -f "$STATE/$name.pid"; echo "$name: not running"; return 0; fi
	pid=$(cat "$STATE/$name.pid")
	kill -TERM "$pid"
	for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$name: did not stop in 10 s, killing"
		kill -KILL "$pid"
	fi
	rm -f "$STATE/$name.pid"
	echo "$name: stopped"
}

wait_until() { # wait_until SECONDS command...
	local end=$((SECONDS + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.2
	done
}

start_one() { # start_one NAME BINARY ARGS...
	local name=$1; shift
	if running "$name"; then echo "$name: already running (pid $(cat "$STATE/$name.pid"))"; return 0; fi
	# setsid: the daemon leaves this script's session and outlives it.
	setsid "$@" >>"$STATE/$name.log" 2>&1 </dev/null &
	echo $! >"$STATE/$name.pid"
	echo "$name: started (pid $!, log $STATE/$name.log)"
}

# RPC keys: a pair for mediad (server), signald (sig1) and mediactl (admin), made once with
# mediactl keygen (secret keys mode 0600), and the list of client keys mediad lets in.
make_keys() {
	mkdir -p "$KEYS"
	chmod 700 "$KEYS"
	for n in server sig1 admin; do
		[ -f "$KEYS/$n.key" ] || "$MEDIACTL" keygen --out "$KEYS/$n" >/dev/null
	done
	[ -f "$KEYS/clients" ] || echo "# client public keys mediad lets in: KEY NAME [client|admin]" >"$KEYS/clients"
	grep -qF "$(cat "$KEYS/sig1.pub")" "$KEYS/clients" || echo "$(cat "$KEYS/sig1.pub") sig1" >>"$KEYS/clients"
	grep -qF "$(cat "$KEYS/admin.pub")" "$KEYS/clients" || echo "$(cat "$KEYS/admin.pub") admin admin" >>"$KEYS/clients"
}

# SIP over TLS: a self-signed certificate for 127.0.0.1, made once with openssl (agent.pem: key
# and certificate, mode 0600; cafile.pem: the certificate, for phones to trust).
make_cert() {
	local d=$STATE/tls
	[ -f "$d/agent.pem" ] && return 0
	mkdir -p "$d"
	chmod 700 "$d"
	(umask 077 &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=127.0.0.1" \
			-addext "subjectAltName=IP:127.0.0.1" -keyout "$d/key.pem" -out "$d/cafile.pem" 2>/dev/null &&
		cat "$d/key.pem" "$d/cafile.pem" >"$d/agent.pem" && rm -f "$d/key.pem")
}

status() {
	local ok=0
	if "$MEDIACTL" -e tcp://127.0.0.1:5555 -t 500 ping >/dev/null 2>&1; then echo "mediad: answers Ping on tcp://127.0.0.1:5555"; else echo "mediad: not answering"; ok=1; fi
	if "$SIPPING" sip:127.0.0.1:5060 500 >/dev/null 2>&1; then echo "signald: answers OPTIONS on 127.0.0.1:5060"; else echo "signald: not answering"; ok=1; fi
	return $ok
}

case "${1:-start}" in
stop)
	stop_one signald
	stop_one mediad
	exit 0
	;;
status)
	status
	exit $?
	;;
start) ;;
*)
	echo "usage: $0 [start|stop|status]" >&2
	exit 2
	;;
esac

"$ROOT/deploy/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_TESTS=OFF >/dev/null
cmake --build "$BUILD" -j"$(nproc)" >/dev/null
echo "build: ok ($BUILD)"
mkdir -p "$STATE"
make_keys
tls=()
if command -v openssl >/dev/null && make_cert; then
	tls=(--set "sip.tls_listen=127.0.0.1:5061" --set "sip.tls_cert_dir=$STATE/tls")
else
	echo "openssl could not make a certificate: SIP over TLS stays off" >&2
fi

mkdir -p "$STATE/prompts" "$STATE/recordings"
# the demo IVR's prompts (5000); files already there are the user's and stay
for f in "$DEMO/prompts/"*.wav; do [ -e "$STATE/prompts/${f##*/}" ] || cp "$f" "$STATE/prompts/"; done
start_one mediad "$BUILD/mediad/mediad" -c "$DEMO/mediad.ini" \
	--set "mediad.rpc_key_file=$KEYS/server.key" --set "mediad.rpc_clients_file=$KEYS/clients" \
	--set "apps.prompts_dir=$STATE/prompts" --set "apps.recordings_dir=$STATE/recordings"
if ! wait_until 10 "$MEDIACTL" -e tcp://127.0.0.1:5555 -t 300 ping; then
	echo "mediad did not answer Ping within 10 s; see $STATE/mediad.log:" >&2
	tail -n 5 "$STATE/mediad.log" >&2
	exit 1
fi
start_one signald "$BUILD/signaling/signald" -c "$DEMO/signald.ini" --set "signald.state_dir=$STATE" \
	--set "media.key_file=$KEYS/sig1.key" --set "media.server_key_file=$KEYS/server.pub" \
	--set "control.socket=$STATE/signald.sock" "${tls[@]}"
if ! wait_until 10 "$SIPPING" sip:127.0.0.1:5060 300; then
	echo "signald did not answer OPTIONS within 10 s; see $STATE/signald.log:" >&2
	tail -n 5 "$STATE/signald.log" >&2
	exit 1
fi
status

cat <<MSG

Tandem is running on loopback.
  SIP:   127.0.0.1:5060 (UDP and TCP), domain 127.0.0.1
  TLS:   127.0.0.1:5061 when openssl made $STATE/tls (phones trust $STATE/tls/cafile.pem)
  Media: mediad RPC on tcp://127.0.0.1:5555 (CURVE keys in $KEYS), RTP ports 30000-39999
  Metrics: http://127.0.0.1:9466/metrics (mediad), http://127.0.0.1:9467/metrics (signald)
  Events: tcp://127.0.0.1:5557 (ZeroMQ PUB, JSON; tandemctl events prints them)
  Admin: tandemctl on $STATE/signald.sock
  Users: 1000-1019, password 1234 (deploy/demo/directory.xml; edit it and send SIGHUP to reload)

Try it:
  $SIPPING sip:127.0.0.1:5060              # SIP OPTIONS -> 200 OK
  export MEDIACTL_KEY=$KEYS/admin.key MEDIACTL_SERVER_KEY=$KEYS/server.pub
  $MEDIACTL ping                           # media node status (needs the admin key above)
  export TANDEM_CONTROL_SOCKET=$STATE/signald.sock
  $TANDEMCTL status                         # calls, registrations, media nodes
  $TANDEMCTL events                         # live call and registration events (Ctrl-C ends)

Register a softphone: server/domain 127.0.0.1, port 5060 (UDP or TCP), user 1000 (to 1019),
password 1234. Digest offers MD5, which every softphone and SIPp handle (SHA-256 is turned on
per user or domain, see docs/registrar.md). Debian's baresip and linphonec work as they come
(docs/interop.md shows their settings in tests/interop/). Or from this shell:
  python3 $ROOT/tests/integration/sipreg.py 127.0.0.1:5060 offer --user 1000
  sqlite3 $STATE/tandem.db "select sip_user, contact, network_ip, network_port, status from sip_registrations"

Call: register two phones (say 1000 and 1001) and dial 1001 from 1000. The call is challenged
(407, same credentials), routed by deploy/demo/dialplan.xml (10[01][0-9] -> bridge user/\$1) and
its audio flows through mediad:
  $MEDIACTL list                          # the call's media session while it is up
  $TANDEMCTL calls; $TANDEMCTL call CALL-ID # the call, both legs, RTP counters
  sqlite3 $STATE/tandem.db "select * from sip_dialogs"        # live calls
  sqlite3 $STATE/tandem.db "select caller, callee, hangup_cause, billsec from cdr"
Also dial: 9196 (echo test), 5000 (a small IVR in Lua: press 1 or 2 for user 1000 or 1001,
scripts/ivr_menu.lua), 7 + a user (71001: the call is recorded by scripts/auto_record.lua into
$STATE/recordings as one stereo WAV, caller left, callee right).
How calls work: docs/calls.md; the dialplan: docs/dialplan.md; Lua scripts: docs/lua.md.

Stop with: deploy/quickstart.sh stop
MSG
