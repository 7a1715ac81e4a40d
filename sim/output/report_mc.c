/*
 * report_mc.c - Monte Carlo results as JSON and text (see report_mc.h).
 */
#include "output/report_mc.h"

#include <math.h>

#include "output/report.h"
#include "output/report_base.h"
#include "output/report_events.h"
#include "output/report_segments.h"
#include "scenario/scenario.h"

json_t *report_json_spend(const stats_summary *sm)
{
	json_t *o = json_object();

	json_object_set_new(o, "mean", report_json_number(sm->mean));
	json_object_set_new(o, "se", report_json_number(sm->se));
	json_object_set_new(o, "sd", report_json_number(sm->sd));
	return o;
}

json_t *report_json_summary(const stats_summary *sm)
{
	json_t *o = json_object();

	json_object_set_new(o, "mean", report_json_number(sm->mean));
	json_object_set_new(o, "se", report_json_number(sm->se));
	json_object_set_new(o, "sd", report_json_number(sm->sd));
	json_object_set_new(o, "p05", report_json_number(sm->p05));
	json_object_set_new(o, "p25", report_json_number(sm->p25));
	json_object_set_new(o, "p50", report_json_number(sm->p50));
	json_object_set_new(o, "p75", report_json_number(sm->p75));
	json_object_set_new(o, "p95", report_json_number(sm->p95));
	return o;
}

static json_t *column(const mc_result *r, const double *v, size_t i)
{
	json_t *a = json_array();
	long t;

	for (t = 0; t <= r->periods; t++)
		json_array_append_new(a, report_json_number(v[(size_t)t * r->n + i]));
	return a;
}

static json_t *share_json(const clv_scenario *s, const mc_result *r)
{
	json_t *share = json_object();
	size_t i;

	for (i = 0; i < s->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "mean", column(r, r->share_mean, i));
		json_object_set_new(o, "p05", column(r, r->share_p05, i));
		json_object_set_new(o, "p25", column(r, r->share_p25, i));
		json_object_set_new(o, "p50", column(r, r->share_p50, i));
		json_object_set_new(o, "p75", column(r, r->share_p75, i));
		json_object_set_new(o, "p95", column(r, r->share_p95, i));
		json_object_set_new(share, s->states[i], o);
	}
	return share;
}

static json_t *summaries_json(const clv_scenario *s, const stats_summary *sm)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < s->n; i++)
		json_object_set_new(o, s->states[i], report_json_summary(&sm[i]));
	json_object_set_new(o, "total", report_json_summary(&sm[s->n]));
	return o;
}

/* Customer equity: the population's total CLV, customers x each
   replication's mean total CLV. */
static json_t *equity_json(const mc_result *r)
{
	json_t *o = json_object();
	double C = (double)r->customers;
	const stats_summary *t = &r->clv[r->n], *a = &r->clv_avg[r->n];

	json_object_set_new(o, "customers", json_integer((json_int_t)r->customers));
	json_object_set_new(o, "mean", report_json_number(C * t->mean));
	json_object_set_new(o, "se", report_json_number(C * t->se));
	json_object_set_new(o, "p05", report_json_number(C * a->p05));
	json_object_set_new(o, "p95", report_json_number(C * a->p95));
	return o;
}

