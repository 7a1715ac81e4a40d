/*
 * quad.c - one-dimensional quadrature rules for an assumption's
 * distribution (contract in quad.h; stage: engine).
 *
 * Invariants of a built rule: len >= 1 nodes, every node finite and inside
 * [lo, hi], every weight finite and >= 0, the weights summing to 1 (they
 * are normalised by their own sum, so the normalising constant of the
 * density never has to be computed: a level-1 Gauss rule of the density
 * itself is the node at the mean).
 *
 * Level 1 is one node at the (truncated) mean, dist_mean, for every
 * family: exact for an integrand linear in the assumption (a margin, a
 * cost), and the point where every dimension sits while the others'
 * orders are chosen (expect.c). For the Gauss rules of the density itself
 * (uniform, beta, PERT, normal, gamma) it is also their own 1-node rule.
 *
 * Rules of the higher levels, with n = quad_order(level) (all
 * gsl_integration_fixed, which builds Gauss rules by the Golub-Welsch
 * eigenvalue method; GSL's weight convention for Jacobi is
 * (b - x)^alpha (x - a)^beta on [a, b]):
 *   uniform     Gauss-Legendre on [max(min, lo), min(max, hi)] (the
 *               truncated uniform is uniform on the intersection): exact
 *               for polynomials of degree 2n - 1.
 *   triangular  untruncated: Gauss-Jacobi on [min, mode] with weight
 *               (x - min) (alpha 0, beta 1) and on [mode, max] with weight
 *               (max - x) (alpha 1, beta 0), n nodes each, scaled by the
 *               pieces' masses; truncated: Gauss-Legendre on each piece
 *               cut to [lo, hi], times the (linear) density. Exact for
 *               polynomials of degree 2n - 1 (2n - 2 truncated).
 *   beta(a, b)  Gauss-Jacobi on [0, 1], alpha = b - 1, beta = a - 1 (shapes
 *               below 1 give the integrable end-point singularities the
 *               Jacobi weight carries exactly).
 *   pert        the scaled beta: Gauss-Jacobi on [min, max].
 *   normal      Gauss-Hermite, weight exp(-(x - mean)^2 / (2 sd^2)).
 *   lognormal   Gauss-Hermite in y = log X, X = exp(y).
 *   gamma       generalised Gauss-Laguerre, weight x^(shape-1) e^(-x/scale).
 * These are used when the mass outside [lo, hi] is below QUAD_NEGLIGIBLE
 * (nodes outside are clamped; their weight is below that mass). Truncated:
 *   normal, lognormal   QUAD_DENSITY: Gauss-Legendre on [lo, hi] (in log X
 *               for the lognormal) cut to mean +- 10 sd, each weight times
 *               the normal density, when the mass inside is at least 1e-3
 *               (then the cut-off tails are below 2e-20 of it);
 *   anything else QUAD_SCORE: Gauss-Hermite in the normal score z, with
 *               X = dist_quantile(p, Phi(z)), the truncated quantile; the
 *               map z -> X is smooth, so the rule converges geometrically
 *               for smooth densities (and is exact to rounding in 8 nodes
 *               for near-normal ones such as beta(1000, 50)).
 * GSL's Jacobi and Laguerre rules compute the weight's normalising
 * constant with gamma functions, which overflow for shapes summing above
 * about 170: quad_rule_build then falls back to QUAD_SCORE.
 */
#include "engine/quad.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>

#include "base/dist.h"

/* Sd of the normal window of QUAD_DENSITY, and the least mass it needs. */
#define DENSITY_WINDOW 10.0
#define DENSITY_MIN_MASS 1e-3

static const size_t orders[QUAD_LEVELS] = {1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96,
                                           128, 192, 256};

size_t quad_order(int level)
{
	if (level < 1 || level > QUAD_LEVELS)
		return 0;
	return orders[level - 1];
}

const char *quad_family_name(quad_family f)
{
	static const char *const names[] = {
		"none", "gauss-legendre", "gauss-jacobi (triangular pieces)", "gauss-jacobi",
		"gauss-hermite", "gauss-hermite (log)", "gauss-laguerre",
		"gauss-legendre x density", "gauss-hermite (normal score)"
	};

	if ((unsigned)f < sizeof names / sizeof names[0])
		return names[f];
	return "unknown";
}

