/*
 * clvdist.c - stage engine: the exact distribution of a customer's CLV by
 * dynamic programming (contract and error bound in clvdist.h).
 *
 * Method. Let U(t, k, x) be the distribution of what a customer still
 * earns from its k-th purchase of period t on, made in state x, in money
 * of period 0. With F purchases per period, phase ph = (t < offer
 * periods),
 *   U(t, k, x) = r(t, k, x) + U(t, k + 1, Y),   Y ~ P_ph[x][.],
 *   U(t, F, y) = U(t + 1, 0, y),   U(T + 1, 0, y) = 0,
 *   r(t, 0, x) = margin_ph[x] (1+g)^t/(1+r)^t - cost_ph[x] (1+r)^-t,
 *   r(t, k, x) = margin_ph[x] (1+g)^t/(1+r)^t   (k >= 1),
 * the rewards chain.c gives the walk. So each step, for every x, is a
 * mixture of the next step's lists over y, shifted by r: the points
 * (r + v, P[x][y] p), squeezed back to a list (below). With Poisson(F)
 * purchases, N ~ Poisson(F) per period (tail beyond 1e-17 dropped, as
 * the exact engine does): the period's lists are the mixture over N = k
 * (weights P(N = k)) of k margin-earning steps from U(t + 1, 0, .), then
 * shifted by the period's cost. The customer's CLV is the mixture of
 * U(0, 0, x) over `initial`, minus the acquisition cost for the total;
 * what it earns in state i is the same recursion with the rewards of the
 * other states set to 0. Backwards in time, in money of period 0, the
 * range of U shrinks with the discount, so does the adaptive grid's bin
 * width, and with it the moves: the bound grows as the sum over steps of
 * (range of that step) / points, not as the horizon times the full range.
 *
 * Squeezing candidates (values with probabilities) into a list: up to
 * `points` of them are sorted and points of equal value merged (nothing
 * moves). Beyond, `points` equal bins over [min, max]; a candidate of
 * probability >= (its total) / points is kept as it is (an atom), the
 * others fall into their bin, and a bin becomes its one value when all
 * its candidates share it, else one point at its centre of mass, which
 * moves each of its candidates by at most max(centre - min, max - centre)
 * of the bin: the step's move. The bound of a state's list is its move
 * plus the largest bound among the lists it mixed.
 *
 * States whose rows reach the same next states (dense rows: all of them)
 * mix the same lists, each shifted by its own reward and weighted by its
 * own row; once those lists hold more than `points` points together they
 * are binned once for the whole group (group_squeeze): the grid is laid
 * over the lists' joint range in unshifted values, each list is binned on
 * its own (mass and mass x value), each state's bins are those sums
 * weighted by its row, in one pass over all lists' bins (state_bins), and
 * the atoms (points of probability >= HEAVY /
 * points of their own list) are the same for every state. A bin's spread,
 * and so its move, is the same for the whole group; a state's point is its
 * bin's centre of mass plus its reward (a bin of one value: that value
 * plus the reward, exactly). Fewer points: each state keeps every
 * candidate, sorted and merged where equal (squeeze_runs; nothing moves).
 *
 * Cost: per step, every point of every list reachable in one purchase
 * (nonzero P[x][y]) is handled once per group of rows, then each list's
 * bins once per state; lists hold at most about points x (1 + sources /
 * HEAVY) points (clvdist_work). The n + 1 programmes (each state, the
 * total) are independent and run in parallel (OpenMP, on the caller's
 * thread count), each result identical whatever the thread count.
 */
#include "engine/clvdist.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "base/vectorise.h"
#include "base/zeroed.h"
#include "engine/chain.h"

typedef struct pt {
	double v, p;
} pt;

/* ---- lists ------------------------------------------------------------ */

clvdist *clvdist_create(void)
{
	return calloc(1, sizeof(clvdist));
}

void clvdist_free(clvdist *d)
{
	if (d == NULL)
		return;
	free(d->v);
	free(d->p);
	free(d);
}

static int reserve(clvdist *d, size_t cap)
{
	double *v, *p;

	if (cap <= d->cap)
		return 0;
	cap = cap < 2 * d->cap ? 2 * d->cap : cap;
	v = realloc(d->v, cap * sizeof *v);
	if (v == NULL)
		return -1;
	d->v = v;
	p = realloc(d->p, cap * sizeof *p);
	if (p == NULL)
		return -1;
	d->p = p;
	d->cap = cap;
	return 0;
}

/* d = the single point 0 (nothing left to earn). */
static int set_zero(clvdist *d)
{
	if (reserve(d, 1) != 0)
		return -1;
	d->v[0] = 0.0;
	d->p[0] = 1.0;
	d->len = 1;
	d->bound = 0.0;
	return 0;
}

double clvdist_quantile(const clvdist *d, double p)
{
	double total = 0.0, cum = 0.0;
	size_t i;

	if (d == NULL || d->len == 0)
		return NAN;
	for (i = 0; i < d->len; i++)
		total += d->p[i];
	for (i = 0; i + 1 < d->len; i++) {
		cum += d->p[i];
		if (cum / total >= p - CLVDIST_P_SLACK)
			break;
	}
	return d->v[i];
}

void clvdist_moments(const clvdist *d, double *mean, double *sd)
{
	double total = 0.0, m = 0.0, ss = 0.0;
	size_t i;

	for (i = 0; i < d->len; i++) {
		total += d->p[i];
		m += d->p[i] * d->v[i];
	}
	m /= total;
	for (i = 0; i < d->len; i++)
		ss += d->p[i] * (d->v[i] - m) * (d->v[i] - m);
	*mean = d->len ? m : (double)NAN;
	*sd = d->len ? sqrt(ss / total) : (double)NAN;
}

