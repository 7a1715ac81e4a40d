/*
 * bench_chain.c - customer-steps per second of clvsim's inner loop
 * (chain_run_block) on each instruction-set path, against honest hardware
 * floors measured in the same run.
 *
 * The floors do the bare step of the kernel's work and nothing else: one
 * PCG32 XSH-RR output, the next state of a 3-state row by integer
 * cumulative thresholds, one add of the step's value to the customer's
 * accumulator of the state it is in, and ("+counts") the state counts of
 * every period. Every customer walks periods + 1 steps on its own stream,
 * with as many customers in flight as the hardware likes:
 *   floor-s1   scalar C, one customer at a time (one dependency chain);
 *   floor-s8   scalar C, 8 customers interleaved;
 *   floor-avx2 4 AVX2 vectors of 4 customers (16 in flight);
 *   floor-avx512x2, floor-avx512x4  2 or 4 AVX-512 vectors of 8 (16, 32);
 * each with and without counts. The vector floors use the kernel's own
 * tricks (vpmullq or 32-bit halves, variable rotates, permuted threshold
 * columns, compares into masks, masked adds, popcounts), written for 3
 * states with every table in registers: what the kernel could reach if
 * it did nothing but the step.
 * Then, per path (scalar, avx2, avx512; a path the processor lacks is
 * skipped):
 *   kernel-PATH  chain_run_block on the model of the scenario (default
 *                scenarios/textbook.yaml: three brands, margin 500,
 *                discount 0.09, one purchase per period) with its horizon
 *                set to -p periods: counts, CLV per state, compensated
 *                sums, no histograms;
 *   engine-PATH  mc_run on the same scenario (16 replications);
 * and on the fastest path: kernel+hist (with the n + 1 histograms) and
 * engine100 (mc_run of the scenario with a 100-period horizon and 2e6
 * customers, 20 replications of 100000).
 * Customer-steps = customers x (periods + 1) x purchases. Threads split
 * the customers into MC_BLOCK blocks with an OpenMP dynamic loop, each
 * thread with its own chain_acc (as mc.c does). Each timing is repeated
 * and the best kept (shared, noisy machine).
 *
 * Invariant: the benchmark never times a wrong answer - every clvsim row
 * prints the mean CLV its customers earned in state A (the total is the
 * same for every customer here: one margin for all states), its standard
 * error and the exact figure (exact_run); run.sh flags rows more than 5
 * standard errors off. The kernel rows of every path must agree to the
 * last bit (they do the same work in the same order).
 *
 * Output: one tab-separated line per row, "approach threads steps seconds
 * mean_A se_A exact_A" (the format numpy_chain.py and r_markovchain.R
 * print too); run.sh turns them into the table of bench/README.md.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_errno.h>

#include "engine/chain.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "base/rng.h"
#include "base/stats.h"
#include "scenario/scenario.h"

/* The floor is written for a chain of this many states. */
#define N_STATES 3
#define SEED 20240607ULL
#define TWO32 4294967296.0

typedef struct bench_opts {
	const char *file;   /* the scenario (default scenarios/textbook.yaml) */
	uint64_t customers;
	long periods;
	int repeat;
	int max_threads;
} bench_opts;

/* One row's result. */
typedef struct bench_row {
	double steps;       /* customer-steps of one pass */
	double seconds;     /* best of the repeats */
	double mean, se;    /* mean CLV in state A and its standard error; NAN for the floor */
} bench_row;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* ---- the model ----------------------------------------------------- */

/* The scenario in `file` with its horizon set to `horizon`. NULL with
   err set on failure (or when it does not have N_STATES states). */
static clv_scenario *bench_scenario(const char *file, long horizon, clv_error *err)
{
	clv_scenario *s = scenario_load(file, err);

	if (s == NULL)
		return NULL;
	if (s->n != N_STATES)
		diag_set_file(err, CLV_ERR_INPUT, file, "the benchmark needs %d states, found %zu",
		              N_STATES, s->n);
	else if (scenario_set_number(s, "horizon", (double)horizon, err) == CLV_OK)
		scenario_validate(s, err);
	if (err->status == CLV_OK)
		return s;
	scenario_free(s);
	return NULL;
}

