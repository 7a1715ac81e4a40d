/*
 * sweep_exact.c - the what-if stage: a sweep's exact replication values
 * (WHATIF_SWEEP_EXACT_REPLICATIONS, whatif.h; contract in
 * whatif_internal.h). Nothing is drawn per customer, so replication r of
 * a grid point is one possible world: its expected CLV given its draws is
 * the exact engine's (engine/expect_draws.h). The first point's outer
 * design is the template; every other point is rebound onto its uniforms
 * (expect_draws_rebind), so replication r draws the same values of the
 * assumptions it shares at every point and with a base swept against
 * (common random numbers, without the inner noise of simulated customers).
 */
#include <stdlib.h>

#include "base/stats.h"
#include "engine/expect_draws.h"
#include "scenario/scenario.h"
#include "whatif/whatif_internal.h"

struct whatif_sweep_draws {
	clv_scenario *s;         /* the first point's copy (the template's) */
	expect_draws *tmpl;      /* its replications */
	uint64_t reps;
	sample_method method;
	uint64_t seed;
};

void whatif_sweep_draws_free(whatif_sweep_draws *d)
{
	if (d == NULL)
		return;
	expect_draws_free(d->tmpl);
	scenario_free(d->s);
	free(d);
}

whatif_sweep_draws *whatif_sweep_draws_create(const whatif_sweep *w, const clv_scenario *given,
                                              uint64_t reps, sample_method method,
                                              clv_error *err)
{
	whatif_sweep_draws *d = calloc(1, sizeof *d);

	if (d == NULL) {
		whatif_nomem(err);
		return NULL;
	}
	d->reps = reps;
	d->method = method;
	d->seed = w->seed;
	if ((d->s = whatif_sweep_point_copy(w, given, 0, err)) == NULL ||
	    (d->tmpl = expect_draws_create(d->s, reps, method, w->seed, err)) == NULL) {
		whatif_sweep_draws_free(d);
		return NULL;
	}
	return d;
}

clv_status whatif_sweep_draws_point(const whatif_sweep_draws *d, clv_scenario *s, uint64_t reps,
                                    int threads, double *rep, clv_error *err)
{
	expect_draws *x = reps == d->reps ? expect_draws_rebind(d->tmpl, s, err)
	                                  : expect_draws_create(s, reps, d->method, d->seed, err);
	clv_status rc = x == NULL ? err->status : expect_draws_all(x, threads, rep, err);

	expect_draws_free(x);
	return rc;
}

clv_status whatif_rep_means(const double *rep, size_t R, size_t n, double *mean, double *se,
                            clv_error *err)
{
	double *column = malloc((R + 1) * sizeof *column);
	stats_summary sm;
	size_t i, r;

	if (column == NULL)
		return whatif_nomem(err);
	for (i = 0; i <= n; i++) { /* as mc_run summarises its replications */
		for (r = 0; r < R; r++)
			column[r] = rep[r * (n + 1) + i];
		stats_summary_from_array(&sm, column, R);
		mean[i] = sm.mean;
		se[i] = sm.se;
	}
	free(column);
	return CLV_OK;
}
