/* What the kernel fast path (fastpath.h) holds of one stream, kept in the stream by its worker:
 * per leg, whether packets arriving on that leg's RTP port are forwarded in the kernel, with
 * the addresses installed (network byte order) and the kernel counters already folded into the
 * leg's own. */
#ifndef MEDIAD_FASTPATH_STATE_H
#define MEDIAD_FASTPATH_STATE_H

#include <stdbool.h>
#include <stdint.h>

struct fastpath_dir {
	bool on;
	uint32_t expect_addr, dst_addr;
	uint16_t expect_port, dst_port;
	uint64_t packets, bytes; /* the entry's counters as last read */
};

struct fastpath_stream {
	struct fastpath_dir dir[2]; /* [i]: what leg i's remote sends */
};

#endif
