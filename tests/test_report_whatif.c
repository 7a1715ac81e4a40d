/*
 * test_report_whatif.c - the reports of the what-ifs
 * (output/report_compare.c, report_sweep.c, report_tornado.c): every key
 * of the compare, sweep and tornado JSON documents, and every value
 * against the field of the what-if result it is built from (NaN as
 * null); the opening and the sections of the text reports (their bytes
 * are pinned by the CLI's golden outputs).
 *
 * Fixtures: whatif_fixture.h (shipped scenarios, fixed seed, few
 * customers; the suite takes well under a second).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "output/report_compare.h"
#include "output/report_sweep.h"
#include "output/report_tornado.h"
#include "whatif_fixture.h"

/* ---- helpers: JSON --------------------------------------------------------- */

/* o is an object with exactly these keys. */
static void assert_keys(const json_t *o, const char *const *keys, size_t n)
{
	size_t k;

	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), n);
	for (k = 0; k < n; k++)
		if (json_object_get(o, keys[k]) == NULL)
			fail_msg("key \"%s\" missing", keys[k]);
}

#define ASSERT_KEYS(o, ...) \
	do { \
		static const char *const keys_[] = {__VA_ARGS__}; \
		assert_keys((o), keys_, sizeof keys_ / sizeof keys_[0]); \
	} while (0)

/* A JSON number holds v exactly; null for NaN or infinity. */
static void assert_json_number(const json_t *o, double v)
{
	assert_non_null(o);
	if (!isfinite(v)) {
		assert_true(json_is_null(o));
		return;
	}
	assert_true(json_is_real(o));
	assert_true(json_real_value(o) == v);
}

static void assert_json_string(const json_t *o, const char *s)
{
	assert_true(json_is_string(o));
	assert_string_equal(json_string_value(o), s);
}

static void assert_json_int(const json_t *o, uint64_t v)
{
	assert_true(json_is_integer(o));
	assert_true(json_integer_value(o) == (json_int_t)v);
}

/* {names..., "total"} holds v[0..n]. */
static void assert_json_by_name(const json_t *o, char *const *names, size_t n, const double *v)
{
	size_t i;

	assert_true(json_is_object(o));
	assert_int_equal(json_object_size(o), n + 1);
	for (i = 0; i < n; i++)
		assert_json_number(json_object_get(o, names[i]), v[i]);
	assert_json_number(json_object_get(o, "total"), v[n]);
}

static void assert_json_names(const json_t *a, char *const *names, size_t n)
{
	size_t i;

	assert_true(json_is_array(a));
	assert_int_equal(json_array_size(a), n);
	for (i = 0; i < n; i++)
		assert_json_string(json_array_get(a, i), names[i]);
}

/* ---- helpers: text ----------------------------------------------------------- */

static void assert_prefix(const char *text, const char *prefix)
{
	if (strncmp(text, prefix, strlen(prefix)) != 0)
		fail_msg("text does not begin with \"%s\":\n%s", prefix, text);
}

/* The text report of write(f, data) (malloc'd). */
static char *text_of(void (*write)(FILE *f, const void *data), const void *data)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	write(f, data);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- compare ---------------------------------------------------------------- */

