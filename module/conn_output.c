// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, the sending side: the header of a segment, control
 * segments and resets, the write queue, lynx_conn_push() within the
 * peer's window, retransmission of the oldest segment, and the write
 * space callback.  As tcp_output.c is to TCP.
 */
#include <linux/ktime.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <kunit/visibility.h>
#include "conn.h"

/* ---- sending ------------------------------------------------------------- */

u32 lynx_conn_window(const struct sock *sk)
{
	return lynx_rcv_window(READ_ONCE(sk->sk_rcvbuf),
			       atomic_read(&sk->sk_rmem_alloc),
			       READ_ONCE(lynx_sk_conn(sk)->rcv_seg_memory));
}

void lynx_conn_fill(struct sock *sk, struct lynx_hdr_info *info,
		    u32 seq, u8 flags)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	info->type = lsk->type;
	info->flags = flags;
	info->src_node = READ_ONCE(ln->node);
	info->dst_node = lsk->peer_node;
	info->src_port = lsk->port;
	info->dst_port = lsk->peer_port;
	info->seq = seq;
	info->ack = (flags & LYNX_F_ACK) ? c->rcv_nxt : 0;
	info->window = lynx_conn_window(sk);
}

/* @info was built into a frame: the peer may now send up to its window,
 * and a delayed ACK is carried (the timer, if pending, finds nothing due).
 */
static void lynx_conn_advertised(struct sock *sk,
				 const struct lynx_hdr_info *info)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (info->flags & LYNX_F_ACK) {
		c->rcv_adv = info->ack + info->window;
		c->rcv_wup = info->ack;
		c->ack_pending = false;
	}
}

/* A segment without data, followed by @pad bytes of zero padding.  A
 * SYN offers SACK, a bare ACK carries the SACK blocks, on a connection
 * that has them.
 */
static int lynx_conn_xmit_ctl_pad(struct sock *sk, u8 flags, u32 seq,
				  unsigned int pad)
{
	struct lynx_sack_block blocks[LYNX_SACK_MAX];
	struct lynx_hdr_info info;
	unsigned int len = pad;
	void *data = NULL;
	int err;

	if ((flags & LYNX_F_SYN) && lynx_sk_conn(sk)->sack_ok) {
		flags |= LYNX_F_SACK;
	} else if (flags == LYNX_F_ACK && !pad) {
		len = lynx_conn_sack_fill(sk, blocks) * sizeof(blocks[0]);
		if (len) {
			flags |= LYNX_F_SACK;
			data = blocks;
		}
	}
	lynx_conn_fill(sk, &info, seq, flags);
	err = lynx_output_ctl(lynx_net(sock_net(sk)), &info, sk, data, len);
	/* (A frame built and then dropped on its way is as good as lost
	 * on the wire.)
	 */
	if (err != -ENOMEM)
		lynx_conn_advertised(sk, &info);
	return err;
}

/* Send a segment without data: SYN, SYN|ACK, ACK or RST. */
int lynx_conn_xmit_ctl(struct sock *sk, u8 flags, u32 seq)
{
	return lynx_conn_xmit_ctl_pad(sk, flags, seq, 0);
}

/* A keepalive probe, as TCP's: an ACK for snd_una - 1 with one byte of
 * padding, which the peer's receive path answers with an ACK.
 */
void lynx_conn_send_keepalive(struct sock *sk)
{
	lynx_conn_xmit_ctl_pad(sk, LYNX_F_ACK, lynx_sk_conn(sk)->snd_una - 1, 1);
}

/**
 * lynx_conn_schedule_ack - hold an ACK back for the delayed-ACK timer
 * @sk: the socket, locked
 *
 * The timer is armed once; a segment of ours sent before it fires carries
 * the ACK instead (lynx_conn_advertised()).
 */
void lynx_conn_schedule_ack(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	c->ack_pending = true;
	if (!timer_pending(&c->delack_timer))
		sk_reset_timer(sk, &c->delack_timer, jiffies + LYNX_DELACK);
}

void lynx_conn_send_ack(struct sock *sk)
{
	/* No skb for it now: as __tcp_send_ack(), the delayed-ACK timer
	 * tries again, or the peer would wait for its RTO.  (Not for a
	 * frame a full queue dropped: that one is lost as on the wire.)
	 */
	if (lynx_conn_xmit_ctl(sk, LYNX_F_ACK,
			       lynx_sk_conn(sk)->snd_nxt) == -ENOMEM &&
	    sk->sk_state != TCP_CLOSE)
		lynx_conn_schedule_ack(sk);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_send_ack);

