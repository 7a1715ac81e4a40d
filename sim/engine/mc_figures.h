/*
 * mc_figures.h - stage engine: what the Monte Carlo driver (mc.c) keeps
 * per replication and customer tier beyond its CLV tables, and the
 * figures made of it: each tier's CLV, the offer spend, the event
 * probabilities P(CLV < 0) and P(total > 0), each with an honest se
 * (docs/statistics.md). mc.c adds one task's sums at a time and calls
 * mc_figs_summarise once at the end.
 *
 * Per (replication, tier) a row of MC_FIGS(n) sums over the tier's
 * customers of that replication: CLV per state and total (n + 1), offer
 * spend (1), then counts (n + 2): CLV below 0 per state and total, total
 * above 0.
 */
#ifndef CLV_MC_FIGURES_H
#define CLV_MC_FIGURES_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "base/stats.h"
#include "engine/mc.h"

#define MC_FIGS(n) (2 * (n) + 4)
#define MC_FIG_SPEND(n) ((n) + 1)
#define MC_FIG_BELOW(n, i) ((n) + 2 + (i))   /* i = 0..n; i = n + 1: total > 0 */

typedef struct mc_figs {
	size_t n, n_seg;
	uint64_t reps_cap;       /* replications the table holds */
	stats_ksum *rep;         /* reps_cap x n_seg x MC_FIGS(n) (owned) */
	stats_ksum *sum, *sumsq; /* n_seg x MC_FIGS(n): over every replication (owned) */
} mc_figs;

/* A table for n states and n_seg tiers (>= 1). CLV_ERR_NOMEM. */
clv_status mc_figs_init(mc_figs *f, size_t n, size_t n_seg, clv_error *err);
void mc_figs_clear(mc_figs *f);

/* Bytes per replication of the table. */
double mc_figs_rep_bytes(size_t n, size_t n_seg);

/* Room for `reps` replications (zeroed). CLV_ERR_NOMEM. */
clv_status mc_figs_grow(mc_figs *f, uint64_t reps, clv_error *err);

/* Add one block of tier seg's customers of replication rep: their CLV
   sums and sums of squares (n + 1 each), offer spend (sum, sum of
   squares) and counts (n + 2). Add in a fixed order (task order). */
void mc_figs_add(mc_figs *f, uint64_t rep, size_t seg, const stats_ksum *sum,
                 const stats_ksum *sumsq, const stats_ksum *spend, const uint64_t *below);

/* How the run's tiers were simulated, for the standard errors. */
typedef struct mc_figs_design {
	uint64_t reps, customers;  /* replications run, customers each */
	const uint64_t *count;     /* n_seg: each tier's customers */
	const bool *per_replication; /* n_seg: the tier draws per replication */
	mc_se_method method;       /* the whole run's (mc.h) */
	size_t n_segments;         /* the scenario's tiers (0: none) */
	stats_hist *const *seg_hist; /* n_seg x (n + 1) merged histograms, or
	                              NULL (tier percentiles NaN) */
} mc_figs_design;

/* The se of the whole base's mean of figure j (e.g. j = n: total CLV) by
   d->method, *df its degrees of freedom (seg_hist and n_segments unused). */
double mc_figs_se(const mc_figs *f, const mc_figs_design *d, size_t j, double *df);

/* The figures into res (offer_spend, rep_offer_spend, p_negative,
   p_exceeds_acquisition and, with tiers, segment[]). CLV_ERR_NOMEM. */
clv_status mc_figs_summarise(const mc_figs *f, const mc_figs_design *d, mc_result *res,
                             clv_error *err);

/* The fraction of r's replications whose share of state i at the last
   share row (the horizon; for an infinite horizon the last period
   reported) is below `initial` (the scenario's share of i at period 0),
   with its se sqrt(p (1 - p) / R) in *se (replications are independent). */
double mc_p_share_falls(const mc_result *r, size_t i, double initial, double *se);

/* Free what mc_figs_summarise put into res (mc_free calls it). */
void mc_figs_free_result(mc_result *res);

#endif
