/*
 * fit_holdout.h - --holdout DATE: fit on the records before the date,
 * forecast the periods from it on with the fitted chain, and set the
 * forecast beside what the same customers did. Stage: fit.
 *
 * Forecast (the fitted scenario's exact engine at its means): start
 * from the fit's latest-state shares s0; the first purchase on or after
 * the date is one chain step on, s_1 = s0 P; each period after that is
 * one period matrix on, s_{h+1} = s_h E with E = E[P^N] (N purchases per
 * period: engine/exact.h, exact_period_matrices). P has the posterior
 * means of the fitted rows (the Dirichlet rows the scenario draws).
 * Predicted shares are over the brands (with --churn-after, renormalised
 * without `lost`: only buyers are observed).
 * Observed: in each period from the date's on, the brand of the first
 * purchase (on or after the date) of each customer of the fit who bought
 * in it; customers first seen after the date are not forecast (counted).
 */
#ifndef CLV_FIT_HOLDOUT_H
#define CLV_FIT_HOLDOUT_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_data.h"
#include "fit/fit_markov.h"

typedef struct fit_holdout {
	size_t n;              /* brands */
	long first;            /* period index of the first held-out period */
	long periods;          /* held-out periods H: first .. first + H - 1 */
	double *observed;      /* H * n: observed shares; NaN where nobody bought (owned) */
	double *predicted;     /* H * n (owned) */
	uint64_t *buyers;      /* H: customers of the fit buying in the period (owned) */
	uint64_t purchases;    /* held-out purchases by customers of the fit */
	uint64_t new_customers; /* customers first seen on or after the date */
	double mean_abs_error; /* mean |observed - predicted| over brands and
	                          periods with buyers */
} fit_holdout;

/* The holdout comparison of m, fitted on d's records before `until`.
   CLV_ERR_INPUT (naming the data file) when no record lies on or after
   the date; CLV_ERR_NOMEM. */
fit_holdout *fit_holdout_run(const fit_data *d, const fit_markov *m, int64_t until,
                             clv_error *err);
void fit_holdout_free(fit_holdout *h);

#endif
