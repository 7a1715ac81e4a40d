/*
 * whatif.h - the what-if planner: compare scenarios on common random
 * numbers, sweep a key over a grid, and rank uncertain assumptions by how
 * much they move CLV (tornado, spider, elasticities); a comparison's
 * decision (P(best), EVPI, EVPPI: evpi.h) and a sweep against a base. The
 * commands `clvsim compare`, `sweep` and `tornado` (cmd_compare.c,
 * cmd_sweep.c, cmd_tornado.c) are thin layers over these functions, which
 * tests call directly; `clvsim solve` is in solve.h.
 *
 * Every function takes loaded scenarios and never reads a file: each
 * evaluation (an arm of a comparison, a grid point, a tornado or
 * elasticity evaluation) edits its own copy (scenario_copy), so no edit
 * leaks into the next run and the scenarios given stay as loaded.
 *
 * Seeds: unless whatif_settings gives one, every run uses the (first)
 * scenario file's seed (42 when the file gives none), so what-ifs are
 * reproducible and share their random numbers by default.
 */
#ifndef CLV_WHATIF_H
#define CLV_WHATIF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/mc.h"
#include "whatif/evpi.h"

/* A sweep may have at most this many grid points (both axes together). */
#define WHATIF_MAX_POINTS 10000
/* Spider chart: inputs at their 10th, 20th, ..., 90th percentiles. */
#define WHATIF_SPIDER 9
/* Relative step of the elasticities' central differences (+-1%). */
#define WHATIF_ELASTICITY_STEP 0.01

/* Monte Carlo settings from the command line; 0 / false = the scenario's
   (engine/mc.h). */
typedef mc_settings whatif_settings;

/* The Monte Carlo configuration for s under set (seed: set's, else s's). */
void whatif_config(const whatif_settings *set, const clv_scenario *s, mc_config *cfg);

/* ------------------------------------------------------------------ */
/* compare                                                            */

/* Scenario k minus the first, for one state or the total. */
typedef struct whatif_diff {
	double mean;             /* mean over replications of the paired difference */
	double se;               /* sd of the paired differences / sqrt(R) */
	double lo90, hi90;       /* mean -+ t(0.95, R - 1) se */
	double exact;            /* difference of the exact figures */
} whatif_diff;

typedef struct whatif_arm {
	clv_scenario *s;         /* the arm's copy of its scenario, as run (owned) */
	double *exact;           /* n_k + 1: exact CLV per state, then total (owned) */
	double *mean, *se;       /* n_k + 1: Monte Carlo mean CLV and its SE (owned) */
	mc_result *mc;           /* the Monte Carlo run: per-replication averages
	                            (rep_clv), histograms (owned) */
	whatif_diff *diff;       /* n + 1, the FIRST scenario's states then total;
	                            NaN where this scenario lacks the state (owned) */
	double p_beats;          /* fraction of replications in which this
	                            scenario's total beats the first's (strictly) */
	double spend;            /* expected discounted offer spend per customer
	                            (exact; 0 without offers) */
	double spend_exact;      /* the exact block's offer spend (the expectation) */
	double spend_mean, spend_se; /* its Monte Carlo mean and se */
	whatif_diff spend_diff;  /* offer spend minus the first scenario's: the
	                            line beside the states' differences (the
	                            states' CLV excludes it; total = states -
	                            offer spend - acquisition) */
	double ros, ros_lo90, ros_hi90; /* return on spend: diff total / spend;
	                            NaN without offers */
	double *rep_exact;       /* replications x (n_k + 1): the expected CLV
	                            of each replication given its draws
	                            (engine/expect_draws.h); NULL when
	                            independent (owned) */
} whatif_arm;

typedef struct whatif_compare {
	size_t n_arms;
	whatif_arm *arm;         /* arm[0] is the reference (owned) */
	size_t n;                /* the first scenario's states */
	uint64_t seed, replications, customers;
	bool independent;        /* streams offset per scenario (no CRN) */
	/* the decision (whatif/evpi.h; decision.c), on common random numbers
	   only (NULL when independent) */
	whatif_decision *decision; /* owned */
	size_t n_inputs;         /* assumptions drawn per replication, over
	                            every scenario (by key path, first seen) */
	char **input_name;       /* n_inputs (owned) */
	double *rep_input;       /* replications x n_inputs: their draws (owned) */
	uint64_t customers_base; /* EVPI also for this many customers; 0 = no */
} whatif_compare;

/* Run every one of the n_scenarios scenarios (each on a copy) on the
   same seed, replications and customers (the first scenario's unless set
   overrides them), on common random numbers unless `independent`. States
   are matched by name. NULL with err set: CLV_ERR_USAGE (fewer than two
   scenarios), CLV_ERR_NOMEM, mc_run's and exact_scenario's errors. */
