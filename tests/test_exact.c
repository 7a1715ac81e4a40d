/*
 * test_exact.c - the exact engine against the recomputed figures of docs/theory.md
 * (section 4 on the shipped scenarios/textbook*.yaml, section 5 as a
 * two-state chain), against brute-force sums, and on infinite horizons.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "engine/exact.h"
#include "engine/model.h"
#include "test_helpers.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* A fixed model: n states, matrix P, initial S0, margin R (same for all). */
static clv_model *make_model(size_t n, const double *P, const double *S0, double R,
                             long T, double r)
{
	clv_model *m = model_create(n);
	size_t i;

	assert_non_null(m);
	memcpy(m->P, P, n * n * sizeof *P);
	memcpy(m->P_offer, P, n * n * sizeof *P);
	memcpy(m->initial, S0, n * sizeof *S0);
	for (i = 0; i < n; i++)
		m->margin[i] = m->margin_offer[i] = R;
	m->horizon = T;
	m->discount = r;
	m->purchases = 1;
	return m;
}

/* The model of scenarios/textbook.yaml with horizon T and rate r (the
   file's: 2 and 0.09). */
static clv_model *textbook(long T, double r)
{
	clv_model *m = th_model("textbook");

	m->horizon = T;
	m->discount = r;
	return m;
}

static void textbook_example(void **state)
{
	clv_error err = {0};
	clv_model *m = th_model("textbook");
	exact_result *r = exact_run(m, 0, &err);

	assert_non_null(r);
	assert_int_equal(r->periods, 2);
	assert_close(r->share[3 + 0], 0.4750, 1e-12);
	assert_close(r->share[3 + 1], 0.3750, 1e-12);
	assert_close(r->share[3 + 2], 0.1500, 1e-12);
	assert_close(r->share[6 + 0], 0.4075, 1e-12);
	assert_close(r->share[6 + 1], 0.4175, 1e-12);
	assert_close(r->share[6 + 2], 0.1750, 1e-12);
	/* docs/theory.md: 689.38, 497.72, 192.45 (to the cent); exact values: */
	assert_close(r->clv[0], 500 * (0.60 + 0.475 / 1.09 + 0.4075 / (1.09 * 1.09)), 1e-6);
	assert_close(r->clv[0], 689.38, 0.005);
	assert_close(r->clv[1], 497.72, 0.005);
	assert_close(r->clv[2], 192.45, 0.005);
	assert_close(r->clv[3], r->clv[0] + r->clv[1] + r->clv[2], 1e-9);
	exact_free(r);
	model_free(m);
}

/* scenarios/textbook_whatif1.yaml and textbook_whatif2.yaml. */
static void textbook_what_ifs(void **state)
{
	clv_error err = {0};
	clv_model *m = th_model("textbook_whatif1");
	exact_result *r = exact_run(m, 0, &err);

	assert_non_null(r);
	assert_close(r->share[3], 0.535, 1e-12);
	assert_close(r->share[6], 0.497, 1e-12);
	assert_close(r->clv[0], 754.57, 0.005);
	assert_close(r->clv[1], 432.53, 0.005);
	assert_close(r->clv[2], 192.45, 0.005);
	exact_free(r);
	model_free(m);

	m = th_model("textbook_whatif2");
	r = exact_run(m, 0, &err);
	assert_non_null(r);
	assert_close(r->share[6 + 0], 0.508, 1e-12);
	assert_close(r->share[6 + 1], 0.317, 1e-12);
	assert_close(r->clv[0], 761.49, 0.005);
	assert_close(r->clv[1], 425.61, 0.005);
	assert_close(r->clv[2], 192.45, 0.005);
	exact_free(r);
	model_free(m);
}

/* Section 4 as a two-state chain: "new" (t = 0, first purchase P0) then
   "loyal" for ever (margin I, cost Cs), acquisition C0, n = 5 years. */
static double loyal_clv(double P0, double C0, double I, double Cs, double *per_state)
{
	static const double P[4] = {0, 1, 0, 1};
	static const double S0[2] = {1, 0};
	clv_error err = {0};
	clv_model *m = make_model(2, P, S0, 0, 5, 0.09);
	exact_result *r;
	double total;

	m->margin[0] = m->margin_offer[0] = P0;
	m->margin[1] = m->margin_offer[1] = I;
	m->cost[1] = m->cost_offer[1] = Cs;
	m->acquisition = C0;
	r = exact_run(m, 0, &err);
	assert_non_null(r);
	total = r->clv[2];
	if (per_state)
		memcpy(per_state, r->clv, 2 * sizeof *per_state);
	exact_free(r);
	model_free(m);
	return total;
}

static void loyal_customer(void **state)
{
	double annuity = (1 - pow(1.09, -5)) / 0.09;

	assert_close(annuity, 3.889651, 1e-6);
	assert_close(loyal_clv(2000, 400, 500, 10, NULL), 1600 + 490 * annuity, 1e-6);
	assert_close(loyal_clv(2000, 400, 500, 10, NULL), 3505.93, 0.005);
	/* model 1 (revenue), no acquisition year */
	assert_close(loyal_clv(0, 0, 500, 0, NULL), 1944.83, 0.005);
	assert_close(loyal_clv(0, 0, 450, 0, NULL), 1750.34, 0.005);
	/* model 3 (profit contribution) */
	assert_close(loyal_clv(0, 0, 500, 200, NULL), 1166.90, 0.005);
	assert_close(loyal_clv(0, 0, 450, 100, NULL), 1361.38, 0.005);
}

/* Brute force: S_t = S_0 P^t per purchase, F purchases per period, cost
   on the period's first purchase. */
