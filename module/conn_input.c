// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, the receiving side: acknowledgments, the buffers'
 * tuning to the flow, in-order delivery and the receive queue's
 * accounting, the out-of-order queue, the state machine
 * (lynx_conn_process()), a SYN on a listener, and the demultiplexer every
 * segment enters by (lynx_conn_rcv()).  As tcp_input.c is to TCP.
 */
#include <linux/ktime.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <kunit/visibility.h>
#include "conn.h"

/* ---- buffer tuning ------------------------------------------------------- */

/* As TCP's, unless the user set the size (SOCK_SNDBUF_LOCK,
 * SOCK_RCVBUF_LOCK): SO_SNDBUF grows with the congestion window (on
 * SOCK_STREAM only), SO_RCVBUF with what the reader takes in a round trip, up to
 * lynx_conn_sysctl_wmem[2] and lynx_conn_sysctl_rmem[2] (4 and 6 MiB, as
 * tcp_wmem and tcp_rmem); neither ever shrinks.  A fixed 208 KiB buffer
 * held a stream on lynxlo to about one 64 KiB segment in flight.
 */

static void lynx_conn_sndbuf_expand(struct sock *sk, u32 mss)
{
	u64 goal;

	/* SEQPACKET's SO_SNDBUF bounds a message (EMSGSIZE beyond it, as
	 * AF_UNIX's): it stays as set or defaulted, or the bound would
	 * depend on what the connection carried before.
	 */
	if (sk->sk_type != SOCK_STREAM ||
	    (sk->sk_userlocks & SOCK_SNDBUF_LOCK))
		return;
	goal = lynx_sndbuf_goal(lynx_sk_conn(sk)->snd_cwnd,
				mss + SKB_TRUESIZE(LYNX_HEADROOM));
	goal = min_t(u64, goal, lynx_conn_sysctl_wmem[2]);
	if (goal > sk->sk_sndbuf)
		WRITE_ONCE(sk->sk_sndbuf, goal);
}

/* The receiver's round trip (rcv_rtt_us): the shortest time a window's
 * worth beyond the advertised edge took to arrive, as TCP's
 * tcp_rcv_rtt_measure() without timestamps (a sample is only an upper
 * bound: a sender with less to say takes longer).  Called for a segment
 * that arrived in order, not for what a filled hole releases from the
 * out-of-order queue at once (lynx_conn_ooo_drain()).  The clock is read
 * once a window, not per segment.
 */
static void lynx_conn_rcv_rtt_measure(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u64 now;
	u32 rtt;

	if (c->rcv_rtt_time && lynx_seq_before(c->rcv_nxt, c->rcv_rtt_seq))
		return;
	now = ktime_to_us(ktime_get());
	if (c->rcv_rtt_time) {
		rtt = clamp_t(u64, now - c->rcv_rtt_time, 1, U32_MAX);
		if (!c->rcv_rtt_us || rtt < c->rcv_rtt_us)
			c->rcv_rtt_us = rtt;
	}
	/* A window beyond rcv_nxt: what the sender may already have in
	 * flight is no sample, its end needs an ACK of ours first.
	 */
	c->rcv_rtt_seq = c->rcv_nxt + max_t(u32, c->rcv_adv - c->rcv_wup, 1);
	c->rcv_rtt_time = now;
}

/**
 * lynx_conn_rcvbuf_adjust - grow SO_RCVBUF to the reader's pace
 * @sk: the socket, locked, after a read
 *
 * Once a receiver round trip, the bytes the reader took in it: more than
 * in any round trip before, and the buffer grows to lynx_rcvbuf_goal(),
 * as TCP's tcp_rcv_space_adjust().
 */
static void lynx_conn_rcvbuf_adjust(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 copied_seq = c->rcv_nxt - c->rcvq_bytes, copied;
	u64 now, goal;

	if (!c->rcv_rtt_us)
		return;
	now = ktime_to_us(ktime_get());
	if (c->rcvq_space_time && now - c->rcvq_space_time < c->rcv_rtt_us)
		return;
	copied = copied_seq - c->rcvq_space_seq;
	if (c->rcvq_space_time && copied > c->rcvq_space) {
		if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK)) {
			goal = lynx_rcvbuf_goal(copied, c->rcvq_space,
						c->rcv_mss);
			goal = min_t(u64, goal, lynx_conn_sysctl_rmem[2]);
			if (goal > sk->sk_rcvbuf)
				WRITE_ONCE(sk->sk_rcvbuf, goal);
		}
		c->rcvq_space = copied;
	}
	c->rcvq_space_seq = copied_seq;
	c->rcvq_space_time = now;
}

/* ---- receiving ----------------------------------------------------------- */

/* Progress after timeouts, and no round-trip sample since (what came back
 * answers a resent segment: Karn): the backed-off timeout stays the
 * timeout until a sample comes, RFC 6298 5.7 (TCP keeps icsk_backoff).
 * Dropped back to the base, a round trip longer than it would time out
 * every segment, and every answer would cover a resend: no sample, ever.
 */
