/*
 * sample.h - the outer-level design: which uniforms each replication's
 * assumption draws use. Plain Monte Carlo, or Latin hypercube sampling
 * (McKay, Beckman & Conover 1979), optionally with rank correlations
 * imposed by the Iman-Conover (1982) method.
 *
 * A design is a matrix of uniforms u[r * k + j] in (0, 1) for replication
 * r and assumption j. It depends only on (seed, replications, the
 * columns' keys, method, correlations), never on threads or the order
 * of the columns.
 */
#ifndef CLV_SAMPLE_H
#define CLV_SAMPLE_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"

typedef enum sample_method { SAMPLE_MC = 0, SAMPLE_LHS } sample_method;

typedef struct sample_corr {
	size_t i, j;  /* assumption columns */
	double rho;   /* target Spearman rank correlation, -1 < rho < 1 */
} sample_corr;

/* Fill u (reps * k) from the streams of `seed`: column j from the stream
   of keys[j] (rng_key of its assumption's key path), so a column does not
   depend on which other columns exist or where they stand. With
   n_corr > 0, reorders each column by Iman-Conover so the rank correlation
   matrix approaches the targets (unlisted pairs target 0). Fails with
   CLV_ERR_INPUT when the target matrix is not positive definite. */
clv_status sample_design(double *u, uint64_t reps, size_t k, const uint64_t *keys,
                         sample_method method,
                         uint64_t seed, const sample_corr *corr, size_t n_corr,
                         clv_error *err);

/* Spearman rank correlation of columns i and j of u (reps rows, k cols). */
double sample_rank_correlation(const double *u, uint64_t reps, size_t k, size_t i, size_t j);

#endif
