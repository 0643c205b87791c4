#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make coverage: the whole suite on the debug kernel with the module built
# for gcov, then the module's line and branch coverage per file and in all,
# and every line no test reached, in build/coverage/ (one FILE.c.gcov each,
# uncovered lines marked #####).  Fails if the suite fails.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

export FASTIPC_COVERAGE=y
out=$FASTIPC_BUILD/coverage
vmout=$FASTIPC_BUILD/vm/coverage
rm -rf "$out"
mkdir -p "$out"
FASTIPC_VM_OUT=$vmout FASTIPC_APPEND="${FASTIPC_APPEND:+$FASTIPC_APPEND }FASTIPC_COVERAGE=1" \
	"$FASTIPC_ROOT/scripts/vm.sh" test debug >"$out/suite.log" 2>&1
status=$?
grep -E '^vm-debug' "$out/suite.log"

objdir=$FASTIPC_BUILD/kmod/debug-coverage/module
# The counts came as base64 between marker lines; they belong beside the
# .gcno files the build left.
awk -v dir="$objdir" '
	/^FASTIPC-GCDA-END/ { close(cmd); cmd = ""; next }
	/^FASTIPC-GCDA / { cmd = "base64 -d > " dir "/" $2; next }
	cmd != "" { print | cmd }
' "$vmout/tap.log"
compgen -G "$objdir/*.gcda" >/dev/null || die "the guest sent no coverage counts"

(cd "$objdir" && gcov -b -o . ./*.c >"$out/gcov.txt" 2>&1)
mv "$objdir"/*.gcov "$out/" 2>/dev/null
# gcov names each file, then its line and branch figures.
awk '
	/^File / { gsub(/\x27/, "", $2); n = split($2, p, "/"); file = p[n] }
	/^Lines executed:/ && file ~ /\.c$/ {
		split($2, a, "%"); sub(/.*:/, "", a[1]); lines = $4
		hit = a[1] * lines / 100; tl += lines; th += hit
		printf "%-14s lines %6.1f%% of %4d", file, a[1], lines
	}
	/^Taken at least once:/ && file ~ /\.c$/ {
		t = $0; sub(/.*once:/, "", t); split(t, b, "%"); br = $NF
		bh += b[1] * br / 100; tb += br
		printf "   branches taken %6.1f%% of %4d\n", b[1], br; file = ""
	}
	END { if (tl) printf "module         lines %6.1f%% of %4d   branches taken %6.1f%% of %4d\n",
			     100 * th / tl, tl, tb ? 100 * bh / tb : 0, tb }
' "$out/gcov.txt" | tee "$out/summary.txt"
echo "coverage: uncovered lines are marked ##### in $out/*.c.gcov"
exit $status
