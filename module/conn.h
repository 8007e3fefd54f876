/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: what the four files of the connection transport share among
 * themselves (conn.c the lifecycle, conn_output.c, conn_input.c,
 * conn_timer.c), private to them as net/can/af_can.h is to net/can.  What
 * other files and KUnit call is in <net/lynx.h>.
 */
#ifndef _LYNX_CONN_INTERNAL_H
#define _LYNX_CONN_INTERNAL_H

#include <net/lynx.h>

/* conn.c */
int lynx_conn_hash(struct sock *sk);
struct sock *lynx_conn_lookup(struct lynx_net *ln, u8 type, u32 port,
			      u32 pnode, u32 pport);
bool lynx_conn_orphan_expired(const struct sock *sk);
void lynx_conn_established(struct sock *sk);
void lynx_conn_rcv_fin(struct sock *sk);
void lynx_conn_fin_acked(struct sock *sk);

/* conn_output.c */
u32 lynx_conn_window(const struct sock *sk);
void lynx_conn_fill(struct sock *sk, struct lynx_hdr_info *info,
		    u32 seq, u8 flags);
int lynx_conn_xmit_ctl(struct sock *sk, u8 flags, u32 seq);
void lynx_conn_schedule_ack(struct sock *sk);
void lynx_conn_send_keepalive(struct sock *sk);
bool lynx_conn_oow_allow(struct sock *sk);
void lynx_conn_send_challenge_ack(struct sock *sk);
void lynx_conn_reply_rst(struct lynx_net *ln,
			 const struct lynx_hdr_info *in);
u32 lynx_conn_mss(struct sock *sk);
int lynx_conn_xmit_skb(struct sock *sk, struct sk_buff *skb);
void lynx_conn_arm(struct sock *sk, unsigned long when);
struct sk_buff *lynx_conn_wq_next(struct sock *sk, struct sk_buff *skb);
bool lynx_conn_can_send(const struct sock *sk);
void lynx_conn_retransmit_head(struct sock *sk);
void lynx_conn_resend_lost(struct sock *sk);
int lynx_conn_resend(struct sock *sk, struct sk_buff *skb);
void lynx_conn_purge_write(struct sock *sk);
void lynx_conn_write_space(struct sock *sk);

/* As tcp_retransmit_skb(): no segment past the peer's window goes again
 * but the oldest (lynx_conn_resend_lost(), lynx_conn_sack_resend()).
 */
static inline bool lynx_conn_resend_in_window(const struct lynx_conn *c,
					      const struct lynx_seg_cb *cb)
{
	return lynx_seq_before(cb->seq, c->snd_wnd_end) ||
	       cb->seq == c->snd_una;
}

/* conn_input.c */
bool lynx_conn_ack(struct sock *sk, const struct sk_buff *seg);

/* conn_sack.c */
unsigned int lynx_conn_sack_fill(const struct sock *sk,
				 struct lynx_sack_block *blocks);
void lynx_conn_sack_mark(struct sock *sk, const struct sk_buff *seg, u32 mss);
void lynx_conn_sack_acked(struct lynx_conn *c, const struct lynx_seg_cb *cb);
void lynx_conn_sack_reordered(struct lynx_conn *c,
			      const struct lynx_seg_cb *cb, u32 highest,
			      u32 mss);
void lynx_conn_sack_clear(struct sock *sk, u32 mss);
void lynx_conn_sack_retrans(struct lynx_conn *c, struct sk_buff *skb);
bool lynx_conn_sack_resend(struct sock *sk, bool force);

/* conn_timer.c */
void lynx_conn_keepalive_arm(struct sock *sk, unsigned long when);
void lynx_conn_keepalive_timer(struct timer_list *t);
void lynx_conn_delack_timer(struct timer_list *t);
void lynx_conn_timer(struct timer_list *t);

#endif /* _LYNX_CONN_INTERNAL_H */
