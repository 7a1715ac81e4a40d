/*
 * compare.c - the what-if stage: compare scenarios on common random
 * numbers (whatif_compare_run, contract in whatif.h).
 *
 * Method: paired differences. With CRN the per-replication averages of
 * two scenarios are positively correlated, so the variance of their
 * difference, Var(X) + Var(Y) - 2 Cov(X, Y), is smaller than from
 * independent runs (Law, Simulation Modeling and Analysis, 5th ed.,
 * section 11.2). SE = sd(d_r) / sqrt(R); the 90% interval uses Student's
 * t with R - 1 degrees of freedom (gsl_cdf_tdist_Pinv). Return on spend =
 * (gain in mean total CLV over the first scenario) / (expected discounted
 * offer spend per customer), the spend from the exact engine as total CLV
 * with the offers' cost and margin_cut set to 0 minus total CLV as
 * written. The gain is already net of the spend, so ROS > 0 means the
 * offer pays; ROS = 1 means every unit spent comes back with one unit of
 * profit on top.
 */
#include "whatif/whatif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "engine/exact.h"
#include "engine/expect.h"
#include "scenario/scenario.h"
#include "whatif/whatif_budget.h"
#include "whatif/whatif_internal.h"

#define NOT_FOUND ((size_t)-1)

/* ------------------------------------------------------------------ */
/* compare                                                             */

clv_status whatif_paired(const double *x, size_t stride_x, const double *y, size_t stride_y,
                         size_t R, whatif_diff *out, clv_error *err)
{
	double *d = malloc((R + 1) * sizeof *d);
	size_t r;

	if (d == NULL)
		return whatif_nomem(err);
	for (r = 0; r < R; r++)
		d[r] = y[r * stride_y] - x[r * stride_x];
	out->mean = R > 0 ? gsl_stats_mean(d, 1, R) : (double)NAN;
	out->se = out->lo90 = out->hi90 = NAN;
	if (R >= 2) {
		double t = gsl_cdf_tdist_Pinv(0.95, (double)(R - 1));
		out->se = gsl_stats_sd_m(d, 1, R, out->mean) / sqrt((double)R);
		out->lo90 = out->mean - t * out->se;
		out->hi90 = out->mean + t * out->se;
	}
	free(d);
	return CLV_OK;
}

clv_status whatif_offer_spend(const clv_scenario *s, double *spend, clv_error *err)
{
	double before = 0.0, after = 0.0;
	clv_scenario *c;
	clv_status rc;

	*spend = 0.0;
	if (!scenario_has_offers(s))
		return CLV_OK;
	if ((c = scenario_copy(s, err)) == NULL)
		return err->status;
	rc = whatif_exact_clv(c, NULL, &before, err);
	if (rc == CLV_OK) {
		scenario_zero_offer_spend(c);
		rc = whatif_exact_clv(c, NULL, &after, err);
	}
	if (rc == CLV_OK)
		*spend = after - before;
	scenario_free(c);
	return rc;
}

static void arm_clear(whatif_arm *a)
{
	scenario_free(a->s);
	free(a->exact);
	free(a->mean);
	free(a->se);
	mc_free(a->mc);
	free(a->diff);
	free(a->rep_exact);
}

void whatif_compare_free(whatif_compare *c)
{
	size_t k;

	if (c == NULL)
		return;
	for (k = 0; c->arm != NULL && k < c->n_arms; k++)
		arm_clear(&c->arm[k]);
	free(c->arm);
	whatif_decision_clear(c->decision);
	free(c->decision);
	whatif_free_strings(c->input_name, c->n_inputs);
	free(c->rep_input);
	free(c);
}

