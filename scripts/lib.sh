# SPDX-License-Identifier: GPL-2.0
# Shared settings for the VM scripts; sourced, never run.

FASTIPC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FASTIPC_CACHE=${FASTIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fastipc}
FASTIPC_BUILD=${FASTIPC_BUILD:-$FASTIPC_ROOT/build}

# The kernels a test run can boot.  "debug" is built from linux-source.
FASTIPC_KERNELS_ALL="6.1 6.12 debug"

die() { echo "fastipc: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# Where a kernel's artifacts live once setup.sh has run: prints
# "KVER BZIMAGE KDIR" for the named kernel.
kernel_paths() {
	local name=$1 dir
	case $name in
	6.1|6.12)
		dir=$FASTIPC_CACHE/kernels/$name
		[ -f "$dir/KVER" ] || die "kernel $name not set up; run scripts/setup.sh"
		local kver
		kver=$(cat "$dir/KVER")
		echo "$kver $dir/boot/vmlinuz-$kver $dir/usr/src/linux-headers-$kver"
		;;
	debug)
		dir=$(cat "$FASTIPC_CACHE/debug-kernel.current" 2>/dev/null) ||
			die "debug kernel not built; run scripts/build-debug-kernel.sh"
		echo "debug $dir/bzImage $dir/extmod"
		;;
	*)
		die "unknown kernel '$name' (known: $FASTIPC_KERNELS_ALL)"
		;;
	esac
}
