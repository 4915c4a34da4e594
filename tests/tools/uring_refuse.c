/* LD_PRELOAD shim for tests: makes liburing refuse what a kernel without io_uring (or without
 * provided buffer rings) would refuse, so mediad's start-up check can be seen failing.
 * URING_REFUSE=setup: io_uring_queue_init_params() fails with -ENOSYS.
 * URING_REFUSE=bufring: io_uring_register_buf_ring() fails with -EINVAL.
 * Anything else passes the calls on to liburing. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

typedef int (*init_fn)(unsigned, struct io_uring *, struct io_uring_params *);
typedef int (*reg_fn)(struct io_uring *, struct io_uring_buf_reg *, unsigned int);

static int refuses(const char *what)
{
	const char *v = getenv("URING_REFUSE");

	return v && strcmp(v, what) == 0;
}

int io_uring_queue_init_params(unsigned entries, struct io_uring *ring, struct io_uring_params *p)
{
	init_fn real = (init_fn)dlsym(RTLD_NEXT, "io_uring_queue_init_params");

	if (refuses("setup") || !real)
		return -ENOSYS;
	return real(entries, ring, p);
}

int io_uring_register_buf_ring(struct io_uring *ring, struct io_uring_buf_reg *reg,
                               unsigned int flags)
{
	reg_fn real = (reg_fn)dlsym(RTLD_NEXT, "io_uring_register_buf_ring");

	if (refuses("bufring") || !real)
		return -EINVAL;
	return real(ring, reg, flags);
}