/* Expected CLV earned in state A (index 0) from the exact engine; NAN on failure. */
static double exact_clv(const clv_model *m)
{
	clv_error err = {0};
	exact_result *ex = exact_run(m, 0, &err);
	double v = ex ? ex->clv[0] : (double)NAN;

	if (ex == NULL)
		fprintf(stderr, "bench_chain: exact engine failed: %s\n", err.msg);
	exact_free(ex);
	return v;
}

/* ---- the floors ---------------------------------------------------- */

#define INL inline __attribute__((always_inline))
#define PCG_MULT 6364136223846793005ULL
#define T512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,popcnt")))
#define TAVX2 __attribute__((target("avx2,popcnt")))

/* What a floor walks: the thresholds of the rows, each step's value. */
typedef struct floor_chain {
	uint64_t thr[N_STATES][N_STATES - 1];
	const double *w;     /* steps: the value added at step t */
	long steps;
} floor_chain;

static INL uint32_t pcg_out1(uint64_t old)
{
	uint32_t xs = (uint32_t)(((old >> 18u) ^ old) >> 27u), rot = (uint32_t)(old >> 59u);

	return (xs >> rot) | (xs << ((-rot) & 31u));
}

/* L customers in flight in scalar C (L = 1: one dependency chain). */
static INL double floor_scalar(const floor_chain *fc, uint64_t first, uint64_t count, const int L,
                               bool counts, uint64_t *cnt)
{
	double total = 0.0;
	uint64_t c, st[8], inc[8];
	double acc[8][N_STATES];
	uint32_t x[8];
	long s;
	int l, i;

	for (c = 0; c + (uint64_t)L <= count; c += (uint64_t)L) {
		for (l = 0; l < L; l++) {
			rng_pcg32 r;
			rng_stream(&r, SEED, 0, first + c + (uint64_t)l);
			st[l] = r.state;
			inc[l] = r.inc;
			x[l] = 0;
			for (i = 0; i < N_STATES; i++)
				acc[l][i] = 0.0;
		}
		for (s = 0; s < fc->steps; s++) {
			const double w = fc->w[s];
			for (l = 0; l < L; l++) {
				uint64_t u = pcg_out1(st[l]);
				st[l] = st[l] * PCG_MULT + inc[l];
				if (counts)
					cnt[(size_t)s * N_STATES + x[l]]++;
				acc[l][x[l]] += w;
				x[l] = (uint32_t)(u >= fc->thr[x[l]][0]) + (uint32_t)(u >= fc->thr[x[l]][1]);
			}
		}
		for (l = 0; l < L; l++)
			total += acc[l][0] + acc[l][1] + acc[l][2];
	}
	return total;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define BENCH_X86 1

/* V AVX-512 vectors of 8 customers; thresholds permuted by the states. */
T512 static INL double floor_avx512(const floor_chain *fc, uint64_t first, uint64_t count,
                                    const int V, bool counts, uint64_t *cnt)
{
	const __m512i mult = _mm512_set1_epi64((long long)PCG_MULT), one = _mm512_set1_epi64(1);
	const __m512i lo32 = _mm512_set1_epi64(0xffffffffLL);
	const __m512i c0 = _mm512_setr_epi64((long long)fc->thr[0][0], (long long)fc->thr[1][0],
	                                     (long long)fc->thr[2][0], 0, 0, 0, 0, 0);
	const __m512i c1 = _mm512_setr_epi64((long long)fc->thr[0][1], (long long)fc->thr[1][1],
	                                     (long long)fc->thr[2][1], 0, 0, 0, 0, 0);
	double total = 0.0;
	uint64_t c;
	int v, l, i;

	for (c = 0; c + 8u * (uint64_t)V <= count; c += 8u * (uint64_t)V) {
		__m512i st[4], inc[4], x[4];
		__m512d acc[4][N_STATES];
		long s;
		for (v = 0; v < V; v++) {
			uint64_t s0[8], i0[8];
			for (l = 0; l < 8; l++) {
				rng_pcg32 r;
				rng_stream(&r, SEED, 0, first + c + (uint64_t)(8 * v + l));
				s0[l] = r.state;
				i0[l] = r.inc;
			}
			st[v] = _mm512_loadu_si512(s0);
			inc[v] = _mm512_loadu_si512(i0);
			x[v] = _mm512_setzero_si512();
			for (i = 0; i < N_STATES; i++)
				acc[v][i] = _mm512_setzero_pd();
		}
		for (s = 0; s < fc->steps; s++) {
			const __m512d w = _mm512_set1_pd(fc->w[s]);
			unsigned n0 = 0, n1 = 0, n2 = 0;
#pragma GCC unroll 4
			for (v = 0; v < V; v++) {
				__m512i old = st[v], xs, u;
				__mmask8 m0 = _mm512_cmpeq_epu64_mask(x[v], _mm512_setzero_si512());
				__mmask8 m1 = _mm512_cmpeq_epu64_mask(x[v], one);
				__mmask8 m2 = (__mmask8)~(m0 | m1);
				st[v] = _mm512_add_epi64(_mm512_mullo_epi64(old, mult), inc[v]);
				xs = _mm512_srli_epi64(_mm512_xor_si512(_mm512_srli_epi64(old, 18), old), 27);
				u = _mm512_and_si512(_mm512_rorv_epi32(xs, _mm512_srli_epi64(old, 59)), lo32);
				acc[v][0] = _mm512_mask_add_pd(acc[v][0], m0, acc[v][0], w);
				acc[v][1] = _mm512_mask_add_pd(acc[v][1], m1, acc[v][1], w);
				acc[v][2] = _mm512_mask_add_pd(acc[v][2], m2, acc[v][2], w);
				if (counts) {
					n0 += (unsigned)__builtin_popcount(m0);
					n1 += (unsigned)__builtin_popcount(m1);
					n2 += (unsigned)__builtin_popcount(m2);
				}
				x[v] = _mm512_add_epi64(
				    _mm512_maskz_mov_epi64(
				        _mm512_cmpge_epu64_mask(u, _mm512_permutexvar_epi64(x[v], c0)), one),
				    _mm512_maskz_mov_epi64(
				        _mm512_cmpge_epu64_mask(u, _mm512_permutexvar_epi64(x[v], c1)), one));
			}
			if (counts) {
				cnt[(size_t)s * N_STATES] += n0;
				cnt[(size_t)s * N_STATES + 1] += n1;
				cnt[(size_t)s * N_STATES + 2] += n2;
			}
		}
		for (v = 0; v < V; v++)
			for (i = 0; i < N_STATES; i++)
				total += _mm512_reduce_add_pd(acc[v][i]);
	}
	return total + floor_scalar(fc, first + c, count - c, 1, counts, cnt);
}

/* V AVX2 vectors of 4 customers: the 64-bit multiply in 32-bit halves. */
TAVX2 static INL double floor_avx2(const floor_chain *fc, uint64_t first, uint64_t count,
                                   const int V, bool counts, uint64_t *cnt)
{
	const __m256i mlo = _mm256_set1_epi64x((long long)(PCG_MULT & 0xffffffffULL));
	const __m256i mhi = _mm256_set1_epi64x((long long)(PCG_MULT >> 32));
	const __m256i lo32 = _mm256_set1_epi64x(0xffffffffLL), one = _mm256_set1_epi64x(1);
	const __m256i c0 = _mm256_setr_epi64x((long long)fc->thr[0][0], (long long)fc->thr[1][0],
	                                      (long long)fc->thr[2][0], 0);
	const __m256i c1 = _mm256_setr_epi64x((long long)fc->thr[0][1], (long long)fc->thr[1][1],
	                                      (long long)fc->thr[2][1], 0);
	double total = 0.0;
	uint64_t c;
	int v, l, i;

	for (c = 0; c + 4u * (uint64_t)V <= count; c += 4u * (uint64_t)V) {
		__m256i st[4], inc[4], x[4];
		__m256d acc[4][N_STATES];
		long s;
		for (v = 0; v < V; v++) {
			uint64_t s0[4], i0[4];
			for (l = 0; l < 4; l++) {
				rng_pcg32 r;
				rng_stream(&r, SEED, 0, first + c + (uint64_t)(4 * v + l));
				s0[l] = r.state;
				i0[l] = r.inc;
			}
			st[v] = _mm256_loadu_si256((const void *)s0);
			inc[v] = _mm256_loadu_si256((const void *)i0);
			x[v] = _mm256_setzero_si256();
			for (i = 0; i < N_STATES; i++)
				acc[v][i] = _mm256_setzero_pd();
		}
		for (s = 0; s < fc->steps; s++) {
			const __m256d w = _mm256_set1_pd(fc->w[s]);
			unsigned n0 = 0, n1 = 0, n2 = 0;
#pragma GCC unroll 4
			for (v = 0; v < V; v++) {
				__m256i old = st[v], xs, u, rot, idx, x2;
				__m256i m0 = _mm256_cmpeq_epi64(x[v], _mm256_setzero_si256());
				__m256i m1 = _mm256_cmpeq_epi64(x[v], one);
				__m256i m2 = _mm256_cmpgt_epi64(x[v], one);
				__m256i cross = _mm256_add_epi64(_mm256_mul_epu32(old, mhi),
				                                 _mm256_mul_epu32(_mm256_srli_epi64(old, 32), mlo));
				st[v] = _mm256_add_epi64(
				    _mm256_add_epi64(_mm256_mul_epu32(old, mlo), _mm256_slli_epi64(cross, 32)), inc[v]);
				xs = _mm256_and_si256(
				    _mm256_srli_epi64(_mm256_xor_si256(_mm256_srli_epi64(old, 18), old), 27), lo32);
				rot = _mm256_srli_epi64(old, 59);
				u = _mm256_and_si256(
				    _mm256_or_si256(_mm256_srlv_epi64(xs, rot),
				                    _mm256_sllv_epi64(xs, _mm256_sub_epi64(_mm256_set1_epi64x(32), rot))),
				    lo32);
				u = _mm256_add_epi64(u, one);
				acc[v][0] = _mm256_add_pd(acc[v][0], _mm256_and_pd(_mm256_castsi256_pd(m0), w));
				acc[v][1] = _mm256_add_pd(acc[v][1], _mm256_and_pd(_mm256_castsi256_pd(m1), w));
				acc[v][2] = _mm256_add_pd(acc[v][2], _mm256_and_pd(_mm256_castsi256_pd(m2), w));
				if (counts) {
					n0 += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m0)));
					n1 += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m1)));
					n2 += (unsigned)__builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(m2)));
				}
				x2 = _mm256_slli_epi64(x[v], 1);
				idx = _mm256_or_si256(x2, _mm256_slli_epi64(_mm256_add_epi64(x2, one), 32));
				x[v] = _mm256_sub_epi64(
				    _mm256_setzero_si256(),
				    _mm256_add_epi64(_mm256_cmpgt_epi64(u, _mm256_permutevar8x32_epi32(c0, idx)),
				                     _mm256_cmpgt_epi64(u, _mm256_permutevar8x32_epi32(c1, idx))));
			}
			if (counts) {
				cnt[(size_t)s * N_STATES] += n0;
				cnt[(size_t)s * N_STATES + 1] += n1;
				cnt[(size_t)s * N_STATES + 2] += n2;
			}
		}
		for (v = 0; v < V; v++)
			for (i = 0; i < N_STATES; i++) {
				double q[4];
				_mm256_storeu_pd(q, acc[v][i]);
				total += q[0] + q[1] + q[2] + q[3];
			}
	}
	return total + floor_scalar(fc, first + c, count - c, 1, counts, cnt);
}
#else
#define BENCH_X86 0
#endif