/* Answers to segments outside the connection (a SYN on an established
 * connection, a reset at the wrong place, a SYN sent again): at most one
 * per LYNX_OOW_ACK_INTERVAL per socket, as TCP's tcp_invalid_ratelimit,
 * so that two confused ends, or a forger, cannot make a socket ACK at
 * link speed.  False when the answer was suppressed.
 */
bool lynx_conn_oow_allow(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (time_before(jiffies, c->oow_ack_until)) {
		LYNX_INC_STATS(lynx_net(sock_net(sk)),
			       LYNX_MIB_REPLY_RATELIMITED);
		return false;
	}
	c->oow_ack_until = jiffies + LYNX_OOW_ACK_INTERVAL;
	return true;
}

void lynx_conn_send_challenge_ack(struct sock *sk)
{
	if (lynx_conn_oow_allow(sk))
		lynx_conn_send_ack(sk);
}

/* Answer a segment no connection wants with a reset, as TCP does. */
void lynx_conn_reply_rst(struct lynx_net *ln,
			 const struct lynx_hdr_info *in)
{
	u32 len = lynx_seg_seq_len(in->len, in->flags);
	struct lynx_hdr_info info = {
		.type = in->type, .flags = LYNX_F_RST | LYNX_F_ACK,
		.src_node = in->dst_node, .src_port = in->dst_port,
		.dst_node = in->src_node, .dst_port = in->src_port,
		.seq = (in->flags & LYNX_F_ACK) ? in->ack : 0,
		.ack = in->seq + len,
	};

	if (in->flags & LYNX_F_RST)
		return;
	if (lynx_reply_allow(ln))
		lynx_output_ctl(ln, &info, NULL, NULL, 0);
}

/**
 * lynx_conn_fragment - cut a queued segment down to the path's size
 * @sk:  the socket, locked
 * @skb: a write-queue segment longer than @mss
 * @mss: the payload the path carries now
 *
 * The path MTU dropped after @skb was cut (a device's MTU was lowered):
 * sent as it is, it would be dropped at every try.  The tail beyond @mss
 * becomes the next segment and takes the end-of-message flag, so a
 * SEQPACKET message keeps its boundary; the sequence space is unchanged.
 * As tcp_fragment(): the tail's page fragments move to the new segment
 * with their share of the truesize (skb_split()), nothing is copied but
 * linear bytes; a segment a clone in flight shares is made ours first.
 * The charge stays the sum of the queue's truesizes.
 *
 * Return: 0, or -ENOBUFS (the segment stays whole; the timer tries again).
 */
static int lynx_conn_fragment(struct sock *sk, struct sk_buff *skb, u32 mss)
{
	struct lynx_seg_cb *cb = lynx_seg_cb(skb), *ncb;
	int nsize = max_t(int, skb_headlen(skb) - (int)mss, 0);
	struct sk_buff *nskb;
	int delta;
	u32 nlen;

	sock_owned_by_me(sk);
	if (skb_cloned(skb)) {
		/* (pskb_expand_head() counts a new head of an skb without
		 * an owner in its truesize: the charge follows.)
		 */
		delta = skb->truesize;
		if (pskb_expand_head(skb, 0, 0, GFP_ATOMIC))
			return -ENOBUFS;
		delta = skb->truesize - delta;
		lynx_conn_charge_wskb(sk, delta);
	}
	nskb = lynx_alloc_skb(LYNX_HEADROOM + nsize, GFP_ATOMIC, true);
	if (!nskb)
		return -ENOBUFS;
	skb_reserve(nskb, LYNX_HEADROOM);
	if (!sk_wmem_schedule(sk, nskb->truesize)) {
		kfree_skb(nskb);
		return -ENOBUFS;
	}
	lynx_conn_charge_wskb(sk, nskb->truesize);
	nlen = skb->len - mss - nsize;	/* the paged bytes that move */
	nskb->truesize += nlen;
	skb->truesize -= nlen;
	skb_split(skb, nskb, mss);
	ncb = lynx_seg_cb(nskb);
	*ncb = *cb;
	ncb->seq = cb->seq + mss;
	cb->end_seq = ncb->seq;
	cb->flags &= ~LYNX_F_EOR;
	__skb_queue_after(&sk->sk_write_queue, skb, nskb);
	return 0;
}

