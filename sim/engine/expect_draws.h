/*
 * expect_draws.h - stage engine: the expectation replication by
 * replication. Replication r of a run draws its per-replication
 * assumptions (Dirichlet rows too) from the outer design (engine/outer.h:
 * columns keyed by identity, the same seed, replication count and
 * sampling method give the same draws as mc_run's first batch); given
 * those draws, the replication's expected CLV is exact: the exact engine
 * on the model they make, integrated over the per-customer assumptions by
 * quadrature (an EXPECT_SCOPE_CUSTOMER plan per population, segments
 * mixed by their fixed weights). That figure is what the Monte Carlo
 * replication average estimates with the noise of its C customers; it is
 * the value of one "possible world", the input of the decisions of
 * whatif/solve.h (each replication's own root) and whatif/evpi.h (P(best),
 * EVPI, EVPPI).
 *
 * Two scenarios whose assumptions share key paths get the same draws for
 * them in every replication (common random numbers). A scenario edited
 * at another value of a swept key keeps the columns of the others, so
 * expect_draws_rebind evaluates it on the very same uniforms.
 *
 * Ownership as in clvsim.h. A draws object is read-only once created:
 * several threads may call expect_draws_clv on it at the same time.
 */
#ifndef CLV_EXPECT_DRAWS_H
#define CLV_EXPECT_DRAWS_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/sample.h"

typedef struct expect_draws expect_draws;

/* The replications 0..reps-1 of s (borrowed, must outlive the object):
   its outer design sampled from seed by method, and a per-customer plan
   for each population. Errors: CLV_ERR_INPUT (a correlation that cannot
   be imposed; a per-customer assumption correlated), CLV_ERR_NOMEM, the
   plans' errors (expect_plan_create). */
expect_draws *expect_draws_create(clv_scenario *s, uint64_t reps, sample_method method,
                                  uint64_t seed, clv_error *err);

/* The same replications for s, a scenario with the same design columns
   as like's (the same key paths in the same order, e.g. a copy of like's
   scenario with a fixed key set to another value): like's uniforms are
   used, not copied, so like must outlive the result. CLV_ERR_INPUT when
   the columns differ; otherwise as expect_draws_create. */
expect_draws *expect_draws_rebind(const expect_draws *like, clv_scenario *s, clv_error *err);

void expect_draws_free(expect_draws *d);

/* Replications and states of d. */
uint64_t expect_draws_reps(const expect_draws *d);
size_t expect_draws_states(const expect_draws *d);

/* The design's columns: how many, and the key path of column j
   ("retention.Us", "segments.NAME.margin.A", "switching.Rival.Ours").
   0 columns: nothing is drawn per replication, every replication is the
   same world. */
size_t expect_draws_cols(const expect_draws *d);
const char *expect_draws_col_name(const expect_draws *d, size_t j);

/* Replication r's expected CLV given its draws: n + 1 values (per state,
   then the total) into clv. CLV_ERR_INPUT when the draws make an
   impossible model (mc_run fails on the same draws), CLV_ERR_NOMEM.
   Thread-safe. */
clv_status expect_draws_clv(const expect_draws *d, uint64_t r, double *clv, clv_error *err);

/* Every replication's figure into clv (reps x (n + 1), replication r at
   clv + r * (n + 1)), over `threads` OpenMP threads (0 = the default);
   the result does not depend on the thread count. The first failure in
   replication order is returned, with its message. */
clv_status expect_draws_all(const expect_draws *d, int threads, double *clv, clv_error *err);

/* The values drawn in replication r, column by column (n_cols values,
   as mc_result's rep_input holds them) into row. */
void expect_draws_inputs(const expect_draws *d, uint64_t r, double *row);

#endif
