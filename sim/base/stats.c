/*
 * stats.c - summaries of simulated values: log-linear histograms with
 * integer counts (mergeable in any order with identical results), and
 * exact percentiles of arrays.
 *
 * Histogram layout: index STATS_HIST_SIDE is zero; positives above it,
 * negatives below it (mirror image). For |v| = m 2^e with 1 <= m < 2, the
 * bin is (e - EMIN) 2^SUB + floor((m - 1) 2^SUB) on its side.
 * Each bin also keeps its sole value: the value of every sample in it
 * while they are all equal, NaN once two differ (valid where count > 0).
 * Merging keeps it exactly (equal in both, or NaN), in any order.
 *
 * Every bin outside [first, last] is zero, and every bin inside has been
 * written since the histogram was made (claim): the bins come from
 * calloc, pages mapped when first touched, and a page first read then
 * written costs the other running threads a TLB flush (base/zeroed.h).
 */
#include "base/stats.h"

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
	if (h->first <= h->last)
		memset(h->bin + h->first, 0, (size_t)(h->last - h->first + 1) * sizeof *h->bin);
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
static void claim(stats_hist_bin *bin, int first, int last, int lo, int hi)
{
	if (first > last) {
		memset(bin + lo, 0, (size_t)(hi - lo + 1) * sizeof *bin);
		return;
	}
	if (lo < first)
		memset(bin + lo, 0, (size_t)(first - lo) * sizeof *bin);
	if (hi > last)
		memset(bin + last + 1, 0, (size_t)(hi - last) * sizeof *bin);
}

/* Count v (not NaN) in its bin b. */
static inline void add_at(stats_hist *h, int b, double v)
{
	stats_hist_bin *x = &h->bin[b];

	if (b < h->first || b > h->last)
		claim(h->bin, h->first, h->last, b, b);

	/* the sole value: v for an empty bin; NaN once a second value differs
	   (NaN != v keeps NaN) */
	x->sole = x->count == 0 ? v : x->sole == v ? x->sole : (double)NAN;
	x->count++;
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

/* `times` samples into bin b, the sole value of them `sole` (NaN when
   they differ), for stats_hist_add_many: the occupied range in its
   locals. A bin's sole value merges as add_at keeps it, in any order. */
static inline __attribute__((always_inline)) void
add_times(stats_hist *h, int b, double sole, uint64_t times, int *first, int *last)
{
	stats_hist_bin *bin = &h->bin[b];

	if (b < *first || b > *last) { /* rare: the occupied range grows */
		claim(h->bin, *first, *last, b, b);
		*first = b < *first ? b : *first;
		*last = b > *last ? b : *last;
	}
	if (bin->sole == bin->sole) /* NaN once two values differ: it stays */
		bin->sole = bin->count == 0 ? sole : bin->sole == sole ? bin->sole : (double)NAN;
	bin->count += times;
}

void stats_hist_add_many(stats_hist *h, const double *v, size_t count, size_t stride)
{
	double x[HIST_BATCH], lo = h->min, hi = h->max, run_sole = 0.0;
	int b[HIST_BATCH], first = h->first, last = h->last, run_bin = -1;
	uint64_t added = 0, run_len = 0;
	size_t i, k, m;

	/* consecutive values of one bin (a run) are counted in registers and
	   written once: a constant total, say, makes no chain through memory */
	for (i = 0; i < count; i += m) {
		m = count - i < HIST_BATCH ? count - i : HIST_BATCH;
		for (k = 0; k < m; k++)
			x[k] = v[(i + k) * stride];
#pragma omp simd
		for (k = 0; k < m; k++)
			b[k] = x[k] != x[k] ? -1 : bin_of_bits(x[k]); /* NaN: left out */
		for (k = 0; k < m; k++) {
			const double y = x[k];
			if (b[k] < 0)
				continue;
			if (b[k] == run_bin) {
				run_sole = run_sole == y ? run_sole : (double)NAN;
				run_len++;
			} else {
				if (run_len > 0)
					add_times(h, run_bin, run_sole, run_len, &first, &last);
				run_bin = b[k];
				run_sole = y;
				run_len = 1;
			}
			added++;
			lo = y < lo ? y : lo;
			hi = y > hi ? y : hi;
		}
	}
	if (run_len > 0)
		add_times(h, run_bin, run_sole, run_len, &first, &last);
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
		claim(into->bin, into->first, into->last, from->first, from->last);
	for (b = from->first; b <= from->last; b++) {
		const stats_hist_bin *f = &from->bin[b];
		stats_hist_bin *t = &into->bin[b];
		if (f->count == 0)
			continue;
		if (t->count == 0)
			t->sole = f->sole;
		else if (!(t->sole == f->sole))
			t->sole = NAN;
		t->count += f->count;
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

double stats_hist_quantile(const stats_hist *h, double p)
{
	double target, cum = 0.0, lo, hi, q;
	int b;

	if (h->n == 0)
		return NAN;
	if (p <= 0.0)
		return h->min;
	if (p >= 1.0)
		return h->max;
	target = p * (double)h->n;
	for (b = h->first; b <= h->last; b++) {
		double c = (double)h->bin[b].count;
		if (c > 0 && cum + c >= target) {
			if (!isnan(h->bin[b].sole))
				return h->bin[b].sole; /* one distinct value: an atom, exactly */
			stats_hist_bin_range(b, &lo, &hi);
			if (b == STATS_HIST_SIDE)
				return 0.0;
			q = lo + (hi - lo) * (target - cum) / c;
			return fmin(fmax(q, h->min), h->max);
		}
		cum += c;
	}
	return h->max;
}

void stats_summary_from_hist(stats_summary *out, uint64_t n, double sum, double sumsq,
                             const stats_hist *h)
{
	double mean = n ? sum / (double)n : (double)NAN;
	double var = n > 1 ? (sumsq - (double)n * mean * mean) / (double)(n - 1) : (double)NAN;

	out->n = n;
	out->mean = mean;
	out->sd = var > 0 ? sqrt(var) : (n > 1 ? 0.0 : (double)NAN);
	out->se = n > 1 ? out->sd / sqrt((double)n) : (double)NAN;
	out->p05 = stats_hist_quantile(h, 0.05);
	out->p25 = stats_hist_quantile(h, 0.25);
	out->p50 = stats_hist_quantile(h, 0.50);
	out->p75 = stats_hist_quantile(h, 0.75);
	out->p95 = stats_hist_quantile(h, 0.95);
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
