// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, selective acknowledgment (RFC 2018, RFC 6675).
 *
 * Both ends offer it on their SYN (LYNX_F_SACK, while net.lynx.sack is
 * on); a connection where both did has lynx_conn.sack_ok.  Then:
 *
 *   receiver  its out-of-order queue is summed up in at most
 *             LYNX_SACK_MAX blocks (lynx_conn.sack, kept by
 *             lynx_sack_add() and lynx_sack_trim() as segments arrive and
 *             rcv_nxt moves), which every ACK without data carries as its
 *             payload (lynx_conn_sack_fill()).
 *   sender    every segment of the write queue a block covers whole is
 *             marked SACKed (lynx_conn_sack_mark(); TCP's sacktag), and
 *             the marks are counted in sacked_out; in fast recovery what
 *             lies unSACKed below the highest SACKed segment is lost (as
 *             TCP's FACK), and lynx_conn_sack_resend() sends those holes
 *             again, in order, each once, while the data in the network
 *             (lynx_cc_pipe(): in flight, less SACKed and lost, plus what
 *             went again) leaves the window room: RFC 6675's loss
 *             recovery; a copy sent again and not SACKed while what left
 *             after it is, was lost again and goes once more
 *             (lynx_conn_sack_lost_retrans()).  Without the blocks
 *             NewReno repaired one hole a round trip, and a copy lost
 *             again waited for the timeout.
 *
 * A receiver may drop what it reported (it prunes its out-of-order queue
 * under memory pressure): a SACKed segment stays in the write queue until
 * the cumulative ACK covers it, and a timeout forgets every mark
 * (lynx_conn_sack_clear()), as TCP does, so that the go-back-N after it
 * sends those too.  Blocks outside snd_una..snd_nxt are ignored.
 *
 * Everything here runs under the socket lock.
 */
#include <net/sock.h>
#include <net/lynx.h>
#include <kunit/visibility.h>
#include "conn.h"

/* ---- receiver ------------------------------------------------------------ */

/**
 * lynx_conn_sack_fill - the SACK blocks an ACK is to carry
 * @sk:     the socket, locked
 * @blocks: room for LYNX_SACK_MAX blocks, filled in wire order
 *
 * Return: how many (0: nothing out of order, or no SACK on this
 * connection).
 */
unsigned int lynx_conn_sack_fill(const struct sock *sk,
				 struct lynx_sack_block *blocks)
{
	const struct lynx_conn *c = lynx_sk_conn(sk);
	unsigned int i;

	if (!c->sack_ok)
		return 0;
	for (i = 0; i < c->num_sack; i++) {
		blocks[i].start = htonl(c->sack[i].start);
		blocks[i].end = htonl(c->sack[i].end);
	}
	return c->num_sack;
}

/* ---- sender -------------------------------------------------------------- */

/**
 * lynx_conn_sack_reordered - a segment sent once arrived after later ones
 * @c:       the connection
 * @cb:      the segment's, never sent again, now SACKed or acknowledged
 * @highest: the highest SACKed sequence number before it came
 * @mss:     the path's full segment payload
 *
 * It was not lost but overtaken, by @highest - its start: the path
 * reorders by that many segments, and the sender tolerates as many
 * before it calls a segment lost (TCP's tcp_check_sack_reordering()).
 */
void lynx_conn_sack_reordered(struct lynx_conn *c,
			      const struct lynx_seg_cb *cb, u32 highest,
			      u32 mss)
{
	u32 degree;

	if (cb->retrans || !lynx_seq_before(cb->seq, highest))
		return;
	degree = DIV_ROUND_UP(highest - cb->seq, max(mss, 1U));
	if (degree > c->reordering)
		c->reordering = min_t(u32, degree, LYNX_REORDERING_MAX);
}

/* Bytes below the highest SACKed segment within which a hole is only
 * late: beyond the usual three duplicate ACKs' worth, what the path was
 * seen to reorder by.
 */
static u32 lynx_conn_sack_reorder_bytes(const struct lynx_conn *c, u32 mss)
{
	return (c->reordering - min_t(u8, c->reordering, LYNX_DUPACK_THRESH)) *
	       mss;
}

/* Mark @skb SACKed: it left the network. */
static void lynx_conn_sack_tag(struct lynx_conn *c, struct sk_buff *skb,
			       u32 highest, u32 mss)
{
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	u32 len = cb->end_seq - cb->seq;

	if (cb->sacked & LYNX_SEG_SACKED)
		return;
	if (c->sacked_out)
		lynx_conn_sack_reordered(c, cb, highest, mss);
	if (cb->sacked & LYNX_SEG_RETRANS)
		c->retrans_out -= min(c->retrans_out, len);
	cb->sacked = LYNX_SEG_SACKED;
	if (!c->sacked_out || lynx_seq_after(cb->end_seq, c->highest_sack))
		c->highest_sack = cb->end_seq;
	c->sacked_out += len;
}

/* The previous ACK's block that began where @blk does (TCP's
 * recv_sack_cache), or NULL: its segments are marked already.
 */
static const struct lynx_sack_range *
lynx_conn_sack_seen(const struct lynx_conn *c, const struct lynx_sack_range *blk)
{
	unsigned int i;

	for (i = 0; i < c->num_sack_seen; i++)
		if (c->sack_seen[i].start == blk->start)
			return &c->sack_seen[i];
	return NULL;
}

/**
 * lynx_conn_sack_lost_retrans - find copies sent again and lost again
 * @sk:  the socket, locked, in a SACK recovery
 * @mss: the path's full segment payload
 *
 * A segment sent again when snd_nxt was X, not SACKed while the peer
 * SACKs data beyond X (by more than the path's reordering beyond three
 * segments), which left after it, was lost once more (as TCP's
 * tcp_mark_lost_retrans() before RACK): it leaves retrans_out and the
 * resend walk goes back to it.  Without this only the timeout found it,
 * and took the window down to one segment.
 */
static void lynx_conn_sack_lost_retrans(struct sock *sk, u32 mss)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 end = c->rtx_nxt, beyond;
	struct sk_buff *skb;

	if (!c->retrans_out)
		return;
	beyond = c->highest_sack - lynx_conn_sack_reorder_bytes(c, mss);
	skb_queue_walk(&sk->sk_write_queue, skb) {
		struct lynx_seg_cb *cb = lynx_seg_cb(skb);

		if (skb == c->send_head || !lynx_seq_before(cb->seq, end) ||
		    !c->retrans_out)
			break;
		if (cb->sacked != LYNX_SEG_RETRANS ||
		    !lynx_seq_after(beyond, cb->resent_nxt))
			continue;
		cb->sacked = 0;
		c->retrans_out -= min(c->retrans_out, cb->end_seq - cb->seq);
		if (lynx_seq_before(cb->seq, c->rtx_nxt)) {
			c->rtx_nxt = cb->seq;	/* the walk goes back to it */
			c->rtx_hint = skb;
		}
	}
}

/**
 * lynx_conn_sack_mark - take an ACK's SACK blocks into the write queue
 * @sk:  the socket, locked
 * @seg: the ACK, its blocks before skb->data (lynx_seg_cb.nsack of them,
 *       at the transport header: lynx_conn_rcv())
 * @mss: the path's full segment payload
 *
 * Marks every sent segment a block covers whole.  A block the previous
 * ACK carried too is not walked again; one that grew at its end since
 * (the latest arrival's, usually) is walked from lynx_conn.sack_hint
 * when the block holds it; any other from the head.
 */
void lynx_conn_sack_mark(struct sock *sk, const struct sk_buff *seg, u32 mss)
{
	const struct lynx_seg_cb *in = lynx_seg_cb(seg);
	const struct lynx_sack_range *seen;
	const struct lynx_sack_block *wire;
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 prior_highest = c->highest_sack;
	struct lynx_sack_range blk;
	unsigned int i, n;
	struct sk_buff *skb;

	n = min_t(unsigned int, in->nsack, LYNX_SACK_MAX);
	if (!c->sack_ok || !n)
		return;
	/* (with nothing SACKed, highest_sack is a stale value: no segment
	 * of this ACK's blocks came late)
	 */
	if (!c->sacked_out)
		prior_highest = c->snd_una;
	wire = (const struct lynx_sack_block *)skb_transport_header(seg);
	for (i = 0; i < n; i++) {
		blk.start = ntohl(wire[i].start);
		blk.end = ntohl(wire[i].end);
		if (!lynx_seq_before(blk.start, blk.end) ||
		    lynx_seq_before(blk.start, c->snd_una) ||
		    lynx_seq_after(blk.end, c->snd_nxt))
			continue;
		seen = lynx_conn_sack_seen(c, &blk);
		if (seen && !lynx_seq_after(blk.end, seen->end))
			continue;
		skb = c->sack_hint;
		if (!seen || !skb ||
		    !lynx_seq_between(lynx_seg_cb(skb)->seq, blk.start,
				      blk.end - 1))
			skb = skb_peek(&sk->sk_write_queue);
		if (!skb)
			break;
		skb_queue_walk_from(&sk->sk_write_queue, skb) {
			const struct lynx_seg_cb *cb = lynx_seg_cb(skb);

			if (skb == c->send_head ||
			    !lynx_seq_before(cb->seq, blk.end))
				break;
			/* (one it covers in part stays: not cut, as TCP's
			 * would be)
			 */
			if (lynx_seq_before(cb->seq, blk.start) ||
			    lynx_seq_after(cb->end_seq, blk.end))
				continue;
			lynx_conn_sack_tag(c, skb, prior_highest, mss);
			c->sack_hint = skb;
		}
	}
	for (i = 0; i < n; i++) {
		c->sack_seen[i].start = ntohl(wire[i].start);
		c->sack_seen[i].end = ntohl(wire[i].end);
	}
	c->num_sack_seen = n;
	if (c->in_recovery && !c->in_loss && c->sacked_out &&
	    c->highest_sack != prior_highest)
		lynx_conn_sack_lost_retrans(sk, mss);
}

/**
 * lynx_conn_sack_acked - a segment leaves the write queue, acknowledged
 * @c:  the connection
 * @cb: the segment's
 *
 * Its marks leave the counts.
 */
void lynx_conn_sack_acked(struct lynx_conn *c, const struct lynx_seg_cb *cb)
{
	u32 len = cb->end_seq - cb->seq;

	if (cb->sacked & LYNX_SEG_SACKED)
		c->sacked_out -= min(c->sacked_out, len);
	if (cb->sacked & LYNX_SEG_RETRANS)
		c->retrans_out -= min(c->retrans_out, len);
}

/**
 * lynx_conn_sack_clear - forget every mark (a timeout)
 * @sk: the socket, locked
 * @mss: the path's
 *
 * The receiver may have dropped what it reported; go-back-N sends what
 * is not SACKed again, and the ACKs that follow mark anew.
 *
 * Out of recovery, marks on three segments or more mean as many
 * duplicate ACKs came and the learned reordering held them below the
 * threshold: it was too high, and a hole waited for the timer.  It goes
 * back to three (tcp_enter_loss() does the same).
 */
void lynx_conn_sack_clear(struct sock *sk, u32 mss)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb;

	if (!c->in_recovery && c->sacked_out >= LYNX_DUPACK_THRESH * mss)
		c->reordering = min_t(u8, c->reordering, LYNX_DUPACK_THRESH);
	if (!c->sacked_out && !c->retrans_out)
		return;
	skb_queue_walk(&sk->sk_write_queue, skb) {
		if (skb == c->send_head)
			break;
		lynx_seg_cb(skb)->sacked = 0;
	}
	c->sacked_out = 0;
	c->retrans_out = 0;
	c->sack_hint = NULL;
	c->num_sack_seen = 0;
}

