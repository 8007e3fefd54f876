#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Segments against an unprivileged user: "nobody" with "unshare -Urn" (root
# of its own user and network namespace, CAP_NET_ADMIN there and nowhere
# else) may not put a device on the host's segment, and whatever devices it
# can make, it neither hears nor reaches the host's lynx traffic.  It may
# make segments of its own and use them among its own namespaces.
#
# Needs a guest whose root is not a chroot (vm-run's default, switch_root):
# a chrooted process may not create a user namespace.
. "$(dirname "$0")/lynx_lib.bash"

# Nobody reaches its scratch (lx_unpriv_dir) through LX_TOP.
chmod 711 "$LX_TOP"

# A directory of the running test that nobody may write to; prints it.  It
# holds "nap", a FIFO nobody's scripts wait on as lx_nap does.
lx_unpriv_dir() {
	mkdir -m 777 "$LX_TMP/u" && chmod 711 "$LX_TMP" &&
		mkfifo -m 666 "$LX_TMP/u/nap" && echo "$LX_TMP/u"
}

# Runs CMD... as nobody, root of a new user and network namespace.
lx_unpriv() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare --user --map-root-user --net "$@"
}

test_userns_available() {
	lx_ok lx_unpriv true ||
		lx_fail "no user namespace for nobody (a chrooted guest? LYNX_VM_ROOT=chroot)"
}

# The default segment belongs to the initial user namespace.
test_default_segment_refused() {
	local out
	out=$(lx_unpriv ip link add evil type lynx 2>&1)
	[ $? -ne 0 ] || lx_fail "nobody put a device on the default segment" || return 1
	lx_log "ip link add: $out"
	lx_has "$out" 'Operation not permitted|no CAP_NET_ADMIN' ||
		lx_fail "not EPERM: $out" || return 1
	out=$(lx_unpriv "$TOOL" link add evil segment 0 2>&1)
	[ $? -ne 0 ] || lx_fail "nobody joined segment 0 by number" || return 1
	lx_log "lynx_tool link add: $out"
	lx_has "$out" '^error EPERM' || lx_fail "not EPERM: $out" || return 1
	# Nor may it take a number reserved for the host, free as it is.
	out=$(lx_unpriv "$TOOL" link add evil segment 65535 2>&1)
	[ $? -ne 0 ] || lx_fail "nobody made segment 65535" || return 1
	lx_has "$out" '^error EPERM' || lx_fail "not EPERM: $out" || return 1
}

# The attacker's side: every lynx device it can make, up and promiscuous.
# Prints the devices it got.
unpriv_devices='
	ip link add evil0 type lynx 2>/dev/null
	"$TOOL" link add evil1 segment 70000 >/dev/null
	devs=
	for d in evil0 evil1; do
		ip link set "$d" up promisc on 2>/dev/null && devs="$devs $d"
	done
'

test_no_sniff() {
	local secret=HOSTSECRET-$$-$RANDOM fifo=$LX_TMP/stop out=$LX_TMP/sniff.out w pid line
	lx_pair sniff || return 1
	lx_recv_bg "$NSB" "$LX_TMP/b.out" -t 120000 7100 1 || return 1
	# The sniffer runs until its stdin, a FIFO only this shell writes to,
	# closes, then a second more.  (Its open waits for the writer's.)
	mkfifo -m 600 "$fifo"
	TOOL=$TOOL lx_unpriv bash -c "$unpriv_devices"'
		echo "devices:$devs"
		exec "$TOOL" sniff -t 1000 "$1" $devs' sniff "$secret" \
		< "$fifo" > "$out" 2>&1 &
	pid=$!
	exec {w}>"$fifo"
	if ! { lx_wait_for "$out" '^(ready|error)' 90 "$pid" &&
	       lx_file_has "$out" '^ready'; }; then
		exec {w}>&-
		return 1
	fi
	while IFS= read -r line; do
		[[ $line == devices:* ]] && lx_log "$line"
	done < "$out"
	# The host's traffic: a unicast and a broadcast (to a node nobody
	# has), both with the secret; B hears the unicast.
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 7100 "$secret" &&
		lx_ok "$TOOL" -N "$NSA" send 0x7e57ab1e 7100 "$secret" &&
		{ lx_wait_pid "$LX_PID" 90 || lx_fail "B did not hear A"; }
	local rc=$?
	exec {w}>&-
	lx_wait_pid "$pid" 90 || lx_fail "sniffer did not finish" || return 1
	lx_show "$(< "$out")"
	[ "$rc" -eq 0 ] || return 1
	lx_file_has "$out" '^devices: .*evil1' || lx_fail "no device of nobody's own" || return 1
	lx_file_has "$out" '^frames .* matched 0$' ||
		lx_fail "nobody's devices saw the host's traffic" || return 1
}

