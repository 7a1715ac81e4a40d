/*
 * report_solve.c - stage output: the text and JSON reports of
 * `clvsim solve` (layout in report_solve.h). Method: whatif/solve.h,
 * docs/whatif.md.
 */
#include "output/report_solve.h"

#include <math.h>
#include <string.h>

#include "output/report.h"

/* Every this many grid values a row of the text curve (41 -> 11 rows). */
#define TEXT_CURVE_EVERY 4

static const char *figure_name(const whatif_solve *v)
{
	return v->state != NULL ? v->state : "total";
}

/* ---- text ---------------------------------------------------------------- */

/* How the expectation was found, in words. */
static const char *method_words(const whatif_solve *v)
{
	switch (v->method) {
	case EXPECT_CERTAIN:
		return "nothing uncertain: the exact figure is the expectation";
	case EXPECT_QUADRATURE:
		return "the expectation by quadrature over the uncertain assumptions";
	default:
		return "the expectation averaged over the replications' draws";
	}
}

static void text_question(FILE *f, const whatif_solve *v, const clv_scenario *base,
                          const clv_scenario *s)
{
	fprintf(f, "Solve: %s in [%.10g, %.10g] so that the expected %s CLV of\n", v->key, v->lo,
	        v->hi, figure_name(v));
	if (base != NULL) {
		fprintf(f, "  [2] %s (%s)\n  minus [1] %s (%s)\n", s->name, s->path, base->name,
		        base->path);
		fprintf(f, "  is %.10g%s\n", v->target, v->target == 0.0 ? " (break-even)" : "");
	} else {
		fprintf(f, "  %s (%s) is %.10g\n", s->name, s->path, v->target);
	}
	if (v->rule != NULL)
		fprintf(f, "  rule: %s\n", v->rule);
	fprintf(f, "Expected %s at %s = %.10g: %.2f; at %.10g: %.2f\n\n",
	        base != NULL ? "difference" : "CLV", v->key, v->lo, v->f_lo, v->hi, v->f_hi);
	fprintf(f, "%s %s = %.7g\n", base != NULL && v->target == 0.0 ? "Break-even" : "Solution",
	        v->key, v->value);
	fprintf(f, "  (Brent's method on the exact expectation, %d iteration%s, to %.0e relative;\n"
	        "   %s)\n", v->iterations, v->iterations == 1 ? "" : "s", SOLVE_RTOL,
	        method_words(v));
	if (isfinite(v->value_se))
		fprintf(f, "  The expectation is an average over %llu draws: the solution has a "
		        "standard error\n  of about %.4g (delta method)\n",
		        (unsigned long long)v->replications, v->value_se);
}

/* A root for the text: its value, or "< LO" / "> HI" when outside. */
static void text_root(FILE *f, const whatif_solve *v, double x, int width)
{
	char buf[48];

	if (isinf(x))
		snprintf(buf, sizeof buf, "%s %.6g", x < 0 ? "<" : ">", x < 0 ? v->lo : v->hi);
	else
		snprintf(buf, sizeof buf, "%.6g", x);
	fprintf(f, "%*s", width, buf);
}

static void text_roots(FILE *f, const whatif_solve *v, const clv_scenario *base)
{
	size_t q;

	fprintf(f, "\nUnder uncertainty: each of the %llu replications' own %s (seed %llu):\n"
	        "a replication is one draw of the uncertain assumptions%s, its CLV exact\n",
	        (unsigned long long)v->replications,
	        base != NULL && v->target == 0.0 ? "break-even" : "solution",
	        (unsigned long long)v->seed,
	        base != NULL ? " (the same in both\nscenarios)" : "");
	fprintf(f, " ");
	for (q = 0; q < SOLVE_N_PCT; q++)
		fprintf(f, "%8s%02d", "p", whatif_solve_pct[q]);
	fprintf(f, "\n ");
	for (q = 0; q < SOLVE_N_PCT; q++)
		text_root(f, v, v->pct[q], 11);
	fprintf(f, "\n  90%% interval: [");
	text_root(f, v, v->lo90, 0);
	fprintf(f, ", ");
	text_root(f, v, v->hi90, 0);
	fprintf(f, "]\n");
	if (v->below + v->above > 0)
		fprintf(f, "  %zu replication%s with the root below %.10g, %zu above %.10g "
		        "(outside the interval searched)\n", v->below, v->below == 1 ? "" : "s", v->lo,
		        v->above, v->hi);
}

