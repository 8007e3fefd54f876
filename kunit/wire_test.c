// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the lynx header.  Round trips through lynx_hdr_push() and
 * lynx_hdr_parse() on linear, nonlinear and cloned skbs, with the checksum
 * a device fills in (skb_checksum_help()) checked against a plain RFC 1071
 * implementation, unsummed frames (CHECKSUM_PARTIAL) taken as they are
 * only when the partial sum is lynx's, and every way a header can be
 * refused.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>
#include <linux/mm.h>
#include <net/checksum.h>
#include <net/lynx.h>

#define WT_HEADROOM	(ETH_HLEN + LYNX_HLEN + NET_IP_ALIGN)
#define WT_TAILROOM	64
#define WT_LEN		16	/* payload of the malformed-frame cases */
#define WT_OFF(field)	offsetof(struct lynxhdr, field)

static const struct lynx_hdr_info wt_info = {
	.type		= LYNX_T_STREAM,
	.flags		= LYNX_F_ACK | LYNX_F_EOR,
	.src_node	= 0x0a0b0c0d,
	.dst_node	= 0xfffffffe,
	.src_port	= 0x11223344,
	.dst_port	= 7,
	.seq		= 0xdeadbeef,
	.ack		= 0x01020304,
	.window		= 65536,
};

static u8 wt_byte(unsigned int i)
{
	return i * 7 + 3;
}

static void wt_fill(u8 *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		p[i] = wt_byte(i);
}

/* RFC 1071, independent of the kernel's csum helpers. */
static u16 wt_ref_csum(const u8 *p, unsigned int len)
{
	u32 sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* A frame as lynx_hdr_push() leaves it: skb->data on the lynx header,
 * the checksum left to the device (CHECKSUM_PARTIAL).
 */
static struct sk_buff *wt_frame_unsummed(struct kunit *test,
					 const struct lynx_hdr_info *info,
					 unsigned int len, bool frag_payload)
{
	struct sk_buff *skb;
	struct page *page;

	skb = alloc_skb(WT_HEADROOM + WT_TAILROOM + (frag_payload ? 0 : len),
			GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, WT_HEADROOM);
	if (frag_payload) {
		page = alloc_page(GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, page);
		wt_fill(page_address(page), len);
		skb_add_rx_frag(skb, 0, page, 0, len, PAGE_SIZE);
	} else {
		wt_fill(skb_put(skb, len), len);
	}
	lynx_hdr_push(skb, info);
	return skb;
}

/* A frame as a wire delivers it to lynx_hdr_parse(): its checksum filled
 * in as a device without offload does (CHECKSUM_NONE then).
 */
static struct sk_buff *wt_frame(struct kunit *test,
				const struct lynx_hdr_info *info,
				unsigned int len, bool frag_payload)
{
	struct sk_buff *skb = wt_frame_unsummed(test, info, len, frag_payload);

	KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	return skb;
}

/* The same bytes with only @linear of them in the head, the rest in a page. */
static struct sk_buff *wt_nonlinear(struct kunit *test, struct sk_buff *skb,
				    unsigned int linear)
{
	unsigned int len = skb->len;
	struct sk_buff *nskb;
	struct page *page;

	KUNIT_ASSERT_LE(test, len - linear, (unsigned int)PAGE_SIZE);
	nskb = alloc_skb(linear + WT_TAILROOM, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, nskb);
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, skb_put(nskb, linear),
					    linear), 0);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, linear, page_address(page),
					    len - linear), 0);
	skb_add_rx_frag(nskb, 0, page, 0, len - linear, PAGE_SIZE);
	consume_skb(skb);
	return nskb;
}

/* Whether the skb holds exactly the payload pattern of @len bytes. */
static bool wt_payload_ok(struct sk_buff *skb, unsigned int len)
{
	unsigned int i;
	u8 b;

	if (skb->len != len)
		return false;
	for (i = 0; i < len; i++)
		if (skb_copy_bits(skb, i, &b, 1) || b != wt_byte(i))
			return false;
	return true;
}

