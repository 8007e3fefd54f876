// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: datagrams between kernel lynx sockets in init_net.  Traffic to
 * this namespace's own node goes over lynxlo; traffic to a node nobody
 * has heard of is broadcast on every lynx segment device, here two made
 * by the case (on the shared segment each hears the other's copy, which
 * the receive path drops as not for us).
 *
 * Every socket and device a case makes sits in its struct dg_ctx
 * (test->priv), so the suite's exit frees them even when an assertion
 * ends a case early.  Ports are from 40500 up.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <linux/uio.h>
#include <linux/wait.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/lynx.h>
#include <net/lynx_dev.h>
#include "lynx_test.h"

#define DG_NSOCK	4
#define DG_NDEV		2
#define DG_TIMEOUT	LYNX_TEST_WAIT

/* A node id no namespace here has, nor any neighbour entry. */
#define DG_NODE_UNKNOWN	0x7e570002U

struct dg_ctx {
	struct socket		*socks[DG_NSOCK];
	struct net_device	*devs[DG_NDEV];
};

static int dg_init(struct kunit *test)
{
	struct dg_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void dg_exit(struct kunit *test)
{
	struct dg_ctx *ctx = test->priv;
	int i;

	if (!ctx)
		return;
	for (i = 0; i < DG_NSOCK; i++) {
		if (ctx->socks[i])
			sock_release(ctx->socks[i]);
		ctx->socks[i] = NULL;
	}
	for (i = 0; i < DG_NDEV; i++) {
		if (ctx->devs[i])
			unregister_netdev(ctx->devs[i]);
		ctx->devs[i] = NULL;
	}
}

/* A new SOCK_DGRAM kernel socket in slot @i, bound to @port unless 0. */
static struct socket *dg_sock(struct kunit *test, int i, u32 port)
{
	struct dg_ctx *ctx = test->priv;
	struct sockaddr_lynx slx = {
		.slx_family	= lynx_family,
		.slx_port	= port,
		.slx_node	= LYNX_NODE_ANY,
	};
	struct socket *sock;
	int err;

	KUNIT_ASSERT_LT(test, i, DG_NSOCK);
	err = sock_create_kern(&init_net, lynx_family, SOCK_DGRAM, 0, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	ctx->socks[i] = sock;
	if (port)
		KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&slx,
						  sizeof(slx)), 0);
	return sock;
}

static u32 dg_port(struct socket *sock)
{
	return READ_ONCE(lynx_sk(sock->sk)->port);
}

static u32 dg_own_node(void)
{
	return READ_ONCE(lynx_net(&init_net)->node);
}

static int dg_send(struct socket *sock, u32 node, u32 port, const void *buf,
		   size_t len)
{
	struct sockaddr_lynx slx = {
		.slx_family	= lynx_family,
		.slx_port	= port,
		.slx_node	= node,
	};

	return lynx_test_sendmsg(sock, &slx, buf, len, MSG_DONTWAIT);
}

/* Receives without blocking; @slx and @msg_flags get what recvmsg says. */
static int dg_recv(struct socket *sock, void *buf, size_t len, int flags,
		   struct sockaddr_lynx *slx, int *msg_flags)
{
	memset(slx, 0xa5, sizeof(*slx));
	return lynx_test_recvmsg(sock, buf, len, flags | MSG_DONTWAIT, slx,
				 msg_flags);
}

/* Waits up to DG_TIMEOUT for something to read; true if there is. */
static bool dg_wait_rx(struct socket *sock)
{
	struct sock *sk = sock->sk;

	wait_event_interruptible_timeout(*sk_sleep(sk),
					 !skb_queue_empty_lockless(&sk->sk_receive_queue),
					 DG_TIMEOUT);
	return !skb_queue_empty_lockless(&sk->sk_receive_queue);
}

/* Receives one datagram, waiting for it first; checks its source. */
static int dg_recv_from(struct kunit *test, struct socket *sock, void *buf,
			size_t len, int flags, u32 src_port, int *msg_flags)
{
	struct sockaddr_lynx slx;
	static const u8 zero[4];
	int ret;

	KUNIT_EXPECT_TRUE(test, dg_wait_rx(sock));
	ret = dg_recv(sock, buf, len, flags, &slx, msg_flags);
	if (ret < 0)
		return ret;
	KUNIT_EXPECT_EQ(test, slx.slx_family, (__kernel_sa_family_t)lynx_family);
	KUNIT_EXPECT_EQ(test, slx.slx_reserved, 0);
	KUNIT_EXPECT_EQ(test, slx.slx_node, dg_own_node());
	KUNIT_EXPECT_EQ(test, slx.slx_port, src_port);
	KUNIT_EXPECT_EQ(test, memcmp(slx.slx_zero, zero, sizeof(zero)), 0);
	return ret;
}

