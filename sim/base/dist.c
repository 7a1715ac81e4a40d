/*
 * dist.c - distributions of uncertain assumptions: truncated draws,
 * quantiles and means on GSL's samplers and CDFs (contract in dist.h).
 *
 * Invariants: every value returned for a param lies in [lo, hi] (and in
 * the kind's support); nothing here keeps state, so all functions are
 * safe to call from parallel code with a generator per thread.
 *
 * Method.
 *   - Quantiles of a continuous kind, truncated to [lo, hi]: with
 *     P = F and Q = 1 - F from GSL (gsl_cdf_*_P / _Q; triangular in closed
 *     form; PERT as a scaled beta), the answer's upper-tail probability
 *     is q = Q(lo) - u (Q(lo) - Q(hi)); it is inverted by Qinv(q) when
 *     q < 1/2 and by Pinv(P(lo) + u (P(hi) - P(lo))) otherwise, so a
 *     truncation far in either tail keeps its precision.
 *   - Poisson quantile: the smallest integer k in [ceil(lo), floor(hi)]
 *     with P(X <= k) >= P(X < lo) + u P(lo <= X <= hi), by bisection on
 *     gsl_cdf_poisson_P.
 *   - Draws: gsl_ran_* (flat, beta, gaussian, lognormal, gamma, poisson;
 *     PERT as a scaled gsl_ran_beta), resampled while outside [lo, hi] up
 *     to MAX_TRIES times, then by the quantile of a uniform; triangular by
 *     the quantile of a uniform (inverse CDF). Either way the draw follows
 *     the truncated distribution exactly.
 *   - Means: the untruncated closed form when [lo, hi] holds the whole
 *     support; the truncated normal in closed form, mu + sd (phi(alpha) -
 *     phi(beta)) / Z (Johnson, Kotz & Balakrishnan, Continuous Univariate
 *     Distributions 1, 2nd ed., section 10.1); the truncated Poisson by
 *     summing k P(X = k); otherwise the integral of the truncated quantile
 *     function over (0, 1) (E X = int_0^1 Q(u) du) by
 *     gsl_integration_qags, which tolerates the integrable end-point
 *     singularities of unbounded tails.
 *   - Dirichlet: x_k = Gamma(alpha_k, 1) quantile of u_k, normalised. When
 *     a quantile underflows (tiny alpha_k and u_k), its logarithm is taken
 *     from the small-x expansion F(x) ~ x^alpha / Gamma(alpha + 1), and the
 *     normalisation is done in logs.
 */
#include "base/dist.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "base/diag.h"
#include "base/rng.h"

#define MAX_TRIES 16             /* rejections before the quantile method */
#define POISSON_MAX_MEAN 1.0e9   /* keeps counts within unsigned int */
#define INTEGRATION_LIMIT 256
#define INTEGRATION_EPSREL 1e-10
#define BISECT_STEPS 200         /* halvings of a quantile's bracket */

const char *dist_kind_name(clv_dist_kind kind)
{
	static const char *const names[] = {
		"fixed", "uniform", "triangular", "pert", "beta",
		"normal", "lognormal", "gamma", "poisson"
	};

	if ((unsigned)kind < sizeof names / sizeof names[0])
		return names[kind];
	return "unknown";
}

int dist_is_uncertain(const clv_param *p)
{
	return p->kind != DIST_FIXED;
}

int dist_is_per_replication(const clv_param *p)
{
	return dist_is_uncertain(p) && p->per == PER_REPLICATION && p->kind != DIST_POISSON;
}


#define BETA_SHAPE_MIN DIST_BETA_SHAPE_MIN
#define BETA_SHAPE_MAX DIST_BETA_SHAPE_MAX
/* ---- support and the beta-PERT shape ---------------------------------- */

/* The kind's own support [*smin, *smax] (before truncation). */
static void support(const clv_param *p, double *smin, double *smax)
{
	*smin = -INFINITY;
	*smax = INFINITY;
	switch (p->kind) {
	case DIST_FIXED:
		*smin = *smax = p->a;
		break;
	case DIST_UNIFORM:
		*smin = p->a;
		*smax = p->b;
		break;
	case DIST_TRIANGULAR:
	case DIST_PERT:
		*smin = p->a;
		*smax = p->c;
		break;
	case DIST_BETA:
		*smin = 0.0;
		*smax = 1.0;
		break;
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
	case DIST_POISSON:
		*smin = 0.0;
		break;
	default:
		break;
	}
}

