// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: SOCK_STREAM and SOCK_SEQPACKET sockets, the socket-call side.
 *
 * Both types share the transport in conn.c; they differ only here:
 * a stream reads and writes bytes, a SEQPACKET socket whole messages
 * (the last segment of each carries LYNX_F_EOR).  The semantics follow
 * TCP's where TCP has any (errno values, poll bits, shutdown, linger),
 * and AF_UNIX SEQPACKET's for message boundaries.
 */
#include <linux/net.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/termios.h>
#include <linux/sockios.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <net/lynx_compat.h>

/* The largest SEQPACKET message, whatever SO_SNDBUF: the receiver lets the
 * message it assembles exceed SO_RCVBUF only up to the largest receive
 * buffer (lynx_conn_sysctl_rmem[2], 6 MiB); a quarter of it leaves room
 * for the skb overhead of small segments, so any message sent arrives.
 */
#define LYNX_MSG_MAX	((size_t)lynx_conn_sysctl_rmem[2] / 4)

static bool lynx_is_seqpacket(const struct sock *sk)
{
	return sk->sk_type == SOCK_SEQPACKET;
}

atomic_long_t lynx_conn_memory_allocated;
DEFINE_PER_CPU(int, lynx_conn_fw_alloc);
long lynx_conn_sysctl_mem[3];
int lynx_conn_sysctl_wmem[3] = { 4096, 16384, 4 << 20 };
int lynx_conn_sysctl_rmem[3] = { 4096, 131072, 6 << 20 };

/* The memory limits of both connection protos, sized as TCP's are. */
void lynx_stream_mem_init(void)
{
	unsigned long limit = nr_free_buffer_pages() / 16;

	limit = max(limit, 128UL);
	lynx_conn_sysctl_mem[0] = limit / 4 * 3;
	lynx_conn_sysctl_mem[1] = limit;
	lynx_conn_sysctl_mem[2] = lynx_conn_sysctl_mem[0] * 2;
}

static int lynx_stream_init(struct sock *sk)
{
	lynx_sock_init(sk);
	lynx_conn_sock_init(sk);
	return 0;
}

/**
 * lynx_stream_close - proto .close: the owner let go of the socket
 * @sk:      the socket
 * @timeout: unused; SO_LINGER decides
 *
 * Unread data or a zero linger time resets the peer; otherwise the FIN
 * goes after the data and the connection finishes in the background, an
 * orphan bounded by the retransmission budget, LYNX_FIN_TIMEOUT and
 * net.lynx.orphan_timeout; beyond net.lynx.max_orphans it is reset.
 */
static void lynx_stream_close(struct sock *sk, long timeout)
{
	int state;

	lock_sock(sk);
	WRITE_ONCE(sk->sk_shutdown, SHUTDOWN_MASK);
	state = sk->sk_state;
	if (state == TCP_LISTEN) {
		lynx_conn_listen_stop(sk);
	} else if (state == TCP_SYN_SENT) {
		lynx_conn_abort(sk, 0, false);
	} else if (state != TCP_CLOSE) {
		if (lynx_conn_rcv_unread(sk) || (sock_flag(sk, SOCK_LINGER) && !sk->sk_lingertime))
			lynx_conn_abort(sk, 0, true);
		else if ((1 << state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
					 TCPF_SYN_RECV))
			lynx_conn_send_fin(sk);
	}
	lynx_conn_purge_rcv(sk);

	if (sock_flag(sk, SOCK_LINGER) && sk->sk_lingertime &&
	    sk->sk_state != TCP_CLOSE && !signal_pending(current)) {
		DEFINE_WAIT_FUNC(wait, woken_wake_function);
		long timeo = sk->sk_lingertime;

		add_wait_queue(sk_sleep(sk), &wait);
		while (timeo && !signal_pending(current) &&
		       !sk_wait_event(sk, &timeo,
				      (1 << sk->sk_state) &
				      (TCPF_CLOSE | TCPF_FIN_WAIT2), &wait))
			;
		remove_wait_queue(sk_sleep(sk), &wait);
	}

	/* Too many orphans in the namespace: reset instead, as TCP does. */
	if (sk->sk_state != TCP_CLOSE && !lynx_conn_orphan_begin(sk))
		lynx_conn_abort(sk, 0, true);
	sock_orphan(sk);
	if (sk->sk_state == TCP_CLOSE)
		lynx_sock_unlink(sk);
	release_sock(sk);
	sock_put(sk);
}

