/*
 * report_segments.c - stage output: each customer tier on its own and its
 * share of the total value (layout in report_segments.h). The exact
 * figures are each tier's own expectation (engine/breakdown.c), the Monte
 * Carlo ones the tier's customers of the run, with the tier's own se
 * (engine/mc_figures.c): by replications when the tier draws per
 * replication, else over its independent customers.
 */
#include "output/report_segments.h"

#include <math.h>

#include "output/report.h"
#include "output/report_events.h"
#include "output/report_mc.h"

/* weight x part / whole, NaN when the whole is 0. */
static double share_of(double weight, double part, double whole)
{
	return whole != 0.0 ? weight * part / whole : (double)NAN;
}

/* The tier's share of the customers in the run. */
static double run_weight(const mc_result *r, size_t k)
{
	return (double)r->segment[k].customers / (double)r->customers;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *mc_tier(const clv_scenario *s, const mc_result *r, size_t k)
{
	const mc_segment *sg = &r->segment[k];
	json_t *o = json_object(), *clv = json_object();
	size_t i;

	json_object_set_new(o, "weight", report_json_number(s->segment_weight[k]));
	json_object_set_new(o, "customers", json_integer((json_int_t)sg->customers));
	json_object_set_new(o, "se_method", json_string(mc_se_method_name(sg->se_method)));
	json_object_set_new(o, "se_df", report_json_number(sg->se_df));
	for (i = 0; i <= s->n; i++)
		json_object_set_new(clv, i < s->n ? s->states[i] : "total",
		                    report_json_summary(&sg->clv[i]));
	report_events_json_clv(clv, s, sg->p_negative, sg->p_negative_se);
	json_object_set_new(o, "clv", clv);
	json_object_set_new(o, "offer_spend", report_json_spend(&sg->offer_spend));
	json_object_set_new(o, "share_of_value", report_json_number(share_of(
		run_weight(r, k), sg->clv[s->n].mean, r->clv[s->n].mean)));
	return o;
}

void report_segments_json_mc(json_t *mc, const clv_scenario *s, const mc_result *r)
{
	json_t *o;
	size_t k;

	if (r->n_segments == 0 || r->n_segments != s->n_segments)
		return;
	o = json_object();
	for (k = 0; k < s->n_segments; k++)
		json_object_set_new(o, s->segment_name[k], mc_tier(s, r, k));
	json_object_set_new(mc, "segments", o);
}

static json_t *exact_tier(const clv_scenario *s, const expect_result *whole, const breakdown *b,
                          size_t k)
{
	const expect_result *x = b->segment[k];
	json_t *o = json_object();

	json_object_set_new(o, "weight", report_json_number(s->segment_weight[k]));
	json_object_set_new(o, "method", json_string(expect_method_name(x->method)));
	json_object_set_new(o, "clv", report_json_by_name(s->states, s->n, x->mean->clv, true));
	json_object_set_new(o, "offer_spend", report_json_number(x->mean->offer_spend));
	json_object_set_new(o, "value_by_state",
	                    report_json_by_name(s->states, s->n, x->mean->value, false));
	json_object_set_new(o, "share_of_value", report_json_number(share_of(
		s->segment_weight[k], x->mean->clv[s->n], whole->mean->clv[s->n])));
	if (x->method == EXPECT_REPLICATIONS)
		json_object_set_new(o, "clv_se", report_json_by_name(s->states, s->n, x->clv_se, true));
	if (b->segment_at_means[k] != NULL)
		json_object_set_new(o, "clv_at_means", report_json_by_name(
			s->states, s->n, b->segment_at_means[k]->clv, true));
	return o;
}

void report_segments_json_exact(json_t *ex, const clv_scenario *s, const expect_result *whole,
                                const breakdown *b)
{
	json_t *o;
	size_t k;

	if (b == NULL || b->n_segments == 0 || b->n_segments != s->n_segments)
		return;
	o = json_object();
	for (k = 0; k < s->n_segments; k++)
		json_object_set_new(o, s->segment_name[k], exact_tier(s, whole, b, k));
	json_object_set_new(ex, "segments", o);
}

/* ---- text -------------------------------------------------------------------- */

static void exact_rows(FILE *f, const clv_scenario *s, const expect_result *x,
                       const exact_result *at_means)
{
	bool se = x->method == EXPECT_REPLICATIONS;
	size_t i;

	fprintf(f, "%-20s %16s %16s %16s", "state", "margin", "cost", "CLV");
	if (se)
		fprintf(f, " %10s", "se");
	if (at_means)
		fprintf(f, " %16s", "at the means");
	fputc('\n', f);
	for (i = 0; i <= s->n; i++) {
		if (i == s->n && x->mean->offer_spend != 0.0)
			fprintf(f, "%-20s %16s %16s %16.2f\n", "offer spend", "", "", report_deduction(x->mean->offer_spend));
		if (i < s->n)
			fprintf(f, "%-20.20s %16.2f %16.2f %16.2f", s->states[i], x->mean->margin[i],
			        x->mean->cost[i], x->mean->clv[i]);
		else
			fprintf(f, "%-20s %16s %16s %16.2f", "total", "", "", x->mean->clv[i]);
		if (se)
			fprintf(f, " %10.2f", x->clv_se[i]);
		if (at_means)
			fprintf(f, " %16.2f", at_means->clv[i]);
		fputc('\n', f);
	}
}

static void mc_row(FILE *f, const char *name, double exact, const stats_summary *c, double pneg)
{
	fprintf(f, "%-14.14s %11.2f %11.2f %8.2f %10.2f %10.2f %10.2f %10.2f %10.4f\n", name, exact,
	        c->mean, c->se, c->sd, c->p05, c->p50, c->p95, pneg);
}

static void mc_rows(FILE *f, const clv_scenario *s, const expect_result *x, const mc_result *r,
                    size_t k)
{
	const mc_segment *sg = &r->segment[k];
	size_t i;

	fprintf(f, "%-14s %11s %11s %8s %10s %10s %10s %10s %10s\n", "state", "exact", "mean", "se",
	        "sd", "p05", "p50", "p95", "P(CLV<0)");
	for (i = 0; i < s->n; i++)
		mc_row(f, s->states[i], x->mean->clv[i], &sg->clv[i], sg->p_negative[i]);
	if (x->mean->offer_spend != 0.0 || sg->offer_spend.mean != 0.0)
		fprintf(f, "%-14s %11.2f %11.2f %8.2f %10.2f\n", "offer spend", report_deduction(x->mean->offer_spend),
		        report_deduction(sg->offer_spend.mean), sg->offer_spend.se, sg->offer_spend.sd);
	mc_row(f, "total", x->mean->clv[s->n], &sg->clv[s->n], sg->p_negative[s->n]);
	fprintf(f, "se: %s\n", sg->se_method == MC_SE_REPLICATIONS
	        ? "from the spread of the tier's replication means (it draws per replication)"
	        : "over the tier's independent customers");
}

static void shares_line(FILE *f, const clv_scenario *s, const expect_result *whole,
                        const mc_result *r, const breakdown *b)
{
	size_t k;

	fprintf(f, "\nShare of the total value (weight x tier's total CLV / the whole base's): ");
	for (k = 0; k < s->n_segments; k++) {
		fprintf(f, "%s%s %.2f%%", k ? ", " : "", s->segment_name[k], 100.0 * share_of(
			s->segment_weight[k], b->segment[k]->mean->clv[s->n], whole->mean->clv[s->n]));
		if (r != NULL)
			fprintf(f, " (MC %.2f%%)", 100.0 * share_of(run_weight(r, k),
			        r->segment[k].clv[s->n].mean, r->clv[s->n].mean));
	}
	fprintf(f, "\n");
}

void report_segments_text(FILE *f, const clv_scenario *s, const expect_result *whole,
                          const mc_result *r, const breakdown *b)
{
	size_t k;

	if (b == NULL || b->n_segments == 0 || b->n_segments != s->n_segments)
		return;
	if (r != NULL && r->n_segments != s->n_segments)
		r = NULL;
	fprintf(f, "\nCustomer tiers, each on its own (the whole base is their mixture)\n");
	for (k = 0; k < s->n_segments; k++) {
		fprintf(f, "\nTier %s: %.4g%% of the customers; exact total CLV %.2f\n",
		        s->segment_name[k], 100.0 * s->segment_weight[k],
		        b->segment[k]->mean->clv[s->n]);
		if (r != NULL)
			mc_rows(f, s, b->segment[k], r, k);
		else
			exact_rows(f, s, b->segment[k], b->segment_at_means[k]);
	}
	shares_line(f, s, whole, r, b);
}
