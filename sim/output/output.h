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

/* Where the files of a command go (from --out and --plot). */
typedef struct output_settings {
	const char *out_dir;     /* --out DIR; NULL = no files */
	const char *plot;        /* --plot png|svg|pdf|none; NULL = png when
	                            gnuplot is installed */
} output_settings;

/* Write the run's tables (and plots, per set->plot) into set->out_dir.
   CLV_OK, or the failure with err set when the tables could not be
   written (earlier files stay intact; CLV_ERR_INTERRUPTED after a
   signal). A plotting failure is only a warning on stderr: the tables
   are still written and CLV_OK returned. */
clv_status output_run(const output_settings *set, const clv_scenario *s, const mc_result *r,
                      const exact_result *ex, clv_error *err);

/* Draw every figure whose tables are in set->out_dir, per set->plot. A
   failure is a warning on stderr naming what to install or gnuplot's own
   message, never an error: the tables stay. xlabel/ylabel name swept keys
   (may be NULL). */
void output_plots(const output_settings *set, const clv_scenario *s, const char *xlabel,
                  const char *ylabel);

/* Coarse histogram for clv_hist.csv: `bins` equal bins between the
   0.5th and 99.5th percentiles of h (values beyond go to the end bins);
   counts[bins] from the fine bins by their midpoints. */
void output_rebin(const stats_hist *h, int bins, double *lo, double *hi, uint64_t *counts);

#endif
