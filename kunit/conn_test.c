// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the connection transport.
 *
 *   lynx_conn_math  the pure helpers of lynx_conn.h: sequence arithmetic
 *                   across wraparound, the RTT estimator and its backoff,
 *                   window and segment-size math, a receiver's SACK
 *                   blocks
 *   lynx_conn_fsm   lynx_conn_process(), table-driven: every synchronizing
 *                   or synchronized state against every kind of segment,
 *                   on a real kernel socket whose connection state is set
 *                   by hand (it is not in the connection hash); the peer
 *                   is a node that does not exist, so whatever the state
 *                   machine answers goes nowhere
 *
 * Where conn.c deliberately or not differs from what TCP would do, the
 * expected-result table says so (.tcp); the test asserts what conn.c does
 * and logs the difference, so it shows in the results.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <linux/percpu.h>
#include <net/sock.h>
#include <net/tcp_states.h>
#include <net/net_namespace.h>
#include <net/lynx.h>
#include "lynx_test.h"

/* ---- lynx_conn_math: sequence arithmetic ------------------------------- */

struct seq_cmp_case {
	u32	a;
	u32	b;
	bool	before;		/* lynx_seq_before(a, b) */
	bool	after;		/* lynx_seq_after(a, b) */
};

static const struct seq_cmp_case seq_cmp_cases[] = {
	{ 0, 1, true, false },
	{ 1, 0, false, true },
	{ 0, 0, false, false },
	{ 0x7fffffff, 0x7fffffff, false, false },
	{ 0xffffffff, 0xffffffff, false, false },
	/* across 2^32 */
	{ 0xffffffff, 0, true, false },
	{ 0, 0xffffffff, false, true },
	{ 0xfffffff0, 0x10, true, false },
	{ 0x10, 0xfffffff0, false, true },
	/* across 2^31: no sign trouble */
	{ 0x7fffffff, 0x80000000, true, false },
	{ 0x80000000, 0x7fffffff, false, true },
	/* the farthest apart that still orders */
	{ 0, 0x7fffffff, true, false },
	{ 0x7fffffff, 0, false, true },
	{ 0xffffffff, 0x7ffffffe, true, false },
	{ 0, 0x80000001, false, true },
	/* Exactly 2^31 apart each is "before" the other, as with TCP's
	 * before()/after(): the window must stay below 2^31.
	 */
	{ 0, 0x80000000, true, true },
	{ 0x80000000, 0, true, true },
};

static void seq_cmp_desc(const struct seq_cmp_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%#x vs %#x", c->a, c->b);
}

KUNIT_ARRAY_PARAM(seq_cmp, seq_cmp_cases, seq_cmp_desc);

static void lynx_conn_math_test_seq_cmp(struct kunit *test)
{
	const struct seq_cmp_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, lynx_seq_before(c->a, c->b), c->before);
	KUNIT_EXPECT_EQ(test, lynx_seq_after(c->a, c->b), c->after);
}

struct seq_between_case {
	u32	x;
	u32	lo;
	u32	hi;
	bool	in;
};

static const struct seq_between_case seq_between_cases[] = {
	{ 5, 5, 5, true },		/* empty range: its one point */
	{ 4, 5, 5, false },
	{ 6, 5, 5, false },
	{ 5, 5, 10, true },		/* both ends inclusive */
	{ 10, 5, 10, true },
	{ 11, 5, 10, false },
	{ 4, 5, 10, false },
	/* a range across 0 */
	{ 0, 0xfffffff0, 0x10, true },
	{ 0xfffffff0, 0xfffffff0, 0x10, true },
	{ 0x10, 0xfffffff0, 0x10, true },
	{ 0xffffffff, 0xfffffff0, 0x10, true },
	{ 0x11, 0xfffffff0, 0x10, false },
	{ 0xffffffef, 0xfffffff0, 0x10, false },
	{ 0x80000000, 0xfffffff0, 0x10, false },
	/* a range across 2^31 */
	{ 0x80000000, 0x7fffffff, 0x80000001, true },
	{ 0x7fffffff, 0x7fffffff, 0x80000001, true },
	{ 0x80000001, 0x7fffffff, 0x80000001, true },
	{ 0x7ffffffe, 0x7fffffff, 0x80000001, false },
	{ 0x80000002, 0x7fffffff, 0x80000001, false },
	/* hi one short of lo: the whole circle */
	{ 0x12345678, 1, 0, true },
	{ 0, 1, 0, true },
};

static void seq_between_desc(const struct seq_between_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%#x in [%#x, %#x]", c->x, c->lo,
		 c->hi);
}

KUNIT_ARRAY_PARAM(seq_between, seq_between_cases, seq_between_desc);

static void lynx_conn_math_test_seq_between(struct kunit *test)
{
	const struct seq_between_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, lynx_seq_between(c->x, c->lo, c->hi), c->in);
}

/* ---- lynx_conn_math: RTT estimator and backoff -------------------------- */

/* The timeout lynx_rtt_update() must return for @rto_us before clamping. */
static unsigned long rtt_rto(u64 rto_us)
{
	return clamp_t(unsigned long, usecs_to_jiffies(rto_us), LYNX_RTO_MIN,
		       LYNX_RTO_MAX);
}

/* The least deviation the timeout adds to the round trip, us. */
#define RTT_FLOOR_US	jiffies_to_usecs(LYNX_RTO_MIN)

/* A sample in the round trip the estimator is in (snd_una not past its
 * end), and one in a round trip of its own.
 */
static unsigned long rtt_same_round(struct lynx_rtt *r, u32 sample_us)
{
	return lynx_rtt_update(r, sample_us, r->seq, r->seq);
}

static unsigned long rtt_new_round(struct lynx_rtt *r, u32 sample_us)
{
	return lynx_rtt_update(r, sample_us, r->seq + 1, r->seq + 1);
}

static void lynx_conn_math_test_rtt_first_sample(struct kunit *test)
{
	struct lynx_rtt r = {};
	unsigned long rto;

	/* RFC 6298 2.2: SRTT = R, RTTVAR = R/2, RTO = SRTT + 4 * RTTVAR;
	 * the round trip ends at snd_nxt.
	 */
	rto = lynx_rtt_update(&r, 100000, 1000, 5000);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 100000U << 3);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, 50000U << 2);
	KUNIT_EXPECT_EQ(test, r.seq, 5000U);
	KUNIT_EXPECT_EQ(test, rto, usecs_to_jiffies(300000));
	KUNIT_EXPECT_EQ(test, rto, rtt_rto(300000));

	/* A tiny first sample: the deviation's floor (tcp_rtt_estimator()
	 * takes the RTO floor as the least deviation).
	 */
	r = (struct lynx_rtt){};
	rto = lynx_rtt_update(&r, 10, 0, 0);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 80U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, RTT_FLOOR_US);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto(10 + RTT_FLOOR_US));

	/* A huge first sample: the ceiling. */
	r = (struct lynx_rtt){};
	rto = lynx_rtt_update(&r, 5000000, 0, 0);
	KUNIT_EXPECT_EQ(test, r.srtt_us, 5000000U << 3);
	KUNIT_EXPECT_EQ(test, rto, (unsigned long)LYNX_RTO_MAX);
}

