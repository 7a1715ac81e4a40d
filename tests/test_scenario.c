/*
 * test_scenario.c - the scenario loader: good files load with the right
 * numbers (list and map forms, distributions, retention shorthand, annual
 * discount, offers, segments, base chains), every malformed file of
 * tests/data/bad/ is refused with its expected status, place and message,
 * I/O and size limits, label lookup, edits (scenario_set_number and the
 * rules the what-ifs use), deep copies (scenario_copy) and the yamlnode
 * tree operations the loader relies on.
 *
 * The corpus is data driven: the first line of each tests/data/bad/X.yaml
 * is "# expect[ limit| io]: [LINE:COLUMN: ]MESSAGE". With a place, the
 * error must read "tests/data/bad/X.yaml:LINE:COLUMN: MESSAGE..." (MESSAGE
 * a prefix); without one, MESSAGE must occur somewhere in it (so it may
 * name another file of a base chain). Adding a case is adding a file.
 * Runs from the top of the repository.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "base/dist.h"
#include "engine/exact.h"
#include "scenario/scenario.h"
#include "scenario/yamlnode.h"
#include "test_helpers.h"

#define GOOD "tests/data/good/"
#define BAD "tests/data/bad/"
#define EPS 1e-12

/* |got - want| <= tol in double precision (cmocka's float check is single). */
static void near_at(double got, double want, double tol, int line)
{
	if (!(fabs(got - want) <= tol))
		fail_msg("line %d: got %.17g, want %.17g (tolerance %g)", line, got, want, tol);
}

#define assert_near(got, want, tol) near_at((got), (want), (tol), __LINE__)

static clv_scenario *load(const char *path)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);

	if (s == NULL)
		fprintf(stderr, "%s: %s\n", path, err.msg);
	assert_non_null(s);
	assert_int_equal(err.status, CLV_OK);
	return s;
}

static clv_scenario *load_text(const char *path, const char *text, clv_error *err)
{
	return scenario_load_buffer(path, text, strlen(text), err);
}

/* Entry (i, j) of a fixed switching row. */
static double P(const clv_scenario *s, size_t i, size_t j)
{
	assert_false(s->switching[i].dirichlet);
	assert_int_equal(s->switching[i].p[j].kind, DIST_FIXED);
	return s->switching[i].p[j].a;
}

static void assert_fixed(const clv_param *p, const char *label, double value)
{
	assert_string_equal(p->label, label);
	assert_int_equal(p->kind, DIST_FIXED);
	assert_near(p->a, value, EPS);
}

static void assert_textbook_chain(const clv_scenario *s)
{
	static const double want[3][3] = {{0.70, 0.20, 0.10}, {0.10, 0.80, 0.10},
	                                  {0.25, 0.15, 0.60}};
	static const double init[3] = {0.6, 0.3, 0.1};
	size_t i, j;

	assert_int_equal(s->n, 3);
	assert_string_equal(s->states[0], "A");
	assert_string_equal(s->states[1], "B");
	assert_string_equal(s->states[2], "C");
	for (i = 0; i < 3; i++) {
		assert_near(s->initial[i], init[i], EPS);
		for (j = 0; j < 3; j++)
			assert_near(P(s, i, j), want[i][j], EPS);
	}
}

/* ------------------------------------------------------------------ */
/* Good files.                                                         */

static void test_textbook_list(void **state)
{
	clv_scenario *s = load(GOOD "textbook_list.yaml");
	size_t i;

	(void)state;
	assert_string_equal(s->name, "Textbook example 3.4");
	assert_string_equal(s->path, GOOD "textbook_list.yaml");
	assert_textbook_chain(s);
	assert_int_equal(s->horizon, 2);
	assert_false(s->infinite);
	assert_string_equal(s->period, "year");
	assert_near(s->periods_per_year, 1.0, 0.0);
	assert_fixed(&s->discount, "discount_rate", 0.09);
	assert_false(s->discount_annual);
	assert_fixed(&s->purchases, "purchases_per_period", 1.0);
	for (i = 0; i < 3; i++) {
		assert_near(s->margin[i].a, 500.0, 0.0);
		assert_near(s->cost[i].a, 0.0, 0.0);
		assert_near(s->referral[i].a, 0.0, 0.0);
		assert_false(s->has_retention[i]);
	}
	assert_fixed(&s->margin[1], "margin.B", 500.0);
	assert_fixed(&s->cost[2], "cost_per_period.C", 0.0);
	assert_fixed(&s->acquisition, "acquisition_cost", 0.0);
	assert_fixed(&s->spend_growth, "spend_growth", 0.0);
	assert_int_equal(s->customers, 10000);
	assert_int_equal(s->replications, 200);
	assert_int_equal(s->seed, 42);
	assert_false(s->has_seed);
	assert_int_equal(s->n_offers, 0);
	assert_int_equal(s->n_segments, 0);
	assert_int_equal(s->n_correlations, 0);
	/* places: switching row B's third entry is at line 7, column 18 */
	assert_string_equal(s->switching[1].p[2].label, "switching.B.C");
	assert_int_equal(s->switching[1].p[2].pos.line, 7);
	assert_int_equal(s->switching[1].p[2].pos.column, 18);
	assert_int_equal(s->switching[1].pos.line, 7);
	assert_int_equal(s->switching[1].pos.column, 5);
	assert_string_equal(s->discount.pos.file, GOOD "textbook_list.yaml");
	assert_int_equal(s->purchases.pos.line, 0); /* a default has no place */
	/* supports */
	assert_near(s->switching[0].p[0].lo, 0.0, 0.0);
	assert_near(s->switching[0].p[0].hi, 1.0, 0.0);
	assert_near(s->discount.lo, 0.0, 0.0);
	assert_near(s->discount.hi, 10.0, 0.0);
	assert_near(s->margin[0].lo, -1e15, 0.0); /* money is bounded: sums cannot overflow */
	assert_near(s->margin[0].hi, 1e15, 0.0);
	assert_near(s->purchases.hi, CLV_MAX_PURCHASES_PER_PERIOD, 0.0);
	assert_near(s->spend_growth.lo, -1.0, 0.0);
	scenario_free(s);
}

