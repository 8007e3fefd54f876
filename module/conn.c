// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the transport of SOCK_STREAM and SOCK_SEQPACKET connections.
 *
 * A connection is TCP's design cut down to a virtual link: a three-way
 * handshake (SYN, SYN|ACK, ACK), byte sequence numbers (SYN and FIN take
 * one each), cumulative acknowledgments carrying the receiver's window,
 * one retransmission timer per socket with an RFC 6298 timeout, fast
 * retransmit after three duplicate acknowledgments and NewReno's rule of
 * resending the next hole on a partial acknowledgment.  There is no
 * congestion control (the link is a software segment), no TIME_WAIT (the
 * initial sequence numbers are random) and every segment is acknowledged
 * at once.  SEQPACKET is the same byte stream with LYNX_F_EOR on the last
 * segment of each message; segments are never re-cut, so a message's
 * boundaries survive retransmission.
 *
 * Where things happen:
 *   lynx_conn_rcv()       a segment enters (softirq): demux, then the
 *                         socket's state machine or its backlog
 *   lynx_conn_process()   the state machine, socket lock held
 *   lynx_conn_push()      segments leave, within the peer's window
 *   lynx_conn_timer()     retransmission, handshake retries, orphan end
 *
 * Memory: the write queue is charged to sk_wmem_queued and forward
 * allocation (sk_wmem_schedule), transmitted clones to sk_wmem_alloc,
 * received segments (in order or not) to sk_rmem_alloc through
 * skb_set_owner_r(); a segment that does not fit in SO_RCVBUF is dropped
 * and counted, and the sender retransmits it.
 *
 * Locking: connection state is under the socket lock (see struct
 * lynx_conn).  lynx_net.conn_lock protects the connection hash, whose
 * readers use RCU; a listener's accept_lock protects its accept queue and
 * is taken inside a child's socket lock, never the other way round.  The
 * whole order, and who holds which reference, is at the top of
 * <net/lynx.h>.
 */
#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/ktime.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <kunit/visibility.h>

atomic_long_t lynx_conn_memory_allocated;
DEFINE_PER_CPU(int, lynx_conn_fw_alloc);
long lynx_conn_sysctl_mem[3];
int lynx_conn_sysctl_wmem[3] = { 4096, 16384, 4 << 20 };
int lynx_conn_sysctl_rmem[3] = { 4096, 131072, 6 << 20 };

/* The memory limits of both connection protos, sized as TCP's are. */
void lynx_conn_proto_init(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;

	limit = max(limit, 128UL);
	lynx_conn_sysctl_mem[0] = limit / 4 * 3;
	lynx_conn_sysctl_mem[1] = limit;
	lynx_conn_sysctl_mem[2] = lynx_conn_sysctl_mem[0] * 2;
}

static void lynx_conn_timeout(struct sock *sk);
static void lynx_conn_timer(struct timer_list *t);
static void lynx_conn_keepalive_arm(struct sock *sk, unsigned long when);

/* ---- the connection hash ------------------------------------------------ */

static unsigned int lynx_conn_slot(u8 type, u32 port, u32 pnode, u32 pport)
{
	return jhash_3words(port, pnode, pport, type) &
	       ((1 << LYNX_CONN_HASH_BITS) - 1);
}

static bool lynx_conn_match(const struct lynx_sock *lsk, u8 type, u32 port,
			    u32 pnode, u32 pport)
{
	return lsk->type == type && READ_ONCE(lsk->port) == port &&
	       READ_ONCE(lsk->peer_node) == pnode &&
	       READ_ONCE(lsk->peer_port) == pport;
}

/* Hash @sk by its peer; the hash holds a reference.  -EADDRINUSE if taken. */
static int lynx_conn_hash(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk), *o;
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct hlist_nulls_head *head;
	struct hlist_nulls_node *node;
	int err = 0;

	head = &ln->conn_hash[lynx_conn_slot(lsk->type, lsk->port,
					     lsk->peer_node, lsk->peer_port)];
	spin_lock_bh(&ln->conn_lock);
	hlist_nulls_for_each_entry(o, node, head, conn.hash_node) {
		if (lynx_conn_match(o, lsk->type, lsk->port, lsk->peer_node,
				    lsk->peer_port)) {
			err = -EADDRINUSE;
			goto out;
		}
	}
	sock_hold(sk);
	hlist_nulls_add_head_rcu(&lsk->conn.hash_node, head);
out:
	spin_unlock_bh(&ln->conn_lock);
	return err;
}

static void lynx_conn_unhash(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	bool hashed;

	spin_lock_bh(&ln->conn_lock);
	hashed = !hlist_nulls_unhashed(&lsk->conn.hash_node);
	if (hashed)
		hlist_nulls_del_init_rcu(&lsk->conn.hash_node);
	spin_unlock_bh(&ln->conn_lock);
	if (hashed)
		sock_put(sk);
}

/*
 * A reconnecting socket moves to another chain while readers may walk
 * it: a reader that followed it lands in the wrong chain (its nulls end
 * says so) and starts over, and a socket that changed between the match
 * and the reference is dropped and looked for again, as TCP's
 * __inet_lookup_established() does.
 */
