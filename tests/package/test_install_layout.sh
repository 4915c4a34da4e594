#!/usr/bin/env bash
# `cmake --install` into a scratch DESTDIR: every file where the FHS layout puts it (daemons in
# sbin, mediactl and tandemctl in bin, configs in /etc/tandem, units in lib/systemd/system), units and configs
# naming those same paths, and `systemd-analyze verify` clean on both units (run with the
# install mounted over /usr in a private mount namespace: verify wants the binaries ExecStart
# names, and --root cannot see the host's targets the units order against).
source "$(dirname "$0")/../integration/lib.sh"
: "${TANDEM_PREFIX:?}" "${TANDEM_CONFDIR:?}" "${TANDEM_STATEDIR:?}" "${TANDEM_UNITDIR:?}"
D=$T/destdir
DESTDIR=$D cmake --install "$TANDEM_BUILD" >"$T/install.log" 2>&1
check "cmake --install into DESTDIR" test $? -eq 0

want=(
	"$TANDEM_PREFIX/sbin/signald" "$TANDEM_PREFIX/sbin/mediad"
	"$TANDEM_PREFIX/bin/mediactl" "$TANDEM_PREFIX/bin/tandem-sipping" "$TANDEM_PREFIX/bin/tandemctl"
	"$TANDEM_CONFDIR/signald.ini" "$TANDEM_CONFDIR/mediad.ini"
	"$TANDEM_CONFDIR/directory.xml" "$TANDEM_CONFDIR/dialplan.xml"
	"$TANDEM_CONFDIR/scripts/auto_record.lua" "$TANDEM_CONFDIR/scripts/hello.lua"
	"$TANDEM_CONFDIR/scripts/ivr_menu.lua"
	"$TANDEM_PREFIX/share/tandem/prompts/ivr-menu.wav" "$TANDEM_PREFIX/share/tandem/prompts/ivr-invalid.wav"
	"$TANDEM_PREFIX/share/tandem/prompts/ivr-goodbye.wav"
	"$TANDEM_UNITDIR/tandem-signald.service" "$TANDEM_UNITDIR/tandem-mediad.service"
	"$TANDEM_PREFIX/share/doc/tandem/deployment.md" "$TANDEM_PREFIX/share/doc/tandem/README.md"
	"$TANDEM_PREFIX/share/man/man1/tandemctl.1.gz" "$TANDEM_PREFIX/share/man/man1/mediactl.1.gz"
	"$TANDEM_PREFIX/share/man/man8/signald.8.gz" "$TANDEM_PREFIX/share/man/man8/mediad.8.gz"
	"$TANDEM_PREFIX/share/doc/tandem-common/changelog.Debian.gz"
	"$TANDEM_PREFIX/share/doc/tandem-signald/changelog.Debian.gz"
	"$TANDEM_PREFIX/share/doc/tandem-mediad/changelog.Debian.gz")
for f in "${want[@]}"; do check "installed: $f" test -f "$D$f"; done
for f in sbin/signald sbin/mediad bin/mediactl bin/tandem-sipping bin/tandemctl; do
	check "executable: $f" test -x "$D$TANDEM_PREFIX/$f"
done
extra=$(cd "$D" && find . -type f | sed 's/^\.//' | grep -v "^$TANDEM_PREFIX/share/doc/tandem/[^/]*\.md$" |
	grep -vxF -f <(printf '%s\n' "${want[@]}"))
check "nothing else installed${extra:+ (found: $extra)}" test -z "$extra"

# The man pages render without a warning from man-db/groff.
for p in man1/tandemctl.1 man1/mediactl.1 man8/signald.8 man8/mediad.8; do
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$D$TANDEM_PREFIX/share/man/$p.gz" 2>&1 >/dev/null)
	check "man page $p renders cleanly${w:+: $w}" test -z "$w"
done

# The paths inside the installed files are the installed paths.
u=$D$TANDEM_UNITDIR
check "signald unit runs $TANDEM_PREFIX/sbin/signald with $TANDEM_CONFDIR/signald.ini" \
	grep -qx "ExecStart=$TANDEM_PREFIX/sbin/signald -c $TANDEM_CONFDIR/signald.ini" "$u/tandem-signald.service"
