/* rtp_load: RTP load generator for relay benchmarks. Simulates N calls, each an A and a B endpoint
 * on loopback sending G.711 RTP both ways at 50 packets/s, through mediad (sessions made over the
 * media RPC), through any relay set up externally (a ports file), or directly (the baseline).
 * Prints a human summary on stderr and one JSON line on stdout. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load_mediad.h"
#include "load_setup.h"
#include "load_traffic.h"

#define MAX_CALLS 30000

struct options {
	unsigned calls;
	double duration_s;
	double warmup_s;
	unsigned drain_ms;
	unsigned base_port;
	unsigned batch_us;
	pid_t relay_pid;
	int relay_core;   /* -1: none */
	const char *mode; /* "direct", "ports", "mediad" */
	const char *ports_file;
	const char *mediad;
	const char *label;
	int busy_poll;
	unsigned chain; /* relay sessions each packet crosses (the relay's packets per ours) */
	int srtp_legs;  /* 0: plain RTP; else enum load_srtp_legs */
	int srtp_suite;
	int srtp_suite_b;      /* 0: the same as leg A's */
	const char *srtp_keys; /* ports mode: the keys the external driver negotiated */
};

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: rtp_load --calls N (--direct | --ports FILE | --mediad ENDPOINT) [options]\n"
	    "  --calls N          simulated calls (A and B endpoints each; 100 packets/s per "
	    "call)\n"
	    "  --direct           A and B send to each other (baseline without relay)\n"
	    "  --ports FILE       lines \"a_ip a_port b_ip b_port\": where A and B must send\n"
	    "  --mediad ENDPOINT  create the sessions on mediad (e.g. tcp://127.0.0.1:7000)\n"
	    "  --chain K          each call crosses K relay sessions in a row (1): the relay\n"
	    "                     relays K packets per generated packet (mediad: sessions made\n"
	    "                     so; ports file: set up so by its writer)\n"
	    "  --base-port P      A of call i binds 127.0.0.1:P+2i, B binds P+2i+1 (2000)\n"
	    "  --duration S       measured seconds (10)\n"
	    "  --warmup S         seconds sent before measuring (2)\n"
	    "  --drain-ms MS      keep receiving after the last send (500)\n"
	    "  --relay-pid PID    sample this process's CPU over the measured window\n"
	    "  --relay-core C     the relay's CPU is core C's busy time (all but idle) instead\n"
	    "                     (a relay forwarding in the kernel, its receive softirq steered\n"
	    "                     to C; whatever else runs on C counts too)\n"
	    "  --batch-us US      sends due within this much are submitted together (50)\n"
	    "  --poll busy|sleep  busy: spin on the ring, so the relay never pays for waking the\n"
	    "                     generator and its CPU per packet is its own (default); sleep:\n"
	    "                     wait for completions (shows the generator's own CPU use)\n"
	    "  --label TEXT       copied into the JSON result\n"
	    "  --srtp a|ab        SDES SRTP on leg A (leg B plain) or on both legs; every\n"
	    "                     packet received is decrypted and checked (chain 1 only)\n"
	    "  --srtp-suite NAME  AES_CM_128_HMAC_SHA1_80 (default), AES_CM_128_HMAC_SHA1_32,\n"
	    "                     AEAD_AES_128_GCM, AEAD_AES_256_GCM\n"
	    "  --srtp-suite-b NAME with --srtp ab: leg B's suite (default: leg A's)\n"
	    "  --srtp-keys FILE   with --ports: lines \"a_own a_relay b_own b_relay\", hex key +\n"
	    "                     salt per leg (- if plain); with --mediad the keys are random\n");
}