struct proto lynx_stream_proto = {
	.name			= "LYNX_STREAM",
	.owner			= THIS_MODULE,
	.obj_size		= sizeof(struct lynx_conn_sock),
	.init			= lynx_stream_init,
	.close			= lynx_stream_close,
	.keepalive		= lynx_conn_set_keepalive,
	.memory_allocated	= &lynx_conn_memory_allocated,
	.per_cpu_fw_alloc	= &lynx_conn_fw_alloc,
	.sysctl_mem		= lynx_conn_sysctl_mem,
	.sysctl_wmem		= lynx_conn_sysctl_wmem,
	.sysctl_rmem		= lynx_conn_sysctl_rmem,
};

struct proto lynx_seqpacket_proto = {
	.name			= "LYNX_SEQPACKET",
	.owner			= THIS_MODULE,
	.obj_size		= sizeof(struct lynx_conn_sock),
	.init			= lynx_stream_init,
	.close			= lynx_stream_close,
	.keepalive		= lynx_conn_set_keepalive,
	.memory_allocated	= &lynx_conn_memory_allocated,
	.per_cpu_fw_alloc	= &lynx_conn_fw_alloc,
	.sysctl_mem		= lynx_conn_sysctl_mem,
	.sysctl_wmem		= lynx_conn_sysctl_wmem,
	.sysctl_rmem		= lynx_conn_sysctl_rmem,
};

/* ---- connect, listen, accept --------------------------------------------- */

static int lynx_stream_wait_connect(struct sock *sk, long timeo)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);

	add_wait_queue(sk_sleep(sk), &wait);
	while ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo || signal_pending(current))
			break;
		sk_wait_event(sk, &timeo,
			      !((1 << sk->sk_state) &
				(TCPF_SYN_SENT | TCPF_SYN_RECV)), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return timeo;
}

/* connect(), as inet_stream_connect() behaves: EINPROGRESS for a
 * non-blocking start, EALREADY while in progress, EISCONN once connected,
 * the error (ECONNREFUSED, ETIMEDOUT, ...) when the handshake failed, after
 * which the socket may connect again.
 */
static int lynx_stream_connect(struct socket *sock, struct sockaddr *addr,
			       int alen, int flags)
{
	const struct sockaddr_lynx *slx = (const struct sockaddr_lynx *)addr;
	struct sock *sk = sock->sk;
	struct lynx_net *ln = lynx_net(sock_net(sk));
	u32 node;
	long timeo;
	int err;

	err = lynx_addr_check(addr, alen);
	if (err)
		return err;
	if (!slx->slx_port)
		return -EINVAL;
	node = slx->slx_node;
	if (node == LYNX_NODE_ANY || node == LYNX_NODE_LOCAL)
		node = READ_ONCE(ln->node);

	lock_sock(sk);
	switch (sock->state) {
	case SS_CONNECTED:
		err = -EISCONN;
		goto out;
	case SS_CONNECTING:
		err = -EALREADY;
		break;
	case SS_UNCONNECTED:
		if (sk->sk_state != TCP_CLOSE) {
			err = sk->sk_state == TCP_LISTEN ? -EINVAL : -EISCONN;
			goto out;
		}
		err = lynx_autobind(sk);
		if (err)
			goto out;
		err = lynx_conn_connect(sk, node, slx->slx_port);
		if (err)
			goto out;
		sock->state = SS_CONNECTING;
		err = -EINPROGRESS;
		break;
	default:
		err = -EINVAL;
		goto out;
	}

	timeo = sock_sndtimeo(sk, flags & O_NONBLOCK);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		if (!timeo)
			goto out;	/* EINPROGRESS or EALREADY */
		timeo = lynx_stream_wait_connect(sk, timeo);
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
			err = signal_pending(current) ? sock_intr_errno(timeo) :
							-ETIMEDOUT;
			goto out;
		}
	}
	if (sk->sk_state == TCP_CLOSE) {
		err = sock_error(sk) ? : -ECONNABORTED;
		sock->state = SS_UNCONNECTED;
		goto out;
	}
	sock->state = SS_CONNECTED;
	err = 0;
