/*
 * report.c - the exact engine's results and the document head, as text
 * tables and JSON (layout in report.h), and the one way a report reaches
 * stdout. Monte Carlo blocks are in report_mc.c; the what-ifs' reports in
 * report_compare.c, report_sweep.c and report_tornado.c.
 */
#include "output/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "output/json_write.h"
#include "output/report_base.h"
#include "output/textout.h"
#include "scenario/scenario.h"

json_t *report_json_number(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

const char *report_period_unit(const clv_scenario *s)
{
	return s->period != NULL ? s->period : "period";
}

const char *report_share_label(const clv_scenario *s, bool capital)
{
	size_t i;

	for (i = 0; s != NULL && i < s->n; i++) {
		const clv_row *row = &s->switching[i];
		if (!row->dirichlet && row->p != NULL && row->p[i].kind == DIST_FIXED && row->p[i].a == 1.0)
			return capital ? "Share of customers" : "share of customers";
	}
	return capital ? "Share of wallet" : "share of wallet";
}

static json_t *discount_json(const clv_scenario *s, const clv_model *m)
{
	json_t *d = json_object();

	json_object_set_new(d, "per_period", report_json_number(m->discount));
	json_object_set_new(d, "unit", json_string(report_period_unit(s)));
	if (s->periods_per_year == 1.0)
		json_object_set_new(d, "annual", report_json_number(m->discount));
	else if (s->discount_annual && s->discount.kind == DIST_FIXED)
		/* the annual rate as written, not its round trip through the
		   per-period rate (0.1, not 0.0999999999999999) */
		json_object_set_new(d, "annual", report_json_number(s->discount.a));
	else if (s->periods_per_year > 0)
		json_object_set_new(d, "annual", report_json_number(
			pow(1.0 + m->discount, s->periods_per_year) - 1.0));
	else
		json_object_set_new(d, "annual", json_null());
	json_object_set_new(d, "given_as", json_string(s->discount_annual ? "annual" : "per_period"));
	return d;
}

json_t *report_json_by_name(char *const *names, size_t n, const double *v, bool total)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_set_new(o, names[i], report_json_number(v[i]));
	if (total)
		json_object_set_new(o, "total", report_json_number(v[n]));
	return o;
}

json_t *report_json_head(const clv_scenario *s, const clv_model *m)
{
	json_t *doc = json_object(), *states = json_array();
	size_t i;

	for (i = 0; i < s->n; i++)
		json_array_append_new(states, json_string(s->states[i]));
	json_object_set_new(doc, "scenario", json_string(s->name));
	json_object_set_new(doc, "file", json_string(s->path));
	json_object_set_new(doc, "states", states);
	if (s->infinite)
		json_object_set_new(doc, "horizon", json_string("infinite"));
	else
		json_object_set_new(doc, "horizon", json_integer(s->horizon));
	json_object_set_new(doc, "period", json_string(report_period_unit(s)));
	json_object_set_new(doc, "currency", s->currency != NULL && s->currency[0] != '\0' ? json_string(s->currency) : json_null());
	json_object_set_new(doc, "discount_rate", discount_json(s, m));
	json_object_set_new(doc, "purchases_per_period", report_json_number(m->purchases));
	return doc;
}

/* share, clv and steady_state of r into o. */
static void figures_json(json_t *o, const clv_scenario *s, const exact_result *r)
{
	json_t *share = json_object();
	size_t i;
	long t;

	for (i = 0; i < s->n; i++) {
		json_t *list = json_array();
		for (t = 0; t <= r->periods; t++)
			json_array_append_new(list, report_json_number(r->share[(size_t)t * s->n + i]));
		json_object_set_new(share, s->states[i], list);
	}
	json_object_set_new(o, "share", share);
	json_object_set_new(o, "clv", report_json_by_name(s->states, s->n, r->clv, true));
	json_object_set_new(o, "offer_spend", report_json_number(r->offer_spend));
	json_object_set_new(o, "steady_state", report_json_by_name(s->states, s->n, r->steady, false));
	report_base_json(o, s, r);
}

json_t *report_json_exact(const clv_scenario *s, const expect_result *x)
{
	json_t *ex = json_object();
	char note[256];

	expect_method_describe(x->method, x->dims, x->points, x->replications, note, sizeof note);
	json_object_set_new(ex, "method", json_string(expect_method_name(x->method)));
	json_object_set_new(ex, "method_note", json_string(note));
	figures_json(ex, s, x->mean);
	if (x->method == EXPECT_REPLICATIONS) {
		json_object_set_new(ex, "clv_se", report_json_by_name(s->states, s->n, x->clv_se, true));
		report_base_json_se(ex, s, x);
	}
	return ex;
}

json_t *report_json_at_means(const clv_scenario *s, const exact_result *r)
{
	json_t *ex = json_object();

	json_object_set_new(ex, "note", json_string(
		"the exact engine at the assumptions' means (not the expectation: the scenario has "
		"uncertain assumptions)"));
	figures_json(ex, s, r);
	return ex;
}

clv_status report_json_print(json_t *doc, const char *command, clv_error *err)
{
	json_t *top = json_object();
	int bad = top == NULL || doc == NULL;

	if (!bad) { /* schema and command first, then the command's document */
		json_object_set_new(top, "schema", json_integer(REPORT_JSON_SCHEMA));
		json_object_set_new(top, "command", json_string(command));
		bad = json_object_update(top, doc) != 0;
	}
	/* streamed: the document is not copied into one string first (the
	   share table of a long run holds millions of numbers) */
	if (!bad)
		json_write(stdout, top);
	json_decref(top);
	json_decref(doc);
	if (bad || ferror(stdout))
		return diag_set(err, CLV_ERR_IO, NULL, "cannot write to standard output: %s",
		                strerror(errno));
	return textout_write("\n", 1, err);
}