static double brute_total(const clv_model *m)
{
	size_t n = m->n, i, j;
	double u[8], next[8], total = -m->acquisition;
	long t;
	int k;

	memcpy(u, m->initial, n * sizeof *u);
	for (t = 0; t <= m->horizon; t++) {
		double d = pow(1 + m->discount, -(double)t), g = pow(1 + m->growth, (double)t);
		for (i = 0; i < n; i++)
			total -= d * u[i] * m->cost[i];
		for (k = 0; k < (int)m->purchases; k++) {
			for (i = 0; i < n; i++)
				total += d * g * u[i] * m->margin[i];
			for (j = 0; j < n; j++) {
				next[j] = 0;
				for (i = 0; i < n; i++)
					next[j] += u[i] * m->P[i * n + j];
			}
			memcpy(u, next, n * sizeof *u);
		}
	}
	return total;
}

static void several_purchases_growth_costs(void **state)
{
	clv_error err = {0};
	clv_model *m = textbook(7, 0.05);
	exact_result *r;

	m->margin[0] = 120; m->margin[1] = 80; m->margin[2] = -5;
	m->cost[0] = 10; m->cost[1] = 3; m->cost[2] = 1;
	memcpy(m->margin_offer, m->margin, sizeof m->margin[0] * 3);
	memcpy(m->cost_offer, m->cost, sizeof m->cost[0] * 3);
	m->purchases = 3;
	m->growth = 0.02;
	m->acquisition = 40;
	r = exact_run(m, 0, &err);
	assert_non_null(r);
	assert_close(r->clv[3], brute_total(m), 1e-9);
	exact_free(r);
	model_free(m);
}

/* Infinite horizon: closed form equals a long finite sum. */
static void infinite_horizon(void **state)
{
	clv_error err = {0};
	clv_model *m = textbook(3000, 0.09);
	exact_result *finite = exact_run(m, 0, &err), *inf;
	size_t i;

	assert_non_null(finite);
	m->infinite = true;
	inf = exact_run(m, 10, &err);
	assert_non_null(inf);
	assert_int_equal(inf->periods, 10);
	for (i = 0; i < 4; i++)
		assert_close(inf->clv[i], finite->clv[i], 1e-6 * fabs(finite->clv[i]));
	/* one state, retention 1: 500 (1 + 1/r) */
	exact_free(finite);
	exact_free(inf);
	model_free(m);
	{
		static const double P[1] = {1}, S0[1] = {1};
		m = make_model(1, P, S0, 500, 0, 0.09);
		m->infinite = true;
		inf = exact_run(m, 3, &err);
		assert_non_null(inf);
		assert_close(inf->clv[0], 500 * 1.09 / 0.09, 1e-6);
		exact_free(inf);
		m->discount = 0;
		inf = exact_run(m, 3, &err);
		assert_null(inf);
		assert_int_equal(err.status, CLV_ERR_INPUT);
		model_free(m);
	}
}

/* Steady state of the textbook chain solves pi P = pi. */
static void steady_state(void **state)
{
	clv_error err = {0};
	clv_model *m = th_model("textbook");
	exact_result *r = exact_run(m, 0, &err);
	size_t i, j;

	assert_non_null(r);
	for (j = 0; j < 3; j++) {
		double x = 0;
		for (i = 0; i < 3; i++)
			x += r->steady[i] * m->P[i * 3 + j];
		assert_close(x, r->steady[j], 1e-12);
	}
	assert_close(r->steady[0] + r->steady[1] + r->steady[2], 1.0, 1e-12);
	exact_free(r);
	model_free(m);
}

/* Poisson purchases: E[P^N] and W against their series definitions. */
static void poisson_purchases(void **state)
{
	static const double P[4] = {0.9, 0.1, 0, 1};
	double E[4], W[4];
	clv_error err = {0};

	assert_int_equal(exact_period_matrices(P, 2, 2.5, 1, E, W, &err), CLV_OK);
	/* E[0.9^N] for N ~ Poisson(2.5) = exp(-2.5 * 0.1) */
	assert_close(E[0], exp(-0.25), 1e-12);
	/* W[0][0] = sum_k P(N > k) 0.9^k = (1 - E[0.9^N]) / 0.1 */
	assert_close(W[0], (1 - exp(-0.25)) / 0.1, 1e-10);
	/* expected purchases in all states = F */
	assert_close(W[0] + W[1], 2.5, 1e-10);
}

/* Offers: an offer phase with what-if 1's matrix for the first period:
   the first transition is the what-if's, the second the textbook's. */
static void offer_phase(void **state)
{
	clv_error err = {0};
	clv_model *m = th_model("textbook"), *w = th_model("textbook_whatif1");
	exact_result *r;

	memcpy(m->P_offer, w->P, 9 * sizeof *w->P);
	model_free(w);
	m->offer_periods = 1; /* only the first transition uses P1 */
	r = exact_run(m, 0, &err);
	assert_non_null(r);
	/* S_1 = S_0 P1, S_2 = S_1 P */
	assert_close(r->share[3], 0.535, 1e-12);
	assert_close(r->share[6], 0.535 * 0.7 + 0.315 * 0.1 + 0.15 * 0.25, 1e-12);
	exact_free(r);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(textbook_example),
		cmocka_unit_test(textbook_what_ifs),
		cmocka_unit_test(loyal_customer),
		cmocka_unit_test(several_purchases_growth_costs),
		cmocka_unit_test(infinite_horizon),
		cmocka_unit_test(steady_state),
		cmocka_unit_test(poisson_purchases),
		cmocka_unit_test(offer_phase),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
