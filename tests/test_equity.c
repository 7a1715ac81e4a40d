/*
 * test_equity.c - what one customer is worth by its starting state, what
 * the offers cost on their own line, and what a whole customer base is
 * worth (engine/exact_value.c, engine/equity.c, scenario/keys_base.c),
 * each against a calculation written out here: the value vector
 * sum_t E^t (W R (1+g)^t - C) / (1+r)^t by matrix powers, the closed form
 * (I - P/(1+r))^-1 R, each start run alone, the equity as a sum over
 * cohorts walked one by one, an infinite horizon against a long finite
 * one; the Monte Carlo versions (equity per replication's world, value by
 * start) within 5 standard errors; the customer_base key's errors.
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
#include <gsl/gsl_linalg.h>

#include "engine/breakdown.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* |a - b| within rel of the larger size (and 1e-9 absolutely). */
static void assert_near(double a, double b, double rel)
{
	double tol = rel * fmax(fabs(a), fabs(b)) + 1e-9;

	if (!(fabs(a - b) <= tol))
		fail_msg("%.12g and %.12g differ by %.3g (tolerance %.3g)", a, b, fabs(a - b), tol);
}

static exact_result *exact_of(clv_scenario *s)
{
	clv_error err = {0};
	exact_result *r = exact_scenario(s, 20, &err);

	if (r == NULL)
		fail_msg("exact_scenario: %s", err.msg);
	return r;
}

/* ---- the value by starting state ----------------------------------------- */

/* y = A x (n x n times a column). */
static void mat_vec(const double *A, const double *x, size_t n, double *y)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		y[i] = 0.0;
		for (j = 0; j < n; j++)
			y[i] += A[i * n + j] * x[j];
	}
}

/* C = A B (n x n). */
static void mat_mul(const double *A, const double *B, size_t n, double *C)
{
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			C[i * n + j] = 0.0;
			for (k = 0; k < n; k++)
				C[i * n + j] += A[i * n + k] * B[k * n + j];
		}
}

/* Two purchases a period, a cost to serve and spend growth: the period
   matrices are E = P^2 and W = I + P, and value = sum_t E^t c_t with
   c_t = (1.03/1.09)^t W R - C / 1.09^t, summed here by matrix powers. */
static void value_is_the_matrix_formula(void **state)
{
	clv_scenario *s = th_scenario_with("textbook",
		"horizon: 6\npurchases_per_period: 2\nspend_growth: 0.03\n"
		"margin: {A: 500, B: 300, C: 100}\ncost_per_period: {A: 40, B: 10, C: 0}\n"
		"acquisition_cost: 55\n");
	clv_model *m = model_at_means(s, NULL);
	exact_result *r = exact_of(s);
	double E[9], W[9], Et[9], tmp[9], WR[3], c[3], v[3] = {0, 0, 0}, x[3], total = -55.0;
	size_t i, j;
	long t;

	(void)state;
	assert_non_null(m);
	mat_mul(m->P, m->P, 3, E);
	for (i = 0; i < 9; i++)
		W[i] = m->P[i] + (i % 4 == 0);
	mat_vec(W, m->margin, 3, WR);
	for (i = 0; i < 9; i++)
		Et[i] = i % 4 == 0;
	for (t = 0; t <= 6; t++) {
		for (i = 0; i < 3; i++)
			c[i] = pow(1.03 / 1.09, (double)t) * WR[i] - m->cost[i] / pow(1.09, (double)t);
		mat_vec(Et, c, 3, x);
		for (i = 0; i < 3; i++)
			v[i] += x[i];
		mat_mul(Et, E, 3, tmp);
		memcpy(Et, tmp, sizeof Et);
	}
	for (i = 0; i < 3; i++) {
		assert_near(r->value[i], v[i], 1e-12);
		total += s->initial[i] * v[i];
	}
	/* linear in the starting shares: the total is the mix less acquisition */
	assert_near(r->clv[3], total, 1e-12);
	for (j = 0; j < 3; j++)
		assert_true(r->value[j] > 0.0);
	exact_free(r);
	model_free(m);
	scenario_free(s);
}