/* ---- squeezing candidates into a list --------------------------------------- */

typedef struct squeeze {
	size_t K;                /* bins */
	double *mass, *mv, *lo, *hi; /* K each: a bin's probability, sum of
	                            probability x value, least and largest value */
	double *cen;             /* K: the bins' points (bin_centres) */
	pt *atoms;               /* K / HEAVY + 1: the heavy points */
	pt *tmp;                 /* merge buffer (tmp_cap) */
	size_t tmp_cap;
} squeeze;

/* A point of probability >= HEAVY / K of the total is never moved. */
#define HEAVY 16.0

static void squeeze_free(squeeze *sq)
{
	free(sq->mass);
	free(sq->mv);
	free(sq->lo);
	free(sq->hi);
	free(sq->cen);
	free(sq->atoms);
	free(sq->tmp);
}

static int squeeze_init(squeeze *sq, size_t K)
{
	memset(sq, 0, sizeof *sq);
	sq->K = K;
	sq->mass = malloc(K * sizeof *sq->mass);
	sq->mv = malloc(K * sizeof *sq->mv);
	sq->lo = malloc(K * sizeof *sq->lo);
	sq->hi = malloc(K * sizeof *sq->hi);
	sq->cen = malloc(K * sizeof *sq->cen);
	sq->atoms = malloc(((size_t)((double)K / HEAVY) + 2) * sizeof *sq->atoms);
	return sq->mass && sq->mv && sq->lo && sq->hi && sq->cen && sq->atoms ? 0
	                                                                                    : -1;
}

/* The bin of v >= lo on a grid of K bins, inv bins per unit from lo (the
   last bin takes the top); through a signed conversion, which needs no
   branch (the value is small and not negative). */
static inline size_t grid_bin(double v, double lo, double inv, size_t K)
{
	const size_t j = (size_t)(int64_t)((v - lo) * inv);

	return j < K ? j : K - 1;
}

/* Append (v, p) to out, merging with its last point when equal. */
static inline void push(clvdist *out, double v, double p)
{
	if (out->len > 0 && out->v[out->len - 1] == v)
		out->p[out->len - 1] += p;
	else {
		out->v[out->len] = v;
		out->p[out->len] = p;
		out->len++;
	}
}

/* Two doubles (GCC vector extensions) and their comparison's lanes. */
typedef double v2d __attribute__((vector_size(16)));
typedef int64_t v2i __attribute__((vector_size(16)));

/* Is any of v[0..n) equal to the one before it (v[-1] readable)? Two
   lanes at a time, no branch. */
static bool any_equal_neighbours(const double *v, size_t n)
{
	v2i any = {0, 0};
	size_t k;

	for (k = 0; k + 2 <= n; k += 2) {
		const v2d a = {v[k], v[k + 1]}, b = {v[k - 1], v[k]};
		any |= a == b;
	}
	if (k < n)
		any[0] |= v[k] == v[k - 1];
	return (any[0] | any[1]) != 0;
}

/* The occupied bins among [j, e) (mass M nonzero), their points cen plus
   rx, appended to out as push() one at a time would: compacted and
   copied without a branch, then pushed one at a time only when two
   neighbours are equal (push merges them; rare). */
static void push_bins(clvdist *out, const double *cen, const double *M, size_t j, size_t e,
                      double rx)
{
	double *restrict v = out->v + out->len, *restrict p = out->p + out->len;
	size_t k, c = 0;

	for (k = j; k < e; k++) {
		v[c] = rx + cen[k];
		p[c] = M[k];
		c += M[k] != 0.0;
	}
	if (c == 0)
		return;
	if (!(out->len > 0 && v[0] == v[-1]) && !any_equal_neighbours(v + 1, c - 1)) {
		out->len += c;
		return;
	}
	for (k = j; k < e; k++)
		if (M[k] != 0.0)
			push(out, rx + cen[k], M[k]);
}

/* Merge the ascending runs of c (start[0..r], start[r] = m) into one;
   returns the sorted array (c or sq->tmp), NULL when out of memory. */
static pt *merge_runs(squeeze *sq, pt *c, size_t m, size_t *start, size_t r)
{
	pt *src = c, *dst;
	size_t k;

	if (r <= 1)
		return c;
	if (sq->tmp_cap < m) {
		pt *t = realloc(sq->tmp, m * sizeof *t);
		if (t == NULL)
			return NULL;
		sq->tmp = t;
		sq->tmp_cap = m;
	}
	dst = sq->tmp;
	while (r > 1) { /* one pass: runs 2k and 2k + 1 into dst */
		size_t w = 0;
		pt *t;
		for (k = 0; k < r; k += 2) {
			size_t a = start[k], ae = start[k + 1], b = ae, be = k + 2 <= r ? start[k + 2] : ae;
			size_t o = a;
			while (a < ae && b < be)
				dst[o++] = src[b].v < src[a].v ? src[b++] : src[a++];
			while (a < ae)
				dst[o++] = src[a++];
			while (b < be)
				dst[o++] = src[b++];
			start[w++] = start[k];
		}
		start[w] = m;
		r = w;
		t = src;
		src = dst;
		dst = t;
	}
	return src;
}

