// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, congestion control: NewReno, as TCP's reno
 * (tcp_cong.c) with tcp_input.c's recovery for a peer without SACK; the
 * window's growth in congestion avoidance and its reduction on a loss
 * are Reno's or CUBIC's (conn_cubic.c), per connection, from the
 * namespace's net.lynx.congestion_control when it began.
 *
 *   RFC 6928   an initial window of 10 segments
 *   RFC 5681   slow start below ssthresh, congestion avoidance above it;
 *              three duplicate ACKs: ssthresh = max(flight / 2, 2), fast
 *              retransmit, fast recovery (cwnd = ssthresh + 3, one more
 *              per further duplicate); a timeout: the same ssthresh (on
 *              the first timeout of a loss), cwnd = 1, slow start again,
 *              what was in flight sent again as the window allows
 *              (go-back-N, as tcp_enter_loss() marks it all lost)
 *   RFC 6582   NewReno: a partial ACK in recovery retransmits the next
 *              hole at once and deflates the window by what it acked;
 *              only the first restarts the timer (the Impatient variant,
 *              3.2 step 5: a burst of n losses takes an RTO and a
 *              go-back-N, not n round trips); the
 *              ACK of everything up to the recovery point ends recovery
 *              with cwnd = ssthresh; duplicate ACKs that do not pass the
 *              last recovery point start no new one (recover begins at
 *              the ISS)
 *   RFC 3465   bytes acknowledged count as segments (no window growth
 *              from tiny segments), at most 2 segments an ACK in slow
 *              start
 *   RFC 3042   limited transmit: one new segment on each of the first
 *              two duplicate ACKs
 *   RFC 5681 4.1  restart after idle: the window shrinks back toward the
 *              initial one, halving per RTO without sending
 *   RFC 6675   with SACK blocks (conn_sack.c: while the peer has
 *              SACKed segments, sacked_out): fast recovery keeps cwnd =
 *              ssthresh, neither inflated nor deflated, and what may be
 *              sent is measured by the pipe (lynx_cc_pipe()); a partial
 *              ACK retransmits nothing of itself (the holes go as the
 *              pipe allows); without blocks, NewReno as above
 *
 * The window counts segments of the path's MSS (TCP's unit), so that the
 * arithmetic is TCP's line for line; what is in flight is counted in
 * bytes (snd_nxt - snd_una, exact whatever the segments' sizes: lynx
 * keeps no count of segments in flight) and compared with snd_cwnd * MSS
 * in lynx_cc_may_send(), which lynx_conn_push() asks before each segment.
 *
 * Everything here is a pure function of struct lynx_conn (its congestion
 * fields, snd_una and snd_nxt) and, for CUBIC's clock, jiffies: the
 * callers, under the socket lock, send what the return values say.  As
 * tcp_reno_cong_avoid(), the window grows only while the sender used it
 * (tcp_is_cwnd_limited()).
 */
#include <net/lynx.h>
#include <kunit/visibility.h>

static void lynx_cc_set_cwnd(struct lynx_conn *c, u32 cwnd)
{
	WRITE_ONCE(c->snd_cwnd, clamp_t(u32, cwnd, 1, LYNX_CWND_MAX));
}

static void lynx_cc_set_ssthresh(struct lynx_conn *c, u32 ssthresh)
{
	WRITE_ONCE(c->snd_ssthresh, ssthresh);
}

static const char *const lynx_cc_names[] = {
	[LYNX_CC_RENO]	= "reno",
	[LYNX_CC_CUBIC]	= "cubic",
};

/* The sysctl's name of @algo. */
const char *lynx_cc_name(u8 algo)
{
	return algo <= LYNX_CC_MAX ? lynx_cc_names[algo] : "?";
}

/* The algorithm called @name, or -ENOENT (as TCP's sysctl). */
int lynx_cc_lookup(const char *name)
{
	int i;

	for (i = 0; i <= LYNX_CC_MAX; i++)
		if (!strcmp(name, lynx_cc_names[i]))
			return i;
	return -ENOENT;
}

