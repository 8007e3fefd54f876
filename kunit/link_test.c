// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the reliable transport over a lossy link.
 *
 *   lynx_conn_link  init_net's lynxlo with its fault injector on (the test
 *                   facility of dev.c, lynx_dev_set_faults()): frames are
 *                   dropped, duplicated and reordered, and what the
 *                   connections above deliver must still be exact.
 *
 *   lynx_conn_link_test_fault_injector the test link itself, on two segment devices:
 *                       drop, duplicate, reorder (by the next frame and by
 *                       the timer), turning faults off sends the held
 *                       frame, stopping or unregistering frees it
 *   lynx_conn_link_test_retrans_queue  a connected stream pair over a link that drops
 *                       everything; acknowledgements made here are fed to
 *                       the sender through lynx_conn_process(): what a
 *                       cumulative ACK frees, fast retransmit after three
 *                       duplicates, NewReno's partial ACK, an ACK of data
 *                       never sent refused
 *   lynx_conn_link_test_loss_go_back_n after a timeout the segments in flight
 *                       go again as slow start opens the window (1, 2,
 *                       4 ...), each once
 *   lynx_conn_link_test_partial_ack_timer  in fast recovery only the first
 *                       partial ACK restarts the timer (RFC 6582's
 *                       Impatient variant): many holes end in a timeout
 *                       and go-back-N, not a round trip per hole
 *   lynx_conn_link_test_sack_recovery  with SACK blocks fast recovery sends
 *                       every hole again within a round trip, each once,
 *                       nothing the peer has, and no timeout
 *   lynx_conn_link_test_sack_marks  the segments SACK blocks mark (blocks
 *                       that grew, blocks out of range), a timeout
 *                       forgets them
 *   lynx_conn_link_test_sack_lost_retrans  a copy sent again and lost
 *                       again goes once more when what left after it is
 *                       SACKed, without a timeout
 *   lynx_conn_link_test_sack_reordering  segments SACKed late raise the
 *                       reordering the sender tolerates: duplicate ACKs
 *                       below it start no recovery
 *   lynx_conn_link_test_sack_reordering_timeout  a timeout after duplicate
 *                       ACKs that SACKed three segments or more and
 *                       started no recovery takes the tolerance back to
 *                       three (the measure was too high)
 *   lynx_conn_link_test_stream_bytes   a byte stream, written by a work item while the
 *                       test reads, arrives byte for byte, retransmitted
 *   lynx_conn_link_test_seqpacket_msgs SEQPACKET messages from 1 byte to 100 KiB (lynxlo's
 *                       MTU is 65535: the large ones take two segments)
 *                       arrive whole, in order, with MSG_EOR
 *   lynx_conn_link_test_seqpacket_partial  half a SEQPACKET message, fed as from the peer,
 *                       is not readable: no EPOLLIN, recv EAGAIN; the
 *                       other half makes it so
 *   lynx_conn_link_test_send_memory_wait a blocking send over the protocol's memory limit
 *                       waits for memory (as TCP's sk_stream_wait_memory)
 *                       instead of failing or returning short
 *   lynx_conn_link_test_small_writes   small writes a closed window holds back join one
 *                       unsent segment (page fragments, charged byte for
 *                       byte); a sent segment takes no more; byte-exact
 *   lynx_conn_link_test_recut_charge   a segment in page fragments re-cut after an MTU
 *                       drop: the write queue's charge stays its truesize
 *   lynx_conn_link_test_recut_paged    a 60000-byte paged segment re-cut for a
 *                       1460-byte path: pieces stay paged, the truesize
 *                       about the bytes
 *
 * The exit hook turns the faults off and closes the sockets with a reset
 * (linger 0), whatever the outcome, so that no orphan outlives a case.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <linux/prandom.h>
#include <linux/sizes.h>
#include <linux/rtnetlink.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/net_namespace.h>
#include <net/lynx.h>
#include <net/lynx_dev.h>
#include "lynx_test.h"

#define LT_BUF		SZ_1M	/* SO_SNDBUF and SO_RCVBUF */
#define LT_TIMEO	(4 * LYNX_TEST_WAIT)	/* SO_SNDTIMEO and SO_RCVTIMEO */
#define LT_SEED		0x6c796e78U

/* lynx_conn_link_test_stream_bytes */
#define LT_STREAM_LEN	SZ_2M
#define LT_CHUNK_MAX	SZ_32K
#define LT_CHUNK_MIN	SZ_4K

/* lynx_conn_link_test_seqpacket_msgs */
#define LT_NMSG		40
#define LT_MSG_MAX	(100 << 10)

/* lynx_conn_link_test_fault_injector */
#define LT_ETH_P	0x88B6	/* local experimental EtherType 2 */
#define LT_FRAME_LEN	64
#define LT_MAX_RX	16

/**
 * struct lt_ctx - one case's devices, sockets and writer, for the exit hook
 * @lo:      init_net's lynxlo
 * @a:       a segment device (lynx_conn_link_test_fault_injector), or NULL
 * @b:       another, on the same segment, or NULL
 * @pack:    lt_pt is registered
 * @lsock:   the listener
 * @csock:   the client (the writer's side)
 * @asock:   the accepted socket (the reader's side)
 * @writer:  writes on @csock while the case reads @asock
 * @queued:  @writer was queued (the exit hook waits for it)
 * @wbuf:    the writer's buffer
 * @sizes:   SEQPACKET message sizes
 * @nmsg:    how many of @sizes
 * @total:   stream bytes to write
 * @written: stream bytes or messages written
 * @werr:    the writer's error (0: none)
 * @lo_mtu:  @lo's MTU to restore (0: untouched)
 */
struct lt_ctx {
	struct net_device	*lo;
	struct net_device	*a;
	struct net_device	*b;
	bool			pack;
	struct socket		*lsock;
	struct socket		*csock;
	struct socket		*asock;
	struct work_struct	writer;
	bool			queued;
	u8			*wbuf;
	const u32		*sizes;
	unsigned int		nmsg;
	size_t			total;
	size_t			written;
	int			werr;
	int			lo_mtu;
};

static int lt_faults(struct lt_ctx *ctx, u16 drop, u16 dup, u16 reorder)
{
	struct lynx_dev_faults f = {
		.drop = drop, .dup = dup, .reorder = reorder, .seed = LT_SEED,
	};

	return lynx_dev_set_faults(ctx->lo, &f);
}

/* Buffers and timeouts, as setsockopt() would set them. */
static void lt_tune(struct socket *sock)
{
	struct sock *sk = sock->sk;

	lock_sock(sk);
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK;
	WRITE_ONCE(sk->sk_sndbuf, LT_BUF);
	WRITE_ONCE(sk->sk_rcvbuf, LT_BUF);
	WRITE_ONCE(sk->sk_sndtimeo, LT_TIMEO);
	WRITE_ONCE(sk->sk_rcvtimeo, LT_TIMEO);
	release_sock(sk);
}

static void lt_release(struct socket **sockp)
{
	struct socket *sock = *sockp;

	if (!sock)
		return;
	*sockp = NULL;
	if (sock->sk) {
		lock_sock(sock->sk);
		sock_set_flag(sock->sk, SOCK_LINGER);
		sock->sk->sk_lingertime = 0;
		release_sock(sock->sk);
	}
	sock_release(sock);
}

/* A connected pair of @type over lynxlo: ctx->csock and ctx->asock. */
static void lt_pair(struct kunit *test, struct lt_ctx *ctx, int type)
{
	struct sockaddr_lynx addr = {
		.slx_family	= lynx_family,
		.slx_port	= LYNX_PORT_ANY,
		.slx_node	= LYNX_NODE_ANY,
	};

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, lynx_family, type,
					       0, &ctx->lsock), 0);
	lt_tune(ctx->lsock);
	KUNIT_ASSERT_EQ(test, kernel_bind(ctx->lsock, (struct sockaddr *)&addr,
					  sizeof(addr)), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(ctx->lsock, 1), 0);

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, lynx_family, type,
					       0, &ctx->csock), 0);
	lt_tune(ctx->csock);
	addr.slx_port = lynx_sk(ctx->lsock->sk)->port;
	addr.slx_node = LYNX_NODE_LOCAL;
	KUNIT_ASSERT_EQ(test, kernel_connect(ctx->csock,
					     (struct sockaddr *)&addr,
					     sizeof(addr), 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(ctx->lsock, &ctx->asock, 0), 0);
	lt_tune(ctx->asock);
}

static int lt_send(struct socket *sock, const void *buf, size_t len)
{
	return lynx_test_sendmsg(sock, NULL, buf, len, MSG_NOSIGNAL);
}

static int lt_recv(struct socket *sock, void *buf, size_t len, int *flags)
{
	return lynx_test_recvmsg(sock, buf, len, 0, NULL, flags);
}

/* LYNX_NODELAY, as setsockopt() sets it (and net/socket.c's answer for a
 * family without the operation).
 */
static int lt_nodelay(struct socket *sock, int on)
{
	if (!sock->ops->setsockopt)
		return -EOPNOTSUPP;
	return sock->ops->setsockopt(sock, SOL_LYNX, LYNX_NODELAY,
				     KERNEL_SOCKPTR(&on), sizeof(on));
}

/* ---- lynx_conn_link_test_fault_injector ----------------------------------------------- */

/* What lt_pt saw arrive on lt_rx_dev: each frame's tag, in order. */
static DEFINE_SPINLOCK(lt_rx_lock);
static struct net_device *lt_rx_dev;
static u8 lt_rx[LT_MAX_RX];
static unsigned int lt_nrx;

static int lt_rcv(struct sk_buff *skb, struct net_device *dev,
		  struct packet_type *pt, struct net_device *orig_dev)
{
	spin_lock(&lt_rx_lock);
	if (dev == lt_rx_dev && skb->len == LT_FRAME_LEN &&
	    skb->pkt_type == PACKET_HOST) {
		if (lt_nrx < LT_MAX_RX)
			lt_rx[lt_nrx] = skb->data[0];
		lt_nrx++;
	}
	spin_unlock(&lt_rx_lock);
	consume_skb(skb);
	return NET_RX_SUCCESS;
}

static struct packet_type lt_pt = {
	.type	= cpu_to_be16(LT_ETH_P),
	.func	= lt_rcv,
};

static unsigned int lt_rx_count(void)
{
	unsigned int n;

	spin_lock_bh(&lt_rx_lock);
	n = lt_nrx;
	spin_unlock_bh(&lt_rx_lock);
	return n;
}

