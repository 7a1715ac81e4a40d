/*
 * expect.h - the true expectation of a scenario's forecast (stage:
 * engine): expected shares per period, expected CLV per state and in
 * total, over everything the scenario makes uncertain, where exact.h
 * gives the forecast of one model (exact_scenario: at the assumptions'
 * means, which is not the expectation once the model is nonlinear in an
 * uncertain assumption: E[r^t] != E[r]^t).
 *
 * Two levels of uncertainty (docs/scenarios.md, `per`):
 *   - per-customer assumptions (drawn once per customer) are integrated
 *     by quadrature (quad.h rules, tensor or sparse grids): a customer's
 *     expected CLV given its draws is exact_run's figure for the model
 *     its draws make, so the population's expectation is that figure
 *     integrated over the draws' distribution;
 *   - per-replication assumptions (drawn once per replication; Dirichlet
 *     rows too) are integrated the same way when they are independent (no
 *     `correlations:`) and the grid fits the point budget; otherwise the
 *     figure is an average over replication draws, with its standard
 *     error: expect_plan_run evaluates one replication's draws, and
 *     expect_acc averages them.
 * Poisson purchases (per customer-period) need nothing here: the exact
 * engine's period matrices E = E[P^N] and W already take the expectation
 * over the count (N is independent of everything else, and CLV is linear
 * in the expected purchases of each period).
 *
 * Ownership as in clvsim.h; a plan is read-only once created, so several
 * threads may call expect_plan_run on one plan at the same time.
 */
#ifndef CLV_EXPECT_H
#define CLV_EXPECT_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/exact.h"
#include "engine/model.h"

/* Claimed relative accuracy of a quadrature expectation; a grid whose own
   error estimate exceeds EXPECT_TOLERANCE / 10 is not accepted as the
   expectation of per-replication assumptions (the average over draws is
   used instead). */
#define EXPECT_TOLERANCE 1e-8

/* Default budget of exact-engine evaluations for one grid. */
#define EXPECT_MAX_POINTS 20000

/* How an expectation was computed (what the reports can print). */
typedef enum expect_method {
	EXPECT_CERTAIN = 0,   /* nothing uncertain: exact_scenario's figure */
	EXPECT_QUADRATURE,    /* every uncertain assumption integrated by
	                         quadrature: exact to EXPECT_TOLERANCE */
	EXPECT_REPLICATIONS   /* per-customer assumptions by quadrature,
	                         per-replication ones averaged over draws: an
	                         estimate with a standard error */
} expect_method;

/* "certain", "quadrature", "replications" (for JSON and CSV). */
const char *expect_method_name(expect_method m);

/* A sentence for text reports, e.g. "expectation by quadrature over 3
   uncertain assumptions (144 evaluations)"; at most 160 bytes into buf. */
void expect_method_describe(expect_method m, size_t dims, size_t points, uint64_t replications,
                            char *buf, size_t len);

/* ---- plans: the grid of one population ---------------------------------- */

typedef enum expect_scope {
	EXPECT_SCOPE_CUSTOMER, /* integrate per-customer assumptions only; the
	                          per-replication ones (and Dirichlet rows) are
	                          taken from the values given to
	                          expect_plan_run */
	EXPECT_SCOPE_ALL       /* integrate every uncertain assumption */
} expect_scope;

typedef struct expect_plan expect_plan;

/* Plan the quadrature of s, a population without segments (a segment
   scenario s->segments[k], or a scenario with none): chooses each
   dimension's rule and order (at the means of the others) and the grid.
   share_periods as exact_run. max_points: budget of evaluations of one
   grid, 0 = EXPECT_MAX_POINTS; over it the grid is sparser and less
   accurate (see expect_plan_error). Errors: CLV_ERR_INPUT (s has segments;
   a correlation names a per-customer assumption; EXPECT_SCOPE_ALL with
   correlations; an impossible model at a node, e.g. draws of a row's
   entries summing above 1), CLV_ERR_NOMEM, CLV_ERR_NUMERIC. s is
   borrowed and must outlive the plan. */
expect_plan *expect_plan_create(clv_scenario *s, expect_scope scope, long share_periods,
                                size_t max_points, clv_error *err);
void expect_plan_free(expect_plan *pl);

/* The forecast expected over the plan's dimensions, the other assumptions
   taking their values in v (values of pl's scenario in scenario_params
   order, e.g. one replication's draws; NULL = the means). Per-customer
   entries of v are ignored (integrated); under EXPECT_SCOPE_ALL all of v
   is. A node whose per-customer draws make an impossible model uses the
   values at the per-customer means instead, as the Monte Carlo engine
   does. Returns a new result, or NULL with err set (CLV_ERR_INPUT when v
   itself makes an impossible model, CLV_ERR_NOMEM). Thread-safe. */
