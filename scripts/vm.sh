#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a test guest with fastipc loaded.
#
#   scripts/vm.sh test  KERNEL            run the selftests of build/selftests
#   scripts/vm.sh cmd   KERNEL CMD [FILE...]  copy FILEs into /root, run CMD
#   scripts/vm.sh shell KERNEL [FILE...]  interactive shell on the console
#
# KERNEL is 6.1, 6.12, latest, next or debug; CMD is a shell command line,
# run as given.  The run fails on a missing verdict, on any
# kernel splat in the console log, and on a taint other than out-of-tree (O)
# and unsigned-module (E).  Logs go to build/vm/KERNEL/.  In test mode the last
# line is "vm-KERNEL (RELEASE): N passed, N failed, N skipped".
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-}
kernel=${2:-}
[ -n "$mode" ] && [ -n "$kernel" ] || die "usage: $0 test|cmd|shell KERNEL [CMD] [FILE...]"
shift 2
cmd=
if [ "$mode" = cmd ]; then
	cmd=${1:?cmd mode needs a command}
	shift
fi
files=("$@")

read -r kver bzimage kdir < <(kernel_paths "$kernel")
ko=$("$FASTIPC_ROOT/scripts/build-module.sh" "$kernel")
out=${FASTIPC_VM_OUT:-$FASTIPC_BUILD/vm/$kernel}
mkdir -p "$out"

# --- initramfs -------------------------------------------------------------
root=$(mktemp -d)
chmod 755 "$root"	# the guest's /: every user must traverse it
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,root/tests,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$FASTIPC_ROOT/scripts/guest-init.sh" "$root/init"
cp "$ko" "$root/lib/modules/fastipc.ko"
echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
echo "root:x:0:" >"$root/etc/group"
if [ "$mode" = test ]; then
	tests=$FASTIPC_BUILD/selftests
	[ -f "$tests/ORDER" ] || die "no selftests built; run make first"
	for t in $(cat "$tests/ORDER"); do
		cp "$tests/$t" "$root/root/tests/"
	done
	cp "$tests/ORDER" "$root/root/tests/ORDER"
fi
# Dynamically linked programs bring their libraries along, as the dynamic
# loader resolves them (ldd fails for static programs and scripts: nothing to
# bring).  A program built in this tree without an rpath finds libfastipc in
# build/lib; a library from outside the loader's default directories lands in
# the guest's /usr/lib, where the guest's loader finds it.
bring_libraries() {
	local prog=$1 lib guest
	for lib in $(LD_LIBRARY_PATH=$FASTIPC_BUILD/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} \
		ldd "$prog" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'); do
		case ${lib%/*} in
		/lib|/lib64|/usr/lib|/lib/x86_64-linux-gnu|/usr/lib/x86_64-linux-gnu) guest=$lib ;;
		*) guest=/usr/lib/${lib##*/} ;;
		esac
		mkdir -p "$root${guest%/*}"
		cp -L "$lib" "$root$guest"
	done
}
for f in "${files[@]}"; do
	cp -r "$f" "$root/root/"
	[ -f "$f" ] && bring_libraries "$f"
done
[ -n "$cmd" ] && printf '%s\n' "$cmd" >"$root/root/cmd.sh"
initrd=$out/initramfs.cpio.gz
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$initrd"

# --- boot ------------------------------------------------------------------
append="console=ttyS0 panic=-1 oops=panic FASTIPC_MODE=$mode"
case $kernel in
debug) append+=" panic_on_warn=1 FASTIPC_KMEMLEAK=1" ;;
# KCSAN samples 1 access in 4000 by default: under emulation a planted race
# in the message path went unseen for minutes.  1 in 50, with a longer
# watch, catches it within seconds (the run's own check, see the note in
# scripts/kcsan-kernel.config).
kcsan) append+=" panic_on_warn=1 FASTIPC_KMEMLEAK=1 kcsan.skip_watch=50 kcsan.udelay_task=200" ;;
*) append+=" slub_debug=FZPU" ;;
esac
[ -n "${FASTIPC_MODARGS:-}" ] && append+=" FASTIPC_MODARGS=${FASTIPC_MODARGS// /,}"
[ -n "${FASTIPC_APPEND:-}" ] && append+=" $FASTIPC_APPEND"

