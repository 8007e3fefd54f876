#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lynx between two machines: two guests joined by a virtual Ethernet link
# (scripts/vm-run --pair: virtio-net NICs wired together by QEMU), each
# with "ip link add lx0 link eth0 type lynx".  Both sides run this script
# (LYNX_PAIR_SIDE=a|b) and meet through files in LYNX_PAIR_DIR, shared by
# both.  Datagrams both ways, every one arriving; 64 MiB of stream both
# ways at once, byte-exact; seqpacket boundaries both ways; ECONNREFUSED
# from a port nobody listens on and ETIMEDOUT from a node that does not
# exist, within lynx(7)'s bound; 16 MiB byte-exact through netem on a's
# eth0 (loss, reordering, corruption); b crashing (sysrq b) under a
# stream from a, which must fail within the dead-peer bound; and, b
# booted again (LYNX_PAIR_BOOT=2), a fresh connection.
#
# Each test's result on a counts b's as well (b writes its exit status,
# a waits for it): a's KTAP is the verdict; b prints its own.
#
#   scripts/vm-run --pair --kernel stock --timeout 3000 -- selftests/lynx_pair.sh
#
# Not in selftests/Makefile's list (TEST_PROGS): one guest alone cannot
# run it; make check runs it in a pair of its own (scripts/check).
. "$(dirname "$0")/lynx_lib.bash"

ME=${LYNX_PAIR_SIDE:-}
BOOT=${LYNX_PAIR_BOOT:-1}
D=${LYNX_PAIR_DIR:-}
if [ -z "$ME" ] || [ ! -d "$D" ]; then
	echo "1..0 # SKIP not a side of scripts/vm-run --pair (no LYNX_PAIR_SIDE, LYNX_PAIR_DIR)"
	exit "$KSFT_SKIP"
fi
if [ "$ME" = a ]; then PEER=b; else PEER=a; fi

# Timing, all in stock seconds times LX_SLOW (lynx_util.h's factor, as
# every wait of the shell tests):
# - PAIR_WAIT: the longest one side waits for the other at a barrier.
#   Both run the same steps, but each guest has its own CPU share of a
#   busy host: a minute apart is possible, two are a hang.
PAIR_WAIT=120
# - BOOT_WAIT: for b to boot again after its crash and make lx0 anew
#   (some 15 s alone, much longer beside make check's other guests).
BOOT_WAIT=240
# - CONN_BOUND: a connection attempt to a node that never answers ends
#   with ETIMEDOUT after LYNX_SYN_RETRIES (6) retransmissions of the SYN,
#   timeouts doubling from LYNX_RTO_INIT (200 ms) up to LYNX_RTO_MAX
#   (2 s): 0.2 + 0.4 + 0.8 + 1.6 + 3 * 2 = 9 s (lynx(7), README: "about
#   10 s").  Margin 3 s, plus however late the same timeouts slept in
#   a shell meanwhile woke (lx_lateness_bg: beside make check's other
#   guests, no_node took 12.7 s once).  CONN_MIN: it does not end before
#   its retries (an error at once would be a different bug).
CONN_ABORT=9
CONN_BOUND=$(( (CONN_ABORT + 3) * LX_SLOW ))
CONN_MIN=$(( CONN_ABORT * 2 / 3 ))
# - DEAD_BOUND: a writer to a peer that died notices within
#   LYNX_DATA_RETRIES (10) retransmissions, timeouts doubling from the
#   RTO up to 2 s: about 10.5 s from the 20 ms floor, 22 s at the most
#   (README), plus 3 s: 25 s, as lynx_stream_netns.sh's; plus, as
#   CONN_BOUND, the lateness of the same kind of chain slept meanwhile
#   (31 s once, beside make check's other guests).
DEAD_ABORT=22
DEAD_BOUND=$(( (DEAD_ABORT * 10 + 5 + 25) * LX_SLOW / 10 ))
DEAD_WAIT=$(( (DEAD_BOUND + 10 + LX_SLOW - 1) / LX_SLOW ))
# Volumes: the lossless stream both ways, the lossy one a -> b.
MB=${LYNX_PAIR_MB:-64}
LOSSY_MB=${LYNX_PAIR_LOSSY_MB:-16}
# Each transfer's limit, stock seconds (lx_wait_pid scales them).
XFER_LIMIT=${LYNX_PAIR_XFER_LIMIT:-600}