static void assert_compare_arm(const json_t *o, const whatif_compare *c, size_t k)
{
	const whatif_arm *a = &c->arm[k];
	const json_t *vs = json_object_get(o, "vs_first"), *ros;
	size_t i;

	ASSERT_KEYS(o, "scenario", "file", "exact", "mc", "vs_first", "p_beats_first", "offer_spend",
	            "return_on_spend");
	assert_json_string(json_object_get(o, "scenario"), a->s->name);
	assert_json_string(json_object_get(o, "file"), a->s->path);
	assert_json_by_name(json_object_get(o, "exact"), a->s->states, a->s->n, a->exact);
	ASSERT_KEYS(json_object_get(o, "mc"), "mean", "se", "offer_spend", "offer_spend_se");
	assert_json_number(json_object_get(json_object_get(o, "mc"), "offer_spend"), a->spend_mean);
	assert_json_by_name(json_object_get(json_object_get(o, "mc"), "mean"), a->s->states, a->s->n,
	                    a->mean);
	assert_json_by_name(json_object_get(json_object_get(o, "mc"), "se"), a->s->states, a->s->n,
	                    a->se);
	assert_json_number(json_object_get(o, "p_beats_first"), a->p_beats);
	assert_json_number(json_object_get(o, "offer_spend"), a->spend);
	if (k == 0)
		assert_true(json_is_null(vs));
	else {
		const json_t *d = json_object_get(vs, "offer_spend"); /* beside the states */
		ASSERT_KEYS(d, "exact", "mean", "se", "lo90", "hi90");
		assert_json_number(json_object_get(d, "exact"), a->spend_diff.exact);
		assert_json_number(json_object_get(d, "mean"), a->spend_diff.mean);
		assert_int_equal(json_object_size(vs), c->n + 2);
		for (i = 0; i <= c->n; i++) {
			d = json_object_get(vs, report_compare_state(c, i));
			ASSERT_KEYS(d, "exact", "mean", "se", "lo90", "hi90");
			assert_json_number(json_object_get(d, "exact"), a->diff[i].exact);
			assert_json_number(json_object_get(d, "mean"), a->diff[i].mean);
			assert_json_number(json_object_get(d, "se"), a->diff[i].se);
			assert_json_number(json_object_get(d, "lo90"), a->diff[i].lo90);
			assert_json_number(json_object_get(d, "hi90"), a->diff[i].hi90);
		}
	}
	ros = json_object_get(o, "return_on_spend");
	if (!isfinite(a->ros)) {
		assert_true(json_is_null(ros));
		return;
	}
	ASSERT_KEYS(ros, "mean", "lo90", "hi90");
	assert_json_number(json_object_get(ros, "mean"), a->ros);
	assert_json_number(json_object_get(ros, "lo90"), a->ros_lo90);
	assert_json_number(json_object_get(ros, "hi90"), a->ros_hi90);
}

static void assert_compare_doc(const whatif_compare *c)
{
	json_t *doc = report_compare_json(c), *arms;
	size_t k;

	ASSERT_KEYS(doc, "common_random_numbers", "seed", "replications", "customers", "states",
	            "scenarios", "p_best", "p_best_se", "evpi", "evpi_se", "customers_base", "evpi_base", "evppi", "decision");
	assert_non_null(c->decision);
	assert_int_equal(json_array_size(json_object_get(doc, "p_best")), c->n_arms);
	for (k = 0; k < c->n_arms; k++)
		assert_json_number(json_array_get(json_object_get(doc, "p_best"), k),
		                   c->decision->p_best[k]);
	assert_json_number(json_object_get(doc, "evpi"), c->decision->evpi);
	assert_true(json_is_null(json_object_get(doc, "customers_base")));
	assert_int_equal(json_object_size(json_object_get(doc, "evppi")), c->n_inputs);
	assert_true(json_is_true(json_object_get(doc, "common_random_numbers")));
	assert_json_int(json_object_get(doc, "seed"), c->seed);
	assert_json_int(json_object_get(doc, "replications"), c->replications);
	assert_json_int(json_object_get(doc, "customers"), c->customers);
	assert_json_names(json_object_get(doc, "states"), c->arm[0].s->states, c->n);
	arms = json_object_get(doc, "scenarios");
	assert_int_equal(json_array_size(arms), c->n_arms);
	for (k = 0; k < c->n_arms; k++)
		assert_compare_arm(json_array_get(arms, k), c, k);
	json_decref(doc);
}

static void test_compare_json(void **state)
{
	assert_int_equal(fx.cmp->seed, 7);
	assert_int_equal(fx.cmp->n_arms, 3);
	assert_true(fx.cmp->arm[1].spend > 0 && isfinite(fx.cmp->arm[1].ros)); /* an offer */
	assert_false(isfinite(fx.cmp->arm[2].ros));                            /* none */
	assert_compare_doc(fx.cmp);
}

