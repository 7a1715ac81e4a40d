/*
 * output.h - the files of a run in --out DIR: tidy CSV tables (share.csv,
 * clv.csv, clv_hist.csv) written atomically as one group, then the
 * figures drawn from them by gnuplot (plot.h).
 */
#ifndef CLV_OUTPUT_H
#define CLV_OUTPUT_H

#include "cli/cli.h"
#include "clvsim.h"
#include "engine/exact.h"
#include "engine/mc.h"

/* Write the run's tables (and plots, per --plot) into opt->out_dir.
   Returns an exit code: 0, or non-zero with err set when the tables could
   not be written (earlier files stay intact). A plotting failure is only a
   warning on stderr: the tables are still written and 0 returned. */
int output_run(const cli_options *opt, const clv_scenario *s, const mc_result *r,
               const exact_result *ex, clv_error *err);

/* Draw every figure whose tables are in opt->out_dir, per --plot (default:
   png when gnuplot is installed). A failure is a warning on stderr naming
   what to install or gnuplot's own message, never an error: the tables
   stay. xlabel/ylabel name swept keys (may be NULL). */
void output_plots(const cli_options *opt, const clv_scenario *s, const char *xlabel,
                  const char *ylabel);

/* Coarse histogram for clv_hist.csv: `bins` equal bins between the
   0.5th and 99.5th percentiles of h (values beyond go to the end bins);
   counts[bins] from the fine bins by their midpoints. */
void output_rebin(const stats_hist *h, int bins, double *lo, double *hi, uint64_t *counts);

#endif
