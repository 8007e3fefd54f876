/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the lynx selftests (every selftests/X.c is a standalone
 * program; everything here is static inline).
 */
#ifndef LYNX_UTIL_H
#define LYNX_UTIL_H

/*
 * The 6.1 kselftest_harness.h is meant for -Wall, not -Wextra -Werror: its
 * wrappers have unused parameters, its ASSERT/EXPECT macros compare through
 * __typeof__ (so EXPECT_EQ(0, an_unsigned) is a sign comparison) and their
 * optional handler block ("EXPECT_EQ(a, b) { ... }") is a for clause.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <linux/lynx.h>

#define LYNX_HDR_LEN		36
#define LYNX_LO_MTU		65535
#define LYNX_MAX_LOCAL_DGRAM	(LYNX_LO_MTU - LYNX_HDR_LEN)

/* The family lynx registered: the module parameter, else AF_LYNX. */
static inline int lynx_af(void)
{
	static int af;
	FILE *f;
	int v;

	if (af)
		return af;
	af = AF_LYNX;
	f = fopen("/sys/module/lynx/parameters/family", "r");
	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v > 0)
			af = v;
		fclose(f);
	}
	return af;
}

static inline int lynx_socket(int type)
{
	return socket(lynx_af(), type, 0);
}

static inline struct sockaddr_lynx lynx_addr(uint32_t node, uint32_t port)
{
	struct sockaddr_lynx a;

	memset(&a, 0, sizeof(a));
	a.slx_family = lynx_af();
	a.slx_node = node;
	a.slx_port = port;
	return a;
}

static inline int lynx_bind(int fd, uint32_t node, uint32_t port)
{
	struct sockaddr_lynx a = lynx_addr(node, port);

	return bind(fd, (struct sockaddr *)&a, sizeof(a));
}

static inline int lynx_connect(int fd, uint32_t node, uint32_t port)
{
	struct sockaddr_lynx a = lynx_addr(node, port);

	return connect(fd, (struct sockaddr *)&a, sizeof(a));
}

static inline ssize_t lynx_sendto(int fd, const void *buf, size_t len,
				  int flags, uint32_t node, uint32_t port)
{
	struct sockaddr_lynx a = lynx_addr(node, port);

	return sendto(fd, buf, len, flags, (struct sockaddr *)&a, sizeof(a));
}

/* The port a socket is bound to (0 on error or unbound). */
static inline uint32_t lynx_local_port(int fd)
{
	struct sockaddr_lynx a;
	socklen_t len = sizeof(a);

	memset(&a, 0, sizeof(a));
	if (getsockname(fd, (struct sockaddr *)&a, &len))
		return 0;
	return a.slx_port;
}

/* ---- files, sysctls, /proc ------------------------------------------- */

/* Reads a whole (small) file into buf, NUL-terminated; -1 on error. */
static inline ssize_t lynx_read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1) {
		n = read(fd, buf + total, size - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		total += n;
	}
	buf[total] = '\0';
	close(fd);
	return total;
}

/* Writes a string; returns 0 or -errno. */
static inline int lynx_write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

#define LYNX_SYSCTL_NODE	"/proc/sys/net/lynx/node"
#define LYNX_SYSCTL_EPH		"/proc/sys/net/lynx/ephemeral_ports"

/* This namespace's node id; 0 if the sysctl cannot be read. */
static inline uint32_t lynx_node(void)
{
	char buf[64];

	if (lynx_read_file(LYNX_SYSCTL_NODE, buf, sizeof(buf)) <= 0)
		return 0;
	return (uint32_t)strtoul(buf, NULL, 0);
}

static inline int lynx_eph_range(uint32_t *low, uint32_t *high)
{
	char buf[64];
	unsigned int l, h;

	if (lynx_read_file(LYNX_SYSCTL_EPH, buf, sizeof(buf)) <= 0)
		return -1;
	if (sscanf(buf, "%u %u", &l, &h) != 2)
		return -1;
	*low = l;
	*high = h;
	return 0;
}