static void lynx_conn_math_test_rtt_second_sample(struct kunit *test)
{
	struct lynx_rtt r = {};
	unsigned long rto;

	lynx_rtt_update(&r, 100000, 0, 0);
	/* RFC 6298 2.3 with alpha 1/8, beta 1/4, both from the old SRTT:
	 * RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 200000| = 62500
	 * SRTT   = 7/8 * 100000 + 1/8 * 200000 = 112500
	 */
	rto = rtt_same_round(&r, 200000);
	KUNIT_EXPECT_EQ(test, r.srtt_us >> 3, 112500U);
	KUNIT_EXPECT_EQ(test, r.mdev_us >> 2, 62500U);
	KUNIT_EXPECT_EQ(test, r.rttvar_us >> 2, 62500U);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto(112500 + 4 * 62500));

	/* A sample below SRTT moves SRTT as any; the deviation, as
	 * tcp_rtt_estimator()'s, an eighth as fast (a shorter round trip
	 * is no reason for a longer timeout): 50000 + (80000 - 50000) / 32.
	 */
	r = (struct lynx_rtt){ .srtt_us = 100000 << 3, .mdev_us = 50000 << 2,
			       .mdev_max_us = 50000 << 2,
			       .rttvar_us = 50000 << 2 };
	rtt_same_round(&r, 20000);
	KUNIT_EXPECT_EQ(test, r.srtt_us >> 3, 90000U);	/* 100000 - 80000 / 8 */
	KUNIT_EXPECT_EQ(test, r.mdev_us, (50000U << 2) + 30000 / 8);
}

/* Samples of every ACK (not one a round trip) must not wear the timeout
 * down to the round trip itself: within a round trip the deviation the
 * timeout adds only grows (the round's largest), and it shrinks by a
 * quarter a round trip, never below the RTO floor, as tcp_rtt_estimator().
 * RFC 6298's, sampled per ACK, fell to nothing within one window, and
 * the first queue that built up after fired the timer for nothing.
 */
static void lynx_conn_math_test_rtt_per_round(struct kunit *test)
{
	struct lynx_rtt r = {};
	unsigned long rto = 0;
	u32 rttvar;
	int i;

	lynx_rtt_update(&r, 50000, 0, 0);
	rttvar = r.rttvar_us;			/* 100000: 2 x the sample */
	for (i = 0; i < 200; i++)
		rto = rtt_same_round(&r, 50000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, rttvar);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto(50000 + 100000));

	/* At the round's end the deviation moves a quarter of the way to
	 * the round's largest: that was the first sample's, so nowhere; the
	 * next round's largest is the floor (no sample deviated).
	 */
	rtt_new_round(&r, 50000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us, rttvar);
	rtt_new_round(&r, 50000);
	KUNIT_EXPECT_EQ(test, r.rttvar_us,
			rttvar - (rttvar - RTT_FLOOR_US) / 4);

	/* Steady round trips: the floor, no lower. */
	for (i = 0; i < 200; i++)
		rto = rtt_new_round(&r, 50000);
	KUNIT_EXPECT_GE(test, r.rttvar_us, RTT_FLOOR_US);
	KUNIT_EXPECT_LE(test, r.rttvar_us, RTT_FLOOR_US + 3);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto(50000 + r.rttvar_us));

	/* A sample far above: the deviation, and the timeout, at once. */
	rto = rtt_same_round(&r, 250000);
	KUNIT_EXPECT_GE(test, r.rttvar_us, 200000U);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto((r.srtt_us >> 3) + r.rttvar_us));
}

static void lynx_conn_math_test_rtt_converges(struct kunit *test)
{
	struct lynx_rtt r = {};
	unsigned long rto = 0;
	int i;

	lynx_rtt_update(&r, 400000, 0, 0);
	for (i = 0; i < 200; i++)
		rto = rtt_new_round(&r, 50000);
	/* SRTT within the fixed-point truncation of the sample. */
	KUNIT_EXPECT_LE(test, r.srtt_us >> 3, 50008U);
	KUNIT_EXPECT_GE(test, r.srtt_us >> 3, 49992U);
	/* The deviation decays to the floor with a steady RTT. */
	KUNIT_EXPECT_LE(test, r.rttvar_us, RTT_FLOOR_US + 3);
	KUNIT_EXPECT_GE(test, rto, rtt_rto(50000 + RTT_FLOOR_US) - 1);
	KUNIT_EXPECT_LE(test, rto, rtt_rto(50008 + RTT_FLOOR_US + 3));

	/* Steady tiny samples: the floor above the round trip. */
	for (i = 0; i < 200; i++)
		rto = rtt_new_round(&r, 100);
	KUNIT_EXPECT_LE(test, r.srtt_us >> 3, 108U);
	KUNIT_EXPECT_LE(test, r.rttvar_us, RTT_FLOOR_US + 3);
	KUNIT_EXPECT_EQ(test, rto, rtt_rto((r.srtt_us >> 3) + r.rttvar_us));

	/* And steady huge ones at the ceiling. */
	for (i = 0; i < 200; i++)
		rto = rtt_new_round(&r, 3000000);
	KUNIT_EXPECT_EQ(test, rto, (unsigned long)LYNX_RTO_MAX);
}

static void lynx_conn_math_test_rto_backoff(struct kunit *test)
{
	static const unsigned int big[] = { 16, 17, 31, 32, 63, 64, 1000,
					    UINT_MAX };
	unsigned long r = LYNX_RTO_MIN;
	int i;

	KUNIT_EXPECT_EQ(test, lynx_rto_backoff(r, 0), r);
	KUNIT_EXPECT_EQ(test, lynx_rto_backoff(r, 1), 2 * r);
	KUNIT_EXPECT_EQ(test, lynx_rto_backoff(r, 2), 4 * r);
	/* Doubling until the cap, then the cap. */
	for (i = 0; i < 40; i++) {
		unsigned long want = i < 16 && (r << i) < LYNX_RTO_MAX ?
				     r << i : LYNX_RTO_MAX;

		KUNIT_EXPECT_EQ(test, lynx_rto_backoff(r, i), want);
		if (i)
			KUNIT_EXPECT_GE(test, lynx_rto_backoff(r, i),
					lynx_rto_backoff(r, i - 1));
	}
	KUNIT_EXPECT_EQ(test, lynx_rto_backoff(LYNX_RTO_MAX, 0),
			(unsigned long)LYNX_RTO_MAX);
	KUNIT_EXPECT_EQ(test, lynx_rto_backoff(LYNX_RTO_MAX, 1),
			(unsigned long)LYNX_RTO_MAX);
	/* Huge shifts neither overflow nor shift out the bits. */
	for (i = 0; i < ARRAY_SIZE(big); i++) {
		KUNIT_EXPECT_EQ(test, lynx_rto_backoff(1, big[i]),
				(unsigned long)LYNX_RTO_MAX);
		KUNIT_EXPECT_EQ(test, lynx_rto_backoff(LYNX_RTO_MIN, big[i]),
				(unsigned long)LYNX_RTO_MAX);
		KUNIT_EXPECT_EQ(test, lynx_rto_backoff(LYNX_RTO_MAX, big[i]),
				(unsigned long)LYNX_RTO_MAX);
	}
}

/* ---- lynx_conn_math: windows and segment sizes ------------------------- */

static void lynx_conn_math_test_rcv_window(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 0, 0), 500U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 1, 0), 499U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 500, 0), 250U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 998, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 999, 0), 0U);
	/* full, over-full (a segment charged past the limit) */
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 1000, 0), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 1001, 0), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 50000, 0), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(0, 0, 0), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(212992, 0, 0), 106496U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(INT_MAX, 0, 0), (u32)INT_MAX / 2);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(INT_MAX, INT_MAX - 1, 0), 0U);
	/* no room for a segment like the last: closed, unless empty */
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 500, 600), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 500, 501), 0U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 500, 500), 250U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 0, 5000), 500U);
	KUNIT_EXPECT_EQ(test, lynx_rcv_window(1000, 1, 5000), 0U);
}

