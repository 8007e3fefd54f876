#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module autoloading: lynx.ko's aliases (MODULE_ALIAS_NETPROTO: net-pf-22,
# MODULE_ALIAS_RTNL_LINK: rtnl-link-lynx) let the kernel load it on
# socket(AF_LYNX, ...) and on "ip link add NAME type lynx", through
# modprobe and the module index depmod makes.
#
# The guest's root is the host's, read-only, and its /lib/modules need
# not know lynx (nor, for the debug kernel, exist): a tmpfs goes over
# /lib/modules for the test, holding lib/modules/$(uname -r) with the
# kernel's modules.builtin* and modules.order and extra/lynx.ko ($LYNX_KO),
# indexed by depmod (the stock kernel's 4000 modules would take depmod
# minutes on a TCG guest; nothing else is loaded meanwhile).  lynx is
# unloaded for each check; whatever happens, at the end the tmpfs is gone
# and lynx is loaded (from $LYNX_KO, family 22) for the tests after this one.
. "$(dirname "$0")/lynx_lib.bash"

REL=$(uname -r)
MODS=/lib/modules
AF_LYNX=22	# include/uapi/linux/lynx.h
ALT_FAMILY=27	# AF_IB: reserved in <linux/socket.h>, never implemented

# socket(FAMILY, TYPE) from python3: prints "ok" or the errno name.
sock_try() {	# family [dgram|stream|seqpacket]
	python3 - "$1" "${2:-dgram}" <<'PY'
import errno, socket, sys
t = {'dgram': socket.SOCK_DGRAM, 'stream': socket.SOCK_STREAM,
     'seqpacket': socket.SOCK_SEQPACKET}[sys.argv[2]]
try:
    socket.socket(int(sys.argv[1]), t, 0).close()
    print("ok")
except OSError as e:
    print(errno.errorcode.get(e.errno, str(e.errno)))
PY
}

loaded() { lsmod | grep -q '^lynx '; }

need() {
	[ -n "${LYNX_KO:-}" ] && [ -r "$LYNX_KO" ] ||
		{ lx_skip "LYNX_KO not set: cannot reload lynx"; return 1; }
	command -v modprobe >/dev/null && command -v depmod >/dev/null ||
		{ lx_skip "no modprobe or depmod (kmod)"; return 1; }
	[ -r /proc/sys/kernel/modprobe ] ||
		{ lx_skip "kernel without module loading"; return 1; }
}

# Unloads lynx (lynx_test.ko, which uses it, first), retrying while the
# last references go (a closed socket is freed after a grace period).
unload() {
	local i
	[ -d /sys/module/lynx_test ] && { rmmod lynx_test || return 1; }
	for ((i = 0; i < 200 * LX_SLOW; i++)); do
		loaded || return 0
		rmmod lynx 2>/dev/null && ! loaded && return 0
		lx_nap
	done
	lx_fail "rmmod lynx: $(rmmod lynx 2>&1)"
}

# The module tree (see the top), once; WITH_LYNX=0 leaves lynx.ko out.
modtree() {	# with_lynx
	local f
	if [ ! -f "$LX_TOP/modtree" ]; then
		mkdir -p "$LX_TOP/save"
		for f in modules.builtin modules.builtin.modinfo modules.order; do
			[ -r "$MODS/$REL/$f" ] && cp "$MODS/$REL/$f" "$LX_TOP/save/"
		done
		mount -t tmpfs -o mode=755 lynx-modules "$MODS" ||
			lx_fail "cannot mount a tmpfs on $MODS" || return 1
		touch "$LX_TOP/modtree"
		mkdir -p "$MODS/$REL/extra"
		cp "$LX_TOP/save/"* "$MODS/$REL/" 2>/dev/null
	fi
	if [ "$1" = 1 ]; then
		cp "$LYNX_KO" "$MODS/$REL/extra/lynx.ko" || return 1
	else
		rm -f "$MODS/$REL/extra/lynx.ko"
	fi
	lx_ok depmod "$REL" || return 1
}

# At exit (before lynx_lib's cleanup): the host's /lib/modules back, and
# lynx loaded with the default family.
restore() {
	rm -f /run/modprobe.d/lynx-autoload-test.conf
	rmdir /run/modprobe.d 2>/dev/null	# if it was ours (empty)
	if loaded && [ "$(cat /sys/module/lynx/parameters/family 2>/dev/null)" != "$AF_LYNX" ]; then
		unload >/dev/null
	fi
	[ -f "$LX_TOP/modtree" ] && umount "$MODS"
	loaded || insmod "$LYNX_KO" || echo "# lynx_autoload: reloading $LYNX_KO failed"
}
trap 'restore; lx_cleanup' EXIT

