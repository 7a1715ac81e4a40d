/*
 * sweep.c - the what-if stage: sweep one or two keys over a grid
 * (whatif_sweep_run, contract in whatif.h). Each grid point sets the keys
 * with scenario_set_number (a switching entry rescales the rest of its
 * row, a retention adds the shorthand), drops the correlations of the
 * keys it fixes, and runs the exact engine and, when asked, the mean and
 * se by the grid's method (whatif_sweep_method, whatif.h): the exact
 * engine alone when nothing is uncertain, exact replication values
 * (sweep_exact.c) when nothing is drawn per customer, else Monte Carlo
 * on the same seed at every point. The keys are checked first on a probe
 * copy at each axis' first and last value.
 */
#include "whatif/whatif.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/mc_exact.h"
#include "scenario/scenario.h"
#include "whatif/whatif_budget.h"
#include "whatif/whatif_internal.h"

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
		return whatif_nomem(err);
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
	whatif_free_strings(w->states, w->n);
	free(w->x);
	free(w->exact);
	free(w->mean);
	free(w->se);
	free(w->base_name);
	free(w->base_path);
	free(w->diff_exact);
	free(w->diff_mean);
	free(w->diff_se);
	free(w->diff_lo90);
	free(w->diff_hi90);
	free(w->breakeven);
	free(w);
}

