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
 *   lynx_tool cat FILE
 *	copy FILE to standard output: with -N, one of that namespace's
 *	/proc/net files, without a second program to start
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
 *   lynx_tool order-send [-s SIZE] NODE PORT COUNT
 *	send COUNT datagrams numbered 0 to COUNT - 1 (the number in their
 *	first 4 bytes), moving to another CPU every ORDER_BATCH of them, so
 *	that each CPU's transmit and receive paths carry part of one flow;
 *	errors are counted, not fatal; prints "sent S failed F moves M"
 *   lynx_tool order-recv [-t IDLE_MS] PORT COUNT
 *	bind PORT, print "ready", receive numbered datagrams until COUNT came
 *	or none for IDLE_MS; prints "got G late L", L those whose number was
 *	below one received before them; exits 0 (the caller judges L)
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
 *   lynx_tool seq-send [-t TIMEOUT_MS] NODE PORT SIZE...
 *	connect a SOCK_SEQPACKET socket, send one message of each SIZE
 *	(bytes 0 of message K are (K + I) & 0xff for I = 0...), shutdown
 *	(SHUT_WR), wait for the peer's EOF; exits 0.  Status lines as
 *	stream-send's, "sent N" counting messages
 *   lynx_tool seq-recv [-t TIMEOUT_MS] PORT
 *	listen on a SOCK_SEQPACKET socket, accept one connection, print
 *	"msg LEN ok" per message (or "msg LEN bad" when its bytes are not
 *	seq-send's, "msg LEN trunc" when it did not fit 65536 bytes) until
 *	EOF, then "eof"; exits 0.  Status lines as stream-recv's
 *   lynx_tool link add NAME [segment ID] [link DEV]
 *	create a lynx device on segment ID (default 0), or stacked on DEV,
 *	over rtnetlink, as "ip link add NAME [link DEV] type lynx" does,
 *	with IFLA_INFO_DATA that iproute2 cannot send (both: the request
 *	the kernel must refuse); prints "error ENAME: MESSAGE" and exits 1
 *	on failure
 *   lynx_tool link show NAME
 *	print "NAME segment ID" (the device's IFLA_LYNX_SEGMENT)
 *   lynx_tool sniff [-t GRACE_MS] PATTERN DEV...
 *	capture every frame on the DEVs (AF_PACKET, promiscuous), print
 *	"ready", go on until stdin reaches EOF and GRACE_MS (default 1000)
 *	after, then print "frames N lynx L matched M": all frames, those of
 *	EtherType 0x88b5, those holding the bytes PATTERN
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
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/* A helper, not a kselftest_harness program. */
#define LYNX_UTIL_NO_HARNESS
#include "lynx_util.h"
#include "lynx_nl.h"

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
		"       lynx_tool seq-send [-t TIMEOUT_MS] NODE PORT SIZE...\n"
		"       lynx_tool seq-recv [-t TIMEOUT_MS] PORT\n"
		"       lynx_tool order-send [-s SIZE] NODE PORT COUNT\n"
		"       lynx_tool order-recv [-t IDLE_MS] PORT COUNT\n"
		"       lynx_tool exec PROG [ARGS...]\n"
		"       lynx_tool cat FILE\n"
		"       lynx_tool link add NAME [segment ID] [link DEV]\n"
		"       lynx_tool link show NAME\n"
		"       lynx_tool sniff [-t GRACE_MS] PATTERN DEV...\n");
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

/*
 * The connecting end of stream-send and seq-send: a socket of TYPE
 * connected to NODE:PORT, "connected" on stderr; send timeout TIMEOUT_MS.
 * Returns 0 with *fdp set, or the command's exit status.
 */
static int conn_connect(int type, uint32_t node, uint32_t port,
			long timeout_ms, int *fdp)
{
	int fd;

	signal(SIGPIPE, SIG_IGN);
	fd = lynx_socket(type);
	if (fd < 0)
		return stream_fail("socket", errno);
	if (timeout_ms > 0)
		lynx_set_timeo(fd, SO_SNDTIMEO, timeout_ms);
	if (lynx_connect(fd, node, port))
		return stream_fail("connect", errno);
	fprintf(stderr, "connected\n");
	*fdp = fd;
	return 0;
}

/*
 * The listening end of stream-recv and seq-recv: "ready" once a socket of
 * TYPE listens on PORT, then one connection accepted within TIMEOUT_MS
 * ("accepted NODE:PORT"), the listener closed.  Returns 0 with *fdp set,
 * or the command's exit status.
 */
static int conn_accept(int type, uint32_t port, long timeout_ms, int *fdp)
{
	struct sockaddr_lynx from;
	socklen_t alen = sizeof(from);
	int l, fd, rc;

	l = lynx_socket(type);
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
	*fdp = fd;
	return 0;
}

static int stream_send(uint32_t node, uint32_t port, long timeout_ms)
{
	static char buf[65536];
	unsigned long long total = 0;
	ssize_t n, w, off;
	int fd, rc;

	rc = conn_connect(SOCK_STREAM, node, port, timeout_ms, &fd);
	if (rc)
		return rc;
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
	long long last, next_ka = 0, now;
	ssize_t n, w, off;
	int fd, rc, wait;

	signal(SIGPIPE, SIG_IGN);
	rc = conn_accept(SOCK_STREAM, port, timeout_ms, &fd);
	if (rc)
		return rc;
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

/* ---- links over rtnetlink ---------------------------------------------- */

/*
 * Sends @nh on a NETLINK_ROUTE socket; for an ack, returns 0 or -errno
 * (with the kernel's extack message in @msg), for a reply copies it to
 * @reply (of @size bytes).
 */
static int nl_talk(struct nlmsghdr *nh, void *reply, size_t size,
		   char *msg, size_t msglen)
{
	static char buf[16384];
	struct nlmsghdr *r;
	struct nlmsgerr *e;
	int fd, one = 1;
	ssize_t n;

	msg[0] = '\0';
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	if (send(fd, nh, nh->nlmsg_len, 0) < 0) {
		n = -errno;
		close(fd);
		return n;
	}
	n = recv(fd, buf, sizeof(buf), 0);
	close(fd);
	if (n < 0)
		return -errno;
	r = (struct nlmsghdr *)buf;
	if (!NLMSG_OK(r, (size_t)n))
		return -EBADMSG;
	if (r->nlmsg_type != NLMSG_ERROR) {
		if (!reply || r->nlmsg_len > size)
			return -EBADMSG;
		memcpy(reply, r, r->nlmsg_len);
		return 0;
	}
	e = NLMSG_DATA(r);
	/* The extack message follows the echoed request (capped: header). */
	if (r->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = sizeof(*e);
		struct rtattr *a;
		int len;

		if (!(r->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - sizeof(e->msg);
		a = (struct rtattr *)((char *)e + NLMSG_ALIGN(off));
		len = (int)r->nlmsg_len - NLMSG_HDRLEN - (int)NLMSG_ALIGN(off);
		for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
			if (a->rta_type == NLMSGERR_ATTR_MSG)
				snprintf(msg, msglen, "%s", (char *)RTA_DATA(a));
	}
	return e->error;
}

/* A device on @segment, or (@ifindex) stacked on that device: then the
 * segment is sent only when @with_segment (a request to be refused).
 */
static int link_add(const char *name, uint32_t segment, bool with_segment,
		    int ifindex)
{
	struct rtattr *info, *data;
	struct nl_req req;
	char msg[256];
	int err;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_NEWLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE |
			     NLM_F_EXCL;
	req.ifi.ifi_family = AF_UNSPEC;
	nl_put(&req.nh, IFLA_IFNAME, name, strlen(name) + 1);
	if (ifindex)
		nl_put(&req.nh, IFLA_LINK, &ifindex, sizeof(ifindex));
	info = nl_put(&req.nh, IFLA_LINKINFO, NULL, 0);
	nl_put(&req.nh, IFLA_INFO_KIND, "lynx", 5);
	if (!ifindex || with_segment) {
		data = nl_put(&req.nh, IFLA_INFO_DATA, NULL, 0);
		nl_put(&req.nh, IFLA_LYNX_SEGMENT, &segment, sizeof(segment));
		nl_end(&req.nh, data);
	}
	nl_end(&req.nh, info);
	err = nl_talk(&req.nh, NULL, 0, msg, sizeof(msg));
	if (err) {
		printf("error %s: %s\n", ename(-err), msg[0] ? msg : strerror(-err));
		return 1;
	}
	return 0;
}

/* Finds attribute @type among those at @a (@len bytes); NULL if none. */
static struct rtattr *nl_find(struct rtattr *a, int len, unsigned short type)
{
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == type)
			return a;
	return NULL;
}

static int link_show(const char *name)
{
	static char reply[16384];
	struct rtattr *info, *kind, *data, *seg;
	struct ifinfomsg *ifi;
	struct nlmsghdr *r;
	struct nl_req req;
	char msg[256];
	int err, len;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.ifi));
	req.nh.nlmsg_type = RTM_GETLINK;
	req.nh.nlmsg_flags = NLM_F_REQUEST;
	req.ifi.ifi_family = AF_UNSPEC;
	nl_put(&req.nh, IFLA_IFNAME, name, strlen(name) + 1);
	err = nl_talk(&req.nh, reply, sizeof(reply), msg, sizeof(msg));
	if (err) {
		printf("error %s: %s\n", ename(-err), msg[0] ? msg : strerror(-err));
		return 1;
	}
	r = (struct nlmsghdr *)reply;
	ifi = NLMSG_DATA(r);
	len = (int)r->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi));
	info = nl_find(IFLA_RTA(ifi), len, IFLA_LINKINFO);
	kind = info ? nl_find(RTA_DATA(info), RTA_PAYLOAD(info),
			      IFLA_INFO_KIND) : NULL;
	if (!kind || strcmp(RTA_DATA(kind), "lynx")) {
		printf("error: %s is not a lynx device\n", name);
		return 1;
	}
	data = nl_find(RTA_DATA(info), RTA_PAYLOAD(info), IFLA_INFO_DATA);
	seg = data ? nl_find(RTA_DATA(data), RTA_PAYLOAD(data),
			     IFLA_LYNX_SEGMENT) : NULL;
	if (!seg || RTA_PAYLOAD(seg) != sizeof(uint32_t)) {
		printf("error: %s has no segment attribute\n", name);
		return 1;
	}
	printf("%s segment %u\n", name, *(uint32_t *)RTA_DATA(seg));
	return 0;
}