static int lynx_conn_path_mtu(struct sock *sk)
{
	int mtu = lynx_path_mtu(lynx_net(sock_net(sk)), lynx_sk(sk)->peer_node);

	return mtu ? mtu : ETH_DATA_LEN;
}

/* The payload a segment to the peer may carry on today's path: also the
 * unit of the congestion window.
 */
u32 lynx_conn_mss(struct sock *sk)
{
	return lynx_seg_size(lynx_conn_path_mtu(sk), LYNX_HLEN, 0);
}

/* The payload a writer puts in a segment: the path's, at most half the
 * peer's largest window (lynx_seg_size()).  Nagle's rule calls shorter
 * segments short.
 */
u32 lynx_conn_size_goal(struct sock *sk)
{
	return lynx_seg_size(lynx_conn_path_mtu(sk), LYNX_HLEN,
			     lynx_sk_conn(sk)->peer_max_wnd);
}

/* Transmit a write-queue segment.  The queued skb stays for retransmission;
 * a clone goes out with the header written into the shared headroom,
 * unless an earlier clone may still be in flight, which gets a private
 * copy instead (as TCP does).  The queued skb gives its header area up to
 * the clone (__skb_header_release(), as TCP's tcp_skb_entail()): the
 * clone may then write its lynx and Ethernet headers and checksum there
 * (skb_cow_head(), skb_checksum_help()) without copying the whole segment
 * into a private head; the payload stays shared and is never written.
 */
int lynx_conn_xmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	struct lynx_hdr_info info;
	struct sk_buff *out;
	u32 mss = lynx_conn_mss(sk);

	if (skb->len > mss && lynx_conn_fragment(sk, skb, mss))
		return -ENOBUFS;
	if (skb_cloned(skb)) {
		out = pskb_copy(skb, GFP_ATOMIC);
	} else {
		__skb_header_release(skb);
		out = lynx_clone_skb(skb, GFP_ATOMIC);
	}
	if (!out) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		return -ENOBUFS;
	}
	cb->sent_us = ktime_to_us(ktime_get());
	lynx_conn_fill(sk, &info, cb->seq, cb->flags | LYNX_F_ACK);
	lynx_conn_advertised(sk, &info);
	lynx_hdr_push(out, &info);
	skb_set_owner_w(out, sk);
	out->priority = READ_ONCE(sk->sk_priority);
	out->mark = READ_ONCE(sk->sk_mark);
	return lynx_output(ln, out, info.dst_node);
}

/* Arm the timer; an orphan's never beyond its deadline. */
void lynx_conn_arm(struct sock *sk, unsigned long when)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	unsigned long at = jiffies + when;

	if (c->orphaned && time_after(at, c->orphan_deadline))
		at = c->orphan_deadline;
	sk_reset_timer(sk, &sk->sk_timer, at);
}

struct sk_buff *lynx_conn_wq_next(struct sock *sk, struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL :
	       skb_queue_next(&sk->sk_write_queue, skb);
}

/* Can this state send what is in the write queue? */
bool lynx_conn_can_send(const struct sock *sk)
{
	return (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				      TCPF_FIN_WAIT1 | TCPF_LAST_ACK |
				      TCPF_CLOSING);
}

/* Nagle's rule for the segment at send_head (lynx_nagle_holds()), short
 * against the writer's @goal.  Never for SEQPACKET: no two messages share
 * a segment, nothing would gather.
 */
static bool lynx_conn_nagle_holds(const struct sock *sk,
				  const struct sk_buff *skb, u32 goal)
{
	const struct lynx_conn *c = lynx_sk_conn(sk);
	bool push = !skb_queue_is_last(&sk->sk_write_queue, skb) ||
		    (lynx_seg_cb(skb)->flags & LYNX_F_FIN);

	bool short_in_flight = lynx_seq_after(c->snd_sml, c->snd_una) &&
			       !lynx_seq_after(c->snd_sml, c->snd_nxt);

	return sk->sk_type == SOCK_STREAM &&
	       lynx_nagle_holds(skb->len, goal, short_in_flight, push,
				c->nodelay);
}

