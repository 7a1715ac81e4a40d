/*
 * model.c - build a replication's (or a customer's) clv_model from a
 * scenario and the values its assumptions take. The rules and their order
 * are listed in model.h; they are the single place where switching rows,
 * retention, offers and discount units turn into numbers, so the exact
 * engine and the Monte Carlo engine can never disagree about them.
 *
 * Invariant of a built model: every row of P and P_offer sums to 1 within
 * 1e-9 and lies in [0, 1] (checked in debug builds).
 */
#include "engine/model.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/rowmath.h"
#include "scenario/scenario.h"

#define ROW_TOLERANCE 1e-9

clv_model *model_create(size_t n)
{
	clv_model *m = calloc(1, sizeof *m);

	if (m == NULL)
		return NULL;
	m->n = n;
	m->P = calloc(n * n, sizeof *m->P);
	m->P_offer = calloc(n * n, sizeof *m->P_offer);
	m->initial = calloc(n, sizeof *m->initial);
	m->margin = calloc(n, sizeof *m->margin);
	m->margin_offer = calloc(n, sizeof *m->margin_offer);
	m->cost = calloc(n, sizeof *m->cost);
	m->cost_offer = calloc(n, sizeof *m->cost_offer);
	m->offer_cost = calloc(n, sizeof *m->offer_cost);
	m->acquired_initial = calloc(n, sizeof *m->acquired_initial);
	if (!m->P || !m->P_offer || !m->initial || !m->margin || !m->margin_offer ||
	    !m->cost || !m->cost_offer || !m->offer_cost || !m->acquired_initial) {
		model_free(m);
		return NULL;
	}
	return m;
}

void model_free(clv_model *m)
{
	if (m == NULL)
		return;
	free(m->P);
	free(m->P_offer);
	free(m->initial);
	free(m->margin);
	free(m->margin_offer);
	free(m->cost);
	free(m->cost_offer);
	free(m->offer_cost);
	free(m->acquired_initial);
	free(m);
}

void model_copy(clv_model *dst, const clv_model *src)
{
	size_t n = src->n;

	assert(dst->n == n);
	memcpy(dst->P, src->P, n * n * sizeof *dst->P);
	memcpy(dst->P_offer, src->P_offer, n * n * sizeof *dst->P);
	memcpy(dst->initial, src->initial, n * sizeof *dst->initial);
	memcpy(dst->margin, src->margin, n * sizeof *dst->margin);
	memcpy(dst->margin_offer, src->margin_offer, n * sizeof *dst->margin);
	memcpy(dst->cost, src->cost, n * sizeof *dst->cost);
	memcpy(dst->cost_offer, src->cost_offer, n * sizeof *dst->cost);
	memcpy(dst->offer_cost, src->offer_cost, n * sizeof *dst->cost);
	dst->offer_periods = src->offer_periods;
	dst->discount = src->discount;
	dst->purchases = src->purchases;
	dst->poisson = src->poisson;
	dst->growth = src->growth;
	dst->acquisition = src->acquisition;
	dst->horizon = src->horizon;
	dst->infinite = src->infinite;
	dst->has_base = src->has_base;
	dst->base_customers = src->base_customers;
	dst->acquired = src->acquired;
	dst->acquired_list = src->acquired_list;
	dst->n_acquired_list = src->n_acquired_list;
	memcpy(dst->acquired_initial, src->acquired_initial, n * sizeof *dst->acquired_initial);
}

/* ---- values of the assumptions ---------------------------------- */

void model_values_free(model_values *v)
{
	if (v == NULL)
		return;
	free(v->param);
	free(v->params);
	free(v->dirichlet);
	free(v);
}

model_values *model_values_copy(const model_values *v, size_t n)
{
	model_values *c = calloc(1, sizeof *c);

	if (c == NULL)
		return NULL;
	c->n_params = v->n_params;
	c->param = malloc((v->n_params + 1) * sizeof *c->param);
	c->params = malloc((v->n_params + 1) * sizeof *c->params);
	c->dirichlet = malloc((n * n + 1) * sizeof *c->dirichlet);
	if (!c->param || !c->params || !c->dirichlet) {
		model_values_free(c);
		return NULL;
	}
	memcpy(c->param, v->param, v->n_params * sizeof *c->param);
	memcpy(c->params, v->params, v->n_params * sizeof *c->params);
	memcpy(c->dirichlet, v->dirichlet, n * n * sizeof *c->dirichlet);
	return c;
}