whatif_compare *whatif_compare_run(const clv_scenario *const *scenarios, size_t n_scenarios,
                                   const whatif_settings *set, bool independent,
                                   clv_error *err);
void whatif_compare_free(whatif_compare *c);

/* The decision of a comparison run on common random numbers (decision.c):
   each arm's rep_exact (its replications' expected CLV given their
   draws: the seed and replications of c, plain sampling, as the Monte
   Carlo runs drew them), the drawn inputs of every arm by key path, and
   c->decision from the totals (whatif_decision_compute). A no-op when c
   is independent. Errors: expect_draws', whatif_decision_compute's. */
clv_status whatif_compare_decide(whatif_compare *c, int threads, clv_error *err);

/* Expected discounted offer spend per customer of s (exact engine): the
   total CLV with every offer's cost and margin_cut set to 0 (on a copy),
   minus the total CLV as written. 0 when s has no offers. */
clv_status whatif_offer_spend(const clv_scenario *s, double *spend, clv_error *err);

/* Paired difference statistics of y - x over R replications, reading
   x[r * stride_x] and y[r * stride_y]: fills out's mean, se, lo90 and
   hi90 (se and the interval are NaN when R < 2); leaves out->exact.
   CLV_ERR_NOMEM on allocation failure. */
clv_status whatif_paired(const double *x, size_t stride_x, const double *y, size_t stride_y,
                         size_t R, whatif_diff *out, clv_error *err);

/* ------------------------------------------------------------------ */
/* sweep                                                              */

typedef struct whatif_axis {
	char *key;               /* owned */
	double from, to, step;
	size_t count;            /* grid points on this axis */
} whatif_axis;

/* Parse "KEY=FROM:TO:STEP" into ax (ax->key owned; free with
   whatif_axis_clear). CLV_ERR_USAGE unless FROM <= TO, STEP > 0, all
   finite, and at most WHATIF_MAX_POINTS points. */
clv_status whatif_axis_parse(const char *text, whatif_axis *ax, clv_error *err);
void whatif_axis_clear(whatif_axis *ax);

/* Point i of the axis: from + i * step, the last snapped onto `to` when
   within 1e-9 steps of it. */
double whatif_axis_value(const whatif_axis *ax, size_t i);

/* How a sweep evaluates its points (whatif_sweep_run chooses; --mode):
   - WHATIF_SWEEP_MONTE_CARLO: mc_run at every point, on one seed (common
     random numbers): something is drawn per customer, or the command
     asked for an engine (--mode customers or aggregate);
   - WHATIF_SWEEP_EXACT_REPLICATIONS: nothing is drawn per customer but
     something per replication: replication r's expected CLV given its
     draws is exact (engine/expect_draws.h; the same uniforms at every
     point), mean and se over the R replications carry the assumptions'
     uncertainty without the noise of simulated customers;
   - WHATIF_SWEEP_EXACT: nothing is uncertain: the exact engine alone,
     mean = exact and se = 0 (a Monte Carlo run would add only noise). */
typedef enum whatif_sweep_method {
	WHATIF_SWEEP_MONTE_CARLO,
	WHATIF_SWEEP_EXACT_REPLICATIONS,
	WHATIF_SWEEP_EXACT
} whatif_sweep_method;

/* "monte_carlo", "exact_replications", "exact" (the JSON's "method"). */
const char *whatif_sweep_method_name(whatif_sweep_method m);

typedef struct whatif_sweep {
	whatif_sweep_method method; /* how mean and se were computed */
	size_t n_axes;
	whatif_axis axis[2];     /* copies (keys owned) */
	size_t n_points;         /* point p = (i0, i1), p = i0 * count1 + i1 */
	size_t n;                /* states */
	char **states;           /* n (owned) */
	double *x;               /* n_points x n_axes: the values (owned) */
	double *exact;           /* n_points x (n + 1) (owned) */
	double *mean, *se;       /* n_points x (n + 1), by `method`; NULL when
	                            not asked for (monte_carlo false) */
	char *rule[2];           /* how a matrix-entry key is applied, or NULL */
	uint64_t seed, replications, customers;
	/* a sweep of CHANGED against BASE (whatif_sweep_vs; sweep_vs.c):
	   CHANGED minus BASE at every point, states matched by name (NaN
	   where BASE lacks the state); NULL / false otherwise */
	bool versus;
	char *base_name, *base_path; /* owned */
	double *diff_exact;      /* n_points x (n + 1): expectations' difference,
	                            both on the same footing (owned) */
	double *diff_mean, *diff_se, *diff_lo90, *diff_hi90; /* n_points x (n + 1):
	                            paired Monte Carlo difference (owned) */
	size_t n_breakeven;      /* break-even of the total: one key, the
	                            crossings of diff_exact = 0 between grid
	                            points (linear interpolation); two keys, the
	                            segments of its zero contour (marching
	                            squares on the grid) */
	double *breakeven;       /* one key: n_breakeven values; two keys:
	                            n_breakeven x 4 (x_from, y_from, x_to, y_to)
	                            (owned) */
} whatif_sweep;

