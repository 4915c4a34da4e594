#!/usr/bin/env bash
# Registration against the real signald (SQLite store, demo directory) with SIPp and with a small
# Python client: digest 401 -> 200, bindings in sip_registrations, several contacts, query,
# wrong password, malformed Authorization, absurd Expires, unregister; then a node offering
# SHA-256 and MD5: MD5-only and SHA-256 clients, nonce replay, 423 and Contact: * rules, and
# hostile requests (long headers and URIs, too many contacts, broken headers). Per-user digest
# algorithms: a directory user with auth-algorithms gets those, everyone else MD5 alone.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
# The demo directory with one user who asks for SHA-256 (then MD5); the node keeps the default
# offer, MD5 alone, which SIPp 3.6.1 needs.
sed 's|<user id="1003">|&<params><param name="auth-algorithms" value="SHA-256, MD5"/></params>|' \
	"$DEMO_DIRECTORY" >"$T/directory.xml"
start_signald s1 "$m1_RPC" --set "directory.path=$T/directory.xml" || exit 1
DB=$T/s1-state/tandem.db
users_csv "$T/u1000.csv" "1000;1234"
users_csv "$T/u1001.csv" "1001;1234"
users_csv "$T/wrong.csv" "1000;4321"
users_csv "$T/nobody.csv" "4242;1234"
p1=$(free_port); p2=$(free_port); p3=$(free_port)

check "REGISTER over UDP: 401, then 200 listing the contact" \
	reg_sipp r1 register.xml "$s1_SIP" "$p1" "$T/u1000.csv" -set expires 300
row=$(sql "$DB" "select sip_user||'|'||sip_host||'|'||network_ip||'|'||network_port||'|'||network_proto||'|'||status||'|'||user_agent||'|'||sip_realm||'|'||hostname from sip_registrations where contact like '%:$p1;%'")
check "sip_registrations row: user, host, source, status, user agent, realm, node ($row)" \
	test "$row" = "1000|127.0.0.1|127.0.0.1|$p1|udp|Registered(UDP)|tandem-test|127.0.0.1|s1"
left=$(sql "$DB" "select expires - strftime('%s','now') from sip_registrations where contact like '%:$p1;%'")
check "expires is absolute unix time, ~300 s ahead ($left)" test "$left" -gt 290 -a "$left" -le 300

check "second contact for the same user over TCP" \
	reg_sipp r2 register.xml "$s1_SIP" "$p2" "$T/u1000.csv" -t t1 -set expires 300
check "two bindings stored for 1000" test "$(sql "$DB" "select count(*) from sip_registrations where sip_user='1000'")" = 2
check "TCP binding recorded as tcp" test "$(sql "$DB" "select network_proto from sip_registrations where contact like '%:$p2;%'")" = tcp

check "query (no Contact) gets 200" reg_sipp q1 register_query.xml "$s1_SIP" "$(free_port)" "$T/u1000.csv"
check "query lists the UDP binding" grep -q "127.0.0.1:$p1;" "$T/q1.sipp-log.log"
check "query lists the TCP binding" grep -q "127.0.0.1:$p2;" "$T/q1.sipp-log.log"

check "wrong password is challenged again (401)" \
	reg_sipp w1 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/wrong.csv"
check "wrong password logged with the source address" \
	grep -q "wrong password for '1000' from 127.0.0.1:" "$T/s1.log"
check "unknown user: challenged again (401), like a wrong password" \
	reg_sipp n1 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/nobody.csv"
check "malformed Authorization gets 400" \
	reg_sipp m1 register_malformed.xml "$s1_SIP" "$(free_port)" "$T/u1000.csv"
check "malformed Authorization logged" grep -q "malformed" "$T/s1.log"

check "absurd Expires (99999999999) is accepted" \
	reg_sipp a1 register.xml "$s1_SIP" "$p3" "$T/u1001.csv" -set expires 99999999999
left=$(sql "$DB" "select expires - strftime('%s','now') from sip_registrations where contact like '%:$p3;%'")
check "absurd Expires clamped to max_expires 7200 ($left)" test "$left" -gt 7190 -a "$left" -le 7200


check "unregister (Expires: 0) gets 200" \
	reg_sipp u1 register.xml "$s1_SIP" "$p1" "$T/u1000.csv" -set expires 0
check "the unregistered contact is gone" test "$(sql "$DB" "select count(*) from sip_registrations where contact like '%:$p1;%'")" = 0
check "the other contact of 1000 stays" test "$(sql "$DB" "select count(*) from sip_registrations where contact like '%:$p2;%'")" = 1
check "1001's binding is untouched" test "$(sql "$DB" "select count(*) from sip_registrations where sip_user='1001'")" = 1
check "OPTIONS still answered 200" run_sipp opt options.xml "$s1_SIP"
check "default offer: MD5 alone" \
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" offer --user 1004 --expect MD5
check "user with auth-algorithms: SHA-256 then MD5, SHA-256 answer registers" \
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" offer --user 1003 --expect SHA-256,MD5
check "INVITE from the user with auth-algorithms: 407 offers SHA-256 then MD5" \
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" invite-offer --user 1003 --expect SHA-256,MD5
check "INVITE from a user without: 407 offers MD5 alone" \
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" invite-offer --user 1004 --expect MD5
# (The unknown user's answer then gets 403: only the challenge is compared.)
unknown_offer() {
	python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s1_SIP" offer --user 4343 --expect MD5 |
		grep "ok: 401 offers" >/dev/null
}
check "unknown user: MD5 alone, like a known user" unknown_offer

# A node that turns SHA-256 on globally (SHA-256 first, then MD5).
start_signald s2 "$m1_RPC" --set "directory.path=$DEMO_DIRECTORY" --set "auth.algorithms=SHA-256, MD5" || exit 1
for c in md5-only sha256 replay rules junk methods repeated; do
	check "client case $c" python3 "$TANDEM_SRC/tests/integration/sipreg.py" "$s2_SIP" "$c" --user 1002
done
check "replay logged" grep -q "replayed nonce count from 127.0.0.1" "$T/s2.log"

check "signald stops cleanly" stop_daemon s1
check "second signald stops cleanly" stop_daemon s2
finish
