/*
 * kernel_scalar.c - engine stage: the portable lock-step kernel (kernel.h),
 * eight customers in flight in plain C, specialised per number of states
 * (1..KERNEL_MAX_STATES) so the threshold count of a row is a loop of
 * known length the compiler unrolls. The reference the vector kernels
 * (kernel_avx2.c, kernel_avx512.c) are compared with, and the path every
 * processor can run.
 */
#include "engine/kernel.h"

#include "base/rng.h"

#define LANES 8
#define PCG_MULT 6364136223846793005ULL

#define ALWAYS_INLINE inline __attribute__((always_inline))

/* PCG32 XSH-RR output of a state (rng.h rng_next, without the step). */
static ALWAYS_INLINE uint64_t pcg_output(uint64_t old)
{
	uint32_t xs = (uint32_t)(((old >> 18u) ^ old) >> 27u), rot = (uint32_t)(old >> 59u);

	return (xs >> rot) | (xs << ((-rot) & 31u));
}

/* The next state: the number of thresholds of row x <= u. */
static ALWAYS_INLINE uint64_t pick_row(const uint64_t (*col)[KERNEL_MAX_STATES], const int K,
                                       uint64_t x, uint64_t u)
{
	uint64_t nx = 0;
	int j;

#pragma GCC unroll 8
	for (j = 0; j < K - 1; j++)
		nx += u >= col[j][x];
	return nx;
}

/* The same for customer c (block index) with rows of its own: its own
   row x where it has one in phase ph. */
static ALWAYS_INLINE uint64_t pick_own(const uint64_t (*col)[KERNEL_MAX_STATES],
                                       const chain_own *own, int ph, const int K, uint64_t x,
                                       uint64_t c, uint64_t u)
{
	const int r = own->slot[ph][x];
	const uint64_t *thr;
	uint64_t nx = 0;
	int j;

	if (r < 0)
		return pick_row(col, K, x, u);
	thr = chain_own_column(own, ph, (size_t)r, 0) + c;
#pragma GCC unroll 8
	for (j = 0; j < K - 1; j++)
		nx += u >= thr[(size_t)j * own->stride];
	return nx;
}

/* One group of up to LANES customers, c0 .. c0 + nl - 1 of the block;
   with own, each lane with its own rows. */
static ALWAYS_INLINE void group(const chain_table *tb, const kernel_rows *kr, const int K,
                                const bool SP, const chain_own *own,
                                uint64_t first, uint64_t c0, int nl, kernel_out *out,
                                chain_acc *acc)
{
	uint64_t st[LANES], inc[LANES], x[LANES], dead[LANES];
	double clv[LANES][KERNEL_MAX_STATES], sp[LANES];
	bool live[LANES];
	uint32_t len[LANES];
	kernel_period p;
	int l, j, nlive = nl;
	long t;
	uint32_t k;

	for (l = 0; l < LANES; l++) {
		live[l] = l < nl;
		st[l] = 0;
		inc[l] = 1;
		x[l] = 0;
		dead[l] = 0;
		if (live[l]) {
			kernel_lane_start(kr, first + c0 + (uint64_t)l, &st[l], &inc[l], &x[l]);
			if (own)
				dead[l] = kernel_dead_mask(kr, own, c0 + (uint64_t)l);
		}
#pragma GCC unroll 8
		for (j = 0; j < K; j++)
			clv[l][j] = 0.0;
		sp[l] = 0.0;
		len[l] = 0;
	}
	for (t = 0; t <= tb->periods && nlive > 0; t++) {
		const uint64_t(*col)[KERNEL_MAX_STATES];
		uint64_t *count = acc->count + (size_t)t * (size_t)K;

		kernel_period_fill(tb, K, t, SP, tb->purchases > 1, &p);
		col = kr->col[p.ph];
#pragma GCC unroll 8
		for (l = 0; l < LANES; l++) {
			if (!live[l])
				continue;
			count[x[l]]++;
			if (SP && p.spend_on)
				sp[l] += p.spend[x[l]];
			clv[l][x[l]] += p.first[x[l]];
			if (SP && p.forgone_on)
				sp[l] += p.forgone[x[l]];
		}
		for (k = 0;; k++) {
#pragma GCC unroll 8
			for (l = 0; l < LANES; l++) {
				uint64_t u = pcg_output(st[l]);
				st[l] = st[l] * PCG_MULT + inc[l];
				x[l] = own ? pick_own(col, own, p.ph, K, x[l], c0 + (uint64_t)l, u)
				           : pick_row(col, K, x[l], u);
			}
			if (k + 1 >= tb->purchases)
				break;
#pragma GCC unroll 8
			for (l = 0; l < LANES; l++) {
				if (!live[l])
					continue;
				clv[l][x[l]] += p.mg[x[l]];
				if (SP && p.forgone_on)
					sp[l] += p.forgone[x[l]];
			}
		}
		for (l = 0; l < LANES; l++) {
			if (!live[l])
				continue;
			if (p.dead_check && (own ? (dead[l] >> x[l] & 1u) != 0 : kr->dead[x[l]])) {
				/* absorbed: the rest of its life is known */
				clv[l][x[l]] += p.tail[x[l]];
				acc->dead_from[(size_t)(t + 1) * (size_t)K + x[l]]++;
			} else if (t < tb->periods)
				continue;
			live[l] = false;
			len[l] = (uint32_t)(t + 1);
			nlive--;
		}
	}
	for (l = 0; l < nl; l++)
		kernel_out_put(out, c0 + (uint64_t)l, K, clv[l], 1, sp[l], len[l]);
}

#define KERNEL_ATTR /* portable: no target attribute */
#define KERNEL_INL ALWAYS_INLINE
#define KERNEL_GROUP LANES
#define KERNEL_ENTRY kernel_run_scalar
#include "engine/kernel_dispatch.h"