static int by_value(const void *a, const void *b)
{
	double x = ((const pt *)a)->v, y = ((const pt *)b)->v;

	return (x > y) - (x < y);
}

/* Each bin's point - its one value, else its centre of mass - into
   cen[0..K), for all bins at once (vectorised; an empty bin, mass 0, gets
   a value never read); returns the largest move a bin of nonzero mass
   makes. bin_point is one bin's (of least and largest value blo, bhi,
   mass m, mass x value mv): its point, *move raised to its move. */
NO_TRAPPING_MATH static inline __attribute__((always_inline)) double
bin_point(double blo, double bhi, double m, double mv, double *move)
{
	double v = blo == bhi ? blo : mv / m, d;

	v = v < blo ? blo : v > bhi ? bhi : v;
	d = v - blo > bhi - v ? v - blo : bhi - v;
	d = m != 0.0 ? d : 0.0;
	*move = d > *move ? d : *move;
	return v;
}

NO_TRAPPING_MATH WIDE_CLONES static double
bin_centres(const double *restrict lo, const double *restrict hi, const double *restrict M,
            const double *restrict MV, double *restrict cen, size_t K)
{
	double move = 0.0;
	size_t j;

#pragma omp simd reduction(max : move)
	for (j = 0; j < K; j++)
		cen[j] = bin_point(lo[j], hi[j], M[j], MV[j], &move);
	return move;
}

/* Candidates c[0..m) - ascending runs start[0..r] (start[r] = m; start is
   overwritten) - into out (capacity m + 1 at least): returns the largest
   move, or -1 when out of memory. */
static double squeeze_runs(squeeze *sq, pt *c, size_t m, size_t *start, size_t r, clvdist *out)
{
	const size_t K = sq->K;
	double lo = INFINITY, hi = -INFINITY, total = 0.0, tau, inv, move = 0.0;
	size_t i, j, k, na = 0, e;

	out->len = 0;
	if (m == 0)
		return 0.0;
	if (m <= K) { /* few: sorted and merged where equal, nothing moves */
		if ((c = merge_runs(sq, c, m, start, r)) == NULL)
			return -1.0;
		for (i = 0; i < m; i++)
			push(out, c[i].v, c[i].p);
		return 0.0;
	}
	for (k = 0; k < r; k++)
		if (start[k + 1] > start[k]) {
			lo = c[start[k]].v < lo ? c[start[k]].v : lo;
			hi = c[start[k + 1] - 1].v > hi ? c[start[k + 1] - 1].v : hi;
		}
	for (i = 0; i < m; i++)
		total += c[i].p;
	tau = HEAVY * total / (double)K;
	inv = hi > lo ? (double)K / (hi - lo) : 0.0;
	memset(sq->mass, 0, K * sizeof *sq->mass);
	memset(sq->mv, 0, K * sizeof *sq->mv);
	for (j = 0; j < K; j++) {
		sq->lo[j] = INFINITY;
		sq->hi[j] = -INFINITY;
	}
	for (i = 0; i < m; i++) { /* branch-free but for the rare heavy points */
		const double v = c[i].v, p = c[i].p;
		double *blo, *bhi;
		if (p >= tau) {
			sq->atoms[na++] = c[i];
			continue;
		}
		j = grid_bin(v, lo, inv, K);
		blo = &sq->lo[j];
		bhi = &sq->hi[j];
		*blo = v < *blo ? v : *blo;
		*bhi = v > *bhi ? v : *bhi;
		sq->mass[j] += p;
		sq->mv[j] += p * v;
	}
	qsort(sq->atoms, na, sizeof *sq->atoms, by_value);
	/* each occupied bin's point (as it is: -0 + x is x), merged with the
	   heavy points */
	move = bin_centres(sq->lo, sq->hi, sq->mass, sq->mv, sq->cen, K);
	for (k = 0, j = 0; k < na; k++) {
		for (e = j; e < K && !(sq->mass[e] != 0.0 && sq->cen[e] >= sq->atoms[k].v); e++)
			;
		push_bins(out, sq->cen, sq->mass, j, e, -0.0);
		push(out, sq->atoms[k].v, sq->atoms[k].p);
		j = e;
	}
	push_bins(out, sq->cen, sq->mass, j, K, -0.0);
	return move;
}

/* ---- one pass for the states that mix the same lists ------------------------ */

/* States x whose rows reach the same next states y mix the same lists
   U_y, each shifted by its own reward r_x and weighted by its own row: so
   the points are binned once, in unshifted values, for all of them (the
   same grid for each: `points` equal bins over the lists' joint range),
   and each state's list is its bins' centres of mass plus r_x. A point of
   probability >= HEAVY / points of its list is an atom for every state
   (kept as it is, never moved), the rest fall into their bin; a bin whose
   points share one value gives each state that value plus r_x, exactly. A
   bin's spread (least and largest value) is the same for every state of
   the group, so is the move bound it gives. */
typedef struct group_atom {
	double v, p;
	size_t y;
} group_atom;

typedef struct group_bins {
	double *lo, *hi;         /* K each: a bin's least and largest value */
	double *src;             /* ns x 2 K: each source's mass and mass x
	                            value per bin (zero where it has none) */
	double *mass, *mv, *cen; /* K each: one state's bins' masses, masses x
	                            values (more than 8 sources) and points */
	size_t K, ns;            /* what they were allocated for */
	group_atom *atoms;
	size_t atoms_cap;
} group_bins;

static int by_atom_value(const void *a, const void *b)
{
	double x = ((const group_atom *)a)->v, y = ((const group_atom *)b)->v;

	return (x > y) - (x < y);
}