test_modinfo() {
	local out
	[ -n "${LYNX_KO:-}" ] && [ -r "$LYNX_KO" ] ||
		{ lx_skip "LYNX_KO not set: cannot reload lynx"; return $KSFT_SKIP; }
	out=$(modinfo "$LYNX_KO") || lx_fail "modinfo $LYNX_KO" || return 1
	echo "$out" | sed 's/^/#   /'
	grep -q "^alias: *net-pf-$AF_LYNX\$" <<<"$out" || lx_fail "no alias net-pf-$AF_LYNX" || return 1
	grep -q '^alias: *rtnl-link-lynx$' <<<"$out" || lx_fail "no alias rtnl-link-lynx" || return 1
	grep -q '^description: *.' <<<"$out" || lx_fail "no description" || return 1
	grep -q '^author: *.' <<<"$out" || lx_fail "no author" || return 1
	grep -q '^license: *GPL$' <<<"$out" || lx_fail "no license GPL" || return 1
	# Every parameter has its description: "parm: NAME:DESCRIPTION (TYPE)".
	grep -q '^parm: *family:' <<<"$out" || lx_fail "no parameter family" || return 1
	! grep -Eq '^parm: *[a-z_]+ ?\(' <<<"$out" ||
		lx_fail "a parameter without MODULE_PARM_DESC" || return 1
}

test_socket() {
	local r
	need || return $KSFT_SKIP
	unload || return 1
	# Without lynx in the module index: nothing to load, no family.
	modtree 0 || return 1
	r=$(sock_try "$AF_LYNX")
	[ "$r" = EAFNOSUPPORT ] || lx_fail "socket($AF_LYNX) without lynx.ko: $r, want EAFNOSUPPORT" || return 1
	! loaded || lx_fail "lynx loaded from nowhere" || return 1
	# With it: socket() loads lynx and succeeds.
	modtree 1 || return 1
	lx_log "lsmod before: $(lsmod | grep -c '^lynx ') lynx"
	r=$(sock_try "$AF_LYNX")
	lx_log "lsmod after: $(lsmod | grep '^lynx ')"
	[ "$r" = ok ] || lx_fail "socket($AF_LYNX, SOCK_DGRAM): $r" || return 1
	loaded || lx_fail "lynx not in lsmod after socket()" || return 1
	[ "$(cat /sys/module/lynx/parameters/family)" = "$AF_LYNX" ] ||
		lx_fail "family $(cat /sys/module/lynx/parameters/family)" || return 1
	# The other types from the same family.
	r=$(sock_try "$AF_LYNX" stream)$(sock_try "$AF_LYNX" seqpacket)
	[ "$r" = okok ] || lx_fail "stream/seqpacket: $r" || return 1
}

test_rtnl_link() {
	local ns
	need || return $KSFT_SKIP
	unload || return 1
	modtree 1 || return 1
	ns=$(lx_netns autoload) || return 1
	! loaded || lx_fail "lynx still loaded" || return 1
	lx_ok ip -n "$ns" link add lxa0 type lynx ||
		lx_fail "ip link add type lynx did not load lynx" || return 1
	lx_log "lsmod after: $(lsmod | grep '^lynx ')"
	loaded || lx_fail "lynx not in lsmod after ip link add" || return 1
	ip -n "$ns" -d link show lxa0 | grep -q 'lynx' ||
		lx_fail "lxa0 is not a lynx device" || return 1
	# The namespace made before lynx loaded got its lynxlo too.
	ip -n "$ns" link show lynxlo >/dev/null || lx_fail "no lynxlo in $ns" || return 1
	lx_ok ip -n "$ns" link del lxa0 || return 1
}

# Autoloading knows one number, the default: with "options lynx family=N"
# (modprobe.d), socket(22) still loads lynx, which then registers N, and
# socket(22) itself fails; socket(N) loads nothing.
test_family_param() {
	local r
	need || return $KSFT_SKIP
	unload || return 1
	modtree 1 || return 1
	mkdir -p /run/modprobe.d
	echo "options lynx family=$ALT_FAMILY" > /run/modprobe.d/lynx-autoload-test.conf
	r=$(sock_try "$ALT_FAMILY")
	[ "$r" = EAFNOSUPPORT ] || lx_fail "socket($ALT_FAMILY) before lynx: $r" || return 1
	! loaded || lx_fail "socket($ALT_FAMILY) loaded lynx" || return 1
	r=$(sock_try "$AF_LYNX")
	loaded || lx_fail "socket($AF_LYNX) did not load lynx" || return 1
	[ "$(cat /sys/module/lynx/parameters/family)" = "$ALT_FAMILY" ] ||
		lx_fail "modprobe.d's family not taken" || return 1
	[ "$r" = EAFNOSUPPORT ] || lx_fail "socket($AF_LYNX) with family=$ALT_FAMILY: $r" || return 1
	r=$(sock_try "$ALT_FAMILY")
	[ "$r" = ok ] || lx_fail "socket($ALT_FAMILY) with family=$ALT_FAMILY: $r" || return 1
	rm -f /run/modprobe.d/lynx-autoload-test.conf
	unload || return 1
}

lx_test autoload.modinfo test_modinfo
lx_test autoload.socket test_socket
lx_test autoload.rtnl_link test_rtnl_link
lx_test autoload.family_param test_family_param
lx_finish
