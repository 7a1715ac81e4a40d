/*
 * rng.c - PCG32 (O'Neill 2014, "PCG: A family of simple fast
 * space-efficient statistically good algorithms for random number
 * generation"): seeding, jump-ahead, bounded and double draws, per
 * (replication, customer) streams, and the generator as a gsl_rng_type.
 *
 * Invariants: r->inc is always odd; every function here reproduces
 * pcg32 of pcg_random.hpp bit for bit (tests/test_rng.c compares against
 * it through tests/pcg_ref.cpp):
 *   - seeding pcg32(initstate, initseq): inc = (initseq << 1) | 1,
 *     state = 0, step, state += initstate, step (so the top bit of
 *     initseq is dropped: streams s and s + 2^63 coincide);
 *   - output: XSH-RR of the state before the step (rng.h, inline);
 *   - advance: Brown, "Random number generation with arbitrary strides",
 *     Trans. Am. Nucl. Soc. 71 (1994): the affine map x -> m x + c raised
 *     to the power delta by squaring, O(log delta);
 *   - bounded: pcg_extras::bounded_rand: threshold = 2^32 mod bound,
 *     reject outputs below it, return output mod bound (unbiased).
 *
 * Doubles: rng_uniform takes the top 27 bits of one output and the top 26
 * of the next, (a 2^26 + b) / 2^53 (as MT19937's genrand_res53): all 53
 * bits of the mantissa are random, the result is in [0, 1).
 * The GSL type's get_double uses one output / 2^32 (in [0, 1), as GSL's
 * own 32-bit generators do), so each GSL uniform costs one step.
 *
 * Streams: rng_stream seeds pcg32(initstate, initseq) with
 *   initstate = splitmix64(seed ^ splitmix64(replication)),
 *   initseq   = customer,
 * so every (replication, customer) pair has its own increment-selected
 * stream starting from a well-mixed state; two PCG steps and two
 * splitmix64 calls per customer. Customers below 2^63 never collide (the
 * top bit of initseq is dropped by the seeding); customer = UINT64_MAX is
 * the replication's own stream.
 * Keyed streams (rng_keyed_stream) add the key of a stable identity, an
 * assumption's key path such as "retention.Us" (rng_key: FNV-1a over its
 * bytes, then splitmix64), to the state:
 *   initstate = splitmix64(seed ^ splitmix64(replication)
 *                               ^ splitmix64(key ^ KEY_SALT)),
 * so the draws of one assumption depend on (seed, its key, replication,
 * customer) only: adding, removing or reordering other assumptions
 * leaves them unchanged (common random numbers across scenarios).
 */
#include "base/rng.h"

#define PCG_MULT 6364136223846793005ULL
#define PCG_DEFAULT_STREAM 0xda3e39cb94b95bdbULL

void rng_advance(rng_pcg32 *r, uint64_t delta)
{
	uint64_t cur_mult = PCG_MULT, cur_plus = r->inc;
	uint64_t acc_mult = 1u, acc_plus = 0u;

	while (delta > 0) {
		if (delta & 1u) {
			acc_mult *= cur_mult;
			acc_plus = acc_plus * cur_mult + cur_plus;
		}
		cur_plus = (cur_mult + 1u) * cur_plus;
		cur_mult *= cur_mult;
		delta >>= 1u;
	}
	r->state = acc_mult * r->state + acc_plus;
}

uint32_t rng_bounded(rng_pcg32 *r, uint32_t bound)
{
	uint32_t threshold = (uint32_t)(-bound) % bound;

	for (;;) {
		uint32_t x = rng_next(r);
		if (x >= threshold)
			return x % bound;
	}
}

double rng_uniform(rng_pcg32 *r)
{
	uint32_t a = rng_next(r) >> 5u; /* 27 bits */
	uint32_t b = rng_next(r) >> 6u; /* 26 bits */

	return ((double)a * 67108864.0 + (double)b) * (1.0 / 9007199254740992.0);
}

/* Vigna's splitmix64 finaliser: a bijection that mixes all bits. */
static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30u)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27u)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31u);
}

uint64_t rng_stream_initstate(uint64_t seed, uint64_t replication)
{
	return splitmix64(seed ^ splitmix64(replication));
}

void rng_stream(rng_pcg32 *r, uint64_t seed, uint64_t replication, uint64_t customer)
{
	rng_seed(r, rng_stream_initstate(seed, replication), customer);
}

#define KEY_SALT 0x6a09e667f3bcc909ULL /* sqrt(2) fraction: any odd constant */

uint64_t rng_key(const char *identity)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a 64 */
	const unsigned char *p = (const unsigned char *)identity;

	for (; *p; p++) {
		h ^= *p;
		h *= 0x100000001b3ULL;
	}
	return splitmix64(h);
}

uint64_t rng_keyed_initstate(uint64_t seed, uint64_t key, uint64_t replication)
{
	return splitmix64(seed ^ splitmix64(replication) ^ splitmix64(key ^ KEY_SALT));
}

void rng_keyed_stream(rng_pcg32 *r, uint64_t seed, uint64_t key, uint64_t replication,
                      uint64_t customer)
{
	rng_seed(r, rng_keyed_initstate(seed, key, replication), customer);
}

/* ---- the GSL generator type ------------------------------------------ */

static void gsl_pcg_set(void *state, unsigned long int seed)
{
	rng_seed(state, (uint64_t)seed, PCG_DEFAULT_STREAM);
}

static unsigned long int gsl_pcg_get(void *state)
{
	return rng_next(state);
}

static double gsl_pcg_get_double(void *state)
{
	return (double)rng_next(state) * (1.0 / 4294967296.0);
}

static const gsl_rng_type pcg32_type = {
	"pcg32",
	0xffffffffUL,
	0UL,
	sizeof(rng_pcg32),
	gsl_pcg_set,
	gsl_pcg_get,
	gsl_pcg_get_double
};

const gsl_rng_type *rng_gsl_pcg32 = &pcg32_type;