exact_result *expect_plan_run(const expect_plan *pl, const model_values *v, clv_error *err);

size_t expect_plan_dims(const expect_plan *pl);   /* dimensions integrated */
size_t expect_plan_points(const expect_plan *pl); /* evaluations per run */
/* Estimated relative error of a run at the means (shares: absolute). */
double expect_plan_error(const expect_plan *pl);
/* Whether the plan's grid is sparse (Smolyak) rather than a tensor. */
bool expect_plan_sparse(const expect_plan *pl);

/* ---- averages over replications ------------------------------------------ */

/* The expectation with its provenance. */
typedef struct expect_result {
	exact_result *mean;      /* expected shares, CLV, margin, cost, steady
	                            state (owned) */
	double *clv_se;          /* n + 1: standard error of mean->clv; zeros
	                            unless EXPECT_REPLICATIONS (owned) */
	double *share_se;        /* (periods + 1) * n: same for mean->share (owned) */
	double *value_se;        /* n: same for mean->value (owned) */
	double offer_spend_se;   /* same for mean->offer_spend */
	double equity_se;        /* same for mean->equity[n], the total equity */
	expect_method method;
	uint64_t replications;   /* draws averaged (EXPECT_REPLICATIONS), else 0 */
	size_t dims;             /* dimensions integrated by quadrature (a
	                            Dirichlet row of n entries counts n - 1),
	                            summed over segments */
	size_t points;           /* exact-engine evaluations of one grid,
	                            summed over segments */
	double error_estimate;   /* estimated relative quadrature error */
} expect_result;

void expect_free(expect_result *r);

typedef struct expect_acc expect_acc;

/* An accumulator of per-replication figures (n states, share rows
   0..periods): their mean and its standard error (sample sd over
   sqrt(count), Welford's update). NULL with err set when out of memory. */
expect_acc *expect_acc_create(size_t n, long periods, clv_error *err);
void expect_acc_free(expect_acc *a);

/* Add one replication's figure (add in replication order: the sums are
   order-dependent in the last bits). CLV_ERR_INPUT when r's shape differs. */
clv_status expect_acc_add(expect_acc *a, const exact_result *r, clv_error *err);

/* The mean so far as an EXPECT_REPLICATIONS result (se 0 with one figure);
   NULL with err set (CLV_ERR_INPUT when nothing was added, CLV_ERR_NOMEM). */
expect_result *expect_acc_result(const expect_acc *a, clv_error *err);

/* mix += w * part, field by field (same shape): segments' expectations mix
   by their fixed weights, as exact_scenario mixes its figures. */
void expect_mix_add(exact_result *mix, const exact_result *part, double w);

/* A zeroed result of n states and share rows 0..periods (exact_free it). */
exact_result *expect_result_zero(size_t n, long periods);

/* ---- the whole scenario ---------------------------------------------------- */

typedef struct expect_options {
	uint64_t replications;   /* draws averaged when quadrature over the
	                            per-replication assumptions is not possible */
	uint64_t seed;           /* their seed */
	size_t max_points;       /* grid budget (0 = EXPECT_MAX_POINTS) */
	bool replications_only;  /* never integrate per-replication assumptions
	                            (tests, and callers that want the average) */
} expect_options;

/* Defaults: the scenario's replications and seed, EXPECT_MAX_POINTS. */
void expect_options_defaults(expect_options *o, const clv_scenario *s);

/* The expectation of s's forecast (segments mixed by weight). A scenario
   with nothing uncertain gives exact_scenario's figures, bit for bit
   (EXPECT_CERTAIN). Otherwise each population is integrated by quadrature
   when it has no correlations and its full grid is accurate
   (EXPECT_QUADRATURE); else its per-replication assumptions are averaged
   over opt->replications draws (plain Monte Carlo design of
   sample_design from opt->seed, columns laid out as mc.c lays them), each
   draw integrated over the per-customer assumptions
   (EXPECT_REPLICATIONS, with se). opt NULL = defaults. Errors as
   expect_plan_create and expect_plan_run. */
expect_result *expect_scenario(clv_scenario *s, long share_periods, const expect_options *opt,
                               clv_error *err);

/* Both exact figures of s: the expectation (expect_scenario) and, where
   they differ (something is uncertain, method other than EXPECT_CERTAIN),
   the figures at the assumptions' means (exact_scenario) in *at_means,
   else NULL there. NULL with err set as expect_scenario. */
expect_result *expect_with_means(clv_scenario *s, long share_periods, const expect_options *opt,
                                 exact_result **at_means, clv_error *err);

#endif
