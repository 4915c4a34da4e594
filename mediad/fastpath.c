/* The kernel fast path (fastpath.h): loading, attaching and the map entries of streams. */
#include "fastpath.h"

#include <stdatomic.h>

#include "log.h"
#include "mediad_config.h"
#include "relay.h"
#include "stream_needs.h"

static atomic_uint_fast64_t total_packets, total_bytes, total_entries;

void fastpath_totals(struct fastpath_totals *out)
{
	out->packets = atomic_load_explicit(&total_packets, memory_order_relaxed);
	out->bytes = atomic_load_explicit(&total_bytes, memory_order_relaxed);
	out->entries = atomic_load_explicit(&total_entries, memory_order_relaxed);
}

#ifdef TANDEM_FASTPATH

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bpf/fastpath_map.h"

/* The program's ELF object, compiled by CMake and embedded (fastpath_obj.c). */
extern const unsigned char fastpath_bpf_obj[];
extern const unsigned long fastpath_bpf_obj_len;

#define MAX_DEVS   2
#define MAX_LOCAL  64
#define TC_HANDLE  0x7a4d
#define PRIO_FIRST 0xc000u
#define PRIO_SPAN  0x3fffu

/* Written by fastpath_start before any worker runs, read-only until fastpath_stop after they
 * stopped: the workers read it without locks. */
static struct {
	bool on;
	struct bpf_object *obj;
	int map_fd;
	uint32_t bind_addr; /* network order */
	uint16_t port_min, port_max;
	uint32_t prio;
	uint32_t map_id, prog_id; /* for bpftool and the benchmark */
	unsigned n_devs;
	int devs[MAX_DEVS];
	int out_dev; /* egress for remotes on other hosts; 0: none (bind_ip is a loopback one) */
	unsigned n_local;
	uint32_t local[MAX_LOCAL]; /* this host's IPv4 addresses, network order */
} fp;

bool fastpath_enabled(void)
{
	return fp.on;
}

const char *fastpath_mode(void)
{
	return fp.on ? "kernel" : "off";
}

/* Set around the calls whose failures are expected (the clsact qdisc exists already, no filter
 * left by an earlier process): libbpf would print the kernel's complaint as a warning. */
static bool libbpf_quiet;

/* libbpf's messages are printf formats: said so, for the compilers that check vsnprintf's */
__attribute__((format(printf, 2, 0))) static int print_libbpf(enum libbpf_print_level level,
                                                              const char *fmt, va_list ap)
{
	char buf[512];
	size_t n;

	if (level == LIBBPF_DEBUG || libbpf_quiet)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	log_debug("fastpath", "%s", buf);
	return 0;
}

static bool is_loopback(uint32_t a)
{
	return (ntohl(a) >> 24) == 127;
}

static bool is_local(uint32_t a)
{
	if (is_loopback(a))
		return true;
	for (unsigned i = 0; i < fp.n_local; i++)
		if (fp.local[i] == a)
			return true;
	return false;
}

static void add_dev(int ifindex)
{
	for (unsigned i = 0; i < fp.n_devs; i++)
		if (fp.devs[i] == ifindex)
			return;
	if (fp.n_devs < MAX_DEVS)
		fp.devs[fp.n_devs++] = ifindex;
}

/* This host's addresses, and the device that holds bind_ip. */
static int find_devices(char *why, size_t whylen)
{
	struct ifaddrs *list, *ifa;
	int lo = (int)if_nametoindex("lo"), bind_dev = 0;

	if (!lo) {
		snprintf(why, whylen, "no loopback device");
		return -ENODEV;
	}
	if (getifaddrs(&list)) {
		snprintf(why, whylen, "getifaddrs: %s", strerror(errno));
		return -errno;
	}
	for (ifa = list; ifa; ifa = ifa->ifa_next) {
		uint32_t a;

		if (!ifa->ifa_addr || ifa->ifa_addr->sa_family != AF_INET)
			continue;
		a = ((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr.s_addr;
		if (fp.n_local < MAX_LOCAL)
			fp.local[fp.n_local++] = a;
		if (a == fp.bind_addr)
			bind_dev = (int)if_nametoindex(ifa->ifa_name);
	}
	freeifaddrs(list);
	add_dev(lo);
	if (is_loopback(fp.bind_addr))
		return 0;
	if (!bind_dev) {
		snprintf(why, whylen, "bind_ip is on no device");
		return -ENODEV;
	}
	add_dev(bind_dev);
	fp.out_dev = bind_dev;
	return 0;
}

/* CAP_BPF (or CAP_SYS_ADMIN, before 5.8) and CAP_NET_ADMIN in the effective set, from
 * /proc/self/status: without them the bpf() system call is not even tried, so a node under a
 * seccomp filter that does not list it (the packaged unit) is not killed for asking. */
static bool has_caps(char *why, size_t whylen)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "CapEff: %llx", &eff) == 1)
				break;
		fclose(f);
	}
	if (!(eff & (1ull << 12))) {
		snprintf(why, whylen, "no CAP_NET_ADMIN");
		return false;
	}
	if (!(eff & ((1ull << 39) | (1ull << 21)))) {
		snprintf(why, whylen, "no CAP_BPF");
		return false;
	}
	return true;
}

