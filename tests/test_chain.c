/*
 * test_chain.c - the inner loop (sim/engine/chain.c) on its own, below the
 * Monte Carlo driver: the integer thresholds of a row, the walk's length
 * for finite and infinite horizons, chains whose every customer walks the
 * same known path (CLV exact to rounding, several purchases per period,
 * the offer phase), an absorbing state counted in bulk, state counts of
 * the textbook chain against the exact shares within 5 standard errors on
 * fixed seeds, Poisson purchase counts, and one customer walked alone
 * (chain_run_customer) equal to the same customer in a block.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "base/rng.h"
#include "engine/chain.h"
#include "engine/exact.h"
#include "engine/model.h"
#include "test_helpers.h"

#define TWO32 4294967296.0

/* ------------------------------------------------------------------ */
/* Helpers.                                                            */

/* A model of n states, every array zero but P = P_offer = identity, all
   customers starting in state 0, one purchase per period. */
static clv_model *plain_model(size_t n, long horizon, double discount)
{
	clv_model *m = model_create(n);
	size_t i;

	assert_non_null(m);
	for (i = 0; i < n; i++)
		m->P[i * n + i] = m->P_offer[i * n + i] = 1.0;
	m->initial[0] = 1.0;
	m->horizon = horizon;
	m->discount = discount;
	m->purchases = 1.0;
	return m;
}

static void set_margin(clv_model *m, const double *margin)
{
	memcpy(m->margin, margin, m->n * sizeof *margin);
	memcpy(m->margin_offer, margin, m->n * sizeof *margin);
}

static chain_table *table_of(const clv_model *m)
{
	clv_error err = {0};
	chain_table *tb = chain_table_create(m, chain_periods(m), &err);

	if (tb == NULL)
		fprintf(stderr, "chain_table_create: %s\n", err.msg);
	assert_non_null(tb);
	return tb;
}

/* Zeroed accumulators for tb (histograms when hist). */
static chain_acc *acc_create(const chain_table *tb, bool hist)
{
	chain_acc *a = calloc(1, sizeof *a);
	size_t n = tb->n, i;

	assert_non_null(a);
	a->count = calloc((size_t)(tb->periods + 1) * n, sizeof *a->count);
	a->dead_from = calloc((size_t)(tb->periods + 2) * n, sizeof *a->dead_from);
	a->sum = calloc(n + 1, sizeof *a->sum);
	a->sumsq = calloc(n + 1, sizeof *a->sumsq);
	assert_true(a->count && a->dead_from && a->sum && a->sumsq);
	if (hist) {
		a->hist = calloc(n + 1, sizeof *a->hist);
		assert_non_null(a->hist);
		for (i = 0; i <= n; i++)
			assert_non_null(a->hist[i] = stats_hist_create());
	}
	return a;
}

static void acc_free(chain_acc *a, size_t n)
{
	size_t i;

	if (a->hist != NULL)
		for (i = 0; i <= n; i++)
			stats_hist_free(a->hist[i]);
	free(a->hist);
	free(a->count);
	free(a->dead_from);
	free(a->sum);
	free(a->sumsq);
	free(a);
}

static uint64_t count_at(const chain_table *tb, const chain_acc *a, long t, size_t i)
{
	return a->count[(size_t)t * tb->n + i];
}

/* Mean CLV over `customers` customers in column i (n = total). */
static double mean_clv(const chain_acc *a, size_t i, uint64_t customers)
{
	return stats_ksum_value(&a->sum[i]) / (double)customers;
}

/* Its standard error. */
static double se_clv(const chain_acc *a, size_t i, uint64_t customers)
{
	double k = (double)customers, mean = mean_clv(a, i, customers);
	double var = (stats_ksum_value(&a->sumsq[i]) - k * mean * mean) / (k - 1.0);

	return sqrt(fmax(var, 0.0) / k);
}

#define assert_close(a, b, tol) assert_true(fabs((a) - (b)) <= (tol))

/* ------------------------------------------------------------------ */
/* Tables.                                                             */