static void lynx_conn_keep_backoff(struct lynx_conn *c)
{
	if (c->retries)
		c->rto = lynx_rto_backoff(c->rto, c->retries);
}

/* Process an acknowledgment and window; false if it acks what we never sent. */
bool lynx_conn_ack(struct sock *sk, const struct sk_buff *seg)
{
	const struct lynx_seg_cb *in = lynx_seg_cb(seg);
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 ack = in->ack, wnd_end = in->ack + in->window;
	bool fin_acked = false, resent_acked = false, rearm = true;
	u64 first_sent_us = 0, last_sent_us = 0;
	u32 mss, prior_flight, acked;
	s64 cc_rtt_us = -1;
	struct sk_buff *skb;

	if (lynx_seq_after(ack, c->snd_nxt))
		return false;
	if (lynx_seq_before(ack, c->snd_una))
		return true;		/* old duplicate */
	mss = lynx_conn_mss(sk);

	/* The peer answers: a window probe was heard.  An orphan's probes
	 * count until they make progress, whatever the answers (as TCP's
	 * tcp_orphan_retries): a peer that never opens its window must not
	 * keep it forever.
	 */
	if (!c->orphaned)
		c->probes = 0;
	c->peer_max_wnd = max(c->peer_max_wnd, in->window);
	lynx_conn_sack_mark(sk, seg, mss);

	if (ack == c->snd_una) {
		bool grew = lynx_seq_after(wnd_end, c->snd_wnd_end);

		c->snd_wnd_end = wnd_end;
		if (c->snd_una != c->snd_nxt && !seg->len && !grew &&
		    !(in->flags & (LYNX_F_FIN | LYNX_F_SYN)) &&
		    lynx_cc_on_dupack(c, lynx_cc_flight(c->snd_una, c->snd_nxt,
							mss))) {
			/* Fast retransmit.  The resend gets a whole RTO to
			 * come back, as tcp_xmit_retransmit_queue() gives
			 * it: counted from the last progress, the timer
			 * fires while it waits in the queue that dropped
			 * the original, and the timeout's recovery resends
			 * everything sent since.
			 */
			LYNX_INC_STATS(lynx_net(sock_net(sk)),
				       LYNX_MIB_FAST_RECOVERIES);
			if (c->sacked_out)
				LYNX_INC_STATS(lynx_net(sock_net(sk)),
					       LYNX_MIB_SACK_RECOVERIES);
			if (!lynx_conn_sack_resend(sk, true))
				lynx_conn_retransmit_head(sk);
			lynx_conn_arm(sk, c->rto);
		}
		return true;
	}

	/* New data acknowledged.  The round trip is sampled from the oldest
	 * segment it covers for the timeout, from the newest for CUBIC's
	 * least delay (the spacing of segments a stretch ACK covers is no
	 * part of the path), unless it covers one sent twice (Karn), as
	 * tcp_clean_rtx_queue() does: every such ACK, so that the estimate
	 * follows a queue that builds up under steady loss.
	 */
	while ((skb = skb_peek(&sk->sk_write_queue)) &&
	       skb != c->send_head &&
	       !lynx_seq_after(lynx_seg_cb(skb)->end_seq, ack)) {
		const struct lynx_seg_cb *cb = lynx_seg_cb(skb);

		if (cb->retrans) {
			resent_acked = true;
		} else {
			last_sent_us = cb->sent_us;
			if (!first_sent_us)
				first_sent_us = last_sent_us;
		}
		if (cb->flags & LYNX_F_FIN)
			fin_acked = true;
		/* (a hole the original filled: the path reordered) */
		if (c->sacked_out && !(cb->sacked & LYNX_SEG_SACKED))
			lynx_conn_sack_reordered(c, cb, c->highest_sack, mss);
		lynx_conn_sack_acked(c, cb);
		__skb_unlink(skb, &sk->sk_write_queue);
		WRITE_ONCE(c->wq_bytes, c->wq_bytes - skb->len);
		lynx_conn_free_wskb(sk, skb);
	}
	if (first_sent_us && !resent_acked) {
		u64 now_us = ktime_to_us(ktime_get());

		c->rto = lynx_rtt_update(&c->rtt, now_us - first_sent_us, ack,
					 c->snd_nxt);
		cc_rtt_us = now_us - last_sent_us;
	}
	prior_flight = lynx_cc_flight(c->snd_una, c->snd_nxt, mss);
	acked = lynx_cc_acked(c, ack - c->snd_una, mss);
	c->snd_una = ack;
	c->snd_wnd_end = wnd_end;
	if (cc_rtt_us >= 0)
		lynx_cc_rtt_sample(c, cc_rtt_us);
	/* Progress: only this resets the retry counts (a duplicate ACK,
	 * which anyone can forge, does not).
	 */
	if (cc_rtt_us < 0)
		lynx_conn_keep_backoff(c);
	c->retries = 0;
	c->probes = 0;
	if (lynx_cc_on_ack(c, ack, acked, prior_flight)) {
		/* NewReno: the next hole.  Only the first partial ACK of a
		 * recovery restarts the timer (Impatient, RFC 6582 3.2).
		 * (With SACK blocks no partial ACK comes here: each
		 * restarts it, as TCP's.)
		 */
		rearm = !c->partial_acked;
		c->partial_acked = true;
		lynx_conn_retransmit_head(sk);
	}
	lynx_conn_sndbuf_expand(sk, mss);
	if (c->snd_una == c->snd_nxt)
		sk_stop_timer(sk, &sk->sk_timer);
	else if (rearm)
		lynx_conn_arm(sk, c->rto);
	sk_mem_reclaim(sk);
	sk->sk_write_space(sk);
	if (fin_acked)
		lynx_conn_fin_acked(sk);
	return true;
}

