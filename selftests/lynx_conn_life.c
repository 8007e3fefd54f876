// SPDX-License-Identifier: GPL-2.0
/*
 * Connection lifetimes against a hostile or absent peer: children that die
 * before accept(), forged segments that must not start an acknowledgment
 * storm, replies that are rate-limited, orphans that must end.  The test
 * plays the peer on lynxlo with AF_PACKET (lynx_frame.h); each test runs
 * in a namespace of its own, so /proc/net/lynx and lynx_stat are its own.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "lynx_frame.h"
#include "kselftest_harness.h"

#define LIFE_PORT	9000
#define FAKE_NODE	0x0a0b0c0d
#define FAKE_PORT	4242

/*
 * The margin of a positive wait (for what must happen), the stock
 * kernel's: lynx_ms() scales it for the debug kernel.  Protocol times
 * (retries, keepalive, budgets) are added to it unscaled.
 */
#define LIFE_WAIT_MS	5000

/* Rows of /proc/net/lynx whose local or peer port is @port. */
static int proc_rows(uint32_t port)
{
	char line[512], type[16], state[16];
	unsigned int ln, lp, pn, pp;
	int n = 0, first = 1;
	FILE *f = fopen("/proc/net/lynx", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (first) {
			first = 0;
			continue;
		}
		if (sscanf(line, "%15s %15s %x:%u %x:%u", type, state, &ln, &lp,
			   &pn, &pp) == 6 && (lp == port || pp == port))
			n++;
	}
	fclose(f);
	return n;
}

/* Waits until proc_rows(port) == want; the last count seen. */
static int proc_rows_wait(uint32_t port, int want, int timeout_ms)
{
	long long end = lynx_now_ms() + timeout_ms;
	struct pollfd none = { .fd = -1 };
	int n;

	/* (callers pass protocol time + lynx_ms(margin)) */
	while ((n = proc_rows(port)) != want && lynx_now_ms() < end)
		poll(&none, 1, 20);	/* /proc has no event to wait for */
	return n;
}

static uint8_t lo_mac[ETH_ALEN];

/* ---- children that die before accept() ------------------------------- */

FIXTURE(child)
{
	int l;
};

FIXTURE_VARIANT(child)
{
	int type;
	uint8_t wire_type;
};

FIXTURE_VARIANT_ADD(child, stream)
{
	.type = SOCK_STREAM,
	.wire_type = LYNX_T_STREAM,
};

FIXTURE_VARIANT_ADD(child, seqpacket)
{
	.type = SOCK_SEQPACKET,
	.wire_type = LYNX_T_SEQPACKET,
};

FIXTURE_SETUP(child)
{
	ASSERT_EQ(0, lynx_new_netns());
	self->l = lynx_socket(variant->type);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, lynx_bind(self->l, LYNX_NODE_ANY, LIFE_PORT));
	ASSERT_EQ(0, listen(self->l, 4));
}

FIXTURE_TEARDOWN(child)
{
	close(self->l);
}

/*
 * The four-syscall sequence of the defects issue: the client resets the
 * child still in the accept queue.  The child must leave every table:
 * afterwards only the listener is listed, new sockets (which join the
 * namespace's socket list) and /proc are safe, and nothing is accepted.
 */
TEST_F_TIMEOUT(child, reset_before_accept, 120)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int c, d1, d2;

	c = lynx_socket(variant->type);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, lynx_connect(c, LYNX_NODE_LOCAL, LIFE_PORT));
	ASSERT_EQ(0, setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	ASSERT_EQ(3, proc_rows(LIFE_PORT));	/* listener, child, client */
	close(c);

	EXPECT_EQ(1, proc_rows_wait(LIFE_PORT, 1, lynx_ms(LIFE_WAIT_MS)));
	d1 = lynx_socket(SOCK_DGRAM);
	d2 = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, d1);
	EXPECT_LE(0, d2);
	EXPECT_EQ(1, proc_rows(LIFE_PORT));
	EXPECT_EQ(0, lynx_poll1(self->l, POLLIN, 0));
	close(d1);
	close(d2);
}

/*
 * A remote SYN never completed: the child in SYN_RECV gives up after its
 * SYN|ACK retries (about 9 s) and must leave every table as well.
 */
