/*
 * plot_legend.c - stage output: the report's numbers a figure quotes,
 * from the command's summary table to gnuplot arrays (plot_legend.h).
 *
 * The table is read with the strict RFC 4180 reader; columns are found
 * by their header names, so a table that gains columns still reads. Each
 * number is printed twice: "%.17g" (reads back to the same double, for
 * markers) and in the report's own format (for the text of legends and
 * titles), so the figure and the report print the same digits.
 */
#include "output/plot_legend.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_read.h"

/* Index of each wanted column in the header (SIZE_MAX: absent). */
static clv_status find_columns(const csv_reader *r, const plot_legend_spec *spec,
                               size_t *idx, size_t *key, size_t *filter, const char *path,
                               clv_error *err)
{
	size_t i, c, n = csv_reader_count(r);

	*key = *filter = SIZE_MAX;
	for (c = 0; c < spec->n_cols; c++)
		idx[c] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		const char *h = csv_reader_field(r, i);
		if (strcmp(h, spec->key) == 0)
			*key = i;
		if (spec->filter_col != NULL && strcmp(h, spec->filter_col) == 0)
			*filter = i;
		for (c = 0; c < spec->n_cols; c++)
			if (strcmp(h, spec->col[c].name) == 0)
				idx[c] = i;
	}
	if (*key == SIZE_MAX)
		return diag_set_file(err, CLV_ERR_INPUT, path, "no column %s", spec->key);
	if (spec->filter_col != NULL && *filter == SIZE_MAX)
		return diag_set_file(err, CLV_ERR_INPUT, path, "no column %s", spec->filter_col);
	for (c = 0; c < spec->n_cols; c++)
		if (idx[c] == SIZE_MAX)
			return diag_set_file(err, CLV_ERR_INPUT, path, "no column %s", spec->col[c].name);
	return CLV_OK;
}

/* A field as a number: empty is NaN (a missing value), "inf" reads. */
static double number(const char *s)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return (double)NAN;
	errno = 0;
	v = strtod(s, &end);
	return *end == '\0' ? v : (double)NAN;
}

static clv_status read_rows(csv_reader *r, const plot_legend_spec *spec, const size_t *idx,
                            size_t key, size_t filter, plot_legend_code code, void *ctx,
                            plot_legend *out, clv_error *err)
{
	bool got = true;
	clv_status rc = CLV_OK;

	while (rc == CLV_OK && got) {
		size_t k, c, n;
		rc = csv_reader_next(r, &got, err);
		if (rc != CLV_OK || !got)
			break;
		n = csv_reader_count(r);
		if (key >= n || (filter != SIZE_MAX && filter >= n))
			continue;
		if (filter != SIZE_MAX && strcmp(csv_reader_field(r, filter), spec->filter_val) != 0)
			continue;
		k = code(ctx, spec->key, csv_reader_field(r, key));
		if (k == 0 || k > out->n)
			continue;
		out->have[k - 1] = true;
		for (c = 0; c < spec->n_cols; c++)
			out->value[(k - 1) * spec->n_cols + c] =
				idx[c] < n ? number(csv_reader_field(r, idx[c])) : (double)NAN;
	}
	return rc;
}

clv_status plot_legend_read(const plot_legend_spec *spec, const char *path, size_t n,
                            plot_legend_code code, void *ctx, plot_legend *out,
                            clv_error *err)
{
	size_t idx[PLOT_LEGEND_MAX_COLS], key, filter, i;
	FILE *f = fopen(path, "r");
	csv_reader *r = NULL;
	clv_status rc = CLV_OK;
	bool got = false;

	memset(out, 0, sizeof *out);
	if (f == NULL)
		return diag_set_file(err, CLV_ERR_IO, path, "cannot open: %s", strerror(errno));
	out->n = n;
	out->value = malloc((n * spec->n_cols + 1) * sizeof *out->value);
	out->have = calloc(n + 1, sizeof *out->have);
	r = csv_reader_create(f, path, err);
	if (out->value == NULL || out->have == NULL || r == NULL)
		rc = r == NULL && err->status != CLV_OK ? err->status
		                                        : diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; rc == CLV_OK && i < n * spec->n_cols; i++)
		out->value[i] = NAN;
	if (rc == CLV_OK)
		rc = csv_reader_next(r, &got, err);
	if (rc == CLV_OK && !got)
		rc = diag_set_file(err, CLV_ERR_INPUT, path, "empty table (no header)");
	if (rc == CLV_OK)
		rc = find_columns(r, spec, idx, &key, &filter, path, err);
	if (rc == CLV_OK)
		rc = read_rows(r, spec, idx, key, filter, code, ctx, out, err);
	csv_reader_free(r);
	fclose(f);
	if (rc != CLV_OK)
		plot_legend_free(out);
	return rc;
}

void plot_legend_write(FILE *f, const plot_legend_spec *spec, const plot_legend *l)
{
	size_t c, k;

	fprintf(f, "rep_n = %zu\n", l->n);
	for (c = 0; c < spec->n_cols && l->n > 0; c++) {
		fprintf(f, "array rep_%s[%zu] = [", spec->col[c].name, l->n);
		for (k = 0; k < l->n; k++) {
			double v = l->value[k * spec->n_cols + c];
			fputs(k ? ", " : "", f);
			if (isnan(v))
				fputs("NaN", f);
			else if (isinf(v))
				fputs(v > 0 ? "1e308" : "-1e308", f); /* gnuplot has no Inf */
			else
				fprintf(f, "%.17g", v);
		}
		fprintf(f, "]\narray rep_%s_text[%zu] = [", spec->col[c].name, l->n);
		for (k = 0; k < l->n; k++) {
			double v = l->value[k * spec->n_cols + c];
			char text[64] = "";
			if (!isnan(v))
				snprintf(text, sizeof text, spec->col[c].sign ? "%+.*f" : "%.*f",
				         spec->col[c].decimals, v);
			fprintf(f, "%s'%s'", k ? ", " : "", text); /* digits, signs, "inf": no quote */
		}
		fputs("]\n", f);
	}
}

void plot_legend_free(plot_legend *l)
{
	free(l->value);
	free(l->have);
	memset(l, 0, sizeof *l);
}
