// SPDX-License-Identifier: GPL-2.0
/*
 * unshare(CLONE_NEWNET) with the Nth slab allocation failing
 * (/proc/self/fail-nth), for every N the call makes, from the last one
 * (lynx's namespace setup comes last) to the first: a setup that fails half
 * way is undone without a crash (the devices the core made go down with no
 * lynx state there), and unshare reports ENOMEM.  It fails by a kernel
 * splat (Oops, KASAN) as much as by its own checks.  Only the debug kernel
 * has failslab; on it the test must run.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

#define FAILSLAB	"/sys/kernel/debug/failslab"

static int failslab_set(const char *attr, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), FAILSLAB "/%s", attr);
	return lynx_write_file(path, val);
}

/*
 * In a child: fail the nth slab allocation of unshare(CLONE_NEWNET).
 * Returns 0 when the allocation was failed (whatever unshare then did),
 * 1 when unshare made fewer than n allocations (and succeeded), -1 when
 * unshare succeeded although its allocation was failed or failed without
 * one, -2 when the child did not exit normally.
 */
static int unshare_nth(unsigned int n, unsigned int *left)
{
	char buf[32];
	int pipefd[2], status, fd;
	unsigned int l = 0;
	pid_t pid;
	ssize_t r;

	if (pipe(pipefd))
		return -2;
	pid = fork();
	if (pid < 0)
		return -2;
	if (!pid) {
		int ret, err;

		close(pipefd[0]);
		fd = open("/proc/thread-self/fail-nth", O_RDWR);
		if (fd < 0)
			_exit(3);
		snprintf(buf, sizeof(buf), "%u", n);
		if (write(fd, buf, strlen(buf)) != (ssize_t)strlen(buf))
			_exit(3);
		ret = unshare(CLONE_NEWNET);
		err = errno;
		memset(buf, 0, sizeof(buf));
		if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
			_exit(3);
		l = strtoul(buf, NULL, 10);
		/* Nothing else of this task may be failed. */
		if (write(fd, "0", 1) != 1)
			_exit(3);
		if (write(pipefd[1], &l, sizeof(l)) != sizeof(l))
			_exit(3);
		if (l)		/* not reached: everything succeeded */
			_exit(ret ? 4 : 1);
		_exit(ret && err != ENOMEM ? 5 : 0);
	}
	close(pipefd[1]);
	r = read(pipefd[0], &l, sizeof(l));
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -2;
	if (r == sizeof(l))
		*left = l;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		return -1;
	}
}

FIXTURE(failslab)
{
	bool configured;
};

FIXTURE_SETUP(failslab)
{
	const char *k = getenv("LYNX_KERNEL");

	self->configured = false;
	if (access(FAILSLAB, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	if (access(FAILSLAB, F_OK) || access("/proc/self/fail-nth", F_OK)) {
		/* Only the debug kernel has failslab; there it must run. */
		ASSERT_FALSE(k && !strcmp(k, "debug"))
			TH_LOG("no failslab on the debug kernel");
		SKIP(return, "no failslab in this kernel");
	}
	/* fail-nth alone decides; GFP_KERNEL allocations count too. */
	ASSERT_EQ(0, failslab_set("verbose", "0"));
	ASSERT_EQ(0, failslab_set("ignore-gfp-wait", "N"));
	self->configured = true;
}

FIXTURE_TEARDOWN(failslab)
{
	if (!self->configured)
		return;
	failslab_set("ignore-gfp-wait", "Y");
	failslab_set("verbose", "2");
}

TEST_F_TIMEOUT(failslab, unshare_netns, 900)
{
	unsigned int total, left = 0, n, failed = 0;
	int ret;

	/* How many allocations a successful unshare makes. */
	ret = unshare_nth(1000000, &left);
	ASSERT_EQ(1, ret);
	total = 1000000 - left;
	TH_LOG("unshare(CLONE_NEWNET) makes %u slab allocations", total);
	ASSERT_LT(50, total);

	/*
	 * Every one of them fails in turn; lynx's setup comes last (its
	 * pernet operations were registered last), so the sweep starts from
	 * the end and goes on to the first.
	 */
	for (n = total + 20; n >= 1; n--) {
		left = 0;
		ret = unshare_nth(n, &left);
		ASSERT_LE(0, ret)
			TH_LOG("failing allocation %u: unshare went wrong (%d)",
			       n, ret);
		failed += ret == 0;
	}
	TH_LOG("%u allocations failed in turn", failed);
	EXPECT_LT(total / 2, failed);
}

TEST_HARNESS_MAIN