/* The floors, by name. */
typedef enum floor_kind {
	FLOOR_S1, FLOOR_S8, FLOOR_AVX2, FLOOR_AVX512X2, FLOOR_AVX512X4, FLOOR_KINDS
} floor_kind;

static const char *const floor_names[FLOOR_KINDS] = {"floor-s1", "floor-s8", "floor-avx2",
                                                      "floor-avx512x2", "floor-avx512x4"};

static bool floor_supported(floor_kind k)
{
	if (k == FLOOR_AVX2)
		return chain_isa_supported(CHAIN_ISA_AVX2);
	if (k == FLOOR_AVX512X2 || k == FLOOR_AVX512X4)
		return chain_isa_supported(CHAIN_ISA_AVX512);
	return true;
}

/* Separate functions per floor, so each is compiled for its own target. */
static double floor_s1(const floor_chain *fc, uint64_t f, uint64_t n, bool k, uint64_t *cnt)
{
	return floor_scalar(fc, f, n, 1, k, cnt);
}

static double floor_s8(const floor_chain *fc, uint64_t f, uint64_t n, bool k, uint64_t *cnt)
{
	return floor_scalar(fc, f, n, 8, k, cnt) + floor_scalar(fc, f + n / 8 * 8, n % 8, 1, k, cnt);
}

