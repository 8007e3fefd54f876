// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the lynx device.  Three segment devices per case; frames of a
 * private EtherType (so lynx's own handler ignores them) are sent with
 * dev_queue_xmit() through the qdisc and counted by a packet_type here and
 * by the devices' statistics.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/if_arp.h>
#include <linux/cred.h>
#include <linux/etherdevice.h>
#include <linux/kthread.h>
#include <linux/rtnetlink.h>
#include <net/sch_generic.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>
#include <net/lynx_dev.h>
#include "lynx_test.h"

#define DT_ETH_P	0x88B6	/* local experimental EtherType 2 */
#define DT_NDEV		6	/* a, b, c, lynxlo, and d, e of lynx_dev_test_segments */
#define DT_LEN		100

static struct net_device *dt_devs[DT_NDEV];
static atomic_t dt_rx[DT_NDEV];
/* As dt_rx, frames for another host (heard when promiscuous) included. */
static atomic_t dt_rx_any[DT_NDEV];
static bool dt_pack_added;

static int dt_rcv(struct sk_buff *skb, struct net_device *dev,
		  struct packet_type *pt, struct net_device *orig_dev)
{
	int i;

	for (i = 0; i < DT_NDEV; i++) {
		if (dev != READ_ONCE(dt_devs[i]) || skb->len != DT_LEN)
			continue;
		atomic_inc(&dt_rx_any[i]);
		if (skb->pkt_type != PACKET_OTHERHOST)
			atomic_inc(&dt_rx[i]);
	}
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type dt_pt = {
	.type	= cpu_to_be16(DT_ETH_P),
	.func	= dt_rcv,
};

static int dt_init(struct kunit *test)
{
	int i;

	for (i = 0; i < DT_NDEV; i++) {
		atomic_set(&dt_rx[i], 0);
		atomic_set(&dt_rx_any[i], 0);
		dt_devs[i] = NULL;
	}
	for (i = 0; i < 3; i++) {
		dt_devs[i] = lynx_dev_create(&init_net, "lxdt%d");
		if (IS_ERR(dt_devs[i])) {
			int err = PTR_ERR(dt_devs[i]);

			dt_devs[i] = NULL;
			return err;
		}
	}
	dev_add_pack(&dt_pt);
	dt_pack_added = true;
	return 0;
}

static void dt_exit(struct kunit *test)
{
	int i;

	if (dt_pack_added)
		dev_remove_pack(&dt_pt);
	dt_pack_added = false;
	for (i = 0; i < 3; i++)
		if (dt_devs[i])
			unregister_netdev(dt_devs[i]);
}

static int dt_send(struct net_device *from, const u8 *dest, unsigned int len)
{
	struct sk_buff *skb;
	int hlen = LL_RESERVED_SPACE(from);

	skb = alloc_skb(hlen + len, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, hlen);
	memset(skb_put(skb, len), 0x42, len);
	skb_reset_network_header(skb);
	skb->dev = from;
	skb->protocol = htons(DT_ETH_P);
	if (dev_hard_header(skb, from, DT_ETH_P, dest, NULL, len) < 0) {
		kfree_skb(skb);
		return -EINVAL;
	}
	return dev_queue_xmit(skb);
}

/* Waits (up to LYNX_TEST_WAIT) for @i's handler count to reach @want, then
 * a little for strays; returns it.
 */
static int dt_wait(int i, int want)
{
	lynx_test_wait_until(atomic_read(&dt_rx[i]) >= want);
	msleep(20);	/* and for strays */
	return atomic_read(&dt_rx[i]);
}

static void lynx_dev_test_properties(struct kunit *test)
{
	struct net_device *a = dt_devs[0];

	KUNIT_EXPECT_TRUE(test, lynx_dev_is_lynx(a));
	KUNIT_EXPECT_FALSE(test, lynx_dev_is_lynx(init_net.loopback_dev));
	/* init_net's user namespace owns segment 0: its raw sockets see it. */
	KUNIT_EXPECT_TRUE(test, lynx_dev_raw_ok(a));
	KUNIT_EXPECT_FALSE(test, lynx_dev_raw_ok(init_net.loopback_dev));
	KUNIT_EXPECT_STREQ(test, a->rtnl_link_ops->kind, "lynx");
	KUNIT_EXPECT_EQ(test, a->type, ARPHRD_ETHER);
	/* a segment never leaves memory: as large as lynxlo's */
	KUNIT_EXPECT_EQ(test, a->mtu, (unsigned int)ETH_MAX_MTU);
	KUNIT_EXPECT_EQ(test, a->tx_queue_len, 1000U);
	KUNIT_EXPECT_TRUE(test, is_valid_ether_addr(a->dev_addr));
	KUNIT_EXPECT_FALSE(test, ether_addr_equal(a->dev_addr,
						  dt_devs[1]->dev_addr));
	KUNIT_EXPECT_FALSE(test, a->priv_flags & IFF_NO_QUEUE);
	KUNIT_EXPECT_FALSE(test, lynx_netdev_lltx(a));
	KUNIT_EXPECT_FALSE(test, lynx_netdev_netns_local(a));
	rtnl_lock();
	KUNIT_EXPECT_STRNEQ(test, rtnl_dereference(a->qdisc)->ops->id,
			    "noqueue");
	rtnl_unlock();
}

static void lynx_dev_test_mtu(struct kunit *test)
{
	struct net_device *a = dt_devs[0];

	rtnl_lock();
	KUNIT_EXPECT_EQ(test, dev_set_mtu(a, LYNX_HLEN), -EINVAL);
	KUNIT_EXPECT_EQ(test, dev_set_mtu(a, LYNX_HLEN + 1), 0);
	KUNIT_EXPECT_EQ(test, a->mtu, (unsigned int)LYNX_HLEN + 1);
	KUNIT_EXPECT_EQ(test, dev_set_mtu(a, 65535), 0);
	KUNIT_EXPECT_EQ(test, dev_set_mtu(a, 65536), -EINVAL);
	KUNIT_EXPECT_EQ(test, a->mtu, 65535U);
	KUNIT_EXPECT_EQ(test, dev_set_mtu(a, 1500), 0);
	rtnl_unlock();
}

static void lynx_dev_test_unicast(struct kunit *test)
{
	struct net_device *a = dt_devs[0], *b = dt_devs[1], *c = dt_devs[2];
	u64 a_tx = LYNX_TEST_DEV_STAT(a, tx_packets), a_txb = LYNX_TEST_DEV_STAT(a, tx_bytes);
	u64 a_rx = LYNX_TEST_DEV_STAT(a, rx_packets), b_tx = LYNX_TEST_DEV_STAT(b, tx_packets);
	u64 b_rx = LYNX_TEST_DEV_STAT(b, rx_packets), b_rxb = LYNX_TEST_DEV_STAT(b, rx_bytes);
	u64 c_rx = LYNX_TEST_DEV_STAT(c, rx_packets);

	KUNIT_ASSERT_EQ(test, dt_send(a, b->dev_addr, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[2]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[0]), 0);

	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_packets), a_tx + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_bytes), a_txb + ETH_HLEN + DT_LEN);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, rx_packets), a_rx);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_packets), b_rx + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_bytes), b_rxb + ETH_HLEN + DT_LEN);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, tx_packets), b_tx);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(c, rx_packets), c_rx);
}

