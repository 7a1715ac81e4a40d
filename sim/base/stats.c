/*
 * stats.c - summaries of simulated values: log-linear histograms with
 * integer counts (mergeable in any order with identical results), and
 * exact percentiles of arrays.
 *
 * Histogram layout: index STATS_HIST_SIDE is zero; positives above it,
 * negatives below it (mirror image). For |v| = m 2^e with 1 <= m < 2, the
 * bin is (e - EMIN) 2^SUB + floor((m - 1) 2^SUB) on its side.
 * Each bin also keeps its sole value: the value of every sample in it
 * while they are all equal, NaN once two differ (valid where count > 0),
 * and a mixed bit in its tally beside the count, set with the NaN, so
 * that a mixed bin's sole is never read again. Merging keeps both
 * exactly (equal in both, or NaN and mixed), in any order.
 *
 * Every bin outside [first, last] is zero, and every bin inside has been
 * written since the histogram was made (claim): the bins come from
 * calloc, pages mapped when first touched, and a page first read then
 * written costs the other running threads a TLB flush (base/zeroed.h).
 */
#include "base/stats.h"
#include "base/vectorise.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

stats_hist *stats_hist_create(void)
{
	stats_hist *h = calloc(1, sizeof *h); /* zero pages: mapped when touched */

	if (h != NULL) {
		h->min = INFINITY;
		h->max = -INFINITY;
		h->first = STATS_HIST_BINS;
		h->last = -1;
	}
	return h;
}

void stats_hist_free(stats_hist *h)
{
	free(h);
}

void stats_hist_reset(stats_hist *h)
{
	if (h->first <= h->last) {
		memset(h->tally + h->first, 0, (size_t)(h->last - h->first + 1) * sizeof *h->tally);
		memset(h->sole + h->first, 0, (size_t)(h->last - h->first + 1) * sizeof *h->sole);
	}
	h->n = 0;
	h->min = INFINITY;
	h->max = -INFINITY;
	h->first = STATS_HIST_BINS;
	h->last = -1;
}

/* Index on one side for a magnitude a > 0 (may be past the side: overflow). */
static int side_index(double a)
{
	uint64_t bits;
	int e, sub;

	if (!isfinite(a)) /* +inf: the overflow bin */
		return STATS_HIST_SIDE - 1;
	/* a = m 2^e with 0.5 <= m < 1 (frexp), read from the bits of a normal
	   a: e - 1 is the biased exponent less 1023 and (2 m - 1) 2^SUB, cut
	   to an integer, the top SUB bits of the fraction; a subnormal's e - 1
	   is below any EMIN */
	memcpy(&bits, &a, sizeof bits);
	e = (int)((bits >> 52) & 0x7ffu) - 1023;
	sub = (int)((bits & 0xfffffffffffffULL) >> (52 - STATS_HIST_SUB));
	if (e < STATS_HIST_EMIN)
		return -1;
	if (e > STATS_HIST_EMAX)
		return STATS_HIST_SIDE - 1;
	return ((e - STATS_HIST_EMIN) << STATS_HIST_SUB) + sub;
}

static int bin_of(double v)
{
	int k;

	if (v > 0) {
		k = side_index(v);
		return k < 0 ? STATS_HIST_SIDE : STATS_HIST_SIDE + 1 + k;
	}
	if (v < 0) {
		k = side_index(-v);
		return k < 0 ? STATS_HIST_SIDE : STATS_HIST_SIDE - 1 - k;
	}
	return STATS_HIST_SIDE;
}

/* Before bins [lo, hi] are read and written, where they lie outside
   [first, last] (the occupied range; first > last when empty): write
   their zeros (zero already), so that every bin from first to last has
   been written before it is read. */
static void claim(uint64_t *tally, int first, int last, int lo, int hi)
{
	if (first > last) {
		memset(tally + lo, 0, (size_t)(hi - lo + 1) * sizeof *tally);
		return;
	}
	if (lo < first)
		memset(tally + lo, 0, (size_t)(first - lo) * sizeof *tally);
	if (hi > last)
		memset(tally + last + 1, 0, (size_t)(hi - last) * sizeof *tally);
}

/* `times` samples of the value `sole` (not NaN) into bin b (claimed): the
   bin's sole value is `sole` when it was empty, NaN (and the bin mixed)
   once a second value differs; a mixed bin's sole is not read. The sole
   array needs no claim: a bin's sole is written when its count is zero,
   before it is read. */
static inline __attribute__((always_inline)) void
add_times(stats_hist *h, int b, double sole, uint64_t times)
{
	uint64_t t = h->tally[b];

	if (!(t & STATS_HIST_MIXED)) {
		if (t == 0)
			h->sole[b] = sole;
		if (!(h->sole[b] == sole)) {
			h->sole[b] = (double)NAN;
			t |= STATS_HIST_MIXED;
		}
	}
	h->tally[b] = t + (times << 1);
}