TEST_F_TIMEOUT(child, syn_never_completed, 120)
{
	struct lynx_seg syn = {
		.type = variant->wire_type, .flags = LYNX_F_SYN,
		.src_node = FAKE_NODE, .dst_node = lynx_node(),
		.src_port = FAKE_PORT, .dst_port = LIFE_PORT,
		.seq = 1000, .window = 65536,
	};
	int pkt, d;

	ASSERT_EQ(0, lynx_dev_mac("lynxlo", lo_mac));
	pkt = lynx_frame_socket("lynxlo");
	ASSERT_LE(0, pkt);
	ASSERT_EQ(0, lynx_frame_send(pkt, lo_mac, &syn));
	EXPECT_EQ(2, proc_rows_wait(LIFE_PORT, 2, lynx_ms(LIFE_WAIT_MS)));
	/* 6 SYN|ACK retries, backed off from 200 ms, capped at 2 s: 9 s. */
	EXPECT_EQ(1, proc_rows_wait(LIFE_PORT, 1, 9000 + lynx_ms(LIFE_WAIT_MS)));
	d = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, d);
	EXPECT_EQ(1, proc_rows(LIFE_PORT));
	close(d);
	close(pkt);
}

/* ---- a connection and a forger on the wire ---------------------------- */

FIXTURE(peer)
{
	int l, c, s;		/* listener, client, accepted server side */
	int pkt;		/* AF_PACKET on lynxlo */
	uint32_t node, cport;
	/* The last segment s sent to c: what a forger would copy. */
	struct lynx_seg last;
	char buf[64];
};

/* Sends one byte s -> c and sniffs that segment into self->last. */
static int learn_seq(FIXTURE_DATA(peer) *self)
{
	struct lynx_seg seg;
	char got;

	if (send(self->s, "x", 1, 0) != 1)
		return -1;
	for (;;) {
		if (lynx_frame_recv(self->pkt, &seg, self->buf,
				    sizeof(self->buf), lynx_ms(LIFE_WAIT_MS)))
			return -1;
		if (seg.src_port == LIFE_PORT && seg.dst_port == self->cport &&
		    seg.len == 1)
			break;
	}
	self->last = seg;
	if (lynx_read_full(self->c, &got, 1, LIFE_WAIT_MS) != 1)
		return -1;
	/* The client's ACK of it may follow: let it pass. */
	return 0;
}

/* A forged segment "from s to c", based on the last real one. */
static struct lynx_seg forged(FIXTURE_DATA(peer) *self)
{
	struct lynx_seg f = self->last;

	f.data = NULL;
	f.len = 0;
	f.flags = LYNX_F_ACK;
	f.seq = self->last.seq + self->last.len;	/* c's rcv_nxt */
	return f;
}

/* Frames the namespace sent in a quiet @ms after @before. */
static long long frames_out_after(long long before, int ms)
{
	struct pollfd none = { .fd = -1 };

	poll(&none, 1, ms);	/* a measuring window, not a wait for an event */
	return lynx_stat("frames_out") - before;
}

FIXTURE_SETUP(peer)
{
	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_EQ(0, lynx_dev_mac("lynxlo", lo_mac));
	self->node = lynx_node();
	self->pkt = lynx_frame_socket("lynxlo");
	ASSERT_LE(0, self->pkt);
	self->l = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, self->l);
	ASSERT_EQ(0, lynx_bind(self->l, LYNX_NODE_ANY, LIFE_PORT));
	ASSERT_EQ(0, listen(self->l, 4));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, self->l, LIFE_PORT,
				      &self->c, &self->s));
	self->cport = lynx_local_port(self->c);
	ASSERT_EQ(0, learn_seq(self));
}

FIXTURE_TEARDOWN(peer)
{
	close(self->c);
	close(self->s);
	close(self->l);
	close(self->pkt);
}

/*
 * One forged in-window byte makes c acknowledge data s never sent.  s
 * must drop that acknowledgment (as TCP does), not answer it: an answer
 * is out of c's window, c answers that, and the two ACK each other
 * forever.
 */
TEST_F_TIMEOUT(peer, data_injection_no_ack_storm, 120)
{
	struct lynx_seg f = forged(self);
	long long before;

	f.data = "!";
	f.len = 1;
	before = lynx_stat("frames_out");
	ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &f));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->c, POLLIN, LIFE_WAIT_MS));
	/* c's ACK of the byte, and nothing after it. */
	EXPECT_GE(2, frames_out_after(before, 500));
	EXPECT_EQ(0, frames_out_after(lynx_stat("frames_out"), 500));
}

