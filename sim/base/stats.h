/*
 * stats.h - reduce numbers to summaries: compensated sums, moments,
 * percentiles (exact from sorted arrays, or from a fixed-size log-linear
 * histogram when the values are too many to keep).
 */
#ifndef CLV_STATS_H
#define CLV_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Neumaier's compensated sum: error O(eps) instead of O(n eps). */
typedef struct stats_ksum {
	double sum, comp;
} stats_ksum;

static inline void stats_ksum_add(stats_ksum *k, double x)
{
	double t = k->sum + x;

	if ((k->sum >= 0 ? k->sum : -k->sum) >= (x >= 0 ? x : -x))
		k->comp += (k->sum - t) + x;
	else
		k->comp += (x - t) + k->sum;
	k->sum = t;
}

static inline double stats_ksum_value(const stats_ksum *k)
{
	return k->sum + k->comp;
}

/* Merge b into a. */
static inline void stats_ksum_merge(stats_ksum *a, const stats_ksum *b)
{
	stats_ksum_add(a, b->sum);
	stats_ksum_add(a, b->comp);
}

/* A log-linear histogram of signed values (HdrHistogram's idea): bins
   split each power of two into 2^STATS_HIST_SUB equal parts, so a bin is
   at most 2^-10 of its value wide and a percentile read from it is within
   0.1% (relative) of the true sample percentile. |v| < 2^STATS_HIST_EMIN
   (about 1e-6) counts as zero; |v| >= 2^(STATS_HIST_EMAX+1) goes to an
   overflow bin and is reported as the exact maximum. Counts are integers,
   so merging is exact and independent of order (thread-count invariance). */
#define STATS_HIST_SUB 10
#define STATS_HIST_EMIN (-20)
#define STATS_HIST_EMAX 60
#define STATS_HIST_SIDE ((STATS_HIST_EMAX - STATS_HIST_EMIN + 1) << STATS_HIST_SUB)
#define STATS_HIST_BINS (2 * STATS_HIST_SIDE + 1)

/* The bins in two arrays: tally[b] is bin b's count times two, plus one
   when its samples differ (mixed), and sole[b], where the count is not
   zero, the one value every sample of the bin has, or NaN when two differ
   (mixed). Adding a sample reads the tally alone once a bin is mixed, so
   a histogram's working set is 8 bytes a bin. */
#define STATS_HIST_MIXED 1u

typedef struct stats_hist {
	uint64_t tally[STATS_HIST_BINS]; /* negatives (descending), zero, positives */
	double sole[STATS_HIST_BINS];
	uint64_t n;
	double min, max;
	int first, last;                 /* the occupied bins lie in
	                                    [first, last]; first > last when empty */
} stats_hist;

/* Bin b's count. */
static inline uint64_t stats_hist_count(const stats_hist *h, int b)
{
	return h->tally[b] >> 1;
}

stats_hist *stats_hist_create(void);
void stats_hist_free(stats_hist *h);
void stats_hist_reset(stats_hist *h);
void stats_hist_add(stats_hist *h, double v);
/* stats_hist_add of v[0], v[stride], ..., v[(count - 1) stride] in that
   order (the same histogram), faster: the bins are found for a batch of
   values first, and a run of one value into a bin holding only that value
   is counted at once. */
void stats_hist_add_many(stats_hist *h, const double *v, size_t count, size_t stride);
void stats_hist_merge(stats_hist *into, const stats_hist *from);
/* The p-quantile (0 <= p <= 1): the bin where the cumulative count first
   reaches p n; its sole value when every sample in it is equal (an atom
   of the distribution, returned exactly: a value the sample takes), else
   interpolated inside the bin (within 2^-10 relative of the sample
   quantile; 0 in the zero bin). NaN if empty. */
double stats_hist_quantile(const stats_hist *h, double p);
/* q[j] = stats_hist_quantile(h, p[j]) for m probabilities in ascending
   order (none NaN), in one walk over the bins. */
void stats_hist_quantiles(const stats_hist *h, const double *p, size_t m, double *q);
/* Lower edge and width of bin b. */
void stats_hist_bin_range(int b, double *lo, double *hi);

/* Mean, spread and percentiles of a set of values. */
typedef struct stats_summary {
	uint64_t n;
	double mean, sd, se, p05, p25, p50, p75, p95;
} stats_summary;

/* Summary from exact moments (sum, sum of squares) and a histogram. */
void stats_summary_from_hist(stats_summary *out, uint64_t n, double sum, double sumsq,
                             const stats_hist *h);

/* Summary of an array of values (sorted in place), percentiles by linear
   interpolation between order statistics (Hyndman & Fan type 7). */
void stats_summary_from_array(stats_summary *out, double *v, size_t n);

/* The p-quantile of sorted values v[0..n-1] (type 7). */
double stats_quantile_sorted(const double *v, size_t n, double p);

#endif
