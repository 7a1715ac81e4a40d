/*
 * report_sweep.c - stage output: the text and JSON reports of
 * `clvsim sweep` (layout in report_sweep.h). Method: whatif.h,
 * docs/whatif.md.
 */
#include "output/report_sweep.h"

#include <string.h>

#include "output/report.h"
#include "output/report_sweep_method.h"
#include "output/report_sweep_vs.h"
#include "scenario/scenario.h"

const char *report_sweep_state(const whatif_sweep *w, size_t i)
{
	return i < w->n ? w->states[i] : "total";
}

/* ---- text ---------------------------------------------------------------- */

static void text_head(FILE *f, const whatif_sweep *w, const clv_scenario *s)
{
	size_t a;

	fprintf(f, "Sweep of \"%s\" (%s): %zu grid points\n", s->name, s->path, w->n_points);
	for (a = 0; a < w->n_axes; a++) {
		const whatif_axis *ax = &w->axis[a];
		fprintf(f, "  %s from %.10g to %.10g step %.10g (%zu values)\n", ax->key, ax->from,
		        ax->to, ax->step, ax->count);
		if (w->rule[a] != NULL)
			fprintf(f, "  rule: %s\n", w->rule[a]);
	}
	report_sweep_method_text(f, w);
}

static int key_width(const whatif_sweep *w, size_t a)
{
	size_t len = strlen(w->axis[a].key);

	return len < 10 ? 10 : len > 32 ? 32 : (int)len;
}

static void text_table(FILE *f, const whatif_sweep *w)
{
	bool exact = w->method == WHATIF_SWEEP_EXACT, mc = w->method == WHATIF_SWEEP_MONTE_CARLO;
	size_t a, i, p;

	for (a = 0; a < w->n_axes; a++)
		fprintf(f, "%-*.*s ", key_width(w, a), key_width(w, a), w->axis[a].key);
	for (i = 0; i < w->n; i++)
		fprintf(f, "%12.12s ", w->states[i]);
	if (exact)
		fprintf(f, "%12s\n", "total");
	else
		fprintf(f, "%12s %12s %9s\n", "total exact", mc ? "total MC" : "total mean", "SE");
	for (p = 0; p < w->n_points; p++) {
		const double *ex = w->exact + p * (w->n + 1);
		for (a = 0; a < w->n_axes; a++)
			fprintf(f, "%-*.10g ", key_width(w, a), w->x[p * w->n_axes + a]);
		for (i = 0; i < w->n; i++)
			fprintf(f, "%12.2f ", ex[i]);
		if (exact)
			fprintf(f, "%12.2f\n", ex[w->n]);
		else
			fprintf(f, "%12.2f %12.2f %9.2f\n", ex[w->n], w->mean[p * (w->n + 1) + w->n],
			        w->se[p * (w->n + 1) + w->n]);
	}
	if (exact)
		fprintf(f, "\n(exact CLV per state and total)\n");
	else if (mc)
		fprintf(f, "\n(state columns: exact CLV; total: exact, and Monte Carlo mean with its SE)\n");
	else
		fprintf(f, "\n(state columns: exact CLV; total: exact, and the mean of the exact "
		        "replication values with its SE)\n");
}

void report_sweep_text(FILE *f, const whatif_sweep *w, const clv_scenario *s)
{
	if (w->versus) {
		report_sweep_vs_text(f, w, s);
		return;
	}
	text_head(f, w, s);
	text_table(f, w);
	if (scenario_has_offers(s))
		fprintf(f, "(the states' CLV leaves out what the offers cost: total = the states - offer "
		           "spend - acquisition)\n");
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *axis_json(const whatif_sweep *w, size_t a)
{
	json_t *o = json_object();

	json_object_set_new(o, "key", json_string(w->axis[a].key));
	json_object_set_new(o, "from", report_json_number(w->axis[a].from));
	json_object_set_new(o, "to", report_json_number(w->axis[a].to));
	json_object_set_new(o, "step", report_json_number(w->axis[a].step));
	json_object_set_new(o, "count", json_integer((json_int_t)w->axis[a].count));
	json_object_set_new(o, "rule", w->rule[a] ? json_string(w->rule[a]) : json_null());
	return o;
}

static json_t *point_json(const whatif_sweep *w, size_t p)
{
	json_t *o = json_object(), *x = json_array(), *mc = json_object();
	size_t a, cell = p * (w->n + 1);

	for (a = 0; a < w->n_axes; a++)
		json_array_append_new(x, report_json_number(w->x[p * w->n_axes + a]));
	json_object_set_new(o, "x", x);
	json_object_set_new(o, "exact", report_json_by_name(w->states, w->n, w->exact + cell, true));
	json_object_set_new(mc, "mean", report_json_by_name(w->states, w->n, w->mean + cell, true));
	json_object_set_new(mc, "se", report_json_by_name(w->states, w->n, w->se + cell, true));
	json_object_set_new(o, "mc", mc);
	return o;
}

json_t *report_sweep_json(const whatif_sweep *w, const clv_scenario *s)
{
	json_t *doc = json_object(), *axes = json_array(), *points = json_array();
	json_t *states = json_array();
	size_t k;

	json_object_set_new(doc, "scenario", json_string(s->name));
	json_object_set_new(doc, "file", json_string(s->path));
	for (k = 0; k < w->n; k++)
		json_array_append_new(states, json_string(w->states[k]));
	json_object_set_new(doc, "states", states);
	json_object_set_new(doc, "method", json_string(whatif_sweep_method_name(w->method)));
	json_object_set_new(doc, "seed", json_integer((json_int_t)w->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)w->replications));
	json_object_set_new(doc, "customers", json_integer((json_int_t)w->customers));
	for (k = 0; k < w->n_axes; k++)
		json_array_append_new(axes, axis_json(w, k));
	json_object_set_new(doc, "axes", axes);
	for (k = 0; k < w->n_points; k++)
		json_array_append_new(points, point_json(w, k));
	json_object_set_new(doc, "points", points);
	if (w->versus)
		report_sweep_vs_json(doc, w);
	return doc;
}

/* What the text writer reads. */
typedef struct sweep_report {
	const whatif_sweep *w;
	const clv_scenario *s;
} sweep_report;

static void write_text(FILE *f, const void *data)
{
	const sweep_report *r = data;

	report_sweep_text(f, r->w, r->s);
}

clv_status report_sweep_print(const whatif_sweep *w, const clv_scenario *s, bool json,
                              clv_error *err)
{
	const sweep_report r = {w, s};

	if (json)
		return report_json_print(report_sweep_json(w, s), "sweep", err);
	return report_text_print(write_text, &r, err);
}