/* An out-of-window pure ACK gets no answer, however many arrive. */
TEST_F_TIMEOUT(peer, oow_pure_ack_unanswered, 120)
{
	struct lynx_seg f = forged(self);
	long long before = lynx_stat("frames_out");
	long long in = lynx_stat("frames_in");
	int i;

	f.seq += 1u << 30;
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &f));
	EXPECT_EQ(0, frames_out_after(before, 300));
	EXPECT_LE(in + 100, lynx_stat("frames_in"));
	EXPECT_LE(100, lynx_stat("drop_out_of_window"));
}

/* An ACK of data never sent is dropped, not answered (RFC 793, TCP). */
TEST_F_TIMEOUT(peer, ack_of_unsent_data_unanswered, 120)
{
	struct lynx_seg f = forged(self);
	long long before = lynx_stat("frames_out");
	int i;

	f.ack += 100000;
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &f));
	EXPECT_EQ(0, frames_out_after(before, 300));
	/* The connection is unharmed. */
	EXPECT_EQ(1, send(self->c, "y", 1, 0));
	EXPECT_EQ(1, lynx_read_full(self->s, self->buf, 1, LIFE_WAIT_MS));
}

/*
 * Resets at the wrong sequence number and SYNs on a synchronized
 * connection are answered with a challenge ACK (RFC 5961), at most a few
 * per half second per socket, not one each.
 */
TEST_F_TIMEOUT(peer, challenge_ack_rate_limited, 120)
{
	struct lynx_seg rst = forged(self), syn = forged(self);
	long long before = lynx_stat("frames_out"), t0 = lynx_now_ms();
	long long sent;
	int i;

	rst.flags = LYNX_F_RST;
	rst.seq += 100;
	syn.flags = LYNX_F_SYN;
	for (i = 0; i < 100; i++) {
		ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &rst));
		ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &syn));
	}
	sent = frames_out_after(before, 200);
	/*
	 * One challenge per 500 ms the burst lasted (a loaded guest takes
	 * longer than 500 ms for 200 frames), and c's ACK of the byte
	 * learn_seq() read, which may still have been on its way.
	 */
	EXPECT_GE(1 + (lynx_now_ms() - t0) / 500 + 1, sent)
		TH_LOG("%lld frames for 200 forged in %lld ms", sent,
		       lynx_now_ms() - t0);
	EXPECT_EQ(1, send(self->c, "y", 1, 0));
	EXPECT_EQ(1, lynx_read_full(self->s, self->buf, 1, LIFE_WAIT_MS));
}

/*
 * Duplicate ACKs (which anyone can forge) are no sign of progress: a
 * connection whose data is lost keeps counting its retransmissions and
 * gives up after its budget (README: about 10.5 s), forged dupacks or not.
 */
TEST_F_TIMEOUT(peer, dupacks_do_not_reset_retries, 120)
{
	struct lynx_seg dup = forged(self);
	long long end;
	int err = 0;
	socklen_t len = sizeof(err);

	dup.ack = self->last.ack;		/* c's snd_una */
	ASSERT_EQ(0, lynx_sh("tc qdisc add dev lynxlo root netem loss 100%%"));
	ASSERT_EQ(64, send(self->c, self->buf, 64, 0));
	/* Retransmission budget plus a debug-kernel margin. */
	end = lynx_now_ms() + 11000 + lynx_ms(LIFE_WAIT_MS);
	while (lynx_now_ms() < end) {
		ASSERT_EQ(0, lynx_frame_send(self->pkt, lo_mac, &dup));
		if (lynx_poll1(self->c, POLLERR, 50) & POLLERR)
			break;
	}
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	lynx_sh("tc qdisc del dev lynxlo root");
}

/*
 * An orphan (closed with data the peer never reads) probes a zero window;
 * the live peer acknowledges every probe with window 0.  Probes without
 * progress count: the orphan gives up (reset) within its budget
 * (LYNX_ORPHAN_RETRIES probes, each at most 2 s apart) instead of living
 * forever.
 */
