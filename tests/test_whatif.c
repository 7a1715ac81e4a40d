/*
 * test_whatif.c - the what-if planner (whatif/) and the scenario library
 * (every .yaml file in scenarios/).
 *
 *  - golden: the library's exact figures for docs/theory.md's examples, to 1e-2
 *    of the printed figures and to 1e-6 of the hand formula; every library
 *    file loads and has a finite exact CLV;
 *  - compare: common random numbers give a smaller standard error of a
 *    difference than independent streams; each construct (campaign
 *    uplift, price discount, referral value, spend growth) moves CLV by
 *    its exact amount, and Monte Carlo agrees within 5 standard errors;
 *    return on spend and the offer spend against hand calculations;
 *  - sweep: grid validation, grid values, exact figures at every point,
 *    Monte Carlo within 5 standard errors, the matrix-entry rule;
 *  - tornado: a one-state chain with CLV = m * sum_t (p / (1 + r))^t,
 *    whose swings, order, spider and elasticities are known by hand;
 *  - the what-ifs take loaded scenarios and edit copies: the scenarios
 *    given are unchanged, and results keep nothing of them.
 *
 * Monte Carlo tests use fixed seeds and small customer counts. Scenario
 * variants are written to a private temporary folder, each based on a
 * library file by absolute path.
 */
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "engine/exact.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

#define PATH_CAP (PATH_MAX + 64)

static char tmpdir[PATH_MAX];
static char library[PATH_MAX];

/* The library file `name` (static storage per slot). */
static const char *lib(int slot, const char *name)
{
	static char paths[4][PATH_CAP];

	snprintf(paths[slot], sizeof paths[slot], "%s/%s", library, name);
	return paths[slot];
}

/* ---- helpers ----------------------------------------------------------- */

/* Write a scenario file into the temporary folder; returns its path
   (static storage per slot). "@LIB@" in text becomes the library folder. */
static const char *write_file(int slot, const char *name, const char *text)
{
	static char paths[8][PATH_CAP];
	const char *at = text, *mark;
	FILE *f;

	snprintf(paths[slot], sizeof paths[slot], "%s/%s", tmpdir, name);
	f = fopen(paths[slot], "w");
	assert_non_null(f);
	while ((mark = strstr(at, "@LIB@")) != NULL) {
		fwrite(at, 1, (size_t)(mark - at), f);
		fputs(library, f);
		at = mark + 5;
	}
	fputs(at, f);
	assert_int_equal(fclose(f), 0);
	return paths[slot];
}

static exact_result *exact_of(const char *path, clv_scenario **out)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);
	exact_result *r;

	if (s == NULL)
		fail_msg("%s: %s", path, err.msg);
	r = exact_scenario(s, 0, &err);
	if (r == NULL)
		fail_msg("%s: %s", path, err.msg);
	if (out != NULL)
		*out = s;
	else
		scenario_free(s);
	return r;
}

/* The textbook shares S_t = S_0 P^t and CLV_i = 500 sum_t S_t[i] / (1+r)^t
   (docs/theory.md section 4) by hand, for a given matrix. */
static void textbook_by_hand(const double P[3][3], double r, int T, double clv[3])
{
	double S[3] = {0.6, 0.3, 0.1}, next[3];
	int t, i, j;

	for (i = 0; i < 3; i++)
		clv[i] = 0.0;
	for (t = 0; t <= T; t++) {
		for (i = 0; i < 3; i++)
			clv[i] += 500.0 * S[i] / pow(1.0 + r, t);
		for (j = 0; j < 3; j++) {
			next[j] = 0.0;
			for (i = 0; i < 3; i++)
				next[j] += S[i] * P[i][j];
		}
		memcpy(S, next, sizeof S);
	}
}

static const double P_BOOK[3][3] = {{0.70, 0.20, 0.10}, {0.10, 0.80, 0.10}, {0.25, 0.15, 0.60}};
static const double P_IF1[3][3] = {{0.80, 0.10, 0.10}, {0.10, 0.80, 0.10}, {0.25, 0.15, 0.60}};
static const double P_IF2[3][3] = {{0.80, 0.10, 0.10}, {0.10, 0.80, 0.10}, {0.30, 0.10, 0.60}};

/* sum_{t=0}^{T} q^t */
static double geometric(double q, int T)
{
	double s = 0.0;
	int t;

	for (t = 0; t <= T; t++)
		s += pow(q, t);
	return s;
}

static whatif_settings small_settings(uint64_t customers, uint64_t reps)
{
	whatif_settings set = {0};

	set.seed = 20240611;
	set.has_seed = true;
	set.customers = customers;
	set.replications = reps;
	set.threads = 2;
	return set;
}

/* Monte Carlo difference within 5 standard errors of the exact one. */
static void assert_diff_agrees(const whatif_diff *d)
{
	if (!(fabs(d->mean - d->exact) <= 5.0 * d->se + 1e-9))
		fail_msg("MC difference %.6f vs exact %.6f: more than 5 SE (%.6f) apart", d->mean,
		         d->exact, d->se);
}

/* The scenario in path, loaded (the test fails when it does not load). */
static clv_scenario *load(const char *path)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);

	if (s == NULL)
		fail_msg("%s: %s", path, err.msg);
	return s;
}

/* The what-ifs on the scenario in path, loaded for the call and freed
   right after it: a result keeps nothing of the scenario it was given. */