static void test_compare_json_no_common_state(void **state)
{
	json_t *doc = report_compare_json(fx.apart);
	json_t *vs = json_object_get(json_array_get(json_object_get(doc, "scenarios"), 1), "vs_first");

	assert_true(isnan(fx.apart->arm[1].diff[0].exact));
	assert_true(json_is_null(json_object_get(json_object_get(vs, "A"), "exact")));
	assert_json_number(json_object_get(json_object_get(vs, "total"), "exact"),
	                   fx.apart->arm[1].diff[fx.apart->n].exact);
	json_decref(doc);
	assert_compare_doc(fx.apart);
}

static void compare_text(FILE *f, const void *c)
{
	report_compare_text(f, c);
}

static void test_compare_text(void **state)
{
	char *text = text_of(compare_text, fx.cmp), *apart = text_of(compare_text, fx.apart);

	assert_prefix(text, "Comparing 3 scenarios on common random numbers\n"
	                    "seed 7, 6 replications x 300 customers, the same for every scenario\n");
	assert_non_null(strstr(text, "\n[2] Brand A's loyalty programme  minus  [1] Brand A's view"));
	assert_non_null(strstr(text, "return on spend"));
	assert_non_null(strstr(apart, "  A     (no such state)\n"));
	free(text);
	free(apart);
}

/* ---- sweep ------------------------------------------------------------------ */

static void assert_sweep_doc(const whatif_sweep *w, const clv_scenario *s)
{
	json_t *doc = report_sweep_json(w, s), *axes, *points;
	size_t a, p;

	ASSERT_KEYS(doc, "scenario", "file", "states", "method", "seed", "replications", "customers",
	            "axes", "points");
	assert_json_string(json_object_get(doc, "method"), whatif_sweep_method_name(w->method));
	assert_json_string(json_object_get(doc, "scenario"), s->name);
	assert_json_string(json_object_get(doc, "file"), s->path);
	assert_json_names(json_object_get(doc, "states"), w->states, w->n);
	assert_json_int(json_object_get(doc, "seed"), w->seed);
	assert_json_int(json_object_get(doc, "replications"), w->replications);
	assert_json_int(json_object_get(doc, "customers"), w->customers);
	axes = json_object_get(doc, "axes");
	assert_int_equal(json_array_size(axes), w->n_axes);
	for (a = 0; a < w->n_axes; a++) {
		const json_t *o = json_array_get(axes, a);
		ASSERT_KEYS(o, "key", "from", "to", "step", "count", "rule");
		assert_json_string(json_object_get(o, "key"), w->axis[a].key);
		assert_json_number(json_object_get(o, "from"), w->axis[a].from);
		assert_json_number(json_object_get(o, "to"), w->axis[a].to);
		assert_json_number(json_object_get(o, "step"), w->axis[a].step);
		assert_json_int(json_object_get(o, "count"), w->axis[a].count);
		assert_true(json_is_null(json_object_get(o, "rule")) == (w->rule[a] == NULL));
	}
	points = json_object_get(doc, "points");
	assert_int_equal(json_array_size(points), w->n_points);
	for (p = 0; p < w->n_points; p++) {
		const json_t *o = json_array_get(points, p), *x = json_object_get(o, "x");
		const json_t *mc = json_object_get(o, "mc");
		size_t cell0 = p * (w->n + 1);
		ASSERT_KEYS(o, "x", "exact", "mc");
		assert_int_equal(json_array_size(x), w->n_axes);
		for (a = 0; a < w->n_axes; a++)
			assert_json_number(json_array_get(x, a), w->x[p * w->n_axes + a]);
		assert_json_by_name(json_object_get(o, "exact"), w->states, w->n, w->exact + cell0);
		ASSERT_KEYS(mc, "mean", "se");
		assert_json_by_name(json_object_get(mc, "mean"), w->states, w->n, w->mean + cell0);
		assert_json_by_name(json_object_get(mc, "se"), w->states, w->n, w->se + cell0);
	}
	json_decref(doc);
}

