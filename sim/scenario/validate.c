/*
 * validate.c - scenario stage, step 4 of a load: the rules between the
 * keys of a built scenario, checked after a load and again after edits
 * (scenario_validate): state names, `initial` and fixed rows summing to 1
 * within 1e-9, uncertain rows at their means, retention leaving room to
 * rescale, growth against discounting over every value both can be drawn
 * at, offers (uplifts staying <= 1, one shared `periods`), correlations
 * naming uncertain assumptions, sizes within the limits of clvsim.h, and
 * every segment. Each failure names the place in the file and the rule
 * broken.
 *
 * In a load (scenario_validate_gaps), the rules that need a part the load
 * could not read are skipped, and with err->all each broken rule is kept
 * and the next independent one checked: each row, each retention, time,
 * purchases, money, offers, correlations, sizes. A rule that follows one
 * already broken (a row's room after its sum, the reach after the growth)
 * is not checked.
 */
#include "scenario/scenario.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/rowmath.h"
#include "scenario/scenario_internal.h"

static void periods_text(long periods, char *buf, size_t cap)
{
	if (periods == LONG_MAX)
		snprintf(buf, cap, "the whole horizon");
	else
		snprintf(buf, cap, "%ld", periods);
}

clv_status validate_offers_share_periods(const clv_scenario *s, clv_error *err)
{
	char a[32], b[32];
	size_t k;

	for (k = 1; k < s->n_offers; k++) {
		if (s->offers[k].periods == s->offers[0].periods)
			continue;
		periods_text(s->offers[k].periods, a, sizeof a);
		periods_text(s->offers[0].periods, b, sizeof b);
		return diag_set(err, CLV_ERR_INPUT, &s->offers[k].pos,
		                "%s runs for %s periods but the first offer (%s) for %s: all offers "
		                "must share one `periods`", s->offers[k].label, a, s->offers[0].label, b);
	}
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Validation of a built scenario (also after edits).                  */

/* Quantities whose lower bound is excluded. */
bool validate_lo_open(const clv_param *p)
{
	return p->label != NULL && (strcmp(p->label, "spend_growth") == 0 ||
	                            strcmp(p->label, "purchases_per_period") == 0);
}

static clv_status check_param(const clv_param *p, clv_error *err)
{
	clv_status rc;

	if (p->kind != DIST_FIXED) {
		rc = dist_validate(p, err);
		if (rc == CLV_OK && !isfinite(dist_mean(p)))
			rc = diag_set(err, CLV_ERR_INPUT, &p->pos, "%s: the %s distribution has no finite "
			              "mean inside %s%.10g, %.10g]", p->label, dist_kind_name(p->kind),
			              validate_lo_open(p) ? "(" : "[", p->lo, p->hi);
		return rc;
	}
	if (!isfinite(p->a))
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s is not a finite number", p->label);
	if (p->a < p->lo || p->a > p->hi || (validate_lo_open(p) && p->a == p->lo))
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s = %.10g is outside %s%.10g, %.10g]",
		                p->label, p->a, validate_lo_open(p) ? "(" : "[", p->lo, p->hi);
	return CLV_OK;
}

static clv_status check_state_names(const clv_scenario *s, clv_error *err)
{
	size_t i, j;

	if (s->n == 0 || s->states == NULL)
		return diag_set_file(err, CLV_ERR_INPUT, s->path, "a scenario needs at least one state");
	if (s->n > CLV_MAX_STATES)
		return diag_set_file(err, CLV_ERR_LIMIT, s->path, "%zu states, over the limit of %d",
		                     s->n, CLV_MAX_STATES);
	for (i = 0; i < s->n; i++) {
		if (s->states[i] == NULL || s->states[i][0] == '\0' ||
		    strcmp(s->states[i], "total") == 0)
			return diag_set_file(err, CLV_ERR_INPUT, s->path, "state %zu has an empty or "
			                     "reserved name", i + 1);
		for (j = 0; j < i; j++)
			if (strcmp(s->states[i], s->states[j]) == 0)
				return diag_set_file(err, CLV_ERR_INPUT, s->path, "duplicate state \"%s\"",
				                     s->states[i]);
	}
	return CLV_OK;
}

