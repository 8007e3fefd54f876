// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the lynx net_device.
 *
 * Segment devices ("ip link add NAME type lynx"), whatever their namespace,
 * hang off a virtual Ethernet segment, a hub: a frame sent on one is
 * received by every other running one of the same segment it is addressed
 * to (its MAC, a group address, or any frame when promiscuous).  A segment
 * is named by a number (IFLA_LYNX_SEGMENT, fixed at creation, default
 * LYNX_SEGMENT_DEFAULT) and owned by a user namespace: the initial one for
 * the numbers below LYNX_SEGMENT_USER_MIN, else the one of the process
 * that created its first device.  Only a process with CAP_NET_ADMIN over
 * the owner may put a device on a segment, so an unprivileged user's
 * "unshare -Urn" can make segments of its own but never hear or reach
 * anyone else's (see lynx_segment_may_join()).  lynxlo, one per namespace and
 * made by net.c through lynx_dev_create_lo(), receives what it sends and is
 * on no segment.  A segment device has a real qdisc: frames reach
 * lynx_dev_xmit() through it; lynxlo has none, as loopback.
 *
 * A segment keeps each sender's frames in order, as a hub does.  The
 * qdisc may hand a device's frames to lynx_dev_xmit() on any CPU (its
 * timers', its senders'), so lynx_dev_deliver() does not pass them to
 * netif_rx(), whose per-CPU backlogs would run concurrently and reorder
 * them: it queues them on the receiving device's @rxq, and that device's
 * NAPI instance, which runs on one CPU at a time, takes them up
 * (lynx_dev_poll()), as veth's NAPI mode does.  lynxlo's frames are sent
 * by the sending task itself and go through netif_rx(), as loopback's:
 * the same order as long as that task's CPU takes them up (a task moved
 * to another CPU between two frames may see them reordered, as on lo).
 *
 * Raw sockets (raw.c) are held to the same ownership: a raw socket sees
 * and sends the frames of lynxlo and of the segment devices of its
 * namespace whose segment that namespace owns, that is whose owner is the
 * namespace's user namespace or one below it, the segments a root of the
 * namespace could have joined itself (lynx_dev_raw_ok()).  A device the
 * host's administrator created on one of its segments and handed to a
 * container carries the container's ordinary sockets, not its raw ones.
 *
 * A lynx device may also be stacked on an Ethernet device ("ip link add
 * NAME link eth0 type lynx"): lower.c makes it through the same link kind
 * (lynx_newlink() hands it a request with IFLA_LINK), on no segment, its
 * raw_ok always true (eth0 is its namespace's own: see lower.c).
 *
 * The netdevice notifier here flushes the neighbour entries of any device
 * (not only ours) that goes down or away, decides a segment device's
 * raw_ok as it enters a namespace, and tells lower.c of the events of any
 * device that may carry a stacked one (lynx_lower_event()).
 *
 * Test facility, in KUnit builds only (CONFIG_LYNX_KUNIT_TEST): every lynx
 * device, lynxlo included, has a fault injector on its transmit side that
 * KUnit turns on with lynx_dev_set_faults() to drop, duplicate and reorder
 * frames.  A lynx.ko built without KUnit has none of it.
 */
#include <linux/etherdevice.h>
#include <linux/hashtable.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/prandom.h>
#include <linux/rtnetlink.h>
#include <linux/timer.h>
#include <linux/user_namespace.h>
#include <net/rtnetlink.h>
#include <kunit/visibility.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>
#include <net/lynx_dev.h>

/**
 * struct lynx_segment - a virtual Ethernet segment, a hub
 * @hnode: in lynx_segments, keyed by @id
 * @devs:  its devices (lynx_dev.seg) from ndo_init to ndo_uninit, of every
 *         namespace; xmit walks it under RCU, the core's grace periods
 *         between ndo_uninit and a device's freeing keep a device seen
 *         there alive for the walk
 * @owner: the user namespace whose CAP_NET_ADMIN a device needs to join
 * @ref:   one per device on it: the last one's ndo_uninit frees it
 * @id:    its number, IFLA_LYNX_SEGMENT
 * @rcu:   frees it after the walks that may still see it
 *
 * The table, @hnode, @devs (writers) and @ref change under the RTNL only.
 */
struct lynx_segment {
	struct hlist_node	hnode;
	struct list_head	devs;
	struct user_namespace	*owner;
	refcount_t		ref;
	u32			id;
	struct rcu_head		rcu;
};

#if IS_ENABLED(CONFIG_LYNX_KUNIT_TEST)
/* How long a frame held back for reordering waits for one to overtake it
 * before it goes anyway, unless lynx_dev_faults.hold_ms says otherwise.
 */
#define LYNX_FAULT_HOLD_MS	5

/**
 * struct lynx_dev_fault - the fault injector of a test link (KUnit only)
 * @on:     some fault is configured; xmit reads it without @lock
 * @lock:   protects the fields below; taken with BHs off (xmit runs so,
 *          @flush in softirq, lynx_dev_set_faults() takes it _bh)
 * @cfg:    the rates, per mille
 * @rnd:    the device's pseudo-random sequence, from @cfg.seed
 * @held:   a frame held back to be sent after the next one, or NULL
 * @flush:  sends @held when no frame came to overtake it in time
 * @counts: faults injected since lynx_dev_set_faults()
 *
 * @on is written under @lock and read with READ_ONCE(): a frame that saw
 * it set looks again under @lock.  @held is freed when the device stops
 * or goes away (@flush is stopped first) and sent when faults are turned
 * off.
 */
struct lynx_dev_fault {
	bool				on;
	spinlock_t			lock;	/* all below */
	struct lynx_dev_faults		cfg;
	struct rnd_state		rnd;
	struct sk_buff			*held;
	struct timer_list		flush;
	struct lynx_dev_fault_counts	counts;
};
#endif

/**
 * struct lynx_dev - private part of a lynx net_device
 * @seg:     in its segment's @devs (segment devices only)
 * @segment: its segment from ndo_init to ndo_uninit, else NULL
 * @seg_id:  the number of the segment it joins at ndo_init, then is on
 * @dev:     back pointer
 * @out:     hands a frame that passed lynx_tx_begin() to its receivers
 * @raw_ok:  raw sockets of its namespace see and send its frames: lynxlo
 *           always, a segment device if its namespace owns its segment;
 *           written under the RTNL as it enters a namespace
 *           (NETDEV_REGISTER: registration, a move, both while it is
 *           down), read with READ_ONCE()
 * @lower:   the device it is stacked on (stacked devices only, lower.c)
 * @napi:    a segment device's receive side, enabled while it is up:
 *           lynx_dev_poll() takes @rxq's frames up on one CPU at a time
 * @rxq:     frames its segment delivered, at most LYNX_DEV_RXQ_MAX; its
 *           own spinlock, a leaf; emptied at ndo_stop and by
 *           lynx_dev_free_common()
 * @fault:   the fault injector (KUnit builds only; not used by stacked
 *           devices, whose frames leave by their lower's queue)
 */
struct lynx_dev {
	struct list_head		seg;
	struct lynx_segment __rcu	*segment;
	u32				seg_id;
	bool				raw_ok;
	struct net_device		*dev;
	void				(*out)(struct sk_buff *skb,
					       struct net_device *dev);
	struct lynx_lower		lower;
	struct napi_struct		napi;
	struct sk_buff_head		rxq;
#if IS_ENABLED(CONFIG_LYNX_KUNIT_TEST)
	struct lynx_dev_fault		fault;
#endif
};

/* A receiving segment device's queue: netdev_max_backlog's default. */
#define LYNX_DEV_RXQ_MAX	1000

/* The segments that have devices, by number.  RTNL. */
static DEFINE_HASHTABLE(lynx_segments, 6);

static struct lynx_segment *lynx_segment_find(u32 id)
{
	struct lynx_segment *seg;

	ASSERT_RTNL();
	hash_for_each_possible(lynx_segments, seg, hnode, id)
		if (seg->id == id)
			return seg;
	return NULL;
}

/* The owner a segment @id gets when a device of current's creates it. */
static struct user_namespace *lynx_segment_new_owner(u32 id)
{
	return id < LYNX_SEGMENT_USER_MIN ? &init_user_ns : current_user_ns();
}

/**
 * lynx_segment_may_join - may current put a device on segment @id?
 * @id:     the segment's number
 * @extack: for the reason of a refusal, or NULL
 *
 * Yes when current has CAP_NET_ADMIN over the segment's owner, or, for a
 * segment that does not exist yet, over the owner it will get.  Call it
 * and register the device under one hold of the RTNL.
 *
 * Return: 0 or -EPERM.
 */
static int lynx_segment_may_join(u32 id, struct netlink_ext_ack *extack)
{
	struct lynx_segment *seg = lynx_segment_find(id);

	if (ns_capable(seg ? seg->owner : lynx_segment_new_owner(id),
		       CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "lynx: no CAP_NET_ADMIN over the user namespace owning the segment");
	return -EPERM;
}

/* Is @ns the owner of @seg or an ancestor of it (in_userns(), which is
 * not exported)?  Then whoever is privileged over @ns may join @seg.
 */
static bool lynx_segment_owned_by(const struct lynx_segment *seg,
				  const struct user_namespace *ns)
{
	const struct user_namespace *o = seg->owner;

	while (o->level > ns->level)
		o = o->parent;
	return o == ns;
}

/* Puts @ld on segment @ld->seg_id, made if need be.  ndo_init, RTNL. */
static int lynx_segment_join(struct lynx_dev *ld)
{
	struct lynx_segment *seg = lynx_segment_find(ld->seg_id);

	if (seg) {
		refcount_inc(&seg->ref);
	} else {
		seg = kzalloc(sizeof(*seg), GFP_KERNEL);
		if (!seg)
			return -ENOMEM;
		seg->id = ld->seg_id;
		seg->owner = get_user_ns(lynx_segment_new_owner(seg->id));
		INIT_LIST_HEAD(&seg->devs);
		refcount_set(&seg->ref, 1);
		hash_add(lynx_segments, &seg->hnode, seg->id);
	}
	list_add_tail_rcu(&ld->seg, &seg->devs);
	rcu_assign_pointer(ld->segment, seg);
	return 0;
}

/* Drops @ld's hold on its segment, which goes with its last device.  @ld
 * left the segment's @devs already and sends nothing any more.  RTNL.
 */
static void lynx_segment_put(struct lynx_dev *ld)
{
	struct lynx_segment *seg = rtnl_dereference(ld->segment);

	RCU_INIT_POINTER(ld->segment, NULL);
	if (!refcount_dec_and_test(&seg->ref))
		return;
	hash_del(&seg->hnode);
	put_user_ns(seg->owner);
	kfree_rcu(seg, rcu);
}

/**
 * lynx_dev_free_common - priv_destructor of every lynx device
 * @dev: the device, unregistered (or its registration failed after
 *       ndo_init)
 */
void lynx_dev_free_common(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	/* Frames a sender queued after ndo_stop emptied it: the grace
	 * period before this, after ndo_uninit took the device off its
	 * segment, ended every sender that could still see it.
	 */
	skb_queue_purge(&ld->rxq);
	free_percpu(dev->tstats);
}

/* ---- the fault injector (KUnit builds only, see lynx_dev_set_faults()) --- */

#if IS_ENABLED(CONFIG_LYNX_KUNIT_TEST)

/* Takes the frame held back for reordering, if any. */
static struct sk_buff *lynx_fault_take(struct lynx_dev *ld)
{
	struct sk_buff *skb;

	spin_lock_bh(&ld->fault.lock);
	skb = ld->fault.held;
	ld->fault.held = NULL;
	spin_unlock_bh(&ld->fault.lock);
	return skb;
}

static void lynx_fault_flush(struct timer_list *t);

static void lynx_fault_setup(struct lynx_dev *ld)
{
	spin_lock_init(&ld->fault.lock);
	timer_setup(&ld->fault.flush, lynx_fault_flush, 0);
}

/* ndo_stop: no frame stays held on a device that is down. */
static void lynx_fault_stop(struct lynx_dev *ld)
{
	struct sk_buff *skb = lynx_fault_take(ld);

	del_timer_sync(&ld->fault.flush);
	if (skb) {
		dev_core_stats_tx_dropped_inc(ld->dev);
		kfree_skb(skb);
	}
}

/* ndo_uninit: nothing transmits any more, the held frame is the last. */
static void lynx_fault_shutdown(struct lynx_dev *ld)
{
	timer_shutdown_sync(&ld->fault.flush);
	kfree_skb(lynx_fault_take(ld));
}

static bool lynx_fault_active(struct lynx_dev *ld)
{
	return unlikely(READ_ONCE(ld->fault.on));
}

/* True with probability @per_mille / 1000.  Fault lock held. */
static bool lynx_fault_roll(struct lynx_dev_fault *f, u16 per_mille)
{
	lockdep_assert_held(&f->lock);
	return prandom_u32_state(&f->rnd) % 1000 < per_mille;
}

/* xmit with faults on: drop @skb, or send it, maybe twice, maybe held
 * back until the next frame has gone.  BHs off.
 */
static noinline void lynx_fault_xmit(struct lynx_dev *ld, struct sk_buff *skb)
{
	struct lynx_dev_fault *f = &ld->fault;
	struct sk_buff *dup = NULL, *held;

	spin_lock(&f->lock);
	if (!f->on) {			/* turned off meanwhile */
		spin_unlock(&f->lock);
		ld->out(skb, ld->dev);
		return;
	}
	if (lynx_fault_roll(f, f->cfg.drop)) {
		f->counts.dropped++;
		spin_unlock(&f->lock);
		dev_core_stats_tx_dropped_inc(ld->dev);
		kfree_skb(skb);
		return;
	}
	if (lynx_fault_roll(f, f->cfg.dup)) {
		dup = skb_clone(skb, GFP_ATOMIC);
		if (dup)
			f->counts.duplicated++;
	}
	held = f->held;
	f->held = NULL;
	if (held) {
		f->counts.reordered++;
	} else if (lynx_fault_roll(f, f->cfg.reorder)) {
		f->held = skb;
		skb = NULL;
		mod_timer(&f->flush, jiffies +
			  max(msecs_to_jiffies(f->cfg.hold_ms ? :
					       LYNX_FAULT_HOLD_MS), 1UL));
	}
	spin_unlock(&f->lock);

	if (skb)
		ld->out(skb, ld->dev);
	if (dup)
		ld->out(dup, ld->dev);
	if (held)
		ld->out(held, ld->dev);
}

/* The held frame's time is up: nothing overtook it, it goes as it is. */
static void lynx_fault_flush(struct timer_list *t)
{
	struct lynx_dev *ld = from_timer(ld, t, fault.flush);
	struct sk_buff *skb;

	spin_lock(&ld->fault.lock);
	skb = ld->fault.held;
	ld->fault.held = NULL;
	spin_unlock(&ld->fault.lock);
	if (skb)
		ld->out(skb, ld->dev);
}

/**
 * lynx_dev_set_faults - make a lynx device a lossy test link (KUnit only)
 * @dev: a registered lynx device (lynxlo or a segment device)
 * @f:   the faults, or NULL (or all rates 0) to turn them off
 *
 * From now on each frame @dev transmits is dropped (counted in tx_dropped)
 * with probability @f->drop / 1000, otherwise sent twice with probability
 * @f->dup / 1000, and held back to be sent after the next frame (or after
 * @f->hold_ms if no other frame comes) with probability @f->reorder / 1000.
 * The decisions come from a pseudo-random sequence seeded with @f->seed,
 * so a test can be replayed.  Turning the faults off sends a held frame
 * at once.  The counts of lynx_dev_fault_counts() start again from 0.
 * Process context.
 *
 * Return: 0, or -EINVAL for a device that is not lynx's or a rate above
 * 1000.
 */
int lynx_dev_set_faults(struct net_device *dev,
			const struct lynx_dev_faults *f)
{
	struct lynx_dev *ld;
	struct sk_buff *held = NULL;
	bool on;

	if (!lynx_dev_is_lynx(dev) || lynx_lower_is_upper(dev))
		return -EINVAL;
	if (f && (f->drop > 1000 || f->dup > 1000 || f->reorder > 1000))
		return -EINVAL;
	on = f && (f->drop || f->dup || f->reorder);
	ld = netdev_priv(dev);

	spin_lock_bh(&ld->fault.lock);
	if (on) {
		ld->fault.cfg = *f;
		prandom_seed_state(&ld->fault.rnd, f->seed);
	} else {
		memset(&ld->fault.cfg, 0, sizeof(ld->fault.cfg));
		held = ld->fault.held;
		ld->fault.held = NULL;
	}
	memset(&ld->fault.counts, 0, sizeof(ld->fault.counts));
	WRITE_ONCE(ld->fault.on, on);
	spin_unlock_bh(&ld->fault.lock);

	if (!on) {
		del_timer_sync(&ld->fault.flush);
		if (held) {
			local_bh_disable();	/* as xmit runs */
			ld->out(held, dev);
			local_bh_enable();
		}
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_set_faults);

/**
 * lynx_dev_fault_counts - the faults @dev injected (KUnit only)
 * @dev: a lynx device
 * @c:   filled with the counts since the last lynx_dev_set_faults()
 */
void lynx_dev_fault_counts(struct net_device *dev,
			   struct lynx_dev_fault_counts *c)
{
	struct lynx_dev *ld = netdev_priv(dev);

	if (!lynx_dev_is_lynx(dev)) {
		memset(c, 0, sizeof(*c));
		return;
	}
	spin_lock_bh(&ld->fault.lock);
	*c = ld->fault.counts;
	spin_unlock_bh(&ld->fault.lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_fault_counts);

#else /* !CONFIG_LYNX_KUNIT_TEST */

static void lynx_fault_setup(struct lynx_dev *ld) { }
static void lynx_fault_stop(struct lynx_dev *ld) { }
static void lynx_fault_shutdown(struct lynx_dev *ld) { }
static bool lynx_fault_active(struct lynx_dev *ld) { return false; }
static void lynx_fault_xmit(struct lynx_dev *ld, struct sk_buff *skb) { }

#endif /* CONFIG_LYNX_KUNIT_TEST */

static void lynx_lo_out(struct sk_buff *skb, struct net_device *dev);
static void lynx_dev_out(struct sk_buff *skb, struct net_device *dev);

/**
 * lynx_dev_init_common - the ndo_init every lynx device begins with
 * @dev: the device
 *
 * Its counters, lock classes and fault injector; raw sockets may use it
 * (a segment device's ndo_init takes that back until NETDEV_REGISTER
 * decides).  Undone by lynx_dev_free_common() and lynx_dev_uninit_common().
 *
 * Return: 0 or -ENOMEM.
 */
int lynx_dev_init_common(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	ld->dev = dev;
	ld->raw_ok = true;
	lynx_fault_setup(ld);
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	netdev_lockdep_set_classes(dev);
	return 0;
}

/**
 * lynx_dev_lower - the stacked part of a lynx device's private data
 * @dev: a lynx device (lower.c uses it for stacked ones only)
 *
 * Return: its struct lynx_lower.
 */
struct lynx_lower *lynx_dev_lower(const struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	return &ld->lower;
}

static int lynx_lo_init(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	ld->out = lynx_lo_out;
	return lynx_dev_init_common(dev);	/* raw_ok: lynxlo is its own */
}

/**
 * lynx_dev_poll - a segment device's NAPI poll: its queued frames go up
 * @napi: the device's
 * @budget: at most this many
 *
 * netif_receive_skb(), not GRO: lynx frames have no GRO handler, and IP
 * over a segment sees the frames a wire would carry.
 *
 * Return: how many went up.
 */
static int lynx_dev_poll(struct napi_struct *napi, int budget)
{
	struct lynx_dev *ld = container_of(napi, struct lynx_dev, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget && (skb = skb_dequeue(&ld->rxq))) {
		/* the frame as sent: eth_type_trans() pulled its header */
		dev_sw_netstats_rx_add(ld->dev, skb->len + ETH_HLEN);
		netif_receive_skb(skb);
		done++;
	}
	/* A frame queued since the queue was found empty set NAPI's
	 * "missed" state: napi_complete_done() schedules it again.
	 */
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/* ndo_stop: no frame stays held on a device that is down. */
static int lynx_dev_stop(struct net_device *dev)
{
	lynx_fault_stop(netdev_priv(dev));
	return 0;
}

/**
 * lynx_dev_uninit_common - the ndo_uninit every lynx device ends with
 * @dev: the device, which sends nothing any more
 */
void lynx_dev_uninit_common(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	lynx_fault_shutdown(ld);
	/* The notifier does it too, but at module exit it is gone before
	 * net.c destroys lynxlo.  A device that never got registered has
	 * never received anything.
	 */
	if (dev->reg_state == NETREG_UNREGISTERING)
		lynx_neigh_flush_dev(lynx_net(dev_net(dev)), dev);
}

static void lynx_lo_uninit(struct net_device *dev)
{
	lynx_dev_uninit_common(dev);
}

/* ndo_init of a segment device: whoever registers it checked with
 * lynx_segment_may_join() that it may join segment @ld->seg_id.
 */
static int lynx_dev_init_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);
	int err;

	err = lynx_lo_init(dev);
	if (err)
		return err;
	ld->out = lynx_dev_out;
	ld->raw_ok = false;	/* until NETDEV_REGISTER decides */
	err = lynx_segment_join(ld);
	if (err) {
		/* A failed ndo_init gets no destructor: undo lynx_lo_init(). */
		free_percpu(dev->tstats);
		dev->tstats = NULL;
		return err;
	}
	/* free_netdev() deletes it */
	netif_napi_add(dev, &ld->napi, lynx_dev_poll);
	return 0;
}

/* Nothing is queued before: __dev_forward_skb() drops a frame for a
 * device that is not IFF_UP, which __dev_open() sets after this.
 */
static int lynx_dev_open_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	napi_enable(&ld->napi);
	return 0;
}

/* The frames still queued at ndo_stop never go up: counted as dropped.
 * dev_deactivate_many() waited for the senders that saw it running.
 */
static int lynx_dev_stop_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);
	struct sk_buff *skb;

	lynx_dev_stop(dev);
	napi_disable(&ld->napi);
	while ((skb = skb_dequeue(&ld->rxq))) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
	}
	return 0;
}

