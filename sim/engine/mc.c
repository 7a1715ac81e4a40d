/*
 * mc.c - the Monte Carlo driver (contract in mc.h).
 *
 * Structure of a run:
 *   population   one segment per customer tier (or the scenario itself),
 *                each with its assumptions' columns in the outer design;
 *   batches      groups of replications (one, or more under --precision);
 *   waves        replications prepared together (models, chain tables),
 *                as many as the memory for per-thread counts allows;
 *   tasks        (replication, segment, block of MC_BLOCK customers),
 *                run by an OpenMP dynamic loop; each task's floating sums
 *                land in its own slot, reduced afterwards in task order;
 *                integer counts and histograms are per thread (integer
 *                sums do not depend on order); the sums of each
 *                (replication, segment) go to mc_figures.c, which makes the
 *                segments' figures, the offer spend and the event
 *                probabilities, and every standard error of the run;
 *                histograms are kept per segment when their size allows.
 *
 * Outer draws: column j of replication r is u[r][j] from sample_design;
 * an uncertain replication-level assumption takes dist_quantile(p, u), a
 * Dirichlet row takes dist_dirichlet_quantile of n columns. Customers with
 * `per: customer` assumptions draw them from their own streams and walk
 * with their own rows or tables (mc_hetero.h).
 * The result's allocation and its summaries over replications are in
 * mc_result.c (shared with the aggregate engine, aggregate.c).
 */
#include "engine/mc.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "engine/aggregate.h"
#include "engine/chain.h"
#include "base/dist.h"
#include "base/interrupt.h"
#include "base/progress.h"
#include "engine/mc_population.h"
#include "engine/mc_figures.h"
#include "engine/mc_hetero.h"
#include "engine/mc_exact.h"
#include "engine/model.h"
#include "engine/outer.h"
#include "base/rng.h"
#include "base/zeroed.h"
#include "scenario/scenario.h"

void mc_config_defaults(mc_config *cfg, const clv_scenario *s)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->seed = s->seed;
	cfg->replications = s->replications;
	cfg->customers = s->customers;
	cfg->sampling = SAMPLE_MC;
	cfg->max_batches = 100;
	cfg->share_periods = 20;
}

void mc_config_from(mc_config *cfg, const clv_scenario *s, const mc_settings *set)
{
	mc_config_defaults(cfg, s);
	if (set->has_seed)
		cfg->seed = set->seed;
	if (set->replications)
		cfg->replications = set->replications;
	if (set->customers)
		cfg->customers = set->customers;
	if (set->has_share_periods)
		cfg->share_periods = set->share_periods;
	cfg->threads = set->threads;
	cfg->progress = set->progress;
	cfg->predict = set->predict;
	cfg->sampling = set->sampling;
	cfg->precision = set->precision;
	cfg->precision_relative = set->precision_relative;
	cfg->exact_replications = set->exact_replications;
	cfg->mode = set->mode;
}

/* ---- per-replication models --------------------------------------- */

typedef struct rep_model {
	model_values *values;    /* replication's values (per segment) */
	clv_model *model;
	chain_table *table;
} rep_model;

static void rep_model_clear(rep_model *rm)
{
	model_values_free(rm->values);
	model_free(rm->model);
	chain_table_free(rm->table);
	memset(rm, 0, sizeof *rm);
}

