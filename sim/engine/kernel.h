/*
 * kernel.h - engine stage, internal to chain.c and the kernel_*.c files:
 * the lock-step kernels that walk many customers of a block in flight
 * (portable scalar, AVX2, AVX-512) and what they hand back to chain.c.
 *
 * A lock-step kernel takes the customers of a block in groups (8 lanes
 * for the scalar path, several vectors of 4 or 8 lanes for AVX2 and
 * AVX-512); a group's lanes walk the same period at the same time, so
 * the period's rewards per state are shared scalars and the state counts
 * per period are popcounts of comparison masks. An absorbed lane stops
 * being updated (masked) and the group ends when every lane has finished.
 *
 * It draws exactly what chain.c's lane_period draws for each customer,
 * in the same order, and adds the same doubles to the same per-state
 * accumulator in the same order; what it hands back per customer (its
 * CLV per state, offer spend and the number of periods it walked) is
 * therefore bit for bit what the four-lane general path computes, and
 * chain.c records the customers into the compensated sums in the order
 * the four-lane path finishes them (that order depends only on the
 * customers' walk lengths). Counts per period and the bulk counts of
 * absorbed customers (dead_from) are integers, added directly.
 *
 * Only tables with 1..KERNEL_MAX_STATES states and a fixed number of
 * purchases per period go through these kernels (kernel_fits); the others
 * take chain.c's general path.
 */
#ifndef CLV_KERNEL_H
#define CLV_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/rng.h"
#include "engine/chain.h"

#define KERNEL_MAX_STATES 8
/* Past the n - 1 thresholds of the initial distribution (no 32-bit
   output reaches it). */
#define KERNEL_NO_THRESHOLD UINT64_MAX

/* What the kernel hands back, per customer of the block (index c from
   the block's first customer): its CLV in state i at clv[i * stride + c]
   (a row per state: the vector kernels store a group's lanes at once,
   the histograms read a state's values in a row), spend[c], and len[c]
   the number of periods it walked (lane_period calls: t + 1 for the
   period t it finished in). */
typedef struct kernel_out {
	double *clv;
	double *spend;
	uint32_t *len;
	double *acquisition; /* per customer with rows of their own (chain_own's), else NULL */
	size_t stride;       /* customers per row of clv: the block's */
	double *total;       /* total[c]: its total CLV, formed when its sums are
	                        recorded (chain.c), for the total's histogram */
} kernel_out;

/* Customer c of the block into out: its CLV in state s at clv[s * stride]
   (s < K), its offer spend and walk length. The kernels record through
   it (the AVX-512 kernel stores whole groups itself). */
static inline __attribute__((always_inline)) void
kernel_out_put(kernel_out *out, uint64_t c, const int K, const double *clv, size_t stride,
               double spend, uint32_t len)
{
	int s;

#pragma GCC unroll 8
	for (s = 0; s < K; s++)
		out->clv[(size_t)s * out->stride + c] = clv[(size_t)s * stride];
	out->spend[c] = spend;
	out->len[c] = len;
}

/* The rows of a table in the layout the kernels read: col[ph][j][x] is
   threshold j of row x in phase ph (rows padded to KERNEL_MAX_STATES),
   init[j] those of the initial distribution. */
typedef struct kernel_rows {
	uint64_t col[2][KERNEL_MAX_STATES - 1][KERNEL_MAX_STATES];
	uint64_t init[KERNEL_MAX_STATES - 1];
	bool dead[KERNEL_MAX_STATES];
	bool any_dead;
	bool spend;          /* the offers cost something (has_spend or has_forgone) */
	uint64_t stream;     /* the block's replication's stream initstate
	                        (rng_stream_initstate: kernel_dispatch.h) */
} kernel_rows;

/* What period t adds per state, the same products lane_period forms:
   first = tb->first + t n (the first purchase's reward), tail = tb->tail
   + (t + 1) n where dead_check (an absorbed customer stops after this
   period); mg[x] = margin[ph][x] grow_disc[t] (filled only when asked:
   several purchases per period), spend[x] = spend[x] disc[t] (spend_on),
   forgone[x] = forgone[x] grow_disc[t] (forgone_on), zero past n. */
typedef struct kernel_period {
	int ph;
	bool spend_on, forgone_on, dead_check;
	const double *first, *tail;
	double mg[KERNEL_MAX_STATES];
	double spend[KERNEL_MAX_STATES];
	double forgone[KERNEL_MAX_STATES];
} kernel_period;

static inline bool kernel_fits(const chain_table *tb)
{
	return !tb->poisson && tb->n >= 1 && tb->n <= KERNEL_MAX_STATES;
}

static inline void kernel_rows_fill(const chain_table *tb, kernel_rows *kr)
{
	size_t n = tb->n, i, j;
	int ph;

	*kr = (kernel_rows){0};
	for (ph = 0; ph < 2; ph++)
		for (i = 0; i < n; i++)
			for (j = 0; j + 1 < n; j++)
				kr->col[ph][j][i] = tb->thr[ph][i * (n - 1) + j];
	for (j = 0; j < KERNEL_MAX_STATES - 1; j++)
		kr->init[j] = j + 1 < n ? tb->init_thr[j] : KERNEL_NO_THRESHOLD;
	for (i = 0; i < n; i++) {
		kr->dead[i] = tb->dead[i];
		kr->any_dead = kr->any_dead || tb->dead[i];
	}
	kr->spend = tb->has_spend || tb->has_forgone;
}