/* A counter from /proc/net/lynx_stat; -1 if absent. */
static inline long long lynx_stat(const char *name)
{
	char line[256], key[128];
	long long v, ret = -1;
	FILE *f = fopen("/proc/net/lynx_stat", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%127s %lld", key, &v) == 2 &&
		    !strcmp(key, name)) {
			ret = v;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* The inode of a socket fd, as in /proc/self/fd/N -> socket:[inode]. */
static inline unsigned long lynx_sock_inode(int fd)
{
	char path[64], link[64];
	unsigned long ino = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	link[n] = '\0';
	if (sscanf(link, "socket:[%lu]", &ino) != 1)
		return 0;
	return ino;
}

/*
 * One row of /proc/net/lynx.  After the inode, a connection's congestion
 * window and slow start threshold (segments), smoothed RTT (us),
 * retransmitted segments and congestion control (zeros and "-" for a
 * datagram socket).
 */
struct lynx_proc_row {
	char type[16];
	char state[16];
	uint32_t lnode, lport;
	uint32_t pnode, pport;
	unsigned long rxq, txq;
	unsigned int uid;
	unsigned long inode;
	unsigned int cwnd, ssthresh, srtt_us, retrans;
	char cc[16];
};

/* Fields of a /proc/net/lynx row, the congestion columns included. */
#define LYNX_PROC_FIELDS	15

/* Finds the /proc/net/lynx row of inode; 0 if found, -1 if not. */
static inline int lynx_proc_find(unsigned long inode, struct lynx_proc_row *r)
{
	char line[512];
	int first = 1, ret = -1;
	FILE *f = fopen("/proc/net/lynx", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (first) {	/* the header */
			first = 0;
			continue;
		}
		memset(r, 0, sizeof(*r));
		if (sscanf(line, "%15s %15s %x:%u %x:%u %lu %lu %u %lu %u %u %u %u %15s",
			   r->type, r->state, &r->lnode, &r->lport,
			   &r->pnode, &r->pport, &r->rxq, &r->txq,
			   &r->uid, &r->inode, &r->cwnd, &r->ssthresh,
			   &r->srtt_us, &r->retrans, r->cc) != LYNX_PROC_FIELDS)
			continue;
		if (r->inode == inode) {
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

/* ---- timing: the one place that knows which kernel runs ------------- */

/*
 * How much slower than the stock kernel the debug kernel may be.  Under
 * KASAN, lockdep and kmemleak, on 2 CPUs shared with the other guests of
 * make check, an operation took up to four times its stock time (the 30 s
 * default test timeout was missed by module.unload_with_state at 4x its
 * stock duration).  Every positive wait (for something that must happen),
 * every test timeout and the per-program limit of selftests/run derive
 * from it: "lynx_tool slowdown" prints it for the shell side.
 */
#define LYNX_DEBUG_SLOWDOWN	4
/*
 * The 612 guest (Debian's 6.12) runs its two vCPUs on one host thread
 * (vm-run: -accel tcg,thread=single, see README "612"), half the stock
 * guest's CPU: in one make check its programs took 1.0 to 1.9 times
 * their stock time, and lynx_raw's segments test, 30 s by default, was
 * cut short there.
 */
#define LYNX_612_SLOWDOWN	2

/*
 * Whether a debug kernel runs (LYNX_KERNEL=debug or kcsan, set by vm-run).
 * Debian's kernels, LYNX_KERNEL=stock (6.1) and 612 (6.12), take the
 * stock volumes: both are production builds.
 */
static inline int lynx_debug_kernel(void)
{
	const char *k = getenv("LYNX_KERNEL");

	return k && (!strcmp(k, "debug") || !strcmp(k, "kcsan"));
}

static inline int lynx_slowdown(void)
{
	const char *k = getenv("LYNX_KERNEL");

	if (lynx_debug_kernel())
		return LYNX_DEBUG_SLOWDOWN;
	return k && !strcmp(k, "612") ? LYNX_612_SLOWDOWN : 1;
}

/*
 * A positive wait: ms on the stock kernel, scaled for the debug kernel.
 * Only for waiting for what must happen (data, a connection, an ending);
 * a wait that proves something does NOT happen, and a measured duration,
 * keep their own value.
 */
static inline int lynx_ms(int stock_ms)
{
	return stock_ms * lynx_slowdown();
}

/*
 * Test timeouts (seconds): kselftest_harness.h wants a constant in
 * TEST_F_TIMEOUT(), so the value written there (or the harness's 30 s
 * default) is the stock kernel's, and TEST_HARNESS_MAIN (LYNX_HARNESS_MAIN,
 * see the end of this file) scales every test's
 * timeout with lynx_slowdown() before it runs them.  It also takes
 * "-t NAME" / "-r FIXTURE.NAME" (repeatable) to run only those tests, and
 * "--budget" to print the seconds the whole program may take (the sum of
 * its tests' timeouts: the limit selftests/run gives it).
 */
/* CLOCK_MONOTONIC in milliseconds, for deadlines and measured durations. */
static inline long long lynx_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* References on lynx.ko (one a socket, among others); -1 if not loaded. */
static inline int lynx_module_refcnt(void)
{
	char buf[32];

	if (lynx_read_file("/sys/module/lynx/refcnt", buf, sizeof(buf)) <= 0)
		return -1;
	return atoi(buf);
}

/* ---- waiting ---------------------------------------------------------- */

/* poll() one fd for events; returns revents (0 on timeout). */
static inline int lynx_poll1(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	int n;

	do {
		n = poll(&p, 1, timeout_ms);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? p.revents : 0;
}

/*
 * A positive poll(): waits up to lynx_ms(stock_ms) for events that must
 * come; returns revents (0 on timeout).
 */
static inline int lynx_poll_for(int fd, short events, int stock_ms)
{
	return lynx_poll1(fd, events, lynx_ms(stock_ms));
}

/*
 * Count for a volume test: n on the stock kernel, debug_n on the debug
 * kernel (LYNX_KERNEL=debug, set by vm-run), where KASAN, lockdep and
 * kmemleak make every operation ten or more times slower.  The debug
 * kernel is there for memory and locking errors, which a tenth of the
 * volume meets as well; the stock kernel keeps the full count.
 */
static inline int lynx_volume(int n, int debug_n)
{
	return lynx_debug_kernel() ? debug_n : n;
}

/* ---- namespaces and commands ---------------------------------------- */

/* Moves the calling process (a harness test child) into a new netns. */
static inline int lynx_new_netns(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	/* lo is not needed by lynx but keeps tools happy. */
	return 0;
}

/* Runs a shell command quietly; returns its exit status or -1. */
static inline int lynx_sh(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline int lynx_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* ---- connections (SOCK_STREAM, SOCK_SEQPACKET) ----------------------- */

#include <sys/time.h>

/* Sets SO_RCVTIMEO or SO_SNDTIMEO (opt) to ms milliseconds. */
static inline int lynx_set_timeo(int fd, int opt, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof(tv));
}

/*
 * Waits up to timeout_ms (the stock kernel's: a positive wait, lynx_ms())
 * for a pending connection, then accept4()s it.
 */
static inline int lynx_accept_wait(int listener, int timeout_ms,
				   struct sockaddr_lynx *from, int flags)
{
	socklen_t len = sizeof(*from);

	if (!(lynx_poll_for(listener, POLLIN, timeout_ms) & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return accept4(listener, (struct sockaddr *)from, from ? &len : NULL,
		       flags);
}

/*
 * Connects a new socket of type to LYNX_NODE_LOCAL:port and accepts it on
 * listener.  Both ends get 5 s (lynx_ms()) SO_RCVTIMEO/SO_SNDTIMEO, so that a broken
 * peer fails a test instead of hanging it (the client's SO_SNDTIMEO also
 * bounds its connect).  Returns 0, or -1 with errno and nothing open.
 */
static inline int lynx_stream_pair(int type, int listener, uint32_t port,
				   int *c, int *s)
{
	int fd, a, err;

	*c = *s = -1;
	fd = lynx_socket(type);
	if (fd < 0)
		return -1;
	if (lynx_set_timeo(fd, SO_SNDTIMEO, lynx_ms(5000)) ||
	    lynx_set_timeo(fd, SO_RCVTIMEO, lynx_ms(5000)) ||
	    lynx_connect(fd, LYNX_NODE_LOCAL, port))
		goto err_fd;
	a = lynx_accept_wait(listener, 5000, NULL, 0);
	if (a < 0)
		goto err_fd;
	if (lynx_set_timeo(a, SO_SNDTIMEO, lynx_ms(5000)) ||
	    lynx_set_timeo(a, SO_RCVTIMEO, lynx_ms(5000))) {
		err = errno;
		close(a);
		errno = err;
		goto err_fd;
	}
	*c = fd;
	*s = a;
	return 0;
err_fd:
	err = errno;
	close(fd);
	errno = err;
	return -1;
}

/*
 * Writes all of buf (send() with MSG_NOSIGNAL, retried after partial
 * writes and EINTR).  Returns len, or -1 with errno.
 */
static inline ssize_t lynx_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = send(fd, p + done, len - done, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		done += n;
	}
	return done;
}

/*
 * Reads until len bytes arrived or EOF, waiting at most timeout_ms (the
 * stock kernel's: a positive wait, lynx_ms()) for each piece.  Returns the bytes read (short only at EOF), or -1 with
 * errno (ETIMEDOUT when nothing came in time).
 */
static inline ssize_t lynx_read_full(int fd, void *buf, size_t len,
				     int timeout_ms)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		if (!(lynx_poll_for(fd, POLLIN, timeout_ms) &
		      (POLLIN | POLLERR | POLLHUP))) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = recv(fd, p + done, len - done, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		done += n;
	}
	return done;
}

/*
 * The test programs include kselftest_harness.h after this file: include it
 * here instead, so that TEST_HARNESS_MAIN is LYNX_HARNESS_MAIN in every
 * test (lynx_tool, no test, defines LYNX_UTIL_NO_HARNESS).
 */
#ifndef LYNX_UTIL_NO_HARNESS
#include "kselftest_harness.h"
#undef TEST_HARNESS_MAIN
#define TEST_HARNESS_MAIN LYNX_HARNESS_MAIN

#define LYNX_HARNESS_MAIN						\
int main(int argc, char **argv)						\
{									\
	return lynx_harness_main(argc, argv);				\
}

/* Does "-t NAME" or "-r FIXTURE.NAME" (opt, arg) name fixture.test? */
static inline int lynx_test_named(const char *opt, const char *arg,
				  const char *fixture, const char *test)
{
	size_t n = strlen(fixture);

	if (!strcmp(opt, "-t"))
		return !strcmp(arg, test);
	if (strcmp(opt, "-r"))
		return 0;
	return !strncmp(arg, fixture, n) && arg[n] == '.' &&
	       !strcmp(arg + n + 1, test);
}

/*
 * LYNX_TEST_TIMEOUT=S: no test's limit below S seconds (make fuzz runs
 * tests for as long as it is told, beyond what their limits assume).
 */
static inline int lynx_test_timeout_floor(void)
{
	const char *e = getenv("LYNX_TEST_TIMEOUT");

	return e && atoi(e) > 0 ? atoi(e) : 0;
}

/*
 * Keeps the tests of f that "-t"/"-r" arguments name (all without such
 * arguments), scales their timeouts, and returns the seconds they may take
 * (once per variant).
 */
static inline unsigned long lynx_harness_filter(struct __fixture_metadata *f,
						int argc, char **argv,
						int filtered)
{
	struct __fixture_variant_metadata *v;
	struct __test_metadata *t, *next, *keep = NULL, *last = NULL;
	unsigned long budget = 0;
	int i, want;

	for (t = f->tests; t; t = next) {
		next = t->next;
		want = !filtered;
		for (i = 1; i + 1 < argc; i++)
			if (lynx_test_named(argv[i], argv[i + 1], f->name,
					    t->name))
				want = 1;
		if (!want)
			continue;
		t->timeout *= lynx_slowdown();
		if (t->timeout < lynx_test_timeout_floor())
			t->timeout = lynx_test_timeout_floor();
		t->next = NULL;
		if (last)
			last->next = t;
		else
			keep = t;
		last = t;
	}
	if (keep)
		keep->prev = last;	/* the harness's list: prev of the head */
	f->tests = keep;
	for (v = f->variant; ; v = v->next) {
		for (t = f->tests; t; t = t->next)
			budget += t->timeout;
		if (!v || !v->next)
			break;
	}
	return budget;
}

/* The main of every test program (TEST_HARNESS_MAIN, see above). */
static inline int lynx_harness_main(int argc, char **argv)
{
	struct __fixture_metadata *f;
	unsigned long budget = 0;
	int i, budget_only = 0, filtered = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--budget"))
			budget_only = 1;
		else if (!strcmp(argv[i], "-t") || !strcmp(argv[i], "-r"))
			filtered = 1;
	}
	for (f = __fixture_list; f; f = f->next)
		budget += lynx_harness_filter(f, argc, argv, filtered);
	if (budget_only) {
		printf("%lu\n", budget);
		return 0;
	}
	return test_harness_run(argc, argv);
}
#endif

#endif /* LYNX_UTIL_H */