lx_log "side $ME, boot $BOOT, rendezvous $D; slowdown $LX_SLOW"

# Milliseconds, of the wall clock (bash's own: no process).
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# The current pair test (pair_run sets it): barrier and result files are
# named after it, so a test never meets an earlier test's file.
PT=none

# pair_put NAME VALUE: publishes VALUE as NAME.<this side> in the
# rendezvous directory, whole (written aside, then renamed), so that the
# other side never reads it half-written.
pair_put() {
	printf '%s\n' "$2" > "$D/.$1.$ME.tmp" && mv -f "$D/.$1.$ME.tmp" "$D/$1.$ME"
}

# pair_get NAME: what the other side published as NAME.
pair_get() { cat "$D/$1.$PEER" 2>/dev/null; }

# pair_wait NAME SECONDS: waits for the other side's NAME, up to SECONDS
# (times LX_SLOW).  Gives up early when the other side can no longer
# come: its guest ended (vm-run writes vm-run.exit-SIDE), or, with
# OR_DONE, it finished the current test without publishing NAME.
pair_wait() {	# name seconds [or_done]
	local i
	for ((i = 0; i < $2 * LX_SLOW * 20; i++)); do
		[ -f "$D/$1.$PEER" ] && return 0
		if [ -n "${3:-}" ] && [ -f "$D/$PT.rc.$PEER" ]; then
			lx_log "side $PEER ended $PT (exit $(pair_get "$PT.rc")) without $1"
			return 1
		fi
		if [ -f "$D/vm-run.exit-$PEER" ]; then
			lx_log "side $PEER's guest ended (vm-run exit $(cat "$D/vm-run.exit-$PEER"))"
			return 1
		fi
		lx_nap
	done
	lx_log "no $1 from side $PEER after $(($2 * LX_SLOW)) s"
	return 1
}

# pair_barrier NAME [SECONDS]: both sides reach NAME of the current test
# before either goes on (default bound PAIR_WAIT, times LX_SLOW).
pair_barrier() {
	pair_put "$PT.$1" "$BOOT"
	pair_wait "$PT.$1" "${2:-$PAIR_WAIT}" or_done ||
		lx_fail "barrier $PT.$1: side $PEER did not come"
}

# pair_run NAME FUNC SECONDS [solo]: the body of a pair test: runs FUNC,
# publishes its status and, unless solo, waits (up to SECONDS) for the
# other side's, which fails this side's result too.
pair_run() {
	local rc prc
	PT=$1
	"$2"; rc=$?
	pair_put "$PT.rc" "$rc"
	[ "${4:-}" = solo ] && return "$rc"
	pair_wait "$PT.rc" "$3" || lx_fail "no result from side $PEER" || return 1
	prc=$(pair_get "$PT.rc")
	[ "$rc" -eq 0 ] || return "$rc"
	[ "$prc" = 0 ] || lx_fail "side $PEER failed $PT (exit $prc)"
}

# The other side's node id as it published it at boot N.
peer_node() { pair_get "node$1"; }

lp_show() { sed 's/^/#   /' "$1" 2>/dev/null | head -20; }

# Starts "lynx_tool stream-recv PORT" writing to FILE.out (status lines
# in FILE.rx) and waits for it to listen; sets RX.
lp_stream_recv() {	# port file [args]
	: > "$2.rx"
	"$TOOL" stream-recv -t 30000 "${@:3}" "$1" > "$2.out" 2> "$2.rx" &
	RX=$!
	lx_wait_for "$2.rx" '^(ready|error)' 10 "$RX" && grep -q '^ready' "$2.rx" ||
		{ lp_show "$2.rx"; lx_fail "stream receiver on $1 not ready"; }
}

