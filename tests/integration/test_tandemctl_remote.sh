#!/usr/bin/env bash
# tandemctl from another host: signald's [control] remote_listen (ZeroMQ with CURVE) answers
# the admin keys of remote_clients_file with what the local socket would, JSON checked; a
# client key, an unknown key and no CURVE at all get nothing; a remote_listen without keys is a
# configuration error.
. "$(dirname "$0")/lib.sh"

K=$T/keys
make_keys "$K" server ops client stranger || exit 1
{
	echo "# tandemctl operators"
	echo "$(cat "$K/ops.pub") ops admin"
	echo "$(cat "$K/client.pub") cli client"
} >"$K/clients"
RP=$(free_port)
REMOTE=tcp://127.0.0.1:$RP

out=$("$SIGNALD" --set "signald.state_dir=$T" --set "sip.listen=127.0.0.1:$(free_port)" \
	--set "control.remote_listen=$REMOTE" -t 2>&1)
check "remote_listen without keys: refused" test $? -ne 0
check "the error names the keys it needs" grep -q "\[control\] remote_listen: needs remote_key_file and remote_clients_file" <<<"$out"

start_mediad m1 || exit 1
start_signald s1 "$m1_RPC" --set "control.socket=$T/s1.sock" --set "control.remote_listen=$REMOTE" \
	--set "control.remote_key_file=$K/server.key" --set "control.remote_clients_file=$K/clients" || exit 1
J=$T/answer.json
remote() { # remote KEY ARGS...: tandemctl -e with KEY's secret key
	local key=$1; shift
	"$TANDEMCTL" -e "$REMOTE" -k "$K/$key.key" -S "$K/server.pub" -t 2000 "$@"
}
js() { # js KEY ARGS... -- EXPR: remote --json, then python EXPR on the answer holds
	local key=$1 args=() expr; shift
	while [ "$1" != -- ]; do args+=("$1"); shift; done
	expr=$2
	remote "$key" --json "${args[@]}" >"$J" || return 1
	[ "$(jq_py "$J" "$expr")" = True ]
}

check "remote status (admin key)" js ops status -- 'd["node_id"]=="s1" and d["calls"]==0'
check "remote nodes: m1 up" wait_for 5 js ops nodes -- 'd[0]["up"] and d[0]["node_id"]=="m1"'
check "remote calls: none" js ops calls -- 'd==[]'
check "remote loglevel info" js ops loglevel info -- 'd["log_level"]=="info"'
check "the local socket sees the change" bash -c "'$TANDEMCTL' -s '$T/s1.sock' loglevel | grep -qx 'log level info'"
check "remote reload" js ops reload -- 'd["reloaded"]'
check "remote drain (answered once the node has)" js ops drain m1 -- 'd["drained"] and d["node_told"]'
check "remote undrain" js ops undrain m1 -- 'not d["drained"]'
check "remote text output" bash -c "$(declare -f remote); REMOTE='$REMOTE' K='$K' TANDEMCTL='$TANDEMCTL'; remote ops status | grep -q '^node s1'"
check "remote error: exit 1 with the reason" bash -c "$(declare -f remote); REMOTE='$REMOTE' K='$K' TANDEMCTL='$TANDEMCTL'; remote ops hangup nosuch 2>&1 | grep -qx 'no call nosuch'; test \${PIPESTATUS[0]} -eq 1"
check "a client (not admin) key: no answer, exit 3" bash -c "$(declare -f remote); REMOTE='$REMOTE' K='$K' TANDEMCTL='$TANDEMCTL'; remote client status; test \$? -eq 3"
check "an unknown key: no answer, exit 3" bash -c "$(declare -f remote); REMOTE='$REMOTE' K='$K' TANDEMCTL='$TANDEMCTL'; remote stranger status; test \$? -eq 3"
check "refusals logged" grep -q "remote control client .* refused: not an admin key" "$T/s1.log"
check "-e without keys: usage, exit 2" bash -c "'$TANDEMCTL' -e '$REMOTE' status; test \$? -eq 2"
check "still served after the refusals" js ops status -- 'd["node_id"]=="s1"'
check "signald still answers SIP" "$SIPPING" "sip:$s1_SIP" 1000
finish
