/*
 * mc_exact.c - stage engine: a replication's exact figures given its draws
 * (contract in mc_exact.h).
 */
#include "engine/mc_exact.h"

#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/expect.h"
#include "scenario/scenario.h"

struct mc_exact {
	size_t n, n_pop;
	long rows;
	expect_plan *plan[CLV_MAX_SEGMENTS];
	double weight[CLV_MAX_SEGMENTS];
};

/* *rep: something drawn per replication; returns false when something is
   drawn per customer. */
static bool scan(clv_scenario *s, bool *rep)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool ok = params != NULL;

	for (k = 0; ok && k < n_params; k++) {
		ok = !(dist_is_uncertain(params[k]) && params[k]->per == PER_CUSTOMER);
		*rep = *rep || dist_is_per_replication(params[k]);
	}
	for (k = 0; k < s->n; k++)
		*rep = *rep || s->switching[k].dirichlet;
	for (k = 0; ok && k < s->n_segments; k++)
		ok = scan(s->segments[k], rep);
	free(params);
	return ok;
}

mc_draws mc_exact_draws(clv_scenario *s)
{
	bool rep = false;

	if (!scan(s, &rep))
		return MC_DRAWS_CUSTOMER; /* an allocation failure counts as one: simulate */
	return rep ? MC_DRAWS_REPLICATION : MC_DRAWS_NONE;
}

bool mc_exact_applies(clv_scenario *s)
{
	return mc_exact_draws(s) == MC_DRAWS_REPLICATION;
}

void mc_exact_free(mc_exact *e)
{
	size_t k;

	if (e == NULL)
		return;
	for (k = 0; k < e->n_pop; k++)
		expect_plan_free(e->plan[k]);
	free(e);
}

mc_exact *mc_exact_create(clv_scenario *s, long share_rows, clv_error *err)
{
	mc_exact *e = calloc(1, sizeof *e);
	size_t k;

	if (e == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	e->n = s->n;
	e->rows = share_rows;
	e->n_pop = s->n_segments ? s->n_segments : 1;
	for (k = 0; k < e->n_pop; k++) {
		e->weight[k] = s->n_segments ? s->segment_weight[k] : 1.0;
		e->plan[k] = expect_plan_create(s->n_segments ? s->segments[k] : s, EXPECT_SCOPE_CUSTOMER,
		                                share_rows, 0, err);
		if (e->plan[k] == NULL) {
			mc_exact_free(e);
			return NULL;
		}
	}
	return e;
}

clv_status mc_exact_replication(const mc_exact *e, const model_values *const *values, double *clv,
                                double *share, clv_error *err)
{
	size_t k, i, n = e->n, cells;

	memset(clv, 0, (n + 1) * sizeof *clv);
	for (k = 0; k < e->n_pop; k++) {
		exact_result *r = expect_plan_run(e->plan[k], values[k], err);
		if (r == NULL)
			return err->status;
		cells = (size_t)(r->periods + 1) * n;
		if (r->periods < e->rows) { /* a finite horizon shorter than asked: its rows */
			exact_free(r);
			return diag_set(err, CLV_ERR_INPUT, NULL, "share rows differ between segments");
		}
		if (k == 0)
			memset(share, 0, (size_t)(e->rows + 1) * n * sizeof *share);
		for (i = 0; i <= n; i++)
			clv[i] += e->weight[k] * r->clv[i];
		for (i = 0; i < (size_t)(e->rows + 1) * n && i < cells; i++)
			share[i] += e->weight[k] * r->share[i];
		exact_free(r);
	}
	return CLV_OK;
}
