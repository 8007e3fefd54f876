/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: connection state of SOCK_STREAM and SOCK_SEQPACKET sockets, and
 * the pure helpers of the reliable transport (sequence arithmetic, the
 * retransmission timeout, window math), kept here so that KUnit tests
 * them without a socket.
 */
#ifndef _NET_LYNX_CONN_H
#define _NET_LYNX_CONN_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/list_nulls.h>
#include <linux/skbuff.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/math.h>
#include <linux/math64.h>
#include <linux/lynx.h>

/*
 * Delayed acknowledgments (conn_input.c, lynx_ack_now()): an ACK for data
 * that may wait goes out at the latest this long after the data; a new
 * connection, or one that saw a hole, acknowledges its next
 * LYNX_QUICKACKS data segments at once (slow start, recovery).
 */
#define LYNX_DELACK		max(HZ / 250, 1)	/* 4 ms */
#define LYNX_QUICKACKS		16
/*
 * Retransmission timeout bounds and the retry budget (see conn.c).  The
 * least timeout leaves a held-back ACK three ticks besides LYNX_DELACK
 * (the segment may cross a tick in flight, the timer may find its socket
 * owned once, the ACK's own delivery), so that no sender times out on
 * it, at any HZ.
 */
#define LYNX_RTO_MIN		max(HZ / 50, LYNX_DELACK + 3)	/* 20 ms */
#define LYNX_RTO_MAX		(2 * HZ)
#define LYNX_RTO_INIT		(HZ / 5)	/* before any RTT sample */
#define LYNX_SYN_RETRIES	6
#define LYNX_DATA_RETRIES	10
/* An orphan's retransmissions or window probes without progress. */
#define LYNX_ORPHAN_RETRIES	8
/* At most one challenge or out-of-window ACK per socket this often. */
#define LYNX_OOW_ACK_INTERVAL	(HZ / 2)
/* An orphan waiting for the peer's FIN gives up after this long. */
#define LYNX_FIN_TIMEOUT	(5 * HZ)
/* Three duplicate acknowledgments trigger a fast retransmit, or as many
 * as the path was seen to reorder (lynx_conn.reordering), up to the max.
 */
#define LYNX_DUPACK_THRESH	3
#define LYNX_REORDERING_MAX	127
/*
 * A timer that finds its socket owned by the user comes back this soon
 * (the owner's release_sock() may have done the work by then).
 */
#define LYNX_RTX_OWNED_RETRY	max(HZ / 100, 1)	/* 10 ms */
#define LYNX_KA_OWNED_RETRY	(HZ / 20)		/* 50 ms */

/**
 * struct lynx_cubic - CUBIC's state of one connection (conn_cubic.c)
 * @cnt:           acknowledged segments per segment of window growth
 * @last_max_cwnd: the window at the last loss, W_max (0: none yet)
 * @last_cwnd:     the window when @cnt was last computed
 * @last_time:     and when (jiffies)
 * @origin:        the window where the curve plateaus
 * @k:             when it gets there, after @epoch_start (2^-10 s)
 * @delay_min:     the least round trip seen, us (0: none yet)
 * @epoch_start:   when the curve began, jiffies (0: it begins at the next
 *                 growth)
 * @ack_cnt:       segments acknowledged toward @tcp_cwnd's next step
 * @tcp_cwnd:      the window Reno would have now (TCP-friendliness)
 * @end_seq:       HyStart: the current round trip ends when snd_una passes
 *                 this
 * @curr_rtt:      the least sample of the round so far, us
 * @sample_cnt:    samples of the round counted
 * @in_round:      a round is under way (@end_seq is set)
 * @found:         slow start has been ended by HyStart
 */
struct lynx_cubic {
	u32	cnt;
	u32	last_max_cwnd;
	u32	last_cwnd;
	u32	last_time;
	u32	origin;
	u32	k;
	u32	delay_min;
	u32	epoch_start;
	u32	ack_cnt;
	u32	tcp_cwnd;
	u32	end_seq;
	u32	curr_rtt;
	u8	sample_cnt;
	bool	in_round;
	bool	found;
};

