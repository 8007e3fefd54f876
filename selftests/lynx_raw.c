// SPDX-License-Identifier: GPL-2.0
/*
 * SOCK_RAW: the permission (CAP_NET_RAW over the user namespace owning
 * the socket's network namespace), copies of datagram and stream frames
 * while their sockets still get them, the port (bind) and type
 * (LYNX_RAW_TYPES) filters, a full raw queue that drops its copies only,
 * a handcrafted datagram sent and received, bad headers refused with
 * EINVAL (EMSGSIZE beyond the MTU), other namespaces unseen, and the
 * segments: a raw socket sees and sends through the devices of the
 * segments its namespace owns only.
 *
 * Every test runs in a fresh network namespace, pinned to one CPU so that
 * frames through lynxlo arrive in the order they were sent.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <linux/sockios.h>

#include "lynx_frame.h"
#include "kselftest_harness.h"

#define PORT_A	7101
#define PORT_B	7102
#define PORT_C	7103
#define PORT_S	7110

/* A wait that proves nothing comes: not scaled (lynx_ms() is for waits
 * for what must come).
 */
#define QUIET_MS	500

_Static_assert(sizeof(struct lynxhdr) == LYNX_HDR_LEN, "uapi header size");

static void pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Drops @cap from the effective set of this process; 0 or -1. */
static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(cap)].effective &= ~CAP_TO_MASK(cap);
	return syscall(SYS_capset, &hdr, data);
}

/*
 * The next frame on raw socket @fd within 2 s (a positive wait), into
 * @buf; its source in @from if not NULL.  Returns its length or -1.
 */
static ssize_t raw_next(int fd, void *buf, size_t size,
			struct sockaddr_lynx *from)
{
	socklen_t alen = sizeof(*from);

	if (!(lynx_poll_for(fd, POLLIN, 2000) & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	if (from)
		memset(from, 0xff, sizeof(*from));
	return recvfrom(fd, buf, size, MSG_DONTWAIT, (struct sockaddr *)from,
			from ? &alen : NULL);
}

/* Whether nothing arrives on @fd for QUIET_MS. */
static int quiet(int fd)
{
	return !(lynx_poll1(fd, POLLIN, QUIET_MS) & POLLIN);
}

/* Whether a whole frame (header and payload) sums to 0xffff. */
static int csum_ok(const void *frame, size_t len)
{
	uint32_t sum = lynx_csum_add(frame, len, 0);

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

/* Writes a frame of @plen bytes of @pl into @buf; returns its length. */
static size_t mkframe(void *buf, uint8_t type, uint32_t src_node,
		      uint32_t dst_node, uint32_t src_port, uint32_t dst_port,
		      const void *pl, size_t plen)
{
	struct lynxhdr *h = buf;

	memset(h, 0, sizeof(*h));
	h->version = LYNX_VERSION;
	h->type = type;
	h->len = htons(plen);
	h->csum = htons(0xbeef);	/* the kernel writes it */
	h->src_node = htonl(src_node);
	h->dst_node = htonl(dst_node);
	h->src_port = htonl(src_port);
	h->dst_port = htonl(dst_port);
	memcpy(h + 1, pl, plen);
	return sizeof(*h) + plen;
}

/* Receives one datagram within 2 s; returns its length or -1. */
static ssize_t dgram_recv(int fd, void *buf, size_t len,
			  struct sockaddr_lynx *from)
{
	socklen_t alen = sizeof(*from);

	if (!(lynx_poll_for(fd, POLLIN, 2000) & POLLIN)) {
		errno = ETIMEDOUT;
		return -1;
	}
	return recvfrom(fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)from,
			from ? &alen : NULL);
}

FIXTURE(raw)
{
	int r, a, b;
	uint32_t node;
	uint8_t buf[LYNX_LO_MTU + 64];
};

FIXTURE_SETUP(raw)
{
	self->r = self->a = self->b = -1;
	pin_cpu0();
	ASSERT_EQ(0, lynx_new_netns()) TH_LOG("unshare: %s", strerror(errno));
	self->node = lynx_node();
	ASSERT_NE(0, self->node);
	self->r = lynx_socket(SOCK_RAW);
	ASSERT_LE(0, self->r) TH_LOG("socket(SOCK_RAW): %s", strerror(errno));
	self->a = lynx_socket(SOCK_DGRAM);
	self->b = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->a);
	ASSERT_LE(0, self->b);
	ASSERT_EQ(0, lynx_bind(self->a, LYNX_NODE_ANY, PORT_A));
	ASSERT_EQ(0, lynx_bind(self->b, LYNX_NODE_ANY, PORT_B));
}

FIXTURE_TEARDOWN(raw)
{
	close(self->r);
	close(self->a);
	close(self->b);
}

/* A datagram: the raw socket reads it whole, its socket still gets it. */
TEST_F(raw, dgram_copy)
{
	const struct lynxhdr *h = (const struct lynxhdr *)self->buf;
	struct sockaddr_lynx from;
	struct lynx_proc_row row;
	char got[16];
	ssize_t n;

	ASSERT_EQ(5, lynx_sendto(self->b, "hello", 5, 0, LYNX_NODE_LOCAL,
				 PORT_A));
	ASSERT_EQ(5, dgram_recv(self->a, got, sizeof(got), NULL))
		TH_LOG("the datagram's own socket: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(got, "hello", 5));

	n = raw_next(self->r, self->buf, sizeof(self->buf), &from);
	ASSERT_EQ(LYNX_HDR_LEN + 5, n) TH_LOG("raw: %s", strerror(errno));
	EXPECT_EQ(LYNX_VERSION, h->version);
	EXPECT_EQ(LYNX_T_DGRAM, h->type);
	EXPECT_EQ(0, h->flags);
	EXPECT_EQ(0, h->reserved);
	EXPECT_EQ(5, ntohs(h->len));
	EXPECT_EQ(self->node, ntohl(h->src_node));
	EXPECT_EQ(self->node, ntohl(h->dst_node));
	EXPECT_EQ(PORT_B, ntohl(h->src_port));
	EXPECT_EQ(PORT_A, ntohl(h->dst_port));
	EXPECT_TRUE(csum_ok(self->buf, n));
	EXPECT_EQ(0, memcmp(h + 1, "hello", 5));
	EXPECT_EQ(lynx_af(), from.slx_family);
	EXPECT_EQ(self->node, from.slx_node);
	EXPECT_EQ(PORT_B, from.slx_port);
	EXPECT_EQ(0, from.slx_reserved);
	EXPECT_TRUE(quiet(self->r));

	/* MSG_TRUNC, as on a datagram socket. */
	ASSERT_EQ(2, lynx_sendto(self->b, "hi", 2, 0, LYNX_NODE_LOCAL,
				 PORT_A));
	ASSERT_EQ(POLLIN, lynx_poll_for(self->r, POLLIN, 2000));
	EXPECT_EQ(LYNX_HDR_LEN + 2, recv(self->r, self->buf, 4, MSG_TRUNC));

	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(self->r), &row));
	EXPECT_STREQ("RAW", row.type);
	EXPECT_STREQ("UNBOUND", row.state);
}