out:
	release_sock(sk);
	return err;
}

static int lynx_stream_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	int err;

	lock_sock(sk);
	err = -EINVAL;
	if (sock->state != SS_UNCONNECTED ||
	    (sk->sk_state != TCP_CLOSE && sk->sk_state != TCP_LISTEN))
		goto out;
	err = lynx_autobind(sk);
	if (err)
		goto out;
	backlog = clamp_t(int, backlog, 0,
			  READ_ONCE(sock_net(sk)->core.sysctl_somaxconn));
	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	lynx_set_state(sk, TCP_LISTEN);
out:
	release_sock(sk);
	return err;
}

static int lynx_stream_accept(struct socket *sock, struct socket *newsock,
			      LYNX_ACCEPT_PARAMS)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	struct sock *sk = sock->sk, *child;
	long timeo;
	int err = 0;

	lock_sock(sk);
	timeo = sock_rcvtimeo(sk, lynx_accept_flags(arg) & O_NONBLOCK);
	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_state != TCP_LISTEN) {
			err = -EINVAL;
			break;
		}
		child = lynx_conn_accept_child(sk);
		if (child)
			break;
		if (!timeo) {
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(timeo);
			break;
		}
		sk_wait_event(sk, &timeo, sk->sk_state != TCP_LISTEN ||
			      lynx_conn_accept_ready(sk), &wait);
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	release_sock(sk);
	if (err)
		return err;

	lock_sock(child);
	sock_graft(child, newsock);
	newsock->state = SS_CONNECTED;
	release_sock(child);
	return 0;
}

/* ---- sending ------------------------------------------------------------- */

