/* Fixes and extends sofia-sip 1.12.11's TLS transport from outside the library.
 *
 * 1. Stops sofia-sip 1.12.11 leaking the OpenSSL connection of every TLS connection it closes.
 *
 * Its tls_free() (tport_tls.c) calls SSL_shutdown() on a connection's SSL object but never
 * SSL_free(): about 24 kB per TLS connection stays allocated for the life of the process, so a
 * peer that opens and closes connections grows signald without bound. Two more quirks of the
 * same function have to be kept balanced: a connection's tls_t carries the master's type, so
 * tls_free() also calls SSL_CTX_free() on the shared context (which SSL_new() had referenced,
 * and which SSL_free() would release a second time), and it calls BIO_free() on the socket BIO
 * that the SSL object owns.
 *
 * libsofia-sip-ua calls SSL_shutdown through its PLT, so this definition in the executable takes
 * precedence (the linker exports it because the library refers to it, as for su_duration_fix.c).
 * It forwards to OpenSSL's, and only when the caller is libsofia-sip-ua (whose sole
 * SSL_shutdown is the one in tls_free(), after which it never touches the SSL object again)
 * also frees the SSL object, holding one more reference to the context and to the BIO so that
 * the SSL_CTX_free() and BIO_free() tls_free() does next release exactly those. Every other
 * caller (libpq's connection to PostgreSQL) gets OpenSSL's behaviour unchanged.
 *
 * 2. Re-reads the certificate on reload. sofia-sip builds its TLS context once, when the
 * transport is bound, and has no call to change it. SSL_CTX_new is interposed the same way to
 * remember the context sofia-sip made; sofia_tls_reload() checks the new files in a context of
 * its own first and only then loads them into sofia-sip's, so a certificate that does not load
 * leaves the old one serving. Connections take the context's certificate when they start: open
 * ones keep theirs, new ones get the new one. Everything runs on signald's loop thread. */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "sofia_tls_fix.h"

typedef int (*ssl_shutdown_fn)(SSL *);
typedef SSL_CTX *(*ssl_ctx_new_fn)(const SSL_METHOD *);

static _Atomic(void *) real_shutdown, real_ctx_new;
/* the context of sofia-sip's TLS listener (its first), NULL until it made one */
static SSL_CTX *sofia_ctx;

/* OpenSSL's own definition of name, looked up once into slot. */
static void *next_symbol(_Atomic(void *) *slot, const char *name)
{
	void *sym = atomic_load(slot);

	if (!sym) {
		sym = dlsym(RTLD_NEXT, name);
		atomic_store(slot, sym);
	}
	return sym;
}

/* True when addr lies in libsofia-sip-ua. */
static int in_sofia(const void *addr)
{
	Dl_info caller;

	return dladdr(addr, &caller) && caller.dli_fname &&
	       strstr(caller.dli_fname, "libsofia-sip-ua") != NULL;
}

int SSL_shutdown(SSL *s)
{
	void *sym = next_symbol(&real_shutdown, "SSL_shutdown");
	ssl_shutdown_fn fn;
	int rc;

	if (!sym)
		return -1;
	/* a data pointer from dlsym to a function pointer: POSIX guarantees the round trip */
	memcpy(&fn, &sym, sizeof(fn));
	rc = fn(s);
	if (s && in_sofia(__builtin_return_address(0))) {
		SSL_CTX *ctx = SSL_get_SSL_CTX(s);
		BIO *bio = SSL_get_rbio(s);

		/* sofia gave one BIO to both sides of the SSL object, which then holds two
		 * references to it and SSL_free releases both: the one added here is what
		 * tls_free's BIO_free releases */
		if (ctx)
			SSL_CTX_up_ref(ctx);
		if (bio)
			BIO_up_ref(bio);
		SSL_free(s);
	}
	return rc;
}

SSL_CTX *SSL_CTX_new(const SSL_METHOD *meth)
{
	void *sym = next_symbol(&real_ctx_new, "SSL_CTX_new");
	ssl_ctx_new_fn fn;
	SSL_CTX *ctx;

	if (!sym)
		return NULL;
	memcpy(&fn, &sym, sizeof(fn));
	ctx = fn(meth);

	if (ctx && !sofia_ctx && in_sofia(__builtin_return_address(0)))
		sofia_ctx = ctx;
	return ctx;
}

static void ssl_error(char *err, size_t errlen, const char *what, const char *path)
{
	char detail[160] = "";
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	snprintf(err, errlen, "%s %s%s%s", what, path, detail[0] ? ": " : "", detail);
}

/* Loads agent.pem (key and certificate chain) and cafile.pem (when present) of dir into ctx. */
static int load_files(SSL_CTX *ctx, const char *dir, char *err, size_t errlen)
{
	char agent[PATH_MAX], ca[PATH_MAX];

	if (snprintf(agent, sizeof(agent), "%s/agent.pem", dir) >= (int)sizeof(agent) ||
	    snprintf(ca, sizeof(ca), "%s/cafile.pem", dir) >= (int)sizeof(ca)) {
		snprintf(err, errlen, "path too long: %s", dir);
		return -ENAMETOOLONG;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, agent) != 1) {
		ssl_error(err, errlen, "no certificate in", agent);
		return -EINVAL;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, agent, SSL_FILETYPE_PEM) != 1) {
		ssl_error(err, errlen, "no private key in", agent);
		return -EINVAL;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		ssl_error(err, errlen, "the key does not match the certificate in", agent);
		return -EINVAL;
	}
	if (access(ca, R_OK) == 0) {
		X509_STORE *store = X509_STORE_new();
		STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);

		if (!store || X509_STORE_load_file(store, ca) != 1 || !names) {
			X509_STORE_free(store);
			sk_X509_NAME_pop_free(names, X509_NAME_free);
			ssl_error(err, errlen, "no CA certificate in", ca);
			return -EINVAL;
		}
		/* replaced, not added to: a CA taken out of the file is no longer trusted */
		SSL_CTX_set_cert_store(ctx, store);
		SSL_CTX_set_client_CA_list(ctx, names);
	}
	return 0;
}

int sofia_tls_reload(const char *cert_dir, char *err, size_t errlen)
{
	SSL_CTX *check;
	int rc;

	if (!sofia_ctx) {
		snprintf(err, errlen, "no TLS listener");
		return -ENOENT;
	}
	check = SSL_CTX_new(TLS_server_method());
	if (!check) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = load_files(check, cert_dir, err, errlen);
	SSL_CTX_free(check);
	if (rc < 0)
		return rc;
	return load_files(sofia_ctx, cert_dir, err, errlen);
}