/**
 * lynx_conn_sack_retrans - a segment went again in fast recovery
 * @c:   the connection
 * @skb: the segment, sent again (its length read after a re-cut)
 *
 * It is in the network once more: counted in retrans_out, once (a mark
 * left from an earlier recovery is counted already), and the holes to
 * send again begin after it.  snd_nxt now is kept: once the peer SACKs
 * what was sent after it, this copy is lost too
 * (lynx_conn_sack_lost_retrans()).
 */
void lynx_conn_sack_retrans(struct lynx_conn *c, struct sk_buff *skb)
{
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);

	cb->resent_nxt = c->snd_nxt;
	if (!(cb->sacked & LYNX_SEG_RETRANS)) {
		cb->sacked |= LYNX_SEG_RETRANS;
		c->retrans_out += cb->end_seq - cb->seq;
	}
	if (lynx_seq_after(cb->end_seq, c->rtx_nxt))
		c->rtx_nxt = cb->end_seq;
}

/**
 * lynx_conn_sack_resend - fast recovery with SACK: send the holes again
 * @sk:    the socket, locked, in fast recovery on a SACK connection
 * @force: send the first hole whatever the window (the fast retransmit)
 *
 * From lynx_conn.rtx_nxt on (what lies before went again in this
 * recovery, or was SACKed), every segment below the highest SACKed one
 * (by more than the reordering seen beyond three segments), neither
 * SACKed nor sent again already, is lost and goes again, as long
 * as lynx_cc_pipe() leaves the window room; as tcp_retransmit_skb(), none
 * past the peer's window but the oldest.  Each one sent again counts in
 * retrans_out until acknowledged, SACKed or found lost again.
 *
 * Return: true when it sent one.
 */
