/*
 * test_explain.c - `clvsim explain` and the chain's structure in `clvsim
 * exact`, through the binary ($CLVSIM).
 *
 * What is checked: the textbook lesson's worked lines (products, sums,
 * discount factors, terms, the factored CLV, the steady state); the
 * Markdown form's tables and headings; for every example scenario, the
 * lesson's total equals `exact`'s to the cent; long horizons summarised
 * (and said so); an infinite horizon's closed-form tail completing the
 * engine's CLV whatever --periods; an uncertain scenario's Monte Carlo
 * section, identical for 1 and 2 threads; bad usage and bad files; the
 * structure in exact's text and JSON (exact.chain): classes, absorbing
 * states, N 1 against R markovchain's meanAbsorptionTime, stationary
 * distributions, and the two warnings (periodic, several closed classes).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdbool.h>

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#define DATA "tests/data/explain/"
#define RUN(c, ...) TH_RUN((c), __VA_ARGS__)

static void expect_ok(const th_child *c)
{
	if (c->code != 0)
		fprintf(stderr, "exit %d, stderr:\n%s\n", c->code, c->err);
	assert_int_equal(c->code, 0);
	assert_int_equal(c->err_len, 0);
}

static void expect_has(const th_child *c, const char *text)
{
	if (strstr(c->out, text) == NULL)
		fail_msg("output lacks: %s", text);
}

static json_t *json_of(const th_child *c)
{
	json_error_t jerr;
	json_t *doc = json_loads(c->out, 0, &jerr);

	if (doc == NULL)
		fail_msg("invalid JSON: %s", jerr.text);
	return doc;
}

static void textbook_lesson(void **state)
{
	th_child c;

	RUN(&c, "explain", "scenarios/textbook.yaml");
	expect_ok(&c);
	expect_has(&c, "  S_1[A] = 0.6000 x 0.7000 + 0.3000 x 0.1000 + 0.1000 x 0.2500\n"
	               "             = 0.4200 + 0.0300 + 0.0250 = 0.4750\n");
	expect_has(&c, "= 0.3325 + 0.0375 + 0.0375 = 0.4075\n");
	expect_has(&c, "t = 2   (1+r)^2 = 1.09^2 = 1.1881\n");
	expect_has(&c, "  1  0.4750  500.00   1.0900  217.8899     517.8899\n");
	expect_has(&c, "CLV_A = 500.00 x (0.6000 + 0.4750 / 1.0900 + 0.4075 / 1.1881) = 689.38\n");
	expect_has(&c, "CLV_B = 500.00 x (0.3000 + 0.3750 / 1.0900 + 0.4175 / 1.1881) = 497.72\n");
	expect_has(&c, "CLV_C = 500.00 x (0.1000 + 0.1500 / 1.0900 + 0.1750 / 1.1881) = 192.45\n");
	expect_has(&c, "CLV = 689.38 + 497.72 + 192.45 = 1379.56\n");
	expect_has(&c, "pi_A = 0.3250, pi_B = 0.4750, pi_C = 0.2000\n");
	expect_has(&c, "irreducible");
	assert_null(strstr(c.out, "What the uncertainty does")); /* nothing uncertain */
	assert_null(strstr(c.out, "Warning"));
	th_child_free(&c);
}

static void markdown_form(void **state)
{
	th_child c;

	RUN(&c, "explain", "scenarios/textbook.yaml", "--format", "markdown");
	expect_ok(&c);
	expect_has(&c, "# The CLV of \"Textbook example\", step by step\n");
	expect_has(&c, "\n## 4. CLV, term by term\n");
	expect_has(&c, "| t | S_t[A] | margin | (1+r)^t | term | running sum |\n"
	               "| --- | ---: | ---: | ---: | ---: | ---: |\n"
	               "| 0 | 0.6000 | 500.00 | 1.0000 | 300.0000 | 300.0000 |\n");
	expect_has(&c, "```text\nyear 0 -> 1: S_1 = S_0 P\n");
	assert_null(strstr(c.out, "\n---")); /* no text underlines */
	th_child_free(&c);
}

/* The last "CLV = ... = X" line of a lesson, X. */
static double lesson_total(const char *out)
{
	const char *p = out, *last = NULL, *eq;

	while ((p = strstr(p, "    CLV = ")) != NULL)
		last = p++;
	assert_non_null(last);
	eq = strchr(last, '\n');
	while (eq > last && *eq != '=')
		eq--;
	return strtod(eq + 1, NULL);
}

static double exact_total(const char *path)
{
	th_child c;
	json_t *doc;
	double v;

	RUN(&c, "exact", path, "--format", "json");
	expect_ok(&c);
	doc = json_of(&c);
	/* the lesson computes at the means: exact_at_means where the scenario
	   is uncertain (then "exact" is the expectation), else exact */
	v = json_number_value(json_object_get(json_object_get(json_object_get(doc,
	        json_object_get(doc, "exact_at_means") ? "exact_at_means" : "exact"), "clv"), "total"));
	json_decref(doc);
	th_child_free(&c);
	return v;
}