/* Forget what arrived; count what arrives on @dev from now on. */
static void lt_rx_reset(struct net_device *dev)
{
	spin_lock_bh(&lt_rx_lock);
	lt_rx_dev = dev;
	lt_nrx = 0;
	memset(lt_rx, 0, sizeof(lt_rx));
	spin_unlock_bh(&lt_rx_lock);
}

/* Waits (up to LYNX_TEST_WAIT) for @want frames, then a little for
 * strays.
 */
static unsigned int lt_rx_wait(unsigned int want)
{
	lynx_test_wait_until(lt_rx_count() >= want);
	msleep(20);
	return lt_rx_count();
}

/* A frame tagged @tag from @from to @to, through the qdisc. */
static int lt_xmit(struct net_device *from, struct net_device *to, u8 tag)
{
	int hlen = LL_RESERVED_SPACE(from);
	struct sk_buff *skb;

	skb = alloc_skb(hlen + LT_FRAME_LEN, GFP_KERNEL);
	if (!skb)
		return -ENOMEM;
	skb_reserve(skb, hlen);
	memset(skb_put(skb, LT_FRAME_LEN), tag, LT_FRAME_LEN);
	skb_reset_network_header(skb);
	skb->dev = from;
	skb->protocol = htons(LT_ETH_P);
	if (dev_hard_header(skb, from, LT_ETH_P, to->dev_addr, NULL,
			    LT_FRAME_LEN) < 0) {
		kfree_skb(skb);
		return -EINVAL;
	}
	return dev_queue_xmit(skb);
}

static int lt_dev_faults(struct net_device *dev, u16 drop, u16 dup,
			 u16 reorder, u32 hold_ms)
{
	struct lynx_dev_faults f = {
		.drop = drop, .dup = dup, .reorder = reorder, .seed = LT_SEED,
		.hold_ms = hold_ms,
	};

	return lynx_dev_set_faults(dev, &f);
}

static void lynx_conn_link_test_fault_injector(struct kunit *test)
{
	struct lynx_dev_faults bad = { .reorder = 1001 };
	struct lt_ctx *ctx = test->priv;
	struct lynx_dev_fault_counts counts;
	struct net_device *a, *b;
	u64 dropped, rx;
	int err;

	a = lynx_dev_create(&init_net, "lxlt%d");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(a), "lynx_dev_create: %ld",
			       PTR_ERR(a));
	ctx->a = a;
	b = lynx_dev_create(&init_net, "lxlt%d");
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(b), "lynx_dev_create: %ld",
			       PTR_ERR(b));
	ctx->b = b;
	lt_rx_reset(b);
	dev_add_pack(&lt_pt);
	ctx->pack = true;

	KUNIT_EXPECT_EQ(test, lynx_dev_set_faults(a, &bad), -EINVAL);
	KUNIT_EXPECT_EQ(test, lynx_dev_set_faults(init_net.loopback_dev, NULL),
			-EINVAL);

	/* No faults: a frame is a frame. */
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 1), 0);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(1), 1U);

	/* Held back, then sent after the next one. */
	lt_rx_reset(b);
	KUNIT_ASSERT_EQ(test, lt_dev_faults(a, 0, 0, 1000, 60000), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 1), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 2), 0);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(2), 2U);
	KUNIT_EXPECT_EQ(test, lt_rx[0], 2);
	KUNIT_EXPECT_EQ(test, lt_rx[1], 1);
	lynx_dev_fault_counts(a, &counts);
	KUNIT_EXPECT_EQ(test, counts.reordered, 1ULL);
	/* Held again: turning the faults off sends it.  b counts a frame
	 * when the segment hands it over, inside the transmit, which is the
	 * caller's (the qdisc is empty), as the release is: nothing reached
	 * b on the send, one frame on the release.  No wait for a frame not
	 * to arrive.
	 */
	rx = LYNX_TEST_DEV_STAT(b, rx_packets);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 3), 0);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_packets), rx);
	KUNIT_ASSERT_EQ(test, lynx_dev_set_faults(a, NULL), 0);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(b, rx_packets), rx + 1);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(3), 3U);
	KUNIT_EXPECT_EQ(test, lt_rx[2], 3);

	/* A lone held frame goes when its time is up. */
	lt_rx_reset(b);
	KUNIT_ASSERT_EQ(test, lt_dev_faults(a, 0, 0, 1000, 20), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 4), 0);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(1), 1U);
	KUNIT_EXPECT_EQ(test, lt_rx[0], 4);
	lynx_dev_fault_counts(a, &counts);
	KUNIT_EXPECT_EQ(test, counts.reordered, 0ULL);

	/* Sent twice. */
	lt_rx_reset(b);
	KUNIT_ASSERT_EQ(test, lt_dev_faults(a, 0, 1000, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 5), 0);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(2), 2U);
	KUNIT_EXPECT_EQ(test, lt_rx[0], 5);
	KUNIT_EXPECT_EQ(test, lt_rx[1], 5);
	lynx_dev_fault_counts(a, &counts);
	KUNIT_EXPECT_EQ(test, counts.duplicated, 1ULL);

	/* Dropped, and counted as such. */
	lt_rx_reset(b);
	dropped = LYNX_TEST_DEV_STAT(a, tx_dropped);
	KUNIT_ASSERT_EQ(test, lt_dev_faults(a, 1000, 0, 0, 0), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 6), 0);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(0), 0U);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_dropped), dropped + 1);
	lynx_dev_fault_counts(a, &counts);
	KUNIT_EXPECT_EQ(test, counts.dropped, 1ULL);

	/* A frame held when the device stops is freed, counted as dropped. */
	lt_rx_reset(b);
	KUNIT_ASSERT_EQ(test, lt_dev_faults(a, 0, 0, 1000, 60000), 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 7), 0);
	dropped = LYNX_TEST_DEV_STAT(a, tx_dropped);
	rtnl_lock();
	dev_close(a);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(a, tx_dropped), dropped + 1);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(0), 0U);

	/* ... and so is one held when it goes away (kmemleak would tell). */
	rtnl_lock();
	err = dev_open(a, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, lt_xmit(a, b, 8), 0);
	ctx->a = NULL;
	unregister_netdev(a);
	KUNIT_EXPECT_EQ(test, lt_rx_wait(0), 0U);
}

/* ---- lynx_conn_link_test_retrans_queue ------------------------------------------------ */

#define LT_NSEG		4	/* segments of 1000, 2000, 3000, 4000 bytes */
#define LT_SEG(i)	(1000 * ((i) + 1))
#define LT_QUEUED	(LT_SEG(0) + LT_SEG(1) + LT_SEG(2) + LT_SEG(3))

/* Feed the socket (locked by us, as the backlog would) an acknowledgment
 * from its peer of everything before @ack, keeping the right edge of the
 * peer's window at @wnd_end, with the @n SACK blocks of @sack (none: a
 * plain ACK) as lynx_conn_rcv() leaves them: before skb->data, counted in
 * nsack.
 */
static void lt_ack_sack(struct kunit *test, struct sock *sk, u32 ack,
			u32 wnd_end, const struct lynx_sack_range *sack,
			unsigned int n)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_sack_block *b;
	struct lynx_seg_cb *cb;
	struct sk_buff *skb;
	unsigned int i;

	skb = alloc_skb(LYNX_HEADROOM + n * sizeof(*b), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LYNX_HEADROOM);
	skb_reset_transport_header(skb);
	b = skb_put(skb, n * sizeof(*b));
	for (i = 0; i < n; i++) {
		b[i].start = htonl(sack[i].start);
		b[i].end = htonl(sack[i].end);
	}
	skb_pull(skb, n * sizeof(*b));
	cb = lynx_seg_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = LYNX_F_ACK | (n ? LYNX_F_SACK : 0);
	cb->nsack = n;
	cb->seq = lynx_sk_conn(&lsk->sk)->rcv_nxt;
	cb->end_seq = cb->seq;
	cb->ack = ack;
	cb->window = wnd_end - ack;
	cb->src_node = lsk->peer_node;
	cb->src_port = lsk->peer_port;
	lynx_conn_process(sk, skb);
}

static void lt_ack(struct kunit *test, struct sock *sk, u32 ack, u32 wnd_end)
{
	lt_ack_sack(test, sk, ack, wnd_end, NULL, 0);
}

/* Close the peer's window at snd_una, as if it had said so, and keep the
 * retransmission timer from probing while the case runs.  Returns
 * snd_una; *wnd_end gets the window's right edge before, for lt_ack().
 */
static u32 lt_close_window(struct sock *sk, u32 *wnd_end)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 una;

	lock_sock(sk);
	c->rto = 60 * HZ;
	una = c->snd_una;
	*wnd_end = c->snd_wnd_end;
	c->snd_wnd_end = una;
	release_sock(sk);
	return una;
}

