// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: SOCK_RAW sockets: whole lynx frames, header included, of the
 * socket's namespace, as IP's raw sockets are for IP.
 *
 * Permission: socket() needs CAP_NET_RAW over the user namespace owning
 * the socket's network namespace (lynx_create()).  A raw socket then sees
 * and sends the frames of the devices its namespace may use raw: lynxlo,
 * and the segment devices whose segment the namespace owns (see
 * lynx_dev_raw_ok() and the top of dev.c).
 *
 * Receive: lynx_rcv() offers lynx_raw_rcv() every frame it accepted for
 * this node (header, checksum and destination checked, Ethernet padding
 * gone) before the frame's own socket type sees it.  Each raw socket whose
 * filter takes the frame gets a clone, queued with sock_queue_rcv_skb()
 * (charged to SO_RCVBUF; a full queue drops the copy and counts it in
 * sk_drops and raw_drops), and the frame itself goes on as if no raw
 * socket existed: a raw socket never steals a frame.  The filter: bind()'s
 * port (frames to that port; 0, as unbound, for every port) and
 * LYNX_RAW_TYPES (the frame types, every one by default).  A namespace
 * without raw sockets pays one test of an empty list (lynx_raw_wanted()).
 * A frame that never left memory (lynxlo, a segment) has no checksum in
 * its header (see wire.c): it is filled in before the first copy is
 * taken, so that a raw socket reads every frame as a wire carries it.
 *
 * Send: the user writes the lynx header and the payload.  The header must
 * be one lynx_rcv() would take: version, known type, known flags, reserved
 * 0, a length that is the payload's; the source node must be this node
 * (LYNX_NODE_LOCAL stands for it): a raw socket speaks for its own node
 * only, from any port.  The kernel sees to the checksum, as IP's does for
 * IP_HDRINCL (left to the device, as for every frame: see wire.c), and
 * sends the frame to the header's destination node through
 * lynx_output_raw().  Else EINVAL; EMSGSIZE beyond the path's MTU.
 *
 * The raw sockets of a namespace are on lynx_net.raw_list, from proto
 * .init to .close; see <net/lynx.h> for the locking and the references.
 */
#include <linux/net.h>
#include <linux/sockptr.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>

/**
 * struct lynx_raw_sock - a SOCK_RAW socket
 * @lsk:      the lynx socket; must stay first.  It takes no port: its
 *            port stays 0 and it is in no bind table
 * @raw_node: in lynx_net.raw_list from lynx_raw_init() to lynx_raw_close()
 * @port:     bind()'s filter: frames to this port only, 0 for every port
 * @node:     the node bind() named, LYNX_NODE_ANY before (getsockname)
 * @types:    LYNX_RAW_TYPES: bit (1 << type) for each frame type taken
 *
 * @port, @node and @types change under the socket lock; the receive path
 * and /proc read them with READ_ONCE().
 */
struct lynx_raw_sock {
	struct lynx_sock	lsk;
	struct hlist_node	raw_node;
	u32			port;
	u32			node;
	u32			types;
};

static struct lynx_raw_sock *lynx_raw_sk(const struct sock *sk)
{
	return container_of(lynx_sk(sk), struct lynx_raw_sock, lsk);
}

static int lynx_raw_init(struct sock *sk)
{
	struct lynx_raw_sock *rsk = lynx_raw_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	lynx_sock_init(sk);
	rsk->node = LYNX_NODE_ANY;
	rsk->types = LYNX_RAW_TYPES_ALL;
	spin_lock(&ln->raw_lock);
	hlist_add_head_rcu(&rsk->raw_node, &ln->raw_list);
	spin_unlock(&ln->raw_lock);
	return 0;
}

static void lynx_raw_close(struct sock *sk, long timeout)
{
	struct lynx_raw_sock *rsk = lynx_raw_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	spin_lock(&ln->raw_lock);
	hlist_del_init_rcu(&rsk->raw_node);
	spin_unlock(&ln->raw_lock);
	lynx_sock_unlink(sk);
	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

struct proto lynx_raw_proto = {
	.name		= "LYNX_RAW",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lynx_raw_sock),
	.init		= lynx_raw_init,
	.close		= lynx_raw_close,
};

/**
 * lynx_raw_filter - the address a raw socket is bound to, for /proc
 * @sk:   a SOCK_RAW socket
 * @node: the node bind() named (this namespace's id for LYNX_NODE_LOCAL),
 *        LYNX_NODE_ANY before
 * @port: the port it takes frames for, 0 for every port
 */
void lynx_raw_filter(const struct sock *sk, u32 *node, u32 *port)
{
	const struct lynx_raw_sock *rsk = lynx_raw_sk(sk);

	*node = READ_ONCE(rsk->node);
	*port = READ_ONCE(rsk->port);
	if (*node == LYNX_NODE_LOCAL)
		*node = READ_ONCE(lynx_net(sock_net(sk))->node);
}