static clv_status rep_model_build(rep_model *rm, const segment *sg, const double *u,
                                  long periods, clv_error *err)
{
	rm->values = model_values_copy(sg->means, sg->s->n);
	rm->model = model_create(sg->s->n);
	if (rm->values == NULL || rm->model == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	outer_part_draw(sg->outer, u, rm->values);
	if (model_build(sg->s, rm->values, rm->model, err) != CLV_OK)
		return err->status;
	rm->table = chain_table_create(rm->model, periods, err);
	return rm->table ? CLV_OK : err->status;
}

/* ---- per-thread state --------------------------------------------- */

typedef struct worker {
	uint64_t *count;         /* wave_reps x (periods + 1) x n */
	uint32_t *dead_from;     /* (periods + 2) x n */
	stats_hist **hist;       /* n_hist: n + 1, or n + 1 per segment */
	size_t n_hist;
	mc_hetero **het;         /* one per segment (NULL: no own assumptions) */
	bool ready;              /* made (worker_ready), else all NULL */
	bool failed;             /* could not be made */
} worker;

static void worker_free(worker *w, const population *pop)
{
	size_t i;

	free(w->count);
	free(w->dead_from);
	if (w->hist)
		for (i = 0; i < w->n_hist; i++)
			stats_hist_free(w->hist[i]);
	free(w->hist);
	if (w->het)
		for (i = 0; i < pop->n_seg; i++)
			mc_hetero_free(w->het[i]);
	free(w->het);
	memset(w, 0, sizeof *w);
}

static int worker_init(worker *w, const population *pop, size_t wave_reps, bool seg_hists)
{
	size_t i, n = pop->n, rows = (size_t)pop->periods + 2;

	memset(w, 0, sizeof *w);
	w->n_hist = (seg_hists ? pop->n_seg : 1) * (n + 1);
	w->count = zeroed_alloc(wave_reps * (rows - 1) * n, sizeof *w->count);
	w->dead_from = zeroed_alloc(rows * n, sizeof *w->dead_from);
	w->hist = calloc(w->n_hist, sizeof *w->hist);
	w->het = calloc(pop->n_seg, sizeof *w->het);
	if (!w->count || !w->dead_from || !w->hist || !w->het)
		return -1;
	for (i = 0; i < w->n_hist; i++)
		if ((w->hist[i] = stats_hist_create()) == NULL)
			return -1;
	for (i = 0; i < pop->n_seg; i++)
		if (pop->seg[i].hetero &&
		    (w->het[i] = mc_hetero_create(&pop->seg[i], pop->periods)) == NULL)
			return -1;
	return 0;
}

/* ---- tasks ----------------------------------------------------------- */

typedef struct task {
	uint64_t rep;            /* replication number */
	size_t wave_slot;        /* replication's index within the wave */
	size_t seg;
	uint64_t first, count;   /* customers */
	stats_ksum *sum, *sumsq; /* n + 1 each: this task's slot */
	stats_ksum *spend;       /* 2: offer spend, sum and sum of squares */
	uint64_t *below;         /* n + 2: chain_acc.below */
} task;

static void run_task(const population *pop, rep_model *const *wave, worker *w, uint64_t seed,
                     task *tk)
{
	const segment *sg = &pop->seg[tk->seg];
	const rep_model *rm = &wave[tk->wave_slot][tk->seg];
	size_t n = pop->n;
	/* sums on this thread's stack, copied to the task's slot at the end:
	   neighbouring slots share cache lines with other threads' tasks */
	stats_ksum sum[CLV_MAX_STATES + 1], sumsq[CLV_MAX_STATES + 1], spend[2];
	uint64_t below[CLV_MAX_STATES + 2];
	chain_acc acc;

	memset(sum, 0, sizeof sum);
	memset(sumsq, 0, sizeof sumsq);
	memset(spend, 0, sizeof spend);
	memset(below, 0, sizeof below);
	acc.count = w->count + tk->wave_slot * (size_t)(pop->periods + 1) * n;
	acc.dead_from = w->dead_from;
	acc.sum = sum;
	acc.sumsq = sumsq;
	acc.hist = w->hist + (w->n_hist > n + 1 ? tk->seg * (n + 1) : 0);
	acc.spend = spend;
	acc.below = below;
	if (sg->hetero)
		mc_hetero_run_block(w->het[tk->seg], sg, rm->values, rm->model, rm->table, seed, tk->rep,
		                    tk->first, tk->count, &acc);
	else
		chain_run_block(rm->table, seed, tk->rep, tk->first, tk->count, &acc);
	memcpy(tk->sum, sum, (n + 1) * sizeof *sum);
	memcpy(tk->sumsq, sumsq, (n + 1) * sizeof *sumsq);
	memcpy(tk->spend, spend, sizeof spend);
	memcpy(tk->below, below, (n + 2) * sizeof *below);
}

/* ---- the run --------------------------------------------------------- */

typedef struct run_state {
	const mc_config *cfg;
	population pop;
	uint64_t seed;           /* stream seed (offset when independent) */
	int threads;
	size_t wave_cap;         /* replications per wave */
	worker *workers;
	stats_ksum *grand_sum, *grand_sumsq; /* n + 1: over all customers */
	mc_figs figs;            /* per (replication, segment): mc_figures.h */
	bool seg_hists;          /* histograms per segment (else one set) */
	mc_result *res;
	uint64_t reps_done;
	bool beside_pending;     /* cfg->beside not called yet */
	mc_exact *exact;         /* exact replication values, or NULL */
	double *ex_clv, *ex_share; /* wave_cap x (n + 1), wave_cap x share cells */
	progress_bar bar;        /* the bar and the long-run prediction */
	uint64_t blocks_done;    /* tasks (blocks of customers) run so far */
	size_t blocks_per_rep;
} run_state;

/* Replications [0, total) to run, blocks_done of their blocks done: the
   bar (with the ETA) and the prediction (base/progress.h). Called by
   thread 0 between its tasks and after every wave. */
static void progress(run_state *st, uint64_t total)
{
	uint64_t done;

	if (!st->bar.draw && !st->bar.predict)
		return;
#pragma omp atomic read
	done = st->blocks_done;
	progress_update(&st->bar, (double)done, (double)total * (double)st->blocks_per_rep,
	                done / st->blocks_per_rep, total, "replication");
}

/* Grow the per-replication tables (the result's and the figures') to
   hold `reps` replications. */
static clv_status grow_tables(run_state *st, uint64_t reps, clv_error *err)
{
	clv_status rc = mc_result_grow(st->res, reps, st->pop.n_cols, err);

	return rc == CLV_OK ? mc_figs_grow(&st->figs, reps, err) : rc;
}

/* Build the tasks of replications [r0, r0 + k). */
static size_t make_tasks(const run_state *st, uint64_t r0, size_t k, task *tasks,
                         stats_ksum *slots, uint64_t *counts)
{
	size_t n = st->pop.n, nt = 0, w, sgi;

	for (w = 0; w < k; w++)
		for (sgi = 0; sgi < st->pop.n_seg; sgi++) {
			const segment *sg = &st->pop.seg[sgi];
			uint64_t c;
			for (c = sg->first; c < sg->first + sg->count; c += MC_BLOCK) {
				task *tk = &tasks[nt];
				tk->rep = r0 + w;
				tk->wave_slot = w;
				tk->seg = sgi;
				tk->first = c;
				tk->count = sg->first + sg->count - c < MC_BLOCK ? sg->first + sg->count - c : MC_BLOCK;
				tk->sum = slots + nt * (2 * (n + 1) + 2);
				tk->sumsq = tk->sum + n + 1;
				tk->spend = tk->sumsq + n + 1;
				tk->below = counts + nt * (n + 2);
				memset(tk->sum, 0, (2 * (n + 1) + 2) * sizeof *tk->sum);
				memset(tk->below, 0, (n + 2) * sizeof *tk->below);
				nt++;
			}
		}
	return nt;
}

static size_t tasks_per_rep(const run_state *st)
{
	size_t k, t = 0;

	for (k = 0; k < st->pop.n_seg; k++)
		t += (size_t)((st->pop.seg[k].count + MC_BLOCK - 1) / MC_BLOCK);
	return t;
}

/* Share rows a run reports (0..that): the walk, or --periods rows of an
   infinite horizon. */
static long report_periods(const run_state *st, const clv_scenario *s)
{
	long p = st->pop.periods;

	return s->infinite && st->cfg->share_periods < p ? st->cfg->share_periods : p;
}

/* The run's shape for its budget (mc_budget.h). */
static void shape_of(const run_state *st, const clv_scenario *s, mc_shape *sh)
{
	const mc_config *cfg = st->cfg;
	double rows = (double)st->pop.periods + 1.0;
	size_t k;

	memset(sh, 0, sizeof *sh);
	sh->n = st->pop.n;
	sh->periods = st->pop.periods;
	sh->report_periods = report_periods(st, s);
	sh->n_seg = st->pop.n_seg;
	sh->n_cols = st->pop.n_cols;
	sh->reps_batch = cfg->replications;
	sh->reps = cfg->replications * (cfg->precision > 0 ? cfg->max_batches : 1);
	sh->tasks_per_rep = tasks_per_rep(st);
	sh->threads = st->threads;
	sh->keep_rep_share = cfg->keep_rep_share;
	sh->held_bytes = cfg->held_bytes;
	sh->report_cell_bytes = cfg->report_cell_bytes;
	for (k = 0; k < st->pop.n_seg; k++) { /* every segment with its own F, every batch */
		const segment *sg = &st->pop.seg[k];
		sh->n_hetero += sg->hetero;
		if (sg->means->n_params > sh->n_params)
			sh->n_params = sg->means->n_params;
		sh->steps += (double)sh->reps * (double)sg->count * rows *
		             fmax(1.0, sg->mean_model->purchases);
	}
}

/* Reduce a wave's task slots (in task order) and counts into the tables. */
static void reduce_wave(run_state *st, uint64_t r0, size_t k, const task *tasks, size_t nt)
{
	mc_result *res = st->res;
	size_t n = st->pop.n, cells = (size_t)(st->pop.periods + 1) * n;
	size_t rows_out = (size_t)(res->periods + 1) * n, w, i, j, th;
	double customers = (double)st->cfg->customers;

	for (w = 0; w < k; w++) {
		stats_ksum rep_sum[CLV_MAX_STATES + 1];
		memset(rep_sum, 0, sizeof rep_sum);
		for (j = 0; j < nt; j++) {
			if (tasks[j].wave_slot != w)
				continue;
			mc_figs_add(&st->figs, r0 + w, tasks[j].seg, tasks[j].sum, tasks[j].sumsq,
			            tasks[j].spend, tasks[j].below);
			for (i = 0; i <= n; i++) {
				stats_ksum_merge(&rep_sum[i], &tasks[j].sum[i]);
				stats_ksum_merge(&st->grand_sum[i], &tasks[j].sum[i]);
				stats_ksum_merge(&st->grand_sumsq[i], &tasks[j].sumsq[i]);
			}
		}
		for (i = 0; i <= n; i++)
			res->rep_clv[(r0 + w) * (n + 1) + i] = stats_ksum_value(&rep_sum[i]) / customers;
		for (j = 0; j < rows_out; j++) {
			uint64_t c = 0;
			for (th = 0; th < (size_t)st->threads; th++)
				if (st->workers[th].ready)
					c += st->workers[th].count[w * cells + j];
			res->rep_share[(size_t)(r0 + w) * rows_out + j] = (double)c / customers;
		}
		if (st->exact != NULL) { /* the exact figures given the draws instead */
			memcpy(res->rep_clv + (r0 + w) * (n + 1), st->ex_clv + w * (n + 1),
			       (n + 1) * sizeof *res->rep_clv);
			memcpy(res->rep_share + (size_t)(r0 + w) * rows_out, st->ex_share + w * rows_out,
			       rows_out * sizeof *res->rep_share);
		}
	}
	for (th = 0; th < (size_t)st->threads; th++)
		if (st->workers[th].ready)
			memset(st->workers[th].count, 0, k * cells * sizeof(uint64_t));
}

/* The exact figures of wave slot i given its draws (mc_exact.h). */
static clv_status exact_values(run_state *st, const rep_model *rm, size_t i, clv_error *err)
{
	const model_values *v[CLV_MAX_SEGMENTS];
	size_t k, rows_out = (size_t)(st->res->periods + 1) * st->pop.n;

	for (k = 0; k < st->pop.n_seg; k++)
		v[k] = rm[k].values;
	return mc_exact_replication(st->exact, v, st->ex_clv + i * (st->pop.n + 1),
	                            st->ex_share + i * rows_out, err);
}

/* Worker w's tables, made by the thread that runs it at its first task:
   its small, often written arrays (a customer's rows and thresholds) come
   from that thread's malloc arena, never sharing a cache line with
   another thread's, and no parallel region waits for a thread that is
   still starting (a worker that never runs a task is never made; its
   share of every figure is nothing). False when they cannot be made
   (w->failed). */
static bool worker_ready(run_state *st, worker *w)
{
	if (!w->ready && !w->failed) {
		if (worker_init(w, &st->pop, st->wave_cap, st->seg_hists) == 0) {
			w->ready = true;
		} else {
			worker_free(w, &st->pop);
			w->failed = true;
		}
	}
	return w->ready;
}

/* Run replications [r0, r1) with design rows u (r - r0). */
static clv_status run_reps(run_state *st, uint64_t r0, uint64_t r1, const double *u,
                           clv_error *err)
{
	size_t n_seg = st->pop.n_seg, tpr = tasks_per_rep(st), n = st->pop.n;
	rep_model **wave = calloc(st->wave_cap, sizeof *wave);
	task *tasks = calloc(st->wave_cap * tpr, sizeof *tasks);
	stats_ksum *slots = calloc(st->wave_cap * tpr * (2 * (n + 1) + 2), sizeof *slots);
	uint64_t *counts = calloc(st->wave_cap * tpr * (n + 2), sizeof *counts);
	clv_status rc = CLV_OK;
	uint64_t w0;
	size_t i, k;

	if (!wave || !tasks || !slots || !counts) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < st->wave_cap; i++)
		if ((wave[i] = calloc(n_seg, sizeof **wave)) == NULL) {
			rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
			goto cleanup;
		}
	for (w0 = r0; w0 < r1 && rc == CLV_OK; w0 += st->wave_cap) {
		size_t nt, extra, wk = (size_t)(r1 - w0 < st->wave_cap ? r1 - w0 : st->wave_cap);
		long t;
		for (i = 0; i < wk && rc == CLV_OK; i++)
			for (k = 0; k < n_seg && rc == CLV_OK; k++) {
				rep_model_clear(&wave[i][k]);
				rc = rep_model_build(&wave[i][k], &st->pop.seg[k],
				                     u + (size_t)(w0 + i - r0) * st->pop.n_cols,
				                     st->pop.periods, err);
				if (rc == CLV_OK) {
					outer_part_record(st->pop.seg[k].outer, wave[i][k].values,
					              st->res->rep_input + (size_t)(w0 + i) * st->pop.n_cols);
					st->res->truncation_bound = fmax(st->res->truncation_bound,
						chain_truncation_bound(wave[i][k].model, st->pop.periods));
				}
			}
		for (i = 0; i < wk && rc == CLV_OK && st->exact != NULL; i++)
			rc = exact_values(st, wave[i], i, err);
		if (rc != CLV_OK)
			break;
		nt = make_tasks(st, w0, wk, tasks, slots, counts);
		extra = st->beside_pending ? 1 : 0; /* the caller's work first, beside the blocks */
		st->beside_pending = false;
#pragma omp parallel for schedule(dynamic, 1) num_threads(st->threads)
		for (t = 0; t < (long)(nt + extra); t++) {
			int me = 0;
#ifdef _OPENMP
			me = omp_get_thread_num();
#endif
			if (t < (long)extra) {
				st->cfg->beside(st->cfg->beside_ctx);
				continue;
			}
			if (interrupt_requested() || !worker_ready(st, &st->workers[me]))
				continue;
			run_task(&st->pop, wave, &st->workers[me], st->seed, &tasks[t - (long)extra]);
#pragma omp atomic update
			st->blocks_done++;
			if (me == 0)
				progress(st, r1);
		}
		if (interrupt_requested()) {
			rc = diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
			break;
		}
		for (i = 0; i < (size_t)st->threads; i++)
			if (st->workers[i].failed)
				rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the per-thread tables");
		if (rc != CLV_OK)
			break;
		reduce_wave(st, w0, wk, tasks, nt);
		st->reps_done = w0 + wk;
		progress(st, r1);
	}
cleanup:
	if (wave)
		for (i = 0; i < st->wave_cap; i++) {
			if (wave[i])
				for (k = 0; k < n_seg; k++)
					rep_model_clear(&wave[i][k]);
			free(wave[i]);
		}
	free(wave);
	free(tasks);
	free(slots);
	free(counts);
	return rc;
}