/* Row thresholds: cumulative probabilities in units of 2^-32, rounded;
   a certain move has thresholds at 0 or 2^32 so every draw takes it. */
static void thresholds_of_a_row(void **state)
{
	clv_model *m = th_model("textbook");
	chain_table *tb;
	size_t i, j;

	(void)state;
	m->P[6] = 0.0; /* row C: always to C */
	m->P[7] = 0.0;
	m->P[8] = 1.0;
	memcpy(m->P_offer, m->P, 9 * sizeof *m->P);
	tb = table_of(m);
	for (i = 0; i < 2; i++) {
		double cum = 0.0;
		for (j = 0; j < 2; j++) {
			cum += m->P[i * 3 + j];
			assert_int_equal(tb->thr[0][i * 2 + j], (uint64_t)llround(cum * TWO32));
		}
	}
	assert_int_equal(tb->thr[0][0], 3006477107ULL); /* 0.7 * 2^32 = 3006477107.2 */
	assert_int_equal(tb->thr[0][1], 3865470566ULL); /* 0.9 * 2^32 = 3865470566.4 */
	assert_int_equal(tb->thr[0][4], 0);
	assert_int_equal(tb->thr[0][5], 0);
	/* initial 0.6, 0.3, 0.1 */
	assert_int_equal(tb->init_thr[0], (uint64_t)llround(0.6 * TWO32));
	assert_int_equal(tb->init_thr[1], (uint64_t)llround(0.9 * TWO32));
	/* no offers: the second phase has the same rows */
	assert_memory_equal(tb->thr[0], tb->thr[1], 6 * sizeof *tb->thr[0]);
	/* discount factors per period: (1 + r)^-t */
	for (i = 0; i <= 2; i++)
		assert_close(tb->disc[i], pow(1.09, -(double)i), 1e-15);
	chain_table_free(tb);
	model_free(m);
}

/* How far the walk goes: T for a finite horizon; for an infinite one the
   first period whose discount factor falls below the cutoff, at least the
   offer periods, and at most CLV_MAX_HORIZON. */
/* The walk of an infinite horizon stops at the first period T after which
   what the rest of any customer's life could add is at most
   CHAIN_TRUNCATION_TOLERANCE of the largest CLV (chain_truncation_bound
   with periods -1: the whole of it). */
static void assert_truncated_at(const clv_model *m, long t)
{
	double whole = chain_truncation_bound(m, -1);

	assert_true(chain_truncation_bound(m, t) <= CHAIN_TRUNCATION_TOLERANCE * whole);
	assert_true(CHAIN_TRUNCATION_TOLERANCE * whole < chain_truncation_bound(m, t - 1));
}

static void periods_of_the_walk(void **state)
{
	clv_model *m = plain_model(2, 7, 0.1);
	size_t i;

	(void)state;
	assert_int_equal(chain_periods(m), 7);
	for (i = 0; i < m->n; i++)
		m->margin[i] = m->margin_offer[i] = 100.0;
	m->infinite = true;
	assert_truncated_at(m, chain_periods(m));
	m->growth = 0.05; /* margin grows: its factor (1.05 / 1.1)^t decides */
	assert_truncated_at(m, chain_periods(m));
	m->offer_periods = 5000;
	assert_int_equal(chain_periods(m), 5000);
	m->growth = 0.2;
	m->offer_periods = 0;
	assert_int_equal(chain_periods(m), CLV_MAX_HORIZON);
	model_free(m);
}

/* ------------------------------------------------------------------ */
/* Deterministic chains: every customer walks the same path.           */

/* A -> B -> C -> A, two purchases per period, margins 10, 20, 40, cost 1
   per period in B, growth 2%, rate 5%: in period t the customer starts in
   state 2t mod 3, earns its margin on the first purchase, moves, earns the
   next state's on the second. */
