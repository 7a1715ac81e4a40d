/*
 * fit_report_sbg.c - a survival (sBG) fit as JSON and as text (layout in
 * fit_report.h). Stage: output.
 */
#include "output/fit_report.h"

#include <math.h>

#include "output/report.h"

/* Observed survival and retention of period t (NaN beyond the data). */
static void observed(const fit_cohort *c, size_t t, double *alive, double *surv, double *ret)
{
	*alive = t < c->n ? c->alive[t] : (double)NAN;
	*surv = t < c->n ? c->alive[t] / c->alive[0] : (double)NAN;
	*ret = t >= 1 && t < c->n && c->alive[t - 1] > 0 ? c->alive[t] / c->alive[t - 1] : (double)NAN;
}

static json_t *projection_json(const fit_cohort *c, const fit_sbg *s)
{
	json_t *arr = json_array();
	size_t t;

	for (t = 0; t < s->projected; t++) {
		json_t *e = json_object();
		double alive, surv, ret;
		observed(c, t, &alive, &surv, &ret);
		json_object_set_new(e, "period", json_integer((json_int_t)t));
		json_object_set_new(e, "alive", isnan(alive) ? json_null() : json_integer((json_int_t)alive));
		json_object_set_new(e, "survival_observed", report_json_number(surv));
		json_object_set_new(e, "survival", report_json_number(s->survival[t]));
		json_object_set_new(e, "expected_alive", report_json_number(c->alive[0] * s->survival[t]));
		json_object_set_new(e, "retention_observed", report_json_number(ret));
		json_object_set_new(e, "retention", report_json_number(s->retention[t]));
		json_array_append_new(arr, e);
	}
	return arr;
}

json_t *fit_report_sbg_json(const fit_cohort *c, const fit_sbg *s, const char *unit)
{
	json_t *doc = json_object(), *fit = json_object(), *sbg = json_object(), *rb = json_object();

	json_object_set_new(fit, "file", fit_json_text(c->path));
	json_object_set_new(fit, "sha256", json_string(c->sha256));
	json_object_set_new(fit, "period", json_string(unit));
	json_object_set_new(fit, "cohort", json_integer((json_int_t)c->alive[0]));
	json_object_set_new(fit, "periods", json_integer((json_int_t)c->n));
	json_object_set_new(sbg, "a", report_json_number(s->a));
	json_object_set_new(sbg, "b", report_json_number(s->b));
	json_object_set_new(sbg, "se_a", report_json_number(s->se_a));
	json_object_set_new(sbg, "se_b", report_json_number(s->se_b));
	json_object_set_new(sbg, "cov_ab", report_json_number(s->cov_ab));
	json_object_set_new(sbg, "iterations", json_integer(s->iterations));
	json_object_set_new(rb, "a", report_json_number(s->b));
	json_object_set_new(rb, "b", report_json_number(s->a));
	json_object_set_new(sbg, "retention_beta", rb);
	json_object_set_new(fit, "sbg", sbg);
	json_object_set_new(fit, "loglik", report_json_number(s->loglik));
	json_object_set_new(fit, "projection", projection_json(c, s));
	json_object_set_new(doc, "fit", fit);
	return doc;
}

void fit_report_sbg_text(FILE *f, const fit_cohort *c, const fit_sbg *s, const char *unit)
{
	size_t t;

	fprintf(f, "Survival fit of %s (sha256 %.16s...)\n", c->path, c->sha256);
	fprintf(f, "  a cohort of %.0f, %zu %ss (0 to %zu): %.0f alive at the end\n", c->alive[0],
	        c->n, unit, c->n - 1, c->alive[c->n - 1]);
	fprintf(f, "\nShifted-beta-geometric model: each customer's churn probability ~ Beta(a, b)\n");
	fprintf(f, "  a = %.6g (se %.3g)   b = %.6g (se %.3g)   correlation %.3f\n", s->a, s->se_a,
	        s->b, s->se_b, s->cov_ab / (s->se_a * s->se_b));
	fprintf(f, "  so retention ~ Beta(%.6g, %.6g): mean %.4f in the first %s, rising as the "
	        "least loyal leave\n", s->b, s->a, s->b / (s->a + s->b), unit);
	fprintf(f, "  log-likelihood %.4f (maximum likelihood, %d steps; standard errors from the "
	        "observed information)\n", s->loglik, s->iterations);
	fprintf(f, "\n%8s %10s %10s %10s %12s %10s %10s\n", unit, "alive", "survival", "fitted",
	        "expected", "retention", "fitted");
	for (t = 0; t < s->projected; t++) {
		double alive, surv, ret;
		observed(c, t, &alive, &surv, &ret);
		fprintf(f, "%8zu", t);
		if (t < c->n)
			fprintf(f, " %10.0f %10.4f", alive, surv);
		else
			fprintf(f, " %10s %10s", "", "");
		fprintf(f, " %10.4f %12.1f", s->survival[t], c->alive[0] * s->survival[t]);
		if (isnan(ret))
			fprintf(f, " %10s", "");
		else
			fprintf(f, " %10.4f", ret);
		if (t == 0)
			fprintf(f, " %10s\n", "");
		else
			fprintf(f, " %10.4f\n", s->retention[t]);
	}
	fprintf(f, "(%ss %zu on are projected)\n", unit, c->n);
}
