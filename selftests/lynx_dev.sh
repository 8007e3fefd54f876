#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lynx devices: creation, MTU limits, lynxlo, counters, the shared segment,
# moving between namespaces, tcpdump captures, deletion under traffic.
. "$(dirname "$0")/lynx_lib.bash"

test_create() {
	local ns out mac1 mac2
	ns=$(lx_netns create) || return 1
	lx_ok ip -n "$ns" link add lxd0 type lynx || return 1
	lx_ok ip -n "$ns" link add lxd1 type lynx || return 1
	out=$(ip -n "$ns" link show lxd0) || return 1
	lx_show "$out"
	[[ $out == *link/ether* ]] || lx_fail "not an Ethernet device" || return 1
	# A segment never leaves memory: frames as large as lynxlo's.
	[[ $out == *'mtu 65535 '* ]] || lx_fail "default mtu is not 65535" || return 1
	mac1=$(lx_mac "$ns" lxd0)
	mac2=$(lx_mac "$ns" lxd1)
	[ -n "$mac1" ] && [ "$mac1" != 00:00:00:00:00:00 ] || lx_fail "no MAC: '$mac1'" || return 1
	[ "$mac1" != "$mac2" ] || lx_fail "two devices share MAC $mac1" || return 1
	lx_ok ip -n "$ns" link set lxd0 up || return 1
	lx_ok ip -n "$ns" link del lxd0 || return 1
	lx_ok ip -n "$ns" link del lxd1 || return 1
	lx_not ip -n "$ns" link show lxd0 || return 1
}

test_mtu_limits() {
	local ns
	ns=$(lx_netns mtu) || return 1
	lx_ok ip -n "$ns" link add lxm0 type lynx || return 1
	lx_not ip -n "$ns" link set lxm0 mtu 36 || return 1
	lx_ok ip -n "$ns" link set lxm0 mtu 37 || return 1
	[[ $(ip -n "$ns" link show lxm0) == *'mtu 37 '* ]] ||
		lx_fail "mtu is not 37" || return 1
	lx_ok ip -n "$ns" link set lxm0 mtu 65535 || return 1
	lx_not ip -n "$ns" link set lxm0 mtu 65536 || return 1
	[[ $(ip -n "$ns" -d link show lxm0) == *'minmtu 37 maxmtu 65535'* ]] ||
		lx_fail "min/max mtu not 37/65535" || return 1
}

test_lynxlo() {
	local ns out
	ns=$(lx_netns lo) || return 1
	out=$(ip -n "$ns" link show up dev lynxlo)
	lx_show "$out"
	[[ $out == *lynxlo* ]] ||
		lx_fail "no UP lynxlo in a new namespace" || return 1
	[[ $out == *'mtu 65535'* ]] || lx_fail "lynxlo mtu is not 65535" || return 1
	# No queue of its own, as lo: its transmit never refuses a frame.
	[[ $out == *'qdisc noqueue'* ]] || lx_fail "lynxlo has a qdisc" || return 1
	[[ $(ip link show up dev lynxlo) == *lynxlo* ]] ||
		lx_fail "no UP lynxlo in the initial namespace" || return 1
	# Local traffic works through it.
	lx_recv_bg "$ns" "$LX_TMP/lo.out" -t 15000 6200 1 || return 1
	lx_ok "$TOOL" -N "$ns" send local 6200 via-lynxlo || return 1
	lx_wait_pid "$LX_PID" || lx_fail "not received" || return 1
	lx_file_has "$LX_TMP/lo.out" via-lynxlo || return 1
}

test_traffic_counters() {
	local tx0 rx0 tx1 rx1
	lx_pair cnt || return 1
	tx0=$(lx_link_stat "$NSA" a0 tx) && rx0=$(lx_link_stat "$NSB" b0 rx) ||
		lx_fail "no packet counters" || return 1
	lx_recv_bg "$NSB" "$LX_TMP/cnt.out" -t 15000 6300 10 || return 1
	lx_ok "$TOOL" -N "$NSA" send -c 10 "$NODEB" 6300 counted || return 1
	lx_wait_pid "$LX_PID" || lx_fail "10 datagrams not received" || return 1
	tx1=$(lx_link_stat "$NSA" a0 tx) && rx1=$(lx_link_stat "$NSB" b0 rx) ||
		lx_fail "no packet counters" || return 1
	lx_log "a0 tx $tx0 -> $tx1, b0 rx $rx0 -> $rx1"
	[ $((tx1 - tx0)) -ge 10 ] || lx_fail "a0 tx packets did not move" || return 1
	[ $((rx1 - rx0)) -ge 10 ] || lx_fail "b0 rx packets did not move" || return 1
	lx_file_has "$LX_TMP/cnt.out" "from $NODEA\\(" || lx_fail "wrong sender node" || return 1
}

