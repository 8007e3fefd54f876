// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_STREAM and SOCK_SEQPACKET within one namespace (through lynxlo):
 * listen/accept4/connect and their errors, data both ways, 1 MiB
 * transfers, MSG_PEEK/MSG_WAITALL/MSG_DONTWAIT, SO_RCVTIMEO, SO_RCVLOWAT,
 * SIOCINQ/SIOCOUTQ, EFAULT, flow control, SEQPACKET message boundaries,
 * shutdown, close and resets, listener close, many connections and
 * /proc/net/lynx.  The semantics are TCP's for SOCK_STREAM and, for
 * message boundaries, AF_UNIX SOCK_SEQPACKET's.
 *
 * Fixtures: "conn" runs every test for both types (variants stream and
 * seqpacket); "stream" and "seqpacket" hold the tests of one type only;
 * "misc" has no listener.  Every test runs in a fresh network namespace.
 * Synchronisation is by poll() with timeouts, never by sleeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <linux/sockios.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

#define PORT_L		7400	/* the fixture's listener */
#define PORT_B		7401	/* bound but not listening */
#define PORT_X		7402	/* a test's own listener */
#define PORT_Y		7403
#define PORT_DEAD	7499	/* nothing there */
/* A node id no namespace has (ids are random 32-bit numbers). */
#define NODE_DEAD	0x7777

#define MIB		(1024 * 1024)

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static const char *type_name(int type)
{
	return type == SOCK_STREAM ? "STREAM" : "SEQPACKET";
}

/* Byte i of the test pattern (not periodic in 256). */
static unsigned char pat(size_t i)
{
	return (unsigned char)(i * 7 + (i >> 9) * 13 + 1);
}

static void pat_fill(unsigned char *p, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = pat(off + i);
}

/* Number of bytes of p that differ from the pattern at off. */
static size_t pat_bad(const unsigned char *p, size_t off, size_t len)
{
	size_t i, bad = 0;

	for (i = 0; i < len; i++)
		bad += p[i] != pat(off + i);
	return bad;
}

/* A listener of type on port (LYNX_PORT_ANY: autobound); -1 on error. */
static int listener(int type, uint32_t port, int backlog)
{
	int fd = lynx_socket(type), err;

	if (fd < 0)
		return -1;
	if ((port && lynx_bind(fd, LYNX_NODE_ANY, port)) ||
	    listen(fd, backlog)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int sock_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return -errno;
	return err;
}

static int sockopt_int(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, SOL_SOCKET, opt, &v, &len))
		return -1;
	return v;
}

static long long sockopt_timeo_ms(int fd, int opt)
{
	struct timeval tv = { 0 };
	socklen_t len = sizeof(tv);

	if (getsockopt(fd, SOL_SOCKET, opt, &tv, &len))
		return -1;
	return tv.tv_sec * 1000LL + tv.tv_usec / 1000;
}

static int inq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCINQ, &n))
		return -1;
	return n;
}

static int outq(int fd)
{
	int n = -1;

	if (ioctl(fd, SIOCOUTQ, &n))
		return -1;
	return n;
}

/*
 * Waits (bounded, in 10 ms poll steps) until SIOCINQ of fd reaches n;
 * returns the last value seen.  Here and below, a timeout_ms of a wait
 * for what must happen is the stock kernel's, scaled by lynx_ms().
 */
static int wait_inq(int fd, int n, int timeout_ms)
{
	long long end = now_ms() + lynx_ms(timeout_ms);
	int v;

	for (;;) {
		v = inq(fd);
		if (v >= n || v < 0 || now_ms() > end)
			return v;
		poll(NULL, 0, 10);
	}
}

/* Waits (bounded) until SIOCOUTQ of fd drops to 0; returns the last. */
static int wait_outq_empty(int fd, int timeout_ms)
{
	long long end = now_ms() + lynx_ms(timeout_ms);
	int v;

	for (;;) {
		v = outq(fd);
		if (v <= 0 || now_ms() > end)
			return v;
		poll(NULL, 0, 10);
	}
}

/* ---- a writer thread ----------------------------------------------- */

struct writer {
	pthread_t th;
	int fd;
	size_t len;		/* bytes to write, the pattern from offset 0 */
	size_t chunk;		/* per send() (a message for SEQPACKET) */
	int delay_ms;		/* before every send(), to spread them out */
	size_t done;
	int err;		/* errno of a failed send() */
	int started;
};

static void *writer_fn(void *arg)
{
	struct writer *w = arg;
	unsigned char *buf = malloc(w->chunk);
	ssize_t n;
	size_t k;

	if (!buf) {
		w->err = ENOMEM;
		return NULL;
	}
	while (w->done < w->len) {
		k = w->len - w->done < w->chunk ? w->len - w->done : w->chunk;
		pat_fill(buf, w->done, k);
		if (w->delay_ms)
			poll(NULL, 0, w->delay_ms);
		n = send(w->fd, buf, k, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			w->err = errno;
			break;
		}
		w->done += n;
	}
	free(buf);
	return NULL;
}

static int writer_start(struct writer *w, int fd, size_t len, size_t chunk,
			int delay_ms)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->len = len;
	w->chunk = chunk;
	w->delay_ms = delay_ms;
	if (pthread_create(&w->th, NULL, writer_fn, w))
		return -1;
	w->started = 1;
	return 0;
}

/* Joins within timeout_ms; 0 if it ended, -1 if still running. */
static int writer_join(struct writer *w, int timeout_ms)
{
	struct timespec ts;

	if (!w->started)
		return 0;
	timeout_ms = lynx_ms(timeout_ms);
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	if (pthread_timedjoin_np(w->th, NULL, &ts))
		return -1;
	w->started = 0;
	return 0;
}

/*
 * Reads len bytes of the pattern from fd (each piece within timeout_ms);
 * counts mismatching bytes in *bad.  Returns the bytes read (short at EOF)
 * or -1 with errno.
 */
static ssize_t read_verify(int fd, size_t len, int timeout_ms, size_t *bad)
{
	static unsigned char buf[65536];
	size_t done = 0, want;
	ssize_t n;

	*bad = 0;
	while (done < len) {
		if (!(lynx_poll_for(fd, POLLIN, timeout_ms) &
		      (POLLIN | POLLERR | POLLHUP))) {
			errno = ETIMEDOUT;
			return -1;
		}
		want = len - done < sizeof(buf) ? len - done : sizeof(buf);
		n = recv(fd, buf, want, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		*bad += pat_bad(buf, done, n);
		done += n;
	}
	return done;
}

/*
 * One-byte writes of the pattern until fd's send buffer stays full for
 * 500 ms: each is a segment of its own, whose memory far exceeds its byte.
 * Returns the bytes sent, or -1 with errno on an error other than EAGAIN.
 */
static ssize_t send_bytes_until_blocked(int fd)
{
	unsigned char b;
	size_t sent = 0;

	for (;;) {
		pat_fill(&b, sent, 1);
		if (send(fd, &b, 1, MSG_DONTWAIT) == 1) {
			sent++;
			continue;
		}
		if (errno != EAGAIN)
			return -1;
		if (!(lynx_poll_for(fd, POLLOUT, 500) & POLLOUT))
			return sent;
	}
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

/* ==== conn: both types ================================================= */

FIXTURE(conn)
{
	int l, c, s;
};

FIXTURE_VARIANT(conn)
{
	int type;
};

FIXTURE_VARIANT_ADD(conn, stream)
{
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(conn, seqpacket)
{
	.type = SOCK_SEQPACKET,
};

FIXTURE_SETUP(conn)
{
	self->l = self->c = self->s = -1;
	ASSERT_EQ(0, lynx_new_netns()) TH_LOG("unshare: %s", strerror(errno));
	self->l = listener(variant->type, PORT_L, 128);
	ASSERT_LE(0, self->l) TH_LOG("%s listener: %s",
				     type_name(variant->type),
				     strerror(errno));
}

FIXTURE_TEARDOWN(conn)
{
	if (self->c >= 0)
		close(self->c);
	if (self->s >= 0)
		close(self->s);
	if (self->l >= 0)
		close(self->l);
}

/* self->c connected to the listener, self->s its accepted end. */
#define PAIR()								\
	ASSERT_EQ(0, lynx_stream_pair(variant->type, self->l, PORT_L,	\
				      &self->c, &self->s))		\
		TH_LOG("connect/accept: %s", strerror(errno))

/* ---- listen ---------------------------------------------------------- */

TEST_F(conn, listen_autobind)
{
	uint32_t low, high, port;
	int fd = lynx_socket(variant->type), c, s;
	char b;

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, lynx_local_port(fd));
	ASSERT_EQ(0, listen(fd, 4)) TH_LOG("listen: %s", strerror(errno));
	port = lynx_local_port(fd);
	ASSERT_NE(0, port);
	ASSERT_EQ(0, lynx_eph_range(&low, &high));
	EXPECT_LE(low, port);
	EXPECT_GE(high, port);
	/* It accepts connections on that port. */
	ASSERT_EQ(0, lynx_stream_pair(variant->type, fd, port, &c, &s))
		TH_LOG("connect to the autobound port: %s", strerror(errno));
	EXPECT_EQ(1, send(c, "a", 1, 0));
	EXPECT_EQ(1, lynx_read_full(s, &b, 1, 2000));
	close(c);
	close(s);
	close(fd);
}

TEST_F(conn, listen_backlog)
{
	int backlogs[] = { 0, 1, 5, SOMAXCONN, 1 << 20, -1 };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(backlogs) / sizeof(backlogs[0]); i++) {
		fd = lynx_socket(variant->type);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, listen(fd, backlogs[i]))
			TH_LOG("listen(%d): %s", backlogs[i], strerror(errno));
		close(fd);
	}
	/* Listening again changes the backlog, as TCP. */
	EXPECT_EQ(0, listen(self->l, 1)) TH_LOG("re-listen: %s",
						strerror(errno));
	EXPECT_EQ(0, listen(self->l, 128));
	/* A connected socket cannot listen. */
	PAIR();
	errno = 0;
	EXPECT_EQ(-1, listen(self->c, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, listen(self->s, 1));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- accept ---------------------------------------------------------- */

TEST_F(conn, accept4_flags)
{
	int c1, c2, s1, s2;
	char b;

	errno = 0;
	EXPECT_EQ(-1, accept4(self->l, NULL, NULL, 0x1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, accept4(self->l, NULL, NULL, SOCK_NONBLOCK | 0x1));
	EXPECT_EQ(EINVAL, errno);

	c1 = lynx_socket(variant->type);
	c2 = lynx_socket(variant->type);
	ASSERT_LE(0, c1);
	ASSERT_LE(0, c2);
	ASSERT_EQ(0, lynx_set_timeo(c1, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_set_timeo(c2, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_connect(c1, LYNX_NODE_LOCAL, PORT_L))
		TH_LOG("connect: %s", strerror(errno));
	s1 = lynx_accept_wait(self->l, 5000, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	ASSERT_LE(0, s1) TH_LOG("accept4: %s", strerror(errno));
	EXPECT_NE(0, fcntl(s1, F_GETFL) & O_NONBLOCK);
	EXPECT_NE(0, fcntl(s1, F_GETFD) & FD_CLOEXEC);
	/* Non-blocking for real. */
	errno = 0;
	EXPECT_EQ(-1, recv(s1, &b, 1, 0));
	EXPECT_EQ(EAGAIN, errno);

	ASSERT_EQ(0, lynx_connect(c2, LYNX_NODE_LOCAL, PORT_L));
	s2 = lynx_accept_wait(self->l, 5000, NULL, 0);
	ASSERT_LE(0, s2) TH_LOG("accept4: %s", strerror(errno));
	EXPECT_EQ(0, fcntl(s2, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, fcntl(s2, F_GETFD) & FD_CLOEXEC);
	close(c1);
	close(c2);
	close(s1);
	close(s2);
}

TEST_F(conn, accept_nonblock_eagain)
{
	int fl = fcntl(self->l, F_GETFL);

	ASSERT_EQ(0, fcntl(self->l, F_SETFL, fl | O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, accept(self->l, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, lynx_poll1(self->l, POLLIN, 0) & POLLIN);
	/* Once something is pending: POLLIN, and accept works. */
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->l, POLLIN, 5000));
	self->s = accept(self->l, NULL, NULL);
	EXPECT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, accept(self->l, NULL, NULL));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(conn, accept_rcvtimeo)
{
	long long t0, dt;

	/*
	 * 1 s, not less: a guest starved of CPU has seen its clock and its
	 * timers disagree by some 100 ms (a 200 ms timeout measured as 89).
	 */
	ASSERT_EQ(0, lynx_set_timeo(self->l, SO_RCVTIMEO, 1000));
	t0 = now_ms();
	errno = 0;
	EXPECT_EQ(-1, accept(self->l, NULL, NULL));
	dt = now_ms() - t0;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(800, dt) TH_LOG("accept returned after %lld ms", dt);
	EXPECT_GT(5000, dt);
}

TEST_F(conn, accept_peer_address)
{
	struct sockaddr_lynx from, a;
	socklen_t len = sizeof(from);
	uint32_t node = lynx_node();

	ASSERT_NE(0, node);
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->l, POLLIN, 5000));
	memset(&from, 0xff, sizeof(from));
	self->s = accept(self->l, (struct sockaddr *)&from, &len);
	ASSERT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(sizeof(from), len);
	EXPECT_EQ(lynx_af(), from.slx_family);
	EXPECT_EQ(0, from.slx_reserved);
	EXPECT_EQ(0, from.slx_zero[0] | from.slx_zero[1] | from.slx_zero[2] |
		     from.slx_zero[3]);
	EXPECT_EQ(node, from.slx_node);
	EXPECT_NE(0, from.slx_port);

	/* The client's own address is what accept reported. */
	memset(&a, 0xff, sizeof(a));
	len = sizeof(a);
	ASSERT_EQ(0, getsockname(self->c, (struct sockaddr *)&a, &len));
	EXPECT_EQ(from.slx_port, a.slx_port);
	EXPECT_EQ(node, a.slx_node);

	/* getpeername of the accepted end: the same address. */
	memset(&a, 0xff, sizeof(a));
	len = sizeof(a);
	ASSERT_EQ(0, getpeername(self->s, (struct sockaddr *)&a, &len))
		TH_LOG("getpeername: %s", strerror(errno));
	EXPECT_EQ(sizeof(a), len);
	EXPECT_EQ(0, memcmp(&a, &from, sizeof(a)));

	/* getpeername of the client: the listener's port. */
	memset(&a, 0xff, sizeof(a));
	len = sizeof(a);
	ASSERT_EQ(0, getpeername(self->c, (struct sockaddr *)&a, &len))
		TH_LOG("getpeername: %s", strerror(errno));
	EXPECT_EQ(lynx_af(), a.slx_family);
	EXPECT_EQ(PORT_L, a.slx_port);
	EXPECT_TRUE(a.slx_node == node || a.slx_node == LYNX_NODE_LOCAL)
		TH_LOG("peer node %#x", a.slx_node);

	/* getsockname of the accepted end: the listener's port. */
	memset(&a, 0xff, sizeof(a));
	len = sizeof(a);
	ASSERT_EQ(0, getsockname(self->s, (struct sockaddr *)&a, &len));
	EXPECT_EQ(PORT_L, a.slx_port);
	EXPECT_EQ(node, a.slx_node);
}

/*
 * The accepted socket inherits what TCP's does (sk_clone_lock copies the
 * listener): buffer sizes, low-water mark, timeouts, linger, priority,
 * mark and the socket flags; not the file's O_NONBLOCK (accept4_flags).
 */
TEST_F(conn, accept_inherits)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 3 }, lg2;
	socklen_t len = sizeof(lg2);
	int one = 1, v;

	v = 48 * 1024;
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	v = 40 * 1024;
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	v = 7;
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_RCVLOWAT, &v,
				sizeof(v)));
	v = 5;
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_PRIORITY, &v,
				sizeof(v)));
	v = 42;
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_MARK, &v, sizeof(v)));
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_KEEPALIVE, &one,
				sizeof(one)));
	ASSERT_EQ(0, setsockopt(self->l, SOL_SOCKET, SO_LINGER, &lg,
				sizeof(lg)));
	ASSERT_EQ(0, lynx_set_timeo(self->l, SO_RCVTIMEO, 1500));
	ASSERT_EQ(0, lynx_set_timeo(self->l, SO_SNDTIMEO, 2500));

	/* Not PAIR(): it sets timeouts of its own on both ends. */
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L))
		TH_LOG("connect: %s", strerror(errno));
	self->s = lynx_accept_wait(self->l, 5000, NULL, 0);
	ASSERT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	EXPECT_EQ(sockopt_int(self->l, SO_RCVBUF),
		  sockopt_int(self->s, SO_RCVBUF));
	EXPECT_EQ(sockopt_int(self->l, SO_SNDBUF),
		  sockopt_int(self->s, SO_SNDBUF));
	EXPECT_EQ(7, sockopt_int(self->s, SO_RCVLOWAT));
	EXPECT_EQ(5, sockopt_int(self->s, SO_PRIORITY));
	EXPECT_EQ(42, sockopt_int(self->s, SO_MARK));
	EXPECT_EQ(1, sockopt_int(self->s, SO_KEEPALIVE));
	EXPECT_EQ(1500, sockopt_timeo_ms(self->s, SO_RCVTIMEO));
	EXPECT_EQ(2500, sockopt_timeo_ms(self->s, SO_SNDTIMEO));
	ASSERT_EQ(0, getsockopt(self->s, SOL_SOCKET, SO_LINGER, &lg2, &len));
	EXPECT_EQ(1, lg2.l_onoff);
	EXPECT_EQ(3, lg2.l_linger);
	EXPECT_EQ(variant->type, sockopt_int(self->s, SO_TYPE));
	EXPECT_EQ(0, sockopt_int(self->s, SO_ACCEPTCONN));
	/* The client's socket is its own: nothing came from the listener. */
	EXPECT_EQ(0, sockopt_int(self->c, SO_KEEPALIVE));
	EXPECT_EQ(0, sockopt_int(self->c, SO_MARK));
}