void quad_rule_free(quad_rule *r)
{
	if (r == NULL)
		return;
	free(r->x);
	free(r->w);
	memset(r, 0, sizeof *r);
}

/* ---- which family ------------------------------------------------------ */

static double clamp(double x, double lo, double hi)
{
	return x < lo ? lo : (x > hi ? hi : x);
}

/* Beta shapes of pert(min, mode, max), lambda = 4 (as dist.c). */
static void pert_shape(const clv_param *p, double *alpha, double *beta)
{
	double range = p->c - p->a;

	*alpha = 1.0 + 4.0 * (p->b - p->a) / range;
	*beta = 1.0 + 4.0 * (p->c - p->b) / range;
}

/* Beta(a, b) mass outside [lo, hi]. */
static double beta_outside(double a, double b, double lo, double hi)
{
	return (lo > 0.0 ? gsl_cdf_beta_P(fmin(lo, 1.0), a, b) : 0.0) +
	       (hi < 1.0 ? gsl_cdf_beta_Q(fmax(hi, 0.0), a, b) : 0.0);
}

/* Mass of p's distribution outside [p->lo, p->hi]. */
static double mass_outside(const clv_param *p)
{
	double al, be, lo = p->lo, hi = p->hi;

	switch (p->kind) {
	case DIST_BETA:
		return beta_outside(p->a, p->b, lo, hi);
	case DIST_PERT:
		pert_shape(p, &al, &be);
		return beta_outside(al, be, (lo - p->a) / (p->c - p->a), (hi - p->a) / (p->c - p->a));
	case DIST_NORMAL:
		return gsl_cdf_gaussian_P(lo - p->a, p->b) + gsl_cdf_gaussian_Q(hi - p->a, p->b);
	case DIST_LOGNORMAL:
		return (lo > 0.0 ? gsl_cdf_lognormal_P(lo, p->a, p->b) : 0.0) +
		       gsl_cdf_lognormal_Q(hi, p->a, p->b);
	case DIST_GAMMA:
		return (lo > 0.0 ? gsl_cdf_gamma_P(lo, p->a, p->b) : 0.0) +
		       gsl_cdf_gamma_Q(hi, p->a, p->b);
	default:
		return 0.0;
	}
}

/* The range of QUAD_DENSITY (in log X for the lognormal); false when the
   mass inside is too small for the window. */
static bool density_range(const clv_param *p, double *A, double *B)
{
	double lo = p->lo, hi = p->hi, mass;

	if (p->kind == DIST_LOGNORMAL) {
		lo = lo > 0.0 ? log(lo) : -HUGE_VAL;
		hi = log(hi);
	}
	mass = 1.0 - gsl_cdf_gaussian_P(lo - p->a, p->b) - gsl_cdf_gaussian_Q(hi - p->a, p->b);
	*A = fmax(lo, p->a - DENSITY_WINDOW * p->b);
	*B = fmin(hi, p->a + DENSITY_WINDOW * p->b);
	return mass >= DENSITY_MIN_MASS && *A < *B;
}

quad_family quad_family_of(const clv_param *p)
{
	double A, B;
	bool whole = mass_outside(p) <= QUAD_NEGLIGIBLE;

	switch (p->kind) {
	case DIST_UNIFORM:    return QUAD_LEGENDRE;
	case DIST_TRIANGULAR: return QUAD_TRIANGULAR;
	case DIST_BETA:
	case DIST_PERT:       return whole ? QUAD_JACOBI : QUAD_SCORE;
	case DIST_GAMMA:      return whole ? QUAD_LAGUERRE : QUAD_SCORE;
	case DIST_NORMAL:
	case DIST_LOGNORMAL:
		if (whole)
			return p->kind == DIST_NORMAL ? QUAD_HERMITE : QUAD_HERMITE_LOG;
		return density_range(p, &A, &B) ? QUAD_DENSITY : QUAD_SCORE;
	default:              return QUAD_NONE;
	}
}

/* ---- GSL's rules --------------------------------------------------------- */