# lx_wait_pid, but a program still running at the limit is shown first
# (its state, where it sleeps, lynx's sockets): a hang is then a report,
# not only a timeout.
lp_wait() {	# pid seconds
	local pid=$1 t=$2 i
	for ((i = 0; i < t * LX_SLOW * 20; i++)); do
		lx_ended "$pid" && break
		lx_nap
	done
	if ! lx_ended "$pid"; then
		lx_log "pid $pid ($(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)) still running after $((t * LX_SLOW)) s:"
		grep -E '^(State|SigQ|SigPnd|ShdPnd)' "/proc/$pid/status" 2>/dev/null | sed 's/^/#   /'
		lx_log "  wchan $(cat "/proc/$pid/wchan" 2>/dev/null); stack:"
		sed 's/^/#     /' "/proc/$pid/stack" 2>/dev/null
		ls -l "/proc/$pid/fd" 2>/dev/null | sed 's/^/#   fd /'
		sed 's/^/#   lynx: /' /proc/net/lynx
	fi
	lx_wait_pid "$pid" 1
}

# Byte-exact: what this side received in FILE.out against the sha256 the
# sender published as NAME.
lp_check_sha() {	# file name
	local want got
	want=$(pair_get "$2")
	got=$(sha256sum < "$1.out" | cut -d' ' -f1)
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		lx_fail "$(stat -c %s "$1.out") bytes from side $PEER: sha256 $got, sent ${want:-?}"
}

# ---- the tests ---------------------------------------------------------

# lx0 on eth0 and the node ids: every boot's first step (not a test of
# its own on b's second boot, where a is in after_reboot already).
lp_link() {
	local out
	lx_ok ip link add lx0 link eth0 type lynx || return 1
	lx_ok ip link set lx0 up || return 1
	out=$(ip -d link show lx0)
	echo "$out" | sed 's/^/#   /'
	grep -q 'lx0@eth0:' <<<"$out" || lx_fail "lx0 not shown as lx0@eth0" || return 1
	pair_put "node$BOOT" "$("$TOOL" node)"
}

# One datagram each way, each side's first: both learn the other behind
# lx0, and the wire works at all.
lp_hello() {	# port
	local f=$LX_TMP/hello nb=$1 port=$2
	: > "$f.rx"
	"$TOOL" recv -t $((15000 * LX_SLOW)) "$port" 1 > "$f.rx" 2>&1 &
	local rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && grep -q '^ready' "$f.rx" ||
		lx_fail "datagram receiver not ready" || return 1
	pair_barrier hello.ready || return 1
	lx_ok "$TOOL" send "$nb" "$port" "hello-from-$ME" || return 1
	lx_wait_pid "$rx" 20 || { lp_show "$f.rx"; lx_fail "no hello from side $PEER"; } ||
		return 1
	lp_show "$f.rx"
	grep -q "^from $nb(.*hello-from-$PEER" "$f.rx" ||
		lx_fail "the hello is not from side $PEER's node $nb" || return 1
}

test_link() {
	lp_link || return 1
	pair_barrier link || return 1
	lx_log "node $ME $(cat "$D/node1.$ME"), node $PEER $(peer_node 1)"
	lp_hello "$(peer_node 1)" 6100 || return 1
	lx_log "neighbours: $(tr '\n' ' ' < /proc/net/lynx_neigh)"
	grep -q lx0 /proc/net/lynx_neigh || lx_fail "side $PEER not learned behind lx0"
}

