/*
 * test_evpi.c - decisions under uncertainty (whatif/evpi.h, compare's
 * decision): P(best) and EVPI against their definitions on hand-made
 * tables (ties shared), EVPPI of the only driving input equal to EVPI and
 * of an irrelevant one near 0, a nonlinear input against its closed form;
 * through `compare`: a two-scenario case whose EVPI has a closed form
 * (within 5 standard errors), the drawn inputs shared by the scenarios,
 * compare_replications.csv giving back p_best and evpi, and no decision
 * on independent streams.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <gsl/gsl_rng.h>

#include "output/csv.h"
#include "scenario/scenario.h"
#include "whatif/evpi.h"
#include "whatif/whatif.h"
#include "test_helpers.h"

static void decide_table(const double *v, size_t reps, size_t K, const double *x, size_t J,
                         char *const *names, whatif_decision *d)
{
	clv_error err = {0};

	if (whatif_decision_compute(v, reps, K, x, J, names, d, &err) != CLV_OK)
		fprintf(stderr, "%s\n", err.msg);
	assert_int_equal(err.status, CLV_OK);
}

/* Four worlds, two scenarios: p_best 1/2 each, EVPI = 30 - 25 = 5. */
static void hand_table(void **state)
{
	const double v[] = {10, 25, 20, 15, 30, 35, 40, 20};
	whatif_decision d;

	decide_table(v, 4, 2, NULL, 0, NULL, &d);
	assert_true(d.mean[0] == 25.0 && d.mean[1] == 23.75);
	assert_true(d.p_best[0] == 0.5 && d.p_best[1] == 0.5);
	assert_int_equal(d.best, 0);
	assert_true(fabs(d.evpi - 5.0) < 1e-12);
	assert_false(d.evppi_done); /* 4 replications: too few */
	whatif_decision_clear(&d);
}

/* A tie shares its world; EVPI 0 when one scenario is never worse. */
static void ties_share_the_world(void **state)
{
	const double v[] = {1, 1, 2, 3, 5, 5};
	whatif_decision d;

	decide_table(v, 3, 2, NULL, 0, NULL, &d);
	assert_true(fabs(d.p_best[0] - 1.0 / 3.0) < 1e-15);
	assert_true(fabs(d.p_best[1] - 2.0 / 3.0) < 1e-15);
	assert_int_equal(d.best, 1);
	assert_true(fabs(d.evpi) < 1e-12);
	whatif_decision_clear(&d);
}

#define R_SYN 2000

/* Synthetic worlds: x1, x2 uniform; scenario 2 minus 1 = gain(x1, x2). */
static void synthetic(double (*gain)(double, double), double *v, double *x)
{
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
	size_t r;

	gsl_rng_set(rng, 2024);
	for (r = 0; r < R_SYN; r++) {
		x[2 * r] = gsl_rng_uniform(rng);
		x[2 * r + 1] = gsl_rng_uniform(rng);
		v[2 * r] = 100.0 + 10.0 * x[2 * r + 1]; /* the same in both: no effect */
		v[2 * r + 1] = v[2 * r] + gain(x[2 * r], x[2 * r + 1]);
	}
	gsl_rng_free(rng);
}

static double linear_gain(double x1, double x2)
{
	(void)x2;
	return x1 - 0.5;
}

static double wavy_gain(double x1, double x2)
{
	return 0.3 * sin(2.0 * M_PI * x1) + 0.1 * (x2 - 0.5);
}

/* Only x1 drives the decision: EVPPI(x1) = EVPI (the gain is in the
   spline space), EVPPI(x2) near 0. */