/* Wait until @need bytes fit in the send buffer (or nothing is queued). */
static int lynx_stream_wait_space(struct sock *sk, long *timeo, int need)
{
	DEFINE_WAIT_FUNC(wait, woken_wake_function);
	int err = 0;

	add_wait_queue(sk_sleep(sk), &wait);
	for (;;) {
		if (sk->sk_err || (sk->sk_shutdown & SEND_SHUTDOWN) ||
		    !((1 << sk->sk_state) & (TCPF_ESTABLISHED |
					     TCPF_CLOSE_WAIT))) {
			err = -EPIPE;
			break;
		}
		if (!sk->sk_wmem_queued ||
		    sk->sk_wmem_queued + need <= READ_ONCE(sk->sk_sndbuf))
			break;
		set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
		if (!*timeo) {
			/* SIGIO (O_ASYNC) when room frees, as for TCP. */
			sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
			err = -EAGAIN;
			break;
		}
		if (signal_pending(current)) {
			err = sock_intr_errno(*timeo);
			break;
		}
		sk->sk_write_pending++;
		sk_wait_event(sk, timeo, READ_ONCE(sk->sk_err) ||
			      (READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
			      !sk->sk_wmem_queued ||
			      sk->sk_wmem_queued + need <=
			      READ_ONCE(sk->sk_sndbuf), &wait);
		sk->sk_write_pending--;
	}
	remove_wait_queue(sk_sleep(sk), &wait);
	return err;
}

/**
 * lynx_stream_fill - copy bytes of @msg into a segment's page fragments
 * @sk:   the socket, locked
 * @skb:  a segment being built, or lynx_conn_unsent_tail()'s
 * @msg:  the data
 * @size: bytes to copy at most
 *
 * The payload lives in page fragments of the socket's page_frag
 * (sk_page_frag(): pages of up to 32 KiB, shared by the writes that fill
 * them), as TCP's and AF_UNIX's do: no high-order allocation per segment,
 * and a write that continues the last fragment in its page extends it.
 * skb->truesize grows by the bytes copied; the caller charges them.
 *
 * Return: bytes copied (fewer than @size when @skb has no fragment slot
 * left, or @msg faulted after some), or -ENOMEM (no page) or -EFAULT
 * when none.
 */
static int lynx_stream_fill(struct sock *sk, struct sk_buff *skb,
			    struct msghdr *msg, int size)
{
	struct page_frag *pfrag = sk_page_frag(sk);
	int i = skb_shinfo(skb)->nr_frags;
	int copied = 0, copy, n;
	bool merge;

	while (copied < size) {
		if (!sk_page_frag_refill(sk, pfrag))
			return copied ?: -ENOMEM;
		merge = skb_can_coalesce(skb, i, pfrag->page, pfrag->offset);
		if (!merge && i >= MAX_SKB_FRAGS)
			break;
		copy = min_t(int, size - copied, pfrag->size - pfrag->offset);
		n = copy_page_from_iter(pfrag->page, pfrag->offset, copy,
					&msg->msg_iter);
		if (n != copy) {
			iov_iter_revert(&msg->msg_iter, n);
			return copied ?: -EFAULT;
		}
		if (merge) {
			skb_frag_size_add(&skb_shinfo(skb)->frags[i - 1], copy);
		} else {
			skb_fill_page_desc(skb, i++, pfrag->page, pfrag->offset,
					   copy);
			get_page(pfrag->page);
		}
		pfrag->offset += copy;
		skb->len += copy;
		skb->data_len += copy;
		skb->truesize += copy;
		copied += copy;
	}
	return copied;
}

/* A write-queue skb of up to @size payload bytes (fewer when its fragment
 * slots run out), filled from @msg: LYNX_HEADROOM of linear room for the
 * headers, the payload in page fragments (lynx_stream_fill()).  Out of
 * memory, it waits for memory as TCP does (sk_stream_wait_memory(): a
 * short pause when the protocol, not the socket, is short), so a blocking
 * sender never sees ENOBUFS; a non-blocking one gets EAGAIN.  Not charged
 * yet.
 */
static struct sk_buff *lynx_stream_new_seg(struct sock *sk, struct msghdr *msg,
					   int size, long *timeo, int *err)
{
	struct sk_buff *skb;
	int n;

	while (!(skb = lynx_alloc_skb(LYNX_HEADROOM, sk->sk_allocation,
				      true))) {
		*err = sk_stream_wait_memory(sk, timeo);
		if (*err)
			return NULL;
	}
	skb_reserve(skb, LYNX_HEADROOM);
	lynx_seg_cb(skb)->flags = 0;
	while (size) {
		n = lynx_stream_fill(sk, skb, msg, size);
		if (n > 0)
			break;
		if (n == -ENOMEM) {
			n = sk_stream_wait_memory(sk, timeo);
			if (!n)
				continue;
		}
		kfree_skb(skb);
		*err = n ?: -EFAULT;
		return NULL;
	}
	return skb;
}

/* Schedule @size bytes of send memory, waiting for it as TCP does. */
static int lynx_stream_wmem_schedule(struct sock *sk, int size, long *timeo)
{
	int err;

	while (!sk_wmem_schedule(sk, size)) {
		err = sk_stream_wait_memory(sk, timeo);
		if (err)
			return err;
	}
	return 0;
}

/* SEQPACKET: the whole message is built first, then queued at once. */
static int lynx_seqpacket_send_msg(struct sock *sk, struct msghdr *msg,
				   size_t len, long *timeo)
{
	struct sk_buff_head segs;
	struct sk_buff *skb;
	int mss, size, err = 0, truesize = 0;
	size_t left = len;

	if (len > (size_t)READ_ONCE(sk->sk_sndbuf) || len > LYNX_MSG_MAX)
		return -EMSGSIZE;
	err = lynx_stream_wait_space(sk, timeo, len);
	if (err)
		return err;

	mss = lynx_conn_size_goal(sk);
	__skb_queue_head_init(&segs);
	do {
		size = min_t(size_t, left, mss);
		skb = lynx_stream_new_seg(sk, msg, size, timeo, &err);
		if (!skb)
			goto err_free;
		__skb_queue_tail(&segs, skb);
		left -= skb->len;
	} while (left);
	lynx_seg_cb(skb)->flags = LYNX_F_EOR;

	/* Charge the message as a whole: all of it is queued, or none. */
	skb_queue_walk(&segs, skb)
		truesize += skb->truesize;
	err = lynx_stream_wmem_schedule(sk, truesize, timeo);
	if (err)
		goto err_free;
	while ((skb = __skb_dequeue(&segs))) {
		lynx_conn_charge_wskb(sk, skb->truesize);
		lynx_conn_queue_tail(sk, skb);
	}
	lynx_conn_push(sk);
	return len;

err_free:
	__skb_queue_purge(&segs);
	/* None of the message was queued: none of it was consumed. */
	iov_iter_revert(&msg->msg_iter, len - left);
	return err;
}

/* Charge @n bytes that joined the write queue's unsent tail @skb. */
static void lynx_stream_grown(struct sock *sk, struct sk_buff *skb, int n)
{
	lynx_conn_charge_wskb(sk, n);
	lynx_conn_queue_grow(sk, skb, n);
}

/* STREAM: bytes join the write queue's last segment while it was never
 * sent and is shorter than a segment (a writer the peer's window or the
 * congestion window holds back sends full segments when they open, as
 * TCP's), then go into new segments.
 */
static int lynx_stream_send_bytes(struct sock *sk, struct msghdr *msg,
				  size_t len, long *timeo)
{
	struct sk_buff *skb;
	size_t copied = 0;
	int mss, size, n, err = 0;

	mss = lynx_conn_size_goal(sk);
	while (copied < len) {
		err = lynx_stream_wait_space(sk, timeo, 1);
		if (err)
			break;
		/* (Never across a sleep that releases the socket: the tail
		 * may be sent meanwhile.  Short of memory, a new segment
		 * waits for it below.)
		 */
		skb = lynx_conn_unsent_tail(sk);
		size = skb && skb->len < mss ?
		       min_t(size_t, len - copied, mss - skb->len) : 0;
		if (size > 0 && sk_wmem_schedule(sk, size)) {
			n = lynx_stream_fill(sk, skb, msg, size);
			if (n < 0 && n != -ENOMEM) {
				err = n;
				break;
			}
			if (n > 0) {
				lynx_stream_grown(sk, skb, n);
				copied += n;
				lynx_conn_push(sk);
				continue;
			}
			/* No fragment slot or no page: a segment of its own. */
		}
		size = min_t(size_t, len - copied, mss);
		skb = lynx_stream_new_seg(sk, msg, size, timeo, &err);
		if (!skb)
			break;
		size = skb->len;
		err = lynx_stream_wmem_schedule(sk, skb->truesize, timeo);
		if (err) {
			iov_iter_revert(&msg->msg_iter, size);
			kfree_skb(skb);
			break;
		}
		lynx_conn_charge_wskb(sk, skb->truesize);
		lynx_conn_queue_tail(sk, skb);
		copied += size;
		lynx_conn_push(sk);
	}
	return copied ? copied : err;
}

static int lynx_stream_sendmsg(struct socket *sock, struct msghdr *msg,
			       size_t len)
{
	struct sock *sk = sock->sk;
	int flags = msg->msg_flags, err;
	long timeo;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;

	lock_sock(sk);
	timeo = sock_sndtimeo(sk, flags & MSG_DONTWAIT);
	if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
		timeo = lynx_stream_wait_connect(sk, timeo);
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV)) {
			err = timeo ? sock_intr_errno(timeo) : -EAGAIN;
			goto out;
		}
	}
	err = sock_error(sk);
	if (err)
		goto out;
	if ((sk->sk_shutdown & SEND_SHUTDOWN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT))) {
		/* TCP says EPIPE even when never connected; AF_UNIX SEQPACKET
		 * says ENOTCONN then.
		 */
		err = lynx_is_seqpacket(sk) && sock->state == SS_UNCONNECTED &&
		      sk->sk_state == TCP_CLOSE ? -ENOTCONN : -EPIPE;
		goto out;
	}

	if (lynx_is_seqpacket(sk))
		err = lynx_seqpacket_send_msg(sk, msg, len, &timeo);
	else
		err = lynx_stream_send_bytes(sk, msg, len, &timeo);
