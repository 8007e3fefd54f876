// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: the wire header.  lynx_hdr_push() puts a struct lynxhdr in front of
 * a payload and checksums both; lynx_hdr_parse() validates a received
 * header, drops the Ethernet padding after the payload and leaves skb->data
 * on the payload.  lynx_hdr_check() and lynx_hdr_csum() are their parts a
 * raw socket's send (raw.c) uses on a header its user wrote.
 */
#include <linux/skbuff.h>
#include <net/checksum.h>
#include <kunit/visibility.h>
#include <net/lynx.h>

/**
 * lynx_hdr_push - prepend and checksum a lynx header
 * @skb:  the payload, from skb->data to its end
 * @info: header fields; @info->len is ignored (the payload length is used)
 *
 * The caller guarantees LYNX_HLEN bytes of private, writable headroom (as
 * after skb_reserve() on a fresh skb) and a payload of at most 65535 bytes.
 * On return skb->data and the network header point at the lynx header.
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
	lynx_hdr_csum(skb);
}
EXPORT_SYMBOL_IF_KUNIT(lynx_hdr_push);

/**
 * lynx_hdr_csum - fill in the checksum of a frame's lynx header
 * @skb: the frame, from its lynx header (at skb->data, writable) to the
 *       end of its payload
 */
void lynx_hdr_csum(struct sk_buff *skb)
{
	struct lynxhdr *h = (struct lynxhdr *)skb->data;

	h->csum = 0;
	h->csum = csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

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

/* The header and payload, csum field included, must sum to 0xffff. */
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
 * and trims through the helpers that unshare what they change.
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
	if (!lynx_csum_ok(skb))
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
