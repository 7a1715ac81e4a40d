/*
 * test_expect.c - the true expectation (engine/expect.h, engine/quad.h):
 * closed forms E[r^t] = B(a + t, b) / B(a, b) for a retention r ~ Beta(a, b)
 * per customer and per replication (issue 10's 366.77 and 4.085 among
 * them), one-dimensional references by adaptive integration for the other
 * kinds, brute-force averages of the exact engine over parameter draws
 * (fixed seeds, within 5 standard errors), Dirichlet rows, segments, and
 * bit-identity with exact_scenario when nothing is uncertain.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "base/dist.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/model.h"
#include "engine/quad.h"
#include "scenario/scenario.h"

static double rel(double a, double b)
{
	return fabs(a - b) / fmax(fabs(b), 1e-300);
}

static clv_scenario *load(const char *text)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load_buffer("expect.yaml", text, strlen(text), &err);

	if (s == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(s);
	return s;
}

static expect_result *expect_of(clv_scenario *s, const expect_options *o)
{
	clv_error err = {0};
	expect_result *r = expect_scenario(s, 20, o, &err);

	if (r == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(r);
	return r;
}

/* ---- closed forms -------------------------------------------------------------- */

/* E[r^t] for r ~ Beta(a, b). */
static double beta_moment(double a, double b, long t)
{
	return exp(gsl_sf_lnbeta(a + (double)t, b) - gsl_sf_lnbeta(a, b));
}

/* E[CLV] = sum_t m E[r^t] / (1 + d)^t over periods 0..T (T < 0: infinite,
   summed until the terms vanish, moments by their recurrence). */
static double beta_clv(double a, double b, double m, double d, long T)
{
	double sum = 0.0, comp = 0.0, e = 1.0, x = 1.0 / (1.0 + d);
	long t;

	for (t = 0; T < 0 ? t < 200000 : t <= T; t++) {
		double term = m * e * pow(x, (double)t), y = term - comp, z = sum + y;
		comp = (z - sum) - y;
		sum = z;
		e *= (a + (double)t) / (a + b + (double)t);
		if (T < 0 && term < 1e-18 * sum)
			break;
	}
	return sum;
}

static char *alive_lost(const char *retention, long T, double d, double m)
{
	static char text[2048];
	char horizon[32];

	if (T < 0)
		snprintf(horizon, sizeof horizon, "infinite");
	else
		snprintf(horizon, sizeof horizon, "%ld", T);
	snprintf(text, sizeof text,
	         "states: [alive, lost]\ninitial: [1, 0]\n"
	         "switching:\n  alive: [0.5, 0.5]\n  lost: [0, 1]\n"
	         "retention: {alive: %s}\nhorizon: %s\ndiscount_rate: %.17g\n"
	         "margin: {alive: %.17g, lost: 0}\n", retention, horizon, d, m);
	return text;
}

typedef struct beta_case {
	double a, b, m, d;
	long T;                 /* -1: infinite */
} beta_case;

static const beta_case beta_cases[] = {
	{4, 1.5, 100, 0.1, 20},   /* issue 10: 366.77 (295.07 at the mean) */
	{0.3, 0.2, 1, 0.1, 12},   /* issue 10: 4.085 (2.199 at the mean) */
	{0.5, 0.5, 100, 0.05, 30},
	{2, 3, 50, 0.08, 60},
	{90, 10, 30, 0.0079741, 36},
	{0.05, 0.7, 100, 0.1, 40},
	{1, 1, 10, 0.02, 100},
	{4, 1.5, 100, 0.1, -1},
	{0.3, 0.2, 1, 0.1, -1},
	{0.7, 0.05, 10, 0.03, -1},
};

/* Largest relative error of the expectation over the beta cases, `per`
   customer or replication; shares checked absolutely. */
