/*
 * test_clvdist.c - the exact CLV distribution (engine/clvdist.h):
 *   - against the enumeration of every path (2 and 3 states, short
 *     horizons, costs, growth, offers, two purchases per period): the same
 *     atoms, probabilities within 1e-12, bound 0;
 *   - its mean is the exact engine's (1e-9 relative), whatever the grid;
 *   - against a large Monte Carlo (400,000 customers) of chains whose CLV
 *     is nearly continuous (40 periods, Poisson purchases, an infinite
 *     horizon with an absorbing state): mean, sd and percentiles within 5
 *     standard errors plus the stated bound;
 *   - the stated bound holds: a coarse grid's percentiles are within its
 *     bound (plus the fine one's) of a fine grid's;
 *   - the same numbers, bit for bit, with 1 and 2 threads;
 *   - `exact` and `run` report them in JSON (exact.clv_distribution).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "test_helpers.h"
#include "engine/clvdist.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "scenario/scenario.h"

static clv_scenario *load_text(const char *text)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load_buffer("test.yaml", text, strlen(text), &err);

	if (s == NULL)
		fail_msg("load failed: %s", err.msg);
	return s;
}

static clvdist **run_dp(const clv_model *m, size_t points)
{
	clv_error err = {0};
	clvdist **out = calloc(m->n + 1, sizeof *out);
	clvdist_options o = {points, false, 0};

	assert_non_null(out);
	if (clvdist_model(m, &o, out, NULL, NULL, &err) != CLV_OK)
		fail_msg("clvdist: %s", err.msg);
	return out;
}

static void free_dp(clvdist **d, size_t n)
{
	size_t i;

	for (i = 0; i <= n; i++)
		clvdist_free(d[i]);
	free(d);
}

/* ---- enumeration of every path ------------------------------------------------ */

typedef struct path_list {
	double *v, *p;       /* (n + 1) x cap: per state and total */
	size_t len, cap, n;
} path_list;

/* Every path from purchase `step` (of `steps`) in state x, with value so
   far clv[] and probability prob. */
static void enumerate(const clv_model *m, long t, long k, size_t x, double prob, double *clv,
                      path_list *pl)
{
	size_t n = m->n, y, i;
	long F = (long)m->purchases;
	int ph = t < m->offer_periods;
	const double *P = ph ? m->P_offer : m->P;
	double g = pow((1 + m->growth) / (1 + m->discount), (double)t);
	double d = pow(1 + m->discount, -(double)t), r, sp;

	if (t > m->horizon) {
		double total = -m->acquisition - clv[n]; /* clv[n]: the offer spend */
		assert_true(pl->len < pl->cap);
		for (i = 0; i < n; i++) {
			pl->v[i * pl->cap + pl->len] = clv[i];
			total += clv[i];
		}
		pl->v[n * pl->cap + pl->len] = total;
		pl->p[pl->len++] = prob;
		return;
	}
	/* a state's CLV at full price; what offers cost and a discount gives
	   up is the offer spend, taken from the total only */
	r = m->margin[x] * g;
	sp = ph ? (m->margin[x] - m->margin_offer[x]) * g : 0.0;
	if (k == 0) {
		r -= (ph ? m->cost_offer : m->cost)[x] * d;
		sp += ph ? m->offer_cost[x] * d : 0.0;
	}
	clv[x] += r;
	clv[n] += sp;
	for (y = 0; y < n; y++) {
		if (P[x * n + y] == 0.0)
			continue;
		if (k + 1 < F)
			enumerate(m, t, k + 1, y, prob * P[x * n + y], clv, pl);
		else
			enumerate(m, t + 1, 0, y, prob * P[x * n + y], clv, pl);
	}
	clv[x] -= r;
	clv[n] -= sp;
}