/* Bins for K and at least ns sources (every bin empty: lo = +inf,
   hi = -inf, sums 0) and atoms for `atoms`. */
static int group_reserve(group_bins *g, size_t K, size_t ns, size_t atoms)
{
	size_t j;

	if (g->K != K || g->ns < ns) {
		free(g->lo);
		free(g->hi);
		free(g->src);
		free(g->mass);
		free(g->mv);
		free(g->cen);
		g->lo = malloc(K * sizeof *g->lo);
		g->hi = malloc(K * sizeof *g->hi);
		g->src = zeroed_alloc(2 * K * ns, sizeof *g->src);
		g->mass = malloc(K * sizeof *g->mass);
		g->mv = malloc(K * sizeof *g->mv);
		g->cen = malloc(K * sizeof *g->cen);
		g->K = g->ns = 0;
		if (!g->lo || !g->hi || !g->src || !g->mass || !g->mv || !g->cen)
			return -1;
		for (j = 0; j < K; j++) {
			g->lo[j] = INFINITY;
			g->hi[j] = -INFINITY;
		}
		g->K = K;
		g->ns = ns;
	}
	if (g->atoms_cap < atoms) {
		group_atom *a = realloc(g->atoms, atoms * sizeof *a);
		if (a == NULL)
			return -1;
		g->atoms = a;
		g->atoms_cap = atoms;
	}
	return 0;
}

/* One state's bins from the sources' (src, NS of them, weighted by its
   row q): mass M = sum q_k S_k and mass x value sum q_k T_k, from 0 and
   in source order (what folding each source into the state's bins in
   turn gives), then each bin's point as bin_centres makes it, into cen;
   one pass, vectorised (NS known at compile time). Returns the largest
   move a bin of nonzero mass makes. */
NO_TRAPPING_MATH static inline __attribute__((always_inline)) double
state_bins_k(const int NS, const double *restrict src, const double *restrict q,
             const double *restrict lo, const double *restrict hi, double *restrict M,
             double *restrict cen, size_t K)
{
	double move = 0.0;
	size_t j;
	int k;

#pragma omp simd reduction(max : move)
	for (j = 0; j < K; j++) {
		double m = 0.0, mv = 0.0;
#pragma GCC unroll 8
		for (k = 0; k < NS; k++) {
			m += q[k] * src[2 * K * (size_t)k + j];
			mv += q[k] * src[2 * K * (size_t)k + K + j];
		}
		cen[j] = bin_point(lo[j], hi[j], m, mv, &move);
		M[j] = m;
	}
	return move;
}

/* state_bins_k for any number of sources: up to 8 in one pass; more, the
   sums a source at a time in the same order (MV: scratch), then
   bin_centres. */
NO_TRAPPING_MATH WIDE_CLONES static double
state_bins(const double *restrict src, size_t ns, const double *restrict q,
           const double *restrict lo, const double *restrict hi, double *restrict M,
           double *restrict MV, double *restrict cen, size_t K)
{
	size_t j, k;

	switch (ns) {
	case 1: return state_bins_k(1, src, q, lo, hi, M, cen, K);
	case 2: return state_bins_k(2, src, q, lo, hi, M, cen, K);
	case 3: return state_bins_k(3, src, q, lo, hi, M, cen, K);
	case 4: return state_bins_k(4, src, q, lo, hi, M, cen, K);
	case 5: return state_bins_k(5, src, q, lo, hi, M, cen, K);
	case 6: return state_bins_k(6, src, q, lo, hi, M, cen, K);
	case 7: return state_bins_k(7, src, q, lo, hi, M, cen, K);
	case 8: return state_bins_k(8, src, q, lo, hi, M, cen, K);
	default: break;
	}
	for (j = 0; j < K; j++)
		M[j] = MV[j] = 0.0;
	for (k = 0; k < ns; k++) {
		const double *restrict S = src + 2 * K * k, *restrict T = S + K;
#pragma omp simd
		for (j = 0; j < K; j++) {
			M[j] += q[k] * S[j];
			MV[j] += q[k] * T[j];
		}
	}
	return bin_centres(lo, hi, M, MV, cen, K);
}

/* State g's list from the group's bins: each occupied bin's point
   (bin_centres) plus rx, with the atoms between, in ascending order;
   *move: the largest move a bin makes. The bins between two atoms go in
   at once (push_bins); the only branches left are the rare atoms and
   equal values. */
static void group_emit(group_bins *gb, size_t K, size_t ns, const double *q, size_t na,
                       const double *row, double rx, clvdist *out, double *move)
{
	double *restrict M = gb->mass, *restrict cen = gb->cen;
	const group_atom *atoms = gb->atoms;
	size_t j = 0, e, a;

	*move = state_bins(gb->src, ns, q, gb->lo, gb->hi, M, gb->mv, cen, K);
	out->len = 0;
	for (a = 0; a < na; a++) { /* the bins before atom a (below its value), then it */
		for (e = j; e < K && !(M[e] != 0.0 && cen[e] >= atoms[a].v); e++)
			;
		push_bins(out, cen, M, j, e, rx);
		push(out, rx + atoms[a].v, row[atoms[a].y] * atoms[a].p);
		j = e;
	}
	push_bins(out, cen, M, j, K, rx);
}

/* The most points a group's state list holds: every bin occupied, and
   the most atoms ns sources can have (each at least HEAVY / K of its
   source's total). */
