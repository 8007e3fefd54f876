# Shared settings for the lynx harness scripts (sourced, not run).
# shellcheck shell=bash

LYNX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LYNX_CACHE=${LYNX_CACHE:-$HOME/.cache/lynx}
export LYNX_ROOT LYNX_CACHE

# The stock test kernel: the newest Debian linux-image-*-amd64 installed.
lynx_stock_release() {
	local r
	r=$(ls -d /lib/modules/*-amd64 2>/dev/null | sed 's|/lib/modules/||' |
	    sort -V | tail -n 1)
	[ -n "$r" ] || { echo "no Debian amd64 kernel installed (make deps)" >&2; return 1; }
	echo "$r"
}

# The headers tree matching the stock kernel (what lynx.ko is built against).
lynx_stock_kdir() {
	echo "/usr/src/linux-headers-$(lynx_stock_release)"
}

# The unpacked linux-source-6.1 tree (for kselftest_harness.h, kunit.py and
# checkpatch), extracted once into the cache.
lynx_kernel_source() {
	local ver dir
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
	dir="$LYNX_CACHE/src-$ver"
	if [ ! -f "$dir/.lynx-extracted" ]; then
		mkdir -p "$dir"
		tar xJf /usr/src/linux-source-6.1.tar.xz -C "$dir" \
			--strip-components=1
		touch "$dir/.lynx-extracted"
	fi
	echo "$dir"
}
