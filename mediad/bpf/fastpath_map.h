/* The fast path's map, shared by the tc program (relay.bpf.c) and mediad (fastpath.c). All
 * addresses and ports in network byte order. One entry per relay port and direction: a packet
 * arriving at key from expect_* leaves as src_* -> dst_*. The program writes only the counters. */
#ifndef MEDIAD_BPF_FASTPATH_MAP_H
#define MEDIAD_BPF_FASTPATH_MAP_H

#include <linux/types.h>

#define FP_MAX_HOPS 16

struct fp_key {
	__u32 addr; /* the relay's address the packet is sent to */
	__u16 port; /* the relay's port */
	__u16 pad;
};

/* Where a rewritten packet goes. */
enum fp_out {
	FP_OUT_LOCAL = 1, /* to a socket of this host, arrived on lo: up the local stack */
	FP_OUT_NEIGH = 2, /* out of ifindex, next hop resolved by the kernel */
	/* To another of this relay's own ports (a chain through the node, self_relay): the
	 * program looks that port up too, up to FP_MAX_HOPS hops in one pass. */
	FP_OUT_CHAIN = 3,
};

struct fp_entry {
	__u32 expect_addr; /* the pinned remote; any other source goes to userspace */
	__u16 expect_port;
	__u16 out; /* enum fp_out */
	__u32 src_addr;
	__u16 src_port;
	/* the sending leg's RFC 4733 telephone-event payload type (0: none): those packets go up
	 * to the socket, where mediad reports the digits (and forwards them) */
	__u8 te_pt;
	__u8 pad0;
	__u32 dst_addr;
	__u16 dst_port;
	__u16 pad1;
	__u32 ifindex; /* FP_OUT_NEIGH: egress device */
	__u32 pad2;
	/* Written by the program (atomic adds): what it forwarded. bytes counts the UDP payload,
	 * as the userspace relay does; last_ns is bpf_ktime_get_ns() (CLOCK_MONOTONIC). */
	__u64 packets;
	__u64 bytes;
	__u64 last_ns;
};

#endif
