#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lynx over Ethernet: a lynx device stacked on a veth ("ip link add lx0
# link vA type lynx") in each of two namespaces joined by the veth pair.
# How it shows, datagrams both ways, an 8 MiB stream byte-exact (2 on
# the debug kernel), seqpacket boundaries, the frames on the wire
# (EtherType 0x88b5 from the veth's address), the lower deciding the
# checksum, a veth without a lynx device delivering nothing
# (drop_device), the lower's MTU bounding lx0's, the lower deleted under
# a running stream or moved away, and the requests the kernel refuses.
. "$(dirname "$0")/lynx_lib.bash"

# How long a side may take to notice that its connection is dead: as in
# lynx_stream_netns.sh (10 retransmissions, timeouts doubling up to 2 s:
# 22 s at the most, plus margin), times LX_SLOW; the wait for it 10 s
# more, which lx_wait_for scales itself.
DEAD_ABORT=22
DEAD_BOUND=$(( (DEAD_ABORT * 10 + 5 + 25) * LX_SLOW / 10 ))
DEAD_WAIT=$(( (DEAD_BOUND + 10 + LX_SLOW - 1) / LX_SLOW ))

# Two namespaces joined by a veth pair vA-vB, each veth carrying a lynx
# device lx0, up, that heard the other: sets NSA NSB NODEA NODEB.
lw_pair() {
	NSA=lx_${1}a_$$ NSB=lx_${1}b_$$
	lx_netns_add "$NSA" "$NSB" || lx_fail "lw_pair: netns" || return 1
	# Each lx0 on a veth that is up at both ends: with its lower
	# without carrier, lx0 could send only once linkwatch ran.  (Batched:
	# on the debug kernel starting ip costs more than its requests.)
	lx_ok ip -n "$NSA" link add vA up type veth peer name vB netns "$NSB" ||
		return 1
	lx_ok ip -n "$NSB" -batch - <<-EOF || return 1
		link set vB up
		link add lx0 link vB up type lynx
	EOF
	lx_ok ip -n "$NSA" link add lx0 link vA up type lynx || return 1
	NODEA=$(lx_node "$NSA") && NODEB=$(lx_node "$NSB") ||
		lx_fail "lw_pair: node ids" || return 1
	# The first datagram each way is a broadcast on lx0 (out of the
	# veth), and teaches the receiver the sender's node.
	lx_pair_hear "$NSA" "$NSB" "$NODEB" 6100 pair.b hello-b || return 1
	lx_pair_hear "$NSB" "$NSA" "$NODEA" 6101 pair.a hello-a || return 1
}

# Waits (up to 10 s, times LX_SLOW) for DEV in NS to show "state STATE".
lw_wait_state() {	# ns dev state
	local i
	local out
	for ((i = 0; i < 10 * LX_SLOW * 20; i++)); do
		out=$(ip -n "$1" link show "$2")
		[[ $out == *"state $3 "* ]] && return 0
		lx_nap
	done
	lx_show "$out"
	return 1
}