/* A stream connection: its SYN and its data, while the peer reads all. */
TEST_F(raw, stream_copy)
{
	const struct lynxhdr *h = (const struct lynxhdr *)self->buf;
	static const char msg[] = "stream payload";
	int l, c, s, syn = 0, data = 0, i;
	char got[sizeof(msg)];
	ssize_t n;

	l = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, PORT_S));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, PORT_S, &c, &s))
		TH_LOG("connect: %s", strerror(errno));
	ASSERT_EQ((ssize_t)sizeof(msg), lynx_write_all(c, msg, sizeof(msg)));
	ASSERT_EQ((ssize_t)sizeof(msg), lynx_read_full(s, got, sizeof(got),
							2000));
	EXPECT_EQ(0, memcmp(got, msg, sizeof(msg)));

	for (i = 0; i < 64 && !(syn && data); i++) {
		n = raw_next(self->r, self->buf, sizeof(self->buf), NULL);
		ASSERT_LE(LYNX_HDR_LEN, n) TH_LOG("raw: %s", strerror(errno));
		EXPECT_EQ(LYNX_T_STREAM, h->type);
		EXPECT_EQ(n - LYNX_HDR_LEN, ntohs(h->len));
		EXPECT_TRUE(csum_ok(self->buf, n));
		if ((h->flags & LYNX_F_SYN) && !(h->flags & LYNX_F_ACK) &&
		    ntohl(h->dst_port) == PORT_S)
			syn++;
		if (n == LYNX_HDR_LEN + (ssize_t)sizeof(msg) &&
		    ntohl(h->dst_port) == PORT_S &&
		    !memcmp(h + 1, msg, sizeof(msg)))
			data++;
	}
	EXPECT_EQ(1, syn);
	EXPECT_EQ(1, data);
	close(c);
	close(s);
	close(l);
}