/* ---- the receive queue ---------------------------------------------------- */

/* What sk_receive_queue and the out-of-order queue hold is counted here
 * and only here: rcvq_bytes (payload not read yet) and rcvq_msgs (whole
 * SEQPACKET messages), which poll and SIOCINQ read locklessly.  stream.c
 * reads through lynx_conn_rcvq_read() and asks lynx_conn_rcv_unread().
 */

static void lynx_conn_rcvq_add(struct sock *sk, struct sk_buff *skb,
			       bool eor)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	WRITE_ONCE(c->rcvq_bytes, c->rcvq_bytes + skb->len);
	if (eor)
		WRITE_ONCE(c->rcvq_msgs, c->rcvq_msgs + 1);
	__skb_queue_tail(&sk->sk_receive_queue, skb);
}

/**
 * lynx_conn_rcvq_read - the reader took bytes of a queued segment
 * @sk:  the socket, locked
 * @skb: a segment on sk_receive_queue
 * @n:   bytes of it copied out (from its offset on)
 *
 * A segment read to its end leaves the queue and is freed (its memory
 * with it); a SEQPACKET message's last one takes the message off the
 * count.  Return: true when @skb was freed.
 */
bool lynx_conn_rcvq_read(struct sock *sk, struct sk_buff *skb, u32 n)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);

	sock_owned_by_me(sk);
	cb->off += n;
	WRITE_ONCE(c->rcvq_bytes, c->rcvq_bytes - n);
	if (cb->off < skb->len)
		return false;
	if ((cb->flags & LYNX_F_EOR) && sk->sk_type == SOCK_SEQPACKET)
		WRITE_ONCE(c->rcvq_msgs, c->rcvq_msgs - 1);
	__skb_unlink(skb, &sk->sk_receive_queue);
	kfree_skb(skb);
	return true;
}

/**
 * lynx_conn_rcv_pressure - is the window closed for lack of memory?
 * @sk: a connection socket; lockless (poll)
 *
 * The receive buffer's memory cannot take another segment like the last
 * one (lynx_rcv_window()).  poll() then reports what is queued readable
 * whatever SO_RCVLOWAT says, as TCP does under memory pressure: the mark
 * may be more bytes than the memory can hold in small segments.
 */
bool lynx_conn_rcv_pressure(const struct sock *sk)
{
	return !lynx_conn_window(sk);
}

/* Whether anything received, in order or not, is still unread. */
bool lynx_conn_rcv_unread(const struct sock *sk)
{
	const struct lynx_conn *c = lynx_sk_conn(sk);

	return c->rcvq_bytes || !skb_queue_empty(&c->ooo_q) ||
	       !skb_queue_empty(&sk->sk_receive_queue);
}

/* Drop what was received and not read: the reader is gone. */
void lynx_conn_purge_rcv(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&c->ooo_q);
	WRITE_ONCE(c->rcvq_bytes, 0);
	WRITE_ONCE(c->rcvq_msgs, 0);
	sk_mem_reclaim(sk);
}

/* Queue an in-order segment, already charged, for the reader; consumes
 * @skb.  The last segment of a SEQPACKET message makes it readable (an
 * empty message is a message too, as on AF_UNIX).
 */
static void lynx_conn_deliver(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	bool eor = (cb->flags & LYNX_F_EOR) && sk->sk_type == SOCK_SEQPACKET;
	u8 flags = cb->flags;

	c->rcv_nxt = cb->end_seq;
	cb->off = 0;
	if (skb->len || eor)
		lynx_conn_rcvq_add(sk, skb, eor);
	else
		kfree_skb(skb);
	if (flags & LYNX_F_FIN)
		lynx_conn_rcv_fin(sk);
}

/* SEQPACKET: take the in-order @skb beyond SO_RCVBUF?  Yes while no whole
 * message is queued: the reader can free nothing until the message being
 * assembled is whole, so refusing it would stall the connection for good
 * (TCP likewise always takes a segment into an empty receive queue).  The
 * protocol's memory limits still apply, and the overdraft stops at the
 * largest receive buffer (lynx_conn_sysctl_rmem[2]), far above any message
 * a sender's SO_SNDBUF allows, so a peer cannot pin more.
 */
