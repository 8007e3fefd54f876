// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, the timers: SO_KEEPALIVE, delayed acknowledgments, and
 * the one retransmission timer per socket (handshake retries,
 * retransmission, window probes, the end of an orphan).  As tcp_timer.c is
 * to TCP.
 */
#include <kunit/visibility.h>
#include <net/sock.h>
#include <net/lynx.h>
#include "conn.h"

/* ---- keepalive ----------------------------------------------------------- */

/* SO_KEEPALIVE, as TCP's: after net.lynx.keepalive_time seconds without a
 * segment from the peer on an idle connection, a probe every
 * net.lynx.keepalive_intvl seconds; net.lynx.keepalive_probes unanswered
 * probes end the connection with ETIMEDOUT.  The probe repeats the last
 * acknowledged byte (seq snd_una - 1, one byte of zero, as BSD's did): a
 * duplicate, which every receiver acknowledges and none delivers.  With
 * data outstanding the retransmission timer watches the peer instead.
 */

/* @when 0: the full idle time from now. */
void lynx_conn_keepalive_arm(struct sock *sk, unsigned long when)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));

	if (!when)
		when = READ_ONCE(ln->keepalive_time) * (unsigned long)HZ;
	sk_reset_timer(sk, &lynx_sk_conn(sk)->ka_timer, jiffies + when);
}

static void lynx_conn_keepalive(struct sock *sk)
{
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_conn *c = lynx_sk_conn(sk);
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

void lynx_conn_keepalive_timer(struct timer_list *t)
{
	struct lynx_conn *c = from_timer(c, t, ka_timer);
	struct sock *sk = &container_of(c, struct lynx_conn_sock, conn)->lsk.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))
		sk_reset_timer(sk, &c->ka_timer,
			       jiffies + LYNX_KA_OWNED_RETRY);
	else
		lynx_conn_keepalive(sk);
	bh_unlock_sock(sk);
	sock_put(sk);		/* the timer's reference */
}

/* ---- delayed acknowledgments -------------------------------------------- */

/* The ACK lynx_conn_ack_data() held back: no segment of ours carried it. */
void lynx_conn_delack_timer(struct timer_list *t)
{
	struct lynx_conn *c = from_timer(c, t, delack_timer);
	struct sock *sk = &container_of(c, struct lynx_conn_sock, conn)->lsk.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk))	/* the next tick: see LYNX_RTO_MIN */
		sk_reset_timer(sk, &c->delack_timer, jiffies + 1);
	else if (c->ack_pending && sk->sk_state != TCP_CLOSE)
		lynx_conn_send_ack(sk);
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
	struct lynx_conn *c = lynx_sk_conn(sk);

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

/* Two timeouts in a row: the path may be wrong, not just lossy (see
 * lynx_neigh_forget()); the next tries are broadcast until the peer's
 * answer is learned again.
 */
static void lynx_conn_negative_advice(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);

	if (c->retries >= 2)
		lynx_neigh_forget(lynx_net(sock_net(sk)),
				  lynx_sk(sk)->peer_node);
}

/* Is the peer's window open at snd_una?  Closed, what is in flight probes. */
static bool lynx_conn_wnd_open(const struct lynx_conn *c)
{
	return lynx_seq_after(c->snd_wnd_end, c->snd_una);
}

void lynx_conn_timeout(struct sock *sk)
{
	struct lynx_conn *c = lynx_sk_conn(sk);
	unsigned int budget;
	u32 mss;

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
		LYNX_INC_STATS(lynx_net(sock_net(sk)), LYNX_MIB_RETRANS);
		WRITE_ONCE(c->total_retrans, c->total_retrans + 1);
		/* A peer whose lynx predates LYNX_F_SACK drops a SYN with an
		 * unknown flag: the SYN goes again without the offer, as
		 * TCP's SYN sent again drops ECN's.
		 */
		if (sk->sk_state == TCP_SYN_SENT)
			c->sack_ok = false;
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
		LYNX_INC_STATS(lynx_net(sock_net(sk)), LYNX_MIB_TIMEOUTS);
		mss = lynx_conn_mss(sk);
		lynx_conn_sack_clear(sk, mss);
		lynx_cc_on_rto(c, lynx_cc_flight(c->snd_una, c->snd_nxt, mss),
			       !c->retries);
		c->retries++;
		lynx_conn_resend_lost(sk);
		lynx_conn_arm(sk, lynx_rto_backoff(c->rto, c->retries));
	} else if (c->snd_una != c->snd_nxt || c->send_head) {
		/* The window is closed: probe it with the oldest segment
		 * (or the next one).  An answer resets the count of a
		 * socket with an owner (lynx_conn_ack()); silence, or an
		 * orphan's budget, ends the connection.
		 */
		if (c->probes >= budget) {
			lynx_conn_abort(sk, ETIMEDOUT, true);
			return;
		}
		c->probes++;
		/* A probe's backed-off timer is no RTO for the next hole:
		 * the next partial ACK restarts it.
		 */
		c->partial_acked = false;
		if (c->snd_una != c->snd_nxt) {
			lynx_conn_retransmit_head(sk);
		} else if (!lynx_conn_xmit_skb(sk, c->send_head)) {
			c->snd_nxt = lynx_seg_cb(c->send_head)->end_seq;
			c->send_head = lynx_conn_wq_next(sk, c->send_head);
		}
		lynx_conn_arm(sk, lynx_rto_backoff(c->rto, c->probes));
	}
}
EXPORT_SYMBOL_IF_KUNIT(lynx_conn_timeout);

void lynx_conn_timer(struct timer_list *t)
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
