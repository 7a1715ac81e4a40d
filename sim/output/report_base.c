/*
 * report_base.c - stage output: value by starting state, the customer
 * base's equity and counts, the offer spend's note (layout and JSON keys
 * in report_base.h). Definitions: docs/scenarios.md ("Customer base"),
 * docs/statistics.md (what mc.equity's se and percentiles are).
 */
#include "output/report_base.h"

#include <math.h>
#include <string.h>

#include "base/dist.h"
#include "output/report.h"
#include "output/report_mc.h"
#include "scenario/scenario.h"

/* ---- JSON ------------------------------------------------------------------ */

static json_t *equity_json(const clv_scenario *s, const double *eq)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < s->n; i++)
		json_object_set_new(o, s->states[i], report_json_number(eq[i]));
	json_object_set_new(o, "offer_spend", report_json_number(eq[s->n + 1]));
	json_object_set_new(o, "total", report_json_number(eq[s->n]));
	return o;
}

/* {state: [count at period 0, 1, ...], ..., total: [...]} */
static json_t *counts_json(const clv_scenario *s, const exact_result *r)
{
	json_t *o = json_object(), *total = json_array();
	size_t i;
	long t;

	for (i = 0; i < s->n; i++) {
		json_t *list = json_array();
		for (t = 0; t <= r->periods; t++)
			json_array_append_new(list, report_json_number(r->customers[(size_t)t * s->n + i]));
		json_object_set_new(o, s->states[i], list);
	}
	for (t = 0; t <= r->periods; t++) {
		double sum = 0.0;
		for (i = 0; i < s->n; i++)
			sum += r->customers[(size_t)t * s->n + i];
		json_array_append_new(total, report_json_number(sum));
	}
	json_object_set_new(o, "total", total);
	return o;
}

static json_t *acquired_json(const clv_base *b)
{
	json_t *list;
	size_t t;

	if (b->acquired_list == NULL)
		return report_json_number(dist_mean(&b->acquired));
	list = json_array();
	for (t = 0; t < b->n_acquired_list; t++)
		json_array_append_new(list, report_json_number(b->acquired_list[t]));
	return list;
}

static json_t *base_json(const clv_scenario *s, const exact_result *r)
{
	json_t *o = json_object();
	const double *start = s->base.acquired_initial ? s->base.acquired_initial : s->initial;

	json_object_set_new(o, "customers", report_json_number(s->base.customers));
	json_object_set_new(o, "acquired_per_period", acquired_json(&s->base));
	json_object_set_new(o, "acquired_initial", report_json_by_name(s->states, s->n, start, false));
	json_object_set_new(o, "acquisition_spend", report_json_number(r->equity[s->n + 2]));
	json_object_set_new(o, "cohorts", equity_json(s, r->cohort));
	json_object_set_new(o, "customers_by_period", counts_json(s, r));
	return o;
}

void report_base_json(json_t *o, const clv_scenario *s, const exact_result *r)
{
	json_object_set_new(o, "value_by_state", report_json_by_name(s->states, s->n, r->value, false));
	if (!r->has_base)
		return;
	json_object_set_new(o, "equity", equity_json(s, r->equity));
	json_object_set_new(o, "customer_base", base_json(s, r));
}

void report_base_json_se(json_t *ex, const clv_scenario *s, const expect_result *x)
{
	json_object_set_new(ex, "offer_spend_se", report_json_number(x->offer_spend_se));
	json_object_set_new(ex, "value_by_state_se",
	                    report_json_by_name(s->states, s->n, x->value_se, false));
	if (x->mean->has_base)
		json_object_set_new(ex, "equity_se", report_json_number(x->equity_se));
}

void report_base_json_mc(json_t *mc, const clv_scenario *s, const breakdown *b)
{
	json_t *o;
	size_t i;

	if (b == NULL)
		return;
	if (b->n_starts > 0) {
		o = json_object();
		for (i = 0; i < b->n_starts; i++)
			json_object_set_new(o, s->states[i], report_json_summary(&b->by_start[i]->clv[s->n]));
		json_object_set_new(mc, "value_by_state", o);
	}
	if (b->replications > 0) {
		o = report_json_summary(&b->equity_mc);
		json_object_set_new(o, "se_df", report_json_number(b->equity_df));
		json_object_set_new(o, "replications", json_integer((json_int_t)b->replications));
		json_object_set_new(o, "method", json_string(
			"each replication's world: its drawn assumptions and acquired_per_period, "
			"customers integrated exactly"));
		json_object_set_new(mc, "equity", o);
	}
}

/* ---- text ------------------------------------------------------------------- */

void report_base_text_spend_note(FILE *f, const clv_scenario *s)
{
	if (scenario_has_offers(s))
		fprintf(f, "(offer spend: what the offers cost, their cost per targeted customer and "
		           "the margin a\n price discount gives up, in no state's CLV: a state's CLV is "
		           "its margin at full price\n less its own cost to serve; total = the states - "
		           "offer spend - acquisition cost)\n");
}