/* Infinite horizon, one purchase a period: value = (I - P/(1+r))^-1 R. */
static void value_infinite_closed_form(void **state)
{
	clv_scenario *s = th_scenario_with("textbook", "horizon: infinite\n");
	clv_model *m = model_at_means(s, NULL);
	exact_result *r = exact_of(s);
	gsl_matrix *A = gsl_matrix_alloc(3, 3);
	gsl_permutation *p = gsl_permutation_alloc(3);
	gsl_vector *b = gsl_vector_alloc(3), *v = gsl_vector_alloc(3);
	size_t i, j;
	int sign;

	(void)state;
	for (i = 0; i < 3; i++) {
		gsl_vector_set(b, i, m->margin[i]);
		for (j = 0; j < 3; j++)
			gsl_matrix_set(A, i, j, (i == j) - m->P[i * 3 + j] / 1.09);
	}
	assert_int_equal(gsl_linalg_LU_decomp(A, p, &sign), 0);
	assert_int_equal(gsl_linalg_LU_solve(A, p, b, v), 0);
	for (i = 0; i < 3; i++) /* 500 in every state: 500 x 1.09 / 0.09 */
		assert_near(r->value[i], gsl_vector_get(v, i), 1e-12);
	assert_near(r->value[0], 500.0 * 1.09 / 0.09, 1e-12);
	gsl_vector_free(b);
	gsl_vector_free(v);
	gsl_permutation_free(p);
	gsl_matrix_free(A);
	exact_free(r);
	model_free(m);
	scenario_free(s);
}

/* With offers (uplifts, win-backs, a discount, costs to all; at the
   means), an infinite horizon, and segments: value_i is the total CLV of
   the scenario with every customer starting in i and no acquisition cost. */
static void value_is_each_start_alone(void **state)
{
	const char *const files[] = {"tests/data/good/offers.yaml", "scenarios/customer_pyramid.yaml",
	                             "scenarios/lifecycle.yaml"};
	size_t f, i;

	(void)state;
	for (f = 0; f < sizeof files / sizeof files[0]; f++) {
		clv_scenario *s = th_load(files[f]);
		exact_result *r = exact_of(s);
		for (i = 0; i < s->n; i++) {
			clv_error err = {0};
			clv_scenario *c = scenario_copy(s, &err);
			exact_result *one;
			assert_non_null(c);
			scenario_start_in(c, i);
			one = exact_of(c);
			assert_near(r->value[i], one->clv[s->n], 1e-11);
			exact_free(one);
			scenario_free(c);
		}
		exact_free(r);
		scenario_free(s);
	}
}

/* ---- the offer spend ---------------------------------------------------------- */

/* A win-back aimed at every customer: the rivals earn nothing and their
   rows stay 0; the campaign's cost is 3 a period for every customer,
   15 x sum_{t<2} 1.1^-t ... on its own line. A price discount's cut of
   Us's margin is spend too, Us's CLV staying at full price. */
