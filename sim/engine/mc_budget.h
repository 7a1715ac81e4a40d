/*
 * mc_budget.h - stage engine: what a Monte Carlo run will cost, counted
 * before it starts: purchase steps against CLV_MAX_TOTAL_STEPS and bytes
 * against CLV_MEMORY_BUDGET, every allocation that grows with the run
 * (per-replication tables, per-thread counts and histograms, the tables
 * of a wave of replications, the task slots of a wave, the design, the
 * result, the exact result beside it, the caller's report), plus what the
 * command already holds (earlier results of a comparison).
 *
 * The shape of a run (mc_shape) is filled by mc.c from its population;
 * mc_budget_plan turns it into bytes and picks the wave size that fits.
 */
#ifndef CLV_MC_BUDGET_H
#define CLV_MC_BUDGET_H

#include <stddef.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"

/* Bytes for the program itself (code, libraries, thread stacks, the
   scenario, allocator slack) counted in every run's budget. */
#define MC_BASE_BYTES (32.0 * 1024 * 1024)
/* Most replications prepared together (a wave), and the share of the
   budget a wave may take. */
#define MC_WAVE_MAX 256
#define MC_WAVE_SHARE 0.125

/* What a run is made of (mc.c, shape_of). */
typedef struct mc_shape {
	size_t n;                /* states */
	long periods;            /* walked periods (tables of periods + 1 rows) */
	long report_periods;     /* share rows reported, 0..report_periods */
	size_t n_seg;            /* segments (1 without) */
	size_t n_hetero;         /* segments with per-customer assumptions */
	size_t n_cols;           /* outer design columns */
	size_t n_params;         /* assumptions of the largest segment */
	uint64_t reps;           /* replications of every batch (--precision: the cap) */
	uint64_t reps_batch;     /* replications of one batch */
	size_t tasks_per_rep;    /* blocks of customers per replication */
	int threads;
	double steps;            /* purchase steps of all batches */
	bool keep_rep_share;     /* the result keeps rep_share (mc_config) */
	double held_bytes;       /* bytes the command holds besides (mc_config) */
	double report_cell_bytes; /* the caller's report, per share cell (mc_config) */
} mc_shape;

/* The plan of a run: its bytes, and the wave size that fits them. */
typedef struct mc_budget {
	double steps;
	double kept_bytes;       /* what the result (and exact result) keep */
	double run_bytes;        /* the peak while it runs, kept_bytes included */
	double report_bytes;     /* the peak while the caller reports on it */
	double total_bytes;      /* held + the larger of run and report, + base */
	size_t wave_cap;         /* replications per wave */
	double reps;             /* for messages */
	double rows;
	double n;
	double threads;
} mc_budget;

/* The plan of shape s: bytes by kind, the wave size (as large as fits,
   at most MC_WAVE_MAX, the batch's replications and MC_WAVE_SHARE of the
   budget; at least 1). */
void mc_budget_plan(const mc_shape *s, mc_budget *out);

/* CLV_OK when b is within CLV_MAX_TOTAL_STEPS and CLV_MEMORY_BUDGET;
   else CLV_ERR_LIMIT saying which, with the numbers; `what` (may be NULL)
   names the run, e.g. "sweep point 2 (customers = 5e+08)", and is put in
   front of the message. */
clv_status mc_budget_check(const mc_budget *b, const char *what, clv_error *err);

#endif
