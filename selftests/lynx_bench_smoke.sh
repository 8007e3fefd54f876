#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench's program, briefly (make bench itself gives numbers, not
# verdicts, and is not part of make check): every figure of bench/lynx_bench
# for a tenth of a second against lynx and one peer, and across two
# namespaces joined by lynx devices.  Each run must exit 0 and print one
# well-formed line, "bench FIGURE FAMILY value=V unit=U ...", with V > 0.
. "$(dirname "$0")/lynx_lib.bash"

# bench/lynx_bench.c, as make selftests builds it for this test (make bench
# builds its own copy in bench/).
BENCH=$LX_DIR/lynx_bench

# bs_check FIGURE FAMILY OUTPUT: one line, its fields in order, a positive
# value.  In bash alone: under TCG every process started from the 9p root
# costs a good part of a second.
bs_check() {
	local f v
	[ -n "$3" ] && [[ $3 != *$'\n'* ]] || return 1
	read -r -a f <<< "$3"
	[ "${f[0]}" = bench ] && [ "${f[1]:-}" = "$1" ] && [ "${f[2]:-}" = "$2" ] ||
		return 1
	[[ ${f[3]:-} =~ ^value=([0-9][0-9.]*(e[+-][0-9]+)?)$ ]] || return 1
	v=${BASH_REMATCH[1]}
	[[ ${f[4]:-} =~ ^unit=[A-Za-z/]+$ ]] || return 1
	# Not negative (no sign above): positive when a digit of its
	# mantissa is not 0.
	[[ ${v%%e*} =~ [1-9] ]]
}

# bs_run FIGURE FAMILY [ARGS...]: one short run, checked.
bs_run() {
	local out rc
	[ -x "$BENCH" ] || lx_fail "no $BENCH (make selftests)" || return 1
	# (no timeout(1) around it: lx_test's watchdog ends a hung test)
	out=$("$BENCH" "$@" -t 0.1 2>&1); rc=$?
	[ "$rc" -eq 0 ] || lx_fail "lynx_bench $*: exit $rc: $out" || return 1
	bs_check "$1" "$2" "$out" ||
		lx_fail "lynx_bench $*: malformed or zero: $out" || return 1
	lx_log "$out"
}

# The checker itself: what it must refuse.
test_checker() {
	local bad good
	for bad in "" "bench rr lynx value=0 unit=us" "bench rr lynx value=-3 unit=us" \
		   "bench rr lynx value=nan unit=us" "bench rr tcp value=5 unit=us" \
		   "bench rr lynx value=0.000 unit=us" "bench crr lynx value=5 unit=us" \
		   "bench rr lynx unit=us value=5" "bench rr lynx value=5" \
		   "bench rr lynx value=5 unit=us
bench rr lynx value=5 unit=us" "lynx_bench: rr lynx connect: refused"; do
		if bs_check rr lynx "$bad"; then
			lx_fail "the checker took \"$bad\""
			return 1
		fi
	done
	for good in "bench rr lynx value=12.5 unit=us count=3" \
		    "bench rr lynx value=1.2e+06 unit=conn/s" "bench rr lynx value=3e-05 unit=us"; do
		bs_check rr lynx "$good" ||
			lx_fail "the checker refused \"$good\"" || return 1
	done
}

# mem first: its Slab delta is the figure most disturbed by what the tests
# before it left to free.
test_mem() {
	bs_run mem lynx -n 300 -p 7901 && bs_run mem tcp -n 300 -p 7901
}

test_stream() {
	bs_run stream lynx -s 65536 -p 7902 && bs_run stream unix -s 65536 -p 7902 &&
	bs_run stream lynx -s 1024 -p 7903 && bs_run stream unix -s 1024 -p 7903
}

test_rr() {
	bs_run rr lynx -p 7904 && bs_run rr tcp -p 7904 &&
	bs_run dgram-rr lynx -p 7905 && bs_run dgram-rr udp -p 7905
}

test_crr() {
	bs_run crr lynx -p 7906 && bs_run crr tcp -p 7906
}

test_connlat() {
	bs_run connlat lynx -n 100 -p 7907 && bs_run connlat tcp -n 100 -p 7907
}

test_loopback() {
	test_mem && test_stream && test_rr && test_crr && test_connlat
}

# Across two namespaces joined by lynx devices (make bench's netns and
# lossy figures), the server in B, the client in A.
test_netns() {
	lx_pair bs || return 1
	bs_run stream lynx -S "$NSB" -C "$NSA" -L "$NODEB" -p 7908 &&
	bs_run rr lynx -S "$NSB" -C "$NSA" -L "$NODEB" -p 7909
}

lx_test checker test_checker 30
# One test for all the loopback figures: each lx_test costs seconds of
# its own in a guest on a busy host.
lx_test loopback test_loopback 60
lx_test netns test_netns 30
lx_finish
