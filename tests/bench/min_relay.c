/* min_relay: the least a userspace UDP relay can do per packet, as a ceiling for the RTP
 * benchmark (not part of mediad). For rtp_load's layout of N calls crossing K relay sessions it
 * binds two sockets per session (leg A, leg B) on consecutive ports, writes the ports file
 * rtp_load reads once it is ready, and forwards every datagram received on one leg's socket from
 * the other leg's socket to that leg's fixed remote: no parsing, no counters, no latching, no
 * control plane. One thread, one io_uring, with the cheapest path found for mediad: multishot
 * receive into provided buffers, sends straight from the receive buffer with MSG_DONTWAIT and
 * IOSQE_CQE_SKIP_SUCCESS.
 *
 *   min_relay --calls N [--chain K] --base-port P --port-min M --out FILE [--mode MODE]
 *   MODE sendto:  unconnected sockets, recvmsg (source address copied), send with a destination
 *                 (what mediad does per packet)
 *   MODE connect: every socket connected to its remote, receive and send without addresses
 *   MODE pair:    per port an unconnected socket (recvmsg, for strangers) and one connected to
 *                 the remote (SO_REUSEPORT on both; the kernel delivers the remote's packets
 *                 to the connected one): receive and send there without addresses
 *
 * Runs until SIGTERM or SIGINT; loopback only (127.0.0.1). */
#include <errno.h>
#include <getopt.h>
#include <liburing.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_SIZE 2048u
#define NBUFS    8192u
#define BGID     0
#define SQ_SIZE  4096u
#define CQ_SIZE  32768u
#define SEND_UD  UINT64_MAX

struct relay {
	struct io_uring ring;
	bool ring_ok;
	struct io_uring_buf_ring *br;
	uint8_t *bufs;
	unsigned nsocks, nfds, recycled; /* nfds: nsocks, or 2 * nsocks in pair mode */
	int *fds;
	struct sockaddr_in *remote; /* per socket: where what leaves from it goes */
	enum { MODE_SENDTO, MODE_CONNECT, MODE_PAIR } mode;
	struct msghdr rx_mh;
	unsigned *pend_pos; /* SQ positions of sends not consumed yet, with their buffers */
	uint16_t *pend_bid;
	unsigned pend_head, n_pend;
	unsigned long long forwarded, send_errors, no_buffers, on_connected;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void recycle(struct relay *r, unsigned bid)
{
	io_uring_buf_ring_add(r->br, r->bufs + (size_t)bid * BUF_SIZE, BUF_SIZE,
	                      (unsigned short)bid, io_uring_buf_ring_mask(NBUFS),
	                      (int)r->recycled++);
}

/* A MSG_DONTWAIT send is performed or failed when the kernel takes its SQE. */
static void release_sent(struct relay *r)
{
	unsigned head = io_uring_smp_load_acquire(r->ring.sq.khead);

	while (r->n_pend && (int)(head - r->pend_pos[r->pend_head]) > 0) {
		recycle(r, r->pend_bid[r->pend_head]);
		r->pend_head = (r->pend_head + 1) % SQ_SIZE;
		r->n_pend--;
	}
}

static struct io_uring_sqe *sqe_get(struct relay *r)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	if (!sqe) {
		io_uring_submit(&r->ring);
		release_sent(r);
		sqe = io_uring_get_sqe(&r->ring);
	}
	return sqe;
}

static void arm(struct relay *r, unsigned j)
{
	struct io_uring_sqe *sqe = sqe_get(r);

	if (!sqe)
		return;
	if (r->mode == MODE_CONNECT || j >= r->nsocks)
		io_uring_prep_recv_multishot(sqe, r->fds[j], NULL, 0, 0);
	else
		io_uring_prep_recvmsg_multishot(sqe, r->fds[j], &r->rx_mh, 0);
	sqe->flags |= IOSQE_BUFFER_SELECT;
	sqe->buf_group = BGID;
	io_uring_sqe_set_data64(sqe, j);
}

/* Forwards a packet that arrived on socket j from its peer socket (j ^ 1). */
static void forward(struct relay *r, unsigned j, unsigned bid, const void *p, unsigned len)
{
	struct io_uring_sqe *sqe = sqe_get(r);
	unsigned out = (j % r->nsocks) ^ 1u;

	if (!sqe) {
		recycle(r, bid);
		return;
	}
	io_uring_prep_send(sqe, r->fds[r->mode == MODE_PAIR ? out + r->nsocks : out], p, len,
	                   MSG_DONTWAIT);
	if (r->mode == MODE_SENDTO) {
		sqe->addr2 = (uint64_t)(uintptr_t)&r->remote[out];
		sqe->addr_len = sizeof(r->remote[out]);
	}
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
	io_uring_sqe_set_data64(sqe, SEND_UD);
	r->pend_pos[(r->pend_head + r->n_pend) % SQ_SIZE] = r->ring.sq.sqe_tail - 1;
	r->pend_bid[(r->pend_head + r->n_pend) % SQ_SIZE] = (uint16_t)bid;
	r->n_pend++;
	r->forwarded++;
}

