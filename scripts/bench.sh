#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the 6.12 test guest once and run fastipc_bench there, which
# measures fastipc and its peers (pipe, UNIX sockets, System V and POSIX
# queues, futex, eventfd, raw Binder through Debian's binder_linux, spinning)
# and the floors, interleaved, in alternating passes.
#
#   scripts/bench.sh [ARGS...]     ARGS go to fastipc_bench (see --help)
#   scripts/bench.sh --replot      redraw the plots and reprint the last table
#
# ICOUNT=1 boots qemu with -icount shift=0,sleep=off on single-threaded TCG
# and keeps the same-CPU rows (instruction-counted, noise-free).
# Output: build/bench/ (build/bench/icount/ with ICOUNT=1): table.txt,
# results.tsv, passes.tsv, ratios.tsv, latency.png, throughput.png, env.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=6.12
icount=${ICOUNT:-0}
[ "$icount" = 0 ] && icount=
out=$FASTIPC_BUILD/bench${icount:+/icount}
mkdir -p "$out"
started=$(date +%s)

replot=
if [ "${1:-}" = --replot ]; then
	replot=1
	[ -s "$out/results.tsv" ] || die "no results in $out to plot"
fi

run_guest() {
	# --- build ----------------------------------------------------
	make -s -C "$FASTIPC_ROOT/selftests/bench" OUTPUT="$FASTIPC_BUILD/bench" \
		LIBFASTIPC="$FASTIPC_BUILD/lib/libfastipc.a"
	bin=$FASTIPC_BUILD/bench/fastipc_bench

	# --- binder_linux.ko, from the kernel image (scripts/setup.sh) ---
	kdir=$FASTIPC_CACHE/kernels/$kernel
	[ -e "$kdir/BINDER" ] || "$FASTIPC_ROOT/scripts/setup.sh"
	files=("$bin")
	binder=$(cat "$kdir/BINDER" 2>/dev/null || echo none)
	if [ "$binder" != none ] && [ -f "$kdir/$binder" ]; then
		files+=("$kdir/$binder")
		load_binder='insmod /root/binder_linux.ko devices=binder || echo "bench: insmod binder_linux failed" >&2'
	else
		echo "bench: no binder_linux.ko in the $kernel image: the binder rows are skipped" >&2
		load_binder=:
	fi

	# --- the guest's command --------------------------------------
	args=(--tune-limits --out /tmp/bench "$@")
	[ -n "$icount" ] && args=(--icount "${args[@]}")
	cmd="$load_binder
	mkdir -p /tmp/bench
	/root/fastipc_bench ${args[*]} >/tmp/bench/table.txt
	rc=\$?
	for f in table.txt results.tsv passes.tsv ratios.tsv; do
		echo \"=== BEGIN \$f\"
		cat /tmp/bench/\$f 2>/dev/null
		echo \"=== END \$f\"
	done
	exit \$rc"

	if [ -n "$icount" ]; then
		export FASTIPC_ACCEL=tcg-single
		export FASTIPC_QEMU_EXTRA="${FASTIPC_QEMU_EXTRA:-} -icount shift=0,sleep=off"
	fi
	# vm.sh boots the stock kernels with slub_debug=FZPU, which makes every slab
	# allocation poison, redzone and record a stack trace: that would tax the
	# peers that allocate per message (sockets, queues, binder) far more than
	# the others.  A later slub_debug=- switches it off again.
	export FASTIPC_APPEND="${FASTIPC_APPEND:+$FASTIPC_APPEND }slub_debug=-"
	export FASTIPC_VM_OUT=$out/vm
	mkdir -p "$FASTIPC_VM_OUT"
	: >"$FASTIPC_VM_OUT/tap.log"

	{
		echo "host: $(uname -r), $(nproc) CPUs; $(qemu-system-x86_64 --version | head -n 1)"
		echo "guest: Debian $kernel ($(cat "$kdir/KVER")), -smp ${FASTIPC_VM_SMP:-2}," \
			"-m ${FASTIPC_VM_MEM:-2G}, accel ${FASTIPC_ACCEL:-auto (tcg,thread=multi without KVM)}" \
			"${FASTIPC_QEMU_EXTRA:-}"
		echo "fastipc_bench ${args[*]}"
	} >"$out/env.txt"
	say "benchmark: $(sed -n 2p "$out/env.txt")"

	# Boot; show the guest's progress lines while it runs.
	status=0
	"$FASTIPC_ROOT/scripts/vm.sh" cmd "$kernel" "$cmd" "${files[@]}" >"$out/vm.log" 2>&1 &
	vm=$!
	tail -n +1 -F --pid=$vm "$FASTIPC_VM_OUT/tap.log" 2>/dev/null |
		sed -u -n 's/^progress: /  /p' >&2 &
	tailer=$!
	# The emulated CPUs share the host with whatever else runs there (other test
	# VMs, builds): sample that, since it distorts the cross-CPU rows most.
	(
		while kill -0 $vm 2>/dev/null; do
			others=$(($(pgrep -c -f '^qemu-system' || true) - 1))
			echo "$((others < 0 ? 0 : others)) $(cut -d' ' -f1 /proc/loadavg)"
			sleep 5
		done
	) >"$out/host-load.txt" &
	monitor=$!
	wait $vm || status=$?
	wait $tailer 2>/dev/null || true
	wait $monitor 2>/dev/null || true
	host_load=$(awk '{ n++; if ($1 > 0) busy++; if ($1 > maxq) maxq = $1
			if (n == 1 || $2 < lo) lo = $2; if ($2 > hi) hi = $2 }
		END { printf "host during the run: other qemu processes in %d of %d samples (at most %d);" \
			" load average %s..%s on %d CPUs", busy, n, maxq, lo, hi, '"$(nproc)"' }' \
		"$out/host-load.txt")
	echo "$host_load" >>"$out/env.txt"

	tap=$FASTIPC_VM_OUT/tap.log
	section() {
		tr -d '\r' <"$tap" | awk -v f="$1" '$0 == "=== BEGIN " f { on = 1; next }
			$0 == "=== END " f { on = 0 } on'
	}
	for f in table.txt results.tsv passes.tsv ratios.tsv; do
		section "$f" >"$out/$f"
	done
	if [ $status -ne 0 ] || [ ! -s "$out/results.tsv" ]; then
		tail -n 40 "$out/vm.log" >&2
		die "the benchmark run failed (logs: $out/vm.log, $FASTIPC_VM_OUT/)"
	fi
}
[ -n "$replot" ] || run_guest "$@"