/* Which standard error fits this run (mc.h, mc_se_method). */
static mc_se_method se_method(const run_state *st)
{
	if (st->pop.n_cols > 0)
		return MC_SE_REPLICATIONS;
	return st->pop.n_seg > 1 ? MC_SE_STRATA : MC_SE_CUSTOMERS;
}

/* The run's design for the figures' standard errors (count and per_rep:
   n_seg entries each, filled here). */
static void figs_design(const run_state *st, uint64_t reps, mc_figs_design *d, uint64_t *count,
                        bool *per_rep)
{
	size_t k;

	for (k = 0; k < st->pop.n_seg; k++) {
		count[k] = st->pop.seg[k].count;
		per_rep[k] = st->pop.seg[k].outer->n_cols > 0;
	}
	memset(d, 0, sizeof *d);
	d->reps = reps;
	d->customers = st->cfg->customers;
	d->count = count;
	d->per_replication = per_rep;
	d->method = se_method(st);
}

/* sd / sqrt(R) of the replication values of column i (R - 1 df). */
static double rep_values_se(const run_state *st, uint64_t reps, size_t i, double *df)
{
	size_t n = st->pop.n;
	double mean = 0.0, ss = 0.0;
	uint64_t r;

	*df = (double)reps - 1.0;
	if (reps < 2)
		return NAN;
	for (r = 0; r < reps; r++)
		mean += st->res->rep_clv[r * (n + 1) + i];
	mean /= (double)reps;
	for (r = 0; r < reps; r++) {
		double x = st->res->rep_clv[r * (n + 1) + i] - mean;
		ss += x * x;
	}
	return sqrt(ss / (double)(reps - 1) / (double)reps);
}

