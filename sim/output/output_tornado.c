/*
 * output_tornado.c - stage output: the CSV tables of `clvsim tornado` in
 * --out DIR (columns in output_tornado.h), written as one group by
 * output_files, then the tornado and spider figures.
 */
#include "output/output_tornado.h"

#include <math.h>
#include <stdio.h>

#include "output/csv.h"

/* The bars of state k (t->n: total), in `order`. */
static void write_bars(FILE *f, const whatif_tornado *t, size_t k, const size_t *order)
{
	size_t r;

	fputs("assumption,low_input,high_input,clv_low,clv_high,swing,base\n", f);
	for (r = 0; r < t->n_inputs; r++) {
		const whatif_input *in = &t->input[order[r]];
		const double x[] = {in->value[0], in->value[WHATIF_SPIDER - 1],
		                    report_tornado_clv(t, order[r], 0, k),
		                    report_tornado_clv(t, order[r], WHATIF_SPIDER - 1, k),
		                    fabs(whatif_swing(t, order[r], k)), t->base[k]};
		csv_field(f, in->label);
		csv_numbers(f, x, sizeof x / sizeof x[0]);
		csv_end(f);
	}
}

static clv_status write_spider(FILE *f, const void *data, clv_error *err)
{
	const whatif_tornado *t = ((const report_tornado_view *)data)->t;
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
			csv_number(f, report_tornado_clv(t, k, q, t->n));
			csv_end(f);
		}
	return CLV_OK;
}

static clv_status write_elasticities(FILE *f, const void *data, clv_error *err)
{
	const whatif_tornado *t = ((const report_tornado_view *)data)->t;
	size_t k, i;

	fputs("input,base,state,elasticity\n", f);
	for (k = 0; k < t->n_elast; k++)
		for (i = 0; i <= t->n; i++) {
			csv_field(f, t->elast[k].input);
			csv_sep(f);
			csv_number(f, t->elast[k].base);
			csv_sep(f);
			csv_field(f, report_tornado_state(t, i));
			csv_sep(f);
			csv_number(f, report_tornado_elasticity(t, k, i));
			csv_end(f);
		}
	return CLV_OK;
}

static clv_status write_total_bars(FILE *f, const void *data, clv_error *err)
{
	const report_tornado_view *v = data;

	write_bars(f, v->t, v->t->n, v->total_order);
	return CLV_OK;
}

static clv_status write_state_bars(FILE *f, const void *data, clv_error *err)
{
	const report_tornado_view *v = data;

	write_bars(f, v->t, v->state, v->order);
	return CLV_OK;
}

clv_status output_tornado(const output_settings *set, const report_tornado_view *v,
                          clv_error *err)
{
	static const output_table tables[] = {
		{"elasticity.csv", write_elasticities},
		{"tornado.csv", write_total_bars},
		{"spider.csv", write_spider},
		{"tornado_state.csv", write_state_bars},
	};
	const output_figures fig = {v->s, NULL, NULL, NULL};
	bool bars = v->t->n_inputs > 0, state = v->state < v->t->n;
	size_t n = !bars ? 1 : state ? 4 : 3;

	return output_files(set, tables, n, v, bars ? &fig : NULL, err);
}
