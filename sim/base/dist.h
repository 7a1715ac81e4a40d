/*
 * dist.h - the distributions an assumption may follow: draws, quantiles
 * and means, on GSL's samplers and cumulative distribution functions.
 *
 * Parameterisation (clv_param.a, .b, .c; see clvsim.h and
 * docs/scenarios.md): uniform(min, max), triangular(min, mode, max),
 * pert(min, mode, max) = min + (max - min) * Beta(1 + 4 (mode - min) /
 * (max - min), 1 + 4 (max - mode) / (max - min)), beta(a, b), normal(mean,
 * sd), lognormal(mu, sigma) (of log X), gamma(shape, scale), poisson(mean).
 *
 * Truncation: every param carries the support [lo, hi] its quantity
 * demands (e.g. [0, 1] for a probability). Quantiles are taken inside it:
 * Q(u) = F^-1(F(lo) + u (F(hi) - F(lo))), so a truncated draw is exact,
 * never a clamp. dist_draw resamples (a bounded number of times, then falls
 * back to the quantile method).
 */
#ifndef CLV_DIST_H
#define CLV_DIST_H

#include <gsl/gsl_rng.h>

#include "clvsim.h"
#include "base/diag.h"

/* Beta shapes accepted (dist_validate; a Dirichlet row's marginals too:
   scenario validation bounds its alphas so). Beyond them GSL's beta
   inverse is slow, meaningless or never ends. */
#define DIST_BETA_SHAPE_MIN 1e-3
#define DIST_BETA_SHAPE_MAX 1e5

/* The u-quantile (0 < u < 1) of p, truncated to [p->lo, p->hi].
   DIST_FIXED returns p->a whatever u. Bounded work for any parameters
   (a capped bisection where GSL's inverse could fail or not end). */
double dist_quantile(const clv_param *p, double u);

/* One draw of p from g (GSL samplers; truncated to [lo, hi]). */
double dist_draw(const clv_param *p, gsl_rng *g);

/* One draw of p from the PCG stream r (a customer's own): dist_draw with
   g (of type rng_gsl_pcg32) set to r's state. */
struct rng_pcg32;
double dist_draw_pcg(const clv_param *p, struct rng_pcg32 *r, gsl_rng *g);

/* The draws of p for customers first .. first + count - 1, customer c's
   from its own stream rng_seed(initstate, c) (rng_keyed_initstate):
   out[c - first] = dist_draw_pcg of that stream. */
void dist_draw_customers(const clv_param *p, uint64_t initstate, uint64_t first, uint64_t count,
                         gsl_rng *g, double *out);

/* The mean of p (of its truncated distribution). */
double dist_mean(const clv_param *p);

/* True when p is not a fixed number. */
int dist_is_uncertain(const clv_param *p);

/* True when p is uncertain and drawn once per replication (the outer
   level): not per customer, and not a Poisson count (per customer-period). */
int dist_is_per_replication(const clv_param *p);

/* One Dirichlet(alpha[0..n-1]) draw into out[], from gamma quantiles of
   the n uniforms u[] (so Latin hypercube strata carry over). */
void dist_dirichlet_quantile(const double *alpha, size_t n, const double *u, double *out);

/* Parameters check: CLV_OK, or an error naming p->pos and what is wrong
   (e.g. "beta: a must be > 0", "pert: need min <= mode <= max",
   "distribution lies outside [0, 1] where a probability is needed"). */
clv_status dist_validate(const clv_param *p, clv_error *err);

/* Name of a kind as written in scenario files ("beta", "pert", ...). */
const char *dist_kind_name(clv_dist_kind kind);

#endif
