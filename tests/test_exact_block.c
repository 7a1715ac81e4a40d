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

/* The JSON document printed by `clvsim ARGS`. */
static json_t *clvsim_json(const char *args)
{
	const char *bin = getenv("CLVSIM");
	char cmd[1024];
	json_error_t jerr;
	json_t *doc;
	FILE *p;

	assert_non_null(bin);
	snprintf(cmd, sizeof cmd, "'%s' %s --format json", bin, args);
	p = popen(cmd, "r");
	assert_non_null(p);
	doc = json_loadf(p, 0, &jerr);
	assert_int_equal(pclose(p), 0);
	if (doc == NULL)
		fail_msg("%s: %s", cmd, jerr.text);
	return doc;
}

static double get(json_t *doc, const char *a, const char *b, const char *c, const char *d)
{
	json_t *v = json_object_get(doc, a);

	v = b ? json_object_get(v, b) : v;
	v = c ? json_object_get(v, c) : v;
	v = d ? json_object_get(v, d) : v;
	if (!json_is_number(v))
		fail_msg("%s.%s.%s.%s is not a number", a, b ? b : "", c ? c : "", d ? d : "");
	return json_number_value(v);
}

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
	doc = clvsim_json(args);
	got = get(doc, "exact", "clv", "total", NULL);
	printf("  %s: exact %.10f, closed form %.10f, at the means %.4f\n", file, got, want,
	       get(doc, "exact_at_means", "clv", "total", NULL));
	assert_true(fabs(got / want - 1.0) <= 1e-8);
	assert_true(fabs(get(doc, "exact_at_means", "clv", "total", NULL) - at_means) <= 0.01);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "exact"), "method")),
	                    "quadrature");
	json_decref(doc);

	snprintf(args, sizeof args, "run %s --quiet --replications 20 --customers 5000 --seed 3", file);
	doc = clvsim_json(args);
	assert_true(fabs(get(doc, "exact", "clv", "total", NULL) / want - 1.0) <= 1e-8);
	mean = get(doc, "mc", "clv", "total", "mean");
	se = get(doc, "mc", "clv", "total", "se");
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
	json_t *doc = clvsim_json("exact scenarios/textbook.yaml");

	(void)state;
	assert_null(json_object_get(doc, "exact_at_means"));
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "exact"), "method")),
	                    "certain");
	assert_true(fabs(get(doc, "exact", "clv", "A", NULL) - 689.38) < 0.005);
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
