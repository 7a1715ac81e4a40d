/*
 * rowmath.h - base stage: arithmetic on one row of a stochastic matrix
 * (entries >= 0 summing to 1), shared by the scenario rules (validation,
 * edits) and the model builder, so both move probability the same way.
 * Plain doubles only; includes nothing of the stages above.
 */
#ifndef CLV_ROWMATH_H
#define CLV_ROWMATH_H

#include <stddef.h>

/* Set row[j] = v and rescale the other n - 1 entries proportionally, by
   (1 - v) / (their sum), so the row sums to 1. When the others are all 0,
   v must be 1 within 1e-9 (row[j] becomes exactly 1); otherwise returns -1
   and leaves row unchanged. Returns 0 on success. */
int rowmath_pin(double *row, size_t n, size_t j, double v);

#endif
