/*
 * sample.c - the outer sampling design: uniforms u[r * k + j] for
 * replication r and assumption column j (contract in sample.h).
 *
 * Invariants: every u is strictly inside (0, 1); the design depends only
 * on (seed, reps, k, method, correlations), never on threads or timing;
 * reordering for correlations permutes values within a column, so every
 * column keeps its multiset of values (its marginal).
 *
 * Method.
 *   - SAMPLE_MC: u[r][j] is the first uniform (rng_uniform, 53 bits, a
 *     zero redrawn) of rng_keyed_stream(seed, keys[j], r, UINT64_MAX),
 *     the stream of column j's assumption in replication r: it depends
 *     on neither reps nor the other columns.
 *   - SAMPLE_LHS (McKay, Beckman & Conover, Technometrics 21, 1979):
 *     column j uses the stream rng_keyed_stream(seed, keys[j], UINT64_MAX,
 *     UINT64_MAX) (a replication number no run reaches): a Fisher-Yates
 *     permutation of
 *     the strata 0..reps-1 (rng_bounded), then u = (stratum + v) / reps
 *     with v uniform in (0, 1); floor(u * reps) is exactly the stratum
 *     (nudged by one ulp where rounding would cross a boundary).
 *   - Correlations (Iman & Conover, Commun. Statist. B11, 1982), on the
 *     m columns named in at least one pair (the other columns are left as
 *     they are; pairs not listed among the m target 0):
 *       1. target C: the Spearman targets as Pearson correlations of
 *          normal scores, 2 sin(pi rho / 6) (exact for a bivariate
 *          normal), Cholesky C = P P^T (gsl_linalg_cholesky_decomp1;
 *          failure = not positive definite = CLV_ERR_INPUT);
 *       2. scores R (reps x m): van der Waerden scores
 *          Phi^-1(q / (reps + 1)), q = 1..reps, placed in each column in
 *          the rank order of that column's uniforms;
 *       3. the scores' own correlation E = Q Q^T is corrected for:
 *          T = R Q^-T P^T, whose sample correlation is exactly C (if E is
 *          not positive definite, as with very few rows, Q = I);
 *       4. each column's uniforms are reordered to the ranks of T's
 *          column.
 *     GSL's error handler must be off (as main() does): a failed Cholesky
 *     comes back as a status.
 */
#include "engine/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_statistics_double.h>

#include "base/rng.h"

