/*
 * output_sweep.c - stage output: the CSV tables of `clvsim sweep` in
 * --out DIR (columns in output_sweep.h), written as one group by
 * output_files, then the line (one key) or heat-map (two keys) figure.
 */
#include "output/output_sweep.h"

#include <stdio.h>

#include "output/csv.h"
#include "output/output_sweep_vs.h"
#include "output/report_sweep.h"

/* ",mean,se,exact" of state i at point p. */
static void values(FILE *f, const whatif_sweep *w, size_t p, size_t i)
{
	size_t cell = p * (w->n + 1) + i;
	const double v[] = {w->mean[cell], w->se[cell], w->exact[cell]};

	csv_numbers(f, v, sizeof v / sizeof v[0]);
	csv_end(f);
}

/* The header's leading columns: the swept keys, by name ("discount_rate",
   "campaign.cost"), then rest (",state,mean,se,exact\n"). */
void output_sweep_header(FILE *f, const whatif_sweep *w, const char *rest)
{
	size_t a;

	for (a = 0; a < w->n_axes; a++) {
		if (a > 0)
			csv_sep(f);
		csv_field(f, w->axis[a].key);
	}
	fputs(rest, f);
}

static clv_status write_line(FILE *f, const void *data, clv_error *err)
{
	const whatif_sweep *w = data;
	size_t i, p;

	output_sweep_header(f, w, ",state,mean,se,exact\n");
	for (i = 0; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++) {
			csv_number(f, w->x[p]);
			csv_sep(f);
			csv_field(f, report_sweep_state(w, i));
			values(f, w, p, i);
		}
	return CLV_OK;
}

static void write_grid(FILE *f, const whatif_sweep *w, bool states)
{
	size_t i, p;

	output_sweep_header(f, w, states ? ",state,mean,se,exact\n" : ",mean,se,exact\n");
	for (i = states ? 0 : w->n; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++) {
			csv_number(f, w->x[2 * p]);
			csv_sep(f);
			csv_number(f, w->x[2 * p + 1]);
			if (states) {
				csv_sep(f);
				csv_field(f, report_sweep_state(w, i));
			}
			values(f, w, p, i);
		}
}

static clv_status write_grid_total(FILE *f, const void *w, clv_error *err)
{
	write_grid(f, w, false);
	return CLV_OK;
}

static clv_status write_grid_states(FILE *f, const void *w, clv_error *err)
{
	write_grid(f, w, true);
	return CLV_OK;
}

clv_status output_sweep(const output_settings *set, const whatif_sweep *w,
                        const clv_scenario *s, clv_error *err)
{
	static const output_table line[] = {
		{"sweep.csv", write_line},
		{"sweep_diff.csv", output_sweep_vs_line}, /* against a base: */
		{"sweep_breakeven.csv", output_sweep_vs_breakeven},
	};
	static const output_table grid[] = {
		{"sweep2.csv", write_grid_total},
		{"sweep2_states.csv", write_grid_states},
		{"sweep2_diff.csv", output_sweep_vs_grid}, /* against a base: */
		{"sweep2_breakeven.csv", output_sweep_vs_breakeven},
	};
	const output_figures fig = {s, w->axis[0].key, w->n_axes == 2 ? w->axis[1].key : NULL,
	                             whatif_sweep_method_name(w->method)};

	if (w->n_axes == 1)
		return output_files(set, line, w->versus ? 3 : 1, w, &fig, err);
	return output_files(set, grid, w->versus ? 4 : 2, w, &fig, err);
}
