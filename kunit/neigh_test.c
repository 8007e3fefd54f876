// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the neighbour table.  Each case gets a private table (a zeroed
 * struct lynx_net that belongs to no namespace) and two running lynx
 * devices; the notifier cases use init_net's own table.
 */
#include <kunit/test.h>
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/rtnetlink.h>
#include <linux/seq_file.h>
#include <net/lynx.h>
#include <net/lynx_dev.h>
#include <net/lynx_neigh.h>

struct nt_ctx {
	struct lynx_net		*ln;
	struct net_device	*a;
	struct net_device	*b;
};

static const u8 nt_mac1[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const u8 nt_mac2[ETH_ALEN] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static int nt_init(struct kunit *test)
{
	struct nt_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	ctx->ln = kunit_kzalloc(test, sizeof(*ctx->ln), GFP_KERNEL);
	if (!ctx->ln)
		return -ENOMEM;
	ctx->a = lynx_dev_create(&init_net, "lxnt%d");
	if (IS_ERR(ctx->a))
		return PTR_ERR(ctx->a);
	ctx->b = lynx_dev_create(&init_net, "lxnt%d");
	if (IS_ERR(ctx->b))
		return PTR_ERR(ctx->b);
	lynx_neigh_init(ctx->ln);
	return 0;
}

/* Also runs after a failed nt_init(). */
static void nt_exit(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	if (!ctx)
		return;
	if (ctx->ln && ctx->ln->neigh.gc.work.func)
		lynx_neigh_exit(ctx->ln);
	if (!IS_ERR_OR_NULL(ctx->b))
		unregister_netdev(ctx->b);
	if (!IS_ERR_OR_NULL(ctx->a))
		unregister_netdev(ctx->a);
}

/* The entry for @node, or NULL; only the test touches the table. */
static struct lynx_neigh *nt_entry(struct lynx_net *ln, u32 node)
{
	struct lynx_neigh *n;

	hlist_for_each_entry(n, &ln->neigh.hash[hash_32(node,
							LYNX_NEIGH_HASH_BITS)],
			     hash)
		if (n->node == node)
			return n;
	return NULL;
}

static unsigned int nt_count(struct lynx_net *ln)
{
	struct lynx_neigh *n;
	unsigned int i, count = 0;

	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++)
		hlist_for_each_entry(n, &ln->neigh.hash[i], hash)
			count++;
	return count;
}

/* Looks @node up and checks the answer; drops the device reference. */
static void nt_expect(struct kunit *test, struct lynx_net *ln, u32 node,
		      struct net_device *want_dev, const u8 *want_mac)
{
	struct net_device *dev = NULL;
	u8 mac[ETH_ALEN + 1];
	bool found;

	found = lynx_neigh_lookup(ln, node, &dev, mac + 1);
	KUNIT_EXPECT_EQ(test, found, !!want_dev);
	if (!found) {
		KUNIT_EXPECT_PTR_EQ(test, dev, NULL);
		return;
	}
	KUNIT_EXPECT_PTR_EQ(test, dev, want_dev);
	KUNIT_EXPECT_EQ(test, memcmp(mac + 1, want_mac, ETH_ALEN), 0);
	dev_put(dev);
}

static void lynx_neigh_test_learn_lookup(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	nt_expect(test, ctx->ln, 0x1234, NULL, NULL);
	lynx_neigh_learn(ctx->ln, 0x1234, ctx->a, nt_mac1);
	lynx_neigh_learn(ctx->ln, 0x5678, ctx->b, nt_mac2);
	nt_expect(test, ctx->ln, 0x1234, ctx->a, nt_mac1);
	nt_expect(test, ctx->ln, 0x5678, ctx->b, nt_mac2);
	nt_expect(test, ctx->ln, 0x1235, NULL, NULL);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 2U);
}

/* The same source again only moves the time stamp, in place. */
static void lynx_neigh_test_refresh(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct lynx_neigh *n;
	unsigned long before;

	lynx_neigh_learn(ctx->ln, 7, ctx->a, nt_mac1);
	n = nt_entry(ctx->ln, 7);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->updated = jiffies - 30 * HZ;
	before = jiffies;
	lynx_neigh_learn(ctx->ln, 7, ctx->a, nt_mac1);
	KUNIT_EXPECT_PTR_EQ(test, nt_entry(ctx->ln, 7), n);
	KUNIT_EXPECT_TRUE(test, time_after_eq(n->updated, before));
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 1U);
}

/* A new MAC or device for a node replaces its entry. */
static void lynx_neigh_test_replace(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	lynx_neigh_learn(ctx->ln, 7, ctx->a, nt_mac1);
	lynx_neigh_learn(ctx->ln, 7, ctx->a, nt_mac2);
	nt_expect(test, ctx->ln, 7, ctx->a, nt_mac2);
	lynx_neigh_learn(ctx->ln, 7, ctx->b, nt_mac2);
	nt_expect(test, ctx->ln, 7, ctx->b, nt_mac2);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 1U);
}

static void lynx_neigh_test_flush_dev(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	lynx_neigh_learn(ctx->ln, 1, ctx->a, nt_mac1);
	lynx_neigh_learn(ctx->ln, 2, ctx->b, nt_mac2);
	lynx_neigh_learn(ctx->ln, 3, ctx->a, nt_mac2);
	lynx_neigh_flush_dev(ctx->ln, ctx->a);
	nt_expect(test, ctx->ln, 1, NULL, NULL);
	nt_expect(test, ctx->ln, 3, NULL, NULL);
	nt_expect(test, ctx->ln, 2, ctx->b, nt_mac2);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 1U);
}