/* One filter per bind_ip and port range: a restarted node finds and replaces its own, other
 * nodes on the host keep theirs. */
static uint32_t filter_prio(const struct mediad_config *cfg)
{
	uint32_t h = 2166136261u;

	for (const char *p = cfg->bind_ip; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	h = (h ^ (uint32_t)cfg->port_min) * 16777619u;
	h = (h ^ (uint32_t)cfg->port_max) * 16777619u;
	return PRIO_FIRST + h % PRIO_SPAN;
}

static void detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = fp.prio);

	libbpf_quiet = true; /* gone already (a device removed): nothing to say */
	bpf_tc_detach(&hook, &opts);
	libbpf_quiet = false;
}

static int attach(int ifindex, int prog_fd, char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, query, .handle = TC_HANDLE, .priority = fp.prio);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = TC_HANDLE, .priority = fp.prio, .prog_fd = prog_fd,
	            .flags = BPF_TC_F_REPLACE);
	char name[IF_NAMESIZE] = "?";
	int rc;

	if_indextoname((unsigned)ifindex, name);
	libbpf_quiet = true;
	rc = bpf_tc_hook_create(&hook);
	libbpf_quiet = false;
	if (rc && rc != -EEXIST) {
		snprintf(why, whylen, "clsact on %s: %s", name, strerror(-rc));
		return rc;
	}
	libbpf_quiet = true;
	rc = bpf_tc_query(&hook, &query);
	libbpf_quiet = false;
	if (!rc)
		log_info("fastpath",
		         "replacing a filter left on %s by an earlier process (prog %u)", name,
		         query.prog_id);
	rc = bpf_tc_attach(&hook, &opts);
	if (rc) {
		snprintf(why, whylen, "tc filter on %s: %s", name, strerror(-rc));
		return rc;
	}
	return 0;
}

static int load(const struct mediad_config *cfg, char *why, size_t whylen)
{
	struct bpf_program *prog;
	struct bpf_map *map;
	struct bpf_map_info info = {0};
	struct bpf_prog_info pinfo = {0};
	uint32_t len = sizeof(info);
	int rc;

	fp.obj = bpf_object__open_mem(fastpath_bpf_obj, fastpath_bpf_obj_len, NULL);
	if (!fp.obj) {
		snprintf(why, whylen, "cannot open the program: %s", strerror(errno));
		return -errno;
	}
	map = bpf_object__find_map_by_name(fp.obj, "tandem_fp");
	prog = bpf_object__find_program_by_name(fp.obj, "tandem_relay");
	if (!map || !prog) {
		snprintf(why, whylen, "program object without its map or program");
		return -ENOENT;
	}
	bpf_map__set_max_entries(map, (uint32_t)(cfg->port_max - cfg->port_min) / 2u + 16u);
	rc = bpf_object__load(fp.obj);
	if (rc) {
		snprintf(why, whylen, "the kernel refused the program: %s", strerror(-rc));
		return rc;
	}
	fp.map_fd = bpf_map__fd(map);
	for (unsigned i = 0; i < fp.n_devs; i++) {
		rc = attach(fp.devs[i], bpf_program__fd(prog), why, whylen);
		if (rc)
			return rc;
	}
	bpf_obj_get_info_by_fd(fp.map_fd, &info, &len);
	fp.map_id = info.id;
	len = sizeof(pinfo);
	bpf_obj_get_info_by_fd(bpf_program__fd(prog), &pinfo, &len);
	fp.prog_id = pinfo.id;
	log_info("fastpath", "map of %u entries, filter priority %u", info.max_entries, fp.prio);
	return 0;
}

static void unload(void)
{
	for (unsigned i = 0; i < fp.n_devs; i++)
		detach(fp.devs[i]);
	bpf_object__close(fp.obj);
	memset(&fp, 0, sizeof(fp));
}