/* A full raw queue drops its copies, counted; the sockets lose nothing. */
TEST_F(raw, full_queue_never_steals)
{
	int one = 1, got = 0, copies = 0, i, n = 50;
	char pl[1000], in[sizeof(pl)];
	long long drops = lynx_stat("raw_drops");

	memset(pl, 'x', sizeof(pl));
	ASSERT_LE(0, drops);
	ASSERT_EQ(0, setsockopt(self->r, SOL_SOCKET, SO_RCVBUF, &one,
				sizeof(one)));
	for (i = 0; i < n; i++)
		ASSERT_EQ((ssize_t)sizeof(pl),
			  lynx_sendto(self->b, pl, sizeof(pl), 0,
				      LYNX_NODE_LOCAL, PORT_A));
	for (i = 0; i < n; i++)
		if (dgram_recv(self->a, in, sizeof(in), NULL) ==
		    (ssize_t)sizeof(pl))
			got++;
	EXPECT_EQ(n, got);
	while (lynx_poll1(self->r, POLLIN, 100) & POLLIN &&
	       recv(self->r, self->buf, sizeof(self->buf), MSG_DONTWAIT) > 0)
		copies++;
	EXPECT_LE(1, copies);
	EXPECT_GT(n, copies);
	EXPECT_EQ(n - copies, lynx_stat("raw_drops") - drops);
	EXPECT_EQ(0, lynx_stat("drop_rcvbuf"));
}

/* bind(): frames to that port only; it takes no port; 0 for every port. */
TEST_F(raw, port_filter)
{
	const struct lynxhdr *h = (const struct lynxhdr *)self->buf;
	struct sockaddr_lynx addr = lynx_addr(LYNX_NODE_ANY, 0);
	socklen_t alen = sizeof(addr);
	struct lynx_proc_row row;
	char got[16];

	/* PORT_A is a's, and the raw socket may filter on it all the same. */
	ASSERT_EQ(0, lynx_bind(self->r, LYNX_NODE_ANY, PORT_A))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getsockname(self->r, (struct sockaddr *)&addr, &alen));
	EXPECT_EQ(PORT_A, addr.slx_port);
	EXPECT_EQ(LYNX_NODE_ANY, addr.slx_node);
	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(self->r), &row));
	EXPECT_EQ(PORT_A, row.lport);
	EXPECT_STREQ("BOUND", row.state);

	ASSERT_EQ(4, lynx_sendto(self->a, "to-b", 4, 0, LYNX_NODE_LOCAL,
				 PORT_B));
	ASSERT_EQ(4, lynx_sendto(self->b, "to-a", 4, 0, LYNX_NODE_LOCAL,
				 PORT_A));
	EXPECT_EQ(4, dgram_recv(self->b, got, sizeof(got), NULL));
	EXPECT_EQ(4, dgram_recv(self->a, got, sizeof(got), NULL));
	ASSERT_EQ(LYNX_HDR_LEN + 4,
		  raw_next(self->r, self->buf, sizeof(self->buf), NULL));
	EXPECT_EQ(PORT_A, ntohl(h->dst_port));
	EXPECT_EQ(0, memcmp(h + 1, "to-a", 4));
	EXPECT_TRUE(quiet(self->r));

	/* Bound again, to port 0: every port. */
	ASSERT_EQ(0, lynx_bind(self->r, LYNX_NODE_LOCAL, 0));
	ASSERT_EQ(5, lynx_sendto(self->a, "again", 5, 0, LYNX_NODE_LOCAL,
				 PORT_B));
	ASSERT_EQ(LYNX_HDR_LEN + 5,
		  raw_next(self->r, self->buf, sizeof(self->buf), NULL));
	EXPECT_EQ(PORT_B, ntohl(h->dst_port));

	/* Another node's address is not ours to filter on. */
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->r, self->node ^ 0x5a5a0000, PORT_A));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* Nor is a raw socket connected to anything. */
	errno = 0;
	EXPECT_EQ(-1, lynx_connect(self->r, LYNX_NODE_LOCAL, PORT_A));
	EXPECT_EQ(EOPNOTSUPP, errno);
	alen = sizeof(addr);
	errno = 0;
	EXPECT_EQ(-1, getpeername(self->r, (struct sockaddr *)&addr, &alen));
	EXPECT_EQ(ENOTCONN, errno);
}

static int raw_types(int fd, uint32_t types)
{
	return setsockopt(fd, SOL_LYNX, LYNX_RAW_TYPES, &types,
			  sizeof(types));
}