clv_status report_text_print(void (*write)(FILE *f, const void *data), const void *data,
                             clv_error *err)
{
	textout t;
	FILE *f = textout_open(&t, err);

	if (f == NULL)
		return err->status;
	write(f, data);
	return textout_print(&t, err);
}

void report_text_head(FILE *f, const clv_scenario *s, const clv_model *m)
{
	const char *unit = report_period_unit(s);
	size_t i;

	fprintf(f, "Scenario: %s (%s)\n", s->name, s->path);
	fprintf(f, "States:   ");
	for (i = 0; i < s->n; i++)
		fprintf(f, "%s%s", i ? ", " : "", s->states[i]);
	if (s->infinite)
		fprintf(f, "\nHorizon:  infinite (%s by %s)\n", unit, unit);
	else
		fprintf(f, "\nHorizon:  %s 0..%ld (%ld + 1 periods valued)\n", unit, s->horizon, s->horizon);
	fprintf(f, "Discount: %.6g%% per %s", 100.0 * m->discount, unit);
	if (s->periods_per_year > 0 && s->periods_per_year != 1.0)
		fprintf(f, " (%.6g%% per year)", 100.0 * (pow(1.0 + m->discount, s->periods_per_year) - 1.0));
	fprintf(f, "\nPurchases: %.6g per %s%s\n", m->purchases, unit, m->poisson ? " (Poisson mean)" : "");
	if (s->currency != NULL && s->currency[0] != '\0')
		fprintf(f, "Money:    %s\n", s->currency);
}

long report_next_row(long t, long periods)
{
	long stride = periods <= 30 ? 1 : (periods + 24) / 25;

	return t < periods && t + stride > periods ? periods : t + stride;
}

void report_rows_note(FILE *f, long periods)
{
	if (periods > 30)
		fprintf(f, "(one row every %ld periods, and the last; every period with --format json "
		           "or --out DIR)\n", report_next_row(0, periods));
}

static void text_share_table(FILE *f, const clv_scenario *s, const exact_result *r)
{
	size_t i;
	long t;

	fprintf(f, "\nExpected %s (state at the start of each %s)\n", report_share_label(s, false),
	        report_period_unit(s));
	fprintf(f, "%8s", "period");
	for (i = 0; i < s->n; i++)
		fprintf(f, "  %12.12s", s->states[i]);
	fputc('\n', f);
	for (t = 0; t <= r->periods; t = report_next_row(t, r->periods)) {
		fprintf(f, "%8ld", t);
		for (i = 0; i < s->n; i++)
			fprintf(f, "  %12.6f", r->share[(size_t)t * s->n + i]);
		fputc('\n', f);
	}
	fprintf(f, "%8s", "steady");
	for (i = 0; i < s->n; i++)
		fprintf(f, "  %12.6f", r->steady[i]);
	fputc('\n', f);
	report_rows_note(f, r->periods);
}

void report_text_method(FILE *f, const expect_result *x)
{
	char note[256];

	if (x->method == EXPECT_CERTAIN)
		return; /* nothing to say: the exact engine's figure is the expectation */
	expect_method_describe(x->method, x->dims, x->points, x->replications, note, sizeof note);
	fprintf(f, "Exact: %s.\n", note);
}

void report_text_exact(FILE *f, const clv_scenario *s, const expect_result *x,
                       const exact_result *at_means)
{
	const exact_result *r = x->mean;
	bool se = x->method == EXPECT_REPLICATIONS;
	size_t i;

	if (x->method != EXPECT_CERTAIN)
		fputc('\n', f);
	report_text_method(f, x);
	text_share_table(f, s, r);
	fprintf(f, "\nExpected CLV per customer (discounted to period 0)\n");
	fprintf(f, "%-20s %16s %16s %16s", "state", "margin", "cost", "CLV");
	if (se)
		fprintf(f, " %10s", "se");
	if (at_means)
		fprintf(f, " %16s", "at the means");
	fputc('\n', f);
	for (i = 0; i <= s->n; i++) {
		if (i == s->n && scenario_has_offers(s)) { /* on its own line, in no state's CLV */
			fprintf(f, "%-20s %16s %16s %16.2f", "offer spend", "", "", report_deduction(r->offer_spend));
			if (se)
				fprintf(f, " %10.2f", x->offer_spend_se);
			if (at_means)
				fprintf(f, " %16.2f", report_deduction(at_means->offer_spend));
			fputc('\n', f);
		}
		if (i < s->n)
			fprintf(f, "%-20.20s %16.2f %16.2f %16.2f", s->states[i], r->margin[i], r->cost[i],
			        r->clv[i]);
		else
			fprintf(f, "%-20s %16s %16s %16.2f", "total", "", "", r->clv[s->n]);
		if (se)
			fprintf(f, " %10.2f", x->clv_se[i]);
		if (at_means)
			fprintf(f, " %16.2f", at_means->clv[i]);
		fputc('\n', f);
	}
	report_base_text_spend_note(f, s);
	if (at_means)
		fprintf(f, "(\"at the means\": the exact engine with every uncertain assumption at its "
		           "mean, which is not the expected CLV)\n");
}
