/*
 * test_sweep_vs.c - a sweep of a changed scenario against a base
 * (whatif_sweep_vs): each point's difference is compare's at the same
 * values (exact and the paired Monte Carlo mean and se, common random
 * numbers), the break-even of one key lies between grid values where the
 * difference changes sign and near solve's root, the contour of two keys
 * passes through points where the exact difference is 0, an uncertain
 * pair is expected on one footing, and the command's JSON and files.
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
#include "scenario/scenario.h"
#include "whatif/whatif.h"
#include "test_helpers.h"

static whatif_settings small(uint64_t reps, uint64_t customers)
{
	whatif_settings set;

	memset(&set, 0, sizeof set);
	set.replications = reps;
	set.customers = customers;
	return set;
}

static whatif_sweep *sweep_vs(const clv_scenario *b, const clv_scenario *s, const char *v1,
                              const char *v2, const whatif_settings *set)
{
	whatif_axis ax[2];
	clv_error err = {0};
	whatif_sweep *w;

	memset(ax, 0, sizeof ax);
	assert_int_equal(whatif_axis_parse(v1, &ax[0], &err), CLV_OK);
	if (v2 != NULL)
		assert_int_equal(whatif_axis_parse(v2, &ax[1], &err), CLV_OK);
	w = whatif_sweep_vs(b, s, ax, v2 ? 2 : 1, set, &err);
	if (w == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(w);
	whatif_axis_clear(&ax[0]);
	whatif_axis_clear(&ax[1]);
	return w;
}

static whatif_compare *compare_pair(const clv_scenario *b, const clv_scenario *s,
                                    const whatif_settings *set)
{
	const clv_scenario *pair[2] = {b, s};
	clv_error err = {0};
	whatif_compare *c = whatif_compare_run(pair, 2, set, false, &err);

	assert_non_null(c);
	return c;
}

/* At the point where the key has the file's value, the sweep's
   difference is compare's: the same runs on the same streams. */
static void point_is_compare(void **state)
{
	clv_scenario *b = th_scenario("brand_a"), *s = th_scenario("retention_campaign");
	whatif_settings set = small(12, 300);
	whatif_sweep *w = sweep_vs(b, s, "campaign.retention_uplift=0:0.2:0.05", NULL, &set);
	whatif_compare *c = compare_pair(b, s, &set);
	size_t n = w->n, p = 2, i; /* uplift 0.1, the file's */

	assert_true(w->versus);
	assert_true(w->x[p] == 0.1);
	for (i = 0; i <= n; i++) {
		const whatif_diff *d = &c->arm[1].diff[i];
		assert_true(fabs(w->diff_exact[p * (n + 1) + i] - d->exact) < 1e-9);
		assert_true(fabs(w->diff_mean[p * (n + 1) + i] - d->mean) < 1e-9);
		assert_true(fabs(w->diff_se[p * (n + 1) + i] - d->se) < 1e-9);
		assert_true(fabs(w->diff_lo90[p * (n + 1) + i] - d->lo90) < 1e-9);
	}
	/* uplift 0 with the campaign's cost: the programme loses 53.35 */
	assert_true(fabs(w->diff_exact[n] - (-53.35)) < 0.005);
	/* one break-even, between 0 and 0.05, near solve's 0.0357388 */
	assert_int_equal(w->n_breakeven, 1);
	assert_true(w->breakeven[0] > 0.0 && w->breakeven[0] < 0.05);
	assert_true(fabs(w->breakeven[0] - 0.0357388) < 0.002);
	whatif_compare_free(c);
	whatif_sweep_free(w);
	scenario_free(s);
	scenario_free(b);
}

static double total_of(clv_scenario *s)
{
	clv_error err = {0};
	expect_result *x = expect_scenario(s, 0, NULL, &err);
	double t;

	assert_non_null(x);
	t = x->mean->clv[s->n];
	expect_free(x);
	return t;
}

/* The exact difference at (uplift, cost): linear in the cost. */
static double diff_at(const clv_scenario *b, const clv_scenario *s, double uplift, double cost)
{
	clv_scenario *c = scenario_copy(s, NULL);
	clv_error err = {0};
	double tb, ts;

	assert_non_null(c);
	assert_int_equal(scenario_set_number(c, "campaign.retention_uplift", uplift, &err), CLV_OK);
	assert_int_equal(scenario_set_number(c, "campaign.cost", cost, &err), CLV_OK);
	ts = total_of(c);
	scenario_free(c);
	c = scenario_copy(b, NULL);
	tb = total_of(c);
	scenario_free(c);
	return ts - tb;
}

