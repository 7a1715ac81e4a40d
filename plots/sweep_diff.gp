# sweep_diff.gp - from which value of the key does the change beat the
# base, and by how much? A sweep against a base: the difference in total CLV per
# customer (changed scenario minus base) as one key varies, the Monte
# Carlo mean with its 90% interval (paired replications on common random
# numbers), the exact difference of the expectations dashed, the zero
# line, and the break-even values where the exact difference crosses 0.
#
# Reads sweep_diff.csv and sweep_breakeven.csv, written by clvsim
# `sweep BASE.yaml CHANGED.yaml --vary ... --out DIR`:
#   sweep_diff.csv:       x,state,diff_exact,diff_mean,diff_se,diff_lo90,diff_hi90
#   sweep_breakeven.csv:  x  (may have no rows)
# (the rows whose state is "total" are drawn).
#
# By hand:
#   gnuplot -e "datafile='out/sweep_diff.csv'; xlabel='campaign.cost'" plots/sweep_diff.gp
# Variables (all optional): datafile, bevenfile (default:
# sweep_breakeven.csv next to datafile), outfile (.png, .svg or .pdf picks
# the terminal), xlabel (the varied key), scenario (title), currency (y axis
# unit), method (monte_carlo, the default, exact_replications or exact),
# period_unit (unused).
# clvsim passes coded copies and the names in lbl_state (docs/plots.md,
# "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'sweep_diff.csv'
if (!exists("method")) method = 'monte_carlo'
sibling(name) = (at = strstrt(datafile, 'sweep_diff.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("bevenfile")) bevenfile = sibling('sweep_breakeven.csv')
if (!exists("outfile")) outfile = 'sweep_diff.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''
if (!exists("xlabel")) xlabel = ''
if (xlabel eq '') xlabel = 'swept value'

set encoding utf8
set datafile separator comma

stcopy = exists("lbl_state")
state_of(c) = stcopy ? lbl_state[int(column(c))] : strcol(c)
total(c) = state_of(c) eq 'total'
stats datafile skip 1 using (total(2) ? $1 : NaN) nooutput
if (STATS_records < 1) { print "sweep_diff.gp: no data in ".datafile; exit status 1 }

# the break-even values, as vertical lines
array be[64]
nbe = 0
add_be(x) = (nbe < |be| ? (nbe = nbe + 1, be[nbe] = x) : 0, 0)
# (clvsim tells how many rows a table has: no `stats` on an empty one)
if (!exists("bevenfile_rows")) bevenfile_rows = -1
if (bevenfile_rows != 0) { stats bevenfile skip 1 using (add_be(column(1))) nooutput }

# --- page
W = 1100
H = 680
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
set title 'Difference from the base in total CLV per customer as ' . xlabel . ' varies' . \
	(scenario eq '' ? '' : "\n" . scenario) . "\n" . \
	(method eq 'exact' ? 'the exact difference at every point (nothing is uncertain)' : \
	 (method eq 'exact_replications' ? 'mean of the paired exact replication values' : \
	 'Monte Carlo mean') . ' with 90% interval (common random numbers); dashed: exact') \
	noenhanced font ',13'
set xlabel xlabel noenhanced
set ylabel 'changed minus base: total CLV per customer (' . cur . ')' noenhanced
set grid
set key top left noenhanced box opaque
set bars small
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#555555' back
do for [k=1:nbe] {
	set arrow (k + 1) from first be[k], graph 0 to first be[k], graph 1 nohead lw 2 lc rgb '#d62728' front
	set label (k + 1) sprintf('break-even %g', be[k]) at first be[k], graph 0.04 left offset 0.5, 0 \
		tc rgb '#d62728' noenhanced front
}
# (one replication has no interval: the bar shrinks to the mean)
lo(c) = valid(c) ? column(c) : $4
plot datafile skip 1 using 1:(total(2) ? $4 : NaN):(total(2) ? lo(6) : NaN):(total(2) ? lo(7) : NaN) \
	with yerrorlines lw 3 pt 7 ps 0.7 lc rgb '#1f77b4' title (method eq 'exact' ? 'exact difference' : \
		method eq 'exact_replications' ? 'exact replications, 90% interval' : 'Monte Carlo, 90% interval'), \
     '' skip 1 using 1:(total(2) ? $3 : NaN) with lines lw 2 dt 2 lc rgb '#000000' \
	title (method eq 'exact' ? '' : 'exact')
unset output
