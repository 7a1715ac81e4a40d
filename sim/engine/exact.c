/*
 * exact.c - the exact engine.
 *
 * Method. Let u_t be the distribution of the customer's state at the start
 * of period t (the state of its first purchase in t); u_0 = initial. With
 * N purchases in a period (N = F, or N ~ Poisson(F)), each a step of the
 * chain P, the next period starts from u_{t+1} = u_t E with E = E[P^N],
 * and the expected purchases made in each state during period t are
 * x_t = u_t W with W = sum_k P(N > k) P^k. Then
 *
 *   CLV_i = sum_t [ (1+g)^t / (1+r)^t  x_t[i] R_i  -  u_t[i] C_i / (1+r)^t ]
 *   offer spend = sum_{t < K} [ u_t . O / (1+r)^t
 *                               + (1+g)^t / (1+r)^t  x_t . (R - R') ]
 *   total = sum_i CLV_i - offer spend - acquisition
 *
 * (R margin per purchase at full price, C a state's own cost to serve per
 * period, O what the offers cost per period for a customer starting the
 * period in each state, R' the margin after a price discount's cut, g
 * spend growth, r discount rate, K the offer periods). For F = 1 this is
 * docs/theory.md section 3: S_t = S_0 P^t. Offers use their own matrices
 * (E, W) for periods t < K; what they cost, their cost and the margin a
 * discount gives up, is the offer spend, kept apart from the states' CLV.
 * The value by starting state (exact_value.c) and the customer base
 * (equity.c) are computed from the same phases.
 *
 * Infinite horizon: after the last offer period K the tail is a geometric
 * matrix series, summed in closed form:
 *   sum_{s>=0} a^s u_K E^s = u_K (I - a E)^-1,
 * solved with GSL's LU decomposition (never an explicit inverse).
 *
 * Steady state: the Cesaro limit of u_0 P^t, computed as u_0 Q^inf with
 * the lazy chain Q = (I + P) / 2 (same stationary distributions, but
 * aperiodic) by repeated squaring with gsl_blas_dgemm.
 *
 * Sums over periods use Neumaier's compensated summation, so thousands of
 * small discounted terms keep their accuracy. Discount factors are
 * computed as exp(t * (log1p(g) - log1p(r))): no repeated products, no
 * overflow; at long horizons they fall smoothly to 0.
 */
#include "engine/exact.h"
#include "engine/exact_internal.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>

#include "engine/model.h"
#include "base/stats.h"

void exact_free(exact_result *r)
{
	if (r == NULL)
		return;
	free(r->share);
	free(r->clv);
	free(r->margin);
	free(r->cost);
	free(r->steady);
	free(r->value);
	free(r->equity);
	free(r->cohort);
	free(r->customers);
	free(r);
}

exact_result *exact_result_create(size_t n, long periods)
{
	exact_result *r = calloc(1, sizeof *r);
	size_t cells = (size_t)(periods + 1) * n;

	if (r == NULL)
		return NULL;
	r->n = n;
	r->periods = periods;
	r->share = calloc(cells, sizeof *r->share);
	r->clv = calloc(n + 1, sizeof *r->clv);
	r->margin = calloc(n, sizeof *r->margin);
	r->cost = calloc(n, sizeof *r->cost);
	r->steady = calloc(n, sizeof *r->steady);
	r->value = calloc(n, sizeof *r->value);
	r->equity = calloc(EXACT_EQUITY_LEN(n), sizeof *r->equity);
	r->cohort = calloc(EXACT_EQUITY_LEN(n), sizeof *r->cohort);
	r->customers = calloc(cells, sizeof *r->customers);
	if (!r->share || !r->clv || !r->margin || !r->cost || !r->steady || !r->value ||
	    !r->equity || !r->cohort || !r->customers) {
		exact_free(r);
		return NULL;
	}
	return r;
}

void exact_row_times(const double *u, const double *A, size_t n, double *out)
{
	size_t i, j;

	for (j = 0; j < n; j++)
		out[j] = 0.0;
	for (i = 0; i < n; i++) {
		double ui = u[i];
		if (ui == 0.0)
			continue;
		for (j = 0; j < n; j++)
			out[j] += ui * A[i * n + j];
	}
}

/* C = A B, all n * n. */
static void mat_mul(const double *A, const double *B, double *C, size_t n)
{
	gsl_matrix_const_view a = gsl_matrix_const_view_array(A, n, n);
	gsl_matrix_const_view b = gsl_matrix_const_view_array(B, n, n);
	gsl_matrix_view c = gsl_matrix_view_array(C, n, n);

	gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, &a.matrix, &b.matrix, 0.0, &c.matrix);
}

/* Largest purchase count worth summing for Poisson(F): past it the tail
   probability is below 1e-17. */
