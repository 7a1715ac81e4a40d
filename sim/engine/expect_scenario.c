/*
 * expect_scenario.c - the expectation of a whole scenario (segments
 * mixed by weight), averages over replication draws, and the words the
 * reports print for each method (contract in expect.h; stage: engine).
 *
 * Per population (a segment, or the scenario itself):
 *   1. nothing uncertain (Poisson purchase counts aside, which the exact
 *      engine integrates itself): exact_scenario's figure (EXPECT_CERTAIN);
 *   2. no correlations, and a plan over every uncertain assumption
 *      (EXPECT_SCOPE_ALL, Dirichlet rows by stick breaking) whose error
 *      estimate is within EXPECT_TOLERANCE / 10: that plan's figure
 *      (EXPECT_QUADRATURE; also used, whatever its estimate, when nothing
 *      is drawn per replication, since then no average can do better);
 *   3. otherwise the per-replication assumptions are drawn
 *      opt->replications times (a plain Monte Carlo design, so the
 *      standard error is the usual sd / sqrt(R); rank correlations by
 *      Iman-Conover as the Monte Carlo engine imposes them) and each draw
 *      is integrated over the per-customer assumptions by a
 *      EXPECT_SCOPE_CUSTOMER plan (EXPECT_REPLICATIONS). The design is
 *      the Monte Carlo engine's own (engine/outer.h: columns keyed by the
 *      assumptions' identities, each tier's correlations on its columns),
 *      so with the same seed the draws are the Monte Carlo run's first
 *      batch, replication by replication.
 * Dirichlet rows under 3: dist_dirichlet_quantile of their n columns, the
 * Monte Carlo engine's own draw; the expectation of a function of the row
 * is then the plain average over the draws (with its se).
 * Mixing: the expectation is linear in the population, so the mixture of
 * the populations' expectations by their fixed weights is the scenario's
 * expectation, however the populations' draws depend on each other; the
 * averaged parts are added draw by draw, so their se is that of the
 * mixture's per-draw figures.
 */
#include "engine/expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/outer.h"
#include "scenario/scenario.h"

/* Draws averaged at most (the design is held in memory). */
#define EXPECT_MAX_REPLICATIONS 100000ULL

const char *expect_method_name(expect_method m)
{
	switch (m) {
	case EXPECT_CERTAIN:      return "certain";
	case EXPECT_QUADRATURE:   return "quadrature";
	case EXPECT_REPLICATIONS: return "replications";
	default:                  return "unknown";
	}
}

void expect_method_describe(expect_method m, size_t dims, size_t points, uint64_t replications,
                            char *buf, size_t len)
{
	switch (m) {
	case EXPECT_CERTAIN:
		snprintf(buf, len, "nothing uncertain to integrate: the exact figure is the "
		         "expectation");
		break;
	case EXPECT_QUADRATURE:
		snprintf(buf, len, "expectation by quadrature over %zu uncertain dimension%s (%zu "
		         "evaluations)", dims, dims == 1 ? "" : "s", points);
		break;
	default:
		snprintf(buf, len, "expectation averaged over %llu draws of the per-replication "
		         "assumptions (per-customer ones by quadrature); it has a standard error",
		         (unsigned long long)replications);
		break;
	}
}

void expect_options_defaults(expect_options *o, const clv_scenario *s)
{
	memset(o, 0, sizeof *o);
	o->replications = s->replications;
	o->seed = s->seed;
	o->max_points = EXPECT_MAX_POINTS;
}

void expect_free(expect_result *r)
{
	if (r == NULL)
		return;
	exact_free(r->mean);
	free(r->clv_se);
	free(r->share_se);
	free(r->value_se);
	free(r);
}