/* Beta shapes of pert(min, mode, max), lambda = 4. */
static void pert_shape(const clv_param *p, double *alpha, double *beta)
{
	double range = p->c - p->a;

	*alpha = 1.0 + 4.0 * (p->b - p->a) / range;
	*beta = 1.0 + 4.0 * (p->c - p->b) / range;
}

/* ---- triangular in closed form ---------------------------------------- */

static double tri_P(const clv_param *p, double x)
{
	double a = p->a, m = p->b, c = p->c;

	if (x <= m)
		return (x - a) * (x - a) / ((c - a) * (m - a));
	return 1.0 - (c - x) * (c - x) / ((c - a) * (c - m));
}

static double tri_Q(const clv_param *p, double x)
{
	double a = p->a, m = p->b, c = p->c;

	if (x <= m)
		return 1.0 - (x - a) * (x - a) / ((c - a) * (m - a));
	return (c - x) * (c - x) / ((c - a) * (c - m));
}

static double tri_Pinv(const clv_param *p, double P)
{
	double a = p->a, m = p->b, c = p->c;

	if (P <= (m - a) / (c - a))
		return a + sqrt(P * (c - a) * (m - a));
	return c - sqrt((1.0 - P) * (c - a) * (c - m));
}

static double tri_Qinv(const clv_param *p, double Q)
{
	double a = p->a, m = p->b, c = p->c;

	if (Q <= (c - m) / (c - a))
		return c - sqrt(Q * (c - a) * (c - m));
	return a + sqrt((1.0 - Q) * (c - a) * (m - a));
}

/* ---- CDFs and inverses of the continuous kinds, inside the support ---- */

static double raw_P(const clv_param *p, double x)
{
	double al, be;

	switch (p->kind) {
	case DIST_UNIFORM:    return gsl_cdf_flat_P(x, p->a, p->b);
	case DIST_TRIANGULAR: return tri_P(p, x);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return gsl_cdf_beta_P((x - p->a) / (p->c - p->a), al, be);
	case DIST_BETA:       return gsl_cdf_beta_P(x, p->a, p->b);
	case DIST_NORMAL:     return gsl_cdf_gaussian_P(x - p->a, p->b);
	case DIST_LOGNORMAL:  return gsl_cdf_lognormal_P(x, p->a, p->b);
	case DIST_GAMMA:      return gsl_cdf_gamma_P(x, p->a, p->b);
	default:              return NAN;
	}
}

static double raw_Q(const clv_param *p, double x)
{
	double al, be;

	switch (p->kind) {
	case DIST_UNIFORM:    return gsl_cdf_flat_Q(x, p->a, p->b);
	case DIST_TRIANGULAR: return tri_Q(p, x);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return gsl_cdf_beta_Q((x - p->a) / (p->c - p->a), al, be);
	case DIST_BETA:       return gsl_cdf_beta_Q(x, p->a, p->b);
	case DIST_NORMAL:     return gsl_cdf_gaussian_Q(x - p->a, p->b);
	case DIST_LOGNORMAL:  return gsl_cdf_lognormal_Q(x, p->a, p->b);
	case DIST_GAMMA:      return gsl_cdf_gamma_Q(x, p->a, p->b);
	default:              return NAN;
	}
}

/* Shapes GSL's beta inverse is known to finish on: beyond about 2e5 it
   can loop for ever (gsl_cdf_beta_Pinv(0.1, 1e6, 1e6 + 1) never
   returns), so outside the range the quantile bisects instead. */
static bool beta_inverse_safe(double a, double b)
{
	return a >= BETA_SHAPE_MIN && a <= BETA_SHAPE_MAX && b >= BETA_SHAPE_MIN &&
	       b <= BETA_SHAPE_MAX;
}

static double raw_Pinv(const clv_param *p, double P)
{
	double al, be;

	if (p->kind == DIST_BETA && !beta_inverse_safe(p->a, p->b))
		return NAN; /* bisection (cut_quantile) */
	switch (p->kind) {
	case DIST_UNIFORM:    return gsl_cdf_flat_Pinv(P, p->a, p->b);
	case DIST_TRIANGULAR: return tri_Pinv(p, P);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return p->a + (p->c - p->a) * gsl_cdf_beta_Pinv(P, al, be);
	case DIST_BETA:       return gsl_cdf_beta_Pinv(P, p->a, p->b);
	case DIST_NORMAL:     return p->a + gsl_cdf_gaussian_Pinv(P, p->b);
	case DIST_LOGNORMAL:  return gsl_cdf_lognormal_Pinv(P, p->a, p->b);
	case DIST_GAMMA:      return gsl_cdf_gamma_Pinv(P, p->a, p->b);
	default:              return NAN;
	}
}

