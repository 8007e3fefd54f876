// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: lynx_conn_cc, the congestion control of module/conn_cc.c
 * (NewReno: RFC 5681 with RFC 6582's partial acknowledgments, RFC 6928's
 * initial window, RFC 3465's byte counting, RFC 3042's limited transmit,
 * RFC 6675's recovery with SACK blocks)
 * and module/conn_cubic.c (CUBIC, RFC 9438).
 * Its functions are pure: each case builds a struct lynx_conn by hand and
 * checks the window, the threshold and the recovery state they leave, and
 * what they tell the caller to send.
 */
#include <kunit/test.h>
#include <net/lynx.h>
#include "lynx_test.h"

#define CC_MSS		1000U
#define CC_UNA		0xfffff000U	/* recovery points wrap past 2^32 */

/* A connection as lynx_conn_sock_init() leaves it, @flight segments out,
 * growing its window by @algo.
 */
static struct lynx_conn *cc_conn_algo(struct kunit *test, u32 flight,
				      u8 algo)
{
	struct lynx_conn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	lynx_cc_init(c, algo);
	c->snd_una = CC_UNA;
	c->snd_nxt = CC_UNA + flight * CC_MSS;
	c->recover = CC_UNA - 1;	/* the ISS (RFC 6582) */
	return c;
}

/* The same with Reno's growth: most cases here are NewReno's. */
static struct lynx_conn *cc_conn(struct kunit *test, u32 flight)
{
	return cc_conn_algo(test, flight, LYNX_CC_RENO);
}

/* Set the window and threshold by hand, out of recovery. */
static void cc_set(struct lynx_conn *c, u32 cwnd, u32 ssthresh)
{
	c->snd_cwnd = cwnd;
	c->snd_ssthresh = ssthresh;
	c->snd_cwnd_cnt = 0;
}

/* @n acknowledgments of one segment each, by a window-limited sender. */
static void cc_acks(struct kunit *test, struct lynx_conn *c, int n)
{
	while (n--) {
		c->snd_una += CC_MSS;
		c->snd_nxt += CC_MSS;
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 1,
							c->snd_cwnd));
	}
}

static void lynx_conn_cc_test_initial_window(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 0);

	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, (u32)LYNX_INIT_CWND);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 0U);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, lynx_cc_window(c), 10U);

	/* Ten segments may be in flight, not one byte more. */
	KUNIT_EXPECT_TRUE(test, lynx_cc_may_send(c, CC_MSS, CC_MSS));
	c->snd_nxt = CC_UNA + 9 * CC_MSS;
	KUNIT_EXPECT_TRUE(test, lynx_cc_may_send(c, CC_MSS, CC_MSS));
	c->snd_nxt++;
	KUNIT_EXPECT_FALSE(test, lynx_cc_may_send(c, CC_MSS, CC_MSS));
	KUNIT_EXPECT_TRUE(test, lynx_cc_may_send(c, CC_MSS - 1, CC_MSS));
	c->snd_nxt = CC_UNA + 10 * CC_MSS;
	KUNIT_EXPECT_FALSE(test, lynx_cc_may_send(c, 1, CC_MSS));
	/* With nothing in flight a segment always goes, whatever its size. */
	cc_set(c, 1, 2);
	c->snd_nxt = CC_UNA;
	KUNIT_EXPECT_TRUE(test, lynx_cc_may_send(c, 5 * CC_MSS, CC_MSS));
	/* Flight in segments rounds up. */
	KUNIT_EXPECT_EQ(test, lynx_cc_flight(CC_UNA, CC_UNA, CC_MSS), 0U);
	KUNIT_EXPECT_EQ(test, lynx_cc_flight(CC_UNA, CC_UNA + 1, CC_MSS), 1U);
	KUNIT_EXPECT_EQ(test, lynx_cc_flight(CC_UNA, CC_UNA + 2001, CC_MSS),
			3U);
}

static void lynx_conn_cc_test_slow_start(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 10);
	int i;

	/* One more segment per segment acknowledged: doubling per RTT. */
	for (i = 1; i <= 10; i++) {
		cc_acks(test, c, 1);
		KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U + i);
	}
	/* Two segments in one ACK: two more. */
	c->snd_una += 2 * CC_MSS;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 2, 20));
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 22U);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
}