json_t *report_json_mc(const clv_scenario *s, const mc_result *r, const char *sampling,
                       double precision, bool relative)
{
	json_t *mc = json_object();

	json_object_set_new(mc, "engine", json_string(mc_mode_name(r->engine)));

	json_object_set_new(mc, "replications", json_integer((json_int_t)r->replications));
	json_object_set_new(mc, "customers", json_integer((json_int_t)r->customers));
	json_object_set_new(mc, "seed", json_integer((json_int_t)r->seed));
	json_object_set_new(mc, "threads", json_integer(r->threads));
	json_object_set_new(mc, "sampling", json_string(sampling));
	json_object_set_new(mc, "share", share_json(s, r));
	json_object_set_new(mc, "clv", summaries_json(s, r->clv));
	json_object_set_new(mc, "clv_avg", summaries_json(s, r->clv_avg));
	json_object_set_new(mc, "offer_spend", report_json_spend(&r->offer_spend));
	report_events_json(mc, s, r);
	report_segments_json_mc(mc, s, r);
	json_object_set_new(mc, "customer_equity", equity_json(r));
	json_object_set_new(mc, "se_method", json_string(mc_se_method_name(r->se_method)));
	json_object_set_new(mc, "replication_values",
	                    json_string(r->exact_replications ? "exact" : "simulated"));
	json_object_set_new(mc, "se_df", report_json_number(r->se_df));
	json_object_set_new(mc, "total_ci95_half_width", report_json_number(r->half_width));
	if (s->infinite) {
		json_object_set_new(mc, "simulated_periods", json_integer(r->simulated_periods));
		json_object_set_new(mc, "truncation_error_bound", report_json_number(r->truncation_bound));
	}
	if (precision > 0) {
		json_t *p = json_object();
		json_object_set_new(p, "target", report_json_number(precision));
		json_object_set_new(p, "relative", json_boolean(relative));
		json_object_set_new(p, "reached", json_boolean(r->precision_reached));
		json_object_set_new(p, "half_width", report_json_number(r->half_width));
		json_object_set_new(mc, "precision", p);
	}
	return mc;
}

static void text_fan(FILE *f, const clv_scenario *s, const mc_result *r, const exact_result *ex)
{
	long t;
	size_t i;

	fprintf(f, "\n%s at the start of each %s: Monte Carlo mean [5%%, 95%% across "
	           "replications] (exact)\n", report_share_label(s, true), report_period_unit(s));
	fprintf(f, "%8s", "period");
	for (i = 0; i < s->n; i++)
		fprintf(f, "  %-34.34s", s->states[i]);
	fputc('\n', f);
	for (t = 0; t <= r->periods; t = report_next_row(t, r->periods)) {
		fprintf(f, "%8ld", t);
		for (i = 0; i < s->n; i++) {
			size_t c = (size_t)t * s->n + i;
			char cell[64];
			snprintf(cell, sizeof cell, "%.4f [%.4f, %.4f] (%.4f)", r->share_mean[c],
			         r->share_p05[c], r->share_p95[c],
			         t <= ex->periods ? ex->share[c] : (double)NAN);
			fprintf(f, "  %-34s", cell);
		}
		fputc('\n', f);
	}
	report_rows_note(f, r->periods);
}

/* A figure in a column of `width`, or "-" where there is none (NaN). */
static void cell(FILE *f, int width, double v)
{
	if (isnan(v))
		fprintf(f, " %*s", width, "-");
	else
		fprintf(f, " %*.2f", width, v);
}

static void text_clv_row(FILE *f, const char *name, double exact, const stats_summary *c,
                         const stats_summary *a)
{
	fprintf(f, "%-14.14s %11.2f %11.2f", name, exact, c->mean);
	cell(f, 8, c->se);
	cell(f, 10, c->sd);
	cell(f, 10, c->p05);
	cell(f, 10, c->p50);
	cell(f, 10, c->p95);
	cell(f, 10, a->p05);
	cell(f, 10, a->p95);
	fputc('\n', f);
}

/* What the se column is (docs/statistics.md). */
static void text_se_note(FILE *f, const mc_result *r)
{
	switch (r->se_method) {
	case MC_SE_REPLICATIONS:
		if (r->engine == MC_MODE_AGGREGATE)
			fprintf(f, "mean and se: from the %llu replications' markets (state counts, no single "
			           "customers: no sd or\npercentiles across customers; the exact distribution "
			           "below gives them)\n", (unsigned long long)r->replications);
		else if (r->exact_replications)
			fprintf(f, "mean and se: from the exact CLV of each of the %llu replications given its "
			           "draws (no inner noise);\nsd and percentiles: across the simulated "
			           "customers\n", (unsigned long long)r->replications);
		else
			fprintf(f, "se: standard error of the mean, from the spread of the %llu replication "
			           "means (assumptions are drawn per replication)\n",
			        (unsigned long long)r->replications);
		break;
	case MC_SE_STRATA:
		fprintf(f, "se: standard error of the mean, combined over the customer tiers (fixed shares)\n");
		break;
	default:
		fprintf(f, "se: standard error of the mean over %llu independent customers\n",
		        (unsigned long long)(r->replications * r->customers));
	}
}