static expect_result *expect_create(size_t n, long periods)
{
	expect_result *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->mean = expect_result_zero(n, periods);
	r->clv_se = calloc(n + 1, sizeof *r->clv_se);
	r->share_se = calloc((size_t)(periods + 1) * n, sizeof *r->share_se);
	r->value_se = calloc(n + 1, sizeof *r->value_se);
	if (!r->mean || !r->clv_se || !r->share_se || !r->value_se) {
		expect_free(r);
		return NULL;
	}
	return r;
}

/* ---- averages over draws (Welford) ----------------------------------------------- */

struct expect_acc {
	size_t n;
	long periods;
	uint64_t count;
	exact_result *mean;   /* running means of every field */
	double *clv_m2;       /* n + 1: sums of squared deviations */
	double *share_m2;     /* (periods + 1) * n */
	double *value_m2;     /* n + 2: value by starting state, offer spend,
	                         total equity */
};

void expect_acc_free(expect_acc *a)
{
	if (a == NULL)
		return;
	exact_free(a->mean);
	free(a->clv_m2);
	free(a->share_m2);
	free(a->value_m2);
	free(a);
}

expect_acc *expect_acc_create(size_t n, long periods, clv_error *err)
{
	expect_acc *a = calloc(1, sizeof *a);

	if (a != NULL) {
		a->n = n;
		a->periods = periods;
		a->mean = expect_result_zero(n, periods);
		a->clv_m2 = calloc(n + 1, sizeof *a->clv_m2);
		a->share_m2 = calloc((size_t)(periods + 1) * n, sizeof *a->share_m2);
		a->value_m2 = calloc(n + 2, sizeof *a->value_m2);
	}
	if (a == NULL || !a->mean || !a->clv_m2 || !a->share_m2 || !a->value_m2) {
		expect_acc_free(a);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory averaging the expectation");
		return NULL;
	}
	return a;
}

/* Welford's update of mean (and m2 when not NULL) by x, count k. */
static void welford(double *mean, double *m2, const double *x, size_t len, double k)
{
	size_t i;

	for (i = 0; i < len; i++) {
		double delta = x[i] - mean[i];
		mean[i] += delta / k;
		if (m2 != NULL)
			m2[i] += delta * (x[i] - mean[i]);
	}
}

clv_status expect_acc_add(expect_acc *a, const exact_result *r, clv_error *err)
{
	size_t n = a->n;
	double k;

	if (r->n != n || r->periods != a->periods)
		return diag_set(err, CLV_ERR_INPUT, NULL,
		                "expectation: a figure of %zu states and %ld periods added to an "
		                "average of %zu states and %ld periods", r->n, r->periods, n, a->periods);
	k = (double)++a->count;
	welford(a->mean->clv, a->clv_m2, r->clv, n + 1, k);
	welford(a->mean->share, a->share_m2, r->share, (size_t)(a->periods + 1) * n, k);
	welford(a->mean->margin, NULL, r->margin, n, k);
	welford(a->mean->cost, NULL, r->cost, n, k);
	welford(a->mean->steady, NULL, r->steady, n, k);
	welford(a->mean->value, a->value_m2, r->value, n, k);
	welford(&a->mean->offer_spend, a->value_m2 + n, &r->offer_spend, 1, k);
	welford(a->mean->equity, NULL, r->equity, n, k);
	welford(a->mean->equity + n, a->value_m2 + n + 1, r->equity + n, 1, k);
	welford(a->mean->equity + n + 1, NULL, r->equity + n + 1, 2, k);
	welford(a->mean->cohort, NULL, r->cohort, EXACT_EQUITY_LEN(n), k);
	welford(a->mean->customers, NULL, r->customers, (size_t)(a->periods + 1) * n, k);
	a->mean->has_base = a->mean->has_base || r->has_base;
	return CLV_OK;
}

static void se_of(double *se, const double *m2, size_t len, uint64_t count)
{
	size_t i;
	double k = (double)count;

	for (i = 0; i < len; i++)
		se[i] = count > 1 ? sqrt(m2[i] / (k - 1.0) / k) : 0.0;
}

