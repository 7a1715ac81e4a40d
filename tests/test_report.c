/*
 * test_report.c - results as JSON and text (sim/output/report.c and
 * report_mc.c), built in memory from the shipped scenarios: the keys of
 * every JSON block and their values against the exact engine and the
 * Monte Carlo result they come from; NaN as null; the text head, the exact
 * tables and the Monte Carlo tables row by row; which period rows a long
 * table shows (report_next_row) and the note under it (report_rows_note).
 * (The printed document, byte for byte, is test_golden's job.)
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <jansson.h>

#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "output/report.h"
#include "output/report_mc.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* ------------------------------------------------------------------ */
/* The calls whose interface is being reworked (the exact block):      */
/* change them here only.                                              */

/* A scenario with its model, its expectation x and, borrowed from x, the
   exact result ex (x->mean); at_means: the figures at the means. */
typedef struct fixture {
	clv_scenario *s;
	clv_model *m;
	expect_result *x;
	exact_result *ex;
	exact_result *at_means;
} fixture;

static fixture fixture_of(clv_scenario *s)
{
	clv_error err = {0};
	fixture f = {s, model_at_means(s, &err), NULL, NULL, NULL};

	assert_non_null(f.m);
	f.at_means = exact_scenario(s, 20, &err);
	assert_non_null(f.at_means);
	f.x = expect_scenario(s, 20, NULL, &err);
	assert_non_null(f.x);
	f.ex = f.x->mean;
	return f;
}

static void fixture_free(fixture *f)
{
	expect_free(f->x);
	exact_free(f->at_means);
	model_free(f->m);
	scenario_free(f->s);
}

/* The "exact" JSON block of f; at_means: the "exact_at_means" block. */
static json_t *json_exact(const fixture *f, bool at_means)
{
	return at_means ? report_json_at_means(f->s, f->at_means) : report_json_exact(f->s, f->x);
}

/* The exact text tables of f; at_means: the CLV at the means beside. */
static void text_exact(FILE *out, const fixture *f, bool at_means)
{
	report_text_exact(out, f->s, f->x, at_means ? f->at_means : NULL);
}

/* The Monte Carlo text tables of run r beside f's exact figures. */
static void text_mc(FILE *out, const fixture *f, const mc_result *r)
{
	report_text_mc(out, f->s, r, f->x, NULL);
}

/* A text report written by `write` into memory (free() it). */
typedef struct text {
	char *buf;
	size_t len;
	FILE *f;
} text;

static FILE *text_open(text *t)
{
	t->f = open_memstream(&t->buf, &t->len);
	assert_non_null(t->f);
	return t->f;
}

static char *text_close(text *t)
{
	assert_int_equal(fclose(t->f), 0);
	return t->buf;
}

/* The keys of object o, in order, joined by ','. */
static void expect_keys(json_t *o, const char *want)
{
	char got[1024] = "";
	const char *key;
	json_t *v;

	assert_true(json_is_object(o));
	json_object_foreach(o, key, v) {
		if (got[0] != '\0')
			strcat(got, ",");
		strcat(got, key);
	}
	assert_string_equal(got, want);
}

static double num(json_t *o, const char *path)
{
	return th_json_number(o, path);
}

/* ------------------------------------------------------------------ */
/* JSON.                                                               */

static void json_numbers_and_names(void **state)
{
	static char a[] = "A", b[] = "B";
	char *names[] = {a, b};
	static const double v[3] = {1.5, NAN, 4.0};
	json_t *o;

	(void)state;
	o = report_json_number(NAN);
	assert_true(json_is_null(o));
	json_decref(o);
	o = report_json_number(INFINITY);
	assert_true(json_is_null(o));
	json_decref(o);
	o = report_json_number(-INFINITY);
	assert_true(json_is_null(o));
	json_decref(o);
	o = report_json_number(-2.25);
	assert_true(json_is_real(o) && json_real_value(o) == -2.25);
	json_decref(o);

	o = report_json_by_name(names, 2, v, true);
	expect_keys(o, "A,B,total");
	assert_true(num(o, "A") == 1.5);
	assert_true(json_is_null(json_object_get(o, "B")));
	assert_true(num(o, "total") == 4.0);
	json_decref(o);
	o = report_json_by_name(names, 2, v, false);
	expect_keys(o, "A,B");
	json_decref(o);
}