model_values *model_values_at_means(clv_scenario *s, clv_error *err)
{
	model_values *v = calloc(1, sizeof *v);
	size_t k, i, j, n = s->n;

	if (v == NULL)
		goto nomem;
	v->params = scenario_params_alloc(s, &v->n_params);
	v->param = calloc(v->n_params + 1, sizeof *v->param);
	v->dirichlet = calloc(n * n + 1, sizeof *v->dirichlet);
	if (!v->params || !v->param || !v->dirichlet)
		goto nomem;
	for (k = 0; k < v->n_params; k++)
		v->param[k] = dist_mean(v->params[k]);
	for (i = 0; i < n; i++) {
		double sum = 0.0;
		if (!s->switching[i].dirichlet)
			continue;
		for (j = 0; j < n; j++)
			sum += s->switching[i].alpha[j];
		for (j = 0; j < n; j++)
			v->dirichlet[i * n + j] = s->switching[i].alpha[j] / sum;
	}
	return v;
nomem:
	model_values_free(v);
	diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory building the model");
	return NULL;
}

/* The value p takes in v (p must be one of v's params). Params are found
   by address: v->params is in scenario order, searched cyclically from a
   cursor shared by the whole of model_build, which visits them in that
   order (so each is usually found at the first probe: model_build runs
   once per customer with per-customer assumptions). */
static double value_of(const model_values *v, const clv_param *p, size_t *cursor)
{
	size_t k, n = v->n_params, at = *cursor < n ? *cursor : 0;

	for (k = 0; k < n; k++, at = at + 1 < n ? at + 1 : 0) {
		if (v->params[at] == p) {
			*cursor = at + 1;
			return v->param[at];
		}
	}
	assert(!"assumption not in the scenario's list");
	return p->a;
}

/* ---- building ---------------------------------------------------- */

/* A row's entries rescaled as rule 1 says (row holds each entry's value,
   uncertain[j] whether entry j is uncertain): the uncertain ones kept, the
   fixed ones rescaled proportionally to take up the rest. Sets *drawn to
   the uncertain entries' sum; false when they leave the row unable to sum
   to 1. build_row and the rows plan both go through it (the same bits). */
static bool rescale_fixed(double *row, const bool *uncertain, size_t n, double *drawn)
{
	double fixed = 0.0;
	size_t j;

	*drawn = 0.0;
	for (j = 0; j < n; j++) {
		if (uncertain[j])
			*drawn += row[j];
		else
			fixed += row[j];
	}
	if (*drawn == 0.0 || fabs(*drawn + fixed - 1.0) <= ROW_TOLERANCE)
		return true;
	if (*drawn > 1.0 + ROW_TOLERANCE || (fixed <= 0.0 && fabs(*drawn - 1.0) > ROW_TOLERANCE))
		return false;
	for (j = 0; j < n; j++)
		if (!uncertain[j])
			row[j] *= (1.0 - *drawn) / fixed;
	return true;
}

/* An offer moving probability towards its brand b in one row (rule 5: by
   the retention rule, capped at 1); -1 when nothing is left to rescale. */
static int pin_towards(double *row, size_t n, size_t b, double add)
{
	return rowmath_pin(row, n, b, fmin(1.0, row[b] + add));
}

static clv_status build_row(const clv_scenario *s, const model_values *v, size_t i,
                            double *row, size_t *cursor, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	bool uncertain[CLV_MAX_STATES];
	double drawn;
	size_t j, n = s->n;

	if (r->dirichlet) {
		memcpy(row, v->dirichlet + i * n, n * sizeof *row);
		return CLV_OK;
	}
	for (j = 0; j < n; j++) {
		row[j] = value_of(v, &r->p[j], cursor);
		uncertain[j] = dist_is_uncertain(&r->p[j]);
	}
	if (!rescale_fixed(row, uncertain, n, &drawn))
		return diag_set(err, CLV_ERR_INPUT, &r->pos,
		                "switching row \"%s\": its uncertain entries sum to %.6g, so the "
		                "row cannot sum to 1", s->states[i], drawn);
	return CLV_OK;
}