static int lynx_opt(int fd, int opt)
{
	socklen_t len = sizeof(int);
	int v = -1;

	if (getsockopt(fd, SOL_LYNX, opt, &v, &len))
		return -errno;
	return len == sizeof(int) ? v : -ERANGE;
}

/*
 * LYNX_NODELAY, as TCP_NODELAY: an int, 0 by default, read back as 0 or
 * 1, taken by accepted sockets from their listener; a short optlen is
 * EINVAL, an unknown option ENOPROTOOPT.  SOCK_SEQPACKET has no such
 * option (no two messages share a segment): ENOPROTOOPT.
 */
TEST_F(conn, nodelay_option)
{
	short v16 = 1;
	int v = 7;

	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	if (variant->type != SOCK_STREAM) {
		EXPECT_EQ(-ENOPROTOOPT, lynx_opt(self->c, LYNX_NODELAY));
		errno = 0;
		EXPECT_EQ(-1, setsockopt(self->l, SOL_LYNX, LYNX_NODELAY, &v,
					 sizeof(v)));
		EXPECT_EQ(ENOPROTOOPT, errno);
		return;
	}
	EXPECT_EQ(0, lynx_opt(self->c, LYNX_NODELAY));
	EXPECT_EQ(0, setsockopt(self->c, SOL_LYNX, LYNX_NODELAY, &v,
				sizeof(v)));
	EXPECT_EQ(1, lynx_opt(self->c, LYNX_NODELAY));
	v = 0;
	EXPECT_EQ(0, setsockopt(self->c, SOL_LYNX, LYNX_NODELAY, &v,
				sizeof(v)));
	EXPECT_EQ(0, lynx_opt(self->c, LYNX_NODELAY));
	errno = 0;
	EXPECT_EQ(-1, setsockopt(self->c, SOL_LYNX, LYNX_NODELAY, &v16,
				 sizeof(v16)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, setsockopt(self->c, SOL_LYNX, 99, &v, sizeof(v)));
	EXPECT_EQ(ENOPROTOOPT, errno);
	/* A short buffer gets the first bytes, as from TCP_NODELAY and
	 * SOL_SOCKET options; a negative length is refused.
	 */
	v = 1;
	ASSERT_EQ(0, setsockopt(self->c, SOL_LYNX, LYNX_NODELAY, &v,
				sizeof(v)));
	{
		unsigned char b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
		socklen_t len = 1;
		int one = 1;

		EXPECT_EQ(0, getsockopt(self->c, SOL_LYNX, LYNX_NODELAY, b,
					&len));
		EXPECT_EQ(1, len);
		EXPECT_EQ(((unsigned char *)&one)[0], b[0]);
		EXPECT_EQ(0xaa, b[1]);
		len = (socklen_t)-1;
		errno = 0;
		EXPECT_EQ(-1, getsockopt(self->c, SOL_LYNX, LYNX_NODELAY, b,
					 &len));
		EXPECT_EQ(EINVAL, errno);
	}
	close(self->c);
	self->c = -1;

	/* An accepted socket takes its listener's value. */
	v = 1;
	ASSERT_EQ(0, setsockopt(self->l, SOL_LYNX, LYNX_NODELAY, &v,
				sizeof(v)));
	PAIR();
	EXPECT_EQ(1, lynx_opt(self->s, LYNX_NODELAY));
	EXPECT_EQ(0, lynx_opt(self->c, LYNX_NODELAY));
}

#define QFULL_CLIENTS	6

/*
 * listen()'s backlog is clamped to net.core.somaxconn (per namespace); the
 * queue then holds backlog + 1 connections, handshaking or established,
 * as TCP's does.  Further SYNs are dropped and counted; those clients
 * retransmit and connect once accept() makes room.
 */
TEST_F_TIMEOUT(conn, accept_queue_full, 60)
{
	int c[QFULL_CLIENTS], done[QFULL_CLIENTS] = { 0 };
	int i, n, connected = 0, accepted = 0, s, r;
	long long drops0, deadline;

	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/core/somaxconn", "2"));
	ASSERT_EQ(0, listen(self->l, 100));
	drops0 = lynx_stat("drop_rcvbuf");
	ASSERT_LE(0, drops0);
	for (i = 0; i < QFULL_CLIENTS; i++) {
		c[i] = socket(lynx_af(), variant->type | SOCK_NONBLOCK, 0);
		ASSERT_LE(0, c[i]);
		r = lynx_connect(c[i], LYNX_NODE_LOCAL, PORT_L);
		ASSERT_TRUE(r == 0 || errno == EINPROGRESS)
			TH_LOG("connect %d: %s", i, strerror(errno));
	}
	/* Three (somaxconn + 1) complete their handshake... */
	deadline = now_ms() + lynx_ms(10000);
	while (connected < 3 && now_ms() < deadline) {
		for (i = 0; i < QFULL_CLIENTS; i++) {
			if (!done[i] && lynx_poll1(c[i], POLLOUT, 0) & POLLOUT) {
				done[i] = 1;
				connected++;
			}
		}
		lynx_poll1(self->l, POLLIN, 50);
	}
	ASSERT_EQ(3, connected);
	/* ... the others do not while the queue stays full. */
	for (i = 0, n = 0, r = 1000; i < QFULL_CLIENTS; i++) {
		if (done[i])
			continue;
		/* One second for the first (SYNs retry every 200 ms+). */
		if (lynx_poll1(c[i], POLLOUT, r))
			n++;
		r = 0;
	}
	EXPECT_EQ(0, n) TH_LOG("%d connected past a full queue", n);
	EXPECT_LE(drops0 + 3, lynx_stat("drop_rcvbuf"));

	/* Accepting makes room: every client gets in, none is refused. */
	while (accepted < QFULL_CLIENTS) {
		s = lynx_accept_wait(self->l, 15000, NULL, 0);
		ASSERT_LE(0, s) TH_LOG("accept %d: %s", accepted,
				       strerror(errno));
		close(s);
		accepted++;
	}
	for (i = 0; i < QFULL_CLIENTS; i++) {
		EXPECT_TRUE(lynx_poll_for(c[i], POLLOUT, 5000) & POLLOUT);
		EXPECT_EQ(0, sock_error(c[i]));
		close(c[i]);
	}
}

/* ---- connect --------------------------------------------------------- */

TEST_F(conn, connect_blocking)
{
	char b;

	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L))
		TH_LOG("connect: %s", strerror(errno));
	EXPECT_NE(0, lynx_local_port(self->c));
	EXPECT_EQ(POLLOUT, lynx_poll1(self->c, POLLIN | POLLOUT, 0));
	self->s = lynx_accept_wait(self->l, 5000, NULL, 0);
	ASSERT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(1, send(self->c, "c", 1, 0));
	ASSERT_EQ(1, lynx_read_full(self->s, &b, 1, 2000));
	EXPECT_EQ('c', b);
	ASSERT_EQ(1, send(self->s, "s", 1, 0));
	ASSERT_EQ(1, lynx_read_full(self->c, &b, 1, 2000));
	EXPECT_EQ('s', b);
}

TEST_F(conn, connect_nonblocking)
{
	struct sockaddr_lynx peer;
	socklen_t len = sizeof(peer);
	int r, again;
	char b;

	self->c = socket(lynx_af(), variant->type | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, self->c);
	errno = 0;
	r = lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L);
	ASSERT_TRUE(r == 0 || errno == EINPROGRESS)
		TH_LOG("connect: %s", strerror(errno));
	if (r) {
		/* At once: still in progress, or already done. */
		errno = 0;
		again = lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L);
		EXPECT_TRUE(again == 0 || errno == EALREADY ||
			    errno == EISCONN)
			TH_LOG("second connect: %s", strerror(errno));
	}
	ASSERT_EQ(POLLOUT, lynx_poll_for(self->c, POLLOUT, 5000) &
			   (POLLOUT | POLLERR | POLLHUP));
	EXPECT_EQ(0, sock_error(self->c));
	ASSERT_EQ(0, getpeername(self->c, (struct sockaddr *)&peer, &len))
		TH_LOG("getpeername: %s", strerror(errno));
	EXPECT_EQ(PORT_L, peer.slx_port);
	/* Linux TCP reports the completion (0) once, then EISCONN. */
	errno = 0;
	r = lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L);
	EXPECT_TRUE(r == 0 || errno == EISCONN)
		TH_LOG("connect after completion: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	EXPECT_EQ(EISCONN, errno);

	self->s = lynx_accept_wait(self->l, 5000, NULL, 0);
	ASSERT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(1, send(self->c, "n", 1, 0));
	ASSERT_EQ(1, lynx_read_full(self->s, &b, 1, 2000));
	EXPECT_EQ('n', b);
}

TEST_F(conn, connect_eisconn)
{
	PAIR();
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	EXPECT_EQ(EISCONN, errno);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_DEAD));
	EXPECT_EQ(EISCONN, errno);
	/* The accepted end too. */
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->s, LYNX_NODE_LOCAL, PORT_L));
	EXPECT_EQ(EISCONN, errno);
	/* A listener cannot connect. */
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->l, LYNX_NODE_LOCAL, PORT_DEAD));
	EXPECT_TRUE(errno == EISCONN || errno == EINVAL)
		TH_LOG("connect on a listener: %s", strerror(errno));
}

/*
 * A node that never answers (no namespace has it; the SYN leaves through
 * an UP lynx device): connect stays in progress.
 */
