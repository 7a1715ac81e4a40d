/*
 * test_mc.c - the Monte Carlo engine against the exact engine (5 standard
 * errors, fixed seeds), the closed form of heterogeneous retention,
 * byte-identical results for 1 and 2 threads, customers' own rows on the
 * rows path and on the general path alike, and the memory budget: a
 * run's peak (measured in a forked child, VmHWM) within its plan, the
 * task slots of many customers counted and the wave shrunk to fit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* A scenario written in the test (named test.yaml in messages). */
static clv_scenario *load_text(const char *text)
{
	return th_load_text("test.yaml", text);
}

static mc_result *run(clv_scenario *s, int threads, uint64_t reps, uint64_t customers)
{
	mc_config cfg;

	th_mc_config(&cfg, s, reps, customers, threads);
	cfg.keep_rep_share = true; /* the tests read the per-replication shares */
	return th_mc_run(s, &cfg);
}

/* Standard error of the mean share (state i, period t) over replications. */
static double share_se(const mc_result *r, long t, size_t i)
{
	size_t cells = (size_t)(r->periods + 1) * r->n, c = (size_t)t * r->n + i;
	double mean = 0, ss = 0;
	uint64_t k;

	for (k = 0; k < r->replications; k++)
		mean += (double)r->rep_share[k * cells + c];
	mean /= (double)r->replications;
	for (k = 0; k < r->replications; k++)
		ss += pow((double)r->rep_share[k * cells + c] - mean, 2);
	return sqrt(ss / (double)(r->replications - 1) / (double)r->replications);
}

/* Every MC mean within 5 SE of the exact figure (plus float rounding). */
static void assert_agrees(const mc_result *r, const exact_result *ex)
{
	size_t i;
	long t;

	for (i = 0; i <= r->n; i++) {
		/* a state that earns the same for everyone (se 0) must match exactly */
		double d = fabs(r->clv[i].mean - ex->clv[i]);
		double bound = r->clv[i].se > 0 ? 5.0 * r->clv[i].se : 1e-9 * (1 + fabs(ex->clv[i]));
		if (!(d <= bound))
			fprintf(stderr, "clv[%zu]: mc %.6f exact %.6f se %.3g\n", i, r->clv[i].mean,
			        ex->clv[i], r->clv[i].se);
		assert_true(d <= bound);
	}
	for (t = 0; t <= r->periods; t++)
		for (i = 0; i < r->n; i++) {
			double se = share_se(r, t, i), d = fabs(r->share_mean[(size_t)t * r->n + i] -
			                                        ex->share[(size_t)t * r->n + i]);
			assert_true(d <= 5.0 * se + 1e-6);
		}
}

/* scenarios/textbook.yaml at seed 7. */
static void textbook_agrees_with_exact(void **state)
{
	clv_scenario *s = th_scenario("textbook");
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 20, &err);
	mc_config cfg;
	mc_result *r;

	th_mc_config(&cfg, s, 40, 5000, 2);
	cfg.seed = 7;
	cfg.keep_rep_share = true; /* assert_agrees reads the per-replication shares */
	r = th_mc_run(s, &cfg);

	assert_non_null(ex);
	assert_agrees(r, ex);
	assert_int_equal(r->replications, 40);
	mc_free(r);
	exact_free(ex);
	scenario_free(s);
}