# Datagrams both ways at once: every one arrives (the link loses
# nothing: a lost datagram fails), from the peer's node, counted on lx0.
DGRAMS=20
test_dgram() {
	local f=$LX_TMP/dg nb rx n rx0 rx1
	nb=$(peer_node 1)
	rx0=$(cat /sys/class/net/lx0/statistics/rx_packets)
	: > "$f.rx"
	"$TOOL" recv -t $((10000 * LX_SLOW)) 6200 "$DGRAMS" > "$f.rx" 2>&1 &
	rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && grep -q '^ready' "$f.rx" ||
		lx_fail "datagram receiver not ready" || return 1
	pair_barrier ready || return 1
	lx_ok "$TOOL" send -c "$DGRAMS" "$nb" 6200 "dgram-from-$ME" || return 1
	lx_wait_pid "$rx" 20
	n=$(grep -c "^from $nb(.*dgram-from-$PEER" "$f.rx")
	rx1=$(cat /sys/class/net/lx0/statistics/rx_packets)
	lx_log "received $n of $DGRAMS from side $PEER; lx0 rx_packets $rx0 -> $rx1; $(tail -n 1 "$f.rx")"
	[ "$n" -eq "$DGRAMS" ] ||
		lx_fail "$n of $DGRAMS datagrams from side $PEER arrived" || return 1
	[ $((rx1 - rx0)) -ge "$DGRAMS" ] ||
		lx_fail "lx0 counted $((rx1 - rx0)) received frames" || return 1
}

# MB MiB of stream both ways at once, byte-exact.
test_stream() {
	local f=$LX_TMP/st nb tx rc t0 dt
	nb=$(peer_node 1)
	head -c "${MB}M" /dev/urandom > "$f.in" || return 1
	pair_put "$PT.sha" "$(sha256sum < "$f.in" | cut -d' ' -f1)"
	lp_stream_recv 7600 "$f" || return 1
	pair_barrier ready || return 1
	t0=$(now_ms)
	"$TOOL" stream-send -t 30000 "$nb" 7600 < "$f.in" 2> "$f.tx" &
	tx=$!
	lp_wait "$tx" "$XFER_LIMIT"; rc=$?
	dt=$(( $(now_ms) - t0 ))
	lx_log "sent: exit $rc after $dt ms: $(tr '\n' ' ' < "$f.tx")"
	lp_wait "$RX" "$XFER_LIMIT" || rc=1
	dt=$(( $(now_ms) - t0 ))
	lx_log "received: $(tr '\n' ' ' < "$f.rx")after $dt ms"
	[ "$rc" -eq 0 ] || lx_fail "the ${MB} MiB transfers failed" || return 1
	lp_check_sha "$f" "$PT.sha" || return 1
	lx_log "${MB} MiB each way in $dt ms: $(( MB * 2 * 1024 * 1000 / (dt + 1) )) KiB/s together"
}

# SOCK_SEQPACKET both ways at once: each message arrives whole and alone,
# of 1 byte, empty, around lx0's MTU (1500: 1464 bytes of payload in a
# frame), of many frames, and as large as seq-recv takes (64 KiB).
SEQ_SIZES="1 0 1463 1464 1465 9000 65536 3"
test_seqpacket() {
	local f=$LX_TMP/sq nb rx tx want s
	nb=$(peer_node 1)
	: > "$f.rx"
	"$TOOL" seq-recv -t 30000 7700 > "$f.out" 2> "$f.rx" &
	rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && grep -q '^ready' "$f.rx" ||
		lx_fail "seqpacket receiver not ready" || return 1
	pair_barrier ready || return 1
	# shellcheck disable=SC2086
	"$TOOL" seq-send -t 30000 "$nb" 7700 $SEQ_SIZES 2> "$f.tx" &
	tx=$!
	lx_wait_pid "$tx" 60 || lx_fail "seq-send failed: $(tr '\n' ' ' < "$f.tx")" ||
		return 1
	lx_wait_pid "$rx" 60 || lx_fail "seq-recv failed: $(tr '\n' ' ' < "$f.rx")" ||
		return 1
	lp_show "$f.out"
	want=$(for s in $SEQ_SIZES; do echo "msg $s ok"; done; echo eof)
	[ "$(cat "$f.out")" = "$want" ] ||
		lx_fail "messages from side $PEER not received one for one" || return 1
}