check "mediad unit runs $TANDEM_PREFIX/sbin/mediad with $TANDEM_CONFDIR/mediad.ini" \
	grep -qx "ExecStart=$TANDEM_PREFIX/sbin/mediad -c $TANDEM_CONFDIR/mediad.ini" "$u/tandem-mediad.service"
check "signald unit: Type=notify, reload by SIGHUP" \
	grep -qx 'ExecReload=/bin/kill -HUP $MAINPID' "$u/tandem-signald.service"
check "mediad unit: no ExecReload (mediad ignores SIGHUP)" bash -c "! grep -q '^ExecReload' '$u/tandem-mediad.service'"
check "signald unit may write only the state folder" grep -qx "ReadWritePaths=$TANDEM_STATEDIR" "$u/tandem-signald.service"
check "mediad unit lets io_uring through the syscall filter" \
	grep -qx 'SystemCallFilter=@system-service io_uring_setup io_uring_enter io_uring_register' "$u/tandem-mediad.service"
check "signald.ini: state in $TANDEM_STATEDIR" grep -qx "state_dir = $TANDEM_STATEDIR" "$D$TANDEM_CONFDIR/signald.ini"
check "signald.ini: its key pair" grep -qx "key_file = $TANDEM_CONFDIR/keys/sig1.key" "$D$TANDEM_CONFDIR/signald.ini"
check "mediad unit may write only its recordings" \
	grep -qx "ReadWritePaths=-$TANDEM_STATEDIR/recordings" "$u/tandem-mediad.service"
check "mediad.ini: recordings in $TANDEM_STATEDIR/recordings" \
	grep -qx "recordings_dir = $TANDEM_STATEDIR/recordings" "$D$TANDEM_CONFDIR/mediad.ini"
check "mediad.ini: its key and client list" \
	grep -qx "rpc_clients_file = $TANDEM_CONFDIR/keys/clients" "$D$TANDEM_CONFDIR/mediad.ini"
# Everything else is the demo's: the installed config differs from it only in those lines.
changed=$(diff "$TANDEM_SRC/deploy/demo/signald.ini" "$D$TANDEM_CONFDIR/signald.ini" | grep -c '^>')
check "signald.ini is the demo's with 5 lines changed (got $changed)" test "$changed" = 5

if [ "$(id -u)" -ne 0 ] || ! unshare -m true 2>/dev/null; then
	log "SKIP: systemd-analyze verify needs a private mount namespace (root)"
	finish
	exit $?
fi
# A copy with an unknown key shows that a warning would be seen.
sed 's/^Type=notify$/Type=notify\nBogusKey=1/' "$u/tandem-mediad.service" >"$u/tandem-broken.service"
cat >"$T/verify.sh" <<SH
mount -t overlay overlay -o "lowerdir=$D$TANDEM_PREFIX:$TANDEM_PREFIX" "$TANDEM_PREFIX" || exit 99
cd "$TANDEM_UNITDIR"
systemd-analyze verify tandem-signald.service >"$T/verify-signald.out" 2>&1; echo \$? >"$T/verify-signald.rc"
systemd-analyze verify tandem-mediad.service >"$T/verify-mediad.out" 2>&1; echo \$? >"$T/verify-mediad.rc"
systemd-analyze verify tandem-broken.service >"$T/verify-broken.out" 2>&1
for u in signald mediad; do
	systemd-analyze security --offline=yes --no-pager tandem-\$u.service 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' >"$T/exposure-\$u"
done
SH
unshare -m --propagation private bash "$T/verify.sh"
check "install mounted over $TANDEM_PREFIX in a mount namespace" test $? -ne 99
for n in signald mediad; do
	check "systemd-analyze verify tandem-$n.service: exit 0, nothing said$(sed 's/^/ | /' "$T/verify-$n.out" | tr -d '\n')" \
		test "$(cat "$T/verify-$n.rc")" = 0 -a ! -s "$T/verify-$n.out"
	e=$(cat "$T/exposure-$n")
	log "systemd-analyze security tandem-$n.service: exposure $e"
	check "tandem-$n.service exposure $e <= 2.0 (systemd-analyze security)" \
		awk -v e="$e" 'BEGIN { exit !(e != "" && e <= 2.0) }'
done
check "verify reports a unit with an unknown key" grep -q "Unknown key 'BogusKey'" "$T/verify-broken.out"
finish