static unsigned poisson_last(double F)
{
	unsigned k = (unsigned)(F + 10.0 * sqrt(F) + 20.0);

	while (gsl_cdf_poisson_Q(k, F) > 1e-17)
		k += 1 + k / 8;
	return k;
}

clv_status exact_period_matrices(const double *P, size_t n, double F, int poisson,
                                 double *E, double *W, clv_error *err)
{
	double *Pk = malloc(n * n * sizeof *Pk), *tmp = malloc(n * n * sizeof *tmp);
	unsigned k, last = poisson ? poisson_last(F) : (unsigned)llround(F);
	size_t i;

	if (Pk == NULL || tmp == NULL) {
		free(Pk);
		free(tmp);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
	}
	memset(Pk, 0, n * n * sizeof *Pk);
	for (i = 0; i < n; i++)
		Pk[i * n + i] = 1.0;
	memset(E, 0, n * n * sizeof *E);
	memset(W, 0, n * n * sizeof *W);
	for (k = 0; k <= last; k++) {
		/* P(N = k) and P(N > k) */
		double p_eq = poisson ? gsl_ran_poisson_pdf(k, F) : (k == last);
		double p_gt = poisson ? gsl_cdf_poisson_Q(k, F) : (k < last);
		for (i = 0; i < n * n; i++) {
			E[i] += p_eq * Pk[i];
			W[i] += p_gt * Pk[i];
		}
		if (k < last) {
			mat_mul(Pk, P, tmp, n);
			memcpy(Pk, tmp, n * n * sizeof *Pk);
		}
	}
	free(Pk);
	free(tmp);
	return CLV_OK;
}

typedef exact_phase phase;

long exact_tail_start(const clv_model *m)
{
	return m->offer_periods == LONG_MAX ? 0 : m->offer_periods;
}

const exact_phase *exact_phase_at(const clv_model *m, const exact_phase *base,
                                  const exact_phase *offer, long t)
{
	return t < m->offer_periods ? offer : base;
}

const exact_phase *exact_phase_tail(const clv_model *m, const exact_phase *base,
                                    const exact_phase *offer)
{
	return m->offer_periods == LONG_MAX ? offer : base;
}

double exact_disc(const clv_model *m, long t)
{
	return exp(-(double)t * log1p(m->discount));
}

double exact_grow(const clv_model *m, long t)
{
	return exp((double)t * (log1p(m->growth) - log1p(m->discount)));
}

static clv_status phase_init(phase *ph, const clv_model *m, int offer, clv_error *err)
{
	size_t n = m->n;

	size_t i;

	ph->P = offer ? m->P_offer : m->P;
	ph->margin = m->margin; /* a state's margin at full price, offers or not */
	ph->cost = offer ? m->cost_offer : m->cost;
	ph->spend = offer ? m->offer_cost : NULL;
	ph->E = malloc(n * n * sizeof *ph->E);
	ph->W = malloc(n * n * sizeof *ph->W);
	ph->forgone = offer ? calloc(n, sizeof *ph->forgone) : NULL;
	if (ph->E == NULL || ph->W == NULL || (offer && ph->forgone == NULL))
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
	for (i = 0; offer && i < n; i++)
		ph->forgone[i] = m->margin[i] - m->margin_offer[i];
	return exact_period_matrices(ph->P, n, m->purchases, m->poisson, ph->E, ph->W, err);
}

static void phase_free(phase *ph)
{
	free(ph->E);
	free(ph->W);
	free(ph->forgone);
}

/* Accumulators of the sums over periods. */
typedef struct sums {
	stats_ksum *margin, *cost; /* n each */
	stats_ksum spend;          /* the offers' cost and forgone margin */
} sums;

/* Add period t's contribution, starting from distribution u. */
static void add_period(const clv_model *m, const phase *ph, long t, const double *u,
                       double *x, sums *acc)
{
	size_t i, n = m->n;
	double disc = exact_disc(m, t), grow = exact_grow(m, t);

	exact_row_times(u, ph->W, n, x);
	for (i = 0; i < n; i++) {
		stats_ksum_add(&acc->margin[i], grow * x[i] * ph->margin[i]);
		stats_ksum_add(&acc->cost[i], disc * u[i] * ph->cost[i]);
		if (ph->spend != NULL)
			stats_ksum_add(&acc->spend, disc * u[i] * ph->spend[i] +
			                            grow * x[i] * ph->forgone[i]);
	}
}

