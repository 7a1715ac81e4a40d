# compare.gp - does the change pay, and how sure is it? For each scenario
# against the first: the distribution across replications of the
# difference in average total CLV per customer (customers simulated on
# common random numbers, so the difference isolates the change of
# assumptions), the replications where it beats the first shaded apart
# from those where it loses, its mean with the 90% interval of the mean,
# and P(beats) - all quoted as the compare report prints them. Beside it,
# a small bar of each scenario's mean total CLV with its 95% interval.
#
# Reads compare_diff.csv, written by clvsim `compare --out DIR`:
#   scenario,state,bin_lo,bin_hi,count,density,cdf
# (scenario minus the first scenario, for every scenario but the first;
# the rows whose state is "total" are drawn). The numbers quoted come
# from clvsim (the arrays rep_exact, rep_mean, rep_se, rep_diff_exact,
# rep_diff_mean, rep_diff_lo90, rep_diff_hi90, rep_p_beats_first and
# their _text, by scenario code: compare.csv's rows whose state is
# "total", plot_legend.h); by hand, only the distributions are drawn.
#
# By hand:
#   gnuplot -e "datafile='out/compare_diff.csv'; outfile='cmp.png'" plots/compare.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks
# the terminal by hand), scenario (title), currency (x axis unit),
# period_unit (unused).
# clvsim passes a coded copy and the names in lbl_scenario, lbl_state
# (docs/plots.md, "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'compare_diff.csv'
if (!exists("outfile")) outfile = 'compare.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

# --- labels: lbl_scenario / lbl_state from clvsim, else from the file
scncopy = exists("lbl_scenario")
stcopy = exists("lbl_state")
scn_of(c) = scncopy ? lbl_scenario[int(column(c))] : strcol(c)
state_of(c) = stcopy ? lbl_state[int(column(c))] : strcol(c)
quoted = exists("rep_n")
if (quoted) {
	nscn = rep_n
} else {
	# by hand: the scenarios of the file (the first one, the reference,
	# has no rows there and is not known)
	array lbl_scenario[257]
	lbl_scenario[1] = 'the first scenario'
	nscn = 1
	find_scn(s) = sum [k=2:nscn] (lbl_scenario[k] eq s ? k : 0)
	add_scn(s) = (find_scn(s) > 0 || nscn >= |lbl_scenario|) ? 0 : \
		(nscn = nscn + 1, lbl_scenario[nscn] = s, 0)
	stats datafile skip 1 using (add_scn(strcol(1))) nooutput
	scncopy = 0
}
defined(x) = x == x
sel(k) = scn_of(1) eq lbl_scenario[k] && state_of(2) eq 'total'
first = quoted ? lbl_scenario[1] : 'the first scenario'

# --- page: the differences on the left, one panel each; the means right
ndiff = nscn > 1 ? nscn - 1 : 1
W = 1400
H = 150 + 250 * ndiff
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

cur = currency eq '' ? 'money units' : currency
title = 'Scenario comparison: total CLV per customer' . (scenario eq '' ? '' : "\n" . scenario) . \
	"\n" . 'left: the difference in each replication (green where it beats [1], red where not), ' . \
	'its mean (line) and the 90% interval of the mean (band)'
set multiplot title title font ',14' noenhanced
top = 1 - 90.0 / H
left_w = 0.64
ph = (top - 20.0 / H) / ndiff
gain = '#31a354'
loss = '#de2d26'

