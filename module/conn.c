// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the transport of SOCK_STREAM and SOCK_SEQPACKET connections.
 *
 * A connection is TCP's design cut down to a virtual link: a three-way
 * handshake (SYN, SYN|ACK, ACK), byte sequence numbers (SYN and FIN take
 * one each), cumulative acknowledgments carrying the receiver's window,
 * one retransmission timer per socket with an RFC 6298 timeout (a sample
 * from every acknowledgment, TCP's estimator), and congestion control
 * (conn_cc.c: slow start, fast retransmit after three duplicate
 * acknowledgments, NewReno's fast recovery resending the next hole on a
 * partial acknowledgment; congestion avoidance and the reduction on a
 * loss Reno's or CUBIC's, conn_cubic.c).  There
 * is no TIME_WAIT (the initial sequence numbers are random).  In-order
 * data is acknowledged as TCP's is: every second full segment at once,
 * the rest after LYNX_DELACK unless a segment of ours carries the ACK
 * first; holes, duplicates and FINs at once.  SEQPACKET is the same byte stream
 * with LYNX_F_EOR on the last segment of each message; segments are never
 * re-cut, so a message's boundaries survive retransmission.
 *
 * Where things happen:
 *   conn.c         the lifecycle: the connection hash, state changes, the
 *                  end of a connection, connect, listen and accept
 *   conn_input.c   lynx_conn_rcv(): a segment enters (softirq), demux,
 *                  then lynx_conn_process(), the state machine (socket
 *                  lock held), or the socket's backlog; the receive queue
 *   conn_output.c  lynx_conn_push(): segments leave, within the peer's
 *                  window and the congestion window; control segments
 *                  and resets
 *   conn_cc.c      congestion control: the window's pure state machine
 *   conn_cubic.c   CUBIC's window growth and reduction (pure functions)
 *   conn_timer.c   lynx_conn_timer(): retransmission, handshake retries,
 *                  window probes, orphan end; keepalive; delayed ACKs
 *   conn.h         what these four share, and nobody else
 *
 * Memory: the write queue is charged to sk_wmem_queued and forward
 * allocation (sk_wmem_schedule; lynx_conn_charge_wskb() charges,
 * lynx_conn_free_wskb() returns), transmitted clones to sk_wmem_alloc,
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
#include "conn.h"

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
int lynx_conn_hash(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn_sock *o;
	struct hlist_nulls_head *head;
	struct hlist_nulls_node *node;
	int err = 0;

	head = &ln->conn_hash[lynx_conn_slot(lsk->type, lsk->port,
					     lsk->peer_node, lsk->peer_port)];
	spin_lock_bh(&ln->conn_lock);
	hlist_nulls_for_each_entry(o, node, head, conn.hash_node) {
		if (lynx_conn_match(&o->lsk, lsk->type, lsk->port, lsk->peer_node,
				    lsk->peer_port)) {
			err = -EADDRINUSE;
			goto out;
		}
	}
	sock_hold(sk);
	hlist_nulls_add_head_rcu(&lynx_sk_conn(sk)->hash_node, head);
out:
	spin_unlock_bh(&ln->conn_lock);
	return err;
}

static void lynx_conn_unhash(struct sock *sk)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	bool hashed;

	spin_lock_bh(&ln->conn_lock);
	hashed = !hlist_nulls_unhashed(&lynx_sk_conn(sk)->hash_node);
	if (hashed)
		hlist_nulls_del_init_rcu(&lynx_sk_conn(sk)->hash_node);
	spin_unlock_bh(&ln->conn_lock);
	if (hashed)
		sock_put(sk);
}

/* A reconnecting socket moves to another chain while readers may walk
 * it: a reader that followed it lands in the wrong chain (its nulls end
 * says so) and starts over, and a socket that changed between the match
 * and the reference is dropped and looked for again, as TCP's
 * __inet_lookup_established() does.
 */
