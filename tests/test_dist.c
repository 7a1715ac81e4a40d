/*
 * test_dist.c - sim/dist.c: moments of draws and quantiles against closed
 * forms (5 standard errors, fixed seeds), quantile monotonicity and
 * inversion, truncation (draws inside, means against closed forms),
 * Dirichlet means, and one rejected case per validation rule.
 */
#include <math.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "base/dist.h"
#include "base/rng.h"

#define N_DRAWS 200000

static clv_param mk(clv_dist_kind kind, double a, double b, double c, double lo, double hi)
{
	clv_param p;

	memset(&p, 0, sizeof p);
	p.kind = kind;
	p.a = a;
	p.b = b;
	p.c = c;
	p.lo = lo;
	p.hi = hi;
	return p;
}

/* A parameter set with its exact (untruncated) mean and variance. */
typedef struct known {
	clv_param p;
	double mean, var;
} known;

static size_t known_cases(known *k)
{
	double al = 1.0 + 4.0 * 3.0 / 10.0, be = 1.0 + 4.0 * 7.0 / 10.0; /* pert(0,3,10) */
	size_t n = 0;

	k[n++] = (known){mk(DIST_UNIFORM, 2, 5, 0, -INFINITY, INFINITY), 3.5, 9.0 / 12.0};
	k[n++] = (known){mk(DIST_TRIANGULAR, 1, 2, 6, -INFINITY, INFINITY), 3.0,
	                 (1 + 4 + 36 - 2 - 6 - 12) / 18.0};
	k[n++] = (known){mk(DIST_PERT, 0, 3, 10, -INFINITY, INFINITY), 10.0 * al / (al + be),
	                 100.0 * al * be / ((al + be) * (al + be) * (al + be + 1.0))};
	k[n++] = (known){mk(DIST_BETA, 2, 5, 0, 0, 1), 2.0 / 7.0, 10.0 / (49.0 * 8.0)};
	k[n++] = (known){mk(DIST_NORMAL, 10, 2, 0, -INFINITY, INFINITY), 10.0, 4.0};
	k[n++] = (known){mk(DIST_LOGNORMAL, 0.5, 0.4, 0, 0, INFINITY), exp(0.5 + 0.08),
	                 (exp(0.16) - 1.0) * exp(1.0 + 0.16)};
	k[n++] = (known){mk(DIST_GAMMA, 2.5, 1.5, 0, 0, INFINITY), 3.75, 2.5 * 2.25};
	k[n++] = (known){mk(DIST_POISSON, 4.2, 0, 0, 0, INFINITY), 4.2, 4.2};
	return n;
}

/* Sample moments: mean, variance and fourth central moment. */
static void moments(const double *x, size_t n, double *mean, double *var, double *m4)
{
	double s = 0.0, s2 = 0.0, s4 = 0.0;
	size_t i;

	for (i = 0; i < n; i++)
		s += x[i];
	s /= (double)n;
	for (i = 0; i < n; i++) {
		double d = (x[i] - s) * (x[i] - s);
		s2 += d;
		s4 += d * d;
	}
	*mean = s;
	*var = s2 / (double)(n - 1);
	*m4 = s4 / (double)n;
}

/* Mean within 5 SE of k->mean and variance within 5 SE of k->var
   (SE of the variance from the sample's fourth moment). */
static void assert_moments(const known *k, const double *x, size_t n)
{
	double mean, var, m4;

	moments(x, n, &mean, &var, &m4);
	assert_true(fabs(mean - k->mean) < 5.0 * sqrt(k->var / (double)n));
	assert_true(fabs(var - k->var) < 5.0 * sqrt((m4 - var * var) / (double)n));
}

static void draws_match_moments(void **state)
{
	static double x[N_DRAWS];
	known k[16];
	size_t n = known_cases(k), i, j;
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);

	(void)state;
	assert_non_null(g);
	for (i = 0; i < n; i++) {
		gsl_rng_set(g, 1000u + i);
		for (j = 0; j < N_DRAWS; j++)
			x[j] = dist_draw(&k[i].p, g);
		assert_moments(&k[i], x, N_DRAWS);
		assert_true(fabs(dist_mean(&k[i].p) - k[i].mean) < 1e-9 * fabs(k[i].mean));
	}
	gsl_rng_free(g);
}