# KVM when it works: a /dev/kvm can exist and still fail (nested setups), so
# a short boot that must reach the kernel's "no root" panic decides, once per
# host boot.
kvm_works() {
	local probe=$FASTIPC_CACHE/kvm-probe.$(cat /proc/sys/kernel/random/boot_id)
	[ -w /dev/kvm ] || return 1
	if [ ! -f "$probe" ]; then
		timeout 30 qemu-system-x86_64 -accel kvm -cpu host -m 256M \
			-kernel "$bzimage" -append "console=ttyS0 panic=-1" \
			-nographic -no-reboot -nodefaults -serial stdio \
			-monitor none </dev/null 2>&1 |
			grep -aq 'Kernel panic' && echo yes >"$probe" || echo no >"$probe"
	fi
	[ "$(cat "$probe")" = yes ]
}
case ${FASTIPC_ACCEL:-auto} in
kvm) accel=(-accel kvm -cpu host) ;;
tcg) accel=(-accel tcg,thread=multi) ;;
tcg-single) accel=(-accel tcg,thread=single) ;;	# for -icount (make bench ICOUNT=1)
*)
	if kvm_works; then
		accel=(-accel kvm -cpu host)
	else
		accel=(-accel tcg,thread=multi)
	fi
	;;
esac

console=$out/console.log
tap=$out/tap.log

boot() {
	: >"$tap"
	local serial0=(-serial "file:$console")
	local io=(/dev/null)
	if [ "$mode" = shell ]; then
		serial0=(-serial mon:stdio)
		io=(/dev/stdin)
	fi
	timeout --foreground -k 5 "${FASTIPC_VM_TIMEOUT:-1200}" \
		qemu-system-x86_64 "${accel[@]}" -m "${FASTIPC_VM_MEM:-2G}" \
		-smp "${FASTIPC_VM_SMP:-2}" -kernel "$bzimage" -initrd "$initrd" \
		-append "$append" -nographic -no-reboot -nodefaults \
		"${serial0[@]}" -serial "file:$tap" -monitor none \
		${FASTIPC_QEMU_EXTRA:-} <"${io[0]}" || true
}

# The host fails the run on any of these in the console log.
splats='BUG:|WARNING:|KASAN|KCSAN:|UBSAN|Oops|Kernel panic|general protection|unreferenced object|kmemleak: [0-9]+ new suspected|INFO: task .* blocked|Call Trace:'

verdict() {
	local taint
	[ "$mode" = shell ] && [ ! -s "$console" ] && return 0
	if grep -aEq "$splats" "$console"; then
		echo "vm-$kernel: kernel reported a fault:"
		grep -aE -m 20 "$splats" "$console" | sed 's/^/    /'
		return 1
	fi
	# A guest that lost a CPU would race nothing: every kernel must bring
	# up all it was given (the debug kernel once booted with one).
	if ! grep -aq "smp: Brought up .*, ${FASTIPC_VM_SMP:-2} CPU" "$console"; then
		echo "vm-$kernel: the kernel did not bring up ${FASTIPC_VM_SMP:-2} CPUs:"
		grep -a -m 3 'smp: \|nr_cpu_ids' "$console" | sed 's/^/    /'
		return 1
	fi
	taint=$(sed -n 's/.*FASTIPC-TAINT \([0-9]*\).*/\1/p' "$console" | tail -n 1)
	if [ -z "$taint" ] || [ $((taint & ~(4096 | 8192))) -ne 0 ]; then
		echo "vm-$kernel: unexpected kernel taint '${taint:-none}'"
		return 1
	fi
	grep -aq 'FASTIPC-VERDICT ok' "$tap" || {
		echo "vm-$kernel: the guest gave no success verdict"
		return 1
	}
}

say "booting $kernel ($kver), mode $mode"
: >"$console"
boot
# A crash before the module was loaded is the emulator's, not ours (see
# VM-NOTES): boot once more.  Never retry after the module loaded.
if ! grep -aq 'FASTIPC-STAGE module-loaded' "$console" && [ "$mode" != shell ]; then
	echo "vm-$kernel: the guest died before loading the module; booting again"
	cp "$console" "$console.first"
	boot
fi

status=0
verdict || status=1
if [ $status -ne 0 ]; then
	# Show the console, without the firmware's escape codes.
	sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\r$//' "$console" | grep -av '^FASTIPC-' || true
fi
grep -av 'FASTIPC-VERDICT' "$tap" || true
case $mode in
test)
	passed=$(grep -aE '^ok [0-9]+ ' "$tap" | grep -acv '# SKIP' || true)
	skipped=$(grep -aE '^ok [0-9]+ .*# SKIP' "$tap" | grep -ac . || true)
	failed=$(grep -acE '^not ok [0-9]+ ' "$tap" || true)
	if [ $status -ne 0 ] && [ "$failed" -eq 0 ]; then
		failed=1	# the run itself failed: count it
	fi
	echo "vm-$kernel ($kver): $passed passed, $failed failed, $skipped skipped"
	;;
cmd)
	if [ $status -eq 0 ]; then
		echo "vm-$kernel: the command succeeded, fastipc unloaded cleanly and the kernel reported no fault."
	else
		echo "vm-$kernel: FAILED (console log: $console)"
	fi
	;;
esac
exit $status
