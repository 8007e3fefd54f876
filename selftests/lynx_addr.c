// SPDX-License-Identifier: GPL-2.0
/*
 * lynx addressing: the node sysctl, ephemeral ports, bind() validation,
 * port spaces (per type, per namespace), privileged ports, getsockname /
 * getpeername and /proc/net/lynx rows.
 *
 * Every test runs in a fresh network namespace of its own.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <linux/capability.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

/* A node id that is certainly not this namespace's and not special. */
static uint32_t foreign_node(void)
{
	uint32_t n = lynx_node() ^ 0x5a5a0000;

	if (n == 0 || n == LYNX_NODE_LOCAL || n == LYNX_NODE_ANY)
		n = 0x0badf00d;
	return n;
}

/* Drops CAP_NET_BIND_SERVICE from the effective set of this process. */
static int drop_bind_cap(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[CAP_TO_INDEX(CAP_NET_BIND_SERVICE)].effective &=
		~CAP_TO_MASK(CAP_NET_BIND_SERVICE);
	return syscall(SYS_capset, &hdr, data);
}

/* ---- namespace-wide: node, sysctls ---------------------------------- */

FIXTURE(ns)
{
	int fd;
};

FIXTURE_SETUP(ns)
{
	self->fd = -1;
	ASSERT_EQ(0, lynx_new_netns()) TH_LOG("unshare: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ns)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ns, node_sysctl)
{
	char buf[64];
	uint32_t node;

	ASSERT_LT(0, lynx_read_file(LYNX_SYSCTL_NODE, buf, sizeof(buf)))
		TH_LOG("%s: %s", LYNX_SYSCTL_NODE, strerror(errno));
	node = lynx_node();
	EXPECT_NE(0, node);
	EXPECT_NE(LYNX_NODE_ANY, node);

	EXPECT_EQ(-EINVAL, lynx_write_file(LYNX_SYSCTL_NODE, "0"));
	EXPECT_EQ(-EINVAL, lynx_write_file(LYNX_SYSCTL_NODE, "4294967295"));
	EXPECT_EQ(node, lynx_node());

	ASSERT_EQ(0, lynx_write_file(LYNX_SYSCTL_NODE, "305419896"));
	EXPECT_EQ(0x12345678, lynx_node());

	/* A socket bound to LOCAL reports the new node id. */
	self->fd = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_LOCAL, 0));
	{
		struct sockaddr_lynx a;
		socklen_t len = sizeof(a);

		ASSERT_EQ(0, getsockname(self->fd, (struct sockaddr *)&a,
					 &len));
		EXPECT_EQ(0x12345678, a.slx_node);
	}
}

#define CC_SYSCTL	"/proc/sys/net/lynx/congestion_control"

/*
 * net.lynx.congestion_control, as net.ipv4.tcp_congestion_control: cubic
 * by default in every namespace, reno or cubic by name, another name
 * ENOENT (and the value stays), per namespace.
 */
TEST_F(ns, congestion_control_sysctl)
{
	char buf[32];

	ASSERT_LT(0, lynx_read_file(CC_SYSCTL, buf, sizeof(buf)))
		TH_LOG("%s: %s", CC_SYSCTL, strerror(errno));
	EXPECT_STREQ("cubic\n", buf);
	ASSERT_EQ(0, lynx_write_file(CC_SYSCTL, "reno"));
	ASSERT_LT(0, lynx_read_file(CC_SYSCTL, buf, sizeof(buf)));
	EXPECT_STREQ("reno\n", buf);
	EXPECT_EQ(-ENOENT, lynx_write_file(CC_SYSCTL, "bbr"));
	EXPECT_EQ(-ENOENT, lynx_write_file(CC_SYSCTL, "\n"));
	ASSERT_LT(0, lynx_read_file(CC_SYSCTL, buf, sizeof(buf)));
	EXPECT_STREQ("reno\n", buf);
	ASSERT_EQ(0, lynx_write_file(CC_SYSCTL, "cubic\n"));
	ASSERT_LT(0, lynx_read_file(CC_SYSCTL, buf, sizeof(buf)));
	EXPECT_STREQ("cubic\n", buf);

	/* Another namespace keeps its own. */
	ASSERT_EQ(0, lynx_write_file(CC_SYSCTL, "reno"));
	ASSERT_EQ(0, lynx_new_netns());
	ASSERT_LT(0, lynx_read_file(CC_SYSCTL, buf, sizeof(buf)));
	EXPECT_STREQ("cubic\n", buf);
}