/* LYNX_RAW_TYPES: the frame types taken. */
TEST_F(raw, type_filter)
{
	const struct lynxhdr *h = (const struct lynxhdr *)self->buf;
	uint32_t types = 0;
	socklen_t len = sizeof(types);
	int l, c, s, frames = 0;
	uint16_t v16 = 0;
	char got[16];

	ASSERT_EQ(0, getsockopt(self->r, SOL_LYNX, LYNX_RAW_TYPES, &types,
				&len));
	EXPECT_EQ(sizeof(types), len);
	EXPECT_EQ(LYNX_RAW_TYPES_ALL, types);
	EXPECT_EQ((1U << LYNX_T_DGRAM) | (1U << LYNX_T_STREAM) |
		  (1U << LYNX_T_SEQPACKET), types);

	/* Unknown types, short values, unknown options. */
	errno = 0;
	EXPECT_EQ(-1, raw_types(self->r, 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, raw_types(self->r, 1U << (LYNX_T_MAX + 1)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, setsockopt(self->r, SOL_LYNX, LYNX_RAW_TYPES, &v16,
				 sizeof(v16)));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, setsockopt(self->r, SOL_LYNX, 99, &types,
				 sizeof(types)));
	EXPECT_EQ(ENOPROTOOPT, errno);

	ASSERT_EQ(0, raw_types(self->r, 1U << LYNX_T_STREAM));
	len = sizeof(types);
	ASSERT_EQ(0, getsockopt(self->r, SOL_LYNX, LYNX_RAW_TYPES, &types,
				&len));
	EXPECT_EQ(1U << LYNX_T_STREAM, types);
	/* A short buffer gets the first bytes (as SOL_SOCKET's options);
	 * a negative length is refused.
	 */
	{
		unsigned char b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
		uint32_t want = 1U << LYNX_T_STREAM;

		len = 2;
		EXPECT_EQ(0, getsockopt(self->r, SOL_LYNX, LYNX_RAW_TYPES, b,
					&len));
		EXPECT_EQ(2, len);
		EXPECT_EQ(0, memcmp(b, &want, 2));
		EXPECT_EQ(0xaa, b[2]);
		len = (socklen_t)-1;
		errno = 0;
		EXPECT_EQ(-1, getsockopt(self->r, SOL_LYNX, LYNX_RAW_TYPES,
					 b, &len));
		EXPECT_EQ(EINVAL, errno);
	}

	/* A datagram goes by unseen, */
	ASSERT_EQ(2, lynx_sendto(self->b, "dg", 2, 0, LYNX_NODE_LOCAL,
				 PORT_A));
	EXPECT_EQ(2, dgram_recv(self->a, got, sizeof(got), NULL));
	EXPECT_TRUE(quiet(self->r));

	/* a connection's frames do not. */
	l = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, PORT_S));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, PORT_S, &c, &s));
	ASSERT_EQ(2, lynx_write_all(c, "st", 2));
	ASSERT_EQ(2, lynx_read_full(s, got, 2, 2000));
	while (raw_next(self->r, self->buf, sizeof(self->buf), NULL) >=
	       LYNX_HDR_LEN) {
		EXPECT_EQ(LYNX_T_STREAM, h->type);
		frames++;
		if (quiet(self->r))
			break;
	}
	EXPECT_LE(3, frames);	/* SYN, SYN|ACK, ACK at least */

	/* None: a socket that only sends. */
	ASSERT_EQ(0, raw_types(self->r, 0));
	ASSERT_EQ(2, lynx_sendto(self->b, "dg", 2, 0, LYNX_NODE_LOCAL,
				 PORT_A));
	ASSERT_EQ(2, lynx_write_all(c, "st", 2));
	EXPECT_EQ(2, dgram_recv(self->a, got, sizeof(got), NULL));
	EXPECT_EQ(2, lynx_read_full(s, got, 2, 2000));
	EXPECT_TRUE(quiet(self->r));
	close(c);
	close(s);
	close(l);
}