static void offer_spend_on_its_own_line(void **state)
{
	static const char yaml[] =
		"name: market\nstates: [Us, Big, Value, Niche]\ninitial: [0.25, 0.25, 0.25, 0.25]\n"
		"switching:\n  Us: [0.7, 0.1, 0.1, 0.1]\n  Big: [0.1, 0.7, 0.1, 0.1]\n"
		"  Value: [0.1, 0.1, 0.7, 0.1]\n  Niche: [0.1, 0.1, 0.1, 0.7]\n"
		"horizon: 4\ndiscount_rate: 0.1\nmargin: {Us: 200, Big: 0, Value: 0, Niche: 0}\n"
		"campaign: {brand: Us, cost: 3, target: all, win_from: {Big: 0.1, Value: 0.1, "
		"Niche: 0.1}, periods: 2}\n"
		"price_discount: {brand: Us, margin_cut: 0.2, periods: 2}\n";
	clv_scenario *s = th_load_text("tests/market.yaml", yaml);
	clv_model *m = model_at_means(s, NULL);
	exact_result *r = exact_of(s);
	double cut = 0.0, us = 0.0, u[4], next[4];
	size_t i, j;
	long t;

	(void)state;
	memcpy(u, s->initial, sizeof u);
	for (t = 0; t <= 4; t++) { /* one purchase a period: x_t = u_t */
		double d = pow(1.1, -(double)t);
		us += 200.0 * u[0] * d;
		if (t < 2)
			cut += 40.0 * u[0] * d;
		for (j = 0; j < 4; j++) {
			next[j] = 0.0;
			for (i = 0; i < 4; i++)
				next[j] += u[i] * (t < 2 ? m->P_offer : m->P)[i * 4 + j];
		}
		memcpy(u, next, sizeof u);
	}
	for (i = 1; i < 4; i++)
		assert_true(r->clv[i] == 0.0);
	assert_near(r->clv[0], us, 1e-12);
	assert_near(r->offer_spend, 3.0 * (1.0 + 1.0 / 1.1) + cut, 1e-12);
	assert_near(r->clv[4], r->clv[0] - r->offer_spend, 1e-12);
	exact_free(r);
	model_free(m);
	scenario_free(s);
}

/* ---- the customer base ----------------------------------------------------------- */

/* The equity cohort by cohort: N customers from `initial` at period 0
   (no acquisition cost), M_tau from `acquired_initial` at each period tau
   >= 1 (paying the acquisition cost then), each walked over periods
   tau..T on the calendar's matrices (offers in periods 0..K-1), one
   purchase a period; out[n + 3] as exact_result.equity, counts as
   exact_result.customers. */
static void cohorts_by_hand(const clv_scenario *s, const clv_model *m, const double *M,
                            double *out, double *counts)
{
	size_t n = s->n, i, j;
	long tau, t, T = s->horizon;

	memset(out, 0, (n + 3) * sizeof *out);
	memset(counts, 0, (size_t)(T + 1) * n * sizeof *counts);
	for (tau = 0; tau <= T; tau++) {
		double many = tau == 0 ? s->base.customers : M[tau - 1], u[CLV_MAX_STATES], next[CLV_MAX_STATES];
		const double *start = tau == 0 ? s->initial : s->base.acquired_initial;
		memcpy(u, start, n * sizeof *u);
		out[n + 2] += tau > 0 ? many * m->acquisition * pow(1.0 + m->discount, -(double)tau) : 0;
		for (t = tau; t <= T; t++) {
			bool offer = t < m->offer_periods;
			double d = pow(1.0 + m->discount, -(double)t), g = pow(1.0 + m->growth, (double)t);
			const double *P = offer ? m->P_offer : m->P;
			for (i = 0; i < n; i++) {
				counts[(size_t)t * n + i] += many * u[i];
				out[i] += many * u[i] * (m->margin[i] * g - m->cost[i]) * d;
				if (offer)
					out[n + 1] += many * u[i] * (m->offer_cost[i] +
					              (m->margin[i] - m->margin_offer[i]) * g) * d;
			}
			for (j = 0; j < n; j++) {
				next[j] = 0.0;
				for (i = 0; i < n; i++)
					next[j] += u[i] * P[i * n + j];
			}
			memcpy(u, next, n * sizeof *u);
		}
	}
	out[n] = -out[n + 1] - out[n + 2];
	for (i = 0; i < n; i++)
		out[n] += out[i];
}

/* A market seen from Us, with a campaign in periods 0 and 1 (13 lines);
   BASE_MARGIN without its margin line. */
#define BASE_MARGIN \
	"name: base\nstates: [Us, Rival, Lapsed]\ninitial: [0.5, 0.3, 0.2]\n" \
	"switching:\n  Us: [0.8, 0.15, 0.05]\n  Rival: [0.2, 0.7, 0.1]\n  Lapsed: [0.05, 0.05, 0.9]\n" \
	"discount_rate: 0.1\nspend_growth: 0.02\n" \
	"cost_per_period: {Us: 8, Rival: 0, Lapsed: 1}\nacquisition_cost: 35\n" \
	"campaign: {brand: Us, cost: 4, retention_uplift: 0.05, periods: 2}\n"