static void lynx_dev_test_broadcast(struct kunit *test)
{
	struct net_device *a = dt_devs[0];
	u64 a_tx = LYNX_TEST_DEV_STAT(a, tx_packets);

	KUNIT_ASSERT_EQ(test, dt_send(a, a->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 1), 1);
	KUNIT_EXPECT_EQ(test, dt_wait(2, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[0]), 0);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_packets), a_tx + 1);
}

/* Sent to a MAC nobody has: gone, counted as sent, nothing received.
 * A broadcast sent after it is the witness: a's one queue transmits in
 * order, and a peer's rx_packets counts a frame when the segment hands it
 * over, so once b and c have the broadcast, a delivered stray would be
 * counted already.  (No wait for something not to happen.)
 */
static void lynx_dev_test_unknown_unicast(struct kunit *test)
{
	static const u8 nobody[ETH_ALEN] = { 0x02, 0, 0xde, 0xad, 0xbe, 0xef };
	struct net_device *a = dt_devs[0], *b = dt_devs[1], *c = dt_devs[2];
	u64 a_tx = LYNX_TEST_DEV_STAT(a, tx_packets), b_rx = LYNX_TEST_DEV_STAT(b, rx_packets);
	u64 b_drop = LYNX_TEST_DEV_STAT(b, rx_dropped), c_rx = LYNX_TEST_DEV_STAT(c, rx_packets);

	KUNIT_ASSERT_EQ(test, dt_send(a, nobody, DT_LEN), 0);
	KUNIT_ASSERT_EQ(test, dt_send(a, a->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 1), 1);
	KUNIT_EXPECT_EQ(test, dt_wait(2, 1), 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_packets), a_tx + 2);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_packets), b_rx + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(c, rx_packets), c_rx + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_dropped), b_drop);
}

