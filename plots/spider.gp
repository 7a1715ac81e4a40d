# spider.gp - is the response to each assumption linear, and over which
# part of its range does it matter? Sensitivity of total CLV across each
# assumption's range: one
# line per uncertain assumption, CLV against the percentile of that
# assumption's distribution (others at their base values). Steep lines
# are the assumptions that matter; a line's shape shows non-linearity.
#
# Reads spider.csv, written by clvsim into --out DIR:
#   assumption,percentile,input,clv
# (grouped by assumption; percentile in 0..100).
#
# By hand:
#   gnuplot -e "datafile='out/spider.csv'; outfile='spider.png'" plots/spider.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), scenario (title), currency (y axis unit), period_unit (unused).
# clvsim passes a coded copy and the names in lbl_assumption
# (docs/plots.md, "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'spider.csv'
if (!exists("outfile")) outfile = 'spider.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

# --- labels: lbl_assumption from clvsim, else the distinct names in the file
copymode = exists("lbl_assumption")
if (copymode) {
	nas = |lbl_assumption|
} else {
	array lbl_assumption[256]
	nas = 0
	find_as(s) = sum [k=1:nas] (lbl_assumption[k] eq s ? k : 0)
	add_as(s) = (find_as(s) > 0 || nas >= |lbl_assumption|) ? 0 : \
		(nas = nas + 1, lbl_assumption[nas] = s, 0)
	stats datafile skip 1 using (add_as(strcol(1))) nooutput
}
name_of(c) = copymode ? lbl_assumption[int(column(c))] : strcol(c)
sel(k) = name_of(1) eq lbl_assumption[k]
if (nas < 1) { print "spider.gp: no data in ".datafile; exit status 1 }

# --- page: the plot, the legend on the right
W = 1150
H = nas > 24 ? 300 + 20 * nas : 700
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
set title 'Sensitivity of total CLV per customer (spider)' . \
	(scenario eq '' ? '' : "\n" . scenario) noenhanced font ',14'
set xlabel "percentile of the assumption's distribution (%)"
set ylabel 'expected total CLV per customer (' . cur . ')' noenhanced
set xrange [0:100]
set xtics 0, 10, 100
set grid
set key outside right top vertical Left reverse noenhanced
plot for [k=1:nas] datafile skip 1 using 2:(sel(k) ? $4 : NaN) \
	with linespoints lw 2 pt (k % 13 + 1) ps 1 lc k title lbl_assumption[k]
unset output