static struct sock *lynx_conn_lookup(struct lynx_net *ln, u8 type, u32 port,
				     u32 pnode, u32 pport)
{
	unsigned int slot = lynx_conn_slot(type, port, pnode, pport);
	struct hlist_nulls_node *node;
	struct lynx_sock *lsk;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(lsk, node, &ln->conn_hash[slot],
				       conn.hash_node) {
		if (!lynx_conn_match(lsk, type, port, pnode, pport) ||
		    !refcount_inc_not_zero(&lsk->sk.sk_refcnt))
			continue;
		if (unlikely(!lynx_conn_match(lsk, type, port, pnode, pport))) {
			sock_put(&lsk->sk);
			goto begin;
		}
		rcu_read_unlock();
		return &lsk->sk;
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	rcu_read_unlock();
	return NULL;
}

/* ---- sending ------------------------------------------------------------- */

static u32 lynx_conn_window(struct sock *sk)
{
	return lynx_rcv_window(READ_ONCE(sk->sk_rcvbuf),
			       atomic_read(&sk->sk_rmem_alloc));
}

static void lynx_conn_fill(struct sock *sk, struct lynx_hdr_info *info,
			   u32 seq, u8 flags)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_conn *c = &lsk->conn;
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

/* @info was built into a frame: the peer may now send up to its window. */
static void lynx_conn_advertised(struct sock *sk,
				 const struct lynx_hdr_info *info)
{
	if (info->flags & LYNX_F_ACK)
		lynx_sk(sk)->conn.rcv_adv = info->ack + info->window;
}

/* Send a segment without payload: SYN, SYN|ACK, ACK or RST. */
static int lynx_conn_xmit_ctl(struct sock *sk, u8 flags, u32 seq)
{
	struct lynx_hdr_info info;
	int err;

	lynx_conn_fill(sk, &info, seq, flags);
	err = lynx_output_ctl(lynx_net(sock_net(sk)), &info, sk, 0);
	if (err != -ENOBUFS)
		lynx_conn_advertised(sk, &info);
	return err;
}

void lynx_conn_send_ack(struct sock *sk)
{
	lynx_conn_xmit_ctl(sk, LYNX_F_ACK, lynx_sk(sk)->conn.snd_nxt);
}

/*
 * Answers to segments outside the connection (a SYN on an established
 * connection, a reset at the wrong place, a SYN sent again): at most one
 * per LYNX_OOW_ACK_INTERVAL per socket, as TCP's tcp_invalid_ratelimit,
 * so that two confused ends, or a forger, cannot make a socket ACK at
 * link speed.  False when the answer was suppressed.
 */
static bool lynx_conn_oow_allow(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	if (time_before(jiffies, c->oow_ack_until)) {
		LYNX_INC_STATS(lynx_net(sock_net(sk)),
			       LYNX_MIB_REPLY_RATELIMITED);
		return false;
	}
	c->oow_ack_until = jiffies + LYNX_OOW_ACK_INTERVAL;
	return true;
}

static void lynx_conn_send_challenge_ack(struct sock *sk)
{
	if (lynx_conn_oow_allow(sk))
		lynx_conn_send_ack(sk);
}

/* Answer a segment no connection wants with a reset, as TCP does. */
static void lynx_conn_reply_rst(struct lynx_net *ln,
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
		lynx_output_ctl(ln, &info, NULL, 0);
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
 *
 * Return: 0, or -ENOBUFS (the segment stays whole; the timer tries again).
 */
static int lynx_conn_fragment(struct sock *sk, struct sk_buff *skb, u32 mss)
{
	struct lynx_seg_cb *cb = lynx_seg_cb(skb), *ncb;
	u32 tail = skb->len - mss;
	struct sk_buff *nskb;

	sock_owned_by_me(sk);
	nskb = lynx_alloc_skb(LYNX_HEADROOM + tail, GFP_ATOMIC, true);
	if (!nskb)
		return -ENOBUFS;
	skb_reserve(nskb, LYNX_HEADROOM);
	if (!sk_wmem_schedule(sk, nskb->truesize) ||
	    skb_copy_bits(skb, mss, skb_put(nskb, tail), tail) ||
	    pskb_trim(skb, mss)) {
		kfree_skb(nskb);
		return -ENOBUFS;
	}
	sk_wmem_queued_add(sk, nskb->truesize);
	sk_mem_charge(sk, nskb->truesize);
	ncb = lynx_seg_cb(nskb);
	*ncb = *cb;
	ncb->seq = cb->seq + mss;
	cb->end_seq = ncb->seq;
	cb->flags &= ~LYNX_F_EOR;
	__skb_queue_after(&sk->sk_write_queue, skb, nskb);
	return 0;
}

/* The payload a segment to the peer may carry on today's path. */
static u32 lynx_conn_mss(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	int mtu = lynx_path_mtu(lynx_net(sock_net(sk)), lsk->peer_node);

	return lynx_seg_size(mtu ? mtu : ETH_DATA_LEN, LYNX_HLEN, 0);
}

/*
 * Transmit a write-queue segment.  The queued skb stays for retransmission;
 * a clone goes out with the header written into the shared headroom,
 * unless an earlier clone may still be in flight, which gets a private
 * copy instead (as TCP does).
 */
static int lynx_conn_xmit_skb(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	struct lynx_hdr_info info;
	struct sk_buff *out;
	u32 mss = lynx_conn_mss(sk);

	if (skb->len > mss && lynx_conn_fragment(sk, skb, mss))
		return -ENOBUFS;
	out = skb_cloned(skb) ? pskb_copy(skb, GFP_ATOMIC) :
				lynx_clone_skb(skb, GFP_ATOMIC);
	if (!out) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NOMEM);
		return -ENOBUFS;
	}
	lynx_conn_fill(sk, &info, cb->seq, cb->flags | LYNX_F_ACK);
	lynx_conn_advertised(sk, &info);
	lynx_hdr_push(out, &info);
	skb_set_owner_w(out, sk);
	out->priority = READ_ONCE(sk->sk_priority);
	out->mark = READ_ONCE(sk->sk_mark);
	return lynx_output(ln, out, info.dst_node);
}

/* Arm the timer; an orphan's never beyond its deadline. */
static void lynx_conn_arm(struct sock *sk, unsigned long when)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	unsigned long at = jiffies + when;

	if (c->orphaned && time_after(at, c->orphan_deadline))
		at = c->orphan_deadline;
	sk_reset_timer(sk, &sk->sk_timer, at);
}

static struct sk_buff *lynx_conn_wq_next(struct sock *sk, struct sk_buff *skb)
{
	return skb_queue_is_last(&sk->sk_write_queue, skb) ? NULL :
	       skb_queue_next(&sk->sk_write_queue, skb);
}

