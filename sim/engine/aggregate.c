/*
 * aggregate.c - stage engine: the population engine (contract and method
 * in aggregate.h).
 *
 * Structure, as mc.c's: tiers (segments) with their columns of the outer
 * design; batches of replications (one, or more under --precision, each
 * with the design of mc.c's batch seed); within a batch the replications
 * run in an OpenMP loop, each on its own streams and writing only its own
 * rows, so the result does not depend on the thread count.
 *
 * One tier of one replication: counts[x] customers in state x; the first
 * purchase's state is multinomial(N, initial); in period t (phase: offer
 * or base) every purchase earns count_x x margin_x (1+g)^t/(1+r)^t in
 * state x (the first of the period also pays count_x x cost_x (1+r)^-t)
 * and the counts move by multinomial splits of each state's count over
 * its row. Rewards are summed with Neumaier's compensated sums. Once
 * every customer sits in an absorbing state with no margin and no cost
 * after the offers, nothing moves any more: the remaining share rows are
 * copied and the walk stops.
 */
#include "engine/aggregate.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "base/dist.h"
#include "base/interrupt.h"
#include "base/rng.h"
#include "base/stats.h"
#include "engine/chain.h"
#include "engine/model.h"
#include "engine/outer.h"
#include "scenario/scenario.h"

#define TWO33 8589934592.0

/* ---- what can be aggregated ------------------------------------------------------ */

static bool find_per_customer(clv_scenario *s, const char *prefix, char *label, size_t len)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool found = false;

	for (k = 0; params != NULL && k < n_params && !found; k++)
		if (dist_is_uncertain(params[k]) && params[k]->per == PER_CUSTOMER) {
			snprintf(label, len, "%s%s", prefix, params[k]->label);
			found = true;
		}
	free(params);
	for (k = 0; k < s->n_segments && !found; k++) {
		char pre[160];
		snprintf(pre, sizeof pre, "segments.%s.", s->segment_name[k]);
		found = find_per_customer(s->segments[k], pre, label, len);
	}
	return found;
}

bool aggregate_supported(clv_scenario *s, char *why, size_t len)
{
	char label[160];

	if (!find_per_customer(s, "", label, sizeof label))
		return true;
	if (why != NULL)
		snprintf(why, len, "--mode aggregate cannot aggregate \"%s\" exactly: it is drawn per "
	         "customer, so customers in the same state are not alike (the engine moves counts, "
	         "not customers); use --mode customers, or draw it per replication", label);
	return false;
}

/* ---- the tiers and their budget ------------------------------------------------------- */

typedef struct tier {
	clv_scenario *s;
	model_values *means;
	clv_model *mean_model;
	uint64_t count;          /* customers */
	double weight;
} tier;

typedef struct agg {
	const mc_config *cfg;
	clv_scenario *s;
	size_t n, n_tier;
	tier t[CLV_MAX_SEGMENTS];
	outer_design design;
	long periods;            /* walked: 0..periods */
	uint64_t seed;
	int threads;
	mc_result *res;
} agg;

static void agg_clear(agg *a)
{
	size_t k;

	for (k = 0; k < a->n_tier; k++) {
		model_values_free(a->t[k].means);
		model_free(a->t[k].mean_model);
	}
	outer_design_clear(&a->design);
}

/* Purchase counts of a Poisson table (as chain.c's: tail below 2^-33). */
static size_t poisson_len(double F)
{
	size_t k = (size_t)(F + 12.0 * sqrt(F) + 20.0);

	while (gsl_cdf_poisson_Q((unsigned)k, F) > 1.0 / TWO33)
		k += 1 + k / 8;
	return k + 1;
}

/* Binomial draws per period of tier k, roughly (the budget's unit). */
static double period_work(const clv_model *m)
{
	double n2 = (double)m->n * (double)m->n;

	if (m->poisson) {
		double K = (double)poisson_len(m->purchases);
		return n2 * (K * K / 2.0 + K);
	}
	return n2 * fmax(1.0, m->purchases);
}