static const char BASE[] = BASE_MARGIN "margin: {Us: 120, Rival: 0, Lapsed: 0}\n";

/* A list per period and a start of their own for new customers. */
static void equity_is_a_sum_over_cohorts(void **state)
{
	char yaml[2048];
	const double M[4] = {300, 0, 150.5, 80};
	clv_scenario *s;
	clv_model *m;
	exact_result *r;
	double hand[6], counts[5 * 3];
	size_t i;

	(void)state;
	snprintf(yaml, sizeof yaml, "%shorizon: 4\ncustomer_base: {customers: 1000, "
	         "acquired_per_period: [300, 0, 150.5, 80], acquired_initial: {Us: 0.6, Rival: 0.4, "
	         "Lapsed: 0}}\n", BASE);
	s = th_load_text("tests/base.yaml", yaml);
	m = model_at_means(s, NULL);
	r = exact_of(s);
	cohorts_by_hand(s, m, M, hand, counts);
	assert_true(r->has_base);
	for (i = 0; i < 6; i++)
		assert_near(r->equity[i], hand[i], 1e-12);
	for (i = 0; i < 15; i++)
		assert_near(r->customers[i], counts[i], 1e-12);
	/* the N customers of period 0 are N x one customer's value */
	assert_near(r->equity[3] - r->cohort[3], 1000.0 * (r->clv[3] + 35.0), 1e-12);
	/* every customer stays a customer: the base grows by the cohorts */
	assert_near(counts[4 * 3] + counts[4 * 3 + 1] + counts[4 * 3 + 2], 1000 + 530.5, 1e-12);
	exact_free(r);
	model_free(m);
	scenario_free(s);
}

/* One M for every period: the same as a list of M's. */
static void equity_constant_is_the_list(void **state)
{
	char a[2048], b[2048];
	clv_scenario *sa, *sb;
	exact_result *ra, *rb;
	size_t i;

	(void)state;
	snprintf(a, sizeof a, "%shorizon: 3\ncustomer_base: {customers: 500, "
	         "acquired_per_period: 70}\n", BASE);
	snprintf(b, sizeof b, "%shorizon: 3\ncustomer_base: {customers: 500, "
	         "acquired_per_period: [70, 70, 70]}\n", BASE);
	sa = th_load_text("tests/a.yaml", a);
	sb = th_load_text("tests/b.yaml", b);
	ra = exact_of(sa);
	rb = exact_of(sb);
	for (i = 0; i < 6; i++)
		assert_near(ra->equity[i], rb->equity[i], 1e-13);
	/* per customer acquired each period: M x cohort is the cohorts' part */
	assert_near(70.0 * ra->cohort[3], ra->equity[3] - 500.0 * (ra->clv[3] + 35.0), 1e-12);
	exact_free(ra);
	exact_free(rb);
	scenario_free(sa);
	scenario_free(sb);
}

/* The closed-form tail of an infinite horizon against 1500 periods summed
   (1.1^-1500 ~ 1e-62): one M for ever, and a list ending after period 3. */
