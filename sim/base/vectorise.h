/*
 * vectorise.h - function attributes for dense loops (base stage, no
 * project dependencies); neither changes a value.
 *
 * WIDE_CLONES: the function is built twice, for the portable x86-64
 * baseline and for AVX2, the processor choosing at run time
 * (target_clones). For loops of additions, multiplications, divisions,
 * compares and bit operations: the AVX2 build runs wider vectors of the
 * same operations (no fused multiply-add: the avx2 target does not
 * include FMA, and ISO C mode does not contract), so both give the same
 * bits. Empty elsewhere and in sanitizer builds (which then test the
 * baseline path).
 *
 * WIDEST_CLONES: as WIDE_CLONES, with a third build for AVX-512
 * (x86-64-v4) chosen first where the processor has it; gcc only. For
 * loops of integer operations (the same bits on every path). Measured
 * slower for the floating-point loops above: code that reads their
 * results soon after loses the store-to-load forwarding of the wide
 * stores.
 *
 * NO_TRAPPING_MATH: gcc treats the selects of a loop as branches while
 * its comparisons may raise floating-point flags (nothing here reads
 * them); allowed to ignore them, it turns the selects into vector blends
 * and min/max instructions. The values are the same either way.
 */
#ifndef CLV_VECTORISE_H
#define CLV_VECTORISE_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define WIDE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WIDE_CLONES
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	!defined(__SANITIZE_ADDRESS__)
#define WIDEST_CLONES __attribute__((target_clones("arch=x86-64-v4", "avx2", "default")))
#else
#define WIDEST_CLONES WIDE_CLONES
#endif

#if defined(__GNUC__) && !defined(__clang__)
#define NO_TRAPPING_MATH __attribute__((optimize("no-trapping-math")))
#else
#define NO_TRAPPING_MATH
#endif

#endif
