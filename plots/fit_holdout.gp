# fit_holdout.gp - does the fitted chain forecast what customers did
# next? `clvsim fit --holdout DATE`: the forecast of the chain
# fitted on the records before DATE (lines) against what the same
# customers bought from DATE on (points: the brand of each customer's
# first purchase in the period), one colour per brand.
#
# Reads fit_holdout.csv, written by clvsim fit beside its --out file (or
# into --summary DIR):
#   period,start,state,observed,predicted,buyers
# (period = 1, 2, ... periods from the holdout date's on; start = its
# label, e.g. 2025-07; rows grouped by state; shares are fractions 0..1;
# observed is empty where nobody bought). Each observed share carries a bar
# of 1.96 sampling standard deviations among the period's buyers, had the
# forecast been true.
#
# By hand:
#   gnuplot -e "datafile='fit_holdout.csv'; outfile='fit_holdout.png'" plots/fit_holdout.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), scenario (title: the data file), holdout (the date),
# period_unit (x axis).
# clvsim passes a coded copy and the names in lbl_state (docs/plots.md,
# "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'fit_holdout.csv'
if (!exists("outfile")) outfile = 'fit_holdout.png'
if (!exists("scenario")) scenario = ''
if (!exists("holdout")) holdout = ''
if (!exists("period_unit")) period_unit = 'period'

set encoding utf8
set datafile separator comma

# --- labels: lbl_state from clvsim, else the distinct names in the file
copymode = exists("lbl_state")
if (copymode) {
	nstate = |lbl_state|
} else {
	array lbl_state[256]
	nstate = 0
	find_state(s) = sum [k=1:nstate] (lbl_state[k] eq s ? k : 0)
	add_state(s) = (find_state(s) > 0 || nstate >= |lbl_state|) ? 0 : \
		(nstate = nstate + 1, lbl_state[nstate] = s, 0)
	stats datafile skip 1 using (add_state(strcol(3))) nooutput
}
state_of(c) = copymode ? lbl_state[int(column(c))] : strcol(c)
sel(k) = state_of(3) eq lbl_state[k]
if (nstate < 1) { print "fit_holdout.gp: no data in ".datafile; exit status 1 }

# --- page
W = 1100
H = 700
# --- terminal: clvsim sets terminal_name, terminal_options and
# terminal_scale (by the output's extension); by hand, outfile's
# extension picks it (.png pngcairo, .svg svg, .pdf pdfcairo)
if (!exists("terminal_name")) {
	ext = strlen(outfile) >= 4 ? outfile[strlen(outfile)-3:strlen(outfile)] : ''
	terminal_name = (ext eq '.svg' || ext eq '.SVG') ? 'svg' : \
		((ext eq '.pdf' || ext eq '.PDF') ? 'pdfcairo' : 'pngcairo')
	terminal_options = terminal_name eq 'svg' ? \
		"dynamic noenhanced font 'Sans,12' background rgb 'white'" : \
		(terminal_name eq 'pdfcairo' ? "noenhanced font 'Sans,9'" : "noenhanced font 'Sans,10'")
	terminal_scale = terminal_name eq 'pdfcairo' ? 1 / 96.0 : 1
}
eval 'set terminal ' . terminal_name . \
	sprintf(' size %g,%g ', W * terminal_scale, H * terminal_scale) . terminal_options
set termoption noenhanced
set output outfile

unit = period_unit eq '' ? 'period' : period_unit
units = unit[strlen(unit):strlen(unit)] eq 's' ? unit : unit . 's'
since = holdout eq '' ? 'the holdout date' : holdout
set title 'Holdout: forecast of the chain fitted before ' . since . ' against what followed' . \
	(scenario eq '' ? '' : "\n" . scenario) . "\n" . \
	"lines: forecast; points: the brand of each customer's first purchase in the period," . \
	"\nwith bars of 1.96 sampling standard deviations among the period's buyers" \
	noenhanced font ',13'
set xlabel unit . ' from ' . since noenhanced
set ylabel 'share of buyers (%)'
set yrange [0:*]
stats datafile skip 1 using 1 nooutput
set xrange [0.5:STATS_max + 0.5]
set grid
set key outside right top vertical Left reverse noenhanced
# error bars: 1.96 sampling standard deviations of a share among the
# period's buyers, were the forecast true: sqrt(p (1 - p) / buyers)
half(p, n) = n > 0 ? 196 * sqrt(p * (1 - p) / n) : NaN
dx(k) = (k - (nstate + 1) / 2.0) * 0.06
plot for [k=1:nstate] datafile skip 1 using 1:(sel(k) ? 100*$5 : NaN):xtic(2) \
	with lines lw 2.5 lc k title lbl_state[k] . ' forecast', \
     for [k=1:nstate] datafile skip 1 using ($1 + dx(k)):(sel(k) ? 100*$4 : NaN):(half($5, $6)) \
	with yerrorbars pt 7 ps 1.1 lc k title lbl_state[k] . ' observed'
unset output
