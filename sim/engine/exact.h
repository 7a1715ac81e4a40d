/*
 * exact.h - the exact (analytic) engine: expected shares per period,
 * expected CLV per state and in total, and the steady state, for one
 * clv_model. Every Monte Carlo figure is reported beside these.
 */
#ifndef CLV_EXACT_H
#define CLV_EXACT_H

#include "clvsim.h"
#include "base/diag.h"

/* Entries of exact_result.equity and .cohort: n states, then the total,
   the offer spend and the acquisition spend. */
#define EXACT_EQUITY_LEN(n) ((n) + 3)

typedef struct exact_result {
	size_t n;
	long periods;     /* share rows are periods 0..periods */
	double *share;    /* (periods + 1) * n: distribution of the state at
	                     the start of each period (owned) */
	double *clv;      /* n + 1: expected CLV per state (its margin minus its
	                     own cost to serve), then the total = sum of the
	                     states - offer_spend - acquisition (owned) */
	double *margin;   /* n: expected discounted margin per state (owned) */
	double *cost;     /* n: expected discounted cost per state (owned) */
	double *steady;   /* n: long-run distribution reached from `initial`
	                     under the long-run matrix (owned) */
	double offer_spend; /* expected discounted cost of the offers
	                     (campaign, price_discount `cost`) per customer:
	                     on its own line, in no state's CLV */
	double *value;    /* n: value by starting state: the expected CLV before
	                     acquisition (states minus offer spend) of a
	                     customer whose state at period 0 is i, so that
	                     sum_i initial_i value_i - acquisition = clv[n] (owned) */
	bool has_base;    /* the model has a customer base: the three below */
	double *equity;   /* EXACT_EQUITY_LEN(n): value of the whole base (the
	                     N customers of period 0, who paid their
	                     acquisition already, and every cohort acquired
	                     later, who pay it), discounted to period 0: per
	                     state, total, offer spend, acquisition (owned) */
	double *cohort;   /* EXACT_EQUITY_LEN(n): the acquired cohorts' part of
	                     the equity for one customer acquired per period
	                     (for a list per period, the list's own cohorts),
	                     so the equity at another M is equity + (M - mean
	                     of M) x cohort[.] (owned) */
	double *customers; /* (periods + 1) * n: expected number of customers
	                     in each state at the start of each period (owned) */
} exact_result;

/* A zeroed result of n states and share rows 0..periods, every array
   allocated (exact_free it); NULL when out of memory. */
exact_result *exact_result_create(size_t n, long periods);

/* a += w * b, field by field (same shape): populations mix by weight, since
   every figure is linear in the population. */
void exact_result_add(exact_result *a, const exact_result *b, double w);

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
