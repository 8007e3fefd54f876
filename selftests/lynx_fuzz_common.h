/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lynx fuzzers (selftests/lynx_fuzz_*.c) share: the seeded
 * generator, the run's seed and duration, network namespaces, and the
 * invariants checked after every run:
 *
 *  - every socket is gone from /proc/net/lynx within LYNX_FUZZ_GONE_MS of
 *    its owner closing it;
 *  - a fresh connection moves 1 MiB byte-exact;
 *  - the lynx slab caches and the protocol memory are back where they were;
 *  - rmmod lynx succeeds (and insmod brings it back for the next test).
 *
 * The harness (vm-run) adds what user space cannot see: kernel splats
 * (KASAN, lockdep, WARN, list corruption, hung tasks) and a kmemleak scan.
 *
 * LYNX_FUZZ_FAULTS=P (percent, debug kernel) runs the fuzzer under fault
 * injection (lynx_fault.h): fail_lynx_alloc fails lynx's allocation points
 * in every context with probability P, and failslab and fail_page_alloc
 * the fuzzing threads' own allocations where the fuzzer asks.  It stops
 * before the invariants are checked.
 */
#ifndef LYNX_FUZZ_COMMON_H
#define LYNX_FUZZ_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "lynx_util.h"
#include "lynx_fault.h"
#include "kselftest.h"

/*
 * How long a closed socket may stay in /proc/net/lynx: an orphan with
 * unacknowledged data retransmits LYNX_DATA_RETRIES (10) times with a
 * timeout of at most LYNX_RTO_MAX (2 s), 20 s, then aborts; a FIN_WAIT2
 * end waits LYNX_FIN_TIMEOUT (5 s).  5 s more for a slow guest.
 */
#define LYNX_FUZZ_GONE_MS	30000

/*
 * A connection that moves nothing, or a call that does not return, for
 * this long (on the stock kernel: fz_stall_ms() scales it) has failed.
 */
#define LYNX_FUZZ_STALL_MS	10000

/*
 * LYNX_FUZZ_STALL_MS on the running kernel (lynx_ms()): on a debug guest
 * beside a make fuzz two lynx_fuzz_sys threads waited more than 10 s for
 * the "ip link" commands of their OP_DEV to end (the run went on after).
 */
static inline uint64_t fz_stall_ms(void)
{
	return lynx_ms(LYNX_FUZZ_STALL_MS);
}

/* ---- the generator: splitmix64, one state per thread ------------------ */

struct fz_rng {
	uint64_t s;
};

