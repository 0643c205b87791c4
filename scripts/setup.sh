#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install, idempotently, what building and testing fastipc needs on a Debian 12
# host: the qemu/busybox toolchain, Debian's 6.1 and 6.12 kernels (unpacked from
# their .debs, never installed into the host) and the kernel source tree that
# provides the kselftest harness, checkpatch.pl and the debug kernel.
#
# "latest" (the newest kernel Debian ships, from sid) and "next" (experimental's
# release candidate) are built for with the compiler their headers were made
# with, inside a Debian root of their own suite: debootstrapped once, cached,
# updated at most daily; nothing of theirs is installed into the host.
#
# Usage: scripts/setup.sh [--no-kernels] [latest] [next]
set -euo pipefail
. "$(dirname "$0")/lib.sh"

HOST_PACKAGES="qemu-system-x86 busybox-static kmod cpio libnl-3-dev
libnl-genl-3-dev sparse pahole flex bison libelf-dev libssl-dev bc xz-utils
gnuplot-nox python3 dkms pkgconf debootstrap zstd gzip git ca-certificates"

need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "must run as root (or have sudo)"
		SUDO=sudo
	else
		SUDO=
	fi
}

install_host_packages() {
	local missing=() p
	for p in $HOST_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return
	say "installing host packages: ${missing[*]}"
	need_root
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null
}

# The newest ABI a meta-package points at; old ABIs leave the archive, so this
# is resolved at setup time rather than pinned.
resolve_kver() {
	apt-cache depends "$1" 2>/dev/null |
		awk '/Depends: linux-headers-6/ { sub("linux-headers-", "", $2); print $2; exit }'
}

# binder_linux.ko, the benchmark's Binder peer: a module in the image, so
# pull just that file out of it (decompressed); $dest/BINDER records its path
# relative to $dest, or "none" when the image has no such module.
extract_binder() {
	local deb=$1 kver=$2 dest=$3 rel
	rel=lib/modules/$kver/kernel/drivers/android/binder_linux.ko
	dpkg-deb --fsys-tarfile "$deb" |
		tar -x -C "$dest" --wildcards "./$rel*" 2>/dev/null || true
	[ -f "$dest/$rel.xz" ] && xz -df "$dest/$rel.xz"
	[ -f "$dest/$rel.zst" ] && zstd -qdf --rm "$dest/$rel.zst"
	[ -f "$dest/$rel.gz" ] && gzip -df "$dest/$rel.gz"
	if [ -f "$dest/$rel" ]; then
		echo "$rel" >"$dest/BINDER"
	else
		echo none >"$dest/BINDER"
	fi
}

# For a kernel unpacked before extract_binder existed: fetch the image again.
fetch_binder() {
	local kver=$1 dest=$2 tmp
	say "fetching binder_linux.ko for $kver"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "linux-image-$kver-unsigned" 2>/dev/null) ||
		die "apt-get download failed for linux-image-$kver-unsigned"
	extract_binder "$tmp"/linux-image-*.deb "$kver" "$dest"
	rm -rf "$tmp"
}

fetch_kernel() {
	local name=$1 meta=$2 kver dest tmp pkgs
	dest=$FASTIPC_CACHE/kernels/$name
	kver=$(resolve_kver "$meta")
	if [ -z "$kver" ]; then
		need_root
		$SUDO apt-get update -qq
		kver=$(resolve_kver "$meta")
	fi
	[ -n "$kver" ] || die "cannot resolve the kernel behind $meta"
	if [ -f "$dest/KVER" ] && [ "$(cat "$dest/KVER")" = "$kver" ]; then
		[ -e "$dest/BINDER" ] || fetch_binder "$kver" "$dest"
		return
	fi
	say "fetching kernel $name ($kver)"
	rm -rf "$dest"
	tmp=$(mktemp -d)
	pkgs="linux-image-$kver-unsigned linux-headers-$kver $(apt-cache depends \
		--no-recommends --no-suggests "linux-headers-$kver" |
		awk '/Depends: linux-(headers|kbuild)-/ { print $2 }')"
	# shellcheck disable=SC2086
	(cd "$tmp" && apt-get download -qq $pkgs 2>/dev/null) ||
		die "apt-get download failed for: $pkgs"
	mkdir -p "$dest"
	dpkg-deb --fsys-tarfile "$tmp"/linux-image-*.deb | tar -x -C "$dest" ./boot
	extract_binder "$tmp"/linux-image-*.deb "$kver" "$dest"
	for deb in "$tmp"/linux-headers-*.deb "$tmp"/linux-kbuild-*.deb; do
		[ -e "$deb" ] && dpkg-deb -x "$deb" "$dest"
	done
	# The headers' Makefile includes the -common tree by absolute path.
	sed -i "s|^include /usr/src/|include $dest/usr/src/|" \
		"$dest/usr/src/linux-headers-$kver/Makefile"
	rm -rf "$tmp"
	echo "$kver" >"$dest/KVER"
}

