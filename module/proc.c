// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: /proc/net/lynx (one line per socket), /proc/net/lynx_stat (the
 * protocol counters) and /proc/net/lynx_neigh (the neighbour table).
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/lynx.h>
#include <net/lynx_neigh.h>

static const char *const lynx_type_names[] = {
	[LYNX_T_DGRAM]		= "DGRAM",
	[LYNX_T_STREAM]		= "STREAM",
	[LYNX_T_SEQPACKET]	= "SEQPACKET",
};

/* A socket's state; @port is the one it is bound to (0: none). */
static const char *lynx_state_name(const struct sock *sk, u32 port)
{
	switch (READ_ONCE(sk->sk_state)) {
	case TCP_LISTEN:
		return "LISTEN";
	case TCP_ESTABLISHED:
		return "CONNECTED";
	case TCP_SYN_SENT:
		return "SYN_SENT";
	case TCP_SYN_RECV:
		return "SYN_RECV";
	case TCP_FIN_WAIT1:
		return "FIN_WAIT1";
	case TCP_FIN_WAIT2:
		return "FIN_WAIT2";
	case TCP_CLOSE_WAIT:
		return "CLOSE_WAIT";
	case TCP_LAST_ACK:
		return "LAST_ACK";
	case TCP_CLOSING:
		return "CLOSING";
	default:
		return port ? "BOUND" : "UNBOUND";
	}
}

static void *lynx_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(ln->sk_list_lock)
{
	struct lynx_net *ln = lynx_net(seq_file_net(seq));

	spin_lock_bh(&ln->sk_list_lock);
	return *pos ? seq_hlist_start(&ln->sk_list, *pos - 1) :
		      SEQ_START_TOKEN;
}

static void *lynx_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct lynx_net *ln = lynx_net(seq_file_net(seq));

	return seq_hlist_next(v, &ln->sk_list, pos);
}

static void lynx_seq_stop(struct seq_file *seq, void *v)
	__releases(ln->sk_list_lock)
{
	struct lynx_net *ln = lynx_net(seq_file_net(seq));

	spin_unlock_bh(&ln->sk_list_lock);
}

/* A connection's congestion window and threshold (segments), smoothed
 * RTT (us), retransmitted segments and congestion control (the namespace's
 * when the connection began); zeros and "-" for a datagram or raw socket.
 * Read without the socket lock (WRITE_ONCE() on the other side).
 */
static void lynx_seq_show_conn(struct seq_file *seq,
			       const struct lynx_sock *lsk)
{
	const struct lynx_conn *c;

	if (lsk->sk.sk_type != SOCK_STREAM &&
	    lsk->sk.sk_type != SOCK_SEQPACKET) {
		seq_printf(seq, " %5u %10u %8u %7u %-5s\n", 0, 0, 0, 0, "-");
		return;
	}
	c = lynx_sk_conn(&lsk->sk);
	seq_printf(seq, " %5u %10u %8u %7u %-5s\n", READ_ONCE(c->snd_cwnd),
		   READ_ONCE(c->snd_ssthresh), READ_ONCE(c->rtt.srtt_us) >> 3,
		   READ_ONCE(c->total_retrans),
		   lynx_cc_name(READ_ONCE(c->cc_algo)));
}

static int lynx_seq_show(struct seq_file *seq, void *v)
{
	struct lynx_net *ln = lynx_net(seq_file_net(seq));
	const struct lynx_sock *lsk;
	const struct sock *sk;
	u32 node, port;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "type      state       local               peer                rx_queue tx_queue   uid    inode  cwnd   ssthresh  srtt_us retrans cc\n");
		return 0;
	}
	lsk = hlist_entry(v, struct lynx_sock, list_node);
	sk = &lsk->sk;
	if (sk->sk_type == SOCK_RAW) {
		/* Bound to a filter, not to a port of the tables. */
		lynx_raw_filter(sk, &node, &port);
	} else {
		node = READ_ONCE(lsk->node);
		port = READ_ONCE(lsk->port);
		if (node == LYNX_NODE_LOCAL)
			node = READ_ONCE(ln->node);
		if (!port)
			node = LYNX_NODE_ANY;
	}
	seq_printf(seq, "%-9s %-11s %08x:%-10u %08x:%-10u %8d %8d %5u %8lu",
		   sk->sk_type == SOCK_RAW ? "RAW" : lynx_type_names[lsk->type],
		   lynx_state_name(sk, port), node, port,
		   READ_ONCE(lsk->peer_port) ? READ_ONCE(lsk->peer_node) : 0,
		   READ_ONCE(lsk->peer_port),
		   sk_rmem_alloc_get(sk), sk_wmem_alloc_get(sk),
		   from_kuid_munged(seq_user_ns(seq), sock_i_uid((struct sock *)sk)),
		   sock_i_ino((struct sock *)sk));
	lynx_seq_show_conn(seq, lsk);
	return 0;
}

