/*
 * report_decision.c - stage output: the decision section of
 * `clvsim compare` as text and as JSON keys (report_decision.h).
 * Definitions: whatif/evpi.h, docs/whatif.md.
 */
#include "output/report_decision.h"

#include <math.h>

#include "output/report.h"

/* ---- text ---------------------------------------------------------------- */

static void text_worlds(FILE *f, const whatif_compare *c)
{
	const whatif_decision *d = c->decision;
	size_t k;

	fprintf(f, "\nDecision: which scenario to choose, over %zu possible worlds (the replications:\n"
	        "one draw of the uncertain assumptions each, the same in every scenario; a\n"
	        "scenario's value in a world is its expected total CLV given the draws, exact)\n",
	        d->reps);
	fprintf(f, "%3s  %-40s %14s %9s %7s\n", "#", "scenario", "mean total", "P(best)", "se");
	for (k = 0; k < d->n_arms; k++)
		fprintf(f, "%3zu  %-40.40s %14.2f %9.3f %7.3f\n", k + 1, c->arm[k].s->name, d->mean[k],
		        d->p_best[k], d->p_best_se[k]);
	fprintf(f, "  Best on average: [%zu]. EVPI = %.2f per customer (se %.2f)", d->best + 1,
	        d->evpi, d->evpi_se);
	if (c->customers_base > 0)
		fprintf(f, ", %.2f for %llu customers", d->evpi * (double)c->customers_base,
		        (unsigned long long)c->customers_base);
	fprintf(f, ":\n  what knowing every uncertain assumption exactly, before choosing, would be "
	        "worth\n");
}

static void text_evppi(FILE *f, const whatif_compare *c)
{
	const whatif_decision *d = c->decision;
	size_t j;

	if (!d->evppi_done) {
		fprintf(f, "  EVPPI not computed: %zu replications, it needs at least %d (advised %d)\n",
		        d->reps, EVPPI_MIN_REPLICATIONS, EVPPI_ADVISED_REPLICATIONS);
		return;
	}
	fprintf(f, "  EVPPI: what knowing one assumption exactly is worth, per customer\n");
	fprintf(f, "    %-36s %10s %14s  %s\n", "assumption", "EVPPI", "share of EVPI", "fit");
	for (j = 0; j < d->n_inputs; j++) {
		char share[32] = "-";
		if (d->evpi > 0.0)
			snprintf(share, sizeof share, "%.1f%%", 100.0 * d->evppi[j] / d->evpi);
		fprintf(f, "    %-36.36s %10.2f %14s  %zu %s\n", d->input[j], d->evppi[j], share,
		        d->basis[j], d->spline[j] ? "spline functions" : "values");
	}
	fprintf(f, "  (EVPPI by regression of each scenario's gain on the assumption, Strong, Oakley\n"
	        "   & Brennan 2014: a cubic regression spline sized by cross-validation, group\n"
	        "   means for an assumption of few values. Biased upward by the fit's noise where\n"
	        "   the scenarios are close: a small value is no evidence of value.\n   %s)\n",
	        d->reps >= EVPPI_ADVISED_REPLICATIONS ? "Enough replications for a stable estimate."
	                                              : "Rough: fewer than the 1000 replications "
	                                                "advised.");
}

void report_decision_text(FILE *f, const whatif_compare *c)
{
	if (c->decision == NULL) {
		fprintf(f, "\nDecision: P(best), EVPI and EVPPI need common random numbers (run without "
		        "--independent)\n");
		return;
	}
	text_worlds(f, c);
	if (c->n_inputs == 0) {
		fprintf(f, "  Nothing is drawn per replication: every world is the same, so information "
		        "is worth\n  nothing and the best scenario is best in every world.\n");
		return;
	}
	text_evppi(f, c);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *numbers(const double *v, size_t n)
{
	json_t *a = json_array();
	size_t k;

	for (k = 0; k < n; k++)
		json_array_append_new(a, report_json_number(v[k]));
	return a;
}

static json_t *decision_json(const whatif_compare *c)
{
	const whatif_decision *d = c->decision;
	json_t *o = json_object(), *basis = json_object();
	size_t j;

	json_object_set_new(o, "values", json_string("expected total CLV per customer of each "
	                    "scenario given each replication's draws (exact)"));
	json_object_set_new(o, "replications", json_integer((json_int_t)d->reps));
	json_object_set_new(o, "mean_total", numbers(d->mean, d->n_arms));
	json_object_set_new(o, "best", json_integer((json_int_t)d->best + 1));
	json_object_set_new(o, "evppi_method", json_string(whatif_evppi_method));
	for (j = 0; j < d->n_inputs; j++)
		json_object_set_new(basis, d->input[j], d->evppi_done ?
		                    json_integer((json_int_t)d->basis[j]) : json_null());
	json_object_set_new(o, "evppi_basis", basis);
	json_object_set_new(o, "evppi_advised_replications", json_integer(EVPPI_ADVISED_REPLICATIONS));
	return o;
}

void report_decision_json(json_t *doc, const whatif_compare *c)
{
	const whatif_decision *d = c->decision;
	json_t *evppi;
	size_t j;

	if (d == NULL) {
		const char *keys[] = {"p_best", "p_best_se", "evpi", "evpi_se", "customers_base",
		                      "evpi_base", "evppi", "decision"};
		for (j = 0; j < sizeof keys / sizeof keys[0]; j++)
			json_object_set_new(doc, keys[j], json_null());
		return;
	}
	json_object_set_new(doc, "p_best", numbers(d->p_best, d->n_arms));
	json_object_set_new(doc, "evpi", report_json_number(d->evpi));
	json_object_set_new(doc, "evpi_se", report_json_number(d->evpi_se));
	json_object_set_new(doc, "p_best_se", numbers(d->p_best_se, d->n_arms));
	json_object_set_new(doc, "customers_base", c->customers_base ?
	                    json_integer((json_int_t)c->customers_base) : json_null());
	json_object_set_new(doc, "evpi_base", c->customers_base ?
	                    report_json_number(d->evpi * (double)c->customers_base) : json_null());
	evppi = json_object();
	for (j = 0; j < d->n_inputs; j++)
		json_object_set_new(evppi, d->input[j], report_json_number(d->evppi[j]));
	json_object_set_new(doc, "evppi", evppi);
	json_object_set_new(doc, "decision", decision_json(c));
}
