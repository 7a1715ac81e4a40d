/*
 * breakdown.c - stage engine: each tier's expectation, the Monte Carlo
 * value by starting state, the equity in each replication's world
 * (contract in breakdown.h).
 *
 * The equity of replication r: its assumptions as drawn (recorded in
 * rep_input, loaded back through the outer design, engine/outer.h), each
 * tier's customer base valued by the exact engine with the per-customer
 * assumptions integrated (quadrature, expect.h), the tiers mixed by their
 * weights, and acquired_per_period M_r = quantile(u_r) with u_r from the
 * stream (seed, key of "customer_base.acquired_per_period", r): since the
 * equity is linear in M, equity_r = equity at mean M + (M_r - mean) x
 * cohorts. Its mean over R replications estimates exact.equity.total
 * with se = sd / sqrt(R) (replications are independent), and its spread
 * is how much the base's value moves between possible worlds.
 */
#include "engine/breakdown.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/rng.h"
#include "engine/outer.h"
#include "scenario/scenario.h"

breakdown *breakdown_create(clv_error *err)
{
	breakdown *b = calloc(1, sizeof *b);

	if (b == NULL)
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return b;
}

void breakdown_free(breakdown *b)
{
	size_t k;

	if (b == NULL)
		return;
	for (k = 0; k < b->n_segments; k++) {
		expect_free(b->segment ? b->segment[k] : NULL);
		exact_free(b->segment_at_means ? b->segment_at_means[k] : NULL);
	}
	for (k = 0; k < b->n_starts; k++)
		mc_free(b->by_start[k]);
	free(b->segment);
	free(b->segment_at_means);
	free(b->by_start);
	free(b->equity);
	free(b->acquired);
	free(b);
}