static double beta_cases_error(const char *per, expect_method want)
{
	size_t k;
	double worst = 0.0;

	for (k = 0; k < sizeof beta_cases / sizeof beta_cases[0]; k++) {
		const beta_case *c = &beta_cases[k];
		char dist[128];
		clv_scenario *s;
		expect_result *r;
		long t;
		double want_clv = beta_clv(c->a, c->b, c->m, c->d, c->T), e;

		snprintf(dist, sizeof dist, "{dist: beta, a: %.17g, b: %.17g, per: %s}", c->a, c->b, per);
		s = load(alive_lost(dist, c->T, c->d, c->m));
		r = expect_of(s, NULL);
		assert_int_equal(r->method, want);
		e = fmax(rel(r->mean->clv[2], want_clv), rel(r->mean->clv[0], want_clv));
		for (t = 0; t <= r->mean->periods; t++)
			e = fmax(e, fabs(r->mean->share[2 * t] - beta_moment(c->a, c->b, t)));
		print_message("  beta(%g, %g) per %s, T = %ld: E[CLV] = %.10f, error %.1e (%zu points)\n",
		              c->a, c->b, per, c->T, r->mean->clv[2], e, r->points);
		assert_true(e <= 1e-8);
		worst = fmax(worst, e);
		expect_free(r);
		scenario_free(s);
	}
	return worst;
}

static void closed_form_per_customer(void **state)
{
	print_message("  worst error %.1e\n", beta_cases_error("customer", EXPECT_QUADRATURE));
}

static void closed_form_per_replication(void **state)
{
	print_message("  worst error %.1e\n", beta_cases_error("replication", EXPECT_QUADRATURE));
}

/* The two scenarios the issue quotes, as shipped test data: the
   expectation and, beside it, the figure at the means. */
static void issue_figures(void **state)
{
	const char *files[] = {"tests/data/expect/beta_4_1.5.yaml", "tests/data/expect/beta_0.3_0.2.yaml"};
	const double expect_want[] = {366.77, 4.085}, means_want[] = {295.07, 2.199};
	const double exact_want[] = {beta_clv(4, 1.5, 100, 0.1, 20), beta_clv(0.3, 0.2, 1, 0.1, 12)};
	clv_error err = {0};
	size_t k;

	for (k = 0; k < 2; k++) {
		clv_scenario *s = scenario_load(files[k], &err);
		exact_result *at_means;
		expect_result *r;
		assert_non_null(s);
		at_means = exact_scenario(s, 20, &err);
		r = expect_of(s, NULL);
		assert_non_null(at_means);
		assert_true(fabs(r->mean->clv[2] - expect_want[k]) <= 0.5 * (k ? 1e-3 : 1e-2));
		assert_true(fabs(at_means->clv[2] - means_want[k]) <= 0.5 * (k ? 1e-3 : 1e-2));
		assert_true(rel(r->mean->clv[2], exact_want[k]) <= 1e-10);
		print_message("  %s: expectation %.6f (error %.1e), at the means %.6f\n", files[k],
		              r->mean->clv[2], rel(r->mean->clv[2], exact_want[k]), at_means->clv[2]);
		exact_free(at_means);
		expect_free(r);
		scenario_free(s);
	}
}

/* A Dirichlet row is integrated through its sticks: with
   alive ~ Dirichlet(0.5, 1, 4) over [lost1, lost2, alive], the retention
   is the third entry, Beta(4, 1.5) by aggregation, composed of two sticks. */
static void dirichlet_row_closed_form(void **state)
{
	clv_scenario *s = load(
		"states: [lost1, lost2, alive]\ninitial: [0, 0, 1]\n"
		"switching:\n  lost1: [1, 0, 0]\n  lost2: [0, 1, 0]\n"
		"  alive: {dist: dirichlet, alpha: [0.5, 1, 4]}\n"
		"horizon: 20\ndiscount_rate: 0.1\nmargin: {lost1: 0, lost2: 0, alive: 100}\n");
	expect_result *r = expect_of(s, NULL);
	double want = beta_clv(4, 1.5, 100, 0.1, 20);
	long t;

	assert_int_equal(r->method, EXPECT_QUADRATURE);
	assert_int_equal(r->dims, 2);
	assert_true(rel(r->mean->clv[3], want) <= 1e-10);
	for (t = 0; t <= 20; t++) {
		double alive = beta_moment(4, 1.5, t);
		assert_true(fabs(r->mean->share[3 * t + 2] - alive) <= 1e-12);
		/* the lost customers split 0.5 : 1 between the two lost states */
		assert_true(fabs(r->mean->share[3 * t] - (1 - alive) / 3.0) <= 1e-12);
	}
	print_message("  Dirichlet stick breaking: error %.1e\n", rel(r->mean->clv[3], want));
	expect_free(r);
	scenario_free(s);
}

/* ---- one-dimensional references ---------------------------------------------- */