static void test_sweep_json(void **state)
{
	assert_int_equal(fx.line->n_points, 3);
	assert_int_equal(fx.grid->n_points, 9);
	assert_sweep_doc(fx.line, fx.book);
	assert_sweep_doc(fx.grid, fx.book);
}

typedef struct sweep_text_case {
	const whatif_sweep *w;
	const clv_scenario *s;
} sweep_text_case;

static void sweep_text(FILE *f, const void *data)
{
	const sweep_text_case *c = data;

	report_sweep_text(f, c->w, c->s);
}

static void test_sweep_text(void **state)
{
	const sweep_text_case c = {fx.grid, fx.book};
	char *text = text_of(sweep_text, &c);

	assert_prefix(text, "Sweep of \"Textbook example\" "
	                    "(scenarios/textbook.yaml): 9 grid points\n");
	assert_non_null(strstr(text, "  discount_rate from 0.05 to 0.15 step 0.05 (3 values)\n"));
	assert_non_null(strstr(text, "  margin.A from 400 to 600 step 100 (3 values)\n"));
	free(text);
}

/* ---- tornado ----------------------------------------------------------------- */

static void assert_tornado_input(const json_t *o, const whatif_tornado *t, size_t i)
{
	const whatif_input *in = &t->input[i];
	const json_t *clv = json_object_get(o, "clv"), *swing = json_object_get(o, "swing");
	size_t k;
	int q;

	ASSERT_KEYS(o, "assumption", "distribution", "mean", "percentiles", "values", "clv", "swing");
	assert_json_string(json_object_get(o, "assumption"), in->label);
	assert_json_string(json_object_get(o, "distribution"), in->dist);
	assert_json_number(json_object_get(o, "mean"), in->mean);
	assert_int_equal(json_array_size(json_object_get(o, "percentiles")), WHATIF_SPIDER);
	assert_int_equal(json_array_size(json_object_get(o, "values")), WHATIF_SPIDER);
	for (q = 0; q < WHATIF_SPIDER; q++) {
		assert_json_int(json_array_get(json_object_get(o, "percentiles"), (size_t)q),
		                (uint64_t)(q + 1) * 10);
		assert_json_number(json_array_get(json_object_get(o, "values"), (size_t)q), in->value[q]);
	}
	assert_int_equal(json_object_size(clv), t->n + 1);
	assert_int_equal(json_object_size(swing), t->n + 1);
	for (k = 0; k <= t->n; k++) {
		const json_t *row = json_object_get(clv, report_tornado_state(t, k));
		assert_int_equal(json_array_size(row), WHATIF_SPIDER);
		for (q = 0; q < WHATIF_SPIDER; q++)
			assert_json_number(json_array_get(row, (size_t)q), report_tornado_clv(t, i, q, k));
		assert_json_number(json_object_get(swing, report_tornado_state(t, k)),
		                   whatif_swing(t, i, k));
	}
}

