/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: device extras beyond <net/lynx.h> (dev.c).
 */
#ifndef _NET_LYNX_DEV_H
#define _NET_LYNX_DEV_H

#include <net/lynx.h>

/* Unregisters what lynx_dev_create_lo() returned; NULL is a no-op. */
void lynx_dev_destroy_lo(struct net_device *lo);

/*
 * A segment device named @name (may hold "%d") in @net, registered and up,
 * as "ip link add NAME type lynx" would make it; ERR_PTR() on failure.
 * Takes the RTNL: remove it with unregister_netdev().
 */
struct net_device *lynx_dev_create(struct net *net, const char *name);
/* The same on segment @seg_id, if current may join it (else -EPERM). */
struct net_device *lynx_dev_create_on(struct net *net, const char *name,
				      u32 seg_id);
/* The segment a segment device is on (its IFLA_LYNX_SEGMENT). */
u32 lynx_dev_segment(const struct net_device *dev);
/* How many devices segment @seg_id has; 0: there is no such segment. */
unsigned int lynx_segment_devices(u32 seg_id);

/*
 * Test facility: a lynx device as a lossy link, for KUnit only (the
 * functions are exported to KUnit tests alone).  Rates are per mille.
 */

/**
 * struct lynx_dev_faults - what lynx_dev_set_faults() injects
 * @drop:    frames dropped (counted in tx_dropped)
 * @dup:     frames sent twice
 * @reorder: frames held back and sent after the next one
 * @seed:    seed of the decisions' pseudo-random sequence
 * @hold_ms: how long a held frame waits for one to overtake it before it
 *           goes anyway (0: 5 ms)
 */
struct lynx_dev_faults {
	u16	drop;
	u16	dup;
	u16	reorder;
	u32	seed;
	u32	hold_ms;
};

/**
 * struct lynx_dev_fault_counts - faults injected by a device
 * @dropped:    frames dropped
 * @duplicated: frames sent twice
 * @reordered:  held frames sent after a later one
 */
struct lynx_dev_fault_counts {
	u64	dropped;
	u64	duplicated;
	u64	reordered;
};

#if IS_ENABLED(CONFIG_LYNX_KUNIT_TEST)
int lynx_dev_set_faults(struct net_device *dev,
			const struct lynx_dev_faults *f);
void lynx_dev_fault_counts(struct net_device *dev,
			   struct lynx_dev_fault_counts *c);
#endif

#endif /* _NET_LYNX_DEV_H */