static clv_status build_matrix(const clv_scenario *s, const model_values *v, clv_model *m,
                               size_t *cursor, clv_error *err)
{
	size_t i, n = s->n;
	clv_status rc = CLV_OK;

	for (i = 0; i < n && rc == CLV_OK; i++)
		rc = build_row(s, v, i, m->P + i * n, cursor, err);
	for (i = 0; i < n && rc == CLV_OK; i++) {
		double ret;
		if (!s->has_retention[i])
			continue;
		ret = value_of(v, &s->retention[i], cursor);
		if (rowmath_pin(m->P + i * n, n, i, ret) != 0)
			rc = diag_set(err, CLV_ERR_INPUT, &s->retention[i].pos,
			              "retention of \"%s\" is %.6g but the row has no other "
			              "entry to rescale", s->states[i], ret);
	}
	return rc;
}

static void build_money(const clv_scenario *s, const model_values *v, clv_model *m,
                        size_t *cursor)
{
	size_t i, n = s->n;

	for (i = 0; i < n; i++) {
		m->margin[i] = value_of(v, &s->margin[i], cursor);
		m->cost[i] = value_of(v, &s->cost[i], cursor);
		m->cost[i] -= value_of(v, &s->referral[i], cursor);
	}
	m->acquisition = value_of(v, &s->acquisition, cursor);
	m->growth = value_of(v, &s->spend_growth, cursor);
}

static void build_time(const clv_scenario *s, const model_values *v, clv_model *m,
                       size_t *cursor)
{
	double d = value_of(v, &s->discount, cursor);

	if (s->discount_annual && s->periods_per_year > 0)
		d = pow(1.0 + d, 1.0 / s->periods_per_year) - 1.0;
	m->discount = d;
	m->purchases = value_of(v, &s->purchases, cursor);
	m->poisson = s->purchases.kind == DIST_POISSON;
	m->horizon = s->horizon;
	m->infinite = s->infinite;
	memcpy(m->initial, s->initial, s->n * sizeof *m->initial);
}

/* The customer base: counts and the new customers' start (at M's mean:
   the equity is linear in M, which is drawn apart from the model). */
static void build_base(const clv_scenario *s, clv_model *m)
{
	const clv_base *b = &s->base;

	m->has_base = b->given;
	m->base_customers = b->given ? b->customers : 0.0;
	m->acquired_list = b->given ? b->acquired_list : NULL;
	m->n_acquired_list = b->given ? b->n_acquired_list : 0;
	m->acquired = !b->given ? 0.0 : b->acquired_list ? 1.0 : dist_mean(&b->acquired);
	memcpy(m->acquired_initial, b->acquired_initial ? b->acquired_initial : s->initial,
	       s->n * sizeof *m->acquired_initial);
}

/* Apply one offer to the second phase. */
static clv_status apply_offer(const clv_scenario *s, const clv_offer *o,
                              const model_values *v, clv_model *m, size_t *cursor,
                              clv_error *err)
{
	size_t n = s->n, b = o->brand, r;
	double cost = value_of(v, &o->cost, cursor);
	double cut = value_of(v, &o->margin_cut, cursor);
	double up = value_of(v, &o->retention_uplift, cursor);
	double *row = m->P_offer + b * n;

	m->margin_offer[b] *= 1.0 - cut;
	for (r = 0; r < n; r++)
		if (o->target_all || r == b)
			m->offer_cost[r] += cost;
	if (up != 0.0 && pin_towards(row, n, b, up) != 0)
		return diag_set(err, CLV_ERR_INPUT, &o->retention_uplift.pos,
		                "%s: retention uplift leaves nothing to rescale", o->label);
	for (r = 0; r < n; r++) {
		double w = value_of(v, &o->win_from[r], cursor);
		double *rival = m->P_offer + r * n;
		if (w == 0.0 || r == b)
			continue;
		if (pin_towards(rival, n, b, w) != 0)
			return diag_set(err, CLV_ERR_INPUT, &o->win_from[r].pos,
			                "%s: win_from \"%s\" leaves nothing to rescale", o->label,
			                s->states[r]);
	}
	return CLV_OK;
}

