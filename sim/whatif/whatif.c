/*
 * whatif.c - the what-if planner (contract in whatif.h): compare, sweep,
 * tornado.
 *
 * Invariants: every run loads its own copy of the scenario and edits only
 * that copy; edits reach the scenarios the engines evaluate (the segments
 * when there are segments, else the scenario itself: the "leaves"); all
 * Monte Carlo runs of one what-if share one seed, replication count and
 * customer count, so they use common random numbers (CRN): replication r,
 * customer c draws from the same PCG stream in every run (mc.h).
 *
 * Method.
 *  - compare: paired differences. With CRN the per-replication averages
 *    of two scenarios are positively correlated, so the variance of their
 *    difference, Var(X) + Var(Y) - 2 Cov(X, Y), is smaller than from
 *    independent runs (Law, Simulation Modeling and Analysis, 5th ed.,
 *    section 11.2). SE = sd(d_r) / sqrt(R); the 90% interval uses
 *    Student's t with R - 1 degrees of freedom (gsl_cdf_tdist_Pinv).
 *    Return on spend = (gain in mean total CLV over the first scenario) /
 *    (expected discounted offer spend per customer), the spend from the
 *    exact engine as total CLV with the offers' cost and margin_cut set
 *    to 0 minus total CLV as written. The gain is already net of the
 *    spend, so ROS > 0 means the offer pays; ROS = 1 means every unit
 *    spent comes back with one unit of profit on top.
 *  - sweep: a grid of values set with scenario_set_number, exact engine
 *    and Monte Carlo on the same seed at every point.
 *  - tornado: one input at a time at its 10th..90th percentiles, the
 *    others at their means (a one-way sensitivity analysis; Clemen,
 *    Making Hard Decisions, ch. 5); elasticities by central differences.
 *    Fixing a switching entry rescales the row's other fixed entries so
 *    that, with its uncertain entries at their means, the row sums to 1
 *    (model.h's rule); a Dirichlet row's input is its diagonal, whose
 *    marginal is Beta(alpha_i, sum(alpha) - alpha_i), the rest of the row
 *    kept in proportion to its means.
 */
#include "whatif/whatif.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>

#include "base/dist.h"
#include "base/interrupt.h"
#include "engine/exact.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "whatif/whatif_budget.h"

#define NOT_FOUND ((size_t)-1)
#define ROW_TOLERANCE 1e-9

/* ------------------------------------------------------------------ */
/* Small helpers.                                                      */

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the what-if planner");
}

