/*
 * equity.c - the customer base (stage: engine; contract in
 * exact_internal.h): the expected number of customers in each state over
 * time and the equity, the value of the whole base discounted to period 0.
 *
 * The base (scenario key customer_base) is N customers at period 0,
 * distributed as `initial`, and M new customers at the start of each
 * period t = 1..T (M_t from a list), who start from `acquired_initial`
 * (else `initial`) and pay the acquisition cost when they come. Every
 * figure is linear in the customers, so the base is one chain carrying
 * counts instead of a distribution:
 *
 *   n_0 = N u_0,    n_{t+1} = n_t E_t + M_{t+1} a          (a: where new
 *                                                          customers start)
 *
 * and its money is the forward pass of exact.c on n_t. The N customers of
 * period 0 are valued like one customer's CLV times N, without the
 * acquisition cost (they are customers already); a cohort acquired in
 * period t is valued over its remaining periods t..T, discounted to period
 * 0, less its acquisition cost M_t acquisition / (1+r)^t. Offers and
 * spend growth run on the calendar: a cohort arriving after the offer
 * periods never sees the offers.
 *
 * The cohorts are computed for M = 1 per period (or the list M_t as
 * given), so the equity at any M is N x one customer + M x cohorts: the
 * cohort part is kept (exact_result.cohort) for the Monte Carlo draws of M.
 *
 * Infinite horizon: from period L (the offers' end, or the list's end,
 * whichever is later) the inflow is constant f (1 for one M, 0 after a
 * list) and the tail is the closed form
 *
 *   sum_{s>=0} x^s n_{L+s} = (n_L + f x / (1 - x) a) (I - x E)^-1,
 *
 * x = (1+g)/(1+r) for margins, 1/(1+r) for costs; the acquisition tail is
 * (M_L + f / r) acquisition (1+r)^-L.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/exact_internal.h"

/* The cohorts' sums over periods. */
typedef struct flows {
	double *margin, *cost;   /* n each */
	double spend, acquisition;
} flows;

/* New customers at the start of period t >= 1 (per unit of M). */
static double inflow(const clv_model *m, long t)
{
	if (t < 1 || (!m->infinite && t > m->horizon))
		return 0.0;
	if (m->acquired_list == NULL)
		return 1.0;
	return (size_t)t <= m->n_acquired_list ? m->acquired_list[t - 1] : 0.0;
}

/* Period t's money of counts c in phase ph. */
static void add_flows(const clv_model *m, const exact_phase *ph, long t, const double *c,
                      double *x, flows *fl)
{
	size_t i, n = m->n;
	double disc = exact_disc(m, t), grow = exact_grow(m, t);

	exact_row_times(c, ph->W, n, x);
	for (i = 0; i < n; i++) {
		fl->margin[i] += grow * x[i] * ph->margin[i];
		fl->cost[i] += disc * c[i] * ph->cost[i];
		if (ph->spend != NULL)
			fl->spend += disc * c[i] * ph->spend[i] + grow * x[i] * ph->forgone[i];
	}
	fl->acquisition += disc * inflow(m, t) * m->acquisition;
}

