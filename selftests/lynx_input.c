// SPDX-License-Identifier: GPL-2.0
/*
 * Where lynx accepts frames from, and which: a well-formed lynx frame that
 * arrives on a device that is not lynx's (here a veth, as it would on eth0
 * from a LAN host) is dropped and counted in drop_device, never delivered;
 * a frame whose source node is one no host can have (0, LYNX_NODE_LOCAL,
 * LYNX_NODE_ANY) is dropped as malformed; net.lynx.node refuses the
 * reserved ids.  Frames are injected with AF_PACKET, as in lynx_wire.
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

#define IN_PORT		7600
#define SRC_NODE	0x0a0b0c0e
#define SRC_PORT	4243

/*
 * w0 -> w1: two lynx devices on the segment; v0 -> v1: a veth pair.  All
 * in a namespace of the test's own, the test pinned to one CPU so that
 * frames injected one after the other are received in that order.
 */
FIXTURE(input)
{
	int pkt;		/* AF_PACKET, sends on any device */
	int sk;			/* lynx datagram socket on IN_PORT */
	int ifw0, ifv0;
	uint8_t macw1[ETH_ALEN], macv0[ETH_ALEN], macv1[ETH_ALEN];
	uint8_t macw0[ETH_ALEN];
	uint32_t node;
};

FIXTURE_SETUP(input)
{
	cpu_set_t set;

	self->pkt = self->sk = -1;
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(set), &set));
	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, lynx_sh("ip link add w0 up type lynx && "
			     "ip link add w1 up type lynx && "
			     "ip link add v0 type veth peer name v1 && "
			     "ip link set v0 up && ip link set v1 up"));
	self->ifw0 = if_nametoindex("w0");
	self->ifv0 = if_nametoindex("v0");
	ASSERT_LT(0, self->ifw0);
	ASSERT_LT(0, self->ifv0);
	ASSERT_EQ(0, lynx_dev_mac("w0", self->macw0));
	ASSERT_EQ(0, lynx_dev_mac("w1", self->macw1));
	ASSERT_EQ(0, lynx_dev_mac("v0", self->macv0));
	ASSERT_EQ(0, lynx_dev_mac("v1", self->macv1));
	self->node = lynx_node();
	ASSERT_NE(0, self->node);

	self->pkt = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_LYNX));
	ASSERT_LE(0, self->pkt);
	self->sk = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->sk);
	ASSERT_EQ(0, lynx_bind(self->sk, LYNX_NODE_ANY, IN_PORT));
}

FIXTURE_TEARDOWN(input)
{
	close(self->pkt);
	close(self->sk);
}

static struct lynx_wire_hdr good_hdr(FIXTURE_DATA(input) *self, size_t plen)
{
	struct lynx_wire_hdr h = {
		.version = 1,
		.type = 1,
		.len = htons(plen),
		.src_node = htonl(SRC_NODE),
		.dst_node = htonl(self->node),
		.src_port = htonl(SRC_PORT),
		.dst_port = htonl(IN_PORT),
	};
	return h;
}

/* Sends header h (checksum filled in) and payload pl out of ifindex. */
static int inject(FIXTURE_DATA(input) *self, int ifindex, const uint8_t *src,
		  const uint8_t *dst, struct lynx_wire_hdr h, const char *pl,
		  size_t plen)
{
	uint8_t frame[256];
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_LYNX),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};
	size_t n = sizeof(*eth) + sizeof(h) + plen;

	h.csum = 0;
	h.csum = lynx_wire_csum(&h, pl, plen);
	memcpy(eth->h_dest, dst, ETH_ALEN);
	memcpy(eth->h_source, src, ETH_ALEN);
	eth->h_proto = htons(ETH_P_LYNX);
	memcpy(frame + sizeof(*eth), &h, sizeof(h));
	memcpy(frame + sizeof(*eth) + sizeof(h), pl, plen);
	memcpy(ll.sll_addr, dst, ETH_ALEN);
	return sendto(self->pkt, frame, n, 0, (struct sockaddr *)&ll,
		      sizeof(ll)) == (ssize_t)n ? 0 : -1;
}