static void lynx_dev_uninit_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	/* No longer a receiver; still a sender until its timer is stopped. */
	list_del_rcu(&ld->seg);
	/* unregister_netdevice() waits for a grace period before the device
	 * can be freed; a failing register_netdevice() does not.
	 */
	if (dev->reg_state != NETREG_UNREGISTERING)
		synchronize_net();
	lynx_dev_uninit_common(dev);
	lynx_segment_put(ld);
}

/* Checks and counts a frame entering xmit; false if it was dropped. */
static bool lynx_tx_begin(struct sk_buff *skb, struct net_device *dev)
{
	if (unlikely(!pskb_may_pull(skb, ETH_HLEN))) {
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return false;
	}
	skb_tx_timestamp(skb);
	dev_sw_netstats_tx_add(dev, 1, skb->len);
	return true;
}

/* Whether @peer receives a frame for @dest. */
static bool lynx_dev_wants(const struct net_device *peer, const u8 *dest)
{
	return netif_running(peer) &&
	       (is_multicast_ether_addr(dest) ||
		ether_addr_equal(peer->dev_addr, dest) ||
		(peer->flags & IFF_PROMISC));
}

/* Hands @skb (consumed) to @peer's receive queue, in the order frames
 * come (see the top of this file); a drop counts at @peer, a frame that
 * goes up counts there when it does (lynx_dev_poll()).  IRQs may be off
 * (netpoll), so the lock is taken as such.
 */
