/*
 * test_solve.c - goal seek and break-even (whatif/solve.h): against the
 * closed form of a CLV linear in a margin (the root, and every
 * replication's own root, target / slope); retention and campaign roots
 * checked by evaluating the exact engine on both sides of the root; the
 * issue's break-even uplift of about 0.036; the acceptability curve
 * against the roots; the error when [LO, HI] does not bracket; threads;
 * the censored quantile; and the command's JSON and errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "engine/expect.h"
#include "engine/expect_draws.h"
#include "scenario/scenario.h"
#include "whatif/solve.h"
#include "test_helpers.h"

#define REPS 40

/* A campaign on uncertain retention: the uplift is fixed, its cost is
   what break-even is solved for. */
#define CAMPAIGN "campaign: {brand: Ours, cost: 1, target: own, retention_uplift: 0.02}\n"

static whatif_solve *solve_of(const clv_scenario *base, const clv_scenario *s, const char *find,
                              double target, const char *state, int threads)
{
	whatif_settings set;
	whatif_find f;
	clv_error err = {0};
	whatif_solve *v;

	memset(&set, 0, sizeof set);
	set.replications = REPS;
	set.threads = threads;
	assert_int_equal(whatif_find_parse(find, &f, &err), CLV_OK);
	v = whatif_solve_run(base, s, &f, target, state, &set, &err);
	if (v == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(v);
	whatif_find_clear(&f);
	return v;
}

/* The exact expectation of s's figure `index` with key at x. */
static double expectation_at(const clv_scenario *s, const char *key, double x, size_t index,
                             uint64_t seed)
{
	clv_error err = {0};
	clv_scenario *c = scenario_copy(s, &err);
	expect_options o;
	expect_result *r;
	double v;

	assert_non_null(c);
	assert_int_equal(scenario_set_number(c, key, x, &err), CLV_OK);
	expect_options_defaults(&o, c);
	o.seed = seed;
	o.replications = REPS;
	r = expect_scenario(c, 0, &o, &err);
	assert_non_null(r);
	v = r->mean->clv[index];
	expect_free(r);
	scenario_free(c);
	return v;
}

/* Replication r's figure `index` of s with key at x (draws of seed). */
static double replication_at(const clv_scenario *s, const char *key, double x, size_t index,
                             uint64_t seed, uint64_t r)
{
	clv_error err = {0};
	clv_scenario *c = scenario_copy(s, &err);
	expect_draws *d;
	double clv[CLV_MAX_STATES + 1];

	assert_non_null(c);
	if (key != NULL)
		assert_int_equal(scenario_set_number(c, key, x, &err), CLV_OK);
	d = expect_draws_create(c, REPS, SAMPLE_MC, seed, &err);
	assert_non_null(d);
	assert_int_equal(expect_draws_clv(d, r, clv, &err), CLV_OK);
	expect_draws_free(d);
	scenario_free(c);
	return clv[index];
}

static bool close_rel(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(fabs(b), 1e-12);
}

/* CLV is linear in a fixed margin: F(m) = c m, so the root is target / c,
   and replication r's root is target / c_r. */
static void linear_margin_closed_form(void **state)
{
	clv_scenario *s = th_scenario("brand_a");
	whatif_solve *v = solve_of(NULL, s, "margin.A=100:900", 800.0, NULL, 1);
	double c = expectation_at(s, "margin.A", 1.0, s->n, 42);

	assert_true(close_rel(v->value, 800.0 / c, 2e-6));
	assert_true(close_rel(v->value, 800.0 * 500.0 / 1067.0, 1e-4)); /* 1067.00 at 500 */
	assert_false(v->uncertain);
	assert_true(v->lo90 == v->value && v->hi90 == v->value);
	assert_true(isnan(v->value_se)); /* an exact expectation */
	whatif_solve_free(v);
	scenario_free(s);
}

static void linear_margin_per_replication(void **state)
{
	clv_scenario *s = th_scenario("uncertain_retention");
	whatif_solve *v = solve_of(NULL, s, "margin.Ours=10:80", 400.0, NULL, 2);
	double c = expectation_at(s, "margin.Ours", 1.0, s->n, v->seed);
	double *sorted = malloc(REPS * sizeof *sorted);
	uint64_t r;
	size_t q;

	assert_true(v->uncertain);
	assert_true(close_rel(v->value, 400.0 / c, 2e-6));
	for (r = 0; r < REPS; r++) {
		double cr = replication_at(s, "margin.Ours", 1.0, s->n, v->seed, r);
		double want = 400.0 / cr;
		if (want < 10.0)
			assert_true(isinf(v->root[r]) && v->root[r] < 0);
		else if (want > 80.0)
			assert_true(isinf(v->root[r]) && v->root[r] > 0);
		else
			assert_true(close_rel(v->root[r], want, 2e-6));
		sorted[r] = v->root[r];
	}
	for (r = 1; r < REPS; r++) /* insertion sort: few values */
		for (q = r; q > 0 && sorted[q - 1] > sorted[q]; q--) {
			double t = sorted[q];
			sorted[q] = sorted[q - 1];
			sorted[q - 1] = t;
		}
	assert_true(v->lo90 == whatif_quantile_censored(sorted, REPS, 0.05));
	assert_true(v->hi90 == whatif_quantile_censored(sorted, REPS, 0.95));
	assert_true(v->pct[3] == whatif_quantile_censored(sorted, REPS, 0.5));
	assert_true(v->lo90 < v->value && v->value < v->hi90);
	free(sorted);
	whatif_solve_free(v);
	scenario_free(s);
}

/* Retention: the exact engine on both sides of the root is on both
   sides of the target. */
static void retention_root_brackets(void **state)
{
	clv_scenario *s = th_scenario("textbook");
	size_t a = scenario_state_index(s, "A");
	whatif_solve *v = solve_of(NULL, s, "retention.A=0.5:0.95", 700.0, "A", 1);
	double d = 1e-5 * v->value;
	double below = expectation_at(s, "retention.A", v->value - d, a, 42);
	double above = expectation_at(s, "retention.A", v->value + d, a, 42);
	double at = expectation_at(s, "retention.A", v->value, a, 42);

	assert_true((below - 700.0) * (above - 700.0) < 0.0);
	assert_true(fabs(at - 700.0) < fabs(above - below));
	assert_string_equal(v->state, "A");
	whatif_solve_free(v);
	scenario_free(s);
}

/* The question: what uplift breaks even? About 0.036. */
static void break_even_uplift(void **state)
{
	clv_scenario *b = th_scenario("brand_a"), *s = th_scenario("retention_campaign");
	whatif_solve *v = solve_of(b, s, "campaign.retention_uplift=0:0.2", 0.0, NULL, 1);
	double base = expectation_at(b, "discount_rate", 0.09, b->n, 42);
	double d = 1e-5 * v->value;

	assert_true(fabs(v->value - 0.036) < 0.001);
	assert_true(expectation_at(s, "campaign.retention_uplift", v->value - d, s->n, 42) < base);
	assert_true(expectation_at(s, "campaign.retention_uplift", v->value + d, s->n, 42) > base);
	assert_true(v->f_lo < 0.0 && v->f_hi > 0.0);
	assert_true(v->versus);
	whatif_solve_free(v);
	scenario_free(s);
	scenario_free(b);
}

/* Break-even under uncertainty, base and change on the same draws: every
   replication's own root sits between values where that replication's
   difference changes sign; the curve is the roots' distribution. */
static void campaign_roots_per_replication(void **state)
{
	clv_scenario *b = th_scenario("uncertain_retention");
	clv_scenario *s = th_scenario_with("uncertain_retention", CAMPAIGN);
	whatif_solve *v = solve_of(b, s, "campaign.cost=0:40", 0.0, NULL, 2);
	uint64_t r;
	size_t g, inside = 0;

	assert_true(v->uncertain);
	for (r = 0; r < REPS; r += 7) {
		double x = v->root[r], d, lo, hi, base;
		if (isinf(x))
			continue;
		inside++;
		d = 1e-4 * fmax(x, 1e-3);
		base = replication_at(b, NULL, 0.0, b->n, v->seed, r);
		lo = replication_at(s, "campaign.cost", x - d, s->n, v->seed, r) - base;
		hi = replication_at(s, "campaign.cost", x + d, s->n, v->seed, r) - base;
		assert_true(lo > 0.0 && hi < 0.0); /* a higher cost pays less */
	}
	assert_true(inside > 0);
	for (g = 0; g < v->n_curve; g++) { /* falling: pays where x < root */
		size_t above = 0;
		for (r = 0; r < REPS; r++)
			above += v->root[r] > v->x[g];
		assert_true(fabs(v->p_pays[g] - (double)above / REPS) < 1e-12);
	}
	assert_true(v->p_pays[0] >= v->p_pays[v->n_curve - 1]);
	/* an expectation averaged over draws is over these very draws, for
	   both scenarios alike: the mean of the replications' differences */
	assert_int_equal(v->method, EXPECT_REPLICATIONS);
	assert_true(v->value_se > 0.0 && v->value_se < 0.5); /* the root of an average */
	for (g = 0; g < v->n_curve; g++)
		assert_true(fabs(v->exact[g] - v->mean[g]) < 1e-9 * (1.0 + fabs(v->mean[g])));
	whatif_solve_free(v);
	scenario_free(s);
	scenario_free(b);
}

static void no_bracket_is_an_error(void **state)
{
	clv_scenario *b = th_scenario("brand_a"), *s = th_scenario("retention_campaign");
	whatif_settings set;
	whatif_find f;
	clv_error err = {0};

	memset(&set, 0, sizeof set);
	assert_int_equal(whatif_find_parse("campaign.retention_uplift=0.05:0.2", &f, &err), CLV_OK);
	assert_null(whatif_solve_run(b, s, &f, 0.0, NULL, &set, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "does not bracket"));
	assert_non_null(strstr(err.msg, "22.56")); /* the value at LO */
	assert_non_null(strstr(err.msg, "312.16")); /* and at HI */
	whatif_find_clear(&f);
	err = (clv_error){0};
	assert_int_equal(whatif_find_parse("margin.A=5:1", &f, &err), CLV_ERR_USAGE);
	err = (clv_error){0};
	assert_int_equal(whatif_find_parse("margin.A=1", &f, &err), CLV_ERR_USAGE);
	err = (clv_error){0};
	assert_int_equal(whatif_find_parse("horizon=1:9", &f, &err), CLV_OK);
	assert_null(whatif_solve_run(NULL, s, &f, 1.0, NULL, &set, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	whatif_find_clear(&f);
	scenario_free(s);
	scenario_free(b);
}

static void threads_change_nothing(void **state)
{
	clv_scenario *b = th_scenario("uncertain_retention");
	clv_scenario *s = th_scenario_with("uncertain_retention", CAMPAIGN);
	whatif_solve *one = solve_of(b, s, "campaign.cost=0:40", 0.0, NULL, 1);
	whatif_solve *two = solve_of(b, s, "campaign.cost=0:40", 0.0, NULL, 2);

	assert_memory_equal(one->root, two->root, REPS * sizeof *one->root);
	assert_memory_equal(one->p_pays, two->p_pays, one->n_curve * sizeof *one->p_pays);
	assert_true(one->value == two->value);
	whatif_solve_free(one);
	whatif_solve_free(two);
	scenario_free(s);
	scenario_free(b);
}

static void censored_quantile(void **state)
{
	const double v[] = {-INFINITY, 1.0, 2.0, 3.0, INFINITY};

	assert_true(isinf(whatif_quantile_censored(v, 5, 0.0)));
	assert_true(whatif_quantile_censored(v, 5, 0.5) == 2.0);
	assert_true(whatif_quantile_censored(v, 5, 0.375) == 1.5);
	assert_true(isinf(whatif_quantile_censored(v, 5, 0.1)) && whatif_quantile_censored(v, 5, 0.1) < 0);
	assert_true(isinf(whatif_quantile_censored(v, 5, 0.9)) && whatif_quantile_censored(v, 5, 0.9) > 0);
	assert_true(whatif_quantile_censored(v, 5, 0.75) == 3.0);
}

static void command_json_and_errors(void **state)
{
	th_child c;
	json_t *doc, *curve;

	TH_RUN(&c, "solve", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml", "--find",
	       "campaign.retention_uplift=0:0.2", "--format", "json");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "solve"), "key")),
	                    "campaign.retention_uplift");
	assert_true(fabs(th_json_number(doc, "solve.value") - 0.0357388) < 1e-6);
	assert_true(th_json_number(doc, "solve.target") == 0.0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(doc, "solve"), "interval90")), 2);
	assert_true(th_json_number(doc, "solve.percentiles.p50") == th_json_number(doc, "solve.value"));
	curve = json_object_get(json_object_get(doc, "solve"), "curve");
	assert_int_equal(json_array_size(curve), SOLVE_CURVE_POINTS);
	assert_true(json_number_value(json_array_get(json_array_get(curve, 0), 1)) == 0.0);
	json_decref(doc);
	th_child_free(&c);

	TH_RUN(&c, "solve", "scenarios/brand_a.yaml", "--target", "900");
	th_expect_exit(&c, 2);
	assert_non_null(strstr(c.err, "--find"));
	th_child_free(&c);
	TH_RUN(&c, "solve", "scenarios/brand_a.yaml", "--find", "margin.A=1:900");
	th_expect_exit(&c, 2);
	assert_non_null(strstr(c.err, "--target"));
	th_child_free(&c);
	TH_RUN(&c, "solve", "scenarios/brand_a.yaml", "--find", "margin.A=1:900", "--target", "9",
	       "--state", "Z");
	th_expect_exit(&c, 2);
	th_child_free(&c);
	TH_RUN(&c, "solve", "scenarios/brand_a.yaml", "--find", "margin.A=1:900", "--target", "x");
	th_expect_exit(&c, 2);
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(linear_margin_closed_form),
		cmocka_unit_test(linear_margin_per_replication),
		cmocka_unit_test(retention_root_brackets),
		cmocka_unit_test(break_even_uplift),
		cmocka_unit_test(campaign_roots_per_replication),
		cmocka_unit_test(no_bracket_is_an_error),
		cmocka_unit_test(threads_change_nothing),
		cmocka_unit_test(censored_quantile),
		cmocka_unit_test(command_json_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
