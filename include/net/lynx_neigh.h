/* SPDX-License-Identifier: GPL-2.0 */
/*
 * lynx: neighbour table extras beyond <net/lynx.h> (neigh.c).
 */
#ifndef _NET_LYNX_NEIGH_H
#define _NET_LYNX_NEIGH_H

#include <linux/seq_file.h>
#include <net/lynx.h>

/* Prints "node dev mac age_ms" then one line per entry of @ln's table. */
int lynx_neigh_seq_show_all(struct seq_file *seq, struct lynx_net *ln);

#endif /* _NET_LYNX_NEIGH_H */