/* Can this state send what is in the write queue? */
static bool lynx_conn_can_send(const struct sock *sk)
{
	return (1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				      TCPF_FIN_WAIT1 | TCPF_LAST_ACK |
				      TCPF_CLOSING);
}

/**
 * lynx_conn_push - send queued segments the peer's window has room for
 * @sk: the socket, locked
 *
 * When the window is closed and nothing is in flight the timer is armed
 * to probe it (lynx_conn_timeout() then sends one segment regardless).
 */
void lynx_conn_push(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct sk_buff *skb;
	u32 len;

	sock_owned_by_me(sk);
	if (!lynx_conn_can_send(sk))
		return;
	while ((skb = c->send_head)) {
		len = lynx_seg_cb(skb)->end_seq - lynx_seg_cb(skb)->seq;
		/* A bare FIN goes whatever the window. */
		if (skb->len &&
		    len > lynx_snd_usable(c->snd_nxt, c->snd_wnd_end))
			break;
		if (lynx_conn_xmit_skb(sk, skb))
			break;
		if (!c->rtt_timing) {
			c->rtt_timing = true;
			c->rtt_seq = lynx_seg_cb(skb)->end_seq;
			c->rtt_start = ktime_to_us(ktime_get());
		}
		c->snd_nxt = lynx_seg_cb(skb)->end_seq;
		c->send_head = lynx_conn_wq_next(sk, skb);
		if (!timer_pending(&sk->sk_timer))
			lynx_conn_arm(sk, c->rto);
	}
	if (c->send_head && !timer_pending(&sk->sk_timer))
		lynx_conn_arm(sk, c->rto);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_push);

/* Send the oldest unacknowledged segment again. */
static void lynx_conn_retransmit_head(struct sock *sk)
{
	struct sk_buff *skb = skb_peek(&sk->sk_write_queue);
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	if (!skb || skb == c->send_head)
		return;
	lynx_seg_cb(skb)->retrans = 1;
	c->rtt_timing = false;		/* Karn: no sample from a resend */
	LYNX_INC_STATS(lynx_net(sock_net(sk)), LYNX_MIB_RETRANS);
	lynx_conn_xmit_skb(sk, skb);
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
	struct lynx_conn *c = &lynx_sk(sk)->conn;
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

void lynx_conn_free_wskb(struct sock *sk, struct sk_buff *skb)
{
	sk_wmem_queued_add(sk, -skb->truesize);
	sk_mem_uncharge(sk, skb->truesize);
	__kfree_skb(skb);
}

static void lynx_conn_purge_write(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct sk_buff *skb;

	while ((skb = __skb_dequeue(&sk->sk_write_queue)))
		lynx_conn_free_wskb(sk, skb);
	c->send_head = NULL;
	WRITE_ONCE(c->wq_bytes, 0);
}

/**
 * lynx_conn_send_fin - queue our FIN after the data, process context
 * @sk: a locked socket in ESTABLISHED, CLOSE_WAIT or SYN_RECV
 */
void lynx_conn_send_fin(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct sk_buff *skb;

	sock_owned_by_me(sk);
	if (c->fin_queued)
		return;
	skb = alloc_skb_fclone(LYNX_HEADROOM, sk->sk_allocation | __GFP_NOFAIL);
	skb_reserve(skb, LYNX_HEADROOM);
	sk_wmem_queued_add(sk, skb->truesize);
	sk_mem_charge(sk, skb->truesize);
	lynx_seg_cb(skb)->flags = LYNX_F_FIN;
	lynx_conn_queue_tail(sk, skb);
	c->fin_queued = true;
	if (sk->sk_state == TCP_CLOSE_WAIT)
		lynx_set_state(sk, TCP_LAST_ACK);
	else
		lynx_set_state(sk, TCP_FIN_WAIT1);
	lynx_conn_push(sk);
}

/* ---- state changes ------------------------------------------------------- */

/**
 * lynx_conn_orphan_begin - the owner closed a connection still under way
 * @sk: the socket, locked, not yet SOCK_DEAD, state not CLOSE
 *
 * An orphan finishes in the background within an absolute budget
 * (net.lynx.orphan_timeout) and the namespace's limit on their number
 * (net.lynx.max_orphans), as TCP's tcp_max_orphans.
 *
 * Return: false when the namespace has too many orphans already: the
 * caller resets the connection instead.
 */
bool lynx_conn_orphan_begin(struct sock *sk)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	sock_owned_by_me(sk);
	if (atomic_inc_return(&ln->orphans) > READ_ONCE(ln->max_orphans)) {
		atomic_dec(&ln->orphans);
		return false;
	}
	c->orphaned = true;
	c->orphan_deadline = jiffies +
			     READ_ONCE(ln->orphan_timeout) * (unsigned long)HZ;
	/* It waits for the peer's FIN no longer than LYNX_FIN_TIMEOUT. */
	if (sk->sk_state == TCP_FIN_WAIT2)
		lynx_conn_arm(sk, LYNX_FIN_TIMEOUT);
	return true;
}

/* An orphan is over: it no longer counts against the namespace's limit. */
static void lynx_conn_orphan_end(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	if (c->orphaned) {
		c->orphaned = false;
		atomic_dec(&lynx_net(sock_net(sk))->orphans);
	}
}

/* Has an orphan outlived its budget? */
static bool lynx_conn_orphan_expired(const struct sock *sk)
{
	const struct lynx_conn *c = &lynx_sk(sk)->conn;

	return c->orphaned && !time_before(jiffies, c->orphan_deadline);
}

/* A child leaves its listener's accept queue; drops the queue's refs. */
static void lynx_conn_leave_parent(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct sock *parent = c->parent;
	struct lynx_conn *pc;
	bool queued;

	if (!parent)
		return;
	pc = &lynx_sk(parent)->conn;
	spin_lock_bh(&pc->accept_lock);
	queued = !list_empty(&c->accept_node);
	if (queued) {
		list_del_init(&c->accept_node);
		pc->accept_len--;
	}
	spin_unlock_bh(&pc->accept_lock);
	c->parent = NULL;
	sock_put(parent);
	if (queued)
		sock_put(sk);	/* the accept queue's reference */
}