/* Random 4-state matrices, costs, several purchases, growth. */
static void random_matrices_agree(void **state)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	int trial;

	gsl_rng_set(g, 2026);
	for (trial = 0; trial < 4; trial++) {
		char text[2048];
		size_t len = 0;
		int i, j;
		clv_scenario *s;
		clv_error err = {0};
		exact_result *ex;
		mc_result *r;

		len += (size_t)snprintf(text + len, sizeof text - len,
		                        "states: [a, b, c, d]\ninitial: [0.25, 0.25, 0.25, 0.25]\nswitching:\n");
		for (i = 0; i < 4; i++) {
			double w[4], sum = 0;
			for (j = 0; j < 4; j++)
				sum += (w[j] = gsl_rng_uniform_pos(g));
			/* exact decimal rows that sum to 1: round three, the last takes the rest */
			int q[4], qs = 0;
			for (j = 0; j < 3; j++)
				qs += (q[j] = (int)(w[j] / sum * 1000));
			q[3] = 1000 - qs;
			len += (size_t)snprintf(text + len, sizeof text - len,
			                        "  - [%d.%03d, %d.%03d, %d.%03d, %d.%03d]\n", q[0] / 1000,
			                        q[0] % 1000, q[1] / 1000, q[1] % 1000, q[2] / 1000,
			                        q[2] % 1000, q[3] / 1000, q[3] % 1000);
		}
		len += (size_t)snprintf(text + len, sizeof text - len,
		                        "horizon: %d\ndiscount_rate: 0.0%d\npurchases_per_period: %d\n"
		                        "margin: {a: 100, b: 60, c: 20, d: -5}\n"
		                        "cost_per_period: {a: 5, b: 2, c: 1, d: 0}\n"
		                        "spend_growth: 0.01\nacquisition_cost: 30\nseed: %d\n",
		                        3 + trial * 4, 3 + trial, 1 + trial % 3, trial);
		s = load_text(text);
		ex = exact_scenario(s, 20, &err);
		assert_non_null(ex);
		r = run(s, 2, 20, 4000);
		assert_agrees(r, ex);
		mc_free(r);
		exact_free(ex);
		scenario_free(s);
	}
	gsl_rng_free(g);
}

/* Churn probability theta ~ Beta(a, b) per customer: survival to t is
   E[(1 - theta)^t] = B(a, b + t) / B(a, b). */
static void heterogeneous_retention_closed_form(void **state)
{
	static const char text[] =
		"states: [active, lost]\n"
		"initial: [1, 0]\n"
		"switching:\n"
		"  active: [0.5, 0.5]\n"
		"  lost: [0, 1]\n"
		"retention: {active: {dist: beta, a: 6, b: 2, per: customer}}\n"
		"horizon: 12\n"
		"discount_rate: 0.1\n"
		"margin: {active: 1, lost: 0}\n"
		"seed: 11\n";
	const double a = 2, b = 6; /* churn theta = 1 - retention ~ Beta(2, 6) */
	clv_scenario *s = load_text(text);
	mc_result *r = run(s, 2, 20, 5000);
	double clv = 0;
	long t;

	for (t = 0; t <= 12; t++) {
		double surv = exp(gsl_sf_lnbeta(a, b + (double)t) - gsl_sf_lnbeta(a, b));
		double se = share_se(r, t, 0);
		assert_true(fabs(r->share_mean[(size_t)t * 2] - surv) <= 5 * se + 1e-6);
		clv += surv / pow(1.1, (double)t);
	}
	assert_true(fabs(r->clv[2].mean - clv) <= 5 * r->clv[2].se);
	/* the exact engine at the mean retention (0.75) differs: heterogeneity matters */
	{
		clv_error err = {0};
		exact_result *ex = exact_scenario(s, 20, &err);
		assert_non_null(ex);
		assert_true(fabs(ex->clv[2] - clv) > 10 * r->clv[2].se);
		exact_free(ex);
	}
	mc_free(r);
	scenario_free(s);
}

/* An absorbing "lost" state stops the walk, but shares stay exact. */
static void absorbing_state_counts(void **state)
{
	static const char text[] =
		"states: [A, lost]\n"
		"initial: [1, 0]\n"
		"switching:\n"
		"  A: [0.8, 0.2]\n"
		"  lost: [0, 1]\n"
		"horizon: 50\n"
		"discount_rate: 0.05\n"
		"margin: {A: 10, lost: 0}\n"
		"seed: 3\n";
	clv_scenario *s = load_text(text);
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 20, &err);
	mc_result *r = run(s, 1, 10, 3000);
	long t;

	assert_non_null(ex);
	assert_agrees(r, ex);
	for (t = 0; t <= 50; t++) /* shares of the two states sum to 1 exactly */
		assert_true(fabs(r->share_mean[t * 2] + r->share_mean[t * 2 + 1] - 1.0) < 1e-6);
	mc_free(r);
	exact_free(ex);
	scenario_free(s);
}

/* Same seed, 1 or 2 threads: byte-identical results, uncertain
   assumptions, heterogeneous customers and Poisson purchases included. */
/* mc_config.beside: called exactly once, on one of the run's threads
   (whichever thread count), and the run's figures are the bits of a run
   without it; the aggregate engine never calls it. */