/*
 * A connection takes the namespace's congestion control when it begins and
 * keeps it: /proc/net/lynx names it per socket (both ends, the accepted
 * one from its listener's namespace), "-" for a datagram socket.
 */
TEST_F(ns, connection_takes_congestion_control)
{
	int l, c1, s1, c2, s2, d;
	struct lynx_proc_row r;

	ASSERT_EQ(0, lynx_write_file(CC_SYSCTL, "reno"));
	l = lynx_socket(SOCK_STREAM);
	ASSERT_LE(0, l);
	ASSERT_EQ(0, lynx_bind(l, LYNX_NODE_LOCAL, 7100));
	ASSERT_EQ(0, listen(l, 4));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, 7100, &c1, &s1));
	ASSERT_EQ(0, lynx_write_file(CC_SYSCTL, "cubic"));
	ASSERT_EQ(0, lynx_stream_pair(SOCK_STREAM, l, 7100, &c2, &s2));
	d = lynx_socket(SOCK_DGRAM);
	ASSERT_LE(0, d);

	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(c1), &r));
	EXPECT_STREQ("reno", r.cc);
	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(s1), &r));
	EXPECT_STREQ("reno", r.cc);
	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(c2), &r));
	EXPECT_STREQ("cubic", r.cc);
	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(s2), &r));
	EXPECT_STREQ("cubic", r.cc);
	ASSERT_EQ(0, lynx_proc_find(lynx_sock_inode(d), &r));
	EXPECT_STREQ("-", r.cc);

	close(d);
	close(c2);
	close(s2);
	close(c1);
	close(s1);
	close(l);
}

TEST_F(ns, node_differs_between_namespaces)
{
	uint32_t first, second;

	first = lynx_node();
	ASSERT_NE(0, first);
	ASSERT_EQ(0, lynx_new_netns());
	second = lynx_node();
	ASSERT_NE(0, second);
	EXPECT_NE(first, second);
}

TEST_F(ns, ephemeral_default)
{
	uint32_t low, high;

	ASSERT_EQ(0, lynx_eph_range(&low, &high));
	EXPECT_EQ(32768, low);
	EXPECT_EQ(60999, high);
}

TEST_F(ns, ephemeral_range)
{
	int fds[3], types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };
	uint32_t low, high, p0, p1;
	int t, i;

	ASSERT_EQ(0, lynx_write_file(LYNX_SYSCTL_EPH, "40000 40001"));
	ASSERT_EQ(0, lynx_eph_range(&low, &high));
	EXPECT_EQ(40000, low);
	EXPECT_EQ(40001, high);

	for (t = 0; t < 3; t++) {
		for (i = 0; i < 3; i++) {
			fds[i] = lynx_socket(types[t]);
			ASSERT_LE(0, fds[i]);
		}
		ASSERT_EQ(0, lynx_bind(fds[0], LYNX_NODE_ANY, LYNX_PORT_ANY));
		ASSERT_EQ(0, lynx_bind(fds[1], LYNX_NODE_ANY, LYNX_PORT_ANY));
		p0 = lynx_local_port(fds[0]);
		p1 = lynx_local_port(fds[1]);
		EXPECT_TRUE(p0 >= 40000 && p0 <= 40001) TH_LOG("port %u", p0);
		EXPECT_TRUE(p1 >= 40000 && p1 <= 40001) TH_LOG("port %u", p1);
		EXPECT_NE(p0, p1);
		/* The range is exhausted. */
		EXPECT_EQ(-1, lynx_bind(fds[2], LYNX_NODE_ANY, LYNX_PORT_ANY));
		for (i = 0; i < 3; i++)
			close(fds[i]);
	}
}

/* ---- per socket type ------------------------------------------------ */

FIXTURE(addr)
{
	int fd;
	int fd2;
};

FIXTURE_VARIANT(addr)
{
	int type;
	const char *name;
};

FIXTURE_VARIANT_ADD(addr, dgram) { .type = SOCK_DGRAM, .name = "DGRAM" };
FIXTURE_VARIANT_ADD(addr, stream) { .type = SOCK_STREAM, .name = "STREAM" };
FIXTURE_VARIANT_ADD(addr, seqpacket)
{
	.type = SOCK_SEQPACKET,
	.name = "SEQPACKET",
};

FIXTURE_SETUP(addr)
{
	self->fd = -1;
	self->fd2 = -1;
	ASSERT_EQ(0, lynx_new_netns()) TH_LOG("unshare: %s", strerror(errno));
	self->fd = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(addr)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->fd2 >= 0)
		close(self->fd2);
}