/* n nodes and weights of GSL's rule into x, w; -1 when GSL fails. */
static int gsl_rule(const gsl_integration_fixed_type *type, size_t n, double a, double b,
                    double alpha, double beta, double *x, double *w)
{
	gsl_integration_fixed_workspace *ws = gsl_integration_fixed_alloc(type, n, a, b, alpha, beta);

	if (ws == NULL)
		return -1;
	memcpy(x, gsl_integration_fixed_nodes(ws), n * sizeof *x);
	memcpy(w, gsl_integration_fixed_weights(ws), n * sizeof *w);
	gsl_integration_fixed_free(ws);
	return 0;
}

/* Scale w[0..n-1] to sum to `mass`; -1 when the sum is not positive. */
static int scale_to(double *w, size_t n, double mass)
{
	double sum = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += w[i];
	if (!(sum > 0.0) || !isfinite(sum))
		return -1;
	for (i = 0; i < n; i++)
		w[i] *= mass / sum;
	return 0;
}

/* ---- the families ----------------------------------------------------------- */

static double tri_density(const clv_param *p, double x)
{
	double a = p->a, m = p->b, c = p->c;

	if (x <= m && m > a)
		return 2.0 * (x - a) / ((c - a) * (m - a));
	return 2.0 * (c - x) / ((c - a) * (c - m));
}

/* One linear piece [x0, x1] of a triangular distribution, n nodes at
   x + *len. Untruncated pieces: Jacobi with the piece's own linear weight
   (rising: (x - x0), falling: (x1 - x)); truncated: Legendre times the
   density. */
static int tri_piece(const clv_param *p, double x0, double x1, bool rising, bool cut, size_t n,
                     quad_rule *r)
{
	double *x = r->x + r->len, *w = r->w + r->len;
	size_t i;
	int rc;

	if (!(x1 > x0))
		return 0;
	if (!cut)
		rc = gsl_rule(gsl_integration_fixed_jacobi, n, x0, x1, rising ? 0.0 : 1.0,
		              rising ? 1.0 : 0.0, x, w);
	else
		rc = gsl_rule(gsl_integration_fixed_legendre, n, x0, x1, 0.0, 0.0, x, w);
	if (rc != 0)
		return rc;
	if (!cut) /* weights of the piece's own density: its mass */
		rc = scale_to(w, n, (x1 - x0) / (p->c - p->a));
	else
		for (i = 0; i < n; i++)
			w[i] *= tri_density(p, x[i]);
	r->len += n;
	return rc;
}

static int build_triangular(const clv_param *p, size_t n, quad_rule *r)
{
	bool cut = p->a < p->lo || p->c > p->hi;
	double lo = fmax(p->a, p->lo), hi = fmin(p->c, p->hi);

	r->len = 0;
	if (tri_piece(p, lo, fmin(p->b, hi), true, cut, n, r) != 0 ||
	    tri_piece(p, fmax(p->b, lo), hi, false, cut, n, r) != 0)
		return -1;
	return r->len > 0 ? 0 : -1;
}

static int build_jacobi(const clv_param *p, size_t n, quad_rule *r)
{
	double al = p->a, be = p->b, x0 = 0.0, x1 = 1.0;

	if (p->kind == DIST_PERT) {
		pert_shape(p, &al, &be);
		x0 = p->a;
		x1 = p->c;
	}
	r->len = n;
	return gsl_rule(gsl_integration_fixed_jacobi, n, x0, x1, be - 1.0, al - 1.0, r->x, r->w);
}

/* Gauss-Hermite for N(mean, sd) (in log X when `log_x`). */
static int build_hermite(double mean, double sd, bool log_x, size_t n, quad_rule *r)
{
	size_t i;

	r->len = n;
	if (gsl_rule(gsl_integration_fixed_hermite, n, mean, 0.5 / (sd * sd), 0.0, 0.0, r->x,
	             r->w) != 0)
		return -1;
	if (log_x)
		for (i = 0; i < n; i++)
			r->x[i] = exp(r->x[i]);
	return 0;
}

