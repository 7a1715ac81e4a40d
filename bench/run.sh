#!/bin/sh
# run.sh - run every approach of the benchmark and print one table.
#
# Usage: sh run.sh BENCH_CHAIN_BINARY [CLVSIM_BINARY]
# Runs bench_chain (C: the floors, scalar 1 and 8 lanes, AVX2, AVX-512 with
# 2 and 4 vectors in flight, each with and without per-period counts;
# clvsim's kernel and engine on every instruction-set path the processor
# has; the kernel with histograms; the engine on a 100-period, 2e6-customer
# run), the whole `clvsim run` of that 100-period scenario (wall time, when
# CLVSIM_BINARY is given), numpy_chain.py (Debian's /usr/bin/python3 with python3-numpy) and
# r_markovchain.R (Rscript with r-cran-markovchain), each for 1 and 2
# threads, best of 3 timings. All print tab-separated rows
#   approach threads steps seconds mean_A se_A exact_A
# which are turned into one table: customer-steps per second, the ratio to
# the reference floor of the same thread count (the fastest AVX-512 floor
# with counts; AVX2 or scalar 8 lanes on a processor without), and how many
# times faster clvsim's kernel is than NumPy and R; then the targets of the
# issue, met or not, with their ratios. A row whose CLV (earned in state A)
# is more than 5 standard errors from the exact figure is flagged WRONG.
# A missing interpreter or package skips its row with a note.
#
# Sizes (customer-steps per pass; rates are comparable across sizes):
#   C: 100000 customers x 1001 periods (engine100: 2e6 x 101);
#   NumPy: 50000 x 1001; R: 2000 x 1001.
set -u
bin=${1:?usage: run.sh BENCH_CHAIN_BINARY [CLVSIM_BINARY]}
clvsim=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
rows=$(mktemp)
scen=$(mktemp --suffix=.yaml)
trap 'rm -f "$rows" "$scen"' EXIT
trap 'exit 130' INT TERM
PYTHON=${PYTHON:-/usr/bin/python3}
RSCRIPT=${RSCRIPT:-Rscript}