/* getsockname/getpeername into a 0xff-filled buffer, checks the padding. */
static int getname(struct __test_metadata *_metadata, int fd, int peer,
		   struct sockaddr_lynx *a)
{
	unsigned char *p = (unsigned char *)a;
	socklen_t len = sizeof(*a);
	int ret;

	memset(a, 0xff, sizeof(*a));
	ret = peer ? getpeername(fd, (struct sockaddr *)a, &len) :
		     getsockname(fd, (struct sockaddr *)a, &len);
	if (ret)
		return ret;
	EXPECT_EQ(sizeof(*a), len);
	EXPECT_EQ(lynx_af(), a->slx_family);
	EXPECT_EQ(0, a->slx_reserved);
	EXPECT_EQ(0, p[12] | p[13] | p[14] | p[15]);
	return 0;
}

TEST_F(addr, getsockname_unbound)
{
	struct sockaddr_lynx a;

	ASSERT_EQ(0, getname(_metadata, self->fd, 0, &a));
	EXPECT_EQ(0, a.slx_port);
	EXPECT_EQ(LYNX_NODE_ANY, a.slx_node);
}

TEST_F(addr, getpeername_unconnected)
{
	struct sockaddr_lynx a;

	errno = 0;
	EXPECT_EQ(-1, getname(_metadata, self->fd, 1, &a));
	EXPECT_EQ(ENOTCONN, errno);
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 0));
	errno = 0;
	EXPECT_EQ(-1, getname(_metadata, self->fd, 1, &a));
	EXPECT_EQ(ENOTCONN, errno);
}

TEST_F(addr, bind_any_node)
{
	struct sockaddr_lynx a;

	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5000))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getname(_metadata, self->fd, 0, &a));
	EXPECT_EQ(5000, a.slx_port);
	EXPECT_EQ(LYNX_NODE_ANY, a.slx_node);
}

TEST_F(addr, bind_local_node)
{
	struct sockaddr_lynx a;

	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_LOCAL, 5001))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getname(_metadata, self->fd, 0, &a));
	EXPECT_EQ(5001, a.slx_port);
	EXPECT_EQ(lynx_node(), a.slx_node);
}

TEST_F(addr, bind_own_node)
{
	struct sockaddr_lynx a;
	uint32_t node = lynx_node();

	ASSERT_NE(0, node);
	ASSERT_EQ(0, lynx_bind(self->fd, node, 5002))
		TH_LOG("bind: %s", strerror(errno));
	ASSERT_EQ(0, getname(_metadata, self->fd, 0, &a));
	EXPECT_EQ(5002, a.slx_port);
	EXPECT_EQ(node, a.slx_node);
}

TEST_F(addr, bind_foreign_node)
{
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd, foreign_node(), 5003));
	EXPECT_EQ(EADDRNOTAVAIL, errno);
	/* The failed bind left the socket unbound. */
	EXPECT_EQ(0, lynx_local_port(self->fd));
	EXPECT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5003));
}

TEST_F(addr, bind_ephemeral)
{
	uint32_t low, high, port;

	ASSERT_EQ(0, lynx_eph_range(&low, &high));
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, LYNX_PORT_ANY));
	port = lynx_local_port(self->fd);
	EXPECT_LE(low, port);
	EXPECT_GE(high, port);
}

TEST_F(addr, bind_short_addrlen)
{
	struct sockaddr_lynx a = lynx_addr(LYNX_NODE_ANY, 5004);
	socklen_t lens[] = { 0, 2, 8, 12, sizeof(a) - 1 };
	unsigned int i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		errno = 0;
		EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, lens[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("addrlen %u: %s", lens[i],
						strerror(errno));
	}
	/* A longer buffer is fine. */
	{
		struct sockaddr_storage ss;

		memset(&ss, 0, sizeof(ss));
		memcpy(&ss, &a, sizeof(a));
		EXPECT_EQ(0, bind(self->fd, (struct sockaddr *)&ss,
				  sizeof(ss)));
	}
}

TEST_F(addr, bind_reserved_nonzero)
{
	struct sockaddr_lynx a = lynx_addr(LYNX_NODE_ANY, 5005);

	a.slx_reserved = 1;
	errno = 0;
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);

	a = lynx_addr(LYNX_NODE_ANY, 5005);
	a.slx_zero[3] = 0x80;
	errno = 0;
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EINVAL, errno);

	a = lynx_addr(LYNX_NODE_ANY, 5005);
	EXPECT_EQ(0, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
}

TEST_F(addr, bind_wrong_family)
{
	struct sockaddr_lynx a = lynx_addr(LYNX_NODE_ANY, 5006);

	a.slx_family = AF_INET;
	errno = 0;
	EXPECT_EQ(-1, bind(self->fd, (struct sockaddr *)&a, sizeof(a)));
	EXPECT_EQ(EAFNOSUPPORT, errno);
}