/* A good frame on the lynx segment, w0 -> w1. */
static int inject_lynx(FIXTURE_DATA(input) *self, struct lynx_wire_hdr h,
		       const char *pl, size_t plen)
{
	return inject(self, self->ifw0, self->macw0, self->macw1, h, pl,
		      plen);
}

/*
 * Injects a good frame on the segment behind whatever was injected before
 * (same CPU, so received after it) and checks that it, and only it, is
 * delivered.
 */
static void expect_only_good(struct __test_metadata *_metadata,
			     FIXTURE_DATA(input) *self)
{
	struct sockaddr_lynx from;
	socklen_t alen = sizeof(from);
	char buf[64];

	ASSERT_EQ(0, inject_lynx(self, good_hdr(self, 4), "GOOD", 4));
	ASSERT_EQ(POLLIN, lynx_poll1(self->sk, POLLIN, 3000))
		TH_LOG("the well-formed frame was not delivered");
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(4, recvfrom(self->sk, buf, sizeof(buf), MSG_DONTWAIT,
			      (struct sockaddr *)&from, &alen));
	EXPECT_STREQ("GOOD", buf)
		TH_LOG("a frame that must be dropped was delivered first");
	EXPECT_EQ(SRC_NODE, from.slx_node);
	errno = 0;
	EXPECT_EQ(-1, recv(self->sk, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/* What arrives on a veth is not lynx's: dropped, counted, not delivered. */
TEST_F(input, veth_frame_dropped)
{
	long long in0 = lynx_stat("frames_in");
	long long dev0 = lynx_stat("drop_device");
	char pl[8] = "FOREIGN";

	ASSERT_LE(0, in0);
	ASSERT_EQ(0, inject(self, self->ifv0, self->macv0, self->macv1,
			    good_hdr(self, sizeof(pl)), pl, sizeof(pl)))
		TH_LOG("inject on v0: %s", strerror(errno));
	expect_only_good(_metadata, self);
	ASSERT_LE(0, dev0) TH_LOG("no drop_device in lynx_stat");
	EXPECT_EQ(dev0 + 1, lynx_stat("drop_device"));
	EXPECT_EQ(in0 + 2, lynx_stat("frames_in"));
}

/* The same with a broadcast destination, as a LAN host would flood it. */
TEST_F(input, veth_broadcast_dropped)
{
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	long long dev0 = lynx_stat("drop_device");
	char pl[8] = "FOREIGN";

	ASSERT_EQ(0, inject(self, self->ifv0, self->macv0, bcast,
			    good_hdr(self, sizeof(pl)), pl, sizeof(pl)));
	expect_only_good(_metadata, self);
	ASSERT_LE(0, dev0) TH_LOG("no drop_device in lynx_stat");
	EXPECT_EQ(dev0 + 1, lynx_stat("drop_device"));
}

/* A source node no host can have: dropped as malformed, not delivered. */
#define BAD_SRC(name, src)						\
TEST_F(input, name)							\
{									\
	long long c0 = lynx_stat("drop_malformed");			\
	struct lynx_wire_hdr h = good_hdr(self, 3);				\
									\
	ASSERT_LE(0, c0);						\
	h.src_node = htonl(src);					\
	ASSERT_EQ(0, inject_lynx(self, h, "BAD", 3));			\
	expect_only_good(_metadata, self);				\
	EXPECT_EQ(c0 + 1, lynx_stat("drop_malformed"));			\
}

BAD_SRC(src_node_zero, 0)
BAD_SRC(src_node_local, LYNX_NODE_LOCAL)
BAD_SRC(src_node_any, LYNX_NODE_ANY)

/* net.lynx.node refuses the reserved ids and keeps its value. */
TEST_F(input, sysctl_node_reserved)
{
	static const char *const bad[] = { "0", "1", "4294967295" };
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EINVAL, lynx_write_file(LYNX_SYSCTL_NODE, bad[i]))
			TH_LOG("net.lynx.node accepted %s", bad[i]);
		EXPECT_EQ(self->node, lynx_node());
	}
	EXPECT_EQ(0, lynx_write_file(LYNX_SYSCTL_NODE, "2"));
	EXPECT_EQ(2, lynx_node());
}

TEST_HARNESS_MAIN