static void json_head_of_textbook(void **state)
{
	fixture f = fixture_of(th_scenario("textbook"));
	json_t *doc = report_json_head(f.s, f.m), *states;

	(void)state;
	expect_keys(doc, "scenario,file,states,horizon,period,currency,discount_rate,"
	                 "purchases_per_period");
	assert_string_equal(json_string_value(json_object_get(doc, "scenario")),
	                    "Textbook example");
	assert_string_equal(json_string_value(json_object_get(doc, "file")),
	                    "scenarios/textbook.yaml");
	states = json_object_get(doc, "states");
	assert_int_equal(json_array_size(states), 3);
	assert_string_equal(json_string_value(json_array_get(states, 2)), "C");
	assert_int_equal(json_integer_value(json_object_get(doc, "horizon")), 2);
	assert_string_equal(json_string_value(json_object_get(doc, "period")), "year");
	assert_true(json_is_null(json_object_get(doc, "currency"))); /* absent: null, not "" */
	expect_keys(json_object_get(doc, "discount_rate"), "per_period,unit,annual,given_as");
	assert_true(num(doc, "discount_rate.per_period") == 0.09);
	assert_true(num(doc, "discount_rate.annual") == 0.09);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "discount_rate"),
	                                                      "given_as")), "per_period");
	assert_true(num(doc, "purchases_per_period") == 1.0);
	json_decref(doc);
	fixture_free(&f);
}

/* An annual rate on monthly periods; an infinite horizon; a currency. */
static void json_head_units_and_infinite(void **state)
{
	fixture f = fixture_of(th_scenario("uncertain_retention"));
	json_t *doc = report_json_head(f.s, f.m), *d = json_object_get(doc, "discount_rate");

	(void)state;
	assert_true(fabs(num(doc, "discount_rate.per_period") - (pow(1.1, 1.0 / 12) - 1)) < 1e-15);
	/* the annual rate as written, not pow(1 + r, 12) - 1 = 0.0999999999999999 */
	assert_true(num(doc, "discount_rate.annual") == 0.1);
	assert_string_equal(json_string_value(json_object_get(d, "unit")), "month");
	assert_string_equal(json_string_value(json_object_get(d, "given_as")), "annual");
	json_decref(doc);
	fixture_free(&f);

	f = fixture_of(th_scenario_with("textbook", "horizon: infinite\ncurrency: EUR\n"));
	doc = report_json_head(f.s, f.m);
	assert_string_equal(json_string_value(json_object_get(doc, "horizon")), "infinite");
	assert_string_equal(json_string_value(json_object_get(doc, "currency")), "EUR");
	json_decref(doc);
	fixture_free(&f);
}

/* The "exact" block holds the exact engine's numbers, unrounded. */
static void json_exact_block_is_the_engine(void **state)
{
	fixture f = fixture_of(th_scenario("textbook"));
	json_t *ex = json_exact(&f, false), *share, *a;
	size_t t, i;

	(void)state;
	expect_keys(ex, "method,method_note,share,clv,offer_spend,steady_state,value_by_state");
	assert_string_equal(json_string_value(json_object_get(ex, "method")), "certain");
	share = json_object_get(ex, "share");
	expect_keys(share, "A,B,C");
	for (i = 0; i < 3; i++) {
		a = json_object_get(share, f.s->states[i]);
		assert_int_equal(json_array_size(a), 3);
		for (t = 0; t < 3; t++)
			assert_true(json_real_value(json_array_get(a, t)) == f.ex->share[t * 3 + i]);
	}
	expect_keys(json_object_get(ex, "clv"), "A,B,C,total");
	assert_true(num(ex, "clv.A") == f.ex->clv[0]);
	assert_true(num(ex, "clv.total") == f.ex->clv[3]);
	assert_true(fabs(num(ex, "clv.A") - 689.38) < 0.005); /* docs/theory.md section 4 */
	expect_keys(json_object_get(ex, "steady_state"), "A,B,C");
	assert_true(num(ex, "steady_state.B") == f.ex->steady[1]);
	/* no offers: nothing spent; the value by starting state, the engine's */
	assert_true(num(ex, "offer_spend") == 0.0);
	expect_keys(json_object_get(ex, "value_by_state"), "A,B,C");
	assert_true(num(ex, "value_by_state.C") == f.ex->value[2]);
	json_decref(ex);
	/* at the means of uncertain assumptions the block says so first */
	ex = json_exact(&f, true);
	expect_keys(ex, "note,share,clv,offer_spend,steady_state,value_by_state");
	json_decref(ex);
	fixture_free(&f);
}