static void driving_and_irrelevant_inputs(void **state)
{
	static double v[2 * R_SYN], x[2 * R_SYN];
	char n1[] = "x1", n2[] = "x2", *names[] = {n1, n2};
	whatif_decision d;
	double want = 0.0;
	size_t r;

	synthetic(linear_gain, v, x);
	decide_table(v, R_SYN, 2, x, 2, names, &d);
	for (r = 0; r < R_SYN; r++)
		want += fmax(v[2 * r], v[2 * r + 1]) / R_SYN;
	want -= fmax(d.mean[0], d.mean[1]);
	assert_true(fabs(d.evpi - want) < 1e-9);
	assert_true(d.evpi > 0.1); /* about 1/8 */
	assert_true(d.evppi_done);
	assert_true(fabs(d.evppi[0] - d.evpi) < 1e-6 * d.evpi);
	assert_true(d.evppi[1] >= 0.0 && d.evppi[1] < 0.1 * d.evpi);
	assert_true(d.spline[0] && d.spline[1]);
	whatif_decision_clear(&d);
}

/* A nonlinear input against its closed form: E[max(0, 0.3 sin 2 pi x1)]
   = 0.3 / pi; x2's EVPPI = E[max(0, 0.1 (x2 - 1/2))] = 0.0125. */
static void nonlinear_input(void **state)
{
	static double v[2 * R_SYN], x[2 * R_SYN];
	char n1[] = "x1", n2[] = "x2", *names[] = {n1, n2};
	whatif_decision d;

	synthetic(wavy_gain, v, x);
	decide_table(v, R_SYN, 2, x, 2, names, &d);
	assert_true(fabs(d.evppi[0] - 0.3 / M_PI) < 0.01);
	assert_true(d.basis[0] > 4); /* a cubic cannot follow a full sine */
	assert_true(fabs(d.evppi[1] - 0.0125) < 0.006);
	assert_true(d.evppi[0] <= d.evpi + 1e-9 && d.evppi[1] <= d.evpi + 1e-9);
	whatif_decision_clear(&d);
}

/* An input of few values: group means, exact conditional expectations. */
static void discrete_input(void **state)
{
	const double v[] = {0, -1, 0, 3, 0, -1, 0, 3, 0, 1, 0, 1};
	const double x[] = {1, 2, 1, 2, 3, 3};
	double e;
	size_t basis;
	bool spline;
	clv_error err = {0};

	/* x = 1: gain -1 (choose 1: 0); x = 2: gain 3; x = 3: gain 1 */
	assert_int_equal(whatif_evppi(v, 6, 2, x, 1, &e, &basis, &spline, &err), CLV_OK);
	assert_int_equal(basis, 3);
	assert_false(spline);
	assert_true(fabs(e - ((0 + 3 + 0 + 3 + 1 + 1) / 6.0 - 1.0)) < 1e-12);
}

/* ---- through compare ----------------------------------------------------- */

#define BASE_YAML "name: \"Uncertain margin\"\n" \
	"states: [A, B]\ninitial: [1, 0]\nswitching:\n  A: [0.8, 0.2]\n  B: [0.3, 0.7]\n" \
	"horizon: 3\ndiscount_rate: 0.1\n" \
	"margin: {A: {dist: uniform, min: 400, max: 600}, B: 0}\n" \
	"acquisition_cost: {dist: uniform, min: 0, max: 50}\n" \
	"customers: 20\nreplications: 1000\nseed: 5\n"
#define FIXED_YAML "base: base.yaml\nname: \"Fixed margin\"\nmargin: {A: 520, B: 0}\n"

typedef struct pair {
	char *dir;
	char base[512], fixed[512];
	clv_scenario *s[2];
} pair;

static void pair_load(pair *p)
{
	p->dir = th_tmpdir("evpi");
	th_write_file(th_path(p->base, sizeof p->base, p->dir, "base.yaml"), BASE_YAML);
	th_write_file(th_path(p->fixed, sizeof p->fixed, p->dir, "fixed.yaml"), FIXED_YAML);
	p->s[0] = th_load(p->base);
	p->s[1] = th_load(p->fixed);
}