#if BENCH_X86
TAVX2 static double floor_v2(const floor_chain *fc, uint64_t f, uint64_t n, bool k, uint64_t *cnt)
{
	return k ? floor_avx2(fc, f, n, 4, true, cnt) : floor_avx2(fc, f, n, 4, false, cnt);
}

T512 static double floor_v5x2(const floor_chain *fc, uint64_t f, uint64_t n, bool k, uint64_t *cnt)
{
	return k ? floor_avx512(fc, f, n, 2, true, cnt) : floor_avx512(fc, f, n, 2, false, cnt);
}

T512 static double floor_v5x4(const floor_chain *fc, uint64_t f, uint64_t n, bool k, uint64_t *cnt)
{
	return k ? floor_avx512(fc, f, n, 4, true, cnt) : floor_avx512(fc, f, n, 4, false, cnt);
}
#endif

static double floor_run(floor_kind kind, const floor_chain *fc, uint64_t f, uint64_t n, bool k,
                        uint64_t *cnt)
{
	switch (kind) {
	case FLOOR_S1: return floor_s1(fc, f, n, k, cnt);
	case FLOOR_S8: return floor_s8(fc, f, n, k, cnt);
#if BENCH_X86
	case FLOOR_AVX2: return floor_v2(fc, f, n, k, cnt);
	case FLOOR_AVX512X2: return floor_v5x2(fc, f, n, k, cnt);
	case FLOOR_AVX512X4: return floor_v5x4(fc, f, n, k, cnt);
#endif
	default: return 0.0;
	}
}

