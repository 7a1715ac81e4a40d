/*
 * solve.c - the what-if stage: goal seek and break-even on the exact
 * expectation, and each replication's own root (contract and method in
 * solve.h).
 *
 * Every evaluation at a value x of the key edits its own copy of the
 * scenario given (scenario_set_number, then the correlations naming the
 * key are dropped, as a sweep does). The replications' figures of an
 * edited copy are evaluated on the uniforms of one template (the copy at
 * LO, expect_draws_rebind): setting a key to another value never changes
 * which assumptions are drawn, so every x meets the same possible worlds.
 */
#include "whatif/solve.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "engine/expect_draws.h"
#include "scenario/scenario.h"
#include "whatif/whatif_internal.h"

const int whatif_solve_pct[SOLVE_N_PCT] = {5, 10, 25, 50, 75, 90, 95};

/* ------------------------------------------------------------------ */
/* --find KEY=LO:HI                                                     */

static clv_status bad_find(const char *text, const char *why, clv_error *err)
{
	return diag_set(err, CLV_ERR_USAGE, NULL, "--find %s: %s (expected KEY=LO:HI, e.g. "
	                "campaign.retention_uplift=0:0.2)", text, why);
}

clv_status whatif_find_parse(const char *text, whatif_find *f, clv_error *err)
{
	const char *eq = strrchr(text, '='), *at;
	double v[2];
	char *end;
	int k;

	memset(f, 0, sizeof *f);
	if (eq == NULL || eq == text)
		return bad_find(text, "no KEY=", err);
	for (at = eq + 1, k = 0; k < 2; k++, at = end + 1) {
		errno = 0;
		v[k] = strtod(at, &end);
		if (end == at || errno != 0 || !isfinite(v[k]) || *end != (k == 0 ? ':' : '\0'))
			return bad_find(text, "LO and HI must be two finite numbers", err);
	}
	if (!(v[0] < v[1]))
		return bad_find(text, "LO must be below HI", err);
	if ((f->key = strndup(text, (size_t)(eq - text))) == NULL)
		return whatif_nomem(err);
	f->lo = v[0];
	f->hi = v[1];
	return CLV_OK;
}

void whatif_find_clear(whatif_find *f)
{
	free(f->key);
	memset(f, 0, sizeof *f);
}

void whatif_solve_free(whatif_solve *v)
{
	if (v == NULL)
		return;
	free(v->key);
	free(v->state);
	free(v->rule);
	free(v->root);
	free(v->x);
	free(v->exact);
	free(v->mean);
	free(v->p05);
	free(v->p95);
	free(v->p_pays);
	free(v);
}

double whatif_quantile_censored(const double *sorted, size_t n, double p)
{
	double h, frac, a, b;
	size_t lo;

	if (n == 0)
		return NAN;
	h = (double)(n - 1) * p;
	lo = (size_t)floor(h);
	frac = h - (double)lo;
	a = sorted[lo];
	if (lo + 1 >= n || frac == 0.0)
		return a;
	b = sorted[lo + 1];
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b))
		return b;
	return a + frac * (b - a);
}

/* ------------------------------------------------------------------ */
/* Evaluations                                                          */

typedef struct solver {
	whatif_solve *v;
	const clv_scenario *given, *base;
	size_t si, bi;           /* index of the figure in given's / base's n + 1 */
	expect_options eo;
	int threads;
	sample_method sampling;
	double base_value;       /* base's expectation (0 without base) */
	clv_scenario *tmpl_s;    /* the copy at LO, its draws the template */
	expect_draws *tmpl;
	uint64_t reps;           /* replications evaluated: R, or 1 when nothing
	                            is drawn per replication (every one alike) */
	double *base_rep;        /* base's figure per replication (0s without) */
	double *h;               /* replications x n_curve: F_r(x_g) - target */
} solver;

/* A copy of the given scenario with the key at x (scenario_free it). */
static clv_scenario *edited(const solver *sv, double x, clv_error *err)
{
	clv_scenario *s = scenario_copy(sv->given, err);
	size_t k;

	if (s == NULL)
		return NULL;
	if (scenario_set_number(s, sv->v->key, x, err) != CLV_OK) {
		scenario_free(s);
		return NULL;
	}
	for (k = 0; k <= s->n_segments; k++)
		scenario_drop_correlations(k < s->n_segments ? s->segments[k] : s, sv->v->key);
	return s;
}

