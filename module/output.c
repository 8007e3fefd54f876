// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: where a frame leaves.  The destination node picks the device and
 * MAC: this namespace's own node goes out on lynxlo, a learned node on the
 * device it was heard on, an unknown node as a broadcast on every lynx
 * device of the namespace, segment devices and devices stacked on an
 * Ethernet device (lower.c) alike.  A raw socket's frames (lynx_output_raw()) leave
 * only by the devices its namespace may use raw (lynx_dev_raw_ok()).
 */
#include <linux/netdevice.h>
#include <linux/etherdevice.h>
#include <net/lynx.h>

static int lynx_xmit_one(struct lynx_net *ln, struct sk_buff *skb,
			 struct net_device *dev, const u8 *dest)
{
	int err;

	skb->dev = dev;
	skb->protocol = htons(ETH_P_LYNX);
	skb_reset_network_header(skb);
	/* Cloned for a broadcast, or short of room: make the head ours. */
	if (skb_cow_head(skb, LL_RESERVED_SPACE(dev)) ||
	    dev_hard_header(skb, dev, ETH_P_LYNX, dest, dev->dev_addr,
			    skb->len) < 0) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_TX);
		kfree_skb(skb);
		return -ENOBUFS;
	}
	LYNX_INC_STATS(ln, LYNX_MIB_FRAMES_OUT);
	err = dev_queue_xmit(skb);
	if (err > 0)
		err = net_xmit_errno(err);
	if (err)
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_TX);
	return err;
}

/* A device a broadcast goes out on, and whose MTU bounds an unknown
 * node's path: every running lynx device but lynxlo.  A stacked device
 * whose lower has no carrier has none either (lower.c); a segment
 * device's carrier is always on.
 */
static bool lynx_segment_dev(struct lynx_net *ln, struct net_device *dev)
{
	return dev != READ_ONCE(ln->lo) && lynx_dev_is_lynx(dev) &&
	       netif_running(dev) && netif_carrier_ok(dev);
}

/* Broadcast to every lynx device of the namespace (only those a raw socket
 * may use, for @raw); the last gets @skb.
 */
static int lynx_xmit_flood(struct lynx_net *ln, struct sk_buff *skb, bool raw)
{
	struct net_device *dev, *prev = NULL;
	struct sk_buff *nskb;
	int err = -ENETUNREACH;

	rcu_read_lock();
	for_each_netdev_rcu(ln->net, dev) {
		if (!lynx_segment_dev(ln, dev) ||
		    (raw && !lynx_dev_raw_ok(dev)))
			continue;
		if (prev) {
			nskb = lynx_clone_skb(skb, GFP_ATOMIC);
			if (nskb)
				lynx_xmit_one(ln, nskb, prev, prev->broadcast);
			else
				LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		}
		prev = dev;
	}
	if (prev) {
		dev_hold(prev);
		rcu_read_unlock();
		err = lynx_xmit_one(ln, skb, prev, prev->broadcast);
		dev_put(prev);
		return err;
	}
	rcu_read_unlock();
	kfree_skb(skb);
	return err;
}

/* To this namespace's own node, through lynxlo.  The namespace's exit
 * clears ln->lo before it unregisters the device, whose unregistration
 * waits for a grace period: a reader that saw it may use it until
 * rcu_read_unlock().
 */
static int lynx_xmit_lo(struct lynx_net *ln, struct sk_buff *skb)
{
	struct net_device *lo;
	int err;

	rcu_read_lock();
	lo = READ_ONCE(ln->lo);
	if (unlikely(!lo)) {
		rcu_read_unlock();
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_TX);
		kfree_skb(skb);
		return -ENETUNREACH;
	}
	err = lynx_xmit_one(ln, skb, lo, lo->dev_addr);
	rcu_read_unlock();
	return err;
}

static int __lynx_output(struct lynx_net *ln, struct sk_buff *skb,
			 u32 dst_node, bool raw)
{
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	int err;

	if (lynx_node_is_local(ln, dst_node))
		return lynx_xmit_lo(ln, skb);

	if (lynx_neigh_lookup(ln, dst_node, &dev, mac)) {
		if (raw && !lynx_dev_raw_ok(dev)) {
			kfree_skb(skb);
			err = -EPERM;
		} else {
			err = lynx_xmit_one(ln, skb, dev, mac);
		}
		dev_put(dev);
		return err;
	}
	return lynx_xmit_flood(ln, skb, raw);
}