static int link_cmd(int argc, char **argv)
{
	uint32_t segment = LYNX_SEGMENT_DEFAULT;
	bool with_segment = false;
	int i, ifindex = 0;

	if (argc >= 2 && !strcmp(argv[0], "show"))
		return link_show(argv[1]);
	if (argc < 2 || strcmp(argv[0], "add") || argc % 2)
		usage();
	for (i = 2; i < argc; i += 2) {
		if (!strcmp(argv[i], "segment")) {
			segment = strtoul(argv[i + 1], NULL, 0);
			with_segment = true;
		} else if (!strcmp(argv[i], "link")) {
			ifindex = (int)if_nametoindex(argv[i + 1]);
			if (!ifindex) {
				printf("error ENODEV: no device %s\n",
				       argv[i + 1]);
				return 1;
			}
		} else {
			usage();
		}
	}
	return link_add(argv[1], segment, with_segment, ifindex);
}

/* ---- seq-send, seq-recv: SOCK_SEQPACKET message boundaries -------------- */

static unsigned char seq_byte(long k, size_t i)
{
	return (unsigned char)((k + (long)i) & 0xff);
}

static int seq_send(uint32_t node, uint32_t port, long timeout_ms,
		    char **sizes, int nsizes)
{
	static unsigned char buf[262144];
	char c;
	size_t len, i;
	ssize_t n;
	int fd, k, rc;

	rc = conn_connect(SOCK_SEQPACKET, node, port, timeout_ms, &fd);
	if (rc)
		return rc;
	for (k = 0; k < nsizes; k++) {
		len = strtoul(sizes[k], NULL, 0);
		if (len > sizeof(buf))
			return stream_fail("size", EMSGSIZE);
		for (i = 0; i < len; i++)
			buf[i] = seq_byte(k, i);
		/* Blocking, bounded by SO_SNDTIMEO: one message, one send. */
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0)
			return stream_fail("send", errno);
		if ((size_t)n != len)
			return stream_fail("send (short)", EMSGSIZE);
	}
	if (shutdown(fd, SHUT_WR))
		return stream_fail("shutdown", errno);
	for (;;) {
		rc = stream_wait(fd, POLLIN, timeout_ms);
		if (rc)
			return rc;
		n = recv(fd, &c, 1, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return stream_fail("recv", errno);
		}
		if (n == 0)
			break;
	}
	close(fd);
	fprintf(stderr, "sent %d\n", nsizes);
	return 0;
}