# A port nobody listens on, on the other machine: ECONNREFUSED at once
# (the peer's reset), for a stream and a seqpacket socket.
test_refused() {
	local nb out t0 dt type
	nb=$(peer_node 1)
	for type in stream-send seq-send; do
		t0=$(now_ms)
		if [ "$type" = seq-send ]; then
			out=$("$TOOL" seq-send -t 30000 "$nb" 7999 1 2>&1 < /dev/null)
		else
			out=$("$TOOL" stream-send -t 30000 "$nb" 7999 2>&1 < /dev/null)
		fi
		dt=$(( $(now_ms) - t0 ))
		lx_log "$type to $nb:7999 after $dt ms: $out"
		[[ $out == "error ECONNREFUSED"* ]] ||
			lx_fail "$type to a port nobody listens on: '$out', not ECONNREFUSED" ||
			return 1
		[ "$dt" -le $((5000 * LX_SLOW)) ] ||
			lx_fail "ECONNREFUSED after $dt ms, not at once" || return 1
	done
}

# A node that does not exist (on no machine of the link): the SYN goes
# out as a broadcast, nobody answers, connect() fails with ETIMEDOUT
# after its retries, within CONN_BOUND.
test_no_node() {
	local ghost out t0 dt late
	ghost=$(( 0x4c590000 + RANDOM ))
	while [ "$ghost" = "$(peer_node 1)" ] || [ "$ghost" = "$("$TOOL" node)" ]; do
		ghost=$((ghost + 1))
	done
	lx_lateness_bg "$LX_TMP/late" 200 400 800 1600 2000 2000 2000
	t0=$(now_ms)
	out=$(timeout $((CONN_BOUND * 4)) "$TOOL" stream-send -t $((CONN_BOUND * 4000)) \
		"$ghost" 7000 2>&1 < /dev/null)
	dt=$(( $(now_ms) - t0 ))
	lx_lateness "$LX_TMP/late"
	late=$LX_LATE
	lx_log "connect to node $ghost: '$out' after $dt ms (bound $CONN_BOUND s + $late ms late, at least $CONN_MIN s)"
	[[ $out == "error ETIMEDOUT"* ]] ||
		lx_fail "connect to a node that does not exist: '$out', not ETIMEDOUT" ||
		return 1
	[ "$dt" -le $((CONN_BOUND * 1000 + late)) ] ||
		lx_fail "ETIMEDOUT after $dt ms, not within $CONN_BOUND s + $late ms" || return 1
	[ "$dt" -ge $((CONN_MIN * 1000)) ] ||
		lx_fail "ETIMEDOUT after $dt ms, before the SYN's retries (${CONN_MIN} s)" ||
		return 1
}

