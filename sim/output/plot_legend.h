/*
 * plot_legend.h - stage output: the report's numbers that a figure
 * quotes in its titles and legends, read from the command's own summary
 * table (clv.csv, compare.csv: written from the same results the text
 * report prints) and handed to gnuplot as arrays, so that a legend never
 * recomputes a figure from the histogram's bins.
 *
 * One spec per figure (plot.c's table) names the table, the label column
 * whose rows it keys on (state, scenario), an optional filter (level =
 * customers, state = total) and the columns with the report's format of
 * each (money with 2 decimals, a probability with 3). For each column COL, the
 * figure gets two arrays indexed by the label's code (lbl_<key>[k]):
 *   rep_COL[k]       the number (NaN where the table has none)
 *   rep_COL_text[k]  the number as the report prints it ('' where none)
 * and rep_n = |lbl_<key>|. A row whose label does not appear in the
 * figure's data (e.g. offer_spend in clv.csv) is left out.
 */
#ifndef CLV_PLOT_LEGEND_H
#define CLV_PLOT_LEGEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"

#define PLOT_LEGEND_MAX_COLS 10

typedef struct plot_legend_col {
	const char *name;   /* header of the column, e.g. "diff_mean" */
	int decimals;       /* the report's digits after the point: 2 money, 3 a probability */
	bool sign;          /* "+" before a positive number (a difference) */
} plot_legend_col;

typedef struct plot_legend_spec {
	const char *file;        /* the summary table, e.g. "compare.csv" */
	const char *key;         /* label column the rows are keyed on */
	const char *filter_col;  /* only rows whose filter_col is filter_val */
	const char *filter_val;  /* (NULL: every row) */
	plot_legend_col col[PLOT_LEGEND_MAX_COLS];
	size_t n_cols;
	bool defines_codes;      /* the table's rows, in its order, give the
	                            label codes (compare.csv lists every
	                            scenario; compare_diff.csv lacks the first) */
} plot_legend_spec;

/* The numbers of one figure, rows by label code. */
typedef struct plot_legend {
	size_t n;      /* codes 1..n */
	double *value; /* n * n_cols, NaN where absent */
	bool *have;    /* n: a row was found for the code */
} plot_legend;

/* Code (1-based) of a label of column `key`, or 0 when the figure's
   data has no such label. */
typedef size_t (*plot_legend_code)(void *ctx, const char *key, const char *label);

/* Read spec->file at path into out (n codes: the labels of spec->key in
   the figure's data). CLV_ERR_IO when it cannot be opened,
   CLV_ERR_INPUT for a malformed table or a missing column (named),
   CLV_ERR_NOMEM. */
clv_status plot_legend_read(const plot_legend_spec *spec, const char *path, size_t n,
                            plot_legend_code code, void *ctx, plot_legend *out,
                            clv_error *err);

/* The arrays rep_COL and rep_COL_text of out, as gnuplot commands. */
void plot_legend_write(FILE *f, const plot_legend_spec *spec, const plot_legend *l);

void plot_legend_free(plot_legend *l);

#endif
