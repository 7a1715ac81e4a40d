/*
 * test_aggregate.c - the population engine (engine/aggregate.h, --mode
 * aggregate) against the per-customer engine, on scenarios of every kind
 * (segments, a campaign, a price discount, uncertain rows and retention,
 * Poisson purchases with growth, an infinite horizon with an absorbing
 * state), 400 replications of small markets (40 customers, so the
 * multinomial noise is large and must be right):
 *   - means of CLV (per state, total) and of shares within 5 standard
 *     errors of the difference;
 *   - variances of the replications' total CLV within the two-sided
 *     F(399, 399) bounds at level 1e-4 (about 0.68 to 1.47; the engines
 *     share their outer draws, which only brings the ratio nearer 1);
 *   - a Kolmogorov-Smirnov two-sample test of the replications' shares
 *     (period 1 and the last, every state) at level 1e-4;
 * and: the same bits with 1 and 2 threads (engine; and `clvsim run
 * --format json` of both engines, the exact distribution and the exact
 * replication values included, but for the thread count it reports);
 * per-customer assumptions refused with their name; its own budget;
 * --mode auto's choice; a market of 1e9 customers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "engine/aggregate.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "scenario/scenario.h"

#define REPS 400
#define MARKET 40

static clv_scenario *load_file(const char *path)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);

	if (s == NULL)
		fail_msg("%s: %s", path, err.msg);
	return s;
}

static clv_scenario *load_text(const char *text)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load_buffer("test.yaml", text, strlen(text), &err);

	if (s == NULL)
		fail_msg("load failed: %s", err.msg);
	return s;
}

static mc_result *run(clv_scenario *s, mc_mode mode, uint64_t reps, uint64_t customers,
                      int threads)
{
	clv_error err = {0};
	mc_config cfg;
	mc_result *r;

	mc_config_defaults(&cfg, s);
	cfg.replications = reps;
	cfg.customers = customers;
	cfg.threads = threads;
	cfg.mode = mode;
	cfg.keep_rep_share = true; /* the tests compare the per-replication shares */
	r = mc_run(s, &cfg, &err);
	if (r == NULL)
		fail_msg("run: %s", err.msg);
	return r;
}