expect_result *expect_acc_result(const expect_acc *a, clv_error *err)
{
	size_t n = a->n, cells = (size_t)(a->periods + 1) * n;
	expect_result *r;

	if (a->count == 0) {
		diag_set(err, CLV_ERR_INPUT, NULL, "expectation: an average of no figures");
		return NULL;
	}
	if ((r = expect_create(n, a->periods)) == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory averaging the expectation");
		return NULL;
	}
	expect_mix_add(r->mean, a->mean, 1.0);
	se_of(r->clv_se, a->clv_m2, n + 1, a->count);
	se_of(r->share_se, a->share_m2, cells, a->count);
	se_of(r->value_se, a->value_m2, n, a->count);
	se_of(&r->offer_spend_se, a->value_m2 + n, 1, a->count);
	se_of(&r->equity_se, a->value_m2 + n + 1, 1, a->count);
	r->method = EXPECT_REPLICATIONS;
	r->replications = a->count;
	return r;
}

/* ---- populations ------------------------------------------------------------------ */

typedef struct population {
	clv_scenario *s;
	double weight;
	bool averaged;          /* needs the average over draws (rule 3) */
	expect_plan *plan;      /* EXPECT_SCOPE_CUSTOMER plan when averaged */
	model_values *values;   /* scratch: one draw's values */
} population;

/* Anything drawn per replication (Dirichlet rows included), or with
   `customers`, per customer too? Poisson counts never count: the exact
   engine integrates them. Segments are looked into. */
static bool has_draws(clv_scenario *s, bool customers)
{
	size_t k, n_params, i;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool any = params == NULL;

	for (k = 0; k < n_params && !any; k++)
		any = dist_is_per_replication(params[k]) ||
		      (customers && dist_is_uncertain(params[k]) && params[k]->per == PER_CUSTOMER);
	for (i = 0; i < s->n && !any; i++)
		any = s->switching[i].dirichlet;
	for (k = 0; k < s->n_segments && !any; k++)
		any = has_draws(s->segments[k], customers);
	free(params);
	return any;
}

/* Rules 1 and 2 for one population: its figure added to out, or
   pop->averaged set. */
static clv_status integrate(population *pop, long share_periods, const expect_options *o,
                            expect_result *out, clv_error *err)
{
	clv_error local = {0};
	expect_plan *pl;
	exact_result *part = NULL;
	bool draws = has_draws(pop->s, false);

	if (!has_draws(pop->s, true)) {
		part = exact_scenario(pop->s, share_periods, err);
	} else if ((o->replications_only || pop->s->n_correlations > 0) && draws) {
		pop->averaged = true;
		return CLV_OK;
	} else {
		pl = expect_plan_create(pop->s, EXPECT_SCOPE_ALL, share_periods, o->max_points, &local);
		if (pl != NULL && (!draws || expect_plan_error(pl) <= EXPECT_TOLERANCE / 10.0))
			part = expect_plan_run(pl, NULL, &local);
		if (part != NULL) {
			out->method = EXPECT_QUADRATURE;
			out->dims += expect_plan_dims(pl);
			out->points += expect_plan_points(pl);
			out->error_estimate = fmax(out->error_estimate, expect_plan_error(pl));
		}
		expect_plan_free(pl);
		if (part == NULL && (local.status == CLV_ERR_NOMEM || !draws)) {
			*err = local;
			return local.status;
		}
		if (part == NULL) { /* impossible nodes, too many dimensions, or inaccurate */
			pop->averaged = true;
			return CLV_OK;
		}
	}
	if (part == NULL)
		return err->status;
	expect_mix_add(out->mean, part, pop->weight);
	exact_free(part);
	return CLV_OK;
}

typedef struct outer {
	population *pop;
	size_t n_pop, n;
	long periods;
	uint64_t reps;
	outer_design design;    /* the Monte Carlo engine's own outer design */
	double *u;              /* reps * design.n_cols */
	model_values **means;   /* n_pop */
} outer;