static volatile double floor_sink;

/* One timed pass of a floor over all customers; counts into cnt[thread]. */
static double time_floor(const bench_opts *o, const clv_model *m, floor_kind kind, bool counts,
                         int threads, uint64_t *const *cnt)
{
	floor_chain fc;
	double *w = malloc((size_t)(o->periods + 1) * sizeof *w), sum = 0.0, t0;
	int64_t b, nblocks = (int64_t)((o->customers + MC_BLOCK - 1) / MC_BLOCK);
	size_t i, j;
	long t;

	if (w == NULL)
		return -1.0;
	for (t = 0; t <= o->periods; t++)
		w[t] = 500.0 * pow(1.09, -(double)t);
	for (i = 0; i < N_STATES; i++) {
		double cum = 0.0;
		for (j = 0; j + 1 < N_STATES; j++) {
			cum += m->P[i * N_STATES + j];
			fc.thr[i][j] = (uint64_t)llround(cum * TWO32);
		}
	}
	fc.w = w;
	fc.steps = o->periods + 1;
	t0 = now();
#pragma omp parallel for num_threads(threads) schedule(dynamic) reduction(+ : sum)
	for (b = 0; b < nblocks; b++) {
		uint64_t first = (uint64_t)b * MC_BLOCK;
		uint64_t n = o->customers - first < MC_BLOCK ? o->customers - first : MC_BLOCK;
		sum += floor_run(kind, &fc, first, n, counts, cnt[thread_id()]);
	}
	t0 = now() - t0;
	floor_sink += sum;
	free(w);
	return t0;
}

/* ---- the kernel ---------------------------------------------------- */

static void acc_free(chain_acc *a, size_t n)
{
	size_t i;

	free(a->count);
	free(a->dead_from);
	free(a->sum);
	free(a->sumsq);
	if (a->hist)
		for (i = 0; i <= n; i++)
			stats_hist_free(a->hist[i]);
	free(a->hist);
	memset(a, 0, sizeof *a);
}