static void pair_free(pair *p)
{
	scenario_free(p->s[0]);
	scenario_free(p->s[1]);
	th_tmpdir_remove(p->dir);
}

static whatif_compare *compare_of(pair *p, bool independent)
{
	whatif_settings set;
	clv_error err = {0};
	whatif_compare *c;

	memset(&set, 0, sizeof set);
	c = whatif_compare_run((const clv_scenario *const *)p->s, 2, &set, independent, &err);
	if (c == NULL)
		fprintf(stderr, "%s\n", err.msg);
	assert_non_null(c);
	return c;
}

/* CLV is c m - acquisition in the first scenario and c 520 - acquisition
   in the second: EVPI = c E[max(0, 520 - m)] - c max(0, 520 - 500) = 16 c
   for m ~ uniform(400, 600); only the margin matters. */
static void two_scenario_closed_form(void **state)
{
	pair p;
	whatif_compare *c;
	const whatif_decision *d;
	size_t R, r, jm = 0, ja = 0, j;
	double cpm, sum = 0.0, sum2 = 0.0, se;

	pair_load(&p);
	c = compare_of(&p, false);
	d = c->decision;
	R = (size_t)c->replications;
	assert_non_null(d);
	assert_int_equal(c->n_inputs, 2);
	for (j = 0; j < 2; j++) {
		if (strcmp(c->input_name[j], "margin.A") == 0)
			jm = j;
		if (strcmp(c->input_name[j], "acquisition_cost") == 0)
			ja = j;
	}
	assert_true(jm != ja);
	/* the world's value: c m - acquisition, so c from any world */
	cpm = (c->arm[1].rep_exact[2] + c->rep_input[ja]) / 520.0;
	for (r = 0; r < R; r++) {
		double m = c->rep_input[r * 2 + jm], a = c->rep_input[r * 2 + ja];
		double t0 = c->arm[0].rep_exact[r * 3 + 2], t1 = c->arm[1].rep_exact[r * 3 + 2];
		double dmax;
		assert_true(fabs(t0 - (cpm * m - a)) < 1e-9 * t0);
		assert_true(fabs(t1 - (cpm * 520.0 - a)) < 1e-9 * t1);
		dmax = fmax(t0, t1) - t1; /* the gain of knowing over choosing [2] */
		sum += dmax;
		sum2 += dmax * dmax;
	}
	se = sqrt((sum2 - sum * sum / R) / (R - 1) / R);
	assert_int_equal(d->best, 1);
	assert_true(fabs(d->evpi - 16.0 * cpm) < 5.0 * se);
	assert_true(fabs(d->evpi_se - se) < 1e-9 * se); /* the regret of choosing [2] */
	assert_true(fabs(d->p_best_se[0] - sqrt(d->p_best[0] * (1 - d->p_best[0]) / R)) < 1e-15);
	assert_true(fabs(d->p_best[0] - 0.4) < 5.0 * sqrt(0.24 / R));
	assert_true(fabs(d->evppi[jm] - d->evpi) < 0.02 * d->evpi);
	assert_true(d->evppi[ja] < 0.05 * d->evpi);
	whatif_compare_free(c);
	c = compare_of(&p, true);
	assert_null(c->decision);
	assert_null(c->arm[0].rep_exact);
	whatif_compare_free(c);
	pair_free(&p);
}

/* Read compare_replications.csv: p_best and evpi recomputed from it equal
   the JSON's; the columns are named as the issue names them. */
