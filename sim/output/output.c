/*
 * output.c - stage output: the one "tables as an atomic group, then the
 * figures, then manifest.json, committed together (and --report beside
 * them)" sequence of every command (output_files), and the tables of a
 * run, as tidy CSV (RFC 4180) in --out DIR. Columns are the public
 * interface of the files (docs/plots.md shows them):
 *
 *   share.csv     period,state,mean,p05,p25,p50,p75,p95,exact,steady
 *   clv.csv       state,level,mean,se,sd,p05,p25,p50,p75,p95,exact
 *                 (level: customers = distribution across customers;
 *                  replications = of the per-replication average)
 *   clv_hist.csv  state,bin_lo,bin_hi,count,density,cdf
 *
 * (clv.csv has a row "offer_spend" beside the states when the scenario
 * has offers), then replications.csv, segments.csv (with tiers) and
 * customers.csv (with a customer base): output_run.h.
 */
#include "output/output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "output/csv.h"
#include "output/html_report.h"
#include "output/manifest.h"
#include "output/outfile.h"
#include "output/output_run.h"
#include "output/plot.h"
#include "output/report.h"
#include "scenario/scenario.h"

typedef output_run_data run_data;

void output_rebin(const stats_hist *h, int bins, double *lo, double *hi, uint64_t *counts)
{
	static const double p[2] = {0.005, 0.995};
	double q[2], a, b, width;
	int k;

	stats_hist_quantiles(h, p, 2, q);
	a = q[0];
	b = q[1];
	memset(counts, 0, (size_t)bins * sizeof *counts);
	if (!(b > a)) {
		a = h->min;
		b = h->max > h->min ? h->max : h->min + 1.0;
	}
	*lo = a;
	*hi = b;
	width = (b - a) / bins;
	for (k = h->first; k <= h->last; k++) {
		double l, u, mid;
		long j;
		if (h->tally[k] == 0)
			continue;
		stats_hist_bin_range(k, &l, &u);
		mid = k == STATS_HIST_SIDE ? 0.0 : 0.5 * (l + u);
		j = (long)floor((mid - a) / width);
		j = j < 0 ? 0 : (j >= bins ? bins - 1 : j);
		counts[j] += stats_hist_count(h, k);
	}
}

static clv_status write_share(FILE *f, const void *data, clv_error *err)
{
	const run_data *d = data;
	const clv_scenario *s = d->s;
	const mc_result *r = d->r;
	const exact_result *ex = d->ex;
	size_t i;
	long t;

	fputs("period,state,mean,p05,p25,p50,p75,p95,exact,steady\n", f);
	for (i = 0; i < s->n && !interrupt_requested(); i++) /* long tables: stop at once */
		for (t = 0; t <= r->periods; t++) {
			size_t c = (size_t)t * s->n + i;
			const double v[] = {r->share_mean[c], r->share_p05[c], r->share_p25[c],
			                    r->share_p50[c], r->share_p75[c], r->share_p95[c],
			                    t <= ex->periods ? ex->share[c] : (double)NAN, ex->steady[i]};
			fprintf(f, "%ld,", t);
			csv_field(f, s->states[i]);
			csv_numbers(f, v, sizeof v / sizeof v[0]);
			csv_end(f);
		}
	return CLV_OK;
}

static void summary_row(FILE *f, const char *state, const char *level, const stats_summary *sm,
                        double exact)
{
	const double v[] = {sm->mean, sm->se, sm->sd, sm->p05, sm->p25, sm->p50, sm->p75, sm->p95, exact};

	csv_field(f, state);
	csv_sep(f);
	csv_field(f, level);
	csv_numbers(f, v, sizeof v / sizeof v[0]);
	csv_end(f);
}

/* The offer spend's rows of clv.csv: across customers (mean, se, sd) and
   of the per-replication average. */
static void spend_rows(FILE *f, const run_data *d)
{
	const mc_result *r = d->r;
	double *v = malloc((size_t)r->replications * sizeof *v + 1);
	stats_summary avg = {0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN};

	if (v != NULL && r->rep_offer_spend != NULL) { /* none after --mode aggregate */
		memcpy(v, r->rep_offer_spend, (size_t)r->replications * sizeof *v);
		stats_summary_from_array(&avg, v, (size_t)r->replications);
	}
	free(v);
	summary_row(f, "offer_spend", "customers", &r->offer_spend, d->ex->offer_spend);
	summary_row(f, "offer_spend", "replications", &avg, d->ex->offer_spend);
}

