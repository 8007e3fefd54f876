#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lynx across network namespaces: node ids, exchange over lynx devices,
# the learned neighbour table, the shared segment, isolation of namespaces
# without devices, and deleting namespaces that hold sockets and devices.
. "$(dirname "$0")/lynx_lib.bash"

test_nodes_differ() {
	local a b c
	lx_netns_add "lx_nda_$$" "lx_ndb_$$" || return 1
	a=$(lx_node "lx_nda_$$") && b=$(lx_node "lx_ndb_$$") || return 1
	c=$(< /proc/sys/net/lynx/node) || return 1
	lx_log "nodes: $a $b $c"
	[ "$a" != "$b" ] && [ "$a" != "$c" ] && [ "$b" != "$c" ] ||
		lx_fail "node ids not distinct" || return 1
}

test_exchange() {
	lx_pair ex || return 1
	lx_file_has "$LX_TMP/pair.b" "from $NODEA\\(" || lx_fail "B: wrong source node" || return 1
	lx_file_has "$LX_TMP/pair.a" "from $NODEB\\(" || lx_fail "A: wrong source node" || return 1
	lx_file_has "$LX_TMP/pair.b" hello-b || return 1
	# A reply to the address recvfrom gave.
	lx_recv_bg "$NSA" "$LX_TMP/ex.a" -t 15000 6901 3 || return 1
	lx_ok "$TOOL" -N "$NSB" send -c 3 -p 6900 "$NODEA" 6901 three || return 1
	lx_wait_pid "$LX_PID" || lx_fail "3 datagrams not received" || return 1
	[ "$(lx_count "$LX_TMP/ex.a" "from $NODEB\\($(lx_hex "$NODEB")\\):6900 len 5 three")" = 3 ] ||
		lx_fail "bad datagrams at A" || return 1
}

# The row of NODE in NS's /proc/net/lynx_neigh (empty when absent);
# fails when the file cannot be read or lacks its header line.
neigh_row() {
	local line rows
	rows=$("$TOOL" -N "$1" cat /proc/net/lynx_neigh) || return 1
	[[ $rows == "node "* ]] || return 1
	while IFS= read -r line; do
		[[ ${line,,} == "$(lx_hex "$2") "* ]] && echo "$line"
	done <<< "$rows"
	return 0
}

test_neigh_table() {
	local macb line
	lx_pair ng || return 1
	lx_show "$("$TOOL" -N "$NSA" cat /proc/net/lynx_neigh)"
	macb=$(lx_mac "$NSB" b0)
	line=$(neigh_row "$NSA" "$NODEB") || lx_fail "no lynx_neigh in A" || return 1
	[ -n "$line" ] || lx_fail "B's node not in A's neighbour table" || return 1
	set -- $line
	[ "$2" = a0 ] || lx_fail "dev is '$2', not a0" || return 1
	[ "${3,,}" = "${macb,,}" ] || lx_fail "mac is '$3', not $macb" || return 1
	[[ "$4" =~ ^[0-9]+$ ]] || lx_fail "age '$4' not a number" || return 1
	# A namespace's own lynxlo traffic does not appear as a neighbour of B.
	line=$(neigh_row "$NSB" "$NODEB") || lx_fail "no lynx_neigh in B" || return 1
	[ -z "$line" ] || lx_fail "B lists itself" || return 1
	# Deleting the device forgets its entries.
	lx_ok ip -n "$NSA" link del a0 || return 1
	line=$(neigh_row "$NSA" "$NODEB") || lx_fail "no lynx_neigh in A" || return 1
	[ -z "$line" ] || lx_fail "entry survived its device" || return 1
	return 0
}

test_segment_three() {
	local nsd noded
	lx_pair seg || return 1
	nsd=$(lx_netns segd) || return 1
	lx_ok lx_dev "$nsd" d0 || return 1
	noded=$(lx_node "$nsd")
	lx_recv_bg "$nsd" "$LX_TMP/seg.d" -t 15000 7000 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send "$noded" 7000 to-d || return 1
	lx_wait_pid "$LX_PID" || lx_fail "D did not receive from A" || return 1
	lx_file_has "$LX_TMP/seg.d" "from $NODEA\\(" || return 1
	# A datagram for D is not delivered to B's socket on the same port.
	lx_recv_bg "$NSB" "$LX_TMP/seg.b" -t 1000 7001 1 || return 1
	local pidb=$LX_PID
	lx_recv_bg "$nsd" "$LX_TMP/seg.d2" -t 15000 7001 1 || return 1
	local pidd=$LX_PID
	lx_ok "$TOOL" -N "$NSA" send "$noded" 7001 only-d || return 1
	lx_wait_pid "$pidd" || return 1
	lx_wait_pid "$pidb" 5	# ends by its own 1 s timeout
	lx_file_has "$LX_TMP/seg.b" '^timeout after 0' || lx_fail "B received D's datagram" || return 1
}

