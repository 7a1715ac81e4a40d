/*
 * wide_clones.h - WIDE_CLONES (base stage, no project dependencies): a
 * function built twice, for the portable x86-64 baseline and for AVX2,
 * the processor choosing at run time (target_clones, GCC's and clang's). For dense
 * loops of additions, multiplications, divisions, compares and bit
 * operations: the AVX2 build runs wider vectors of the same operations
 * (no fused multiply-add: the avx2 target does not include FMA, and ISO
 * C mode does not contract), so both give the same bits. Empty elsewhere
 * and in sanitizer builds (which then test the baseline path).
 */
#ifndef CLV_WIDE_CLONES_H
#define CLV_WIDE_CLONES_H

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__SANITIZE_ADDRESS__)
#define WIDE_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define WIDE_CLONES
#endif

#endif