static size_t group_len_max(size_t K, size_t ns)
{
	return K + ns * ((size_t)((double)K / HEAVY) + 2);
}

/* V[x] for the ng states xs[] of one group, sources ys[0..ns) (their
   lists hold more than K points together), into out[g] (capacity enough);
   move[g]: the largest move each state's list makes. -1 when out of
   memory. Bins are left zeroed for the next call. */
static int group_squeeze(group_bins *gb, size_t K, const clvdist *const *U, const size_t *ys,
                         size_t ns, const size_t *xs, size_t ng, const double *P, size_t n,
                         const double *r, clvdist **out, double *move)
{
	double lo = INFINITY, hi = -INFINITY, inv, q[CLV_MAX_STATES];
	size_t na = 0, atoms_max = 0, k, g, j, i;

	for (k = 0; k < ns; k++) {
		const clvdist *u = U[ys[k]];
		if (u->len == 0)
			continue;
		lo = u->v[0] < lo ? u->v[0] : lo;
		hi = u->v[u->len - 1] > hi ? u->v[u->len - 1] : hi;
		atoms_max += group_len_max(K, 1) - K;
	}
	if (group_reserve(gb, K, ns, atoms_max + 1) != 0)
		return -1;
	inv = hi > lo ? (double)K / (hi - lo) : 0.0;
	for (k = 0; k < ns; k++) { /* every point once, into its source's bins */
		const clvdist *u = U[ys[k]];
		double part[4] = {0.0, 0.0, 0.0, 0.0}, tau;
		double *restrict S = gb->src + 2 * K * k, *restrict T = S + K;
		double *restrict blo = gb->lo, *restrict bhi = gb->hi;
		for (i = 0; i + 4 <= u->len; i += 4) /* four sums: no chain of adds */
			for (j = 0; j < 4; j++)
				part[j] += u->p[i + j];
		for (; i < u->len; i++)
			part[0] += u->p[i];
		tau = HEAVY * ((part[0] + part[1]) + (part[2] + part[3])) / (double)K;
		for (i = 0; i < u->len; i++) {
			const double v = u->v[i], p = u->p[i];
			if (p >= tau) {
				gb->atoms[na++] = (group_atom){v, p, ys[k]};
				continue;
			}
			j = grid_bin(v, lo, inv, K);
			blo[j] = v < blo[j] ? v : blo[j];
			bhi[j] = v > bhi[j] ? v : bhi[j];
			S[j] += p;
			T[j] += p * v;
		}
	}
	qsort(gb->atoms, na, sizeof *gb->atoms, by_atom_value);
	for (g = 0; g < ng; g++) { /* each state: the sources' bins weighted by its row */
		for (k = 0; k < ns; k++)
			q[k] = P[xs[g] * n + ys[k]];
		group_emit(gb, K, ns, q, na, P + xs[g] * n, r[xs[g]], out[g], &move[g]);
	}
	memset(gb->src, 0, 2 * K * ns * sizeof *gb->src);
#pragma omp simd
	for (j = 0; j < K; j++) {
		gb->lo[j] = INFINITY;
		gb->hi[j] = -INFINITY;
	}
	return 0;
}

/* ---- one programme -------------------------------------------------------------- */

typedef struct dp {
	const clv_model *m;
	size_t n, K;
	int state;               /* rewards only in this state; -1: all (total) */
	clvdist **U, **V;        /* n each: the next purchase's lists, scratch */
	double *E, *E2;          /* n each: their bounds */
	pt *cand;                /* candidates */
	size_t cand_cap;
	size_t *runs;            /* n + 2: where each source's run starts */
	pt **mix;                /* Poisson: n mixtures over purchase counts, */
	size_t *mix_len;         /* their lengths, */
	size_t **mix_runs;       /* runs (MIX_RUNS + 1 each) */
	size_t *mix_nruns;
	double *mix_E;           /* and bounds */
	squeeze sq;
	group_bins gb;           /* the shared pass of dp_step */
	double work;
} dp;

/* A Poisson mixture is squeezed when it has this many runs, or 4 K points. */
#define MIX_RUNS 64

static void dp_free(dp *d)
{
	size_t x;

	for (x = 0; x < d->n; x++) {
		if (d->U)
			clvdist_free(d->U[x]);
		if (d->V)
			clvdist_free(d->V[x]);
		if (d->mix)
			free(d->mix[x]);
		if (d->mix_runs)
			free(d->mix_runs[x]);
	}
	free(d->U);
	free(d->V);
	free(d->E);
	free(d->E2);
	free(d->cand);
	free(d->runs);
	free(d->mix);
	free(d->mix_len);
	free(d->mix_runs);
	free(d->mix_nruns);
	free(d->mix_E);
	squeeze_free(&d->sq);
	free(d->gb.lo);
	free(d->gb.hi);
	free(d->gb.src);
	free(d->gb.mass);
	free(d->gb.mv);
	free(d->gb.cen);
	free(d->gb.atoms);
}

