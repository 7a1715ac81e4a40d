# solve.gp - at which value of the key does the change break even (or
# reach the target), and how sure is that? A solve in two panels:
#   left: the expected CLV (or difference from the base) as the solved key
#   varies: the exact expectation, the band of the replications' figures
#   (5th to 95th percentile across the possible worlds), the target line
#   and the solution;
#   right: the acceptability curve: the share of replications in which
#   the change pays (its figure is above the target) at each value, with
#   the solution and the 90% interval of the replications' own solutions.
#
# Reads solve.csv and solve_summary.csv, written by clvsim into --out DIR:
#   solve.csv:          KEY,exact,mean,p05,p95,p_pays (KEY: the solved key)
#   solve_summary.csv:  key,target,value,lo90,hi90,p50,below,above,replications,
#                       lo90_outside,hi90_outside,p50_outside
# (lo90 / hi90 are empty when they fall outside the interval searched, and
# *_outside says "below" or "above": not drawn, written "< LO" / "> HI" in
# the legend).
#
# By hand:
#   gnuplot -e "datafile='out/solve.csv'; xlabel='campaign.retention_uplift'" plots/solve.gp
# Variables (all optional): datafile, summaryfile (default:
# solve_summary.csv next to datafile), outfile (.png, .svg or .pdf picks the
# terminal), xlabel (the solved key), ylabel (what is solved for),
# scenario (title), currency (y axis unit), period_unit (unused).

if (!exists("datafile")) datafile = 'solve.csv'
sibling(name) = (at = strstrt(datafile, 'solve.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("summaryfile")) summaryfile = sibling('solve_summary.csv')
if (!exists("outfile")) outfile = 'solve.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''
if (!exists("xlabel")) xlabel = ''
if (xlabel eq '') xlabel = 'solved value'
if (!exists("ylabel")) ylabel = ''
if (ylabel eq '') ylabel = 'expected total CLV per customer'

set encoding utf8
set datafile separator comma

stats datafile skip 1 using 1 nooutput
if (STATS_records < 2) { print "solve.gp: no data in ".datafile; exit status 1 }
xmin = STATS_min
xmax = STATS_max
target = NaN
value = NaN
lo90 = NaN
hi90 = NaN
reps = 0
lo_side = ''
hi_side = ''
stats summaryfile skip 1 using (target = column(2), value = column(3), lo90 = column(4), \
	hi90 = column(5), reps = column(9), lo_side = strcol(10), hi_side = strcol(11), 0) nooutput
finite(v) = v == v && abs(v) < 1e300
inside(v) = finite(v) && v >= xmin && v <= xmax
# nothing drawn per replication: every replication has the same solution
certain = finite(value) && lo90 == value && hi90 == value
# a bound of the 90% interval as text: its value, or outside the range
# (as the solve report prints them: the solution %.7g, the interval %.6g)
bound(v, side) = finite(v) ? sprintf('%.6g', v) : (side eq 'below' ? sprintf('< %.6g', xmin) : sprintf('> %.6g', xmax))

# --- page: two panels side by side
W = 1400
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
vtext = finite(value) ? sprintf('%.7g', value) : 'none'
title = 'Solving for ' . xlabel . ': ' . vtext . (scenario eq '' ? '' : "\n" . scenario)
set multiplot layout 1,2 title title font ',14' noenhanced
set grid
set xrange [xmin:xmax]
set xlabel xlabel noenhanced
set key outside bottom center vertical Left reverse noenhanced
set bmargin 9

# --- left: the figure solved for, and the worlds' band
set title 'expected figure and the replications (possible worlds)' font ',11'
set ylabel ylabel . ' (' . cur . ')' noenhanced
set style fill transparent solid 0.25 noborder
if (finite(target)) { set arrow 1 from graph 0, first target to graph 1, first target nohead dt 2 lw 1.5 lc rgb '#555555' front }
if (inside(value)) { set arrow 2 from first value, graph 0 to first value, graph 1 nohead lw 2 lc rgb '#d62728' front }
band = certain ? 'every replication alike' : '5-95% of replications'
plot datafile skip 1 using 1:4:5 with filledcurves lc rgb '#1f77b4' title band, \
     '' skip 1 using 1:2 with lines lw 3 lc rgb '#1f77b4' title 'exact expectation', \
     NaN with lines dt 2 lw 1.5 lc rgb '#555555' title 'target', \
     NaN with lines lw 2 lc rgb '#d62728' title 'solution ' . vtext
unset arrow 1
unset arrow 2

# --- right: the acceptability curve
set title 'acceptability: share of replications in which it pays' font ',11'
set ylabel 'P(figure above the target)' noenhanced
set yrange [-0.02:1.02]
if (inside(value)) { set arrow 2 from first value, graph 0 to first value, graph 1 nohead lw 2 lc rgb '#d62728' front }
if (!certain && inside(lo90)) { set arrow 3 from first lo90, graph 0 to first lo90, graph 1 nohead dt 3 lw 1.5 lc rgb '#2ca02c' front }
if (!certain && inside(hi90)) { set arrow 4 from first hi90, graph 0 to first hi90, graph 1 nohead dt 3 lw 1.5 lc rgb '#2ca02c' front }
i90 = "90% of the replications' solutions: [" . bound(lo90, lo_side) . ', ' . bound(hi90, hi_side) . ']'
if (certain) {
	set samples 2001
	plot (x > value ? 1 : 0) with lines lw 3 lc rgb '#9467bd' \
		title 'P(pays): 0 or 1, every replication alike', \
	     NaN with lines lw 2 lc rgb '#d62728' title 'solution on the expectation'
} else {
	plot datafile skip 1 using 1:6 with linespoints lw 3 pt 7 ps 0.5 lc rgb '#9467bd' \
		title sprintf('P(pays), %d replications', int(reps)), \
	     NaN with lines lw 2 lc rgb '#d62728' title 'solution on the expectation', \
	     NaN with lines dt 3 lw 1.5 lc rgb '#2ca02c' title i90
}
unset multiplot
unset output
