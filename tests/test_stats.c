/*
 * test_stats.c - compensated sums, log-linear histograms (percentile error
 * bound, order-free merging) and exact percentiles.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/stats.h"

/* 1e7 additions of 0.1: the naive sum drifts, the compensated one does not. */
static void compensated_sum(void **state)
{
	stats_ksum k = {0, 0};
	double naive = 0.0;
	long i;

	(void)state;
	for (i = 0; i < 10000000; i++) {
		stats_ksum_add(&k, 0.1);
		naive += 0.1;
	}
	assert_true(fabs(stats_ksum_value(&k) - 1e6) < 1e-9);
	assert_true(fabs(naive - 1e6) > 1e-6); /* the naive one really drifts */
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Percentiles from the histogram within 0.1% (relative) of the exact
   sample percentiles, for values of both signs over many magnitudes. */
static void histogram_percentiles(void **state)
{
	enum { N = 200000 };
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	stats_hist *h = stats_hist_create();
	double *v = malloc(N * sizeof *v), ps[] = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};
	size_t i, k;

	(void)state;
	assert_non_null(h);
	gsl_rng_set(g, 5);
	for (i = 0; i < N; i++) {
		v[i] = gsl_ran_lognormal(g, 3.0, 2.0) * (gsl_rng_uniform(g) < 0.3 ? -1.0 : 1.0);
		stats_hist_add(h, v[i]);
	}
	qsort(v, N, sizeof *v, cmp);
	for (k = 0; k < sizeof ps / sizeof ps[0]; k++) {
		/* the histogram's quantile lies between neighbouring order statistics,
		   each within the bin width (2^-10 relative) */
		double q = stats_hist_quantile(h, ps[k]);
		double lo = v[(size_t)(ps[k] * N) - 1], hi = v[(size_t)(ps[k] * N)];
		assert_true(q >= fmin(lo, hi) - 1e-3 * fabs(lo) && q <= fmax(lo, hi) + 1e-3 * fabs(hi));
	}
	assert_true(stats_hist_quantile(h, 0.0) == v[0]);
	assert_true(stats_hist_quantile(h, 1.0) == v[N - 1]);
	stats_hist_free(h);
	free(v);
	gsl_rng_free(g);
}

/* Merging in any order gives the same counts; inf lands in the overflow
   bin and the maximum; NaN is ignored. */
static void histogram_merge_and_extremes(void **state)
{
	stats_hist *a = stats_hist_create(), *b = stats_hist_create();
	stats_hist *ab = stats_hist_create(), *ba = stats_hist_create();
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		stats_hist_add(i % 2 ? a : b, (i - 500) * 1.37);
	}
	stats_hist_add(a, INFINITY);
	stats_hist_add(b, NAN);
	stats_hist_merge(ab, a);
	stats_hist_merge(ab, b);
	stats_hist_merge(ba, b);
	stats_hist_merge(ba, a);
	assert_memory_equal(ab->tally, ba->tally, sizeof ab->tally);
	assert_memory_equal(ab->sole, ba->sole, sizeof ab->sole);
	assert_int_equal(ab->n, 1001);
	assert_true(isinf(ab->max));
	assert_int_equal(stats_hist_count(ab, STATS_HIST_BINS - 1), 1);
	assert_true(stats_hist_quantile(ab, 0.5) > -2.0 && stats_hist_quantile(ab, 0.5) < 2.0);
	stats_hist_free(a);
	stats_hist_free(b);
	stats_hist_free(ab);
	stats_hist_free(ba);
}

/* Exact summaries: type-7 percentiles, mean, sd, se. */
/* stats_hist_add_many is stats_hist_add of the same values in the same
   order: whole histograms equal bit for bit, over batch edges, strides,
   NaN, zero, negatives, infinities, repeated atoms and tiny values. */
static void histogram_add_many_is_add(void **state)
{
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	const size_t sizes[] = {0, 1, 7, 255, 256, 257, 1000, 5003};
	size_t z, i;

	(void)state;
	for (z = 0; z < sizeof sizes / sizeof *sizes; z++) {
		const size_t n = sizes[z], stride = 1 + z % 3;
		double *v = calloc(n * stride + 1, sizeof *v);
		stats_hist *one = stats_hist_create(), *many = stats_hist_create();
		assert_non_null(v);
		for (i = 0; i < n; i++) {
			double u = gsl_rng_uniform(g), x;
			x = u < 0.05 ? (double)NAN : u < 0.1 ? 0.0 : u < 0.3 ? 1379.56 : u < 0.32 ? HUGE_VAL
			  : u < 0.33 ? -HUGE_VAL : u < 0.34 ? 1e-9 : u < 0.35 ? -0.0 : u < 0.36 ? 4e-320
			  : u < 0.37 ? -3e18 : u < 0.38 ? 0x1p-20 : u < 0.39 ? -0x1p-21
			  : u < 0.40 ? 0x1p61 * (1.0 + u) : gsl_ran_gaussian(g, 500.0) * pow(10.0, 6.0 * u - 3.0);
			v[i * stride] = x;
			stats_hist_add(one, x);
		}
		stats_hist_add_many(many, v, n, stride);
		assert_memory_equal(one, many, sizeof *one);
		if (n > 0)
			assert_true(many->n > 0 && many->n <= n);
		stats_hist_free(one);
		stats_hist_free(many);
		free(v);
	}
	gsl_rng_free(g);
}

