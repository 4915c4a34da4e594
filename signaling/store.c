/* Backend selection and the helpers every backend shares. */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_sqlite.h"

void store_reg_list_free(struct store_reg_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++) {
		struct store_reg *r = &l->v[i];

		free(r->call_id);
		free(r->sip_user);
		free(r->sip_host);
		free(r->contact);
		free(r->status);
		free(r->user_agent);
		free(r->network_ip);
		free(r->network_proto);
		free(r->sip_username);
		free(r->sip_realm);
		free(r->hostname);
		free(r->profile_name);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

int store_open(struct store **out, const char *driver, const char *path, char *err, size_t errlen)
{
	if (strcmp(driver, "sqlite") == 0)
		return store_sqlite_open(out, path, err, errlen);
	snprintf(err, errlen, "[store] driver: '%s' is not a known driver (sqlite)", driver);
	return -EINVAL;
}
