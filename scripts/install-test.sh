#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install fastipc into a scratch DESTDIR and check it as a user would: a user
# build that touches nothing but the tree (no package installs, downloads or
# cache), the file list, the install directories, a program built with
# pkg-config against the installed tree and run in the test VM, one built
# from the tree as the README says and run with make vm-run, the installed man
# pages' version, uninstall (the module included), and a DKMS build against
# the 6.12 headers.  Ends with "install: N passed, N failed, N skipped".
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
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' |
		grep -v '^lib/modules/' | sort)
}

read -r kver _ kdir < <(kernel_paths 6.12)

# A user's build: a copy of the tree, with every tool that could install or
# download replaced by one that records its call and fails, and a cache and
# HOME that must stay empty.
user_build() {
	local tree=$work/user-tree shims=$work/shims tool
	mkdir -p "$tree" "$shims" "$work/home"
	git ls-files -z | xargs -0 cp --parents -t "$tree"
	for tool in apt apt-get apt-cache dpkg dpkg-deb debootstrap wget curl sudo \
		qemu-system-x86_64 chroot; do
		printf '#!/bin/sh\necho "%s $*" >>%s\nexit 1\n' "$tool" "$work/forbidden" \
			>"$shims/$tool"
		chmod +x "$shims/$tool"
	done
	(cd "$tree" && env PATH="$shims:$PATH" HOME="$work/home" FASTIPC_CACHE="$work/cache" \
		make -s KDIR="$kdir" &&
		env PATH="$shims:$PATH" HOME="$work/home" FASTIPC_CACHE="$work/cache" \
		make -s install uninstall KDIR="$kdir" DESTDIR="$work/user-dest" PREFIX=/usr) || return 1
	if [ -s "$work/forbidden" ]; then
		echo "the user build ran:"; cat "$work/forbidden"; return 1
	fi
	if [ -e "$work/cache" ] || [ -n "$(ls -A "$work/home")" ]; then
		echo "the user build wrote a cache or into HOME"; return 1
	fi
	test -f "$tree/module/fastipc.ko" && test -x "$tree/build/bin/fastipcctl"
}
check "make, make install, make uninstall: no apt-get, no download, no cache" user_build

check "make install into a DESTDIR" \
	make -s install KDIR="$kdir" DESTDIR="$dest" PREFIX=/usr AUTOLOAD=1
check "the module is installed for $kver" \
	compgen -G "$dest/lib/modules/$kver/updates/module/fastipc.ko*"
check "the installed files are exactly the expected ones" \
	diff -u <(expected_files | sort) <(installed_files "$dest")

relocated_install() {
	local to=$work/relocated
	make -s install KDIR="$kdir" DESTDIR="$to" PREFIX=/opt/f BINDIR=/opt/b \
		LIBDIR=/opt/l INCLUDEDIR=/opt/i MANDIR=/opt/m || return 1
	(cd "$to" && find opt -maxdepth 1 -mindepth 1 | sort | tr '\n' ' ') | tee "$work/dirs"
	[ "$(cat "$work/dirs")" = "opt/b opt/i opt/l opt/m " ] || return 1
	grep -qx 'libdir=/opt/l' "$to/opt/l/pkgconfig/libfastipc.pc" || return 1
	make -s uninstall KDIR="$kdir" DESTDIR="$to" PREFIX=/opt/f BINDIR=/opt/b \
		LIBDIR=/opt/l INCLUDEDIR=/opt/i MANDIR=/opt/m || return 1
	test -z "$(find "$to" ! -type d)"
}
check "install and uninstall honour BINDIR, LIBDIR, INCLUDEDIR, MANDIR" relocated_install
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
# As the README says: from the tree, no rpath; vm-run brings the library, and
# the command goes to the guest's shell exactly as typed.
readme_program() {
	gcc -Wall -Werror -Iuapi -Ilib -o "$work/myprog" lib/examples/hello.c \
		-Lbuild/lib -lfastipc || return 1
	FASTIPC_VM_OUT=$work/vm-readme make -s vm-run KERNEL=6.12 FILES="$work/myprog" \
		CMD='/root/myprog | grep -q "talks to" && v="$(echo a\"b)" && echo "quoted: $v|$((6*7))"' |
		tee "$work/readme.out" || return 1
	grep -qx 'quoted: a"b|42' "$work/readme.out"
}
check "a program built as the README says runs with make vm-run CMD=\"...\"" readme_program

check "make uninstall removes every file, the module included" \
	bash -c "make -s uninstall KDIR=$kdir DESTDIR=$dest PREFIX=/usr && test -z \"\$(find $dest ! -type d)\""

if command -v dkms >/dev/null; then
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
