// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the neighbour table, node -> (device, MAC), one per namespace.
 *
 * Entries are learned from received frames and forgotten when not heard
 * from for LYNX_NEIGH_TIMEOUT (a delayed work sweeps them), when their
 * device goes down or away (dev.c's notifier calls lynx_neigh_flush_dev())
 * and when the namespace goes.  Readers walk the chains under RCU; writers
 * take lynx_neigh_table.lock.  An entry holds a reference on its device,
 * dropped only after a grace period, so that an RCU reader may take its
 * own reference from any entry it sees.
 */
#include <linux/etherdevice.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <kunit/visibility.h>
#include <net/lynx.h>
#include <net/lynx_neigh.h>

#define LYNX_NEIGH_GC_INTERVAL	(10 * HZ)
/* Bounds the table (and a flood of made-up nodes) to 4096 entries. */
#define LYNX_NEIGH_CHAIN_MAX	16

static struct hlist_head *lynx_neigh_chain(struct lynx_net *ln, u32 node)
{
	return &ln->neigh.hash[hash_32(node, LYNX_NEIGH_HASH_BITS)];
}

static bool lynx_neigh_stale(const struct lynx_neigh *n, unsigned long now)
{
	return time_after(now, READ_ONCE(n->updated) + LYNX_NEIGH_TIMEOUT);
}

static bool lynx_neigh_same(const struct lynx_neigh *n,
			    const struct net_device *dev, const u8 *mac)
{
	return n->dev == dev && ether_addr_equal_unaligned(n->mac, mac);
}

static void lynx_neigh_free_rcu(struct rcu_head *head)
{
	struct lynx_neigh *n = container_of(head, struct lynx_neigh, rcu);

	netdev_put(n->dev, &n->dev_tracker);
	kfree(n);
}

/* Free @n, already unlinked, and its device reference after a grace period. */
static void lynx_neigh_free(struct lynx_neigh *n)
{
	call_rcu(&n->rcu, lynx_neigh_free_rcu);
}

static void lynx_neigh_del(struct lynx_neigh *n)
{
	hlist_del_rcu(&n->hash);
	lynx_neigh_free(n);
}

static struct lynx_neigh *lynx_neigh_find(struct lynx_net *ln, u32 node)
{
	struct lynx_neigh *n;

	hlist_for_each_entry_rcu(n, lynx_neigh_chain(ln, node), hash,
				 lockdep_is_held(&ln->neigh.lock))
		if (n->node == node)
			return n;
	return NULL;
}

static void lynx_neigh_gc(struct work_struct *work)
{
	struct lynx_net *ln = container_of(to_delayed_work(work),
					   struct lynx_net, neigh.gc);

	lynx_neigh_expire(ln, jiffies);
	queue_delayed_work(system_power_efficient_wq, &ln->neigh.gc,
			   round_jiffies_relative(LYNX_NEIGH_GC_INTERVAL));
}

/**
 * lynx_neigh_init - set up an empty table and start its expiry work
 * @ln: the namespace state; only @ln->neigh is used, so a zeroed
 *      struct lynx_net that is not attached to a namespace works too
 */
void lynx_neigh_init(struct lynx_net *ln)
{
	int i;

	spin_lock_init(&ln->neigh.lock);
	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++)
		INIT_HLIST_HEAD(&ln->neigh.hash[i]);
	INIT_DELAYED_WORK(&ln->neigh.gc, lynx_neigh_gc);
	queue_delayed_work(system_power_efficient_wq, &ln->neigh.gc,
			   round_jiffies_relative(LYNX_NEIGH_GC_INTERVAL));
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_init);

/**
 * lynx_neigh_exit - stop the expiry work and free every entry
 * @ln: the namespace state
 *
 * The entries, and their device references, go after a grace period (a
 * device's unregistration waits for them); lynx_net_exit() waits for every
 * such callback before the module goes.  Nothing may learn into @ln after
 * this: the receive path stops at the namespace's pre_exit.
 */
void lynx_neigh_exit(struct lynx_net *ln)
{
	struct lynx_neigh *n;
	struct hlist_node *tmp;
	int i;

	cancel_delayed_work_sync(&ln->neigh.gc);
	spin_lock_bh(&ln->neigh.lock);
	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++)
		hlist_for_each_entry_safe(n, tmp, &ln->neigh.hash[i], hash)
			lynx_neigh_del(n);
	spin_unlock_bh(&ln->neigh.lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_exit);

/**
 * lynx_neigh_learn - note that @node was heard on @dev from @mac
 * @ln:   the namespace of @dev
 * @node: the sender's node id
 * @dev:  the device the frame arrived on
 * @mac:  the frame's Ethernet source address
 *
 * Callable from softirq.  When the entry is already right only its time
 * stamp is written, and only when it changed.  A device that is not
 * running is not learned: it is being closed, moved or unregistered, and
 * its flush (after the grace period that follows) must find no entry
 * added behind it.
 */