static clv_status agg_init(agg *a, clv_scenario *s, const mc_config *cfg, clv_error *err)
{
	const model_values *means[CLV_MAX_SEGMENTS];
	uint64_t given = 0;
	size_t k;
	clv_status rc = CLV_OK;

	memset(a, 0, sizeof *a);
	a->cfg = cfg;
	a->s = s;
	a->n = s->n;
	a->n_tier = s->n_segments ? s->n_segments : 1;
	for (k = 0; k < a->n_tier && rc == CLV_OK; k++) {
		tier *tr = &a->t[k];
		long p;
		tr->s = s->n_segments ? s->segments[k] : s;
		tr->weight = s->n_segments ? s->segment_weight[k] : 1.0;
		if ((tr->means = model_values_at_means(tr->s, err)) == NULL ||
		    (tr->mean_model = model_create(s->n)) == NULL)
			return tr->means ? diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory") : err->status;
		rc = model_build(tr->s, tr->means, tr->mean_model, err);
		means[k] = tr->means;
		/* the horizon walked as mc.c walks it */
		p = rc == CLV_OK ? chain_periods(tr->mean_model) : 0;
		if (s->infinite &&
		    (dist_is_uncertain(&tr->s->discount) || dist_is_uncertain(&tr->s->spend_growth)))
			p = p * 2 < CLV_MAX_HORIZON ? p * 2 : CLV_MAX_HORIZON;
		if (s->infinite && p < cfg->share_periods) /* the share rows shown */
			p = cfg->share_periods;
		a->periods = p > a->periods ? p : a->periods;
		/* customers per tier by largest remainder, as mc.c splits them */
		tr->count = (uint64_t)floor(tr->weight * (double)cfg->customers);
		given += tr->count;
	}
	for (k = 0; given < cfg->customers; k = (k + 1) % a->n_tier, given++)
		a->t[k].count++;
	if (rc == CLV_OK)
		rc = outer_design_init(&a->design, s, means, err);
	a->seed = cfg->independent ? cfg->seed ^ (0xa0761d6478bd642fULL * (cfg->scenario_index + 1))
	                           : cfg->seed;
	return rc;
}

double aggregate_work(clv_scenario *s, const mc_config *cfg)
{
	agg a;
	clv_error err = {0};
	double per_rep = 0.0, reps;
	size_t k;

	if (agg_init(&a, s, cfg, &err) != CLV_OK) {
		agg_clear(&a);
		return NAN;
	}
	for (k = 0; k < a.n_tier; k++)
		per_rep += ((double)a.periods + 1.0) * period_work(a.t[k].mean_model);
	reps = (double)cfg->replications * (cfg->precision > 0 ? (double)cfg->max_batches : 1.0);
	agg_clear(&a);
	return per_rep * reps;
}

bool aggregate_preferred(clv_scenario *s, const mc_config *cfg)
{
	agg a;
	clv_error err = {0};
	double steps = 0.0, reps;
	size_t k;

	if (!aggregate_supported(s, NULL, 0))
		return false;
	if (agg_init(&a, s, cfg, &err) != CLV_OK) {
		agg_clear(&a);
		return false;
	}
	reps = (double)cfg->replications * (cfg->precision > 0 ? (double)cfg->max_batches : 1.0);
	for (k = 0; k < a.n_tier; k++)
		steps += reps * (double)a.t[k].count * ((double)a.periods + 1.0) *
		         fmax(1.0, a.t[k].mean_model->purchases);
	agg_clear(&a);
	return steps > MC_AUTO_AGGREGATE_STEPS && aggregate_work(s, cfg) < steps;
}

static long share_rows(const agg *a)
{
	return a->s->infinite ? (a->cfg->share_periods < a->periods ? a->cfg->share_periods : a->periods)
	                      : a->periods;
}

static clv_status check_limits(const agg *a, clv_error *err)
{
	double work = aggregate_work(a->s, a->cfg), rows = (double)share_rows(a) + 1.0;
	double reps = (double)a->cfg->replications *
	              (a->cfg->precision > 0 ? (double)a->cfg->max_batches : 1.0);
	double bytes = reps * (rows * (double)a->n + (double)a->n + 1.0 + (double)a->design.n_cols) *
	               sizeof(double);

	if (bytes > CLV_MEMORY_BUDGET)
		return diag_set(err, CLV_ERR_LIMIT, NULL,
		                "this run would need about %.0f MiB for its tables (%.0f replications x "
		                "%.0f periods x %zu states), over the budget of %.0f MiB; use fewer "
		                "replications, periods or --precision batches",
		                bytes / 1048576.0, reps, rows, a->n, CLV_MEMORY_BUDGET / 1048576.0);
	if (!(work <= AGGREGATE_MAX_WORK))
		return diag_set(err, CLV_ERR_LIMIT, NULL,
		                "--mode aggregate: this run would draw about %.3g binomials "
		                "(replications x periods x purchases x states^2), over its limit of %.3g",
		                work, AGGREGATE_MAX_WORK);
	return CLV_OK;
}

