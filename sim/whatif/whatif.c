/*
 * whatif.c - the what-if stage's shared part (contract in whatif.h and
 * whatif_internal.h): the Monte Carlo settings every what-if runs with,
 * and the helpers compare.c, sweep.c and tornado.c share.
 *
 * Invariants of every what-if: each evaluation edits its own copy of the
 * scenario, never the scenario it was given; edits reach the scenarios
 * the engines evaluate (the segments when there are segments, else the
 * scenario itself: the "leaves", scenario/edit.c); all Monte Carlo runs
 * of one what-if share one seed, replication count and customer count, so
 * they use common random numbers (CRN): replication r, customer c draws
 * from the same PCG stream in every run (mc.h).
 */
#include "whatif/whatif.h"

#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "whatif/whatif_internal.h"

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

clv_status whatif_nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the what-if planner");
}

void whatif_free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

char **whatif_copy_states(const clv_scenario *s)
{
	char **v = calloc(s->n + 1, sizeof *v);
	size_t i;

	for (i = 0; v != NULL && i < s->n; i++)
		if ((v[i] = strdup(s->states[i])) == NULL) {
			whatif_free_strings(v, i);
			return NULL;
		}
	return v;
}

void whatif_config(const whatif_settings *set, const clv_scenario *s, mc_config *cfg)
{
	mc_config_from(cfg, s, set);
}

/* CLV_ERR_INTERRUPTED once SIGINT/SIGTERM was seen (mc.h), between runs. */
clv_status whatif_check_interrupt(clv_error *err)
{
	if (interrupt_requested())
		return diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
	return CLV_OK;
}

/* Copy a run's mean CLV (n + 1) out of r (clv_avg: across replications). */
void whatif_mc_means(const mc_result *r, double *mean, double *se)
{
	size_t i;

	for (i = 0; i <= r->n; i++) { /* the honest se of each mean (mc.h) */
		mean[i] = r->clv[i].mean;
		if (se != NULL)
			se[i] = r->clv[i].se;
	}
}

/* CLV (n + 1 values into clv) of s with every assumption at its mean: the
   point where elasticities are taken. */
clv_status whatif_means_clv(clv_scenario *s, double *clv, clv_error *err)
{
	exact_result *ex = exact_scenario(s, 0, err);

	if (ex == NULL)
		return err->status;
	memcpy(clv, ex->clv, (s->n + 1) * sizeof *clv);
	exact_free(ex);
	return CLV_OK;
}

/* Exact CLV (n + 1 values into clv, when not NULL; the total into total)
   of s: the expectation over everything s makes uncertain (engine/expect.h;
   exact_scenario's figure when nothing is). */
clv_status whatif_exact_clv(clv_scenario *s, double *clv, double *total, clv_error *err)
{
	expect_result *x = expect_scenario(s, 0, NULL, err);

	if (x == NULL)
		return err->status;
	if (clv != NULL)
		memcpy(clv, x->mean->clv, (s->n + 1) * sizeof *clv);
	if (total != NULL)
		*total = x->mean->clv[s->n];
	expect_free(x);
	return CLV_OK;
}

