/*
 * cmd_tornado.c - `clvsim tornado FILE [--state NAME]`: which uncertain
 * assumption moves CLV most. Each assumption at its 10th and 90th
 * percentiles with the others at their means (sorted bars), the spider
 * (CLV at its 10th..90th percentiles), and elasticities for retention,
 * discount rate, margin and horizon. Method: whatif.h, docs/whatif.md.
 *
 * Files in --out DIR (one atomic group), then the tornado and spider
 * figures (total CLV):
 *   tornado.csv         assumption,low_input,high_input,clv_low,clv_high,swing,base
 *                       (swing = |clv_high - clv_low|, rows by swing, descending)
 *   spider.csv          assumption,percentile,input,clv  (percentile 10..90)
 *   elasticity.csv      input,base,state,elasticity      (every state, then total)
 *   tornado_state.csv   as tornado.csv, for the --state's CLV (with --state only)
 * Without uncertain assumptions only elasticity.csv is written, and no figure.
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

/* The chosen state: --state's index, or t->n (the total). */
typedef struct view {
	whatif_tornado *t;
	const clv_scenario *s;
	size_t state;           /* t->n when no --state */
	size_t *order;          /* inputs by |swing| of the chosen state */
} view;

static const char *state_name(const whatif_tornado *t, size_t k)
{
	return k < t->n ? t->states[k] : "total";
}

static double clv_at(const whatif_input *in, size_t n, int q, size_t k)
{
	return in->clv[(size_t)q * (n + 1) + k];
}

/* ---- text ---------------------------------------------------------------- */

static void text_head(FILE *f, const view *v)
{
	const whatif_tornado *t = v->t;

	fprintf(f, "Tornado of \"%s\" (%s)\n", v->s->name, v->s->path);
	if (t->monte_carlo)
		fprintf(f, "Engine: Monte Carlo on common random numbers (seed %llu, %llu replications "
		        "x %llu customers); per-replication assumptions at their means, per-customer "
		        "ones varying between customers\n", (unsigned long long)t->seed,
		        (unsigned long long)t->replications, (unsigned long long)t->customers);
	else
		fprintf(f, "Engine: exact (no assumption varies per customer)\n");
	fprintf(f, "Base: total CLV %.2f with every assumption at its mean", t->base[t->n]);
	if (v->state < t->n)
		fprintf(f, "; %s %.2f", t->states[v->state], t->base[v->state]);
	fprintf(f, "\n");
}

