# share_fan.gp - where do the customers go? The share of each state over
# the periods - share of wallet when the states are brands, share of
# customers when they are lifecycle stages (clvsim passes share_label:
# "share of customers" when the chain has an absorbing state) - with the
# Monte Carlo mean, its 5-95% and 25-75% bands across replications, the
# exact expectation (S_t = S_0 P^t, docs/theory.md section 2) and the
# steady state (dashed). One panel per state, in state order.
#
# Reads share.csv, written by clvsim into --out DIR:
#   period,state,mean,p05,p25,p50,p75,p95,exact,steady
# (rows grouped by state, periods ascending; shares are fractions 0..1).
#
# By hand:
#   gnuplot -e "datafile='out/share.csv'; outfile='share.png'" plots/share_fan.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal by hand), scenario (title), period_unit (x axis), share_label
# (what a share is: "share of wallet" by default), currency (unused).
# clvsim passes a copy of share.csv whose state column holds codes 1..n and
# the names in the string array lbl_state (docs/plots.md, "Labels"), so
# that any name is drawn literally; by hand, names come from the file.

if (!exists("datafile")) datafile = 'share.csv'
if (!exists("outfile")) outfile = 'share_fan.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''
if (!exists("share_label")) share_label = ''
if (share_label eq '') share_label = 'share of wallet'

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
	stats datafile skip 1 using (add_state(strcol(2))) nooutput
}
state_of(c) = copymode ? lbl_state[int(column(c))] : strcol(c)
sel(k) = state_of(2) eq lbl_state[k]
if (nstate < 1) { print "share_fan.gp: no data in ".datafile; exit status 1 }

# --- page: a grid of panels, one cell left for the legend when free
cols = nstate <= 2 ? nstate + 1 : int(ceil(sqrt(nstate + 1)))
rows = int(ceil((nstate + 1.0) / cols))
pw = cols > 4 ? 360 : 480
W = pw * cols
H = (pw * 3 / 4) * rows + 60
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

# "year" or "years" both give "time (years)"
unit = period_unit eq '' ? 'period' : period_unit
units = unit[strlen(unit):strlen(unit)] eq 's' ? unit : unit . 's'
what = share_label eq 'share of customers' ? 'Share of customers in each stage' : \
	(share_label eq 'share of wallet' ? 'Share of wallet per state' : share_label)
title = what . (scenario eq '' ? '' : "\n" . scenario)
set multiplot layout rows,cols title title font ',14'
set grid
set key off
set xlabel 'time (' . units . ')' noenhanced
set ylabel share_label . ' (%)' noenhanced
set format y '%g'
# periods are whole numbers: a tic per period when there are few
stats datafile skip 1 using 1 nooutput
if (STATS_max <= 15) { set xtics 1 }
if (STATS_max <= 0) { set xrange [-0.5:0.5] }
set offsets 0, 0, graph 0.05, 0
band_out = '#c6dbef'
band_in = '#6baed6'
do for [k=1:nstate] {
	set title lbl_state[k] noenhanced font ',12'
	# a state nobody is ever in still gets an axis (no empty range)
	stats datafile skip 1 using (sel(k) ? 100 * ($8 > $9 ? $8 : $9) : NaN) nooutput
	if (STATS_records > 0 && STATS_max > 0) { set yrange [0:* < 105] } else { set yrange [0:1] }
	plot datafile skip 1 using 1:(sel(k) ? 100*$4 : NaN):(sel(k) ? 100*$8 : NaN) \
		with filledcurves fc rgb band_out fs solid 1.0 noborder, \
	     '' skip 1 using 1:(sel(k) ? 100*$5 : NaN):(sel(k) ? 100*$7 : NaN) \
		with filledcurves fc rgb band_in fs solid 1.0 noborder, \
	     '' skip 1 using 1:(sel(k) ? 100*$3 : NaN) with lines lw 3 lc rgb '#08306b', \
	     '' skip 1 using 1:(sel(k) ? 100*$9 : NaN) with lines lw 1.2 lc rgb '#d62728', \
	     '' skip 1 using 1:(sel(k) ? 100*$10 : NaN) with lines lw 1.5 dt 2 lc rgb '#555555'
}

# --- the legend, in the free cell
unset title
unset xlabel
unset ylabel
unset border
unset tics
unset grid
set key center center vertical box spacing 1.5 width 2 font ',11'
set yrange [0:1]
set xrange [0:1]
plot NaN notitle, keyentry with filledcurves fc rgb band_out fs solid 1.0 title '5% - 95% of replications', \
     keyentry with filledcurves fc rgb band_in fs solid 1.0 title '25% - 75% of replications', \
     keyentry with lines lw 3 lc rgb '#08306b' title 'Monte Carlo mean', \
     keyentry with lines lw 1.2 lc rgb '#d62728' title 'exact expectation', \
     keyentry with lines lw 1.5 dt 2 lc rgb '#555555' title 'steady state'
unset multiplot
unset output