/* Delayed ACKs: every second full segment, half the window, quick mode. */
static void lynx_conn_math_test_ack_now(struct kunit *test)
{
	/* one segment of a stream: it may wait */
	KUNIT_EXPECT_FALSE(test, lynx_ack_now(1460, 1460, 65536, 0));
	KUNIT_EXPECT_FALSE(test, lynx_ack_now(2919, 1460, 65536, 0));
	/* the second full segment: at once */
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(2920, 1460, 65536, 0));
	/* small writes count against the largest segment seen */
	KUNIT_EXPECT_FALSE(test, lynx_ack_now(1024, 1024, 65536, 0));
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(2048, 1024, 65536, 0));
	/* half the advertised window used: at once (the sender may wait) */
	KUNIT_EXPECT_FALSE(test, lynx_ack_now(32767, 65536, 65536, 0));
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(32768, 65536, 65536, 0));
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(1, 65536, 0, 0));
	/* quick mode: every segment */
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(1, 1460, 65536, 1));
	KUNIT_EXPECT_TRUE(test, lynx_ack_now(1, 1460, 65536, LYNX_QUICKACKS));
	/* the timer, a retry and two ticks come before any retransmission
	 * timeout
	 */
	KUNIT_EXPECT_LE(test, (unsigned long)LYNX_DELACK + 3,
			(unsigned long)LYNX_RTO_MIN);
	KUNIT_EXPECT_GE(test, (unsigned long)LYNX_DELACK, 1UL);
}

static void lynx_conn_math_test_nagle_holds(struct kunit *test)
{
	/* a short segment behind a short one in flight waits */
	KUNIT_EXPECT_TRUE(test, lynx_nagle_holds(1, 1460, true, false, false));
	KUNIT_EXPECT_TRUE(test, lynx_nagle_holds(1459, 1460, true, false,
						 false));
	/* a full one goes */
	KUNIT_EXPECT_FALSE(test, lynx_nagle_holds(1460, 1460, true, false,
						  false));
	/* no short one in flight: it goes (a first write, a ping-pong, a
	 * tail behind full segments: Minshall)
	 */
	KUNIT_EXPECT_FALSE(test, lynx_nagle_holds(1, 1460, false, false,
						  false));
	/* nothing can join it (more queued behind it, or a FIN) */
	KUNIT_EXPECT_FALSE(test, lynx_nagle_holds(1, 1460, true, true, false));
	/* LYNX_NODELAY */
	KUNIT_EXPECT_FALSE(test, lynx_nagle_holds(1, 1460, true, false, true));
}

static void lynx_conn_math_test_buf_goals(struct kunit *test)
{
	/* twice the window, never below twice the initial one */
	KUNIT_EXPECT_EQ(test, lynx_sndbuf_goal(100, 2000), 400000ULL);
	KUNIT_EXPECT_EQ(test, lynx_sndbuf_goal(1, 2000),
			2ULL * LYNX_INIT_CWND * 2000);
	KUNIT_EXPECT_EQ(test, lynx_sndbuf_goal(65535, 70000),
			2ULL * 65535 * 70000);
	/* a steady reader: twice its round trip and 16 segments, doubled */
	KUNIT_EXPECT_EQ(test, lynx_rcvbuf_goal(100000, 100000, 1000),
			2ULL * (200000 + 16000));
	KUNIT_EXPECT_EQ(test, lynx_rcvbuf_goal(100000, 0, 1000),
			2ULL * (200000 + 16000));
	/* a reader that doubled its pace: the window grows twice as much */
	KUNIT_EXPECT_EQ(test, lynx_rcvbuf_goal(200000, 100000, 1000),
			2ULL * 3 * (400000 + 16000));
	/* no overflow at the largest figures */
	KUNIT_EXPECT_GT(test, lynx_rcvbuf_goal(U32_MAX, 1, 65535),
			(u64)U32_MAX);
}

static void lynx_conn_math_test_seg_size(struct kunit *test)
{
	/* mtu - hlen without a window yet, or with a large one */
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 0),
			1500U - LYNX_HLEN);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 1 << 20),
			1500U - LYNX_HLEN);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN,
					    2 * (1500 - LYNX_HLEN)),
			1500U - LYNX_HLEN);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(9000, LYNX_HLEN, 0),
			9000U - LYNX_HLEN);
	/* half the peer's largest window */
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 2000), 1000U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 1001), 500U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(9000, LYNX_HLEN, 4096), 2048U);
	/* ... but never below 256 bytes, even when that is more than the
	 * peer's whole window (Linux's tcp_bound_to_half_wnd() bounds by
	 * the whole window below 536 instead).
	 */
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 512), 256U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 100), 256U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(1500, LYNX_HLEN, 1), 256U);
	/* a tiny path MTU still makes progress, never 0 */
	KUNIT_EXPECT_EQ(test, lynx_seg_size(LYNX_HLEN + 1, LYNX_HLEN, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(LYNX_HLEN, LYNX_HLEN, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(LYNX_HLEN - 1, LYNX_HLEN, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(0, LYNX_HLEN, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(-1, LYNX_HLEN, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(0, LYNX_HLEN, 1), 1U);
	/* never more than the 16-bit length field holds */
	KUNIT_EXPECT_EQ(test, lynx_seg_size(100000, LYNX_HLEN, 0), 65535U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(65535 + LYNX_HLEN + 1, LYNX_HLEN,
					    1 << 30), 65535U);
	KUNIT_EXPECT_EQ(test, lynx_seg_size(LYNX_HLEN + 100, LYNX_HLEN, 1000),
			100U);
}

/* @n blocks in @sack are exactly @want's, in order. */
static void sack_expect(struct kunit *test, const struct lynx_sack_range *sack,
			u8 n, const u32 (*want)[2], u8 nwant)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, n, nwant);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, sack[i].start, want[i][0], "block %u", i);
		KUNIT_EXPECT_EQ_MSG(test, sack[i].end, want[i][1], "block %u", i);
	}
}