static void wt_expect_info(struct kunit *test, const struct lynx_hdr_info *a,
			   const struct lynx_hdr_info *b)
{
	KUNIT_EXPECT_EQ(test, a->type, b->type);
	KUNIT_EXPECT_EQ(test, a->flags, b->flags);
	KUNIT_EXPECT_EQ(test, a->src_node, b->src_node);
	KUNIT_EXPECT_EQ(test, a->dst_node, b->dst_node);
	KUNIT_EXPECT_EQ(test, a->src_port, b->src_port);
	KUNIT_EXPECT_EQ(test, a->dst_port, b->dst_port);
	KUNIT_EXPECT_EQ(test, a->seq, b->seq);
	KUNIT_EXPECT_EQ(test, a->ack, b->ack);
	KUNIT_EXPECT_EQ(test, a->window, b->window);
}

struct wt_rt_case {
	const char	*name;
	u8		type;
	u8		flags;
	unsigned int	len;
	bool		frag_payload;	/* push onto a payload in a page */
	int		linear;		/* >= 0: parse with this much linear */
};

static const struct wt_rt_case wt_rt_cases[] = {
	{ "dgram, empty",	LYNX_T_DGRAM, 0, 0, false, -1 },
	{ "dgram, 1 byte",	LYNX_T_DGRAM, 0, 1, false, -1 },
	{ "stream SYN, odd",	LYNX_T_STREAM, LYNX_F_SYN, 17, false, -1 },
	{ "seqpacket all flags", LYNX_T_SEQPACKET, LYNX_F_ALL, 1000, false, -1 },
	{ "push on paged payload", LYNX_T_DGRAM, 0, 1401, true, -1 },
	{ "parse, header in head", LYNX_T_DGRAM, 0, 1000, false, LYNX_HLEN },
	{ "parse, header split", LYNX_T_STREAM, LYNX_F_FIN, 333, false, 10 },
	{ "parse, all paged",	LYNX_T_DGRAM, 0, 2000, false, 0 },
};

static void wt_rt_desc(const struct wt_rt_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wt_rt, wt_rt_cases, wt_rt_desc);

static void lynx_wire_test_round_trip(struct kunit *test)
{
	const struct wt_rt_case *c = test->param_value;
	struct lynx_hdr_info in = wt_info, out;
	const struct lynxhdr *h;
	struct sk_buff *skb;
	u16 ref;
	u8 *raw;

	raw = kunit_kmalloc(test, LYNX_HLEN + c->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, raw);
	in.type = c->type;
	in.flags = c->flags;
	in.len = 12345;		/* ignored by push */
	in.csum_partial = true;	/* likewise */
	skb = wt_frame_unsummed(test, &in, c->len, c->frag_payload);
	KUNIT_EXPECT_EQ(test, skb->len, LYNX_HLEN + c->len);
	KUNIT_EXPECT_PTR_EQ(test, skb_network_header(skb), skb->data);

	/* The sum left to the device: from the header to the frame's end. */
	KUNIT_EXPECT_EQ(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb), 0);
	KUNIT_EXPECT_EQ(test, (size_t)skb->csum_offset, WT_OFF(csum));
	KUNIT_EXPECT_EQ(test, skb->data[WT_OFF(csum)], 0);
	KUNIT_EXPECT_EQ(test, skb->data[WT_OFF(csum) + 1], 0);
	/* What a device without checksum offload does to it. */
	KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);

	/* The wire image, field by field. */
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, raw, skb->len), 0);
	h = (const struct lynxhdr *)raw;
	KUNIT_EXPECT_EQ(test, h->version, LYNX_VERSION);
	KUNIT_EXPECT_EQ(test, h->type, c->type);
	KUNIT_EXPECT_EQ(test, h->flags, c->flags);
	KUNIT_EXPECT_EQ(test, h->reserved, 0);
	KUNIT_EXPECT_EQ(test, raw[4], c->len >> 8);
	KUNIT_EXPECT_EQ(test, raw[5], c->len & 0xff);
	KUNIT_EXPECT_EQ(test, raw[8], 0x0a);	/* src_node, big-endian */
	KUNIT_EXPECT_EQ(test, raw[11], 0x0d);
	KUNIT_EXPECT_EQ(test, ntohl(h->window), 65536U);
	ref = ntohs((__force __be16)h->csum);
	raw[6] = 0;
	raw[7] = 0;
	/* skb_checksum_help() writes a sum of 0 as 0xffff, its equal. */
	KUNIT_EXPECT_EQ(test, ref, wt_ref_csum(raw, skb->len) ?: 0xffff);

	if (c->linear >= 0) {
		skb = wt_nonlinear(test, skb, c->linear);
		KUNIT_EXPECT_TRUE(test, skb_is_nonlinear(skb));
	}
	memset(&out, 0xa5, sizeof(out));
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	wt_expect_info(test, &in, &out);
	KUNIT_EXPECT_EQ(test, out.len, c->len);
	KUNIT_EXPECT_FALSE(test, out.csum_partial);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(skb, c->len));
	KUNIT_EXPECT_EQ(test, skb_network_offset(skb), -LYNX_HLEN);
	kfree_skb(skb);
}

