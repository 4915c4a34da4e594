/* The load generator's packet engine. Endpoint j (A of call i = 2i, B = 2i+1) is fixed file j in
 * the ring; stream k = 2i+d (d = 0: A to B, d = 1: B to A) is sent from endpoint k and received
 * on endpoint k^1. Sends are plain SENDs on connected sockets with CQE_SKIP_SUCCESS, so only
 * failures complete; receives are one multishot RECV per socket taking buffers from a ring. */
#include "load_traffic.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "load_drops.h"

#define PAYLOAD_MAGIC 0x544c4431u /* "TLD1" */
#define BUF_SIZE      256         /* larger than a packet, so oversize shows as wrong length */
#define BUF_COUNT     16384       /* provided buffers (power of two) */
#define BUF_GROUP     0
#define SQ_ENTRIES    4096
#define CQ_ENTRIES    65536
#define TAG_RECV      (1ull << 32)
#define TAG_SEND      (2ull << 32)
#define CQE_BATCH     256
#define SEND_BATCH    1024 /* most sends per loop, so receiving goes on when the sender lags */

/* What the generator writes after the RTP header; the rest of the payload is PCMA silence. */
struct load_payload {
	uint32_t magic;
	uint32_t call;
	uint32_t dir;
	uint32_t seq;
	uint64_t send_ns; /* CLOCK_MONOTONIC */
};

struct stream {
	uint8_t *pkt[2];  /* LOAD_PACKET_LEN bytes each, used by even and odd rounds */
	uint64_t *seen;   /* one bit per round */
	uint32_t highest; /* highest sequence received + 1, 0 = none */
	uint64_t offset;  /* send time within the period */
};

struct engine {
	const struct load_traffic_cfg *cfg;
	struct load_traffic_result *res;
	struct io_uring ring;
	int ring_ok;
	struct io_uring_buf_ring *br;
	uint8_t *bufs;
	unsigned nsock; /* 2 * calls */
	int *fds;
	struct stream *st;
	uint8_t *pkts;
	uint64_t *seen;
	unsigned seen_words;
	unsigned rounds; /* warm-up + measured */
	unsigned bufs_added;
};

/* --- setup ----------------------------------------------------------------------------------- */

static int raise_nofile(unsigned need)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -errno;
	if (rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max < need)
		rl.rlim_max = need; /* only root may; the error below says so otherwise */
	rl.rlim_cur = need;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		fprintf(stderr, "rtp_load: need %u file descriptors: %s\n", need, strerror(errno));
		return -errno;
	}
	return 0;
}

/* A previous run's sockets are released asynchronously when its ring goes away, so a port can
 * stay busy for a moment after that process exits: retry the bind for up to 3 s. */
static int bind_retry(int fd, const struct sockaddr_in *sa)
{
	for (int i = 0; i < 300; i++) {
		if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0)
			return 0;
		if (errno != EADDRINUSE)
			break;
		usleep(10000);
	}
	return -errno;
}

static int open_socket(const struct sockaddr_in *bind_to, const struct sockaddr_in *dest)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err;

	if (fd < 0)
		return -errno;
	err = bind_retry(fd, bind_to);
	if (!err && connect(fd, (const struct sockaddr *)dest, sizeof(*dest)))
		err = -errno;
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

static int open_sockets(struct engine *e, const struct load_call *calls)
{
	for (unsigned j = 0; j < e->nsock; j++) {
		const struct load_call *c = &calls[j / 2];
		const struct sockaddr_in *b = j & 1 ? &c->b_bind : &c->a_bind;
		int fd = open_socket(b, j & 1 ? &c->b_dest : &c->a_dest);

		if (fd < 0) {
			fprintf(stderr, "rtp_load: endpoint 127.0.0.1:%u: %s\n", ntohs(b->sin_port),
			        strerror(-fd));
			return fd;
		}
		e->fds[j] = fd;
	}
	return 0;
}

