# sweep_line.gp - how does CLV move as one assumption is varied, and
# where does the change start to pay? One line per state that earns
# something and a thick black line for the total, with the Monte Carlo
# mean and its 95% confidence interval (mean +- 1.96 se) as error bars
# and the exact expectation dashed in the same colour; the y axis frames
# the data (not from 0). Against a base (`sweep BASE CHANGED`), the
# base's total is the baseline (grey) and the break-even values of the
# report (where the total crosses it) are red vertical lines; otherwise
# the scenario as written is the baseline, at the value its file gives
# the key (key_value, when that is a point of the sweep), or else the line
# of total CLV 0 is drawn when the total comes near it.
#
# Reads sweep.csv, written by clvsim into --out DIR:
#   x,state,mean,se,exact
# (x = the varied value; grouped by state, then "total"; x ascending),
# and, when the sweep is against a base, sweep_diff.csv
# (x,state,diff_exact,...: the base's total is exact - diff_exact) and
# sweep_breakeven.csv (x: the break-even values).
#
# By hand:
#   gnuplot -e "datafile='out/sweep.csv'; xlabel='retention.A'; outfile='sweep.png'" plots/sweep_line.gp
# Variables (all optional): datafile, difffile and bevenfile ('' = no
# base; by hand the default), outfile (.png, .svg or .pdf picks the
# terminal by hand), xlabel (the varied key, e.g. "retention.A"),
# scenario (title), currency (y axis unit), key_value (the key's value in
# the file; '' = unknown), method (how the means were computed:
# monte_carlo, the default, exact_replications or exact), period_unit
# (unused).
# clvsim passes a coded copy and the names in lbl_state (docs/plots.md,
# "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'sweep.csv'
if (!exists("method")) method = 'monte_carlo'
if (!exists("difffile")) difffile = ''
if (!exists("bevenfile")) bevenfile = ''
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
total_rows(c) = state_of(c) eq 'total'

# the 95% half-interval (0 where one replication has no se)
ci(c) = valid(c) ? 1.96 * column(c) : 0
# --- what is drawn: the total and every state that is not 0 throughout
array drawn[nstate]
do for [k=1:nstate] {
	stats datafile skip 1 using (sel(k) ? abs($3) + abs($5) : NaN) nooutput
	drawn[k] = is_total(k) || (STATS_records > 0 && STATS_max > 0)
}
stats datafile skip 1 using 1 nooutput
xmin = STATS_min
xmax = STATS_max
# the y frame: the data with its intervals
ylo = 1e300
yhi = -1e300
do for [k=1:nstate] {
	if (drawn[k]) {
		stats datafile skip 1 using (sel(k) ? ($3 - ci(4) < $5 ? $3 - ci(4) : $5) : NaN) nooutput
		ylo = STATS_records > 0 && STATS_min < ylo ? STATS_min : ylo
		stats datafile skip 1 using (sel(k) ? ($3 + ci(4) > $5 ? $3 + ci(4) : $5) : NaN) nooutput
		yhi = STATS_records > 0 && STATS_max > yhi ? STATS_max : yhi
	}
}
# the base (a sweep against a base): its total, from the first point
have_base = difffile ne ''
base = NaN
if (have_base) {
	# (side effects, not a filter: stats warns when no point is left)
	tot0 = NaN
	diff0 = NaN
	stats datafile skip 1 using (total_rows(2) && $1 == xmin ? (tot0 = $5, 0) : 0) nooutput
	stats difffile skip 1 using (total_rows(2) && $1 == xmin ? (diff0 = $3, 0) : 0) nooutput
	base = tot0 - diff0
}
defined(v) = v == v
# break-even values (the report's, read as written)
array be[64]
nbe = 0
add_be(x) = (nbe < |be| ? (nbe = nbe + 1, be[nbe] = x) : 0, 0)
if (!exists("bevenfile_rows")) bevenfile_rows = -1
if (bevenfile ne '' && bevenfile_rows != 0) { stats bevenfile skip 1 using (add_be(column(1))) nooutput }
# without a base: the scenario as written is the baseline, at the value
# its file gives the key (key_value, from clvsim) when that is a point of
# the sweep
if (!exists("key_value")) key_value = ''
kv = key_value ne '' ? real(key_value) : NaN
kv_total = NaN
near(x) = abs(x - kv) <= 1e-9 * (abs(kv) > 1 ? abs(kv) : 1)
if (!have_base && defined(kv)) {
	stats datafile skip 1 using (total_rows(2) && near($1) ? (kv_total = $5, 0) : 0) nooutput
}
file_base = !have_base && defined(kv_total)
if (file_base) { base = kv_total; have_base = 1 }
# the reference line: the base's total, else total CLV 0 when near
ref = have_base ? base : 0
span = yhi > ylo ? yhi - ylo : (abs(yhi) > 0 ? abs(yhi) * 0.1 : 1)
show_ref = defined(ref) && (have_base || (ref >= ylo - 0.5 * span && ref <= yhi + 0.5 * span))
if (show_ref) { ylo = ref < ylo ? ref : ylo; yhi = ref > yhi ? ref : yhi }
span = yhi > ylo ? yhi - ylo : (abs(yhi) > 0 ? abs(yhi) * 0.1 : 1)
mid = (ylo + yhi) / 2

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
	(method eq 'exact' ? 'the exact expectation at every point (nothing is uncertain)' : \
	 'solid: ' . (method eq 'exact_replications' ? 'mean of the exact replication values' : \
	 'Monte Carlo mean') . ' with 95% confidence interval; dashed: exact expectation') . \
	(file_base ? '; grey: the scenario as written' : (have_base ? '; grey: the base; red: break-even' : '')) \
	noenhanced font ',13'
set xlabel xlabel noenhanced
set ylabel 'expected CLV per customer (' . cur . ')' noenhanced
set grid
set key outside right top vertical Left reverse noenhanced
set bars small
set format y '%g'
set format x '%g'
if (!(xmax > xmin)) { set xrange [xmin - 0.5:xmin + 0.5] }
set autoscale xfix
set offsets graph 0.02, graph 0.02, 0, 0
set yrange [ylo - 0.08 * span:yhi + 0.08 * span]
if (show_ref) {
	set arrow 1 from graph 0, first ref to graph 1, first ref nohead lw 2 lc rgb '#777777' back
	set label 1 (file_base ? sprintf('as in the file (%g): %.2f', kv, ref) : \
		(have_base ? 'base ' . sprintf('%.2f', ref) : 'total CLV 0')) at graph 0.01, first ref \
		left offset 0, 0.7 tc rgb '#555555' noenhanced front
}
if (file_base) {
	set arrow 10 from first kv, graph 0 to first kv, graph 1 nohead lw 1.5 dt 3 lc rgb '#777777' back
}
do for [k=1:nbe] {
	set arrow (k + 1) from first be[k], graph 0 to first be[k], graph 1 nohead lw 2 lc rgb '#d62728' front
	set label (k + 1) sprintf('break-even %g', be[k]) at first be[k], graph 0.04 left offset 0.5, 0 \
		tc rgb '#d62728' noenhanced front
}
plot for [k=1:nstate] datafile skip 1 using 1:(drawn[k] && sel(k) ? $3 : NaN):(ci(4)) \
	with yerrorlines lw (is_total(k) ? 3 : 2) pt 7 ps 0.6 lc colour(k) title (drawn[k] ? lbl_state[k] : ''), \
     for [k=1:nstate] datafile skip 1 using 1:(drawn[k] && sel(k) ? $5 : NaN) \
	with lines lw 1.5 dt 2 lc colour(k) notitle
unset output