static void json_summary_keys(void **state)
{
	stats_summary sm = {10, 1, 2, 3, 4, 5, 6, 7, 8};
	json_t *o = report_json_summary(&sm);

	(void)state;
	expect_keys(o, "mean,se,sd,p05,p25,p50,p75,p95");
	assert_true(num(o, "mean") == 1 && num(o, "sd") == 2 && num(o, "se") == 3);
	assert_true(num(o, "p05") == 4 && num(o, "p50") == 6 && num(o, "p95") == 8);
	json_decref(o);
}

/* The "mc" block: its run's numbers, and those within 5 standard errors
   of the exact engine. */
static void json_mc_block(void **state)
{
	fixture f = fixture_of(th_scenario("textbook"));
	mc_config cfg;
	mc_result *r;
	json_t *mc, *p;
	size_t i;
	long t;

	(void)state;
	th_mc_config(&cfg, f.s, 20, 2000, 1);
	r = th_mc_run(f.s, &cfg);
	mc = report_json_mc(f.s, r, "mc", 0, false);
	expect_keys(mc, "engine,replications,customers,seed,threads,sampling,share,clv,clv_avg,"
	                "offer_spend,p_share_falls,p_share_falls_se,customer_equity,se_method,"
	                "replication_values,se_df,total_ci95_half_width");
	expect_keys(json_object_get(json_object_get(mc, "clv"), "A"),
	            "mean,se,sd,p05,p25,p50,p75,p95,p_negative,p_negative_se");
	/* nobody loses money; A's share falls from 0.6 to 0.4075 in every replication */
	assert_true(num(mc, "clv.total.p_negative") == 0.0);
	assert_true(num(mc, "p_share_falls.A") == 1.0 && num(mc, "p_share_falls_se.A") == 0.0);
	assert_true(num(mc, "p_share_falls.B") == 0.0);
	assert_true(num(mc, "replications") == 20 && num(mc, "customers") == 2000);
	assert_true(num(mc, "seed") == 42 && num(mc, "threads") == 1);
	assert_string_equal(json_string_value(json_object_get(mc, "sampling")), "mc");
	expect_keys(json_object_get(json_object_get(mc, "share"), "B"), "mean,p05,p25,p50,p75,p95");
	for (i = 0; i < 3; i++) {
		json_t *mean = json_object_get(json_object_get(json_object_get(mc, "share"),
		                                               f.s->states[i]), "mean");
		assert_int_equal(json_array_size(mean), 3);
		for (t = 0; t < 3; t++)
			assert_true(json_real_value(json_array_get(mean, (size_t)t)) ==
			            r->share_mean[(size_t)t * 3 + i]);
	}
	expect_keys(json_object_get(mc, "clv"), "A,B,C,total");
	expect_keys(json_object_get(mc, "clv_avg"), "A,B,C,total");
	for (i = 0; i < 3; i++) {
		char path[64];
		double mean, se;
		snprintf(path, sizeof path, "clv.%s.mean", f.s->states[i]);
		mean = num(mc, path);
		assert_true(mean == r->clv[i].mean);
		snprintf(path, sizeof path, "clv.%s.se", f.s->states[i]);
		se = num(mc, path);
		assert_true(se > 0 && fabs(mean - f.ex->clv[i]) <= 5 * se);
	}
	/* every customer earns the same total here: mean = exact, spread 0 */
	assert_true(fabs(num(mc, "clv.total.mean") - f.ex->clv[3]) < 1e-9);
	assert_true(num(mc, "total_ci95_half_width") == r->half_width);
	json_decref(mc);
	mc = report_json_mc(f.s, r, "lhs", 0.01, true);
	assert_string_equal(json_string_value(json_object_get(mc, "sampling")), "lhs");
	p = json_object_get(mc, "precision");
	expect_keys(p, "target,relative,reached,half_width");
	assert_true(num(p, "target") == 0.01);
	assert_true(json_is_true(json_object_get(p, "relative")));
	assert_true(json_is_boolean(json_object_get(p, "reached")));
	json_decref(mc);
	mc_free(r);
	fixture_free(&f);
}

/* ------------------------------------------------------------------ */
/* Text.                                                               */

static const char textbook_head[] =
	"Scenario: Textbook example (scenarios/textbook.yaml)\n"
	"States:   A, B, C\n"
	"Horizon:  year 0..2 (2 + 1 periods valued)\n"
	"Discount: 9% per year\n"
	"Purchases: 1 per year\n";

