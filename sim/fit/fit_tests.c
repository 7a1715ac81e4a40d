/*
 * fit_tests.c - does a first-order, time-homogeneous chain describe the
 * records? Two likelihood-ratio (G) tests on the counts. Stage: fit.
 *
 * Markov property (as R markovchain's verifyMarkovProperty / assessOrder,
 * Anderson and Goodman 1957): triples i -> j -> k of consecutive states
 * of one customer; under the first-order null the next state depends on
 * j only, so
 *   G = 2 sum_ijk n_ijk ln( n_ijk n_.j. / (n_ij. n_.jk) ),
 *   df = sum_j (r_j - 1)(c_j - 1),
 * r_j = previous states i seen before j, c_j = next states k seen after
 * j (cells that cannot be estimated carry no degrees of freedom).
 *
 * Homogeneity: transitions split by the period of their first purchase,
 * before `half` = periods / 2 or from it on; under the null both halves
 * share one matrix:
 *   G = 2 sum_h sum_ij n_hij ln( n_hij N_i / (N_hi n_ij) ),
 *   df = sum_i (h_i - 1)(c_i - 1),
 * h_i = halves in which row i was seen, c_i = entries of row i seen.
 * p-values: GSL's chi-square upper tail.
 */
#include "fit/fit_markov.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

/* n ln(n a / (b c)), 0 when n = 0. */
static double g_term(double n, double a, double b, double c)
{
	return n > 0 ? n * (log(n) + log(a) - log(b) - log(c)) : 0.0;
}

static void finish(fit_test *t, double g, long df, uint64_t n)
{
	t->statistic = g > 0 ? 2.0 * g : 0.0;
	t->df = df;
	t->n = n;
	t->p_value = df > 0 ? gsl_cdf_chisq_Q(t->statistic, (double)df) : (double)NAN;
}

static long count_positive(const uint64_t *v, size_t n, size_t stride)
{
	long c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		c += v[i * stride] > 0;
	return c;
}

void fit_test_markov_property(const fit_markov *m, fit_test *out)
{
	const fit_seq *s = &m->seq;
	size_t n = m->n, i, j, k, e, c;
	uint64_t *t = calloc(n * n * n, sizeof *t), *ij = calloc(n * n, sizeof *ij);
	uint64_t *jk = calloc(n * n, sizeof *jk), *jj = calloc(n, sizeof *jj), total = 0;
	double g = 0.0;
	long df = 0;

	out->statistic = out->p_value = NAN;
	out->df = 0;
	out->n = 0;
	if (t == NULL || ij == NULL || jk == NULL || jj == NULL)
		goto cleanup;
	for (c = 0; c < s->n; c++)
		for (e = s->off[c] + 2; e < s->off[c + 1]; e++) {
			i = s->state[e - 2], j = s->state[e - 1], k = s->state[e];
			t[(i * n + j) * n + k]++;
			ij[i * n + j]++;
			jk[j * n + k]++;
			jj[j]++;
			total++;
		}
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			for (k = 0; k < n; k++)
				g += g_term((double)t[(i * n + j) * n + k], (double)jj[j],
				            (double)ij[i * n + j], (double)jk[j * n + k]);
	for (j = 0; j < n; j++) {
		long r = count_positive(ij + j, n, n), cc = count_positive(jk + j * n, n, 1);
		if (r > 1 && cc > 1)
			df += (r - 1) * (cc - 1);
	}
	finish(out, g, df, total);
cleanup:
	free(t);
	free(ij);
	free(jk);
	free(jj);
}

void fit_test_homogeneity(const fit_markov *m, fit_test *out)
{
	const fit_seq *s = &m->seq;
	size_t n = m->n, i, j, e, c;
	long half = m->half, df = 0;
	uint64_t *h = calloc(2 * n * n, sizeof *h), *N = calloc(2 * n, sizeof *N), total = 0;
	double g = 0.0;
	int k;

	out->statistic = out->p_value = NAN;
	out->df = 0;
	out->n = 0;
	if (h == NULL || N == NULL)
		goto cleanup;
	for (c = 0; c < s->n; c++)
		for (e = s->off[c] + 1; e < s->off[c + 1]; e++) {
			k = s->period[e - 1] >= half;
			h[(size_t)k * n * n + s->state[e - 1] * n + s->state[e]]++;
			N[(size_t)k * n + s->state[e - 1]]++;
			total++;
		}
	for (k = 0; k < 2; k++)
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				g += g_term((double)h[(size_t)k * n * n + i * n + j], (double)m->row_total[i],
				            (double)N[(size_t)k * n + i], (double)m->count[i * n + j]);
	for (i = 0; i < n; i++) {
		long halves = (N[i] > 0) + (N[n + i] > 0);
		long cols = count_positive(m->count + i * n, n, 1);
		if (halves > 1 && cols > 1)
			df += (halves - 1) * (cols - 1);
	}
	finish(out, g, df, total);
cleanup:
	free(h);
	free(N);
}
