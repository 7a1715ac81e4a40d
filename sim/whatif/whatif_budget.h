/*
 * whatif_budget.h - stage whatif: the budgets of a what-if, checked for
 * the whole command before its first Monte Carlo run starts (mc_budget.h):
 * a comparison keeps every scenario's result while the next one runs, so
 * its memory is counted together; a sweep's points run one at a time, so
 * each point is checked, and the first that would be refused is named
 * before anything is computed.
 */
#ifndef CLV_WHATIF_BUDGET_H
#define CLV_WHATIF_BUDGET_H

#include "clvsim.h"
#include "base/diag.h"
#include "engine/mc.h"
#include "whatif/whatif.h"

/* The arms of c (their scenarios copied in) run in order under cfg
   (its scenario_index set per arm here): held[k] (c->n_arms entries) gets
   the bytes the results of arms 0..k-1 keep while arm k runs (for
   cfg->held_bytes). CLV_OK, or CLV_ERR_LIMIT naming the first arm that
   would not fit ("scenario 3 (c.yaml): ..."), or the errors of
   mc_estimate. */
clv_status whatif_compare_budget(const whatif_compare *c, const mc_config *cfg, double *held,
                                 clv_error *err);

/* Every point of sweep w (axes and grid values filled) on a copy of s
   under set, as whatif_sweep_run will run it: CLV_OK, or the first
   point that would be refused (its budgets, an infinite horizon it cannot
   reach, a value its scenario refuses), named with its values, e.g.
   "sweep point 2 of 3 (customers = 5.00001e+08): this run would
   simulate ...". */
clv_status whatif_sweep_budget(const whatif_sweep *w, const clv_scenario *s,
                               const whatif_settings *set, clv_error *err);

#endif
