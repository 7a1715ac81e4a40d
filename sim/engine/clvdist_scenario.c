/*
 * clvdist_scenario.c - stage engine: the exact CLV distribution of a whole
 * scenario (contract in clvdist.h): its segments mixed by their fixed
 * weights, and its per-replication draws (a run's own, or drawn here as
 * expect_scenario draws them) mixed with weight 1 / R each; the grid as
 * fine as the work budget allows.
 *
 * Why a mixture over the draws: the customers of replication r walk the
 * chain of r's draws, so the CLV of a customer picked from all R x C of a
 * run is distributed as the mixture of the R chains' distributions -
 * exactly what the Monte Carlo percentiles "across customers" estimate,
 * here without the inner noise. (Its mean is the average over the draws
 * of the exact CLV, not the expectation over the assumptions' own
 * distribution: that is expect.h's.)
 *
 * Per-customer assumptions are not covered: a customer's own draws make
 * its chain, and the mixture over a continuum of chains is not a finite
 * programme; the report says so and the Monte Carlo percentiles stand
 * alone.
 */
#include "engine/clvdist.h"

#ifdef _OPENMP
#include <omp.h>
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/model.h"
#include "engine/outer.h"
#include "scenario/scenario.h"

/* Distributions mixed at most (replications x segments). */
#define CLVDIST_MAX_PARTS 100000

void clvdist_report_free(clvdist_report *r)
{
	if (r == NULL)
		return;
	free(r->clv);
	free(r);
}

static clvdist_report *report_create(size_t n)
{
	clvdist_report *r = calloc(1, sizeof *r);
	size_t i;

	if (r == NULL || (r->clv = calloc(n + 1, sizeof *r->clv)) == NULL) {
		clvdist_report_free(r);
		return NULL;
	}
	r->n = n;
	for (i = 0; i <= n; i++) {
		clvdist_figures *f = &r->clv[i];
		f->mean = f->sd = f->p05 = f->p25 = f->p50 = f->p75 = f->p95 = f->bound = NAN;
	}
	return r;
}

/* The label of the first assumption of s drawn per customer ("segments.
   NAME." in front inside a tier) into buf; false when there is none. */
static bool per_customer(clv_scenario *s, const char *prefix, char *buf, size_t len)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool found = false;

	for (k = 0; params != NULL && k < n_params && !found; k++)
		if (dist_is_uncertain(params[k]) && params[k]->per == PER_CUSTOMER) {
			snprintf(buf, len, "%s%s", prefix, params[k]->label);
			found = true;
		}
	free(params);
	for (k = 0; k < s->n_segments && !found; k++) {
		char pre[160];
		snprintf(pre, sizeof pre, "segments.%s.", s->segment_name[k]);
		found = per_customer(s->segments[k], pre, buf, len);
	}
	return found;
}

/* Anything drawn per replication (Dirichlet rows too), segments included. */
static bool per_replication(clv_scenario *s)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool any = params == NULL;

	for (k = 0; params != NULL && k < n_params && !any; k++)
		any = dist_is_per_replication(params[k]);
	for (k = 0; k < s->n && !any; k++)
		any = s->switching[k].dirichlet;
	for (k = 0; k < s->n_segments && !any; k++)
		any = per_replication(s->segments[k]);
	free(params);
	return any;
}

/* Everything one computation holds. */
typedef struct job {
	clv_scenario *s;
	size_t n_pop, n;
	clv_scenario *pop[CLV_MAX_SEGMENTS];
	double weight[CLV_MAX_SEGMENTS];
	model_values *means[CLV_MAX_SEGMENTS];
	outer_design design;
	bool draws;
	uint64_t reps;           /* 1 without draws */
	double *u;               /* own draws: reps x n_cols uniforms */
	clv_model **model;       /* reps x n_pop */
	clvdist **out;           /* reps x n_pop x (n + 1) */
} job;

static void job_clear(job *j)
{
	size_t k, t, parts = (size_t)j->reps * j->n_pop;

	for (k = 0; k < j->n_pop; k++)
		model_values_free(j->means[k]);
	outer_design_clear(&j->design);
	free(j->u);
	for (t = 0; j->model != NULL && t < parts; t++)
		model_free(j->model[t]);
	for (t = 0; j->out != NULL && t < parts * (j->n + 1); t++)
		clvdist_free(j->out[t]);
	free(j->model);
	free(j->out);
}