static void free_strings(char **v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static char **copy_states(const clv_scenario *s)
{
	char **v = calloc(s->n + 1, sizeof *v);
	size_t i;

	for (i = 0; v != NULL && i < s->n; i++)
		if ((v[i] = strdup(s->states[i])) == NULL) {
			free_strings(v, i);
			return NULL;
		}
	return v;
}

void whatif_config(const whatif_settings *set, const clv_scenario *s, mc_config *cfg)
{
	mc_config_from(cfg, s, set);
}

/* ------------------------------------------------------------------ */
/* Editing a loaded copy.                                              */

/* The scenarios the engines evaluate: the segments, or s itself. */
static size_t n_leaves(const clv_scenario *s)
{
	return s->n_segments ? s->n_segments : 1;
}

static clv_scenario *leaf(clv_scenario *s, size_t k)
{
	return s->n_segments ? s->segments[k] : s;
}

static bool has_offers(const clv_scenario *s)
{
	size_t k;

	for (k = 0; k < s->n_segments; k++)
		if (s->segments[k]->n_offers > 0)
			return true;
	return s->n_offers > 0;
}

static void fix(clv_param *p, double v)
{
	p->kind = DIST_FIXED;
	p->a = v;
	p->b = p->c = 0.0;
	p->per = PER_REPLICATION;
}

/* Row and column of p when it is an entry of a switching row of s. */
static bool entry_of(const clv_scenario *s, const clv_param *p, size_t *i, size_t *j)
{
	size_t r, c;

	for (r = 0; r < s->n; r++)
		for (c = 0; !s->switching[r].dirichlet && c < s->n; c++)
			if (&s->switching[r].p[c] == p) {
				*i = r;
				*j = c;
				return true;
			}
	return false;
}

/* Fix entry (i, j) of a non-Dirichlet row at v and rescale the row's
   other fixed entries so that, with its uncertain entries at their means,
   the row sums to 1. */
static clv_status pin_entry(clv_scenario *s, size_t i, size_t j, double v, clv_error *err)
{
	clv_param *p = s->switching[i].p;
	double fixed = 0.0, drawn = 0.0, room;
	size_t k;

	for (k = 0; k < s->n; k++) {
		if (k == j)
			continue;
		if (dist_is_uncertain(&p[k]))
			drawn += dist_mean(&p[k]);
		else
			fixed += p[k].a;
	}
	room = 1.0 - v - drawn;
	if (room < -ROW_TOLERANCE || (fixed <= 0.0 && fabs(room) > ROW_TOLERANCE))
		return diag_set(err, CLV_ERR_INPUT, NULL, "%s = %.10g: the rest of row \"%s\" "
		                "cannot be rescaled to make the row sum to 1", p[j].label, v,
		                s->states[i]);
	for (k = 0; k < s->n && fixed > 0.0; k++)
		if (k != j && !dist_is_uncertain(&p[k]))
			p[k].a *= fmax(room, 0.0) / fixed;
	fix(&p[j], v);
	return CLV_OK;
}

/* Set assumption p of s to the fixed value v. */
static clv_status set_value(clv_scenario *s, clv_param *p, double v, clv_error *err)
{
	size_t i, j;

	if (entry_of(s, p, &i, &j))
		return pin_entry(s, i, j, v, err);
	fix(p, v);
	return CLV_OK;
}

/* Turn Dirichlet row i of s into a fixed row at its mean. */
static clv_status fix_dirichlet(clv_scenario *s, size_t i, clv_error *err)
{
	clv_row *row = &s->switching[i];
	clv_param *p = calloc(s->n, sizeof *p);
	double sum = 0.0;
	size_t j;

	if (p == NULL)
		return nomem(err);
	for (j = 0; j < s->n; j++)
		sum += row->alpha[j];
	for (j = 0; j < s->n; j++) {
		p[j].label = diag_strdupf("switching.%s.%s", s->states[i], s->states[j]);
		if (p[j].label == NULL) {
			while (j-- > 0)
				free(p[j].label);
			free(p);
			return nomem(err);
		}
		fix(&p[j], row->alpha[j] / sum);
		p[j].lo = 0.0;
		p[j].hi = 1.0;
		p[j].pos = row->pos;
	}
	free(row->alpha);
	row->alpha = NULL;
	row->p = p;
	row->dirichlet = false;
	return CLV_OK;
}

/* The Dirichlet row of s whose diagonal is called label, or NOT_FOUND. */
static size_t dirichlet_row_of(const clv_scenario *s, const char *label)
{
	static const char prefix[] = "switching.";
	size_t i, len;

	if (strncmp(label, prefix, sizeof prefix - 1) != 0)
		return NOT_FOUND;
	label += sizeof prefix - 1;
	for (i = 0; i < s->n; i++) {
		len = strlen(s->states[i]);
		if (s->switching[i].dirichlet && strncmp(label, s->states[i], len) == 0 &&
		    label[len] == '.' && strcmp(label + len + 1, s->states[i]) == 0)
			return i;
	}
	return NOT_FOUND;
}

/* The beta marginal of the diagonal of Dirichlet row i; kind DIST_FIXED
   when it is degenerate (an alpha of 0). */
static clv_param dirichlet_diagonal(const clv_scenario *s, size_t i)
{
	clv_param p;
	double sum = 0.0;
	size_t j;

	memset(&p, 0, sizeof p);
	for (j = 0; j < s->n; j++)
		sum += s->switching[i].alpha[j];
	p.a = s->switching[i].alpha[i] / sum;
	p.hi = 1.0;
	if (s->switching[i].alpha[i] > 0.0 && sum - s->switching[i].alpha[i] > 0.0) {
		p.kind = DIST_BETA;
		p.a = s->switching[i].alpha[i];
		p.b = sum - s->switching[i].alpha[i];
	}
	return p;
}

/* Pin the input `label` of s at its u-quantile (no-op when s lacks it). */
static clv_status pin_input(clv_scenario *s, const char *label, double u, clv_error *err)
{
	clv_param *p = scenario_param(s, label), d;
	size_t i;
	clv_status rc;

	if (p != NULL)
		return set_value(s, p, dist_quantile(p, u), err);
	i = dirichlet_row_of(s, label);
	if (i == NOT_FOUND)
		return CLV_OK;
	d = dirichlet_diagonal(s, i);
	rc = fix_dirichlet(s, i, err);
	if (rc == CLV_OK)
		rc = pin_entry(s, i, i, dist_quantile(&d, u), err);
	return rc;
}

/* Remove the correlations of s that involve `label` (all when NULL):
   a fixed value has no rank to correlate. */
static void drop_correlations(clv_scenario *s, const char *label)
{
	size_t k, kept = 0;

	for (k = 0; k < s->n_correlations; k++) {
		clv_correlation *c = &s->correlations[k];
		if (label == NULL || strcmp(c->a, label) == 0 || strcmp(c->b, label) == 0) {
			free(c->a);
			free(c->b);
			continue;
		}
		s->correlations[kept++] = *c;
	}
	s->n_correlations = kept;
}

/* Fix every per-replication assumption of leaf s (Dirichlet rows too) at
   its mean, so only per-customer ones still vary. */
static clv_status fix_outer_at_means(clv_scenario *s, clv_error *err)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	clv_status rc = CLV_OK;

	if (params == NULL)
		return nomem(err);
	for (k = 0; k < n_params && rc == CLV_OK; k++)
		if (dist_is_per_replication(params[k]))
			rc = set_value(s, params[k], dist_mean(params[k]), err);
	for (k = 0; k < s->n && rc == CLV_OK; k++)
		if (s->switching[k].dirichlet)
			rc = fix_dirichlet(s, k, err);
	drop_correlations(s, NULL);
	free(params);
	return rc;
}

/* CLV_ERR_INTERRUPTED once SIGINT/SIGTERM was seen (mc.h), between runs. */
static clv_status check_interrupt(clv_error *err)
{
	if (interrupt_requested())
		return diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
	return CLV_OK;
}

/* Copy a run's mean CLV (n + 1) out of r (clv_avg: across replications). */
static void mc_means(const mc_result *r, double *mean, double *se)
{
	size_t i;

	for (i = 0; i <= r->n; i++) {
		mean[i] = r->clv_avg[i].mean;
		if (se != NULL)
			se[i] = r->clv_avg[i].se;
	}
}