/* A new connection: the initial window, no threshold yet, no recovery. */
void lynx_cc_init(struct lynx_conn *c, u8 algo)
{
	WRITE_ONCE(c->cc_algo, algo);	/* /proc reads it unlocked */
	lynx_cubic_reset(&c->cubic);
	lynx_cc_set_cwnd(c, LYNX_INIT_CWND);
	lynx_cc_set_ssthresh(c, LYNX_INFINITE_SSTHRESH);
	c->snd_cwnd_cnt = 0;
	c->cc_acked_bytes = 0;
	c->in_recovery = false;
	c->in_loss = false;
	c->partial_acked = false;
	c->rtx_nxt = c->snd_una;
	c->rtx_hint = NULL;
	c->dupacks = 0;
	c->reordering = LYNX_DUPACK_THRESH;
	c->sacked_out = 0;
	c->retrans_out = 0;
	c->sack_hint = NULL;
	c->num_sack_seen = 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_init);

/* RFC 5681 (4): half of what is in flight, at least 2 segments. */
u32 lynx_cc_ssthresh(u32 flight)
{
	return max_t(u32, flight / 2, LYNX_MIN_SSTHRESH);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_ssthresh);

/* A loss was found: the new threshold, Reno's from @flight, CUBIC's from
 * the window (which also remembers it as W_max).
 */
static u32 lynx_cc_loss_ssthresh(struct lynx_conn *c, u32 flight)
{
	if (c->cc_algo == LYNX_CC_CUBIC)
		return lynx_cubic_ssthresh(&c->cubic, c->snd_cwnd);
	return lynx_cc_ssthresh(flight);
}

/**
 * lynx_cc_window - segments that may be in flight now
 * @c: the connection
 *
 * The congestion window, and out of recovery one more segment for each
 * of the first two duplicate ACKs (RFC 3042): they tell that segments
 * left the network, and new ones make the third duplicate ACK likelier
 * when the window is small.
 *
 * Return: the window, in segments.
 */
u32 lynx_cc_window(const struct lynx_conn *c)
{
	u32 extra = 0;

	if (!c->in_recovery)
		extra = min_t(u32, c->dupacks, LYNX_LIMITED_XMIT);
	return c->snd_cwnd + extra;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_window);

/**
 * lynx_cc_pipe - sequence space in the network now
 * @c: the connection
 *
 * Out of fast recovery, or without SACK, what is in flight, snd_nxt -
 * snd_una.  In a SACK recovery RFC 6675's pipe: less what the peer
 * SACKed and what lies unSACKed below the highest SACKed segment (lost,
 * as TCP's FACK takes it), plus what went again since (retrans_out).
 *
 * Return: bytes.
 */
u32 lynx_cc_pipe(const struct lynx_conn *c)
{
	u32 flight = c->snd_nxt - c->snd_una, out, lost = 0;

	if (!c->in_recovery || c->in_loss || !c->sacked_out)
		return flight;
	out = flight - min(c->sacked_out, flight);
	if (lynx_seq_after(c->highest_sack, c->snd_una)) {
		lost = c->highest_sack - c->snd_una;
		lost -= min(c->sacked_out, lost);
	}
	return out - min(lost, out) + c->retrans_out;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_pipe);

/**
 * lynx_cc_may_send - does a new segment fit in the congestion window?
 * @c:   the connection
 * @len: the segment's sequence length
 * @mss: the path's full segment payload
 *
 * With nothing in the network a segment always goes (one larger than the
 * window, cut for an MTU that shrank since, must not stall the
 * connection).
 *
 * Return: true if what is in the network (lynx_cc_pipe()) and @len fit in
 * the window.
 */
bool lynx_cc_may_send(const struct lynx_conn *c, u32 len, u32 mss)
{
	u32 flight = lynx_cc_pipe(c);

	if (!flight)
		return true;
	return (u64)flight + len <= (u64)lynx_cc_window(c) * mss;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_may_send);

/**
 * lynx_cc_acked - count acknowledged bytes as segments
 * @c:     the connection
 * @bytes: what an ACK newly acknowledged
 * @mss:   the path's full segment payload
 *
 * RFC 3465's byte counting: whole segments of @mss, the remainder carried
 * to the next ACK, so that a peer acknowledging tiny segments one by one
 * grows the window no faster than full ones would.
 *
 * Return: the segments to count.
 */
