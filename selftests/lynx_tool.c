// SPDX-License-Identifier: GPL-2.0
/*
 * lynx_tool: a small lynx datagram CLI for the shell selftests (a helper,
 * not a test; selftests/run does not run it on its own).
 *
 *   lynx_tool -N NETNS CMD ...
 *	run CMD in the network namespace NETNS (/run/netns/NETNS, as made
 *	by "ip netns add"): a lighter "ip netns exec", which also builds a
 *	mount namespace with its own /sys, several times the cost of the
 *	command itself on the debug kernel
 *   lynx_tool exec PROG [ARGS...]
 *	execute PROG (with -N: a program in that namespace)
 *   lynx_tool node
 *	print this namespace's node id (decimal)
 *   lynx_tool slowdown
 *	print lynx_slowdown() (lynx_util.h): the factor the debug kernel
 *	scales waits and time limits by, for the shell side
 *   lynx_tool send [-s SIZE] [-c COUNT] [-p SRCPORT] NODE PORT [MSG]
 *	send COUNT datagrams (MSG, or SIZE bytes of 'x'); NODE is a number
 *	(decimal or 0x hex) or "local"; prints "sent N" or "error ENAME";
 *	exits 0 only if every datagram was sent
 *   lynx_tool recv [-t TIMEOUT_MS] PORT [COUNT]
 *	bind PORT, print "ready", then print "from NODE(%08x):PORT len N DATA"
 *	per datagram; exits 0 after COUNT (default 1) datagrams, 2 on timeout
 *   lynx_tool flood [-s SIZE] [-u] NODE PORT COUNT
 *	send COUNT datagrams ignoring errors; prints "first" once the first
 *	one was sent, and at the end "sent S failed F lasterr ENAME"; with
 *	-u it stops at the first ENETUNREACH (no device leads to NODE any
 *	more) after one was sent; exits 0 if any was sent, else 1
 *   lynx_tool hold PORT
 *	bind a datagram socket to PORT (and open a stream and a seqpacket
 *	socket), print "ready", then wait to be killed
 *   lynx_tool stream-send [-t TIMEOUT_MS] NODE PORT
 *	connect a SOCK_STREAM socket, copy stdin to it until EOF,
 *	shutdown(SHUT_WR), wait for the peer's EOF; exits 0.  Status lines
 *	go to stderr: "connected", "sent N", or "error ENAME" (exit 1) or
 *	"timeout" (exit 2: no progress for TIMEOUT_MS; default: wait forever)
 *   lynx_tool stream-recv [-t TIMEOUT_MS] [-k KEEPALIVE_MS] PORT
 *	listen on PORT, accept one connection, copy it to stdout until EOF,
 *	close; exits 0.  Status lines go to stderr: "ready", "accepted
 *	NODE:PORT", "received N", or "error ENAME" (exit 1) or "timeout"
 *	(exit 2: nothing for TIMEOUT_MS; default: wait forever).  With -k,
 *	also sends the peer one byte every KEEPALIVE_MS, so that a dead
 *	peer shows as a send timeout (a reader alone, as in TCP, never
 *	notices one)
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

/* A helper, not a kselftest_harness program. */
#define LYNX_UTIL_NO_HARNESS
#include "lynx_util.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: lynx_tool [-N NETNS] CMD ...\n"
		"       lynx_tool node\n"
		"       lynx_tool send [-s SIZE] [-c COUNT] [-p SRCPORT] NODE PORT [MSG]\n"
		"       lynx_tool recv [-t TIMEOUT_MS] PORT [COUNT]\n"
		"       lynx_tool flood [-s SIZE] NODE PORT COUNT\n"
		"       lynx_tool hold PORT\n"
		"       lynx_tool stream-send [-t TIMEOUT_MS] NODE PORT\n"
		"       lynx_tool stream-recv [-t TIMEOUT_MS] [-k KEEPALIVE_MS] PORT\n"
		"       lynx_tool exec PROG [ARGS...]\n");
	exit(64);
}

/* Joins the network namespace "ip netns add NAME" made. */
static void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		fprintf(stderr, "lynx_tool: netns %s: %s\n", name,
			strerror(errno));
		exit(1);
	}
	close(fd);
}

static uint32_t parse_node(const char *s)
{
	if (!strcmp(s, "local"))
		return LYNX_NODE_LOCAL;
	if (!strcmp(s, "any"))
		return LYNX_NODE_ANY;
	return (uint32_t)strtoul(s, NULL, 0);
}

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);

	return n ? n : "E?";
}

static int dgram_socket(void)
{
	int fd = lynx_socket(SOCK_DGRAM);

	if (fd < 0) {
		printf("error %s\n", ename(errno));
		exit(1);
	}
	return fd;
}

/* ---- streams: data on stdin/stdout, status on stderr ---------------- */