static void lynx_neigh_test_expire(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	unsigned long now;
	struct lynx_neigh *n;

	lynx_neigh_learn(ctx->ln, 1, ctx->a, nt_mac1);
	lynx_neigh_learn(ctx->ln, 2, ctx->a, nt_mac2);
	n = nt_entry(ctx->ln, 2);
	KUNIT_ASSERT_NOT_NULL(test, n);
	now = jiffies;
	n->updated = now - 30 * HZ;

	lynx_neigh_expire(ctx->ln, now);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 2U);
	/* 50 s on: node 2 was last heard 80 s ago, node 1 about 50 s. */
	lynx_neigh_expire(ctx->ln, now + LYNX_NEIGH_TIMEOUT - 10 * HZ);
	KUNIT_EXPECT_NOT_NULL(test, nt_entry(ctx->ln, 1));
	KUNIT_EXPECT_NULL(test, nt_entry(ctx->ln, 2));
	lynx_neigh_expire(ctx->ln, jiffies + LYNX_NEIGH_TIMEOUT + 1);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 0U);
}

/* Lookup ignores an entry past its time even before the sweep. */
static void lynx_neigh_test_lookup_stale(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct lynx_neigh *n;

	lynx_neigh_learn(ctx->ln, 9, ctx->a, nt_mac1);
	n = nt_entry(ctx->ln, 9);
	KUNIT_ASSERT_NOT_NULL(test, n);
	n->updated = jiffies - LYNX_NEIGH_TIMEOUT - HZ;
	nt_expect(test, ctx->ln, 9, NULL, NULL);
	/* Heard again: fresh. */
	lynx_neigh_learn(ctx->ln, 9, ctx->a, nt_mac1);
	nt_expect(test, ctx->ln, 9, ctx->a, nt_mac1);
}

/* Nothing is learned through a device that is not running. */
static void lynx_neigh_test_not_running(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;

	rtnl_lock();
	dev_close(ctx->b);
	rtnl_unlock();
	lynx_neigh_learn(ctx->ln, 4, ctx->b, nt_mac1);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 0U);
}

/* A chain holds at most 16 entries; a new node evicts the oldest. */
static void lynx_neigh_test_chain_limit(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	u32 nodes[17], node, i = 0;

	for (node = 1; i < ARRAY_SIZE(nodes); node++)
		if (hash_32(node, LYNX_NEIGH_HASH_BITS) == 5)
			nodes[i++] = node;
	for (i = 0; i < ARRAY_SIZE(nodes); i++)
		lynx_neigh_learn(ctx->ln, nodes[i], ctx->a, nt_mac1);
	KUNIT_EXPECT_EQ(test, nt_count(ctx->ln), 16U);
	KUNIT_EXPECT_NULL(test, nt_entry(ctx->ln, nodes[0]));
	KUNIT_EXPECT_NOT_NULL(test, nt_entry(ctx->ln, nodes[1]));
	KUNIT_EXPECT_NOT_NULL(test, nt_entry(ctx->ln, nodes[16]));
}

static void lynx_neigh_test_seq_show(struct kunit *test)
{
	struct nt_ctx *ctx = test->priv;
	struct seq_file seq = { .size = PAGE_SIZE };
	char line[64];

	seq.buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seq.buf);
	lynx_neigh_learn(ctx->ln, 0xabc, ctx->b, nt_mac2);
	KUNIT_EXPECT_EQ(test, lynx_neigh_seq_show_all(&seq, ctx->ln), 0);
	KUNIT_EXPECT_EQ(test, strncmp(seq.buf, "node dev mac age_ms\n", 20), 0);
	snprintf(line, sizeof(line), "00000abc %s 02:00:00:00:00:02 ",
		 ctx->b->name);
	KUNIT_EXPECT_NOT_NULL(test, strstr(seq.buf, line));
}

/* Any device going down or away leaves its namespace's table. */
static void lynx_neigh_test_notifier(struct kunit *test)
{
	struct lynx_net *ln = lynx_net(&init_net);
	struct nt_ctx *ctx = test->priv;
	struct net_device *b = ctx->b;

	lynx_neigh_learn(ln, 0xfeed0001, ctx->a, nt_mac1);
	lynx_neigh_learn(ln, 0xfeed0002, b, nt_mac2);
	nt_expect(test, ln, 0xfeed0001, ctx->a, nt_mac1);
	nt_expect(test, ln, 0xfeed0002, b, nt_mac2);

	rtnl_lock();
	dev_close(ctx->a);
	rtnl_unlock();
	nt_expect(test, ln, 0xfeed0001, NULL, NULL);

	/* Would wait forever for the entry's reference if not flushed. */
	ctx->b = NULL;
	unregister_netdev(b);
	nt_expect(test, ln, 0xfeed0002, NULL, NULL);
}

static struct kunit_case nt_cases[] = {
	KUNIT_CASE(lynx_neigh_test_learn_lookup),
	KUNIT_CASE(lynx_neigh_test_refresh),
	KUNIT_CASE(lynx_neigh_test_replace),
	KUNIT_CASE(lynx_neigh_test_flush_dev),
	KUNIT_CASE(lynx_neigh_test_expire),
	KUNIT_CASE(lynx_neigh_test_lookup_stale),
	KUNIT_CASE(lynx_neigh_test_not_running),
	KUNIT_CASE(lynx_neigh_test_chain_limit),
	KUNIT_CASE(lynx_neigh_test_seq_show),
	KUNIT_CASE(lynx_neigh_test_notifier),
	{}
};

static struct kunit_suite nt_suite = {
	.name = "lynx_neigh",
	.init = nt_init,
	.exit = nt_exit,
	.test_cases = nt_cases,
};

kunit_test_suite(nt_suite);