static void lynx_conn_link_test_retrans_queue(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	unsigned int truesize[LT_NSEG];
	struct lynx_dev_fault_counts counts;
	unsigned long retrans, oow, recoveries;
	struct lynx_conn *c;
	struct sk_buff *skb;
	u32 una, wnd_end;
	int i, queued = 0;
	u64 tx_dropped;
	struct sock *sk;
	u8 *buf;

	buf = kunit_kzalloc(test, LT_SEG(LT_NSEG - 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	c = lynx_sk_conn(sk);

	/* Nothing reaches the peer from now on: nothing is acknowledged. */
	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 1000, 0, 0), 0);
	tx_dropped = LYNX_TEST_DEV_STAT(ctx->lo, tx_dropped);
	/* No timeout may retransmit behind the test's back. */
	lock_sock(sk);
	c->rto = 60 * HZ;
	una = c->snd_una;
	wnd_end = c->snd_wnd_end;
	release_sock(sk);
	KUNIT_ASSERT_EQ(test, una, c->snd_nxt);
	KUNIT_ASSERT_TRUE(test, lynx_seq_after(wnd_end, una + LT_QUEUED));

	/* One segment per send (not gathered by Nagle's rule). */
	KUNIT_ASSERT_EQ(test, lt_nodelay(ctx->csock, 1), 0);
	for (i = 0; i < LT_NSEG; i++)
		KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, LT_SEG(i)),
				LT_SEG(i));

	lock_sock(sk);
	i = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (i < LT_NSEG)
			truesize[i] = skb->truesize;
		queued += skb->truesize;
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, LT_NSEG);
	if (i != LT_NSEG) {
		release_sock(sk);
		return;
	}
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)LT_QUEUED);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_QUEUED);
	KUNIT_EXPECT_PTR_EQ(test, c->send_head, NULL);
	KUNIT_EXPECT_TRUE(test, timer_pending(&sk->sk_timer));
	retrans = lynx_test_mib(LYNX_MIB_RETRANS);
	recoveries = lynx_test_mib(LYNX_MIB_FAST_RECOVERIES);

	/* A cumulative ACK of the first two segments frees exactly them. */
	lt_ack(test, sk, una + LT_SEG(0) + LT_SEG(1), wnd_end);
	queued -= truesize[0] + truesize[1];
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 2U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)(LT_SEG(2) + LT_SEG(3)));
	KUNIT_EXPECT_EQ(test, c->snd_una, una + LT_SEG(0) + LT_SEG(1));
	skb = skb_peek(&sk->sk_write_queue);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, lynx_seg_cb(skb)->seq,
			una + LT_SEG(0) + LT_SEG(1));

	/* Half of the third: snd_una moves, the segment stays whole. */
	una += LT_SEG(0) + LT_SEG(1) + LT_SEG(2) / 2;
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_una, una);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 2U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)(LT_SEG(2) + LT_SEG(3)));
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans);

	/* Two duplicates: nothing; the third: the head goes again, once,
	 * and gets a whole RTO to come back (the timer, due in a second
	 * from the last progress, now runs from the resend, as after
	 * tcp_xmit_retransmit_queue()).
	 */
	lt_ack(test, sk, una, wnd_end);
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	c->rto = 60 * HZ;	/* (the RTT samples above shortened it) */
	sk_reset_timer(sk, &sk->sk_timer, jiffies + HZ);
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans + 1);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_FAST_RECOVERIES),
			recoveries + 1);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_TRUE(test, timer_pending(&sk->sk_timer));
	KUNIT_EXPECT_TRUE(test, time_after(sk->sk_timer.expires,
					   jiffies + 30 * HZ));
	KUNIT_EXPECT_EQ(test, c->recover, c->snd_nxt);
	skb = skb_peek(&sk->sk_write_queue);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, lynx_seg_cb(skb)->retrans, 1);
	/* ... and not again on the fourth. */
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans + 1);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_FAST_RECOVERIES),
			recoveries + 1);
	KUNIT_EXPECT_EQ(test, c->snd_una, una);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 2U);

	/* An ACK of what was never sent is refused: nothing moves. */
	oow = lynx_test_mib(LYNX_MIB_DROP_OOW);
	lt_ack(test, sk, c->snd_nxt + 1000, wnd_end);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_DROP_OOW), oow + 1);
	KUNIT_EXPECT_EQ(test, c->snd_una, una);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 2U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)(LT_SEG(2) + LT_SEG(3)));
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans + 1);
	KUNIT_EXPECT_EQ(test, (int)sk->sk_state, TCP_ESTABLISHED);

	/* A partial ACK in recovery: the next hole goes at once (NewReno). */
	una = c->snd_nxt - LT_SEG(3);
	lt_ack(test, sk, una, wnd_end);
	queued -= truesize[2];
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans + 2);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 1U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)LT_SEG(3));

	/* Everything acknowledged: recovery over, queue empty, timer off. */
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_una, c->snd_nxt);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, 0);
	KUNIT_EXPECT_EQ(test, c->wq_bytes, 0U);
	KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans + 2);
	release_sock(sk);

	/* Every frame was dropped by the link and counted: the four
	 * segments and two retransmissions.  The ACK of what was never sent
	 * got no answer (answering it is how ACK storms start).
	 */
	lynx_dev_fault_counts(ctx->lo, &counts);
	KUNIT_EXPECT_EQ(test, counts.dropped, (u64)LT_NSEG + 2);
	KUNIT_EXPECT_EQ(test, counts.duplicated, 0ULL);
	KUNIT_EXPECT_EQ(test, counts.reordered, 0ULL);
	KUNIT_EXPECT_EQ(test, LYNX_TEST_DEV_STAT(ctx->lo, tx_dropped), tx_dropped + LT_NSEG + 2);
}

/* Lower lynxlo's MTU to @mtu; the exit hook puts it back. */
static void lt_set_mtu(struct kunit *test, struct lt_ctx *ctx, int mtu)
{
	int err;

	rtnl_lock();
	if (!ctx->lo_mtu)
		ctx->lo_mtu = ctx->lo->mtu;
	err = dev_set_mtu(ctx->lo, mtu);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
}

static void lt_restore_mtu(struct lt_ctx *ctx)
{
	if (!ctx->lo_mtu)
		return;
	rtnl_lock();
	dev_set_mtu(ctx->lo, ctx->lo_mtu);
	rtnl_unlock();
	ctx->lo_mtu = 0;
}

/* ---- lynx_conn_link_test_loss_go_back_n ---------------------------------------- */

#define LT_GBN_SEGS	8
#define LT_GBN_LEN	1000	/* a full segment: lynxlo's MTU made to fit */

/* A connected stream pair over a link that drops everything (the case
 * feeds the ACKs), lynxlo's MTU made to fit full LT_GBN_LEN segments (the
 * window counts acknowledged bytes in them), a 60 s RTO, and LT_GBN_SEGS
 * such segments sent.  Returns the sender's socket, unlocked; *@buf is
 * the payload buffer, *@una and *@wnd_end as they were before the sends.
 */
static struct sock *lt_send_lost_segs(struct kunit *test, struct lt_ctx *ctx,
				      u8 **buf, u32 *una, u32 *wnd_end)
{
	struct lynx_conn *c;
	struct sock *sk;
	int i;

	*buf = kunit_kzalloc(test, LT_GBN_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *buf);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	c = lynx_sk_conn(sk);
	lt_set_mtu(test, ctx, LYNX_HLEN + LT_GBN_LEN);

	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 1000, 0, 0), 0);
	lock_sock(sk);
	c->rto = 60 * HZ;
	*una = c->snd_una;
	*wnd_end = c->snd_wnd_end;
	release_sock(sk);
	KUNIT_ASSERT_TRUE(test, lynx_seq_after(*wnd_end,
					       *una + LT_GBN_SEGS * LT_GBN_LEN));
	KUNIT_ASSERT_EQ(test, lt_nodelay(ctx->csock, 1), 0);
	for (i = 0; i < LT_GBN_SEGS; i++)
		KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, *buf, LT_GBN_LEN),
				LT_GBN_LEN);
	return sk;
}

/* After a timeout every segment in flight is presumed lost, as
 * tcp_enter_loss() marks them: they go again in order as slow start opens
 * the window (1, 2, 4, ... a round trip), not one per round trip, which
 * made a burst of n losses cost n round trips.
 */
static void lynx_conn_link_test_loss_go_back_n(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	struct lynx_dev_fault_counts counts;
	unsigned long timeouts, recoveries;
	u32 una, wnd_end, retrans;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	/* Held from here to the end: a timer that fires meanwhile finds the
	 * socket owned and only arms itself again.
	 */
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_GBN_SEGS * LT_GBN_LEN);
	retrans = c->total_retrans;
	timeouts = lynx_test_mib(LYNX_MIB_TIMEOUTS);
	recoveries = lynx_test_mib(LYNX_MIB_FAST_RECOVERIES);

	/* The timeout: a window of one, the oldest segment goes again. */
	lynx_conn_timeout(sk);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_TIMEOUTS), timeouts + 1);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 1);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, una + LT_GBN_LEN);

	/* Its ACK: a window of two, the next two go. */
	lt_ack(test, sk, una + LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 2U);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 3);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, una + 3 * LT_GBN_LEN);

	/* Theirs: four, the next four. */
	lt_ack(test, sk, una + 3 * LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 4U);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 7);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, una + 7 * LT_GBN_LEN);

	/* Theirs: the last one, and no segment twice (the window, up to
	 * the threshold Reno or CUBIC set, has room for more).
	 */
	lt_ack(test, sk, una + 7 * LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_GE(test, c->snd_cwnd, 5U);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 8);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, una + 8 * LT_GBN_LEN);
	KUNIT_EXPECT_TRUE(test, c->in_loss);

	/* All of it: loss recovery over, nothing more sent again. */
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 8);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	KUNIT_EXPECT_PTR_EQ(test, c->rtx_hint, NULL);
	/* One timeout, and its recovery's ACKs began no fast one. */
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_TIMEOUTS), timeouts + 1);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_FAST_RECOVERIES),
			recoveries);
	release_sock(sk);

	/* Each segment left twice, and the link took them all. */
	lynx_dev_fault_counts(ctx->lo, &counts);
	KUNIT_EXPECT_EQ(test, counts.dropped, 2ULL * LT_GBN_SEGS);
}

static void lynx_conn_link_test_partial_ack_timer(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end, retrans, ssthresh;
	unsigned long timeouts, at;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;
	int i;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_GBN_SEGS * LT_GBN_LEN);
	c->rto = 60 * HZ;
	retrans = c->total_retrans;
	timeouts = lynx_test_mib(LYNX_MIB_TIMEOUTS);

	/* Three duplicates: fast retransmit of the first hole. */
	for (i = 0; i < LYNX_DUPACK_THRESH; i++)
		lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 1);

	/* The first partial ACK: the next hole, and a whole RTO for it.
	 * (The case sets the timer 20 s ahead, to tell it from a fresh
	 * 60 s RTO; a real timeout cannot come first while the case owns
	 * the socket: the timer then only arms itself again.)
	 */
	c->rto = 60 * HZ;
	sk_reset_timer(sk, &sk->sk_timer, jiffies + 20 * HZ);
	lt_ack(test, sk, una + LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 2);
	KUNIT_EXPECT_TRUE(test, time_after(sk->sk_timer.expires,
					   jiffies + 30 * HZ));

	/* The second: the next hole too, but the timer keeps running. */
	c->rto = 60 * HZ;
	at = jiffies + 20 * HZ;
	sk_reset_timer(sk, &sk->sk_timer, at);
	lt_ack(test, sk, una + 2 * LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 3);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	KUNIT_EXPECT_TRUE(test, timer_pending(&sk->sk_timer));
	KUNIT_EXPECT_FALSE(test, time_after(sk->sk_timer.expires, at));

	/* It fires: everything from snd_una goes again, as the window
	 * opens, and the threshold fast recovery set stays.
	 */
	ssthresh = c->snd_ssthresh;
	lynx_conn_timeout(sk);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_TIMEOUTS), timeouts + 1);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, ssthresh);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, una + 3 * LT_GBN_LEN);

	/* All of it acknowledged: that recovery is over.  (No real timeout
	 * while the case sends again unlocked: the backoff kept after the
	 * timeout would make it 2 s.)
	 */
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	c->rto = 60 * HZ;
	release_sock(sk);

	/* The next fast recovery's first partial ACK restarts it again. */
	for (i = 0; i < LT_GBN_SEGS; i++)
		KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, LT_GBN_LEN),
				LT_GBN_LEN);
	lock_sock(sk);
	/* Progress first: duplicates of the last recovery's point would
	 * start none (RFC 6582 4.1).
	 */
	una = c->snd_una + LT_GBN_LEN;
	wnd_end = c->snd_wnd_end;
	lt_ack(test, sk, una, wnd_end);
	KUNIT_ASSERT_TRUE(test, lynx_seq_after(c->snd_nxt,
					       una + 2 * LT_GBN_LEN));
	for (i = 0; i < LYNX_DUPACK_THRESH; i++)
		lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	c->rto = 60 * HZ;
	sk_reset_timer(sk, &sk->sk_timer, jiffies + 20 * HZ);
	lt_ack(test, sk, una + LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_TRUE(test, time_after(sk->sk_timer.expires,
					   jiffies + 30 * HZ));
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	release_sock(sk);
}