TEST_F(conn, connect_ealready)
{
	int r;

	ASSERT_EQ(0, lynx_sh("ip link add x0 up type lynx"));
	self->c = socket(lynx_af(), variant->type | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, self->c);
	errno = 0;
	r = lynx_connect(self->c, NODE_DEAD, PORT_L);
	ASSERT_EQ(-1, r);
	ASSERT_EQ(EINPROGRESS, errno) TH_LOG("connect: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, NODE_DEAD, PORT_L));
	EXPECT_EQ(EALREADY, errno);
	/* Another address while in progress: the same. */
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	EXPECT_EQ(EALREADY, errno);
	EXPECT_EQ(0, lynx_poll1(self->c, POLLOUT, 100) & (POLLOUT | POLLERR));
	EXPECT_EQ(0, sock_error(self->c));
	/* Closing a connecting socket is fine. */
}

TEST_F(conn, connect_refused)
{
	int b, d, r, ev;

	/* Nothing on the port. */
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_DEAD));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(self->c);

	/* Bound, not listening. */
	b = lynx_socket(variant->type);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, lynx_bind(b, LYNX_NODE_ANY, PORT_B));
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_B));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(self->c);

	/* A datagram socket on the port is no listener (own port space). */
	d = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, d);
	ASSERT_EQ(0, lynx_bind(d, LYNX_NODE_ANY, PORT_DEAD));
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_DEAD));
	EXPECT_EQ(ECONNREFUSED, errno);
	close(self->c);
	close(d);

	/* Non-blocking: at once, or through POLLERR and SO_ERROR. */
	self->c = socket(lynx_af(), variant->type | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, self->c);
	errno = 0;
	r = lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_B);
	ASSERT_EQ(-1, r);
	if (errno == EINPROGRESS) {
		ev = lynx_poll_for(self->c, POLLOUT, 5000);
		EXPECT_NE(0, ev & POLLERR) TH_LOG("revents %#x", ev);
		EXPECT_EQ(ECONNREFUSED, sock_error(self->c));
	} else {
		EXPECT_EQ(ECONNREFUSED, errno);
	}
	close(b);
}

TEST_F(conn, connect_type_mismatch)
{
	int other = variant->type == SOCK_STREAM ? SOCK_SEQPACKET : SOCK_STREAM;
	int l2 = listener(other, PORT_X, 4);

	ASSERT_LE(0, l2) TH_LOG("listener: %s", strerror(errno));
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_X));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(0, lynx_poll1(l2, POLLIN, 0) & POLLIN);
	close(l2);
}

TEST_F(conn, connect_retry_after_refused)
{
	int l2;
	char b;

	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(5000)));
	errno = 0;
	ASSERT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_X));
	ASSERT_EQ(ECONNREFUSED, errno);
	l2 = listener(variant->type, PORT_X, 4);
	ASSERT_LE(0, l2) TH_LOG("listener: %s", strerror(errno));
	EXPECT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_X))
		TH_LOG("connect again: %s", strerror(errno));
	self->s = lynx_accept_wait(l2, 5000, NULL, 0);
	ASSERT_LE(0, self->s) TH_LOG("accept: %s", strerror(errno));
	ASSERT_EQ(1, send(self->c, "r", 1, 0));
	ASSERT_EQ(1, lynx_read_full(self->s, &b, 1, 2000));
	EXPECT_EQ('r', b);
	close(l2);
}

TEST_F(conn, unconnected_errors)
{
	struct sockaddr_lynx a;
	socklen_t len = sizeof(a);
	int u = lynx_socket(variant->type), b;
	char buf[4];

	ASSERT_LE(0, u);
	errno = 0;
	EXPECT_EQ(-1, getpeername(u, (struct sockaddr *)&a, &len));
	EXPECT_EQ(ENOTCONN, errno);
	errno = 0;
	EXPECT_EQ(-1, recv(u, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	errno = 0;
	EXPECT_EQ(-1, send(u, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT));
	EXPECT_TRUE(errno == ENOTCONN || errno == EPIPE)
		TH_LOG("send unconnected: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, shutdown(u, SHUT_RDWR));
	EXPECT_EQ(ENOTCONN, errno);
	/* accept on a socket that does not listen. */
	b = lynx_socket(variant->type);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, lynx_bind(b, LYNX_NODE_ANY, PORT_B));
	errno = 0;
	EXPECT_EQ(-1, accept4(b, NULL, NULL, SOCK_NONBLOCK));
	EXPECT_EQ(EINVAL, errno);
	/* A listener has no peer and no data. */
	len = sizeof(a);
	errno = 0;
	EXPECT_EQ(-1, getpeername(self->l, (struct sockaddr *)&a, &len));
	EXPECT_EQ(ENOTCONN, errno);
	errno = 0;
	EXPECT_EQ(-1, recv(self->l, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(ENOTCONN, errno);
	errno = 0;
	EXPECT_EQ(-1, send(self->l, "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT));
	EXPECT_TRUE(errno == ENOTCONN || errno == EPIPE)
		TH_LOG("send on a listener: %s", strerror(errno));
	close(b);
	close(u);
}

/* ---- data ------------------------------------------------------------ */

TEST_F(conn, send_recv_duplex)
{
	char out[32], in[32];
	int i, n;

	PAIR();
	for (i = 0; i < 10; i++) {
		n = snprintf(out, sizeof(out), "ping-%d", i);
		ASSERT_EQ(n, send(self->c, out, n, 0));
		memset(in, 0, sizeof(in));
		ASSERT_EQ(n, lynx_read_full(self->s, in, n, 2000))
			TH_LOG("recv: %s", strerror(errno));
		EXPECT_EQ(0, memcmp(in, out, n));
		n = snprintf(out, sizeof(out), "pong-%d", i);
		ASSERT_EQ(n, send(self->s, out, n, 0));
		memset(in, 0, sizeof(in));
		ASSERT_EQ(n, lynx_read_full(self->c, in, n, 2000));
		EXPECT_EQ(0, memcmp(in, out, n));
	}
	/* Both ways at once, with write() and read(). */
	ASSERT_EQ(5, write(self->c, "c-to-", 5));
	ASSERT_EQ(5, write(self->s, "s-to-", 5));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->s, POLLIN, 2000) & POLLIN);
	ASSERT_EQ(5, read(self->s, in, 5));
	EXPECT_EQ(0, memcmp(in, "c-to-", 5));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->c, POLLIN, 2000) & POLLIN);
	ASSERT_EQ(5, read(self->c, in, 5));
	EXPECT_EQ(0, memcmp(in, "s-to-", 5));
	EXPECT_EQ(POLLOUT, lynx_poll1(self->c, POLLIN | POLLOUT, 0));
	EXPECT_EQ(POLLOUT, lynx_poll1(self->s, POLLIN | POLLOUT, 0));
}

TEST_F_TIMEOUT(conn, transfer_1mib, 120)
{
	struct writer w;
	size_t bad;
	char b;

	PAIR();
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(30000)));
	ASSERT_EQ(0, writer_start(&w, self->c, MIB, 16384, 0));
	EXPECT_EQ(MIB, read_verify(self->s, MIB, 10000, &bad))
		TH_LOG("read: %s", strerror(errno));
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, writer_join(&w, 30000));
	EXPECT_EQ(0, w.err) TH_LOG("writer: %s", strerror(w.err));
	EXPECT_EQ(MIB, w.done);
	/* Then EOF. */
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(0, recv(self->s, &b, 1, MSG_DONTWAIT));
}

TEST_F_TIMEOUT(conn, transfer_duplex_1mib, 120)
{
	static unsigned char buf[65536];
	struct writer wc, ws;
	size_t got[2] = { 0, 0 }, bad = 0;
	struct pollfd p[2];
	long long end = now_ms() + lynx_ms(60000);
	int i, n;
	ssize_t r;

	PAIR();
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(30000)));
	ASSERT_EQ(0, lynx_set_timeo(self->s, SO_SNDTIMEO, lynx_ms(30000)));
	ASSERT_EQ(0, writer_start(&wc, self->c, MIB, 8192, 0));
	ASSERT_EQ(0, writer_start(&ws, self->s, MIB, 12000, 0));
	while ((got[0] < MIB || got[1] < MIB) && now_ms() < end) {
		p[0].fd = self->s;	/* from c */
		p[1].fd = self->c;	/* from s */
		p[0].events = got[0] < MIB ? POLLIN : 0;
		p[1].events = got[1] < MIB ? POLLIN : 0;
		n = poll(p, 2, lynx_ms(10000));
		ASSERT_LT(0, n) TH_LOG("stalled at %zu/%zu", got[0], got[1]);
		for (i = 0; i < 2; i++) {
			if (!(p[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			r = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (r < 0 && errno == EAGAIN)
				continue;
			ASSERT_LT(0, r) TH_LOG("recv: %s", strerror(errno));
			bad += pat_bad(buf, got[i], r);
			got[i] += r;
		}
	}
	EXPECT_EQ(MIB, got[0]);
	EXPECT_EQ(MIB, got[1]);
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, writer_join(&wc, 30000));
	ASSERT_EQ(0, writer_join(&ws, 30000));
	EXPECT_EQ(0, wc.err);
	EXPECT_EQ(0, ws.err);
}

TEST_F(conn, peek)
{
	char buf[16];

	PAIR();
	ASSERT_EQ(6, send(self->c, "abcdef", 6, 0));
	ASSERT_EQ(6, wait_inq(self->s, 6, 10000));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(3, recv(self->s, buf, 3, MSG_PEEK));
	EXPECT_STREQ("abc", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, recv(self->s, buf, sizeof(buf), MSG_PEEK));
	EXPECT_STREQ("abcdef", buf);
	EXPECT_EQ(6, inq(self->s));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(6, recv(self->s, buf, sizeof(buf), 0));
	EXPECT_STREQ("abcdef", buf);
	EXPECT_EQ(0, inq(self->s));
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, buf, sizeof(buf), MSG_PEEK | MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(conn, waitall)
{
	unsigned char buf[200];
	struct writer w;

	PAIR();
	if (variant->type == SOCK_SEQPACKET) {
		/* Message boundaries win over MSG_WAITALL (AF_UNIX). */
		ASSERT_EQ(5, send(self->c, "12345", 5, 0));
		ASSERT_EQ(2, send(self->c, "67", 2, 0));
		ASSERT_EQ(7, wait_inq(self->s, 7, 10000));
		EXPECT_EQ(5, recv(self->s, buf, sizeof(buf), MSG_WAITALL));
		EXPECT_EQ(2, recv(self->s, buf, sizeof(buf), MSG_WAITALL));
		return;
	}
	/* 100 bytes in ten sends spread over ~200 ms: one recv of 100. */
	ASSERT_EQ(0, writer_start(&w, self->c, 100, 10, 20));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(100, recv(self->s, buf, 100, MSG_WAITALL))
		TH_LOG("recv: %s", strerror(errno));
	EXPECT_EQ(0, pat_bad(buf, 0, 100));
	ASSERT_EQ(0, writer_join(&w, 5000));
	EXPECT_EQ(0, w.err);
}

TEST_F(conn, dontwait_eagain)
{
	char buf[4];
	int fl;

	PAIR();
	errno = 0;
	EXPECT_EQ(-1, recv(self->c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	fl = fcntl(self->s, F_GETFL);
	ASSERT_EQ(0, fcntl(self->s, F_SETFL, fl | O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(self->s, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, lynx_poll1(self->s, POLLIN, 0) & POLLIN);
}

TEST_F(conn, rcvtimeo)
{
	long long t0, dt;
	char buf[4];

	PAIR();
	ASSERT_EQ(0, lynx_set_timeo(self->s, SO_RCVTIMEO, 200));
	t0 = now_ms();
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, buf, sizeof(buf), 0));
	dt = now_ms() - t0;
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_LE(150, dt);
	EXPECT_GT(5000, dt);
	/* The connection is still fine. */
	ASSERT_EQ(2, send(self->c, "ok", 2, 0));
	EXPECT_EQ(2, lynx_read_full(self->s, buf, 2, 2000));
}

TEST_F(conn, fionread_siocinq)
{
	char buf[32];

	PAIR();
	EXPECT_EQ(0, inq(self->s));
	ASSERT_EQ(10, send(self->c, "0123456789", 10, 0));
	ASSERT_EQ(20, send(self->c, "abcdefghijklmnopqrst", 20, 0));
	EXPECT_EQ(30, wait_inq(self->s, 30, 10000));
	/* FIONREAD and SIOCINQ are the same ioctl. */
	{
		int n = -1;

		ASSERT_EQ(0, ioctl(self->s, FIONREAD, &n));
		EXPECT_EQ(30, n);
	}
	ASSERT_EQ(10, recv(self->s, buf, 10, 0));
	EXPECT_EQ(0, memcmp(buf, "0123456789", 10));
	EXPECT_EQ(20, inq(self->s));
	ASSERT_EQ(20, recv(self->s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, inq(self->s));
	EXPECT_EQ(0, inq(self->c));
}

TEST_F(conn, siocoutq)
{
	static unsigned char buf[1000];
	int v;

	PAIR();
	EXPECT_EQ(0, outq(self->c));
	pat_fill(buf, 0, sizeof(buf));
	ASSERT_EQ(1000, send(self->c, buf, sizeof(buf), 0));
	v = outq(self->c);
	EXPECT_LE(0, v);
	EXPECT_GE(1000, v);
	/* Acknowledged by the peer, read or not. */
	EXPECT_EQ(0, wait_outq_empty(self->c, 5000));
	EXPECT_EQ(1000, inq(self->s));
}

TEST_F(conn, efault)
{
	unsigned char buf[100];

	PAIR();
	pat_fill(buf, 0, sizeof(buf));
	ASSERT_EQ(100, send(self->c, buf, sizeof(buf), 0));
	ASSERT_EQ(100, wait_inq(self->s, 100, 10000));
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, (void *)1, 100, 0));
	EXPECT_EQ(EFAULT, errno);
	/* Nothing was consumed. */
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(100, recv(self->s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, pat_bad(buf, 0, 100));
	/* A bad send buffer: EFAULT, and nothing sent. */
	errno = 0;
	EXPECT_EQ(-1, send(self->c, (void *)1, 100, 0));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, wait_inq(self->s, 1, 200));
}

/*
 * A small SO_SNDBUF and a peer that does not read: sending stops (EAGAIN,
 * no POLLOUT) with a bounded amount in flight; once the peer reads,
 * sending resumes.
 */
TEST_F_TIMEOUT(conn, flow_control, 90)
{
	static unsigned char buf[1000];
	const size_t limit = 4 * MIB;
	size_t sent = 0, got, bad;
	int sndbuf = 4096, stalled = 0, quiet = 0, last_in = -1, last_out = -1;
	int in, out;
	ssize_t n;

	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L))
		TH_LOG("connect: %s", strerror(errno));
	self->s = lynx_accept_wait(self->l, 5000, NULL, 0);
	ASSERT_LE(0, self->s);

	while (sent < limit) {
		pat_fill(buf, sent, sizeof(buf));
		n = send(self->c, buf, sizeof(buf), MSG_DONTWAIT);
		if (n > 0) {
			sent += n;
			continue;
		}
		ASSERT_EQ(EAGAIN, errno) TH_LOG("send: %s", strerror(errno));
		if (lynx_poll_for(self->c, POLLOUT, 500) & POLLOUT)
			continue;
		/*
		 * No room for 500 ms.  Stalled once neither queue moves for
		 * two such rounds: on a slow guest an ack may still be on
		 * its way and free room after the first.
		 */
		in = inq(self->s);
		out = outq(self->c);
		quiet = in == last_in && out == last_out ? quiet + 1 : 0;
		last_in = in;
		last_out = out;
		if (quiet == 2) {
			stalled = 1;
			break;
		}
	}
	TH_LOG("%s: %zu bytes in flight when stalled",
	       type_name(variant->type), sent);
	ASSERT_TRUE(stalled) TH_LOG("%zu bytes sent to a peer that never reads",
				    sent);
	EXPECT_LT(0, sent);
	/* Kernel memory for the connection: the two buffers, no more. */
	EXPECT_GE((size_t)sockopt_int(self->c, SO_SNDBUF) +
		  (size_t)sockopt_int(self->s, SO_RCVBUF), sent);
	EXPECT_GE(sockopt_int(self->s, SO_RCVBUF), inq(self->s));
	EXPECT_EQ(0, lynx_poll1(self->c, POLLOUT, 0) & POLLOUT);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* The peer reads everything: the writer can go on. */
	got = read_verify(self->s, sent, 5000, &bad);
	EXPECT_EQ(sent, got);
	EXPECT_EQ(0, bad);
	EXPECT_NE(0, lynx_poll_for(self->c, POLLOUT, 5000) & POLLOUT);
	pat_fill(buf, sent, sizeof(buf));
	EXPECT_EQ(1000, send(self->c, buf, sizeof(buf), MSG_DONTWAIT))
		TH_LOG("send after the drain: %s", strerror(errno));
	EXPECT_EQ(1000, read_verify(self->s, 1000, 5000, &bad));
}

/*
 * A reader asleep in recv() while its socket's sent data is acknowledged:
 * each ACK frees send buffer, which wakes writers that wait for room, and
 * only them (TCP's tcp_check_space()).  Woken for nothing, the reader
 * would run and sleep again once per ACK: a context switch pair a round
 * trip in a ping-pong.
 */
struct idle_reader {
	pthread_t th;
	int fd;
	pid_t tid;		/* set before it reads */
	long switches;		/* voluntary switches inside recv() */
	ssize_t got;
};

static void *idle_reader_run(void *arg)
{
	struct idle_reader *r = arg;
	struct rusage before, after;
	char b;

	getrusage(RUSAGE_THREAD, &before);
	__atomic_store_n(&r->tid, (pid_t)syscall(SYS_gettid), __ATOMIC_RELEASE);
	r->got = recv(r->fd, &b, 1, 0);
	getrusage(RUSAGE_THREAD, &after);
	r->switches = after.ru_nvcsw - before.ru_nvcsw;
	return NULL;
}

/* The state letter of thread @tid of this process ('S': asleep), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[256], *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (lynx_read_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

TEST_F(conn, acks_do_not_wake_reader)
{
	struct idle_reader r = { .tid = 0 };
	long long end;
	int i;

	PAIR();
	r.fd = self->c;
	ASSERT_EQ(0, pthread_create(&r.th, NULL, idle_reader_run, &r));
	end = now_ms() + lynx_ms(5000);
	while (!__atomic_load_n(&r.tid, __ATOMIC_ACQUIRE) ||
	       thread_state(r.tid) != 'S') {
		ASSERT_GT(end, now_ms()) TH_LOG("the reader never slept");
		poll(NULL, 0, 1);
	}
	/* 32 writes, each acknowledged before the next. */
	for (i = 0; i < 32; i++) {
		ASSERT_EQ(1, send(self->c, "x", 1, 0));
		ASSERT_EQ(0, wait_outq_empty(self->c, 2000))
			TH_LOG("write %d not acknowledged", i);
	}
	ASSERT_EQ(1, send(self->s, "y", 1, 0));
	ASSERT_EQ(0, pthread_join(r.th, NULL));
	EXPECT_EQ(1, r.got);
	/* One to fall asleep; a few for whatever else a busy guest does. */
	EXPECT_GE(3, r.switches) TH_LOG("the reader was woken %ld times by 32 ACKs",
					r.switches);
}

