/*
 * test_rng.c - sim/rng.c against the reference pcg32 (tests/pcg_ref.cpp,
 * pcg_random.hpp): bit-identical outputs, jumps and bounded draws; the
 * GSL wrapper; uniformity at a fixed seed; per (replication, customer)
 * streams, and keyed ones from their shared initstate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "base/rng.h"

/* The oracle (tests/pcg_ref.cpp). */
void pcgref_outputs(uint64_t initstate, uint64_t initseq, uint64_t delta,
                    uint32_t *out, size_t n);
void pcgref_bounded(uint64_t initstate, uint64_t initseq, uint32_t bound,
                    uint32_t *out, size_t n);

#define N_OUT 1000

static const uint64_t seeds[][2] = {
	{42u, 54u},
	{0u, 0u},
	{0x853c49e6748fea9bULL, 0xda3e39cb94b95bdbULL},
	{UINT64_MAX, UINT64_MAX},
	{123456789u, 1u},
	{0xdeadbeefcafef00dULL, 0x7fffffffffffffffULL},
};
#define N_SEEDS (sizeof seeds / sizeof seeds[0])

/* Our outputs of pcg32(initstate, initseq) advanced by delta. */
static void ours(uint64_t initstate, uint64_t initseq, uint64_t delta, uint32_t *out, size_t n)
{
	rng_pcg32 r;
	size_t i;

	rng_seed(&r, initstate, initseq);
	rng_advance(&r, delta);
	for (i = 0; i < n; i++)
		out[i] = rng_next(&r);
}

static void outputs_match_reference(void **state)
{
	static uint32_t a[N_OUT], b[N_OUT];
	size_t s;

	(void)state;
	for (s = 0; s < N_SEEDS; s++) {
		ours(seeds[s][0], seeds[s][1], 0, a, N_OUT);
		pcgref_outputs(seeds[s][0], seeds[s][1], 0, b, N_OUT);
		assert_memory_equal(a, b, sizeof a);
	}
}

/* Known answer from the PCG paper's demo (pcg32-demo, seed 42, stream 54). */
static void known_answer(void **state)
{
	static const uint32_t expect[6] = {
		0xa15c02b7u, 0x7b47f409u, 0xba1d3330u, 0x83d2f293u, 0xbfa4784bu, 0xcbed606eu
	};
	uint32_t a[6];

	(void)state;
	ours(42u, 54u, 0, a, 6);
	assert_memory_equal(a, expect, sizeof expect);
}

static void advance_matches_reference(void **state)
{
	static const uint64_t deltas[] = {1u, 1000u, (1ULL << 40) + 7u, UINT64_MAX};
	static uint32_t a[N_OUT], b[N_OUT];
	size_t s, d;

	(void)state;
	for (s = 0; s < N_SEEDS; s++)
		for (d = 0; d < sizeof deltas / sizeof deltas[0]; d++) {
			ours(seeds[s][0], seeds[s][1], deltas[d], a, N_OUT);
			pcgref_outputs(seeds[s][0], seeds[s][1], deltas[d], b, N_OUT);
			assert_memory_equal(a, b, sizeof a);
		}
}

/* Advancing by 1000 equals stepping 1000 times; by 2^64 - 1 steps back. */
static void advance_equals_stepping(void **state)
{
	rng_pcg32 r, q;
	int i;

	(void)state;
	rng_seed(&r, 7u, 11u);
	q = r;
	for (i = 0; i < 1000; i++)
		(void)rng_next(&r);
	rng_advance(&q, 1000u);
	assert_true(r.state == q.state && r.inc == q.inc);
	rng_advance(&q, UINT64_MAX);
	(void)rng_next(&q);
	assert_true(r.state == q.state);
}