static inline uint64_t fz_next(struct fz_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t fz_u32(struct fz_rng *r)
{
	return (uint32_t)fz_next(r);
}

/* Uniform in [0, n) (n > 0). */
static inline uint32_t fz_below(struct fz_rng *r, uint32_t n)
{
	return (uint32_t)(((fz_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability 1/n. */
static inline int fz_one_in(struct fz_rng *r, uint32_t n)
{
	return fz_below(r, n) == 0;
}

static inline void fz_fill(struct fz_rng *r, void *buf, size_t len)
{
	uint8_t *p = buf;
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (!(i & 7))
			v = fz_next(r);
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

#define FZ_PICK(r, arr) ((arr)[fz_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* A thread's own stream, derived from the run's seed and its number. */
static inline struct fz_rng fz_rng_for(uint64_t seed, uint64_t stream)
{
	struct fz_rng r = { seed ^ (stream * 0xd1342543de82ef95ULL) };

	fz_next(&r);
	return r;
}

/* ---- time -------------------------------------------------------------- */

static inline uint64_t fz_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the run's parameters ---------------------------------------------- */

/*
 * NAME [-s SEED] [-d SECONDS], or LYNX_FUZZ_SEED and LYNX_FUZZ_SECONDS.
 * Without a seed one is drawn from the clock; it is printed either way,
 * so that "-s SEED -d SECONDS" reruns the same generator.
 */
static inline void fz_args(int argc, char **argv, uint64_t *seed,
			   unsigned int *seconds, unsigned int def_seconds)
{
	const char *e;
	struct timespec ts;
	int opt;

	clock_gettime(CLOCK_REALTIME, &ts);
	*seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^
		((uint64_t)getpid() << 32);
	*seconds = def_seconds;
	e = getenv("LYNX_FUZZ_SEED");
	if (e && *e)
		*seed = strtoull(e, NULL, 0);
	e = getenv("LYNX_FUZZ_SECONDS");
	if (e && *e)
		*seconds = strtoul(e, NULL, 0);
	while ((opt = getopt(argc, argv, "s:d:")) != -1) {
		switch (opt) {
		case 's':
			*seed = strtoull(optarg, NULL, 0);
			break;
		case 'd':
			*seconds = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-s SEED] [-d SECONDS]\n",
				argv[0]);
			exit(KSFT_FAIL);
		}
	}
	if (!*seconds)
		*seconds = 1;
}

/* ---- fault injection -------------------------------------------------- */

/* LYNX_FUZZ_FAULTS: the probability in percent, 0 (the default) for none. */
static inline int fz_fault_pct(void)
{
	const char *e = getenv("LYNX_FUZZ_FAULTS");

	return e && atoi(e) > 0 ? (atoi(e) > 100 ? 100 : atoi(e)) : 0;
}

/*
 * Starts fault injection when LYNX_FUZZ_FAULTS asks: lynx's points in
 * every context, and with @tasks the slab and page allocations of the
 * threads that call lynx_fault_task(1).  Fails the run when asked on a
 * kernel without the injectors.
 */
static inline void fz_faults_start(int tasks)
{
	int p = fz_fault_pct();
	int pct[LYNX_FAULT_N] = { tasks ? p : 0, tasks ? p : 0, p };

	if (!p)
		return;
	if (lynx_fault_on(pct))
		ksft_exit_fail_msg("LYNX_FUZZ_FAULTS=%d: no fault injection here: %s\n",
				   p, strerror(errno));
	ksft_print_msg("fault injection on: %d%% of lynx's allocations%s\n", p,
		       tasks ? ", and of the fuzzing threads' slab and page allocations" : "");
}

/* Stops it and prints what it injected. */
static inline void fz_faults_stop(void)
{
	long n[LYNX_FAULT_N] = { 0 }, total;

	if (!fz_fault_pct())
		return;
	total = lynx_fault_off(n);
	ksft_print_msg("faults injected %ld (slab %ld, page %ld, lynx points %ld)\n",
		       total, n[LYNX_FAULT_SLAB], n[LYNX_FAULT_PAGE],
		       n[LYNX_FAULT_FUNC]);
}

/* ---- namespaces -------------------------------------------------------- */

/* A new network namespace for the calling thread; returns its fd. */
static inline int fz_netns_new(void)
{
	if (unshare(CLONE_NEWNET))
		return -1;
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

static inline int fz_netns_enter(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/* This namespace's node id (of the calling thread's namespace). */
static inline uint32_t fz_node(void)
{
	/* /proc/sys/net shows the namespace of the thread that opens it. */
	return lynx_node();
}

/*
 * The sockets /proc/net/lynx lists in the calling thread's namespace; the
 * rows go to out (if not NULL, up to size bytes).  -1 if unreadable.
 */
static inline int fz_proc_sockets(char *out, size_t size)
{
	char line[512];
	int n = -1;
	size_t used = 0;
	FILE *f = fopen("/proc/thread-self/net/lynx", "r");

	if (!f)
		return -1;
	if (out && size)
		out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (n++ < 0)
			continue;	/* the header */
		if (out && used + strlen(line) < size) {
			strcpy(out + used, line);
			used += strlen(line);
		}
	}
	fclose(f);
	return n;
}

/*
 * Waits until /proc/net/lynx of every namespace in nsfds[] (entered in
 * turn by the calling thread, which ends in back_ns) lists no socket.
 * Returns the milliseconds it took, or -1 (after printing what is left)
 * when some were still there after LYNX_FUZZ_GONE_MS.
 */
static inline long fz_wait_sockets_gone(const int *nsfds, int n, int back_ns)
{
	static char rows[8192];
	uint64_t t0 = fz_now_ms();
	int i, left;

	for (;;) {
		left = 0;
		for (i = 0; i < n; i++) {
			if (fz_netns_enter(nsfds[i]))
				return -1;
			left += fz_proc_sockets(NULL, 0);
		}
		if (!left)
			break;
		if (fz_now_ms() - t0 > LYNX_FUZZ_GONE_MS) {
			for (i = 0; i < n; i++) {
				fz_netns_enter(nsfds[i]);
				left = fz_proc_sockets(rows, sizeof(rows));
				ksft_print_msg("namespace %d: %d socket(s) left %d ms after close:\n%s",
					       i, left, LYNX_FUZZ_GONE_MS, rows);
			}
			fz_netns_enter(back_ns);
			return -1;
		}
		usleep(100 * 1000);	/* polling /proc: nothing to wait on */
	}
	fz_netns_enter(back_ns);
	return fz_now_ms() - t0;
}

/* ---- memory ------------------------------------------------------------ */

/*
 * The "memory" column (pages) of a protocol in /proc/net/protocols, or
 * LONG_MIN if absent.
 */
static inline long fz_proto_memory(const char *proto)
{
	char line[512], name[64];
	long memory = LONG_MIN, v;
	unsigned int size;
	int sockets;
	FILE *f = fopen("/proc/net/protocols", "r");

	if (!f)
		return LONG_MIN;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %u %d %ld", name, &size, &sockets,
			   &v) == 4 && !strcmp(name, proto)) {
			memory = v;
			break;
		}
	}
	fclose(f);
	return memory;
}

/*
 * The objects allocated in the lynx socket caches: the sum over the
 * distinct caches (SLUB may merge them, with each other or others) behind
 * /sys/kernel/slab/LYNX_*; -1 if none is readable.
 */
/* fz_slab_objects(): the caches are shared with others, no count. */
#define FZ_SLAB_SHARED	(-2L)

static inline long fz_slab_objects(void)
{
	static const char *const caches[] = {
		"LYNX_DGRAM", "LYNX_STREAM", "LYNX_SEQPACKET",
	};
	char seen[3][PATH_MAX], path[128], buf[128], *real;
	long total = -1;
	int i, j, nseen = 0, dup;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s", caches[i]);
		real = realpath(path, NULL);
		if (!real)
			continue;
		for (dup = 0, j = 0; j < nseen; j++)
			dup |= !strcmp(seen[j], real);
		snprintf(seen[nseen++], PATH_MAX, "%s", real);
		free(real);
		if (dup)
			continue;
		/*
		 * A cache merged with others (SLUB merges caches of one
		 * size) counts their objects too: no exact figure then.
		 */
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/aliases",
			 caches[i]);
		if (lynx_read_file(path, buf, sizeof(buf)) > 0 &&
		    strtol(buf, NULL, 10) > 0)
			return FZ_SLAB_SHARED;
		/*
		 * A CPU's current slabs count as full in "objects": shrink
		 * flushes them back first, so that the count is exact.
		 */
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 caches[i]);
		lynx_write_file(path, "1");
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/objects",
			 caches[i]);
		if (lynx_read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		total = (total < 0 ? 0 : total) + strtol(buf, NULL, 10);
	}
	return total;
}