static bool lynx_conn_rmem_overcommit(struct sock *sk, struct sk_buff *skb)
{
	int limit = max(READ_ONCE(sk->sk_rcvbuf), lynx_conn_sysctl_rmem[2]);

	if (sk->sk_type != SOCK_SEQPACKET || lynx_sk_conn(sk)->rcvq_msgs ||
	    atomic_read(&sk->sk_rmem_alloc) + skb->truesize > limit ||
	    !sk_rmem_schedule(sk, skb, skb->truesize))
		return false;
	skb_set_owner_r(skb, sk);
	return true;
}

/* Does @skb fit in the receive buffer?  Charges it when it does. */
static bool lynx_conn_rmem_charge(struct sock *sk, struct sk_buff *skb)
{
	int rmem = atomic_read(&sk->sk_rmem_alloc);

	if (rmem && rmem + skb->truesize > READ_ONCE(sk->sk_rcvbuf))
		return false;
	if (!sk_rmem_schedule(sk, skb, skb->truesize))
		return false;
	skb_set_owner_r(skb, sk);
	return true;
}

/* Insert into the out-of-order queue, sorted, duplicates dropped (one at
 * a sequence number held already).  Return: false when it was dropped.
 */
static bool lynx_conn_ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 seq = lynx_seg_cb(skb)->seq;
	struct sk_buff *pos;

	skb_queue_reverse_walk(&c->ooo_q, pos) {
		u32 pseq = lynx_seg_cb(pos)->seq;

		if (pseq == seq) {
			kfree_skb(skb);
			return false;
		}
		if (lynx_seq_before(pseq, seq)) {
			__skb_queue_after(&c->ooo_q, pos, skb);
			return true;
		}
	}
	__skb_queue_head(&c->ooo_q, skb);
	return true;
}

/* Move what the out-of-order queue now continues onto the receive queue. */
static void lynx_conn_ooo_drain(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb;

	while ((skb = skb_peek(&c->ooo_q)) &&
	       !lynx_seq_after(lynx_seg_cb(skb)->seq, c->rcv_nxt)) {
		struct lynx_seg_cb *cb = lynx_seg_cb(skb);

		__skb_unlink(skb, &c->ooo_q);
		if (!lynx_seq_after(cb->end_seq, c->rcv_nxt) ||
		    sk->sk_state == TCP_CLOSE) {
			kfree_skb(skb);
			continue;
		}
		if (lynx_seq_before(cb->seq, c->rcv_nxt)) {
			/* The overlap was delivered already; if it cannot be
			 * cut off, drop the segment (the sender sends the
			 * rest again) rather than deliver bytes twice.
			 */
			if (!pskb_pull(skb, c->rcv_nxt - cb->seq)) {
				kfree_skb(skb);
				c->num_sack = 0;	/* it may be in one */
				continue;
			}
			cb->seq = c->rcv_nxt;
		}
		lynx_conn_deliver(sk, skb);
		/* rcv_nxt passed the measure's end without a round trip:
		 * no sample, measure anew.
		 */
		if (c->rcv_rtt_time &&
		    !lynx_seq_before(c->rcv_nxt, c->rcv_rtt_seq))
			c->rcv_rtt_time = 0;
	}
}

/* Drop the last out-of-order segment (the sender will send it again), as
 * TCP prunes its out-of-order queue: otherwise segments beyond a hole could
 * fill the buffer and leave no room for the one that fills it.  The SACK
 * blocks may have reported it: they start again (the sender keeps what we
 * SACKed until the cumulative ACK, and its timeout forgets the marks).
 */
static bool lynx_conn_ooo_prune(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb = skb_peek_tail(&c->ooo_q);

	if (!skb)
		return false;
	__skb_unlink(skb, &c->ooo_q);
	kfree_skb(skb);
	c->num_sack = 0;
	return true;
}

/**
 * lynx_conn_ack_data - acknowledge in-order data, now or a little later
 * @sk:  the socket, locked
 * @len: payload of the segment just delivered
 *
 * lynx_ack_now() decides; a delayed ACK waits for @delack_timer
 * (lynx_conn_schedule_ack()).
 */
static void lynx_conn_ack_data(struct sock *sk, u32 len)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (len > c->rcv_mss)
		c->rcv_mss = len;
	if (lynx_ack_now(c->rcv_nxt - c->rcv_wup, c->rcv_mss,
			 c->rcv_adv - c->rcv_wup, c->quickacks)) {
		if (c->quickacks)
			c->quickacks--;
		lynx_conn_send_ack(sk);
		return;
	}
	lynx_conn_schedule_ack(sk);
}

