/*
 * report_clvdist.c - stage output: the exact CLV distribution as JSON and
 * text (layout in report_clvdist.h).
 */
#include "output/report_clvdist.h"

#include <math.h>

#include "output/report.h"

static json_t *figures_json(const clvdist_figures *f)
{
	json_t *o = json_object();

	json_object_set_new(o, "mean", report_json_number(f->mean));
	json_object_set_new(o, "sd", report_json_number(f->sd));
	json_object_set_new(o, "p05", report_json_number(f->p05));
	json_object_set_new(o, "p25", report_json_number(f->p25));
	json_object_set_new(o, "p50", report_json_number(f->p50));
	json_object_set_new(o, "p75", report_json_number(f->p75));
	json_object_set_new(o, "p95", report_json_number(f->p95));
	json_object_set_new(o, "error_bound", report_json_number(f->bound));
	json_object_set_new(o, "support_points", json_integer((json_int_t)f->support));
	return o;
}

void report_json_clvdist(json_t *ex, const clv_scenario *s, const clvdist_report *d)
{
	json_t *dist, *how = json_object();
	size_t i;

	if (d == NULL) {
		json_decref(how);
		return;
	}
	if (d->available) {
		dist = json_object();
		for (i = 0; d->per_state && i < s->n; i++)
			json_object_set_new(dist, s->states[i], figures_json(&d->clv[i]));
		json_object_set_new(dist, "total", figures_json(&d->clv[s->n]));
	} else
		dist = json_null();
	json_object_set_new(ex, "clv_distribution", dist);
	json_object_set_new(how, "method", json_string("dynamic_programming"));
	json_object_set_new(how, "available", json_boolean(d->available));
	json_object_set_new(how, "note", json_string(d->note));
	if (d->available) {
		json_object_set_new(how, "bins", json_integer((json_int_t)d->points));
		json_object_set_new(how, "periods", json_integer(d->periods));
		json_object_set_new(how, "replications", json_integer((json_int_t)d->replications));
	}
	json_object_set_new(ex, "clv_distribution_method", how);
}

static void text_row(FILE *f, const char *name, const clvdist_figures *c)
{
	fprintf(f, "%-14.14s %11.2f %10.2f %10.2f %10.2f %10.2f %10.2f %10.2f %10.3g\n", name, c->mean,
	        c->sd, c->p05, c->p25, c->p50, c->p75, c->p95, c->bound);
}

static bool exact_everywhere(const clv_scenario *s, const clvdist_report *d)
{
	size_t i;

	for (i = d->per_state ? 0 : s->n; i <= s->n; i++)
		if (d->clv[i].bound != 0.0)
			return false;
	return true;
}

void report_text_clvdist(FILE *f, const clv_scenario *s, const clvdist_report *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (!d->available) {
		fprintf(f, "\nExact CLV distribution: %s.\n", d->note);
		return;
	}
	fprintf(f, "\nExact CLV distribution of a customer, by dynamic programming (no simulation):\n");
	if (d->replications > 0)
		fprintf(f, "the total only, on %zu bins per step, mixed over the %llu replications' draws "
		           "(its mean\nis their average, not the expectation)\n", d->points,
		        (unsigned long long)d->replications);
	else if (exact_everywhere(s, d))
		fprintf(f, "every possible CLV kept, exactly\n");
	else
		fprintf(f, "on %zu bins per state and step\n", d->points);
	fprintf(f, "%-14s %11s %10s %10s %10s %10s %10s %10s %10s\n", "state", "mean", "sd", "p05",
	        "p25", "p50", "p75", "p95", "+-bound");
	for (i = 0; d->per_state && i < s->n; i++)
		text_row(f, s->states[i], &d->clv[i]);
	text_row(f, "total", &d->clv[s->n]);
	fprintf(f, "(sd and percentiles within +-bound of the exact ones; 0: exact%s)\n",
	        s->infinite ? ", the truncation of the infinite horizon included" : "");
}
