#!/usr/bin/env bash
# Authenticated media RPC (CURVE + ZAP): an allowed key gets answers, a wrong or missing key gets
# nothing and is logged once; a client cannot see or touch another owner's sessions, an admin
# key can; per-owner quota; drain is admin-only; a non-loopback endpoint without keys is refused
# unless insecure_rpc; signald connects with its key pair.
. "$(dirname "$0")/lib.sh"

K=$T/keys
make_keys "$K" server siga sigb admin stranger sig1 || exit 1
{
	echo "# allowed clients"
	echo "$(cat "$K/siga.pub") siga"
	echo "$(cat "$K/sigb.pub") sigb client"
	echo "$(cat "$K/admin.pub") ops admin"
	echo "$(cat "$K/sig1.pub") sig1"
} >"$K/clients"
# mediactl reads these; start_mediad's readiness ping runs with the admin key.
export MEDIACTL_SERVER_KEY=$K/server.pub MEDIACTL_KEY=$K/admin.key
start_mediad m1 --set "mediad.rpc_key_file=$K/server.key" \
	--set "mediad.rpc_clients_file=$K/clients" --set mediad.owner_max_sessions=2 || exit 1
export MEDIACTL_ENDPOINT=$m1_RPC

as() { # as KEYNAME mediactl-args...: mediactl with that client key
	local who=$1; shift
	"$MEDIACTL" -k "$K/$who.key" "$@"
}
status_of() { # status_of KEYNAME args...: the status name of the reply (JSON), or "rc=N"
	local out rc
	out=$(as "$1" -j "${@:2}" 2>/dev/null); rc=$?
	[ -n "$out" ] || { echo "rc=$rc"; return; }
	grep -o '"code":"[A-Z_]*"' <<<"$out" | head -1 | sed 's/.*:"\(.*\)"/\1/' | grep . || echo OK
}

check "allowed key: ping answered" as siga ping
as_none() { env -u MEDIACTL_KEY -u MEDIACTL_SERVER_KEY "$MEDIACTL" -t 400 "$@"; }
as_none ping >/dev/null 2>&1; rc=$?
check "no key: nothing comes back (exit 3)" test "$rc" = 3
as_none ping >/dev/null 2>&1
as stranger -t 400 ping >/dev/null 2>&1; rc=$?
check "unlisted key: nothing comes back (exit 3)" test "$rc" = 3
as stranger -t 400 ping >/dev/null 2>&1
"$MEDIACTL" -k "$K/siga.key" -s "$K/siga.pub" -t 400 ping >/dev/null 2>&1; rc=$?
check "wrong server key: nothing comes back (exit 3)" test "$rc" = 3
stranger=$(cat "$K/stranger.pub")
check "unlisted key logged" wait_for 3 grep -qF "client key $stranger from 127.0.0.1 refused" "$T/m1.log"
check "unlisted key logged once for two attempts" \
	test "$(grep -cF "client key $stranger" "$T/m1.log")" = 1
check "handshake failures (no key, wrong server key) logged once" \
	test "$(grep -c "RPC handshake refused" "$T/m1.log")" = 1

# Ownership: key + routing id.
S=$(as siga -i sigA -q create call-a --a audio --b audio)
check "siga creates a session" test -n "$S"
check "siga queries its session" as siga -i sigA -q query "$S"
check "sigb cannot query it" output_is STATUS_FORBIDDEN status_of sigb -i sigB query "$S"
check "sigb cannot query it by Call-ID" output_is STATUS_FORBIDDEN status_of sigb -i sigB query --call call-a
check "sigb cannot update it" output_is STATUS_FORBIDDEN \
	status_of sigb -i sigB update "$S" --leg b --stream 0 --remote 127.0.0.1:4000
check "sigb cannot delete it" output_is STATUS_FORBIDDEN status_of sigb -i sigB delete "$S"
check "siga's key from another routing id cannot delete it" output_is STATUS_FORBIDDEN \
	status_of siga -i other delete "$S"