/* The closed-form tail from counts c = n_L, constant inflow f. */
static clv_status add_tail(const clv_model *m, const exact_phase *ph, long L, const double *c,
                           double f, double *x, flows *fl, clv_error *err)
{
	size_t i, n = m->n;
	double xm = (1.0 + m->growth) / (1.0 + m->discount), xc = 1.0 / (1.0 + m->discount);
	double *start = malloc(n * sizeof *start), *y = malloc(n * sizeof *y);
	clv_status rc = CLV_OK;

	if (start == NULL || y == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		start[i] = c[i] + f * xm / (1.0 - xm) * m->acquired_initial[i];
	rc = exact_geometric(start, ph->E, xm, n, false, y, err);
	if (rc != CLV_OK)
		goto cleanup;
	exact_row_times(y, ph->W, n, x);
	for (i = 0; i < n; i++) {
		fl->margin[i] += exact_grow(m, L) * x[i] * ph->margin[i];
		if (ph->spend != NULL)
			fl->spend += exact_grow(m, L) * x[i] * ph->forgone[i];
	}
	for (i = 0; i < n; i++)
		start[i] = c[i] + f * xc / (1.0 - xc) * m->acquired_initial[i];
	rc = exact_geometric(start, ph->E, xc, n, false, y, err);
	for (i = 0; i < n && rc == CLV_OK; i++) {
		fl->cost[i] += exact_disc(m, L) * y[i] * ph->cost[i];
		if (ph->spend != NULL)
			fl->spend += exact_disc(m, L) * y[i] * ph->spend[i];
	}
	/* the cohort of period L itself (in n_L already), then those after */
	fl->acquisition += m->acquisition * exact_disc(m, L) * (inflow(m, L) + f * xc / (1.0 - xc));
cleanup:
	free(start);
	free(y);
	return rc;
}

/* The periods summed one by one: 0..T, or 0..L-1 before the tail. */
static long summed_periods(const clv_model *m)
{
	long L = exact_tail_start(m);

	if (!m->infinite)
		return m->horizon + 1;
	if (m->acquired_list != NULL && (long)m->n_acquired_list > L)
		L = (long)m->n_acquired_list;
	return L;
}

/* Walk the cohorts: counts into r->customers (scaled later), money into fl. */
static clv_status walk_cohorts(const clv_model *m, const exact_phase *base,
                               const exact_phase *offer, exact_result *r, flows *fl,
                               clv_error *err)
{
	size_t i, n = m->n;
	long L = summed_periods(m), t, end = L > r->periods + 1 ? L : r->periods + 1;
	double *c = calloc(n, sizeof *c), *x = malloc(n * sizeof *x), *next = malloc(n * sizeof *next);
	double *at_L = calloc(n, sizeof *at_L);
	clv_status rc = CLV_OK;

	if (c == NULL || x == NULL || next == NULL || at_L == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
		goto cleanup;
	}
	for (t = 0; t < end || t <= L; t++) {
		const exact_phase *ph = exact_phase_at(m, base, offer, t);
		if (t <= r->periods)
			memcpy(r->customers + (size_t)t * n, c, n * sizeof *c);
		if (t == L)
			memcpy(at_L, c, n * sizeof *c);
		if (t < L)
			add_flows(m, ph, t, c, x, fl);
		exact_row_times(c, ph->E, n, next);
		for (i = 0; i < n; i++)
			c[i] = next[i] + inflow(m, t + 1) * m->acquired_initial[i];
	}
	if (m->infinite)
		rc = add_tail(m, exact_phase_tail(m, base, offer), L, at_L,
		              m->acquired_list == NULL ? 1.0 : 0.0, x, fl, err);
cleanup:
	free(c);
	free(x);
	free(next);
	free(at_L);
	return rc;
}

/* out[n + 3] from the states' money, the spend and the acquisition. */
static void equity_fill(double *out, size_t n, const double *state, double spend,
                        double acquisition)
{
	size_t i;

	out[n] = -spend - acquisition;
	for (i = 0; i < n; i++) {
		out[i] = state[i];
		out[n] += state[i];
	}
	out[n + 1] = spend;
	out[n + 2] = acquisition;
}

clv_status exact_equity(const clv_model *m, const exact_phase *base, const exact_phase *offer,
                        exact_result *r, clv_error *err)
{
	size_t i, n = m->n, cells = (size_t)(r->periods + 1) * n;
	double *money = calloc(3 * n, sizeof *money);
	flows fl = {money, money + n, 0.0, 0.0};
	double N = m->base_customers, M = m->acquired;
	clv_status rc;

	if (!m->has_base) {
		free(money);
		return CLV_OK;
	}
	if (money == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the exact engine");
	r->has_base = true;
	rc = walk_cohorts(m, base, offer, r, &fl, err);
	if (rc == CLV_OK) {
		double *state = money + 2 * n;
		for (i = 0; i < n; i++)
			state[i] = fl.margin[i] - fl.cost[i];
		equity_fill(r->cohort, n, state, fl.spend, fl.acquisition);
		for (i = 0; i < n; i++)
			state[i] = N * r->clv[i] + M * r->cohort[i];
		equity_fill(r->equity, n, state, N * r->offer_spend + M * fl.spend,
		            M * fl.acquisition);
		for (i = 0; i < cells; i++)
			r->customers[i] = N * r->share[i] + M * r->customers[i];
	}
	free(money);
	return rc;
}
