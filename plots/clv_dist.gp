# clv_dist.gp - what is one customer worth, and how unequal are
# customers? The distribution of CLV per customer: a histogram for each
# state that earns something and for the total (a state whose every
# customer is worth 0 gets no panel), with the mean, the 5th and 95th
# percentiles and the exact expectation marked and quoted in the panel's
# title as the run report prints them, and one panel of distribution
# functions (the share of customers worth at most x).
#
# Reads clv_hist.csv, written by clvsim into --out DIR:
#   state,bin_lo,bin_hi,count,density,cdf
# (grouped by state in state order, then "total"; density = count /
# (customers * bin width); cdf = share of customers up to bin_hi). The
# numbers quoted come from clvsim (the arrays rep_mean, rep_exact,
# rep_sd, rep_p05, rep_p50, rep_p95 and their _text, by state code:
# clv.csv's rows with level "customers", plot_legend.h); by hand, from
# clvfile (clv.csv: state,level,mean,se,sd,p05,p25,p50,p75,p95,exact).
#
# By hand:
#   gnuplot -e "datafile='out/clv_hist.csv'; outfile='clv.png'" plots/clv_dist.gp
# Variables (all optional): datafile, clvfile (default: clv.csv next to
# datafile), outfile (.png, .svg or .pdf picks the terminal by hand),
# scenario (title), currency (x axis unit), period_unit (unused).
# clvsim passes a coded copy and the names in lbl_state (docs/plots.md,
# "Labels"); by hand, names come from the files.

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

# --- labels: lbl_state from clvsim, else from the file
copymode = exists("lbl_state")
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
sel(k) = state_of(1) eq lbl_state[k]
if (nstate < 1) { print "clv_dist.gp: no data in ".datafile; exit status 1 }

# --- the report's numbers: from clvsim, else read from clvfile
if (!exists("rep_n")) {
	array rep_mean[nstate]
	array rep_exact[nstate]
	array rep_sd[nstate]
	array rep_p05[nstate]
	array rep_p95[nstate]
	array rep_mean_text[nstate]
	array rep_exact_text[nstate]
	array rep_p05_text[nstate]
	array rep_p95_text[nstate]
	do for [k=1:nstate] {
		rep_mean[k] = NaN
		rep_exact[k] = NaN
		rep_sd[k] = NaN
		rep_p05[k] = NaN
		rep_p95[k] = NaN
	}
	grab(s, l) = (l eq 'customers' && find_state(s) > 0) ? (g = find_state(s), \
		rep_mean[g] = column(3), rep_sd[g] = column(5), rep_p05[g] = column(6), \
		rep_p95[g] = column(10), rep_exact[g] = column(11), 0) : 0
	if (clvfile ne '') { stats clvfile skip 1 using (grab(strcol(1), strcol(2))) nooutput }
	txt(v) = v == v ? sprintf('%.2f', v) : ''
	do for [k=1:nstate] {
		rep_mean_text[k] = txt(rep_mean[k])
		rep_exact_text[k] = txt(rep_exact[k])
		rep_p05_text[k] = txt(rep_p05[k])
		rep_p95_text[k] = txt(rep_p95[k])
	}
}
defined(x) = x == x
# a state has mass unless every customer's CLV is 0 (or nothing is known)
mass(k) = defined(rep_mean[k]) && (rep_mean[k] != 0 || rep_sd[k] > 0 || rep_p05[k] != 0 || rep_p95[k] != 0)
# every customer is worth the same (a single value, no spread)
single(k) = defined(rep_sd[k]) && rep_sd[k] == 0
is_total(k) = lbl_state[k] eq 'total'
# the panels: the states with mass and the total; a lone state with mass
# whose figures are the total's is drawn once, as the total
ktotal = 0
do for [k=1:nstate] { if (is_total(k)) { ktotal = k } }
nmass = 0
kmass = 0
do for [k=1:nstate] { if (!is_total(k) && mass(k)) { nmass = nmass + 1; kmass = k } }
same_as_total(k) = ktotal > 0 && nmass == 1 && k == kmass && \
	rep_mean_text[k] eq rep_mean_text[ktotal] && rep_p05_text[k] eq rep_p05_text[ktotal] && \
	rep_p95_text[k] eq rep_p95_text[ktotal] && sprintf('%.2f', rep_sd[k]) eq sprintf('%.2f', rep_sd[ktotal])
array drawn[nstate]
npanel = 0
do for [k=1:nstate] {
	drawn[k] = (is_total(k) || (mass(k) && !same_as_total(k))) ? 1 : 0
	npanel = npanel + drawn[k]
}
if (npanel < 1) { drawn[nstate] = 1; npanel = 1 }
nnull = 0
do for [k=1:nstate] { if (!is_total(k) && !mass(k) && defined(rep_mean[k])) { nnull = nnull + 1 } }

# --- page: the histograms and the distribution functions
panels = npanel + 1
cols = panels <= 3 ? panels : int(ceil(sqrt(panels)))
rows = int(ceil(panels * 1.0 / cols))
pw = cols > 4 ? 380 : 480
W = pw * cols
H = (pw * 3 / 4 + (cols >= 4 ? 20 : 0)) * rows + 100
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
skipped = ''
do for [k=1:nstate] {
	if (!is_total(k) && !mass(k) && defined(rep_mean[k])) {
		skipped = skipped . (skipped eq '' ? '' : ', ') . lbl_state[k]
	}
}
note = nnull == 0 ? '' : "\n" . 'not drawn (every customer worth 0 there): ' . skipped
if (ktotal > 0 && drawn[ktotal] && kmass > 0 && same_as_total(kmass)) {
	note = note . "\n" . 'the total is all ' . lbl_state[kmass] . "'s"
}
title = 'CLV per customer' . (scenario eq '' ? '' : ': ' . scenario) . "\n" . \
	'solid: mean; dashed: 5th and 95th percentiles of customers; red: exact expectation' . note
