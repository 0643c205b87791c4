#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# checkpatch.pl --strict on module/ and uapi/, then sparse over the module
# (built against the 6.12 headers with C=2).  Any finding fails.
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
[ $status -eq 0 ] && echo "style: no findings"
exit $status