/**
 * struct lynx_rtt - a sender's round-trip estimator, as TCP's
 * @srtt_us:     smoothed round trip, us << 3 (0: no sample yet)
 * @mdev_us:     its mean deviation, us << 2
 * @mdev_max_us: the largest @mdev_us of the current round trip, at least
 *               the RTO floor (LYNX_RTO_MIN)
 * @rttvar_us:   the deviation the timeout adds to @srtt_us, us << 2: up to
 *               @mdev_max_us at once, down toward it by a quarter a round
 * @seq:         the current round trip ends when snd_una passes this
 */
struct lynx_rtt {
	u32	srtt_us;
	u32	mdev_us;
	u32	mdev_max_us;
	u32	rttvar_us;
	u32	seq;
};

/**
 * struct lynx_sack_range - a block of sequence numbers received out of
 * order, [@start, @end), in host order (struct lynx_sack_block on the wire)
 * @start: the first
 * @end:   the one after the last
 */
struct lynx_sack_range {
	u32	start;
	u32	end;
};

/**
 * struct lynx_conn - the transport state of a connection-oriented socket
 * @hash_node:   in lynx_net.conn_hash while it has a peer (SYN_SENT on)
 * @parent:      the listener of a child not yet accepted (holds a ref)
 * @accept_node: in the listener's @accept_q while not yet accepted
 * @accept_q:    listener: children, handshaking or established, in order
 * @accept_lock: listener: protects @accept_q and @accept_len
 * @accept_len:  listener: children on @accept_q
 * @iss:         our initial sequence number
 * @snd_una:     oldest unacknowledged sequence number
 * @snd_nxt:     next sequence number to send
 * @write_seq:   sequence number after the last byte queued by sendmsg
 * @snd_wnd_end: right edge of the peer's window (ack + window)
 * @peer_max_wnd: the largest window the peer advertised (segment sizing)
 * @rcv_nxt:     next sequence number expected from the peer
 * @rcv_adv:     right edge of the window we advertised last
 * @rcv_seg_memory: truesize of the peer's last data segment (the window
 *               closes when no such segment fits: lynx_rcv_window())
 * @recover:     snd_nxt when loss recovery began (partial-ACK rule; the
 *               ISS before any)
 * @rtx_nxt:     after a timeout (@in_loss): the next sequence number to
 *               send again; what lies between snd_una and it went again
 *               since (go-back-N, lynx_conn_resend_lost())
 * @rtx_hint:    a write-queue segment at or before @rtx_nxt where that
 *               walk resumes (NULL: the head); lynx_conn_free_wskb()
 *               clears it when it frees that segment
 * @in_recovery: retransmitting lost segments: fast recovery's one hole
 *               per partial ACK, or with @in_loss everything sent before
 *               the timeout, as the window allows
 * @in_loss:     the recovery began with a timeout: slow start, no
 *               window inflation (TCP's CA_Loss)
 * @partial_acked: a partial ACK of this fast recovery restarted the
 *               timer already: later ones leave it running (RFC 6582's
 *               Impatient variant), so that a burst of losses ends in a
 *               timeout's go-back-N within an RTO, not a round trip a hole
 * @dupacks:     duplicate acknowledgments counted
 * @reordering:  segments the path was seen to reorder by (at least
 *               LYNX_DUPACK_THRESH): duplicate ACKs that start a fast
 *               recovery, and how far below the highest SACKed segment a
 *               hole must lie to be lost (TCP's tp->reordering)
 * @sack_ok:     both ends said LYNX_F_SACK on their SYN: the peer sends
 *               SACK blocks and takes ours
 * @num_sack:    receiver: blocks in @sack (0: nothing out of order)
 * @sack:        receiver: what the out-of-order queue holds, the block of
 *               the latest arrival first (lynx_sack_add()), as TCP's
 *               selective_acks[]
 * @sacked_out:  sender: sequence space of the write queue's segments the
 *               peer reported in SACK blocks (lynx_seg_cb.sacked)
 * @retrans_out: sender: sequence space sent again in this SACK recovery
 *               and not yet acknowledged nor SACKed
 * @highest_sack: sender: the end of the highest SACKed segment (valid
 *               while @sacked_out is not 0)
 * @sack_hint:   sender: the last segment marked SACKed, where the walk of
 *               a block that holds it begins (NULL: the head);
 *               lynx_conn_free_wskb() clears it
 * @num_sack_seen: sender: blocks in @sack_seen
 * @sack_seen:   sender: the last ACK's blocks, whose segments are marked
 *               (lynx_conn_sack_mark() does not walk them again)
 * @snd_cwnd:    congestion window, in segments of the path's MSS
 * @snd_ssthresh: slow start threshold, segments
 * @snd_cwnd_cnt: congestion avoidance: segments acknowledged toward the
 *               next increment
 * @cc_acked_bytes: bytes acknowledged not yet counted as a whole segment
 * @cc_algo:     the window's growth and reduction: LYNX_CC_RENO or
 *               LYNX_CC_CUBIC (the namespace's congestion_control sysctl
 *               when the connection began)
 * @cubic:       CUBIC's state (LYNX_CC_CUBIC)
 * @lsndtime:    jiffies when new data was last sent (idle restart)
 * @total_retrans: segments this connection sent again (/proc/net/lynx)
 * @retries:     retransmission timeouts since acknowledged progress
 * @probes:      window probes since the peer last answered (an orphan's:
 *               since the last progress)
 * @orphaned:    closed by its owner, counted in lynx_net.orphans
 * @orphan_deadline: jiffies by which an orphan is reset, done or not
 * @oow_ack_until: no challenge or out-of-window ACK before (jiffies)
 * @ka_timer:    SO_KEEPALIVE (holds a socket reference while pending)
 * @delack_timer: sends the ACK @ack_pending holds back (a reference while
 *               pending)
 * @rcv_wup:     rcv_nxt of the last ACK sent
 * @rcv_mss:     the largest payload received in order
 * @quickacks:   data segments still acknowledged at once (LYNX_QUICKACKS)
 * @ack_pending: in-order data not acknowledged yet: an ACK is due by
 *               @delack_timer, unless a segment carries it first
 * @rcv_tstamp:  jiffies of the last acceptable segment from the peer
 * @ka_probes:   keepalive probes unanswered
 * @rto:         retransmission timeout, jiffies
 * @rtt:         the round-trip estimator (lynx_rtt_update())
 * @syn_sent_us: when the SYN went (ktime, us): the handshake's round trip
 *               is a sample unless the SYN went again; data's come from
 *               each segment's lynx_seg_cb.sent_us (lynx_conn_ack())
 * @send_head:   first skb of the write queue not sent yet (NULL: none)
 * @ooo_q:       received out-of-order segments, sorted by sequence
 * @rcvq_bytes:  payload bytes in sk_receive_queue not read yet
 * @rcvq_msgs:   SEQPACKET: whole messages in sk_receive_queue (their last
 *               segment, LYNX_F_EOR, is there); poll reads it locklessly
 * @wq_bytes:    payload bytes queued and not yet acknowledged (SIOCOUTQ)
 * @fin_queued:  our FIN is in the write queue
 * @nodelay:     LYNX_NODELAY: Nagle's rule is off (lynx_nagle_holds());
 *               getsockopt() reads it locklessly
 * @snd_sml:     the end of the last short segment sent (Nagle's rule
 *               holds the next while it is unacknowledged)
 * @rcv_rtt_us:  the receiver's round trip, us: the shortest time seen to
 *               receive a window's worth (0: none yet), as TCP's
 *               tcp_rcv_rtt_measure() without timestamps
 * @rcv_rtt_seq: that measure ends when rcv_nxt passes this
 * @rcv_rtt_time: and began then (us; 0: not begun)
 * @rcvq_space:  bytes the reader took in the last round trip measured
 *               (receive-buffer tuning, lynx_conn_rcvbuf_adjust())
 * @rcvq_space_seq: where that round trip's reading began
 * @rcvq_space_time: and when (us; 0: not begun)
 *
 * Everything is under the socket lock (process context owning the lock,
 * or softirq holding the spinlock while no process owns it), except the
 * listener's accept queue, under @accept_lock.  /proc/net/lynx reads
 * @snd_cwnd, @snd_ssthresh, @rtt.srtt_us, @total_retrans and @cc_algo
 * without it (written with WRITE_ONCE()).
 */
