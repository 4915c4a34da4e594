#!/usr/bin/env bash
# Registrations live in SQLite: short ones are purged by the timer, the rest survive a signald
# restart (and the nonce secret too), and a refresh after the restart lists the old binding.
# Call rows the node left behind (a crash) are removed when it starts again.
# The directory reloads on SIGHUP, keeping the old users when the new file is broken.
. "$(dirname "$0")/lib.sh"

start_mediad m1 || exit 1
cp "$DEMO_DIRECTORY" "$T/directory.xml"
ARGS=(--set "directory.path=$T/directory.xml"
	--set registrar.min_expires=1 --set store.purge_interval_s=1)
start_signald s1 "$m1_RPC" "${ARGS[@]}" || exit 1
DB=$T/s1-state/tandem.db
users_csv "$T/u1000.csv" "1000;1234"
users_csv "$T/u1001.csv" "1001;1234"
p1=$(free_port); p2=$(free_port)

check "1000 registers for 300 s" reg_sipp r1 register.xml "$s1_SIP" "$p1" "$T/u1000.csv" -set expires 300
check "1001 registers for 2 s" reg_sipp r2 register.xml "$s1_SIP" "$p2" "$T/u1001.csv" -set expires 2
check "both rows present" test "$(sql "$DB" "select count(*) from sip_registrations")" = 2
check "the 2 s registration is purged from the table" \
	wait_for 15 sql_is "$DB" "select count(*) from sip_registrations where sip_user='1001'" 0
check "purge logged" grep -q "expired registration(s) purged" "$T/s1.log"
check "the 300 s registration stays" test "$(sql "$DB" "select count(*) from sip_registrations where sip_user='1000'")" = 1

secret_before=$(cat "$T/s1-state/auth_secret")
check "signald stops" stop_daemon s1
check "after the stop the binding is still in the database" \
	test "$(sql "$DB" "select count(*) from sip_registrations where sip_user='1000' and contact like '%:$p1;%'")" = 1
# A call row of s1 that a crashed process left behind, and one of another node.
row() { # row HOSTNAME PID
	sql "$DB" "insert into sip_dialogs (call_id, state, sip_from_user, sip_from_host, sip_from_tag,
		sip_to_user, sip_to_host, sip_to_tag, hostname, created, pid)
		values ('gone', 'active', '1000', 'h', 't', '1001', 'h', '', '$1', 1, $2)"
}
row s1 999999
row other-node 999998
start_signald s1 "$m1_RPC" "${ARGS[@]}" || exit 1
check "the row s1 left behind is removed at start" \
	test "$(sql "$DB" "select group_concat(hostname) from sip_dialogs")" = other-node
check "its removal is logged" grep -q "1 sip_dialogs row(s) left by an earlier run of s1 removed" "$T/s1.log"
check "the nonce secret survived the restart" test "$secret_before" = "$(cat "$T/s1-state/auth_secret")"
check "after the restart the binding is still there" \
	test "$(sql "$DB" "select count(*) from sip_registrations where sip_user='1000'")" = 1
check "refresh query after the restart gets 200" \
	reg_sipp q1 register_query.xml "$s1_SIP" "$(free_port)" "$T/u1000.csv"
check "... and lists the binding from before the restart" grep -q "127.0.0.1:$p1;" "$T/q1.sipp-log.log"

# Directory reload: a broken file keeps the old users; a good one replaces them.
echo "<include><user id=" >"$T/directory.xml"
kill -HUP "$(cat "$T/s1.pid")"
check "broken directory reload is refused with file and line" \
	wait_for 5 grep -q "directory reload failed, keeping the previous users: $T/directory.xml:" "$T/s1.log"
check "users still register after the failed reload" \
	reg_sipp r3 register.xml "$s1_SIP" "$(free_port)" "$T/u1001.csv" -set expires 300
cat >"$T/directory.xml" <<XML
<include><user id="1001"><params><param name="password" value="1234"/></params></user></include>
XML
kill -HUP "$(cat "$T/s1.pid")"
check "good directory reload logged" wait_for 5 grep -q "directory reloaded: 1 user(s)" "$T/s1.log"
check "a user removed from the directory is refused (401, like a wrong password)" \
	reg_sipp r4 register_wrong.xml "$s1_SIP" "$(free_port)" "$T/u1000.csv"
check "signald stops cleanly" stop_daemon s1
finish
