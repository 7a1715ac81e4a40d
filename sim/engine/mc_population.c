/*
 * mc_population.c - stage engine: a Monte Carlo run's population
 * (mc_population.h): segments, the outer design's columns keyed by the
 * identity of their assumptions (so an added assumption does not move the
 * draws of the others), customers split by weight, the walked periods.
 */
#include "engine/mc_population.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/rng.h"
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
		free(pop->seg[k].col);
		free(pop->seg[k].key);
	}
	free(pop->seg);
	free(pop->col_key);
	if (pop->col_name)
		for (k = 0; k < pop->n_cols; k++)
			free(pop->col_name[k]);
	free(pop->col_name);
	pop->seg = NULL;
}

/* The key of identity `name` in segment `prefix` ("" without segments). */
static uint64_t identity_key(const char *prefix, const char *name)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s%s", prefix, name ? name : "");
	return rng_key(buf);
}

/* Column col of the design: its key and its name. */
static int name_column(population *pop, size_t col, const char *prefix, const char *name)
{
	pop->col_key[col] = identity_key(prefix, name);
	pop->col_name[col] = diag_strdupf("%s%s", prefix, name ? name : "");
	return pop->col_name[col] == NULL ? -1 : 0;
}

static clv_status segment_init(segment *sg, clv_scenario *s, const char *prefix, size_t col0,
                               clv_error *err)
{
	size_t k, i, col = col0;

	sg->s = s;
	sg->col0 = col0;
	sg->means = model_values_at_means(s, err);
	if (sg->means == NULL)
		return err->status;
	sg->col = malloc((sg->means->n_params + 1) * sizeof *sg->col);
	sg->key = malloc((sg->means->n_params + 1) * sizeof *sg->key);
	if (sg->col == NULL || sg->key == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < sg->means->n_params; k++)
		sg->key[k] = identity_key(prefix, sg->means->params[k]->label);
	for (k = 0; k < sg->means->n_params; k++) {
		const clv_param *p = sg->means->params[k];
		sg->col[k] = dist_is_per_replication(p) ? col++ : SIZE_MAX;
		if (dist_is_uncertain(p) && p->per == PER_CUSTOMER)
			sg->hetero = true;
	}
	sg->dir_col = col;
	for (i = 0; i < s->n; i++)
		if (s->switching[i].dirichlet)
			col += s->n;
	sg->n_cols = col - col0;
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

/* pop->col_key: each design column keyed by its assumption's identity
   (a Dirichlet row's columns by their entries, "switching.A.B"). */
static clv_status column_keys(population *pop, const clv_scenario *s, clv_error *err)
{
	size_t k, j, i, col;

	int bad = 0;

	pop->col_key = malloc((pop->n_cols + 1) * sizeof *pop->col_key);
	pop->col_name = calloc(pop->n_cols + 1, sizeof *pop->col_name);
	if (pop->col_key == NULL || pop->col_name == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < pop->n_seg; k++) {
		const segment *sg = &pop->seg[k];
		const clv_scenario *ss = sg->s;
		char prefix[256] = "", name[512];
		if (s->n_segments)
			snprintf(prefix, sizeof prefix, "segments.%s.", s->segment_name[k]);
		for (j = 0; j < sg->means->n_params; j++)
			if (sg->col[j] != SIZE_MAX)
				bad |= name_column(pop, sg->col[j], prefix, sg->means->params[j]->label);
		col = sg->dir_col;
		for (i = 0; i < ss->n; i++) {
			if (!ss->switching[i].dirichlet)
				continue;
			for (j = 0; j < ss->n; j++) {
				snprintf(name, sizeof name, "switching.%s.%s", ss->states[i], ss->states[j]);
				bad |= name_column(pop, col++, prefix, name);
			}
		}
	}
	return bad ? diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory") : CLV_OK;
}

/* The periods an infinite horizon is walked, from *p = what the mean
   model needs: twice that, and at least what the lowest rate and highest
   growth that can be drawn need (scenario_walk_periods), so no draw is
   cut short; refused (never truncated) beyond CLV_MAX_HORIZON, e.g. after
   a sweep set a rate the loader never saw. */
static clv_status infinite_walk(const clv_scenario *s, long *p, clv_error *err)
{
	double worst = scenario_walk_periods(s);

	if (scenario_check_reach(s, err) != CLV_OK)
		return err->status;
	*p = *p * 2 < CLV_MAX_HORIZON ? *p * 2 : CLV_MAX_HORIZON;
	if (worst > (double)*p)
		*p = (long)worst;
	return CLV_OK;
}

clv_status mc_population_init(population *pop, clv_scenario *s, uint64_t customers,
                              clv_error *err)
{
	size_t k, col = 0;
	clv_status rc = CLV_OK;

	memset(pop, 0, sizeof *pop);
	pop->n = s->n;
	pop->n_seg = s->n_segments ? s->n_segments : 1;
	pop->seg = calloc(pop->n_seg, sizeof *pop->seg);
	if (pop->seg == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < pop->n_seg && rc == CLV_OK; k++) {
		char prefix[256] = "";
		if (s->n_segments)
			snprintf(prefix, sizeof prefix, "segments.%s.", s->segment_name[k]);
		rc = segment_init(&pop->seg[k], s->n_segments ? s->segments[k] : s, prefix, col, err);
		col += pop->seg[k].n_cols;
	}
	pop->n_cols = col;
	if (rc == CLV_OK)
		rc = column_keys(pop, s, err);
	split_customers(pop, s, customers);
	for (k = 0; k < pop->n_seg && rc == CLV_OK; k++) {
		long p = chain_periods(pop->seg[k].mean_model);
		if (s->infinite)
			rc = infinite_walk(pop->seg[k].s, &p, err);
		if (p > pop->periods)
			pop->periods = p;
	}
	return rc;
}