u32 lynx_cc_acked(struct lynx_conn *c, u32 bytes, u32 mss)
{
	u32 total, segs;

	mss = max(mss, 1U);
	total = min_t(u64, (u64)c->cc_acked_bytes + bytes, U32_MAX);
	segs = total / mss;
	c->cc_acked_bytes = total - segs * mss;
	return segs;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_acked);

/**
 * lynx_cc_slow_start - grow the window in slow start, as tcp_slow_start()
 * @c:     the connection, snd_cwnd below snd_ssthresh
 * @acked: segments acknowledged
 *
 * One segment per segment acknowledged, at most LYNX_ABC_MAX an ACK
 * (RFC 3465's L), and not past ssthresh.
 *
 * Return: the acknowledged segments left over past ssthresh, for
 * congestion avoidance.
 */
u32 lynx_cc_slow_start(struct lynx_conn *c, u32 acked)
{
	u32 inc = min_t(u32, acked, LYNX_ABC_MAX);
	u32 cwnd = min(c->snd_cwnd + inc, c->snd_ssthresh);
	u32 used = cwnd > c->snd_cwnd ? cwnd - c->snd_cwnd : 0;

	lynx_cc_set_cwnd(c, cwnd);
	return cwnd < c->snd_ssthresh ? 0 : inc - used;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_slow_start);

/**
 * lynx_cc_cong_avoid_ai - additive increase, as tcp_cong_avoid_ai()
 * @c:     the connection
 * @w:     segments to acknowledge for one more segment of window
 * @acked: segments acknowledged
 */
void lynx_cc_cong_avoid_ai(struct lynx_conn *c, u32 w, u32 acked)
{
	u32 cwnd = c->snd_cwnd, delta;

	w = max(w, 1U);
	/* w may have shrunk since the count began: start it again. */
	if (c->snd_cwnd_cnt >= w) {
		c->snd_cwnd_cnt = 0;
		cwnd++;
	}
	c->snd_cwnd_cnt += acked;
	if (c->snd_cwnd_cnt >= w) {
		delta = c->snd_cwnd_cnt / w;
		c->snd_cwnd_cnt -= delta * w;
		cwnd += delta;
	}
	lynx_cc_set_cwnd(c, min(cwnd, LYNX_CWND_MAX));
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_cong_avoid_ai);

/* Did the sender use the window (tcp_is_cwnd_limited())?  In slow start
 * half of it will do, since the window doubles within the round.
 */
static bool lynx_cc_cwnd_limited(const struct lynx_conn *c, u32 prior_flight)
{
	if (c->snd_cwnd < c->snd_ssthresh)
		return c->snd_cwnd < 2 * prior_flight;
	return prior_flight >= c->snd_cwnd;
}

/* tcp_reno_cong_avoid() and cubictcp_cong_avoid(): slow start, then
 * Reno's additive increase or CUBIC's curve.
 */
static void lynx_cc_grow(struct lynx_conn *c, u32 acked, u32 prior_flight)
{
	u32 w;

	if (!acked || !lynx_cc_cwnd_limited(c, prior_flight))
		return;
	if (c->snd_cwnd < c->snd_ssthresh) {
		acked = lynx_cc_slow_start(c, acked);
		if (!acked)
			return;
	}
	if (c->cc_algo == LYNX_CC_CUBIC)
		w = lynx_cubic_cnt(&c->cubic, c->snd_cwnd, acked, jiffies);
	else
		w = c->snd_cwnd;
	lynx_cc_cong_avoid_ai(c, w, acked);
}

/**
 * lynx_cc_on_ack - an ACK acknowledged new data
 * @c:            the connection, snd_una already moved to @ack
 * @ack:          the acknowledgment
 * @acked:        segments it acknowledged (lynx_cc_acked())
 * @prior_flight: segments in flight before it (lynx_cc_flight())
 *
 * Out of recovery the window grows.  In fast recovery, an ACK short of
 * the recovery point (a partial ACK, RFC 6582 3.2 step 5) deflates the
 * window by what it acknowledged, adds one segment back, and keeps
 * recovery; one at or past it ends recovery with cwnd = ssthresh.  After
 * a timeout the window grows in slow start throughout (and the caller's
 * lynx_conn_resend_lost() sends what it has room for), and recovery ends
 * at the recovery point just the same.
 *
 * Return: true when the caller is to retransmit the next hole, the oldest
 * unacknowledged segment, at once (fast recovery's partial ACK).
 */