struct sock *lynx_conn_lookup(struct lynx_net *ln, u8 type, u32 port,
			      u32 pnode, u32 pport)
{
	unsigned int slot = lynx_conn_slot(type, port, pnode, pport);
	struct hlist_nulls_node *node;
	struct lynx_conn_sock *csk;
	struct sock *sk;

	rcu_read_lock();
begin:
	hlist_nulls_for_each_entry_rcu(csk, node, &ln->conn_hash[slot],
				       conn.hash_node) {
		sk = &csk->lsk.sk;
		if (!lynx_conn_match(&csk->lsk, type, port, pnode, pport) ||
		    !refcount_inc_not_zero(&sk->sk_refcnt))
			continue;
		if (unlikely(!lynx_conn_match(&csk->lsk, type, port, pnode,
					      pport))) {
			sock_put(sk);
			goto begin;
		}
		rcu_read_unlock();
		return sk;
	}
	if (get_nulls_value(node) != slot)
		goto begin;
	rcu_read_unlock();
	return NULL;
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
	struct lynx_conn *c = lynx_sk_conn(sk);

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
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (c->orphaned) {
		c->orphaned = false;
		atomic_dec(&lynx_net(sock_net(sk))->orphans);
	}
}

/* Has an orphan outlived its budget? */
bool lynx_conn_orphan_expired(const struct sock *sk)
{
	const struct lynx_conn *c = lynx_sk_conn(sk);

	return c->orphaned && !time_before(jiffies, c->orphan_deadline);
}

