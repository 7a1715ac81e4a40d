# sweep_heat.gp - which combinations of two assumptions give what total
# CLV, and where is the trade-off? A heat map of the exact expected total
# CLV per customer over the grid of the two varied keys (each cell
# labelled with its value when the grid is small enough to read: at most
# 150 cells), with iso-CLV contour lines (labelled) so that equal values
# can be followed across the grid. Against a base (`sweep BASE CHANGED`),
# the break-even contour of the report (total = the base's) is drawn
# bold; otherwise the contour of total CLV 0, when the grid crosses it.
#
# Reads sweep2.csv, written by clvsim into --out DIR:
#   x,y,mean,se,exact
# (one row per grid point, for total CLV; the x and y values must form a
# full, evenly spaced grid, as a sweep's from/to/steps produce), and
# against a base sweep2_breakeven.csv (x_from,y_from,x_to,y_to: the
# segments of the break-even contour; may have no rows).
#
# By hand:
#   gnuplot -e "datafile='out/sweep2.csv'; xlabel='retention.A'; ylabel='discount_rate'" plots/sweep_heat.gp
# Variables (all optional): datafile, contourfile ('' = no base; by hand
# the default), difffile (unused: clvsim passes it with a base), outfile
# (.png, .svg or .pdf picks the terminal by hand), xlabel and ylabel (the
# varied keys), scenario (title), currency (colour bar unit), period_unit
# (unused).

if (!exists("datafile")) datafile = 'sweep2.csv'
if (!exists("contourfile")) contourfile = ''
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

# the value drawn: the exact expectation (the Monte Carlo mean where a
# table has no exact column values)
stats datafile skip 1 using 5 nooutput
vcol = STATS_records > 0 ? 5 : 3
stats datafile skip 1 using vcol nooutput
ncell = STATS_records
vmin = STATS_min
vmax = STATS_max
if (ncell < 1) { print "sweep_heat.gp: no data in ".datafile; exit status 1 }
stats datafile skip 1 using 1 nooutput
xmin = STATS_min
stats datafile skip 1 using 2 nooutput
ymin = STATS_min
stats datafile skip 1 using ($2 == ymin ? $1 : NaN) nooutput
nx = STATS_records
stats datafile skip 1 using ($1 == xmin ? $2 : NaN) nooutput
ny = STATS_records
# the break-even against a base: the report's segments
nseg = 0
count_seg(x) = (nseg = nseg + 1, 0)
if (!exists("contourfile_rows")) contourfile_rows = -1
if (contourfile ne '' && contourfile_rows != 0) { stats contourfile skip 1 using (count_seg($1)) nooutput }
have_base = contourfile ne ''
# without a base: the scenario as written, at the values its file gives
# the two keys (key_value, key2_value from clvsim) when that is a cell;
# its contour is the trade-off "as much total CLV as now"
if (!exists("key_value")) key_value = ''
if (!exists("key2_value")) key2_value = ''
kx = key_value ne '' ? real(key_value) : NaN
ky = key2_value ne '' ? real(key2_value) : NaN
near(a, b) = abs(a - b) <= 1e-9 * (abs(b) > 1 ? abs(b) : 1)
file_level = NaN
if (!have_base && kx == kx && ky == ky) {
	stats datafile skip 1 using (near($1, kx) && near($2, ky) ? (file_level = column(vcol), 0) : 0) nooutput
}
file_base = file_level == file_level && vmin < file_level && file_level < vmax
crosses0 = !file_base && vmin < 0 && vmax > 0

# iso-CLV lines: gnuplot's contours of the grid (a 2 x 2 grid at least,
# with some spread), into a datablock
ncont = 0
if (nx >= 2 && ny >= 2 && vmax > vmin) {
	set contour base
	unset surface
	set cntrparam levels auto 6
	set dgrid3d ny,nx qnorm 100
	set table $iso
	splot datafile skip 1 using 1:2:vcol
	unset table
	if (file_base || (crosses0 && !have_base)) {
		set cntrparam levels discrete (file_base ? file_level : 0)
		set table $zero
		splot datafile skip 1 using 1:2:vcol
		unset table
	}
	unset dgrid3d
	unset contour
	set surface
	# (the contour tables are whitespace separated)
	set datafile separator whitespace
	stats $iso using 3 nooutput
	ncont = STATS_records
	set datafile separator comma
}