# LOSSY_MB MiB a -> b, byte-exact, through netem on a's eth0: loss 10%,
# reordering (which netem does to delayed frames only, hence the delay),
# corruption 1% (lynx's checksum drops those, b counts drop_csum).
lp_lossy() {
	local f=$LX_TMP/ls nb rc=0 t0 dt
	nb=$(peer_node 1)
	if [ "$ME" = a ]; then
		lx_ok tc qdisc add dev eth0 root netem delay 1ms loss 10% \
			reorder 25% 50% corrupt 1% limit 100000 || return 1
		head -c "${LOSSY_MB}M" /dev/urandom > "$f.in" || return 1
		pair_put "$PT.sha" "$(sha256sum < "$f.in" | cut -d' ' -f1)"
		pair_barrier ready || return 1
		t0=$(now_ms)
		"$TOOL" stream-send -t 30000 "$nb" 7500 < "$f.in" 2> "$f.tx" &
		lp_wait $! "$XFER_LIMIT"; rc=$?
		dt=$(( $(now_ms) - t0 ))
		lx_log "sent: exit $rc after $dt ms: $(tr '\n' ' ' < "$f.tx")"
		tc -s qdisc show dev eth0 | sed 's/^/#   eth0: /' | head -4
		lx_log "$(grep -E '^(retransmits|fast_retransmits) ' /proc/net/lynx_stat | tr '\n' ' ')"
		[ "$rc" -eq 0 ] || lx_fail "the ${LOSSY_MB} MiB transfer failed" || return 1
	else
		local csum0 csum1
		csum0=$(awk '$1 == "drop_csum" { print $2 }' /proc/net/lynx_stat)
		lp_stream_recv 7500 "$f" || return 1
		pair_barrier ready || return 1
		lp_wait "$RX" "$XFER_LIMIT"; rc=$?
		csum1=$(awk '$1 == "drop_csum" { print $2 }' /proc/net/lynx_stat)
		lx_log "received: exit $rc: $(tr '\n' ' ' < "$f.rx"); drop_csum ${csum0:-?} -> ${csum1:-?}"
		[ "$rc" -eq 0 ] || lx_fail "the ${LOSSY_MB} MiB transfer failed" || return 1
		lp_check_sha "$f" "$PT.sha" || return 1
	fi
}
test_lossy() {
	local rc
	lp_lossy; rc=$?
	# The link is whole again for what follows, pass or fail.
	[ "$ME" = b ] || tc qdisc del dev eth0 root 2>/dev/null
	return "$rc"
}

# b crashes (sysrq b: QEMU stops at once, nothing is sent, the machine is
# gone) under a stream from a: a's writer must fail, ETIMEDOUT or
# ECONNRESET, within DEAD_BOUND of the crash.  vm-run boots b again
# (its reboot file), where after_reboot goes on.
test_dead_peer() {
	local f=$LX_TMP/dp nb tx t0 dt i late
	nb=$(peer_node 1)
	if [ "$ME" = b ]; then
		( "$TOOL" stream-recv -t 600000 7800 2> "$f.rx" |
			{ head -c 1048576 > "$f.first"; cat > /dev/null; } ) &
		lx_wait_for "$f.rx" '^(ready|error)' 10 && grep -q '^ready' "$f.rx" ||
			lx_fail "receiver not ready" || return 1
		pair_barrier ready || return 1
		# Data moves before the crash.
		for ((i = 0; i < 60 * LX_SLOW * 4; i++)); do
			[ "$(stat -c %s "$f.first" 2>/dev/null || echo 0)" -ge 1048576 ] && break
			lx_nap 0.25
		done
		[ "$(stat -c %s "$f.first")" -ge 1048576 ] ||
			lx_fail "1 MiB did not arrive before the crash" || return 1
		lx_log "1 MiB received: crashing (sysrq b)"
		# The kernel log so far, for vm-run's splat check of this
		# boot, and the request to boot again; then the marker a
		# times from.
		dmesg > "$D/reboot-$ME"
		pair_put "$PT.crash" "$(now_ms)"
		echo b > /proc/sysrq-trigger
		lx_nap 60
		lx_fail "still alive after sysrq b"
		return 1
	fi
	pair_barrier ready || return 1
	"$TOOL" stream-send -t $((DEAD_BOUND * 2000)) "$nb" 7800 < /dev/zero 2> "$f.tx" &
	tx=$!
	lx_wait_for "$f.tx" '^(connected|error|timeout)' 20 "$tx" &&
		grep -q '^connected' "$f.tx" || lx_fail "not connected" || return 1
	pair_wait "$PT.crash" "$PAIR_WAIT" || lx_fail "side b did not crash" || return 1
	lx_lateness_bg "$LX_TMP/late" 20 40 80 160 320 640 1280 2000 2000 2000
	t0=$(now_ms)
	lx_wait_for "$f.tx" '^(error|timeout|sent)' $((DEAD_WAIT * 2)) "$tx" ||
		lx_fail "writer still blocked after $(( $(now_ms) - t0 )) ms" || return 1
	dt=$(( $(now_ms) - t0 ))
	lx_lateness "$LX_TMP/late"
	late=$LX_LATE
	lx_log "writer after $dt ms (bound $DEAD_BOUND s + $late ms late): $(tr '\n' ' ' < "$f.tx")"
	grep -Eq '^error (ETIMEDOUT|ECONNRESET)' "$f.tx" ||
		lx_fail "writer did not get ETIMEDOUT or ECONNRESET" || return 1
	[ "$dt" -le $((DEAD_BOUND * 1000 + late)) ] ||
		lx_fail "writer noticed after $dt ms, not within $DEAD_BOUND s + $late ms" || return 1
	lx_wait_pid "$tx" 10
	return 0
}