static void lynx_conn_math_test_sack_blocks(struct kunit *test)
{
	static const u32 one[][2] = { { 100, 200 } };
	static const u32 two[][2] = { { 300, 400 }, { 100, 200 } };
	static const u32 grown[][2] = { { 100, 250 }, { 300, 400 } };
	static const u32 joined[][2] = { { 100, 400 } };
	static const u32 full[][2] = {
		{ 900, 950 }, { 700, 750 }, { 600, 650 }, { 500, 550 } };
	static const u32 trimmed[][2] = { { 900, 950 }, { 720, 750 } };
	static const u32 wrap[][2] = { { 0xfffffff0, 0x20 } };
	struct lynx_sack_range sack[LYNX_SACK_MAX];
	u8 n = 0;

	lynx_sack_add(sack, &n, 100, 200);
	sack_expect(test, sack, n, one, ARRAY_SIZE(one));
	/* a new block goes first */
	lynx_sack_add(sack, &n, 300, 400);
	sack_expect(test, sack, n, two, ARRAY_SIZE(two));
	/* one that touches a block joins it, which moves first */
	lynx_sack_add(sack, &n, 200, 250);
	sack_expect(test, sack, n, grown, ARRAY_SIZE(grown));
	/* one that bridges two makes them one */
	lynx_sack_add(sack, &n, 250, 300);
	sack_expect(test, sack, n, joined, ARRAY_SIZE(joined));
	/* a duplicate inside changes nothing */
	lynx_sack_add(sack, &n, 150, 160);
	sack_expect(test, sack, n, joined, ARRAY_SIZE(joined));

	/* the fifth pushes the oldest out */
	lynx_sack_add(sack, &n, 500, 550);
	lynx_sack_add(sack, &n, 600, 650);
	lynx_sack_add(sack, &n, 700, 750);
	lynx_sack_add(sack, &n, 900, 950);
	sack_expect(test, sack, n, full, ARRAY_SIZE(full));

	/* rcv_nxt reaches blocks: they go; one it enters keeps the rest */
	lynx_sack_trim(sack, &n, 720);
	sack_expect(test, sack, n, trimmed, ARRAY_SIZE(trimmed));
	lynx_sack_trim(sack, &n, 950);
	KUNIT_EXPECT_EQ(test, n, 0);

	/* across 2^32 */
	lynx_sack_add(sack, &n, 0xfffffff0, 0x10);
	lynx_sack_add(sack, &n, 0x10, 0x20);
	sack_expect(test, sack, n, wrap, ARRAY_SIZE(wrap));
	lynx_sack_trim(sack, &n, 0xffffffff);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, sack[0].start, 0xffffffffU);
	lynx_sack_trim(sack, &n, 0x20);
	KUNIT_EXPECT_EQ(test, n, 0);
}

static void lynx_conn_math_test_snd_usable(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(100, 200), 100U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(199, 200), 1U);
	/* closed, and shrunk behind snd_nxt */
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(200, 200), 0U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(201, 200), 0U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(300, 200), 0U);
	/* across 2^32 */
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0xfffffff0, 0x10), 0x20U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0xffffffff, 0), 1U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0, 0xffffffff), 0U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0x10, 0xfffffff0), 0U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0xffffffff, 0xffffffff), 0U);
	/* across 2^31 */
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0x7fffffff, 0x80000000), 1U);
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0x80000000, 0x7fffffff), 0U);
	/* the largest window that still orders */
	KUNIT_EXPECT_EQ(test, lynx_snd_usable(0, 0x7fffffff), 0x7fffffffU);
}

static struct kunit_case conn_math_cases[] = {
	KUNIT_CASE_PARAM(lynx_conn_math_test_seq_cmp, seq_cmp_gen_params),
	KUNIT_CASE_PARAM(lynx_conn_math_test_seq_between, seq_between_gen_params),
	KUNIT_CASE(lynx_conn_math_test_rtt_first_sample),
	KUNIT_CASE(lynx_conn_math_test_rtt_second_sample),
	KUNIT_CASE(lynx_conn_math_test_rtt_per_round),
	KUNIT_CASE(lynx_conn_math_test_rtt_converges),
	KUNIT_CASE(lynx_conn_math_test_rto_backoff),
	KUNIT_CASE(lynx_conn_math_test_rcv_window),
	KUNIT_CASE(lynx_conn_math_test_ack_now),
	KUNIT_CASE(lynx_conn_math_test_nagle_holds),
	KUNIT_CASE(lynx_conn_math_test_buf_goals),
	KUNIT_CASE(lynx_conn_math_test_seg_size),
	KUNIT_CASE(lynx_conn_math_test_snd_usable),
	KUNIT_CASE(lynx_conn_math_test_sack_blocks),
	{}
};

static struct kunit_suite conn_math_suite = {
	.name = "lynx_conn_math",
	.test_cases = conn_math_cases,
};

/* ---- lynx_conn_fsm ------------------------------------------------------ */

#define FSM_PEER_NODE	0x7e570001U	/* no such node: replies go nowhere */
#define FSM_PEER_PORT	0x7e57U
#define FSM_ISS		0xfffffffeU	/* ours: snd_nxt wraps past a FIN */
#define FSM_IRS		0x7ffffffeU	/* the peer's: data crosses 2^31 */
#define FSM_WND		65536U		/* the peer's window */
#define FSM_LEN		8		/* payload of a data segment */
#define FSM_OOO		100		/* how far ahead out-of-order data is */

enum fsm_frame {
	F_SYN,		/* SYN, seq IRS */
	F_SYNACK,	/* SYN|ACK, seq IRS, ack snd_nxt */
	F_ACK,		/* ACK of everything we sent (snd_nxt) */
	F_ACK_BAD,	/* ACK beyond snd_nxt */
	F_ACK_OOW,	/* ACK of snd_nxt on a seq far outside the window */
	F_DATA,		/* FSM_LEN bytes at rcv_nxt */
	F_DATA_OOO,	/* FSM_LEN bytes at rcv_nxt + FSM_OOO */
	F_FIN,		/* FIN at rcv_nxt */
	F_RST,		/* RST|ACK at rcv_nxt, ack snd_nxt */
	F_RST_OOW,	/* RST|ACK at rcv_nxt - 1 (left of the window) */
	F_RST_BADACK,	/* RST|ACK at rcv_nxt, ack beyond snd_nxt */
	F_RST_NOTNXT,	/* RST|ACK in the window but not at rcv_nxt */
	F_MAX
};

static const char *const fsm_frame_name[F_MAX] = {
	[F_SYN]		= "SYN",
	[F_SYNACK]	= "SYN|ACK",
	[F_ACK]		= "ACK",
	[F_ACK_BAD]	= "ACK>snd_nxt",
	[F_ACK_OOW]	= "ACK,seq-out-of-window",
	[F_DATA]	= "data",
	[F_DATA_OOO]	= "data-out-of-order",
	[F_FIN]		= "FIN",
	[F_RST]		= "RST",
	[F_RST_OOW]	= "RST-out-of-window",
	[F_RST_BADACK]	= "RST,ack>snd_nxt",
	[F_RST_NOTNXT]	= "RST-in-window,seq!=rcv_nxt",
};

static const u8 fsm_states[] = {
	TCP_SYN_SENT, TCP_SYN_RECV, TCP_ESTABLISHED, TCP_FIN_WAIT1,
	TCP_FIN_WAIT2, TCP_CLOSE_WAIT, TCP_CLOSING, TCP_LAST_ACK,
};

#define FSM_NSTATES	ARRAY_SIZE(fsm_states)

static const char *fsm_state_name(int state)
{
	switch (state) {
	case TCP_ESTABLISHED:	return "ESTABLISHED";
	case TCP_SYN_SENT:	return "SYN_SENT";
	case TCP_SYN_RECV:	return "SYN_RECV";
	case TCP_FIN_WAIT1:	return "FIN_WAIT1";
	case TCP_FIN_WAIT2:	return "FIN_WAIT2";
	case TCP_CLOSE:		return "CLOSE";
	case TCP_CLOSE_WAIT:	return "CLOSE_WAIT";
	case TCP_LAST_ACK:	return "LAST_ACK";
	case TCP_LISTEN:	return "LISTEN";
	case TCP_CLOSING:	return "CLOSING";
	default:		return "?";
	}
}

/* Our FIN is out (sent, maybe acknowledged). */
static bool fsm_fin_sent(int state)
{
	return (1 << state) & (TCPF_FIN_WAIT1 | TCPF_FIN_WAIT2 | TCPF_CLOSING |
			       TCPF_LAST_ACK);
}

