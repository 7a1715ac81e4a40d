/*
 * test_structure.c - the chain's structure (engine/structure.c) on six
 * chains, against two independent references:
 *
 *  1. R's markovchain package (version 0.9.1, R 4.2.2): the figures of
 *     communicatingClasses, recurrentClasses, absorbingStates, period,
 *     steadyStates, meanAbsorptionTime and absorptionProbabilities,
 *     recorded below from a run of that package on the same matrices (R
 *     is not needed to run this suite);
 *  2. brute force in this file: Cesaro averages of matrix powers for the
 *     stationary distributions and the long-run shares, the series
 *     sum_k Q^k for N and N 1, and the gcd of the return times
 *     {t : P^t[i][i] > 0} for the periods.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "engine/exact.h"
#include "engine/model.h"
#include "engine/structure.h"

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* A chain and what R markovchain says of it. Classes are given as the
   states' class numbers in this suite's order (first state first). */
typedef struct chain_case {
	const char *name;
	size_t n;
	double P[25];
	double initial[5];
	size_t class_of[5];      /* communicatingClasses */
	bool closed[5];          /* recurrentClasses (by class number) */
	long period[5];          /* period(): whole chain when irreducible;
	                            else this suite's brute force, 0 = none */
	size_t n_absorbing;
	size_t absorbing[5];     /* absorbingStates */
	size_t n_stationary;
	double stationary[2][5]; /* steadyStates, rows in class order */
	double mean_absorption[5]; /* meanAbsorptionTime, transient states in order */
	double absorption[5][5];   /* absorptionProbabilities: transient x recurrent */
} chain_case;

static const chain_case cases[] = {
	{"textbook", 3,
	 {0.70, 0.20, 0.10, 0.10, 0.80, 0.10, 0.25, 0.15, 0.60},
	 {0.6, 0.3, 0.1},
	 {0, 0, 0}, {true}, {1}, 0, {0},
	 1, {{0.325, 0.475, 0.2}}, {0}, {{0}}},
	{"lifecycle", 5,
	 {0.30, 0.40, 0, 0, 0.30, 0, 0.40, 0.45, 0.05, 0.10, 0, 0, 0.80, 0.15, 0.05,
	  0, 0, 0.10, 0.50, 0.40, 0, 0, 0, 0, 1},
	 {1, 0, 0, 0, 0},
	 {0, 1, 2, 2, 3}, {false, false, false, true}, {1, 1, 1, 1}, 1, {4},
	 1, {{0, 0, 0, 0, 1}},
	 {5.82633053221289, 7.69607843137255, 7.64705882352941, 3.52941176470588},
	 {{1}, {1}, {1}, {1}}},
	{"periodic", 4,
	 {0, 0.5, 0, 0.5, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0},
	 {1, 0, 0, 0},
	 {0, 0, 0, 0}, {true}, {2}, 0, {0},
	 1, {{1.0 / 3, 1.0 / 3, 1.0 / 6, 1.0 / 6}}, {0}, {{0}}},
	{"two_closed", 5,
	 {1, 0, 0, 0, 0, 0.3, 0.2, 0.5, 0, 0, 0, 0.4, 0.1, 0.25, 0.25, 0, 0, 0, 0.6, 0.4,
	  0, 0, 0, 0.9, 0.1},
	 {0.1, 0.5, 0.2, 0.2, 0},
	 {0, 1, 1, 2, 2}, {true, false, true}, {1, 1, 1}, 1, {0},
	 2, {{1, 0, 0, 0, 0}, {0, 0, 0, 0.692307692307692, 0.307692307692308}},
	 {2.69230769230769, 2.30769230769231},
	 {{0.519230769230769, 0.240384615384615, 0.240384615384615},
	  {0.230769230769231, 0.384615384615385, 0.384615384615385}}},
	{"cycle3", 3,
	 {0, 1, 0, 0, 0, 1, 1, 0, 0},
	 {1, 0, 0},
	 {0, 0, 0}, {true}, {3}, 0, {0},
	 1, {{1.0 / 3, 1.0 / 3, 1.0 / 3}}, {0}, {{0}}},
	{"loyal", 2,
	 {0, 1, 0, 1},
	 {1, 0},
	 {0, 1}, {false, true}, {0, 1}, 1, {1},
	 1, {{0, 1}}, {1}, {{1}}},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* C = A B, n * n. */
static void mul(const double *A, const double *B, double *C, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			double s = 0.0;
			for (k = 0; k < n; k++)
				s += A[i * n + k] * B[k * n + j];
			C[i * n + j] = s;
		}
}