static void test_textbook_map(void **state)
{
	clv_scenario *s = load(GOOD "textbook_map.yaml");

	(void)state;
	assert_string_equal(s->name, "textbook_map"); /* from the file name */
	assert_string_equal(s->currency, ""); /* not given */
	assert_textbook_chain(s); /* map order does not matter */
	assert_fixed(&s->margin[0], "margin.A", 500.0);
	assert_fixed(&s->margin[1], "margin.B", 400.0);
	assert_fixed(&s->margin[2], "margin.C", 300.0);
	assert_fixed(&s->cost[1], "cost_per_period.B", 20.0);
	assert_fixed(&s->referral[2], "referral_value.C", 3.0);
	assert_fixed(&s->acquisition, "acquisition_cost", 50.0);
	assert_fixed(&s->spend_growth, "spend_growth", 0.02);
	assert_int_equal(s->customers, 5000);
	assert_int_equal(s->replications, 100);
	assert_int_equal(s->seed, 7);
	assert_true(s->has_seed);
	scenario_free(s);
}

static void test_distributions(void **state)
{
	clv_scenario *s = load(GOOD "distributions.yaml");
	const clv_param *p;
	double s2 = log1p(0.01); /* lognormal {mean 400, sd 40}: sigma^2 = log(1 + 0.1^2) */
	size_t i;

	(void)state;
	p = &s->switching[0].p[0];
	assert_int_equal(p->kind, DIST_BETA);
	assert_near(p->a, 70.0, 0.0);
	assert_near(p->b, 30.0, 0.0);
	assert_int_equal(p->per, PER_REPLICATION);
	assert_true(s->switching[1].dirichlet);
	assert_null(s->switching[1].p);
	assert_near(s->switching[1].alpha[0], 10.0, 0.0);
	assert_near(s->switching[1].alpha[1], 80.0, 0.0);
	assert_near(s->switching[1].alpha[2], 10.0, 0.0);
	p = &s->switching[2].p[1];
	assert_int_equal(p->kind, DIST_TRIANGULAR);
	assert_true(p->a == 0.1 && p->b == 0.15 && p->c == 0.2);
	assert_true(s->infinite);
	assert_near(s->periods_per_year, 4.0, 0.0);
	assert_int_equal(s->discount.kind, DIST_UNIFORM);
	assert_true(s->discount.a == 0.02 && s->discount.b == 0.04);
	assert_int_equal(s->purchases.kind, DIST_POISSON);
	assert_near(s->purchases.a, 2.5, 0.0);
	assert_int_equal(s->purchases.per, PER_CUSTOMER_PERIOD);
	assert_int_equal(s->margin[0].kind, DIST_NORMAL);
	assert_true(s->margin[0].a == 500.0 && s->margin[0].b == 50.0);
	assert_int_equal(s->margin[0].per, PER_CUSTOMER);
	assert_int_equal(s->margin[1].kind, DIST_LOGNORMAL);
	assert_near(s->margin[1].a, log(400.0) - s2 / 2, 1e-14);
	assert_near(s->margin[1].b, sqrt(s2), 1e-14);
	assert_near(exp(s->margin[1].a + s->margin[1].b * s->margin[1].b / 2), 400.0, 1e-9);
	assert_true(s->margin[2].kind == DIST_LOGNORMAL && s->margin[2].a == 5.5 &&
	            s->margin[2].b == 0.2 && s->margin[2].per == PER_REPLICATION);
	for (i = 0; i < 3; i++) { /* one distribution, each state its own assumption */
		assert_int_equal(s->cost[i].kind, DIST_GAMMA);
		assert_true(s->cost[i].a == 4.0 && s->cost[i].b == 2.5);
	}
	assert_string_equal(s->cost[2].label, "cost_per_period.C");
	assert_int_equal(s->acquisition.kind, DIST_PERT);
	assert_true(s->acquisition.a == 100 && s->acquisition.b == 150 && s->acquisition.c == 300);
	assert_int_equal(s->n_correlations, 2);
	assert_string_equal(s->correlations[0].a, "switching.A.A");
	assert_string_equal(s->correlations[0].b, "margin.C");
	assert_near(s->correlations[0].rho, 0.5, 0.0);
	assert_near(s->correlations[1].rho, -0.3, 0.0);
	assert_int_equal(s->correlations[1].pos.line, 21);
	scenario_free(s);
}

static void test_retention(void **state)
{
	clv_scenario *s = load(GOOD "retention.yaml");

	(void)state;
	assert_true(s->has_retention[0]);
	assert_false(s->has_retention[1]);
	assert_true(s->has_retention[2]);
	assert_fixed(&s->retention[0], "retention.A", 0.8);
	assert_int_equal(s->retention[2].kind, DIST_BETA);
	assert_int_equal(s->retention[2].per, PER_CUSTOMER);
	assert_string_equal(s->retention[2].label, "retention.C");
	assert_near(P(s, 0, 0), 0.70, EPS); /* the row as written; the model pins it */
	assert_ptr_equal(scenario_param(s, "retention.A"), &s->retention[0]);
	assert_null(scenario_param(s, "retention.B"));
	scenario_free(s);
}

static void test_annual_discount(void **state)
{
	clv_scenario *s = load(GOOD "annual.yaml");

	(void)state;
	assert_true(s->discount_annual);
	assert_fixed(&s->discount, "discount_rate", 0.10);
	assert_string_equal(s->period, "month");
	assert_near(s->periods_per_year, 12.0, 0.0);
	assert_string_equal(s->states[0], "Loyal");
	assert_near(P(s, 1, 1), 1.0, 0.0);
	assert_fixed(&s->margin[1], "margin.Lost", 0.0);
	scenario_free(s);
}

