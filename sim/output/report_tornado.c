/*
 * report_tornado.c - stage output: the text and JSON reports of
 * `clvsim tornado` (layout in report_tornado.h). Method: whatif.h,
 * docs/whatif.md.
 */
#include "output/report_tornado.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/report.h"

clv_status report_tornado_rank(report_tornado_view *v, clv_error *err)
{
	const whatif_tornado *t = v->t;

	v->total_order = malloc((t->n_inputs + 1) * sizeof *v->total_order);
	v->order = malloc((t->n_inputs + 1) * sizeof *v->order);
	if (v->total_order == NULL || v->order == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	whatif_tornado_order(t, t->n, v->total_order);
	whatif_tornado_order(t, v->state, v->order);
	return CLV_OK;
}

void report_tornado_view_clear(report_tornado_view *v)
{
	free(v->total_order);
	free(v->order);
	v->total_order = NULL;
	v->order = NULL;
}

const char *report_tornado_state(const whatif_tornado *t, size_t k)
{
	return k < t->n ? t->states[k] : "total";
}

static double clv_at(const whatif_input *in, size_t n, int q, size_t k)
{
	return in->clv[(size_t)q * (n + 1) + k];
}

double report_tornado_clv(const whatif_tornado *t, size_t i, int q, size_t k)
{
	return clv_at(&t->input[i], t->n, q, k);
}

double report_tornado_elasticity(const whatif_tornado *t, size_t k, size_t i)
{
	const whatif_elasticity *e = &t->elast[k];
	/* the input's relative step each way: 1 period of the horizon, else
	   WHATIF_ELASTICITY_STEP. Two CLVs U ulps apart give an elasticity of
	   about U * eps / step (a one-sided difference; a central one half
	   that), so the floor holds for both. */
	double step = strcmp(e->input, "horizon") == 0 ? 1.0 / e->base : WHATIF_ELASTICITY_STEP;
	double floor_e = REPORT_ELASTICITY_ULPS * DBL_EPSILON / step;

	if (isnan(e->e[i]))
		return e->e[i];
	return fabs(e->e[i]) <= floor_e ? 0.0 : e->e[i];
}

bool report_tornado_total_fixed(const whatif_tornado *t)
{
	double scale = 1.0 + fabs(t->base[t->n]);
	bool states_move = false;
	size_t i, k;

	if (t->n_inputs == 0)
		return false;
	for (i = 0; i < t->n_inputs; i++) {
		if (fabs(whatif_swing(t, i, t->n)) > 1e-9 * scale)
			return false;
		for (k = 0; k < t->n; k++)
			states_move = states_move || fabs(whatif_swing(t, i, k)) > 1e-9 * scale;
	}
	return states_move;
}

/* Why the total's bars are all 0, and what to do. */
static const char TOTAL_FIXED[] =
	"the total cannot move: every customer buys in one of the states each period, so the "
	"total is the whole market's category value, which switching only shares out; rank one "
	"brand's CLV with --state NAME";

/* ---- text ---------------------------------------------------------------- */

static void text_head(FILE *f, const report_tornado_view *v)
{
	const whatif_tornado *t = v->t;

	fprintf(f, "Tornado of \"%s\" (%s)\n", v->s->name, v->s->path);
	fprintf(f, "Engine: exact: each CLV is the expectation over every other uncertain "
	           "assumption (per customer ones included)\n");
	fprintf(f, "Base: expected total CLV %.2f over every uncertain assumption", t->base[t->n]);
	if (v->state < t->n)
		fprintf(f, "; %s %.2f", t->states[v->state], t->base[v->state]);
	fprintf(f, "\n");
}

/* The bars for state k (t->n: total), in `order`. */
static void text_bars(FILE *f, const whatif_tornado *t, size_t k, const size_t *order)
{
	size_t r;

	fprintf(f, "\nSwing in %s%s: each assumption at its 10th and 90th percentiles, "
	        "expected over the others\n", k < t->n ? "the CLV of " : "total CLV",
	        k < t->n ? t->states[k] : "");
	fprintf(f, "%3s  %-28s %-30s %23s %12s %12s %10s\n", "#", "assumption", "distribution",
	        "p10 -> p90", "CLV at p10", "CLV at p90", "swing");
	for (r = 0; r < t->n_inputs; r++) {
		const whatif_input *in = &t->input[order[r]];
		fprintf(f, "%3zu  %-28.28s %-30.30s %10.4g -> %-10.4g %12.2f %12.2f %+10.2f\n", r + 1,
		        in->label, in->dist, in->value[0], in->value[WHATIF_SPIDER - 1],
		        clv_at(in, t->n, 0, k), clv_at(in, t->n, WHATIF_SPIDER - 1, k),
		        whatif_swing(t, order[r], k));
	}
	if (t->n_inputs == 0)
		fprintf(f, "  (no uncertain assumption in this scenario)\n");
}

static void text_spider(FILE *f, const whatif_tornado *t)
{
	size_t k;
	int q;

	if (t->n_inputs == 0)
		return;
	fprintf(f, "\nSpider: total CLV with each assumption at its 10th, 20th, ..., 90th percentile\n");
	fprintf(f, "%-28s", "assumption");
	for (q = 0; q < WHATIF_SPIDER; q++)
		fprintf(f, " %9d%%", (q + 1) * 10);
	fprintf(f, "\n");
	for (k = 0; k < t->n_inputs; k++) {
		fprintf(f, "%-28.28s", t->input[k].label);
		for (q = 0; q < WHATIF_SPIDER; q++)
			fprintf(f, " %10.2f", clv_at(&t->input[k], t->n, q, t->n));
		fprintf(f, "\n");
	}
}

static void text_elasticities(FILE *f, const report_tornado_view *v)
{
	const whatif_tornado *t = v->t;
	size_t k;

	fprintf(f, "\nElasticities (exact engine at the assumptions' means): %% change in CLV per 1%% change in the input, "
	        "by central differences of +-1%% (horizon: +-1 period)\n");
	fprintf(f, "%-28s %12s %12s", "input", "value", "total");
	if (v->state < t->n)
		fprintf(f, " %12.12s", t->states[v->state]);
	fprintf(f, "\n");
	for (k = 0; k < t->n_elast; k++) {
		const whatif_elasticity *e = &t->elast[k];
		if (isnan(e->base))
			fprintf(f, "%-28.28s %12s ", e->input, "-");
		else
			fprintf(f, "%-28.28s %12.6g ", e->input, e->base);
		if (e->skipped != NULL) {
			fprintf(f, "%12s (%s)\n", "-", e->skipped);
			continue;
		}
		fprintf(f, "%12.4f", report_tornado_elasticity(t, k, t->n));
		if (v->state < t->n)
			fprintf(f, " %12.4f", report_tornado_elasticity(t, k, v->state));
		fprintf(f, "\n");
	}
}

void report_tornado_text(FILE *f, const report_tornado_view *v)
{
	text_head(f, v);
	text_bars(f, v->t, v->t->n, v->total_order);
	if (v->state == v->t->n && report_tornado_total_fixed(v->t))
		fprintf(f, "(the total cannot move: every customer buys in one of the states each "
		           "period, so the total\n is the whole market's category value, which "
		           "switching only shares out;\n rank one brand's CLV with --state NAME)\n");
	if (v->state < v->t->n)
		text_bars(f, v->t, v->state, v->order);
	text_spider(f, v->t);
	text_elasticities(f, v);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *numbers(const double *x, size_t n, size_t stride)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; k < n; k++)
		json_array_append_new(a, report_json_number(x[k * stride]));
	return a;
}