/**
 * lynx_output - send a frame whose lynx header is already pushed
 * @ln: the sending namespace
 * @skb: the frame, data at the lynx header; always consumed
 * @dst_node: the destination node (LYNX_NODE_LOCAL allowed)
 *
 * Callable from process and softirq context.
 * Return: 0, or a negative errno when the frame could not be sent.
 */
int lynx_output(struct lynx_net *ln, struct sk_buff *skb, u32 dst_node)
{
	return __lynx_output(ln, skb, dst_node, false);
}

/**
 * lynx_output_raw - send a frame a raw socket's user wrote
 * @ln: the sending namespace
 * @skb: the frame, data at the lynx header; always consumed
 * @dst_node: the destination node, this one's id for itself
 *
 * As lynx_output(), through the devices a raw socket of @ln may use only:
 * lynxlo, and the devices of the segments @ln owns (lynx_dev_raw_ok()).
 *
 * Return: 0, -EPERM when the node was learned behind a device of another
 * segment, -ENETUNREACH when no device a broadcast may take is up, or
 * lynx_output()'s error.
 */
int lynx_output_raw(struct lynx_net *ln, struct sk_buff *skb, u32 dst_node)
{
	return __lynx_output(ln, skb, dst_node, true);
}

/**
 * lynx_output_ctl - build and send a frame of a header and a short payload
 * @ln:   the sending namespace
 * @info: the header to send
 * @sk:   the socket the frame speaks for (its priority and mark), or NULL
 *        for an answer no socket owns
 * @data: the payload (an ACK's SACK blocks), or NULL for zero padding
 * @len:  its bytes (1 of padding for a keepalive probe, else 0)
 *
 * The one builder of control frames: SYN, ACK, RST, keepalive probes and
 * datagram refusals.  A reset of a connection type is counted in resets.
 * Callable from process and softirq context.
 *
 * Return: 0, -ENOMEM when no skb could be had (counted in drop_nomem;
 * nothing left), or lynx_output()'s error (the frame was built).
 */
int lynx_output_ctl(struct lynx_net *ln, const struct lynx_hdr_info *info,
		    const struct sock *sk, const void *data, unsigned int len)
{
	struct sk_buff *skb;

	skb = lynx_alloc_skb(LYNX_HEADROOM + len, GFP_ATOMIC, false);
	if (!skb) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		return -ENOMEM;
	}
	skb_reserve(skb, LYNX_HEADROOM);
	if (data)
		skb_put_data(skb, data, len);
	else if (len)
		skb_put_zero(skb, len);
	lynx_hdr_push(skb, info);
	if (sk) {
		skb->priority = READ_ONCE(sk->sk_priority);
		skb->mark = READ_ONCE(sk->sk_mark);
	}
	if ((info->flags & LYNX_F_RST) && info->type != LYNX_T_DGRAM)
		LYNX_INC_STATS(ln, LYNX_MIB_RESETS);
	return lynx_output(ln, skb, info->dst_node);
}

/**
 * lynx_path_mtu - the largest frame, lynx header included, to a node
 * @ln: the sending namespace
 * @dst_node: the destination
 *
 * For a node not learned yet it is the smallest MTU of the devices a
 * broadcast would go out on.  Return: the MTU, or 0 if no device leads
 * there.
 */
int lynx_path_mtu(struct lynx_net *ln, u32 dst_node)
{
	struct net_device *dev;
	u8 mac[ETH_ALEN];
	int mtu = 0;

	if (lynx_node_is_local(ln, dst_node)) {
		rcu_read_lock();
		dev = READ_ONCE(ln->lo);
		if (dev)
			mtu = READ_ONCE(dev->mtu);
		rcu_read_unlock();
		return mtu;
	}

	if (lynx_neigh_lookup(ln, dst_node, &dev, mac)) {
		mtu = READ_ONCE(dev->mtu);
		dev_put(dev);
		return mtu;
	}

	rcu_read_lock();
	for_each_netdev_rcu(ln->net, dev)
		if (lynx_segment_dev(ln, dev) &&
		    (!mtu || READ_ONCE(dev->mtu) < mtu))
			mtu = READ_ONCE(dev->mtu);
	rcu_read_unlock();
	return mtu;
}