static void cycle_clv_known_exactly(void **state)
{
	static const double margin[3] = {10, 20, 40};
	const uint64_t customers = 3000;
	clv_model *m = plain_model(3, 6, 0.05);
	double want[4] = {0, 0, 0, 0};
	chain_table *tb;
	chain_acc *a;
	size_t i, x = 0;
	long t;

	(void)state;
	memset(m->P, 0, 9 * sizeof *m->P);
	m->P[0 * 3 + 1] = m->P[1 * 3 + 2] = m->P[2 * 3 + 0] = 1.0;
	memcpy(m->P_offer, m->P, 9 * sizeof *m->P);
	set_margin(m, margin);
	m->cost[1] = m->cost_offer[1] = 1.0;
	m->purchases = 2.0;
	m->growth = 0.02;
	m->acquisition = 3.0;
	for (t = 0; t <= 6; t++) {
		double g = pow(1.02, (double)t) / pow(1.05, (double)t), d = pow(1.05, -(double)t);
		want[x] += margin[x] * g - (x == 1 ? d : 0.0);
		want[(x + 1) % 3] += margin[(x + 1) % 3] * g;
		x = (x + 2) % 3;
	}
	want[3] = want[0] + want[1] + want[2] - 3.0;
	tb = table_of(m);
	a = acc_create(tb, true);
	chain_run_block(tb, 1, 0, 0, customers, a);
	for (x = 0, t = 0; t <= 6; t++, x = (x + 2) % 3)
		for (i = 0; i < 3; i++)
			assert_int_equal(count_at(tb, a, t, i), i == x ? customers : 0);
	for (i = 0; i <= 3; i++) {
		assert_close(mean_clv(a, i, customers), want[i], 1e-9 * fabs(want[i]));
		assert_close(se_clv(a, i, customers), 0.0, 1e-6);
		assert_int_equal(a->hist[i]->n, customers);
	}
	acc_free(a, 3);
	chain_table_free(tb);
	model_free(m);
}

/* The offer phase: A -> B -> C while offers run (2 periods: a price
   discount cutting A's margin by 40 and B's by 50, and an offer costing 5
   a period wherever the customer is), then identity; customers stay in C.
   The states earn their full margins; the cuts and the cost are the
   customers' offer spend, and the total is the states less the spend. */
static void offer_phase_then_base(void **state)
{
	static const double margin[3] = {100, 200, 400}, offer_margin[3] = {60, 150, 400};
	const uint64_t customers = 500;
	clv_model *m = plain_model(3, 4, 0.1);
	chain_table *tb;
	chain_acc *a;
	stats_ksum spend[2] = {{0, 0}, {0, 0}};
	uint64_t below[5] = {0};
	double c_state, spent = 45.0 + 55.0 / 1.1;
	long t;

	(void)state;
	set_margin(m, margin);
	memcpy(m->margin_offer, offer_margin, sizeof offer_margin);
	m->offer_cost[0] = m->offer_cost[1] = m->offer_cost[2] = 5.0;
	memset(m->P_offer, 0, 9 * sizeof *m->P_offer);
	m->P_offer[0 * 3 + 1] = m->P_offer[1 * 3 + 2] = m->P_offer[2 * 3 + 2] = 1.0;
	m->offer_periods = 2;
	tb = table_of(m);
	a = acc_create(tb, false);
	a->spend = spend;
	a->below = below;
	chain_run_block(tb, 5, 0, 0, customers, a);
	assert_int_equal(count_at(tb, a, 0, 0), customers);
	assert_int_equal(count_at(tb, a, 1, 1), customers);
	for (t = 2; t <= 4; t++)
		assert_int_equal(count_at(tb, a, t, 2), customers);
	assert_close(mean_clv(a, 0, customers), 100.0, 1e-12);
	assert_close(mean_clv(a, 1, customers), 200.0 / 1.1, 1e-12);
	c_state = 400.0 * (pow(1.1, -2.0) + pow(1.1, -3.0) + pow(1.1, -4.0));
	assert_close(mean_clv(a, 2, customers), c_state, 1e-12);
	assert_close(stats_ksum_value(&spend[0]) / (double)customers, spent, 1e-12);
	assert_close(stats_ksum_value(&spend[1]) / (double)customers, spent * spent, 1e-9);
	assert_close(mean_clv(a, 3, customers), 100.0 + 200.0 / 1.1 + c_state - spent, 1e-12);
	/* every customer earns in every state and in total: nothing below 0 */
	assert_true(below[0] == 0 && below[1] == 0 && below[2] == 0 && below[3] == 0);
	assert_int_equal(below[4], customers);
	acc_free(a, 3);
	chain_table_free(tb);
	model_free(m);
}

