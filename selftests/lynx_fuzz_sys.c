// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall fuzzer for AF_LYNX: several threads share a pool of lynx sockets
 * of every type (fixed descriptor numbers FD_BASE..) and issue random
 * operations on them with random, often invalid, arguments: socket, bind,
 * listen, connect, accept4, the send and recv families with every flag,
 * shutdown, close, dup2 over a socket another thread is using,
 * setsockopt/getsockopt on every level and option, ioctl, fcntl, poll,
 * epoll, getsockname/getpeername, fork (the child goes on with the
 * inherited descriptors), switches between two namespaces, new namespaces
 * that die with their last socket, lynx devices added, deleted and their
 * MTU changed, bad pointers (NULL, unmapped, kernel, read-only, straddling
 * an unmapped page) and bad lengths.  A signal now and then interrupts
 * whatever blocks; every socket has short send/receive timeouts, so a
 * call that does not return is a hang.
 *
 * Seeded (printed; "-s SEED -d SECONDS" or LYNX_FUZZ_SEED and
 * LYNX_FUZZ_SECONDS rerun it): each thread's choices repeat, their
 * interleaving depends on the scheduler.  After the run the invariants of
 * lynx_fuzz_common.h are checked and the figures printed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <linux/sockios.h>

#include "lynx_fuzz_common.h"

/*
 * Most calls wait a little (the 2 ms timeouts, a poll): more threads than
 * CPUs keep the kernel busy, and more of them race on each socket.
 * LYNX_FUZZ_THREADS sets how many (4; at most MAX_THREADS).
 */
#define MAX_THREADS	64
static unsigned int nthreads = 4;
#define NSLOTS		32
#define FD_BASE		600	/* slot i is descriptor FD_BASE + i */
#define PORT_BASE	1000	/* bind and connect mostly use 8 ports */
#define TIMEO_MS	2

enum op {
	OP_SOCKET, OP_BIND, OP_LISTEN, OP_CONNECT, OP_ACCEPT, OP_SEND,
	OP_SENDMSG, OP_SENDMMSG, OP_RECV, OP_RECVMSG, OP_RECVMMSG,
	OP_SHUTDOWN, OP_CLOSE, OP_DUP2, OP_SETSOCKOPT, OP_GETSOCKOPT,
	OP_IOCTL, OP_FCNTL, OP_POLL, OP_EPOLL, OP_GETNAME, OP_FORK,
	OP_NETNS, OP_NEWNS, OP_DEV, OP_PAIR, OP_N
};

static const char *const op_names[OP_N] = {
	"socket", "bind", "listen", "connect", "accept4", "send", "sendmsg",
	"sendmmsg", "recv", "recvmsg", "recvmmsg", "shutdown", "close",
	"dup2", "setsockopt", "getsockopt", "ioctl", "fcntl", "poll", "epoll",
	"getname", "fork", "netns", "newns", "device", "pair",
};

/* Relative frequencies. */
static const int op_weight[OP_N] = {
	[OP_SOCKET] = 8, [OP_BIND] = 6, [OP_LISTEN] = 4, [OP_CONNECT] = 6,
	[OP_ACCEPT] = 5, [OP_SEND] = 10, [OP_SENDMSG] = 5, [OP_SENDMMSG] = 2,
	[OP_RECV] = 10, [OP_RECVMSG] = 5, [OP_RECVMMSG] = 2,
	[OP_SHUTDOWN] = 3, [OP_CLOSE] = 4, [OP_DUP2] = 2,
	[OP_SETSOCKOPT] = 8, [OP_GETSOCKOPT] = 5, [OP_IOCTL] = 4,
	[OP_FCNTL] = 2, [OP_POLL] = 3, [OP_EPOLL] = 3, [OP_GETNAME] = 2,
	[OP_FORK] = 0, [OP_NETNS] = 1, [OP_NEWNS] = 0, [OP_DEV] = 0,
	[OP_PAIR] = 4,
};
/* The rare ones, 1 in this many operations each. */
#define RARE_FORK	1500
#define RARE_NEWNS	1500
#define RARE_DEV	3000

static uint64_t seed;
static int ns_init, ns_a, ns_b;
static atomic_int stop;
static uint8_t *bad_page;	/* PROT_NONE */
static uint8_t *ro_page;	/* PROT_READ */
static atomic_ulong ops[OP_N], ok_ops[OP_N], forks, child_hangs;
static atomic_ulong progress[MAX_THREADS];
static pthread_t workers[MAX_THREADS];

struct worker {
	int id;
	pid_t tid;
	int ep;			/* this thread's epoll descriptor */
	struct fz_rng r;
	uint8_t *buf;		/* BUF_SIZE bytes, then an unmapped page */
};

