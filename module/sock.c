// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: what every socket type shares: addresses, bind and the port
 * tables, getsockname/getpeername and the per-namespace socket list.
 *
 * Port spaces are per namespace and per socket type, as TCP's and UDP's
 * are.  A bound socket sits in lynx_net.bind_hash[type][hash(port)]; the
 * receive path looks it up under RCU (sockets are SOCK_RCU_FREE), binders
 * serialise on lynx_net.bind_lock.
 */
#include <linux/capability.h>
#include <linux/hash.h>
#include <linux/random.h>
#include <net/sock.h>
#include <net/lynx.h>
#include <kunit/visibility.h>

/* The port space of a socket type; 0 for SOCK_RAW, which takes no port. */
static u8 lynx_type_of_sock(int sk_type)
{
	switch (sk_type) {
	case SOCK_DGRAM:
		return LYNX_T_DGRAM;
	case SOCK_STREAM:
		return LYNX_T_STREAM;
	case SOCK_SEQPACKET:
		return LYNX_T_SEQPACKET;
	default:
		return 0;
	}
}

static struct hlist_head *lynx_bind_bucket(struct lynx_net *ln, u8 type,
					   u32 port)
{
	return &ln->bind_hash[type][hash_32(port, LYNX_BIND_HASH_BITS)];
}

/**
 * lynx_node_is_local - does @node name this namespace?
 * @ln: the namespace's lynx state
 * @node: a node id from an address or a frame
 */
bool lynx_node_is_local(const struct lynx_net *ln, u32 node)
{
	return node == LYNX_NODE_LOCAL || node == READ_ONCE(ln->node);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_node_is_local);

/**
 * lynx_addr_check - validate a sockaddr_lynx from user space
 * @addr: the address
 * @len: its length as given
 *
 * Return: 0, -EINVAL for a short address or non-zero padding,
 * -EAFNOSUPPORT for another family.
 */