struct lynx_conn {
	struct hlist_nulls_node	hash_node;
	struct sock		*parent;
	struct list_head	accept_node;
	struct list_head	accept_q;
	spinlock_t		accept_lock;	/* @accept_q, @accept_len */
	unsigned int		accept_len;

	u32			iss;
	u32			snd_una;
	u32			snd_nxt;
	u32			write_seq;
	u32			snd_wnd_end;
	u32			peer_max_wnd;
	u32			rcv_nxt;
	u32			rcv_adv;
	u32			rcv_seg_memory;
	u32			recover;
	u32			rtx_nxt;
	struct sk_buff		*rtx_hint;
	bool			in_recovery;
	bool			in_loss;
	bool			partial_acked;
	u8			dupacks;
	u8			reordering;
	bool			sack_ok;
	u8			num_sack;
	struct lynx_sack_range	sack[LYNX_SACK_MAX];
	u32			sacked_out;
	u32			retrans_out;
	u32			highest_sack;
	struct sk_buff		*sack_hint;
	u8			num_sack_seen;
	struct lynx_sack_range	sack_seen[LYNX_SACK_MAX];
	u32			snd_cwnd;
	u32			snd_ssthresh;
	u32			snd_cwnd_cnt;
	u32			cc_acked_bytes;
	u8			cc_algo;
	struct lynx_cubic	cubic;
	unsigned long		lsndtime;
	u32			total_retrans;
	u8			retries;
	u8			probes;
	bool			orphaned;
	bool			fin_queued;
	bool			nodelay;	/* LYNX_NODELAY */
	u32			snd_sml;
	u32			rcv_rtt_us;
	u32			rcv_rtt_seq;
	u64			rcv_rtt_time;
	u32			rcvq_space;
	u32			rcvq_space_seq;
	u64			rcvq_space_time;
	unsigned long		orphan_deadline;
	unsigned long		oow_ack_until;
	struct timer_list	ka_timer;
	struct timer_list	delack_timer;
	u32			rcv_wup;
	u32			rcv_mss;
	u8			quickacks;
	bool			ack_pending;
	unsigned long		rcv_tstamp;
	u8			ka_probes;
	unsigned long		rto;
	struct lynx_rtt		rtt;
	u64			syn_sent_us;
	struct sk_buff		*send_head;
	struct sk_buff_head	ooo_q;
	u32			rcvq_bytes;
	u32			rcvq_msgs;
	u32			wq_bytes;
};