/* Exact total CLV (n + 1 values into clv, when not NULL) of s. */
static clv_status exact_clv(clv_scenario *s, double *clv, double *total, clv_error *err)
{
	exact_result *ex = exact_scenario(s, 0, err);

	if (ex == NULL)
		return err->status;
	if (clv != NULL)
		memcpy(clv, ex->clv, (s->n + 1) * sizeof *clv);
	if (total != NULL)
		*total = ex->clv[s->n];
	exact_free(ex);
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* compare                                                             */

clv_status whatif_paired(const double *x, size_t stride_x, const double *y, size_t stride_y,
                         size_t R, whatif_diff *out, clv_error *err)
{
	double *d = malloc((R + 1) * sizeof *d);
	size_t r;

	if (d == NULL)
		return nomem(err);
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

clv_status whatif_offer_spend(clv_scenario *s, double *spend, clv_error *err)
{
	double before = 0.0, after = 0.0;
	size_t k, o;
	clv_status rc;

	*spend = 0.0;
	if (!has_offers(s))
		return CLV_OK;
	rc = exact_clv(s, NULL, &before, err);
	if (rc != CLV_OK)
		return rc;
	for (k = 0; k < n_leaves(s); k++)
		for (o = 0; o < leaf(s, k)->n_offers; o++) {
			fix(&leaf(s, k)->offers[o].cost, 0.0);
			fix(&leaf(s, k)->offers[o].margin_cut, 0.0);
		}
	rc = exact_clv(s, NULL, &after, err);
	if (rc == CLV_OK)
		*spend = after - before;
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
}

void whatif_compare_free(whatif_compare *c)
{
	size_t k;

	if (c == NULL)
		return;
	for (k = 0; c->arm != NULL && k < c->n_arms; k++)
		arm_clear(&c->arm[k]);
	free(c->arm);
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
		return nomem(err);
	memcpy(a->exact, ex->clv, (n + 1) * sizeof *a->exact);
	mc_means(a->mc, a->mean, a->se);
	return CLV_OK;
}

/* The offer spend of the scenario in path, on a fresh copy. */
static clv_status spend_of(const char *path, double *spend, clv_error *err)
{
	clv_scenario *s = scenario_load(path, err);
	clv_status rc;

	if (s == NULL)
		return err->status;
	rc = whatif_offer_spend(s, spend, err);
	scenario_free(s);
	return rc;
}

/* Run one arm (a->s loaded). */
static clv_status arm_run(whatif_arm *a, const char *path, const mc_config *cfg, size_t n_first,
                          clv_error *err)
{
	exact_result *ex = NULL;
	clv_status rc = CLV_OK;

	ex = exact_scenario(a->s, 0, err);
	if (ex != NULL)
		a->mc = mc_run(a->s, cfg, err);
	if (a->mc == NULL) {
		rc = err->status;
		goto cleanup;
	}
	rc = arm_keep(a, ex, n_first, err);
	if (rc == CLV_OK)
		rc = spend_of(path, &a->spend, err);
cleanup:
	exact_free(ex);
	return rc;
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

whatif_compare *whatif_compare_run(const char *const *paths, size_t n_paths,
                                   const whatif_settings *set, bool independent,
                                   clv_error *err)
{
	whatif_compare *c = calloc(1, sizeof *c);
	const clv_scenario *first;
	double *held = NULL;
	mc_config cfg;
	size_t k, R;
	clv_status rc = CLV_OK;

	if (n_paths < 2) {
		diag_set(err, CLV_ERR_USAGE, NULL, "compare needs at least two scenario files");
		free(c);
		return NULL;
	}
	if (c == NULL || (c->arm = calloc(n_paths, sizeof *c->arm)) == NULL) {
		nomem(err);
		goto fail;
	}
	c->n_arms = n_paths;
	c->independent = independent;
	for (k = 0; k < n_paths; k++)
		if ((c->arm[k].s = scenario_load(paths[k], err)) == NULL)
			goto fail;
	first = c->arm[0].s;
	whatif_config(set, first, &cfg);
	c->n = first->n;
	c->seed = cfg.seed;
	c->replications = cfg.replications;
	c->customers = cfg.customers;
	cfg.independent = independent;
	if ((held = calloc(n_paths, sizeof *held)) == NULL)
		rc = nomem(err);
	if (rc == CLV_OK) /* every arm's budget, with the results before it, up front */
		rc = whatif_compare_budget(c, paths, &cfg, held, err);
	for (k = 0; k < n_paths && rc == CLV_OK; k++) {
		cfg.scenario_index = k;
		cfg.held_bytes = held[k];
		rc = arm_run(&c->arm[k], paths[k], &cfg, c->n, err);
	}
	free(held);
	R = (size_t)c->replications;
	for (k = 0; k < n_paths && rc == CLV_OK; k++)
		rc = arm_diffs(&c->arm[k], &c->arm[0], R, err);
	if (rc != CLV_OK)
		goto fail;
	for (k = 1; k < n_paths; k++)
		arm_verdict(&c->arm[k], &c->arm[0], R);
	c->arm[0].p_beats = c->arm[0].ros = c->arm[0].ros_lo90 = c->arm[0].ros_hi90 = NAN;
	return c;
fail:
	whatif_compare_free(c);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* sweep                                                               */

static clv_status bad_axis(const char *text, const char *why, clv_error *err)
{
	return diag_set(err, CLV_ERR_USAGE, NULL, "--vary %s: %s (expected KEY=FROM:TO:STEP, e.g. "
	                "discount_rate=0.02:0.2:0.02)", text, why);
}

clv_status whatif_axis_parse(const char *text, whatif_axis *ax, clv_error *err)
{
	const char *eq = strrchr(text, '='), *at;
	double v[3], span;
	char *end;
	int k;

	memset(ax, 0, sizeof *ax);
	if (eq == NULL || eq == text)
		return bad_axis(text, "no KEY=", err);
	for (at = eq + 1, k = 0; k < 3; k++, at = end + 1) {
		errno = 0;
		v[k] = strtod(at, &end);
		if (end == at || errno != 0 || !isfinite(v[k]) || *end != (k < 2 ? ':' : '\0'))
			return bad_axis(text, "FROM, TO and STEP must be three finite numbers", err);
	}
	if (v[0] > v[1])
		return bad_axis(text, "FROM must not exceed TO", err);
	if (!(v[2] > 0.0))
		return bad_axis(text, "STEP must be > 0", err);
	span = floor((v[1] - v[0]) / v[2] + 1e-9);
	if (!(span < WHATIF_MAX_POINTS))
		return diag_set(err, CLV_ERR_USAGE, NULL, "--vary %s: %.0f grid points, more than the "
		                "limit of %d", text, span + 1.0, WHATIF_MAX_POINTS);
	if ((ax->key = strndup(text, (size_t)(eq - text))) == NULL)
		return nomem(err);
	ax->from = v[0];
	ax->to = v[1];
	ax->step = v[2];
	ax->count = (size_t)span + 1;
	return CLV_OK;
}

void whatif_axis_clear(whatif_axis *ax)
{
	free(ax->key);
	memset(ax, 0, sizeof *ax);
}

double whatif_axis_value(const whatif_axis *ax, size_t i)
{
	double v = ax->from + (double)i * ax->step;

	return fabs(v - ax->to) <= 1e-9 * ax->step ? ax->to : v;
}

void whatif_sweep_free(whatif_sweep *w)
{
	size_t a;

	if (w == NULL)
		return;
	for (a = 0; a < 2; a++) {
		free(w->axis[a].key);
		free(w->rule[a]);
	}
	free_strings(w->states, w->n);
	free(w->x);
	free(w->exact);
	free(w->mean);
	free(w->se);
	free(w);
}

/* How a matrix-entry key is applied, for the report; NULL otherwise. */
static char *rule_text(clv_scenario *s, const char *key)
{
	clv_param *p = scenario_param(s, key);
	size_t i, j;

	if (p != NULL && entry_of(s, p, &i, &j))
		return diag_strdupf("%s = v sets entry (%s, %s) and multiplies the other entries of row "
		                  "%s by (1 - v) / %.6g, so the row still sums to 1%s", key,
		                  s->states[i], s->states[j], s->states[i], 1.0 - p->a,
		                  s->n_segments ? " (in every segment, from its own row)" : "");
	if (strncmp(key, "retention.", 10) == 0)
		return diag_strdupf("%s = v sets the retention P[%s][%s] = v and multiplies the rest of "
		                  "row %s by (1 - v) / (1 - its retention before), so the row still "
		                  "sums to 1", key, key + 10, key + 10, key + 10);
	return NULL;
}

/* Check the keys on a probe copy (the first and last values of each
   axis) and keep the states and rules. */
static clv_status sweep_probe(whatif_sweep *w, const char *path, clv_error *err)
{
	clv_scenario *s = scenario_load(path, err);
	clv_status rc = CLV_OK;
	size_t a;

	if (s == NULL)
		return err->status;
	w->n = s->n;
	if ((w->states = copy_states(s)) == NULL)
		rc = nomem(err);
	w->seed = s->seed;
	w->replications = s->replications;
	w->customers = s->customers;
	for (a = 0; a < w->n_axes && rc == CLV_OK; a++) {
		w->rule[a] = rule_text(s, w->axis[a].key);
		rc = scenario_set_number(s, w->axis[a].key, w->axis[a].from, err);
		if (rc == CLV_OK)
			rc = scenario_set_number(s, w->axis[a].key,
			                         whatif_axis_value(&w->axis[a], w->axis[a].count - 1), err);
	}
	scenario_free(s);
	return rc;
}

/* Allocate w's tables and fill its grid values. */
static clv_status sweep_tables(whatif_sweep *w, bool monte_carlo, clv_error *err)
{
	size_t p, cells = w->n_points * (w->n + 1);
	size_t c1 = w->n_axes == 2 ? w->axis[1].count : 1;

	w->x = malloc(w->n_points * w->n_axes * sizeof *w->x);
	w->exact = calloc(cells, sizeof *w->exact);
	if (monte_carlo) {
		w->mean = calloc(cells, sizeof *w->mean);
		w->se = calloc(cells, sizeof *w->se);
	}
	if (!w->x || !w->exact || (monte_carlo && (!w->mean || !w->se)))
		return nomem(err);
	for (p = 0; p < w->n_points; p++) {
		w->x[p * w->n_axes] = whatif_axis_value(&w->axis[0], p / c1);
		if (w->n_axes == 2)
			w->x[p * 2 + 1] = whatif_axis_value(&w->axis[1], p % c1);
	}
	return CLV_OK;
}

/* Grid point p: load, set, exact, Monte Carlo. */
static clv_status sweep_point(whatif_sweep *w, const char *path, size_t p,
                              const whatif_settings *set, clv_error *err)
{
	clv_scenario *s = check_interrupt(err) == CLV_OK ? scenario_load(path, err) : NULL;
	mc_result *r = NULL;
	mc_config cfg;
	size_t a, k, cell = p * (w->n + 1);
	clv_status rc = CLV_OK;

	if (s == NULL)
		return err->status;
	for (a = 0; a < w->n_axes && rc == CLV_OK; a++) {
		rc = scenario_set_number(s, w->axis[a].key, w->x[p * w->n_axes + a], err);
		for (k = 0; k <= s->n_segments; k++)
			drop_correlations(k < s->n_segments ? s->segments[k] : s, w->axis[a].key);
	}
	if (rc == CLV_OK)
		rc = exact_clv(s, w->exact + cell, NULL, err);
	if (rc == CLV_OK && w->mean != NULL) {
		whatif_config(set, s, &cfg);
		cfg.seed = w->seed;
		if ((r = mc_run(s, &cfg, err)) == NULL)
			rc = err->status;
		else
			mc_means(r, w->mean + cell, w->se + cell);
	}
	mc_free(r);
	scenario_free(s);
	return rc;
}

/* Copy the axes into w and check them together. */
static clv_status sweep_axes(whatif_sweep *w, const whatif_axis *axes, size_t n_axes,
                             clv_error *err)
{
	size_t a;

	if (n_axes < 1 || n_axes > 2)
		return diag_set(err, CLV_ERR_USAGE, NULL, "a sweep needs one or two --vary keys");
	if (n_axes == 2 && strcmp(axes[0].key, axes[1].key) == 0)
		return diag_set(err, CLV_ERR_USAGE, NULL, "--vary %s is given twice", axes[0].key);
	w->n_axes = n_axes;
	w->n_points = 1;
	for (a = 0; a < n_axes; a++) {
		w->axis[a] = axes[a];
		if ((w->axis[a].key = strdup(axes[a].key)) == NULL)
			return nomem(err);
		w->n_points *= axes[a].count;
	}
	if (w->n_points > WHATIF_MAX_POINTS)
		return diag_set(err, CLV_ERR_USAGE, NULL, "the grid has %zu points (%zu x %zu), more "
		                "than the limit of %d", w->n_points, axes[0].count,
		                n_axes == 2 ? axes[1].count : (size_t)1, WHATIF_MAX_POINTS);
	return CLV_OK;
}

whatif_sweep *whatif_sweep_run(const char *path, const whatif_axis *axes, size_t n_axes,
                               const whatif_settings *set, bool monte_carlo,
                               clv_error *err)
{
	whatif_sweep *w = calloc(1, sizeof *w);
	clv_status rc;
	size_t p;

	if (w == NULL) {
		nomem(err);
		return NULL;
	}
	rc = sweep_axes(w, axes, n_axes, err);
	if (rc == CLV_OK)
		rc = sweep_probe(w, path, err);
	if (rc == CLV_OK)
		rc = sweep_tables(w, monte_carlo, err);
	if (set->has_seed)
		w->seed = set->seed;
	if (set->replications)
		w->replications = set->replications;
	if (set->customers)
		w->customers = set->customers;
	if (rc == CLV_OK && monte_carlo) /* every point's budget before the first runs */
		rc = whatif_sweep_budget(w, path, set, err);
	for (p = 0; p < w->n_points && rc == CLV_OK; p++)
		rc = sweep_point(w, path, p, set, err);
	if (rc != CLV_OK) {
		whatif_sweep_free(w);
		return NULL;
	}
	return w;
}

/* ------------------------------------------------------------------ */
/* tornado                                                             */

/* What every evaluation needs. */
typedef struct tornado_ctx {
	const char *path;
	bool mc;
	mc_config cfg;
} tornado_ctx;

void whatif_tornado_free(whatif_tornado *t)
{
	size_t k;

	if (t == NULL)
		return;
	for (k = 0; t->input != NULL && k < t->n_inputs; k++) {
		free(t->input[k].label);
		free(t->input[k].dist);
		free(t->input[k].clv);
	}
	for (k = 0; t->elast != NULL && k < t->n_elast; k++) {
		free(t->elast[k].input);
		free(t->elast[k].e);
		free(t->elast[k].skipped);
	}
	free(t->input);
	free(t->elast);
	free(t->base);
	free_strings(t->states, t->n);
	free(t);
}

double whatif_swing(const whatif_tornado *t, size_t i, size_t k)
{
	const double *clv = t->input[i].clv;

	return clv[(WHATIF_SPIDER - 1) * (t->n + 1) + k] - clv[k];
}

void whatif_tornado_order(const whatif_tornado *t, size_t k, size_t *order)
{
	size_t i, j;

	for (i = 0; i < t->n_inputs; i++) {
		double w = fabs(whatif_swing(t, i, k));
		for (j = i; j > 0 && fabs(whatif_swing(t, order[j - 1], k)) < w; j--)
			order[j] = order[j - 1];
		order[j] = i;
	}
}

/* A distribution as text, e.g. "beta(90, 10)" or "normal(500, 50) per customer". */
static char *dist_text(const clv_param *p, bool dirichlet)
{
	int n_args = p->kind == DIST_TRIANGULAR || p->kind == DIST_PERT ? 3 : 2;

	if (dirichlet)
		return diag_strdupf("dirichlet diag beta(%g, %g)", p->a, p->b);
	if (n_args == 3)
		return diag_strdupf("%s(%g, %g, %g)%s", dist_kind_name(p->kind), p->a, p->b, p->c,
		                  p->per == PER_CUSTOMER ? " per customer" : "");
	return diag_strdupf("%s(%g, %g)%s", dist_kind_name(p->kind), p->a, p->b,
	                  p->per == PER_CUSTOMER ? " per customer" : "");
}

static bool has_input(const whatif_tornado *t, const char *label)
{
	size_t k;

	for (k = 0; k < t->n_inputs; k++)
		if (strcmp(t->input[k].label, label) == 0)
			return true;
	return false;
}

/* Add input `label` with distribution p, unless already there. */
static clv_status add_input(whatif_tornado *t, const char *label, const clv_param *p,
                            bool dirichlet, clv_error *err)
{
	whatif_input *in, *grown;
	int q;

	if (has_input(t, label))
		return CLV_OK;
	grown = realloc(t->input, (t->n_inputs + 1) * sizeof *grown);
	if (grown == NULL)
		return nomem(err);
	t->input = grown;
	in = &t->input[t->n_inputs++];
	memset(in, 0, sizeof *in);
	in->label = strdup(label);
	in->dist = dist_text(p, dirichlet);
	in->clv = calloc(WHATIF_SPIDER * (t->n + 1), sizeof *in->clv);
	if (!in->label || !in->dist || !in->clv)
		return nomem(err);
	in->mean = dist_mean(p);
	for (q = 0; q < WHATIF_SPIDER; q++)
		in->value[q] = dist_quantile(p, (q + 1) / 10.0);
	return CLV_OK;
}

/* The Dirichlet rows' diagonals of leaf s as inputs. */
static clv_status dirichlet_inputs(whatif_tornado *t, const clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t i;

	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		clv_param d;
		char *label;
		if (!s->switching[i].dirichlet)
			continue;
		d = dirichlet_diagonal(s, i);
		if (!dist_is_uncertain(&d))
			continue;
		if ((label = diag_strdupf("switching.%s.%s", s->states[i], s->states[i])) == NULL)
			return nomem(err);
		rc = add_input(t, label, &d, true, err);
		free(label);
	}
	return rc;
}

/* Every uncertain assumption of leaf s as an input; notes per-customer ones. */
static clv_status leaf_inputs(whatif_tornado *t, clv_scenario *s, clv_error *err)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	clv_status rc = CLV_OK;

	if (params == NULL)
		return nomem(err);
	for (k = 0; k < n_params && rc == CLV_OK; k++) {
		const clv_param *p = params[k];
		if (!dist_is_uncertain(p) || p->kind == DIST_POISSON)
			continue;
		t->monte_carlo = t->monte_carlo || p->per == PER_CUSTOMER;
		rc = add_input(t, p->label, p, false, err);
	}
	free(params);
	return rc == CLV_OK ? dirichlet_inputs(t, s, err) : rc;
}

/* CLV (n + 1) with input `label` at its u-quantile in every leaf and the
   other inputs at their means; label NULL: every input at its mean. */
static clv_status evaluate(const tornado_ctx *ctx, const char *label, double u, double *clv,
                           clv_error *err)
{
	clv_scenario *s = check_interrupt(err) == CLV_OK ? scenario_load(ctx->path, err) : NULL;
	mc_result *r = NULL;
	clv_status rc = CLV_OK;
	size_t k;

	if (s == NULL)
		return err->status;
	for (k = 0; k < n_leaves(s) && rc == CLV_OK; k++) {
		if (label != NULL)
			rc = pin_input(leaf(s, k), label, u, err);
		if (rc == CLV_OK && ctx->mc)
			rc = fix_outer_at_means(leaf(s, k), err);
	}
	if (rc == CLV_OK && !ctx->mc)
		rc = exact_clv(s, clv, NULL, err);
	if (rc == CLV_OK && ctx->mc) {
		drop_correlations(s, NULL);
		if ((r = mc_run(s, &ctx->cfg, err)) == NULL)
			rc = err->status;
		else
			mc_means(r, clv, NULL);
	}
	mc_free(r);
	scenario_free(s);
	return rc;
}

/* ---- elasticities ---------------------------------------------------- */

typedef enum el_kind { EL_RETENTION_ALL, EL_RETENTION_STATE, EL_DISCOUNT, EL_MARGIN,
                       EL_HORIZON } el_kind;

/* Retention P[i][i] of leaf s at the means. */
static clv_status retention_at_means(clv_scenario *s, size_t i, double *ret, clv_error *err)
{
	clv_model *m = model_at_means(s, err);

	if (m == NULL)
		return err->status;
	*ret = m->P[i * s->n + i];
	model_free(m);
	return CLV_OK;
}

/* A retention that can move +-1%: inside (0, 1 / 1.01]. */
static bool movable(double ret)
{
	return ret > 0.0 && ret * (1.0 + WHATIF_ELASTICITY_STEP) <= 1.0;
}

static clv_status scale_retention(clv_scenario *s, size_t i, double f, clv_error *err)
{
	double ret = 0.0;
	char *key;
	clv_status rc = retention_at_means(s, i, &ret, err);

	if (rc != CLV_OK || !movable(ret))
		return rc;
	if ((key = diag_strdupf("retention.%s", s->states[i])) == NULL)
		return nomem(err);
	rc = scenario_set_number(s, key, f * ret, err);
	free(key);
	return rc;
}

static clv_status scale_param(clv_scenario *s, clv_param *p, double f, clv_error *err)
{
	return set_value(s, p, f * dist_mean(p), err);
}

/* Scale input `kind` (of state i) of leaf s by f. */
static clv_status scale_leaf(clv_scenario *s, el_kind kind, size_t i, double f, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t j;

	switch (kind) {
	case EL_RETENTION_ALL:
		for (j = 0; j < s->n && rc == CLV_OK; j++)
			rc = scale_retention(s, j, f, err);
		return rc;
	case EL_RETENTION_STATE:
		return scale_retention(s, i, f, err);
	case EL_DISCOUNT:
		return scale_param(s, &s->discount, f, err);
	case EL_MARGIN:
		for (j = 0; j < s->n && rc == CLV_OK; j++)
			rc = scale_param(s, &s->margin[j], f, err);
		return rc;
	case EL_HORIZON:
		break;
	}
	return rc;
}

/* Exact CLV with input `kind` moved one step up (dir = 1) or down (-1). */
static clv_status el_eval(const char *path, el_kind kind, size_t i, int dir, double *clv,
                          clv_error *err)
{
	clv_scenario *s = check_interrupt(err) == CLV_OK ? scenario_load(path, err) : NULL;
	clv_status rc = CLV_OK;
	size_t k;

	if (s == NULL)
		return err->status;
	if (kind == EL_HORIZON)
		rc = scenario_set_number(s, "horizon", (double)(s->horizon + dir), err);
	for (k = 0; k < n_leaves(s) && kind != EL_HORIZON && rc == CLV_OK; k++)
		rc = scale_leaf(leaf(s, k), kind, i, 1.0 + dir * WHATIF_ELASTICITY_STEP, err);
	for (k = 0; k <= s->n_segments && rc == CLV_OK; k++) /* the exact engine needs none */
		drop_correlations(k < s->n_segments ? s->segments[k] : s, NULL);
	if (rc == CLV_OK)
		rc = scenario_validate(s, err); /* a step must stay inside the valid region */
	if (rc == CLV_OK)
		rc = exact_clv(s, clv, NULL, err);
	scenario_free(s);
	return rc;
}

/* One side of a central difference: *ok false when the step leaves the
   valid region (why gets the reason); other failures are returned. */
static clv_status el_side(const char *path, el_kind kind, size_t i, int dir, double *clv,
                          bool *ok, clv_error *why, clv_error *err)
{
	clv_status rc = el_eval(path, kind, i, dir, clv, why);

	*ok = rc == CLV_OK;
	if (rc == CLV_ERR_INPUT || rc == CLV_ERR_LIMIT || rc == CLV_ERR_USAGE)
		return CLV_OK;
	return rc == CLV_OK ? CLV_OK : diag_set(err, rc, NULL, "%s", why->msg);
}

/* Why input `kind` has no elasticity in s (NULL: it has one); *base gets
   its value at the means. */
static const char *el_check(clv_scenario *s, el_kind kind, size_t i, double *base,
                            clv_error *err)
{
	size_t k, j;
	double ret = 0.0;
	bool any = false;

	*base = NAN;
	if (kind == EL_HORIZON) {
		*base = s->infinite ? HUGE_VAL : (double)s->horizon;
		return s->infinite ? "infinite horizon" : s->horizon < 1 ? "horizon 0" : NULL;
	}
	if (kind == EL_DISCOUNT) {
		*base = dist_mean(&leaf(s, 0)->discount);
		return *base == 0.0 ? "discount rate 0" : NULL;
	}
	if (kind == EL_MARGIN)
		return NULL;
	for (k = 0; k < n_leaves(s); k++)
		for (j = 0; j < s->n; j++) {
			if ((kind == EL_RETENTION_STATE && j != i) ||
			    retention_at_means(leaf(s, k), j, &ret, err) != CLV_OK)
				continue;
			if (kind == EL_RETENTION_STATE && k == 0)
				*base = ret;
			any = any || movable(ret);
		}
	return any ? NULL : "retention 0 or above 1/1.01 (e.g. an absorbing state)";
}

/* Fill elasticity e of input `kind` from the exact CLV at the means. */
static clv_status el_fill(whatif_elasticity *e, const char *path, clv_scenario *s, el_kind kind,
                          size_t i, const double *base_clv, clv_error *err)
{
	double *up = malloc((s->n + 1) * sizeof *up), *down = malloc((s->n + 1) * sizeof *down);
	double base, rel;
	const char *why = el_check(s, kind, i, &base, err);
	clv_error why_up = {0}, why_down = {0};
	bool up_ok = false, down_ok = false;
	clv_status rc = CLV_OK;
	size_t k;

	e->base = base;
	if (!up || !down || !e->e || !e->input) {
		rc = nomem(err);
		goto cleanup;
	}
	for (k = 0; k <= s->n; k++)
		e->e[k] = NAN;
	if (why != NULL) {
		e->skipped = strdup(why);
		goto cleanup;
	}
	rel = kind == EL_HORIZON ? 2.0 / base : 2.0 * WHATIF_ELASTICITY_STEP;
	rc = el_side(path, kind, i, 1, up, &up_ok, &why_up, err);
	if (rc == CLV_OK)
		rc = el_side(path, kind, i, -1, down, &down_ok, &why_down, err);
	if (rc == CLV_OK && !up_ok && !down_ok) {
		e->skipped = diag_strdupf("a step either way leaves the valid region: %s", why_up.msg);
		goto cleanup;
	}
	for (k = 0; k <= s->n && rc == CLV_OK; k++) { /* central, or one-sided inside the region */
		double hi = up_ok ? up[k] : base_clv[k], lo = down_ok ? down[k] : base_clv[k];
		e->e[k] = base_clv[k] != 0.0 ? (hi - lo) / base_clv[k] /
		                                   (up_ok && down_ok ? rel : rel / 2.0)
		                             : (double)NAN;
	}
cleanup:
	free(up);
	free(down);
	return rc;
}

/* Elasticities: retention (all), retention of each state, discount rate,
   margin (all), horizon. */
static clv_status elasticities(whatif_tornado *t, const char *path, clv_scenario *s,
                               clv_error *err)
{
	size_t k, n = s->n, total = n + 4;
	double *base = malloc((n + 1) * sizeof *base);
	clv_status rc;

	t->elast = calloc(total, sizeof *t->elast);
	if (base == NULL || t->elast == NULL) {
		free(base);
		return nomem(err);
	}
	rc = exact_clv(s, base, NULL, err);
	for (k = 0; k < total && rc == CLV_OK; k++) {
		whatif_elasticity *e = &t->elast[t->n_elast++];
		el_kind kind = k == 0 ? EL_RETENTION_ALL : k <= n ? EL_RETENTION_STATE :
		               k == n + 1 ? EL_DISCOUNT : k == n + 2 ? EL_MARGIN : EL_HORIZON;
		e->input = kind == EL_RETENTION_STATE ? diag_strdupf("retention.%s", s->states[k - 1])
		         : strdup(k == 0 ? "retention" : kind == EL_DISCOUNT ? "discount_rate"
		                  : kind == EL_MARGIN ? "margin" : "horizon");
		e->e = malloc((n + 1) * sizeof *e->e);
		rc = el_fill(e, path, s, kind, k - 1, base, err);
	}
	free(base);
	return rc;
}

/* The spider rows of every input, then the order by |swing| of the total. */
static clv_status spider(whatif_tornado *t, const tornado_ctx *ctx, clv_error *err)
{
	size_t k, *order;
	whatif_input *sorted;
	clv_status rc = CLV_OK;
	int q;

	for (k = 0; k < t->n_inputs && rc == CLV_OK; k++) {
		whatif_input *in = &t->input[k];
		for (q = 0; q < WHATIF_SPIDER && rc == CLV_OK; q++)
			rc = evaluate(ctx, in->label, (q + 1) / 10.0, in->clv + (size_t)q * (t->n + 1),
			              err);
		in->swing = whatif_swing(t, k, t->n);
	}
	if (rc != CLV_OK || t->n_inputs < 2)
		return rc;
	order = malloc(t->n_inputs * sizeof *order);
	sorted = malloc(t->n_inputs * sizeof *sorted);
	if (order == NULL || sorted == NULL) {
		free(order);
		free(sorted);
		return nomem(err);
	}
	whatif_tornado_order(t, t->n, order);
	for (k = 0; k < t->n_inputs; k++)
		sorted[k] = t->input[order[k]];
	memcpy(t->input, sorted, t->n_inputs * sizeof *sorted);
	free(order);
	free(sorted);
	return CLV_OK;
}

whatif_tornado *whatif_tornado_run(const char *path, const whatif_settings *set,
                                   clv_error *err)
{
	whatif_tornado *t = calloc(1, sizeof *t);
	clv_scenario *s = scenario_load(path, err);
	tornado_ctx ctx = {path, false, {0}};
	clv_status rc = CLV_OK;
	size_t k;

	if (t == NULL || s == NULL) {
		if (s != NULL)
			nomem(err);
		goto fail;
	}
	t->n = s->n;
	t->states = copy_states(s);
	t->base = calloc(s->n + 1, sizeof *t->base);
	if (t->states == NULL || t->base == NULL) {
		nomem(err);
		goto fail;
	}
	for (k = 0; k < n_leaves(s) && rc == CLV_OK; k++)
		rc = leaf_inputs(t, leaf(s, k), err);
	whatif_config(set, s, &ctx.cfg);
	ctx.mc = t->monte_carlo;
	t->seed = ctx.cfg.seed;
	t->replications = ctx.cfg.replications;
	t->customers = ctx.cfg.customers;
	if (rc == CLV_OK)
		rc = evaluate(&ctx, NULL, 0.5, t->base, err);
	if (rc == CLV_OK)
		rc = spider(t, &ctx, err);
	if (rc == CLV_OK)
		rc = elasticities(t, path, s, err);
	if (rc != CLV_OK)
		goto fail;
	scenario_free(s);
	return t;
fail:
	scenario_free(s);
	whatif_tornado_free(t);
	return NULL;
}