# linux-source-6.12: the debug kernel, checkpatch.pl and the kselftest harness.
fetch_source() {
	local dest=$FASTIPC_CACHE/src tmp ver
	ver=$(apt-cache policy linux-source-6.12 | awk '/Candidate:/ { print $2 }')
	[ -n "$ver" ] && [ "$ver" != "(none)" ] || die "linux-source-6.12 not in the archive"
	if [ -f "$dest/VERSION" ] && [ "$(cat "$dest/VERSION")" = "$ver" ]; then
		return
	fi
	say "fetching linux-source-6.12 ($ver)"
	rm -rf "$dest"
	mkdir -p "$dest"
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "linux-source-6.12=$ver" 2>/dev/null) ||
		die "apt-get download linux-source-6.12 failed"
	dpkg-deb --fsys-tarfile "$tmp"/linux-source-6.12_*.deb |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' >"$dest/linux-source.tar.xz"
	rm -rf "$tmp"
	tar -xJf "$dest/linux-source.tar.xz" -C "$dest"
	rm "$dest/linux-source.tar.xz"
	mv "$dest"/linux-source-6.12 "$dest/linux"
	echo "$ver" >"$dest/VERSION"
}

in_root() {
	need_root
	in_build_root "$@"
}

# A sid root for one of the unstable kernels ("latest" or "next"): made once
# with debootstrap, kept under the cache.  The unstable suites' Release files
# can be past their Valid-Until date on a mirror; the root's own apt is told
# to accept them (the host's configuration is left alone).
make_build_root() {
	local name=$1 root=$FASTIPC_CACHE/roots/$1 mirror
	[ -f "$root/.fastipc-complete" ] && return
	mirror=$(debian_mirror)
	need_root
	mkdir -p "$FASTIPC_CACHE/roots"
	# A debootstrap that finished is kept even if what follows failed.
	if [ ! -f "$root.tmp/.fastipc-base" ]; then
		say "making the $name build root (debootstrap sid, once)"
		$SUDO rm -rf "$root" "$root.tmp"
		$SUDO debootstrap --variant=buildd --include=ca-certificates sid \
			"$root.tmp" "$mirror" >"$FASTIPC_CACHE/roots/$name.log" 2>&1 ||
			die "debootstrap sid failed; see $FASTIPC_CACHE/roots/$name.log"
		$SUDO touch "$root.tmp/.fastipc-base"
	fi
	echo 'Acquire::Check-Valid-Until "false";' |
		$SUDO tee "$root.tmp/etc/apt/apt.conf.d/99fastipc" >/dev/null
	{
		echo "deb $mirror sid main"
		if [ "$name" = next ]; then echo "deb $mirror experimental main"; fi
	} | $SUDO tee "$root.tmp/etc/apt/sources.list" >/dev/null
	$SUDO cp /etc/resolv.conf "$root.tmp/etc/resolv.conf" 2>/dev/null || true
	$SUDO touch "$root.tmp/.fastipc-complete"
	$SUDO mv "$root.tmp" "$root"
}