/* bind(): the filter, not a port of the bind tables; again and again. */
static int lynx_raw_bind(struct socket *sock, struct sockaddr *addr, int len)
{
	const struct sockaddr_lynx *slx = (const struct sockaddr_lynx *)addr;
	struct sock *sk = sock->sk;
	struct lynx_raw_sock *rsk = lynx_raw_sk(sk);
	int err;

	err = lynx_addr_check(addr, len);
	if (err)
		return err;
	if (slx->slx_node != LYNX_NODE_ANY &&
	    !lynx_node_is_local(lynx_net(sock_net(sk)), slx->slx_node))
		return -EADDRNOTAVAIL;

	lock_sock(sk);
	WRITE_ONCE(rsk->node, slx->slx_node);
	WRITE_ONCE(rsk->port, slx->slx_port);
	release_sock(sk);
	return 0;
}

static int lynx_raw_getname(struct socket *sock, struct sockaddr *addr,
			    int peer)
{
	struct sockaddr_lynx *slx = (struct sockaddr_lynx *)addr;

	if (peer)
		return -ENOTCONN;
	memset(slx, 0, sizeof(*slx));
	slx->slx_family = lynx_family;
	lock_sock(sock->sk);
	lynx_raw_filter(sock->sk, &slx->slx_node, &slx->slx_port);
	release_sock(sock->sk);
	return sizeof(*slx);
}

static int lynx_raw_setsockopt(struct socket *sock, int level, int optname,
			       sockptr_t optval, unsigned int optlen)
{
	struct sock *sk = sock->sk;
	u32 types;

	if (level != SOL_LYNX || optname != LYNX_RAW_TYPES)
		return -ENOPROTOOPT;
	if (optlen < sizeof(types))
		return -EINVAL;
	if (copy_from_sockptr(&types, optval, sizeof(types)))
		return -EFAULT;
	if (types & ~LYNX_RAW_TYPES_ALL)
		return -EINVAL;
	lock_sock(sk);
	WRITE_ONCE(lynx_raw_sk(sk)->types, types);
	release_sock(sk);
	return 0;
}

static int lynx_raw_getsockopt(struct socket *sock, int level, int optname,
			       char __user *optval, int __user *optlen)
{
	u32 types;

	if (level != SOL_LYNX || optname != LYNX_RAW_TYPES)
		return -ENOPROTOOPT;
	types = READ_ONCE(lynx_raw_sk(sock->sk)->types);
	return lynx_sockopt_put(optval, optlen, &types, sizeof(types));
}

/* Checks the header a raw socket's user wrote for a frame of @len bytes,
 * and writes this node's id for LYNX_NODE_LOCAL.  Return: 0 with the
 * destination in @dst, or -EINVAL.
 */
static int lynx_raw_check(struct lynx_net *ln, struct lynxhdr *h,
			  size_t len, u32 *dst)
{
	u32 node = READ_ONCE(ln->node);
	u32 src = ntohl(h->src_node);

	if (lynx_hdr_check(h) != LYNX_PARSE_OK ||
	    ntohs(h->len) != len - LYNX_HLEN)
		return -EINVAL;
	/* A raw socket speaks for its own node, never for another. */
	if (src != node && src != LYNX_NODE_LOCAL)
		return -EINVAL;
	*dst = ntohl(h->dst_node);
	if (*dst == 0 || *dst == LYNX_NODE_ANY)
		return -EINVAL;
	if (*dst == LYNX_NODE_LOCAL)
		*dst = node;
	h->src_node = htonl(node);
	h->dst_node = htonl(*dst);
	return 0;
}

static int lynx_raw_sendmsg(struct socket *sock, struct msghdr *msg,
			    size_t len)
{
	struct sock *sk = sock->sk;
	struct lynx_net *ln = lynx_net(sock_net(sk));
	struct sk_buff *skb;
	int mtu, err;
	u32 dst;

	if (msg->msg_flags & MSG_OOB)
		return -EOPNOTSUPP;
	/* The header says where the frame goes, and nothing else does. */
	if (msg->msg_name || len < LYNX_HLEN)
		return -EINVAL;
	if (len > LYNX_HLEN + U16_MAX)
		return -EMSGSIZE;

	skb = sock_alloc_send_skb(sk, LYNX_HEADROOM - LYNX_HLEN + len,
				  msg->msg_flags & MSG_DONTWAIT, &err);
	if (!skb)
		return err;
	skb_reserve(skb, LYNX_HEADROOM - LYNX_HLEN);
	err = memcpy_from_msg(skb_put(skb, len), msg, len);
	if (err)
		goto out_free;
	/* What was copied is checked: the user's buffer may change. */
	err = lynx_raw_check(ln, (struct lynxhdr *)skb->data, len, &dst);
	if (err)
		goto out_free;
	mtu = lynx_path_mtu(ln, dst);
	err = -ENETUNREACH;
	if (!mtu)
		goto out_free;
	err = -EMSGSIZE;
	if (len > mtu)
		goto out_free;

	skb_reset_network_header(skb);
	lynx_hdr_csum_partial(skb);
	skb->priority = READ_ONCE(sk->sk_priority);
	skb->mark = READ_ONCE(sk->sk_mark);
	err = lynx_output_raw(ln, skb, dst);
	return err ? err : len;

out_free:
	kfree_skb(skb);
	return err;
}

