# sweep_diff_heat.gp - for which combinations of two keys does the change
# pay? A two-key sweep against a base: a heat map of the
# exact difference in total CLV per customer (changed scenario minus base;
# red where the change pays, blue where it loses, white at 0), each cell
# labelled with its value when the grid is small enough to read (at most
# 150 cells), and the break-even contour (difference 0) drawn over it.
#
# Reads sweep2_diff.csv and sweep2_breakeven.csv, written by clvsim
# `sweep BASE.yaml CHANGED.yaml --vary KEY1=... --vary KEY2=... --out DIR`:
#   sweep2_diff.csv:       x,y,diff_exact,diff_mean,diff_se
#   sweep2_breakeven.csv:  x_from,y_from,x_to,y_to  (may have no rows)
# (x and y form a full, evenly spaced grid).
#
# By hand:
#   gnuplot -e "datafile='out/sweep2_diff.csv'; xlabel='a'; ylabel='b'" plots/sweep_diff_heat.gp
# Variables (all optional): datafile, contourfile (default:
# sweep2_breakeven.csv next to datafile), outfile (.png, .svg or .pdf picks
# the terminal), xlabel and ylabel (the varied keys), scenario (title),
# currency (colour bar unit), period_unit (unused).

if (!exists("datafile")) datafile = 'sweep2_diff.csv'
sibling(name) = (at = strstrt(datafile, 'sweep2_diff.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("contourfile")) contourfile = sibling('sweep2_breakeven.csv')
if (!exists("outfile")) outfile = 'sweep_diff_heat.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''
if (!exists("xlabel")) xlabel = ''
if (xlabel eq '') xlabel = 'first swept value'
if (!exists("ylabel")) ylabel = ''
if (ylabel eq '') ylabel = 'second swept value'

set encoding utf8
set datafile separator comma

stats datafile skip 1 using 3 nooutput
ncell = STATS_records
vmax = abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)
if (ncell < 1) { print "sweep_diff_heat.gp: no data in ".datafile; exit status 1 }
stats datafile skip 1 using 1 nooutput
xmin = STATS_min
stats datafile skip 1 using 2 nooutput
ymin = STATS_min
stats datafile skip 1 using ($2 == ymin ? $1 : NaN) nooutput
nx = STATS_records
stats datafile skip 1 using ($1 == xmin ? $2 : NaN) nooutput
ny = STATS_records
# a grid of one row or column cannot be an image: squares instead (heat
# is the script's own text, no user text: a macro is safe)
heat = nx >= 2 && ny >= 2 ? 'with image pixels' : 'with points pt 5 ps 6 lc palette'
nseg = 0
count_seg(x) = (nseg = nseg + 1, 0)
# (clvsim tells how many rows a table has: no `stats` on an empty one)
if (!exists("contourfile_rows")) contourfile_rows = -1
if (contourfile_rows != 0) { stats contourfile skip 1 using (count_seg($1)) nooutput }

# --- page
W = 1000
H = 760
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
set title 'Difference from the base in total CLV per customer, and the break-even' . \
	(scenario eq '' ? '' : "\n" . scenario) noenhanced font ',14'
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set cblabel 'changed minus base: expected total CLV per customer (' . cur . ')' noenhanced
# diverging palette, white at 0 (the colour range is symmetric)
set palette defined (-1 '#2166ac', -0.5 '#92c5de', 0 '#f7f7f7', 0.5 '#f4a582', 1 '#b2182b')
if (vmax > 0) { set cbrange [-vmax:vmax] } else { set cbrange [-1:1] }
set autoscale xfix
set autoscale yfix
if (nx < 2) { set xrange [xmin - 0.5:xmin + 0.5] }
if (ny < 2) { set yrange [ymin - 0.5:ymin + 0.5] }
set tics out
set xtics nomirror
set ytics nomirror
set key outside bottom center horizontal noenhanced
set bmargin 6
labelled = ncell <= 150
set style textbox opaque noborder
if (nseg > 0) {
	plot datafile skip 1 using 1:2:3 @heat notitle, \
	     '' skip 1 using 1:2:(labelled ? (ncell <= 60 ? sprintf('%.2f', $3) : sprintf('%.4g', $3)) : '') with labels font ',9' \
		tc rgb '#333333' notitle, \
	     contourfile skip 1 using 1:2:($3 - $1):($4 - $2) \
		with vectors nohead lw 3 lc rgb '#000000' title 'break-even (difference 0)'
} else {
	set label 1 'no break-even in the grid: the difference keeps one sign' \
		at graph 0.5, graph -0.16 center noenhanced
	plot datafile skip 1 using 1:2:3 @heat notitle, \
	     '' skip 1 using 1:2:(labelled ? (ncell <= 60 ? sprintf('%.2f', $3) : sprintf('%.4g', $3)) : '') with labels font ',9' \
		tc rgb '#333333' notitle
}
unset output