static void test_offers(void **state)
{
	clv_scenario *s = load(GOOD "offers.yaml");
	const clv_offer *o;

	(void)state;
	assert_int_equal(s->n_offers, 3);
	o = &s->offers[0];
	assert_string_equal(o->label, "campaign");
	assert_int_equal(o->brand, 0);
	assert_false(o->target_all);
	assert_fixed(&o->cost, "campaign[0].cost", 2.0);
	assert_fixed(&o->retention_uplift, "campaign[0].retention_uplift", 0.05);
	assert_fixed(&o->win_from[1], "campaign[0].win_from.B", 0.03);
	assert_fixed(&o->win_from[2], "campaign[0].win_from.C", 0.0);
	assert_fixed(&o->margin_cut, "campaign[0].margin_cut", 0.0);
	assert_int_equal(o->periods, 3);
	o = &s->offers[1];
	assert_int_equal(o->brand, 2);
	assert_true(o->target_all);
	assert_int_equal(o->cost.kind, DIST_UNIFORM);
	assert_string_equal(o->cost.label, "campaign[1].cost");
	assert_fixed(&o->win_from[0], "campaign[1].win_from.A", 0.02);
	o = &s->offers[2];
	assert_string_equal(o->label, "price_discount");
	assert_int_equal(o->brand, 1);
	assert_fixed(&o->margin_cut, "price_discount.margin_cut", 0.10);
	assert_fixed(&o->retention_uplift, "price_discount.retention_uplift", 0.04);
	assert_int_equal(o->periods, 3);
	assert_ptr_equal(scenario_param(s, "campaign[1].win_from.B"), &s->offers[1].win_from[1]);
	scenario_free(s);
}

static void test_segments(void **state)
{
	clv_scenario *s = load(GOOD "segments.yaml");
	const clv_scenario *key, *ordinary, *small;
	size_t i;

	(void)state;
	assert_int_equal(s->n_segments, 3);
	assert_string_equal(s->currency, "CNY");
	assert_string_equal(s->segments[0]->currency, "CNY"); /* segments share it */
	assert_string_equal(s->segment_name[0], "key");
	assert_string_equal(s->segment_name[2], "small");
	assert_near(s->segment_weight[0], 0.2, 0.0);
	assert_near(s->segment_weight[1], 0.5, 0.0);
	assert_near(s->segment_weight[2], 0.3, 0.0);
	key = s->segments[0];
	ordinary = s->segments[1];
	small = s->segments[2];
	assert_string_equal(key->name, "Tiers / key");
	for (i = 0; i < 3; i++) {
		assert_near(key->margin[i].a, 900.0, 0.0);
		assert_near(ordinary->margin[i].a, 500.0, 0.0);
		assert_near(small->cost[i].a, 5.0, 0.0);
		assert_near(s->margin[i].a, 500.0, 0.0); /* the parent is untouched */
	}
	assert_near(small->margin[1].a, 120.0, 0.0);
	assert_near(P(key, 0, 0), 0.9, 0.0); /* row A overridden ... */
	assert_near(P(key, 2, 2), 0.6, 0.0); /* ... rows B, C inherited */
	assert_int_equal(key->switching[0].p[0].pos.line, 13);
	assert_textbook_chain(ordinary);
	assert_int_equal(key->n_segments, 0);
	assert_int_equal(key->horizon, 2);
	scenario_free(s);
}

static void test_base_chain(void **state)
{
	clv_scenario *s = load(GOOD "base_leaf.yaml");

	(void)state;
	assert_string_equal(s->name, "base_leaf"); /* a name is never inherited */
	assert_string_equal(s->path, GOOD "base_leaf.yaml");
	assert_near(P(s, 0, 0), 0.80, 0.0); /* row A from base_mid */
	assert_near(P(s, 1, 1), 0.80, 0.0); /* row B from base_root */
	assert_near(P(s, 2, 0), 0.30, 0.0); /* row C from base_leaf */
	assert_near(P(s, 2, 1), 0.10, 0.0);
	assert_near(s->margin[0].a, 500.0, 0.0);
	assert_near(s->margin[1].a, 450.0, 0.0);
	assert_near(s->margin[2].a, 250.0, 0.0);
	assert_int_equal(s->horizon, 4);
	assert_int_equal(s->customers, 1000);
	assert_int_equal(s->replications, 50);
	assert_fixed(&s->retention[1], "retention.B", 0.75);
	/* each assumption keeps the place (file too) where it was written */
	assert_string_equal(s->switching[0].p[0].pos.file, GOOD "base_mid.yaml");
	assert_int_equal(s->switching[0].p[0].pos.line, 4);
	assert_string_equal(s->switching[1].p[1].pos.file, GOOD "base_root.yaml");
	assert_string_equal(s->margin[2].pos.file, GOOD "base_leaf.yaml");
	assert_string_equal(s->discount.pos.file, GOOD "base_root.yaml");
	scenario_free(s);
	s = load(GOOD "base_root.yaml");
	assert_string_equal(s->name, "Root");
	assert_int_equal(s->horizon, 2);
	scenario_free(s);
}

static void test_odd_state_names(void **state)
{
	clv_scenario *s = load(GOOD "odd_names.yaml");

	(void)state;
	assert_int_equal(s->n, 6);
	assert_string_equal(s->states[1], "B's shop");
	assert_int_equal(scenario_state_index(s, "C, Ltd."), 2);
	assert_int_equal(scenario_state_index(s, "nope"), (size_t)-1);
	assert_fixed(&s->margin[2], "margin.C, Ltd.", 30.0);
	assert_ptr_equal(scenario_param(s, "margin.1.A"), &s->margin[4]);
	/* "switching.A.1.A" is (A, 1.A) or (A.1, A): the longest row name wins */
	assert_ptr_equal(scenario_param(s, "switching.A.1.A"), &s->switching[5].p[3]);
	assert_ptr_equal(scenario_param(s, "switching.Brand A.1.A"), &s->switching[0].p[3]);
	scenario_free(s);
}