struct wt_bad_case {
	const char		*name;
	int			off;	/* byte to flip, -1: none */
	u8			xor;
	bool			refix;	/* recompute the checksum after */
	unsigned int		trim;	/* bytes cut off the end first */
	enum lynx_parse_err	want;
};

static const struct wt_bad_case wt_bad_cases[] = {
	{ "intact", -1, 0, false, 0, LYNX_PARSE_OK },
	{ "shorter than header", -1, 0, false, WT_LEN + LYNX_HLEN - 10,
	  LYNX_PARSE_TRUNCATED },
	{ "header only", -1, 0, false, WT_LEN, LYNX_PARSE_TRUNCATED },
	{ "payload 1 short", -1, 0, true, 1, LYNX_PARSE_TRUNCATED },
	{ "len 1 too big", WT_OFF(len) + 1, 0x01, true, 0,
	  LYNX_PARSE_TRUNCATED },
	{ "len 65535", WT_OFF(len), 0xff, true, 0, LYNX_PARSE_TRUNCATED },
	{ "version 0", WT_OFF(version), 0x01, true, 0, LYNX_PARSE_VERSION },
	{ "version 2", WT_OFF(version), 0x03, true, 0, LYNX_PARSE_VERSION },
	{ "version 255", WT_OFF(version), 0xfe, true, 0, LYNX_PARSE_VERSION },
	{ "type 0", WT_OFF(type), LYNX_T_STREAM, true, 0,
	  LYNX_PARSE_MALFORMED },
	{ "type 4", WT_OFF(type), LYNX_T_STREAM ^ 4, true, 0,
	  LYNX_PARSE_MALFORMED },
	{ "type 255", WT_OFF(type), LYNX_T_STREAM ^ 0xff, true, 0,
	  LYNX_PARSE_MALFORMED },
	{ "flag 0x40", WT_OFF(flags), 0x40, true, 0, LYNX_PARSE_MALFORMED },
	{ "flag 0x80", WT_OFF(flags), 0x80, true, 0, LYNX_PARSE_MALFORMED },
	{ "reserved 0x01", WT_OFF(reserved), 0x01, true, 0,
	  LYNX_PARSE_MALFORMED },
	{ "reserved 0x80", WT_OFF(reserved), 0x80, true, 0,
	  LYNX_PARSE_MALFORMED },
	{ "csum: bit in header", WT_OFF(seq) + 3, 0x01, false, 0,
	  LYNX_PARSE_CSUM },
	{ "csum: bit in node", WT_OFF(dst_node), 0x80, false, 0,
	  LYNX_PARSE_CSUM },
	{ "csum: bit in csum", WT_OFF(csum) + 1, 0x10, false, 0,
	  LYNX_PARSE_CSUM },
	{ "csum: bit in payload", LYNX_HLEN + 5, 0x80, false, 0,
	  LYNX_PARSE_CSUM },
	{ "csum: last payload byte", LYNX_HLEN + WT_LEN - 1, 0x01, false, 0,
	  LYNX_PARSE_CSUM },
};

static void wt_bad_desc(const struct wt_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(wt_bad, wt_bad_cases, wt_bad_desc);

static void wt_refix_csum(struct sk_buff *skb)
{
	struct lynxhdr *h = (struct lynxhdr *)skb->data;

	h->csum = 0;
	h->csum = csum_fold(skb_checksum(skb, 0, skb->len, 0));
}

static void lynx_wire_test_malformed(struct kunit *test)
{
	const struct wt_bad_case *c = test->param_value;
	struct lynx_hdr_info out;
	struct sk_buff *skb;

	skb = wt_frame(test, &wt_info, WT_LEN, false);
	skb_trim(skb, skb->len - c->trim);
	if (c->off >= 0)
		skb->data[c->off] ^= c->xor;
	if (c->refix)
		wt_refix_csum(skb);
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), c->want);
	kfree_skb(skb);
}

