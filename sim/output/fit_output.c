/*
 * fit_output.c - the tables and figures of `clvsim fit` (columns in
 * fit_output.h). Each table is one outfile (temp file renamed when
 * whole); figures go through plot_figure, which copies the table with its
 * label column coded. Stage: output.
 */
#include "output/fit_output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fit/fit_summary.h"
#include "fit/fit_time.h"
#include "output/csv.h"
#include "output/outfile.h"

/* A date (dates) or the period as written. */
static void time_field(FILE *f, const fit_data *d, int64_t time)
{
	int y, m, day;

	if (!d->has_date) {
		fprintf(f, "%lld", (long long)time);
		return;
	}
	fit_civil_from_days(time, &y, &m, &day);
	fprintf(f, "%04d-%02d-%02d", y, m, day);
}

static void write_customers(FILE *f, const fit_data *d, const fit_markov *m,
                            const fit_customer *c)
{
	size_t k;

	fputs("customer,first,last,recency,frequency,monetary,switches,latest\n", f);
	for (k = 0; k < m->seq.n; k++) {
		csv_field(f, d->customer[c[k].customer]);
		csv_sep(f);
		time_field(f, d, c[k].first);
		csv_sep(f);
		time_field(f, d, c[k].last);
		fprintf(f, ",%ld,%llu,", c[k].recency, (unsigned long long)c[k].frequency);
		csv_number(f, c[k].monetary);
		fprintf(f, ",%llu,", (unsigned long long)c[k].switches);
		csv_field(f, m->state[c[k].latest]);
		csv_end(f);
	}
}

/* Write one table through writer into dir/name. */
typedef void (*table_writer)(FILE *f, const void *ctx);

static clv_status write_table(const char *dir, const char *name, table_writer w, const void *ctx,
                              clv_error *err)
{
	outfile *o;

	if (outfile_make_dir(dir, err) != CLV_OK)
		return err->status;
	o = outfile_open(dir, name, err);
	if (o == NULL)
		return err->status;
	w(outfile_stream(o), ctx);
	return outfile_commit(o, err);
}

typedef struct customers_ctx {
	const fit_data *d;
	const fit_markov *m;
	const fit_customer *c;
} customers_ctx;

static void customers_writer(FILE *f, const void *ctx)
{
	const customers_ctx *x = ctx;

	write_customers(f, x->d, x->m, x->c);
}

clv_status fit_output_customers(const char *dir, const fit_data *d, const fit_markov *m,
                                clv_error *err)
{
	fit_customer *c = fit_summary_customers(m, err);
	customers_ctx ctx = {d, m, c};
	clv_status rc;

	if (c == NULL)
		return err->status;
	rc = write_table(dir, "customers.csv", customers_writer, &ctx, err);
	free(c);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Holdout.                                                             */

typedef struct holdout_ctx {
	const fit_data *d;
	const fit_holdout *h;
} holdout_ctx;

static void holdout_writer(FILE *f, const void *ctx)
{
	const holdout_ctx *x = ctx;
	const fit_holdout *h = x->h;
	char label[32];
	size_t b;
	long p;

	fputs("period,start,state,observed,predicted,buyers\n", f);
	for (b = 0; b < h->n; b++)
		for (p = 0; p < h->periods; p++) {
			fit_data_period_label(x->d, h->first + p, label, sizeof label);
			fprintf(f, "%ld,%s,", p + 1, label);
			csv_field(f, x->d->brand[b]);
			csv_sep(f);
			csv_number(f, h->observed[(size_t)p * h->n + b]);
			csv_sep(f);
			csv_number(f, h->predicted[(size_t)p * h->n + b]);
			fprintf(f, ",%llu\n", (unsigned long long)h->buyers[p]);
		}
}

static void draw(const char *script, const char *dir, const plot_var *vars, size_t n,
                 const char *stem, plot_format fmt, clv_error *warn)
{
	char name[64];

	if (fmt == PLOT_NONE)
		return;
	snprintf(name, sizeof name, "%s.%s", stem, plot_format_ext(fmt));
	plot_figure(script, dir, vars, n, name, warn);
}

clv_status fit_output_holdout(const char *dir, const fit_data *d, const fit_holdout *h,
                              const fit_options *o, plot_format fmt, clv_error *err,
                              clv_error *warn)
{
	holdout_ctx ctx = {d, h};
	const char *slash = strrchr(d->path, '/');
	plot_var vars[] = {
		{"datafile", "fit_holdout.csv", PLOT_DATA},
		{"scenario", slash != NULL ? slash + 1 : d->path, PLOT_TEXT},
		{"holdout", o->holdout_text, PLOT_TEXT},
		{"period_unit", fit_unit_name(d->unit), PLOT_TEXT},
	};

	if (write_table(dir, "fit_holdout.csv", holdout_writer, &ctx, err) != CLV_OK)
		return err->status;
	draw("fit_holdout.gp", dir, vars, sizeof vars / sizeof vars[0], "fit_holdout", fmt, warn);
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Survival.                                                            */

typedef struct survival_ctx {
	const fit_cohort *c;
	const fit_sbg *s;
} survival_ctx;

static void survival_writer(FILE *f, const void *ctx)
{
	const survival_ctx *x = ctx;
	const fit_cohort *c = x->c;
	size_t t;

	fputs("period,alive,survival_observed,survival,expected_alive,retention_observed,"
	      "retention\n", f);
	for (t = 0; t < x->s->projected; t++) {
		bool seen = t < c->n;
		const double v[] = {
			seen ? c->alive[t] : (double)NAN,
			seen ? c->alive[t] / c->alive[0] : (double)NAN,
			x->s->survival[t],
			c->alive[0] * x->s->survival[t],
			seen && t > 0 && c->alive[t - 1] > 0 ? c->alive[t] / c->alive[t - 1] : (double)NAN,
			x->s->retention[t],
		};
		fprintf(f, "%zu", t);
		csv_numbers(f, v, sizeof v / sizeof v[0]);
		csv_end(f);
	}
}

clv_status fit_output_survival(const char *dir, const fit_cohort *c, const fit_sbg *s,
                               const char *unit, plot_format fmt, clv_error *err,
                               clv_error *warn)
{
	survival_ctx ctx = {c, s};
	const char *slash = strrchr(c->path, '/');
	char last[32];
	plot_var vars[] = {
		{"datafile", "fit_survival.csv", PLOT_DATA},
		{"scenario", slash != NULL ? slash + 1 : c->path, PLOT_TEXT},
		{"period_unit", unit, PLOT_TEXT},
		{"last_observed", last, PLOT_TEXT},
	};

	snprintf(last, sizeof last, "%zu", c->n - 1);
	if (write_table(dir, "fit_survival.csv", survival_writer, &ctx, err) != CLV_OK)
		return err->status;
	draw("fit_survival.gp", dir, vars, sizeof vars / sizeof vars[0], "fit_survival", fmt, warn);
	return CLV_OK;
}
