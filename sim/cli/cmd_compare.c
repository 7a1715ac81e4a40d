/*
 * cmd_compare.c - `clvsim compare A.yaml B.yaml [C.yaml ...]`: every
 * scenario on common random numbers, and each one's difference from the
 * first (per state and total) with its standard error and 90% interval,
 * the probability that it beats the first, and, for a scenario with
 * offers, its return on spend. Method and definitions: whatif.h,
 * docs/whatif.md.
 *
 * Files in --out DIR (one atomic group), then the compare figure:
 *   compare.csv       scenario,file,state,exact,mean,se,diff_exact,diff_mean,
 *                     diff_se,diff_lo90,diff_hi90,p_beats_first,offer_spend,
 *                     return_on_spend,ros_lo90,ros_hi90
 *                     (one row per scenario and state of the FIRST scenario,
 *                     then "total"; a missing state or measure is empty)
 *   compare_hist.csv  scenario,state,bin_lo,bin_hi,count,density,cdf
 *                     (CLV per customer, each scenario and state)
 *   compare_diff.csv  scenario,state,bin_lo,bin_hi,count,density,cdf
 *                     (scenario - first: the per-replication differences
 *                     of average CLV, every scenario but the first)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_histogram.h>
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

#define HIST_BINS 60

/* A unique name per scenario for tables and figures: its name, or its
   file when an earlier scenario has the same name. */
static const char *label_of(const whatif_compare *c, size_t k)
{
	size_t j;

	for (j = 0; j < k; j++)
		if (strcmp(c->arm[j].s->name, c->arm[k].s->name) == 0)
			return c->arm[k].s->path;
	return c->arm[k].s->name;
}

static const char *state_name(const whatif_compare *c, size_t i)
{
	return i < c->n ? c->arm[0].s->states[i] : "total";
}

/* Index in arm k of the first scenario's state i (n: total), or -1. */
static long state_in(const whatif_compare *c, size_t k, size_t i)
{
	size_t j;

	if (i == c->n)
		return (long)c->arm[k].s->n;
	j = scenario_state_index(c->arm[k].s, c->arm[0].s->states[i]);
	return j == (size_t)-1 ? -1 : (long)j;
}

/* ---- text ---------------------------------------------------------------- */

static int name_width(const whatif_compare *c)
{
	size_t i, w = 5;

	for (i = 0; i < c->n; i++)
		if (strlen(c->arm[0].s->states[i]) > w)
			w = strlen(c->arm[0].s->states[i]);
	return w > 24 ? 24 : (int)w;
}

static void text_head(FILE *f, const whatif_compare *c)
{
	size_t k;

	fprintf(f, "Comparing %zu scenarios on %s\n", c->n_arms,
	        c->independent ? "independent streams (--independent)" : "common random numbers");
	fprintf(f, "seed %llu, %llu replications x %llu customers, the same for every scenario\n\n",
	        (unsigned long long)c->seed, (unsigned long long)c->replications,
	        (unsigned long long)c->customers);
	fprintf(f, "%3s  %-40s %14s %14s %10s\n", "#", "scenario", "exact total", "MC total", "SE");
	for (k = 0; k < c->n_arms; k++) {
		const whatif_arm *a = &c->arm[k];
		fprintf(f, "%3zu  %-40.40s %14.2f %14.2f %10.2f\n", k + 1, a->s->name,
		        a->exact[a->s->n], a->mean[a->s->n], a->se[a->s->n]);
		fprintf(f, "     %s\n", a->s->path);
	}
}

