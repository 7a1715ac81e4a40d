# sweep_heat.gp - total CLV over a grid of two varied assumptions: a heat
# map of the Monte Carlo mean, each cell labelled with its value when the
# grid is small enough to read (at most 150 cells).
#
# Reads sweep2.csv, written by clvsim into --out DIR:
#   x,y,mean,se,exact
# (one row per grid point, for total CLV; the x and y values must form a
# full, evenly spaced grid, as a sweep's from/to/steps produce).
#
# By hand:
#   gnuplot -e "datafile='out/sweep2.csv'; xlabel='retention.A'; ylabel='discount_rate'" plots/sweep_heat.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), xlabel and ylabel (the varied keys), scenario (title),
# currency (colour bar unit), period_unit (unused).

if (!exists("datafile")) datafile = 'sweep2.csv'
if (!exists("outfile")) outfile = 'sweep_heat.png'
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
vmin = STATS_min
vmax = STATS_max
if (ncell < 1) { print "sweep_heat.gp: no data in ".datafile; exit status 1 }

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
set title 'Total CLV per customer over two assumptions' . \
	(scenario eq '' ? '' : "\n" . scenario) noenhanced font ',14'
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set cblabel 'expected total CLV per customer (' . cur . ')' noenhanced
# a perceptually ordered palette (viridis-like), readable in grey
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set autoscale xfix
set autoscale yfix
if (vmax > vmin) { set cbrange [vmin:vmax] }
set tics out
set xtics nomirror
set ytics nomirror
set key off
# label ink: black on the light (upper) part of the palette, else white
ink(v) = vmax > vmin && (v - vmin) / (vmax - vmin) > 0.6 ? 0x000000 : 0xffffff
if (ncell <= 150) {
	plot datafile skip 1 using 1:2:3 with image pixels, \
	     '' skip 1 using 1:2:(sprintf('%.4g', $3)):(ink($3)) with labels font ',9' tc rgb variable
} else {
	plot datafile skip 1 using 1:2:3 with image pixels
}
unset output