#define BUF_SIZE	(256 * 1024)

/* ---- arguments ----------------------------------------------------------- */

static int slot_fd(struct fz_rng *r)
{
	if (fz_one_in(r, 64))	/* not a socket, or not open */
		return fz_one_in(r, 2) ? -1 : FD_BASE + NSLOTS + fz_below(r, 4);
	return FD_BASE + fz_below(r, NSLOTS);
}

/* A pointer that is bad in one of the ways the kernel must refuse. */
static void *bad_ptr(struct fz_rng *r)
{
	switch (fz_below(r, 5)) {
	case 0:
		return NULL;
	case 1:
		return bad_page + fz_below(r, 4096);
	case 2:
		return (void *)(uintptr_t)0xffffffff81000000ULL;
	case 3:
		return (void *)(uintptr_t)1;
	default:
		return (void *)(uintptr_t)-1;
	}
}

/* A buffer of len bytes that is good, read-only, or runs into bad_page. */
static void *buf_ptr(struct worker *w, size_t len, int write)
{
	struct fz_rng *r = &w->r;

	if (fz_one_in(r, 16))
		return bad_ptr(r);
	if (fz_one_in(r, 16) && len && len <= 4096)	/* straddles */
		return bad_page - fz_below(r, len);
	if (write && fz_one_in(r, 32) && len <= 4096)
		return ro_page;
	return w->buf;
}

static size_t pick_len(struct fz_rng *r)
{
	static const size_t lens[] = {
		0, 1, 2, 7, 16, 100, 1000, 1500, 4096, 8192, 65000, 65535,
		65536, 70000, BUF_SIZE,
	};

	if (fz_one_in(r, 64))
		return (size_t)1 << (20 + fz_below(r, 12));	/* huge */
	return fz_one_in(r, 3) ? fz_below(r, 9000) : FZ_PICK(r, lens);
}

static int pick_af(struct fz_rng *r)
{
	return fz_one_in(r, 16) ? fz_below(r, 46) : lynx_af();
}

static uint32_t pick_port(struct fz_rng *r)
{
	static const uint32_t edges[] = { 0, 1, 0xffffffff, 0x80000000, 65535,
					  65536, 32768, 61000 };

	if (fz_one_in(r, 4))
		return fz_one_in(r, 2) ? FZ_PICK(r, edges) : fz_u32(r);
	return PORT_BASE + fz_below(r, 8);
}

/* The node of the namespace the thread is in (reading it costs 3 calls). */
static __thread uint32_t my_node;

static int enter_ns(int fd)
{
	int ret = fz_netns_enter(fd);

	my_node = lynx_node();
	return ret;
}

static uint32_t pick_node(struct fz_rng *r)
{
	static const uint32_t nodes[] = { LYNX_NODE_LOCAL, LYNX_NODE_ANY, 0, 2,
					  0x7fffffff };

	if (fz_one_in(r, 4))
		return fz_one_in(r, 2) ? FZ_PICK(r, nodes) : fz_u32(r);
	return fz_one_in(r, 2) ? LYNX_NODE_LOCAL : my_node;
}

/* An address in buf (returned, with its length in *len), or a bad one. */
static void *pick_addr(struct worker *w, socklen_t *len, uint8_t *buf)
{
	static const socklen_t lens[] = { 0, 1, 2, 4, 8, 15, 17, 28, 64, 128,
					  4096 };
	struct fz_rng *r = &w->r;
	struct sockaddr_lynx a;

	a = lynx_addr(pick_node(r), pick_port(r));
	if (fz_one_in(r, 8))
		a.slx_family = pick_af(r);
	if (fz_one_in(r, 16))
		a.slx_reserved = fz_u32(r);
	if (fz_one_in(r, 16))
		a.slx_zero[fz_below(r, 4)] = fz_u32(r);
	memset(buf, 0, 128);
	memcpy(buf, &a, sizeof(a));
	*len = fz_one_in(r, 8) ? FZ_PICK(r, lens) : sizeof(a);
	if (fz_one_in(r, 32)) {
		*len = fz_one_in(r, 2) ? (socklen_t)-1 : 16;
		return bad_ptr(r);
	}
	return buf;
}