typedef struct ref1d {
	const clv_param *p;
	double m, d;
	long T;
} ref1d;

/* CLV of the alive/lost chain at retention Q(u). */
static double ref_integrand(double u, void *data)
{
	const ref1d *r = data;
	double x = dist_quantile(r->p, u), sum = 0.0, f = 1.0;
	long t;

	for (t = 0; t <= r->T; t++) {
		sum += r->m * f;
		f *= x / (1.0 + r->d);
	}
	return sum;
}

/* Other kinds of retention per customer, against adaptive integration
   of E[CLV(r)] = int_0^1 CLV(Q(u)) du (GSL qags, 1e-13 relative). */
static void one_dimensional_references(void **state)
{
	const char *dists[] = {
		"{dist: uniform, min: 0.55, max: 0.95, per: customer}",
		"{dist: triangular, min: 0.5, mode: 0.8, max: 0.97, per: customer}",
		"{dist: triangular, min: 0.6, mode: 0.9, max: 1.2, per: customer}",
		"{dist: pert, min: 0.5, mode: 0.9, max: 1, per: customer}",
		"{dist: normal, mean: 0.85, sd: 0.1, per: customer}",
		"{dist: normal, mean: 0.7, sd: 0.03, per: customer}",
		"{dist: lognormal, mu: -0.3, sigma: 0.2, per: customer}",
		"{dist: gamma, shape: 40, scale: 0.02, per: customer}",
		"{dist: beta, a: 1000, b: 50, per: customer}",
	};
	gsl_integration_workspace *ws = gsl_integration_workspace_alloc(1000);
	size_t k;

	for (k = 0; k < sizeof dists / sizeof dists[0]; k++) {
		clv_scenario *s = load(alive_lost(dists[k], 30, 0.05, 10));
		clv_param *p = scenario_param(s, "retention.alive");
		ref1d data = {p, 10, 0.05, 30};
		gsl_function f = {ref_integrand, &data};
		double want, abserr;
		expect_result *r;
		assert_non_null(p);
		assert_int_equal(gsl_integration_qags(&f, 0, 1, 0, 1e-13, 1000, ws, &want, &abserr), 0);
		r = expect_of(s, NULL);
		print_message("  %-62s %-30s error %.1e (%zu points)\n", dists[k],
		              quad_family_name(quad_family_of(p)), rel(r->mean->clv[2], want), r->points);
		assert_true(rel(r->mean->clv[2], want) <= 1e-8);
		expect_free(r);
		scenario_free(s);
	}
	gsl_integration_workspace_free(ws);
}

/* ---- brute force over parameter draws ------------------------------------------ */

/* Mean and se of the exact engine's total CLV (and share of state 0 in
   period 3) over `draws` draws of the scenario's uncertain assumptions
   (dist_draw; Dirichlet rows by gsl_ran_dirichlet). */
static void brute_force(clv_scenario *s, size_t draws, unsigned long seed, double *mean,
                        double *se, double *share_mean, double *share_se)
{
	clv_error err = {0};
	model_values *v = model_values_at_means(s, &err);
	clv_model *m = model_create(s->n);
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	double m2 = 0.0, s2 = 0.0, sm = 0.0;
	size_t it, k, i, n = s->n;

	assert_non_null(v);
	gsl_rng_set(g, seed);
	*mean = 0.0;
	for (it = 1; it <= draws; it++) {
		exact_result *r;
		model_values *mv = model_values_at_means(s, &err);
		double x, y, delta;
		for (k = 0; k < mv->n_params; k++)
			mv->param[k] = dist_draw(mv->params[k], g);
		for (i = 0; i < n; i++)
			if (s->switching[i].dirichlet)
				gsl_ran_dirichlet(g, n, s->switching[i].alpha, mv->dirichlet + i * n);
		if (model_build(s, mv, m, &err) != CLV_OK) {
			/* an impossible customer: the replication's model (mc.c's rule) */
			diag_clear(&err);
			for (k = 0; k < mv->n_params; k++)
				if (mv->params[k]->per == PER_CUSTOMER)
					mv->param[k] = v->param[k];
			assert_int_equal(model_build(s, mv, m, &err), CLV_OK);
		}
		r = exact_run(m, 20, &err);
		assert_non_null(r);
		x = r->clv[n];
		y = r->share[3 * n];
		delta = x - *mean;
		*mean += delta / (double)it;
		m2 += delta * (x - *mean);
		delta = y - sm;
		sm += delta / (double)it;
		s2 += delta * (y - sm);
		exact_free(r);
		model_values_free(mv);
	}
	*se = sqrt(m2 / (double)(draws - 1) / (double)draws);
	*share_mean = sm;
	*share_se = sqrt(s2 / (double)(draws - 1) / (double)draws);
	gsl_rng_free(g);
	model_free(m);
	model_values_free(v);
}