static void count_call(void *ctx)
{
#pragma omp atomic update
	(*(int *)ctx)++;
}

static void beside_runs_once(void **state)
{
	clv_scenario *s = load_text("states: [A, B, lost]\ninitial: [0.5, 0.5, 0]\n"
	                            "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0, 0, 1]]\n"
	                            "horizon: 12\ndiscount_rate: 0.1\nmargin: {A: 50, B: 30, lost: 0}\n"
	                            "seed: 5\n");
	mc_result *plain = run(s, 2, 9, 3000);
	int threads, calls;

	(void)state;
	for (threads = 1; threads <= 2; threads++) {
		mc_config cfg;
		mc_result *r;
		size_t i;
		calls = 0;
		th_mc_config(&cfg, s, 9, 3000, threads);
		cfg.keep_rep_share = true;
		cfg.beside = count_call;
		cfg.beside_ctx = &calls;
		r = th_mc_run(s, &cfg);
		assert_int_equal(calls, 1);
		assert_memory_equal(r->rep_clv, plain->rep_clv, 9 * (r->n + 1) * sizeof(double));
		assert_memory_equal(r->clv, plain->clv, (r->n + 1) * sizeof *r->clv);
		for (i = 0; i <= r->n; i++)
			assert_memory_equal(r->hist[i], plain->hist[i], sizeof *r->hist[i]);
		mc_free(r);
	}
	{
		mc_config cfg;
		mc_result *r;
		calls = 0;
		th_mc_config(&cfg, s, 9, 3000, 2);
		cfg.mode = MC_MODE_AGGREGATE;
		cfg.beside = count_call;
		cfg.beside_ctx = &calls;
		r = th_mc_run(s, &cfg);
		assert_int_equal(calls, 0);
		mc_free(r);
	}
	mc_free(plain);
	scenario_free(s);
}

static void thread_count_invariance(void **state)
{
	static const char text[] =
		"states: [A, B, lost]\n"
		"initial: [0.5, 0.5, 0]\n"
		"switching:\n"
		"  A: [0.7, 0.2, 0.1]\n"
		"  B: {dist: dirichlet, alpha: [20, 60, 20]}\n"
		"  lost: [0, 0, 1]\n"
		"retention: {A: {dist: beta, a: 70, b: 30, per: customer}}\n"
		"horizon: 6\n"
		"discount_rate: {dist: uniform, min: 0.05, max: 0.12}\n"
		"purchases_per_period: {dist: poisson, mean: 2}\n"
		"margin: {A: {dist: normal, mean: 50, sd: 10}, B: 30, lost: 0}\n"
		"seed: 99\n";
	clv_scenario *s = load_text(text);
	mc_result *r1 = run(s, 1, 7, 5000), *r2 = run(s, 2, 7, 5000);
	size_t cells = (size_t)(r1->periods + 1) * r1->n, i;

	assert_int_equal(r1->threads, 1);
	assert_int_equal(r2->threads, 2);
	assert_memory_equal(r1->rep_clv, r2->rep_clv, 7 * (r1->n + 1) * sizeof(double));
	assert_memory_equal(r1->rep_share, r2->rep_share, 7 * cells * sizeof(double));
	assert_memory_equal(r1->clv, r2->clv, (r1->n + 1) * sizeof *r1->clv);
	assert_memory_equal(r1->clv_avg, r2->clv_avg, (r1->n + 1) * sizeof *r1->clv_avg);
	for (i = 0; i <= r1->n; i++)
		assert_memory_equal(r1->hist[i], r2->hist[i], sizeof *r1->hist[i]);
	/* and the uncertainty shows: replication averages differ */
	assert_true(r1->clv_avg[3].sd > 0);
	mc_free(r1);
	mc_free(r2);
	scenario_free(s);
}

/* More threads than blocks: a thread that never runs a task never makes
   its worker's tables (worker_ready), and adds nothing; the results are
   the same bytes as on one thread. */
