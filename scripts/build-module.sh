#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build fastipc.ko for one of the test kernels and print its path.  Kbuild
# writes its objects next to the sources, so each kernel gets its own copy of
# the sources: under build/kmod/KERNEL, or, for a kernel built for inside a
# build root of its own suite (latest, next), under that root's /build.
# Warnings are errors here, as in every developer build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL}
read -r _ _ kdir < <(kernel_paths "$kernel")
root=$(build_root "$kernel")
guest_dir=/build/fastipc-$kernel
if [ -n "$root" ]; then
	dir=$root$guest_dir
	[ -w "$root" ] || die "the $kernel build root is not writable: run as root"
else
	# A coverage build (FASTIPC_COVERAGE=y, make coverage) has its own.
	dir=$FASTIPC_BUILD/kmod/$kernel${FASTIPC_COVERAGE:+-coverage}
fi
mkdir -p "$dir"
# rsync-like: refresh only what changed, so kbuild rebuilds only that.
for f in Kbuild VERSION module uapi; do
	cp -a -u "$FASTIPC_ROOT/$f" "$dir/"
done
# Sources deleted from the tree must not linger in the copy.
for f in "$dir"/module/*.[ch]; do
	[ -e "$FASTIPC_ROOT/module/${f##*/}" ] || rm -f "$f"
done
if [ -n "$root" ]; then
	in_build_root "$root" make -s -C "$kdir" M="$guest_dir" FASTIPC_WERROR=y modules >&2
else
	make -s -C "$kdir" M="$dir" FASTIPC_WERROR=y \
		FASTIPC_COVERAGE="${FASTIPC_COVERAGE:-}" modules >&2
fi
echo "$dir/module/fastipc.ko"