/* Payload and FIN of a segment in a synchronized state; consumes @skb. */
static void lynx_conn_data(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	bool ack_now;
	u32 len;

	if (skb->len)
		WRITE_ONCE(c->rcv_seg_memory, skb->truesize);
	if (!lynx_seq_after(cb->end_seq, c->rcv_nxt)) {
		/* All seen before: a duplicate; the ACK tells the sender. */
		kfree_skb(skb);
		goto ack;
	}
	if (lynx_seq_after(cb->seq, c->rcv_nxt)) {
		if (lynx_seq_after(cb->end_seq,
				   c->rcv_nxt + READ_ONCE(sk->sk_rcvbuf))) {
			LYNX_INC_STATS(ln, LYNX_MIB_DROP_OOW);
			kfree_skb(skb);
		} else if (!lynx_conn_rmem_charge(sk, skb)) {
			LYNX_INC_STATS(ln, LYNX_MIB_DROP_RCVBUF);
			atomic_inc(&sk->sk_drops);
			kfree_skb(skb);
		} else {
			u32 seq = cb->seq, end_seq = cb->end_seq;

			/* (the blocks say what the queue holds) */
			if (lynx_conn_ooo_insert(sk, skb) && c->sack_ok)
				lynx_sack_add(c->sack, &c->num_sack, seq,
					      end_seq);
		}
		/* A duplicate ACK: there is a hole; the sender recovers
		 * faster with every segment acknowledged for a while.
		 */
		c->quickacks = LYNX_QUICKACKS;
		goto ack;
	}
	if (lynx_seq_before(cb->seq, c->rcv_nxt)) {
		if (!pskb_pull(skb, c->rcv_nxt - cb->seq)) {
			kfree_skb(skb);
			goto ack;
		}
		cb->seq = c->rcv_nxt;
	}
	/* Room for the segment that fills the hole comes first. */
	while ((skb->len || (cb->flags & LYNX_F_EOR)) &&
	       !lynx_conn_rmem_charge(sk, skb)) {
		if (lynx_conn_ooo_prune(sk))
			continue;
		if (lynx_conn_rmem_overcommit(sk, skb))
			break;
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_RCVBUF);
		atomic_inc(&sk->sk_drops);
		kfree_skb(skb);
		goto ack;
	}
	/* A hole filled or a FIN: at once (the sender is recovering, or
	 * closing).  (@skb belongs to the receive queue once delivered.)
	 */
	ack_now = !skb_queue_empty(&c->ooo_q) || (cb->flags & LYNX_F_FIN);
	len = skb->len;
	lynx_conn_deliver(sk, skb);
	if (len)
		lynx_conn_rcv_rtt_measure(sk);
	lynx_conn_ooo_drain(sk);
	if (c->num_sack)
		lynx_sack_trim(c->sack, &c->num_sack, c->rcv_nxt);
	if (sk->sk_state == TCP_CLOSE)
		return;
	sk->sk_data_ready(sk);
	if (!ack_now) {
		lynx_conn_ack_data(sk, len);
		return;
	}
ack:
	if (sk->sk_state != TCP_CLOSE)
		lynx_conn_send_ack(sk);
}

/* Answer @skb, which this socket cannot accept, with a reset. */
static void lynx_conn_reset_seg(struct sock *sk, const struct sk_buff *skb)
{
	const struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_hdr_info in = {
		.type = lynx_sk(sk)->type, .flags = cb->flags,
		.src_node = cb->src_node, .src_port = cb->src_port,
		.dst_node = READ_ONCE(ln->node), .dst_port = lynx_sk(sk)->port,
		.seq = cb->seq, .ack = cb->ack, .len = skb->len,
	};

	lynx_conn_reply_rst(ln, &in);
}

/* RFC 793's "first check sequence number": a segment is acceptable when
 * it overlaps [rcv_nxt, rcv_nxt + window].  The window checked is the
 * receive buffer, which bounds every window we advertise.
 */
static bool lynx_conn_seq_ok(struct sock *sk, const struct lynx_seg_cb *cb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	return !lynx_seq_before(cb->end_seq, c->rcv_nxt) &&
	       !lynx_seq_after(cb->seq,
			       c->rcv_nxt + (u32)READ_ONCE(sk->sk_rcvbuf));
}

static void lynx_conn_rcv_syn_sent(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	bool ack_ok = (cb->flags & LYNX_F_ACK) && cb->ack == c->snd_nxt;

	if (cb->flags & LYNX_F_RST) {
		if (ack_ok)
			lynx_conn_abort(sk, ECONNREFUSED, false);
		goto drop;
	}
	/* RFC 793: an acceptable ACK without SYN is dropped; an unacceptable
	 * one, or a SYN alone (no simultaneous open here), is reset.
	 */
	if (ack_ok && !(cb->flags & LYNX_F_SYN))
		goto drop;
	if (!ack_ok) {
		lynx_conn_reset_seg(sk, skb);
		goto drop;
	}
	c->rcv_nxt = cb->seq + 1;
	c->snd_una = cb->ack;
	c->snd_wnd_end = cb->ack + cb->window;
	if (!(cb->flags & LYNX_F_SACK))
		c->sack_ok = false;	/* the peer does not take it */
	c->peer_max_wnd = cb->window;
	if (!c->retries) {	/* Karn: not when the SYN went again */
		u32 rtt_us = ktime_to_us(ktime_get()) - c->syn_sent_us;

		c->rto = lynx_rtt_update(&c->rtt, rtt_us, c->snd_una,
					 c->snd_nxt);
		lynx_cc_rtt_sample(c, rtt_us);
	}
	lynx_conn_keep_backoff(c);
	lynx_conn_established(sk);
	lynx_conn_send_ack(sk);
	lynx_conn_push(sk);
drop:
	kfree_skb(skb);
}