out:
	if (err == -EPIPE)
		err = sk_stream_error(sk, flags, err);
	release_sock(sk);
	return err;
}

/* ---- receiving ----------------------------------------------------------- */

/* Should a reader with nothing (more) to read stop, and with what? */
static int lynx_stream_recv_stop(struct sock *sk, long timeo)
{
	if (sk->sk_err)
		return sock_error(sk);
	if (sk->sk_shutdown & RCV_SHUTDOWN)
		return 0;
	if (sk->sk_state == TCP_CLOSE)
		return sock_flag(sk, SOCK_DONE) ? 0 : -ENOTCONN;
	if (!timeo)
		return -EAGAIN;
	if (signal_pending(current))
		return sock_intr_errno(timeo);
	return 1;	/* wait */
}

static int lynx_stream_recv_bytes(struct sock *sk, struct msghdr *msg,
				  size_t len, int flags)
{
	bool peek = flags & MSG_PEEK;
	size_t copied = 0, skip = 0;
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	int target = sock_rcvlowat(sk, flags & MSG_WAITALL, len);
	struct sk_buff *skb;
	int err = 0;

	if (!len)
		return 0;
	for (;;) {
		skb_queue_walk(&sk->sk_receive_queue, skb) {
			struct lynx_seg_cb *cb = lynx_seg_cb(skb);
			u32 avail = skb->len - cb->off, n;

			if (peek && skip >= avail) {
				skip -= avail;
				continue;
			}
			n = min_t(size_t, avail - (peek ? skip : 0),
				  len - copied);
			if (skb_copy_datagram_msg(skb, cb->off +
						  (peek ? skip : 0), msg, n)) {
				err = -EFAULT;
				goto done;
			}
			copied += n;
			if (peek) {
				skip = 0;
			} else {
				struct sk_buff *prev = skb->prev;

				if (lynx_conn_rcvq_read(sk, skb, n))
					skb = prev;
			}
			if (copied == len)
				goto done;
		}
		if (peek)
			skip = copied;
		if (copied >= target)
			goto done;
		err = lynx_stream_recv_stop(sk, timeo);
		if (err <= 0)
			goto done;
		err = 0;
		if (!peek)
			lynx_conn_rcv_space(sk);
		sk_wait_data(sk, &timeo, skb_peek_tail(&sk->sk_receive_queue));
	}
done:
	if (!peek && copied)
		lynx_conn_rcv_space(sk);
	return copied ? copied : err;
}

