// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, congestion control: CUBIC (RFC 9438), as TCP's
 * default (tcp_cubic.c), the window growth that conn_cc.c's NewReno
 * recovery uses when the namespace's congestion_control sysctl says
 * "cubic" (the default, as net.ipv4.tcp_congestion_control's).
 *
 *   after a loss   ssthresh = 0.7 x cwnd (beta 717/1024); the window at
 *                  the loss is W_max, lowered to 0.85 x cwnd when the
 *                  loss came below the last W_max (fast convergence)
 *   growth         the window follows W(t) = C (t - K)^3 + W_max with
 *                  C = 0.4 (41/1024 scaled to a 100 ms round trip) and
 *                  K the time to climb back to W_max: concave below it,
 *                  convex above; t counts from the first growth after
 *                  the loss plus the least round trip seen
 *   TCP-friendly   never slower than the window Reno would have by now
 *                  (RFC 9438 4.3), and never more than one segment per
 *                  two acknowledged (1.5x a round trip)
 *   a timeout      forgets W_max and the curve (as tcp_cubic's
 *                  TCP_CA_Loss): slow start, then the curve anew
 *   idle           the curve's clock stops while nothing is sent
 *
 *   HyStart       slow start ends when a round trip's samples rise an
 *                 eighth of the least delay (4 to 16 ms) above it, before
 *                 the queue it builds overflows (tcp_cubic.c's delay
 *                 rule; not its ACK-train rule, which needs pacing)
 *
 * Everything is a pure function of struct lynx_cubic and its arguments
 * (the time in jiffies included), under the socket lock as the rest of
 * the congestion state; KUnit drives them with times of its own.
 */
#include <linux/math64.h>
#include <net/lynx.h>
#include <kunit/visibility.h>

#define LYNX_CUBIC_BETA		717	/* / 1024: the window kept */
#define LYNX_CUBIC_BETA_SCALE	1024
#define LYNX_CUBIC_HZ		10	/* the curve's time unit: 2^-10 s */
#define LYNX_CUBIC_C		41	/* C = 0.4 as 41 / 1024 ... */
#define LYNX_CUBIC_RTT_SCALE	(LYNX_CUBIC_C * 10)	/* ... over 100 ms */
/* K = cbrt((W_max - cwnd) / (C / rtt)) in 2^-10 s: this times the
 * shortfall, cube-rooted (tcp_cubic.c's cube_factor).
 */
#define LYNX_CUBIC_CUBE_FACTOR	((1ULL << (10 + 3 * LYNX_CUBIC_HZ)) / \
				 LYNX_CUBIC_RTT_SCALE)
/* Reno's window grows by one per this many ACKed segments (times 8, over
 * the window): 3 (1 - beta) / (1 + beta) = 0.53 of a segment a round trip,
 * the rate at which an AIMD flow with CUBIC's beta matches Reno's average
 * (RFC 9438 4.3).
 */
#define LYNX_CUBIC_RENO_SCALE \
	((8 * (LYNX_CUBIC_BETA_SCALE + LYNX_CUBIC_BETA) / 3 / \
	  (LYNX_CUBIC_BETA_SCALE - LYNX_CUBIC_BETA)))

/* A new connection, or after a timeout: no W_max, no curve, no RTT. */
void lynx_cubic_reset(struct lynx_cubic *ca)
{
	memset(ca, 0, sizeof(*ca));
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_reset);

/**
 * lynx_cubic_root - the cube root of @a
 * @a: any 64-bit value
 *
 * A table's first guess refined by one Newton-Raphson step, as
 * tcp_cubic.c's cubic_root() (its table, Willy Tarreau's): within about
 * 0.2% on average.
 *
 * Return: cbrt(@a), rounded.
 */
u32 lynx_cubic_root(u64 a)
{
	/* x in [0, 63]: v[x] = cbrt(x << 18) - 1, cbrt(x) = (v[x] + 10) >> 6 */
	static const u8 v[] = {
		/* 0x00 */    0,   54,   54,   54,  118,  118,  118,  118,
		/* 0x08 */  123,  129,  134,  138,  143,  147,  151,  156,
		/* 0x10 */  157,  161,  164,  168,  170,  173,  176,  179,
		/* 0x18 */  181,  185,  187,  190,  192,  194,  197,  199,
		/* 0x20 */  200,  202,  204,  206,  209,  211,  213,  215,
		/* 0x28 */  217,  219,  221,  222,  224,  225,  227,  229,
		/* 0x30 */  231,  232,  234,  236,  237,  239,  240,  242,
		/* 0x38 */  244,  245,  246,  248,  250,  251,  252,  254,
	};
	u32 x, b, shift;

	b = fls64(a);
	if (b < 7)			/* a in [0, 63] */
		return ((u32)v[(u32)a] + 35) >> 6;
	b = ((b * 84) >> 8) - 1;	/* about b / 3 */
	shift = a >> (b * 3);
	x = ((u32)(((u32)v[shift] + 10) << b)) >> 6;
	/* x = (2x + a / x^2) / 3 */
	x = 2 * x + (u32)div64_u64(a, (u64)x * (u64)(x - 1));
	return (x * 341) >> 10;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_root);

