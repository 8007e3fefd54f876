# Shared settings for the lynx harness scripts (sourced, not run).
# shellcheck shell=bash

LYNX_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LYNX_CACHE=${LYNX_CACHE:-$HOME/.cache/lynx}
export LYNX_ROOT LYNX_CACHE

# The stock test kernel, named, never "the newest found": the 6.1 release
# Debian's linux-image-amd64 depends on (LYNX_STOCK_RELEASE overrides).  A
# 6.12 image installed beside it is another kernel, not the stock one.
lynx_stock_release() {
	local r=${LYNX_STOCK_RELEASE:-}
	[ -n "$r" ] || r=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
		grep -o 'linux-image-6\.1\.[0-9]*-[0-9]*-amd64' | head -n 1 |
		sed 's/^linux-image-//')
	[ -n "$r" ] || r=$(ls -d /lib/modules/6.1.*-amd64 2>/dev/null |
		sed 's|/lib/modules/||' | sort -V | tail -n 1)
	[ -n "$r" ] && [ -f "/boot/vmlinuz-$r" ] || {
		echo "no Debian 6.1 amd64 kernel installed (make deps)" >&2
		return 1
	}
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
		mkdir -p "$LYNX_CACHE"
		# One extraction at a time (make -j, guests built at once).
		(
			flock 9
			if [ ! -f "$dir/.lynx-extracted" ]; then
				echo "lynx: extracting linux-source-6.1 into $dir (once, ~1 min)" >&2
				rm -rf "$dir"
				mkdir -p "$dir"
				tar xJf /usr/src/linux-source-6.1.tar.xz -C "$dir" \
					--strip-components=1
				touch "$dir/.lynx-extracted"
			fi
		) 9>"$LYNX_CACHE/.src-extract.lock"
	fi
	echo "$dir"
}
