/*
 * output_compare.c - stage output: the CSV tables of `clvsim compare` in
 * --out DIR (columns in output_compare.h), written as one group by
 * output_files, then the compare figure.
 */
#include "output/output_compare.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_histogram.h>

#include "engine/mc.h"
#include "output/csv.h"
#include "output/output_decision.h"
#include "output/report_compare.h"
#include "scenario/scenario.h"

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

/* Index in arm k of the first scenario's state i (n: total), or -1. */
static long state_in(const whatif_compare *c, size_t k, size_t i)
{
	size_t j;

	if (i == c->n)
		return (long)c->arm[k].s->n;
	j = scenario_state_index(c->arm[k].s, c->arm[0].s->states[i]);
	return j == (size_t)-1 ? -1 : (long)j;
}

/* The first scenario is what the others are compared with: its diff_*
   columns (v[3..7]) are missing, as "vs_first" is null in the JSON, not
   a difference of 0. */
static void no_difference(double *v)
{
	size_t j;

	for (j = 3; j < 8; j++)
		v[j] = NAN;
}

/* Arm k's offer spend (state "offer_spend"), beside its states. */
static void spend_row(FILE *f, const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	const whatif_diff *d = &a->spend_diff;
	double v[] = {a->spend_exact, a->spend_mean, a->spend_se, d->exact, d->mean, d->se, d->lo90,
	              d->hi90, a->p_beats, a->spend, a->ros, a->ros_lo90, a->ros_hi90};

	if (k == 0)
		no_difference(v);

	csv_field(f, label_of(c, k));
	csv_sep(f);
	csv_field(f, a->s->path);
	fputs(",offer_spend", f);
	csv_numbers(f, v, sizeof v / sizeof v[0]);
	csv_end(f);
}

static clv_status write_table(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
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
			if (k == 0)
				no_difference(v);
			csv_field(f, label_of(c, k));
			csv_sep(f);
			csv_field(f, a->s->path);
			csv_sep(f);
			csv_field(f, report_compare_state(c, i));
			csv_numbers(f, v, sizeof v / sizeof v[0]);
			csv_end(f);
			if (i + 1 == c->n && report_compare_has_offers(c))
				spend_row(f, c, k);
		}
	return CLV_OK;
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

static clv_status write_hist(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
	uint64_t counts[OUTPUT_HIST_BINS];
	size_t k, i;
	int b;

	fputs("scenario,state,bin_lo,bin_hi,count,density,cdf\n", f);
	for (k = 0; k < c->n_arms; k++)
		for (i = 0; i <= c->arm[k].s->n; i++) {
			const clv_scenario *s = c->arm[k].s;
			const stats_hist *h = c->arm[k].mc->hist[i];
			double lo, hi, width, cum = 0.0, total = (double)h->n;
			output_rebin(h, OUTPUT_HIST_BINS, &lo, &hi, counts);
			width = (hi - lo) / OUTPUT_HIST_BINS;
			for (b = 0; b < OUTPUT_HIST_BINS; b++) {
				cum += (double)counts[b];
				hist_row(f, label_of(c, k), i < s->n ? s->states[i] : "total",
				         lo + b * width, lo + (b + 1) * width, (double)counts[b],
				         total > 0 ? (double)counts[b] / (total * width) : 0.0,
				         total > 0 ? cum / total : 0.0);
			}
		}
	return CLV_OK;
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

static clv_status write_diff(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
	double *d = malloc((size_t)c->replications * sizeof *d + 1);
	size_t k, i;
	int rc = d == NULL ? -1 : 0;

	fputs("scenario,state,bin_lo,bin_hi,count,density,cdf\n", f);
	for (k = 1; k < c->n_arms && rc == 0; k++)
		for (i = 0; i <= c->n && rc == 0; i++)
			if (diffs_of(c, k, i, d) > 0)
				rc = diff_hist(f, label_of(c, k), report_compare_state(c, i), d,
				               (size_t)c->replications);
	free(d);
	if (rc != 0)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing compare_diff.csv");
	return CLV_OK;
}

clv_status output_compare(const output_settings *set, const whatif_compare *c,
                          clv_error *err)
{
	static const output_table tables[] = {
		{"compare.csv", write_table},
		{"compare_hist.csv", write_hist},
		{"compare_diff.csv", write_diff},
		{"compare_replications.csv", output_decision_replications}, /* with a decision: */
		{"compare_p_best.csv", output_decision_p_best},
		{"compare_evppi.csv", output_decision_evppi},
	};
	const output_figures fig = {c->arm[0].s, NULL, NULL, NULL};

	return output_files(set, tables, c->decision != NULL ? 6 : 3, c, &fig, err);
}