# The newest headers package version in the root: sid's through the
# meta-package, experimental's through its own candidate there.
resolve_unstable_kver() {
	local name=$1 root=$FASTIPC_CACHE/roots/$1 ver
	if [ "$name" = next ]; then
		ver=$(in_root "$root" apt-cache madison linux-headers-amd64 |
			awk -F'|' '$3 ~ /experimental/ { gsub(/ /, "", $2); print $2; exit }')
		[ -n "$ver" ] || return 0
		in_root "$root" apt-cache depends "linux-headers-amd64=$ver"
	else
		in_root "$root" apt-cache depends linux-headers-amd64
	fi | awk '/Depends: linux-headers-[0-9]/ { sub("linux-headers-", "", $2); print $2; exit }'
}

# "latest" or "next": the headers (with their compiler) installed in the
# root, the kernel image unpacked beside the other kernels.  The image lives
# in linux-image-* (up to 6.x, under /boot) or linux-binary-* (7.x, under
# /usr/lib/modules/KVER/).
fetch_unstable_kernel() {
	local name=$1 root=$FASTIPC_CACHE/roots/$1 dest=$FASTIPC_CACHE/kernels/$1
	local kver stamp tmp pkg image
	make_build_root "$name"
	stamp=$root/var/lib/apt/fastipc-updated
	if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
		say "updating the $name build root's package lists"
		in_root "$root" apt-get update -qq || die "apt-get update failed in $root"
		$SUDO touch "$stamp"
	fi
	kver=$(resolve_unstable_kver "$name")
	[ -n "$kver" ] || die "no $name kernel in the archive (experimental has none now?)"
	if [ -f "$dest/KVER" ] && [ "$(cat "$dest/KVER")" = "$kver" ] &&
		[ -d "$root/usr/src/linux-headers-$kver" ]; then
		return
	fi
	say "fetching kernel $name ($kver)"
	in_root "$root" apt-get install -y -qq --no-install-recommends \
		$([ "$name" = next ] && echo -t experimental) \
		"linux-headers-$kver" pahole >/dev/null 2>&1 ||
		die "cannot install linux-headers-$kver in the $name build root"
	rm -rf "$dest"
	mkdir -p "$dest"
	tmp=$(mktemp -d)
	for pkg in "linux-binary-$kver" "linux-image-$kver-unsigned" "linux-image-$kver"; do
		in_root "$root" apt-cache show "$pkg" >/dev/null 2>&1 || continue
		in_root "$root" sh -c "cd /tmp && apt-get download -qq $pkg" 2>/dev/null || continue
		mv "$root"/tmp/"${pkg}"_*.deb "$tmp/" && break
	done
	image=$(compgen -G "$tmp/*.deb" | head -n 1) || die "no kernel image package for $kver"
	dpkg-deb --fsys-tarfile "$image" | tar -x -C "$dest" --wildcards \
		"./boot/vmlinuz-$kver" "./usr/lib/modules/$kver/vmlinuz" 2>/dev/null || true
	if [ -f "$dest/usr/lib/modules/$kver/vmlinuz" ]; then
		mkdir -p "$dest/boot"
		mv "$dest/usr/lib/modules/$kver/vmlinuz" "$dest/boot/vmlinuz-$kver"
		rm -rf "$dest/usr"
	fi
	[ -f "$dest/boot/vmlinuz-$kver" ] || die "no vmlinuz in $(basename "$image")"
	extract_binder "$image" "$kver" "$dest"
	rm -rf "$tmp"
	echo "$kver" >"$dest/KVER"
}

install_host_packages
kernels=()
for arg in "$@"; do
	case $arg in
	--no-kernels) kernels=(none) ;;
	latest|next) kernels+=("$arg") ;;
	*) die "usage: $0 [--no-kernels] [latest] [next]" ;;
	esac
done
if [ "${kernels[0]:-}" != none ]; then
	fetch_kernel 6.1 linux-headers-amd64
	fetch_kernel 6.12 linux-headers-6.12-amd64
	fetch_source
	for k in "${kernels[@]}"; do
		fetch_unstable_kernel "$k"
	done
fi