static int cmp_pair(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Values of column i of pl grouped where they agree to `tol`: their
   probabilities summed, into pairs (value, prob); returns the count. */
static size_t grouped(const path_list *pl, size_t i, double tol, double *pairs)
{
	size_t k, g = 0;

	for (k = 0; k < pl->len; k++) {
		pairs[2 * k] = pl->v[i * pl->cap + k];
		pairs[2 * k + 1] = pl->p[k];
	}
	qsort(pairs, pl->len, 2 * sizeof *pairs, cmp_pair);
	for (k = 0; k < pl->len; k++) {
		if (g > 0 && fabs(pairs[2 * k] - pairs[2 * (g - 1)]) <= tol)
			pairs[2 * (g - 1) + 1] += pairs[2 * k + 1];
		else {
			pairs[2 * g] = pairs[2 * k];
			pairs[2 * g + 1] = pairs[2 * k + 1];
			g++;
		}
	}
	return g;
}

/* The same for a clvdist. */
static size_t grouped_dp(const clvdist *d, double tol, double *pairs)
{
	size_t k, g = 0;

	for (k = 0; k < d->len; k++) {
		if (g > 0 && fabs(d->v[k] - pairs[2 * (g - 1)]) <= tol)
			pairs[2 * (g - 1) + 1] += d->p[k];
		else {
			pairs[2 * g] = d->v[k];
			pairs[2 * g + 1] = d->p[k];
			g++;
		}
	}
	return g;
}

static void against_enumeration(const char *text, size_t expect_paths)
{
	clv_scenario *s = load_text(text);
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	size_t n, i, k, paths = 1, ga, gb;
	path_list pl;
	double clv[CLV_MAX_STATES] = {0}, *pa, *pb;
	clvdist **d;

	assert_non_null(m);
	n = m->n;
	for (k = 0; k <= (size_t)((m->horizon + 1) * (long)m->purchases); k++)
		paths *= n; /* the last purchase branches too */
	pl.cap = paths + 1;
	pl.n = n;
	pl.len = 0;
	pl.v = calloc((n + 1) * pl.cap, sizeof *pl.v);
	pl.p = calloc(pl.cap, sizeof *pl.p);
	pa = calloc(2 * pl.cap, sizeof *pa);
	pb = calloc(2 * pl.cap, sizeof *pb);
	assert_true(pl.v && pl.p && pa && pb);
	for (i = 0; i < n; i++)
		if (m->initial[i] > 0)
			enumerate(m, 0, 0, i, m->initial[i], clv, &pl);
	if (expect_paths)
		assert_true(pl.len == expect_paths);
	d = run_dp(m, 1 << 16); /* more bins than atoms: nothing may move */
	for (i = 0; i <= n; i++) {
		double tol = 1e-9 * 1e3, sum = 0;
		ga = grouped(&pl, i, tol, pa);
		gb = grouped_dp(d[i], tol, pb);
		if (ga != gb)
			fail_msg("state %zu: %zu atoms enumerated, %zu from the programme", i, ga, gb);
		assert_true(d[i]->bound == 0.0);
		for (k = 0; k < ga; k++) {
			if (!(fabs(pa[2 * k] - pb[2 * k]) <= tol && fabs(pa[2 * k + 1] - pb[2 * k + 1]) <= 1e-12))
				fail_msg("state %zu atom %zu: %.12g (p %.15g) vs %.12g (p %.15g)", i, k, pa[2 * k],
				         pa[2 * k + 1], pb[2 * k], pb[2 * k + 1]);
			sum += pb[2 * k + 1];
		}
		assert_true(fabs(sum - 1.0) <= 1e-12);
	}
	printf("  %zu paths, %zu total-CLV atoms: every probability within 1e-12\n", pl.len, gb);
	free_dp(d, n);
	free(pl.v);
	free(pl.p);
	free(pa);
	free(pb);
	model_free(m);
	scenario_free(s);
}

static void textbook_enumerated(void **state)
{
	(void)state;
	against_enumeration("states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
	                    "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
	                    "horizon: 2\ndiscount_rate: 0.09\nmargin: 500\n", 81);
}

static void three_states_money_offers(void **state)
{
	(void)state;
	against_enumeration("states: [A, B, C]\ninitial: [0.5, 0.3, 0.2]\n"
	                    "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
	                    "horizon: 5\ndiscount_rate: 0.09\nspend_growth: 0.03\n"
	                    "margin: {A: 500, B: 310, C: 120}\ncost_per_period: {A: 40, B: 0, C: 15}\n"
	                    "acquisition_cost: 75\n"
	                    "campaign: {brand: A, cost: 12, retention_uplift: 0.1, periods: 2}\n", 0);
}

static void two_states_two_purchases(void **state)
{
	(void)state;
	against_enumeration("states: [Us, Them]\ninitial: [1, 0]\n"
	                    "switching: [[0.8, 0.2], [0.3, 0.7]]\n"
	                    "horizon: 6\ndiscount_rate: 0.05\npurchases_per_period: 2\n"
	                    "margin: {Us: 100, Them: 7}\ncost_per_period: {Us: 3, Them: 1}\n", 0);
}

/* ---- the mean is the exact engine's ---------------------------------------------- */

static void means_are_exact(void **state)
{
	static const char *texts[] = {
		"states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
		"switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
		"horizon: 100\ndiscount_rate: 0.09\nmargin: {A: 500, B: 300, C: 200}\n",
		"states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
		"horizon: 30\ndiscount_rate: 0.02\npurchases_per_period: {dist: poisson, mean: 1.5}\n"
		"margin: {A: 10, B: 4}\ncost_per_period: {A: 1, B: 2}\nspend_growth: 0.01\n",
	};
	const size_t grids[] = {64, 4096};
	size_t t, g, i;

	(void)state;
	for (t = 0; t < 2; t++)
		for (g = 0; g < 2; g++) {
			clv_scenario *s = load_text(texts[t]);
			clv_error err = {0};
			clv_model *m = model_at_means(s, &err);
			exact_result *ex = exact_run(m, 5, &err);
			clvdist **d = run_dp(m, grids[g]);
			for (i = 0; i <= m->n; i++) {
				double mean, sd;
				clvdist_moments(d[i], &mean, &sd);
				if (!(fabs(mean - ex->clv[i]) <= 1e-9 * (1 + fabs(ex->clv[i]))))
					fail_msg("case %zu grid %zu state %zu: mean %.12g exact %.12g", t, grids[g], i,
					         mean, ex->clv[i]);
			}
			free_dp(d, m->n);
			exact_free(ex);
			model_free(m);
			scenario_free(s);
		}
}

/* ---- against a large Monte Carlo ---------------------------------------------------- */

/* The fourth central moment of d (for the se of the sample sd). */
static double fourth_moment(const clvdist *d, double mean)
{
	double m4 = 0.0;
	size_t i;

	for (i = 0; i < d->len; i++)
		m4 += d->p[i] * pow(d->v[i] - mean, 4);
	return m4;
}

/* P(X <= v), or P(X < v) with strict. */
static double cdf(const clvdist *d, double v, bool strict)
{
	double c = 0.0;
	size_t i;

	for (i = 0; i < d->len && (strict ? d->v[i] < v : d->v[i] <= v); i++)
		c += d->p[i];
	return c;
}

static void against_monte_carlo(const char *text, uint64_t reps, uint64_t customers,
                                size_t points)
{
	static const double levels[] = {0.05, 0.25, 0.50, 0.75, 0.95};
	clv_scenario *s = load_text(text);
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	clvdist **d = run_dp(m, points);
	mc_config cfg;
	mc_result *r;
	double N = (double)reps * (double)customers;
	size_t i, k;

	mc_config_defaults(&cfg, s);
	cfg.replications = reps;
	cfg.customers = customers;
	r = mc_run(s, &cfg, &err);
	if (r == NULL)
		fail_msg("mc: %s", err.msg);
	for (i = 0; i <= m->n; i++) {
		const stats_summary *c = &r->clv[i];
		const double mc_q[] = {c->p05, c->p25, c->p50, c->p75, c->p95};
		double mean, sd, se_sd, worst = 0.0;
		clvdist_moments(d[i], &mean, &sd);
		if (!(sd > 0.0))
			continue;
		/* mean: within 5 se of the run */
		assert_true(fabs(c->mean - mean) <= 5.0 * c->se);
		/* sd: se of a sample sd = sd sqrt((kurtosis - 1) / (4 N)) */
		se_sd = sd * sqrt((fourth_moment(d[i], mean) / pow(sd, 4) - 1.0) / (4.0 * N));
		assert_true(fabs(c->sd - sd) <= 5.0 * se_sd + d[i]->bound);
		for (k = 0; k < 5; k++) {
			/* the sample quantile q of N draws has P(CLV <= q) within 5
			   sqrt(p (1 - p) / N) of p: checked on the programme's CDF,
			   moved by its bound and the histogram's resolution (atoms
			   included: a quantile may sit on either side of one) */
			const double p = levels[k], q = mc_q[k], sigma = sqrt(p * (1 - p) / N);
			double slack = d[i]->bound + 1e-3 * fabs(q) + 1e-9;
			double above = cdf(d[i], q + slack, false), below = cdf(d[i], q - slack, true);
			if (!(above >= p - 5 * sigma && below <= p + 5 * sigma))
				fail_msg("state %zu p%.0f: mc %.4f, programme P(<= q + %.3g) = %.6f, "
				         "P(< q - %.3g) = %.6f (5 se: %.6f)", i, 100 * p, q, slack, above, slack,
				         below, 5 * sigma);
			worst = fmax(worst, fabs(q - clvdist_quantile(d[i], p)));
		}
		printf("  state %zu: mean %.3f (mc %.3f +- %.3f), sd %.3f (mc %.3f), p05 %.3f (mc %.3f), "
		       "bound %.3g; largest percentile difference %.3f\n", i, mean, c->mean, c->se,
		       sd, c->sd, clvdist_quantile(d[i], 0.05), c->p05, d[i]->bound, worst);
	}
	mc_free(r);
	free_dp(d, m->n);
	model_free(m);
	scenario_free(s);
}

static void monte_carlo_three_states(void **state)
{
	(void)state;
	against_monte_carlo("states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
	                    "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
	                    "horizon: 40\ndiscount_rate: 0.09\nmargin: {A: 500, B: 300, C: 200}\n"
	                    "cost_per_period: {A: 20, B: 0, C: 5}\n"
	                    "campaign: {brand: A, cost: 5, retention_uplift: 0.05, periods: 4}\n",
	                    4, 100000, 16384);
}

static void monte_carlo_poisson(void **state)
{
	(void)state;
	against_monte_carlo("states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
	                    "horizon: 20\ndiscount_rate: 0.02\n"
	                    "purchases_per_period: {dist: poisson, mean: 1.5}\n"
	                    "margin: {A: 10, B: 4}\ncost_per_period: {A: 1, B: 2}\nspend_growth: 0.01\n",
	                    4, 100000, 2048);
}

static void monte_carlo_infinite_absorbing(void **state)
{
	(void)state;
	against_monte_carlo("states: [trial, active, churned]\ninitial: [1, 0, 0]\n"
	                    "switching: {trial: [0.5, 0.4, 0.1], active: [0, 0.9, 0.1], "
	                    "churned: [0, 0, 1]}\n"
	                    "period: month\nhorizon: infinite\ndiscount_rate: {annual: 0.12}\n"
	                    "margin: {trial: 5, active: 20, churned: 0}\n"
	                    "cost_per_period: {trial: 3, active: 2, churned: 0}\nacquisition_cost: 30\n",
	                    4, 100000, 4096);
}

/* ---- the bound holds ---------------------------------------------------------------------- */

static void coarse_within_its_bound(void **state)
{
	static const double levels[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
	clv_scenario *s = load_text("states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
	                            "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
	                            "horizon: 60\ndiscount_rate: 0.05\n"
	                            "margin: {A: 500, B: 300, C: 200}\n");
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	clvdist **coarse = run_dp(m, 64), **fine = run_dp(m, 16384);
	size_t i, k;
	double largest = 0.0;

	(void)state;
	for (i = 0; i <= m->n; i++) {
		double mc, sc, mf, sf, B = coarse[i]->bound + fine[i]->bound;
		assert_true(coarse[i]->bound > 0.0);
		assert_true(fine[i]->bound < coarse[i]->bound);
		clvdist_moments(coarse[i], &mc, &sc);
		clvdist_moments(fine[i], &mf, &sf);
		assert_true(fabs(sc - sf) <= B);
		for (k = 0; k < sizeof levels / sizeof levels[0]; k++) {
			double d = fabs(clvdist_quantile(coarse[i], levels[k]) -
			                clvdist_quantile(fine[i], levels[k]));
			assert_true(d <= B);
			largest = fmax(largest, d / B);
		}
	}
	printf("  largest percentile difference: %.3f of the two bounds\n", largest);
	assert_true(largest > 0.0); /* the grids do differ */
	free_dp(coarse, m->n);
	free_dp(fine, m->n);
	model_free(m);
	scenario_free(s);
}

/* The p-quantile of grouped pairs (value, prob), by clvdist_quantile's rule. */
static double pairs_quantile(const double *pairs, size_t g, double p)
{
	double cum = 0.0;
	size_t k;

	for (k = 0; k + 1 < g; k++) {
		cum += pairs[2 * k + 1];
		if (cum >= p - CLVDIST_P_SLACK)
			break;
	}
	return pairs[2 * k];
}

/* On a grid far coarser than the support (16 bins), every percentile and
   the sd stay within +-bound of the true ones from enumerating every path,
   and the mean stays exact: a dense chain (one shared pass for all
   states) and a sparse one with an absorbing state (two groups of rows). */
static void coarse_grid_against_enumeration(void **state)
{
	static const double levels[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
	static const char *const texts[] = {
		"states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
		"switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
		"horizon: 7\ndiscount_rate: 0.07\nmargin: {A: 500, B: 310, C: 170}\n",
		"states: [trial, active, lapsed, gone]\ninitial: [1, 0, 0, 0]\n"
		"switching: [[0, 0.6, 0.3, 0.1], [0, 0.8, 0.15, 0.05], [0, 0.3, 0.4, 0.3], [0, 0, 0, 1]]\n"
		"horizon: 7\ndiscount_rate: 0.05\nmargin: {trial: 20, active: 90, lapsed: 15, gone: 0}\n"
		"cost_per_period: {trial: 5, active: 3, lapsed: 1, gone: 0}\n"};
	size_t t;

	(void)state;
	for (t = 0; t < sizeof texts / sizeof *texts; t++) {
		clv_scenario *s = load_text(texts[t]);
		clv_error err = {0};
		clv_model *m = model_at_means(s, &err);
		double clv[CLV_MAX_STATES] = {0}, *pairs, largest = 0.0;
		path_list pl;
		clvdist **d;
		size_t n, i, k, g, moved = 0;

		assert_non_null(m);
		n = m->n;
		pl.cap = 2;
		for (k = 0; k <= (size_t)m->horizon + 1; k++)
			pl.cap *= n; /* the last purchase branches too */
		pl.n = n;
		pl.len = 0;
		pl.v = calloc((n + 1) * pl.cap, sizeof *pl.v);
		pl.p = calloc(pl.cap, sizeof *pl.p);
		pairs = calloc(2 * pl.cap, sizeof *pairs);
		assert_true(pl.v && pl.p && pairs);
		for (i = 0; i < n; i++)
			if (m->initial[i] > 0)
				enumerate(m, 0, 0, i, m->initial[i], clv, &pl);
		d = run_dp(m, 16);
		for (i = 0; i <= n; i++) {
			double mean = 0.0, ss = 0.0, dm, dsd, B = d[i]->bound;
			const double tol = 1e-9 * 1e3;
			g = grouped(&pl, i, 0.0, pairs);
			for (k = 0; k < g; k++)
				mean += pairs[2 * k] * pairs[2 * k + 1];
			for (k = 0; k < g; k++)
				ss += pairs[2 * k + 1] * (pairs[2 * k] - mean) * (pairs[2 * k] - mean);
			clvdist_moments(d[i], &dm, &dsd);
			moved += B > 0.0;
			if (!(fabs(dm - mean) <= 1e-9 * (1.0 + fabs(mean))))
				fail_msg("text %zu state %zu: mean %.15g, enumerated %.15g", t, i, dm, mean);
			assert_true(fabs(dsd - sqrt(ss)) <= B + tol);
			for (k = 0; k < sizeof levels / sizeof *levels; k++) {
				double want = pairs_quantile(pairs, g, levels[k]);
				double got = clvdist_quantile(d[i], levels[k]);
				if (!(fabs(got - want) <= B + tol))
					fail_msg("text %zu state %zu p%.2f: %.9g, true %.9g, bound %.6g", t, i,
					         levels[k], got, want, B);
				if (B > 0.0)
					largest = fmax(largest, fabs(got - want) / B);
			}
		}
		printf("  chain %zu: %zu paths, %zu of %zu lists moved, largest error %.3f of its bound\n",
		       t, pl.len, moved, n + 1, largest);
		assert_true(moved > 0); /* the grid was coarse enough to move points */
		free_dp(d, n);
		free(pl.v);
		free(pl.p);
		free(pairs);
		model_free(m);
		scenario_free(s);
	}
}

/* ---- threads -------------------------------------------------------------------------------- */

static void same_bits_whatever_threads(void **state)
{
	clv_scenario *s = load_text("states: [A, B, C]\ninitial: [0.6, 0.3, 0.1]\n"
	                            "switching: [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.25, 0.15, 0.6]]\n"
	                            "retention: {A: {dist: beta, a: 70, b: 30}}\n"
	                            "horizon: 30\ndiscount_rate: 0.09\nmargin: {A: 500, B: 300, C: 200}\n"
	                            "replications: 12\n");
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	clvdist **a, **b;
	clvdist_request rq = {NULL, 0, 12, 42, 2e6, 0};
	clvdist_report *ra, *rb;
	size_t i;

	(void)state;
#ifdef _OPENMP
	omp_set_num_threads(1);
#endif
	a = run_dp(m, 1024);
	ra = clvdist_scenario(s, &rq, &err);
#ifdef _OPENMP
	omp_set_num_threads(2);
#endif
	b = run_dp(m, 1024);
	rb = clvdist_scenario(s, &rq, &err);
	assert_non_null(ra);
	assert_non_null(rb);
	for (i = 0; i <= m->n; i++) {
		assert_int_equal(a[i]->len, b[i]->len);
		assert_memory_equal(a[i]->v, b[i]->v, a[i]->len * sizeof(double));
		assert_memory_equal(a[i]->p, b[i]->p, a[i]->len * sizeof(double));
		assert_true(a[i]->bound == b[i]->bound);
	}
	assert_true(ra->available && ra->replications == 12 && !ra->per_state);
	assert_memory_equal(&ra->clv[3], &rb->clv[3], sizeof ra->clv[3]);
	clvdist_report_free(ra);
	clvdist_report_free(rb);
	free_dp(a, m->n);
	free_dp(b, m->n);
	model_free(m);
	scenario_free(s);
}

static double number_at(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(json_object_get(json_object_get(o, a), b), c);

	if (!json_is_number(v))
		fail_msg("no number at %s.%s.%s", a, b, c);
	return json_number_value(v);
}

static void reported_in_json(void **state)
{
	json_t *doc = th_clvsim_json("exact scenarios/textbook.yaml"), *ex, *how;

	(void)state;
	ex = json_object_get(doc, "exact");
	assert_true(number_at(ex, "clv_distribution", "A", "p50") == 500.0);
	assert_true(number_at(ex, "clv_distribution", "total", "p05") ==
	            number_at(ex, "clv_distribution", "total", "p95"));
	assert_true(number_at(ex, "clv_distribution", "B", "error_bound") == 0.0);
	how = json_object_get(ex, "clv_distribution_method");
	assert_true(json_is_true(json_object_get(how, "available")));
	json_decref(doc);

	doc = th_clvsim_json("run scenarios/uncertain_retention.yaml --replications 20 --customers 300 "
	                  "--quiet");
	ex = json_object_get(doc, "exact");
	assert_null(json_object_get(json_object_get(ex, "clv_distribution"), "Ours"));
	assert_true(number_at(ex, "clv_distribution", "total", "error_bound") > 0.0);
	how = json_object_get(ex, "clv_distribution_method");
	assert_int_equal(json_integer_value(json_object_get(how, "replications")), 20);
	json_decref(doc);

	doc = th_clvsim_json("exact bench/lifecycle_infinite.yaml");
	ex = json_object_get(doc, "exact");
	assert_true(json_is_null(json_object_get(ex, "clv_distribution")));
	how = json_object_get(ex, "clv_distribution_method");
	assert_non_null(strstr(json_string_value(json_object_get(how, "note")), "retention.active"));
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(textbook_enumerated),
		cmocka_unit_test(three_states_money_offers),
		cmocka_unit_test(two_states_two_purchases),
		cmocka_unit_test(means_are_exact),
		cmocka_unit_test(monte_carlo_three_states),
		cmocka_unit_test(monte_carlo_poisson),
		cmocka_unit_test(monte_carlo_infinite_absorbing),
		cmocka_unit_test(coarse_within_its_bound),
		cmocka_unit_test(coarse_grid_against_enumeration),
		cmocka_unit_test(same_bits_whatever_threads),
		cmocka_unit_test(reported_in_json),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
