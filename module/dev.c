// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the lynx net_device.
 *
 * Segment devices ("ip link add NAME type lynx"), whatever their namespace,
 * all hang off one virtual Ethernet segment, a hub: a frame sent on one is
 * received by every other running one it is addressed to (its MAC, a group
 * address, or any frame when promiscuous).  lynxlo, one per namespace and
 * made by net.c through lynx_dev_create_lo(), receives what it sends and is
 * on no segment.  Both have a real qdisc: frames reach lynx_dev_xmit() and
 * lynx_lo_xmit() through it.
 *
 * The netdevice notifier here flushes the neighbour entries of any device
 * (not only ours) that goes down or away.
 */
#include <linux/etherdevice.h>
#include <linux/netdevice.h>
#include <linux/rculist.h>
#include <linux/rtnetlink.h>
#include <net/rtnetlink.h>
#include <kunit/visibility.h>
#include <net/lynx.h>
#include <net/lynx_dev.h>

/**
 * struct lynx_dev - private part of a lynx net_device
 * @seg: in lynx_segment (segment devices only)
 * @dev: back pointer
 */
struct lynx_dev {
	struct list_head	seg;
	struct net_device	*dev;
};

/*
 * The segment: every registered segment device, from ndo_init to
 * ndo_uninit, of every namespace.  xmit walks it under RCU; the core's
 * grace periods between ndo_uninit and the device's freeing keep a device
 * seen there alive for the walk.
 */
static LIST_HEAD(lynx_segment);
/* Protects lynx_segment against concurrent writers. */
static DEFINE_SPINLOCK(lynx_segment_lock);

static void lynx_dev_free(struct net_device *dev)
{
	free_percpu(dev->tstats);
}

static int lynx_lo_init(struct net_device *dev)
{
	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	netdev_lockdep_set_classes(dev);
	return 0;
}

static void lynx_lo_uninit(struct net_device *dev)
{
	/*
	 * The notifier does it too, but at module exit it is gone before
	 * net.c destroys lynxlo.  A device that never got registered has
	 * never received anything.
	 */
	if (dev->reg_state == NETREG_UNREGISTERING)
		lynx_neigh_flush_dev(lynx_net(dev_net(dev)), dev);
}

static int lynx_dev_init_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);
	int err;

	err = lynx_lo_init(dev);
	if (err)
		return err;
	ld->dev = dev;
	spin_lock(&lynx_segment_lock);
	list_add_tail_rcu(&ld->seg, &lynx_segment);
	spin_unlock(&lynx_segment_lock);
	return 0;
}

