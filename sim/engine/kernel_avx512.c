/*
 * kernel_avx512.c - engine stage: the AVX-512 lock-step kernel (kernel.h).
 * A group is GV vectors of 8 customers (64-bit lanes): PCG32 steps with
 * vpmullq, the XSH-RR rotation with vprorvd, the next state by permuting
 * each threshold column of the row table by the current states (vpermq,
 * the row table fits one register for up to 8 states) and counting the
 * thresholds <= u with unsigned compares into masks; CLV per state in one
 * register per state, added under the mask of the lanes in that state;
 * counts per period as popcounts of those masks. Compiled for AVX-512
 * through target attributes (the rest of the build stays portable) and
 * called only when chain_isa_supported(CHAIN_ISA_AVX512).
 */
#include "engine/kernel.h"

#if KERNEL_X86

#include <immintrin.h>
#include <string.h>

#include "base/rng.h"

#define T512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,popcnt")))
#define INL inline __attribute__((always_inline))
#define W 8           /* lanes per vector */
#define GV 4          /* vectors per group */
#define GL (W * GV)
#define PCG_MULT 6364136223846793005ULL

/* PCG32 XSH-RR output of 8 states, in the low 32 bits of each lane. */
T512 static INL __m512i pcg_out(__m512i old)
{
	__m512i xs = _mm512_srli_epi64(_mm512_xor_si512(_mm512_srli_epi64(old, 18), old), 27);
	__m512i rot = _mm512_srli_epi64(old, 59);

	return _mm512_and_si512(_mm512_rorv_epi32(xs, rot), _mm512_set1_epi64(0xffffffffLL));
}

T512 static INL __m512i pcg_step(__m512i st, __m512i inc)
{
	return _mm512_add_epi64(_mm512_mullo_epi64(st, _mm512_set1_epi64((long long)PCG_MULT)), inc);
}