static void equity_infinite_horizon(void **state)
{
	size_t cap = 64 * 1024, len, i, t;
	char *fin = malloc(cap), inf[2048];
	clv_scenario *si, *sf;
	exact_result *ri, *rf;
	int list;

	(void)state;
	assert_non_null(fin);
	for (list = 0; list < 2; list++) {
		snprintf(inf, sizeof inf, "%shorizon: infinite\ncustomer_base: {customers: 800, "
		         "acquired_per_period: %s}\n", BASE, list ? "[50, 20, 10]" : "45");
		len = (size_t)snprintf(fin, cap, "%shorizon: 1500\ncustomer_base: {customers: 800, "
		                       "acquired_per_period: ", BASE);
		if (list) {
			len += (size_t)snprintf(fin + len, cap - len, "[50, 20, 10");
			for (t = 3; t < 1500; t++)
				len += (size_t)snprintf(fin + len, cap - len, ", 0");
			len += (size_t)snprintf(fin + len, cap - len, "]}\n");
		} else
			snprintf(fin + len, cap - len, "45}\n");
		si = th_load_text("tests/inf.yaml", inf);
		sf = th_load_text("tests/fin.yaml", fin);
		ri = exact_of(si);
		rf = exact_of(sf);
		for (i = 0; i < 6; i++)
			assert_near(ri->equity[i], rf->equity[i], 1e-10);
		for (i = 0; i < 3 * 21; i++) /* counts of the shown periods 0..20 */
			assert_near(ri->customers[i], rf->customers[i], 1e-12);
		exact_free(ri);
		exact_free(rf);
		scenario_free(si);
		scenario_free(sf);
	}
	free(fin);
}

/* ---- Monte Carlo ------------------------------------------------------------------- */

/* Uncertain margin per replication, loyalty per customer, new customers
   uniform in [50, 150]: the equity of the replications' worlds averages to
   the exact expectation within 5 se; its se is sd / sqrt(R). */
static void equity_mc_within_5_se(void **state)
{
	char yaml[2048];
	clv_error err = {0};
	clv_scenario *s;
	expect_result *x;
	mc_result *r;
	breakdown *b;
	mc_config cfg;
	double z;

	(void)state;
	snprintf(yaml, sizeof yaml, "%shorizon: 5\nretention: {Us: {dist: beta, a: 16, b: 4, per: "
	         "customer}}\nmargin: {Us: {dist: normal, mean: 120, sd: 25}, Rival: 0, Lapsed: 0}\n"
	         "customer_base: {customers: 2000, acquired_per_period: {dist: uniform, min: 50, "
	         "max: 150}}\n", BASE_MARGIN);
	s = th_load_text("tests/mc.yaml", yaml);
	x = expect_scenario(s, 20, NULL, &err);
	assert_non_null(x);
	th_mc_config(&cfg, s, 200, 200, 0);
	r = th_mc_run(s, &cfg);
	b = breakdown_create(&err);
	assert_int_equal(breakdown_equity(b, s, r, 20, &err), CLV_OK);
	assert_int_equal(b->replications, 200);
	assert_near(b->equity_mc.se, b->equity_mc.sd / sqrt(200.0), 1e-12);
	z = (b->equity_mc.mean - x->mean->equity[3]) / b->equity_mc.se;
	if (!(fabs(z) < 5.0))
		fail_msg("equity: MC %.2f, exact %.2f, se %.2f (z %.2f)", b->equity_mc.mean,
		         x->mean->equity[3], b->equity_mc.se, z);
	/* the draws of M move the equity: its spread is not 0 */
	assert_true(b->equity_mc.sd > 0.0 && b->acquired[0] >= 50.0 && b->acquired[0] <= 150.0);
	breakdown_free(b);
	mc_free(r);
	expect_free(x);
	scenario_free(s);
}

/* The Monte Carlo value by starting state within 5 se of the exact one. */
static void value_by_start_mc_within_5_se(void **state)
{
	clv_error err = {0};
	clv_scenario *s = th_load("tests/data/good/offers.yaml");
	exact_result *ex = exact_of(s);
	expect_result *x = expect_scenario(s, 20, NULL, &err);
	breakdown *b = breakdown_create(&err);
	mc_config cfg;
	size_t i;

	(void)state;
	assert_non_null(x);
	th_mc_config(&cfg, s, 40, 500, 0);
	assert_int_equal(breakdown_by_start(b, s, &cfg, &err), CLV_OK);
	assert_int_equal(b->n_starts, 3);
	for (i = 0; i < 3; i++) {
		const stats_summary *v = &b->by_start[i]->clv[3];
		assert_true(v->se > 0.0);
		if (!(fabs(v->mean - x->mean->value[i]) <= 5.0 * v->se))
			fail_msg("value of %s: MC %.3f se %.3f, exact %.3f", s->states[i], v->mean, v->se,
			         x->mean->value[i]);
	}
	breakdown_free(b);
	expect_free(x);
	exact_free(ex);
	scenario_free(s);
}