/* Count v (not NaN) in its bin b. */
static inline void add_at(stats_hist *h, int b, double v)
{
	if (b < h->first || b > h->last)
		claim(h->tally, h->first, h->last, b, b);
	add_times(h, b, v, 1);
	h->n++;
	h->first = b < h->first ? b : h->first;
	h->last = b > h->last ? b : h->last;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

void stats_hist_add(stats_hist *h, double v)
{
	if (isnan(v))
		return;
	add_at(h, bin_of(v), v);
}

/* bin_of without branches, for a batch (the same bin for every value but
   NaN, which callers leave out): from the high 32 bits of v, its sign,
   biased exponent and top STATS_HIST_SUB fraction bits; an exponent below
   EMIN (zero, subnormals, tiny values) is the zero bin, above EMAX
   (infinities included) the overflow bin of its side. */
static inline int bin_of_bits(double v)
{
	uint64_t bits;
	uint32_t hi;
	int32_t e, k;

	memcpy(&bits, &v, sizeof bits);
	hi = (uint32_t)(bits >> 32);
	e = (int32_t)((hi >> 20) & 0x7ffu) - 1023;
	k = (e - STATS_HIST_EMIN) * (1 << STATS_HIST_SUB) +
	    (int32_t)((hi >> (20 - STATS_HIST_SUB)) & ((1u << STATS_HIST_SUB) - 1u));
	k = e > STATS_HIST_EMAX ? STATS_HIST_SIDE - 1 : k;
	return e < STATS_HIST_EMIN ? STATS_HIST_SIDE
	     : hi >> 31           ? STATS_HIST_SIDE - 1 - k
	                          : STATS_HIST_SIDE + 1 + k;
}

/* Values per batch of stats_hist_add_many (the bins stay in L2: no
   prefetch, it was slower). */
#define HIST_BATCH 256

/* The bins of x[0..m), -1 for NaN (left out): a loop of integer
   operations on the values' high words, vectorised (base/vectorise.h:
   AVX-512 or AVX2 where the processor has it; integers, the same bins on
   every path). */
WIDEST_CLONES static void batch_bins(const double *restrict x, int *restrict b, size_t m)
{
	size_t k;

#pragma omp simd
	for (k = 0; k < m; k++)
		b[k] = x[k] != x[k] ? -1 : bin_of_bits(x[k]);
}

void stats_hist_add_many(stats_hist *h, const double *v, size_t count, size_t stride)
{
	double copy[HIST_BATCH], lo = h->min, hi = h->max;
	int b[HIST_BATCH], first = h->first, last = h->last;
	uint64_t added = 0, *tally = h->tally;
	size_t i, k, m;

	for (i = 0; i < count; i += m) {
		const double *x = v + i * stride; /* a row is read where it lies */
		m = count - i < HIST_BATCH ? count - i : HIST_BATCH;
		if (stride != 1) {
			for (k = 0; k < m; k++)
				copy[k] = v[(i + k) * stride];
			x = copy;
		}
		batch_bins(x, b, m);
		for (k = 0; k < m; k++) {
			const double y = x[k];
			const int bk = b[k];
			uint64_t t;
			if (bk < 0)
				continue;
			if (bk < first || bk > last) { /* rare: the occupied range grows */
				claim(tally, first, last, bk, bk);
				first = bk < first ? bk : first;
				last = bk > last ? bk : last;
			}
			t = tally[bk];
			if (t & STATS_HIST_MIXED) /* most samples: a bin of several values */
				tally[bk] = t + 2; /* one sample: the tally counts twice */
			else {
				/* a bin of one value so far: its run of that value counted
				   in a register, so a constant value makes no chain through
				   memory */
				size_t e = k + 1;
				while (e < m && b[e] == bk && x[e] == y)
					e++;
				add_times(h, bk, y, e - k);
				added += e - k - 1;
				k = e - 1;
			}
			added++;
			lo = y < lo ? y : lo;
			hi = y > hi ? y : hi;
		}
	}
	h->n += added;
	h->first = first;
	h->last = last;
	h->min = lo;
	h->max = hi;
}

void stats_hist_merge(stats_hist *into, const stats_hist *from)
{
	int b;

	if (from->first <= from->last)
		claim(into->tally, into->first, into->last, from->first, from->last);
	for (b = from->first; b <= from->last; b++) {
		const uint64_t f = from->tally[b];
		if (f == 0)
			continue;
		if (into->tally[b] == 0) {
			into->tally[b] = f;
			into->sole[b] = from->sole[b];
			continue;
		}
		into->tally[b] += f & ~(uint64_t)STATS_HIST_MIXED;
		if (!(into->tally[b] & STATS_HIST_MIXED) &&
		    ((f & STATS_HIST_MIXED) || !(into->sole[b] == from->sole[b]))) {
			into->tally[b] |= STATS_HIST_MIXED;
			into->sole[b] = (double)NAN;
		}
	}
	into->n += from->n;
	if (from->first < into->first)
		into->first = from->first;
	if (from->last > into->last)
		into->last = from->last;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
}

static void side_range(int k, double *lo, double *hi)
{
	int e = STATS_HIST_EMIN + (k >> STATS_HIST_SUB);
	int sub = k & ((1 << STATS_HIST_SUB) - 1);
	double step = ldexp(1.0, e - STATS_HIST_SUB);

	*lo = ldexp(1.0, e) + sub * step;
	*hi = *lo + step;
}

void stats_hist_bin_range(int b, double *lo, double *hi)
{
	double a, c;

	if (b == STATS_HIST_SIDE) {
		*lo = -ldexp(1.0, STATS_HIST_EMIN);
		*hi = ldexp(1.0, STATS_HIST_EMIN);
	} else if (b > STATS_HIST_SIDE) {
		side_range(b - STATS_HIST_SIDE - 1, lo, hi);
	} else {
		side_range(STATS_HIST_SIDE - 1 - b, &a, &c);
		*lo = -c;
		*hi = -a;
	}
}

/* The p-quantile found in bin b, where the counts below it sum to cum
   and its own count c reaches target = p n (stats_hist_quantile). */
static double bin_quantile(const stats_hist *h, int b, double cum, double c, double target)
{
	double lo, hi, q;

	if (!(h->tally[b] & STATS_HIST_MIXED))
		return h->sole[b]; /* one distinct value: an atom, exactly */
	stats_hist_bin_range(b, &lo, &hi);
	if (b == STATS_HIST_SIDE)
		return 0.0;
	q = lo + (hi - lo) * (target - cum) / c;
	return fmin(fmax(q, h->min), h->max);
}

void stats_hist_quantiles(const stats_hist *h, const double *p, size_t m, double *q)
{
	double cum = 0.0, c = 0.0;
	int b = h->first;
	size_t j;

	for (j = 0; j < m; j++) {
		double target = p[j] * (double)h->n;
		if (h->n == 0) {
			q[j] = NAN;
			continue;
		}
		if (p[j] <= 0.0 || p[j] >= 1.0) {
			q[j] = p[j] <= 0.0 ? h->min : h->max;
			continue;
		}
		/* the walk goes on from the last quantile's bin (p ascending) */
		for (; b <= h->last; b++) {
			c = (double)stats_hist_count(h, b);
			if (c > 0 && cum + c >= target)
				break;
			cum += c;
		}
		q[j] = b <= h->last ? bin_quantile(h, b, cum, c, target) : h->max;
	}
}

double stats_hist_quantile(const stats_hist *h, double p)
{
	double q;

	stats_hist_quantiles(h, &p, 1, &q);
	return q;
}

void stats_summary_from_hist(stats_summary *out, uint64_t n, double sum, double sumsq,
                             const stats_hist *h)
{
	static const double p[5] = {0.05, 0.25, 0.50, 0.75, 0.95};
	double mean = n ? sum / (double)n : (double)NAN;
	double var = n > 1 ? (sumsq - (double)n * mean * mean) / (double)(n - 1) : (double)NAN;
	double q[5];

	out->n = n;
	out->mean = mean;
	out->sd = var > 0 ? sqrt(var) : (n > 1 ? 0.0 : (double)NAN);
	out->se = n > 1 ? out->sd / sqrt((double)n) : (double)NAN;
	stats_hist_quantiles(h, p, 5, q);
	out->p05 = q[0];
	out->p25 = q[1];
	out->p50 = q[2];
	out->p75 = q[3];
	out->p95 = q[4];
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_quantile_sorted(const double *v, size_t n, double p)
{
	double h, frac;
	size_t i;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * p;
	i = (size_t)h;
	if (i + 1 >= n)
		return v[n - 1];
	frac = h - (double)i;
	return v[i] + frac * (v[i + 1] - v[i]);
}

void stats_summary_from_array(stats_summary *out, double *v, size_t n)
{
	stats_ksum s = {0, 0};
	double mean, ss = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		stats_ksum_add(&s, v[i]);
	mean = n ? stats_ksum_value(&s) / (double)n : (double)NAN;
	for (i = 0; i < n; i++)
		ss += (v[i] - mean) * (v[i] - mean);
	qsort(v, n, sizeof *v, compare_double);
	out->n = n;
	out->mean = mean;
	out->sd = n > 1 ? sqrt(ss / (double)(n - 1)) : (double)NAN;
	out->se = n > 1 ? out->sd / sqrt((double)n) : (double)NAN;
	out->p05 = stats_quantile_sorted(v, n, 0.05);
	out->p25 = stats_quantile_sorted(v, n, 0.25);
	out->p50 = stats_quantile_sorted(v, n, 0.50);
	out->p75 = stats_quantile_sorted(v, n, 0.75);
	out->p95 = stats_quantile_sorted(v, n, 0.95);
}
