/* tcp_flows.h: a sorted array of fixed-size keys. A rebuild appends unsorted and sorts once;
 * a single add between rebuilds inserts in place. */
#include "tcp_flows.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_LEN 56 /* INET6_ADDRSTRLEN (46) + " 65535" + NUL */

struct key {
	char s[KEY_LEN];
};

struct tcp_flows {
	struct key *v;
	size_t n, cap;
	bool bulk; /* between begin and end: v is unsorted */
};

int tcp_flows_new(struct tcp_flows **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void tcp_flows_free(struct tcp_flows *f)
{
	if (!f)
		return;
	free(f->v);
	free(f);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(((const struct key *)a)->s, ((const struct key *)b)->s);
}

static int make_key(struct key *k, const char *ip, unsigned port)
{
	int n = snprintf(k->s, sizeof(k->s), "%s %u", ip, port);

	return n < 0 || (size_t)n >= sizeof(k->s) ? -EINVAL : 0;
}

static int grow(struct tcp_flows *f)
{
	size_t ncap;
	struct key *nv;

	if (f->n < f->cap)
		return 0;
	ncap = f->cap ? f->cap * 2 : 64;
	nv = realloc(f->v, ncap * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	f->v = nv;
	f->cap = ncap;
	return 0;
}

/* First index whose key is not below k. */
static size_t lower_bound(const struct tcp_flows *f, const struct key *k)
{
	size_t lo = 0, hi = f->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(f->v[mid].s, k->s) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tcp_flows_add(struct tcp_flows *f, const char *ip, unsigned port)
{
	struct key k;
	size_t at = 0;
	int err = make_key(&k, ip, port);

	if (err)
		return err;
	if (!f->bulk) {
		at = lower_bound(f, &k);
		if (at < f->n && strcmp(f->v[at].s, k.s) == 0)
			return 0;
	}
	err = grow(f);
	if (err)
		return err;
	if (f->bulk) {
		f->v[f->n++] = k;
		return 0;
	}
	memmove(&f->v[at + 1], &f->v[at], (f->n - at) * sizeof(*f->v));
	f->v[at] = k;
	f->n++;
	return 0;
}

void tcp_flows_begin(struct tcp_flows *f)
{
	f->n = 0;
	f->bulk = true;
}

void tcp_flows_end(struct tcp_flows *f)
{
	size_t w = 0;

	f->bulk = false;
	if (!f->n)
		return;
	qsort(f->v, f->n, sizeof(*f->v), cmp_key);
	for (size_t r = 1; r < f->n; r++)
		if (strcmp(f->v[r].s, f->v[w].s) != 0)
			f->v[++w] = f->v[r];
	f->n = w + 1;
}

bool tcp_flows_has(const struct tcp_flows *f, const char *ip, unsigned port)
{
	struct key k;
	size_t at;

	if (!f || f->bulk || !ip || make_key(&k, ip, port))
		return false;
	at = lower_bound(f, &k);
	return at < f->n && strcmp(f->v[at].s, k.s) == 0;
}