/* ---- lynx_conn_link_test_sack_recovery ------------------------------------------------ */

/* lt_ack_sack() with @n blocks given as (first, end) segment numbers of
 * LT_GBN_LEN bytes each after @base, the first pair first.
 */
static void lt_sack(struct kunit *test, struct sock *sk, u32 ack, u32 wnd_end,
		    u32 base, const u32 (*blocks)[2], unsigned int n)
{
	struct lynx_sack_range sack[LYNX_SACK_MAX];
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, LYNX_SACK_MAX);
	for (i = 0; i < n; i++) {
		sack[i].start = base + blocks[i][0] * LT_GBN_LEN;
		sack[i].end = base + blocks[i][1] * LT_GBN_LEN;
	}
	lt_ack_sack(test, sk, ack, wnd_end, sack, n);
}

/* Segments 0, 2 and 4 of 8 lost, the peer's SACK blocks say which came:
 * fast recovery sends the three holes again within the round trip of the
 * duplicate ACKs, each once and nothing the peer has, with no timeout.
 * NewReno, blind to them, sent one hole a round trip.
 */
static void lynx_conn_link_test_sack_recovery(struct kunit *test)
{
	static const u32 b1[][2] = { { 1, 2 } };
	static const u32 b3[][2] = { { 3, 4 }, { 1, 2 } };
	static const u32 b5[][2] = { { 5, 6 }, { 3, 4 }, { 1, 2 } };
	static const u32 b6[][2] = { { 5, 7 }, { 3, 4 }, { 1, 2 } };
	static const u32 b7[][2] = { { 5, 8 }, { 3, 4 }, { 1, 2 } };
	static const u32 b2[][2] = { { 3, 4 }, { 5, 8 } };
	static const u32 b4[][2] = { { 5, 8 } };
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end, retrans;
	unsigned long timeouts;
	struct lynx_conn *c;
	struct sk_buff *skb;
	struct sock *sk;
	u8 *buf;
	int i;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	KUNIT_EXPECT_TRUE(test, c->sack_ok);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_GBN_SEGS * LT_GBN_LEN);
	retrans = c->total_retrans;
	timeouts = lynx_test_mib(LYNX_MIB_TIMEOUTS);

	/* Segments 1, 3 and 5 arrive: three duplicates, fast recovery.  */
	lt_sack(test, sk, una, wnd_end, una, b1, ARRAY_SIZE(b1));
	lt_sack(test, sk, una, wnd_end, una, b3, ARRAY_SIZE(b3));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans);
	lt_sack(test, sk, una, wnd_end, una, b5, ARRAY_SIZE(b5));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 3U * LT_GBN_LEN);
	/* 6 and 7: every hole went again by now (Reno's window of four
	 * segments has room for them once 6 is in), and none twice.
	 */
	lt_sack(test, sk, una, wnd_end, una, b6, ARRAY_SIZE(b6));
	lt_sack(test, sk, una, wnd_end, una, b7, ARRAY_SIZE(b7));
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 3);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 5U * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, c->highest_sack, una + 8 * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, c->retrans_out, 3U * LT_GBN_LEN);
	/* The holes went again, the rest did not. */
	i = 0;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		bool hole = i == 0 || i == 2 || i == 4;

		KUNIT_EXPECT_EQ_MSG(test, lynx_seg_cb(skb)->retrans, hole,
				    "segment %d", i);
		KUNIT_EXPECT_EQ_MSG(test, lynx_seg_cb(skb)->sacked,
				    hole ? LYNX_SEG_RETRANS : LYNX_SEG_SACKED,
				    "segment %d", i);
		i++;
	}
	KUNIT_EXPECT_EQ(test, i, LT_GBN_SEGS);

	/* The resends arrive: partial ACKs, nothing more to send again. */
	lt_sack(test, sk, una + 2 * LT_GBN_LEN, wnd_end, una, b2,
		ARRAY_SIZE(b2));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	lt_sack(test, sk, una + 4 * LT_GBN_LEN, wnd_end, una, b4,
		ARRAY_SIZE(b4));
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 3);
	lt_ack(test, sk, una + 8 * LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 3);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, c->retrans_out, 0U);
	KUNIT_EXPECT_PTR_EQ(test, c->sack_hint, NULL);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_TIMEOUTS), timeouts);
	release_sock(sk);
}

/* What the sender marks: every segment a block covers whole, a block
 * that grew at either end, and nothing for blocks outside snd_una ..
 * snd_nxt or empty ones.
 */
static void lynx_conn_link_test_sack_marks(struct kunit *test)
{
	static const u32 mid[][2] = { { 2, 5 } };
	static const u32 grown[][2] = { { 1, 5 } };
	static const u32 bad[][2] = { { 6, 6 }, { 7, 9 }, { 7, 6 } };
	static const u32 below[][2] = { { 0, 2 } };
	static const u32 last[][2] = { { 7, 8 }, { 1, 5 } };
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	lt_sack(test, sk, una, wnd_end, una, mid, ARRAY_SIZE(mid));
	KUNIT_EXPECT_EQ(test, c->sacked_out, 3U * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, c->highest_sack, una + 5 * LT_GBN_LEN);
	/* It grew at its start (segment 1 came late): 1 is marked too. */
	lt_sack(test, sk, una, wnd_end, una, grown, ARRAY_SIZE(grown));
	KUNIT_EXPECT_EQ(test, c->sacked_out, 4U * LT_GBN_LEN);
	/* The same again: nothing new. */
	lt_sack(test, sk, una, wnd_end, una, grown, ARRAY_SIZE(grown));
	KUNIT_EXPECT_EQ(test, c->sacked_out, 4U * LT_GBN_LEN);
	/* Empty, beyond snd_nxt, inverted; below snd_una: ignored. */
	lt_sack(test, sk, una, wnd_end, una, bad, ARRAY_SIZE(bad));
	lt_sack(test, sk, una, wnd_end, una - LT_GBN_LEN, below,
		ARRAY_SIZE(below));
	KUNIT_EXPECT_EQ(test, c->sacked_out, 4U * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, c->highest_sack, una + 5 * LT_GBN_LEN);
	lt_sack(test, sk, una, wnd_end, una, last, ARRAY_SIZE(last));
	KUNIT_EXPECT_EQ(test, c->sacked_out, 5U * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, c->highest_sack, una + 8 * LT_GBN_LEN);
	/* A timeout forgets every mark (the peer may drop what it
	 * reported); go-back-N sends from snd_una.
	 */
	lynx_conn_timeout(sk);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, c->retrans_out, 0U);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	release_sock(sk);
}

/* Segment 0 lost, and its copy sent again lost too: once the peer SACKs
 * a segment that left after that copy, it goes a third time, without a
 * timeout (whose window of one segment took a flow down to nothing when
 * a queue it shared overflowed).
 */
static void lynx_conn_link_test_sack_lost_retrans(struct kunit *test)
{
	static const u32 b1[][2] = { { 1, 2 } };
	static const u32 b2[][2] = { { 1, 3 } };
	static const u32 b3[][2] = { { 1, 4 } };
	static const u32 b7[][2] = { { 1, 8 } };
	static const u32 b8[][2] = { { 1, 9 } };
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end, retrans;
	unsigned long timeouts;
	struct lynx_seg_cb *cb;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	retrans = c->total_retrans;
	timeouts = lynx_test_mib(LYNX_MIB_TIMEOUTS);
	lt_sack(test, sk, una, wnd_end, una, b1, ARRAY_SIZE(b1));
	lt_sack(test, sk, una, wnd_end, una, b2, ARRAY_SIZE(b2));
	lt_sack(test, sk, una, wnd_end, una, b3, ARRAY_SIZE(b3));
	KUNIT_ASSERT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 1);
	cb = lynx_seg_cb(skb_peek(&sk->sk_write_queue));
	KUNIT_EXPECT_EQ(test, cb->resent_nxt, una + 8 * LT_GBN_LEN);
	/* 4 to 7 were only late: nothing else is lost. */
	lt_sack(test, sk, una, wnd_end, una, b7, ARRAY_SIZE(b7));
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 1);
	release_sock(sk);

	/* Segment 8 leaves after the copy of 0 (the pipe has room). */
	KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, LT_GBN_LEN), LT_GBN_LEN);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + 9 * LT_GBN_LEN);
	/* It arrives, the copy of 0 did not: lost again, sent again. */
	lt_sack(test, sk, una, wnd_end, una, b8, ARRAY_SIZE(b8));
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans + 2);
	KUNIT_EXPECT_EQ(test, cb->resent_nxt, una + 9 * LT_GBN_LEN);
	KUNIT_EXPECT_EQ(test, cb->sacked, LYNX_SEG_RETRANS);
	KUNIT_EXPECT_EQ(test, c->retrans_out, LT_GBN_LEN);
	/* The third copy arrives: all of it acknowledged. */
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->retrans_out, 0U);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_TIMEOUTS), timeouts);
	release_sock(sk);
}

/* A segment never sent again SACKed below the highest SACKed one came
 * late, not lost: the path reorders (a frame transmitted on one CPU
 * overtakes one queued on the other).  The sender learns by how many
 * segments, as TCP's tp->reordering, and takes that many duplicate ACKs
 * before it calls a segment lost; with three it sent again what the
 * peer had, and cut its window for nothing.
 */