/**
 * lynx_cubic_ssthresh - a loss: remember W_max, return the new threshold
 * @ca:   the connection's CUBIC state
 * @cwnd: the congestion window when the loss was found, segments
 *
 * Also ends the growth epoch: the next growth starts a new curve.
 *
 * Return: max(0.7 x @cwnd, 2) segments.
 */
u32 lynx_cubic_ssthresh(struct lynx_cubic *ca, u32 cwnd)
{
	ca->epoch_start = 0;
	/* Fast convergence: a flow that lost below its last W_max yields
	 * bandwidth to newer flows by aiming lower.
	 */
	if (cwnd < ca->last_max_cwnd)
		ca->last_max_cwnd = (u64)cwnd *
			(LYNX_CUBIC_BETA_SCALE + LYNX_CUBIC_BETA) /
			(2 * LYNX_CUBIC_BETA_SCALE);
	else
		ca->last_max_cwnd = cwnd;
	return max_t(u32, (u64)cwnd * LYNX_CUBIC_BETA / LYNX_CUBIC_BETA_SCALE,
		     LYNX_MIN_SSTHRESH);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_ssthresh);

/**
 * lynx_cubic_rtt_sample - a round-trip sample (the least is the curve's)
 * @ca:     the connection's CUBIC state
 * @rtt_us: the sample
 * @now:    jiffies
 *
 * Samples within a second of a loss are left out (as tcp_cubic.c's):
 * recovery's queue inflates them.
 */
void lynx_cubic_rtt_sample(struct lynx_cubic *ca, u32 rtt_us, u32 now)
{
	if (ca->epoch_start && (s32)(now - ca->epoch_start) < HZ)
		return;
	rtt_us = max(rtt_us, 1U);
	if (!ca->delay_min || rtt_us < ca->delay_min)
		ca->delay_min = rtt_us;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_rtt_sample);

/**
 * lynx_cubic_idle - sending starts again, nothing in flight, after @idle
 * @ca:   the connection's CUBIC state
 * @idle: jiffies since the last new data was sent
 * @now:  jiffies
 *
 * The curve's clock does not run while the application sends nothing:
 * its start moves on by @idle (not past @now).
 */
void lynx_cubic_idle(struct lynx_cubic *ca, u32 idle, u32 now)
{
	if (!ca->epoch_start || (s32)idle <= 0)
		return;
	ca->epoch_start += idle;
	if ((s32)(ca->epoch_start - now) > 0)
		ca->epoch_start = now;
	if (!ca->epoch_start)
		ca->epoch_start = 1;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_idle);

/* The curve's target window at @now (the epoch began before). */
static u32 lynx_cubic_target(const struct lynx_cubic *ca, u32 now)
{
	u64 t, offs;
	u32 delta;

	/* The window the curve gives one round trip from now. */
	t = (s32)(now - ca->epoch_start);
	t += usecs_to_jiffies(ca->delay_min);
	t <<= LYNX_CUBIC_HZ;
	do_div(t, HZ);
	offs = t < ca->k ? ca->k - t : t - ca->k;
	/* C/rtt * (t - K)^3 in 64 bits: up to 256 s from K (past that the
	 * target is millions of segments anyway, far above LYNX_CWND_MAX)
	 */
	offs = min_t(u64, offs, 1ULL << 18);
	delta = (LYNX_CUBIC_RTT_SCALE * offs * offs * offs) >>
		(10 + 3 * LYNX_CUBIC_HZ);
	return t < ca->k ? ca->origin - delta : ca->origin + delta;
}

/**
 * lynx_cubic_cnt - how many acknowledged segments grow the window by one
 * @ca:    the connection's CUBIC state
 * @cwnd:  the congestion window, segments (in congestion avoidance)
 * @acked: segments this ACK acknowledged
 * @now:   jiffies
 *
 * The first call after a loss starts the epoch: the curve through @cwnd
 * that plateaus at W_max (or, with no W_max above @cwnd, grows from
 * @cwnd at once).  The count follows the curve's target one round trip
 * ahead, recomputed at most once a jiffy, and is bounded by Reno's
 * estimate (TCP-friendliness) and by 2.
 *
 * Return: the count, for lynx_cc_cong_avoid_ai().
 */
