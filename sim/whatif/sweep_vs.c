/*
 * sweep_vs.c - the what-if stage: a sweep of CHANGED against BASE
 * (whatif_sweep_vs, contract in whatif.h; the hooks sweep.c calls are in
 * whatif_internal.h).
 *
 * BASE runs once: its Monte Carlo run on the sweep's seed, replications
 * and customers, so replication r of every grid point and of BASE share
 * their draws (common random numbers) and the paired differences d_r give
 * the se and 90% interval (whatif_paired). The expectations of both sides
 * use the sweep's seed and replications, and when BASE or CHANGED at the
 * first grid point must be averaged over draws (expect.h), both are, over
 * the same draws, at every point (a quadrature minus an average would
 * carry the average's whole error into the difference).
 *
 * Break-even of the total difference (the expectations'): one key, the
 * crossings of 0 between neighbouring grid values by linear
 * interpolation; two keys, the zero contour by marching squares (each
 * cell's edges crossed where the sign changes, at the linear
 * interpolation; a saddle cell, with all four edges crossed, split by the
 * sign of the mean of its corners). Both are approximations of the grid's
 * resolution; `clvsim solve` finds one point of it exactly.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/expect.h"
#include "engine/expect_draws.h"
#include "scenario/scenario.h"
#include "whatif/whatif_internal.h"

struct whatif_sweep_base {
	clv_scenario *s;         /* BASE's copy */
	mc_result *mc;           /* its Monte Carlo run (WHATIF_SWEEP_MONTE_CARLO) */
	double *rep;             /* its replication values: mc's rep_clv, or
	                            the exact ones (owned when exact); NULL for
	                            WHATIF_SWEEP_EXACT */
	size_t *map;             /* n + 1: BASE's index of CHANGED's state i
	                            (SIZE_MAX: none); map[n] = BASE's total */
	expect_options eo;       /* the expectations of both sides */
	double *exact;           /* BASE's expectation, n_base + 1 */
};

void whatif_sweep_base_free(whatif_sweep_base *b)
{
	if (b == NULL)
		return;
	scenario_free(b->s);
	if (b->mc == NULL)
		free(b->rep);
	mc_free(b->mc);
	free(b->map);
	free(b->exact);
	free(b);
}

/* The expectation of s with o, n + 1 values into clv; its method. */
static clv_status expectation(clv_scenario *s, const expect_options *o, double *clv,
                              expect_method *method, clv_error *err)
{
	expect_result *x = expect_scenario(s, 0, o, err);

	if (x == NULL)
		return err->status;
	memcpy(clv, x->mean->clv, (s->n + 1) * sizeof *clv);
	if (method != NULL)
		*method = x->method;
	expect_free(x);
	return CLV_OK;
}

/* The expectation options, aligned; BASE's expectation. */
static clv_status base_exact(whatif_sweep_base *b, const whatif_sweep *w,
                             const clv_scenario *changed, clv_error *err)
{
	clv_scenario *c = whatif_sweep_point_copy(w, changed, 0, err);
	double *scratch = c != NULL ? malloc((c->n + 1) * sizeof *scratch) : NULL;
	expect_method mb = EXPECT_CERTAIN, mc = EXPECT_CERTAIN;
	clv_status rc = c == NULL ? err->status : scratch == NULL ? whatif_nomem(err) : CLV_OK;

	expect_options_defaults(&b->eo, changed);
	b->eo.seed = w->seed;
	b->eo.replications = w->replications;
	if (rc == CLV_OK)
		rc = expectation(b->s, &b->eo, b->exact, &mb, err);
	if (rc == CLV_OK)
		rc = expectation(c, &b->eo, scratch, &mc, err);
	if (rc == CLV_OK && (mb == EXPECT_REPLICATIONS) != (mc == EXPECT_REPLICATIONS)) {
		b->eo.replications_only = true;
		rc = expectation(b->s, &b->eo, b->exact, NULL, err);
	}
	free(scratch);
	scenario_free(c);
	return rc;
}