static void lynx_conn_cc_test_abc_cap(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 10);

	/* A stretch ACK of five segments grows slow start by L = 2 only. */
	c->snd_una += 5 * CC_MSS;
	lynx_cc_on_ack(c, c->snd_una, 5, 10);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 12U);
	c->snd_una += 100 * CC_MSS;
	lynx_cc_on_ack(c, c->snd_una, 100, 12);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 14U);
	KUNIT_EXPECT_EQ(test, lynx_cc_slow_start(c, 3), 0U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 16U);
}

static void lynx_conn_cc_test_app_limited(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 10);

	/* A sender that never fills the window does not grow it. */
	c->snd_una += CC_MSS;
	lynx_cc_on_ack(c, c->snd_una, 1, 4);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	/* Slow start grows while half the window was used (tcp_cwnd_limited) */
	lynx_cc_on_ack(c, c->snd_una, 1, 6);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 11U);
	/* Avoidance only when the whole window was. */
	cc_set(c, 10, 5);
	lynx_cc_on_ack(c, c->snd_una, 20, 9);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 0U);
}

static void lynx_conn_cc_test_ss_to_avoidance(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 11);

	cc_set(c, 11, 12);
	/* Slow start stops at ssthresh; the rest counts toward avoidance. */
	KUNIT_EXPECT_EQ(test, lynx_cc_slow_start(c, 2), 1U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 12U);

	cc_set(c, 11, 12);
	c->snd_una += 2 * CC_MSS;
	lynx_cc_on_ack(c, c->snd_una, 2, 11);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 12U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 1U);
	/* From ssthresh on, one ACK of one segment no longer grows it. */
	cc_acks(test, c, 1);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 12U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 2U);
}

static void lynx_conn_cc_test_avoidance(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 10);

	cc_set(c, 10, 10);
	/* One segment more per window of segments acknowledged. */
	cc_acks(test, c, 9);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	cc_acks(test, c, 1);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 11U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 0U);
	cc_acks(test, c, 10);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 11U);
	cc_acks(test, c, 1);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 12U);
	/* As tcp_cong_avoid_ai(): a big ACK may add more than one. */
	lynx_cc_cong_avoid_ai(c, 12, 25);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 14U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 1U);
	/* Never past the clamp. */
	cc_set(c, LYNX_CWND_MAX, 10);
	cc_acks(test, c, 2 * LYNX_CWND_MAX);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, LYNX_CWND_MAX);
}

static void lynx_conn_cc_test_acked_bytes(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 0);

	/* Bytes count as whole segments of the MSS, the rest carried. */
	KUNIT_EXPECT_EQ(test, lynx_cc_acked(c, 1500, CC_MSS), 1U);
	KUNIT_EXPECT_EQ(test, lynx_cc_acked(c, 499, CC_MSS), 0U);
	KUNIT_EXPECT_EQ(test, lynx_cc_acked(c, 1, CC_MSS), 1U);
	KUNIT_EXPECT_EQ(test, c->cc_acked_bytes, 0U);
	KUNIT_EXPECT_EQ(test, lynx_cc_acked(c, 100, CC_MSS), 0U);
	KUNIT_EXPECT_EQ(test, lynx_cc_acked(c, 2999, CC_MSS), 3U);
	KUNIT_EXPECT_EQ(test, c->cc_acked_bytes, 99U);
}

static void lynx_conn_cc_test_dupacks(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 20);

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	/* Two duplicates: limited transmit, one new segment each. */
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_EQ(test, lynx_cc_window(c), 21U);
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_EQ(test, lynx_cc_window(c), 22U);
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 20U);
	/* The third: fast retransmit, ssthresh = flight / 2, cwnd inflated
	 * by the three segments that left the network.
	 */
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->recover, c->snd_nxt);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 13U);
	KUNIT_EXPECT_EQ(test, lynx_cc_window(c), 13U);
	/* Each further one: one more segment, no retransmission. */
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 14U);
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 15U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
}

