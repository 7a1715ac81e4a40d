/*
 * expect.c - quadrature plans: the expectation of one population's
 * forecast over its uncertain assumptions (contract in expect.h; stage:
 * engine). expect_scenario.c builds the whole scenario's expectation on
 * these plans.
 *
 * Method.
 *   Dimensions. Every uncertain per-customer assumption is one dimension;
 *   under EXPECT_SCOPE_ALL so is every per-replication one, and a
 *   Dirichlet(alpha_1..alpha_n) row is n - 1 more, by stick breaking:
 *   B_k ~ Beta(alpha_k, alpha_{k+1} + ... + alpha_n) independent, x_k =
 *   B_k (1 - B_1) ... (1 - B_{k-1}), x_n = the rest - an exact
 *   representation of the Dirichlet, so its rows are integrated like any
 *   other beta (Gauss-Jacobi). The dimensions are independent (per-customer
 *   draws always are; correlated per-replication ones are refused here and
 *   averaged over draws by expect_scenario.c).
 *   The integrand. A point of the grid is a value for every dimension;
 *   model_build makes its model and exact_run its forecast (shares, CLV,
 *   margin, cost, steady state); the expectation is the weighted sum of
 *   these forecasts. This is exact in what exact_run is exact in: the
 *   chain, discounting and Poisson purchase counts (whose expectation the
 *   period matrices E[P^N] already carry).
 *   Rules. quad.c gives each dimension the Gauss rule of its own density
 *   at levels 1..16 (1 to 256 nodes); on a polynomial integrand (a finite
 *   horizon makes CLV a polynomial in a retention) a rule of n nodes is
 *   exact from degree 2n - 1 down.
 *   Order. Each dimension's level L_d is chosen on the integrand with the
 *   other dimensions at their level-1 node (the mean for Gauss rules of
 *   the density): the first l whose results at l + 1 and l + 2 both agree
 *   with it to ORDER_TOLERANCE (relative to the largest CLV, margin or cost
 *   figure; shares and steady state absolutely). A linear dimension (a
 *   margin, a cost) stops at l = 1: one node, at the mean.
 *   Grid. The tensor product of the chosen rules when it has at most
 *   max_points nodes; otherwise the combination-technique sparse grid
 *   (Smolyak; Gerstner & Griebel, Numer. Algorithms 18, 1998) on the
 *   anisotropic index set { l : sum_d (l_d - 1) / (L_d - 1) <= 1 }, which
 *   reaches every L_d along its own axis, with coefficients
 *   c_l = sum over e in {0,1}^d with l + e in the set of (-1)^|e|;
 *   levels are lowered together until it fits the budget.
 *   Error estimate. Tensor: the sum over dimensions of the one-dimensional
 *   differences that stopped the order search. Sparse: the larger of that
 *   and the difference from the set one layer smaller (tau lowered by the
 *   finest dimension's step).
 * Accuracy claim: EXPECT_TOLERANCE = 1e-8 relative for a grid whose error
 * estimate is below EXPECT_TOLERANCE / 10. Measured (tests/test_expect.c):
 * the closed forms E[CLV] = sum_t m B(a + t, b) / B(a, b) / (1 + d)^t for a
 * retention Beta(a, b), per customer or per replication, shapes 0.05 to 90,
 * horizons 12 to 100 and infinite, agree to 3e-12 or better (most to
 * 1e-14), shares E[r^t] absolutely to the same; a Dirichlet row by its
 * sticks to 1e-15; uniform, triangular, PERT, truncated normal, lognormal,
 * gamma and large-shape beta retentions agree with adaptive integration
 * (1e-13) to 2e-12 or better. The estimate assumes a smooth integrand: a
 * model that is impossible for some draws (entries of a row summing above
 * 1) makes it jump there, and the rules converge slowly (more points, a
 * larger estimate).
 */
#include "engine/expect.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "engine/quad.h"
#include "scenario/scenario.h"

/* One-dimensional convergence that fixes a dimension's order. */
#define ORDER_TOLERANCE 1e-11
/* Sparse index sets enumerated at most (guards very many dimensions). */
#define MAX_INDICES 1000000
/* Tolerance of the index-set test sum_d (l_d - 1) w_d <= tau. */
#define TAU_SLACK 1e-9