/* The length of the first whole message, or -1 when none is complete. */
static long lynx_seqpacket_msg_len(struct sock *sk)
{
	struct sk_buff *skb;
	long n = 0;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		n += skb->len;
		if (lynx_seg_cb(skb)->flags & LYNX_F_EOR)
			return n;
	}
	return -1;
}

/* SIOCINQ of SEQPACKET: the bytes of the whole messages, what recv reads. */
static int lynx_seqpacket_inq(struct sock *sk)
{
	struct sk_buff *skb;
	int n = 0, whole = 0;

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		n += skb->len;
		if (lynx_seg_cb(skb)->flags & LYNX_F_EOR)
			whole = n;
	}
	return whole;
}

static int lynx_seqpacket_recv_msg(struct sock *sk, struct msghdr *msg,
				   size_t len, int flags)
{
	long timeo = sock_rcvtimeo(sk, flags & MSG_DONTWAIT);
	struct sk_buff *skb, *tmp;
	size_t copied = 0;
	long mlen;
	int err;

	for (;;) {
		mlen = lynx_seqpacket_msg_len(sk);
		if (mlen >= 0)
			break;
		err = lynx_stream_recv_stop(sk, timeo);
		if (err <= 0)
			return err;
		sk_wait_data(sk, &timeo, skb_peek_tail(&sk->sk_receive_queue));
	}

	skb_queue_walk(&sk->sk_receive_queue, skb) {
		size_t n = min_t(size_t, skb->len, len - copied);

		if (n && skb_copy_datagram_msg(skb, 0, msg, n))
			return -EFAULT;	/* nothing consumed */
		copied += n;
		if (lynx_seg_cb(skb)->flags & LYNX_F_EOR)
			break;
	}
	msg->msg_flags |= MSG_EOR;
	if (mlen > copied)
		msg->msg_flags |= MSG_TRUNC;
	if (!(flags & MSG_PEEK)) {
		skb_queue_walk_safe(&sk->sk_receive_queue, skb, tmp) {
			bool eor = lynx_seg_cb(skb)->flags & LYNX_F_EOR;

			lynx_conn_rcvq_read(sk, skb, skb->len);
			if (eor)
				break;
		}
		lynx_conn_rcv_space(sk);
	}
	return (flags & MSG_TRUNC) ? mlen : copied;
}