/* ---- one tier of one replication -------------------------------------------------------- */

/* A thread's scratch. */
typedef struct scratch {
	gsl_rng *g;
	clv_model *model[CLV_MAX_SEGMENTS];
	model_values *values[CLV_MAX_SEGMENTS];
	unsigned *counts, *next, *split;  /* n each; split: n (rows) or K */
	unsigned *group, *group2;         /* n x K: customers by purchases left */
	double *pmf;                      /* K */
	size_t K;
} scratch;

static void scratch_free(scratch *w, size_t n_tier)
{
	size_t k;

	if (w->g)
		gsl_rng_free(w->g);
	for (k = 0; k < n_tier; k++) {
		model_free(w->model[k]);
		model_values_free(w->values[k]);
	}
	free(w->counts);
	free(w->next);
	free(w->split);
	free(w->group);
	free(w->group2);
	free(w->pmf);
}

static int scratch_init(scratch *w, const agg *a)
{
	size_t k, n = a->n, K = 1;

	memset(w, 0, sizeof *w);
	for (k = 0; k < a->n_tier; k++)
		if (a->t[k].mean_model->poisson) {
			size_t len = poisson_len(a->t[k].mean_model->purchases);
			K = len > K ? len : K;
		}
	w->K = K;
	w->g = gsl_rng_alloc(rng_gsl_pcg32);
	w->counts = calloc(n, sizeof *w->counts);
	w->next = calloc(n, sizeof *w->next);
	w->split = calloc(n > K ? n : K, sizeof *w->split);
	w->group = calloc(n * K, sizeof *w->group);
	w->group2 = calloc(n * K, sizeof *w->group2);
	w->pmf = calloc(K, sizeof *w->pmf);
	if (!w->g || !w->counts || !w->next || !w->split || !w->group || !w->group2 || !w->pmf)
		return -1;
	for (k = 0; k < a->n_tier; k++) {
		w->model[k] = model_create(n);
		w->values[k] = model_values_at_means(a->t[k].s, &(clv_error){0});
		if (w->model[k] == NULL || w->values[k] == NULL)
			return -1;
	}
	return 0;
}

/* out[y] += multinomial(N, row) (row of n probabilities). */
static void split_add(gsl_rng *g, unsigned N, const double *row, size_t n, unsigned *tmp,
                      unsigned *out)
{
	size_t y;

	if (N == 0)
		return;
	gsl_ran_multinomial(g, n, N, row, tmp);
	for (y = 0; y < n; y++)
		out[y] += tmp[y];
}

/* All customers in absorbing states with nothing to earn or pay? */
static bool all_dead(const clv_model *m, const unsigned *counts)
{
	size_t x, n = m->n;

	for (x = 0; x < n; x++)
		if (counts[x] > 0 &&
		    !(m->P[x * n + x] == 1.0 && m->margin[x] == 0.0 && m->cost[x] == 0.0))
			return false;
	return true;
}

/* The purchases of one period with Poisson counts: earn and move. */
static void poisson_period(const clv_model *m, scratch *w, const double *P, const double *margin,
                           const double *forgone, double grow, stats_ksum *clv,
                           stats_ksum *spend)
{
	size_t n = m->n, K = w->K, x, k;
	bool more = true;

	memset(w->group, 0, n * K * sizeof *w->group);
	for (x = 0; x < n; x++) /* customers of x by their purchases this period */
		if (w->counts[x] > 0) {
			gsl_ran_multinomial(w->g, K, w->counts[x], w->pmf, w->split);
			memcpy(w->group + x * K, w->split, K * sizeof *w->split);
		}
	while (more) { /* one purchase of everyone with purchases left */
		more = false;
		memset(w->group2, 0, n * K * sizeof *w->group2);
		for (x = 0; x < n; x++) {
			w->group2[x * K] += w->group[x * K];
			for (k = 1; k < K; k++) {
				unsigned N = w->group[x * K + k];
				size_t y;
				if (N == 0)
					continue;
				stats_ksum_add(&clv[x], (double)N * margin[x] * grow);
				if (forgone != NULL && forgone[x] != 0.0)
					stats_ksum_add(spend, (double)N * forgone[x] * grow);
				gsl_ran_multinomial(w->g, n, N, P + x * n, w->split);
				for (y = 0; y < n; y++)
					w->group2[y * K + k - 1] += w->split[y];
				more = more || k > 1;
			}
		}
		memcpy(w->group, w->group2, n * K * sizeof *w->group);
	}
	for (x = 0; x < n; x++)
		w->counts[x] = w->group[x * K];
}