bool lynx_cc_on_ack(struct lynx_conn *c, u32 ack, u32 acked, u32 prior_flight)
{
	bool partial = c->in_recovery && lynx_seq_before(ack, c->recover);

	/* Past the recovery point, it trails the ACKs: the guard in
	 * lynx_cc_on_dupack() compares them modulo 2^32, and a point left
	 * 2 GiB behind would look ahead again.
	 */
	if (!c->in_recovery && lynx_seq_after(ack, c->recover))
		c->recover = ack - 1;
	c->dupacks = 0;
	if (c->in_recovery && !c->in_loss) {
		if (partial && c->sacked_out)
			return false;
		if (partial) {
			u32 cwnd = c->snd_cwnd > acked ? c->snd_cwnd - acked : 0;

			lynx_cc_set_cwnd(c, cwnd + (acked ? 1 : 0));
			return true;
		}
		/* Full ACK: deflate to what the threshold allows. */
		c->in_recovery = false;
		c->snd_cwnd_cnt = 0;
		lynx_cc_set_cwnd(c, c->snd_ssthresh);
		return false;
	}
	lynx_cc_grow(c, acked, prior_flight);
	if (c->in_recovery && !partial) {
		c->in_recovery = false;
		c->in_loss = false;
	}
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_ack);

/**
 * lynx_cc_on_dupack - a duplicate ACK arrived
 * @c:      the connection
 * @flight: segments in flight (lynx_cc_flight())
 *
 * The third one out of recovery (or the reordering the path showed,
 * lynx_conn.reordering) starts fast recovery (RFC 5681 3.2):
 * ssthresh = max(@flight / 2, 2), cwnd = ssthresh + 3, the recovery point
 * at snd_nxt.  In fast recovery each further one inflates the window by
 * a segment, which has left the network.  After a timeout they do
 * nothing: that recovery sends everything in flight again as its window
 * grows (lynx_conn_resend_lost()).  A new recovery clears
 * lynx_conn.partial_acked: its first partial ACK restarts the timer.
 *
 * Return: true when the caller is to retransmit the oldest unacknowledged
 * segment now (fast retransmit).
 */
bool lynx_cc_on_dupack(struct lynx_conn *c, u32 flight)
{
	if (c->dupacks < U8_MAX)
		c->dupacks++;
	if (c->in_recovery) {
		if (!c->in_loss && !c->sacked_out)
			lynx_cc_set_cwnd(c, c->snd_cwnd + 1);
		return false;
	}
	if (c->dupacks != max_t(u8, c->reordering, LYNX_DUPACK_THRESH))
		return false;
	/* RFC 6582 4.1: not while the ACK covers no more than the last
	 * recovery point: these answer what that recovery, or a timeout,
	 * sent again, and a new recovery would resend a whole window
	 * that arrived.
	 */
	if (!lynx_seq_after(c->snd_una, c->recover))
		return false;
	lynx_cc_set_ssthresh(c, lynx_cc_loss_ssthresh(c, flight));
	/* (with SACK blocks the pipe counts what left the network instead) */
	lynx_cc_set_cwnd(c, c->snd_ssthresh +
			    (c->sacked_out ? 0 : LYNX_DUPACK_THRESH));
	c->snd_cwnd_cnt = 0;
	c->in_recovery = true;
	c->in_loss = false;
	c->partial_acked = false;
	c->recover = c->snd_nxt;
	c->rtx_nxt = c->snd_una;	/* SACK: no hole sent again yet */
	c->rtx_hint = NULL;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_dupack);