/**
 * lynx_conn_process - the state machine, for one received segment
 * @sk:  the connection, locked (by the owner, or in softirq with no owner)
 * @skb: the segment, payload at skb->data, header in lynx_seg_cb(); consumed
 */
void lynx_conn_process(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	sock_owned_by_me(sk);
	switch (sk->sk_state) {
	case TCP_CLOSE:
	case TCP_LISTEN:
		goto drop;
	case TCP_SYN_SENT:
		lynx_conn_rcv_syn_sent(sk, skb);
		return;
	}
	if (lynx_conn_orphan_expired(sk)) {
		lynx_conn_abort(sk, 0, true);
		goto drop;
	}

	if (lynx_conn_seq_ok(sk, cb)) {
		/* The peer is there: keepalive starts counting again. */
		c->rcv_tstamp = jiffies;
		c->ka_probes = 0;
	} else {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_OOW);
		/* Data sent again after our ACK was lost needs that ACK; a
		 * SYN gets a (rate-limited) challenge; a pure ACK or a reset
		 * gets nothing: answering one is how ACK storms start.
		 */
		if (skb->len || (cb->flags & LYNX_F_FIN))
			lynx_conn_send_ack(sk);
		else if (cb->flags & LYNX_F_SYN)
			lynx_conn_send_challenge_ack(sk);
		goto drop;
	}
	if (cb->flags & LYNX_F_RST) {
		/* RFC 5961 3.2: only a reset at rcv_nxt is believed (an
		 * embryonic connection takes any in the window); another one
		 * gets a challenge ACK, which a real peer answers with a reset
		 * at the right place.
		 */
		if (cb->seq != c->rcv_nxt && sk->sk_state != TCP_SYN_RECV) {
			lynx_conn_send_challenge_ack(sk);
			goto drop;
		}
		lynx_conn_abort(sk, sk->sk_state == TCP_SYN_RECV ?
				    ECONNREFUSED :
				    sk->sk_state == TCP_CLOSE_WAIT ?
				    EPIPE : ECONNRESET, false);
		goto drop;
	}
	if (cb->flags & LYNX_F_SYN) {
		/* Our SYN|ACK or ACK was lost: say it again. */
		if (!lynx_conn_oow_allow(sk))
			goto drop;
		if (sk->sk_state == TCP_SYN_RECV && cb->seq + 1 == c->rcv_nxt)
			lynx_conn_xmit_ctl(sk, LYNX_F_SYN | LYNX_F_ACK, c->iss);
		else
			lynx_conn_send_ack(sk);
		goto drop;
	}
	if (!(cb->flags & LYNX_F_ACK))
		goto drop;

	if (sk->sk_state == TCP_SYN_RECV) {
		if (cb->ack != c->iss + 1) {
			LYNX_INC_STATS(ln, LYNX_MIB_DROP_OOW);
			lynx_conn_reset_seg(sk, skb);
			goto drop;
		}
		c->snd_una = cb->ack;
		c->snd_wnd_end = cb->ack + cb->window;
		c->peer_max_wnd = cb->window;
		lynx_conn_keep_backoff(c);	/* SYN|ACK: never timed */
		lynx_conn_established(sk);
	}
	if (!lynx_conn_ack(sk, skb)) {
		/* It acknowledges data never sent: discarded, unanswered,
		 * as TCP does (RFC 793 3.9, RFC 5961 5.2).
		 */
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_OOW);
		goto drop;
	}
	if (sk->sk_state == TCP_CLOSE)
		goto drop;

	if ((1 << sk->sk_state) &
	    (TCPF_CLOSE_WAIT | TCPF_CLOSING | TCPF_LAST_ACK)) {
		/* After the peer's FIN nothing is data; a FIN sent again
		 * (our ACK was lost) is acknowledged again.
		 */
		if ((skb->len || (cb->flags & LYNX_F_FIN)) &&
		    !lynx_seq_after(cb->end_seq, c->rcv_nxt))
			lynx_conn_send_ack(sk);
		kfree_skb(skb);
	} else if (skb->len || (cb->flags & (LYNX_F_FIN | LYNX_F_EOR))) {
		/* Nobody will read it: reset, as TCP does. */
		if (sock_flag(sk, SOCK_DEAD) && skb->len &&
		    lynx_seq_after(cb->end_seq, c->rcv_nxt)) {
			lynx_conn_abort(sk, 0, true);
			goto drop;
		}
		lynx_conn_data(sk, skb);
	} else {
		kfree_skb(skb);
	}
	lynx_conn_push(sk);
	return;