static void test_buffer_and_relative_base(void **state)
{
	const char *text = "base: base_root.yaml\nmargin: {A: 1}\n";
	clv_error err = {0};
	clv_scenario *s = load_text(GOOD "virtual.yaml", text, &err);

	(void)state;
	assert_non_null(s);
	assert_string_equal(s->name, "virtual");
	assert_near(s->margin[0].a, 1.0, 0.0);
	assert_near(s->margin[1].a, 500.0, 0.0);
	scenario_free(s);
}

/* Every file of a folder (sorted), through fn; returns how many. */
static int each_yaml(const char *dir, void (*fn)(const char *path))
{
	struct dirent **names;
	char path[512];
	int i, n = scandir(dir, &names, NULL, alphasort), count = 0;

	if (n < 0)
		return -1;
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);
		if (len > 5 && strcmp(names[i]->d_name + len - 5, ".yaml") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			fn(path);
			count++;
		}
		free(names[i]);
	}
	free(names);
	return count;
}

static void load_and_free(const char *path)
{
	clv_scenario *s = load(path);

	assert_int_equal(scenario_validate(s, &(clv_error){0}), CLV_OK);
	scenario_free(s);
}

static void test_every_good_file(void **state)
{
	(void)state;
	assert_true(each_yaml("tests/data/good", load_and_free) >= 10);
}

static void test_every_shipped_scenario(void **state)
{
	(void)state;
	if (each_yaml("scenarios", load_and_free) <= 0)
		skip();
}

/* The edit rules the what-ifs use: rows with uncertain entries, Dirichlet
   rows, correlations, per-replication assumptions, offers. */
static void test_edit_rules(void **state)
{
	clv_scenario *s = load(GOOD "distributions.yaml");
	clv_row *c = &s->switching[2], *b = &s->switching[1];
	clv_error err = {0};
	clv_param d;

	(void)state;
	/* C: [0.25, triangular mean 0.15, 0.6]; C.A = 0.35 leaves 0.5 for C.C */
	assert_int_equal(scenario_set_value(s, &c->p[0], 0.35, &err), CLV_OK);
	assert_fixed(&c->p[0], "switching.C.A", 0.35);
	assert_near(c->p[2].a, 0.5, EPS);
	assert_int_equal(c->p[1].kind, DIST_TRIANGULAR);
	assert_int_equal(scenario_pin_entry(s, 2, 0, 0.9, &err), CLV_ERR_INPUT); /* no room */
	assert_near(c->p[0].a, 0.35, EPS);
	/* B: dirichlet(10, 80, 10), diagonal beta(80, 20) */
	d = scenario_dirichlet_diagonal(s, 1);
	assert_true(d.kind == DIST_BETA && d.a == 80.0 && d.b == 20.0);
	assert_int_equal(scenario_pin_input(s, "switching.B.B", 0.5, &err), CLV_OK);
	assert_false(b->dirichlet);
	assert_near(b->p[1].a, dist_quantile(&d, 0.5), EPS);
	assert_near(b->p[0].a, (1.0 - b->p[1].a) / 2.0, EPS);
	assert_near(b->p[0].a + b->p[1].a + b->p[2].a, 1.0, EPS);
	scenario_drop_correlations(s, "margin.C");
	assert_int_equal(s->n_correlations, 1);
	assert_string_equal(s->correlations[0].a, "discount_rate");
	scenario_free(s);

	s = load(GOOD "distributions.yaml");
	assert_int_equal(scenario_fix_outer_at_means(s, &err), CLV_OK);
	assert_fixed(&s->discount, "discount_rate", 0.03);
	assert_fixed(&s->switching[0].p[0], "switching.A.A", 0.7);
	assert_near(s->switching[0].p[1].a, 0.2, EPS);
	assert_false(s->switching[1].dirichlet);
	assert_true(s->margin[0].per == PER_CUSTOMER && s->purchases.kind == DIST_POISSON);
	assert_int_equal(s->n_correlations, 0);
	assert_false(scenario_has_offers(s));
	scenario_free(s);

	s = load(GOOD "offers.yaml");
	assert_true(scenario_has_offers(s) && scenario_n_leaves(s) == 1 && scenario_leaf(s, 0) == s);
	scenario_zero_offer_spend(s);
	assert_fixed(&s->offers[1].cost, "campaign[1].cost", 0.0);
	assert_fixed(&s->offers[2].margin_cut, "price_discount.margin_cut", 0.0);
	assert_near(s->offers[2].retention_uplift.a, 0.04, EPS); /* uplifts stay */
	scenario_free(s);
}

/* A fixed row whose other entries are all 0: the entry can only close it. */
static void test_edit_closed_row(void **state)
{
	const char *text = "states: [A, B]\ninitial: [1, 0]\nswitching: [[1, 0], [0.5, 0.5]]\n"
	                   "horizon: 3\ndiscount_rate: 0.1\nmargin: 1\n";
	clv_error err = {0};
	clv_scenario *s = load_text("closed.yaml", text, &err);

	(void)state;
	assert_non_null(s);
	assert_int_equal(scenario_set_number(s, "switching.A.A", 1.0 - 5e-10, &err), CLV_OK);
	assert_true(s->switching[0].p[0].a == 1.0 && s->switching[0].p[1].a == 0.0);
	assert_int_equal(scenario_set_number(s, "switching.A.A", 0.5, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "are all 0, so nothing can be rescaled"));
	assert_true(s->switching[0].p[0].a == 1.0);
	scenario_free(s);
}

/* ------------------------------------------------------------------ */
/* Copies.                                                             */

/* What a scenario's assumptions are, kept apart from it. */
typedef struct param_copy {
	char label[256], file[512];
	clv_param p;
} param_copy;

typedef struct kept {
	size_t n_params;
	param_copy *param;
	exact_result *ex;
} kept;