/*
 * A reader that does not read for longer than the sender's retransmission
 * budget (LYNX_DATA_RETRIES backoffs, each at most LYNX_RTO_MAX: under
 * 20 s) costs nothing but time, as with TCP: small writes fill the
 * receive buffer with segments whose memory far exceeds their bytes, and
 * the receiver must then close its window rather than drop what it
 * advertised room for (the sender would count each drop as a loss and
 * give up with ETIMEDOUT).
 */
TEST_F_TIMEOUT(conn, slow_reader_small_writes, 60)
{
	const int idle_ms = 22000;	/* > 10 x LYNX_RTO_MAX */
	int err, one = 1, sndbuf = 65536;
	size_t sent, got, bad;
	ssize_t n;

	PAIR();
	/* A segment a write while the window is open (no Nagle), and a
	 * sender's buffer that does not grow with the flow (a million
	 * one-byte writes would only cost time).
	 */
	if (variant->type == SOCK_STREAM)
		ASSERT_EQ(0, setsockopt(self->c, SOL_LYNX, LYNX_NODELAY, &one,
					sizeof(one)));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	n = send_bytes_until_blocked(self->c);
	ASSERT_LE(0, n) TH_LOG("send: %s", strerror(errno));
	sent = n;
	TH_LOG("%zu one-byte writes queued", sent);
	ASSERT_LT(0, sent);
	/* The behaviour under test is time passing with nobody reading. */
	usleep(idle_ms * 1000);
	err = sock_error(self->c);
	EXPECT_EQ(0, err) TH_LOG("sender: %s after %d s of a slow reader",
				 strerror(err), idle_ms / 1000);
	got = read_verify(self->s, sent, 10000, &bad);
	EXPECT_EQ(sent, got);
	EXPECT_EQ(0, bad);
}

/* ---- shutdown -------------------------------------------------------- */

TEST_F(conn, shutdown_wr_eof)
{
	char buf[16];
	int ev;

	PAIR();
	ASSERT_EQ(4, send(self->c, "data", 4, 0));
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	ASSERT_EQ(4, lynx_read_full(self->s, buf, 4, 2000));
	EXPECT_EQ(0, memcmp(buf, "data", 4));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), 0));
	ev = lynx_poll1(self->s, POLLIN | POLLRDHUP | POLLOUT, 0);
	EXPECT_EQ(POLLIN | POLLRDHUP, ev & (POLLIN | POLLRDHUP))
		TH_LOG("revents %#x", ev);
	EXPECT_EQ(0, ev & POLLHUP);
	/* Half-closed: the other direction still works. */
	ASSERT_EQ(5, send(self->s, "reply", 5, 0));
	EXPECT_EQ(5, lynx_read_full(self->c, buf, 5, 2000));
	EXPECT_EQ(0, memcmp(buf, "reply", 5));
}

TEST_F(conn, shutdown_wr_epipe)
{
	struct sigaction sa = { .sa_handler = on_sigpipe };

	ASSERT_EQ(0, sigaction(SIGPIPE, &sa, NULL));
	PAIR();
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	sigpipes = 0;
	errno = 0;
	EXPECT_EQ(-1, send(self->c, "x", 1, 0));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(1, sigpipes);
	errno = 0;
	EXPECT_EQ(-1, write(self->c, "x", 1));
	EXPECT_EQ(EPIPE, errno);
	EXPECT_EQ(2, sigpipes);
}

static volatile sig_atomic_t sigios;

static void on_sigio(int sig)
{
	(void)sig;
	sigios++;
}

/*
 * O_ASYNC: a writer that got EAGAIN gets SIGIO once room frees, without
 * having polled (poll would ask for it itself), as with TCP.
 */
TEST_F(conn, sigio_when_room_frees)
{
	struct sigaction sa = { .sa_handler = on_sigio }, old;
	char buf[4096] = { 0 };
	size_t sent = 0, got = 0;
	long long end;
	ssize_t n;

	PAIR();
	ASSERT_EQ(0, sigaction(SIGIO, &sa, &old));
	ASSERT_EQ(0, fcntl(self->c, F_SETOWN, getpid()));
	ASSERT_EQ(0, fcntl(self->c, F_SETFL, O_NONBLOCK | O_ASYNC));
	while ((n = send(self->c, buf, sizeof(buf), 0)) > 0)
		sent += n;
	ASSERT_EQ(EAGAIN, errno) TH_LOG("send: %s", strerror(errno));
	sigios = 0;
	/* The reader takes it all: every byte acknowledged, room for all. */
	while (got < sent) {
		n = lynx_read_full(self->s, buf, sent - got < sizeof(buf) ?
				   sent - got : sizeof(buf), 2000);
		ASSERT_LT(0, n) TH_LOG("read %zu of %zu", got, sent);
		got += n;
	}
	ASSERT_EQ(0, wait_outq_empty(self->c, 2000));
	end = now_ms() + lynx_ms(2000);
	while (!sigios && now_ms() < end)
		poll(NULL, 0, 10);
	EXPECT_LT(0, sigios) TH_LOG("no SIGIO after EAGAIN once %zu bytes were read",
				    sent);
	ASSERT_EQ(0, sigaction(SIGIO, &old, NULL));
}

TEST_F(conn, shutdown_rd)
{
	char buf[4];

	PAIR();
	ASSERT_EQ(0, shutdown(self->s, SHUT_RD));
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), MSG_DONTWAIT));
	EXPECT_NE(0, lynx_poll1(self->s, POLLIN, 0) & POLLIN);
	/* Writing still works. */
	ASSERT_EQ(2, send(self->s, "wr", 2, 0));
	EXPECT_EQ(2, lynx_read_full(self->c, buf, 2, 2000));
}

TEST_F(conn, shutdown_rdwr_pollhup)
{
	char buf[4];
	int ev;

	PAIR();
	ASSERT_EQ(0, shutdown(self->c, SHUT_RDWR));
	ev = lynx_poll_for(self->c, POLLIN | POLLOUT, 1000);
	EXPECT_NE(0, ev & POLLHUP) TH_LOG("revents %#x", ev);
	/* The peer sees EOF. */
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), MSG_DONTWAIT));
}

/* ---- close and reset -------------------------------------------------- */

/* Waits for an error (or hangup) to be signalled on fd. */
static int wait_err(int fd)
{
	return lynx_poll_for(fd, POLLIN, 5000) & (POLLIN | POLLERR | POLLHUP);
}

#define PEV	(POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM | POLLRDHUP | \
		 POLLHUP | POLLERR)

/* The whole poll mask, nothing waited for. */
static int poll_mask(int fd)
{
	return lynx_poll1(fd, PEV, 0);
}

/*
 * poll's mask through a connection's life is tcp_poll()'s, bit for bit
 * (the expected values are what Linux TCP reports in the same states).
 */
TEST_F(conn, poll_states)
{
	const int out = POLLOUT | POLLWRNORM, in = POLLIN | POLLRDNORM;
	int fd = lynx_socket(variant->type);
	char b;

	ASSERT_LE(0, fd);
	/* A fresh socket: closed, hence HUP; writable as TCP says. */
	EXPECT_EQ(out | POLLHUP, poll_mask(fd));
	close(fd);
	/* A listener: readable only with a connection to accept. */
	EXPECT_EQ(0, poll_mask(self->l));
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(5000)));
	ASSERT_EQ(0, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	ASSERT_NE(0, lynx_poll_for(self->l, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(in, poll_mask(self->l));
	self->s = accept(self->l, NULL, NULL);
	ASSERT_LE(0, self->s);
	EXPECT_EQ(0, poll_mask(self->l));

	/* Established and idle; then with data waiting. */
	EXPECT_EQ(out, poll_mask(self->c));
	EXPECT_EQ(out, poll_mask(self->s));
	ASSERT_EQ(1, send(self->c, "x", 1, 0));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(in | out, poll_mask(self->s));
	ASSERT_EQ(1, recv(self->s, &b, 1, 0));
	EXPECT_EQ(out, poll_mask(self->s));

	/* Half-closed: the writer keeps POLLOUT (send gives EPIPE). */
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	EXPECT_EQ(out, poll_mask(self->c));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLRDHUP, 5000) & POLLRDHUP);
	EXPECT_EQ(in | out | POLLRDHUP, poll_mask(self->s));

	/* Both directions shut: HUP on both ends. */
	ASSERT_EQ(0, shutdown(self->s, SHUT_WR));
	EXPECT_EQ(in | out | POLLRDHUP | POLLHUP, poll_mask(self->s));
	ASSERT_NE(0, lynx_poll_for(self->c, POLLRDHUP, 5000) & POLLRDHUP);
	EXPECT_EQ(in | out | POLLRDHUP | POLLHUP, poll_mask(self->c));
	close(self->c);
	close(self->s);
	self->c = self->s = -1;

	/* Reset by the peer: everything, POLLERR included. */
	PAIR();
	ASSERT_EQ(1, send(self->c, "u", 1, 0));
	ASSERT_EQ(1, wait_inq(self->s, 1, 10000));
	close(self->s);
	self->s = -1;
	ASSERT_NE(0, lynx_poll_for(self->c, 0, 5000) & POLLERR);
	EXPECT_EQ(in | out | POLLRDHUP | POLLHUP | POLLERR,
		  poll_mask(self->c));
	/* SO_ERROR consumes the error; the hang-up stays. */
	EXPECT_EQ(ECONNRESET, sock_error(self->c));
	EXPECT_EQ(in | out | POLLRDHUP | POLLHUP, poll_mask(self->c));
}

