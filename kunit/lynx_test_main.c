// SPDX-License-Identifier: GPL-2.0
/*
 * lynx_test: KUnit suites for lynx internals.  Every suite lives in its own
 * file next to the concept it tests; this file holds the module glue and
 * the helpers the suites share (lynx_test.h).
 * The suites run when the module is loaded (results in dmesg and in
 * /sys/kernel/debug/kunit/<suite>/results).
 */
#include <linux/module.h>
#include <linux/netdevice.h>
#include <linux/net.h>
#include <linux/uio.h>
#include <net/lynx.h>
#include "lynx_test.h"

MODULE_DESCRIPTION("KUnit tests for the lynx address family");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);

/* One counter of @dev's statistics, at @off in struct rtnl_link_stats64. */
u64 lynx_test_dev_stat(struct net_device *dev, size_t off)
{
	struct rtnl_link_stats64 s;

	dev_get_stats(dev, &s);
	return *(u64 *)((u8 *)&s + off);
}

/* One of init_net's lynx counters, summed over the CPUs. */
unsigned long lynx_test_mib(enum lynx_mib field)
{
	return lynx_stats_read(lynx_net(&init_net), field);
}

/**
 * lynx_test_sendmsg - send from a kernel socket
 * @sock:  the socket
 * @to:    the destination, or NULL for a connected socket
 * @buf:   the bytes
 * @len:   how many
 * @flags: MSG_* flags
 *
 * Return: what sendmsg returns.
 */
int lynx_test_sendmsg(struct socket *sock, const struct sockaddr_lynx *to,
		      const void *buf, size_t len, int flags)
{
	struct kvec vec = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name	= (void *)to,
		.msg_namelen	= to ? sizeof(*to) : 0,
		.msg_flags	= flags,
	};

	return kernel_sendmsg(sock, &msg, &vec, 1, len);
}

/**
 * lynx_test_recvmsg - receive on a kernel socket
 * @sock:      the socket
 * @buf:       where the bytes go
 * @len:       room in @buf
 * @flags:     MSG_* flags
 * @from:      the source's address, or NULL
 * @msg_flags: recvmsg's msg_flags, or NULL
 *
 * Return: what recvmsg returns.
 */
int lynx_test_recvmsg(struct socket *sock, void *buf, size_t len, int flags,
		      struct sockaddr_lynx *from, int *msg_flags)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name	= from,
		.msg_namelen	= from ? sizeof(*from) : 0,
	};
	int ret;

	ret = kernel_recvmsg(sock, &msg, &vec, 1, len, flags);
	if (msg_flags)
		*msg_flags = msg.msg_flags;
	return ret;
}
