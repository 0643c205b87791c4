#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build fastipc.ko for one of the test kernels (6.1, 6.12, debug) and print
# its path.  Kbuild writes its objects next to the sources, so each kernel
# gets its own copy of the sources under build/kmod/KERNEL.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: $0 KERNEL}
read -r _ _ kdir < <(kernel_paths "$kernel")
dir=$FASTIPC_BUILD/kmod/$kernel
mkdir -p "$dir"
# rsync-like: refresh only what changed, so kbuild rebuilds only that.
for f in Kbuild VERSION module uapi; do
	cp -a -u "$FASTIPC_ROOT/$f" "$dir/"
done
# Sources deleted from the tree must not linger in the copy.
for f in "$dir"/module/*.[ch]; do
	[ -e "$FASTIPC_ROOT/module/${f##*/}" ] || rm -f "$f"
done
make -s -C "$kdir" M="$dir" modules >&2
echo "$dir/module/fastipc.ko"