# --- page
W = 1000
H = 780
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
	(scenario eq '' ? '' : "\n" . scenario) . "\n" . \
	'colour and cells: exact expectation; white lines: equal total CLV' . \
	(have_base ? "\nblack: break-even against the base" : (file_base ? \
		sprintf("\nblack: as much as the scenario as written (%g, %g): %.2f", kx, ky, file_level) : \
		(crosses0 ? "\nblack: total CLV 0" : ''))) \
	noenhanced font ',13'
set xlabel xlabel noenhanced
set ylabel ylabel noenhanced
set cblabel 'expected total CLV per customer (' . cur . ')' noenhanced offset 2.5, 0
set format x '%g'
set format y '%g'
set format cb '%g'
# a perceptually ordered palette (viridis-like), readable in grey
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set autoscale xfix
set autoscale yfix
if (vmax > vmin) { set cbrange [vmin:vmax] } else { set cbrange [vmin - 1:vmin + 1] }
if (nx < 2) { set xrange [xmin - 0.5:xmin + 0.5] }
if (ny < 2) { set yrange [ymin - 0.5:ymin + 0.5] }
set tics out
set xtics nomirror
set ytics nomirror
set key outside bottom center horizontal noenhanced
set bmargin 5
# label ink: black on the light (upper) part of the palette, else white
ink(v) = vmax > vmin && (v - vmin) / (vmax - vmin) > 0.6 ? 0x000000 : 0xffffff
cell(v) = ncell <= 60 ? sprintf('%.2f', v) : sprintf('%.4g', v)
labelled = ncell <= 150
# three layers on one frame (fixed margins): the map, the iso-CLV lines
# (whitespace-separated tables), then the cell values and the break-even
set lmargin at screen 0.11
set rmargin at screen 0.78
set tmargin at screen 0.84
set bmargin at screen 0.16
set multiplot
# a grid of one row or column cannot be an image: squares instead
grid2 = nx >= 2 && ny >= 2
# (heat is the script's own text, no user text: a macro is safe)
heat = grid2 ? 'with image pixels' : 'with points pt 5 ps 6 lc palette'
if (nseg > 0) {
	plot datafile skip 1 using 1:2:vcol @heat notitle, \
	     contourfile skip 1 using 1:2:($3 - $1):($4 - $2) \
		with vectors nohead lw 3 lc rgb '#000000' title 'break-even against the base'
} else {
	plot datafile skip 1 using 1:2:vcol @heat notitle
}
set xrange [GPVAL_X_MIN:GPVAL_X_MAX]
set yrange [GPVAL_Y_MIN:GPVAL_Y_MAX]
unset title
unset xlabel
unset ylabel
unset tics
unset colorbox
set border 0
set key outside bottom right horizontal noenhanced
if (ncont > 0) {
	set datafile separator whitespace
	if (file_base || (crosses0 && !have_base)) {
		plot $iso using 1:2 with lines lw 1.2 lc rgb '#ffffff' notitle, \
		     $iso using 1:2:(sprintf('%g', $3)) every ::0::0 with labels font ',8' offset 0, -0.7 tc rgb '#ffffff' notitle, \
		     $zero using 1:2 with lines lw 3 lc rgb '#000000' \
			title (file_base ? 'as much total CLV as the scenario as written' : 'total CLV 0')
	} else {
		plot $iso using 1:2 with lines lw 1.2 lc rgb '#ffffff' notitle, \
		     $iso using 1:2:(sprintf('%g', $3)) every ::0::0 with labels font ',8' offset 0, -0.7 tc rgb '#ffffff' notitle
	}
	set datafile separator comma
}
if (labelled) {
	unset key
	plot datafile skip 1 using 1:2:(cell(column(vcol))):(ink(column(vcol))) \
		with labels font ',9' tc rgb variable notitle
}
unset multiplot
unset output
