/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: internal definitions shared by the module's files and its KUnit
 * tests.  One concept per file:
 *   af_lynx.c  family registration, socket creation, module init/exit
 *   dgram.c    SOCK_DGRAM proto_ops and proto
 *   stream.c   SOCK_STREAM and SOCK_SEQPACKET proto_ops and protos
 */
#ifndef _NET_LYNX_H
#define _NET_LYNX_H

#include <linux/net.h>
#include <net/sock.h>
#include <linux/lynx.h>

/* The family number in use: AF_LYNX unless the "family" parameter says so. */
extern int lynx_family;

/**
 * struct lynx_sock - a lynx socket
 * @sk: the generic socket; must stay first
 */
struct lynx_sock {
	struct sock	sk;
};

static inline struct lynx_sock *lynx_sk(const struct sock *sk)
{
	return container_of(sk, struct lynx_sock, sk);
}

/* Per-type socket tables, defined next to their operations. */
extern const struct proto_ops lynx_dgram_ops;
extern struct proto lynx_dgram_proto;
extern const struct proto_ops lynx_stream_ops;
extern struct proto lynx_stream_proto;
extern const struct proto_ops lynx_seqpacket_ops;
extern struct proto lynx_seqpacket_proto;

int lynx_sock_release(struct socket *sock);

#endif /* _NET_LYNX_H */
