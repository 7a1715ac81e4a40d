/*
 * test_sweep_exact.c - a sweep simulates only what must be simulated
 * (whatif_sweep_method, whatif.h): with nothing uncertain every point is
 * the exact engine's figure run point by point on a freshly loaded copy;
 * with assumptions drawn only per replication every point's mean and se
 * are those of the Monte Carlo engine's exact replication values
 * (mc_run with exact_replications) on the same draws; with a per-customer
 * draw the sweep stays Monte Carlo; --mode customers forces it; the
 * difference from a base follows the same methods; and nothing depends
 * on the thread count.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exact.h"
#include "engine/mc.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

#define TEXTBOOK "scenarios/textbook.yaml"
#define UNCERTAIN "scenarios/uncertain_retention.yaml"
#define PER_CUSTOMER "tests/data/calib/hetero.yaml"

static whatif_settings settings(mc_mode mode, int threads)
{
	whatif_settings set;

	memset(&set, 0, sizeof set);
	set.mode = mode;
	set.threads = threads;
	return set;
}

/* A sweep of path (against base_path when not NULL) over vary[0..n-1]. */
static whatif_sweep *sweep(const char *base_path, const char *path, const char *const *vary,
                           size_t n, const whatif_settings *set)
{
	clv_error err = {0};
	whatif_axis axes[2];
	whatif_sweep *w = NULL;
	clv_scenario *s = scenario_load(path, &err);
	clv_scenario *b = base_path != NULL ? scenario_load(base_path, &err) : NULL;
	size_t k;

	memset(axes, 0, sizeof axes);
	assert_non_null(s);
	for (k = 0; k < n; k++)
		assert_int_equal(whatif_axis_parse(vary[k], &axes[k], &err), CLV_OK);
	w = b != NULL ? whatif_sweep_vs(b, s, axes, n, set, &err)
	              : whatif_sweep_run(s, axes, n, set, true, &err);
	if (w == NULL)
		fprintf(stderr, "sweep: %s\n", err.msg);
	assert_non_null(w);
	scenario_free(s);
	scenario_free(b);
	whatif_axis_clear(&axes[0]);
	whatif_axis_clear(&axes[1]);
	return w;
}

/* path loaded afresh with point p of w set. */
static clv_scenario *point_scenario(const char *path, const whatif_sweep *w, size_t p)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);
	size_t a;

	assert_non_null(s);
	for (a = 0; a < w->n_axes; a++)
		assert_int_equal(scenario_set_number(s, w->axis[a].key, w->x[p * w->n_axes + a], &err),
		                 CLV_OK);
	return s;
}

static void nothing_uncertain_is_exact_point_by_point(void **state)
{
	const char *vary[] = {"discount_rate=0.02:0.2:0.06", "margin.A=300:600:150"};
	whatif_settings set = settings(MC_MODE_AUTO, 0);
	whatif_sweep *w = sweep(NULL, TEXTBOOK, vary, 2, &set);
	size_t p, i;

	(void)state;
	assert_int_equal(w->method, WHATIF_SWEEP_EXACT);
	assert_int_equal(w->n_points, 4 * 3);
	for (p = 0; p < w->n_points; p++) {
		clv_error err = {0};
		clv_scenario *s = point_scenario(TEXTBOOK, w, p);
		exact_result *x = exact_scenario(s, 0, &err);
		assert_non_null(x);
		for (i = 0; i <= w->n; i++) {
			double e = x->clv[i];
			assert_true(w->exact[p * (w->n + 1) + i] == e);
			assert_true(w->mean[p * (w->n + 1) + i] == e);
			assert_true(w->se[p * (w->n + 1) + i] == 0.0);
		}
		exact_free(x);
		scenario_free(s);
	}
	whatif_sweep_free(w);
}

/* Mean and se over replications of mc's rep_clv, column i. */
static void rep_mean_se(const mc_result *r, size_t i, double *mean, double *se)
{
	double m = 0.0, ss = 0.0;
	size_t k, R = (size_t)r->replications;

	for (k = 0; k < R; k++)
		m += r->rep_clv[k * (r->n + 1) + i];
	m /= (double)R;
	for (k = 0; k < R; k++)
		ss += pow(r->rep_clv[k * (r->n + 1) + i] - m, 2);
	*mean = m;
	*se = sqrt(ss / (double)(R - 1) / (double)R);
}

static void per_replication_draws_match_the_engines_exact_replications(void **state)
{
	const char *vary[] = {"discount_rate=0.05:0.15:0.05"};
	whatif_settings set = settings(MC_MODE_AUTO, 0);
	whatif_sweep *w = sweep(NULL, UNCERTAIN, vary, 1, &set);
	size_t p, i;

	(void)state;
	assert_int_equal(w->method, WHATIF_SWEEP_EXACT_REPLICATIONS);
	for (p = 0; p < w->n_points; p++) {
		clv_error err = {0};
		clv_scenario *s = point_scenario(UNCERTAIN, w, p);
		mc_config cfg;
		mc_result *r;
		mc_settings ms;

		memset(&ms, 0, sizeof ms);
		ms.exact_replications = true;
		mc_config_from(&cfg, s, &ms);
		cfg.customers = 64; /* the replication values do not depend on it */
		r = mc_run(s, &cfg, &err);
		assert_non_null(r);
		assert_true(r->exact_replications);
		for (i = 0; i <= w->n; i++) {
			double m, se, cell_m = w->mean[p * (w->n + 1) + i], cell_se = w->se[p * (w->n + 1) + i];
			rep_mean_se(r, i, &m, &se);
			assert_true(fabs(cell_m - m) <= 1e-9 * (1.0 + fabs(m)));
			assert_true(fabs(cell_se - se) <= 1e-9 * (1.0 + se));
		}
		assert_true(w->se[p * (w->n + 1) + w->n] > 0.0); /* the outer uncertainty is there */
		mc_free(r);
		scenario_free(s);
	}
	whatif_sweep_free(w);
}

