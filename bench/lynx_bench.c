// SPDX-License-Identifier: GPL-2.0
/*
 * lynx_bench: one measurement of one figure for one socket family, printed
 * as a machine-readable line (bench/lynx_bench.sh runs the rounds):
 *
 *   bench FIGURE FAMILY value=V unit=U [key=value ...]
 *
 * Figures:
 *   stream    throughput of a stream connection, writes of -s bytes
 *             (default 65536), measured by the receiver: bytes received
 *             from accept() to EOF over that time (MiB/s)
 *   rr        stream 1-byte ping-pong: mean round trip (us)
 *   crr       connect + accept + close cycles a second
 *   dgram-rr  datagram 1-byte ping-pong: mean round trip (us)
 *   mem       kernel memory (/proc/meminfo Slab) per idle established
 *             connection, both ends, with -n connections (bytes)
 *   connlat   mean connect+accept latency with -n idle connections open,
 *             divided by the same with none (ratio)
 *
 * Families: lynx (AF_LYNX over lynxlo, or a lynx device: -L NODE), unix,
 * tcp and udp (IPv4: -I ADDR, default 127.0.0.1), vsock (-V CID, default
 * VMADDR_CID_LOCAL).  -S NETNS and -C NETNS put the server and the client
 * in the network namespaces "ip netns add" made.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/lynx.h>
#include <linux/vm_sockets.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#ifndef VMADDR_CID_LOCAL
#define VMADDR_CID_LOCAL	1
#endif

enum fam { FAM_LYNX, FAM_UNIX, FAM_TCP, FAM_UDP, FAM_VSOCK };

static const char * const fam_names[] = {
	[FAM_LYNX] = "lynx", [FAM_UNIX] = "unix", [FAM_TCP] = "tcp",
	[FAM_UDP] = "udp", [FAM_VSOCK] = "vsock",
};

static struct {
	const char *figure;
	enum fam fam;
	double seconds;
	size_t size;
	long n;
	uint32_t port;
	uint32_t lynx_node;
	const char *ip;
	uint32_t cid;
	const char *server_ns;
	const char *client_ns;
	int type;		/* SOCK_STREAM or SOCK_DGRAM */
} opt = {
	.seconds = 2,
	.size = 65536,
	.n = 1000,
	.port = 7700,
	.lynx_node = LYNX_NODE_LOCAL,
	.ip = "127.0.0.1",
	.cid = VMADDR_CID_LOCAL,
};

static void die(const char *what)
{
	fprintf(stderr, "lynx_bench: %s %s %s: %s\n", opt.figure,
		fam_names[opt.fam], what, strerror(errno));
	exit(1);
}

static void dief(const char *msg)
{
	fprintf(stderr, "lynx_bench: %s %s: %s\n", opt.figure,
		fam_names[opt.fam], msg);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The family lynx registered: its module parameter, else AF_LYNX. */
static int lynx_af(void)
{
	static int af;
	FILE *f;
	int v;

	if (af)
		return af;
	af = AF_LYNX;
	f = fopen("/sys/module/lynx/parameters/family", "r");
	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v > 0)
			af = v;
		fclose(f);
	}
	return af;
}

static void enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (!name)
		return;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(path);
	close(fd);
}

/*
 * The address a server binds (server true) or a client connects to.
 * unix: an abstract name of this run (the parent's pid), "c" for a
 * datagram client's own.
 */
static socklen_t make_addr(struct sockaddr_storage *ss, bool server,
			   const char *unix_tag)
{
	memset(ss, 0, sizeof(*ss));
	switch (opt.fam) {
	case FAM_LYNX: {
		struct sockaddr_lynx *a = (struct sockaddr_lynx *)ss;

		a->slx_family = lynx_af();
		a->slx_node = server ? LYNX_NODE_ANY : opt.lynx_node;
		a->slx_port = opt.port;
		return sizeof(*a);
	}
	case FAM_UNIX: {
		struct sockaddr_un *a = (struct sockaddr_un *)ss;
		int len;

		a->sun_family = AF_UNIX;
		len = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1,
			       "lynx_bench.%u.%s", opt.port, unix_tag);
		return offsetof(struct sockaddr_un, sun_path) + 1 + len;
	}
	case FAM_TCP:
	case FAM_UDP: {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(opt.port);
		if (server)
			a->sin_addr.s_addr = htonl(INADDR_ANY);
		else if (inet_pton(AF_INET, opt.ip, &a->sin_addr) != 1)
			dief("bad -I address");
		return sizeof(*a);
	}
	case FAM_VSOCK: {
		struct sockaddr_vm *a = (struct sockaddr_vm *)ss;

		a->svm_family = AF_VSOCK;
		a->svm_cid = server ? VMADDR_CID_ANY : opt.cid;
		a->svm_port = opt.port;
		return sizeof(*a);
	}
	}
	return 0;
}

