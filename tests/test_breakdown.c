/*
 * test_breakdown.c - the figures beside one CLV (engine/mc_figures.c,
 * engine/breakdown.c and their reports): each customer tier against the
 * tier run alone and its exact expectation, with an honest se (the spread
 * of the tier's mean over seeds against its reported se); P(CLV < 0) and
 * P(total > 0) against the paths enumerated by hand; the offer spend of a
 * campaign aimed at every customer on its own line, the rivals' rows 0;
 * through the binary: P(share falls) against the iteration table
 * (replications.csv), the tiers in JSON and segments.csv, compare's offer
 * spend line, tornado without uncertain assumptions (exit 2).
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

#include "engine/breakdown.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/mc.h"
#include "output/csv.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* |mc - exact| within 5 se (and rounding when se is 0). */
static void assert_5se(const char *what, double mc, double exact, double se)
{
	if (!(fabs(mc - exact) <= 5.0 * se + 1e-9 * (1.0 + fabs(exact))))
		fail_msg("%s: MC %.6g, exact %.6g, se %.3g", what, mc, exact, se);
}

static expect_result *expectation(clv_scenario *s)
{
	clv_error err = {0};
	expect_result *x = expect_scenario(s, 20, NULL, &err);

	if (x == NULL)
		fail_msg("expect_scenario: %s", err.msg);
	return x;
}

/* The pyramid with the key tier's loyalty uncertain per replication. */
static clv_scenario *pyramid(void)
{
	return th_scenario_with("customer_pyramid",
	                        "segments: {key: {retention: {Us: {dist: beta, a: 90, b: 10}}}}\n");
}

/* ---- tiers ----------------------------------------------------------------- */

/* Each tier: its exact expectation alone, mixing to the whole base's; the
   Monte Carlo mean of its customers within 5 se of that and of the tier
   run on its own; the se by replications where the tier draws per
   replication, over its customers where it does not. */
static void tiers_alone_and_in_the_mix(void **state)
{
	clv_error err = {0};
	clv_scenario *s = pyramid();
	expect_result *whole = expectation(s);
	breakdown *b = breakdown_create(&err);
	mc_config cfg;
	mc_result *r;
	double mix = 0.0;
	size_t k;

	(void)state;
	assert_int_equal(breakdown_segments(b, s, 20, NULL, &err), CLV_OK);
	assert_int_equal(b->n_segments, 3);
	th_mc_config(&cfg, s, 60, 600, 0);
	r = th_mc_run(s, &cfg);
	assert_int_equal(r->n_segments, 3);
	for (k = 0; k < 3; k++) {
		const mc_segment *sg = &r->segment[k];
		mc_result *alone;
		double se;
		mix += s->segment_weight[k] * b->segment[k]->mean->clv[3];
		assert_5se(s->segment_name[k], sg->clv[3].mean, b->segment[k]->mean->clv[3], sg->clv[3].se);
		assert_int_equal(sg->se_method, k == 0 ? MC_SE_REPLICATIONS : MC_SE_CUSTOMERS);
		assert_true(sg->customers == (uint64_t)llround(600 * s->segment_weight[k]));
		assert_true(sg->clv[3].p05 <= sg->clv[3].p50 && sg->clv[3].p50 <= sg->clv[3].p95);
		/* the tier run alone: another estimate of the same expectation */
		alone = th_mc_run(s->segments[k], &cfg);
		se = sqrt(sg->clv[3].se * sg->clv[3].se + alone->clv[3].se * alone->clv[3].se);
		assert_5se("tier alone", sg->clv[3].mean, alone->clv[3].mean, se);
		mc_free(alone);
	}
	assert_true(fabs(mix - whole->mean->clv[3]) <= 1e-9 * fabs(mix));
	/* the key tier's loyalty is uncertain: its figure is an expectation */
	assert_int_equal(b->segment[0]->method, EXPECT_QUADRATURE);
	assert_non_null(b->segment_at_means[0]);
	assert_null(b->segment_at_means[1]);
	mc_free(r);
	breakdown_free(b);
	expect_free(whole);
	scenario_free(s);
}

/* The spread of a tier's mean over 40 seeds against its mean reported
   se: within [0.6, 1.5] (about 4 standard errors of the ratio), for the
   tier drawn per replication and for one of independent customers. */