/* Quantiles of uniforms follow the distribution too (fewer: Pinv is slow). */
static void quantiles_match_moments(void **state)
{
	enum { N = 50000 };
	static double x[N];
	known k[16];
	size_t n = known_cases(k), i, j;
	rng_pcg32 r;

	(void)state;
	for (i = 0; i < n; i++) {
		rng_seed(&r, 77u, i);
		for (j = 0; j < N; j++) {
			double u;
			do
				u = rng_uniform(&r);
			while (u == 0.0);
			x[j] = dist_quantile(&k[i].p, u);
		}
		assert_moments(&k[i], x, N);
	}
}

/* The truncated CDF of p at x, computed here from GSL directly. */
static double test_cdf(const clv_param *p, double x)
{
	double al, be, a = p->a, m = p->b, c = p->c;

	if (isinf(x))
		return x < 0.0 ? 0.0 : 1.0;
	switch (p->kind) {
	case DIST_UNIFORM:   return gsl_cdf_flat_P(x, p->a, p->b);
	case DIST_TRIANGULAR:
		if (x <= a || x >= c)
			return x <= a ? 0.0 : 1.0;
		return x <= m ? (x - a) * (x - a) / ((c - a) * (m - a))
		              : 1.0 - (c - x) * (c - x) / ((c - a) * (c - m));
	case DIST_PERT:
		if (x <= a || x >= c)
			return x <= a ? 0.0 : 1.0;
		al = 1.0 + 4.0 * (m - a) / (c - a);
		be = 1.0 + 4.0 * (c - m) / (c - a);
		return gsl_cdf_beta_P((x - a) / (c - a), al, be);
	case DIST_BETA:      return gsl_cdf_beta_P(x, p->a, p->b);
	case DIST_NORMAL:    return gsl_cdf_gaussian_P(x - p->a, p->b);
	case DIST_LOGNORMAL: return gsl_cdf_lognormal_P(x, p->a, p->b);
	case DIST_GAMMA:     return gsl_cdf_gamma_P(x, p->a, p->b);
	default:             return NAN;
	}
}

static double test_trunc_cdf(const clv_param *p, double lo, double hi, double x)
{
	double flo = test_cdf(p, lo), fhi = test_cdf(p, hi);

	return (test_cdf(p, x) - flo) / (fhi - flo);
}

/* Q is non-decreasing on a grid; Q(F(x)) = x inside [lo, hi] (truncated
   variants included: F is then the truncated CDF). */
static void quantile_monotone_and_inverse(void **state)
{
	known k[16];
	clv_param cases[24];
	size_t n = known_cases(k), m = 0, i, j;

	(void)state;
	for (i = 0; i < n; i++)
		if (k[i].p.kind != DIST_POISSON)
			cases[m++] = k[i].p;
	cases[m++] = mk(DIST_NORMAL, 10, 2, 0, 9, 15);
	cases[m++] = mk(DIST_NORMAL, 0, 1, 0, 3, 6);   /* far upper tail */
	cases[m++] = mk(DIST_GAMMA, 2.5, 1.5, 0, 1, 4);
	cases[m++] = mk(DIST_BETA, 0.5, 0.5, 0, 0.2, 1);
	cases[m++] = mk(DIST_PERT, 0, 3, 10, 2, 8);
	cases[m++] = mk(DIST_TRIANGULAR, 1, 2, 6, 1.5, 5);
	cases[m++] = mk(DIST_LOGNORMAL, 0.5, 0.4, 0, 2, INFINITY);
	for (i = 0; i < m; i++) {
		const clv_param *p = &cases[i];
		double prev = -INFINITY, lo, hi;
		lo = dist_quantile(p, 1e-12);
		hi = dist_quantile(p, 1.0 - 1e-12);
		assert_true(lo >= p->lo && hi <= p->hi && lo < hi);
		for (j = 1; j < 1000; j++) {
			double u = (double)j / 1000.0, x = dist_quantile(p, u);
			assert_true(x >= prev);
			assert_true(x >= p->lo && x <= p->hi);
			prev = x;
		}
		/* the grid stays where u = F(x) is itself accurate */
		lo = dist_quantile(p, 1e-6);
		hi = dist_quantile(p, 1.0 - 1e-6);
		for (j = 0; j <= 50; j++) {
			double x = lo + (hi - lo) * (double)j / 50.0;
			double u = test_trunc_cdf(p, p->lo, p->hi, x);
			if (!(fabs(dist_quantile(p, u) - x) < 1e-7 * (1.0 + fabs(x))))
				fail_msg("case %zu x=%.17g u=%.17g q=%.17g", i, x, u, dist_quantile(p, u));
		}
	}
}