u32 lynx_cubic_cnt(struct lynx_cubic *ca, u32 cwnd, u32 acked, u32 now)
{
	u32 target, delta, max_cnt;

	ca->ack_cnt += acked;
	if (ca->last_cwnd == cwnd && (s32)(now - ca->last_time) <= HZ / 32)
		return ca->cnt;
	if (ca->epoch_start && now == ca->last_time)
		goto friendly;
	ca->last_cwnd = cwnd;
	ca->last_time = now;
	if (!ca->epoch_start) {
		ca->epoch_start = now ?: 1;	/* 0 is "no epoch" */
		ca->ack_cnt = acked;
		ca->tcp_cwnd = cwnd;
		if (ca->last_max_cwnd <= cwnd) {
			ca->k = 0;
			ca->origin = cwnd;
		} else {
			ca->k = lynx_cubic_root(LYNX_CUBIC_CUBE_FACTOR *
						(ca->last_max_cwnd - cwnd));
			ca->origin = ca->last_max_cwnd;
		}
	}
	target = lynx_cubic_target(ca, now);
	ca->cnt = target > cwnd ? cwnd / (target - cwnd) : 100 * cwnd;
	/* No W_max yet: at least 5% a round trip while the path's capacity
	 * is unknown.
	 */
	if (!ca->last_max_cwnd && ca->cnt > 20)
		ca->cnt = 20;
friendly:
	delta = (cwnd * LYNX_CUBIC_RENO_SCALE) >> 3;
	delta = max(delta, 1U);
	while (ca->ack_cnt > delta) {
		ca->ack_cnt -= delta;
		ca->tcp_cwnd++;
	}
	if (ca->tcp_cwnd > cwnd) {
		max_cnt = cwnd / (ca->tcp_cwnd - cwnd);
		ca->cnt = min(ca->cnt, max_cnt);
	}
	ca->cnt = max(ca->cnt, 2U);
	return ca->cnt;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_cnt);

#define LYNX_HYSTART_LOW_WINDOW		16	/* segments: below, no rule */
#define LYNX_HYSTART_MIN_SAMPLES	8	/* a round's, before judging */
#define LYNX_HYSTART_DELAY_MIN		4000U	/* us */
#define LYNX_HYSTART_DELAY_MAX		16000U	/* us */

/**
 * lynx_cubic_hystart - HyStart's delay rule: end slow start as a queue builds
 * @ca:      the connection's CUBIC state
 * @rtt_us:  a round-trip sample
 * @cwnd:    the congestion window (in slow start)
 * @snd_una: the sender's, after the ACK that gave the sample
 * @snd_nxt: the sender's
 *
 * A round trip lasts until snd_una passes what was snd_nxt when it began.
 * From LYNX_HYSTART_LOW_WINDOW segments on, its first samples are
 * counted; once there are LYNX_HYSTART_MIN_SAMPLES, if even the least of
 * them exceeds the least delay seen by an eighth of it (clamped to 4-16
 * ms), the path's queue is growing: slow start is over, as
 * hystart_update() decides (once, until a timeout resets it).
 *
 * Return: true when the caller is to end slow start (ssthresh = @cwnd).
 */
bool lynx_cubic_hystart(struct lynx_cubic *ca, u32 rtt_us, u32 cwnd,
			u32 snd_una, u32 snd_nxt)
{
	if (ca->found)
		return false;
	if (!ca->in_round || lynx_seq_after(snd_una, ca->end_seq)) {
		ca->in_round = true;
		ca->end_seq = snd_nxt;
		ca->curr_rtt = U32_MAX;
		ca->sample_cnt = 0;
	}
	if (cwnd < LYNX_HYSTART_LOW_WINDOW)
		return false;
	ca->curr_rtt = min(ca->curr_rtt, rtt_us);
	if (ca->sample_cnt < LYNX_HYSTART_MIN_SAMPLES) {
		ca->sample_cnt++;
		return false;
	}
	if (ca->curr_rtt <= ca->delay_min +
	    clamp(ca->delay_min >> 3, LYNX_HYSTART_DELAY_MIN,
		  LYNX_HYSTART_DELAY_MAX))
		return false;
	ca->found = true;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cubic_hystart);