static void tier_se_is_honest(void **state)
{
	clv_scenario *s = pyramid();
	double mean[2][40], se[2] = {0, 0};
	const size_t tier[2] = {0, 2};
	mc_config cfg;
	int seed, j;

	(void)state;
	for (seed = 0; seed < 40; seed++) {
		mc_result *r;
		th_mc_config(&cfg, s, 20, 300, 0);
		cfg.seed = 1000 + (uint64_t)seed;
		r = th_mc_run(s, &cfg);
		for (j = 0; j < 2; j++) {
			mean[j][seed] = r->segment[tier[j]].clv[3].mean;
			se[j] += r->segment[tier[j]].clv[3].se / 40.0;
		}
		mc_free(r);
	}
	for (j = 0; j < 2; j++) {
		double m = 0.0, ss = 0.0, ratio;
		for (seed = 0; seed < 40; seed++)
			m += mean[j][seed] / 40.0;
		for (seed = 0; seed < 40; seed++)
			ss += (mean[j][seed] - m) * (mean[j][seed] - m);
		ratio = sqrt(ss / 39.0) / se[j];
		fprintf(stderr, "  tier %s (se by %s): spread of the mean over 40 seeds / mean se = %.3f\n",
		        s->segment_name[tier[j]], j == 0 ? "replications" : "customers", ratio);
		if (!(ratio >= 0.6 && ratio <= 1.5))
			fail_msg("tier %s: spread over seeds / mean se = %.3f", s->segment_name[tier[j]],
			         ratio);
	}
	scenario_free(s);
}

/* ---- event probabilities -------------------------------------------------------- */

/* Customers start at Us and leave for Gone (absorbing, costing 5 a period)
   with probability 0.2 a period: with k periods at Us before leaving (P =
   0.8^(k-1) 0.2, k = 1..3; k = 4: never), CLV_Us = 10 sum_{t<k} 1.1^-t,
   CLV_Gone = -5 sum_{k<=t<=3} 1.1^-t, total = both - 12 (acquisition). */
static void events_against_enumeration(void **state)
{
	static const char yaml[] =
		"states: [Us, Gone]\ninitial: [1, 0]\nswitching: {Us: [0.8, 0.2], Gone: [0, 1]}\n"
		"horizon: 3\ndiscount_rate: 0.1\nmargin: {Us: 10, Gone: 0}\n"
		"cost_per_period: {Us: 0, Gone: 5}\nacquisition_cost: 12\n";
	clv_scenario *s = th_load_text("tests/gone.yaml", yaml);
	double p_gone = 0.0, p_neg = 0.0, p_pos = 0.0, N = 40.0 * 4000.0;
	mc_config cfg;
	mc_result *r;
	int k, t;

	(void)state;
	for (k = 1; k <= 4; k++) {
		double p = k < 4 ? pow(0.8, k - 1) * 0.2 : pow(0.8, 3), us = 0.0, gone = 0.0;
		for (t = 0; t <= 3; t++) {
			if (t < k)
				us += 10.0 * pow(1.1, -t);
			else
				gone -= 5.0 * pow(1.1, -t);
		}
		p_gone += gone < 0.0 ? p : 0.0;
		p_neg += us + gone - 12.0 < 0.0 ? p : 0.0;
		p_pos += us + gone - 12.0 > 0.0 ? p : 0.0;
	}
	assert_true(fabs(p_gone - 0.488) < 1e-12 && fabs(p_neg - 0.36) < 1e-12);
	th_mc_config(&cfg, s, 40, 4000, 0);
	r = th_mc_run(s, &cfg);
	/* nothing is drawn per replication: every customer is independent */
	assert_int_equal(r->se_method, MC_SE_CUSTOMERS);
	assert_true(r->p_negative[0] == 0.0);
	assert_5se("P(CLV_Gone < 0)", r->p_negative[1], p_gone, r->p_negative_se[1]);
	assert_5se("P(total < 0)", r->p_negative[2], p_neg, r->p_negative_se[2]);
	assert_5se("P(total > 0)", r->p_exceeds_acquisition, p_pos, r->p_exceeds_acquisition_se);
	fprintf(stderr, "  P(CLV_Gone < 0) %.4f (exact %.4f, se %.4f), P(total < 0) %.4f (exact %.4f, "
	        "se %.4f)\n", r->p_negative[1], p_gone, r->p_negative_se[1], r->p_negative[2], p_neg,
	        r->p_negative_se[2]);
	/* an indicator's se: sqrt(p (1 - p) / (N - 1)) with the sample variance */
	assert_true(fabs(r->p_negative_se[2] - sqrt(r->p_negative[2] * (1 - r->p_negative[2]) /
	                                           (N - 1.0))) < 1e-12);
	mc_free(r);
	scenario_free(s);
}

/* A win-back aimed at every customer: the rivals earn nothing and their
   rows are 0 exactly, the campaign's cost is the offer spend (MC within 5
   se of the exact), and every customer's total is the states less it. */
