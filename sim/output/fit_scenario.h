/*
 * fit_scenario.h - the scenario a fit writes (`clvsim fit --out
 * FILE.yaml`): YAML that `check`, `exact` and `run` accept, carrying the
 * estimation uncertainty as distributions. Stage: output.
 *
 * Switching fit (docs/fit.md has an example):
 *   - a comment header: the data file, its SHA-256, the counts, the
 *     command, and what came from the data and what did not;
 *   - states: the brands (then `lost` with --churn-after);
 *   - initial: the shares of customers' latest state;
 *   - switching: each brand's row {dist: dirichlet, alpha: [...]} with
 *     alpha = counts + 1/2 (the posterior under Jeffreys' prior); `lost`
 *     absorbing, [0, ..., 0, 1];
 *   - purchases_per_period: the whole number when every customer-period
 *     held the same count, else {dist: poisson, mean: ...};
 *   - margin: mean spend x --margin-rate as {dist: normal, mean, sd: se x
 *     rate} per replication (a fixed number when se is 0 or unknown), 0 in
 *     `lost`; 1 per purchase without an amount column;
 *   - period, horizon (the periods the data cover), discount_rate (10% a
 *     year, or 10% per period without a calendar: an assumption, marked).
 * Survival fit: states [active, lost], retention {dist: beta, a: b_sbg,
 * b: a_sbg, per: customer} (retention r = 1 - churn ~ Beta(b, a) when
 * churn ~ Beta(a, b)), margin 1 per active period, horizon the cohort's
 * periods.
 *
 * Every text is loaded back with the scenario loader before it is
 * returned, so a file that is written is a file clvsim accepts.
 */
#ifndef CLV_FIT_SCENARIO_H
#define CLV_FIT_SCENARIO_H

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_data.h"
#include "fit/fit_markov.h"
#include "fit/fit_sbg.h"

/* The YAML of a switching fit (malloc'd). command: the command line for
   the header; path: where it will be written (names it in messages).
   NULL with err set: CLV_ERR_LIMIT when the purchase rate exceeds what a
   scenario allows (choose a shorter --period), CLV_ERR_NUMERIC when the
   text does not load (a bug), CLV_ERR_NOMEM. */
char *fit_scenario_markov(const fit_data *d, const fit_markov *m, const fit_options *o,
                          const char *command, const char *path, clv_error *err);

/* The YAML of a survival fit (malloc'd); unit: the scenario's period
   (day, week, month, quarter, year, or period). Errors as above. */
char *fit_scenario_sbg(const fit_cohort *c, const fit_sbg *s, const char *unit,
                       const char *command, const char *path, clv_error *err);

/* Write text to path through a temporary file renamed over it
   (output/outfile.h): all or nothing; path's folder is made if missing.
   CLV_ERR_IO naming the path. */
clv_status fit_scenario_write(const char *path, const char *text, clv_error *err);

#endif