static void keep(clv_scenario *s, kept *k)
{
	clv_param **params = scenario_params_alloc(s, &k->n_params);
	clv_error err = {0};
	size_t i;

	assert_non_null(params);
	k->param = calloc(k->n_params + 1, sizeof *k->param);
	assert_non_null(k->param);
	for (i = 0; i < k->n_params; i++) {
		k->param[i].p = *params[i];
		snprintf(k->param[i].label, sizeof k->param[i].label, "%s", params[i]->label);
		snprintf(k->param[i].file, sizeof k->param[i].file, "%s", params[i]->pos.file);
	}
	free(params);
	k->ex = exact_scenario(s, 0, &err);
	assert_non_null(k->ex);
}

/* True when file is the start of one name of s's path block. */
static bool in_block(const clv_scenario *s, const char *file)
{
	size_t at;

	for (at = 0; at < s->path_size; at += strlen(s->path + at) + 1)
		if (s->path + at == file)
			return true;
	return false;
}

/* c's assumptions equal those kept, their places name c's own block; the
   exact forecast is identical, bit for bit. Returns how many places name
   a base file. */
static size_t check_kept(clv_scenario *c, const kept *k)
{
	clv_param **params;
	clv_error err = {0};
	exact_result *ex;
	size_t i, n, inherited = 0;

	params = scenario_params_alloc(c, &n);
	assert_non_null(params);
	assert_int_equal(n, k->n_params);
	for (i = 0; i < n; i++) {
		const clv_param *p = params[i], *q = &k->param[i].p;
		assert_string_equal(p->label, k->param[i].label);
		assert_string_equal(p->pos.file, k->param[i].file);
		assert_true(in_block(c, p->pos.file));
		inherited += p->pos.file != c->path;
		assert_true(p->kind == q->kind && p->per == q->per && p->pos.line == q->pos.line &&
		            p->pos.column == q->pos.column);
		assert_memory_equal(&p->a, &q->a, sizeof p->a);
		assert_memory_equal(&p->b, &q->b, sizeof p->b);
		assert_memory_equal(&p->c, &q->c, sizeof p->c);
		assert_true(p->lo == q->lo && p->hi == q->hi);
	}
	free(params);
	ex = exact_scenario(c, 0, &err);
	assert_non_null(ex);
	assert_int_equal(ex->periods, k->ex->periods);
	assert_memory_equal(ex->clv, k->ex->clv, (c->n + 1) * sizeof *ex->clv);
	assert_memory_equal(ex->share, k->ex->share,
	                    (size_t)(ex->periods + 1) * c->n * sizeof *ex->share);
	exact_free(ex);
	return inherited;
}

static size_t copies_inherited;

/* Copy, free the original, use the copy (segments too). */
static void copy_and_free_original(const char *path)
{
	clv_scenario *s = load(path), *c;
	clv_error err = {0};
	kept k = {0}, seg[CLV_MAX_SEGMENTS];
	size_t i;

	keep(s, &k);
	for (i = 0; i < s->n_segments; i++)
		keep(s->segments[i], &seg[i]);
	c = scenario_copy(s, &err);
	assert_non_null(c);
	assert_ptr_not_equal(c->path, s->path);
	scenario_free(s);
	assert_int_equal(scenario_validate(c, &err), CLV_OK);
	copies_inherited += check_kept(c, &k);
	for (i = 0; i < c->n_segments; i++) {
		copies_inherited += check_kept(c->segments[i], &seg[i]);
		free(seg[i].param);
		exact_free(seg[i].ex);
	}
	free(k.param);
	exact_free(k.ex);
	scenario_free(c);
}

static void test_copy_every_scenario(void **state)
{
	(void)state;
	copies_inherited = 0;
	assert_true(each_yaml("scenarios", copy_and_free_original) > 0);
	assert_true(each_yaml("tests/data/good", copy_and_free_original) >= 10);
	assert_true(copies_inherited > 0); /* base: files' names were copied too */
}

static double exact_total(clv_scenario *s)
{
	clv_error err = {0};
	exact_result *ex = exact_scenario(s, 0, &err);
	double total;

	assert_non_null(ex);
	total = ex->clv[s->n];
	exact_free(ex);
	return total;
}

/* Edits of a copy leave the original as loaded. */
static void test_copy_edit_leaves_original(void **state)
{
	clv_scenario *s = load(GOOD "segments.yaml"), *c;
	clv_error err = {0};
	kept k = {0};
	double before = exact_total(s);

	(void)state;
	keep(s, &k);
	c = scenario_copy(s, &err);
	assert_non_null(c);
	assert_int_equal(scenario_set_number(c, "margin.A", 1.0, &err), CLV_OK);
	assert_int_equal(scenario_set_number(c, "horizon", 4, &err), CLV_OK);
	assert_int_equal(scenario_set_number(c, "retention.B", 0.5, &err), CLV_OK);
	assert_true(exact_total(c) != before);
	assert_true(c->segments[0]->margin[0].a == 1.0 && c->horizon == 4);
	check_kept(s, &k); /* the original, untouched */
	assert_true(s->horizon == 2 && !s->has_retention[1] && !s->segments[2]->has_retention[1]);
	assert_true(s->segments[0]->margin[0].a == 900.0 && exact_total(s) == before);
	scenario_free(c);
	free(k.param);
	exact_free(k.ex);
	scenario_free(s);
}

/* ------------------------------------------------------------------ */
/* The malformed corpus.                                               */

typedef struct expectation {
	clv_status status;
	char text[512];
} expectation;

/* Parse "# expect[ limit| io]: TEXT" from the first line of path. */
static void read_expectation(const char *path, expectation *e)
{
	char line[600], *colon;
	FILE *f = fopen(path, "rb");

	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	if (strncmp(line, "# expect", 8) != 0)
		fail_msg("%s: first line must be \"# expect: ...\"", path);
	colon = strchr(line, ':');
	assert_non_null(colon);
	*colon = '\0';
	e->status = strcmp(line, "# expect limit") == 0 ? CLV_ERR_LIMIT
	            : strcmp(line, "# expect io") == 0   ? CLV_ERR_IO
	                                                 : CLV_ERR_INPUT;
	if (e->status == CLV_ERR_INPUT && strcmp(line, "# expect") != 0)
		fail_msg("%s: unknown status in \"%s\"", path, line);
	snprintf(e->text, sizeof e->text, "%s", colon + 2);
}

