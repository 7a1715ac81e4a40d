/*
 * test_expect_draws.c - each replication's expected CLV given its draws
 * (engine/expect_draws.h): the draws are the Monte Carlo engine's own
 * (bit for bit, plain and Latin hypercube), their average is
 * expect_scenario's average over draws, the Monte Carlo replication
 * averages scatter around the per-replication figures within their
 * standard error, threads change nothing, and a rebound edit reuses the
 * uniforms (or is refused when its columns differ).
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
#include "engine/mc.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

#define REPS 40

/* Tiers with an uncertain margin (ordinary inherits it) and a
   per-customer retention. */
#define PYRAMID_EXTRA "margin: {Us: {dist: uniform, min: 250, max: 350}, Rival: 0, Lapsed: 0}\n" \
	"retention: {Rival: {dist: beta, a: 16, b: 4, per: customer}}\n"

static expect_draws *draws_of(clv_scenario *s, uint64_t reps, sample_method m, uint64_t seed)
{
	clv_error err = {0};
	expect_draws *d = expect_draws_create(s, reps, m, seed, &err);

	if (d == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(d);
	return d;
}

static double *all_of(const expect_draws *d, int threads)
{
	size_t n = expect_draws_states(d);
	double *clv = malloc(expect_draws_reps(d) * (n + 1) * sizeof *clv);
	clv_error err = {0};

	assert_non_null(clv);
	if (expect_draws_all(d, threads, clv, &err) != CLV_OK)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(err.status, CLV_OK);
	return clv;
}

/* The draws are mc_run's: the same column names and values, bit for bit. */
static void check_inputs_match(const char *name, const char *extra, sample_method m)
{
	clv_scenario *s = extra ? th_scenario_with(name, extra) : th_scenario(name);
	expect_draws *d = draws_of(s, REPS, m, 7);
	mc_config cfg;
	mc_result *r;
	size_t j, k = expect_draws_cols(d);
	uint64_t rep;
	double *row = malloc((k + 1) * sizeof *row);

	th_mc_config(&cfg, s, REPS, 50, 1);
	cfg.seed = 7;
	cfg.sampling = m;
	r = th_mc_run(s, &cfg);
	assert_true(k > 0);
	assert_int_equal(r->n_inputs, k);
	for (j = 0; j < k; j++)
		assert_string_equal(r->input_name[j], expect_draws_col_name(d, j));
	for (rep = 0; rep < REPS; rep++) {
		expect_draws_inputs(d, rep, row);
		assert_memory_equal(row, r->rep_input + rep * k, k * sizeof *row);
	}
	free(row);
	mc_free(r);
	expect_draws_free(d);
	scenario_free(s);
}

static void draws_are_the_monte_carlo_draws(void **state)
{
	(void)state;
	check_inputs_match("uncertain_retention", NULL, SAMPLE_MC);
	check_inputs_match("uncertain_retention", NULL, SAMPLE_LHS);
	check_inputs_match("customer_pyramid", PYRAMID_EXTRA,
	                   SAMPLE_MC);
}

/* The average of the per-replication figures is expect_scenario's
   average over the same draws. */
static void average_is_the_expectation(void **state)
{
	clv_scenario *s = th_scenario("uncertain_retention");
	expect_draws *d = draws_of(s, REPS, SAMPLE_MC, 5);
	expect_options o;
	expect_result *x;
	clv_error err = {0};
	size_t n = s->n, i;
	uint64_t r;
	double *clv = all_of(d, 1);

	expect_options_defaults(&o, s);
	o.seed = 5;
	o.replications = REPS;
	o.replications_only = true;
	x = expect_scenario(s, 0, &o, &err);
	assert_non_null(x);
	for (i = 0; i <= n; i++) {
		double sum = 0.0;
		for (r = 0; r < REPS; r++)
			sum += clv[r * (n + 1) + i];
		assert_true(fabs(sum / REPS - x->mean->clv[i]) <= 1e-9 * fmax(1.0, fabs(x->mean->clv[i])));
	}
	/* replications differ: the draws matter */
	assert_true(fabs(clv[n] - clv[(n + 1) + n]) > 1.0);
	expect_free(x);
	free(clv);
	expect_draws_free(d);
	scenario_free(s);
}

/* Monte Carlo replication r estimates replication r's figure: the paired
   differences average to 0 within 5 standard errors, and their spread is
   far below the spread between replications. */
static void monte_carlo_scatters_around_each_replication(void **state)
{
	clv_scenario *s = th_scenario("uncertain_retention");
	expect_draws *d = draws_of(s, REPS, SAMPLE_MC, 3);
	double *clv = all_of(d, 0);
	mc_config cfg;
	mc_result *m;
	size_t n = s->n;
	uint64_t r;
	double sum = 0.0, sum2 = 0.0, spread = 0.0, mean_x = 0.0, se;

	th_mc_config(&cfg, s, REPS, 2000, 0);
	cfg.seed = 3;
	m = th_mc_run(s, &cfg);
	for (r = 0; r < REPS; r++) {
		double dlt = m->rep_clv[r * (n + 1) + n] - clv[r * (n + 1) + n];
		sum += dlt;
		sum2 += dlt * dlt;
		mean_x += clv[r * (n + 1) + n] / REPS;
	}
	for (r = 0; r < REPS; r++)
		spread += pow(clv[r * (n + 1) + n] - mean_x, 2) / (REPS - 1);
	se = sqrt((sum2 - sum * sum / REPS) / (REPS - 1) / REPS);
	assert_true(fabs(sum / REPS) < 5.0 * se);
	assert_true((sum2 - sum * sum / REPS) / (REPS - 1) < 0.05 * spread);
	mc_free(m);
	free(clv);
	expect_draws_free(d);
	scenario_free(s);
}

static void threads_change_nothing(void **state)
{
	clv_scenario *s = th_scenario_with("customer_pyramid",
	                                   PYRAMID_EXTRA);
	expect_draws *d = draws_of(s, REPS, SAMPLE_MC, 11);
	double *one = all_of(d, 1), *two = all_of(d, 2);

	assert_memory_equal(one, two, REPS * (s->n + 1) * sizeof *one);
	free(one);
	free(two);
	expect_draws_free(d);
	scenario_free(s);
}

/* A copy with a fixed key changed uses the same uniforms: unchanged
   where the key is unchanged, and CLV linear in a fixed margin moves by
   exactly the margin's share. An edit that fixes a drawn assumption
   changes the columns: refused. */
static void rebind_reuses_the_uniforms(void **state)
{
	clv_scenario *s = th_scenario_with("uncertain_retention", "cost_per_period: {Ours: 1, Rival: 0, Lost: 0}\n");
	expect_draws *d = draws_of(s, REPS, SAMPLE_MC, 9), *e, *bad;
	clv_scenario *c = scenario_copy(s, NULL), *fixed = scenario_copy(s, NULL);
	clv_error err = {0};
	double *a = all_of(d, 1), *b;
	size_t n = s->n;

	assert_non_null(c);
	e = expect_draws_rebind(d, c, &err);
	assert_non_null(e);
	b = all_of(e, 2);
	assert_memory_equal(a, b, REPS * (n + 1) * sizeof *a);
	free(b);
	expect_draws_free(e);
	assert_int_equal(scenario_set_number(fixed, "margin.Ours", 30, &err), CLV_OK);
	bad = expect_draws_rebind(d, fixed, &err);
	assert_null(bad);
	assert_int_equal(err.status, CLV_ERR_INPUT);
	free(a);
	scenario_free(fixed);
	scenario_free(c);
	expect_draws_free(d);
	scenario_free(s);
}

/* Nothing drawn per replication: no columns, every replication is
   exact_scenario's figure. */
static void certain_scenario_has_no_columns(void **state)
{
	clv_scenario *s = th_scenario("textbook");
	expect_draws *d = draws_of(s, 3, SAMPLE_MC, 1);
	double *clv = all_of(d, 1);
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 0, &err);

	assert_int_equal(expect_draws_cols(d), 0);
	assert_non_null(ex);
	assert_memory_equal(clv, ex->clv, (s->n + 1) * sizeof *clv);
	assert_memory_equal(clv + 2 * (s->n + 1), ex->clv, (s->n + 1) * sizeof *clv);
	exact_free(ex);
	free(clv);
	expect_draws_free(d);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(draws_are_the_monte_carlo_draws),
		cmocka_unit_test(average_is_the_expectation),
		cmocka_unit_test(monte_carlo_scatters_around_each_replication),
		cmocka_unit_test(threads_change_nothing),
		cmocka_unit_test(rebind_reuses_the_uniforms),
		cmocka_unit_test(certain_scenario_has_no_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
