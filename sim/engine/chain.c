/*
 * chain.c - the inner loop (see chain.h for the contract).
 *
 * Per customer: the first purchase's state is drawn from `initial`; each
 * period t counts the state at its start (share of wallet), charges that
 * state's cost_per_period discounted by (1 + r)^-t, then makes F purchases
 * (or a Poisson(F) number): each earns the current state's margin times
 * (1 + g)^t / (1 + r)^t and moves one step of the chain. While offers
 * run, what they cost (their cost per period, the margin a discount gives
 * up per purchase, the state's margin staying at full price) goes to the
 * customer's offer spend, apart from its CLV per state. A customer who
 * lands, after the offer periods, in an absorbing state stops being
 * simulated: what the rest of its life adds there is known (the state's
 * suffix sum `tail`, precomputed per table; with Poisson purchases only a
 * state without margin qualifies) and its remaining periods are counted
 * in bulk through `dead_from` (prefix sums at the end of the block). An
 * absorbed customer costs nothing more, whatever the horizon.
 *
 * Sampling a row: cumulative probabilities are stored as 64-bit integer
 * thresholds in units of 2^-32; the next state is the number of
 * thresholds <= u for one 32-bit output u (a branch-free count). Each
 * probability is represented to within 2^-32. Poisson counts use the same
 * inversion on a threshold table of the Poisson CDF (truncated where the
 * tail is below 2^-33), by binary search.
 *
 * Two paths walk a block (chain_run_block): the lock-step kernels of
 * kernel.h (kernel_scalar.c, kernel_avx2.c, kernel_avx512.c; the one
 * chain_isa_get names) for tables of up to 8 states and a fixed number
 * of purchases, and the general path (chain_run_block_general: four
 * customers in flight, lane_period inlined) for the others. The lock-step
 * path buffers each customer's CLV, offer spend and walk length for the
 * block and records them in the order the general path's lanes would
 * finish them (lane_order), so both give the same bits.
 *
 * Customers with rows of their own (chain_run_own: a struct of arrays of
 * their thresholds, chain_own) walk on the same two paths: the kernels
 * take a lane's thresholds from its own column where the lane is in an
 * own row (a masked load; the table's permuted ones elsewhere), the
 * general path gives each of its four lanes a view of the table whose
 * rows hold the customer's (own_view). Customers whose own draws reach
 * further (money, time) each get a table of their own (chain_run_lanes).
 */
#include "engine/chain.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "base/rng.h"
#include "base/vectorise.h"
#include "engine/kernel.h"

#define TWO32 4294967296.0

/* sum_{t > T} a^t, a in [0, 1). */
static double geometric_tail(double a, long T)
{
	return a == 0.0 ? 0.0 : exp((double)(T + 1) * log(a)) / (1.0 - a);
}

double chain_truncation_bound(const clv_model *m, long periods)
{
	double a_m = (1.0 + m->growth) / (1.0 + m->discount), a_c = 1.0 / (1.0 + m->discount);
	double M = 0.0, C = 0.0, F = fmax(m->purchases, 1e-300);
	size_t i;

	if (!m->infinite)
		return 0.0;
	for (i = 0; i < m->n; i++) {
		M = fmax(M, fabs(m->margin[i]));
		C = fmax(C, fabs(m->cost[i]));
	}
	if ((M > 0.0 && !(a_m < 1.0)) || (C > 0.0 && !(a_c < 1.0)))
		return INFINITY;
	return (M > 0.0 ? F * M * geometric_tail(a_m, periods) : 0.0) +
	       (C > 0.0 ? C * geometric_tail(a_c, periods) : 0.0);
}

long chain_periods(const clv_model *m)
{
	return chain_periods_within(m, CHAIN_TRUNCATION_TOLERANCE);
}

long chain_periods_within(const clv_model *m, double tol)
{
	double a, scale;
	long t, first = m->offer_periods != LONG_MAX && m->offer_periods > 0 ? m->offer_periods : 0;

	if (!m->infinite)
		return m->horizon;
	scale = chain_truncation_bound(m, -1);
	if (scale == 0.0)
		return first;
	if (!isfinite(scale))
		return CLV_MAX_HORIZON;
	/* both terms shrink at least by the larger factor a per period, so
	   bound(T) <= a^(T+1) bound(-1); then step down while it still holds */
	a = fmax((1.0 + m->growth) / (1.0 + m->discount), 1.0 / (1.0 + m->discount));
	t = (long)fmin((double)CLV_MAX_HORIZON, ceil(log(tol) / log(a)));
	while (t > first && t > 0 && chain_truncation_bound(m, t - 1) <= tol * scale)
		t--;
	return t > first ? t : first;
}

void chain_table_free(chain_table *tb)
{
	if (tb == NULL)
		return;
	free(tb->init_thr);
	free(tb->thr[0]);
	free(tb->thr[1]);
	free(tb->margin[0]);
	free(tb->margin[1]);
	free(tb->cost[0]);
	free(tb->cost[1]);
	free(tb->grow_disc);
	free(tb->disc);
	free(tb->first);
	free(tb->spend);
	free(tb->forgone);
	free(tb->poisson_thr);
	free(tb->dead);
	free(tb->tail);
	free(tb);
}