/* The peer's FIN came in (rcv_nxt is past it). */
static bool fsm_fin_rcvd(int state)
{
	return (1 << state) & (TCPF_CLOSE_WAIT | TCPF_CLOSING | TCPF_LAST_ACK);
}

/* What the peer expects us to have sent: snd_nxt in @state. */
static u32 fsm_snd_nxt(int state)
{
	return FSM_ISS + 1 + fsm_fin_sent(state);
}

/* The next sequence number from the peer (even in SYN_SENT). */
static u32 fsm_base(int state)
{
	return FSM_IRS + 1 + fsm_fin_rcvd(state);
}

#define R_SAME	127	/* rcv_nxt unchanged */

/**
 * struct fsm_exp - what one segment does to one state
 * @state: the state after
 * @rcv:   rcv_nxt after, minus fsm_base(); R_SAME for unchanged
 * @rq:    skbs on the receive queue after
 * @ooo:   skbs on the out-of-order queue after
 * @err:   sk_err after
 * @rst:   resets sent
 * @tcp:   non-NULL where TCP would behave otherwise: how
 */
struct fsm_exp {
	u8		state;
	s8		rcv;
	u8		rq;
	u8		ooo;
	u8		err;
	u8		rst;
	const char	*tcp;
};

#define E(st, r, q, o, e, x) \
	{ .state = TCP_##st, .rcv = r, .rq = q, .ooo = o, .err = e, .rst = x }
#define D(st, r, q, o, e, x, why) \
	{ .state = TCP_##st, .rcv = r, .rq = q, .ooo = o, .err = e, .rst = x, \
	  .tcp = why }

#define TCP_SIMOPEN	"simultaneous open: TCP (RFC 793, Linux) moves SYN_SENT to SYN_RECV and answers SYN|ACK; lynx answers RST and stays"
#define TCP_NOTW	"TCP enters TIME_WAIT; lynx has none by design (conn.c: random ISNs)"

static const struct fsm_exp fsm_table[FSM_NSTATES][F_MAX] = {
	{	/* SYN_SENT: rcv_nxt is 0 until the SYN|ACK */
		[F_SYN]		= D(SYN_SENT, R_SAME, 0, 0, 0, 1, TCP_SIMOPEN),
		[F_SYNACK]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_ACK]		= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(SYN_SENT, R_SAME, 0, 0, 0, 1),
		[F_ACK_OOW]	= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_DATA]	= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_DATA_OOO]	= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_FIN]		= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, R_SAME, 0, 0, ECONNREFUSED, 0),
		/* in SYN_SENT only the ACK of a RST counts (RFC 793) */
		[F_RST_OOW]	= E(CLOSE, R_SAME, 0, 0, ECONNREFUSED, 0),
		[F_RST_BADACK]	= E(SYN_SENT, R_SAME, 0, 0, 0, 0),
		[F_RST_NOTNXT]	= E(CLOSE, R_SAME, 0, 0, ECONNREFUSED, 0),
	},
	{	/* SYN_RECV */
		[F_SYN]		= E(SYN_RECV, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(SYN_RECV, 0, 0, 0, 0, 0),
		[F_ACK]		= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(SYN_RECV, 0, 0, 0, 0, 1),
		[F_ACK_OOW]	= E(SYN_RECV, 0, 0, 0, 0, 0),
		[F_DATA]	= E(ESTABLISHED, FSM_LEN, 1, 0, 0, 0),
		[F_DATA_OOO]	= E(ESTABLISHED, 0, 0, 1, 0, 0),
		[F_FIN]		= E(CLOSE_WAIT, 1, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNREFUSED, 0),
		[F_RST_OOW]	= E(SYN_RECV, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNREFUSED, 0),
		/* an embryonic connection takes any in-window RST (Linux) */
		[F_RST_NOTNXT]	= E(CLOSE, 0, 0, 0, ECONNREFUSED, 0),
	},
	{	/* ESTABLISHED */
		[F_SYN]		= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_ACK]		= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_DATA]	= E(ESTABLISHED, FSM_LEN, 1, 0, 0, 0),
		[F_DATA_OOO]	= E(ESTABLISHED, 0, 0, 1, 0, 0),
		[F_FIN]		= E(CLOSE_WAIT, 1, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_OOW]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_NOTNXT]	= E(ESTABLISHED, 0, 0, 0, 0, 0),
	},
	{	/* FIN_WAIT1: our FIN sent, not acknowledged */
		[F_SYN]		= E(FIN_WAIT1, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(FIN_WAIT1, 0, 0, 0, 0, 0),
		[F_ACK]		= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(FIN_WAIT1, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(FIN_WAIT1, 0, 0, 0, 0, 0),
		[F_DATA]	= E(FIN_WAIT1, FSM_LEN, 1, 0, 0, 0),
		[F_DATA_OOO]	= E(FIN_WAIT1, 0, 0, 1, 0, 0),
		[F_FIN]		= E(CLOSING, 1, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_OOW]	= E(FIN_WAIT1, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_NOTNXT]	= E(FIN_WAIT1, 0, 0, 0, 0, 0),
	},
	{	/* FIN_WAIT2: our FIN acknowledged */
		[F_SYN]		= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_ACK]		= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_DATA]	= E(FIN_WAIT2, FSM_LEN, 1, 0, 0, 0),
		[F_DATA_OOO]	= E(FIN_WAIT2, 0, 0, 1, 0, 0),
		[F_FIN]		= D(CLOSE, 1, 0, 0, 0, 0, TCP_NOTW),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_OOW]	= E(FIN_WAIT2, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_NOTNXT]	= E(FIN_WAIT2, 0, 0, 0, 0, 0),
	},
	{	/* CLOSE_WAIT: the peer's FIN in */
		[F_SYN]		= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_ACK]		= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_DATA]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_DATA_OOO]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_FIN]		= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, EPIPE, 0),
		[F_RST_OOW]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, EPIPE, 0),
		[F_RST_NOTNXT]	= E(CLOSE_WAIT, 0, 0, 0, 0, 0),
	},
	{	/* CLOSING: both FINs out, ours not acknowledged */
		[F_SYN]		= E(CLOSING, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_ACK]		= D(CLOSE, 0, 0, 0, 0, 0, TCP_NOTW),
		[F_ACK_BAD]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_DATA]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_DATA_OOO]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_FIN]		= E(CLOSING, 0, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_OOW]	= E(CLOSING, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_NOTNXT]	= E(CLOSING, 0, 0, 0, 0, 0),
	},
	{	/* LAST_ACK: the peer's FIN in, ours out */
		[F_SYN]		= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_SYNACK]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_ACK]		= E(CLOSE, 0, 0, 0, 0, 0),
		[F_ACK_BAD]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_ACK_OOW]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_DATA]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_DATA_OOO]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_FIN]		= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_RST]		= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_OOW]	= E(LAST_ACK, 0, 0, 0, 0, 0),
		[F_RST_BADACK]	= E(CLOSE, 0, 0, 0, ECONNRESET, 0),
		[F_RST_NOTNXT]	= E(LAST_ACK, 0, 0, 0, 0, 0),
	},
};

#undef E
#undef D

/* One parameter per table entry, in order. */
static const void *fsm_gen_params(const void *prev, char *desc)
{
	const struct fsm_exp *first = &fsm_table[0][0], *next;
	unsigned int i;

	next = prev ? (const struct fsm_exp *)prev + 1 : first;
	i = next - first;
	if (i >= FSM_NSTATES * F_MAX)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s x %s",
		 fsm_state_name(fsm_states[i / F_MAX]),
		 fsm_frame_name[i % F_MAX]);
	return next;
}