static void lynx_conn_cc_test_partial_ack(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 20);
	u32 recover;
	int i;

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	for (i = 0; i < 3; i++)
		lynx_cc_on_dupack(c, 20);
	KUNIT_ASSERT_TRUE(test, c->in_recovery);
	recover = c->recover;
	/* New data sent during recovery does not move the recovery point. */
	c->snd_nxt += 2 * CC_MSS;
	/* A partial ACK (across 2^32): the next hole goes at once, recovery
	 * goes on, the window deflates by what it acked and grows by one.
	 */
	c->snd_una += 3 * CC_MSS;
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_ack(c, c->snd_una, 3, 22));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->recover, recover);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 11U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, c->dupacks, 0);
	/* Another, one byte short of the recovery point. */
	c->snd_una = recover - 1;
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_ack(c, c->snd_una, 16, 19));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_GE(test, c->snd_cwnd, 1U);
	/* Duplicates in recovery never start another one. */
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 3));
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
}

/* With SACK blocks (sacked_out): RFC 6675.  Fast recovery neither
 * inflates the window nor deflates it, the pipe measures what may go,
 * and a partial ACK sends nothing by itself while blocks remain.
 */
static void lynx_conn_cc_test_sack_recovery(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 20);
	int i;

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	c->sack_ok = true;
	/* Out of recovery the pipe is what is in flight, SACKed or not. */
	c->sacked_out = 3 * CC_MSS;
	c->highest_sack = CC_UNA + 5 * CC_MSS;
	KUNIT_EXPECT_EQ(test, lynx_cc_pipe(c), 20 * CC_MSS);
	for (i = 0; i < 3; i++)
		lynx_cc_on_dupack(c, 20);
	KUNIT_ASSERT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, c->rtx_nxt, CC_UNA);
	lynx_cc_on_dupack(c, 20);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	/* 20 out, 3 SACKed below the fifth: 2 lost, 15 in the network. */
	KUNIT_EXPECT_EQ(test, lynx_cc_pipe(c), 15 * CC_MSS);
	KUNIT_EXPECT_FALSE(test, lynx_cc_may_send(c, CC_MSS, CC_MSS));
	/* The two holes sent again count once more. */
	c->retrans_out = 2 * CC_MSS;
	KUNIT_EXPECT_EQ(test, lynx_cc_pipe(c), 17 * CC_MSS);
	/* 10 more SACKed, up to the 17th: 2 + 2 lost, 3 out, 2 again. */
	c->sacked_out = 13 * CC_MSS;
	c->highest_sack = CC_UNA + 17 * CC_MSS;
	KUNIT_EXPECT_EQ(test, lynx_cc_pipe(c), 5 * CC_MSS);
	KUNIT_EXPECT_TRUE(test, lynx_cc_may_send(c, 5 * CC_MSS, CC_MSS));
	KUNIT_EXPECT_FALSE(test, lynx_cc_may_send(c, 6 * CC_MSS, CC_MSS));
	/* A partial ACK with blocks left: nothing of itself, no deflation. */
	c->snd_una += CC_MSS;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 1, 20));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	/* None left: NewReno's next hole. */
	c->sacked_out = 0;
	c->snd_una += CC_MSS;
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_ack(c, c->snd_una, 1, 20));
	KUNIT_EXPECT_EQ(test, lynx_cc_pipe(c), c->snd_nxt - c->snd_una);
	/* The full ACK: out of recovery at ssthresh. */
	c->snd_una = c->recover;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 1, 20));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
}

static void lynx_conn_cc_test_full_ack(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 20);
	int i;

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	for (i = 0; i < 5; i++)
		lynx_cc_on_dupack(c, 20);
	KUNIT_ASSERT_TRUE(test, c->in_recovery);
	KUNIT_ASSERT_EQ(test, c->snd_cwnd, 15U);
	/* Everything up to the recovery point: over, cwnd = ssthresh. */
	c->snd_una = c->recover;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 20, 20));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd_cnt, 0U);
	/* From there, congestion avoidance. */
	cc_acks(test, c, 10);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 11U);
	/* Three new duplicates start a new recovery, halving again. */
	for (i = 0; i < 3; i++)
		lynx_cc_on_dupack(c, 11);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 5U);
}