static int setup_ring(struct engine *e)
{
	struct io_uring_params p;
	struct io_uring_buf_reg reg;
	size_t ring_bytes = BUF_COUNT * sizeof(struct io_uring_buf);
	int rc;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER |
	          IORING_SETUP_DEFER_TASKRUN;
	p.cq_entries = CQ_ENTRIES;
	rc = io_uring_queue_init_params(SQ_ENTRIES, &e->ring, &p);
	if (rc == -EINVAL) { /* kernels before 6.1: no deferred task work */
		memset(&p, 0, sizeof(p));
		p.flags = IORING_SETUP_CQSIZE;
		p.cq_entries = CQ_ENTRIES;
		rc = io_uring_queue_init_params(SQ_ENTRIES, &e->ring, &p);
	}
	if (rc) {
		fprintf(stderr, "rtp_load: io_uring setup: %s\n", strerror(-rc));
		return rc;
	}
	e->ring_ok = 1;
	rc = io_uring_register_files(&e->ring, e->fds, e->nsock);
	if (rc) {
		fprintf(stderr, "rtp_load: io_uring register %u files: %s\n", e->nsock,
		        strerror(-rc));
		return rc;
	}
	e->br = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	if (e->br == MAP_FAILED) {
		e->br = NULL;
		return -errno;
	}
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (uint64_t)(uintptr_t)e->br;
	reg.ring_entries = BUF_COUNT;
	reg.bgid = BUF_GROUP;
	rc = io_uring_register_buf_ring(&e->ring, &reg, 0);
	if (rc) {
		fprintf(stderr, "rtp_load: io_uring buffer ring: %s\n", strerror(-rc));
		return rc;
	}
	io_uring_buf_ring_init(e->br);
	for (unsigned i = 0; i < BUF_COUNT; i++)
		io_uring_buf_ring_add(e->br, e->bufs + (size_t)i * BUF_SIZE, BUF_SIZE,
		                      (unsigned short)i, io_uring_buf_ring_mask(BUF_COUNT), (int)i);
	io_uring_buf_ring_advance(e->br, BUF_COUNT);
	return 0;
}

static struct io_uring_sqe *get_sqe(struct engine *e)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&e->ring);

	if (!sqe) { /* SQ full: hand what we have to the kernel and retry once */
		io_uring_submit(&e->ring);
		sqe = io_uring_get_sqe(&e->ring);
	}
	return sqe;
}

static int arm_recv(struct engine *e, unsigned sock)
{
	struct io_uring_sqe *sqe = get_sqe(e);

	if (!sqe)
		return -EBUSY;
	io_uring_prep_recv_multishot(sqe, (int)sock, NULL, 0, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_BUFFER_SELECT;
	sqe->buf_group = BUF_GROUP;
	io_uring_sqe_set_data64(sqe, TAG_RECV | sock);
	return 0;
}

static void init_stream(struct engine *e, unsigned k)
{
	struct stream *s = &e->st[k];
	uint8_t *p;
	uint32_t ssrc = 0x5444a000u + k;

	s->seen = e->seen + (size_t)k * e->seen_words;
	s->offset = (uint64_t)k * LOAD_PERIOD_NS / e->nsock;
	for (int i = 0; i < 2; i++) {
		/* 192 bytes apart: every packet in its own cache lines */
		p = s->pkt[i] = e->pkts + ((size_t)k * 2 + (size_t)i) * 192;
		memset(p, 0xd5, LOAD_PACKET_LEN); /* A-law silence */
		p[0] = 0x80;                      /* V=2, no padding, extension or CSRC */
		p[1] = 8;                         /* PT 8 = PCMA */
		p[8] = (uint8_t)(ssrc >> 24);
		p[9] = (uint8_t)(ssrc >> 16);
		p[10] = (uint8_t)(ssrc >> 8);
		p[11] = (uint8_t)ssrc;
	}
}

static int engine_open(struct engine *e, const struct load_traffic_cfg *cfg,
                       const struct load_call *calls, struct load_traffic_result *res)
{
	int rc;

	memset(e, 0, sizeof(*e));
	e->cfg = cfg;
	e->res = res;
	e->nsock = 2 * cfg->calls;
	e->rounds = cfg->warmup_rounds + cfg->measured_rounds;
	e->seen_words = (e->rounds + 63) / 64;
	e->fds = malloc(e->nsock * sizeof(int));
	e->st = calloc(e->nsock, sizeof(*e->st));
	e->pkts = aligned_alloc(64, (size_t)e->nsock * 2 * 192);
	e->seen = calloc((size_t)e->nsock * e->seen_words, sizeof(uint64_t));
	e->bufs = aligned_alloc(4096, (size_t)BUF_COUNT * BUF_SIZE);
	if (!e->fds || !e->st || !e->pkts || !e->seen || !e->bufs)
		return -ENOMEM;
	for (unsigned j = 0; j < e->nsock; j++)
		e->fds[j] = -1;
	for (unsigned k = 0; k < e->nsock; k++)
		init_stream(e, k);
	rc = raise_nofile(e->nsock + 256);
	if (!rc)
		rc = open_sockets(e, calls);
	if (!rc)
		rc = setup_ring(e);
	for (unsigned j = 0; !rc && j < e->nsock; j++)
		rc = arm_recv(e, j);
	if (!rc) {
		rc = io_uring_submit(&e->ring);
		rc = rc < 0 ? rc : 0;
	}
	return rc;
}

static void engine_close(struct engine *e)
{
	if (e->ring_ok)
		io_uring_queue_exit(&e->ring);
	if (e->br)
		munmap(e->br, BUF_COUNT * sizeof(struct io_uring_buf));
	for (unsigned j = 0; e->fds && j < e->nsock; j++)
		if (e->fds[j] >= 0)
			close(e->fds[j]);
	free(e->fds);
	free(e->st);
	free(e->pkts);
	free(e->seen);
	free(e->bufs);
}

/* --- CPU sampling ---------------------------------------------------------------------------- */

/* utime + stime of a process in seconds, from /proc/PID/stat (fields 14 and 15). */
static int proc_cpu_s(pid_t pid, double *out)
{
	char path[64], buf[1024];
	unsigned long utime, stime;
	const char *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces and parentheses */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime,
	                 &stime) != 2)
		return -EIO;
	*out = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
	return 0;
}