static int new_socket(void)
{
	int domain = 0, fd;

	switch (opt.fam) {
	case FAM_LYNX:
		domain = lynx_af();
		break;
	case FAM_UNIX:
		domain = AF_UNIX;
		break;
	case FAM_TCP:
	case FAM_UDP:
		domain = AF_INET;
		break;
	case FAM_VSOCK:
		domain = AF_VSOCK;
		break;
	}
	fd = socket(domain, opt.type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	return fd;
}

static int server_socket(void)
{
	struct sockaddr_storage ss;
	socklen_t len = make_addr(&ss, true, "s");
	int fd = new_socket(), one = 1;

	if (opt.fam == FAM_TCP || opt.fam == FAM_UDP)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (opt.type == SOCK_STREAM && listen(fd, 4096))
		die("listen");
	return fd;
}

static int client_connect(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd = new_socket();

	if (opt.fam == FAM_UNIX && opt.type == SOCK_DGRAM) {
		len = make_addr(&ss, true, "c");
		if (bind(fd, (struct sockaddr *)&ss, len))
			die("bind client");
	}
	len = make_addr(&ss, false, "s");
	if (connect(fd, (struct sockaddr *)&ss, len))
		die("connect");
	return fd;
}

/* The ping-pong figures turn Nagle's rule off, as netperf's TCP_RR. */
static void nodelay(int fd)
{
	int one = 1;

	if (opt.fam == FAM_TCP)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	else if (opt.fam == FAM_LYNX && opt.type == SOCK_STREAM)
		setsockopt(fd, SOL_LYNX, LYNX_NODELAY, &one, sizeof(one));
}

static int accept_one(int lfd)
{
	int fd;

	do {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	} while (fd < 0 && errno == EINTR);
	if (fd < 0)
		die("accept");
	return fd;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = read(fd, (char *)buf + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return off ? (ssize_t)off : n;
		off += n;
	}
	return off;
}

static void write_full(int fd, const void *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off < len) {
		n = send(fd, (const char *)buf + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("send");
		off += n;
	}
}

static void result(double value, const char *unit, const char *extra)
{
	printf("bench %s %s value=%.6g unit=%s%s%s\n", opt.figure,
	       fam_names[opt.fam], value, unit, extra ? " " : "",
	       extra ? extra : "");
	fflush(stdout);
}

/* ---- the client/server figures: a server child, the client here ---- */

struct server {
	pid_t pid;
	int result_fd;		/* what the server measured (stream) */
};

typedef void (*serve_fn)(int lfd, int result_fd);

/*
 * Forks the server (in -S's namespace), which binds, then says it is
 * ready; the client (this process) joins -C's namespace.
 */
static struct server start_server(serve_fn serve)
{
	int ready[2], res[2];
	struct server s;
	char c;
	int lfd;

	if (pipe2(ready, O_CLOEXEC) || pipe2(res, O_CLOEXEC))
		die("pipe");
	s.pid = fork();
	if (s.pid < 0)
		die("fork");
	if (s.pid == 0) {
		close(ready[0]);
		close(res[0]);
		enter_netns(opt.server_ns);
		lfd = server_socket();
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		serve(lfd, res[1]);
		_exit(0);
	}
	close(ready[1]);
	close(res[1]);
	if (read(ready[0], &c, 1) != 1) {
		waitpid(s.pid, NULL, 0);
		dief("the server did not start");
	}
	close(ready[0]);
	s.result_fd = res[0];
	enter_netns(opt.client_ns);
	return s;
}

static void stop_server(struct server *s)
{
	kill(s->pid, SIGKILL);
	waitpid(s->pid, NULL, 0);
	close(s->result_fd);
}

/* stream: the receiver counts what arrives from accept() to EOF. */
static void serve_stream(int lfd, int result_fd)
{
	static char buf[1 << 18];
	double t0, t1, r[2];
	uint64_t total = 0;
	ssize_t n;
	int fd;

	fd = accept_one(lfd);
	t0 = now();
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		total += n;
	}
	t1 = now();
	r[0] = total;
	r[1] = t1 - t0;
	if (write(result_fd, r, sizeof(r)) != sizeof(r))
		_exit(1);
	close(fd);
}

static void fig_stream(void)
{
	struct server s = start_server(serve_stream);
	char *buf = calloc(1, opt.size), extra[128];
	double end, r[2];
	int fd;

	if (!buf)
		die("calloc");
	fd = client_connect();
	end = now() + opt.seconds;
	do {
		write_full(fd, buf, opt.size);
	} while (now() < end);
	close(fd);
	if (read_full(s.result_fd, r, sizeof(r)) != sizeof(r))
		dief("no result from the receiver");
	stop_server(&s);
	if (r[1] <= 0)
		dief("no time measured");
	snprintf(extra, sizeof(extra), "size=%zu bytes=%.0f seconds=%.3f",
		 opt.size, r[0], r[1]);
	result(r[0] / r[1] / (1 << 20), "MiB/s", extra);
	free(buf);
}

