// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: SOCK_DGRAM sockets: best effort, message boundaries, UDP semantics.
 *
 * Send: sock_alloc_send_skb() charges sk_wmem_alloc and blocks on
 * SO_SNDBUF; the charge is released when the frame leaves the device.
 * Receive: lynx_dgram_rcv() queues with sock_queue_rcv_skb(), which
 * charges sk_rmem_alloc, enforces SO_RCVBUF and counts drops in sk_drops.
 */
#include <linux/net.h>
#include <linux/sockios.h>
#include <asm/ioctls.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>

/* Where a received datagram came from, kept in skb->cb for recvmsg. */
struct lynx_skb_cb {
	u32 src_node;
	u32 src_port;
};

static struct lynx_skb_cb *lynx_cb(struct sk_buff *skb)
{
	BUILD_BUG_ON(sizeof(struct lynx_skb_cb) >
		     sizeof_field(struct sk_buff, cb) -
		     sizeof(struct sock_skb_cb));
	return (struct lynx_skb_cb *)skb->cb;
}

static int lynx_dgram_init(struct sock *sk)
{
	lynx_sock_init(sk);
	return 0;
}

static void lynx_dgram_close(struct sock *sk, long timeout)
{
	lynx_sock_unlink(sk);
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

struct proto lynx_dgram_proto = {
	.name		= "LYNX_DGRAM",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lynx_sock),
	.init		= lynx_dgram_init,
	.close		= lynx_dgram_close,
};

/* Resolve the destination of a send: msg_name, or the connected peer. */
static int lynx_dgram_dest(struct sock *sk, struct msghdr *msg,
			   u32 *node, u32 *port)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	DECLARE_SOCKADDR(struct sockaddr_lynx *, slx, msg->msg_name);
	int err;

	if (slx) {
		err = lynx_addr_check((struct sockaddr *)slx, msg->msg_namelen);
		if (err)
			return err;
		if (!slx->slx_port || slx->slx_node == LYNX_NODE_ANY)
			return -EINVAL;
		*node = slx->slx_node;
		*port = slx->slx_port;
		return 0;
	}
	if (!lsk->peer_port)
		return -EDESTADDRREQ;
	*node = lsk->peer_node;
	*port = lsk->peer_port;
	return 0;
}

static int lynx_dgram_sendmsg(struct socket *sock, struct msghdr *msg,
			      size_t len)
{
	struct sock *sk = sock->sk;
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct lynx_hdr_info info = { .type = LYNX_T_DGRAM };
	struct sk_buff *skb;
	int mtu, err;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	err = lynx_dgram_dest(sk, msg, &info.dst_node, &info.dst_port);
	if (!err)
		err = lynx_autobind(sk);
	info.src_port = lsk->port;
	release_sock(sk);
	if (err)
		return err;

	info.src_node = READ_ONCE(ln->node);
	if (info.dst_node == LYNX_NODE_LOCAL)
		info.dst_node = info.src_node;

	mtu = lynx_path_mtu(ln, info.dst_node);
	if (!mtu)
		return -ENETUNREACH;
	if (len > mtu - LYNX_HLEN || len > U16_MAX)
		return -EMSGSIZE;

	skb = sock_alloc_send_skb(sk, LYNX_HEADROOM + len,
				  msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		return err;
	skb_reserve(skb, LYNX_HEADROOM);
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err) {
		kfree_skb(skb);
		return err;
	}
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);

	info.len = len;
	lynx_hdr_push(skb, &info);
	err = lynx_output(ln, skb, info.dst_node);
	return err ? err : len;
}

/**
 * lynx_recv_datagram - recvmsg of a socket with one message per skb
 * @sk:     a datagram or raw socket
 * @msg:    where the message and its source address go
 * @len:    room in @msg
 * @flags:  recvmsg's flags (MSG_PEEK, MSG_DONTWAIT, MSG_TRUNC)
 * @source: reads the source address of a received skb into a zeroed
 *          address (each type keeps it in its own place)
 *
 * A message longer than @len is cut and flagged MSG_TRUNC, as UDP does.
 * Shared by lynx_dgram_ops and lynx_raw_ops.
 *
 * Return: the bytes copied (the message's length with MSG_TRUNC), or a
 * negative errno.
 */
