/* Media node choice: weighted least load with a CPU headroom factor. Sessions created since a
 * node's last Ping are counted at once, so a burst of calls between two Pings spreads over the
 * nodes instead of landing on whichever looked best at the last Ping. */
#include "node_select.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A G.711 call at 20 ms relays 50 packets/s from each side. */
#define PACKETS_PER_CALL 100.0
/* Below this share of idle CPU a node still gets calls, but at a steep price. */
#define MIN_HEADROOM 0.05

double node_select_cost(const struct node_load *node)
{
	double load = (double)node->sessions,
	       pps_calls = (double)node->packets_per_s / PACKETS_PER_CALL;
	double cores = node->workers ? (double)node->workers : 1.0;
	double headroom = 1.0 - node->cpu_percent / (100.0 * cores);
	unsigned weight = node->weight ? node->weight : 1;

	if (pps_calls > load)
		load = pps_calls;
	if (headroom < MIN_HEADROOM)
		headroom = MIN_HEADROOM;
	if (headroom > 1.0)
		headroom = 1.0;
	return (load + 1.0) / ((double)weight * headroom);
}

static int cheapest(const struct node_load *nodes, size_t n, bool stalled)
{
	int best = -1;
	double best_cost = 0;

	for (size_t i = 0; i < n; i++) {
		const struct node_load *node = &nodes[i];
		double cost;

		if (!node->up || node->draining || node->stalled != stalled ||
		    node->free_ports < NODE_SELECT_MIN_FREE_PORTS)
			continue;
		cost = node_select_cost(node);
		if (best < 0 || cost < best_cost) {
			best = (int)i;
			best_cost = cost;
		}
	}
	return best;
}

int node_select(const struct node_load *nodes, size_t n)
{
	int best = cheapest(nodes, n, false);

	/* A stalled node may only be slow for a moment; better than refusing the call. */
	return best >= 0 ? best : cheapest(nodes, n, true);
}

int node_spec_parse(const char *value, struct node_spec *out, char *err, size_t errlen)
{
	const char *p = value, *end;
	size_t len;

	memset(out, 0, sizeof(*out));
	out->weight = 1;
	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strcspn(p, " \t");
	len = (size_t)(end - p);
	if (len == 0 || len >= sizeof(out->endpoint)) {
		snprintf(err, errlen, "'%s' does not start with an endpoint", value);
		return -EINVAL;
	}
	memcpy(out->endpoint, p, len);
	out->endpoint[len] = '\0';
	for (p = end;;) {
		char *num_end;
		long w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			return 0;
		end = p + strcspn(p, " \t");
		if (strncmp(p, "weight=", 7) != 0) {
			snprintf(err, errlen, "'%.*s' is not an option of a node (weight=N)",
			         (int)(end - p), p);
			return -EINVAL;
		}
		w = strtol(p + 7, &num_end, 10);
		if (num_end != end || num_end == p + 7 || w < 1 || w > NODE_WEIGHT_MAX) {
			snprintf(err, errlen, "'%.*s': the weight is a number from 1 to %d",
			         (int)(end - p), p, NODE_WEIGHT_MAX);
			return -EINVAL;
		}
		out->weight = (unsigned)w;
		p = end;
	}
}
