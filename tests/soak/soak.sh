#!/bin/sh
# tests/soak/soak.sh - the soak of the fault hardening (docs/robustness.md,
# "Soak"): minutes, not seconds, so it is `make soak`, not `make test`.
#
#   1. eight concurrent runs of different seeds into one --out folder,
#      with figures, three rounds: every run exits 0 and the folder holds
#      one run's group (its tables and figures byte for byte those of that
#      seed's run alone; gnuplot's PNGs are deterministic), whole figures,
#      no temporary or lock file;
#   2. runs at the largest sizes the budget accepts, under /usr/bin/time
#      -v: 64 states x 2000 periods (text report, tables in --out), 64
#      states x 20000 periods (JSON report: its document holds every
#      period; at 100000 periods the document alone is over the budget and
#      refused), and `compare` of three 2000-period scenarios; each peak
#      resident size within the 2048 MiB budget (the largest accepted
#      replications found by bisection: `clvsim check` for a run, no prompt
#      refusal within 2 s for the others).
#
# Usage: sh tests/soak/soak.sh [CLVSIM]   (default ./clvsim; run from the
# top of the repository). Prints the numbers; exits 1 on any failure.
set -eu
BIN=${1:-./clvsim}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
TIME=/usr/bin/time
BUDGET_KB=$((2048 * 1024))
WORK=$(mktemp -d "${TMPDIR:-/tmp}/clvsim-soak-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export CLVSIM_PLOTS_DIR="${CLVSIM_PLOTS_DIR:-$PWD/plots}"
fail() { echo "soak: FAIL: $*" >&2; exit 1; }

# ---- 1. concurrent writers -------------------------------------------
S=tests/data/cli/small.yaml
SIZES="--threads 1 --customers 2000 --replications 6 --quiet"
for k in 1 2 3 4 5 6 7 8; do
	"$BIN" run "$S" --seed $k --out "$WORK/ref$k" $SIZES >/dev/null
done
for round in 1 2 3; do
	rm -rf "$WORK/shared"
	pids=""
	for k in 1 2 3 4 5 6 7 8; do
		"$BIN" run "$S" --seed $k --out "$WORK/shared" $SIZES >/dev/null 2>"$WORK/err$k" &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || fail "a concurrent run failed: $(cat "$WORK"/err*)"; done
	who=""
	files=$(ls "$WORK/ref1")
	for f in $files; do
		for k in 1 2 3 4 5 6 7 8; do
			cmp -s "$WORK/shared/$f" "$WORK/ref$k/$f" && who="$who $k"
		done
	done
	set -- $who
	n=$(echo "$files" | wc -w)
	[ $# -eq "$n" ] && [ "$(echo $who | tr ' ' '\n' | sort -u | wc -l)" -eq 1 ] ||
		fail "round $round mixed groups: seeds$who for $files"
	hidden=$(ls -A "$WORK/shared" | grep -c '^\.' || true)
	[ "$hidden" -eq 0 ] || fail "round $round left $hidden hidden files"
	for png in "$WORK"/shared/*.png; do
		[ -e "$png" ] || continue
		tail -c 8 "$png" | od -An -c | grep -q 'I   E   N   D' || fail "$png is not whole"
	done
	echo "soak: round $round: 8 concurrent runs, the folder holds seed $1's group" \
	     "($(ls "$WORK/shared" | tr '\n' ' '))"
done

# ---- 2. the largest accepted sizes -------------------------------------
# A chain of 64 states (each kept with 0.9), horizon $1, replications $2.
states64() {
	awk -v T="$1" -v R="$2" 'BEGIN {
		printf "name: \"soak: 64 states\"\nstates: ["
		for (i = 0; i < 64; i++) printf "%sS%d", i ? ", " : "", i
		printf "]\ninitial: [1"; for (i = 1; i < 64; i++) printf ", 0"
		printf "]\nswitching:\n"
		for (i = 0; i < 64; i++) {
			printf "  S%d: [", i
			for (j = 0; j < 64; j++) printf "%s%.17g", j ? ", " : "", i == j ? 0.9 : 0.1 / 63
			printf "]\n"
		}
		printf "horizon: %d\ndiscount_rate: 0.01\nmargin: 100\ncustomers: 64\nreplications: %d\nseed: 1\n", T, R
	}'
}

# Largest R in [1, hi] for which `accepts R` succeeds (bisection).
largest() {
	lo=1 hi=$1
	shift
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(((lo + hi) / 2))
		if "$@" $mid; then lo=$mid; else hi=$mid; fi
	done
	echo $lo
}

check_accepts() { # HORIZON FORMAT R: `check` passes the file (text budget)
	states64 "$1" "$3" > "$WORK/s.yaml"
	"$BIN" check "$WORK/s.yaml" >/dev/null 2>&1
}

run_json_accepts() { # R: `run --format json` not refused within 2 s
	states64 20000 "$1" > "$WORK/j.yaml"
	"$BIN" run "$WORK/j.yaml" --format json --quiet >/dev/null 2>"$WORK/jerr" &
	p=$!
	sleep 2
	if kill -0 $p 2>/dev/null; then kill $p; wait $p 2>/dev/null || true; return 0; fi
	wait $p && return 0
	! grep -q "over the budget" "$WORK/jerr"
}

compare_accepts() { # R: compare of three 2000-period copies not refused within 2 s
	states64 2000 "$1" > "$WORK/c.yaml"
	"$BIN" compare "$WORK/c.yaml" "$WORK/c.yaml" "$WORK/c.yaml" --quiet >/dev/null 2>"$WORK/cerr" &
	p=$!
	sleep 2
	if kill -0 $p 2>/dev/null; then kill $p; wait $p 2>/dev/null || true; return 0; fi
	wait $p && return 0
	! grep -q "over the budget" "$WORK/cerr"
}

# Run "$@" under /usr/bin/time -v: print and check the peak.
peak() {
	what=$1
	shift
	"$TIME" -v "$@" >/dev/null 2>"$WORK/time" || fail "$what failed: $(tail -3 "$WORK/time")"
	kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time")
	secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time")
	echo "soak: $what: peak $((kb / 1024)) MiB of the $((BUDGET_KB / 1024)) MiB budget, $secs"
	[ "$kb" -le "$BUDGET_KB" ] || fail "$what peaked over the budget"
}

R=$(largest 4000 check_accepts 2000 text)
states64 2000 "$R" > "$WORK/run.yaml"
echo "soak: 64 states x 2001 periods: at most $R replications accepted"
peak "run, 64 x 2001 x $R, --out" "$BIN" run "$WORK/run.yaml" --quiet --out "$WORK/big" --plot none

R=$(largest 400 run_json_accepts)
states64 20000 "$R" > "$WORK/json.yaml"
echo "soak: 64 states x 20001 periods, --format json: at most $R replications accepted"
peak "run, 64 x 20001 x $R, --format json" "$BIN" run "$WORK/json.yaml" --quiet --format json

R=$(largest 2000 compare_accepts)
states64 2000 "$R" > "$WORK/cmp.yaml"
echo "soak: compare of three 64 x 2001 scenarios: at most $R replications accepted"
peak "compare, 3 x 64 x 2001 x $R" "$BIN" compare "$WORK/cmp.yaml" "$WORK/cmp.yaml" \
	"$WORK/cmp.yaml" --quiet
echo "soak: passed"
