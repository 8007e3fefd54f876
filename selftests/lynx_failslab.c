// SPDX-License-Identifier: GPL-2.0
/*
 * unshare(CLONE_NEWNET) with the Nth slab allocation failing
 * (/proc/self/fail-nth), for each of the last SWEEP allocations the call
 * makes (lynx's namespace setup comes last): a setup that fails half
 * way is undone without a crash (the devices the core made go down with no
 * lynx state there), and unshare reports an error.  It fails
 * by a kernel splat (Oops, KASAN) as much as by its own checks.  Only the
 * debug kernel has failslab; on it the test must run.  The core prints a
 * stack dump for a sysctl table it could not register: the test marks its
 * window in the kernel log (lynx_fault.h) so vm-run takes that for what it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "lynx_fault.h"
#include "kselftest_harness.h"

#define FAILSLAB	LYNX_FAULT_DEBUGFS "/failslab"

/* How many of the last allocations of unshare(CLONE_NEWNET) fail in turn. */
#define SWEEP		400

/*
 * Fails the nth slab allocation of unshare(CLONE_NEWNET) in this task
 * (@fd: its /proc/thread-self/fail-nth).  A failed unshare leaves the task
 * where it was; a successful one moves it to the new namespace, and the
 * one it leaves goes when nothing else holds it.  Returns 0 when the
 * allocation was failed and unshare either coped or gave ENOMEM (or
 * ENOBUFS or EINVAL, as the core reports some), 1 when
 * unshare made fewer than n allocations (and succeeded), -1 otherwise.
 */
static int unshare_nth(int fd, unsigned int n, unsigned int *left)
{
	char buf[32];
	int ret, err;

	snprintf(buf, sizeof(buf), "%u", n);
	if (pwrite(fd, buf, strlen(buf), 0) != (ssize_t)strlen(buf))
		return -1;
	ret = unshare(CLONE_NEWNET);
	err = errno;
	memset(buf, 0, sizeof(buf));
	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	*left = strtoul(buf, NULL, 10);
	/* Nothing else of this task may be failed. */
	if (pwrite(fd, "0", 1, 0) != 1)
		return -1;
	errno = err;
	if (*left)
		return ret ? -1 : 1;
	/*
	 * The core turns some failed allocations into ENOBUFS, and one of
	 * a device's kobject name into EINVAL (device_add() of a nameless
	 * kobject): errors the core chose, passed on as they are.
	 */
	return ret && err != ENOMEM && err != ENOBUFS && err != EINVAL ?
	       -1 : 0;
}

FIXTURE(failslab)
{
	bool configured;
	int fd;		/* /proc/thread-self/fail-nth */
};

FIXTURE_SETUP(failslab)
{
	const char *k = getenv("LYNX_KERNEL");

	self->configured = false;
	self->fd = -1;
	if (access(FAILSLAB, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(FAILSLAB, F_OK) || access("/proc/self/fail-nth", F_OK)) {
		/* Only the debug kernel has failslab; there it must run. */
		ASSERT_FALSE(k && !strcmp(k, "debug"))
			TH_LOG("no failslab on the debug kernel");
		SKIP(return, "no failslab in this kernel");
	}
	/* fail-nth alone decides; GFP_KERNEL allocations count too. */
	ASSERT_EQ(0, lynx_fault_set(LYNX_FAULT_SLAB, "verbose", "0"));
	ASSERT_EQ(0, lynx_fault_set(LYNX_FAULT_SLAB, "ignore-gfp-wait", "N"));
	self->configured = true;
	lynx_fault_kmsg("lynx-fault-injection: on");
	self->fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(failslab)
{
	if (self->fd >= 0)
		close(self->fd);
	if (!self->configured)
		return;
	lynx_fault_set(LYNX_FAULT_SLAB, "ignore-gfp-wait", "Y");
	lynx_fault_set(LYNX_FAULT_SLAB, "verbose", "2");
	lynx_fault_kmsg("lynx-fault-injection: off");
}

TEST_F_TIMEOUT(failslab, unshare_netns, 900)
{
	unsigned int total, left = 0, n, failed = 0;
	int ret;

	/* (again here: the 6.1 harness runs the test after a setup SKIP) */
	if (!self->configured)
		SKIP(return, "no failslab in this kernel");

	/* How many allocations a successful unshare makes. */
	ret = unshare_nth(self->fd, 1000000, &left);
	ASSERT_EQ(1, ret);
	total = 1000000 - left;
	TH_LOG("unshare(CLONE_NEWNET) makes %u slab allocations", total);
	ASSERT_LT(50, total);

	/*
	 * They fail in turn from the last: lynx's setup comes last (its
	 * pernet operations were registered last) and makes fewer than
	 * SWEEP of them, lynxlo's registration included.  The core's own
	 * earlier ones are not lynx's to test (some give EINVAL).
	 */
	for (n = total + 20; n >= 1 && n + SWEEP > total; n--) {
		left = 0;
		ret = unshare_nth(self->fd, n, &left);
		ASSERT_LE(0, ret)
			TH_LOG("failing allocation %u: unshare: %s", n,
			       strerror(errno));
		failed += ret == 0;
	}
	TH_LOG("%u allocations failed in turn", failed);
	EXPECT_LT(SWEEP / 2, failed);
}

TEST_HARNESS_MAIN