TEST_F(conn, close_unread_reset_recv)
{
	char buf[8];

	PAIR();
	ASSERT_EQ(6, send(self->c, "unread", 6, 0));
	ASSERT_EQ(6, wait_inq(self->s, 6, 10000));
	close(self->s);
	self->s = -1;
	ASSERT_NE(0, wait_err(self->c));
	errno = 0;
	EXPECT_EQ(-1, recv(self->c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
}

TEST_F(conn, close_unread_reset_send)
{
	PAIR();
	ASSERT_EQ(6, send(self->c, "unread", 6, 0));
	ASSERT_EQ(6, wait_inq(self->s, 6, 10000));
	close(self->s);
	self->s = -1;
	ASSERT_NE(0, wait_err(self->c));
	EXPECT_NE(0, lynx_poll1(self->c, 0, 0) & POLLERR);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(ECONNRESET, errno);
	/* Reported once; then the socket is dead. */
	errno = 0;
	EXPECT_EQ(-1, send(self->c, "x", 1, MSG_NOSIGNAL));
	EXPECT_EQ(EPIPE, errno);
}

TEST_F(conn, linger_zero_reset)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	char buf[4];

	PAIR();
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_LINGER, &lg,
				sizeof(lg)));
	close(self->s);
	self->s = -1;
	ASSERT_NE(0, wait_err(self->c));
	errno = 0;
	EXPECT_EQ(-1, recv(self->c, buf, sizeof(buf), 0));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(0, sock_error(self->c));
}

/*
 * SO_LINGER with a positive time: close() waits for the acknowledgment up
 * to that time (here it comes too late: lynxlo delays every frame 1.5 s,
 * so the ACK of the data and the FIN is 3 s away), then the orphaned
 * connection goes on in the background, retransmitting, and the peer gets
 * every byte and the FIN.
 *
 * Nothing in user space has to happen in time for the orphan (an earlier
 * version dropped everything and ran `tc qdisc del` after close(): a
 * starved guest ran it after the orphan had given up).  The ACK at 3 s
 * and the orphan's last retransmission (LYNX_ORPHAN_RETRIES backoffs from
 * the 20 ms floor: 4.5 s, then 2 s more before it gives up) are both
 * kernel timers, on the same clock however slow the guest.
 */
TEST_F_TIMEOUT(conn, linger_positive_background, 60)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 1 };
	char buf[2000];
	long long t0, dt;
	ssize_t n;
	size_t got = 0;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_LINGER, &lg,
				sizeof(lg)));
	ASSERT_EQ(0, lynx_sh("tc qdisc add dev lynxlo root netem delay 1500ms"))
		TH_LOG("netem unavailable");
	memset(buf, 'L', sizeof(buf));
	ASSERT_EQ((ssize_t)sizeof(buf), send(self->c, buf, sizeof(buf), 0));
	t0 = now_ms();
	EXPECT_EQ(0, close(self->c));
	dt = now_ms() - t0;
	self->c = -1;
	EXPECT_LE(800, dt) TH_LOG("close returned after %lld ms", dt);
	EXPECT_GT(5000, dt) TH_LOG("close returned after %lld ms", dt);

	ASSERT_EQ(0, lynx_set_timeo(self->s, SO_RCVTIMEO, lynx_ms(15000)));
	while ((n = recv(self->s, buf, sizeof(buf), 0)) > 0) {
		EXPECT_EQ('L', buf[0]);
		got += n;
	}
	EXPECT_EQ(0, n) TH_LOG("recv: %s", strerror(errno));
	EXPECT_EQ(sizeof(buf), got);
}

/* With the acknowledgment arriving, a lingering close returns at once. */
TEST_F(conn, linger_positive_acked)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 5 };
	char buf[100];
	long long t0;

	PAIR();
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_LINGER, &lg,
				sizeof(lg)));
	ASSERT_EQ(3, send(self->c, "abc", 3, 0));
	t0 = now_ms();
	EXPECT_EQ(0, close(self->c));
	EXPECT_GT(2000, now_ms() - t0);
	self->c = -1;
	EXPECT_EQ(3, recv(self->s, buf, sizeof(buf), MSG_WAITALL));
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), 0));
}

TEST_F(conn, close_normal_eof)
{
	char buf[8];
	int ev;

	PAIR();
	ASSERT_EQ(3, send(self->c, "bye", 3, 0));
	close(self->c);
	self->c = -1;
	ASSERT_EQ(3, lynx_read_full(self->s, buf, 3, 2000));
	EXPECT_EQ(0, memcmp(buf, "bye", 3));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN);
	EXPECT_EQ(0, recv(self->s, buf, sizeof(buf), 0));
	ASSERT_EQ(0, shutdown(self->s, SHUT_WR));
	ev = lynx_poll_for(self->s, POLLIN, 2000);
	EXPECT_EQ(POLLIN | POLLHUP, ev & (POLLIN | POLLHUP))
		TH_LOG("revents %#x", ev);
}

TEST_F(conn, listener_close_pending)
{
	int c[3], i, n;
	char buf[4];

	for (i = 0; i < 3; i++) {
		c[i] = lynx_socket(variant->type);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, lynx_set_timeo(c[i], SO_SNDTIMEO, lynx_ms(5000)));
		ASSERT_EQ(0, lynx_connect(c[i], LYNX_NODE_LOCAL, PORT_L))
			TH_LOG("connect %d: %s", i, strerror(errno));
	}
	/* One of them has sent data too. */
	ASSERT_EQ(1, send(c[0], "d", 1, 0));
	close(self->l);
	self->l = -1;
	for (i = 0; i < 3; i++) {
		ASSERT_NE(0, wait_err(c[i])) TH_LOG("client %d not told", i);
		errno = 0;
		n = recv(c[i], buf, sizeof(buf), MSG_DONTWAIT);
		EXPECT_EQ(-1, n);
		EXPECT_EQ(ECONNRESET, errno)
			TH_LOG("client %d: recv %d: %s", i, n, strerror(errno));
		close(c[i]);
	}
	/* The port no longer listens. */
	self->c = lynx_socket(variant->type);
	ASSERT_LE(0, self->c);
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->c, LYNX_NODE_LOCAL, PORT_L));
	EXPECT_EQ(ECONNREFUSED, errno);
}

/*
 * Connections racing the listener's close: every client ends (reset,
 * refused, or connected and then reset) within a bound, and the debug
 * kernel's kmemleak scan at the end of the run finds nothing left.  A
 * client still ESTABLISHED (recv() says EAGAIN, nothing pending) has not
 * ended: it waits for its reset, and one that never comes is the leak of
 * a child orphaned in the closed listener's queue.
 */
#define RACE_ROUNDS	30
#define RACE_CLIENTS	8

/*
 * Waits (lynx_ms(stock_ms)) for non-blocking client fd to end after its
 * listener closed; 0 when it did, -1 when it is still established.
 */
static int race_client_ended(int fd, int stock_ms)
{
	short events = POLLIN | POLLOUT;	/* first the connect's result */
	socklen_t len;
	char buf[4];
	int ev, err;
	ssize_t n;

	for (;;) {
		ev = lynx_poll_for(fd, events, stock_ms);
		if (!ev)
			return -1;
		err = 0;
		len = sizeof(err);
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err ||
		    (ev & (POLLERR | POLLHUP)))
			return 0;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return 0;	/* EOF, or its reset */
		/* Connected and quiet: only its end may wake it now. */
		events = POLLIN;
	}
}

TEST_F_TIMEOUT(conn, listener_close_race, 120)
{
	int c[RACE_CLIENTS], r, i;

	for (r = 0; r < RACE_ROUNDS; r++) {
		int l = listener(variant->type, PORT_L + 1, 4);

		ASSERT_LE(0, l) TH_LOG("round %d: listener: %s", r,
				       strerror(errno));
		for (i = 0; i < RACE_CLIENTS; i++) {
			c[i] = socket(lynx_af(), variant->type | SOCK_NONBLOCK,
				      0);
			ASSERT_LE(0, c[i]);
			if (lynx_connect(c[i], LYNX_NODE_LOCAL, PORT_L + 1))
				ASSERT_TRUE(errno == EINPROGRESS ||
					    errno == ECONNREFUSED)
					TH_LOG("connect: %s", strerror(errno));
			if (i == RACE_CLIENTS / 2)
				close(l);	/* in the middle of them */
		}
		for (i = 0; i < RACE_CLIENTS; i++) {
			struct lynx_proc_row row;
			unsigned long ino = lynx_sock_inode(c[i]);

			ASSERT_EQ(0, race_client_ended(c[i], 15000)) {
				if (lynx_proc_find(ino, &row))
					strcpy(row.state, "?");
				TH_LOG("round %d client %d still %s after its listener closed",
				       r, i, row.state);
			}
			close(c[i]);
		}
	}
}

/* ---- scale ----------------------------------------------------------- */

#define NCONC 100

TEST_F_TIMEOUT(conn, concurrent_100, 120)
{
	int c[NCONC], s[NCONC], i, n;
	char out[16], in[16];
	struct rlimit rl;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &rl));
	if (rl.rlim_cur < 2 * NCONC + 16) {
		rl.rlim_cur = 2 * NCONC + 16;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	}
	for (i = 0; i < NCONC; i++)
		c[i] = s[i] = -1;
	for (i = 0; i < NCONC; i++) {
		c[i] = lynx_socket(variant->type);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, lynx_set_timeo(c[i], SO_SNDTIMEO, lynx_ms(5000)));
		ASSERT_EQ(0, lynx_set_timeo(c[i], SO_RCVTIMEO, lynx_ms(5000)));
		ASSERT_EQ(0, lynx_connect(c[i], LYNX_NODE_LOCAL, PORT_L))
			TH_LOG("connect %d: %s", i, strerror(errno));
	}
	for (i = 0; i < NCONC; i++) {
		s[i] = lynx_accept_wait(self->l, 5000, NULL, 0);
		ASSERT_LE(0, s[i]) TH_LOG("accept %d: %s", i, strerror(errno));
	}
	EXPECT_EQ(0, lynx_poll1(self->l, POLLIN, 0) & POLLIN);
	/* All open at once: each client sends, its server end echoes. */
	for (i = 0; i < NCONC; i++) {
		n = snprintf(out, sizeof(out), "conn-%03d", i);
		ASSERT_EQ(n, send(c[i], out, n, 0));
	}
	for (i = 0; i < NCONC; i++) {
		ASSERT_EQ(8, lynx_read_full(s[i], in, 8, 5000))
			TH_LOG("server %d: %s", i, strerror(errno));
		ASSERT_EQ(8, send(s[i], in, 8, 0));
	}
	for (i = 0; i < NCONC; i++) {
		n = snprintf(out, sizeof(out), "conn-%03d", i);
		ASSERT_EQ(n, lynx_read_full(c[i], in, n, 5000))
			TH_LOG("client %d: %s", i, strerror(errno));
		EXPECT_EQ(0, memcmp(in, out, n));
	}
	for (i = 0; i < NCONC; i++) {
		close(c[i]);
		close(s[i]);
	}
}

/* 2000 on the stock kernel, 200 on the debug kernel (lynx_volume()). */
#define NSEQ 2000

TEST_F_TIMEOUT(conn, sequential_2000, 240)
{
	long long t0 = now_ms(), dt;
	int i, n, c, s, nseq = lynx_volume(NSEQ, NSEQ / 10);
	char out[16], in[16];

	for (i = 0; i < nseq; i++) {
		c = lynx_socket(variant->type);
		ASSERT_LE(0, c) TH_LOG("socket %d: %s", i, strerror(errno));
		ASSERT_EQ(0, lynx_set_timeo(c, SO_SNDTIMEO, lynx_ms(5000)));
		ASSERT_EQ(0, lynx_connect(c, LYNX_NODE_LOCAL, PORT_L))
			TH_LOG("connect %d: %s", i, strerror(errno));
		n = snprintf(out, sizeof(out), "seq-%d", i);
		ASSERT_EQ(n, send(c, out, n, 0));
		s = lynx_accept_wait(self->l, 5000, NULL, 0);
		ASSERT_LE(0, s) TH_LOG("accept %d: %s", i, strerror(errno));
		ASSERT_EQ(n, lynx_read_full(s, in, n, 5000))
			TH_LOG("server %d: %s", i, strerror(errno));
		ASSERT_EQ(n, send(s, in, n, 0));
		ASSERT_EQ(n, lynx_read_full(c, in, n, 5000))
			TH_LOG("client %d: %s", i, strerror(errno));
		ASSERT_EQ(0, memcmp(in, out, n));
		close(c);
		close(s);
	}
	dt = now_ms() - t0;
	TH_LOG("%d connections in %lld ms", nseq, dt);
	EXPECT_GT(180000, dt);
}

/* ---- /proc/net/lynx --------------------------------------------------- */