/* Tier k of replication r: its population walks periods 0..periods; its
   rewards into clv (n; the margin at full price while offers run), what
   the offers cost (their cost per period, the margin a discount gives up)
   into spend, its counts at the start of share rows into share
   ((rows + 1) x n). */
static void run_tier(const agg *a, scratch *w, uint64_t r, size_t k, stats_ksum *clv,
                     stats_ksum *spend, double *share)
{
	const clv_model *m = w->model[k];
	size_t n = a->n, x, y;
	long rows = share_rows(a), t, j, F = m->poisson ? 0 : (long)llround(m->purchases);
	double lg = log1p(m->growth) - log1p(m->discount), ld = log1p(m->discount);
	rng_pcg32 st;

	rng_keyed_stream(&st, a->seed, rng_key("aggregate"), r, k);
	rng_gsl_set_state(w->g, &st);
	memset(w->counts, 0, n * sizeof *w->counts);
	split_add(w->g, (unsigned)a->t[k].count, m->initial, n, w->split, w->counts);
	if (m->poisson) {
		size_t K = w->K, len = poisson_len(m->purchases), i;
		for (i = 0; i < K; i++)
			w->pmf[i] = i + 1 < len ? gsl_ran_poisson_pdf((unsigned)i, m->purchases)
			          : i + 1 == len ? gsl_cdf_poisson_Q((unsigned)i - 1, m->purchases) : 0.0;
	}
	for (t = 0; t <= a->periods; t++) {
		const int ph = t < m->offer_periods;
		const double *P = ph ? m->P_offer : m->P;
		const double *margin = m->margin; /* full price: a discount's cut is spend */
		const double *cost = ph ? m->cost_offer : m->cost;
		double forgone[CLV_MAX_STATES];
		bool any_forgone = false;
		const double grow = exp((double)t * lg), disc = exp(-(double)t * ld);
		if (t <= rows)
			for (x = 0; x < n; x++)
				share[(size_t)t * n + x] += (double)w->counts[x];
		if (!ph && all_dead(m, w->counts)) { /* nothing moves or earns any more */
			long u;
			for (u = t + 1; u <= rows; u++)
				for (x = 0; x < n; x++)
					share[(size_t)u * n + x] += (double)w->counts[x];
			break;
		}
		for (x = 0; x < n; x++) {
			forgone[x] = ph ? m->margin[x] - m->margin_offer[x] : 0.0;
			any_forgone = any_forgone || forgone[x] != 0.0;
			if (w->counts[x] > 0 && cost[x] != 0.0)
				stats_ksum_add(&clv[x], -(double)w->counts[x] * cost[x] * disc);
			if (ph && w->counts[x] > 0 && m->offer_cost[x] != 0.0)
				stats_ksum_add(spend, (double)w->counts[x] * m->offer_cost[x] * disc);
		}
		if (m->poisson) {
			poisson_period(m, w, P, margin, any_forgone ? forgone : NULL, grow, clv, spend);
			continue;
		}
		for (j = 0; j < F; j++) {
			memset(w->next, 0, n * sizeof *w->next);
			for (x = 0; x < n; x++) {
				if (w->counts[x] == 0)
					continue;
				if (margin[x] != 0.0)
					stats_ksum_add(&clv[x], (double)w->counts[x] * margin[x] * grow);
				if (forgone[x] != 0.0)
					stats_ksum_add(spend, (double)w->counts[x] * forgone[x] * grow);
				split_add(w->g, w->counts[x], P + x * n, n, w->split, w->next);
			}
			for (y = 0; y < n; y++)
				w->counts[y] = w->next[y];
		}
	}
}

/* ---- replications and batches ------------------------------------------------------------- */

/* Replication r (design row u): every tier's model from its draws, its
   walk, the replication's rows of the result. */
