#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make profile: exact instruction counts, per function, of a 64 B round trip
# on one CPU (fastipc, pipe, futex) and of a non-blocking send + receive pair
# (fastipc-nb, pipe-nb) in the 6.12 guest.  A QEMU TCG plugin
# (selftests/bench/profile/insn_count.c) counts every guest instruction
# executed between two marker functions of profile_rt, kernel and user
# space alike; the guest boots with nokaslr so that one dump of
# /proc/kallsyms names the kernel's blocks.  No sampling, no skid: runs
# agree within a fraction of a percent (the timer interrupts that land in
# the window).
#
#   scripts/profile.sh [MODE...]      default: fastipc pipe futex fastipc-nb pipe-nb
#
# ROUNDS (default 1000) rounds are counted after 2000 unmeasured ones.
# Output: build/profile/MODE.txt (by kind of work, then by function) and a
# summary on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.12
rounds=${ROUNDS:-1000}
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(fastipc pipe futex fastipc-nb pipe-nb)
out=$FASTIPC_BUILD/profile
src=$FASTIPC_ROOT/selftests/bench/profile
mkdir -p "$out"

# --- build ------------------------------------------------------------------
make -s -C "$FASTIPC_ROOT" lib
gcc -O2 -Wall -Wextra -Wno-unused-parameter -Werror -shared -fPIC \
	-o "$out/insn_count.so" "$src/insn_count.c"
gcc -O2 -g -Wall -Wextra -Werror -static -I"$FASTIPC_ROOT/lib" -I"$FASTIPC_ROOT/uapi" \
	-o "$out/profile_rt" "$src/profile_rt.c" "$FASTIPC_BUILD/lib/libfastipc.a"
mark() { nm "$out/profile_rt" | awk -v s="$1" '$3 == s { print "0x" $1 }'; }
start=$(mark mark_start)
stop=$(mark mark_stop)

[ -f "$FASTIPC_CACHE/kernels/$kernel/KVER" ] || "$FASTIPC_ROOT/scripts/setup.sh"
read -r kver _ < <(kernel_paths "$kernel")
export FASTIPC_APPEND="slub_debug=- nokaslr"

# --- the kernel's symbols, once per kernel -------------------------------------
ksyms=$out/kallsyms-$kver.txt
if [ ! -s "$ksyms" ]; then
	say "profile: dumping /proc/kallsyms of $kver"
	printf '%s\n' 'echo 0 >/proc/sys/kernel/kptr_restrict' \
		'echo "=== KALLSYMS"' \
		'grep -E " [tTwW] " /proc/kallsyms | gzip -c | base64' \
		'echo "=== END"' >"$out/kallsyms.sh"
	FASTIPC_VM_OUT=$out/vm-kallsyms "$FASTIPC_ROOT/scripts/vm.sh" cmd "$kernel" \
		"sh /root/kallsyms.sh" "$out/kallsyms.sh" >"$out/vm-kallsyms.log" 2>&1 ||
		die "profile: the kallsyms boot failed (see $out/vm-kallsyms.log)"
	sed -n '/^=== KALLSYMS/,/^=== END/p' "$out/vm-kallsyms/tap.log" | sed '1d;$d' |
		base64 -d | gunzip >"$ksyms.tmp"
	mv "$ksyms.tmp" "$ksyms"
fi

# --- one boot per mode ------------------------------------------------------------
summary=$out/summary.txt
{
	echo "instructions per round (64 B round trip on one CPU; -nb: one non-blocking"
	echo "8 B send + receive pair), guest Debian $kernel ($kver), $rounds rounds"
	printf '%-12s %7s %6s %7s %7s %7s %7s %7s %7s %7s\n' mode total user module \
		checks copies lsm pipe+vfs entry sched+
} >"$summary"
for mode in "${modes[@]}"; do
	say "profile: $mode"
	printf '%s\n' 'echo 0 >/proc/sys/kernel/kptr_restrict' \
		"/root/profile_rt $mode $rounds || exit 1" \
		'grep "\[fastipc\]" /proc/kallsyms' >"$out/run-$mode.sh"
	rm -f "$out/$mode.counts"
	FASTIPC_ACCEL=tcg-single \
	FASTIPC_QEMU_EXTRA="-plugin $out/insn_count.so,start=$start,stop=$stop,out=$out/$mode.counts" \
	FASTIPC_VM_OUT=$out/vm-$mode "$FASTIPC_ROOT/scripts/vm.sh" cmd "$kernel" \
		"sh /root/run-$mode.sh" "$out/profile_rt" "$out/run-$mode.sh" \
		>"$out/vm-$mode.log" 2>&1 || die "profile: the $mode boot failed (see $out/vm-$mode.log)"
	grep -q '^# windows 1$' "$out/$mode.counts" ||
		die "profile: $mode: the marked window was not seen exactly once"
	read -r -a cols < <("$FASTIPC_ROOT/scripts/insn-profile.py" "$rounds" \
		"$out/$mode.counts" "$ksyms" "$out/vm-$mode/tap.log" "$out/profile_rt" "$out/$mode.txt")
	printf '%-12s %7s %6s %7s %7s %7s %7s %7s %7s %7s\n' "$mode" "${cols[@]}" >>"$summary"
done
cat "$summary"
echo "profile: per function in $out/MODE.txt"
