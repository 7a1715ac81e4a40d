/*
 * tornado.c - the what-if stage: rank uncertain assumptions by how much
 * they move CLV (whatif_tornado_run, contract in whatif.h).
 *
 * Method: one input at a time at its 10th..90th percentiles, the others
 * at their means (a one-way sensitivity analysis; Clemen, Making Hard
 * Decisions, ch. 5); elasticities by central differences. Fixing a
 * switching entry rescales the row's other fixed entries so that, with
 * its uncertain entries at their means, the row sums to 1 (the row rule
 * of scenario/edit.c); a Dirichlet row's input is its diagonal, whose
 * marginal is Beta(alpha_i, sum(alpha) - alpha_i), the rest of the row
 * kept in proportion to its means.
 */
#include "whatif/whatif.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "whatif/whatif_internal.h"

/* ------------------------------------------------------------------ */
/* tornado                                                             */

/* What every evaluation needs. */
typedef struct tornado_ctx {
	const clv_scenario *s;   /* the scenario given: each evaluation copies it */
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
	whatif_free_strings(t->states, t->n);
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
		return whatif_nomem(err);
	t->input = grown;
	in = &t->input[t->n_inputs++];
	memset(in, 0, sizeof *in);
	in->label = strdup(label);
	in->dist = dist_text(p, dirichlet);
	in->clv = calloc(WHATIF_SPIDER * (t->n + 1), sizeof *in->clv);
	if (!in->label || !in->dist || !in->clv)
		return whatif_nomem(err);
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
		d = scenario_dirichlet_diagonal(s, i);
		if (!dist_is_uncertain(&d))
			continue;
		if ((label = diag_strdupf("switching.%s.%s", s->states[i], s->states[i])) == NULL)
			return whatif_nomem(err);
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
		return whatif_nomem(err);
	for (k = 0; k < n_params && rc == CLV_OK; k++) {
		const clv_param *p = params[k];
		if (!dist_is_uncertain(p) || p->kind == DIST_POISSON)
			continue;
		rc = add_input(t, p->label, p, false, err);
	}
	free(params);
	return rc == CLV_OK ? dirichlet_inputs(t, s, err) : rc;
}

/* CLV (n + 1) with input `label` at its u-quantile in every leaf: the
   expectation over every other uncertain input (engine/expect.h); label
   NULL: the full expectation. On a copy of ctx->s. */
static clv_status evaluate(const tornado_ctx *ctx, const char *label, double u, double *clv,
                           clv_error *err)
{
	clv_scenario *s = whatif_check_interrupt(err) == CLV_OK ? scenario_copy(ctx->s, err) : NULL;
	clv_status rc = CLV_OK;
	size_t k;

	if (s == NULL)
		return err->status;
	for (k = 0; k < scenario_n_leaves(s) && rc == CLV_OK && label != NULL; k++) {
		rc = scenario_pin_input(scenario_leaf(s, k), label, u, err);
		/* a pinned input has no rank left to correlate */
		scenario_drop_correlations(scenario_leaf(s, k), label);
	}
	if (label != NULL)
		scenario_drop_correlations(s, label);
	if (rc == CLV_OK) /* the expectation over every other assumption */
		rc = whatif_exact_clv(s, clv, NULL, err);
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
		return whatif_nomem(err);
	rc = scenario_set_number(s, key, f * ret, err);
	free(key);
	return rc;
}

static clv_status scale_param(clv_scenario *s, clv_param *p, double f, clv_error *err)
{
	return scenario_set_value(s, p, f * dist_mean(p), err);
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

/* CLV at the means with input `kind` moved one step up (dir = 1) or down
   (-1), on a copy of given: elasticities are point elasticities at the
   assumptions' means. */
static clv_status el_eval(const clv_scenario *given, el_kind kind, size_t i, int dir,
                          double *clv, clv_error *err)
{
	clv_scenario *s = whatif_check_interrupt(err) == CLV_OK ? scenario_copy(given, err) : NULL;
	clv_status rc = CLV_OK;
	size_t k;

	if (s == NULL)
		return err->status;
	if (kind == EL_HORIZON)
		rc = scenario_set_number(s, "horizon", (double)(s->horizon + dir), err);
	for (k = 0; k < scenario_n_leaves(s) && kind != EL_HORIZON && rc == CLV_OK; k++)
		rc = scale_leaf(scenario_leaf(s, k), kind, i, 1.0 + dir * WHATIF_ELASTICITY_STEP, err);
	for (k = 0; k <= s->n_segments && rc == CLV_OK; k++) /* the exact engine needs none */
		scenario_drop_correlations(k < s->n_segments ? s->segments[k] : s, NULL);
	if (rc == CLV_OK)
		rc = scenario_validate(s, err); /* a step must stay inside the valid region */
	if (rc == CLV_OK)
		rc = whatif_means_clv(s, clv, err);
	scenario_free(s);
	return rc;
}

/* One side of a central difference: *ok false when the step leaves the
   valid region (why gets the reason); other failures are returned. */
static clv_status el_side(const clv_scenario *given, el_kind kind, size_t i, int dir,
                          double *clv, bool *ok, clv_error *why, clv_error *err)
{
	clv_status rc = el_eval(given, kind, i, dir, clv, why);

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
		*base = dist_mean(&scenario_leaf(s, 0)->discount);
		return *base == 0.0 ? "discount rate 0" : NULL;
	}
	if (kind == EL_MARGIN)
		return NULL;
	for (k = 0; k < scenario_n_leaves(s); k++)
		for (j = 0; j < s->n; j++) {
			if ((kind == EL_RETENTION_STATE && j != i) ||
			    retention_at_means(scenario_leaf(s, k), j, &ret, err) != CLV_OK)
				continue;
			if (kind == EL_RETENTION_STATE && k == 0)
				*base = ret;
			any = any || movable(ret);
		}
	return any ? NULL : "retention 0 or above 1/1.01 (e.g. an absorbing state)";
}