static whatif_sweep *sweep_file(const char *path, const whatif_axis *axes, size_t n_axes,
                                const whatif_settings *set, bool monte_carlo, clv_error *err)
{
	clv_scenario *s = load(path);
	whatif_sweep *w = whatif_sweep_run(s, axes, n_axes, set, monte_carlo, err);

	scenario_free(s);
	return w;
}

static whatif_tornado *tornado_file(const char *path, const whatif_settings *set,
                                    clv_error *err)
{
	clv_scenario *s = load(path);
	whatif_tornado *t = whatif_tornado_run(s, set, err);

	scenario_free(s);
	return t;
}

static whatif_compare *compare2(const char *a, const char *b, const whatif_settings *set,
                                bool independent)
{
	clv_scenario *s[2] = {load(a), load(b)};
	clv_error err = {0};
	whatif_compare *c =
		whatif_compare_run((const clv_scenario *const *)s, 2, set, independent, &err);

	scenario_free(s[0]);
	scenario_free(s[1]);
	if (c == NULL)
		fail_msg("compare: %s", err.msg);
	return c;
}

/* ---- golden: the library ----------------------------------------------- */

static void test_golden_textbook(void **state)
{
	static const char *const files[3] = {"textbook.yaml", "textbook_whatif1.yaml",
	                                     "textbook_whatif2.yaml"};
	static const double printed[3][3] = {{689.38, 497.72, 192.45}, {754.57, 432.53, 192.45},
	                                     {761.49, 425.61, 192.45}};
	const double (*P[3])[3] = {P_BOOK, P_IF1, P_IF2};
	int f, i;

	(void)state;
	for (f = 0; f < 3; f++) {
		double hand[3];
		exact_result *r;
		r = exact_of(lib(0, files[f]), NULL);
		textbook_by_hand(P[f], 0.09, 2, hand);
		for (i = 0; i < 3; i++) {
			assert_true(fabs(r->clv[i] - printed[f][i]) <= 1e-2);
			assert_true(fabs(r->clv[i] - hand[i]) <= 1e-6);
		}
		assert_true(fabs(r->clv[3] - (hand[0] + hand[1] + hand[2])) <= 1e-6);
		exact_free(r);
	}
}

static void test_golden_loyal(void **state)
{
	static const struct {
		const char *file;
		double printed, hand;
	} cases[5] = {
		{"loyal_customer.yaml", 3505.93, 0.0},
		{"loyal_a_revenue.yaml", 1944.83, 500.0},
		{"loyal_b_revenue.yaml", 1750.34, 450.0},
		{"loyal_a_profit.yaml", 1166.90, 300.0},
		{"loyal_b_profit.yaml", 1361.38, 350.0},
	};
	double annuity = geometric(1.0 / 1.09, 5) - 1.0; /* sum_{t=1}^{5} 1.09^-t */
	int k;

	(void)state;
	assert_true(fabs(annuity - 3.889651) < 1e-6);
	for (k = 0; k < 5; k++) {
		exact_result *r;
		double hand = k == 0 ? 2000.0 - 400.0 + 490.0 * annuity : cases[k].hand * annuity;
		r = exact_of(lib(0, cases[k].file), NULL);
		assert_true(fabs(r->clv[2] - cases[k].printed) <= 1e-2);
		assert_true(fabs(r->clv[2] - hand) <= 1e-6);
		exact_free(r);
	}
}

/* Every library file loads, validates, names its question in a comment
   header, and has a finite exact CLV. */
static void test_library_loads(void **state)
{
	char pattern[PATH_CAP];
	glob_t g;
	size_t k;

	(void)state;
	snprintf(pattern, sizeof pattern, "%s/*.yaml", library);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_true(g.gl_pathc >= 14);
	for (k = 0; k < g.gl_pathc; k++) {
		char head[4096] = "";
		FILE *f = fopen(g.gl_pathv[k], "r");
		size_t got;
		exact_result *r;
		assert_non_null(f);
		got = fread(head, 1, sizeof head - 1, f);
		head[got] = '\0';
		fclose(f);
		if (head[0] != '#' || strstr(head, "Question") == NULL)
			fail_msg("%s: no comment header with the question it answers", g.gl_pathv[k]);
		r = exact_of(g.gl_pathv[k], NULL);
		assert_true(isfinite(r->clv[r->n]));
		exact_free(r);
	}
	globfree(&g);
}

/* ---- compare ------------------------------------------------------------- */

static void test_paired_statistics(void **state)
{
	const double x[8] = {1, 0, 2, 0, 3, 0, 4, 0}, y[4] = {2, 4, 6, 8};
	whatif_diff d = {0};
	clv_error err = {0};
	double sd = sqrt(5.0 / 3.0);

	(void)state;
	/* d = y - x = 1, 2, 3, 4: mean 2.5, sd sqrt(5/3), t(0.95, 3) = 2.353363435 */
	assert_int_equal(whatif_paired(x, 2, y, 1, 4, &d, &err), CLV_OK);
	assert_true(fabs(d.mean - 2.5) < 1e-12);
	assert_true(fabs(d.se - sd / 2.0) < 1e-12);
	assert_true(fabs(d.hi90 - (2.5 + 2.353363435 * sd / 2.0)) < 1e-8);
	assert_true(fabs(d.lo90 - (2.5 - 2.353363435 * sd / 2.0)) < 1e-8);
	assert_int_equal(whatif_paired(x, 2, y, 1, 1, &d, &err), CLV_OK);
	assert_true(isnan(d.se) && isnan(d.lo90));
}

/* The issue's acceptance test: on the textbook vs what-if 1, the SE of
   the difference in brand A's CLV is smaller with common random numbers. */