TEST_F(addr, bind_twice)
{
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5007));
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd, LYNX_NODE_ANY, 5008));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd, LYNX_NODE_ANY, 5007));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(5007, lynx_local_port(self->fd));
}

TEST_F(addr, port_in_use)
{
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5009));
	self->fd2 = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd2);
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd2, LYNX_NODE_ANY, 5009));
	EXPECT_EQ(EADDRINUSE, errno);
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd2, LYNX_NODE_LOCAL, 5009));
	EXPECT_EQ(EADDRINUSE, errno);

	/* Free again once the owner is closed. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(0, lynx_bind(self->fd2, LYNX_NODE_ANY, 5009))
		TH_LOG("rebind after close: %s", strerror(errno));
}

TEST_F(addr, port_space_per_type)
{
	int types[] = { SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET };
	int i, fd;

	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5010));
	for (i = 0; i < 3; i++) {
		if (types[i] == variant->type)
			continue;
		fd = lynx_socket(types[i]);
		ASSERT_LE(0, fd);
		EXPECT_EQ(0, lynx_bind(fd, LYNX_NODE_ANY, 5010))
			TH_LOG("type %d: %s", types[i], strerror(errno));
		close(fd);
	}
}

TEST_F(addr, port_space_per_netns)
{
	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 5011));
	ASSERT_EQ(0, lynx_new_netns());
	self->fd2 = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(0, lynx_bind(self->fd2, LYNX_NODE_ANY, 5011))
		TH_LOG("bind in another netns: %s", strerror(errno));
}

TEST_F(addr, privileged_port)
{
	/* As root (CAP_NET_BIND_SERVICE): fine. */
	EXPECT_EQ(0, lynx_bind(self->fd, LYNX_NODE_ANY, 80))
		TH_LOG("bind 80 as root: %s", strerror(errno));

	ASSERT_EQ(0, drop_bind_cap()) TH_LOG("capset: %s", strerror(errno));
	self->fd2 = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd2);
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd2, LYNX_NODE_ANY, 1023));
	EXPECT_EQ(EACCES, errno);
	errno = 0;
	EXPECT_EQ(-1, lynx_bind(self->fd2, LYNX_NODE_ANY, 1));
	EXPECT_EQ(EACCES, errno);
	/* Unprivileged ports and ephemeral binding still work. */
	EXPECT_EQ(0, lynx_bind(self->fd2, LYNX_NODE_ANY, 1024))
		TH_LOG("bind 1024 without the capability: %s",
		       strerror(errno));
	close(self->fd2);
	self->fd2 = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd2);
	EXPECT_EQ(0, lynx_bind(self->fd2, LYNX_NODE_ANY, LYNX_PORT_ANY));
}

TEST_F(addr, proc_row)
{
	struct lynx_proc_row r;
	unsigned long ino = lynx_sock_inode(self->fd);

	ASSERT_NE(0, ino);
	ASSERT_EQ(0, lynx_proc_find(ino, &r))
		TH_LOG("no /proc/net/lynx row for inode %lu", ino);
	EXPECT_STREQ(variant->name, r.type);
	EXPECT_STREQ("UNBOUND", r.state);
	EXPECT_EQ(0, r.lport);
	EXPECT_EQ(0, r.pnode);
	EXPECT_EQ(0, r.pport);
	EXPECT_EQ(0, r.rxq);
	EXPECT_EQ(0, r.txq);
	EXPECT_EQ(getuid(), r.uid);

	ASSERT_EQ(0, lynx_bind(self->fd, LYNX_NODE_LOCAL, 5012));
	ASSERT_EQ(0, lynx_proc_find(ino, &r));
	EXPECT_STREQ("BOUND", r.state);
	EXPECT_EQ(5012, r.lport);
	EXPECT_EQ(lynx_node(), r.lnode);

	/* Gone once closed. */
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(-1, lynx_proc_find(ino, &r));
}

TEST_F(addr, proc_per_netns)
{
	struct lynx_proc_row r;
	unsigned long ino = lynx_sock_inode(self->fd);

	ASSERT_EQ(0, lynx_proc_find(ino, &r));
	/* /proc/net follows the reader's namespace: a new one has no rows
	 * for the old namespace's socket.
	 */
	ASSERT_EQ(0, lynx_new_netns());
	EXPECT_EQ(-1, lynx_proc_find(ino, &r));
}

TEST_HARNESS_MAIN