static const char textbook_exact[] =
	"\n"
	"Expected share of wallet (state at the start of each year)\n"
	"  period             A             B             C\n"
	"       0      0.600000      0.300000      0.100000\n"
	"       1      0.475000      0.375000      0.150000\n"
	"       2      0.407500      0.417500      0.175000\n"
	"  steady      0.325000      0.475000      0.200000\n"
	"\n"
	"Expected CLV per customer (discounted to period 0)\n"
	"state                          margin             cost              CLV\n"
	"A                              689.38             0.00           689.38\n"
	"B                              497.72             0.00           497.72\n"
	"C                              192.45             0.00           192.45\n"
	"total                                                           1379.56\n";

static void text_head_and_exact_tables(void **state)
{
	static const char method[] = ""; /* nothing uncertain: no method line */
	fixture f = fixture_of(th_scenario("textbook"));
	text t;
	char *got;

	(void)state;
	report_text_head(text_open(&t), f.s, f.m);
	got = text_close(&t);
	assert_string_equal(got, textbook_head);
	free(got);
	text_exact(text_open(&t), &f, false);
	got = text_close(&t);
	assert_int_equal(strncmp(got, method, strlen(method)), 0);
	assert_string_equal(got + strlen(method), textbook_exact);
	free(got);
	/* with the figures at the means beside: one more column and a note */
	text_exact(text_open(&t), &f, true);
	got = text_close(&t);
	assert_non_null(strstr(got, "             CLV     at the means\n"));
	assert_non_null(strstr(got, "\nA                              689.38             0.00"
	                            "           689.38           689.38\n"));
	assert_non_null(strstr(got, "\n(\"at the means\": the exact engine"));
	free(got);
	fixture_free(&f);
}

/* Monthly periods with an annual rate, and a currency, in the head. */
static void text_head_units(void **state)
{
	fixture f = fixture_of(th_scenario("uncertain_retention"));
	text t;
	char *got;

	(void)state;
	report_text_head(text_open(&t), f.s, f.m);
	got = text_close(&t);
	assert_non_null(strstr(got, "\nHorizon:  month 0..36 (36 + 1 periods valued)\n"));
	assert_non_null(strstr(got, "\nDiscount: 0.797414% per month (10% per year)\n"));
	assert_null(strstr(got, "Money:"));
	free(got);
	fixture_free(&f);

	f = fixture_of(th_scenario_with("textbook", "currency: EUR\nhorizon: infinite\n"));
	report_text_head(text_open(&t), f.s, f.m);
	got = text_close(&t);
	assert_non_null(strstr(got, "\nHorizon:  infinite (year by year)\n"));
	assert_non_null(strstr(got, "\nMoney:    EUR\n"));
	free(got);
	fixture_free(&f);
}

