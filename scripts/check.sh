#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the selftests in a VM on each kernel named, then the install test, and
# print each kernel's line (naming its release) and one summed line
# "N passed, N failed".  Exits non-zero if anything
# failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- $FASTIPC_KERNELS_ALL
logs=()
total_passed=0
total_failed=0
status=0
for kernel in "$@"; do
	log=$FASTIPC_BUILD/vm/check-$kernel.out
	logs+=("$log")
	mkdir -p "$FASTIPC_BUILD/vm"
	"$FASTIPC_ROOT/scripts/vm.sh" test "$kernel" 2>&1 | tee "$log"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
	line=$(grep -E "^vm-$kernel \(.*\): [0-9]+ passed" "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "vm-$kernel: no result"
		total_failed=$((total_failed + 1))
		status=1
		continue
	fi
	read -r passed _ failed _ <<<"${line#*): }"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + ${failed%,}))
done
# Installing, as a user would, is part of the suite.
log=$FASTIPC_BUILD/vm/check-install.out
"$FASTIPC_ROOT/scripts/install-test.sh" 2>&1 | tee "$log"
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
line=$(grep -E "^install: [0-9]+ passed" "$log" | tail -n 1)
if [ -n "$line" ]; then
	read -r _ passed _ failed _ <<<"$line"
	total_passed=$((total_passed + passed))
	total_failed=$((total_failed + ${failed%,}))
else
	total_failed=$((total_failed + 1))
	status=1
fi
grep -hE "^vm-[^ ]+ \(.*\): [0-9]+ passed" "${logs[@]}" 2>/dev/null
echo "$total_passed passed, $total_failed failed"
exit $status