# (a) lx0@vA of kind lynx, with vA's address and MTU, fixed in its
# namespace.
test_show() {
	local out mac
	lw_pair show || return 1
	out=$(ip -n "$NSA" -d link show lx0) || return 1
	lx_show "$out"
	[[ $out == *'lx0@vA:'* ]] || lx_fail "lx0 not shown as lx0@vA" || return 1
	lx_has "$out" '(^|[^[:alnum:]_])lynx($|[^[:alnum:]_])' ||
		lx_fail "kind lynx not shown" || return 1
	[[ $out == *'mtu 1500 '* ]] || lx_fail "mtu is not vA's 1500" || return 1
	mac=$(lx_mac "$NSA" vA) && [ -n "$mac" ] ||
		lx_fail "no address on vA" || return 1
	[ "$(lx_mac "$NSA" lx0)" = "$mac" ] ||
		lx_fail "lx0's address is not vA's" || return 1
	# No segment: lynx_tool finds no IFLA_LYNX_SEGMENT.
	lx_not "$TOOL" -N "$NSA" link show lx0 || return 1
	# netns-local: it stays with its lower.
	lx_not ip -n "$NSA" link set lx0 netns "$NSB" || return 1
	ip -n "$NSA" link show lx0 >/dev/null 2>&1 ||
		lx_fail "lx0 left its namespace" || return 1
	# Its address is its lower's, and follows it.
	lx_not ip -n "$NSA" link set lx0 address 02:00:00:00:00:01 || return 1
	lx_ok ip -n "$NSA" link set vA address 02:11:22:33:44:55 || return 1
	[ "$(lx_mac "$NSA" lx0)" = 02:11:22:33:44:55 ] ||
		lx_fail "lx0 did not follow vA's new address" || return 1
	# Its operstate follows its lower's (through linkwatch: not at once).
	lx_ok ip -n "$NSA" link set vA down || return 1
	lw_wait_state "$NSA" lx0 LOWERLAYERDOWN ||
		lx_fail "lx0 not LOWERLAYERDOWN with vA down" || return 1
	lx_ok ip -n "$NSA" link set vA up || return 1
	lw_wait_state "$NSA" lx0 UP || lx_fail "lx0 not UP again with vA" || return 1
}

# (b) Datagrams both ways (lw_pair sent one each way), more of them,
# counted on lx0 and learned behind it.
test_dgram() {
	local tx0 rx0 tx1 rx1 out
	lw_pair dg || return 1
	tx0=$(lx_link_stat "$NSA" lx0 tx) && rx0=$(lx_link_stat "$NSB" lx0 rx) ||
		lx_fail "no packet counters" || return 1
	lx_recv_bg "$NSB" "$LX_TMP/dg.b" -t 15000 6200 10 || return 1
	lx_ok "$TOOL" -N "$NSA" send -c 10 "$NODEB" 6200 a-to-b || return 1
	lx_wait_pid "$LX_PID" || lx_fail "10 datagrams A->B not received" || return 1
	lx_file_has "$LX_TMP/dg.b" "^from $NODEA\\(.*a-to-b" || lx_fail "wrong sender" || return 1
	lx_recv_bg "$NSA" "$LX_TMP/dg.a" -t 15000 6201 10 || return 1
	lx_ok "$TOOL" -N "$NSB" send -c 10 "$NODEA" 6201 b-to-a || return 1
	lx_wait_pid "$LX_PID" || lx_fail "10 datagrams B->A not received" || return 1
	tx1=$(lx_link_stat "$NSA" lx0 tx) && rx1=$(lx_link_stat "$NSB" lx0 rx) ||
		lx_fail "no packet counters" || return 1
	lx_log "A lx0 tx $tx0 -> $tx1, B lx0 rx $rx0 -> $rx1"
	[ $((tx1 - tx0)) -ge 10 ] || lx_fail "A lx0 tx packets did not move" || return 1
	[ $((rx1 - rx0)) -ge 10 ] || lx_fail "B lx0 rx packets did not move" || return 1
	out=$("$TOOL" -N "$NSA" cat /proc/net/lynx_neigh)
	lx_show "$out"
	[[ $out == *lx0* ]] || lx_fail "B not learned behind lx0" || return 1
}

# (c) 8 MiB A -> B, byte-exact: 2 on the debug kernel, which is there
# for memory and locking errors, not volume (lynx_volume() in
# lynx_util.h).
test_stream() {
	local f=$LX_TMP/xfer sa sb rc rx tx mb=8
	[ "$LX_SLOW" -gt 2 ] && mb=2
	lw_pair st || return 1
	head -c "${mb}M" /dev/urandom > "$f.in" || return 1
	sa=$(sha256sum < "$f.in" | cut -d' ' -f1)
	"$TOOL" -N "$NSB" stream-recv -t 30000 7600 > "$f.out" 2> "$f.rx" &
	rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && lx_file_has "$f.rx" '^ready' ||
		lx_fail "receiver not ready" || return 1
	"$TOOL" -N "$NSA" stream-send -t 30000 "$NODEB" 7600 < "$f.in" 2> "$f.tx" &
	tx=$!
	lx_wait_pid "$tx" 90; rc=$?
	lx_log "sender: exit $rc: $(tr '\n' ' ' < "$f.tx")"
	lx_wait_pid "$rx" 30 || rc=1
	lx_log "receiver: $(tr '\n' ' ' < "$f.rx")"
	[ "$rc" -eq 0 ] || lx_fail "transfer of $mb MiB failed" || return 1
	sb=$(sha256sum < "$f.out" | cut -d' ' -f1)
	[ "$sa" = "$sb" ] || lx_fail "sha256 differs: sent $sa received $sb" || return 1
}

