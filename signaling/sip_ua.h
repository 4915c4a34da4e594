/* The only module that calls nua_*: creates the SIP user agent on the configured address, turns
 * NUA events into calls on the modules above it, and owns every stack-created handle it does not
 * hand on. Runs on the su_root thread. */
#ifndef SIGNALD_SIP_UA_H
#define SIGNALD_SIP_UA_H

#include <sofia-sip/su_wait.h>

#include "signald_config.h"

struct registrar;
struct sip_ua;

typedef void (*sip_ua_done_cb)(void *arg);

/* root, cfg and registrar are borrowed (registrar answers REGISTER). Returns 0, or
 * -EADDRINUSE/-EINVAL/-ENOMEM with err filled. */
int sip_ua_new(struct sip_ua **out, su_root_t *root, const struct signald_config *cfg,
               struct registrar *registrar, char *err, size_t errlen);
/* Starts a graceful shutdown; done runs once the stack has finished (or timed out). */
void sip_ua_shutdown(struct sip_ua *ua, sip_ua_done_cb done, void *arg);
void sip_ua_free(struct sip_ua *ua);

#endif