test_isolation() {
	local nsc nodec
	lx_pair iso || return 1
	nsc=$(lx_netns isoc) || return 1		# no lynx device
	nodec=$(lx_node "$nsc")
	# C cannot reach A: an error, or lost; never received.
	lx_recv_bg "$NSA" "$LX_TMP/iso.a" -t 1000 7100 1 || return 1
	local out
	out=$("$TOOL" -N "$nsc" send "$NODEA" 7100 from-c)
	lx_log "send from C: $out"
	case "$out" in
	sent*|*ENETUNREACH*|*EHOSTUNREACH*) ;;
	*) lx_fail "unexpected send result: $out"; return 1 ;;
	esac
	lx_wait_pid "$LX_PID"
	lx_file_has "$LX_TMP/iso.a" '^timeout after 0' || lx_fail "A received from C" || return 1
	# A cannot reach C either.
	lx_recv_bg "$nsc" "$LX_TMP/iso.c" -t 1000 7101 1 || return 1
	"$TOOL" -N "$NSA" send "$nodec" 7101 to-c >/dev/null
	lx_wait_pid "$LX_PID"
	lx_file_has "$LX_TMP/iso.c" '^timeout after 0' || lx_fail "C received from A" || return 1
}

test_loopback_stays_local() {
	local f=$LX_TMP/iso.pcap
	lx_pair lo || return 1
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return $KSFT_SKIP; }
	# Traffic to its own node goes through lynxlo, not a0.
	lx_in "$NSA" tcpdump -Z root -i a0 -U -c 1 -w "$f" ether proto 0x88b5 2> "$f.err" &
	local td=$!
	lx_wait_for "$f.err" 'listening on' 10 "$td" || return 1
	lx_recv_bg "$NSA" "$LX_TMP/lo.a" -t 15000 7200 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEA" 7200 self || return 1
	lx_wait_pid "$LX_PID" || lx_fail "self datagram not received" || return 1
	# Then something that must go out on a0, to end tcpdump.
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 7201 out-on-a0 || return 1
	lx_wait_pid "$td" 10 || return 1
	[[ $(lx_frame_hex "$f") != *$(lx_str_hex self)* ]] ||
		lx_fail "local datagram went out on a0" || return 1
	return 0
}

test_delete_netns_with_sockets() {
	local nse nsf nodee holder
	lx_pair dl || return 1
	nse=$(lx_netns dle) || return 1
	lx_ok lx_dev "$nse" e0 || return 1
	lx_ok ip -n "$nse" link add e1 type lynx || return 1
	nodee=$(lx_node "$nse")
	"$TOOL" -N "$nse" hold 7300 > "$LX_TMP/hold.e" &
	holder=$!
	lx_wait_for "$LX_TMP/hold.e" '^ready' 10 "$holder" || return 1
	# Traffic into E's socket (queued, never read), and E learning A.
	lx_ok "$TOOL" -N "$NSA" send -c 5 "$nodee" 7300 queued-in-e || return 1
	kill "$holder"; wait "$holder" 2>/dev/null
	lx_ok ip netns del "$nse" || return 1
	# The namespace, its devices and lynxlo are gone; the rest still works.
	! ip link show e0 >/dev/null 2>&1 ||
		lx_fail "e0 leaked to the initial namespace" || return 1
	lx_recv_bg "$NSB" "$LX_TMP/dl.b" -t 15000 7301 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 7301 still-works || return 1
	lx_wait_pid "$LX_PID" || lx_fail "traffic broken after netns deletion" || return 1
	# A namespace deleted while its process still holds sockets in it.
	nsf=$(lx_netns dlf) || return 1
	lx_ok lx_dev "$nsf" f0 || return 1
	"$TOOL" -N "$nsf" hold 7302 > "$LX_TMP/hold.f" &
	holder=$!
	lx_wait_for "$LX_TMP/hold.f" '^ready' 10 "$holder" || return 1
	lx_ok ip netns del "$nsf" || return 1	# the process keeps it alive
	kill "$holder"; wait "$holder" 2>/dev/null
	return 0
}

lx_test nodes_differ test_nodes_differ
lx_test exchange test_exchange
lx_test neigh_table test_neigh_table
lx_test segment_three test_segment_three
lx_test isolation test_isolation
lx_test loopback_stays_local test_loopback_stays_local
lx_test delete_netns_with_sockets test_delete_netns_with_sockets
lx_finish