/* The exact replication values and the simulated customers share their
   draws: the Monte Carlo means differ from them by the inner noise
   only, far less than the outer se. */
static void monte_carlo_agrees_with_exact_replications(void **state)
{
	const char *vary[] = {"discount_rate=0.05:0.15:0.1"};
	whatif_settings aut = settings(MC_MODE_AUTO, 0), cus = settings(MC_MODE_CUSTOMERS, 0);
	whatif_sweep *we = sweep(NULL, UNCERTAIN, vary, 1, &aut);
	whatif_sweep *wm = sweep(NULL, UNCERTAIN, vary, 1, &cus);
	size_t p;

	(void)state;
	assert_int_equal(we->method, WHATIF_SWEEP_EXACT_REPLICATIONS);
	assert_int_equal(wm->method, WHATIF_SWEEP_MONTE_CARLO);
	for (p = 0; p < we->n_points; p++) {
		size_t c = p * (we->n + 1) + we->n;
		assert_true(fabs(we->mean[c] - wm->mean[c]) < 5.0 * wm->se[c]);
		assert_true(fabs(we->mean[c] - wm->mean[c]) > 0.0); /* the MC really ran */
		assert_true(we->se[c] <= wm->se[c] * 1.01);         /* no inner noise added */
	}
	whatif_sweep_free(we);
	whatif_sweep_free(wm);
}

static void per_customer_draws_stay_monte_carlo(void **state)
{
	const char *vary[] = {"discount_rate=0.05:0.1:0.05"};
	whatif_settings set = settings(MC_MODE_AUTO, 0);
	whatif_sweep *w = sweep(NULL, PER_CUSTOMER, vary, 1, &set);

	(void)state;
	assert_int_equal(w->method, WHATIF_SWEEP_MONTE_CARLO);
	assert_true(w->se[w->n] > 0.0);
	whatif_sweep_free(w);
}

/* Against a base: exact differences when nothing is uncertain, paired
   exact replication values when only per replication. */
static void versus_base_follows_the_method(void **state)
{
	const char *vary[] = {"margin.A=400:600:100"};
	whatif_settings set = settings(MC_MODE_AUTO, 0);
	whatif_sweep *w = sweep(TEXTBOOK, TEXTBOOK, vary, 1, &set);
	const char *vary2[] = {"margin.Ours=25:35:5"};
	whatif_sweep *u;
	size_t p, c;

	(void)state;
	assert_int_equal(w->method, WHATIF_SWEEP_EXACT);
	for (p = 0; p < w->n_points; p++) {
		c = p * (w->n + 1) + w->n;
		assert_true(w->diff_mean[c] == w->diff_exact[c]);
		assert_true(w->diff_se[c] == 0.0);
	}
	assert_int_equal(w->n_breakeven, 1); /* margin.A = 500 is the base */
	assert_true(fabs(w->breakeven[0] - 500.0) < 1e-6);
	whatif_sweep_free(w);

	u = sweep(UNCERTAIN, UNCERTAIN, vary2, 1, &set);
	assert_int_equal(u->method, WHATIF_SWEEP_EXACT_REPLICATIONS);
	for (p = 0; p < u->n_points; p++) {
		c = p * (u->n + 1) + u->n;
		assert_true(u->diff_se[c] > 0.0);
		assert_true(u->diff_lo90[c] < u->diff_mean[c] && u->diff_mean[c] < u->diff_hi90[c]);
	}
	/* the margin is linear: the paired difference grows with it */
	assert_true(u->diff_mean[u->n] < u->diff_mean[2 * (u->n + 1) + u->n]);
	whatif_sweep_free(u);
}

static void thread_count_does_not_matter(void **state)
{
	const char *vary[] = {"discount_rate=0.05:0.15:0.05", "margin.Ours=25:35:10"};
	whatif_settings one = settings(MC_MODE_AUTO, 1), two = settings(MC_MODE_AUTO, 2);
	whatif_sweep *a = sweep(NULL, UNCERTAIN, vary, 2, &one);
	whatif_sweep *b = sweep(NULL, UNCERTAIN, vary, 2, &two);
	size_t cells = a->n_points * (a->n + 1);

	(void)state;
	assert_memory_equal(a->mean, b->mean, cells * sizeof *a->mean);
	assert_memory_equal(a->se, b->se, cells * sizeof *a->se);
	whatif_sweep_free(a);
	whatif_sweep_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nothing_uncertain_is_exact_point_by_point),
		cmocka_unit_test(per_replication_draws_match_the_engines_exact_replications),
		cmocka_unit_test(monte_carlo_agrees_with_exact_replications),
		cmocka_unit_test(per_customer_draws_stay_monte_carlo),
		cmocka_unit_test(versus_base_follows_the_method),
		cmocka_unit_test(thread_count_does_not_matter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
