#!/bin/sh
# run.sh - run every approach of the benchmark and print one table.
#
# Usage: sh run.sh BENCH_CHAIN_BINARY
# Runs bench_chain (C: floor, floor with 4 customers interleaved, clvsim
# kernel, kernel + histograms, engine),
# numpy_chain.py (Debian's /usr/bin/python3 with python3-numpy) and
# r_markovchain.R (Rscript with r-cran-markovchain), each for 1 and 2
# threads, best of 3 timings. All print tab-separated rows
#   approach threads steps seconds mean_A se_A exact_A
# which are turned into one table: customer-steps per second, the ratio to
# the bare PCG32 floor of the same thread count, and how many times faster
# clvsim's kernel is than NumPy and R. A row whose CLV (earned in state A)
# is more than 5 standard errors from the exact figure is flagged WRONG.
# A missing interpreter or package skips its row with a note.
#
# Sizes (customer-steps per pass; rates are comparable across sizes):
#   C: 100000 customers x 1001 periods; NumPy: 50000 x 1001; R: 2000 x 1001.
set -u
bin=${1:?usage: run.sh BENCH_CHAIN_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
rows=$(mktemp)
trap 'rm -f "$rows"' EXIT
trap 'exit 130' INT TERM
PYTHON=${PYTHON:-/usr/bin/python3}
RSCRIPT=${RSCRIPT:-Rscript}

echo "clvsim benchmark: textbook chain (3 states), 1 purchase per period, periods 0..1000"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

"$bin" -f "$here/../scenarios/textbook.yaml" -c 100000 -p 1000 -r 3 -t 2 >>"$rows" || echo "# bench_chain failed" >>"$rows"
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

awk -F'\t' '
BEGIN {
	name["floor"] = "bare PCG32 floor (C)"
	name["floor4"] = "bare floor, 4 interleaved (C)"
	name["kernel"] = "clvsim kernel"
	name["kernel+hist"] = "clvsim kernel + histograms"
	name["engine"] = "clvsim engine (mc_run)"
	name["numpy"] = "NumPy, vectorised"
	name["R"] = "R, markovchain::rmarkovchain"
	nord = split("floor floor4 kernel kernel+hist engine numpy R", order, " ")
	bad = 0
}
/^#/ { notes[++nnotes] = $0; next }
NF == 7 {
	key = $1 SUBSEP $2
	rate[key] = $3 / $4
	mean[key] = $5; se[key] = $6; exact[key] = $7
	seen[$2] = 1
	if ($2 > maxt) maxt = $2
}
END {
	printf "%-30s %7s %16s %9s %14s  %s\n", "approach", "threads", "customer-steps/s",
	       "/ floor", "kernel speedup", "CLV in state A: mean +- se (exact)"
	for (t = 1; t <= maxt; t++) {
		if (!(t in seen)) continue
		fl = rate["floor", t]; k = rate["kernel", t]
		for (i = 1; i <= nord; i++) {
			key = order[i] SUBSEP t
			if (!(key in rate)) continue
			ratio = fl > 0 ? sprintf("%9.3f", rate[key] / fl) : sprintf("%9s", "-")
			faster = ""
			if ((order[i] == "numpy" || order[i] == "R") && k > 0)
				faster = sprintf("%.1fx", k / rate[key])
			check = ""
			if (mean[key] != "nan") {
				z = se[key] > 0 ? (mean[key] - exact[key]) / se[key] : 0
					flag = (z > 5 || z < -5) ? "  WRONG" : ""
				if (flag != "") bad = 1
				check = sprintf("%.1f +- %.1f (%.1f)%s", mean[key], se[key], exact[key], flag)
			}
			printf "%-30s %7d %16.4g %s %14s  %s\n", name[order[i]], t, rate[key], ratio,
			       faster, check
		}
		if (fl > 0 && k > 0)
			printf "  -> target (kernel >= 0.5 x floor) at %d thread%s: %s (%.2f)\n", t,
			       (t > 1 ? "s" : ""), (k / fl >= 0.5 ? "met" : "NOT met"), k / fl
	}
	for (i = 1; i <= nnotes; i++) print notes[i]
	exit bad
}' "$rows"