void fastpath_start(const struct mediad_config *cfg)
{
	char why[256] = "", devs[64] = "";
	struct in_addr a;
	size_t n = 0;

	memset(&fp, 0, sizeof(fp));
	if (strcmp(cfg->fast_path, "auto")) {
		log_notice("fastpath", "fast path: off ([rtp] fast_path = %s): userspace relay",
		           cfg->fast_path);
		return;
	}
	if (inet_pton(AF_INET, cfg->bind_ip, &a) != 1 || !a.s_addr) {
		log_notice("fastpath",
		           "fast path: off (bind_ip %s is not one IPv4 address): userspace relay",
		           cfg->bind_ip);
		return;
	}
	fp.bind_addr = a.s_addr;
	fp.port_min = (uint16_t)cfg->port_min;
	fp.port_max = (uint16_t)cfg->port_max;
	fp.prio = filter_prio(cfg);
	if (!has_caps(why, sizeof(why))) {
		log_notice("fastpath", "fast path: off (%s): userspace relay", why);
		return;
	}
	libbpf_set_print(print_libbpf);
	if (find_devices(why, sizeof(why)) || load(cfg, why, sizeof(why))) {
		log_warn("fastpath", "fast path: off (%s): userspace relay", why);
		unload();
		return;
	}
	for (unsigned i = 0; i < fp.n_devs; i++) {
		char name[IF_NAMESIZE] = "?";

		if_indextoname((unsigned)fp.devs[i], name);
		n += (size_t)snprintf(devs + n, sizeof(devs) - n, "%s%s", i ? ", " : "", name);
		if (n >= sizeof(devs))
			break;
	}
	fp.on = true;
	log_notice("fastpath",
	           "fast path: kernel (tc ingress on %s) for latched plain RTP; prog id %u, map id "
	           "%u, filter priority %u",
	           devs, fp.prog_id, fp.map_id, fp.prio);
}

void fastpath_stop(void)
{
	if (!fp.obj)
		return;
	unload();
	log_info("fastpath", "fast path: filters and map removed");
}

/* --- streams ----------------------------------------------------------------------------- */

static struct fp_key key_of(const struct relay_stream *st, int i)
{
	return (struct fp_key){.addr = fp.bind_addr, .port = htons(st->leg[i].rtp.port)};
}

/* Adds what the kernel forwarded since the last read to leg i's counters. */
static void fold(struct relay_stream *st, int i, const struct fp_entry *e)
{
	struct fastpath_dir *d = &st->fast.dir[i];
	struct relay_leg *leg = &st->leg[i];
	struct relay_session *rs = st->session;
	uint64_t dp = e->packets - d->packets, db = e->bytes - d->bytes;

	if (!dp)
		return;
	d->packets = e->packets;
	d->bytes = e->bytes;
	leg->rx_rtp.packets += dp;
	leg->rx_rtp.bytes += db;
	leg->rx_rtp.forwarded += dp;
	if (e->last_ns > leg->rx_rtp.last_ns)
		leg->rx_rtp.last_ns = e->last_ns;
	if (e->last_ns > rs->last_rtp_ns) {
		rs->last_rtp_ns = e->last_ns;
		rs->timeout_sent = false;
	}
	atomic_fetch_add_explicit(&total_packets, dp, memory_order_relaxed);
	atomic_fetch_add_explicit(&total_bytes, db, memory_order_relaxed);
}

static void dir_sync(struct relay_stream *st, int i)
{
	struct fp_key k = key_of(st, i);
	struct fp_entry e;

	if (st->fast.dir[i].on && !bpf_map_lookup_elem(fp.map_fd, &k, &e))
		fold(st, i, &e);
}

static void dir_leave(struct relay_stream *st, int i)
{
	struct fp_key k = key_of(st, i);
	struct fp_entry e;

	if (!st->fast.dir[i].on)
		return;
	if (!bpf_map_lookup_and_delete_elem(fp.map_fd, &k, &e))
		fold(st, i, &e);
	else
		bpf_map_delete_elem(fp.map_fd, &k);
	memset(&st->fast.dir[i], 0, sizeof(st->fast.dir[i]));
	atomic_fetch_sub_explicit(&total_entries, 1, memory_order_relaxed);
}

static void stream_leave(struct relay_stream *st)
{
	dir_leave(st, 0);
	dir_leave(st, 1);
}

/* A remote the kernel can send to: a pinned IPv4 unicast address, on another host, or on this
 * one when the node is on loopback (all its traffic then arrives on lo, where a rewritten packet
 * keeps the local route it was sent with; from another device, a packet with a local source
 * and destination would be dropped as a martian). */
static bool usable(const struct relay_leg *leg)
{
	uint32_t a = leg->remote_rtp.u.in.sin_addr.s_addr;

	return leg->locked && leg->remote_rtp.len == sizeof(struct sockaddr_in) && a &&
	       leg->remote_rtp.u.in.sin_port && !net_addr_is_group(&leg->remote_rtp) &&
	       (is_local(a) ? is_loopback(fp.bind_addr) : fp.out_dev != 0);
}

