/*
 * scenario_limits.c - stage scenario: the rules the engines and the
 * what-ifs rely on beyond well-formed keys, checked when a scenario is
 * validated (scenario_validate calls scenario_check_limits), so that
 * `check` refuses, with FILE:LINE:COLUMN and the numbers, everything
 * `exact`, `run` and the what-ifs would refuse or get wrong later:
 *
 *   - a Dirichlet row's concentration: every alpha >= 0.001 and their
 *     sum <= 1e5, the range of the beta shapes (dist.h); beyond it GSL's
 *     beta inverse (the tornado's marginal of the diagonal) may never end;
 *   - an infinite horizon's reach: the Monte Carlo walk stops where the
 *     discount factor a^t, a = max((1 + g) / (1 + r), 1 / (1 + r)), falls
 *     below CLV_INFINITE_CUTOFF; at the lowest rate and highest growth
 *     that can be drawn that must happen within CLV_MAX_HORIZON periods
 *     (t = ln(1e-10) / ln(a) <= 1e5), else the walk would be cut short
 *     and its mean silently low (r = 1e-12: 1e7 against the exact 1e14);
 *   - correlations: both assumptions drawn once per replication (the
 *     outer design is what gets correlated), and the matrix of the
 *     implied Pearson correlations 2 sin(pi rho / 6) positive definite
 *     (what engine/sample.c's Iman-Conover step needs: Cholesky).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>

#include "base/dist.h"
#include "scenario/scenario.h"
#include "scenario/scenario_internal.h"

static clv_status check_concentration(const clv_scenario *s, size_t i, clv_error *err)
{
	const clv_row *r = &s->switching[i];
	double sum = 0.0;
	size_t j;

	for (j = 0; j < s->n; j++) {
		if (r->alpha[j] < DIST_BETA_SHAPE_MIN)
			return diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\": dirichlet "
			                "alpha for \"%s\" = %.10g is below the limit of %g", s->states[i],
			                s->states[j], r->alpha[j], DIST_BETA_SHAPE_MIN);
		sum += r->alpha[j];
	}
	if (sum > DIST_BETA_SHAPE_MAX)
		return diag_set(err, CLV_ERR_INPUT, &r->pos, "switching row \"%s\": the dirichlet "
		                "alphas sum to %.10g, over the limit of %g (a concentration that "
		                "high is as good as fixed: write the row as numbers, alpha / sum)",
		                s->states[i], sum, DIST_BETA_SHAPE_MAX);
	return CLV_OK;
}

/* ---- discounting ---------------------------------------------------- */

/* The range p can take: its value, or its 1e-9 and 1 - 1e-9 quantiles when
   uncertain (the support, for all practical draws; model_build rejects a
   draw beyond it). */
static void param_range(const clv_param *p, double *lo, double *hi)
{
	if (p->kind == DIST_FIXED) {
		*lo = *hi = p->a;
		return;
	}
	*lo = dist_quantile(p, 1e-9);
	*hi = dist_quantile(p, 1.0 - 1e-9);
}

/* A discount rate as written, per period. */
static double per_period(const clv_scenario *s, double d)
{
	return s->discount_annual ? pow(1.0 + d, 1.0 / s->periods_per_year) - 1.0 : d;
}

void scenario_rate_extremes(const clv_scenario *s, double *r_lo, double *g_hi)
{
	double d_lo, d_hi, g_lo;

	param_range(&s->discount, &d_lo, &d_hi);
	param_range(&s->spend_growth, &g_lo, g_hi);
	*r_lo = per_period(s, d_lo);
}

/* Periods until a^t < CLV_INFINITE_CUTOFF at rate r and growth g (the
   larger of the margin's and the cost's factor decides); HUGE_VAL when a
   >= 1. As chain_periods does for one drawn model. */
static double periods_needed(double r, double g)
{
	double log_a = fmax(log1p(g), 0.0) - log1p(r);

	return log_a < 0.0 ? ceil(log(CLV_INFINITE_CUTOFF) / log_a) : HUGE_VAL;
}

double scenario_walk_periods(const clv_scenario *s)
{
	double r, g;

	if (!s->infinite)
		return (double)s->horizon;
	scenario_rate_extremes(s, &r, &g);
	return periods_needed(r, g);
}

clv_status scenario_check_reach(const clv_scenario *s, clv_error *err)
{
	double r, g, need, r_min;
	bool fixed = s->discount.kind == DIST_FIXED && s->spend_growth.kind == DIST_FIXED;

	if (!s->infinite)
		return CLV_OK;
	scenario_rate_extremes(s, &r, &g);
	need = periods_needed(r, g);
	if (need <= (double)CLV_MAX_HORIZON)
		return CLV_OK;
	r_min = expm1(fmax(log1p(g), 0.0) - log(CLV_INFINITE_CUTOFF) / (double)CLV_MAX_HORIZON);
	return diag_set(err, CLV_ERR_LIMIT, &s->discount.pos, "an infinite horizon at a discount "
	                "rate of %.6g per period and a spend growth of %.6g%s needs %.3g periods "
	                "before its discount factor falls below %g, over the %ld periods the "
	                "simulation walks; give a finite horizon, or a rate of at least %.6g per "
	                "period%s", r, g, fixed ? "" : " (the lowest rate and highest growth it "
	                "can draw)", need, CLV_INFINITE_CUTOFF, CLV_MAX_HORIZON, r_min,
	                fixed ? "" : " at every draw");
}

