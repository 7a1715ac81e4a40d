/*
 * cmd_sweep.c - `clvsim sweep FILE --vary KEY=FROM:TO:STEP [--vary ...]`:
 * CLV over a one- or two-dimensional grid of any numeric key, exact and
 * Monte Carlo (one seed for every point: common random numbers across the
 * grid). Method: whatif.h; keys: docs/scenarios.md, "Labels".
 *
 * Files in --out DIR (one atomic group), then the line or heat-map figure:
 *   one key:  sweep.csv          x,state,mean,se,exact
 *             (grouped by state, then "total"; x ascending)
 *   two keys: sweep2.csv         x,y,mean,se,exact       (total CLV)
 *             sweep2_states.csv  x,y,state,mean,se,exact (every state)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/interrupt.h"
#include "cli/cli.h"
#include "engine/mc.h"
#include "output/csv.h"
#include "output/outfile.h"
#include "output/output.h"
#include "output/report.h"
#include "scenario/scenario.h"
#include "whatif/whatif.h"

static const char *state_name(const whatif_sweep *w, size_t i)
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
	fprintf(f, "Monte Carlo at every point: seed %llu, %llu replications x %llu customers "
	        "(common random numbers across the grid)\n\n", (unsigned long long)w->seed,
	        (unsigned long long)w->replications, (unsigned long long)w->customers);
}

static int key_width(const whatif_sweep *w, size_t a)
{
	size_t len = strlen(w->axis[a].key);

	return len < 10 ? 10 : len > 32 ? 32 : (int)len;
}

static void text_table(FILE *f, const whatif_sweep *w)
{
	size_t a, i, p;

	for (a = 0; a < w->n_axes; a++)
		fprintf(f, "%-*.*s ", key_width(w, a), key_width(w, a), w->axis[a].key);
	for (i = 0; i < w->n; i++)
		fprintf(f, "%12.12s ", w->states[i]);
	fprintf(f, "%12s %12s %9s\n", "total exact", "total MC", "SE");
	for (p = 0; p < w->n_points; p++) {
		const double *ex = w->exact + p * (w->n + 1);
		for (a = 0; a < w->n_axes; a++)
			fprintf(f, "%-*.10g ", key_width(w, a), w->x[p * w->n_axes + a]);
		for (i = 0; i < w->n; i++)
			fprintf(f, "%12.2f ", ex[i]);
		fprintf(f, "%12.2f %12.2f %9.2f\n", ex[w->n], w->mean[p * (w->n + 1) + w->n],
		        w->se[p * (w->n + 1) + w->n]);
	}
	fprintf(f, "\n(state columns: exact CLV; total: exact, and Monte Carlo mean with its SE)\n");
}

static int print_text(const whatif_sweep *w, const clv_scenario *s)
{
	cli_text t;
	FILE *f = cli_text_open(&t);

	if (f == NULL)
		return CLV_EXIT_RUNTIME;
	text_head(f, w, s);
	text_table(f, w);
	return cli_text_print(&t);
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

static int print_json(const whatif_sweep *w, const clv_scenario *s)
{
	clv_error err = {0};
	json_t *doc = json_object(), *axes = json_array(), *points = json_array();
	json_t *states = json_array();
	size_t k;

	json_object_set_new(doc, "scenario", json_string(s->name));
	json_object_set_new(doc, "file", json_string(s->path));
	for (k = 0; k < w->n; k++)
		json_array_append_new(states, json_string(w->states[k]));
	json_object_set_new(doc, "states", states);
	json_object_set_new(doc, "seed", json_integer((json_int_t)w->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)w->replications));
	json_object_set_new(doc, "customers", json_integer((json_int_t)w->customers));
	for (k = 0; k < w->n_axes; k++)
		json_array_append_new(axes, axis_json(w, k));
	json_object_set_new(doc, "axes", axes);
	for (k = 0; k < w->n_points; k++)
		json_array_append_new(points, point_json(w, k));
	json_object_set_new(doc, "points", points);
	return cli_exit(report_json_print(doc, &err), &err);
}

/* ---- CSV ----------------------------------------------------------------- */

/* ",mean,se,exact" of state i at point p. */
static void values(FILE *f, const whatif_sweep *w, size_t p, size_t i)
{
	size_t cell = p * (w->n + 1) + i;
	const double v[] = {w->mean[cell], w->se[cell], w->exact[cell]};

	csv_numbers(f, v, sizeof v / sizeof v[0]);
	csv_end(f);
}

