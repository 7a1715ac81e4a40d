/*
 * evpi.h - the what-if stage: decisions under uncertainty from a table of
 * possible worlds (`clvsim compare`, whatif_compare's decision).
 *
 * The table: R replications (worlds: one draw of every assumption drawn
 * per replication, the same draws for every scenario on common random
 * numbers) by K scenarios (the alternative decisions), v[r][k] = the
 * expected total CLV per customer of scenario k in world r (exact given
 * the draws, engine/expect_draws.h), and the J drawn inputs x[r][j].
 *
 *   p_best[k] = the share of worlds in which k has the highest value (a
 *               tie shares its world equally among the tied scenarios);
 *   EVPI      = mean_r max_k v[r][k] - max_k mean_r v[r][k]: what knowing
 *               the world before choosing is worth per customer;
 *   EVPPI_j   = mean_r max_k g_k(x[r][j]) - max_k mean_r g_k(x[r][j]),
 *               g_k(x) = E[v_k | x_j = x]: what knowing input j alone is
 *               worth.
 * Standard errors (docs/statistics.md): p_best's binomial
 * sqrt(p (1 - p) / R); EVPI's sd_r(max_k v[r][k] - v[r][best]) / sqrt(R).
 *
 * EVPPI estimator: the regression method of Strong, Oakley and Brennan
 * (Medical Decision Making 34(3), 2014, 311-326): each scenario's gain
 * over the first, v_k - v_1, is regressed on x_j, and g_k is the fitted
 * value. The smoother is a least-squares cubic regression spline (GSL
 * B-splines, breakpoints at quantiles of x_j) whose number of basis
 * functions, 4 (a cubic) to EVPPI_MAX_BASIS, is chosen by generalised
 * cross-validation, GCV(p) = R RSS(p) / (R - p)^2 summed over the gains;
 * an input with at most EVPPI_MAX_BASIS distinct values is regressed on
 * its values (group means, a binning estimator). The intercept is in the
 * spline space, so mean_r g_k = mean_r v_k and the second term is EVPI's.
 * Bias: the fitted values carry the fit's own noise (about
 * sd(residual) sqrt(p / R)), and max() turns noise into a positive
 * amount, so EVPPI is biased upward where scenarios are close in a
 * world, by at most about that noise; an input that does not affect the
 * decision gets a small positive value rather than 0. An under-fitted
 * curve biases it downward. It needs replications: not computed below
 * EVPPI_MIN_REPLICATIONS; Strong et al. advise a thousand or more
 * (EVPPI_ADVISED_REPLICATIONS), below which reports mark it as rough.
 */
#ifndef CLV_WHATIF_EVPI_H
#define CLV_WHATIF_EVPI_H

#include <stdbool.h>
#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

#define EVPPI_MIN_REPLICATIONS 50
#define EVPPI_ADVISED_REPLICATIONS 1000
#define EVPPI_MAX_BASIS 12

/* One line naming the estimator, for reports. */
extern const char *const whatif_evppi_method;

typedef struct whatif_decision {
	size_t n_arms;
	size_t reps;
	double *mean;            /* n_arms: mean over the worlds (owned) */
	double *p_best;          /* n_arms (owned) */
	size_t best;             /* highest mean (the first of equal ones) */
	double evpi;             /* per customer */
	double evpi_se;          /* its standard error: sd over the worlds of
	                            max_k v[r][k] - v[r][best], / sqrt(R) (the
	                            best scenario taken as known); NaN for R < 2 */
	double *p_best_se;       /* n_arms: sqrt(p (1 - p) / R) (owned) */
	size_t n_inputs;
	char **input;            /* n_inputs key paths (owned) */
	double *evppi;           /* n_inputs; NaN when not computed (owned) */
	size_t *basis;           /* n_inputs: basis functions (or distinct
	                            values) of each input's fit (owned) */
	bool *spline;            /* n_inputs: a spline (else group means) (owned) */
	bool evppi_done;         /* reps >= EVPPI_MIN_REPLICATIONS */
} whatif_decision;

/* The decision from the table: v (reps x n_arms, world r at
   v + r * n_arms), x (reps x n_inputs, may be NULL when n_inputs is 0)
   with names (copied). Fills d (whatif_decision_clear it, also after a
   failure). CLV_ERR_USAGE for fewer than two arms or no replication,
   CLV_ERR_NOMEM, CLV_ERR_NUMERIC (a fit failed). */
clv_status whatif_decision_compute(const double *v, size_t reps, size_t n_arms,
                                   const double *x, size_t n_inputs, char *const *names,
                                   whatif_decision *d, clv_error *err);
void whatif_decision_clear(whatif_decision *d);

/* The EVPPI of one input: x[r * x_stride] for world r; basis (may be NULL)
   gets the basis functions chosen (or the distinct values), spline (may
   be NULL) whether a spline was fitted. Errors as above. */
clv_status whatif_evppi(const double *v, size_t reps, size_t n_arms, const double *x,
                        size_t x_stride, double *evppi, size_t *basis, bool *spline,
                        clv_error *err);

#endif