static int parse_uint(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !*s || v > max)
		return -EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (*end || !*s || !(v >= 0 && v <= 3600))
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option opts[] = {
	    {"calls", required_argument, NULL, 'n'},
	    {"direct", no_argument, NULL, 'd'},
	    {"ports", required_argument, NULL, 'p'},
	    {"mediad", required_argument, NULL, 'm'},
	    {"base-port", required_argument, NULL, 'b'},
	    {"duration", required_argument, NULL, 't'},
	    {"warmup", required_argument, NULL, 'w'},
	    {"drain-ms", required_argument, NULL, 'D'},
	    {"relay-pid", required_argument, NULL, 'r'},
	    {"relay-core", required_argument, NULL, 'C'},
	    {"batch-us", required_argument, NULL, 'B'},
	    {"label", required_argument, NULL, 'l'},
	    {"poll", required_argument, NULL, 'P'},
	    {"chain", required_argument, NULL, 'k'},
	    {"srtp", required_argument, NULL, 'S'},
	    {"srtp-suite", required_argument, NULL, 'U'},
	    {"srtp-keys", required_argument, NULL, 'K'},
	    {"srtp-suite-b", required_argument, NULL, 'V'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	unsigned pid = 0, core = 0;
	int c, bad = 0;

	*o = (struct options){.duration_s = 10,
	                      .warmup_s = 2,
	                      .drain_ms = 500,
	                      .base_port = 2000,
	                      .batch_us = 50,
	                      .label = "",
	                      .busy_poll = 1,
	                      .relay_core = -1,
	                      .chain = 1,
	                      .srtp_suite = 1};
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			bad |= parse_uint(optarg, MAX_CALLS, &o->calls) || o->calls == 0;
			break;
		case 'd':
			o->mode = "direct";
			break;
		case 'p':
			o->mode = "ports";
			o->ports_file = optarg;
			break;
		case 'm':
			o->mode = "mediad";
			o->mediad = optarg;
			break;
		case 'b':
			bad |= parse_uint(optarg, 65535, &o->base_port) != 0;
			break;
		case 't':
			bad |= parse_seconds(optarg, &o->duration_s) || o->duration_s < 0.02;
			break;
		case 'w':
			bad |= parse_seconds(optarg, &o->warmup_s) != 0;
			break;
		case 'D':
			bad |= parse_uint(optarg, 60000, &o->drain_ms) != 0;
			break;
		case 'r':
			bad |= parse_uint(optarg, 1u << 22, &pid) != 0;
			o->relay_pid = (pid_t)pid;
			break;
		case 'C':
			bad |= parse_uint(optarg, 4095, &core) != 0;
			o->relay_core = (int)core;
			break;
		case 'B':
			bad |= parse_uint(optarg, 20000, &o->batch_us) != 0;
			break;
		case 'l':
			o->label = optarg;
			break;
		case 'P':
			o->busy_poll = !strcmp(optarg, "busy");
			bad |= !o->busy_poll && strcmp(optarg, "sleep");
			break;
		case 'k':
			bad |= parse_uint(optarg, 16, &o->chain) || o->chain == 0;
			break;
		case 'S':
			o->srtp_legs = !strcmp(optarg, "a")    ? LOAD_SRTP_A
			               : !strcmp(optarg, "ab") ? LOAD_SRTP_AB
			                                       : -1;
			bad |= o->srtp_legs < 0;
			break;
		case 'U':
			o->srtp_suite = load_srtp_suite_from_name(optarg);
			bad |= o->srtp_suite < 0;
			break;
		case 'K':
			o->srtp_keys = optarg;
			break;
		case 'V':
			o->srtp_suite_b = load_srtp_suite_from_name(optarg);
			bad |= o->srtp_suite_b < 0;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			bad = 1;
		}
	}
	/* SRTP needs a relay that holds the keys, crossed once, and in ports mode the keys */
	if (o->srtp_legs && o->mode &&
	    (!strcmp(o->mode, "direct") || o->chain != 1 ||
	     (!strcmp(o->mode, "ports") && !o->srtp_keys)))
		bad = 1;
	if (bad || optind != argc || !o->calls || !o->mode) {
		usage(stderr);
		return -EINVAL;
	}
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static double us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

static void print_dir_json(const char *name, const struct load_dir_result *d)
{
	printf("\"%s\":{\"sent\":%llu,\"received\":%llu,\"loss_pct\":%.4f,\"dups\":%llu,"
	       "\"reordered\":%llu,\"p50_us\":%.1f,\"p99_us\":%.1f,\"max_us\":%.1f}",
	       name, (unsigned long long)d->sent, (unsigned long long)d->received,
	       pct(d->sent - d->received, d->sent), (unsigned long long)d->dups,
	       (unsigned long long)d->reordered, us(load_hist_quantile(&d->latency, 0.5)),
	       us(load_hist_quantile(&d->latency, 0.99)), us(d->latency.max_ns));
}