/**
 * lynx_conn_done - the connection is over: CLOSE, unhashed, timer stopped
 * @sk: the socket, locked; the caller holds a reference
 *
 * An orphan (closed by its owner) also leaves the socket tables and goes
 * once the last reference (in-flight skbs included) is dropped.  A child
 * nobody accepted is an orphan too: nobody ever will, so it leaves its
 * listener's queue (dropping the queue's reference) and the tables.
 */
void lynx_conn_done(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);

	sock_owned_by_me(sk);
	lynx_set_state(sk, TCP_CLOSE);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sk_stop_timer(sk, &sk->sk_timer);
	sk_stop_timer(sk, &lsk->conn.ka_timer);
	lynx_conn_unhash(sk);
	lynx_conn_purge_write(sk);
	WRITE_ONCE(lsk->peer_port, 0);
	if (lsk->conn.parent) {
		sock_orphan(sk);
		lynx_conn_leave_parent(sk);
	}
	if (sock_flag(sk, SOCK_DEAD)) {
		lynx_conn_orphan_end(sk);
		lynx_conn_purge_rcv(sk);
		lynx_sock_unlink(sk);
	} else {
		sk->sk_state_change(sk);
	}
	sk_mem_reclaim(sk);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_done);

/**
 * lynx_conn_abort - end a connection at once
 * @sk:       the socket, locked
 * @err:      error for the owner (0: none)
 * @send_rst: tell the peer with a reset
 */
void lynx_conn_abort(struct sock *sk, int err, bool send_rst)
{
	struct lynx_hdr_info rst;
	bool reset;

	sock_owned_by_me(sk);
	if (sk->sk_state == TCP_CLOSE)
		return;
	/*
	 * At snd_nxt, never left of the peer's window.  If the peer is
	 * further on, it answers with a challenge ACK (RFC 5961), which
	 * must find the connection gone and get a reset at the right place:
	 * so the reset leaves after lynx_conn_done() (over lynxlo the
	 * answer may come back before lynx_output() returns).
	 */
	reset = send_rst && sk->sk_state != TCP_SYN_SENT;
	if (reset)
		lynx_conn_fill(sk, &rst, lynx_sk(sk)->conn.snd_nxt,
			       LYNX_F_RST | LYNX_F_ACK);
	if (err) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	}
	lynx_conn_done(sk);
	if (reset)
		lynx_output_ctl(lynx_net(sock_net(sk)), &rst, sk, 0);
}

static void lynx_conn_established(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	lynx_set_state(sk, TCP_ESTABLISHED);
	c->retries = 0;
	sk_stop_timer(sk, &sk->sk_timer);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		lynx_conn_keepalive_arm(sk, 0);
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	if (c->parent)
		c->parent->sk_data_ready(c->parent);
}

/* The peer's FIN arrived, in order. */
static void lynx_conn_rcv_fin(struct sock *sk)
{
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | RCV_SHUTDOWN);
	sock_set_flag(sk, SOCK_DONE);
	switch (sk->sk_state) {
	case TCP_SYN_RECV:
	case TCP_ESTABLISHED:
		lynx_set_state(sk, TCP_CLOSE_WAIT);
		break;
	case TCP_FIN_WAIT1:
		lynx_set_state(sk, TCP_CLOSING);
		break;
	case TCP_FIN_WAIT2:
		/* No TIME_WAIT: the last ACK goes out, and we are done. */
		lynx_conn_send_ack(sk);
		lynx_conn_done(sk);
		return;
	}
	sk->sk_state_change(sk);
	if (sk->sk_shutdown == SHUTDOWN_MASK || sk->sk_state == TCP_CLOSE)
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_HUP);
	else
		sk_wake_async(sk, SOCK_WAKE_WAITD, POLL_IN);
}

/* Our FIN was acknowledged. */
static void lynx_conn_fin_acked(struct sock *sk)
{
	switch (sk->sk_state) {
	case TCP_FIN_WAIT1:
		lynx_set_state(sk, TCP_FIN_WAIT2);
		sk->sk_state_change(sk);
		/* An orphan does not wait for the peer's FIN forever. */
		if (sock_flag(sk, SOCK_DEAD))
			lynx_conn_arm(sk, LYNX_FIN_TIMEOUT);
		break;
	case TCP_CLOSING:
	case TCP_LAST_ACK:
		lynx_conn_done(sk);
		break;
	}
}

/* ---- receiving ----------------------------------------------------------- */