test_no_inject() {
	local out=$LX_TMP/inject.out evil='' line neigh
	lx_pair inject || return 1
	# B takes two datagrams on 7200: nobody's, if they get through, else
	# the two A sends once nobody's have gone.
	lx_recv_bg "$NSB" "$LX_TMP/b.out" -t 120000 7200 2 || return 1
	TOOL=$TOOL lx_unpriv bash -c "$unpriv_devices"'
		echo "devices:$devs"
		echo "node $("$TOOL" node)"
		"$TOOL" send -c 3 "$1" 7200 FORGED' inject "$NODEB" > "$out" 2>&1
	lx_show "$(< "$out")"
	lx_file_has "$out" '^devices: .*evil1' || lx_fail "no device of nobody's own" || return 1
	while read -r line; do
		[[ $line == "node "* ]] && evil=${line#node }
	done < "$out"
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 7200 LEGIT1 || return 1
	lx_ok "$TOOL" -N "$NSA" send "$NODEB" 7200 LEGIT2 || return 1
	lx_wait_pid "$LX_PID" 90
	lx_show "$(< "$LX_TMP/b.out")"
	! lx_file_has "$LX_TMP/b.out" FORGED || lx_fail "nobody's datagram reached B" || return 1
	lx_file_has "$LX_TMP/b.out" "^from $NODEA\\(.*LEGIT2" || lx_fail "B did not hear A" || return 1
	# Nor did B learn where nobody's node is.
	[ -n "$evil" ] || lx_fail "no node id of nobody's" || return 1
	neigh=$("$TOOL" -N "$NSB" cat /proc/net/lynx_neigh) &&
		[[ $neigh == "node "* ]] || lx_fail "cannot read B's lynx_neigh" || return 1
	if [[ ${neigh,,} == *$(lx_hex "$evil")* ]]; then
		lx_show "$neigh"
		lx_fail "B learned nobody's node $(lx_hex "$evil")"
		return 1
	fi
}

# Nobody's own segment works among its own namespaces: a device in its
# network namespace and one in a second namespace under its user namespace.
test_own_segment() {
	local out=$LX_TMP/own.out u
	u=$(lx_unpriv_dir) || return 1
	TOOL=$TOOL U=$u lx_unpriv bash -c '
		set -e
		exec 9<>"$U/nap"
		nap() { read -r -t 0.05 -u 9 _ || :; }
		"$TOOL" link add o1 segment 70001
		"$TOOL" link add o2 segment 70001
		"$TOOL" link show o1
		ip link set o1 up
		unshare --net sleep 600 &
		child=$!
		n=0
		while [ "$(readlink /proc/$child/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do
			n=$((n + 1)); [ $n -lt 1800 ] || exit 1; nap
		done
		inchild() { nsenter --net=/proc/$child/ns/net "$@"; }
		ip link set o2 netns $child
		inchild ip link set o2 up
		node2=$(inchild "$TOOL" node)
		inchild "$TOOL" recv -t 120000 7300 1 > "$U/own.recv" &
		recv=$!
		n=0
		until grep -q "^ready" "$U/own.recv"; do
			kill -0 $recv; n=$((n + 1)); [ $n -lt 1800 ] || exit 1; nap
		done
		"$TOOL" send "$node2" 7300 OWN-SEGMENT
		wait $recv
		cat "$U/own.recv"
		kill $child' > "$out" 2>&1
	local rc=$?
	lx_show "$(< "$out")"
	[ "$rc" -eq 0 ] || lx_fail "nobody's own segment did not carry its datagram" || return 1
	lx_file_has "$out" '^o1 segment 70001$' || lx_fail "segment not shown" || return 1
	lx_file_has "$out" OWN-SEGMENT || return 1
}

lx_test userns_available test_userns_available
lx_test default_segment_refused test_default_segment_refused
lx_test no_sniff test_no_sniff
lx_test no_inject test_no_inject
lx_test own_segment test_own_segment
lx_finish