static int dp_init(dp *d, const clv_model *m, size_t K, int state)
{
	size_t x, n = m->n;

	memset(d, 0, sizeof *d);
	d->m = m;
	d->n = n;
	d->K = K;
	d->state = state;
	d->U = calloc(n, sizeof *d->U);
	d->V = calloc(n, sizeof *d->V);
	d->E = calloc(n, sizeof *d->E);
	d->E2 = calloc(n, sizeof *d->E2);
	d->runs = calloc(n + 2, sizeof *d->runs);
	if (!d->U || !d->V || !d->E || !d->E2 || !d->runs || squeeze_init(&d->sq, K) != 0)
		return -1;
	/* lists as long as a step makes them (group_len_max) from the start:
	   growing them would copy them, in pages touched for the first time */
	for (x = 0; x < n; x++)
		if ((d->U[x] = clvdist_create()) == NULL || (d->V[x] = clvdist_create()) == NULL ||
		    reserve(d->U[x], group_len_max(K, n) + 1) != 0 ||
		    reserve(d->V[x], group_len_max(K, n) + 1) != 0 || set_zero(d->U[x]) != 0)
			return -1;
	if (!m->poisson)
		return 0;
	d->mix = calloc(n, sizeof *d->mix);
	d->mix_len = calloc(n, sizeof *d->mix_len);
	d->mix_runs = calloc(n, sizeof *d->mix_runs);
	d->mix_nruns = calloc(n, sizeof *d->mix_nruns);
	d->mix_E = calloc(n, sizeof *d->mix_E);
	if (!d->mix || !d->mix_len || !d->mix_runs || !d->mix_nruns || !d->mix_E)
		return -1;
	for (x = 0; x < n; x++)
		if ((d->mix[x] = malloc(6 * (K + 1) * sizeof **d->mix)) == NULL ||
		    (d->mix_runs[x] = calloc(MIX_RUNS + 1, sizeof **d->mix_runs)) == NULL)
			return -1;
	return 0;
}

static int cand_reserve(dp *d, size_t need)
{
	pt *c;

	if (need <= d->cand_cap)
		return 0;
	c = realloc(d->cand, need * sizeof *c);
	if (c == NULL)
		return -1;
	d->cand = c;
	d->cand_cap = need;
	return 0;
}

/* V[x] for one state x on its own: its candidates (r[x] + v, P[x][y] p)
   squeezed; E2[x] its bound. */
static int step_state(dp *d, const double *P, const double *r, size_t x)
{
	size_t n = d->n, y, i, m = 0, need = 0, nr = 0;
	double e = 0.0, move;

	for (y = 0; y < n; y++)
		if (P[x * n + y] > 0.0)
			need += d->U[y]->len;
	if (cand_reserve(d, need + 1) != 0 || reserve(d->V[x], need + 1) != 0)
		return -1;
	for (y = 0; y < n; y++) {
		const double q = P[x * n + y], rx = r[x];
		const clvdist *u = d->U[y];
		if (!(q > 0.0))
			continue;
		e = d->E[y] > e ? d->E[y] : e;
		d->runs[nr++] = m;
		for (i = 0; i < u->len; i++) {
			d->cand[m].v = rx + u->v[i];
			d->cand[m].p = q * u->p[i];
			m++;
		}
	}
	d->runs[nr] = m;
	d->work += (double)m;
	if ((move = squeeze_runs(&d->sq, d->cand, m, d->runs, nr, d->V[x])) < 0.0)
		return -1;
	d->E2[x] = e + move;
	return 0;
}

/* Do rows x and z reach the same next states? */
static bool same_support(const double *P, size_t n, size_t x, size_t z)
{
	size_t y;

	for (y = 0; y < n; y++)
		if ((P[x * n + y] > 0.0) != (P[z * n + y] > 0.0))
			return false;
	return true;
}

/* One purchase, backwards: V[x] = r[x] + U[Y], Y ~ P[x][.]; then swap.
   States with the same support share one pass (group_squeeze) when their
   lists hold more than K points together; fewer, each keeps every point
   (step_state: nothing moves). */
static int dp_step(dp *d, const double *P, const double *r)
{
	size_t n = d->n, x, y, z, g, ng, ns, need;
	size_t xs[CLV_MAX_STATES], ys[CLV_MAX_STATES];
	bool done[CLV_MAX_STATES] = {false};
	clvdist *outs[CLV_MAX_STATES];
	double moves[CLV_MAX_STATES], e;
	clvdist **tmp;
	double *te;

	for (x = 0; x < n; x++) {
		if (done[x])
			continue;
		for (ng = 0, z = x; z < n; z++)
			if (!done[z] && same_support(P, n, x, z)) {
				xs[ng++] = z;
				done[z] = true;
			}
		for (ns = 0, need = 0, e = 0.0, y = 0; y < n; y++)
			if (P[x * n + y] > 0.0) {
				ys[ns++] = y;
				need += d->U[y]->len;
				e = d->E[y] > e ? d->E[y] : e;
			}
		if (need <= d->K) {
			for (g = 0; g < ng; g++)
				if (step_state(d, P, r, xs[g]) != 0)
					return -1;
			continue;
		}
		for (g = 0; g < ng; g++) {
			if (reserve(d->V[xs[g]], (need < group_len_max(d->K, ns) ? need
			                          : group_len_max(d->K, ns)) + 1) != 0)
				return -1;
			outs[g] = d->V[xs[g]];
		}
		if (group_squeeze(&d->gb, d->K, (const clvdist *const *)d->U, ys, ns, xs, ng, P, n, r,
		                  outs, moves) != 0)
			return -1;
		for (g = 0; g < ng; g++) {
			d->E2[xs[g]] = e + moves[g];
			d->work += (double)need;
		}
	}
	tmp = d->U;
	d->U = d->V;
	d->V = tmp;
	te = d->E;
	d->E = d->E2;
	d->E2 = te;
	return 0;
}

/* The reward in state x (0 outside d->state when it is one). */
static double masked(const dp *d, size_t x, double r)
{
	return d->state < 0 || (size_t)d->state == x ? r : 0.0;
}

