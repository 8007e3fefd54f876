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

#endif /* _NET_LYNX_DEV_H */
