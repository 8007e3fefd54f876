/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * lynx: a socket address family carried in Ethernet frames.
 *
 * This is the user API, shared by programs and by the module.
 */
#ifndef _UAPI_LINUX_LYNX_H
#define _UAPI_LINUX_LYNX_H

#include <linux/types.h>
#include <linux/socket.h>

/*
 * The default family number.  22 is AF_SNA: it is reserved in
 * <linux/socket.h> (so it is below AF_MAX and fits the kernel's family
 * table) but no kernel, from 6.1 to current mainline, has ever carried an
 * implementation of it, so registering it collides with nothing in-tree.
 * The module parameter "family" moves lynx to another number; programs
 * then read /sys/module/lynx/parameters/family.
 */
#ifndef AF_LYNX
#define AF_LYNX		22
#endif
#ifndef PF_LYNX
#define PF_LYNX		AF_LYNX
#endif

/* IEEE 802 "local experimental ethertype 2". */
#define ETH_P_LYNX	0x88B5

/* Bind to any free port from net.lynx.ephemeral_ports. */
#define LYNX_PORT_ANY	0
/* Wildcard node: bind on this namespace's node, whatever it is. */
#define LYNX_NODE_ANY	0xFFFFFFFFU
/* Always this network namespace's own node. */
#define LYNX_NODE_LOCAL	1

/**
 * struct sockaddr_lynx - a lynx socket address (16 bytes)
 * @slx_family:   AF_LYNX
 * @slx_reserved: must be 0 on input; 0 on output
 * @slx_port:     port number, host byte order
 * @slx_node:     node id, host byte order
 * @slx_zero:     must be 0 on input; 0 on output
 */
struct sockaddr_lynx {
	__kernel_sa_family_t	slx_family;
	__u16			slx_reserved;
	__u32			slx_port;
	__u32			slx_node;
	__u8			slx_zero[4];
};

/*
 * The wire format: a struct lynxhdr follows the Ethernet header, then the
 * payload.  A SOCK_RAW socket reads and writes frames from the lynx header
 * on, as they are on the wire.
 */
#define LYNX_VERSION	1

/* lynxhdr.type: which socket type a frame belongs to (its port space). */
enum lynx_frame_type {
	LYNX_T_DGRAM		= 1,
	LYNX_T_STREAM		= 2,
	LYNX_T_SEQPACKET	= 3,
	LYNX_T_MAX		= LYNX_T_SEQPACKET,
};

/* lynxhdr.flags, for the connection-oriented types. */
#define LYNX_F_SYN	0x01
#define LYNX_F_ACK	0x02
#define LYNX_F_FIN	0x04
#define LYNX_F_RST	0x08
#define LYNX_F_EOR	0x10	/* last segment of a SEQPACKET message */
#define LYNX_F_SACK	0x20	/* SYN: takes SACK blocks; ACK: carries them */
#define LYNX_F_ALL	0x3f

/*
 * Selective acknowledgment, RFC 2018's blocks carried in lynx's way.  A
 * SYN or SYN|ACK with LYNX_F_SACK says that its sender takes SACK blocks;
 * a connection uses them when both sides said so.  Then an ACK without
 * data may carry LYNX_F_SACK and, as its payload (lynxhdr.len 8 to 32),
 * one to LYNX_SACK_MAX blocks: ranges of sequence numbers received beyond
 * lynxhdr.ack, the one that holds the latest arrival first.  The blocks
 * take no sequence space.  A frame without SYN whose flags are other than
 * ACK and SACK, or whose length is not a multiple of 8 in that range,
 * is malformed.
 */
#define LYNX_SACK_MAX	4

/**
 * struct lynx_sack_block - one SACK block, big-endian on the wire
 * @start: first sequence number received
 * @end:   the one after the last
 */
struct lynx_sack_block {
	__be32	start;
	__be32	end;
};

/**
 * struct lynxhdr - the lynx header, after the Ethernet header
 * @version:  LYNX_VERSION
 * @type:     enum lynx_frame_type
 * @flags:    LYNX_F_* (0 for datagrams, but LYNX_F_RST for a refusal)
 * @reserved: 0 on send; frames with it non-zero are dropped
 * @len:      payload length in bytes (the frame may carry Ethernet padding)
 * @csum:     Internet checksum over header (with @csum 0) and payload
 * @src_node: sender's node id
 * @dst_node: receiver's node id
 * @src_port: sender's port
 * @dst_port: receiver's port
 * @seq:      sequence number of the first payload byte (connections)
 * @ack:      cumulative acknowledgment (connections, with LYNX_F_ACK)
 * @window:   receive window in bytes, from @ack on (connections)
 *
 * All fields are big-endian on the wire.  36 bytes.
 */
struct lynxhdr {
	__u8	version;
	__u8	type;
	__u8	flags;
	__u8	reserved;
	__be16	len;
	__sum16	csum;
	__be32	src_node;
	__be32	dst_node;
	__be32	src_port;
	__be32	dst_port;
	__be32	seq;
	__be32	ack;
	__be32	window;
} __attribute__((packed));

/*
 * Socket options of level SOL_LYNX.  The level reaches lynx's own sockets
 * only (the kernel hands every level but SOL_SOCKET to the family), so
 * its number need not be one of <linux/socket.h>'s.
 *
 *   LYNX_RAW_TYPES  u32, SOCK_RAW only: the frame types the socket
 *                   receives, bit (1 << LYNX_T_*) each; default every
 *                   type (LYNX_RAW_TYPES_ALL), 0 for none (a socket that
 *                   only sends).  Other bits: EINVAL.
 *   LYNX_NODELAY    int, SOCK_STREAM only: non-zero sends each write at
 *                   once, as TCP_NODELAY.  Default 0, Nagle's rule: a
 *                   short segment waits while an earlier short one
 *                   is unacknowledged, and the writes that
 *                   follow join it.  Accepted sockets take the
 *                   listener's value.
 */
#define SOL_LYNX		299
#define LYNX_RAW_TYPES		1
#define LYNX_NODELAY		2
#define LYNX_RAW_TYPES_ALL	((1U << LYNX_T_DGRAM) | (1U << LYNX_T_STREAM) | \
				 (1U << LYNX_T_SEQPACKET))

/*
 * Link attributes of a "lynx" device (nested in IFLA_INFO_DATA of
 * IFLA_LINKINFO, RTM_NEWLINK):
 *   IFLA_LYNX_SEGMENT  u32: the segment the device is on.  Set at creation
 *                      only (default LYNX_SEGMENT_DEFAULT); a device hears
 *                      and reaches the devices of its own segment alone.
 */
enum {
	IFLA_LYNX_UNSPEC,
	IFLA_LYNX_SEGMENT,
	__IFLA_LYNX_MAX,
};

#define IFLA_LYNX_MAX	(__IFLA_LYNX_MAX - 1)

/* The segment of "ip link add NAME type lynx": the initial user namespace's. */
#define LYNX_SEGMENT_DEFAULT	0
/*
 * Segments below this one, as the default one, always belong to the
 * initial user namespace (so no other can take a number the host's
 * administrator means to use, as ports below 1024); a segment from here
 * up belongs to the user namespace of the process that made its first
 * device.
 */
#define LYNX_SEGMENT_USER_MIN	0x10000

#endif /* _UAPI_LINUX_LYNX_H */
