/*
 * mc_figures.c - stage engine: each customer tier's figures, the offer
 * spend and the event probabilities of a Monte Carlo run, from sums kept
 * per (replication, tier) (contract in mc_figures.h).
 *
 * Standard errors follow docs/statistics.md. For the whole base, the
 * run's method: sd of the R replication averages / sqrt(R) when
 * something is drawn per replication; the stratified se over the tiers
 * (fixed shares w_k, within-tier variances, Welch-Satterthwaite df) when
 * there are tiers and nothing per replication; else sd / sqrt(C R). For
 * one tier alone there are no strata: by replications when the tier
 * draws an assumption per replication (its customers share it), else
 * over its count x R independent customers. A probability is the mean of
 * an indicator, so it takes the same estimates (the sum of squares of an
 * indicator is its count).
 */
#include "engine/mc_figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

clv_status mc_figs_init(mc_figs *f, size_t n, size_t n_seg, clv_error *err)
{
	memset(f, 0, sizeof *f);
	f->n = n;
	f->n_seg = n_seg;
	f->sum = calloc(2 * n_seg * MC_FIGS(n), sizeof *f->sum);
	if (f->sum == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	f->sumsq = f->sum + n_seg * MC_FIGS(n);
	return CLV_OK;
}

void mc_figs_clear(mc_figs *f)
{
	free(f->rep);
	free(f->sum);
	memset(f, 0, sizeof *f);
}

double mc_figs_rep_bytes(size_t n, size_t n_seg)
{
	return (double)n_seg * (double)MC_FIGS(n) * sizeof(stats_ksum);
}

clv_status mc_figs_grow(mc_figs *f, uint64_t reps, clv_error *err)
{
	size_t row = f->n_seg * MC_FIGS(f->n);
	stats_ksum *rep;

	if (reps <= f->reps_cap)
		return CLV_OK;
	rep = realloc(f->rep, (size_t)reps * row * sizeof *rep + 1);
	if (rep == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for %llu replications",
		                (unsigned long long)reps);
	memset(rep + (size_t)f->reps_cap * row, 0, (size_t)(reps - f->reps_cap) * row * sizeof *rep);
	f->rep = rep;
	f->reps_cap = reps;
	return CLV_OK;
}

/* Figure j: one block's sum and sum of squares (compensated sums merged,
   so a figure every customer shares keeps a variance of exactly 0). */
static void add_one(mc_figs *f, stats_ksum *row, size_t at, size_t j, const stats_ksum *sum,
                    const stats_ksum *sumsq)
{
	stats_ksum_merge(&f->sum[at + j], sum);
	stats_ksum_merge(&f->sumsq[at + j], sumsq);
	stats_ksum_merge(&row[j], sum);
}

void mc_figs_add(mc_figs *f, uint64_t rep, size_t seg, const stats_ksum *sum,
                 const stats_ksum *sumsq, const stats_ksum *spend, const uint64_t *below)
{
	size_t n = f->n, i, at = seg * MC_FIGS(n);
	stats_ksum *row = f->rep + ((size_t)rep * f->n_seg + seg) * MC_FIGS(n);

	for (i = 0; i <= n; i++)
		add_one(f, row, at, i, &sum[i], &sumsq[i]);
	add_one(f, row, at, MC_FIG_SPEND(n), &spend[0], &spend[1]);
	for (i = 0; i <= n + 1; i++) {
		stats_ksum c = {(double)below[i], 0.0};
		add_one(f, row, at, MC_FIG_BELOW(n, i), &c, &c);
	}
}

/* Replication r's sum of figure j over the tiers [k0, k1), merged in tier
   order (as the tasks of a replication are). */
static double rep_sum(const mc_figs *f, uint64_t r, size_t k0, size_t k1, size_t j)
{
	stats_ksum acc = {0.0, 0.0};
	size_t k;

	for (k = k0; k < k1; k++)
		stats_ksum_merge(&acc, &f->rep[((size_t)r * f->n_seg + k) * MC_FIGS(f->n) + j]);
	return stats_ksum_value(&acc);
}

/* ---- estimates --------------------------------------------------------------- */

/* A mean with its spread and the se of the mean. */
typedef struct estimate {
	double mean, sd, se, df;
} estimate;

static double variance(double sum, double sumsq, double N)
{
	double mean = sum / N, v = (sumsq - N * mean * mean) / (N - 1.0);

	return N > 1.0 ? (v > 0.0 ? v : 0.0) : (double)NAN;
}

/* sd / sqrt(R) of the replication averages of figure j over the tiers
   in [k0, k1), each replication's sum divided by `per`. */
static double se_replications(const mc_figs *f, uint64_t R, size_t k0, size_t k1, size_t j,
                              double per)
{
	double mean = 0.0, ss = 0.0;
	uint64_t r;

	if (R < 2)
		return NAN;
	for (r = 0; r < R; r++)
		mean += rep_sum(f, r, k0, k1, j) / per;
	mean /= (double)R;
	for (r = 0; r < R; r++) {
		double x = rep_sum(f, r, k0, k1, j) / per;
		ss += (x - mean) * (x - mean);
	}
	return sqrt(ss / (double)(R - 1) / (double)R);
}

/* Tier k alone. */
static estimate tier_estimate(const mc_figs *f, const mc_figs_design *d, size_t k, size_t j)
{
	size_t at = k * MC_FIGS(f->n) + j;
	double N = (double)d->count[k] * (double)d->reps;
	double sum = stats_ksum_value(&f->sum[at]), v = variance(sum, stats_ksum_value(&f->sumsq[at]), N);
	estimate e = {N > 0 ? sum / N : (double)NAN, sqrt(v), NAN, NAN};

	if (d->per_replication[k]) {
		e.se = se_replications(f, d->reps, k, k + 1, j, (double)d->count[k]);
		e.df = (double)d->reps - 1.0;
	} else {
		e.se = sqrt(v / N);
		e.df = N - 1.0;
	}
	return e;
}

/* The stratified se over the tiers, Welch-Satterthwaite df. */
static double se_strata(const mc_figs *f, const mc_figs_design *d, size_t j, double *df)
{
	double var = 0.0, denom = 0.0, C = (double)d->customers;
	size_t k;

	for (k = 0; k < f->n_seg; k++) {
		size_t at = k * MC_FIGS(f->n) + j;
		double Nk = (double)d->count[k] * (double)d->reps, w = (double)d->count[k] / C, a;
		if (d->count[k] == 0)
			continue;
		a = w * w * variance(stats_ksum_value(&f->sum[at]), stats_ksum_value(&f->sumsq[at]), Nk) /
		    Nk;
		var += a;
		denom += Nk > 1.0 ? a * a / (Nk - 1.0) : 0.0;
	}
	*df = denom > 0.0 ? var * var / denom : (double)d->reps * C - 1.0;
	return sqrt(var);
}

/* The whole base, by the run's method. */
static estimate mix_estimate(const mc_figs *f, const mc_figs_design *d, size_t j)
{
	double N = (double)d->customers * (double)d->reps, sum, sumsq, v;
	stats_ksum ks = {0.0, 0.0}, kq = {0.0, 0.0};
	estimate e;
	size_t k;

	for (k = 0; k < f->n_seg; k++) {
		stats_ksum_merge(&ks, &f->sum[k * MC_FIGS(f->n) + j]);
		stats_ksum_merge(&kq, &f->sumsq[k * MC_FIGS(f->n) + j]);
	}
	sum = stats_ksum_value(&ks);
	sumsq = stats_ksum_value(&kq);
	v = variance(sum, sumsq, N);
	e.mean = sum / N;
	e.sd = sqrt(v);
	switch (d->method) {
	case MC_SE_REPLICATIONS:
		e.se = se_replications(f, d->reps, 0, f->n_seg, j, (double)d->customers);
		e.df = (double)d->reps - 1.0;
		break;
	case MC_SE_STRATA:
		e.se = se_strata(f, d, j, &e.df);
		break;
	default:
		e.se = sqrt(v / N);
		e.df = N - 1.0;
	}
	return e;
}

double mc_figs_se(const mc_figs *f, const mc_figs_design *d, size_t j, double *df)
{
	estimate e = mix_estimate(f, d, j);

	*df = e.df;
	return e.se;
}

/* ---- the figures ------------------------------------------------------------- */

static void spend_summary(stats_summary *sm, estimate e, uint64_t n)
{
	sm->n = n;
	sm->mean = e.mean;
	sm->sd = e.sd;
	sm->se = e.se;
	sm->p05 = sm->p25 = sm->p50 = sm->p75 = sm->p95 = NAN;
}

/* p_negative[0..n], its se, and P(total > 0), from `est` (tier or mix). */
static void probabilities(const mc_figs *f, const mc_figs_design *d, size_t k, double *p,
                          double *se, double *p_exceeds, double *p_exceeds_se)
{
	size_t i, n = f->n;
	estimate e;

	for (i = 0; i <= n + 1; i++) {
		e = k == (size_t)-1 ? mix_estimate(f, d, MC_FIG_BELOW(n, i))
		                    : tier_estimate(f, d, k, MC_FIG_BELOW(n, i));
		if (i <= n) {
			p[i] = e.mean;
			se[i] = e.se;
		} else {
			*p_exceeds = e.mean;
			*p_exceeds_se = e.se;
		}
	}
}

static void segment_free(mc_segment *sg)
{
	free(sg->clv);
	free(sg->p_negative);
	free(sg->p_negative_se);
}

void mc_figs_free_result(mc_result *res)
{
	size_t k;

	free(res->rep_offer_spend);
	free(res->p_negative);
	free(res->p_negative_se);
	for (k = 0; res->segment != NULL && k < res->n_segments; k++)
		segment_free(&res->segment[k]);
	free(res->segment);
	res->rep_offer_spend = res->p_negative = res->p_negative_se = NULL;
	res->segment = NULL;
}

/* Tier k's figures. */
static clv_status segment_fill(const mc_figs *f, const mc_figs_design *d, size_t k,
                               mc_segment *sg, clv_error *err)
{
	size_t i, n = f->n;
	uint64_t N = d->count[k] * d->reps;

	sg->customers = d->count[k];
	sg->se_method = d->per_replication[k] ? MC_SE_REPLICATIONS : MC_SE_CUSTOMERS;
	sg->clv = calloc(n + 1, sizeof *sg->clv);
	sg->p_negative = calloc(n + 1, sizeof *sg->p_negative);
	sg->p_negative_se = calloc(n + 1, sizeof *sg->p_negative_se);
	if (!sg->clv || !sg->p_negative || !sg->p_negative_se)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i <= n; i++) {
		estimate e = tier_estimate(f, d, k, i);
		size_t at = k * MC_FIGS(n) + i;
		if (d->seg_hist != NULL)
			stats_summary_from_hist(&sg->clv[i], N, stats_ksum_value(&f->sum[at]),
			                        stats_ksum_value(&f->sumsq[at]), d->seg_hist[k * (n + 1) + i]);
		else
			spend_summary(&sg->clv[i], e, N);
		sg->clv[i].mean = e.mean;
		sg->clv[i].sd = e.sd;
		sg->clv[i].se = e.se;
		sg->se_df = e.df;
	}
	spend_summary(&sg->offer_spend, tier_estimate(f, d, k, MC_FIG_SPEND(n)), N);
	probabilities(f, d, k, sg->p_negative, sg->p_negative_se, &sg->p_exceeds_acquisition,
	              &sg->p_exceeds_acquisition_se);
	return CLV_OK;
}