/* Keep what the comparison needs from the arm's exact run (a->mc is set). */
static clv_status arm_keep(whatif_arm *a, const exact_result *ex, size_t n_first,
                           clv_error *err)
{
	size_t n = a->s->n;

	a->exact = malloc((n + 1) * sizeof *a->exact);
	a->mean = malloc((n + 1) * sizeof *a->mean);
	a->se = malloc((n + 1) * sizeof *a->se);
	a->diff = calloc(n_first + 1, sizeof *a->diff);
	if (!a->exact || !a->mean || !a->se || !a->diff)
		return whatif_nomem(err);
	memcpy(a->exact, ex->clv, (n + 1) * sizeof *a->exact);
	whatif_mc_means(a->mc, a->mean, a->se);
	a->spend_mean = a->mc->offer_spend.mean;
	a->spend_se = a->mc->offer_spend.se;
	a->spend_exact = ex->offer_spend;
	return CLV_OK;
}

/* The expectation of arm a's scenario (its own draws when averaged;
   only: average over them even where quadrature is possible). */
static exact_result *arm_expect(whatif_arm *a, const mc_config *cfg, bool only,
                                expect_method *method, clv_error *err)
{
	expect_options eo; /* an average over draws uses the arm's own */
	expect_result *x;
	exact_result *ex = NULL;

	expect_options_defaults(&eo, a->s);
	eo.seed = cfg->seed;
	eo.replications = cfg->replications;
	eo.replications_only = only;
	x = expect_scenario(a->s, 0, &eo, err);
	if (x != NULL) {
		ex = x->mean;
		*method = x->method;
		x->mean = NULL;
		expect_free(x);
	}
	return ex;
}

/* Run one arm: a->s, the copy of s, on both engines; the spend of s. */
static clv_status arm_run(whatif_arm *a, const clv_scenario *s, const mc_config *cfg,
                          size_t n_first, expect_method *method, clv_error *err)
{
	exact_result *ex = arm_expect(a, cfg, false, method, err);
	clv_status rc = CLV_OK;

	if (ex != NULL)
		a->mc = mc_run(a->s, cfg, err);
	if (a->mc == NULL) {
		rc = err->status;
		goto cleanup;
	}
	rc = arm_keep(a, ex, n_first, err);
	if (rc == CLV_OK)
		rc = whatif_offer_spend(s, &a->spend, err);
cleanup:
	exact_free(ex);
	return rc;
}

/* The arms' exact figures on one footing: when one arm's expectation is
   an average over draws and another's a quadrature, the quadratures are
   replaced by averages over the same draws (common random numbers), so
   that an exact difference does not carry the whole error of one
   average. */
static clv_status align_exact(whatif_compare *c, const mc_config *cfg,
                              const expect_method *method, clv_error *err)
{
	size_t k;
	bool averaged = false;

	for (k = 0; k < c->n_arms; k++)
		averaged = averaged || method[k] == EXPECT_REPLICATIONS;
	for (k = 0; k < c->n_arms && averaged; k++) {
		whatif_arm *a = &c->arm[k];
		expect_method m;
		exact_result *ex;
		if (method[k] != EXPECT_QUADRATURE)
			continue;
		if ((ex = arm_expect(a, cfg, true, &m, err)) == NULL)
			return err->status;
		memcpy(a->exact, ex->clv, (a->s->n + 1) * sizeof *a->exact);
		exact_free(ex);
	}
	return CLV_OK;
}

/* Differences of arm a against the first arm f, per state of f and total. */
static clv_status arm_diffs(whatif_arm *a, const whatif_arm *f, size_t R, clv_error *err)
{
	size_t i, j, n0 = f->s->n, na = a->s->n;
	clv_status rc = CLV_OK;

	for (i = 0; i <= n0 && rc == CLV_OK; i++) {
		whatif_diff *d = &a->diff[i];
		j = i == n0 ? na : scenario_state_index(a->s, f->s->states[i]);
		if (j == NOT_FOUND) {
			d->mean = d->se = d->lo90 = d->hi90 = d->exact = NAN;
			continue;
		}
		rc = whatif_paired(f->mc->rep_clv + i, n0 + 1, a->mc->rep_clv + j, na + 1, R, d, err);
		d->exact = a->exact[j] - f->exact[i];
	}
	if (rc == CLV_OK) /* the offer spend's line, beside the states */
		rc = whatif_paired(f->mc->rep_offer_spend, 1, a->mc->rep_offer_spend, 1, R, &a->spend_diff,
		                   err);
	a->spend_diff.exact = a->spend_exact - f->spend_exact;
	return rc;
}