static void every_scenario_total(void **state)
{
	DIR *d = opendir("scenarios");
	struct dirent *e;
	int checked = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		char path[512];
		th_child c;
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
			continue;
		snprintf(path, sizeof path, "scenarios/%s", e->d_name);
		RUN(&c, "explain", path);
		expect_ok(&c);
		if (strstr(c.out, "The whole customer base") == NULL) {
			double lesson = lesson_total(c.out), exact = exact_total(path);
			if (fabs(lesson - exact) > 0.005 + 1e-9 * fabs(exact))
				fail_msg("%s: lesson total %.2f, exact %.2f", path, lesson, exact);
		} else {
			/* the mixture table's last row: "  total  1  ...  X" */
			const char *row = strstr(strstr(c.out, "The whole customer base"), "\n  total ");
			char want[64];
			assert_non_null(row);
			snprintf(want, sizeof want, "%.2f\n", exact_total(path));
			assert_non_null(strstr(row, want));
			assert_true(strstr(row, want) < strchr(row + 1, '\n') + 1);
		}
		checked++;
		th_child_free(&c);
	}
	closedir(d);
	assert_true(checked >= 10);
}

static void long_horizon_summarised(void **state)
{
	th_child c;

	RUN(&c, "explain", "scenarios/uncertain_retention.yaml");
	expect_ok(&c);
	expect_has(&c, "(months 4 to 34: the same step, not written out)\n");
	expect_has(&c, "months 4 to 34 are summarised");
	expect_has(&c, "  4-34                              272.9882     369.8286\n");
	expect_has(&c, "  36       0.2419   28.33   1.3310    5.1489     380.1939\n");
	expect_has(&c, "    CLV_Ours = 380.19\n");
	assert_null(strstr(c.out, "month 10 -> 11"));
	expect_has(&c, "6. What the uncertainty does");
	expect_has(&c, "200 replications of 500 customers");
	expect_has(&c, "(seed 42;");
	expect_has(&c, "The expected total CLV over the uncertainty is 391.76");
	expect_has(&c, "Jensen's inequality");
	th_child_free(&c);
}

static void uncertain_independent_of_threads(void **state)
{
	th_child one, two;

	setenv("OMP_NUM_THREADS", "1", 1);
	RUN(&one, "explain", "scenarios/uncertain_retention.yaml");
	setenv("OMP_NUM_THREADS", "2", 1);
	RUN(&two, "explain", "scenarios/uncertain_retention.yaml");
	unsetenv("OMP_NUM_THREADS");
	expect_ok(&one);
	expect_ok(&two);
	assert_string_equal(one.out, two.out);
	th_child_free(&one);
	th_child_free(&two);
}

static void infinite_tail(void **state)
{
	th_child a, b;

	RUN(&a, "explain", DATA "infinite.yaml", "--periods", "2");
	RUN(&b, "explain", DATA "infinite.yaml", "--periods", "30");
	expect_ok(&a);
	expect_ok(&b);
	/* periods 0..2 are offer periods: summed term by term before the tail;
	   the campaign's cost is the offer spend, on its own line */
	expect_has(&a, "  2*   0.4940  500.00   1.1881   207.8950     753.3078\n"
	               "  >=3                           1633.0455    2386.3533\n");
	expect_has(&b, "  >=30                            148.3346    2386.3533\n");
	expect_has(&a, "    CLV_A = 2386.35\n");
	expect_has(&b, "    CLV_A = 2386.35\n");
	/* 25 a year while in A: 0.6 x 25 + 0.535 x 25 / 1.09 + 0.494 x 25 / 1.09^2 */
	expect_has(&a, "    offer spend = 37.67\n");
	expect_has(&a, " - 37.67 (offer spend) = ");
	assert_true(fabs(lesson_total(a.out) - exact_total(DATA "infinite.yaml")) < 0.005);
	assert_true(fabs(lesson_total(b.out) - lesson_total(a.out)) < 1e-9);
	th_child_free(&a);
	th_child_free(&b);
}

static void bad_usage_and_files(void **state)
{
	th_child c;

	RUN(&c, "explain", "scenarios/textbook.yaml", "--format", "json");
	assert_int_equal(c.code, 2);
	assert_non_null(strstr(c.err, "--format must be text or markdown"));
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);
	RUN(&c, "exact", "scenarios/textbook.yaml", "--format", "markdown");
	assert_int_equal(c.code, 2);
	assert_non_null(strstr(c.err, "--format must be text or json"));
	th_child_free(&c);
	RUN(&c, "explain", "tests/data/cli/bad.yaml");
	assert_int_equal(c.code, 2);
	assert_non_null(strstr(c.err, "tests/data/cli/bad.yaml:7:6:"));
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);
	RUN(&c, "explain", DATA "no_such_file.yaml");
	assert_int_equal(c.code, 1);
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);
	RUN(&c, "explain");
	assert_int_equal(c.code, 2);
	th_child_free(&c);
}