static clv_status check_initial(const clv_scenario *s, clv_error *err)
{
	double sum = 0.0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!(s->initial[i] >= 0.0 && s->initial[i] <= 1.0))
			return diag_set_file(err, CLV_ERR_INPUT, s->path, "initial share of \"%s\" = "
			                     "%.10g is outside [0, 1]", s->states[i], s->initial[i]);
		sum += s->initial[i];
	}
	if (fabs(sum - 1.0) > SUM_TOLERANCE)
		return diag_set_file(err, CLV_ERR_INPUT, s->path, "initial sums to %.12g, not 1 "
		                     "(difference %.3g; it must sum to 1 within 1e-9)", sum, sum - 1.0);
	return CLV_OK;
}

static clv_status check_dirichlet(const clv_scenario *s, size_t i, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	size_t j;

	for (j = 0; j < s->n; j++)
		if (!(r->alpha[j] > 0.0) || !isfinite(r->alpha[j]))
			return diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\": dirichlet "
			                "alpha for \"%s\" = %.10g must be a finite number > 0",
			                s->states[i], s->states[j], r->alpha[j]);
	return CLV_OK;
}

/* A fixed row sums to 1 within 1e-9. A row with uncertain entries must sum
   to 1 at their means within 1e-6 (the model rescales its fixed entries
   around each draw; means of truncated distributions are numerical). */
static clv_status check_row(const clv_scenario *s, size_t i, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	double sum = 0.0;
	bool uncertain = false;
	clv_status rc = CLV_OK;
	size_t j;

	if (r->dirichlet)
		return check_dirichlet(s, i, err);
	for (j = 0; j < s->n && rc == CLV_OK; j++) {
		rc = check_param(&r->p[j], err);
		uncertain = uncertain || r->p[j].kind != DIST_FIXED;
		sum += r->p[j].kind == DIST_FIXED ? r->p[j].a : dist_mean(&r->p[j]);
	}
	if (rc == CLV_OK && !uncertain && fabs(sum - 1.0) > SUM_TOLERANCE)
		rc = diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\" sums to %.12g, not 1 "
		              "(difference %.3g; rows must sum to 1 within 1e-9; clvsim never "
		              "renormalises)", s->states[i], sum, sum - 1.0);
	if (rc == CLV_OK && uncertain && fabs(sum - 1.0) > MEAN_SUM_TOLERANCE)
		rc = diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\" sums to %.12g at the "
		              "means of its uncertain entries, not 1 (difference %.3g; it must sum to "
		              "1 within 1e-6)", s->states[i], sum, sum - 1.0);
	return rc;
}

/* Retention v on row i needs other entries to rescale, unless v = 1. */
static clv_status check_room(const clv_scenario *s, size_t i, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	const clv_param *p = &s->retention[i];
	double rest = 0.0;
	size_t j;

	if (r->dirichlet)
		return CLV_OK;
	for (j = 0; j < s->n; j++) {
		if (j == i)
			continue;
		if (r->p[j].kind != DIST_FIXED)
			return CLV_OK;
		rest += r->p[j].a;
	}
	if (rest > 0.0 || (p->kind == DIST_FIXED && fabs(p->a - 1.0) <= SUM_TOLERANCE))
		return CLV_OK;
	return diag_set(err, CLV_ERR_INPUT, &p->pos, "%s leaves no room: the other entries of row "
	                "\"%s\" are all 0, so nothing can be rescaled to make the row sum to 1 "
	                "(retention below 1 needs some switching)", p->label, s->states[i]);
}

/* rc of one independent rule: CLV_OK to go on (it passed, or it broke and
   was kept: *failed set), else rc. */