/* The SACK blocks of the reordering cases, one an ACK, in the order they
 * come: 5 first, then 1 to 4 (those four came late, 1 by five segments),
 * then 6 and 7 (a third and a fourth duplicate ACK).
 */
static const u32 lt_reorder_sacks[][2] = {
	{ 5, 6 }, { 1, 6 }, { 1, 7 }, { 1, 8 },
};

/* Sends the ACKs of lt_reorder_sacks[@first .. @first + @n - 1]. */
static void lt_sack_reorder(struct kunit *test, struct sock *sk, u32 una,
			    u32 wnd_end, unsigned int first, unsigned int n)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		lt_sack(test, sk, una, wnd_end, una, lt_reorder_sacks + i, 1);
}

static void lynx_conn_link_test_sack_reordering(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end, retrans;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	retrans = c->total_retrans;
	KUNIT_EXPECT_EQ(test, c->reordering, LYNX_DUPACK_THRESH);
	/* 5 first, then 1 to 4: those four came late, 1 by five segments. */
	lt_sack_reorder(test, sk, una, wnd_end, 0, 2);
	KUNIT_EXPECT_EQ(test, c->reordering, 5);
	/* A third and a fourth duplicate: no recovery, nothing sent again. */
	lt_sack_reorder(test, sk, una, wnd_end, 2, 2);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans);
	/* 0 comes too: all of it acknowledged, the measure stays. */
	lt_ack(test, sk, una + 8 * LT_GBN_LEN, wnd_end);
	KUNIT_EXPECT_EQ(test, c->sacked_out, 0U);
	KUNIT_EXPECT_EQ(test, c->reordering, 8);
	KUNIT_EXPECT_EQ(test, c->total_retrans, retrans);
	release_sock(sk);
}

/* The reordering measure of lynx_conn_link_test_sack_reordering, then a
 * hole that its four duplicate ACKs do not call lost: the timeout that
 * ends it says the measure was too high (tcp_enter_loss() does the same):
 * back to three.
 */
static void lynx_conn_link_test_sack_reordering_timeout(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	u32 una, wnd_end;
	struct lynx_conn *c;
	struct sock *sk;
	u8 *buf;

	sk = lt_send_lost_segs(test, ctx, &buf, &una, &wnd_end);
	c = lynx_sk_conn(sk);

	lock_sock(sk);
	lt_sack_reorder(test, sk, una, wnd_end, 0, ARRAY_SIZE(lt_reorder_sacks));
	KUNIT_EXPECT_EQ(test, c->reordering, 5);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	lynx_conn_timeout(sk);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->reordering, LYNX_DUPACK_THRESH);
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	release_sock(sk);
}

/* ---- lynx_conn_link_test_rtt_samples -------------------------------------------------- */

#define LT_SRTT_US	(10 * USEC_PER_SEC)

/* The sender's round trip is sampled from every ACK of segments sent
 * once, as TCP's tcp_clean_rtx_queue() does from each skb's send time,
 * not from one timed segment a window: that one is lost to Karn's rule
 * by any resend in its window, and under steady loss the estimate froze
 * below the path's queueing delay, so the RTO fired early again and again.
 * An ACK that covers a resent segment is no sample (Karn).
 */
static void lynx_conn_link_test_rtt_samples(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	struct lynx_conn *c;
	struct sk_buff *skb;
	u32 una, wnd_end, srtt;
	struct sock *sk;
	u8 *buf;
	int i;

	buf = kunit_kzalloc(test, LT_SEG(LT_NSEG - 1), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	c = lynx_sk_conn(sk);
	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 1000, 0, 0), 0);
	lock_sock(sk);
	c->rto = 60 * HZ;	/* no timeout resends behind the case's back */
	una = c->snd_una;
	wnd_end = c->snd_wnd_end;
	release_sock(sk);
	KUNIT_ASSERT_EQ(test, lt_nodelay(ctx->csock, 1), 0);
	for (i = 0; i < LT_NSEG; i++)
		KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, LT_SEG(i)),
				LT_SEG(i));

	lock_sock(sk);
	KUNIT_ASSERT_EQ(test, c->snd_nxt, una + LT_QUEUED);
	c->rtt = (struct lynx_rtt){ .srtt_us = LT_SRTT_US << 3 };

	/* Each ACK of segments sent once is a sample (microseconds old,
	 * far below the estimate), not only the first of the window ...
	 */
	lt_ack(test, sk, una + LT_SEG(0), wnd_end);
	KUNIT_EXPECT_LT(test, c->rtt.srtt_us, (u32)(LT_SRTT_US << 3));
	/* ... and the sample is the age of the segment it covers: sent
	 * 400 ms ago, it moves an estimate of 100 ms an eighth of the way,
	 * to 137.5 ms (and a little more for the time the case takes).
	 */
	skb = skb_peek(&sk->sk_write_queue);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	lynx_seg_cb(skb)->sent_us -= 400 * USEC_PER_MSEC;
	c->rtt.srtt_us = (100 * USEC_PER_MSEC) << 3;
	lt_ack(test, sk, una + LT_SEG(0) + LT_SEG(1), wnd_end);
	srtt = c->rtt.srtt_us >> 3;
	KUNIT_EXPECT_GE(test, srtt, 137500U);
	KUNIT_EXPECT_LT(test, srtt, 145000U);

	/* Three duplicates resend the third segment, and the partial ACK
	 * of it the fourth (NewReno): neither ACK is a sample (Karn).
	 */
	una += LT_SEG(0) + LT_SEG(1);
	c->rtt.srtt_us = LT_SRTT_US << 3;
	for (i = 0; i < 3; i++)
		lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	lt_ack(test, sk, una + LT_SEG(2), wnd_end);
	KUNIT_EXPECT_EQ(test, c->rtt.srtt_us, (u32)(LT_SRTT_US << 3));
	lt_ack(test, sk, c->snd_nxt, wnd_end);
	KUNIT_EXPECT_EQ(test, c->rtt.srtt_us, (u32)(LT_SRTT_US << 3));
	KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
	release_sock(sk);
}

/* ---- lynx_conn_link_test_stream_bytes ------------------------------------------------- */

static u8 lt_byte(size_t off)
{
	return (u8)(off + (off >> 8) * 7 + (off >> 16) * 13);
}

/* The next write's size: varied, so segments are of many sizes. */
static size_t lt_chunk(size_t off, size_t total)
{
	size_t n = LT_CHUNK_MIN + (off * 7919) % (LT_CHUNK_MAX - LT_CHUNK_MIN);

	return min(n, total - off);
}

static void lt_stream_writer(struct work_struct *work)
{
	struct lt_ctx *ctx = container_of(work, struct lt_ctx, writer);
	size_t off = 0, n, i;
	int ret = 0;

	while (off < ctx->total) {
		n = lt_chunk(off, ctx->total);
		for (i = 0; i < n; i++)
			ctx->wbuf[i] = lt_byte(off + i);
		ret = lt_send(ctx->csock, ctx->wbuf, n);
		if (ret <= 0)
			break;
		off += ret;
	}
	ctx->written = off;
	ctx->werr = ret < 0 ? ret : 0;
	kernel_sock_shutdown(ctx->csock, SHUT_WR);
}

static void lynx_conn_link_test_stream_bytes(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	struct lynx_dev_fault_counts counts;
	size_t got = 0, bad = SIZE_MAX;
	unsigned long retrans;
	int i, ret;
	u8 *rbuf;

	ctx->wbuf = kunit_kmalloc(test, LT_CHUNK_MAX, GFP_KERNEL);
	rbuf = kunit_kmalloc(test, LT_CHUNK_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wbuf);
	KUNIT_ASSERT_NOT_NULL(test, rbuf);
	retrans = lynx_test_mib(LYNX_MIB_RETRANS);
	/* The handshake crosses the lossy link too. */
	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 100, 50, 250), 0);
	lt_pair(test, ctx, SOCK_STREAM);

	ctx->total = LT_STREAM_LEN;
	INIT_WORK(&ctx->writer, lt_stream_writer);
	ctx->queued = true;
	queue_work(system_unbound_wq, &ctx->writer);

	while (got < ctx->total) {
		ret = lt_recv(ctx->asock, rbuf, LT_CHUNK_MAX, NULL);
		if (ret <= 0) {
			KUNIT_FAIL(test, "recv at %zu: %d", got, ret);
			break;
		}
		for (i = 0; i < ret && bad == SIZE_MAX; i++)
			if (rbuf[i] != lt_byte(got + i))
				bad = got + i;
		got += ret;
	}
	KUNIT_EXPECT_EQ(test, got, (size_t)LT_STREAM_LEN);
	KUNIT_EXPECT_EQ_MSG(test, bad, SIZE_MAX, "first wrong byte");
	/* The writer's FIN: end of stream. */
	KUNIT_EXPECT_EQ(test, lt_recv(ctx->asock, rbuf, LT_CHUNK_MAX, NULL), 0);

	flush_work(&ctx->writer);
	KUNIT_EXPECT_EQ(test, ctx->werr, 0);
	KUNIT_EXPECT_EQ(test, ctx->written, (size_t)LT_STREAM_LEN);
	KUNIT_EXPECT_GT(test, lynx_test_mib(LYNX_MIB_RETRANS), retrans);

	lynx_dev_fault_counts(ctx->lo, &counts);
	kunit_info(test, "link: %llu dropped, %llu duplicated, %llu reordered; %lu retransmissions",
		   counts.dropped, counts.duplicated, counts.reordered,
		   lynx_test_mib(LYNX_MIB_RETRANS) - retrans);
	KUNIT_EXPECT_GT(test, counts.dropped, 0ULL);
	KUNIT_EXPECT_GT(test, counts.duplicated, 0ULL);
	KUNIT_EXPECT_GT(test, counts.reordered, 0ULL);
}

/* ---- lynx_conn_link_test_seqpacket_msgs ----------------------------------------------- */

static u8 lt_msg_byte(unsigned int msg, size_t off)
{
	return (u8)(msg * 151 + off + (off >> 9));
}

static void lt_seqpacket_writer(struct work_struct *work)
{
	struct lt_ctx *ctx = container_of(work, struct lt_ctx, writer);
	unsigned int m;
	size_t i;
	int ret;

	for (m = 0; m < ctx->nmsg; m++) {
		for (i = 0; i < ctx->sizes[m]; i++)
			ctx->wbuf[i] = lt_msg_byte(m, i);
		ret = lt_send(ctx->csock, ctx->wbuf, ctx->sizes[m]);
		if (ret != (int)ctx->sizes[m]) {
			ctx->werr = ret < 0 ? ret : -EIO;
			break;
		}
	}
	ctx->written = m;
	kernel_sock_shutdown(ctx->csock, SHUT_WR);
}