check "sigb's list does not show it" test "$(as sigb -i sigB -j list | grep -c "$S")" = 0
check "siga's list shows it" test "$(as siga -i sigA -j list | grep -c "$S")" = 1
check "admin's list shows it" test "$(as admin -j list | grep -c "$S")" = 1
check "admin queries it" as admin -q query "$S"

# Quota: owner_max_sessions = 2 per owner.
check "siga creates a second session" as siga -i sigA -q create call-a2 --a audio --b audio
check "siga's third session is refused (quota)" output_is STATUS_FORBIDDEN \
	status_of siga -i sigA create call-a3 --a audio --b audio
check "nor from another routing id: the quota is the key's" output_is STATUS_FORBIDDEN \
	status_of siga -i sigA2 create call-a3 --a audio --b audio
check "sigb is not limited by siga's quota" as sigb -i sigB -q create call-b1 --a audio --b audio

# Drain: admin only.
check "siga cannot drain" output_is STATUS_FORBIDDEN status_of siga drain
check "admin drains" as admin -q drain
check "ping says draining" wait_for 2 grep -q '"draining":true' <(as admin -j ping)
check "draining node refuses a new session" output_is STATUS_OVERLOADED \
	status_of sigb -i sigB create call-b2 --a audio --b audio
check "live sessions stay while draining" as siga -i sigA -q query "$S"
check "admin undrains" as admin -q undrain
check "undrained node takes sessions" as sigb -i sigB -q create call-b2 --a audio --b audio
check "admin deletes siga's session" as admin -q delete "$S"

# signald with its key pair connects; with an unlisted key it never sees the node up.
start_signald s1 "$m1_RPC" --set "media.key_file=$K/sig1.key" \
	--set "media.server_key_file=$K/server.pub" || exit 1
check "signald with an allowed key sees the node up" wait_for 5 grep -q "media node $m1_RPC (m1 .*): up" "$T/s1.log"
# Another allowed key cannot take signald's routing id over (no handover with keys).
as siga -i s1 -t 400 ping >/dev/null 2>&1; rc=$?
check "another key connecting as s1 gets nothing (exit 3)" test "$rc" = 3
sleep 1.5
check "signald keeps its connection" test "$(grep -c "media node $m1_RPC (m1.*): down" "$T/s1.log")" = 0
start_signald s2 "$m1_RPC" --set "media.key_file=$K/stranger.key" \
	--set "media.server_key_file=$K/server.pub" || exit 1
sleep 1.5
check "signald with an unlisted key does not" test "$(grep -c ": up" "$T/s2.log")" = 0
chmod 644 "$K/sig1.key"
out=$("$SIGNALD" -t --set "media.key_file=$K/sig1.key" --set "media.server_key_file=$K/server.pub" 2>&1); rc=$?
check "signald refuses a secret key readable by others (rc=$rc): $out" \
	grep -q "\[media\] key_file: $K/sig1.key: secret key readable by group or others" <<<"$out"
chmod 600 "$K/sig1.key"

# A non-loopback endpoint without keys is refused, unless insecure_rpc.
port=$(free_port)
out=$("$MEDIAD" --set "mediad.rpc_endpoint=tcp://*:$port" 2>&1); rc=$?
check "mediad refuses tcp://*:$port without keys (rc=$rc)" test "$rc" -ne 0
check "and says why: $out" grep -q "rpc_endpoint: tcp://\*:$port is reachable from other hosts.*insecure_rpc" <<<"$out"
out=$("$MEDIAD" --set "mediad.rpc_endpoint=tcp://0.0.0.0:$port" 2>&1); rc=$?
check "mediad refuses tcp://0.0.0.0:$port without keys (rc=$rc)" test "$rc" -ne 0
rtp=$(free_port 20)
"$MEDIAD" --set "mediad.rpc_endpoint=tcp://*:$port" --set mediad.insecure_rpc=yes \
	--set rtp.port_min="$rtp" --set rtp.port_max=$((rtp + 19)) >"$T/m2.log" 2>&1 &
echo $! >"$T/m2.pid"
check "insecure_rpc = yes: it starts and answers without keys" \
	wait_for 5 as_none -e "tcp://127.0.0.1:$port" ping
check "and warns that it runs without keys" grep -q "reachable from other hosts without keys" "$T/m2.log"
finish