static void text_diffs(FILE *f, const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	int w = name_width(c);
	size_t i;

	fprintf(f, "\n[%zu] %s  minus  [1] %s\n", k + 1, a->s->name, c->arm[0].s->name);
	fprintf(f, "  %-*s %12s %12s %10s   %s\n", w, "state", "exact diff", "MC diff", "SE",
	        "90% interval");
	for (i = 0; i <= c->n; i++) {
		const whatif_diff *d = &a->diff[i];
		if (isnan(d->exact)) {
			fprintf(f, "  %-*.*s %12s\n", w, w, state_name(c, i), "(no such state)");
			continue;
		}
		fprintf(f, "  %-*.*s %12.2f %12.2f %10.2f   [%.2f, %.2f]\n", w, w, state_name(c, i),
		        d->exact, d->mean, d->se, d->lo90, d->hi90);
	}
	fprintf(f, "  P(beats [1]) = %.3f  (share of replications whose average total CLV is higher)\n",
	        a->p_beats);
	if (a->spend > 0.0)
		fprintf(f, "  offer spend %.2f per customer (exact, discounted); return on spend %.3f "
		        "(90%%: %.3f to %.3f)\n", a->spend, a->ros, a->ros_lo90, a->ros_hi90);
	else if (a->s->n_offers > 0)
		fprintf(f, "  offers cost nothing here: no return on spend\n");
}

static int print_text(const whatif_compare *c)
{
	cli_text t;
	FILE *f = cli_text_open(&t);
	size_t k;

	if (f == NULL)
		return CLV_EXIT_RUNTIME;
	text_head(f, c);
	for (k = 1; k < c->n_arms; k++)
		text_diffs(f, c, k);
	return cli_text_print(&t);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *diff_json(const whatif_diff *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "exact", report_json_number(d->exact));
	json_object_set_new(o, "mean", report_json_number(d->mean));
	json_object_set_new(o, "se", report_json_number(d->se));
	json_object_set_new(o, "lo90", report_json_number(d->lo90));
	json_object_set_new(o, "hi90", report_json_number(d->hi90));
	return o;
}

static json_t *arm_json(const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	json_t *o = json_object(), *mc = json_object(), *vs = json_object(), *ros = json_null();
	size_t i;

	json_object_set_new(o, "scenario", json_string(a->s->name));
	json_object_set_new(o, "file", json_string(a->s->path));
	json_object_set_new(o, "exact", report_json_by_name(a->s->states, a->s->n, a->exact, true));
	json_object_set_new(mc, "mean", report_json_by_name(a->s->states, a->s->n, a->mean, true));
	json_object_set_new(mc, "se", report_json_by_name(a->s->states, a->s->n, a->se, true));
	json_object_set_new(o, "mc", mc);
	for (i = 0; i <= c->n && k > 0; i++)
		json_object_set_new(vs, state_name(c, i), diff_json(&a->diff[i]));
	if (k == 0) {
		json_decref(vs);
		vs = json_null();
	}
	json_object_set_new(o, "vs_first", vs);
	json_object_set_new(o, "p_beats_first", report_json_number(a->p_beats));
	json_object_set_new(o, "offer_spend", report_json_number(a->spend));
	if (isfinite(a->ros)) {
		ros = json_object();
		json_object_set_new(ros, "mean", report_json_number(a->ros));
		json_object_set_new(ros, "lo90", report_json_number(a->ros_lo90));
		json_object_set_new(ros, "hi90", report_json_number(a->ros_hi90));
	}
	json_object_set_new(o, "return_on_spend", ros);
	return o;
}

static int print_json(const whatif_compare *c)
{
	clv_error err = {0};
	json_t *doc = json_object(), *arms = json_array(), *states = json_array();
	size_t k;

	for (k = 0; k < c->n; k++)
		json_array_append_new(states, json_string(c->arm[0].s->states[k]));
	json_object_set_new(doc, "common_random_numbers", json_boolean(!c->independent));
	json_object_set_new(doc, "seed", json_integer((json_int_t)c->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)c->replications));
	json_object_set_new(doc, "customers", json_integer((json_int_t)c->customers));
	json_object_set_new(doc, "states", states);
	for (k = 0; k < c->n_arms; k++)
		json_array_append_new(arms, arm_json(c, k));
	json_object_set_new(doc, "scenarios", arms);
	return cli_exit(report_json_print(doc, &err), &err);
}

/* ---- CSV ----------------------------------------------------------------- */