TEST_F_TIMEOUT(peer, orphan_zero_window_ends, 120)
{
	int small = 4096, flags, n = 0;
	char chunk[1024] = { 0 };

	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	flags = fcntl(self->c, F_GETFL);
	ASSERT_EQ(0, fcntl(self->c, F_SETFL, flags | O_NONBLOCK));
	while (send(self->c, chunk, sizeof(chunk), MSG_NOSIGNAL) > 0 &&
	       n < 100000)
		n++;
	ASSERT_EQ(EAGAIN, errno);
	close(self->c);
	self->c = -1;
	/* listener, s and the orphan; then the orphan resets s and goes. */
	EXPECT_EQ(3, proc_rows(LIFE_PORT));
	EXPECT_EQ(2, proc_rows_wait(LIFE_PORT, 2, 8 * 2000 + lynx_ms(LIFE_WAIT_MS)));
}

/* More orphans than net.lynx.max_orphans: the extra ones reset at once. */
TEST_F_TIMEOUT(peer, max_orphans, 120)
{
	int small = 4096, i, c[4], s[4];
	char chunk[1024] = { 0 };

	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/max_orphans", "2"));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, self->l, LIFE_PORT,
					      &c[i], &s[i]));
		ASSERT_EQ(0, setsockopt(s[i], SOL_SOCKET, SO_RCVBUF, &small,
					sizeof(small)));
		fcntl(c[i], F_SETFL, O_NONBLOCK);
		while (send(c[i], chunk, sizeof(chunk), MSG_NOSIGNAL) > 0)
			;
	}
	for (i = 0; i < 4; i++)
		close(c[i]);
	/* Two orphans stay (for now); the other two reset their peers. */
	for (i = 2; i < 4; i++) {
		int err = 0;
		socklen_t len = sizeof(err);

		EXPECT_NE(0, lynx_poll_for(s[i], POLLERR, LIFE_WAIT_MS) &
			  POLLERR);
		EXPECT_EQ(0, getsockopt(s[i], SOL_SOCKET, SO_ERROR, &err,
					&len));
		EXPECT_EQ(ECONNRESET, err);
	}
	for (i = 0; i < 2; i++)
		EXPECT_EQ(0, lynx_poll1(s[i], POLLERR | POLLHUP, 0));
	for (i = 0; i < 4; i++)
		close(s[i]);
}

/* Segments a receiver dropped: no memory for them, or outside its window. */
static long long s_drops(void)
{
	return lynx_stat("drop_rcvbuf") + lynx_stat("drop_out_of_window");
}

/*
 * A reset beyond what the peer accepts now: s advertised its default
 * window (half of 212,992 bytes), then its buffer shrank to SO_RCVBUF
 * 4096, and c's burst into the old window was mostly dropped (a burst
 * while netem holds every frame, as the receive softirq deferred to
 * ksoftirqd on a busy host does).  c's snd_nxt is then far beyond
 * s's rcv_nxt + sk_rcvbuf, where s takes nothing, a reset included.
 * c's reset must still end s: s must not stay ESTABLISHED with nobody
 * on the other end.  (Seen once as peer.max_orphans' failure in a make
 * check on a loaded host.)
 */