/*
 * Per-skb state of a segment, in skb->cb: in the write queue (what was
 * sent) and on receive (the decoded header, kept for the backlog).
 */
struct lynx_seg_cb {
	u32	seq;		/* first sequence number */
	u32	end_seq;	/* seq + payload length + SYN + FIN */
	u32	ack;
	u32	window;
	u32	src_node;
	u32	src_port;
	u32	off;		/* bytes of the payload already read */
	u32	resent_nxt;	/* snd_nxt when sent again in a SACK recovery */
	u8	flags;		/* LYNX_F_* */
	u8	retrans;	/* sent more than once */
	u8	sacked;		/* write queue: LYNX_SEG_SACKED, _RETRANS */
	u8	nsack;		/* received: SACK blocks before skb->data */
	u64	sent_us;	/* last sent (ktime, us), in the write queue */
};

/* lynx_seg_cb.sacked: the peer has it (SACK block); sent again in this
 * SACK recovery, counted in lynx_conn.retrans_out.
 */
#define LYNX_SEG_SACKED		0x01
#define LYNX_SEG_RETRANS	0x02

static inline struct lynx_seg_cb *lynx_seg_cb(const struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct lynx_seg_cb) >
		     sizeof_field(struct sk_buff, cb));
	return (struct lynx_seg_cb *)skb->cb;
}

