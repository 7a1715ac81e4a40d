/*
 * fit_output.h - the tables and figures of `clvsim fit`, written
 * atomically (output/outfile.h) into a folder. Stage: output.
 *
 * Columns (the public interface of the files; docs/fit.md):
 *   customers.csv     customer,first,last,recency,frequency,monetary,switches,latest
 *                     (first/last: a date or a period; recency in periods to
 *                     the fit's last period; monetary empty without amounts;
 *                     latest: the customer's latest state)
 *   fit_holdout.csv   period,start,state,observed,predicted,buyers
 *                     (period 1, 2, ... from the holdout date's; rows by state)
 *   fit_survival.csv  period,alive,survival_observed,survival,expected_alive,
 *                     retention_observed,retention
 * Figures: fit_holdout.<ext> (plots/fit_holdout.gp), fit_survival.<ext>
 * (plots/fit_survival.gp). A figure that cannot be drawn is a warning, put
 * in *warn (its table is written).
 */
#ifndef CLV_FIT_OUTPUT_H
#define CLV_FIT_OUTPUT_H

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_data.h"
#include "fit/fit_holdout.h"
#include "fit/fit_markov.h"
#include "fit/fit_sbg.h"
#include "output/plot.h"

/* dir/customers.csv (dir made if missing). CLV_ERR_IO naming the path,
   CLV_ERR_NOMEM. */
clv_status fit_output_customers(const char *dir, const fit_data *d, const fit_markov *m,
                                clv_error *err);

/* dir/fit_holdout.csv and, unless fmt is PLOT_NONE, its figure. */
clv_status fit_output_holdout(const char *dir, const fit_data *d, const fit_holdout *h,
                              const fit_options *o, plot_format fmt, clv_error *err,
                              clv_error *warn);

/* dir/fit_survival.csv and, unless fmt is PLOT_NONE, its figure. */
clv_status fit_output_survival(const char *dir, const fit_cohort *c, const fit_sbg *s,
                               const char *unit, plot_format fmt, clv_error *err,
                               clv_error *warn);

#endif