# (d) SOCK_SEQPACKET: each message arrives whole and alone, empty ones
# and ones of many frames too.
test_seqpacket() {
	local f=$LX_TMP/seq rx tx sizes="1 0 1400 1401 5000 60000 3" want s
	lw_pair sq || return 1
	"$TOOL" -N "$NSB" seq-recv -t 30000 7700 > "$f.out" 2> "$f.rx" &
	rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && lx_file_has "$f.rx" '^ready' ||
		lx_fail "receiver not ready" || return 1
	# shellcheck disable=SC2086
	"$TOOL" -N "$NSA" seq-send -t 30000 "$NODEB" 7700 $sizes 2> "$f.tx" &
	tx=$!
	lx_wait_pid "$tx" 60 || lx_fail "seq-send failed: $(tr '\n' ' ' < "$f.tx")" ||
		return 1
	lx_wait_pid "$rx" 30 || lx_fail "seq-recv failed: $(tr '\n' ' ' < "$f.rx")" ||
		return 1
	lx_show "$(< "$f.out")"
	want=$(for s in $sizes; do echo "msg $s ok"; done; echo eof)
	[ "$(< "$f.out")" = "$want" ] ||
		lx_fail "messages not received one for one" || return 1
}

# tcpdump -i DEV in NS, started and waited for; sets TD_PID.
tcpdump_bg() {	# ns dev count file
	lx_in "$1" tcpdump -Z root -i "$2" -U -c "$3" -w "$4" \
		ether proto 0x88b5 2> "$4.err" &
	TD_PID=$!
	lx_wait_for "$4.err" 'listening on' 10 "$TD_PID"
}

# (e) On the wire: a lynx frame from vA's address on vB.
test_tcpdump() {
	local f=$LX_TMP/cap.pcap pay=LOWERPAYLOAD-0123456789 mac out
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return $KSFT_SKIP; }
	lw_pair td || return 1
	mac=$(lx_mac "$NSA" vA)
	tcpdump_bg "$NSB" vB 1 "$f" || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 6500 "$pay" || return 1
	lx_wait_pid "$TD_PID" 10 || lx_fail "tcpdump on vB captured nothing" || return 1
	out=$(tcpdump -r "$f" -e -nn 2>/dev/null)
	lx_show "$out"
	[[ ${out,,} == *0x88b5* ]] ||
		lx_fail "no EtherType 0x88b5 frame on vB" || return 1
	lx_has "${out,,}" "^[^ ]* $mac >" ||
		lx_fail "the frame is not from vA's address $mac" || return 1
	[[ $(lx_frame_hex "$f") == *$(lx_str_hex "$pay")* ]] ||
		lx_fail "payload not in the frame" || return 1
}

