// SPDX-License-Identifier: GPL-2.0
/*
 * lynx module life cycle: an open socket pins the module, unloading
 * unregisters the family, the "family" parameter is validated, and the
 * module unloads cleanly with sockets, queued data, devices and other
 * namespaces around.
 *
 * Unloads and reloads lynx.ko ($LYNX_KO): run it last.  Whatever happens,
 * lynx is loaded again when the program ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

static bool lynx_loaded(void)
{
	return access("/sys/module/lynx", F_OK) == 0;
}

static int load_lynx(const char *params)
{
	const char *ko = getenv("LYNX_KO");
	int fd, ret;

	if (!ko) {
		errno = ENOENT;
		return -1;
	}
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, params, 0);
	if (ret) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	return 0;
}

static int unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * The longest an unload may have to wait for the last references: a socket
 * being freed after RCU, or an orphaned connection of an earlier test
 * finishing in the background (bounded by its retransmissions, about
 * 10.5 s), on the stock kernel (lynx_ms() scales it).
 */
#define UNLOAD_WAIT_MS	20000
/* A test that unloads: its timeout (stock seconds) covers that wait. */
#define UNLOAD_TEST_S	(2 * UNLOAD_WAIT_MS / 1000 + 30)

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Unloads lynx, retrying (every 10 ms: delete_module has nothing to wait
 * on) while the last references go away, up to lynx_ms(UNLOAD_WAIT_MS).
 */
static int unload_lynx(void)
{
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	long long end = mono_ms() + lynx_ms(UNLOAD_WAIT_MS);
	int ret;

	for (;;) {
		ret = unload("lynx");
		if (!ret || (errno != EWOULDBLOCK && errno != EBUSY &&
			     errno != EAGAIN) || mono_ms() > end)
			break;
		nanosleep(&ts, NULL);
	}
	return ret;
}

/* Whatever a test did, lynx is loaded when the program leaves. */
static void ensure_loaded(void)
{
	if (!lynx_loaded() && load_lynx(""))
		fprintf(stderr, "# lynx_module: reloading lynx failed: %s\n",
			strerror(errno));
}

FIXTURE(module)
{
	int fd;
};

FIXTURE_SETUP(module)
{
	self->fd = -1;
	if (!getenv("LYNX_KO"))
		SKIP(return, "LYNX_KO not set: cannot reload lynx");
	/* lynx_test.ko (debug kernel) uses lynx: it has to go first. */
	if (access("/sys/module/lynx_test", F_OK) == 0)
		ASSERT_EQ(0, unload("lynx_test"))
			TH_LOG("rmmod lynx_test: %s", strerror(errno));
	if (!lynx_loaded())
		ASSERT_EQ(0, load_lynx(""))
			TH_LOG("insmod lynx: %s", strerror(errno));
	/* The parameter of the module as loaded now. */
	lynx_af();
}

FIXTURE_TEARDOWN(module)
{
	if (self->fd >= 0)
		close(self->fd);
	ensure_loaded();
	EXPECT_TRUE(lynx_loaded());
}

static bool protocols_list_lynx(void)
{
	char buf[16384];

	if (lynx_read_file("/proc/net/protocols", buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "LYNX_") != NULL;
}

TEST_F(module, busy_while_socket_open)
{
	int types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };
	unsigned int i;

	for (i = 0; i < 3; i++) {
		self->fd = lynx_socket(types[i]);
		ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
		errno = 0;
		EXPECT_EQ(-1, unload("lynx"));
		EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
			TH_LOG("delete_module with a socket open: %s",
			       strerror(errno));
		EXPECT_TRUE(lynx_loaded());
		close(self->fd);
		self->fd = -1;
	}
}