static void lynx_dev_uninit_seg(struct net_device *dev)
{
	struct lynx_dev *ld = netdev_priv(dev);

	spin_lock(&lynx_segment_lock);
	list_del_rcu(&ld->seg);
	spin_unlock(&lynx_segment_lock);
	/*
	 * unregister_netdevice() waits for a grace period before the device
	 * can be freed; a failing register_netdevice() does not.
	 */
	if (dev->reg_state != NETREG_UNREGISTERING)
		synchronize_net();
	lynx_lo_uninit(dev);
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

/* Hands @skb (consumed) to @peer's receive path; a drop counts there. */
static void lynx_dev_deliver(struct sk_buff *skb, struct net_device *peer)
{
	unsigned int len = skb->len;

	if (dev_forward_skb(peer, skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(peer, len);
}

static netdev_tx_t lynx_dev_xmit(struct sk_buff *skb, struct net_device *dev)
{
	u8 dest[ETH_ALEN] __aligned(2);
	struct net_device *to = NULL;
	struct sk_buff *clone;
	struct lynx_dev *ld;

	if (!lynx_tx_begin(skb, dev))
		return NETDEV_TX_OK;
	ether_addr_copy(dest, ((struct ethhdr *)skb->data)->h_dest);

	/* Each receiver but the last gets a clone, the last @skb itself. */
	rcu_read_lock();
	list_for_each_entry_rcu(ld, &lynx_segment, seg) {
		if (ld->dev == dev || !lynx_dev_wants(ld->dev, dest))
			continue;
		if (to) {
			clone = skb_clone(skb, GFP_ATOMIC);
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
	return NETDEV_TX_OK;
}

static netdev_tx_t lynx_lo_xmit(struct sk_buff *skb, struct net_device *dev)
{
	unsigned int len;

	if (!lynx_tx_begin(skb, dev))
		return NETDEV_TX_OK;
	len = skb->len;
	if (__dev_forward_skb(dev, skb))
		return NETDEV_TX_OK;	/* freed, counted as rx_dropped */
	/* Whatever lynxlo sends is for itself. */
	if (skb->pkt_type == PACKET_OTHERHOST)
		skb->pkt_type = PACKET_HOST;
	if (netif_rx(skb) == NET_RX_SUCCESS)
		dev_sw_netstats_rx_add(dev, len);
	return NETDEV_TX_OK;
}

/* Accepts any multicast list: the segment delivers every group frame. */
static void lynx_set_rx_mode(struct net_device *dev)
{
}

static const struct net_device_ops lynx_netdev_ops = {
	.ndo_init		= lynx_dev_init_seg,
	.ndo_uninit		= lynx_dev_uninit_seg,
	.ndo_start_xmit		= lynx_dev_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= lynx_set_rx_mode,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

static const struct net_device_ops lynx_lo_ops = {
	.ndo_init		= lynx_lo_init,
	.ndo_uninit		= lynx_lo_uninit,
	.ndo_start_xmit		= lynx_lo_xmit,
	.ndo_validate_addr	= eth_validate_addr,
	.ndo_set_rx_mode	= lynx_set_rx_mode,
	.ndo_set_mac_address	= eth_mac_addr,
	.ndo_get_stats64	= dev_get_tstats64,
};

static void lynx_setup_common(struct net_device *dev)
{
	ether_setup(dev);
	/* Receivers get the skb itself: it cannot be shared (pktgen). */
	dev->priv_flags &= ~IFF_TX_SKB_SHARING;
	dev->priv_flags |= IFF_LIVE_ADDR_CHANGE;
	dev->min_mtu = LYNX_HLEN + 1;
	dev->max_mtu = ETH_MAX_MTU;
	dev->features |= NETIF_F_SG | NETIF_F_FRAGLIST | NETIF_F_HW_CSUM |
			 NETIF_F_HIGHDMA;
	dev->hw_features |= dev->features;
	dev->needs_free_netdev = true;
	dev->priv_destructor = lynx_dev_free;
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
	dev->features |= NETIF_F_NETNS_LOCAL;
	dev->mtu = ETH_MAX_MTU;
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

/*
 * No netns_refund: default_device_exit_batch() deletes the segment devices
 * of a dying namespace instead of moving them to init_net.
 */
static struct rtnl_link_ops lynx_link_ops __read_mostly = {
	.kind		= "lynx",
	.priv_size	= sizeof(struct lynx_dev),
	.setup		= lynx_setup,
	.validate	= lynx_validate,
};

/* Registers and opens a new device made by @setup; takes the RTNL. */
static struct net_device *lynx_dev_new(struct net *net, const char *name,
				       void (*setup)(struct net_device *),
				       const struct rtnl_link_ops *ops)
{
	struct net_device *dev;
	int err;

	dev = alloc_netdev(sizeof(struct lynx_dev), name, NET_NAME_PREDICTABLE,
			   setup);
	if (!dev)
		return ERR_PTR(-ENOMEM);
	dev_net_set(dev, net);
	dev->rtnl_link_ops = ops;

	rtnl_lock();
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
 * Return: the device, or an ERR_PTR().
 */
struct net_device *lynx_dev_create_lo(struct net *net)
{
	return lynx_dev_new(net, LYNX_LO_NAME, lynx_lo_setup, NULL);
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
	return lynx_dev_new(net, name, lynx_setup, &lynx_link_ops);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_create);

bool lynx_dev_is_lynx(const struct net_device *dev)
{
	return dev->netdev_ops == &lynx_netdev_ops ||
	       dev->netdev_ops == &lynx_lo_ops;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_dev_is_lynx);

/* Lynx frames arrive on any Ethernet device: watch them all. */
static int lynx_dev_event(struct notifier_block *nb, unsigned long event,
			  void *ptr)
{
	struct net_device *dev = netdev_notifier_info_to_dev(ptr);

	switch (event) {
	case NETDEV_DOWN:
	case NETDEV_UNREGISTER:
		lynx_neigh_flush_dev(lynx_net(dev_net(dev)), dev);
		break;
	}
	return NOTIFY_DONE;
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
