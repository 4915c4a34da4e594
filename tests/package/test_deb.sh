#!/usr/bin/env bash
# `cpack -G DEB` builds tandem-common, tandem-signald and tandem-mediad with their library
# dependencies; then the three are installed with dpkg for real into a private copy of the
# system (overlays on /etc, /usr and /var in a mount and network namespace of their own): the
# maintainer scripts make the tandem user, the state folder, the key pairs (mode 0600, owned by
# tandem) and the nonce secret; both daemons run as tandem from the installed configs and
# answer (mediactl ping with the admin key, SIP OPTIONS); purge removes keys and state.
source "$(dirname "$0")/../integration/lib.sh"
[ "$(id -u)" -eq 0 ] || { log "SKIP: needs root (dpkg in a private mount namespace)"; exit 77; }
command -v dpkg-shlibdeps >/dev/null || { log "SKIP: dpkg-shlibdeps missing (dpkg-dev; deploy/install-deps.sh --test)"; exit 77; }
unshare -m -n true 2>/dev/null || { log "SKIP: cannot make mount and network namespaces"; exit 77; }
: "${TANDEM_PREFIX:?}" "${TANDEM_CONFDIR:?}" "${TANDEM_STATEDIR:?}" "${TANDEM_UNITDIR:?}"
[ "$TANDEM_PREFIX" = /usr ] || { log "SKIP: packages are built for prefix /usr (configured: $TANDEM_PREFIX)"; exit 77; }

# cpack's own folder is outside the build tree, so parallel runs do not share it.
(cd "$TANDEM_BUILD" && cpack -G DEB -B "$T/cpack") >"$T/cpack.log" 2>&1
check "cpack -G DEB" test $? -eq 0
ver=$(sed -n 's/^CPACK_PACKAGE_VERSION:.*=//p; s/^CMAKE_PROJECT_VERSION:STATIC=//p' "$TANDEM_BUILD/CMakeCache.txt" | head -n1)
deb() { ls "$T/cpack/$1"_*.deb 2>/dev/null | head -n1; }
for p in tandem-common tandem-signald tandem-mediad; do check "package $p built" test -f "$(deb $p)"; done
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
has() { dpkg-deb -c "$(deb "$1")" | awk '{print $6}' | grep -qx "\./${2#/}"; }

for f in /usr/sbin/signald /usr/bin/tandem-sipping /usr/bin/tandemctl "$TANDEM_CONFDIR/signald.ini" \
	"$TANDEM_CONFDIR/scripts/auto_record.lua" \
	"$TANDEM_CONFDIR/directory.xml" "$TANDEM_CONFDIR/dialplan.xml" "$TANDEM_UNITDIR/tandem-signald.service"; do
	check "tandem-signald holds $f" has tandem-signald "$f"
done
for f in /usr/sbin/mediad "$TANDEM_CONFDIR/mediad.ini" "$TANDEM_UNITDIR/tandem-mediad.service" \
	/usr/share/tandem/prompts/ivr-menu.wav; do
	check "tandem-mediad holds $f" has tandem-mediad "$f"
done
check "tandem-common holds mediactl" has tandem-common /usr/bin/mediactl
check "tandem-signald holds tandemctl's man page" has tandem-signald /usr/share/man/man1/tandemctl.1.gz
check "tandem-signald holds signald's man page" has tandem-signald /usr/share/man/man8/signald.8.gz
check "tandem-mediad holds mediad's man page" has tandem-mediad /usr/share/man/man8/mediad.8.gz
check "tandem-common holds mediactl's man page" has tandem-common /usr/share/man/man1/mediactl.1.gz
check "tandem-common holds the docs" has tandem-common /usr/share/doc/tandem/deployment.md
check "tandem-mediad holds no signald" bash -c "! dpkg-deb -c '$(deb tandem-mediad)' | grep -q signald"

sd=$(field tandem-signald Depends) md=$(field tandem-mediad Depends) cd=$(field tandem-common Depends)
log "tandem-signald Depends: $sd"
log "tandem-mediad Depends: $md"
log "tandem-common Depends: $cd"
for lib in libsofia-sip-ua0 libzmq5 libsqlite3-0 libxml2 libssl3 libpcre2-8-0 libinih1 liblua5.4-0 libc6; do
	check "tandem-signald depends on $lib (dpkg-shlibdeps)" grep -q "\b$lib\b" <<<"$sd"