/* The source is in the frame's header, which a socket filter
 * (SO_ATTACH_FILTER) may have cut: then it stays zero.
 */
static void lynx_raw_source(const struct sk_buff *skb,
			    struct sockaddr_lynx *slx)
{
	const struct lynxhdr *h;
	struct lynxhdr buf;

	h = skb_header_pointer(skb, 0, sizeof(buf), &buf);
	if (h) {
		slx->slx_node = ntohl(h->src_node);
		slx->slx_port = ntohl(h->src_port);
	}
}

static int lynx_raw_recvmsg(struct socket *sock, struct msghdr *msg,
			    size_t len, int flags)
{
	return lynx_recv_datagram(sock->sk, msg, len, flags, lynx_raw_source);
}

/* Does @rsk's filter take a frame of @info? */
static bool lynx_raw_match(const struct lynx_raw_sock *rsk,
			   const struct lynx_hdr_info *info)
{
	u32 port = READ_ONCE(rsk->port);

	return (READ_ONCE(rsk->types) & BIT(info->type)) &&
	       (!port || port == info->dst_port);
}

/* A copy of @skb, its lynx header put back in front, to @sk's queue. */
static void lynx_raw_queue(struct lynx_net *ln, struct sock *sk,
			   struct sk_buff *skb)
{
	struct sk_buff *clone;

	clone = lynx_clone_skb(skb, GFP_ATOMIC);
	if (!clone) {
		atomic_inc(&sk->sk_drops);
		goto drop;
	}
	/* lynx_hdr_parse() pulled the header, still in the linear area. */
	skb_push_rcsum(clone, LYNX_HLEN);
	/* Charges SO_RCVBUF; a full queue counts the drop in sk_drops. */
	if (sock_queue_rcv_skb(sk, clone)) {
		kfree_skb(clone);
		goto drop;
	}
	return;
drop:
	LYNX_INC_STATS(ln, LYNX_MIB_RAW_DROPS);
}

/* Fills in the checksum of @skb (data at its payload, its lynx header
 * just before), a frame that arrived unsummed.  Its head is made private
 * first if it is shared (the sender's queued segment, other receivers,
 * taps).  Return: 0 or -ENOMEM.
 */
static int lynx_raw_sum(struct sk_buff *skb)
{
	int err;

	__skb_push(skb, LYNX_HLEN);
	err = skb_ensure_writable(skb, LYNX_HLEN);
	if (!err)
		lynx_hdr_csum(skb);
	__skb_pull(skb, LYNX_HLEN);
	return err;
}

/**
 * lynx_raw_rcv - give the namespace's raw sockets a copy of a frame
 * @ln:   the receiving namespace
 * @skb:  a frame lynx_rcv() accepted for this node, data at its payload
 *        (lynx_hdr_parse()); not consumed.  An unsummed one
 *        (@info->csum_partial) gets its checksum filled in, maybe in a
 *        new private head, once a socket takes it; nothing else changes
 * @info: its decoded header
 *
 * Every raw socket whose filter takes the frame gets a clone, when the
 * device it came in on is one raw sockets may see (lynx_dev_raw_ok()).
 * Softirq context.
 */
void lynx_raw_rcv(struct lynx_net *ln, struct sk_buff *skb,
		  const struct lynx_hdr_info *info)
{
	bool unsummed = info->csum_partial;
	struct lynx_raw_sock *rsk;

	if (!lynx_dev_raw_ok(skb->dev))
		return;
	rcu_read_lock();
	hlist_for_each_entry_rcu(rsk, &ln->raw_list, raw_node) {
		if (!lynx_raw_match(rsk, info))
			continue;
		if (unsummed && lynx_raw_sum(skb)) {
			atomic_inc(&rsk->lsk.sk.sk_drops);
			LYNX_INC_STATS(ln, LYNX_MIB_RAW_DROPS);
			continue;
		}
		unsummed = false;
		lynx_raw_queue(ln, &rsk->lsk.sk, skb);
	}
	rcu_read_unlock();
}

const struct proto_ops lynx_raw_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_raw_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lynx_raw_getname,
	.poll		= datagram_poll,
	.ioctl		= lynx_dgram_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.setsockopt	= lynx_raw_setsockopt,
	.getsockopt	= lynx_raw_getsockopt,
	.sendmsg	= lynx_raw_sendmsg,
	.recvmsg	= lynx_raw_recvmsg,
	.mmap		= sock_no_mmap,
	LYNX_PROTO_OPS_SENDPAGE
};