drop:
	kfree_skb(skb);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_process);

int lynx_conn_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	lynx_conn_process(sk, skb);
	return 0;
}

/* Socket flags a child takes from its listener (set by setsockopt). */
#define LYNX_CHILD_FLAGS	(BIT(SOCK_LINGER) | BIT(SOCK_KEEPOPEN) |	\
				 BIT(SOCK_URGINLINE) | BIT(SOCK_RCVTSTAMP) |	\
				 BIT(SOCK_RCVTSTAMPNS) | BIT(SOCK_RXQ_OVFL) |	\
				 BIT(SOCK_TSTAMP_NEW) | BIT(SOCK_NOFCS) |	\
				 BIT(SOCK_SELECT_ERR_QUEUE))

/* proto .init of a listener's child: the parts sock_init_data() skips. */
static struct sock *lynx_conn_child_new(struct sock *parent,
					const struct lynx_hdr_info *info)
{
	struct lynx_sock *plsk = lynx_sk(parent), *lsk;
	struct lynx_conn *c;
	struct sock *sk;

	/* in softirq: fail_lynx_alloc reaches it, failslab's task filter not */
	if (lynx_should_fail_alloc())
		return NULL;
	sk = sk_alloc(sock_net(parent), parent->sk_family, GFP_ATOMIC,
		      parent->sk_prot, 0);
	if (!sk)
		return NULL;
	sock_init_data(NULL, sk);
	sk->sk_type = parent->sk_type;
	sk->sk_protocol = parent->sk_protocol;
	sk->sk_destruct = parent->sk_destruct;
	sk->sk_uid = parent->sk_uid;
	sk->sk_rcvbuf = READ_ONCE(parent->sk_rcvbuf);
	sk->sk_sndbuf = READ_ONCE(parent->sk_sndbuf);
	sk->sk_userlocks = parent->sk_userlocks;
	sk->sk_rcvlowat = READ_ONCE(parent->sk_rcvlowat);
	sk->sk_rcvtimeo = READ_ONCE(parent->sk_rcvtimeo);
	sk->sk_sndtimeo = READ_ONCE(parent->sk_sndtimeo);
	sk->sk_lingertime = READ_ONCE(parent->sk_lingertime);
	sk->sk_priority = READ_ONCE(parent->sk_priority);
	sk->sk_mark = READ_ONCE(parent->sk_mark);
	/* The user's socket options, as sk_clone_lock() copies them. */
	sk->sk_flags |= READ_ONCE(parent->sk_flags) & LYNX_CHILD_FLAGS;
	if (sk->sk_prot->init(sk)) {
		sk_free(sk);
		return NULL;
	}
	lsk = lynx_sk(sk);
	c = lynx_sk_conn(sk);
	c->nodelay = READ_ONCE(lynx_sk_conn(parent)->nodelay);
	lsk->port = plsk->port;
	lsk->node = plsk->node;
	lsk->peer_node = info->src_node;
	lsk->peer_port = info->src_port;
	c->iss = get_random_u32();
	c->snd_una = c->iss;
	c->snd_sml = c->iss;
	c->recover = c->iss;
	c->snd_nxt = c->iss + 1;
	c->write_seq = c->iss + 1;
	c->snd_wnd_end = c->snd_nxt + info->window;
	c->peer_max_wnd = info->window;
	c->rcv_nxt = info->seq + 1;
	c->sack_ok = (info->flags & LYNX_F_SACK) &&
		     READ_ONCE(lynx_net(sock_net(sk))->sack);
	sk->sk_state = TCP_SYN_RECV;
	return sk;
}

/* A SYN for a listener: a child in SYN_RECV joins the accept queue (which
 * bounds handshaking and established children together, to the backlog)
 * and answers SYN|ACK.  A full queue drops the SYN, as TCP without
 * syncookies does: the client's retries may find room later.
 */