static clv_status rule(clv_status rc, clv_error *err, bool *failed)
{
	if (rc == CLV_OK)
		return CLV_OK;
	if (!diag_keep(err))
		return rc;
	*failed = true;
	return CLV_OK;
}

/* initial, each row, each retention; g->row[i] set for a broken row. */
static clv_status check_chain(const clv_scenario *s, load_gaps *g, clv_error *err, bool *failed)
{
	clv_status rc = CLV_OK;
	size_t i;

	if (!g->initial)
		rc = rule(check_initial(s, err), err, failed);
	for (i = 0; i < s->n && rc == CLV_OK; i++)
		if (!g->row[i])
			rc = rule(check_row(s, i, err), err, &g->row[i]);
	for (i = 0; i < s->n && rc == CLV_OK; i++)
		if (s->has_retention[i] && !g->retention[i]) {
			clv_status one = check_param(&s->retention[i], err);
			if (one == CLV_OK && !g->row[i])
				one = check_room(s, i, err);
			rc = rule(one, err, &g->retention[i]);
		}
	for (i = 0; i < s->n; i++)
		*failed = *failed || g->row[i] || g->retention[i];
	return rc;
}

/* Growth against discounting over every value both can be drawn at (the
   lowest rate against the highest growth): an infinite horizon needs
   r > g; a finite one a discounted growth factor (1 + g)^T / (1 + r)^T of
   at most e^GROWTH_LOG_LIMIT. */
static clv_status check_growth(const clv_scenario *s, clv_error *err)
{
	double g_hi, r, exponent;

	scenario_rate_extremes(s, &r, &g_hi);
	exponent = (double)s->horizon * (log1p(g_hi) - log1p(r));
	if (s->infinite && !(r > g_hi))
		return diag_set(err, CLV_ERR_INPUT, &s->discount.pos, "an infinite horizon needs a "
		                "discount rate above the spend growth%s (here %.10g per period, growth "
		                "%.10g): the CLV would be infinite",
		                s->discount.kind == DIST_FIXED && s->spend_growth.kind == DIST_FIXED
		                        ? "" : " at every value both can be drawn at (lowest rate, highest growth)",
		                r, g_hi);
	if (!s->infinite && !(exponent <= GROWTH_LOG_LIMIT))
		return diag_set(err, CLV_ERR_INPUT, &s->spend_growth.pos, "spend_growth %s %.10g "
		                "over %ld periods at a discount rate %s %.10g grows the discounted "
		                "margin by e^%.0f, over the limit of e^%.0f (lower the growth or the "
		                "horizon)", s->spend_growth.kind == DIST_FIXED ? "=" : "up to", g_hi,
		                s->horizon, s->discount.kind == DIST_FIXED ? "of" : "from", r,
		                exponent, GROWTH_LOG_LIMIT);
	return CLV_OK;
}

/* horizon, discount_rate, spend_growth and the growth against the rate;
   g->growth set when one of them broke (the reach is not checked then). */
static clv_status check_time(const clv_scenario *s, load_gaps *g, clv_error *err, bool *failed)
{
	bool broke = false;
	clv_status rc = CLV_OK;

	if (!g->horizon && !s->infinite && (s->horizon < 0 || s->horizon > CLV_MAX_HORIZON))
		rc = rule(diag_set_file(err, s->horizon < 0 ? CLV_ERR_INPUT : CLV_ERR_LIMIT, s->path,
		                        "horizon = %ld is outside [0, %ld]", s->horizon,
		                        CLV_MAX_HORIZON), err, &broke);
	if (rc == CLV_OK && !g->discount && !g->period && s->discount_annual &&
	    !(s->periods_per_year > 0.0))
		rc = rule(diag_set(err, CLV_ERR_INPUT, &s->discount.pos, "discount_rate: {annual: ...} "
		                   "needs a period of known length"), err, &broke);
	if (rc == CLV_OK && !g->discount)
		rc = rule(check_param(&s->discount, err), err, &broke);
	if (rc == CLV_OK && !g->growth)
		rc = rule(check_param(&s->spend_growth, err), err, &broke);
	if (rc == CLV_OK && !broke && !g->horizon && !g->period && !g->discount && !g->growth)
		rc = rule(check_growth(s, err), err, &broke);
	if (broke) {
		g->growth = true;
		*failed = true;
	}
	return rc;
}