static int lynx_stream_recvmsg(struct socket *sock, struct msghdr *msg,
			       size_t len, int flags)
{
	struct sock *sk = sock->sk;
	int err;

	if (flags & (MSG_OOB | MSG_ERRQUEUE))
		return -EOPNOTSUPP;
	msg->msg_namelen = 0;

	lock_sock(sk);
	if (sk->sk_state == TCP_LISTEN)
		err = -ENOTCONN;
	else if (lynx_is_seqpacket(sk))
		err = lynx_seqpacket_recv_msg(sk, msg, len, flags);
	else
		err = lynx_stream_recv_bytes(sk, msg, len, flags);
	release_sock(sk);
	return err;
}

/* ---- poll, shutdown, ioctl ----------------------------------------------- */

static __poll_t lynx_stream_poll(struct file *file, struct socket *sock,
				 poll_table *wait)
{
	struct sock *sk = sock->sk;
	struct lynx_conn *c = lynx_sk_conn(sk);
	int state, shutdown;
	__poll_t mask = 0;

	sock_poll_wait(file, sock, wait);
	state = READ_ONCE(sk->sk_state);
	if (state == TCP_LISTEN)
		return lynx_conn_accept_ready(sk) ? EPOLLIN | EPOLLRDNORM : 0;

	shutdown = READ_ONCE(sk->sk_shutdown);
	if (READ_ONCE(sk->sk_err) ||
	    !skb_queue_empty_lockless(&sk->sk_error_queue))
		mask |= EPOLLERR;
	if (shutdown == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (shutdown & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;

	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		int target = sock_rcvlowat(sk, 0, INT_MAX);
		u32 queued = READ_ONCE(c->rcvq_bytes);

		/* SEQPACKET: only a whole message is readable.  STREAM:
		 * SO_RCVLOWAT bytes, or what memory holds once it is full.
		 */
		if (lynx_is_seqpacket(sk) ? READ_ONCE(c->rcvq_msgs) :
		    queued >= target ||
		    (queued && lynx_conn_rcv_pressure(sk)))
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!(shutdown & SEND_SHUTDOWN)) {
			if (sk_stream_is_writeable(sk)) {
				mask |= EPOLLOUT | EPOLLWRNORM;
			} else {
				sk_set_bit(SOCKWQ_ASYNC_NOSPACE, sk);
				set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
				/* Race with an ACK freeing space: look again. */
				smp_mb__after_atomic();
				if (sk_stream_is_writeable(sk))
					mask |= EPOLLOUT | EPOLLWRNORM;
			}
		} else {
			mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	return mask;
}

/* shutdown(), as inet_shutdown() does for TCP: on a connection still in
 * SYN_SENT, any @how ends the attempt (tcp_disconnect(): closed, ECONNRESET
 * for a waiting connect(), free to connect again); SHUT_WR on a connection
 * queues our FIN after the data.
 */
static int lynx_stream_shutdown(struct socket *sock, int how)
{
	struct sock *sk = sock->sk;
	int err = 0;

	how++;	/* SHUT_RD -> RCV_SHUTDOWN, SHUT_WR -> SEND_SHUTDOWN, ... */
	if (how <= 0 || how > SHUTDOWN_MASK)
		return -EINVAL;

	lock_sock(sk);
	switch (sk->sk_state) {
	case TCP_LISTEN:
		if (how & RCV_SHUTDOWN)
			lynx_conn_listen_stop(sk);
		break;
	case TCP_SYN_SENT:
		lynx_conn_abort(sk, ECONNRESET, false);
		sock->state = SS_UNCONNECTED;
		goto out;
	case TCP_CLOSE:
		err = -ENOTCONN;
		break;
	}
	WRITE_ONCE(sk->sk_shutdown, sk->sk_shutdown | how);
	if ((how & SEND_SHUTDOWN) &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT |
				    TCPF_SYN_RECV)))
		lynx_conn_send_fin(sk);
out:
	sk->sk_state_change(sk);
	release_sock(sk);
	return err;
}