static void idle_threads_add_nothing(void **state)
{
	static const char text[] =
		"states: [A, B]\n"
		"initial: [0.5, 0.5]\n"
		"switching:\n"
		"  A: [0.7, 0.3]\n"
		"  B: [0.2, 0.8]\n"
		"horizon: 5\n"
		"discount_rate: 0.1\n"
		"margin: {A: 50, B: 30}\n"
		"seed: 7\n";
	clv_scenario *s = load_text(text);
	mc_result *r1 = run(s, 1, 1, 100), *r4 = run(s, 4, 1, 100);
	size_t cells = (size_t)(r1->periods + 1) * r1->n, i;

	assert_int_equal(r4->threads, 4);
	assert_memory_equal(r1->rep_clv, r4->rep_clv, (r1->n + 1) * sizeof(double));
	assert_memory_equal(r1->rep_share, r4->rep_share, cells * sizeof(double));
	assert_memory_equal(r1->clv, r4->clv, (r1->n + 1) * sizeof *r1->clv);
	for (i = 0; i <= r1->n; i++)
		assert_memory_equal(r1->hist[i], r4->hist[i], sizeof *r1->hist[i]);
	mc_free(r1);
	mc_free(r4);
	scenario_free(s);
}

/* Customers whose own draws decide only rows walk through the rows path
   (mc_hetero.h: a struct of arrays, the lock-step kernels, or
   chain_run_own's general path for Poisson purchases); adding an own
   assumption of money that changes no bit (a referral of at most 1e-300:
   A's cost to serve, 1, minus it is still 1) sends the same customers
   through the general path (a model and a table per customer). The
   results must be the same bytes, at 1 and 2 threads, with impossible
   draws (row B above 1), a Dirichlet row, per-customer retention, uplift
   and win, offers and an absorbing state. */
static void own_rows_path_matches_general(void **state)
{
	static const char base[] =
		TH_OWN_ROWS_MARKET
		"horizon: 15\ndiscount_rate: 0.1\n"
		"margin: {A: 50, B: 30, C: 20, lost: 0}\ncost_per_period: {A: 1, B: 0, C: 0, lost: 0}\n"
		"acquisition_cost: 12\nseed: 5\n";
	static const char *const purchases[] = {"", "purchases_per_period: {dist: poisson, mean: 1.5}\n"};
	size_t k, i;

	(void)state;
	for (k = 0; k < 2; k++) {
		char rows_text[2048], general_text[2048];
		clv_scenario *rs, *gs;
		int threads;
		snprintf(rows_text, sizeof rows_text, "%s%s", base, purchases[k]);
		snprintf(general_text, sizeof general_text,
		         "%s%sreferral_value: {A: {dist: uniform, min: 0, max: 1e-300, per: customer},"
		         " B: 0, C: 0, lost: 0}\n", base, purchases[k]);
		rs = load_text(rows_text);
		gs = load_text(general_text);
		for (threads = 1; threads <= 2; threads++) {
			mc_result *a = run(rs, threads, 5, 3000), *b = run(gs, 1, 5, 3000);
			size_t cells = (size_t)(a->periods + 1) * a->n;
			assert_memory_equal(a->rep_clv, b->rep_clv, 5 * (a->n + 1) * sizeof(double));
			assert_memory_equal(a->rep_share, b->rep_share, 5 * cells * sizeof(double));
			assert_memory_equal(a->clv, b->clv, (a->n + 1) * sizeof *a->clv);
			for (i = 0; i <= a->n; i++)
				assert_memory_equal(a->hist[i], b->hist[i], sizeof *a->hist[i]);
			/* and the customers' own draws show */
			assert_true(a->clv[a->n].sd > 0);
			mc_free(a);
			mc_free(b);
		}
		scenario_free(rs);
		scenario_free(gs);
	}
}

/* Exact replication values (mc_config.exact_replications): each
   replication's figures are the exact engine's for its draws, so they do
   not depend on the customers simulated (bits equal for 10 and 37
   customers, with 1 and 2 threads), equal exact_run on a model with the
   recorded draws, the mean is their average; a per-customer assumption
   turns them off. */
