/* sofia-sip 1.12.11's TLS transport, fixed and extended from outside the library
 * (sofia_tls_fix.c): connections no longer leak their SSL object, and the certificate can be
 * re-read. Only in the signald executable. */
#ifndef SIGNALD_SOFIA_TLS_FIX_H
#define SIGNALD_SOFIA_TLS_FIX_H

#include <stddef.h>

/* Loads cert_dir's agent.pem (key and certificate chain) and cafile.pem (the CAs client
 * certificates are checked against, when present) into the TLS listener's context, for the
 * connections that start from now on. The files are checked first: on any error nothing
 * changes, err says which file and why, and a negative errno code is returned (-ENOENT when
 * there is no TLS listener). */
int sofia_tls_reload(const char *cert_dir, char *err, size_t errlen);

#endif