static int stream_fail(const char *what, int err)
{
	fprintf(stderr, "error %s (%s)\n", ename(err), what);
	return 1;
}

/* Waits for events on fd; 0 when they came, 2 after timeout_ms. */
static int stream_wait(int fd, short events, long timeout_ms)
{
	if (lynx_poll1(fd, events, timeout_ms < 0 ? -1 : (int)timeout_ms))
		return 0;
	fprintf(stderr, "timeout\n");
	return 2;
}

static int stream_send(uint32_t node, uint32_t port, long timeout_ms)
{
	static char buf[65536];
	unsigned long long total = 0;
	ssize_t n, w, off;
	int fd, rc;

	signal(SIGPIPE, SIG_IGN);
	fd = lynx_socket(SOCK_STREAM);
	if (fd < 0)
		return stream_fail("socket", errno);
	if (timeout_ms > 0)
		lynx_set_timeo(fd, SO_SNDTIMEO, timeout_ms);
	if (lynx_connect(fd, node, port))
		return stream_fail("connect", errno);
	fprintf(stderr, "connected\n");
	for (;;) {
		n = read(0, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return stream_fail("read stdin", errno);
		}
		if (n == 0)
			break;
		for (off = 0; off < n; ) {
			w = send(fd, buf + off, n - off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN)
					return stream_fail("send", errno);
				rc = stream_wait(fd, POLLOUT, timeout_ms);
				if (rc)
					return rc;
				continue;
			}
			off += w;
			total += w;
		}
	}
	if (shutdown(fd, SHUT_WR))
		return stream_fail("shutdown", errno);
	/* The peer's EOF: it has everything. */
	for (;;) {
		rc = stream_wait(fd, POLLIN, timeout_ms);
		if (rc)
			return rc;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return stream_fail("recv", errno);
		}
		if (n == 0)
			break;
	}
	close(fd);
	fprintf(stderr, "sent %llu\n", total);
	return 0;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int stream_recv(uint32_t port, long timeout_ms, long keepalive_ms)
{
	static char buf[65536];
	unsigned long long total = 0;
	struct sockaddr_lynx from;
	socklen_t alen = sizeof(from);
	long long last, next_ka = 0, now;
	ssize_t n, w, off;
	int l, fd, rc, wait;

	signal(SIGPIPE, SIG_IGN);
	l = lynx_socket(SOCK_STREAM);
	if (l < 0)
		return stream_fail("socket", errno);
	if (lynx_bind(l, LYNX_NODE_ANY, port))
		return stream_fail("bind", errno);
	if (listen(l, 1))
		return stream_fail("listen", errno);
	fprintf(stderr, "ready\n");
	rc = stream_wait(l, POLLIN, timeout_ms);
	if (rc)
		return rc;
	fd = accept(l, (struct sockaddr *)&from, &alen);
	if (fd < 0)
		return stream_fail("accept", errno);
	close(l);
	fprintf(stderr, "accepted %u:%u\n", from.slx_node, from.slx_port);
	last = mono_ms();
	if (keepalive_ms > 0)
		next_ka = last + keepalive_ms;
	for (;;) {
		now = mono_ms();
		if (keepalive_ms > 0 && now >= next_ka) {
			if (send(fd, "k", 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 &&
			    errno != EAGAIN && errno != EINTR)
				return stream_fail("send keepalive", errno);
			next_ka = now + keepalive_ms;
		}
		if (timeout_ms >= 0 && now - last >= timeout_ms) {
			fprintf(stderr, "timeout\n");
			return 2;
		}
		wait = -1;
		if (timeout_ms >= 0)
			wait = timeout_ms - (now - last);
		if (keepalive_ms > 0 && (wait < 0 || next_ka - now < wait))
			wait = next_ka - now;
		if (!(lynx_poll1(fd, POLLIN, wait) &
		      (POLLIN | POLLERR | POLLHUP)))
			continue;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return stream_fail("recv", errno);
		}
		if (n == 0)
			break;
		last = mono_ms();
		for (off = 0; off < n; off += w) {
			w = write(1, buf + off, n - off);
			if (w < 0) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return stream_fail("write stdout", errno);
			}
		}
		total += n;
	}
	close(fd);
	fprintf(stderr, "received %llu\n", total);
	return 0;
}