static void lynx_dev_deliver(struct sk_buff *skb, struct net_device *peer)
{
	struct lynx_dev *pd = netdev_priv(peer);
	unsigned long flags;

	if (__dev_forward_skb(peer, skb))
		return;		/* freed, counted in rx_dropped */
	spin_lock_irqsave(&pd->rxq.lock, flags);
	if (unlikely(skb_queue_len(&pd->rxq) >= LYNX_DEV_RXQ_MAX)) {
		spin_unlock_irqrestore(&pd->rxq.lock, flags);
		dev_core_stats_rx_dropped_inc(peer);
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&pd->rxq, skb);
	spin_unlock_irqrestore(&pd->rxq.lock, flags);
	napi_schedule(&pd->napi);
}

/* @dev's segment: @skb (consumed) to every running device of it that
 * wants it.  No other segment's device ever sees it.
 */
static void lynx_dev_out(struct sk_buff *skb, struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);
	u8 dest[ETH_ALEN] __aligned(2);
	struct net_device *to = NULL;
	struct lynx_segment *seg;
	struct sk_buff *clone;

	ether_addr_copy(dest, ((struct ethhdr *)skb->data)->h_dest);

	/* Each receiver but the last gets a clone, the last @skb itself. */
	rcu_read_lock();
	seg = rcu_dereference(ld->segment);
	if (unlikely(!seg)) {		/* not registered (any more) */
		rcu_read_unlock();
		dev_core_stats_tx_dropped_inc(dev);
		kfree_skb(skb);
		return;
	}
	list_for_each_entry_rcu(ld, &seg->devs, seg) {
		if (ld->dev == dev || !lynx_dev_wants(ld->dev, dest))
			continue;
		if (to) {
			clone = lynx_clone_skb(skb, GFP_ATOMIC);
			if (clone)
				lynx_dev_deliver(clone, to);
			else
				dev_core_stats_tx_dropped_inc(dev);
		}
		to = ld->dev;
	}
	if (to)
		lynx_dev_deliver(skb, to);
	else
		consume_skb(skb);	/* sent, to nobody */
	rcu_read_unlock();
}