int lynx_recv_datagram(struct sock *sk, struct msghdr *msg, size_t len,
		       int flags,
		       void (*source)(const struct sk_buff *skb,
				      struct sockaddr_lynx *slx))
{
	DECLARE_SOCKADDR(struct sockaddr_lynx *, slx, msg->msg_name);
	struct sk_buff *skb;
	size_t copied;
	int err;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;

	skb = skb_recv_datagram(sk, flags, &err);
	if (!skb)
		return err;

	copied = skb->len;
	if (len < copied) {
		msg->msg_flags |= MSG_TRUNC;
		copied = len;
	}
	err = skb_copy_datagram_msg(skb, 0, msg, copied);
	if (err)
		goto out_free;

	sock_recv_cmsgs(msg, sk, skb);
	if (slx) {
		memset(slx, 0, sizeof(*slx));
		slx->slx_family = lynx_family;
		source(skb, slx);
		msg->msg_namelen = sizeof(*slx);
	}
	err = (flags & MSG_TRUNC) ? skb->len : copied;
out_free:
	skb_free_datagram(sk, skb);
	return err;
}

static void lynx_dgram_source(const struct sk_buff *skb,
			      struct sockaddr_lynx *slx)
{
	const struct lynx_skb_cb *cb = (const struct lynx_skb_cb *)skb->cb;

	slx->slx_node = cb->src_node;
	slx->slx_port = cb->src_port;
}

static int lynx_dgram_recvmsg(struct socket *sock, struct msghdr *msg,
			      size_t len, int flags)
{
	return lynx_recv_datagram(sock->sk, msg, len, flags,
				  lynx_dgram_source);
}

static int lynx_dgram_connect(struct socket *sock, struct sockaddr *addr,
			      int len, int flags)
{
	const struct sockaddr_lynx *slx = (const struct sockaddr_lynx *)addr;
	struct sock *sk = sock->sk;
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	int err;

	if (len >= (int)sizeof(addr->sa_family) &&
	    addr->sa_family == AF_UNSPEC) {
		lock_sock(sk);
		WRITE_ONCE(lsk->peer_port, 0);
		WRITE_ONCE(lsk->peer_node, 0);
		lynx_set_state(sk, TCP_CLOSE);
		release_sock(sk);
		return 0;
	}

	err = lynx_addr_check(addr, len);
	if (err)
		return err;
	if (!slx->slx_port || slx->slx_node == LYNX_NODE_ANY)
		return -EINVAL;

	lock_sock(sk);
	err = lynx_autobind(sk);
	if (!err) {
		WRITE_ONCE(lsk->peer_node, slx->slx_node == LYNX_NODE_LOCAL ?
					   READ_ONCE(ln->node) : slx->slx_node);
		WRITE_ONCE(lsk->peer_port, slx->slx_port);
		lynx_set_state(sk, TCP_ESTABLISHED);
	}
	release_sock(sk);
	return err;
}

static int lynx_dgram_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	/* SHUT_RD, SHUT_WR, SHUT_RDWR -> RCV_SHUTDOWN, SEND_SHUTDOWN, both */
	how++;
	if (how < RCV_SHUTDOWN || how > SHUTDOWN_MASK)
		return -EINVAL;

	lock_sock(sk);
	if (!lynx_sk(sk)->peer_port)
		err = -ENOTCONN;
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

/**
 * lynx_dgram_ioctl - SIOCINQ and SIOCOUTQ of a socket with message queues
 * @sock: a SOCK_DGRAM or SOCK_RAW socket
 * @cmd:  the ioctl
 * @arg:  where the int answer goes
 *
 * Return: 0, -EFAULT, or -ENOIOCTLCMD for an ioctl of no lynx socket's.
 */
int lynx_dgram_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct sk_buff *skb;
	int amount = 0;

	switch (cmd) {
	case SIOCOUTQ:
		amount = sk_wmem_alloc_get(sk);
		break;
	case SIOCINQ:
		/* As UDP: the size of the next datagram. */
		spin_lock_bh(&sk->sk_receive_queue.lock);
		skb = skb_peek(&sk->sk_receive_queue);
		if (skb)
			amount = skb->len;
		spin_unlock_bh(&sk->sk_receive_queue.lock);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(amount, (int __user *)arg);
}