/* A handcrafted datagram reaches its socket, checksum by the kernel. */
TEST_F(raw, send_dgram_frame)
{
	const struct lynxhdr *h = (const struct lynxhdr *)self->buf;
	uint8_t frame[128];
	struct sockaddr_lynx from;
	char got[16];
	size_t n;

	n = mkframe(frame, LYNX_T_DGRAM, self->node, LYNX_NODE_LOCAL, 4242,
		    PORT_A, "crafted", 7);
	ASSERT_EQ((ssize_t)n, send(self->r, frame, n, 0))
		TH_LOG("send: %s", strerror(errno));
	ASSERT_EQ(7, dgram_recv(self->a, got, sizeof(got), &from))
		TH_LOG("the datagram socket: %s", strerror(errno));
	EXPECT_EQ(0, memcmp(got, "crafted", 7));
	EXPECT_EQ(self->node, from.slx_node);
	EXPECT_EQ(4242, from.slx_port);

	/* As it went: this node's id for LOCAL, the checksum filled in. */
	ASSERT_EQ((ssize_t)n, raw_next(self->r, self->buf, sizeof(self->buf),
				       NULL));
	EXPECT_EQ(self->node, ntohl(h->dst_node));
	EXPECT_EQ(self->node, ntohl(h->src_node));
	EXPECT_TRUE(csum_ok(self->buf, n));
	EXPECT_EQ(0, memcmp(h + 1, "crafted", 7));

	/* LYNX_NODE_LOCAL stands for this node as the source too; write(). */
	n = mkframe(frame, LYNX_T_DGRAM, LYNX_NODE_LOCAL, self->node, 4243,
		    PORT_A, "again", 5);
	ASSERT_EQ((ssize_t)n, write(self->r, frame, n));
	ASSERT_EQ(5, dgram_recv(self->a, got, sizeof(got), &from));
	EXPECT_EQ(self->node, from.slx_node);
	EXPECT_EQ(4243, from.slx_port);
}

/*
 * SACK blocks on an ACK (<linux/lynx.h>): a frame that breaks their rules
 * passes the header's checks but is dropped as malformed when it arrives,
 * before any socket is looked up; a well-formed one goes on to the lookup
 * (no socket at that port here: a reset answers it).
 */
TEST_F(raw, sack_frames)
{
	static const struct {
		const char *what;
		uint8_t flags;
		size_t len;
		int malformed;
	} cases[] = {
		{ "two blocks", LYNX_F_ACK | LYNX_F_SACK, 16, 0 },
		{ "four blocks", LYNX_F_ACK | LYNX_F_SACK, 32, 0 },
		{ "a block and a half", LYNX_F_ACK | LYNX_F_SACK, 12, 1 },
		{ "no block", LYNX_F_ACK | LYNX_F_SACK, 0, 1 },
		{ "five blocks", LYNX_F_ACK | LYNX_F_SACK, 40, 1 },
		{ "without ACK", LYNX_F_SACK, 8, 1 },
		{ "with FIN", LYNX_F_ACK | LYNX_F_FIN | LYNX_F_SACK, 8, 1 },
		{ "with EOR", LYNX_F_ACK | LYNX_F_EOR | LYNX_F_SACK, 8, 1 },
	};
	uint8_t frame[128], blocks[40];
	struct lynxhdr *h = (struct lynxhdr *)frame;
	unsigned int i;

	memset(blocks, 0x11, sizeof(blocks));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long bad = lynx_stat("drop_malformed");
		long long in = lynx_stat("frames_in");
		size_t n;

		ASSERT_LE(0, bad);
		n = mkframe(frame, LYNX_T_STREAM, self->node, self->node, 4242,
			    PORT_A + 1, blocks, cases[i].len);
		h->flags = cases[i].flags;
		ASSERT_EQ((ssize_t)n, send(self->r, frame, n, 0))
			TH_LOG("%s: %s", cases[i].what, strerror(errno));
		/* (lynxlo delivers it within send(), as every frame here) */
		EXPECT_LT(in, lynx_stat("frames_in")) TH_LOG("%s", cases[i].what);
		EXPECT_EQ(bad + cases[i].malformed,
			  lynx_stat("drop_malformed")) TH_LOG("%s", cases[i].what);
	}
}