/* lynxlo: whatever it sends is for itself. */
static void lynx_lo_out(struct sk_buff *skb, struct net_device *dev)
{
	unsigned int len = skb->len;

	if (__dev_forward_skb(dev, skb))
		return;		/* freed, counted as rx_dropped */
	if (skb->pkt_type == PACKET_OTHERHOST)
		skb->pkt_type = PACKET_HOST;
	if (netif_rx(skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(dev, len);
}

/* ---- xmit ---------------------------------------------------------------- */

static netdev_tx_t lynx_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	if (!lynx_tx_begin(skb, dev))
		return NETDEV_TX_OK;
	if (lynx_fault_active(ld))
		lynx_fault_xmit(ld, skb);
	else
		lynx_dev_out(skb, dev);
	return NETDEV_TX_OK;
}

static netdev_tx_t lynx_lo_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	if (!lynx_tx_begin(skb, dev))
		return NETDEV_TX_OK;
	if (lynx_fault_active(ld))
		lynx_fault_xmit(ld, skb);
	else
		lynx_lo_out(skb, dev);
	return NETDEV_TX_OK;
}

/* Accepts any multicast list: the segment delivers every group frame. */
static void lynx_set_rx_mode(struct net_device *dev)
{
}

static const struct net_device_ops lynx_netdev_ops = {
	.ndo_init		= lynx_dev_init_seg,
	.ndo_uninit		= lynx_dev_uninit_seg,
	.ndo_open		= lynx_dev_open_seg,
	.ndo_stop		= lynx_dev_stop_seg,
	.ndo_start_xmit		= lynx_dev_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= lynx_set_rx_mode,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

static const struct net_device_ops lynx_lo_ops = {
	.ndo_init		= lynx_lo_init,
	.ndo_uninit		= lynx_lo_uninit,
	.ndo_stop		= lynx_dev_stop,
	.ndo_start_xmit		= lynx_lo_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= lynx_set_rx_mode,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void lynx_setup_common(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	ether_setup(dev);
	/* Receivers get the skb itself: it cannot be shared (pktgen). */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	dev->min_mtu = LYNX_HLEN + 1;
	dev->max_mtu = ETH_MAX_MTU;
	/* A segment's frames never leave memory: segments as large as the
	 * length field allows, as loopback's (a device on a lower Ethernet
	 * takes that device's MTU instead, lynx_lower_newlink()).
	 */
	dev->mtu = ETH_MAX_MTU;
	dev->features |= NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM |
			 NETIF_F_HIGHDMA;
	dev->hw_features |= dev->features;
	dev->needs_free_netdev = true;
	dev->priv_destructor = lynx_dev_free_common;
	/* Here, not at ndo_init: the destructor empties it. */
	skb_queue_head_init(&ld->rxq);
	eth_hw_addr_random(dev);
}

static void lynx_setup(struct net_device *dev)
{
	lynx_setup_common(dev);
	dev->netdev_ops = &lynx_netdev_ops;
}

static void lynx_lo_setup(struct net_device *dev)
{
	lynx_setup_common(dev);
	dev->netdev_ops = &lynx_lo_ops;
	lynx_netdev_set_netns_local(dev);
	/* No qdisc, as loopback: lynx_lo_xmit() never refuses a frame, so
	 * nothing would wait in one; it would cost an enqueue, a dequeue
	 * and a lock per frame.
	 */
	dev->priv_flags |= IFF_NO_QUEUE;
}

static int lynx_validate(struct nlattr *tb[], struct nlattr *data[],
			 struct netlink_ext_ack *extack)
{
	if (tb[IFLA_ADDRESS]) {
		if (nla_len(tb[IFLA_ADDRESS]) != ETH_ALEN) {
			NL_SET_ERR_MSG(extack, "lynx: bad address length");
			return -EINVAL;
		}
		if (!is_valid_ether_addr(nla_data(tb[IFLA_ADDRESS]))) {
			NL_SET_ERR_MSG(extack, "lynx: not a unicast address");
			return -EADDRNOTAVAIL;
		}
	}
	return 0;
}

static const struct nla_policy lynx_policy[IFLA_LYNX_MAX + 1] = {
	[IFLA_LYNX_SEGMENT]	= { .type = NLA_U32 },
};

/* "ip link add ... type lynx": the segment, and whether current may join;
 * with "link DEV", a device stacked on DEV instead (lower.c).
 */
static int lynx_newlink(struct net *src_net, struct net_device *dev,
			struct nlattr *tb[], struct nlattr *data[],
			struct netlink_ext_ack *extack)
{
	struct lynx_dev *ld = netdev_priv(dev);
	int err;

	if (tb[IFLA_LINK])
		return lynx_lower_newlink(src_net, dev, tb, data, extack);

	ld->seg_id = LYNX_SEGMENT_DEFAULT;
	if (data && data[IFLA_LYNX_SEGMENT])
		ld->seg_id = nla_get_u32(data[IFLA_LYNX_SEGMENT]);
	err = lynx_segment_may_join(ld->seg_id, extack);
	if (err)
		return err;
	return register_netdevice(dev);
}

/* A stacked device is on no segment: it has no IFLA_LYNX_SEGMENT. */
static size_t lynx_get_size(const struct net_device *dev)
{
	if (lynx_lower_is_upper(dev))
		return 0;
	return nla_total_size(sizeof(u32));	/* IFLA_LYNX_SEGMENT */
}

static int lynx_fill_info(struct sk_buff *skb, const struct net_device *dev)
{
	const struct lynx_dev *ld = netdev_priv(dev);

	if (lynx_lower_is_upper(dev))
		return 0;
	return nla_put_u32(skb, IFLA_LYNX_SEGMENT, ld->seg_id) ? -EMSGSIZE : 0;
}

static void lynx_dellink(struct net_device *dev, struct list_head *head)
{
	if (lynx_lower_is_upper(dev))
		lynx_lower_dellink(dev, head);
	else
		unregister_netdevice_queue(dev, head);
}

/* No netns_refund: default_device_exit_batch() deletes the segment devices
 * of a dying namespace instead of moving them to init_net.  No changelink:
 * a device stays on the segment it was created on, a stacked one on its
 * lower.
 */
static struct rtnl_link_ops lynx_link_ops __read_mostly = {
	.kind		= "lynx",
	.priv_size	= sizeof(struct lynx_dev),
	.setup		= lynx_setup,
	.maxtype	= IFLA_LYNX_MAX,
	.policy		= lynx_policy,
	.validate	= lynx_validate,
	.newlink	= lynx_newlink,
	.dellink	= lynx_dellink,
	.get_size	= lynx_get_size,
	.fill_info	= lynx_fill_info,
};

/* "ip link add NAME type lynx" loads lynx. */
MODULE_ALIAS_RTNL_LINK("lynx");

/* Registers and opens a new device made by @setup; takes the RTNL.  A
 * segment device (@ops set) joins segment @seg_id, if its creator may.
 */
static struct net_device *lynx_dev_new(struct net *net, const char *name,
				       void (*setup)(struct net_device *),
				       const struct rtnl_link_ops *ops,
				       u32 seg_id)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct lynx_dev), name, NET_NAME_PREDICTABLE,
			   setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, net);
	dev->rtnl_link_ops = ops;
	if (ops) {
		struct lynx_dev *ld = netdev_priv(dev);

		ld->seg_id = seg_id;
	}

	rtnl_lock();
	if (ops) {
		err = lynx_segment_may_join(seg_id, NULL);
		if (err)
			goto err_free;
	}
	err = register_netdevice(dev);
	if (err)
		goto err_free;
	err = dev_open(dev, NULL);
	if (err)
		goto err_unregister;
	rtnl_unlock();
	return dev;

