// SPDX-License-Identifier: GPL-2.0
/*
 * Namespaces deleted while lynx is busy (netns.exit_under_flood): frames
 * for them keep arriving on their lynx devices, frames that each make lynx
 * answer (a datagram refusal or a reset) to the namespace's own node, that
 * is through its lynxlo.  The namespace's lynx state goes before its
 * devices do: nothing may count, learn or send there once it is gone.
 * The test fails by a kernel splat (KASAN) as much as by its own checks.
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
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "lynx_frame.h"
#include "kselftest_harness.h"

/* The node every dying namespace takes, and a port nobody binds. */
#define DYING_NODE	0x5eed0001u
#define LEARN_NODE	0x5eed0002u
#define DEAD_PORT	9
/*
 * Namespaces deleted together (one cleanup batch), and how often: three
 * rounds on the stock kernel, one on the debug kernel (where a round takes
 * minutes, and the first one met the use-after-free).
 */
#define BATCH		4
#define ROUNDS		lynx_volume(3, 1)
/* The flood's bursts: enough to keep frames arriving, not to starve RCU. */
#define BURST		32

static long now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
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
	uint8_t frame[ETH_HLEN + sizeof(struct lynx_wire_hdr)];
	struct ethhdr *eth = (struct ethhdr *)frame;
	struct lynx_wire_hdr *h = (struct lynx_wire_hdr *)(frame + ETH_HLEN);
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
		h->csum = lynx_wire_csum(h, NULL, 0);
		/* ENOBUFS when the qdisc is full: go on. */
		sendto(fd, frame, sizeof(frame), 0, (struct sockaddr *)&ll,
		       sizeof(ll));
		if (i % BURST == BURST - 1)
			nap_ms(1);
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
	long t0;

	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, lynx_sh("ip link add a0 up type lynx"));
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, home);

	flooder = fork();
	ASSERT_LE(0, flooder);
	if (!flooder)
		flood(if_nametoindex("a0"));

	for (round = 0; round < ROUNDS; round++) {
		t0 = now_s();
		for (i = 0; i < BATCH; i++) {
			snprintf(peer, sizeof(peer), "p%d", i);
			ns[i] = dying_netns(home, flooder, peer);
			ASSERT_LE(0, ns[i])
				TH_LOG("round %d: namespace %d: %s", round, i,
				       strerror(errno));
		}
		TH_LOG("round %d: %d namespaces made, deleting them", round,
		       BATCH);
		/* The flood still runs: nothing stopped it. */
		ASSERT_EQ(0, waitpid(flooder, &status, WNOHANG));
		for (i = 0; i < BATCH; i++)
			close(ns[i]);
		/* Until every peer is gone, the namespaces' devices live. */
		for (i = 0; i < BATCH; i++) {
			snprintf(peer, sizeof(peer), "p%d", i);
			while (if_nametoindex(peer) && now_s() < t0 + 240)
				nap_ms(10);
			ASSERT_EQ(0, if_nametoindex(peer))
				TH_LOG("round %d: %s still there after 240 s",
				       round, peer);
		}
		TH_LOG("round %d: namespaces gone after %ld s", round,
		       now_s() - t0);
	}
	ASSERT_EQ(0, waitpid(flooder, &status, WNOHANG))
		TH_LOG("the flooder ended early: status %#x", status);
	kill(flooder, SIGKILL);
	ASSERT_EQ(flooder, waitpid(flooder, &status, 0));
	close(home);
}

TEST_HARNESS_MAIN