/* A value and the row it came from, to sort a column. */
typedef struct ranked {
	double v;
	size_t row;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
	const ranked *a = pa, *b = pb;

	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

/* tmp[q] = the q-th smallest of column j of x (rows x cols), ties by row. */
static void sort_column(const double *x, size_t rows, size_t cols, size_t j, ranked *tmp)
{
	size_t r;

	for (r = 0; r < rows; r++) {
		tmp[r].v = x[r * cols + j];
		tmp[r].row = r;
	}
	qsort(tmp, rows, sizeof *tmp, cmp_ranked);
}

/* A uniform strictly inside (0, 1). */
static double open_uniform(rng_pcg32 *g)
{
	double u;

	do
		u = rng_uniform(g);
	while (u == 0.0);
	return u;
}

/* ---- plain Monte Carlo and Latin hypercube ------------------------------ */

static void design_mc(double *u, size_t reps, size_t k, const uint64_t *keys, uint64_t seed)
{
	rng_pcg32 g;
	size_t r, j;

	for (r = 0; r < reps; r++)
		for (j = 0; j < k; j++) {
			rng_keyed_stream(&g, seed, keys[j], r, UINT64_MAX);
			u[r * k + j] = open_uniform(&g);
		}
}

/* (stratum + v) / reps, moved by ulps so that floor(u * reps) == stratum. */
static double in_stratum(uint32_t stratum, double v, size_t reps)
{
	double n = (double)reps, x = ((double)stratum + v) / n;

	while (x > 0.0 && floor(x * n) > (double)stratum)
		x = nextafter(x, 0.0);
	while (floor(x * n) < (double)stratum || x <= 0.0)
		x = nextafter(x, 1.0);
	return x;
}

static void lhs_column(double *u, size_t reps, size_t k, size_t j, uint64_t key, uint64_t seed,
                       uint32_t *perm)
{
	rng_pcg32 g;
	size_t i, r;

	rng_keyed_stream(&g, seed, key, UINT64_MAX, UINT64_MAX);
	for (i = 0; i < reps; i++)
		perm[i] = (uint32_t)i;
	for (i = reps - 1; i > 0; i--) {
		uint32_t s = rng_bounded(&g, (uint32_t)(i + 1)), t = perm[i];
		perm[i] = perm[s];
		perm[s] = t;
	}
	for (r = 0; r < reps; r++)
		u[r * k + j] = in_stratum(perm[r], open_uniform(&g), reps);
}

static clv_status design_lhs(double *u, size_t reps, size_t k, const uint64_t *keys,
                             uint64_t seed, clv_error *err)
{
	uint32_t *perm = malloc(reps * sizeof *perm);
	size_t j;

	if (perm == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for a Latin hypercube design");
	for (j = 0; j < k; j++)
		lhs_column(u, reps, k, j, keys[j], seed, perm);
	free(perm);
	return CLV_OK;
}

/* ---- Iman-Conover ---------------------------------------------------------- */

/* The columns named by some pair: cols[0..*m-1], and at[col] = its index
   among them (SIZE_MAX when not named). */
static void active_columns(size_t k, const sample_corr *corr, size_t n_corr,
                           size_t *cols, size_t *at, size_t *m)
{
	size_t c, j;

	for (j = 0; j < k; j++)
		at[j] = SIZE_MAX;
	*m = 0;
	for (c = 0; c < n_corr; c++) {
		if (at[corr[c].i] == SIZE_MAX) {
			at[corr[c].i] = *m;
			cols[(*m)++] = corr[c].i;
		}
		if (at[corr[c].j] == SIZE_MAX) {
			at[corr[c].j] = *m;
			cols[(*m)++] = corr[c].j;
		}
	}
}

/* Cholesky factor of the target (normal-score) correlation matrix. */
static clv_status target_factor(gsl_matrix *C, const sample_corr *corr, size_t n_corr,
                                const size_t *at, clv_error *err)
{
	size_t c;

	gsl_matrix_set_identity(C);
	for (c = 0; c < n_corr; c++) {
		double r = 2.0 * sin(M_PI * corr[c].rho / 6.0);
		gsl_matrix_set(C, at[corr[c].i], at[corr[c].j], r);
		gsl_matrix_set(C, at[corr[c].j], at[corr[c].i], r);
	}
	if (gsl_linalg_cholesky_decomp1(C) != GSL_SUCCESS)
		return diag_set(err, CLV_ERR_INPUT, NULL,
		                "the rank correlations contradict each other: their matrix is not "
		                "positive definite");
	return CLV_OK;
}

/* R (reps x m): van der Waerden scores in the rank order of u's columns. */
static void score_matrix(const double *u, size_t reps, size_t k, const size_t *cols, size_t m,
                         double *R, ranked *tmp)
{
	size_t j, q;

	for (j = 0; j < m; j++) {
		sort_column(u, reps, k, cols[j], tmp);
		for (q = 0; q < reps; q++)
			R[tmp[q].row * m + j] = gsl_cdf_ugaussian_Pinv((double)(q + 1) / (double)(reps + 1));
	}
}

/* E: the sample correlation of R's columns (all permutations of the same
   scores, so one mean and one variance), factored as Q Q^T; the identity
   when that fails. */
static void score_factor(const double *R, size_t reps, size_t m, gsl_matrix *E)
{
	double mean = 0.0, var = 0.0;
	size_t a, b, r;

	for (r = 0; r < reps; r++)
		mean += R[r * m];
	mean /= (double)reps;
	for (r = 0; r < reps; r++)
		var += (R[r * m] - mean) * (R[r * m] - mean);
	for (a = 0; a < m; a++)
		for (b = 0; b <= a; b++) {
			double s = 0.0;
			for (r = 0; r < reps; r++)
				s += (R[r * m + a] - mean) * (R[r * m + b] - mean);
			gsl_matrix_set(E, a, b, s / var);
			gsl_matrix_set(E, b, a, s / var);
		}
	if (gsl_linalg_cholesky_decomp1(E) != GSL_SUCCESS)
		gsl_matrix_set_identity(E);
}

/* R := R M with M = Q^-T P^T (upper triangular), row by row in place.
   On entry M holds P in its lower triangle (gsl_linalg_cholesky_decomp1
   leaves the original matrix above the diagonal); it is made P^T first. */
static void transform_scores(double *R, size_t reps, size_t m, const gsl_matrix *Q,
                             gsl_matrix *M)
{
	size_t r, i, j;

	for (i = 0; i < m; i++)
		for (j = 0; j < i; j++) {
			gsl_matrix_set(M, j, i, gsl_matrix_get(M, i, j));
			gsl_matrix_set(M, i, j, 0.0);
		}
	gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, Q, M);
	for (r = 0; r < reps; r++) {
		double *row = R + r * m;
		for (j = m; j-- > 0;) {
			double s = 0.0;
			for (i = 0; i <= j; i++)
				s += row[i] * gsl_matrix_get(M, i, j);
			row[j] = s;
		}
	}
}

/* Column cols[j] of u takes its own sorted values in the rank order of
   column j of T. */
static void reorder_columns(double *u, size_t reps, size_t k, const size_t *cols, size_t m,
                            const double *T, ranked *tmp, double *sorted)
{
	size_t j, q;

	for (j = 0; j < m; j++) {
		sort_column(u, reps, k, cols[j], tmp);
		for (q = 0; q < reps; q++)
			sorted[q] = tmp[q].v;
		sort_column(T, reps, m, j, tmp);
		for (q = 0; q < reps; q++)
			u[tmp[q].row * k + cols[j]] = sorted[q];
	}
}

static clv_status impose_correlation(double *u, size_t reps, size_t k, const sample_corr *corr,
                                     size_t n_corr, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t m, *cols = malloc(2 * n_corr * sizeof *cols), *at = malloc(k * sizeof *at);
	gsl_matrix *C = NULL, *E = NULL;
	double *R = NULL, *sorted = NULL;
	ranked *tmp = NULL;

	if (cols == NULL || at == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for correlations");
		goto cleanup;
	}
	active_columns(k, corr, n_corr, cols, at, &m);
	C = gsl_matrix_alloc(m, m);
	E = gsl_matrix_alloc(m, m);
	if (C == NULL || E == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for correlations");
		goto cleanup;
	}
	if ((rc = target_factor(C, corr, n_corr, at, err)) != CLV_OK || reps < 3)
		goto cleanup;
	R = malloc(reps * m * sizeof *R);
	sorted = malloc(reps * sizeof *sorted);
	tmp = malloc(reps * sizeof *tmp);
	if (R == NULL || sorted == NULL || tmp == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for correlations");
		goto cleanup;
	}
	score_matrix(u, reps, k, cols, m, R, tmp);
	score_factor(R, reps, m, E);
	transform_scores(R, reps, m, E, C);
	reorder_columns(u, reps, k, cols, m, R, tmp, sorted);
cleanup:
	free(tmp);
	free(sorted);
	free(R);
	if (E != NULL)
		gsl_matrix_free(E);
	if (C != NULL)
		gsl_matrix_free(C);
	free(at);
	free(cols);
	return rc;
}

/* ---- the design ------------------------------------------------------------- */

static clv_status check_args(uint64_t reps, size_t k, sample_method method,
                             const sample_corr *corr, size_t n_corr, clv_error *err)
{
	size_t c;

	if (method != SAMPLE_MC && method != SAMPLE_LHS)
		return diag_set(err, CLV_ERR_INPUT, NULL, "unknown sampling method %d", (int)method);
	if (reps > UINT32_MAX || reps > SIZE_MAX / (k > 0 ? k : 1))
		return diag_set(err, CLV_ERR_LIMIT, NULL, "too many replications for one design");
	for (c = 0; c < n_corr; c++) {
		if (corr[c].i >= k || corr[c].j >= k || corr[c].i == corr[c].j)
			return diag_set(err, CLV_ERR_INPUT, NULL,
			                "correlation %zu: columns %zu and %zu are not two of the %zu "
			                "uncertain assumptions", c, corr[c].i, corr[c].j, k);
		if (!(corr[c].rho > -1.0 && corr[c].rho < 1.0))
			return diag_set(err, CLV_ERR_INPUT, NULL,
			                "correlation %zu: rho = %g must lie strictly between -1 and 1",
			                c, corr[c].rho);
	}
	return CLV_OK;
}

clv_status sample_design(double *u, uint64_t reps, size_t k, const uint64_t *keys,
                         sample_method method,
                         uint64_t seed, const sample_corr *corr, size_t n_corr,
                         clv_error *err)
{
	clv_status rc = check_args(reps, k, method, corr, n_corr, err);

	if (rc != CLV_OK || reps == 0 || k == 0)
		return rc;
	if (method == SAMPLE_LHS)
		rc = design_lhs(u, (size_t)reps, k, keys, seed, err);
	else
		design_mc(u, (size_t)reps, k, keys, seed);
	if (rc == CLV_OK && n_corr > 0)
		rc = impose_correlation(u, (size_t)reps, k, corr, n_corr, err);
	return rc;
}

/* rank[r] = 1-based rank of row r in column j, ties given their mean rank. */
static void average_ranks(const double *u, size_t reps, size_t k, size_t j, double *rank,
                          ranked *tmp)
{
	size_t q = 0, e, t;

	sort_column(u, reps, k, j, tmp);
	while (q < reps) {
		for (e = q + 1; e < reps && tmp[e].v == tmp[q].v; e++)
			;
		for (t = q; t < e; t++)
			rank[tmp[t].row] = 0.5 * (double)(q + e - 1) + 1.0;
		q = e;
	}
}

double sample_rank_correlation(const double *u, uint64_t reps, size_t k, size_t i, size_t j)
{
	size_t n = (size_t)reps;
	double *ri = malloc(n * sizeof *ri), *rj = malloc(n * sizeof *rj), rho = NAN;
	ranked *tmp = malloc(n * sizeof *tmp);

	if (ri != NULL && rj != NULL && tmp != NULL && n >= 2) {
		average_ranks(u, n, k, i, ri, tmp);
		average_ranks(u, n, k, j, rj, tmp);
		rho = gsl_stats_correlation(ri, 1, rj, 1, n);
	}
	free(tmp);
	free(rj);
	free(ri);
	return rho;
}