static unsigned long ino_of(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

TEST_F(conn, proc_rows)
{
	struct lynx_proc_row r;
	uint32_t node = lynx_node(), cport;
	const char *tn = type_name(variant->type);

	PAIR();
	cport = lynx_local_port(self->c);
	ASSERT_NE(0, cport);

	ASSERT_EQ(0, lynx_proc_find(ino_of(self->l), &r))
		TH_LOG("no row for the listener");
	EXPECT_STREQ(tn, r.type);
	EXPECT_STREQ("LISTEN", r.state);
	EXPECT_EQ(PORT_L, r.lport);

	ASSERT_EQ(0, lynx_proc_find(ino_of(self->c), &r))
		TH_LOG("no row for the client");
	EXPECT_STREQ(tn, r.type);
	EXPECT_STREQ("CONNECTED", r.state);
	EXPECT_EQ(cport, r.lport);
	EXPECT_TRUE(r.lnode == node || r.lnode == LYNX_NODE_ANY)
		TH_LOG("local node %#x", r.lnode);
	EXPECT_EQ(node, r.pnode);
	EXPECT_EQ(PORT_L, r.pport);
	/* NewReno's initial window (RFC 6928), no threshold before a loss. */
	EXPECT_EQ(10, r.cwnd);
	EXPECT_EQ(0x7fffffff, r.ssthresh);

	ASSERT_EQ(0, lynx_proc_find(ino_of(self->s), &r))
		TH_LOG("no row for the accepted socket");
	EXPECT_STREQ(tn, r.type);
	EXPECT_STREQ("CONNECTED", r.state);
	EXPECT_EQ(PORT_L, r.lport);
	EXPECT_EQ(node, r.pnode);
	EXPECT_EQ(cport, r.pport);

	/* rx_queue of the receiver holds unread data. */
	ASSERT_EQ(100, send(self->c, (char[100]){ 0 }, 100, 0));
	ASSERT_EQ(100, wait_inq(self->s, 100, 10000));
	ASSERT_EQ(0, lynx_proc_find(ino_of(self->s), &r));
	EXPECT_LE(100, r.rxq);
	EXPECT_LE(10, r.cwnd);
	EXPECT_LE(2, r.ssthresh);
}

/*
 * Scale: with 10,000 connections open in the namespace, a new connection
 * and its first round trip cost about what they cost with none (hash
 * tables, not lists).  Two namespaces: "full" holds the 10,000, "empty"
 * none; the probes alternate between them, SCALE_PROBE connects + round
 * trips in each, so that whatever else the machine does at the time
 * falls on both alike (timed one after the other, a starved guest once
 * measured 435 us empty and 11,361 us full, and another 5,330 against
 * 345).  Their lower quartiles compare within SCALE_RATIO_PCT plus
 * SCALE_SLACK_US (lynx_ms() of it on the debug kernel): a starved guest's
 * stall (7 to 50 ms, one probe in ten or more on a make check of eight
 * guests on two CPUs) hits a probe or misses it, and once moved the
 * 612 guest's median 7.6x; a cost per open connection raises every
 * probe, the quickest quarter too.  A list walked per frame costs,
 * with 20,000 sockets, a pointer chase through 10,000 of them on each of
 * a connect's five or so lookups: milliseconds, several times the empty
 * case.  The debug kernel opens 1,000 (lynx_volume()).
 */
#define SCALE_OPEN	10000
#define SCALE_PROBE	201
#define SCALE_RATIO_PCT	200
#define SCALE_SLACK_US	1000

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

FIXTURE(scale)
{
	int l_full, l_empty, ns_full, ns_empty;
};

/* Enters namespace @ns (an open /proc/.../ns/net); 0 or -1. */
static int scale_enter(int ns)
{
	return setns(ns, CLONE_NEWNET);
}

FIXTURE_SETUP(scale)
{
	struct rlimit rl = { 2 * SCALE_OPEN + 256, 2 * SCALE_OPEN + 256 };

	self->l_full = self->l_empty = self->ns_full = self->ns_empty = -1;
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	ASSERT_EQ(0, lynx_new_netns());
	self->ns_full = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->ns_full);
	self->l_full = listener(SOCK_STREAM, PORT_L, 1024);
	ASSERT_LE(0, self->l_full);
	ASSERT_EQ(0, lynx_new_netns());
	self->ns_empty = open("/proc/self/ns/net", O_RDONLY);
	ASSERT_LE(0, self->ns_empty);
	self->l_empty = listener(SOCK_STREAM, PORT_L, 1024);
	ASSERT_LE(0, self->l_empty);
}

FIXTURE_TEARDOWN(scale)
{
	close(self->l_full);
	close(self->l_empty);
	close(self->ns_full);
	close(self->ns_empty);
}

/* One connect + accept + one-byte round trip to @l, in microseconds. */
static long long scale_probe(struct __test_metadata *_metadata, int l)
{
	long long t0, t;
	int c, a;
	char b;

	t0 = now_us();
	if (lynx_stream_pair(SOCK_STREAM, l, PORT_L, &c, &a)) {
		TH_LOG("probe: %s", strerror(errno));
		return -1;
	}
	if (send(c, "p", 1, 0) != 1 || recv(a, &b, 1, 0) != 1) {
		TH_LOG("probe round trip: %s", strerror(errno));
		t = -1;
	} else {
		t = now_us() - t0;
	}
	close(c);
	close(a);
	return t;
}

TEST_F_TIMEOUT(scale, connections_10k, 600)
{
	static long long t_empty[SCALE_PROBE], t_full[SCALE_PROBE];
	static int c[SCALE_OPEN], a[SCALE_OPEN];
	int i, nopen = lynx_volume(SCALE_OPEN, SCALE_OPEN / 10);
	long long base, loaded, bound;

	ASSERT_EQ(0, scale_enter(self->ns_full));
	for (i = 0; i < nopen; i++) {
		c[i] = lynx_socket(SOCK_STREAM);
		ASSERT_LE(0, c[i]);
		ASSERT_EQ(0, lynx_connect(c[i], LYNX_NODE_LOCAL, PORT_L))
			TH_LOG("connection %d: %s", i, strerror(errno));
		a[i] = accept(self->l_full, NULL, NULL);
		ASSERT_LE(0, a[i]) TH_LOG("accept %d: %s", i, strerror(errno));
	}
	/* A first round warms up (slab caches, the fresh namespaces). */
	for (i = -1; i < SCALE_PROBE; i++) {
		long long te, tf;

		ASSERT_EQ(0, scale_enter(self->ns_empty));
		te = scale_probe(_metadata, self->l_empty);
		ASSERT_LE(0, te);
		ASSERT_EQ(0, scale_enter(self->ns_full));
		tf = scale_probe(_metadata, self->l_full);
		ASSERT_LE(0, tf);
		if (i >= 0) {
			t_empty[i] = te;
			t_full[i] = tf;
		}
	}
	qsort(t_empty, SCALE_PROBE, sizeof(t_empty[0]), cmp_ll);
	qsort(t_full, SCALE_PROBE, sizeof(t_full[0]), cmp_ll);
	base = t_empty[SCALE_PROBE / 4];
	loaded = t_full[SCALE_PROBE / 4];
	bound = base * SCALE_RATIO_PCT / 100 + lynx_ms(SCALE_SLACK_US);
	TH_LOG("connect + round trip, lower quartile: %lld us with none open",
	       base);
	TH_LOG("%lld us with %d open (bound %lld us); medians %lld, %lld us",
	       loaded, nopen, bound, t_empty[SCALE_PROBE / 2],
	       t_full[SCALE_PROBE / 2]);
	EXPECT_GE(bound, loaded);
	/*
	 * Abort rather than close in order: one reset per connection instead
	 * of a FIN exchange, then wait for the namespace to go quiet, so the
	 * next test does not run behind 10,000 teardowns.
	 */
	for (i = 0; i < nopen; i++) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(a[i], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		close(a[i]);
		close(c[i]);
	}
	for (i = 0; i < 300; i++) {
		long long before = lynx_stat("frames_in");

		poll(NULL, 0, 100);
		if (lynx_stat("frames_in") == before)
			break;
	}
}

/* ==== stream: SOCK_STREAM only ========================================= */

FIXTURE(stream)
{
	int l, c, s;
};

FIXTURE_SETUP(stream)
{
	self->l = self->c = self->s = -1;
	ASSERT_EQ(0, lynx_new_netns());
	self->l = listener(SOCK_STREAM, PORT_L, 16);
	ASSERT_LE(0, self->l) TH_LOG("listener: %s", strerror(errno));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, self->l, PORT_L, &self->c,
				      &self->s))
		TH_LOG("connect/accept: %s", strerror(errno));
}

FIXTURE_TEARDOWN(stream)
{
	if (self->c >= 0)
		close(self->c);
	if (self->s >= 0)
		close(self->s);
	if (self->l >= 0)
		close(self->l);
}

TEST_F(stream, no_boundaries)
{
	char buf[16];

	ASSERT_EQ(2, send(self->c, "ab", 2, 0));
	ASSERT_EQ(2, send(self->c, "cd", 2, 0));
	ASSERT_EQ(3, send(self->c, "efg", 3, 0));
	ASSERT_EQ(7, wait_inq(self->s, 7, 10000));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(5, recv(self->s, buf, 5, 0));
	EXPECT_STREQ("abcde", buf);
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(2, recv(self->s, buf, sizeof(buf), 0));
	EXPECT_STREQ("fg", buf);
}

TEST_F(stream, rcvlowat)
{
	unsigned char buf[200];
	int lowat = 100;
	struct writer w;

	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	pat_fill(buf, 0, sizeof(buf));
	ASSERT_EQ(50, send(self->c, buf, 50, 0));
	ASSERT_EQ(50, wait_inq(self->s, 50, 10000));
	/* 50 queued, below the mark: no POLLIN. */
	EXPECT_EQ(0, lynx_poll1(self->s, POLLIN, 200) & POLLIN);
	ASSERT_EQ(50, send(self->c, buf + 50, 50, 0));
	EXPECT_NE(0, lynx_poll_for(self->s, POLLIN, 2000) & POLLIN);
	EXPECT_EQ(100, recv(self->s, buf, sizeof(buf), 0));
	EXPECT_EQ(0, pat_bad(buf, 0, 100));

	/* recv waits for the mark: 30 bytes now, 70 more later. */
	ASSERT_EQ(0, lynx_set_timeo(self->s, SO_RCVTIMEO, lynx_ms(10000)));
	pat_fill(buf, 0, 30);
	ASSERT_EQ(30, send(self->c, buf, 30, 0));
	ASSERT_EQ(30, wait_inq(self->s, 30, 10000));
	/* The writer's pattern starts at 0: send the first 30 of it above. */
	ASSERT_EQ(0, writer_start(&w, self->c, 70, 70, 100));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(100, recv(self->s, buf, sizeof(buf), 0))
		TH_LOG("recv: %s", strerror(errno));
	EXPECT_EQ(0, pat_bad(buf, 0, 30));
	EXPECT_EQ(0, pat_bad(buf + 30, 0, 70));
	ASSERT_EQ(0, writer_join(&w, 5000));
}

/*
 * A mark the receive buffer cannot reach: one-byte segments fill its
 * memory long before SO_RCVLOWAT's bytes are queued, and the window
 * closes.  poll() then reports POLLIN anyway, as TCP's does under memory
 * pressure (tcp_epollin_ready()), or reader and sender would wait on each
 * other for ever.
 */
TEST_F_TIMEOUT(stream, rcvlowat_beyond_memory, 60)
{
	int lowat = 1 << 20, sndbuf = 65536;
	size_t sent, got, bad;
	ssize_t n;

	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	/* The sender's buffer set, so that it does not grow with the flow:
	 * the mark is beyond the receiver's memory, not beyond both ends'.
	 */
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	n = send_bytes_until_blocked(self->c);
	ASSERT_LE(0, n) TH_LOG("send: %s", strerror(errno));
	sent = n;
	ASSERT_GT((size_t)lowat, sent);
	EXPECT_NE(0, lynx_poll_for(self->s, POLLIN, 5000) & POLLIN)
		TH_LOG("%zu bytes queued, no POLLIN below SO_RCVLOWAT %d",
		       (size_t)inq(self->s), lowat);
	/* Once memory is free again the mark holds: read the rest without. */
	lowat = 1;
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVLOWAT, &lowat,
				sizeof(lowat)));
	got = read_verify(self->s, sent, 10000, &bad);
	EXPECT_EQ(sent, got);
	EXPECT_EQ(0, bad);
}

/* One send() far larger than SO_SNDBUF: no EMSGSIZE, it all arrives. */
TEST_F_TIMEOUT(stream, large_send_small_sndbuf, 60)
{
	const size_t len = 200 * 1024;
	int sndbuf = 4096;
	size_t bad;
	struct writer w;

	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(20000)));
	ASSERT_EQ(0, writer_start(&w, self->c, len, len, 0));
	EXPECT_EQ(len, read_verify(self->s, len, 5000, &bad));
	EXPECT_EQ(0, bad);
	ASSERT_EQ(0, writer_join(&w, 20000));
	EXPECT_EQ(0, w.err) TH_LOG("send: %s", strerror(w.err));
	EXPECT_EQ(len, w.done);
}

/* A bulk transfer from self->c to self->s: bytes that arrived intact. */
static size_t bulk(struct __test_metadata *_metadata, int c, int s,
		   size_t len)
{
	struct writer w;
	size_t bad;
	ssize_t got;

	if (writer_start(&w, c, len, 65536, 0))
		return 0;
	got = read_verify(s, len, 10000, &bad);
	EXPECT_EQ(0, bad);
	EXPECT_EQ(0, writer_join(&w, 20000));
	EXPECT_EQ(0, w.err) TH_LOG("send: %s", strerror(w.err));
	return got > 0 ? got : 0;
}

/*
 * Buffers follow the flow, as TCP's: a bulk transfer over lynxlo grows
 * the sender's SO_SNDBUF (with its congestion window) and the reader's
 * SO_RCVBUF (with what it reads a round trip) above the defaults, up to
 * 4 and 6 MiB; a size the user set stays as set.
 */
TEST_F_TIMEOUT(stream, buffers_follow_flow, 90)
{
	const size_t len = lynx_volume(8 << 20, 2 << 20);
	int snd0 = sockopt_int(self->c, SO_SNDBUF);
	int rcv0 = sockopt_int(self->s, SO_RCVBUF);
	int v = 100000, snd_set, rcv_set;

	ASSERT_EQ(len, bulk(_metadata, self->c, self->s, len));
	EXPECT_GT(sockopt_int(self->c, SO_SNDBUF), snd0);
	EXPECT_GT(sockopt_int(self->s, SO_RCVBUF), rcv0);
	EXPECT_LE(sockopt_int(self->c, SO_SNDBUF), 4 << 20);
	EXPECT_LE(sockopt_int(self->s, SO_RCVBUF), 6 << 20);
	TH_LOG("SO_SNDBUF %d -> %d, SO_RCVBUF %d -> %d", snd0,
	       sockopt_int(self->c, SO_SNDBUF), rcv0,
	       sockopt_int(self->s, SO_RCVBUF));

	close(self->c);
	close(self->s);
	self->s = -1;
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, self->l, PORT_L, &self->c,
				      &self->s));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	snd_set = sockopt_int(self->c, SO_SNDBUF);
	rcv_set = sockopt_int(self->s, SO_RCVBUF);
	ASSERT_EQ(len, bulk(_metadata, self->c, self->s, len));
	EXPECT_EQ(snd_set, sockopt_int(self->c, SO_SNDBUF));
	EXPECT_EQ(rcv_set, sockopt_int(self->s, SO_RCVBUF));
}