/* Start customer c in a lane: position its stream (rng_stream), draw its
   first state from the initial distribution, and hand back the stream
   after that draw. */
static inline void kernel_lane_start(const kernel_rows *kr, uint64_t c, uint64_t *state,
                                     uint64_t *inc, uint64_t *x0)
{
	rng_pcg32 r;
	uint64_t u, x = 0;
	int j;

	rng_seed(&r, kr->stream, c); /* rng_stream(seed, rep, c) */
	u = rng_next(&r);
	for (j = 0; j < KERNEL_MAX_STATES - 1; j++)
		x += u >= kr->init[j];
	*state = r.state;
	*inc = r.inc;
	*x0 = x;
}

/* The absorbing states of customer c (block index) of a table that
   kernel_fits, as a bit mask: the table's, but the customer's own where
   own (not NULL) says its row decides. */
static inline uint64_t kernel_dead_mask(const kernel_rows *kr, const chain_own *own, uint64_t c)
{
	uint64_t m = 0;
	int s;

	for (s = 0; s < KERNEL_MAX_STATES; s++)
		m |= (uint64_t)kr->dead[s] << s;
	return own ? (m & ~own->own_dead) | own->dead[c] : m;
}

/* The rows of the customers' own for the group from customer c0 (block
   index), per phase (0: after the offer periods, 1: during them): how
   many (n), which state each replaces (x) and where its K - 1 threshold
   columns start for c0 (col). Nothing when own is NULL. */
typedef struct kernel_own_plan {
	int n[2];
	long long x[2][KERNEL_MAX_STATES];
	const uint64_t *col[2][KERNEL_MAX_STATES][KERNEL_MAX_STATES - 1];
} kernel_own_plan;

static inline void kernel_own_plan_fill(kernel_own_plan *op, const chain_own *own, int K,
                                        uint64_t c0)
{
	int ph, l, j;

	for (ph = 0; ph < 2; ph++) {
		op->n[ph] = own ? (int)own->n_rows[ph] : 0;
		for (l = 0; l < op->n[ph]; l++) {
			op->x[ph][l] = (long long)own->row[ph][l];
			for (j = 0; j < K - 1; j++)
				op->col[ph][l][j] = chain_own_column(own, ph, (size_t)l, (size_t)j) + c0;
		}
	}
}

/* Fill p for period t of a table of K states (K == tb->n); the offer
   figures only when `offers` (the table has some), mg only when `mg`.
   Inlined into each kernel: it runs once per period and group. */
static inline __attribute__((always_inline)) void
kernel_period_fill(const chain_table *tb, const int K, long t, bool offers, bool mg,
                   kernel_period *p)
{
	const int ph = t < tb->offer_periods;
	const double g = tb->grow_disc[t];
	int i;

	p->ph = ph;
	p->spend_on = offers && ph && tb->has_spend;
	p->forgone_on = offers && ph && tb->has_forgone;
	p->dead_check = t + 1 >= tb->offer_periods && t < tb->periods;
	p->first = tb->first + (size_t)t * (size_t)K;
	p->tail = tb->tail + (size_t)(t + 1) * (size_t)K;
	for (i = 0; i < K; i++)
		p->mg[i] = mg ? tb->margin[ph][i] * g : 0.0;
	if (p->spend_on)
		for (i = 0; i < KERNEL_MAX_STATES; i++)
			p->spend[i] = i < K ? tb->spend[i] * tb->disc[t] : 0.0;
	if (p->forgone_on)
		for (i = 0; i < KERNEL_MAX_STATES; i++)
			p->forgone[i] = i < K ? tb->forgone[i] * g : 0.0;
}

/* Walk customers first .. first + count - 1 of replication rep (streams
   rng_stream(seed, rep, customer)) of a table that kernel_fits: results
   into out, state counts into acc->count, absorbed customers into
   acc->dead_from (not flushed).
   With own (not NULL) the customers have rows of their own (chain.h
   chain_own: customer c of the block at index c): a lane in state x
   takes the thresholds of its own row x where own has one for the
   period's phase, the table's otherwise, and absorbs where its own
   flags say. */
typedef void (*kernel_fn)(const chain_table *tb, const chain_own *own, uint64_t seed,
                          uint64_t rep, uint64_t first, uint64_t count, kernel_out *out,
                          chain_acc *acc);

void kernel_run_scalar(const chain_table *tb, const chain_own *own, uint64_t seed, uint64_t rep,
                       uint64_t first, uint64_t count, kernel_out *out, chain_acc *acc);
/* Defined on x86-64 with GCC or clang only (KERNEL_X86). */
void kernel_run_avx2(const chain_table *tb, const chain_own *own, uint64_t seed, uint64_t rep,
                     uint64_t first, uint64_t count, kernel_out *out, chain_acc *acc);
void kernel_run_avx512(const chain_table *tb, const chain_own *own, uint64_t seed, uint64_t rep,
                       uint64_t first, uint64_t count, kernel_out *out, chain_acc *acc);

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define KERNEL_X86 1
#else
#define KERNEL_X86 0
#endif

#endif