static void write_line(FILE *f, const whatif_sweep *w)
{
	size_t i, p;

	fputs("x,state,mean,se,exact\n", f);
	for (i = 0; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++) {
			csv_number(f, w->x[p]);
			csv_sep(f);
			csv_field(f, state_name(w, i));
			values(f, w, p, i);
		}
}

static void write_grid(FILE *f, const whatif_sweep *w, bool states)
{
	size_t i, p;

	fputs(states ? "x,y,state,mean,se,exact\n" : "x,y,mean,se,exact\n", f);
	for (i = states ? 0 : w->n; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++) {
			csv_number(f, w->x[2 * p]);
			csv_sep(f);
			csv_number(f, w->x[2 * p + 1]);
			if (states) {
				csv_sep(f);
				csv_field(f, state_name(w, i));
			}
			values(f, w, p, i);
		}
}

static int write_tables(const output_settings *opt, const whatif_sweep *w, const clv_scenario *s,
                        clv_error *err)
{
	outfile_group *g;
	FILE *a, *b = NULL;

	if (outfile_make_dir(opt->out_dir, err) != CLV_OK)
		return cli_fail(err);
	if ((g = outfile_group_create(opt->out_dir, err)) == NULL)
		return cli_fail(err);
	a = outfile_group_add(g, w->n_axes == 1 ? "sweep.csv" : "sweep2.csv", err);
	if (a != NULL && w->n_axes == 2)
		b = outfile_group_add(g, "sweep2_states.csv", err);
	if (a != NULL && (w->n_axes == 1 || b != NULL)) {
		if (w->n_axes == 1)
			write_line(a, w);
		else {
			write_grid(a, w, false);
			write_grid(b, w, true);
		}
		output_commit(opt, g, s, w->axis[0].key, w->n_axes == 2 ? w->axis[1].key : NULL, err);
	}
	outfile_group_free(g);
	if (err->status != CLV_OK)
		return cli_fail(err);
	return 0;
}

/* ---- the command ---------------------------------------------------------- */

static int parse_axes(const cli_options *opt, whatif_axis *axes, clv_error *err)
{
	int k;

	if (opt->n_vary == 0) {
		diag_set(err, CLV_ERR_USAGE, NULL, "sweep needs --vary KEY=FROM:TO:STEP (once or "
		         "twice), e.g. --vary discount_rate=0.02:0.2:0.02");
		return -1;
	}
	for (k = 0; k < opt->n_vary; k++)
		if (whatif_axis_parse(opt->vary[k], &axes[k], err) != CLV_OK)
			return -1;
	return 0;
}

static int run_sweep(const cli_options *opt)
{
	clv_error err = {0};
	whatif_axis axes[2];
	whatif_settings set;
	output_settings out;
	whatif_sweep *w = NULL;
	clv_scenario *s = NULL;
	int rc = 0;

	memset(axes, 0, sizeof axes);
	if (cli_settings(opt, &set, &out) != 0)
		return CLV_EXIT_INPUT;
	set.progress = false;
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	if (parse_axes(opt, axes, &err) != 0 || (s = scenario_load(opt->argv[0], &err)) == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	w = whatif_sweep_run(opt->argv[0], axes, (size_t)opt->n_vary, &set, true, &err);
	if (w == NULL) {
		rc = cli_fail(&err);
		goto cleanup;
	}
	if (opt->out_dir != NULL)
		rc = write_tables(&out, w, s, &err);
	if (rc == 0)
		rc = opt->format == FORMAT_JSON ? print_json(w, s) : print_text(w, s);
cleanup:
	whatif_sweep_free(w);
	scenario_free(s);
	whatif_axis_clear(&axes[0]);
	whatif_axis_clear(&axes[1]);
	return rc;
}

const cli_command cmd_sweep = {
	"sweep", "FILE --vary KEY=FROM:TO:STEP [--vary KEY2=FROM:TO:STEP]",
	"CLV over a grid of one or two numeric keys: exact and Monte Carlo at every point.",
	"KEY is any assumption label (discount_rate, margin.A, retention.A, switching.A.B,\n"
	"campaign.cost, ...; docs/scenarios.md, \"Labels\") or horizon, customers, replications.\n"
	"Setting a matrix entry switching.I.J rescales the other entries of row I\n"
	"proportionally so the row still sums to 1 (the rule is printed). Grid: FROM <= TO,\n"
	"STEP > 0, at most 10000 points in all. Every point uses the same seed (common random\n"
	"numbers across the grid). --out DIR writes sweep.csv (one key) or sweep2.csv and\n"
	"sweep2_states.csv (two keys) and a line or heat-map figure. See docs/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SIZE | OPT_VARY,
	1, 1, run_sweep,
};