done
for lib in liburing2 libzmq5 libprotobuf-c1 libmicrohttpd12 libc6; do
	check "tandem-mediad depends on $lib (dpkg-shlibdeps)" grep -q "\b$lib\b" <<<"$md"
done
if [ "${TANDEM_SYSTEMD:-ON}" = ON ]; then
	check "both daemons depend on libsystemd0" grep -q libsystemd0 <<<"$sd$md"
fi
check "tandem-mediad does not depend on sofia-sip" bash -c "! grep -q sofia <<<'$md'"
check "tandem-common does not depend on libsystemd0 (mediactl does not link it)" bash -c "! grep -q libsystemd <<<'$cd'"
check "both daemons depend on tandem-common of their version" \
	test "$(grep -o "tandem-common (= $ver-[0-9]*)" <<<"$sd$md" | wc -l)" = 2
check "tandem-common depends on adduser" grep -q adduser <<<"$cd"
for p in tandem-common tandem-signald tandem-mediad; do
	check "$p: stripped binaries" bash -c "dpkg-deb --fsys-tarfile '$(deb $p)' | tar -xO --wildcards './usr/*bin/*' | file - | grep -q ', stripped'"
	check "$p: Debian changelog" has $p /usr/share/doc/$p/changelog.Debian.gz
done
dpkg-deb --ctrl-tarfile "$(deb tandem-signald)" | tar -xO ./conffiles >"$T/conffiles.signald"
check "signald's configs are conffiles" test "$(sort "$T/conffiles.signald" | tr '\n' ' ')" = \
	"$TANDEM_CONFDIR/dialplan.xml $TANDEM_CONFDIR/directory.xml $TANDEM_CONFDIR/scripts/auto_record.lua $TANDEM_CONFDIR/scripts/hello.lua $TANDEM_CONFDIR/scripts/ivr_menu.lua $TANDEM_CONFDIR/signald.ini "
for p in tandem-common tandem-signald tandem-mediad; do
	check "$p has a postinst" bash -c "dpkg-deb --ctrl-tarfile '$(deb $p)' | tar -t | grep -qx ./postinst"
done

# The install, in namespaces: each line of $T/inside.out is "0|1 description".
cat >"$T/inside.sh" <<SH
set -u
say() { echo "\$1 \$2" >>"$T/inside.out"; }
t() { local d=\$1; shift; if "\$@" >>"$T/inside.log" 2>&1; then say 0 "\$d"; else say 1 "\$d"; fi; }
ip link set lo up
for d in etc usr var; do
	mkdir -p "$T/ovl/\$d/up" "$T/ovl/\$d/work"
	mount -t overlay overlay -o "lowerdir=/\$d,upperdir=$T/ovl/\$d/up,workdir=$T/ovl/\$d/work" "/\$d" || exit 99
done
t "dpkg -i the three packages" dpkg -i "$(deb tandem-common)" "$(deb tandem-mediad)" "$(deb tandem-signald)"
t "user tandem exists" getent passwd tandem
t "user tandem is a system user" test "\$(id -u tandem)" -lt 1000
t "state folder $TANDEM_STATEDIR: tandem, 0750" test "\$(stat -c %U:%a $TANDEM_STATEDIR)" = tandem:750
for k in server sig1; do
	t "key $TANDEM_CONFDIR/keys/\$k.key: tandem, 0600" test "\$(stat -c %U:%a $TANDEM_CONFDIR/keys/\$k.key)" = tandem:600