# b is back (its second boot, a new node id: net.lynx.node is random at
# every boot): a fresh connection works, 1 MiB a -> b byte-exact, and a
# datagram each way.
test_after_reboot() {
	local f=$LX_TMP/ar nb tx rc
	if [ "$ME" = b ]; then
		lp_link || return 1
		nb=$(peer_node 1)
	fi
	pair_barrier up "$BOOT_WAIT" || return 1
	[ "$ME" = b ] || nb=$(peer_node 2)
	lx_log "side $PEER's node now $nb"
	lp_hello "$nb" 6300 || return 1
	if [ "$ME" = a ]; then
		head -c 1M /dev/urandom > "$f.in" || return 1
		pair_put "$PT.sha" "$(sha256sum < "$f.in" | cut -d' ' -f1)"
		pair_barrier ready || return 1
		"$TOOL" stream-send -t 30000 "$nb" 7900 < "$f.in" 2> "$f.tx" &
		tx=$!
		lx_wait_pid "$tx" 60; rc=$?
		lx_log "sent: exit $rc: $(tr '\n' ' ' < "$f.tx")"
		[ "$rc" -eq 0 ] || lx_fail "a fresh connection to side b failed" || return 1
	else
		lp_stream_recv 7900 "$f" || return 1
		pair_barrier ready || return 1
		lx_wait_pid "$RX" 60; rc=$?
		lx_log "received: exit $rc: $(tr '\n' ' ' < "$f.rx")"
		[ "$rc" -eq 0 ] || lx_fail "the fresh connection from side a failed" || return 1
		lp_check_sha "$f" "$PT.sha" || return 1
	fi
}

# lx_test's lines are the budget (selftests/run --budget lynx_pair, make
# check's limit for the pair); pair_run's bound, each test's own.
t_link()	{ pair_run link test_link 60; }
t_dgram()	{ pair_run dgram test_dgram 60; }
t_stream()	{ pair_run stream test_stream 900; }
t_seqpacket()	{ pair_run seqpacket test_seqpacket 120; }
t_refused()	{ pair_run refused test_refused 60; }
t_no_node()	{ pair_run no_node test_no_node 60; }
t_lossy()	{ pair_run lossy test_lossy 600; }
t_dead_peer()	{ pair_run dead_peer test_dead_peer 0 solo; }
t_after_reboot() { pair_run after_reboot test_after_reboot 120; }

if [ "$BOOT" = 1 ]; then
	lx_test link t_link 90
	lx_test dgram t_dgram 90
	lx_test stream t_stream 900
	lx_test seqpacket t_seqpacket 180
	lx_test refused t_refused 90
	lx_test no_node t_no_node 90
	lx_test lossy t_lossy 600
	# Last of b's first boot: b does not come back from it.
	lx_test dead_peer t_dead_peer 240
fi
# a goes on; b, booted again, joins it here.
if [ "$ME" = a ] || [ "$BOOT" -ge 2 ]; then
	lx_test after_reboot t_after_reboot 420
fi
lx_finish