/* Tell a connected sender its peer port is dead, as ICMP does for UDP. */
static void lynx_dgram_refuse(struct lynx_net *ln,
			      const struct lynx_hdr_info *in)
{
	struct lynx_hdr_info info = {
		.type = LYNX_T_DGRAM, .flags = LYNX_F_RST,
		.src_node = in->dst_node, .src_port = in->dst_port,
		.dst_node = in->src_node, .dst_port = in->src_port,
	};

	if (lynx_reply_allow(ln))
		lynx_output_ctl(ln, &info, NULL, NULL, 0);
}

/**
 * lynx_dgram_rcv - deliver a datagram frame to its socket
 * @ln: the receiving namespace
 * @skb: the frame, data at the payload; consumed
 * @info: its decoded header
 *
 * Return: 0 when queued or consumed, or a NET_RX_DROP reason kept in the
 * counters.
 */
int lynx_dgram_rcv(struct lynx_net *ln, struct sk_buff *skb,
		   const struct lynx_hdr_info *info)
{
	struct lynx_sock *lsk;
	struct sock *sk;
	int err, rmem;

	sk = lynx_lookup_bound(ln, LYNX_T_DGRAM, info->dst_port);
	if (!sk) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NO_SOCKET);
		if (!(info->flags & LYNX_F_RST))
			lynx_dgram_refuse(ln, info);
		kfree_skb(skb);
		return NET_RX_DROP;
	}
	lsk = lynx_sk(sk);

	/* A connected socket hears only its peer. */
	if (READ_ONCE(lsk->peer_port) &&
	    (READ_ONCE(lsk->peer_port) != info->src_port ||
	     READ_ONCE(lsk->peer_node) != info->src_node)) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NO_SOCKET);
		goto drop;
	}

	if (info->flags & LYNX_F_RST) {
		/* As for UDP's ICMP errors: only a connected socket hears. */
		if (!READ_ONCE(lsk->peer_port)) {
			consume_skb(skb);
			sock_put(sk);
			return NET_RX_SUCCESS;
		}
		WRITE_ONCE(sk->sk_err, ECONNREFUSED);
		sk_error_report(sk);
		consume_skb(skb);
		sock_put(sk);
		return NET_RX_SUCCESS;
	}

	if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN) {
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_NO_SOCKET);
		goto drop;
	}

	lynx_cb(skb)->src_node = info->src_node;
	lynx_cb(skb)->src_port = info->src_port;
	/* SO_RCVBUF is a hard bound: a datagram that would push the queue
	 * past it is dropped, unless the queue is empty (so that one larger
	 * than the whole buffer still gets through, as with UDP).
	 */
	rmem = atomic_read(&sk->sk_rmem_alloc);
	if (rmem && rmem + skb->truesize > READ_ONCE(sk->sk_rcvbuf)) {
		atomic_inc(&sk->sk_drops);
		LYNX_INC_STATS(ln, LYNX_MIB_DROP_RCVBUF);
		goto drop;
	}
	/* Charges sk_rmem_alloc and stamps skb with the drop count. */
	err = sock_queue_rcv_skb(sk, skb);
	if (err) {
		LYNX_INC_STATS(ln, err == -ENOMEM ? LYNX_MIB_DROP_RCVBUF :
						    LYNX_MIB_DROP_NOMEM);
		goto drop;
	}
	sock_put(sk);
	return NET_RX_SUCCESS;

drop:
	kfree_skb(skb);
	sock_put(sk);
	return NET_RX_DROP;
}

const struct proto_ops lynx_dgram_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_sock_bind,
	.connect	= lynx_dgram_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lynx_sock_getname,
	.poll		= datagram_poll,
	.ioctl		= lynx_dgram_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= lynx_dgram_shutdown,
	.sendmsg	= lynx_dgram_sendmsg,
	.recvmsg	= lynx_dgram_recvmsg,
	.mmap		= sock_no_mmap,
	LYNX_PROTO_OPS_SENDPAGE
};
