#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A new user's first hour: clone the committed tree (HEAD) into a fresh
# Debian 12 root (debootstrap --variant=buildd, plus git and Debian's usual
# apt sources, as a clean machine has them) and run the README's two
# commands there, `make run` then `make check`, with nothing done first.
# The base root is cached as a tarball; the root itself is made anew from it
# on every run, with an empty cache, so every download and build a new user
# meets happens here too.  Prints both wall times; needs root.
#
# Usage: scripts/distcheck.sh [MAKE ARGS...]	(e.g. KERNELS="6.12")
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || die "distcheck needs root (debootstrap, chroot, mounts)"
command -v debootstrap >/dev/null || "$FASTIPC_ROOT/scripts/setup.sh" --no-kernels

dir=$FASTIPC_CACHE/distcheck
base=$dir/bookworm-base.tar
root=$dir/root
mkdir -p "$dir"

if [ ! -f "$base" ]; then
	mirror=$(debian_mirror)
	say "making the clean Debian 12 base root (once)"
	rm -rf "$root"
	debootstrap --variant=buildd --include=git,ca-certificates bookworm "$root" \
		"$mirror" >"$dir/debootstrap.log" 2>&1 ||
		die "debootstrap failed; see $dir/debootstrap.log"
	tar -C "$root" -cf "$base.tmp" .
	mv "$base.tmp" "$base"
fi

cleanup() {
	for m in dev/pts dev sys proc; do
		mountpoint -q "$root/$m" && umount -l "$root/$m"
	done
	return 0
}
trap cleanup EXIT
cleanup
rm -rf "$root"
mkdir -p "$root"
tar -C "$root" -xf "$base"
# What a Debian 12 machine's apt knows: the release, its updates and security.
mirror=$(debian_mirror)
cat >"$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian*}/debian-security bookworm-security main
EOF
cp /etc/resolv.conf "$root/etc/resolv.conf"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"

git clone -q "$FASTIPC_ROOT" "$root/root/fastipc"
say "distcheck at $(git -C "$FASTIPC_ROOT" rev-parse --short HEAD) in a fresh Debian 12 root"

in_clean_root() {
	chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LC_ALL=C.UTF-8 \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		bash -c 'cd /root/fastipc && "$@"' bash "$@"
}

status=0
times=()
for goal in run check; do
	start=$(date +%s)
	if in_clean_root make "$goal" "$@" 2>&1 | tee "$dir/make-$goal.log"; then
		result=ok
	else
		result=FAILED
		status=1
	fi
	times+=("make $goal: $result in $(($(date +%s) - start)) s")
	[ $status -eq 0 ] || break
done
printf 'distcheck: %s\n' "${times[@]}"
exit $status
