#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# lynx SOCK_STREAM between two namespaces joined by lynx devices: a large
# transfer through a link that loses, reorders, duplicates and corrupts
# frames (netem on both devices) arrives byte-identical; a peer whose
# device is deleted mid-connection makes the reader fail (ECONNRESET or
# ETIMEDOUT) within a bound instead of hanging; deleting a namespace that
# holds an established connection makes the other side fail within a bound.
#
# LYNX_STREAM_MB (default 16, 8 on the debug kernel) sets the size of the
# transfer, LYNX_STREAM_TIMEOUT (default 240 s, 600 on the debug kernel)
# its time limit.
. "$(dirname "$0")/lynx_lib.bash"

MB=${LYNX_STREAM_MB:-16}
XFER_TIMEOUT=${LYNX_STREAM_TIMEOUT:-240}
# The debug kernel (KASAN, lockdep, kmemleak) is ten times slower: it is
# there to catch memory and locking errors, which every retransmission
# path meets in 8 MiB as well.  Jumbo frames there keep the run short
# too: 900 segments for 8 MiB.  The stock kernel moves 16 MiB in
# 1500-byte frames (not the devices' default 65535: the many segments
# are the point): 11,500 segments, some 1,100 of them lost, 550
# corrupted copies and thousands reordered each way; alone it takes 10 to
# 15 s, but beside make check's other guests five times as long (64 MiB
# outgrew the test's 300 s there).
XFER_MTU=1500
if [ "${LYNX_KERNEL:-stock}" = debug ]; then
	MB=${LYNX_STREAM_MB:-8}
	XFER_TIMEOUT=${LYNX_STREAM_TIMEOUT:-600}
	XFER_MTU=9000
fi
# How long a side may take to notice a dead connection: unacknowledged
# data is retransmitted LYNX_DATA_RETRIES (10) times, after timeouts
# doubling from the RTO up to LYNX_RTO_MAX (2 s), then the connection
# aborts: about 10.5 s from the 20 ms floor, (10 + 1) * 2 s = 22 s at the
# most, whatever the RTT made the RTO.  The reader's keepalive byte goes
# out every 0.5 s.  Margin: 2.5 s.  25 s on the stock kernel (measured:
# 11 s); on the debug kernel, whose timers' work runs late under load (18
# to more than 33 s seen), the whole bound times LX_SLOW.
DEAD_ABORT=22
DEAD_BOUND=$(( (DEAD_ABORT * 10 + 5 + 25) * LX_SLOW / 10 ))
# The wait for it: 10 s more, for lx_wait_for (which scales by LX_SLOW).
DEAD_WAIT=$(( (DEAD_BOUND + 10 + LX_SLOW - 1) / LX_SLOW ))

# Waits until FILE is at least BYTES long, up to SECONDS; gives up early
# when PID has exited.
st_wait_size() {
	local file=$1 bytes=$2 t=$3 pid=${4:-} i sz
	# stat is a process: poll every 250 ms, not every 50.
	for ((i = 0; i < t * 4; i++)); do
		sz=$(stat -c %s "$file" 2>/dev/null || echo 0)
		[ "$sz" -ge "$bytes" ] && return 0
		if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
			break
		fi
		lx_nap 0.25
	done
	lx_log "timed out waiting for $bytes bytes in $file (has ${sz:-0})"
	return 1
}

st_show_log() { sed 's/^/#   /' "$1" 2>/dev/null | head -20; }

# lx_pair, showing the datagram tool's output when it fails.
st_pair() {
	lx_pair "$1" && return 0
	lx_log "lx_pair $1 failed; pair.b, pair.a:"
	st_show_log "$LX_TMP/pair.b"
	st_show_log "$LX_TMP/pair.a"
	return 1
}

# Starts a streaming connection A -> B on PORT: the sender copies
# /dev/zero forever, the receiver (sending a keepalive byte back every
# 500 ms) keeps the first MiB in FILE.first and discards the rest.  Sets
# ST_TX ST_RX (pids); status lines in FILE.tx and FILE.rx.  Returns once
# 1 MiB has arrived.
st_stream_bg() {
	local port=$1 f=$2
	( "$TOOL" -N "$NSB" stream-recv -t $((DEAD_BOUND * 1000)) -k 500 \
		"$port" 2> "$f.rx" | { head -c 1048576 > "$f.first"; cat > /dev/null; } ) &
	ST_RX=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$ST_RX" && lx_file_has "$f.rx" '^ready' ||
		{ st_show_log "$f.rx"; return 1; }
	"$TOOL" -N "$NSA" stream-send -t $((DEAD_BOUND * 1000)) \
		"$NODEB" "$port" < /dev/zero 2> "$f.tx" &
	ST_TX=$!
	lx_wait_for "$f.tx" '^(connected|error|timeout)' 20 "$ST_TX" &&
		lx_file_has "$f.tx" '^connected' || { st_show_log "$f.tx"; return 1; }
	st_wait_size "$f.first" 1048576 30 "$ST_RX" ||
		{ st_show_log "$f.rx"; st_show_log "$f.tx"; return 1; }
}

