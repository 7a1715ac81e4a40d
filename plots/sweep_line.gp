# sweep_line.gp - CLV as one assumption is varied over a range (a sweep):
# one line per state and a thick black line for the total, with the Monte
# Carlo mean and its 95% confidence interval (mean +- 1.96 se) as error
# bars, and the exact expectation dashed in the same colour.
#
# Reads sweep.csv, written by clvsim into --out DIR:
#   x,state,mean,se,exact
# (x = the varied value; grouped by state, then "total"; x ascending).
#
# By hand:
#   gnuplot -e "datafile='out/sweep.csv'; xlabel='retention.A'; outfile='sweep.png'" plots/sweep_line.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), xlabel (the varied key, e.g. "retention.A"), scenario (title),
# currency (y axis unit), period_unit (unused).
# clvsim passes a coded copy and the names in lbl_state (docs/plots.md,
# "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'sweep.csv'
if (!exists("outfile")) outfile = 'sweep_line.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''
if (!exists("xlabel")) xlabel = ''
if (xlabel eq '') xlabel = 'swept value'

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
if (nstate < 1) { print "sweep_line.gp: no data in ".datafile; exit status 1 }
is_total(k) = lbl_state[k] eq 'total'
colour(k) = is_total(k) ? -1 : k

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

cur = currency eq '' ? 'money units' : currency
set title 'CLV per customer as ' . xlabel . ' varies' . \
	(scenario eq '' ? '' : "\n" . scenario) . "\n" . \
	'solid: Monte Carlo mean with 95% confidence interval; dashed: exact expectation' \
	noenhanced font ',13'
set xlabel xlabel noenhanced
set ylabel 'expected CLV per customer (' . cur . ')' noenhanced
set grid
set key outside right top vertical Left reverse noenhanced
set bars small
plot for [k=1:nstate] datafile skip 1 using 1:(sel(k) ? $3 : NaN):(1.96 * $4) \
	with yerrorlines lw (is_total(k) ? 3 : 2) pt 7 ps 0.6 lc colour(k) title lbl_state[k], \
     for [k=1:nstate] datafile skip 1 using 1:(sel(k) ? $5 : NaN) \
	with lines lw 1.5 dt 2 lc colour(k) notitle
unset output