/* Sizes around the segment boundary first, then anything up to the max. */
static void lt_msg_sizes(u32 *sizes, unsigned int n)
{
	static const u32 edge[] = {
		1, 2, LYNX_HLEN, 1000, 65535 - LYNX_HLEN - 1,
		65535 - LYNX_HLEN, 65535 - LYNX_HLEN + 1, 65536, 100000,
		LT_MSG_MAX,
	};
	struct rnd_state rnd;
	unsigned int i;

	prandom_seed_state(&rnd, LT_SEED);
	for (i = 0; i < n; i++)
		sizes[i] = i < ARRAY_SIZE(edge) ? edge[i] :
			   1 + prandom_u32_state(&rnd) % LT_MSG_MAX;
}

static void lynx_conn_link_test_seqpacket_msgs(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	struct lynx_dev_fault_counts counts;
	unsigned long retrans;
	unsigned int m;
	int ret, flags;
	u32 *sizes;
	size_t i;
	u8 *rbuf;

	sizes = kunit_kcalloc(test, LT_NMSG, sizeof(*sizes), GFP_KERNEL);
	ctx->wbuf = kunit_kmalloc(test, LT_MSG_MAX, GFP_KERNEL);
	rbuf = kunit_kmalloc(test, LT_MSG_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, sizes);
	KUNIT_ASSERT_NOT_NULL(test, ctx->wbuf);
	KUNIT_ASSERT_NOT_NULL(test, rbuf);
	lt_msg_sizes(sizes, LT_NMSG);
	retrans = lynx_test_mib(LYNX_MIB_RETRANS);
	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 100, 50, 250), 0);
	lt_pair(test, ctx, SOCK_SEQPACKET);

	ctx->sizes = sizes;
	ctx->nmsg = LT_NMSG;
	INIT_WORK(&ctx->writer, lt_seqpacket_writer);
	ctx->queued = true;
	queue_work(system_unbound_wq, &ctx->writer);

	for (m = 0; m < LT_NMSG; m++) {
		/* One byte more than the largest: a merged message shows. */
		ret = lt_recv(ctx->asock, rbuf, LT_MSG_MAX + 1, &flags);
		if (ret != (int)sizes[m]) {
			KUNIT_FAIL(test, "message %u: %d bytes, want %u", m, ret,
				   sizes[m]);
			break;
		}
		KUNIT_EXPECT_TRUE_MSG(test, flags & MSG_EOR, "message %u", m);
		KUNIT_EXPECT_FALSE_MSG(test, flags & MSG_TRUNC, "message %u",
				       m);
		for (i = 0; i < (size_t)ret; i++)
			if (rbuf[i] != lt_msg_byte(m, i))
				break;
		KUNIT_EXPECT_EQ_MSG(test, i, (size_t)ret,
				    "message %u: first wrong byte", m);
	}
	KUNIT_EXPECT_EQ(test, m, (unsigned int)LT_NMSG);
	if (m == LT_NMSG)
		KUNIT_EXPECT_EQ(test, lt_recv(ctx->asock, rbuf, LT_MSG_MAX + 1,
					      NULL), 0);

	flush_work(&ctx->writer);
	KUNIT_EXPECT_EQ(test, ctx->werr, 0);
	KUNIT_EXPECT_EQ(test, ctx->written, (size_t)LT_NMSG);

	lynx_dev_fault_counts(ctx->lo, &counts);
	kunit_info(test, "link: %llu dropped, %llu duplicated, %llu reordered; %lu retransmissions",
		   counts.dropped, counts.duplicated, counts.reordered,
		   lynx_test_mib(LYNX_MIB_RETRANS) - retrans);
	KUNIT_EXPECT_GT(test, counts.dropped, 0ULL);
}

/* ---- lynx_conn_link_test_seqpacket_partial ------------------------------------------- */

/* A segment from @sk's peer: @len bytes of @data at @seq, acking nothing new. */
static struct sk_buff *lt_seg(struct kunit *test, struct sock *sk, u32 seq,
			      const void *data, u32 len, u8 flags)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_seg_cb *cb;
	struct sk_buff *skb;

	skb = alloc_skb(LYNX_HEADROOM + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LYNX_HEADROOM);
	skb_put_data(skb, data, len);
	cb = lynx_seg_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->flags = LYNX_F_ACK | flags;
	cb->seq = seq;
	cb->end_seq = seq + len;
	cb->ack = lynx_sk_conn(&lsk->sk)->snd_una;
	cb->window = lynx_sk_conn(&lsk->sk)->snd_wnd_end - lynx_sk_conn(&lsk->sk)->snd_una;
	cb->src_node = lsk->peer_node;
	cb->src_port = lsk->peer_port;
	return skb;
}

static int lt_recv_nb(struct socket *sock, void *buf, size_t len)
{
	struct msghdr msg = {};
	struct kvec vec = { .iov_base = buf, .iov_len = len };

	return kernel_recvmsg(sock, &msg, &vec, 1, len, MSG_DONTWAIT);
}

static void lynx_conn_link_test_seqpacket_partial(struct kunit *test)
{
	static const char one[] = "first half, ", two[] = "second half";
	const u32 n1 = sizeof(one) - 1, n2 = sizeof(two) - 1;
	struct lt_ctx *ctx = test->priv;
	struct sk_buff *a, *b;
	struct sock *sk;
	char buf[64];
	__poll_t mask;
	u32 seq;

	lt_pair(test, ctx, SOCK_SEQPACKET);
	/* Nothing reaches the other end: the test is the peer. */
	KUNIT_ASSERT_EQ(test, lt_faults(ctx, 1000, 0, 0), 0);
	sk = ctx->asock->sk;
	lock_sock(sk);
	seq = lynx_sk_conn(sk)->rcv_nxt;
	release_sock(sk);
	a = lt_seg(test, sk, seq, one, n1, 0);
	b = lt_seg(test, sk, seq + n1, two, n2, LYNX_F_EOR);

	lock_sock(sk);
	lynx_conn_process(sk, a);
	KUNIT_EXPECT_EQ(test, lynx_sk_conn(sk)->rcv_nxt, seq + n1);
	release_sock(sk);
	mask = ctx->asock->ops->poll(NULL, ctx->asock, NULL);
	KUNIT_EXPECT_FALSE_MSG(test, mask & (EPOLLIN | EPOLLRDNORM),
			       "poll %#x with half a message queued",
			       (unsigned int)mask);
	KUNIT_EXPECT_EQ(test, lt_recv_nb(ctx->asock, buf, sizeof(buf)),
			-EAGAIN);

	lock_sock(sk);
	lynx_conn_process(sk, b);
	release_sock(sk);
	mask = ctx->asock->ops->poll(NULL, ctx->asock, NULL);
	KUNIT_EXPECT_TRUE_MSG(test, mask & EPOLLIN, "poll %#x",
			      (unsigned int)mask);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, lt_recv_nb(ctx->asock, buf, sizeof(buf)),
			(int)(n1 + n2));
	KUNIT_EXPECT_STREQ(test, buf, "first half, second half");
	mask = ctx->asock->ops->poll(NULL, ctx->asock, NULL);
	KUNIT_EXPECT_FALSE_MSG(test, mask & EPOLLIN, "poll %#x",
			       (unsigned int)mask);
}

/* ---- lynx_conn_link_test_small_writes ------------------------------------------------ */

#define LT_SMALL	100	/* bytes a write */
#define LT_NSMALL	200	/* writes */

/* Small writes that the peer's window holds back join the last segment
 * while it is unsent: one segment, its payload in page fragments charged
 * byte for byte, leaves when the window opens; a segment once sent takes
 * no more bytes.  The peer reads every byte in order.
 */
static void lynx_conn_link_test_small_writes(struct kunit *test)
{
	const size_t total = LT_SMALL * LT_NSMALL;
	struct lt_ctx *ctx = test->priv;
	struct lynx_conn *c;
	struct sk_buff *skb;
	size_t got = 0;
	u32 una, wnd_end;
	struct sock *sk;
	u8 *buf, *rbuf;
	int i, ret;

	buf = kunit_kmalloc(test, total + 1, GFP_KERNEL);
	rbuf = kunit_kzalloc(test, total + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, rbuf);
	for (i = 0; i <= total; i++)
		buf[i] = lt_byte(i);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	c = lynx_sk_conn(sk);

	una = lt_close_window(sk, &wnd_end);
	KUNIT_ASSERT_EQ(test, una, c->snd_nxt);
	KUNIT_ASSERT_TRUE(test, lynx_seq_after(wnd_end, una + total));

	for (i = 0; i < LT_NSMALL; i++)
		KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf + i * LT_SMALL,
					      LT_SMALL), LT_SMALL);

	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 1U);
	skb = skb_peek_tail(&sk->sk_write_queue);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len, (unsigned int)total);
	KUNIT_EXPECT_EQ(test, skb_headlen(skb), 0U);
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, (int)skb->truesize);
	/* The bytes, and one head: not a head per write. */
	KUNIT_EXPECT_LE(test, skb->truesize - skb->data_len,
			(unsigned int)SKB_TRUESIZE(SZ_1K));
	KUNIT_EXPECT_EQ(test, c->wq_bytes, (u32)total);
	KUNIT_EXPECT_EQ(test, c->write_seq, una + total);
	KUNIT_EXPECT_EQ(test, lynx_seg_cb(skb)->end_seq, una + (u32)total);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una);
	KUNIT_EXPECT_PTR_EQ(test, c->send_head, skb);

	/* The window opens: the one segment goes. */
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + (u32)total);
	KUNIT_EXPECT_PTR_EQ(test, c->send_head, NULL);
	release_sock(sk);

	/* The next byte may not join the segment sent: it goes on its own
	 * (at once, not after the segment's ACK: Nagle's rule is not this
	 * case's).
	 */
	KUNIT_ASSERT_EQ(test, lt_nodelay(ctx->csock, 1), 0);
	KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf + total, 1), 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->snd_nxt), una + (u32)total + 1);

	while (got < total + 1) {
		ret = lt_recv(ctx->asock, rbuf + got, total + 1 - got, NULL);
		if (ret <= 0) {
			KUNIT_FAIL(test, "recv at %zu: %d", got, ret);
			break;
		}
		got += ret;
	}
	KUNIT_EXPECT_EQ(test, memcmp(rbuf, buf, total + 1), 0);
}