static clv_status build_offers(const clv_scenario *s, const model_values *v, clv_model *m,
                               size_t *cursor, clv_error *err)
{
	size_t n = s->n, k;
	clv_status rc = CLV_OK;

	memcpy(m->P_offer, m->P, n * n * sizeof *m->P);
	memcpy(m->margin_offer, m->margin, n * sizeof *m->margin);
	memcpy(m->cost_offer, m->cost, n * sizeof *m->cost);
	memset(m->offer_cost, 0, n * sizeof *m->offer_cost);
	m->offer_periods = 0;
	for (k = 0; k < s->n_offers && rc == CLV_OK; k++) {
		rc = apply_offer(s, &s->offers[k], v, m, cursor, err);
		m->offer_periods = s->offers[k].periods;
	}
	return rc;
}

#ifdef CLV_DEBUG
static void assert_stochastic(const double *P, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		double sum = 0.0;
		for (j = 0; j < n; j++) {
			assert(P[i * n + j] >= 0.0 && P[i * n + j] <= 1.0);
			sum += P[i * n + j];
		}
		assert(fabs(sum - 1.0) <= 1e-9);
	}
}
#endif

/* The drawn discount and growth keep CLV finite (the loader checks the
   range of both; this catches a draw beyond it): r > g for an infinite
   horizon, a discounted growth factor of at most e^200 for a finite one. */
static clv_status check_drawn_growth(const clv_scenario *s, const clv_model *m, clv_error *err)
{
	double exponent = (double)m->horizon * (log1p(m->growth) - log1p(m->discount));

	if ((m->infinite && !(m->discount > m->growth)) || (!m->infinite && !(exponent <= 200.0)))
		return diag_set(err, CLV_ERR_INPUT, &s->spend_growth.pos,
		                "a draw of spend_growth %.10g against a discount rate of %.10g per "
		                "period makes the CLV %s; narrow the two distributions",
		                m->growth, m->discount, m->infinite ? "infinite" : "overflow");
	return CLV_OK;
}

clv_status model_build(const clv_scenario *s, const model_values *v, clv_model *m,
                       clv_error *err)
{
	clv_status rc;
	size_t cursor = 0; /* in scenario_params order: rows, time, money, offers */

	rc = build_matrix(s, v, m, &cursor, err);
	if (rc != CLV_OK)
		return rc;
	build_time(s, v, m, &cursor);
	build_money(s, v, m, &cursor);
	build_base(s, m);
	rc = check_drawn_growth(s, m, err);
	if (rc == CLV_OK)
		rc = build_offers(s, v, m, &cursor, err);
#ifdef CLV_DEBUG
	if (rc == CLV_OK) {
		assert_stochastic(m->P, m->n);
		assert_stochastic(m->P_offer, m->n);
	}
#endif
	return rc;
}

clv_status model_rebuild(const clv_scenario *s, const model_values *v, clv_model *m,
                         unsigned parts, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t cursor = 0;

	if (parts & ~(MODEL_PART_ROWS | MODEL_PART_MONEY))
		return model_build(s, v, m, err);
	if (parts & MODEL_PART_ROWS)
		rc = build_matrix(s, v, m, &cursor, err);
	if (rc != CLV_OK)
		return rc;
	if (parts & MODEL_PART_MONEY || parts == 0) /* the acquisition cost is in the money */
		build_money(s, v, m, &cursor);
	rc = build_offers(s, v, m, &cursor, err);
#ifdef CLV_DEBUG
	if (rc == CLV_OK) {
		assert_stochastic(m->P, m->n);
		assert_stochastic(m->P_offer, m->n);
	}
#endif
	return rc;
}

/* ---- rows of a customer's own (model_rows_plan) -------------------- */