static void text_value(FILE *f, const clv_scenario *s, const expect_result *x,
                       const exact_result *at_means, const breakdown *b)
{
	bool se = x->method == EXPECT_REPLICATIONS, mc = b != NULL && b->n_starts == s->n;
	size_t i;

	fprintf(f, "\nValue of a customer by its state at period 0 (expected CLV before "
	           "acquisition)\n");
	fprintf(f, "%-20s %16s", "state", "exact");
	if (se)
		fprintf(f, " %10s", "se");
	if (at_means)
		fprintf(f, " %16s", "at the means");
	if (mc)
		fprintf(f, " %16s %10s", "MC mean", "se");
	fputc('\n', f);
	for (i = 0; i < s->n; i++) {
		fprintf(f, "%-20.20s %16.2f", s->states[i], x->mean->value[i]);
		if (se)
			fprintf(f, " %10.2f", x->value_se[i]);
		if (at_means)
			fprintf(f, " %16.2f", at_means->value[i]);
		if (mc)
			fprintf(f, " %16.2f %10.2f", b->by_start[i]->clv[s->n].mean,
			        b->by_start[i]->clv[s->n].se);
		fputc('\n', f);
	}
	if (mc)
		fprintf(f, "(MC: a run with every customer starting in the state, on the same random "
		           "numbers)\n");
}

static void text_base_head(FILE *f, const clv_scenario *s)
{
	const clv_base *bs = &s->base;
	const double *start = bs->acquired_initial ? bs->acquired_initial : s->initial;
	size_t i;

	fprintf(f, "\nCustomer base: %.0f customers at period 0; ", bs->customers);
	if (bs->acquired_list != NULL)
		fprintf(f, "new customers at the start of\nperiods 1..%zu as listed",
		        bs->n_acquired_list);
	else
		fprintf(f, "%.6g%s new at the start of each\n%s from 1 on", dist_mean(&bs->acquired),
		        dist_is_uncertain(&bs->acquired) ? " (mean)" : "", report_period_unit(s));
	fprintf(f, ", starting in");
	for (i = 0; i < s->n; i++)
		fprintf(f, "%s %s %.4g", i ? "," : "", s->states[i], start[i]);
	fprintf(f, "\n");
}

static void text_equity(FILE *f, const clv_scenario *s, const expect_result *x,
                        const breakdown *b)
{
	const double *eq = x->mean->equity;
	bool mc = b != NULL && b->replications > 0;
	size_t i;

	text_base_head(f, s);
	fprintf(f, "Equity: the whole base's value, discounted to period 0 (today's customers "
	           "without\nacquisition cost, each later cohort less its own)\n");
	fprintf(f, "%-20s %18s", "", "exact");
	if (mc)
		fprintf(f, " %18s %12s %18s %18s", "MC mean", "se", "p05", "p95");
	fputc('\n', f);
	for (i = 0; i < s->n; i++)
		fprintf(f, "%-20.20s %18.2f\n", s->states[i], eq[i]);
	if (eq[s->n + 1] != 0.0 || scenario_has_offers(s))
		fprintf(f, "%-20s %18.2f\n", "offer spend", report_deduction(eq[s->n + 1]));
	fprintf(f, "%-20s %18.2f\n", "acquisition", report_deduction(eq[s->n + 2]));
	fprintf(f, "%-20s %18.2f", "total", eq[s->n]);
	if (mc)
		fprintf(f, " %18.2f %12.2f %18.2f %18.2f", b->equity_mc.mean, b->equity_mc.se,
		        b->equity_mc.p05, b->equity_mc.p95);
	fputc('\n', f);
	if (x->method == EXPECT_REPLICATIONS)
		fprintf(f, "(exact total: an average over draws, se %.2f)\n", x->equity_se);
	if (mc)
		fprintf(f, "(MC: over the %llu replications' worlds, each with its own draws of the\n"
		           "assumptions and of the new customers per period; p05, p95 of those)\n",
		        (unsigned long long)b->replications);
}

static void text_counts(FILE *f, const clv_scenario *s, const exact_result *r)
{
	size_t i;
	long t;

	fprintf(f, "\nExpected customers at the start of each %s\n", report_period_unit(s));
	fprintf(f, "%8s", "period");
	for (i = 0; i < s->n; i++)
		fprintf(f, "  %14.14s", s->states[i]);
	fprintf(f, "  %14s\n", "total");
	for (t = 0; t <= r->periods; t = report_next_row(t, r->periods)) {
		double sum = 0.0;
		fprintf(f, "%8ld", t);
		for (i = 0; i < s->n; i++) {
			sum += r->customers[(size_t)t * s->n + i];
			fprintf(f, "  %14.1f", r->customers[(size_t)t * s->n + i]);
		}
		fprintf(f, "  %14.1f\n", sum);
	}
	report_rows_note(f, r->periods);
}

void report_base_text(FILE *f, const clv_scenario *s, const expect_result *x,
                      const exact_result *at_means, const breakdown *b)
{
	text_value(f, s, x, at_means, b);
	if (!x->mean->has_base)
		return;
	text_equity(f, s, x, b);
	text_counts(f, s, x->mean);
}