static void exact_replication_values(void **state)
{
	static const char text[] =
		"states: [A, B, lost]\n"
		"initial: [0.5, 0.5, 0]\n"
		"switching:\n"
		"  A: [0.7, 0.2, 0.1]\n"
		"  B: {dist: dirichlet, alpha: [20, 60, 20]}\n"
		"  lost: [0, 0, 1]\n"
		"retention: {A: {dist: beta, a: 70, b: 30}}\n"
		"horizon: 6\n"
		"discount_rate: 0.09\n"
		"purchases_per_period: {dist: poisson, mean: 2}\n"
		"margin: {A: {dist: normal, mean: 50, sd: 10}, B: 30, lost: 0}\n";
	clv_scenario *s = load_text(text), *h;
	clv_error err = {0};
	mc_result *r[3];
	mc_config cfg;
	size_t cells, k, i;
	double mean = 0;

	(void)state;
	for (k = 0; k < 3; k++) {
		mc_config_defaults(&cfg, s);
		cfg.replications = 6;
		cfg.customers = k == 1 ? 37 : 10;
		cfg.threads = k == 2 ? 2 : 1;
		cfg.exact_replications = true;
		cfg.keep_rep_share = true; /* compared below */
		r[k] = mc_run(s, &cfg, &err);
		assert_non_null(r[k]);
		assert_true(r[k]->exact_replications);
	}
	cells = (size_t)(r[0]->periods + 1) * r[0]->n;
	for (k = 1; k < 3; k++) {
		assert_memory_equal(r[0]->rep_clv, r[k]->rep_clv, 6 * 4 * sizeof(double));
		assert_memory_equal(r[0]->rep_share, r[k]->rep_share, 6 * cells * sizeof(double));
	}
	for (i = 0; i < 6; i++)
		mean += r[0]->rep_clv[i * 4 + 3] / 6;
	assert_true(fabs(mean - r[0]->clv[3].mean) <= 1e-9 * fabs(mean));
	/* replication 0 by hand: its draws into the model, the exact engine */
	{
		model_values *v = model_values_at_means(s, &err);
		clv_model *m = model_create(3);
		exact_result *ex;
		size_t j;
		for (j = 0; j < v->n_params; j++) {
			size_t c;
			for (c = 0; c < r[0]->n_inputs; c++)
				if (strcmp(r[0]->input_name[c], v->params[j]->label) == 0)
					v->param[j] = r[0]->rep_input[c];
		}
		for (j = 0; j < 3; j++) /* the Dirichlet row's three columns */
			v->dirichlet[3 + j] = r[0]->rep_input[r[0]->n_inputs - 3 + j];
		assert_int_equal(model_build(s, v, m, &err), CLV_OK);
		ex = exact_run(m, 20, &err);
		for (j = 0; j <= 3; j++)
			assert_true(fabs(ex->clv[j] - r[0]->rep_clv[j]) <= 1e-12 * (1 + fabs(ex->clv[j])));
		exact_free(ex);
		model_free(m);
		model_values_free(v);
	}
	for (k = 0; k < 3; k++)
		mc_free(r[k]);
	scenario_free(s);
	/* a per-customer assumption: simulated values */
	h = load_text("states: [A, B]\ninitial: [1, 0]\nswitching: [[0.8, 0.2], [0.3, 0.7]]\n"
	              "retention: {A: {dist: beta, a: 8, b: 2, per: customer}}\nhorizon: 3\n"
	              "discount_rate: {dist: uniform, min: 0.05, max: 0.1}\nmargin: 10\n");
	mc_config_defaults(&cfg, h);
	cfg.replications = 3;
	cfg.customers = 10;
	cfg.exact_replications = true;
	r[0] = mc_run(h, &cfg, &err);
	assert_non_null(r[0]);
	assert_false(r[0]->exact_replications);
	mc_free(r[0]);
	scenario_free(h);
}

/* --precision: stops when the interval is narrow enough. */
static void precision_stops(void **state)
{
	clv_scenario *s = th_scenario("textbook");
	mc_config cfg;
	mc_result *r;

	th_mc_config(&cfg, s, 4, 2000, 0);
	cfg.seed = 7;
	cfg.precision = 0.005;
	cfg.precision_relative = true;
	r = th_mc_run(s, &cfg);
	assert_true(r->precision_reached);
	assert_true(r->half_width <= 0.005 * fabs(r->clv_avg[3].mean));
	assert_int_equal(r->replications % 4, 0);
	mc_free(r);
	scenario_free(s);
}

/* A 2-state chain whose CLV distribution is enumerated path by path:
   every reported percentile is a value the distribution takes (an atom),
   and it is the true p-quantile wherever the CDF does not pass within 5
   standard errors of p at that atom. */
typedef struct atom {
	double v, p;
} atom;

static int cmp_atom(const void *a, const void *b)
{
	double x = ((const atom *)a)->v, y = ((const atom *)b)->v;
	return (x > y) - (x < y);
}