clv_status mc_figs_summarise(const mc_figs *f, const mc_figs_design *d, mc_result *res,
                             clv_error *err)
{
	size_t n = f->n, k;
	uint64_t r;

	res->rep_offer_spend = calloc((size_t)d->reps + 1, sizeof *res->rep_offer_spend);
	res->p_negative = calloc(n + 1, sizeof *res->p_negative);
	res->p_negative_se = calloc(n + 1, sizeof *res->p_negative_se);
	if (d->n_segments > 0)
		res->segment = calloc(d->n_segments, sizeof *res->segment);
	if (!res->rep_offer_spend || !res->p_negative || !res->p_negative_se ||
	    (d->n_segments > 0 && res->segment == NULL))
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	res->n_segments = d->n_segments;
	for (r = 0; r < d->reps; r++)
		res->rep_offer_spend[r] = rep_sum(f, r, 0, f->n_seg, MC_FIG_SPEND(n)) /
		                          (double)d->customers;
	spend_summary(&res->offer_spend, mix_estimate(f, d, MC_FIG_SPEND(n)),
	              d->reps * d->customers);
	probabilities(f, d, (size_t)-1, res->p_negative, res->p_negative_se,
	              &res->p_exceeds_acquisition, &res->p_exceeds_acquisition_se);
	for (k = 0; k < d->n_segments; k++)
		if (segment_fill(f, d, k, &res->segment[k], err) != CLV_OK)
			return err->status;
	return CLV_OK;
}

double mc_p_share_falls(const mc_result *r, size_t i, double initial, double *se)
{
	size_t cells = (size_t)(r->periods + 1) * r->n, last = (size_t)r->periods * r->n;
	uint64_t k, falls = 0;
	double p;

	if (r->rep_share_end == NULL && r->rep_share == NULL) {
		*se = NAN;
		return NAN;
	}
	for (k = 0; k < r->replications; k++) /* the final shares, or the table's last row */
		falls += (r->rep_share_end ? r->rep_share_end[k * r->n + i]
		                           : r->rep_share[k * cells + last + i]) < initial;
	p = r->replications ? (double)falls / (double)r->replications : (double)NAN;
	*se = r->replications ? sqrt(p * (1.0 - p) / (double)r->replications) : (double)NAN;
	return p;
}