static void test_crn_beats_independent(void **state)
{
	whatif_settings set = small_settings(1000, 40);
	const char *a, *b;
	whatif_compare *crn, *ind;
	double hand0[3], hand1[3];

	(void)state;
	a = lib(0, "textbook.yaml");
	b = lib(1, "textbook_whatif1.yaml");
	crn = compare2(a, b, &set, false);
	ind = compare2(a, b, &set, true);
	textbook_by_hand(P_BOOK, 0.09, 2, hand0);
	textbook_by_hand(P_IF1, 0.09, 2, hand1);
	assert_int_equal(crn->replications, 40);
	assert_true(fabs(crn->arm[1].diff[0].exact - (hand1[0] - hand0[0])) < 1e-6);
	assert_true(fabs(crn->arm[1].diff[1].exact - (hand1[1] - hand0[1])) < 1e-6);
	/* CRN: variance reduction for A and B */
	assert_true(crn->arm[1].diff[0].se < ind->arm[1].diff[0].se);
	assert_true(crn->arm[1].diff[1].se < ind->arm[1].diff[1].se);
	assert_diff_agrees(&crn->arm[1].diff[0]);
	assert_diff_agrees(&ind->arm[1].diff[0]);
	assert_diff_agrees(&crn->arm[1].diff[1]);
	/* every customer earns 500 a year whatever the brand: the totals match */
	assert_true(fabs(crn->arm[1].diff[3].mean) < 1e-9);
	assert_true(fabs(crn->arm[1].diff[3].exact) < 1e-9);
	/* the interval holds the mean, and no offers means no return on spend */
	assert_true(crn->arm[1].diff[0].lo90 < crn->arm[1].diff[0].mean);
	assert_true(crn->arm[1].diff[0].hi90 > crn->arm[1].diff[0].mean);
	assert_true(isnan(crn->arm[1].ros));
	assert_true(crn->arm[1].spend == 0.0);
	whatif_compare_free(crn);
	whatif_compare_free(ind);
}

/* A campaign raising A's retention by 0.10 in every period is the same
   chain as the matrix with row A pinned at 0.80 (the rest rescaled). */
static void test_campaign_equals_matrix(void **state)
{
	whatif_settings set = small_settings(500, 20);
	const char *eq = write_file(0, "eq.yaml",
		"base: @LIB@/textbook.yaml\n"
		"switching:\n  A: [0.8, 0.13333333333333333, 0.06666666666666667]\n");
	const char *camp = write_file(1, "camp.yaml",
		"base: @LIB@/textbook.yaml\n"
		"campaign: {brand: A, cost: 0, target: own, retention_uplift: 0.10}\n");
	const double P[3][3] = {{0.8, 0.2 / 1.5, 0.1 / 1.5}, {0.10, 0.80, 0.10},
	                        {0.25, 0.15, 0.60}};
	whatif_compare *c = compare2(eq, camp, &set, false);
	double hand[3];
	int i;

	(void)state;
	textbook_by_hand(P, 0.09, 2, hand);
	for (i = 0; i < 3; i++) {
		assert_true(fabs(c->arm[0].exact[i] - hand[i]) < 1e-6);
		assert_true(fabs(c->arm[1].exact[i] - hand[i]) < 1e-6);
		assert_true(fabs(c->arm[1].diff[i].exact) < 1e-9);
		assert_diff_agrees(&c->arm[1].diff[i]);
	}
	assert_true(c->arm[1].spend == 0.0);
	whatif_compare_free(c);
}

/* The campaign's spend: cost per period while at A, discounted, under the
   campaign's matrix; return on spend = gain / spend. */
static void test_campaign_spend_and_return(void **state)
{
	whatif_settings set = small_settings(500, 20);
	const char *camp = write_file(0, "camp5.yaml",
		"base: @LIB@/textbook.yaml\n"
		"margin: {A: 500, B: 0, C: 0}\n"
		"campaign: {brand: A, cost: 5, target: own, retention_uplift: 0.10}\n");
	const char *base = write_file(1, "base5.yaml",
		"base: @LIB@/textbook.yaml\nmargin: {A: 500, B: 0, C: 0}\n");
	const double P[3][3] = {{0.8, 0.2 / 1.5, 0.1 / 1.5}, {0.10, 0.80, 0.10},
	                        {0.25, 0.15, 0.60}};
	double hand[3], hand0[3], spend;
	whatif_compare *c = compare2(base, camp, &set, false);
	const whatif_arm *a = &c->arm[1];

	(void)state;
	/* time at A, discounted = CLV_A / 500 under the campaign's matrix */
	textbook_by_hand(P, 0.09, 2, hand);
	textbook_by_hand(P_BOOK, 0.09, 2, hand0);
	spend = 5.0 * hand[0] / 500.0;
	assert_true(fabs(a->spend - spend) < 1e-9);
	assert_true(fabs(a->diff[3].exact - (hand[0] - spend - hand0[0])) < 1e-6);
	assert_true(fabs(a->ros - a->diff[3].mean / a->spend) < 1e-12);
	assert_true(a->ros_lo90 <= a->ros && a->ros <= a->ros_hi90);
	assert_true(a->p_beats >= 0.0 && a->p_beats <= 1.0);
	assert_diff_agrees(&a->diff[3]);
	whatif_compare_free(c);
}

/* A price discount with margin_cut 0.10 and no uplift scales B's margin:
   CLV_B falls by exactly 10%, A and C do not move; the spend is the
   margin given up, 0.10 * CLV_B. */