static clv_status write_clv(FILE *f, const void *data, clv_error *err)
{
	const run_data *d = data;
	const clv_scenario *s = d->s;
	size_t i;

	fputs("state,level,mean,se,sd,p05,p25,p50,p75,p95,exact\n", f);
	for (i = 0; i <= s->n; i++) {
		const char *name = i < s->n ? s->states[i] : "total";
		if (i == s->n && scenario_has_offers(s))
			spend_rows(f, d);
		summary_row(f, name, "customers", &d->r->clv[i], d->ex->clv[i]);
		summary_row(f, name, "replications", &d->r->clv_avg[i], d->ex->clv[i]);
	}
	return CLV_OK;
}

static clv_status write_hist(FILE *f, const void *data, clv_error *err)
{
	const run_data *d = data;
	const clv_scenario *s = d->s;
	uint64_t counts[OUTPUT_HIST_BINS];
	size_t i;
	int k;

	fputs("state,bin_lo,bin_hi,count,density,cdf\n", f);
	for (i = 0; i <= s->n; i++) {
		const stats_hist *h = d->r->hist[i];
		double lo, hi, width, cum = 0.0, total = (double)h->n;
		output_rebin(h, OUTPUT_HIST_BINS, &lo, &hi, counts);
		width = (hi - lo) / OUTPUT_HIST_BINS;
		for (k = 0; k < OUTPUT_HIST_BINS; k++) {
			cum += (double)counts[k];
			csv_field(f, i < s->n ? s->states[i] : "total");
			csv_sep(f);
			csv_number(f, lo + k * width);
			csv_sep(f);
			csv_number(f, lo + (k + 1) * width);
			csv_sep(f);
			fprintf(f, "%llu", (unsigned long long)counts[k]);
			csv_sep(f);
			csv_number(f, total > 0 ? (double)counts[k] / (total * width) : 0.0);
			csv_sep(f);
			csv_number(f, total > 0 ? cum / total : 0.0);
			csv_end(f);
		}
	}
	return CLV_OK;
}

/* The text variables of every figure (kv: room for the swept keys'
   values in the file, 2 x KEY_VALUE bytes). */
#define KEY_VALUE 32
static void figure_vars(plot_var *vars, const output_figures *fig, char *kv)
{
	const clv_scenario *s = fig->s;
	const char *xlabel = fig->xlabel, *ylabel = fig->ylabel;

	vars[0] = (plot_var){"scenario", s->name, PLOT_TEXT};
	vars[1] = (plot_var){"period_unit", report_period_unit(s), PLOT_TEXT};
	vars[2] = (plot_var){"currency", s->currency ? s->currency : "", PLOT_TEXT};
	vars[3] = (plot_var){"xlabel", xlabel ? xlabel : "", PLOT_TEXT};
	vars[4] = (plot_var){"ylabel", ylabel ? ylabel : "", PLOT_TEXT};
	vars[5] = (plot_var){"share_label", report_share_label(s, false), PLOT_TEXT};
	plot_key_value(s, xlabel, kv, KEY_VALUE);
	plot_key_value(s, ylabel, kv + KEY_VALUE, KEY_VALUE);
	vars[6] = (plot_var){"key_value", kv, PLOT_TEXT};
	vars[7] = (plot_var){"key2_value", kv + KEY_VALUE, PLOT_TEXT};
	vars[8] = (plot_var){"method", fig->method ? fig->method : "monte_carlo", PLOT_TEXT};
}
#define N_FIGURE_VARS 9

/* The format of --plot; false (after a warning) when no figure is to be
   drawn. */
static bool figure_format(const output_settings *opt, plot_format *fmt)
{
	clv_error err = {0};

	*fmt = plot_default_format();
	if (opt->plot != NULL && plot_parse_format(opt->plot, fmt, &err) != CLV_OK) {
		diag_warn("%s; no figures drawn", err.msg);
		return false;
	}
	if (*fmt == PLOT_NONE && opt->plot == NULL)
		diag_warn("gnuplot not found: tables written, no figures (install gnuplot-nox: "
		          "apt-get install gnuplot-nox)");
	return *fmt != PLOT_NONE;
}