/* Cesaro average (1/T) sum_{t<T} P^t, brute force. */
static void cesaro(const double *P, size_t n, int T, double *avg)
{
	double Pt[25] = {0}, tmp[25];
	size_t i;
	int t;

	for (i = 0; i < n; i++)
		Pt[i * n + i] = 1.0;
	memset(avg, 0, n * n * sizeof *avg);
	for (t = 0; t < T; t++) {
		for (i = 0; i < n * n; i++)
			avg[i] += Pt[i] / T;
		mul(Pt, P, tmp, n);
		memcpy(Pt, tmp, sizeof tmp);
	}
}

/* gcd of {t <= 60 : P^t[i][i] > 0}; 0 when i never returns. */
static long brute_period(const double *P, size_t n, size_t i)
{
	double Pt[25], tmp[25];
	long g = 0, t;

	memcpy(Pt, P, n * n * sizeof *P);
	for (t = 1; t <= 60; t++) {
		if (Pt[i * n + i] > 1e-300) {
			long a = g, b = t;
			while (b) {
				long r = a % b;
				a = b;
				b = r;
			}
			g = a;
		}
		mul(Pt, P, tmp, n);
		memcpy(Pt, tmp, n * n * sizeof *tmp);
	}
	return g;
}

static void expect_classes(const chain_case *cc, const structure_result *st)
{
	size_t i, c, n_classes = 0;

	for (i = 0; i < cc->n; i++) {
		assert_int_equal(st->class_of[i], cc->class_of[i]);
		if (cc->class_of[i] + 1 > n_classes)
			n_classes = cc->class_of[i] + 1;
	}
	assert_int_equal(st->n_classes, n_classes);
	for (c = 0; c < n_classes; c++) {
		const structure_class *cl = &st->classes[c];
		assert_int_equal(cl->closed, cc->closed[c]);
		assert_int_equal(cl->period, cc->period[c]);
		assert_int_equal(cl->period, brute_period(cc->P, cc->n, cl->states[0]));
	}
	assert_int_equal(st->n_absorbing, cc->n_absorbing);
	for (i = 0; i < cc->n_absorbing; i++)
		assert_int_equal(st->absorbing[i], cc->absorbing[i]);
}

/* Stationary distributions: R's steadyStates, and the Cesaro limit from
   the class's first state; the long-run shares from `initial` against
   the Cesaro limit from `initial`. */
static void expect_stationary(const chain_case *cc, const structure_result *st)
{
	double avg[25], long_run[5];
	size_t c, i, k = 0;

	cesaro(cc->P, cc->n, 6000, avg);
	for (c = 0; c < st->n_classes; c++) {
		const structure_class *cl = &st->classes[c];
		if (!cl->closed) {
			assert_null(cl->stationary);
			continue;
		}
		for (i = 0; i < cc->n; i++) {
			assert_close(cl->stationary[i], cc->stationary[k][i], 1e-12);
			assert_close(cl->stationary[i], avg[cl->states[0] * cc->n + i], 1e-3);
		}
		k++;
	}
	assert_int_equal(k, cc->n_stationary);
	structure_long_run(st, long_run);
	for (i = 0; i < cc->n; i++) {
		double brute = 0.0;
		size_t j;
		for (j = 0; j < cc->n; j++)
			brute += cc->initial[j] * avg[j * cc->n + i];
		assert_close(long_run[i], brute, 1e-3);
	}
}

/* N 1 and N R: R's figures, and the series sum_k Q^k (brute force). */
static void expect_absorption(const chain_case *cc, const structure_result *st)
{
	size_t t = st->n_transient, i, j, k;
	double Qk[25] = {0}, N[25] = {0}, tmp[25], Q[25];
	int step;

	for (i = 0; i < t; i++) {
		for (j = 0; j < t; j++)
			Q[i * t + j] = cc->P[st->transient[i] * cc->n + st->transient[j]];
		Qk[i * t + i] = 1.0;
	}
	for (step = 0; step < 2000; step++) {
		for (i = 0; i < t * t; i++)
			N[i] += Qk[i];
		mul(Qk, Q, tmp, t);
		memcpy(Qk, tmp, t * t * sizeof *tmp);
	}
	for (i = 0; i < t; i++) {
		assert_close(st->to_absorption[i], cc->mean_absorption[i], 1e-12);
		for (j = 0; j < t; j++)
			assert_close(st->fundamental[i * t + j], N[i * t + j], 1e-9);
		for (k = 0; k < st->n_recurrent; k++)
			assert_close(st->absorption[i * st->n_recurrent + k], cc->absorption[i][k], 1e-12);
	}
	if (t == 0) {
		assert_null(st->fundamental);
		assert_null(st->to_absorption);
	}
}