done
t "operator key admin.key: root, 0600" test "\$(stat -c %U:%a $TANDEM_CONFDIR/keys/admin.key)" = root:600
t "clients file lists sig1 and admin" bash -c 'grep -qxF "\$(cat $TANDEM_CONFDIR/keys/sig1.pub) sig1" $TANDEM_CONFDIR/keys/clients && grep -qxF "\$(cat $TANDEM_CONFDIR/keys/admin.pub) admin admin" $TANDEM_CONFDIR/keys/clients'
t "nonce secret: tandem, 0600, 64 hex digits" bash -c 'test "\$(stat -c %U:%a $TANDEM_STATEDIR/auth_secret)" = tandem:600 && grep -qxE "[0-9a-f]{64}" $TANDEM_STATEDIR/auth_secret'
t "directory.xml readable by group tandem only" test "\$(stat -c %G:%a $TANDEM_CONFDIR/directory.xml)" = tandem:640
t "tandem-signald enabled" test -L /etc/systemd/system/multi-user.target.wants/tandem-signald.service
t "tandem-mediad enabled" test -L /etc/systemd/system/multi-user.target.wants/tandem-mediad.service
t "systemd-analyze verify the installed units" bash -c 'out=\$(systemd-analyze verify tandem-signald.service tandem-mediad.service 2>&1) && [ -z "\$out" ]'
# Run as the units would: user tandem, the installed configs.
as_tandem() { setpriv --reuid tandem --regid tandem --init-groups "\$@"; }
as_tandem /usr/sbin/mediad -c $TANDEM_CONFDIR/mediad.ini >"$T/pkg-mediad.log" 2>&1 &
echo \$! >"$T/pkg-mediad.pid"
as_tandem /usr/sbin/signald -c $TANDEM_CONFDIR/signald.ini >"$T/pkg-signald.log" 2>&1 &
echo \$! >"$T/pkg-signald.pid"
ok=1
for i in \$(seq 50); do
	/usr/bin/mediactl -k $TANDEM_CONFDIR/keys/admin.key -s $TANDEM_CONFDIR/keys/server.pub -t 300 ping >/dev/null 2>&1 && { ok=0; break; }
	sleep 0.2
done
say \$ok "packaged mediad (user tandem) answers mediactl ping with the admin key"
ok=1
for i in \$(seq 50); do /usr/bin/tandem-sipping sip:127.0.0.1:5060 300 >/dev/null 2>&1 && { ok=0; break; }; sleep 0.2; done
say \$ok "packaged signald (user tandem) answers OPTIONS on 127.0.0.1:5060"
ok=1
for i in \$(seq 50); do grep -qE "media node tcp://127.0.0.1:5555 .*: up" "$T/pkg-signald.log" && { ok=0; break; }; sleep 0.2; done
say \$ok "packaged signald reaches packaged mediad with the package's keys"
t "signald's database in $TANDEM_STATEDIR" test -f $TANDEM_STATEDIR/tandem.db
t "packaged mediad serves /metrics on 127.0.0.1:9466" python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" status 127.0.0.1:9466 /metrics
t "packaged signald serves /metrics on 127.0.0.1:9467" python3 "$TANDEM_SRC/tests/integration/metrics_probe.py" status 127.0.0.1:9467 /metrics
for n in signald mediad; do
	pid=\$(cat "$T/pkg-\$n.pid"); kill -TERM \$pid
	for i in \$(seq 50); do kill -0 \$pid 2>/dev/null || break; sleep 0.1; done
	kill -KILL \$pid 2>/dev/null; rm -f "$T/pkg-\$n.pid"
done
t "a second configure keeps the keys" bash -c 'k=\$(cat $TANDEM_CONFDIR/keys/server.pub) && dpkg-reconfigure tandem-common >/dev/null 2>&1; dpkg --configure -a && [ "\$k" = "\$(cat $TANDEM_CONFDIR/keys/server.pub)" ]'
t "dpkg --purge the three packages" dpkg --purge tandem-signald tandem-mediad tandem-common
t "purge removed the keys" test ! -e $TANDEM_CONFDIR/keys
t "purge removed the state" test ! -e $TANDEM_STATEDIR
t "purge removed the configs" test ! -e $TANDEM_CONFDIR/signald.ini
SH
timeout 90 unshare -m -n --propagation private bash "$T/inside.sh"
rc=$?
check "private copy of /etc, /usr, /var mounted" test "$rc" -ne 99
while read -r st what; do
	if [ "$st" = 0 ]; then pass "$what"; else fail "$what"; fi
done <"$T/inside.out"
[ "$FAILED" -eq 0 ] || { cat "$T/inside.log"; for f in "$T"/pkg-*.log; do echo "--- $f"; tail -n 20 "$f"; done; }
finish
