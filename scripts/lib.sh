# SPDX-License-Identifier: GPL-2.0
# Shared settings for the VM scripts; sourced, never run.

FASTIPC_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FASTIPC_CACHE=${FASTIPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/fastipc}
FASTIPC_BUILD=${FASTIPC_BUILD:-$FASTIPC_ROOT/build}

# The kernels a test run can boot: Debian 12's two, the newest Debian ships
# (sid), experimental's release candidate, and the sanitizer kernels built
# from linux-source (debug: KASAN and the rest; kcsan: KCSAN for KASAN).
FASTIPC_KERNELS_ALL="6.1 6.12 latest debug"
FASTIPC_KERNELS_KNOWN="6.1 6.12 latest next debug kcsan"

die() { echo "fastipc: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

# Where a kernel's artifacts live once setup.sh has run: prints
# "KVER BZIMAGE KDIR" for the named kernel.
kernel_paths() {
	local name=$1 dir
	case $name in
	6.1|6.12|latest|next)
		dir=$FASTIPC_CACHE/kernels/$name
		[ -f "$dir/KVER" ] || die "kernel $name not set up; run scripts/setup.sh $name"
		local kver kdir
		kver=$(cat "$dir/KVER")
		kdir=$dir/usr/src/linux-headers-$kver
		# The unstable kernels' headers stay inside the build root made
		# for them: they need its compiler (build_root tells so).
		[ -n "$(build_root "$name")" ] && kdir=/usr/src/linux-headers-$kver
		echo "$kver $dir/boot/vmlinuz-$kver $kdir"
		;;
	debug|kcsan)
		dir=$(cat "$FASTIPC_CACHE/$name-kernel.current" 2>/dev/null) ||
			die "$name kernel not built; run scripts/build-debug-kernel.sh $name"
		echo "$(cat "$dir/extmod/include/config/kernel.release" 2>/dev/null ||
			echo unknown) $dir/bzImage $dir/extmod"
		;;
	*)
		die "unknown kernel '$name' (known: $FASTIPC_KERNELS_KNOWN)"
		;;
	esac
}

# The Debian root a kernel's modules are built in, or nothing for the
# kernels whose headers the host's own compiler builds for.
build_root() {
	case $1 in
	latest|next) echo "$FASTIPC_CACHE/roots/$1" ;;
	esac
}

# Run a command inside a build root, with a /proc (objtool and apt read it):
# in a mount namespace of its own, gone when the command ends; or, where /
# cannot be made private (inside a chroot, as under make distcheck), mounted
# for the command's time only.
in_build_root() {
	local root=$1
	shift
	set -- /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
		DEBIAN_FRONTEND=noninteractive "$@"
	if ${SUDO:-} unshare --mount --propagation private true 2>/dev/null; then
		${SUDO:-} unshare --mount --propagation private --fork -- \
			sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" "$@"
	else
		(
			if ! mountpoint -q "$root/proc"; then
				${SUDO:-} mount -t proc proc "$root/proc" || exit 1
				trap '${SUDO:-} umount -l "$root/proc"' EXIT
			fi
			${SUDO:-} chroot "$root" "$@"
		)
	fi
}

# The Debian mirror the host's own apt uses (for build roots and distcheck).
debian_mirror() {
	local uri
	uri=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list 2>/dev/null | grep -e '^URIs:' -e '^deb ' |
		grep -o 'https\?://[^ ]*/debian/\?$' | head -n 1) || true
	echo "${FASTIPC_DEBIAN_MIRROR:-${uri:-http://deb.debian.org/debian}}"
}
