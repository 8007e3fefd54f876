// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: binding kernel lynx sockets in init_net: the bind-conflict rules
 * of the per-type port spaces, the checks on the address, and ephemeral
 * ports from net.lynx.ephemeral_ports (set here directly in struct
 * lynx_net, restored by the case's exit).
 *
 * Every socket a case makes sits in its struct pt_ctx (test->priv), so
 * the suite's exit releases them all even when an assertion ends a case
 * early.  Fixed ports are from 40000 up, away from anything else in
 * init_net while the suites run.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <linux/seqlock.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/lynx.h>

#define PT_NSOCK	32

/* Stands for this namespace's node id (known only at run time). */
#define PT_NODE_SELF	0x7e575e1fU
/* A node that is not this namespace's. */
#define PT_NODE_FOREIGN	0x7e570002U

/* Tiny ephemeral range for the exhaustion case. */
#define PT_TINY_LOW	40100U
#define PT_TINY_HIGH	40102U

struct pt_ctx {
	struct socket	*socks[PT_NSOCK];
	bool		range_saved;
	u32		saved_low;
	u32		saved_high;
};

static int pt_init(struct kunit *test)
{
	struct pt_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void pt_set_range(struct lynx_net *ln, u32 low, u32 high)
{
	write_seqlock_bh(&ln->eph_lock);
	ln->eph_low = low;
	ln->eph_high = high;
	write_sequnlock_bh(&ln->eph_lock);
}

static void pt_get_range(struct lynx_net *ln, u32 *low, u32 *high)
{
	unsigned int seq;

	do {
		seq = read_seqbegin(&ln->eph_lock);
		*low = ln->eph_low;
		*high = ln->eph_high;
	} while (read_seqretry(&ln->eph_lock, seq));
}

static void pt_exit(struct kunit *test)
{
	struct pt_ctx *ctx = test->priv;
	int i;

	if (!ctx)
		return;
	for (i = 0; i < PT_NSOCK; i++) {
		if (ctx->socks[i])
			sock_release(ctx->socks[i]);
		ctx->socks[i] = NULL;
	}
	if (ctx->range_saved)
		pt_set_range(lynx_net(&init_net), ctx->saved_low,
			     ctx->saved_high);
	ctx->range_saved = false;
}

/* Saves the ephemeral range for pt_exit() to restore, then sets it. */
static void pt_range(struct kunit *test, u32 low, u32 high)
{
	struct pt_ctx *ctx = test->priv;
	struct lynx_net *ln = lynx_net(&init_net);

	if (!ctx->range_saved) {
		pt_get_range(ln, &ctx->saved_low, &ctx->saved_high);
		ctx->range_saved = true;
	}
	pt_set_range(ln, low, high);
}

/* A new kernel socket in slot @i of the case's context; asserts. */
static struct socket *pt_sock(struct kunit *test, int i, int type)
{
	struct pt_ctx *ctx = test->priv;
	struct socket *sock;
	int err;

	KUNIT_ASSERT_LT(test, i, PT_NSOCK);
	KUNIT_ASSERT_PTR_EQ(test, ctx->socks[i], NULL);
	err = sock_create_kern(&init_net, lynx_family, type, 0, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	ctx->socks[i] = sock;
	return sock;
}

static void pt_release(struct kunit *test, int i)
{
	struct pt_ctx *ctx = test->priv;

	sock_release(ctx->socks[i]);
	ctx->socks[i] = NULL;
}

static u32 pt_node(u32 node)
{
	return node == PT_NODE_SELF ? READ_ONCE(lynx_net(&init_net)->node) :
				      node;
}

static int pt_bind(struct socket *sock, u32 port, u32 node)
{
	struct sockaddr_lynx slx = {
		.slx_family	= lynx_family,
		.slx_port	= port,
		.slx_node	= pt_node(node),
	};

	return kernel_bind(sock, (struct sockaddr *)&slx, sizeof(slx));
}

/* Connects a datagram socket (no frame is sent), binding it if need be. */
static int pt_connect(struct socket *sock, u32 port)
{
	struct sockaddr_lynx slx = {
		.slx_family	= lynx_family,
		.slx_port	= port,
		.slx_node	= LYNX_NODE_LOCAL,
	};

	return kernel_connect(sock, (struct sockaddr *)&slx, sizeof(slx), 0);
}

static u32 pt_port(struct socket *sock)
{
	return READ_ONCE(lynx_sk(sock->sk)->port);
}

/* What is wrong with the second address. */
enum pt_mangle {
	PT_OK,
	PT_SHORT,	/* one byte short */
	PT_NOLEN,	/* length 0 */
	PT_FAMILY,	/* AF_INET */
	PT_RESERVED,	/* slx_reserved != 0 */
	PT_ZERO,	/* slx_zero[3] != 0 */
};

/**
 * struct pt_case - bind (type1, port1, node1), then (type2, port2, node2)
 * @desc:      parameter description
 * @type1:     first socket's type
 * @port1:     first socket's port (LYNX_PORT_ANY: ephemeral)
 * @node1:     first socket's node (PT_NODE_SELF: this namespace's id)
 * @type2:     second socket's type
 * @port2:     second bind's port
 * @node2:     second bind's node
 * @same_sock: the second bind is on the first socket
 * @mangle:    how the second address is broken
 * @err:       the second bind's expected result
 */
struct pt_case {
	const char	*desc;
	int		type1;
	u32		port1;
	u32		node1;
	int		type2;
	u32		port2;
	u32		node2;
	bool		same_sock;
	enum pt_mangle	mangle;
	int		err;
};

#define DG	SOCK_DGRAM
#define ST	SOCK_STREAM
#define SP	SOCK_SEQPACKET
#define ANY	LYNX_NODE_ANY
#define LOC	LYNX_NODE_LOCAL
#define SELF	PT_NODE_SELF

static const struct pt_case pt_cases[] = {
	{ "dgram same port",		DG, 40001, ANY, DG, 40001, ANY,
	  false, PT_OK, -EADDRINUSE },
	{ "stream same port",		ST, 40002, ANY, ST, 40002, ANY,
	  false, PT_OK, -EADDRINUSE },
	{ "seqpacket same port",	SP, 40003, ANY, SP, 40003, ANY,
	  false, PT_OK, -EADDRINUSE },
	{ "dgram same port any/local",	DG, 40004, ANY, DG, 40004, LOC,
	  false, PT_OK, -EADDRINUSE },
	{ "dgram same port local/any",	DG, 40005, LOC, DG, 40005, ANY,
	  false, PT_OK, -EADDRINUSE },
	{ "dgram same port self/local",	DG, 40006, SELF, DG, 40006, LOC,
	  false, PT_OK, -EADDRINUSE },
	{ "stream same port any/self",	ST, 40007, ANY, ST, 40007, SELF,
	  false, PT_OK, -EADDRINUSE },
	{ "dgram/stream same port",	DG, 40008, ANY, ST, 40008, ANY,
	  false, PT_OK, 0 },
	{ "stream/seqpacket same port",	ST, 40009, ANY, SP, 40009, ANY,
	  false, PT_OK, 0 },
	{ "seqpacket/dgram same port",	SP, 40010, LOC, DG, 40010, LOC,
	  false, PT_OK, 0 },
	{ "dgram other port",		DG, 40011, ANY, DG, 40012, ANY,
	  false, PT_OK, 0 },
	{ "stream other port",		ST, 40013, LOC, ST, 40014, LOC,
	  false, PT_OK, 0 },
	{ "seqpacket other port",	SP, 40015, SELF, SP, 40016, ANY,
	  false, PT_OK, 0 },
	{ "dgram port any twice",	DG, LYNX_PORT_ANY, ANY,
	  DG, LYNX_PORT_ANY, ANY, false, PT_OK, 0 },
	{ "stream port any twice",	ST, LYNX_PORT_ANY, LOC,
	  ST, LYNX_PORT_ANY, LOC, false, PT_OK, 0 },
	{ "dgram rebind other port",	DG, 40017, ANY, DG, 40018, ANY,
	  true, PT_OK, -EINVAL },
	{ "dgram rebind same port",	DG, 40019, ANY, DG, 40019, ANY,
	  true, PT_OK, -EINVAL },
	{ "stream rebind port any",	ST, 40020, ANY, ST, LYNX_PORT_ANY, ANY,
	  true, PT_OK, -EINVAL },
	{ "short address",		DG, 40021, ANY, DG, 40022, ANY,
	  false, PT_SHORT, -EINVAL },
	{ "zero-length address",	ST, 40023, ANY, ST, 40024, ANY,
	  false, PT_NOLEN, -EINVAL },
	{ "wrong family",		DG, 40025, ANY, DG, 40026, ANY,
	  false, PT_FAMILY, -EAFNOSUPPORT },
	{ "slx_reserved set",		DG, 40027, ANY, DG, 40028, ANY,
	  false, PT_RESERVED, -EINVAL },
	{ "slx_zero set",		SP, 40029, ANY, SP, 40030, ANY,
	  false, PT_ZERO, -EINVAL },
	{ "dgram foreign node",		DG, 40031, ANY, DG, 40032,
	  PT_NODE_FOREIGN, false, PT_OK, -EADDRNOTAVAIL },
	{ "stream foreign node",	ST, 40033, ANY, ST, 40034,
	  PT_NODE_FOREIGN, false, PT_OK, -EADDRNOTAVAIL },
	{ "dgram node 0",		DG, 40035, ANY, DG, 40036, 0,
	  false, PT_OK, -EADDRNOTAVAIL },
};

#undef DG
#undef ST
#undef SP
#undef ANY
#undef LOC
#undef SELF

static void pt_case_desc(const struct pt_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->desc);
}

KUNIT_ARRAY_PARAM(pt_conflict, pt_cases, pt_case_desc);

static void lynx_port_test_bind_conflict(struct kunit *test)
{
	const struct pt_case *c = test->param_value;
	struct lynx_net *ln = lynx_net(&init_net);
	struct sockaddr_lynx slx = {};
	struct socket *s1, *s2;
	u32 port1, low, high;
	int len = sizeof(slx);

	if (READ_ONCE(ln->node) == PT_NODE_FOREIGN)
		kunit_skip(test, "this namespace's node is the foreign one");

	s1 = pt_sock(test, 0, c->type1);
	KUNIT_ASSERT_EQ(test, pt_bind(s1, c->port1, c->node1), 0);
	port1 = pt_port(s1);
	if (c->port1 == LYNX_PORT_ANY) {
		pt_get_range(ln, &low, &high);
		KUNIT_EXPECT_GE(test, port1, low);
		KUNIT_EXPECT_LE(test, port1, high);
	} else {
		KUNIT_EXPECT_EQ(test, port1, c->port1);
	}
	KUNIT_EXPECT_EQ(test, lynx_sk(s1->sk)->node, pt_node(c->node1));

	s2 = c->same_sock ? s1 : pt_sock(test, 1, c->type2);

	slx.slx_family = lynx_family;
	slx.slx_port = c->port2;
	slx.slx_node = pt_node(c->node2);
	switch (c->mangle) {
	case PT_OK:
		break;
	case PT_SHORT:
		len = sizeof(slx) - 1;
		break;
	case PT_NOLEN:
		len = 0;
		break;
	case PT_FAMILY:
		slx.slx_family = AF_INET;
		break;
	case PT_RESERVED:
		slx.slx_reserved = 1;
		break;
	case PT_ZERO:
		slx.slx_zero[3] = 1;
		break;
	}
	KUNIT_EXPECT_EQ(test, kernel_bind(s2, (struct sockaddr *)&slx, len),
			c->err);

	/* The first socket keeps its port whatever happened. */
	KUNIT_EXPECT_EQ(test, pt_port(s1), port1);
	if (c->same_sock)
		return;

	if (c->err) {
		KUNIT_EXPECT_EQ(test, pt_port(s2), 0U);
		return;
	}
	if (c->port2 == LYNX_PORT_ANY) {
		pt_get_range(ln, &low, &high);
		KUNIT_EXPECT_GE(test, pt_port(s2), low);
		KUNIT_EXPECT_LE(test, pt_port(s2), high);
		if (c->type1 == c->type2)
			KUNIT_EXPECT_NE(test, pt_port(s2), port1);
	} else {
		KUNIT_EXPECT_EQ(test, pt_port(s2), c->port2);
	}
}

/* A conflict lasts as long as the holder: released, the port is free. */
static void lynx_port_test_release_frees_port(struct kunit *test)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };
	struct socket *s;
	int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		s = pt_sock(test, 2 * i, types[i]);
		KUNIT_ASSERT_EQ(test, pt_bind(s, 40040, LYNX_NODE_ANY), 0);
		s = pt_sock(test, 2 * i + 1, types[i]);
		KUNIT_EXPECT_EQ(test, pt_bind(s, 40040, LYNX_NODE_ANY),
				-EADDRINUSE);
		pt_release(test, 2 * i);
		KUNIT_EXPECT_EQ(test, pt_bind(s, 40040, LYNX_NODE_LOCAL), 0);
		KUNIT_EXPECT_EQ(test, pt_port(s), 40040U);
	}
}