echo "clvsim benchmark: textbook chain (3 states), 1 purchase per period, periods 0..1000"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu flags: $(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(avx2|avx512f|avx512dq|avx512bw|avx512vl)$' | tr '\n' ' ')"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$bin" -f "$here/../scenarios/textbook.yaml" -c 100000 -p 1000 -r 3 -t 2 >>"$rows" || echo "# bench_chain failed" >>"$rows"
# the whole `clvsim run` (exact figures, distribution and report included)
# of the textbook market over 100 periods, 2e6 customers, wall time, best of 3
if [ -n "$clvsim" ] && [ -x "$clvsim" ]; then
	printf 'base: %s\nhorizon: 100\n' "$here/../scenarios/textbook.yaml" >"$scen"
	for t in 1 2; do
		b=""
		for i in 1 2 3; do
			t0=$(date +%s.%N)
			"$clvsim" run "$scen" --customers 100000 --replications 20 --mode customers \
				--threads "$t" --quiet --format json >/dev/null 2>&1 || { b=""; break; }
			t1=$(date +%s.%N)
			b=$(echo "$t0 $t1 $b" | awk '{d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3}')
		done
		if [ -n "$b" ]; then
			printf 'run100\t%d\t%.0f\t%s\tnan\tnan\tnan\n' "$t" 202000000 "$b" >>"$rows"
		else
			echo "# clvsim run of the 100-period scenario failed" >>"$rows"
		fi
	done
fi
if "$PYTHON" -c 'import numpy' 2>/dev/null; then
	"$PYTHON" "$here/numpy_chain.py" -c 50000 -p 1000 -r 3 -t 2 >>"$rows" ||
		echo "# numpy_chain.py failed" >>"$rows"
else
	echo "# NumPy row skipped: $PYTHON cannot import numpy (apt-get install python3-numpy)" >>"$rows"
fi
if command -v "$RSCRIPT" >/dev/null 2>&1 &&
   "$RSCRIPT" -e 'quit(status = !requireNamespace("markovchain", quietly = TRUE))' >/dev/null 2>&1; then
	"$RSCRIPT" "$here/r_markovchain.R" -c 2000 -p 1000 -r 3 -t 2 >>"$rows" ||
		echo "# r_markovchain.R failed" >>"$rows"
else
	echo "# R row skipped: Rscript or the markovchain package is missing (apt-get install r-cran-markovchain)" >>"$rows"
fi

awk -F'\t' -v after="$(cut -d' ' -f1-3 /proc/loadavg)" '
BEGIN {
	nord = split("floor-s1 floor-s8 floor-avx2 floor-avx512x2 floor-avx512x4 " \
	             "kernel-scalar kernel-avx2 kernel-avx512 kernel+hist " \
	             "engine-scalar engine-avx2 engine-avx512 engine100 run100 numpy R", order, " ")
	name["floor-s1"] = "floor, scalar 1 lane"
	name["floor-s8"] = "floor, scalar 8 lanes"
	name["floor-avx2"] = "floor, AVX2 4x4 lanes"
	name["floor-avx512x2"] = "floor, AVX-512 2x8 lanes"
	name["floor-avx512x4"] = "floor, AVX-512 4x8 lanes"
	name["kernel-scalar"] = "clvsim kernel, scalar"
	name["kernel-avx2"] = "clvsim kernel, AVX2"
	name["kernel-avx512"] = "clvsim kernel, AVX-512"
	name["kernel+hist"] = "kernel + histograms (best)"
	name["engine-scalar"] = "engine mc_run, scalar"
	name["engine-avx2"] = "engine mc_run, AVX2"
	name["engine-avx512"] = "engine mc_run, AVX-512"
	name["engine100"] = "engine, 2e6 x 100 periods"
	name["run100"] = "clvsim run, 2e6 x 100 (wall)"
	name["numpy"] = "NumPy, vectorised"
	name["R"] = "R, markovchain"
	bad = 0
}
/^#/ { notes[++nnotes] = $0; if ($0 ~ /WRONG/) bad = 1; next }
NF == 7 {
	key = $1 SUBSEP $2
	rate[key] = $3 / $4
	mean[key] = $5; se[key] = $6; exact[key] = $7
	seen[$2] = 1
	if ($2 > maxt) maxt = $2
}
function label(k,   base) {
	base = k; sub(/\+counts$/, "", base)
	return (base in name ? name[base] : k) (k ~ /\+counts$/ ? " + counts" : "")
}
# the reference floor at t threads: the fastest vector floor with counts
function ref(t,   r, k) {
	r = 0
	if (("floor-avx512x2+counts" SUBSEP t) in rate) r = rate["floor-avx512x2+counts", t]
	if (("floor-avx512x4+counts" SUBSEP t) in rate && rate["floor-avx512x4+counts", t] > r)
		r = rate["floor-avx512x4+counts", t]
	if (r == 0 && ("floor-avx2+counts" SUBSEP t) in rate) r = rate["floor-avx2+counts", t]
	if (r == 0 && ("floor-s8+counts" SUBSEP t) in rate) r = rate["floor-s8+counts", t]
	return r
}
function best_kernel(t,   r, k) {
	r = 0
	split("kernel-scalar kernel-avx2 kernel-avx512", ks, " ")
	for (k = 1; k <= 3; k++)
		if ((ks[k] SUBSEP t) in rate && rate[ks[k], t] > r) r = rate[ks[k], t]
	return r
}
function target(what, value, goal) {
	printf "  -> %-58s %s (%.2f, target %s)\n", what, (value >= goal ? "met" : "NOT met"), value, goal
}
END {
	printf "%-36s %7s %16s %8s %9s  %s\n", "approach", "threads", "customer-steps/s",
	       "/ floor", "clvsim is", "CLV in state A: mean +- se (exact)"
	for (t = 1; t <= maxt; t++) {
		if (!(t in seen)) continue
		fl = ref(t); k = best_kernel(t)
		for (i = 1; i <= nord; i++) {
			for (c = 0; c < 2; c++) {
				kk = order[i] (c ? "+counts" : "")
				if (c && order[i] !~ /^floor/) continue
				key = kk SUBSEP t
				if (!(key in rate)) continue
				ratio = fl > 0 ? sprintf("%8.3f", rate[key] / fl) : sprintf("%8s", "-")
				faster = ""
				if ((kk == "numpy" || kk == "R") && k > 0)
					faster = sprintf("%.1fx", k / rate[key])
				check = ""
				if (mean[key] != "nan") {
					z = se[key] > 0 ? (mean[key] - exact[key]) / se[key] : 0
					flag = (z > 5 || z < -5) ? "  WRONG" : ""
					if (flag != "") bad = 1
					check = sprintf("%.1f +- %.1f (%.1f)%s", mean[key], se[key], exact[key], flag)
				}
				printf "%-36s %7d %16.4g %s %9s  %s\n", label(kk), t, rate[key], ratio, faster, check
			}
		}
	}
	print ""
	print "targets (ratios within this run; floor = the fastest vector floor with counts):"
	for (t = 1; t <= maxt; t++) {
		if (!(t in seen)) continue
		fl = ref(t); k = best_kernel(t)
		if (fl > 0 && k > 0) target(sprintf("kernel >= 0.5 x floor, %d thread(s)", t), k / fl, 0.5)
		if (fl > 0 && (("engine100" SUBSEP t) in rate))
			target(sprintf("engine 2e6 x 100 periods >= 0.35 x floor, %d thread(s)", t),
			       rate["engine100", t] / fl, 0.35)
		if (fl > 0 && (("run100" SUBSEP t) in rate))
			target(sprintf("clvsim run 2e6 x 100 >= 0.35 x floor, %d thread(s)", t),
			       rate["run100", t] / fl, 0.35)
		if (k > 0 && (("numpy" SUBSEP t) in rate))
			target(sprintf("kernel >= 10 x NumPy per core, %d thread(s)", t), k / rate["numpy", t], 10)
		if (k > 0 && (("R" SUBSEP t) in rate))
			target(sprintf("kernel >= 300 x R markovchain, %d thread(s)", t), k / rate["R", t], 300)
	}
	if (1 in seen && 2 in seen) {
		k1 = best_kernel(1); k2 = best_kernel(2)
		if (k1 > 0) target("kernel, 2 threads >= 1.8 x 1 thread", k2 / k1, 1.8)
		if (("engine100" SUBSEP 1) in rate && ("engine100" SUBSEP 2) in rate)
			target("engine 2e6 x 100, 2 threads >= 1.8 x 1 thread",
			       rate["engine100", 2] / rate["engine100", 1], 1.8)
	}
	for (i = 1; i <= nnotes; i++) print notes[i]
	print "load average after the run: " after
	exit bad
}' "$rows"