test_mtu_emsgsize() {
	lx_pair mtu || return 1
	# The default MTU: a datagram of 65535 - 36 header bytes at most.
	lx_ok "$TOOL" -N "$NSA" send -s 65499 "$NODEB" 6400 || return 1
	[[ $("$TOOL" -N "$NSA" send -s 65500 "$NODEB" 6400) == *EMSGSIZE* ]] ||
		lx_fail "65500 bytes on mtu 65535 did not give EMSGSIZE" || return 1
	lx_ok ip -n "$NSA" link set a0 mtu 1500 || return 1
	lx_ok "$TOOL" -N "$NSA" send -s 1464 "$NODEB" 6400 || return 1
	[[ $("$TOOL" -N "$NSA" send -s 1465 "$NODEB" 6400) == *EMSGSIZE* ]] ||
		lx_fail "1465 bytes on mtu 1500 did not give EMSGSIZE" || return 1
	lx_ok ip -n "$NSA" link set a0 mtu 1000 || return 1
	lx_ok "$TOOL" -N "$NSA" send -s 964 "$NODEB" 6400 || return 1
	[[ $("$TOOL" -N "$NSA" send -s 965 "$NODEB" 6400) == *EMSGSIZE* ]] ||
		lx_fail "965 bytes on mtu 1000 did not give EMSGSIZE" || return 1
	# The largest datagram arrives whole.
	lx_ok ip -n "$NSB" link set b0 mtu 1000 || return 1
	lx_recv_bg "$NSB" "$LX_TMP/mtu.out" -t 15000 6401 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send -s 964 "$NODEB" 6401 || return 1
	lx_wait_pid "$LX_PID" || return 1
	lx_file_has "$LX_TMP/mtu.out" 'len 964 ' || lx_fail "964 bytes not received" || return 1
}

# tcpdump -i DEV in NS, started and waited for; sets TD_PID.
tcpdump_bg() {	# ns dev count file
	lx_in "$1" tcpdump -Z root -i "$2" -U -c "$3" -w "$4" \
		ether proto 0x88b5 2> "$4.err" &
	TD_PID=$!
	lx_wait_for "$4.err" 'listening on' 10 "$TD_PID"
}

test_tcpdump() {
	local f=$LX_TMP/cap.pcap pay=LYNXPAYLOAD0123456789 out hex
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return $KSFT_SKIP; }
	lx_pair td || return 1
	tcpdump_bg "$NSB" b0 1 "$f" || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 6500 "$pay" || return 1
	lx_wait_pid "$TD_PID" 10 || lx_fail "tcpdump captured nothing" || return 1
	out=$(tcpdump -r "$f" -e -nn 2>/dev/null)
	lx_show "$out"
	[[ ${out,,} == *0x88b5* ]] || lx_fail "no EtherType 0x88b5 frame" || return 1
	hex=$(lx_frame_hex "$f")
	[[ $hex == *$(lx_str_hex "$pay")* ]] || lx_fail "payload not in the frame" || return 1
	# The header: version 1, type 1 (DGRAM), flags 0, reserved 0 right
	# after the Ethernet header, and len = payload length.
	[ "${hex:24:16}" = 88b5010100000015 ] ||
		lx_fail "unexpected lynx header start" || return 1
}

test_tcpdump_lynxlo() {
	local ns f=$LX_TMP/lo.pcap pay=LOCALPAYLOAD-xyz
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return $KSFT_SKIP; }
	ns=$(lx_netns tdlo) || return 1
	tcpdump_bg "$ns" lynxlo 1 "$f" || return 1
	lx_recv_bg "$ns" "$LX_TMP/tdlo.out" -t 15000 6600 1 || return 1
	lx_ok "$TOOL" -N "$ns" send local 6600 "$pay" || return 1
	lx_wait_pid "$LX_PID" || return 1
	lx_wait_pid "$TD_PID" 10 || lx_fail "tcpdump on lynxlo captured nothing" || return 1
	[[ $(lx_frame_hex "$f") == *$(lx_str_hex "$pay")* ]] ||
		lx_fail "payload not captured on lynxlo" || return 1
}

