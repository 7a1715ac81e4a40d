/*
 * test_fit_cli.c - `clvsim fit` and `clvsim simulate` as a user meets
 * them: the built binary ($CLVSIM, default ./clvsim) run as a child
 * process (no shell) from the top of the repository.
 *
 * What is checked:
 *   - every kind of bad data (purchase records and cohorts) and bad
 *     option: exit 2, the exact message with FILE:LINE:COLUMN, nothing on
 *     stdout and nothing written (no scenario, no table, no temp file);
 *   - the worked example (scenarios/data): the scenario, customers.csv,
 *     the holdout and survival tables and figures appear; `check`, `exact`
 *     and `run` accept both fitted scenarios; the JSON keys of the issue;
 *   - rows in any order give the same fit;
 *   - the Monte Carlo spread of a fitted scenario shrinks as the data grow
 *     (records of 100, 400 and 2500 customers from one known chain);
 *   - the sBG scenario's Monte Carlo survival follows the fitted curve
 *     within 5 standard errors (so retention's shapes are not swapped);
 *   - `simulate` walks exactly as replication 0 of `run` does.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "clvsim.h"
#include "test_helpers.h"

static char tmp_dir[64];

/* A child run by test_helpers.h: exit status, stdout and stderr. */
typedef th_child child;

/* ------------------------------------------------------------------ */
/* Helpers.                                                             */

static void write_bytes(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static char *tmp_path(const char *name)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof path[0], "%s/%s", tmp_dir, name);
	return p;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Names in dir, one per line (sorted by the caller's needs: none). */
static int count_entries(const char *dir, bool hidden_only)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (!hidden_only || e->d_name[0] == '.'))
			n++;
	closedir(d);
	return n;
}

#define RUN(c, ...) TH_RUN((c), __VA_ARGS__)

static json_t *parse_json(const child *c)
{
	json_error_t jerr;
	json_t *doc = json_loadb(c->out, c->out_len, 0, &jerr);

	if (doc == NULL)
		fprintf(stderr, "invalid JSON at line %d: %s\n", jerr.line, jerr.text);
	assert_non_null(doc);
	return doc;
}

/* The node at a dotted path ("fit.switching.A.B"); fails if absent. */
static json_t *json_path(json_t *doc, const char *path)
{
	char key[256], *dot, *k = key;
	json_t *node = doc;

	snprintf(key, sizeof key, "%s", path);
	while (node != NULL && k != NULL) {
		dot = strchr(k, '.');
		if (dot != NULL)
			*dot = '\0';
		node = json_object_get(node, k);
		k = dot != NULL ? dot + 1 : NULL;
	}
	if (node == NULL)
		fprintf(stderr, "nothing at %s\n", path);
	assert_non_null(node);
	return node;
}

static double json_num(json_t *doc, const char *path)
{
	json_t *n = json_path(doc, path);

	assert_true(json_is_number(n));
	return json_number_value(n);
}