static void bounded_matches_reference(void **state)
{
	static const uint32_t bounds[] = {1u, 2u, 3u, 7u, 10u, 1000u, 65536u, 1000003u,
	                                  (1u << 31) + 1u, 0xffffffffu};
	static uint32_t a[N_OUT], b[N_OUT];
	size_t s, k, i;
	rng_pcg32 r;

	(void)state;
	for (s = 0; s < N_SEEDS; s++)
		for (k = 0; k < sizeof bounds / sizeof bounds[0]; k++) {
			rng_seed(&r, seeds[s][0], seeds[s][1]);
			for (i = 0; i < N_OUT; i++) {
				a[i] = rng_bounded(&r, bounds[k]);
				assert_true(a[i] < bounds[k]);
			}
			pcgref_bounded(seeds[s][0], seeds[s][1], bounds[k], b, N_OUT);
			assert_memory_equal(a, b, sizeof a);
		}
}

/* rng_uniform is (top 27 bits of x1 * 2^26 + top 26 bits of x2) / 2^53. */
static void uniform_bits(void **state)
{
	rng_pcg32 r, q;
	int i;

	(void)state;
	rng_seed(&r, 99u, 3u);
	q = r;
	for (i = 0; i < 10000; i++) {
		uint64_t x1 = rng_next(&q) >> 5, x2 = rng_next(&q) >> 6;
		double u = rng_uniform(&r);
		assert_true(u >= 0.0 && u < 1.0);
		assert_true(u * 9007199254740992.0 == (double)((x1 << 26) | x2));
	}
}

static void gsl_wrapper(void **state)
{
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);
	static uint32_t b[N_OUT];
	rng_pcg32 r;
	size_t i;

	(void)state;
	assert_non_null(g);
	assert_string_equal(gsl_rng_name(g), "pcg32");
	assert_true(gsl_rng_max(g) == 0xffffffffUL && gsl_rng_min(g) == 0);
	assert_int_equal(gsl_rng_size(g), sizeof(rng_pcg32));

	/* gsl_rng_set seeds with the stream 0xda3e39cb94b95bdb */
	gsl_rng_set(g, 2024u);
	pcgref_outputs(2024u, 0xda3e39cb94b95bdbULL, 0, b, N_OUT);
	for (i = 0; i < N_OUT; i++)
		assert_true(gsl_rng_get(g) == b[i]);

	/* after set_state, gsl_rng_get follows rng_next */
	rng_seed(&r, 5u, 6u);
	rng_gsl_set_state(g, &r);
	for (i = 0; i < N_OUT; i++)
		assert_true(gsl_rng_get(g) == rng_next(&r));
	assert_memory_equal(g->state, &r, sizeof r);

	/* get_double is one output / 2^32, in [0, 1) */
	for (i = 0; i < 100000; i++) {
		rng_pcg32 before = r;
		double u = gsl_rng_uniform(g);
		assert_true(u >= 0.0 && u < 1.0);
		assert_true(u * 4294967296.0 == (double)rng_next(&before));
		r = before;
	}
	gsl_rng_free(g);
}

/* Chi-square of 10^6 GSL uniforms in 100 bins at a fixed seed: fails when
   P(chi2_99 >= observed) < 1e-6 (a 1e-6 false-alarm bound). */
static void chi_square_uniformity(void **state)
{
	enum { BINS = 100, DRAWS = 1000000 };
	unsigned long count[BINS] = {0};
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);
	double chi2 = 0.0, expect = (double)DRAWS / BINS;
	int i;

	(void)state;
	assert_non_null(g);
	gsl_rng_set(g, 314159u);
	for (i = 0; i < DRAWS; i++)
		count[(int)(gsl_rng_uniform(g) * BINS)]++;
	for (i = 0; i < BINS; i++)
		chi2 += ((double)count[i] - expect) * ((double)count[i] - expect) / expect;
	assert_true(gsl_cdf_chisq_Q(chi2, BINS - 1) > 1e-6);
	gsl_rng_free(g);
}

/* The first four outputs of a stream, as one comparable key. */
static void stream_key(uint64_t seed, uint64_t rep, uint64_t cust, uint32_t key[4])
{
	rng_pcg32 r;
	int i;

	rng_stream(&r, seed, rep, cust);
	for (i = 0; i < 4; i++)
		key[i] = rng_next(&r);
}