/* ---- the key's rules ----------------------------------------------------------------- */

/* text loads with an error at line:column saying `what`. */
static void refused(const char *extra, const char *where, const char *what)
{
	char yaml[2048];
	clv_error err = {0};
	clv_scenario *s;

	snprintf(yaml, sizeof yaml, "%shorizon: 3\n%s", BASE, extra);
	s = scenario_load_buffer("tests/bad.yaml", yaml, strlen(yaml), &err);
	if (s != NULL)
		fail_msg("accepted: %s", extra);
	assert_int_equal(err.status, CLV_ERR_INPUT);
	if (strstr(err.msg, where) == NULL || strstr(err.msg, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\" or \"%s\"", err.msg, where, what);
}

static void customer_base_rules(void **state)
{
	(void)state;
	refused("customer_base: {customers: 10, acquired_per_period: [1, 2]}\n", "tests/bad.yaml:15:",
	        "has 2 entries, expected 3");
	refused("customer_base: {customers: 10, acquired_per_period: {dist: uniform, min: 1, max: 2, "
	        "per: customer}}\n", "tests/bad.yaml:15:", "once per replication");
	refused("customer_base: {customers: 10, acquired_initial: [0.5, 0.4, 0]}\n", "bad.yaml:15:",
	        "sums to 0.9");
	refused("customer_base: {customers: 10.5}\n", "bad.yaml:15:", "whole number");
	refused("customer_base: {customers: -1}\n", "bad.yaml:15:", ">= 0");
	refused("customer_base: {acquired_per_period: 5}\n", "bad.yaml:15:", "customers");
	refused("customer_base: {customers: 1, acquired: 5}\n", "bad.yaml:15:", "acquired_per_period");
	refused("customer_base: {customers: 1, acquired_per_period: -3}\n", "bad.yaml:15:",
	        "customer_base.acquired_per_period");
	refused("segments: {a: {weight: 1, customer_base: {customers: 1}}}\n", "bad.yaml:15:",
	        "cannot differ between segments");
	refused("correlations: [[customer_base.acquired_per_period, margin.Us, 0.5]]\n",
	        "bad.yaml:15:", "customer_base.acquired_per_period");
	/* the whole base's name in segments.csv */
	refused("segments: {all: {weight: 1}}\n", "bad.yaml:15:12:", "\"all\" is reserved");
}

/* "offer_spend" is a name the reports use beside the states. */
static void offer_spend_is_reserved(void **state)
{
	static const char yaml[] = "states: [A, offer_spend]\ninitial: [1, 0]\n"
	                           "switching: [[1, 0], [0, 1]]\nhorizon: 1\ndiscount_rate: 0\n"
	                           "margin: 1\n";
	clv_error err = {0};

	(void)state;
	assert_null(scenario_load_buffer("r.yaml", yaml, strlen(yaml), &err));
	assert_non_null(strstr(err.msg, "r.yaml:1:13: state name \"offer_spend\" is reserved"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(value_is_the_matrix_formula),
		cmocka_unit_test(value_infinite_closed_form),
		cmocka_unit_test(value_is_each_start_alone),
		cmocka_unit_test(offer_spend_on_its_own_line),
		cmocka_unit_test(equity_is_a_sum_over_cohorts),
		cmocka_unit_test(equity_constant_is_the_list),
		cmocka_unit_test(equity_infinite_horizon),
		cmocka_unit_test(equity_mc_within_5_se),
		cmocka_unit_test(value_by_start_mc_within_5_se),
		cmocka_unit_test(customer_base_rules),
		cmocka_unit_test(offer_spend_is_reserved),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