/* Sequence numbers compare modulo 2^32, as TCP's do (RFC 1982). */
static inline bool lynx_seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool lynx_seq_after(u32 a, u32 b)
{
	return lynx_seq_before(b, a);
}

/* lo <= x <= hi, modulo 2^32 */
static inline bool lynx_seq_between(u32 x, u32 lo, u32 hi)
{
	return hi - lo >= x - lo;
}

/**
 * lynx_rtt_update - fold a round-trip sample into the estimator
 * @r:         the estimator (all zero: no sample yet)
 * @sample_us: the new sample
 * @snd_una:   the sender's, after the ACK that gave the sample
 * @snd_nxt:   the sender's
 *
 * Jacobson/Karels (RFC 6298's SRTT and deviation, TCP's fixed point), as
 * tcp_rtt_estimator() keeps it for a sample from every ACK: the deviation
 * the timeout adds is the largest of the round trip, at least the RTO
 * floor, and shrinks only once a round trip (by a quarter of the way);
 * a sample below SRTT moves the deviation an eighth as fast.  Sampled
 * per ACK, RFC 6298's deviation fell to nothing within a window.
 *
 * Return: the new retransmission timeout in jiffies, SRTT plus that
 * deviation, clamped to [LYNX_RTO_MIN, LYNX_RTO_MAX].
 */
static inline unsigned long lynx_rtt_update(struct lynx_rtt *r, u32 sample_us,
					    u32 snd_una, u32 snd_nxt)
{
	u32 floor = jiffies_to_usecs(LYNX_RTO_MIN);
	long m = min_t(u32, sample_us, U32_MAX >> 3);
	u32 srtt = r->srtt_us;

	if (srtt) {
		m -= srtt >> 3;			/* the error */
		srtt += m;			/* srtt += err / 8 */
		if (m < 0) {
			m = -m - (long)(r->mdev_us >> 2);
			if (m > 0)
				m >>= 3;
		} else {
			m -= r->mdev_us >> 2;
		}
		r->mdev_us += m;		/* mdev += (|err| - mdev) / 4 */
		if (r->mdev_us > r->mdev_max_us) {
			r->mdev_max_us = r->mdev_us;
			r->rttvar_us = max(r->rttvar_us, r->mdev_max_us);
		}
		if (lynx_seq_after(snd_una, r->seq)) {
			if (r->mdev_max_us < r->rttvar_us)
				r->rttvar_us -= (r->rttvar_us -
						 r->mdev_max_us) >> 2;
			r->seq = snd_nxt;
			r->mdev_max_us = floor;
		}
	} else {
		srtt = m << 3;
		r->mdev_us = m << 1;		/* rto = 3 x the first sample */
		r->rttvar_us = max(r->mdev_us, floor);
		r->mdev_max_us = r->rttvar_us;
		r->seq = snd_nxt;
	}
	WRITE_ONCE(r->srtt_us, max(srtt, 1U));
	return clamp_t(unsigned long,
		       usecs_to_jiffies((r->srtt_us >> 3) + r->rttvar_us),
		       LYNX_RTO_MIN, LYNX_RTO_MAX);
}

/* The timeout after @shift consecutive expiries (exponential backoff). */
static inline unsigned long lynx_rto_backoff(unsigned long rto,
					     unsigned int shift)
{
	return min_t(unsigned long, rto << min(shift, 16U), LYNX_RTO_MAX);
}

/**
 * lynx_sack_add - a receiver's SACK blocks take a new out-of-order segment
 * @sack:  the blocks, @n of them, the latest arrival's first
 * @n:     how many; updated
 * @start: the segment's first sequence number
 * @end:   the one after its last
 *
 * As tcp_sack_new_ofo_skb(): the segment joins every block it overlaps or
 * touches, and the block that holds it moves to the front (RFC 2018: the
 * first block reports the latest segment, the others the most recently
 * reported ones); a new block pushes the oldest out when all
 * LYNX_SACK_MAX are taken.
 */