/* An absorbing state with nothing to earn stops the walk (the rest of its
   periods counted in bulk), but not while an offer can still win the
   customer back: customers start lost, an offer in period 0 moves them to
   A, then A keeps 80% a period. */
static void absorbing_state_counted_in_bulk(void **state)
{
	static const double margin[2] = {10, 0};
	const uint64_t customers = 20000;
	const long T = 30;
	clv_model *m = plain_model(2, T, 0.05);
	chain_table *tb;
	chain_acc *a;
	double want = 0.0;
	long t;

	(void)state;
	m->initial[0] = 0.0;
	m->initial[1] = 1.0;
	m->P[0] = 0.8; /* A: [0.8, 0.2]; lost: [0, 1] */
	m->P[1] = 0.2;
	m->P_offer[2] = 1.0; /* while offers run, lost -> A */
	m->P_offer[3] = 0.0;
	m->offer_periods = 1;
	set_margin(m, margin);
	tb = table_of(m);
	assert_false(tb->dead[0]);
	assert_true(tb->dead[1]);
	a = acc_create(tb, false);
	chain_run_block(tb, 2026, 0, 0, customers, a);
	assert_int_equal(count_at(tb, a, 0, 1), customers);
	assert_int_equal(count_at(tb, a, 1, 0), customers);
	for (t = 1; t <= T; t++) {
		double p = pow(0.8, (double)(t - 1)); /* in A at the start of t */
		double se = sqrt(customers * p * (1 - p));
		assert_int_equal(count_at(tb, a, t, 0) + count_at(tb, a, t, 1), customers);
		assert_true(fabs((double)count_at(tb, a, t, 0) - customers * p) <= 5 * se + 1e-9);
		want += 10.0 * p / pow(1.05, (double)t);
	}
	/* the bulk counts were folded in and cleared */
	for (t = 0; t <= T + 1; t++)
		assert_int_equal(a->dead_from[t * 2] + a->dead_from[t * 2 + 1], 0);
	assert_true(fabs(mean_clv(a, 0, customers) - want) <= 5 * se_clv(a, 0, customers));
	assert_close(mean_clv(a, 1, customers), 0.0, 0.0);
	acc_free(a, 2);
	chain_table_free(tb);
	model_free(m);
}

/* ------------------------------------------------------------------ */
/* Random chains against the exact engine.                             */

/* scenarios/textbook.yaml over 10 periods: the count in each state at the
   start of each period is Binomial(customers, exact share), so within 5
   of its standard errors, on each of three seeds. */
static void textbook_counts_match_exact_shares(void **state)
{
	static const uint64_t seeds[3] = {1, 42, 977};
	const uint64_t customers = 20000;
	clv_model *m = th_model("textbook");
	clv_error err = {0};
	exact_result *ex;
	chain_table *tb;
	size_t k, i;
	long t;

	(void)state;
	m->horizon = 10;
	ex = exact_run(m, 0, &err);
	assert_non_null(ex);
	tb = table_of(m);
	for (k = 0; k < 3; k++) {
		chain_acc *a = acc_create(tb, false);
		chain_run_block(tb, seeds[k], 0, 0, customers, a);
		for (t = 0; t <= 10; t++)
			for (i = 0; i < 3; i++) {
				double p = ex->share[(size_t)t * 3 + i], se = sqrt(customers * p * (1 - p));
				double got = (double)count_at(tb, a, t, i);
				if (fabs(got - customers * p) > 5 * se)
					fprintf(stderr, "seed %llu t %ld state %zu: %.0f, expected %.1f (se %.1f)\n",
					        (unsigned long long)seeds[k], t, i, got, customers * p, se);
				assert_true(fabs(got - customers * p) <= 5 * se);
			}
		for (i = 0; i <= 3; i++)
			assert_true(fabs(mean_clv(a, i, customers) - ex->clv[i]) <=
			            5 * se_clv(a, i, customers));
		acc_free(a, 3);
	}
	exact_free(ex);
	chain_table_free(tb);
	model_free(m);
}

