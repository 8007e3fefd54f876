// SPDX-License-Identifier: GPL-2.0
/*
 * Race and lifecycle stress: threads doing close, shutdown, send, recv
 * and connect on the same sockets at once; concurrent accept on one
 * listener; connect storms while the listener closes; a namespace deleted
 * with sockets in every state.  What is checked is what must hold after
 * any interleaving: no splat (vm-run), every socket gone from
 * /proc/net/lynx and the module's reference count back to where it was
 * once their owners are gone, and exact counts where the API promises
 * them.  LYNX_RACE_SECONDS (default 3) sets the length of each storm;
 * make fuzz runs them longer.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

#define RACE_PORT	9300
#define RACE_WAIT_MS	10000	/* a positive wait's margin: lynx_ms() */

static int race_seconds(void)
{
	const char *s = getenv("LYNX_RACE_SECONDS");

	return s && atoi(s) > 0 ? atoi(s) : 3;
}

/* Rows of /proc/net/lynx (header excluded) in this namespace. */
static int proc_count(void)
{
	char line[512];
	int n = -1;
	FILE *f = fopen("/proc/net/lynx", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n;
}

/* Waits until proc_count() <= want; returns the last count. */
static int proc_count_wait(int want, int timeout_ms)
{
	long long end = lynx_now_ms() + timeout_ms;
	int n;

	while ((n = proc_count()) > want && lynx_now_ms() < end)
		poll(NULL, 0, 20);	/* /proc has nothing to wait on */
	return n;
}

/* ---- one socket, many threads ----------------------------------------- */

struct storm {
	atomic_int fd;		/* the socket the threads hammer; -1 to stop */
	atomic_int stop;
	atomic_long ops;
	unsigned int seed;
};

static void *storm_thread(void *arg)
{
	struct storm *st = arg;
	unsigned int seed = st->seed;
	char buf[2048];
	struct pollfd p;
	int fd;

	while (!atomic_load(&st->stop)) {
		fd = atomic_load(&st->fd);
		if (fd < 0)
			continue;
		switch (rand_r(&seed) % 6) {
		case 0:
			send(fd, buf, rand_r(&seed) % sizeof(buf),
			     MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case 1:
			recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			break;
		case 2:
			shutdown(fd, rand_r(&seed) % 3);
			break;
		case 3:
			p.fd = fd;
			p.events = POLLIN | POLLOUT;
			poll(&p, 1, 0);
			break;
		case 4: {
			int v = 1024 + rand_r(&seed) % 65536;

			setsockopt(fd, SOL_SOCKET, rand_r(&seed) & 1 ?
				   SO_RCVBUF : SO_SNDBUF, &v, sizeof(v));
			break;
		}
		default:
			lynx_connect(fd, LYNX_NODE_LOCAL, RACE_PORT);
			break;
		}
		atomic_fetch_add(&st->ops, 1);
	}
	return NULL;
}

FIXTURE(race)
{
	int refcnt0;
};

FIXTURE_VARIANT(race)
{
	int type;
};

FIXTURE_VARIANT_ADD(race, stream)
{
	.type = SOCK_STREAM,
};

FIXTURE_VARIANT_ADD(race, seqpacket)
{
	.type = SOCK_SEQPACKET,
};

FIXTURE_SETUP(race)
{
	self->refcnt0 = lynx_module_refcnt();
	ASSERT_LE(0, self->refcnt0);
	ASSERT_EQ(0, lynx_new_netns());
}

FIXTURE_TEARDOWN(race)
{
}

/*
 * Pairs are made and torn down while four threads send, receive, shut
 * down, poll, resize buffers and connect on the client: its close races
 * all of them.  Afterwards nothing is left.
 */
TEST_F_TIMEOUT(race, same_socket, 300)
{
	struct storm st = { .fd = -1, .seed = 1 };
	pthread_t th[4];
	long long end;
	int l, c, s, i, pairs = 0;

	l = lynx_socket(variant->type);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, RACE_PORT));
	ASSERT_EQ(0, listen(l, 64));
	for (i = 0; i < 4; i++) {
		struct storm *mine = &st;

		ASSERT_EQ(0, pthread_create(&th[i], NULL, storm_thread, mine));
	}
	end = lynx_now_ms() + race_seconds() * 1000LL;
	while (lynx_now_ms() < end) {
		if (lynx_stream_pair(variant->type, l, RACE_PORT, &c, &s))
			continue;
		atomic_store(&st.fd, c);
		poll(NULL, 0, 5);	/* let the threads at it */
		atomic_store(&st.fd, -1);
		close(c);
		close(s);
		pairs++;
	}
	atomic_store(&st.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	close(l);
	TH_LOG("%d pairs, %ld operations", pairs, atomic_load(&st.ops));
	EXPECT_LT(0, pairs);
	EXPECT_EQ(0, proc_count_wait(0, lynx_ms(RACE_WAIT_MS)));
}

/* ---- accept and connect storms ----------------------------------------- */

struct acceptor {
	int l;
	atomic_int accepted;
	atomic_int stop;
};

static void *accept_thread(void *arg)
{
	struct acceptor *a = arg;
	int fd;

	while (!atomic_load(&a->stop)) {
		fd = lynx_accept_wait(a->l, 100, NULL, SOCK_NONBLOCK);
		if (fd >= 0) {
			atomic_fetch_add(&a->accepted, 1);
			close(fd);
		}
	}
	return NULL;
}

/* Four threads accept on one listener: each connection exactly once. */
TEST_F_TIMEOUT(race, concurrent_accept, 300)
{
	struct acceptor a = { 0 };
	int i, n = lynx_volume(400, 100), fds[400];
	pthread_t th[4];
	long long end;

	/* Non-blocking: a thread that lost the race for a connection
	 * polls again instead of sleeping in accept() forever.
	 */
	a.l = lynx_socket(variant->type | SOCK_NONBLOCK);
	ASSERT_LE(0, a.l);
	ASSERT_EQ(0, lynx_bind(a.l, LYNX_NODE_ANY, RACE_PORT));
	ASSERT_EQ(0, listen(a.l, 128));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, accept_thread, &a));
	for (i = 0; i < n; i++) {
		fds[i] = lynx_socket(variant->type);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, lynx_connect(fds[i], LYNX_NODE_LOCAL, RACE_PORT))
			TH_LOG("connect %d: %s", i, strerror(errno));
	}
	end = lynx_now_ms() + lynx_ms(RACE_WAIT_MS);
	while (atomic_load(&a.accepted) < n && lynx_now_ms() < end)
		poll(NULL, 0, 20);
	atomic_store(&a.stop, 1);
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	EXPECT_EQ(n, atomic_load(&a.accepted));
	/* Nothing more to accept. */
	EXPECT_EQ(0, lynx_poll1(a.l, POLLIN, 0));
	for (i = 0; i < n; i++)
		close(fds[i]);
	close(a.l);
	EXPECT_EQ(0, proc_count_wait(0, lynx_ms(RACE_WAIT_MS)));
}

