// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the wire header.  lynx_hdr_push() puts a struct lynxhdr in front of
 * a payload; lynx_hdr_parse() validates a received header, drops the
 * Ethernet padding after the payload and leaves skb->data on the payload.
 * lynx_hdr_check() and lynx_hdr_csum_partial() are their parts a raw
 * socket's send (raw.c) uses on a header its user wrote.
 *
 * The checksum is the Internet checksum from the lynx header to the end of
 * the payload, its csum field counted as 0: what CHECKSUM_PARTIAL
 * describes.  lynx leaves it to the device, as TCP does: lynx devices
 * advertise NETIF_F_HW_CSUM, so on lynxlo and on a segment, where a frame
 * never leaves memory, nobody computes it and the receiver takes the frame
 * as verified; a lower device (lower.c) with checksum offload fills it in,
 * and validate_xmit_skb() computes it in software for one without (or for
 * a lynx device whose offload was turned off, ethtool -K DEV tx off), as
 * netem's corruption does before it damages a frame.  Taps (tcpdump) on
 * lynxlo and segment devices see the field still 0, as they see TCP's on
 * lo; raw sockets get copies with it filled in (raw.c, lynx_hdr_csum()).
 */
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <kunit/visibility.h>
#include <net/lynx.h>

/**
 * lynx_hdr_push - prepend a lynx header, its checksum left to the device
 * @skb:  the payload, from skb->data to its end
 * @info: header fields; @info->len and @info->csum_partial are ignored
 *        (the payload length is used)
 *
 * The caller guarantees LYNX_HLEN bytes of private, writable headroom (as
 * after skb_reserve() on a fresh skb) and a payload of at most 65535 bytes.
 * On return skb->data and the network header point at the lynx header, and
 * the frame is CHECKSUM_PARTIAL (lynx_hdr_csum_partial()).
 */
void lynx_hdr_push(struct sk_buff *skb, const struct lynx_hdr_info *info)
{
	unsigned int len = skb->len;
	struct lynxhdr *h;

	DEBUG_NET_WARN_ON_ONCE(len > U16_MAX);
	h = skb_push(skb, LYNX_HLEN);
	skb_reset_network_header(skb);
	h->version = LYNX_VERSION;
	h->type = info->type;
	h->flags = info->flags;
	h->reserved = 0;
	h->len = htons(len);
	h->csum = 0;
	h->src_node = htonl(info->src_node);
	h->dst_node = htonl(info->dst_node);
	h->src_port = htonl(info->src_port);
	h->dst_port = htonl(info->dst_port);
	h->seq = htonl(info->seq);
	h->ack = htonl(info->ack);
	h->window = htonl(info->window);
	lynx_hdr_csum_partial(skb);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_hdr_push);

/**
 * lynx_hdr_csum_partial - leave a frame's checksum to the device
 * @skb: the frame, from its lynx header (at skb->data, in the linear area
 *       and writable) to the end of its payload
 *
 * Zeroes the csum field and makes the frame CHECKSUM_PARTIAL over the
 * whole frame, from the lynx header on: whoever takes it off the machine
 * computes the sum (see the top of this file).
 */
void lynx_hdr_csum_partial(struct sk_buff *skb)
{
	struct lynxhdr *h = (struct lynxhdr *)skb->data;

	h->csum = 0;
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb);
	skb->csum_offset = offsetof(struct lynxhdr, csum);
}

/**
 * lynx_hdr_csum - fill in the checksum of a frame's lynx header
 * @skb: the frame, from its lynx header (at skb->data, writable) to the
 *       end of its payload
 *
 * What skb_checksum_help() writes for a CHECKSUM_PARTIAL frame, 0xffff for
 * a sum of 0 included: a raw socket's copy of a frame that never left
 * memory reads as it would have on a wire.  @skb->ip_summed is the
 * caller's.
 */
void lynx_hdr_csum(struct sk_buff *skb)
{
	struct lynxhdr *h = (struct lynxhdr *)skb->data;

	h->csum = 0;
	h->csum = csum_fold(skb_checksum(skb, 0, skb->len, 0)) ?:
		  CSUM_MANGLED_0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_hdr_csum);

