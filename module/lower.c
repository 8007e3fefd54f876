// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: lynx on an Ethernet device.
 *
 * "ip link add lx0 link eth0 type lynx" makes a stacked lynx device, as
 * vlan and macvlan make theirs: lx0 is on no segment (dev.c's hub never
 * sees it), its frames go out of eth0 as they are (lynx built their
 * Ethernet header, EtherType ETH_P_LYNX, with lx0's address, which is
 * eth0's), and the frames of that EtherType eth0 receives are lx0's:
 * input.c's one packet_type finds lx0 with lynx_lower_upper_rcu() and
 * goes on as if they had arrived on it.  A device with no lynx device on
 * it still delivers nothing to lynx.  eth0 may carry one lynx device.
 *
 * lx0 follows eth0: its address (NETDEV_CHANGEADDR; its own cannot be
 * set), its MTU (never above eth0's: NETDEV_CHANGEMTU lowers it), its
 * operstate (netif_stacked_transfer_operstate()), and it goes when eth0
 * unregisters, which includes eth0 moving to another namespace.  lx0
 * itself cannot move (netns-local): eth0 must stay in lx0's namespace,
 * whose administrator owns eth0.  Otherwise another namespace would
 * receive and send this one's Ethernet traffic through lx0, and a lynx
 * frame taken from eth0 would be processed in a namespace that is not
 * eth0's.  For the same reason the lower must be in the new device's
 * namespace when it is made.
 *
 * Raw sockets: lx0's raw_ok is always true.  Its frames are eth0's, and
 * whoever is privileged in eth0's namespace could read and write them
 * with an AF_PACKET socket on eth0 anyway; lynx's raw sockets give that
 * namespace no more than it has.
 *
 * Lifetimes, all under the RTNL:
 *
 * - lynx_lower.dev is set by lynx_lower_newlink() before lx0 registers and
 *   never changes.  lx0 holds a reference on it (netdev_hold(), tracked)
 *   from its ndo_init to its priv_destructor, which runs once lx0's own
 *   last reference is gone, after its unregistration's grace period: so
 *   every user of lynx_lower.dev (xmit, ndo_get_iflink, the notifier)
 *   finds it allocated for as long as lx0 exists, and eth0's own
 *   unregistration waits (netdev_wait_allrefs) until lx0 is freed.
 * - lx0 is eth0's upper device (netdev_upper_dev_link()) from the end of
 *   lynx_lower_newlink() until lynx_lower_unlink(): at "ip link del lx0"
 *   (lynx_lower_dellink(), before the batch is unregistered, so that
 *   eth0 going in the same batch does not find it again), at eth0's
 *   NETDEV_UNREGISTER, or at the latest in lx0's ndo_uninit.  The receive
 *   path walks eth0's uppers under RCU: the upper list is RCU-safe and lx0
 *   is freed only after a grace period that follows its unlinking.
 * - eth0's NETDEV_UNREGISTER unregisters lx0 (nested, under the same
 *   RTNL hold) unless it is already being unregistered.
 */
#include <linux/etherdevice.h>
#include <linux/if_arp.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>

static const struct net_device_ops lynx_lower_ops;

/**
 * lynx_lower_is_upper - is @dev a lynx device stacked on another?
 * @dev: any device
 *
 * Return: true for the devices lynx_lower_newlink() made.
 */
bool lynx_lower_is_upper(const struct net_device *dev)
{
	return dev->netdev_ops == &lynx_lower_ops;
}

static struct net_device *lynx_lower_of(const struct net_device *upper)
{
	return lynx_dev_lower(upper)->dev;
}

/**
 * lynx_lower_upper_rcu - the lynx device stacked on @lower, if any
 * @lower: a device
 *
 * Call it under rcu_read_lock() (the receive path) or the RTNL.  The
 * device found may be going down or away: the caller checks
 * netif_running() where it matters.
 *
 * Return: the stacked lynx device, or NULL.
 */
struct net_device *lynx_lower_upper_rcu(struct net_device *lower)
{
	struct net_device *upper;
	struct list_head *iter;

	netdev_for_each_upper_dev_rcu(lower, upper, iter)
		if (lynx_lower_is_upper(upper))
			return upper;
	return NULL;
}

/* Makes @upper no longer @lower's upper device; idempotent.  RTNL. */
static void lynx_lower_unlink(struct net_device *upper)
{
	struct lynx_lower *ll = lynx_dev_lower(upper);

	ASSERT_RTNL();
	if (!ll->linked)
		return;
	ll->linked = false;
	netdev_upper_dev_unlink(ll->dev, upper);
}

/* ndo_init: lynx_lower_newlink() set the lower; hold it last, so that a
 * failure here leaves nothing for a destructor that will not run.
 */
static int lynx_lower_init(struct net_device *dev)
{
	struct lynx_lower *ll = lynx_dev_lower(dev);
	int err;

	err = lynx_dev_init_common(dev);
	if (err)
		return err;
	netdev_hold(ll->dev, &ll->tracker, GFP_KERNEL);
	return 0;
}

static void lynx_lower_uninit(struct net_device *dev)
{
	lynx_lower_unlink(dev);
	lynx_dev_uninit_common(dev);
}

/* priv_destructor: lx0 is unregistered and its last reference gone (or
 * its registration failed after ndo_init): drop the lower's.
 */
static void lynx_lower_free(struct net_device *dev)
{
	struct lynx_lower *ll = lynx_dev_lower(dev);

	netdev_put(ll->dev, &ll->tracker);
	lynx_dev_free_common(dev);
}

/**
 * lynx_lower_xmit - ndo_start_xmit of a stacked device
 * @skb: a whole Ethernet frame, built by output.c for this device
 * @dev: the stacked device
 *
 * The frame goes out of the lower device as it is; its source address is
 * already the lower's.  Counted on @dev when the lower took it, as
 * tx_dropped when not.
 *
 * Return: the lower's dev_queue_xmit() verdict (NET_XMIT_*), which output.c
 * sees as this device's.
 */
static netdev_tx_t lynx_lower_xmit(struct sk_buff *skb, struct net_device *dev)
{
	unsigned int len = skb->len;
	int ret;

	skb->dev = lynx_lower_of(dev);
	ret = dev_queue_xmit(skb);
	if (likely(ret == NET_XMIT_SUCCESS || ret == NET_XMIT_CN))
		dev_sw_netstats_tx_add(dev, 1, len);
	else
		dev_core_stats_tx_dropped_inc(dev);
	return ret;
}

static int lynx_lower_get_iflink(const struct net_device *dev)
{
	return READ_ONCE(lynx_lower_of(dev)->ifindex);
}

/* Never above the lower's MTU, so that no frame is too big for it. */
static int lynx_lower_change_mtu(struct net_device *dev, int new_mtu)
{
	if (new_mtu > READ_ONCE(lynx_lower_of(dev)->mtu))
		return -ERANGE;
	WRITE_ONCE(dev->mtu, new_mtu);
	return 0;
}

/* The address is the lower's: frames to any other would not reach us. */
static int lynx_lower_set_mac_address(struct net_device *dev, void *addr)
{
	return -EOPNOTSUPP;
}

/* Lynx sends and receives broadcasts and the lower's own address only. */
static void lynx_lower_set_rx_mode(struct net_device *dev)
{
}

static const struct net_device_ops lynx_lower_ops = {
	.ndo_init		= lynx_lower_init,
	.ndo_uninit		= lynx_lower_uninit,
	.ndo_start_xmit		= lynx_lower_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= lynx_lower_set_rx_mode,
	.ndo_set_mac_address	= lynx_lower_set_mac_address,
	.ndo_change_mtu		= lynx_lower_change_mtu,
	.ndo_get_iflink		= lynx_lower_get_iflink,
	.ndo_get_stats64	= dev_get_tstats64,
};

/* Whether lynx may be stacked on @lower, which is in @net. */
static int lynx_lower_check(struct net_device *lower, struct net *net,
			    struct netlink_ext_ack *extack)
{
	struct net_device *upper;

	if (!net_eq(dev_net(lower), net)) {
		NL_SET_ERR_MSG(extack,
			       "lynx: the link must be in the new device's namespace");
		return -EINVAL;
	}
	if (lower->type != ARPHRD_ETHER || lower->addr_len != ETH_ALEN ||
	    (lower->flags & IFF_LOOPBACK)) {
		NL_SET_ERR_MSG(extack, "lynx: the link is not an Ethernet device");
		return -EINVAL;
	}
	if (lynx_dev_is_lynx(lower)) {
		NL_SET_ERR_MSG(extack, "lynx: the link is a lynx device");
		return -EINVAL;
	}
	rcu_read_lock();
	upper = lynx_lower_upper_rcu(lower);
	rcu_read_unlock();
	if (upper) {
		NL_SET_ERR_MSG(extack, "lynx: the link already carries a lynx device");
		return -EBUSY;
	}
	return 0;
}

/**
 * lynx_lower_newlink - "ip link add NAME link LOWER type lynx"
 * @src_net: where LOWER's index is looked up
 * @dev:     the new device, set up by dev.c's lynx_setup()
 * @tb:      the request's attributes: IFLA_LINK is there
 * @data:    lynx's own attributes (IFLA_LYNX_SEGMENT is refused)
 * @extack:  for the reason of a refusal
 *
 * Turns @dev into a stacked device on LOWER, registers it and makes it
 * LOWER's upper.  No segment, so no lynx_segment_may_join(): the core
 * checked CAP_NET_ADMIN over the namespace, which owns LOWER.  RTNL.
 *
 * Return: 0, -ENODEV (no LOWER), -EINVAL (LOWER is not an Ethernet
 * device of @dev's namespace, is a lynx device, or the request has a
 * segment, an address or an MTU above LOWER's), -EBUSY (LOWER carries a
 * lynx device already) or register_netdevice()'s error.
 */
int lynx_lower_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack)
{
	struct lynx_lower *ll = lynx_dev_lower(dev);
	struct net_device *lower;
	int err;

	if (data && data[IFLA_LYNX_SEGMENT]) {
		NL_SET_ERR_MSG(extack,
			       "lynx: a device on a link is on no segment");
		return -EINVAL;
	}
	if (tb[IFLA_ADDRESS]) {
		NL_SET_ERR_MSG(extack,
			       "lynx: a device on a link has the link's address");
		return -EINVAL;
	}
	lower = __dev_get_by_index(src_net, nla_get_u32(tb[IFLA_LINK]));
	if (!lower) {
		NL_SET_ERR_MSG(extack, "lynx: the link does not exist");
		return -ENODEV;
	}
	err = lynx_lower_check(lower, dev_net(dev), extack);
	if (err)
		return err;
	if (!tb[IFLA_MTU]) {
		dev->mtu = lower->mtu;
	} else if (dev->mtu > lower->mtu) {
		NL_SET_ERR_MSG(extack, "lynx: mtu above the link's");
		return -EINVAL;
	}

	ll->dev = lower;
	dev->netdev_ops = &lynx_lower_ops;
	dev->priv_destructor = lynx_lower_free;
	/* The lower's queue is the one that matters. */
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->priv_flags &= ~IFF_LIVE_ADDR_CHANGE;
	/* See the top of this file. */
	lynx_netdev_set_netns_local(dev);
	if (lower->max_mtu)
		dev->max_mtu = min_t(unsigned int, dev->max_mtu, lower->max_mtu);
	dev->needed_headroom = lower->needed_headroom;
	dev->needed_tailroom = lower->needed_tailroom;
	eth_hw_addr_inherit(dev, lower);

	err = register_netdevice(dev);
	if (err)
		return err;	/* a held lower went with priv_destructor */
	err = netdev_upper_dev_link(lower, dev, extack);
	if (err) {
		unregister_netdevice(dev);
		return err;
	}
	ll->linked = true;
	netif_stacked_transfer_operstate(lower, dev);
	linkwatch_fire_event(dev);
	return 0;
}