/* Gauss-Legendre times the normal density on the truncated window. */
static int build_density(const clv_param *p, size_t n, quad_rule *r)
{
	double A, B;
	size_t i;

	if (!density_range(p, &A, &B))
		return -1;
	r->len = n;
	if (gsl_rule(gsl_integration_fixed_legendre, n, A, B, 0.0, 0.0, r->x, r->w) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		double z = (r->x[i] - p->a) / p->b;
		r->w[i] *= exp(-0.5 * z * z);
		if (p->kind == DIST_LOGNORMAL)
			r->x[i] = exp(r->x[i]);
	}
	return 0;
}

/* Gauss-Hermite in the normal score: X = dist_quantile(p, Phi(z)). */
static int build_score(const clv_param *p, size_t n, quad_rule *r)
{
	size_t i;

	r->len = n;
	if (gsl_rule(gsl_integration_fixed_hermite, n, 0.0, 0.5, 0.0, 0.0, r->x, r->w) != 0)
		return -1;
	for (i = 0; i < n; i++) {
		double z = r->x[i];
		double u = z < 0.0 ? gsl_cdf_ugaussian_P(z) : 1.0 - gsl_cdf_ugaussian_Q(z);
		r->x[i] = dist_quantile(p, clamp(u, DBL_MIN, 1.0 - DBL_EPSILON / 2.0));
	}
	return 0;
}

static int build_family(const clv_param *p, quad_family f, size_t n, quad_rule *r)
{
	switch (f) {
	case QUAD_LEGENDRE:
		r->len = n;
		return gsl_rule(gsl_integration_fixed_legendre, n, fmax(p->a, p->lo), fmin(p->b, p->hi),
		                0.0, 0.0, r->x, r->w);
	case QUAD_TRIANGULAR:  return build_triangular(p, n, r);
	case QUAD_JACOBI:      return build_jacobi(p, n, r);
	case QUAD_HERMITE:     return build_hermite(p->a, p->b, false, n, r);
	case QUAD_HERMITE_LOG: return build_hermite(p->a, p->b, true, n, r);
	case QUAD_LAGUERRE:
		r->len = n;
		return gsl_rule(gsl_integration_fixed_laguerre, n, 0.0, 1.0 / p->b, p->a - 1.0, 0.0,
		                r->x, r->w);
	case QUAD_DENSITY:     return build_density(p, n, r);
	case QUAD_SCORE:       return build_score(p, n, r);
	default:               return -1;
	}
}

/* Clamp the nodes into [lo, hi], check finiteness, normalise the weights. */
static int finish(const clv_param *p, quad_rule *r)
{
	size_t i;

	for (i = 0; i < r->len; i++) {
		if (isnan(r->x[i]) || !isfinite(r->w[i]) || r->w[i] < 0.0)
			return -1;
		r->x[i] = clamp(r->x[i], p->lo, p->hi);
		if (!isfinite(r->x[i]))
			return -1;
	}
	return scale_to(r->w, r->len, 1.0);
}

clv_status quad_rule_build(const clv_param *p, int level, quad_rule *r, clv_error *err)
{
	quad_family f = quad_family_of(p);
	size_t n = quad_order(level), cap = 2 * n;

	if (f == QUAD_NONE || n == 0)
		return diag_set(err, CLV_ERR_INPUT, &p->pos,
		                "quadrature: no rule for %s (level %d)", p->label ? p->label : "?", level);
	r->x = malloc(cap * sizeof *r->x);
	r->w = malloc(cap * sizeof *r->w);
	if (r->x == NULL || r->w == NULL) {
		quad_rule_free(r);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for a quadrature rule");
	}
	r->family = f;
	if (level == 1) { /* the mean: exact for a linear integrand, whatever the family */
		r->len = 1;
		r->x[0] = clamp(dist_mean(p), p->lo, p->hi);
		r->w[0] = 1.0;
		if (isfinite(r->x[0]))
			return CLV_OK;
	}
	if (build_family(p, f, n, r) != 0 || finish(p, r) != 0) {
		r->family = QUAD_SCORE;
		if (f == QUAD_SCORE || build_family(p, QUAD_SCORE, n, r) != 0 || finish(p, r) != 0) {
			quad_rule_free(r);
			return diag_set(err, CLV_ERR_NUMERIC, &p->pos,
			                "quadrature: no rule with finite weights for %s (%s, %zu nodes)",
			                p->label ? p->label : "?", dist_kind_name(p->kind), n);
		}
	}
	return CLV_OK;
}