static clv_status run_replication(const agg *a, scratch *w, uint64_t r, const double *u,
                                  clv_error *err)
{
	mc_result *res = a->res;
	size_t n = a->n, k, x, cells = (size_t)(res->periods + 1) * n;
	double C = (double)a->cfg->customers, acq = 0.0, *share = res->rep_share + (size_t)r * cells;
	double *clv = res->rep_clv + (size_t)r * (n + 1);
	stats_ksum sum[CLV_MAX_STATES], spend = {0, 0};
	clv_status rc;

	memset(sum, 0, sizeof sum);
	memset(share, 0, cells * sizeof *share);
	for (k = 0; k < a->n_tier; k++) {
		model_values *v = w->values[k];
		memcpy(v->param, a->t[k].means->param, v->n_params * sizeof *v->param);
		memcpy(v->dirichlet, a->t[k].means->dirichlet, n * n * sizeof *v->dirichlet);
		outer_part_draw(&a->design.part[k], u, v);
		outer_part_record(&a->design.part[k], v,
		                  res->rep_input + (size_t)r * a->design.n_cols);
		if ((rc = model_build(a->t[k].s, v, w->model[k], err)) != CLV_OK)
			return rc;
		run_tier(a, w, r, k, sum, &spend, share);
		acq += (double)a->t[k].count * w->model[k]->acquisition;
	}
	clv[n] = -acq / C - stats_ksum_value(&spend) / C; /* the states, less spend and acquisition */
	if (res->rep_offer_spend != NULL)
		res->rep_offer_spend[r] = stats_ksum_value(&spend) / C;
	for (x = 0; x < n; x++) {
		clv[x] = stats_ksum_value(&sum[x]) / C;
		clv[n] += clv[x];
	}
	for (x = 0; x < cells; x++)
		share[x] /= C;
	return CLV_OK;
}

/* Replications [r0, r0 + reps) with the batch's design u. */
static clv_status run_batch(agg *a, scratch *ws, uint64_t r0, uint64_t reps, const double *u,
                            clv_error *err)
{
	long i;
	int failed = 0;
	clv_error first = {0};

#pragma omp parallel for schedule(dynamic, 1) num_threads(a->threads)
	for (i = 0; i < (long)reps; i++) {
		int me = 0;
		clv_error e = {0};
#ifdef _OPENMP
		me = omp_get_thread_num();
#endif
		if (failed || interrupt_requested())
			continue;
		if (run_replication(a, &ws[me], r0 + (uint64_t)i, u + (size_t)i * a->design.n_cols, &e) !=
		    CLV_OK) {
#pragma omp critical(aggregate_error)
			if (!failed) {
				failed = 1;
				first = e;
			}
		}
	}
	if (failed) {
		*err = first;
		return first.status;
	}
	if (interrupt_requested())
		return diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
	return CLV_OK;
}

/* Mean, se (by replications) and interval of the first reps replications. */
static void summarise(agg *a, uint64_t reps)
{
	mc_result *res = a->res;
	size_t n = a->n, i;
	uint64_t r;

	res->replications = reps;
	res->se_method = MC_SE_REPLICATIONS;
	res->se_df = (double)reps - 1.0;
	for (i = 0; i <= n; i++) {
		stats_ksum s = {0, 0};
		double mean, ss = 0.0;
		for (r = 0; r < reps; r++)
			stats_ksum_add(&s, res->rep_clv[r * (n + 1) + i]);
		mean = stats_ksum_value(&s) / (double)reps;
		for (r = 0; r < reps; r++)
			ss += pow(res->rep_clv[r * (n + 1) + i] - mean, 2);
		res->clv[i].n = reps * a->cfg->customers;
		res->clv[i].mean = mean;
		res->clv[i].se = reps > 1 ? sqrt(ss / (double)(reps - 1) / (double)reps) : (double)NAN;
		res->clv[i].sd = res->clv[i].p05 = res->clv[i].p25 = res->clv[i].p50 = NAN;
		res->clv[i].p75 = res->clv[i].p95 = NAN;
	}
	res->half_width = reps > 1 ? mc_t_quantile(0.95, res->se_df) * res->clv[n].se : (double)INFINITY;
	/* the offer spend is in the totals but not kept apart per customer here */
	res->offer_spend.mean = res->offer_spend.se = res->offer_spend.sd = NAN;
	mc_result_summarise_replications(res);
}

static bool precise_enough(agg *a, uint64_t reps)
{
	double target = a->cfg->precision;

	summarise(a, reps);
	if (a->cfg->precision_relative)
		target *= fabs(a->res->clv[a->n].mean);
	return a->res->half_width <= target;
}