/* w's difference tables, every cell NaN until computed. */
static clv_status diff_tables(whatif_sweep *w, const clv_scenario *base, clv_error *err)
{
	size_t cells = w->n_points * (w->n + 1), i;
	double **t[] = {&w->diff_exact, &w->diff_mean, &w->diff_se, &w->diff_lo90, &w->diff_hi90};
	size_t k;

	w->versus = true;
	if ((w->base_name = strdup(base->name)) == NULL || (w->base_path = strdup(base->path)) == NULL)
		return whatif_nomem(err);
	for (k = 0; k < sizeof t / sizeof t[0]; k++) {
		if ((*t[k] = malloc((cells + 1) * sizeof **t[k])) == NULL)
			return whatif_nomem(err);
		for (i = 0; i < cells; i++)
			(*t[k])[i] = NAN;
	}
	return CLV_OK;
}

/* BASE's replication values by w->method, on the sweep's seed,
   replications and customers (and the points' configuration). */
static clv_status base_replications(whatif_sweep_base *b, const whatif_sweep *w,
                                    const clv_scenario *changed, const whatif_settings *set,
                                    clv_error *err)
{
	expect_draws *d;
	mc_config cfg;
	clv_status rc;

	whatif_config(set, changed, &cfg); /* the points' own configuration */
	cfg.seed = w->seed;
	cfg.replications = w->replications;
	cfg.customers = w->customers;
	if (w->method == WHATIF_SWEEP_EXACT)
		return CLV_OK;
	if (w->method == WHATIF_SWEEP_MONTE_CARLO) {
		if ((b->mc = mc_run(b->s, &cfg, err)) == NULL)
			return err->status;
		b->rep = b->mc->rep_clv;
		return CLV_OK;
	}
	if ((d = expect_draws_create(b->s, w->replications, cfg.sampling, w->seed, err)) == NULL)
		return err->status;
	b->rep = malloc(w->replications * (b->s->n + 1) * sizeof *b->rep);
	rc = b->rep == NULL ? whatif_nomem(err) : expect_draws_all(d, cfg.threads, b->rep, err);
	expect_draws_free(d);
	return rc;
}

whatif_sweep_base *whatif_sweep_base_create(whatif_sweep *w, const clv_scenario *base,
                                            const clv_scenario *changed,
                                            const whatif_settings *set, clv_error *err)
{
	whatif_sweep_base *b = calloc(1, sizeof *b);
	size_t i;
	clv_status rc = b == NULL ? whatif_nomem(err) : diff_tables(w, base, err);

	if (rc == CLV_OK && (b->s = scenario_copy(base, err)) == NULL)
		rc = err->status;
	if (rc == CLV_OK && ((b->map = malloc((w->n + 1) * sizeof *b->map)) == NULL ||
	                     (b->exact = malloc((b->s->n + 1) * sizeof *b->exact)) == NULL))
		rc = whatif_nomem(err);
	for (i = 0; rc == CLV_OK && i <= w->n; i++)
		b->map[i] = i == w->n ? b->s->n : scenario_state_index(b->s, w->states[i]);
	if (rc == CLV_OK)
		rc = base_exact(b, w, changed, err);
	if (rc == CLV_OK)
		rc = base_replications(b, w, changed, set, err);
	if (rc != CLV_OK) {
		whatif_sweep_base_free(b);
		return NULL;
	}
	return b;
}

clv_status whatif_sweep_base_point(whatif_sweep *w, const whatif_sweep_base *b, size_t p,
                                   clv_scenario *s, const double *rep, clv_error *err)
{
	size_t n = w->n, cell = p * (n + 1), i, nb = b->s->n;
	double *e = malloc((n + 1) * sizeof *e);
	clv_status rc = e == NULL ? whatif_nomem(err) : expectation(s, &b->eo, e, NULL, err);

	for (i = 0; i <= n && rc == CLV_OK; i++) {
		whatif_diff d;
		if (b->map[i] == (size_t)-1)
			continue;
		w->diff_exact[cell + i] = e[i] - b->exact[b->map[i]];
		if (rep == NULL) { /* exact: no draws, no noise */
			d.mean = d.lo90 = d.hi90 = w->diff_exact[cell + i];
			d.se = 0.0;
		} else {
			rc = whatif_paired(b->rep + b->map[i], nb + 1, rep + i, n + 1,
			                   (size_t)w->replications, &d, err);
		}
		w->diff_mean[cell + i] = d.mean;
		w->diff_se[cell + i] = d.se;
		w->diff_lo90[cell + i] = d.lo90;
		w->diff_hi90[cell + i] = d.hi90;
	}
	free(e);
	return rc;
}

