// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: SOCK_DGRAM sockets.
 */
#include <linux/net.h>
#include <net/sock.h>
#include <net/lynx.h>

static void lynx_dgram_close(struct sock *sk, long timeout)
{
	lock_sock(sk);
	sk->sk_shutdown = SHUTDOWN_MASK;
	sock_orphan(sk);
	release_sock(sk);
	sock_put(sk);
}

struct proto lynx_dgram_proto = {
	.name		= "LYNX_DGRAM",
	.owner		= THIS_MODULE,
	.obj_size	= sizeof(struct lynx_sock),
	.close		= lynx_dgram_close,
};

static int lynx_no_ioctl(struct socket *sock, unsigned int cmd,
			 unsigned long arg)
{
	return -ENOIOCTLCMD;
}

const struct proto_ops lynx_dgram_ops = {
	.owner		= THIS_MODULE,
	.release	= lynx_sock_release,
	.bind		= sock_no_bind,
	.connect	= sock_no_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= sock_no_accept,
	.getname	= sock_no_getname,
	.poll		= datagram_poll,
	.ioctl		= lynx_no_ioctl,
	.listen		= sock_no_listen,
	.shutdown	= sock_no_shutdown,
	.sendmsg	= sock_no_sendmsg,
	.recvmsg	= sock_no_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
};