/* se of the mean CLV of column i (state, or n = total) after reps
   replications, by the run's method; *df its degrees of freedom. */
static double mean_se(const run_state *st, uint64_t reps, size_t i, double *df)
{
	uint64_t count[CLV_MAX_SEGMENTS];
	bool per_rep[CLV_MAX_SEGMENTS];
	mc_figs_design d;

	if (st->exact != NULL) /* exact replication values: the spread of those */
		return rep_values_se(st, reps, i, df);
	figs_design(st, reps, &d, count, per_rep);
	return mc_figs_se(&st->figs, &d, i, df);
}

/* The 95% CI half-width of the mean total CLV so far (Student t). */
static double half_width(const run_state *st, uint64_t reps)
{
	double df, se = mean_se(st, reps, st->pop.n, &df);

	return isnan(se) ? (double)INFINITY : mc_t_quantile(0.95, df) * se;
}

/* The mean total CLV so far: of the replication values when they are
   exact, else of every customer. */
static double mean_total(const run_state *st, uint64_t reps)
{
	size_t n = st->pop.n;
	double sum = 0.0;
	uint64_t r;

	if (st->exact == NULL)
		return stats_ksum_value(&st->grand_sum[n]) / ((double)reps * (double)st->cfg->customers);
	for (r = 0; r < reps; r++)
		sum += st->res->rep_clv[r * (n + 1) + n];
	return sum / (double)reps;
}

