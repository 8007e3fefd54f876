// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: lynx_conn_cc, the congestion control of module/conn_cc.c
 * (NewReno: RFC 5681 with RFC 6582's partial acknowledgments, RFC 6928's
 * initial window, RFC 3465's byte counting, RFC 3042's limited transmit).
 * Its functions are pure: each case builds a struct lynx_conn by hand and
 * checks the window, the threshold and the recovery state they leave, and
 * what they tell the caller to send.
 */
#include <kunit/test.h>
#include <net/lynx.h>
#include "lynx_test.h"

#define CC_MSS		1000U
#define CC_UNA		0xfffff000U	/* recovery points wrap past 2^32 */

/* A connection as lynx_conn_sock_init() leaves it, @flight segments out. */
static struct lynx_conn *cc_conn(struct kunit *test, u32 flight)
{
	struct lynx_conn *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	lynx_cc_init(c);
	c->snd_una = CC_UNA;
	c->snd_nxt = CC_UNA + flight * CC_MSS;
	c->recover = CC_UNA - 1;	/* the ISS (RFC 6582) */
	return c;
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
	/* A partial ACK: the next hole, and slow start again. */
	c->snd_una += CC_MSS;
	KUNIT_EXPECT_TRUE(test, lynx_cc_on_ack(c, c->snd_una, 1, 16));
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
	KUNIT_CASE(lynx_conn_cc_test_rto),
	KUNIT_CASE(lynx_conn_cc_test_dupacks_after_recovery),
	KUNIT_CASE(lynx_conn_cc_test_ssthresh_floor),
	KUNIT_CASE(lynx_conn_cc_test_idle_restart),
	{}
};

static struct kunit_suite conn_cc_suite = {
	.name = "lynx_conn_cc",
	.test_cases = conn_cc_cases,
};

kunit_test_suites(&conn_cc_suite);