/* Process an acknowledgment and window; false if it acks what we never sent. */
static bool lynx_conn_ack(struct sock *sk, const struct sk_buff *seg)
{
	const struct lynx_seg_cb *in = lynx_seg_cb(seg);
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	u32 ack = in->ack, wnd_end = in->ack + in->window;
	bool fin_acked = false;
	struct sk_buff *skb;

	if (lynx_seq_after(ack, c->snd_nxt))
		return false;
	if (lynx_seq_before(ack, c->snd_una))
		return true;		/* old duplicate */

	/*
	 * The peer answers: a window probe was heard.  An orphan's probes
	 * count until they make progress, whatever the answers (as TCP's
	 * tcp_orphan_retries): a peer that never opens its window must not
	 * keep it forever.
	 */
	if (!c->orphaned)
		c->probes = 0;
	c->peer_max_wnd = max(c->peer_max_wnd, in->window);

	if (ack == c->snd_una) {
		bool grew = lynx_seq_after(wnd_end, c->snd_wnd_end);

		c->snd_wnd_end = wnd_end;
		if (c->snd_una != c->snd_nxt && !seg->len && !grew &&
		    !(in->flags & (LYNX_F_FIN | LYNX_F_SYN)) &&
		    ++c->dupacks == LYNX_DUPACK_THRESH && !c->in_recovery) {
			c->in_recovery = true;
			c->recover = c->snd_nxt;
			lynx_conn_retransmit_head(sk);
		}
		return true;
	}

	/* New data acknowledged. */
	if (c->rtt_timing && !lynx_seq_before(ack, c->rtt_seq)) {
		c->rtt_timing = false;
		c->rto = lynx_rtt_update(&c->srtt_us, &c->rttvar_us,
					 ktime_to_us(ktime_get()) - c->rtt_start);
	}
	while ((skb = skb_peek(&sk->sk_write_queue)) &&
	       skb != c->send_head &&
	       !lynx_seq_after(lynx_seg_cb(skb)->end_seq, ack)) {
		__skb_unlink(skb, &sk->sk_write_queue);
		WRITE_ONCE(c->wq_bytes, c->wq_bytes - skb->len);
		if (lynx_seg_cb(skb)->flags & LYNX_F_FIN)
			fin_acked = true;
		lynx_conn_free_wskb(sk, skb);
	}
	c->snd_una = ack;
	c->snd_wnd_end = wnd_end;
	c->dupacks = 0;
	/* Progress: only this resets the retry counts (a duplicate ACK,
	 * which anyone can forge, does not).
	 */
	c->retries = 0;
	c->probes = 0;
	if (c->in_recovery) {
		if (lynx_seq_before(ack, c->recover))
			lynx_conn_retransmit_head(sk);	/* the next hole */
		else
			c->in_recovery = false;
	}
	if (c->snd_una == c->snd_nxt)
		sk_stop_timer(sk, &sk->sk_timer);
	else
		lynx_conn_arm(sk, c->rto);
	sk_mem_reclaim(sk);
	sk->sk_write_space(sk);
	if (fin_acked)
		lynx_conn_fin_acked(sk);
	return true;
}

/* ---- the receive queue ---------------------------------------------------- */

/*
 * What sk_receive_queue and the out-of-order queue hold is counted here
 * and only here: rcvq_bytes (payload not read yet) and rcvq_msgs (whole
 * SEQPACKET messages), which poll and SIOCINQ read locklessly.  stream.c
 * reads through lynx_conn_rcvq_read() and asks lynx_conn_rcv_unread().
 */

static void lynx_conn_rcvq_add(struct sock *sk, struct sk_buff *skb,
			       bool eor)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

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
	struct lynx_conn *c = &lynx_sk(sk)->conn;
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

/* Whether anything received, in order or not, is still unread. */
bool lynx_conn_rcv_unread(const struct sock *sk)
{
	const struct lynx_conn *c = &lynx_sk(sk)->conn;

	return c->rcvq_bytes || !skb_queue_empty(&c->ooo_q) ||
	       !skb_queue_empty(&sk->sk_receive_queue);
}

/* Drop what was received and not read: the reader is gone. */
void lynx_conn_purge_rcv(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&c->ooo_q);
	WRITE_ONCE(c->rcvq_bytes, 0);
	WRITE_ONCE(c->rcvq_msgs, 0);
	sk_mem_reclaim(sk);
}

/*
 * Queue an in-order segment, already charged, for the reader; consumes
 * @skb.  The last segment of a SEQPACKET message makes it readable (an
 * empty message is a message too, as on AF_UNIX).
 */
static void lynx_conn_deliver(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);
	bool eor = (cb->flags & LYNX_F_EOR) && sk->sk_type == SOCK_SEQPACKET;
	u8 flags = cb->flags;

	c->rcv_nxt = cb->end_seq;
	cb->off = 0;
	if (skb->len || eor) {
		lynx_conn_rcvq_add(sk, skb, eor);
	} else {
		kfree_skb(skb);
	}
	if (flags & LYNX_F_FIN)
		lynx_conn_rcv_fin(sk);
}

/*
 * SEQPACKET: take the in-order @skb beyond SO_RCVBUF?  Yes while no whole
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

	if (sk->sk_type != SOCK_SEQPACKET || lynx_sk(sk)->conn.rcvq_msgs ||
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

/* Insert into the out-of-order queue, sorted, duplicates dropped. */
static void lynx_conn_ooo_insert(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	u32 seq = lynx_seg_cb(skb)->seq;
	struct sk_buff *pos;

	skb_queue_reverse_walk(&c->ooo_q, pos) {
		u32 pseq = lynx_seg_cb(pos)->seq;

		if (pseq == seq) {
			kfree_skb(skb);
			return;
		}
		if (lynx_seq_before(pseq, seq)) {
			__skb_queue_after(&c->ooo_q, pos, skb);
			return;
		}
	}
	__skb_queue_head(&c->ooo_q, skb);
}

/* Move what the out-of-order queue now continues onto the receive queue. */
static void lynx_conn_ooo_drain(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
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
				continue;
			}
			cb->seq = c->rcv_nxt;
		}
		lynx_conn_deliver(sk, skb);
	}
}

/*
 * Drop the last out-of-order segment (the sender will send it again), as
 * TCP prunes its out-of-order queue: otherwise segments beyond a hole could
 * fill the buffer and leave no room for the one that fills it.
 */
static bool lynx_conn_ooo_prune(struct sock *sk)
{
	struct sk_buff *skb = skb_peek_tail(&lynx_sk(sk)->conn.ooo_q);

	if (!skb)
		return false;
	__skb_unlink(skb, &lynx_sk(sk)->conn.ooo_q);
	kfree_skb(skb);
	return true;
}

/* Payload and FIN of a segment in a synchronized state; consumes @skb. */
static void lynx_conn_data(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	struct lynx_seg_cb *cb = lynx_seg_cb(skb);

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
			lynx_conn_ooo_insert(sk, skb);
		}
		goto ack;	/* a duplicate ACK: there is a hole */
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
	lynx_conn_deliver(sk, skb);
	lynx_conn_ooo_drain(sk);
	if (sk->sk_state != TCP_CLOSE)
		sk->sk_data_ready(sk);
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