/* A thread's accumulators for tb, with histograms. 0, or -1 when out of memory. */
static int acc_init(chain_acc *a, const chain_table *tb)
{
	size_t n = tb->n, rows = (size_t)tb->periods + 1, i;

	memset(a, 0, sizeof *a);
	a->count = calloc(rows * n, sizeof *a->count);
	a->dead_from = calloc((rows + 1) * n, sizeof *a->dead_from);
	a->sum = calloc(n + 1, sizeof *a->sum);
	a->sumsq = calloc(n + 1, sizeof *a->sumsq);
	a->hist = calloc(n + 1, sizeof *a->hist);
	if (!a->count || !a->dead_from || !a->sum || !a->sumsq || !a->hist)
		return -1;
	for (i = 0; i <= n; i++)
		if ((a->hist[i] = stats_hist_create()) == NULL)
			return -1;
	return 0;
}

static void acc_reset(chain_acc *a, const chain_table *tb)
{
	size_t n = tb->n, i;

	memset(a->count, 0, (size_t)(tb->periods + 1) * n * sizeof *a->count);
	memset(a->sum, 0, (n + 1) * sizeof *a->sum);
	memset(a->sumsq, 0, (n + 1) * sizeof *a->sumsq);
	for (i = 0; i <= n; i++)
		stats_hist_reset(a->hist[i]);
}

/* Mean CLV in state A and its standard error over the threads' accumulators. */
static void acc_mean(const chain_acc *acc, int threads, uint64_t customers, bench_row *row)
{
	stats_ksum s = {0, 0}, ss = {0, 0};
	double N = (double)customers, mean, var;
	int k;

	for (k = 0; k < threads; k++) {
		stats_ksum_merge(&s, &acc[k].sum[0]);
		stats_ksum_merge(&ss, &acc[k].sumsq[0]);
	}
	mean = stats_ksum_value(&s) / N;
	var = (stats_ksum_value(&ss) - N * mean * mean) / (N - 1.0);
	row->mean = mean;
	row->se = sqrt(fmax(var, 0.0) / N);
}

/* One timed pass of chain_run_block over all customers. */
static double time_kernel(const chain_table *tb, chain_acc *acc, int threads,
                          uint64_t customers, bool hist)
{
	int64_t b, nblocks = (int64_t)((customers + MC_BLOCK - 1) / MC_BLOCK);
	stats_hist **saved[2];
	double t0;
	int k;

	for (k = 0; k < threads; k++) {
		acc_reset(&acc[k], tb);
		saved[k] = acc[k].hist;
		if (!hist)
			acc[k].hist = NULL;
	}
	t0 = now();
#pragma omp parallel for num_threads(threads) schedule(dynamic)
	for (b = 0; b < nblocks; b++) {
		uint64_t first = (uint64_t)b * MC_BLOCK;
		uint64_t cnt = customers - first < MC_BLOCK ? customers - first : MC_BLOCK;
		chain_run_block(tb, SEED, 0, first, cnt, &acc[thread_id()]);
	}
	t0 = now() - t0;
	for (k = 0; k < threads; k++)
		acc[k].hist = saved[k];
	return t0;
}

/* ---- the whole engine ---------------------------------------------- */

#define ENGINE_REPLICATIONS 16

/* One timed mc_run of replications x customers; fills mean and se;
   negative on failure. */
static double time_engine(clv_scenario *s, uint64_t replications, uint64_t customers,
                          long periods, int threads, bench_row *row)
{
	clv_error err = {0};
	mc_config cfg;
	mc_result *r;
	double t0;

	mc_config_defaults(&cfg, s);
	cfg.seed = SEED;
	cfg.threads = threads;
	cfg.replications = replications;
	cfg.customers = customers;
	t0 = now();
	r = mc_run(s, &cfg, &err);
	t0 = now() - t0;
	if (r == NULL) {
		fprintf(stderr, "bench_chain: mc_run: %s\n", err.msg);
		return -1.0;
	}
	/* mc_result.steps when the engine fills it, else the same count by hand */
	row->steps = r->steps ? (double)r->steps
	                      : (double)(cfg.replications * cfg.customers) * (double)(periods + 1);
	row->mean = r->clv[0].mean;
	row->se = r->clv[0].se;
	mc_free(r);
	return t0;
}