/**
 * lynx_conn_push - send queued segments the windows have room for
 * @sk: the socket, locked
 *
 * After a timeout what was in flight goes again first, as the congestion
 * window allows (lynx_conn_resend_lost()); so do the holes SACK shows in
 * fast recovery (lynx_conn_sack_resend()).  A new segment goes when it
 * fits in both the peer's window and the congestion window
 * (lynx_cc_may_send()), and Nagle's rule does not hold it
 * (lynx_conn_nagle_holds(): the ACK that ends the wait calls here
 * again).  When the peer's window
 * is closed and nothing is in flight the timer is armed to probe it
 * (lynx_conn_timeout() then sends one segment regardless); the
 * congestion window never holds back the only segment.
 */
void lynx_conn_push(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 len, mss, goal;
	struct sk_buff *skb;
	int mtu;

	sock_owned_by_me(sk);
	if (!lynx_conn_can_send(sk))
		return;
	if (c->in_loss)
		lynx_conn_resend_lost(sk);
	else if (c->in_recovery && c->sack_ok)
		lynx_conn_sack_resend(sk, false);
	if (!c->send_head)
		return;
	mtu = lynx_conn_path_mtu(sk);
	mss = lynx_seg_size(mtu, LYNX_HLEN, 0);
	goal = lynx_seg_size(mtu, LYNX_HLEN, c->peer_max_wnd);
	if (c->snd_una == c->snd_nxt)
		lynx_cc_idle_restart(c, jiffies - c->lsndtime, c->rto);
	while ((skb = c->send_head)) {
		/* Cut for today's path first (as tcp_write_xmit()): the
		 * rules below judge the piece that leaves, not the rest.
		 */
		if (skb->len > mss && lynx_conn_fragment(sk, skb, mss))
			break;
		if (lynx_conn_nagle_holds(sk, skb, goal))
			break;
		len = lynx_seg_cb(skb)->end_seq - lynx_seg_cb(skb)->seq;
		/* A bare FIN goes whatever the windows. */
		if (skb->len &&
		    (len > lynx_snd_usable(c->snd_nxt, c->snd_wnd_end) ||
		     !lynx_cc_may_send(c, len, mss)))
			break;
		if (lynx_conn_xmit_skb(sk, skb))
			break;
		if (c->snd_una == c->snd_nxt)
			lynx_cc_tx_start(c, jiffies - c->lsndtime);
		c->snd_nxt = lynx_seg_cb(skb)->end_seq;
		if (skb->len < goal)
			c->snd_sml = c->snd_nxt;
		c->send_head = lynx_conn_wq_next(sk, skb);
		c->lsndtime = jiffies;
		if (!timer_pending(&sk->sk_timer))
			lynx_conn_arm(sk, c->rto);
	}
	if (c->send_head && !timer_pending(&sk->sk_timer))
		lynx_conn_arm(sk, c->rto);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_push);

/* Send a segment sent before again; 0 or the transmit error.  Only a
 * resend that left counts (as TCP's RETRANSSEGS): one that failed is
 * tried again by the next push or timeout.
 */
int lynx_conn_resend(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	int err;

	lynx_seg_cb(skb)->retrans = 1;	/* Karn: its ACK is no RTT sample */
	err = lynx_conn_xmit_skb(sk, skb);
	if (err)
		return err;
	LYNX_INC_STATS(lynx_net(sock_net(sk)), LYNX_MIB_RETRANS);
	WRITE_ONCE(c->total_retrans, c->total_retrans + 1);
	return 0;
}

/* Send the oldest unacknowledged segment again.  In loss recovery (a
 * window probe) go-back-N need not send it once more; in a SACK recovery
 * it is one of the holes sent again (lynx_conn_sack_retrans()).
 */
void lynx_conn_retransmit_head(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct lynx_conn *c = lynx_sk_conn(sk);
	u32 end_seq;

	if (!skb || skb == c->send_head)
		return;
	if (lynx_conn_resend(sk, skb))
		return;
	/* (a re-cut shortened the segment: its end is read after) */
	end_seq = lynx_seg_cb(skb)->end_seq;
	if (c->in_loss && lynx_seq_after(end_seq, c->rtx_nxt))
		c->rtx_nxt = end_seq;
	else if (c->in_recovery && !c->in_loss && c->sack_ok)
		lynx_conn_sack_retrans(c, skb);
}