/* The bars for state k (t->n: total), in `order`. */
static void text_bars(FILE *f, const whatif_tornado *t, size_t k, const size_t *order)
{
	size_t r;

	fprintf(f, "\nSwing in %s%s: each assumption at its 10th and 90th percentiles, the "
	        "others at their means\n", k < t->n ? "the CLV of " : "total CLV",
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

static void text_elasticities(FILE *f, const view *v)
{
	const whatif_tornado *t = v->t;
	size_t k;

	fprintf(f, "\nElasticities (exact engine): %% change in CLV per 1%% change in the input, "
	        "by central differences of +-1%% (horizon: +-1 period; one-sided where a step "
	        "would leave the valid region)\n");
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
		fprintf(f, "%12.4f", e->e[t->n]);
		if (v->state < t->n)
			fprintf(f, " %12.4f", e->e[v->state]);
		fprintf(f, "\n");
	}
}

static int print_text(const view *v, const size_t *total_order)
{
	cli_text t;
	FILE *f = cli_text_open(&t);

	if (f == NULL)
		return CLV_EXIT_RUNTIME;
	text_head(f, v);
	text_bars(f, v->t, v->t->n, total_order);
	if (v->state < v->t->n)
		text_bars(f, v->t, v->state, v->order);
	text_spider(f, v->t);
	text_elasticities(f, v);
	return cli_text_print(&t);
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
		json_object_set_new(clv, state_name(t, k), numbers(in->clv + k, WHATIF_SPIDER, t->n + 1));
		json_object_set_new(swing, state_name(t, k), report_json_number(whatif_swing(t, i, k)));
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

static json_t *elasticity_json(const whatif_tornado *t, const whatif_elasticity *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "input", json_string(e->input));
	json_object_set_new(o, "base", report_json_number(e->base));
	json_object_set_new(o, "elasticity", report_json_by_name(t->states, t->n, e->e, true));
	json_object_set_new(o, "skipped", e->skipped ? json_string(e->skipped) : json_null());
	return o;
}

static int print_json(const view *v)
{
	clv_error err = {0};
	const whatif_tornado *t = v->t;
	json_t *doc = json_object(), *inputs = json_array(), *el = json_array();
	size_t k;

	json_object_set_new(doc, "scenario", json_string(v->s->name));
	json_object_set_new(doc, "file", json_string(v->s->path));
	json_object_set_new(doc, "engine", json_string(t->monte_carlo ? "monte_carlo" : "exact"));
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
		json_array_append_new(el, elasticity_json(t, &t->elast[k]));
	json_object_set_new(doc, "elasticities", el);
	return cli_exit(report_json_print(doc, &err), &err);
}

/* ---- CSV ----------------------------------------------------------------- */

static void write_bars(FILE *f, const whatif_tornado *t, size_t k, const size_t *order)
{
	size_t r;

	fputs("assumption,low_input,high_input,clv_low,clv_high,swing,base\n", f);
	for (r = 0; r < t->n_inputs; r++) {
		const whatif_input *in = &t->input[order[r]];
		const double x[] = {in->value[0], in->value[WHATIF_SPIDER - 1], clv_at(in, t->n, 0, k),
		                    clv_at(in, t->n, WHATIF_SPIDER - 1, k),
		                    fabs(whatif_swing(t, order[r], k)), t->base[k]};
		csv_field(f, in->label);
		csv_numbers(f, x, sizeof x / sizeof x[0]);
		csv_end(f);
	}
}

static void write_spider(FILE *f, const whatif_tornado *t)
{
	size_t k;
	int q;

	fputs("assumption,percentile,input,clv\n", f);
	for (k = 0; k < t->n_inputs; k++)
		for (q = 0; q < WHATIF_SPIDER; q++) {
			csv_field(f, t->input[k].label);
			fprintf(f, ",%d", (q + 1) * 10);
			csv_sep(f);
			csv_number(f, t->input[k].value[q]);
			csv_sep(f);
			csv_number(f, clv_at(&t->input[k], t->n, q, t->n));
			csv_end(f);
		}
}

static void write_elasticities(FILE *f, const whatif_tornado *t)
{
	size_t k, i;

	fputs("input,base,state,elasticity\n", f);
	for (k = 0; k < t->n_elast; k++)
		for (i = 0; i <= t->n; i++) {
			csv_field(f, t->elast[k].input);
			csv_sep(f);
			csv_number(f, t->elast[k].base);
			csv_sep(f);
			csv_field(f, state_name(t, i));
			csv_sep(f);
			csv_number(f, t->elast[k].e[i]);
			csv_end(f);
		}
}

static int write_tables(const output_settings *opt, const view *v, const size_t *total_order,
                        clv_error *err)
{
	outfile_group *g;
	FILE *bars = NULL, *spider = NULL, *el, *st = NULL;
	bool state = v->state < v->t->n, bars_too = v->t->n_inputs > 0;

	if (outfile_make_dir(opt->out_dir, err) != CLV_OK)
		return cli_fail(err);
	if ((g = outfile_group_create(opt->out_dir, err)) == NULL)
		return cli_fail(err);
	el = outfile_group_add(g, "elasticity.csv", err);
	if (el != NULL && bars_too) {
		bars = outfile_group_add(g, "tornado.csv", err);
		spider = bars ? outfile_group_add(g, "spider.csv", err) : NULL;
		st = spider && state ? outfile_group_add(g, "tornado_state.csv", err) : NULL;
	}
	if (el != NULL && (!bars_too || (spider != NULL && (!state || st != NULL)))) {
		write_elasticities(el, v->t);
		if (bars_too) {
			write_bars(bars, v->t, v->t->n, total_order);
			write_spider(spider, v->t);
		}
		if (bars_too && state)
			write_bars(st, v->t, v->state, v->order);
		output_commit(opt, g, v->s, NULL, NULL, err);
	}
	outfile_group_free(g);
	if (err->status != CLV_OK)
		return cli_fail(err);
	return 0;
}

/* ---- the command ---------------------------------------------------------- */

/* --state NAME as an index (s->n without --state); -1 with err set. */
static long chosen_state(const cli_options *opt, const clv_scenario *s, clv_error *err)
{
	size_t i = opt->state ? scenario_state_index(s, opt->state) : s->n;
	const char *near;

	if (i != (size_t)-1)
		return (long)i;
	near = diag_did_you_mean(opt->state, (const char *const *)s->states, s->n);
	diag_set(err, CLV_ERR_USAGE, NULL, "--state %s: no such state in \"%s\"%s%s%s", opt->state,
	         s->name, near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
	return -1;
}

static int report(const cli_options *opt, const output_settings *out, view *v, clv_error *err)
{
	size_t *total_order = malloc((v->t->n_inputs + 1) * sizeof *total_order);
	int rc = 0;

	v->order = malloc((v->t->n_inputs + 1) * sizeof *v->order);
	if (total_order == NULL || v->order == NULL) {
		free(total_order);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return cli_fail(err);
	}
	whatif_tornado_order(v->t, v->t->n, total_order);
	whatif_tornado_order(v->t, v->state, v->order);
	if (opt->out_dir != NULL)
		rc = write_tables(out, v, total_order, err);
	if (rc == 0)
		rc = opt->format == FORMAT_JSON ? print_json(v) : print_text(v, total_order);
	free(total_order);
	return rc;
}

static int run_tornado(const cli_options *opt)
{
	clv_error err = {0};
	whatif_settings set;
	output_settings out;
	clv_scenario *s = scenario_load(opt->argv[0], &err);
	view v = {NULL, s, 0, NULL};
	long state;
	int rc;

	if (s == NULL)
		return cli_fail(&err);
	state = chosen_state(opt, s, &err);
	if (state < 0) {
		scenario_free(s);
		return cli_fail(&err);
	}
	v.state = (size_t)state;
	if (cli_settings(opt, &set, &out) != 0) {
		scenario_free(s);
		return CLV_EXIT_INPUT;
	}
	set.progress = false;
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	v.t = whatif_tornado_run(opt->argv[0], &set, &err);
	rc = v.t == NULL ? cli_fail(&err) : report(opt, &out, &v, &err);
	free(v.order);
	whatif_tornado_free(v.t);
	scenario_free(s);
	return rc;
}

const cli_command cmd_tornado = {
	"tornado", "FILE",
	"Which uncertain assumption moves CLV most: tornado bars, spider lines, elasticities.",
	"For each uncertain assumption (a Dirichlet row counts by its retention), CLV with that\n"
	"assumption at its 10th and 90th percentiles and every other one at its mean: the\n"
	"swing, sorted widest first; the spider gives CLV at the 10th, 20th, ..., 90th\n"
	"percentiles. Uses the exact engine, or Monte Carlo on common random numbers when an\n"
	"assumption varies per customer. Elasticities (% change in CLV per 1% change) of\n"
	"retention, discount rate, margin and horizon come from the exact engine by central\n"
	"differences of +-1% (horizon: +-1 period). --state NAME adds that state's ranking.\n"
	"--out DIR writes tornado.csv, spider.csv, elasticity.csv (and tornado_state.csv)\n"
	"and the figures. See docs/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SIZE | OPT_STATE,
	1, 1, run_tornado,
};
