// SPDX-License-Identifier: GPL-2.0
/*
 * lynx socket creation: types, protocols, flags, basic socket options,
 * socketpair and /proc/net/protocols.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "lynx_util.h"
#include "kselftest_harness.h"

FIXTURE(lynx_type)
{
	int fd;
};

FIXTURE_VARIANT(lynx_type)
{
	int type;
	const char *proto_name;
};

FIXTURE_VARIANT_ADD(lynx_type, stream)
{
	.type = SOCK_STREAM,
	.proto_name = "LYNX_STREAM",
};

FIXTURE_VARIANT_ADD(lynx_type, seqpacket)
{
	.type = SOCK_SEQPACKET,
	.proto_name = "LYNX_SEQPACKET",
};

FIXTURE_VARIANT_ADD(lynx_type, dgram)
{
	.type = SOCK_DGRAM,
	.proto_name = "LYNX_DGRAM",
};

FIXTURE_SETUP(lynx_type)
{
	self->fd = -1;
}

FIXTURE_TEARDOWN(lynx_type)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(lynx_type, create)
{
	struct stat st;

	self->fd = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd) TH_LOG("socket: %s", strerror(errno));
	ASSERT_EQ(0, fstat(self->fd, &st));
	EXPECT_TRUE(S_ISSOCK(st.st_mode));
	/* Without flags: blocking, not close-on-exec. */
	EXPECT_EQ(0, fcntl(self->fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(lynx_type, sockopts)
{
	int v;
	socklen_t len;

	self->fd = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd);

	len = sizeof(v);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
	EXPECT_EQ(lynx_af(), v);
	EXPECT_EQ(sizeof(v), len);

	len = sizeof(v);
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_TYPE, &v, &len));
	EXPECT_EQ(variant->type, v);

	len = sizeof(v);
	v = -1;
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
	EXPECT_EQ(0, v);

	/* Nothing pending on a fresh socket. */
	len = sizeof(v);
	v = -1;
	ASSERT_EQ(0, getsockopt(self->fd, SOL_SOCKET, SO_ERROR, &v, &len));
	EXPECT_EQ(0, v);
}

TEST_F(lynx_type, nonblock)
{
	self->fd = socket(lynx_af(), variant->type | SOCK_NONBLOCK, 0);
	ASSERT_LE(0, self->fd);
	EXPECT_NE(0, fcntl(self->fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(0, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(lynx_type, cloexec)
{
	self->fd = socket(lynx_af(), variant->type | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->fd);
	EXPECT_NE(0, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(0, fcntl(self->fd, F_GETFL) & O_NONBLOCK);
}

TEST_F(lynx_type, nonblock_cloexec)
{
	self->fd = socket(lynx_af(),
			  variant->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, self->fd);
	EXPECT_NE(0, fcntl(self->fd, F_GETFL) & O_NONBLOCK);
	EXPECT_NE(0, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
}

TEST_F(lynx_type, bad_protocol)
{
	int protos[] = { 1, 6, 17, 255, -1 };
	unsigned int i;

	for (i = 0; i < sizeof(protos) / sizeof(protos[0]); i++) {
		errno = 0;
		self->fd = socket(lynx_af(), variant->type, protos[i]);
		EXPECT_EQ(-1, self->fd) {
			close(self->fd);
			self->fd = -1;
		}
		EXPECT_EQ(EPROTONOSUPPORT, errno)
			TH_LOG("protocol %d: %s", protos[i], strerror(errno));
	}
}

TEST_F(lynx_type, socketpair)
{
	int sv[2] = { -1, -1 };

	errno = 0;
	EXPECT_EQ(-1, socketpair(lynx_af(), variant->type, 0, sv)) {
		close(sv[0]);
		close(sv[1]);
	}
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(lynx_type, proc_protocols)
{
	char buf[16384], *line, *save = NULL;
	int found = 0;

	/* /proc/net/protocols only lists registered protos; keep one open. */
	self->fd = lynx_socket(variant->type);
	ASSERT_LE(0, self->fd);
	ASSERT_LT(0, lynx_read_file("/proc/net/protocols", buf, sizeof(buf)));
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64];

		if (sscanf(line, "%63s", name) == 1 &&
		    !strcmp(name, variant->proto_name))
			found++;
	}
	EXPECT_EQ(1, found) TH_LOG("%s rows in /proc/net/protocols: %d",
				   variant->proto_name, found);
}

TEST(unsupported_types)
{
	/* SOCK_RAW is lynx_raw's. */
	int types[] = { SOCK_RDM, SOCK_PACKET };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		errno = 0;
		fd = socket(lynx_af(), types[i], 0);
		EXPECT_EQ(-1, fd) {
			close(fd);
		}
		EXPECT_EQ(ESOCKTNOSUPPORT, errno)
			TH_LOG("type %d: %s", types[i], strerror(errno));
	}
}

TEST(family_param)
{
	char buf[32];

	/* The module exports the family it registered, and it is the one
	 * the tests use.
	 */
	ASSERT_LT(0, lynx_read_file("/sys/module/lynx/parameters/family",
				    buf, sizeof(buf)));
	EXPECT_EQ(lynx_af(), atoi(buf));
}

TEST(many_sockets)
{
	int fds[64];
	int i;

	/* Creating and closing in bulk works and leaks nothing. */
	for (i = 0; i < 64; i++) {
		int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };

		fds[i] = lynx_socket(types[i % 3]);
		ASSERT_LE(0, fds[i]);
	}
	for (i = 0; i < 64; i++)
		EXPECT_EQ(0, close(fds[i]));
}

TEST_HARNESS_MAIN