static bool precise_enough(const run_state *st, uint64_t reps)
{
	double hw = half_width(st, reps), target = st->cfg->precision;
	double mean = mean_total(st, reps);

	if (st->cfg->precision_relative)
		target *= fabs(mean);
	return hw <= target;
}

/* Per-batch outer design (u rows for replications r0..r0+reps-1); each
   batch its own design, from a seed derived from the batch number. */
static clv_status batch_design(const run_state *st, uint64_t batch, uint64_t reps, double *u,
                               clv_error *err)
{
	return outer_design_sample(&st->pop.outer, reps, st->cfg->sampling,
	                           st->seed + batch * 0x9e3779b97f4a7c15ULL, u, err);
}

/* *from merged into *into; when *into is empty (as made: nothing has been
   added or merged into it), the two are exchanged instead: the same
   histogram (merging into an empty one copies), without a pass over the
   bins or a page of the fresh one touched. The worker keeps the empty
   one, to free. */
static void hist_take(stats_hist **into, stats_hist **from)
{
	if ((*into)->n == 0) {
		stats_hist *fresh = *into;
		*into = *from;
		*from = fresh;
	} else {
		stats_hist_merge(*into, *from);
	}
}

static void summarise(run_state *st, uint64_t reps)
{
	mc_result *res = st->res;
	size_t n = st->pop.n, i;
	uint64_t r, total_customers = reps * st->cfg->customers;
	int th;

	res->replications = reps;
	for (th = 0; th < st->threads; th++) /* every segment's histograms into the mixture's */
		for (i = 0; i < st->workers[th].n_hist; i++)
			hist_take(&res->hist[i % (n + 1)], &st->workers[th].hist[i]);
	res->se_method = se_method(st);
	for (i = 0; i <= n; i++) {
		stats_summary_from_hist(&res->clv[i], total_customers, stats_ksum_value(&st->grand_sum[i]),
		                        stats_ksum_value(&st->grand_sumsq[i]), res->hist[i]);
		res->clv[i].se = mean_se(st, reps, i, &res->se_df);
	}
	res->exact_replications = st->exact != NULL;
	for (i = 0; i <= n && st->exact != NULL; i++) { /* the mean of the exact values */
		stats_ksum k = {0, 0};
		for (r = 0; r < reps; r++)
			stats_ksum_add(&k, res->rep_clv[r * (n + 1) + i]);
		res->clv[i].mean = stats_ksum_value(&k) / (double)reps;
	}
	mc_result_summarise_replications(res);
}