/* Ephemeral ports come from the configured range, distinct per type. */
static void lynx_port_test_ephemeral_in_range(struct kunit *test)
{
	const u32 low = 40200, high = 40263;
	DECLARE_BITMAP(seen, 64) = {};
	struct socket *s;
	u32 port, def_low, def_high;
	int i;

	/* The range in force, whatever it is. */
	pt_get_range(lynx_net(&init_net), &def_low, &def_high);
	s = pt_sock(test, 0, SOCK_DGRAM);
	KUNIT_ASSERT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY), 0);
	KUNIT_EXPECT_GE(test, pt_port(s), def_low);
	KUNIT_EXPECT_LE(test, pt_port(s), def_high);
	pt_release(test, 0);

	pt_range(test, low, high);
	for (i = 0; i < 24; i++) {
		s = pt_sock(test, i, i % 2 ? SOCK_STREAM : SOCK_DGRAM);
		KUNIT_ASSERT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY),
				0);
		port = pt_port(s);
		KUNIT_ASSERT_GE(test, port, low);
		KUNIT_ASSERT_LE(test, port, high);
		/* Bit per (type, port): never twice in one port space. */
		if (!(i % 2)) {
			KUNIT_EXPECT_FALSE(test, test_bit(port - low, seen));
			__set_bit(port - low, seen);
		}
	}

	/* Autobind (connecting a datagram socket) uses the range too. */
	pt_release(test, 0);
	s = pt_sock(test, 0, SOCK_DGRAM);
	KUNIT_EXPECT_EQ(test, pt_connect(s, 40999), 0);
	KUNIT_EXPECT_GE(test, pt_port(s), low);
	KUNIT_EXPECT_LE(test, pt_port(s), high);
}