# The first lynx frame of a capture: "zero" (its csum field 0, left to
# the device), "good" (the lynx checksum is right) or "bad".
frame_csum() {	# file
	local h n i sum=0
	h=$(lx_frame_hex "$1")
	h=${h:28}			# the lynx header, after Ethernet
	[ "${#h}" -ge 72 ] || { echo short; return; }
	n=$((36 + 16#${h:8:4}))		# header and payload bytes
	[ "${#h}" -ge $((n * 2)) ] || { echo short; return; }
	[ "${h:12:4}" = 0000 ] && { echo zero; return; }
	h=${h:0:n * 2}
	((n & 1)) && h+=00
	for ((i = 0; i < ${#h}; i += 4)); do
		sum=$((sum + 16#${h:i:4}))
	done
	while ((sum >> 16)); do
		sum=$(((sum & 0xffff) + (sum >> 16)))
	done
	[ "$sum" = 65535 ] && echo good || echo bad
}

# (e2) The lower decides the checksum lynx leaves to the device: a veth
# (checksum offload on) carries the frame on unsummed, its peer in
# memory, and B takes it; with vA's offload off, the kernel sums it in
# software before it leaves vA, and B takes it summed.
test_csum() {
	local f pay=LOWERCSUM-0123456789 want got
	command -v tcpdump >/dev/null || { lx_skip "no tcpdump"; return $KSFT_SKIP; }
	command -v ethtool >/dev/null || { lx_skip "no ethtool"; return $KSFT_SKIP; }
	lw_pair ck || return 1
	for want in zero good; do
		if [ "$want" = good ]; then
			lx_ok lx_in "$NSA" ethtool -K vA tx off || return 1
		fi
		# A file of its own: tcpdump_bg waits for "listening on" in
		# FILE.err, which an earlier capture's must not answer.
		f=$LX_TMP/csum-$want.pcap
		tcpdump_bg "$NSB" vB 1 "$f" || return 1
		lx_recv_bg "$NSB" "$LX_TMP/ck.rx" -t 10000 6510 1 || return 1
		lx_ok "$TOOL" -N "$NSA" send "$NODEB" 6510 "$pay" || return 1
		lx_wait_pid "$LX_PID" || lx_fail "B did not receive ($want)" || return 1
		lx_wait_pid "$TD_PID" 10 || lx_fail "tcpdump on vB captured nothing" || return 1
		got=$(frame_csum "$f") || lx_fail "cannot read the capture" || return 1
		lx_log "vA's offload $([ "$want" = zero ] && echo on || echo off): checksum on vB $got"
		[ "$got" = "$want" ] || lx_fail "checksum on vB $got, want $want" || return 1
	done
}

# (f) A veth without a lynx device delivers nothing to lynx: C's lx0
# broadcasts out of vC, vD has no lynx device, D counts drop_device and
# its socket hears nothing.
test_no_upper() {
	local nsc nsd noded d0 d1 i rc
	nsc=$(lx_netns nuc) && nsd=$(lx_netns nud) || return 1
	lx_ok ip -n "$nsc" link add vC type veth peer name vD netns "$nsd" ||
		return 1
	lx_ok ip -n "$nsc" link set vC up || return 1
	lx_ok ip -n "$nsd" link set vD up || return 1
	lx_ok ip -n "$nsc" link add lx0 link vC up type lynx || return 1
	noded=$(lx_node "$nsd") || return 1
	d0=$(lx_stat "$nsd" drop_device)
	lx_recv_bg "$nsd" "$LX_TMP/nu.d" -t 3000 6300 1 || return 1
	lx_ok "$TOOL" -N "$nsc" send "$noded" 6300 not-for-vD || return 1
	for ((i = 0; i < 10 * LX_SLOW * 20; i++)); do
		d1=$(lx_stat "$nsd" drop_device)
		[ "${d1:-0}" -gt "${d0:-0}" ] && break
		lx_nap
	done
	lx_log "D drop_device $d0 -> $d1"
	[ "${d1:-0}" -gt "${d0:-0}" ] ||
		lx_fail "the frame on vD was not counted in drop_device" || return 1
	lx_wait_pid "$LX_PID" 20; rc=$?
	[ "$rc" -eq 2 ] || lx_fail "D's socket: exit $rc, not a timeout" || return 1
	! lx_file_has "$LX_TMP/nu.d" '^from' || lx_fail "D heard C through vD" || return 1
}

# (g) The lower's MTU bounds lx0's, and so the largest datagram.
test_mtu() {
	local out
	lw_pair mtu || return 1
	out=$(ip -n "$NSA" -d link show lx0)
	[[ $out == *maxmtu* ]] || lx_fail "no maxmtu shown" || return 1
	lx_not ip -n "$NSA" link set lx0 mtu 1501 || return 1
	lx_ok ip -n "$NSA" link set vA mtu 1280 || return 1
	out=$(ip -n "$NSA" link show lx0)
	[[ $out == *'mtu 1280 '* ]] ||
		lx_fail "lx0's mtu did not follow vA's down to 1280" || return 1
	lx_not ip -n "$NSA" link set lx0 mtu 1281 || return 1
	lx_ok ip -n "$NSA" link set lx0 mtu 1000 || return 1
	lx_ok ip -n "$NSA" link set lx0 mtu 1280 || return 1
	# 36 bytes of lynx header.
	lx_ok "$TOOL" -N "$NSA" send -s 1244 "$NODEB" 6400 || return 1
	[[ $("$TOOL" -N "$NSA" send -s 1245 "$NODEB" 6400) == *EMSGSIZE* ]] ||
		lx_fail "1245 bytes on mtu 1280 did not give EMSGSIZE" || return 1
	lx_recv_bg "$NSB" "$LX_TMP/mtu.b" -t 15000 6401 1 || return 1
	lx_ok "$TOOL" -N "$NSA" send -s 1244 "$NODEB" 6401 || return 1
	lx_wait_pid "$LX_PID" || return 1
	lx_file_has "$LX_TMP/mtu.b" 'len 1244 ' || lx_fail "1244 bytes not received" || return 1
}

# (h) "ip link del vA" (which takes vB with it) under a running stream:
# both lx0 go, both ends fail within the bound, nothing hangs, and A has
# no way to B any more.
test_lower_deleted() {
	local f=$LX_TMP/ld t0 dt rx tx out i
	lw_pair ld || return 1
	( "$TOOL" -N "$NSB" stream-recv -t $((DEAD_BOUND * 1000)) -k 500 7800 \
		2> "$f.rx" | { head -c 1048576 > "$f.first"; cat > /dev/null; } ) &
	rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && lx_file_has "$f.rx" '^ready' ||
		lx_fail "receiver not ready" || return 1
	"$TOOL" -N "$NSA" stream-send -t $((DEAD_BOUND * 1000)) "$NODEB" 7800 \
		< /dev/zero 2> "$f.tx" &
	tx=$!
	lx_wait_for "$f.tx" '^(connected|error|timeout)' 20 "$tx" &&
		lx_file_has "$f.tx" '^connected' || lx_fail "not connected" || return 1
	lx_wait_for "$f.rx" '^accepted' 10 "$rx" || return 1
	# Some data moved before the delete.
	for ((i = 0; i < 30 * LX_SLOW * 4; i++)); do
		[ "$(stat -c %s "$f.first" 2>/dev/null || echo 0)" -ge 1048576 ] && break
		lx_nap 0.25
	done
	[ "$(stat -c %s "$f.first")" -ge 1048576 ] ||
		lx_fail "1 MiB did not arrive before the delete" || return 1
	lx_ok ip -n "$NSA" link del vA || return 1
	t0=$SECONDS
	lx_not ip -n "$NSA" link show lx0 || return 1
	lx_not ip -n "$NSB" link show lx0 || return 1
	lx_wait_for "$f.tx" '^(error|timeout|sent)' $DEAD_WAIT "$tx" ||
		lx_fail "writer still blocked after $((SECONDS - t0))s" || return 1
	dt=$((SECONDS - t0))
	lx_log "writer after ${dt}s (bound ${DEAD_BOUND}s): $(tr '\n' ' ' < "$f.tx")"
	lx_file_has "$f.tx" '^error (ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)' ||
		lx_fail "writer did not get a connection error" || return 1
	[ "$dt" -le "$DEAD_BOUND" ] ||
		lx_fail "writer noticed after ${dt}s, not within ${DEAD_BOUND}s" || return 1
	lx_wait_for "$f.rx" '^(error|timeout|received)' $DEAD_WAIT "$rx" ||
		lx_fail "reader still blocked after $((SECONDS - t0))s" || return 1
	dt=$((SECONDS - t0))
	lx_log "reader after ${dt}s: $(tr '\n' ' ' < "$f.rx")"
	lx_file_has "$f.rx" '^error (ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)' ||
		lx_fail "reader did not get a connection error" || return 1
	[ "$dt" -le "$DEAD_BOUND" ] ||
		lx_fail "reader noticed after ${dt}s, not within ${DEAD_BOUND}s" || return 1
	lx_wait_pid "$tx" 10
	lx_wait_pid "$rx" 10
	# No device leads anywhere: ENETUNREACH at once.
	out=$(timeout 10 "$TOOL" -N "$NSA" send "$NODEB" 7801 gone)
	lx_log "send after delete: $out"
	[ "$out" = "error ENETUNREACH" ] ||
		lx_fail "send after delete: '$out', not ENETUNREACH" || return 1
}

# (h) The lower moving to another namespace takes lx0 away too; the
# moved veth delivers nothing to lynx there, and a new lx0 on it works.
test_lower_moved() {
	local nsc
	lw_pair mv || return 1
	nsc=$(lx_netns mvc) || return 1
	lx_ok ip -n "$NSA" link set vA netns "$nsc" || return 1
	lx_not ip -n "$NSA" link show lx0 || return 1
	lx_not ip -n "$nsc" link show lx0 || return 1
	lx_ok ip -n "$nsc" link set vA up || return 1
	lx_ok ip -n "$nsc" link add lx0 link vA up type lynx || return 1
	# B's neighbour entry for A still names B's lx0: C is a new node.
	lx_pair_hear "$nsc" "$NSB" "$NODEB" 6900 mv.b from-c || return 1
}

lynx_err() {	# expected-errno lynx_tool-args...: the request must fail so
	local want=$1 out
	shift
	out=$("$TOOL" "$@")
	lx_log "lynx_tool $*: $out"
	[[ $out == "error $want"* ]] || lx_fail "'$*' gave '$out', not $want"
}

# (i) The requests refused.
test_errors() {
	local ns
	ns=$(lx_netns err) || return 1
	lx_ok ip -n "$ns" link add vE type veth peer name vF || return 1
	lx_ok ip -n "$ns" link add lxs type lynx || return 1
	lx_ok "$TOOL" -N "$ns" link add lx0 link vE || return 1
	lx_show "$(ip -n "$ns" -d link show lx0)"
	lynx_err EINVAL -N "$ns" link add lx1 link lx0 || return 1
	lynx_err EINVAL -N "$ns" link add lx1 link lxs || return 1
	lynx_err EINVAL -N "$ns" link add lx1 link lynxlo || return 1
	lynx_err EINVAL -N "$ns" link add lx1 link lo || return 1
	lynx_err EBUSY -N "$ns" link add lx1 link vE || return 1
	lynx_err EINVAL -N "$ns" link add lx1 segment 0 link vF || return 1
	lynx_err EINVAL -N "$ns" link add lx1 segment 7 link vF || return 1
	lx_not ip -n "$ns" link show lx1 || return 1
	# vF is still free; "ip link add" takes it, and "ip link del" the
	# stacked devices as any other.
	lx_ok ip -n "$ns" link add lx1 link vF type lynx || return 1
	lx_ok ip -n "$ns" link del lx1 || return 1
	lx_ok ip -n "$ns" link del lx0 || return 1
	lx_ok ip -n "$ns" link add lx0 link vE type lynx || return 1
}

lx_test show test_show
lx_test dgram test_dgram
lx_test stream test_stream
lx_test seqpacket test_seqpacket
lx_test tcpdump test_tcpdump
lx_test csum test_csum
lx_test no_upper test_no_upper
lx_test mtu test_mtu
lx_test lower_deleted test_lower_deleted
lx_test lower_moved test_lower_moved
lx_test errors test_errors
lx_finish