/**
 * lynx_conn_resend_lost - after a timeout, send what was in flight again
 * @sk: the socket, locked, in loss recovery (lynx_conn.in_loss)
 *
 * Every segment sent before the timeout is presumed lost, as
 * tcp_enter_loss() marks them: from snd_una on they go again in order, as
 * many as the congestion window has room for beside those already sent
 * again and not acknowledged (go-back-N in slow start: 1, 2, 4 ... a round
 * trip).  One a round trip, a burst of n losses took n round trips.  A
 * segment the peer had after all only moves snd_una further at its next
 * ACK.  As tcp_retransmit_skb(), none past the peer's window but the
 * oldest.  The walk resumes at lynx_conn.rtx_hint (TCP's
 * retransmit_skb_hint), not at the head: each ACK would otherwise step
 * over every segment already sent again.
 */
void lynx_conn_resend_lost(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb;
	u32 mss;

	sock_owned_by_me(sk);
	if (lynx_seq_before(c->rtx_nxt, c->snd_una))
		c->rtx_nxt = c->snd_una;
	/* Every push until the recovery point is acknowledged comes here:
	 * once all of it went again, nothing to look up.
	 */
	if (!lynx_seq_before(c->rtx_nxt, c->recover))
		return;
	mss = lynx_conn_mss(sk);
	skb = c->rtx_hint ?: skb_peek(&sk->sk_write_queue);
	if (!skb)
		return;
	skb_queue_walk_from(&sk->sk_write_queue, skb) {
		const struct lynx_seg_cb *cb = lynx_seg_cb(skb);

		if (skb == c->send_head ||
		    !lynx_seq_before(c->rtx_nxt, c->recover))
			break;
		c->rtx_hint = skb;
		if (!lynx_seq_after(cb->end_seq, c->rtx_nxt))
			continue;	/* sent again already */
		if (cb->sacked & LYNX_SEG_SACKED) {
			c->rtx_nxt = cb->end_seq;	/* the peer has it */
			continue;
		}
		if (lynx_cc_flight(c->snd_una, c->rtx_nxt, mss) >= c->snd_cwnd)
			break;
		if (!lynx_conn_resend_in_window(c, cb))
			break;
		if (lynx_conn_resend(sk, skb))
			break;
		c->rtx_nxt = cb->end_seq;	/* (read after a re-cut) */
	}
}

/**
 * lynx_conn_queue_tail - append a filled segment to the write queue
 * @sk:  the socket, locked; the caller charged @skb (sk_wmem_queued and
 *       forward allocation)
 * @skb: payload (or nothing, for a FIN) with LYNX_HEADROOM reserved
 *
 * Sets the segment's sequence numbers from write_seq.
 */
void lynx_conn_queue_tail(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);

	sock_owned_by_me(sk);
	cb->seq = c->write_seq;
	cb->end_seq = cb->seq + lynx_seg_seq_len(skb->len, cb->flags);
	cb->retrans = 0;
	c->write_seq = cb->end_seq;
	WRITE_ONCE(c->wq_bytes, c->wq_bytes + skb->len);
	__skb_queue_tail(&sk->sk_write_queue, skb);
	if (!c->send_head)
		c->send_head = skb;
}

/**
 * lynx_conn_unsent_tail - the write queue's last segment, if bytes may join it
 * @sk: the socket, locked
 *
 * A segment that was never sent (it is at or after send_head) and has no
 * clone that shares its fragments, carrying neither a FIN nor the end of
 * a SEQPACKET message, may grow (lynx_conn_queue_grow()), as TCP's
 * tcp_sendmsg() fills the last skb of its write queue.
 *
 * Return: that segment, or NULL.
 */
struct sk_buff *lynx_conn_unsent_tail(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&sk->sk_write_queue);

	sock_owned_by_me(sk);
	if (!skb || !lynx_sk_conn(sk)->send_head || skb_cloned(skb) ||
	    (lynx_seg_cb(skb)->flags & (LYNX_F_FIN | LYNX_F_EOR)))
		return NULL;
	return skb;
}

/**
 * lynx_conn_queue_grow - account bytes appended to the unsent tail
 * @sk:  the socket, locked; the caller charged the bytes
 * @skb: lynx_conn_unsent_tail()'s segment, @n bytes longer than it was
 * @n:   the bytes appended
 */