static void check_brute_force(const char *what, clv_scenario *s, const expect_result *r,
                              size_t draws)
{
	double mean, se, sh, sh_se, z, zs;
	size_t n = s->n;

	brute_force(s, draws, 20240611UL, &mean, &se, &sh, &sh_se);
	z = (r->mean->clv[n] - mean) / se;
	zs = (r->mean->share[3 * n] - sh) / sh_se;
	print_message("  %s: expectation %.6f, brute force %.6f +- %.6f (z = %.2f; share z = %.2f; "
	              "%s, %zu points)\n", what, r->mean->clv[n], mean, se, z, zs,
	              expect_method_name(r->method), r->points);
	assert_true(se > 0.0 && fabs(z) <= 5.0 && fabs(zs) <= 5.0);
}

static const char per_customer_text[] =
	"states: [A, B, lost]\ninitial: [0.6, 0.4, 0]\n"
	"switching:\n  A: [0.7, 0.2, 0.1]\n  B: [0.15, 0.7, 0.15]\n  lost: [0, 0, 1]\n"
	"retention:\n"
	"  A: {dist: triangular, min: 0.5, mode: 0.8, max: 0.95, per: customer}\n"
	"  B: {dist: normal, mean: 0.85, sd: 0.1, per: customer}\n"
	"horizon: 10\ndiscount_rate: 0.08\n"
	"margin:\n"
	"  A: {dist: uniform, min: 40, max: 60, per: customer}\n"
	"  B: {dist: lognormal, mean: 30, sd: 10, per: customer}\n"
	"  lost: 0\n";

/* Per-customer triangular and normal retention, uniform and lognormal
   margins: against the exact engine averaged over 4000 draws. */
static void brute_force_per_customer(void **state)
{
	clv_scenario *s = load(per_customer_text);
	expect_result *r = expect_of(s, NULL);

	assert_int_equal(r->method, EXPECT_QUADRATURE);
	assert_int_equal(r->dims, 4);
	check_brute_force("per customer", s, r, 4000);
	expect_free(r);
	scenario_free(s);
}

/* Per-customer entries of one row whose draws can sum above 1: such a
   customer takes the model at the per-customer means, as in mc.c. */
static void impossible_customers(void **state)
{
	clv_scenario *s = load(
		"states: [A, B, lost]\ninitial: [1, 0, 0]\n"
		"switching:\n"
		"  A: [{dist: uniform, min: 0.5, max: 0.8, per: customer},\n"
		"      {dist: uniform, min: 0.1, max: 0.4, per: customer}, 0.1]\n"
		"  B: [0.2, 0.7, 0.1]\n  lost: [0, 0, 1]\n"
		"horizon: 10\ndiscount_rate: 0.05\nmargin: {A: 10, B: 5, lost: 0}\n");
	expect_result *r = expect_of(s, NULL);

	assert_int_equal(r->method, EXPECT_QUADRATURE);
	check_brute_force("impossible customers", s, r, 4000);
	expect_free(r);
	scenario_free(s);
}

static const char per_replication_text[] =
	"states: [A, B, lost]\ninitial: [0.5, 0.5, 0]\n"
	"switching:\n  A: [0.7, 0.2, 0.1]\n  B: {dist: dirichlet, alpha: [6, 30, 4]}\n"
	"  lost: [0, 0, 1]\n"
	"retention: {A: {dist: beta, a: 8, b: 2}}\n"
	"horizon: 8\ndiscount_rate: {dist: uniform, min: 0.05, max: 0.15}\n"
	"margin: {A: {dist: triangular, min: 20, mode: 30, max: 35}, B: 25, lost: 0}\n";

/* Per-replication beta retention, uniform discount, triangular margin and
   a Dirichlet row: quadrature (2 + 1 + 1 + 2 dimensions) against the
   brute-force average, and the tool's own average over draws (with its
   se) against the quadrature. */