/* A range of 3: three binds, then -EADDRINUSE until one is released. */
static void lynx_port_test_ephemeral_exhaustion(struct kunit *test)
{
	struct socket *s;
	u32 ports[3], port;
	int i, j;

	pt_range(test, PT_TINY_LOW, PT_TINY_HIGH);
	for (i = 0; i < 3; i++) {
		s = pt_sock(test, i, SOCK_DGRAM);
		KUNIT_ASSERT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY),
				0);
		ports[i] = pt_port(s);
		KUNIT_EXPECT_GE(test, ports[i], PT_TINY_LOW);
		KUNIT_EXPECT_LE(test, ports[i], PT_TINY_HIGH);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, ports[i], ports[j]);
	}

	s = pt_sock(test, 3, SOCK_DGRAM);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, pt_port(s), 0U);
	/* So does autobind. */
	KUNIT_EXPECT_EQ(test, pt_connect(s, 40999), -EADDRINUSE);
	KUNIT_EXPECT_EQ(test, pt_port(s), 0U);

	/* Another type is another port space: not full. */
	s = pt_sock(test, 4, SOCK_STREAM);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY), 0);
	KUNIT_EXPECT_GE(test, pt_port(s), PT_TINY_LOW);
	KUNIT_EXPECT_LE(test, pt_port(s), PT_TINY_HIGH);

	/* Releasing one makes its port the only free one. */
	pt_release(test, 1);
	s = pt_sock(test, 5, SOCK_DGRAM);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY), 0);
	KUNIT_EXPECT_EQ(test, pt_port(s), ports[1]);

	/* Full again; a fixed port outside the range still binds. */
	s = pt_sock(test, 6, SOCK_DGRAM);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY),
			-EADDRINUSE);
	KUNIT_EXPECT_EQ(test, pt_bind(s, PT_TINY_HIGH + 1, LYNX_NODE_ANY), 0);
	port = pt_port(s);
	KUNIT_EXPECT_EQ(test, port, PT_TINY_HIGH + 1);
}

