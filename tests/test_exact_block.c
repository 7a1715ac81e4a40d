/*
 * test_exact_block.c - the "exact" block of `run` and `exact` is the
 * expectation over everything the scenario makes uncertain: the closed
 * forms E[r^t] = B(a+t, b) / B(a, b) of the statistics issue (366.77 where
 * the figure at the means is 295.07; 4.085 against 2.199), the figure at
 * the means kept as "exact_at_means", and the Monte Carlo mean within 5 of
 * its standard errors of the expectation (not of the figure at the means).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <gsl/gsl_sf_gamma.h>

#include "test_helpers.h"

/* sum_{t=0}^{T} m E[r^t] / (1 + d)^t, r ~ Beta(a, b). */
static double closed_form(double a, double b, double m, double d, int T)
{
	double sum = 0.0;
	int t;

	for (t = 0; t <= T; t++)
		sum += m * exp(gsl_sf_lnbeta(a + t, b) - gsl_sf_lnbeta(a, b)) / pow(1.0 + d, t);
	return sum;
}

static void exact_is_the_expectation(const char *file, double a, double b, double m, int T,
                                     double at_means)
{
	char args[512];
	json_t *doc;
	double want = closed_form(a, b, m, 0.10, T), got, mean, se;

	snprintf(args, sizeof args, "exact %s", file);
	doc = th_clvsim_json(args);
	got = th_json_number(doc, "exact.clv.total");
	printf("  %s: exact %.10f, closed form %.10f, at the means %.4f\n", file, got, want,
	       th_json_number(doc, "exact_at_means.clv.total"));
	assert_true(fabs(got / want - 1.0) <= 1e-8);
	assert_true(fabs(th_json_number(doc, "exact_at_means.clv.total") - at_means) <= 0.01);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "exact"), "method")),
	                    "quadrature");
	json_decref(doc);

	snprintf(args, sizeof args, "run %s --quiet --replications 20 --customers 5000 --seed 3", file);
	doc = th_clvsim_json(args);
	assert_true(fabs(th_json_number(doc, "exact.clv.total") / want - 1.0) <= 1e-8);
	mean = th_json_number(doc, "mc.clv.total.mean");
	se = th_json_number(doc, "mc.clv.total.se");
	printf("    run: mean %.4f se %.4f (%.2f se from the expectation)\n", mean, se,
	       (mean - want) / se);
	assert_true(fabs(mean - want) <= 5.0 * se);
	json_decref(doc);
}

static void beta_4_1_5(void **state)
{
	(void)state;
	exact_is_the_expectation("tests/data/expect/beta_4_1.5.yaml", 4, 1.5, 100, 20, 295.07);
}

static void beta_0_3_0_2(void **state)
{
	(void)state;
	exact_is_the_expectation("tests/data/expect/beta_0.3_0.2.yaml", 0.3, 0.2, 1, 12, 2.20);
}

/* Nothing uncertain: no exact_at_means block, method "certain". */
static void certain_has_no_at_means(void **state)
{
	json_t *doc = th_clvsim_json("exact scenarios/textbook.yaml");

	(void)state;
	assert_null(json_object_get(doc, "exact_at_means"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "exact"), "method")),
	                    "certain");
	assert_true(fabs(th_json_number(doc, "exact.clv.A") - 689.38) < 0.005);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(beta_4_1_5),
		cmocka_unit_test(beta_0_3_0_2),
		cmocka_unit_test(certain_has_no_at_means),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
