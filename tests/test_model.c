/*
 * test_model.c - assumptions to numbers: the retention rule, rows with
 * uncertain entries, offers (uplift, win_from, margin cut, targeted cost,
 * periods), referral as negative cost, annual discount conversion, the
 * rejection of a drawn model whose growth outruns discounting, and the
 * rows a customer's own draws decide rebuilt alone (model_rows_plan) bit
 * for bit as model_build makes them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_errno.h>

#include "base/dist.h"
#include "base/rng.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

#define close_to(a, b) (fabs((a) - (b)) <= 1e-12)

/* scenarios/textbook.yaml over five years, margins 100, 80 and 60, with
   the test's keys on top. */
static clv_model *model_of(const char *extra, clv_scenario **out)
{
	char text[2048];
	clv_error err = {0};
	clv_model *m;

	snprintf(text, sizeof text, "horizon: 5\nmargin: {A: 100, B: 80, C: 60}\n%s", extra);
	*out = th_scenario_with("textbook", text);
	m = model_at_means(*out, &err);
	assert_non_null(m);
	return m;
}

static void retention_shorthand(void **state)
{
	clv_scenario *s;
	clv_model *m = model_of("retention: {B: 0.9}\n", &s);

	(void)state;
	assert_true(close_to(m->P[3 + 1], 0.9));
	assert_true(close_to(m->P[3 + 0], 0.05) && close_to(m->P[3 + 2], 0.05));
	assert_true(close_to(m->P[0], 0.7)); /* other rows untouched */
	model_free(m);
	scenario_free(s);
}

/* A row with one uncertain entry: at its mean the fixed entries take up the
   rest proportionally. */
static void uncertain_entry_rescales_fixed(void **state)
{
	clv_scenario *s = th_scenario_with("textbook",
		"initial: [1, 0, 0]\n"
		"switching: {A: [{dist: uniform, min: 0.5, max: 0.7}, 0.3, 0.1]}\n"
		"horizon: 1\n"
		"discount_rate: 0\n"
		"margin: 1\n");
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);

	(void)state;
	assert_non_null(m);
	assert_true(close_to(m->P[0], 0.6));
	assert_true(close_to(m->P[1], 0.3) && close_to(m->P[2], 0.1));
	{ /* a draw of 0.5: the fixed 0.3 and 0.1 scaled by 0.5 / 0.4 */
		model_values *v = model_values_at_means(s, &err);
		size_t k;
		assert_non_null(v);
		for (k = 0; k < v->n_params; k++)
			if (strcmp(v->params[k]->label, "switching.A.A") == 0)
				v->param[k] = 0.5;
		assert_int_equal(model_build(s, v, m, &err), CLV_OK);
		assert_true(close_to(m->P[0], 0.5) && close_to(m->P[1], 0.375) && close_to(m->P[2], 0.125));
		model_values_free(v);
	}
	model_free(m);
	scenario_free(s);
}

static void offers_second_phase(void **state)
{
	clv_scenario *s;
	clv_model *m = model_of("campaign: {brand: A, cost: 4, target: all, retention_uplift: 0.1,"
	                        " win_from: {B: 0.05}, periods: 3}\n"
	                        "price_discount: {brand: A, margin_cut: 0.25, periods: 3}\n"
	                        "referral_value: {A: 2, B: 0, C: 0}\n", &s);

	(void)state;
	assert_int_equal(m->offer_periods, 3);
	/* base phase untouched, referral as a negative cost */
	assert_true(close_to(m->P[0], 0.7) && close_to(m->cost[0], -2.0));
	/* uplift: P[A][A] 0.8, rest of A's row scaled by 0.2 / 0.3 */
	assert_true(close_to(m->P_offer[0], 0.8) && close_to(m->P_offer[1], 0.2 * 2 / 3));
	/* win_from B: P[B][A] 0.15, rest of B's row scaled by 0.85 / 0.9 */
	assert_true(close_to(m->P_offer[3], 0.15) && close_to(m->P_offer[4], 0.8 * 0.85 / 0.9));
	/* C's row untouched */
	assert_true(close_to(m->P_offer[6], 0.25));
	/* margin cut on A only; the offer's cost 4 for every state (target: all)
	   apart from the states' own cost to serve, which the offers leave */
	assert_true(close_to(m->margin_offer[0], 75.0) && close_to(m->margin_offer[1], 80.0));
	assert_true(close_to(m->offer_cost[0], 4.0) && close_to(m->offer_cost[2], 4.0));
	assert_true(close_to(m->cost_offer[0], -2.0) && close_to(m->cost_offer[2], 0.0));
	model_free(m);
	scenario_free(s);
}

static void annual_discount_converted(void **state)
{
	clv_scenario *s;
	clv_model *m = model_of("period: month\ndiscount_rate: {annual: 0.1}\n", &s);

	(void)state;
	assert_true(close_to(m->discount, pow(1.1, 1.0 / 12.0) - 1.0));
	assert_true(close_to(pow(1.0 + m->discount, 12.0), 1.1));
	model_free(m);
	scenario_free(s);
}