static void streams_distinct_and_reproducible(void **state)
{
	enum { R = 12, C = 12 };
	static uint32_t key[R * (C + 1)][4];
	uint64_t reps[R], custs[C + 1];
	size_t a, b, i, j, n = 0;

	(void)state;
	for (i = 0; i < R; i++)
		reps[i] = i < R - 2 ? i : (i == R - 2 ? 1000000u : UINT64_MAX);
	for (j = 0; j < C; j++)
		custs[j] = j < C - 1 ? j : 999999999u;
	custs[C] = UINT64_MAX;
	for (i = 0; i < R; i++)
		for (j = 0; j <= C; j++)
			stream_key(42u, reps[i], custs[j], key[n++]);
	for (a = 0; a < n; a++)
		for (b = a + 1; b < n; b++)
			assert_memory_not_equal(key[a], key[b], sizeof key[a]);

	/* same inputs, same stream; another seed, another stream */
	for (i = 0; i < R; i++) {
		uint32_t again[4], other[4];
		stream_key(42u, reps[i], 3u, again);
		assert_memory_equal(again, key[i * (C + 1) + 3], sizeof again);
		stream_key(43u, reps[i], 3u, other);
		assert_memory_not_equal(other, again, sizeof other);
	}
}

/* rng_seed from rng_keyed_initstate is rng_keyed_stream: the same state
   and increment for many (seed, key, replication, customer), and a
   change of any of the first three changes the initstate. */
static void keyed_initstate_is_keyed_stream(void **state)
{
	static const uint64_t sd[] = {0, 42, UINT64_MAX}, keys[] = {1, 0x9e3779b97f4a7c15ULL};
	static const uint64_t reps[] = {0, 7, UINT64_MAX}, custs[] = {0, 1, 2047, 999999999u};
	size_t a, b, c, d;

	(void)state;
	for (a = 0; a < 3; a++)
		for (b = 0; b < 2; b++)
			for (c = 0; c < 3; c++) {
				uint64_t init = rng_keyed_initstate(sd[a], keys[b], reps[c]);
				assert_true(init != rng_keyed_initstate(sd[a] + 1, keys[b], reps[c]));
				assert_true(init != rng_keyed_initstate(sd[a], keys[b] + 1, reps[c]));
				assert_true(init != rng_keyed_initstate(sd[a], keys[b], reps[c] + 1));
				for (d = 0; d < 4; d++) {
					rng_pcg32 x, y;
					rng_keyed_stream(&x, sd[a], keys[b], reps[c], custs[d]);
					rng_seed(&y, init, custs[d]);
					assert_true(x.state == y.state && x.inc == y.inc);
				}
			}
}

/* rng_seed from rng_stream_initstate is rng_stream (what the kernels
   use), and a change of seed or replication changes the initstate. */
static void stream_initstate_is_stream(void **state)
{
	static const uint64_t sd[] = {0, 42, UINT64_MAX}, reps[] = {0, 7, UINT64_MAX};
	static const uint64_t custs[] = {0, 1, 2047, 999999999u, UINT64_MAX};
	size_t a, c, d;

	(void)state;
	for (a = 0; a < 3; a++)
		for (c = 0; c < 3; c++) {
			uint64_t init = rng_stream_initstate(sd[a], reps[c]);
			assert_true(init != rng_stream_initstate(sd[a] + 1, reps[c]));
			assert_true(init != rng_stream_initstate(sd[a], reps[c] + 1));
			for (d = 0; d < 5; d++) {
				rng_pcg32 x, y;
				rng_stream(&x, sd[a], reps[c], custs[d]);
				rng_seed(&y, init, custs[d]);
				assert_true(x.state == y.state && x.inc == y.inc);
			}
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(outputs_match_reference),
		cmocka_unit_test(known_answer),
		cmocka_unit_test(advance_matches_reference),
		cmocka_unit_test(advance_equals_stepping),
		cmocka_unit_test(bounded_matches_reference),
		cmocka_unit_test(uniform_bits),
		cmocka_unit_test(gsl_wrapper),
		cmocka_unit_test(chi_square_uniformity),
		cmocka_unit_test(streams_distinct_and_reproducible),
		cmocka_unit_test(keyed_initstate_is_keyed_stream),
		cmocka_unit_test(stream_initstate_is_stream),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
