/*
 * quad.h - one-dimensional quadrature rules for the distribution of one
 * uncertain assumption (stage: engine). A rule has nodes in the
 * assumption's own units, inside its support [lo, hi], and weights that
 * sum to 1, so that E f(X) ~ sum_i w_i f(x_i). expect.c builds its tensor
 * and sparse grids from these rules.
 *
 * Each kind gets the Gauss rule of its own density where GSL has one
 * (gsl_integration_fixed): Legendre for uniform, Jacobi for beta and PERT,
 * Hermite for normal and (in log X) lognormal, generalised Laguerre for
 * gamma, two Jacobi pieces for triangular. Truncation that removes more
 * than QUAD_NEGLIGIBLE of the mass changes the rule (see quad.c).
 */
#ifndef CLV_QUAD_H
#define CLV_QUAD_H

#include "clvsim.h"
#include "base/diag.h"

/* Levels 1..QUAD_LEVELS; level 1 is one node at the mean, level l > 1
   has nominal order quad_order(l) (nodes per piece for triangular):
   1 2 3 4 6 8 12 16 24 32 48 64 96 128 192 256 (growth about 1.5). */
#define QUAD_LEVELS 16

/* Mass outside [lo, hi] below which a distribution is treated as
   untruncated (its nodes are then clamped into [lo, hi]; the weight of the
   clamped nodes is below this mass). */
#define QUAD_NEGLIGIBLE 1e-20

typedef enum quad_family {
	QUAD_NONE = 0,      /* not integrable here (fixed, poisson) */
	QUAD_LEGENDRE,      /* uniform on [max(min, lo), min(max, hi)] */
	QUAD_TRIANGULAR,    /* Gauss-Jacobi (weight x - a, c - x) on the two
	                       linear pieces; Legendre times the density on
	                       truncated pieces */
	QUAD_JACOBI,        /* beta, PERT: Gauss-Jacobi with the beta weight */
	QUAD_HERMITE,       /* normal: Gauss-Hermite */
	QUAD_HERMITE_LOG,   /* lognormal: Gauss-Hermite in log X */
	QUAD_LAGUERRE,      /* gamma: generalised Gauss-Laguerre */
	QUAD_DENSITY,       /* truncated normal (in X) or lognormal (in log X):
	                       Gauss-Legendre times the normal density on the
	                       truncated range within 10 sd of the mean */
	QUAD_SCORE          /* anything else: Gauss-Hermite in the normal score
	                       z, X = dist_quantile(Phi(z)) */
} quad_family;

typedef struct quad_rule {
	size_t len;          /* nodes */
	double *x, *w;       /* len each (owned); w sums to 1 */
	quad_family family;  /* the family actually used */
} quad_rule;

/* Nominal order of level (1..QUAD_LEVELS); 0 outside. */
size_t quad_order(int level);

/* The family quad_rule_build tries first for p; QUAD_NONE when p is fixed
   or a Poisson count. */
quad_family quad_family_of(const clv_param *p);

/* Short name of a family ("gauss-jacobi", ...), for reports and tests. */
const char *quad_family_name(quad_family f);

/* Build the rule of `level` for the (uncertain, continuous) p into r,
   which must be zeroed or freed. When GSL cannot build the family's rule
   (e.g. the beta weight's normalising constant overflows for shapes
   summing above about 170), falls back to QUAD_SCORE. Errors:
   CLV_ERR_INPUT (p is fixed or Poisson, level out of range),
   CLV_ERR_NOMEM, CLV_ERR_NUMERIC (no rule with finite weights). */
clv_status quad_rule_build(const clv_param *p, int level, quad_rule *r, clv_error *err);

/* Free r's arrays and zero it; a zeroed r is a no-op. */
void quad_rule_free(quad_rule *r);

#endif
