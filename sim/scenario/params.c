/*
 * params.c - scenario stage, after a load: find states and assumptions of
 * a loaded scenario (contract in scenario.h). scenario_params lists every
 * assumption in one fixed order, which model_values and the what-ifs rely
 * on: switching entries by row, retention, discount_rate,
 * purchases_per_period, margin, cost_per_period, referral_value,
 * acquisition_cost, spend_growth, offers (cost, margin_cut,
 * retention_uplift, win_from by state). scenario_param finds one by its
 * label; state names may hold dots, so "switching.I.J" tries the longest
 * state name I first.
 */
#include "scenario/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"

size_t scenario_state_index(const clv_scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->states[i], name) == 0)
			return i;
	return NOT_FOUND;
}

/* ------------------------------------------------------------------ */
/* Every assumption, in scenario_params order.                         */

/* Called per assumption; returns true to stop the walk. */
typedef bool (*visit_fn)(clv_param *p, void *ctx);

static bool visit_states(clv_scenario *s, visit_fn visit, void *ctx)
{
	size_t i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; !s->switching[i].dirichlet && j < s->n; j++)
			if (visit(&s->switching[i].p[j], ctx))
				return true;
	for (i = 0; i < s->n; i++)
		if (s->has_retention[i] && visit(&s->retention[i], ctx))
			return true;
	return false;
}

static bool visit_money(clv_scenario *s, visit_fn visit, void *ctx)
{
	clv_param *per_state[] = {s->margin, s->cost, s->referral};
	size_t i, k;

	for (k = 0; k < COUNT(per_state); k++)
		for (i = 0; i < s->n; i++)
			if (visit(&per_state[k][i], ctx))
				return true;
	return visit(&s->acquisition, ctx) || visit(&s->spend_growth, ctx);
}

static bool visit_offers(clv_scenario *s, visit_fn visit, void *ctx)
{
	size_t k, r;

	for (k = 0; k < s->n_offers; k++) {
		clv_offer *o = &s->offers[k];
		if (visit(&o->cost, ctx) || visit(&o->margin_cut, ctx) ||
		    visit(&o->retention_uplift, ctx))
			return true;
		for (r = 0; r < s->n; r++)
			if (visit(&o->win_from[r], ctx))
				return true;
	}
	return false;
}

/* The walk: switching entries by row, retention, discount_rate,
   purchases_per_period, margin, cost_per_period, referral_value,
   acquisition_cost, spend_growth, offers (cost, margin_cut,
   retention_uplift, win_from by state). */
static void walk(clv_scenario *s, visit_fn visit, void *ctx)
{
	if (visit_states(s, visit, ctx) || visit(&s->discount, ctx) ||
	    visit(&s->purchases, ctx) || visit_money(s, visit, ctx))
		return;
	visit_offers(s, visit, ctx);
}

typedef struct collect {
	clv_param **out;
	size_t cap, count;
} collect;

static bool collect_one(clv_param *p, void *ctx)
{
	collect *c = ctx;

	if (c->count < c->cap)
		c->out[c->count] = p;
	c->count++;
	return false;
}

size_t scenario_params(clv_scenario *s, clv_param **out, size_t cap)
{
	collect c = {out, cap, 0};

	walk(s, collect_one, &c);
	return c.count;
}

clv_param **scenario_params_alloc(clv_scenario *s, size_t *count)
{
	clv_param **params;

	*count = scenario_params(s, NULL, 0);
	params = calloc(*count + 1, sizeof *params);
	if (params != NULL)
		scenario_params(s, params, *count);
	return params;
}

/* Labels of every assumption, for "did you mean" (NULL on no memory). */
const char **params_labels_alloc(clv_scenario *s, size_t *n)
{
	size_t k, count;
	clv_param **params = scenario_params_alloc(s, &count);
	const char **labels = calloc(count + 1, sizeof *labels);

	if (params == NULL || labels == NULL) {
		free(params);
		free(labels);
		return NULL;
	}
	for (k = 0; k < count; k++)
		labels[k] = params[k]->label;
	free(params);
	*n = count;
	return labels;
}
typedef struct match {
	const char *label;
	clv_param *found;
} match;

static bool match_one(clv_param *p, void *ctx)
{
	match *m = ctx;

	if (p->label == NULL || strcmp(p->label, m->label) != 0)
		return false;
	m->found = p;
	return true;
}

/* "switching.I.J", trying the longest state name I first, since names may
   hold dots. */
static clv_param *switching_param(clv_scenario *s, const char *label)
{
	static const char prefix[] = "switching.";
	const char *rest = label + sizeof prefix - 1;
	clv_param *best = NULL;
	size_t i, j, best_len = 0;

	if (strncmp(label, prefix, sizeof prefix - 1) != 0)
		return NULL;
	for (i = 0; i < s->n; i++) {
		size_t len = strlen(s->states[i]);
		if (s->switching[i].dirichlet || strncmp(rest, s->states[i], len) != 0 ||
		    rest[len] != '.' || (best != NULL && len <= best_len))
			continue;
		j = scenario_state_index(s, rest + len + 1);
		if (j == NOT_FOUND)
			continue;
		best = &s->switching[i].p[j];
		best_len = len;
	}
	return best;
}

clv_param *scenario_param(clv_scenario *s, const char *label)
{
	match m = {label, NULL};

	if (strncmp(label, "switching.", 10) == 0)
		return switching_param(s, label);
	walk(s, match_one, &m);
	return m.found;
}