/* Busy time of one core in seconds: everything but idle and iowait in its /proc/stat line.
 * With NOHZ the idle time is measured exactly at each idle entry and exit, where the kernel's
 * softirq share is only sampled at the tick; busy = wall - idle is the reliable reading. */
static int core_busy_s(int core, double *out)
{
	char line[512], name[16];
	unsigned long long v[8];
	FILE *f = fopen("/proc/stat", "r");
	int rc = -ENOENT;

	if (!f)
		return -errno;
	snprintf(name, sizeof(name), "cpu%d ", core);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)))
			continue;
		if (sscanf(line + strlen(name), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
		           &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 8) {
			*out = (double)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) /
			       (double)sysconf(_SC_CLK_TCK);
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* What the relay cost so far: its core's busy time when asked, else its process time. */
static int relay_cpu_s(const struct load_traffic_cfg *cfg, double *out)
{
	if (cfg->relay_core >= 0)
		return core_busy_s(cfg->relay_core, out);
	return proc_cpu_s(cfg->relay_pid, out);
}

static double self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* --- packet path ----------------------------------------------------------------------------- */

static int send_one(struct engine *e, unsigned k, uint32_t seq, uint64_t now)
{
	struct stream *s = &e->st[k];
	struct load_payload pl = {PAYLOAD_MAGIC, k / 2, k & 1, seq, now};
	struct io_uring_sqe *sqe = get_sqe(e);
	uint32_t ts = seq * LOAD_PAYLOAD;
	uint8_t *pkt = s->pkt[seq & 1];
	const uint8_t *out = pkt;
	int len = LOAD_PACKET_LEN;

	if (!sqe)
		return -EBUSY;
	pkt[1] = (uint8_t)(8 | (seq == 0 ? 0x80 : 0)); /* marker on the first packet */
	pkt[2] = (uint8_t)(seq >> 8);
	pkt[3] = (uint8_t)seq;
	pkt[4] = (uint8_t)(ts >> 24);
	pkt[5] = (uint8_t)(ts >> 16);
	pkt[6] = (uint8_t)(ts >> 8);
	pkt[7] = (uint8_t)ts;
	memcpy(pkt + LOAD_RTP_HDR, &pl, sizeof(pl));
	/* a packet that cannot be encrypted goes out as it is, to fail at the receiver (counted) */
	if (e->cfg->srtp)
		load_srtp_protect(e->cfg->srtp, k, seq & 1, pkt, &out, &len);
	io_uring_prep_send(sqe, (int)k, out, (unsigned)len, 0);
	sqe->flags |= IOSQE_FIXED_FILE | IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, TAG_SEND | k);
	return 0;
}