/**
 * lynx_lower_dellink - rtnl_link_ops.dellink of a stacked device
 * @dev:  the stacked device
 * @head: the batch it is to be unregistered in
 *
 * Unlinks it from the lower at once: a lower unregistered in the same
 * batch (a dying namespace, rmmod) must no longer find it as its upper.
 */
void lynx_lower_dellink(struct net_device *dev, struct list_head *head)
{
	lynx_lower_unlink(dev);
	unregister_netdevice_queue(dev, head);
}

/**
 * lynx_lower_event - a netdevice event of a device that may carry lynx
 * @ln:    the namespace of @lower
 * @lower: the device of the event
 * @event: NETDEV_*
 *
 * From dev.c's notifier, under the RTNL.  The stacked device follows its
 * lower's state, MTU and address, forgets its neighbours when the lower
 * goes down, goes when the lower unregisters or leaves the namespace, and
 * keeps the lower from changing its type.
 *
 * Return: a notifier verdict (NOTIFY_BAD refuses a type change).
 */
int lynx_lower_event(struct lynx_net *ln, struct net_device *lower,
		     unsigned long event)
{
	struct net_device *upper;

	ASSERT_RTNL();
	upper = lynx_lower_upper_rcu(lower);
	if (!upper)
		return NOTIFY_DONE;

	switch (event) {
	case NETDEV_DOWN:
		lynx_neigh_flush_dev(ln, upper);
		fallthrough;
	case NETDEV_UP:
	case NETDEV_CHANGE:
		netif_stacked_transfer_operstate(lower, upper);
		break;
	case NETDEV_CHANGEMTU:
		if (upper->mtu > lower->mtu)
			dev_set_mtu(upper, lower->mtu);
		break;
	case NETDEV_CHANGEADDR:
		if (ether_addr_equal(upper->dev_addr, lower->dev_addr))
			break;
		eth_hw_addr_set(upper, lower->dev_addr);
		call_netdevice_notifiers(NETDEV_CHANGEADDR, upper);
		break;
	case NETDEV_PRE_TYPE_CHANGE:
		return NOTIFY_BAD;
	case NETDEV_UNREGISTER:
		/* Going away or moving to another namespace: lx0 goes. */
		lynx_lower_unlink(upper);
		if (upper->reg_state == NETREG_REGISTERED)
			unregister_netdevice_queue(upper, NULL);
		break;
	}
	return NOTIFY_DONE;
}
