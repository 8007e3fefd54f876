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

# The 6.12 test kernel ("612"), named the same way: Debian bookworm's 6.12
# series (the linux-6.12 packages of bookworm-security and the point
# releases, ABI 6.12.N+deb12), the release the meta-package
# linux-image-6.12-amd64 depends on if it is installed, else the
# 6.12.*+deb12-amd64 release installed (scripts/deps installs one; of
# several, the highest); LYNX_612_RELEASE overrides.  A 6.1 or a later
# series is never taken for it.
lynx_612_release() {
	local r=${LYNX_612_RELEASE:-}
	[ -n "$r" ] || r=$(dpkg-query -W -f='${Depends}' linux-image-6.12-amd64 2>/dev/null |
		grep -o 'linux-image-6\.12\.[0-9]*+deb12-amd64' | head -n 1 |
		sed 's/^linux-image-//')
	[ -n "$r" ] || r=$(ls -d /lib/modules/6.12.*+deb12-amd64 2>/dev/null |
		sed 's|/lib/modules/||' | sort -V | tail -n 1)
	[ -n "$r" ] && [ -f "/boot/vmlinuz-$r" ] || {
		echo "no Debian 6.12 amd64 kernel installed (make deps)" >&2
		return 1
	}
	echo "$r"
}

# The headers tree matching the 6.12 kernel.
lynx_612_kdir() {
	echo "/usr/src/linux-headers-$(lynx_612_release)"
}

# The unpacked linux-source-6.1 tree (for kselftest_harness.h, lib.mk and
# the runner, kunit.py and checkpatch), extracted once into the cache.
# The first caller says on stderr what it does (about a minute: its
# progress every 125 MiB); one arriving meanwhile (make -j, guests built
# at once) says it waits, and takes the tree when it is whole.
lynx_kernel_source() {
	local ver dir tarball=/usr/src/linux-source-6.1.tar.xz
	ver=$(dpkg-query -W -f='${Version}' linux-source-6.1) || return 1
	dir="$LYNX_CACHE/src-$ver"
	if [ ! -f "$dir/.lynx-extracted" ]; then
		mkdir -p "$LYNX_CACHE" || return 1
		(
			if ! flock -n 9; then
				echo "lynx: waiting for the extraction of linux-source-6.1 into $dir" >&2
				flock 9
			fi
			[ -f "$dir/.lynx-extracted" ] && exit 0
			local mib start=$SECONDS
			mib=$(xz --robot -l "$tarball" 2>/dev/null |
				awk '$1 == "totals" { printf "%d", $5 / 1048576 }')
			echo "lynx: extracting linux-source-6.1 ($tarball, ${mib:-?} MiB) into $dir (once, about a minute)" >&2
			rm -rf "$dir"
			mkdir -p "$dir" || exit 1
			# A checkpoint every 12800 records of 10 KiB: 125 MiB.
			tar xJf "$tarball" -C "$dir" --strip-components=1 \
				--checkpoint=12800 --checkpoint-action="exec=echo \"lynx: extracting linux-source-6.1: \$((TAR_CHECKPOINT * 10 / 1024)) of ${mib:-?} MiB\" >&2" || {
				echo "lynx: extracting $tarball failed" >&2
				exit 1
			}
			touch "$dir/.lynx-extracted"
			echo "lynx: extracted linux-source-6.1 in $((SECONDS - start)) s" >&2
		) 9>"$LYNX_CACHE/.src-extract.lock" || return 1
	fi
	echo "$dir"
}