/* Largest purchase count of Poisson(F) summed (tail below 1e-17). */
static unsigned poisson_last(double F)
{
	unsigned k = (unsigned)(F + 10.0 * sqrt(F) + 20.0);

	while (gsl_cdf_poisson_Q(k, F) > 1e-17)
		k += 1 + k / 8;
	return k;
}

/* Squeeze mixture x into one run (through V[x]); -1 when out of memory. */
static int mix_squeeze(dp *d, size_t x)
{
	clvdist *tmp = d->V[x];
	double move;
	size_t j;

	if (reserve(tmp, d->mix_len[x] + 1) != 0 ||
	    (move = squeeze_runs(&d->sq, d->mix[x], d->mix_len[x], d->mix_runs[x], d->mix_nruns[x],
	                         tmp)) < 0.0)
		return -1;
	d->mix_E[x] += move;
	for (j = 0; j < tmp->len; j++) {
		d->mix[x][j].v = tmp->v[j];
		d->mix[x][j].p = tmp->p[j];
	}
	d->mix_len[x] = tmp->len;
	d->mix_runs[x][0] = 0;
	d->mix_runs[x][1] = tmp->len;
	d->mix_nruns[x] = tmp->len > 0;
	return 0;
}

/* Add w u (bound e) to mixture x as one more run. */
static int mix_add(dp *d, size_t x, const clvdist *u, double w, double e)
{
	size_t i, at;

	if (d->mix_len[x] + u->len > 6 * (d->K + 1) - 1 || d->mix_nruns[x] == MIX_RUNS)
		if (mix_squeeze(d, x) != 0)
			return -1;
	d->mix_E[x] = e > d->mix_E[x] ? e : d->mix_E[x];
	at = d->mix_len[x];
	for (i = 0; i < u->len; i++) {
		d->mix[x][at + i].v = u->v[i];
		d->mix[x][at + i].p = w * u->p[i];
	}
	d->mix_runs[x][d->mix_nruns[x]++] = at;
	d->mix_len[x] = at + u->len;
	d->mix_runs[x][d->mix_nruns[x]] = d->mix_len[x];
	d->work += (double)u->len;
	return 0;
}

/* One period of a Poisson model: U <- the period's cost plus the mixture
   over k of k margin-earning steps from U. */
static int dp_poisson_period(dp *d, const double *P, const double *margin, const double *cost,
                             double grow, double disc, unsigned last)
{
	const clv_model *m = d->m;
	size_t n = d->n, x, i;
	double r[CLV_MAX_STATES];
	unsigned k;

	for (x = 0; x < n; x++) {
		d->mix_len[x] = 0;
		d->mix_nruns[x] = 0;
		d->mix_runs[x][0] = 0;
		d->mix_E[x] = 0.0;
		r[x] = masked(d, x, margin[x] * grow);
	}
	for (k = 0; k <= last; k++) { /* U holds the lists after k purchases */
		double w = gsl_ran_poisson_pdf(k, m->purchases);
		if (k > 0 && dp_step(d, P, r) != 0)
			return -1;
		for (x = 0; x < n && w > 0.0; x++)
			if (mix_add(d, x, d->U[x], w, d->E[x]) != 0)
				return -1;
	}
	for (x = 0; x < n; x++) {
		const double c = masked(d, x, -cost[x] * disc);
		double move;
		for (i = 0; i < d->mix_len[x]; i++)
			d->mix[x][i].v += c;
		if (reserve(d->U[x], d->mix_len[x] + 1) != 0 ||
		    (move = squeeze_runs(&d->sq, d->mix[x], d->mix_len[x], d->mix_runs[x],
		                         d->mix_nruns[x], d->U[x])) < 0.0)
			return -1;
		d->E[x] = d->mix_E[x] + move;
	}
	return 0;
}

/* Run the programme over periods T..0, the periods after T bounded by
   tail_bound; the result is the mixture over `initial`, into out. */
static int dp_run(dp *d, long T, double tail_bound, clvdist *out)
{
	const clv_model *m = d->m;
	size_t n = d->n, x, i, need = 0, nr = 0;
	unsigned last = m->poisson ? poisson_last(m->purchases) : 0;
	long F = m->poisson ? 0 : (long)llround(m->purchases), t, k;
	double lg = log1p(m->growth) - log1p(m->discount), ld = log1p(m->discount), e = 0.0, move;
	const double shift = d->state < 0 ? -m->acquisition : 0.0;
	double r[CLV_MAX_STATES];

	for (x = 0; x < n; x++)
		d->E[x] = tail_bound;
	for (t = T; t >= 0; t--) {
		const int ph = t < m->offer_periods;
		const double *P = ph ? m->P_offer : m->P;
		const double grow = exp((double)t * lg), disc = exp(-(double)t * ld);
		double margin[CLV_MAX_STATES], cost[CLV_MAX_STATES];
		/* a state's CLV: the margin at full price while offers run (what a
		   discount gives up and what offers cost are offer spend); the
		   total: less that spend */
		for (x = 0; x < n; x++) {
			margin[x] = ph && d->state < 0 ? m->margin_offer[x] : m->margin[x];
			cost[x] = !ph ? m->cost[x]
			        : m->cost_offer[x] + (d->state < 0 ? m->offer_cost[x] : 0.0);
		}
		if (m->poisson) {
			if (dp_poisson_period(d, P, margin, cost, grow, disc, last) != 0)
				return -1;
			continue;
		}
		for (k = F - 1; k >= 0; k--) {
			for (x = 0; x < n; x++)
				r[x] = masked(d, x, k == 0 ? margin[x] * grow - cost[x] * disc
				                           : margin[x] * grow);
			if (dp_step(d, P, r) != 0)
				return -1;
		}
	}
	for (x = 0; x < n; x++)
		if (m->initial[x] > 0.0)
			need += d->U[x]->len;
	if (cand_reserve(d, need + 1) != 0 || reserve(out, need + 1) != 0)
		return -1;
	need = 0;
	for (x = 0; x < n; x++) {
		if (!(m->initial[x] > 0.0))
			continue;
		e = d->E[x] > e ? d->E[x] : e;
		d->runs[nr++] = need;
		for (i = 0; i < d->U[x]->len; i++) {
			d->cand[need].v = d->U[x]->v[i] + shift;
			d->cand[need].p = m->initial[x] * d->U[x]->p[i];
			need++;
		}
	}
	d->runs[nr] = need;
	if ((move = squeeze_runs(&d->sq, d->cand, need, d->runs, nr, out)) < 0.0)
		return -1;
	out->bound = e + move;
	return 0;
}