static void test_price_discount_scales_margin(void **state)
{
	whatif_settings set = small_settings(500, 20);
	const char *book;
	const char *cut = write_file(0, "cut.yaml",
		"base: @LIB@/textbook.yaml\nprice_discount: {brand: B, margin_cut: 0.10}\n");
	double hand[3];
	whatif_compare *c;

	(void)state;
	book = lib(0, "textbook.yaml");
	c = compare2(book, cut, &set, false);
	textbook_by_hand(P_BOOK, 0.09, 2, hand);
	/* B's CLV stays at full price: what the discount gives up is offer spend */
	assert_true(fabs(c->arm[1].exact[1] - hand[1]) < 1e-6);
	assert_true(fabs(c->arm[1].diff[0].exact) < 1e-9);
	assert_true(fabs(c->arm[1].diff[1].exact) < 1e-9);
	assert_true(fabs(c->arm[1].diff[2].exact) < 1e-9);
	assert_true(fabs(c->arm[1].spend - 0.1 * hand[1]) < 1e-6);
	assert_true(fabs(c->arm[1].spend_exact - 0.1 * hand[1]) < 1e-6);
	assert_true(fabs(c->arm[1].spend_diff.exact - 0.1 * hand[1]) < 1e-6);
	/* the discount only gives margin away: return on spend is -1 */
	assert_true(fabs(c->arm[1].diff[3].exact / c->arm[1].spend + 1.0) < 1e-9);
	/* with CRN the same customers buy the same things: the MC spend is the
	   cut of B's margin exactly, B's own CLV unchanged */
	assert_true(fabs(c->arm[1].spend_diff.mean - 0.1 * c->arm[0].mean[1]) < 1e-6);
	assert_true(fabs(c->arm[1].diff[1].mean) < 1e-6);
	assert_true(fabs(c->arm[1].diff[3].mean + 0.1 * c->arm[0].mean[1]) < 1e-6);
	assert_diff_agrees(&c->arm[1].diff[3]);
	whatif_compare_free(c);
}

/* Referral value per period while at A adds 20 sum_t S_t[A] / 1.09^t. */
static void test_referral_value(void **state)
{
	whatif_settings set = small_settings(500, 20);
	const char *book;
	const char *ref = write_file(0, "ref.yaml",
		"base: @LIB@/textbook.yaml\nreferral_value: {A: 20, B: 0, C: 0}\n");
	double hand[3], gain;
	whatif_compare *c;

	(void)state;
	book = lib(0, "textbook.yaml");
	c = compare2(book, ref, &set, false);
	textbook_by_hand(P_BOOK, 0.09, 2, hand);
	gain = 20.0 * hand[0] / 500.0;
	assert_true(fabs(c->arm[1].diff[0].exact - gain) < 1e-9);
	assert_true(fabs(c->arm[1].diff[3].exact - gain) < 1e-9);
	assert_diff_agrees(&c->arm[1].diff[0]);
	whatif_compare_free(c);
}

/* Spend growth g: one loyal state, CLV = sum_t 100 (1+g)^t / (1+r)^t. */
static void test_spend_growth(void **state)
{
	whatif_settings set = small_settings(200, 10);
	const char *flat = write_file(0, "flat.yaml",
		"states: [Loyal]\ninitial: [1]\nswitching: {Loyal: [1]}\nhorizon: 3\n"
		"discount_rate: 0.10\nmargin: 100\n");
	const char *grow = write_file(1, "grow.yaml",
		"states: [Loyal]\ninitial: [1]\nswitching: {Loyal: [1]}\nhorizon: 3\n"
		"discount_rate: 0.10\nmargin: 100\nspend_growth: 0.05\n");
	whatif_compare *c = compare2(flat, grow, &set, false);
	double hand = 100.0 * geometric(1.05 / 1.10, 3), hand0 = 100.0 * geometric(1.0 / 1.1, 3);

	(void)state;
	assert_true(fabs(c->arm[1].exact[1] - hand) < 1e-9);
	assert_true(fabs(c->arm[1].diff[1].exact - (hand - hand0)) < 1e-9);
	/* nothing is random here: Monte Carlo is exact too */
	assert_true(fabs(c->arm[1].diff[1].mean - (hand - hand0)) < 1e-6);
	whatif_compare_free(c);
}

/* States are matched by name; a scenario without the first's states
   still compares on the total. */
