// SPDX-License-Identifier: GPL-2.0
/*
 * A device a user named "lynxlo" before lynx was loaded: loading lynx
 * works all the same, the user's device keeps its name, and lynx's own
 * loopback of that namespace comes up under the first free "lynxloN"
 * (README), through which local traffic flows as usual.
 *
 * Unloads and reloads lynx.ko ($LYNX_KO); whatever happens, lynx is loaded
 * again when the program ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

static bool lynx_loaded(void)
{
	return access("/sys/module/lynx", F_OK) == 0;
}

static int load_lynx(void)
{
	const char *ko = getenv("LYNX_KO");
	int fd, ret, err;

	if (!ko) {
		errno = ENOENT;
		return -1;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* Unloads @name, waiting while its last users go (sockets freed by RCU). */
static int unload(const char *name)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i, ret = -1;

	for (i = 0; i < 3000; i++) {
		ret = syscall(SYS_delete_module, name, O_NONBLOCK);
		if (!ret || (errno != EWOULDBLOCK && errno != EBUSY &&
			     errno != EAGAIN))
			break;
		nanosleep(&ts, NULL);
	}
	return ret;
}

FIXTURE(lo_name)
{
	int fd;
};

FIXTURE_SETUP(lo_name)
{
	self->fd = -1;
	if (!getenv("LYNX_KO"))
		SKIP(return, "LYNX_KO not set: cannot reload lynx");
	/* lynx_test.ko (debug kernel) uses lynx: it has to go first. */
	if (access("/sys/module/lynx_test", F_OK) == 0)
		ASSERT_EQ(0, unload("lynx_test"))
			TH_LOG("rmmod lynx_test: %s", strerror(errno));
}

FIXTURE_TEARDOWN(lo_name)
{
	if (self->fd >= 0)
		close(self->fd);
	if (!lynx_loaded() && load_lynx())
		TH_LOG("reloading lynx failed: %s", strerror(errno));
	EXPECT_TRUE(lynx_loaded());
}

TEST_F_TIMEOUT(lo_name, user_device_named_lynxlo, 120)
{
	char buf[16];
	int lo;

	/* A namespace of the test's own, where a user takes the name. */
	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, unload("lynx")) TH_LOG("rmmod lynx: %s", strerror(errno));
	ASSERT_EQ(0, lynx_sh("ip link add lynxlo type dummy 2>/dev/null || "
			     "ip link add lynxlo type veth peer name lynxlo-p"));
	lo = if_nametoindex("lynxlo");
	ASSERT_LT(0, lo);

	ASSERT_EQ(0, load_lynx()) TH_LOG("insmod lynx: %s", strerror(errno));

	/* The user's device is untouched; lynx's loopback is lynxlo0. */
	EXPECT_EQ(lo, if_nametoindex("lynxlo"));
	EXPECT_LT(0, if_nametoindex("lynxlo0"));

	/* Local traffic flows through it. */
	self->fd = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_LOCAL, 7700));
	ASSERT_EQ(4, lynx_sendto(self->fd, "self", 4, 0, LYNX_NODE_LOCAL,
				 7700));
	ASSERT_EQ(POLLIN, lynx_poll1(self->fd, POLLIN, 5000));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(4, recv(self->fd, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_STREQ("self", buf);
}

TEST_HARNESS_MAIN