static void outer_free(outer *ot)
{
	size_t k;

	for (k = 0; k < ot->n_pop; k++) {
		expect_plan_free(ot->pop[k].plan);
		model_values_free(ot->pop[k].values);
		model_values_free(ot->means ? ot->means[k] : NULL);
	}
	free(ot->means);
	free(ot->u);
	outer_design_clear(&ot->design);
}

static clv_status outer_init(outer *ot, const clv_scenario *s, long share_periods,
                             const expect_options *o, clv_error *err)
{
	size_t k;
	clv_status rc = CLV_OK;

	ot->means = calloc(ot->n_pop, sizeof *ot->means);
	if (ot->means == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < ot->n_pop && rc == CLV_OK; k++) {
		population *pop = &ot->pop[k];
		if ((ot->means[k] = model_values_at_means(pop->s, err)) == NULL ||
		    (pop->values = model_values_at_means(pop->s, err)) == NULL)
			return err->status;
		if (pop->averaged &&
		    (pop->plan = expect_plan_create(pop->s, EXPECT_SCOPE_CUSTOMER, share_periods,
		                                    o->max_points, err)) == NULL)
			rc = err->status;
	}
	if (rc == CLV_OK)
		rc = outer_design_init(&ot->design, s, (const model_values *const *)ot->means, err);
	if (rc != CLV_OK)
		return rc;
	ot->u = malloc((size_t)ot->reps * (ot->design.n_cols + 1) * sizeof *ot->u);
	if (ot->u == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for %llu draws",
		                (unsigned long long)ot->reps);
	return outer_design_sample(&ot->design, ot->reps, SAMPLE_MC, o->seed, ot->u, err);
}

/* One draw: the averaged populations' figures mixed into mix. */
static clv_status outer_draw(outer *ot, uint64_t r, exact_result *mix, clv_error *err)
{
	size_t k;

	for (k = 0; k < ot->n_pop; k++) {
		population *pop = &ot->pop[k];
		exact_result *part;
		if (!pop->averaged)
			continue;
		memcpy(pop->values->param, ot->means[k]->param,
		       pop->values->n_params * sizeof *pop->values->param);
		outer_part_draw(&ot->design.part[k], ot->u + (size_t)r * ot->design.n_cols, pop->values);
		if ((part = expect_plan_run(pop->plan, pop->values, err)) == NULL)
			return err->status;
		expect_mix_add(mix, part, pop->weight);
		exact_free(part);
	}
	return CLV_OK;
}