/* A range of one port, used by a fixed bind: nothing ephemeral left. */
static void lynx_port_test_ephemeral_fixed_taken(struct kunit *test)
{
	struct socket *s;

	pt_range(test, 40300, 40300);
	s = pt_sock(test, 0, SOCK_SEQPACKET);
	KUNIT_ASSERT_EQ(test, pt_bind(s, 40300, LYNX_NODE_ANY), 0);
	s = pt_sock(test, 1, SOCK_SEQPACKET);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY),
			-EADDRINUSE);
	pt_release(test, 0);
	KUNIT_EXPECT_EQ(test, pt_bind(s, LYNX_PORT_ANY, LYNX_NODE_ANY), 0);
	KUNIT_EXPECT_EQ(test, pt_port(s), 40300U);
}

static struct kunit_case pt_test_cases[] = {
	KUNIT_CASE_PARAM(lynx_port_test_bind_conflict, pt_conflict_gen_params),
	KUNIT_CASE(lynx_port_test_release_frees_port),
	KUNIT_CASE(lynx_port_test_ephemeral_in_range),
	KUNIT_CASE(lynx_port_test_ephemeral_exhaustion),
	KUNIT_CASE(lynx_port_test_ephemeral_fixed_taken),
	{}
};

static struct kunit_suite pt_suite = {
	.name = "lynx_port",
	.init = pt_init,
	.exit = pt_exit,
	.test_cases = pt_test_cases,
};

kunit_test_suite(pt_suite);