struct connector {
	int type;
	atomic_int stop;
	atomic_long tries;
};

static void *connect_thread(void *arg)
{
	struct connector *cn = arg;
	int fd;

	while (!atomic_load(&cn->stop)) {
		fd = lynx_socket(cn->type | SOCK_NONBLOCK);
		if (fd < 0)
			continue;
		lynx_connect(fd, LYNX_NODE_LOCAL, RACE_PORT);
		lynx_poll1(fd, POLLOUT, 10);
		close(fd);
		atomic_fetch_add(&cn->tries, 1);
	}
	return NULL;
}

/*
 * Clients connect without pause while the listener is closed (resetting
 * every child in its queue) and made again: children in every stage of
 * their handshake meet the listener's end.
 */
TEST_F_TIMEOUT(race, connect_storm_listener_close, 300)
{
	struct connector cn = { .type = variant->type };
	pthread_t th[3];
	long long end;
	int i, l, rounds = 0;

	for (i = 0; i < 3; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, connect_thread, &cn));
	end = lynx_now_ms() + race_seconds() * 1000LL;
	while (lynx_now_ms() < end) {
		l = lynx_socket(variant->type);
		ASSERT_LE(0, l);
		if (!lynx_bind(l, LYNX_NODE_ANY, RACE_PORT) && !listen(l, 8)) {
			lynx_poll1(l, POLLIN, 20);
			rounds++;
		}
		close(l);
	}
	atomic_store(&cn.stop, 1);
	for (i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%d listeners, %ld connects", rounds, atomic_load(&cn.tries));
	EXPECT_LT(0, rounds);
	EXPECT_EQ(0, proc_count_wait(0, lynx_ms(RACE_WAIT_MS)));
}