static void check_bad_file(const char *path)
{
	expectation e;
	clv_error err = {0};
	clv_scenario *s;
	char want[1200];

	read_expectation(path, &e);
	s = scenario_load(path, &err);
	if (s != NULL || err.status != e.status)
		fprintf(stderr, "%s: status %d, message: %s\n", path, err.status, err.msg);
	assert_null(s);
	assert_int_equal(err.status, e.status);
	if (isdigit((unsigned char)e.text[0])) {
		snprintf(want, sizeof want, "%s:%s", path, e.text);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s:\n  got:  %s\n  want: %s...", path, err.msg, want);
	} else if (strstr(err.msg, e.text) == NULL) {
		fail_msg("%s:\n  got:  %s\n  want: ...%s...", path, err.msg, e.text);
	}
}

static void test_bad_corpus(void **state)
{
	(void)state;
	assert_true(each_yaml("tests/data/bad", check_bad_file) >= 35);
}

/* ------------------------------------------------------------------ */
/* Files that cannot be read, and sizes.                               */

static char tmpdir[64];

static int make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/test_scenario.XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int remove_tmpdir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void expect_error(const char *path, clv_status status, const char *part)
{
	clv_error err = {0};
	clv_scenario *s = scenario_load(path, &err);

	assert_null(s);
	assert_int_equal(err.status, status);
	if (strstr(err.msg, part) == NULL)
		fail_msg("got \"%s\", want ...%s...", err.msg, part);
}

static void test_unreadable(void **state)
{
	char path[128];

	(void)state;
	expect_error("tests/data/no-such-file.yaml", CLV_ERR_IO,
	             "tests/data/no-such-file.yaml: cannot read the scenario file: No such file");
	expect_error("tests/data", CLV_ERR_IO, "tests/data: cannot read the scenario file: Is a "
	             "directory");
	snprintf(path, sizeof path, "%s/big.yaml", tmpdir); /* sparse: 16 MiB + 1 byte */
	th_write_file(path, "#");
	assert_int_equal(truncate(path, 16L * 1024 * 1024 + 1), 0);
	expect_error(path, CLV_ERR_LIMIT, "larger than 16 MiB");
	assert_int_equal(truncate(path, 16L * 1024 * 1024), 0); /* at the limit: read, then empty */
	expect_error(path, CLV_ERR_INPUT, "control characters"); /* the NUL bytes */
}

/* A chain f0 -> f1 -> ... -> f{links}; the last is complete. */
static void write_chain(int links)
{
	char path[128], text[160];
	int k;

	for (k = 0; k < links; k++) {
		snprintf(path, sizeof path, "%s/f%d.yaml", tmpdir, k);
		snprintf(text, sizeof text, "base: f%d.yaml\nhorizon: %d\n", k + 1, k + 1);
		th_write_file(path, text);
	}
	snprintf(path, sizeof path, "%s/f%d.yaml", tmpdir, links);
	th_write_file(path, "states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: 0\n"
	                 "discount_rate: 0.1\nmargin: 1\n");
}

static void test_base_depth(void **state)
{
	char path[128];
	clv_scenario *s;

	(void)state;
	write_chain(32); /* 32 links: the limit */
	snprintf(path, sizeof path, "%s/f0.yaml", tmpdir);
	s = load(path);
	assert_int_equal(s->horizon, 1); /* f0 overrides every base */
	scenario_free(s);
	write_chain(33);
	expect_error(path, CLV_ERR_LIMIT, "base: more than 32 base files in a chain");
}

/* `base:` naming a file that is not a scenario (a password file, say):
   refused as such, quoting at most 40 characters of it. */
static void test_base_not_a_scenario(void **state)
{
	static const char secret[] = "alice:$y$j9T$SECRETSECRETSECRETSECRETSECRETSECRETSECRET:19000:"
	                             "0:99999:7:::\nbob:*:19000:0:99999:7:::\n";
	char foreign[128], path[128], text[256];
	clv_error err = {0};

	(void)state;
	snprintf(foreign, sizeof foreign, "%s/shadow", tmpdir);
	th_write_file(foreign, secret);
	snprintf(path, sizeof path, "%s/uses_shadow.yaml", tmpdir);
	snprintf(text, sizeof text, "base: %s\nstates: [A]\n", foreign);
	th_write_file(path, text);
	assert_null(scenario_load(path, &err));
	assert_int_equal(err.status, CLV_ERR_INPUT);
	if (strstr(err.msg, "this file is not a scenario") == NULL || strstr(err.msg, "/shadow:1:1") == NULL)
		fail_msg("unexpected message: %s", err.msg);
	assert_null(strstr(err.msg, "SECRETSECRETSECRETSECRETSECRET")); /* cut at 40 */
	assert_non_null(strstr(err.msg, "alice:$y$j9T$SECRET"));
	assert_null(strstr(err.msg, "bob"));
}

static void test_size_limits_by_text(void **state)
{
	const char *head = "states: [A]\ninitial: [1]\nswitching: [[1]]\ndiscount_rate: 0.1\n"
	                   "margin: 1\n";
	char text[256];
	clv_error err = {0};
	clv_scenario *s;

	(void)state;
	snprintf(text, sizeof text, "%shorizon: 100000\ncustomers: 1000000000\n"
	         "replications: 10000000\nseed: 9223372036854775807\n", head);
	s = load_text("limits.yaml", text, &err);
	assert_non_null(s); /* every value exactly at its limit */
	assert_int_equal(s->horizon, CLV_MAX_HORIZON);
	assert_int_equal(s->customers, CLV_MAX_CUSTOMERS);
	assert_true(s->seed == INT64_MAX);
	scenario_free(s);
	snprintf(text, sizeof text, "%shorizon: 1\nseed: 9223372036854775808\n", head);
	assert_null(load_text("seed.yaml", text, &err));
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "seed.yaml:7:7: seed = 9223372036854775808 is over the limit"));
}