test_lossy_transfer() {
	local f=$LX_TMP/xfer sa sb rc t0 dt csum0 csum1 sack0 sack1 dev ts=$SECONDS
	command -v tc >/dev/null || { lx_skip "no tc"; return $KSFT_SKIP; }
	st_pair sx || return 1
	# netem reorders only delayed frames: a small delay makes "reorder"
	# real.  B's device gets the same treatment for the ACKs.
	if [ -n "$XFER_MTU" ]; then
		lx_ok ip -n "$NSA" link set a0 mtu "$XFER_MTU" || return 1
		lx_ok ip -n "$NSB" link set b0 mtu "$XFER_MTU" || return 1
	fi
	head -c "${MB}M" /dev/urandom > "$f.in" || return 1
	sa=$(sha256sum < "$f.in" | cut -d' ' -f1)
	csum0=$(lx_stat "$NSB" drop_csum)
	sack0=$(lx_stat "$NSA" sack_recoveries)

	"$TOOL" -N "$NSB" stream-recv -t 30000 7500 > "$f.out" 2> "$f.rx" &
	local rx=$!
	lx_wait_for "$f.rx" '^(ready|error)' 10 "$rx" && lx_file_has "$f.rx" '^ready' ||
		{ st_show_log "$f.rx"; return 1; }
	# The handshake on a clean link, the data through netem: a SYN or
	# SYN|ACK lost and sent again goes without the SACK offer (lynx(7):
	# an older peer drops unknown flags), and a connection without SACK
	# would leave the recovery below to chance.  The sender reads the
	# data from a FIFO once netem is on.
	rm -f "$f.fifo" && mkfifo "$f.fifo" || return 1
	"$TOOL" -N "$NSA" stream-send -t 30000 "$NODEB" 7500 < "$f.fifo" 2> "$f.tx" &
	local tx=$!
	exec {fifo}> "$f.fifo"
	lx_wait_for "$f.tx" '^(connected|error|timeout)' 20 "$tx" &&
		lx_file_has "$f.tx" '^connected' ||
		{ exec {fifo}>&-; st_show_log "$f.tx"; return 1; }
	for dev in "$NSA a0" "$NSB b0"; do
		set -- $dev
		lx_ok tc -n "$1" qdisc add dev "$2" root netem delay 1ms \
			loss 10% reorder 25% duplicate 5% corrupt 1% limit 100000 ||
			{ exec {fifo}>&-; return 1; }
	done
	t0=$SECONDS
	lx_log "set up in $((t0 - ts)) s"
	cat "$f.in" >&"$fifo" &
	exec {fifo}>&-
	# XFER_TIMEOUT is each kernel's own (their volumes differ), in
	# seconds of that kernel: not scaled by lx_wait_pid again.
	lx_wait_pid "$tx" $(((XFER_TIMEOUT + LX_SLOW - 1) / LX_SLOW)); rc=$?
	dt=$((SECONDS - t0))
	lx_log "sender: exit $rc after ${dt}s: $(tr '\n' ' ' < "$f.tx")"
	lx_wait_pid "$rx" 30 || rc=1
	lx_log "receiver: $(tr '\n' ' ' < "$f.rx")"
	for dev in "$NSA a0" "$NSB b0"; do
		set -- $dev
		tc -n "$1" -s qdisc show dev "$2" | sed 's/^/#   '"$2"': /' | head -4
	done
	csum1=$(lx_stat "$NSB" drop_csum)
	sack1=$(lx_stat "$NSA" sack_recoveries)
	lx_log "B drop_csum: ${csum0:-?} -> ${csum1:-?}; A sack_recoveries: ${sack0:-?} -> ${sack1:-?}"
	[ "$rc" -eq 0 ] || lx_fail "transfer of ${MB} MiB failed" || return 1
	[ "$(stat -c %s "$f.out")" = "$(stat -c %s "$f.in")" ] ||
		lx_fail "received $(stat -c %s "$f.out") bytes, sent $(stat -c %s "$f.in")" ||
		return 1
	sb=$(sha256sum < "$f.out" | cut -d' ' -f1)
	[ "$sa" = "$sb" ] || lx_fail "sha256 differs: sent $sa received $sb" || return 1
	# lynx leaves the checksum to the device and nobody computes it on a
	# segment; netem's corrupt computes it before it damages a frame, so
	# B must have caught some (1% of thousands of frames).
	[ "${csum1:-0}" -gt "${csum0:-0}" ] ||
		lx_fail "B caught no corrupt frame (drop_csum ${csum0:-?} -> ${csum1:-?})" ||
		return 1
	# With 10% loss the sender recovered holes B's SACK blocks showed
	# (296 such recoveries in 16 MiB on stock, 30 and 33 in 8 MiB on
	# debug, 2026-12-06).
	[ "${sack1:-0}" -gt "${sack0:-0}" ] ||
		lx_fail "A began no fast recovery with SACK blocks (sack_recoveries ${sack0:-?} -> ${sack1:-?})" ||
		return 1
	lx_log "${MB} MiB in ${dt}s, sha256 $sa"
}

