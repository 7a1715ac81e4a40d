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

#endif
