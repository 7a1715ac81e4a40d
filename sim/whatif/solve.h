/*
 * solve.h - the what-if stage: solve for the value of a key at which the
 * expected CLV reaches a target (goal seek), or at which a changed
 * scenario breaks even against a base (`clvsim solve`, cli/cmd_solve.c).
 *
 * The root. F(x) is the exact expectation (whatif_exact_clv's figure, the
 * expectation over everything uncertain, engine/expect.h) of the total
 * CLV, or of one state's, of a copy of the scenario with KEY set to x
 * (scenario_set_number, the keys of `sweep --vary`); in the two-file form
 * minus the same expectation of BASE. The root of F(x) = target in
 * [LO, HI] is found by Brent's method (GSL gsl_root_fsolver_brent) once
 * F(LO) - target and F(HI) - target have opposite signs, until the
 * bracket is narrower than SOLVE_RTOL relative (plus 1e-9 of [LO, HI]
 * absolute, for a root at 0). When [LO, HI] does not bracket the target,
 * the error says so with F at both ends.
 *
 * When the expectation itself is an average over the replications' draws
 * (expect.h: correlations, or a grid not accurate enough), the root has a
 * standard error: sd_r(F_r(root) - target) / sqrt(R) / |F'(root)|, F'
 * from the curve's neighbouring grid values (the delta method).
 *
 * Under uncertainty (something drawn per replication): replication r is
 * one possible world (engine/expect_draws.h: its draws are the Monte
 * Carlo engine's, on common random numbers; its expected CLV given them
 * is exact). Its own root solves F_r(x) = target, F_r the replication's
 * figure (minus BASE's in the same replication): on a grid of
 * SOLVE_CURVE_POINTS values across [LO, HI] the first sign change is
 * located, then Brent refines it to the same tolerance. A replication
 * whose F_r - target keeps one sign on the grid has its root outside
 * [LO, HI]: below LO when F_r is above the target and rises with x (or
 * falls and is below it), above HI otherwise (F_r flat: as the
 * expectation's direction). Percentiles of the R roots are Hyndman and
 * Fan type 7 with those outside counted at -inf / +inf, so a percentile
 * that falls among them is "below LO" or "above HI" (JSON null). The
 * acceptability curve: at each grid value, P(pays) = the share of
 * replications with F_r(x) strictly above the target (for the two-file
 * form: CHANGED beats BASE by more than D there).
 */
#ifndef CLV_WHATIF_SOLVE_H
#define CLV_WHATIF_SOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/expect.h"
#include "whatif/whatif.h"

/* Relative tolerance of every root (the expectation's and each
   replication's). */
#define SOLVE_RTOL 1e-6
/* Grid values across [LO, HI] of the acceptability curve. */
#define SOLVE_CURVE_POINTS 41
/* Brent iterations at most per root. */
#define SOLVE_MAX_ITER 200
/* Percentiles of the roots reported: 5, 10, 25, 50, 75, 90, 95. */
#define SOLVE_N_PCT 7

/* --find KEY=LO:HI. */
typedef struct whatif_find {
	char *key;               /* owned */
	double lo, hi;
} whatif_find;

/* Parse "KEY=LO:HI" (LO < HI, both finite). CLV_ERR_USAGE otherwise;
   f->key owned (whatif_find_clear). */
clv_status whatif_find_parse(const char *text, whatif_find *f, clv_error *err);
void whatif_find_clear(whatif_find *f);

/* The levels of the percentiles, in percent: 5 10 25 50 75 90 95. */
extern const int whatif_solve_pct[SOLVE_N_PCT];

typedef struct whatif_solve {
	char *key;               /* owned */
	double lo, hi, target;
	char *state;             /* the state solved for, NULL = total (owned) */
	bool versus;             /* two-file form: CHANGED minus BASE */
	char *rule;              /* how the key applies, or NULL (owned) */
	expect_method method;    /* how the expectation was found */
	uint64_t seed, replications;
	/* the root of the expectation */
	double value;            /* KEY where F = target */
	double value_se;         /* its standard error when the expectation is
	                            an average over draws (delta method: the
	                            se of the averaged F at the root over
	                            |F'| there); NaN when it is exact */
	double f_lo, f_hi;       /* F at LO and HI */
	int iterations;          /* Brent's */
	/* under uncertainty */
	bool uncertain;          /* something drawn per replication */
	double *root;            /* replications: each one's root; -INFINITY
	                            below LO, +INFINITY above HI (owned) */
	size_t below, above;     /* roots outside [LO, HI] */
	double pct[SOLVE_N_PCT]; /* percentiles of the roots (+-inf: outside) */
	double lo90, hi90;       /* the 90% interval: pct 5 and 95 */
	/* the curve */
	size_t n_curve;
	double *x;               /* n_curve grid values (owned) */
	double *exact;           /* F at x (owned) */
	double *mean, *p05, *p95; /* across replications of F_r (owned) */
	double *p_pays;          /* share of replications with F_r > target (owned) */
} whatif_solve;

/* Solve on s (FILE, or CHANGED when base is not NULL) for find's key so
   that the expected CLV (of `state`, NULL = total) of s, minus base's
   when base is given, equals target. Seed and replications: set's, else
   s's. Each evaluation edits its own copy. NULL with err set:
   CLV_ERR_USAGE (a key that cannot be set or is a count: horizon,
   customers, replications; a state that s or base lacks; [LO, HI] that
   does not bracket the target, with F at both ends), the engines'
   errors, CLV_ERR_INTERRUPTED. */
whatif_solve *whatif_solve_run(const clv_scenario *base, const clv_scenario *s,
                               const whatif_find *find, double target, const char *state,
                               const whatif_settings *set, clv_error *err);
void whatif_solve_free(whatif_solve *v);

/* The type 7 quantile at p of the n sorted values (which may start with
   -inf and end with +inf): -inf or +inf when it falls on or next to them. */
double whatif_quantile_censored(const double *sorted, size_t n, double p);

#endif