int lynx_addr_check(const struct sockaddr *addr, int len)
{
	const struct sockaddr_lynx *slx = (const struct sockaddr_lynx *)addr;

	if (len < (int)sizeof(*slx))
		return -EINVAL;
	if (slx->slx_family != lynx_family)
		return -EAFNOSUPPORT;
	if (slx->slx_reserved || memchr_inv(slx->slx_zero, 0,
					    sizeof(slx->slx_zero)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_addr_check);

static bool lynx_port_in_use(struct lynx_net *ln, u8 type, u32 port)
{
	struct lynx_sock *lsk;

	lockdep_assert_held(&ln->bind_lock);
	hlist_for_each_entry(lsk, lynx_bind_bucket(ln, type, port), bind_node)
		if (lsk->port == port)
			return true;
	return false;
}

static u32 lynx_pick_ephemeral(struct lynx_net *ln, u8 type)
{
	u32 low, high, range, offset, i, port;
	unsigned int seq;

	do {
		seq = read_seqbegin(&ln->eph_lock);
		low = ln->eph_low;
		high = ln->eph_high;
	} while (read_seqretry(&ln->eph_lock, seq));

	range = high - low + 1;
	offset = get_random_u32_below(range);
	for (i = 0; i < range; i++) {
		port = low + (offset + i) % range;
		if (!lynx_port_in_use(ln, type, port))
			return port;
	}
	return 0;
}

/**
 * lynx_bind_port - put a socket in its namespace's port table
 * @ln: the namespace
 * @lsk: an unbound socket
 * @port: the port, or LYNX_PORT_ANY for an ephemeral one
 * @node: the node bound to (LYNX_NODE_ANY, LYNX_NODE_LOCAL or ours)
 *
 * Return: 0, -EADDRINUSE if @port is taken or the ephemeral range is full.
 */
int lynx_bind_port(struct lynx_net *ln, struct lynx_sock *lsk, u32 port,
		   u32 node)
{
	int err = 0;

	spin_lock_bh(&ln->bind_lock);
	if (port == LYNX_PORT_ANY)
		port = lynx_pick_ephemeral(ln, lsk->type);
	if (!port || lynx_port_in_use(ln, lsk->type, port)) {
		err = -EADDRINUSE;
		goto out;
	}
	WRITE_ONCE(lsk->port, port);
	WRITE_ONCE(lsk->node, node);
	hlist_add_head_rcu(&lsk->bind_node,
			   lynx_bind_bucket(ln, lsk->type, port));
out:
	spin_unlock_bh(&ln->bind_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_bind_port);

/* Remove a socket from the port table; a no-op when it is not bound. */
void lynx_unbind(struct lynx_sock *lsk)
{
	struct lynx_net *ln = lynx_net(sock_net(&lsk->sk));

	spin_lock_bh(&ln->bind_lock);
	if (lsk->port) {
		hlist_del_init_rcu(&lsk->bind_node);
		WRITE_ONCE(lsk->port, 0);
	}
	spin_unlock_bh(&ln->bind_lock);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_unbind);

/**
 * lynx_lookup_bound - find the socket bound to a port
 * @ln: the namespace
 * @type: enum lynx_frame_type, the port space
 * @port: the port
 *
 * Callable from any context.  Return: the socket with a reference the
 * caller drops with sock_put(), or NULL.
 */
struct sock *lynx_lookup_bound(struct lynx_net *ln, u8 type, u32 port)
{
	struct lynx_sock *lsk;
	struct sock *sk = NULL;

	rcu_read_lock();
	hlist_for_each_entry_rcu(lsk, lynx_bind_bucket(ln, type, port),
				 bind_node) {
		if (READ_ONCE(lsk->port) == port &&
		    refcount_inc_not_zero(&lsk->sk.sk_refcnt)) {
			sk = &lsk->sk;
			break;
		}
	}
	rcu_read_unlock();
	return sk;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_lookup_bound);

/* Bind to an ephemeral port if not bound yet.  Caller holds the sock lock. */
int lynx_autobind(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);

	sock_owned_by_me(sk);
	if (lsk->port)
		return 0;
	return lynx_bind_port(lynx_net(sock_net(sk)), lsk, LYNX_PORT_ANY,
			      LYNX_NODE_ANY);
}

int lynx_sock_bind(struct socket *sock, struct sockaddr *addr, int len)
{
	const struct sockaddr_lynx *slx = (const struct sockaddr_lynx *)addr;
	struct sock *sk = sock->sk;
	struct lynx_sock *lsk = lynx_sk(sk);
	struct net *net = sock_net(sk);
	struct lynx_net *ln = lynx_net(net);
	int err;

	err = lynx_addr_check(addr, len);
	if (err)
		return err;
	if (slx->slx_node != LYNX_NODE_ANY &&
	    !lynx_node_is_local(ln, slx->slx_node))
		return -EADDRNOTAVAIL;
	if (slx->slx_port && slx->slx_port < PROT_SOCK &&
	    !ns_capable(net->user_ns, CAP_NET_BIND_SERVICE))
		return -EACCES;

	lock_sock(sk);
	if (lsk->port || sk->sk_state == TCP_LISTEN)
		err = -EINVAL;
	else
		err = lynx_bind_port(ln, lsk, slx->slx_port, slx->slx_node);
	release_sock(sk);
	return err;
}

/**
 * lynx_sock_getname - getsockname() and getpeername() for every type
 * @sock: the socket
 * @addr: where the address goes
 * @peer: non-zero for the peer's address
 *
 * The whole sockaddr_lynx is written, padding zeroed; a socket bound to
 * LYNX_NODE_LOCAL reports this namespace's node id.
 *
 * Return: the address length, or -ENOTCONN for the peer of an
 * unconnected socket.
 */
int lynx_sock_getname(struct socket *sock, struct sockaddr *addr, int peer)
{
	struct sockaddr_lynx *slx = (struct sockaddr_lynx *)addr;
	struct sock *sk = sock->sk;
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));
	int err = sizeof(*slx);

	memset(slx, 0, sizeof(*slx));
	slx->slx_family = lynx_family;
	lock_sock(sk);
	if (peer) {
		if (!lsk->peer_port) {
			err = -ENOTCONN;
		} else {
			slx->slx_port = lsk->peer_port;
			slx->slx_node = lsk->peer_node;
		}
	} else {
		slx->slx_port = lsk->port;
		slx->slx_node = lsk->port ? lsk->node : LYNX_NODE_ANY;
		/* Connected, the local address is concrete, as TCP's is. */
		if (slx->slx_node == LYNX_NODE_LOCAL ||
		    (slx->slx_node == LYNX_NODE_ANY && lsk->peer_port &&
		     sk->sk_type != SOCK_DGRAM))
			slx->slx_node = READ_ONCE(ln->node);
	}
	release_sock(sk);
	return err;
}

/* proto .init of every type: the lynx part of a new socket. */
void lynx_sock_init(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	lsk->type = lynx_type_of_sock(sk->sk_type);
	lsk->node = LYNX_NODE_ANY;
	INIT_HLIST_NODE(&lsk->bind_node);
	/* The receive path finds sockets under RCU. */
	sock_set_flag(sk, SOCK_RCU_FREE);

	spin_lock_bh(&ln->sk_list_lock);
	hlist_add_head(&lsk->list_node, &ln->sk_list);
	spin_unlock_bh(&ln->sk_list_lock);
}

/* Undo lynx_sock_init() and any bind: the socket is going away. */
void lynx_sock_unlink(struct sock *sk)
{
	struct lynx_sock *lsk = lynx_sk(sk);
	struct lynx_net *ln = lynx_net(sock_net(sk));

	lynx_unbind(lsk);
	spin_lock_bh(&ln->sk_list_lock);
	hlist_del_init(&lsk->list_node);
	spin_unlock_bh(&ln->sk_list_lock);
}

/**
 * lynx_sockopt_put - give an option's value to getsockopt()
 * @optval: the user's buffer
 * @optlen: its length in, what was written out
 * @val:    the value
 * @size:   its size
 *
 * As sock_getsockopt(): a buffer shorter than the value gets its first
 * bytes; a negative length is refused.
 *
 * Return: 0, -EINVAL or -EFAULT.
 */
int lynx_sockopt_put(char __user *optval, int __user *optlen,
		     const void *val, int size)
{
	int len;

	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	len = min(len, size);
	if (put_user(len, optlen) || copy_to_user(optval, val, len))
		return -EFAULT;
	return 0;
}
