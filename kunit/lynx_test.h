/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the lynx KUnit suites: how long to wait for what must happen,
 * and the helpers of lynx_test_main.c (device and lynx counters, I/O on
 * kernel sockets).
 */
#ifndef LYNX_KUNIT_TEST_H
#define LYNX_KUNIT_TEST_H

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/stddef.h>
#include <linux/types.h>
#include <linux/lynx.h>

struct net_device;
struct socket;
enum lynx_mib;

u64 lynx_test_dev_stat(struct net_device *dev, size_t off);
#define LYNX_TEST_DEV_STAT(dev, field) \
	lynx_test_dev_stat(dev, offsetof(struct rtnl_link_stats64, field))
unsigned long lynx_test_mib(enum lynx_mib field);
int lynx_test_sendmsg(struct socket *sock, const struct sockaddr_lynx *to,
		      const void *buf, size_t len, int flags);
int lynx_test_recvmsg(struct socket *sock, void *buf, size_t len, int flags,
		      struct sockaddr_lynx *from, int *msg_flags);

/* The longest a suite waits for something that must happen (a frame, a
 * counter, a wakeup).  lynx_test.ko runs on the debug kernel only (KASAN,
 * lockdep, kmemleak, on 2 CPUs shared with make check's other guests):
 * 2 s of a stock kernel times LYNX_DEBUG_SLOWDOWN (4) of
 * selftests/lynx_util.h, the selftests' factor for the same kernel.  A
 * wait that proves something does NOT happen keeps its own short window.
 */
#define LYNX_TEST_WAIT_MS	8000
#define LYNX_TEST_WAIT		msecs_to_jiffies(LYNX_TEST_WAIT_MS)

/* Polls @cond every 5 ms for up to LYNX_TEST_WAIT_MS; true if it held. */
#define lynx_test_wait_until(cond) ({					\
	unsigned long end_ = jiffies + LYNX_TEST_WAIT;			\
	bool ok_;							\
									\
	while (!(ok_ = (cond)) && time_before(jiffies, end_))		\
		usleep_range(5000, 6000);				\
	ok_;								\
})

#endif /* LYNX_KUNIT_TEST_H */
