#!/usr/bin/env bash
# SIP over TLS ([sip] tls_listen): a digest REGISTER over TLS stores a tls binding; a thousand
# TLS connections opened and closed leave signald's memory flat (sofia-sip 1.12.11 alone kept
# about 24 kB of every one: sofia_tls_fix.c); SIGHUP re-reads the certificate (new connections
# get the new one, a broken one is refused and the old one serves on); tls_verify_client
# refuses a client without a certificate from cafile.pem and takes one with it. Debian's SIPp
# has no TLS, hence tls_sip.py.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { log "SKIP: openssl missing"; exit 77; }

make_cert "$T/tls" || { log "openssl could not make a certificate"; exit 1; }
start_mediad m1 || exit 1
tls_port=$(free_port)
TLS=127.0.0.1:$tls_port
start_signald s1 "$m1_RPC" --set "sip.tls_listen=$TLS" --set "sip.tls_cert_dir=$T/tls" || exit 1
tls() { python3 "$TANDEM_SRC/tests/integration/tls_sip.py" "$TLS" "$@" --cafile "$T/tls/cafile.pem"; }
der_sha256() { openssl x509 -in "$1" -outform DER | sha256sum | cut -d' ' -f1; }
sanitized() { grep -q '^TANDEM_SANITIZE:BOOL=ON' "$TANDEM_BUILD/CMakeCache.txt"; }

check "signald listens on TLS" grep -q "(tls)" "$T/s1.log"
check "1000 registers over TLS with digest auth (401, then 200)" tls register 1000 1234
check "the binding is stored as a TLS one" \
	sql_is "$T/s1-state/tandem.db" "select network_proto from sip_registrations where sip_user = '1000'" tls

# Connection churn: the SSL object of every closed connection must be freed. ASan's own
# allocator keeps freed memory in quarantine, so there the leak check is LeakSanitizer's at exit.
pid=$(cat "$T/s1.pid")
rss() { awk '/^VmRSS/{print $2}' "/proc/$pid/status"; }
n=1000
sanitized && n=300
tls churn 100 >/dev/null
before=$(rss)
check "$n TLS connections each answered and closed" tls churn "$n"
after=$(rss)
log "signald RSS over $n TLS connections: $before kB -> $after kB ($(((after - before) / n * 1000 / 1000)) kB per connection at most)"
if ! sanitized; then
	check "signald's memory stays flat over $n TLS connections (grew $((after - before)) kB, < 4096)" \
		test $((after - before)) -lt 4096
fi

# Certificate reload: a new certificate for new connections, a broken one refused.
old=$(tls fingerprint)
check "the certificate served is the one in tls_cert_dir" test "$old" = "$(der_sha256 "$T/tls/cafile.pem")"
make_cert "$T/tls-new" || exit 1
cp "$T/tls-new/agent.pem" "$T/tls-new/cafile.pem" "$T/tls/"
kill -HUP "$pid"
check "SIGHUP re-reads the certificate" wait_for 5 grep -q "TLS certificate reloaded" "$T/s1.log"
check "new connections get the new certificate" test "$(tls fingerprint)" = "$(der_sha256 "$T/tls-new/cafile.pem")"
check "and are trusted with the new CA file" tls register 1001 1234
echo "not a certificate" >"$T/tls/agent.pem"
kill -HUP "$pid"
check "a broken certificate is refused on reload, naming the file" \
	wait_for 5 grep -q "tls_cert_dir reload failed, keeping the previous certificate: .*agent.pem" "$T/s1.log"
check "the previous certificate serves on" test "$(tls fingerprint)" = "$(der_sha256 "$T/tls-new/cafile.pem")"
check "registrations over TLS still work after the refused reload" tls register 1002 1234
check "signald stops cleanly (no leak at exit under LeakSanitizer)" stop_daemon s1

# Client certificates: the CA in cafile.pem signs one client certificate.
cp "$T/tls-new/agent.pem" "$T/tls/agent.pem"
openssl req -newkey rsa:2048 -nodes -subj "/CN=phone-1003" -keyout "$T/client.key" \
	-out "$T/client.csr" 2>/dev/null &&
	openssl x509 -req -in "$T/client.csr" -CA "$T/tls/cafile.pem" -CAkey "$T/tls-new/key.pem" \
		-CAcreateserial -days 30 -out "$T/client.crt" 2>/dev/null &&
	cat "$T/client.key" "$T/client.crt" >"$T/client.pem" || { log "no client certificate"; exit 1; }
start_signald s2 "$m1_RPC" --set "sip.tls_listen=$TLS" --set "sip.tls_cert_dir=$T/tls" \
	--set "sip.tls_verify_client=true" || exit 1
check "tls_verify_client: a client without a certificate is refused" eval '! tls handshake'
check "tls_verify_client: a client with a certificate from cafile.pem is served" \
	tls handshake --cert "$T/client.pem"
check "signald stops cleanly" stop_daemon s2
check "mediad stops cleanly" stop_daemon m1
finish
