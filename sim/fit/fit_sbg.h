/*
 * fit_sbg.h - a contractual cohort's survival fitted by the
 * shifted-beta-geometric model (Fader and Hardie, "How to project customer
 * retention", Journal of Interactive Marketing 21(1), 2007). Stage: fit.
 *
 * Model: each customer churns at the end of each period with its own
 * probability theta ~ Beta(a, b), fixed for life; so its retention r =
 * 1 - theta ~ Beta(b, a). With n_t customers alive at the start of
 * period t (n_0 the cohort's size):
 *   P(T = t) = B(a + 1, b + t - 1) / B(a, b)     (lost in period t >= 1)
 *   S(t)     = B(a, b + t) / B(a, b)             (alive at period t)
 *   LL(a, b) = sum_{t=1..T} (n_{t-1} - n_t) ln P(T = t) + n_T ln S(T)
 *   retention r_t = S(t) / S(t - 1) = (b + t - 1) / (a + b + t - 1).
 * Fit: maximum likelihood with GSL's BFGS minimiser (gsl_multimin, on
 * ln a and ln b, with the analytic gradient), polished by Newton steps
 * on (a, b) until a step moves neither by more than 1e-9 (relative); the
 * standard errors come from the observed information, the inverse of
 * minus the analytic Hessian of LL at the optimum (digamma, trigamma).
 *
 * The cohort file (CSV, RFC 4180): columns `period` and `alive`, one
 * record per period 0, 1, ..., T (any order, no gaps, no repeats), alive
 * a whole number that never rises, alive at period 0 > 0, T >= 2, and
 * someone lost. Errors name FILE:LINE:COLUMN (CLV_ERR_INPUT).
 */
#ifndef CLV_FIT_SBG_H
#define CLV_FIT_SBG_H

#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

/* Most periods a cohort file may hold. */
#define FIT_MAX_COHORT_PERIODS 10000

typedef struct fit_cohort {
	char *path;          /* (owned) */
	char sha256[65];
	size_t n;            /* periods 0..n-1 */
	double *alive;       /* n (owned) */
	long *line;          /* n: the line of each period's record (owned) */
} fit_cohort;

/* Read and check path (the rules above). NULL with err set: CLV_ERR_INPUT
   naming FILE:LINE:COLUMN, CLV_ERR_IO (unreadable), CLV_ERR_LIMIT (over
   FIT_MAX_FILE_BYTES), CLV_ERR_NOMEM. */
fit_cohort *fit_cohort_read(const char *path, clv_error *err);
void fit_cohort_free(fit_cohort *c);

typedef struct fit_sbg {
	double a, b;         /* churn probability ~ Beta(a, b) */
	double se_a, se_b, cov_ab;
	double loglik;
	int iterations;      /* minimiser and Newton steps */
	size_t periods;      /* observed periods 0..periods-1 */
	size_t projected;    /* projection covers periods 0..projected-1 */
	double *survival;    /* projected: fitted S(t) (owned) */
	double *retention;   /* projected: fitted r_t, NaN at t = 0 (owned) */
} fit_sbg;

/* Fit c. CLV_ERR_NUMERIC when the optimum lies on the boundary (no
   interior maximum) or the information matrix is singular; CLV_ERR_NOMEM. */
fit_sbg *fit_sbg_run(const fit_cohort *c, clv_error *err);
void fit_sbg_free(fit_sbg *s);

/* LL(a, b) of survivors alive[0..n-1] (as above). */
double fit_sbg_loglik(const double *alive, size_t n, double a, double b);

/* S(t) = B(a, b + t) / B(a, b). */
double fit_sbg_survival(double a, double b, double t);

#endif