/*
 * Protocol memory is counted per CPU first and added to the global figure
 * /proc/net/protocols shows only when a CPU's share passes
 * net.core.mem_pcpu_rsv pages (either way): the global figure may differ
 * from the true one by up to that much per CPU.
 */
static inline long fz_mem_slack(void)
{
	char buf[64];
	long rsv = 256;

	if (lynx_read_file("/proc/sys/net/core/mem_pcpu_rsv", buf,
			   sizeof(buf)) > 0)
		rsv = strtol(buf, NULL, 10);
	return rsv * sysconf(_SC_NPROCESSORS_CONF);
}

/*
 * Waits (up to LYNX_FUZZ_GONE_MS: sockets are freed after an RCU grace
 * period, namespaces by a workqueue) for the protocol memory to be back
 * at most the per-CPU slack above mem0 and the lynx slab objects at or
 * below slab0; prints the figures; 0 or -1.
 */
static inline int fz_check_memory(long mem0, long slab0)
{
	uint64_t t0 = fz_now_ms();
	long mem1, slab1;
	int ok;

	for (;;) {
		mem1 = fz_proto_memory("LYNX_STREAM");
		slab1 = fz_slab_objects();
		/*
		 * At or below the start: sockets of earlier tests (orphans
		 * finishing) may have been there then and gone now.
		 */
		ok = mem1 != LONG_MIN && mem1 <= mem0 + fz_mem_slack() &&
		     (slab0 == FZ_SLAB_SHARED || slab1 == FZ_SLAB_SHARED ||
		      slab1 <= slab0);
		if (ok || fz_now_ms() - t0 > LYNX_FUZZ_GONE_MS)
			break;
		usleep(100 * 1000);
	}
	if (slab0 == FZ_SLAB_SHARED || slab1 == FZ_SLAB_SHARED)
		ksft_print_msg("protocol memory %ld -> %ld pages (per-CPU slack %ld); the lynx slab caches are merged with others: their objects are not lynx's alone (rmmod_lynx proves no socket is left)\n",
			       mem0, mem1, fz_mem_slack());
	else
		ksft_print_msg("protocol memory %ld -> %ld pages (per-CPU slack %ld), lynx slab objects %ld -> %ld\n",
			       mem0, mem1, fz_mem_slack(), slab0, slab1);
	return ok ? 0 : -1;
}

