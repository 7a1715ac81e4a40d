/*
 * test_calibration.c - the Monte Carlo standard errors and intervals mean
 * what they say, checked by repetition: for scenarios of every kind
 * (fixed inputs, per-replication uncertainty, segments, per-customer
 * heterogeneity, a campaign, Poisson purchases with growth), over 200
 * seeds, at 5 and at 50 replications,
 *   - the spread (sd) of the reported mean total CLV over the seeds agrees
 *     with the mean of the reported se: ratio in [0.8, 1.25];
 *   - the reported 95% interval (Student t with the reported df) covers
 *     the exact expectation in at least 92% of the runs.
 * With exact replication values (mc_config.exact_replications: each
 * replication's exact CLV given its draws, no inner noise) the same holds
 * for the scenarios with per-replication draws and none per customer.
 * Every scenario here is linear in its uncertain inputs, so the exact
 * expectation is the exact engine at their means. Runs are tiny (a few
 * thousand customers) so the suite stays fast.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

#define SEEDS 200

typedef struct calibration {
	double ratio;    /* sd of the means over seeds / mean reported se */
	double coverage; /* share of runs whose 95% interval covers the truth */
} calibration;

static double exact_total(clv_scenario *s)
{
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 20, &err);
	double v;

	assert_non_null(ex);
	v = ex->clv[s->n];
	exact_free(ex);
	return v;
}

static void calibrate(const char *file, uint64_t reps, uint64_t customers, bool exact,
                      calibration *out)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(file, &err);
	double truth, sum = 0, sumsq = 0, se_sum = 0;
	int seed, covered = 0;

	if (s == NULL)
		fail_msg("%s: %s", file, err.msg);
	truth = exact_total(s);
	for (seed = 1; seed <= SEEDS; seed++) {
		mc_config cfg;
		mc_result *r;
		double m, se, t;
		mc_config_defaults(&cfg, s);
		cfg.seed = (uint64_t)seed * 7919u;
		cfg.replications = reps;
		cfg.customers = customers;
		cfg.threads = 1;
		cfg.exact_replications = exact;
		r = mc_run(s, &cfg, &err);
		if (r == NULL)
			fail_msg("%s: %s", file, err.msg);
		assert_true(r->exact_replications == exact);
		m = r->clv[s->n].mean;
		se = r->clv[s->n].se;
		t = mc_t_quantile(0.95, r->se_df);
		covered += fabs(m - truth) <= t * se;
		sum += m;
		sumsq += m * m;
		se_sum += se;
		mc_free(r);
	}
	out->ratio = sqrt((sumsq - sum * sum / SEEDS) / (SEEDS - 1)) / (se_sum / SEEDS);
	out->coverage = (double)covered / SEEDS;
	printf("  %-28s R=%-3llu %s se ratio %.3f  coverage %.3f\n",
	       file + sizeof "tests/data/calib/" - 1, (unsigned long long)reps,
	       exact ? "exact    " : "simulated", out->ratio, out->coverage);
	scenario_free(s);
}

static void check_with(const char *file, bool exact)
{
	calibration c;

	calibrate(file, 5, 400, exact, &c);
	assert_true(c.ratio >= 0.8 && c.ratio <= 1.25);
	assert_true(c.coverage >= 0.92);
	calibrate(file, 50, 40, exact, &c);
	assert_true(c.ratio >= 0.8 && c.ratio <= 1.25);
	assert_true(c.coverage >= 0.92);
}

static void check(const char *file)
{
	check_with(file, false);
}

static void fixed_inputs(void **state)
{
	(void)state;
	check("tests/data/calib/fixed.yaml");
}

static void per_replication_uncertainty(void **state)
{
	(void)state;
	check("tests/data/calib/outer.yaml");
	check_with("tests/data/calib/outer.yaml", true);
}

/* Exact replication values with tiers, Poisson purchases and growth. */
static void exact_replications_tiers_poisson(void **state)
{
	(void)state;
	check_with("tests/data/calib/outer_tiers.yaml", true);
}

static void segments(void **state)
{
	(void)state;
	check("tests/data/calib/segments.yaml");
}

static void per_customer_heterogeneity(void **state)
{
	(void)state;
	check("tests/data/calib/hetero.yaml");
}

static void campaign(void **state)
{
	(void)state;
	check("tests/data/calib/campaign.yaml");
}

static void poisson_with_growth(void **state)
{
	(void)state;
	check("tests/data/calib/poisson.yaml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixed_inputs),
		cmocka_unit_test(per_replication_uncertainty),
		cmocka_unit_test(exact_replications_tiers_poisson),
		cmocka_unit_test(segments),
		cmocka_unit_test(per_customer_heterogeneity),
		cmocka_unit_test(campaign),
		cmocka_unit_test(poisson_with_growth),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