/* Sweep scenario s over the axes (1 or 2; keys as scenario_set_number
   takes them). Each point: copy s, set the keys, exact engine, then (if
   monte_carlo) its mean and se by the method chosen once for the grid
   (whatif_sweep_method): with set->mode MC_MODE_AUTO the exact methods
   where nothing is drawn per customer (in s or, against a base, in
   either), else mc_run on the same seed for every point.
   NULL with err set: CLV_ERR_USAGE for a bad key (with "did you mean"),
   the same key twice, a value out of range, or over WHATIF_MAX_POINTS;
   the engines' errors. */
whatif_sweep *whatif_sweep_run(const clv_scenario *s, const whatif_axis *axes, size_t n_axes,
                               const whatif_settings *set, bool monte_carlo,
                               clv_error *err);
void whatif_sweep_free(whatif_sweep *w);

/* The sweep of `changed` over the axes as whatif_sweep_run (with Monte
   Carlo), and at every point its difference from `base` (run once, on
   the same seed, replications and customers: common random numbers):
   the expectations' difference (both averaged over the same draws when
   either must be, expect.h) and the paired Monte Carlo difference with
   its se and 90% interval (whatif_paired), and the break-even of the
   total difference. NULL with err set: whatif_sweep_run's errors. */
whatif_sweep *whatif_sweep_vs(const clv_scenario *base, const clv_scenario *changed,
                              const whatif_axis *axes, size_t n_axes,
                              const whatif_settings *set, clv_error *err);

/* ------------------------------------------------------------------ */
/* tornado                                                            */

typedef struct whatif_input {
	char *label;             /* e.g. "margin.A"; for a Dirichlet row, its
	                            diagonal "switching.B.B" (owned) */
	char *dist;              /* the distribution, e.g. "beta(90, 10)" (owned) */
	double mean;             /* the input's mean */
	double value[WHATIF_SPIDER]; /* its 10th..90th percentiles */
	double *clv;             /* WHATIF_SPIDER x (n + 1): CLV with the input
	                            at those values, the others at their means */
	double swing;            /* total CLV at p90 minus at p10 */
} whatif_input;

typedef struct whatif_elasticity {
	char *input;             /* "retention", "retention.X", "discount_rate",
	                            "margin" or "horizon" (owned) */
	double base;             /* the input's value at the means (NaN for a group) */
	double *e;               /* n + 1: % change in CLV per % change in the
	                            input, per state then total; NaN where the
	                            base CLV is 0 (owned) */
	char *skipped;           /* why it could not be computed, or NULL (owned) */
} whatif_elasticity;

typedef struct whatif_tornado {
	size_t n;
	char **states;           /* n (owned) */
	uint64_t seed, replications, customers;
	double *base;            /* n + 1: CLV with every input at its mean */
	size_t n_inputs;
	whatif_input *input;     /* largest |swing| first (owned) */
	size_t n_elast;
	whatif_elasticity *elast; /* owned */
} whatif_tornado;

/* The tornado of scenario s. Inputs: every uncertain assumption
   (per replication or per customer; Poisson purchase counts excluded),
   and the retention of each Dirichlet row (its diagonal's beta marginal).
   Evaluations pin one input at a percentile (in every segment, each at
   its own distribution's percentile) with the others at their means: on
   the exact engine, or, when some assumption is per customer, on Monte
   Carlo with common random numbers (per-replication assumptions fixed at
   their means, per-customer ones left to vary between customers).
   Elasticities: central differences of +-1% around the means (horizon:
   +-1 period) at the means; each stepped scenario is validated,
   and a step that leaves the valid region (an infinite horizon's rate at
   or below the growth, a horizon over the limit...) is not taken: the
   difference is one-sided from the means, or, when both steps would
   leave it, the elasticity is skipped with the reason. NULL with err set
   on failure. */
whatif_tornado *whatif_tornado_run(const clv_scenario *s, const whatif_settings *set,
                                   clv_error *err);
void whatif_tornado_free(whatif_tornado *t);

/* Indices of t's inputs ordered by |swing| of state k's CLV (k == n: the
   total), largest first; ties keep their order. */
void whatif_tornado_order(const whatif_tornado *t, size_t k, size_t *order);

/* The swing of input i in state k (k == n: total): CLV at p90 - at p10. */
double whatif_swing(const whatif_tornado *t, size_t i, size_t k);

#endif