/* Fill elasticity e of input `kind` from the exact CLV at the means. */
static clv_status el_fill(whatif_elasticity *e, const clv_scenario *given, clv_scenario *s,
                          el_kind kind, size_t i, const double *base_clv, clv_error *err)
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
		rc = whatif_nomem(err);
		goto cleanup;
	}
	for (k = 0; k <= s->n; k++)
		e->e[k] = NAN;
	if (why != NULL) {
		e->skipped = strdup(why);
		goto cleanup;
	}
	rel = kind == EL_HORIZON ? 2.0 / base : 2.0 * WHATIF_ELASTICITY_STEP;
	rc = el_side(given, kind, i, 1, up, &up_ok, &why_up, err);
	if (rc == CLV_OK)
		rc = el_side(given, kind, i, -1, down, &down_ok, &why_down, err);
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
   margin (all), horizon. s is a copy of given (read for the base values);
   each evaluation edits a copy of given of its own. */
static clv_status elasticities(whatif_tornado *t, const clv_scenario *given, clv_scenario *s,
                               clv_error *err)
{
	size_t k, n = s->n, total = n + 4;
	double *base = malloc((n + 1) * sizeof *base);
	clv_status rc;

	t->elast = calloc(total, sizeof *t->elast);
	if (base == NULL || t->elast == NULL) {
		free(base);
		return whatif_nomem(err);
	}
	rc = whatif_means_clv(s, base, err);
	for (k = 0; k < total && rc == CLV_OK; k++) {
		whatif_elasticity *e = &t->elast[t->n_elast++];
		el_kind kind = k == 0 ? EL_RETENTION_ALL : k <= n ? EL_RETENTION_STATE :
		               k == n + 1 ? EL_DISCOUNT : k == n + 2 ? EL_MARGIN : EL_HORIZON;
		e->input = kind == EL_RETENTION_STATE ? diag_strdupf("retention.%s", s->states[k - 1])
		         : strdup(k == 0 ? "retention" : kind == EL_DISCOUNT ? "discount_rate"
		                  : kind == EL_MARGIN ? "margin" : "horizon");
		e->e = malloc((n + 1) * sizeof *e->e);
		rc = el_fill(e, given, s, kind, k - 1, base, err);
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
		return whatif_nomem(err);
	}
	whatif_tornado_order(t, t->n, order);
	for (k = 0; k < t->n_inputs; k++)
		sorted[k] = t->input[order[k]];
	memcpy(t->input, sorted, t->n_inputs * sizeof *sorted);
	free(order);
	free(sorted);
	return CLV_OK;
}

whatif_tornado *whatif_tornado_run(const clv_scenario *given, const whatif_settings *set,
                                   clv_error *err)
{
	whatif_tornado *t = calloc(1, sizeof *t);
	clv_scenario *s = scenario_copy(given, err); /* for the inputs and the elasticities' base */
	tornado_ctx ctx = {given, {0}};
	clv_status rc = CLV_OK;
	size_t k;

	if (t == NULL || s == NULL) {
		if (s != NULL)
			whatif_nomem(err);
		goto fail;
	}
	t->n = s->n;
	t->states = whatif_copy_states(s);
	t->base = calloc(s->n + 1, sizeof *t->base);
	if (t->states == NULL || t->base == NULL) {
		whatif_nomem(err);
		goto fail;
	}
	for (k = 0; k < scenario_n_leaves(s) && rc == CLV_OK; k++)
		rc = leaf_inputs(t, scenario_leaf(s, k), err);
	whatif_config(set, s, &ctx.cfg);
	t->seed = ctx.cfg.seed;
	t->replications = ctx.cfg.replications;
	t->customers = ctx.cfg.customers;
	if (rc == CLV_OK)
		rc = evaluate(&ctx, NULL, 0.5, t->base, err);
	if (rc == CLV_OK)
		rc = spider(t, &ctx, err);
	if (rc == CLV_OK)
		rc = elasticities(t, given, s, err);
	if (rc != CLV_OK)
		goto fail;
	scenario_free(s);
	return t;
fail:
	scenario_free(s);
	whatif_tornado_free(t);
	return NULL;
}