test_move_netns() {
	local nsa nsb nsc nodeb
	nsa=$(lx_netns mva) && nsb=$(lx_netns mvb) && nsc=$(lx_netns mvc) || return 1
	lx_ok ip -n "$nsa" link add mv0 type lynx || return 1
	lx_ok ip -n "$nsa" link set mv0 netns "$nsb" || return 1
	lx_not ip -n "$nsa" link show mv0 || return 1
	lx_ok ip -n "$nsb" link set mv0 up || return 1
	lx_ok lx_dev "$nsc" c0 || return 1
	# The moved device carries nsb's traffic.
	nodeb=$(lx_node "$nsb")
	lx_recv_bg "$nsb" "$LX_TMP/mv.out" -t 15000 6700 1 || return 1
	lx_ok "$TOOL" -N "$nsc" send "$nodeb" 6700 moved || return 1
	lx_wait_pid "$LX_PID" || lx_fail "not received on the moved device" || return 1
}

# Floods both ways, deletes both devices while the floods run, and proves
# each step: frames left before the delete (the floods' "first", a0's tx
# counter), both floods were still sending when their device went (they
# end on ENETUNREACH, which they stop at, after sending), a send after the
# delete fails as a UDP send without a route does (ENETUNREACH), and new
# devices carry traffic again.
test_delete_under_traffic() {
	local pid1 pid2 out tx0 tx1
	lx_pair del || return 1
	# B listens so the frames reach a socket.
	"$TOOL" -N "$NSB" hold 6800 > "$LX_TMP/hold.out" &
	local hold=$!
	lx_wait_for "$LX_TMP/hold.out" '^ready' 10 "$hold" || return 1
	tx0=$(lx_link_stat "$NSA" a0 tx) || lx_fail "no packet counters" || return 1
	# Until the device goes: far more than either sends before that.
	"$TOOL" -N "$NSA" flood -u -s 200 "$NODEB" 6800 100000000 > "$LX_TMP/f1" &
	pid1=$!
	"$TOOL" -N "$NSB" flood -u -s 1000 "$NODEA" 6801 100000000 > "$LX_TMP/f2" &
	pid2=$!
	lx_wait_for "$LX_TMP/f1" '^first' 10 "$pid1" ||
		lx_fail "flood A sent nothing" || return 1
	lx_wait_for "$LX_TMP/f2" '^first' 10 "$pid2" ||
		lx_fail "flood B sent nothing" || return 1
	tx1=$(lx_link_stat "$NSA" a0 tx) || lx_fail "no packet counters" || return 1
	lx_log "a0 tx $tx0 -> $tx1 before the delete"
	[ "$tx1" -gt "$tx0" ] || lx_fail "no frame left a0 before the delete" ||
		return 1
	lx_ok ip -n "$NSA" link del a0 || return 1
	lx_ok ip -n "$NSB" link del b0 || return 1
	lx_wait_pid "$pid1" 60 || lx_fail "flood A did not end" || return 1
	lx_wait_pid "$pid2" 60 || lx_fail "flood B did not end" || return 1
	lx_log "A: $(tr '\n' ' ' < "$LX_TMP/f1"); B: $(tr '\n' ' ' < "$LX_TMP/f2")"
	for f in f1 f2; do
		lx_file_has "$LX_TMP/$f" '^sent [1-9][0-9]* failed [1-9][0-9]* lasterr ENETUNREACH$' ||
			lx_fail "$f: the flood did not run into the delete" || return 1
	done
	kill "$hold"; wait "$hold" 2>/dev/null
	lx_not ip -n "$NSA" link show a0 || return 1
	# Sending without a device: ENETUNREACH at once, as UDP without a route.
	out=$(timeout 10 "$TOOL" -N "$NSA" send "$NODEB" 6800 gone)
	lx_log "send after delete: $out"
	[ "$out" = "error ENETUNREACH" ] ||
		lx_fail "send after delete: '$out', not ENETUNREACH" || return 1
	# A new device works again.
	lx_ok lx_dev "$NSA" a1 || return 1
	lx_ok lx_dev "$NSB" b1 || return 1
	lx_recv_bg "$NSB" "$LX_TMP/re.out" -t 15000 6802 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 6802 again || return 1
	lx_wait_pid "$LX_PID" || lx_fail "no traffic on new devices" || return 1
}

lx_test create test_create
lx_test mtu_limits test_mtu_limits
lx_test lynxlo test_lynxlo
lx_test traffic_counters test_traffic_counters
lx_test mtu_emsgsize test_mtu_emsgsize
lx_test tcpdump test_tcpdump
lx_test tcpdump_lynxlo test_tcpdump_lynxlo
lx_test move_netns test_move_netns
lx_test delete_under_traffic test_delete_under_traffic

