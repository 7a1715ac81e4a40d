#!/bin/sh
# methods.sh - the benchmarks of "simulate only what must be simulated"
# (bench/README.md, second table): each a ratio of two rows of one run.
#
# Usage: sh methods.sh BENCH_METHODS_BINARY CLVSIM_BINARY
#   bench_methods: per-customer retention against fixed retention
#   (mc_run), --mode aggregate against the per-customer engine
#   (customer-steps per second), the exact CLV distribution (information);
#   CLVSIM_BINARY: `clvsim run` of the infinite-horizon subscription
#   lifecycle (bench/lifecycle_infinite.yaml, default size) against one
#   `clvsim run scenarios/textbook.yaml`, wall time, best of 3; a 20 x 20
#   `clvsim sweep` of the textbook (nothing uncertain: exact) against the
#   same run; a sweep with per-replication draws (exact replication values)
#   against the same sweep with --mode customers (information).
# Exit status 1 when a target is not met.
set -u
bench=${1:?usage: methods.sh BENCH_METHODS_BINARY CLVSIM_BINARY}
clvsim=${2:?usage: methods.sh BENCH_METHODS_BINARY CLVSIM_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
trap 'exit 130' INT TERM

# best of 3 wall-clock seconds of a command (output discarded)
best() {
	b=""
	for i in 1 2 3; do
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1 || { echo "nan"; return; }
		t1=$(date +%s.%N)
		b=$(echo "$t0 $t1 $b" | awk '{d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3}')
	done
	echo "$b"
}

echo "clvsim methods benchmark: ratios measured in one run"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$bench" -r 5 -t 2 >>"$rows" || echo "# bench_methods failed" >>"$rows"
cd "$top" || exit 1
life=$(best "$clvsim" run bench/lifecycle_infinite.yaml --quiet)
text=$(best "$clvsim" run scenarios/textbook.yaml --quiet)
grid="--vary discount_rate=0.02:0.21:0.01 --vary margin.A=400:590:10"
sweep=$(best "$clvsim" sweep scenarios/textbook.yaml $grid)
ugrid="--vary discount_rate=0.05:0.15:0.025 --vary margin.Ours=20:35:5"
usweep=$(best "$clvsim" sweep scenarios/uncertain_retention.yaml $ugrid)
umc=$(best "$clvsim" sweep scenarios/uncertain_retention.yaml $ugrid --mode customers)
printf 'lifecycle\t0\t0\t%s\t0\t0\ntextbook\t0\t0\t%s\t0\t0\n' "$life" "$text" >>"$rows"
printf 'sweep\t0\t0\t%s\t0\t0\nusweep\t0\t0\t%s\t0\t0\numc\t0\t0\t%s\t0\t0\n' \
	"$sweep" "$usweep" "$umc" >>"$rows"

awk -F'\t' '
/^#/ { notes[++nnotes] = $0; next }
NF == 6 { key = $1 SUBSEP $2; sec[key] = $4; steps[key] = $3; mean[key] = $5; se[key] = $6
          if ($2 > maxt) maxt = $2 }
function verdict(ok) { if (!ok) bad = 1; return ok ? "met" : "NOT met" }
END {
	printf "%-52s %7s %10s %16s  %s\n", "benchmark", "threads", "seconds", "customer-steps/s",
	       "mean total CLV +- se (or bound)"
	for (t = 1; t <= maxt; t++) {
		f = "fixed" SUBSEP t; h = "hetero" SUBSEP t; c = "customers" SUBSEP t; a = "aggregate" SUBSEP t
		printf "%-52s %7d %10.4f %16.4g  %.2f +- %.2f\n", "fixed retention, 10000 x 50 x 100 periods", t,
		       sec[f], steps[f] / sec[f], mean[f], se[f]
		printf "%-52s %7d %10.4f %16.4g  %.2f +- %.2f\n", "per-customer retention, the same run", t,
		       sec[h], steps[h] / sec[h], mean[h], se[h]
		r = sec[h] / sec[f]
		printf "  -> per-customer / fixed: %.2fx (target <= 1.5x): %s\n", r, verdict(r <= 1.5)
		printf "%-52s %7d %10.4f %16.4g  %.2f +- %.2f\n", "per-customer engine, 1e5 x 10 x 100 periods", t,
		       sec[c], steps[c] / sec[c], mean[c], se[c]
		printf "%-52s %7d %10.4f %16.4g  %.2f +- %.4f\n", "--mode aggregate, 1e9 x 100 x 100 periods", t,
		       sec[a], steps[a] / sec[a], mean[a], se[a]
		r = (steps[a] / sec[a]) / (steps[c] / sec[c])
		printf "  -> aggregate / per-customer customer-steps per second: %.3g (target >= 1e4): %s\n",
		       r, verdict(r >= 1e4)
	}
	d = "clvdist" SUBSEP 0
	printf "%-52s %7s %10.4f %16s  %.2f (bound %.3g)\n", "exact CLV distribution, the same market", "all",
	       sec[d], "-", mean[d], se[d]
	l = sec["lifecycle" SUBSEP 0]; x = sec["textbook" SUBSEP 0]
	printf "%-52s %7s %10.4f\n", "clvsim run bench/lifecycle_infinite.yaml", "all", l
	printf "%-52s %7s %10.4f\n", "clvsim run scenarios/textbook.yaml", "all", x
	r = l / x
	printf "  -> lifecycle / textbook: %.1fx (target < 30x): %s\n", r, verdict(r < 30)
	w = sec["sweep" SUBSEP 0]
	printf "%-52s %7s %10.4f\n", "clvsim sweep textbook, 20 x 20 grid (exact)", "all", w
	r = w / x
	printf "  -> sweep 20 x 20 / one run: %.2fx (target < 3x): %s\n", r, verdict(r < 3)
	u = sec["usweep" SUBSEP 0]; m = sec["umc" SUBSEP 0]
	printf "%-52s %7s %10.4f\n", "sweep uncertain_retention 5 x 4 (exact replications)", "all", u
	printf "%-52s %7s %10.4f\n", "the same sweep, --mode customers (Monte Carlo)", "all", m
	printf "  -> Monte Carlo / exact replications: %.1fx (information)\n", m / u
	for (i = 1; i <= nnotes; i++) print notes[i]
	exit bad
}' "$rows"
