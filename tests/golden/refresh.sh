#!/bin/sh
# tests/golden/refresh.sh - rewrite every stored output under tests/golden/
# from tests/golden/cases.txt (`make golden`). Run from the top of the
# repository; the binary is $CLVSIM (default ./clvsim). A simulating case
# is stored at --threads 1 (test_golden also checks --threads 2).
#
# Only for a change of numbers that is intended: say why in the commit
# that carries the new files, and look at `git diff tests/golden` first.
set -eu
bin=${CLVSIM:-./clvsim}
dir=tests/golden
[ -x "$bin" ] || { echo "refresh.sh: no executable $bin (set CLVSIM)" >&2; exit 2; }
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' "$dir/cases.txt" |
while read -r name args; do
	case $args in
	exact\ *) threads= ;;
	*) threads="--threads 1" ;;
	esac
	# $args and $threads are split on spaces on purpose (cases.txt has no quoting)
	if ! "$bin" $args $threads >"$dir/.$name.tmp"; then
		rm -f "$dir/.$name.tmp"
		echo "refresh.sh: failed: clvsim $args $threads" >&2
		exit 1
	fi
	mv "$dir/.$name.tmp" "$dir/$name"
	echo "golden: $dir/$name"
done