err_unregister:
	unregister_netdevice(dev);	/* needs_free_netdev: freed for us */
	rtnl_unlock();
	return ERR_PTR(err);
err_free:
	free_netdev(dev);		/* under the RTNL, see free_netdev() */
	rtnl_unlock();
	return ERR_PTR(err);
}

/**
 * lynx_dev_create_lo - create @net's lynxlo, registered and up
 * @net: the namespace, from its pernet init (RTNL not held)
 *
 * lynxlo cannot change namespace and "ip link del" refuses it (it has no
 * rtnl_link_ops).  Call it after lynx_neigh_init() on the namespace, from a
 * pernet_operations registered with register_pernet_device(): a subsys one
 * would register lynxlo before the namespace's "lo", which must be first.
 *
 * A namespace that existed before lynx was loaded may have a device of a
 * user's named "lynxlo": lynx's own then takes the first free "lynxloN"
 * (local traffic finds it by pointer, not by name), so that loading lynx
 * does not fail over a name.
 *
 * Return: the device, or an ERR_PTR().
 */
struct net_device *lynx_dev_create_lo(struct net *net)
{
	struct net_device *lo;

	lo = lynx_dev_new(net, LYNX_LO_NAME, lynx_lo_setup, NULL, 0);
	if (IS_ERR(lo) && PTR_ERR(lo) == -EEXIST)
		lo = lynx_dev_new(net, LYNX_LO_NAME "%d", lynx_lo_setup, NULL,
				  0);
	return lo;
}