static inline void lynx_sack_add(struct lynx_sack_range *sack, u8 *n,
				 u32 start, u32 end)
{
	unsigned int i = 0, j;

	while (i < *n) {
		struct lynx_sack_range *b = &sack[i];

		if (lynx_seq_after(b->start, end) ||
		    lynx_seq_before(b->end, start)) {
			i++;
			continue;
		}
		if (lynx_seq_before(b->start, start))
			start = b->start;
		if (lynx_seq_after(b->end, end))
			end = b->end;
		for (j = i; j + 1 < *n; j++)
			sack[j] = sack[j + 1];
		(*n)--;
	}
	if (*n == LYNX_SACK_MAX)
		(*n)--;
	for (j = *n; j > 0; j--)
		sack[j] = sack[j - 1];
	sack[0].start = start;
	sack[0].end = end;
	(*n)++;
}

/**
 * lynx_sack_trim - drop what in-order data now covers from the blocks
 * @sack:    the blocks
 * @n:       how many; updated
 * @rcv_nxt: the next sequence number expected
 *
 * As tcp_sack_remove(): a block rcv_nxt reached is gone (the cumulative
 * ACK says it now); one it entered keeps its part beyond.
 */
static inline void lynx_sack_trim(struct lynx_sack_range *sack, u8 *n,
				  u32 rcv_nxt)
{
	unsigned int i = 0, j;

	while (i < *n) {
		if (lynx_seq_after(sack[i].end, rcv_nxt)) {
			if (lynx_seq_before(sack[i].start, rcv_nxt))
				sack[i].start = rcv_nxt;
			i++;
			continue;
		}
		for (j = i; j + 1 < *n; j++)
			sack[j] = sack[j + 1];
		(*n)--;
	}
}

/**
 * lynx_ack_now - must in-order data be acknowledged at once?
 * @unacked:   bytes received in order since the last ACK sent
 * @rcv_mss:   the largest payload the peer has sent in one segment
 * @adv_wnd:   the window the last ACK advertised
 * @quickacks: data segments still to be acknowledged at once
 *
 * As TCP's __tcp_ack_snd_check(): every second full-sized segment is
 * acknowledged at once, and so is data that used up half the window the
 * sender was given (it may be waiting for more); the rest waits for
 * LYNX_DELACK or for a segment of ours to carry the ACK (a reply, in a
 * ping-pong).  A hole, a duplicate or a FIN never reaches this: those are
 * acknowledged at once by the caller.
 *
 * Return: true to send the ACK now, false to delay it.
 */
static inline bool lynx_ack_now(u32 unacked, u32 rcv_mss, u32 adv_wnd,
				u8 quickacks)
{
	return quickacks || unacked >= 2 * rcv_mss || unacked >= adv_wnd / 2;
}

/**
 * lynx_nagle_holds - must a STREAM segment wait for earlier data's ACK?
 * @len:       the segment's payload bytes
 * @mss:       the payload a segment may carry on today's path
 * @short_in_flight: a short segment was sent and is not yet acknowledged
 * @push:      nothing can join the segment: it is not the write queue's
 *             last, or it carries a FIN
 * @nodelay:   LYNX_NODELAY is set
 *
 * Nagle's rule (RFC 896) with Minshall's variant, as TCP's
 * tcp_nagle_check(): a short segment waits while another short one is in
 * flight, so that the writes that follow it gather into one segment,
 * which leaves when the ACK comes; at most one short segment is ever in
 * flight, and full ones never hold a short one back.
 *
 * Return: true to hold the segment back.
 */
static inline bool lynx_nagle_holds(u32 len, u32 mss, bool short_in_flight,
				    bool push, bool nodelay)
{
	return !nodelay && !push && short_in_flight && len < mss;
}