/* Bad headers: EINVAL, and nothing leaves. */
TEST_F(raw, bad_headers)
{
	static uint8_t big[LYNX_HDR_LEN + 65535 + 1];
	struct sockaddr_lynx to = lynx_addr(LYNX_NODE_LOCAL, PORT_A);
	uint8_t frame[128], bad[128];
	struct lynxhdr *h = (struct lynxhdr *)bad;
	long long in = lynx_stat("frames_in");
	size_t n;
	int i;

	n = mkframe(frame, LYNX_T_DGRAM, self->node, self->node, 4242,
		    PORT_A, "payload", 7);
	for (i = 0; i < 16; i++) {
		const char *what;

		memcpy(bad, frame, n);
		switch (i) {
		case 0:
			what = "wrong version 0";
			h->version = 0;
			break;
		case 1:
			what = "wrong version 2";
			h->version = LYNX_VERSION + 1;
			break;
		case 2:
			what = "type 0";
			h->type = 0;
			break;
		case 3:
			what = "unknown type";
			h->type = LYNX_T_MAX + 1;
			break;
		case 4:
			what = "unknown flag";
			h->flags = 0x40;
			break;
		case 5:
			what = "reserved byte";
			h->reserved = 1;
			break;
		case 6:
			what = "length beyond the buffer";
			h->len = htons(8);
			break;
		case 7:
			what = "length short of the buffer";
			h->len = htons(6);
			break;
		case 8:
			what = "forged source node";
			h->src_node = htonl(self->node ^ 0x5a5a0000);
			break;
		case 9:
			what = "source node 0";
			h->src_node = 0;
			break;
		case 10:
			what = "source node ANY";
			h->src_node = htonl(LYNX_NODE_ANY);
			break;
		case 11:
			what = "destination node 0";
			h->dst_node = 0;
			break;
		case 12:
			what = "destination node ANY";
			h->dst_node = htonl(LYNX_NODE_ANY);
			break;
		case 13:
			what = "shorter than a header";
			n = LYNX_HDR_LEN - 1;
			break;
		case 14:
			what = "empty";
			n = 0;
			break;
		default:
			what = "an address beside the header";
			errno = 0;
			EXPECT_EQ(-1, sendto(self->r, bad, n, 0,
					     (struct sockaddr *)&to,
					     sizeof(to)));
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s", what);
			continue;
		}
		errno = 0;
		EXPECT_EQ(-1, send(self->r, bad, n, 0)) TH_LOG("%s", what);
		EXPECT_EQ(EINVAL, errno)
			TH_LOG("%s: %s", what, strerror(errno));
		n = LYNX_HDR_LEN + 7;
	}

	/* Too big for lynxlo's MTU (65535), or for any frame. */
	mkframe(big, LYNX_T_DGRAM, self->node, self->node, 4242, PORT_A, "", 0);
	((struct lynxhdr *)big)->len = htons(LYNX_LO_MTU - LYNX_HDR_LEN + 1);
	errno = 0;
	EXPECT_EQ(-1, send(self->r, big, LYNX_LO_MTU + 1, 0));
	EXPECT_EQ(EMSGSIZE, errno);
	errno = 0;
	EXPECT_EQ(-1, send(self->r, big, sizeof(big), 0));
	EXPECT_EQ(EMSGSIZE, errno);

	EXPECT_TRUE(quiet(self->a));
	EXPECT_EQ(in, lynx_stat("frames_in"));
	/* The good one goes. */
	n = LYNX_HDR_LEN + 7;
	EXPECT_EQ((ssize_t)n, send(self->r, frame, n, 0));
	EXPECT_EQ(7, dgram_recv(self->a, bad, sizeof(bad), NULL));
}

/* CAP_NET_RAW, over the user namespace owning the network namespace. */
TEST(permission)
{
	int fd, r;

	ASSERT_EQ(0, lynx_new_netns());
	fd = lynx_socket(SOCK_RAW);
	ASSERT_LE(0, fd) TH_LOG("as root: %s", strerror(errno));
	close(fd);

	/* A user namespace of our own: every capability, but over it, not
	 * over the network namespace, which the initial one owns.
	 */
	ASSERT_EQ(0, unshare(CLONE_NEWUSER))
		TH_LOG("user namespace: %s", strerror(errno));
	errno = 0;
	EXPECT_EQ(-1, lynx_socket(SOCK_RAW));
	EXPECT_EQ(EPERM, errno);
	fd = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, fd);
	close(fd);

	/* A network namespace it owns: now it may. */
	ASSERT_EQ(0, lynx_new_netns());
	fd = lynx_socket(SOCK_RAW);
	EXPECT_LE(0, fd) TH_LOG("in our own namespaces: %s", strerror(errno));
	close(fd);

	/* Not without CAP_NET_RAW; the other types are for all. */
	ASSERT_EQ(0, drop_cap(CAP_NET_RAW));
	errno = 0;
	EXPECT_EQ(-1, lynx_socket(SOCK_RAW));
	EXPECT_EQ(EPERM, errno);
	r = lynx_socket(SOCK_DGRAM);
	EXPECT_LE(0, r);
	close(r);
	r = lynx_socket(SOCK_STREAM);
	EXPECT_LE(0, r);
	close(r);
}