/**
 * lynx_hdr_check - the checks of a header's own fields
 * @h: a lynx header, received or written by a raw socket's user
 *
 * The version, the type, the flags and the reserved byte; not the
 * lengths nor the checksum, which depend on the frame around it.
 *
 * Return: LYNX_PARSE_OK, LYNX_PARSE_VERSION or LYNX_PARSE_MALFORMED.
 */
enum lynx_parse_err lynx_hdr_check(const struct lynxhdr *h)
{
	if (h->version != LYNX_VERSION)
		return LYNX_PARSE_VERSION;
	if (!h->type || h->type > LYNX_T_MAX || (h->flags & ~LYNX_F_ALL) ||
	    h->reserved)
		return LYNX_PARSE_MALFORMED;
	return LYNX_PARSE_OK;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_hdr_check);

/* Whether @skb, data at its lynx header, is still CHECKSUM_PARTIAL over
 * the lynx checksum: built by lynx on this machine, it never left memory
 * (lynxlo, a segment, a veth), its csum field was never filled in and
 * there is nothing to check, as TCP's skb_csum_unnecessary() says of its
 * own.  Anything that takes a frame off the machine, or damages it
 * (netem), computes the sum first and leaves it CHECKSUM_NONE.
 */
static bool lynx_csum_partial(const struct sk_buff *skb)
{
	return skb->ip_summed == CHECKSUM_PARTIAL &&
	       skb_checksum_start_offset(skb) == 0 &&
	       skb->csum_offset == offsetof(struct lynxhdr, csum);
}

/* The header and payload, csum field included, must sum to 0xffff.
 * CHECKSUM_UNNECESSARY is not taken: no device parses lynx's checksum.
 */
static bool lynx_csum_ok(struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_COMPLETE && !csum_fold(skb->csum))
		return true;
	return !csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

/**
 * lynx_hdr_parse - validate and strip a received lynx header
 * @skb:  a frame whose skb->data is the lynx header (after eth_type_trans)
 * @info: filled with the decoded header on success
 *
 * Works on nonlinear and cloned skbs: it only pulls into the linear area
 * and trims through the helpers that unshare what they change.  A frame
 * still CHECKSUM_PARTIAL over its lynx header never left this machine's
 * memory: it is taken unsummed, and @info->csum_partial says so.
 *
 * Return: LYNX_PARSE_OK with skb->data on the payload, skb->len equal to
 * the header's len and the network header on the lynx header; otherwise
 * why the frame is refused (the skb is then still the caller's to free,
 * in an unspecified state).
 */
enum lynx_parse_err lynx_hdr_parse(struct sk_buff *skb,
				   struct lynx_hdr_info *info)
{
	const struct lynxhdr *h;
	enum lynx_parse_err err;
	unsigned int len;

	if (!pskb_may_pull(skb, LYNX_HLEN))
		return LYNX_PARSE_TRUNCATED;
	h = (const struct lynxhdr *)skb->data;
	err = lynx_hdr_check(h);
	if (err)
		return err;
	len = LYNX_HLEN + ntohs(h->len);
	if (skb->len < len)
		return LYNX_PARSE_TRUNCATED;
	/* Drop the Ethernet padding; may reallocate (fails only on ENOMEM). */
	if (pskb_trim_rcsum(skb, len))
		return LYNX_PARSE_TRUNCATED;
	info->csum_partial = lynx_csum_partial(skb);
	if (!info->csum_partial && !lynx_csum_ok(skb))
		return LYNX_PARSE_CSUM;

	h = (const struct lynxhdr *)skb->data;
	info->type = h->type;
	info->flags = h->flags;
	info->len = ntohs(h->len);
	info->src_node = ntohl(h->src_node);
	info->dst_node = ntohl(h->dst_node);
	info->src_port = ntohl(h->src_port);
	info->dst_port = ntohl(h->dst_port);
	info->seq = ntohl(h->seq);
	info->ack = ntohl(h->ack);
	info->window = ntohl(h->window);

	skb_reset_network_header(skb);
	skb_pull_rcsum(skb, LYNX_HLEN);
	skb_reset_transport_header(skb);
	return LYNX_PARSE_OK;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_hdr_parse);