/**
 * lynx_dev_destroy_lo - unregister a lynxlo made by lynx_dev_create_lo()
 * @lo: the device, or NULL (nothing to do)
 *
 * Takes the RTNL and returns once @lo is freed.  Call it from the pernet
 * exit, which, being a device one, runs before the core unregisters the
 * namespace's remaining devices.
 */
void lynx_dev_destroy_lo(struct net_device *lo)
{
	if (!lo)
		return;
	rtnl_lock();
	unregister_netdevice(lo);
	rtnl_unlock();
}

struct net_device *lynx_dev_create(struct net *net, const char *name)
{
	return lynx_dev_create_on(net, name, LYNX_SEGMENT_DEFAULT);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_create);

/**
 * lynx_dev_create_on - a segment device on segment @seg_id, registered, up
 * @net:    its namespace
 * @name:   its name (may hold "%d")
 * @seg_id: the segment, made if no device is on it yet
 *
 * As "ip link add NAME type lynx segment SEG_ID" by current would make it,
 * permission check (lynx_segment_may_join()) included.  Takes the RTNL:
 * remove the device with unregister_netdev().
 *
 * Return: the device, or an ERR_PTR().
 */
struct net_device *lynx_dev_create_on(struct net *net, const char *name,
				      u32 seg_id)
{
	return lynx_dev_new(net, name, lynx_setup, &lynx_link_ops, seg_id);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_create_on);

