/*
 * output.h - the files of a run in --out DIR: tidy CSV tables (share.csv,
 * clv.csv, clv_hist.csv) written atomically as one group, then the
 * figures drawn from them by gnuplot (plot.h).
 */
#ifndef CLV_OUTPUT_H
#define CLV_OUTPUT_H

#include "clvsim.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "output/outfile.h"

/* Where the files of a command go (from --out and --plot). */
typedef struct output_settings {
	const char *out_dir;     /* --out DIR; NULL = no files */
	const char *plot;        /* --plot png|svg|pdf|none; NULL = png when
	                            gnuplot is installed */
} output_settings;

/* Write the run's tables (and figures, per set->plot) into set->out_dir,
   as one group (output_commit). CLV_OK, or the failure with err set
   (earlier files stay intact): the tables or a figure could not be
   written (CLV_ERR_IO naming the file and the cause), another process
   holds the folder's lock too long, CLV_ERR_INTERRUPTED after a signal.
   gnuplot missing or failing on its script is only a warning on stderr:
   the tables are still written and CLV_OK returned. */
clv_status output_run(const output_settings *set, const clv_scenario *s, const mc_result *r,
                      const exact_result *ex, clv_error *err);

/* The end of every command's --out: with the tables of g written (not
   committed), draw the figures of those tables into g (per set->plot;
   xlabel/ylabel name swept keys, may be NULL), then commit the whole
   group under the folder's lock, unless a signal came (checked before
   and after drawing; gnuplot is killed at once). Returns as output_run;
   on any failure nothing of g is committed (the caller frees g, which
   removes its temps). */
clv_status output_commit(const output_settings *set, outfile_group *g, const clv_scenario *s,
                         const char *xlabel, const char *ylabel, clv_error *err);

/* Draw every figure whose tables are already committed in set->out_dir,
   per set->plot, and commit them as a group. A failure is a warning on
   stderr naming what to install or gnuplot's own message, never an
   error: the tables stay. xlabel/ylabel name swept keys (may be NULL).
   (Commands use output_commit, which also holds a failure to write a
   figure an error.) */
void output_plots(const output_settings *set, const clv_scenario *s, const char *xlabel,
                  const char *ylabel);

/* Coarse histogram for clv_hist.csv: `bins` equal bins between the
   0.5th and 99.5th percentiles of h (values beyond go to the end bins);
   counts[bins] from the fine bins by their midpoints. */
void output_rebin(const stats_hist *h, int bins, double *lo, double *hi, uint64_t *counts);

#endif
