/*
 * exact_value.c - the value by starting state (stage: engine; contract
 * in exact_internal.h): value_i, the expected CLV before acquisition of
 * a customer whose state at period 0 is i.
 *
 * Method: a backward pass over the periods. With c_t the column of what
 * period t earns from each state at its start,
 *
 *   c_t[i] = (1+g)^t/(1+r)^t (W_t R'_t)[i] - (C_t[i] + O_t[i]) / (1+r)^t
 *
 * (W_t the expected purchases in each state during the period, R'_t the
 * margins net of a price discount's cut, C_t the state's own cost, O_t
 * the offers' cost: the states' CLV less the offer spend), the value
 * vector is V_0 with V_{T+1} = 0 and V_t = c_t + E_t V_{t+1}, which is
 * sum_t P^t r_t d^t written as a recursion (E_t = P^F for F purchases a
 * period). For an infinite horizon, from the first period K after the
 * offers, V_K is the geometric series in closed form:
 *
 *   V_K = (1+g)^K/(1+r)^K (I - aE)^-1 W R' - (1+r)^-K (I - bE)^-1 (C + O),
 *
 * a = (1+g)/(1+r), b = 1/(1+r), each solved by LU (exact_geometric). By
 * linearity, sum_i initial_i V_0[i] - acquisition is the total CLV of the
 * forward pass (to rounding): tests/test_exact.c checks both ways.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/exact_internal.h"

/* A purchase's margin in state j in phase ph, net of a discount's cut. */
static double net_margin(const exact_phase *ph, size_t j)
{
	return ph->margin[j] - (ph->forgone ? ph->forgone[j] : 0.0);
}

/* wr = W R' of phase ph: the margin of one period from each state
   (before growth and discounting). */
static void margin_column(const exact_phase *ph, size_t n, double *wr)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		wr[i] = 0.0;
		for (j = 0; j < n; j++)
			wr[i] += ph->W[i * n + j] * net_margin(ph, j);
	}
}

/* c = the money of one period of phase ph from each state (wr its margin
   column): margin part times grow, cost part times disc. */
static void period_column(const exact_phase *ph, const double *wr, size_t n, double grow,
                          double disc, double *c)
{
	size_t i;

	for (i = 0; i < n; i++)
		c[i] = grow * wr[i] - disc * (ph->cost[i] + (ph->spend ? ph->spend[i] : 0.0));
}

/* V = c + E V (in place; scratch tmp of n). */
static void step_back(const exact_phase *ph, size_t n, const double *c, double *V, double *tmp)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double ev = 0.0;
		for (j = 0; j < n; j++)
			ev += ph->E[i * n + j] * V[j];
		tmp[i] = c[i] + ev;
	}
	memcpy(V, tmp, n * sizeof *V);
}

/* The tail t >= K of an infinite horizon as the column V_K. */
static clv_status tail_column(const clv_model *m, const exact_phase *ph, long K, double *V,
                              double *tmp, clv_error *err)
{
	size_t i, j, n = m->n;
	double a = (1.0 + m->growth) / (1.0 + m->discount), b = 1.0 / (1.0 + m->discount);
	double *y = malloc(n * sizeof *y);
	clv_status rc;

	if (y == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
	for (i = 0; i < n; i++) {
		tmp[i] = 0.0;
		for (j = 0; j < n; j++)
			tmp[i] += ph->W[i * n + j] * net_margin(ph, j);
	}
	rc = exact_geometric(tmp, ph->E, a, n, true, V, err);
	for (i = 0; i < n && rc == CLV_OK; i++)
		tmp[i] = ph->cost[i] + (ph->spend ? ph->spend[i] : 0.0);
	if (rc == CLV_OK)
		rc = exact_geometric(tmp, ph->E, b, n, true, y, err);
	for (i = 0; i < n && rc == CLV_OK; i++)
		V[i] = exact_grow(m, K) * V[i] - exact_disc(m, K) * y[i];
	free(y);
	return rc;
}

clv_status exact_value(const clv_model *m, const exact_phase *base, const exact_phase *offer,
                       exact_result *r, clv_error *err)
{
	size_t n = m->n;
	long t, first = m->infinite ? exact_tail_start(m) : m->horizon + 1;
	double *V = calloc(n, sizeof *V), *c = malloc(n * sizeof *c), *tmp = malloc(n * sizeof *tmp);
	double *wr = malloc(2 * n * sizeof *wr); /* W R' of the base phase, then the offers' */
	clv_status rc = CLV_OK;

	if (V == NULL || c == NULL || tmp == NULL || wr == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	margin_column(base, n, wr);
	margin_column(offer, n, wr + n);
	if (m->infinite)
		rc = tail_column(m, exact_phase_tail(m, base, offer), first, V, tmp, err);
	for (t = first - 1; t >= 0 && rc == CLV_OK; t--) {
		const exact_phase *ph = exact_phase_at(m, base, offer, t);
		period_column(ph, wr + (ph == offer ? n : 0), n, exact_grow(m, t), exact_disc(m, t), c);
		step_back(ph, n, c, V, tmp);
	}
	if (rc == CLV_OK)
		memcpy(r->value, V, n * sizeof *V);
cleanup:
	free(V);
	free(c);
	free(tmp);
	free(wr);
	return rc;
}
