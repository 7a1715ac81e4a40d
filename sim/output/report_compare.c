/*
 * report_compare.c - stage output: the text and JSON reports of
 * `clvsim compare` (layout in report_compare.h). Method and definitions:
 * whatif.h, docs/whatif.md.
 */
#include "output/report_compare.h"

#include <math.h>
#include <string.h>

#include "output/report.h"
#include "output/report_decision.h"
#include "scenario/scenario.h"

const char *report_compare_state(const whatif_compare *c, size_t i)
{
	return i < c->n ? c->arm[0].s->states[i] : "total";
}

bool report_compare_has_offers(const whatif_compare *c)
{
	size_t k;

	for (k = 0; k < c->n_arms; k++)
		if (scenario_has_offers(c->arm[k].s))
			return true;
	return false;
}

/* ---- text ---------------------------------------------------------------- */

static int name_width(const whatif_compare *c)
{
	size_t i, w = report_compare_has_offers(c) ? 11 : 5; /* "offer spend" */

	for (i = 0; i < c->n; i++)
		if (strlen(c->arm[0].s->states[i]) > w)
			w = strlen(c->arm[0].s->states[i]);
	return w > 24 ? 24 : (int)w;
}

static void text_head(FILE *f, const whatif_compare *c)
{
	size_t k;

	fprintf(f, "Comparing %zu scenarios on %s\n", c->n_arms,
	        c->independent ? "independent streams (--independent)" : "common random numbers");
	fprintf(f, "seed %llu, %llu replications x %llu customers, the same for every scenario\n\n",
	        (unsigned long long)c->seed, (unsigned long long)c->replications,
	        (unsigned long long)c->customers);
	fprintf(f, "%3s  %-40s %14s %14s %10s\n", "#", "scenario", "exact total", "MC total", "SE");
	for (k = 0; k < c->n_arms; k++) {
		const whatif_arm *a = &c->arm[k];
		fprintf(f, "%3zu  %-40.40s %14.2f %14.2f %10.2f\n", k + 1, a->s->name,
		        a->exact[a->s->n], a->mean[a->s->n], a->se[a->s->n]);
		fprintf(f, "     %s\n", a->s->path);
	}
}

static void text_diffs(FILE *f, const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	int w = name_width(c);
	size_t i;

	fprintf(f, "\n[%zu] %s  minus  [1] %s\n", k + 1, a->s->name, c->arm[0].s->name);
	fprintf(f, "  %-*s %12s %12s %10s   %s\n", w, "state", "exact diff", "MC diff", "SE",
	        "90% interval");
	for (i = 0; i <= c->n; i++) {
		const whatif_diff *d = &a->diff[i];
		const char *name = report_compare_state(c, i);
		if (i == c->n && report_compare_has_offers(c)) /* a deduction, as in run */
			fprintf(f, "  %-*.*s %12.2f %12.2f %10.2f   [%.2f, %.2f]\n", w, w, "offer spend",
			        report_deduction(a->spend_diff.exact), report_deduction(a->spend_diff.mean), a->spend_diff.se,
			        report_deduction(a->spend_diff.hi90), report_deduction(a->spend_diff.lo90));
		if (isnan(d->exact)) {
			fprintf(f, "  %-*.*s %12s\n", w, w, name, "(no such state)");
			continue;
		}
		fprintf(f, "  %-*.*s %12.2f %12.2f %10.2f   [%.2f, %.2f]\n", w, w, name,
		        d->exact, d->mean, d->se, d->lo90, d->hi90);
	}
	fprintf(f, "  P(beats [1]) = %.3f  (share of replications whose average total CLV is higher)\n",
	        a->p_beats);
	if (a->spend > 0.0)
		fprintf(f, "  offer spend %.2f per customer (exact, discounted); return on spend %.3f "
		        "(90%%: %.3f to %.3f)\n", a->spend, a->ros, a->ros_lo90, a->ros_hi90);
	else if (a->s->n_offers > 0)
		fprintf(f, "  offers cost nothing here: no return on spend\n");
}

void report_compare_text(FILE *f, const whatif_compare *c)
{
	size_t k;

	text_head(f, c);
	for (k = 1; k < c->n_arms; k++)
		text_diffs(f, c, k);
	report_decision_text(f, c);
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *diff_json(const whatif_diff *d)
{
	json_t *o = json_object();

	json_object_set_new(o, "exact", report_json_number(d->exact));
	json_object_set_new(o, "mean", report_json_number(d->mean));
	json_object_set_new(o, "se", report_json_number(d->se));
	json_object_set_new(o, "lo90", report_json_number(d->lo90));
	json_object_set_new(o, "hi90", report_json_number(d->hi90));
	return o;
}

static json_t *arm_json(const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	json_t *o = json_object(), *mc = json_object(), *vs = json_object(), *ros = json_null();
	size_t i;

	json_object_set_new(o, "scenario", json_string(a->s->name));
	json_object_set_new(o, "file", json_string(a->s->path));
	json_object_set_new(o, "exact", report_json_by_name(a->s->states, a->s->n, a->exact, true));
	json_object_set_new(mc, "mean", report_json_by_name(a->s->states, a->s->n, a->mean, true));
	json_object_set_new(mc, "se", report_json_by_name(a->s->states, a->s->n, a->se, true));
	json_object_set_new(mc, "offer_spend", report_json_number(a->spend_mean));
	json_object_set_new(mc, "offer_spend_se", report_json_number(a->spend_se));
	json_object_set_new(o, "mc", mc);
	for (i = 0; i <= c->n && k > 0; i++)
		json_object_set_new(vs, report_compare_state(c, i), diff_json(&a->diff[i]));
	if (k > 0)
		json_object_set_new(vs, "offer_spend", diff_json(&a->spend_diff));
	if (k == 0) {
		json_decref(vs);
		vs = json_null();
	}
	json_object_set_new(o, "vs_first", vs);
	json_object_set_new(o, "p_beats_first", report_json_number(a->p_beats));
	json_object_set_new(o, "offer_spend", report_json_number(a->spend));
	if (isfinite(a->ros)) {
		ros = json_object();
		json_object_set_new(ros, "mean", report_json_number(a->ros));
		json_object_set_new(ros, "lo90", report_json_number(a->ros_lo90));
		json_object_set_new(ros, "hi90", report_json_number(a->ros_hi90));
	}
	json_object_set_new(o, "return_on_spend", ros);
	return o;
}

json_t *report_compare_json(const whatif_compare *c)
{
	json_t *doc = json_object(), *arms = json_array(), *states = json_array();
	size_t k;

	for (k = 0; k < c->n; k++)
		json_array_append_new(states, json_string(c->arm[0].s->states[k]));
	json_object_set_new(doc, "common_random_numbers", json_boolean(!c->independent));
	json_object_set_new(doc, "seed", json_integer((json_int_t)c->seed));
	json_object_set_new(doc, "replications", json_integer((json_int_t)c->replications));
	json_object_set_new(doc, "customers", json_integer((json_int_t)c->customers));
	json_object_set_new(doc, "states", states);
	for (k = 0; k < c->n_arms; k++)
		json_array_append_new(arms, arm_json(c, k));
	json_object_set_new(doc, "scenarios", arms);
	report_decision_json(doc, c);
	return doc;
}

static void write_text(FILE *f, const void *c)
{
	report_compare_text(f, c);
}

clv_status report_compare_print(const whatif_compare *c, bool json, clv_error *err)
{
	if (json)
		return report_json_print(report_compare_json(c), "compare", err);
	return report_text_print(write_text, c, err);
}