/* The SRTP figures of the JSON result, after the mediad ones. */
static void report_srtp(const struct options *o, const struct load_traffic_cfg *cfg,
                        const struct load_mediad_node *node, const struct load_mediad_totals *mt)
{
	struct load_srtp_stats st;
	const char *suite_b;

	if (!cfg->srtp)
		return;
	load_srtp_get_stats(cfg->srtp, &st);
	suite_b = load_srtp_suite_name(load_srtp_suite(cfg->srtp, 1));
	fprintf(stderr,
	        "  SRTP on leg A %s, leg B %s: %llu encrypted, %llu decrypted, %llu failed "
	        "authentication, %llu replayed, %llu other errors\n",
	        load_srtp_suite_name(o->srtp_suite), *suite_b ? suite_b : "plain",
	        (unsigned long long)st.protected, (unsigned long long)st.unprotected,
	        (unsigned long long)st.auth_failed, (unsigned long long)st.replayed,
	        (unsigned long long)st.errors);
	printf(",\"srtp\":{\"legs\":\"%s\",\"suite\":\"%s\",\"suite_b\":\"%s\",\"protected\":%llu,"
	       "\"unprotected\":%llu,\"auth_failed\":%llu,\"replayed\":%llu,\"errors\":%llu",
	       o->srtp_legs == LOAD_SRTP_AB ? "ab" : "a", load_srtp_suite_name(o->srtp_suite),
	       suite_b, (unsigned long long)st.protected, (unsigned long long)st.unprotected,
	       (unsigned long long)st.auth_failed, (unsigned long long)st.replayed,
	       (unsigned long long)st.errors);
	if (node)
		printf(",\"mediad_srtp_failed\":%llu", (unsigned long long)mt->srtp_failed);
	putchar('}');
}