/* ==== seqpacket: SOCK_SEQPACKET only =================================== */

FIXTURE(seqpacket)
{
	int l, c, s;
};

FIXTURE_SETUP(seqpacket)
{
	self->l = self->c = self->s = -1;
	ASSERT_EQ(0, lynx_new_netns());
	self->l = listener(SOCK_SEQPACKET, PORT_L, 16);
	ASSERT_LE(0, self->l) TH_LOG("listener: %s", strerror(errno));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_SEQPACKET, self->l, PORT_L,
				      &self->c, &self->s))
		TH_LOG("connect/accept: %s", strerror(errno));
}

FIXTURE_TEARDOWN(seqpacket)
{
	if (self->c >= 0)
		close(self->c);
	if (self->s >= 0)
		close(self->s);
	if (self->l >= 0)
		close(self->l);
}

/* recvmsg of one message within 2 s; returns its result, sets *flags. */
static ssize_t recv_msg(int fd, void *buf, size_t len, int flags, int *mflags)
{
	struct iovec iov = { buf, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (!(lynx_poll_for(fd, POLLIN, 2000) & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	n = recvmsg(fd, &m, flags | MSG_DONTWAIT);
	*mflags = m.msg_flags;
	return n;
}

TEST_F(seqpacket, boundaries)
{
	static unsigned char out[3000], in[65536];
	size_t sizes[3] = { 10, 3000, 1 };
	int i, fl;

	pat_fill(out, 0, sizeof(out));
	for (i = 0; i < 3; i++)
		ASSERT_EQ(sizes[i], send(self->c, out, sizes[i], 0));
	for (i = 0; i < 3; i++) {
		memset(in, 0, sizes[i]);
		fl = 0;
		EXPECT_EQ(sizes[i], recv_msg(self->s, in, sizeof(in), 0, &fl))
			TH_LOG("message %d: %s", i, strerror(errno));
		EXPECT_NE(0, fl & MSG_EOR) TH_LOG("msg_flags %#x", fl);
		EXPECT_EQ(0, fl & MSG_TRUNC);
		EXPECT_EQ(0, pat_bad(in, 0, sizes[i]));
	}
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, in, sizeof(in), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);
	/* And the other way. */
	ASSERT_EQ(7, send(self->s, "reverse", 7, 0));
	ASSERT_EQ(2, send(self->s, "xy", 2, 0));
	EXPECT_EQ(7, recv_msg(self->c, in, sizeof(in), 0, &fl));
	EXPECT_EQ(2, recv_msg(self->c, in, sizeof(in), 0, &fl));
}

TEST_F(seqpacket, truncation)
{
	char out[100], in[100], next[50];
	int fl = 0;

	memset(out, 'q', sizeof(out));
	memset(next, '.', sizeof(next));
	memcpy(next, "next message", 12);
	ASSERT_EQ(100, send(self->c, out, 100, 0));
	ASSERT_EQ(50, send(self->c, next, 50, 0));
	EXPECT_EQ(10, recv_msg(self->s, in, 10, 0, &fl));
	EXPECT_NE(0, fl & MSG_TRUNC) TH_LOG("msg_flags %#x", fl);
	/* The rest of the message is gone: the next recv is the next one. */
	memset(in, 0, sizeof(in));
	EXPECT_EQ(50, recv_msg(self->s, in, sizeof(in), 0, &fl));
	EXPECT_EQ(0, memcmp(in, "next message", 12));
	EXPECT_EQ(0, fl & MSG_TRUNC);

	/* MSG_TRUNC as a flag: the real length, and consumed. */
	ASSERT_EQ(100, send(self->c, out, 100, 0));
	ASSERT_EQ(3, send(self->c, "end", 3, 0));
	EXPECT_EQ(100, recv_msg(self->s, in, 10, MSG_TRUNC, &fl));
	EXPECT_EQ(3, recv_msg(self->s, in, sizeof(in), 0, &fl));
	/* MSG_PEEK|MSG_TRUNC: the length, not consumed. */
	ASSERT_EQ(100, send(self->c, out, 100, 0));
	EXPECT_EQ(100, recv_msg(self->s, in, 10, MSG_PEEK | MSG_TRUNC, &fl));
	EXPECT_EQ(100, recv_msg(self->s, in, sizeof(in), 0, &fl));
}

TEST_F(seqpacket, emsgsize)
{
	int sndbuf = 8192, eff = 0;
	socklen_t len = sizeof(eff);
	unsigned char *buf;

	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &eff, &len));
	ASSERT_LT(0, eff);
	buf = calloc(1, eff + 1);
	ASSERT_NE(NULL, buf);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, buf, eff + 1, MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, buf, eff + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	/* Nothing of it arrived; a small message still goes through. */
	EXPECT_EQ(0, wait_inq(self->s, 1, 200));
	EXPECT_EQ(1000, send(self->c, buf, 1000, 0));
	EXPECT_EQ(1000, recv(self->s, buf, eff, 0));
	free(buf);
}

/*
 * A message's bound is SO_SNDBUF as the user set it or as it defaulted,
 * whatever the connection carried before (on SEQPACKET the buffer does
 * not grow with the flow as STREAM's does): one byte beyond it is
 * EMSGSIZE after 8 MiB of messages as on a fresh socket.
 */
TEST_F_TIMEOUT(seqpacket, emsgsize_after_flow, 90)
{
	const int n = lynx_volume(128, 32);
	int snd0 = sockopt_int(self->c, SO_SNDBUF), i;
	unsigned char *buf;

	ASSERT_LT(65536, snd0);
	buf = calloc(1, snd0 + 1);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < n; i++) {
		ASSERT_EQ(65536, send(self->c, buf, 65536, 0));
		ASSERT_EQ(65536, recv(self->s, buf, snd0 + 1, 0));
	}
	EXPECT_EQ(snd0, sockopt_int(self->c, SO_SNDBUF));
	errno = 0;
	EXPECT_EQ(-1, send(self->c, buf, snd0 + 1, MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno);
	free(buf);
}

TEST_F_TIMEOUT(seqpacket, large_message, 60)
{
	const size_t len = 200 * 1024;
	int sz = 1 << 20, eff = 0, fl = 0;
	socklen_t olen = sizeof(eff);
	unsigned char *in = malloc(len + 4096);
	struct iovec iov = { in, len + 4096 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct writer w;
	ssize_t n;

	ASSERT_NE(NULL, in);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sz,
				sizeof(sz)));
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &sz,
				sizeof(sz)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &eff, &olen));
	ASSERT_LE(len, (size_t)eff) TH_LOG("SO_SNDBUF %d too small", eff);
	ASSERT_EQ(0, lynx_set_timeo(self->c, SO_SNDTIMEO, lynx_ms(20000)));
	/* One send() of 200 KiB, the reader in parallel. */
	ASSERT_EQ(0, writer_start(&w, self->c, len, len, 0));
	ASSERT_NE(0, lynx_poll_for(self->s, POLLIN, 20000) & POLLIN);
	ASSERT_EQ(0, lynx_set_timeo(self->s, SO_RCVTIMEO, lynx_ms(20000)));
	n = recvmsg(self->s, &m, 0);
	fl = m.msg_flags;
	EXPECT_EQ(len, n) TH_LOG("recvmsg: %s", strerror(errno));
	EXPECT_NE(0, fl & MSG_EOR);
	EXPECT_EQ(0, fl & MSG_TRUNC);
	if (n > 0)
		EXPECT_EQ(0, pat_bad(in, 0, n));
	ASSERT_EQ(0, writer_join(&w, 20000));
	EXPECT_EQ(0, w.err) TH_LOG("send: %s", strerror(w.err));
	EXPECT_EQ(len, w.done);
	free(in);
}

/* ==== misc: no listener ================================================ */

FIXTURE(misc)
{
	int unused;
};

FIXTURE_SETUP(misc)
{
	ASSERT_EQ(0, lynx_new_netns());
}

FIXTURE_TEARDOWN(misc)
{
}

/* One byte from c to a, and its acknowledgment back (SIOCOUTQ empty). */
static int one_byte_acked(int c, int a)
{
	int i, out = 1;
	char b;

	if (send(c, "x", 1, 0) != 1 || recv(a, &b, 1, 0) != 1)
		return -1;
	for (i = 0; i < 200 && out; i++) {
		if (ioctl(c, SIOCOUTQ, &out))
			return -1;
		if (out)
			poll(NULL, 0, lynx_ms(50));
	}
	return out ? -1 : 0;
}

/* A listener *l and a connection from *c to it over lynxlo delayed by
 * netem 250 ms each way (a 500 ms round trip, longer than the initial
 * timeout), accepted as *a, and three bytes sent and acknowledged on it.
 * Connected without blocking, c is left as such a connect leaves it
 * (connect() not called again: SS_CONNECTING).
 */