/* Mean and sample variance of column c of a row-major table. */
static void column_moments(const double *v, uint64_t rows, size_t stride, size_t c, double *mean,
                           double *var)
{
	double m = 0, ss = 0;
	uint64_t r;

	for (r = 0; r < rows; r++)
		m += v[r * stride + c];
	m /= (double)rows;
	for (r = 0; r < rows; r++)
		ss += pow(v[r * stride + c] - m, 2);
	*mean = m;
	*var = ss / (double)(rows - 1);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The two-sample Kolmogorov-Smirnov statistic of column c of a and b. */
static double ks_statistic(const double *a, const double *b, uint64_t rows, size_t stride,
                           size_t c)
{
	double *x = malloc(rows * sizeof *x), *y = malloc(rows * sizeof *y), d = 0;
	uint64_t i = 0, j = 0, r;

	assert_true(x && y);
	for (r = 0; r < rows; r++) {
		x[r] = a[r * stride + c];
		y[r] = b[r * stride + c];
	}
	qsort(x, rows, sizeof *x, cmp_double);
	qsort(y, rows, sizeof *y, cmp_double);
	while (i < rows && j < rows) { /* step past every value equal to the smaller */
		double v = x[i] < y[j] ? x[i] : y[j];
		while (i < rows && x[i] == v)
			i++;
		while (j < rows && y[j] == v)
			j++;
		d = fmax(d, fabs((double)i / (double)rows - (double)j / (double)rows));
	}
	free(x);
	free(y);
	return d;
}

static void engines_agree(clv_scenario *s, const char *name)
{
	mc_result *c = run(s, MC_MODE_CUSTOMERS, REPS, MARKET, 0);
	mc_result *a = run(s, MC_MODE_AGGREGATE, REPS, MARKET, 0);
	size_t n = s->n, i, cells = (size_t)(c->periods + 1) * n;
	long rows[2] = {1, c->periods};
	double f_lo = gsl_cdf_fdist_Pinv(0.5e-4, REPS - 1, REPS - 1);
	double f_hi = gsl_cdf_fdist_Qinv(0.5e-4, REPS - 1, REPS - 1);
	double ks_crit = sqrt(-log(0.5e-4) / 2.0) * sqrt(2.0 / REPS), worst_z = 0, worst_ks = 0;
	double mc, vc, ma, va;
	int k;

	assert_int_equal(a->engine, MC_MODE_AGGREGATE);
	assert_int_equal(c->engine, MC_MODE_CUSTOMERS);
	assert_int_equal(a->periods, c->periods);
	assert_int_equal(a->n_inputs, c->n_inputs);
	/* the outer draws pair up, replication by replication */
	assert_memory_equal(a->rep_input, c->rep_input, REPS * c->n_inputs * sizeof(double));
	for (i = 0; i <= n; i++) {
		double se = sqrt(a->clv[i].se * a->clv[i].se + c->clv[i].se * c->clv[i].se), z;
		if (!(se > 0))
			assert_true(fabs(a->clv[i].mean - c->clv[i].mean) <= 1e-9 * (1 + fabs(c->clv[i].mean)));
		else {
			z = fabs(a->clv[i].mean - c->clv[i].mean) / se;
			worst_z = fmax(worst_z, z);
			if (!(z <= 5))
				fail_msg("%s clv %zu: aggregate %.4f customers %.4f (se %.4f)", name, i,
				         a->clv[i].mean, c->clv[i].mean, se);
		}
	}
	column_moments(c->rep_clv, REPS, n + 1, n, &mc, &vc);
	column_moments(a->rep_clv, REPS, n + 1, n, &ma, &va);
	if (vc > 0 && !(va / vc >= f_lo && va / vc <= f_hi))
		fail_msg("%s: variance ratio %.3f outside [%.3f, %.3f]", name, va / vc, f_lo, f_hi);
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++) {
			size_t col = (size_t)rows[k] * n + i;
			double d = ks_statistic(a->rep_share, c->rep_share, REPS, cells, col), se, z;
			column_moments(c->rep_share, REPS, cells, col, &mc, &vc);
			column_moments(a->rep_share, REPS, cells, col, &ma, &va);
			se = sqrt((va + vc) / REPS);
			z = se > 0 ? fabs(ma - mc) / se : 0;
			if (!(d <= ks_crit) || !(z <= 5))
				fail_msg("%s share of %s at %ld: KS %.4f (critical %.4f), means %.5f %.5f (se %.5f)",
				         name, s->states[i], rows[k], d, ks_crit, ma, mc, se);
			worst_ks = fmax(worst_ks, d / ks_crit);
			worst_z = fmax(worst_z, z);
		}
	printf("  %-28s worst mean %.2f se, variance ratio %.3f in [%.3f, %.3f], worst KS %.2f of "
	       "critical\n", name, worst_z, vc > 0 ? va / vc : 1.0, f_lo, f_hi, worst_ks);
	mc_free(c);
	mc_free(a);
}

static void against_customers_files(void **state)
{
	static const char *files[] = {
		"scenarios/customer_pyramid.yaml",  /* segments */
		"scenarios/retention_campaign.yaml", /* a campaign */
		"scenarios/discount_offer.yaml",     /* a price discount with wins */
		"scenarios/uncertain_retention.yaml", /* uncertain rows, retention, margin */
		"tests/data/calib/poisson.yaml",     /* Poisson purchases with growth */
		"tests/data/calib/outer_tiers.yaml", /* tiers, Poisson, a drawn margin */
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof files / sizeof files[0]; k++) {
		clv_scenario *s = load_file(files[k]);
		engines_agree(s, files[k] + (files[k][0] == 's' ? 10 : 11));
		scenario_free(s);
	}
}