/* Entries of the Poisson(F) threshold table. */
static size_t poisson_table_len(const clv_model *m)
{
	size_t k;

	if (!m->poisson)
		return 1;
	k = (size_t)(m->purchases + 12.0 * sqrt(m->purchases) + 20.0);
	while (gsl_cdf_poisson_Q((unsigned)k, m->purchases) > 1.0 / (2.0 * TWO32))
		k += 1 + k / 8;
	return k + 1;
}

double chain_table_bytes(size_t n, long periods)
{
	return ((double)periods + 2.0) * (2.0 + 2.0 * (double)n) * sizeof(double) +
	       (2.0 * (double)n * (double)n + 8.0 * (double)n) * sizeof(double);
}

chain_table *chain_table_create(const clv_model *m, long periods, clv_error *err)
{
	chain_table *tb = calloc(1, sizeof *tb);
	size_t n = m->n, rows = n * (n ? n - 1 : 0) + 1;
	int ph;

	if (tb == NULL)
		goto nomem;
	tb->n = n;
	tb->periods = periods;
	tb->poisson_len = poisson_table_len(m);
	tb->init_thr = calloc(n, sizeof *tb->init_thr);
	for (ph = 0; ph < 2; ph++) {
		tb->thr[ph] = calloc(rows, sizeof *tb->thr[ph]);
		tb->margin[ph] = calloc(n, sizeof *tb->margin[ph]);
		tb->cost[ph] = calloc(n, sizeof *tb->cost[ph]);
		if (!tb->thr[ph] || !tb->margin[ph] || !tb->cost[ph])
			goto nomem;
	}
	tb->grow_disc = calloc((size_t)periods + 1, sizeof *tb->grow_disc);
	tb->disc = calloc((size_t)periods + 1, sizeof *tb->disc);
	tb->first = calloc(((size_t)periods + 1) * n, sizeof *tb->first);
	tb->spend = calloc(n, sizeof *tb->spend);
	tb->forgone = calloc(n, sizeof *tb->forgone);
	tb->poisson_thr = calloc(tb->poisson_len, sizeof *tb->poisson_thr);
	tb->dead = calloc(n, sizeof *tb->dead);
	tb->tail = calloc(((size_t)periods + 2) * n, sizeof *tb->tail);
	if (!tb->init_thr || !tb->grow_disc || !tb->disc || !tb->first || !tb->spend ||
	    !tb->forgone || !tb->poisson_thr || !tb->dead || !tb->tail)
		goto nomem;
	chain_table_fill(tb, m);
	return tb;
nomem:
	chain_table_free(tb);
	diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory preparing the simulation tables");
	return NULL;
}

/* Cumulative thresholds of the first n - 1 entries of p. Invariant:
   0 <= thr[0] <= thr[1] <= ... <= 2^32 (checked in debug builds). */
static void thresholds(const double *p, size_t n, uint64_t *thr)
{
	double cum = 0.0;
	size_t j;

	for (j = 0; j + 1 < n; j++) {
		cum += p[j];
		/* cum * 2^32 < 2^33: adding 0.5 and truncating is exact rounding */
		thr[j] = (uint64_t)((cum < 1.0 ? cum : 1.0) * TWO32 + 0.5);
		assert(thr[j] <= (uint64_t)TWO32 && (j == 0 || thr[j] >= thr[j - 1]));
	}
}

static void fill_poisson(chain_table *tb, const clv_model *m)
{
	size_t k;

	tb->poisson = m->poisson;
	tb->purchases = m->poisson ? 0 : (uint32_t)llround(m->purchases);
	if (!m->poisson)
		return;
	for (k = 0; k < tb->poisson_len; k++)
		tb->poisson_thr[k] = (uint64_t)llround(gsl_cdf_poisson_P((unsigned)k, m->purchases) * TWO32);
}

/* Parts of a table, filled separately (chain.h, CHAIN_FILL_*). */
static void fill_thresholds(chain_table *tb, const clv_model *m)
{
	size_t n = m->n, i;

	thresholds(m->initial, n, tb->init_thr);
	for (i = 0; i < n; i++) {
		thresholds(m->P + i * n, n, tb->thr[0] + i * (n - 1));
		thresholds(m->P_offer + i * n, n, tb->thr[1] + i * (n - 1));
		/* absorbing, and what is left to earn there is known */
		tb->dead[i] = m->P[i * n + i] == 1.0 && (!m->poisson || m->margin[i] == 0.0);
	}
}

static void fill_time(chain_table *tb, const clv_model *m)
{
	long t;

	for (t = 0; t <= tb->periods; t++) {
		tb->disc[t] = exp(-(double)t * log1p(m->discount));
		tb->grow_disc[t] = exp((double)t * (log1p(m->growth) - log1p(m->discount)));
	}
}