/* ---- the public entry points ------------------------------------------------------ */

static size_t points_of(const clvdist_options *o)
{
	return o != NULL && o->points >= 16 ? o->points : CLVDIST_POINTS;
}

/* The last period computed, and the bound on what later ones add. */
static long dp_periods(const clv_model *m, double *tail)
{
	long T;

	*tail = 0.0;
	if (!m->infinite)
		return m->horizon;
	T = chain_periods_within(m, CLVDIST_TRUNCATION);
	*tail = chain_truncation_bound(m, T);
	return T;
}

double clvdist_work(const clv_model *m, const clvdist_options *o)
{
	double tail, nnz = 0.0, steps;
	long T = dp_periods(m, &tail);
	size_t i;

	for (i = 0; i < m->n * m->n; i++)
		nnz += (m->P[i] > 0.0 || m->P_offer[i] > 0.0);
	steps = m->poisson ? (double)poisson_last(m->purchases) + 1.0 : fmax(1.0, m->purchases);
	return ((double)T + 1.0) * steps * nnz * 1.1 * (double)points_of(o) *
	       (o != NULL && o->total_only ? 1.0 : (double)m->n + 1.0);
}

clv_status clvdist_model(const clv_model *m, const clvdist_options *o, clvdist **out,
                         long *periods_out, double *work_out, clv_error *err)
{
	size_t n = m->n, K = points_of(o), first = o != NULL && o->total_only ? n : 0, i;
#ifdef _OPENMP
	const int nt = o != NULL && o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
	double tail, work = 0.0;
	long T = dp_periods(m, &tail), j;
	int failed = 0;

	for (i = 0; i <= n; i++)
		out[i] = NULL;
	if (m->infinite && !(tail <= CLVDIST_TRUNCATION * chain_truncation_bound(m, -1)))
		return diag_set(err, CLV_ERR_LIMIT, NULL,
		                "the CLV distribution of this infinite horizon cannot be truncated "
		                "within %ld periods (discount rate %.6g, growth %.6g per period)",
		                CLV_MAX_HORIZON, m->discount, m->growth);
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) reduction(+ : work) reduction(| : failed)
	for (j = (long)first; j <= (long)n; j++) {
		dp d;
		clvdist *res = clvdist_create();
		memset(&d, 0, sizeof d);
		if (res == NULL || dp_init(&d, m, K, j == (long)n ? -1 : (int)j) != 0 ||
		    dp_run(&d, T, tail, res) != 0) {
			failed = 1;
			clvdist_free(res);
			res = NULL;
		}
		work += d.work;
		dp_free(&d);
		out[j] = res;
	}
	if (failed) {
		for (i = 0; i <= n; i++) {
			clvdist_free(out[i]);
			out[i] = NULL;
		}
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the CLV distribution");
	}
	if (periods_out != NULL)
		*periods_out = T;
	if (work_out != NULL)
		*work_out = work;
	return CLV_OK;
}

clvdist *clvdist_mix(const clvdist *const *parts, const double *w, size_t k, size_t points,
                     clv_error *err)
{
	squeeze sq = {0};
	clvdist *out = clvdist_create();
	pt *c = NULL;
	size_t *runs = calloc(k + 2, sizeof *runs), m = 0, i, j, nr = 0;
	double e = 0.0, move = -1.0;

	if (points < 16)
		points = CLVDIST_POINTS;
	for (i = 0; i < k; i++)
		m += parts[i]->len;
	if (out != NULL && runs != NULL && (c = malloc((m + 1) * sizeof *c)) != NULL &&
	    reserve(out, m + 1) == 0 && squeeze_init(&sq, points) == 0) {
		m = 0;
		for (i = 0; i < k; i++) {
			if (!(w[i] > 0.0))
				continue;
			e = parts[i]->bound > e ? parts[i]->bound : e;
			runs[nr++] = m;
			for (j = 0; j < parts[i]->len; j++) {
				c[m].v = parts[i]->v[j];
				c[m].p = w[i] * parts[i]->p[j];
				m++;
			}
		}
		runs[nr] = m;
		move = squeeze_runs(&sq, c, m, runs, nr, out);
	}
	free(c);
	free(runs);
	squeeze_free(&sq);
	if (move < 0.0) {
		clvdist_free(out);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the CLV distribution");
		return NULL;
	}
	out->bound = e + move;
	return out;
}