static void brute_force_per_replication(void **state)
{
	clv_scenario *s = load(per_replication_text);
	expect_result *q = expect_of(s, NULL), *avg;
	expect_options o;
	double z;

	assert_int_equal(q->method, EXPECT_QUADRATURE);
	assert_int_equal(q->dims, 5);
	assert_true(q->error_estimate <= EXPECT_TOLERANCE / 10.0);
	check_brute_force("per replication", s, q, 4000);
	expect_options_defaults(&o, s);
	o.replications = 400;
	o.replications_only = true;
	avg = expect_of(s, &o);
	assert_int_equal(avg->method, EXPECT_REPLICATIONS);
	assert_int_equal(avg->replications, 400);
	assert_true(avg->clv_se[3] > 0.0);
	z = (avg->mean->clv[3] - q->mean->clv[3]) / avg->clv_se[3];
	print_message("  average over 400 draws %.6f +- %.6f against quadrature %.6f (z = %.2f)\n",
	              avg->mean->clv[3], avg->clv_se[3], q->mean->clv[3], z);
	assert_true(fabs(z) <= 5.0);
	expect_free(avg);
	expect_free(q);
	scenario_free(s);
}

/* The Monte Carlo driver's use: a per-customer plan evaluated at each
   replication's draws, averaged, against the quadrature over both levels. */
static void plan_per_replication_draws(void **state)
{
	clv_scenario *s = load(
		"states: [A, B, lost]\ninitial: [0.5, 0.5, 0]\n"
		"switching:\n  A: [0.7, 0.2, 0.1]\n  B: {dist: dirichlet, alpha: [6, 30, 4]}\n"
		"  lost: [0, 0, 1]\n"
		"retention: {A: {dist: beta, a: 3, b: 1, per: customer}}\n"
		"horizon: 8\ndiscount_rate: {dist: uniform, min: 0.05, max: 0.15}\n"
		"margin: {A: {dist: normal, mean: 30, sd: 5}, B: 25, lost: 0}\n");
	clv_error err = {0};
	expect_plan *pl = expect_plan_create(s, EXPECT_SCOPE_CUSTOMER, 20, 0, &err);
	expect_acc *acc = expect_acc_create(3, 8, &err);
	expect_result *q = expect_of(s, NULL), *avg;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	size_t it, k;
	double z;

	assert_non_null(pl);
	assert_non_null(acc);
	assert_int_equal(expect_plan_dims(pl), 1);
	gsl_rng_set(g, 7);
	for (it = 0; it < 2000; it++) {
		model_values *v = model_values_at_means(s, &err);
		exact_result *r;
		for (k = 0; k < v->n_params; k++)
			if (dist_is_per_replication(v->params[k]))
				v->param[k] = dist_draw(v->params[k], g);
		gsl_ran_dirichlet(g, 3, s->switching[1].alpha, v->dirichlet + 3);
		r = expect_plan_run(pl, v, &err);
		assert_non_null(r);
		assert_int_equal(expect_acc_add(acc, r, &err), CLV_OK);
		exact_free(r);
		model_values_free(v);
	}
	avg = expect_acc_result(acc, &err);
	assert_non_null(avg);
	assert_int_equal(q->method, EXPECT_QUADRATURE);
	z = (avg->mean->clv[3] - q->mean->clv[3]) / avg->clv_se[3];
	print_message("  plan over 2000 replication draws %.6f +- %.6f, quadrature %.6f (z = %.2f)\n",
	              avg->mean->clv[3], avg->clv_se[3], q->mean->clv[3], z);
	assert_true(fabs(z) <= 5.0);
	gsl_rng_free(g);
	expect_free(avg);
	expect_free(q);
	expect_acc_free(acc);
	expect_plan_free(pl);
	scenario_free(s);
}

/* Correlated per-replication assumptions are averaged over draws (with an
   se); a correlation with a per-customer assumption is refused. */