TEST_F_TIMEOUT(module, unload_after_close, UNLOAD_TEST_S)
{
	int fd;

	self->fd = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->fd);
	close(self->fd);
	self->fd = -1;

	ASSERT_EQ(0, unload_lynx()) TH_LOG("rmmod lynx: %s", strerror(errno));
	EXPECT_FALSE(lynx_loaded());
	EXPECT_FALSE(protocols_list_lynx());

	errno = 0;
	fd = socket(lynx_af(), SOCK_DGRAM, 0);
	EXPECT_EQ(-1, fd) {
		close(fd);
	}
	EXPECT_EQ(EAFNOSUPPORT, errno);

	ASSERT_EQ(0, load_lynx("")) TH_LOG("insmod lynx: %s", strerror(errno));
	EXPECT_TRUE(lynx_loaded());
	EXPECT_TRUE(protocols_list_lynx());
	self->fd = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, self->fd) TH_LOG("socket after reload: %s",
				      strerror(errno));
}

/* Does a kernel log line newer than the open of kmsg say it all? */
static bool kmsg_has(int kmsg, const char *a, const char *b)
{
	char rec[2048];
	bool found = false;
	ssize_t n;

	for (;;) {
		n = read(kmsg, rec, sizeof(rec) - 1);
		if (n < 0) {
			if (errno == EPIPE)	/* overwritten records */
				continue;
			break;		/* EAGAIN: no more */
		}
		rec[n] = '\0';
		if (strstr(rec, a)) {
			const char *p = strstr(rec, b);

			/* "family 1" but not "family 10" */
			if (p && !(p[strlen(b)] >= '0' && p[strlen(b)] <= '9'))
				found = true;
		}
	}
	return found;
}

TEST_F_TIMEOUT(module, family_taken, UNLOAD_TEST_S)
{
	int kmsg;

	ASSERT_EQ(0, unload_lynx()) TH_LOG("rmmod lynx: %s", strerror(errno));

	kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, kmsg);
	ASSERT_LE(0, lseek(kmsg, 0, SEEK_END));

	/* 1 is AF_UNIX, always registered. */
	errno = 0;
	EXPECT_EQ(-1, load_lynx("family=1"));
	EXPECT_EQ(EEXIST, errno) TH_LOG("family=1: %s", strerror(errno));
	EXPECT_FALSE(lynx_loaded());
	EXPECT_TRUE(kmsg_has(kmsg, "lynx", "family 1"))
		TH_LOG("no kernel message about lynx and family 1");
	close(kmsg);

	/* A failed init left nothing registered behind: a normal load works. */
	ASSERT_EQ(0, load_lynx("")) TH_LOG("insmod lynx: %s", strerror(errno));
	self->fd = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, self->fd);
}

TEST_F_TIMEOUT(module, family_out_of_range, UNLOAD_TEST_S)
{
	ASSERT_EQ(0, unload_lynx()) TH_LOG("rmmod lynx: %s", strerror(errno));

	errno = 0;
	EXPECT_EQ(-1, load_lynx("family=99"));
	EXPECT_EQ(EINVAL, errno) TH_LOG("family=99: %s", strerror(errno));
	EXPECT_FALSE(lynx_loaded());

	errno = 0;
	EXPECT_EQ(-1, load_lynx("family=0"));
	EXPECT_EQ(EINVAL, errno) TH_LOG("family=0: %s", strerror(errno));
	EXPECT_FALSE(lynx_loaded());

	ASSERT_EQ(0, load_lynx("")) TH_LOG("insmod lynx: %s", strerror(errno));
	EXPECT_TRUE(lynx_loaded());
}

/*
 * Unloading with state around: a lynx device, a second namespace (with its
 * lynxlo), and datagrams that were queued on sockets since closed.  The
 * debug kernel's kmemleak check in vm-run catches what this leaks.
 */
