// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: creating and releasing kernel lynx sockets through the real
 * sock_create_kern() path, and its error cases.
 */
#include <kunit/test.h>
#include <linux/net.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/lynx.h>

/* SOCK_RAW too: a kernel socket needs no CAP_NET_RAW. */
static const int lynx_test_types[] = { SOCK_STREAM, SOCK_DGRAM,
				       SOCK_SEQPACKET, SOCK_RAW };

static void lynx_type_desc(const int *type, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "type %d", *type);
}

KUNIT_ARRAY_PARAM(lynx_type, lynx_test_types, lynx_type_desc);

static void lynx_sock_test_create_release(struct kunit *test)
{
	const int *type = test->param_value;
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, lynx_family, *type, 0, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_PTR_NE(test, sock->sk, NULL);
	KUNIT_EXPECT_EQ(test, sock->sk->sk_family, lynx_family);
	KUNIT_EXPECT_EQ(test, sock->sk->sk_type, *type);
	KUNIT_EXPECT_EQ(test, (int)sock->sk->sk_protocol, 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&sock->sk->sk_rmem_alloc), 0);
	sock_release(sock);
}

static void lynx_sock_test_bad_type(struct kunit *test)
{
	static const int bad[] = { SOCK_RDM, SOCK_DCCP, SOCK_PACKET };
	struct socket *sock;
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ(test, sock_create_kern(&init_net, lynx_family,
						       bad[i], 0, &sock),
				-ESOCKTNOSUPPORT);
}

static void lynx_sock_test_bad_protocol(struct kunit *test)
{
	struct socket *sock;

	KUNIT_EXPECT_EQ(test, sock_create_kern(&init_net, lynx_family,
					       SOCK_DGRAM, 1, &sock),
			-EPROTONOSUPPORT);
	KUNIT_EXPECT_EQ(test, sock_create_kern(&init_net, lynx_family,
					       SOCK_STREAM, -1, &sock),
			-EPROTONOSUPPORT);
}

/* Operations a type does not have must fail cleanly, never crash. */
static void lynx_sock_test_unsupported_ops(struct kunit *test)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, lynx_family,
					       SOCK_DGRAM, 0, &sock), 0);
	KUNIT_EXPECT_EQ(test, kernel_listen(sock, 1), -EOPNOTSUPP);
	sock_release(sock);
}

static struct kunit_case lynx_sock_cases[] = {
	KUNIT_CASE_PARAM(lynx_sock_test_create_release, lynx_type_gen_params),
	KUNIT_CASE(lynx_sock_test_bad_type),
	KUNIT_CASE(lynx_sock_test_bad_protocol),
	KUNIT_CASE(lynx_sock_test_unsupported_ops),
	{}
};

static struct kunit_suite lynx_sock_suite = {
	.name = "lynx_sock",
	.test_cases = lynx_sock_cases,
};

kunit_test_suite(lynx_sock_suite);