static const struct seq_operations lynx_seq_ops = {
	.start	= lynx_seq_start,
	.next	= lynx_seq_next,
	.stop	= lynx_seq_stop,
	.show	= lynx_seq_show,
};

static const char *const lynx_mib_names[LYNX_MIB_MAX] = {
	[LYNX_MIB_FRAMES_IN]		= "frames_in",
	[LYNX_MIB_FRAMES_OUT]		= "frames_out",
	[LYNX_MIB_DROP_TRUNCATED]	= "drop_truncated",
	[LYNX_MIB_DROP_VERSION]		= "drop_version",
	[LYNX_MIB_DROP_MALFORMED]	= "drop_malformed",
	[LYNX_MIB_DROP_CSUM]		= "drop_csum",
	[LYNX_MIB_DROP_NOT_FOR_US]	= "drop_not_for_us",
	[LYNX_MIB_DROP_NO_SOCKET]	= "drop_no_socket",
	[LYNX_MIB_DROP_RCVBUF]		= "drop_rcvbuf",
	[LYNX_MIB_DROP_NOMEM]		= "drop_nomem",
	[LYNX_MIB_DROP_TX]		= "drop_tx",
	[LYNX_MIB_DROP_OOW]		= "drop_out_of_window",
	[LYNX_MIB_RETRANS]		= "retransmits",
	[LYNX_MIB_RESETS]		= "resets_sent",
	[LYNX_MIB_REPLY_RATELIMITED]	= "replies_ratelimited",
	[LYNX_MIB_DROP_DEVICE]		= "drop_device",
	[LYNX_MIB_RAW_DROPS]		= "raw_drops",
	[LYNX_MIB_TIMEOUTS]		= "timeouts",
	[LYNX_MIB_FAST_RECOVERIES]	= "fast_recoveries",
	[LYNX_MIB_SACK_RECOVERIES]	= "sack_recoveries",
};

static int lynx_stat_show(struct seq_file *seq, void *v)
{
	struct lynx_net *ln = lynx_net(seq_file_single_net(seq));
	int i;

	for (i = 0; i < LYNX_MIB_MAX; i++)
		seq_printf(seq, "%s %lu\n", lynx_mib_names[i],
			   lynx_stats_read(ln, i));
	return 0;
}

static int lynx_neigh_show(struct seq_file *seq, void *v)
{
	return lynx_neigh_seq_show_all(seq,
				       lynx_net(seq_file_single_net(seq)));
}

int lynx_proc_init_net(struct net *net)
{
	if (!proc_create_net("lynx", 0444, net->proc_net, &lynx_seq_ops,
			     sizeof(struct seq_net_private)))
		goto err;
	if (!proc_create_net_single("lynx_stat", 0444, net->proc_net,
				    lynx_stat_show, NULL))
		goto err_lynx;
	if (!proc_create_net_single("lynx_neigh", 0444, net->proc_net,
				    lynx_neigh_show, NULL))
		goto err_stat;
	return 0;

err_stat:
	remove_proc_entry("lynx_stat", net->proc_net);
err_lynx:
	remove_proc_entry("lynx", net->proc_net);
err:
	return -ENOMEM;
}

void lynx_proc_exit_net(struct net *net)
{
	remove_proc_entry("lynx_neigh", net->proc_net);
	remove_proc_entry("lynx_stat", net->proc_net);
	remove_proc_entry("lynx", net->proc_net);
}
