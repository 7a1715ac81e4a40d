/*
 * fit_holdout.c - forecast against held-out records (see fit_holdout.h).
 * Stage: fit.
 */
#include "fit/fit_holdout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exact.h"

void fit_holdout_free(fit_holdout *h)
{
	if (h == NULL)
		return;
	free(h->observed);
	free(h->predicted);
	free(h->buyers);
	free(h);
}

/* out = v P for an n-vector v and an n x n matrix P. */
static void vec_mat(const double *v, const double *P, size_t n, double *out)
{
	size_t i, j;

	for (j = 0; j < n; j++)
		out[j] = 0.0;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			out[j] += v[i] * P[i * n + j];
}

/* The predicted brand shares of each held-out period. */
static clv_status predict(const fit_markov *m, fit_holdout *h, clv_error *err)
{
	size_t n = m->n, i, b;
	double *P = malloc(n * n * sizeof *P), *E = malloc(n * n * sizeof *E);
	double *W = malloc(n * n * sizeof *W), *s = malloc(n * sizeof *s), *t = malloc(n * sizeof *t);
	double F = m->purchases_whole > 0 ? (double)m->purchases_whole : m->purchases_per_period;
	clv_status rc = CLV_OK;
	long p;

	if (!P || !E || !W || !s || !t) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the holdout forecast");
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		fit_markov_posterior_row(m, i, P + i * n);
	rc = exact_period_matrices(P, n, F, m->purchases_whole == 0, E, W, err);
	if (rc != CLV_OK)
		goto cleanup;
	vec_mat(m->initial, P, n, s);
	for (p = 0; p < h->periods; p++) {
		double brands = 0.0;
		for (b = 0; b < h->n; b++)
			brands += s[b];
		for (b = 0; b < h->n; b++)
			h->predicted[(size_t)p * h->n + b] = brands > 0 ? s[b] / brands : (double)NAN;
		vec_mat(s, E, n, t);
		memcpy(s, t, n * sizeof *s);
	}
cleanup:
	free(P);
	free(E);
	free(W);
	free(s);
	free(t);
	return rc;
}

/* The observed brand shares: each customer of the fit's first purchase in
   each held-out period. in_fit[rank]: the customer is in the fit. */
static void observe(const fit_data *d, const bool *in_fit, int64_t until, fit_holdout *h)
{
	size_t i, b;
	long p;
	uint32_t cust = UINT32_MAX;
	long last = -1;
	bool counted_new = false;

	for (i = 0; i < d->n; i++) {
		const fit_record *r = &d->rec[i];
		if (r->customer != cust) {
			cust = r->customer;
			last = -1;
			counted_new = false;
		}
		if (r->time < until)
			continue;
		if (!in_fit[cust]) {
			if (!counted_new)
				h->new_customers++;
			counted_new = true;
			continue;
		}
		h->purchases++;
		if (r->period == last)
			continue;
		last = r->period;
		p = r->period - h->first;
		h->observed[(size_t)p * h->n + r->brand] += 1.0;
		h->buyers[p]++;
	}
	for (p = 0; p < h->periods; p++)
		for (b = 0; b < h->n; b++) {
			double *o = &h->observed[(size_t)p * h->n + b];
			*o = h->buyers[p] > 0 ? *o / (double)h->buyers[p] : (double)NAN;
		}
}

static void score(fit_holdout *h)
{
	double sum = 0.0;
	size_t b, cells = 0;
	long p;

	for (p = 0; p < h->periods; p++)
		for (b = 0; h->buyers[p] > 0 && b < h->n; b++, cells++)
			sum += fabs(h->observed[(size_t)p * h->n + b] - h->predicted[(size_t)p * h->n + b]);
	h->mean_abs_error = cells > 0 ? sum / (double)cells : (double)NAN;
}

fit_holdout *fit_holdout_run(const fit_data *d, const fit_markov *m, int64_t until,
                             clv_error *err)
{
	fit_holdout *h = calloc(1, sizeof *h);
	bool *in_fit = calloc(d->n_customers ? d->n_customers : 1, sizeof *in_fit);
	size_t k, cells;

	if (h == NULL || in_fit == NULL)
		goto nomem;
	h->n = d->n_brands;
	h->first = fit_data_period_of(d, until);
	if (h->first < 0)
		h->first = 0;
	h->periods = d->periods - h->first;
	for (k = 0; k < d->n && d->rec[k].time < until; k++)
		; /* any record on or after the date */
	if (k == d->n || h->periods <= 0) {
		diag_set(err, CLV_ERR_INPUT, &d->col[FIT_COL_TIME],
		         "no record lies on or after the holdout date: nothing to compare the "
		         "forecast with");
		goto fail;
	}
	cells = (size_t)h->periods * h->n;
	h->observed = calloc(cells, sizeof *h->observed);
	h->predicted = calloc(cells, sizeof *h->predicted);
	h->buyers = calloc((size_t)h->periods, sizeof *h->buyers);
	if (!h->observed || !h->predicted || !h->buyers)
		goto nomem;
	for (k = 0; k < m->seq.n; k++)
		in_fit[m->seq.customer[k]] = true;
	if (predict(m, h, err) != CLV_OK)
		goto fail;
	observe(d, in_fit, until, h);
	score(h);
	free(in_fit);
	return h;
nomem:
	diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the holdout comparison");
fail:
	free(in_fit);
	fit_holdout_free(h);
	return NULL;
}