static void correlations_average(void **state)
{
	char text[2048];
	clv_scenario *s, *bad;
	expect_result *r;
	expect_options o;
	clv_error err = {0};

	snprintf(text, sizeof text, "%scorrelations:\n  - [discount_rate, margin.A, 0.5]\n",
	         per_replication_text);
	s = load(text);
	expect_options_defaults(&o, s);
	o.replications = 64;
	r = expect_of(s, &o);
	assert_int_equal(r->method, EXPECT_REPLICATIONS);
	assert_int_equal(r->replications, 64);
	assert_true(r->clv_se[3] > 0.0 && isfinite(r->mean->clv[3]));
	expect_free(r);
	snprintf(text, sizeof text, "%scorrelations:\n  - [retention.A, margin.A, 0.5]\n",
	         per_customer_text);
	/* a correlation of a per-customer assumption is refused when loading */
	bad = scenario_load_buffer("test.yaml", text, strlen(text), &err);
	assert_null(bad);
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "drawn once per replication can be correlated"));
	scenario_free(s);
}

/* ---- certain scenarios, segments ------------------------------------------------ */

static void same_bits(const exact_result *a, const exact_result *b)
{
	size_t n = a->n;

	assert_int_equal(a->n, b->n);
	assert_int_equal(a->periods, b->periods);
	assert_memory_equal(a->clv, b->clv, (n + 1) * sizeof *a->clv);
	assert_memory_equal(a->share, b->share, (size_t)(a->periods + 1) * n * sizeof *a->share);
	assert_memory_equal(a->margin, b->margin, n * sizeof *a->margin);
	assert_memory_equal(a->cost, b->cost, n * sizeof *a->cost);
	assert_memory_equal(a->steady, b->steady, n * sizeof *a->steady);
}

static const char textbook_text[] =
	"states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
	"switching:\n  A: [0.70, 0.20, 0.10]\n  B: [0.10, 0.80, 0.10]\n  C: [0.25, 0.15, 0.60]\n"
	"horizon: 2\ndiscount_rate: 0.09\nmargin: 500\n";

/* Nothing uncertain: exact_scenario's figures, bit for bit; a plan with no
   dimension is the exact engine at the given values. */
static void certain_is_exact(void **state)
{
	char text[2048];
	clv_scenario *s = load(textbook_text), *seg;
	clv_error err = {0};
	exact_result *e = exact_scenario(s, 20, &err);
	expect_result *r = expect_of(s, NULL);
	expect_plan *pl;
	exact_result *p;

	assert_non_null(e);
	assert_int_equal(r->method, EXPECT_CERTAIN);
	assert_true(r->clv_se[3] == 0.0);
	same_bits(r->mean, e);
	pl = expect_plan_create(s, EXPECT_SCOPE_ALL, 20, 0, &err);
	assert_non_null(pl);
	assert_int_equal(expect_plan_dims(pl), 0);
	assert_int_equal(expect_plan_points(pl), 1);
	p = expect_plan_run(pl, NULL, &err);
	assert_non_null(p);
	same_bits(p, e);
	exact_free(p);
	expect_plan_free(pl);
	expect_free(r);
	exact_free(e);
	snprintf(text, sizeof text, "%ssegments:\n  big: {weight: 0.25, margin: 900}\n"
	         "  small: {weight: 0.75, margin: 100}\n", textbook_text);
	seg = load(text);
	e = exact_scenario(seg, 20, &err);
	r = expect_of(seg, NULL);
	assert_int_equal(r->method, EXPECT_CERTAIN);
	same_bits(r->mean, e);
	expect_free(r);
	exact_free(e);
	scenario_free(seg);
	scenario_free(s);
}

/* Segments: each segment's expectation, mixed by the fixed weights. */
static void segments_mix(void **state)
{
	clv_scenario *s = load(
		"states: [alive, lost]\ninitial: [1, 0]\n"
		"switching:\n  alive: [0.5, 0.5]\n  lost: [0, 1]\n"
		"horizon: 20\ndiscount_rate: 0.1\nmargin: {alive: 1, lost: 0}\n"
		"segments:\n"
		"  loyal: {weight: 0.3, margin: {alive: 100, lost: 0},\n"
		"          retention: {alive: {dist: beta, a: 4, b: 1.5, per: customer}}}\n"
		"  fickle: {weight: 0.7,\n"
		"           retention: {alive: {dist: beta, a: 0.3, b: 0.2, per: customer}}}\n");
	expect_result *r = expect_of(s, NULL), *a = expect_of(s->segments[0], NULL),
	              *b = expect_of(s->segments[1], NULL);
	double want = 0.3 * beta_clv(4, 1.5, 100, 0.1, 20) + 0.7 * beta_clv(0.3, 0.2, 1, 0.1, 20);
	size_t i;

	assert_int_equal(r->method, EXPECT_QUADRATURE);
	assert_true(rel(r->mean->clv[2], want) <= 1e-10);
	for (i = 0; i <= 2; i++)
		assert_true(fabs(r->mean->clv[i] - (0.3 * a->mean->clv[i] + 0.7 * b->mean->clv[i])) <=
		            1e-12 * fabs(r->mean->clv[i]));
	for (i = 0; i < 21 * 2; i++)
		assert_true(fabs(r->mean->share[i] - (0.3 * a->mean->share[i] + 0.7 * b->mean->share[i])) <=
		            1e-14);
	print_message("  segments: %.8f, closed form %.8f\n", r->mean->clv[2], want);
	expect_free(a);
	expect_free(b);
	expect_free(r);
	scenario_free(s);
}