/* A bound kernel stream socket, released by fsm_exit(). */
static struct sock *fsm_socket(struct kunit *test)
{
	struct sockaddr_lynx addr = {
		.slx_family	= lynx_family,
		.slx_port	= LYNX_PORT_ANY,
		.slx_node	= LYNX_NODE_ANY,
	};
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, lynx_family,
					       SOCK_STREAM, 0, &sock), 0);
	test->priv = sock;
	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&addr,
					  sizeof(addr)), 0);
	KUNIT_ASSERT_NE(test, lynx_sk(sock->sk)->port, 0U);
	return sock->sk;
}

/* Our FIN in the write queue, sent, as lynx_conn_send_fin() leaves it
 * (charged the same way, without sk_wmem_schedule()).  Socket locked.
 */
static void fsm_queue_fin(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);

	skb_reserve(skb, LYNX_HEADROOM);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	memset(cb, 0, sizeof(*cb));
	cb->flags = LYNX_F_FIN;
	cb->seq = FSM_ISS + 1;
	cb->end_seq = FSM_ISS + 2;
	cb->sent_us = ktime_to_us(ktime_get());	/* as lynx_conn_xmit_skb() */
	__skb_queue_tail(&sk->sk_write_queue, skb);
	c->wq_bytes = 0;
}

/* Put the connection in @state, as the handshake and teardown would. */
static void fsm_setup(struct kunit *test, struct sock *sk, int state)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_conn *c = lynx_sk_conn(&lsk->sk);
	struct sk_buff *fin = NULL;

	/* A FIN not acknowledged yet sits in the write queue. */
	if (fsm_fin_sent(state) && state != TCP_FIN_WAIT2) {
		fin = alloc_skb_fclone(LYNX_HEADROOM, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, fin);
	}
	lock_sock(sk);
	WRITE_ONCE(lsk->peer_node, FSM_PEER_NODE);
	WRITE_ONCE(lsk->peer_port, FSM_PEER_PORT);
	c->iss = FSM_ISS;
	c->rto = LYNX_RTO_INIT;
	c->retries = 0;
	c->dupacks = 0;
	c->in_recovery = false;
	c->fin_queued = false;
	c->send_head = NULL;
	switch (state) {
	case TCP_SYN_SENT:		/* as lynx_conn_connect() */
		c->snd_una = FSM_ISS;
		c->snd_nxt = FSM_ISS + 1;
		c->write_seq = FSM_ISS + 1;
		c->snd_wnd_end = c->snd_nxt;
		c->peer_max_wnd = 0;
		c->rcv_nxt = 0;
		c->syn_sent_us = ktime_to_us(ktime_get());
		break;
	case TCP_SYN_RECV:		/* as lynx_conn_child_new() */
		c->snd_una = FSM_ISS;
		c->snd_nxt = FSM_ISS + 1;
		c->write_seq = FSM_ISS + 1;
		c->snd_wnd_end = c->snd_nxt + FSM_WND;
		c->peer_max_wnd = FSM_WND;
		c->rcv_nxt = FSM_IRS + 1;
		break;
	default:
		c->snd_una = FSM_ISS + 1;
		c->snd_nxt = fsm_snd_nxt(state);
		c->write_seq = c->snd_nxt;
		c->snd_wnd_end = FSM_ISS + 1 + FSM_WND;
		c->peer_max_wnd = FSM_WND;
		c->rcv_nxt = fsm_base(state);
		c->fin_queued = fsm_fin_sent(state);
		if (fin)
			fsm_queue_fin(sk, fin);
		if (state == TCP_FIN_WAIT2)	/* our FIN acknowledged */
			c->snd_una = c->snd_nxt;
		if (fsm_fin_rcvd(state)) {
			sk->sk_shutdown |= RCV_SHUTDOWN;
			sock_set_flag(sk, SOCK_DONE);
		}
		break;
	}
	c->rcv_adv = c->rcv_nxt + lynx_rcv_window(sk->sk_rcvbuf, 0, 0);
	lynx_set_state(sk, state);
	release_sock(sk);
}

/* The segment @frame from the peer, to a connection in @state. */
static struct sk_buff *fsm_frame(struct kunit *test, int state, int frame)
{
	u32 base = fsm_base(state), nxt = fsm_snd_nxt(state);
	/* data acknowledges all but our FIN (in SYN_SENT: our SYN) */
	u32 data_ack = state == TCP_FIN_WAIT2 ? nxt : FSM_ISS + 1;
	unsigned int len = 0;
	struct lynx_seg_cb *cb;
	struct sk_buff *skb;

	skb = alloc_skb(LYNX_HEADROOM + FSM_LEN, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LYNX_HEADROOM);
	cb = lynx_seg_cb(skb);
	memset(cb, 0, sizeof(*cb));
	cb->window = FSM_WND;
	cb->src_node = FSM_PEER_NODE;
	cb->src_port = FSM_PEER_PORT;
	cb->seq = base;
	cb->ack = nxt;
	cb->flags = LYNX_F_ACK;

	switch (frame) {
	case F_SYN:
		cb->flags = LYNX_F_SYN;
		cb->seq = FSM_IRS;
		cb->ack = 0;
		break;
	case F_SYNACK:
		cb->flags = LYNX_F_SYN | LYNX_F_ACK;
		cb->seq = FSM_IRS;
		break;
	case F_ACK:
		break;
	case F_ACK_BAD:
		cb->ack = nxt + 100;
		break;
	case F_ACK_OOW:
		cb->seq = base + 0x40000000;
		break;
	case F_DATA:
		len = FSM_LEN;
		cb->ack = data_ack;
		break;
	case F_DATA_OOO:
		len = FSM_LEN;
		cb->seq = base + FSM_OOO;
		cb->ack = data_ack;
		break;
	case F_FIN:
		cb->flags = LYNX_F_FIN | LYNX_F_ACK;
		cb->ack = data_ack;
		break;
	case F_RST:
		cb->flags = LYNX_F_RST | LYNX_F_ACK;
		break;
	case F_RST_OOW:
		cb->flags = LYNX_F_RST | LYNX_F_ACK;
		cb->seq = base - 1;
		break;
	case F_RST_BADACK:
		cb->flags = LYNX_F_RST | LYNX_F_ACK;
		cb->ack = nxt + 100;
		break;
	case F_RST_NOTNXT:
		cb->flags = LYNX_F_RST | LYNX_F_ACK;
		cb->seq = base + 1;
		break;
	}
	if (len)
		memset(skb_put(skb, len), 0x5a, len);
	cb->end_seq = cb->seq + len + !!(cb->flags & LYNX_F_SYN) +
		      !!(cb->flags & LYNX_F_FIN);
	return skb;
}

/* The receive path's locking: softirq, spinlock, no owner. */
static void fsm_deliver(struct sock *sk, struct sk_buff *skb)
{
	local_bh_disable();
	bh_lock_sock(sk);
	WARN_ON_ONCE(sock_owned_by_user(sk));
	lynx_conn_process(sk, skb);
	bh_unlock_sock(sk);
	local_bh_enable();
}