static bool param_in(const clv_param *p, const clv_param *arr, size_t n)
{
	return arr != NULL && p >= arr && p < arr + n;
}


/* How row `row` of P, then of P_offer, comes out of the values: indices
   in model_values.param, in the order model_build reads them. */
typedef struct row_recipe {
	size_t row;
	bool dirichlet;          /* its entries are the Dirichlet draw */
	size_t entry[CLV_MAX_STATES];
	bool uncertain[CLV_MAX_STATES];
	bool has_retention;
	size_t retention;
	size_t *offer;           /* n_offers: uplift (row is the brand) or win_from[row] */
	bool offer_phase;        /* P_offer row wanted (own[1]) */
} row_recipe;

struct model_rows_plan {
	size_t n, n_offers;
	size_t *brand;           /* n_offers: each offer's brand */
	bool own[2][CLV_MAX_STATES];
	size_t acquisition;      /* index of the acquisition cost */
	row_recipe *recipe;      /* n_recipes, by row */
	size_t n_recipes;
};

/* The index of p among v's params (it is one of them). */
static size_t index_of(const model_values *v, const clv_param *p)
{
	size_t k;

	for (k = 0; k < v->n_params; k++)
		if (v->params[k] == p)
			return k;
	assert(!"assumption not in the scenario's list");
	return 0;
}

/* Mark the rows assumption p decides when it is a customer's own; false
   when it decides anything else (money, time). */
static bool mark_own(const clv_scenario *s, const clv_param *p, bool own[2][CLV_MAX_STATES])
{
	size_t i, k, n = s->n;

	if (p == &s->acquisition)
		return true;
	if (param_in(p, s->retention, n)) {
		own[0][p - s->retention] = own[1][p - s->retention] = true;
		return true;
	}
	for (i = 0; i < n; i++)
		if (!s->switching[i].dirichlet && param_in(p, s->switching[i].p, n)) {
			own[0][i] = own[1][i] = true;
			return true;
		}
	for (k = 0; k < s->n_offers; k++) {
		const clv_offer *o = &s->offers[k];
		if (p == &o->retention_uplift) {
			own[1][o->brand] = true;
			return true;
		}
		if (param_in(p, o->win_from, n)) {
			own[1][p - o->win_from] = true;
			return true;
		}
	}
	return false;
}

void model_rows_plan_free(model_rows_plan *pl)
{
	size_t r;

	if (pl == NULL)
		return;
	for (r = 0; r < pl->n_recipes; r++)
		free(pl->recipe[r].offer);
	free(pl->recipe);
	free(pl->brand);
	free(pl);
}

model_rows_plan *model_rows_plan_create(const clv_scenario *s, const model_values *v,
                                        const size_t *own, size_t n_own, clv_error *err)
{
	model_rows_plan *pl = calloc(1, sizeof *pl);
	size_t n = s->n, i, j, k;

	if (pl == NULL)
		goto nomem;
	pl->n = n;
	pl->n_offers = s->n_offers;
	for (k = 0; k < n_own; k++)
		if (!mark_own(s, v->params[own[k]], pl->own)) {
			model_rows_plan_free(pl);
			diag_set(err, CLV_ERR_INPUT, NULL, "an assumption drawn per customer decides "
			                                   "more than the rows");
			return NULL;
		}
	pl->acquisition = index_of(v, &s->acquisition);
	pl->brand = calloc(s->n_offers + 1, sizeof *pl->brand);
	pl->recipe = calloc(n, sizeof *pl->recipe);
	if (pl->brand == NULL || pl->recipe == NULL)
		goto nomem;
	for (k = 0; k < s->n_offers; k++)
		pl->brand[k] = s->offers[k].brand;
	for (i = 0; i < n; i++) {
		row_recipe *rc = &pl->recipe[pl->n_recipes];
		const clv_row *r = &s->switching[i];
		if (!pl->own[1][i]) /* own[0] implies own[1] */
			continue;
		pl->n_recipes++;
		rc->row = i;
		rc->dirichlet = r->dirichlet;
		for (j = 0; j < n && !r->dirichlet; j++) {
			rc->entry[j] = index_of(v, &r->p[j]);
			rc->uncertain[j] = dist_is_uncertain(&r->p[j]);
		}
		rc->has_retention = s->has_retention[i];
		if (rc->has_retention)
			rc->retention = index_of(v, &s->retention[i]);
		rc->offer = calloc(s->n_offers + 1, sizeof *rc->offer);
		if (rc->offer == NULL)
			goto nomem;
		for (k = 0; k < s->n_offers; k++) {
			const clv_offer *o = &s->offers[k];
			rc->offer[k] = index_of(v, o->brand == i ? &o->retention_uplift : &o->win_from[i]);
		}
	}
	return pl;
nomem:
	model_rows_plan_free(pl);
	diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return NULL;
}