static void lynx_conn_cc_test_rto(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 16);
	int i;

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	lynx_cc_on_rto(c, 16, true);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 8U);
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->recover, c->snd_nxt);
	KUNIT_EXPECT_EQ(test, c->dupacks, 0);
	/* The same segment lost again: ssthresh stays (RFC 5681 3.1), what
	 * the window shrank to since notwithstanding.
	 */
	lynx_cc_on_rto(c, 6, false);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 8U);
	/* Duplicates after a timeout neither inflate nor retransmit. */
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 16));
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, lynx_cc_window(c), 1U);
	/* A partial ACK: slow start again; what goes again is the sender's
	 * (lynx_conn_resend_lost(), as the window allows), not one hole.
	 */
	c->snd_una += CC_MSS;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 1, 16));
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 2U);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
	/* All of it: recovery over, the window keeps growing from there. */
	c->snd_una = c->recover;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 15, 15));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_FALSE(test, c->in_loss);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 4U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 8U);

	/* A timeout in fast recovery ends it: loss recovery, cwnd 1. */
	c = cc_conn(test, 20);
	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	for (i = 0; i < 3; i++)
		lynx_cc_on_dupack(c, 20);
	lynx_cc_on_rto(c, 20, true);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 10U);
	KUNIT_EXPECT_TRUE(test, c->in_loss);
}

/* RFC 6582 4.1: duplicate ACKs that do not cover more than the last
 * recovery point (answers to what that recovery or a timeout sent again)
 * start no new fast retransmit; past it they do.
 */
static void lynx_conn_cc_test_dupacks_after_recovery(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 20);
	int i;

	cc_set(c, 20, LYNX_INFINITE_SSTHRESH);
	lynx_cc_on_rto(c, 20, true);
	c->snd_una = c->recover;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 20, 20));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	c->snd_nxt += 10 * CC_MSS;
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 10));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);

	c->snd_una += CC_MSS;
	lynx_cc_on_ack(c, c->snd_una, 1, 10);
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 9));
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_dupack(c, 9));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);

	/* 3 GiB acknowledged without a loss since the last recovery point
	 * (seconds on lynxlo): past 2^31 it must not look behind it again.
	 */
	c = cc_conn(test, 20);
	for (i = 0; i < 3; i++) {
		c->snd_una += 1U << 30;
		c->snd_nxt += 1U << 30;
		lynx_cc_on_ack(c, c->snd_una, 1, 20);
	}
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_dupack(c, 20));
	KUNIT_EXPECT_TRUE(test, c->in_recovery);
}

static void lynx_conn_cc_test_ssthresh_floor(struct kunit *test)
{
	static const u32 flight[][2] = {
		{ 0, 2 }, { 1, 2 }, { 2, 2 }, { 3, 2 }, { 4, 2 }, { 5, 2 },
		{ 6, 3 }, { 7, 3 }, { 20, 10 }, { 65535, 32767 },
	};
	struct lynx_conn *c;
	int i;

	for (i = 0; i < ARRAY_SIZE(flight); i++)
		KUNIT_EXPECT_EQ_MSG(test, lynx_cc_ssthresh(flight[i][0]),
				    flight[i][1], "flight %u", flight[i][0]);
	/* The floor holds where the thresholds are set. */
	c = cc_conn(test, 1);
	cc_set(c, 3, LYNX_INFINITE_SSTHRESH);
	for (i = 0; i < 3; i++)
		lynx_cc_on_dupack(c, 1);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 2U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 5U);
	c = cc_conn(test, 1);
	lynx_cc_on_rto(c, 1, true);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 2U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
}

static void lynx_conn_cc_test_idle_restart(struct kunit *test)
{
	struct lynx_conn *c = cc_conn(test, 0);

	/* Idle no longer than the RTO: the window stands. */
	cc_set(c, 40, 30);
	lynx_cc_idle_restart(c, 50, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 40U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 30U);
	/* Halved per RTO idle, as tcp_cwnd_restart(); ssthresh keeps 3/4. */
	lynx_cc_idle_restart(c, 51, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 20U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 30U);
	cc_set(c, 40, 20);
	lynx_cc_idle_restart(c, 120, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 30U);
	/* Never below the initial window ... */
	cc_set(c, 40, 20);
	lynx_cc_idle_restart(c, 100000, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	cc_set(c, 13, 20);
	lynx_cc_idle_restart(c, 100000, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 10U);
	/* ... nor raised to it. */
	cc_set(c, 6, 20);
	lynx_cc_idle_restart(c, 100000, 50);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 6U);
}

/* ---- CUBIC (conn_cubic.c) ------------------------------------------------ */