/* ---- driver -------------------------------------------------------- */

static void print_row(const char *name, int threads, const bench_row *row, double exact)
{
	printf("%s\t%d\t%.0f\t%.6f\t%.6f\t%.6f\t%.6f\n", name, threads, row->steps, row->seconds,
	       row->mean, row->se, exact);
	fflush(stdout);
}

static void keep_best(bench_row *row, double seconds)
{
	if (seconds >= 0 && (row->seconds < 0 || seconds < row->seconds))
		row->seconds = seconds;
}

/* What the rows share. */
typedef struct bench_setup {
	const clv_model *m;
	const chain_table *tb;
	chain_acc *acc;          /* one per thread */
	uint64_t *cnt[2];        /* the floors' counts, one per thread */
	clv_scenario *scenario;  /* horizon -p */
	clv_scenario *short_run; /* horizon 100 */
	double exact, exact100;
} bench_setup;

/* The rows of one thread count. */
static void bench_threads(const bench_opts *o, const bench_setup *bs, int threads)
{
	double steps = (double)o->customers * (double)(o->periods + 1) * bs->tb->purchases;
	bench_row fl[FLOOR_KINDS][2], k[CHAIN_ISA_COUNT], kh = {steps, -1, 0, 0};
	bench_row en[CHAIN_ISA_COUNT], e100 = {0, -1, 0, 0};
	stats_ksum first_sum = {0, 0};
	chain_isa best = chain_isa_best();
	int rep, f, c, isa;

	for (f = 0; f < FLOOR_KINDS; f++)
		for (c = 0; c < 2; c++)
			fl[f][c] = (bench_row){steps, -1, NAN, NAN};
	for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
		k[isa] = (bench_row){steps, -1, 0, 0};
		en[isa] = (bench_row){0, -1, 0, 0};
	}
	for (rep = 0; rep < o->repeat; rep++)
		for (f = 0; f < FLOOR_KINDS; f++)
			for (c = 0; c < 2 && floor_supported((floor_kind)f); c++)
				keep_best(&fl[f][c], time_floor(o, bs->m, (floor_kind)f, c == 1, threads, bs->cnt));
	for (f = 0; f < FLOOR_KINDS; f++) {
		char name[64];
		if (!floor_supported((floor_kind)f)) {
			printf("# %s skipped: this processor lacks the instruction set\n", floor_names[f]);
			continue;
		}
		print_row(floor_names[f], threads, &fl[f][0], (double)NAN);
		snprintf(name, sizeof name, "%s+counts", floor_names[f]);
		print_row(name, threads, &fl[f][1], (double)NAN);
	}
	for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
		char name[64];
		if (!chain_isa_supported((chain_isa)isa)) {
			printf("# %s path skipped: this processor cannot run it\n",
			       chain_isa_name((chain_isa)isa));
			continue;
		}
		chain_isa_set((chain_isa)isa);
		for (rep = 0; rep < o->repeat; rep++)
			keep_best(&k[isa], time_kernel(bs->tb, bs->acc, threads, o->customers, false));
		acc_mean(bs->acc, threads, o->customers, &k[isa]);
		if (isa == 0)
			first_sum = bs->acc[0].sum[0];
		else if (threads == 1 && memcmp(&first_sum, &bs->acc[0].sum[0], sizeof first_sum) != 0)
			printf("# WRONG: the %s kernel's sums differ from the scalar kernel's\n",
			       chain_isa_name((chain_isa)isa));
		snprintf(name, sizeof name, "kernel-%s", chain_isa_name((chain_isa)isa));
		print_row(name, threads, &k[isa], bs->exact);
	}
	chain_isa_set(best);
	for (rep = 0; rep < o->repeat; rep++)
		keep_best(&kh, time_kernel(bs->tb, bs->acc, threads, o->customers, true));
	acc_mean(bs->acc, threads, o->customers, &kh);
	print_row("kernel+hist", threads, &kh, bs->exact);
	for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
		char name[64];
		if (!chain_isa_supported((chain_isa)isa))
			continue;
		chain_isa_set((chain_isa)isa);
		for (rep = 0; rep < o->repeat; rep++)
			keep_best(&en[isa], time_engine(bs->scenario, ENGINE_REPLICATIONS,
			                                o->customers / ENGINE_REPLICATIONS, o->periods,
			                                threads, &en[isa]));
		snprintf(name, sizeof name, "engine-%s", chain_isa_name((chain_isa)isa));
		if (en[isa].seconds > 0)
			print_row(name, threads, &en[isa], bs->exact);
	}
	chain_isa_set(best);
	for (rep = 0; rep < o->repeat; rep++)
		keep_best(&e100, time_engine(bs->short_run, 20, 100000, 100, threads, &e100));
	if (e100.seconds > 0)
		print_row("engine100", threads, &e100, bs->exact100);
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_chain [-f scenario.yaml] [-c customers] [-p periods] "
	                "[-r repeats] [-t max_threads]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, bench_opts *o)
{
	int ch;

	o->file = "scenarios/textbook.yaml";
	o->customers = 100000;
	o->periods = 1000;
	o->repeat = 3;
	o->max_threads = 2;
	while ((ch = getopt(argc, argv, "f:c:p:r:t:")) != -1) {
		switch (ch) {
		case 'f': o->file = optarg; break;
		case 'c': o->customers = strtoull(optarg, NULL, 10); break;
		case 'p': o->periods = strtol(optarg, NULL, 10); break;
		case 'r': o->repeat = atoi(optarg); break;
		case 't': o->max_threads = atoi(optarg); break;
		default: usage();
		}
	}
	if (o->customers < 2 || o->periods < 0 || o->periods > CLV_MAX_HORIZON || o->repeat < 1 ||
	    o->max_threads < 1 || o->max_threads > 2)
		usage();
}

