// SPDX-License-Identifier: GPL-2.0
/*
 * lynx: connections, congestion control (stubs: the KUnit suite
 * lynx_conn_cc comes first).
 */
#include <net/lynx.h>
#include <kunit/visibility.h>

void lynx_cc_init(struct lynx_conn *c)
{
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_init);

u32 lynx_cc_ssthresh(u32 flight)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_ssthresh);

u32 lynx_cc_window(const struct lynx_conn *c)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_window);

bool lynx_cc_may_send(const struct lynx_conn *c, u32 len, u32 mss)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_may_send);

u32 lynx_cc_acked(struct lynx_conn *c, u32 bytes, u32 mss)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_acked);

u32 lynx_cc_slow_start(struct lynx_conn *c, u32 acked)
{
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_slow_start);

void lynx_cc_cong_avoid_ai(struct lynx_conn *c, u32 w, u32 acked)
{
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_cong_avoid_ai);

bool lynx_cc_on_ack(struct lynx_conn *c, u32 ack, u32 acked, u32 prior_flight)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_ack);

bool lynx_cc_on_dupack(struct lynx_conn *c, u32 flight)
{
	return false;
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_dupack);

void lynx_cc_on_rto(struct lynx_conn *c, u32 flight, bool first)
{
}
EXPORT_SYMBOL_IF_KUNIT(lynx_cc_on_rto);
