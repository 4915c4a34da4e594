/* mediad's fast path: a tc ingress program that forwards the RTP of established streams inside
 * the kernel. For a UDP datagram to one of the relay's ports with an entry in tandem_fp, from
 * the pinned remote, that looks like RTP and is not the sender's telephone-event: rewrite addresses
 * and ports (checksums updated incrementally), count, and send it on. Everything else (strangers,
 * RTCP, anything odd) goes on unchanged to the next filter and the socket, where mediad handles it
 * as without the fast path: TC_ACT_UNSPEC, not TC_ACT_OK, so that other programs on the same hook
 * still run. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <stddef.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fastpath_map.h"

#define IP_OFF        ETH_HLEN
#define UDP_OFF       (ETH_HLEN + sizeof(struct iphdr))
#define IP_CSUM_OFF   (IP_OFF + offsetof(struct iphdr, check))
#define IP_SRC_OFF    (IP_OFF + offsetof(struct iphdr, saddr))
#define UDP_CSUM_OFF  (UDP_OFF + offsetof(struct udphdr, check))
#define UDP_SPORT_OFF (UDP_OFF + offsetof(struct udphdr, source))
#define RTP_MIN       12

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024); /* mediad sizes it to its port range before loading */
	__type(key, struct fp_key);
	__type(value, struct fp_entry);
} tandem_fp SEC(".maps");

/* Addresses and ports rewritten with one checksum difference each: the IP header's sum takes
 * the addresses; UDP's takes them as pseudo-header (which is all a CHECKSUM_PARTIAL packet's
 * field holds) and the ports as data (left alone when partial, the device sums those). */
static __always_inline int rewrite(struct __sk_buff *skb, __u32 saddr, __u32 daddr, __u32 ports,
                                   __u32 src, __u32 dst, __u32 new_ports)
{
	__u32 old_a[2] = {saddr, daddr}, new_a[2] = {src, dst};
	__s64 da = bpf_csum_diff(old_a, sizeof(old_a), new_a, sizeof(new_a), 0);
	__s64 dp = bpf_csum_diff(&ports, sizeof(ports), &new_ports, sizeof(new_ports), 0);

	if (da < 0 || dp < 0)
		return -1;
	if (bpf_l3_csum_replace(skb, IP_CSUM_OFF, 0, (__u32)da, 0) ||
	    bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, (__u32)da,
	                        BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0) ||
	    bpf_l4_csum_replace(skb, UDP_CSUM_OFF, 0, (__u32)dp, BPF_F_MARK_MANGLED_0))
		return -1;
	if (bpf_skb_store_bytes(skb, IP_SRC_OFF, new_a, sizeof(new_a), 0))
		return -1;
	return bpf_skb_store_bytes(skb, UDP_SPORT_OFF, &new_ports, sizeof(new_ports), 0);
}

/* Source and destination port as the 4 octets they occupy in the UDP header. */
static __always_inline __u32 ports(__u16 source, __u16 dest)
{
	__u16 p[2] = {source, dest};
	__u32 v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

SEC("tc")
int tandem_relay(struct __sk_buff *skb)
{
	void *data, *end;
	struct ethhdr *eth;
	struct iphdr *ip;
	struct udphdr *udp;
	__u8 *rtp;
	struct fp_key key = {};
	struct fp_entry *e, *last = NULL;
	__u32 saddr, daddr, src, dst;
	__u16 sport, dport, src_port, dst_port, ulen;

	if (skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	if (data + UDP_OFF + sizeof(*udp) + 2 > end) {
		/* Headers not in the linear part: pull them, once. */
		if (bpf_skb_pull_data(skb, UDP_OFF + sizeof(*udp) + 2))
			return TC_ACT_UNSPEC;
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
		if (data + UDP_OFF + sizeof(*udp) + 2 > end)
			return TC_ACT_UNSPEC;
	}
	eth = data;
	ip = data + IP_OFF;
	udp = data + UDP_OFF;
	rtp = (__u8 *)(udp + 1);
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->version != 4 || ip->ihl != 5 ||
	    ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(0x3fff)))
		return TC_ACT_UNSPEC;
	/* RTCP (RFC 5761: second octet 192-223), not RTP version 2, or too short: userspace
	 * decides, drops and counts as it always does. */
	ulen = bpf_ntohs(udp->len);
	if ((rtp[0] & 0xc0) != 0x80 || (rtp[1] >= 192 && rtp[1] <= 223) ||
	    ulen < sizeof(*udp) + RTP_MIN)
		return TC_ACT_UNSPEC;
	saddr = src = ip->saddr;
	daddr = dst = ip->daddr;
	sport = src_port = udp->source;
	dport = dst_port = udp->dest;
	/* Follow the packet through the node's sessions: a chain through the node's own ports
	 * (self_relay) is forwarded in one pass, each hop counted in its own entry. A hop whose
	 * entry is missing, or that does not expect this source, gets the packet on its socket. */
	for (int hop = 0; hop < FP_MAX_HOPS; hop++) {
		key.addr = dst;
		key.port = dst_port;
		e = bpf_map_lookup_elem(&tandem_fp, &key);
		if (!e || src != e->expect_addr || src_port != e->expect_port)
			break;
		/* a digit: the hop's relay thread reports it and sends it on */
		if (e->te_pt && (rtp[1] & 0x7f) == e->te_pt)
			break;
		__sync_fetch_and_add(&e->packets, 1);
		__sync_fetch_and_add(&e->bytes, ulen - sizeof(*udp));
		e->last_ns = bpf_ktime_get_ns();
		src = e->src_addr;
		src_port = e->src_port;
		dst = e->dst_addr;
		dst_port = e->dst_port;
		last = e;
		if (e->out != FP_OUT_CHAIN)
			break;
	}
	if (!last)
		return TC_ACT_UNSPEC; /* a stranger, or not ours: up to the socket */
	/* Pointers into the packet are invalid after the helpers below. */
	if (rewrite(skb, saddr, daddr, ports(sport, dport), src, dst, ports(src_port, dst_port)))
		return TC_ACT_SHOT; /* half rewritten: it cannot go anywhere */
	if (last->out == FP_OUT_NEIGH)
		return bpf_redirect_neigh(last->ifindex, NULL, 0, 0);
	/* To a socket of this host (the remote, or a hop left to userspace): on lo the packet
	 * keeps the local route it was sent with, so it continues up to that socket. */
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
