#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install fastipc into a scratch DESTDIR and check it as a user would: the
# file list, a program built with pkg-config against the installed tree and
# run in the test VM, the installed man pages' version, uninstall, and a
# DKMS build against the 6.12 headers.  Ends with
# "install: N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"

cd "$FASTIPC_ROOT"
version=$(cat VERSION)
dest=$(mktemp -d)
work=$(mktemp -d)
trap 'rm -rf "$dest" "$work"' EXIT
passed=0 failed=0 skipped=0 n=0

check() {
	local what=$1
	shift
	n=$((n + 1))
	if "$@" >"$work/out" 2>&1; then
		echo "ok $n install: $what"
		passed=$((passed + 1))
	else
		echo "not ok $n install: $what"
		sed 's/^/#   /' "$work/out" | tail -n 20
		failed=$((failed + 1))
	fi
}

skip() {
	n=$((n + 1))
	echo "ok $n install: $1 # SKIP $2"
	skipped=$((skipped + 1))
}

expected_files() {
	echo "lib/udev/rules.d/60-fastipc.rules"
	echo "etc/modules-load.d/fastipc.conf"
	echo "usr/bin/fastipcctl"
	echo "usr/include/fastipc.h"
	for h in uapi/linux/*.h; do echo "usr/include/fastipc/linux/${h##*/}"; done
	echo "usr/lib/libfastipc.a"
	echo "usr/lib/libfastipc.so"
	echo "usr/lib/libfastipc.so.0"
	echo "usr/lib/libfastipc.so.$version"
	echo "usr/lib/pkgconfig/libfastipc.pc"
	for p in lib/man/*.[378]; do echo "usr/share/man/man${p##*.}/${p##*/}"; done
}

installed_files() {
	(cd "$dest" && find . \( -type f -o -type l \) | sed 's|^\./||' |
		grep -v '^lib/modules/' | sort)
}

check "make install into a DESTDIR" \
	make -s install DESTDIR="$dest" PREFIX=/usr AUTOLOAD=1
check "the module is installed" \
	compgen -G "$dest/lib/modules/*/updates/*/fastipc.ko*"
check "the installed files are exactly the expected ones" \
	diff -u <(expected_files | sort) <(installed_files)
# Every page but the one-line .so links says which version it documents.
check "man pages carry the version ($version)" \
	bash -c "! grep -L -e '^\\.TH .*\"fastipc $version\"' -e '^\\.so ' \
		$dest/usr/share/man/man*/* | grep -q ."

pc() {
	PKG_CONFIG_PATH="$dest/usr/lib/pkgconfig" pkg-config --define-prefix "$@" libfastipc
}
check "pkg-config finds libfastipc $version" test "$(pc --modversion)" = "$version"
# shellcheck disable=SC2046
check "a program builds with pkg-config --cflags --libs" \
	gcc -Wall -Werror -o "$work/fastipc-hello-installed" lib/examples/hello.c \
	$(pc --cflags --libs) -Wl,-rpath,"$dest/usr/lib"
check "that program runs against the module in the VM" \
	bash -c "FASTIPC_VM_OUT=$work/vm scripts/vm.sh cmd 6.12 /root/fastipc-hello-installed \
		$work/fastipc-hello-installed | grep -q 'talks to the fastipc module'"
check "make uninstall removes every file" \
	bash -c "make -s uninstall DESTDIR=$dest PREFIX=/usr && test -z \"\$(find $dest ! -type d | grep -v /lib/modules/)\""

if command -v dkms >/dev/null; then
	read -r kver _ kdir < <(kernel_paths 6.12)
	check "make dkms-install copies only the build inputs" \
		bash -c "make -s dkms-install DESTDIR=$work/src && \
			test -f $work/src/usr/src/fastipc-$version/dkms.conf && \
			! find $work/src/usr/src/fastipc-$version -name '*.o' | grep -q ."
	mkdir -p "$work/dkms"
	check "dkms builds the module for $kver" \
		bash -c "dkms build -m fastipc -v $version -k $kver --kernelsourcedir $kdir \
			--sourcetree $work/src/usr/src --dkmstree $work/dkms && \
			compgen -G '$work/dkms/fastipc/$version/$kver/*/module/fastipc.ko*'"
else
	skip "make dkms-install" "no dkms on this machine"
	skip "dkms build" "no dkms on this machine"
fi

echo "install: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