void lynx_neigh_learn(struct lynx_net *ln, u32 node, struct net_device *dev,
		      const u8 *mac)
{
	struct hlist_head *head = lynx_neigh_chain(ln, node);
	struct lynx_neigh *n, *new, *oldest = NULL;
	unsigned long now = jiffies;
	unsigned int count = 0;

	rcu_read_lock();
	if (!netif_running(dev))
		goto out;
	n = lynx_neigh_find(ln, node);
	if (n && lynx_neigh_same(n, dev, mac)) {
		if (READ_ONCE(n->updated) != now)
			WRITE_ONCE(n->updated, now);
		goto out;
	}

	new = kmalloc(sizeof(*new), GFP_ATOMIC);
	if (!new)
		goto out;
	new->node = node;
	new->dev = dev;
	memcpy(new->mac, mac, ETH_ALEN);
	new->updated = now;

	spin_lock_bh(&ln->neigh.lock);
	hlist_for_each_entry(n, head, hash) {
		if (n->node == node)
			break;
		/* Ties go to the later in the chain: the earlier learned. */
		if (!oldest || !time_after(n->updated, oldest->updated))
			oldest = n;
		count++;
	}
	if (n && lynx_neigh_same(n, dev, mac)) {
		/* Another CPU learned the same meanwhile. */
		WRITE_ONCE(n->updated, now);
		spin_unlock_bh(&ln->neigh.lock);
		kfree(new);
		goto out;
	}
	netdev_hold(dev, &new->dev_tracker, GFP_ATOMIC);
	if (n) {
		hlist_replace_rcu(&n->hash, &new->hash);
		lynx_neigh_free(n);
	} else {
		if (count >= LYNX_NEIGH_CHAIN_MAX)
			lynx_neigh_del(oldest);
		hlist_add_head_rcu(&new->hash, head);
	}
	spin_unlock_bh(&ln->neigh.lock);
out:
	rcu_read_unlock();
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_learn);

/**
 * lynx_neigh_lookup - where to send frames for @node
 * @ln:   the namespace
 * @node: the node id
 * @dev:  on success, the device, with a reference (untracked, as from
 *        dev_hold()) that the caller must drop with dev_put()
 * @mac:  on success, the node's Ethernet address (ETH_ALEN bytes, any
 *        alignment)
 *
 * Entries not refreshed for LYNX_NEIGH_TIMEOUT are ignored.  Any context.
 *
 * Return: true if @node is known; @dev and @mac are untouched otherwise.
 */
bool lynx_neigh_lookup(struct lynx_net *ln, u32 node,
		       struct net_device **dev, u8 *mac)
{
	struct lynx_neigh *n;
	bool found = false;

	rcu_read_lock();
	n = lynx_neigh_find(ln, node);
	if (n && !lynx_neigh_stale(n, jiffies)) {
		dev_hold(n->dev);
		*dev = n->dev;
		memcpy(mac, n->mac, ETH_ALEN);
		found = true;
	}
	rcu_read_unlock();
	return found;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_lookup);

/**
 * lynx_neigh_flush_dev - forget every node reached through @dev
 * @ln:  the namespace @dev is in
 * @dev: any device (lynx or not) going down or away
 *
 * Process or softirq context.  The device references go after a grace
 * period, which unregister_netdevice() waits for.
 */
void lynx_neigh_flush_dev(struct lynx_net *ln, struct net_device *dev)
{
	struct lynx_neigh *n;
	struct hlist_node *tmp;
	int i;

	spin_lock_bh(&ln->neigh.lock);
	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++)
		hlist_for_each_entry_safe(n, tmp, &ln->neigh.hash[i], hash)
			if (n->dev == dev)
				lynx_neigh_del(n);
	spin_unlock_bh(&ln->neigh.lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_flush_dev);

/**
 * lynx_neigh_forget - forget one node, so that frames to it are broadcast
 * @ln:   the namespace
 * @node: the node id
 *
 * For a sender that gets no answer: the entry may be wrong (a frame whose
 * Ethernet source was corrupted in flight, which no lynx checksum covers,
 * or a node that moved), and the broadcast reaches the node wherever it is.
 * Any context.
 */
void lynx_neigh_forget(struct lynx_net *ln, u32 node)
{
	struct lynx_neigh *n;

	spin_lock_bh(&ln->neigh.lock);
	n = lynx_neigh_find(ln, node);
	if (n)
		lynx_neigh_del(n);
	spin_unlock_bh(&ln->neigh.lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_forget);

/**
 * lynx_neigh_expire - forget the nodes not heard from for LYNX_NEIGH_TIMEOUT
 * @ln:  the namespace
 * @now: the current time in jiffies (tests pass a made-up one)
 */
void lynx_neigh_expire(struct lynx_net *ln, unsigned long now)
{
	struct lynx_neigh *n;
	struct hlist_node *tmp;
	int i;

	spin_lock_bh(&ln->neigh.lock);
	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++)
		hlist_for_each_entry_safe(n, tmp, &ln->neigh.hash[i], hash)
			if (lynx_neigh_stale(n, now))
				lynx_neigh_del(n);
	spin_unlock_bh(&ln->neigh.lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_expire);

/**
 * lynx_neigh_seq_show_all - the body of /proc/net/lynx_neigh
 * @seq: the seq_file being shown
 * @ln:  the namespace whose table to print
 *
 * Return: 0.
 */
int lynx_neigh_seq_show_all(struct seq_file *seq, struct lynx_net *ln)
{
	struct lynx_neigh *n;
	unsigned long now = jiffies, updated;
	int i;

	seq_puts(seq, "node dev mac age_ms\n");
	rcu_read_lock();
	for (i = 0; i < ARRAY_SIZE(ln->neigh.hash); i++) {
		hlist_for_each_entry_rcu(n, &ln->neigh.hash[i], hash) {
			updated = READ_ONCE(n->updated);
			seq_printf(seq, "%08x %s %pM %u\n", n->node,
				   netdev_name(n->dev), n->mac,
				   time_after(now, updated) ?
				   jiffies_to_msecs(now - updated) : 0);
		}
	}
	rcu_read_unlock();
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_neigh_seq_show_all);