/* A segment with correlations is averaged over draws while the other is
   integrated: the mixture agrees with the two computed on their own. */
static void segments_mixed_methods(void **state)
{
	clv_scenario *s = load(
		"states: [alive, lost]\ninitial: [1, 0]\n"
		"switching:\n  alive: [0.5, 0.5]\n  lost: [0, 1]\n"
		"horizon: 10\ndiscount_rate: {dist: uniform, min: 0.05, max: 0.15}\n"
		"retention: {alive: {dist: beta, a: 4, b: 1.5}}\n"
		"margin: {alive: {dist: normal, mean: 100, sd: 10}, lost: 0}\n"
		"segments:\n"
		"  plain: {weight: 0.4}\n"
		"  linked: {weight: 0.6, correlations: [[retention.alive, margin.alive, 0.7]]}\n");
	expect_options o;
	expect_result *r, *a, *b;
	double z, se;

	expect_options_defaults(&o, s);
	o.replications = 300;
	r = expect_of(s, &o);
	a = expect_of(s->segments[0], &o);
	b = expect_of(s->segments[1], &o);
	assert_int_equal(r->method, EXPECT_REPLICATIONS);
	assert_int_equal(a->method, EXPECT_QUADRATURE);
	assert_int_equal(b->method, EXPECT_REPLICATIONS);
	assert_true(a->clv_se[2] == 0.0);
	/* the integrated segment adds no error: the se is the averaged one's */
	assert_true(fabs(r->clv_se[2] - 0.6 * b->clv_se[2]) <= 0.5 * 0.6 * b->clv_se[2]);
	se = sqrt(r->clv_se[2] * r->clv_se[2] + 0.36 * b->clv_se[2] * b->clv_se[2]);
	z = (r->mean->clv[2] - (0.4 * a->mean->clv[2] + 0.6 * b->mean->clv[2])) / se;
	print_message("  mixed segments: %.4f +- %.4f against %.4f (z = %.2f)\n", r->mean->clv[2],
	              r->clv_se[2], 0.4 * a->mean->clv[2] + 0.6 * b->mean->clv[2], z);
	assert_true(fabs(z) <= 5.0);
	expect_free(a);
	expect_free(b);
	expect_free(r);
	scenario_free(s);
}

/* Poisson purchase counts alone need no integration: the exact engine's
   figure, bit for bit. */
static void poisson_only_is_certain(void **state)
{
	char text[2048];
	clv_scenario *s;
	clv_error err = {0};
	exact_result *e;
	expect_result *r;

	snprintf(text, sizeof text, "%spurchases_per_period: {dist: poisson, mean: 2}\n",
	         textbook_text);
	s = load(text);
	e = exact_scenario(s, 20, &err);
	r = expect_of(s, NULL);
	assert_non_null(e);
	assert_int_equal(r->method, EXPECT_CERTAIN);
	same_bits(r->mean, e);
	exact_free(e);
	expect_free(r);
	scenario_free(s);
}

/* ---- rules and accumulators ---------------------------------------------------- */

/* Each rule's weights sum to 1 and its level-1 node of a Gauss family is
   the mean; a plan over a linear margin takes one node. */