static clv_status interrupted(clv_error *err)
{
	return diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
}

/* manifest.json as the group's last member, the figures and tables
   before it finished so that their hashes are those committed; *doc
   gets the document (the report holds it too). */
static clv_status add_manifest(const output_settings *opt, outfile_group *g, json_t **doc,
                               clv_error *err)
{
	clv_status rc = outfile_group_finish(g, err);

	*doc = rc == CLV_OK ? manifest_build(&opt->manifest, g, opt->out_dir, err) : NULL;
	if (rc == CLV_OK && *doc == NULL)
		rc = err->status;
	if (rc == CLV_OK && opt->out_dir != NULL)
		rc = manifest_add(g, *doc, err);
	return rc;
}

/* The report's folder and file name: "a/b/r.html" -> "a/b", "r.html". */
static clv_status report_place(const char *path, char **dir, const char **name, clv_error *err)
{
	const char *slash = strrchr(path, '/');

	*name = slash != NULL ? slash + 1 : path;
	if (**name == '\0')
		return diag_set(err, CLV_ERR_USAGE, NULL, "--report %s: not a file name", path);
	*dir = slash == NULL ? strdup(".") : slash == path ? strdup("/")
	                                   : strndup(path, (size_t)(slash - path));
	return *dir != NULL ? CLV_OK : diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
}

/* The SVG figures of g's tables, for the report, into svg (never
   committed); a figure gnuplot cannot draw leaves a note. */
static clv_status report_figures(const output_settings *opt, const outfile_group *g,
                                 outfile_group *svg, const output_figures *fig,
                                 const char **note, clv_error *err)
{
	plot_var vars[N_FIGURE_VARS];
	char key_value[2 * KEY_VALUE];
	plot_format fmt = PLOT_SVG;
	clv_error warn = {0};
	clv_status rc;

	*note = NULL;
	if (fig == NULL)
		return CLV_OK;
	if (opt->plot != NULL && plot_parse_format(opt->plot, &fmt, &warn) == CLV_OK &&
	    fmt == PLOT_NONE) {
		*note = "--plot none";
		return CLV_OK;
	}
	if (plot_default_format() == PLOT_NONE) {
		*note = "gnuplot is not installed (apt-get install gnuplot-nox)";
		return CLV_OK;
	}
	figure_vars(vars, fig, key_value);
	rc = plot_group_from(svg, g, PLOT_SVG, vars, N_FIGURE_VARS, NULL, &warn, err);
	if (rc == CLV_OK && warn.status != CLV_OK) {
		diag_warn("%s (the report was written without that figure)", warn.msg);
		*note = "gnuplot failed on a figure";
	}
	return rc == CLV_OK ? outfile_group_finish(svg, err) : rc;
}

/* Write --report FILE.html from g (finished, manifest included) as the
   one member of *rep, finished but not committed: the caller commits it
   after g. */