# --- left: the distribution of each difference
set grid
set key off
set style fill solid 0.55 noborder
set format x '%g'
set format y '%g'
set ylabel 'replications (%)'
do for [k=2:(nscn > 1 ? nscn : 2)] {
	set origin 0, top - (k - 1) * ph
	set size left_w, ph
	unset arrow
	unset label
	unset object
	if (nscn < 2) {
		set origin 0, 20.0 / H
		set size left_w, top - 20.0 / H
		set xrange [-1:1]
		set yrange [0:1]
		unset ytics
		set label 1 'only one scenario: nothing to compare' at graph 0.5, 0.5 center noenhanced
		plot NaN notitle
	} else {
		# the bins with replications (side effects: stats warns when a
		# filter leaves no point)
		nb = 0
		xlo = 1e300
		xhi = -1e300
		stats datafile skip 1 using (sel(k) && $5 > 0 ? (nb = nb + 1, \
			xlo = $3 < xlo ? $3 : xlo, xhi = $4 > xhi ? $4 : xhi, 0) : 0) nooutput
		if (nb == 0) { xlo = 0; xhi = 0 }
		m = quoted ? rep_diff_mean[k] : (xlo + xhi) / 2
		lo90 = quoted ? rep_diff_lo90[k] : NaN
		hi90 = quoted ? rep_diff_hi90[k] : NaN
		# the frame: the bins, the mean and 0 when 0 is near (else say so)
		span = xhi > xlo ? xhi - xlo : (abs(m) > 0 ? abs(m) * 0.2 : 1)
		a = xhi > xlo ? xlo : m - span / 2
		b = xhi > xlo ? xhi : m + span / 2
		zero_near = (0 >= a - 2 * span && 0 <= b + 2 * span)
		if (zero_near) { a = a < 0 ? a : 0; b = b > 0 ? b : 0 }
		pad = (b - a) * 0.05
		pad = pad > 0 ? pad : 1
		set xrange [a - pad:b + pad]
		set yrange [0:*]
		set ytics
		set xlabel 'difference in average total CLV per customer (' . cur . ')' noenhanced font ',9'
		if (defined(lo90) && defined(hi90)) {
			set object 1 rect from lo90, graph 0 to hi90, graph 1 fc rgb '#08306b' fs transparent solid 0.15 noborder back
		}
		if (zero_near) {
			set arrow 1 from 0, graph 0 to 0, graph 1 nohead lw 1.5 lc rgb '#555555' front
		} else {
			set label 2 (m > 0 ? '0 is far to the left: every replication gains' : \
				'0 is far to the right: every replication loses') at graph 0.02, graph 0.92 left noenhanced front
		}
		if (quoted && defined(m)) {
			set arrow 2 from m, graph 0 to m, graph 1 nohead lw 2.5 lc rgb '#08306b' front
		}
		sub = !quoted ? '' : ('mean ' . rep_diff_mean_text[k] . \
			(rep_diff_exact_text[k] eq '' ? '' : ' (exact ' . rep_diff_exact_text[k] . ')') . \
			(rep_diff_lo90_text[k] eq '' ? '' : ', 90% interval of the mean [' . rep_diff_lo90_text[k] . \
				', ' . rep_diff_hi90_text[k] . ']') . \
			(rep_p_beats_first_text[k] eq '' ? '' : ',  P(beats [1]) = ' . rep_p_beats_first_text[k]))
		set title '[' . k . '] ' . lbl_scenario[k] . ' minus [1] ' . first . "\n" . sub noenhanced font ',10'
		if (nb <= 1) {
			# every replication has the same difference: one bar
			set label 3 'every replication: ' . (quoted ? rep_diff_mean_text[k] : sprintf('%.2f', m)) \
				at graph 0.98, graph 0.92 right noenhanced front
			set yrange [0:110]
			plot '+' using (m):(100) with impulses lw 6 lc rgb (m > 0 ? gain : (m < 0 ? loss : '#6baed6'))
		} else {
			plot datafile skip 1 using (sel(k) && ($3 + $4) / 2 > 0 ? ($3 + $4) / 2 : NaN):(100 * $6 * ($4 - $3)):($4 - $3) \
				with boxes lc rgb gain, \
			     '' skip 1 using (sel(k) && ($3 + $4) / 2 <= 0 ? ($3 + $4) / 2 : NaN):(100 * $6 * ($4 - $3)):($4 - $3) \
				with boxes lc rgb loss
		}
	}
}
unset arrow
unset label
unset object

# --- right: each scenario's mean total with its 95% interval
set origin left_w, 20.0 / H
set size 1 - left_w, top - 20.0 / H
set title 'mean total CLV per customer' . "\n" . 'bar: Monte Carlo mean, 95% interval (+-1.96 SE); dot: exact' \
	noenhanced font ',10'
set xlabel cur noenhanced font ',9'
unset ylabel
set yrange [nscn + 0.6:0.4]
set ytics scale 0 noenhanced
set grid xtics
unset grid
set grid xtics
if (quoted) {
	# one row per scenario, its code, for plotting the arrays
	set print $scn
	do for [i=1:nscn] { print i }
	unset print
	se95(i) = defined(rep_se[i]) ? 1.96 * rep_se[i] : 0
	mtop = 0
	mbot = 0
	do for [i=1:nscn] {
		mtop = rep_mean[i] + se95(i) > mtop ? rep_mean[i] + se95(i) : mtop
		mbot = rep_mean[i] - se95(i) < mbot ? rep_mean[i] - se95(i) : mbot
	}
	xa = mbot < 0 ? mbot * 1.45 : 0
	xb = mtop > 0 ? mtop * 1.45 : (mbot < 0 ? -mbot * 0.2 : 1)
	set xrange [xa:xb]
	set ytics () noenhanced
	do for [i=1:nscn] { set ytics add ('[' . i . ']' i) }
	r(c) = int(column(c))
	plot $scn using (rep_mean[r(1)] / 2):(r(1)):(abs(rep_mean[r(1)]) / 2):(0.3) \
		with boxxyerror fc rgb '#9ecae1' fs solid 0.8 noborder, \
	     '' using (rep_mean[r(1)]):(r(1)):(rep_mean[r(1)] - se95(r(1))):(rep_mean[r(1)] + se95(r(1))) \
		with xerrorbars pt -1 lw 2 lc rgb '#08306b', \
	     '' using (rep_exact[r(1)]):(r(1)) with points pt 7 ps 0.8 lc rgb '#d62728', \
	     '' using (0):(r(1)):(rep_mean_text[r(1)] . ' (SE ' . rep_se_text[r(1)] . ')') \
		with labels left offset 0.5, 1.2 font ',9' noenhanced
} else {
	set xrange [0:1]
	unset ytics
	set label 1 'the means are in compare.csv' at graph 0.5, 0.5 center noenhanced
	plot NaN notitle
}
unset multiplot
unset output