/*
 * RFC 793's "first check sequence number": a segment is acceptable when
 * it overlaps [rcv_nxt, rcv_nxt + window].  The window checked is the
 * receive buffer, which bounds every window we advertise.
 */
static bool lynx_conn_seq_ok(struct sock *sk, const struct lynx_seg_cb *cb)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	return !lynx_seq_before(cb->end_seq, c->rcv_nxt) &&
	       !lynx_seq_after(cb->seq,
			       c->rcv_nxt + (u32)READ_ONCE(sk->sk_rcvbuf));
}

static void lynx_conn_rcv_syn_sent(struct sock *sk, struct sk_buff *skb)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
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
	c->peer_max_wnd = cb->window;
	if (c->rtt_timing && !c->retries)
		c->rto = lynx_rtt_update(&c->srtt_us, &c->rttvar_us,
					 ktime_to_us(ktime_get()) - c->rtt_start);
	c->rtt_timing = false;
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
	struct lynx_conn *c = &lynx_sk(sk)->conn;
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
		/*
		 * Data sent again after our ACK was lost needs that ACK; a
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
	c = &lsk->conn;
	lsk->port = plsk->port;
	lsk->node = plsk->node;
	lsk->peer_node = info->src_node;
	lsk->peer_port = info->src_port;
	c->iss = get_random_u32();
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->write_seq = c->iss + 1;
	c->snd_wnd_end = c->snd_nxt + info->window;
	c->peer_max_wnd = info->window;
	c->rcv_nxt = info->seq + 1;
	sk->sk_state = TCP_SYN_RECV;
	return sk;
}

/*
 * A SYN for a listener: a child in SYN_RECV joins the accept queue (which
 * bounds handshaking and established children together, to the backlog)
 * and answers SYN|ACK.  A full queue drops the SYN, as TCP without
 * syncookies does: the client's retries may find room later.
 */
static void lynx_conn_syn(struct sock *parent, const struct lynx_hdr_info *info)
{
	struct lynx_conn *pc = &lynx_sk(parent)->conn;
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
	/*
	 * On the queue, its parent known, before the hash makes it visible:
	 * a reset on another CPU may end the child as soon as it is hashed,
	 * and lynx_conn_done() must find it a child (to leave the queue and
	 * the socket tables), waiting on accept_lock until it is queued.
	 */
	sock_hold(parent);
	lynx_sk(sk)->conn.parent = parent;
	list_add_tail(&lynx_sk(sk)->conn.accept_node, &pc->accept_q);
	pc->accept_len++;
	if (lynx_conn_hash(sk)) {
		/* Raced with the same SYN on another CPU. */
		list_del_init(&lynx_sk(sk)->conn.accept_node);
		pc->accept_len--;
		lynx_sk(sk)->conn.parent = NULL;
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
				   lynx_sk(sk)->conn.iss);
		lynx_conn_arm(sk, lynx_sk(sk)->conn.rto);
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
	struct sock *sk;

	memset(cb, 0, sizeof(*cb));
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
 * A window update goes out when the window grew by a quarter of the
 * buffer since it was last advertised, so a sender stalled on a small
 * window resumes without waiting for its probe.
 */
void lynx_conn_rcv_space(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	u32 right = c->rcv_nxt + lynx_conn_window(sk);

	sock_owned_by_me(sk);
	sk_mem_reclaim(sk);
	if (!lynx_conn_can_send(sk) && sk->sk_state != TCP_FIN_WAIT2)
		return;
	if (lynx_seq_after(right, c->rcv_adv) &&
	    right - c->rcv_adv >= (u32)READ_ONCE(sk->sk_rcvbuf) / 4)
		lynx_conn_send_ack(sk);
}

/* ---- connect, listen, accept --------------------------------------------- */

/**
 * lynx_conn_connect - start the handshake
 * @sk:   a locked, bound socket in CLOSE
 * @node: the peer's node (already resolved: not LOCAL nor ANY)
 * @port: the peer's port
 *
 * Return: 0 with the SYN sent and the socket in SYN_SENT, or an errno.
 */
int lynx_conn_connect(struct sock *sk, u32 node, u32 port)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_conn *c = &lsk->conn;
	int err;

	sock_owned_by_me(sk);
	/* Nothing of an earlier connection (reset, refused) may reach the
	 * reader of this one.
	 */
	lynx_conn_purge_rcv(sk);
	sock_reset_flag(sk, SOCK_DONE);
	WRITE_ONCE(lsk->peer_node, node);
	WRITE_ONCE(lsk->peer_port, port);
	c->iss = get_random_u32();
	c->snd_una = c->iss;
	c->snd_nxt = c->iss + 1;
	c->write_seq = c->iss + 1;
	c->snd_wnd_end = c->snd_nxt;
	c->peer_max_wnd = 0;
	c->rcv_nxt = 0;
	c->retries = 0;
	c->probes = 0;
	c->dupacks = 0;
	c->in_recovery = false;
	c->fin_queued = false;
	c->rto = LYNX_RTO_INIT;
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);

	err = lynx_conn_hash(sk);
	if (err)
		goto err_peer;
	lynx_set_state(sk, TCP_SYN_SENT);
	c->rtt_timing = true;
	c->rtt_start = ktime_to_us(ktime_get());
	err = lynx_conn_xmit_ctl(sk, LYNX_F_SYN, c->iss);
	if (err == -ENETUNREACH)
		goto err_unhash;
	lynx_conn_arm(sk, c->rto);
	return 0;

err_unhash:
	lynx_set_state(sk, TCP_CLOSE);
	lynx_conn_unhash(sk);
err_peer:
	WRITE_ONCE(lsk->peer_port, 0);
	WRITE_ONCE(lsk->peer_node, 0);
	return err;
}

