/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw lynx frames for the selftests that play a peer on the wire: build a
 * lynx header with its checksum, inject it with AF_PACKET, and sniff the
 * segments a device carries.  Everything here is static inline.
 */
#ifndef LYNX_FRAME_H
#define LYNX_FRAME_H

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "lynx_util.h"

/* LYNX_T_*, LYNX_F_* and struct lynxhdr come from <linux/lynx.h>. */

/* The header as it is on the wire (big-endian fields). */
struct lynx_wire_hdr {
	uint8_t version, type, flags, reserved;
	uint16_t len, csum;
	uint32_t src_node, dst_node, src_port, dst_port, seq, ack, window;
} __attribute__((packed));

_Static_assert(sizeof(struct lynx_wire_hdr) == LYNX_HDR_LEN, "header size");

/* A segment in host order; data points at the payload. */
struct lynx_seg {
	uint8_t type, flags;
	uint32_t src_node, dst_node, src_port, dst_port, seq, ack, window;
	const void *data;
	size_t len;
};

static inline uint32_t lynx_csum_add(const void *data, size_t len,
				     uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

/* The Internet checksum over header (csum 0) and payload, network order. */
static inline uint16_t lynx_wire_csum(const struct lynx_wire_hdr *h,
				      const void *pl, size_t plen)
{
	uint32_t sum = lynx_csum_add(h, sizeof(*h), 0);

	sum = lynx_csum_add(pl, plen, sum);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* The MAC address of a device; 0 or -1. */
static inline int lynx_dev_mac(const char *name, uint8_t *mac)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	strncpy(ifr.ifr_name, name, IFNAMSIZ - 1);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (!ret)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	return ret;
}

/*
 * An AF_PACKET socket for lynx frames on device @name, bound to it; sends
 * bypass the qdisc (so a netem loss on the device drops the module's
 * frames, not the test's).  Returns the fd or -1.
 */
static inline int lynx_frame_socket(const char *name)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_LYNX),
	};
	int one = 1, fd;

	sll.sll_ifindex = if_nametoindex(name);
	if (!sll.sll_ifindex)
		return -1;
	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_LYNX));
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one,
		       sizeof(one))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends @s as one frame to @dst_mac on the socket's device; 0 or -1. */
static inline int lynx_frame_send(int fd, const uint8_t *dst_mac,
				  const struct lynx_seg *s)
{
	uint8_t frame[ETH_HLEN + LYNX_HDR_LEN + 2048];
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct lynx_wire_hdr *h = (struct lynx_wire_hdr *)(eth + 1);
	size_t flen = ETH_HLEN + LYNX_HDR_LEN + s->len;

	if (s->len > 2048)
		return -1;
	memcpy(eth->h_dest, dst_mac, ETH_ALEN);
	memcpy(eth->h_source, "\x02\x00\x00\x00\xbe\xef", ETH_ALEN);
	eth->h_proto = htons(ETH_P_LYNX);
	memset(h, 0, sizeof(*h));
	h->version = 1;
	h->type = s->type;
	h->flags = s->flags;
	h->len = htons(s->len);
	h->src_node = htonl(s->src_node);
	h->dst_node = htonl(s->dst_node);
	h->src_port = htonl(s->src_port);
	h->dst_port = htonl(s->dst_port);
	h->seq = htonl(s->seq);
	h->ack = htonl(s->ack);
	h->window = htonl(s->window);
	if (s->len)
		memcpy(h + 1, s->data, s->len);
	h->csum = lynx_wire_csum(h, h + 1, s->len);
	return send(fd, frame, flen, 0) == (ssize_t)flen ? 0 : -1;
}

/*
 * The next frame the device received (its own transmissions skipped),
 * decoded into @s (payload in @buf), within timeout_ms.  0 or -1.
 */
static inline int lynx_frame_recv(int fd, struct lynx_seg *s, void *buf,
				  size_t size, int timeout_ms)
{
	uint8_t frame[ETH_HLEN + LYNX_HDR_LEN + 65536];
	const struct lynx_wire_hdr *h =
		(const struct lynx_wire_hdr *)(frame + ETH_HLEN);
	struct sockaddr_ll from;
	socklen_t alen;
	ssize_t n;

	for (;;) {
		if (!(lynx_poll1(fd, POLLIN, timeout_ms) & POLLIN))
			return -1;
		alen = sizeof(from);
		n = recvfrom(fd, frame, sizeof(frame), MSG_DONTWAIT,
			     (struct sockaddr *)&from, &alen);
		if (n < ETH_HLEN + LYNX_HDR_LEN ||
		    from.sll_pkttype == PACKET_OUTGOING)
			continue;
		s->type = h->type;
		s->flags = h->flags;
		s->src_node = ntohl(h->src_node);
		s->dst_node = ntohl(h->dst_node);
		s->src_port = ntohl(h->src_port);
		s->dst_port = ntohl(h->dst_port);
		s->seq = ntohl(h->seq);
		s->ack = ntohl(h->ack);
		s->window = ntohl(h->window);
		s->len = n - ETH_HLEN - LYNX_HDR_LEN;
		if (s->len > ntohs(h->len))	/* Ethernet padding */
			s->len = ntohs(h->len);
		if (s->len > size)
			s->len = size;
		memcpy(buf, h + 1, s->len);
		s->data = buf;
		return 0;
	}
}

#endif /* LYNX_FRAME_H */