/* Under the CLV table: the CLV at the assumptions' means, when it is not
   the expectation. */
static void text_at_means(FILE *f, const clv_scenario *s, const exact_result *at_means)
{
	size_t i;

	if (at_means == NULL)
		return;
	fprintf(f, "At the assumptions' means (not the expectation):");
	for (i = 0; i <= s->n; i++)
		fprintf(f, " %s %.2f%s", i < s->n ? s->states[i] : "total", at_means->clv[i],
		        i < s->n ? "," : "\n");
}

void report_text_mc(FILE *f, const clv_scenario *s, const mc_result *r, const expect_result *x,
                    const exact_result *at_means)
{
	const exact_result *ex = x->mean;
	size_t i;

	if (r->engine == MC_MODE_AGGREGATE)
		fprintf(f, "\nMonte Carlo by state counts (--mode aggregate): %llu replications of a market "
		           "of %llu customers,\nmoved by multinomial splits; seed %llu, %d thread%s\n",
		        (unsigned long long)r->replications, (unsigned long long)r->customers,
		        (unsigned long long)r->seed, r->threads, r->threads == 1 ? "" : "s");
	else
		fprintf(f, "\nMonte Carlo: %llu replications x %llu customers, seed %llu, %d thread%s\n",
		        (unsigned long long)r->replications, (unsigned long long)r->customers,
		        (unsigned long long)r->seed, r->threads, r->threads == 1 ? "" : "s");
	text_fan(f, s, r, ex);
	fprintf(f, "\nCLV per customer, discounted to period 0\n");
	fprintf(f, "%-14s %11s %s %21s\n", "", "",
	        "------------------------ across customers ----------------------",
	        "replication average");
	fprintf(f, "%-14s %11s %11s %8s %10s %10s %10s %10s %10s %10s\n", "state", "exact", "mean",
	        "se", "sd", "p05", "p50", "p95", "p05", "p95");
	for (i = 0; i < s->n; i++)
		text_clv_row(f, s->states[i], ex->clv[i], &r->clv[i], &r->clv_avg[i]);
	if (scenario_has_offers(s)) /* a deduction on its own line */
		fprintf(f, "%-14.14s %11.2f %11.2f %8.2f %10.2f\n", "offer spend", report_deduction(ex->offer_spend),
		        report_deduction(r->offer_spend.mean), r->offer_spend.se, r->offer_spend.sd);
	text_clv_row(f, "total", ex->clv[s->n], &r->clv[s->n], &r->clv_avg[s->n]);
	report_base_text_spend_note(f, s);
	report_text_method(f, x);
	text_at_means(f, s, at_means);
	text_se_note(f, r);
	if (s->infinite)
		fprintf(f, "Infinite horizon: simulated through %s %ld; the rest could add at most %.3g "
		           "to any customer's CLV.\n", report_period_unit(s), r->simulated_periods,
		        r->truncation_bound);
	fprintf(f, "\nMean total CLV: %.2f +- %.2f (95%% interval of the mean, Student t, %.0f df)\n",
	        r->clv[s->n].mean, r->half_width, r->se_df);
	report_events_text(f, s, r);
	if (r->engine == MC_MODE_AGGREGATE)
		fprintf(f, "Customer equity of the %llu customers: %.6g (se %.3g); 90%% of replications in "
		           "[%.6g, %.6g]\n", (unsigned long long)r->customers,
		        (double)r->customers * r->clv[s->n].mean, (double)r->customers * r->clv[s->n].se,
		        (double)r->customers * r->clv_avg[s->n].p05,
		        (double)r->customers * r->clv_avg[s->n].p95);
}