TEST_F_TIMEOUT(peer, abort_beyond_shrunk_window, 120)
{
	int small = 4096, err = 0, i, n = 0;
	socklen_t len = sizeof(err);
	char chunk[1024] = { 0 };
	long long drops;

	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/max_orphans", "0"));
	drops = s_drops();
	ASSERT_EQ(0, lynx_sh("tc qdisc add dev lynxlo root netem delay 200ms limit 10000"));
	ASSERT_EQ(0, fcntl(self->c, F_SETFL, O_NONBLOCK));
	for (i = 0; i < 64; i++)
		if (send(self->c, chunk, sizeof(chunk), MSG_NOSIGNAL) ==
		    sizeof(chunk))
			n++;
	TH_LOG("%d KiB sent into the old window", n);
	/* The burst arrives: s keeps what 4096 bytes hold (the first
	 * kilobyte; Nagle's rule holds the rest until it is acknowledged,
	 * then sends it as one segment) and drops the rest, and drops it
	 * again when c's timer resends it.  Two drops: c's snd_nxt is past
	 * the lot, about 60 KiB beyond what s takes.  (Counting more, as
	 * this did, counted c's timeouts, fewer since Karn's backoff stays.)
	 */
	for (i = 0; i < 400 && s_drops() - drops < 2; i++)
		poll(NULL, 0, lynx_ms(50));
	TH_LOG("%lld segments dropped after %d ms", s_drops() - drops,
	       i * 50);
	ASSERT_LE(2, s_drops() - drops);
	ASSERT_EQ(0, lynx_sh("tc qdisc del dev lynxlo root"));
	/* No orphans allowed: close() resets at once. */
	close(self->c);
	self->c = -1;
	EXPECT_NE(0, lynx_poll_for(self->s, POLLERR, LIFE_WAIT_MS) & POLLERR);
	EXPECT_EQ(0, getsockopt(self->s, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ECONNRESET, err);
}

/*
 * An orphan whose peer keeps making slow progress still ends after
 * net.lynx.orphan_timeout seconds: the absolute budget of a connection
 * nobody owns.
 */
TEST_F_TIMEOUT(peer, orphan_timeout, 120)
{
	int small = 4096, flags;
	char chunk[1024] = { 0 };
	long long end;

	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/orphan_timeout",
				     "2"));
	ASSERT_EQ(0, setsockopt(self->s, SOL_SOCKET, SO_RCVBUF, &small,
				sizeof(small)));
	flags = fcntl(self->c, F_GETFL);
	ASSERT_EQ(0, fcntl(self->c, F_SETFL, flags | O_NONBLOCK));
	while (send(self->c, chunk, sizeof(chunk), MSG_NOSIGNAL) > 0)
		;
	close(self->c);
	self->c = -1;
	/* s reads a little every 100 ms: progress, never the whole. */
	end = lynx_now_ms() + 2000 + lynx_ms(LIFE_WAIT_MS);
	while (lynx_now_ms() < end && proc_rows(LIFE_PORT) == 3) {
		recv(self->s, chunk, 16, MSG_DONTWAIT);
		lynx_poll1(self->pkt, 0, 100);
	}
	EXPECT_EQ(2, proc_rows(LIFE_PORT));
}

/*
 * A connection reset while its bytes wait unread, then a reconnect: the
 * reader of the new connection must get the new peer's bytes, never the
 * old one's (connect() starts from empty queues, as tcp_disconnect()).
 */
/* Just a namespace of its own (and a time limit, which TEST lacks). */
FIXTURE(ns)
{
	int unused;
};

FIXTURE_SETUP(ns)
{
	ASSERT_EQ(0, lynx_new_netns());
}

FIXTURE_TEARDOWN(ns)
{
}

TEST_F_TIMEOUT(ns, reconnect_after_reset_purges, 120)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int l1, l2, c, s1, s2;
	char buf[8] = { 0 };

	l1 = lynx_socket(SOCK_STREAM);
	l2 = lynx_socket(SOCK_STREAM);
	ASSERT_EQ(0, lynx_bind(l1, LYNX_NODE_ANY, LIFE_PORT));
	ASSERT_EQ(0, lynx_bind(l2, LYNX_NODE_ANY, LIFE_PORT + 1));
	ASSERT_EQ(0, listen(l1, 4));
	ASSERT_EQ(0, listen(l2, 4));
	c = lynx_socket(SOCK_STREAM | SOCK_NONBLOCK);
	ASSERT_LE(0, c);
	ASSERT_EQ(-1, lynx_connect(c, LYNX_NODE_LOCAL, LIFE_PORT));
	ASSERT_EQ(EINPROGRESS, errno);
	s1 = lynx_accept_wait(l1, LIFE_WAIT_MS, NULL, 0);
	ASSERT_LE(0, s1);
	ASSERT_EQ(3, send(s1, "old", 3, 0));
	ASSERT_EQ(POLLIN, lynx_poll_for(c, POLLIN, LIFE_WAIT_MS) & POLLIN);
	ASSERT_EQ(0, setsockopt(s1, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	close(s1);
	ASSERT_NE(0, lynx_poll_for(c, POLLERR, LIFE_WAIT_MS) & POLLERR);
	/* The failed connection is reported, then the socket is free. */
	EXPECT_EQ(-1, lynx_connect(c, LYNX_NODE_LOCAL, LIFE_PORT + 1));
	EXPECT_EQ(ECONNRESET, errno);
	EXPECT_EQ(-1, lynx_connect(c, LYNX_NODE_LOCAL, LIFE_PORT + 1));
	EXPECT_EQ(EINPROGRESS, errno);
	s2 = lynx_accept_wait(l2, LIFE_WAIT_MS, NULL, 0);
	ASSERT_LE(0, s2);
	ASSERT_EQ(3, send(s2, "new", 3, 0));
	ASSERT_EQ(3, lynx_read_full(c, buf, 3, LIFE_WAIT_MS));
	EXPECT_STREQ("new", buf);
	close(s2);
	close(c);
	close(l1);
	close(l2);
}

/*
 * SO_KEEPALIVE alone finds a peer that vanished without a word: with
 * keepalive_time 1, keepalive_intvl 1 and keepalive_probes 3 an idle
 * connection whose peer still answers lives on, and once every frame is
 * lost it ends with ETIMEDOUT after about 1 + 3 s, no data ever sent.
 */
TEST_F_TIMEOUT(peer, keepalive_detects_dead_peer, 120)
{
	int one = 1, err = 0;
	socklen_t len = sizeof(err);

	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/keepalive_time", "1"));
	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/keepalive_intvl",
				     "1"));
	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/keepalive_probes",
				     "3"));
	ASSERT_EQ(0, setsockopt(self->c, SOL_SOCKET, SO_KEEPALIVE, &one,
				sizeof(one)));
	/* A live peer answers the probes: 6 s is two keepalive cycles. */
	EXPECT_EQ(0, lynx_poll1(self->c, POLLERR, 6000));
	EXPECT_LE(1, lynx_stat("frames_out"));
	ASSERT_EQ(0, lynx_sh("tc qdisc add dev lynxlo root netem loss 100%%"));
	EXPECT_NE(0, lynx_poll1(self->c, POLLERR, 4000 + lynx_ms(LIFE_WAIT_MS)) &
		     POLLERR);
	ASSERT_EQ(0, getsockopt(self->c, SOL_SOCKET, SO_ERROR, &err, &len));
	EXPECT_EQ(ETIMEDOUT, err);
	lynx_sh("tc qdisc del dev lynxlo root");
}