static int in_window(const struct engine *e, uint32_t seq)
{
	return seq >= e->cfg->warmup_rounds && seq < e->rounds;
}

static void on_packet(struct engine *e, unsigned sock, const uint8_t *p, int len, uint64_t now)
{
	struct load_traffic_result *r = e->res;
	struct load_payload pl;
	struct stream *s;
	unsigned k;

	if (len != LOAD_PACKET_LEN || (p[0] & 0xc0) != 0x80) {
		r->malformed++;
		return;
	}
	memcpy(&pl, p + LOAD_RTP_HDR, sizeof(pl));
	k = pl.call * 2 + pl.dir;
	if (pl.magic != PAYLOAD_MAGIC || pl.dir > 1 || pl.call >= e->cfg->calls ||
	    pl.seq >= e->rounds) {
		r->malformed++;
		return;
	}
	if ((k ^ 1u) != sock) {
		r->misrouted++;
		return;
	}
	r->received_total++;
	s = &e->st[k];
	if (s->seen[pl.seq / 64] & (1ull << (pl.seq % 64))) {
		if (in_window(e, pl.seq))
			r->dir[pl.dir].dups++;
		return;
	}
	s->seen[pl.seq / 64] |= 1ull << (pl.seq % 64);
	if (!in_window(e, pl.seq))
		goto order;
	r->dir[pl.dir].received++;
	load_hist_add(&r->dir[pl.dir].latency, now > pl.send_ns ? now - pl.send_ns : 0);
	if (pl.seq + 1 < s->highest)
		r->dir[pl.dir].reordered++;
order:
	if (pl.seq + 1 > s->highest)
		s->highest = pl.seq + 1;
}

static void on_cqe(struct engine *e, const struct io_uring_cqe *cqe, uint64_t now)
{
	uint64_t tag = cqe->user_data & ~0xffffffffull;
	unsigned idx = (unsigned)(cqe->user_data & 0xffffffffu);

	if (tag == TAG_SEND) { /* only failures complete */
		e->res->send_errors++;
		return;
	}
	if (tag != TAG_RECV)
		return;
	if (cqe->res > 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;
		uint8_t *buf = e->bufs + (size_t)bid * BUF_SIZE;
		int len = cqe->res;

		/* SRTP that fails to decrypt is counted by load_srtp and goes no further */
		if (!e->cfg->srtp || !load_srtp_unprotect(e->cfg->srtp, idx, buf, &len))
			on_packet(e, idx, buf, len, now);
		io_uring_buf_ring_add(e->br, buf, BUF_SIZE, (unsigned short)bid,
		                      io_uring_buf_ring_mask(BUF_COUNT), (int)e->bufs_added++);
	} else if (cqe->res < 0 && cqe->res != -ENOBUFS) {
		e->res->recv_errors++;
	}
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		e->res->rearms++;
		arm_recv(e, idx);
	}
}

/* Handles every completion waiting; returns how many. */
static unsigned reap(struct engine *e)
{
	struct io_uring_cqe *cqes[CQE_BATCH];
	unsigned total = 0, n;

	while ((n = io_uring_peek_batch_cqe(&e->ring, cqes, CQE_BATCH)) > 0) {
		uint64_t now = clock_mono_ns();

		for (unsigned i = 0; i < n; i++)
			on_cqe(e, cqes[i], now);
		io_uring_cq_advance(&e->ring, n);
		if (e->bufs_added) {
			io_uring_buf_ring_advance(e->br, (int)e->bufs_added);
			e->bufs_added = 0;
		}
		total += n;
	}
	return total;
}

/* --- the run --------------------------------------------------------------------------------- */

struct cursor {
	unsigned round;
	unsigned k;
};

static void window_edge(struct engine *e, int start, uint64_t now, uint64_t *t_start, double *gen0,
                        double *relay0)
{
	struct load_traffic_result *r = e->res;
	double v;

	if (start) {
		*t_start = now;
		*gen0 = self_cpu_s();
		r->relay_sampled = (e->cfg->relay_pid > 0 || e->cfg->relay_core >= 0) &&
		                   relay_cpu_s(e->cfg, relay0) == 0;
		return;
	}
	r->window_s = (double)(now - *t_start) / 1e9;
	r->gen_cpu_s = self_cpu_s() - *gen0;
	if (r->relay_sampled && relay_cpu_s(e->cfg, &v) == 0)
		r->relay_cpu_s = v - *relay0;
	else
		r->relay_sampled = 0;
}

