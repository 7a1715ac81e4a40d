/*
 * clvdist.h - stage engine: the exact distribution of one customer's CLV
 * (per state: what it earns there; and in total), by dynamic programming
 * over (state, accumulated value), where exact.h gives only its mean.
 *
 * A customer's discounted CLV is a function of its path through the
 * chain, so its distribution follows from the chain without simulating:
 * going back from the last period, the distribution of what is still to
 * come from a purchase in state x is the mixture over the next state y
 * (weights P[x][y]) of what is to come from y, shifted by what the
 * purchase in x earns (clvdist.c for the method). Each such distribution
 * is kept as a list of support points (value, probability):
 *   - exactly, while the points are few (a discrete CLV, such as the
 *     textbook example's: every atom at its value, the percentiles exact);
 *   - otherwise on an adaptive grid of `points` equal bins over the
 *     current range of values: a bin whose points share one value keeps it
 *     (an atom stays exact), so does every point of probability at least
 *     1 / points; the rest of a bin becomes one point at its centre of
 *     mass (so every mean stays exact) - moving no probability by more
 *     than the bin's spread.
 * The error bound. The moves add up along a path, so the computed
 * distribution is that of a value that never differs from the true CLV by
 * more than `bound` (the sum of the largest move of each step, state by
 * state; plus, for an infinite horizon, the most the periods after the
 * truncation could add, chain.h chain_truncation_bound). Hence every
 * percentile, and the sd, is within +-bound of the true one; bound 0 means
 * exact (to rounding, about 1e-15 relative). The p-quantile is
 * min { v : P(CLV <= v) >= p - 1e-12 } (the slack absorbs the rounding of
 * summed probabilities).
 * Not covered: per-customer assumptions (a customer's own draws make its
 * chain; see clvdist_scenario for what is reported then).
 */
#ifndef CLV_CLVDIST_H
#define CLV_CLVDIST_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"

/* Default bins of the adaptive grid, per state and step. */
#define CLVDIST_POINTS 4096
/* Infinite horizons: the periods after T are left out where they could
   add at most this fraction of the largest CLV (added to the bound). */
#define CLVDIST_TRUNCATION 1e-7
/* Probability slack of a percentile (rounding of summed probabilities). */
#define CLVDIST_P_SLACK 1e-12

/* A distribution on finitely many points. */
typedef struct clvdist {
	size_t len, cap;
	double *v;               /* values, ascending (owned) */
	double *p;               /* probabilities, summing to 1 (owned) */
	double bound;            /* the true CLV is within +-bound of a value
	                            distributed as this (see above) */
} clvdist;

clvdist *clvdist_create(void);
void clvdist_free(clvdist *d);

/* The p-quantile (0 <= p <= 1) as above; NaN when d is empty. */
double clvdist_quantile(const clvdist *d, double p);

/* Mean and standard deviation (probabilities normalised by their sum). */
void clvdist_moments(const clvdist *d, double *mean, double *sd);

typedef struct clvdist_options {
	size_t points;           /* bins per state and step; 0 = CLVDIST_POINTS */
	bool total_only;         /* only out[n], the total (out[i < n] NULL) */
	int threads;             /* threads of the programmes; 0 = OpenMP default */
} clvdist_options;

/* The distributions of m's customer: out[i] (i < n) of what it earns in
   state i, out[n] of its total CLV (acquisition cost included); each a
   new clvdist (clvdist_free). *periods_out (may be NULL): the periods
   0..T computed (an infinite horizon's truncation); *work_out (may be
   NULL): the points handled, the measure of the cost. Errors:
   CLV_ERR_NOMEM; CLV_ERR_LIMIT when an infinite horizon cannot be
   truncated within CLV_MAX_HORIZON. out[] is all NULL on failure. */
clv_status clvdist_model(const clv_model *m, const clvdist_options *o, clvdist **out,
                         long *periods_out, double *work_out, clv_error *err);

/* The points clvdist_model handles for m, at most (its cost, before
   running it): about periods x purchases x (nonzero entries of P) x
   1.1 points x (n + 1, or 1 with total_only). */
double clvdist_work(const clv_model *m, const clvdist_options *o);

/* The mixture sum_k w[k] parts[k] (weights summing to 1), compressed to
   at most about 2 x points points; its bound is the largest of the
   parts' plus what the compression moves. NULL with err set (NOMEM). */
clvdist *clvdist_mix(const clvdist *const *parts, const double *w, size_t k, size_t points,
                     clv_error *err);

/* ---- a whole scenario (clvdist_scenario.c) --------------------------------------- */

/* Work budget of clvdist_scenario, in points handled (about 0.3 s on one
   core); the grid is as fine as it allows (CLVDIST_MIN_POINTS to
   CLVDIST_MAX_POINTS bins). */
#define CLVDIST_WORK 4e7
#define CLVDIST_MIN_POINTS 256
#define CLVDIST_MAX_POINTS 65536

/* One distribution's figures. */
typedef struct clvdist_figures {
	double mean, sd, p05, p25, p50, p75, p95;
	double bound;            /* each of sd, p05..p95 within +-bound */
	size_t support;          /* points of the computed distribution */
} clvdist_figures;

typedef struct clvdist_report {
	size_t n;
	bool available;          /* computed (else see note) */
	bool per_state;          /* clv[0..n-1] computed too (else NaN) */
	clvdist_figures *clv;    /* n + 1: per state, then total (owned) */
	size_t points;           /* bins per state and step */
	long periods;            /* periods 0..periods computed (the truncation
	                            of an infinite horizon; the largest over the
	                            replications' models) */
	uint64_t replications;   /* replication draws mixed; 0 = none drawn */
	double work;             /* points handled */
	char note[320];          /* one sentence: how it was found, or why not */
} clvdist_report;

/* What to compute it for. */
typedef struct clvdist_request {
	const double *rep_input; /* replications x n_inputs: the per-replication
	                            draws of a run (mc_result.rep_input, columns
	                            of engine/outer.h), or NULL: draw them here */
	size_t n_inputs;
	uint64_t replications;   /* rows of rep_input, or draws to make */
	uint64_t seed;           /* seed of the draws made here (plain Monte
	                            Carlo design, as expect_scenario's) */
	double work;             /* budget; 0 = CLVDIST_WORK */
	int threads;             /* threads; 0 = OpenMP default (a run passes
	                            its own, so --threads 1 means one) */
} clvdist_request;

/* The distribution of a customer's CLV under s: the mixture over its
   segments (fixed weights) and, when assumptions are drawn per
   replication, over the replications' draws (each draw's distribution
   weighted 1 / R: the distribution across all the customers of those
   replications, which the Monte Carlo percentiles estimate; with draws,
   only the total is computed). Not available (note says why, CLV_OK)
   when an assumption is drawn per customer, or when even the coarsest
   grid is over ten times the budget. Errors: CLV_ERR_INPUT (a draw makes
   an impossible model; rep_input of the wrong width), CLV_ERR_NOMEM. */
clvdist_report *clvdist_scenario(clv_scenario *s, const clvdist_request *rq, clv_error *err);

/* Does clvdist_scenario of s use a run's per-replication draws (something
   is drawn per replication)? When not, it needs nothing of the run and
   can be computed beside it (mc_config.beside). */
bool clvdist_uses_run_draws(clv_scenario *s);
void clvdist_report_free(clvdist_report *r);

#endif
