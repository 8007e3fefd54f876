// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: where a frame enters.  One packet_type for ETH_P_LYNX; frames are
 * taken only from lynx devices, and from an Ethernet device carrying a
 * stacked lynx device (lower.c), where they become that device's: a LAN
 * host on an eth0 nobody stacked lynx on must not reach lynx sockets by
 * guessing a node id.  Then they are validated, their sender learned,
 * copied to the namespace's raw sockets if it has any (raw.c), and handed
 * to the socket type that owns their port space.
 */
#include <linux/netdevice.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <net/lynx.h>

static const u8 lynx_parse_mib[] = {
	[LYNX_PARSE_TRUNCATED]	= LYNX_MIB_DROP_TRUNCATED,
	[LYNX_PARSE_VERSION]	= LYNX_MIB_DROP_VERSION,
	[LYNX_PARSE_MALFORMED]	= LYNX_MIB_DROP_MALFORMED,
	[LYNX_PARSE_CSUM]	= LYNX_MIB_DROP_CSUM,
};

/* Node ids no sender can have: unset, the local alias, the wildcard. */
static bool lynx_node_reserved(u32 node)
{
	return node == 0 || node == LYNX_NODE_LOCAL || node == LYNX_NODE_ANY;
}

/* A lynx device with an Ethernet header in front of the frame. */
static bool lynx_rcv_dev_ok(const struct sk_buff *skb,
			    const struct net_device *dev)
{
	return lynx_dev_is_lynx(dev) && dev->type == ARPHRD_ETHER &&
	       skb_mac_header_was_set(skb) &&
	       skb_mac_header_len(skb) >= ETH_HLEN;
}

static int lynx_rcv(struct sk_buff *skb, struct net_device *dev,
		    struct packet_type *pt, struct net_device *orig_dev)
{
	struct lynx_net *ln = lynx_net(dev_net(dev));
	struct net_device *upper = NULL;
	struct lynx_hdr_info info;
	enum lynx_parse_err perr;

	/* No lynx state (the namespace's setup failed in or before lynx's
	 * init), or it is being torn down: lynx_net_pre_exit() set @dying a
	 * grace period before the exit frees the counters, the neighbours
	 * and lynxlo, while the namespace's devices still receive.  Packet
	 * handlers run under rcu_read_lock().
	 */
	if (unlikely(!ln || READ_ONCE(ln->dying))) {
		dev_core_stats_rx_dropped_inc(dev);
		kfree_skb(skb);
		return NET_RX_DROP;
	}

	LYNX_INC_STATS(ln, LYNX_MIB_FRAMES_IN);
	/* Not a lynx device: the one stacked on it, if it is up, receives.
	 * It is of the same namespace (lower.c), so @ln stays right.
	 */
	if (!lynx_dev_is_lynx(dev)) {
		upper = lynx_lower_upper_rcu(dev);
		if (!upper || !netif_running(upper)) {
			LYNX_INC_STATS(ln, LYNX_MIB_DROP_DEVICE);
			goto drop;
		}
	}
	if (!lynx_rcv_dev_ok(skb, upper ?: dev)) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_DEVICE);
		goto drop;
	}
	if (skb->pkt_type == PACKET_OTHERHOST ||
	    skb->pkt_type == PACKET_OUTGOING) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOT_FOR_US);
		goto drop;
	}
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		return NET_RX_DROP;
	}
	/* Ours now (the lower's taps had theirs): it arrived on @upper. */
	if (upper) {
		skb->dev = upper;
		dev = upper;
		dev_sw_netstats_rx_add(upper, skb->len + ETH_HLEN);
	}

	perr = lynx_hdr_parse(skb, &info);
	if (perr != LYNX_PARSE_OK) {
		LYNX_INC_STATS(ln, lynx_parse_mib[perr]);
		goto drop;
	}
	if (lynx_node_reserved(info.src_node)) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_MALFORMED);
		goto drop;
	}
	if (info.dst_node != READ_ONCE(ln->node)) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOT_FOR_US);
		goto drop;
	}
	if (info.src_node != info.dst_node && dev != ln->lo)
		lynx_neigh_learn(ln, info.src_node, dev, eth_hdr(skb)->h_source);
	/* Raw sockets get copies; the frame goes on as if they were not. */
	if (lynx_raw_wanted(ln))
		lynx_raw_rcv(ln, skb, &info);

	switch (info.type) {
	case LYNX_T_DGRAM:
		return lynx_dgram_rcv(ln, skb, &info);
	case LYNX_T_STREAM:
	case LYNX_T_SEQPACKET:
		return lynx_conn_rcv(ln, skb, &info);
	default:
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NO_SOCKET);
		goto drop;
	}

drop:
	kfree_skb(skb);
	return NET_RX_DROP;
}

static struct packet_type lynx_packet_type __read_mostly = {
	.type	= cpu_to_be16(ETH_P_LYNX),
	.func	= lynx_rcv,
};

void lynx_input_init(void)
{
	dev_add_pack(&lynx_packet_type);
}

void lynx_input_exit(void)
{
	/* Waits for receivers in flight (synchronize_net). */
	dev_remove_pack(&lynx_packet_type);
}