TEST_F_TIMEOUT(module, unload_with_state, UNLOAD_TEST_S)
{
	char msg[] = "left in the queue";
	int a, b;

	a = lynx_socket(SOCK_DGRAM);
	b = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	EXPECT_EQ(0, lynx_bind(a, LYNX_NODE_ANY, 41000));
	EXPECT_EQ((ssize_t)sizeof(msg),
		  lynx_sendto(b, msg, sizeof(msg), 0, LYNX_NODE_LOCAL, 41000));
	EXPECT_EQ(0, lynx_sh("ip link add lxmod0 type lynx && "
			     "ip link set lxmod0 up"));
	EXPECT_EQ(0, lynx_sh("ip netns add lynx_module_ns"));
	EXPECT_EQ(0, lynx_sh("ip -n lynx_module_ns link show lynxlo "
			     ">/dev/null"));
	close(a);
	close(b);

	ASSERT_EQ(0, unload_lynx()) TH_LOG("rmmod lynx: %s", strerror(errno));
	/* The devices went with the module. */
	EXPECT_NE(0, lynx_sh("ip link show lxmod0 >/dev/null 2>&1"));
	EXPECT_NE(0, lynx_sh("ip -n lynx_module_ns link show lynxlo "
			     ">/dev/null 2>&1"));
	lynx_sh("ip netns del lynx_module_ns");

	ASSERT_EQ(0, load_lynx("")) TH_LOG("insmod lynx: %s", strerror(errno));
	EXPECT_EQ(0, lynx_sh("ip link show lynxlo >/dev/null"));
}

/*
 * Load, traffic, unload, again and again (LYNX_RELOAD_CYCLES, default 20,
 * 5 on the debug kernel; make fuzz asks for 200): every cycle's sockets,
 * orphans, devices and neighbours must be gone so that rmmod succeeds,
 * and nothing of one load may reach the next.
 */
TEST_F_TIMEOUT(module, reload_cycles_with_traffic, 600)
{
	const char *env = getenv("LYNX_RELOAD_CYCLES");
	int cycles = env && atoi(env) > 0 ? atoi(env) : lynx_volume(20, 5);
	char buf[4096] = { 0 }, got[4096];
	int i, a, b, l, c, s;

	for (i = 0; i < cycles; i++) {
		if (!lynx_loaded())
			ASSERT_EQ(0, load_lynx(""))
				TH_LOG("cycle %d: insmod: %s", i, strerror(errno));
		a = lynx_socket(SOCK_DGRAM);
		b = lynx_socket(SOCK_DGRAM);
		l = lynx_socket(SOCK_STREAM);
		ASSERT_LE(0, a);
		ASSERT_LE(0, b);
		ASSERT_LE(0, l);
		ASSERT_EQ(0, lynx_bind(a, LYNX_NODE_ANY, 41100));
		ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, 41101));
		ASSERT_EQ(0, listen(l, 4));
		ASSERT_EQ(64, lynx_sendto(b, buf, 64, 0, LYNX_NODE_LOCAL,
					  41100));
		ASSERT_EQ(POLLIN, lynx_poll_for(a, POLLIN, 5000) & POLLIN);
		ASSERT_EQ(64, recv(a, got, sizeof(got), 0));
		ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, 41101, &c, &s));
		ASSERT_EQ(sizeof(buf), lynx_write_all(c, buf, sizeof(buf)));
		ASSERT_EQ(sizeof(got), lynx_read_full(s, got, sizeof(got),
						      5000));
		/* A datagram left unread, a stream closed both ways. */
		lynx_sendto(b, buf, 64, 0, LYNX_NODE_LOCAL, 41100);
		close(c);
		close(s);
		close(l);
		close(a);
		close(b);
		ASSERT_EQ(0, unload_lynx())
			TH_LOG("cycle %d: rmmod lynx: %s", i, strerror(errno));
		EXPECT_NE(0, access("/proc/net/lynx", F_OK));
	}
	TH_LOG("load/unload cycles done %d", cycles);
	ASSERT_EQ(0, load_lynx(""));
}

int main(int argc, char **argv)
{
	int ret, i;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--budget"))
			return lynx_harness_main(argc, argv);
	atexit(ensure_loaded);
	ret = lynx_harness_main(argc, argv);
	ensure_loaded();
	return ret;
}