/* A child leaves its listener's accept queue; drops the queue's refs. */
static void lynx_conn_leave_parent(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct sock *parent = c->parent;
	struct lynx_conn *pc;
	bool queued;

	if (!parent)
		return;
	pc = lynx_sk_conn(parent);
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
	sk_stop_timer(sk, &lynx_sk_conn(sk)->ka_timer);
	sk_stop_timer(sk, &lynx_sk_conn(sk)->delack_timer);
	lynx_conn_unhash(sk);
	lynx_conn_purge_write(sk);
	WRITE_ONCE(lsk->peer_port, 0);
	if (lynx_sk_conn(sk)->parent) {
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
	struct lynx_conn *c = lynx_sk_conn(sk);
	struct lynx_hdr_info rst, rst_edge;
	bool reset, edge = false;

	sock_owned_by_me(sk);
	if (sk->sk_state == TCP_CLOSE)
		return;
	/* At snd_nxt, never left of the peer's window.  If the peer is
	 * further on, it answers with a challenge ACK (RFC 5961), which
	 * must find the connection gone and get a reset at the right place:
	 * so the reset leaves after lynx_conn_done() (over lynxlo the
	 * answer may come back before lynx_output() returns).
	 * Data sent beyond the window the peer gave last (a burst into a
	 * window since shrunk, which it dropped) puts snd_nxt beyond what
	 * the peer takes at all, where it discards a reset unanswered: then
	 * a first reset goes at the window's edge, the peer's rcv_nxt when
	 * it dropped the rest (as TCP's tcp_acceptable_seq()).
	 */
	reset = send_rst && sk->sk_state != TCP_SYN_SENT;
	if (reset) {
		lynx_conn_fill(sk, &rst, c->snd_nxt, LYNX_F_RST | LYNX_F_ACK);
		edge = lynx_seq_after(c->snd_nxt, c->snd_wnd_end);
		rst_edge = rst;
		rst_edge.seq = c->snd_wnd_end;
	}
	if (err) {
		WRITE_ONCE(sk->sk_err, err);
		sk_error_report(sk);
	}
	lynx_conn_done(sk);
	if (edge)
		lynx_output_ctl(lynx_net(sock_net(sk)), &rst_edge, sk, NULL, 0);
	if (reset)
		lynx_output_ctl(lynx_net(sock_net(sk)), &rst, sk, NULL, 0);
}

void lynx_conn_established(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	lynx_set_state(sk, TCP_ESTABLISHED);
	c->retries = 0;
	c->quickacks = LYNX_QUICKACKS;
	sk_stop_timer(sk, &sk->sk_timer);
	if (sock_flag(sk, SOCK_KEEPOPEN))
		lynx_conn_keepalive_arm(sk, 0);
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
	if (c->parent)
		c->parent->sk_data_ready(c->parent);
}

/* The peer's FIN arrived, in order. */
void lynx_conn_rcv_fin(struct sock *sk)
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
void lynx_conn_fin_acked(struct sock *sk)
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
	struct lynx_conn *c = lynx_sk_conn(sk);
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
	c->snd_sml = c->iss;
	c->recover = c->iss;
	c->snd_nxt = c->iss + 1;
	c->write_seq = c->iss + 1;
	c->snd_wnd_end = c->snd_nxt;
	c->peer_max_wnd = 0;
	c->rcv_nxt = 0;
	c->retries = 0;
	c->probes = 0;
	lynx_cc_init(c, READ_ONCE(lynx_net(sock_net(sk))->cc_algo));
	/* Offered on the SYN; the SYN|ACK says whether the peer takes it. */
	c->sack_ok = READ_ONCE(lynx_net(sock_net(sk))->sack);
	c->num_sack = 0;
	c->lsndtime = jiffies;
	WRITE_ONCE(c->total_retrans, 0);
	c->fin_queued = false;
	c->rto = LYNX_RTO_INIT;
	/* A new path, perhaps to another peer: nothing of the last one's
	 * round trips (tcp_disconnect() clears them too).  No sample yet:
	 * the first sets every other field of the estimator.
	 */
	WRITE_ONCE(c->rtt.srtt_us, 0);
	c->rcv_rtt_us = 0;
	c->rcv_rtt_time = 0;
	c->rcvq_space = 0;
	c->rcvq_space_time = 0;
	WRITE_ONCE(sk->sk_err, 0);
	WRITE_ONCE(sk->sk_shutdown, 0);
	sock_reset_flag(sk, SOCK_DONE);

	err = lynx_conn_hash(sk);
	if (err)
		goto err_peer;
	lynx_set_state(sk, TCP_SYN_SENT);
	c->syn_sent_us = ktime_to_us(ktime_get());
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
	struct lynx_conn *pc = lynx_sk_conn(sk);
	struct lynx_conn_sock *child;
	bool ready = false;

	spin_lock_bh(&pc->accept_lock);
	list_for_each_entry(child, &pc->accept_q, conn.accept_node) {
		if (READ_ONCE(child->lsk.sk.sk_state) != TCP_SYN_RECV) {
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
	struct lynx_conn *pc = lynx_sk_conn(sk);
	struct lynx_conn_sock *lchild, *found = NULL;
	struct sock *child;

	sock_owned_by_me(sk);
	spin_lock_bh(&pc->accept_lock);
	list_for_each_entry(lchild, &pc->accept_q, conn.accept_node) {
		if (READ_ONCE(lchild->lsk.sk.sk_state) != TCP_SYN_RECV) {
			found = lchild;
			sock_hold(&found->lsk.sk);
			break;
		}
	}
	spin_unlock_bh(&pc->accept_lock);
	if (!found)
		return NULL;

	child = &found->lsk.sk;
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
	struct lynx_conn *pc = lynx_sk_conn(sk);
	struct lynx_conn_sock *lchild;
	struct sock *child;

	sock_owned_by_me(sk);
	/* From here on the receive path adds no child. */
	spin_lock_bh(&pc->accept_lock);
	lynx_set_state(sk, TCP_CLOSE);
	spin_unlock_bh(&pc->accept_lock);

	for (;;) {
		spin_lock_bh(&pc->accept_lock);
		lchild = list_first_entry_or_null(&pc->accept_q,
						  struct lynx_conn_sock,
						  conn.accept_node);
		if (lchild)
			sock_hold(&lchild->lsk.sk);
		spin_unlock_bh(&pc->accept_lock);
		if (!lchild)
			break;
		child = &lchild->lsk.sk;
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

/* proto .init for STREAM and SEQPACKET, after lynx_sock_init(). */
void lynx_conn_sock_init(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	c->hash_node.pprev = NULL;	/* unhashed */
	INIT_LIST_HEAD(&c->accept_node);
	INIT_LIST_HEAD(&c->accept_q);
	spin_lock_init(&c->accept_lock);
	skb_queue_head_init(&c->ooo_q);
	c->rto = LYNX_RTO_INIT;
	lynx_cc_init(c, READ_ONCE(lynx_net(sock_net(sk))->cc_algo));
	c->lsndtime = jiffies;
	c->oow_ack_until = jiffies;
	c->rcv_tstamp = jiffies;
	timer_setup(&sk->sk_timer, lynx_conn_timer, 0);
	timer_setup(&c->ka_timer, lynx_conn_keepalive_timer, 0);
	timer_setup(&c->delack_timer, lynx_conn_delack_timer, 0);
	sk->sk_write_space = lynx_conn_write_space;
	sk->sk_backlog_rcv = lynx_conn_backlog_rcv;
	sk->sk_destruct = lynx_conn_destruct;
}

/* sk_destruct of connection sockets: every queue empty, memory returned. */
void lynx_conn_destruct(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	skb_queue_purge(&c->ooo_q);
	lynx_conn_purge_write(sk);
	sk_mem_reclaim_final(sk);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
	WARN_ON_ONCE(sk->sk_wmem_queued);
	WARN_ON_ONCE(sk->sk_forward_alloc);
}