/* The first-purchase rewards of state i in every period (both phases),
   and what staying in i from period t on adds (phase 0; summed from the
   last period back). */
static void fill_first_state(chain_table *tb, size_t i, double purchases)
{
	size_t n = tb->n;
	double more = purchases > 1.0 ? purchases - 1.0 : 0.0, rest = 0.0;
	long t;

	for (t = 0; t <= tb->periods; t++) {
		const int ph = t < tb->offer_periods;
		tb->first[(size_t)t * n + i] = tb->margin[ph][i] * tb->grow_disc[t] -
		                               tb->cost[ph][i] * tb->disc[t];
	}
	tb->tail[((size_t)tb->periods + 1) * n + i] = 0.0;
	for (t = tb->periods; t >= 0; t--) {
		/* with Poisson purchases only a state without margin is absorbing:
		   then only its cost is left */
		rest += tb->poisson ? -tb->cost[0][i] * tb->disc[t]
		                    : tb->margin[0][i] * tb->grow_disc[t] - tb->cost[0][i] * tb->disc[t] +
		                      more * tb->margin[0][i] * tb->grow_disc[t];
		tb->tail[(size_t)t * n + i] = rest;
	}
}

/* Margins and costs of m; `all`: every state's rewards, else only those
   of the states whose margin or cost changed. */
static void fill_money(chain_table *tb, const clv_model *m, bool all)
{
	size_t n = m->n, i;
	int ph;

	if (all)
		tb->has_spend = tb->has_forgone = false;
	for (i = 0; i < n; i++) {
		/* the margin stays at full price while offers run: what a discount
		   gives up (forgone) and what offers cost (spend) are offer spend */
		const double mg[2] = {m->margin[i], m->margin[i]};
		const double co[2] = {m->cost[i], m->cost_offer[i]};
		bool same = !all;
		for (ph = 0; ph < 2; ph++) {
			same = same && tb->margin[ph][i] == mg[ph] && tb->cost[ph][i] == co[ph];
			tb->margin[ph][i] = mg[ph];
			tb->cost[ph][i] = co[ph];
		}
		tb->spend[i] = m->offer_cost[i];
		tb->forgone[i] = m->margin[i] - m->margin_offer[i];
		tb->has_spend = tb->has_spend || tb->spend[i] != 0.0;
		tb->has_forgone = tb->has_forgone || tb->forgone[i] != 0.0;
		if (!same)
			fill_first_state(tb, i, tb->poisson ? 0.0 : (double)tb->purchases);
	}
}

void chain_table_refill(chain_table *tb, const clv_model *m, unsigned parts)
{
	tb->acquisition = m->acquisition;
	if (parts & CHAIN_FILL_TIME) {
		tb->offer_periods = m->offer_periods;
		fill_poisson(tb, m);
		fill_time(tb, m);
		fill_money(tb, m, true);
	} else if (parts & CHAIN_FILL_MONEY)
		fill_money(tb, m, false);
	if (parts & (CHAIN_FILL_ROWS | CHAIN_FILL_TIME | CHAIN_FILL_MONEY))
		fill_thresholds(tb, m); /* dead states depend on the money too */
}

void chain_table_fill(chain_table *tb, const clv_model *m)
{
	chain_table_refill(tb, m, CHAIN_FILL_ALL);
}

void chain_table_copy(chain_table *dst, const chain_table *src)
{
	size_t n = src->n, rows = n * (n ? n - 1 : 0);
	int ph;

	dst->offer_periods = src->offer_periods;
	dst->acquisition = src->acquisition;
	dst->purchases = src->purchases;
	dst->poisson = src->poisson;
	memcpy(dst->init_thr, src->init_thr, n * sizeof *dst->init_thr);
	for (ph = 0; ph < 2; ph++) {
		memcpy(dst->thr[ph], src->thr[ph], rows * sizeof *dst->thr[ph]);
		memcpy(dst->margin[ph], src->margin[ph], n * sizeof *dst->margin[ph]);
		memcpy(dst->cost[ph], src->cost[ph], n * sizeof *dst->cost[ph]);
	}
	memcpy(dst->grow_disc, src->grow_disc, ((size_t)src->periods + 1) * sizeof *dst->grow_disc);
	memcpy(dst->disc, src->disc, ((size_t)src->periods + 1) * sizeof *dst->disc);
	memcpy(dst->first, src->first, ((size_t)src->periods + 1) * n * sizeof *dst->first);
	memcpy(dst->poisson_thr, src->poisson_thr, src->poisson_len * sizeof *dst->poisson_thr);
	memcpy(dst->dead, src->dead, n * sizeof *dst->dead);
	memcpy(dst->tail, src->tail, ((size_t)src->periods + 2) * n * sizeof *dst->tail);
	memcpy(dst->spend, src->spend, n * sizeof *dst->spend);
	memcpy(dst->forgone, src->forgone, n * sizeof *dst->forgone);
	dst->has_spend = src->has_spend;
	dst->has_forgone = src->has_forgone;
}

