// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection (lynx_fault.h): while a storm's threads create, bind,
 * connect, accept, send, receive and close lynx sockets of every type,
 * failslab and fail_page_alloc fail their own slab and page allocations
 * (task filter), and fail_lynx_alloc fails lynx's allocation points in
 * every context (the SYN's child and the replies made in softirq).  Only
 * the documented errors may reach user space, and the drops are counted;
 * afterwards, with allocations working again, every socket is gone, the
 * module's reference count is back and a fresh connection moves data
 * byte-exact.  The debug kernel has the injectors (scripts/debug.config);
 * Debian's stock kernel has not, and skips (declared in selftests/run).
 * LYNX_FAULT_SECONDS (default 5) sets the storm's length.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "lynx_fault.h"

#define FAULT_PORT	9400

/* Errors a lynx socket call may give under memory pressure or races. */
static int errno_documented(int e)
{
	switch (e) {
	case ENOMEM: case ENOBUFS: case EAGAIN: case EINTR:
	case ECONNREFUSED: case ECONNRESET: case ECONNABORTED: case ETIMEDOUT:
	case EPIPE: case ENOTCONN: case EISCONN: case EINPROGRESS:
	case EALREADY: case EADDRINUSE: case EINVAL: case EMSGSIZE:
	case EMFILE: case ENFILE: case ENETUNREACH: case EOPNOTSUPP:
		return 1;
	}
	return 0;
}

struct storm {
	atomic_int stop;
	atomic_long calls, failed, undocumented;
	atomic_int last_bad;
	int type;
	unsigned int seed;
};

static void note(struct storm *st, long r)
{
	atomic_fetch_add(&st->calls, 1);
	if (r >= 0)
		return;
	atomic_fetch_add(&st->failed, 1);
	if (!errno_documented(errno)) {
		atomic_fetch_add(&st->undocumented, 1);
		atomic_store(&st->last_bad, errno);
	}
}

static void *storm_thread(void *arg)
{
	struct storm *st = arg;
	unsigned int seed = __atomic_add_fetch(&st->seed, 7919, __ATOMIC_RELAXED);
	static char buf[65536];
	int l, c, s;

	if (lynx_fault_task(1))
		return NULL;
	while (!atomic_load(&st->stop)) {
		int type = rand_r(&seed) % 3 == 0 ? SOCK_DGRAM : st->type;
		uint32_t port = FAULT_PORT + 1 + rand_r(&seed) % 64;

		l = lynx_socket(type | SOCK_NONBLOCK);
		note(st, l);
		if (l < 0)
			continue;
		note(st, lynx_bind(l, LYNX_NODE_ANY, port));
		if (type != SOCK_DGRAM)
			note(st, listen(l, 8));
		c = lynx_socket(type | SOCK_NONBLOCK);
		note(st, c);
		if (c >= 0) {
			if (type == SOCK_DGRAM) {
				note(st, lynx_sendto(c, buf,
						     rand_r(&seed) % sizeof(buf),
						     0, LYNX_NODE_LOCAL, port));
				note(st, recv(l, buf, sizeof(buf), 0));
			} else {
				note(st, lynx_connect(c, LYNX_NODE_LOCAL,
						      port));
				lynx_poll1(c, POLLOUT, 20);
				s = accept4(l, NULL, NULL, SOCK_NONBLOCK);
				note(st, s);
				/* now and then beyond a slab: page allocations */
				note(st, send(c, buf, rand_r(&seed) %
					      (rand_r(&seed) % 8 ? 4096 :
					       sizeof(buf)), MSG_NOSIGNAL));
				if (s >= 0) {
					lynx_poll1(s, POLLIN, 20);
					note(st, recv(s, buf, sizeof(buf), 0));
					note(st, send(s, buf, 100,
						      MSG_NOSIGNAL));
					close(s);
				}
			}
			close(c);
		}
		close(l);
	}
	lynx_fault_task(0);
	return NULL;
}

FIXTURE(faults)
{
	int refcnt0;
	int injecting;
};

FIXTURE_VARIANT(faults)
{
	int type;
};

FIXTURE_VARIANT_ADD(faults, stream)
{
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(faults, seqpacket)
{
	.type = SOCK_SEQPACKET,
};

FIXTURE_SETUP(faults)
{
	self->refcnt0 = lynx_module_refcnt();
	ASSERT_EQ(0, lynx_new_netns());
}

FIXTURE_TEARDOWN(faults)
{
	if (self->injecting)
		lynx_fault_off(NULL);
}

TEST_F_TIMEOUT(faults, storm, 300)
{
	const char *env = getenv("LYNX_FAULT_SECONDS");
	int secs = env && atoi(env) > 0 ? atoi(env) : 5;
	static const int pct[LYNX_FAULT_N] = { 20, 20, 10 };
	struct storm st = { .type = variant->type, .seed = 1 };
	long long nomem0 = lynx_stat("drop_nomem"), nomem, end;
	long injected[LYNX_FAULT_N] = { 0 };
	char out[65536], in[65536];
	pthread_t th[3];
	int i, l, c, s;

	/* (in the test: the 6.1 harness runs the test after a setup SKIP) */
	if (!lynx_fault_available())
		SKIP(return, "no fault injection in this kernel (CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, LYNX_FAULT_INJECTION)");
	/* slab 20%, pages 20%, lynx's own points 10% (pct) */
	ASSERT_EQ(0, lynx_fault_on(pct));
	self->injecting = 1;
	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_thread, &st));
	end = lynx_now_ms() + secs * 1000LL;
	while (lynx_now_ms() < end)
		poll(NULL, 0, 100);	/* the storm's length, not a wait */
	atomic_store(&st.stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	self->injecting = 0;
	lynx_fault_off(injected);
	nomem = lynx_stat("drop_nomem") - nomem0;
	TH_LOG("%ld calls, %ld failed; allocation failures injected: "
	       "slab %ld, page %ld, lynx points %ld; drop_nomem +%lld",
	       atomic_load(&st.calls), atomic_load(&st.failed),
	       injected[LYNX_FAULT_SLAB], injected[LYNX_FAULT_PAGE],
	       injected[LYNX_FAULT_FUNC], nomem);
	/* Each injector reached lynx, and lynx counted what it dropped. */
	EXPECT_LT(0, injected[LYNX_FAULT_SLAB]);
	EXPECT_LT(0, injected[LYNX_FAULT_PAGE]);
	EXPECT_LT(0, injected[LYNX_FAULT_FUNC]);
	EXPECT_LT(0, nomem);
	EXPECT_EQ(0, atomic_load(&st.undocumented))
		TH_LOG("undocumented errno %d (%s)", atomic_load(&st.last_bad),
		       strerror(atomic_load(&st.last_bad)));

	/* Allocations work again: a fresh connection is whole. */
	l = lynx_socket(variant->type);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, FAULT_PORT));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, lynx_stream_pair(variant->type, l, FAULT_PORT, &c, &s));
	for (i = 0; i < (int)sizeof(out); i++)
		out[i] = (char)(i * 13 + 1);
	if (variant->type == SOCK_STREAM) {
		ASSERT_EQ(sizeof(out), lynx_write_all(c, out, sizeof(out)));
		ASSERT_EQ(sizeof(in), lynx_read_full(s, in, sizeof(in), 5000));
	} else {
		ASSERT_EQ(1000, send(c, out, 1000, 0));
		ASSERT_EQ(POLLIN, lynx_poll_for(s, POLLIN, 5000) & POLLIN);
		ASSERT_EQ(1000, recv(s, in, sizeof(in), 0));
	}
	EXPECT_EQ(0, memcmp(in, out, variant->type == SOCK_STREAM ?
			    sizeof(in) : 1000));
	close(c);
	close(s);
	close(l);
	/* Every socket of the storm is gone and released the module. */
	end = lynx_now_ms() + lynx_ms(10000);
	while (lynx_module_refcnt() > self->refcnt0 && lynx_now_ms() < end)
		poll(NULL, 0, 50);
	EXPECT_GE(self->refcnt0, lynx_module_refcnt());
}

TEST_HARNESS_MAIN