/* ---- 1 MiB byte-exact over a fresh connection ------------------------- */

/* Byte i of the check stream. */
static inline uint8_t fz_pattern(uint64_t i)
{
	return (uint8_t)((i * 2654435761ULL) >> 13) ^ (uint8_t)(i >> 16);
}

/*
 * Moves total bytes from c to s (non-blocking both) and checks each byte;
 * SOCK_SEQPACKET also checks each message arrives whole.  0 or -1 (with a
 * message saying why).
 */
static inline int fz_move_check(int c, int s, int type, size_t total,
				uint64_t seed)
{
	static uint8_t out[65536], in[65536];
	struct fz_rng r = fz_rng_for(seed, 0xf5e5);
	size_t sent = 0, got = 0, msg = 0, msgs_sent = 0, msgs_got = 0;
	size_t sizes[4096];
	uint64_t last = fz_now_ms();
	struct pollfd p[2];
	ssize_t n;
	size_t i;

	while (got < total) {
		if (!msg && sent < total) {
			msg = type == SOCK_SEQPACKET ? 1 + fz_below(&r, 4096) :
						       1 + fz_below(&r, 65536);
			if (msg > total - sent)
				msg = total - sent;
			for (i = 0; i < msg; i++)
				out[i] = fz_pattern(sent + i);
		}
		p[0] = (struct pollfd){ .fd = c, .events = msg ? POLLOUT : 0 };
		p[1] = (struct pollfd){ .fd = s, .events = POLLIN };
		if (poll(p, 2, 1000) < 0 && errno != EINTR)
			return -1;
		if (msg && (p[0].revents & (POLLOUT | POLLERR | POLLHUP))) {
			n = send(c, out, msg, MSG_DONTWAIT | MSG_NOSIGNAL |
				 (type == SOCK_SEQPACKET ? MSG_EOR : 0));
			if (n < 0 && errno != EAGAIN && errno != EINTR) {
				ksft_print_msg("send after %zu bytes: %s\n",
					       sent, strerror(errno));
				return -1;
			}
			if (n > 0) {
				if (type == SOCK_SEQPACKET) {
					if ((size_t)n != msg) {
						ksft_print_msg("SEQPACKET send of %zu gave %zd\n",
							       msg, n);
						return -1;
					}
					sizes[msgs_sent++ % 4096] = n;
				} else {
					memmove(out, out + n, msg - n);
				}
				sent += n;
				msg -= n;
				last = fz_now_ms();
			}
		}
		if (p[1].revents & (POLLIN | POLLERR | POLLHUP)) {
			n = recv(s, in, sizeof(in), MSG_DONTWAIT);
			if (n == 0 || (n < 0 && errno != EAGAIN &&
				       errno != EINTR)) {
				ksft_print_msg("recv after %zu bytes: %s\n",
					       got, n ? strerror(errno) : "EOF");
				return -1;
			}
			if (n > 0) {
				if (type == SOCK_SEQPACKET &&
				    (size_t)n != sizes[msgs_got++ % 4096]) {
					ksft_print_msg("message %zu: %zd bytes, sent %zu\n",
						       msgs_got, n,
						       sizes[(msgs_got - 1) % 4096]);
					return -1;
				}
				for (i = 0; i < (size_t)n; i++) {
					if (in[i] != fz_pattern(got + i)) {
						ksft_print_msg("byte %zu differs\n",
							       got + i);
						return -1;
					}
				}
				got += n;
				last = fz_now_ms();
			}
		}
		if (fz_now_ms() - last > fz_stall_ms()) {
			ksft_print_msg("stalled: %zu sent, %zu received\n",
				       sent, got);
			return -1;
		}
	}
	return 0;
}