bool lynx_conn_sack_resend(struct sock *sk, bool force)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 len, mss, lost_end;
	struct sk_buff *skb;
	bool sent = false;
	u64 wnd;

	sock_owned_by_me(sk);
	if (!c->sacked_out)
		return false;
	if (!lynx_seq_after(c->rtx_nxt, c->snd_una)) {
		c->rtx_nxt = c->snd_una;
		c->rtx_hint = NULL;
	}
	mss = lynx_conn_mss(sk);
	lost_end = c->highest_sack - lynx_conn_sack_reorder_bytes(c, mss);
	if (!lynx_seq_before(c->rtx_nxt, lost_end) && !force)
		return false;
	wnd = (u64)lynx_cc_window(c) * mss;
	skb = c->rtx_hint ?: skb_peek(&sk->sk_write_queue);
	if (!skb)
		return false;
	skb_queue_walk_from(&sk->sk_write_queue, skb) {
		struct lynx_seg_cb *cb = lynx_seg_cb(skb);

		if (skb == c->send_head ||
		    (!lynx_seq_before(cb->seq, lost_end) && !force))
			break;
		c->rtx_hint = skb;
		if (!lynx_seq_after(cb->end_seq, c->rtx_nxt))
			continue;	/* sent again already */
		if (!cb->sacked) {
			len = cb->end_seq - cb->seq;
			if (!force && (u64)lynx_cc_pipe(c) + len > wnd)
				break;
			if (!lynx_conn_resend_in_window(c, cb))
				break;
			if (lynx_conn_resend(sk, skb))
				break;
			force = false;
			sent = true;
			lynx_conn_sack_retrans(c, skb);
		}
		c->rtx_nxt = cb->end_seq;
	}
	return sent;
}
