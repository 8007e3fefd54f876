/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: the one place that knows which kernel lynx is built against.
 *
 * lynx builds out of tree against two kernel generations, Debian's 6.1
 * (the stock and the debug kernel) and Debian's 6.12, and every API that
 * differs between them is wrapped here, keyed on LINUX_VERSION_CODE, each
 * block naming the upstream release and commit that changed it.  No other
 * file tests LINUX_VERSION_CODE: module/ and kunit/ call the helpers below
 * (scripts/checkpatch lets this header alone use it).  It sits in
 * include/net/ beside <net/lynx.h>, not in module/, because lynx_test.ko
 * (kunit/) needs the same helpers.  On 6.1 every helper is what the code
 * said before, so the 6.1 objects do not change; in the tree (net/lynx)
 * only the newest branch of each block would stay.
 *
 * Not needed between 6.1 and 6.12, so not here: strlcpy() (gone in 6.8;
 * lynx uses strscpy()) and MODULE_IMPORT_NS() (a string literal only from
 * 6.13, "module: Convert symbol namespace to string literal").
 */
#ifndef _NET_LYNX_COMPAT_H
#define _NET_LYNX_COMPAT_H

#include <linux/version.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/sysctl.h>
#include <net/net_namespace.h>

/*
 * 6.5: "sock: Remove ->sendpage*() in favour of sendmsg(MSG_SPLICE_PAGES)"
 * took .sendpage out of struct proto_ops, and sock_no_sendpage() with it:
 * splice() and sendfile() now reach .sendmsg with MSG_SPLICE_PAGES over a
 * bvec iterator, which lynx copies like any other (what sock_no_sendpage()
 * did through kernel_sendmsg() before).  LYNX_PROTO_OPS_SENDPAGE ends a
 * proto_ops initializer.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 5, 0)
#define LYNX_PROTO_OPS_SENDPAGE	.sendpage = sock_no_sendpage,
#else
#define LYNX_PROTO_OPS_SENDPAGE
#endif

/*
 * 6.10: "net: have do_accept() take a struct proto_accept_arg argument"
 * replaced .accept's flags and kern arguments by struct proto_accept_arg.
 * An .accept's parameters after its two sockets are LYNX_ACCEPT_PARAMS,
 * which names them "arg" (and kern, which lynx has no use for), and
 * lynx_accept_flags(arg) gives the file's flags (O_NONBLOCK) either way.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define LYNX_ACCEPT_PARAMS	struct proto_accept_arg *arg
#define lynx_accept_flags(arg)	((arg)->flags)
#else
#define LYNX_ACCEPT_PARAMS	int arg, bool kern
#define lynx_accept_flags(arg)	(arg)
#endif

/*
 * 6.11: "sysctl: treewide: constify the ctl_table argument of
 * proc_handlers": a proc_handler takes a const struct ctl_table.
 * lynx_ctl_table is the type of that argument (a handler reads it and
 * builds its own table on the stack, as before).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define lynx_ctl_table	const struct ctl_table
#else
#define lynx_ctl_table	struct ctl_table
#endif

/**
 * lynx_register_net_sysctl - register a namespace's sysctl table
 * @net: the namespace
 * @path: the directory, as "net/lynx"
 * @table: the entries, followed by an empty sentinel entry
 * @count: the number of entries, the sentinel not counted
 *
 * 6.6: "sysctl: Add size to register_net_sysctl function" made
 * register_net_sysctl() a macro over ARRAY_SIZE() of its table, which a
 * table copied per namespace (a pointer) cannot give, and added
 * register_net_sysctl_sz(), which takes the size; since 6.11 ("sysctl:
 * Warn on an empty procname element") an entry without a procname within
 * that size fails the registration.  Before 6.6 the core stops at the
 * sentinel instead, which must be there: the table keeps it, @count leaves
 * it out.
 *
 * Return: the header for unregister_net_sysctl_table(), or NULL.
 */
static inline struct ctl_table_header *
lynx_register_net_sysctl(struct net *net, const char *path,
			 struct ctl_table *table, size_t count)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return register_net_sysctl_sz(net, path, table, count);
#else
	return register_net_sysctl(net, path, table);
#endif
}

/*
 * 6.12: "netdev_features: convert NETIF_F_NETNS_LOCAL to dev->netns_local"
 * and "netdev_features: convert NETIF_F_LLTX to dev->lltx" made both
 * private flags of struct net_device, out of its feature set; then 6.15's
 * "net: rename netns_local to netns_immutable", which stable 6.12.114 took
 * as well (Debian's 6.12.115 has it), renamed the first.  The flag keeps
 * the device in its namespace: lynxlo belongs to the one it was made for.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0) ||			\
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 114) &&		\
	 LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0))
static inline void lynx_netdev_set_netns_local(struct net_device *dev)
{
	dev->netns_immutable = true;
}

static inline bool lynx_netdev_netns_local(const struct net_device *dev)
{
	return dev->netns_immutable;
}
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static inline void lynx_netdev_set_netns_local(struct net_device *dev)
{
	dev->netns_local = true;
}

static inline bool lynx_netdev_netns_local(const struct net_device *dev)
{
	return dev->netns_local;
}
#else
static inline void lynx_netdev_set_netns_local(struct net_device *dev)
{
	dev->features |= NETIF_F_NETNS_LOCAL;
}

static inline bool lynx_netdev_netns_local(const struct net_device *dev)
{
	return dev->features & NETIF_F_NETNS_LOCAL;
}
#endif

/* Whether @dev transmits without its queue lock (lynx's devices do not). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
static inline bool lynx_netdev_lltx(const struct net_device *dev)
{
	return dev->lltx;
}
#else
static inline bool lynx_netdev_lltx(const struct net_device *dev)
{
	return dev->features & NETIF_F_LLTX;
}
#endif

#endif /* _NET_LYNX_COMPAT_H */