/* ------------------------------------------------------------------ */
/* Assumptions: order, lookup, edits.                                  */

static void test_params_order(void **state)
{
	clv_scenario *s = load(GOOD "offers.yaml");
	clv_param *p[64];
	size_t n = scenario_params(s, NULL, 0);

	(void)state;
	/* 9 entries, discount, purchases, 3 x 3 money, acquisition, growth,
	   3 offers x (cost, margin_cut, uplift, 3 win_from) */
	assert_int_equal(n, 9 + 2 + 9 + 2 + 3 * 6);
	assert_int_equal(scenario_params(s, p, 64), n);
	assert_string_equal(p[0]->label, "switching.A.A");
	assert_string_equal(p[8]->label, "switching.C.C");
	assert_string_equal(p[9]->label, "discount_rate");
	assert_string_equal(p[10]->label, "purchases_per_period");
	assert_string_equal(p[11]->label, "margin.A");
	assert_string_equal(p[14]->label, "cost_per_period.A");
	assert_string_equal(p[17]->label, "referral_value.A");
	assert_string_equal(p[20]->label, "acquisition_cost");
	assert_string_equal(p[21]->label, "spend_growth");
	assert_string_equal(p[22]->label, "campaign[0].cost");
	assert_string_equal(p[23]->label, "campaign[0].margin_cut");
	assert_string_equal(p[24]->label, "campaign[0].retention_uplift");
	assert_string_equal(p[25]->label, "campaign[0].win_from.A");
	assert_string_equal(p[39]->label, "price_discount.win_from.C");
	assert_int_equal(scenario_params(s, p, 3), n); /* count even when cut short */
	assert_ptr_equal(scenario_param(s, "price_discount.margin_cut"), &s->offers[2].margin_cut);
	assert_null(scenario_param(s, "campaign.cost")); /* two campaigns: indexed labels */
	scenario_free(s);
	s = load(GOOD "distributions.yaml"); /* a Dirichlet row has no entries; retention none */
	assert_int_equal(scenario_params(s, NULL, 0), 6 + 2 + 9 + 2);
	assert_null(scenario_param(s, "switching.B.B"));
	assert_ptr_equal(scenario_param(s, "switching.C.B"), &s->switching[2].p[1]);
	assert_ptr_equal(scenario_param(s, "discount_rate"), &s->discount);
	assert_null(scenario_param(s, "margin.D"));
	scenario_free(s);
}

static void test_set_number(void **state)
{
	clv_scenario *s = load(GOOD "textbook_list.yaml");
	clv_error err = {0};

	(void)state;
	/* A's retention to 0.8: the rest of row A (0.2, 0.1) scaled by 0.2 / 0.3 */
	assert_int_equal(scenario_set_number(s, "switching.A.A", 0.8, &err), CLV_OK);
	assert_near(P(s, 0, 0), 0.8, EPS);
	assert_near(P(s, 0, 1), 0.2 * 0.2 / 0.3, EPS);
	assert_near(P(s, 0, 2), 0.2 * 0.1 / 0.3, EPS);
	assert_int_equal(scenario_set_number(s, "margin.B", 450, &err), CLV_OK);
	assert_fixed(&s->margin[1], "margin.B", 450);
	assert_int_equal(scenario_set_number(s, "horizon", 7, &err), CLV_OK);
	assert_int_equal(s->horizon, 7);
	assert_int_equal(scenario_set_number(s, "customers", 123, &err), CLV_OK);
	assert_int_equal(s->customers, 123);
	assert_int_equal(scenario_set_number(s, "replications", 9, &err), CLV_OK);
	assert_int_equal(s->replications, 9);
	assert_int_equal(scenario_set_number(s, "retention.C", 0.5, &err), CLV_OK);
	assert_true(s->has_retention[2]);
	assert_fixed(&s->retention[2], "retention.C", 0.5);
	assert_int_equal(scenario_validate(s, &err), CLV_OK);

	assert_int_equal(scenario_set_number(s, "margn.A", 1, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "no numeric key \"margn.A\""));
	assert_non_null(strstr(err.msg, "(did you mean \"margin.A\"?)"));
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "switching.A.B", 1.5, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "outside [0, 1]"));
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "horizon", 2.5, &err), CLV_ERR_USAGE);
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "purchases_per_period", 0, &err), CLV_ERR_USAGE);
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "spend_growth", -1, &err), CLV_ERR_USAGE);
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "customers", 0, &err), CLV_ERR_USAGE);
	assert_int_equal(s->customers, 123);
	diag_clear(&err);
	/* a row with nothing to rescale */
	assert_int_equal(scenario_set_number(s, "switching.B.B", 1.0, &err), CLV_OK);
	assert_near(P(s, 1, 0), 0.0, 0.0);
	assert_int_equal(scenario_set_number(s, "switching.B.B", 0.5, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "nothing can be rescaled"));
	scenario_free(s);
}

static void test_set_number_uncertain_and_segments(void **state)
{
	clv_scenario *s = load(GOOD "distributions.yaml");
	clv_error err = {0};
	size_t k;

	(void)state;
	assert_int_equal(scenario_set_number(s, "margin.A", 450, &err), CLV_OK);
	assert_int_equal(s->margin[0].kind, DIST_FIXED);
	assert_int_equal(s->margin[0].per, PER_REPLICATION);
	assert_near(s->margin[0].a, 450.0, 0.0);
	assert_int_equal(scenario_set_number(s, "switching.A.B", 0.1, &err), CLV_ERR_USAGE);
	assert_non_null(strstr(err.msg, "uncertain entries"));
	diag_clear(&err);
	assert_int_equal(scenario_set_number(s, "horizon", 3, &err), CLV_OK);
	assert_false(s->infinite);
	scenario_free(s);

	s = load(GOOD "segments.yaml");
	assert_int_equal(scenario_set_number(s, "margin.A", 42, &err), CLV_OK);
	assert_near(s->margin[0].a, 42.0, 0.0);
	for (k = 0; k < s->n_segments; k++)
		assert_near(s->segments[k]->margin[0].a, 42.0, 0.0);
	scenario_free(s);
}