static int run(struct engine *e)
{
	const struct load_traffic_cfg *cfg = e->cfg;
	struct load_traffic_result *r = e->res;
	uint64_t batch_ns = (uint64_t)cfg->batch_us * 1000, t0, t_start = 0, send_end, drain_end;
	uint64_t idle_ns = 0;
	double gen0 = 0, relay0 = 0;
	struct cursor c = {0, 0};

	t0 = clock_mono_ns() + 50000000ull; /* let the receives settle before the first send */
	send_end = t0 + (uint64_t)e->rounds * LOAD_PERIOD_NS;
	drain_end = send_end + (uint64_t)cfg->drain_ms * 1000000ull;
	if (cfg->warmup_rounds == 0)
		window_edge(e, 1, t0, &t_start, &gen0, &relay0);
	for (;;) {
		uint64_t now = clock_mono_ns(), next;
		struct __kernel_timespec ts;
		struct io_uring_cqe *cqe;
		unsigned sent = 0;

		while (c.round < e->rounds && sent < SEND_BATCH) {
			uint64_t due = t0 + (uint64_t)c.round * LOAD_PERIOD_NS + e->st[c.k].offset;

			if (due > now + batch_ns)
				break;
			if (send_one(e, c.k, c.round, now))
				return -EBUSY;
			r->sent_total++;
			sent++;
			if (in_window(e, c.round)) {
				r->dir[c.k & 1].sent++;
				load_hist_add(&r->lag, now > due ? now - due : 0);
			}
			if (++c.k == e->nsock) {
				/* A generator running late sends several rounds in one go: submit
				 * at every round, so a packet buffer is handed to the kernel before
				 * its slot comes round again two rounds later. */
				io_uring_submit(&e->ring);
				c.k = 0;
				c.round++;
				if (c.round == cfg->warmup_rounds || c.round == e->rounds)
					window_edge(e, c.round == cfg->warmup_rounds, now, &t_start,
					            &gen0, &relay0);
			}
		}
		if (c.round >= e->rounds && now >= drain_end)
			break;
		/* Sleep until the next send is due (not batch_ns before it), so that every wake-up
		 * sends batch_ns worth of packets in one submission. */
		next = c.round < e->rounds
		           ? t0 + (uint64_t)c.round * LOAD_PERIOD_NS + e->st[c.k].offset
		           : drain_end;
		if (next > now) {
			ts.tv_sec = (long long)((next - now) / 1000000000ull);
			ts.tv_nsec = (long long)((next - now) % 1000000000ull);
		} else {
			ts.tv_sec = 0;
			ts.tv_nsec = 0;
		}
		if (cfg->busy_poll) {
			uint64_t t;

			io_uring_submit_and_get_events(&e->ring);
			if (reap(e) == 0 && !sent) {
				t = clock_mono_ns();
				if (t_start && c.round < e->rounds)
					idle_ns += t - now;
			}
			continue;
		}
		io_uring_submit_and_wait_timeout(&e->ring, &cqe, 1, &ts, NULL);
		reap(e);
	}
	r->gen_idle_s = (double)idle_ns / 1e9;
	return 0;
}

int load_traffic_run(const struct load_traffic_cfg *cfg, const struct load_call *calls,
                     struct load_traffic_result *res)
{
	struct engine e;
	int rc;

	memset(res, 0, sizeof(*res));
	load_hist_init(&res->dir[0].latency);
	load_hist_init(&res->dir[1].latency);
	load_hist_init(&res->lag);
	if (cfg->calls == 0 || cfg->measured_rounds == 0)
		return -EINVAL;
	rc = engine_open(&e, cfg, calls, res);
	if (!rc)
		rc = run(&e);
	if (!rc) { /* before the sockets close: their counters go with them */
		res->gen_drops = load_drops_sockets(e.fds, e.nsock);
		res->relay_drops_ok = cfg->relay_pid > 0 &&
		                      load_drops_process(cfg->relay_pid, &res->relay_drops) == 0;
	}
	engine_close(&e);
	return rc;
}
