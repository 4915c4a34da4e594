/* node_select.c: equal nodes take calls in turn, weights set the shares, CPU and packets/s
 * count as load, nodes that are down, draining or out of ports get nothing, a stalled node only
 * what no other can take; node values parse
 * with and without a weight and bad ones are refused. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "node_select.h"

static struct node_load idle(unsigned weight)
{
	return (struct node_load){.up = true, .weight = weight, .free_ports = 1000, .workers = 2};
}

/* Places n calls one after another, as the media client does between two Pings. */
static void place(struct node_load *nodes, size_t n_nodes, unsigned calls, unsigned *got)
{
	for (unsigned c = 0; c < calls; c++) {
		int i = node_select(nodes, n_nodes);

		assert_true(i >= 0);
		got[i]++;
		nodes[i].sessions++;
		nodes[i].free_ports -= NODE_SELECT_MIN_FREE_PORTS;
	}
}

static void test_equal_nodes_alternate(void **state)
{
	struct node_load nodes[2] = {idle(1), idle(1)};
	unsigned got[2] = {0};

	place(nodes, 2, 10, got);
	assert_int_equal(got[0], 5);
	assert_int_equal(got[1], 5);
}

static void test_weights(void **state)
{
	struct node_load nodes[2] = {idle(3), idle(1)};
	unsigned got[2] = {0};

	place(nodes, 2, 40, got);
	assert_int_equal(got[0], 30);
	assert_int_equal(got[1], 10);
}

static void test_cpu_counts(void **state)
{
	struct node_load nodes[2] = {idle(1), idle(1)};
	unsigned got[2] = {0};

	nodes[0].cpu_percent = 150; /* 75 % of its two cores */
	place(nodes, 2, 50, got);
	assert_int_equal(got[0], 10);
	assert_int_equal(got[1], 40);
}

static void test_packets_count(void **state)
{
	struct node_load nodes[2] = {idle(1), idle(1)};

	/* Two sessions of video: more load than three quiet ones. */
	nodes[0].sessions = 2;
	nodes[0].packets_per_s = 1000;
	nodes[1].sessions = 3;
	assert_int_equal(node_select(nodes, 2), 1);
	assert_true(node_select_cost(&nodes[0]) > node_select_cost(&nodes[1]));
}

static void test_not_eligible(void **state)
{
	struct node_load nodes[3] = {idle(1), idle(1), idle(1)};

	nodes[0].up = false;
	nodes[1].draining = true;
	nodes[2].free_ports = 1;
	assert_int_equal(node_select(nodes, 3), -1);
	nodes[2].free_ports = 2;
	assert_int_equal(node_select(nodes, 3), 2);
	nodes[0].up = true; /* back: used again, being the least loaded */
	nodes[2].sessions = 4;
	assert_int_equal(node_select(nodes, 3), 0);
	assert_int_equal(node_select(nodes, 0), -1);
}

static void test_stalled_last(void **state)
{
	struct node_load nodes[2] = {idle(1), idle(1)};

	nodes[0].stalled = true;
	nodes[1].sessions = 50;
	assert_int_equal(node_select(nodes, 2), 1);
	nodes[1].up = false;
	assert_int_equal(node_select(nodes, 2), 0);
}

static void test_spec(void **state)
{
	struct node_spec s;
	char err[160];

	assert_int_equal(node_spec_parse("tcp://10.0.0.1:5555", &s, err, sizeof(err)), 0);
	assert_string_equal(s.endpoint, "tcp://10.0.0.1:5555");
	assert_int_equal(s.weight, 1);
	assert_int_equal(node_spec_parse("  tcp://h:1   weight=7 ", &s, err, sizeof(err)), 0);
	assert_string_equal(s.endpoint, "tcp://h:1");
	assert_int_equal(s.weight, 7);
	assert_int_equal(node_spec_parse("tcp://h:1 weight=0", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(node_spec_parse("tcp://h:1 weight=2x", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(node_spec_parse("tcp://h:1 weight=", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(node_spec_parse("tcp://h:1 weight=1001", &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(node_spec_parse("tcp://h:1 mass=2", &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "mass=2"));
	assert_int_equal(node_spec_parse("   ", &s, err, sizeof(err)), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_equal_nodes_alternate),
	    cmocka_unit_test(test_weights),
	    cmocka_unit_test(test_cpu_counts),
	    cmocka_unit_test(test_packets_count),
	    cmocka_unit_test(test_not_eligible),
	    cmocka_unit_test(test_stalled_last),
	    cmocka_unit_test(test_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
