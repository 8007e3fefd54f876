// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the buffers lynx makes for the wire.  Every skb lynx allocates for
 * a frame (data segments, control segments, resets, refusals, probes) and
 * every copy it makes of one (a transmission of a queued segment, a
 * broadcast or segment fan-out) comes from these two functions.
 *
 * They are the module's fault-injection points: ALLOW_ERROR_INJECTION
 * lets fail_function (Documentation/fault-injection/) make them return
 * NULL in any context, softirq included, where failslab's task filter
 * cannot reach.  The callers count what a failure costs.
 */
#include <linux/error-injection.h>
#include <linux/skbuff.h>
#include <net/lynx.h>

/**
 * lynx_alloc_skb - allocate a frame buffer
 * @size:   bytes of head room and data
 * @gfp:    allocation flags
 * @fclone: allocate from the fast-clone cache (a segment kept for
 *          retransmission, whose clone goes out)
 *
 * Return: the skb, or NULL.
 */
noinline struct sk_buff *lynx_alloc_skb(unsigned int size, gfp_t gfp,
					bool fclone)
{
	return __alloc_skb(size, gfp, fclone ? SKB_ALLOC_FCLONE : 0,
			   NUMA_NO_NODE);
}

ALLOW_ERROR_INJECTION(lynx_alloc_skb, NULL);

/**
 * lynx_clone_skb - a clone of a frame, sharing its data
 * @skb: the frame
 * @gfp: allocation flags
 *
 * Return: the clone, or NULL.
 */
noinline struct sk_buff *lynx_clone_skb(struct sk_buff *skb, gfp_t gfp)
{
	return skb_clone(skb, gfp);
}

ALLOW_ERROR_INJECTION(lynx_clone_skb, NULL);