typedef struct dim {
	clv_param dist;         /* distribution integrated (a copy; a stick's beta) */
	char *label;            /* owned label of a stick, else NULL */
	size_t param;           /* index in model_values.param; SIZE_MAX: a stick */
	size_t row, stick;      /* a stick's Dirichlet row and index k of B_k */
	bool per_customer;
	int level;              /* chosen level */
	double err1d;           /* the one-dimensional difference that chose it */
	quad_rule rule[QUAD_LEVELS + 1]; /* rule[l] for levels 1..level */
} dim;

struct expect_plan {
	clv_scenario *s;        /* borrowed */
	expect_scope scope;
	long share_periods;
	long periods;           /* share rows 0..periods of every result */
	model_values *means;    /* values at the means (owned) */
	dim *dims;
	size_t n_dims;
	bool customer_dims;     /* some dimension is per customer */
	int *term_level;        /* n_terms * n_dims */
	double *term_coef;      /* n_terms */
	size_t n_terms, cap_terms;
	size_t points;
	double error;
	bool sparse;
};

/* ---- results ---------------------------------------------------------------- */

exact_result *expect_result_zero(size_t n, long periods)
{
	return exact_result_create(n, periods);
}

void expect_mix_add(exact_result *mix, const exact_result *part, double w)
{
	exact_result_add(mix, part, w);
}

/* Largest difference of a and b: money (CLV, margin, cost, value by
   starting state, offer spend) relative to the largest money figure of
   either, shares and steady state absolutely. */
static double result_diff(const exact_result *a, const exact_result *b)
{
	size_t n = a->n, i;
	double scale = fmax(fabs(a->clv[n]), fabs(b->clv[n])), d = 0.0;

	for (i = 0; i < n; i++)
		scale = fmax(scale, fmax(fmax(fmax(fabs(a->clv[i]), fabs(b->clv[i])),
		                              fmax(fabs(a->value[i]), fabs(b->value[i]))),
		                         fmax(fmax(fabs(a->margin[i]), fabs(b->margin[i])),
		                              fmax(fabs(a->cost[i]), fabs(b->cost[i])))));
	if (!(scale > 0.0))
		scale = 1.0;
	for (i = 0; i <= n; i++)
		d = fmax(d, fabs(a->clv[i] - b->clv[i]) / scale);
	for (i = 0; i < n; i++) {
		d = fmax(d, fabs(a->margin[i] - b->margin[i]) / scale);
		d = fmax(d, fabs(a->cost[i] - b->cost[i]) / scale);
		d = fmax(d, fabs(a->steady[i] - b->steady[i]));
		d = fmax(d, fabs(a->value[i] - b->value[i]) / scale);
	}
	d = fmax(d, fabs(a->offer_spend - b->offer_spend) / scale);
	for (i = 0; i < (size_t)(a->periods + 1) * n; i++)
		d = fmax(d, fabs(a->share[i] - b->share[i]));
	return isnan(d) ? HUGE_VAL : d;
}

/* ---- plan lifetime ------------------------------------------------------------ */

void expect_plan_free(expect_plan *pl)
{
	size_t d;
	int l;

	if (pl == NULL)
		return;
	for (d = 0; d < pl->n_dims; d++) {
		for (l = 0; l <= QUAD_LEVELS; l++)
			quad_rule_free(&pl->dims[d].rule[l]);
		free(pl->dims[d].label);
	}
	free(pl->dims);
	model_values_free(pl->means);
	free(pl->term_level);
	free(pl->term_coef);
	free(pl);
}

size_t expect_plan_dims(const expect_plan *pl)
{
	return pl->n_dims;
}

size_t expect_plan_points(const expect_plan *pl)
{
	return pl->points;
}

double expect_plan_error(const expect_plan *pl)
{
	return pl->error;
}

bool expect_plan_sparse(const expect_plan *pl)
{
	return pl->sparse;
}

/* ---- dimensions ---------------------------------------------------------------- */

static bool is_per_customer(const clv_param *p)
{
	return dist_is_uncertain(p) && p->per == PER_CUSTOMER;
}

/* Correlations may only join per-replication assumptions (as mc.c), and
   none may exist when those are integrated here. */
