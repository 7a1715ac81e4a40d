/*
 * mc_exact.h - stage engine: each replication's exact figures given its
 * draws, for the Monte Carlo driver (mc.c) when no assumption is drawn per
 * customer (issue 11 item 2).
 *
 * Given a replication's per-replication draws, its customers are
 * independent walks of one chain, so the replication's expected CLV per
 * state and total, and its expected shares, are the exact engine's
 * figures for that chain (expect_plan_run over the per-customer scope,
 * which has no dimensions here: exact_run; Poisson purchase counts are in
 * its period matrices). Used as the replication's values, they carry the
 * outer uncertainty (the draws) without the inner noise of C simulated
 * customers. See docs/statistics.md, "Exact replication values".
 */
#ifndef CLV_MC_EXACT_H
#define CLV_MC_EXACT_H

#include "clvsim.h"
#include "base/diag.h"
#include "engine/model.h"

typedef struct mc_exact mc_exact;

/* What s draws, segments included: nothing (every assumption fixed), only
   per replication (Dirichlet rows included), or something per customer. */
typedef enum mc_draws { MC_DRAWS_NONE, MC_DRAWS_REPLICATION, MC_DRAWS_CUSTOMER } mc_draws;
mc_draws mc_exact_draws(clv_scenario *s);

/* Whether s qualifies: mc_exact_draws(s) == MC_DRAWS_REPLICATION. */
bool mc_exact_applies(clv_scenario *s);

/* Plans for the populations of s (its segments, or s), share rows
   0..share_rows. NULL with err set (CLV_ERR_NOMEM, or as
   expect_plan_create). s must qualify (mc_exact_applies). */
mc_exact *mc_exact_create(clv_scenario *s, long share_rows, clv_error *err);
void mc_exact_free(mc_exact *e);

/* One replication: values[k] the draws of population k (model_values of
   its scenario); clv (n + 1) and share ((share_rows + 1) x n) get the
   figures mixed by the segments' weights. CLV_ERR_INPUT when the draws
   make an impossible model, CLV_ERR_NOMEM. Thread-safe. */
clv_status mc_exact_replication(const mc_exact *e, const model_values *const *values, double *clv,
                                double *share, clv_error *err);

#endif