static void offer_spend_of_a_campaign_to_all(void **state)
{
	static const char yaml[] =
		"states: [Us, Big, Value, Niche]\ninitial: [0.25, 0.25, 0.25, 0.25]\n"
		"switching:\n  Us: [0.7, 0.1, 0.1, 0.1]\n  Big: [0.1, 0.7, 0.1, 0.1]\n"
		"  Value: [0.1, 0.1, 0.7, 0.1]\n  Niche: [0.1, 0.1, 0.1, 0.7]\n"
		"horizon: 4\ndiscount_rate: 0.1\nmargin: {Us: 200, Big: 0, Value: 0, Niche: 0}\n"
		"campaign: {brand: Us, cost: {dist: uniform, min: 2, max: 4}, target: all, win_from: "
		"{Big: 0.1, Value: 0.1, Niche: 0.1}, periods: 2}\n";
	clv_scenario *s = th_load_text("tests/winback.yaml", yaml);
	expect_result *x = expectation(s);
	mc_config cfg;
	mc_result *r;
	size_t i;

	(void)state;
	th_mc_config(&cfg, s, 40, 1000, 0);
	r = th_mc_run(s, &cfg);
	for (i = 1; i < 4; i++)
		assert_true(r->clv[i].mean == 0.0 && x->mean->clv[i] == 0.0);
	assert_true(r->offer_spend.se > 0.0);
	assert_5se("offer spend", r->offer_spend.mean, x->mean->offer_spend, r->offer_spend.se);
	assert_true(fabs(x->mean->offer_spend - 3.0 * (1.0 + 1.0 / 1.1)) < 1e-9);
	assert_true(fabs(r->clv[4].mean - (r->clv[0].mean - r->offer_spend.mean)) < 1e-9);
	assert_true(fabs(x->mean->clv[4] - (x->mean->clv[0] - x->mean->offer_spend)) < 1e-9);
	mc_free(r);
	expect_free(x);
	scenario_free(s);
}

/* ---- through the binary -------------------------------------------------------- */

/* The column of replications.csv named `name`; the rows into rows[]. */
static size_t read_column(const char *path, const char *name, double *rows, size_t cap)
{
	FILE *f = fopen(path, "r");
	clv_error err = {0};
	csv_reader *rd;
	size_t col = (size_t)-1, n = 0, i;
	bool got;

	assert_non_null(f);
	rd = csv_reader_create(f, path, &err);
	assert_non_null(rd);
	assert_int_equal(csv_reader_next(rd, &got, &err), CLV_OK);
	for (i = 0; got && i < csv_reader_count(rd); i++)
		if (strcmp(csv_reader_field(rd, i), name) == 0)
			col = i;
	if (col == (size_t)-1)
		fail_msg("%s: no column %s", path, name);
	while (csv_reader_next(rd, &got, &err) == CLV_OK && got && n < cap)
		rows[n++] = strtod(csv_reader_field(rd, col), NULL);
	csv_reader_free(rd);
	fclose(f);
	return n;
}

/* mc.p_share_falls is the fraction of the iteration table's rows whose
   share_end is below the initial share; the table's outputs average to
   the reported means; its inputs are named by key path. */