static void lynx_conn_syn(struct sock *parent, const struct lynx_hdr_info *info)
{
	struct lynx_conn *pc = lynx_sk_conn(parent);
	struct lynx_net *ln = lynx_net(sock_net(parent));
	struct sock *sk;

	spin_lock_bh(&pc->accept_lock);
	if (READ_ONCE(parent->sk_state) != TCP_LISTEN ||
	    pc->accept_len > READ_ONCE(parent->sk_max_ack_backlog)) {
		spin_unlock_bh(&pc->accept_lock);
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_RCVBUF);
		return;
	}
	sk = lynx_conn_child_new(parent, info);
	if (!sk) {
		spin_unlock_bh(&pc->accept_lock);
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		return;
	}
	/* On the queue, its parent known, before the hash makes it visible:
	 * a reset on another CPU may end the child as soon as it is hashed,
	 * and lynx_conn_done() must find it a child (to leave the queue and
	 * the socket tables), waiting on accept_lock until it is queued.
	 */
	sock_hold(parent);
	lynx_sk_conn(sk)->parent = parent;
	list_add_tail(&lynx_sk_conn(sk)->accept_node, &pc->accept_q);
	pc->accept_len++;
	if (lynx_conn_hash(sk)) {
		/* Raced with the same SYN on another CPU. */
		list_del_init(&lynx_sk_conn(sk)->accept_node);
		pc->accept_len--;
		lynx_sk_conn(sk)->parent = NULL;
		spin_unlock_bh(&pc->accept_lock);
		sock_put(parent);
		sock_orphan(sk);
		lynx_sock_unlink(sk);
		sock_put(sk);
		return;
	}
	/* Once unlocked, a reset on another CPU may end the child and drop
	 * the queue's and the hash's references: keep one of our own.
	 */
	sock_hold(sk);
	spin_unlock_bh(&pc->accept_lock);

	bh_lock_sock(sk);
	if (sk->sk_state == TCP_SYN_RECV) {
		lynx_conn_xmit_ctl(sk, LYNX_F_SYN | LYNX_F_ACK,
				   lynx_sk_conn(sk)->iss);
		lynx_conn_arm(sk, lynx_sk_conn(sk)->rto);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * lynx_conn_rcv - where a connection segment enters (softirq)
 * @ln:   the receiving namespace
 * @skb:  the segment, data at the payload; consumed
 * @info: its decoded header
 *
 * Return: NET_RX_SUCCESS or NET_RX_DROP.
 */
int lynx_conn_rcv(struct lynx_net *ln, struct sk_buff *skb,
		  const struct lynx_hdr_info *info)
{
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	unsigned int nsack = 0;
	struct sock *sk;

	/* An ACK's SACK blocks (<linux/lynx.h>) go before skb->data, where
	 * lynx_conn_sack_mark() reads them, as TCP reads its options from
	 * the header: the segment has no data.
	 */
	if ((info->flags & (LYNX_F_SACK | LYNX_F_SYN)) == LYNX_F_SACK) {
		nsack = info->len / sizeof(struct lynx_sack_block);
		if (info->flags != (LYNX_F_ACK | LYNX_F_SACK) ||
		    info->len % sizeof(struct lynx_sack_block) ||
		    !nsack || nsack > LYNX_SACK_MAX ||
		    !pskb_may_pull(skb, info->len)) {
			LYNX_INC_STATS(ln, LYNX_MIB_DROP_MALFORMED);
			kfree_skb(skb);
			return NET_RX_DROP;
		}
		skb_pull_rcsum(skb, info->len);
	}
	memset(cb, 0, sizeof(*cb));
	cb->nsack = nsack;
	cb->seq = info->seq;
	cb->end_seq = info->seq + lynx_seg_seq_len(info->len, info->flags);
	cb->ack = info->ack;
	cb->window = info->window;
	cb->flags = info->flags;
	cb->src_node = info->src_node;
	cb->src_port = info->src_port;

	sk = lynx_conn_lookup(ln, info->type, info->dst_port, info->src_node,
			      info->src_port);
	if (!sk) {
		sk = lynx_lookup_bound(ln, info->type, info->dst_port);
		if (sk && READ_ONCE(sk->sk_state) == TCP_LISTEN &&
		    (info->flags & (LYNX_F_SYN | LYNX_F_ACK | LYNX_F_RST)) ==
		    LYNX_F_SYN) {
			lynx_conn_syn(sk, info);
			sock_put(sk);
			consume_skb(skb);
			return NET_RX_SUCCESS;
		}
		if (sk)
			sock_put(sk);
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NO_SOCKET);
		lynx_conn_reply_rst(ln, info);
		kfree_skb(skb);
		return NET_RX_DROP;
	}

	bh_lock_sock(sk);
	if (!sock_owned_by_user(sk)) {
		lynx_conn_process(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
					   READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_RCVBUF);
		atomic_inc(&sk->sk_drops);
		sock_put(sk);
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return NET_RX_SUCCESS;
}

/**
 * lynx_conn_rcv_space - the reader made room: advertise it if it matters
 * @sk: the socket, locked
 *
 * The buffer may grow first (lynx_conn_rcvbuf_adjust()).  A window
 * update goes out when the window grew by a quarter of the buffer since
 * it was last advertised, so a sender stalled on a small window resumes
 * without waiting for its probe.
 */
void lynx_conn_rcv_space(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 right;

	sock_owned_by_me(sk);
	sk_mem_reclaim(sk);
	lynx_conn_rcvbuf_adjust(sk);
	if (!lynx_conn_can_send(sk) && sk->sk_state != TCP_FIN_WAIT2)
		return;
	right = c->rcv_nxt + lynx_conn_window(sk);
	if (lynx_seq_after(right, c->rcv_adv) &&
	    right - c->rcv_adv >= (u32)READ_ONCE(sk->sk_rcvbuf) / 4)
		lynx_conn_send_ack(sk);
}