static json_t *input_json(const whatif_tornado *t, size_t i)
{
	const whatif_input *in = &t->input[i];
	json_t *o = json_object(), *pct = json_array(), *clv = json_object(), *swing = json_object();
	size_t k;
	int q;

	for (q = 0; q < WHATIF_SPIDER; q++)
		json_array_append_new(pct, json_integer((q + 1) * 10));
	for (k = 0; k <= t->n; k++) {
		const char *name = report_tornado_state(t, k);
		json_object_set_new(clv, name, numbers(in->clv + k, WHATIF_SPIDER, t->n + 1));
		json_object_set_new(swing, name, report_json_number(whatif_swing(t, i, k)));
	}
	json_object_set_new(o, "assumption", json_string(in->label));
	json_object_set_new(o, "distribution", json_string(in->dist));
	json_object_set_new(o, "mean", report_json_number(in->mean));
	json_object_set_new(o, "percentiles", pct);
	json_object_set_new(o, "values", numbers(in->value, WHATIF_SPIDER, 1));
	json_object_set_new(o, "clv", clv);
	json_object_set_new(o, "swing", swing);
	return o;
}

static json_t *elasticity_json(const whatif_tornado *t, size_t k)
{
	const whatif_elasticity *e = &t->elast[k];
	json_t *o = json_object(), *by = json_object();
	size_t i;

	for (i = 0; i <= t->n; i++)
		json_object_set_new(by, report_tornado_state(t, i),
		                    report_json_number(report_tornado_elasticity(t, k, i)));
	json_object_set_new(o, "input", json_string(e->input));
	json_object_set_new(o, "base", report_json_number(e->base));
	json_object_set_new(o, "elasticity", by);
	json_object_set_new(o, "skipped", e->skipped ? json_string(e->skipped) : json_null());
	return o;
}

json_t *report_tornado_json(const report_tornado_view *v)
{
	const whatif_tornado *t = v->t;
	json_t *doc = json_object(), *inputs = json_array(), *el = json_array();
	size_t k;

	json_object_set_new(doc, "scenario", json_string(v->s->name));
	json_object_set_new(doc, "file", json_string(v->s->path));
	json_object_set_new(doc, "engine", json_string("exact"));
	json_object_set_new(doc, "seed", json_integer((json_int_t)t->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)t->replications));
	json_object_set_new(doc, "customers", json_integer((json_int_t)t->customers));
	json_object_set_new(doc, "state", v->state < t->n ? json_string(t->states[v->state])
	                                                  : json_null());
	json_object_set_new(doc, "base", report_json_by_name(t->states, t->n, t->base, true));
	for (k = 0; k < t->n_inputs; k++)
		json_array_append_new(inputs, input_json(t, k));
	json_object_set_new(doc, "inputs", inputs);
	for (k = 0; k < t->n_elast; k++)
		json_array_append_new(el, elasticity_json(t, k));
	json_object_set_new(doc, "elasticities", el);
	if (v->state == t->n && report_tornado_total_fixed(t))
		json_object_set_new(doc, "note", json_string(TOTAL_FIXED));
	return doc;
}

static void write_text(FILE *f, const void *v)
{
	report_tornado_text(f, v);
}

clv_status report_tornado_print(const report_tornado_view *v, bool json, clv_error *err)
{
	if (json)
		return report_json_print(report_tornado_json(v), "tornado", err);
	return report_text_print(write_text, v, err);
}