static void replications_table_gives_the_figures(void **state)
{
	pair p;
	th_child ch;
	json_t *doc;
	char out[600], path[700];
	FILE *f;
	csv_reader *rd;
	bool got;
	clv_error err = {0};
	double sum_max = 0.0, mean[2] = {0, 0}, best[2] = {0, 0}, evpi, R = 0;
	size_t k;

	pair_load(&p);
	th_path(out, sizeof out, p.dir, "out");
	TH_RUN(&ch, "compare", p.base, p.fixed, "--out", out, "--plot", "none", "--format", "json",
	       "--quiet", "--customers-base", "1000");
	th_expect_exit(&ch, 0);
	doc = th_json_of(&ch);
	f = fopen(th_path(path, sizeof path, out, "compare_replications.csv"), "r");
	assert_non_null(f);
	rd = csv_reader_create(f, "compare_replications.csv", &err);
	assert_int_equal(csv_reader_next(rd, &got, &err), CLV_OK);
	assert_int_equal(csv_reader_count(rd), 5);
	assert_string_equal(csv_reader_field(rd, 0), "replication");
	assert_string_equal(csv_reader_field(rd, 1), "total_1");
	assert_string_equal(csv_reader_field(rd, 2), "total_2");
	while (csv_reader_next(rd, &got, &err) == CLV_OK && got) {
		double t[2] = {atof(csv_reader_field(rd, 1)), atof(csv_reader_field(rd, 2))};
		R++;
		sum_max += fmax(t[0], t[1]);
		for (k = 0; k < 2; k++) {
			mean[k] += t[k];
			best[k] += t[k] == fmax(t[0], t[1]) ? (t[0] == t[1] ? 0.5 : 1.0) : 0.0;
		}
	}
	csv_reader_free(rd);
	fclose(f);
	assert_true(R == 1000);
	evpi = sum_max / R - fmax(mean[0], mean[1]) / R;
	assert_true(fabs(evpi - th_json_number(doc, "evpi")) < 1e-6);
	assert_true(fabs(1000.0 * th_json_number(doc, "evpi") - th_json_number(doc, "evpi_base")) < 1e-6);
	assert_true(th_json_number(doc, "customers_base") == 1000);
	assert_true(best[0] / R == json_number_value(json_array_get(json_object_get(doc, "p_best"), 0)));
	assert_true(best[1] / R == json_number_value(json_array_get(json_object_get(doc, "p_best"), 1)));
	assert_true(json_number_value(json_object_get(json_object_get(doc, "evppi"), "margin.A")) >
	            json_number_value(json_object_get(json_object_get(doc, "evppi"), "acquisition_cost")));
	json_decref(doc);
	th_child_free(&ch);
	pair_free(&p);
}

/* An arm whose expectation must be averaged over draws (the campaign's
   grid is not accurate enough) and one that could be integrated: both
   are averaged over the same draws, so the exact difference is the mean
   of the worlds' differences, not a quadrature minus an average. */
static void exact_difference_on_common_draws(void **state)
{
	clv_scenario *s[2] = {th_scenario("uncertain_retention"), th_scenario("uncertain_campaign")};
	whatif_settings set;
	clv_error err = {0};
	whatif_compare *c;
	double mean = 0.0;
	size_t r, R, n;

	memset(&set, 0, sizeof set);
	set.replications = 40;
	set.customers = 50;
	c = whatif_compare_run((const clv_scenario *const *)s, 2, &set, false, &err);
	assert_non_null(c);
	R = (size_t)c->replications;
	n = c->n;
	for (r = 0; r < R; r++)
		mean += (c->arm[1].rep_exact[r * (n + 1) + n] - c->arm[0].rep_exact[r * (n + 1) + n]) / R;
	assert_true(fabs(c->arm[1].diff[n].exact - mean) < 1e-9 * fabs(mean));
	whatif_compare_free(c);
	scenario_free(s[0]);
	scenario_free(s[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hand_table),
		cmocka_unit_test(ties_share_the_world),
		cmocka_unit_test(driving_and_irrelevant_inputs),
		cmocka_unit_test(nonlinear_input),
		cmocka_unit_test(discrete_input),
		cmocka_unit_test(two_scenario_closed_form),
		cmocka_unit_test(replications_table_gives_the_figures),
		cmocka_unit_test(exact_difference_on_common_draws),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