static clv_status check_correlations(clv_scenario *s, expect_scope scope, clv_error *err)
{
	size_t k;

	for (k = 0; k < s->n_correlations; k++) {
		const clv_correlation *c = &s->correlations[k];
		const clv_param *a = scenario_param(s, c->a), *b = scenario_param(s, c->b);
		if (a == NULL || b == NULL || !dist_is_per_replication(a) || !dist_is_per_replication(b))
			return diag_set(err, CLV_ERR_INPUT, &c->pos,
			                "correlation between \"%s\" and \"%s\": both must be uncertain "
			                "assumptions drawn per replication", c->a, c->b);
		if (scope == EXPECT_SCOPE_ALL)
			return diag_set(err, CLV_ERR_INPUT, &c->pos,
			                "correlation between \"%s\" and \"%s\": correlated assumptions are "
			                "averaged over replication draws, not integrated by quadrature",
			                c->a, c->b);
	}
	return CLV_OK;
}

static size_t count_dims(const expect_plan *pl)
{
	const clv_scenario *s = pl->s;
	size_t k, i, count = 0;

	for (k = 0; k < pl->means->n_params; k++) {
		const clv_param *p = pl->means->params[k];
		count += is_per_customer(p) || (pl->scope == EXPECT_SCOPE_ALL && dist_is_per_replication(p));
	}
	if (pl->scope == EXPECT_SCOPE_ALL)
		for (i = 0; i < s->n; i++)
			count += s->switching[i].dirichlet ? s->n - 1 : 0;
	return count;
}

/* The sticks of Dirichlet row i as dimensions at pl->dims + *at. */
static clv_status add_sticks(expect_plan *pl, size_t i, size_t *at, clv_error *err)
{
	const clv_row *row = &pl->s->switching[i];
	size_t k, j, n = pl->s->n;

	for (k = 0; k + 1 < n; k++) {
		dim *d = &pl->dims[(*at)++];
		double rest = 0.0;
		for (j = k + 1; j < n; j++)
			rest += row->alpha[j];
		d->label = diag_strdupf("switching.%s (Dirichlet stick %zu)", pl->s->states[i], k + 1);
		if (d->label == NULL)
			return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		d->dist = (clv_param){.kind = DIST_BETA, .a = row->alpha[k], .b = rest, .lo = 0.0,
		                      .hi = 1.0, .per = PER_REPLICATION, .label = d->label,
		                      .pos = row->pos};
		d->param = SIZE_MAX;
		d->row = i;
		d->stick = k;
	}
	return CLV_OK;
}