/* ---- order-send, order-recv: one sender's datagrams keep their order ----- */

#define ORDER_BATCH	8

static int order_send(uint32_t node, uint32_t port, size_t size, long count)
{
	long i, sent = 0, failed = 0;
	int ncpu = 0, cpu = 0, fd;
	cpu_set_t allowed, one;
	char *buf;

	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		return 1;
	size = size < 4 ? 4 : size;
	buf = calloc(1, size);
	if (!buf)
		return 1;
	fd = dgram_socket();
	for (i = 0; i < count; i++) {
		uint32_t seq = i;

		if (i % ORDER_BATCH == 0) {
			/* the next allowed CPU, round robin */
			do
				cpu = (cpu + 1) % CPU_SETSIZE;
			while (!CPU_ISSET(cpu, &allowed));
			CPU_ZERO(&one);
			CPU_SET(cpu, &one);
			if (!sched_setaffinity(0, sizeof(one), &one))
				ncpu++;
		}
		memcpy(buf, &seq, sizeof(seq));
		if (lynx_sendto(fd, buf, size, 0, node, port) == (ssize_t)size)
			sent++;
		else
			failed++;
	}
	printf("sent %ld failed %ld moves %d\n", sent, failed, ncpu);
	free(buf);
	close(fd);
	return 0;
}