/* rr: echoes each byte until EOF. */
static void serve_rr(int lfd, int result_fd)
{
	char c;
	int fd = accept_one(lfd);

	(void)result_fd;
	nodelay(fd);
	while (read_full(fd, &c, 1) == 1)
		write_full(fd, &c, 1);
}

static void fig_rr(void)
{
	struct server s = start_server(serve_rr);
	double t0, t, end;
	char c = 'x', extra[64];
	long count = 0;
	int fd;

	fd = client_connect();
	nodelay(fd);
	t0 = now();
	end = t0 + opt.seconds;
	do {
		write_full(fd, &c, 1);
		if (read_full(fd, &c, 1) != 1)
			dief("no echo");
		count++;
	} while ((t = now()) < end);
	close(fd);
	stop_server(&s);
	snprintf(extra, sizeof(extra), "count=%ld", count);
	result((t - t0) * 1e6 / count, "us", extra);
}

/* crr: accepts and closes at once (the server closes first). */
static void serve_crr(int lfd, int result_fd)
{
	(void)result_fd;
	for (;;)
		close(accept_one(lfd));
}

static void fig_crr(void)
{
	struct server s = start_server(serve_crr);
	double t0, t, end;
	char c, extra[64];
	long count = 0;
	int fd;

	t0 = now();
	end = t0 + opt.seconds;
	do {
		fd = client_connect();
		if (read_full(fd, &c, 1) != 0)
			dief("no EOF from the server");
		close(fd);
		count++;
	} while ((t = now()) < end);
	stop_server(&s);
	snprintf(extra, sizeof(extra), "count=%ld", count);
	result(count / (t - t0), "conn/s", extra);
}

/* dgram-rr: sends each datagram back to its source. */
static void serve_dgram(int fd, int result_fd)
{
	struct sockaddr_storage from;
	socklen_t len;
	char c;
	ssize_t n;

	(void)result_fd;
	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, &c, 1, 0, (struct sockaddr *)&from, &len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die("recvfrom");
		if (sendto(fd, &c, 1, 0, (struct sockaddr *)&from, len) < 0 &&
		    errno != ECONNREFUSED && errno != ENOBUFS &&
		    errno != EAGAIN)
			die("sendto");
	}
}

static void fig_dgram_rr(void)
{
	struct server s = start_server(serve_dgram);
	struct timeval tv = { 0, 200000 };
	long count = 0, lost = 0;
	char c = 'x', extra[64];
	double t0, t, end;
	int fd;

	fd = client_connect();
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	t0 = now();
	end = t0 + opt.seconds;
	do {
		if (send(fd, &c, 1, 0) != 1)
			die("send");
		if (recv(fd, &c, 1, 0) != 1) {
			if (errno != EAGAIN || ++lost > 10)
				die("recv");
			continue;
		}
		count++;
	} while ((t = now()) < end);
	close(fd);
	stop_server(&s);
	if (!count)
		dief("no answer");
	snprintf(extra, sizeof(extra), "count=%ld lost=%ld", count, lost);
	result((t - t0) * 1e6 / count, "us", extra);
}

/* ---- in one process: both ends here ------------------------------------ */

static void raise_nofile(long fds)
{
	struct rlimit rl = { fds, fds };

	if (setrlimit(RLIMIT_NOFILE, &rl))
		die("setrlimit RLIMIT_NOFILE");
}

/* /proc/meminfo's Slab, in bytes. */
static long long slab_bytes(void)
{
	char line[256];
	long long kb = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		die("/proc/meminfo");
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %lld kB", &kb) == 1)
			break;
	fclose(f);
	if (kb < 0)
		dief("no Slab line in /proc/meminfo");
	return kb * 1024;
}

/* n established connections, both ends' descriptors in fds[2 * n]. */
static void open_pairs(int lfd, int *fds, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		fds[2 * i] = client_connect();
		fds[2 * i + 1] = accept_one(lfd);
	}
}

static void close_pairs(int *fds, long n)
{
	long i;

	/* The accepted end first: no TIME_WAIT on the clients' ports. */
	for (i = 0; i < n; i++) {
		close(fds[2 * i + 1]);
		close(fds[2 * i]);
	}
}

static void settle(void)
{
	struct timespec ts = { 1, 0 };

	nanosleep(&ts, NULL);
}

