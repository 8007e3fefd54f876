// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces that come and go while lynx is busy:
 *
 *   netns.exit_under_flood  namespaces are deleted while frames for them
 *                           keep arriving on their lynx devices, frames
 *                           that each make lynx answer (a datagram refusal
 *                           or a reset) to the namespace's own node, that
 *                           is through its lynxlo.  The namespace's lynx
 *                           state goes before its devices do: nothing may
 *                           count, learn or send there once it is gone.
 *   failslab.unshare_netns  unshare(CLONE_NEWNET) with the Nth slab
 *                           allocation failing (/proc/self/fail-nth), for
 *                           every N up to the last allocation lynx's
 *                           namespace setup makes: a setup that fails half
 *                           way is undone without a crash (the devices the
 *                           core made go down with no lynx state there).
 *
 * Both fail by a kernel splat (KASAN, Oops) as much as by their own checks.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

/* The node every dying namespace takes, and a port nobody binds. */
#define DYING_NODE	0x5eed0001u
#define LEARN_NODE	0x5eed0002u
#define DEAD_PORT	9
/* Namespaces deleted together (one cleanup batch), and how often. */
#define BATCH		4
#define ROUNDS		6

struct td_hdr {
	uint8_t version, type, flags, reserved;
	uint16_t len, csum;
	uint32_t src_node, dst_node, src_port, dst_port, seq, ack, window;
} __attribute__((packed));

_Static_assert(sizeof(struct td_hdr) == LYNX_HDR_LEN, "lynx header size");

static uint16_t td_csum(const struct td_hdr *h)
{
	const uint8_t *p = (const uint8_t *)h;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < sizeof(*h); i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static void nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * The flood, from a0 until killed: broadcast frames for DYING_NODE that
 * each provoke an answer.  Frames from DYING_NODE itself are answered
 * through the receiver's lynxlo (a datagram refusal, a reset to a SYN);
 * frames from LEARN_NODE make the receiver learn a neighbour first.
 */
static void flood(int ifindex)
{
	static const uint8_t bcast[ETH_ALEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	uint8_t frame[ETH_HLEN + sizeof(struct td_hdr)];
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct td_hdr *h = (struct td_hdr *)(frame + ETH_HLEN);
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_LYNX),
		.sll_ifindex = ifindex,
		.sll_halen = ETH_ALEN,
	};
	unsigned int i;
	int fd;

	fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_LYNX));
	if (fd < 0)
		_exit(2);
	memcpy(ll.sll_addr, bcast, ETH_ALEN);
	memcpy(eth->h_dest, bcast, ETH_ALEN);
	memset(eth->h_source, 0x02, ETH_ALEN);
	eth->h_proto = htons(ETH_P_LYNX);
	for (i = 0;; i++) {
		memset(h, 0, sizeof(*h));
		h->version = 1;
		h->type = i % 2 ? 2 : 1;		/* STREAM SYN, DGRAM */
		h->flags = i % 2 ? 0x01 : 0;
		h->src_node = htonl(i % 3 ? DYING_NODE : LEARN_NODE);
		h->dst_node = htonl(DYING_NODE);
		h->src_port = htonl(1000 + i % 64);
		h->dst_port = htonl(DEAD_PORT);
		h->seq = htonl(i);
		h->csum = td_csum(h);
		/* ENOBUFS when the qdisc is full: go on. */
		sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&ll,
		       sizeof(ll));
	}
}

/*
 * A namespace to delete: a lynx device b0 on the segment, node DYING_NODE,
 * and a veth whose peer (name @peer) is in the caller's namespace @home:
 * when the dying namespace's devices are unregistered the peer goes too,
 * which is how the caller sees that the namespace's teardown is through.
 * @home_pid is a process in @home.  Returns an fd on the new namespace
 * (the caller is back in @home), or -1.
 */
static int dying_netns(int home, pid_t home_pid, const char *peer)
{
	char node[32];
	int fd;

	if (unshare(CLONE_NEWNET))
		return -1;
	snprintf(node, sizeof(node), "%u", DYING_NODE);
	if (lynx_sh("ip link add b0 up type lynx && "
		    "ip link add v0 up type veth peer name %s netns %d",
		    peer, (int)home_pid) ||
	    lynx_write_file(LYNX_SYSCTL_NODE, node))
		fd = -1;
	else
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(home, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

FIXTURE(netns)
{
};

FIXTURE_SETUP(netns)
{
}

FIXTURE_TEARDOWN(netns)
{
}

TEST_F_TIMEOUT(netns, exit_under_flood, 600)
{
	int home, ns[BATCH], round, i, status;
	pid_t flooder;
	char peer[IFNAMSIZ];
	long waited;

	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, lynx_sh("ip link add a0 up type lynx"));
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, home);

	flooder = fork();
	ASSERT_LE(0, flooder);
	if (!flooder)
		flood(if_nametoindex("a0"));

	for (round = 0; round < ROUNDS; round++) {
		for (i = 0; i < BATCH; i++) {
			snprintf(peer, sizeof(peer), "p%d", i);
			ns[i] = dying_netns(home, flooder, peer);
			ASSERT_LE(0, ns[i])
				TH_LOG("round %d: namespace %d: %s", round, i,
				       strerror(errno));
		}
		/* The flood still runs: nothing stopped it. */
		ASSERT_EQ(0, waitpid(flooder, &status, WNOHANG));
		for (i = 0; i < BATCH; i++)
			close(ns[i]);
		/* Until every peer is gone, the namespaces' devices live. */
		for (i = 0, waited = 0; i < BATCH; i++) {
			snprintf(peer, sizeof(peer), "p%d", i);
			while (if_nametoindex(peer) && waited < 120000) {
				nap_ms(10);
				waited += 10;
			}
			ASSERT_EQ(0, if_nametoindex(peer))
				TH_LOG("round %d: %s still there after 120 s",
				       round, peer);
		}
	}
	ASSERT_EQ(0, waitpid(flooder, &status, WNOHANG))
		TH_LOG("the flooder ended early: status %#x", status);
	kill(flooder, SIGKILL);
	ASSERT_EQ(flooder, waitpid(flooder, &status, 0));
	close(home);
}

/* ---- unshare(CLONE_NEWNET) under failslab ----------------------------- */

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