/* Ethernet pads short frames: the padding is neither payload nor summed. */
static void lynx_wire_test_padding(struct kunit *test)
{
	struct lynx_hdr_info out;
	struct sk_buff *skb;

	skb = wt_frame(test, &wt_info, 5, false);
	memset(skb_put(skb, 19), 0xff, 19);
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	KUNIT_EXPECT_EQ(test, out.len, 5);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(skb, 5));
	kfree_skb(skb);

	/* Padding in a page, header and payload in the head. */
	skb = wt_frame(test, &wt_info, 5, false);
	memset(skb_put(skb, 19), 0, 19);
	skb = wt_nonlinear(test, skb, LYNX_HLEN + 5);
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(skb, 5));
	KUNIT_EXPECT_FALSE(test, skb_is_nonlinear(skb));
	kfree_skb(skb);
}

/* Parsing a clone (trim included) leaves the original's bytes alone. */
static void lynx_wire_test_clone(struct kunit *test)
{
	struct sk_buff *skb, *clone;
	struct lynx_hdr_info out;
	u8 before[LYNX_HLEN + 40], after[LYNX_HLEN + 40];

	skb = wt_frame(test, &wt_info, 20, false);
	memset(skb_put(skb, 20), 0x5a, 20);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, before, skb->len), 0);
	clone = skb_clone(skb, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, clone);
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(clone, &out), LYNX_PARSE_OK);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(clone, 20));
	KUNIT_EXPECT_EQ(test, skb->len, LYNX_HLEN + 40);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, after, skb->len), 0);
	KUNIT_EXPECT_EQ(test, memcmp(before, after, sizeof(before)), 0);
	kfree_skb(clone);
	kfree_skb(skb);
}

/* A CHECKSUM_COMPLETE sum is used when right and not trusted when wrong. */
static void lynx_wire_test_csum_complete(struct kunit *test)
{
	struct lynx_hdr_info out;
	struct sk_buff *skb;

	/* Right sum, over the padding too: trimming must adjust it. */
	skb = wt_frame(test, &wt_info, 9, false);
	memset(skb_put(skb, 11), 0x33, 11);
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	kfree_skb(skb);

	/* Wrong sum on a good frame: recomputed, accepted. */
	skb = wt_frame(test, &wt_info, 9, false);
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = (__force __wsum)0x1234;
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	kfree_skb(skb);

	/* A sum that matches a corrupted frame does not make it good. */
	skb = wt_frame(test, &wt_info, 9, false);
	skb->data[LYNX_HLEN] ^= 0x04;
	skb->ip_summed = CHECKSUM_COMPLETE;
	skb->csum = skb_checksum(skb, 0, skb->len, 0);
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_CSUM);
	kfree_skb(skb);
}

/* An unsummed frame (lynxlo, a segment) is taken as it is, its csum field
 * still 0, only when the partial sum is lynx's own; a frame summed and
 * then damaged (netem's corrupt sums it first) is caught.
 */
static void lynx_wire_test_csum_partial(struct kunit *test)
{
	struct lynx_hdr_info out;
	struct sk_buff *skb;

	skb = wt_frame_unsummed(test, &wt_info, WT_LEN, false);
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_OK);
	KUNIT_EXPECT_TRUE(test, out.csum_partial);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(skb, WT_LEN));
	KUNIT_EXPECT_NE(test, (int)skb->ip_summed, CHECKSUM_PARTIAL);
	kfree_skb(skb);

	/* Partial, but not from the lynx header: summed, found wrong. */
	skb = wt_frame_unsummed(test, &wt_info, WT_LEN, false);
	skb->csum_start += 4;
	skb->csum_offset -= 4;
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_CSUM);
	kfree_skb(skb);

	/* Partial at another field. */
	skb = wt_frame_unsummed(test, &wt_info, WT_LEN, false);
	skb->csum_offset = WT_OFF(seq);
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_CSUM);
	kfree_skb(skb);

	/* Not even partial: CHECKSUM_UNNECESSARY is not lynx's to trust. */
	skb = wt_frame_unsummed(test, &wt_info, WT_LEN, false);
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_CSUM);
	kfree_skb(skb);

	/* As netem corrupts: summed (CHECKSUM_NONE), then a bit flipped. */
	skb = wt_frame(test, &wt_info, WT_LEN, false);
	skb->data[LYNX_HLEN + 3] ^= 0x20;
	KUNIT_EXPECT_EQ(test, lynx_hdr_parse(skb, &out), LYNX_PARSE_CSUM);
	kfree_skb(skb);
}

