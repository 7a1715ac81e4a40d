/*
 * test_check.c - `clvsim check` reports every independent problem of a
 * file (sim/cli/cmd_check.c, the collecting loader of sim/scenario/ and
 * the kept problems of sim/base/diag.c): each as "FILE:LINE:COLUMN:
 * MESSAGE", in file order, at most 20 per file then "N more problems not
 * shown", exit 2; problems that follow from an earlier one are not
 * reported; a good file passes; `run` refuses with the first of them and
 * writes nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/diag.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* Five mistakes, one per kind: a misspelt key, a quoted number, a row
   summing to 1.1, a negative margin beyond the money limit, an unknown
   distribution. */
static const char MULTI[] =
	"name: \"Several mistakes\"\n"                     /* 1 */
	"states: [A, B, C]\n"                              /* 2 */
	"initial: [0.60, 0.30, 0.10]\n"                    /* 3 */
	"switching:\n"                                     /* 4 */
	"  A: [0.70, 0.20, 0.10]\n"                        /* 5 */
	"  B: [0.10, 0.80, 0.20]\n"                        /* 6 */
	"  C: [0.25, 0.15, 0.60]\n"                        /* 7 */
	"period: year\n"                                   /* 8 */
	"horizn: 2\n"                                      /* 9 */
	"discount_rate: \"0.09\"\n"                        /* 10 */
	"margin: {A: 500, B: -2e15, C: 100}\n"             /* 11 */
	"cost_per_period: {dist: normall, mean: 1, sd: 2}\n" /* 12 */
	"customers: 1000\n";                               /* 13 */

/* The lines `check` must print for MULTI written at path (joined). */
static char *multi_expected(const char *path)
{
	char *want = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&want, &len);

	assert_non_null(f);
	fprintf(f, "clvsim: error: %s:6:6: switching row \"B\" sums to 1.1, not 1 (difference 0.1; "
	        "rows must sum to 1 within 1e-9; clvsim never renormalises)\n", path);
	fprintf(f, "clvsim: error: %s:9:1: unknown key \"horizn\" (did you mean \"horizon\"?)\n",
	        path);
	fprintf(f, "clvsim: error: %s:10:16: discount_rate: expected a number, found the quoted "
	        "string \"0.09\"\n", path);
	fprintf(f, "clvsim: error: %s:11:21: margin.B = -2e15 is outside [-1e+15, 1e+15], the range "
	        "of an amount of money\n", path);
	fprintf(f, "clvsim: error: %s:12:25: cost_per_period.A: unknown distribution \"normall\" "
	        "(did you mean \"normal\"?)\n", path);
	fclose(f);
	return want;
}

/* Lines of text (each ending in '\n'). */
static size_t count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

/* `clvsim check` on text written as dir/name: stderr must have `lines`
   lines, exit 2, nothing on stdout. Returns the child (th_child_free). */
static void check_text(th_child *c, const char *dir, const char *name, const char *text,
                       size_t lines)
{
	char path[512];

	th_path(path, sizeof path, dir, name);
	th_write_file(path, text);
	TH_RUN(c, "check", path);
	th_expect_exit(c, CLV_EXIT_INPUT);
	assert_int_equal(c->out_len, 0);
	if (count_lines(c->err) != lines)
		fprintf(stderr, "%s: want %zu lines, got:\n%s", name, lines, c->err);
	assert_int_equal(count_lines(c->err), lines);
}

/* ------------------------------------------------------------------ */
/* Every problem, in file order.                                       */

static void every_mistake_in_file_order(void **state)
{
	char *dir = th_tmpdir("test-check"), path[512], *want;
	th_child c = {0};

	(void)state;
	th_path(path, sizeof path, dir, "multi.yaml");
	th_write_file(path, MULTI);
	want = multi_expected(path);
	TH_RUN(&c, "check", path);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_int_equal(c.out_len, 0);
	assert_string_equal(c.err, want);
	th_child_free(&c);

	/* a good file beside it is still ok, and the bad one fails the check */
	TH_RUN(&c, "check", "scenarios/textbook.yaml", path);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_non_null(strstr(c.out, "scenarios/textbook.yaml: ok"));
	assert_string_equal(c.err, want);
	th_child_free(&c);
	free(want);
	th_tmpdir_remove(dir);
}