static void write_table(FILE *f, const whatif_compare *c)
{
	size_t k, i;

	fputs("scenario,file,state,exact,mean,se,diff_exact,diff_mean,diff_se,diff_lo90,diff_hi90,"
	      "p_beats_first,offer_spend,return_on_spend,ros_lo90,ros_hi90\n", f);
	for (k = 0; k < c->n_arms; k++)
		for (i = 0; i <= c->n; i++) {
			const whatif_arm *a = &c->arm[k];
			const whatif_diff *d = &a->diff[i];
			long j = state_in(c, k, i);
			double v[] = {j < 0 ? (double)NAN : a->exact[j], j < 0 ? (double)NAN : a->mean[j],
			              j < 0 ? (double)NAN : a->se[j], d->exact, d->mean, d->se, d->lo90, d->hi90,
			              a->p_beats, a->spend, a->ros, a->ros_lo90, a->ros_hi90};
			csv_field(f, label_of(c, k));
			csv_sep(f);
			csv_field(f, a->s->path);
			csv_sep(f);
			csv_field(f, state_name(c, i));
			csv_numbers(f, v, sizeof v / sizeof v[0]);
			csv_end(f);
		}
}

static void hist_row(FILE *f, const char *scenario, const char *state, double lo, double hi,
                     double count, double density, double cdf)
{
	const double v[] = {lo, hi};

	csv_field(f, scenario);
	csv_sep(f);
	csv_field(f, state);
	csv_numbers(f, v, 2);
	fprintf(f, ",%.0f", count);
	csv_sep(f);
	csv_number(f, density);
	csv_sep(f);
	csv_number(f, cdf);
	csv_end(f);
}

static void write_hist(FILE *f, const whatif_compare *c)
{
	uint64_t counts[HIST_BINS];
	size_t k, i;
	int b;

	fputs("scenario,state,bin_lo,bin_hi,count,density,cdf\n", f);
	for (k = 0; k < c->n_arms; k++)
		for (i = 0; i <= c->arm[k].s->n; i++) {
			const clv_scenario *s = c->arm[k].s;
			const stats_hist *h = c->arm[k].mc->hist[i];
			double lo, hi, width, cum = 0.0, total = (double)h->n;
			output_rebin(h, HIST_BINS, &lo, &hi, counts);
			width = (hi - lo) / HIST_BINS;
			for (b = 0; b < HIST_BINS; b++) {
				cum += (double)counts[b];
				hist_row(f, label_of(c, k), i < s->n ? s->states[i] : "total",
				         lo + b * width, lo + (b + 1) * width, (double)counts[b],
				         total > 0 ? (double)counts[b] / (total * width) : 0.0,
				         total > 0 ? cum / total : 0.0);
			}
		}
}

/* The per-replication differences of arm k, state i of the first, into d. */
static size_t diffs_of(const whatif_compare *c, size_t k, size_t i, double *d)
{
	const mc_result *a = c->arm[k].mc, *f = c->arm[0].mc;
	long j = state_in(c, k, i);
	size_t r, R = (size_t)c->replications;

	if (j < 0)
		return 0;
	for (r = 0; r < R; r++)
		d[r] = a->rep_clv[r * (a->n + 1) + (size_t)j] - f->rep_clv[r * (f->n + 1) + i];
	return R;
}

/* A histogram (GSL) of the R differences d; when they are all equal, one
   bin of width 1 centred on the value. */
static int diff_hist(FILE *f, const char *scenario, const char *state, const double *d,
                     size_t R)
{
	size_t bins = (size_t)ceil(sqrt((double)R)), b, r;
	double lo = d[0], hi = d[0], cum = 0.0;
	gsl_histogram *h;

	bins = bins < 5 ? 5 : bins > 40 ? 40 : bins;
	for (r = 1; r < R; r++) {
		lo = fmin(lo, d[r]);
		hi = fmax(hi, d[r]);
	}
	if (!(hi > lo)) {
		lo -= 0.5;
		hi += 0.5;
		bins = 1;
	}
	hi += 1e-9 * (hi - lo);
	if ((h = gsl_histogram_alloc(bins)) == NULL)
		return -1;
	gsl_histogram_set_ranges_uniform(h, lo, hi);
	for (r = 0; r < R; r++)
		gsl_histogram_increment(h, d[r]);
	for (b = 0; b < bins; b++) {
		double a, z, n = gsl_histogram_get(h, b);
		gsl_histogram_get_range(h, b, &a, &z);
		cum += n;
		hist_row(f, scenario, state, a, z, n, n / ((double)R * (z - a)), cum / (double)R);
	}
	gsl_histogram_free(h);
	return 0;
}