bool model_rows_plan_has(const model_rows_plan *pl, int phase, size_t i)
{
	return pl->own[phase != 0][i];
}

/* build_matrix, then build_offers, for one row (rules 1, 2 and 5 in the
   order model_build applies them to it). */
clv_status model_rows_rebuild(const model_rows_plan *pl, const model_values *v, double *P,
                              double *P_offer, double *acquisition)
{
	size_t n = pl->n, r, j, k;

	for (r = 0; r < pl->n_recipes; r++) {
		const row_recipe *rc = &pl->recipe[r];
		const size_t i = rc->row;
		double *row = P + i * n, *off = P_offer + i * n, drawn;
		if (rc->dirichlet)
			memcpy(row, v->dirichlet + i * n, n * sizeof *row);
		else {
			for (j = 0; j < n; j++)
				row[j] = v->param[rc->entry[j]];
			if (!rescale_fixed(row, rc->uncertain, n, &drawn))
				return CLV_ERR_INPUT;
		}
		if (rc->has_retention && rowmath_pin(row, n, i, v->param[rc->retention]) != 0)
			return CLV_ERR_INPUT;
		memcpy(off, row, n * sizeof *off);
		for (k = 0; k < pl->n_offers; k++) {
			const double add = v->param[rc->offer[k]];
			if (add != 0.0 && pin_towards(off, n, pl->brand[k], add) != 0)
				return CLV_ERR_INPUT;
		}
	}
	*acquisition = v->param[pl->acquisition];
	return CLV_OK;
}

clv_model *model_at_means(clv_scenario *s, clv_error *err)
{
	model_values *v = model_values_at_means(s, err);
	clv_model *m = NULL;

	if (v == NULL)
		return NULL;
	m = model_create(s->n);
	if (m == NULL)
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory building the model");
	else if (model_build(s, v, m, err) != CLV_OK) {
		model_free(m);
		m = NULL;
	}
	model_values_free(v);
	return m;
}

unsigned model_param_parts(const clv_scenario *s, const clv_param *p)
{
	size_t i, n = s->n;

	if (p == &s->acquisition)
		return 0;
	if (param_in(p, s->margin, n) || param_in(p, s->cost, n) || param_in(p, s->referral, n))
		return MODEL_PART_MONEY;
	if (param_in(p, s->retention, n))
		return MODEL_PART_ROWS;
	for (i = 0; i < n; i++)
		if (!s->switching[i].dirichlet && param_in(p, s->switching[i].p, n))
			return MODEL_PART_ROWS;
	for (i = 0; i < s->n_offers; i++) {
		const clv_offer *o = &s->offers[i];
		if (p == &o->cost || p == &o->margin_cut)
			return MODEL_PART_MONEY;
		if (p == &o->retention_uplift || param_in(p, o->win_from, n))
			return MODEL_PART_ROWS;
	}
	return MODEL_PART_TIME;
}

bool model_is_uncertain(clv_scenario *s)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	bool uncertain = false;

	if (params == NULL)
		return true;
	for (k = 0; k < n_params && !uncertain; k++)
		uncertain = dist_is_uncertain(params[k]);
	for (k = 0; k < s->n && !uncertain; k++)
		uncertain = s->switching[k].dirichlet;
	for (k = 0; k < s->n_segments && !uncertain; k++)
		uncertain = model_is_uncertain(s->segments[k]);
	free(params);
	return uncertain;
}