T512 static INL void group(const chain_table *tb, const kernel_rows *kr, const int K,
                           const bool SP, const chain_own *own,
                           uint64_t first, uint64_t c0, int nl, kernel_out *out, chain_acc *acc)
{
	const __m512i one = _mm512_set1_epi64(1);
	__m512i st[GV], inc[GV], x[GV];
	__m512d clv[GV][KERNEL_MAX_STATES], sp[GV];
	__mmask8 live[GV], dead[GV][KERNEL_MAX_STATES];
	uint64_t s0[GL], i0[GL], x0[GL], dm[GL];
	uint32_t len[GL];
	bool any_dead = kr->any_dead;
	kernel_period p;
	kernel_own_plan op;
	int g, j, s, l;
	long t;
	uint32_t k;

	for (l = 0; l < GL; l++) {
		s0[l] = 0;
		i0[l] = 1;
		x0[l] = 0;
		len[l] = 0;
		dm[l] = 0;
		if (l < nl) {
			kernel_lane_start(kr, first + c0 + (uint64_t)l, &s0[l], &i0[l], &x0[l]);
			if (own)
				dm[l] = kernel_dead_mask(kr, own, c0 + (uint64_t)l);
		}
	}
	if (own)
		any_dead = false;
	for (g = 0; g < GV; g++) {
		int in = nl - g * W;
		live[g] = in <= 0 ? 0 : in >= W ? 0xff : (__mmask8)((1u << in) - 1u);
		/* each lane's absorbing states (all lanes share the table's without own) */
		for (s = 0; s < K; s++) {
			dead[g][s] = kr->dead[s] ? 0xff : 0;
			if (own) {
				dead[g][s] = 0;
				for (l = 0; l < W; l++)
					dead[g][s] |= (__mmask8)((dm[g * W + l] >> s & 1u) << l);
				any_dead = any_dead || dead[g][s] != 0;
			}
		}
	}
#pragma GCC unroll 8
	for (g = 0; g < GV; g++) {
		st[g] = _mm512_loadu_si512(s0 + g * W);
		inc[g] = _mm512_loadu_si512(i0 + g * W);
		x[g] = _mm512_loadu_si512(x0 + g * W);
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			clv[g][s] = _mm512_setzero_pd();
		sp[g] = _mm512_setzero_pd();
	}
	kernel_own_plan_fill(&op, own, K, c0); /* own rows: states and columns */
	for (t = 0; t <= tb->periods; t++) {
		__m512i col[KERNEL_MAX_STATES - 1];
		uint64_t cnt[KERNEL_MAX_STATES] = {0};
		const int no = op.n[t < tb->offer_periods];
		const long long *ox = op.x[t < tb->offer_periods];
		const uint64_t *(*oc)[KERNEL_MAX_STATES - 1] = op.col[t < tb->offer_periods];
		int r;
		unsigned any = 0;

#pragma GCC unroll 8
		for (g = 0; g < GV; g++)
			any |= live[g];
		if (!any)
			break;
		kernel_period_fill(tb, K, t, SP, tb->purchases > 1, &p);
#pragma GCC unroll 8
		for (j = 0; j < K - 1; j++)
			col[j] = _mm512_loadu_si512(kr->col[p.ph][j]);

		/* the period's start: count, offer cost, first purchase's reward */
#pragma GCC unroll 8
		for (g = 0; g < GV; g++) {
#pragma GCC unroll 8
			for (s = 0; s < K; s++) {
				__mmask8 m = _mm512_mask_cmpeq_epu64_mask(live[g], x[g], _mm512_set1_epi64(s));
				cnt[s] += (uint64_t)__builtin_popcount(m);
				clv[g][s] = _mm512_mask_add_pd(clv[g][s], m, clv[g][s], _mm512_set1_pd(p.first[s]));
			}
			if (SP && p.spend_on)
				sp[g] = _mm512_mask_add_pd(sp[g], live[g], sp[g],
				                           _mm512_permutexvar_pd(x[g], _mm512_loadu_pd(p.spend)));
			if (SP && p.forgone_on)
				sp[g] = _mm512_mask_add_pd(sp[g], live[g], sp[g],
				                           _mm512_permutexvar_pd(x[g], _mm512_loadu_pd(p.forgone)));
		}
		for (k = 0;; k++) {
#pragma GCC unroll 8
			for (g = 0; g < GV; g++) {
				__m512i u = pcg_out(st[g]), nx = _mm512_setzero_si512(), th[KERNEL_MAX_STATES - 1];
				st[g] = pcg_step(st[g], inc[g]);
#pragma GCC unroll 8
				for (j = 0; j < K - 1; j++)
					th[j] = _mm512_permutexvar_epi64(x[g], col[j]);
				/* lanes in a row of their own: its thresholds instead */
				for (r = 0; own && r < no; r++) {
					__mmask8 m = _mm512_cmpeq_epu64_mask(x[g], _mm512_set1_epi64(ox[r]));
#pragma GCC unroll 8
					for (j = 0; j < K - 1; j++)
						th[j] = _mm512_mask_loadu_epi64(th[j], m, oc[r][j] + g * W);
				}
#pragma GCC unroll 8
				for (j = 0; j < K - 1; j++)
					nx = _mm512_mask_add_epi64(nx, _mm512_cmpge_epu64_mask(u, th[j]), nx, one);
				x[g] = nx;
			}
			if (k + 1 >= tb->purchases)
				break;
#pragma GCC unroll 8
			for (g = 0; g < GV; g++) {
#pragma GCC unroll 8
				for (s = 0; s < K; s++) {
					__mmask8 m = _mm512_mask_cmpeq_epu64_mask(live[g], x[g], _mm512_set1_epi64(s));
					clv[g][s] = _mm512_mask_add_pd(clv[g][s], m, clv[g][s], _mm512_set1_pd(p.mg[s]));
				}
				if (SP && p.forgone_on)
					sp[g] = _mm512_mask_add_pd(
					    sp[g], live[g], sp[g], _mm512_permutexvar_pd(x[g], _mm512_loadu_pd(p.forgone)));
			}
		}
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			acc->count[(size_t)t * (size_t)K + (size_t)s] += cnt[s];
		/* the period's end: absorbed lanes and, at the horizon, every lane stop */
		if (t < tb->periods && !(any_dead && p.dead_check))
			continue;
#pragma GCC unroll 8
		for (g = 0; g < GV; g++) {
			__mmask8 done = t == tb->periods ? live[g] : 0;
			if (any_dead && p.dead_check)
#pragma GCC unroll 8
				for (s = 0; s < K; s++) {
					__mmask8 m;
					if (!dead[g][s])
						continue;
					m = _mm512_mask_cmpeq_epu64_mask(live[g] & dead[g][s], x[g], _mm512_set1_epi64(s));
					if (m == 0)
						continue;
					clv[g][s] = _mm512_mask_add_pd(clv[g][s], m, clv[g][s], _mm512_set1_pd(p.tail[s]));
					acc->dead_from[(size_t)(t + 1) * (size_t)K + (size_t)s] +=
					    (uint32_t)__builtin_popcount(m);
					done |= m;
				}
			if (done == 0)
				continue;
			for (l = 0; l < W; l++)
				if (done >> l & 1u)
					len[g * W + l] = (uint32_t)(t + 1);
			live[g] &= (__mmask8)~done;
		}
	}
	for (g = 0; g < GV && g * W < nl; g++) { /* each group's lanes at once (kernel_out) */
		const int in = nl - g * W < W ? nl - g * W : W;
		const __mmask8 valid = (__mmask8)((1u << in) - 1u);
		const uint64_t c = c0 + (uint64_t)(g * W);
#pragma GCC unroll 8
		for (s = 0; s < K; s++)
			_mm512_mask_storeu_pd(out->clv + (size_t)s * out->stride + c, valid, clv[g][s]);
		_mm512_mask_storeu_pd(out->spend + c, valid, sp[g]);
		memcpy(out->len + c, &len[g * W], (size_t)in * sizeof *out->len);
	}
}

#define KERNEL_ATTR T512
#define KERNEL_INL INL
#define KERNEL_GROUP GL
#define KERNEL_ENTRY kernel_run_avx512
#include "engine/kernel_dispatch.h"

#else
typedef int kernel_avx512_unused; /* no x86-64: chain_isa_supported says no */
#endif