static double raw_Qinv(const clv_param *p, double Q)
{
	double al, be;

	if (p->kind == DIST_BETA && !beta_inverse_safe(p->a, p->b))
		return NAN;
	switch (p->kind) {
	case DIST_UNIFORM:    return gsl_cdf_flat_Qinv(Q, p->a, p->b);
	case DIST_TRIANGULAR: return tri_Qinv(p, Q);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return p->a + (p->c - p->a) * gsl_cdf_beta_Qinv(Q, al, be);
	case DIST_BETA:       return gsl_cdf_beta_Qinv(Q, p->a, p->b);
	case DIST_NORMAL:     return p->a + gsl_cdf_gaussian_Qinv(Q, p->b);
	case DIST_LOGNORMAL:  return gsl_cdf_lognormal_Qinv(Q, p->a, p->b);
	case DIST_GAMMA:      return gsl_cdf_gamma_Qinv(Q, p->a, p->b);
	default:              return NAN;
	}
}

/* P(X <= x), exact 0 and 1 outside the support (and at infinities). */
static double cdf_P(const clv_param *p, double x)
{
	double smin, smax;

	support(p, &smin, &smax);
	if (x <= smin)
		return 0.0;
	if (x >= smax)
		return 1.0;
	return raw_P(p, x);
}

/* P(X > x). */
static double cdf_Q(const clv_param *p, double x)
{
	double smin, smax;

	support(p, &smin, &smax);
	if (x <= smin)
		return 1.0;
	if (x >= smax)
		return 0.0;
	return raw_Q(p, x);
}

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

/* ---- truncation -------------------------------------------------------- */

/* A continuous param with its CDF at the truncation points. */
typedef struct cut {
	const clv_param *p;
	double plo, phi; /* P(lo), P(hi) */
	double qlo, qhi; /* Q(lo), Q(hi) */
	double lo, hi;   /* [lo, hi] intersected with the support */
} cut;

static void cut_init(cut *t, const clv_param *p)
{
	double smin, smax;

	support(p, &smin, &smax);
	t->p = p;
	t->lo = p->lo > smin ? p->lo : smin;
	t->hi = p->hi < smax ? p->hi : smax;
	t->plo = cdf_P(p, p->lo);
	t->phi = cdf_P(p, p->hi);
	t->qlo = cdf_Q(p, p->lo);
	t->qhi = cdf_Q(p, p->hi);
}

/* Probability of [lo, hi], from the more precise tail. */
static double cut_mass(const cut *t)
{
	return t->plo > 0.5 ? t->qlo - t->qhi : t->phi - t->plo;
}

/* GSL's inverse CDFs can fail to converge in the tails of skewed
   distributions (gsl_cdf_beta_Pinv returns NaN for beta(1000, 50) at about
   0.6% of u) and are not used where they may not end (beta shapes beyond
   BETA_SHAPE_MAX): then bisect the CDF for P(x) = target inside [lo, hi],
   widening an infinite end until it brackets the target. Bounded work:
   at most about 500 widening steps and BISECT_STEPS halvings, each one
   CDF evaluation (GSL's CDFs cap their own series and fractions); a CDF
   that returns NaN ends the bisection. */
static double bisect_quantile(const cut *t, double target)
{
	double a = t->lo, b = t->hi, step = 1.0;
	int k;

	while (!isfinite(a) && step < 1e300) {
		a = (isfinite(b) ? b : 0.0) - step;
		if (cdf_P(t->p, a) <= target)
			break;
		a = -HUGE_VAL;
		step *= 4.0;
	}
	for (step = 1.0; !isfinite(b) && step < 1e300; step *= 4.0) {
		b = (isfinite(a) ? a : 0.0) + step;
		if (cdf_P(t->p, b) < target)
			b = HUGE_VAL;
	}
	for (k = 0; k < BISECT_STEPS && isfinite(a) && isfinite(b) &&
	            b - a > 1e-15 * (fabs(a) + fabs(b)); k++) {
		double mid = 0.5 * (a + b), F = cdf_P(t->p, mid);
		if (isnan(F))
			break;
		if (F < target)
			a = mid;
		else
			b = mid;
	}
	return 0.5 * (a + b);
}

