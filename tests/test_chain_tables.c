/*
 * test_chain_tables.c - the inner loop's tables (engine/chain.h): a table copied
 * from a replication's and refilled only in the parts a customer's own
 * assumptions decide is entry for entry the table filled from scratch
 * for that customer's model (rows, money, time), and model_param_parts
 * names the right part for every kind of assumption, and model_rebuild of
 * those parts gives model_build's model; an infinite horizon
 * is truncated where its stated bound says the rest is negligible, and
 * the bound holds against the closed form; an absorbed customer's known
 * future is added at once (the Monte Carlo CLV of an always-loyal
 * customer over an infinite horizon is the closed form).
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
#include "engine/exact.h"
#include "engine/mc.h"
#include "base/rowmath.h"
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
	assert_memory_equal(a->tail, b->tail, ((size_t)a->periods + 2) * n * sizeof(double));
}

/* The customer's model: the replication's with one change (by part). */
static void change(clv_model *m, unsigned part)
{
	if (part & CHAIN_FILL_ROWS) {
		assert_int_equal(rowmath_pin(m->P, 3, 0, 0.9), 0);
		assert_int_equal(rowmath_pin(m->P_offer, 3, 0, 0.95), 0);
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

/* model_rebuild of the parts a draw decides gives model_build's model. */
static void rebuild_equals_build(void **state)
{
	clv_scenario *s = load_text(market);
	clv_error err = {0};
	model_values *v = model_values_at_means(s, &err);
	clv_model *rep = model_create(3), *full = model_create(3), *part = model_create(3);
	size_t k;
	int seen = 0;

	(void)state;
	assert_int_equal(model_build(s, v, rep, &err), CLV_OK);
	for (k = 0; k < v->n_params; k++) {
		unsigned parts = model_param_parts(s, v->params[k]);
		double keep = v->param[k];
		/* (a fixed switching entry changed alone would leave its row off 1) */
		if (parts & MODEL_PART_TIME || strncmp(v->params[k]->label, "switching.", 10) == 0)
			continue;
		/* a value the assumption may take */
		v->param[k] = parts == MODEL_PART_ROWS ? keep * 0.9 : keep + 3.0;
		model_copy(part, rep);
		assert_int_equal(model_build(s, v, full, &err), CLV_OK);
		assert_int_equal(model_rebuild(s, v, part, parts, &err), CLV_OK);
		assert_memory_equal(full->P, part->P, 9 * sizeof(double));
		assert_memory_equal(full->P_offer, part->P_offer, 9 * sizeof(double));
		assert_memory_equal(full->margin, part->margin, 3 * sizeof(double));
		assert_memory_equal(full->margin_offer, part->margin_offer, 3 * sizeof(double));
		assert_memory_equal(full->cost, part->cost, 3 * sizeof(double));
		assert_memory_equal(full->cost_offer, part->cost_offer, 3 * sizeof(double));
		assert_true(full->acquisition == part->acquisition);
		seen |= 1 << parts;
		v->param[k] = keep;
	}
	assert_int_equal(seen, (1 << 0) | (1 << MODEL_PART_ROWS) | (1 << MODEL_PART_MONEY));
	model_free(rep);
	model_free(full);
	model_free(part);
	model_values_free(v);
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

static const char subscription[] =
	"states: [trial, active, churned]\n"
	"initial: [1, 0, 0]\n"
	"switching:\n"
	"  trial: [0.5, 0.4, 0.1]\n"
	"  active: [0, 0.95, 0.05]\n"
	"  churned: [0, 0, 1]\n"
	"period: month\n"
	"horizon: infinite\n"
	"discount_rate: {annual: 0.12}\n"
	"spend_growth: 0.001\n"
	"margin: {trial: 5, active: 20, churned: 0}\n"
	"cost_per_period: {trial: 3, active: -2, churned: 0}\n"
	"campaign: {brand: active, cost: 1, retention_uplift: 0.02, periods: 6}\n";

/* chain_periods stops where the bound falls to the tolerance, not before,
   and the closed form differs from the truncated sum by at most it. */
static void truncation_by_error(void **state)
{
	clv_scenario *s = load_text(subscription);
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);
	exact_result *inf, *fin;
	double scale, bound;
	long T;
	size_t i;

	(void)state;
	assert_non_null(m);
	T = chain_periods(m);
	scale = chain_truncation_bound(m, -1);
	bound = chain_truncation_bound(m, T);
	printf("  periods 0..%ld, bound %.3g of a largest CLV %.6g\n", T, bound, scale);
	assert_true(T > 6 && T < CLV_MAX_HORIZON);
	assert_true(bound <= CHAIN_TRUNCATION_TOLERANCE * scale);
	assert_true(chain_truncation_bound(m, T - 1) > CHAIN_TRUNCATION_TOLERANCE * scale);
	inf = exact_run(m, 5, &err);
	m->infinite = false;
	m->horizon = T;
	fin = exact_run(m, 5, &err);
	assert_non_null(inf);
	assert_non_null(fin);
	for (i = 0; i <= 3; i++)
		assert_true(fabs(inf->clv[i] - fin->clv[i]) <= bound + 1e-12 * fabs(inf->clv[i]));
	/* a crude horizon shows the bound is not vacuous: it covers the gap */
	m->horizon = 40;
	exact_free(fin);
	fin = exact_run(m, 5, &err);
	m->infinite = true;
	assert_true(fabs(inf->clv[3] - fin->clv[3]) <= chain_truncation_bound(m, 40));
	assert_true(fabs(inf->clv[3] - fin->clv[3]) > 0.01 * chain_truncation_bound(m, 40));
	exact_free(inf);
	exact_free(fin);
	model_free(m);
	scenario_free(s);
}

/* new -> loyal, loyal absorbing with a margin and a cost, for ever: every
   customer's CLV is the closed form, so the mean is it, the sd 0 and every percentile one atom. */
static void absorbed_future_is_added(void **state)
{
	static const char loyal[] =
		"states: [new, loyal]\ninitial: [1, 0]\nswitching: {new: [0, 1], loyal: [0, 1]}\n"
		"horizon: infinite\ndiscount_rate: 0.09\npurchases_per_period: 3\n"
		"margin: {new: 2000, loyal: 500}\ncost_per_period: {new: 0, loyal: 10}\n"
		"acquisition_cost: 400\nspend_growth: 0.01\n";
	clv_scenario *s = load_text(loyal);
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 5, &err);
	mc_config cfg;
	mc_result *r;
	size_t i;

	(void)state;
	assert_non_null(ex);
	mc_config_defaults(&cfg, s);
	cfg.replications = 3;
	cfg.customers = 500;
	r = mc_run(s, &cfg, &err);
	assert_non_null(r);
	for (i = 0; i <= 2; i++) {
		printf("  %zu: mc %.10g exact %.10g sd %.3g\n", i, r->clv[i].mean, ex->clv[i], r->clv[i].sd);
		assert_true(fabs(r->clv[i].mean - ex->clv[i]) <= 1e-9 * fabs(ex->clv[i]));
		/* (the sd from sums of squares keeps ~1e-8 relative of rounding) */
		assert_true(r->clv[i].sd <= 1e-6 * fabs(ex->clv[i]));
		assert_true(r->clv[i].p05 == r->clv[i].p95); /* one atom */
	}
	assert_true(r->truncation_bound <= CHAIN_TRUNCATION_TOLERANCE * 1e6);
	mc_free(r);
	exact_free(ex);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(refill_equals_fill),
		cmocka_unit_test(parts_of_assumptions),
		cmocka_unit_test(rebuild_equals_build),
		cmocka_unit_test(truncation_by_error),
		cmocka_unit_test(absorbed_future_is_added),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