static clv_status write_report(const output_settings *opt, const outfile_group *g,
                               const output_figures *fig, const json_t *doc,
                               outfile_group **rep, clv_error *err)
{
	html_report_input in = {g, NULL, NULL, doc, &opt->manifest, opt->summary,
	                        opt->summary_data};
	outfile_group *svg = outfile_group_create(outfile_group_dir(g), err);
	const char *name;
	char *dir = NULL;
	clv_status rc = svg != NULL ? report_place(opt->report, &dir, &name, err) : err->status;
	FILE *f = NULL;

	if (rc == CLV_OK)
		rc = report_figures(opt, g, svg, fig, &in.figures_note, err);
	in.figures = svg;
	if (rc == CLV_OK && (*rep = outfile_group_create(dir, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK && (f = outfile_group_add(*rep, name, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK)
		rc = html_report_write(f, &in, err);
	if (rc == CLV_OK)
		rc = outfile_group_finish(*rep, err); /* whole and durable before g commits */
	outfile_group_free(svg);
	free(dir);
	return rc;
}

clv_status output_commit(const output_settings *opt, outfile_group *g,
                         const output_figures *fig, clv_error *err)
{
	plot_var vars[N_FIGURE_VARS];
	char key_value[2 * KEY_VALUE];
	clv_error warn = {0};
	plot_format fmt;
	outfile_group *rep = NULL;
	json_t *doc = NULL;
	clv_status rc = interrupt_requested() ? interrupted(err) : CLV_OK;

	if (rc == CLV_OK)
		rc = outfile_group_finish(g, err); /* the tables whole, for gnuplot to read */
	if (rc == CLV_OK && fig != NULL && opt->out_dir != NULL && figure_format(opt, &fmt)) {
		figure_vars(vars, fig, key_value);
		rc = plot_group(g, fmt, vars, N_FIGURE_VARS, NULL, &warn, err);
	}
	if (rc == CLV_OK && interrupt_requested())
		rc = interrupted(err);
	if (rc == CLV_OK)
		rc = add_manifest(opt, g, &doc, err);
	if (rc == CLV_OK && opt->report != NULL)
		rc = write_report(opt, g, fig, doc, &rep, err);
	if (rc == CLV_OK && interrupt_requested())
		rc = interrupted(err);
	if (rc == CLV_OK && opt->out_dir != NULL) /* else the tables were for the report only */
		rc = outfile_group_commit(g, err);
	if (rc == CLV_OK && rep != NULL)
		rc = outfile_group_commit(rep, err);
	outfile_group_free(rep);
	json_decref(doc);
	if (rc == CLV_OK && warn.status != CLV_OK)
		diag_warn("%s (the CSV tables were written; the simulation succeeded)", warn.msg);
	return rc;
}

/* Open every table as a member of g, in order; the first failure. */
static clv_status add_all(outfile_group *g, const output_table *tables, size_t n, FILE **f,
                          clv_error *err)
{
	size_t k;

	for (k = 0; k < n; k++)
		if ((f[k] = outfile_group_add(g, tables[k].name, err)) == NULL)
			return err->status;
	return CLV_OK;
}

static clv_status write_all(const output_table *tables, size_t n, FILE **f, const void *data,
                            clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t k;

	for (k = 0; k < n && rc == CLV_OK; k++)
		rc = tables[k].write(f[k], data, err);
	if (rc == CLV_OK && interrupt_requested())
		rc = interrupted(err);
	return rc;
}

clv_status output_files(const output_settings *set, const output_table *tables, size_t n,
                        const void *data, const output_figures *fig, clv_error *err)
{
	outfile_group *g = NULL;
	char *report_dir = NULL;
	const char *report_name;
	clv_status rc = CLV_OK;
	FILE **f;

	if (set->out_dir == NULL && set->report == NULL)
		return CLV_OK; /* no files asked for */
	if ((f = calloc(n + 1, sizeof *f)) == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (set->out_dir != NULL)
		rc = outfile_make_dir(set->out_dir, err);
	else if (set->report != NULL) /* the tables only for the report: temps beside it */
		rc = report_place(set->report, &report_dir, &report_name, err);
	if (rc == CLV_OK && (g = outfile_group_create(set->out_dir != NULL ? set->out_dir
	                                                                    : report_dir, err)) == NULL)
		rc = err->status;
	free(report_dir);
	if (rc == CLV_OK)
		rc = add_all(g, tables, n, f, err);
	if (rc == CLV_OK)
		rc = write_all(tables, n, f, data, err);
	if (rc == CLV_OK) /* the figures join the group: all or nothing, under the lock */
		rc = output_commit(set, g, fig, err);
	outfile_group_free(g);
	free(f);
	return rc;
}

clv_status output_run(const output_settings *set, const clv_scenario *s, const mc_result *r,
                      const exact_result *ex, const breakdown *b, clv_error *err)
{
	output_table tables[6] = {
		{"share.csv", write_share},
		{"clv.csv", write_clv},
		{"clv_hist.csv", write_hist},
		{"replications.csv", output_write_replications},
	};
	const run_data d = {s, r, ex, b};
	const output_figures fig = {s, NULL, NULL, NULL};
	size_t n = 0, k;

	for (k = 0; k < 4; k++) /* the aggregate engine follows no single customer */
		if (!(r->engine == MC_MODE_AGGREGATE && strcmp(tables[k].name, "clv_hist.csv") == 0))
			tables[n++] = tables[k];
	if (b != NULL && b->n_segments > 0 && r->n_segments == b->n_segments)
		tables[n++] = (output_table){"segments.csv", output_write_segments};
	if (ex->has_base)
		tables[n++] = (output_table){"customers.csv", output_write_customers};
	return output_files(set, tables, n, &d, &fig, err);
}