int main(int argc, char **argv)
{
	bench_opts o;
	clv_error err = {0};
	clv_model *m = NULL, *m100 = NULL;
	chain_table *tb = NULL;
	chain_acc acc[2];
	bench_setup bs;
	int threads, rc = 1;

	memset(acc, 0, sizeof acc);
	memset(&bs, 0, sizeof bs);
	parse_opts(argc, argv, &o);
	gsl_set_error_handler_off();
	if (chain_isa_init(&err) != CLV_OK) {
		fprintf(stderr, "bench_chain: %s\n", err.msg);
		return 2;
	}
	bs.scenario = bench_scenario(o.file, o.periods, &err);
	m = bs.scenario != NULL ? model_at_means(bs.scenario, &err) : NULL;
	if (m != NULL)
		bs.short_run = bench_scenario(o.file, 100, &err);
	m100 = bs.short_run != NULL ? model_at_means(bs.short_run, &err) : NULL;
	if (m100 == NULL)
		goto cleanup;
	bs.exact = exact_clv(m);
	bs.exact100 = exact_clv(m100);
	tb = chain_table_create(m, chain_periods(m), &err);
	bs.cnt[0] = calloc((size_t)(o.periods + 1) * N_STATES, sizeof *bs.cnt[0]);
	bs.cnt[1] = calloc((size_t)(o.periods + 1) * N_STATES, sizeof *bs.cnt[1]);
	if (tb == NULL || !bs.cnt[0] || !bs.cnt[1] || acc_init(&acc[0], tb) != 0 ||
	    acc_init(&acc[1], tb) != 0)
		goto cleanup;
	bs.m = m;
	bs.tb = tb;
	bs.acc = acc;
	printf("# fastest kernel path on this processor: %s\n",
	       chain_isa_name(chain_isa_best()));
	for (threads = 1; threads <= o.max_threads; threads++)
		bench_threads(&o, &bs, threads);
	rc = 0;
cleanup:
	if (rc != 0)
		fprintf(stderr, "bench_chain: setup failed: %s\n", err.msg[0] ? err.msg : "out of memory");
	scenario_free(bs.scenario);
	scenario_free(bs.short_run);
	if (tb) {
		acc_free(&acc[0], tb->n);
		acc_free(&acc[1], tb->n);
	}
	free(bs.cnt[0]);
	free(bs.cnt[1]);
	chain_table_free(tb);
	model_free(m);
	model_free(m100);
	return rc;
}