/* Each segment's histograms merged over the threads (NULL when the run
   keeps one set): n_seg x (n + 1), freed by hists_free. */
static stats_hist **segment_hists(const run_state *st)
{
	size_t i, H = st->pop.n_seg * (st->pop.n + 1);
	stats_hist **h;
	int th;

	if (!st->seg_hists || (h = calloc(H, sizeof *h)) == NULL)
		return NULL;
	for (i = 0; i < H; i++) {
		if ((h[i] = stats_hist_create()) == NULL) {
			while (i-- > 0)
				stats_hist_free(h[i]);
			free(h);
			return NULL;
		}
		for (th = 0; th < st->threads; th++)
			if (st->workers[th].ready)
				stats_hist_merge(h[i], st->workers[th].hist[i]);
	}
	return h;
}

/* Segments, offer spend and event probabilities (mc_figures.h). */
static clv_status summarise_figures(run_state *st, const clv_scenario *s, uint64_t reps,
                                    clv_error *err)
{
	uint64_t count[CLV_MAX_SEGMENTS];
	bool per_rep[CLV_MAX_SEGMENTS];
	stats_hist **h = segment_hists(st);
	size_t k, H = st->pop.n_seg * (st->pop.n + 1);
	mc_figs_design d;
	clv_status rc;

	figs_design(st, reps, &d, count, per_rep);
	d.n_segments = s->n_segments;
	d.seg_hist = h;
	rc = mc_figs_summarise(&st->figs, &d, st->res, err);
	for (k = 0; h != NULL && k < H; k++)
		stats_hist_free(h[k]);
	free(h);
	return rc;
}