/* Is a child ready to be accepted?  Listener locked or not. */
bool lynx_conn_accept_ready(struct sock *sk)
{
	struct lynx_conn *pc = &lynx_sk(sk)->conn;
	struct lynx_sock *child;
	bool ready = false;

	spin_lock_bh(&pc->accept_lock);
	list_for_each_entry(child, &pc->accept_q, conn.accept_node) {
		if (READ_ONCE(child->sk.sk_state) != TCP_SYN_RECV) {
			ready = true;
			break;
		}
	}
	spin_unlock_bh(&pc->accept_lock);
	return ready;
}

/**
 * lynx_conn_accept_child - take the first established child, if any
 * @sk: the listener, locked
 *
 * Return: the child, locked by the caller's release_sock() pairing
 * (unlocked here), with the accept queue's reference now the caller's; or
 * NULL.
 */
struct sock *lynx_conn_accept_child(struct sock *sk)
{
	struct lynx_conn *pc = &lynx_sk(sk)->conn;
	struct lynx_sock *lchild, *found = NULL;
	struct sock *child;

	sock_owned_by_me(sk);
	spin_lock_bh(&pc->accept_lock);
	list_for_each_entry(lchild, &pc->accept_q, conn.accept_node) {
		if (READ_ONCE(lchild->sk.sk_state) != TCP_SYN_RECV) {
			found = lchild;
			sock_hold(&found->sk);
			break;
		}
	}
	spin_unlock_bh(&pc->accept_lock);
	if (!found)
		return NULL;

	child = &found->sk;
	lock_sock_nested(child, SINGLE_DEPTH_NESTING);
	spin_lock_bh(&pc->accept_lock);
	if (list_empty(&found->conn.accept_node)) {
		/* It died meanwhile and left the queue itself. */
		spin_unlock_bh(&pc->accept_lock);
		release_sock(child);
		sock_put(child);
		return NULL;
	}
	list_del_init(&found->conn.accept_node);
	pc->accept_len--;
	spin_unlock_bh(&pc->accept_lock);
	found->conn.parent = NULL;
	release_sock(child);
	sock_put(sk);		/* the child's reference on its listener */
	sock_put(child);	/* ours; the queue's is the caller's now */
	return child;
}

/**
 * lynx_conn_listen_stop - close a listener: reset every child not accepted
 * @sk: the listener, locked
 */
void lynx_conn_listen_stop(struct sock *sk)
{
	struct lynx_conn *pc = &lynx_sk(sk)->conn;
	struct lynx_sock *lchild;
	struct sock *child;

	sock_owned_by_me(sk);
	/* From here on the receive path adds no child. */
	spin_lock_bh(&pc->accept_lock);
	lynx_set_state(sk, TCP_CLOSE);
	spin_unlock_bh(&pc->accept_lock);

	for (;;) {
		spin_lock_bh(&pc->accept_lock);
		lchild = list_first_entry_or_null(&pc->accept_q,
						  struct lynx_sock,
						  conn.accept_node);
		if (lchild)
			sock_hold(&lchild->sk);
		spin_unlock_bh(&pc->accept_lock);
		if (!lchild)
			break;
		child = &lchild->sk;
		lock_sock_nested(child, SINGLE_DEPTH_NESTING);
		sock_orphan(child);
		if (child->sk_state != TCP_CLOSE)
			lynx_conn_abort(child, 0, true);
		else
			lynx_conn_leave_parent(child);
		release_sock(child);
		sock_put(child);
	}
}

/* ---- keepalive ----------------------------------------------------------- */

/*
 * SO_KEEPALIVE, as TCP's: after net.lynx.keepalive_time seconds without a
 * segment from the peer on an idle connection, a probe every
 * net.lynx.keepalive_intvl seconds; net.lynx.keepalive_probes unanswered
 * probes end the connection with ETIMEDOUT.  The probe repeats the last
 * acknowledged byte (seq snd_una - 1, one byte of zero, as BSD's did): a
 * duplicate, which every receiver acknowledges and none delivers.  With
 * data outstanding the retransmission timer watches the peer instead.
 */

/* @when 0: the full idle time from now. */
static void lynx_conn_keepalive_arm(struct sock *sk, unsigned long when)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));

	if (!when)
		when = READ_ONCE(ln->keepalive_time) * (unsigned long)HZ;
	sk_reset_timer(sk, &lynx_sk(sk)->conn.ka_timer, jiffies + when);
}

static void lynx_conn_send_keepalive(struct sock *sk)
{
	struct lynx_hdr_info info;

	lynx_conn_fill(sk, &info, lynx_sk(sk)->conn.snd_una - 1, LYNX_F_ACK);
	if (lynx_output_ctl(lynx_net(sock_net(sk)), &info, sk, 1) != -ENOBUFS)
		lynx_conn_advertised(sk, &info);
}

static void lynx_conn_keepalive(struct sock *sk)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	unsigned long idle, time;

	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		return;
	time = READ_ONCE(ln->keepalive_time) * (unsigned long)HZ;
	if (c->snd_una != c->snd_nxt || c->send_head) {
		lynx_conn_keepalive_arm(sk, time);
		return;
	}
	idle = jiffies - c->rcv_tstamp;
	if (idle < time) {
		lynx_conn_keepalive_arm(sk, time - idle);
		return;
	}
	if (c->ka_probes >= READ_ONCE(ln->keepalive_probes)) {
		lynx_conn_abort(sk, ETIMEDOUT, true);
		return;
	}
	lynx_conn_send_keepalive(sk);
	c->ka_probes++;
	lynx_conn_keepalive_arm(sk, READ_ONCE(ln->keepalive_intvl) *
				    (unsigned long)HZ);
}

static void lynx_conn_keepalive_timer(struct timer_list *t)
{
	struct lynx_conn *c = from_timer(c, t, ka_timer);
	struct sock *sk = &container_of(c, struct lynx_sock, conn)->sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &c->ka_timer,
			       jiffies + LYNX_KA_OWNED_RETRY);
	else
		lynx_conn_keepalive(sk);
	bh_unlock_sock(sk);
	sock_put(sk);		/* the timer's reference */
}

