#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a sanitizer kernel from linux-source-6.12 (scripts/setup.sh fetches
# it), once per configuration: the result is cached under a hash of the source
# version and the config fragments.  Prints the output directory, which holds
# bzImage, vmlinux and extmod/ (a tree for M= module builds).
#
# Usage: scripts/build-debug-kernel.sh [debug|kcsan]
#   debug  scripts/debug-kernel.config: KASAN, lockdep, kmemleak, UBSAN, ...
#   kcsan  the same, with scripts/kcsan-kernel.config on top: KCSAN instead
#          of KASAN (the two do not mix), for data races
set -euo pipefail
. "$(dirname "$0")/lib.sh"

variant=${1:-debug}
src=$FASTIPC_CACHE/src/linux
[ -f "$FASTIPC_CACHE/src/VERSION" ] || die "no kernel source; run scripts/setup.sh"
fragments=("$FASTIPC_ROOT/scripts/debug-kernel.config")
case $variant in
debug) ;;
kcsan) fragments+=("$FASTIPC_ROOT/scripts/kcsan-kernel.config") ;;
*) die "usage: $0 [debug|kcsan]" ;;
esac
key=$(cat "$FASTIPC_CACHE/src/VERSION" "${fragments[@]}" | sha256sum | cut -c1-16)
out=$FASTIPC_CACHE/$variant-$key
obj=$FASTIPC_CACHE/$variant-build

if [ -f "$out/bzImage" ]; then
	echo "$out" >"$FASTIPC_CACHE/$variant-kernel.current"
	echo "$out"
	exit 0
fi

# A later fragment's line for an option overrides an earlier one's.
options=$(cat "${fragments[@]}" | grep -E '^-[ed] ' |
	awk '{ last[$2] = $1; order[$2] = NR } END { for (o in order) print order[o], last[o], o }' |
	sort -n | cut -d' ' -f2- | tr '\n' ' ')
say "building the $variant kernel ($key); this takes about 10 minutes on 2 cores"
mkdir -p "$obj"
make -s -C "$src" O="$obj" tinyconfig
# shellcheck disable=SC2086
"$src/scripts/config" --file "$obj/.config" $options
make -s -C "$src" O="$obj" olddefconfig

# Kconfig drops an option silently when a dependency is missing (KASAN
# needs !SLUB_TINY, for one); refuse a kernel that lost a sanitizer.
set -- $options
while [ $# -gt 1 ]; do
	want=y
	[ "$1" = -d ] && want=n
	got=$("$src/scripts/config" --file "$obj/.config" --state "$2")
	if [ "$got" != "$want" ] && ! [ "$want$got" = nundef ]; then
		die "debug kernel config: $2 is '$got', wanted '$want'"
	fi
	shift 2
done

# The kernel's own warnings are not ours: keep them in a log.
log=$FASTIPC_CACHE/$variant-build.log
if ! make -s -C "$src" O="$obj" -j"$(nproc)" all >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "debug kernel build failed; full log: $log"
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
(cd "$obj" && srctree=$src SRCARCH=x86 CC=gcc HOSTCC=gcc MAKE=make \
	"$src/scripts/package/install-extmod-build" "$out.tmp/extmod")
cp "$obj/.config" "$out.tmp/extmod/.config"
cp "$obj/arch/x86/boot/bzImage" "$out.tmp/bzImage"
cp "$obj/vmlinux" "$out.tmp/vmlinux"
cp "$obj/.config" "$out.tmp/config"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "$out" >"$FASTIPC_CACHE/$variant-kernel.current"
echo "$out"
