# fit_survival.gp - does the shifted-beta-geometric model fit the
# cohort's retention, and what does it project? `clvsim fit --survival`: a cohort's observed survival
# and retention against the shifted-beta-geometric fit, projected past
# the data (dashed beyond the last observed period).
#
# Reads fit_survival.csv, written by clvsim fit beside its --out file (or
# into --summary DIR):
#   period,alive,survival_observed,survival,expected_alive,retention_observed,retention
# (periods ascending from 0; the observed columns are empty after the
# data; survival and retention are fractions 0..1).
#
# By hand:
#   gnuplot -e "datafile='fit_survival.csv'; outfile='fit_survival.png'" plots/fit_survival.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), scenario (title: the cohort file), period_unit (x axis),
# last_observed (the last period of the data: where the projection starts).

if (!exists("datafile")) datafile = 'fit_survival.csv'
if (!exists("outfile")) outfile = 'fit_survival.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("last_observed")) last_observed = ''

set encoding utf8
set datafile separator comma

W = 1200
H = 560
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

if (last_observed eq '') {
	stats datafile skip 1 using ($3 == $3 ? $1 : NaN) nooutput
	T = STATS_records > 0 ? STATS_max : 0
} else {
	T = real(last_observed)
}
# the frame: every period (at least 0..1), retention from its lowest
# value (a cohort that keeps everyone still gets a range)
stats datafile skip 1 using 1 nooutput
pmax = STATS_max > 0 ? STATS_max : 1
rlo = 100
low_r(v) = (v == v && 100 * v < rlo ? rlo = 100 * v : 0, 0)
stats datafile skip 1 using (low_r(valid(6) ? $6 : NaN) + low_r(valid(7) ? $7 : NaN)) nooutput
rlo = rlo < 100 ? rlo - 0.05 * (100 - rlo) : 90
unit = period_unit eq '' ? 'period' : period_unit
title = 'Cohort survival: observed against the shifted-beta-geometric fit' . \
	(scenario eq '' ? '' : "\n" . scenario)
set multiplot layout 1,2 title title font ',14' noenhanced
set grid
set xrange [0:pmax]
set xlabel unit noenhanced
set key top right noenhanced
set arrow 1 from T, graph 0 to T, graph 1 nohead dt 3 lc rgb '#888888'
fitted = '#d62728'
obs = '#08306b'

set title 'survival S(t): share of the cohort still active' font ',12'
set ylabel 'survival (%)'
set yrange [0:105]
plot datafile skip 1 using 1:($1 <= T ? 100*$4 : NaN) with lines lw 2.5 lc rgb fitted title 'sBG fit', \
     '' skip 1 using 1:($1 >= T ? 100*$4 : NaN) with lines lw 2.5 dt 2 lc rgb fitted title 'sBG projection', \
     '' skip 1 using 1:(100*$3) with points pt 7 ps 1.3 lc rgb obs title 'observed'

set title 'retention r(t) = S(t) / S(t-1)' font ',12'
set key bottom right
set ylabel 'retention (%)'
set yrange [rlo:100.5]
plot datafile skip 1 using 1:($1 <= T ? 100*$7 : NaN) with lines lw 2.5 lc rgb fitted title 'sBG fit', \
     '' skip 1 using 1:($1 >= T ? 100*$7 : NaN) with lines lw 2.5 dt 2 lc rgb fitted title 'sBG projection', \
     '' skip 1 using 1:(100*$6) with points pt 7 ps 1.3 lc rgb obs title 'observed'
unset multiplot
unset output