static void poisson_quantile_inverts_cdf(void **state)
{
	clv_param p = mk(DIST_POISSON, 4.2, 0, 0, 0, INFINITY);
	clv_param t = mk(DIST_POISSON, 4.2, 0, 0, 2, 9);
	unsigned k;

	(void)state;
	for (k = 0; k < 20; k++) {
		double F = gsl_cdf_poisson_P(k, 4.2);
		assert_true(dist_quantile(&p, F) == (double)k);
		/* just below F(k) the answer is still k, just above k + 1 */
		assert_true(dist_quantile(&p, F * (1.0 - 1e-9)) == (double)k);
		assert_true(dist_quantile(&p, F + (1.0 - F) * 1e-6) == (double)(k + 1));
	}
	/* truncated to [2, 9]: from 2 to 9, F(k) inverts to k */
	assert_true(dist_quantile(&t, 1e-12) == 2.0 && dist_quantile(&t, 1.0 - 1e-12) == 9.0);
	for (k = 2; k <= 9; k++) {
		double lo = gsl_cdf_poisson_P(1, 4.2), hi = gsl_cdf_poisson_P(9, 4.2);
		double u = (gsl_cdf_poisson_P(k, 4.2) - lo) / (hi - lo);
		assert_true(dist_quantile(&t, u * (1.0 - 1e-9)) == (double)k);
	}
}

/* mean of N(mu, sd) truncated to [lo, hi], written out here */
static double tnorm_mean(double mu, double sd, double lo, double hi)
{
	double a = (lo - mu) / sd, b = (hi - mu) / sd;

	return mu + sd * (gsl_ran_ugaussian_pdf(a) - gsl_ran_ugaussian_pdf(b)) /
	       (gsl_cdf_ugaussian_Q(a) - gsl_cdf_ugaussian_Q(b));
}

static void truncated_normal(void **state)
{
	static double x[N_DRAWS];
	const double bounds[][4] = {{1, 2, 0, 3}, {0, 1, 2.5, INFINITY}, {0, 1, -INFINITY, -4}};
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);
	size_t c, i;

	(void)state;
	assert_non_null(g);
	for (c = 0; c < 3; c++) {
		clv_param p = mk(DIST_NORMAL, bounds[c][0], bounds[c][1], 0, bounds[c][2], bounds[c][3]);
		double exact = tnorm_mean(p.a, p.b, p.lo, p.hi), mean, var, m4;
		gsl_rng_set(g, 7u + c);
		for (i = 0; i < N_DRAWS; i++) {
			x[i] = dist_draw(&p, g);
			assert_true(x[i] >= p.lo && x[i] <= p.hi);
		}
		moments(x, N_DRAWS, &mean, &var, &m4);
		assert_true(fabs(mean - exact) < 5.0 * sqrt(var / N_DRAWS));
		assert_true(fabs(dist_mean(&p) - exact) < 1e-10 * (1.0 + fabs(exact)));
	}
	gsl_rng_free(g);
}

