// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: address family registration, socket creation and module init/exit.
 *
 * sys_socket() reaches lynx_create() through the net_proto_family registered
 * here; everything type-specific lives in dgram.c, stream.c and raw.c.
 *
 * Init order: socket protos, per-namespace state (which creates each
 * namespace's lynxlo), the device type and its notifier, the packet
 * handler, and last the family, so no socket exists before its world
 * does.  Exit undoes it in reverse.
 */
#define pr_fmt(fmt) "lynx: " fmt

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/socket.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <net/lynx_dev.h>
#include <kunit/visibility.h>

int lynx_family = AF_LYNX;
EXPORT_SYMBOL_IF_KUNIT(lynx_family);
module_param_named(family, lynx_family, int, 0444);
MODULE_PARM_DESC(family, "address family number to register (default 22)");

/* Kernel sockets get their own lockdep classes, as in af_unix/af_inet. */
static struct lock_class_key lynx_slock_key;
static struct lock_class_key lynx_sk_key;

struct lynx_type {
	const struct proto_ops	*ops;
	struct proto		*prot;
};

static const struct lynx_type *lynx_type_of(int type)
{
	static const struct lynx_type types[] = {
		[SOCK_STREAM]	 = { &lynx_stream_ops, &lynx_stream_proto },
		[SOCK_DGRAM]	 = { &lynx_dgram_ops, &lynx_dgram_proto },
		[SOCK_SEQPACKET] = { &lynx_seqpacket_ops, &lynx_seqpacket_proto },
		[SOCK_RAW]	 = { &lynx_raw_ops, &lynx_raw_proto },
	};

	if (type < 0 || type >= ARRAY_SIZE(types) || !types[type].ops)
		return NULL;
	return &types[type];
}

static void lynx_sk_destruct(struct sock *sk)
{
	skb_queue_purge(&sk->sk_receive_queue);
	skb_queue_purge(&sk->sk_error_queue);
	WARN_ON_ONCE(atomic_read(&sk->sk_rmem_alloc));
}

static int lynx_create(struct net *net, struct socket *sock, int protocol,
		       int kern)
{
	const struct lynx_type *t;
	struct sock *sk;
	int err;

	if (protocol)
		return -EPROTONOSUPPORT;
	t = lynx_type_of(sock->type);
	if (!t)
		return -ESOCKTNOSUPPORT;
	/* As for IP: over the user namespace owning the socket's netns. */
	if (sock->type == SOCK_RAW && !kern &&
	    !ns_capable(net->user_ns, CAP_NET_RAW))
		return -EPERM;

	sk = sk_alloc(net, lynx_family, GFP_KERNEL, t->prot, kern);
	if (!sk)
		return -ENOMEM;

	sock->state = SS_UNCONNECTED;
	sock->ops = t->ops;
	sock_init_data(sock, sk);
	if (kern)
		sock_lock_init_class_and_name(sk, "slock-AF_LYNX-kern",
					      &lynx_slock_key,
					      "sk_lock-AF_LYNX-kern",
					      &lynx_sk_key);
	sk->sk_protocol = protocol;
	sk->sk_destruct = lynx_sk_destruct;

	if (sk->sk_prot->init) {
		err = sk->sk_prot->init(sk);
		if (err)
			goto err_put;
	}
	return 0;

err_put:
	sock_orphan(sk);
	sock_put(sk);
	sock->sk = NULL;
	return err;
}

/**
 * lynx_sock_release - the release proto_op shared by every socket type
 * @sock: the socket being closed
 *
 * Hands the sock to its proto's close(), which owns the type's teardown,
 * then drops the reference the socket held.
 */
int lynx_sock_release(struct socket *sock)
{
	struct sock *sk = sock->sk;

	if (!sk)
		return 0;
	sk->sk_prot->close(sk, 0);
	sock->sk = NULL;
	return 0;
}

static struct net_proto_family lynx_family_ops = {
	.create	= lynx_create,
	.owner	= THIS_MODULE,
};

static struct proto *const lynx_protos[] = {
	&lynx_dgram_proto,
	&lynx_stream_proto,
	&lynx_seqpacket_proto,
	&lynx_raw_proto,
};

static int __init lynx_init(void)
{
	int err, i;

	if (lynx_family <= AF_UNSPEC || lynx_family >= NPROTO) {
		pr_err("family %d out of range 1..%d\n", lynx_family,
		       NPROTO - 1);
		return -EINVAL;
	}

	lynx_fail_alloc_init();
	lynx_stream_mem_init();
	for (i = 0; i < ARRAY_SIZE(lynx_protos); i++) {
		err = proto_register(lynx_protos[i], 1);
		if (err)
			goto err_protos;
	}

	err = lynx_net_init();
	if (err)
		goto err_protos;
	err = lynx_dev_init();
	if (err)
		goto err_net;
	lynx_input_init();

	lynx_family_ops.family = lynx_family;
	err = sock_register(&lynx_family_ops);
	if (err) {
		pr_err("cannot register address family %d: %s (error %d)\n",
		       lynx_family,
		       err == -EEXIST ? "already taken" : "refused", err);
		goto err_input;
	}

	pr_info("address family %d registered\n", lynx_family);
	return 0;

err_input:
	lynx_input_exit();
	lynx_dev_exit();
err_net:
	lynx_net_exit();
err_protos:
	while (--i >= 0)
		proto_unregister(lynx_protos[i]);
	lynx_fail_alloc_exit();
	return err;
}

static void __exit lynx_exit(void)
{
	int i;

	sock_unregister(lynx_family);
	lynx_input_exit();
	lynx_dev_exit();
	lynx_net_exit();
	for (i = ARRAY_SIZE(lynx_protos) - 1; i >= 0; i--)
		proto_unregister(lynx_protos[i]);
	lynx_fail_alloc_exit();
}

module_init(lynx_init);
module_exit(lynx_exit);

MODULE_DESCRIPTION("lynx socket address family");
MODULE_AUTHOR("lynx maintainers");
MODULE_LICENSE("GPL");
/* socket(AF_LYNX, ...) loads lynx ("net-pf-22"): the default number only,
 * whatever "family" is set to (see README, "Autoloading").
 */
MODULE_ALIAS_NETPROTO(PF_LYNX);