/**
 * lynx_cc_on_rto - the retransmission timer expired with data in flight
 * @c:      the connection
 * @flight: segments in flight (lynx_cc_flight())
 * @first:  the first timeout since the last progress
 *
 * RFC 5681 3.1: ssthresh = max(@flight / 2, 2) (CUBIC's: 0.7 x cwnd), set
 * on the first timeout only (a segment lost again does not halve it
 * again) and not in a fast recovery still under way (which set it from
 * the window that lost; its window and flight are inflated since, as
 * tcp_enter_loss() keeps it), cwnd = the loss window (1), and slow start
 * from there; recovery (a fast one included) becomes loss recovery up to
 * snd_nxt, which sends everything from snd_una again (rtx_nxt).  CUBIC
 * forgets its curve and W_max, as tcp_cubic.c does on entering
 * TCP_CA_Loss.
 */
void lynx_cc_on_rto(struct lynx_conn *c, u32 flight, bool first)
{
	bool fast_recovery = c->in_recovery && !c->in_loss &&
			     lynx_seq_after(c->recover, c->snd_una);

	if (first && !fast_recovery)
		lynx_cc_set_ssthresh(c, lynx_cc_loss_ssthresh(c, flight));
	if (c->cc_algo == LYNX_CC_CUBIC)
		lynx_cubic_reset(&c->cubic);
	lynx_cc_set_cwnd(c, LYNX_LOSS_CWND);
	c->snd_cwnd_cnt = 0;
	c->in_recovery = true;
	c->in_loss = true;
	c->recover = c->snd_nxt;
	c->rtx_nxt = c->snd_una;	/* go back: all of it is lost */
	c->rtx_hint = NULL;
	c->dupacks = 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_rto);

/**
 * lynx_cc_idle_restart - new data after an idle period
 * @c:    the connection, nothing in flight
 * @idle: jiffies since it last sent new data
 * @rto:  the retransmission timeout, jiffies
 *
 * RFC 5681 4.1, as tcp_cwnd_restart(): a window no ACK has clocked for
 * longer than the RTO is stale.  It halves for every RTO of @idle, down
 * to the initial window (or what it was, if smaller); ssthresh first
 * keeps three quarters of it (tcp_current_ssthresh()).
 */
void lynx_cc_idle_restart(struct lynx_conn *c, unsigned long idle,
			  unsigned long rto)
{
	u32 cwnd = c->snd_cwnd;
	u32 restart = min_t(u32, LYNX_INIT_CWND, cwnd);

	rto = max(rto, 1UL);
	if (idle <= rto)
		return;
	lynx_cc_set_ssthresh(c, max(c->snd_ssthresh,
				    (cwnd >> 1) + (cwnd >> 2)));
	while (idle > rto && cwnd > restart) {
		idle -= rto;
		cwnd >>= 1;
	}
	lynx_cc_set_cwnd(c, max(cwnd, restart));
	c->snd_cwnd_cnt = 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_idle_restart);

/* A round-trip sample of the sender's, snd_una already moved: CUBIC's
 * curve uses the least, and its HyStart may end slow start.
 */
void lynx_cc_rtt_sample(struct lynx_conn *c, u32 rtt_us)
{
	if (c->cc_algo != LYNX_CC_CUBIC)
		return;
	lynx_cubic_rtt_sample(&c->cubic, rtt_us, jiffies);
	if (c->snd_cwnd < c->snd_ssthresh &&
	    lynx_cubic_hystart(&c->cubic, rtt_us, c->snd_cwnd, c->snd_una,
			       c->snd_nxt))
		lynx_cc_set_ssthresh(c, c->snd_cwnd);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_rtt_sample);

/**
 * lynx_cc_tx_start - new data leaves with nothing in flight
 * @c:    the connection
 * @idle: jiffies since it last sent new data
 *
 * CUBIC's curve does not run while the application sends nothing: its
 * clock moves on by @idle, once, when a segment actually leaves (as
 * tcp_event_data_sent()'s CA_EVENT_TX_START), not whenever sending is
 * tried (a closed peer window tries on every write).
 */
void lynx_cc_tx_start(struct lynx_conn *c, u32 idle)
{
	if (c->cc_algo == LYNX_CC_CUBIC)
		lynx_cubic_idle(&c->cubic, idle, jiffies);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_tx_start);