/* Rule 3: the average over draws of the averaged populations, added to out. */
static clv_status average_draws(outer *ot, const clv_scenario *s, long share_periods,
                                const expect_options *o, expect_result *out, clv_error *err)
{
	expect_acc *acc = expect_acc_create(ot->n, ot->periods, err);
	expect_result *avg = NULL;
	exact_result *mix = NULL;
	clv_status rc = acc ? outer_init(ot, s, share_periods, o, err) : err->status;
	uint64_t r;
	size_t k;

	for (r = 0; r < ot->reps && rc == CLV_OK; r++) {
		exact_free(mix);
		if ((mix = expect_result_zero(ot->n, ot->periods)) == NULL)
			rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		if (rc == CLV_OK)
			rc = outer_draw(ot, r, mix, err);
		if (rc == CLV_OK)
			rc = expect_acc_add(acc, mix, err);
	}
	if (rc == CLV_OK && (avg = expect_acc_result(acc, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK) {
		expect_mix_add(out->mean, avg->mean, 1.0);
		memcpy(out->clv_se, avg->clv_se, (ot->n + 1) * sizeof *out->clv_se);
		memcpy(out->share_se, avg->share_se,
		       (size_t)(ot->periods + 1) * ot->n * sizeof *out->share_se);
		memcpy(out->value_se, avg->value_se, ot->n * sizeof *out->value_se);
		out->offer_spend_se = avg->offer_spend_se;
		out->equity_se = avg->equity_se;
		out->method = EXPECT_REPLICATIONS;
		out->replications = ot->reps;
		for (k = 0; k < ot->n_pop; k++)
			if (ot->pop[k].averaged) {
				out->dims += expect_plan_dims(ot->pop[k].plan);
				out->points += expect_plan_points(ot->pop[k].plan);
				out->error_estimate = fmax(out->error_estimate,
				                           expect_plan_error(ot->pop[k].plan));
			}
	}
	exact_free(mix);
	expect_free(avg);
	expect_acc_free(acc);
	return rc;
}

/* ---- the scenario -------------------------------------------------------------------- */

static expect_result *certain(clv_scenario *s, long share_periods, clv_error *err)
{
	expect_result *r = calloc(1, sizeof *r);
	size_t n = s->n;

	if (r == NULL || (r->mean = exact_scenario(s, share_periods, err)) == NULL) {
		if (r == NULL)
			diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		expect_free(r);
		return NULL;
	}
	r->clv_se = calloc(n + 1, sizeof *r->clv_se);
	r->share_se = calloc((size_t)(r->mean->periods + 1) * n, sizeof *r->share_se);
	r->value_se = calloc(n + 1, sizeof *r->value_se);
	if (r->clv_se == NULL || r->share_se == NULL || r->value_se == NULL) {
		expect_free(r);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	r->method = EXPECT_CERTAIN;
	return r;
}

static void options_fill(expect_options *o, const expect_options *given, const clv_scenario *s)
{
	expect_options_defaults(o, s);
	if (given == NULL)
		return;
	*o = *given;
	if (o->replications == 0)
		o->replications = s->replications;
	if (o->max_points == 0)
		o->max_points = EXPECT_MAX_POINTS;
}

expect_result *expect_scenario(clv_scenario *s, long share_periods, const expect_options *opt,
                               clv_error *err)
{
	size_t n_pop = s->n_segments ? s->n_segments : 1, k;
	population pop[CLV_MAX_SEGMENTS];
	outer ot;
	expect_options o;
	expect_result *out;
	bool any_averaged = false;
	clv_status rc = CLV_OK;

	if (!has_draws(s, true))
		return certain(s, share_periods, err);
	options_fill(&o, opt, s);
	if (o.replications > EXPECT_MAX_REPLICATIONS)
		o.replications = EXPECT_MAX_REPLICATIONS;
	out = expect_create(s->n, s->infinite ? share_periods : s->horizon);
	if (out == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	memset(pop, 0, sizeof pop);
	for (k = 0; k < n_pop && rc == CLV_OK; k++) {
		pop[k].s = s->n_segments ? s->segments[k] : s;
		pop[k].weight = s->n_segments ? s->segment_weight[k] : 1.0;
		rc = integrate(&pop[k], share_periods, &o, out, err);
		any_averaged = any_averaged || pop[k].averaged;
	}
	if (rc == CLV_OK && any_averaged) {
		memset(&ot, 0, sizeof ot);
		ot.pop = pop;
		ot.n_pop = n_pop;
		ot.n = s->n;
		ot.periods = out->mean->periods;
		ot.reps = o.replications;
		rc = average_draws(&ot, s, share_periods, &o, out, err);
		outer_free(&ot);
	}
	if (rc != CLV_OK) {
		expect_free(out);
		return NULL;
	}
	return out;
}

expect_result *expect_with_means(clv_scenario *s, long share_periods, const expect_options *opt,
                                 exact_result **at_means, clv_error *err)
{
	expect_result *x = expect_scenario(s, share_periods, opt, err);

	*at_means = NULL;
	if (x == NULL || x->method == EXPECT_CERTAIN)
		return x;
	*at_means = exact_scenario(s, share_periods, err);
	if (*at_means == NULL) {
		expect_free(x);
		return NULL;
	}
	return x;
}
