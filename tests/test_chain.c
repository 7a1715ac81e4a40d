/*
 * test_chain.c - the inner loop's tables (engine/chain.h): a table copied
 * from a replication's and refilled only in the parts a customer's own
 * assumptions decide is entry for entry the table filled from scratch
 * for that customer's model (rows, money, time), and model_param_parts
 * names the right part for every kind of assumption.
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

#include "engine/chain.h"
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

static const char market[] =
	"states: [A, B, C]\n"
	"initial: [0.6, 0.3, 0.1]\n"
	"switching:\n"
	"  A: [0.70, 0.20, 0.10]\n"
	"  B: [0.10, 0.80, 0.10]\n"
	"  C: [0.25, 0.15, 0.60]\n"
	"retention: {A: 0.7}\n"
	"horizon: 30\n"
	"discount_rate: 0.09\n"
	"spend_growth: 0.01\n"
	"margin: {A: 500, B: 300, C: 200}\n"
	"cost_per_period: {A: 10, B: 0, C: 5}\n"
	"campaign: {brand: A, cost: 4, retention_uplift: 0.05, periods: 3}\n";

/* Every entry of a and b is the same. */
static void assert_tables_equal(const chain_table *a, const chain_table *b)
{
	size_t n = a->n, rows = n * (n - 1);
	int ph;

	assert_int_equal(a->offer_periods, b->offer_periods);
	assert_true(a->acquisition == b->acquisition);
	assert_memory_equal(a->init_thr, b->init_thr, (n - 1) * sizeof *a->init_thr);
	for (ph = 0; ph < 2; ph++) {
		assert_memory_equal(a->thr[ph], b->thr[ph], rows * sizeof *a->thr[ph]);
		assert_memory_equal(a->margin[ph], b->margin[ph], n * sizeof(double));
		assert_memory_equal(a->cost[ph], b->cost[ph], n * sizeof(double));
	}
	assert_memory_equal(a->disc, b->disc, ((size_t)a->periods + 1) * sizeof(double));
	assert_memory_equal(a->grow_disc, b->grow_disc, ((size_t)a->periods + 1) * sizeof(double));
	assert_memory_equal(a->first, b->first, ((size_t)a->periods + 1) * n * sizeof(double));
	assert_memory_equal(a->dead, b->dead, n * sizeof(bool));
}

/* The customer's model: the replication's with one change (by part). */
static void change(clv_model *m, unsigned part)
{
	if (part & CHAIN_FILL_ROWS) {
		assert_int_equal(model_row_pin(m->P, 3, 0, 0.9), 0);
		assert_int_equal(model_row_pin(m->P_offer, 3, 0, 0.95), 0);
	}
	if (part & CHAIN_FILL_MONEY) {
		m->margin[1] = 321.0;
		m->cost_offer[2] = 7.0;
	}
	if (part & CHAIN_FILL_TIME) {
		m->discount = 0.12;
		m->growth = -0.02;
	}
	m->acquisition = 99.0;
}

static void refill_equals_fill(void **state)
{
	const unsigned parts[] = {CHAIN_FILL_ROWS, CHAIN_FILL_MONEY, CHAIN_FILL_TIME,
	                          CHAIN_FILL_ROWS | CHAIN_FILL_MONEY, 0};
	clv_scenario *s = load_text(market);
	clv_error err = {0};
	clv_model *rep = model_at_means(s, &err), *cust = model_create(3);
	chain_table *tb_rep, *tb, *fresh;
	size_t k;

	(void)state;
	assert_non_null(rep);
	tb_rep = chain_table_create(rep, 30, &err);
	tb = chain_table_create(rep, 30, &err);
	fresh = chain_table_create(rep, 30, &err);
	assert_non_null(tb_rep);
	for (k = 0; k < sizeof parts / sizeof parts[0]; k++) {
		model_copy(cust, rep);
		change(cust, parts[k]);
		chain_table_copy(tb, tb_rep);
		chain_table_refill(tb, cust, parts[k]);
		chain_table_fill(fresh, cust);
		assert_tables_equal(tb, fresh);
		/* and back to the replication's own values */
		chain_table_refill(tb, rep, parts[k]);
		assert_tables_equal(tb, tb_rep);
	}
	chain_table_free(tb_rep);
	chain_table_free(tb);
	chain_table_free(fresh);
	model_free(rep);
	model_free(cust);
	scenario_free(s);
}

static void parts_of_assumptions(void **state)
{
	clv_scenario *s = load_text(market);
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	int seen = 0;

	(void)state;
	assert_non_null(params);
	for (k = 0; k < n_params; k++) {
		const char *l = params[k]->label;
		unsigned want = MODEL_PART_TIME;
		if (strncmp(l, "switching.", 10) == 0 || strncmp(l, "retention.", 10) == 0 ||
		    strcmp(l, "campaign.retention_uplift") == 0 || strncmp(l, "campaign.win_from", 17) == 0)
			want = MODEL_PART_ROWS;
		else if (strncmp(l, "margin.", 7) == 0 || strncmp(l, "cost_per_period.", 16) == 0 ||
		         strncmp(l, "referral_value.", 15) == 0 || strcmp(l, "campaign.cost") == 0 ||
		         strcmp(l, "campaign.margin_cut") == 0)
			want = MODEL_PART_MONEY;
		else if (strcmp(l, "acquisition_cost") == 0)
			want = 0;
		if (model_param_parts(s, params[k]) != want)
			fail_msg("%s: parts %u, expected %u", l, model_param_parts(s, params[k]), want);
		seen |= 1 << (want == 0 ? 3 : want == MODEL_PART_ROWS ? 0 : want == MODEL_PART_MONEY ? 1 : 2);
	}
	assert_int_equal(seen, 15); /* every kind was met */
	free(params);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refill_equals_fill),
		cmocka_unit_test(parts_of_assumptions),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