/*
 * Connects a fresh socket of type (in the calling thread's namespace) to
 * node:port, where listener listens, and moves 1 MiB through it.
 */
static inline int fz_fresh_transfer(int listener, int type, uint32_t node,
				    uint32_t port, uint64_t seed)
{
	int c, s = -1, ret = -1, err;
	socklen_t len = sizeof(err);

	c = socket(lynx_af(), type | SOCK_NONBLOCK, 0);
	if (c < 0)
		return -1;
	if (lynx_connect(c, node, port) && errno != EINPROGRESS) {
		ksft_print_msg("connect: %s\n", strerror(errno));
		goto out;
	}
	if (!(lynx_poll1(listener, POLLIN, fz_stall_ms()) & POLLIN)) {
		ksft_print_msg("no connection to accept\n");
		goto out;
	}
	s = accept4(listener, NULL, NULL, SOCK_NONBLOCK);
	if (s < 0) {
		ksft_print_msg("accept: %s\n", strerror(errno));
		goto out;
	}
	if (!(lynx_poll1(c, POLLOUT, fz_stall_ms()) & POLLOUT) ||
	    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		ksft_print_msg("connect did not complete\n");
		goto out;
	}
	ret = fz_move_check(c, s, type, 1 << 20, seed);
out:
	if (s >= 0)
		close(s);
	close(c);
	return ret;
}

/* ---- the kernel's own reports ----------------------------------------- */

/*
 * Taint bits a kernel report sets: B (bad page: KASAN), D (oops), W
 * (warning), L (soft lockup).
 */
#define FZ_TAINT_REPORT	((1UL << 5) | (1UL << 7) | (1UL << 9) | (1UL << 14))

static inline unsigned long fz_taint(void)
{
	char buf[64];

	if (lynx_read_file("/proc/sys/kernel/tainted", buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

/*
 * One result: did the kernel report an error (KASAN, WARN, oops, lockup)
 * since taint0?  After one, lynx's lists may be corrupt, and walking them
 * (/proc/net/lynx, rmmod) can hang the machine: the remaining n checks
 * then fail unchecked and the program ends (vm-run shows the report).
 */
static inline void fz_check_kernel_clean(unsigned long taint0, int n)
{
	unsigned long t = fz_taint() & ~taint0 & FZ_TAINT_REPORT;

	ksft_test_result(!t, "kernel_clean: no KASAN, WARN, oops or lockup%s\n",
			 t ? " (see the kernel log)" : "");
	if (!t)
		return;
	while (n--)
		ksft_test_result_fail("not checked: the kernel reported an error (taint %#lx)\n",
				      t);
	ksft_finished();
}

/* ---- rmmod ------------------------------------------------------------- */

static inline int fz_delete_module(const char *name)
{
	uint64_t t0 = fz_now_ms();

	/*
	 * A module in use refuses (EWOULDBLOCK with O_NONBLOCK); namespaces
	 * the run used are torn down by a workqueue after their last
	 * reference, which may hold lynx for a moment.
	 */
	while (syscall(SYS_delete_module, name, O_NONBLOCK)) {
		if (errno != EWOULDBLOCK && errno != EAGAIN)
			return -1;
		if (fz_now_ms() - t0 > LYNX_FUZZ_GONE_MS)
			return -1;
		usleep(100 * 1000);
	}
	return 0;
}

/*
 * rmmod lynx (lynx_test first, which uses it), then insmod $LYNX_KO again
 * for the tests after this one.  Reports one ksft result.
 */
static inline void fz_check_rmmod(void)
{
	const char *ko = getenv("LYNX_KO");
	int fd, err;

	if (!ko) {
		ksft_test_result_skip("rmmod_lynx: LYNX_KO not set (not in vm-run), cannot reload\n");
		return;
	}
	if (access("/sys/module/lynx_test", F_OK) == 0 &&
	    fz_delete_module("lynx_test")) {
		ksft_test_result_fail("rmmod_lynx: rmmod lynx_test: %s\n",
				      strerror(errno));
		return;
	}
	err = fz_delete_module("lynx") ? errno : 0;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
		ksft_print_msg("insmod %s: %s\n", ko, strerror(errno));
	if (fd >= 0)
		close(fd);
	ksft_test_result(!err, "rmmod_lynx%s%s\n", err ? ": " : "",
			 err ? strerror(err) : "");
}

#endif /* LYNX_FUZZ_COMMON_H */
