/* The back-to-back user agent: turns an authenticated INVITE into a call (caller leg A, callee
 * legs B forked to every registered contact), anchors its media on a media node and relays the
 * dialog events between the legs until both are over. Runs on the signald loop thread. */
#ifndef SIGNALD_B2BUA_H
#define SIGNALD_B2BUA_H

#include "media_client.h"
#include "signald_config.h"
#include "sip_ua.h"

struct b2bua;
struct b2bua_deps;

/* Everything is borrowed and outlives the b2bua. */
int b2bua_new(struct b2bua **out, su_root_t *root, const struct signald_config *cfg,
              struct media_client *media, const struct b2bua_deps *deps);
/* Hangs up every call (BYE / 503) and frees the b2bua once no call is left. */
void b2bua_free(struct b2bua *b);

/* Must be attached before the first SIP event (the b2bua needs the ua to answer). */
void b2bua_set_ua(struct b2bua *b, struct sip_ua *ua);
/* sip_ua handlers: hand these to sip_ua_new. */
void b2bua_on_invite(void *arg, ua_handle *nh, const struct ua_request *req);
void b2bua_on_leg_event(void *arg, void *leg, const struct ua_leg_event *ev);
/* media_client event handler (RtpTimeout, SessionClosed). */
void b2bua_on_media_event(void *arg, struct media_node *node, const RpcEnvelope *env);
/* media_client hook for a node that restarted: its sessions are gone, so every call whose
 * session it held ends (BYE with a Reason header on both legs). */
void b2bua_on_media_node_restarted(void *arg, struct media_node *node, uint64_t old_instance,
                                   uint64_t new_instance);

unsigned b2bua_call_count(const struct b2bua *b);

/* Shutdown, step 1: hangs every call up (BYE, CANCEL or 503); returns how many there were.
 * Step 2, once the hangups had time to go out: releases every handle, so the SIP stack can shut
 * down with no handle of ours left (sofia-sip 1.12 ignores destroys after nua_shutdown). */
unsigned b2bua_hangup_all(struct b2bua *b);
void b2bua_release_all(struct b2bua *b);

#endif