static uint16_t out_kind(uint32_t addr, uint16_t port)
{
	unsigned p = ntohs(port);

	if (!is_local(addr))
		return FP_OUT_NEIGH;
	if (addr == fp.bind_addr && p >= fp.port_min && p <= fp.port_max)
		return FP_OUT_CHAIN;
	return FP_OUT_LOCAL;
}

static int dir_install(struct relay_stream *st, int i)
{
	const struct relay_leg *in = &st->leg[i], *out = &st->leg[!i];
	struct fastpath_dir *d = &st->fast.dir[i];
	struct fp_key k = key_of(st, i);
	struct fp_entry e = {
	    .expect_addr = in->remote_rtp.u.in.sin_addr.s_addr,
	    .expect_port = in->remote_rtp.u.in.sin_port,
	    .src_addr = fp.bind_addr,
	    .src_port = htons(out->rtp.port),
	    .te_pt = in->te_pt,
	    .dst_addr = out->remote_rtp.u.in.sin_addr.s_addr,
	    .dst_port = out->remote_rtp.u.in.sin_port,
	};

	if (d->on && d->expect_addr == e.expect_addr && d->expect_port == e.expect_port &&
	    d->dst_addr == e.dst_addr && d->dst_port == e.dst_port)
		return 0;
	dir_leave(st, i);
	e.out = out_kind(e.dst_addr, e.dst_port);
	e.ifindex = e.out == FP_OUT_NEIGH ? (uint32_t)fp.out_dev : 0;
	if (bpf_map_update_elem(fp.map_fd, &k, &e, BPF_ANY))
		return -errno;
	d->on = true;
	d->expect_addr = e.expect_addr;
	d->expect_port = e.expect_port;
	d->dst_addr = e.dst_addr;
	d->dst_port = e.dst_port;
	atomic_fetch_add_explicit(&total_entries, 1, memory_order_relaxed);
	return 0;
}

static void stream_refresh(struct relay_stream *st, bool sync)
{
	if (sync) {
		dir_sync(st, 0);
		dir_sync(st, 1);
	}
	if (stream_needs_userspace(st) || !usable(&st->leg[0]) || !usable(&st->leg[1])) {
		stream_leave(st);
		return;
	}
	if (dir_install(st, 0) || dir_install(st, 1))
		stream_leave(st); /* map full: this stream stays in userspace */
}

void fastpath_stream_check(struct relay_stream *st)
{
	for (int i = 0; i < 2; i++) {
		const struct fastpath_dir *d = &st->fast.dir[i];
		const struct sockaddr_in *in = &st->leg[i].remote_rtp.u.in,
		                         *out = &st->leg[!i].remote_rtp.u.in;

		if (d->on &&
		    (d->expect_addr != in->sin_addr.s_addr || d->expect_port != in->sin_port ||
		     d->dst_addr != out->sin_addr.s_addr || d->dst_port != out->sin_port)) {
			stream_refresh(st, true);
			return;
		}
	}
}

void fastpath_leg_sync(struct relay_stream *st, int leg)
{
	dir_sync(st, leg);
}

void fastpath_session_refresh(struct relay_session *rs, bool sync)
{
	if (!fp.on)
		return;
	for (uint32_t i = 0; i < rs->n_streams; i++)
		stream_refresh(rs->streams[i], sync);
}

void fastpath_session_leave(struct relay_session *rs)
{
	if (!fp.on)
		return;
	for (uint32_t i = 0; i < rs->n_streams; i++)
		stream_leave(rs->streams[i]);
}

void fastpath_session_sync(struct relay_session *rs)
{
	if (!fp.on)
		return;
	for (uint32_t i = 0; i < rs->n_streams; i++) {
		dir_sync(rs->streams[i], 0);
		dir_sync(rs->streams[i], 1);
	}
}

#else /* built without libbpf or clang: userspace only */

void fastpath_start(const struct mediad_config *cfg)
{
	(void)cfg;
	log_notice("fastpath", "fast path: off (built without libbpf): userspace relay");
}

void fastpath_stop(void)
{
}

bool fastpath_enabled(void)
{
	return false;
}

const char *fastpath_mode(void)
{
	return "off";
}

void fastpath_stream_check(struct relay_stream *st)
{
	(void)st;
}

void fastpath_leg_sync(struct relay_stream *st, int leg)
{
	(void)st;
	(void)leg;
}

void fastpath_session_refresh(struct relay_session *rs, bool sync)
{
	(void)rs;
	(void)sync;
}

void fastpath_session_leave(struct relay_session *rs)
{
	(void)rs;
}

void fastpath_session_sync(struct relay_session *rs)
{
	(void)rs;
}

#endif
