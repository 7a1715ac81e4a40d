# tornado.gp - which uncertain assumption moves total CLV the most?
# One-at-a-time sensitivity of total CLV: for each uncertain
# assumption, a horizontal bar from the CLV at its low input to the CLV at
# its high input (others at their base values), around the base CLV;
# widest swing on top. The input values are written at the bar ends, the
# swing (CLV at the high input minus at the low, as the report prints it)
# under the assumption's name.
#
# Reads tornado.csv, written by clvsim into --out DIR:
#   assumption,low_input,high_input,clv_low,clv_high,swing,base
# (sorted by swing, descending; base is the same on every row).
#
# By hand:
#   gnuplot -e "datafile='out/tornado.csv'; outfile='tornado.png'" plots/tornado.gp
# Variables (all optional): datafile, outfile (.png, .svg or .pdf picks the
# terminal), scenario (title), currency (x axis unit), period_unit (unused).
# clvsim passes a coded copy and the names in lbl_assumption
# (docs/plots.md, "Labels"); by hand, names come from the file.

if (!exists("datafile")) datafile = 'tornado.csv'
if (!exists("outfile")) outfile = 'tornado.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

acopy = exists("lbl_assumption")
name_of(c) = acopy ? lbl_assumption[int(column(c))] : strcol(c)

nbar = 0
base = NaN
count(b) = (nbar = nbar + 1, base = b, 0)
stats datafile skip 1 using (count(column(7))) nooutput
if (nbar < 1) { print "tornado.gp: no data in ".datafile; exit status 1 }

# --- page
W = 1100
H = 280 + 42 * nbar
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
set title 'Sensitivity of total CLV per customer (tornado)' . \
	(scenario eq '' ? '' : "\n" . scenario) noenhanced font ',14'
set xlabel 'expected total CLV per customer (' . cur . ')' noenhanced
set yrange [nbar + 0.6:0.4]
set ytics scale 0 noenhanced
set grid xtics
set offsets graph 0.12, graph 0.12, 0, 0
set key outside bottom center horizontal noenhanced
set bmargin 5
set arrow 1 from base, graph 0 to base, graph 1 nohead lw 1.5 dt 2 lc rgb '#333333' front
set label 1 sprintf('base %.2f', base) at base, graph 1 center offset 0, 0.8 noenhanced
set style fill solid 0.85 noborder

lo_x(a, b) = a < b ? a : b
row(r) = r + 1
set format x '%g'
plot datafile skip 1 using ((base + $4) / 2):(row($0)):(abs($4 - base) / 2):(0.35):ytic(name_of(1) . sprintf("\nswing %+.2f", ($5 < $4 ? -1 : 1) * $6)) \
	with boxxyerror lc rgb '#2b8cbe' title 'assumption at its low value', \
     '' skip 1 using ((base + $5) / 2):(row($0)):(abs($5 - base) / 2):(0.35) \
	with boxxyerror lc rgb '#e6550d' title 'assumption at its high value', \
     '' skip 1 using (lo_x($4, $5)):(row($0)):(sprintf('%.4g', $4 < $5 ? $2 : $3)) \
	with labels right offset -0.8, 0 notitle, \
     '' skip 1 using ($4 < $5 ? $5 : $4):(row($0)):(sprintf('%.4g', $4 < $5 ? $3 : $2)) \
	with labels left offset 0.8, 0 notitle
unset output
