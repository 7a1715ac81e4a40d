/*
 * expect_draws.c - stage engine: each replication's expected CLV given
 * its per-replication draws (contract in expect_draws.h).
 *
 * Per population (a customer tier, or the scenario without tiers): its
 * values at the means, overwritten by the replication's draws through
 * outer_part_draw (the Monte Carlo engine's own quantile transforms), then
 * expect_plan_run of a customer-scope plan (per-customer assumptions
 * integrated by quadrature; Poisson counts by the exact engine itself).
 * The populations' figures are mixed by their fixed weights in tier
 * order, so a replication's figure is a fixed sequence of operations:
 * the same bits whatever the thread that computes it.
 */
#include "engine/expect_draws.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "engine/expect.h"
#include "engine/model.h"
#include "engine/outer.h"

struct expect_draws {
	clv_scenario *s;
	size_t n, n_pop;
	uint64_t reps;
	double weight[CLV_MAX_SEGMENTS];
	model_values *means[CLV_MAX_SEGMENTS];
	expect_plan *plan[CLV_MAX_SEGMENTS];
	outer_design design;
	double *u;          /* reps x design.n_cols */
	bool own_u;         /* false: borrowed from the object rebound */
};

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the replications' draws");
}

void expect_draws_free(expect_draws *d)
{
	size_t k;

	if (d == NULL)
		return;
	for (k = 0; k < d->n_pop; k++) {
		expect_plan_free(d->plan[k]);
		model_values_free(d->means[k]);
	}
	outer_design_clear(&d->design);
	if (d->own_u)
		free(d->u);
	free(d);
}

/* The populations, their values at the means, plans and design columns. */
static expect_draws *draws_init(clv_scenario *s, uint64_t reps, clv_error *err)
{
	expect_draws *d = calloc(1, sizeof *d);
	clv_status rc = CLV_OK;
	size_t k;

	if (d == NULL) {
		nomem(err);
		return NULL;
	}
	d->s = s;
	d->n = s->n;
	d->reps = reps;
	d->n_pop = s->n_segments ? s->n_segments : 1;
	for (k = 0; k < d->n_pop && rc == CLV_OK; k++) {
		clv_scenario *pop = s->n_segments ? s->segments[k] : s;
		d->weight[k] = s->n_segments ? s->segment_weight[k] : 1.0;
		if ((d->means[k] = model_values_at_means(pop, err)) == NULL ||
		    (d->plan[k] = expect_plan_create(pop, EXPECT_SCOPE_CUSTOMER, 0, 0, err)) == NULL)
			rc = err->status;
	}
	if (rc == CLV_OK)
		rc = outer_design_init(&d->design, s, (const model_values *const *)d->means, err);
	if (rc != CLV_OK) {
		expect_draws_free(d);
		return NULL;
	}
	return d;
}

expect_draws *expect_draws_create(clv_scenario *s, uint64_t reps, sample_method method,
                                  uint64_t seed, clv_error *err)
{
	expect_draws *d = draws_init(s, reps, err);

	if (d == NULL)
		return NULL;
	d->own_u = true;
	d->u = malloc(((size_t)reps * d->design.n_cols + 1) * sizeof *d->u);
	if (d->u == NULL) {
		nomem(err);
		expect_draws_free(d);
		return NULL;
	}
	if (outer_design_sample(&d->design, reps, method, seed, d->u, err) != CLV_OK) {
		expect_draws_free(d);
		return NULL;
	}
	return d;
}

expect_draws *expect_draws_rebind(const expect_draws *like, clv_scenario *s, clv_error *err)
{
	expect_draws *d = draws_init(s, like->reps, err);
	size_t j;
	bool same;

	if (d == NULL)
		return NULL;
	same = d->design.n_cols == like->design.n_cols;
	for (j = 0; same && j < d->design.n_cols; j++)
		same = d->design.col_key[j] == like->design.col_key[j] &&
		       strcmp(d->design.col_name[j], like->design.col_name[j]) == 0;
	if (!same) {
		diag_set(err, CLV_ERR_INPUT, NULL, "the edited scenario \"%s\" draws other assumptions "
		         "per replication than the one it was derived from", s->name);
		expect_draws_free(d);
		return NULL;
	}
	d->u = like->u;
	d->own_u = false;
	return d;
}

uint64_t expect_draws_reps(const expect_draws *d)
{
	return d->reps;
}

size_t expect_draws_states(const expect_draws *d)
{
	return d->n;
}

size_t expect_draws_cols(const expect_draws *d)
{
	return d->design.n_cols;
}

const char *expect_draws_col_name(const expect_draws *d, size_t j)
{
	return d->design.col_name[j];
}

/* Population k's values in replication r (model_values_free it). */
static model_values *values_of(const expect_draws *d, size_t k, uint64_t r)
{
	model_values *v = model_values_copy(d->means[k], d->n);

	if (v != NULL && d->design.n_cols > 0)
		outer_part_draw(&d->design.part[k], d->u + (size_t)r * d->design.n_cols, v);
	return v;
}

clv_status expect_draws_clv(const expect_draws *d, uint64_t r, double *clv, clv_error *err)
{
	size_t k, i;

	memset(clv, 0, (d->n + 1) * sizeof *clv);
	for (k = 0; k < d->n_pop; k++) {
		model_values *v = values_of(d, k, r);
		exact_result *part = v != NULL ? expect_plan_run(d->plan[k], v, err) : NULL;
		if (v == NULL)
			nomem(err);
		model_values_free(v);
		if (part == NULL)
			return err->status;
		for (i = 0; i <= d->n; i++)
			clv[i] += d->weight[k] * part->clv[i];
		exact_free(part);
	}
	return CLV_OK;
}

clv_status expect_draws_all(const expect_draws *d, int threads, double *clv, clv_error *err)
{
	long long r, reps = (long long)d->reps;
	clv_status *st = calloc((size_t)reps + 1, sizeof *st);
#ifdef _OPENMP
	int nt = threads > 0 ? threads : omp_get_max_threads();
#endif

	if (st == NULL)
		return nomem(err);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 8) num_threads(nt)
#endif
	for (r = 0; r < reps; r++) {
		clv_error local = {0};
		st[r] = expect_draws_clv(d, (uint64_t)r, clv + (size_t)r * (d->n + 1), &local);
	}
	for (r = 0; r < reps && st[r] == CLV_OK; r++)
		;
	free(st);
	if (r < reps) /* the first failure again, for its message */
		return expect_draws_clv(d, (uint64_t)r, clv + (size_t)r * (d->n + 1), err);
	return CLV_OK;
}

void expect_draws_inputs(const expect_draws *d, uint64_t r, double *row)
{
	size_t k;

	for (k = 0; k < d->n_pop && d->design.n_cols > 0; k++) {
		model_values *v = values_of(d, k, r);
		if (v != NULL)
			outer_part_record(&d->design.part[k], v, row);
		model_values_free(v);
	}
}