static clv_status check_purchases(const clv_scenario *s, clv_error *err)
{
	const clv_param *p = &s->purchases;
	clv_status rc = check_param(p, err);

	if (rc != CLV_OK)
		return rc;
	if (p->kind != DIST_FIXED && p->kind != DIST_POISSON)
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "purchases_per_period must be a whole "
		                "number or {dist: poisson, mean: M}");
	if (p->kind == DIST_FIXED && p->a != floor(p->a))
		return diag_set(err, CLV_ERR_INPUT, &p->pos, "purchases_per_period = %.10g must be a "
		                "whole number", p->a);
	if (p->kind == DIST_POISSON && !(p->a > 0.0 && p->a <= CLV_MAX_PURCHASES_PER_PERIOD))
		return diag_set(err, p->a > 0.0 ? CLV_ERR_LIMIT : CLV_ERR_INPUT, &p->pos,
		                "purchases_per_period: the poisson mean %.10g is outside (0, %.0f]",
		                p->a, CLV_MAX_PURCHASES_PER_PERIOD);
	return CLV_OK;
}

static clv_status check_money(const clv_scenario *s, const load_gaps *g, clv_error *err)
{
	const clv_param *per_state[] = {s->margin, s->cost, s->referral};
	clv_status rc = CLV_OK;
	size_t i, k;

	for (k = 0; k < COUNT(per_state) && rc == CLV_OK; k++)
		for (i = 0; i < s->n && rc == CLV_OK; i++)
			rc = check_param(&per_state[k][i], err);
	if (rc == CLV_OK)
		rc = check_param(&s->acquisition, err);
	if (rc == CLV_OK && !g->growth)
		rc = check_param(&s->spend_growth, err);
	return rc;
}

/* ---- offers ---- */

/* Row i as fixed numbers with its retention applied; false when any part
   of it is uncertain. */
static bool fixed_row(const clv_scenario *s, size_t i, double *row)
{
	const clv_row *r = &s->switching[i];
	size_t j;

	if (r->dirichlet)
		return false;
	for (j = 0; j < s->n; j++) {
		if (r->p[j].kind != DIST_FIXED)
			return false;
		row[j] = r->p[j].a;
	}
	if (!s->has_retention[i])
		return true;
	return s->retention[i].kind == DIST_FIXED &&
	       rowmath_pin(row, s->n, i, s->retention[i].a) == 0;
}

/* Add a fixed uplift to row[col] (state `row_i`), as the model does; an
   entry pushed above 1 is an error. */
static clv_status push(const clv_scenario *s, const clv_param *up, double *row, size_t row_i,
                       size_t col, bool *known, clv_error *err)
{
	double v;

	if (!*known || (up->kind == DIST_FIXED && up->a == 0.0))
		return CLV_OK;
	if (up->kind != DIST_FIXED) {
		*known = false;
		return CLV_OK;
	}
	v = row[col] + up->a;
	if (v > 1.0 + SUM_TOLERANCE)
		return diag_set(err, CLV_ERR_INPUT, &up->pos, "%s = %.10g would raise P[%s][%s] from "
		                "%.10g to %.10g, above 1", up->label, up->a, s->states[row_i],
		                s->states[col], row[col], v);
	rowmath_pin(row, s->n, col, v);
	return CLV_OK;
}