static clv_status collect_dims(expect_plan *pl, clv_error *err)
{
	size_t k, i, at = 0, count = count_dims(pl);
	clv_status rc = CLV_OK;

	pl->dims = calloc(count + 1, sizeof *pl->dims);
	if (pl->dims == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	pl->n_dims = count;
	for (k = 0; k < pl->means->n_params; k++) {
		const clv_param *p = pl->means->params[k];
		bool customer = is_per_customer(p);
		if (!customer && !(pl->scope == EXPECT_SCOPE_ALL && dist_is_per_replication(p)))
			continue;
		pl->dims[at].dist = *p;
		pl->dims[at].param = k;
		pl->dims[at].per_customer = customer;
		pl->customer_dims = pl->customer_dims || customer;
		at++;
	}
	for (i = 0; i < pl->s->n && rc == CLV_OK && pl->scope == EXPECT_SCOPE_ALL; i++)
		if (pl->s->switching[i].dirichlet)
			rc = add_sticks(pl, i, &at, err);
	return rc;
}

/* Build dimension d's rule of level l if it is not there yet. */
static clv_status need_rule(expect_plan *pl, size_t d, int l, clv_error *err)
{
	dim *dm = &pl->dims[d];

	if (dm->rule[l].len > 0)
		return CLV_OK;
	return quad_rule_build(&dm->dist, l, &dm->rule[l], err);
}

/* ---- evaluation --------------------------------------------------------------- */

/* Scratch of one run: the values of the current point and its model. */
typedef struct evalctx {
	const expect_plan *pl;
	model_values *v;        /* the current point's values */
	model_values *fallback; /* same, per-customer values at their means */
	clv_model *m;
	double *sticks;         /* n * n: B_k of Dirichlet row i at [i * n + k] */
	size_t *idx;            /* n_dims: node of each dimension in the term */
	exact_result *acc;
} evalctx;

static void ctx_free(evalctx *c)
{
	model_values_free(c->v);
	model_values_free(c->fallback);
	model_free(c->m);
	free(c->sticks);
	free(c->idx);
	exact_free(c->acc);
}

/* Scratch for a run of pl with the other assumptions at v (NULL: means). */
static clv_status ctx_init(evalctx *c, const expect_plan *pl, const model_values *v,
                           clv_error *err)
{
	size_t n = pl->s->n;

	memset(c, 0, sizeof *c);
	c->pl = pl;
	if (v != NULL && v->n_params != pl->means->n_params)
		return diag_set(err, CLV_ERR_INPUT, NULL,
		                "expectation: %zu values given for a scenario of %zu assumptions",
		                v->n_params, pl->means->n_params);
	c->v = model_values_copy(pl->means, n);
	c->fallback = model_values_copy(pl->means, n);
	c->m = model_create(n);
	c->sticks = calloc(n * n + 1, sizeof *c->sticks);
	c->idx = calloc(pl->n_dims + 1, sizeof *c->idx);
	c->acc = expect_result_zero(n, pl->periods);
	if (!c->v || !c->fallback || !c->m || !c->sticks || !c->idx || !c->acc)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the expectation");
	if (v != NULL && pl->scope == EXPECT_SCOPE_CUSTOMER) {
		memcpy(c->v->param, v->param, v->n_params * sizeof *v->param);
		memcpy(c->v->dirichlet, v->dirichlet, n * n * sizeof *v->dirichlet);
	}
	return CLV_OK;
}

/* Dirichlet rows of the current point from their sticks. */
static void compose_rows(evalctx *c)
{
	const clv_scenario *s = c->pl->s;
	size_t i, k, n = s->n;

	for (i = 0; i < n; i++) {
		double rest = 1.0, *row = c->v->dirichlet + i * n;
		if (!s->switching[i].dirichlet)
			continue;
		for (k = 0; k + 1 < n; k++) {
			row[k] = rest * c->sticks[i * n + k];
			rest *= 1.0 - c->sticks[i * n + k];
		}
		row[n - 1] = rest;
	}
}

static clv_status pass_error(clv_error *err, const clv_error *local)
{
	if (err->status == CLV_OK)
		*err = *local;
	return local->status;
}

/* The model of the current point into c->m: as drawn, or with the
   per-customer values at their means when the draw is impossible. */
static clv_status point_model(evalctx *c, clv_error *err)
{
	const expect_plan *pl = c->pl;
	clv_error local = {0}, again = {0};
	size_t d, n = pl->s->n;

	if (model_build(pl->s, c->v, c->m, &local) == CLV_OK)
		return CLV_OK;
	if (!pl->customer_dims)
		return pass_error(err, &local);
	memcpy(c->fallback->param, c->v->param, c->v->n_params * sizeof *c->v->param);
	memcpy(c->fallback->dirichlet, c->v->dirichlet, n * n * sizeof *c->v->dirichlet);
	for (d = 0; d < pl->n_dims; d++)
		if (pl->dims[d].per_customer)
			c->fallback->param[pl->dims[d].param] = pl->means->param[pl->dims[d].param];
	if (model_build(pl->s, c->fallback, c->m, &again) != CLV_OK)
		return pass_error(err, &again);
	return CLV_OK;
}

static clv_status eval_point(evalctx *c, double weight, clv_error *err)
{
	exact_result *r;
	clv_status rc;

	if (c->pl->scope == EXPECT_SCOPE_ALL)
		compose_rows(c);
	rc = point_model(c, err);
	if (rc != CLV_OK)
		return rc;
	r = exact_run(c->m, c->pl->share_periods, err);
	if (r == NULL)
		return err->status;
	expect_mix_add(c->acc, r, weight);
	exact_free(r);
	return CLV_OK;
}

/* Set dimension d to x in the current point. */
static void set_dim(evalctx *c, const dim *dm, double x)
{
	if (dm->param != SIZE_MAX)
		c->v->param[dm->param] = x;
	else
		c->sticks[dm->row * c->pl->s->n + dm->stick] = x;
}

/* Add coef times the tensor rule of levels level[0..n_dims-1]. */
static clv_status eval_term(evalctx *c, const int *level, double coef, clv_error *err)
{
	const expect_plan *pl = c->pl;
	size_t d, nd = pl->n_dims;
	clv_status rc = CLV_OK;

	memset(c->idx, 0, (nd + 1) * sizeof *c->idx);
	do {
		double w = coef;
		for (d = 0; d < nd; d++) {
			const quad_rule *r = &pl->dims[d].rule[level[d]];
			w *= r->w[c->idx[d]];
			set_dim(c, &pl->dims[d], r->x[c->idx[d]]);
		}
		rc = eval_point(c, w, err);
		for (d = 0; d < nd; d++) { /* next node, mixed radix */
			if (++c->idx[d] < pl->dims[d].rule[level[d]].len)
				break;
			c->idx[d] = 0;
		}
	} while (rc == CLV_OK && d < nd);
	return rc;
}

/* The sum over terms, the other assumptions at v. */
static exact_result *run_terms(const expect_plan *pl, const model_values *v, size_t n_terms,
                               const int *levels, const double *coefs, clv_error *err)
{
	evalctx c;
	exact_result *out = NULL;
	size_t t;
	clv_status rc = ctx_init(&c, pl, v, err);

	for (t = 0; t < n_terms && rc == CLV_OK; t++)
		rc = eval_term(&c, levels + t * pl->n_dims, coefs[t], err);
	if (rc == CLV_OK) {
		out = c.acc;
		c.acc = NULL;
	}
	ctx_free(&c);
	return out;
}

exact_result *expect_plan_run(const expect_plan *pl, const model_values *v, clv_error *err)
{
	return run_terms(pl, v, pl->n_terms, pl->term_level, pl->term_coef, err);
}

/* ---- order selection ----------------------------------------------------------- */

/* The result with every dimension at level 1 but d at level l. */
static exact_result *run_axis(expect_plan *pl, size_t d, int l, int *lev, clv_error *err)
{
	double one = 1.0;
	exact_result *r;

	if (need_rule(pl, d, l, err) != CLV_OK)
		return NULL;
	lev[d] = l;
	r = run_terms(pl, NULL, 1, lev, &one, err);
	lev[d] = 1;
	return r;
}

/* Choose dimension d's level (see the file comment); center is the result
   with every dimension at level 1. */
static clv_status select_level(expect_plan *pl, size_t d, const exact_result *center, int *lev,
                               clv_error *err)
{
	exact_result *q[QUAD_LEVELS + 1] = {0};
	dim *dm = &pl->dims[d];
	clv_status rc = CLV_OK;
	int l;

	dm->level = QUAD_LEVELS;
	for (l = 2; l <= QUAD_LEVELS && rc == CLV_OK; l++) {
		const exact_result *a = l >= 3 ? (l == 3 ? center : q[l - 2]) : NULL;
		if ((q[l] = run_axis(pl, d, l, lev, err)) == NULL) {
			rc = err->status;
			break;
		}
		if (a != NULL) {
			double e1 = result_diff(a, q[l - 1]), e2 = result_diff(a, q[l]);
			dm->err1d = fmax(e1, e2);
			if (dm->err1d <= ORDER_TOLERANCE) {
				dm->level = l - 2;
				break;
			}
		}
	}
	if (rc == CLV_OK && dm->level == QUAD_LEVELS)
		dm->err1d = result_diff(q[QUAD_LEVELS - 1], q[QUAD_LEVELS]);
	for (l = 0; l <= QUAD_LEVELS; l++) {
		exact_free(q[l]);
		if (l > dm->level)
			quad_rule_free(&dm->rule[l]);
	}
	return rc;
}

static clv_status select_levels(expect_plan *pl, clv_error *err)
{
	int *lev = malloc((pl->n_dims + 1) * sizeof *lev);
	double one = 1.0;
	exact_result *center = NULL;
	clv_status rc = CLV_OK;
	size_t d;

	if (lev == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (d = 0; d < pl->n_dims && rc == CLV_OK; d++) {
		lev[d] = 1;
		rc = need_rule(pl, d, 1, err);
	}
	if (rc == CLV_OK && pl->n_dims > 0 && (center = run_terms(pl, NULL, 1, lev, &one, err)) == NULL)
		rc = err->status;
	for (d = 0; d < pl->n_dims && rc == CLV_OK; d++)
		rc = select_level(pl, d, center, lev, err);
	exact_free(center);
	free(lev);
	return rc;
}

/* ---- grids --------------------------------------------------------------------- */

static clv_status add_term(expect_plan *pl, const int *level, double coef, clv_error *err)
{
	size_t nd = pl->n_dims;

	if (pl->n_terms == pl->cap_terms) {
		size_t cap = pl->cap_terms ? 2 * pl->cap_terms : 16;
		int *lv = realloc(pl->term_level, cap * (nd + 1) * sizeof *lv);
		double *cf;
		if (lv == NULL)
			return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the grid");
		pl->term_level = lv;
		cf = realloc(pl->term_coef, cap * sizeof *cf);
		if (cf == NULL)
			return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the grid");
		pl->term_coef = cf;
		pl->cap_terms = cap;
	}
	memcpy(pl->term_level + pl->n_terms * nd, level, nd * sizeof *level);
	pl->term_coef[pl->n_terms++] = coef;
	return CLV_OK;
}

/* Nodes of the tensor rule of levels level[]. */
static double term_points(const expect_plan *pl, const int *level)
{
	double points = 1.0;
	size_t d;

	for (d = 0; d < pl->n_dims; d++)
		points *= (double)pl->dims[d].rule[level[d]].len;
	return points;
}

/* Enumeration of the anisotropic sparse index set. */
typedef struct sparse {
	expect_plan *pl;
	const int *top;         /* n_dims: the levels L_d */
	double *step;           /* n_dims: 1 / (L_d - 1), 0 when L_d = 1 */
	int *lev;               /* the index being built */
	double tau, points, max_points;
	size_t visited;
	bool over;              /* over the budget or the index cap */
} sparse;

/* sum over subsets E of the dimensions d >= from that can still grow
   (lev[d] < top[d]) of (-1)^|E| [sum_{d in E} step[d] <= slack]. */
static double signed_subsets(const sparse *sp, size_t from, double slack)
{
	size_t d, nd = sp->pl->n_dims;
	double rest = 0.0;
	bool any = false;

	for (d = from; d < nd; d++)
		if (sp->lev[d] < sp->top[d]) {
			rest += sp->step[d];
			any = true;
		}
	if (!any)
		return 1.0;
	if (rest <= slack + TAU_SLACK)
		return 0.0; /* every subset allowed: the signs cancel */
	for (d = from; d < nd && sp->lev[d] >= sp->top[d]; d++)
		;
	return signed_subsets(sp, d + 1, slack) -
	       (sp->step[d] <= slack + TAU_SLACK ? signed_subsets(sp, d + 1, slack - sp->step[d]) : 0.0);
}

static clv_status sparse_walk(sparse *sp, size_t d, double used, bool keep, clv_error *err)
{
	expect_plan *pl = sp->pl;
	clv_status rc = CLV_OK;
	int l;

	if (sp->over)
		return CLV_OK;
	if (d == pl->n_dims) {
		double c = signed_subsets(sp, 0, sp->tau - used);
		if (++sp->visited > MAX_INDICES) {
			sp->over = true;
			return CLV_OK;
		}
		if (c == 0.0)
			return CLV_OK;
		sp->points += term_points(pl, sp->lev);
		if (sp->points > sp->max_points) {
			sp->over = true;
			return CLV_OK;
		}
		return keep ? add_term(pl, sp->lev, c, err) : CLV_OK;
	}
	for (l = 1; l <= sp->top[d] && rc == CLV_OK && !sp->over; l++) {
		double u = used + (double)(l - 1) * sp->step[d];
		if (u > sp->tau + TAU_SLACK)
			break;
		sp->lev[d] = l;
		rc = sparse_walk(sp, d + 1, u, keep, err);
	}
	sp->lev[d] = 1;
	return rc;
}

/* Replace pl's terms by the sparse set of levels top[] and tau; *fits
   false when over the budget. */
static clv_status sparse_terms(expect_plan *pl, const int *top, double tau, double max_points,
                               bool *fits, clv_error *err)
{
	size_t d, nd = pl->n_dims;
	double *step = calloc(nd + 1, sizeof *step);
	int *lev = calloc(nd + 1, sizeof *lev);
	sparse sp = {pl, top, step, lev, tau, 0.0, max_points, 0, false};
	clv_status rc;

	if (step == NULL || lev == NULL) {
		free(step);
		free(lev);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the grid");
	}
	for (d = 0; d < nd; d++) {
		step[d] = top[d] > 1 ? 1.0 / (double)(top[d] - 1) : 0.0;
		lev[d] = 1;
	}
	pl->n_terms = 0;
	rc = sparse_walk(&sp, 0, 0.0, false, err); /* count first */
	if (rc == CLV_OK && !sp.over) {
		sp.points = 0.0;
		sp.visited = 0;
		rc = sparse_walk(&sp, 0, 0.0, true, err);
	}
	*fits = !sp.over;
	pl->points = (size_t)sp.points;
	free(step);
	free(lev);
	return rc;
}

/* The error of the sparse grid: its difference from the set one layer
   smaller. */
static clv_status sparse_error(expect_plan *pl, const int *top, clv_error *err)
{
	expect_plan small = *pl;
	double finest = 1.0, diff;
	exact_result *a = NULL, *b = NULL;
	clv_status rc;
	bool fits;
	size_t d;

	for (d = 0; d < pl->n_dims; d++)
		if (top[d] > 1)
			finest = fmin(finest, 1.0 / (double)(top[d] - 1));
	small.term_level = NULL;
	small.term_coef = NULL;
	small.n_terms = small.cap_terms = 0;
	rc = sparse_terms(&small, top, 1.0 - finest, INFINITY, &fits, err);
	if (rc == CLV_OK && (a = expect_plan_run(pl, NULL, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK && (b = expect_plan_run(&small, NULL, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK) {
		diff = result_diff(a, b);
		pl->error = fmax(pl->error, diff);
	}
	exact_free(a);
	exact_free(b);
	free(small.term_level);
	free(small.term_coef);
	return rc;
}

static clv_status build_grid(expect_plan *pl, size_t max_points, clv_error *err)
{
	size_t d, nd = pl->n_dims;
	int *top = malloc((nd + 1) * sizeof *top);
	clv_status rc = CLV_OK;
	bool fits = false, lowered = true;

	if (top == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the grid");
	pl->error = 0.0;
	for (d = 0; d < nd; d++) {
		top[d] = pl->dims[d].level;
		pl->error += pl->dims[d].err1d;
	}
	if (term_points(pl, top) <= (double)max_points) {
		pl->points = (size_t)term_points(pl, top);
		rc = add_term(pl, top, 1.0, err);
		free(top);
		return rc;
	}
	pl->sparse = true;
	while (rc == CLV_OK && !fits && lowered) {
		rc = sparse_terms(pl, top, 1.0, (double)max_points, &fits, err);
		for (d = 0, lowered = false; d < nd && rc == CLV_OK && !fits; d++)
			if (top[d] > 1) {
				top[d]--;
				lowered = true;
			}
	}
	if (rc == CLV_OK && !fits)
		rc = diag_set(err, CLV_ERR_LIMIT, NULL,
		              "expectation: %zu uncertain assumptions are too many for a grid of %zu "
		              "points", nd, max_points);
	if (rc == CLV_OK)
		rc = sparse_error(pl, top, err);
	free(top);
	return rc;
}

/* ---- creation --------------------------------------------------------------------- */

expect_plan *expect_plan_create(clv_scenario *s, expect_scope scope, long share_periods,
                                size_t max_points, clv_error *err)
{
	expect_plan *pl;
	clv_status rc;

	if (s->n_segments > 0) {
		diag_set(err, CLV_ERR_INPUT, NULL,
		         "expectation: plan each segment of \"%s\" on its own", s->name);
		return NULL;
	}
	if (check_correlations(s, scope, err) != CLV_OK)
		return NULL;
	pl = calloc(1, sizeof *pl);
	if (pl == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	pl->s = s;
	pl->scope = scope;
	pl->share_periods = share_periods;
	pl->periods = s->infinite ? share_periods : s->horizon;
	pl->means = model_values_at_means(s, err);
	rc = pl->means ? collect_dims(pl, err) : err->status;
	if (rc == CLV_OK)
		rc = select_levels(pl, err);
	if (rc == CLV_OK)
		rc = build_grid(pl, max_points ? max_points : EXPECT_MAX_POINTS, err);
	if (rc != CLV_OK) {
		expect_plan_free(pl);
		return NULL;
	}
	return pl;
}