static void percentiles_are_atoms(void **state)
{
	static const char text[] =
		"states: [A, B]\ninitial: [1, 0]\nswitching:\n  A: [0.7, 0.3]\n  B: [0.4, 0.6]\n"
		"horizon: 3\ndiscount_rate: 0.1\nmargin: {A: 100, B: 30}\n";
	const double P[2][2] = {{0.7, 0.3}, {0.4, 0.6}}, m[2] = {100, 30};
	const double ps[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
	clv_scenario *s = load_text(text);
	mc_result *r = run(s, 2, 100, 4000);
	atom at[8];
	double got[5];
	size_t k, j, n = 8;
	double N = 400000.0;

	(void)state;
	for (k = 0; k < 8; k++) { /* states at t = 1, 2, 3 from the bits of k */
		int x = 0, t;
		double v = m[0], pr = 1.0;
		for (t = 1; t <= 3; t++) {
			int y = (int)((k >> (t - 1)) & 1u);
			pr *= P[x][y];
			v += m[y] / pow(1.1, t);
			x = y;
		}
		at[k].v = v;
		at[k].p = pr;
	}
	qsort(at, n, sizeof *at, cmp_atom);
	got[0] = r->clv[2].p05;
	got[1] = r->clv[2].p25;
	got[2] = r->clv[2].p50;
	got[3] = r->clv[2].p75;
	got[4] = r->clv[2].p95;
	for (j = 0; j < 5; j++) {
		double cum = 0.0, band = 5.0 * sqrt(ps[j] * (1 - ps[j]) / N), truth = NAN;
		bool is_atom = false, near_jump = false;
		for (k = 0; k < n; k++) {
			is_atom |= fabs(got[j] - at[k].v) <= 1e-9 * at[k].v;
			near_jump |= fabs(cum + at[k].p - ps[j]) <= band;
			cum += at[k].p;
			if (isnan(truth) && cum >= ps[j])
				truth = at[k].v;
		}
		printf("  p%02.0f: reported %.6f, true %.6f\n", 100 * ps[j], got[j], truth);
		assert_true(is_atom);
		if (!near_jump)
			assert_true(fabs(got[j] - truth) <= 1e-9 * truth);
	}
	mc_free(r);
	scenario_free(s);
}

/* A chain of n states, each kept with 0.9, the rest spread evenly;
   horizon T, R replications of C customers (text owned by the caller). */
static char *many_states(int n, long T, long R, long C)
{
	size_t cap = 256 * 1024, len = 0; /* 64 rows of 64 entries of <= 25 bytes */
	char *t = malloc(cap);
	int i, j;

	assert_non_null(t);
	len += (size_t)snprintf(t + len, cap - len, "states: [");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, "%sS%d", i ? ", " : "", i);
	len += (size_t)snprintf(t + len, cap - len, "]\ninitial: {S0: 1");
	for (i = 1; i < n; i++)
		len += (size_t)snprintf(t + len, cap - len, ", S%d: 0", i);
	len += (size_t)snprintf(t + len, cap - len, "}\nswitching:\n");
	for (i = 0; i < n; i++) {
		len += (size_t)snprintf(t + len, cap - len, "  S%d: [", i);
		for (j = 0; j < n; j++)
			len += (size_t)snprintf(t + len, cap - len, "%s%.17g", j ? ", " : "",
			                        i == j ? 0.9 : 0.1 / (n - 1));
		len += (size_t)snprintf(t + len, cap - len, "]\n");
	}
	snprintf(t + len, cap - len, "horizon: %ld\ndiscount_rate: 0.01\nmargin: 100\n"
	         "customers: %ld\nreplications: %ld\n", T, C, R);
	return t;
}

/* "VmRSS" or "VmHWM" of this process, in bytes. */
static double vm_bytes(const char *key)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	double kb = -1.0;

	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, key, strlen(key)) == 0)
			kb = strtod(line + strlen(key) + 1, NULL);
	if (f != NULL)
		fclose(f);
	return kb * 1024.0;
}

/* The child of peak_within_plan: 0 when the run's growth in resident
   memory is within its plan and at least its share table (so the
   measurement sees the run). */
