/*
 * pcg_ref.cpp - the reference pcg32 of pcg_random.hpp (libpcg-cpp-dev)
 * behind plain C functions, the oracle tests/test_rng.c compares
 * sim/rng.c against bit for bit.
 *
 * Invariant: no global objects, so no global constructors in this object
 * (the Makefile links it into every suite). pcg_random.hpp includes
 * <iostream> only for its stream operators; <iostream> would add a static
 * std::ios_base::Init object to this file, so its include guard is defined
 * beforehand and <istream>/<ostream> (no static objects) are included
 * instead.
 */
#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>

#ifndef _GLIBCXX_IOSTREAM
#define _GLIBCXX_IOSTREAM 1
#endif
#include <pcg_random.hpp>

extern "C" {

/* n outputs of pcg32(initstate, initseq) after advance(delta). */
void pcgref_outputs(uint64_t initstate, uint64_t initseq, uint64_t delta,
                    uint32_t *out, size_t n)
{
	pcg32 rng(initstate, initseq);

	rng.advance(delta);
	for (size_t i = 0; i < n; i++)
		out[i] = rng();
}

/* n bounded draws rng(bound) of pcg32(initstate, initseq). */
void pcgref_bounded(uint64_t initstate, uint64_t initseq, uint32_t bound,
                    uint32_t *out, size_t n)
{
	pcg32 rng(initstate, initseq);

	for (size_t i = 0; i < n; i++)
		out[i] = rng(bound);
}

}