/* Number of thresholds <= u: the sampled index. */
static inline size_t pick(const uint64_t *thr, size_t n1, uint64_t u)
{
	size_t j, x = 0;

	for (j = 0; j < n1; j++)
		x += u >= thr[j];
	return x;
}

/* Poisson count by binary search in the CDF thresholds. */
static inline uint32_t poisson_count(const chain_table *tb, uint64_t u)
{
	size_t lo = 0, hi = tb->poisson_len - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (u < tb->poisson_thr[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint32_t)lo;
}

void chain_acc_flush(const chain_table *tb, chain_acc *acc)
{
	size_t n = tb->n, i;
	long t;
	uint64_t running[CLV_MAX_STATES] = {0};

	for (t = 0; t <= tb->periods; t++) {
		uint32_t *d = acc->dead_from + (size_t)t * n;
		uint64_t *c = acc->count + (size_t)t * n;
		for (i = 0; i < n; i++) {
			running[i] += d[i];
			c[i] += running[i];
			d[i] = 0;
		}
	}
	for (i = 0; i < n; i++)
		acc->dead_from[(size_t)(tb->periods + 1) * n + i] = 0;
}

/* Add the finished customer's CLV (and offer spend) to the accumulators
   (record_ordered_k does the same for the lock-step path). */
static inline void record_customer(const chain_table *tb, chain_acc *acc, const double *clv,
                                   double spend)
{
	size_t n = tb->n, i;
	double total = -tb->acquisition - spend;

	for (i = 0; i < n; i++) {
		double v = clv[i];
		total += v;
		stats_ksum_add(&acc->sum[i], v);
		stats_ksum_add(&acc->sumsq[i], v * v);
		if (acc->hist)
			stats_hist_add(acc->hist[i], v);
		if (acc->below)
			acc->below[i] += v < 0.0;
	}
	stats_ksum_add(&acc->sum[n], total);
	stats_ksum_add(&acc->sumsq[n], total * total);
	if (acc->hist)
		stats_hist_add(acc->hist[n], total);
	if (acc->below) {
		acc->below[n] += total < 0.0;
		acc->below[n + 1] += total > 0.0;
	}
	if (acc->spend) {
		stats_ksum_add(&acc->spend[0], spend);
		stats_ksum_add(&acc->spend[1], spend * spend);
	}
}

/* One customer in flight: its stream, state, period, CLV and offer spend
   so far. */
typedef struct lane {
	rng_pcg32 r;
	size_t x;
	long t;
	bool live;
	double spend;
	double clv[CLV_MAX_STATES];
} lane;

/* Start a customer whose stream ln->r is positioned: first state, t = 0. */
static inline void lane_begin(const chain_table *tb, lane *ln)
{
	size_t i;

	ln->x = pick(tb->init_thr, tb->n - 1, rng_next(&ln->r));
	ln->t = 0;
	ln->live = true;
	ln->spend = 0.0;
	for (i = 0; i < tb->n; i++)
		ln->clv[i] = 0.0;
}

static inline void lane_start(const chain_table *tb, lane *ln, uint64_t seed, uint64_t rep,
                              uint64_t customer)
{
	rng_stream(&ln->r, seed, rep, customer);
	lane_begin(tb, ln);
}

/* One period of one lane. Returns true when the customer is finished. */
static inline __attribute__((always_inline)) bool lane_period(const chain_table *tb, lane *ln, chain_acc *acc)
{
	const size_t n = tb->n, n1 = n - 1;
	const long t = ln->t;
	const int ph = t < tb->offer_periods;
	const uint64_t *const thr = tb->thr[ph];
	const double *const margin = tb->margin[ph];
	const double g = tb->grow_disc[t];
	const bool fg = ph && tb->has_forgone; /* a price discount runs */
	uint32_t k;
	size_t x = ln->x;

	acc->count[(size_t)t * n + x]++;
	if (ph && tb->has_spend)
		ln->spend += tb->spend[x] * tb->disc[t];
	if (!tb->poisson) {
		/* F >= 1: the first purchase with the period's cost, then the rest */
		ln->clv[x] += tb->first[(size_t)t * n + x];
		if (fg)
			ln->spend += tb->forgone[x] * g;
		x = pick(thr + x * n1, n1, rng_next(&ln->r));
		for (k = 1; k < tb->purchases; k++) {
			ln->clv[x] += margin[x] * g;
			if (fg)
				ln->spend += tb->forgone[x] * g;
			x = pick(thr + x * n1, n1, rng_next(&ln->r));
		}
	} else {
		uint32_t purchases = poisson_count(tb, rng_next(&ln->r));
		ln->clv[x] -= tb->cost[ph][x] * tb->disc[t];
		for (k = 0; k < purchases; k++) {
			ln->clv[x] += margin[x] * g;
			if (fg)
				ln->spend += tb->forgone[x] * g;
			x = pick(thr + x * n1, n1, rng_next(&ln->r));
		}
	}
	ln->x = x;
	ln->t = t + 1;
	if (tb->dead[x] && t + 1 >= tb->offer_periods && t < tb->periods) {
		/* absorbed: the rest of its life is known, it costs nothing more */
		ln->clv[x] += tb->tail[(size_t)(t + 1) * n + x];
		acc->dead_from[(size_t)(t + 1) * n + x]++;
		return true;
	}
	return t + 1 > tb->periods;
}

void chain_run_customer(const chain_table *tb, rng_pcg32 *r, chain_acc *acc)
{
	lane ln;

	ln.r = *r;
	lane_begin(tb, &ln);
	while (!lane_period(tb, &ln, acc))
		;
	record_customer(tb, acc, ln.clv, ln.spend);
	*r = ln.r;
}

/* CHAIN_LANES (chain.h) customers in flight per thread: their dependency
   chains (the generator's multiply, the row lookup) are independent, so
   the processor overlaps them. A finished lane takes the block's next
   customer. The order customers finish in depends only on the block, so
   results stay independent of the thread count. */

void chain_run_block_general(const chain_table *tb, uint64_t seed, uint64_t rep, uint64_t first,
                             uint64_t count, chain_acc *acc)
{
	lane lanes[CHAIN_LANES];
	uint64_t next = first, end = first + count;
	int l, live = 0;

	for (l = 0; l < CHAIN_LANES; l++) {
		lanes[l].live = false;
		if (next < end) {
			lane_start(tb, &lanes[l], seed, rep, next++);
			live++;
		}
	}
	while (live > 0) {
		for (l = 0; l < CHAIN_LANES; l++) {
			lane *ln = &lanes[l];
			if (!ln->live || !lane_period(tb, ln, acc))
				continue;
			record_customer(tb, acc, ln->clv, ln->spend);
			if (next < end)
				lane_start(tb, ln, seed, rep, next++);
			else {
				ln->live = false;
				live--;
			}
		}
	}
	chain_acc_flush(tb, acc);
}

/* The order in which the CHAIN_LANES lanes of chain_run_block_general
   would finish the block's customers, from their walk lengths: lane l
   takes the next customer in the round after its previous one finished,
   a customer of len periods finishes len - 1 rounds after it started, and
   within a round the lanes finish in index order. */
static void lane_order(const kernel_out *o, uint64_t count, uint32_t *order)
{
	uint64_t cust[CHAIN_LANES], fin[CHAIN_LANES], next = 0, k = 0;
	int l, live = 0;

	/* walks of one length (nobody absorbed early): customer order */
	for (k = 1; k < count && o->len[k] == o->len[0]; k++)
		;
	if (k == count) {
		for (k = 0; k < count; k++)
			order[k] = (uint32_t)k;
		return;
	}
	k = 0;
	for (l = 0; l < CHAIN_LANES; l++) {
		fin[l] = UINT64_MAX;
		if (next < count) {
			cust[l] = next;
			fin[l] = o->len[next] - 1u;
			next++;
			live++;
		}
	}
	while (live > 0) {
		int best = 0;
		for (l = 1; l < CHAIN_LANES; l++)
			if (fin[l] < fin[best])
				best = l;
		order[k++] = (uint32_t)cust[best];
		if (next < count) {
			cust[best] = next;
			fin[best] += o->len[next];
			next++;
		} else {
			fin[best] = UINT64_MAX;
			live--;
		}
	}
}

/* Four doubles (GCC vector extensions: two SSE2 registers in the
   portable build, one AVX2 register in its clone) and the matching 64-bit
   lanes of a comparison. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));

/* stats_ksum_add lane by lane: the same operations on each lane, so the
   same bits as the scalar one, without its branch (x by pointer: a vector
   argument would have two ABIs, with and without AVX). */
static inline __attribute__((always_inline)) void ksum4_add(v4d *sum, v4d *comp, const v4d *xp)
{
	const v4d x = *xp, t = *sum + x;
	const v4i big = (v4d)((v4i)*sum & INT64_MAX) >= (v4d)((v4i)x & INT64_MAX);
	const v4i a = (v4i)((*sum - t) + x), b = (v4i)((x - t) + *sum);

	*comp += (v4d)((a & big) | (b & ~big));
	*sum = t;
}

/* Lane s of a customer's sums: its CLV in state s (clv[s * stride]),
   its total at s = K. */
static inline __attribute__((always_inline)) double
lane_value(const int K, const double *clv, size_t stride, double total, int s)
{
	return s < K ? clv[(size_t)s * stride] : s == K ? total : 0.0;
}

/* record_customer's sums for the block's customers in `order`, K = n
   states known at compile time: the sums, per state and the total, live
   in vectors (state s in lane s % 4 of vector s / 4, the total at s = K)
   for the block; the same additions in the same order per sum. */
static inline __attribute__((always_inline)) void
record_ordered_k(const int K, const chain_table *tb, kernel_out *o, const uint32_t *order,
                 uint64_t count, chain_acc *acc)
{
	enum { NV = (KERNEL_MAX_STATES + 4) / 4 };
	const int nv = (K + 4) / 4;
	v4d sum[NV], comp[NV], sq[NV], sqcomp[NV];
	v4i neg[NV];
	stats_ksum sp[2] = {{0, 0}, {0, 0}};
	uint64_t positive = 0;
	const bool has_below = acc->below != NULL;
	/* without offers every spend is +0, whose additions leave the sums
	   as they are (+0 or more): skipped */
	const bool has_spend = acc->spend != NULL && (tb->has_spend || tb->has_forgone);
	const double *own_acq = o->acquisition;
	const size_t stride = o->stride;
	uint64_t c;
	int i, j;

	for (j = 0; j < nv; j++) {
		for (i = 0; i < 4; i++) {
			const int s = 4 * j + i;
			sum[j][i] = s <= K ? acc->sum[s].sum : 0.0;
			comp[j][i] = s <= K ? acc->sum[s].comp : 0.0;
			sq[j][i] = s <= K ? acc->sumsq[s].sum : 0.0;
			sqcomp[j][i] = s <= K ? acc->sumsq[s].comp : 0.0;
		}
		neg[j] = (v4i){0, 0, 0, 0};
	}
	if (has_spend)
		memcpy(sp, acc->spend, sizeof sp);
	for (c = 0; c < count; c++) {
		const double *clv = o->clv + order[c];
		const double spend = o->spend[order[c]];
		double total = -(own_acq ? own_acq[order[c]] : tb->acquisition) - spend;
#pragma GCC unroll 8
		for (i = 0; i < K; i++)
			total += clv[(size_t)i * stride];
		o->total[order[c]] = total;
#pragma GCC unroll 8
		for (j = 0; j < nv; j++) {
			const v4d v = {lane_value(K, clv, stride, total, 4 * j),
			               lane_value(K, clv, stride, total, 4 * j + 1),
			               lane_value(K, clv, stride, total, 4 * j + 2),
			               lane_value(K, clv, stride, total, 4 * j + 3)};
			const v4d v2 = v * v;
			ksum4_add(&sum[j], &comp[j], &v);
			ksum4_add(&sq[j], &sqcomp[j], &v2);
			neg[j] -= (v < 0.0);
		}
		positive += total > 0.0;
		if (has_spend) {
			stats_ksum_add(&sp[0], spend);
			stats_ksum_add(&sp[1], spend * spend);
		}
	}
	for (i = 0; i <= K; i++) {
		acc->sum[i].sum = sum[i / 4][i % 4];
		acc->sum[i].comp = comp[i / 4][i % 4];
		acc->sumsq[i].sum = sq[i / 4][i % 4];
		acc->sumsq[i].comp = sqcomp[i / 4][i % 4];
		if (has_below)
			acc->below[i] += (uint64_t)neg[i / 4][i % 4];
	}
	if (has_below)
		acc->below[K + 1] += positive;
	if (has_spend)
		memcpy(acc->spend, sp, sizeof sp);
}

/* Record the customers a lock-step kernel walked (kernel.h) into the sums
   in the order the four-lane general path finishes them (also built for
   AVX2: wider vectors of the same operations, the same bits). */
WIDE_CLONES static void record_in_lane_order(const chain_table *tb, kernel_out *o, uint32_t *order,
                                 uint64_t count, chain_acc *acc)
{
	lane_order(o, count, order);
	switch (tb->n) {
	case 1: record_ordered_k(1, tb, o, order, count, acc); break;
	case 2: record_ordered_k(2, tb, o, order, count, acc); break;
	case 3: record_ordered_k(3, tb, o, order, count, acc); break;
	case 4: record_ordered_k(4, tb, o, order, count, acc); break;
	case 5: record_ordered_k(5, tb, o, order, count, acc); break;
	case 6: record_ordered_k(6, tb, o, order, count, acc); break;
	case 7: record_ordered_k(7, tb, o, order, count, acc); break;
	default: record_ordered_k(8, tb, o, order, count, acc); break;
	}
}

/* The block's customers into the histograms, one histogram at a time
   (each is large: its bins stay in cache while they fill), in customer
   order; the totals as record_ordered_k formed them (o->total). */
static void record_hists(const chain_table *tb, const kernel_out *o, uint64_t count,
                         chain_acc *acc)
{
	const size_t n = tb->n;
	size_t i;

	if (acc->hist == NULL)
		return;
	for (i = 0; i < n; i++)
		stats_hist_add_many(acc->hist[i], o->clv + i * o->stride, count, 1);
	stats_hist_add_many(acc->hist[n], o->total, count, 1);
}

static kernel_fn kernel_of(chain_isa isa)
{
#if KERNEL_X86
	if (isa == CHAIN_ISA_AVX512)
		return kernel_run_avx512;
	if (isa == CHAIN_ISA_AVX2)
		return kernel_run_avx2;
#endif
	(void)isa;
	return kernel_run_scalar;
}

/* The block's buffers (kernel_out and the recording order); false when
   one cannot be allocated (all freed). With own rows, their acquisition
   costs are the customers' (own->acquisition, not copied). */
static bool buffers_alloc(kernel_out *o, uint32_t **order, size_t n, uint64_t count,
                          const chain_own *own)
{
	*o = (kernel_out){NULL, NULL, NULL, NULL, (size_t)count, NULL};
	*order = NULL;
	if (count == 0 || count > UINT32_MAX)
		return false;
	o->clv = malloc(count * n * sizeof *o->clv);
	o->spend = malloc(count * sizeof *o->spend);
	o->len = malloc(count * sizeof *o->len);
	o->total = malloc(count * sizeof *o->total);
	o->acquisition = own ? own->acquisition : NULL;
	*order = malloc(count * sizeof **order);
	if (o->clv && o->spend && o->len && o->total && *order)
		return true;
	free(o->clv);
	free(o->spend);
	free(o->len);
	free(o->total);
	free(*order);
	return false;
}

/* Walk a block on the lock-step path, record it, free the buffers. */
static void run_lock_step(const chain_table *tb, const chain_own *own, uint64_t seed,
                          uint64_t rep, uint64_t first, uint64_t count, kernel_out *o,
                          uint32_t *order, chain_acc *acc)
{
	kernel_of(chain_isa_get())(tb, own, seed, rep, first, count, o, acc);
	record_in_lane_order(tb, o, order, count, acc);
	record_hists(tb, o, count, acc);
	chain_acc_flush(tb, acc);
	free(o->clv);
	free(o->spend);
	free(o->len);
	free(o->total);
	free(order);
}

/* A table the lock-step kernels take runs there (chain_isa_get names the
   path), with its customers' results buffered for the block; any other
   (Poisson purchases, more than KERNEL_MAX_STATES states), or a block
   whose buffers cannot be allocated, runs on the general path. */
void chain_run_block(const chain_table *tb, uint64_t seed, uint64_t rep, uint64_t first,
                     uint64_t count, chain_acc *acc)
{
	kernel_out o;
	uint32_t *order;

	if (kernel_fits(tb) && buffers_alloc(&o, &order, tb->n, count, NULL))
		run_lock_step(tb, NULL, seed, rep, first, count, &o, order, acc);
	else
		chain_run_block_general(tb, seed, rep, first, count, acc);
}

void chain_run_lanes(chain_table *const *tables, unsigned refill, chain_prepare prepare, void *ctx,
                     uint64_t first, uint64_t count, chain_acc *acc)
{
	lane lanes[CHAIN_LANES];
	uint64_t next = first, end = first + count;
	int l, live = 0;

	(void)refill; /* every part may differ: each lane its own table */
	for (l = 0; l < CHAIN_LANES; l++) {
		lanes[l].live = false;
		if (next < end) {
			prepare(ctx, l, next++, &lanes[l].r);
			lane_begin(tables[l], &lanes[l]);
			live++;
		}
	}
	while (live > 0) {
		for (l = 0; l < CHAIN_LANES; l++) {
			lane *ln = &lanes[l];
			if (!ln->live || !lane_period(tables[l], ln, acc))
				continue;
			record_customer(tables[l], acc, ln->clv, ln->spend);
			if (next < end) {
				prepare(ctx, l, next++, &ln->r);
				lane_begin(tables[l], ln);
			} else {
				ln->live = false;
				live--;
			}
		}
	}
	chain_acc_flush(tables[0], acc);
}

/* ---- customers with rows of their own (chain_own) ------------------ */

void chain_own_free(chain_own *own)
{
	if (own == NULL)
		return;
	free(own->thr);
	free(own->lane_thr);
	free(own->dead);
	free(own->acquisition);
	free(own);
}

static size_t own_stride(size_t cap)
{
	return (cap + CHAIN_OWN_ROUND - 1) / CHAIN_OWN_ROUND * CHAIN_OWN_ROUND;
}

double chain_own_bytes(size_t n, size_t cap)
{
	const double rows = (double)n * (double)(n ? n - 1 : 0);

	return sizeof(chain_own) + ((double)own_stride(cap) * (2.0 * rows + 2.0) +
	                            2.0 * CHAIN_LANES * rows) * 8.0;
}

chain_own *chain_own_create(size_t n, const bool *own0, const bool *own1, size_t cap)
{
	chain_own *own = calloc(1, sizeof *own);
	size_t x, cols;
	int ph;

	if (own == NULL)
		return NULL;
	own->n = n;
	own->cap = cap;
	own->stride = own_stride(cap);
	for (ph = 0; ph < 2; ph++)
		for (x = 0; x < n; x++) {
			own->slot[ph][x] = -1;
			if (ph ? own1[x] || own0[x] : own0[x]) {
				own->slot[ph][x] = (int)own->n_rows[ph];
				own->row[ph][own->n_rows[ph]++] = x;
			}
		}
	for (x = 0; x < n; x++)
		if (own0[x])
			own->own_dead |= 1ull << x;
	cols = (own->n_rows[0] + own->n_rows[1]) * (n ? n - 1 : 0);
	own->thr = calloc(cols * own->stride + 1, sizeof *own->thr);
	own->lane_thr = calloc(2 * CHAIN_LANES * n * (n ? n - 1 : 0) + 1, sizeof *own->lane_thr);
	own->dead = calloc(own->stride, sizeof *own->dead);
	own->acquisition = calloc(own->stride, sizeof *own->acquisition);
	if (!own->thr || !own->lane_thr || !own->dead || !own->acquisition) {
		chain_own_free(own);
		return NULL;
	}
	return own;
}

void chain_own_set_row(chain_own *own, const chain_table *tb, uint64_t c, int ph, size_t x,
                       const double *p)
{
	const size_t n = own->n, r = (size_t)own->slot[ph][x];
	uint64_t thr[CLV_MAX_STATES];
	size_t j;

	assert(own->slot[ph][x] >= 0 && c < own->cap);
	thresholds(p, n, thr);
	for (j = 0; j + 1 < n; j++)
		own->thr[((ph ? own->n_rows[0] : 0) + r) * (n - 1) * own->stride + j * own->stride + c] =
		    thr[j];
	if (ph == 0) {
		/* absorbing as fill_thresholds decides (the margin is the table's) */
		const bool dead = p[x] == 1.0 && (!tb->poisson || tb->margin[0][x] == 0.0);
		own->dead[c] = (own->dead[c] & ~(1ull << x)) | ((uint64_t)dead << x);
	}
}

void chain_run_own(const chain_table *tb, const chain_own *own, uint64_t seed, uint64_t rep,
                   uint64_t first, uint64_t count, chain_acc *acc)
{
	kernel_out o;
	uint32_t *order;

	assert(count <= own->cap && own->n == tb->n);
	if (kernel_fits(tb) && buffers_alloc(&o, &order, tb->n, count, own))
		run_lock_step(tb, own, seed, rep, first, count, &o, order, acc);
	else
		chain_run_own_general(tb, own, seed, rep, first, count, acc);
}

/* A lane's view of the table: every part shared but its rows (in
   own->lane_thr), absorbing flags and acquisition cost, which hold the
   customer's. */
typedef struct own_view {
	chain_table tb;
	uint64_t *thr[2];
	bool dead[CLV_MAX_STATES];
} own_view;

/* Put customer c's own rows into the view (the others are the table's). */
static void own_view_set(own_view *v, const chain_own *own, uint64_t c)
{
	const size_t n = own->n, n1 = n - 1;
	size_t r, j;
	int ph;

	for (ph = 0; ph < 2; ph++)
		for (r = 0; r < own->n_rows[ph]; r++)
			for (j = 0; j < n1; j++)
				v->thr[ph][own->row[ph][r] * n1 + j] = chain_own_column(own, ph, r, j)[c];
	for (r = 0; r < own->n_rows[0]; r++) {
		const size_t x = own->row[0][r];
		v->dead[x] = own->dead[c] >> x & 1u;
	}
	v->tb.acquisition = own->acquisition[c];
}

void chain_run_own_general(const chain_table *tb, const chain_own *own, uint64_t seed,
                           uint64_t rep, uint64_t first, uint64_t count, chain_acc *acc)
{
	const size_t n = tb->n, rows = n * (n - 1);
	own_view view[CHAIN_LANES];
	lane lanes[CHAIN_LANES];
	uint64_t next = 0;
	int l, live = 0, ph;

	for (l = 0; l < CHAIN_LANES; l++) {
		own_view *v = &view[l];
		v->tb = *tb;
		for (ph = 0; ph < 2; ph++) {
			v->thr[ph] = own->lane_thr + (size_t)(2 * l + ph) * rows;
			memcpy(v->thr[ph], tb->thr[ph], rows * sizeof *v->thr[ph]);
			v->tb.thr[ph] = v->thr[ph];
		}
		memcpy(v->dead, tb->dead, n * sizeof *v->dead);
		v->tb.dead = v->dead;
	}
	for (l = 0; l < CHAIN_LANES; l++) {
		lanes[l].live = false;
		if (next < count) {
			own_view_set(&view[l], own, next);
			lane_start(&view[l].tb, &lanes[l], seed, rep, first + next++);
			live++;
		}
	}
	while (live > 0) {
		for (l = 0; l < CHAIN_LANES; l++) {
			lane *ln = &lanes[l];
			if (!ln->live || !lane_period(&view[l].tb, ln, acc))
				continue;
			record_customer(&view[l].tb, acc, ln->clv, ln->spend);
			if (next < count) {
				own_view_set(&view[l], own, next);
				lane_start(&view[l].tb, ln, seed, rep, first + next++);
			} else {
				ln->live = false;
				live--;
			}
		}
	}
	chain_acc_flush(tb, acc);
}