static int order_recv(uint32_t port, long count, long idle_ms)
{
	static char buf[65536];
	long got = 0, late = 0;
	uint32_t seq, next = 0;
	ssize_t n;
	int fd;

	fd = dgram_socket();
	if (lynx_bind(fd, LYNX_NODE_ANY, port)) {
		printf("error %s\n", ename(errno));
		return 1;
	}
	printf("ready\n");
	while (got < count && (lynx_poll1(fd, POLLIN, idle_ms) & POLLIN)) {
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < (ssize_t)sizeof(seq))
			continue;
		memcpy(&seq, buf, sizeof(seq));
		if (seq < next)
			late++;
		else
			next = seq + 1;
		got++;
	}
	printf("got %ld late %ld\n", got, late);
	close(fd);
	return 0;
}

static int seq_recv(uint32_t port, long timeout_ms)
{
	static unsigned char buf[65536];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	const char *verdict;
	long k = 0;
	ssize_t n, i;
	int fd, rc;

	rc = conn_accept(SOCK_SEQPACKET, port, timeout_ms, &fd);
	if (rc)
		return rc;
	for (;; k++) {
		rc = stream_wait(fd, POLLIN, timeout_ms);
		if (rc)
			return rc;
		mh.msg_flags = 0;
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				k--;
				continue;
			}
			return stream_fail("recv", errno);
		}
		/* A message, empty ones too, ends with MSG_EOR; EOF not. */
		if (n == 0 && !(mh.msg_flags & MSG_EOR))
			break;
		verdict = "ok";
		if (mh.msg_flags & MSG_TRUNC)
			verdict = "trunc";
		for (i = 0; i < n && *verdict == 'o'; i++)
			if (buf[i] != seq_byte(k, (size_t)i))
				verdict = "bad";
		printf("msg %zd %s\n", n, verdict);
	}
	printf("eof\n");
	close(fd);
	return 0;
}