/* ---- lynx_conn_link_test_send_memory_wait --------------------------------------------- */

#define LT_MEM_LEN	SZ_256K
#define LT_MEM_HOLD	(HZ / 2)	/* the limit is lifted after this */

static struct proto *lt_mem_prot;
static long lt_mem_saved[3];

static void lt_mem_restore(struct work_struct *work)
{
	int i;

	for (i = 0; i < 3; i++)
		WRITE_ONCE(lt_mem_prot->sysctl_mem[i], lt_mem_saved[i]);
}

static DECLARE_DELAYED_WORK(lt_mem_work, lt_mem_restore);

static void lynx_conn_link_test_send_memory_wait(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	unsigned long t0, waited;
	int i, ret;
	u8 *buf;

	buf = kunit_kzalloc(test, LT_MEM_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lt_pair(test, ctx, SOCK_STREAM);

	/* Every lynx connection over the hard limit (-1: whatever is
	 * allocated exceeds it) until the work lifts it.  Nothing between
	 * here and the flush may abort the case.
	 */
	lt_mem_prot = ctx->csock->sk->sk_prot;
	for (i = 0; i < 3; i++) {
		lt_mem_saved[i] = READ_ONCE(lt_mem_prot->sysctl_mem[i]);
		WRITE_ONCE(lt_mem_prot->sysctl_mem[i], -1);
	}
	t0 = jiffies;
	schedule_delayed_work(&lt_mem_work, LT_MEM_HOLD);
	ret = lt_send(ctx->csock, buf, LT_MEM_LEN);
	waited = jiffies - t0;
	flush_delayed_work(&lt_mem_work);

	KUNIT_EXPECT_EQ(test, ret, LT_MEM_LEN);
	KUNIT_EXPECT_GE_MSG(test, waited, (unsigned long)LT_MEM_HOLD,
			    "send returned %d after %lu jiffies", ret, waited);
}

/* ---- lynx_conn_link_test_seqpacket_unsent ---------------------------------------------- */

#define LT_UNSENT_LEN	150000	/* a message of three segments */

/* A SEQPACKET message that cannot be queued whole (no memory, and
 * MSG_DONTWAIT) leaves the caller's iterator as it found it, as any
 * send that queued nothing: a caller that retries the same msghdr
 * (io_uring does) sends the message from its start.  The protocol's
 * memory limits are below anything allocated while the send runs.
 */
static void lynx_conn_link_test_seqpacket_unsent(struct kunit *test)
{
	struct msghdr msg = { .msg_flags = MSG_DONTWAIT | MSG_NOSIGNAL };
	struct lt_ctx *ctx = test->priv;
	struct proto *prot;
	struct kvec vec;
	long saved[3];
	int i, ret;
	u8 *buf;

	buf = kunit_kzalloc(test, LT_UNSENT_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lt_pair(test, ctx, SOCK_SEQPACKET);
	vec.iov_base = buf;
	vec.iov_len = LT_UNSENT_LEN;

	prot = ctx->csock->sk->sk_prot;
	for (i = 0; i < 3; i++) {
		saved[i] = READ_ONCE(prot->sysctl_mem[i]);
		WRITE_ONCE(prot->sysctl_mem[i], -1);
	}
	ret = kernel_sendmsg(ctx->csock, &msg, &vec, 1, LT_UNSENT_LEN);
	for (i = 0; i < 3; i++)
		WRITE_ONCE(prot->sysctl_mem[i], saved[i]);
	KUNIT_EXPECT_EQ(test, ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, iov_iter_count(&msg.msg_iter),
			(size_t)LT_UNSENT_LEN);

	/* The same msghdr again: the whole message, from its start. */
	msg.msg_flags = MSG_NOSIGNAL;
	KUNIT_EXPECT_EQ(test, sock_sendmsg(ctx->csock, &msg), LT_UNSENT_LEN);
	KUNIT_EXPECT_EQ(test, lt_recv(ctx->asock, buf, LT_UNSENT_LEN, NULL),
			LT_UNSENT_LEN);
}

/* ---- lynx_conn_link_test_recut_charge ------------------------------------------------ */

#define LT_RECUT_LEN	100	/* bytes in the one segment */
#define LT_RECUT_MSS	16	/* what the MTU drop leaves */

/* A segment whose payload is in page fragments, re-cut as it goes after
 * lynxlo's MTU dropped: the write queue's charge must stay the sum of its
 * truesizes, or the socket's destructor finds memory nobody returns.
 * lynx_fuzz_sys found it (lynx_conn_destruct()'s warnings, after random
 * MTUs) when a re-cut trimmed the segment with pskb_trim(), which may pull
 * what it keeps into the head and rewrite the truesize (skb_condense()).
 */
static void lynx_conn_link_test_recut_charge(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	u8 buf[LT_RECUT_LEN];
	struct sk_buff *skb;
	int queued = 0;
	unsigned int n = 0;
	u32 una, wnd_end;
	struct sock *sk;

	memset(buf, 0x5a, sizeof(buf));
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;

	/* Queued while the peer's window is closed: one segment. */
	una = lt_close_window(sk, &wnd_end);
	KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, sizeof(buf)),
			(int)sizeof(buf));

	lt_set_mtu(test, ctx, LYNX_HLEN + LT_RECUT_MSS);

	/* The window opens: the segment goes in pieces of LT_RECUT_MSS. */
	lock_sock(sk);
	lt_ack(test, sk, una, wnd_end);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		queued += skb->truesize;
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, DIV_ROUND_UP(LT_RECUT_LEN, LT_RECUT_MSS));
	KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
	release_sock(sk);
	lt_restore_mtu(ctx);
}

#define LT_RECUT_BIG	60000	/* one segment of a 64 KiB path ... */
#define LT_RECUT_PATH	1460	/* ... re-cut for an Ethernet one */
#define LT_RECUT_ROUNDS	(2 * LT_RECUT_BIG / LT_RECUT_PATH)

/* A large paged segment re-cut for a smaller path: the pieces keep their
 * payload in the fragments they came with (no copy of the tail at every
 * cut, as tcp_fragment()'s skb_split()), so the write queue's truesize
 * stays about the bytes it holds plus a head a piece, and the charge is
 * still its sum.
 */
static void lynx_conn_link_test_recut_paged(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;
	int queued, i;
	struct lynx_conn *c;
	struct sk_buff *skb;
	u32 una, wnd_end;
	struct sock *sk;
	u8 *buf;

	buf = kunit_kzalloc(test, LT_RECUT_BIG, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	c = lynx_sk_conn(sk);

	una = lt_close_window(sk, &wnd_end);
	KUNIT_ASSERT_EQ(test, lt_send(ctx->csock, buf, LT_RECUT_BIG),
			LT_RECUT_BIG);

	lt_set_mtu(test, ctx, LYNX_HLEN + LT_RECUT_PATH);

	/* The window opens: as many pieces go as the congestion window
	 * holds, each cut from the rest before the windows are asked (not
	 * one a round trip, as when they were asked about the uncut rest).
	 */
	lock_sock(sk);
	lt_ack(test, sk, una, wnd_end);
	KUNIT_EXPECT_EQ(test, c->snd_nxt - una,
			(u32)LYNX_INIT_CWND * LT_RECUT_PATH);
	/* Each acknowledgment of all that went lets more go.  At every step
	 * each piece is paged, costs its bytes and one head, and the charge
	 * is the sum.
	 */
	for (i = 0; i < LT_RECUT_ROUNDS; i++) {
		queued = 0;
		skb_queue_walk(&sk->sk_write_queue, skb) {
			queued += skb->truesize;
			KUNIT_EXPECT_EQ(test, skb_headlen(skb), 0U);
			KUNIT_EXPECT_LE(test, skb->truesize,
					skb->len + (unsigned int)SKB_TRUESIZE(SZ_1K));
		}
		KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, queued);
		if (!c->send_head)
			break;
		lt_ack(test, sk, c->snd_nxt, wnd_end);
	}
	KUNIT_EXPECT_PTR_EQ(test, c->send_head, NULL);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_RECUT_BIG);
	release_sock(sk);
	lt_restore_mtu(ctx);
}

/* ---- lynx_conn_link_test_nagle -------------------------------------------------------- */

#define LT_NAGLE_FIRST	1000	/* a write that goes at once */
#define LT_NAGLE_SMALL	100	/* the writes behind it */
#define LT_NAGLE_N	5
#define LT_NAGLE_ROUND	(LT_NAGLE_FIRST + LT_NAGLE_N * LT_NAGLE_SMALL)
#define LT_NAGLE_HALF	(LT_NAGLE_FIRST * 3 / 2)
#define LT_NAGLE_TOTAL	(2 * LT_NAGLE_ROUND + 2 * LT_NAGLE_FIRST + \
			 LT_NAGLE_HALF + LT_NAGLE_SMALL)

/* Nagle's rule: while a write is unacknowledged, the short writes after
 * it wait, gathered into one segment, which leaves when the ACK comes;
 * with LYNX_NODELAY each leaves at once; "short" is against the size the
 * writer gives segments, not the path's MSS.  The peer is locked by the test
 * for a while: what reaches it waits in its backlog, unacknowledged.
 * (No KUNIT_ASSERT while it is locked: the case's exit releases it.)
 */