static int lynx_stream_ioctl(struct socket *sock, unsigned int cmd,
			     unsigned long arg)
{
	struct sock *sk = sock->sk;
	struct lynx_conn *c = lynx_sk_conn(sk);
	int amount;

	switch (cmd) {
	case SIOCINQ:
		if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
			return -EINVAL;
		if (lynx_is_seqpacket(sk)) {
			lock_sock(sk);
			amount = lynx_seqpacket_inq(sk);
			release_sock(sk);
		} else {
			amount = READ_ONCE(c->rcvq_bytes);
		}
		break;
	case SIOCOUTQ:
		if (READ_ONCE(sk->sk_state) == TCP_LISTEN)
			return -EINVAL;
		amount = READ_ONCE(c->wq_bytes);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(amount, (int __user *)arg);
}

/* SOL_LYNX options of a connection socket: LYNX_NODELAY, SOCK_STREAM only
 * (a SEQPACKET message never shares a segment).  Setting it sends what
 * Nagle's rule held back, as TCP_NODELAY does.
 */
static int lynx_stream_setsockopt(struct socket *sock, int level,
				  int optname, sockptr_t optval,
				  unsigned int optlen)
{
	struct sock *sk = sock->sk;
	int val;

	if (level != SOL_LYNX || optname != LYNX_NODELAY ||
	    sk->sk_type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (optlen < sizeof(val))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;
	lock_sock(sk);
	WRITE_ONCE(lynx_sk_conn(sk)->nodelay, !!val);
	if (val)
		lynx_conn_push(sk);
	release_sock(sk);
	return 0;
}

static int lynx_stream_getsockopt(struct socket *sock, int level,
				  int optname, char __user *optval,
				  int __user *optlen)
{
	struct sock *sk = sock->sk;
	int val;

	if (level != SOL_LYNX || optname != LYNX_NODELAY ||
	    sk->sk_type != SOCK_STREAM)
		return -ENOPROTOOPT;
	val = READ_ONCE(lynx_sk_conn(sk)->nodelay);
	return lynx_sockopt_put(optval, optlen, &val, sizeof(val));
}

const struct proto_ops lynx_stream_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_sock_bind,
	.connect	= lynx_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= lynx_stream_accept,
	.getname	= lynx_sock_getname,
	.poll		= lynx_stream_poll,
	.ioctl		= lynx_stream_ioctl,
	.listen		= lynx_stream_listen,
	.shutdown	= lynx_stream_shutdown,
	.setsockopt	= lynx_stream_setsockopt,
	.getsockopt	= lynx_stream_getsockopt,
	.sendmsg	= lynx_stream_sendmsg,
	.recvmsg	= lynx_stream_recvmsg,
	.mmap		= sock_no_mmap,
	LYNX_PROTO_OPS_SENDPAGE
};

const struct proto_ops lynx_seqpacket_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_sock_bind,
	.connect	= lynx_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= lynx_stream_accept,
	.getname	= lynx_sock_getname,
	.poll		= lynx_stream_poll,
	.ioctl		= lynx_stream_ioctl,
	.listen		= lynx_stream_listen,
	.shutdown	= lynx_stream_shutdown,
	.setsockopt	= lynx_stream_setsockopt,
	.getsockopt	= lynx_stream_getsockopt,
	.sendmsg	= lynx_stream_sendmsg,
	.recvmsg	= lynx_stream_recvmsg,
	.mmap		= sock_no_mmap,
	LYNX_PROTO_OPS_SENDPAGE
};