static void fig_mem(void)
{
	int lfd, *fds = calloc(2 * opt.n, sizeof(int));
	long long before, after;
	char extra[128];

	if (!fds)
		die("calloc");
	raise_nofile(2 * opt.n + 64);
	enter_netns(opt.server_ns);
	lfd = server_socket();
	/* Warm the caches: the first connections' slabs are not theirs. */
	open_pairs(lfd, fds, 16);
	close_pairs(fds, 16);
	settle();
	before = slab_bytes();
	open_pairs(lfd, fds, opt.n);
	settle();
	after = slab_bytes();
	close_pairs(fds, opt.n);
	close(lfd);
	snprintf(extra, sizeof(extra), "n=%ld slab_before=%lld slab_after=%lld",
		 opt.n, before, after);
	result((double)(after - before) / opt.n, "bytes", extra);
	free(fds);
}

/* Mean connect+accept latency over half of -t, in microseconds. */
static double connect_latency(int lfd, long *count)
{
	double t0, t1, sum = 0, end = now() + opt.seconds / 2;
	int pair[2];

	*count = 0;
	do {
		t0 = now();
		open_pairs(lfd, pair, 1);
		t1 = now();
		close_pairs(pair, 1);
		sum += t1 - t0;
		(*count)++;
	} while (t1 < end);
	return sum * 1e6 / *count;
}

static void fig_connlat(void)
{
	int lfd, *fds = calloc(2 * opt.n, sizeof(int));
	double empty, loaded;
	long ce, cl;
	char extra[160];

	if (!fds)
		die("calloc");
	raise_nofile(2 * opt.n + 64);
	enter_netns(opt.server_ns);
	lfd = server_socket();
	empty = connect_latency(lfd, &ce);
	open_pairs(lfd, fds, opt.n);
	loaded = connect_latency(lfd, &cl);
	close_pairs(fds, opt.n);
	close(lfd);
	snprintf(extra, sizeof(extra),
		 "n=%ld empty_us=%.2f loaded_us=%.2f count_empty=%ld count_loaded=%ld",
		 opt.n, empty, loaded, ce, cl);
	result(loaded / empty, "ratio", extra);
	free(fds);
}

static const struct {
	const char *name;
	void (*run)(void);
	int type;
} figures[] = {
	{ "stream", fig_stream, SOCK_STREAM },
	{ "rr", fig_rr, SOCK_STREAM },
	{ "crr", fig_crr, SOCK_STREAM },
	{ "dgram-rr", fig_dgram_rr, SOCK_DGRAM },
	{ "mem", fig_mem, SOCK_STREAM },
	{ "connlat", fig_connlat, SOCK_STREAM },
};

static void usage(void)
{
	fprintf(stderr,
		"usage: %s FIGURE FAMILY [-t SECONDS] [-s SIZE] [-n N] [-p PORT]\n"
		"                  [-L NODE] [-I ADDR] [-V CID] [-S NETNS] [-C NETNS]\n"
		"  FIGURE: stream rr crr dgram-rr mem connlat\n"
		"  FAMILY: lynx unix tcp (stream) udp (dgram-rr) vsock\n",
		program_invocation_short_name);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned int i;
	int c, f = -1;

	if (argc < 3)
		usage();
	opt.figure = argv[1];
	for (i = 0; i < ARRAY_SIZE(fam_names); i++)
		if (!strcmp(argv[2], fam_names[i]))
			opt.fam = i;
	if (strcmp(argv[2], fam_names[opt.fam]))
		usage();
	for (i = 0; i < ARRAY_SIZE(figures); i++)
		if (!strcmp(opt.figure, figures[i].name))
			f = i;
	if (f < 0)
		usage();
	opt.type = figures[f].type;
	if ((opt.type == SOCK_STREAM && opt.fam == FAM_UDP) ||
	    (opt.type == SOCK_DGRAM && (opt.fam == FAM_TCP ||
					opt.fam == FAM_VSOCK)))
		usage();
	optind = 3;
	while ((c = getopt(argc, argv, "t:s:n:p:L:I:V:S:C:")) != -1) {
		switch (c) {
		case 't':
			opt.seconds = strtod(optarg, NULL);
			break;
		case 's':
			opt.size = strtoul(optarg, NULL, 0);
			break;
		case 'n':
			opt.n = strtol(optarg, NULL, 0);
			break;
		case 'p':
			opt.port = strtoul(optarg, NULL, 0);
			break;
		case 'L':
			opt.lynx_node = strtoul(optarg, NULL, 0);
			break;
		case 'I':
			opt.ip = optarg;
			break;
		case 'V':
			opt.cid = strtoul(optarg, NULL, 0);
			break;
		case 'S':
			opt.server_ns = optarg;
			break;
		case 'C':
			opt.client_ns = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || opt.seconds <= 0 || !opt.size || opt.n < 1)
		usage();
	signal(SIGPIPE, SIG_IGN);
	figures[f].run();
	return 0;
}
