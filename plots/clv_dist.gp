# clv_dist.gp - the distribution of CLV per customer: a histogram per
# state and for the total, with the Monte Carlo mean, the 5th and 95th
# percentiles and the exact expectation marked, and one panel of
# empirical distribution functions (all states and the total).
#
# Reads clv_hist.csv, written by clvsim into --out DIR:
#   state,bin_lo,bin_hi,count,density,cdf
# (grouped by state in state order, then "total"; density = count /
# (customers * bin width); cdf = share of customers up to bin_hi), and for
# the markers clv.csv: state,level,mean,se,sd,p05,p25,p50,p75,p95,exact
# (the rows with level "customers").
#
# By hand:
#   gnuplot -e "datafile='out/clv_hist.csv'; outfile='clv.png'" plots/clv_dist.gp
# Variables (all optional): datafile, clvfile (default: clv.csv next to
# datafile; '' = no markers), outfile (.png, .svg or .pdf picks the
# terminal), scenario (title), currency (x axis unit), period_unit (unused).
# clvsim passes coded copies and the names in lbl_state, lbl_level
# (docs/plots.md, "Labels"); by hand, names come from the files.

if (!exists("datafile")) datafile = 'clv_hist.csv'
# the sibling file in datafile's directory
sibling(name) = (at = strstrt(datafile, 'clv_hist.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("clvfile")) clvfile = sibling('clv.csv')
if (!exists("outfile")) outfile = 'clv_dist.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

# --- labels: lbl_state / lbl_level from clvsim, else from the files
copymode = exists("lbl_state")
lvlcopy = exists("lbl_level")
if (copymode) {
	nstate = |lbl_state|
} else {
	array lbl_state[256]
	nstate = 0
	find_state(s) = sum [k=1:nstate] (lbl_state[k] eq s ? k : 0)
	add_state(s) = (find_state(s) > 0 || nstate >= |lbl_state|) ? 0 : \
		(nstate = nstate + 1, lbl_state[nstate] = s, 0)
	stats datafile skip 1 using (add_state(strcol(1))) nooutput
}
state_of(c) = copymode ? lbl_state[int(column(c))] : strcol(c)
level_of(c) = lvlcopy ? lbl_level[int(column(c))] : strcol(c)
sel(k) = state_of(1) eq lbl_state[k]
if (nstate < 1) { print "clv_dist.gp: no data in ".datafile; exit status 1 }

# the markers of block k from clvfile (level "customers")
grab(k) = (state_of(1) eq lbl_state[k] && level_of(2) eq 'customers') ? \
	(m_mean = column(3), m_p05 = column(6), m_p95 = column(10), m_exact = column(11), 1) : 0
defined(x) = x == x

# --- page: nstate histograms and the CDF panel
panels = nstate + 1
cols = panels <= 3 ? panels : int(ceil(sqrt(panels)))
rows = int(ceil(panels * 1.0 / cols))
pw = cols > 4 ? 360 : 480
W = pw * cols
H = (pw * 3 / 4) * rows + 80
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
title = 'CLV per customer' . (scenario eq '' ? '' : "\n" . scenario) . "\n" . \
	'histograms: blue line = Monte Carlo mean, dashed = 5th and 95th percentiles, red = exact expectation'
set multiplot layout rows,cols title title font ',13'
set grid
set key off
set xlabel 'CLV per customer (' . cur . ')' noenhanced
set ylabel 'density (1/' . cur . ')' noenhanced
set format y '%.1e'
set style fill solid 0.6 border rgb '#6baed6'
do for [k=1:nstate] {
	m_mean = NaN
	m_p05 = NaN
	m_p95 = NaN
	m_exact = NaN
	if (clvfile ne '') {
		stats clvfile skip 1 using (grab(k)) nooutput
	}
	unset arrow
	if (defined(m_p05)) {
		set arrow 1 from m_p05, graph 0 to m_p05, graph 1 nohead lw 1.5 dt 2 lc rgb '#08306b' front
	}
	if (defined(m_p95)) {
		set arrow 2 from m_p95, graph 0 to m_p95, graph 1 nohead lw 1.5 dt 2 lc rgb '#08306b' front
	}
	if (defined(m_mean)) {
		set arrow 3 from m_mean, graph 0 to m_mean, graph 1 nohead lw 2.5 lc rgb '#08306b' front
	}
	if (defined(m_exact)) {
		set arrow 4 from m_exact, graph 0 to m_exact, graph 1 nohead lw 1.2 lc rgb '#d62728' front
	}
	sub = defined(m_mean) ? sprintf('mean %.6g   5%%: %.6g   95%%: %.6g', m_mean, m_p05, m_p95) : ''
	set title lbl_state[k] . "\n" . sub noenhanced font ',11'
	plot datafile skip 1 using (sel(k) ? ($2 + $3) / 2 : NaN):(sel(k) ? $5 : NaN):($3 - $2) \
		with boxes lc rgb '#c6dbef'
}
unset arrow

# --- the CDF panel: the ogive, one segment per bin from (bin_lo, cdf before
# the bin) to (bin_hi, cdf); density * width is the bin's share of customers,
# so a single-bin distribution still shows as a step
step(dcol) = 100 * column(dcol) * ($3 - $2)
cdf0(dcol, ccol) = 100 * column(ccol) - step(dcol)
set title 'empirical distribution (all customers)' noenhanced font ',11'
set ylabel 'customers with CLV <= x (%)'
set format y '%g'
set yrange [0:100]
# legend above the panel (long names cannot cover the next one); with
# many states only the total is named, the states are thin grey lines
set key outside top center horizontal Left reverse noenhanced
if (nstate <= 13) {
	plot for [k=1:nstate] datafile skip 1 using 2:(sel(k) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) with vectors nohead \
		lw (k == nstate ? 3 : 1.5) lc (k == nstate ? -1 : k) title lbl_state[k]
} else {
	plot for [k=1:nstate-1] datafile skip 1 using 2:(sel(k) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) with vectors nohead \
		lw 1 lc rgb '#aaaaaa' notitle, \
	     datafile skip 1 using 2:(sel(nstate) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) with vectors nohead \
		lw 3 lc -1 title lbl_state[nstate]
}
unset multiplot
unset output
