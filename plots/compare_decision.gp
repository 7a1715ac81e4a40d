# compare_decision.gp - which scenario to choose, how often is it the
# best, and is it worth learning more first? The decision of a
# comparison in two panels:
#   left: P(best), the share of possible worlds (replications) in which
#   each scenario has the highest expected total CLV (its mean under its
#   name);
#   right: EVPPI, what knowing one uncertain assumption exactly is worth
#   per customer, against EVPI (knowing all of them), largest first.
#
# Reads compare_p_best.csv and compare_evppi.csv, written by clvsim
# `compare --out DIR` on common random numbers:
#   compare_p_best.csv:  scenario,mean_total,p_best,evpi
#   compare_evppi.csv:   assumption,evppi,evpi   (may have no rows)
#
# By hand:
#   gnuplot -e "datafile='out/compare_p_best.csv'" plots/compare_decision.gp
# Variables (all optional): datafile, evppifile (default: compare_evppi.csv
# next to datafile), outfile (.png, .svg or .pdf picks the terminal),
# scenario (title), currency (x axis unit), period_unit (unused).
# clvsim passes coded copies and the names in lbl_scenario and
# lbl_assumption (docs/plots.md, "Labels"); by hand, names come from the
# files.

if (!exists("datafile")) datafile = 'compare_p_best.csv'
sibling(name) = (at = strstrt(datafile, 'compare_p_best.csv'), at > 0 ? datafile[1:at-1] . name : name)
if (!exists("evppifile")) evppifile = sibling('compare_evppi.csv')
if (!exists("outfile")) outfile = 'compare_decision.png'
if (!exists("scenario")) scenario = ''
if (!exists("period_unit")) period_unit = 'period'
if (!exists("currency")) currency = ''

set encoding utf8
set datafile separator comma

scopy = exists("lbl_scenario")
acopy = exists("lbl_assumption")
scn_of(c) = scopy ? lbl_scenario[int(column(c))] : strcol(c)
asm_of(c) = acopy ? lbl_assumption[int(column(c))] : strcol(c)

nscn = 0
evpi = NaN
pmax = 0
count_scn(e) = (nscn = nscn + 1, evpi = e, 0)
stats datafile skip 1 using (count_scn(column(4))) nooutput
if (nscn < 1) { print "compare_decision.gp: no data in ".datafile; exit status 1 }
nasm = 0
vmax = 0
count_asm(v) = (nasm = nasm + 1, vmax = (v > vmax ? v : vmax), 0)
# (clvsim tells how many rows a table has: no `stats` on an empty one)
if (!exists("evppifile_rows")) evppifile_rows = -1
if (evppifile_rows != 0) { stats evppifile skip 1 using (count_asm(column(2))) nooutput }
vmax = evpi > vmax ? evpi : vmax

# --- page: two panels side by side
nrow = nscn > nasm ? nscn : nasm
W = 1400
H = 300 + 40 * nrow
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
title = 'Which scenario to choose, and what information is worth' . \
	(scenario eq '' ? '' : "\n" . scenario)
set multiplot layout 1,2 title title font ',14' noenhanced
set style fill solid 0.85 noborder
set ytics scale 0 noenhanced
set grid xtics
set key off
row(r) = r + 1

# --- left: P(best)
set title 'P(best): share of the possible worlds in which it is best' font ',11'
set xlabel 'P(best)'
set xrange [0:1.2]
set xtics 0, 0.2, 1
set yrange [nscn + 0.6:0.4]
plot datafile skip 1 using ($3 / 2):(row($0)):($3 / 2):(0.35):ytic(scn_of(1) . "\n" . \
	sprintf('mean %.2f', $2)) with boxxyerror lc rgb '#2b8cbe', \
     '' skip 1 using ($3):(row($0)):(sprintf('%.3f', $3)) with labels left offset 0.6, 0 noenhanced

# --- right: EVPPI against EVPI
set title sprintf('EVPPI per customer: knowing one assumption exactly (EVPI %.2f)', evpi) \
	noenhanced font ',11'
set xlabel 'expected value of information per customer (' . cur . ')' noenhanced
set xtics autofreq
top = vmax > 0 ? 1.3 * vmax : 1
set xrange [0:top]
if (nasm < 1) {
	set yrange [1.6:0.4]
	set ytics ('' 1)
	set label 1 'nothing drawn per replication (or too few replications): no EVPPI' \
		at graph 0.5, 0.5 center noenhanced
	plot NaN notitle
} else {
	set yrange [nasm + 0.6:0.4]
	set arrow 1 from evpi, graph 0 to evpi, graph 1 nohead lw 2 dt 2 lc rgb '#d62728' front
	set label 2 'EVPI' at evpi, graph 1 center offset 0, 0.7 tc rgb '#d62728' noenhanced
	plot evppifile skip 1 using ($2 / 2):(row($0)):($2 / 2):(0.35):ytic(asm_of(1)) \
		with boxxyerror lc rgb '#e6550d', \
	     '' skip 1 using ($2):(row($0)):(sprintf('%.2f', $2)) with labels left offset 0.6, 0 \
		noenhanced
}
unset multiplot
unset output
