/*
 * mc_budget.c - stage engine: a Monte Carlo run's steps and bytes, counted
 * before it starts (mc_budget.h).
 *
 * The bytes, by what holds them (n states, R replications of all batches,
 * B of one batch, P + 1 walked rows, S + 1 reported share rows, K design
 * columns, T threads, W replications per wave, C customer blocks per
 * replication; 8-byte numbers):
 *   kept by the result  R (n + 1) 8 (rep_clv) + R K 8 (rep_input)
 *                       + 6 (S + 1) n 8 (share percentiles)
 *                       + (n + 1) histograms + the exact result's
 *                       2 (S + 1) n 8 (a segment mix and its part)
 *                       [+ R (S + 1) n 8 when rep_share is kept];
 *   while it runs       R (S + 1) n 8 (rep_share, freed at the end unless
 *                       kept) + B (K + 1) 8 (the design) + B (2K + 6) 8
 *                       (its sorting scratch, when K > 0) + R 8
 *                       (percentile scratch)
 *                       + T [(P + 2) n 4 (dead_from) + (n + 1)
 *                       histograms + a heterogeneous segment's scratch
 *                       (mc_hetero_bytes) per such segment]
 *                       + W [T (P + 1) n 8 (counts) + segments x (chain
 *                       table + model) + C task slots of 2 (n + 1) sums];
 *   while reporting     the caller's bytes per share cell x (S + 1) n (a
 *                       JSON document of the share table).
 * The peak is MC_BASE_BYTES + held + kept + the larger of the last two.
 * Histograms are counted at their full size (about 2.6 MB), though only
 * the pages of occupied bins are ever touched.
 */
#include "engine/mc_budget.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/stats.h"
#include "engine/chain.h"
#include "engine/mc_hetero.h"

#define TASK_BYTES 56.0           /* a task's fields (mc.c) */
#define NAME_BYTES 64.0           /* a design column's name */

static double model_bytes(double n)
{
	return (2.0 * n * n + 5.0 * n) * 8.0 + 128.0;
}

static double values_bytes(double n, double n_params)
{
	return n_params * 16.0 + n * n * 8.0 + 64.0;
}

/* Bytes of one replication in a wave. */
static double per_wave_rep(const mc_shape *s)
{
	double n = (double)s->n, rows = (double)s->periods + 1.0;
	double tables = chain_table_bytes(s->n, s->periods) + model_bytes(n) +
	                values_bytes(n, (double)s->n_params);

	return (double)s->threads * rows * n * 8.0 + (double)s->n_seg * tables +
	       (double)s->tasks_per_rep * (TASK_BYTES + 2.0 * (n + 1.0) * sizeof(stats_ksum));
}

static double kept_bytes(const mc_shape *s)
{
	double n = (double)s->n, reps = (double)s->reps, out = (double)s->report_periods + 1.0;
	double b = reps * (n + 1.0) * 8.0 + reps * (double)s->n_cols * 8.0 +
	           (double)s->n_cols * NAME_BYTES + 6.0 * out * n * 8.0 +
	           (n + 1.0) * (sizeof(stats_hist) + 2.0 * sizeof(stats_summary)) +
	           2.0 * out * n * 8.0;

	return b + (s->keep_rep_share ? reps * out * n * 8.0 : 0.0);
}

/* Bytes while running, besides the kept ones and the wave. */
static double run_bytes(const mc_shape *s)
{
	double n = (double)s->n, reps = (double)s->reps, out = (double)s->report_periods + 1.0;
	double rows = (double)s->periods + 1.0, k = (double)s->n_cols;
	double hetero = (double)s->n_hetero * mc_hetero_bytes(s->n, s->periods, s->n_params);
	double design = (double)s->reps_batch * ((k + 1.0) + (k > 0.0 ? 2.0 * k + 6.0 : 0.0)) * 8.0;
	double b = (s->keep_rep_share ? 0.0 : reps * out * n * 8.0) + design + reps * 8.0 +
	           (double)s->threads * ((rows + 1.0) * n * 4.0 + (n + 1.0) * sizeof(stats_hist) +
	                                 hetero);

	return b + (double)s->n_seg * (model_bytes(n) + values_bytes(n, (double)s->n_params));
}

void mc_budget_plan(const mc_shape *s, mc_budget *out)
{
	double per = per_wave_rep(s), kept = kept_bytes(s), run = run_bytes(s);
	double fixed = MC_BASE_BYTES + s->held_bytes + kept + run;
	double fit = floor((CLV_MEMORY_BUDGET - fixed) / per);
	double cap = fmin(fmin((double)MC_WAVE_MAX, (double)s->reps_batch),
	                  fmin(floor(CLV_MEMORY_BUDGET * MC_WAVE_SHARE / per), fit));
	double report = s->report_cell_bytes * ((double)s->report_periods + 1.0) * (double)s->n;

	memset(out, 0, sizeof *out);
	out->wave_cap = cap >= 1.0 ? (size_t)cap : 1;
	out->steps = s->steps;
	out->kept_bytes = kept;
	out->run_bytes = kept + run + (double)out->wave_cap * per;
	out->report_bytes = kept + report;
	out->total_bytes = MC_BASE_BYTES + s->held_bytes + fmax(out->run_bytes, out->report_bytes);
	out->reps = (double)s->reps;
	out->rows = (double)s->periods + 1.0;
	out->n = (double)s->n;
	out->threads = (double)s->threads;
}

clv_status mc_budget_check(const mc_budget *b, const char *what, clv_error *err)
{
	const char *sep = what != NULL ? ": " : "";

	what = what != NULL ? what : "";
	if (b->total_bytes > CLV_MEMORY_BUDGET)
		return diag_set(err, CLV_ERR_LIMIT, NULL,
		                "%s%sthis run would need about %.0f MiB for its tables (%.0f replications "
		                "x %.0f periods x %.0f states, on %.0f threads, with its report and "
		                "what the command already holds), over the budget of %.0f MiB; use "
		                "fewer replications, periods, customers or --precision batches", what,
		                sep, b->total_bytes / 1048576.0, b->reps, b->rows, b->n, b->threads,
		                CLV_MEMORY_BUDGET / 1048576.0);
	if (b->steps > CLV_MAX_TOTAL_STEPS)
		return diag_set(err, CLV_ERR_LIMIT, NULL,
		                "%s%sthis run would simulate about %.3g purchase steps (replications x "
		                "customers x periods x purchases), over the limit of %.3g", what, sep,
		                b->steps, CLV_MAX_TOTAL_STEPS);
	return CLV_OK;
}