/**
 * lynx_conn_set_keepalive - proto .keepalive: SO_KEEPALIVE was set
 * @sk:  the socket, locked
 * @val: on or off
 */
void lynx_conn_set_keepalive(struct sock *sk, int val)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	sock_owned_by_me(sk);
	if (!val) {
		sk_stop_timer(sk, &c->ka_timer);
	} else if ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)) {
		c->rcv_tstamp = jiffies;
		c->ka_probes = 0;
		lynx_conn_keepalive_arm(sk, 0);
	}
}

/* ---- the timer ----------------------------------------------------------- */

/*
 * Two timeouts in a row: the path may be wrong, not just lossy (see
 * lynx_neigh_forget()); the next tries are broadcast until the peer's
 * answer is learned again.
 */
static void lynx_conn_negative_advice(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	if (c->retries >= 2)
		lynx_neigh_forget(lynx_net(sock_net(sk)),
				  lynx_sk(sk)->peer_node);
}

/* Is the peer's window open at snd_una?  Closed, what is in flight probes. */
static bool lynx_conn_wnd_open(const struct lynx_conn *c)
{
	return lynx_seq_after(c->snd_wnd_end, c->snd_una);
}

static void lynx_conn_timeout(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;
	unsigned int budget;

	if (lynx_conn_orphan_expired(sk)) {
		lynx_conn_abort(sk, 0, true);
		return;
	}
	lynx_conn_negative_advice(sk);

	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:
		if (c->retries >= LYNX_SYN_RETRIES) {
			lynx_conn_abort(sk, ETIMEDOUT, false);
			return;
		}
		c->retries++;
		c->rtt_timing = false;
		LYNX_INC_STATS(lynx_net(sock_net(sk)), LYNX_MIB_RETRANS);
		lynx_conn_xmit_ctl(sk, sk->sk_state == TCP_SYN_SENT ?
				   LYNX_F_SYN : LYNX_F_SYN | LYNX_F_ACK,
				   c->iss);
		lynx_conn_arm(sk, lynx_rto_backoff(c->rto, c->retries));
		return;
	case TCP_FIN_WAIT2:
		if (sock_flag(sk, SOCK_DEAD) && c->snd_una == c->snd_nxt) {
			lynx_conn_done(sk);
			return;
		}
		break;
	case TCP_CLOSE:
	case TCP_LISTEN:
		return;
	}

	budget = c->orphaned ? LYNX_ORPHAN_RETRIES : LYNX_DATA_RETRIES;
	if (c->snd_una != c->snd_nxt && lynx_conn_wnd_open(c)) {
		/* Lost: only acknowledged progress resets the count. */
		if (c->retries >= budget) {
			lynx_conn_abort(sk, ETIMEDOUT, true);
			return;
		}
		c->retries++;
		c->in_recovery = true;
		c->recover = c->snd_nxt;
		c->dupacks = 0;
		lynx_conn_retransmit_head(sk);
		lynx_conn_arm(sk, lynx_rto_backoff(c->rto, c->retries));
	} else if (c->snd_una != c->snd_nxt || c->send_head) {
		/*
		 * The window is closed: probe it with the oldest segment
		 * (or the next one).  An answer resets the count of a
		 * socket with an owner (lynx_conn_ack()); silence, or an
		 * orphan's budget, ends the connection.
		 */
		if (c->probes >= budget) {
			lynx_conn_abort(sk, ETIMEDOUT, true);
			return;
		}
		c->probes++;
		if (c->snd_una != c->snd_nxt) {
			lynx_conn_retransmit_head(sk);
		} else if (!lynx_conn_xmit_skb(sk, c->send_head)) {
			c->snd_nxt = lynx_seg_cb(c->send_head)->end_seq;
			c->send_head = lynx_conn_wq_next(sk, c->send_head);
		}
		lynx_conn_arm(sk, lynx_rto_backoff(c->rto, c->probes));
	}
}

static void lynx_conn_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		lynx_conn_arm(sk, LYNX_RTX_OWNED_RETRY);
	else
		lynx_conn_timeout(sk);
	bh_unlock_sock(sk);
	sock_put(sk);		/* the timer's reference */
}

/*
 * sk_write_space: an acknowledgment freed send buffer.  Writers waiting
 * for room for a whole SEQPACKET message test their own condition, so
 * sleepers are woken on any freed space; poll and SIGIO only once the
 * socket is writeable by the stream rule (a third of the buffer free).
 */
static void lynx_conn_write_space(struct sock *sk)
{
	struct socket *sock = sk->sk_socket;
	struct socket_wq *wq;

	if (!sock)
		return;
	rcu_read_lock();
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
	rcu_read_unlock();
}

/* proto .init for STREAM and SEQPACKET, after lynx_sock_init(). */
void lynx_conn_sock_init(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	c->hash_node.pprev = NULL;	/* unhashed */
	INIT_LIST_HEAD(&c->accept_node);
	INIT_LIST_HEAD(&c->accept_q);
	spin_lock_init(&c->accept_lock);
	skb_queue_head_init(&c->ooo_q);
	c->rto = LYNX_RTO_INIT;
	c->oow_ack_until = jiffies;
	c->rcv_tstamp = jiffies;
	timer_setup(&sk->sk_timer, lynx_conn_timer, 0);
	timer_setup(&c->ka_timer, lynx_conn_keepalive_timer, 0);
	sk->sk_write_space = lynx_conn_write_space;
	sk->sk_backlog_rcv = lynx_conn_backlog_rcv;
	sk->sk_destruct = lynx_conn_destruct;
}

/* sk_destruct of connection sockets: every queue empty, memory returned. */
void lynx_conn_destruct(struct sock *sk)
{
	struct lynx_conn *c = &lynx_sk(sk)->conn;

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	skb_queue_purge(&c->ooo_q);
	lynx_conn_purge_write(sk);
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON_ONCE(sk->sk_wmem_queued);
	WARN_ON_ONCE(sk->sk_forward_alloc);
}