/* A device that is down hears nothing. */
static void lynx_dev_test_peer_down(struct kunit *test)
{
	struct net_device *a = dt_devs[0], *c = dt_devs[2];

	rtnl_lock();
	dev_close(c);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, dt_send(a, a->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[2]), 0);
}

/* Bigger than the receiver's MTU: dropped there, counted there. */
static void lynx_dev_test_over_mtu(struct kunit *test)
{
	struct net_device *a = dt_devs[0], *b = dt_devs[1];
	u64 b_rx, b_drop;
	int err;

	rtnl_lock();
	err = dev_set_mtu(b, 60);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	b_rx = LYNX_TEST_DEV_STAT(b, rx_packets);
	b_drop = LYNX_TEST_DEV_STAT(b, rx_dropped);
	KUNIT_ASSERT_EQ(test, dt_send(a, b->dev_addr, DT_LEN), 0);
	/* The drop is the witness: the frame can arrive no more after it. */
	lynx_test_wait_until(LYNX_TEST_DEV_STAT(b, rx_dropped) != b_drop);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_dropped), b_drop + 1);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_packets), b_rx);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[1]), 0);
}

/* lynxlo hears whatever it sends, and is on no segment. */
static void lynx_dev_test_lo(struct kunit *test)
{
	static const u8 other[ETH_ALEN] = { 0x02, 0, 0, 0, 0x10, 0x01 };
	struct net_device *lo;
	u64 tx, rx;

	lo = dev_get_by_name(&init_net, LYNX_LO_NAME);
	if (!lo)
		kunit_skip(test, "no " LYNX_LO_NAME " in init_net");
	WRITE_ONCE(dt_devs[3], lo);
	KUNIT_EXPECT_TRUE(test, lynx_dev_is_lynx(lo));
	KUNIT_EXPECT_TRUE(test, lynx_netdev_netns_local(lo));
	KUNIT_EXPECT_PTR_EQ(test, lo->rtnl_link_ops, NULL);
	KUNIT_EXPECT_TRUE(test, lynx_dev_raw_ok(lo));

	tx = LYNX_TEST_DEV_STAT(lo, tx_packets);
	rx = LYNX_TEST_DEV_STAT(lo, rx_packets);
	KUNIT_EXPECT_EQ(test, dt_send(lo, other, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_send(lo, lo->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(3, 2), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[1]), 0);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(lo, tx_packets), tx + 2);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(lo, rx_packets), rx + 2);

	/* Nor does it hear the segment. */
	KUNIT_EXPECT_EQ(test, dt_send(dt_devs[0], lo->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx[3]), 2);

	WRITE_ONCE(dt_devs[3], NULL);
	synchronize_net();
	dev_put(lo);
}

/* Segment numbers no other test uses. */
#define DT_SEG		0x5e6
#define DT_SEG_NEW	0x5e7

/* A frame reaches the devices of its own segment only. */
static void lynx_dev_test_segments(struct kunit *test)
{
	struct net_device *a = dt_devs[0], *d, *e;
	int err;

	KUNIT_ASSERT_EQ(test, lynx_segment_devices(DT_SEG), 0U);
	d = lynx_dev_create_on(&init_net, "lxdt%d", DT_SEG);
	KUNIT_ASSERT_FALSE(test, IS_ERR(d));
	e = lynx_dev_create_on(&init_net, "lxdt%d", DT_SEG);
	if (IS_ERR(e)) {
		unregister_netdev(d);
		KUNIT_FAIL(test, "second device on segment %#x: %ld", DT_SEG,
			   PTR_ERR(e));
		return;
	}
	WRITE_ONCE(dt_devs[4], d);
	WRITE_ONCE(dt_devs[5], e);
	KUNIT_EXPECT_EQ(test, lynx_dev_segment(a), (u32)LYNX_SEGMENT_DEFAULT);
	KUNIT_EXPECT_EQ(test, lynx_dev_segment(d), (u32)DT_SEG);
	KUNIT_EXPECT_EQ(test, lynx_segment_devices(DT_SEG), 2U);
	/* d listens to everything, as a sniffer would. */
	rtnl_lock();
	err = dev_set_promiscuity(d, 1);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, 0);

	/* The default segment's broadcast and unicast stay there. */
	KUNIT_EXPECT_EQ(test, dt_send(a, a->broadcast, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_send(a, dt_devs[1]->dev_addr, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_wait(1, 2), 2);
	KUNIT_EXPECT_EQ(test, dt_wait(2, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[4]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[5]), 0);
	/* ... and a frame for a's MAC sent on segment DT_SEG misses a. */
	KUNIT_EXPECT_EQ(test, dt_send(e, a->dev_addr, DT_LEN), 0);
	KUNIT_EXPECT_EQ(test, dt_send(e, e->broadcast, DT_LEN), 0);
	/* (in order: both went through e's qdisc and one backlog) */
	KUNIT_EXPECT_EQ(test, dt_wait(4, 1), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[4]), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[0]), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[1]), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&dt_rx_any[2]), 1);

	/* The segment goes with its last device. */
	WRITE_ONCE(dt_devs[4], NULL);
	unregister_netdev(d);
	KUNIT_EXPECT_EQ(test, lynx_segment_devices(DT_SEG), 1U);
	WRITE_ONCE(dt_devs[5], NULL);
	unregister_netdev(e);
	KUNIT_EXPECT_EQ(test, lynx_segment_devices(DT_SEG), 0U);
}