/* Numerically integrated truncated means against closed forms. */
static void truncated_means(void **state)
{
	clv_param expo = mk(DIST_GAMMA, 1, 2, 0, 0, 3);       /* exponential, scale 2, on [0, 3] */
	clv_param logn = mk(DIST_LOGNORMAL, 0.2, 0.5, 0, 1, INFINITY);
	clv_param unif = mk(DIST_UNIFORM, 0, 10, 0, 2, 4);
	clv_param beta = mk(DIST_BETA, 2, 2, 0, 0, 0.5);
	clv_param pois = mk(DIST_POISSON, 3, 0, 0, 1, INFINITY);
	double e_expo = 2.0 - 3.0 * exp(-1.5) / (1.0 - exp(-1.5));
	double e_logn = exp(0.2 + 0.125) * gsl_cdf_ugaussian_P((0.2 + 0.25) / 0.5) /
	                gsl_cdf_ugaussian_Q(-0.2 / 0.5);

	(void)state;
	assert_true(fabs(dist_mean(&expo) - e_expo) < 1e-8);
	assert_true(fabs(dist_mean(&logn) - e_logn) < 1e-8 * e_logn);
	assert_true(fabs(dist_mean(&unif) - 3.0) < 1e-9);
	assert_true(fabs(dist_mean(&beta) - 0.3125) < 1e-9);
	assert_true(fabs(dist_mean(&pois) - 3.0 / (1.0 - exp(-3.0))) < 1e-9);
}

/* Truncated draws stay inside and their mean matches dist_mean. */
static void truncated_draws(void **state)
{
	static double x[N_DRAWS];
	clv_param cases[] = {
		mk(DIST_GAMMA, 2.5, 1.5, 0, 1, 4),
		mk(DIST_LOGNORMAL, 0.2, 0.5, 0, 3, INFINITY),   /* mostly the fallback */
		mk(DIST_PERT, 0, 3, 10, 2, 8),
		mk(DIST_TRIANGULAR, 1, 2, 6, 1.5, 5),
		mk(DIST_POISSON, 3, 0, 0, 1, 6),
	};
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);
	size_t c, i;

	(void)state;
	assert_non_null(g);
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double mean, var, m4;
		gsl_rng_set(g, 99u + c);
		for (i = 0; i < N_DRAWS; i++) {
			x[i] = dist_draw(&cases[c], g);
			assert_true(x[i] >= cases[c].lo && x[i] <= cases[c].hi);
		}
		moments(x, N_DRAWS, &mean, &var, &m4);
		assert_true(fabs(mean - dist_mean(&cases[c])) < 5.0 * sqrt(var / N_DRAWS));
	}
	gsl_rng_free(g);
}

static void dirichlet_means(void **state)
{
	enum { N = 100000, K = 4 };
	const double alpha[K] = {0.5, 2.0, 3.5, 0.02};
	double sum[K] = {0}, a0 = 6.02, x[K], u[K];
	rng_pcg32 r;
	size_t i, k;

	(void)state;
	rng_seed(&r, 5u, 5u);
	for (i = 0; i < N; i++) {
		double total = 0.0;
		for (k = 0; k < K; k++) {
			do
				u[k] = rng_uniform(&r);
			while (u[k] == 0.0);
		}
		dist_dirichlet_quantile(alpha, K, u, x);
		for (k = 0; k < K; k++) {
			assert_true(x[k] >= 0.0 && x[k] <= 1.0);
			total += x[k];
			sum[k] += x[k];
		}
		assert_true(fabs(total - 1.0) < 1e-12);
	}
	for (k = 0; k < K; k++) {
		double m = alpha[k] / a0, var = m * (1.0 - m) / (a0 + 1.0);
		assert_true(fabs(sum[k] / N - m) < 5.0 * sqrt(var / N));
	}
}

/* Underflowing gamma quantiles (tiny alpha and u) still normalise. */
static void dirichlet_underflow(void **state)
{
	const double alpha[3] = {0.001, 0.002, 0.001};
	const double u[3] = {1e-300, 1e-200, 1e-250};
	double x[3];

	(void)state;
	dist_dirichlet_quantile(alpha, 3, u, x);
	assert_true(isfinite(x[0]) && isfinite(x[1]) && isfinite(x[2]));
	assert_true(fabs(x[0] + x[1] + x[2] - 1.0) < 1e-12);
	/* log x_k ~ (log u_k + lgamma(1 + alpha_k)) / alpha_k: the largest wins */
	assert_true(x[1] > 0.999);
}

