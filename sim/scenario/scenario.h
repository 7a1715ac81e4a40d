/*
 * scenario.h - the scenario stage: load a YAML file into a clv_scenario,
 * validate every rule, list its assumptions, copy a loaded scenario and
 * edit the copy (sweeps, what-ifs). May include base/ only.
 *
 * The format, every key with its default and unit, is documented in
 * docs/scenarios.md. Loading never renormalises, never guesses: anything
 * wrong is an error naming FILE:LINE:COLUMN and the rule broken.
 */
#ifndef CLV_SCENARIO_H
#define CLV_SCENARIO_H

#include "clvsim.h"
#include "base/diag.h"

/* ------------------------------------------------------------------ */
/* Load, copy, free (load.c, copy.c).                                  */

/* Load and validate the scenario in `path` (following `base:` chains,
   relative to the including file's folder). Returns NULL with err set
   (CLV_ERR_INPUT for bad content, CLV_ERR_IO when unreadable, CLV_ERR_LIMIT
   for sizes over the limits in clvsim.h). */
clv_scenario *scenario_load(const char *path, clv_error *err);

/* Same, from a buffer; `path` names it in messages and resolves `base:`. */
clv_scenario *scenario_load_buffer(const char *path, const char *text, size_t len,
                                   clv_error *err);

void scenario_free(clv_scenario *s);

/* A deep copy of s, owned by the caller (scenario_free it): every array,
   label, offer, correlation and segment, and the path block with the names
   of the `base:` files, so every pos.file of the copy points into the
   copy's own block and the copy outlives s. NULL with err set
   (CLV_ERR_NOMEM) when out of memory. */
clv_scenario *scenario_copy(const clv_scenario *s, clv_error *err);

/* ------------------------------------------------------------------ */
/* States and assumptions by name (params.c).                          */

/* Index of the state called `name`, or (size_t)-1. */
size_t scenario_state_index(const clv_scenario *s, const char *name);

/* Every assumption of s (including per-customer ones and those inside
   offers; segments excluded), in a fixed order: switching entries by row,
   retention, discount_rate, purchases_per_period, margin, cost_per_period,
   referral_value, acquisition_cost, spend_growth, offers. Writes up to
   `cap` pointers into out; returns the total count. Pointers are borrowed
   from s. */
size_t scenario_params(clv_scenario *s, clv_param **out, size_t cap);

/* The same list in a new array (free() it); *count gets its length.
   NULL when out of memory. */
clv_param **scenario_params_alloc(clv_scenario *s, size_t *count);

/* The param whose label is `label` (e.g. "margin.A", "discount_rate"),
   or NULL. */
clv_param *scenario_param(clv_scenario *s, const char *label);

/* ------------------------------------------------------------------ */
/* Edits of a loaded scenario (edit.c; the what-ifs edit copies). The  */
/* rules are listed at the top of edit.c; none re-validates.           */

/* Set a numeric key to a fixed value, as a sweep does: any param label,
   plus "horizon", "customers", "replications", and "switching.I.J", which
   sets entry (I, J) and rescales the row's other entries proportionally
   so it still sums to 1 (the row must be fixed). The value applies to
   every segment too; "retention.X" adds the shorthand if the file had
   none. Run scenario_validate after edits. Errors: CLV_ERR_USAGE with the
   reason (unknown key with a "did you mean" hint, value out of range). */
clv_status scenario_set_number(clv_scenario *s, const char *key, double value,
                               clv_error *err);

/* Periods the Monte Carlo walk needs: the horizon, or for an infinite
   one the periods until the discount factor falls below
   CLV_INFINITE_CUTOFF at the lowest rate and highest growth s can draw
   (HUGE_VAL when they never fall). Segments not included. */
double scenario_walk_periods(const clv_scenario *s);

/* CLV_OK unless s has an infinite horizon that the walk cannot reach
   within CLV_MAX_HORIZON periods (scenario_walk_periods): then
   CLV_ERR_LIMIT at the discount rate, with the numbers and the lowest
   rate that would do. Part of scenario_validate; the engines call it
   again after edits (sweeps). */
clv_status scenario_check_reach(const clv_scenario *s, clv_error *err);

/* The scenarios the engines evaluate ("leaves"): the segments when there
   are segments, else s itself. scenario_leaf(s, k) for k below
   scenario_n_leaves(s); borrowed from s. */
size_t scenario_n_leaves(const clv_scenario *s);
clv_scenario *scenario_leaf(clv_scenario *s, size_t k);

/* True when s or one of its segments has an offer. */
bool scenario_has_offers(const clv_scenario *s);

/* Fix assumption p at v: kind DIST_FIXED, drawn per replication. */
void scenario_fix(clv_param *p, double v);

/* True, with its row and column in *i and *j, when p is an entry of a
   (non-Dirichlet) switching row of s. */
bool scenario_entry_of(const clv_scenario *s, const clv_param *p, size_t *i, size_t *j);

/* Fix entry (i, j) of non-Dirichlet row i at v and rescale the row's other
   fixed entries so that, with its uncertain entries at their means, the
   row sums to 1. CLV_ERR_INPUT (row unchanged) when they cannot. */
clv_status scenario_pin_entry(clv_scenario *s, size_t i, size_t j, double v, clv_error *err);

/* Set assumption p of s to the fixed value v (a switching entry by
   scenario_pin_entry). Errors: scenario_pin_entry's. */
clv_status scenario_set_value(clv_scenario *s, clv_param *p, double v, clv_error *err);

/* Every customer of s (and of each segment) starts in state i: `initial`
   becomes the unit vector e_i; the acquisition cost is fixed at 0 (its
   correlations dropped), so the total CLV is the value by starting state
   (states minus offer spend). i < s->n. */
void scenario_start_in(clv_scenario *s, size_t i);

/* Every offer's cost and margin_cut in every leaf of s fixed at 0. */
void scenario_zero_offer_spend(clv_scenario *s);

/* Turn Dirichlet row i of s into a fixed row at its mean. CLV_ERR_NOMEM. */
clv_status scenario_fix_dirichlet(clv_scenario *s, size_t i, clv_error *err);

/* The beta marginal of the diagonal of Dirichlet row i of s (label NULL);
   kind DIST_FIXED at the mean when it is degenerate (an alpha of 0). */
clv_param scenario_dirichlet_diagonal(const clv_scenario *s, size_t i);

/* Pin the input `label` of s at its u-quantile: an assumption (by
   scenario_set_value), or the diagonal "switching.X.X" of a Dirichlet row
   (the row fixed at its mean first). A no-op when s lacks the label.
   Errors: scenario_pin_entry's, CLV_ERR_NOMEM. */
clv_status scenario_pin_input(clv_scenario *s, const char *label, double u, clv_error *err);

/* Remove the correlations of s that involve `label` (all when NULL). */
void scenario_drop_correlations(clv_scenario *s, const char *label);

/* Fix every per-replication assumption of leaf s (Dirichlet rows too) at
   its mean and drop its correlations, so only per-customer ones vary.
   Errors: scenario_set_value's, CLV_ERR_NOMEM. */
clv_status scenario_fix_outer_at_means(clv_scenario *s, clv_error *err);

/* ------------------------------------------------------------------ */
/* Validation (validate.c).                                            */

/* Re-check every rule after edits (as scenario_load does at the end). */
clv_status scenario_validate(const clv_scenario *s, clv_error *err);

#endif
