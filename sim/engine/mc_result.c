/*
 * mc_result.c - stage engine: the result of a Monte Carlo run, shared by
 * the two engines (mc.c per customer, aggregate.c by state counts):
 * allocation, growth per batch, the summaries over replications, and the
 * names and quantiles the reports need (contract in mc.h).
 */
#include "engine/mc.h"
#include "engine/mc_figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

mc_result *mc_result_create(size_t n, long periods)
{
	mc_result *r = calloc(1, sizeof *r);
	size_t cells = (size_t)(periods + 1) * n, i;

	if (r == NULL)
		return NULL;
	r->n = n;
	r->periods = periods;
	r->clv = calloc(n + 1, sizeof *r->clv);
	r->clv_avg = calloc(n + 1, sizeof *r->clv_avg);
	r->hist = calloc(n + 1, sizeof *r->hist);
	r->share_mean = calloc(cells, sizeof(double));
	r->share_p05 = calloc(cells, sizeof(double));
	r->share_p25 = calloc(cells, sizeof(double));
	r->share_p50 = calloc(cells, sizeof(double));
	r->share_p75 = calloc(cells, sizeof(double));
	r->share_p95 = calloc(cells, sizeof(double));
	if (!r->clv || !r->clv_avg || !r->hist || !r->share_mean || !r->share_p05 ||
	    !r->share_p25 || !r->share_p50 || !r->share_p75 || !r->share_p95) {
		mc_free(r);
		return NULL;
	}
	for (i = 0; i <= n; i++)
		if ((r->hist[i] = stats_hist_create()) == NULL) {
			mc_free(r);
			return NULL;
		}
	return r;
}

void mc_free(mc_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	free(r->rep_share);
	free(r->rep_share_end);
	free(r->rep_clv);
	free(r->rep_input);
	mc_figs_free_result(r);
	if (r->input_name)
		for (i = 0; i < r->n_inputs; i++)
			free(r->input_name[i]);
	free(r->input_name);
	free(r->clv);
	free(r->clv_avg);
	if (r->hist)
		for (i = 0; i <= r->n; i++)
			stats_hist_free(r->hist[i]);
	free(r->hist);
	free(r->share_mean);
	free(r->share_p05);
	free(r->share_p25);
	free(r->share_p50);
	free(r->share_p75);
	free(r->share_p95);
	free(r);
}

clv_status mc_result_grow(mc_result *r, uint64_t reps, size_t n_inputs, clv_error *err)
{
	size_t cells = (size_t)(r->periods + 1) * r->n;
	double *share = realloc(r->rep_share, (size_t)reps * cells * sizeof *share + 1);
	double *clv, *in;

	if (share == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for %llu replications",
		                (unsigned long long)reps);
	r->rep_share = share;
	clv = realloc(r->rep_clv, (size_t)reps * (r->n + 1) * sizeof *clv + 1);
	if (clv == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for %llu replications",
		                (unsigned long long)reps);
	r->rep_clv = clv;
	in = realloc(r->rep_input, (size_t)reps * n_inputs * sizeof *in + 1);
	if (in == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for %llu replications",
		                (unsigned long long)reps);
	r->rep_input = in;
	return CLV_OK;
}

const char *mc_mode_name(mc_mode m)
{
	return m == MC_MODE_AGGREGATE ? "aggregate" : m == MC_MODE_AUTO ? "auto" : "customers";
}

const char *mc_se_method_name(mc_se_method m)
{
	return m == MC_SE_REPLICATIONS ? "replications" : m == MC_SE_STRATA ? "strata" : "customers";
}

double mc_t_quantile(double level, double df)
{
	double p = 0.5 + level / 2.0;

	if (!(df >= 1.0))
		return NAN;
	return df > 1e7 ? gsl_cdf_ugaussian_Pinv(p) : gsl_cdf_tdist_Pinv(p, df);
}

void mc_result_summarise_replications(mc_result *res)
{
	size_t n = res->n, i, j, cells = (size_t)(res->periods + 1) * n;
	uint64_t r, reps = res->replications;
	double *v = malloc((size_t)reps * sizeof *v + 1);

	if (v == NULL)
		return;
	for (i = 0; i <= n; i++) {
		for (r = 0; r < reps; r++)
			v[r] = res->rep_clv[r * (n + 1) + i];
		stats_summary_from_array(&res->clv_avg[i], v, (size_t)reps);
	}
	for (j = 0; j < cells; j++) {
		stats_summary sm;
		for (r = 0; r < reps; r++)
			v[r] = res->rep_share[r * cells + j];
		stats_summary_from_array(&sm, v, (size_t)reps);
		res->share_mean[j] = sm.mean;
		res->share_p05[j] = sm.p05;
		res->share_p25[j] = sm.p25;
		res->share_p50[j] = sm.p50;
		res->share_p75[j] = sm.p75;
		res->share_p95[j] = sm.p95;
	}
	free(v);
}

/* r->rep_share_end from the last reported row of r->rep_share (the
   share table itself may be freed after the run). */
clv_status mc_result_keep_share_end(mc_result *r, clv_error *err)
{
	size_t cells = (size_t)(r->periods + 1) * r->n, last = (size_t)r->periods * r->n;
	uint64_t k;

	r->rep_share_end = malloc((size_t)r->replications * r->n * sizeof *r->rep_share_end + 1);
	if (r->rep_share_end == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (k = 0; k < r->replications; k++)
		memcpy(r->rep_share_end + (size_t)k * r->n, r->rep_share + (size_t)k * cells + last,
		       r->n * sizeof *r->rep_share_end);
	return CLV_OK;
}