static void report(const struct options *o, const struct load_traffic_cfg *cfg,
                   const struct load_traffic_result *r, const struct load_mediad_node *node,
                   const struct load_mediad_totals *mt)
{
	struct load_hist all;
	uint64_t sent = r->dir[0].sent + r->dir[1].sent;
	uint64_t recv = r->dir[0].received + r->dir[1].received;
	double nominal_s = (double)cfg->measured_rounds * (double)LOAD_PERIOD_NS / 1e9;
	double relay_pct = 0, ns_per_pkt = 0, gen_cpu = 0, gen_load = 0;

	load_hist_init(&all);
	load_hist_merge(&all, &r->dir[0].latency);
	load_hist_merge(&all, &r->dir[1].latency);
	if (r->window_s > 0) {
		gen_cpu = 100.0 * r->gen_cpu_s / r->window_s;
		/* busy poll burns the core anyway: its load is the share of time spent working */
		gen_load = o->busy_poll ? 100.0 * (1.0 - r->gen_idle_s / r->window_s) : gen_cpu;
	}
	if (r->relay_sampled && r->window_s > 0) {
		relay_pct = 100.0 * r->relay_cpu_s / r->window_s;
		ns_per_pkt = recv ? r->relay_cpu_s * 1e9 / ((double)recv * o->chain) : 0;
	}
	fprintf(stderr,
	        "rtp_load %s%s%s: %u calls, %.1f s measured (%.1f s warm-up)\n"
	        "  offered %.0f pps, received %.0f pps, loss %.4f %% (%llu of %llu), dups %llu, "
	        "reordered %llu, misrouted %llu, malformed %llu, send errors %llu\n"
	        "  one-way latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n"
	        "  generator load %.1f %% (CPU %.1f %%), send lag p99 %.1f us, max %.1f us\n",
	        o->mode, *o->label ? " " : "", o->label, o->calls, nominal_s, o->warmup_s,
	        (double)sent / nominal_s, (double)recv / nominal_s, pct(sent - recv, sent),
	        (unsigned long long)(sent - recv), (unsigned long long)sent,
	        (unsigned long long)(r->dir[0].dups + r->dir[1].dups),
	        (unsigned long long)(r->dir[0].reordered + r->dir[1].reordered),
	        (unsigned long long)r->misrouted, (unsigned long long)r->malformed,
	        (unsigned long long)r->send_errors, us(load_hist_quantile(&all, 0.5)),
	        us(load_hist_quantile(&all, 0.99)), us(load_hist_quantile(&all, 0.999)),
	        us(all.max_ns), gen_load, gen_cpu, us(load_hist_quantile(&r->lag, 0.99)),
	        us(r->lag.max_ns));
	if (o->chain > 1)
		fprintf(stderr, "  chain of %u sessions: the relay relayed %.0f pps\n", o->chain,
		        (double)recv * o->chain / nominal_s);
	if (r->relay_sampled)
		fprintf(stderr, "  relay pid %d%s: CPU %.1f %%, %.0f ns per packet relayed\n",
		        (int)o->relay_pid, o->relay_core >= 0 ? " (its core's busy time)" : "",
		        relay_pct, ns_per_pkt);
	fprintf(stderr, "  receive-queue drops: generator sockets %llu",
	        (unsigned long long)r->gen_drops);
	if (r->relay_drops_ok)
		fprintf(stderr, ", relay sockets %llu", (unsigned long long)r->relay_drops);
	fputc('\n', stderr);

	printf("{\"label\":\"%s\",\"mode\":\"%s\",\"calls\":%u,\"chain\":%u,\"relay_pps\":%.1f,"
	       "\"duration_s\":%.3f,\"warmup_s\":%.3f,"
	       "\"window_s\":%.4f,\"offered_pps\":%.1f,\"received_pps\":%.1f,\"sent\":%llu,"
	       "\"received\":%llu,\"lost\":%llu,\"loss_pct\":%.4f,\"dups\":%llu,\"reordered\":%llu,"
	       "\"misrouted\":%llu,\"malformed\":%llu,\"send_errors\":%llu,\"recv_errors\":%llu,"
	       "\"sent_total\":%llu,\"received_total\":%llu,\"rearms\":%llu,",
	       o->label, o->mode, o->calls, o->chain, (double)recv * o->chain / nominal_s,
	       nominal_s, o->warmup_s, r->window_s, (double)sent / nominal_s,
	       (double)recv / nominal_s, (unsigned long long)sent, (unsigned long long)recv,
	       (unsigned long long)(sent - recv), pct(sent - recv, sent),
	       (unsigned long long)(r->dir[0].dups + r->dir[1].dups),
	       (unsigned long long)(r->dir[0].reordered + r->dir[1].reordered),
	       (unsigned long long)r->misrouted, (unsigned long long)r->malformed,
	       (unsigned long long)r->send_errors, (unsigned long long)r->recv_errors,
	       (unsigned long long)r->sent_total, (unsigned long long)r->received_total,
	       (unsigned long long)r->rearms);
	printf("\"latency_us\":{\"p50\":%.1f,\"p90\":%.1f,\"p99\":%.1f,\"p999\":%.1f,\"max\":%.1f,"
	       "\"mean\":%.1f},",
	       us(load_hist_quantile(&all, 0.5)), us(load_hist_quantile(&all, 0.9)),
	       us(load_hist_quantile(&all, 0.99)), us(load_hist_quantile(&all, 0.999)),
	       us(all.max_ns), all.count ? us(all.sum_ns / all.count) : 0.0);
	print_dir_json("a_to_b", &r->dir[0]);
	putchar(',');
	print_dir_json("b_to_a", &r->dir[1]);
	printf(",\"send_lag_us\":{\"p99\":%.1f,\"max\":%.1f},\"gen_cpu_pct\":%.1f,"
	       "\"gen_load_pct\":%.1f,\"poll\":\"%s\",",
	       us(load_hist_quantile(&r->lag, 0.99)), us(r->lag.max_ns), gen_cpu, gen_load,
	       o->busy_poll ? "busy" : "sleep");
	if (r->relay_sampled)
		printf("\"relay\":{\"pid\":%d,\"core\":%d,\"cpu_s\":%.3f,\"cpu_pct\":%.1f,"
		       "\"cpu_ns_per_pkt\":%.1f}",
		       (int)o->relay_pid, o->relay_core, r->relay_cpu_s, relay_pct, ns_per_pkt);
	else
		printf("\"relay\":null");
	printf(",\"gen_socket_drops\":%llu", (unsigned long long)r->gen_drops);
	if (r->relay_drops_ok)
		printf(",\"relay_socket_drops\":%llu", (unsigned long long)r->relay_drops);
	if (node)
		printf(",\"mediad\":{\"workers\":%u,\"version\":\"%s\",\"counted_packets\":%llu,"
		       "\"counted_dropped\":%llu}",
		       node->workers, node->version, (unsigned long long)mt->packets,
		       (unsigned long long)mt->dropped);
	report_srtp(o, cfg, node, mt);
	printf("}\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct load_traffic_result *res = NULL;
	struct load_mediad *md = NULL;
	struct load_mediad_node node;
	struct load_mediad_totals totals = {0, 0, 0};
	struct load_srtp *srtp = NULL;
	struct load_traffic_cfg cfg;
	struct load_call *calls;
	struct options o;
	unsigned created = 0;
	char prefix[64];
	int rc;

	if (parse_options(argc, argv, &o))
		return 2;
	signal(SIGPIPE, SIG_IGN);
	calls = calloc(o.calls, sizeof(*calls));
	res = calloc(1, sizeof(*res));
	if (!calls || !res)
		return 1;
	rc = load_setup_bind_addrs(calls, o.calls, o.base_port);
	if (rc) {
		fprintf(stderr, "rtp_load: %u calls from base port %u pass port 65535\n", o.calls,
		        o.base_port);
		return 2;
	}
	cfg = (struct load_traffic_cfg){
	    .calls = o.calls,
	    .warmup_rounds = (unsigned)(o.warmup_s * 50 + 0.5),
	    .measured_rounds = (unsigned)(o.duration_s * 50 + 0.5),
	    .drain_ms = o.drain_ms,
	    .batch_us = o.batch_us,
	    .relay_pid = o.relay_pid,
	    .relay_core = o.relay_core,
	    .busy_poll = o.busy_poll,
	};
	snprintf(prefix, sizeof(prefix), "rtpload-%d", (int)getpid());
	if (o.srtp_legs) {
		rc = load_srtp_new(&srtp, o.calls, o.srtp_suite,
		                   o.srtp_suite_b ? o.srtp_suite_b : o.srtp_suite, o.srtp_legs);
		if (!rc)
			rc = !strcmp(o.mode, "ports") ? load_srtp_read_keys(srtp, o.srtp_keys)
			                              : load_srtp_random_keys(srtp);
		if (!rc)
			rc = load_srtp_start(srtp);
		if (rc) {
			fprintf(stderr, "rtp_load: SRTP set-up: %s\n", strerror(-rc));
			load_srtp_free(srtp);
			free(calls);
			free(res);
			return 1;
		}
		cfg.srtp = srtp;
	}
	if (!strcmp(o.mode, "direct")) {
		load_setup_direct(calls, o.calls);
	} else if (!strcmp(o.mode, "ports")) {
		rc = load_setup_ports_file(o.ports_file, calls, o.calls);
	} else {
		rc = load_mediad_open(&md, o.mediad);
		if (!rc && srtp)
			load_mediad_set_srtp(md, srtp);
		if (!rc)
			rc = load_mediad_ping(md, &node);
		if (!rc)
			rc = load_mediad_create(md, prefix, calls, o.calls, o.chain, &created);
		if (rc)
			fprintf(stderr, "rtp_load: mediad setup failed after %u of %u sessions\n",
			        created, o.calls * o.chain);
	}
	if (!rc) {
		rc = load_traffic_run(&cfg, calls, res);
		if (rc)
			fprintf(stderr, "rtp_load: traffic: %s\n", strerror(-rc));
	}
	if (md && created && load_mediad_delete(md, prefix, o.chain, created, &totals))
		fprintf(stderr, "rtp_load: some mediad sessions could not be deleted\n");
	if (!rc)
		report(&o, &cfg, res, md ? &node : NULL, &totals);
	load_mediad_close(md);
	load_srtp_free(srtp);
	free(calls);
	free(res);
	return rc ? 1 : 0;
}