/* Nothing (more) to read. */
static void dg_expect_empty(struct kunit *test, struct socket *sock)
{
	struct sockaddr_lynx slx;
	u8 buf[8];
	int msg_flags;

	KUNIT_EXPECT_EQ(test, dg_recv(sock, buf, sizeof(buf), 0, &slx,
				      &msg_flags), -EAGAIN);
}

static void lynx_dgram_test_local_delivery(struct kunit *test)
{
	static const char hello[] = "hello, lynx";
	static const char again[] = "and again, to our node id";
	struct socket *r, *s;
	char buf[64];
	int msg_flags;

	r = dg_sock(test, 0, 40500);
	s = dg_sock(test, 1, 40501);

	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40500, hello,
				      sizeof(hello)), (int)sizeof(hello));
	KUNIT_ASSERT_EQ(test, dg_send(s, dg_own_node(), 40500, again,
				      sizeof(again)), (int)sizeof(again));

	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, sizeof(buf), 0, 40501,
					   &msg_flags), (int)sizeof(hello));
	KUNIT_EXPECT_FALSE(test, msg_flags & MSG_TRUNC);
	KUNIT_EXPECT_EQ(test, memcmp(buf, hello, sizeof(hello)), 0);

	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, sizeof(buf), 0, 40501,
					   &msg_flags), (int)sizeof(again));
	KUNIT_EXPECT_EQ(test, memcmp(buf, again, sizeof(again)), 0);

	dg_expect_empty(test, r);
	/* The sender heard nothing back. */
	dg_expect_empty(test, s);
}

/* An unbound sender is bound to an ephemeral port, which the peer sees. */
static void lynx_dgram_test_autobind_source(struct kunit *test)
{
	static const char ping[] = "ping";
	struct socket *r, *s;
	char buf[16];
	int msg_flags;

	r = dg_sock(test, 0, 40502);
	s = dg_sock(test, 1, 0);
	KUNIT_ASSERT_EQ(test, dg_port(s), 0U);
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40502, ping,
				      sizeof(ping)), (int)sizeof(ping));
	KUNIT_ASSERT_NE(test, dg_port(s), 0U);
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, sizeof(buf), 0,
					   dg_port(s), &msg_flags),
			(int)sizeof(ping));
	KUNIT_EXPECT_EQ(test, memcmp(buf, ping, sizeof(ping)), 0);
}

static void lynx_dgram_test_zero_length(struct kunit *test)
{
	struct socket *r, *s;
	char buf[16];
	int msg_flags;

	r = dg_sock(test, 0, 40503);
	s = dg_sock(test, 1, 40504);
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40503, NULL, 0), 0);
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, sizeof(buf), 0, 40504,
					   &msg_flags), 0);
	KUNIT_EXPECT_FALSE(test, msg_flags & MSG_TRUNC);
	dg_expect_empty(test, r);
}

static void lynx_dgram_test_trunc(struct kunit *test)
{
	struct socket *r, *s;
	u8 data[100], buf[sizeof(data)];
	int msg_flags, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = i * 7 + 1;
	r = dg_sock(test, 0, 40505);
	s = dg_sock(test, 1, 40506);

	/* Short buffer: the head, MSG_TRUNC, the rest is gone. */
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40505, data,
				      sizeof(data)), (int)sizeof(data));
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, 10, 0, 40506,
					   &msg_flags), 10);
	KUNIT_EXPECT_TRUE(test, msg_flags & MSG_TRUNC);
	KUNIT_EXPECT_EQ(test, memcmp(buf, data, 10), 0);
	KUNIT_EXPECT_EQ(test, buf[10], 0);
	dg_expect_empty(test, r);

	/* With MSG_TRUNC asked for: the real length is returned. */
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40505, data,
				      sizeof(data)), (int)sizeof(data));
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, 10, MSG_TRUNC, 40506,
					   &msg_flags), (int)sizeof(data));
	KUNIT_EXPECT_TRUE(test, msg_flags & MSG_TRUNC);
	KUNIT_EXPECT_EQ(test, memcmp(buf, data, 10), 0);
	KUNIT_EXPECT_EQ(test, buf[10], 0);
	dg_expect_empty(test, r);

	/* A buffer of exactly the datagram's size is not short. */
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40505, data,
				      sizeof(data)), (int)sizeof(data));
	KUNIT_EXPECT_EQ(test, dg_recv_from(test, r, buf, sizeof(buf), MSG_TRUNC,
					   40506, &msg_flags),
			(int)sizeof(data));
	KUNIT_EXPECT_FALSE(test, msg_flags & MSG_TRUNC);
	KUNIT_EXPECT_EQ(test, memcmp(buf, data, sizeof(data)), 0);
}