/**
 * lynx_rcv_window - the window to advertise
 * @rcvbuf:      SO_RCVBUF (sk_rcvbuf), bytes of skb truesize
 * @rmem:        receive memory in use (sk_rmem_alloc)
 * @seg_memory:  the truesize of the peer's last data segment (0: none yet)
 *
 * Half the free space: payload bytes arrive in skbs whose truesize is up
 * to about twice their length, and the receiver drops whatever does not
 * fit, so promising more would only cause retransmissions.  Zero when the
 * free space cannot hold another segment like the last one (small writes,
 * or segments re-cut after an MTU drop, cost far more memory than bytes):
 * a sender then probes a closed window, as long as the reader takes,
 * instead of counting each drop as a loss until it gives up.  An empty
 * buffer always takes the next segment, so its window is never zero.
 */
static inline u32 lynx_rcv_window(int rcvbuf, int rmem, u32 seg_memory)
{
	if (rmem >= rcvbuf)
		return 0;
	if (rmem > 0 && (u32)(rcvbuf - rmem) < seg_memory)
		return 0;
	return (u32)(rcvbuf - rmem) / 2;
}

/**
 * lynx_seg_size - payload bytes per segment
 * @mtu:          path MTU (lynx header included)
 * @hlen:         lynx header length
 * @peer_max_wnd: the largest window the peer advertised (0: none yet)
 *
 * A segment never exceeds half the peer's largest window, so that a small
 * receive buffer still makes progress.  Return: at least 1, at most
 * U16_MAX (what the header's length field holds).
 */
static inline u32 lynx_seg_size(int mtu, int hlen, u32 peer_max_wnd)
{
	u32 mss = mtu > hlen ? mtu - hlen : 1;

	/* lynxhdr.len is 16 bits wide. */
	mss = min_t(u32, mss, U16_MAX);
	if (peer_max_wnd)
		mss = min(mss, max(peer_max_wnd / 2, 256U));
	return mss;
}

/* Usable window: bytes that may be sent beyond snd_nxt (0 when closed). */
static inline u32 lynx_snd_usable(u32 snd_nxt, u32 snd_wnd_end)
{
	return lynx_seq_after(snd_wnd_end, snd_nxt) ? snd_wnd_end - snd_nxt : 0;
}

/*
 * Congestion control: NewReno (RFC 5681, RFC 6582), as TCP's reno with
 * tcp_input.c's recovery, in module/conn_cc.c, with Reno's or CUBIC's
 * (module/conn_cubic.c) growth and reduction of the window.  The window counts
 * segments of the path's MSS (lynx_conn_mss()), as TCP's snd_cwnd does;
 * what is in flight is snd_nxt - snd_una in bytes, so lynx_cc_may_send()
 * compares bytes with snd_cwnd * MSS.  These functions touch only the
 * congestion state of @c (and read snd_una, snd_nxt): the callers in
 * conn_input.c, conn_output.c and conn_timer.c send what they say.
 */
#define LYNX_INIT_CWND		10		/* RFC 6928, as TCP_INIT_CWND */
#define LYNX_LOSS_CWND		1		/* RFC 5681 3.1: after a timeout */
#define LYNX_MIN_SSTHRESH	2		/* RFC 5681 (4) */
#define LYNX_INFINITE_SSTHRESH	0x7fffffffU	/* TCP_INFINITE_SSTHRESH */
#define LYNX_CWND_MAX		65535U		/* cwnd * MSS fits in 32 bits */
/* RFC 3465 (ABC): slow start grows by at most L = 2 segments an ACK. */
#define LYNX_ABC_MAX		2
/* RFC 3042 (limited transmit): new segments on the first dupacks. */
#define LYNX_LIMITED_XMIT	2

/* Segments of @mss that @bytes in flight take (rounded up). */
static inline u32 lynx_cc_flight(u32 snd_una, u32 snd_nxt, u32 mss)
{
	return DIV_ROUND_UP(snd_nxt - snd_una, max(mss, 1U));
}

