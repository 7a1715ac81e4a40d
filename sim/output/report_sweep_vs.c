/*
 * report_sweep_vs.c - stage output: a sweep against a base as text and
 * as JSON additions (report_sweep_vs.h). Method: whatif/sweep_vs.c,
 * docs/whatif.md.
 */
#include "output/report_sweep_vs.h"

#include <math.h>
#include <string.h>

#include "output/report.h"
#include "output/report_sweep_method.h"

/* ---- text ---------------------------------------------------------------- */

static int key_width(const whatif_sweep *w, size_t a)
{
	size_t len = strlen(w->axis[a].key);

	return len < 10 ? 10 : len > 32 ? 32 : (int)len;
}

static void text_head(FILE *f, const whatif_sweep *w, const clv_scenario *s)
{
	size_t a;

	fprintf(f, "Sweep of \"%s\" (%s)\nagainst \"%s\" (%s): %zu grid points\n", s->name, s->path,
	        w->base_name, w->base_path, w->n_points);
	for (a = 0; a < w->n_axes; a++) {
		const whatif_axis *ax = &w->axis[a];
		fprintf(f, "  %s from %.10g to %.10g step %.10g (%zu values)\n", ax->key, ax->from,
		        ax->to, ax->step, ax->count);
		if (w->rule[a] != NULL)
			fprintf(f, "  rule: %s\n", w->rule[a]);
	}
	report_sweep_method_text(f, w);
}

static void text_table(FILE *f, const whatif_sweep *w)
{
	size_t a, p, n = w->n;

	for (a = 0; a < w->n_axes; a++)
		fprintf(f, "%-*.*s ", key_width(w, a), key_width(w, a), w->axis[a].key);
	fprintf(f, "%12s %12s %12s %9s   %s\n", "total exact", "diff exact", "diff MC", "SE",
	        "90% interval");
	for (p = 0; p < w->n_points; p++) {
		size_t cell = p * (n + 1) + n;
		for (a = 0; a < w->n_axes; a++)
			fprintf(f, "%-*.10g ", key_width(w, a), w->x[p * w->n_axes + a]);
		fprintf(f, "%12.2f %12.2f %12.2f %9.2f   [%.2f, %.2f]\n", w->exact[cell],
		        w->diff_exact[cell], w->diff_mean[cell], w->diff_se[cell], w->diff_lo90[cell],
		        w->diff_hi90[cell]);
	}
	fprintf(f, "\n(total exact: the changed scenario's expected total CLV; diff: it minus the "
	        "base's,\nexact (expectations) and Monte Carlo (paired replications) with its SE "
	        "and 90%% interval)\n");
}

/* One key: the crossings; two keys: where the contour crosses each line
   of the first key's grid values. */
static void text_breakeven(FILE *f, const whatif_sweep *w)
{
	size_t k, i, j, n = w->n, c1;

	if (w->n_axes == 1) {
		if (w->n_breakeven == 0) {
			fprintf(f, "\nNo break-even in the grid: the total difference keeps one sign.\n");
			return;
		}
		fprintf(f, "\nBreak-even (total difference 0), by linear interpolation between grid "
		        "points:\n");
		for (k = 0; k < w->n_breakeven; k++)
			fprintf(f, "  %s = %.6g\n", w->axis[0].key, w->breakeven[k]);
		fprintf(f, "  (clvsim solve BASE CHANGED --find %s=LO:HI finds it exactly)\n",
		        w->axis[0].key);
		return;
	}
	fprintf(f, "\nBreak-even contour (total difference 0): %zu segment%s%s\n", w->n_breakeven,
	        w->n_breakeven == 1 ? "" : "s",
	        w->n_breakeven ? "\n(with --out DIR: sweep2_breakeven.csv, drawn on sweep_diff_heat.png);"
	                         " it crosses" : "");
	c1 = w->axis[1].count;
	for (i = 0; i < w->axis[0].count && w->n_breakeven > 0; i++) {
		bool any = false;
		fprintf(f, "  %s = %.6g: %s =", w->axis[0].key, w->x[2 * i * c1], w->axis[1].key);
		for (j = 0; j + 1 < c1; j++) {
			double f0 = w->diff_exact[(i * c1 + j) * (n + 1) + n];
			double f1 = w->diff_exact[(i * c1 + j + 1) * (n + 1) + n];
			double y0 = w->x[2 * (i * c1 + j) + 1], y1 = w->x[2 * (i * c1 + j + 1) + 1];
			if ((f0 > 0.0) != (f1 > 0.0)) {
				fprintf(f, " %.6g", y0 + f0 / (f0 - f1) * (y1 - y0));
				any = true;
			}
		}
		fprintf(f, "%s\n", any ? "" : " (none in the grid)");
	}
}

void report_sweep_vs_text(FILE *f, const whatif_sweep *w, const clv_scenario *s)
{
	text_head(f, w, s);
	text_table(f, w);
	text_breakeven(f, w);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *by_state(const whatif_sweep *w, const double *v)
{
	return report_json_by_name(w->states, w->n, v, true);
}

static json_t *diff_json(const whatif_sweep *w, size_t p)
{
	size_t cell = p * (w->n + 1);
	json_t *o = json_object(), *mc = json_object();

	json_object_set_new(o, "exact", by_state(w, w->diff_exact + cell));
	json_object_set_new(mc, "mean", by_state(w, w->diff_mean + cell));
	json_object_set_new(mc, "se", by_state(w, w->diff_se + cell));
	json_object_set_new(mc, "lo90", by_state(w, w->diff_lo90 + cell));
	json_object_set_new(mc, "hi90", by_state(w, w->diff_hi90 + cell));
	json_object_set_new(o, "mc", mc);
	return o;
}

void report_sweep_vs_json(json_t *doc, const whatif_sweep *w)
{
	json_t *base = json_object(), *points = json_object_get(doc, "points");
	json_t *be = json_array();
	size_t p, k, q;

	json_object_set_new(base, "scenario", json_string(w->base_name));
	json_object_set_new(base, "file", json_string(w->base_path));
	json_object_set_new(doc, "base", base);
	for (p = 0; p < w->n_points; p++)
		json_object_set_new(json_array_get(points, p), "diff", diff_json(w, p));
	for (k = 0; k < w->n_breakeven; k++) {
		if (w->n_axes == 1) {
			json_array_append_new(be, report_json_number(w->breakeven[k]));
			continue;
		}
		json_t *seg = json_array();
		for (q = 0; q < 4; q++)
			json_array_append_new(seg, report_json_number(w->breakeven[4 * k + q]));
		json_array_append_new(be, seg);
	}
	json_object_set_new(doc, "breakeven", be);
}