# Segments: "lynx_tool link add NAME segment ID" puts a device on segment
# ID, "ip link add" on segment 0; a frame reaches its own segment only, and
# a device keeps its segment when it changes namespace.
test_segments() {
	local nsa nsb nsc nodeb nodec out
	nsa=$(lx_netns sga) && nsb=$(lx_netns sgb) && nsc=$(lx_netns sgc) || return 1
	lx_ok "$TOOL" -N "$nsa" link add sa0 segment 11 || return 1
	lx_ok "$TOOL" -N "$nsa" link add sa1 segment 11 || return 1
	lx_ok ip -n "$nsc" link add sc0 type lynx || return 1
	out=$("$TOOL" -N "$nsa" link show sa0; "$TOOL" -N "$nsc" link show sc0)
	lx_show "$out"
	[ "$out" = $'sa0 segment 11\nsc0 segment 0' ] ||
		lx_fail "segments not shown as set" || return 1
	lx_ok ip -n "$nsa" link set sa1 netns "$nsb" || return 1
	lx_ok ip -n "$nsa" link set sa0 up || return 1
	lx_ok ip -n "$nsb" link set sa1 up || return 1
	lx_ok ip -n "$nsc" link set sc0 up promisc on || return 1
	nodeb=$(lx_node "$nsb") && nodec=$(lx_node "$nsc") || return 1
	[ "$("$TOOL" -N "$nsb" link show sa1)" = "sa1 segment 11" ] ||
		lx_fail "sa1 left segment 11 when it moved" || return 1
	# Segment 11 carries a's datagram to b ...
	lx_pair_hear "$nsa" "$nsb" "$nodeb" 6900 sg.b on-segment-11 || return 1
	# ... and never to c, on segment 0, though c listens to everything:
	# the first datagram c gets is the one b sends after a's, on segment 0.
	lx_ok lx_dev "$nsb" sb0 || return 1
	lx_recv_bg "$nsc" "$LX_TMP/sg.c" -t 60000 6901 1 || return 1
	lx_ok "$TOOL" -N "$nsa" send "$nodec" 6901 off-segment || return 1
	lx_ok "$TOOL" -N "$nsb" send "$nodec" 6901 via-segment-0 || return 1
	lx_wait_pid "$LX_PID" 90 || lx_fail "c did not hear b's segment-0 device" || return 1
	lx_show "$(< "$LX_TMP/sg.c")"
	lx_file_has "$LX_TMP/sg.c" "^from $nodeb\\(.*via-segment-0" ||
		lx_fail "c heard segment 11" || return 1
}

# A segment is a hub, and a hub keeps one sender's frames in order,
# whichever CPU sends each: a sender moving between CPUs every 8
# datagrams, through netem (whose timer sends what waited on whichever CPU
# armed it), 20000 numbered datagrams; none may come after a later one.
# Every CPU handing its frames to the peer itself reordered them (each
# CPU's backlog runs on its own), and made a stream resend segments the
# receiver already had.
test_segment_order() {
	local out n=20000 got late
	[ "$(nproc)" -ge 2 ] || { lx_skip "one CPU: nothing can reorder"; return $KSFT_SKIP; }
	lx_pair order || return 1
	lx_ok tc -n "$NSA" qdisc add dev a0 root netem delay 1ms limit $n || return 1
	: > "$LX_TMP/order"
	"$TOOL" -N "$NSB" order-recv -t $((3000 * LX_SLOW)) 6902 $n > "$LX_TMP/order" 2>&1 &
	LX_PID=$!
	lx_wait_for "$LX_TMP/order" '^(ready|error)' 10 "$LX_PID" &&
		lx_file_has "$LX_TMP/order" '^ready' || lx_fail "receiver not ready" || return 1
	out=$("$TOOL" -N "$NSA" order-send -s 64 "$NODEB" 6902 $n) || return 1
	lx_wait_pid "$LX_PID" 120 || lx_fail "receiver did not finish" || return 1
	lx_show "$out"
	lx_show "$(< "$LX_TMP/order")"
	read -r _ got _ late <<< "$(grep '^got' "$LX_TMP/order")"
	[ -n "$late" ] || lx_fail "no result" || return 1
	# Most must arrive, else there was little to keep in order.
	[ "$got" -ge $((n / 2)) ] || lx_fail "only $got of $n arrived" || return 1
	[ "$late" -eq 0 ] || lx_fail "$late of $got came after a later one" || return 1
}

lx_test segments test_segments
lx_test segment_order test_segment_order
lx_finish
