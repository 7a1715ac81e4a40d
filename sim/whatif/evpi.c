/*
 * evpi.c - the what-if stage: P(best), EVPI and EVPPI from a table of
 * possible worlds (definitions, estimator and its bias in evpi.h).
 *
 * The spline fit of one input: breakpoints at the quantiles
 * (Hyndman-Fan type 7) i / (nbreak - 1) of its values, the cubic B-spline
 * basis of GSL (gsl_bspline, nbreak + 2 functions, which sum to 1, so the
 * constant is in the space), the design matrix decomposed once by SVD
 * (gsl_multifit_linear_svd) and every scenario's gain solved on it
 * (gsl_multifit_linear_solve, no regularisation). Sums run in
 * replication order, so the figures do not depend on threads.
 */
#include "whatif/evpi.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_bspline.h>
#include <gsl/gsl_multifit.h>

#include "whatif/whatif_internal.h"

const char *const whatif_evppi_method =
	"regression on the assumption (Strong, Oakley & Brennan 2014): cubic regression spline, "
	"basis size by generalised cross-validation; group means for an assumption of few values";

void whatif_decision_clear(whatif_decision *d)
{
	if (d == NULL)
		return;
	free(d->mean);
	free(d->p_best);
	free(d->p_best_se);
	whatif_free_strings(d->input, d->n_inputs);
	free(d->evppi);
	free(d->basis);
	free(d->spline);
	memset(d, 0, sizeof *d);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* mean_r max(0, g_1(r), ..., g_G(r)) - max(0, mean g_1, ..., mean g_G):
   the fitted gains g (G x reps, gain k at g + k * reps). */
static double value_of_fit(const double *g, size_t G, size_t reps)
{
	double sum_max = 0.0, best_mean = 0.0;
	size_t k, r;

	for (r = 0; r < reps; r++) {
		double m = 0.0;
		for (k = 0; k < G; k++)
			m = fmax(m, g[k * reps + r]);
		sum_max += m;
	}
	for (k = 0; k < G; k++) {
		double s = 0.0;
		for (r = 0; r < reps; r++)
			s += g[k * reps + r];
		best_mean = fmax(best_mean, s / (double)reps);
	}
	return sum_max / (double)reps - best_mean;
}

/* Group means of the gains y by the distinct values of x (sorted in xs,
   d of them) into g. */
static void fit_groups(const double *y, size_t G, size_t reps, const double *x, size_t stride,
                       const double *xs, size_t d, double *g, double *sum, size_t *count)
{
	size_t k, r, j;

	for (k = 0; k < G; k++) {
		memset(sum, 0, d * sizeof *sum);
		memset(count, 0, d * sizeof *count);
		for (r = 0; r < reps; r++) {
			const double *at = bsearch(&x[r * stride], xs, d, sizeof *xs, cmp_double);
			j = (size_t)(at - xs);
			sum[j] += y[k * reps + r];
			count[j]++;
		}
		for (r = 0; r < reps; r++) {
			j = (size_t)((const double *)bsearch(&x[r * stride], xs, d, sizeof *xs, cmp_double) - xs);
			g[k * reps + r] = sum[j] / (double)count[j];
		}
	}
}

/* The least-squares spline of nbreak breakpoints: fitted gains into g and
   GCV summed over the gains into *gcv. CLV_ERR_NUMERIC when the
   breakpoints are not increasing (ties) or the fit fails. */
static clv_status fit_spline(const double *y, size_t G, size_t reps, const double *x,
                             size_t stride, const double *sorted, size_t nbreak, double *g,
                             double *gcv, clv_error *err)
{
	gsl_bspline_workspace *bw = gsl_bspline_alloc(4, nbreak);
	size_t p = nbreak + 2, r, k, i;
	gsl_vector *brk = gsl_vector_alloc(nbreak), *B = gsl_vector_alloc(p), *c = gsl_vector_alloc(p);
	gsl_matrix *X = gsl_matrix_alloc(reps, p);
	gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(reps, p);
	clv_status rc = CLV_OK;
	double rss = 0.0;

	if (!bw || !brk || !B || !c || !X || !w) {
		rc = whatif_nomem(err);
		goto cleanup;
	}
	for (i = 0; i < nbreak; i++) {
		double h = (double)(reps - 1) * (double)i / (double)(nbreak - 1);
		size_t lo = (size_t)floor(h);
		double v = lo + 1 < reps ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
		if (i > 0 && !(v > gsl_vector_get(brk, i - 1))) {
			rc = diag_set(err, CLV_ERR_NUMERIC, NULL, "EVPPI: tied breakpoints");
			goto cleanup;
		}
		gsl_vector_set(brk, i, v);
	}
	gsl_bspline_knots(brk, bw);
	for (r = 0; r < reps; r++) {
		gsl_bspline_eval(x[r * stride], B, bw);
		for (k = 0; k < p; k++)
			gsl_matrix_set(X, r, k, gsl_vector_get(B, k));
	}
	if (gsl_multifit_linear_svd(X, w) != 0) {
		rc = diag_set(err, CLV_ERR_NUMERIC, NULL, "EVPPI: the spline fit failed");
		goto cleanup;
	}
	for (k = 0; k < G && rc == CLV_OK; k++) {
		gsl_vector_const_view yk = gsl_vector_const_view_array(y + k * reps, reps);
		gsl_vector_view gk = gsl_vector_view_array(g + k * reps, reps);
		double rnorm, snorm;
		if (gsl_multifit_linear_solve(0.0, X, &yk.vector, c, &rnorm, &snorm, w) != 0)
			rc = diag_set(err, CLV_ERR_NUMERIC, NULL, "EVPPI: the spline fit failed");
		else
			gsl_blas_dgemv(CblasNoTrans, 1.0, X, c, 0.0, &gk.vector);
		rss += rnorm * rnorm;
	}
	*gcv = (double)reps * rss / (((double)reps - (double)p) * ((double)reps - (double)p));
cleanup:
	gsl_bspline_free(bw);
	gsl_vector_free(brk);
	gsl_vector_free(B);
	gsl_vector_free(c);
	gsl_matrix_free(X);
	gsl_multifit_linear_free(w);
	return rc;
}

/* The spline with the smallest GCV (the fewest functions on near-ties):
   its fitted gains into g, its size into *basis. */
static clv_status fit_best_spline(const double *y, size_t G, size_t reps, const double *x,
                                  size_t stride, const double *sorted, double *g, double *trial,
                                  size_t *basis, clv_error *err)
{
	size_t pmax = reps / 20, nbreak;
	double best = INFINITY;

	pmax = pmax > EVPPI_MAX_BASIS ? EVPPI_MAX_BASIS : pmax < 4 ? 4 : pmax;
	*basis = 0;
	for (nbreak = 2; nbreak + 2 <= pmax; nbreak++) {
		clv_error local = {0};
		double gcv = INFINITY;
		clv_status rc = fit_spline(y, G, reps, x, stride, sorted, nbreak, trial, &gcv, &local);
		if (rc == CLV_ERR_NOMEM) {
			*err = local;
			return rc;
		}
		if (rc != CLV_OK || !(gcv < best * (1.0 - 1e-9) || *basis == 0))
			continue;
		best = gcv;
		*basis = nbreak + 2;
		memcpy(g, trial, G * reps * sizeof *g);
	}
	if (*basis == 0)
		return diag_set(err, CLV_ERR_NUMERIC, NULL, "EVPPI: no spline could be fitted");
	return CLV_OK;
}

clv_status whatif_evppi(const double *v, size_t reps, size_t n_arms, const double *x,
                        size_t x_stride, double *evppi, size_t *basis, bool *spline,
                        clv_error *err)
{
	size_t G = n_arms - 1, k, r, d = 0, used = 0;
	double *y = malloc((G * reps + 1) * sizeof *y), *g = malloc((G * reps + 1) * sizeof *g);
	double *trial = malloc((G * reps + 1) * sizeof *trial), *xs = malloc((reps + 1) * sizeof *xs);
	double *sum = malloc((EVPPI_MAX_BASIS + 1) * sizeof *sum);
	size_t *count = malloc((EVPPI_MAX_BASIS + 1) * sizeof *count);
	clv_status rc = CLV_OK;

	*evppi = NAN;
	if (!y || !g || !trial || !xs || !sum || !count) {
		rc = whatif_nomem(err);
		goto cleanup;
	}
	for (k = 0; k < G; k++)
		for (r = 0; r < reps; r++)
			y[k * reps + r] = v[r * n_arms + k + 1] - v[r * n_arms];
	for (r = 0; r < reps; r++)
		xs[r] = x[r * x_stride];
	qsort(xs, reps, sizeof *xs, cmp_double);
	for (r = 0; r < reps; r++) /* the distinct values, at most one past the cap */
		if ((r == 0 || xs[r] != xs[r - 1]) && d++ <= EVPPI_MAX_BASIS)
			trial[d - 1] = xs[r];
	if (d <= EVPPI_MAX_BASIS) {
		fit_groups(y, G, reps, x, x_stride, trial, d, g, sum, count);
		used = d;
	} else {
		rc = fit_best_spline(y, G, reps, x, x_stride, xs, g, trial, &used, err);
	}
	if (rc == CLV_OK)
		*evppi = d <= 1 ? 0.0 : value_of_fit(g, G, reps);
	if (basis != NULL)
		*basis = used;
	if (spline != NULL)
		*spline = d > EVPPI_MAX_BASIS;
cleanup:
	free(y);
	free(g);
	free(trial);
	free(xs);
	free(sum);
	free(count);
	return rc;
}

/* Means, P(best) and EVPI of the table. */
static void decide(const double *v, size_t reps, size_t K, whatif_decision *d)
{
	double sum_max = 0.0;
	size_t r, k;

	for (r = 0; r < reps; r++) {
		const double *row = v + r * K;
		double m = row[0];
		size_t ties = 0;
		for (k = 1; k < K; k++)
			m = fmax(m, row[k]);
		for (k = 0; k < K; k++)
			ties += row[k] == m;
		for (k = 0; k < K; k++) {
			d->mean[k] += row[k];
			if (row[k] == m)
				d->p_best[k] += 1.0 / (double)ties;
		}
		sum_max += m;
	}
	d->best = 0;
	for (k = 0; k < K; k++) {
		d->mean[k] /= (double)reps;
		d->p_best[k] /= (double)reps;
		if (d->mean[k] > d->mean[d->best])
			d->best = k;
	}
	d->evpi = sum_max / (double)reps - d->mean[d->best];
	d->evpi_se = NAN;
	if (reps >= 2) {
		double m = 0.0, m2 = 0.0;
		for (r = 0; r < reps; r++) { /* the regret of choosing best, world by world */
			const double *row = v + r * K;
			double g = -INFINITY;
			for (k = 0; k < K; k++)
				g = fmax(g, row[k]);
			g -= row[d->best];
			m += g;
			m2 += g * g;
		}
		d->evpi_se = sqrt(fmax(0.0, m2 - m * m / (double)reps) / (double)(reps - 1) /
		                  (double)reps);
	}
	for (k = 0; k < K; k++)
		d->p_best_se[k] = sqrt(d->p_best[k] * (1.0 - d->p_best[k]) / (double)reps);
}

clv_status whatif_decision_compute(const double *v, size_t reps, size_t n_arms,
                                   const double *x, size_t n_inputs, char *const *names,
                                   whatif_decision *d, clv_error *err)
{
	size_t j;
	clv_status rc = CLV_OK;

	memset(d, 0, sizeof *d);
	if (n_arms < 2 || reps == 0)
		return diag_set(err, CLV_ERR_USAGE, NULL, "a decision needs two scenarios and a "
		                "replication");
	d->n_arms = n_arms;
	d->reps = reps;
	d->mean = calloc(n_arms, sizeof *d->mean);
	d->p_best = calloc(n_arms, sizeof *d->p_best);
	d->p_best_se = calloc(n_arms, sizeof *d->p_best_se);
	d->input = calloc(n_inputs + 1, sizeof *d->input);
	d->evppi = calloc(n_inputs + 1, sizeof *d->evppi);
	d->basis = calloc(n_inputs + 1, sizeof *d->basis);
	d->spline = calloc(n_inputs + 1, sizeof *d->spline);
	if (!d->mean || !d->p_best || !d->p_best_se || !d->input || !d->evppi || !d->basis || !d->spline)
		return whatif_nomem(err);
	for (j = 0; j < n_inputs; j++) {
		if ((d->input[j] = strdup(names[j])) == NULL)
			return whatif_nomem(err);
		d->n_inputs = j + 1;
	}
	decide(v, reps, n_arms, d);
	d->evppi_done = reps >= EVPPI_MIN_REPLICATIONS;
	for (j = 0; j < n_inputs; j++) {
		d->evppi[j] = NAN;
		if (d->evppi_done && rc == CLV_OK)
			rc = whatif_evppi(v, reps, n_arms, x + j, n_inputs, &d->evppi[j], &d->basis[j],
			                  &d->spline[j], err);
	}
	return rc;
}