static void share_falls_from_the_iteration_table(void **state)
{
	static const char yaml[] =
		"states: [A, B]\ninitial: [0.5, 0.5]\n"
		"switching: {A: [{dist: beta, a: 70, b: 30}, 0.3], B: [0.3, 0.7]}\n"
		"horizon: 4\ndiscount_rate: 0.1\nmargin: {A: {dist: normal, mean: 100, sd: 10}, B: 0}\n";
	char *dir = th_tmpdir("falls"), file[512], table[512];
	double share[64], clv[64], input[64];
	th_child c;
	json_t *doc;
	size_t n, k, falls = 0;
	double mean = 0.0;

	(void)state;
	th_write_file(th_path(file, sizeof file, dir, "falls.yaml"), yaml);
	TH_RUN(&c, "run", file, "--replications", "40", "--customers", "500", "--out", dir,
	       "--plot", "none", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	th_path(table, sizeof table, dir, "replications.csv");
	n = read_column(table, "share_end.A", share, 64);
	assert_int_equal(n, 40);
	for (k = 0; k < n; k++)
		falls += share[k] < 0.5;
	assert_true(falls > 0 && falls < n); /* not a foregone event here */
	assert_true(th_json_number(doc, "mc.p_share_falls.A") == (double)falls / 40.0);
	assert_true(fabs(th_json_number(doc, "mc.p_share_falls_se.A") -
	                 sqrt(falls / 40.0 * (1 - falls / 40.0) / 40.0)) < 1e-12);
	assert_int_equal(read_column(table, "clv.total", clv, 64), 40);
	for (k = 0; k < n; k++)
		mean += clv[k] / 40.0;
	assert_true(fabs(mean - th_json_number(doc, "mc.clv.total.mean")) < 1e-8 * fabs(mean));
	assert_int_equal(read_column(table, "switching.A.A", input, 64), 40);
	for (k = 0; k < n; k++)
		assert_true(input[k] > 0.4 && input[k] < 0.95);
	assert_int_equal(read_column(table, "margin.A", input, 64), 40);
	json_decref(doc);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* The pyramid's tiers in JSON (exact and Monte Carlo, shares of value
   adding to 1) and in segments.csv. */
static void tiers_in_json_and_csv(void **state)
{
	char *dir = th_tmpdir("tiers"), table[512];
	double share[8];
	th_child c;
	json_t *doc;

	(void)state;
	TH_RUN(&c, "run", "scenarios/customer_pyramid.yaml", "--replications", "10", "--customers",
	       "1000", "--out", dir, "--plot", "none", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	/* the shipped file's own comment: 8505.71, 881.86, 143.59, key ~78% */
	assert_true(fabs(th_json_number(doc, "exact.segments.key.clv.total") - 8505.71) < 0.005);
	assert_true(fabs(th_json_number(doc, "exact.segments.ordinary.clv.total") - 881.86) < 0.005);
	assert_true(fabs(th_json_number(doc, "exact.segments.small.clv.total") - 143.59) < 0.005);
	assert_true(fabs(th_json_number(doc, "exact.segments.key.share_of_value") - 0.7785) < 5e-5);
	assert_true(fabs(th_json_number(doc, "exact.segments.key.share_of_value") +
	                 th_json_number(doc, "exact.segments.ordinary.share_of_value") +
	                 th_json_number(doc, "exact.segments.small.share_of_value") - 1) < 1e-12);
	assert_true(fabs(th_json_number(doc, "mc.segments.key.share_of_value") +
	                 th_json_number(doc, "mc.segments.ordinary.share_of_value") +
	                 th_json_number(doc, "mc.segments.small.share_of_value") - 1) < 1e-9);
	assert_true(th_json_number(doc, "mc.segments.small.clv.Us.se") > 0);
	assert_true(th_json_number(doc, "mc.segments.small.clv.total.p_negative") == 0);
	th_path(table, sizeof table, dir, "segments.csv");
	/* rows: 3 tiers and "all", 4 rows each (states, total) */
	assert_int_equal(read_column(table, "share_of_value", share, 8), 8);
	json_decref(doc);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* Compare: the loyalty programme's cost on its own line (25 a year while
   at A), A's gain before it, the rivals' rows untouched. */
static void compare_offer_spend_line(void **state)
{
	th_child c;
	json_t *doc, *arm;

	(void)state;
	TH_RUN(&c, "compare", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml",
	       "--replications", "10", "--customers", "500", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	arm = json_array_get(json_object_get(doc, "scenarios"), 1);
	assert_true(fabs(th_json_number(arm, "vs_first.offer_spend.exact") - 61.84) < 0.005);
	assert_true(th_json_number(arm, "vs_first.B.exact") == 0.0);
	assert_true(fabs(th_json_number(arm, "vs_first.A.exact") -
	                 th_json_number(arm, "vs_first.offer_spend.exact") -
	                 th_json_number(arm, "vs_first.total.exact")) < 1e-9);
	json_decref(doc);
	th_child_free(&c);
}

/* Tornado with nothing uncertain: a message naming what to do, exit 2. */
static void tornado_needs_uncertainty(void **state)
{
	th_child c;

	(void)state;
	TH_RUN(&c, "tornado", "scenarios/textbook.yaml");
	th_expect_exit(&c, 2);
	assert_int_equal(c.out_len, 0);
	assert_non_null(strstr(c.err, "no uncertain assumption"));
	assert_non_null(strstr(c.err, "distribution"));
	assert_non_null(strstr(c.err, "clvsim sweep scenarios/textbook.yaml --vary"));
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tiers_alone_and_in_the_mix),
		cmocka_unit_test(tier_se_is_honest),
		cmocka_unit_test(events_against_enumeration),
		cmocka_unit_test(offer_spend_of_a_campaign_to_all),
		cmocka_unit_test(share_falls_from_the_iteration_table),
		cmocka_unit_test(tiers_in_json_and_csv),
		cmocka_unit_test(compare_offer_spend_line),
		cmocka_unit_test(tornado_needs_uncertainty),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