/* The expectation of scenario s's figure `index` (n + 1 wide). */
static clv_status expectation(clv_scenario *s, const expect_options *eo, size_t index,
                              double *value, expect_method *method, clv_error *err)
{
	expect_result *x = expect_scenario(s, 0, eo, err);

	if (x == NULL)
		return err->status;
	*value = x->mean->clv[index];
	if (method != NULL)
		*method = x->method;
	expect_free(x);
	return CLV_OK;
}

/* F(x) - target: the expectation at x, minus base's, minus the target. */
static clv_status excess_at(const solver *sv, double x, double *out, expect_method *method,
                            clv_error *err)
{
	clv_scenario *s = edited(sv, x, err);
	clv_status rc;
	double f = NAN;

	if (s == NULL)
		return err->status;
	rc = expectation(s, &sv->eo, sv->si, &f, method, err);
	scenario_free(s);
	*out = f - sv->base_value - sv->v->target;
	return rc;
}

/* Replication r's F_r(x) - target. */
static clv_status rep_excess_at(const solver *sv, uint64_t r, double x, double *out,
                                clv_error *err)
{
	clv_scenario *s = edited(sv, x, err);
	expect_draws *d = s != NULL ? expect_draws_rebind(sv->tmpl, s, err) : NULL;
	double *clv = s != NULL ? malloc((s->n + 1) * sizeof *clv) : NULL;
	clv_status rc = d == NULL ? err->status : clv == NULL ? whatif_nomem(err) : CLV_OK;

	if (rc == CLV_OK)
		rc = expect_draws_clv(d, r, clv, err);
	if (rc == CLV_OK)
		*out = clv[sv->si] - sv->base_rep[r] - sv->v->target;
	free(clv);
	expect_draws_free(d);
	scenario_free(s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Brent                                                                */

typedef struct brent_fn {
	const solver *sv;
	uint64_t r;              /* replication, or UINT64_MAX: the expectation */
	clv_status rc;
	clv_error err;
} brent_fn;

static double brent_eval(double x, void *params)
{
	brent_fn *b = params;
	double y = NAN;

	if (b->rc != CLV_OK)
		return NAN;
	if (b->r == UINT64_MAX)
		b->rc = excess_at(b->sv, x, &y, NULL, &b->err);
	else
		b->rc = rep_excess_at(b->sv, b->r, x, &y, &b->err);
	return b->rc == CLV_OK ? y : (double)NAN;
}

/* The root of b's function in [lo, hi], where its values ylo and yhi have
   opposite signs (or one is 0). */
static clv_status brent(brent_fn *b, double lo, double hi, double ylo, double yhi,
                        double *root, int *iterations, clv_error *err)
{
	double eps_abs = 1e-9 * (b->sv->v->hi - b->sv->v->lo);
	gsl_function fn = {brent_eval, b};
	gsl_root_fsolver *s;
	int it = 0, status;

	*iterations = 0;
	if (ylo == 0.0 || yhi == 0.0) {
		*root = ylo == 0.0 ? lo : hi;
		return CLV_OK;
	}
	if ((s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent)) == NULL)
		return whatif_nomem(err);
	status = gsl_root_fsolver_set(s, &fn, lo, hi);
	while (status == GSL_SUCCESS && it < SOLVE_MAX_ITER) {
		it++;
		status = gsl_root_fsolver_iterate(s);
		if (status != GSL_SUCCESS)
			break;
		status = gsl_root_test_interval(gsl_root_fsolver_x_lower(s),
		                                gsl_root_fsolver_x_upper(s), eps_abs, SOLVE_RTOL);
		if (status == GSL_SUCCESS)
			break;
		status = GSL_SUCCESS;
		if (it == SOLVE_MAX_ITER)
			status = GSL_EMAXITER;
	}
	*root = gsl_root_fsolver_root(s);
	*iterations = it;
	gsl_root_fsolver_free(s);
	if (b->rc != CLV_OK) {
		*err = b->err;
		return b->rc;
	}
	if (status != GSL_SUCCESS)
		return diag_set(err, CLV_ERR_NUMERIC, NULL, "solve: Brent's method failed on [%.10g, "
		                "%.10g]: %s", lo, hi, gsl_strerror(status));
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* The root of the expectation                                          */

static const char *figure_name(const whatif_solve *v)
{
	return v->state != NULL ? v->state : "total";
}

/* The error when [LO, HI] does not bracket the target. */
static clv_status no_bracket(const whatif_solve *v, clv_error *err)
{
	const char *what = v->versus ? "difference in expected" : "expected";
	const char *side = v->f_lo > v->target ? "above" : "below";

	return diag_set(err, CLV_ERR_USAGE, NULL, "solve: [%.10g, %.10g] does not bracket the target "
	                "%.10g: at %s = %.10g the %s %s CLV is %.6f, at %.10g it is %.6f (both %s "
	                "the target); widen --find or change --target", v->lo, v->hi, v->target,
	                v->key, v->lo, what, figure_name(v), v->f_lo, v->hi, v->f_hi, side);
}

static clv_status solve_expectation(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	brent_fn b = {sv, UINT64_MAX, CLV_OK, {0}};
	double ylo, yhi;
	clv_status rc = excess_at(sv, v->lo, &ylo, &v->method, err);

	if (rc == CLV_OK)
		rc = excess_at(sv, v->hi, &yhi, NULL, err);
	if (rc != CLV_OK)
		return rc;
	v->f_lo = ylo + v->target;
	v->f_hi = yhi + v->target;
	if ((ylo > 0.0 && yhi > 0.0) || (ylo < 0.0 && yhi < 0.0) || isnan(ylo) || isnan(yhi))
		return no_bracket(v, err);
	return brent(&b, v->lo, v->hi, ylo, yhi, &v->value, &v->iterations, err);
}

/* ------------------------------------------------------------------ */
/* Replications: the curve and each one's root                          */

/* The template draws (the copy at LO) and base's, over reps replications. */
static clv_status make_draws(solver *sv, clv_scenario *b, uint64_t reps, expect_draws **bd,
                             clv_error *err)
{
	expect_draws_free(sv->tmpl);
	expect_draws_free(*bd);
	*bd = NULL;
	if ((sv->tmpl = expect_draws_create(sv->tmpl_s, reps, sv->sampling, sv->v->seed, err)) == NULL)
		return err->status;
	if (b != NULL && (*bd = expect_draws_create(b, reps, sv->sampling, sv->v->seed, err)) == NULL)
		return err->status;
	return CLV_OK;
}

/* Base's expectation, on the same footing as the changed scenario's: when
   one of them is an average over draws (expect.h: correlations, or a
   grid that is not accurate), both are, over the same draws, so that
   their difference keeps the common random numbers instead of mixing a
   quadrature with an average. */
static clv_status align_methods(solver *sv, clv_scenario *b, clv_error *err)
{
	expect_method mb = EXPECT_CERTAIN, ms = EXPECT_CERTAIN;
	double f;
	clv_status rc = expectation(b, &sv->eo, sv->bi, &sv->base_value, &mb, err);

	if (rc == CLV_OK)
		rc = expectation(sv->tmpl_s, &sv->eo, sv->si, &f, &ms, err);
	if (rc != CLV_OK || (mb == EXPECT_REPLICATIONS) == (ms == EXPECT_REPLICATIONS))
		return rc;
	sv->eo.replications_only = true;
	return expectation(b, &sv->eo, sv->bi, &sv->base_value, NULL, err);
}

/* Base's expectation and per-replication figures; the template draws. */
static clv_status prepare(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	uint64_t r;
	clv_scenario *b = NULL;
	expect_draws *bd = NULL;
	double *clv = NULL;
	clv_status rc = CLV_OK;

	sv->base_rep = calloc((size_t)v->replications + 1, sizeof *sv->base_rep);
	if (sv->base_rep == NULL)
		return whatif_nomem(err);
	if ((sv->tmpl_s = edited(sv, v->lo, err)) == NULL)
		return err->status;
	if (sv->base != NULL && (b = scenario_copy(sv->base, err)) == NULL)
		return err->status;
	if (b != NULL)
		rc = align_methods(sv, b, err);
	if (rc == CLV_OK)
		rc = make_draws(sv, b, v->replications, &bd, err);
	if (rc == CLV_OK) {
		v->uncertain = expect_draws_cols(sv->tmpl) > 0 || (bd && expect_draws_cols(bd) > 0);
		sv->reps = v->uncertain ? v->replications : 1;
		if (!v->uncertain)
			rc = make_draws(sv, b, 1, &bd, err);
	}
	if (rc == CLV_OK && b != NULL) {
		clv = malloc((size_t)sv->reps * (b->n + 1) * sizeof *clv + 1);
		rc = clv == NULL ? whatif_nomem(err) : expect_draws_all(bd, sv->threads, clv, err);
	}
	for (r = 0; rc == CLV_OK && b != NULL && r < sv->reps; r++)
		sv->base_rep[r] = clv[r * (b->n + 1) + sv->bi];
	free(clv);
	expect_draws_free(bd);
	scenario_free(b);
	return rc;
}

static clv_status curve_tables(whatif_solve *v, clv_error *err)
{
	size_t G = SOLVE_CURVE_POINTS, g;

	v->n_curve = G;
	v->x = malloc(G * sizeof *v->x);
	v->exact = malloc(G * sizeof *v->exact);
	v->mean = calloc(G, sizeof *v->mean);
	v->p05 = calloc(G, sizeof *v->p05);
	v->p95 = calloc(G, sizeof *v->p95);
	v->p_pays = calloc(G, sizeof *v->p_pays);
	v->root = calloc((size_t)v->replications + 1, sizeof *v->root);
	if (!v->x || !v->exact || !v->mean || !v->p05 || !v->p95 || !v->p_pays || !v->root)
		return whatif_nomem(err);
	for (g = 0; g < G; g++)
		v->x[g] = g + 1 == G ? v->hi : v->lo + (v->hi - v->lo) * (double)g / (double)(G - 1);
	return CLV_OK;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Mean, 5th and 95th percentiles across replications, and P(pays), of
   grid column g (the replications' F_r - target in h). */
static clv_status curve_point(solver *sv, size_t g, double *col, clv_error *err)
{
	whatif_solve *v = sv->v;
	uint64_t R = sv->reps, r;
	size_t G = v->n_curve, pays = 0;
	double sum = 0.0;

	for (r = 0; r < R; r++) {
		col[r] = sv->h[r * G + g] + v->target;
		sum += col[r];
		pays += sv->h[r * G + g] > 0.0;
	}
	qsort(col, (size_t)R, sizeof *col, cmp_double);
	v->mean[g] = sum / (double)R;
	v->p05[g] = whatif_quantile_censored(col, (size_t)R, 0.05);
	v->p95[g] = whatif_quantile_censored(col, (size_t)R, 0.95);
	v->p_pays[g] = (double)pays / (double)R;
	if (excess_at(sv, v->x[g], &v->exact[g], NULL, err) != CLV_OK)
		return err->status;
	v->exact[g] += v->target; /* F itself */
	return CLV_OK;
}

/* Every replication's F_r - target at every grid value, and the curve. */
static clv_status solve_curve(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	uint64_t R = sv->reps, r;
	size_t G = v->n_curve, g, n = sv->given->n;
	double *clv = malloc((size_t)R * (n + 1) * sizeof *clv + 1);
	clv_status rc = clv == NULL ? whatif_nomem(err) : CLV_OK;

	sv->h = malloc((size_t)R * G * sizeof *sv->h + 1);
	if (rc == CLV_OK && sv->h == NULL)
		rc = whatif_nomem(err);
	for (g = 0; g < G && rc == CLV_OK; g++) {
		clv_scenario *s = whatif_check_interrupt(err) == CLV_OK ? edited(sv, v->x[g], err) : NULL;
		expect_draws *d = s != NULL ? expect_draws_rebind(sv->tmpl, s, err) : NULL;
		rc = d == NULL ? err->status : expect_draws_all(d, sv->threads, clv, err);
		for (r = 0; r < R && rc == CLV_OK; r++)
			sv->h[r * G + g] = clv[r * (n + 1) + sv->si] - sv->base_rep[r] - v->target;
		if (rc == CLV_OK)
			rc = curve_point(sv, g, clv, err);
		expect_draws_free(d);
		scenario_free(s);
	}
	free(clv);
	return rc;
}

/* Replication r's root: Brent in the first grid cell where F_r - target
   changes sign; outside [LO, HI] (+-inf) when it never does. */
static clv_status rep_root(const solver *sv, uint64_t r, double *root, clv_error *err)
{
	const whatif_solve *v = sv->v;
	size_t G = v->n_curve, g;
	const double *h = sv->h + r * G;
	brent_fn b = {sv, r, CLV_OK, {0}};
	bool rising;
	int it;

	for (g = 0; g + 1 < G; g++)
		if (h[g] == 0.0 || (h[g] < 0.0) != (h[g + 1] < 0.0) || h[g + 1] == 0.0)
			return brent(&b, v->x[g], v->x[g + 1], h[g], h[g + 1], root, &it, err);
	rising = h[G - 1] != h[0] ? h[G - 1] > h[0] : v->f_hi >= v->f_lo;
	*root = (h[0] > 0.0) == rising ? -INFINITY : INFINITY;
	return CLV_OK;
}

static clv_status solve_roots(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	long long r, R = (long long)v->replications;
	clv_status *st = calloc((size_t)R + 1, sizeof *st);
#ifdef _OPENMP
	int nt = sv->threads > 0 ? sv->threads : omp_get_max_threads();
#endif
	double *sorted = malloc((size_t)R * sizeof *sorted + 1);
	size_t q;

	if (st == NULL || sorted == NULL) {
		free(st);
		free(sorted);
		return whatif_nomem(err);
	}
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt)
#endif
	for (r = 0; r < R; r++) {
		clv_error local = {0};
		st[r] = rep_root(sv, (uint64_t)r, &v->root[r], &local);
	}
	for (r = 0; r < R && st[r] == CLV_OK; r++)
		;
	free(st);
	if (r < R) { /* the first failure again, for its message */
		free(sorted);
		return rep_root(sv, (uint64_t)r, &v->root[r], err);
	}
	memcpy(sorted, v->root, (size_t)R * sizeof *sorted);
	qsort(sorted, (size_t)R, sizeof *sorted, cmp_double);
	for (r = 0; r < R; r++) {
		v->below += isinf(v->root[r]) && v->root[r] < 0;
		v->above += isinf(v->root[r]) && v->root[r] > 0;
	}
	for (q = 0; q < SOLVE_N_PCT; q++)
		v->pct[q] = whatif_quantile_censored(sorted, (size_t)R, whatif_solve_pct[q] / 100.0);
	v->lo90 = v->pct[0];
	v->hi90 = v->pct[SOLVE_N_PCT - 1];
	free(sorted);
	return CLV_OK;
}

/* The se of a root found on an average over the draws (solve.h). */
static clv_status root_se(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	uint64_t R = sv->reps, r;
	size_t n = sv->given->n, g;
	clv_scenario *s = NULL;
	expect_draws *d = NULL;
	double *clv = NULL, sum = 0.0, sum2 = 0.0, slope;
	clv_status rc = CLV_OK;

	v->value_se = NAN;
	if (v->method != EXPECT_REPLICATIONS || R < 2)
		return CLV_OK;
	for (g = 0; g + 2 < v->n_curve && v->x[g + 1] < v->value; g++)
		;
	slope = (v->exact[g + 1] - v->exact[g]) / (v->x[g + 1] - v->x[g]);
	if ((s = edited(sv, v->value, err)) == NULL ||
	    (d = expect_draws_rebind(sv->tmpl, s, err)) == NULL)
		rc = err->status;
	else if ((clv = malloc((size_t)R * (n + 1) * sizeof *clv)) == NULL)
		rc = whatif_nomem(err);
	else
		rc = expect_draws_all(d, sv->threads, clv, err);
	for (r = 0; rc == CLV_OK && r < R; r++) {
		double h = clv[r * (n + 1) + sv->si] - sv->base_rep[r] - v->target;
		sum += h;
		sum2 += h * h;
	}
	if (rc == CLV_OK && slope != 0.0)
		v->value_se = sqrt(fmax(0.0, sum2 - sum * sum / (double)R) / (double)(R - 1) /
		                   (double)R) / fabs(slope);
	free(clv);
	expect_draws_free(d);
	scenario_free(s);
	return rc;
}

/* Nothing drawn per replication: every world is the expectation's. */
static void certain_roots(whatif_solve *v)
{
	uint64_t r;
	size_t q;

	for (r = 0; r < v->replications; r++)
		v->root[r] = v->value;
	for (q = 0; q < SOLVE_N_PCT; q++)
		v->pct[q] = v->value;
	v->lo90 = v->hi90 = v->value;
}

/* ------------------------------------------------------------------ */
/* The whole solve                                                      */

/* Index of the figure solved for in s: the state, or the total. */
static clv_status figure_index(const clv_scenario *s, const char *state, size_t *index,
                               clv_error *err)
{
	size_t i;

	if (state == NULL) {
		*index = s->n;
		return CLV_OK;
	}
	if ((i = scenario_state_index(s, state)) == (size_t)-1)
		return diag_set(err, CLV_ERR_USAGE, NULL, "--state %s: \"%s\" (%s) has no such state",
		                state, s->name, s->path);
	*index = i;
	return CLV_OK;
}

/* The key on a probe copy at LO and HI (set and validated), the rule. */
static clv_status probe(solver *sv, clv_error *err)
{
	whatif_solve *v = sv->v;
	const char *key = v->key;
	clv_scenario *s;
	clv_status rc;

	if (strcmp(key, "horizon") == 0 || strcmp(key, "customers") == 0 ||
	    strcmp(key, "replications") == 0)
		return diag_set(err, CLV_ERR_USAGE, NULL, "--find %s: solve needs a continuous key "
		                "(an assumption label such as campaign.retention_uplift or margin.A), "
		                "not a count", key);
	if ((s = edited(sv, v->lo, err)) == NULL)
		return err->status;
	rc = scenario_validate(s, err);
	scenario_free(s);
	if (rc == CLV_OK && (s = edited(sv, v->hi, err)) == NULL)
		rc = err->status;
	else if (rc == CLV_OK) {
		rc = scenario_validate(s, err);
		scenario_free(s);
	}
	if (rc == CLV_OK) {
		clv_scenario *c = scenario_copy(sv->given, err);
		if (c == NULL)
			return err->status;
		v->rule = whatif_rule_text(c, key);
		scenario_free(c);
	}
	return rc;
}

static clv_status solver_init(solver *sv, whatif_solve *v, const clv_scenario *base,
                              const clv_scenario *s, const whatif_find *find, double target,
                              const char *state, const whatif_settings *set, clv_error *err)
{
	mc_config cfg;

	memset(sv, 0, sizeof *sv);
	sv->v = v;
	sv->given = s;
	sv->base = base;
	whatif_config(set, base != NULL ? base : s, &cfg);
	v->seed = cfg.seed;
	v->replications = cfg.replications;
	v->lo = find->lo;
	v->hi = find->hi;
	v->target = target;
	v->versus = base != NULL;
	sv->threads = cfg.threads;
	sv->sampling = cfg.sampling;
	expect_options_defaults(&sv->eo, s);
	sv->eo.seed = cfg.seed;
	sv->eo.replications = cfg.replications;
	if ((v->key = strdup(find->key)) == NULL || (state && (v->state = strdup(state)) == NULL))
		return whatif_nomem(err);
	if (figure_index(s, state, &sv->si, err) != CLV_OK ||
	    (base != NULL && figure_index(base, state, &sv->bi, err) != CLV_OK))
		return err->status;
	return CLV_OK;
}

static void solver_clear(solver *sv)
{
	expect_draws_free(sv->tmpl);
	scenario_free(sv->tmpl_s);
	free(sv->base_rep);
	free(sv->h);
}

whatif_solve *whatif_solve_run(const clv_scenario *base, const clv_scenario *s,
                               const whatif_find *find, double target, const char *state,
                               const whatif_settings *set, clv_error *err)
{
	whatif_solve *v = calloc(1, sizeof *v);
	solver sv;
	clv_status rc;

	if (v == NULL) {
		whatif_nomem(err);
		return NULL;
	}
	rc = solver_init(&sv, v, base, s, find, target, state, set, err);
	if (rc == CLV_OK)
		rc = probe(&sv, err);
	if (rc == CLV_OK)
		rc = prepare(&sv, err);
	if (rc == CLV_OK)
		rc = solve_expectation(&sv, err);
	if (rc == CLV_OK)
		rc = curve_tables(v, err);
	if (rc == CLV_OK)
		rc = solve_curve(&sv, err);
	if (rc == CLV_OK)
		rc = root_se(&sv, err);
	if (rc == CLV_OK)
		rc = whatif_check_interrupt(err);
	if (rc == CLV_OK && v->uncertain)
		rc = solve_roots(&sv, err);
	else if (rc == CLV_OK)
		certain_roots(v);
	solver_clear(&sv);
	if (rc != CLV_OK) {
		whatif_solve_free(v);
		return NULL;
	}
	return v;
}