void lynx_conn_queue_grow(struct sock *sk, struct sk_buff *skb, u32 n)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	sock_owned_by_me(sk);
	lynx_seg_cb(skb)->end_seq += n;
	c->write_seq += n;
	WRITE_ONCE(c->wq_bytes, c->wq_bytes + n);
}

/**
 * lynx_conn_charge_wskb - charge write-queue memory to the socket
 * @sk:   the socket, locked
 * @size: truesize bytes joining the write queue (a segment, bytes that
 *        joined one, a segment's growth); the caller scheduled them
 *        (sk_wmem_schedule()) where the socket may refuse them
 *
 * sk_wmem_queued and the forward allocation, together:
 * lynx_conn_free_wskb() returns both.
 */
void lynx_conn_charge_wskb(struct sock *sk, int size)
{
	sk_wmem_queued_add(sk, size);
	sk_mem_charge(sk, size);
}

void lynx_conn_free_wskb(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (c->rtx_hint == skb)
		c->rtx_hint = NULL;
	if (c->sack_hint == skb)
		c->sack_hint = NULL;
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

void lynx_conn_purge_write(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		lynx_conn_free_wskb(sk, skb);
	c->send_head = NULL;
	c->sacked_out = 0;
	c->retrans_out = 0;
	WRITE_ONCE(c->wq_bytes, 0);
}

/**
 * lynx_conn_send_fin - queue our FIN after the data, process context
 * @sk: a locked socket in ESTABLISHED, CLOSE_WAIT or SYN_RECV
 */
void lynx_conn_send_fin(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sk_buff *skb;

	sock_owned_by_me(sk);
	if (c->fin_queued)
		return;
	skb = alloc_skb_fclone(LYNX_HEADROOM, sk->sk_allocation | __GFP_NOFAIL);
	skb_reserve(skb, LYNX_HEADROOM);
	lynx_conn_charge_wskb(sk, skb->truesize);
	lynx_seg_cb(skb)->flags = LYNX_F_FIN;
	lynx_conn_queue_tail(sk, skb);
	c->fin_queued = true;
	if (sk->sk_state == TCP_CLOSE_WAIT)
		lynx_set_state(sk, TCP_LAST_ACK);
	else
		lynx_set_state(sk, TCP_FIN_WAIT1);
	lynx_conn_push(sk);
}

/* sk_write_space: an acknowledgment freed send buffer.  Only when someone
 * waits for room: a writer sets SOCK_NOSPACE before it sleeps, poll when
 * it finds no room (as tcp_check_space() asks).  Otherwise readers asleep
 * on the same queue would be woken by every ACK for nothing.  Writers
 * waiting for room for a whole SEQPACKET message test their own
 * condition, so they are woken on any freed space; poll and SIGIO only
 * once the socket is writeable by the stream rule (a third of the buffer
 * free).
 */
void lynx_conn_write_space(struct sock *sk)
{
	struct socket *sock;
	struct socket_wq *wq;

	/* Under RCU: sock_wfree() calls this with no lock, and the socket
	 * may be released meanwhile (its inode is freed after a grace
	 * period).
	 */
	rcu_read_lock();
	sock = READ_ONCE(sk->sk_socket);
	if (!sock)
		goto out;
	/* The space freed before the flag is read; pairs with poll's
	 * barrier between setting it and looking at the space again.
	 */
	smp_mb();
	if (!test_bit(SOCK_NOSPACE, &sock->flags))
		goto out;
	wq = rcu_dereference(sk->sk_wq);
	if (sk_stream_is_writeable(sk)) {
		clear_bit(SOCK_NOSPACE, &sock->flags);
		if (skwq_has_sleeper(wq))
			wake_up_interruptible_poll(&wq->wait, EPOLLOUT |
						   EPOLLWRNORM | EPOLLWRBAND);
		if (wq && wq->fasync_list &&
		    !(sk->sk_shutdown & SEND_SHUTDOWN))
			sock_wake_async(wq, SOCK_WAKE_SPACE, POLL_OUT);
	} else if (skwq_has_sleeper(wq)) {
		wake_up_interruptible(&wq->wait);
	}
out:
	rcu_read_unlock();
}