clv_status exact_geometric(const double *u, const double *E, double a, size_t n, bool column,
                           double *y, clv_error *err)
{
	gsl_matrix *A = gsl_matrix_alloc(n, n);
	gsl_permutation *perm = gsl_permutation_alloc(n);
	gsl_vector_const_view b = gsl_vector_const_view_array(u, n);
	gsl_vector_view x = gsl_vector_view_array(y, n);
	clv_status rc = CLV_OK;
	size_t i, j;
	int sign;

	if (A == NULL || perm == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	/* row: (I - aE)^T y^T = u^T; column: (I - aE) y = u */
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			gsl_matrix_set(A, column ? i : j, column ? j : i, (i == j) - a * E[i * n + j]);
	if (gsl_linalg_LU_decomp(A, perm, &sign) != 0 ||
	    gsl_linalg_LU_solve(A, perm, &b.vector, &x.vector) != 0)
		rc = diag_set(err, CLV_ERR_NUMERIC, NULL,
		              "the infinite-horizon system (I - P/(1+r)) is singular");
cleanup:
	gsl_matrix_free(A);
	gsl_permutation_free(perm);
	return rc;
}

/* The tail t >= K of an infinite horizon, from u = u_K. */
static clv_status add_tail(const clv_model *m, const phase *ph, long K, const double *u,
                           sums *acc, clv_error *err)
{
	size_t i, n = m->n;
	double a_cost = 1.0 / (1.0 + m->discount);
	double a_margin = (1.0 + m->growth) / (1.0 + m->discount);
	double disc = exact_disc(m, K), grow = exact_grow(m, K);
	double *y = malloc(n * sizeof *y), *x = malloc(n * sizeof *x);
	clv_status rc = CLV_OK;

	if (y == NULL || x == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	if (!(a_margin < 1.0) || !(a_cost < 1.0)) {
		rc = diag_set(err, CLV_ERR_INPUT, NULL,
		              "an infinite horizon needs a discount rate above the spend "
		              "growth (here r = %g, growth = %g): the CLV would be infinite",
		              m->discount, m->growth);
		goto cleanup;
	}
	rc = exact_geometric(u, ph->E, a_margin, n, false, y, err);
	if (rc != CLV_OK)
		goto cleanup;
	exact_row_times(y, ph->W, n, x);
	for (i = 0; i < n; i++) {
		stats_ksum_add(&acc->margin[i], grow * x[i] * ph->margin[i]);
		if (ph->spend != NULL)
			stats_ksum_add(&acc->spend, grow * x[i] * ph->forgone[i]);
	}
	rc = exact_geometric(u, ph->E, a_cost, n, false, y, err);
	for (i = 0; i < n && rc == CLV_OK; i++) {
		stats_ksum_add(&acc->cost[i], disc * y[i] * ph->cost[i]);
		if (ph->spend != NULL)
			stats_ksum_add(&acc->spend, disc * y[i] * ph->spend[i]);
	}
cleanup:
	free(y);
	free(x);
	return rc;
}

/* Rounding makes the row sums of a squared stochastic matrix drift from 1
   by ~1e-16, and squaring doubles the drift each time: pull them back. */
static void normalise_rows(double *Q, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double sum = 0.0;
		for (j = 0; j < n; j++)
			sum += Q[i * n + j];
		for (j = 0; j < n; j++)
			Q[i * n + j] /= sum;
	}
}

/* steady = u0 * lim ((I + P)/2)^(2^k). */
static clv_status steady_state(const double *P, const double *u0, size_t n, double *steady,
                               clv_error *err)
{
	double *Q = malloc(n * n * sizeof *Q), *Q2 = malloc(n * n * sizeof *Q2);
	size_t i;
	int k;

	if (Q == NULL || Q2 == NULL) {
		free(Q);
		free(Q2);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
	}
	for (i = 0; i < n * n; i++)
		Q[i] = 0.5 * P[i] + 0.5 * (i % (n + 1) == 0);
	for (k = 0; k < 80; k++) {
		double change = 0.0;
		mat_mul(Q, Q, Q2, n);
		normalise_rows(Q2, n);
		for (i = 0; i < n * n; i++)
			change = fmax(change, fabs(Q2[i] - Q[i]));
		memcpy(Q, Q2, n * n * sizeof *Q);
		if (change < 1e-14)
			break;
	}
	exact_row_times(u0, Q, n, steady);
	free(Q);
	free(Q2);
	return CLV_OK;
}

exact_result *exact_run(const clv_model *m, long share_periods, clv_error *err)
{
	size_t n = m->n, i;
	long T = m->infinite ? share_periods : m->horizon, K = m->offer_periods, t;
	long last = m->infinite ? exact_tail_start(m) : T + 1; /* periods summed one by one */
	exact_result *r = exact_result_create(n, T);
	phase base = {0}, offer = {0};
	stats_ksum *ks = calloc(2 * n, sizeof *ks);
	sums acc = {ks, ks + n, {0.0, 0.0}};
	double *u = malloc(n * sizeof *u), *x = malloc(n * sizeof *x), *next = malloc(n * sizeof *next);
	clv_status rc = CLV_OK;

	if (r == NULL || ks == NULL || u == NULL || x == NULL || next == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	rc = phase_init(&base, m, 0, err);
	if (rc == CLV_OK)
		rc = phase_init(&offer, m, 1, err);
	if (rc != CLV_OK)
		goto cleanup;
	memcpy(u, m->initial, n * sizeof *u);
	for (t = 0; t < (last > T + 1 ? last : T + 1); t++) {
		const phase *ph = t < K ? &offer : &base;
		if (t <= T)
			memcpy(r->share + (size_t)t * n, u, n * sizeof *u);
#ifdef CLV_DEBUG
		{ /* invariant: u is a distribution */
			double total = 0.0;
			for (i = 0; i < n; i++)
				total += u[i];
			assert(fabs(total - 1.0) < 1e-9);
		}
#endif
		if (t < last)
			add_period(m, ph, t, u, x, &acc);
		exact_row_times(u, ph->E, n, next);
		memcpy(u, next, n * sizeof *u);
	}
	if (m->infinite) {
		/* restart from u_K to sum the tail in closed form */
		long k0 = last;
		memcpy(u, m->initial, n * sizeof *u);
		for (t = 0; t < k0; t++) {
			exact_row_times(u, (t < K ? &offer : &base)->E, n, next);
			memcpy(u, next, n * sizeof *u);
		}
		rc = add_tail(m, K == LONG_MAX ? &offer : &base, k0, u, &acc, err);
		if (rc != CLV_OK)
			goto cleanup;
	}
	r->offer_spend = stats_ksum_value(&acc.spend);
	r->clv[n] = -m->acquisition - r->offer_spend;
	for (i = 0; i < n; i++) {
		r->margin[i] = stats_ksum_value(&acc.margin[i]);
		r->cost[i] = stats_ksum_value(&acc.cost[i]);
		r->clv[i] = r->margin[i] - r->cost[i];
		r->clv[n] += r->clv[i];
	}
	rc = steady_state(K == LONG_MAX ? m->P_offer : m->P, m->initial, n, r->steady, err);
	if (rc == CLV_OK)
		rc = exact_value(m, &base, &offer, r, err);
	if (rc == CLV_OK)
		rc = exact_equity(m, &base, &offer, r, err);
cleanup:
	phase_free(&base);
	phase_free(&offer);
	free(ks);
	free(u);
	free(x);
	free(next);
	if (rc != CLV_OK) {
		exact_free(r);
		return NULL;
	}
	return r;
}

void exact_result_add(exact_result *a, const exact_result *b, double w)
{
	size_t n = a->n, i;

	for (i = 0; i < (size_t)(a->periods + 1) * n; i++)
		a->share[i] += w * b->share[i];
	for (i = 0; i < n; i++) {
		a->margin[i] += w * b->margin[i];
		a->cost[i] += w * b->cost[i];
		a->steady[i] += w * b->steady[i];
	}
	for (i = 0; i <= n; i++)
		a->clv[i] += w * b->clv[i];
	for (i = 0; i < n; i++)
		a->value[i] += w * b->value[i];
	for (i = 0; i < EXACT_EQUITY_LEN(n); i++) {
		a->equity[i] += w * b->equity[i];
		a->cohort[i] += w * b->cohort[i];
	}
	for (i = 0; i < (size_t)(a->periods + 1) * n; i++)
		a->customers[i] += w * b->customers[i];
	a->offer_spend += w * b->offer_spend;
	a->has_base = a->has_base || b->has_base;
}

static exact_result *exact_one(clv_scenario *s, long share_periods, clv_error *err)
{
	clv_model *m = model_at_means(s, err);
	exact_result *r = m ? exact_run(m, share_periods, err) : NULL;

	model_free(m);
	return r;
}

exact_result *exact_scenario(clv_scenario *s, long share_periods, clv_error *err)
{
	exact_result *mix, *part;
	size_t k;

	if (s->n_segments == 0)
		return exact_one(s, share_periods, err);
	mix = exact_result_create(s->n, s->infinite ? share_periods : s->horizon);
	if (mix == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		return NULL;
	}
	for (k = 0; k < s->n_segments; k++) {
		part = exact_one(s->segments[k], share_periods, err);
		if (part == NULL || part->periods != mix->periods) {
			if (part != NULL)
				diag_set(err, CLV_ERR_INPUT, NULL, "segment \"%s\" has a different horizon",
				         s->segment_name[k]);
			exact_free(part);
			exact_free(mix);
			return NULL;
		}
		exact_result_add(mix, part, s->segment_weight[k]);
		exact_free(part);
	}
	return mix;
}