/* Model of replication r, population k. */
static clv_status job_model(job *j, const clvdist_request *rq, uint64_t r, size_t k,
                            clv_error *err)
{
	model_values *v = model_values_at_means(j->pop[k], err);
	clv_model *m = v ? model_create(j->n) : NULL;
	size_t cols = j->design.n_cols;
	clv_status rc = CLV_OK;

	if (m == NULL) {
		model_values_free(v);
		return v ? diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory") : err->status;
	}
	if (j->draws && rq->rep_input != NULL)
		outer_part_apply(&j->design.part[k], rq->rep_input + (size_t)r * cols, v);
	else if (j->draws)
		outer_part_draw(&j->design.part[k], j->u + (size_t)r * cols, v);
	rc = model_build(j->pop[k], v, m, err);
	model_values_free(v);
	if (rc != CLV_OK) {
		model_free(m);
		return rc;
	}
	j->model[(size_t)r * j->n_pop + k] = m;
	return CLV_OK;
}

static clv_status job_init(job *j, clv_scenario *s, const clvdist_request *rq, clv_error *err)
{
	size_t k, parts;
	uint64_t r;
	clv_status rc = CLV_OK;

	j->s = s;
	j->n = s->n;
	j->n_pop = s->n_segments ? s->n_segments : 1;
	for (k = 0; k < j->n_pop; k++) {
		j->pop[k] = s->n_segments ? s->segments[k] : s;
		j->weight[k] = s->n_segments ? s->segment_weight[k] : 1.0;
		if ((j->means[k] = model_values_at_means(j->pop[k], err)) == NULL)
			return err->status;
	}
	j->draws = per_replication(s);
	j->reps = j->draws ? rq->replications : 1;
	if (j->reps == 0)
		return diag_set(err, CLV_ERR_INPUT, NULL, "the CLV distribution needs replications");
	if (j->draws) {
		rc = outer_design_init(&j->design, s, (const model_values *const *)j->means, err);
		if (rc == CLV_OK && rq->rep_input != NULL && rq->n_inputs != j->design.n_cols)
			rc = diag_set(err, CLV_ERR_INPUT, NULL, "the run's draws have %zu columns, the "
			              "scenario's design %zu", rq->n_inputs, j->design.n_cols);
		if (rc == CLV_OK && rq->rep_input == NULL) {
			j->u = malloc((size_t)j->reps * (j->design.n_cols + 1) * sizeof *j->u);
			rc = j->u ? outer_design_sample(&j->design, j->reps, SAMPLE_MC, rq->seed, j->u, err)
			          : diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		}
		if (rc != CLV_OK)
			return rc;
	}
	parts = (size_t)j->reps * j->n_pop;
	j->model = calloc(parts, sizeof *j->model);
	j->out = calloc(parts * (j->n + 1), sizeof *j->out);
	if (j->model == NULL || j->out == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (r = 0; r < j->reps && rc == CLV_OK; r++)
		for (k = 0; k < j->n_pop && rc == CLV_OK; k++)
			rc = job_model(j, rq, r, k, err);
	return rc;
}

/* Bins per state and step the budget allows (a power of two), or 0 when
   even CLVDIST_MIN_POINTS would be over ten times the budget. */
static size_t choose_points(const job *j, bool total_only, double budget)
{
	clvdist_options o = {CLVDIST_POINTS, total_only, 0};
	double per_point = 0.0;
	size_t t, parts = (size_t)j->reps * j->n_pop, K = CLVDIST_MIN_POINTS;

	for (t = 0; t < parts; t++)
		per_point += clvdist_work(j->model[t], &o) / (double)CLVDIST_POINTS;
	if (per_point * CLVDIST_MIN_POINTS > 10.0 * budget)
		return 0;
	while (K < CLVDIST_MAX_POINTS && per_point * (double)(2 * K) <= budget)
		K *= 2;
	return K;
}

/* Run every part's programme (in parallel: each is deterministic, so the
   results do not depend on the thread count). A single part runs its
   n + 1 programmes in parallel instead (clvdist_model's own loop: a
   nested region here would leave it one thread). */
static clv_status job_run(job *j, size_t K, bool total_only, int threads, clvdist_report *rep,
                          clv_error *err)
{
#ifdef _OPENMP
	const int nt = threads > 0 ? threads : omp_get_max_threads();
#endif
	long t, parts = (long)((size_t)j->reps * j->n_pop), longest = 0;
	double work = 0.0;
	int failed = 0;
	clv_error first = {0};

#pragma omp parallel for if (parts > 1) schedule(dynamic, 1) num_threads(nt) reduction(+ : work) reduction(max : longest)
	for (t = 0; t < parts; t++) {
		clvdist_options o = {K, total_only, threads};
		clv_error e = {0};
		long T = 0;
		double w = 0.0;
		if (clvdist_model(j->model[t], &o, j->out + (size_t)t * (j->n + 1), &T, &w, &e) != CLV_OK) {
#pragma omp critical(clvdist_error)
			if (!failed) {
				failed = 1;
				first = e;
			}
		}
		work += w;
		longest = T > longest ? T : longest;
	}
	if (failed) {
		*err = first;
		return first.status;
	}
	rep->work = work;
	rep->periods = longest;
	return CLV_OK;
}

static void figures_of(const clvdist *d, clvdist_figures *f)
{
	clvdist_moments(d, &f->mean, &f->sd);
	f->p05 = clvdist_quantile(d, 0.05);
	f->p25 = clvdist_quantile(d, 0.25);
	f->p50 = clvdist_quantile(d, 0.50);
	f->p75 = clvdist_quantile(d, 0.75);
	f->p95 = clvdist_quantile(d, 0.95);
	f->bound = d->bound;
	f->support = d->len;
}

/* The mixture of column i over the parts into rep->clv[i]. */
static clv_status job_mix(job *j, size_t i, size_t K, clvdist_report *rep, clv_error *err)
{
	size_t parts = (size_t)j->reps * j->n_pop, t;
	const clvdist **d = malloc(parts * sizeof *d);
	double *w = malloc(parts * sizeof *w);
	clvdist *mix = NULL;

	if (d == NULL || w == NULL) {
		free(d);
		free(w);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	}
	if (parts == 1) { /* nothing to mix */
		figures_of(j->out[i], &rep->clv[i]);
		free(d);
		free(w);
		return CLV_OK;
	}
	for (t = 0; t < parts; t++) {
		d[t] = j->out[t * (j->n + 1) + i];
		w[t] = j->weight[t % j->n_pop] / (double)j->reps;
	}
	mix = clvdist_mix((const clvdist *const *)d, w, parts, K, err);
	if (mix != NULL)
		figures_of(mix, &rep->clv[i]);
	clvdist_free(mix);
	free(d);
	free(w);
	return mix != NULL ? CLV_OK : err->status;
}

/* Every computed figure exact (bound 0)? */
static bool all_exact(const clvdist_report *rep)
{
	size_t i;

	for (i = rep->per_state ? 0 : rep->n; i <= rep->n; i++)
		if (rep->clv[i].bound != 0.0)
			return false;
	return true;
}

bool clvdist_uses_run_draws(clv_scenario *s)
{
	return per_replication(s);
}

clvdist_report *clvdist_scenario(clv_scenario *s, const clvdist_request *rq, clv_error *err)
{
	clvdist_report *rep = report_create(s->n);
	char label[200];
	job j;
	size_t K = 0, i;
	bool total_only;
	clv_status rc = CLV_OK;

	if (rep == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	if (per_customer(s, "", label, sizeof label)) {
		snprintf(rep->note, sizeof rep->note,
		         "not computed: %s is drawn per customer, so every customer has its own chain "
		         "(the Monte Carlo percentiles stand alone)", label);
		return rep;
	}
	memset(&j, 0, sizeof j);
	if ((per_replication(s) ? rq->replications : 1) * (s->n_segments ? s->n_segments : 1) >
	    CLVDIST_MAX_PARTS) {
		snprintf(rep->note, sizeof rep->note, "not computed: more than %d replications x segments "
		         "to mix", CLVDIST_MAX_PARTS);
		return rep;
	}
	rc = job_init(&j, s, rq, err);
	total_only = j.draws;
	if (rc == CLV_OK && (K = choose_points(&j, total_only, rq->work > 0 ? rq->work : CLVDIST_WORK)) == 0)
		snprintf(rep->note, sizeof rep->note, "not computed: even %d bins per state and step "
		         "would be over ten times the work budget", CLVDIST_MIN_POINTS);
	if (rc == CLV_OK && K > 0) {
		rc = job_run(&j, K, total_only, rq->threads, rep, err);
		if (rc == CLV_ERR_LIMIT) { /* e.g. a horizon it cannot truncate: say so */
			snprintf(rep->note, sizeof rep->note, "not computed: %.290s", err->msg);
			diag_clear(err);
			rc = CLV_OK;
			K = 0;
		}
	}
	for (i = total_only ? s->n : 0; rc == CLV_OK && K > 0 && i <= s->n; i++)
		rc = job_mix(&j, i, K, rep, err);
	if (rc == CLV_OK && K > 0) {
		rep->available = true;
		rep->per_state = !total_only;
		rep->points = K;
		rep->replications = j.draws ? j.reps : 0;
		if (j.draws)
			snprintf(rep->note, sizeof rep->note,
			         "dynamic programming over (state, accumulated value), %zu bins per step, "
			         "the total only, mixed over the %llu replications' draws (its mean is their "
			         "average, not the expectation)", K,
			         (unsigned long long)j.reps);
		else if (all_exact(rep))
			snprintf(rep->note, sizeof rep->note,
			         "dynamic programming over (state, accumulated value), every atom kept: exact");
		else
			snprintf(rep->note, sizeof rep->note,
			         "dynamic programming over (state, accumulated value), %zu bins per state "
			         "and step", K);
	}
	job_clear(&j);
	if (rc != CLV_OK) {
		clvdist_report_free(rep);
		return NULL;
	}
	return rep;
}
