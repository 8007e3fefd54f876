// SPDX-License-Identifier: GPL-2.0
/*
 * lynx_tool: a small lynx datagram CLI for the shell selftests (a helper,
 * not a test; selftests/run does not run it on its own).
 *
 *   lynx_tool node
 *	print this namespace's node id (decimal)
 *   lynx_tool send [-s SIZE] [-c COUNT] [-p SRCPORT] NODE PORT [MSG]
 *	send COUNT datagrams (MSG, or SIZE bytes of 'x'); NODE is a number
 *	(decimal or 0x hex) or "local"; prints "sent N" or "error ENAME";
 *	exits 0 only if every datagram was sent
 *   lynx_tool recv [-t TIMEOUT_MS] PORT [COUNT]
 *	bind PORT, print "ready", then print "from NODE(%08x):PORT len N DATA"
 *	per datagram; exits 0 after COUNT (default 1) datagrams, 2 on timeout
 *   lynx_tool flood [-s SIZE] NODE PORT COUNT
 *	send COUNT datagrams ignoring errors; prints
 *	"sent S failed F lasterr ENAME"; exits 0
 *   lynx_tool hold PORT
 *	bind a datagram socket to PORT (and open a stream and a seqpacket
 *	socket), print "ready", then wait to be killed
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "lynx_util.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: lynx_tool node\n"
		"       lynx_tool send [-s SIZE] [-c COUNT] [-p SRCPORT] NODE PORT [MSG]\n"
		"       lynx_tool recv [-t TIMEOUT_MS] PORT [COUNT]\n"
		"       lynx_tool flood [-s SIZE] NODE PORT COUNT\n"
		"       lynx_tool hold PORT\n");
	exit(64);
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

int main(int argc, char **argv)
{
	size_t size = 0;
	long count = 1, timeout = 5000;
	uint32_t srcport = 0;
	const char *cmd;
	int opt, fd;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	while ((opt = getopt(argc, argv, "s:c:p:t:")) != -1) {
		switch (opt) {
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 'c': count = strtol(optarg, NULL, 0); break;
		case 'p': srcport = strtoul(optarg, NULL, 0); break;
		case 't': timeout = strtol(optarg, NULL, 0); break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);

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
				sent++;
			} else {
				failed++;
				lasterr = errno;
				if (!flood)
					break;
			}
		}
		if (flood) {
			printf("sent %ld failed %ld lasterr %s\n", sent, failed,
			       lasterr ? ename(lasterr) : "0");
			return 0;
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