static void r_markovchain_figures(void **state)
{
	size_t k;

	for (k = 0; k < N_CASES; k++) {
		const chain_case *cc = &cases[k];
		clv_error err = {0};
		structure_result *st = structure_analyse(cc->P, cc->P, cc->n, cc->initial, &err);
		print_message("chain %s\n", cc->name);
		assert_non_null(st);
		expect_classes(cc, st);
		expect_stationary(cc, st);
		expect_absorption(cc, st);
		assert_int_equal(st->periodic, k == 2 || k == 4);
		structure_free(st);
	}
}

/* two_closed: where the starting shares end up. From B, 0.519 of the
   mass is absorbed at A; the rest ends in {D, E}. */
static void class_weights_follow_the_start(void **state)
{
	const chain_case *cc = &cases[3];
	clv_error err = {0};
	structure_result *st = structure_analyse(cc->P, cc->P, cc->n, cc->initial, &err);
	double to_a;

	assert_non_null(st);
	assert_int_equal(st->n_closed, 2);
	to_a = 0.1 + 0.5 * cc->absorption[0][0] + 0.2 * cc->absorption[1][0];
	assert_close(st->class_weight[0], to_a, 1e-12);
	assert_close(st->class_weight[1], 0.0, 0.0);
	assert_close(st->class_weight[2], 1.0 - to_a, 1e-12);
	structure_free(st);
}

/* Two purchases a period: N counts periods, so it is the series of the
   transient block of E = P^2, not of P. */
static void periods_of_several_purchases(void **state)
{
	const chain_case *cc = &cases[1];
	double E[25], W[25], Qk[16] = {0}, Q[16], tmp[16], sum[4] = {0};
	clv_error err = {0};
	structure_result *st;
	size_t i, j;
	int step;

	assert_int_equal(exact_period_matrices(cc->P, 5, 2, 0, E, W, &err), CLV_OK);
	st = structure_analyse(cc->P, E, 5, cc->initial, &err);
	assert_non_null(st);
	assert_int_equal(st->n_transient, 4);
	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++)
			Q[i * 4 + j] = E[i * 5 + j];
		Qk[i * 4 + i] = 1.0;
	}
	for (step = 0; step < 2000; step++) {
		for (i = 0; i < 4; i++)
			for (j = 0; j < 4; j++)
				sum[i] += Qk[i * 4 + j];
		mul(Qk, Q, tmp, 4);
		memcpy(Qk, tmp, sizeof tmp);
	}
	for (i = 0; i < 4; i++) {
		assert_close(st->to_absorption[i], sum[i], 1e-9);
		assert_true(st->to_absorption[i] < cc->mean_absorption[i]);
	}
	structure_free(st);
}

/* structure_of_model uses the offer matrix only when offers never end,
   as the exact engine's steady state does; and its long-run shares are
   that steady state. */
static void model_long_run_matrix(void **state)
{
	const chain_case *cc = &cases[0];
	static const double P_offer[9] = {1, 0, 0, 0.10, 0.80, 0.10, 0.25, 0.15, 0.60};
	clv_model *m = model_create(3);
	clv_error err = {0};
	structure_result *st;
	exact_result *r;
	double long_run[3];
	size_t i;

	assert_non_null(m);
	memcpy(m->P, cc->P, sizeof P_offer);
	memcpy(m->P_offer, P_offer, sizeof P_offer);
	memcpy(m->initial, cc->initial, 3 * sizeof *m->initial);
	m->purchases = 1;
	m->horizon = 2;
	m->discount = 0.09;
	m->offer_periods = 2;
	st = structure_of_model(m, &err);
	assert_non_null(st);
	assert_int_equal(st->n_classes, 1);
	structure_free(st);
	m->offer_periods = LONG_MAX;
	st = structure_of_model(m, &err);
	r = exact_run(m, 0, &err);
	assert_non_null(st);
	assert_non_null(r);
	assert_int_equal(st->n_absorbing, 1);
	assert_int_equal(st->absorbing[0], 0);
	structure_long_run(st, long_run);
	for (i = 0; i < 3; i++)
		assert_close(long_run[i], r->steady[i], 1e-9);
	exact_free(r);
	structure_free(st);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(r_markovchain_figures),
		cmocka_unit_test(class_weights_follow_the_start),
		cmocka_unit_test(periods_of_several_purchases),
		cmocka_unit_test(model_long_run_matrix),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
