/*
 * output_solve.c - stage output: the CSV tables of `clvsim solve` in
 * --out DIR (columns in output_solve.h), written as one group by
 * output_files, then the figure solve.png (plots/solve.gp).
 */
#include "output/output_solve.h"

#include <math.h>
#include <stdio.h>

#include "output/csv.h"

static clv_status write_curve(FILE *f, const void *data, clv_error *err)
{
	const whatif_solve *v = data;
	size_t g;

	csv_field(f, v->key); /* the solved key's values, named after it */
	fputs(",exact,mean,p05,p95,p_pays\n", f);
	for (g = 0; g < v->n_curve; g++) {
		const double row[] = {v->exact[g], v->mean[g], v->p05[g], v->p95[g], v->p_pays[g]};
		csv_number(f, v->x[g]);
		csv_numbers(f, row, sizeof row / sizeof row[0]);
		csv_end(f);
	}
	return CLV_OK;
}

/* Where a root or bound outside [LO, HI] lies: "below" (-inf), "above"
   (+inf), or an empty field (inside: the number says it). */
static void outside(FILE *f, double x)
{
	csv_sep(f);
	if (isinf(x))
		fputs(x < 0 ? "below" : "above", f);
}

static clv_status write_summary(FILE *f, const void *data, clv_error *err)
{
	const whatif_solve *v = data;
	const double row[] = {v->target, v->value, v->lo90, v->hi90, v->pct[3], (double)v->below,
	                      (double)v->above, (double)v->replications};

	fputs("key,target,value,lo90,hi90,p50,below,above,replications,lo90_outside,hi90_outside,"
	      "p50_outside\n", f);
	csv_field(f, v->key);
	csv_numbers(f, row, sizeof row / sizeof row[0]);
	outside(f, v->lo90);
	outside(f, v->hi90);
	outside(f, v->pct[3]);
	csv_end(f);
	return CLV_OK;
}

static clv_status write_roots(FILE *f, const void *data, clv_error *err)
{
	const whatif_solve *v = data;
	uint64_t r;

	fputs("replication,root,outside\n", f);
	for (r = 0; r < v->replications; r++) {
		fprintf(f, "%llu,", (unsigned long long)r + 1);
		csv_number(f, v->root[r]);
		outside(f, v->root[r]);
		csv_end(f);
	}
	return CLV_OK;
}

clv_status output_solve(const output_settings *set, const whatif_solve *v,
                        const clv_scenario *s, clv_error *err)
{
	static const output_table tables[] = {
		{"solve.csv", write_curve},
		{"solve_summary.csv", write_summary},
		{"solve_roots.csv", write_roots},
	};
	char ylabel[160];
	output_figures fig = {s, v->key, ylabel, NULL};

	snprintf(ylabel, sizeof ylabel, "%s %s CLV per customer%s",
	         v->versus ? "difference in expected" : "expected",
	         v->state != NULL ? v->state : "total", v->versus ? " from the base" : "");
	return output_files(set, tables, sizeof tables / sizeof tables[0], v, &fig, err);
}