/*
 * The path MTU drops under a connection whose segments were cut for the
 * old one (both devices go from 9000 to 1500 while the reader pauses):
 * the queued segments are cut again, and the transfer completes byte-exact
 * instead of timing out on frames no device accepts.
 */
TEST_F_TIMEOUT(peer, mtu_drop_recuts, 300)
{
	int ctl[2], go[2], c, l, s, flags, nsa, nsb;
	size_t total = 2 << 20, sent = 0, got = 0;
	uint32_t node, sum = 0, rsum = 0;
	char chunk[4096];
	pid_t pid;
	ssize_t n;

	ASSERT_EQ(0, lynx_sh("ip netns add lxmtuA && ip netns add lxmtuB && "
			     "ip -n lxmtuA link add a0 mtu 9000 up type lynx && "
			     "ip -n lxmtuB link add b0 mtu 9000 up type lynx"));
	nsa = open("/run/netns/lxmtuA", O_RDONLY);
	nsb = open("/run/netns/lxmtuB", O_RDONLY);
	ASSERT_LE(0, nsa);
	ASSERT_LE(0, nsb);
	ASSERT_EQ(0, pipe(ctl));
	ASSERT_EQ(0, pipe(go));
	fflush(stdout);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* B: accept, wait for "go", read everything, report. */
		if (setns(nsb, CLONE_NEWNET))
			_exit(2);
		l = lynx_socket(SOCK_STREAM);
		if (l < 0 || lynx_bind(l, LYNX_NODE_ANY, LIFE_PORT) ||
		    listen(l, 1))
			_exit(3);
		node = lynx_node();
		if (write(ctl[1], &node, sizeof(node)) != sizeof(node))
			_exit(4);
		s = lynx_accept_wait(l, LIFE_WAIT_MS, NULL, 0);
		if (s < 0 || read(go[0], &node, 1) != 1)
			_exit(5);
		while ((n = lynx_read_full(s, chunk, sizeof(chunk),
					   LIFE_WAIT_MS)) > 0) {
			for (ssize_t i = 0; i < n; i++)
				rsum = rsum * 31 + (uint8_t)chunk[i];
			got += n;
		}
		if (write(ctl[1], &got, sizeof(got)) != sizeof(got) ||
		    write(ctl[1], &rsum, sizeof(rsum)) != sizeof(rsum))
			_exit(6);
		_exit(0);
	}
	ASSERT_EQ(0, setns(nsa, CLONE_NEWNET));
	ASSERT_EQ(sizeof(node), read(ctl[0], &node, sizeof(node)));
	c = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, lynx_connect(c, node, LIFE_PORT));
	/* Fill both buffers with segments cut for MTU 9000. */
	flags = fcntl(c, F_GETFL);
	ASSERT_EQ(0, fcntl(c, F_SETFL, flags | O_NONBLOCK));
	for (;;) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (char)((sent + i) * 7 + 3);
		n = send(c, chunk, sizeof(chunk), MSG_NOSIGNAL);
		if (n <= 0)
			break;
		for (ssize_t i = 0; i < n; i++)
			sum = sum * 31 + (uint8_t)chunk[i];
		sent += n;
	}
	ASSERT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, lynx_sh("ip -n lxmtuA link set a0 mtu 1500 && "
			     "ip -n lxmtuB link set b0 mtu 1500"));
	ASSERT_EQ(0, fcntl(c, F_SETFL, flags));
	ASSERT_EQ(1, write(go[1], "g", 1));
	while (sent < total) {
		for (size_t i = 0; i < sizeof(chunk); i++)
			chunk[i] = (char)((sent + i) * 7 + 3);
		n = send(c, chunk, sizeof(chunk), MSG_NOSIGNAL);
		ASSERT_LT(0, n) TH_LOG("send after %zu bytes: %s", sent,
				       strerror(errno));
		for (ssize_t i = 0; i < n; i++)
			sum = sum * 31 + (uint8_t)chunk[i];
		sent += n;
	}
	ASSERT_EQ(0, shutdown(c, SHUT_WR));
	ASSERT_EQ(sizeof(got), read(ctl[0], &got, sizeof(got)));
	ASSERT_EQ(sizeof(rsum), read(ctl[0], &rsum, sizeof(rsum)));
	EXPECT_EQ(sent, got);
	EXPECT_EQ(sum, rsum);
	close(c);
	waitpid(pid, NULL, 0);
	lynx_sh("ip netns del lxmtuA; ip netns del lxmtuB");
}

