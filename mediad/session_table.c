/* Three indexes over the control thread's sessions: two chained string hashes (id, Call-ID)
 * grown at load 1, and a u32map for keys that also serves iteration. */
#include "session_table.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "u32map.h"

struct str_index {
	struct session **b;
	size_t nb; /* power of two */
};

struct session_table {
	struct str_index by_id, by_call;
	struct u32map by_key;
};

enum which { BY_ID, BY_CALL };

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static const char *name_of(const struct session *s, enum which w)
{
	return w == BY_ID ? s->id : s->call_id;
}

static struct session **link_of(struct session *s, enum which w)
{
	return w == BY_ID ? &s->next_by_id : &s->next_by_call;
}

static struct session *find(const struct str_index *ix, enum which w, const char *name)
{
	struct session *s;

	if (!name)
		return NULL;
	for (s = ix->b[hash(name) & (ix->nb - 1)]; s; s = *link_of(s, w))
		if (strcmp(name_of(s, w), name) == 0)
			return s;
	return NULL;
}

static void insert(struct str_index *ix, enum which w, struct session *s)
{
	struct session **head = &ix->b[hash(name_of(s, w)) & (ix->nb - 1)];

	*link_of(s, w) = *head;
	*head = s;
}

static void unlink_from(struct str_index *ix, enum which w, struct session *s)
{
	struct session **pp = &ix->b[hash(name_of(s, w)) & (ix->nb - 1)];

	for (; *pp; pp = link_of(*pp, w)) {
		if (*pp == s) {
			*pp = *link_of(s, w);
			return;
		}
	}
}

static int grow(struct str_index *ix, enum which w)
{
	struct str_index n = {calloc(ix->nb * 2, sizeof(struct session *)), ix->nb * 2};

	if (!n.b)
		return -ENOMEM;
	for (size_t i = 0; i < ix->nb; i++) {
		struct session *s = ix->b[i], *next;

		for (; s; s = next) {
			next = *link_of(s, w);
			insert(&n, w, s);
		}
	}
	free(ix->b);
	*ix = n;
	return 0;
}

int session_table_new(struct session_table **out)
{
	struct session_table *t = calloc(1, sizeof(*t));

	if (!t)
		return -ENOMEM;
	t->by_id.nb = t->by_call.nb = 64;
	t->by_id.b = calloc(64, sizeof(struct session *));
	t->by_call.b = calloc(64, sizeof(struct session *));
	if (!t->by_id.b || !t->by_call.b) {
		session_table_free(t);
		return -ENOMEM;
	}
	*out = t;
	return 0;
}

void session_table_free(struct session_table *t)
{
	if (!t)
		return;
	free(t->by_id.b);
	free(t->by_call.b);
	u32map_free(&t->by_key);
	free(t);
}

int session_table_add(struct session_table *t, struct session *s)
{
	size_t n = t->by_key.n + 1;

	if (find(&t->by_id, BY_ID, s->id) || find(&t->by_call, BY_CALL, s->call_id) ||
	    u32map_get(&t->by_key, s->key))
		return -EEXIST;
	if ((n > t->by_id.nb && grow(&t->by_id, BY_ID)) ||
	    (n > t->by_call.nb && grow(&t->by_call, BY_CALL)))
		return -ENOMEM;
	if (u32map_put(&t->by_key, s->key, s))
		return -ENOMEM;
	insert(&t->by_id, BY_ID, s);
	insert(&t->by_call, BY_CALL, s);
	return 0;
}

void session_table_remove(struct session_table *t, struct session *s)
{
	if (u32map_get(&t->by_key, s->key) != s)
		return;
	u32map_del(&t->by_key, s->key);
	unlink_from(&t->by_id, BY_ID, s);
	unlink_from(&t->by_call, BY_CALL, s);
}

struct session *session_table_by_id(const struct session_table *t, const char *id)
{
	return find(&t->by_id, BY_ID, id);
}

struct session *session_table_by_call(const struct session_table *t, const char *call_id)
{
	return find(&t->by_call, BY_CALL, call_id);
}

struct session *session_table_by_key(const struct session_table *t, uint32_t key)
{
	return u32map_get(&t->by_key, key);
}

unsigned session_table_count(const struct session_table *t)
{
	return (unsigned)t->by_key.n;
}

struct session *session_table_next(const struct session_table *t, size_t *pos)
{
	return u32map_next(&t->by_key, pos);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

struct session *session_new(const char *call_id, const char *owner_tag, const char *tag_a,
                            const char *tag_b)
{
	struct session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->call_id = dup_or_empty(call_id);
	s->owner_tag = dup_or_empty(owner_tag);
	s->tag[0] = dup_or_empty(tag_a);
	s->tag[1] = dup_or_empty(tag_b);
	if (!s->call_id || !s->owner_tag || !s->tag[0] || !s->tag[1]) {
		session_free(s);
		return NULL;
	}
	return s;
}

void session_free(struct session *s)
{
	if (!s)
		return;
	free(s->call_id);
	free(s->owner_tag);
	free(s->tag[0]);
	free(s->tag[1]);
	free(s->rec_final);
	free(s->rec_stop);
	free(s);
}