static void text_curve(FILE *f, const whatif_solve *v, const clv_scenario *base)
{
	size_t g, w = strlen(v->key) < 12 ? 12 : strlen(v->key);

	if (base != NULL)
		fprintf(f, "\nAcceptability: P(pays) = share of replications in which [2] beats [1] by "
		        "more than %.10g\n", v->target);
	else
		fprintf(f, "\nAcceptability: P(pays) = share of replications whose expected %s CLV "
		        "exceeds %.10g\n", figure_name(v), v->target);
	fprintf(f, "  %-*s %14s %14s %14s %9s\n", (int)w, v->key,
	        base != NULL ? "exact diff" : "exact", "replic. p05", "replic. p95", "P(pays)");
	for (g = 0; g < v->n_curve; g += TEXT_CURVE_EVERY)
		fprintf(f, "  %-*.10g %14.2f %14.2f %14.2f %9.3f\n", (int)w, v->x[g], v->exact[g],
		        v->p05[g], v->p95[g], v->p_pays[g]);
	fprintf(f, "  (every %dth of %zu values; all in solve.csv with --out DIR)\n",
	        TEXT_CURVE_EVERY, v->n_curve);
}

void report_solve_text(FILE *f, const whatif_solve *v, const clv_scenario *base,
                       const clv_scenario *s)
{
	text_question(f, v, base, s);
	if (!v->uncertain) {
		fprintf(f, "\nNothing is drawn per replication: every replication is the same world, "
		        "with the\nsame %s (no interval).\n",
		        base != NULL && v->target == 0.0 ? "break-even" : "solution");
		return;
	}
	text_roots(f, v, base);
	text_curve(f, v, base);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *pct_json(const whatif_solve *v)
{
	json_t *o = json_object();
	char name[8];
	size_t q;

	for (q = 0; q < SOLVE_N_PCT; q++) {
		snprintf(name, sizeof name, "p%02d", whatif_solve_pct[q]);
		json_object_set_new(o, name, report_json_number(v->pct[q]));
	}
	return o;
}

static json_t *solve_json(const whatif_solve *v)
{
	json_t *o = json_object(), *iv = json_array(), *curve = json_array();
	size_t g;

	json_object_set_new(o, "key", json_string(v->key));
	json_object_set_new(o, "value", report_json_number(v->value));
	json_object_set_new(o, "value_se", report_json_number(v->value_se));
	json_object_set_new(o, "target", report_json_number(v->target));
	json_object_set_new(o, "state", json_string(figure_name(v)));
	json_object_set_new(o, "form", json_string(v->versus ? "difference" : "target"));
	json_object_set_new(o, "rule", v->rule ? json_string(v->rule) : json_null());
	json_object_set_new(o, "method", json_string(expect_method_name(v->method)));
	json_object_set_new(o, "lo", report_json_number(v->lo));
	json_object_set_new(o, "hi", report_json_number(v->hi));
	json_object_set_new(o, "at_lo", report_json_number(v->f_lo));
	json_object_set_new(o, "at_hi", report_json_number(v->f_hi));
	json_object_set_new(o, "iterations", json_integer(v->iterations));
	json_object_set_new(o, "tolerance", report_json_number(SOLVE_RTOL));
	json_object_set_new(o, "uncertain", json_boolean(v->uncertain));
	json_array_append_new(iv, report_json_number(v->lo90));
	json_array_append_new(iv, report_json_number(v->hi90));
	json_object_set_new(o, "interval90", iv);
	json_object_set_new(o, "percentiles", pct_json(v));
	json_object_set_new(o, "below", json_integer((json_int_t)v->below));
	json_object_set_new(o, "above", json_integer((json_int_t)v->above));
	for (g = 0; g < v->n_curve; g++) {
		json_t *pt = json_array();
		json_array_append_new(pt, report_json_number(v->x[g]));
		json_array_append_new(pt, report_json_number(v->p_pays[g]));
		json_array_append_new(curve, pt);
	}
	json_object_set_new(o, "curve", curve);
	return o;
}

json_t *report_solve_json(const whatif_solve *v, const clv_scenario *base,
                          const clv_scenario *s)
{
	json_t *doc = json_object(), *b = json_null();

	json_object_set_new(doc, "scenario", json_string(s->name));
	json_object_set_new(doc, "file", json_string(s->path));
	if (base != NULL) {
		b = json_object();
		json_object_set_new(b, "scenario", json_string(base->name));
		json_object_set_new(b, "file", json_string(base->path));
	}
	json_object_set_new(doc, "base", b);
	json_object_set_new(doc, "seed", json_integer((json_int_t)v->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)v->replications));
	json_object_set_new(doc, "solve", solve_json(v));
	return doc;
}

typedef struct solve_report {
	const whatif_solve *v;
	const clv_scenario *base, *s;
} solve_report;

static void write_text(FILE *f, const void *data)
{
	const solve_report *r = data;

	report_solve_text(f, r->v, r->base, r->s);
}

clv_status report_solve_print(const whatif_solve *v, const clv_scenario *base,
                              const clv_scenario *s, bool json, clv_error *err)
{
	const solve_report r = {v, base, s};

	if (json)
		return report_json_print(report_solve_json(v, base, s), "solve", err);
	return report_text_print(write_text, &r, err);
}
