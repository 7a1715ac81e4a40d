/*
 * aggregate.h - stage engine: the population engine of `--mode aggregate`.
 * Share of wallet and customer equity of a market of C customers by
 * moving the counts of customers per state, not the customers.
 *
 * Given a replication's draws, customers in the same state are
 * exchangeable and move independently, so the numbers of them going from
 * state x to each next state are multinomial(count_x, P[x][.]) (GSL's
 * gsl_ran_multinomial), purchase by purchase. The counts at the start of
 * each period are the replication's share of wallet times C, and the sum
 * over periods and states of count x reward is the replication's customer
 * equity: both have exactly the distribution the per-customer engine's
 * replication figures have, at O(states^2 x purchases x periods) per
 * replication whatever C. With Poisson purchases, each state's count is
 * first split by the period's purchase count (multinomial over the
 * Poisson probabilities, the tail beyond 2^-33 in the last count, as the
 * per-customer engine does), then each group walks its purchases. The
 * outer level is the per-customer engine's: the same design, the same
 * draws replication by replication (engine/outer.h), the same customer
 * split between tiers; so both engines' replications pair up.
 *
 * What it cannot do: follow one customer (no sd or percentiles across
 * customers: the exact distribution, clvdist.h, gives them), and
 * per-customer assumptions (customers with their own draws are not
 * exchangeable; refused, naming the assumption - they are not stratified,
 * since a continuous draw has no finite strata that reproduce it exactly).
 */
#ifndef CLV_AGGREGATE_H
#define CLV_AGGREGATE_H

#include "clvsim.h"
#include "base/diag.h"
#include "engine/mc.h"

/* The aggregate engine's own budget: binomial draws, counted as
   replications x periods x purchases x states^2 (about an hour of CPU);
   refused beyond it. */
#define AGGREGATE_MAX_WORK 3e10

/* Whether s can be aggregated exactly; when not, the reason (naming the
   per-customer assumption) into why (at most len bytes; why may be
   NULL). */
bool aggregate_supported(clv_scenario *s, char *why, size_t len);

/* The work (binomial draws, as AGGREGATE_MAX_WORK counts them) of
   aggregating s under cfg; NaN when it cannot be estimated. */
double aggregate_work(clv_scenario *s, const mc_config *cfg);

/* MC_MODE_AUTO's choice: s can be aggregated, the per-customer run
   would take more than MC_AUTO_AGGREGATE_STEPS purchase steps, and the
   aggregate one fewer binomial draws than that. */
bool aggregate_preferred(clv_scenario *s, const mc_config *cfg);

/* Run s by state counts: an mc_result with engine MC_MODE_AGGREGATE,
   rep_share and rep_clv the replications' population figures, clv[].mean
   their mean over replications with se by replications (R - 1 df),
   clv[].sd and the percentiles NaN, hist empty. Reproducible whatever the
   thread count: replication r, tier k draws from the stream of (seed,
   "aggregate", r, k). Errors: CLV_ERR_INPUT (a per-customer assumption,
   with the reason; an impossible draw), CLV_ERR_LIMIT (over
   AGGREGATE_MAX_WORK or the memory budget, with the numbers),
   CLV_ERR_NOMEM, CLV_ERR_INTERRUPTED. */
mc_result *aggregate_run(clv_scenario *s, const mc_config *cfg, clv_error *err);

#endif