static int pick_flags(struct fz_rng *r)
{
	static const int f[] = {
		MSG_OOB, MSG_PEEK, MSG_DONTROUTE, MSG_CTRUNC, MSG_TRUNC,
		MSG_DONTWAIT, MSG_EOR, MSG_WAITALL, MSG_NOSIGNAL, MSG_MORE,
		MSG_CONFIRM, MSG_ERRQUEUE, MSG_WAITFORONE, MSG_ZEROCOPY,
		MSG_FASTOPEN, MSG_CMSG_CLOEXEC, MSG_BATCH, MSG_PROXY, MSG_FIN,
		MSG_SYN, MSG_RST,
	};
	int flags = 0, i, n = fz_below(r, 4);

	for (i = 0; i < n; i++)
		flags |= FZ_PICK(r, f);
	if (fz_one_in(r, 32))
		flags = fz_u32(r);
	if (!fz_one_in(r, 32))
		flags |= MSG_DONTWAIT;
	return flags | MSG_NOSIGNAL;
}

/* Short timeouts and no lingering close: nothing blocks for long. */
static void tame(int fd)
{
	struct timeval tv = { 0, TIMEO_MS * 1000 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/* Moves a new descriptor into a random slot (over whatever is there). */
static void to_slot(struct fz_rng *r, int fd)
{
	if (fd < 0)
		return;
	tame(fd);
	dup2(fd, FD_BASE + fz_below(r, NSLOTS));
	close(fd);
}

/* ---- operations ---------------------------------------------------------- */

/*
 * A message header with up to 4 iovecs in iov.  Where the kernel writes
 * (write: a receive), the control buffer is the end of w->buf, so that a
 * bogus length runs into the unmapped page (EFAULT), not our memory.
 */
static void msghdr_fill(struct worker *w, struct msghdr *m, struct iovec *iov,
			uint8_t *name, uint8_t *ctl, int write)
{
	struct fz_rng *r = &w->r;
	size_t i, n = fz_below(r, 5);
	socklen_t alen;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		iov[i].iov_len = pick_len(r) / (n ? n : 1);
		iov[i].iov_base = buf_ptr(w, iov[i].iov_len, write);
	}
	m->msg_iov = fz_one_in(r, 32) ? bad_ptr(r) : iov;
	m->msg_iovlen = fz_one_in(r, 32) ? 1025 + fz_below(r, 10) : n;
	if (fz_one_in(r, 3)) {
		m->msg_name = pick_addr(w, &alen, name);
		m->msg_namelen = alen;
	}
	if (fz_one_in(r, 8)) {
		struct cmsghdr *c;

		if (write)
			ctl = w->buf + BUF_SIZE - 64;
		c = (struct cmsghdr *)ctl;
		fz_fill(r, ctl, 64);
		c->cmsg_len = fz_one_in(r, 2) ? CMSG_LEN(4 + fz_below(r, 40)) :
						fz_u32(r);
		c->cmsg_level = fz_one_in(r, 2) ? SOL_SOCKET : fz_below(r, 300);
		c->cmsg_type = fz_below(r, 80);
		m->msg_control = fz_one_in(r, 16) ? bad_ptr(r) : ctl;
		m->msg_controllen = fz_one_in(r, 8) ? fz_u32(r) : 64;
	}
}

static void sockopt(struct worker *w, int get)
{
	static const int levels[] = { SOL_SOCKET, SOL_SOCKET, SOL_SOCKET, 0, 6,
				      17, 263, 282, 22, 255 };
	static const int ints[] = { 0, 1, -1, 2, 16, 4096, 65536, 1 << 20,
				    1 << 30, INT_MAX, INT_MIN };
	static const socklen_t lens[] = { 0, 1, 2, 3, 4, 4, 4, 8, 16, 32, 64,
					  (socklen_t)-1 };
	struct fz_rng *r = &w->r;
	int fd = slot_fd(r), level = FZ_PICK(r, levels), name, val;
	socklen_t len = FZ_PICK(r, lens);
	void *p = w->buf;

	name = level == SOL_SOCKET ? fz_below(r, 80) : fz_below(r, 48);
	if (fz_one_in(r, 64))
		name = fz_u32(r);
	if (fz_one_in(r, 2)) {
		val = FZ_PICK(r, ints);
		memcpy(w->buf, &val, sizeof(val));
	} else {
		fz_fill(r, w->buf, 64);
	}
	if (fz_one_in(r, 16))
		p = bad_ptr(r);
	if (get) {
		socklen_t *lp = fz_one_in(r, 32) ? bad_ptr(r) : &len;

		if (!getsockopt(fd, level, name, p, lp))
			ok_ops[OP_GETSOCKOPT]++;
		return;
	}
	if (level == SOL_SOCKET && name == SO_LINGER && len >= 8) {
		/* A linger time would make close block: 0 or 1 s. */
		struct linger l = { fz_below(r, 2), fz_below(r, 2) };

		memcpy(w->buf, &l, sizeof(l));
	}
	if (!setsockopt(fd, level, name, p, len))
		ok_ops[OP_SETSOCKOPT]++;
	/* Whatever the timeouts became, put them back. */
	if (level == SOL_SOCKET && (name == SO_RCVTIMEO_OLD ||
				    name == SO_SNDTIMEO_OLD ||
				    name == SO_RCVTIMEO_NEW ||
				    name == SO_SNDTIMEO_NEW))
		tame(fd);
}

static void do_ioctl(struct worker *w)
{
	static const unsigned long cmds[] = {
		FIONREAD, SIOCOUTQ, SIOCATMARK, FIONBIO, SIOCGSTAMP_OLD,
		SIOCGSTAMPNS_OLD, FIOASYNC, SIOCGIFNAME, SIOCGIFFLAGS,
		SIOCSIFFLAGS, SIOCGIFMTU, SIOCSIFMTU, SIOCGIFHWADDR,
		SIOCGIFINDEX, SIOCOUTQNSD, SIOCINQ, FIOSETOWN, SIOCSPGRP,
		SIOCGPGRP, FIOCLEX,
	};
	static const char *const devs[] = { "lynxlo", "a0", "b0", "lo", "x" };
	struct fz_rng *r = &w->r;
	int fd = slot_fd(r);
	unsigned long cmd;
	struct ifreq *ifr = (struct ifreq *)w->buf;
	void *arg = w->buf;

	if (fz_one_in(r, 8))
		cmd = fz_one_in(r, 2) ? 0x8900 + fz_below(r, 0x100) : fz_u32(r);
	else
		cmd = FZ_PICK(r, cmds);
	fz_fill(r, w->buf, 64);
	snprintf(ifr->ifr_name, IFNAMSIZ, "%s", FZ_PICK(r, devs));
	/* Where a device ioctl follows ifr_data: a buffer of ours. */
	ifr->ifr_data = (char *)w->buf + BUF_SIZE - 4096;
	if (cmd == SIOCSIFMTU)
		ifr->ifr_mtu = fz_one_in(r, 2) ? 36 + fz_below(r, 200) :
						 fz_below(r, 70000);
	if (cmd == SIOCSIFFLAGS)
		ifr->ifr_flags = fz_one_in(r, 4) ? 0 : IFF_UP;	/* down/up */
	/*
	 * Not here: renaming or readdressing devices, SIOCGIFCONF (it writes
	 * through a pointer inside its argument), and SIGIO to another
	 * process (the owner is always this one).
	 */
	if (cmd == SIOCSIFNAME || cmd == SIOCSIFHWADDR || cmd == SIOCSIFMAP ||
	    cmd == SIOCSIFADDR || cmd == SIOCDIFADDR || cmd == SIOCGIFCONF ||
	    cmd == SIOCETHTOOL)
		cmd = SIOCGIFFLAGS;
	if (cmd == FIOSETOWN || cmd == SIOCSPGRP) {
		int pid = getpid();

		memcpy(w->buf, &pid, sizeof(pid));
	}
	if (fz_one_in(r, 16))
		arg = bad_ptr(r);
	if (!ioctl(fd, cmd, arg))
		ok_ops[OP_IOCTL]++;
}

static void one_op(struct worker *w, enum op op, int in_child);

/*
 * A listener and a connection to it, accepted: the pool gets sockets in
 * every state (random calls alone rarely connect two of them).
 */
static int make_pair(struct fz_rng *r)
{
	static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET };
	int type = FZ_PICK(r, types), l, c, a = -1;
	uint32_t port = PORT_BASE + 8 + fz_below(r, 8);

	l = socket(lynx_af(), type | SOCK_NONBLOCK, 0);
	c = socket(lynx_af(), type | SOCK_NONBLOCK, 0);
	if (l >= 0 && c >= 0 && !lynx_bind(l, LYNX_NODE_ANY, port) &&
	    !listen(l, 1 + fz_below(r, 4)) &&
	    (!lynx_connect(c, LYNX_NODE_LOCAL, port) || errno == EINPROGRESS) &&
	    (lynx_poll1(l, POLLIN, 20) & POLLIN))
		a = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	/* Sometimes the listener goes now, its queue as it is. */
	if (fz_one_in(r, 4)) {
		close(l);
		l = -1;
	}
	to_slot(r, l);
	to_slot(r, c);
	to_slot(r, a);
	return a >= 0 ? 0 : -1;
}