/* ---- replies nobody asked for ----------------------------------------- */

/*
 * Segments for a port with no socket are answered with a reset, but at
 * most net.lynx.reply_burst at once and net.lynx.reply_rate a second per
 * namespace (as ICMP errors are), so forged frames cannot turn a host into
 * an amplifier.  A low rate (10 a second, bursts of 5) makes the bound
 * tight on a slow guest too.
 */
TEST_F_TIMEOUT(ns, rst_rate_limited, 120)
{
	struct lynx_seg seg = {
		.type = LYNX_T_STREAM, .flags = LYNX_F_ACK,
		.src_node = FAKE_NODE, .src_port = FAKE_PORT,
		.dst_port = LIFE_PORT + 1, .seq = 1, .ack = 1, .window = 1000,
		.data = "x", .len = 1,
	};
	long long rst0, drop0, t0, elapsed;
	int pkt, i, n = 500;

	ASSERT_EQ(0, lynx_dev_mac("lynxlo", lo_mac));
	seg.dst_node = lynx_node();
	pkt = lynx_frame_socket("lynxlo");
	ASSERT_LE(0, pkt);
	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/reply_burst", "5"));
	ASSERT_EQ(0, lynx_write_file("/proc/sys/net/lynx/reply_rate", "10"));
	rst0 = lynx_stat("resets_sent");
	drop0 = lynx_stat("drop_no_socket");
	t0 = lynx_now_ms();
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, lynx_frame_send(pkt, lo_mac, &seg));
	/* Until all arrived, or the count stands still (a burst may
	 * overflow the receive backlog before lynx sees it).
	 */
	for (;;) {
		long long seen = lynx_stat("drop_no_socket");

		if (seen >= drop0 + n ||
		    lynx_now_ms() > t0 + lynx_ms(LIFE_WAIT_MS))
			break;
		lynx_poll1(pkt, 0, 500);
		if (lynx_stat("drop_no_socket") == seen)
			break;
	}
	elapsed = lynx_now_ms() - t0;
	ASSERT_LE(drop0 + n / 2, lynx_stat("drop_no_socket"));
	/* 5 at once, then 10 a second. */
	EXPECT_GE(5 + elapsed / 100 + 1, lynx_stat("resets_sent") - rst0)
		TH_LOG("%lld resets for %d frames in %lld ms",
		       lynx_stat("resets_sent") - rst0, n, elapsed);
	EXPECT_LE(1, lynx_stat("resets_sent") - rst0);
	close(pkt);
}

TEST_HARNESS_MAIN