int main(int argc, char **argv)
{
	size_t size = 0;
	long count = 1, timeout = 5000;
	uint32_t srcport = 0;
	const char *cmd;
	int opt, fd;
	bool have_timeout = false, until_unreach = false;
	long keepalive = 0;

	if (argc >= 3 && !strcmp(argv[1], "-N")) {
		enter_netns(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	if (!strcmp(cmd, "exec")) {
		if (argc < 2)
			usage();
		execvp(argv[1], argv + 1);
		fprintf(stderr, "lynx_tool: %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	while ((opt = getopt(argc, argv, "s:c:p:t:k:u")) != -1) {
		switch (opt) {
		case 'u': until_unreach = true; break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtol(optarg, NULL, 0); break;
		case 'p': srcport = strtoul(optarg, NULL, 0); break;
		case 't':
			timeout = strtol(optarg, NULL, 0);
			have_timeout = true;
			break;
		case 'k': keepalive = strtol(optarg, NULL, 0); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (!strcmp(cmd, "slowdown")) {
		printf("%d\n", lynx_slowdown());
		return 0;
	}

	if (!strcmp(cmd, "node")) {
		uint32_t n = lynx_node();

		if (!n)
			return 1;
		printf("%u\n", n);
		return 0;
	}

	if (!strcmp(cmd, "send") || !strcmp(cmd, "flood")) {
		bool flood = !strcmp(cmd, "flood");
		uint32_t node, port;
		const char *msg = NULL;
		char *buf;
		long i, sent = 0, failed = 0;
		int lasterr = 0;

		if (argc < 2 || (flood && argc < 3))
			usage();
		node = parse_node(argv[0]);
		port = strtoul(argv[1], NULL, 0);
		if (flood)
			count = strtol(argv[2], NULL, 0);
		else if (argc > 2)
			msg = argv[2];
		if (msg && !size)
			size = strlen(msg);
		buf = malloc(size + 1);
		if (!buf)
			return 1;
		memset(buf, 'x', size);
		if (msg)
			memcpy(buf, msg, size < strlen(msg) ? size : strlen(msg));
		fd = dgram_socket();
		if (srcport && lynx_bind(fd, LYNX_NODE_ANY, srcport)) {
			printf("error %s\n", ename(errno));
			return 1;
		}
		for (i = 0; i < count; i++) {
			if (lynx_sendto(fd, buf, size, 0, node, port) ==
			    (ssize_t)size) {
				if (flood && !sent)
					printf("first\n");
				sent++;
			} else {
				failed++;
				lasterr = errno;
				if (!flood || (until_unreach && sent &&
					       errno == ENETUNREACH))
					break;
			}
		}
		if (flood) {
			printf("sent %ld failed %ld lasterr %s\n", sent, failed,
			       lasterr ? ename(lasterr) : "0");
			return sent ? 0 : 1;
		}
		if (failed) {
			printf("error %s\n", ename(lasterr));
			return 1;
		}
		printf("sent %ld\n", sent);
		return 0;
	}

	if (!strcmp(cmd, "recv")) {
		static char buf[65536];
		struct sockaddr_lynx from;
		socklen_t alen;
		long got = 0;
		ssize_t n;

		if (argc < 1)
			usage();
		if (argc > 1)
			count = strtol(argv[1], NULL, 0);
		fd = dgram_socket();
		if (lynx_bind(fd, LYNX_NODE_ANY, strtoul(argv[0], NULL, 0))) {
			printf("error %s\n", ename(errno));
			return 1;
		}
		printf("ready\n");
		while (got < count) {
			if (!(lynx_poll1(fd, POLLIN, timeout) & POLLIN)) {
				printf("timeout after %ld\n", got);
				return 2;
			}
			alen = sizeof(from);
			n = recvfrom(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT,
				     (struct sockaddr *)&from, &alen);
			if (n < 0) {
				printf("error %s\n", ename(errno));
				return 1;
			}
			buf[n] = '\0';
			printf("from %u(%08x):%u len %zd %.64s\n", from.slx_node,
			       from.slx_node, from.slx_port, n, buf);
			got++;
		}
		return 0;
	}

	if (!strcmp(cmd, "stream-send")) {
		if (argc < 2)
			usage();
		return stream_send(parse_node(argv[0]),
				   strtoul(argv[1], NULL, 0),
				   have_timeout ? timeout : -1);
	}

	if (!strcmp(cmd, "stream-recv")) {
		if (argc < 1)
			usage();
		return stream_recv(strtoul(argv[0], NULL, 0),
				   have_timeout ? timeout : -1, keepalive);
	}

	if (!strcmp(cmd, "hold")) {
		int s1, s2;

		if (argc < 1)
			usage();
		fd = dgram_socket();
		if (lynx_bind(fd, LYNX_NODE_ANY, strtoul(argv[0], NULL, 0))) {
			printf("error %s\n", ename(errno));
			return 1;
		}
		s1 = lynx_socket(SOCK_STREAM);
		s2 = lynx_socket(SOCK_SEQPACKET);
		/* Something queued, to be freed with the namespace. */
		lynx_sendto(fd, "queued", 6, 0, LYNX_NODE_LOCAL,
			    strtoul(argv[0], NULL, 0));
		printf("ready\n");
		for (;;)
			pause();
		close(s1);
		close(s2);
	}
	usage();
	return 64;
}
