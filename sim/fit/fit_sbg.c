/*
 * fit_sbg.c - read a cohort file and fit the shifted-beta-geometric model
 * (see fit_sbg.h for the model, the method and the rules). Stage: fit.
 *
 * Derivatives of LL, with d_t = n_{t-1} - n_t, psi = digamma, psi1 =
 * trigamma, lnB(x, y) = ln Gamma(x) + ln Gamma(y) - ln Gamma(x + y):
 *   d/da lnB(a + 1, b + t - 1) = psi(a + 1) - psi(a + b + t),
 *   d/db lnB(a + 1, b + t - 1) = psi(b + t - 1) - psi(a + b + t),
 *   d/da lnB(a, b + t) = psi(a) - psi(a + b + t),
 *   d/db lnB(a, b + t) = psi(b + t) - psi(a + b + t),
 * and each second derivative likewise with psi1 (the cross term is
 * -psi1(x + y) for every lnB(x, y)).
 */
#include "fit/fit_sbg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

#include "base/csv_read.h"
#include "fit/fit_file.h"

/* ------------------------------------------------------------------ */
/* The cohort file.                                                     */

void fit_cohort_free(fit_cohort *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->alive);
	free(c->line);
	free(c);
}

typedef struct cohort_reader {
	fit_cohort *c;
	csv_reader *csv;
	int field[2];           /* field index of period, alive */
	clv_pos col[2];         /* their place in the header */
	size_t n_fields;
	clv_pos *alive_pos;     /* per period: where its alive value stands */
	bool *seen;
} cohort_reader;

static const char *const cohort_cols[] = {"period", "alive"};