/* One rejected case per rule, with the words the message must carry. */
static void validate_rejects(void **state)
{
	static const struct {
		clv_param p;
		const char *words;
	} bad[] = {
		{{.kind = (clv_dist_kind)99, .lo = 0, .hi = 1}, "unknown distribution"},
		{{.kind = DIST_NORMAL, .a = NAN, .b = 1, .lo = -INFINITY, .hi = INFINITY}, "finite"},
		{{.kind = DIST_UNIFORM, .a = 0, .b = INFINITY, .lo = -INFINITY, .hi = INFINITY}, "finite"},
		{{.kind = DIST_BETA, .a = 1, .b = 1, .lo = 1, .hi = 0}, "empty range"},
		{{.kind = DIST_UNIFORM, .a = 2, .b = 2, .lo = 0, .hi = 5}, "uniform: need min < max"},
		{{.kind = DIST_TRIANGULAR, .a = 0, .b = 3, .c = 2, .lo = 0, .hi = 5}, "min <= mode <= max"},
		{{.kind = DIST_PERT, .a = 1, .b = 1, .c = 1, .lo = 0, .hi = 5}, "with min < max"},
		{{.kind = DIST_BETA, .a = 0, .b = 1, .lo = 0, .hi = 1}, "beta: a must be > 0"},
		{{.kind = DIST_BETA, .a = 1, .b = -1, .lo = 0, .hi = 1}, "beta: b must be > 0"},
		{{.kind = DIST_NORMAL, .a = 1, .b = 0, .lo = 0, .hi = 2}, "normal: sd must be > 0"},
		{{.kind = DIST_LOGNORMAL, .a = 1, .b = -0.1, .lo = 0, .hi = INFINITY}, "sigma must be > 0"},
		{{.kind = DIST_GAMMA, .a = 0, .b = 1, .lo = 0, .hi = INFINITY}, "shape must be > 0"},
		{{.kind = DIST_GAMMA, .a = 1, .b = 0, .lo = 0, .hi = INFINITY}, "scale must be > 0"},
		{{.kind = DIST_POISSON, .a = 0, .lo = 0, .hi = INFINITY}, "poisson: mean must be > 0"},
		{{.kind = DIST_POISSON, .a = 2e9, .lo = 0, .hi = INFINITY}, "mean must be <= 1e9"},
		{{.kind = DIST_UNIFORM, .a = 2, .b = 3, .lo = 0, .hi = 1},
		 "uniform distribution lies outside [0, 1] where a probability is needed"},
		{{.kind = DIST_NORMAL, .a = 50, .b = 1, .lo = 0, .hi = 1}, "lies outside [0, 1]"},
		{{.kind = DIST_POISSON, .a = 2, .lo = 3.5, .hi = 3.9}, "lies outside [3.5, 3.9]"},
		{{.kind = DIST_FIXED, .a = 1.5, .lo = 0, .hi = 1}, "fixed value lies outside [0, 1]"},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		clv_error err = {0};
		clv_param p = bad[i].p;
		p.label = (char *)(uintptr_t)"retention.A";
		p.pos = (clv_pos){"s.yaml", 3, 7};
		assert_int_equal(dist_validate(&p, &err), CLV_ERR_INPUT);
		assert_int_equal(err.status, CLV_ERR_INPUT);
		if (strstr(err.msg, bad[i].words) == NULL || strstr(err.msg, "s.yaml:3:7: retention.A") == NULL)
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.msg, bad[i].words);
	}
}

