/*
 * kernel_avx2.c - engine stage: the AVX2 lock-step kernel (kernel.h).
 * A group is GV vectors of 4 customers (64-bit lanes). AVX2 has no 64-bit
 * multiply: the PCG32 step multiplies by the constant in 32-bit halves
 * (three vpmuludq); the XSH-RR rotation is two variable shifts; the next
 * state permutes each threshold column of the row table by the current
 * states (vpermd on 64-bit pairs; two halves and a blend above 4 states)
 * and counts the thresholds <= u with signed 64-bit compares (every value
 * is below 2^33). CLV per state in one register per state, updated by a
 * blend under the mask of the lanes in that state. Compiled for AVX2
 * through target attributes, called only when chain_isa_supported says so.
 */
#include "engine/kernel.h"

#if KERNEL_X86

#include <immintrin.h>

#include "base/rng.h"

#define TAVX2 __attribute__((target("avx2,popcnt")))
#define INL inline __attribute__((always_inline))
#define W 4           /* lanes per vector */
#define GV 4          /* vectors per group */
#define GL (W * GV)
#define PCG_MULT 6364136223846793005ULL

TAVX2 static INL __m256i pcg_out(__m256i old)
{
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffffLL);
	__m256i xs = _mm256_and_si256(
	    _mm256_srli_epi64(_mm256_xor_si256(_mm256_srli_epi64(old, 18), old), 27), lo32);
	__m256i rot = _mm256_srli_epi64(old, 59);
	__m256i r = _mm256_or_si256(_mm256_srlv_epi64(xs, rot),
	                            _mm256_sllv_epi64(xs, _mm256_sub_epi64(_mm256_set1_epi64x(32), rot)));

	return _mm256_and_si256(r, lo32);
}

/* state * PCG_MULT + inc modulo 2^64, from 32 x 32 -> 64-bit products. */
TAVX2 static INL __m256i pcg_step(__m256i st, __m256i inc)
{
	const __m256i mlo = _mm256_set1_epi64x((long long)(PCG_MULT & 0xffffffffULL));
	const __m256i mhi = _mm256_set1_epi64x((long long)(PCG_MULT >> 32));
	__m256i lo = _mm256_mul_epu32(st, mlo);
	__m256i cross = _mm256_add_epi64(_mm256_mul_epu32(st, mhi),
	                                 _mm256_mul_epu32(_mm256_srli_epi64(st, 32), mlo));

	return _mm256_add_epi64(_mm256_add_epi64(lo, _mm256_slli_epi64(cross, 32)), inc);
}

/* The 32-bit index pairs (2x, 2x + 1) that make vpermd pick 64-bit entry x. */
TAVX2 static INL __m256i pair_index(__m256i x)
{
	__m256i x2 = _mm256_slli_epi64(x, 1);

	return _mm256_or_si256(x2, _mm256_slli_epi64(_mm256_add_epi64(x2, _mm256_set1_epi64x(1)), 32));
}

/* Entry x of an 8-entry table of 64-bit values (lo: entries 0..3, hi: 4..7). */
TAVX2 static INL __m256i lookup(const int K, __m256i x, __m256i idx, __m256i lo, __m256i hi)
{
	__m256i a = _mm256_permutevar8x32_epi32(lo, idx);

	if (K <= 4)
		return a;
	return _mm256_blendv_epi8(a, _mm256_permutevar8x32_epi32(hi, idx),
	                          _mm256_cmpgt_epi64(x, _mm256_set1_epi64x(3)));
}

TAVX2 static INL __m256d lookup_pd(const int K, __m256i x, __m256i idx, const double *tab)
{
	return _mm256_castsi256_pd(lookup(K, x, idx, _mm256_loadu_si256((const void *)tab),
	                                  _mm256_loadu_si256((const void *)(tab + 4))));
}

/* acc + v in the lanes of m (all ones or zero per lane), acc elsewhere. */
TAVX2 static INL __m256d add_in(__m256d acc, __m256i m, __m256d v)
{
	return _mm256_blendv_pd(acc, _mm256_add_pd(acc, v), _mm256_castsi256_pd(m));
}

TAVX2 static INL unsigned popmask(__m256i m)
{
	return (unsigned)__builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m)));
}