/* lynx_hdr_csum() writes what skb_checksum_help() would. */
static void lynx_wire_test_csum_fill(struct kunit *test)
{
	struct sk_buff *a, *b;

	a = wt_frame(test, &wt_info, 33, false);
	b = wt_frame_unsummed(test, &wt_info, 33, false);
	lynx_hdr_csum(b);
	KUNIT_ASSERT_EQ(test, a->len, b->len);
	KUNIT_EXPECT_EQ(test, memcmp(a->data, b->data, a->len), 0);
	kfree_skb(a);
	kfree_skb(b);
}

/* A segment sent as lynx_conn_xmit_skb() sends it, by a device without
 * checksum offload: a clone of the header-released payload gets its
 * header and checksum in place, in the shared head; the queued payload is
 * never written, and a retransmission, a private copy while the first
 * clone is in flight, carries its own header and sum.
 */
static void lynx_wire_test_clone_summed(struct kunit *test)
{
	struct lynx_hdr_info in = wt_info, out;
	struct sk_buff *seg, *first, *again;
	u8 before[64];

	seg = alloc_skb(WT_HEADROOM + sizeof(before), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seg);
	skb_reserve(seg, WT_HEADROOM);
	wt_fill(skb_put(seg, sizeof(before)), sizeof(before));
	memcpy(before, seg->data, sizeof(before));

	__skb_header_release(seg);
	first = skb_clone(seg, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, first);
	lynx_hdr_push(first, &in);
	KUNIT_EXPECT_TRUE(test, skb_clone_writable(first, LYNX_HLEN));
	KUNIT_ASSERT_EQ(test, skb_checksum_help(first), 0);
	KUNIT_EXPECT_PTR_EQ(test, first->head, seg->head);

	/* Sent again while the first is in flight: a private copy. */
	KUNIT_ASSERT_TRUE(test, skb_cloned(seg));
	again = pskb_copy(seg, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, again);
	in.seq++;
	in.window = 7;
	lynx_hdr_push(again, &in);
	KUNIT_ASSERT_EQ(test, skb_checksum_help(again), 0);

	KUNIT_EXPECT_EQ(test, memcmp(before, seg->data, sizeof(before)), 0);
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(first, &out), LYNX_PARSE_OK);
	KUNIT_EXPECT_FALSE(test, out.csum_partial);
	wt_expect_info(test, &wt_info, &out);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(first, sizeof(before)));
	KUNIT_ASSERT_EQ(test, lynx_hdr_parse(again, &out), LYNX_PARSE_OK);
	wt_expect_info(test, &in, &out);
	KUNIT_EXPECT_TRUE(test, wt_payload_ok(again, sizeof(before)));
	kfree_skb(first);
	kfree_skb(again);
	kfree_skb(seg);
}

static struct kunit_case wt_cases[] = {
	KUNIT_CASE_PARAM(lynx_wire_test_round_trip, wt_rt_gen_params),
	KUNIT_CASE_PARAM(lynx_wire_test_malformed, wt_bad_gen_params),
	KUNIT_CASE(lynx_wire_test_padding),
	KUNIT_CASE(lynx_wire_test_clone),
	KUNIT_CASE(lynx_wire_test_csum_complete),
	KUNIT_CASE(lynx_wire_test_csum_partial),
	KUNIT_CASE(lynx_wire_test_csum_fill),
	KUNIT_CASE(lynx_wire_test_clone_summed),
	{}
};

static struct kunit_suite wt_suite = {
	.name = "lynx_wire",
	.test_cases = wt_cases,
};

kunit_test_suite(wt_suite);