/* ---- correlations ------------------------------------------------------ */

/* The assumption labelled `label` in s (scenario_param only reads s, but
   takes it non-const: the pointer is copied, not cast). */
static const clv_param *find_param(const clv_scenario *s, const char *label)
{
	clv_scenario *m;

	memcpy(&m, &s, sizeof m);
	return scenario_param(m, label);
}

static clv_status check_drawn_per_replication(const clv_scenario *s, const clv_correlation *c,
                                              const char *label, clv_error *err)
{
	const clv_param *p = find_param(s, label);

	if (p == NULL || dist_is_per_replication(p))
		return CLV_OK; /* unknown labels: the loader's message */
	return diag_set(err, CLV_ERR_INPUT, &c->pos, "correlations: \"%s\" is %s; only "
	                "assumptions drawn once per replication can be correlated", label,
	                !dist_is_uncertain(p) ? "a fixed number" : p->kind == DIST_POISSON
	                ? "a poisson count drawn per customer and period" : "drawn per customer");
}

/* Index of label among names[0..*n), added when new. */
static size_t name_index(const char **names, size_t *n, const char *label)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if (strcmp(names[k], label) == 0)
			return k;
	names[*n] = label;
	return (*n)++;
}

/* The implied Pearson correlation matrix is positive definite. */
static clv_status check_consistent(const clv_scenario *s, clv_error *err)
{
	size_t n = 0, k, m = 2 * s->n_correlations;
	const char **names = malloc(m * sizeof *names);
	gsl_matrix *C = names != NULL ? gsl_matrix_alloc(m, m) : NULL;
	clv_status rc = CLV_OK;

	if (C == NULL) {
		free(names);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory checking the correlations");
	}
	gsl_matrix_set_identity(C);
	for (k = 0; k < s->n_correlations; k++) {
		const clv_correlation *c = &s->correlations[k];
		size_t i = name_index(names, &n, c->a), j = name_index(names, &n, c->b);
		double r = 2.0 * sin(M_PI * c->rho / 6.0);
		gsl_matrix_set(C, i, j, r);
		gsl_matrix_set(C, j, i, r);
	}
	{
		gsl_matrix_view used = gsl_matrix_submatrix(C, 0, 0, n, n);
		if (gsl_linalg_cholesky_decomp1(&used.matrix) != GSL_SUCCESS)
			rc = diag_set(err, CLV_ERR_INPUT, &s->correlations[0].pos, "correlations: the "
			              "%zu rank correlations contradict each other (their matrix is not "
			              "positive definite: no joint distribution has them all)",
			              s->n_correlations);
	}
	gsl_matrix_free(C);
	free(names);
	return rc;
}

static clv_status check_correlations(const clv_scenario *s, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t k;

	for (k = 0; k < s->n_correlations && rc == CLV_OK; k++) {
		rc = check_drawn_per_replication(s, &s->correlations[k], s->correlations[k].a, err);
		if (rc == CLV_OK)
			rc = check_drawn_per_replication(s, &s->correlations[k], s->correlations[k].b,
			                                 err);
	}
	if (rc == CLV_OK && s->n_correlations > 1)
		rc = check_consistent(s, err);
	return rc;
}

clv_status scenario_check_limits(const clv_scenario *s, const load_gaps *gaps, clv_error *err)
{
	static const load_gaps none = {0};
	clv_status rc = CLV_OK;
	bool failed = false;
	size_t i;

	if (gaps == NULL)
		gaps = &none;
	for (i = 0; i < s->n && rc == CLV_OK && !gaps->states; i++)
		if (!gaps->row[i] && s->switching[i].dirichlet &&
		    (rc = check_concentration(s, i, err)) != CLV_OK && diag_keep(err)) {
			rc = CLV_OK;
			failed = true;
		}
	/* the reach needs the rate, growth and horizon; the correlations every
	   assumption */
	if (rc == CLV_OK && !gaps->horizon && !gaps->period && !gaps->discount && !gaps->growth &&
	    (rc = scenario_check_reach(s, err)) != CLV_OK && diag_keep(err)) {
		rc = CLV_OK;
		failed = true;
	}
	if (rc == CLV_OK && !gaps->any)
		rc = check_correlations(s, err);
	return rc == CLV_OK && failed ? CLV_ERR_INPUT : rc;
}