static clv_status check_uplifts(const clv_scenario *s, double *P, bool *known, clv_error *err)
{
	size_t i, k, r, n = s->n;
	clv_status rc = CLV_OK;

	for (i = 0; i < n; i++)
		known[i] = fixed_row(s, i, P + i * n);
	for (k = 0; k < s->n_offers && rc == CLV_OK; k++) {
		const clv_offer *o = &s->offers[k];
		size_t b = o->brand;
		rc = push(s, &o->retention_uplift, P + b * n, b, b, &known[b], err);
		for (r = 0; r < n && rc == CLV_OK; r++)
			if (r != b)
				rc = push(s, &o->win_from[r], P + r * n, r, b, &known[r], err);
	}
	return rc;
}

static clv_status check_offer(const clv_scenario *s, const clv_offer *o, clv_error *err)
{
	const clv_param *w;
	clv_status rc = CLV_OK;
	size_t r;

	if (o->brand >= s->n)
		return diag_set(err, CLV_ERR_INPUT, &o->pos, "%s: its brand is not a state", o->label);
	if (o->periods < 1)
		return diag_set(err, CLV_ERR_INPUT, &o->pos, "%s: periods must be >= 1", o->label);
	rc = check_param(&o->cost, err);
	if (rc == CLV_OK)
		rc = check_param(&o->margin_cut, err);
	if (rc == CLV_OK)
		rc = check_param(&o->retention_uplift, err);
	for (r = 0; r < s->n && rc == CLV_OK; r++)
		rc = check_param(&o->win_from[r], err);
	w = &o->win_from[o->brand];
	if (rc == CLV_OK && (w->kind != DIST_FIXED || w->a != 0.0))
		rc = diag_set(err, CLV_ERR_INPUT, &w->pos, "%s: a brand cannot win customers from "
		              "itself (use retention_uplift)", w->label);
	return rc;
}

static clv_status check_offers(const clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	double *P;
	bool *known;
	size_t k;

	for (k = 0; k < s->n_offers && rc == CLV_OK; k++)
		rc = check_offer(s, &s->offers[k], err);
	if (rc == CLV_OK)
		rc = validate_offers_share_periods(s, err);
	if (rc != CLV_OK || s->n_offers == 0)
		return rc;
	P = calloc(s->n * s->n, sizeof *P);
	known = calloc(s->n, sizeof *known);
	if (P == NULL || known == NULL)
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory checking the scenario");
	else
		rc = check_uplifts(s, P, known, err);
	free(P);
	free(known);
	return rc;
}

/* ---- the rest ---- */

static bool same_pair(const clv_correlation *x, const clv_correlation *y)
{
	return (strcmp(x->a, y->a) == 0 && strcmp(x->b, y->b) == 0) ||
	       (strcmp(x->a, y->b) == 0 && strcmp(x->b, y->a) == 0);
}

static clv_status check_correlations(const clv_scenario *s, clv_error *err)
{
	size_t k, m;

	for (k = 0; k < s->n_correlations; k++) {
		const clv_correlation *c = &s->correlations[k];
		if (c->a == NULL || c->b == NULL)
			return diag_set(err, CLV_ERR_INPUT, &c->pos, "correlations: a label is missing");
		if (strcmp(c->a, c->b) == 0)
			return diag_set(err, CLV_ERR_INPUT, &c->pos, "correlations: \"%s\" cannot be "
			                "correlated with itself", c->a);
		if (!(c->rho > -1.0 && c->rho < 1.0))
			return diag_set(err, CLV_ERR_INPUT, &c->pos, "correlations: rho = %.10g must lie "
			                "strictly between -1 and 1", c->rho);
		for (m = 0; m < k; m++)
			if (same_pair(c, &s->correlations[m]))
				return diag_set(err, CLV_ERR_INPUT, &c->pos, "correlations: the pair (%s, %s) "
				                "is given twice", c->a, c->b);
	}
	return CLV_OK;
}