static void on_cqe(struct relay *r, const struct io_uring_cqe *cqe)
{
	unsigned j = (unsigned)cqe->user_data, bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

	if (cqe->user_data == SEND_UD) {
		r->send_errors++;
		r->forwarded--;
		return;
	}
	if (cqe->res >= 0 && (cqe->flags & IORING_CQE_F_BUFFER)) {
		uint8_t *buf = r->bufs + (size_t)bid * BUF_SIZE;

		if (r->mode == MODE_CONNECT || j >= r->nsocks) {
			r->on_connected++;
			forward(r, j, bid, buf, (unsigned)cqe->res);
		} else {
			struct io_uring_recvmsg_out *o =
			    io_uring_recvmsg_validate(buf, cqe->res, &r->rx_mh);

			if (o)
				forward(r, j, bid, io_uring_recvmsg_payload(o, &r->rx_mh),
				        io_uring_recvmsg_payload_length(o, cqe->res, &r->rx_mh));
			else
				recycle(r, bid);
		}
	} else if (cqe->res == -ENOBUFS) {
		r->no_buffers++;
	}
	if (!(cqe->flags & IORING_CQE_F_MORE))
		arm(r, j);
}

static int loopback(unsigned port, struct sockaddr_in *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

static unsigned getsockname_port(int fd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	if (getsockname(fd, (struct sockaddr *)&sa, &len))
		return 0;
	return ntohs(sa.sin_port);
}

/* Session s = call * chain + hop has leg A on port_min + 2s and leg B on port_min + 2s + 1;
 * socket j = 2s + leg. */
static int setup(struct relay *r, unsigned calls, unsigned chain, unsigned base, unsigned pmin)
{
	for (unsigned i = 0; i < calls; i++) {
		for (unsigned h = 0; h < chain; h++) {
			unsigned s = i * chain + h;

			loopback(h == 0 ? base + 2 * i : pmin + 2 * (s - 1) + 1, &r->remote[2 * s]);
			loopback(h == chain - 1 ? base + 2 * i + 1 : pmin + 2 * (s + 1),
			         &r->remote[2 * s + 1]);
		}
	}
	for (unsigned k = 0; k < r->nfds; k++) {
		unsigned j = k % r->nsocks;
		struct sockaddr_in sa;
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), on = 1;

		r->fds[k] = fd; /* closed by relay_free() */
		loopback(pmin + j, &sa);
		if (fd >= 0 && r->mode == MODE_PAIR)
			setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
		/* A relay that just exited may hold its ports a little longer: the kernel tears
		 * its ring down in the background. */
		for (int t = 0; fd >= 0 && t < 100; t++) {
			if (!bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || errno != EADDRINUSE)
				break;
			usleep(20000);
		}
		if (fd < 0 || getsockname_port(fd) != pmin + j ||
		    ((r->mode == MODE_CONNECT || k >= r->nsocks) &&
		     connect(fd, (struct sockaddr *)&r->remote[j], sizeof(r->remote[j])))) {
			fprintf(stderr, "min_relay: port %u: %s\n", pmin + j, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Written once the relay is ready (renamed into place): its existence says "go". Call i's A
 * sends to its first session's leg A, B to its last session's leg B. */
static int write_ports(unsigned calls, unsigned chain, unsigned pmin, const char *out)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", out);
	f = fopen(tmp, "w");
	if (!f) {
		perror(tmp);
		return -1;
	}
	for (unsigned i = 0; i < calls; i++)
		fprintf(f, "127.0.0.1 %u 127.0.0.1 %u\n", pmin + 2 * i * chain,
		        pmin + 2 * (i * chain + chain - 1) + 1);
	if (fclose(f) || rename(tmp, out)) {
		perror(out);
		return -1;
	}
	return 0;
}

static int ring_setup(struct relay *r)
{
	struct io_uring_params p;
	struct io_uring_buf_reg reg;
	int rc;

	memset(&p, 0, sizeof(p));
	p.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_CQSIZE;
	p.cq_entries = CQ_SIZE;
	rc = io_uring_queue_init_params(SQ_SIZE, &r->ring, &p);
	if (rc)
		return rc;
	r->ring_ok = true;
	r->br = mmap(NULL, NBUFS * sizeof(struct io_uring_buf), PROT_READ | PROT_WRITE,
	             MAP_ANONYMOUS | MAP_PRIVATE, -1, 0);
	r->bufs = aligned_alloc(4096, (size_t)NBUFS * BUF_SIZE);
	if (r->br == MAP_FAILED || !r->bufs)
		return -ENOMEM;
	memset(&reg, 0, sizeof(reg));
	reg.ring_addr = (unsigned long)r->br;
	reg.ring_entries = NBUFS;
	reg.bgid = BGID;
	rc = io_uring_register_buf_ring(&r->ring, &reg, 0);
	if (rc)
		return rc;
	io_uring_buf_ring_init(r->br);
	for (unsigned i = 0; i < NBUFS; i++)
		recycle(r, i);
	io_uring_buf_ring_advance(r->br, (int)r->recycled);
	r->recycled = 0;
	return 0;
}

static void relay_free(struct relay *r)
{
	if (r->ring_ok)
		io_uring_queue_exit(&r->ring);
	if (r->br && r->br != MAP_FAILED)
		munmap(r->br, NBUFS * sizeof(struct io_uring_buf));
	for (unsigned k = 0; r->fds && k < r->nfds; k++)
		if (r->fds[k] >= 0)
			close(r->fds[k]);
	free(r->bufs);
	free(r->fds);
	free(r->remote);
	free(r->pend_pos);
	free(r->pend_bid);
}

static void run(struct relay *r)
{
	struct __kernel_timespec ts = {.tv_nsec = 100000000};

	for (unsigned k = 0; k < r->nfds; k++)
		arm(r, k);
	while (!stop) {
		struct io_uring_cqe *cqe;
		unsigned head, n = 0;

		io_uring_submit_and_wait_timeout(&r->ring, &cqe, 1, &ts, NULL);
		release_sent(r);
		io_uring_for_each_cqe(&r->ring, head, cqe)
		{
			on_cqe(r, cqe);
			n++;
		}
		io_uring_cq_advance(&r->ring, n);
		if (r->recycled) {
			io_uring_buf_ring_advance(r->br, (int)r->recycled);
			r->recycled = 0;
		}
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: min_relay --calls N [--chain K] --base-port P --port-min M "
	                "--out FILE [--mode sendto|connect|pair]\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"calls", required_argument, NULL, 'n'},
	                                     {"chain", required_argument, NULL, 'k'},
	                                     {"base-port", required_argument, NULL, 'b'},
	                                     {"port-min", required_argument, NULL, 'p'},
	                                     {"out", required_argument, NULL, 'o'},
	                                     {"mode", required_argument, NULL, 'm'},
	                                     {NULL, 0, NULL, 0}};
	unsigned long calls = 0, chain = 1, base = 0, pmin = 0;
	const char *out = NULL, *mode = "sendto";
	struct relay r;
	struct rlimit rl;
	int c, rc;

	memset(&r, 0, sizeof(r));
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			calls = strtoul(optarg, NULL, 10);
			break;
		case 'k':
			chain = strtoul(optarg, NULL, 10);
			break;
		case 'b':
			base = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			pmin = strtoul(optarg, NULL, 10);
			break;
		case 'o':
			out = optarg;
			break;
		case 'm':
			mode = optarg;
			break;
		default:
			usage();
			return 2;
		}
	}
	r.mode = strcmp(mode, "connect") == 0 ? MODE_CONNECT
	         : strcmp(mode, "pair") == 0  ? MODE_PAIR
	                                      : MODE_SENDTO;
	if (!calls || !chain || !base || !pmin || !out ||
	    (r.mode == MODE_SENDTO && strcmp(mode, "sendto") != 0) || calls * chain > 100000 ||
	    base + 2 * calls > 65536 || pmin + 2 * calls * chain > 65536) {
		usage();
		return 2;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	r.nsocks = (unsigned)(2 * calls * chain);
	r.nfds = r.mode == MODE_PAIR ? 2 * r.nsocks : r.nsocks;
	r.fds = calloc(r.nfds, sizeof(*r.fds));
	r.remote = calloc(r.nsocks, sizeof(*r.remote));
	r.pend_pos = calloc(SQ_SIZE, sizeof(*r.pend_pos));
	r.pend_bid = calloc(SQ_SIZE, sizeof(*r.pend_bid));
	r.rx_mh.msg_namelen = sizeof(struct sockaddr_in);
	rc = 1;
	if (!r.fds || !r.remote || !r.pend_pos || !r.pend_bid)
		goto out;
	for (unsigned k = 0; k < r.nfds; k++)
		r.fds[k] = -1;
	if (setup(&r, (unsigned)calls, (unsigned)chain, (unsigned)base, (unsigned)pmin))
		goto out;
	c = ring_setup(&r);
	if (c) {
		fprintf(stderr, "min_relay: io_uring set-up: %s\n", strerror(-c));
		goto out;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (write_ports((unsigned)calls, (unsigned)chain, (unsigned)pmin, out))
		goto out;
	fprintf(stderr, "min_relay: %u sockets, mode %s\n", r.nfds, mode);
	run(&r);
	fprintf(stderr,
	        "min_relay: forwarded %llu (received on connected sockets %llu), send errors "
	        "%llu, receives out of buffers %llu\n",
	        r.forwarded, r.on_connected, r.send_errors, r.no_buffers);
	rc = 0;
out:
	relay_free(&r);
	return rc;
}