/* A connected socket sending to a port nobody has hears ECONNREFUSED. */
static void lynx_dgram_test_refused(struct kunit *test)
{
	struct sockaddr_lynx peer = {
		.slx_family	= lynx_family,
		.slx_port	= 40599,
		.slx_node	= LYNX_NODE_LOCAL,
	};
	struct sockaddr_lynx slx;
	struct socket *s;
	struct sock *sk;
	u8 buf[8] = {};
	int msg_flags;

	s = dg_sock(test, 0, 40507);
	sk = s->sk;
	KUNIT_ASSERT_EQ(test, kernel_connect(s, (struct sockaddr *)&peer,
					     sizeof(peer), 0), 0);
	KUNIT_ASSERT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40599, buf,
				      sizeof(buf)), (int)sizeof(buf));
	wait_event_interruptible_timeout(*sk_sleep(sk), READ_ONCE(sk->sk_err),
					 DG_TIMEOUT);
	KUNIT_EXPECT_EQ(test, dg_recv(s, buf, sizeof(buf), 0, &slx, &msg_flags),
			-ECONNREFUSED);
	/* Reported once. */
	KUNIT_EXPECT_EQ(test, READ_ONCE(sk->sk_err), 0);
	dg_expect_empty(test, s);
}

/* Whether init_net has a running lynx segment device. */
static bool dg_have_segment_dev(void)
{
	struct lynx_net *ln = lynx_net(&init_net);
	struct net_device *dev;
	bool found = false;

	rcu_read_lock();
	for_each_netdev_rcu(&init_net, dev)
		if (dev != ln->lo && lynx_dev_is_lynx(dev) &&
		    netif_running(dev))
			found = true;
	rcu_read_unlock();
	return found;
}

/* Waits up to LYNX_TEST_WAIT for the counter at @off to reach @want. */
static u64 dg_wait_stat(struct net_device *dev, size_t off, u64 want)
{
	lynx_test_wait_until(lynx_test_dev_stat(dev, off) >= want);
	return lynx_test_dev_stat(dev, off);
}

#define DG_WAIT_STAT(dev, field, want) \
	dg_wait_stat(dev, offsetof(struct rtnl_link_stats64, field), want)

/* To a node nobody has heard of: a broadcast on every segment device
 * (each hears the other's copy and drops it as not for us), nothing on
 * lynxlo, nothing delivered to the local socket at the port.
 */