/* A raw socket hears its own namespace only. */
TEST(other_netns)
{
	uint8_t buf[256];
	int ra, rb, a, b, l, c, s;
	char got[8];

	pin_cpu0();
	ASSERT_EQ(0, lynx_new_netns());
	ra = lynx_socket(SOCK_RAW);
	ASSERT_LE(0, ra);

	/* Namespace B: its sockets, its traffic, its own raw socket. */
	ASSERT_EQ(0, lynx_new_netns());
	rb = lynx_socket(SOCK_RAW);
	a = lynx_socket(SOCK_DGRAM);
	b = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, rb);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	ASSERT_EQ(0, lynx_bind(a, LYNX_NODE_ANY, PORT_A));
	ASSERT_EQ(3, lynx_sendto(b, "inb", 3, 0, LYNX_NODE_LOCAL, PORT_A));
	EXPECT_EQ(3, dgram_recv(a, got, sizeof(got), NULL));
	l = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_ANY, PORT_S));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, PORT_S, &c, &s));
	ASSERT_EQ(2, lynx_write_all(c, "st", 2));
	ASSERT_EQ(2, lynx_read_full(s, got, 2, 2000));

	EXPECT_EQ(LYNX_HDR_LEN + 3, raw_next(rb, buf, sizeof(buf), NULL));
	EXPECT_TRUE(quiet(ra));

	/* What A's raw socket sends stays in A. */
	EXPECT_EQ(LYNX_HDR_LEN + 2,
		  send(ra, buf, mkframe(buf, LYNX_T_DGRAM, LYNX_NODE_LOCAL,
					LYNX_NODE_LOCAL, 4242, PORT_A,
					"ra", 2), 0));
	EXPECT_TRUE(quiet(a));
	close(ra);
	close(rb);
	close(a);
	close(b);
	close(c);
	close(s);
	close(l);
}

/* ---- segments: only those the namespace owns --------------------------- */

static int write_str(const char *path, const char *s)
{
	return lynx_write_file(path, s);
}

/* Maps root of the current (new) user namespace to @uid and @gid, ours
 * before it, so that what we exec keeps its capabilities there.
 */
static int map_root(uid_t uid, gid_t gid)
{
	char map[32];

	if (write_str("/proc/self/setgroups", "deny"))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", uid);
	if (write_str("/proc/self/uid_map", map))
		return -1;
	snprintf(map, sizeof(map), "0 %u 1", gid);
	return write_str("/proc/self/gid_map", map);
}

static const char *tool_path(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return "lynx_tool";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/lynx_tool", dirname(exe));
	return path;
}

/* A datagram frame for @node:PORT_B injected on device @dev to @mac. */
static int inject(const char *dev, const uint8_t *mac, uint32_t src,
		  uint32_t node, const char *msg)
{
	struct lynx_seg seg = {
		.type = LYNX_T_DGRAM, .src_node = src, .dst_node = node,
		.src_port = 4242, .dst_port = PORT_B,
		.data = msg, .len = strlen(msg),
	};
	int fd = lynx_frame_socket(dev), ret;

	if (fd < 0)
		return -1;
	ret = lynx_frame_send(fd, mac, &seg);
	close(fd);
	return ret;
}

/* Does raw socket @r hear a frame carrying @msg within 2 s? */
static int raw_hears(int r, const char *msg)
{
	uint8_t buf[256];
	ssize_t n;

	while ((n = raw_next(r, buf, sizeof(buf), NULL)) > 0)
		if (n == LYNX_HDR_LEN + (ssize_t)strlen(msg) &&
		    !memcmp(buf + LYNX_HDR_LEN, msg, strlen(msg)))
			return 1;
	return 0;
}

static const uint8_t bcast[ETH_ALEN] = { 0xff, 0xff, 0xff, 0xff, 0xff,
					 0xff };

/*
 * The child of TEST(segments): root of a user namespace of its own and of
 * a network namespace it owns, into which the parent moved "lxc", a
 * device on the host's segment 0.  Its exit status says what failed.
 */