# --- plots -------------------------------------------------------------------
plots() {
	local dat=$out/plot rt_sizes="8 64 4096" mechs
	mkdir -p "$dat"
	rm -f "$dat"/*
	# Latency: per size, one row per mechanism, columns same/cross/unpinned (us).
	for s in $rt_sizes; do
		awk -F'\t' -v s="$s" '
			$1 == "rt_p50" && $3 == s {
				if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 }
				v[$2, $4] = $5 / 1000
			}
			END {
				for (i = 0; i < n; i++) {
					m = order[i]
					printf "%s", m
					split("same cross unpinned", pl, " ")
					for (j = 1; j <= 3; j++)
						printf "\t%s", ((m, pl[j]) in v) ? v[m, pl[j]] : "NaN"
					printf "\n"
				}
			}' "$out/results.tsv" >"$dat/rt$s.dat"
	done
	# Throughput: one file per mechanism and metric, "size value".
	awk -F'\t' -v d="$dat" '
		($1 == "stream_bw" || $1 == "call_bw" || $1 == "copy_bw") && $5 != "nan" {
			f = d "/" $1 "." $2 ".dat"
			print $3, $5 > f
		}' "$out/results.tsv"

	local lat=$out/latency.png thr=$out/throughput.png
	local -A color=([fastipc]='#d62728' [fastipc-zc]='#ff7f0e' [fastipc-zc-touch]='#8c564b'
		[pipe]='#1f77b4' [unix-stream]='#17becf' [unix-seqpacket]='#9467bd'
		[sysv-msg]='#2ca02c' [posix-mq]='#bcbd22' [futex]='#e377c2' [eventfd]='#7f7f7f'
		[binder]='#000000' [spin]='#aec7e8' [memcpy]='#555555' [pvwritev]='#000000')
	local -A width=([fastipc]=3 [fastipc-zc]=3 [fastipc-zc-touch]=2)
	{
		echo "set terminal pngcairo size 1500,560 font 'sans,9'"
		echo "set output '$lat'"
		echo "set datafile missing 'NaN'"
		echo "set multiplot layout 1,3 title 'Round trip, median (us): same CPU, cross CPU, unpinned$( [ -n "$icount" ] && echo ' - icount, same CPU only (1 us = 1000 instructions)')'"
		echo "set style data histograms; set style histogram clustered gap 1"
		echo "set style fill solid 0.85 border -1; set boxwidth 0.9"
		echo "set yrange [0:*]; set grid ytics; set xtics rotate by -45 scale 0"
		echo "set key tmargin left horizontal; set tmargin 5"
		for s in $rt_sizes; do
			[ "$s" = 64 ] && echo "unset key"
			echo "set title 'request + reply of $s B'"
			if [ -n "$icount" ]; then
				echo "plot '$dat/rt$s.dat' using 2:xtic(1) title 'same CPU (icount)'"
			else
				echo "plot '$dat/rt$s.dat' using 2:xtic(1) title 'same', '' using 3 title 'cross', '' using 4 title 'unpinned'"
			fi
		done
		echo "unset multiplot"
	} >"$dat/latency.gp"
	{
		echo "set terminal pngcairo size 1400,620 font 'sans,9'"
		echo "set output '$thr'"
		echo "set multiplot layout 1,2 title 'Throughput vs message size (MB/s, log-log)'"
		echo "set logscale xy; set grid; set key top left"
		echo "set xtics ('64' 64, '256' 256, '1k' 1024, '4k' 4096, '16k' 16384, '64k' 65536, '256k' 262144, '1M' 1048576)"
		echo "set xlabel 'message bytes'; set ylabel 'MB/s'"
		for metric in stream_bw call_bw; do
			if [ "$metric" = stream_bw ]; then
				echo "set title 'one-way streaming ($([ -n "$icount" ] && echo same || echo cross) CPU), with the copy floors'"
			else
				echo "set title 'calls: request of N bytes, reply of 8 B (same CPU)'"
			fi
			local plot= f m
			for m in fastipc fastipc-zc fastipc-zc-touch pipe unix-stream \
				unix-seqpacket sysv-msg posix-mq futex eventfd binder spin; do
				f=$dat/$metric.$m.dat
				[ -e "$f" ] || continue
				plot+="${plot:+, }'$f' using 1:2 with linespoints lw ${width[$m]:-1.5}"
				plot+=" pt 7 ps 0.6 lc rgb '${color[$m]}' title '$m'"
			done
			for m in memcpy pvwritev; do
				f=$dat/copy_bw.$m.dat
				[ -e "$f" ] && plot+="${plot:+, }'$f' using 1:2 with lines dt 2 lw 2 lc rgb '${color[$m]}' title '$m (floor)'"
			done
			[ -n "$plot" ] && echo "plot $plot" || echo "set title 'no data'; plot 1 notitle"
		done
		echo "unset multiplot"
	} >"$dat/throughput.gp"
	gnuplot "$dat/latency.gp" && gnuplot "$dat/throughput.gp"
}
if command -v gnuplot >/dev/null; then
	plots || echo "bench: gnuplot failed; no plots" >&2
else
	echo "bench: gnuplot not installed (scripts/setup.sh installs gnuplot-nox); no plots" >&2
fi

# --- report ------------------------------------------------------------------
cat "$out/env.txt"
cat "$out/table.txt"
echo
echo "bench: results in $out/ (table.txt results.tsv passes.tsv ratios.tsv" \
	"latency.png throughput.png); $(($(date +%s) - started)) s in all"
