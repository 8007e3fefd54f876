/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building rtnetlink requests, for lynx_tool's "link" commands and the
 * failslab test's device creation: a request is a struct nl_req filled
 * with nl_put() (nests closed by nl_end()).
 */
#ifndef LYNX_NL_H
#define LYNX_NL_H

#include <string.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

struct nl_req {
	struct nlmsghdr		nh;
	struct ifinfomsg	ifi;
	char			attrs[512];
};

/* Appends attribute @type with @len bytes of @data; returns it. */
static inline struct rtattr *nl_put(struct nlmsghdr *nh, unsigned short type,
				    const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)nh +
					       NLMSG_ALIGN(nh->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	nh->nlmsg_len = NLMSG_ALIGN(nh->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

/* Closes a nest nl_put() opened. */
static inline void nl_end(struct nlmsghdr *nh, struct rtattr *nest)
{
	nest->rta_len = (char *)nh + nh->nlmsg_len - (char *)nest;
}

#endif /* LYNX_NL_H */