set multiplot layout rows,cols title title font ',12' noenhanced
set grid
set key off
set xlabel 'CLV per customer (' . cur . ')' noenhanced
set format y '%g'
set format x '%g'
set style fill solid 0.6 border rgb '#6baed6'
# densities as the share of customers per U money units, U the power of
# ten at or below a bin's width (so at most 100%), so the axis reads
# "customers per 10 EUR (%)"
unit_of(w) = w > 0 ? 10 ** floor(log10(w) * (1 + 1e-12)) : 1
unit_text(u) = u >= 1 ? sprintf('%.0f', u) : sprintf('%g', u)
do for [k=1:nstate] {
	if (drawn[k]) {
		stats datafile skip 1 using (sel(k) ? $3 - $2 : NaN) nooutput
		width = STATS_records > 0 ? STATS_max : 1
		stats datafile skip 1 using (sel(k) ? $2 : NaN) nooutput
		xlo = STATS_records > 0 ? STATS_min : 0
		stats datafile skip 1 using (sel(k) ? $3 : NaN) nooutput
		xhi = STATS_records > 0 ? STATS_max : 1
		stats datafile skip 1 using (sel(k) ? $5 : NaN) nooutput
		dmax = STATS_records > 0 ? STATS_max : 0
		u = unit_of(width)
		unset arrow
		unset label
		if (defined(rep_p05[k])) {
			set arrow 1 from rep_p05[k], graph 0 to rep_p05[k], graph 1 nohead lw 1.5 dt 2 lc rgb '#08306b' front
		}
		if (defined(rep_p95[k])) {
			set arrow 2 from rep_p95[k], graph 0 to rep_p95[k], graph 1 nohead lw 1.5 dt 2 lc rgb '#08306b' front
		}
		if (defined(rep_mean[k])) {
			set arrow 3 from rep_mean[k], graph 0 to rep_mean[k], graph 1 nohead lw 2.5 lc rgb '#08306b' front
		}
		if (defined(rep_exact[k])) {
			set arrow 4 from rep_exact[k], graph 0 to rep_exact[k], graph 1 nohead lw 1.2 lc rgb '#d62728' front
		}
		sub = rep_mean_text[k] eq '' ? '' : 'mean ' . rep_mean_text[k] . \
			(rep_exact_text[k] eq '' ? '' : ' (exact ' . rep_exact_text[k] . ')') . \
			(cols >= 4 ? "\n" : '   ') . '5%: ' . rep_p05_text[k] . '   95%: ' . rep_p95_text[k]
		set title lbl_state[k] . "\n" . sub noenhanced font ',11'
		if (single(k) || !mass(k) || !(dmax > 0) || !(xhi > xlo)) {
			# one value for every customer: a single bar of 100%
			v = defined(rep_mean[k]) ? rep_mean[k] : xlo
			half = abs(v) > 0 ? abs(v) * 0.1 : 1
			set xrange [v - half:v + half]
			set yrange [0:110]
			set ylabel 'customers (%)' noenhanced
			set label 1 (mass(k) ? 'every customer: ' . rep_mean_text[k] : 'every customer: 0') \
				at graph 0.5, graph 0.93 center noenhanced front
			plot '+' using (v):(100) with impulses lw 6 lc rgb '#6baed6'
		} else {
			set xrange [xlo - 0.02 * (xhi - xlo):xhi + 0.02 * (xhi - xlo)]
			set yrange [0:*]
			set ylabel (cols >= 4 ? '' : 'customers ') . 'per ' . unit_text(u) . ' ' . cur . ' (%)' noenhanced
			plot datafile skip 1 using (sel(k) ? ($2 + $3) / 2 : NaN):(sel(k) ? 100 * u * $5 : NaN):($3 - $2) \
				with boxes lc rgb '#c6dbef'
		}
	}
}
unset arrow
unset label
set autoscale x
set xrange [*:*]

# --- the distribution functions: the ogive, one segment per bin from
# (bin_lo, cdf before the bin) to (bin_hi, cdf); density * width is the
# bin's share of customers, so a single-bin distribution shows as a step
step(dcol) = 100 * column(dcol) * ($3 - $2)
cdf0(dcol, ccol) = 100 * column(ccol) - step(dcol)
set title 'share of customers worth at most x' noenhanced font ',11'
set ylabel 'customers with CLV <= x (%)'
set yrange [0:100]
set key outside top center horizontal Left reverse noenhanced
# with many panels only the total is named, the states are thin grey lines
many = npanel > 13
if (many) {
	plot for [k=1:nstate] datafile skip 1 using 2:(drawn[k] && sel(k) && !is_total(k) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) \
		with vectors nohead lw 1 lc rgb '#aaaaaa' notitle, \
	     for [k=1:nstate] datafile skip 1 using 2:(drawn[k] && sel(k) && is_total(k) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) \
		with vectors nohead lw 3 lc -1 title (is_total(k) ? lbl_state[k] : '')
} else {
	plot for [k=1:nstate] datafile skip 1 using 2:(drawn[k] && sel(k) ? cdf0(5, 6) : NaN):($3 - $2):(step(5)) \
		with vectors nohead lw (is_total(k) ? 3 : 1.5) lc (is_total(k) ? -1 : k) \
		title (drawn[k] ? lbl_state[k] : '')
}
unset multiplot
unset output