/* The integer cube root of @a, by bisection. */
static u32 cc_cbrt(u64 a)
{
	u64 lo = 0, hi = 2642245;	/* cbrt(2^64) */

	while (lo < hi) {
		u64 mid = (lo + hi + 1) / 2;

		if (mid * mid * mid <= a)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* tcp_cubic.c's table and one Newton step: within about 1.5% (and one)
 * across the range, which is what the curve needs.
 */
static void lynx_conn_cc_test_cubic_root(struct kunit *test)
{
	static const u64 vals[] = { 0, 1, 2, 7, 8, 26, 27, 63, 64, 100, 1000,
				    4095, 12345, 999999, 1ULL << 30,
				    123456789012ULL, 1ULL << 45, 1ULL << 62 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		u32 want = cc_cbrt(vals[i]), got = lynx_cubic_root(vals[i]);
		u32 err = got > want ? got - want : want - got;

		KUNIT_EXPECT_LE_MSG(test, err, 1 + want / 64, "cbrt(%llu)",
				    vals[i]);
	}
}

/* A loss keeps 0.7 of the window and remembers it as W_max; a loss below
 * the last W_max aims lower (fast convergence: 0.85 of the window).
 */
static void lynx_conn_cc_test_cubic_loss(struct kunit *test)
{
	struct lynx_cubic ca = {};

	ca.epoch_start = 1234;
	KUNIT_EXPECT_EQ(test, lynx_cubic_ssthresh(&ca, 100), 70U);
	KUNIT_EXPECT_EQ(test, ca.last_max_cwnd, 100U);
	KUNIT_EXPECT_EQ(test, ca.epoch_start, 0U);
	KUNIT_EXPECT_EQ(test, lynx_cubic_ssthresh(&ca, 80), 56U);
	KUNIT_EXPECT_EQ(test, ca.last_max_cwnd, 68U);	/* 80 x 1741 / 2048 */
	KUNIT_EXPECT_EQ(test, lynx_cubic_ssthresh(&ca, 200), 140U);
	KUNIT_EXPECT_EQ(test, ca.last_max_cwnd, 200U);
	KUNIT_EXPECT_EQ(test, lynx_cubic_ssthresh(&ca, 1), 2U);
}

#define CC_T0		100000U		/* jiffies; not 0 ("no epoch") */
#define CC_RTT_MS	100

/* @rounds round trips of @rtt jiffies, each acknowledging the whole
 * window one segment an ACK: c's window under CUBIC from jiffy *now.
 */
static void cc_cubic_rounds(struct lynx_conn *c, u32 *now, u32 rtt,
			    int rounds)
{
	u32 i, n, w;

	while (rounds--) {
		n = c->snd_cwnd;
		for (i = 0; i < n; i++) {
			w = lynx_cubic_cnt(&c->cubic, c->snd_cwnd, 1, *now);
			lynx_cc_cong_avoid_ai(c, w, 1);
		}
		*now += rtt;
	}
}

/* After a loss at W_max = 100 (cwnd 70, a 100 ms path) the window climbs
 * the curve, which is back at W_max after K = cbrt(30 / 0.4) = 4.2 s: fast
 * at first and slowly near W_max (concave), faster again beyond (convex).
 */
static void lynx_conn_cc_test_cubic_curve(struct kunit *test)
{
	struct lynx_conn *c = cc_conn_algo(test, 0, LYNX_CC_CUBIC);
	u32 rtt = msecs_to_jiffies(CC_RTT_MS), now = CC_T0, w[9];
	int s, at_wmax = -1;

	lynx_cubic_rtt_sample(&c->cubic, CC_RTT_MS * USEC_PER_MSEC, now);
	cc_set(c, lynx_cubic_ssthresh(&c->cubic, 100), 70);
	KUNIT_ASSERT_EQ(test, c->snd_cwnd, 70U);
	w[0] = c->snd_cwnd;
	for (s = 1; s < ARRAY_SIZE(w); s++) {
		int r;

		for (r = 0; r < 10; r++) {	/* a second */
			cc_cubic_rounds(c, &now, rtt, 1);
			if (at_wmax < 0 && c->snd_cwnd >= 100)
				at_wmax = (s - 1) * 10 + r + 1;	/* rounds */
		}
		w[s] = c->snd_cwnd;
	}
	kunit_info(test, "cwnd each second: %u %u %u %u %u %u %u %u %u",
		   w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8]);
	/* In whole segments the curve is within one of W_max from
	 * K - cbrt(1 / 0.4) = 2.86 s to K + 1.36 s, and it runs a round trip
	 * ahead of the clock (the window may pass it by one): W_max is
	 * reached after 24 to 42 round trips, and held (plus a segment or
	 * two) up to 5 s.
	 */
	KUNIT_EXPECT_GE(test, at_wmax, 24);
	KUNIT_EXPECT_LE(test, at_wmax, 42);
	KUNIT_EXPECT_LE(test, w[4], 102U);
	KUNIT_EXPECT_LE(test, w[5], 102U);
	/* Concave below W_max, convex above. */
	KUNIT_EXPECT_GT(test, w[1] - w[0], w[3] - w[2]);
	KUNIT_EXPECT_GT(test, w[8] - w[7], w[7] - w[6]);
	KUNIT_EXPECT_GT(test, w[7] - w[6], w[5] - w[4]);
	/* And never more than 1.5 x a round trip. */
	for (s = 1; s < ARRAY_SIZE(w); s++)
		KUNIT_EXPECT_LE(test, w[s], w[s - 1] * 2);
}

/* On a short path CUBIC's curve (per second) is slower than Reno's one
 * segment per round trip: the window then grows as Reno's estimate, 0.53
 * segments a round trip (3 (1 - beta) / (1 + beta), RFC 9438 4.3).
 */
static void lynx_conn_cc_test_cubic_friendly(struct kunit *test)
{
	struct lynx_conn *c = cc_conn_algo(test, 0, LYNX_CC_CUBIC);
	u32 now = CC_T0;

	lynx_cubic_rtt_sample(&c->cubic, 100, now);
	cc_set(c, lynx_cubic_ssthresh(&c->cubic, 143), 100);
	KUNIT_ASSERT_EQ(test, c->snd_cwnd, 100U);
	c->cubic.last_max_cwnd = 100;		/* W_max reached already */
	cc_cubic_rounds(c, &now, 1, 100);	/* 100 rounds of a jiffy */
	KUNIT_EXPECT_GE(test, c->snd_cwnd, 100U + 45);
	KUNIT_EXPECT_LE(test, c->snd_cwnd, 100U + 60);
}

/* Through the connection's hooks: three duplicates keep 0.7 of the window
 * (Reno's half the flight), a full ACK deflates to it, a timeout forgets
 * the curve; the curve's clock stops while idle.
 */
static void lynx_conn_cc_test_cubic_hooks(struct kunit *test)
{
	struct lynx_conn *c = cc_conn_algo(test, 100, LYNX_CC_CUBIC);
	struct lynx_conn *r = cc_conn(test, 100);
	int i;

	cc_set(c, 100, LYNX_INFINITE_SSTHRESH);
	cc_set(r, 100, LYNX_INFINITE_SSTHRESH);
	for (i = 0; i < 2; i++) {
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(c, 100));
		KUNIT_EXPECT_FALSE(test, lynx_cc_on_dupack(r, 100));
	}
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_dupack(c, 100));
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_dupack(r, 100));
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 70U);
	KUNIT_EXPECT_EQ(test, r->snd_ssthresh, 50U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 73U);
	KUNIT_EXPECT_EQ(test, c->cubic.last_max_cwnd, 100U);
	c->snd_una = c->recover;
	KUNIT_EXPECT_FALSE(test, lynx_cc_on_ack(c, c->snd_una, 100, 100));
	KUNIT_EXPECT_FALSE(test, c->in_recovery);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 70U);

	/* A round-trip sample within a second of the loss's epoch is not
	 * the path's (recovery's queue); after it, it is.
	 */
	c->cubic.epoch_start = jiffies;
	lynx_cc_rtt_sample(c, 5000);
	KUNIT_EXPECT_EQ(test, c->cubic.delay_min, 0U);
	c->cubic.epoch_start = jiffies - 2 * HZ;
	lynx_cc_rtt_sample(c, 5000);
	KUNIT_EXPECT_EQ(test, c->cubic.delay_min, 5000U);

	/* Idle: the curve's start moves on by the idle time, never past
	 * now.
	 */
	c->cubic.epoch_start = CC_T0;
	lynx_cubic_idle(&c->cubic, 50, CC_T0 + 1000);
	KUNIT_EXPECT_EQ(test, c->cubic.epoch_start, CC_T0 + 50);
	lynx_cubic_idle(&c->cubic, 5000, CC_T0 + 1000);
	KUNIT_EXPECT_EQ(test, c->cubic.epoch_start, CC_T0 + 1000);

	/* A timeout: 0.7 of the window, then no W_max and no curve. */
	c->cubic.last_max_cwnd = 100;
	lynx_cc_on_rto(c, 70, true);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 49U);
	KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
	KUNIT_EXPECT_EQ(test, c->cubic.last_max_cwnd, 0U);
	KUNIT_EXPECT_EQ(test, c->cubic.epoch_start, 0U);
	KUNIT_EXPECT_EQ(test, c->cubic.delay_min, 0U);
}