static void assert_tornado_doc(const report_tornado_view *v)
{
	const whatif_tornado *t = v->t;
	json_t *doc = report_tornado_json(v), *inputs, *el;
	size_t k, i;

	ASSERT_KEYS(doc, "scenario", "file", "engine", "seed", "replications", "customers", "state",
	            "base", "inputs", "elasticities");
	assert_json_string(json_object_get(doc, "scenario"), v->s->name);
	assert_json_string(json_object_get(doc, "file"), v->s->path);
	assert_json_string(json_object_get(doc, "engine"), "exact");
	assert_json_int(json_object_get(doc, "seed"), t->seed);
	assert_json_int(json_object_get(doc, "replications"), t->replications);
	assert_json_int(json_object_get(doc, "customers"), t->customers);
	if (v->state < t->n)
		assert_json_string(json_object_get(doc, "state"), t->states[v->state]);
	else
		assert_true(json_is_null(json_object_get(doc, "state")));
	assert_json_by_name(json_object_get(doc, "base"), t->states, t->n, t->base);
	inputs = json_object_get(doc, "inputs");
	assert_int_equal(json_array_size(inputs), t->n_inputs);
	for (k = 0; k < t->n_inputs; k++)
		assert_tornado_input(json_array_get(inputs, k), t, k);
	el = json_object_get(doc, "elasticities");
	assert_int_equal(json_array_size(el), t->n_elast);
	for (k = 0; k < t->n_elast; k++) {
		const json_t *o = json_array_get(el, k);
		const whatif_elasticity *e = &t->elast[k];
		ASSERT_KEYS(o, "input", "base", "elasticity", "skipped");
		assert_json_string(json_object_get(o, "input"), e->input);
		assert_json_number(json_object_get(o, "base"), e->base);
		double *shown = malloc((t->n + 1) * sizeof *shown);
		assert_non_null(shown);
		for (i = 0; i <= t->n; i++) {
			shown[i] = report_tornado_elasticity(t, k, i);
			/* only a difference within rounding of the CLVs is shown as 0 */
			assert_true(isnan(e->e[i]) ? isnan(shown[i])
			            : shown[i] == e->e[i] || (shown[i] == 0.0 && fabs(e->e[i]) < 1e-11));
		}
		assert_json_by_name(json_object_get(o, "elasticity"), t->states, t->n, shown);
		free(shown);
		if (e->skipped != NULL)
			assert_json_string(json_object_get(o, "skipped"), e->skipped);
		else
			assert_true(json_is_null(json_object_get(o, "skipped")));
	}
	json_decref(doc);
}

static void test_tornado_json(void **state)
{
	report_tornado_view v = view_of(fx.tor, fx.unc, scenario_state_index(fx.unc, "Ours"));
	report_tornado_view flat = view_of(fx.flat, fx.book, fx.flat->n);

	assert_true(fx.tor->n_inputs >= 2);
	assert_int_equal(fx.flat->n_inputs, 0);
	assert_true(fx.flat->n_elast > 0);
	assert_tornado_doc(&v);
	assert_tornado_doc(&flat);
	report_tornado_view_clear(&v);
	report_tornado_view_clear(&flat);
}

static void tornado_text(FILE *f, const void *v)
{
	report_tornado_text(f, v);
}

static void test_tornado_text(void **state)
{
	report_tornado_view v = view_of(fx.tor, fx.unc, scenario_state_index(fx.unc, "Ours"));
	report_tornado_view flat = view_of(fx.flat, fx.book, fx.flat->n);
	char *text = text_of(tornado_text, &v), *none = text_of(tornado_text, &flat);

	assert_prefix(text, "Tornado of \"Uncertain retention, monthly periods\" "
	                    "(scenarios/uncertain_retention.yaml)\n");
	assert_non_null(strstr(text, "\nSwing in total CLV: "));
	assert_non_null(strstr(text, "\nSwing in the CLV of Ours: "));
	assert_non_null(strstr(text, "\nSpider: total CLV"));
	assert_non_null(strstr(none, "  (no uncertain assumption in this scenario)\n"));
	assert_null(strstr(none, "Spider"));
	assert_non_null(strstr(none, "\nElasticities (exact engine at the assumptions' means)"));
	free(text);
	free(none);
	report_tornado_view_clear(&v);
	report_tornado_view_clear(&flat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compare_json),
		cmocka_unit_test(test_compare_json_no_common_state),
		cmocka_unit_test(test_compare_text),
		cmocka_unit_test(test_sweep_json),
		cmocka_unit_test(test_sweep_text),
		cmocka_unit_test(test_tornado_json),
		cmocka_unit_test(test_tornado_text),
	};

	return cmocka_run_group_tests(tests, whatif_fixture_setup, whatif_fixture_teardown);
}