static double cut_quantile(const cut *t, double u)
{
	double q = t->qlo - u * (t->qlo - t->qhi), x;

	if (q < 0.5)
		x = raw_Qinv(t->p, q);
	else
		x = raw_Pinv(t->p, t->plo + u * (t->phi - t->plo));
	if (isnan(x))
		x = bisect_quantile(t, t->plo + u * (t->phi - t->plo));
	return clamp(x, t->lo, t->hi);
}

/* ---- Poisson ------------------------------------------------------------ */

/* P(X <= k) for a real k (floor taken); 0 below 0. */
static double poisson_P(double k, double mu)
{
	if (k < 0.0)
		return 0.0;
	if (k >= (double)UINT_MAX)
		return 1.0;
	return gsl_cdf_poisson_P((unsigned)k, mu);
}

/* Integer range [*kmin, *kmax] of the truncation; kmax finite. */
static void poisson_range(const clv_param *p, double *kmin, double *kmax)
{
	double tail = p->a + 40.0 * sqrt(p->a) + 40.0;

	*kmin = p->lo > 0.0 ? ceil(p->lo) : 0.0;
	*kmax = floor(p->hi < tail ? p->hi : tail);
}

static double poisson_mass(const clv_param *p)
{
	double kmin, kmax;

	poisson_range(p, &kmin, &kmax);
	if (kmax < kmin)
		return 0.0;
	return poisson_P(p->hi, p->a) - poisson_P(kmin - 1.0, p->a);
}

static double poisson_quantile(const clv_param *p, double u)
{
	double kmin, kmax, base, target;

	poisson_range(p, &kmin, &kmax);
	base = poisson_P(kmin - 1.0, p->a);
	target = base + u * (poisson_P(p->hi, p->a) - base);
	while (kmin < kmax) {
		double mid = floor(kmin + (kmax - kmin) / 2.0);
		if (poisson_P(mid, p->a) >= target)
			kmax = mid;
		else
			kmin = mid + 1.0;
	}
	return kmin;
}

static double poisson_mean(const clv_param *p)
{
	double kmin, kmax, k, sum = 0.0, mass = 0.0;

	poisson_range(p, &kmin, &kmax);
	for (k = kmin; k <= kmax; k += 1.0) {
		double pk = gsl_ran_poisson_pdf((unsigned)k, p->a);
		sum += k * pk;
		mass += pk;
	}
	return sum / mass;
}

/* ---- quantiles and draws ------------------------------------------------ */

double dist_quantile(const clv_param *p, double u)
{
	cut t;

	if (p->kind == DIST_FIXED)
		return p->a;
	if (p->kind == DIST_POISSON)
		return poisson_quantile(p, u);
	cut_init(&t, p);
	return cut_quantile(&t, u);
}

/* One untruncated draw. */
static double raw_draw(const clv_param *p, gsl_rng *g)
{
	double al, be;

	switch (p->kind) {
	case DIST_UNIFORM:   return gsl_ran_flat(g, p->a, p->b);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return p->a + (p->c - p->a) * gsl_ran_beta(g, al, be);
	case DIST_BETA:      return gsl_ran_beta(g, p->a, p->b);
	case DIST_NORMAL:    return p->a + gsl_ran_gaussian(g, p->b);
	case DIST_LOGNORMAL: return gsl_ran_lognormal(g, p->a, p->b);
	case DIST_GAMMA:     return gsl_ran_gamma(g, p->a, p->b);
	case DIST_POISSON:   return (double)gsl_ran_poisson(g, p->a);
	default:             return dist_quantile(p, gsl_rng_uniform_pos(g));
	}
}

double dist_draw(const clv_param *p, gsl_rng *g)
{
	int tries;

	if (p->kind == DIST_FIXED)
		return p->a;
	if (p->kind == DIST_TRIANGULAR)
		return dist_quantile(p, gsl_rng_uniform_pos(g));
	for (tries = 0; tries < MAX_TRIES; tries++) {
		double x = raw_draw(p, g);
		if (x >= p->lo && x <= p->hi)
			return x;
	}
	return dist_quantile(p, gsl_rng_uniform_pos(g));
}

double dist_draw_pcg(const clv_param *p, rng_pcg32 *r, gsl_rng *g)
{
	rng_gsl_set_state(g, r);
	return dist_draw(p, g);
}