/**
 * lynx_dev_segment - the number of the segment @dev is on
 * @dev: a lynx segment device
 *
 * Return: its IFLA_LYNX_SEGMENT.
 */
u32 lynx_dev_segment(const struct net_device *dev)
{
	const struct lynx_dev *ld = netdev_priv(dev);

	return ld->seg_id;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_segment);

/**
 * lynx_segment_devices - how many devices are on segment @seg_id
 * @seg_id: a segment number
 *
 * Takes the RTNL.  Return: the count; 0 when the segment does not exist.
 */
unsigned int lynx_segment_devices(u32 seg_id)
{
	struct lynx_segment *seg;
	unsigned int n;

	rtnl_lock();
	seg = lynx_segment_find(seg_id);
	n = seg ? refcount_read(&seg->ref) : 0;
	rtnl_unlock();
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_segment_devices);

bool lynx_dev_is_lynx(const struct net_device *dev)
{
	return dev->netdev_ops == &lynx_netdev_ops ||
	       dev->netdev_ops == &lynx_lo_ops || lynx_lower_is_upper(dev);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_is_lynx);

/**
 * lynx_dev_raw_ok - may raw sockets of @dev's namespace use @dev?
 * @dev: a device
 *
 * Yes for lynxlo, for a stacked device (its frames are its lower's, which
 * the namespace's root may read and write with AF_PACKET anyway: see
 * lower.c), and for a segment device whose segment is owned by its
 * namespace's user namespace or one below it (see the top of this file).
 * Callable from any context.
 *
 * Return: whether raw sockets see @dev's frames and send through it.
 */
