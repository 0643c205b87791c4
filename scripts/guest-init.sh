#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the test guest.  Loads fastipc, runs the selftests (or a given
# command, or a shell), unloads the module, and only if all of that succeeded
# writes the verdict line to the second serial port.  The kernel console stays
# on the first port, so the host can scan it for splats.
#
# Kernel command line words arrive as environment: FASTIPC_MODE is one of
# test, cmd, shell; FASTIPC_KMEMLEAK=1 scans for leaks before the verdict;
# FASTIPC_COVERAGE=1 sends the module's gcov counts back.

/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mkdir -p /dev/shm /dev/mqueue /dev/pts
mount -t tmpfs tmpfs /dev/shm
mount -t mqueue mqueue /dev/mqueue 2>/dev/null
mount -t devpts devpts /dev/pts 2>/dev/null
ln -sf /proc/self/fd /dev/fd
hostname fastipc-vm
# The first memory cgroup flips the kernel's memcg static keys, patching
# kernel text; under multi-threaded TCG that can race with the other vCPU.
# Do it now, while nothing else runs, rather than in the middle of a test.
mkdir -p /sys/fs/cgroup
if mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null; then
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control 2>/dev/null
	mkdir -p /sys/fs/cgroup/boot
fi
# A task blocked this long is a bug in a test run: panic, so the run ends.
echo 60 >/proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
echo 1 >/proc/sys/kernel/hung_task_panic 2>/dev/null

stty -F /dev/ttyS1 raw -echo 2>/dev/null
result=/dev/ttyS1
failed=0

# make coverage: the module's gcov counts, read before it unloads, go to
# the host as base64 between marker lines on the result port.
dump_coverage() {
	for f in $(find /sys/kernel/debug/gcov -name '*.gcda' 2>/dev/null); do
		echo "FASTIPC-GCDA ${f##*/}"
		base64 "$f"
		echo "FASTIPC-GCDA-END"
	done >$result
}

finish() {
	[ "$FASTIPC_COVERAGE" = 1 ] && dump_coverage
	if ! rmmod fastipc; then
		echo "fastipc-vm: rmmod fastipc failed"
		failed=1
	fi
	if [ "$FASTIPC_KMEMLEAK" = 1 ] && [ -e /sys/kernel/debug/kmemleak ]; then
		# kmemleak ignores objects younger than 5 s.
		sleep 6
		echo scan >/sys/kernel/debug/kmemleak
		echo scan >/sys/kernel/debug/kmemleak
		cat /sys/kernel/debug/kmemleak
	fi
	echo "FASTIPC-TAINT $(cat /proc/sys/kernel/tainted)"
	if [ "$failed" = 0 ]; then
		echo "FASTIPC-VERDICT ok" >$result
	fi
	sync
	reboot -f
}

if ! insmod /lib/modules/fastipc.ko $FASTIPC_MODARGS; then
	echo "fastipc-vm: insmod failed"
	reboot -f
fi
echo "FASTIPC-STAGE module-loaded"
export FASTIPC_MODULE=/lib/modules/fastipc.ko

cd /root
case $FASTIPC_MODE in
test)
	for t in $(cat /root/tests/ORDER); do
		if ! /root/tests/"$t" >$result 2>&1; then
			echo "fastipc-vm: $t failed"
			failed=1
		fi
	done
	;;
cmd)
	sh /root/cmd.sh >$result 2>&1 || failed=1
	;;
shell)
	echo "fastipc-vm: /dev/fastipc is ready; exit the shell to power off."
	setsid cttyhack sh -l
	;;
esac
finish
