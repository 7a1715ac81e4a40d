/*
 * whatif_budget.c - stage whatif: a what-if's budgets, for the whole
 * command, before it starts (whatif_budget.h).
 *
 * Method: each run's plan is mc_estimate's (the population at the means,
 * no simulation), so a check costs a scenario load and a few
 * allocations on a copy: a sweep of 10000 points is checked in about a
 * second.
 */
#include "whatif/whatif_budget.h"

#include <stdio.h>
#include <string.h>

#include "engine/mc_budget.h"
#include "scenario/scenario.h"

clv_status whatif_compare_budget(const whatif_compare *c, const mc_config *cfg, double *held,
                                 clv_error *err)
{
	double kept = 0.0;
	char what[512];
	size_t k;

	for (k = 0; k < c->n_arms; k++) {
		mc_config one = *cfg;
		mc_budget b;
		one.scenario_index = k;
		one.held_bytes = held[k] = kept;
		if (mc_estimate(c->arm[k].s, &one, &b, err) != CLV_OK)
			return err->status;
		snprintf(what, sizeof what, "scenario %zu (%s)", k + 1, c->arm[k].s->path);
		if (mc_budget_check(&b, what, err) != CLV_OK)
			return err->status;
		kept += b.kept_bytes;
	}
	return CLV_OK;
}

/* "key = value" of every axis at point p, into buf. */
static void point_text(const whatif_sweep *w, size_t p, char *buf, size_t cap)
{
	size_t a;
	int used = 0;

	for (a = 0; a < w->n_axes && used >= 0 && (size_t)used < cap; a++)
		used += snprintf(buf + used, cap - (size_t)used, "%s%s = %g", a ? ", " : "",
		                 w->axis[a].key, w->x[p * w->n_axes + a]);
}

/* Point p as it will run: a copy of given, set, planned and checked. */
static clv_status check_point(const whatif_sweep *w, const clv_scenario *given, size_t p,
                              const whatif_settings *set, clv_error *err)
{
	clv_error why = {0};
	clv_scenario *s = scenario_copy(given, err);
	clv_status rc = s != NULL ? CLV_OK : err->status;
	mc_config cfg;
	mc_budget b;
	size_t a;

	for (a = 0; a < w->n_axes && rc == CLV_OK; a++)
		rc = scenario_set_number(s, w->axis[a].key, w->x[p * w->n_axes + a], &why);
	if (rc == CLV_OK) {
		whatif_config(set, s, &cfg);
		cfg.seed = w->seed;
		rc = mc_estimate(s, &cfg, &b, &why);
	}
	if (rc == CLV_OK)
		rc = mc_budget_check(&b, NULL, &why);
	if (rc != CLV_OK && why.status != CLV_OK) {
		char at[256];
		point_text(w, p, at, sizeof at);
		diag_set(err, rc, NULL, "sweep point %zu of %zu (%s): %s", p + 1, w->n_points, at,
		         why.msg);
	}
	scenario_free(s);
	return rc;
}

clv_status whatif_sweep_budget(const whatif_sweep *w, const clv_scenario *s,
                               const whatif_settings *set, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t p;

	for (p = 0; p < w->n_points && rc == CLV_OK; p++)
		rc = check_point(w, s, p, set, err);
	return rc;
}