static clv_status cohort_header(cohort_reader *r, clv_error *err)
{
	clv_pos start = {r->c->path, 1, 1};
	clv_status rc;
	bool got;
	size_t i;

	r->field[0] = r->field[1] = -1;
	rc = csv_reader_next(r->csv, &got, err);
	if (rc != CLV_OK)
		return rc;
	if (!got || (csv_reader_count(r->csv) == 1 && csv_reader_field(r->csv, 0)[0] == '\0'))
		return diag_set(err, CLV_ERR_INPUT, &start,
		                "empty input: expected a header line naming the columns period and alive");
	r->n_fields = csv_reader_count(r->csv);
	for (i = 0; i < r->n_fields; i++) {
		const char *h = csv_reader_field(r->csv, i);
		clv_pos pos = csv_reader_pos(r->csv, i);
		int c = strcmp(h, "period") == 0 ? 0 : strcmp(h, "alive") == 0 ? 1 : -1;
		if (c < 0) {
			const char *hint = diag_did_you_mean(h, cohort_cols, 2);
			return diag_set(err, CLV_ERR_INPUT, &pos,
			                "unknown column \"%.40s\"%s%s%s; the columns are period, alive", h,
			                hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
		}
		if (r->field[c] >= 0)
			return diag_set(err, CLV_ERR_INPUT, &pos, "column \"%s\" named twice (first at "
			                "column %d)", h, r->col[c].column);
		r->field[c] = (int)i;
		r->col[c] = pos;
	}
	if (r->field[0] < 0 || r->field[1] < 0)
		return diag_set(err, CLV_ERR_INPUT, &start, "no \"%s\" column; the header must name "
		                "period and alive", r->field[0] < 0 ? "period" : "alive");
	return CLV_OK;
}

/* A whole number in [0, hi] from text; -1 when it is not one. */
static double whole_number(const char *s, double hi)
{
	char *end;
	double v;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (*end != '\0' || errno != 0 || v > hi || v != floor(v))
		return -1;
	return v;
}

static clv_status cohort_record(cohort_reader *r, clv_error *err)
{
	fit_cohort *c = r->c;
	size_t n = csv_reader_count(r->csv);
	clv_pos ppos, apos;
	double p, v;

	if (n != r->n_fields) {
		clv_pos pos = csv_reader_pos(r->csv, n < r->n_fields ? n : r->n_fields);
		return diag_set(err, CLV_ERR_INPUT, &pos, "%zu field%s, but the header names %zu "
		                "columns", n, n == 1 ? "" : "s", r->n_fields);
	}
	ppos = csv_reader_pos(r->csv, (size_t)r->field[0]);
	apos = csv_reader_pos(r->csv, (size_t)r->field[1]);
	p = whole_number(csv_reader_field(r->csv, (size_t)r->field[0]), FIT_MAX_COHORT_PERIODS - 1);
	if (p < 0)
		return diag_set(err, CLV_ERR_INPUT, &ppos, "period \"%.40s\" is not a whole number from "
		                "0 to %d", csv_reader_field(r->csv, (size_t)r->field[0]),
		                FIT_MAX_COHORT_PERIODS - 1);
	v = whole_number(csv_reader_field(r->csv, (size_t)r->field[1]), 1e15);
	if (v < 0)
		return diag_set(err, CLV_ERR_INPUT, &apos, "alive \"%.40s\" is not a whole number "
		                "(customers still active, 0 to 1e15)",
		                csv_reader_field(r->csv, (size_t)r->field[1]));
	if (r->seen[(size_t)p])
		return diag_set(err, CLV_ERR_INPUT, &ppos, "period %.0f given twice (first on line %ld)",
		                p, c->line[(size_t)p]);
	r->seen[(size_t)p] = true;
	c->alive[(size_t)p] = v;
	c->line[(size_t)p] = csv_reader_line(r->csv);
	r->alive_pos[(size_t)p] = apos;
	if ((size_t)p + 1 > c->n)
		c->n = (size_t)p + 1;
	return CLV_OK;
}

/* The rules between records (fit_sbg.h). */
static clv_status cohort_check(cohort_reader *r, clv_error *err)
{
	fit_cohort *c = r->c;
	size_t t;

	for (t = 0; t < c->n; t++)
		if (!r->seen[t])
			return diag_set(err, CLV_ERR_INPUT, &r->col[0], "no record for period %zu: periods "
			                "run 0, 1, 2, ... without gaps (period 0: the cohort's size)", t);
	if (c->n == 0)
		return diag_set(err, CLV_ERR_INPUT, &(clv_pos){c->path, 2, 1},
		                "no records after the header");
	if (c->alive[0] <= 0)
		return diag_set(err, CLV_ERR_INPUT, &r->alive_pos[0], "period 0 has no customers: "
		                "the cohort is empty");
	for (t = 1; t < c->n; t++)
		if (c->alive[t] > c->alive[t - 1])
			return diag_set(err, CLV_ERR_INPUT, &r->alive_pos[t], "alive rises from %.0f in "
			                "period %zu to %.0f in period %zu: a cohort's survivors can only "
			                "fall", c->alive[t - 1], t - 1, c->alive[t], t);
	if (c->n < 3)
		return diag_set(err, CLV_ERR_INPUT, &r->col[0], "periods 0 to %zu only: the sBG model "
		                "needs periods 0, 1 and 2 at least (two shapes to fit)", c->n - 1);
	if (c->alive[c->n - 1] == c->alive[0])
		return diag_set(err, CLV_ERR_INPUT, &r->col[1], "nobody was lost in periods 1 to %zu: "
		                "retention is 1, which the sBG model cannot fit", c->n - 1);
	if (c->alive[1] == 0)
		return diag_set(err, CLV_ERR_INPUT, &r->alive_pos[1], "everyone was lost in period "
		                "1: retention is 0, which the sBG model cannot fit");
	return CLV_OK;
}

static clv_status cohort_parse(cohort_reader *r, const fit_file *file, clv_error *err)
{
	FILE *mem;
	clv_status rc = CLV_OK;
	bool got = true;

	if (file->len == 0)
		return diag_set(err, CLV_ERR_INPUT, &(clv_pos){r->c->path, 1, 1},
		                "empty input: expected a header line naming the columns period and alive");
	if ((mem = fmemopen(file->text, file->len, "r")) == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	r->csv = csv_reader_create(mem, r->c->path, err);
	rc = r->csv == NULL ? CLV_ERR_NOMEM : cohort_header(r, err);
	while (rc == CLV_OK) {
		rc = csv_reader_next(r->csv, &got, err);
		if (rc != CLV_OK || !got)
			break;
		if (csv_reader_count(r->csv) == 1 && csv_reader_field(r->csv, 0)[0] == '\0')
			continue;
		rc = cohort_record(r, err);
	}
	if (rc == CLV_OK)
		rc = cohort_check(r, err);
	csv_reader_free(r->csv);
	fclose(mem);
	return rc;
}

fit_cohort *fit_cohort_read(const char *path, clv_error *err)
{
	fit_cohort *c = calloc(1, sizeof *c);
	cohort_reader r;
	fit_file file = {0};
	clv_status rc;

	memset(&r, 0, sizeof r);
	r.c = c;
	if (c != NULL) {
		c->path = strdup(path);
		c->alive = calloc(FIT_MAX_COHORT_PERIODS, sizeof *c->alive);
		c->line = calloc(FIT_MAX_COHORT_PERIODS, sizeof *c->line);
		r.alive_pos = calloc(FIT_MAX_COHORT_PERIODS, sizeof *r.alive_pos);
		r.seen = calloc(FIT_MAX_COHORT_PERIODS, sizeof *r.seen);
	}
	if (!c || !c->path || !c->alive || !c->line || !r.alive_pos || !r.seen)
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	else
		rc = fit_file_read(path, &file, err);
	if (rc == CLV_OK) {
		memcpy(c->sha256, file.sha256, sizeof c->sha256);
		rc = cohort_parse(&r, &file, err);
	}
	fit_file_release(&file);
	free(r.alive_pos);
	free(r.seen);
	if (rc != CLV_OK) {
		fit_cohort_free(c);
		return NULL;
	}
	return c;
}

/* ------------------------------------------------------------------ */
/* The likelihood, its gradient and Hessian.                            */

double fit_sbg_survival(double a, double b, double t)
{
	return exp(gsl_sf_lnbeta(a, b + t) - gsl_sf_lnbeta(a, b));
}

/* LL, and when g (2) and H (a-a, a-b, b-b) are not NULL, its derivatives
   in (a, b). */
static double sbg_eval(const double *alive, size_t n, double a, double b, double *g, double *H)
{
	double ll = 0.0, ga = 0.0, gb = 0.0, haa = 0.0, hab = 0.0, hbb = 0.0;
	double lnB = gsl_sf_lnbeta(a, b), total = alive[0];
	size_t t;

	for (t = 1; t <= n; t++) {
		/* t < n: the d_t lost in period t; t == n: the n_T still alive */
		bool lost = t < n;
		double w = lost ? alive[t - 1] - alive[t] : alive[n - 1];
		double x = lost ? a + 1 : a, y = lost ? b + (double)t - 1 : b + (double)(n - 1);
		if (w == 0)
			continue;
		ll += w * (gsl_sf_lnbeta(x, y) - lnB);
		if (g == NULL)
			continue;
		ga += w * (gsl_sf_psi(x) - gsl_sf_psi(x + y));
		gb += w * (gsl_sf_psi(y) - gsl_sf_psi(x + y));
		haa += w * (gsl_sf_psi_1(x) - gsl_sf_psi_1(x + y));
		hab += w * -gsl_sf_psi_1(x + y);
		hbb += w * (gsl_sf_psi_1(y) - gsl_sf_psi_1(x + y));
	}
	if (g != NULL) {
		/* minus lnB(a, b) once per customer */
		g[0] = ga - total * (gsl_sf_psi(a) - gsl_sf_psi(a + b));
		g[1] = gb - total * (gsl_sf_psi(b) - gsl_sf_psi(a + b));
		H[0] = haa - total * (gsl_sf_psi_1(a) - gsl_sf_psi_1(a + b));
		H[1] = hab + total * gsl_sf_psi_1(a + b);
		H[2] = hbb - total * (gsl_sf_psi_1(b) - gsl_sf_psi_1(a + b));
	}
	return ll;
}

double fit_sbg_loglik(const double *alive, size_t n, double a, double b)
{
	return sbg_eval(alive, n, a, b, NULL, NULL);
}

/* GSL's view: minimise f(x) = -LL(e^x0, e^x1). */
static double gsl_f(const gsl_vector *x, void *p)
{
	const fit_cohort *c = p;

	return -sbg_eval(c->alive, c->n, exp(gsl_vector_get(x, 0)), exp(gsl_vector_get(x, 1)),
	                 NULL, NULL);
}

static void gsl_fdf(const gsl_vector *x, void *p, double *f, gsl_vector *df)
{
	const fit_cohort *c = p;
	double a = exp(gsl_vector_get(x, 0)), b = exp(gsl_vector_get(x, 1)), g[2], H[3];

	*f = -sbg_eval(c->alive, c->n, a, b, g, H);
	gsl_vector_set(df, 0, -a * g[0]);
	gsl_vector_set(df, 1, -b * g[1]);
}

static void gsl_df(const gsl_vector *x, void *p, gsl_vector *df)
{
	double f;

	gsl_fdf(x, p, &f, df);
}

/* BFGS on (ln a, ln b) from (0, 0); the end point into a, b. */
static clv_status minimise(const fit_cohort *c, double *a, double *b, int *iter, clv_error *err)
{
	gsl_multimin_function_fdf fdf = {gsl_f, gsl_df, gsl_fdf, 2, (void *)(uintptr_t)c};
	gsl_multimin_fdfminimizer *s = gsl_multimin_fdfminimizer_alloc(
		gsl_multimin_fdfminimizer_vector_bfgs2, 2);
	gsl_vector *x = gsl_vector_calloc(2);
	int status = GSL_CONTINUE;

	if (s == NULL || x == NULL) {
		gsl_multimin_fdfminimizer_free(s);
		gsl_vector_free(x);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory in the minimiser");
	}
	gsl_multimin_fdfminimizer_set(s, &fdf, x, 0.1, 0.1);
	for (*iter = 0; *iter < 1000 && status == GSL_CONTINUE; (*iter)++) {
		if (gsl_multimin_fdfminimizer_iterate(s) != GSL_SUCCESS)
			break; /* no progress: Newton takes over */
		status = gsl_multimin_test_gradient(s->gradient, 1e-9 * c->alive[0]);
	}
	*a = exp(gsl_vector_get(s->x, 0));
	*b = exp(gsl_vector_get(s->x, 1));
	gsl_multimin_fdfminimizer_free(s);
	gsl_vector_free(x);
	return CLV_OK;
}

/* Newton steps on (a, b) until a step moves both by less than 1e-9
   relative; H into H. */
static clv_status polish(const fit_cohort *c, double *a, double *b, double *H, int *iter,
                         clv_error *err)
{
	int k;

	for (k = 0; k < 100; k++, (*iter)++) {
		double g[2], det, da, db, step = 1.0;
		sbg_eval(c->alive, c->n, *a, *b, g, H);
		det = H[0] * H[2] - H[1] * H[1];
		if (!(det > 0) || !(H[0] < 0))
			break;
		da = -(H[2] * g[0] - H[1] * g[1]) / det;
		db = -(H[0] * g[1] - H[1] * g[0]) / det;
		while (*a + step * da <= 0 || *b + step * db <= 0)
			step /= 2;
		*a += step * da;
		*b += step * db;
		if (fabs(step * da) <= 1e-9 * *a && fabs(step * db) <= 1e-9 * *b) {
			sbg_eval(c->alive, c->n, *a, *b, g, H);
			return CLV_OK;
		}
	}
	return diag_set_file(err, CLV_ERR_NUMERIC, c->path, "the sBG fit found no interior maximum "
	                     "(a = %g, b = %g)", *a, *b);
}

void fit_sbg_free(fit_sbg *s)
{
	if (s == NULL)
		return;
	free(s->survival);
	free(s->retention);
	free(s);
}

static clv_status project(fit_sbg *s, clv_error *err)
{
	size_t t;

	s->survival = calloc(s->projected, sizeof *s->survival);
	s->retention = calloc(s->projected, sizeof *s->retention);
	if (s->survival == NULL || s->retention == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (t = 0; t < s->projected; t++) {
		s->survival[t] = fit_sbg_survival(s->a, s->b, (double)t);
		s->retention[t] = t == 0 ? (double)NAN
		                         : (s->b + (double)t - 1) / (s->a + s->b + (double)t - 1);
	}
	return CLV_OK;
}

fit_sbg *fit_sbg_run(const fit_cohort *c, clv_error *err)
{
	fit_sbg *s = calloc(1, sizeof *s);
	double H[3], det;
	clv_status rc;

	if (s == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	rc = minimise(c, &s->a, &s->b, &s->iterations, err);
	if (rc == CLV_OK && (s->a > 1e6 || s->b > 1e6))
		rc = diag_set_file(err, CLV_ERR_INPUT, c->path, "the sBG fit runs off to a, b -> "
		                   "infinity: the cohort looks homogeneous (everyone keeps about %.4g "
		                   "of the time), which a fixed retention describes",
		                   s->b / (s->a + s->b));
	if (rc == CLV_OK)
		rc = polish(c, &s->a, &s->b, H, &s->iterations, err);
	if (rc == CLV_OK) {
		/* the observed information I = -H, and its inverse */
		det = H[0] * H[2] - H[1] * H[1];
		s->se_a = sqrt(-H[2] / det);
		s->se_b = sqrt(-H[0] / det);
		s->cov_ab = H[1] / det;
		s->loglik = fit_sbg_loglik(c->alive, c->n, s->a, s->b);
		s->periods = c->n;
		s->projected = 2 * (c->n - 1) > 10 ? 2 * (c->n - 1) + 1 : 11;
		rc = project(s, err);
	}
	if (rc != CLV_OK) {
		fit_sbg_free(s);
		return NULL;
	}
	return s;
}
