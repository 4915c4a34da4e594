/* Which media node takes a new call, from what each node said in its last Ping (free ports,
 * sessions, packets/s, CPU, draining) and its configured weight. Pure functions, no I/O: the
 * media client keeps the numbers and asks here. Both legs of a call go to the node chosen. */
#ifndef SIGNALD_NODE_SELECT_H
#define SIGNALD_NODE_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NODE_WEIGHT_MAX 1000

/* A node as the chooser sees it. */
struct node_load {
	bool up;
	bool draining;       /* says so in its Ping: takes no new sessions */
	bool stalled;        /* up, but silent of late: only when no other node will do */
	unsigned weight;     /* configured share, 1..NODE_WEIGHT_MAX */
	uint32_t free_ports; /* port pairs free at its last Ping, less those leased since */
	uint32_t sessions;   /* at its last Ping, plus those created since */
	uint64_t packets_per_s;
	double cpu_percent; /* 100 = one core */
	uint32_t workers;   /* relay threads: the cores its CPU figure is measured against */
};

/* The index of the node with the lowest cost among those that are up, not draining and have
 * the port pairs a call needs, stalled nodes only when no other qualifies; -1 when there is
 * none. Ties go to the lower index. */
int node_select(const struct node_load *nodes, size_t n);

/* A node's cost for one more call: its load (sessions, or packets/s counted as calls of 100
 * packets/s when that is more) plus the new call, divided by its weight and by the share of its
 * cores still idle. Equal nodes therefore take calls in turn; a node with twice the weight takes
 * twice the calls; a busy node takes fewer. */
double node_select_cost(const struct node_load *node);

/* Port pairs a node needs free to take a call: one per leg of an audio stream. */
#define NODE_SELECT_MIN_FREE_PORTS 2

/* One [media] node value: "ENDPOINT [weight=N]". */
struct node_spec {
	char endpoint[256];
	unsigned weight; /* 1 when not given */
};

/* Returns 0, or -EINVAL with a line in err. */
int node_spec_parse(const char *value, struct node_spec *out, char *err, size_t errlen);

#endif