static void test_validate_after_edit(void **state)
{
	clv_scenario *s = load(GOOD "offers.yaml");
	clv_error err = {0};

	(void)state;
	assert_int_equal(scenario_set_number(s, "campaign[0].retention_uplift", 0.3, &err), CLV_OK);
	assert_int_equal(scenario_validate(s, &err), CLV_OK); /* 0.7 + 0.3 = 1 */
	assert_int_equal(scenario_set_number(s, "campaign[0].retention_uplift", 0.31, &err), CLV_OK);
	assert_int_equal(scenario_validate(s, &err), CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "offers.yaml:16:23: campaign[0].retention_uplift = 0.31 "
	                                "would raise P[A][A] from 0.7 to 1.01, above 1"));
	diag_clear(&err);
	s->initial[0] = 0.5; /* a hand edit the loader would have refused */
	assert_int_equal(scenario_validate(s, &err), CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "initial sums to 0.9"));
	scenario_free(s);
}

/* ------------------------------------------------------------------ */
/* The YAML tree.                                                      */

static yamlnode *parse(const char *text)
{
	clv_error err = {0};
	yamlnode *root = NULL;

	assert_int_equal(yamlnode_parse(text, strlen(text), "t.yaml", 0, &root, &err), CLV_OK);
	assert_non_null(root);
	return root;
}

static void test_yamlnode_merge(void **state)
{
	yamlnode *base = parse("a: {x: 1, y: 2}\nb: [1, 2]\nd: {dist: beta, a: 1, b: 2}\n");
	yamlnode *over = parse("a: {y: 3, z: 4}\nb: [5]\nc: 6\nd: {dist: normal, mean: 0, sd: 1}\n");
	yamlnode *a, *copy;

	(void)state;
	assert_int_equal(yamlnode_merge(&base, over, "dist"), CLV_OK);
	a = yamlnode_get(base, "a");
	assert_int_equal(a->n, 3); /* maps merge per entry */
	assert_string_equal(yamlnode_get(a, "x")->text, "1");
	assert_string_equal(yamlnode_get(a, "y")->text, "3");
	assert_string_equal(yamlnode_get(a, "z")->text, "4");
	assert_int_equal(yamlnode_get(base, "b")->n, 1); /* lists replace */
	assert_string_equal(yamlnode_get(base, "c")->text, "6");
	assert_false(yamlnode_has(yamlnode_get(base, "d"), "a")); /* distributions replace */
	assert_int_equal(yamlnode_get(base, "d")->line, 4);
	copy = yamlnode_copy(base);
	yamlnode_remove(base, "a");
	assert_null(yamlnode_get(base, "a"));
	assert_int_equal(yamlnode_get(yamlnode_get(copy, "a"), "z")->line, 1);
	assert_int_equal(yamlnode_get(yamlnode_get(copy, "a"), "z")->column, 14);
	yamlnode_free(base);
	yamlnode_free(copy);
}

static void test_yamlnode_refusals(void **state)
{
	clv_error err = {0};
	yamlnode *root = (yamlnode *)1;
	char deep[200];

	(void)state;
	assert_int_equal(yamlnode_parse("# nothing\n", 10, "e.yaml", 0, &root, &err), CLV_OK);
	assert_null(root); /* no document */
	assert_int_equal(yamlnode_parse("a: 1\nb: {c: 1, c: 2}\n", 21, "d.yaml", 0, &root, &err),
	                 CLV_ERR_INPUT);
	assert_string_equal(err.msg, "d.yaml:2:11: duplicate key \"c\" (first given at line 2, "
	                             "column 5)");
	assert_null(root);
	diag_clear(&err);
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = '\0';
	root = NULL;
	assert_int_equal(yamlnode_parse(deep, 128, "deep.yaml", 0, &root, &err), CLV_OK);
	yamlnode_free(root); /* 64 levels are fine */
	deep[0] = '[';
	memmove(deep + 1, deep, 129);
	deep[129] = ']';
	deep[130] = '\0';
	assert_int_equal(yamlnode_parse(deep, 130, "deep.yaml", 0, &root, &err), CLV_ERR_INPUT);
	assert_non_null(strstr(err.msg, "deep.yaml:1:65: lists and maps nested deeper than 64"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textbook_list),
		cmocka_unit_test(test_textbook_map),
		cmocka_unit_test(test_distributions),
		cmocka_unit_test(test_retention),
		cmocka_unit_test(test_annual_discount),
		cmocka_unit_test(test_offers),
		cmocka_unit_test(test_segments),
		cmocka_unit_test(test_base_chain),
		cmocka_unit_test(test_odd_state_names),
		cmocka_unit_test(test_buffer_and_relative_base),
		cmocka_unit_test(test_every_good_file),
		cmocka_unit_test(test_every_shipped_scenario),
		cmocka_unit_test(test_bad_corpus),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_base_depth),
		cmocka_unit_test(test_base_not_a_scenario),
		cmocka_unit_test(test_size_limits_by_text),
		cmocka_unit_test(test_params_order),
		cmocka_unit_test(test_set_number),
		cmocka_unit_test(test_set_number_uncertain_and_segments),
		cmocka_unit_test(test_validate_after_edit),
		cmocka_unit_test(test_edit_rules),
		cmocka_unit_test(test_edit_closed_row),
		cmocka_unit_test(test_copy_every_scenario),
		cmocka_unit_test(test_copy_edit_leaves_original),
		cmocka_unit_test(test_yamlnode_merge),
		cmocka_unit_test(test_yamlnode_refusals),
	};

	gsl_set_error_handler_off(); /* as main() does: GSL failures are statuses */
	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