/* The congestion control algorithms (net.lynx.congestion_control). */
enum {
	LYNX_CC_RENO,
	LYNX_CC_CUBIC,
	LYNX_CC_MAX = LYNX_CC_CUBIC
};

#define LYNX_CC_NAME_MAX	16	/* TCP_CA_NAME_MAX */

void lynx_cc_init(struct lynx_conn *c, u8 algo);
const char *lynx_cc_name(u8 algo);
int lynx_cc_lookup(const char *name);
u32 lynx_cc_ssthresh(u32 flight);
u32 lynx_cc_window(const struct lynx_conn *c);
u32 lynx_cc_pipe(const struct lynx_conn *c);
bool lynx_cc_may_send(const struct lynx_conn *c, u32 len, u32 mss);
u32 lynx_cc_acked(struct lynx_conn *c, u32 bytes, u32 mss);
u32 lynx_cc_slow_start(struct lynx_conn *c, u32 acked);
void lynx_cc_cong_avoid_ai(struct lynx_conn *c, u32 w, u32 acked);
bool lynx_cc_on_ack(struct lynx_conn *c, u32 ack, u32 acked,
		    u32 prior_flight);
bool lynx_cc_on_dupack(struct lynx_conn *c, u32 flight);
void lynx_cc_on_rto(struct lynx_conn *c, u32 flight, bool first);
void lynx_cc_idle_restart(struct lynx_conn *c, unsigned long idle,
			  unsigned long rto);
void lynx_cc_rtt_sample(struct lynx_conn *c, u32 rtt_us);
void lynx_cc_tx_start(struct lynx_conn *c, u32 idle);

/* conn_cubic.c */
void lynx_cubic_reset(struct lynx_cubic *ca);
u32 lynx_cubic_root(u64 a);
u32 lynx_cubic_ssthresh(struct lynx_cubic *ca, u32 cwnd);
void lynx_cubic_rtt_sample(struct lynx_cubic *ca, u32 rtt_us, u32 now);
void lynx_cubic_idle(struct lynx_cubic *ca, u32 idle, u32 now);
u32 lynx_cubic_cnt(struct lynx_cubic *ca, u32 cwnd, u32 acked, u32 now);
bool lynx_cubic_hystart(struct lynx_cubic *ca, u32 rtt_us, u32 cwnd,
			u32 snd_una, u32 snd_nxt);

/**
 * lynx_sndbuf_goal - the send buffer a congestion window needs
 * @cwnd:    the congestion window, segments
 * @seg_mem: the memory a full queued segment costs, payload and head
 *
 * As TCP's tcp_sndbuf_expand(): room for twice the window (one in flight,
 * one more while fast recovery repairs it), never less than twice the
 * initial window.
 *
 * Return: bytes of SO_SNDBUF.
 */
static inline u64 lynx_sndbuf_goal(u32 cwnd, u32 seg_mem)
{
	return 2ULL * max_t(u32, cwnd, LYNX_INIT_CWND) * seg_mem;
}

/**
 * lynx_rcvbuf_goal - the receive buffer a reader's pace needs
 * @copied: bytes the reader took in the last round trip measured
 * @prev:   bytes it took in the one before (0: none)
 * @mss:    the peer's largest segment payload
 *
 * As TCP's tcp_rcv_space_adjust(): a window of twice what the reader took
 * in a round trip (a loss costs one) and 16 segments of cushion, grown
 * in proportion while the pace rises (a sender in slow start doubles it
 * every round trip, and the window advertised now is for the next one;
 * at most as if it doubled);
 * the buffer holds twice the window, lynx_rcv_window() advertising half
 * the free space.
 *
 * Return: bytes of SO_RCVBUF.
 */
static inline u64 lynx_rcvbuf_goal(u32 copied, u32 prev, u32 mss)
{
	u64 win = 2ULL * copied + 16ULL * mss;

	/* (at most as if the pace doubled: no overflow, whatever the figures) */
	if (prev && copied > prev)
		win += 2 * min(mul_u64_u32_div(win, copied - prev, prev), win);
	return 2 * win;
}

#endif /* _NET_LYNX_CONN_H */