/* A timeout while fast recovery is still repairing its window keeps the
 * threshold that recovery set (tcp_enter_loss() recomputes it only out of
 * recovery): the window by then is inflated by every duplicate ACK, and
 * the flight by what it let out, and neither is the window that lost.
 */
static void lynx_conn_cc_test_rto_in_recovery(struct kunit *test)
{
	static const u8 algos[] = { LYNX_CC_RENO, LYNX_CC_CUBIC };
	unsigned int a;
	int i;

	for (a = 0; a < ARRAY_SIZE(algos); a++) {
		struct lynx_conn *c = cc_conn_algo(test, 100, algos[a]);
		u32 ssthresh;

		cc_set(c, 100, LYNX_INFINITE_SSTHRESH);
		for (i = 0; i < 3; i++)
			lynx_cc_on_dupack(c, 100);
		KUNIT_ASSERT_TRUE(test, c->in_recovery);
		ssthresh = c->snd_ssthresh;		/* 50, or 70 */
		for (i = 0; i < 50; i++)
			lynx_cc_on_dupack(c, 100);
		KUNIT_EXPECT_EQ(test, c->snd_cwnd, ssthresh + 53);
		c->snd_nxt += 50 * CC_MSS;	/* what inflation let out */
		lynx_cc_on_rto(c, 150, true);
		KUNIT_EXPECT_EQ_MSG(test, c->snd_ssthresh, ssthresh,
				    "algorithm %u", algos[a]);
		KUNIT_EXPECT_EQ(test, c->snd_cwnd, 1U);
		KUNIT_EXPECT_TRUE(test, c->in_loss);
	}
}

