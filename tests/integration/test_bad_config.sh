#!/usr/bin/env bash
# Bad input at start-up: each case is one clear error line and a non-zero exit, never a crash.
. "$(dirname "$0")/lib.sh"

expect_error() { # expect_error "what" "pattern" command...
	local what=$1 pat=$2; shift 2
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -ne 0 ] && [ $rc -lt 128 ] && grep -q -- "$pat" <<<"$out" && [ "$(wc -l <<<"$out")" -le 2 ]; then
		pass "$what"
	else
		fail "$what (rc=$rc): $out"
	fi
}

expect_error "mediad: missing config file" "/nonexistent.ini: cannot open" "$MEDIAD" -c /nonexistent.ini
printf '[mediad]\nnode_id = a\nbogus_key = 1\n' >"$T/unknown.ini"
expect_error "mediad: unknown key names file, line, key" "unknown.ini:3: \[mediad\] bogus_key: unknown key" "$MEDIAD" -c "$T/unknown.ini"
printf '[rtp]\nport_min = 12\n' >"$T/range.ini"
expect_error "mediad: out of range" "range.ini:2: \[rtp\] port_min: 12 is out of range" "$MEDIAD" -c "$T/range.ini"
printf 'garbage without section\n' >"$T/garbage.ini"
expect_error "mediad: malformed file" "garbage.ini:1: syntax error" "$MEDIAD" -c "$T/garbage.ini"
printf '[rtp]\nmedia_deny = 10.0.0.0/8, 10.1.2.3/40\n' >"$T/deny.ini"
expect_error "mediad: bad media_deny entry names the key and entry" "deny.ini: \[rtp\] media_deny: '10.1.2.3/40' is not an address or CIDR" "$MEDIAD" -c "$T/deny.ini"
expect_error "signald: unknown key" "\[sip\] colour: unknown key" "$SIGNALD" --set sip.colour=blue
expect_error "signald: bad listen" "\[sip\] listen: 'nowhere' is not host:port" "$SIGNALD" --set sip.listen=nowhere
expect_error "signald: the nonce secret is never a setting" "\[auth\] secret: unknown key" \
	"$SIGNALD" --set auth.secret=0123456789abcdef0123456789abcdef
expect_error "signald: a configured secret file must exist" \
	"\[auth\] secret_file: $T/missing.key: cannot read" \
	"$SIGNALD" --set "auth.secret_file=$T/missing.key" --set "signald.state_dir=$T" \
	--set "sip.listen=127.0.0.1:$(free_port)"
echo short >"$T/short.key"
expect_error "signald: a secret file with a short secret is refused" \
	"\[auth\] secret_file: $T/short.key: secret shorter than 16" \
	"$SIGNALD" --set "auth.secret_file=$T/short.key" --set "signald.state_dir=$T" \
	--set "sip.listen=127.0.0.1:$(free_port)"
expect_error "signald: a scripts folder that is not one" \
	"\[lua\] scripts_dir: '$T/none' is not a folder" "$SIGNALD" --set "lua.scripts_dir=$T/none"

start_mediad m1 || exit 1
expect_error "mediad: RPC port in use" "cannot bind $m1_RPC: Address already in use" "$MEDIAD" --set "mediad.rpc_endpoint=$m1_RPC"
port=$(free_port)
start_signald s1 "$m1_RPC" || exit 1
# sofia-sip 1.12.11 leaks its own homes when nua_create() fails to bind; not ours to free.
expect_error "signald: SIP port in use" "cannot open SIP on $s1_SIP" env ASAN_OPTIONS=detect_leaks=0 "$SIGNALD" --set "sip.listen=$s1_SIP" --set "signald.state_dir=$T"

# signald with no media node running starts, and logs that the node is down.
dead=$(free_port)
start_signald s2 "tcp://127.0.0.1:$dead" || exit 1
check "signald logs an unreachable media node" wait_for 5 grep -q "media node tcp://127.0.0.1:$dead: down (not connected)" "$T/s2.log"
check "mediad config check mode" "$MEDIAD" -t -c "$T/m1.ini"
finish
