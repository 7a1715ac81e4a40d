/*
 * fit_markov.c - estimate the switching chain from purchase records (see
 * fit_markov.h for every definition). Stage: fit.
 *
 * Steps: the records in the fit become one sequence of states per
 * customer (plus `lost` for a churned customer); consecutive entries are
 * counted into an n x n table; the estimates, intervals and
 * log-likelihood come from the counts; then the start shares, the
 * purchase rate, spend per brand and the two tests (fit_tests.c).
 * Intervals: the Beta quantiles of base/dist (GSL's inverse CDF).
 */
#include "fit/fit_markov.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"

static void seq_free(fit_seq *s)
{
	free(s->off);
	free(s->state);
	free(s->period);
	free(s->rec);
	free(s->customer);
	free(s->lost);
}

void fit_markov_free(fit_markov *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; m->state != NULL && i < m->n; i++)
		free(m->state[i]);
	free(m->state);
	free(m->count);
	free(m->row_total);
	free(m->estimate);
	free(m->lo);
	free(m->hi);
	free(m->latest);
	free(m->initial);
	free(m->spend_mean);
	free(m->spend_se);
	free(m->spend_n);
	seq_free(&m->seq);
	free(m);
}

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory fitting the records");
}

/* States: the brands, then `lost`. */
static clv_status make_states(fit_markov *m, const fit_data *d, const fit_options *o,
                              clv_error *err)
{
	size_t i, nn;

	m->churn = o->churn_after > 0;
	m->churn_after = o->churn_after;
	m->n = d->n_brands + (m->churn ? 1 : 0);
	for (i = 0; m->churn && i < d->n_brands; i++)
		if (strcmp(d->brand[i], "lost") == 0)
			return diag_set(err, CLV_ERR_INPUT, &d->brand_pos[i],
			                "brand \"lost\" is the name of the state --churn-after adds: rename "
			                "the brand");
	if (m->n > CLV_MAX_STATES)
		return diag_set(err, CLV_ERR_LIMIT, &d->col[FIT_COL_BRAND],
		                "%zu brands and the state `lost`: at most %d states (with "
		                "--churn-after, %d brands)", d->n_brands, CLV_MAX_STATES,
		                CLV_MAX_STATES - 1);
	nn = m->n * m->n;
	m->state = calloc(m->n, sizeof *m->state);
	m->count = calloc(nn, sizeof *m->count);
	m->row_total = calloc(m->n, sizeof *m->row_total);
	m->estimate = calloc(nn, sizeof *m->estimate);
	m->lo = calloc(nn, sizeof *m->lo);
	m->hi = calloc(nn, sizeof *m->hi);
	m->latest = calloc(m->n, sizeof *m->latest);
	m->initial = calloc(m->n, sizeof *m->initial);
	m->spend_mean = calloc(m->n, sizeof *m->spend_mean);
	m->spend_se = calloc(m->n, sizeof *m->spend_se);
	m->spend_n = calloc(m->n, sizeof *m->spend_n);
	if (!m->state || !m->count || !m->row_total || !m->estimate || !m->lo || !m->hi ||
	    !m->latest || !m->initial || !m->spend_mean || !m->spend_se || !m->spend_n)
		return nomem(err);
	for (i = 0; i < m->n; i++)
		if ((m->state[i] = strdup(i < d->n_brands ? d->brand[i] : "lost")) == NULL)
			return nomem(err);
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Sequences.                                                           */

static clv_status seq_alloc(fit_seq *s, size_t customers, size_t entries)
{
	s->off = calloc(customers + 1, sizeof *s->off);
	s->state = calloc(entries ? entries : 1, sizeof *s->state);
	s->period = calloc(entries ? entries : 1, sizeof *s->period);
	s->rec = calloc(entries ? entries : 1, sizeof *s->rec);
	s->customer = calloc(customers ? customers : 1, sizeof *s->customer);
	s->lost = calloc(customers ? customers : 1, sizeof *s->lost);
	return s->off && s->state && s->period && s->rec && s->customer && s->lost ? CLV_OK
	                                                                         : CLV_ERR_NOMEM;
}

/* The records in the fit, customer by customer; `lost` appended where a
   customer's last purchase is churn_after periods or more before the end. */
static clv_status build_seq(fit_markov *m, const fit_data *d, int64_t until, clv_error *err)
{
	fit_seq *s = &m->seq;
	size_t i, used = 0, e = 0, k = 0;
	long end = -1;

	for (i = 0; i < d->n; i++)
		if (d->rec[i].time < until) {
			used++;
			if (d->rec[i].period > end)
				end = d->rec[i].period;
		}
	if (seq_alloc(s, d->n_customers, used + d->n_customers) != CLV_OK)
		return nomem(err);
	m->end_period = end;
	m->periods = end + 1;
	for (i = 0; i < d->n; i++) {
		const fit_record *r = &d->rec[i];
		bool last;
		if (r->time >= until)
			continue;
		if (e == s->off[k] && k < d->n_customers)
			s->customer[k] = r->customer; /* a new customer's first entry */
		s->state[e] = r->brand;
		s->period[e] = r->period;
		s->rec[e++] = r;
		/* records are sorted by time within a customer, so the ones in the
		   fit come first */
		last = i + 1 == d->n || d->rec[i + 1].customer != r->customer ||
		       d->rec[i + 1].time >= until;
		if (!last)
			continue;
		if (m->churn && end - r->period >= m->churn_after) {
			s->state[e] = (uint32_t)(m->n - 1);
			s->period[e] = r->period;
			s->rec[e++] = NULL;
			s->lost[k] = true;
			m->lost++;
		}
		s->off[++k] = e;
	}
	s->n = k;
	m->customers = k;
	m->purchases = used;
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Counts and estimates.                                                */

static void count_transitions(fit_markov *m)
{
	const fit_seq *s = &m->seq;
	size_t k, e, n = m->n;

	for (k = 0; k < s->n; k++) {
		for (e = s->off[k] + 1; e < s->off[k + 1]; e++) {
			m->count[s->state[e - 1] * n + s->state[e]]++;
			m->row_total[s->state[e - 1]]++;
			m->transitions++;
		}
		m->latest[s->state[s->off[k + 1] - 1]]++;
	}
	for (k = 0; k < n; k++)
		m->initial[k] = (double)m->latest[k] / (double)s->n;
}

/* The u-quantile of Beta(a, b), through base/dist (GSL's inverse, with a
   bisection where GSL's fails in a skewed tail). */
static double beta_quantile(double a, double b, double u)
{
	clv_param p;

	memset(&p, 0, sizeof p);
	p.kind = DIST_BETA;
	p.a = a;
	p.b = b;
	p.lo = 0.0;
	p.hi = 1.0;
	return dist_quantile(&p, u);
}

static void estimate_entries(fit_markov *m)
{
	size_t i, j, n = m->n;

	m->loglik = 0.0;
	for (i = 0; i < n; i++) {
		double N = (double)m->row_total[i];
		for (j = 0; j < n; j++) {
			size_t c = i * n + j;
			double x = (double)m->count[c];
			double a = x + FIT_PRIOR, b = N - x + (double)(n - 1) * FIT_PRIOR;
			if (m->row_total[i] == 0) {
				m->estimate[c] = NAN;
				m->lo[c] = 0.0;
				m->hi[c] = 1.0;
				continue;
			}
			m->estimate[c] = x / N;
			m->lo[c] = x == 0 ? 0.0 : x == N && n == 1 ? 1.0 : beta_quantile(a, b, 0.025);
			m->hi[c] = x == N ? 1.0 : beta_quantile(a, b, 0.975);
			if (x > 0)
				m->loglik += x * log(x / N);
		}
	}
}

void fit_markov_posterior_row(const fit_markov *m, size_t i, double *row)
{
	size_t j, n = m->n;
	double total = (double)m->row_total[i] + (double)n * FIT_PRIOR;

	for (j = 0; j < n; j++)
		row[j] = m->churn && i == n - 1 ? (double)(j == i)
		                                : ((double)m->count[i * n + j] + FIT_PRIOR) / total;
}

/* ------------------------------------------------------------------ */
/* Purchases per period.                                                */

typedef struct rate_acc {
	uint64_t purchases, exposure, first_purchases;
	long whole;          /* the common count so far; 0 unset; -1 broken */
	long first_whole;    /* the same for first periods */
} rate_acc;

static void whole_add(long *whole, long count)
{
	if (*whole == 0)
		*whole = count;
	else if (*whole != count)
		*whole = -1;
}

/* One customer's entries [a, b) (no `lost` among them); exposure ends at
   `end`. */
static void rate_customer(const fit_seq *s, size_t a, size_t b, long end, rate_acc *acc)
{
	long p0 = s->period[a], periods_seen = 0, run = 0, prev = p0;
	size_t e;

	for (e = a; e < b && s->period[e] == p0; e++)
		run++;
	acc->first_purchases += (uint64_t)run;
	whole_add(&acc->first_whole, run);
	run = 0;
	for (; e < b; e++) {
		if (s->period[e] != prev && run > 0) {
			whole_add(&acc->whole, run);
			run = 0;
		}
		if (run == 0)
			periods_seen++;
		prev = s->period[e];
		run++;
		acc->purchases++;
	}
	if (run > 0)
		whole_add(&acc->whole, run);
	acc->exposure += (uint64_t)(end - p0);
	if (periods_seen < end - p0)
		acc->whole = -1; /* a period without a purchase */
}

static void estimate_rate(fit_markov *m)
{
	const fit_seq *s = &m->seq;
	rate_acc acc = {0, 0, 0, 0, 0};
	size_t k;

	for (k = 0; k < s->n; k++) {
		size_t a = s->off[k], b = s->off[k + 1] - (s->lost[k] ? 1 : 0);
		long end = s->lost[k] ? s->period[b - 1] : m->end_period;
		rate_customer(s, a, b, end, &acc);
	}
	m->exposure = acc.exposure;
	if (acc.exposure > 0) {
		m->purchases_per_period = (double)acc.purchases / (double)acc.exposure;
		m->purchases_whole = acc.whole > 0 ? acc.whole : 0;
	} else {
		/* nobody was seen after its first period: the first periods */
		m->purchases_per_period = (double)acc.first_purchases / (double)s->n;
		m->purchases_whole = acc.first_whole > 0 ? acc.first_whole : 0;
	}
}

/* ------------------------------------------------------------------ */
/* Spend.                                                               */

static void estimate_spend(fit_markov *m, const fit_data *d)
{
	const fit_seq *s = &m->seq;
	size_t e, i, entries = s->off[s->n];
	double *mean = m->spend_mean, *m2 = m->spend_se;

	m->has_spend = d->has_amount;
	for (i = 0; i < m->n; i++)
		mean[i] = m2[i] = 0.0;
	for (e = 0; d->has_amount && e < entries; e++) {
		/* Welford's running mean and sum of squared deviations */
		double x, delta;
		if (s->rec[e] == NULL)
			continue;
		i = s->state[e];
		x = s->rec[e]->amount;
		m->spend_n[i]++;
		delta = x - mean[i];
		mean[i] += delta / (double)m->spend_n[i];
		m2[i] += delta * (x - mean[i]);
	}
	for (i = 0; i < m->n; i++) {
		double k = (double)m->spend_n[i];
		if (!d->has_amount || m->spend_n[i] == 0)
			mean[i] = NAN;
		m2[i] = m->spend_n[i] > 1 ? sqrt(m2[i] / (k - 1.0) / k) : (double)NAN;
	}
}

/* ------------------------------------------------------------------ */

fit_markov *fit_markov_run(const fit_data *d, const fit_options *o, int64_t until,
                           clv_error *err)
{
	fit_markov *m = calloc(1, sizeof *m);
	clv_status rc;

	if (m == NULL) {
		nomem(err);
		return NULL;
	}
	rc = make_states(m, d, o, err);
	if (rc == CLV_OK)
		rc = build_seq(m, d, until, err);
	if (rc == CLV_OK) {
		count_transitions(m);
		if (m->transitions == 0)
			rc = diag_set(err, CLV_ERR_INPUT, &d->col[FIT_COL_CUSTOMER],
			              "no customer has two purchases%s%s: there is no switching to "
			              "estimate", o->has_holdout ? " before the holdout " : "",
			              o->has_holdout ? o->holdout_text : "");
	}
	if (rc != CLV_OK) {
		fit_markov_free(m);
		return NULL;
	}
	estimate_entries(m);
	estimate_rate(m);
	estimate_spend(m, d);
	m->half = m->periods / 2;
	fit_test_markov_property(m, &m->markov);
	fit_test_homogeneity(m, &m->homogeneity);
	return m;
}