/* Through lynx_cc_on_ack(): a CUBIC connection that has lost nothing yet
 * (no W_max) grows at least 5% a round trip in congestion avoidance (one
 * segment per 20 acknowledged), Reno's one segment a round trip: five
 * windows of ACKs take Reno from 70 to 75 and CUBIC past 85.
 */
static void lynx_conn_cc_test_cubic_grows_on_ack(struct kunit *test)
{
	struct lynx_conn *r = cc_conn(test, 70);
	struct lynx_conn *c = cc_conn_algo(test, 70, LYNX_CC_CUBIC);

	cc_set(r, 70, 70);
	cc_set(c, 70, 70);
	cc_acks(test, r, 5 * 72);
	cc_acks(test, c, 5 * 72);
	KUNIT_EXPECT_EQ(test, r->snd_cwnd, 75U);
	KUNIT_EXPECT_GE(test, c->snd_cwnd, 85U);
	KUNIT_EXPECT_LE(test, c->snd_cwnd, 90U);
	KUNIT_EXPECT_NE(test, c->cubic.epoch_start, 0U);
}

/* HyStart's delay rule (tcp_cubic.c's HYSTART_DELAY): in slow start, from
 * 16 segments on, a round trip whose first samples all exceed the least
 * delay by an eighth of it (4 to 16 ms) ends slow start at that window,
 * before the queue it builds overflows: the burst of losses that follows
 * an overshoot left NewReno repairing hundreds of holes one per round
 * trip (README, fair_tcp).  Reno's slow start has no such rule.
 */