static void validate_accepts(void **state)
{
	known k[16];
	size_t n = known_cases(k), i;
	clv_param edge[] = {
		mk(DIST_FIXED, 1, 0, 0, 0, 1),
		mk(DIST_TRIANGULAR, 0, 0, 1, 0, 1),       /* mode at min */
		mk(DIST_PERT, 0, 1, 1, 0, 1),             /* mode at max */
		mk(DIST_NORMAL, 5, 1, 0, 0, 1),           /* truncated far from the mean */
		mk(DIST_POISSON, 2, 0, 0, 3, 3),          /* a single point */
	};

	(void)state;
	for (i = 0; i < n; i++) {
		clv_error err = {0};
		assert_int_equal(dist_validate(&k[i].p, &err), CLV_OK);
		assert_int_equal(err.status, CLV_OK);
	}
	for (i = 0; i < sizeof edge / sizeof edge[0]; i++) {
		clv_error err = {0};
		assert_int_equal(dist_validate(&edge[i], &err), CLV_OK);
	}
	assert_true(dist_quantile(&edge[4], 0.3) == 3.0);
	assert_true(fabs(dist_mean(&edge[4]) - 3.0) < 1e-12);
}

static void names_and_fixed(void **state)
{
	clv_param f = mk(DIST_FIXED, 0.25, 0, 0, 0, 1);
	gsl_rng *g = gsl_rng_alloc(rng_gsl_pcg32);

	(void)state;
	assert_string_equal(dist_kind_name(DIST_PERT), "pert");
	assert_string_equal(dist_kind_name(DIST_LOGNORMAL), "lognormal");
	assert_string_equal(dist_kind_name(DIST_POISSON), "poisson");
	assert_false(dist_is_uncertain(&f));
	assert_true(dist_quantile(&f, 0.9) == 0.25 && dist_draw(&f, g) == 0.25 && dist_mean(&f) == 0.25);
	f.kind = DIST_BETA;
	assert_true(dist_is_uncertain(&f));
	gsl_rng_free(g);
}

/* gsl_cdf_beta_Pinv fails (NaN) for skewed shapes such as beta(1000, 50)
   at some u; the quantile must still be finite, monotone and invert the
   CDF (bisection fallback). */
static void skewed_beta_quantiles(void **state)
{
	clv_param p = mk(DIST_BETA, 1000, 50, 0, 0, 1);
	double prev = -1.0;
	int k;

	(void)state;
	for (k = 1; k < 20000; k++) {
		double u = k / 20000.0, x = dist_quantile(&p, u);
		assert_true(isfinite(x) && x >= 0.0 && x <= 1.0);
		assert_true(x >= prev);
		assert_true(fabs(gsl_cdf_beta_P(x, 1000, 50) - u) < 1e-7);
		prev = x;
	}
}

/* Shapes beyond the validated range (a Dirichlet marginal such as
   beta(1e10, 1e10 + 1) before its row was bounded) sent GSL's beta
   inverse into an endless loop: the quantile must end, finite, inside
   [0, 1]. An alarm turns a hang into a failure. */
static void huge_beta_shapes_end(void **state)
{
	const double shapes[][2] = {{1e10, 1e10 + 1}, {1e6, 1e6 + 1}, {2e5, 3e5}, {1e-300, 2}};
	size_t i;
	int k;

	(void)state;
	alarm(20);
	for (i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
		clv_param p = mk(DIST_BETA, shapes[i][0], shapes[i][1], 0, 0, 1);
		for (k = 1; k < 10; k++) {
			double x = dist_quantile(&p, k / 10.0);
			assert_true(isfinite(x) && x >= 0.0 && x <= 1.0);
		}
	}
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(draws_match_moments),
		cmocka_unit_test(quantiles_match_moments),
		cmocka_unit_test(quantile_monotone_and_inverse),
		cmocka_unit_test(poisson_quantile_inverts_cdf),
		cmocka_unit_test(truncated_normal),
		cmocka_unit_test(truncated_means),
		cmocka_unit_test(truncated_draws),
		cmocka_unit_test(dirichlet_means),
		cmocka_unit_test(dirichlet_underflow),
		cmocka_unit_test(validate_rejects),
		cmocka_unit_test(validate_accepts),
		cmocka_unit_test(names_and_fixed),
		cmocka_unit_test(skewed_beta_quantiles),
		cmocka_unit_test(huge_beta_shapes_end),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