static int measure_peak(void)
{
	char *text = many_states(64, 500, 300, 64);
	clv_error err = {0};
	clv_scenario *s = scenario_load_buffer("states64.yaml", text, strlen(text), &err);
	mc_config cfg;
	mc_budget plan;
	mc_result *r;
	double rss0, grew, table = 300.0 * 501.0 * 64.0 * 8.0;

	free(text);
	if (s == NULL)
		return 10;
	mc_config_defaults(&cfg, s);
	cfg.threads = 2;
	if (mc_estimate(s, &cfg, &plan, &err) != CLV_OK)
		return 11;
	rss0 = vm_bytes("VmRSS:");
	r = mc_run(s, &cfg, &err);
	grew = vm_bytes("VmHWM:") - rss0;
	printf("  peak growth %.1f MiB, plan %.1f MiB (share table %.1f MiB)\n", grew / 1048576.0,
	       (plan.total_bytes - MC_BASE_BYTES) / 1048576.0, table / 1048576.0);
	fflush(stdout);
	if (r == NULL)
		return 12;
	mc_free(r);
	scenario_free(s);
	if (grew > plan.total_bytes - MC_BASE_BYTES)
		return 2;
	return grew > 0.9 * table ? 0 : 3;
}

/* A run's real peak (64 states x 501 periods x 300 replications: a 73
   MiB share table, per-thread counts, a wave of tables) stays within
   what its plan counts. */
static void peak_within_plan(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(measure_peak());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* 1e8 customers a replication are 48829 task slots of 2 (n + 1) sums:
   the plan counts them, so a wave of 256 replications (2.3 GB of slots,
   over the budget) shrinks to what fits; and the plan of a long share
   table counts its per-period percentiles and exact shares. */
static void plan_counts_what_grows(void **state)
{
	clv_scenario *s = load_text("states: [A, B]\ninitial: [0.5, 0.5]\n"
	                            "switching: {A: [0.9, 0.1], B: [0.2, 0.8]}\n"
	                            "horizon: 10\ndiscount_rate: 0.09\nmargin: 100\n");
	char *text = many_states(64, 100000, 2, 64);
	clv_error err = {0};
	clv_scenario *big;
	mc_config cfg;
	mc_budget plan;

	(void)state;
	mc_config_defaults(&cfg, s);
	cfg.threads = 2;
	cfg.customers = 100000000;
	cfg.replications = 256;
	assert_int_equal(mc_estimate(s, &cfg, &plan, &err), CLV_OK);
	assert_true(plan.wave_cap < 256);
	assert_true(plan.run_bytes > (double)plan.wave_cap * 48829.0 * 6.0 * 16.0);
	assert_true(plan.total_bytes <= CLV_MEMORY_BUDGET);
	assert_int_equal(mc_budget_check(&plan, NULL, &err), CLV_OK);
	big = load_text(text);
	mc_config_defaults(&cfg, big);
	cfg.threads = 1;
	assert_int_equal(mc_estimate(big, &cfg, &plan, &err), CLV_OK);
	assert_true(plan.kept_bytes >= 8.0 * 100001.0 * 64.0 * 8.0);
	cfg.report_cell_bytes = 320.0; /* a JSON document of the share table on top */
	assert_int_equal(mc_estimate(big, &cfg, &plan, &err), CLV_OK);
	assert_int_equal(mc_budget_check(&plan, "x.yaml", &err), CLV_ERR_LIMIT);
	assert_non_null(strstr(err.msg, "x.yaml: this run would need"));
	free(text);
	scenario_free(big);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		/* first: it forks, and libgomp's thread pool does not survive a
		   fork (no parallel region may have run in the parent yet) */
		cmocka_unit_test(peak_within_plan),
		cmocka_unit_test(textbook_agrees_with_exact),
		cmocka_unit_test(random_matrices_agree),
		cmocka_unit_test(heterogeneous_retention_closed_form),
		cmocka_unit_test(absorbing_state_counts),
		cmocka_unit_test(thread_count_invariance),
		cmocka_unit_test(idle_threads_add_nothing),
		cmocka_unit_test(beside_runs_once),
		cmocka_unit_test(own_rows_path_matches_general),
		cmocka_unit_test(exact_replication_values),
		cmocka_unit_test(precision_stops),
		cmocka_unit_test(percentiles_are_atoms),
		cmocka_unit_test(plan_counts_what_grows),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
