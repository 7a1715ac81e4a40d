/*
 * breakdown.h - stage engine: the figures a strategist asks for beyond one
 * CLV (docs/scenarios.md, docs/statistics.md): the expectation of each
 * customer tier on its own, the Monte Carlo value of a customer by its
 * starting state (`run --by-start`), and the equity of the customer base
 * in each replication's world (the distribution of mc.equity).
 *
 * The value by starting state and the equity's expectation need nothing
 * here: the exact engine computes them for every model (exact_result
 * value, equity, cohort, customers), so the expectation (expect.h)
 * carries them like any other figure.
 */
#ifndef CLV_BREAKDOWN_H
#define CLV_BREAKDOWN_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "base/stats.h"
#include "engine/expect.h"
#include "engine/mc.h"

typedef struct breakdown {
	size_t n_segments;           /* the scenario's tiers (0: none) */
	expect_result **segment;     /* n_segments: each tier's expectation on
	                                its own (owned) */
	exact_result **segment_at_means; /* n_segments: each at its means where
	                                that differs, else NULL entries (owned) */
	size_t n_starts;             /* n after breakdown_by_start, else 0 */
	mc_result **by_start;        /* n_starts: Monte Carlo with every customer
	                                starting in state i, acquisition 0 (owned) */
	uint64_t replications;       /* equity entries (0: no customer base) */
	double *equity;              /* replications: the expected equity in
	                                each replication's world (owned) */
	double *acquired;            /* replications: its draw of
	                                acquired_per_period (owned) */
	stats_summary equity_mc;     /* over the replications: mean, se = sd /
	                                sqrt(R), sd, percentiles (type 7) */
	double equity_df;            /* R - 1 */
} breakdown;

/* An empty breakdown; NULL with err set when out of memory. */
breakdown *breakdown_create(clv_error *err);
void breakdown_free(breakdown *b);

/* Each tier of s on its own: expect_with_means of s->segments[k] (opt as
   expect_scenario's). A no-op without tiers. Errors as expect_scenario. */
clv_status breakdown_segments(breakdown *b, clv_scenario *s, long share_periods,
                              const expect_options *opt, clv_error *err);

/* The Monte Carlo value by starting state: for each state i, mc_run of a
   copy of s whose customers all start in i with no acquisition cost
   (scenario_start_in), on cfg (the same seed: common random numbers).
   Errors as mc_run. */
clv_status breakdown_by_start(breakdown *b, const clv_scenario *s, const mc_config *cfg,
                              clv_error *err);

/* The equity in each replication's world of the run r of s (a no-op
   without customer_base): the replication's drawn values (r->rep_input)
   with the per-customer assumptions integrated by quadrature (an
   EXPECT_SCOPE_CUSTOMER plan), tiers mixed by weight, and
   acquired_per_period drawn for the replication from its own stream
   (seed r->seed, key "customer_base.acquired_per_period"). Errors:
   expect_plan_create's and expect_plan_run's, CLV_ERR_NOMEM. */
clv_status breakdown_equity(breakdown *b, clv_scenario *s, const mc_result *r,
                            long share_periods, clv_error *err);

#endif