static int segments_child(int to_parent, int from_parent, uint32_t host)
{
	uint8_t mac[ETH_ALEN], frame[64];
	uid_t uid = getuid();
	gid_t gid = getgid();
	uint32_t node;
	int r, d, n;
	char c, got[16];

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) || map_root(uid, gid))
		return 10;
	if (write(to_parent, "r", 1) != 1 || read(from_parent, &c, 1) != 1)
		return 11;
	node = lynx_node();
	if (lynx_sh("ip link set lxc up") ||
	    lynx_sh("%s link add u0 segment 70000 >/dev/null && "
		    "%s link add u1 segment 70000 >/dev/null && "
		    "ip link set u0 up && ip link set u1 up",
		    tool_path(), tool_path()) || lynx_dev_mac("u1", mac))
		return 12;
	r = lynx_socket(SOCK_RAW);
	d = lynx_socket(SOCK_DGRAM);
	if (r < 0 || d < 0 || lynx_bind(d, LYNX_NODE_ANY, PORT_B))
		return 13;

	/* Its own segment: its raw socket sees the frame. */
	if (inject("u0", mac, 0x0e0e0e0e, node, "own"))
		return 14;
	if (dgram_recv(d, got, sizeof(got), NULL) != 3)
		return 15;
	if (!raw_hears(r, "own"))
		return 16;

	/* The host's segment: its sockets get the frame, its raw socket
	 * does not.
	 */
	if (write(to_parent, &node, sizeof(node)) != sizeof(node) ||
	    read(from_parent, &c, 1) != 1)
		return 17;
	if (dgram_recv(d, got, sizeof(got), NULL) != 4)
		return 18;
	if (!quiet(r))
		return 19;

	/* Nor may it send there: the host's node was learned behind lxc. */
	n = mkframe(frame, LYNX_T_DGRAM, node, host, PORT_B, PORT_A, "x", 1);
	errno = 0;
	if (send(r, frame, n, 0) != -1 || errno != EPERM)
		return 20;
	/* An unknown node: broadcast on u0 and u1 only. */
	n = mkframe(frame, LYNX_T_DGRAM, node, 0x0f0f0f0f, PORT_B, PORT_A,
		    "y", 1);
	if (send(r, frame, n, 0) != n)
		return 21;
	return 0;
}

TEST(segments)
{
	static const char *const why[] = {
		[10] = "no user namespace, or no id map",
		[11] = "pipe", [12] = "devices", [13] = "sockets",
		[14] = "inject on its own segment",
		[15] = "own segment: the datagram did not arrive",
		[16] = "own segment: the raw socket did not see it",
		[17] = "pipe",
		[18] = "host's segment: the datagram did not arrive",
		[19] = "host's segment: the raw socket saw it",
		[20] = "host's segment: a raw send was not EPERM",
		[21] = "own segment: a raw broadcast failed",
	};
	int p2c[2], c2p[2], r, a, status;
	uint8_t mac[ETH_ALEN];
	uint32_t host, node;
	char c, got[16];
	pid_t pid;

	pin_cpu0();
	ASSERT_EQ(0, lynx_new_netns());
	host = lynx_node();
	ASSERT_EQ(0, lynx_sh("ip link add w0 up type lynx && "
			     "ip link add w1 up type lynx && "
			     "ip link add lxc type lynx"));
	r = lynx_socket(SOCK_RAW);
	a = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, r);
	ASSERT_LE(0, a);
	ASSERT_EQ(0, lynx_bind(a, LYNX_NODE_ANY, PORT_B));

	/* The initial user namespace owns segment 0: this raw socket sees
	 * a frame that came in on w1.
	 */
	ASSERT_EQ(0, lynx_dev_mac("w1", mac));
	ASSERT_EQ(0, inject("w0", mac, 0x0d0d0d0d, host, "seg0"));
	ASSERT_EQ(4, dgram_recv(a, got, sizeof(got), NULL));
	EXPECT_TRUE(raw_hears(r, "seg0"));

	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(segments_child(c2p[1], p2c[0], host));
	/* A child that dies early ends our reads. */
	close(c2p[1]);
	close(p2c[0]);
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	EXPECT_EQ(0, lynx_sh("ip link set lxc netns %d", pid));
	ASSERT_EQ(1, write(p2c[1], "g", 1));
	if (read(c2p[0], &node, sizeof(node)) == sizeof(node)) {
		/* From the host's node, so that the child learns it. */
		EXPECT_EQ(0, inject("w0", bcast, host, node, "host"));
		ASSERT_EQ(1, write(p2c[1], "g", 1));
	}
	close(p2c[1]);
	close(c2p[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("child: %s", WEXITSTATUS(status) < 22 &&
		       why[WEXITSTATUS(status)] ?
		       why[WEXITSTATUS(status)] : "?");
	close(r);
	close(a);
}

TEST_HARNESS_MAIN