static void lynx_dgram_test_unknown_node_flood(struct kunit *test)
{
	const unsigned int flen = ETH_HLEN + LYNX_HLEN + 64;
	struct dg_ctx *ctx = test->priv;
	struct net_device *a, *b, *lo = lynx_net(&init_net)->lo;
	u64 a_tx, a_txb, a_rx, b_tx, b_txb, b_rx, lo_tx;
	unsigned long not_for_us;
	struct socket *r, *s;
	u8 data[300];
	int i, err;

	if (dg_own_node() == DG_NODE_UNKNOWN)
		kunit_skip(test, "this namespace's node is the unknown one");
	memset(data, 0x5a, sizeof(data));
	r = dg_sock(test, 0, 40510);
	s = dg_sock(test, 1, 40511);

	/* No segment device yet: no way there. */
	if (!dg_have_segment_dev())
		KUNIT_EXPECT_EQ(test, dg_send(s, DG_NODE_UNKNOWN, 40510, data,
					      64), -ENETUNREACH);

	for (i = 0; i < DG_NDEV; i++) {
		struct net_device *dev;

		dev = lynx_dev_create(&init_net, i ? "lxkt1" : "lxkt0");
		KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(dev), "lxkt%d: %ld", i,
				       PTR_ERR(dev));
		ctx->devs[i] = dev;
		KUNIT_EXPECT_TRUE(test, netif_running(dev));
	}
	a = ctx->devs[0];
	b = ctx->devs[1];

	a_tx = LYNX_TEST_DEV_STAT(a, tx_packets);
	a_txb = LYNX_TEST_DEV_STAT(a, tx_bytes);
	a_rx = LYNX_TEST_DEV_STAT(a, rx_packets);
	b_tx = LYNX_TEST_DEV_STAT(b, tx_packets);
	b_txb = LYNX_TEST_DEV_STAT(b, tx_bytes);
	b_rx = LYNX_TEST_DEV_STAT(b, rx_packets);
	lo_tx = LYNX_TEST_DEV_STAT(lo, tx_packets);
	not_for_us = lynx_test_mib(LYNX_MIB_DROP_NOT_FOR_US);

	KUNIT_ASSERT_EQ(test, dg_send(s, DG_NODE_UNKNOWN, 40510, data, 64), 64);

	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(a, tx_packets, a_tx + 1), a_tx + 1);
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(b, tx_packets, b_tx + 1), b_tx + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_bytes), a_txb + flen);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, tx_bytes), b_txb + flen);
	/* On the hub, each device hears the other's broadcast. */
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(a, rx_packets, a_rx + 1), a_rx + 1);
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(b, rx_packets, b_rx + 1), b_rx + 1);
	lynx_test_wait_until(lynx_test_mib(LYNX_MIB_DROP_NOT_FOR_US) >=
			     not_for_us + 2);
	KUNIT_EXPECT_GE(test, lynx_test_mib(LYNX_MIB_DROP_NOT_FOR_US),
			not_for_us + 2);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(lo, tx_packets), lo_tx);

	/* And none of it reached the socket bound to the port here. */
	msleep(50);
	KUNIT_EXPECT_TRUE(test,
			  skb_queue_empty_lockless(&r->sk->sk_receive_queue));
	dg_expect_empty(test, r);
	dg_expect_empty(test, s);

	/* The path MTU is the smallest of the devices'. */
	a_tx = LYNX_TEST_DEV_STAT(a, tx_packets);
	b_tx = LYNX_TEST_DEV_STAT(b, tx_packets);
	rtnl_lock();
	err = dev_set_mtu(b, LYNX_HLEN + 100);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, dg_send(s, DG_NODE_UNKNOWN, 40510, data, 101),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, dg_send(s, DG_NODE_UNKNOWN, 40510, data, 100),
			100);
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(a, tx_packets, a_tx + 1), a_tx + 1);
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(b, tx_packets, b_tx + 1), b_tx + 1);

	/* A device that is down is not flooded, nor counts for the MTU. */
	rtnl_lock();
	dev_close(b);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, dg_send(s, DG_NODE_UNKNOWN, 40510, data, 200),
			200);
	KUNIT_EXPECT_EQ(test, DG_WAIT_STAT(a, tx_packets, a_tx + 2), a_tx + 2);
	msleep(20);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, tx_packets), b_tx + 1);

	/* Local traffic still goes over lynxlo, not the segment. */
	a_tx = LYNX_TEST_DEV_STAT(a, tx_packets);
	KUNIT_EXPECT_EQ(test, dg_send(s, LYNX_NODE_LOCAL, 40510, data, 64), 64);
	KUNIT_EXPECT_TRUE(test, dg_wait_rx(r));
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_packets), a_tx);
}

static struct kunit_case dg_test_cases[] = {
	KUNIT_CASE(lynx_dgram_test_local_delivery),
	KUNIT_CASE(lynx_dgram_test_autobind_source),
	KUNIT_CASE(lynx_dgram_test_zero_length),
	KUNIT_CASE(lynx_dgram_test_trunc),
	KUNIT_CASE(lynx_dgram_test_refused),
	KUNIT_CASE(lynx_dgram_test_unknown_node_flood),
	{}
};

static struct kunit_suite dg_suite = {
	.name = "lynx_dgram",
	.init = dg_init,
	.exit = dg_exit,
	.test_cases = dg_test_cases,
};

kunit_test_suite(dg_suite);