static void lynx_conn_cc_test_hystart(struct kunit *test)
{
	struct lynx_conn *c = cc_conn_algo(test, 32, LYNX_CC_CUBIC);
	struct lynx_conn *r = cc_conn(test, 32);
	struct lynx_conn *s = cc_conn_algo(test, 10, LYNX_CC_CUBIC);
	int i;

	cc_set(c, 32, LYNX_INFINITE_SSTHRESH);
	cc_set(r, 32, LYNX_INFINITE_SSTHRESH);
	cc_set(s, 10, LYNX_INFINITE_SSTHRESH);
	/* A round at the path's 10 ms: nothing. */
	for (i = 0; i < 9; i++) {
		lynx_cc_rtt_sample(c, 10000);
		lynx_cc_rtt_sample(r, 10000);
		lynx_cc_rtt_sample(s, 10000);
	}
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	/* The next round (snd_una past where the first ended) at 13 ms:
	 * below 10 + 4 ms, nothing.
	 */
	c->snd_nxt += 64 * CC_MSS;
	c->snd_una += 33 * CC_MSS;
	for (i = 0; i < 9; i++)
		lynx_cc_rtt_sample(c, 13000);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	/* The next at 15 ms: slow start ends at this window, on the ninth
	 * sample (eight first, as HYSTART_MIN_SAMPLES).
	 */
	c->snd_nxt += 64 * CC_MSS;
	c->snd_una += 64 * CC_MSS;
	for (i = 0; i < 8; i++)
		lynx_cc_rtt_sample(c, 15000);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	lynx_cc_rtt_sample(c, 15000);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 32U);
	/* Below 16 segments, and for Reno, the same delays do nothing. */
	for (i = 0; i < 9; i++) {
		lynx_cc_rtt_sample(r, 30000);
		lynx_cc_rtt_sample(s, 30000);
	}
	KUNIT_EXPECT_EQ(test, r->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	KUNIT_EXPECT_EQ(test, s->snd_ssthresh, LYNX_INFINITE_SSTHRESH);
	/* A timeout starts it over: the next slow start may end early too. */
	lynx_cc_on_rto(c, 32, true);
	cc_set(c, 32, LYNX_INFINITE_SSTHRESH);
	c->snd_nxt += 64 * CC_MSS;
	c->snd_una += 64 * CC_MSS;
	for (i = 0; i < 9; i++)
		lynx_cc_rtt_sample(c, 10000);
	c->snd_nxt += 64 * CC_MSS;
	c->snd_una += 64 * CC_MSS;
	for (i = 0; i < 9; i++)
		lynx_cc_rtt_sample(c, 15000);
	KUNIT_EXPECT_EQ(test, c->snd_ssthresh, 32U);
}

static struct kunit_case conn_cc_cases[] = {
	KUNIT_CASE(lynx_conn_cc_test_initial_window),
	KUNIT_CASE(lynx_conn_cc_test_slow_start),
	KUNIT_CASE(lynx_conn_cc_test_abc_cap),
	KUNIT_CASE(lynx_conn_cc_test_app_limited),
	KUNIT_CASE(lynx_conn_cc_test_ss_to_avoidance),
	KUNIT_CASE(lynx_conn_cc_test_avoidance),
	KUNIT_CASE(lynx_conn_cc_test_acked_bytes),
	KUNIT_CASE(lynx_conn_cc_test_dupacks),
	KUNIT_CASE(lynx_conn_cc_test_partial_ack),
	KUNIT_CASE(lynx_conn_cc_test_full_ack),
	KUNIT_CASE(lynx_conn_cc_test_sack_recovery),
	KUNIT_CASE(lynx_conn_cc_test_rto),
	KUNIT_CASE(lynx_conn_cc_test_dupacks_after_recovery),
	KUNIT_CASE(lynx_conn_cc_test_ssthresh_floor),
	KUNIT_CASE(lynx_conn_cc_test_idle_restart),
	KUNIT_CASE(lynx_conn_cc_test_cubic_root),
	KUNIT_CASE(lynx_conn_cc_test_cubic_loss),
	KUNIT_CASE(lynx_conn_cc_test_cubic_curve),
	KUNIT_CASE(lynx_conn_cc_test_cubic_friendly),
	KUNIT_CASE(lynx_conn_cc_test_cubic_hooks),
	KUNIT_CASE(lynx_conn_cc_test_rto_in_recovery),
	KUNIT_CASE(lynx_conn_cc_test_cubic_grows_on_ack),
	KUNIT_CASE(lynx_conn_cc_test_hystart),
	{}
};

static struct kunit_suite conn_cc_suite = {
	.name = "lynx_conn_cc",
	.test_cases = conn_cc_cases,
};

kunit_test_suites(&conn_cc_suite);
