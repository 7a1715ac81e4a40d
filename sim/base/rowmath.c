/*
 * rowmath.c - base stage: stochastic-row arithmetic (contract in
 * rowmath.h). Pinning one entry rescales the rest proportionally, the rule
 * docs/scenarios.md gives for the retention shorthand and for offers'
 * uplifts: P[i][k] *= (1 - v) / (1 - P[i][j]) for k != j, with the sum of
 * the other entries standing for 1 - P[i][j].
 */
#include "base/rowmath.h"

#include <math.h>

#define ROW_TOLERANCE 1e-9

int rowmath_pin(double *row, size_t n, size_t j, double v)
{
	double rest = 0.0;
	size_t k;

	for (k = 0; k < n; k++)
		if (k != j)
			rest += row[k];
	if (rest <= 0.0) {
		if (fabs(v - 1.0) > ROW_TOLERANCE)
			return -1;
		row[j] = 1.0;
		return 0;
	}
	for (k = 0; k < n; k++)
		if (k != j)
			row[k] *= (1.0 - v) / rest;
	row[j] = v;
	return 0;
}