/* exact.chain of a file. */
static json_t *chain_of(const char *path, json_t **doc)
{
	th_child c;

	RUN(&c, "exact", path, "--format", "json");
	expect_ok(&c);
	*doc = json_of(&c);
	th_child_free(&c);
	return json_object_get(json_object_get(*doc, "exact"), "chain");
}

static void chain_json(void **state)
{
	json_t *doc, *ch = chain_of("scenarios/lifecycle.yaml", &doc), *cls, *ept;

	assert_non_null(ch);
	cls = json_object_get(ch, "classes");
	assert_int_equal(json_array_size(cls), 4);
	assert_true(json_is_false(json_object_get(json_array_get(cls, 0), "closed")));
	assert_true(json_is_true(json_object_get(json_array_get(cls, 3), "closed")));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(cls, 2), "period")), 1);
	assert_int_equal(json_array_size(json_object_get(json_array_get(cls, 2), "states")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(ch, "absorbing"), 0)),
	                    "lost");
	/* R markovchain meanAbsorptionTime (tests/test_structure.c) */
	ept = json_object_get(ch, "expected_periods_to_absorption");
	assert_true(fabs(json_number_value(json_object_get(ept, "exploration")) - 5.82633053221289) <
	            1e-12);
	assert_true(fabs(json_number_value(json_object_get(ept, "decline")) - 3.52941176470588) <
	            1e-12);
	assert_true(fabs(json_number_value(json_object_get(json_object_get(json_object_get(
		ch, "absorption_probabilities"), "formation"), "lost")) - 1.0) < 1e-12);
	assert_true(json_is_object(
		json_object_get(json_object_get(ch, "fundamental_matrix"), "stability")));
	assert_int_equal(json_array_size(json_object_get(ch, "warnings")), 0);
	json_decref(doc);

	ch = chain_of("scenarios/textbook.yaml", &doc);
	assert_int_equal(json_array_size(json_object_get(ch, "classes")), 1);
	assert_true(fabs(json_number_value(json_object_get(
		json_array_get(json_object_get(ch, "stationary"), 0), "B")) - 0.475) < 1e-12);
	assert_int_equal(json_object_size(json_object_get(ch, "expected_periods_to_absorption")), 0);
	json_decref(doc);

	ch = chain_of("scenarios/customer_pyramid.yaml", &doc); /* one block per segment */
	assert_non_null(json_object_get(json_object_get(ch, "segments"), "key"));
	json_decref(doc);
}

static void chain_warnings(void **state)
{
	json_t *doc, *ch = chain_of(DATA "periodic.yaml", &doc), *w;
	th_child c;

	assert_int_equal(json_integer_value(json_object_get(
		json_array_get(json_object_get(ch, "classes"), 0), "period")), 2);
	w = json_object_get(ch, "warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_non_null(strstr(json_string_value(json_array_get(w, 0)), "periodic"));
	json_decref(doc);

	ch = chain_of(DATA "two_closed.yaml", &doc);
	w = json_object_get(ch, "warnings");
	assert_int_equal(json_array_size(w), 1);
	assert_non_null(strstr(json_string_value(json_array_get(w, 0)),
	                       "depends on the starting shares"));
	assert_int_equal(json_array_size(json_object_get(ch, "stationary")), 2);
	assert_true(fabs(json_number_value(json_object_get(json_object_get(json_object_get(
		ch, "absorption_probabilities"), "B"), "A")) - 0.519230769230769) < 1e-12);
	json_decref(doc);

	RUN(&c, "exact", DATA "two_closed.yaml");
	expect_ok(&c);
	expect_has(&c, "Warning: the chain has 2 closed classes ({A} and {D, E}): where a customer\n");
	expect_has(&c, "Expected periods before entering a closed class, counting the current one");
	th_child_free(&c);
	RUN(&c, "explain", DATA "periodic.yaml");
	expect_ok(&c);
	expect_has(&c, "Warning: the chain is periodic:");
	th_child_free(&c);
	RUN(&c, "run", DATA "two_closed.yaml", "--format", "json", "--replications", "2",
	    "--customers", "10", "--seed", "1");
	expect_ok(&c);
	expect_has(&c, "\"chain\"");
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(textbook_lesson),
		cmocka_unit_test(markdown_form),
		cmocka_unit_test(every_scenario_total),
		cmocka_unit_test(long_horizon_summarised),
		cmocka_unit_test(uncertain_independent_of_threads),
		cmocka_unit_test(infinite_tail),
		cmocka_unit_test(bad_usage_and_files),
		cmocka_unit_test(chain_json),
		cmocka_unit_test(chain_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
