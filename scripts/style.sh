#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict on module/ and uapi/, then sparse over the module
# (built against the 6.12 headers with C=2), then a build for 32-bit x86
# (linux-source configured i386 defconfig, cached), where a long and a
# pointer are 32 bits.  Any finding fails.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

src=$FASTIPC_CACHE/src/linux
status=0

say "checkpatch --strict"
checkpatch() {
	(cd "$FASTIPC_ROOT" && "$src/scripts/checkpatch.pl" --strict --no-tree \
		--terse --show-types --ignore FILE_PATH_CHANGES "$@") || status=1
}
checkpatch -f $(cd "$FASTIPC_ROOT" &&
	git ls-files --cached --others --exclude-standard "module/*.[ch]" "uapi/*.h" |
	grep -v -e '^module/trace.h$' -e '^module/compat.h$')
# compat.h is where kernel versions are tested, and the only such place.
checkpatch --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON -f module/compat.h
# TRACE_EVENT() is laid out as in include/trace/events/: a macro call per
# line, which the layout checks below do not understand.
checkpatch --ignore PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE -f module/trace.h

say "sparse"
read -r _ _ kdir < <(kernel_paths 6.12)
dir=$FASTIPC_BUILD/sparse
rm -rf "$dir"
mkdir -p "$dir"
cp -a "$FASTIPC_ROOT"/{Kbuild,VERSION,module,uapi} "$dir/"
log=$dir/sparse.log
make -s -C "$kdir" M="$dir" FASTIPC_WERROR=y C=2 CHECK="sparse -Wsparse-error" modules >"$log" 2>&1 || status=1
# Kernel headers of this vintage make sparse say a few things about
# themselves; report only what concerns our files.
if grep -E "^$dir/(module|uapi)/" "$log"; then
	status=1
fi
say "32-bit build"
kdir32=$FASTIPC_CACHE/i386-$(cat "$FASTIPC_CACHE/src/VERSION")
if [ ! -f "$kdir32/Module.symvers" ] && [ ! -f "$kdir32/.prepared" ]; then
	rm -rf "$kdir32"
	make -s -C "$src" O="$kdir32" ARCH=i386 defconfig >/dev/null
	make -s -C "$src" O="$kdir32" ARCH=i386 -j"$(nproc)" modules_prepare >/dev/null
	touch "$kdir32/.prepared"
fi
dir=$FASTIPC_BUILD/kmod/i386
rm -rf "$dir"
mkdir -p "$dir"
cp -a "$FASTIPC_ROOT"/{Kbuild,VERSION,module,uapi} "$dir/"
# No Module.symvers in a prepared-only tree: the kernel's symbols are
# unknown to modpost, which is what KBUILD_MODPOST_WARN is for.
make -s -C "$kdir32" ARCH=i386 M="$dir" FASTIPC_WERROR=y KBUILD_MODPOST_WARN=1 \
	modules >"$dir/build.log" 2>&1 || status=1
if grep -E "\.[ch]:[0-9]+:[0-9]+: (warning|error)" "$dir/build.log"; then
	status=1
fi
[ $status -eq 0 ] && echo "style: no findings"
exit $status
