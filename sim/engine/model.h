/*
 * model.h - from assumptions to numbers: build the clv_model of one
 * replication (or of one customer) from a clv_scenario and the values its
 * assumptions take.
 *
 * Rules applied, in this order (docs/scenarios.md documents them):
 *  1. switching rows: a Dirichlet row takes its draw; in a row with
 *     uncertain entries, the drawn entries are kept and the row's fixed
 *     entries rescaled proportionally to take up the rest;
 *  2. retention shorthand: P[i][i] = v, the rest of row i rescaled by
 *     (1 - v) / (1 - old P[i][i]);
 *  3. discount: an annual rate d becomes (1 + d)^(1/k) - 1 per period, k =
 *     periods per year;
 *  4. referral_value enters as a negative cost per period;
 *  5. offers build the second phase (P_offer, margin_offer, cost_offer,
 *     offer_cost): retention_uplift and win_from move probability towards
 *     the brand by the retention rule, margin_cut scales the brand's
 *     margin, and the offers' cost per targeted customer and period goes
 *     into offer_cost (never into a state's own cost: it is reported as
 *     offer spend, beside the states' CLV).
 */
#ifndef CLV_MODEL_H
#define CLV_MODEL_H

#include "clvsim.h"
#include "base/diag.h"

/* A model for n states with every array allocated (zeroed), or NULL. */
clv_model *model_create(size_t n);
void model_free(clv_model *m);

/* Copy src into dst (same n). */
void model_copy(clv_model *dst, const clv_model *src);

/* The values every assumption takes, for model_build. param[k] is the
   value of the k-th assumption in scenario_params order; dirichlet[i * n +
   j] is row i's draw where row i is a Dirichlet row. */
typedef struct model_values {
	size_t n_params;
	double *param;      /* n_params (owned) */
	clv_param **params; /* n_params, borrowed from the scenario */
	double *dirichlet;  /* n * n (owned) */
} model_values;

/* Values for s at the assumptions' means. NULL on allocation failure. */
model_values *model_values_at_means(clv_scenario *s, clv_error *err);
void model_values_free(model_values *v);

/* A copy of v, whose scenario has n states (model_values_free it); the
   params pointers are shared (borrowed from the scenario). NULL when out
   of memory. */
model_values *model_values_copy(const model_values *v, size_t n);

/* Build m from s and v. Fails (CLV_ERR_INPUT) when the values make an
   impossible model, e.g. drawn entries of a row summing above 1. */
clv_status model_build(const clv_scenario *s, const model_values *v, clv_model *m,
                       clv_error *err);

/* Rebuild only the given parts (MODEL_PART_* bits) of m from v: m holds
   the model of s for values that differ from v only in assumptions of
   those parts (e.g. a replication's model, for a customer's own draws).
   The offers' phase is rebuilt with them; MODEL_PART_TIME (or any part
   not known here) rebuilds everything (model_build). Errors as
   model_build; m is then left half-rebuilt (copy the replication's model
   back). */
clv_status model_rebuild(const clv_scenario *s, const model_values *v, clv_model *m,
                         unsigned parts, clv_error *err);

/* The rows a customer's own draws decide, rebuilt alone: for customers
   whose own assumptions (drawn per customer) are all switching entries,
   retentions, offers' retention uplifts and wins, or the acquisition
   cost. Built once from the places of those assumptions' values in a
   model_values (every value is then found without a search); each
   rebuild makes exactly the rows model_build makes from the same values
   (the same operations in the same order: the same bits), and only
   those: row i of P when one of its entries or its retention is the
   customer's own, row i of P_offer when row i of P is or an offer's
   uplift (i its brand) or win from i is. */
typedef struct model_rows_plan model_rows_plan;

/* The plan for s's values laid out as v (model_values_at_means of s)
   when the assumptions own[0 .. n_own - 1] (indices in v) are a
   customer's own; NULL when one of them decides anything but the rows
   and the acquisition cost, or out of memory (err says which: then
   CLV_ERR_NOMEM). */
model_rows_plan *model_rows_plan_create(const clv_scenario *s, const model_values *v,
                                        const size_t *own, size_t n_own, clv_error *err);
void model_rows_plan_free(model_rows_plan *pl);

/* Whether the plan rebuilds row i of P (phase 0) or of P_offer (1). */
bool model_rows_plan_has(const model_rows_plan *pl, int phase, size_t i);

/* Rebuild from v the plan's rows: row i of P into P + i n, of P_offer
   into P_offer + i n (both n x n; other rows untouched), and the
   acquisition cost into *acquisition (v's value). CLV_OK, or
   CLV_ERR_INPUT (no message) when model_build would refuse v: an
   impossible draw. */
clv_status model_rows_rebuild(const model_rows_plan *pl, const model_values *v, double *P,
                              double *P_offer, double *acquisition);

/* The model at the assumptions' means: model_values_at_means + model_build.
   Returns NULL with err set on failure. */
clv_model *model_at_means(clv_scenario *s, clv_error *err);

/* The parts of a model an assumption decides: the switching rows
   (switching entries, retention, offer uplifts and wins), the money
   (margins, costs, referrals, offer costs and margin cuts) or the time
   structure (discount rate, spend growth, purchases; anything not known
   here). The acquisition cost decides none of them (0). */
enum { MODEL_PART_ROWS = 1u, MODEL_PART_MONEY = 2u, MODEL_PART_TIME = 4u };
unsigned model_param_parts(const clv_scenario *s, const clv_param *p);

/* True when any assumption of s (or of its segments) is uncertain. */
bool model_is_uncertain(clv_scenario *s);

#endif