static int write_diff(FILE *f, const whatif_compare *c)
{
	double *d = malloc((size_t)c->replications * sizeof *d + 1);
	size_t k, i;
	int rc = d == NULL ? -1 : 0;

	fputs("scenario,state,bin_lo,bin_hi,count,density,cdf\n", f);
	for (k = 1; k < c->n_arms && rc == 0; k++)
		for (i = 0; i <= c->n && rc == 0; i++)
			if (diffs_of(c, k, i, d) > 0)
				rc = diff_hist(f, label_of(c, k), state_name(c, i), d, (size_t)c->replications);
	free(d);
	return rc;
}

/* The three tables as one atomic group; an exit code. */
static int write_tables(const output_settings *opt, const whatif_compare *c, clv_error *err)
{
	outfile_group *g;
	FILE *tab, *hist, *diff;

	if (outfile_make_dir(opt->out_dir, err) != CLV_OK)
		return cli_fail(err);
	if ((g = outfile_group_create(opt->out_dir, err)) == NULL)
		return cli_fail(err);
	tab = outfile_group_add(g, "compare.csv", err);
	hist = tab ? outfile_group_add(g, "compare_hist.csv", err) : NULL;
	diff = hist ? outfile_group_add(g, "compare_diff.csv", err) : NULL;
	if (diff != NULL) {
		write_table(tab, c);
		write_hist(hist, c);
		if (write_diff(diff, c) != 0)
			diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing compare_diff.csv");
		else
			output_commit(opt, g, c->arm[0].s, NULL, NULL, err);
	}
	outfile_group_free(g);
	if (err->status != CLV_OK)
		return cli_fail(err);
	return 0;
}

static int run_compare(const cli_options *opt)
{
	clv_error err = {0};
	whatif_settings set;
	output_settings out;
	whatif_compare *c;
	int rc = 0;

	if (cli_settings(opt, &set, &out) != 0)
		return CLV_EXIT_INPUT;
	interrupt_install(); /* SIGINT/SIGTERM: stop between blocks, exit 130 */
	c = whatif_compare_run((const char *const *)opt->argv, (size_t)opt->argc, &set,
	                       opt->independent, &err);
	if (c == NULL)
		return cli_fail(&err);
	if (opt->out_dir != NULL)
		rc = write_tables(&out, c, &err);
	if (rc == 0)
		rc = opt->format == FORMAT_JSON ? print_json(c) : print_text(c);
	whatif_compare_free(c);
	return rc;
}

const cli_command cmd_compare = {
	"compare", "A.yaml B.yaml [C.yaml ...]",
	"Compare scenarios on common random numbers: differences in CLV with their uncertainty.",
	"Runs every scenario with the same seed, replications and customers (the first file's,\n"
	"unless overridden), so replication r and customer c draw the same random numbers in\n"
	"each: the difference from the first scenario is estimated far more precisely than\n"
	"from independent runs. Reports, per state of the first scenario and in total, the\n"
	"exact and Monte Carlo difference, its standard error (sd of the per-replication\n"
	"differences / sqrt(R)) and 90% interval (Student t), the probability that the\n"
	"scenario beats the first (share of replications with a higher average total CLV)\n"
	"and, for a scenario with campaigns or price discounts, its return on spend:\n"
	"(gain in mean total CLV) / (expected discounted offer spend per customer, exact).\n"
	"--out DIR writes compare.csv, compare_hist.csv, compare_diff.csv and the figure.\n"
	"See docs/whatif.md.\n",
	OPT_FORMAT | OPT_OUT | OPT_PLOT | OPT_SEED | OPT_THREADS | OPT_QUIET | OPT_SIZE |
		OPT_INDEPENDENT,
	2, -1, run_compare,
};
