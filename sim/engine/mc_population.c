/*
 * mc_population.c - stage engine: a Monte Carlo run's population
 * (mc_population.h): segments, the outer design (engine/outer.h: columns
 * keyed by the identity of their assumptions, so an added assumption does
 * not move the draws of the others), customers split by weight, the
 * walked periods.
 */
#include "engine/mc_population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/chain.h"
#include "scenario/scenario.h"

void mc_population_free(population *pop)
{
	size_t k;

	if (pop->seg == NULL)
		return;
	for (k = 0; k < pop->n_seg; k++) {
		model_values_free(pop->seg[k].means);
		model_free(pop->seg[k].mean_model);
		free(pop->seg[k].drawn);
	}
	free(pop->seg);
	outer_design_clear(&pop->outer);
	pop->seg = NULL;
}

static clv_status segment_init(segment *sg, clv_scenario *s, clv_error *err)
{
	size_t k;

	sg->s = s;
	sg->means = model_values_at_means(s, err);
	if (sg->means == NULL)
		return err->status;
	sg->drawn = calloc(sg->means->n_params + 1, sizeof *sg->drawn);
	if (sg->drawn == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < sg->means->n_params; k++) {
		const clv_param *p = sg->means->params[k];
		if (dist_is_uncertain(p) && p->per == PER_CUSTOMER) {
			sg->hetero = true;
			sg->drawn[sg->n_drawn++] = k;
			sg->parts |= model_param_parts(s, p);
		}
	}
	sg->refill = (sg->parts & MODEL_PART_ROWS ? CHAIN_FILL_ROWS : 0u) |
	             (sg->parts & MODEL_PART_MONEY ? CHAIN_FILL_MONEY : 0u) |
	             (sg->parts & MODEL_PART_TIME ? CHAIN_FILL_TIME : 0u);
	sg->mean_model = model_create(s->n);
	if (sg->mean_model == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return model_build(s, sg->means, sg->mean_model, err);
}

/* Customers per segment by largest remainder of customers * weight. */
static void split_customers(population *pop, const clv_scenario *s, uint64_t customers)
{
	uint64_t given = 0, first = 0;
	size_t k;

	for (k = 0; k < pop->n_seg; k++) {
		double w = s->n_segments ? s->segment_weight[k] : 1.0;
		pop->seg[k].count = (uint64_t)floor(w * (double)customers);
		given += pop->seg[k].count;
	}
	for (k = 0; given < customers; k = (k + 1) % pop->n_seg, given++)
		pop->seg[k].count++;
	for (k = 0; k < pop->n_seg; k++) {
		pop->seg[k].first = first;
		first += pop->seg[k].count;
	}
}

/* The periods an infinite horizon is walked, from *p = what the mean
   model needs: twice that when the rate or growth is drawn, and at least
   what the lowest rate and highest
   growth that can be drawn need (scenario_walk_periods), so no draw is
   cut short; refused (never truncated) beyond CLV_MAX_HORIZON, e.g. after
   a sweep set a rate the loader never saw. */
static clv_status infinite_walk(const clv_scenario *s, long *p, clv_error *err)
{
	double worst = scenario_walk_periods(s);

	if (scenario_check_reach(s, err) != CLV_OK)
		return err->status;
	if (dist_is_uncertain(&s->discount) || dist_is_uncertain(&s->spend_growth))
		*p = *p * 2 < CLV_MAX_HORIZON ? *p * 2 : CLV_MAX_HORIZON;
	if (worst > (double)*p)
		*p = (long)worst;
	return CLV_OK;
}

clv_status mc_population_init(population *pop, clv_scenario *s, uint64_t customers,
                              clv_error *err)
{
	size_t k;
	clv_status rc = CLV_OK;

	memset(pop, 0, sizeof *pop);
	pop->n = s->n;
	pop->n_seg = s->n_segments ? s->n_segments : 1;
	pop->seg = calloc(pop->n_seg, sizeof *pop->seg);
	if (pop->seg == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < pop->n_seg && rc == CLV_OK; k++)
		rc = segment_init(&pop->seg[k], s->n_segments ? s->segments[k] : s, err);
	if (rc == CLV_OK) {
		const model_values *means[CLV_MAX_SEGMENTS];
		for (k = 0; k < pop->n_seg; k++)
			means[k] = pop->seg[k].means;
		rc = outer_design_init(&pop->outer, s, means, err);
	}
	for (k = 0; k < pop->n_seg && rc == CLV_OK; k++)
		pop->seg[k].outer = &pop->outer.part[k];
	pop->n_cols = pop->outer.n_cols;
	split_customers(pop, s, customers);
	/* Infinite horizons: as far as the truncation error at the means
	   allows (chain_periods); twice as far when the discount rate or the
	   growth is drawn, and at least what their extremes need (each
	   replication's own bound is reported: mc_result.truncation_bound) */
	for (k = 0; k < pop->n_seg && rc == CLV_OK; k++) {
		long p = chain_periods(pop->seg[k].mean_model);
		if (s->infinite)
			rc = infinite_walk(pop->seg[k].s, &p, err);
		if (p > pop->periods)
			pop->periods = p;
	}
	return rc;
}