static int long_path_pair(int *l, int *c, int *a, bool nonblock)
{
	int i;

	*l = lynx_socket(SOCK_STREAM);
	if (*l < 0 || lynx_bind(*l, LYNX_NODE_ANY, 7400) || listen(*l, 4))
		return -1;
	if (lynx_sh("tc qdisc add dev lynxlo root netem delay 250ms"))
		return -1;
	*c = lynx_socket(SOCK_STREAM);
	if (*c < 0)
		return -1;
	if (nonblock) {
		if (fcntl(*c, F_SETFL, O_NONBLOCK) ||
		    !lynx_connect(*c, LYNX_NODE_LOCAL, 7400) ||
		    errno != EINPROGRESS ||
		    !(lynx_poll1(*c, POLLOUT, lynx_ms(10000)) & POLLOUT) ||
		    fcntl(*c, F_SETFL, 0))
			return -1;
	} else if (lynx_connect(*c, LYNX_NODE_LOCAL, 7400)) {
		return -1;
	}
	*a = accept(*l, NULL, NULL);
	if (*a < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (one_byte_acked(*c, *a))
			return -1;
	return 0;
}

/*
 * A round trip longer than the timeout: every first transmission times
 * out (the SYN's at 200 ms included) and its acknowledgment then covers a
 * resent segment, which is no sample (Karn).  The backed-off timeout must
 * stay until a sample comes (RFC 6298 5.7, as TCP's icsk_backoff):
 * dropping back to the base on every acknowledgment resent every segment
 * and never measured the path.
 */
TEST_F_TIMEOUT(misc, long_path_rtt, 90)
{
	struct lynx_proc_row row;
	unsigned int retrans;
	int l = -1, c = -1, a = -1, i;

	ASSERT_EQ(0, long_path_pair(&l, &c, &a, false));
	ASSERT_EQ(0, lynx_proc_find(ino_of(c), &row));
	retrans = row.retrans;
	TH_LOG("after 3: srtt %u us, %u resent", row.srtt_us, retrans);
	EXPECT_LE(400000, row.srtt_us);
	/* Measured: no more resends. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, one_byte_acked(c, a));
	ASSERT_EQ(0, lynx_proc_find(ino_of(c), &row));
	EXPECT_EQ(retrans, row.retrans);
	ASSERT_EQ(0, lynx_sh("tc qdisc del dev lynxlo root"));
	close(a);
	close(c);
	close(l);
}

/*
 * A socket that connects again after its connection ended (a non-blocking
 * connect whose connection was reset) starts its round-trip estimate
 * afresh, as tcp_disconnect() clears TCP's: the first path's 500 ms round
 * trip must not weigh on the next one's (SRTT keeps 7/8 of it at each
 * sample: about 440 ms after the second handshake, not its own).
 */
TEST_F_TIMEOUT(misc, reconnect_forgets_rtt, 90)
{
	struct linger lin = { .l_onoff = 1, .l_linger = 0 };
	struct lynx_proc_row row;
	int l = -1, c = -1, a = -1;

	ASSERT_EQ(0, long_path_pair(&l, &c, &a, true));
	ASSERT_EQ(0, lynx_proc_find(ino_of(c), &row));
	ASSERT_LE(400000, row.srtt_us);
	ASSERT_EQ(0, setsockopt(a, SOL_SOCKET, SO_LINGER, &lin, sizeof(lin)));
	close(a);			/* a reset, 250 ms on its way */
	ASSERT_NE(0, lynx_poll1(c, POLLERR, lynx_ms(10000)) & POLLERR);
	ASSERT_EQ(0, lynx_sh("tc qdisc del dev lynxlo root"));
	/* connect() reports how the last one ended, then starts anew. */
	EXPECT_EQ(-1, lynx_connect(c, LYNX_NODE_LOCAL, 7400));
	EXPECT_EQ(ECONNRESET, errno);
	ASSERT_EQ(0, lynx_connect(c, LYNX_NODE_LOCAL, 7400))
		TH_LOG("connect again: %s", strerror(errno));
	ASSERT_EQ(0, lynx_proc_find(ino_of(c), &row));
	EXPECT_GT(200000, row.srtt_us) TH_LOG("srtt %u us", row.srtt_us);
	close(c);
	close(l);
}

TEST_F(misc, listen_dgram_eopnotsupp)
{
	int fd = lynx_socket(SOCK_DGRAM);

	ASSERT_LE(0, fd);
	errno = 0;
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	ASSERT_EQ(0, lynx_bind(fd, LYNX_NODE_ANY, PORT_X));
	errno = 0;
	EXPECT_EQ(-1, listen(fd, 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	errno = 0;
	EXPECT_EQ(-1, accept(fd, NULL, NULL));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
}

struct dead_connect {
	pthread_t th;
	int type;
	int fd;
	int err;
	long long ms;
};

static void *dead_connect_fn(void *arg)
{
	struct dead_connect *d = arg;
	long long t0 = now_ms();

	if (lynx_connect(d->fd, NODE_DEAD, PORT_L))
		d->err = errno;
	d->ms = now_ms() - t0;
	return NULL;
}

/*
 * When a connect to a node that never answers gives up: the SYN goes out
 * at 0 and is retransmitted LYNX_SYN_RETRIES (6) times, after timeouts
 * from LYNX_RTO_INIT (200 ms) doubling up to LYNX_RTO_MAX (2 s); the last
 * one's timeout ends it: 0.2 + 0.4 + 0.8 + 1.6 + 2 + 2 + 2 s (README:
 * "about 10 s").  Timers never fire early; late by at most the margin,
 * SYN_MARGIN_MS on the stock kernel, lynx_ms() of it on the debug, plus
 * however late the same seven timeouts slept one after the other in a
 * thread of ours at the same time came back: a guest starved of host
 * CPU (a make check of nine guests on two CPUs) fires every timer late,
 * and took 18.6 s once; one more retransmission would still take 2 s
 * more than that chain.
 */
#define SYN_GIVEUP_MS		9000
#define SYN_MARGIN_MS		1500

/* The SYN's timeouts, slept one after the other: their lateness, in ms. */
static void *syn_chain_fn(void *arg)
{
	static const int rto_ms[] = { 200, 400, 800, 1600, 2000, 2000, 2000 };
	long long *late = arg, t0 = now_ms(), sum = 0;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rto_ms); i++) {
		poll(NULL, 0, rto_ms[i]);
		sum += rto_ms[i];
	}
	*late = now_ms() - t0 - sum;
	if (*late < 0)
		*late = 0;
	return NULL;
}

/*
 * Connecting to a node that never answers times out: a blocking connect
 * (STREAM and SEQPACKET, in parallel) fails with ETIMEDOUT and a
 * non-blocking one reports ETIMEDOUT through SO_ERROR, after
 * SYN_GIVEUP_MS and within its margin.
 */
TEST_F_TIMEOUT(misc, connect_etimedout, 40)
{
	struct dead_connect d[2] = {
		{ .type = SOCK_STREAM }, { .type = SOCK_SEQPACKET },
	};
	long long t0, dt, hi = SYN_GIVEUP_MS + lynx_ms(SYN_MARGIN_MS), late = 0;
	struct timespec ts;
	pthread_t chain;
	int nb, i, ev;

	ASSERT_EQ(0, lynx_sh("ip link add x0 up type lynx"));
	ASSERT_EQ(0, pthread_create(&chain, NULL, syn_chain_fn, &late));
	for (i = 0; i < 2; i++) {
		d[i].fd = lynx_socket(d[i].type);
		ASSERT_LE(0, d[i].fd);
		d[i].err = -1;
		ASSERT_EQ(0, pthread_create(&d[i].th, NULL, dead_connect_fn,
					    &d[i]));
	}
	nb = socket(lynx_af(), SOCK_STREAM | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, nb);
	t0 = now_ms();
	errno = 0;
	ASSERT_EQ(-1, lynx_connect(nb, NODE_DEAD, PORT_L));
	ASSERT_EQ(EINPROGRESS, errno);
	ev = lynx_poll1(nb, POLLOUT, 4 * hi);
	dt = now_ms() - t0;
	ASSERT_EQ(0, pthread_join(chain, NULL));
	TH_LOG("the same timeouts slept in a thread: %lld ms late", late);
	hi += late;
	EXPECT_NE(0, ev & (POLLERR | POLLOUT)) TH_LOG("no result in %lld ms", dt);
	EXPECT_EQ(ETIMEDOUT, sock_error(nb));
	EXPECT_LE(SYN_GIVEUP_MS - 50, dt);
	EXPECT_GE(hi, dt);
	TH_LOG("non-blocking connect: %lld ms (%d..%lld expected)", dt,
	       SYN_GIVEUP_MS, hi);
	close(nb);

	for (i = 0; i < 2; i++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += lynx_ms(SYN_MARGIN_MS) / 1000 + 1;
		ASSERT_EQ(0, pthread_timedjoin_np(d[i].th, NULL, &ts))
			TH_LOG("%s connect still blocked", type_name(d[i].type));
		TH_LOG("%s blocking connect: %s after %lld ms",
		       type_name(d[i].type), strerror(d[i].err), d[i].ms);
		EXPECT_EQ(ETIMEDOUT, d[i].err);
		EXPECT_LE(SYN_GIVEUP_MS - 50, d[i].ms);
		EXPECT_GE(hi, d[i].ms);
		close(d[i].fd);
	}
}

/* ==== added: SEQPACKET message sizes, shutdown in SYN_SENT ============== */

/*
 * A message larger than the receiver's SO_RCVBUF (but within the sender's
 * SO_SNDBUF, as AF_UNIX SEQPACKET allows) arrives whole: until it is
 * whole, the reader could free nothing, so the message being assembled
 * may exceed the buffer (as TCP always takes a segment into an empty
 * receive queue).  The connection goes on afterwards, both ways.
 */
TEST_F_TIMEOUT(seqpacket, message_beyond_rcvbuf, 90)
{
	const size_t len = 200 * 1024;
	int sndbuf = 1 << 20, rcvbuf = 4096, eff = 0, fl = 0;
	socklen_t olen = sizeof(eff);
	unsigned char *buf = malloc(len + 1);
	char small[8];
	ssize_t n;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &eff, &olen));
	ASSERT_LE(len, (size_t)eff) TH_LOG("SO_SNDBUF %d too small", eff);
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
				sizeof(rcvbuf)));
	ASSERT_EQ(0, getsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &eff, &olen));
	ASSERT_GT(len / 4, (size_t)eff) TH_LOG("SO_RCVBUF %d", eff);

	pat_fill(buf, 0, len);
	ASSERT_EQ(len, send(self->c, buf, len, MSG_DONTWAIT))
		TH_LOG("send: %s", strerror(errno));
	memset(buf, 0, len);
	ASSERT_NE(0, lynx_poll1(self->s, POLLIN, 30000) & POLLIN)
		TH_LOG("no whole message in 30 s");
	fl = 0;
	n = recv_msg(self->s, buf, len + 1, 0, &fl);
	EXPECT_EQ(len, n) TH_LOG("recvmsg: %s", strerror(errno));
	EXPECT_NE(0, fl & MSG_EOR);
	EXPECT_EQ(0, fl & MSG_TRUNC);
	if (n > 0)
		EXPECT_EQ(0, pat_bad(buf, 0, n));

	ASSERT_EQ(4, send(self->c, "next", 4, 0));
	EXPECT_EQ(4, recv_msg(self->s, small, sizeof(small), 0, &fl))
		TH_LOG("recvmsg: %s", strerror(errno));
	ASSERT_EQ(4, send(self->s, "back", 4, 0));
	EXPECT_EQ(4, recv_msg(self->c, small, sizeof(small), 0, &fl))
		TH_LOG("recvmsg: %s", strerror(errno));
	free(buf);
}

/*
 * The receiver lets a message being assembled exceed SO_RCVBUF only up to
 * the largest receive buffer (6 MiB, see README): a message that could not
 * fit even so gets EMSGSIZE at send(), however large SO_SNDBUF, instead of
 * stalling the connection; a large one below that limit arrives whole.
 */
TEST_F_TIMEOUT(seqpacket, emsgsize_beyond_receivable, 120)
{
	const size_t big = 2 << 20, ok = 1 << 20;
	int sndbuf = 8 << 20, eff = 0, fl = 0;
	socklen_t olen = sizeof(eff);
	unsigned char *buf = malloc(big);
	ssize_t n;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf,
				sizeof(sndbuf)));
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_SNDBUF, &eff, &olen));
	ASSERT_LE(big, (size_t)eff) TH_LOG("SO_SNDBUF %d", eff);

	pat_fill(buf, 0, big);
	errno = 0;
	EXPECT_EQ(-1, send(self->c, buf, big, MSG_DONTWAIT));
	EXPECT_EQ(EMSGSIZE, errno) TH_LOG("send: %s", strerror(errno));
	EXPECT_EQ(0, wait_inq(self->s, 1, 200));

	ASSERT_EQ(ok, send(self->c, buf, ok, MSG_DONTWAIT))
		TH_LOG("send: %s", strerror(errno));
	memset(buf, 0, ok);
	ASSERT_NE(0, lynx_poll1(self->s, POLLIN, 60000) & POLLIN);
	n = recv_msg(self->s, buf, big, 0, &fl);
	EXPECT_EQ(ok, n) TH_LOG("recvmsg: %s", strerror(errno));
	if (n > 0)
		EXPECT_EQ(0, pat_bad(buf, 0, n));
	free(buf);
}

/*
 * A zero-length message is a message, as on AF_UNIX SEQPACKET: it arrives
 * in its place, poll() shows it, recvmsg() returns 0 with MSG_EOR (the end
 * of the connection returns 0 without MSG_EOR), and the sender frees it
 * once acknowledged: a thousand in a row never fill its buffer.
 */
TEST_F_TIMEOUT(seqpacket, empty_messages, 120)
{
	int i, fl, n = lynx_volume(1000, 1000);
	char in[16];

	ASSERT_EQ(1, send(self->c, "a", 1, 0));
	ASSERT_EQ(0, send(self->c, "", 0, 0));
	ASSERT_EQ(1, send(self->c, "b", 1, 0));
	fl = 0;
	in[0] = 0;
	EXPECT_EQ(1, recv_msg(self->s, in, sizeof(in), 0, &fl));
	EXPECT_EQ('a', in[0]);
	fl = 0;
	EXPECT_EQ(0, recv_msg(self->s, in, sizeof(in), 0, &fl))
		TH_LOG("empty message: %s", strerror(errno));
	EXPECT_NE(0, fl & MSG_EOR) TH_LOG("msg_flags %#x", fl);
	fl = 0;
	in[0] = 0;
	EXPECT_EQ(1, recv_msg(self->s, in, sizeof(in), 0, &fl));
	EXPECT_EQ('b', in[0]);

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, send(self->c, NULL, 0, MSG_DONTWAIT))
			TH_LOG("send %d: %s", i, strerror(errno));
		fl = 0;
		ASSERT_EQ(0, recv_msg(self->s, in, sizeof(in), 0, &fl))
			TH_LOG("message %d: %s", i, strerror(errno));
		ASSERT_NE(0, fl & MSG_EOR) TH_LOG("message %d", i);
	}
	errno = 0;
	EXPECT_EQ(-1, recv(self->s, in, sizeof(in), MSG_DONTWAIT));
	EXPECT_EQ(EAGAIN, errno);

	/* The end of the connection: 0, without MSG_EOR. */
	ASSERT_EQ(0, shutdown(self->c, SHUT_WR));
	fl = 0;
	EXPECT_EQ(0, recv_msg(self->s, in, sizeof(in), 0, &fl));
	EXPECT_EQ(0, fl & MSG_EOR) TH_LOG("msg_flags %#x", fl);
}

/*
 * shutdown() while the handshake is still on (SYN_SENT) ends it, as TCP
 * does (inet_shutdown -> tcp_disconnect, for any how): shutdown() returns
 * 0, the socket is closed with ECONNRESET (a blocked connect() returns
 * it), no SYN is retried, and the socket may connect again.
 */
TEST_F_TIMEOUT(misc, shutdown_syn_sent, 60)
{
	static const int types[2] = { SOCK_STREAM, SOCK_SEQPACKET };
	static const int hows[3] = { SHUT_RD, SHUT_WR, SHUT_RDWR };
	struct lynx_proc_row row;
	struct dead_connect d;
	struct timespec ts;
	int t, h, fd, l, s, ev;

	ASSERT_EQ(0, lynx_sh("ip link add x0 up type lynx"));
	for (t = 0; t < 2; t++) {
		l = listener(types[t], PORT_X, 4);
		ASSERT_LE(0, l);
		for (h = 0; h < 3; h++) {
			fd = socket(lynx_af(), types[t] | SOCK_NONBLOCK, 0);
			ASSERT_LE(0, fd);
			errno = 0;
			ASSERT_EQ(-1, lynx_connect(fd, NODE_DEAD, PORT_L));
			ASSERT_EQ(EINPROGRESS, errno);
			ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(fd), &row));
			ASSERT_STREQ("SYN_SENT", row.state);

			EXPECT_EQ(0, shutdown(fd, hows[h]))
				TH_LOG("%s shutdown(%d): %s",
				       type_name(types[t]), hows[h],
				       strerror(errno));
			ev = lynx_poll1(fd, POLLOUT, 1000);
			EXPECT_NE(0, ev & POLLHUP) TH_LOG("revents %#x", ev);
			EXPECT_EQ(ECONNRESET, sock_error(fd));
			ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(fd), &row));
			/* Closed, still bound: /proc says BOUND. */
			EXPECT_STREQ("BOUND", row.state)
				TH_LOG("%s shutdown(%d)", type_name(types[t]),
				       hows[h]);

			/* It may connect again, here to a listener. */
			errno = 0;
			ev = lynx_connect(fd, LYNX_NODE_LOCAL, PORT_X);
			EXPECT_TRUE(ev == 0 || errno == EINPROGRESS)
				TH_LOG("connect again: %s", strerror(errno));
			ev = lynx_poll1(fd, POLLOUT, 10000);
			EXPECT_NE(0, ev & POLLOUT) TH_LOG("revents %#x", ev);
			EXPECT_EQ(0, sock_error(fd));
			s = lynx_accept_wait(l, 10000, NULL, 0);
			EXPECT_LE(0, s);
			if (s >= 0)
				close(s);
			close(fd);
		}
		close(l);

		/* A connect() blocked in another thread returns ECONNRESET. */
		memset(&d, 0, sizeof(d));
		d.type = types[t];
		d.err = -1;
		d.fd = lynx_socket(types[t]);
		ASSERT_LE(0, d.fd);
		ASSERT_EQ(0, pthread_create(&d.th, NULL, dead_connect_fn, &d));
		for (h = 0; h < 1000; h++) {
			if (!lynx_proc_find(lynx_sock_inode(d.fd), &row) &&
			    !strcmp(row.state, "SYN_SENT"))
				break;
			poll(NULL, 0, 10);
		}
		ASSERT_STREQ("SYN_SENT", row.state);
		EXPECT_EQ(0, shutdown(d.fd, SHUT_WR));
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 5;
		ASSERT_EQ(0, pthread_timedjoin_np(d.th, NULL, &ts))
			TH_LOG("%s connect still blocked", type_name(types[t]));
		EXPECT_EQ(ECONNRESET, d.err) TH_LOG("connect: %s",
						    strerror(d.err));
		close(d.fd);
	}
}

TEST_HARNESS_MAIN