/* A problem in a base: file is named there; the top file's come first. */
static void base_chain_problems(void **state)
{
	char *dir = th_tmpdir("test-check"), base[512], top[512], want[4096];
	th_child c = {0};

	(void)state;
	th_path(base, sizeof base, dir, "base.yaml");
	th_path(top, sizeof top, dir, "top.yaml");
	th_write_file(base, "states: [A, B]\ninitial: [0.5, 0.5]\n"
	                    "switching: [[0.9, 0.1], [0.2, 0.9]]\nhorizon: 3\n"
	                    "discount_rate: 0.1\nmargin: {A: 1, B: \"2\"}\n");
	th_write_file(top, "base: base.yaml\nhorizon: 3.5\nmargni: 3\n");
	TH_RUN(&c, "check", top);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	snprintf(want, sizeof want,
	         "clvsim: error: %s:2:10: horizon must be a whole number, found 3.5\n"
	         "clvsim: error: %s:3:1: unknown key \"margni\" (did you mean \"margin\"?)\n"
	         "clvsim: error: %s:3:25: switching row \"B\" sums to 1.1, not 1 (difference 0.1; "
	         "rows must sum to 1 within 1e-9; clvsim never renormalises)\n"
	         "clvsim: error: %s:6:19: margin.B: expected a number, found the quoted string "
	         "\"2\"\n", top, top, base, base);
	assert_string_equal(c.err, want);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* Each segment on its own, its problems marked with its name. */
static void segment_problems(void **state)
{
	char *dir = th_tmpdir("test-check");
	th_child c = {0};

	(void)state;
	check_text(&c, dir, "segs.yaml",
	           "states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
	           "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\nsegments:\n"
	           "  gold: {weight: 0.5, margin: \"x\", retention: {A: 3}}\n"
	           "  silver: {weight: 0.5, initial: [0.2, 0.9]}\n", 3);
	assert_non_null(strstr(c.err, ":8:31: margin.A: expected a number, found the quoted "
	                              "string \"x\" (in segment \"gold\")\n"));
	assert_non_null(strstr(c.err, ":8:51: retention.A = 3 is outside [0, 1], the range of a "
	                              "probability (in segment \"gold\")\n"));
	assert_non_null(strstr(c.err, ":9:34: initial sums to 1.1, not 1"));
	assert_non_null(strstr(c.err, "(in segment \"silver\")\n"));
	th_child_free(&c);

	/* a segment's name, weight and keys on their own; one whose keys are
	   wrong is not built (not its keys again); no sum of unread weights */
	check_text(&c, dir, "segs2.yaml",
	           "states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
	           "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\nsegments:\n"
	           "  all: {weight: 0.2}\n"
	           "  gold: {weight: \"0.5\", margni: 3}\n"
	           "  silver: {weight: 0.3, initial: [0.2, 0.9]}\n"
	           "  bronze: {weight: 0.2, states: [A]}\n", 5);
	assert_non_null(strstr(c.err, ":8:3: segment name \"all\" is reserved"));
	assert_non_null(strstr(c.err, ":9:18: segment \"gold\": weight: expected a number"));
	assert_non_null(strstr(c.err, ":9:25: unknown key \"margni\" in segment \"gold\" (did you "
	                              "mean \"margin\"?)\n"));
	assert_non_null(strstr(c.err, ":10:34: initial sums to 1.1"));
	assert_non_null(strstr(c.err, ":11:25: key \"states\" cannot differ between segments"));
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* Correlations: each entry on its own; the rules between entries (a pair
   twice) only when all were read. */
static void correlation_problems(void **state)
{
	char *dir = th_tmpdir("test-check");
	th_child c = {0};

	(void)state;
	check_text(&c, dir, "corr.yaml",
	           "states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
	           "horizon: 3\ndiscount_rate: {dist: uniform, min: 0.05, max: 0.15}\n"
	           "margin: {A: {dist: normal, mean: 10, sd: 1}, B: 5}\ncorrelations:\n"
	           "  - [margin.A, margin.B, 0.5]\n"
	           "  - [margin.A, discount_rat, 0.2]\n"
	           "  - [margin.A, discount_rate, 1.5]\n"
	           "  - [margin.A, discount_rate, 0.5]\n"
	           "  - [margin.A, discount_rate, 0.5]\n", 3);
	assert_non_null(strstr(c.err, ":8:16: correlations: \"margin.B\" is a fixed number"));
	assert_non_null(strstr(c.err, ":9:16: correlations: no assumption is labelled "
	                              "\"discount_rat\" (did you mean \"discount_rate\"?)\n"));
	assert_non_null(strstr(c.err, ":10:31: correlations: rho = 1.5 must lie strictly"));
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* Offers: each field, each offer; the brand missing because misspelt is
   said once. */
static void offer_problems(void **state)
{
	char *dir = th_tmpdir("test-check");
	th_child c = {0};

	(void)state;
	check_text(&c, dir, "offers.yaml",
	           "states: [A, B]\ninitial: [0.5, 0.5]\nswitching: [[0.9, 0.1], [0.2, 0.8]]\n"
	           "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\ncampaign:\n"
	           "  - {brnad: A, cost: \"5\", retention_uplift: 0.05}\n"
	           "  - {brand: C, cost: 1, margin_cut: 2, periods: 0}\n"
	           "  - {brand: A, cost: 1, periods: 2}\n", 5);
	assert_non_null(strstr(c.err, ":8:6: unknown key \"brnad\" in campaign[0] (did you mean "
	                              "\"brand\"?)\n"));
	assert_non_null(strstr(c.err, ":8:22: campaign[0].cost: expected a number"));
	assert_non_null(strstr(c.err, ":9:13: campaign[1].brand: \"C\" is not a state"));
	assert_non_null(strstr(c.err, ":9:37: campaign[1].margin_cut = 2 is outside"));
	assert_non_null(strstr(c.err, ":9:49: campaign[1].periods must be >= 1"));
	/* no "missing brand" and no "offers must share periods" */
	assert_null(strstr(c.err, "missing required key"));
	assert_null(strstr(c.err, "share one `periods`"));
	th_child_free(&c);

	/* each entry of win_from, each alpha of a dirichlet row */
	check_text(&c, dir, "entries.yaml",
	           "states: [A, B, C]\ninitial: [0.5, 0.5, 0]\nswitching:\n"
	           "  - {dist: dirichlet, alpha: [0, \"2\", 3]}\n"
	           "  - {dist: dirichlet, alpha: [1, 2]}\n  - [0, 0, 1]\n"
	           "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\n"
	           "campaign: {brand: A, win_from: {B: 2, C: \"x\"}}\n", 5);
	assert_non_null(strstr(c.err, ":4:31: switching row \"A\": alpha for \"A\" = 0 must be > 0"));
	assert_non_null(strstr(c.err, ":4:34: switching row \"A\": alpha for \"B\": expected a "
	                              "number"));
	assert_non_null(strstr(c.err, ":5:30: switching row \"B\": alpha must be a list of 3"));
	assert_non_null(strstr(c.err, ":10:36: campaign.win_from.B = 2 is outside [0, 1]"));
	assert_non_null(strstr(c.err, ":10:42: campaign.win_from.C: expected a number"));
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* ------------------------------------------------------------------ */
/* The limit.                                                          */

/* A valid one-state file with `extra` unknown keys kee1..keeN. */
static char *with_unknown_keys(int extra)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	fputs("states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: 3\ndiscount_rate: 0.1\n"
	      "margin: 1\n", f);
	for (i = 1; i <= extra; i++)
		fprintf(f, "zzkey%d: 1\n", i);
	fclose(f);
	return text;
}

static void limit_then_how_many_more(void **state)
{
	char *dir = th_tmpdir("test-check"), path[512], line[1200], *text;
	th_child c = {0};

	(void)state;
	th_path(path, sizeof path, dir, "many.yaml");
	text = with_unknown_keys(27);
	check_text(&c, dir, "many.yaml", text, 21);
	free(text);
	/* the first 20 in file order, then the count */
	snprintf(line, sizeof line, "clvsim: error: %s:7:1: unknown key \"zzkey1\"\n", path);
	assert_int_equal(strncmp(c.err, line, strlen(line)), 0);
	snprintf(line, sizeof line, "clvsim: error: %s:26:1: unknown key \"zzkey20\"\n"
	         "clvsim: error: %s: 7 more problems not shown\n", path, path);
	assert_non_null(strstr(c.err, line));
	assert_null(strstr(c.err, "zzkey21"));
	th_child_free(&c);

	/* 20 exactly: all shown, no count; 21: "1 more problem" */
	text = with_unknown_keys(20);
	check_text(&c, dir, "many.yaml", text, 20);
	assert_null(strstr(c.err, "not shown"));
	free(text);
	th_child_free(&c);
	text = with_unknown_keys(21);
	check_text(&c, dir, "many.yaml", text, 21);
	assert_non_null(strstr(c.err, ": 1 more problem not shown\n"));
	free(text);
	th_child_free(&c);

	/* past the problems kept (10000), the rest are counted, quickly */
	text = with_unknown_keys(30000);
	check_text(&c, dir, "many.yaml", text, 21);
	assert_non_null(strstr(c.err, ": 29980 more problems not shown\n"));
	free(text);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* ------------------------------------------------------------------ */
/* Cascades.                                                           */

static void cascades_suppressed(void **state)
{
	char *dir = th_tmpdir("test-check");
	th_child c = {0};

	(void)state;
	/* states unreadable: nothing per state (initial, switching, margin),
	   but the keys that do not need states are still checked */
	check_text(&c, dir, "states.yaml",
	           "states: A\ninitial: [1, 0, 3]\nswitching: [[1, 0], [0, 1]]\nhorizon: 3\n"
	           "discount_rate: -0.1\nmargin: {A: 1, B: x}\ncustomers: 0\n", 3);
	assert_non_null(strstr(c.err, ":1:9: states must be a list of names"));
	assert_non_null(strstr(c.err, ":5:16: discount_rate = -0.1 is outside"));
	assert_non_null(strstr(c.err, ":7:12: customers must be >= 1"));
	th_child_free(&c);

	/* a matrix whose shape is wrong: its rows are not checked; a row with
	   the wrong length: not its sum; initial of the wrong length: no sum */
	check_text(&c, dir, "shape.yaml",
	           "states: [A, B]\ninitial: [0.5, 0.6, 0]\n"
	           "switching: [[0.5, 0.6], [0, 1], [1, 0]]\nhorizon: 3\ndiscount_rate: 0.1\n"
	           "margin: 1\n", 2);
	assert_non_null(strstr(c.err, ":2:10: initial has 3 entries, expected 2"));
	assert_non_null(strstr(c.err, ":3:12: switching has 3 rows, expected 2"));
	th_child_free(&c);

	/* a bad entry: not the sum of its row or of initial; a row of the
	   wrong length: not its entries */
	check_text(&c, dir, "entries.yaml",
	           "states: [A, B]\ninitial: [0.9, \"0.5\"]\n"
	           "switching: [[1.5, 0.7], [0.2, 0.3, 0.5]]\nretention: {B: 0.5}\nhorizon: 3\n"
	           "discount_rate: 0.1\nmargin: 1\n", 3);
	assert_null(strstr(c.err, "sums to"));
	assert_null(strstr(c.err, "leaves no room"));
	th_child_free(&c);

	/* a misspelt required key: not also "missing"; a misspelt state: not
	   also "no value for state" */
	check_text(&c, dir, "misspelt.yaml",
	           "states: [A, B]\ninitail: [0.5, 0.5]\nswitching: [[1, 0], [0, 1]]\nhorizon: 3\n"
	           "discount_rate: 0.1\nmargin: {A: 1, Bb: 2}\n", 2);
	assert_non_null(strstr(c.err, ":2:1: unknown key \"initail\" (did you mean \"initial\"?)"));
	assert_non_null(strstr(c.err, ":6:16: margin: \"Bb\" is not a state (did you mean \"B\"?)"));
	th_child_free(&c);

	/* a bad period: {annual: ...} is not also refused for it; a bad
	   distribution parameter key: not also "needs sd" */
	check_text(&c, dir, "period.yaml",
	           "states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: 3\nperiod: yaer\n"
	           "discount_rate: {annual: 0.1}\nmargin: {dist: normal, mean: 1, sdd: 2}\n", 2);
	assert_non_null(strstr(c.err, ":5:9: period: unknown value \"yaer\" (did you mean "
	                              "\"year\"?)"));
	assert_non_null(strstr(c.err, "unknown key \"sdd\" in the normal distribution of margin.A "
	                              "(did you mean \"sd\"?)"));
	th_child_free(&c);

	/* growth above the rate on an infinite horizon: said once (not also
	   the reach of the truncation) */
	check_text(&c, dir, "growth.yaml",
	           "states: [A]\ninitial: [1]\nswitching: [[1]]\nhorizon: infinite\n"
	           "discount_rate: 0.01\nspend_growth: 0.1\nmargin: 1\n", 1);
	assert_non_null(strstr(c.err, "an infinite horizon needs a discount rate above the spend "
	                              "growth"));
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* ------------------------------------------------------------------ */
/* Good files, and the other commands.                                 */

static void good_files_pass(void **state)
{
	static const char *const good[] = {"scenarios/textbook.yaml", "scenarios/lifecycle.yaml",
	                                   "scenarios/uncertain_campaign.yaml",
	                                   "scenarios/customer_pyramid.yaml"};
	th_child c = {0};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof good / sizeof good[0]; k++) {
		TH_RUN(&c, "check", good[k]);
		th_expect_exit(&c, 0);
		assert_int_equal(c.err_len, 0);
		assert_non_null(strstr(c.out, ": ok ("));
		th_child_free(&c);
	}
}

/* run, exact and tornado refuse the file with check's first problem and
   how many more; run writes nothing into --out. */
static void run_refuses_with_the_first(void **state)
{
	char *dir = th_tmpdir("test-check"), path[512], out[512], first[1024], *want;
	const char *const cmds[][3] = {{"run", "--quiet", NULL}, {"exact", NULL, NULL},
	                               {"tornado", "--quiet", NULL}};
	struct stat st;
	th_child c = {0};
	size_t k;

	(void)state;
	th_path(path, sizeof path, dir, "multi.yaml");
	th_path(out, sizeof out, dir, "out");
	th_write_file(path, MULTI);
	want = multi_expected(path);
	snprintf(first, sizeof first, "%.*s (and 4 more problems: clvsim check lists them all)\n",
	         (int)(strchr(want, '\n') - want), want);
	free(want);
	TH_RUN(&c, "run", path, "--quiet", "--out", out);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_string_equal(c.err, first);
	assert_int_equal(c.out_len, 0);
	assert_int_not_equal(stat(out, &st), 0); /* no half-written output */
	th_child_free(&c);
	for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		TH_RUN(&c, cmds[k][0], path, cmds[k][1]);
		th_expect_exit(&c, CLV_EXIT_INPUT);
		assert_string_equal(c.err, first);
		th_child_free(&c);
	}
	th_tmpdir_remove(dir);
}

/* ------------------------------------------------------------------ */
/* In the process: the kept problems.                                  */

static void load_keeps_every_problem(void **state)
{
	diag_list all = {0};
	clv_error err = {.all = &all};
	clv_scenario *s;

	(void)state;
	s = scenario_load_buffer("multi.yaml", MULTI, sizeof MULTI - 1, &err);
	assert_null(s);
	assert_int_equal(all.n, 5);
	assert_int_equal(all.item[0].line, 6);
	assert_int_equal(all.item[4].line, 12);
	assert_string_equal(all.item[1].file, "multi.yaml");
	/* err holds the first, as run reports it */
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_string_equal(err.msg, all.item[0].msg);
	diag_list_free(&all);
	assert_int_equal(all.n, 0);

	/* without a list: the first, with how many more */
	err = (clv_error){0};
	s = scenario_load_buffer("multi.yaml", MULTI, sizeof MULTI - 1, &err);
	assert_null(s);
	assert_non_null(strstr(err.msg, "multi.yaml:6:6: switching row \"B\" sums to 1.1"));
	assert_non_null(strstr(err.msg, "(and 4 more problems: clvsim check lists them all)"));
	assert_null(err.all);
}

static void keep_sort_and_dedupe(void **state)
{
	clv_pos a = {"top.yaml", 5, 2}, b = {"base.yaml", 1, 1}, c = {"top.yaml", 2, 9};
	const char *const files[] = {"top.yaml", "base.yaml"};
	diag_list all = {0};
	clv_error err = {0};

	(void)state;
	/* no list: nothing kept, the caller stops */
	diag_set(&err, CLV_ERR_INPUT, &a, "x");
	assert_false(diag_keep(&err));
	assert_int_equal(err.status, CLV_ERR_INPUT);
	diag_clear(&err);

	err.all = &all;
	assert_true(diag_keep(&err)); /* nothing pending: go on */
	assert_int_equal(all.n, 0);
	diag_set(&err, CLV_ERR_INPUT, &a, "late");
	assert_true(diag_keep(&err));
	assert_int_equal(err.status, CLV_OK);
	diag_set(&err, CLV_ERR_LIMIT, &b, "in the base");
	assert_true(diag_keep(&err));
	diag_set(&err, CLV_ERR_INPUT, &c, "early");
	assert_true(diag_keep(&err));
	diag_set(&err, CLV_ERR_INPUT, &a, "late"); /* the same again */
	assert_true(diag_keep(&err));
	assert_int_equal(diag_kept(&err), 4);
	/* out of memory is not a problem of the input: not kept */
	diag_set(&err, CLV_ERR_NOMEM, NULL, "out of memory");
	assert_false(diag_keep(&err));
	assert_int_equal(err.status, CLV_ERR_NOMEM);

	diag_list_sort(&all, files, 2);
	assert_int_equal(all.n, 3);
	assert_string_equal(all.item[0].msg, "top.yaml:2:9: early");
	assert_string_equal(all.item[1].msg, "top.yaml:5:2: late");
	assert_string_equal(all.item[2].msg, "base.yaml:1:1: in the base");
	diag_list_suffix(&all, 2, " (in segment \"s\")");
	assert_string_equal(all.item[2].msg, "base.yaml:1:1: in the base (in segment \"s\")");
	assert_string_equal(all.item[1].msg, "top.yaml:5:2: late");
	diag_list_take(&all, 2, &err);
	assert_int_equal(err.status, CLV_ERR_LIMIT);
	assert_string_equal(err.msg, "base.yaml:1:1: in the base (in segment \"s\")");
	diag_list_free(&all);
}

/* Past DIAG_KEEP_MAX problems are counted, not kept; the sort puts the
   kept ones in file order, found order at one place, repeats dropped. */
static void many_problems_counted(void **state)
{
	diag_list all = {0};
	clv_error err = {.all = &all};
	size_t i;

	(void)state;
	for (i = 0; i < DIAG_KEEP_MAX + 5; i++) {
		clv_pos at = {"f.yaml", (int)(DIAG_KEEP_MAX - i % DIAG_KEEP_MAX), (int)(i % 3) + 1};
		diag_set(&err, CLV_ERR_INPUT, &at, "p%zu", i % 7);
		assert_true(diag_keep(&err));
	}
	assert_int_equal(all.n, DIAG_KEEP_MAX);
	assert_int_equal(all.dropped, 5);
	assert_int_equal(diag_kept(&err), DIAG_KEEP_MAX + 5);
	diag_list_sort(&all, NULL, 0);
	assert_int_equal(all.n, DIAG_KEEP_MAX);
	for (i = 1; i < all.n; i++)
		assert_true(all.item[i - 1].line < all.item[i].line ||
		            (all.item[i - 1].line == all.item[i].line &&
		             all.item[i - 1].column <= all.item[i].column));
	diag_list_free(&all);
	assert_int_equal(all.dropped, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_mistake_in_file_order),
		cmocka_unit_test(base_chain_problems),
		cmocka_unit_test(segment_problems),
		cmocka_unit_test(offer_problems),
		cmocka_unit_test(correlation_problems),
		cmocka_unit_test(limit_then_how_many_more),
		cmocka_unit_test(cascades_suppressed),
		cmocka_unit_test(good_files_pass),
		cmocka_unit_test(run_refuses_with_the_first),
		cmocka_unit_test(load_keeps_every_problem),
		cmocka_unit_test(keep_sort_and_dedupe),
		cmocka_unit_test(many_problems_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