static void lynx_conn_link_test_nagle(struct kunit *test)
{
	const size_t total = LT_NAGLE_TOTAL;
	struct lt_ctx *ctx = test->priv;
	struct sock *sk, *peer;
	size_t off = 0, got = 0;
	struct lynx_conn *c;
	struct sk_buff *skb;
	u8 *buf, *rbuf;
	u32 una, sent;
	int i, ret;

	buf = kunit_kmalloc(test, total, GFP_KERNEL);
	rbuf = kunit_kzalloc(test, total, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_NOT_NULL(test, rbuf);
	for (i = 0; i < total; i++)
		buf[i] = lt_byte(i);
	lt_pair(test, ctx, SOCK_STREAM);
	sk = ctx->csock->sk;
	peer = ctx->asock->sk;
	c = lynx_sk_conn(sk);
	una = READ_ONCE(c->snd_nxt);
	KUNIT_ASSERT_EQ(test, READ_ONCE(c->snd_una), una);

	/* The default: the first write goes, the rest wait for its ACK. */
	lock_sock(peer);
	KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf, LT_NAGLE_FIRST),
			LT_NAGLE_FIRST);
	off += LT_NAGLE_FIRST;
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->snd_nxt), una + LT_NAGLE_FIRST);
	for (i = 0; i < LT_NAGLE_N; i++, off += LT_NAGLE_SMALL)
		KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off,
					      LT_NAGLE_SMALL), LT_NAGLE_SMALL);
	lock_sock(sk);
	KUNIT_EXPECT_EQ(test, c->snd_nxt, una + LT_NAGLE_FIRST);
	KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_write_queue), 2U);
	skb = c->send_head;
	KUNIT_EXPECT_TRUE(test, skb && skb->len == LT_NAGLE_N * LT_NAGLE_SMALL);
	release_sock(sk);
	/* The peer acknowledges what its backlog held: the rest goes. */
	release_sock(peer);
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(READ_ONCE(c->snd_nxt) ==
						     una + LT_NAGLE_ROUND));

	/* LYNX_NODELAY: every write goes at once, acknowledged or not. */
	KUNIT_EXPECT_EQ(test, lt_nodelay(ctx->csock, 1), 0);
	una += LT_NAGLE_ROUND;
	lock_sock(peer);
	KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off, LT_NAGLE_FIRST),
			LT_NAGLE_FIRST);
	off += LT_NAGLE_FIRST;
	for (i = 0; i < LT_NAGLE_N; i++, off += LT_NAGLE_SMALL) {
		KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off,
					      LT_NAGLE_SMALL), LT_NAGLE_SMALL);
		KUNIT_EXPECT_EQ(test, READ_ONCE(c->snd_nxt),
				una + LT_NAGLE_FIRST +
				(i + 1) * LT_NAGLE_SMALL);
	}
	release_sock(peer);
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(READ_ONCE(c->snd_una) ==
						     una + LT_NAGLE_ROUND));

	/* A segment as large as the writer makes them is not short, though
	 * under the path's MSS: the writer's size goal is half the peer's
	 * largest window, here LT_NAGLE_FIRST.
	 */
	KUNIT_EXPECT_EQ(test, lt_nodelay(ctx->csock, 0), 0);
	una += LT_NAGLE_ROUND;
	lock_sock(peer);
	lock_sock(sk);
	c->peer_max_wnd = 2 * LT_NAGLE_FIRST;
	release_sock(sk);
	for (i = 0; i < 2; i++, off += LT_NAGLE_FIRST)
		KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off,
					      LT_NAGLE_FIRST), LT_NAGLE_FIRST);
	sent = READ_ONCE(c->snd_nxt) - una;
	KUNIT_EXPECT_EQ(test, sent, 2U * LT_NAGLE_FIRST);
	release_sock(peer);
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(READ_ONCE(c->snd_una) ==
						     una + 2 * LT_NAGLE_FIRST));

	/* Only a short segment in flight holds the next (Minshall's rule,
	 * as TCP's tcp_minshall_check()): a write of a segment and a half
	 * sends both pieces; a write after it waits for the half's ACK.
	 */
	una += 2 * LT_NAGLE_FIRST;
	lock_sock(peer);
	lock_sock(sk);
	c->peer_max_wnd = 2 * LT_NAGLE_FIRST;
	release_sock(sk);
	KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off, LT_NAGLE_HALF),
			LT_NAGLE_HALF);
	off += LT_NAGLE_HALF;
	sent = READ_ONCE(c->snd_nxt) - una;
	KUNIT_EXPECT_EQ(test, sent, (u32)LT_NAGLE_HALF);
	KUNIT_EXPECT_EQ(test, lt_send(ctx->csock, buf + off, LT_NAGLE_SMALL),
			LT_NAGLE_SMALL);
	off += LT_NAGLE_SMALL;
	sent = READ_ONCE(c->snd_nxt) - una;
	KUNIT_EXPECT_EQ(test, sent, (u32)LT_NAGLE_HALF);
	release_sock(peer);

	while (got < total) {
		ret = lt_recv(ctx->asock, rbuf + got, total - got, NULL);
		if (ret <= 0) {
			KUNIT_FAIL(test, "recv at %zu: %d", got, ret);
			break;
		}
		got += ret;
	}
	KUNIT_EXPECT_EQ(test, memcmp(rbuf, buf, total), 0);
}

/* ---- lynx_conn_link_test_rcv_rtt ------------------------------------------------------ */

#define LT_RTT_LEN	1000

/* A new pair's accepted end, whose peer sends nothing: rcv_nxt in @base. */
static struct sock *lt_rtt_pair(struct kunit *test, u32 *base)
{
	struct lt_ctx *ctx = test->priv;

	lt_pair(test, ctx, SOCK_STREAM);
	*base = READ_ONCE(lynx_sk_conn(ctx->asock->sk)->rcv_nxt);
	return ctx->asock->sk;
}

/* Segment @i of LT_RTT_LEN zero bytes from @base, as the peer sends it. */
static struct sk_buff *lt_rtt_seg(struct kunit *test, struct sock *sk,
				  u32 base, u32 i)
{
	u8 *data = kunit_kzalloc(test, LT_RTT_LEN, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, data);
	return lt_seg(test, sk, base + i * LT_RTT_LEN, data, LT_RTT_LEN, 0);
}

/* Lock @sk with no measure under way, an estimate of @rtt_us, and two
 * segments from @base the window last advertised.
 */
static void lt_rtt_lock(struct sock *sk, u32 base, u32 rtt_us)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	lock_sock(sk);
	c->rcv_rtt_us = rtt_us;
	c->rcv_rtt_time = 0;
	c->rcv_wup = base;
	c->rcv_adv = base + 2 * LT_RTT_LEN;
}

/* The receiver's round trip is measured over a window's worth beyond the
 * edge it advertised when the measure began, as TCP's
 * tcp_rcv_rtt_measure(): data already allowed in flight (here two
 * segments back to back, exactly the advertised window) is no sample,
 * or the shortest gap between two segments would pass for a round trip.
 */
static void lynx_conn_link_test_rcv_rtt(struct kunit *test)
{
	struct sk_buff *a, *b;
	struct lynx_conn *c;
	struct sock *sk;
	u32 base;

	sk = lt_rtt_pair(test, &base);
	c = lynx_sk_conn(sk);
	a = lt_rtt_seg(test, sk, base, 0);
	b = lt_rtt_seg(test, sk, base, 1);
	lt_rtt_lock(sk, base, 0);
	lynx_conn_process(sk, a);
	lynx_conn_process(sk, b);
	KUNIT_EXPECT_EQ(test, c->rcv_nxt, base + 2 * LT_RTT_LEN);
	KUNIT_EXPECT_EQ(test, c->rcv_rtt_us, 0U);
	release_sock(sk);
}

/* The bytes a filled hole releases from the out-of-order queue at once
 * are no round trip: the estimate stays, and the measure starts anew.
 */
static void lynx_conn_link_test_rcv_rtt_hole(struct kunit *test)
{
	struct sk_buff *a, *b, *d;
	struct lynx_conn *c;
	struct sock *sk;
	u32 base;

	sk = lt_rtt_pair(test, &base);
	c = lynx_sk_conn(sk);
	/* A hole (the third segment first), then filled: nothing new. */
	a = lt_rtt_seg(test, sk, base, 0);
	d = lt_rtt_seg(test, sk, base, 2);
	b = lt_rtt_seg(test, sk, base, 1);
	lt_rtt_lock(sk, base, 50000);
	lynx_conn_process(sk, a);
	lynx_conn_process(sk, d);
	lynx_conn_process(sk, b);
	KUNIT_EXPECT_EQ(test, c->rcv_nxt, base + 3 * LT_RTT_LEN);
	KUNIT_EXPECT_EQ(test, c->rcv_rtt_us, 50000U);
	KUNIT_EXPECT_EQ(test, c->rcv_rtt_time, 0ULL);
	release_sock(sk);
}

static int lt_init(struct kunit *test)
{
	struct lt_ctx *ctx;

	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->lo = lynx_net(&init_net)->lo;
	if (!ctx->lo)
		return -ENODEV;
	test->priv = ctx;
	return 0;
}

static void lt_exit(struct kunit *test)
{
	struct lt_ctx *ctx = test->priv;

	if (!ctx)
		return;
	lynx_dev_set_faults(ctx->lo, NULL);
	lt_restore_mtu(ctx);
	if (ctx->pack)
		dev_remove_pack(&lt_pt);
	if (ctx->a)
		unregister_netdev(ctx->a);
	if (ctx->b)
		unregister_netdev(ctx->b);
	/* A writer still at work gives up: EPIPE. */
	if (ctx->csock)
		kernel_sock_shutdown(ctx->csock, SHUT_RDWR);
	if (ctx->queued)
		flush_work(&ctx->writer);
	lt_release(&ctx->asock);
	lt_release(&ctx->csock);
	lt_release(&ctx->lsock);
	test->priv = NULL;
}

static struct kunit_case lt_cases[] = {
	KUNIT_CASE(lynx_conn_link_test_fault_injector),
	KUNIT_CASE(lynx_conn_link_test_retrans_queue),
	KUNIT_CASE(lynx_conn_link_test_loss_go_back_n),
	KUNIT_CASE(lynx_conn_link_test_partial_ack_timer),
	KUNIT_CASE(lynx_conn_link_test_sack_recovery),
	KUNIT_CASE(lynx_conn_link_test_sack_marks),
	KUNIT_CASE(lynx_conn_link_test_sack_lost_retrans),
	KUNIT_CASE(lynx_conn_link_test_sack_reordering),
	KUNIT_CASE(lynx_conn_link_test_sack_reordering_timeout),
	KUNIT_CASE(lynx_conn_link_test_rtt_samples),
	KUNIT_CASE(lynx_conn_link_test_stream_bytes),
	KUNIT_CASE(lynx_conn_link_test_seqpacket_msgs),
	KUNIT_CASE(lynx_conn_link_test_seqpacket_partial),
	KUNIT_CASE(lynx_conn_link_test_send_memory_wait),
	KUNIT_CASE(lynx_conn_link_test_seqpacket_unsent),
	KUNIT_CASE(lynx_conn_link_test_small_writes),
	KUNIT_CASE(lynx_conn_link_test_recut_charge),
	KUNIT_CASE(lynx_conn_link_test_recut_paged),
	KUNIT_CASE(lynx_conn_link_test_nagle),
	KUNIT_CASE(lynx_conn_link_test_rcv_rtt),
	KUNIT_CASE(lynx_conn_link_test_rcv_rtt_hole),
	{}
};

static struct kunit_suite lt_suite = {
	.name = "lynx_conn_link",
	.init = lt_init,
	.exit = lt_exit,
	.test_cases = lt_cases,
};

kunit_test_suite(lt_suite);