/* Without CAP_NET_ADMIN, no device joins or makes a segment. */
static void lynx_dev_test_segment_needs_cap(struct kunit *test)
{
	unsigned int on0 = lynx_segment_devices(LYNX_SEGMENT_DEFAULT);
	const struct cred *old;
	struct net_device *d0, *dn;
	struct cred *c;

	c = prepare_creds();
	KUNIT_ASSERT_NOT_NULL(test, c);
	cap_lower(c->cap_effective, CAP_NET_ADMIN);
	old = override_creds(c);
	d0 = lynx_dev_create_on(&init_net, "lxdt%d", LYNX_SEGMENT_DEFAULT);
	dn = lynx_dev_create_on(&init_net, "lxdt%d", DT_SEG_NEW);
	revert_creds(old);
	put_cred(c);

	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(d0), -EPERM);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(dn), -EPERM);
	if (!IS_ERR(d0))
		unregister_netdev(d0);
	if (!IS_ERR(dn))
		unregister_netdev(dn);
	KUNIT_EXPECT_EQ(test, lynx_segment_devices(DT_SEG_NEW), 0U);
	KUNIT_EXPECT_EQ(test, lynx_segment_devices(LYNX_SEGMENT_DEFAULT), on0);
}

static int dt_flood(void *arg)
{
	struct net_device *a = arg;

	while (!kthread_should_stop()) {
		dt_send(a, a->broadcast, DT_LEN);
		cond_resched();
	}
	return 0;
}

/* Receivers, then the sender, go away while broadcasts fly: each step
 * waits until frames are seen flying (not for a while), so every
 * unregister happens under traffic.
 */
static void lynx_dev_test_unregister_under_traffic(struct kunit *test)
{
	struct net_device *a = dt_devs[0], *b = dt_devs[1], *c = dt_devs[2];
	struct task_struct *t;
	u64 a_tx;
	int c_rx;

	t = kthread_run(dt_flood, a, "lynx-dt-flood");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(atomic_read(&dt_rx[1]) &&
						     atomic_read(&dt_rx[2])));
	WRITE_ONCE(dt_devs[1], NULL);
	unregister_netdev(b);
	c_rx = atomic_read(&dt_rx[2]);
	KUNIT_EXPECT_TRUE(test,
			  lynx_test_wait_until(atomic_read(&dt_rx[2]) > c_rx));
	WRITE_ONCE(dt_devs[2], NULL);
	unregister_netdev(c);
	a_tx = LYNX_TEST_DEV_STAT(a, tx_packets);
	KUNIT_EXPECT_TRUE(test,
			  lynx_test_wait_until(LYNX_TEST_DEV_STAT(a, tx_packets) > a_tx));
	kthread_stop(t);
}

static struct kunit_case dt_cases[] = {
	KUNIT_CASE(lynx_dev_test_properties),
	KUNIT_CASE(lynx_dev_test_mtu),
	KUNIT_CASE(lynx_dev_test_unicast),
	KUNIT_CASE(lynx_dev_test_broadcast),
	KUNIT_CASE(lynx_dev_test_unknown_unicast),
	KUNIT_CASE(lynx_dev_test_peer_down),
	KUNIT_CASE(lynx_dev_test_over_mtu),
	KUNIT_CASE(lynx_dev_test_lo),
	KUNIT_CASE(lynx_dev_test_segments),
	KUNIT_CASE(lynx_dev_test_segment_needs_cap),
	KUNIT_CASE(lynx_dev_test_unregister_under_traffic),
	{}
};

static struct kunit_suite dt_suite = {
	.name = "lynx_dev",
	.init = dt_init,
	.exit = dt_exit,
	.test_cases = dt_cases,
};

kunit_test_suite(dt_suite);
