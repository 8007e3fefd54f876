/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: the neighbour table's entries, private to neigh.c, /proc and the
 * neighbour KUnit suite (the table's functions are in <net/lynx.h>).
 */
#ifndef _NET_LYNX_NEIGH_H
#define _NET_LYNX_NEIGH_H

#include <linux/seq_file.h>
#include <net/lynx.h>

/**
 * struct lynx_neigh - where a node was last heard from
 * @hash:    chain in lynx_neigh_table.hash
 * @node:    the node id (key)
 * @dev:     device the node's frames arrive on (holds a reference)
 * @dev_tracker: reference tracker for @dev
 * @mac:     the node's Ethernet address
 * @updated: jiffies of the last frame heard
 * @rcu:     deferred free
 */
struct lynx_neigh {
	struct hlist_node	hash;
	u32			node;
	struct net_device	*dev;
	netdevice_tracker	dev_tracker;
	u8			mac[ETH_ALEN];
	unsigned long		updated;
	struct rcu_head		rcu;
};

/* An entry not refreshed for this long is forgotten. */
#define LYNX_NEIGH_TIMEOUT	(60 * HZ)

/* Prints "node dev mac age_ms" then one line per entry of @ln's table. */
int lynx_neigh_seq_show_all(struct seq_file *seq, struct lynx_net *ln);

#endif /* _NET_LYNX_NEIGH_H */