/* Every contour end on a line of constant uplift (where the difference
   is linear in the cost, so interpolation is exact) is a break-even. */
static void contour_is_break_even(void **state)
{
	clv_scenario *b = th_scenario("brand_a"), *s = th_scenario("retention_campaign");
	whatif_settings set = small(4, 100);
	whatif_sweep *w = sweep_vs(b, s, "campaign.retention_uplift=0:0.2:0.05",
	                           "campaign.cost=0:100:20", &set);
	size_t k, e, checked = 0;

	assert_true(w->n_breakeven >= 3);
	for (k = 0; k < w->n_breakeven; k++)
		for (e = 0; e < 2; e++) {
			double x = w->breakeven[4 * k + 2 * e], y = w->breakeven[4 * k + 2 * e + 1];
			double g = round(x / 0.05) * 0.05;
			assert_true(x >= 0.0 && x <= 0.2 && y >= 0.0 && y <= 100.0);
			if (fabs(x - g) > 1e-12)
				continue;
			assert_true(fabs(diff_at(b, s, x, y)) < 1e-6);
			checked++;
		}
	assert_true(checked >= 3);
	whatif_sweep_free(w);
	scenario_free(s);
	scenario_free(b);
}

/* An uncertain pair: the campaign's expectation is an average over
   draws, so the base's is too, over the same draws: the sweep's exact
   difference at the campaign's cost is compare's. */
static void uncertain_pair_on_one_footing(void **state)
{
	clv_scenario *b = th_scenario("uncertain_retention"), *s = th_scenario("uncertain_campaign");
	whatif_settings set = small(30, 40);
	whatif_sweep *w = sweep_vs(b, s, "campaign.cost=2.5:4.5:1", NULL, &set);
	whatif_compare *c = compare_pair(b, s, &set);
	size_t n = w->n;

	assert_true(w->x[1] == 3.5);
	assert_true(fabs(w->diff_exact[(n + 1) + n] - c->arm[1].diff[n].exact) < 1e-9);
	assert_true(fabs(w->diff_mean[(n + 1) + n] - c->arm[1].diff[n].mean) < 1e-9);
	whatif_compare_free(c);
	whatif_sweep_free(w);
	scenario_free(s);
	scenario_free(b);
}

static void command_json_and_files(void **state)
{
	char *dir = th_tmpdir("sweepvs"), out[600];
	th_child c;
	json_t *doc, *points;
	char *list;

	th_path(out, sizeof out, dir, "out");
	TH_RUN(&c, "sweep", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml", "--vary",
	       "campaign.retention_uplift=0:0.1:0.05", "--vary", "campaign.cost=0:50:25",
	       "--replications", "4", "--customers", "100", "--format", "json", "--out", out,
	       "--plot", "none", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "base"), "file")),
	                    "scenarios/brand_a.yaml");
	points = json_object_get(doc, "points");
	assert_int_equal(json_array_size(points), 9);
	assert_non_null(json_object_get(json_object_get(json_object_get(json_array_get(points, 0),
	                "diff"), "mc"), "se"));
	assert_true(json_array_size(json_object_get(doc, "breakeven")) > 0);
	assert_int_equal(json_array_size(json_array_get(json_object_get(doc, "breakeven"), 0)), 4);
	list = th_list_dir(out);
	assert_string_equal(list, "manifest.json\nsweep2.csv\nsweep2_breakeven.csv\n"
	                          "sweep2_diff.csv\nsweep2_states.csv\n");
	free(list);
	json_decref(doc);
	th_child_free(&c);
	TH_RUN(&c, "sweep", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml",
	       "scenarios/textbook.yaml", "--vary", "campaign.cost=0:50:25");
	th_expect_exit(&c, 2);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(point_is_compare),
		cmocka_unit_test(contour_is_break_even),
		cmocka_unit_test(uncertain_pair_on_one_footing),
		cmocka_unit_test(command_json_and_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