static void lynx_conn_fsm_test_table(struct kunit *test)
{
	const struct fsm_exp *exp = test->param_value;
	unsigned int i = exp - &fsm_table[0][0];
	int state = fsm_states[i / F_MAX], frame = i % F_MAX;
	struct lynx_conn *c;
	unsigned long resets;
	struct sock *sk;
	u32 rcv_before;

	sk = fsm_socket(test);
	c = lynx_sk_conn(sk);
	fsm_setup(test, sk, state);
	rcv_before = c->rcv_nxt;

	resets = lynx_test_mib(LYNX_MIB_RESETS);
	fsm_deliver(sk, fsm_frame(test, state, frame));
	resets = lynx_test_mib(LYNX_MIB_RESETS) - resets;

	lock_sock(sk);
	KUNIT_EXPECT_STREQ_MSG(test, fsm_state_name(sk->sk_state),
			       fsm_state_name(exp->state), "state after");
	if (exp->rcv == R_SAME)
		KUNIT_EXPECT_EQ_MSG(test, c->rcv_nxt, rcv_before, "rcv_nxt");
	else
		KUNIT_EXPECT_EQ_MSG(test, c->rcv_nxt,
				    fsm_base(state) + exp->rcv, "rcv_nxt");
	KUNIT_EXPECT_EQ_MSG(test, skb_queue_len(&sk->sk_receive_queue),
			    (u32)exp->rq, "receive queue");
	KUNIT_EXPECT_EQ_MSG(test, c->rcvq_bytes, exp->rq ? (u32)FSM_LEN : 0U,
			    "rcvq_bytes");
	KUNIT_EXPECT_EQ_MSG(test, skb_queue_len(&c->ooo_q), (u32)exp->ooo,
			    "out-of-order queue");
	KUNIT_EXPECT_EQ_MSG(test, sk->sk_err, (int)exp->err, "sk_err");
	KUNIT_EXPECT_EQ_MSG(test, resets, (unsigned long)exp->rst,
			    "resets sent");

	/* What the state implies. */
	switch (sk->sk_state) {
	case TCP_CLOSE:
		KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));
		KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
		KUNIT_EXPECT_EQ(test, (int)sk->sk_shutdown, SHUTDOWN_MASK);
		KUNIT_EXPECT_EQ(test, lynx_sk(sk)->peer_port, 0U);
		break;
	case TCP_ESTABLISHED:
		KUNIT_EXPECT_EQ(test, c->snd_una, FSM_ISS + 1);
		KUNIT_EXPECT_EQ(test, c->snd_wnd_end, FSM_ISS + 1 + FSM_WND);
		if (state != TCP_ESTABLISHED)
			KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));
		break;
	case TCP_FIN_WAIT2:
		KUNIT_EXPECT_EQ(test, c->snd_una, fsm_snd_nxt(TCP_FIN_WAIT2));
		KUNIT_EXPECT_TRUE(test, skb_queue_empty(&sk->sk_write_queue));
		KUNIT_EXPECT_EQ(test, sk->sk_wmem_queued, 0);
		break;
	case TCP_CLOSE_WAIT:
	case TCP_CLOSING:
		KUNIT_EXPECT_TRUE(test, sk->sk_shutdown & RCV_SHUTDOWN);
		KUNIT_EXPECT_TRUE(test, sock_flag(sk, SOCK_DONE));
		break;
	}
	/* An unacceptable ACK moves nothing. */
	if (frame == F_ACK_BAD || frame == F_RST_OOW) {
		KUNIT_EXPECT_EQ(test, c->snd_una, state == TCP_SYN_SENT ||
				state == TCP_SYN_RECV ? FSM_ISS :
				state == TCP_FIN_WAIT2 ?
				fsm_snd_nxt(state) : FSM_ISS + 1);
		KUNIT_EXPECT_EQ(test, c->snd_nxt, fsm_snd_nxt(state));
	}
	release_sock(sk);

	if (exp->tcp)
		kunit_info(test, "deviates from TCP: %s", exp->tcp);
}

/* End the case's socket the way close() would, whatever state it is in:
 * lynx_conn_done() stops the timer and frees the write queue, the release
 * purges the receive queues and unlinks the socket.
 */
static void fsm_release(struct kunit *test)
{
	struct socket *sock = test->priv;
	struct sock *sk;

	if (!sock)
		return;
	test->priv = NULL;
	sk = sock->sk;
	lock_sock(sk);
	if (sk->sk_state != TCP_CLOSE)
		lynx_conn_done(sk);
	release_sock(sk);
	sock_release(sock);
}

/* An orphan (closed by its owner) that gets new data resets the peer, as
 * TCP does (RFC 1122 4.2.2.13, Linux tcp_rcv_state_process()).
 */
static void lynx_conn_fsm_test_orphan_data(struct kunit *test)
{
	static const u8 states[] = { TCP_FIN_WAIT1, TCP_FIN_WAIT2 };
	unsigned long resets;
	struct sock *sk;
	int i;

	for (i = 0; i < ARRAY_SIZE(states); i++) {
		sk = fsm_socket(test);
		fsm_setup(test, sk, states[i]);
		sock_set_flag(sk, SOCK_DEAD);

		resets = lynx_test_mib(LYNX_MIB_RESETS);
		fsm_deliver(sk, fsm_frame(test, states[i], F_DATA));
		KUNIT_EXPECT_EQ(test, lynx_test_mib(LYNX_MIB_RESETS) - resets, 1UL);
		KUNIT_EXPECT_EQ(test, (int)sk->sk_state, TCP_CLOSE);
		KUNIT_EXPECT_EQ(test, skb_queue_len(&sk->sk_receive_queue), 0U);
		KUNIT_EXPECT_EQ(test, lynx_sk_conn(sk)->rcv_nxt,
				fsm_base(states[i]));
		KUNIT_EXPECT_FALSE(test, timer_pending(&sk->sk_timer));
		fsm_release(test);
	}
}

/* What a delivery left of the delayed-ACK state, read before the timer
 * (LYNX_DELACK, one tick: a slow kernel may cross it between two lines)
 * can send the ACK.
 */
struct fsm_ack_state {
	bool pending;
	bool timer;
	u32 wup;
	u32 mss;
};

/* fsm_deliver(), then read @st under the same lock with bottom halves
 * off: the delack timer waits for it on any CPU.  @carry sends a segment
 * of ours in that section, as a reply would.
 */
static void fsm_deliver_ack_state(struct sock *sk, struct sk_buff *skb,
				  bool carry, struct fsm_ack_state *st)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	local_bh_disable();
	bh_lock_sock(sk);
	WARN_ON_ONCE(sock_owned_by_user(sk));
	lynx_conn_process(sk, skb);
	if (carry)
		lynx_conn_send_ack(sk);
	st->pending = c->ack_pending;
	st->timer = timer_pending(&c->delack_timer);
	st->wup = c->rcv_wup;
	st->mss = c->rcv_mss;
	bh_unlock_sock(sk);
	local_bh_enable();
}

/* Established, quick mode over, the last ACK at rcv_nxt, a wide window. */
static struct sock *fsm_delack_socket(struct kunit *test)
{
	struct sock *sk = fsm_socket(test);
	struct lynx_conn *c = lynx_sk_conn(sk);

	fsm_setup(test, sk, TCP_ESTABLISHED);
	lock_sock(sk);
	c->quickacks = 0;
	c->rcv_wup = c->rcv_nxt;
	c->rcv_mss = 4 * FSM_LEN;
	release_sock(sk);
	return sk;
}