/* Prints what a process (or thread) is doing in the kernel. */
static void print_stuck(const char *what, int pid)
{
	static const char *const files[] = { "syscall", "wchan", "stack" };
	char path[64], buf[2048];
	unsigned int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/proc/%d/%s", pid, files[i]);
		if (lynx_read_file(path, buf, sizeof(buf)) > 0)
			ksft_print_msg("%s %d %s: %s\n", what, pid, files[i],
				       buf);
	}
}

/*
 * fork: the child goes on with the inherited descriptors (shared with
 * the parent's threads) for 10 to 40 calls, each bounded by the sockets'
 * timeouts (2 ms) or a 1 s linger: one that has not ended after
 * LYNX_FUZZ_STALL_MS hung in the kernel.
 */
static void do_fork(struct worker *w)
{
	int status, i, n, ret;
	uint64_t deadline;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return;
	if (!pid) {
		struct fz_rng r = w->r;

		n = 10 + fz_below(&r, 30);
		w->r = fz_rng_for(fz_next(&r), 7);
		for (i = 0; i < n; i++)
			one_op(w, fz_below(&w->r, OP_FORK), 1);
		_exit(0);
	}
	forks++;
	/*
	 * Polled, not waited for: a child that does not end within the
	 * bound is reported with its kernel stack (a pidfd could not be
	 * relied on: threads were seen blocked in wait4 with no report).
	 */
	deadline = fz_now_ms() + fz_stall_ms();
	while ((ret = waitpid(pid, &status, WNOHANG)) == 0 &&
	       fz_now_ms() < deadline)
		usleep(10 * 1000);
	if (!ret) {
		child_hangs++;
		print_stuck("child hung:", pid);
		kill(pid, SIGKILL);
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	ok_ops[OP_FORK]++;
}

static void one_op(struct worker *w, enum op op, int in_child)
{
	struct fz_rng *r = &w->r;
	uint8_t name[128], ctl[128];
	struct iovec iov[4][4];
	struct msghdr m;
	struct mmsghdr mm[4];
	socklen_t alen;
	void *ap;
	size_t len;
	int fd = slot_fd(r), ret = -1, i, type;

	ops[op]++;
	switch (op) {
	case OP_SOCKET: {
		static const int types[] = { SOCK_STREAM, SOCK_SEQPACKET,
					     SOCK_DGRAM, SOCK_STREAM,
					     SOCK_SEQPACKET, SOCK_DGRAM,
					     SOCK_RAW, 0, 7, 11 };

		type = FZ_PICK(r, types);
		if (!fz_one_in(r, 4))
			type |= SOCK_NONBLOCK;
		if (fz_one_in(r, 2))
			type |= SOCK_CLOEXEC;
		ret = socket(lynx_af(), type,
			     fz_one_in(r, 16) ? fz_u32(r) : 0);
		if (ret >= 0)
			to_slot(r, ret);
		break;
	}
	case OP_BIND:
		ap = pick_addr(w, &alen, name);
		ret = bind(fd, ap, alen);
		break;
	case OP_LISTEN: {
		static const int bl[] = { -1, 0, 1, 2, 5, 128, 4096, INT_MAX };

		ret = listen(fd, FZ_PICK(r, bl));
		break;
	}
	case OP_CONNECT:
		ap = pick_addr(w, &alen, name);
		if (fz_one_in(r, 32))
			((struct sockaddr *)name)->sa_family = AF_UNSPEC;
		ret = connect(fd, ap, alen);
		break;
	case OP_ACCEPT: {
		static const int fl[] = { 0, SOCK_NONBLOCK, SOCK_CLOEXEC,
					  SOCK_NONBLOCK | SOCK_CLOEXEC, 1, -1 };

		alen = fz_one_in(r, 4) ? fz_below(r, 32) : sizeof(name);
		ret = accept4(fd, fz_one_in(r, 2) ? NULL :
				  fz_one_in(r, 16) ? bad_ptr(r) : (void *)name,
			      fz_one_in(r, 32) ? bad_ptr(r) : &alen,
			      FZ_PICK(r, fl));
		if (ret >= 0)
			to_slot(r, ret);
		break;
	}
	case OP_SEND:
		len = pick_len(r);
		if (fz_one_in(r, 2)) {
			ret = send(fd, buf_ptr(w, len, 0), len, pick_flags(r));
		} else {
			ap = pick_addr(w, &alen, name);
			ret = sendto(fd, buf_ptr(w, len, 0), len,
				     pick_flags(r), ap, alen);
		}
		break;
	case OP_SENDMSG:
		msghdr_fill(w, &m, iov[0], name, ctl, 0);
		ret = sendmsg(fd, fz_one_in(r, 32) ? bad_ptr(r) : &m,
			      pick_flags(r));
		break;
	case OP_SENDMMSG:
		for (i = 0; i < 4; i++)
			msghdr_fill(w, &mm[i].msg_hdr, iov[i], name, ctl, 0);
		ret = sendmmsg(fd, fz_one_in(r, 32) ? bad_ptr(r) : mm,
			       fz_below(r, 5), pick_flags(r));
		break;
	case OP_RECV:
		len = pick_len(r);
		if (fz_one_in(r, 2)) {
			ret = recv(fd, buf_ptr(w, len, 1), len, pick_flags(r));
		} else {
			alen = fz_one_in(r, 4) ? fz_below(r, 32) : sizeof(name);
			ret = recvfrom(fd, buf_ptr(w, len, 1), len,
				       pick_flags(r),
				       fz_one_in(r, 8) ? bad_ptr(r) :
							 (void *)name,
				       fz_one_in(r, 16) ? bad_ptr(r) : &alen);
		}
		break;
	case OP_RECVMSG:
		msghdr_fill(w, &m, iov[0], name, ctl, 1);
		ret = recvmsg(fd, fz_one_in(r, 32) ? bad_ptr(r) : &m,
			      pick_flags(r));
		break;
	case OP_RECVMMSG: {
		struct timespec ts = { 0, 1000000 * fz_below(r, 20) };

		for (i = 0; i < 4; i++)
			msghdr_fill(w, &mm[i].msg_hdr, iov[i], name, ctl, 1);
		ret = recvmmsg(fd, fz_one_in(r, 32) ? bad_ptr(r) : mm,
			       fz_below(r, 5), pick_flags(r),
			       fz_one_in(r, 2) ? &ts : NULL);
		break;
	}
	case OP_SHUTDOWN:
		ret = shutdown(fd, fz_one_in(r, 8) ? (int)fz_u32(r) :
						     (int)fz_below(r, 3));
		break;
	case OP_CLOSE:
		if (fd >= FD_BASE && fd < FD_BASE + NSLOTS)
			ret = close(fd);
		break;
	case OP_DUP2:	/* over a socket another thread may be using */
		ret = dup2(FD_BASE + fz_below(r, NSLOTS),
			   FD_BASE + fz_below(r, NSLOTS));
		break;
	case OP_SETSOCKOPT:
		sockopt(w, 0);
		return;
	case OP_GETSOCKOPT:
		sockopt(w, 1);
		return;
	case OP_IOCTL:
		do_ioctl(w);
		return;
	case OP_FCNTL:
		ret = fcntl(fd, F_SETFL, fz_one_in(r, 2) ? O_NONBLOCK : 0);
		break;
	case OP_POLL: {
		struct pollfd p[4];

		for (i = 0; i < 4; i++) {
			p[i].fd = slot_fd(r);
			p[i].events = fz_u32(r);
		}
		ret = poll(p, 1 + fz_below(r, 4), fz_below(r, 2));
		break;
	}
	case OP_EPOLL: {
		struct epoll_event ev = { .events = fz_u32(r) };
		static const int eops[] = { EPOLL_CTL_ADD, EPOLL_CTL_MOD,
					    EPOLL_CTL_DEL, EPOLL_CTL_ADD };
		struct epoll_event out[8];

		if (in_child)
			break;
		ev.events &= EPOLLIN | EPOLLOUT | EPOLLPRI | EPOLLERR |
			     EPOLLHUP | EPOLLRDHUP | EPOLLET | EPOLLONESHOT |
			     EPOLLRDNORM | EPOLLWRNORM | EPOLLEXCLUSIVE;
		ret = epoll_ctl(w->ep, FZ_PICK(r, eops), fd, &ev);
		if (fz_one_in(r, 2))
			ret = epoll_wait(w->ep, out, 8, fz_below(r, 2));
		break;
	}
	case OP_GETNAME:
		alen = fz_one_in(r, 4) ? fz_below(r, 32) : sizeof(name);
		ap = fz_one_in(r, 16) ? bad_ptr(r) : (void *)name;
		ret = fz_one_in(r, 2) ? getsockname(fd, ap, &alen) :
					getpeername(fd, ap, &alen);
		break;
	case OP_FORK:
		if (!in_child)
			do_fork(w);
		return;
	case OP_NETNS:
		ret = enter_ns(fz_one_in(r, 2) ? ns_a : ns_b);
		break;
	case OP_NEWNS:
		/*
		 * A namespace whose last references are the sockets made in
		 * it: it is torn down when the pool closes them.
		 */
		if (in_child || unshare(CLONE_NEWNET))
			break;
		for (i = 0; i < 3; i++) {
			int s = socket(lynx_af(), FZ_PICK(r, ((const int[]){
				SOCK_STREAM, SOCK_SEQPACKET, SOCK_DGRAM })), 0);

			if (s >= 0 && fz_one_in(r, 2))
				lynx_bind(s, LYNX_NODE_ANY, pick_port(r));
			if (s >= 0 && fz_one_in(r, 2))
				listen(s, 4);
			to_slot(r, s);
		}
		ret = enter_ns(fz_one_in(r, 2) ? ns_a : ns_b);
		break;
	case OP_DEV: {
		int dev = fz_below(r, 3), mtu = fz_one_in(r, 2) ? 1500 :
					   100 + fz_below(r, 9000);

		if (in_child)
			break;
		switch (fz_below(r, 5)) {
		case 0:
			ret = lynx_sh("ip link add fz%d up type lynx 2>/dev/null", dev);
			break;
		case 1:
			ret = lynx_sh("ip link del fz%d 2>/dev/null", dev);
			break;
		case 2:
			ret = lynx_sh("ip link set fz%d mtu %d 2>/dev/null", dev, mtu);
			break;
		case 3:
			ret = lynx_sh("ip link set lynxlo mtu %d 2>/dev/null", mtu);
			break;
		default:
			ret = lynx_sh("ip link set lynxlo down; ip link set lynxlo up");
			break;
		}
		ret = ret ? -1 : 0;
		break;
	}
	case OP_PAIR:
		ret = make_pair(r);
		break;
	default:
		break;
	}
	if (ret >= 0)
		ok_ops[op]++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	int total = 0, i, wgt;
	uint32_t x;

	for (i = 0; i < OP_N; i++)
		total += op_weight[i];
	w->tid = syscall(SYS_gettid);
	if (enter_ns(w->id & 1 ? ns_b : ns_a))
		return NULL;
	if (fz_fault_pct())
		lynx_fault_task(1);
	while (!stop) {
		progress[w->id]++;
		if (fz_one_in(&w->r, RARE_FORK)) {
			one_op(w, OP_FORK, 0);
			continue;
		}
		if (fz_one_in(&w->r, RARE_NEWNS)) {
			one_op(w, OP_NEWNS, 0);
			continue;
		}
		if (fz_one_in(&w->r, RARE_DEV)) {
			one_op(w, OP_DEV, 0);
			continue;
		}
		x = fz_below(&w->r, total);
		for (i = 0; x >= (uint32_t)(wgt = op_weight[i]); i++)
			x -= wgt;
		one_op(w, i, 0);
	}
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
}

/* ---- main ---------------------------------------------------------------- */

static int listen_on(int type, uint32_t port)
{
	int fd = socket(lynx_af(), type | SOCK_CLOEXEC, 0);

	if (fd < 0 || lynx_bind(fd, LYNX_NODE_ANY, port) || listen(fd, 8))
		return -1;
	return fd;
}

int main(int argc, char **argv)
{
	static struct worker ws[MAX_THREADS];
	struct sigaction sa = { .sa_handler = on_signal };
	unsigned int seconds, i;
	unsigned long total = 0, total_ok = 0;
	int ns_c, nsfds[3], lsn, ok, hung = 0;
	long mem0, slab0, gone;
	unsigned long taint0;
	uint64_t t0, deadline;
	struct timespec ts;
	char modprobe[256];
	uint8_t *map;

	fz_args(argc, argv, &seed, &seconds, 30);
	if (getenv("LYNX_FUZZ_THREADS") && atoi(getenv("LYNX_FUZZ_THREADS")) > 0)
		nthreads = atoi(getenv("LYNX_FUZZ_THREADS"));
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	ksft_print_header();
	ksft_set_plan(6);
	ksft_print_msg("seed %" PRIu64 ", %u s (rerun: %s -s %" PRIu64 " -d %u)\n",
		       seed, seconds, argv[0], seed, seconds);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGIO, SIG_IGN);
	signal(SIGURG, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);	/* no SA_RESTART: calls see EINTR */

	map = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		ksft_exit_fail_msg("mmap\n");
	ro_page = map;
	bad_page = map + 4096;
	mprotect(ro_page, 4096, PROT_READ);
	mprotect(bad_page, 4096, PROT_NONE);

	/*
	 * No module autoloading during the run: an interface ioctl with a
	 * random name makes the core run modprobe for "netdev-NAME" and wait
	 * for it, which on a loaded guest outlasts the hang bound and is
	 * not lynx's.  (An empty kernel.modprobe gives ENOENT at once.)
	 */
	if (lynx_read_file("/proc/sys/kernel/modprobe", modprobe,
			   sizeof(modprobe)) <= 0 ||
	    lynx_write_file("/proc/sys/kernel/modprobe", "\n"))
		ksft_exit_fail_msg("kernel.modprobe: %s\n", strerror(errno));
	taint0 = fz_taint();
	mem0 = fz_proto_memory("LYNX_STREAM");
	slab0 = fz_slab_objects();
	ns_init = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ns_a = fz_netns_new();
	if (ns_a < 0 || lynx_sh("ip link add a0 up type lynx"))
		ksft_exit_fail_msg("namespace A: %s\n", strerror(errno));
	ns_b = fz_netns_new();
	if (ns_b < 0 || lynx_sh("ip link add b0 up type lynx"))
		ksft_exit_fail_msg("namespace B: %s\n", strerror(errno));
	fz_netns_enter(ns_init);

	for (i = 0; i < nthreads; i++) {
		ws[i].id = i;
		ws[i].r = fz_rng_for(seed, 1000 + i);
		ws[i].ep = epoll_create1(EPOLL_CLOEXEC);
		ws[i].buf = mmap(NULL, BUF_SIZE + 4096, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (ws[i].ep < 0 || ws[i].buf == MAP_FAILED ||
		    mprotect(ws[i].buf + BUF_SIZE, 4096, PROT_NONE))
			ksft_exit_fail_msg("worker setup\n");
		memset(ws[i].buf, 'x', BUF_SIZE);
	}
	t0 = fz_now_ms();
	deadline = t0 + seconds * 1000ULL;
	fz_faults_start(1);
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&workers[i], NULL, worker_main, &ws[i]))
			ksft_exit_fail_msg("pthread_create\n");
	/* Interrupts now and then whatever blocks. */
	while (fz_now_ms() < deadline) {
		usleep(100 * 1000);
		pthread_kill(workers[fz_below(&ws[0].r, nthreads)], SIGUSR1);
	}
	stop = 1;
	for (i = 0; i < nthreads; i++) {
		/*
		 * Every call is bounded by the sockets' timeouts (reset after
		 * any setsockopt of them) and by the signals below: a thread
		 * that does not end in LYNX_FUZZ_STALL_MS hung in the kernel.
		 */
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += fz_stall_ms() / 1000;
		pthread_kill(workers[i], SIGUSR1);
		if (pthread_timedjoin_np(workers[i], NULL, &ts)) {
			ksft_print_msg("thread %u hung (progress %lu)\n", i,
				       progress[i]);
			print_stuck("thread", ws[i].tid);
			hung++;
		}
	}

	fz_faults_stop();
	for (i = 0; i < OP_N; i++) {
		ksft_print_msg("%-10s %8lu issued, %8lu succeeded\n",
			       op_names[i], ops[i], ok_ops[i]);
		total += ops[i];
		total_ok += ok_ops[i];
	}
	ksft_print_msg("operations issued %lu (%lu succeeded) by %u threads in %.1f s, %lu forks, %lu hung children\n",
		       total, total_ok, nthreads,
		       (fz_now_ms() - t0) / 1000.0, forks, child_hangs);
	ksft_test_result(!hung && !child_hangs && total > 0,
			 "fuzz_run: %lu operations\n", total);
	if (hung)	/* the threads still hold the pool: nothing below holds */
		ksft_exit_fail_msg("a thread hung in a system call\n");

	for (i = 0; i < NSLOTS + 4; i++)
		close(FD_BASE + i);
	for (i = 0; i < nthreads; i++)
		close(ws[i].ep);
	fz_check_kernel_clean(taint0, 4);

	/* A fresh namespace: the fuzzed ones may have lynxlo down or tiny. */
	ns_c = fz_netns_new();
	lsn = listen_on(SOCK_STREAM, PORT_BASE);
	ok = lsn >= 0 && !fz_fresh_transfer(lsn, SOCK_STREAM, LYNX_NODE_LOCAL,
					    PORT_BASE, seed);
	close(lsn);
	lsn = listen_on(SOCK_SEQPACKET, PORT_BASE);
	ok = ok && lsn >= 0 &&
	     !fz_fresh_transfer(lsn, SOCK_SEQPACKET, LYNX_NODE_LOCAL, PORT_BASE,
				seed);
	close(lsn);
	ksft_test_result(ok, "fresh_1MiB_lynxlo (stream and seqpacket)\n");

	nsfds[0] = ns_a;
	nsfds[1] = ns_b;
	nsfds[2] = ns_c;
	gone = fz_wait_sockets_gone(nsfds, 3, ns_init);
	if (gone >= 0)
		ksft_print_msg("sockets gone %ld ms after close\n", gone);
	ksft_test_result(gone >= 0, "sockets_gone within %d ms\n",
			 LYNX_FUZZ_GONE_MS);
	close(ns_a);
	close(ns_b);
	close(ns_c);
	ksft_test_result(!fz_check_memory(mem0, slab0), "memory_back\n");
	lynx_write_file("/proc/sys/kernel/modprobe", modprobe);
	fz_check_rmmod();
	ksft_finished();
}
