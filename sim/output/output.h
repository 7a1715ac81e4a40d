/*
 * output.h - stage output: the files of a command in --out DIR. Every
 * command writes its tidy CSV tables the same way (output_files): into
 * one atomic group (outfile.h), then the figures drawn from them by
 * gnuplot (plot.h). The tables of `run` (share.csv, clv.csv,
 * clv_hist.csv) are here; those of the what-ifs are in output_compare.h,
 * output_sweep.h and output_tornado.h.
 */
#ifndef CLV_OUTPUT_H
#define CLV_OUTPUT_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/breakdown.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "output/manifest.h"
#include "output/outfile.h"

/* Where the files of a command go (from --out and --plot). */
typedef struct output_settings {
	const char *out_dir;     /* --out DIR; NULL = no files in a folder
	                            (with report set: the tables only in it) */
	const char *plot;        /* --plot png|svg|pdf|none; NULL = png when
	                            gnuplot is installed */
	const char *report;      /* --report FILE.html, or NULL (html_report.h) */
	void (*summary)(FILE *f, const void *data); /* the command's text report,
	                            the report's summary (NULL: none) */
	const void *summary_data;
	manifest_info manifest;  /* what manifest.json says of the command */
} output_settings;

/* Equal bins of every CLV histogram table (clv_hist.csv,
   compare_hist.csv). */
#define OUTPUT_HIST_BINS 60

/* One table of a group: its file name in the folder and its writer.
   write(f, data) writes the whole table into f; CLV_OK, or a failure
   with err set (then no table of the group is kept). Errors of the
   stream itself are caught when the group is committed. */
typedef struct output_table {
	const char *name;        /* e.g. "share.csv" */
	clv_status (*write)(FILE *f, const void *data, clv_error *err);
} output_table;

/* What the figures drawn after the tables are labelled with. */
typedef struct output_figures {
	const clv_scenario *s;   /* scenario name, period unit, currency */
	const char *xlabel;      /* swept keys, or NULL */
	const char *ylabel;
	const char *method;      /* how the means were computed, for the
	                            figures' titles (a sweep's
	                            whatif_sweep_method_name); NULL: Monte Carlo */
} output_figures;

/* The one sequence behind every command's --out DIR and --report FILE
   (neither: nothing, CLV_OK): make set->out_dir
   (mkdir -p), open tables[0..n-1] in order as the members of one atomic
   group, write each with its writer (given data), draw the figures
   (fig NULL: none), add manifest.json (manifest.h: set->manifest, the
   hashes of every file of the group) and commit the whole group unless a
   signal has arrived, removing the earlier command's files by the folder
   rule (manifest.h). With set->report, the HTML report (html_report.h)
   is written whole before the group commits and renamed after it;
   without set->out_dir the tables are drafted beside the report and
   discarded after it.
   CLV_OK, or the first failure with err set (CLV_ERR_IO naming the path,
   CLV_ERR_NOMEM, a writer's error, CLV_ERR_INTERRUPTED after a signal):
   then no file in the folder is created or replaced and no temporary
   file remains. A plotting failure is only a warning on stderr. */
clv_status output_files(const output_settings *set, const output_table *tables, size_t n,
                        const void *data, const output_figures *fig, clv_error *err);

/* Write the run's tables and figures (per set->plot) into set->out_dir
   through output_files: share.csv, clv.csv, clv_hist.csv,
   replications.csv, and segments.csv (b's tiers) and customers.csv (ex's
   customer base) where they apply; b may be NULL (no segments.csv).
   CLV_OK, or the failure with err set (earlier files stay intact): a
   table or a figure could not be written (CLV_ERR_IO naming the file and
   the cause), another process holds the folder's lock too long,
   CLV_ERR_INTERRUPTED after a signal. gnuplot missing or failing on its
   script is only a warning on stderr. After --mode aggregate, no
   clv_hist.csv (no histogram of single customers). */
clv_status output_run(const output_settings *set, const clv_scenario *s, const mc_result *r,
                      const exact_result *ex, const breakdown *b, clv_error *err);

/* The end of output_files (and of fit's own group): with the tables of g
   written (not committed), draw the figures of those tables into g (per
   set->plot; fig NULL: none), add manifest.json, then commit the whole
   group under the folder's lock, unless a signal came (checked before and after drawing;
   gnuplot is killed at once). Returns as output_run; on any failure
   nothing of g is committed (the caller frees g, which removes its
   temps). */
clv_status output_commit(const output_settings *set, outfile_group *g,
                         const output_figures *fig, clv_error *err);

/* Coarse histogram for clv_hist.csv and compare_hist.csv: `bins` equal bins between the
   0.5th and 99.5th percentiles of h (values beyond go to the end bins);
   counts[bins] from the fine bins by their midpoints. */
void output_rebin(const stats_hist *h, int bins, double *lo, double *hi, uint64_t *counts);

#endif