static void rules_and_linear_dimensions(void **state)
{
	clv_param p = {.kind = DIST_BETA, .a = 0.3, .b = 0.2, .lo = 0, .hi = 1};
	quad_rule r = {0};
	clv_error err = {0};
	clv_scenario *s = load("states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: 5\n"
	                       "discount_rate: 0.1\n"
	                       "margin: {dist: gamma, shape: 2, scale: 10, per: customer}\n");
	expect_plan *pl = expect_plan_create(s, EXPECT_SCOPE_CUSTOMER, 20, 0, &err);
	double sum = 0.0;
	size_t i;

	assert_int_equal(quad_rule_build(&p, 1, &r, &err), CLV_OK);
	assert_true(r.len == 1 && fabs(r.x[0] - 0.6) <= 1e-14 && r.w[0] == 1.0);
	quad_rule_free(&r);
	assert_int_equal(quad_rule_build(&p, QUAD_LEVELS, &r, &err), CLV_OK);
	assert_int_equal(r.len, 256);
	for (i = 0; i < r.len; i++)
		sum += r.w[i];
	assert_true(fabs(sum - 1.0) <= 1e-14);
	quad_rule_free(&r);
	assert_non_null(pl);
	assert_int_equal(expect_plan_points(pl), 1);
	assert_false(expect_plan_sparse(pl));
	expect_plan_free(pl);
	scenario_free(s);
}

/* Many nonlinear dimensions under a small budget: a sparse grid, still
   close to the tensor answer. */
static void sparse_grid(void **state)
{
	clv_scenario *s = load(
		"states: [A, B, C, lost]\ninitial: [0.4, 0.3, 0.3, 0]\n"
		"switching:\n  A: [0.7, 0.1, 0.1, 0.1]\n  B: [0.1, 0.7, 0.1, 0.1]\n"
		"  C: [0.1, 0.1, 0.7, 0.1]\n  lost: [0, 0, 0, 1]\n"
		"retention:\n  A: {dist: beta, a: 8, b: 2, per: customer}\n"
		"  B: {dist: beta, a: 6, b: 3, per: customer}\n"
		"  C: {dist: beta, a: 5, b: 5, per: customer}\n"
		"horizon: 12\ndiscount_rate: {dist: uniform, min: 0.02, max: 0.2, per: customer}\n"
		"margin: {A: 10, B: 20, C: 30, lost: 0}\n");
	clv_error err = {0};
	expect_plan *full = expect_plan_create(s, EXPECT_SCOPE_CUSTOMER, 20, 1000000, &err);
	expect_plan *small = expect_plan_create(s, EXPECT_SCOPE_CUSTOMER, 20, 2000, &err);
	exact_result *a, *b;

	assert_non_null(full);
	assert_non_null(small);
	assert_false(expect_plan_sparse(full));
	assert_true(expect_plan_sparse(small));
	assert_true(expect_plan_points(small) <= 2000);
	a = expect_plan_run(full, NULL, &err);
	b = expect_plan_run(small, NULL, &err);
	assert_non_null(a);
	assert_non_null(b);
	print_message("  tensor %zu points %.10f, sparse %zu points %.10f (difference %.1e, "
	              "estimate %.1e)\n", expect_plan_points(full), a->clv[4], expect_plan_points(small),
	              b->clv[4], rel(b->clv[4], a->clv[4]), expect_plan_error(small));
	assert_true(rel(b->clv[4], a->clv[4]) <= 1e-6);
	/* the combination coefficients sum to 1: period 0 keeps `initial` */
	assert_true(fabs(b->share[0] - 0.4) <= 1e-13 && fabs(b->share[3]) <= 1e-13);
	assert_true(rel(b->clv[4], a->clv[4]) <= 10.0 * expect_plan_error(small) + 1e-12);
	exact_free(a);
	exact_free(b);
	expect_plan_free(full);
	expect_plan_free(small);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(closed_form_per_customer),
		cmocka_unit_test(closed_form_per_replication),
		cmocka_unit_test(issue_figures),
		cmocka_unit_test(dirichlet_row_closed_form),
		cmocka_unit_test(one_dimensional_references),
		cmocka_unit_test(brute_force_per_customer),
		cmocka_unit_test(impossible_customers),
		cmocka_unit_test(brute_force_per_replication),
		cmocka_unit_test(plan_per_replication_draws),
		cmocka_unit_test(correlations_average),
		cmocka_unit_test(certain_is_exact),
		cmocka_unit_test(segments_mix),
		cmocka_unit_test(segments_mixed_methods),
		cmocka_unit_test(poisson_only_is_certain),
		cmocka_unit_test(rules_and_linear_dimensions),
		cmocka_unit_test(sparse_grid),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