static const char subscription[] =
	"states: [trial, active, churned]\n"
	"initial: [1, 0, 0]\n"
	"switching: {trial: [0.5, 0.4, 0.1], active: [0, 0.9, 0.1], churned: [0, 0, 1]}\n"
	"retention: {active: {dist: beta, a: 90, b: 10}}\n"
	"period: month\nhorizon: infinite\ndiscount_rate: {annual: 0.12}\n"
	"margin: {trial: 5, active: 20, churned: 0}\n"
	"cost_per_period: {trial: 3, active: 2, churned: 0}\nacquisition_cost: 30\n";

static void against_customers_infinite(void **state)
{
	clv_scenario *s = load_text(subscription);

	(void)state;
	engines_agree(s, "infinite, absorbing");
	scenario_free(s);
}

static void same_bits_whatever_threads(void **state)
{
	clv_scenario *s = load_file("scenarios/uncertain_retention.yaml");
	mc_result *a = run(s, MC_MODE_AGGREGATE, 30, 1000, 1), *b = run(s, MC_MODE_AGGREGATE, 30, 1000, 2);
	size_t cells = (size_t)(a->periods + 1) * a->n;

	(void)state;
	assert_int_equal(a->threads, 1);
	assert_int_equal(b->threads, 2);
	assert_memory_equal(a->rep_clv, b->rep_clv, 30 * (a->n + 1) * sizeof(double));
	assert_memory_equal(a->rep_share, b->rep_share, 30 * cells * sizeof(double));
	assert_memory_equal(a->clv, b->clv, (a->n + 1) * sizeof *a->clv);
	mc_free(a);
	mc_free(b);
	scenario_free(s);
}

static void refusals(void **state)
{
	clv_scenario *s = load_text("states: [A, B]\ninitial: [1, 0]\n"
	                            "switching: [[0.8, 0.2], [0.3, 0.7]]\n"
	                            "segments: {x: {weight: 0.5}, y: {weight: 0.5, "
	                            "margin: {A: {dist: uniform, min: 1, max: 2, per: customer}, B: 10}}}\n"
	                            "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\n");
	clv_scenario *big = load_text("states: [A, B]\ninitial: [1, 0]\n"
	                              "switching: [[0.8, 0.2], [0.3, 0.7]]\n"
	                              "purchases_per_period: {dist: poisson, mean: 1000}\n"
	                              "horizon: 100\ndiscount_rate: 0.1\nmargin: 10\n");
	clv_error err = {0};
	mc_config cfg;
	char why[300];

	(void)state;
	assert_false(aggregate_supported(s, why, sizeof why));
	assert_non_null(strstr(why, "segments.y.margin.A"));
	mc_config_defaults(&cfg, s);
	cfg.mode = MC_MODE_AGGREGATE;
	assert_null(mc_run(s, &cfg, &err));
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "per customer"));
	/* the aggregate budget: replications x periods x purchases^2 x states^2 */
	diag_clear(&err);
	mc_config_defaults(&cfg, big);
	cfg.mode = MC_MODE_AGGREGATE;
	cfg.replications = 10000;
	assert_true(aggregate_work(big, &cfg) > AGGREGATE_MAX_WORK);
	assert_null(mc_run(big, &cfg, &err));
	assert_int_equal(err.status, CLV_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "binomials"));
	scenario_free(s);
	scenario_free(big);
}

/* auto: aggregate for a market too large to walk, customers otherwise or
   when a customer has its own draws; and 1e9 customers by counts. */
