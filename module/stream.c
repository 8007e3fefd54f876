// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: SOCK_STREAM and SOCK_SEQPACKET sockets.
 */
#include <linux/net.h>
#include <net/sock.h>
#include <net/lynx.h>

static int lynx_stream_init(struct sock *sk)
{
	return lynx_sock_init(sk);
}

static void lynx_stream_close(struct sock *sk, long timeout)
{
	lynx_sock_unlink(sk);
	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

struct proto lynx_stream_proto = {
	.name		= "LYNX_STREAM",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lynx_sock),
	.init		= lynx_stream_init,
	.close		= lynx_stream_close,
};

struct proto lynx_seqpacket_proto = {
	.name		= "LYNX_SEQPACKET",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lynx_sock),
	.init		= lynx_stream_init,
	.close		= lynx_stream_close,
};

static int lynx_stream_ioctl(struct socket *sock, unsigned int cmd,
			     unsigned long arg)
{
	return -ENOIOCTLCMD;
}

const struct proto_ops lynx_stream_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_sock_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lynx_sock_getname,
	.poll		= datagram_poll,
	.ioctl		= lynx_stream_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};

const struct proto_ops lynx_seqpacket_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= lynx_sock_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= lynx_sock_getname,
	.poll		= datagram_poll,
	.ioctl		= lynx_stream_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