test_device_deleted() {
	local f=$LX_TMP/dd t0 dt
	st_pair dd || return 1
	st_stream_bg 7501 "$f" || return 1
	# The writer's device goes away: nothing gets through any more.  The
	# reader sends a keepalive byte every 500 ms (-k): as with TCP, only
	# unacknowledged data of its own lets a reader notice a dead peer.
	lx_ok ip -n "$NSA" link del a0 || return 1
	t0=$SECONDS
	lx_wait_for "$f.rx" '^(error|timeout|received)' $DEAD_WAIT "$ST_RX" ||
		lx_fail "reader still blocked after $((SECONDS - t0))s" || return 1
	dt=$((SECONDS - t0))
	lx_log "reader after ${dt}s (bound ${DEAD_BOUND}s): $(tr '\n' ' ' < "$f.rx")"
	lx_file_has "$f.rx" '^error (ECONNRESET|ETIMEDOUT)' ||
		lx_fail "reader did not get ECONNRESET or ETIMEDOUT" || return 1
	[ "$dt" -le "$DEAD_BOUND" ] ||
		lx_fail "reader noticed after ${dt}s, not within ${DEAD_BOUND}s" || return 1
	lx_wait_for "$f.tx" '^(error|timeout|sent)' $DEAD_WAIT "$ST_TX" ||
		lx_fail "writer still blocked after $((SECONDS - t0))s" || return 1
	dt=$((SECONDS - t0))
	lx_log "writer after ${dt}s: $(tr '\n' ' ' < "$f.tx")"
	lx_file_has "$f.tx" '^error ' || lx_fail "writer did not fail" || return 1
	[ "$dt" -le "$DEAD_BOUND" ] ||
		lx_fail "writer noticed after ${dt}s, not within ${DEAD_BOUND}s" || return 1
	lx_wait_pid "$ST_TX" 10
	lx_wait_pid "$ST_RX" 10
	return 0
}

test_netns_deleted() {
	local f=$LX_TMP/nd t0 dt pids
	st_pair nd || return 1
	st_stream_bg 7502 "$f" || return 1
	# B goes away with an established connection and unread data: the
	# name first, then its only processes, which destroys it.
	pids=$(ip netns pids "$NSB")
	lx_ok ip netns del "$NSB" || return 1
	t0=$SECONDS
	[ -n "$pids" ] && kill -9 $pids 2>/dev/null
	lx_wait_for "$f.tx" '^(error|timeout|sent)' $DEAD_WAIT "$ST_TX" ||
		lx_fail "writer still blocked after $((SECONDS - t0))s" || return 1
	dt=$((SECONDS - t0))
	lx_log "writer after ${dt}s (bound ${DEAD_BOUND}s): $(tr '\n' ' ' < "$f.tx")"
	lx_file_has "$f.tx" '^error (ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)' ||
		lx_fail "writer did not get a connection error" || return 1
	[ "$dt" -le "$DEAD_BOUND" ] ||
		lx_fail "writer noticed after ${dt}s, not within ${DEAD_BOUND}s" || return 1
	lx_wait_pid "$ST_TX" 10
	lx_wait_pid "$ST_RX" 10
	# A still works: a new namespace pair can talk.
	if ! st_pair nd2; then
		lx_fail "lynx broken after the namespace deletion"
		return 1
	fi
}

# The transfer may take XFER_TIMEOUT, the receiver 30 s more.
lx_test lossy_transfer test_lossy_transfer 300
lx_test device_deleted test_device_deleted
lx_test netns_deleted test_netns_deleted
lx_finish