/* A drawn growth above the rate for an infinite horizon is refused, not
   turned into garbage. */
static void drawn_growth_checked(void **state)
{
	clv_scenario *s = th_load_text("model.yaml", "states: [A]\ninitial: [1]\nswitching: [[1]]\n"
	                               "horizon: infinite\ndiscount_rate: 0.1\n"
	                               "spend_growth: 0.02\nmargin: 1\n");
	clv_error err = {0};
	model_values *v = model_values_at_means(s, &err);
	clv_model *m = model_create(1);
	size_t k;

	(void)state;
	assert_non_null(v);
	assert_int_equal(model_build(s, v, m, &err), CLV_OK);
	for (k = 0; k < v->n_params; k++)
		if (strcmp(v->params[k]->label, "spend_growth") == 0)
			v->param[k] = 0.2;
	assert_int_equal(model_build(s, v, m, &err), CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "spend_growth"));
	model_free(m);
	model_values_free(v);
	scenario_free(s);
}

/* The rows plan: for many random values of the own assumptions (beyond
   their ranges too, so that some draws are impossible), model_rows_rebuild
   gives exactly model_build's rows (memcmp) and acquisition cost, and
   fails exactly when model_build refuses the values; rows it does not
   claim are left untouched. Own assumptions of money are refused. */
static void rows_plan_matches_build(void **state)
{
	static const char text[] =
		TH_OWN_ROWS_MARKET
		"price_discount: {brand: B, margin_cut: 0.2, retention_uplift: 0.05, periods: 4}\n"
		"horizon: 20\ndiscount_rate: 0.1\n"
		"margin: {A: 50, B: 30, C: 20, lost: 0}\n"
		"acquisition_cost: {dist: uniform, min: 5, max: 15, per: customer}\n";
	clv_scenario *s = th_load_text("rows.yaml", text);
	clv_error err = {0};
	model_values *v = model_values_at_means(s, &err);
	clv_model *m = model_create(4);
	model_rows_plan *pl;
	size_t own[16], n_own = 0, k, i, trial, fails = 0;
	double P[16], P_offer[16], acq;
	rng_pcg32 r;

	(void)state;
	assert_non_null(v);
	for (k = 0; k < v->n_params; k++)
		if (v->params[k]->per == PER_CUSTOMER && dist_is_uncertain(v->params[k]))
			own[n_own++] = k;
	assert_int_equal(n_own, 7);
	pl = model_rows_plan_create(s, v, own, n_own, &err);
	assert_non_null(pl);
	/* rows A, B, C of P are own, and A, B, C of P_offer; lost is not */
	for (i = 0; i < 4; i++) {
		assert_int_equal(model_rows_plan_has(pl, 0, i), i < 3);
		assert_int_equal(model_rows_plan_has(pl, 1, i), i < 3);
	}
	rng_seed(&r, 5, 6);
	for (trial = 0; trial < 20000; trial++) {
		clv_status want;
		for (k = 0; k < n_own; k++) /* uniforms up to 1.4 times their max: rows of B
		                              summing above 1 */
			v->param[own[k]] = v->params[own[k]]->kind == DIST_UNIFORM
			                       ? 1.4 * rng_uniform(&r) * v->params[own[k]]->b
			                       : rng_uniform(&r);
		if (trial % 7 == 0) /* exact values the rules treat apart */
			v->param[own[trial % 2]] = trial % 3 ? 0.0 : 1.0;
		want = model_build(s, v, m, &err);
		diag_clear(&err);
		for (i = 0; i < 16; i++)
			P[i] = P_offer[i] = -1.0;
		assert_int_equal(model_rows_rebuild(pl, v, P, P_offer, &acq), want);
		fails += want != CLV_OK;
		if (want != CLV_OK)
			continue;
		assert_memory_equal(P, m->P, 12 * sizeof *P);
		assert_memory_equal(P_offer, m->P_offer, 12 * sizeof *P);
		for (i = 12; i < 16; i++) /* the lost row: not the plan's */
			assert_true(P[i] == -1.0 && P_offer[i] == -1.0);
		assert_memory_equal(&acq, &m->acquisition, sizeof acq);
	}
	/* both outcomes were met */
	assert_true(fails > 100 && fails < 19000);
	model_rows_plan_free(pl);
	/* a margin of the customer's own decides money: no plan */
	for (k = 0; k < v->n_params; k++)
		if (strcmp(v->params[k]->label, "margin.A") == 0)
			own[0] = k;
	assert_null(model_rows_plan_create(s, v, own, 1, &err));
	assert_int_equal(err.status, CLV_ERR_INPUT);
	model_free(m);
	model_values_free(v);
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(retention_shorthand),
		cmocka_unit_test(uncertain_entry_rescales_fixed),
		cmocka_unit_test(offers_second_phase),
		cmocka_unit_test(annual_discount_converted),
		cmocka_unit_test(drawn_growth_checked),
		cmocka_unit_test(rows_plan_matches_build),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