void dist_draw_customers(const clv_param *p, uint64_t initstate, uint64_t first, uint64_t count,
                         gsl_rng *g, double *out)
{
	uint64_t c;

	for (c = 0; c < count; c++) {
		rng_pcg32 r;
		rng_seed(&r, initstate, first + c);
		out[c] = dist_draw_pcg(p, &r, g);
	}
}

/* ---- means --------------------------------------------------------------- */

/* Mean of the untruncated kind (closed forms). */
static double raw_mean(const clv_param *p)
{
	double al, be;

	switch (p->kind) {
	case DIST_UNIFORM:    return 0.5 * (p->a + p->b);
	case DIST_TRIANGULAR: return (p->a + p->b + p->c) / 3.0;
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return p->a + (p->c - p->a) * al / (al + be);
	case DIST_BETA:       return p->a / (p->a + p->b);
	case DIST_NORMAL:     return p->a;
	case DIST_LOGNORMAL:  return exp(p->a + 0.5 * p->b * p->b);
	case DIST_GAMMA:      return p->a * p->b;
	case DIST_POISSON:    return p->a;
	default:              return p->a;
	}
}

/* Truncated normal, closed form (Z from the more precise tail). */
static double normal_mean(const clv_param *p)
{
	double al = (p->lo - p->a) / p->b, be = (p->hi - p->a) / p->b, z;

	if (al > 0.0)
		z = gsl_cdf_ugaussian_Q(al) - gsl_cdf_ugaussian_Q(be);
	else
		z = gsl_cdf_ugaussian_P(be) - gsl_cdf_ugaussian_P(al);
	return p->a + p->b * (gsl_ran_ugaussian_pdf(al) - gsl_ran_ugaussian_pdf(be)) / z;
}

static double quantile_integrand(double u, void *data)
{
	return cut_quantile(data, u);
}

/* E X = int_0^1 Q(u) du for the truncated distribution t; NAN when the
   workspace cannot be allocated. */
static double integrated_mean(const cut *t)
{
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(INTEGRATION_LIMIT);
	cut copy = *t; /* gsl_function takes a non-const pointer */
	gsl_function f;
	double result = NAN, abserr;

	if (w == NULL)
		return NAN;
	f.function = quantile_integrand;
	f.params = &copy;
	(void)gsl_integration_qags(&f, 0.0, 1.0, 0.0, INTEGRATION_EPSREL,
	                           INTEGRATION_LIMIT, w, &result, &abserr);
	gsl_integration_workspace_free(w);
	return clamp(result, t->lo, t->hi);
}

double dist_mean(const clv_param *p)
{
	cut t;

	switch (p->kind) {
	case DIST_FIXED:
		return p->a;
	case DIST_NORMAL:
		return normal_mean(p);
	case DIST_POISSON:
		if (p->lo <= 0.0 && poisson_P(p->hi, p->a) >= 1.0)
			return p->a;
		return poisson_mean(p);
	default:
		break;
	}
	cut_init(&t, p);
	if (t.plo == 0.0 && t.qhi == 0.0)
		return raw_mean(p);
	return integrated_mean(&t);
}

/* ---- Dirichlet ------------------------------------------------------------ */

/* log of the Gamma(alpha, 1) u-quantile, also where it underflows. */
static double log_gamma_quantile(double alpha, double u)
{
	double x = u < 0.5 ? gsl_cdf_gamma_Pinv(u, alpha, 1.0)
	                   : gsl_cdf_gamma_Qinv(1.0 - u, alpha, 1.0);

	if (x > 0.0 && isfinite(x))
		return log(x);
	if (x > 0.0)
		return log(DBL_MAX);
	return (log(u) + gsl_sf_lngamma(alpha + 1.0)) / alpha;
}

void dist_dirichlet_quantile(const double *alpha, size_t n, const double *u, double *out)
{
	double top = -INFINITY, sum = 0.0;
	size_t k;

	for (k = 0; k < n; k++) {
		out[k] = log_gamma_quantile(alpha[k], u[k]);
		if (out[k] > top)
			top = out[k];
	}
	for (k = 0; k < n; k++) {
		out[k] = exp(out[k] - top);
		sum += out[k];
	}
	for (k = 0; k < n; k++)
		out[k] /= sum;
}

/* ---- validation ------------------------------------------------------------ */