static void auto_mode_and_a_big_market(void **state)
{
	clv_scenario *s = load_file("scenarios/textbook.yaml");
	clv_scenario *h = load_file("bench/lifecycle_infinite.yaml");
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 20, &err);
	mc_result *r;
	mc_config cfg;
	size_t i;

	(void)state;
	r = run(s, MC_MODE_AUTO, 10, 1000, 0);
	assert_int_equal(r->engine, MC_MODE_CUSTOMERS);
	mc_free(r);
	r = run(s, MC_MODE_AUTO, 100, 1000000000, 0);
	assert_int_equal(r->engine, MC_MODE_AGGREGATE);
	for (i = 0; i < 3 * s->n; i++) /* shares of 1e9 customers: exact within 5 se */
		assert_true(fabs(r->share_mean[i] - ex->share[i]) <= 5e-4 + 1e-12);
	for (i = 0; i < s->n; i++)
		assert_true(fabs(r->clv[i].mean - ex->clv[i]) <= 5 * r->clv[i].se + 1e-9);
	assert_true(r->clv[1].se > 0 && r->clv[1].se < 0.01);
	mc_free(r);
	mc_config_defaults(&cfg, h);
	cfg.mode = MC_MODE_AUTO;
	cfg.customers = 1000000000;
	assert_false(aggregate_preferred(h, &cfg));
	exact_free(ex);
	scenario_free(s);
	scenario_free(h);
}

/* An infinite horizon with nothing to earn is still walked as far as the
   share rows shown (both engines). */
static void share_rows_of_an_infinite_horizon(void **state)
{
	clv_scenario *s = load_text("states: [A, B]\ninitial: [1, 0]\n"
	                            "switching: [[0.9, 0.1], [0.2, 0.8]]\nhorizon: infinite\n"
	                            "discount_rate: 0.1\nmargin: 0\n");
	mc_result *c = run(s, MC_MODE_CUSTOMERS, 5, 2000, 1), *a = run(s, MC_MODE_AGGREGATE, 5, 2000, 1);

	(void)state;
	assert_int_equal(c->periods, 20);
	assert_int_equal(a->periods, 20);
	/* the chain's own shares at period 20, 0.6667 of A in the long run */
	assert_true(fabs(c->share_mean[20 * 2] - a->share_mean[20 * 2]) < 0.05);
	assert_true(a->share_mean[20 * 2] > 0.6 && a->share_mean[20 * 2] < 0.73);
	mc_free(c);
	mc_free(a);
	scenario_free(s);
}

/* `clvsim run ARGS --format json --threads T`, with mc.threads removed. */
static char *run_json(const char *args, int threads)
{
	const char *bin = getenv("CLVSIM");
	char cmd[1024], *text;
	json_error_t jerr;
	json_t *doc;
	FILE *p;

	assert_non_null(bin);
	snprintf(cmd, sizeof cmd, "'%s' run %s --format json --quiet --threads %d", bin, args, threads);
	p = popen(cmd, "r");
	assert_non_null(p);
	doc = json_loadf(p, 0, &jerr);
	assert_int_equal(pclose(p), 0);
	if (doc == NULL)
		fail_msg("%s: %s", cmd, jerr.text);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "mc"), "threads")),
	                 threads);
	json_object_del(json_object_get(doc, "mc"), "threads");
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
	json_decref(doc);
	return text;
}

static void run_output_whatever_threads(void **state)
{
	static const char *runs[] = {
		"scenarios/uncertain_retention.yaml --mode customers --customers 3000 --replications 40",
		"scenarios/uncertain_retention.yaml --mode aggregate --customers 3000 --replications 40",
		"scenarios/customer_pyramid.yaml --customers 5000 --replications 20",
		"bench/lifecycle_infinite.yaml --customers 2000 --replications 10",
	};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof runs / sizeof runs[0]; k++) {
		char *a = run_json(runs[k], 1), *b = run_json(runs[k], 2);
		if (strcmp(a, b) != 0)
			fail_msg("clvsim run %s: 1 and 2 threads differ", runs[k]);
		free(a);
		free(b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(against_customers_files),
		cmocka_unit_test(against_customers_infinite),
		cmocka_unit_test(same_bits_whatever_threads),
		cmocka_unit_test(run_output_whatever_threads),
		cmocka_unit_test(share_rows_of_an_infinite_horizon),
		cmocka_unit_test(refusals),
		cmocka_unit_test(auto_mode_and_a_big_market),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