/* ---- break-even -------------------------------------------------------------- */

/* Where the total difference of points p and q crosses 0: the fraction
   of the way from p to q. */
static double crossing(const whatif_sweep *w, size_t p, size_t q)
{
	double f0 = w->diff_exact[p * (w->n + 1) + w->n], f1 = w->diff_exact[q * (w->n + 1) + w->n];

	return f0 / (f0 - f1);
}

static bool positive(const whatif_sweep *w, size_t p)
{
	return w->diff_exact[p * (w->n + 1) + w->n] > 0.0;
}

static clv_status breakeven_line(whatif_sweep *w, clv_error *err)
{
	size_t p;

	w->breakeven = malloc((w->n_points + 1) * sizeof *w->breakeven);
	if (w->breakeven == NULL)
		return whatif_nomem(err);
	for (p = 0; p + 1 < w->n_points; p++)
		if (positive(w, p) != positive(w, p + 1))
			w->breakeven[w->n_breakeven++] = w->x[p] + crossing(w, p, p + 1) * (w->x[p + 1] - w->x[p]);
	return CLV_OK;
}

/* The point on the edge from grid point p to q where the difference is 0. */
static void edge_point(const whatif_sweep *w, size_t p, size_t q, double *xy)
{
	double t = crossing(w, p, q);

	xy[0] = w->x[2 * p] + t * (w->x[2 * q] - w->x[2 * p]);
	xy[1] = w->x[2 * p + 1] + t * (w->x[2 * q + 1] - w->x[2 * p + 1]);
}

static void add_segment(whatif_sweep *w, const double *from, const double *to)
{
	double *seg = w->breakeven + 4 * w->n_breakeven++;

	seg[0] = from[0];
	seg[1] = from[1];
	seg[2] = to[0];
	seg[3] = to[1];
}

/* The cell whose lower-left grid point is (i, j). */
static void contour_cell(whatif_sweep *w, size_t i, size_t j)
{
	size_t c1 = w->axis[1].count;
	size_t corner[4] = {i * c1 + j, (i + 1) * c1 + j, (i + 1) * c1 + j + 1, i * c1 + j + 1};
	double pt[4][2], mean = 0.0;
	bool cut[4];
	size_t e, k = 0, first = 4;

	for (e = 0; e < 4; e++) { /* edges: corner e to corner e + 1 */
		size_t p = corner[e], q = corner[(e + 1) % 4];
		cut[e] = positive(w, p) != positive(w, q);
		if (cut[e]) {
			edge_point(w, p, q, pt[e]);
			first = first == 4 ? e : first;
			k++;
		}
		mean += w->diff_exact[p * (w->n + 1) + w->n] / 4.0;
	}
	if (k == 2) {
		for (e = first + 1; e < 4 && !cut[e]; e++)
			;
		add_segment(w, pt[first], pt[e]);
	} else if (k == 4) { /* a saddle: keep the corners of the centre's sign together */
		if ((mean > 0.0) == positive(w, corner[0])) {
			add_segment(w, pt[0], pt[1]);
			add_segment(w, pt[2], pt[3]);
		} else {
			add_segment(w, pt[3], pt[0]);
			add_segment(w, pt[1], pt[2]);
		}
	}
}

static clv_status breakeven_contour(whatif_sweep *w, clv_error *err)
{
	size_t c0 = w->axis[0].count, c1 = w->axis[1].count, i, j;

	w->breakeven = malloc((2 * c0 * c1 * 4 + 1) * sizeof *w->breakeven);
	if (w->breakeven == NULL)
		return whatif_nomem(err);
	for (i = 0; i + 1 < c0; i++)
		for (j = 0; j + 1 < c1; j++)
			contour_cell(w, i, j);
	return CLV_OK;
}

clv_status whatif_sweep_breakeven(whatif_sweep *w, clv_error *err)
{
	return w->n_axes == 1 ? breakeven_line(w, err) : breakeven_contour(w, err);
}