clv_status breakdown_segments(breakdown *b, clv_scenario *s, long share_periods,
                              const expect_options *opt, clv_error *err)
{
	size_t k;

	if (s->n_segments == 0)
		return CLV_OK;
	b->segment = calloc(s->n_segments, sizeof *b->segment);
	b->segment_at_means = calloc(s->n_segments, sizeof *b->segment_at_means);
	if (b->segment == NULL || b->segment_at_means == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	b->n_segments = s->n_segments;
	for (k = 0; k < s->n_segments; k++) {
		b->segment[k] = expect_with_means(s->segments[k], share_periods, opt,
		                                  &b->segment_at_means[k], err);
		if (b->segment[k] == NULL)
			return err->status;
	}
	return CLV_OK;
}

clv_status breakdown_by_start(breakdown *b, const clv_scenario *s, const mc_config *cfg,
                              clv_error *err)
{
	size_t i;

	b->by_start = calloc(s->n, sizeof *b->by_start);
	if (b->by_start == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i < s->n; i++) {
		clv_scenario *c = scenario_copy(s, err);
		if (c == NULL)
			return err->status;
		scenario_start_in(c, i);
		b->by_start[i] = mc_run(c, cfg, err);
		scenario_free(c);
		if (b->by_start[i] == NULL)
			return err->status;
		b->n_starts = i + 1;
	}
	return CLV_OK;
}

/* ---- equity per replication ------------------------------------------------ */

/* What the replications' worlds need: per tier its plan and scratch. */
typedef struct worlds {
	size_t n_tiers;
	clv_scenario *tier[CLV_MAX_SEGMENTS];
	double weight[CLV_MAX_SEGMENTS];
	model_values *means[CLV_MAX_SEGMENTS];
	model_values *values[CLV_MAX_SEGMENTS];
	expect_plan *plan[CLV_MAX_SEGMENTS];
	outer_design design;
} worlds;

static void worlds_free(worlds *w)
{
	size_t k;

	for (k = 0; k < w->n_tiers; k++) {
		model_values_free(w->means[k]);
		model_values_free(w->values[k]);
		expect_plan_free(w->plan[k]);
	}
	outer_design_clear(&w->design);
}

static clv_status worlds_init(worlds *w, clv_scenario *s, const mc_result *r, long share_periods,
                              clv_error *err)
{
	size_t k;

	memset(w, 0, sizeof *w);
	w->n_tiers = scenario_n_leaves(s);
	for (k = 0; k < w->n_tiers; k++) {
		w->tier[k] = scenario_leaf(s, k);
		w->weight[k] = s->n_segments ? s->segment_weight[k] : 1.0;
		if ((w->means[k] = model_values_at_means(w->tier[k], err)) == NULL ||
		    (w->values[k] = model_values_at_means(w->tier[k], err)) == NULL ||
		    (w->plan[k] = expect_plan_create(w->tier[k], EXPECT_SCOPE_CUSTOMER, share_periods, 0,
		                                     err)) == NULL)
			return err->status;
	}
	if (outer_design_init(&w->design, s, (const model_values *const *)w->means, err) != CLV_OK)
		return err->status;
	if (w->design.n_cols != r->n_inputs)
		return diag_set(err, CLV_ERR_INPUT, NULL, "equity: the run drew %zu assumptions per "
		                "replication, the scenario has %zu", r->n_inputs, w->design.n_cols);
	return CLV_OK;
}

/* Replication rep's equity at the mean of M and its cohorts' part. */
static clv_status world_equity(worlds *w, const mc_result *r, uint64_t rep, double *equity,
                               double *cohort, clv_error *err)
{
	size_t k, n = r->n;

	*equity = *cohort = 0.0;
	for (k = 0; k < w->n_tiers; k++) {
		exact_result *x;
		memcpy(w->values[k]->param, w->means[k]->param,
		       w->means[k]->n_params * sizeof *w->means[k]->param);
		outer_part_apply(&w->design.part[k], r->rep_input + (size_t)rep * r->n_inputs,
		                w->values[k]);
		if ((x = expect_plan_run(w->plan[k], w->values[k], err)) == NULL)
			return err->status;
		*equity += w->weight[k] * x->equity[n];
		*cohort += w->weight[k] * x->cohort[n];
		exact_free(x);
	}
	return CLV_OK;
}

/* Replication rep's draw of acquired_per_period (its mean when fixed or
   given as a list). */
static double acquired_draw(const clv_base *base, uint64_t seed, uint64_t rep)
{
	rng_pcg32 g;

	if (base->acquired_list != NULL || !dist_is_uncertain(&base->acquired))
		return base->acquired_list != NULL ? 1.0 : dist_mean(&base->acquired);
	rng_keyed_stream(&g, seed, rng_key("customer_base.acquired_per_period"), rep, UINT64_MAX);
	return dist_quantile(&base->acquired, rng_uniform(&g));
}

clv_status breakdown_equity(breakdown *b, clv_scenario *s, const mc_result *r,
                            long share_periods, clv_error *err)
{
	uint64_t rep, R = r->replications;
	double *sorted = NULL;
	worlds w;
	clv_status rc;

	if (!s->base.given)
		return CLV_OK;
	b->equity = calloc((size_t)R + 1, sizeof *b->equity);
	b->acquired = calloc((size_t)R + 1, sizeof *b->acquired);
	sorted = malloc(((size_t)R + 1) * sizeof *sorted);
	if (b->equity == NULL || b->acquired == NULL || sorted == NULL) {
		free(sorted);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	}
	rc = worlds_init(&w, s, r, share_periods, err);
	for (rep = 0; rep < R && rc == CLV_OK; rep++) {
		double equity, cohort, mean = s->base.acquired_list ? 1.0 : dist_mean(&s->base.acquired);
		rc = world_equity(&w, r, rep, &equity, &cohort, err);
		b->acquired[rep] = acquired_draw(&s->base, r->seed, rep);
		b->equity[rep] = equity + (b->acquired[rep] - mean) * cohort;
	}
	worlds_free(&w);
	if (rc == CLV_OK) {
		b->replications = R;
		memcpy(sorted, b->equity, (size_t)R * sizeof *sorted);
		stats_summary_from_array(&b->equity_mc, sorted, (size_t)R);
		b->equity_df = (double)R - 1.0;
	}
	free(sorted);
	return rc;
}
