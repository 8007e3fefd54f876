// SPDX-License-Identifier: GPL-2.0
/*
 * The lynx wire format, from the receiving side: raw Ethernet frames are
 * injected with AF_PACKET on one lynx device (w0) and arrive on another one
 * (w1) of the same namespace over the shared segment.  A well-formed frame
 * is delivered with the header's source address; malformed ones (truncated,
 * bad version, bad checksum, reserved byte, bad type/flags, another node,
 * no socket) are dropped, counted in /proc/net/lynx_stat, and not
 * delivered.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "lynx_frame.h"
#include "kselftest_harness.h"

#define WIRE_PORT	7500
#define SRC_NODE	0x0a0b0c0d
#define SRC_PORT	4242

FIXTURE(wire)
{
	int pkt;		/* AF_PACKET on w0 */
	int sk;			/* lynx datagram socket, bound to WIRE_PORT */
	int ifindex0;
	uint8_t mac0[ETH_ALEN], mac1[ETH_ALEN];
	uint32_t node;
};

FIXTURE_SETUP(wire)
{
	cpu_set_t set;

	self->pkt = self->sk = -1;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, lynx_sh("ip link add w0 up type lynx && "
			     "ip link add w1 up type lynx"));
	self->ifindex0 = if_nametoindex("w0");
	ASSERT_LT(0, self->ifindex0);
	ASSERT_EQ(0, lynx_dev_mac("w0", self->mac0));
	ASSERT_EQ(0, lynx_dev_mac("w1", self->mac1));
	self->node = lynx_node();
	ASSERT_NE(0, self->node);

	self->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_LYNX));
	ASSERT_LE(0, self->pkt);
	self->sk = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->sk);
	ASSERT_EQ(0, lynx_bind(self->sk, LYNX_NODE_ANY, WIRE_PORT));
}

FIXTURE_TEARDOWN(wire)
{
	close(self->pkt);
	close(self->sk);
}

/* A well-formed DGRAM header for payload of plen bytes, to this node. */
static struct lynx_wire_hdr good_hdr(FIXTURE_DATA(wire) *self, size_t plen)
{
	struct lynx_wire_hdr h = {
		.version = 1,
		.type = 1,
		.len = htons(plen),
		.src_node = htonl(SRC_NODE),
		.dst_node = htonl(self->node),
		.src_port = htonl(SRC_PORT),
		.dst_port = htonl(WIRE_PORT),
	};
	return h;
}

/* Sends the Ethernet frame: header (csum filled unless keep_csum), payload
 * of plen bytes (only avail of them actually present).
 */
static int inject(FIXTURE_DATA(wire) *self, struct lynx_wire_hdr h,
		  const char *pl, size_t plen, size_t avail, int keep_csum)
{
	uint8_t frame[1514];
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_LYNX),
		.sll_ifindex = self->ifindex0,
		.sll_halen = ETH_ALEN,
	};
	size_t n = sizeof(*eth) + sizeof(h) + avail;

	if (!keep_csum) {
		h.csum = 0;
		h.csum = lynx_wire_csum(&h, pl, plen);
	}
	memcpy(eth->h_dest, self->mac1, ETH_ALEN);
	memcpy(eth->h_source, self->mac0, ETH_ALEN);
	eth->h_proto = htons(ETH_P_LYNX);
	memcpy(frame + sizeof(*eth), &h, sizeof(h));
	memcpy(frame + sizeof(*eth) + sizeof(h), pl, avail);
	memcpy(ll.sll_addr, self->mac1, ETH_ALEN);
	return sendto(self->pkt, frame, n, 0, (struct sockaddr *)&ll,
		      sizeof(ll)) == (ssize_t)n ? 0 : -1;
}

/*
 * Injects a good frame behind whatever was injected before and checks that
 * it, and only it, is delivered.
 */
static void expect_only_good(struct __test_metadata *_metadata,
			     FIXTURE_DATA(wire) *self)
{
	struct sockaddr_lynx from;
	socklen_t alen = sizeof(from);
	char buf[64];

	ASSERT_EQ(0, inject(self, good_hdr(self, 4), "GOOD", 4, 4, 0));
	if (lynx_poll_for(self->sk, POLLIN, 3000) != POLLIN)
		lynx_sh("cat /proc/net/lynx_stat; ip -s link show w1 >&2");
	ASSERT_EQ(POLLIN, lynx_poll1(self->sk, POLLIN, 0))
		TH_LOG("the well-formed frame was not delivered");
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, recvfrom(self->sk, buf, sizeof(buf), MSG_DONTWAIT,
			      (struct sockaddr *)&from, &alen));
	EXPECT_STREQ("GOOD", buf);
	EXPECT_EQ(SRC_NODE, from.slx_node);
	EXPECT_EQ(SRC_PORT, from.slx_port);
	errno = 0;
	EXPECT_EQ(-1, recv(self->sk, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(wire, good_frame)
{
	long long in0 = lynx_stat("frames_in");

	expect_only_good(_metadata, self);
	EXPECT_LT(in0, lynx_stat("frames_in"));
}

/* Each bad frame bumps its counter by one and is not delivered. */
#define BAD_FRAME(name, counter, mangle, plen, avail, keep)		\
TEST_F(wire, name)							\
{									\
	long long c0 = lynx_stat(counter);				\
	struct lynx_wire_hdr h = good_hdr(self, plen);			\
	char pl[128];							\
									\
	ASSERT_LE(0, c0) TH_LOG("no %s in lynx_stat", counter);	\
	memset(pl, 'B', sizeof(pl));					\
	mangle;								\
	ASSERT_EQ(0, inject(self, h, pl, plen, avail, keep))		\
		TH_LOG("inject: %s", strerror(errno));			\
	expect_only_good(_metadata, self);				\
	EXPECT_EQ(c0 + 1, lynx_stat(counter));				\
}

/* len claims 100 payload bytes, the frame carries 10. */
BAD_FRAME(truncated, "drop_truncated", (void)0, 100, 10, 0)
BAD_FRAME(bad_version, "drop_version", h.version = 2, 8, 8, 0)
BAD_FRAME(bad_csum, "drop_csum",
	  (h.csum = lynx_wire_csum(&h, pl, 8) ^ htons(0x0100)), 8, 8, 1)
BAD_FRAME(reserved_set, "drop_malformed", h.reserved = 1, 8, 8, 0)
BAD_FRAME(bad_type, "drop_malformed", h.type = 9, 8, 8, 0)
BAD_FRAME(undefined_flag, "drop_malformed", h.flags = 0x80, 8, 8, 0)
BAD_FRAME(not_for_us, "drop_not_for_us",
	  h.dst_node = htonl(self->node ^ 0x00ff0000), 8, 8, 0)
BAD_FRAME(no_socket, "drop_no_socket", h.dst_port = htonl(WIRE_PORT + 1),
	  8, 8, 0)

/* Ethernet padding after the payload (len < frame) is ignored. */
TEST_F(wire, padding_ignored)
{
	char buf[64];
	char pl[40];
	struct lynx_wire_hdr h = good_hdr(self, 3);

	memset(pl, 0, sizeof(pl));
	memcpy(pl, "PAD", 3);
	h.csum = 0;
	h.csum = lynx_wire_csum(&h, pl, 3);
	ASSERT_EQ(0, inject(self, h, pl, 3, sizeof(pl), 1));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->sk, POLLIN, 3000));
	EXPECT_EQ(3, recv(self->sk, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, memcmp(buf, "PAD", 3));
}

TEST_HARNESS_MAIN
