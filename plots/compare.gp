# compare.gp - scenarios side by side: the distribution of total CLV per
# customer in each scenario (empirical CDFs and densities, overlaid), and
# the distribution of the per-customer difference against the first
# scenario (customers simulated on common random numbers, so the
# difference isolates the change of assumptions).
#
# Reads compare_hist.csv and compare_diff.csv, written by clvsim:
#   scenario,state,bin_lo,bin_hi,count,density,cdf
# (compare_diff.csv holds scenario - first scenario, for every scenario
# but the first). The rows whose state is "total" are drawn (if there is
# none, the last state of the file).
#
# By hand:
#   gnuplot -e "datafile='out/compare_hist.csv'; outfile='cmp.png'" plots/compare.gp
# Variables (all optional): datafile, difffile (default: compare_diff.csv
# next to datafile), outfile (.png, .svg or .pdf picks the terminal),
# scenario (title), currency (x axis unit), period_unit (unused).
# clvsim passes coded copies and the names in lbl_scenario, lbl_state
# (docs/plots.md, "Labels"); by hand, names come from the files.

if (!exists("datafile")) datafile = 'compare_hist.csv'
# the sibling file in datafile's directory
sibling(name) = (at = strstrt(datafile, 'compare_hist.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("difffile")) difffile = sibling('compare_diff.csv')
if (!exists("outfile")) outfile = 'compare.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

# --- labels: lbl_scenario / lbl_state from clvsim, else from the file
scncopy = exists("lbl_scenario")
stcopy = exists("lbl_state")
if (!scncopy) {
	array lbl_scenario[256]
	nscn = 0
	find_scn(s) = sum [k=1:nscn] (lbl_scenario[k] eq s ? k : 0)
	add_scn(s) = (find_scn(s) > 0 || nscn >= |lbl_scenario|) ? 0 : \
		(nscn = nscn + 1, lbl_scenario[nscn] = s, 0)
	stats datafile skip 1 using (add_scn(strcol(1))) nooutput
} else {
	nscn = |lbl_scenario|
}
scn_of(c) = scncopy ? lbl_scenario[int(column(c))] : strcol(c)
state_of(c) = stcopy ? lbl_state[int(column(c))] : strcol(c)
if (nscn < 1) { print "compare.gp: no data in ".datafile; exit status 1 }

# the state drawn: "total", else the last one in the file
drawn = ''
pick(s) = (drawn eq 'total' ? 0 : (drawn = s, 0))
stats datafile skip 1 using (pick(state_of(2))) nooutput
sel(k) = scn_of(1) eq lbl_scenario[k] && state_of(2) eq drawn

# approximate mean difference per scenario, from the bins
array dmean[nscn]
dsum = 0
dcount = 0
acc(k) = sel(k) ? (dsum = dsum + column(5) * (column(3) + column(4)) / 2, \
	dcount = dcount + column(5), 0) : 0
do for [k=2:nscn] {
	dsum = 0
	dcount = 0
	stats difffile skip 1 using (acc(k)) nooutput
	dmean[k] = dcount > 0 ? dsum / dcount : NaN
}

# --- page: three panels in a row, legends below
W = 1500
H = 520 + 20 * nscn
len = strlen(outfile)
ext = len >= 4 ? outfile[len-3:len] : ''
if (ext eq '.svg' || ext eq '.SVG') {
	set terminal svg size W,H dynamic noenhanced font 'Sans,12' background rgb 'white'
} else {
	if (ext eq '.pdf' || ext eq '.PDF') {
		set terminal pdfcairo size W/96.0,H/96.0 noenhanced font 'Sans,9'
	} else {
		set terminal pngcairo size W,H noenhanced font 'Sans,10'
	}
}
set termoption noenhanced
set output outfile

cur = currency eq '' ? 'money units' : currency
what = drawn eq 'total' ? 'total CLV per customer' : 'CLV per customer in ' . drawn
title = 'Scenario comparison: ' . what . (scenario eq '' ? '' : "\n" . scenario)
set multiplot layout 1,3 title title font ',14' noenhanced
set grid
set key outside bottom center vertical Left reverse noenhanced
set bmargin 6 + nscn
set xlabel what . ' (' . cur . ')' noenhanced

set title 'distribution function' font ',11'
set ylabel 'customers with CLV <= x (%)'
set yrange [0:100]
# the ogive: per bin, from (bin_lo, cdf before it) to (bin_hi, cdf)
step = 0
plot for [k=1:nscn] datafile skip 1 \
	using 3:(sel(k) ? (step = 100 * $6 * ($4 - $3), 100 * $7 - step) : NaN):($4 - $3):(step) \
	with vectors nohead lw 2 lc k title lbl_scenario[k]

set title 'density' font ',11'
set ylabel 'density (1/' . cur . ')' noenhanced
set format y '%.1e'
set yrange [0:*]
plot for [k=1:nscn] datafile skip 1 using (sel(k) ? ($3 + $4) / 2 : NaN):(sel(k) ? $6 : NaN) \
	with lines lw 2 lc k title lbl_scenario[k]

set title 'difference vs the first scenario' noenhanced font ',11'
set xlabel 'replication average: difference (' . cur . ')' noenhanced
set arrow 1 from 0, graph 0 to 0, graph 1 nohead lw 1.5 lc rgb '#555555' front
set style fill transparent solid 0.45 noborder
if (nscn >= 2) {
	plot for [k=2:nscn] difffile skip 1 using (sel(k) ? ($3 + $4) / 2 : NaN):(sel(k) ? $6 : NaN):($4 - $3) \
		with boxes lc k title lbl_scenario[k] . sprintf('  (mean %+.4g)', dmean[k])
} else {
	unset arrow 1
	set label 1 'only one scenario: nothing to compare' at graph 0.5, 0.5 center
	plot NaN notitle
}
unset multiplot
unset output