/* Lines of got that start with `prefix`. */
static int lines_starting(const char *got, const char *prefix)
{
	const char *p = got;
	int n = 0;

	for (; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += strncmp(p, prefix, strlen(prefix)) == 0;
	return n;
}

/* 100 periods: rows 0, 4, ..., 100 (26 of them) and the note under it. */
static void text_long_table_rows(void **state)
{
	fixture f = fixture_of(th_scenario_with("textbook", "horizon: 100\n"));
	text t;
	char *got, row[16];
	long k;

	(void)state;
	text_exact(text_open(&t), &f, false);
	got = text_close(&t);
	for (k = 0; k <= 100; k++) {
		snprintf(row, sizeof row, "%8ld  ", k);
		assert_int_equal(lines_starting(got, row), k % 4 == 0 ? 1 : 0);
	}
	assert_non_null(strstr(got, "\n(one row every 4 periods, and the last; every period with "
	                            "--format json or --out DIR)\n"));
	free(got);
	fixture_free(&f);
}

/* The Monte Carlo tables: the run line, one fan row per period with the
   exact share in brackets, one CLV row per state and the total, the
   closing line. */
static void text_mc_tables(void **state)
{
	static const char run_line[] =
		"\nMonte Carlo: 20 replications x 2000 customers, seed 42, 2 threads\n";
	fixture f = fixture_of(th_scenario("textbook"));
	mc_config cfg;
	mc_result *r;
	text t;
	char *got, want[128];

	(void)state;
	th_mc_config(&cfg, f.s, 20, 2000, 2);
	r = th_mc_run(f.s, &cfg);
	text_mc(text_open(&t), &f, r);
	got = text_close(&t);
	assert_int_equal(strncmp(got, run_line, strlen(run_line)), 0);
	assert_int_equal(lines_starting(got, "       0  0.6000 ["), 1);
	assert_int_equal(lines_starting(got, "       1  "), 1);
	assert_int_equal(lines_starting(got, "       2  "), 1);
	assert_int_equal(lines_starting(got, "       3  "), 0);
	assert_non_null(strstr(got, "(0.4075)")); /* exact share of A in period 2 */
	assert_int_equal(lines_starting(got, "A                   689.38 "), 1);
	assert_int_equal(lines_starting(got, "B                   497.72 "), 1);
	assert_int_equal(lines_starting(got, "C                   192.45 "), 1);
	assert_int_equal(lines_starting(got, "total              1379.56 "), 1);
	snprintf(want, sizeof want, "\nMean total CLV: %.2f +- %.2f (95%% interval of the mean, "
	                            "Student t, %.0f df)\n", r->clv[3].mean, r->half_width, r->se_df);
	assert_non_null(strstr(got, want));
	/* the events, below the CLV table */
	assert_non_null(strstr(strstr(got, want), "\nP(a customer's CLV < 0), se in brackets: A "
	                                          "0.0000 (0.0000), B 0.0000 (0.0000)"));
	assert_non_null(strstr(got, "\nP(share at year 2 below the share at 0), of 20 replications: "
	                            "A 1.0000 (0.0000),"));
	assert_non_null(strstr(got, " B 0.0000 (0.0000), C 0.0000 (0.0000)\n")); /* wrapped */
	free(got);
	mc_free(r);
	fixture_free(&f);
}

/* ------------------------------------------------------------------ */
/* Which rows a table of periods shows.                                */

static void next_row_covers_and_ends_on_last(void **state)
{
	static const long cases[] = {0, 1, 2, 30, 31, 49, 100, 101, 1000, 99999};
	size_t c;

	(void)state;
	for (c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		long periods = cases[c], t = 0, rows = 1, stride = report_next_row(0, periods), next;
		while (t < periods) {
			next = report_next_row(t, periods);
			assert_true(next > t && next <= periods);
			if (next < periods)
				assert_int_equal(next - t, stride); /* evenly spaced but the last */
			t = next;
			rows++;
		}
		assert_int_equal(t, periods);
		if (periods <= 30)
			assert_int_equal(rows, periods + 1); /* every period */
		else /* about 25 rows: never more than 27, never fewer than 16 */
			assert_true(rows >= 16 && rows <= 27);
	}
	assert_int_equal(report_next_row(0, 31), 2);
	assert_int_equal(report_next_row(30, 31), 31);
	assert_int_equal(report_next_row(95, 101), 100);
	assert_int_equal(report_next_row(100, 101), 101);
}

static void rows_note_only_for_long_tables(void **state)
{
	text t;
	char *got;

	(void)state;
	report_rows_note(text_open(&t), 30);
	got = text_close(&t);
	assert_string_equal(got, "");
	free(got);
	report_rows_note(text_open(&t), 31);
	got = text_close(&t);
	assert_string_equal(got, "(one row every 2 periods, and the last; every period with "
	                         "--format json or --out DIR)\n");
	free(got);
}

static void period_unit_default(void **state)
{
	clv_scenario *s = th_scenario("textbook");

	(void)state;
	assert_string_equal(report_period_unit(s), "year");
	scenario_free(s);
	s = th_load_text("unit.yaml", "states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: 1\n"
	                              "discount_rate: 0.1\nmargin: 1\n");
	assert_string_equal(report_period_unit(s), "period");
	scenario_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(json_numbers_and_names),
		cmocka_unit_test(json_head_of_textbook),
		cmocka_unit_test(json_head_units_and_infinite),
		cmocka_unit_test(json_exact_block_is_the_engine),
		cmocka_unit_test(json_summary_keys),
		cmocka_unit_test(json_mc_block),
		cmocka_unit_test(text_head_and_exact_tables),
		cmocka_unit_test(text_head_units),
		cmocka_unit_test(text_long_table_rows),
		cmocka_unit_test(text_mc_tables),
		cmocka_unit_test(next_row_covers_and_ends_on_last),
		cmocka_unit_test(rows_note_only_for_long_tables),
		cmocka_unit_test(period_unit_default),
	};

	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