static int setup(void **state)
{
	if (access(th_binary(), X_OK) != 0)
		return -1;
	setenv("CLVSIM_PLOTS_DIR", "plots", 0); /* a binary outside the top folder */
	strcpy(tmp_dir, "/tmp/clvsim_test_fit_cli_XXXXXX");
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* Bad data: the exact message, exit 2, nothing written.                */

typedef struct bad_case {
	const char *name;     /* file name in tmp_dir */
	const char *text;
	size_t len;           /* 0: strlen(text) */
	const char *option;   /* an extra option and its value, or NULL */
	const char *value;
	const char *message;  /* after "clvsim: error: <tmp_dir>/<name>:" */
} bad_case;

#define H "customer,date,brand,amount\n"

static const bad_case bad_records[] = {
	{"empty.csv", "", 0, NULL, NULL, "1:1: empty input: expected a header line naming the "
	 "columns customer, date (or period), brand and optionally amount"},
	{"blank.csv", "\n\n", 0, NULL, NULL, "1:1: empty input: expected a header line naming the "
	 "columns customer, date (or period), brand and optionally amount"},
	{"header.csv", H, 0, NULL, NULL, "2:1: no purchase records after the header"},
	{"nobrand.csv", "customer,date\n1,2024-01-01\n", 0, NULL, NULL, "1:1: no \"brand\" column; "
	 "the header must name customer, date (or period) and brand, and may name amount"},
	{"notime.csv", "customer,brand\n1,A\n", 0, NULL, NULL, "1:1: no \"date\" or \"period\" "
	 "column; the header must name customer, date (or period) and brand, and may name amount"},
	{"unknown.csv", "customer,date,Brand\n", 0, NULL, NULL, "1:15: unknown column \"Brand\" "
	 "(did you mean \"brand\"?); the columns are customer, date or period, brand, amount"},
	{"extra.csv", "customer,date,brand,price\n", 0, NULL, NULL, "1:21: unknown column \"price\"; "
	 "the columns are customer, date or period, brand, amount"},
	{"twice.csv", "customer,date,brand,brand\n", 0, NULL, NULL, "1:21: column \"brand\" named "
	 "twice (first at column 15)"},
	{"both.csv", "customer,date,period,brand\n", 0, NULL, NULL, "1:15: both a date and a "
	 "period column: give one of them"},
	{"nocol.csv", "customer,,brand\n", 0, NULL, NULL, "1:10: empty column name"},
	{"month.csv", H "1,2024-01-05,A,1\n1,2024-13-45,B,2\n", 0, NULL, NULL, "3:3: date "
	 "\"2024-13-45\": month 13 is not 1 to 12 (dates are ISO 8601: YYYY-MM-DD)"},
	{"leap.csv", H "1,2023-02-29,A,1\n", 0, NULL, NULL, "2:3: date \"2023-02-29\": day 29 is "
	 "not 1 to 28 in 2023-02 (dates are ISO 8601: YYYY-MM-DD)"},
	{"us.csv", H "1,01/05/2024,A,1\n", 0, NULL, NULL, "2:3: date \"01/05/2024\": not in the "
	 "form YYYY-MM-DD (dates are ISO 8601: YYYY-MM-DD)"},
	{"ten.csv", H "1,2024-01-05,A,ten\n", 0, NULL, NULL, "2:16: amount \"ten\" is not a number"},
	{"inf.csv", H "1,2024-01-05,A,1e999\n", 0, NULL, NULL, "2:16: amount \"1e999\" is not a "
	 "finite number in [-1e15, 1e15]"},
	{"noamount.csv", H "1,2024-01-05,A,\n", 0, NULL, NULL, "2:16: empty amount"},
	{"period.csv", "customer,period,brand\n1,ten,A\n", 0, NULL, NULL, "2:3: period \"ten\" is "
	 "not a whole number from 0 to 1000000000"},
	{"negative.csv", "customer,period,brand\n1,-1,A\n", 0, NULL, NULL, "2:3: period \"-1\" is "
	 "not a whole number from 0 to 1000000000"},
	{"dup.csv", H "7,2024-01-05,A,9.5\n8,2024-01-06,B,1\n7,2024-01-05,A,9.5\n", 0, NULL, NULL,
	 "4:1: an exact duplicate of line 2 (the same customer, date, brand and amount): refused, "
	 "as a record counted twice would count a switch that never happened"},
	{"dupperiod.csv", "customer,period,brand\n1,3,A\n1,3,A\n", 0, NULL, NULL, "3:1: an exact "
	 "duplicate of line 2 (the same customer, period and brand): refused, as a record counted "
	 "twice would count a switch that never happened"},
	{"single.csv", H "1,2024-01-05,A,1\n2,2024-01-05,B,1\n3,2024-02-05,A,1\n", 0, NULL, NULL,
	 "1:1: no customer has two purchases (3 customers, one purchase each): there is no "
	 "switching to estimate"},
	{"short.csv", H "1,2024-01-05,A\n", 0, NULL, NULL, "2:15: 3 fields, but the header names "
	 "4 columns: no amount"},
	{"long.csv", H "1,2024-01-05,A,1,x\n", 0, NULL, NULL, "2:18: 5 fields, but the header "
	 "names 4 columns"},
	{"nobody.csv", H ",2024-01-05,A,1\n", 0, NULL, NULL, "2:1: empty customer"},
	{"nobrandname.csv", H "1,2024-01-05,,1\n", 0, NULL, NULL, "2:14: empty brand"},
	{"total.csv", H "1,2024-01-05,total,1\n", 0, NULL, NULL, "2:14: brand \"total\" is a name "
	 "clvsim scenarios reserve (total: the sum over states; dist: the key of a distribution)"},
	{"control.csv", H "1,2024-01-05,\"A\tB\",1\n", 0, NULL, NULL, "2:14: the brand name has a "
	 "control character"},
	{"latin1.csv", H "1,2024-01-05,Caf\xE9,1\n", 0, NULL, NULL, "2:14: the brand name is not "
	 "valid UTF-8 text"},
	{"quote.csv", H "1,2024-01-05,\"A,1\n", 0, NULL, NULL, "2:14: malformed CSV: the quote "
	 "opened here is never closed"},
	{"junk.csv", H "1,2024-01-05,\"A\"x,1\n", 0, NULL, NULL, "2:17: malformed CSV: text after a "
	 "closing quote (a quote inside a quoted field is written twice: \"\")"},
	{"nul.csv", H "1,2024-01-05,A\0,1\n", sizeof H + 15, NULL, NULL, "2:15: a NUL byte: not a "
	 "text file"},
	{"lost.csv", H "1,2024-01-05,lost,1\n1,2024-02-05,A,1\n", 0, "--churn-after", "2",
	 "2:14: brand \"lost\" is the name of the state --churn-after adds: rename the brand"},
	{"late.csv", H "1,2024-01-05,A,1\n1,2024-02-05,B,1\n", 0, "--holdout", "2024-03-01",
	 "1:10: no record lies on or after the holdout date: nothing to compare the forecast with"},
	{"span.csv", H "1,1700-01-01,A,1\n1,2024-01-01,B,1\n", 0, "--period", "day", "1:10: the "
	 "data span 118339 days (line 2 to line 3), more than the 100000 periods a scenario may "
	 "have; choose a longer --period"},
	{"early.csv", H "1,2024-01-05,A,1\n1,2024-02-05,B,1\n", 0, "--holdout", "2024-02-01",
	 "1:1: no customer has two purchases before the holdout 2024-02-01: there is no switching "
	 "to estimate"},
};

static const bad_case bad_cohorts[] = {
	{"c_empty.csv", "", 0, NULL, NULL, "1:1: empty input: expected a header line naming the "
	 "columns period and alive"},
	{"c_col.csv", "period,alvie\n", 0, NULL, NULL, "1:8: unknown column \"alvie\" (did you mean "
	 "\"alive\"?); the columns are period, alive"},
	{"c_nocol.csv", "period\n0\n", 0, NULL, NULL, "1:1: no \"alive\" column; the header must "
	 "name period and alive"},
	{"c_ten.csv", "period,alive\n0,1000\n1,ten\n", 0, NULL, NULL, "3:3: alive \"ten\" is not a "
	 "whole number (customers still active, 0 to 1e15)"},
	{"c_half.csv", "period,alive\n0.5,1000\n", 0, NULL, NULL, "2:1: period \"0.5\" is not a "
	 "whole number from 0 to 9999"},
	{"c_twice.csv", "period,alive\n0,1000\n1,600\n1,500\n", 0, NULL, NULL, "4:1: period 1 "
	 "given twice (first on line 3)"},
	{"c_gap.csv", "period,alive\n0,1000\n1,600\n3,400\n", 0, NULL, NULL, "1:1: no record for "
	 "period 2: periods run 0, 1, 2, ... without gaps (period 0: the cohort's size)"},
	{"c_rise.csv", "period,alive\n2,500\n0,1000\n1,450\n", 0, NULL, NULL, "2:3: alive rises "
	 "from 450 in period 1 to 500 in period 2: a cohort's survivors can only fall"},
	{"c_zero.csv", "period,alive\n0,0\n1,0\n2,0\n", 0, NULL, NULL, "2:3: period 0 has no "
	 "customers: the cohort is empty"},
	{"c_short.csv", "period,alive\n0,1000\n1,600\n", 0, NULL, NULL, "1:1: periods 0 to 1 only: "
	 "the sBG model needs periods 0, 1 and 2 at least (two shapes to fit)"},
	{"c_flat.csv", "period,alive\n0,1000\n1,1000\n2,1000\n", 0, NULL, NULL, "1:8: nobody was "
	 "lost in periods 1 to 2: retention is 1, which the sBG model cannot fit"},
	{"c_gone.csv", "period,alive\n0,1000\n1,0\n2,0\n", 0, NULL, NULL, "3:3: everyone was lost "
	 "in period 1: retention is 0, which the sBG model cannot fit"},
};

/* Run one case with --out and --summary into a fresh folder; expect the
   message, exit 2, empty stdout, and no folder made. */
static void expect_bad(const bad_case *b, bool cohort)
{
	char *path = tmp_path(b->name), *out = tmp_path("never/fitted.yaml");
	char *dir = tmp_path("never"), want[1024];
	child c = {0};

	write_bytes(path, b->text, b->len ? b->len : strlen(b->text));
	if (cohort && b->option == NULL)
		RUN(&c, "fit", "--survival", path, "--out", out, "--summary", dir);
	else if (b->option == NULL)
		RUN(&c, "fit", path, "--out", out, "--summary", dir);
	else
		RUN(&c, "fit", path, b->option, b->value, "--out", out, "--summary", dir);
	snprintf(want, sizeof want, "clvsim: error: %s:%s\n", path, b->message);
	if (strcmp(c.err, want) != 0)
		fprintf(stderr, "case %s\n", b->name);
	assert_string_equal(c.err, want);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_int_equal(c.out_len, 0);
	assert_false(exists(dir));
	th_child_free(&c);
}

static void bad_purchase_records(void **state)
{
	size_t k;

	for (k = 0; k < sizeof bad_records / sizeof bad_records[0]; k++)
		expect_bad(&bad_records[k], false);
}

static void bad_cohort_files(void **state)
{
	size_t k;

	for (k = 0; k < sizeof bad_cohorts / sizeof bad_cohorts[0]; k++)
		expect_bad(&bad_cohorts[k], true);
}

/* 65 brands: over the limit of a scenario's states (exit 2). */
static void too_many_brands(void **state)
{
	char text[8192] = H, want[512];
	child c = {0};
	int b;

	for (b = 0; b < 65; b++)
		snprintf(text + strlen(text), sizeof text - strlen(text), "%d,2024-01-05,brand%02d,1\n",
		         b, b);
	write_bytes(tmp_path("brands.csv"), text, strlen(text));
	RUN(&c, "fit", tmp_path("brands.csv"));
	snprintf(want, sizeof want, "clvsim: error: %s:66:15: brand \"brand64\" is brand number "
	         "65: at most 64 brands (the states of a scenario)\n", tmp_path("brands.csv"));
	assert_string_equal(c.err, want);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	th_child_free(&c);
}

static void bad_options(void **state)
{
	static const struct {
		const char *opt, *value, *message;
	} cases[] = {
		{"--period", "fortnight", "clvsim fit: --period must be day, week, month, quarter or "
		 "year, not 'fortnight'\nTry 'clvsim fit --help'.\n"},
		{"--churn-after", "0", "clvsim fit: --churn-after needs a whole number of periods from "
		 "1 to 100000, not '0'\nTry 'clvsim fit --help'.\n"},
		{"--margin-rate", "1.5", "clvsim fit: --margin-rate needs a number from 0 to 1 (the "
		 "margin as a share of spend), not '1.5'\nTry 'clvsim fit --help'.\n"},
		{"--holdout", "2024-13-01", "clvsim fit: --holdout '2024-13-01': month 13 is not 1 to "
		 "12 (a date YYYY-MM-DD, as the records have)\n"},
	};
	child c = {0};
	size_t k;

	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		RUN(&c, "fit", "scenarios/data/purchases.csv", cases[k].opt, cases[k].value);
		assert_string_equal(c.err, cases[k].message);
		th_expect_exit(&c, CLV_EXIT_INPUT);
		assert_int_equal(c.out_len, 0);
		th_child_free(&c);
	}
	RUN(&c, "fit", "scenarios/data/purchases.csv", "--survival", "scenarios/data/cohort.csv");
	assert_string_equal(c.err, "clvsim fit: --survival takes the cohort file; give no other "
	                    "file\nTry 'clvsim fit --help'.\n");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	th_child_free(&c);
	RUN(&c, "fit");
	assert_string_equal(c.err, "clvsim fit: give one file of purchase records (or --survival "
	                    "COHORT.csv)\nTry 'clvsim fit --help'.\n");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	th_child_free(&c);
	RUN(&c, "fit", tmp_path("missing.csv"));
	th_expect_exit(&c, CLV_EXIT_RUNTIME); /* unreadable: an I/O error */
	assert_non_null(strstr(c.err, "missing.csv: cannot open: No such file or directory"));
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* The worked example.                                                  */

static void expect_png(const char *path)
{
	size_t len;
	char *png = th_read_file(path, &len);

	assert_non_null(png);
	assert_true(len > 1000 && memcmp(png, "\x89PNG", 4) == 0);
	free(png);
}

static void worked_example(void **state)
{
	char *dir = tmp_path("example"), *yaml = tmp_path("example/fitted.yaml");
	child c = {0};
	json_t *doc;
	double count, total = 0;
	const char *to[] = {"A", "B", "C", "lost"};
	int k;

	RUN(&c, "fit", "scenarios/data/purchases.csv", "--churn-after", "3", "--holdout",
	    "2025-01-01", "--out", yaml, "--summary", dir, "--plot", "png", "--format", "json");
	th_expect_exit(&c, 0);
	assert_int_equal(c.err_len, 0);
	doc = parse_json(&c);
	for (k = 0; k < 4; k++) {
		char key[64];
		snprintf(key, sizeof key, "fit.switching.A.%s.count", to[k]);
		total += json_num(doc, key);
	}
	count = json_num(doc, "fit.switching.A.B.count");
	/* exactly count / row total, printed to the 15 digits of clvsim's JSON */
	assert_true(fabs(json_num(doc, "fit.switching.A.B.estimate") - count / total) <
	            1e-14 * count / total);
	assert_true(json_num(doc, "fit.switching.A.B.lo") < count / total);
	assert_true(json_num(doc, "fit.switching.A.B.hi") > count / total);
	assert_true(json_num(doc, "fit.customers") == 60);
	assert_true(json_num(doc, "fit.transitions") > 0 && json_num(doc, "fit.loglik") < 0);
	assert_true(fabs(json_num(doc, "fit.initial.A") + json_num(doc, "fit.initial.B") +
	                 json_num(doc, "fit.initial.C") + json_num(doc, "fit.initial.lost") - 1) < 1e-12);
	assert_true(json_num(doc, "fit.purchases_per_period") > 0);
	assert_true(json_num(doc, "fit.spend.A.mean") > 0 && json_num(doc, "fit.spend.A.se") > 0);
	assert_true(json_num(doc, "fit.markov_property.df") > 0);
	assert_true(json_num(doc, "fit.homogeneity.p_value") > 0);
	assert_true(json_array_size(json_path(doc, "fit.holdout.periods")) == 6);
	json_decref(doc);
	th_child_free(&c);
	expect_png(tmp_path("example/fit_holdout.png"));
	assert_true(exists(tmp_path("example/fit_holdout.csv")));
	assert_true(exists(tmp_path("example/customers.csv")));
	assert_int_equal(count_entries(dir, true), 0); /* no temp file left */
	RUN(&c, "check", yaml);
	th_expect_exit(&c, 0);
	th_child_free(&c);
	RUN(&c, "exact", yaml, "--format", "json");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	RUN(&c, "run", yaml, "--replications", "20", "--customers", "2000", "--quiet");
	th_expect_exit(&c, 0);
	th_child_free(&c);

	RUN(&c, "fit", "--survival", "scenarios/data/cohort.csv", "--period", "year", "--out",
	    tmp_path("example/retention.yaml"), "--plot", "png");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	expect_png(tmp_path("example/fit_survival.png"));
	RUN(&c, "check", tmp_path("example/retention.yaml"));
	th_expect_exit(&c, 0);
	th_child_free(&c);
}

/* The same records in another order: the same fit, the same scenario
   (but for the lines naming the file). */
static void rows_in_any_order(void **state)
{
	size_t len, n = 0, i;
	char *text = th_read_file("scenarios/data/purchases.csv", &len), *lines[2000], *p;
	FILE *f;
	child a = {0}, b = {0};
	json_t *ja, *jb;
	char *da, *db;

	assert_non_null(text);
	for (p = strtok(text, "\n"); p != NULL && n < 2000; p = strtok(NULL, "\n"))
		lines[n++] = p;
	mkdir(tmp_path("order"), 0777);
	f = fopen(tmp_path("order/purchases.csv"), "w");
	fprintf(f, "%s\r\n", lines[0]); /* and CRLF line ends */
	for (i = 1; i < n; i++)
		fprintf(f, "%s\r\n", lines[1 + (i * 379) % (n - 1)]); /* 379 is prime to n - 1 */
	fclose(f);
	RUN(&a, "fit", "scenarios/data/purchases.csv", "--churn-after", "3", "--format", "json");
	RUN(&b, "fit", tmp_path("order/purchases.csv"), "--churn-after", "3", "--format", "json");
	th_expect_exit(&a, 0);
	th_expect_exit(&b, 0);
	ja = parse_json(&a);
	jb = parse_json(&b);
	json_object_del(json_path(ja, "fit"), "file");
	json_object_del(json_path(ja, "fit"), "sha256");
	json_object_del(json_path(jb, "fit"), "file");
	json_object_del(json_path(jb, "fit"), "sha256");
	da = json_dumps(ja, JSON_SORT_KEYS);
	db = json_dumps(jb, JSON_SORT_KEYS);
	assert_string_equal(da, db);
	free(da);
	free(db);
	json_decref(ja);
	json_decref(jb);
	th_child_free(&a);
	th_child_free(&b);
	free(text);
}

/* ------------------------------------------------------------------ */
/* Fitted scenarios run; their spread shrinks as the data grow.         */

static const char known[] =
	"states: [A, B, C]\n"
	"initial: [0.4, 0.35, 0.25]\n"
	"switching:\n"
	"  A: [0.7, 0.2, 0.1]\n"
	"  B: [0.15, 0.7, 0.15]\n"
	"  C: [0.2, 0.2, 0.6]\n"
	"margin: {A: 30, B: 20, C: 10}\n"
	"period: month\n"
	"horizon: 11\n"
	"discount_rate: {annual: 0.1}\n";

static void spread_shrinks_with_data(void **state)
{
	static const char *const sizes[] = {"100", "400", "2500"};
	double sd[3];
	child c = {0};
	int k;

	write_bytes(tmp_path("known.yaml"), known, strlen(known));
	for (k = 0; k < 3; k++) {
		char csv[64], yaml[64];
		json_t *doc;
		snprintf(csv, sizeof csv, "known%s.csv", sizes[k]);
		snprintf(yaml, sizeof yaml, "known%s.yaml", sizes[k]);
		strcpy(csv, tmp_path(csv));
		strcpy(yaml, tmp_path(yaml));
		RUN(&c, "simulate", tmp_path("known.yaml"), "--customers", sizes[k], "--seed", "5",
		    "--out", csv);
		th_expect_exit(&c, 0);
		th_child_free(&c);
		RUN(&c, "fit", csv, "--out", yaml);
		th_expect_exit(&c, 0);
		th_child_free(&c);
		RUN(&c, "run", yaml, "--replications", "100", "--customers", "10000", "--seed", "3",
		    "--format", "json", "--quiet");
		th_expect_exit(&c, 0);
		doc = parse_json(&c);
		sd[k] = json_num(doc, "mc.clv_avg.total.sd");
		json_decref(doc);
		th_child_free(&c);
	}
	print_message("spread of mean total CLV across replications: %.3f (100 customers of "
	              "data), %.3f (400), %.3f (2500)\n", sd[0], sd[1], sd[2]);
	assert_true(sd[1] < 0.75 * sd[0]);
	assert_true(sd[2] < 0.6 * sd[1]);
	assert_true(sd[2] < 0.35 * sd[0]);
}

/* The sBG scenario: the Monte Carlo share of `active` is the fitted
   survival within 5 standard errors. */
static void sbg_scenario_follows_the_curve(void **state)
{
	child c = {0};
	json_t *fit, *run, *proj, *mean;
	size_t t;
	const double n = 50.0 * 4000.0;

	RUN(&c, "fit", "--survival", "scenarios/data/cohort.csv", "--period", "year", "--out",
	    tmp_path("sbg.yaml"), "--format", "json", "--plot", "none");
	th_expect_exit(&c, 0);
	fit = parse_json(&c);
	th_child_free(&c);
	RUN(&c, "run", tmp_path("sbg.yaml"), "--replications", "50", "--customers", "4000",
	    "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	run = parse_json(&c);
	th_child_free(&c);
	proj = json_path(fit, "fit.projection");
	mean = json_path(run, "mc.share.active.mean");
	assert_int_equal(json_array_size(mean), 8); /* horizon 7 */
	for (t = 0; t < 8; t++) {
		double S = json_number_value(json_object_get(json_array_get(proj, t), "survival"));
		double got = json_number_value(json_array_get(mean, t));
		double se = sqrt(S * (1 - S) / n) + 1e-12;
		assert_true(fabs(got - S) < 5 * se);
	}
	assert_true(fabs(json_num(fit, "fit.sbg.a") - 0.7041) < 5e-4);
	assert_true(json_num(fit, "fit.sbg.retention_beta.a") == json_num(fit, "fit.sbg.b"));
	json_decref(fit);
	json_decref(run);
}

/* `simulate` walks as replication 0 of `run`: with one purchase a period
   and one replication, the share of each state at the start of each
   period is the share of the records of that period. */
static void simulate_is_the_engine(void **state)
{
	static const char scen[] =
		"states: [A, B, lost]\ninitial: [0.5, 0.5, 0]\n"
		"switching:\n  A: [0.6, 0.3, 0.1]\n  B: [0.2, 0.7, 0.1]\n  lost: [0, 0, 1]\n"
		"margin: {A: 2, B: 1, lost: 0}\nperiod: period\nhorizon: 6\ndiscount_rate: 0.05\n";
	double share[7][3] = {{0}};
	child c = {0};
	json_t *doc;
	char *p;
	int t, k;

	write_bytes(tmp_path("walk.yaml"), scen, strlen(scen));
	RUN(&c, "simulate", tmp_path("walk.yaml"), "--customers", "500", "--seed", "11");
	th_expect_exit(&c, 0);
	assert_true(strncmp(c.out, "customer,period,brand,amount\n", 29) == 0);
	for (p = strchr(c.out, '\n') + 1; *p; p = strchr(p, '\n') + 1) {
		unsigned long cust;
		char brand;
		assert_int_equal(sscanf(p, "%lu,%d,%c", &cust, &t, &brand), 3);
		share[t][brand - 'A'] += 1.0 / 500;
	}
	th_child_free(&c);
	RUN(&c, "run", tmp_path("walk.yaml"), "--replications", "1", "--customers", "500", "--seed",
	    "11", "--format", "json", "--quiet");
	th_expect_exit(&c, 0);
	doc = parse_json(&c);
	for (t = 0; t <= 6; t++)
		for (k = 0; k < 2; k++) {
			json_t *m = json_path(doc, k == 0 ? "mc.share.A.mean" : "mc.share.B.mean");
			assert_true(fabs(json_number_value(json_array_get(m, (size_t)t)) - share[t][k]) < 1e-6);
		}
	json_decref(doc);
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bad_purchase_records),
		cmocka_unit_test(bad_cohort_files),
		cmocka_unit_test(too_many_brands),
		cmocka_unit_test(bad_options),
		cmocka_unit_test(worked_example),
		cmocka_unit_test(rows_in_any_order),
		cmocka_unit_test(spread_shrinks_with_data),
		cmocka_unit_test(sbg_scenario_follows_the_curve),
		cmocka_unit_test(simulate_is_the_engine),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
