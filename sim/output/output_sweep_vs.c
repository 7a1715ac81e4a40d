/*
 * output_sweep_vs.c - stage output: the tables of a sweep against a base
 * (columns in output_sweep_vs.h).
 */
#include "output/output_sweep_vs.h"

#include <stdbool.h>
#include <stdlib.h>

#include "output/csv.h"
#include "output/output_sweep.h"
#include "output/report_sweep.h"

clv_status output_sweep_vs_line(FILE *f, const void *data, clv_error *err)
{
	const whatif_sweep *w = data;
	size_t i, p;

	output_sweep_header(f, w, ",state,diff_exact,diff_mean,diff_se,diff_lo90,diff_hi90\n");
	for (i = 0; i <= w->n; i++)
		for (p = 0; p < w->n_points; p++) {
			size_t cell = p * (w->n + 1) + i;
			const double v[] = {w->diff_exact[cell], w->diff_mean[cell], w->diff_se[cell],
			                    w->diff_lo90[cell], w->diff_hi90[cell]};
			csv_number(f, w->x[p]);
			csv_sep(f);
			csv_field(f, report_sweep_state(w, i));
			csv_numbers(f, v, sizeof v / sizeof v[0]);
			csv_end(f);
		}
	return CLV_OK;
}

clv_status output_sweep_vs_grid(FILE *f, const void *data, clv_error *err)
{
	const whatif_sweep *w = data;
	size_t p;

	output_sweep_header(f, w, ",diff_exact,diff_mean,diff_se\n");
	for (p = 0; p < w->n_points; p++) {
		size_t cell = p * (w->n + 1) + w->n;
		const double v[] = {w->x[2 * p], w->x[2 * p + 1], w->diff_exact[cell], w->diff_mean[cell],
		                    w->diff_se[cell]};
		csv_number(f, v[0]);
		csv_numbers(f, v + 1, 4);
		csv_end(f);
	}
	return CLV_OK;
}

clv_status output_sweep_vs_breakeven(FILE *f, const void *data, clv_error *err)
{
	const whatif_sweep *w = data;
	size_t k, width = w->n_axes == 1 ? 1 : 4;

	if (w->n_axes == 1)
		output_sweep_header(f, w, "\n");
	else { /* KEY1_from,KEY2_from,KEY1_to,KEY2_to */
		char *names[4] = {
			diag_strdupf("%s_from", w->axis[0].key), diag_strdupf("%s_from", w->axis[1].key),
			diag_strdupf("%s_to", w->axis[0].key), diag_strdupf("%s_to", w->axis[1].key)};
		bool ok = names[0] && names[1] && names[2] && names[3];
		for (k = 0; k < 4; k++) {
			if (ok) {
				if (k > 0)
					csv_sep(f);
				csv_field(f, names[k]);
			}
			free(names[k]);
		}
		if (!ok)
			return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		csv_end(f);
	}
	for (k = 0; k < w->n_breakeven; k++) {
		csv_number(f, w->breakeven[k * width]);
		csv_numbers(f, w->breakeven + k * width + 1, width - 1);
		csv_end(f);
	}
	return CLV_OK;
}