static clv_status bad(const clv_param *p, clv_error *err, const char *what)
{
	if (p->label != NULL)
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s: %s: %s", p->label,
		                dist_kind_name(p->kind), what);
	return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s: %s", dist_kind_name(p->kind), what);
}

/* Number of parameters (a, b, c) the kind uses; -1 for an unknown kind. */
static int n_params(clv_dist_kind kind)
{
	switch (kind) {
	case DIST_FIXED:
	case DIST_POISSON:
		return 1;
	case DIST_UNIFORM:
	case DIST_BETA:
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
	case DIST_GAMMA:
		return 2;
	case DIST_TRIANGULAR:
	case DIST_PERT:
		return 3;
	default:
		return -1;
	}
}

static clv_status check_numbers(const clv_param *p, clv_error *err)
{
	int n = n_params(p->kind);

	if (n < 0)
		return bad(p, err, "unknown distribution");
	if (!isfinite(p->a) || (n >= 2 && !isfinite(p->b)) || (n >= 3 && !isfinite(p->c)))
		return bad(p, err, "parameters must be finite numbers");
	if (isnan(p->lo) || isnan(p->hi) || p->lo > p->hi)
		return bad(p, err, "empty range [lo, hi]");
	return CLV_OK;
}

static clv_status check_shape(const clv_param *p, clv_error *err)
{
	switch (p->kind) {
	case DIST_UNIFORM:
		return p->a < p->b ? CLV_OK : bad(p, err, "need min < max");
	case DIST_TRIANGULAR:
	case DIST_PERT:
		if (p->a <= p->b && p->b <= p->c && p->a < p->c)
			return CLV_OK;
		return bad(p, err, "need min <= mode <= max with min < max");
	case DIST_BETA:
		if (!(p->a > 0.0))
			return bad(p, err, "a must be > 0");
		if (!(p->b > 0.0))
			return bad(p, err, "b must be > 0");
		/* beyond these GSL's beta inverse is slow or meaningless (a
		   beta(1e6, 1e6) inversion takes seconds; beta(1, 1e-300) is a
		   point mass written as a distribution) */
		if (p->a < BETA_SHAPE_MIN || p->b < BETA_SHAPE_MIN || p->a > BETA_SHAPE_MAX ||
		    p->b > BETA_SHAPE_MAX)
			return bad(p, err, "shapes a and b must lie in [0.001, 100000]");
		return CLV_OK;
	case DIST_NORMAL:
		return p->b > 0.0 ? CLV_OK : bad(p, err, "sd must be > 0");
	case DIST_LOGNORMAL:
		return p->b > 0.0 ? CLV_OK : bad(p, err, "sigma must be > 0");
	case DIST_GAMMA:
		if (!(p->a > 0.0))
			return bad(p, err, "shape must be > 0");
		return p->b > 0.0 ? CLV_OK : bad(p, err, "scale must be > 0");
	case DIST_POISSON:
		if (!(p->a > 0.0))
			return bad(p, err, "mean must be > 0");
		return p->a <= POISSON_MAX_MEAN ? CLV_OK : bad(p, err, "mean must be <= 1e9");
	default:
		return CLV_OK;
	}
}

/* Probability of [lo, hi] under p (1 or 0 for a fixed value). */
static double mass_inside(const clv_param *p)
{
	cut t;

	if (p->kind == DIST_FIXED)
		return p->a >= p->lo && p->a <= p->hi ? 1.0 : 0.0;
	if (p->kind == DIST_POISSON)
		return poisson_mass(p);
	cut_init(&t, p);
	return cut_mass(&t);
}

static clv_status check_inside(const clv_param *p, clv_error *err)
{
	const char *what = p->kind == DIST_FIXED ? "value" : "distribution";
	const char *why = p->lo == 0.0 && p->hi == 1.0 ? " where a probability is needed" : "";

	if (mass_inside(p) > 0.0)
		return CLV_OK;
	if (p->label != NULL)
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s: %s %s lies outside [%g, %g]%s",
		                p->label, dist_kind_name(p->kind), what, p->lo, p->hi, why);
	return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s %s lies outside [%g, %g]%s",
	                dist_kind_name(p->kind), what, p->lo, p->hi, why);
}

clv_status dist_validate(const clv_param *p, clv_error *err)
{
	clv_status rc = check_numbers(p, err);

	if (rc == CLV_OK)
		rc = check_shape(p, err);
	if (rc == CLV_OK)
		rc = check_inside(p, err);
	return rc;
}
