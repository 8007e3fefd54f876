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