/* In-order data after quick mode waits for LYNX_DELACK, then the timer
 * acknowledges it; every second full segment is acknowledged at once.
 */
static void lynx_conn_fsm_test_delayed_ack(struct kunit *test)
{
	struct sock *sk = fsm_delack_socket(test);
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 wup = c->rcv_wup;
	struct fsm_ack_state st;

	fsm_deliver_ack_state(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA),
			      false, &st);
	KUNIT_EXPECT_EQ(test, c->rcv_nxt, wup + FSM_LEN);
	KUNIT_EXPECT_TRUE(test, st.pending);
	KUNIT_EXPECT_EQ(test, st.wup, wup);
	KUNIT_EXPECT_TRUE(test, st.timer);
	/* The timer sends it (an ACK leaves: rcv_wup moves). */
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(!READ_ONCE(c->ack_pending)));
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->rcv_wup), wup + FSM_LEN);
	fsm_release(test);

	/* The second full segment unacknowledged: at once. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	c->rcv_mss = FSM_LEN;
	c->rcv_wup = c->rcv_nxt - FSM_LEN;	/* one segment held back */
	fsm_deliver(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA));
	KUNIT_EXPECT_FALSE(test, c->ack_pending);
	KUNIT_EXPECT_EQ(test, c->rcv_wup, c->rcv_nxt);
	fsm_release(test);

	/* The largest segment seen is what "full" means. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	c->rcv_mss = FSM_LEN / 2;
	fsm_deliver_ack_state(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA),
			      false, &st);
	KUNIT_EXPECT_EQ(test, st.mss, (u32)FSM_LEN);
	KUNIT_EXPECT_TRUE(test, st.pending);
	fsm_release(test);
}

/* A segment of ours carries the pending ACK: the timer finds nothing. */
static void lynx_conn_fsm_test_delayed_ack_carried(struct kunit *test)
{
	struct sock *sk = fsm_delack_socket(test);
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 wup = c->rcv_wup;
	struct fsm_ack_state st;

	/* The ACK held back (the timer armed), then carried at once. */
	fsm_deliver_ack_state(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA),
			      true, &st);
	KUNIT_EXPECT_TRUE(test, st.timer);
	KUNIT_EXPECT_FALSE(test, st.pending);
	KUNIT_EXPECT_EQ(test, st.wup, wup + FSM_LEN);
	/* The timer runs out with nothing due and leaves it so. */
	KUNIT_EXPECT_TRUE(test,
			  lynx_test_wait_until(!timer_pending(&c->delack_timer)));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(c->ack_pending));
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->rcv_wup), wup + FSM_LEN);
}

/* An ACK that found no memory is not lost: the delayed-ACK timer sends it
 * again (as __tcp_send_ack() schedules one), whether it was due at once
 * or the timer's own; else the peer waits for its retransmission timeout.
 */
static void lynx_conn_fsm_test_ack_nomem(struct kunit *test)
{
	struct fsm_ack_state st;
	struct lynx_conn *c;
	unsigned long nomem;
	struct lynx_net *ln;
	struct sock *sk;
	u32 wup;

	if (!IS_ENABLED(CONFIG_LYNX_FAULT_INJECTION))
		kunit_skip(test, "fail_lynx_alloc: lynx built without it");

	/* Due at once (the second full segment), the ACK's skb fails. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	c->rcv_mss = FSM_LEN;
	c->rcv_wup = c->rcv_nxt - FSM_LEN;
	wup = c->rcv_wup;
	ln = lynx_net(sock_net(sk));
	nomem = lynx_stats_read(ln, LYNX_MIB_DROP_NOMEM);
	lynx_fail_alloc_next(1);
	fsm_deliver_ack_state(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA),
			      false, &st);
	lynx_fail_alloc_next(0);
	KUNIT_EXPECT_EQ(test, lynx_stats_read(ln, LYNX_MIB_DROP_NOMEM),
			nomem + 1);
	KUNIT_EXPECT_EQ(test, st.wup, wup);
	KUNIT_EXPECT_TRUE(test, st.pending);
	KUNIT_EXPECT_TRUE(test, st.timer);
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(!READ_ONCE(c->ack_pending)));
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->rcv_wup), c->rcv_nxt);
	fsm_release(test);

	/* Held back, and the timer's ACK fails: the timer tries again. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	wup = c->rcv_wup;
	nomem = lynx_stats_read(ln, LYNX_MIB_DROP_NOMEM);
	lynx_fail_alloc_next(1);
	fsm_deliver_ack_state(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA),
			      false, &st);
	KUNIT_EXPECT_TRUE(test, st.pending);
	KUNIT_EXPECT_TRUE(test, st.timer);
	KUNIT_EXPECT_TRUE(test, lynx_test_wait_until(!READ_ONCE(c->ack_pending)));
	lynx_fail_alloc_next(0);
	/* (The failure was the timer's: delivery allocated nothing.) */
	KUNIT_EXPECT_EQ(test, lynx_stats_read(ln, LYNX_MIB_DROP_NOMEM),
			nomem + 1);
	KUNIT_EXPECT_EQ(test, READ_ONCE(c->rcv_wup), wup + FSM_LEN);
	fsm_release(test);
}

/* Quick mode: a new connection's first LYNX_QUICKACKS data segments, and
 * those after a hole, are acknowledged at once.
 */
static void lynx_conn_fsm_test_quickack(struct kunit *test)
{
	struct sock *sk = fsm_delack_socket(test);
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 wup = c->rcv_wup;

	c->quickacks = 2;
	fsm_deliver(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA));
	KUNIT_EXPECT_FALSE(test, c->ack_pending);
	KUNIT_EXPECT_EQ(test, c->rcv_wup, wup + FSM_LEN);
	KUNIT_EXPECT_EQ(test, c->quickacks, 1);
	fsm_release(test);

	/* A hole: acknowledged at once, and quick mode again. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	fsm_deliver(sk, fsm_frame(test, TCP_ESTABLISHED, F_DATA_OOO));
	KUNIT_EXPECT_FALSE(test, c->ack_pending);
	KUNIT_EXPECT_EQ(test, c->quickacks, LYNX_QUICKACKS);
	fsm_release(test);

	/* A FIN: at once. */
	sk = fsm_delack_socket(test);
	c = lynx_sk_conn(sk);
	wup = c->rcv_wup;
	fsm_deliver(sk, fsm_frame(test, TCP_ESTABLISHED, F_FIN));
	KUNIT_EXPECT_FALSE(test, c->ack_pending);
	KUNIT_EXPECT_EQ(test, c->rcv_wup, wup + 1);
}

static void fsm_exit(struct kunit *test)
{
	fsm_release(test);
}

static struct kunit_case conn_fsm_cases[] = {
	KUNIT_CASE_PARAM(lynx_conn_fsm_test_table, fsm_gen_params),
	KUNIT_CASE(lynx_conn_fsm_test_orphan_data),
	KUNIT_CASE(lynx_conn_fsm_test_delayed_ack),
	KUNIT_CASE(lynx_conn_fsm_test_delayed_ack_carried),
	KUNIT_CASE(lynx_conn_fsm_test_ack_nomem),
	KUNIT_CASE(lynx_conn_fsm_test_quickack),
	{}
};

static struct kunit_suite conn_fsm_suite = {
	.name = "lynx_conn_fsm",
	.exit = fsm_exit,
	.test_cases = conn_fsm_cases,
};

kunit_test_suites(&conn_math_suite, &conn_fsm_suite);
