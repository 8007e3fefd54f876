// SPDX-License-Identifier: GPL-2.0
/*
 * Wire fuzzer: hostile frames against live lynx traffic.
 *
 * Two namespaces, A and B, each with a lynx device (a0, b0) on the shared
 * segment.  Traffic threads keep stream and seqpacket connections busy
 * (A to itself over lynxlo, A to B over the segment), reconnecting when
 * one is reset or stalls, and exchange datagrams; the listeners stay up.
 * One thread sniffs the real segments through AF_PACKET (ETH_P_LYNX on
 * A's lynxlo and on a0) and injects hostile frames on lynxlo, a0 and b0:
 *
 *   random   random header and payload, valid or invalid checksum
 *   edges    every field at one of its edge values
 *   mutate   a copy of a real segment: seq/ack in and just outside the
 *            window, any flag combination, zero and huge windows, a len
 *            that disagrees with the frame, truncated, ports swapped, an
 *            ACK with SACK blocks in and around the window
 *   overlap  a real data segment again, shifted, with different bytes
 *   synflood SYNs to the listeners from random nodes, ports and MACs
 *   replay   a real segment unchanged (a duplicate)
 *
 * The generator is seeded (printed; "-s SEED -d SECONDS" or LYNX_FUZZ_SEED
 * and LYNX_FUZZ_SECONDS rerun it): its choices repeat, the real segments
 * it mutates depend on the timing of the traffic.  After the run the
 * invariants of lynx_fuzz_common.h are checked and the figures printed.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "lynx_fuzz_common.h"
#include "lynx_frame.h"

#define F_SYN	LYNX_F_SYN
#define F_ACK	LYNX_F_ACK
#define F_FIN	LYNX_F_FIN
#define F_RST	LYNX_F_RST
#define F_EOR	LYNX_F_EOR
#define F_SACK	LYNX_F_SACK

/* Listener ports: stream and seqpacket in A (lynxlo) and in B (segment). */
#define PORT_STREAM	7001
#define PORT_SEQPACKET	7002
#define PORT_DGRAM	7003
#define PORT_FRESH	7100
/* Listeners that only SYN floods reach (a few go to the traffic's too). */
#define PORT_FLOOD	7200

/* A traffic thread's round (send, receive) takes at least this long. */
#define TRAFFIC_ROUND_MS	10


#define FRAME_MAX	(ETH_HLEN + 65535)

/* The lynx checksum (module/wire.c) over the header and body bytes. */
static uint16_t lynx_csum(struct lynx_wire_hdr *h, const uint8_t *body,
			  size_t blen)
{
	h->csum = 0;
	return lynx_wire_csum(h, body, blen);
}

/* ---- the setting ------------------------------------------------------- */

enum { IF_LO, IF_A0, IF_B0, IF_N };

struct iface {
	const char *name;
	int pkt;		/* AF_PACKET, ETH_P_LYNX, bound to the device */
	int ifindex;
	int mtu;
	uint8_t mac[ETH_ALEN];
	uint8_t to[ETH_ALEN];	/* where its frames go: the peer's MAC */
	uint32_t node;		/* the namespace's own node */
	uint32_t peer;		/* the node at the other end */
};

static struct iface ifs[IF_N] = {
	[IF_LO] = { .name = "lynxlo" },
	[IF_A0] = { .name = "a0" },
	[IF_B0] = { .name = "b0" },
};

static int ns_init, ns_a, ns_b;
static uint32_t node_a, node_b;
static uint64_t seed;
static atomic_int stop_traffic, stop_inject;

/* The figures. */
enum {
	ST_RANDOM, ST_EDGES, ST_MUTATE, ST_OVERLAP, ST_SYNFLOOD, ST_REPLAY,
	ST_N
};
static const char *const st_names[ST_N] = {
	"random", "edges", "mutate", "overlap", "synflood", "replay",
};
static unsigned long injected[ST_N], inject_err, bad_csum, sniffed;
static atomic_ulong connects, connect_fail, resets, stalls, bytes_moved,
	dgrams;

static int dev_info(struct iface *f)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ret;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", f->name);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	if (!ret)
		memcpy(f->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (!ret)
		ret = ioctl(fd, SIOCGIFMTU, &ifr);
	f->mtu = ifr.ifr_mtu;
	close(fd);
	f->ifindex = if_nametoindex(f->name);
	return ret || !f->ifindex ? -1 : 0;
}

