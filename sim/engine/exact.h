/*
 * exact.h - the exact (analytic) engine: expected shares per period,
 * expected CLV per state and in total, and the steady state, for one
 * clv_model. Every Monte Carlo figure is reported beside these.
 */
#ifndef CLV_EXACT_H
#define CLV_EXACT_H

#include "clvsim.h"
#include "base/diag.h"

typedef struct exact_result {
	size_t n;
	long periods;     /* share rows are periods 0..periods */
	double *share;    /* (periods + 1) * n: distribution of the state at
	                     the start of each period (owned) */
	double *clv;      /* n + 1: expected CLV per state, then total (owned) */
	double *margin;   /* n: expected discounted margin per state (owned) */
	double *cost;     /* n: expected discounted cost per state (owned) */
	double *steady;   /* n: long-run distribution reached from `initial`
	                     under the long-run matrix (owned) */
} exact_result;

/* Run the exact engine on m. share_periods: rows of the share table for
   an infinite horizon (ignored for a finite one, which has T + 1 rows).
   Returns NULL with err set: CLV_ERR_NOMEM, or CLV_ERR_INPUT when an
   infinite horizon does not converge (discount rate <= spend growth). */
exact_result *exact_run(const clv_model *m, long share_periods, clv_error *err);
void exact_free(exact_result *r);

/* The exact forecast of a scenario at its assumptions' means; with
   segments, the mixture weighted by segment sizes (shares and CLV are
   linear in the population). */
exact_result *exact_scenario(clv_scenario *s, long share_periods, clv_error *err);

/* Per-period transition and purchase-count matrices of a phase with
   switching matrix P and F purchases per period (or Poisson(F) when
   poisson): E = E[P^N] (start of one period to the start of the next) and
   W = sum_k P(N > k) P^k (expected purchases in each state during the
   period, from each starting state). E and W are n * n, row-major. */
clv_status exact_period_matrices(const double *P, size_t n, double F, int poisson,
                                 double *E, double *W, clv_error *err);

#endif