static void test_compare_matches_states(void **state)
{
	whatif_settings set = small_settings(100, 5);
	const char *a, *b;
	clv_scenario *one[1];
	whatif_compare *c;
	clv_error err = {0};

	(void)state;
	a = lib(0, "textbook.yaml");
	b = lib(1, "loyal_customer.yaml");
	c = compare2(a, b, &set, false);
	assert_true(isnan(c->arm[1].diff[0].mean) && isnan(c->arm[1].diff[2].exact));
	assert_true(fabs(c->arm[1].diff[3].exact - (3505.929 - 1379.556)) < 1e-2);
	whatif_compare_free(c);
	one[0] = load(a);
	assert_null(whatif_compare_run((const clv_scenario *const *)one, 1, &set, false, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	scenario_free(one[0]);
}

/* ---- sweep --------------------------------------------------------------- */

static void expect_axis_error(const char *text)
{
	whatif_axis ax;
	clv_error err = {0};

	if (whatif_axis_parse(text, &ax, &err) != CLV_ERR_USAGE)
		fail_msg("--vary %s was accepted", text);
	assert_null(ax.key);
}

static void test_axis_validation(void **state)
{
	whatif_axis ax;
	clv_error err = {0};

	(void)state;
	expect_axis_error("discount_rate=0.2:0.1:0.01"); /* FROM > TO */
	expect_axis_error("discount_rate=0.1:0.2:0");    /* STEP 0 */
	expect_axis_error("discount_rate=0.1:0.2:-0.1"); /* STEP < 0 */
	expect_axis_error("discount_rate=0.1:0.2");      /* no STEP */
	expect_axis_error("discount_rate");              /* no = */
	expect_axis_error("=0:1:0.1");                   /* no KEY */
	expect_axis_error("margin.A=0:1:nan");
	expect_axis_error("margin.A=0:inf:1");
	expect_axis_error("margin.A=0:1:0.1x");
	expect_axis_error("horizon=0:10000:1");          /* 10001 points */
	assert_int_equal(whatif_axis_parse("horizon=1:20000:2", &ax, &err), CLV_OK);
	assert_int_equal(ax.count, 10000);
	whatif_axis_clear(&ax);
	assert_int_equal(whatif_axis_parse("horizon=0:9999:1", &ax, &err), CLV_OK);
	assert_int_equal(ax.count, 10000);
	whatif_axis_clear(&ax);
	assert_int_equal(whatif_axis_parse("discount_rate=0.02:0.2:0.02", &ax, &err), CLV_OK);
	assert_string_equal(ax.key, "discount_rate");
	assert_int_equal(ax.count, 10);
	assert_true(whatif_axis_value(&ax, 9) == 0.2);
	assert_true(fabs(whatif_axis_value(&ax, 4) - 0.1) < 1e-15);
	whatif_axis_clear(&ax);
	/* a point short of TO: the grid stops before it */
	assert_int_equal(whatif_axis_parse("margin.A=0:1:0.3", &ax, &err), CLV_OK);
	assert_int_equal(ax.count, 4);
	whatif_axis_clear(&ax);
}

/* A discount-rate sweep of the textbook: exact equals the hand formula at
   every point, Monte Carlo (one seed for all points) within 5 SE. */
static void test_sweep_discount_rate(void **state)
{
	whatif_settings set = small_settings(1000, 20);
	const char *book;
	whatif_axis ax;
	whatif_sweep *w;
	clv_error err = {0};
	size_t p, i;

	(void)state;
	book = lib(0, "textbook.yaml");
	assert_int_equal(whatif_axis_parse("discount_rate=0.05:0.15:0.05", &ax, &err), CLV_OK);
	w = sweep_file(book, &ax, 1, &set, true, &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(w->n_points, 3);
	assert_null(w->rule[0]);
	for (p = 0; p < 3; p++) {
		double hand[3], r = 0.05 * (double)(p + 1);
		assert_true(fabs(w->x[p] - r) < 1e-12);
		textbook_by_hand(P_BOOK, r, 2, hand);
		for (i = 0; i < 3; i++) {
			double e = w->exact[p * 4 + i];
			assert_true(fabs(e - hand[i]) < 1e-6);
			if (!(fabs(w->mean[p * 4 + i] - e) <= 5.0 * w->se[p * 4 + i] + 1e-9))
				fail_msg("point %zu state %zu: MC %.4f vs exact %.4f (se %.4f)", p, i,
				         w->mean[p * 4 + i], e, w->se[p * 4 + i]);
		}
	}
	whatif_sweep_free(w);
	whatif_axis_clear(&ax);
}

/* Two axes: first axis outer; the horizon changes the number of terms. */
static void test_sweep_two_axes(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *book;
	whatif_axis ax[2];
	whatif_sweep *w;
	clv_error err = {0};
	size_t p;

	(void)state;
	book = lib(0, "textbook.yaml");
	assert_int_equal(whatif_axis_parse("discount_rate=0.05:0.10:0.05", &ax[0], &err), CLV_OK);
	assert_int_equal(whatif_axis_parse("horizon=1:3:1", &ax[1], &err), CLV_OK);
	w = sweep_file(book, ax, 2, &set, false, &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(w->n_points, 6);
	assert_null(w->mean);
	for (p = 0; p < 6; p++) {
		double hand[3], r = p < 3 ? 0.05 : 0.10;
		int T = 1 + (int)(p % 3);
		assert_true(fabs(w->x[2 * p] - r) < 1e-12);
		assert_true(w->x[2 * p + 1] == (double)T);
		textbook_by_hand(P_BOOK, r, T, hand);
		assert_true(fabs(w->exact[p * 4] - hand[0]) < 1e-6);
		assert_true(fabs(w->exact[p * 4 + 3] - (hand[0] + hand[1] + hand[2])) < 1e-6);
	}
	whatif_sweep_free(w);
	whatif_axis_clear(&ax[0]);
	whatif_axis_clear(&ax[1]);
}

/* A matrix entry: the row's other entries are rescaled, and the rule says so. */
static void test_sweep_matrix_entry(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *book;
	whatif_axis ax;
	whatif_sweep *w;
	clv_error err = {0};
	const double P[3][3] = {{0.8, 0.2 / 1.5, 0.1 / 1.5}, {0.10, 0.80, 0.10},
	                        {0.25, 0.15, 0.60}};
	double hand[3];

	(void)state;
	book = lib(0, "textbook.yaml");
	assert_int_equal(whatif_axis_parse("switching.A.A=0.7:0.8:0.1", &ax, &err), CLV_OK);
	w = sweep_file(book, &ax, 1, &set, false, &err);
	if (w == NULL)
		fail_msg("%s", err.msg);
	assert_non_null(w->rule[0]);
	assert_non_null(strstr(w->rule[0], "(1 - v) / 0.3"));
	textbook_by_hand(P, 0.09, 2, hand);
	assert_true(fabs(w->exact[4] - hand[0]) < 1e-6);
	assert_true(fabs(w->exact[5] - hand[1]) < 1e-6);
	textbook_by_hand(P_BOOK, 0.09, 2, hand);
	assert_true(fabs(w->exact[0] - hand[0]) < 1e-6);
	whatif_sweep_free(w);
	whatif_axis_clear(&ax);
}

static void test_sweep_rejects(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *book;
	whatif_axis ax[2];
	clv_error err = {0};

	(void)state;
	book = lib(0, "textbook.yaml");
	/* a misspelt key: usage error with a suggestion */
	assert_int_equal(whatif_axis_parse("discount_rat=0.05:0.10:0.05", &ax[0], &err), CLV_OK);
	assert_null(sweep_file(book, ax, 1, &set, false, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "did you mean \"discount_rate\""));
	whatif_axis_clear(&ax[0]);
	/* a value out of range (a probability above 1) */
	diag_clear(&err);
	assert_int_equal(whatif_axis_parse("switching.A.B=0.5:1.5:0.5", &ax[0], &err), CLV_OK);
	assert_null(sweep_file(book, ax, 1, &set, false, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	whatif_axis_clear(&ax[0]);
	/* two axes over the limit together, and the same key twice */
	diag_clear(&err);
	assert_int_equal(whatif_axis_parse("margin.A=0:199:1", &ax[0], &err), CLV_OK);
	assert_int_equal(whatif_axis_parse("margin.B=0:99:1", &ax[1], &err), CLV_OK);
	assert_null(sweep_file(book, ax, 2, &set, false, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "20000"));
	whatif_axis_clear(&ax[1]);
	diag_clear(&err);
	assert_int_equal(whatif_axis_parse("margin.A=0:1:1", &ax[1], &err), CLV_OK);
	assert_null(sweep_file(book, ax, 2, &set, false, &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	whatif_axis_clear(&ax[0]);
	whatif_axis_clear(&ax[1]);
}

/* ---- tornado ------------------------------------------------------------- */

/* Active customers stay with probability p each period, else are lost:
   CLV = m sum_{t=0}^{4} (p / (1 + r))^t. m ~ U(80, 120), p ~ U(0.7, 0.9),
   r ~ U(0.05, 0.15): p10/p90 are 84/116, 0.72/0.88, 0.06/0.14. */
static const char TORNADO_CASE[] =
	"states: [Active, Lost]\ninitial: [1, 0]\n"
	"switching: {Active: [0.8, 0.2], Lost: [0, 1]}\n"
	"retention: {Active: {dist: uniform, min: 0.7, max: 0.9}}\n"
	"horizon: 4\n"
	"discount_rate: {dist: uniform, min: 0.05, max: 0.15}\n"
	"margin: {Active: {dist: uniform, min: 80, max: 120}, Lost: 0}\n";

static double clv_hand(double m, double p, double r, int T)
{
	return m * geometric(p / (1.0 + r), T);
}

static const whatif_input *input_named(const whatif_tornado *t, const char *label)
{
	size_t k;

	for (k = 0; k < t->n_inputs; k++)
		if (strcmp(t->input[k].label, label) == 0)
			return &t->input[k];
	fail_msg("no input %s", label);
	return NULL;
}

static const whatif_elasticity *elasticity_named(const whatif_tornado *t, const char *name)
{
	size_t k;

	for (k = 0; k < t->n_elast; k++)
		if (strcmp(t->elast[k].input, name) == 0)
			return &t->elast[k];
	fail_msg("no elasticity %s", name);
	return NULL;
}

/* E[p^t], p ~ uniform(a, b). */
static double upow_mean(double a, double b, int t)
{
	return (pow(b, t + 1) - pow(a, t + 1)) / ((t + 1) * (b - a));
}

/* E[(1 + r)^-t], r ~ uniform(c, d). */
static double udisc_mean(double c, double d, int t)
{
	if (t == 1)
		return log((1 + d) / (1 + c)) / (d - c);
	return (pow(1 + c, 1 - t) - pow(1 + d, 1 - t)) / ((t - 1) * (d - c));
}

/* The tornado case's expected CLV, m sum_t E[p^t] E[(1+r)^-t], with each of
   retention p and rate r either pinned (a number) or integrated (NaN):
   the inputs are independent uniforms, CLV is linear in the margin. */
static double tornado_expected(double m, double p, double r)
{
	double sum = 0.0;
	int t;

	for (t = 0; t <= 4; t++)
		sum += (isnan(p) ? upow_mean(0.7, 0.9, t) : pow(p, t)) *
		       (isnan(r) ? udisc_mean(0.05, 0.15, t) : pow(1 + r, -t));
	return m * sum;
}

static void test_tornado_known_answer(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *path = write_file(0, "tornado.yaml", TORNADO_CASE);
	clv_error err = {0};
	whatif_tornado *t = tornado_file(path, &set, &err);
	double base = tornado_expected(100, NAN, NAN);
	double sw_m = tornado_expected(116, NAN, NAN) - tornado_expected(84, NAN, NAN);
	double sw_p = tornado_expected(100, 0.88, NAN) - tornado_expected(100, 0.72, NAN);
	double sw_r = tornado_expected(100, NAN, 0.14) - tornado_expected(100, NAN, 0.06);
	const whatif_input *in;
	size_t order[3];
	int q;

	(void)state;
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(t->n_inputs, 3);
	assert_true(fabs(t->base[2] - base) < 1e-9 * base);
	/* order by |swing|: margin, retention, discount (negative) */
	assert_string_equal(t->input[0].label, "margin.Active");
	assert_string_equal(t->input[1].label, "retention.Active");
	assert_string_equal(t->input[2].label, "discount_rate");
	assert_true(fabs(t->input[0].swing - sw_m) < 1e-9 * base);
	assert_true(fabs(t->input[1].swing - sw_p) < 1e-9 * base);
	assert_true(fabs(t->input[2].swing - sw_r) < 1e-9 * base);
	assert_true(t->input[2].swing < 0.0);
	/* the Active state carries all of it; the ranking by state agrees */
	whatif_tornado_order(t, 0, order);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[2], 2);
	assert_true(fabs(whatif_swing(t, 1, 0) - sw_p) < 1e-9 * base);
	/* the spider: margin at 10..90% is 84, 88, ..., 116; CLV linear in it */
	in = input_named(t, "margin.Active");
	for (q = 0; q < WHATIF_SPIDER; q++) {
		double m = 80.0 + 40.0 * (q + 1) / 10.0;
		assert_true(fabs(in->value[q] - m) < 1e-9);
		assert_true(fabs(in->clv[q * 3 + 2] - tornado_expected(m, NAN, NAN)) < 1e-9 * base);
	}
	in = input_named(t, "discount_rate");
	assert_true(fabs(in->mean - 0.10) < 1e-12);
	assert_true(fabs(in->clv[4 * 3 + 2] - tornado_expected(100, NAN, 0.10)) < 1e-9 * base);
	whatif_tornado_free(t);
}

static void test_tornado_elasticities(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *path = write_file(0, "tornado.yaml", TORNADO_CASE);
	clv_error err = {0};
	whatif_tornado *t = tornado_file(path, &set, &err);
	const whatif_elasticity *e;
	double base = clv_hand(100, 0.8, 0.10, 4), d_r = 0.0, d_p = 0.0, h;
	int k;

	(void)state;
	if (t == NULL)
		fail_msg("%s", err.msg);
	/* dC/dr and dC/dp of m sum_t q^t, q = p / (1 + r) */
	for (k = 1; k <= 4; k++) {
		d_r += 100.0 * k * pow(0.8, k) * -pow(1.1, -k - 1);
		d_p += 100.0 * k * pow(0.8, k - 1) * pow(1.1, -k);
	}
	e = elasticity_named(t, "margin");
	assert_null(e->skipped);
	assert_true(fabs(e->e[2] - 1.0) < 1e-9);
	e = elasticity_named(t, "discount_rate");
	assert_true(fabs(e->base - 0.10) < 1e-12);
	assert_true(fabs(e->e[2] - d_r * 0.10 / base) < 1e-3 * fabs(d_r * 0.10 / base));
	e = elasticity_named(t, "retention.Active");
	assert_true(fabs(e->base - 0.8) < 1e-12);
	assert_true(fabs(e->e[2] - d_p * 0.8 / base) < 1e-3 * d_p * 0.8 / base);
	assert_true(fabs(elasticity_named(t, "retention")->e[2] - e->e[2]) < 1e-12);
	assert_non_null(elasticity_named(t, "retention.Lost")->skipped);
	/* horizon +-1 period: (C(5) - C(3)) / C(4) / (2 / 4), by hand */
	h = (clv_hand(100, 0.8, 0.1, 5) - clv_hand(100, 0.8, 0.1, 3)) / base / 0.5;
	e = elasticity_named(t, "horizon");
	assert_true(fabs(e->e[2] - h) < 1e-9);
	assert_true(isnan(e->e[1])); /* Lost earns nothing: no elasticity */
	whatif_tornado_free(t);
}

/* A per-customer margin: the tornado is exact (the expectation integrates
   per-customer assumptions too). CLV is linear in the margin, so pinned at
   its p10 and p90 it scales exactly, and at p50 and at the base it is the
   exact 100 sum_t (0.8/1.1)^t. */
static void test_tornado_per_customer(void **state)
{
	whatif_settings set = small_settings(2000, 4);
	const char *path = write_file(0, "percust.yaml",
		"states: [Active, Lost]\ninitial: [1, 0]\n"
		"switching: {Active: [0.8, 0.2], Lost: [0, 1]}\nhorizon: 4\ndiscount_rate: 0.10\n"
		"margin: {Active: {dist: uniform, min: 80, max: 120, per: customer}, Lost: 0}\n");
	clv_error err = {0};
	whatif_tornado *t = tornado_file(path, &set, &err);
	const whatif_input *in;
	double exact50, bound;

	(void)state;
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(t->n_inputs, 1);
	in = &t->input[0];
	assert_true(fabs(in->clv[8 * 3 + 2] / in->clv[0 * 3 + 2] - 116.0 / 84.0) < 1e-12);
	exact50 = clv_hand(100, 0.8, 0.10, 4);
	bound = 1e-9 * exact50;
	assert_true(fabs(in->clv[4 * 3 + 2] - exact50) <= bound);
	assert_true(fabs(t->base[2] - exact50) <= bound);
	whatif_tornado_free(t);
}

/* The library's uncertain scenario: a Dirichlet row becomes an input
   (its diagonal), inputs come sorted, and the spider rises with the
   percentile for retention and margin. */
static void test_tornado_library(void **state)
{
	whatif_settings set = small_settings(0, 0);
	const char *path;
	clv_error err = {0};
	whatif_tornado *t;
	const whatif_input *in;
	size_t k;
	int q;

	(void)state;
	path = lib(0, "uncertain_retention.yaml");
	t = tornado_file(path, &set, &err);
	if (t == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(t->n_inputs, 3);
	for (k = 1; k < t->n_inputs; k++)
		assert_true(fabs(t->input[k - 1].swing) >= fabs(t->input[k].swing));
	in = input_named(t, "switching.Rival.Rival");
	assert_true(fabs(in->mean - 0.84) < 1e-12);
	assert_non_null(strstr(in->dist, "dirichlet"));
	in = input_named(t, "retention.Ours");
	assert_true(fabs(in->mean - 0.9) < 1e-12);
	for (q = 1; q < WHATIF_SPIDER; q++)
		assert_true(in->clv[q * 4 + 3] > in->clv[(q - 1) * 4 + 3]);
	whatif_tornado_free(t);
}

/* ---- set-up -------------------------------------------------------------- */

/* ---- the scenarios given ------------------------------------------------- */

/* Every number of s the what-ifs could edit, and its exact total CLV. */
static double *fingerprint(clv_scenario *s, size_t *n)
{
	size_t k, count;
	clv_param **p = scenario_params_alloc(s, &count);
	double *f = calloc(6 * count + 4, sizeof *f);
	exact_result *ex;
	clv_error err = {0};

	assert_true(p != NULL && f != NULL);
	for (k = 0; k < count; k++) {
		double v[6] = {p[k]->kind, p[k]->a, p[k]->b, p[k]->c, p[k]->per, p[k]->lo};
		memcpy(f + 6 * k, v, sizeof v);
	}
	ex = exact_scenario(s, 0, &err);
	assert_non_null(ex);
	f[6 * count] = ex->clv[s->n];
	f[6 * count + 1] = (double)s->n_correlations;
	f[6 * count + 2] = (double)s->horizon;
	for (k = 0; k < s->n; k++)
		f[6 * count + 3] += s->switching[k].dirichlet;
	exact_free(ex);
	free(p);
	*n = 6 * count + 4;
	return f;
}

/* The what-ifs edit copies: the scenarios they are given stay as loaded
   (a Dirichlet row, uncertain retention, an offer and a base chain). */
static void test_whatifs_leave_scenarios(void **state)
{
	whatif_settings set = small_settings(50, 3);
	clv_scenario *s[2] = {load(lib(0, "uncertain_retention.yaml")),
	                      load(lib(1, "retention_campaign.yaml"))};
	whatif_axis ax[2];
	clv_error err = {0};
	double *before[2], *after;
	size_t n[2], m, k;
	whatif_compare *c;
	whatif_sweep *w;
	whatif_tornado *t;

	(void)state;
	for (k = 0; k < 2; k++)
		before[k] = fingerprint(s[k], &n[k]);
	t = whatif_tornado_run(s[0], &set, &err);
	assert_non_null(t);
	assert_int_equal(whatif_axis_parse("retention.Ours=0.8:0.9:0.1", &ax[0], &err), CLV_OK);
	assert_int_equal(whatif_axis_parse("horizon=2:3:1", &ax[1], &err), CLV_OK);
	w = whatif_sweep_run(s[0], ax, 2, &set, true, &err);
	assert_non_null(w);
	c = whatif_compare_run((const clv_scenario *const *)s, 2, &set, false, &err);
	assert_non_null(c);
	assert_true(c->arm[1].spend > 0.0 && c->arm[1].s != s[1]);
	for (k = 0; k < 2; k++) {
		after = fingerprint(s[k], &m);
		assert_int_equal(m, n[k]);
		assert_memory_equal(after, before[k], m * sizeof *after);
		free(after);
		free(before[k]);
		scenario_free(s[k]);
	}
	whatif_compare_free(c);
	whatif_sweep_free(w);
	whatif_tornado_free(t);
	whatif_axis_clear(&ax[0]);
	whatif_axis_clear(&ax[1]);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_whatif.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (realpath("scenarios", library) == NULL)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	static const char *const names[] = {"eq.yaml", "camp.yaml", "camp5.yaml", "base5.yaml",
	                                    "cut.yaml", "ref.yaml", "flat.yaml", "grow.yaml",
	                                    "tornado.yaml", "percust.yaml"};
	char path[PATH_CAP];
	size_t k;

	(void)state;
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		snprintf(path, sizeof path, "%s/%s", tmpdir, names[k]);
		unlink(path);
	}
	rmdir(tmpdir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_textbook),
		cmocka_unit_test(test_golden_loyal),
		cmocka_unit_test(test_library_loads),
		cmocka_unit_test(test_paired_statistics),
		cmocka_unit_test(test_crn_beats_independent),
		cmocka_unit_test(test_campaign_equals_matrix),
		cmocka_unit_test(test_campaign_spend_and_return),
		cmocka_unit_test(test_price_discount_scales_margin),
		cmocka_unit_test(test_referral_value),
		cmocka_unit_test(test_spend_growth),
		cmocka_unit_test(test_compare_matches_states),
		cmocka_unit_test(test_axis_validation),
		cmocka_unit_test(test_sweep_discount_rate),
		cmocka_unit_test(test_sweep_two_axes),
		cmocka_unit_test(test_sweep_matrix_entry),
		cmocka_unit_test(test_sweep_rejects),
		cmocka_unit_test(test_tornado_known_answer),
		cmocka_unit_test(test_tornado_elasticities),
		cmocka_unit_test(test_tornado_per_customer),
		cmocka_unit_test(test_tornado_library),
		cmocka_unit_test(test_whatifs_leave_scenarios),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, setup, teardown);
}