char *whatif_rule_text(clv_scenario *s, const char *key)
{
	clv_param *p = scenario_param(s, key);
	size_t i, j;

	if (p != NULL && scenario_entry_of(s, p, &i, &j))
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
static clv_status sweep_probe(whatif_sweep *w, const clv_scenario *given, clv_error *err)
{
	clv_scenario *s = scenario_copy(given, err);
	clv_status rc = CLV_OK;
	size_t a;

	if (s == NULL)
		return err->status;
	w->n = s->n;
	if ((w->states = whatif_copy_states(s)) == NULL)
		rc = whatif_nomem(err);
	w->seed = s->seed;
	w->replications = s->replications;
	w->customers = s->customers;
	for (a = 0; a < w->n_axes && rc == CLV_OK; a++) {
		w->rule[a] = whatif_rule_text(s, w->axis[a].key);
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
		return whatif_nomem(err);
	for (p = 0; p < w->n_points; p++) {
		w->x[p * w->n_axes] = whatif_axis_value(&w->axis[0], p / c1);
		if (w->n_axes == 2)
			w->x[p * 2 + 1] = whatif_axis_value(&w->axis[1], p % c1);
	}
	return CLV_OK;
}

const char *whatif_sweep_method_name(whatif_sweep_method m)
{
	return m == WHATIF_SWEEP_EXACT ? "exact"
	       : m == WHATIF_SWEEP_EXACT_REPLICATIONS ? "exact_replications" : "monte_carlo";
}

/* What the first point of `given` draws (the keys set fix what they set,
   the same at every point); with w NULL, what `given` draws as it is. */
static clv_status point_draws(const whatif_sweep *w, const clv_scenario *given, mc_draws *draws,
                              clv_error *err)
{
	clv_scenario *s = w != NULL ? whatif_sweep_point_copy(w, given, 0, err)
	                            : scenario_copy(given, err);

	if (s == NULL)
		return err->status;
	*draws = mc_exact_draws(s);
	scenario_free(s);
	return CLV_OK;
}

/* w->method: exact where nothing is drawn per customer (in s, and in
   base when there is one), unless the command chose an engine. */
static clv_status sweep_method(whatif_sweep *w, const clv_scenario *base, const clv_scenario *s,
                               const whatif_settings *set, clv_error *err)
{
	mc_draws ds = MC_DRAWS_CUSTOMER, db = MC_DRAWS_NONE;
	clv_status rc = CLV_OK;

	w->method = WHATIF_SWEEP_MONTE_CARLO;
	if (set->mode != MC_MODE_AUTO)
		return CLV_OK;
	rc = point_draws(w, s, &ds, err);
	if (rc == CLV_OK && base != NULL)
		rc = point_draws(NULL, base, &db, err);
	if (rc != CLV_OK || ds == MC_DRAWS_CUSTOMER || db == MC_DRAWS_CUSTOMER)
		return rc;
	w->method = ds == MC_DRAWS_NONE && db == MC_DRAWS_NONE ? WHATIF_SWEEP_EXACT
	                                                       : WHATIF_SWEEP_EXACT_REPLICATIONS;
	return CLV_OK;
}

/* Point p's mean and se (n + 1 cells each) by w->method; *rep gets its
   replication values (the Monte Carlo run's, kept in *r, or the exact
   ones in the scratch rep_buf; NULL for WHATIF_SWEEP_EXACT). */
static clv_status point_values(whatif_sweep *w, const whatif_sweep_draws *d, clv_scenario *s,
                               size_t p, const whatif_settings *set, mc_result **r,
                               double **rep_buf, const double **rep, clv_error *err)
{
	size_t cell = p * (w->n + 1), i;
	mc_config cfg;
	clv_status rc = CLV_OK;

	*rep = NULL;
	whatif_config(set, s, &cfg);
	cfg.seed = w->seed;
	if (w->method == WHATIF_SWEEP_EXACT) {
		for (i = 0; i <= w->n; i++) {
			w->mean[cell + i] = w->exact[cell + i];
			w->se[cell + i] = 0.0;
		}
	} else if (w->method == WHATIF_SWEEP_EXACT_REPLICATIONS) {
		double *grown = realloc(*rep_buf, cfg.replications * (w->n + 1) * sizeof *grown);
		if (grown == NULL)
			return whatif_nomem(err);
		*rep_buf = grown;
		rc = whatif_sweep_draws_point(d, s, cfg.replications, cfg.threads, grown, err);
		if (rc == CLV_OK)
			rc = whatif_rep_means(grown, (size_t)cfg.replications, w->n, w->mean + cell,
			                      w->se + cell, err);
		*rep = grown;
	} else if ((*r = mc_run(s, &cfg, err)) == NULL) {
		rc = err->status;
	} else {
		whatif_mc_means(*r, w->mean + cell, w->se + cell);
		*rep = (*r)->rep_clv;
	}
	return rc;
}

/* Grid point p: copy, set, exact, mean and se by w->method (and the
   difference from the base b, when there is one). */
static clv_status sweep_point(whatif_sweep *w, const clv_scenario *given, size_t p,
                              const whatif_settings *set, const whatif_sweep_base *b,
                              const whatif_sweep_draws *d, double **rep_buf, clv_error *err)
{
	clv_scenario *s = whatif_check_interrupt(err) == CLV_OK
	                  ? whatif_sweep_point_copy(w, given, p, err) : NULL;
	mc_result *r = NULL;
	const double *rep = NULL;
	clv_status rc;

	if (s == NULL)
		return err->status;
	rc = whatif_exact_clv(s, w->exact + p * (w->n + 1), NULL, err);
	if (rc == CLV_OK && w->mean != NULL)
		rc = point_values(w, d, s, p, set, &r, rep_buf, &rep, err);
	if (rc == CLV_OK && b != NULL)
		rc = whatif_sweep_base_point(w, b, p, s, rep, err);
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
			return whatif_nomem(err);
		w->n_points *= axes[a].count;
	}
	if (w->n_points > WHATIF_MAX_POINTS)
		return diag_set(err, CLV_ERR_USAGE, NULL, "the grid has %zu points (%zu x %zu), more "
		                "than the limit of %d", w->n_points, axes[0].count,
		                n_axes == 2 ? axes[1].count : (size_t)1, WHATIF_MAX_POINTS);
	return CLV_OK;
}

/* The sweep, against base when it is not NULL. */
static whatif_sweep *sweep_run(const clv_scenario *base, const clv_scenario *s,
                               const whatif_axis *axes, size_t n_axes,
                               const whatif_settings *set, bool monte_carlo, clv_error *err)
{
	whatif_sweep *w = calloc(1, sizeof *w);
	whatif_sweep_base *b = NULL;
	whatif_sweep_draws *d = NULL;
	double *rep_buf = NULL;
	mc_config cfg;
	clv_status rc;
	size_t p;

	if (w == NULL) {
		whatif_nomem(err);
		return NULL;
	}
	rc = sweep_axes(w, axes, n_axes, err);
	if (rc == CLV_OK)
		rc = sweep_probe(w, s, err);
	if (rc == CLV_OK)
		rc = sweep_tables(w, monte_carlo, err);
	if (set->has_seed)
		w->seed = set->seed;
	if (set->replications)
		w->replications = set->replications;
	if (set->customers)
		w->customers = set->customers;
	if (rc == CLV_OK && (monte_carlo || base != NULL))
		rc = sweep_method(w, base, s, set, err);
	if (rc == CLV_OK && w->method == WHATIF_SWEEP_MONTE_CARLO && monte_carlo)
		rc = whatif_sweep_budget(w, s, set, err); /* every point's, before the first runs */
	if (rc == CLV_OK && w->method == WHATIF_SWEEP_EXACT_REPLICATIONS) {
		whatif_config(set, s, &cfg);
		if ((d = whatif_sweep_draws_create(w, s, w->replications, cfg.sampling, err)) == NULL)
			rc = err->status;
	}
	if (rc == CLV_OK && base != NULL &&
	    (b = whatif_sweep_base_create(w, base, s, set, err)) == NULL)
		rc = err->status;
	for (p = 0; p < w->n_points && rc == CLV_OK; p++)
		rc = sweep_point(w, s, p, set, b, d, &rep_buf, err);
	if (rc == CLV_OK && base != NULL)
		rc = whatif_sweep_breakeven(w, err);
	whatif_sweep_base_free(b);
	whatif_sweep_draws_free(d);
	free(rep_buf);
	if (rc != CLV_OK) {
		whatif_sweep_free(w);
		return NULL;
	}
	return w;
}

whatif_sweep *whatif_sweep_run(const clv_scenario *s, const whatif_axis *axes, size_t n_axes,
                               const whatif_settings *set, bool monte_carlo,
                               clv_error *err)
{
	return sweep_run(NULL, s, axes, n_axes, set, monte_carlo, err);
}

whatif_sweep *whatif_sweep_vs(const clv_scenario *base, const clv_scenario *changed,
                              const whatif_axis *axes, size_t n_axes,
                              const whatif_settings *set, clv_error *err)
{
	return sweep_run(base, changed, axes, n_axes, set, true, err);
}