static clv_status check_size(const clv_scenario *s, const char *what, uint64_t v, uint64_t max,
                             clv_error *err)
{
	if (v < 1)
		return diag_set_file(err, CLV_ERR_INPUT, s->path, "%s must be >= 1", what);
	if (v > max)
		return diag_set_file(err, CLV_ERR_LIMIT, s->path, "%s = %llu is over the limit of %llu",
		                     what, (unsigned long long)v, (unsigned long long)max);
	return CLV_OK;
}

static clv_status check_segments(const clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	double sum = 0.0;
	size_t k;

	if (s->n_segments > CLV_MAX_SEGMENTS)
		return diag_set_file(err, CLV_ERR_LIMIT, s->path, "%zu segments, over the limit of %d",
		                     s->n_segments, CLV_MAX_SEGMENTS);
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		const clv_scenario *seg = s->segments[k];
		if (!(s->segment_weight[k] > 0.0))
			return diag_set_file(err, CLV_ERR_INPUT, s->path, "segment \"%s\": weight must "
			                     "be > 0", s->segment_name[k]);
		sum += s->segment_weight[k];
		if (seg->n != s->n || seg->n_segments != 0)
			return diag_set_file(err, CLV_ERR_INPUT, s->path, "segment \"%s\" must have the "
			                     "parent's states and no segments", s->segment_name[k]);
		rc = scenario_validate(seg, err);
	}
	if (rc == CLV_OK && s->n_segments > 0 && fabs(sum - 1.0) > SUM_TOLERANCE)
		rc = diag_set_file(err, CLV_ERR_INPUT, s->path, "segment weights sum to %.12g, not 1",
		                   sum);
	return rc;
}

clv_status scenario_validate(const clv_scenario *s, clv_error *err)
{
	return scenario_validate_gaps(s, NULL, err);
}

/* The chain, offers and money need every state's parts. */
static bool chain_read(const clv_scenario *s, const load_gaps *g)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (g->row[i] || g->retention[i])
			return false;
	return !g->states;
}

clv_status scenario_validate_gaps(const clv_scenario *s, const load_gaps *gaps,
                                  clv_error *err)
{
	load_gaps g = {0};
	bool failed = false;
	clv_status rc;

	if (gaps != NULL)
		g = *gaps;
	rc = g.states ? CLV_OK : rule(check_state_names(s, err), err, &failed);
	g.states = g.states || failed;
	if (rc == CLV_OK && !g.states)
		rc = check_chain(s, &g, err, &failed);
	if (rc == CLV_OK)
		rc = check_time(s, &g, err, &failed);
	if (rc == CLV_OK && !g.purchases)
		rc = rule(check_purchases(s, err), err, &failed);
	if (rc == CLV_OK && !g.money && !g.states)
		rc = rule(check_money(s, &g, err), err, &failed);
	if (rc == CLV_OK && !g.offers && chain_read(s, &g))
		rc = rule(check_offers(s, err), err, &failed);
	if (rc == CLV_OK && !g.correlations && !g.any)
		rc = rule(check_correlations(s, err), err, &failed);
	if (rc == CLV_OK && !g.sizes)
		rc = rule(check_size(s, "customers", s->customers, CLV_MAX_CUSTOMERS, err), err,
		          &failed);
	if (rc == CLV_OK && !g.sizes)
		rc = rule(check_size(s, "replications", s->replications, CLV_MAX_REPLICATIONS, err),
		          err, &failed);
	if (rc == CLV_OK && !g.sizes && s->seed > INT64_MAX)
		rc = rule(diag_set_file(err, CLV_ERR_INPUT, s->path, "seed is over the limit of %lld",
		                        (long long)INT64_MAX), err, &failed);
	g.any = g.any || failed;
	if (rc == CLV_OK)
		rc = rule(scenario_check_limits(s, &g, err), err, &failed);
	if (rc == CLV_OK && !g.any)
		rc = rule(check_segments(s, err), err, &failed);
	return rc == CLV_OK && failed ? CLV_ERR_INPUT : rc;
}
