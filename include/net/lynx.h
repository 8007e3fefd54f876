/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: internal definitions shared by the module's files and its KUnit
 * tests.  One concept per file (module/):
 *
 *   af_lynx.c  family registration, socket creation, module init/exit
 *   sock.c     what every socket type shares: bind, port tables, getname
 *   dgram.c    SOCK_DGRAM proto_ops and proto
 *   raw.c      SOCK_RAW proto_ops and proto: whole frames, copies of what
 *              enters
 *   stream.c   SOCK_STREAM and SOCK_SEQPACKET proto_ops and protos, and
 *              their memory limits
 *   conn.c     their transport's lifecycle: connection hash, handshake,
 *              state changes, teardown, connect/listen/accept
 *   conn_input.c   segments in: acks, delivery, the receive queue, the
 *              state machine, SYNs on listeners
 *   conn_output.c  segments out: the write queue, control segments
 *   conn_timer.c   retransmission and keepalive timers
 *   conn_sack.c    selective acknowledgment: the receiver's blocks, the
 *              sender's SACKed marks and the holes fast recovery resends
 *              (module/conn.h: what the five conn files share)
 *   conn_cc.c      congestion control (NewReno), pure functions of
 *              struct lynx_conn declared in <net/lynx_conn.h>
 *   conn_cubic.c   CUBIC's window for it (net.lynx.congestion_control)
 *   wire.c     the lynx header: build, parse, checksum
 *   input.c    where a frame enters: packet_type handler and demux
 *   output.c   where a frame leaves: node -> device/MAC, dev_queue_xmit
 *   neigh.c    node -> (device, MAC) table learned from received frames
 *   dev.c      the lynx net_device, its owned segments and lynxlo
 *   lower.c    lynx on an Ethernet device: a lynx device stacked on one
 *   net.c      per-namespace state and sysctls
 *   proc.c     /proc/net/lynx, /proc/net/lynx_neigh, /proc/net/lynx_stat
 *   fault.c    fail_lynx_alloc (debug builds: CONFIG_LYNX_FAULT_INJECTION)
 *
 * What is here is the module's internal API: any file of module/ may call
 * it, and the KUnit suites (kunit/, lynx_test.ko) may call what is here
 * and what a file exports with EXPORT_SYMBOL_IF_KUNIT(), nothing else.
 * Declarations sit under the file that defines them.  Beside this header:
 * <net/lynx_conn.h> (connection state and the transport's pure helpers),
 * <net/lynx_dev.h> and <net/lynx_neigh.h> (what only dev.c, neigh.c,
 * proc.c and their KUnit suites use), module/conn.h (private to the conn
 * files) and <linux/lynx.h> (user space's).
 */

/* Lifetimes and locking
 *
 * - "The socket lock" is struct sock's, in either form: the owner
 * (lock_sock(), process context, may sleep) or the spinlock
 * (bh_lock_sock(), softirq: the receive path and the timers), which may
 * touch the socket only while sock_owned_by_user() is false.  A segment
 * for an owned socket goes to the backlog, and release_sock() feeds it to
 * lynx_conn_backlog_rcv() with ownership.  Everything of a connection
 * (struct lynx_conn, sk_receive_queue, sk_write_queue, ooo_q, sk_timer,
 * ka_timer, delack_timer) is under it, not under the queues' own
 * spinlocks (the __skb_*() helpers), except a listener's accept queue
 * (accept_q, accept_len), which is under its accept_lock.  "@sk: the socket, locked"
 * means either form, asserted with sock_owned_by_me().
 * A datagram socket's receive queue is under the queue's spinlock alone
 * (sock_queue_rcv_skb(), skb_recv_datagram()), as UDP's, and so is a raw
 * socket's.
 *
 * - Lock order, outer first, as the code nests them:
 *
 *     listener lock -> child lock (lock_sock_nested(child,
 *         SINGLE_DEPTH_NESTING): lynx_conn_accept_child(),
 *         lynx_conn_listen_stop())
 *     listener lock or child lock -> listener's accept_lock
 *         (lynx_conn_accept_child(), lynx_conn_listen_stop(), and
 *         lynx_conn_leave_parent() from lynx_conn_done() in any context)
 *     accept_lock -> lynx_net.conn_lock and -> lynx_net.sk_list_lock
 *         (lynx_conn_syn() creates and hashes the child under it)
 *     socket lock -> bind_lock, conn_lock, sk_list_lock (bind, autobind,
 *         connect, lynx_conn_done(), close)
 *     socket lock -> neigh.lock (lynx_conn_negative_advice()), reply_lock
 *         (resets) and the devices' locks (lynx_output())
 *
 * The receive path never takes a listener's socket lock: lynx_conn_syn()
 * holds only its accept_lock, and locks the new child after dropping it.
 * No socket lock is taken under an accept_lock.  bind_lock, conn_lock,
 * sk_list_lock, reply_lock and neigh.lock are leaves: none of lynx's locks
 * is taken under them (bind_lock reads the eph_lock seqlock; /proc's walk
 * under sk_list_lock takes sk_callback_lock), all with BHs off.  raw_lock
 * is a leaf taken under no other lock, in process context only (a raw
 * socket's init and close): the receive path reads raw_list under RCU.  Frames
 * reach receivers in the receive path, BHs off (the softirq, or a
 * threaded NAPI; lynxlo's through netif_rx(), a segment device's through
 * its NAPI poll, dev.c): a sender that owns its socket may run that
 * softirq when lynx_output() turns BHs back on, and finds its own socket
 * owned (backlog); one holding a socket spinlock never does.  A receiving
 * device's rxq lock is a leaf.
 *
 * - References (sock_hold()) and where they are dropped:
 *
 *     owner         sk_alloc()'s, put by proto .close (lynx_stream_close(),
 *                   lynx_dgram_close()); a child's is first the accept
 *                   queue's, handed to the accepting socket by
 *                   lynx_conn_accept_child()
 *     bind hash     none, nor sk_list: lynx_sock_unlink() takes a socket
 *                   out before its last reference goes; lookups take one
 *                   with refcount_inc_not_zero() under RCU (SOCK_RCU_FREE)
 *     conn hash     lynx_conn_hash(); lynx_conn_unhash() from
 *                   lynx_conn_done() or a failed connect
 *     accept queue  the child's first (above), put by
 *                   lynx_conn_leave_parent() if never accepted
 *     c->parent     one on the listener, set by lynx_conn_syn() under its
 *                   accept_lock, put under the child's socket lock by
 *                   lynx_conn_accept_child() or lynx_conn_leave_parent()
 *     timers        sk_reset_timer() takes one arming an idle timer,
 *                   sk_stop_timer() puts it disarming a pending one, the
 *                   handler puts its own when done
 *     orphans       none: lynx_net.orphans only counts them
 *                   (lynx_conn_orphan_begin(), lynx_conn_done()); a closed
 *                   connection lives on its conn hash and timer references
 *     input         lynx_conn_rcv() and lynx_dgram_rcv() hold the lookup's
 *                   over processing or sk_add_backlog(); backlog skbs hold
 *                   none (the owner does, and drains them); lynx_conn_syn()
 *                   holds one on the new child while it sends SYN|ACK
 *     transmit      clones in flight hold sk_wmem_alloc, which defers
 *                   __sk_free(), not a reference
 *     raw list      none: lynx_raw_close() takes a socket off
 *                   lynx_net.raw_list before its last reference goes, and
 *                   lynx_raw_rcv() queues copies under RCU without taking
 *                   one, as IP's raw sockets do: SOCK_RCU_FREE keeps the
 *                   socket for the walk, and its destructor, after the
 *                   grace period, frees a copy queued after close()
 *
 * lynx_conn_done() drops the conn hash's and the timers' references, so
 * its caller holds one of its own; for a SOCK_DEAD socket it also ends the
 * orphan and unlinks it, and the last sock_put() frees it.
 *
 * - A child never accepted is freed by lynx_conn_done(): when it ends
 * (a reset, a handshake or keepalive timeout), or when its listener closes
 * or shuts down reading and lynx_conn_listen_stop() locks, orphans and
 * aborts every queued child.  Seeing c->parent, it orphans the child
 * (SOCK_DEAD), lynx_conn_leave_parent() puts the queue's and the
 * listener's references, the child is unlinked, and the caller's
 * sock_put() (receive path, timer or lynx_conn_listen_stop()) is the
 * last.  A child that lost the race to the conn hash is put at once by
 * lynx_conn_syn().
 *
 * - A timer (softirq) takes bh_lock_sock(); if sock_owned_by_user(), it
 * touches nothing and re-arms itself (lynx_conn_timer() after 10 ms,
 * lynx_conn_keepalive_timer() after 50 ms), else the queues are its own
 * until bh_unlock_sock(); then it puts the timer's reference.  Never
 * lock_sock() there.  A listener's accept queue takes its accept_lock
 * (spin_lock_bh()) in any context.
 *
 * - Read without a lock, READ_ONCE() against WRITE_ONCE():
 *
 *     sk_state      lynx_set_state() under the socket lock (a listener's
 *                   end also under its accept_lock); read by poll, ioctl,
 *                   /proc, lynx_conn_rcv(), lynx_conn_syn() and the accept
 *                   queue walks (a child's, under accept_lock only)
 *     sk_shutdown, sk_err  under the socket lock (a datagram socket's
 *                   sk_err from input); poll, lynx_dgram_rcv()
 *     port, node    of a lynx_sock, under bind_lock; lookups, /proc
 *     peer_port, peer_node  under the socket lock; lynx_conn_lookup()
 *                   (which checks again once it holds a reference),
 *                   lynx_dgram_rcv(), /proc
 *     rcvq_bytes, rcvq_msgs, wq_bytes  under the socket lock; poll, ioctl
 *     port, node, types  of a lynx_raw_sock (its filter), under the socket
 *                   lock; lynx_raw_rcv(), /proc
 *     lynx_net      node (sysctl), dying (pre_exit), lo (exit: lynx_rcv()
 *                   reads it plainly, no receiver runs by then), the
 *                   sysctls (proc_dointvec*() write them with WRITE_ONCE())
 *     also          lynx_neigh.updated, lynx_dev_fault.on (dev.c), and a
 *                   listener's options copied to a child in softirq
 *
 * A child's fields are written plainly before lynx_conn_hash() publishes
 * it (hlist_nulls_add_head_rcu()).
 */
#ifndef _NET_LYNX_H
#define _NET_LYNX_H

#include <linux/types.h>
#include <linux/net.h>
#include <linux/netdevice.h>
#include <linux/if_ether.h>
#include <linux/skbuff.h>
#include <linux/list_nulls.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include <net/ip.h>
#include <net/snmp.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include <linux/lynx.h>
#include <net/lynx_conn.h>

/* ---- wire format (wire.c) ---------------------------------------------- */

/* LYNX_VERSION, the frame types and flags, struct lynxhdr: <linux/lynx.h>. */

/*
 * The sequence space a segment takes: its payload, one for SYN and FIN,
 * and one for an empty SEQPACKET message (LYNX_F_EOR without payload), so
 * that it is acknowledged and delivered as FIN is, not taken for a
 * duplicate.  SACK blocks take none.
 */
static inline u32 lynx_seg_seq_len(u32 len, u8 flags)
{
	/* (an ACK's SACK blocks are no data) */
	if ((flags & (LYNX_F_SACK | LYNX_F_SYN)) == LYNX_F_SACK)
		len = 0;
	return len + !!(flags & LYNX_F_SYN) + !!(flags & LYNX_F_FIN) +
	       (!len && (flags & LYNX_F_EOR));
}

#define LYNX_HLEN	((int)sizeof(struct lynxhdr))
/* Room to reserve in front of a payload for the lynx and Ethernet headers. */
#define LYNX_HEADROOM	ALIGN(ETH_HLEN + LYNX_HLEN, 16)

/* The decoded header, in host order.  @csum_partial is lynx_hdr_parse()'s
 * only: the frame came CHECKSUM_PARTIAL, its csum field never filled in
 * (lynx_hdr_csum_partial()); lynx_hdr_push() ignores it.
 */
struct lynx_hdr_info {
	u8	type;
	u8	flags;
	u16	len;
	u32	src_node;
	u32	dst_node;
	u32	src_port;
	u32	dst_port;
	u32	seq;
	u32	ack;
	u32	window;
	bool	csum_partial;
};

/* Why lynx_hdr_parse() refused a frame; each is a drop counter too. */
enum lynx_parse_err {
	LYNX_PARSE_OK = 0,
	LYNX_PARSE_TRUNCATED,	/* shorter than the header or its len */
	LYNX_PARSE_VERSION,	/* unknown version */
	LYNX_PARSE_MALFORMED,	/* bad type, flags or reserved bits */
	LYNX_PARSE_CSUM,	/* checksum mismatch */
};

void lynx_hdr_push(struct sk_buff *skb, const struct lynx_hdr_info *info);
void lynx_hdr_csum_partial(struct sk_buff *skb);
void lynx_hdr_csum(struct sk_buff *skb);
enum lynx_parse_err lynx_hdr_check(const struct lynxhdr *h);
enum lynx_parse_err lynx_hdr_parse(struct sk_buff *skb,
				   struct lynx_hdr_info *info);

/* ---- per-namespace state (net.c) --------------------------------------- */

/* Protocol counters, shown in /proc/net/lynx_stat. */
enum lynx_mib {
	LYNX_MIB_FRAMES_IN,
	LYNX_MIB_FRAMES_OUT,
	LYNX_MIB_DROP_TRUNCATED,
	LYNX_MIB_DROP_VERSION,
	LYNX_MIB_DROP_MALFORMED,
	LYNX_MIB_DROP_CSUM,
	LYNX_MIB_DROP_NOT_FOR_US,	/* destination node is another one */
	LYNX_MIB_DROP_NO_SOCKET,	/* no socket at the destination port */
	LYNX_MIB_DROP_RCVBUF,		/* receiver's buffer full */
	LYNX_MIB_DROP_NOMEM,
	LYNX_MIB_DROP_TX,		/* could not be sent */
	LYNX_MIB_DROP_OOW,		/* segment outside the window */
	LYNX_MIB_RETRANS,		/* segments sent again */
	LYNX_MIB_RESETS,		/* resets sent */
	LYNX_MIB_REPLY_RATELIMITED,	/* resets, refusals, ACKs not sent */
	LYNX_MIB_DROP_DEVICE,		/* arrived on a device not lynx's */
	LYNX_MIB_RAW_DROPS,		/* copies a raw socket could not take */
	LYNX_MIB_TIMEOUTS,		/* retransmission timeouts with data */
	LYNX_MIB_FAST_RECOVERIES,	/* fast recoveries begun (3 dup ACKs) */
	LYNX_MIB_SACK_RECOVERIES,	/* of which SACK blocks guided */
	LYNX_MIB_MAX
};

/* The per-CPU counters, in <net/snmp.h>'s layout (SNMP_INC_STATS()). */
struct lynx_mib_stats {
	unsigned long mibs[LYNX_MIB_MAX];
};

/*
 * Chains per namespace, allocated apart from struct lynx_net (kvcalloc):
 * 10,000 connections' 20,000 sockets over 1024 chains made every SYN's
 * lookup walk some 20 of them, connect 1.19-1.37 times slower than with
 * none open (make bench's connlat); with 8192 (and 2048 for each bind
 * table) 0.98-1.10.  64 KiB and 4 x 16 KiB a namespace.
 */
#define LYNX_BIND_HASH_BITS	11
/* One bind table per frame type, indexed by enum lynx_frame_type. */
#define LYNX_BIND_TYPES		(LYNX_T_MAX + 1)
#define LYNX_CONN_HASH_BITS	13
#define LYNX_NEIGH_HASH_BITS	8

/**
 * struct lynx_neigh_table - node -> link address, learned from frames
 * @lock: protects the hash chains (writers); readers use RCU
 * @hash: chains of struct lynx_neigh
 * @gc:   periodic expiry of stale entries (one timer per namespace)
 */
struct lynx_neigh_table {
	spinlock_t		lock;		/* writers of @hash */
	struct hlist_head	hash[1 << LYNX_NEIGH_HASH_BITS];
	struct delayed_work	gc;
};

/**
 * struct lynx_net - per network namespace state
 * @net:        back pointer
 * @dying:      set by the pernet pre_exit: the receive path drops every
 *              frame from then on (see lynx_net_pre_exit())
 * @node:       this namespace's node id (sysctl net.lynx.node)
 * @eph_lock:   seqlock for the ephemeral port range
 * @eph_low:    ephemeral port range, sysctl net.lynx.ephemeral_ports
 * @eph_high:   ephemeral port range (inclusive)
 * @bind_lock:  protects @bind_hash chains and every socket's bound port
 * @bind_hash:  bound sockets by (type, port), LYNX_BIND_TYPES tables;
 *              readers use RCU
 * @conn_lock:  protects @conn_hash chains
 * @conn_hash:  connections by (type, port, peer node, peer port); readers
 *              use RCU, and the nulls value ending each chain (its index)
 *              tells them a socket moved to another chain under them
 * @sk_list_lock: protects @sk_list (taken with BHs off: children are
 *              added from the receive path)
 * @sk_list:    every lynx socket of the namespace, for /proc/net/lynx
 * @raw_lock:   protects @raw_list (writers, process context only)
 * @raw_list:   the namespace's SOCK_RAW sockets; the receive path reads
 *              it under RCU, and skips it while it is empty
 * @neigh:      the neighbour table
 * @lo:         this namespace's lynxlo device; NULL once the namespace's
 *              exit destroyed it (readers: READ_ONCE() under RCU)
 * @mib:        protocol counters
 * @sysctl_hdr: registered net/lynx sysctl table
 * @orphans:    connections closed by their owner and still under way
 * @max_orphans: sysctl net.lynx.max_orphans: beyond it a close resets
 * @orphan_timeout: sysctl net.lynx.orphan_timeout: an orphan's lifetime, s
 * @reply_lock: protects @reply_credit and @reply_stamp
 * @reply_credit: unsolicited replies (resets, refusals) that may go now
 * @reply_stamp: jiffies when @reply_credit was last refilled
 * @reply_rate: sysctl net.lynx.reply_rate: unsolicited replies a second
 * @reply_burst: sysctl net.lynx.reply_burst: how many may go at once
 * @keepalive_time: sysctl net.lynx.keepalive_time: idle seconds to a probe
 * @keepalive_intvl: sysctl net.lynx.keepalive_intvl: seconds between probes
 * @keepalive_probes: sysctl net.lynx.keepalive_probes: unanswered, the end
 * @cc_algo:   sysctl net.lynx.congestion_control: LYNX_CC_* of connections
 *             that begin from now on
 * @sack:      sysctl net.lynx.sack: connections that begin from now on
 *             offer SACK (conn_sack.c)
 */
struct lynx_net {
	struct net		*net;
	bool			dying;
	u32			node;
	seqlock_t		eph_lock;
	u32			eph_low;
	u32			eph_high;
	spinlock_t		bind_lock;	/* @bind_hash, bound ports */
	struct hlist_head	(*bind_hash)[1 << LYNX_BIND_HASH_BITS];
	spinlock_t		conn_lock;	/* @conn_hash */
	struct hlist_nulls_head	*conn_hash;
	spinlock_t		sk_list_lock;	/* @sk_list */
	struct hlist_head	sk_list;
	spinlock_t		raw_lock;	/* @raw_list */
	struct hlist_head	raw_list;
	struct lynx_neigh_table	neigh;
	struct net_device	*lo;
	struct lynx_mib_stats __percpu *mib;
	struct ctl_table_header	*sysctl_hdr;
	atomic_t		orphans;
	int			max_orphans;
	int			orphan_timeout;
	spinlock_t		reply_lock;	/* @reply_credit, @reply_stamp */
	int			reply_credit;
	unsigned long		reply_stamp;
	int			reply_rate;
	int			reply_burst;
	int			keepalive_time;
	int			keepalive_intvl;
	int			keepalive_probes;
	u8			cc_algo;
	int			sack;
};

extern unsigned int lynx_net_id;

static inline struct lynx_net *lynx_net(const struct net *net)
{
	return net_generic(net, lynx_net_id);
}

#define LYNX_INC_STATS(ln, field)	SNMP_INC_STATS((ln)->mib, field)

/* A counter summed over the CPUs (/proc/net/lynx_stat, KUnit). */
static inline unsigned long lynx_stats_read(const struct lynx_net *ln,
					    enum lynx_mib field)
{
	return snmp_fold_field(ln->mib, field);
}

int lynx_net_init(void);
void lynx_net_exit(void);
bool lynx_reply_allow(struct lynx_net *ln);

/* ---- the socket structures -------------------------------------------- */

/**
 * struct lynx_sock - a lynx socket
 * @sk:         the generic socket; must stay first
 * @type:       enum lynx_frame_type of this socket (its port space); 0
 *              for a SOCK_RAW socket, which takes no port
 * @port:       bound port (0: unbound), under lynx_net.bind_lock to change
 * @node:       node bound to, LYNX_NODE_ANY for the wildcard
 * @peer_port:  connected peer port (0: none), under the socket lock
 * @peer_node:  connected peer node
 * @bind_node:  in lynx_net.bind_hash while bound
 * @list_node:  in lynx_net.sk_list for the socket's whole life
 *
 * A SOCK_DGRAM socket is just this; a connection's is struct
 * lynx_conn_sock, a raw socket's struct lynx_raw_sock (raw.c).
 */
struct lynx_sock {
	struct sock		sk;
	u8			type;
	u32			port;
	u32			node;
	u32			peer_port;
	u32			peer_node;
	struct hlist_node	bind_node;
	struct hlist_node	list_node;
};

static inline struct lynx_sock *lynx_sk(const struct sock *sk)
{
	return container_of(sk, struct lynx_sock, sk);
}

/**
 * struct lynx_conn_sock - a SOCK_STREAM or SOCK_SEQPACKET socket
 * @lsk:  the lynx socket; must stay first
 * @conn: the connection's transport state
 */
struct lynx_conn_sock {
	struct lynx_sock	lsk;
	struct lynx_conn	conn;
};

static inline struct lynx_conn_sock *lynx_conn_sk(const struct sock *sk)
{
	return container_of(lynx_sk(sk), struct lynx_conn_sock, lsk);
}

/* The transport state of a connection socket (never of a datagram one). */
static inline struct lynx_conn *lynx_sk_conn(const struct sock *sk)
{
	return &lynx_conn_sk(sk)->conn;
}

/* Connection states are TCP's (TCP_ESTABLISHED, ...), as /proc shows. */
static inline void lynx_set_state(struct sock *sk, int state)
{
	WRITE_ONCE(sk->sk_state, state);
}

/* ---- the family (af_lynx.c) -------------------------------------------- */

/* The family number in use: AF_LYNX unless the "family" parameter says so. */
extern int lynx_family;

int lynx_sock_release(struct socket *sock);

/* ---- what every socket type shares (sock.c) ---------------------------- */

void lynx_sock_init(struct sock *sk);
void lynx_sock_unlink(struct sock *sk);
int lynx_sock_bind(struct socket *sock, struct sockaddr *addr, int len);
int lynx_sock_getname(struct socket *sock, struct sockaddr *addr, int peer);
int lynx_addr_check(const struct sockaddr *addr, int len);
int lynx_bind_port(struct lynx_net *ln, struct lynx_sock *lsk, u32 port,
		   u32 node);
int lynx_autobind(struct sock *sk);
void lynx_unbind(struct lynx_sock *lsk);
struct sock *lynx_lookup_bound(struct lynx_net *ln, u8 type, u32 port);
bool lynx_node_is_local(const struct lynx_net *ln, u32 node);
int lynx_sockopt_put(char __user *optval, int __user *optlen,
		     const void *val, int size);

/* ---- datagrams (dgram.c) ----------------------------------------------- */

extern const struct proto_ops lynx_dgram_ops;
extern struct proto lynx_dgram_proto;

int lynx_dgram_rcv(struct lynx_net *ln, struct sk_buff *skb,
		   const struct lynx_hdr_info *info);
int lynx_dgram_ioctl(struct socket *sock, unsigned int cmd, unsigned long arg);
int lynx_recv_datagram(struct sock *sk, struct msghdr *msg, size_t len,
		       int flags,
		       void (*source)(const struct sk_buff *skb,
				      struct sockaddr_lynx *slx));

/* ---- raw sockets (raw.c) ------------------------------------------------ */

extern const struct proto_ops lynx_raw_ops;
extern struct proto lynx_raw_proto;

void lynx_raw_rcv(struct lynx_net *ln, struct sk_buff *skb,
		  const struct lynx_hdr_info *info);
void lynx_raw_filter(const struct sock *sk, u32 *node, u32 *port);

/* Whether a frame must be offered to raw sockets: the fast path's one
 * test while the namespace has none.
 */
static inline bool lynx_raw_wanted(const struct lynx_net *ln)
{
	return !hlist_empty(&ln->raw_list);
}

/* ---- connection sockets (stream.c) ------------------------------------- */

extern const struct proto_ops lynx_stream_ops;
extern struct proto lynx_stream_proto;
extern const struct proto_ops lynx_seqpacket_ops;
extern struct proto lynx_seqpacket_proto;

/* The memory limits of both connection protos (net.core's tcp_mem etc.). */
extern atomic_long_t lynx_conn_memory_allocated;
extern long lynx_conn_sysctl_mem[3];
extern int lynx_conn_sysctl_wmem[3];
extern int lynx_conn_sysctl_rmem[3];
DECLARE_PER_CPU(int, lynx_conn_fw_alloc);
void lynx_stream_mem_init(void);

/* ---- connections: lifecycle (conn.c) ------------------------------------ */

void lynx_conn_sock_init(struct sock *sk);
void lynx_conn_destruct(struct sock *sk);
int lynx_conn_connect(struct sock *sk, u32 node, u32 port);
void lynx_conn_abort(struct sock *sk, int err, bool send_rst);
void lynx_conn_done(struct sock *sk);
bool lynx_conn_orphan_begin(struct sock *sk);
void lynx_conn_listen_stop(struct sock *sk);
struct sock *lynx_conn_accept_child(struct sock *sk);
bool lynx_conn_accept_ready(struct sock *sk);

/* ---- connections: receiving (conn_input.c) ------------------------------ */

int lynx_conn_rcv(struct lynx_net *ln, struct sk_buff *skb,
		  const struct lynx_hdr_info *info);
int lynx_conn_backlog_rcv(struct sock *sk, struct sk_buff *skb);
void lynx_conn_process(struct sock *sk, struct sk_buff *skb);
void lynx_conn_rcv_space(struct sock *sk);
bool lynx_conn_rcvq_read(struct sock *sk, struct sk_buff *skb, u32 n);
bool lynx_conn_rcv_unread(const struct sock *sk);
bool lynx_conn_rcv_pressure(const struct sock *sk);
void lynx_conn_purge_rcv(struct sock *sk);

/* ---- connections: sending (conn_output.c) ------------------------------- */

void lynx_conn_push(struct sock *sk);
void lynx_conn_timeout(struct sock *sk);
u32 lynx_conn_size_goal(struct sock *sk);
void lynx_conn_send_ack(struct sock *sk);
void lynx_conn_send_fin(struct sock *sk);
void lynx_conn_queue_tail(struct sock *sk, struct sk_buff *skb);
struct sk_buff *lynx_conn_unsent_tail(struct sock *sk);
void lynx_conn_queue_grow(struct sock *sk, struct sk_buff *skb, u32 n);
void lynx_conn_charge_wskb(struct sock *sk, int size);
void lynx_conn_free_wskb(struct sock *sk, struct sk_buff *skb);

/* ---- connections: timers (conn_timer.c) --------------------------------- */

void lynx_conn_set_keepalive(struct sock *sk, int val);

/* ---- where a frame enters (input.c) ------------------------------------ */

void lynx_input_init(void);
void lynx_input_exit(void);

/* ---- where a frame leaves (output.c) ----------------------------------- */

int lynx_output(struct lynx_net *ln, struct sk_buff *skb, u32 dst_node);
int lynx_output_raw(struct lynx_net *ln, struct sk_buff *skb, u32 dst_node);
int lynx_output_ctl(struct lynx_net *ln, const struct lynx_hdr_info *info,
		    const struct sock *sk, const void *data, unsigned int len);
int lynx_path_mtu(struct lynx_net *ln, u32 dst_node);

/* ---- fault injection (fault.c) ------------------------------------------ */

#ifdef CONFIG_LYNX_FAULT_INJECTION
bool lynx_should_fail_alloc(void);
void lynx_fail_alloc_init(void);
void lynx_fail_alloc_exit(void);
void lynx_fail_alloc_next(int times);
#else
static inline bool lynx_should_fail_alloc(void) { return false; }
static inline void lynx_fail_alloc_init(void) { }
static inline void lynx_fail_alloc_exit(void) { }
static inline void lynx_fail_alloc_next(int times) { }
#endif

/*
 * Every skb lynx allocates for a frame, and every clone it sends, comes
 * from these two: the points fail_lynx_alloc reaches.
 */
static inline struct sk_buff *lynx_alloc_skb(unsigned int size, gfp_t gfp,
					     bool fclone)
{
	if (lynx_should_fail_alloc())
		return NULL;
	return __alloc_skb(size, gfp, fclone ? SKB_ALLOC_FCLONE : 0,
			   NUMA_NO_NODE);
}

static inline struct sk_buff *lynx_clone_skb(struct sk_buff *skb, gfp_t gfp)
{
	return lynx_should_fail_alloc() ? NULL : skb_clone(skb, gfp);
}

/* ---- neighbours (neigh.c) ---------------------------------------------- */

void lynx_neigh_init(struct lynx_net *ln);
void lynx_neigh_exit(struct lynx_net *ln);
void lynx_neigh_learn(struct lynx_net *ln, u32 node, struct net_device *dev,
		      const u8 *mac);
/* Fills @dev (with a reference the caller drops) and @mac; false if unknown. */
bool lynx_neigh_lookup(struct lynx_net *ln, u32 node,
		       struct net_device **dev, u8 *mac);
void lynx_neigh_flush_dev(struct lynx_net *ln, struct net_device *dev);
void lynx_neigh_forget(struct lynx_net *ln, u32 node);
void lynx_neigh_expire(struct lynx_net *ln, unsigned long now);

/* ---- the device (dev.c) ------------------------------------------------ */

#define LYNX_LO_NAME	"lynxlo"

int lynx_dev_init(void);
void lynx_dev_exit(void);
bool lynx_dev_is_lynx(const struct net_device *dev);
bool lynx_dev_raw_ok(const struct net_device *dev);
struct net_device *lynx_dev_create_lo(struct net *net);
/* What every kind of lynx device shares (its ndo_init, ndo_uninit and
 * priv_destructor begin or end with these), and a stacked one's part.
 */
int lynx_dev_init_common(struct net_device *dev);
void lynx_dev_uninit_common(struct net_device *dev);
void lynx_dev_free_common(struct net_device *dev);
struct lynx_lower *lynx_dev_lower(const struct net_device *dev);

/* ---- lynx on an Ethernet device (lower.c) ------------------------------ */

/**
 * struct lynx_lower - a stacked lynx device's hold on its lower device
 * @dev:     the Ethernet device it is stacked on: set before registration,
 *           never changed, held from ndo_init to priv_destructor
 * @tracker: that reference's
 * @linked:  it is @dev's upper device (netdev_upper_dev_link()); RTNL
 *
 * The lifetime rules are at the top of lower.c.
 */
struct lynx_lower {
	struct net_device	*dev;
	netdevice_tracker	tracker;
	bool			linked;
};

int lynx_lower_newlink(struct net *src_net, struct net_device *dev,
		       struct nlattr *tb[], struct nlattr *data[],
		       struct netlink_ext_ack *extack);
void lynx_lower_dellink(struct net_device *dev, struct list_head *head);
bool lynx_lower_is_upper(const struct net_device *dev);
struct net_device *lynx_lower_upper_rcu(struct net_device *lower);
int lynx_lower_event(struct lynx_net *ln, struct net_device *lower,
		     unsigned long event);

/* ---- /proc (proc.c) ---------------------------------------------------- */

int lynx_proc_init_net(struct net *net);
void lynx_proc_exit_net(struct net *net);

#endif /* _NET_LYNX_H */