/* The same, for runs of values in one bin (stats_hist_add_many counts a
   run in registers and writes it once): constant runs, runs of values a
   few ulps apart (one bin, the sole value lost), -0 and +0 runs, NaN
   inside runs, runs across batch edges (256), runs that come back to a
   bin already filled, and a constant run into a bin already mixed (two
   values seen: counted by its tally alone); whole histograms equal bit
   for bit. */
static void histogram_add_many_runs(void **state)
{
	const size_t lengths[] = {1, 2, 255, 256, 257, 600, 3, 1000, 5, 400};
	const double bases[] = {6054.55, -0.0, 0.0, 1379.56, 6054.55, 1e-9, -420.5, 1379.56,
	                        -420.5, 6054.55};
	double *v = malloc(4096 * sizeof *v);
	stats_hist *one = stats_hist_create(), *many = stats_hist_create();
	size_t n = 0, r, i;

	(void)state;
	assert_non_null(v);
	for (r = 0; r < sizeof lengths / sizeof *lengths; r++)
		for (i = 0; i < lengths[r]; i++) {
			double x = bases[r];
			if (r % 2 == 0 && i % 3 == 1)
				x = nextafter(x, HUGE_VAL); /* the same bin, another value */
			if (r == 5 && i % 7 == 3)
				x = (double)NAN;
			v[n++] = x;
		}
	for (i = 0; i < n; i++)
		stats_hist_add(one, v[i]);
	stats_hist_add_many(many, v, n, 1);
	assert_memory_equal(one, many, sizeof *one);
	assert_true(one->n < n); /* the NaN were left out */
	stats_hist_free(one);
	stats_hist_free(many);
	free(v);
}

/* stats_hist_quantiles in one walk gives each stats_hist_quantile bit
   for bit: repeated and adjacent probabilities, 0 and 1, atoms (a bin of
   one value), the zero bin, negatives, an empty histogram. */
static void histogram_quantiles_in_one_walk(void **state)
{
	static const double p[] = {0.0, 1e-9, 0.005, 0.05, 0.05, 0.25, 0.3, 0.5, 0.5000001,
	                           0.75, 0.95, 0.995, 1.0 - 1e-12, 1.0};
	const size_t m = sizeof p / sizeof *p;
	gsl_rng *g = gsl_rng_alloc(gsl_rng_mt19937);
	double q[sizeof p / sizeof *p];
	int round;
	size_t i, j;

	(void)state;
	for (round = 0; round < 4; round++) {
		stats_hist *h = stats_hist_create();
		assert_non_null(h);
		for (i = 0; round > 0 && i < 3000; i++) {
			double u = gsl_rng_uniform(g);
			stats_hist_add(h, u < 0.3 * round / 3.0 ? 1379.56 : u < 0.35 ? 0.0
			                : gsl_ran_gaussian(g, 800.0) + 200.0 * round);
		}
		stats_hist_quantiles(h, p, m, q);
		for (j = 0; j < m; j++) {
			double one = stats_hist_quantile(h, p[j]);
			assert_memory_equal(&q[j], &one, sizeof one);
		}
		if (round > 0)
			assert_true(q[0] == h->min && q[m - 1] == h->max && q[3] < q[7] && q[7] < q[10]);
		stats_hist_free(h);
	}
	gsl_rng_free(g);
}

static void array_summary(void **state)
{
	double v[] = {5, 1, 4, 2, 3};
	stats_summary s;

	(void)state;
	stats_summary_from_array(&s, v, 5);
	assert_true(s.mean == 3.0);
	assert_true(fabs(s.sd - sqrt(2.5)) < 1e-15);
	assert_true(fabs(s.se - sqrt(2.5) / sqrt(5.0)) < 1e-15);
	assert_true(s.p50 == 3.0);
	assert_true(fabs(s.p25 - 2.0) < 1e-15);
	assert_true(fabs(s.p05 - 1.2) < 1e-12);
	assert_true(fabs(s.p95 - 4.8) < 1e-12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(compensated_sum),
		cmocka_unit_test(histogram_percentiles),
		cmocka_unit_test(histogram_merge_and_extremes),
		cmocka_unit_test(histogram_add_many_is_add),
		cmocka_unit_test(histogram_add_many_runs),
		cmocka_unit_test(histogram_quantiles_in_one_walk),
		cmocka_unit_test(array_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