bool lynx_dev_raw_ok(const struct net_device *dev)
{
	const struct lynx_dev *ld = netdev_priv(dev);

	return lynx_dev_is_lynx(dev) && READ_ONCE(ld->raw_ok);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_raw_ok);

/* A segment device entered a namespace: may its raw sockets use it?  A
 * device is down while it registers or moves, so no frame crosses it
 * before the answer is in.  RTNL.
 */
static void lynx_dev_raw_update(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);
	struct lynx_segment *seg = rtnl_dereference(ld->segment);

	WRITE_ONCE(ld->raw_ok,
		   seg && lynx_segment_owned_by(seg, dev_net(dev)->user_ns));
}

/* Neighbours hold references on their devices: forget them when one goes.
 * A segment device entering a namespace gets its raw_ok there.  A device
 * carrying a stacked lynx device passes its events on to it (lower.c).  A
 * namespace whose setup failed in or before lynx's own init has no lynx
 * state, yet the core takes its devices (lo) down all the same.
 */
static int lynx_dev_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);
	struct lynx_net *ln = lynx_net(dev_net(dev));

	if (!ln)
		return NOTIFY_DONE;
	switch (event) {
	case NETDEV_REGISTER:
		if (dev->netdev_ops == &lynx_netdev_ops)
			lynx_dev_raw_update(dev);
		break;
	case NETDEV_DOWN:
	case NETDEV_UNREGISTER:
		lynx_neigh_flush_dev(ln, dev);
		break;
	}
	return lynx_lower_event(ln, dev, event);
}

static struct notifier_block lynx_dev_notifier = {
	.notifier_call = lynx_dev_event,
};

/**
 * lynx_dev_init - register the "lynx" link kind and the netdevice notifier
 *
 * Call it after the pernet operations are registered (the notifier uses
 * every namespace's struct lynx_net), and lynx_dev_exit() before they are
 * unregistered.
 *
 * Return: 0 or a negative errno.
 */
int lynx_dev_init(void)
{
	int err;

	err = register_netdevice_notifier(&lynx_dev_notifier);
	if (err)
		return err;
	err = rtnl_link_register(&lynx_link_ops);
	if (err)
		goto err_notifier;
	return 0;

err_notifier:
	unregister_netdevice_notifier(&lynx_dev_notifier);
	return err;
}

/**
 * lynx_dev_exit - delete every segment device, then stop watching devices
 *
 * Unregistering the notifier replays NETDEV_DOWN and NETDEV_UNREGISTER for
 * every device, which empties every neighbour table.  lynxlo devices are
 * net.c's to destroy.
 */
void lynx_dev_exit(void)
{
	rtnl_link_unregister(&lynx_link_ops);
	unregister_netdevice_notifier(&lynx_dev_notifier);
}
