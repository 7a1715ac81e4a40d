/*
 * scenario.h - scenario files: load a YAML file into a clv_scenario,
 * validate every rule, and edit loaded scenarios (sweeps, what-ifs).
 *
 * The format, every key with its default and unit, is documented in
 * docs/scenarios.md. Loading never renormalises, never guesses: anything
 * wrong is an error naming FILE:LINE:COLUMN and the rule broken.
 */
#ifndef CLV_SCENARIO_H
#define CLV_SCENARIO_H

#include "clvsim.h"
#include "base/diag.h"

/* Load and validate the scenario in `path` (following `base:` chains,
   relative to the including file's folder). Returns NULL with err set
   (CLV_ERR_INPUT for bad content, CLV_ERR_IO when unreadable, CLV_ERR_LIMIT
   for sizes over the limits in clvsim.h). */
clv_scenario *scenario_load(const char *path, clv_error *err);

/* Same, from a buffer; `path` names it in messages and resolves `base:`. */
clv_scenario *scenario_load_buffer(const char *path, const char *text, size_t len,
                                   clv_error *err);

void scenario_free(clv_scenario *s);

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

/* Re-check every rule after edits (as scenario_load does at the end). */
clv_status scenario_validate(const clv_scenario *s, clv_error *err);

#endif