/* Poisson(3.5) purchases of margin 1 in one period, no discount: each
   customer's CLV is its purchase count, mean 3.5 and variance 3.5 (5
   standard errors each; var of s^2 is (lambda + 2 lambda^2) / N). */
static void poisson_purchase_counts(void **state)
{
	static const double margin[1] = {1};
	const uint64_t customers = 40000;
	const double lambda = 3.5;
	clv_model *m = plain_model(1, 0, 0.0);
	chain_table *tb;
	chain_acc *a;
	double mean, var;
	size_t k;

	(void)state;
	set_margin(m, margin);
	m->purchases = lambda;
	m->poisson = true;
	tb = table_of(m);
	for (k = 1; k < tb->poisson_len; k++)
		assert_true(tb->poisson_thr[k] >= tb->poisson_thr[k - 1]);
	assert_true(tb->poisson_thr[tb->poisson_len - 1] >= (uint64_t)TWO32 - 1);
	a = acc_create(tb, false);
	chain_run_block(tb, 8, 0, 0, customers, a);
	mean = mean_clv(a, 0, customers);
	var = (stats_ksum_value(&a->sumsq[0]) - customers * mean * mean) / (customers - 1.0);
	assert_true(fabs(mean - lambda) <= 5 * sqrt(lambda / customers));
	assert_true(fabs(var - lambda) <= 5 * sqrt((lambda + 2 * lambda * lambda) / customers));
	acc_free(a, 1);
	chain_table_free(tb);
	model_free(m);
}

/* Customer c of replication r walked alone on rng_stream(seed, r, c)
   earns exactly what it earns inside a block; a block split in two gives
   the same state counts (integers, order-free). */
static void one_customer_alone_equals_block(void **state)
{
	clv_model *m = th_model("textbook");
	chain_table *tb;
	chain_acc *block, *alone, *halves;
	rng_pcg32 r;
	size_t i;

	(void)state;
	m->horizon = 12;
	tb = table_of(m);
	block = acc_create(tb, false);
	alone = acc_create(tb, false);
	halves = acc_create(tb, false);
	chain_run_block(tb, 99, 3, 17, 1, block);
	rng_stream(&r, 99, 3, 17);
	chain_run_customer(tb, &r, alone);
	chain_acc_flush(tb, alone);
	for (i = 0; i <= 3; i++)
		assert_true(stats_ksum_value(&block->sum[i]) == stats_ksum_value(&alone->sum[i]));
	assert_memory_equal(block->count, alone->count, 13 * 3 * sizeof *block->count);

	memset(block->count, 0, 13 * 3 * sizeof *block->count);
	chain_run_block(tb, 99, 3, 0, 5000, block);
	chain_run_block(tb, 99, 3, 0, 2048, halves);
	chain_run_block(tb, 99, 3, 2048, 5000 - 2048, halves);
	assert_memory_equal(block->count, halves->count, 13 * 3 * sizeof *block->count);
	acc_free(block, 3);
	acc_free(alone, 3);
	acc_free(halves, 3);
	chain_table_free(tb);
	model_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(thresholds_of_a_row),
		cmocka_unit_test(periods_of_the_walk),
		cmocka_unit_test(cycle_clv_known_exactly),
		cmocka_unit_test(offer_phase_then_base),
		cmocka_unit_test(absorbing_state_counted_in_bulk),
		cmocka_unit_test(textbook_counts_match_exact_shares),
		cmocka_unit_test(poisson_purchase_counts),
		cmocka_unit_test(one_customer_alone_equals_block),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