TAVX2 static INL void group(const chain_table *tb, const kernel_rows *kr, const int K,
                            const bool SP, const chain_own *own,
                            uint64_t first, uint64_t c0, int nl, kernel_out *out, chain_acc *acc)
{
	const __m256i one = _mm256_set1_epi64x(1);
	__m256i st[GV], inc[GV], x[GV], live[GV], dead[GV][KERNEL_MAX_STATES];
	__m256d clv[GV][KERNEL_MAX_STATES], sp[GV];
	uint64_t s0[GL], i0[GL], x0[GL];
	int64_t lv[GL], dl[KERNEL_MAX_STATES][GL];
	uint32_t len[GL];
	double keep[KERNEL_MAX_STATES + 1][W];
	bool any_dead = kr->any_dead;
	kernel_period p;
	kernel_own_plan op;
	int g, j, s, l;
	long t;
	uint32_t k;

	if (own)
		any_dead = false;
	for (l = 0; l < GL; l++) {
		uint64_t dm = 0;
		s0[l] = 0;
		i0[l] = 1;
		x0[l] = 0;
		len[l] = 0;
		lv[l] = l < nl ? -1 : 0;
		if (l < nl) {
			kernel_lane_start(kr, first + c0 + (uint64_t)l, &s0[l], &i0[l], &x0[l]);
			if (own)
				dm = kernel_dead_mask(kr, own, c0 + (uint64_t)l);
		}
		/* each lane's absorbing states (all lanes share the table's without own) */
		for (s = 0; s < K; s++) {
			dl[s][l] = (own ? (dm >> s & 1u) != 0 : kr->dead[s]) ? -1 : 0;
			any_dead = any_dead || dl[s][l] != 0;
		}
	}
#pragma GCC unroll 8
	for (g = 0; g < GV; g++) {
		st[g] = _mm256_loadu_si256((const void *)(s0 + g * W));
		inc[g] = _mm256_loadu_si256((const void *)(i0 + g * W));
		x[g] = _mm256_loadu_si256((const void *)(x0 + g * W));
		live[g] = _mm256_loadu_si256((const void *)(lv + g * W));
		for (s = 0; s < K; s++)
			dead[g][s] = _mm256_loadu_si256((const void *)(dl[s] + g * W));
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			clv[g][s] = _mm256_setzero_pd();
		sp[g] = _mm256_setzero_pd();
	}
	kernel_own_plan_fill(&op, own, K, c0); /* own rows: states and columns */
	for (t = 0; t <= tb->periods; t++) {
		__m256i col_lo[KERNEL_MAX_STATES - 1], col_hi[KERNEL_MAX_STATES - 1];
		uint64_t cnt[KERNEL_MAX_STATES] = {0};
		const int no = op.n[t < tb->offer_periods];
		const long long *ox = op.x[t < tb->offer_periods];
		const uint64_t *(*oc)[KERNEL_MAX_STATES - 1] = op.col[t < tb->offer_periods];
		int r;
		int any = 0;

#pragma GCC unroll 8
		for (g = 0; g < GV; g++)
			any |= !_mm256_testz_si256(live[g], live[g]);
		if (!any)
			break;
		kernel_period_fill(tb, K, t, SP, tb->purchases > 1, &p);
#pragma GCC unroll 8
		for (j = 0; j < K - 1; j++) {
			col_lo[j] = _mm256_loadu_si256((const void *)kr->col[p.ph][j]);
			col_hi[j] = _mm256_loadu_si256((const void *)(kr->col[p.ph][j] + 4));
		}

#pragma GCC unroll 8
		for (g = 0; g < GV; g++) {
#pragma GCC unroll 8
			for (s = 0; s < K; s++) {
				__m256i m = _mm256_and_si256(live[g], _mm256_cmpeq_epi64(x[g], _mm256_set1_epi64x(s)));
				cnt[s] += popmask(m);
				clv[g][s] = add_in(clv[g][s], m, _mm256_set1_pd(p.first[s]));
			}
			if (SP && (p.spend_on || p.forgone_on)) {
				__m256i idx = pair_index(x[g]);
				if (p.spend_on)
					sp[g] = add_in(sp[g], live[g], lookup_pd(K, x[g], idx, p.spend));
				if (p.forgone_on)
					sp[g] = add_in(sp[g], live[g], lookup_pd(K, x[g], idx, p.forgone));
			}
		}
		for (k = 0;; k++) {
#pragma GCC unroll 8
			for (g = 0; g < GV; g++) {
				__m256i u = _mm256_add_epi64(pcg_out(st[g]), one), nx = _mm256_setzero_si256();
				__m256i idx = pair_index(x[g]), th[KERNEL_MAX_STATES - 1];
				st[g] = pcg_step(st[g], inc[g]);
#pragma GCC unroll 8
				for (j = 0; j < K - 1; j++)
					th[j] = lookup(K, x[g], idx, col_lo[j], col_hi[j]);
				/* lanes in a row of their own: its thresholds instead */
				for (r = 0; own && r < no; r++) {
					__m256i m = _mm256_cmpeq_epi64(x[g], _mm256_set1_epi64x(ox[r]));
#pragma GCC unroll 8
					for (j = 0; j < K - 1; j++)
						th[j] = _mm256_blendv_epi8(
						    th[j], _mm256_loadu_si256((const void *)(oc[r][j] + g * W)), m);
				}
#pragma GCC unroll 8
				for (j = 0; j < K - 1; j++)
					nx = _mm256_sub_epi64(nx, _mm256_cmpgt_epi64(u, th[j]));
				x[g] = nx;
			}
			if (k + 1 >= tb->purchases)
				break;
#pragma GCC unroll 8
			for (g = 0; g < GV; g++) {
#pragma GCC unroll 8
				for (s = 0; s < K; s++) {
					__m256i m =
					    _mm256_and_si256(live[g], _mm256_cmpeq_epi64(x[g], _mm256_set1_epi64x(s)));
					clv[g][s] = add_in(clv[g][s], m, _mm256_set1_pd(p.mg[s]));
				}
				if (SP && p.forgone_on)
					sp[g] = add_in(sp[g], live[g], lookup_pd(K, x[g], pair_index(x[g]), p.forgone));
			}
		}
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			acc->count[(size_t)t * (size_t)K + (size_t)s] += cnt[s];
		if (t < tb->periods && !(any_dead && p.dead_check))
			continue;
#pragma GCC unroll 8
		for (g = 0; g < GV; g++) {
			__m256i done = t == tb->periods ? live[g] : _mm256_setzero_si256();
			unsigned bits;
			if (any_dead && p.dead_check)
#pragma GCC unroll 8
				for (s = 0; s < K; s++) {
					__m256i m;
					if (_mm256_testz_si256(dead[g][s], dead[g][s]))
						continue;
					m = _mm256_and_si256(_mm256_and_si256(live[g], dead[g][s]),
					                     _mm256_cmpeq_epi64(x[g], _mm256_set1_epi64x(s)));
					if (_mm256_testz_si256(m, m))
						continue;
					clv[g][s] = add_in(clv[g][s], m, _mm256_set1_pd(p.tail[s]));
					acc->dead_from[(size_t)(t + 1) * (size_t)K + (size_t)s] += popmask(m);
					done = _mm256_or_si256(done, m);
				}
			bits = (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(done));
			if (bits == 0)
				continue;
			for (l = 0; l < W; l++)
				if (bits >> l & 1u)
					len[g * W + l] = (uint32_t)(t + 1);
			live[g] = _mm256_andnot_si256(done, live[g]);
		}
	}
	for (g = 0; g < GV && g * W < nl; g++) {
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			_mm256_storeu_pd(keep[s], clv[g][s]);
		_mm256_storeu_pd(keep[KERNEL_MAX_STATES], sp[g]);
		for (l = 0; l < W && g * W + l < nl; l++)
			kernel_out_put(out, c0 + (uint64_t)(g * W + l), K, &keep[0][l], W,
			               keep[KERNEL_MAX_STATES][l], len[g * W + l]);
	}
}

#define KERNEL_ATTR TAVX2
#define KERNEL_INL INL
#define KERNEL_GROUP GL
#define KERNEL_ENTRY kernel_run_avx2
#include "engine/kernel_dispatch.h"

#else
typedef int kernel_avx2_unused; /* no x86-64: chain_isa_supported says no */
#endif
