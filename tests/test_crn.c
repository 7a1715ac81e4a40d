/*
 * test_crn.c - common random numbers keyed by stable identities: adding
 * an unrelated uncertain assumption to a scenario leaves the draws of
 * every other assumption bit-identical, replication by replication, and a
 * comparison's standard error does not jump when one scenario gains an
 * almost fixed uncertain assumption (the statistics issue's case: a
 * campaign uplift of 0.05 against one uniform on [0.049, 0.051]).
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

#include <gsl/gsl_errno.h>

#include "test_helpers.h"
#include "engine/mc.h"
#include "scenario/scenario.h"

#define CRN "tests/data/crn/"

static mc_result *run_file(const char *file, clv_scenario **out, sample_method method)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(file, &err);
	mc_config cfg;
	mc_result *r;

	if (s == NULL)
		fail_msg("%s: %s", file, err.msg);
	mc_config_defaults(&cfg, s);
	cfg.replications = 30;
	cfg.customers = 200;
	cfg.sampling = method;
	r = mc_run(s, &cfg, &err);
	if (r == NULL)
		fail_msg("%s: %s", file, err.msg);
	*out = s;
	return r;
}

static size_t input_index(const mc_result *r, const char *name)
{
	size_t j;

	for (j = 0; j < r->n_inputs; j++)
		if (strcmp(r->input_name[j], name) == 0)
			return j;
	fail_msg("no input %s", name);
	return 0;
}

/* Every input of the baseline is drawn identically in the campaign that
   adds an uncertain uplift (plain Monte Carlo and Latin hypercube). */
static void draws_do_not_move(void **state)
{
	const sample_method methods[] = {SAMPLE_MC, SAMPLE_LHS};
	size_t m, j, k;
	uint64_t rep;

	(void)state;
	for (m = 0; m < 2; m++) {
		clv_scenario *a, *b;
		mc_result *ra = run_file(CRN "base.yaml", &a, methods[m]);
		mc_result *rb = run_file(CRN "campaign_uncertain.yaml", &b, methods[m]);
		assert_int_equal(rb->n_inputs, ra->n_inputs + 1);
		input_index(rb, "campaign.retention_uplift");
		for (j = 0; j < ra->n_inputs; j++) {
			k = input_index(rb, ra->input_name[j]);
			for (rep = 0; rep < ra->replications; rep++)
				assert_true(ra->rep_input[rep * ra->n_inputs + j] ==
				            rb->rep_input[rep * rb->n_inputs + k]);
		}
		mc_free(ra);
		mc_free(rb);
		scenario_free(a);
		scenario_free(b);
	}
}

/* vs_first.total.se of `clvsim compare base.yaml OTHER --format json`. */
static double compare_se(const char *other)
{
	char args[512];
	json_t *doc, *se;
	double v;

	snprintf(args, sizeof args, "compare %sbase.yaml %s%s --quiet", CRN, CRN, other);
	doc = th_clvsim_json(args);
	se = json_object_get(json_object_get(json_object_get(json_array_get(
	         json_object_get(doc, "scenarios"), 1), "vs_first"), "total"), "se");
	assert_true(json_is_number(se));
	v = json_number_value(se);
	json_decref(doc);
	return v;
}

static void comparison_se_is_stable(void **state)
{
	double fixed = compare_se("campaign_fixed.yaml");
	double drawn = compare_se("campaign_uncertain.yaml");

	(void)state;
	printf("  se of the difference: fixed uplift %.4f, uncertain uplift %.4f\n", fixed, drawn);
	assert_true(fixed > 0);
	assert_true(fabs(drawn / fixed - 1.0) <= 0.10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(draws_do_not_move),
		cmocka_unit_test(comparison_se_is_stable),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