/* An AF_PACKET socket on f, in the calling thread's namespace. */
static int open_pkt(struct iface *f)
{
	struct sockaddr_ll ll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_LYNX),
	};

	if (dev_info(f))
		return -1;
	ll.sll_ifindex = f->ifindex;
	f->pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
			htons(ETH_P_LYNX));
	if (f->pkt < 0)
		return -1;
	return bind(f->pkt, (struct sockaddr *)&ll, sizeof(ll));
}

/* ---- traffic ----------------------------------------------------------- */

struct conn_job {
	int ns;			/* the clients' namespace */
	int listener;		/* in the server's namespace */
	int type;
	uint32_t node;		/* where the listener is */
	uint32_t port;
	int id;
};

static int set_linger0(int fd)
{
	struct linger l = { 1, 0 };

	return setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
}

/* A connected pair, both non-blocking; 0 or -1 (nothing open). */
static int conn_open(struct conn_job *j, int *c, int *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	*s = -1;
	*c = socket(lynx_af(), j->type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*c < 0)
		return -1;
	if (lynx_connect(*c, j->node, j->port) && errno != EINPROGRESS)
		goto fail;
	if (!(lynx_poll1(j->listener, POLLIN, 3000) & POLLIN))
		goto fail;
	*s = accept4(j->listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (*s < 0)
		goto fail;
	if (!(lynx_poll1(*c, POLLOUT, 3000) & POLLOUT) ||
	    getsockopt(*c, SOL_SOCKET, SO_ERROR, &err, &len) || err)
		goto fail;
	connects++;
	return 0;
fail:
	connect_fail++;
	if (*s >= 0)
		close(*s);
	close(*c);
	*c = *s = -1;
	return -1;
}

/* Ends a pair as an application might: FIN, RST (linger 0), or shutdown. */
static void conn_close(struct fz_rng *r, int c, int s)
{
	switch (fz_below(r, 4)) {
	case 0:
		set_linger0(c);
		break;
	case 1:
		shutdown(c, SHUT_WR);
		break;
	case 2:
		set_linger0(s);
		break;
	}
	close(c);
	close(s);
}

/*
 * Keeps a connection of j->type busy in both directions, reconnecting
 * when it is reset or stalls (the injected frames may legitimately do
 * either), and now and then ending it on purpose.
 */
static void *conn_thread(void *arg)
{
	struct conn_job *j = arg;
	struct fz_rng r = fz_rng_for(seed, 100 + j->id);
	static __thread uint8_t buf[65536];
	int c = -1, s = -1, rounds = 0, from, to, k;
	uint64_t last = 0, t;
	size_t len;
	ssize_t n;

	if (fz_netns_enter(j->ns))
		return NULL;
	while (!stop_traffic) {
		if (c < 0) {
			if (conn_open(j, &c, &s))
				continue;
			rounds = 0;
			last = fz_now_ms();
		}
		t = fz_now_ms();
		from = fz_one_in(&r, 3) ? s : c;
		to = from == c ? s : c;
		len = j->type == SOCK_SEQPACKET ? 1 + fz_below(&r, 2048) :
						  1 + fz_below(&r, 8192);
		fz_fill(&r, buf, len > 64 ? 64 : len);
		n = send(from, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL |
			 (j->type == SOCK_SEQPACKET ? MSG_EOR : 0));
		if (n < 0 && errno != EAGAIN && errno != ENOBUFS)
			goto reset;
		lynx_poll1(to, POLLIN, 20);
		for (k = 0; k < 2; k++) {
			int fd = k ? c : s;

			n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
			if (n > 0) {
				bytes_moved += n;
				last = fz_now_ms();
			} else if (n == 0 ||
				   (errno != EAGAIN && errno != EINTR)) {
				goto reset;
			}
		}
		if (fz_now_ms() - last > 3000) {
			stalls++;
			conn_close(&r, c, s);
			c = s = -1;
			continue;
		}
		if (++rounds > 20 + (int)fz_below(&r, 200)) {
			conn_close(&r, c, s);
			c = s = -1;
		}
		/*
		 * Pacing, at most one round per TRAFFIC_ROUND_MS: the traffic
		 * is there to be attacked, not to take the CPUs from the
		 * injector.
		 */
		t = fz_now_ms() - t;
		if (t < TRAFFIC_ROUND_MS)
			usleep((TRAFFIC_ROUND_MS - t) * 1000);
		continue;
reset:
		resets++;
		close(c);
		close(s);
		c = s = -1;
	}
	if (c >= 0)
		conn_close(&r, c, s);
	return NULL;
}

struct dgram_job {
	int a, b;		/* bound in A (PORT_DGRAM), in B (PORT_DGRAM) */
};

/* Datagrams A -> A (lynxlo), A -> B and back (the segment). */
static void *dgram_thread(void *arg)
{
	struct dgram_job *j = arg;
	struct fz_rng r = fz_rng_for(seed, 50);
	uint8_t buf[2048];
	struct sockaddr_lynx from;
	socklen_t alen;
	uint64_t t;
	size_t len;
	ssize_t n;
	int k;

	while (!stop_traffic) {
		t = fz_now_ms();
		len = fz_below(&r, 1400);
		fz_fill(&r, buf, len);
		lynx_sendto(j->a, buf, len, MSG_DONTWAIT, LYNX_NODE_LOCAL,
			    PORT_DGRAM);
		lynx_sendto(j->a, buf, len, MSG_DONTWAIT, node_b, PORT_DGRAM);
		lynx_poll1(j->b, POLLIN, 20);
		for (k = 0; k < 8; k++) {
			alen = sizeof(from);
			n = recvfrom(j->b, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&from, &alen);
			if (n < 0)
				break;
			dgrams++;
			sendto(j->b, buf, n, MSG_DONTWAIT,
			       (struct sockaddr *)&from, alen);
		}
		for (k = 0; k < 8; k++) {
			if (recv(j->a, buf, sizeof(buf), MSG_DONTWAIT) < 0)
				break;
			dgrams++;
		}
		/* Paced as the connections are (conn_thread). */
		t = fz_now_ms() - t;
		if (t < TRAFFIC_ROUND_MS)
			usleep((TRAFFIC_ROUND_MS - t) * 1000);
	}
	return NULL;
}

/* ---- sniffing ------------------------------------------------------------ */

#define RING	64

struct captured {
	int ifc;		/* where to inject a copy to reach its target */
	size_t len;
	uint8_t *f;
};

static struct captured ring[RING];
static unsigned int ring_n, ring_w;

/* Keeps the lynx frames the sniffers see (a ring of the latest). */
static void sniff(void)
{
	static uint8_t buf[FRAME_MAX];
	struct sockaddr_ll ll;
	socklen_t alen;
	struct captured *c;
	int i, k;
	ssize_t n;

	for (i = IF_LO; i <= IF_A0; i++) {
		for (k = 0; k < 8; k++) {
			alen = sizeof(ll);
			n = recvfrom(ifs[i].pkt, buf, sizeof(buf), MSG_DONTWAIT,
				     (struct sockaddr *)&ll, &alen);
			if (n < (ssize_t)(ETH_HLEN + sizeof(struct lynx_wire_hdr)))
				break;
			sniffed++;
			c = &ring[ring_w++ % RING];
			if (ring_n < RING)
				ring_n++;
			/*
			 * On a0: what A sent goes on to B (inject on a0), what
			 * A received came from B (inject on b0 to reach A).
			 */
			c->ifc = i == IF_LO ? IF_LO :
				 ll.sll_pkttype == PACKET_OUTGOING ? IF_A0 :
								     IF_B0;
			c->len = n;
			memcpy(c->f, buf, n);
		}
	}
}

/* ---- hostile frames ------------------------------------------------------ */

static const uint32_t edge32[] = {
	0, 1, 2, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff,
	0xffff, 0x10000,
};

static uint32_t pick_node(struct fz_rng *r, const struct iface *f)
{
	switch (fz_below(r, 6)) {
	case 0:
		return FZ_PICK(r, edge32);
	case 1:
		return fz_u32(r);
	case 2:
		return f->peer;
	default:
		return f->node;
	}
}

static uint32_t pick_port(struct fz_rng *r)
{
	static const uint32_t ports[] = {
		PORT_STREAM, PORT_SEQPACKET, PORT_DGRAM, PORT_FRESH, PORT_FLOOD,
		0, 1, 0xffffffff,
	};

	return fz_one_in(r, 4) ? fz_u32(r) : FZ_PICK(r, ports);
}

/* A header with every field from its edges (or random). */
static void edge_header(struct fz_rng *r, struct lynx_wire_hdr *h,
			const struct iface *f, size_t plen)
{
	static const uint8_t versions[] = { 1, 1, 1, 1, 0, 2, 0xff };
	static const uint8_t types[] = { 1, 2, 3, 1, 2, 3, 0, 4, 0xff };
	static const uint16_t lens[] = { 0, 1, 0xffff, 0x7fff };
	static const uint8_t flags[] = { 0x22, 0x40, 0x80, 0xff, 0x3f };

	h->version = FZ_PICK(r, versions);
	h->type = FZ_PICK(r, types);
	h->flags = fz_one_in(r, 8) ? FZ_PICK(r, flags) : fz_below(r, 64);
	h->reserved = fz_one_in(r, 8) ? 1 + fz_below(r, 255) : 0;
	h->len = htons(fz_one_in(r, 4) ? FZ_PICK(r, lens) : plen);
	h->src_node = htonl(fz_one_in(r, 2) ? f->peer : pick_node(r, f));
	h->dst_node = htonl(fz_one_in(r, 4) ? pick_node(r, f) : f->node);
	h->src_port = htonl(pick_port(r));
	h->dst_port = htonl(pick_port(r));
	h->seq = htonl(fz_one_in(r, 2) ? FZ_PICK(r, edge32) : fz_u32(r));
	h->ack = htonl(fz_one_in(r, 2) ? FZ_PICK(r, edge32) : fz_u32(r));
	h->window = htonl(fz_one_in(r, 2) ? FZ_PICK(r, edge32) : fz_u32(r));
}

/* A delta to a sequence number: in, at and just past window edges. */
static uint32_t seq_delta(struct fz_rng *r, uint32_t win, uint32_t len)
{
	const uint32_t d[] = {
		0, 1, -1u, win, win - 1, win + 1, -win, -win - 1, len,
		len - 1, -len, 0x80000000, 0x7fffffff, 65536, -65536u,
	};

	return fz_one_in(r, 8) ? fz_u32(r) : FZ_PICK(r, d);
}

/*
 * Builds one hostile frame into fr; returns its length (and the interface
 * in *ifc), 0 when the strategy has nothing to work on yet.
 */
static size_t make_frame(struct fz_rng *r, int st, uint8_t *fr, int *ifc)
{
	struct ethhdr *eth = (struct ethhdr *)fr;
	struct lynx_wire_hdr *h = (struct lynx_wire_hdr *)(fr + ETH_HLEN);
	uint8_t *body = fr + ETH_HLEN + sizeof(*h);
	const struct iface *f;
	struct captured *c;
	size_t plen, flen, maxp, cut;
	uint32_t win, x, b;
	int m, nm, csum_ok = !fz_one_in(r, 10);

	*ifc = fz_below(r, IF_N);
	f = &ifs[*ifc];
	maxp = f->mtu - sizeof(*h);
	if (maxp > 1500)
		maxp = fz_one_in(r, 16) ? maxp : 1500;

	switch (st) {
	case ST_RANDOM:
		plen = fz_below(r, maxp + 1);
		fz_fill(r, h, sizeof(*h));
		if (fz_one_in(r, 2)) {	/* get past the version/type check */
			h->version = 1;
			h->type = 1 + fz_below(r, 3);
			h->flags &= 0x3f;
			h->reserved = 0;
			h->len = htons(plen);
			h->dst_node = htonl(f->node);
		}
		fz_fill(r, body, plen);
		break;
	case ST_EDGES:
		plen = fz_one_in(r, 2) ? 0 : fz_below(r, maxp + 1);
		edge_header(r, h, f, plen);
		fz_fill(r, body, plen);
		break;
	case ST_SYNFLOOD:
		plen = 0;
		memset(h, 0, sizeof(*h));
		h->version = 1;
		h->type = fz_one_in(r, 2) ? LYNX_T_STREAM : LYNX_T_SEQPACKET;
		h->flags = F_SYN | (fz_one_in(r, 8) ? F_ACK : 0);
		h->src_node = htonl(fz_one_in(r, 8) ? f->peer : fz_u32(r));
		h->dst_node = htonl(f->node);
		h->src_port = htonl(fz_u32(r));
		h->dst_port = htonl(fz_one_in(r, 16) ?
				    (h->type == LYNX_T_STREAM ? PORT_STREAM :
								PORT_SEQPACKET) :
				    PORT_FLOOD);
		h->seq = htonl(fz_u32(r));
		h->window = htonl(fz_one_in(r, 4) ? 0 : 65535);
		break;
	default:	/* a copy of a real segment */
		if (!ring_n)
			return 0;
		c = &ring[fz_below(r, ring_n)];
		memcpy(fr, c->f, c->len);
		*ifc = c->ifc;
		f = &ifs[*ifc];
		plen = c->len - ETH_HLEN - sizeof(*h);
		if (plen > ntohs(h->len))
			plen = ntohs(h->len);	/* Ethernet padding */
		win = ntohl(h->window);
		if (st == ST_REPLAY)
			return c->len;
		if (st == ST_OVERLAP) {
			if (!plen)
				return 0;
			x = fz_below(r, plen);
			h->seq = htonl(ntohl(h->seq) + (fz_one_in(r, 2) ? x : -x));
			plen = 1 + fz_below(r, plen);
			fz_fill(r, body, plen);
			h->len = htons(plen);
			break;
		}
		nm = 1 + fz_below(r, 3);
		for (m = 0; m < nm; m++) {
			switch (fz_below(r, 10)) {
			case 0:
				h->seq = htonl(ntohl(h->seq) +
					       seq_delta(r, win, plen));
				break;
			case 1:
				h->ack = htonl(ntohl(h->ack) +
					       seq_delta(r, win, plen));
				break;
			case 2:
				h->flags = fz_below(r, 64);
				break;
			case 3:
				h->window = htonl(FZ_PICK(r, edge32));
				break;
			case 4:	/* len disagrees with the frame */
				h->len = htons(ntohs(h->len) +
					       (fz_one_in(r, 2) ? 1 : -1) *
					       (1 + fz_below(r, 64)));
				break;
			case 5:	/* ports and nodes swapped: a reflection */
				x = h->src_port;
				h->src_port = h->dst_port;
				h->dst_port = x;
				if (fz_one_in(r, 2)) {
					uint8_t mac[ETH_ALEN];

					memcpy(mac, eth->h_dest, ETH_ALEN);
					memcpy(eth->h_dest, eth->h_source,
					       ETH_ALEN);
					memcpy(eth->h_source, mac, ETH_ALEN);
					x = h->src_node;
					h->src_node = h->dst_node;
					h->dst_node = x;
					if (*ifc != IF_LO)
						*ifc = *ifc == IF_A0 ? IF_B0 :
								       IF_A0;
				}
				break;
			case 6:	/* payload bytes flipped */
				if (plen)
					body[fz_below(r, plen)] ^= 1 +
						fz_below(r, 255);
				break;
			case 7:	/* the type of the other connection kind */
				h->type = 1 + fz_below(r, 3);
				break;
			case 8:	/* an ACK with SACK blocks about its ack */
				x = 1 + fz_below(r, LYNX_SACK_MAX);
				for (b = 0; b < x; b++) {
					uint32_t s = ntohl(h->ack) +
						     seq_delta(r, win, plen);
					uint32_t e = s + (fz_one_in(r, 8) ?
							  fz_u32(r) :
							  fz_below(r, 65536));

					s = htonl(s);
					e = htonl(e);
					memcpy(body + 8 * b, &s, 4);
					memcpy(body + 8 * b + 4, &e, 4);
				}
				plen = 8 * x;
				h->len = htons(plen);
				h->flags = F_ACK | F_SACK;
				break;
			default:
				h->seq = htonl(ntohl(h->seq) +
					       seq_delta(r, win, plen));
				h->flags = fz_below(r, 64);
				break;
			}
		}
		f = &ifs[*ifc];
		break;
	}

	flen = ETH_HLEN + sizeof(*h) + plen;
	if (csum_ok)
		h->csum = lynx_csum(h, body, plen);
	else
		h->csum = lynx_csum(h, body, plen) ^ htons(1 + fz_below(r, 0xfffe));
	if (!csum_ok)
		bad_csum++;
	if (fz_one_in(r, 12)) {		/* truncated frame */
		cut = ETH_HLEN + fz_below(r, flen - ETH_HLEN);
		flen = cut;
	}
	if (st == ST_RANDOM || st == ST_EDGES || st == ST_SYNFLOOD) {
		memcpy(eth->h_dest, f->to, ETH_ALEN);
		memcpy(eth->h_source, f->mac, ETH_ALEN);
		eth->h_proto = htons(ETH_P_LYNX);
	}
	if (st == ST_SYNFLOOD || fz_one_in(r, 32)) {
		fz_fill(r, eth->h_source, ETH_ALEN);
		eth->h_source[0] &= 0xfe;	/* unicast */
	}
	if (fz_one_in(r, 32))
		memset(eth->h_dest, 0xff, ETH_ALEN);
	if (flen < ETH_HLEN)
		flen = ETH_HLEN;
	if (flen > ETH_HLEN + (size_t)f->mtu)
		flen = ETH_HLEN + f->mtu;
	return flen;
}

/* Frames go out in batches, one sendmmsg() per device. */
#define BATCH	16

static uint8_t *batch[IF_N][BATCH];
static size_t batch_len[IF_N][BATCH];
static int batch_st[IF_N][BATCH], batch_n[IF_N];

static void flush(int ifc)
{
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	int i, n, sent = 0;

	memset(mm, 0, sizeof(mm));
	for (i = 0; i < batch_n[ifc]; i++) {
		iov[i].iov_base = batch[ifc][i];
		iov[i].iov_len = batch_len[ifc][i];
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	while (sent < batch_n[ifc]) {
		/* No address: the socket is bound to the device. */
		n = sendmmsg(ifs[ifc].pkt, mm + sent, batch_n[ifc] - sent, 0);
		if (n > 0) {
			for (i = sent; i < sent + n; i++)
				injected[batch_st[ifc][i]]++;
			sent += n;
			continue;
		}
		if (errno == ENOBUFS || errno == EAGAIN) {
			lynx_poll1(ifs[ifc].pkt, POLLOUT, 10);
			break;		/* the device's queue is full: drop */
		}
		inject_err++;
		sent++;			/* refused: skip that frame */
	}
	batch_n[ifc] = 0;
}

static void inject_run(uint64_t deadline)
{
	static const int weights[ST_N] = { 2, 3, 8, 2, 2, 1 };
	struct fz_rng r = fz_rng_for(seed, 1);
	int i, st, ifc, total = 0;
	unsigned long round = 0;
	uint32_t w;
	size_t len;

	for (i = 0; i < ST_N; i++)
		total += weights[i];
	for (ifc = 0; ifc < IF_N; ifc++) {
		for (i = 0; i < BATCH; i++) {
			batch[ifc][i] = malloc(FRAME_MAX);
			if (!batch[ifc][i])
				ksft_exit_fail_msg("malloc\n");
		}
	}
	while (fz_now_ms() < deadline) {
		if (!(round++ % BATCH))
			sniff();
		w = fz_below(&r, total);
		for (st = 0; w >= (uint32_t)weights[st]; st++)
			w -= weights[st];
		len = make_frame(&r, st, batch[IF_LO][batch_n[IF_LO]], &ifc);
		if (!len)
			continue;
		/* make_frame() built it in IF_LO's slot: move it if need be. */
		if (ifc != IF_LO) {
			memcpy(batch[ifc][batch_n[ifc]],
			       batch[IF_LO][batch_n[IF_LO]], len);
		}
		batch_len[ifc][batch_n[ifc]] = len;
		batch_st[ifc][batch_n[ifc]] = st;
		if (++batch_n[ifc] == BATCH)
			flush(ifc);
	}
	for (ifc = 0; ifc < IF_N; ifc++)
		flush(ifc);
}

/* ---- main ---------------------------------------------------------------- */

/* A counter of /proc/net/lynx_stat in the namespace nsfd (entered). */
static long long ns_stat(int nsfd, const char *name)
{
	char line[256], key[128];
	long long v, ret = -1;
	FILE *f;

	if (fz_netns_enter(nsfd))
		return -1;
	f = fopen("/proc/thread-self/net/lynx_stat", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", key, &v) == 2 &&
		    !strcmp(key, name))
			ret = v;
	fclose(f);
	return ret;
}

static const char *const stat_names[] = {
	"frames_in", "frames_out", "drop_truncated", "drop_version",
	"drop_malformed", "drop_csum", "drop_not_for_us", "drop_no_socket",
	"drop_rcvbuf", "drop_out_of_window", "retransmits", "resets_sent",
};
#define NSTATS	ARRAY_SIZE(stat_names)

static void stats_get(long long *v)
{
	size_t i;

	for (i = 0; i < NSTATS; i++)
		v[i] = ns_stat(ns_a, stat_names[i]) + ns_stat(ns_b, stat_names[i]);
}

static int listen_on(int type, uint32_t port, int backlog)
{
	int fd = socket(lynx_af(), type | SOCK_CLOEXEC, 0);

	if (fd < 0 || lynx_bind(fd, LYNX_NODE_ANY, port) ||
	    listen(fd, backlog))
		return -1;
	return fd;
}

static int setup(void)
{
	ns_init = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ns_a = fz_netns_new();
	if (ns_init < 0 || ns_a < 0 || lynx_sh("ip link add a0 up type lynx"))
		return -1;
	node_a = fz_node();
	if (open_pkt(&ifs[IF_LO]) || open_pkt(&ifs[IF_A0]))
		return -1;
	ns_b = fz_netns_new();
	if (ns_b < 0 || lynx_sh("ip link add b0 up type lynx"))
		return -1;
	node_b = fz_node();
	if (open_pkt(&ifs[IF_B0]))
		return -1;
	memcpy(ifs[IF_LO].to, ifs[IF_LO].mac, ETH_ALEN);
	memcpy(ifs[IF_A0].to, ifs[IF_B0].mac, ETH_ALEN);
	memcpy(ifs[IF_B0].to, ifs[IF_A0].mac, ETH_ALEN);
	ifs[IF_LO].node = ifs[IF_LO].peer = node_a;
	ifs[IF_A0].node = node_b;	/* a0's frames land in B */
	ifs[IF_A0].peer = node_a;
	ifs[IF_B0].node = node_a;	/* b0's frames land in A */
	ifs[IF_B0].peer = node_b;
	return node_a && node_b && node_a != node_b ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct conn_job jobs[4];
	struct dgram_job dj;
	pthread_t th[5];
	unsigned int seconds, i;
	int lsn[8], fresh, nsfds[2], ok, st;
	long mem0, slab0, gone;
	unsigned long taint0;
	long long stats0[NSTATS], stats1[NSTATS];
	unsigned long total = 0;
	uint64_t t0;

	fz_args(argc, argv, &seed, &seconds, 30);
	ksft_print_header();
	ksft_set_plan(7);
	ksft_print_msg("seed %" PRIu64 ", %u s (rerun: %s -s %" PRIu64 " -d %u)\n",
		       seed, seconds, argv[0], seed, seconds);
	for (i = 0; i < RING; i++) {
		ring[i].f = malloc(FRAME_MAX);
		if (!ring[i].f)
			ksft_exit_fail_msg("malloc\n");
	}
	taint0 = fz_taint();
	mem0 = fz_proto_memory("LYNX_STREAM");
	slab0 = fz_slab_objects();
	if (setup())
		ksft_exit_fail_msg("setup: %s\n", strerror(errno));
	ksft_print_msg("node A %08x (lynxlo, a0), node B %08x (b0)\n",
		       node_a, node_b);

	/* Listeners: A's on lynxlo traffic, B's on the segment's. */
	fz_netns_enter(ns_a);
	lsn[0] = listen_on(SOCK_STREAM, PORT_STREAM, 64);
	lsn[1] = listen_on(SOCK_SEQPACKET, PORT_SEQPACKET, 64);
	lsn[4] = listen_on(SOCK_STREAM, PORT_FLOOD, 16);
	lsn[5] = listen_on(SOCK_SEQPACKET, PORT_FLOOD, 16);
	dj.a = lynx_socket(SOCK_DGRAM);
	fz_netns_enter(ns_b);
	lsn[2] = listen_on(SOCK_STREAM, PORT_STREAM, 64);
	lsn[3] = listen_on(SOCK_SEQPACKET, PORT_SEQPACKET, 64);
	lsn[6] = listen_on(SOCK_STREAM, PORT_FLOOD, 16);
	lsn[7] = listen_on(SOCK_SEQPACKET, PORT_FLOOD, 16);
	dj.b = lynx_socket(SOCK_DGRAM);
	for (i = 0; i < 8; i++)
		if (lsn[i] < 0)
			ksft_exit_fail_msg("listen: %s\n", strerror(errno));
	if (lynx_bind(dj.b, LYNX_NODE_ANY, PORT_DGRAM))
		ksft_exit_fail_msg("listeners: %s\n", strerror(errno));
	fz_netns_enter(ns_a);
	if (lynx_bind(dj.a, LYNX_NODE_ANY, PORT_DGRAM))
		ksft_exit_fail_msg("bind: %s\n", strerror(errno));

	for (i = 0; i < 4; i++) {
		jobs[i] = (struct conn_job){
			.ns = ns_a, .listener = lsn[i], .id = i,
			.type = i & 1 ? SOCK_SEQPACKET : SOCK_STREAM,
			.node = i < 2 ? LYNX_NODE_LOCAL : node_b,
			.port = i & 1 ? PORT_SEQPACKET : PORT_STREAM,
		};
		if (pthread_create(&th[i], NULL, conn_thread, &jobs[i]))
			ksft_exit_fail_msg("pthread_create\n");
	}
	if (pthread_create(&th[4], NULL, dgram_thread, &dj))
		ksft_exit_fail_msg("pthread_create\n");

	stats_get(stats0);
	fz_netns_enter(ns_a);
	t0 = fz_now_ms();
	fz_faults_start(0);
	inject_run(t0 + seconds * 1000ULL);
	stop_inject = 1;
	stop_traffic = 1;
	for (i = 0; i < 5; i++)
		pthread_join(th[i], NULL);
	fz_faults_stop();

	for (st = 0; st < ST_N; st++) {
		ksft_print_msg("injected %-8s %lu\n", st_names[st], injected[st]);
		total += injected[st];
	}
	ksft_print_msg("frames injected %lu (%lu with a bad checksum, %lu refused by AF_PACKET), %lu sniffed, in %.1f s\n",
		       total, bad_csum, inject_err, sniffed,
		       (fz_now_ms() - t0) / 1000.0);
	ksft_print_msg("traffic: %lu connects (%lu failed), %lu resets, %lu stalls, %lu bytes, %lu datagrams\n",
		       connects, connect_fail, resets, stalls, bytes_moved,
		       dgrams);
	stats_get(stats1);
	for (i = 0; i < NSTATS; i++)
		ksft_print_msg("lynx_stat %-18s %lld (A and B, during the run)\n",
			       stat_names[i], stats1[i] - stats0[i]);
	ksft_test_result(total > 0 && connects > 0,
			 "fuzz_run: %lu hostile frames, %lu connections\n",
			 total, connects);

	for (i = 0; i < IF_N; i++)
		close(ifs[i].pkt);
	close(dj.a);
	close(dj.b);
	for (i = 0; i < 8; i++)
		close(lsn[i]);
	fz_check_kernel_clean(taint0, 5);

	/* Invariant: a fresh connection moves 1 MiB byte-exact (lynxlo, segment). */
	fz_netns_enter(ns_a);
	fresh = listen_on(SOCK_STREAM, PORT_FRESH, 1);
	ok = fresh >= 0 &&
	     !fz_fresh_transfer(fresh, SOCK_STREAM, LYNX_NODE_LOCAL,
				PORT_FRESH, seed);
	close(fresh);
	fresh = listen_on(SOCK_SEQPACKET, PORT_FRESH, 1);
	ok = ok && fresh >= 0 &&
	     !fz_fresh_transfer(fresh, SOCK_SEQPACKET, LYNX_NODE_LOCAL,
				PORT_FRESH, seed);
	close(fresh);
	ksft_test_result(ok, "fresh_1MiB_lynxlo (stream and seqpacket)\n");
	fz_netns_enter(ns_b);
	fresh = listen_on(SOCK_STREAM, PORT_FRESH, 1);
	fz_netns_enter(ns_a);
	ok = fresh >= 0 &&
	     !fz_fresh_transfer(fresh, SOCK_STREAM, node_b, PORT_FRESH, seed);
	close(fresh);
	ksft_test_result(ok, "fresh_1MiB_segment (stream, A to B)\n");

	/* Invariant: every socket gone within the bound. */
	nsfds[0] = ns_a;
	nsfds[1] = ns_b;
	gone = fz_wait_sockets_gone(nsfds, 2, ns_init);
	if (gone >= 0)
		ksft_print_msg("sockets gone %ld ms after close\n", gone);
	ksft_test_result(gone >= 0, "sockets_gone within %d ms\n",
			 LYNX_FUZZ_GONE_MS);

	/* Invariant: memory back (the namespaces go first). */
	close(ns_a);
	close(ns_b);
	ksft_test_result(!fz_check_memory(mem0, slab0), "memory_back\n");

	fz_check_rmmod();
	ksft_finished();
}