/* P(beats the first) and the return on spend of arm a (k > 0). */
static void arm_verdict(whatif_arm *a, const whatif_arm *f, size_t R)
{
	size_t r, wins = 0, n0 = f->s->n, na = a->s->n;
	const whatif_diff *tot = &a->diff[n0];

	for (r = 0; r < R; r++)
		wins += a->mc->rep_clv[r * (na + 1) + na] > f->mc->rep_clv[r * (n0 + 1) + n0];
	a->p_beats = R > 0 ? (double)wins / (double)R : (double)NAN;
	a->ros = a->ros_lo90 = a->ros_hi90 = NAN;
	if (a->spend > 0.0) {
		a->ros = tot->mean / a->spend;
		a->ros_lo90 = tot->lo90 / a->spend;
		a->ros_hi90 = tot->hi90 / a->spend;
	}
}

whatif_compare *whatif_compare_run(const clv_scenario *const *scenarios, size_t n_scenarios,
                                   const whatif_settings *set, bool independent,
                                   clv_error *err)
{
	whatif_compare *c = calloc(1, sizeof *c);
	expect_method *method = calloc(n_scenarios + 1, sizeof *method);
	const clv_scenario *first;
	double *held = NULL;
	mc_config cfg;
	size_t k, R;
	clv_status rc = CLV_OK;

	if (n_scenarios < 2) {
		diag_set(err, CLV_ERR_USAGE, NULL, "compare needs at least two scenario files");
		free(c);
		free(method);
		return NULL;
	}
	if (c == NULL || method == NULL || (c->arm = calloc(n_scenarios, sizeof *c->arm)) == NULL) {
		whatif_nomem(err);
		goto fail;
	}
	c->n_arms = n_scenarios;
	c->independent = independent;
	for (k = 0; k < n_scenarios; k++)
		if ((c->arm[k].s = scenario_copy(scenarios[k], err)) == NULL)
			goto fail;
	first = c->arm[0].s;
	whatif_config(set, first, &cfg);
	c->n = first->n;
	c->seed = cfg.seed;
	c->replications = cfg.replications;
	c->customers = cfg.customers;
	cfg.independent = independent;
	if ((held = calloc(n_scenarios, sizeof *held)) == NULL)
		rc = whatif_nomem(err);
	if (rc == CLV_OK) /* every arm's budget, with the results before it, up front */
		rc = whatif_compare_budget(c, &cfg, held, err);
	for (k = 0; k < n_scenarios && rc == CLV_OK; k++) {
		cfg.scenario_index = k;
		cfg.held_bytes = held[k];
		rc = arm_run(&c->arm[k], scenarios[k], &cfg, c->n, &method[k], err);
	}
	free(held);
	if (rc == CLV_OK)
		rc = align_exact(c, &cfg, method, err);
	R = (size_t)c->replications;
	for (k = 0; k < n_scenarios && rc == CLV_OK; k++)
		rc = arm_diffs(&c->arm[k], &c->arm[0], R, err);
	if (rc != CLV_OK)
		goto fail;
	for (k = 1; k < n_scenarios; k++)
		arm_verdict(&c->arm[k], &c->arm[0], R);
	if (whatif_compare_decide(c, cfg.threads, err) != CLV_OK)
		goto fail;
	c->arm[0].p_beats = c->arm[0].ros = c->arm[0].ros_lo90 = c->arm[0].ros_hi90 = NAN;
	free(method);
	return c;
fail:
	whatif_compare_free(c);
	free(method);
	return NULL;
}

