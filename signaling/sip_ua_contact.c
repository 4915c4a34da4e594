/* Our Contact per leg when TLS is on: the stack would answer every dialog with its sips:
 * address, which phones reached over UDP or TCP (and many over TLS) refuse. Requests we send
 * carry the right one directly (sip_ua_invite); answers to a caller's INVITE find it here,
 * remembered per handle from the transport the INVITE came over. */
#include "sip_ua_internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

struct contact_entry {
	nua_handle_t *nh; /* not a reference: forgotten before the handle is destroyed */
	const char *contact;
	struct contact_entry *next;
};

static size_t bucket(const nua_handle_t *nh)
{
	return ((uintptr_t)nh >> 4) % SIP_UA_CONTACT_BUCKETS;
}

int sip_ua_contact_remember(struct sip_ua *ua, nua_handle_t *nh, const char *contact)
{
	struct contact_entry *e;

	if (!contact)
		return 0;
	e = malloc(sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct contact_entry){.nh = nh, .contact = contact, .next = ua->contacts[bucket(nh)]};
	ua->contacts[bucket(nh)] = e;
	return 0;
}

const char *sip_ua_contact_of(const struct sip_ua *ua, const nua_handle_t *nh)
{
	for (const struct contact_entry *e = ua->contacts[bucket(nh)]; e; e = e->next)
		if (e->nh == nh)
			return e->contact;
	return NULL;
}

void sip_ua_contact_forget(struct sip_ua *ua, const nua_handle_t *nh)
{
	for (struct contact_entry **p = &ua->contacts[bucket(nh)]; *p; p = &(*p)->next)
		if ((*p)->nh == nh) {
			struct contact_entry *e = *p;

			*p = e->next;
			free(e);
			return;
		}
}

void sip_ua_contact_free_all(struct sip_ua *ua)
{
	for (size_t i = 0; i < SIP_UA_CONTACT_BUCKETS; i++)
		while (ua->contacts[i]) {
			struct contact_entry *e = ua->contacts[i];

			ua->contacts[i] = e->next;
			free(e);
		}
}
