/*
 * rng.h - PCG32 (O'Neill's pcg32: 64-bit LCG state, XSH-RR output, 32-bit
 * output, 2^63 selectable streams), and the same generator as a gsl_rng_type
 * so GSL's samplers draw from our streams.
 *
 * Bit-identical to pcg32 of the reference C++ implementation
 * (pcg_random.hpp, Debian's libpcg-cpp-dev): same seeding, output and
 * advance (tests/test_rng.c checks it).
 */
#ifndef CLV_RNG_H
#define CLV_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

typedef struct rng_pcg32 {
	uint64_t state;
	uint64_t inc; /* always odd: (stream << 1) | 1 */
} rng_pcg32;

/* Next 32-bit output. */
static inline uint32_t rng_next(rng_pcg32 *r)
{
	uint64_t old = r->state;
	uint32_t xorshifted, rot;

	r->state = old * 6364136223846793005ULL + r->inc;
	xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
	rot = (uint32_t)(old >> 59u);
	return (xorshifted >> rot) | (xorshifted << ((-rot) & 31u));
}

/* Seed as pcg32(initstate, initseq) does: stream = initseq. */
static inline void rng_seed(rng_pcg32 *r, uint64_t initstate, uint64_t initseq)
{
	r->state = 0u;
	r->inc = (initseq << 1u) | 1u;
	(void)rng_next(r);
	r->state += initstate;
	(void)rng_next(r);
}

/* Jump ahead by delta steps in O(log delta) (Brown's algorithm). */
void rng_advance(rng_pcg32 *r, uint64_t delta);

/* Uniform integer in [0, bound), unbiased (rejection, as pcg32's
   operator()(bound)); bound > 0. */
uint32_t rng_bounded(rng_pcg32 *r, uint32_t bound);

/* Uniform double in [0, 1) with 53 random bits (two outputs). */
double rng_uniform(rng_pcg32 *r);

/* The stream for (seed, replication, customer): a distinct PCG stream per
   pair, independent of the thread that runs it. customer = UINT64_MAX
   names the replication's own stream (outer assumption draws). */
void rng_stream(rng_pcg32 *r, uint64_t seed, uint64_t replication, uint64_t customer);

/* The initstate of those streams, shared by every customer of one (seed,
   replication): rng_seed(r, it, customer) is rng_stream(r, seed,
   replication, customer), without the two splitmix64 calls per
   customer. */
uint64_t rng_stream_initstate(uint64_t seed, uint64_t replication);

/* The 64-bit key of a stable identity (an assumption's key path, e.g.
   "retention.Us" or "segments.key.margin.Us"). */
uint64_t rng_key(const char *identity);

/* The stream of one identity: (seed, key, replication, customer). It
   depends on nothing else, so the draws of an assumption do not move
   when other assumptions are added, removed or reordered. customer =
   UINT64_MAX for the replication-level draw of the assumption. */
void rng_keyed_stream(rng_pcg32 *r, uint64_t seed, uint64_t key, uint64_t replication,
                      uint64_t customer);

/* The initstate of those streams, shared by every customer of one
   (seed, key, replication): rng_seed(r, it, customer) is
   rng_keyed_stream(r, seed, key, replication, customer), without the
   three splitmix64 calls per customer. */
uint64_t rng_keyed_initstate(uint64_t seed, uint64_t key, uint64_t replication);

/* The GSL generator type "pcg32" over rng_pcg32 state. After
   gsl_rng_alloc(rng_gsl_pcg32), the state is reachable as
   (rng_pcg32 *)gsl_rng->state; gsl_rng_set(g, s) seeds with
   rng_seed(s, 0xda3e39cb94b95bdbULL) (the increment constant of pcg-c's
   PCG32_INITIALIZER, used here as the stream number). */
extern const gsl_rng_type *rng_gsl_pcg32;

/* Point a GSL generator of type rng_gsl_pcg32 at the given PCG state
   (copies it; inline: once per customer's draw). */
static inline void rng_gsl_set_state(gsl_rng *g, const rng_pcg32 *r)
{
	*(rng_pcg32 *)g->state = *r;
}

#endif