/* ---- sniff: what a promiscuous AF_PACKET socket sees ------------------- */

static int sniff(const char *pattern, char **devs, int ndev, long grace_ms)
{
	static unsigned char buf[65536 + 64];
	unsigned long frames = 0, lynx = 0, matched = 0;
	size_t plen = strlen(pattern);
	struct pollfd pfd[17];
	long long end = -1;
	int i, n;

	if (ndev < 1 || ndev > 16)
		usage();
	for (i = 0; i < ndev; i++) {
		struct sockaddr_ll sll = { .sll_family = AF_PACKET };
		struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };

		sll.sll_protocol = htons(ETH_P_ALL);
		sll.sll_ifindex = (int)if_nametoindex(devs[i]);
		mr.mr_ifindex = sll.sll_ifindex;
		pfd[i].fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		pfd[i].events = POLLIN;
		if (!sll.sll_ifindex || pfd[i].fd < 0 ||
		    bind(pfd[i].fd, (struct sockaddr *)&sll, sizeof(sll)) ||
		    setsockopt(pfd[i].fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP,
			       &mr, sizeof(mr))) {
			printf("error %s (%s)\n", ename(errno), devs[i]);
			return 1;
		}
	}
	pfd[ndev].fd = 0;
	pfd[ndev].events = POLLIN;
	printf("ready\n");
	for (;;) {
		long long now = mono_ms();
		int wait = -1;

		if (end >= 0) {
			if (now >= end)
				break;
			wait = (int)(end - now);
		}
		if (poll(pfd, ndev + (end < 0), wait) < 0 && errno != EINTR) {
			printf("error %s (poll)\n", ename(errno));
			return 1;
		}
		if (end < 0 && pfd[ndev].revents) {
			char c[64];

			if (read(0, c, sizeof(c)) <= 0)
				end = mono_ms() + grace_ms;
		}
		for (i = 0; i < ndev; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			n = recv(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n < 0)
				continue;
			frames++;
			if (n >= ETH_HLEN && buf[12] == (ETH_P_LYNX >> 8) &&
			    buf[13] == (ETH_P_LYNX & 0xff))
				lynx++;
			if (plen && memmem(buf, n, pattern, plen))
				matched++;
		}
	}
	printf("frames %lu lynx %lu matched %lu\n", frames, lynx, matched);
	return 0;
}

/* Copies PATH to standard output; 0, or 1 with the error on stderr. */
static int cat_file(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "lynx_tool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (write(1, buf, n) != n) {
			n = -1;
			break;
		}
	}
	if (n < 0)
		fprintf(stderr, "lynx_tool: %s: %s\n", path, strerror(errno));
	close(fd);
	return n < 0;
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
	if (!strcmp(cmd, "cat")) {
		if (argc != 2)
			usage();
		return cat_file(argv[1]);
	}
	if (!strcmp(cmd, "link"))
		return link_cmd(argc - 1, argv + 1);
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

	if (!strcmp(cmd, "seq-send")) {
		if (argc < 3)
			usage();
		return seq_send(parse_node(argv[0]), strtoul(argv[1], NULL, 0),
				have_timeout ? timeout : -1, argv + 2, argc - 2);
	}

	if (!strcmp(cmd, "order-send")) {
		if (argc < 3)
			usage();
		return order_send(parse_node(argv[0]), strtoul(argv[1], NULL, 0),
				  size, strtol(argv[2], NULL, 0));
	}

	if (!strcmp(cmd, "order-recv")) {
		if (argc < 2)
			usage();
		return order_recv(strtoul(argv[0], NULL, 0),
				  strtol(argv[1], NULL, 0),
				  have_timeout ? timeout : 2000);
	}

	if (!strcmp(cmd, "seq-recv")) {
		if (argc < 1)
			usage();
		return seq_recv(strtoul(argv[0], NULL, 0),
				have_timeout ? timeout : -1);
	}

	if (!strcmp(cmd, "sniff")) {
		if (argc < 2)
			usage();
		return sniff(argv[0], argv + 1, argc - 1,
			     have_timeout ? timeout : 1000);
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