static clv_status run_batches(run_state *st, clv_error *err)
{
	const mc_config *cfg = st->cfg;
	uint64_t batch, reps = cfg->replications, max = cfg->precision > 0 ? cfg->max_batches : 1;
	double *u = malloc((size_t)reps * (st->pop.n_cols + 1) * sizeof *u);
	clv_status rc = CLV_OK;

	if (u == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (batch = 0; batch < max && rc == CLV_OK; batch++) {
		uint64_t r0 = batch * reps;
		if (r0 + reps > CLV_MAX_REPLICATIONS)
			break;
		rc = grow_tables(st, r0 + reps, err);
		if (rc == CLV_OK)
			rc = batch_design(st, batch, reps, u, err);
		if (rc == CLV_OK)
			rc = run_reps(st, r0, r0 + reps, u, err);
		if (rc == CLV_OK && cfg->precision > 0 && precise_enough(st, r0 + reps)) {
			st->res->precision_reached = true;
			break;
		}
	}
	free(u);
	return rc;
}

/* threads of cfg: its own, or OpenMP's default. */
static int threads_of(const mc_config *cfg)
{
#ifdef _OPENMP
	return cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
#else
	(void)cfg;
	return 1;
#endif
}

clv_status mc_estimate(clv_scenario *s, const mc_config *cfg, mc_budget *out, clv_error *err)
{
	run_state st;
	mc_shape sh;
	clv_status rc;

	memset(&st, 0, sizeof st);
	st.cfg = cfg;
	st.threads = threads_of(cfg);
	rc = mc_population_init(&st.pop, s, cfg->customers, err);
	if (rc == CLV_OK) {
		shape_of(&st, s, &sh);
		mc_budget_plan(&sh, out);
	}
	mc_population_free(&st.pop);
	return rc;
}

/* Exact replication values when asked for and possible (mc_exact.h). */
static clv_status exact_init(run_state *st, clv_scenario *s, clv_error *err)
{
	size_t n = st->pop.n, rows_out = (size_t)(st->res->periods + 1) * n;

	if (!st->cfg->exact_replications || !mc_exact_applies(s))
		return CLV_OK;
	st->exact = mc_exact_create(s, st->res->periods, err);
	if (st->exact == NULL)
		return err->status;
	st->ex_clv = calloc(st->wave_cap * (n + 1), sizeof *st->ex_clv);
	st->ex_share = calloc(st->wave_cap * rows_out, sizeof *st->ex_share);
	if (st->ex_clv == NULL || st->ex_share == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return CLV_OK;
}

mc_result *mc_run(clv_scenario *s, const mc_config *cfg, clv_error *err)
{
	run_state st;
	clv_status rc;
	size_t n = s->n, i;
	mc_shape sh;
	mc_budget plan;

	if (cfg->mode == MC_MODE_AGGREGATE ||
	    (cfg->mode == MC_MODE_AUTO && aggregate_preferred(s, cfg)))
		return aggregate_run(s, cfg, err); /* the population engine */
	memset(&st, 0, sizeof st);
	st.cfg = cfg;
	st.beside_pending = cfg->beside != NULL;
	st.seed = cfg->independent ? cfg->seed ^ (0xa0761d6478bd642fULL * (cfg->scenario_index + 1))
	                           : cfg->seed;
	st.threads = threads_of(cfg);
	rc = mc_population_init(&st.pop, s, cfg->customers, err);
	if (rc == CLV_OK && s->infinite && st.pop.periods < cfg->share_periods)
		st.pop.periods = cfg->share_periods; /* the share rows shown */
	if (rc == CLV_OK) {
		shape_of(&st, s, &sh);
		mc_budget_plan(&sh, &plan); /* every allocation below is counted there */
		rc = mc_budget_check(&plan, NULL, err);
	}
	/* a histogram set per segment when their nominal size allows */
	st.seg_hists = st.pop.n_seg > 1 &&
	               (double)st.threads * (double)st.pop.n_seg * (double)(n + 1) *
	                       sizeof(stats_hist) <= CLV_MEMORY_BUDGET / 4.0;
	if (rc == CLV_OK)
		rc = mc_figs_init(&st.figs, n, st.pop.n_seg, err);
	if (rc != CLV_OK)
		goto cleanup;
	st.wave_cap = plan.wave_cap;
	st.res = mc_result_create(n, report_periods(&st, s));
	st.workers = calloc((size_t)st.threads, sizeof *st.workers);
	st.grand_sum = calloc(2 * (n + 1), sizeof *st.grand_sum);
	if (st.res == NULL || st.workers == NULL || st.grand_sum == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		goto cleanup;
	}
	st.grand_sumsq = st.grand_sum + n + 1;
	rc = exact_init(&st, s, err);
	st.blocks_per_rep = tasks_per_rep(&st);
	progress_start(&st.bar, cfg->progress, cfg->predict, plan.steps, "purchase steps",
	               st.threads);
	if (rc == CLV_OK)
		rc = run_batches(&st, err);
	if (rc == CLV_OK)
		rc = summarise_figures(&st, s, st.reps_done, err);
	if (rc == CLV_OK) {
		summarise(&st, st.reps_done);
		rc = mc_result_keep_share_end(st.res, err);
	}
	if (rc == CLV_OK) {
		if (!cfg->keep_rep_share) { /* summarised: the result does not keep it */
			free(st.res->rep_share);
			st.res->rep_share = NULL;
		}
		st.res->customers = cfg->customers;
		st.res->seed = cfg->seed;
		st.res->threads = st.threads;
		st.res->half_width = half_width(&st, st.reps_done);
		st.res->simulated_periods = st.pop.periods;
		st.res->n_inputs = st.pop.n_cols;
		st.res->input_name = st.pop.outer.col_name; /* moved into the result */
		st.pop.outer.col_name = NULL;
		for (i = 0; i < st.pop.n_seg; i++) /* nominal: absorbed customers stop early */
			st.res->steps += st.reps_done * st.pop.seg[i].count * (uint64_t)(st.pop.periods + 1) *
			                 (uint64_t)llround(fmax(1.0, st.pop.seg[i].mean_model->purchases));
	}
cleanup:
	if (st.workers)
		for (i = 0; i < (size_t)st.threads; i++)
			worker_free(&st.workers[i], &st.pop);
	free(st.workers);
	free(st.grand_sum);
	mc_figs_clear(&st.figs);
	mc_exact_free(st.exact);
	free(st.ex_clv);
	free(st.ex_share);
	mc_population_free(&st.pop);
	if (rc != CLV_OK) {
		mc_free(st.res);
		return NULL;
	}
	return st.res;
}