static clv_status run_batches(agg *a, scratch *ws, clv_error *err)
{
	const mc_config *cfg = a->cfg;
	uint64_t batch, reps = cfg->replications, max = cfg->precision > 0 ? cfg->max_batches : 1, done = 0;
	double *u = malloc((size_t)reps * (a->design.n_cols + 1) * sizeof *u);
	clv_status rc = CLV_OK;

	if (u == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (batch = 0; batch < max && rc == CLV_OK; batch++) {
		uint64_t r0 = batch * reps;
		if (r0 + reps > CLV_MAX_REPLICATIONS)
			break;
		rc = mc_result_grow(a->res, r0 + reps, a->design.n_cols, err);
		if (rc == CLV_OK) /* mc.c's batch design: the same draws */
			rc = outer_design_sample(&a->design, reps, cfg->sampling,
			                         a->seed + batch * 0x9e3779b97f4a7c15ULL, u, err);
		if (rc == CLV_OK)
			rc = run_batch(a, ws, r0, reps, u, err);
		if (rc == CLV_OK)
			done = r0 + reps;
		if (rc == CLV_OK && cfg->precision > 0 && precise_enough(a, done)) {
			a->res->precision_reached = true;
			break;
		}
	}
	free(u);
	if (rc == CLV_OK)
		summarise(a, done);
	return rc;
}

static void finish(agg *a, const scratch *ws)
{
	mc_result *res = a->res;
	uint64_t r;
	size_t k;

	(void)ws;
	res->engine = MC_MODE_AGGREGATE;
	res->customers = a->cfg->customers;
	res->seed = a->cfg->seed;
	res->threads = a->threads;
	res->simulated_periods = a->periods;
	res->n_inputs = a->design.n_cols;
	res->input_name = a->design.col_name; /* moved into the result */
	a->design.col_name = NULL;
	for (k = 0; k < a->n_tier; k++)
		res->steps += res->replications * a->t[k].count * (uint64_t)(a->periods + 1) *
		              (uint64_t)llround(fmax(1.0, a->t[k].mean_model->purchases));
	for (r = 0; a->s->infinite && r < res->replications; r++) {
		/* each replication's truncation bound, from its drawn models */
		model_values *v;
		for (k = 0; k < a->n_tier; k++) {
			clv_error e = {0};
			clv_model *m = model_create(a->n);
			v = model_values_at_means(a->t[k].s, &e);
			if (m != NULL && v != NULL) {
				outer_part_apply(&a->design.part[k], res->rep_input + r * res->n_inputs, v);
				if (model_build(a->t[k].s, v, m, &e) == CLV_OK)
					res->truncation_bound =
						fmax(res->truncation_bound, chain_truncation_bound(m, a->periods));
			}
			model_free(m);
			model_values_free(v);
		}
	}
}

mc_result *aggregate_run(clv_scenario *s, const mc_config *cfg, clv_error *err)
{
	agg a;
	scratch *ws = NULL;
	char why[600];
	clv_status rc;
	int i;

	if (!aggregate_supported(s, why, sizeof why)) {
		diag_set(err, CLV_ERR_INPUT, NULL, "%s", why);
		return NULL;
	}
	rc = agg_init(&a, s, cfg, err);
#ifdef _OPENMP
	a.threads = cfg->threads > 0 ? cfg->threads : omp_get_max_threads();
#else
	a.threads = 1;
#endif
	if (rc == CLV_OK)
		rc = check_limits(&a, err);
	if (rc == CLV_OK && (a.res = mc_result_create(s->n, share_rows(&a))) == NULL)
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (rc == CLV_OK && (ws = calloc((size_t)a.threads, sizeof *ws)) == NULL)
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; rc == CLV_OK && i < a.threads; i++)
		if (scratch_init(&ws[i], &a) != 0)
			rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (rc == CLV_OK)
		rc = run_batches(&a, ws, err);
	if (rc == CLV_OK)
		finish(&a, ws);
	if (rc == CLV_OK)
		rc = mc_result_keep_share_end(a.res, err);
	for (i = 0; ws != NULL && i < a.threads; i++)
		scratch_free(&ws[i], a.n_tier);
	free(ws);
	agg_clear(&a);
	if (rc != CLV_OK) {
		mc_free(a.res);
		return NULL;
	}
	return a.res;
}