/* ---- a namespace that goes with its sockets ----------------------------- */

/*
 * A namespace full of sockets in every state (listeners with queued
 * children, established pairs with data both ways, half-closed ones,
 * orphans whose peer never reads, handshakes that will never complete) is
 * left by its last process.  Every socket must end and release the module
 * (refcnt back to where it started) within the orphan budget.
 */
TEST_F_TIMEOUT(race, netns_exit_with_sockets, 300)
{
	int n = lynx_volume(1000, 200);
	pid_t pid;
	int st, before = self->refcnt0;
	long long end;

	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int l, c, s, i, flags, small = 4096, k = 0;
		char chunk[1024] = { 0 };

		if (unshare(CLONE_NEWNET))
			_exit(2);
		/* Orphans end within 5 s here: the test need not wait 60. */
		lynx_write_file("/proc/sys/net/lynx/orphan_timeout", "5");
		l = lynx_socket(variant->type);
		if (l < 0 || lynx_bind(l, LYNX_NODE_ANY, RACE_PORT) ||
		    listen(l, 4096))
			_exit(3);
		for (i = 0; k < n; i++) {
			if (lynx_stream_pair(variant->type, l, RACE_PORT,
					     &c, &s))
				_exit(4);
			k += 2;
			switch (i % 4) {
			case 0:		/* established, data queued both ways */
				send(c, chunk, 100, MSG_NOSIGNAL);
				send(s, chunk, 100, MSG_NOSIGNAL);
				break;
			case 1:		/* half-closed */
				shutdown(c, SHUT_WR);
				break;
			case 2:		/* orphan on a zero window */
				setsockopt(s, SOL_SOCKET, SO_RCVBUF, &small,
					   sizeof(small));
				flags = fcntl(c, F_GETFL);
				fcntl(c, F_SETFL, flags | O_NONBLOCK);
				while (send(c, chunk, sizeof(chunk),
					    MSG_NOSIGNAL) > 0)
					;
				close(c);
				k--;
				break;
			default:	/* a child left in the accept queue */
				close(s);
				k--;
				c = lynx_socket(variant->type | SOCK_NONBLOCK);
				if (c >= 0) {
					lynx_connect(c, LYNX_NODE_LOCAL,
						     RACE_PORT);
					k++;
				}
				break;
			}
		}
		_exit(0);	/* every fd, and the namespace, go now */
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	ASSERT_EQ(0, WEXITSTATUS(st));
	/* Orphans: 5 s budget; the rest at once; a loaded guest's margin. */
	end = lynx_now_ms() + 5000 + lynx_ms(RACE_WAIT_MS);
	while (lynx_module_refcnt() > before && lynx_now_ms() < end)
		poll(NULL, 0, 50);
	/* (lower is fine: other tests' orphans may have ended meanwhile) */
	EXPECT_GE(before, lynx_module_refcnt());
}

TEST_HARNESS_MAIN
