/*
 * test_tables.c - every CSV table any command writes (and simulate's
 * purchase records), read back by a
 * strict parser and checked against docs/tables.md, which this test
 * parses (so the documentation and the writers cannot drift apart):
 *   - each file written has a documented layout (its "### FILE" section,
 *     or "### FILE (COMMAND)" where two commands write one name);
 *   - its header is the documented columns in order, with the swept or
 *     solved key naming its column and placeholders (STATE, INPUT, ...)
 *     repeated as documented;
 *   - every record is as wide as the header, LF-terminated, no CR;
 *   - every cell is of its column's type: an integer, a number printed
 *     as the shortest decimal that reads back to the same double (or
 *     empty: missing), text, or a date;
 *   - every documented table is written by one of the commands run here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_read.h"
#include "base/shortest.h"
#include "test_helpers.h"

#define MAX_TABLES 64
#define MAX_COLUMNS 32
#define MAX_FIELDS 256

typedef enum { REPEAT_ONCE, REPEAT_OPTIONAL, REPEAT_ONE_OR_MORE, REPEAT_ZERO_OR_MORE } repeat;

typedef struct doc_column {
	char name[96];   /* as documented, placeholders in capitals */
	char type[32];   /* integer, number, text, text or empty, date */
	repeat rep;
} doc_column;

typedef struct doc_table {
	char file[64];
	char command[16]; /* "" unless the heading names one */
	doc_column col[MAX_COLUMNS];
	size_t n_cols;
	bool seen;       /* read back from some command's output */
} doc_table;

static doc_table docs[MAX_TABLES];
static size_t n_docs;

/* ---- docs/tables.md ---------------------------------------------------- */

static bool known_type(const char *t)
{
	return strcmp(t, "integer") == 0 || strcmp(t, "number") == 0 || strcmp(t, "text") == 0 ||
	       strcmp(t, "text or empty") == 0 || strcmp(t, "date") == 0;
}

/* "| `name` (marker) | type | unit | holds |" into c. */
static void parse_column(const char *line, doc_column *c)
{
	const char *a = strchr(line, '`'), *b = a ? strchr(a + 1, '`') : NULL, *cell, *end;
	size_t len;

	assert_non_null(b);
	len = (size_t)(b - a - 1);
	assert_true(len > 0 && len < sizeof c->name);
	memcpy(c->name, a + 1, len);
	c->name[len] = '\0';
	end = strchr(b, '|');
	assert_non_null(end);
	c->rep = REPEAT_ONCE;
	if (strstr(b, "(one or more)") != NULL && strstr(b, "(one or more)") < end)
		c->rep = REPEAT_ONE_OR_MORE;
	else if (strstr(b, "(zero or more)") != NULL && strstr(b, "(zero or more)") < end)
		c->rep = REPEAT_ZERO_OR_MORE;
	else if (strstr(b, "(optional)") != NULL && strstr(b, "(optional)") < end)
		c->rep = REPEAT_OPTIONAL;
	cell = end + 1;
	while (*cell == ' ')
		cell++;
	end = strchr(cell, '|');
	assert_non_null(end);
	while (end > cell && end[-1] == ' ')
		end--;
	len = (size_t)(end - cell);
	assert_true(len < sizeof c->type);
	memcpy(c->type, cell, len);
	c->type[len] = '\0';
	if (!known_type(c->type))
		fail_msg("docs/tables.md: column %s: unknown type \"%s\"", c->name, c->type);
}

static void parse_docs(void)
{
	size_t len;
	char *text = th_read_file("docs/tables.md", &len), *line, *save = NULL;
	doc_table *t = NULL;

	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "### ", 4) == 0) {
			assert_true(n_docs < MAX_TABLES);
			t = &docs[n_docs++];
			memset(t, 0, sizeof *t);
			assert_int_equal(sscanf(line + 4, "%63s (%15[a-z])", t->file, t->command) >= 1, 1);
			assert_non_null(strstr(t->file, ".csv"));
		} else if (strncmp(line, "## ", 3) == 0)
			t = NULL;
		else if (t != NULL && strncmp(line, "| `", 3) == 0) {
			assert_true(t->n_cols < MAX_COLUMNS);
			parse_column(line, &t->col[t->n_cols++]);
		}
	}
	free(text);
	assert_true(n_docs >= 25); /* every table of every command, not a truncated parse */
	for (size_t k = 0; k < n_docs; k++)
		if (docs[k].n_cols == 0)
			fail_msg("docs/tables.md: %s lists no columns", docs[k].file);
}

static doc_table *doc_of(const char *file, const char *command)
{
	size_t k;

	for (k = 0; k < n_docs; k++)
		if (strcmp(docs[k].file, file) == 0 && strcmp(docs[k].command, command) == 0)
			return &docs[k];
	for (k = 0; k < n_docs; k++)
		if (strcmp(docs[k].file, file) == 0 && docs[k].command[0] == '\0')
			return &docs[k];
	return NULL;
}

/* ---- the header against the documented columns ------------------------- */

/* The placeholders a run knows exactly: "KEY=discount_rate" etc. */
typedef struct run_case {
	const char *command;
	const char *args;  /* split at spaces; OUT is the output folder */
	const char *subs;  /* "NAME=value;NAME=value" or NULL */
} run_case;

/* pattern with the run's placeholders replaced by their values. */
static void substitute(const char *pattern, const char *subs, char *out, size_t cap)
{
	char buf[256];

	snprintf(out, cap, "%s", pattern);
	if (subs == NULL)
		return;
	snprintf(buf, sizeof buf, "%s", subs);
	for (char *save = NULL, *pair = strtok_r(buf, ";", &save); pair;
	     pair = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(pair, '='), *at;
		assert_non_null(eq);
		*eq = '\0';
		/* a placeholder is a whole capital word: KEY1 is not KEY + "1" */
		for (at = strstr(out, pair); at; at = strstr(at + 1, pair)) {
			size_t n = strlen(pair);
			if ((at > out && isupper((unsigned char)at[-1])) || isupper((unsigned char)at[n]) ||
			    isdigit((unsigned char)at[n]))
				continue;
			char rest[256];
			snprintf(rest, sizeof rest, "%s", at + n);
			snprintf(at, cap - (size_t)(at - out), "%s%s", eq + 1, rest);
			break;
		}
	}
}

/* Does name match pattern, whose capital words (the placeholders left)
   stand for one or more characters? */
static bool glob(const char *p, const char *s)
{
	if (*p == '\0')
		return *s == '\0';
	if (isupper((unsigned char)*p)) {
		const char *q = p;
		while (isupper((unsigned char)*q) || isdigit((unsigned char)*q))
			q++;
		for (const char *t = s + 1; t <= s + strlen(s); t++)
			if (*s != '\0' && glob(q, t))
				return true;
		return false;
	}
	return *p == *s && glob(p + 1, s + 1);
}

/* Match header fields h[j..n) to columns c[i..m); assign[j] gets the
   column of field j. */
static bool match(const doc_column *c, size_t i, size_t m, const char *const *h, size_t j, size_t n,
                  const char *subs, size_t *assign)
{
	char pat[256];

	if (i == m)
		return j == n;
	substitute(c[i].name, subs, pat, sizeof pat);
	switch (c[i].rep) {
	case REPEAT_ONCE:
		if (j < n && glob(pat, h[j])) {
			assign[j] = i;
			return match(c, i + 1, m, h, j + 1, n, subs, assign);
		}
		return false;
	case REPEAT_OPTIONAL:
		if (j < n && glob(pat, h[j])) {
			assign[j] = i;
			if (match(c, i + 1, m, h, j + 1, n, subs, assign))
				return true;
		}
		return match(c, i + 1, m, h, j, n, subs, assign);
	case REPEAT_ONE_OR_MORE:
	case REPEAT_ZERO_OR_MORE:
	default: {
		size_t k = j;
		if (c[i].rep == REPEAT_ZERO_OR_MORE && match(c, i + 1, m, h, j, n, subs, assign))
			return true;
		while (k < n && glob(pat, h[k])) {
			assign[k] = i;
			k++;
			if (match(c, i + 1, m, h, k, n, subs, assign))
				return true;
		}
		return false;
	}
	}
}

/* ---- cells ------------------------------------------------------------- */

static bool all_digits(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* A number as the shortest round trip prints it, or empty. */
static bool shortest_number(const char *s)
{
	char *end, again[SHORTEST_MAX];
	double x;

	if (*s == '\0')
		return true;
	x = strtod(s, &end);
	if (end == s || *end != '\0' || !shortest_format(x, again))
		return false;
	return strcmp(again, s) == 0;
}

static bool is_date(const char *s)
{
	int y, m, d;
	char tail;

	return all_digits(s) ||
	       (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && m >= 1 &&
	        m <= 12 && d >= 1 && d <= 31);
}

static bool cell_ok(const char *type, const char *s)
{
	if (strcmp(type, "integer") == 0)
		return all_digits(s);
	if (strcmp(type, "number") == 0)
		return shortest_number(s);
	if (strcmp(type, "text") == 0)
		return *s != '\0';
	if (strcmp(type, "date") == 0)
		return is_date(s);
	return true; /* text or empty */
}

/* ---- one table --------------------------------------------------------- */

static void check_table(const char *dir, const char *file, const run_case *rc)
{
	char path[4096], *h[MAX_FIELDS], *bytes;
	size_t len, n = 0, assign[MAX_FIELDS], rows = 0, k;
	doc_table *d = doc_of(file, rc->command);
	clv_error err = {0};
	csv_reader *r;
	bool got;
	FILE *f;

	if (d == NULL)
		fail_msg("%s: %s is not documented in docs/tables.md", rc->command, file);
	d->seen = true;
	th_path(path, sizeof path, dir, file);
	bytes = th_read_file(path, &len);
	assert_non_null(bytes);
	if (len == 0 || bytes[len - 1] != '\n' || memchr(bytes, '\r', len) != NULL ||
	    (len >= 3 && memcmp(bytes, "\xef\xbb\xbf", 3) == 0))
		fail_msg("%s: not LF-terminated records without CR or BOM", file);
	free(bytes);
	f = fopen(path, "r");
	assert_non_null(f);
	r = csv_reader_create(f, file, &err);
	assert_non_null(r);
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_true(got);
	n = csv_reader_count(r);
	assert_true(n <= MAX_FIELDS);
	for (k = 0; k < n; k++)
		h[k] = strdup(csv_reader_field(r, k));
	if (!match(d->col, 0, d->n_cols, (const char *const *)h, 0, n, rc->subs, assign)) {
		char got_header[2048] = "";
		for (k = 0; k < n; k++)
			snprintf(got_header + strlen(got_header), sizeof got_header - strlen(got_header),
			         "%s%s", k ? "," : "", h[k]);
		fail_msg("%s (%s): header \"%s\" is not the layout of docs/tables.md", file,
		         rc->command, got_header);
	}
	while (csv_reader_next(r, &got, &err) == CLV_OK && got) {
		rows++;
		if (csv_reader_count(r) != n)
			fail_msg("%s:%ld: %zu fields, the header has %zu", file, csv_reader_line(r),
			         csv_reader_count(r), n);
		for (k = 0; k < n; k++) {
			const char *cell = csv_reader_field(r, k), *type = d->col[assign[k]].type;
			if (!cell_ok(type, cell))
				fail_msg("%s:%ld: column %s (%s): \"%s\" is not %s", file, csv_reader_line(r),
				         h[k], d->col[assign[k]].name, cell,
				         strcmp(type, "number") == 0 ? "a shortest round-trip number or empty"
				                                      : type);
		}
	}
	assert_int_equal(err.status, CLV_OK);
	for (k = 0; k < n; k++)
		free(h[k]);
	csv_reader_free(r);
	fclose(f);
}

/* ---- the commands ------------------------------------------------------ */

#define SIM "--customers 300 --replications 8 --seed 5 --quiet --plot none"
static const run_case cases[] = {
	{"run", "run scenarios/textbook.yaml --out OUT " SIM, NULL},
	{"run", "run scenarios/brand_a_base.yaml --out OUT " SIM, NULL},
	{"run", "run scenarios/customer_pyramid.yaml --out OUT " SIM, NULL},
	{"run", "run scenarios/uncertain_campaign.yaml --out OUT " SIM, NULL},
	{"compare", "compare scenarios/brand_a.yaml scenarios/retention_campaign.yaml "
	            "scenarios/discount_offer.yaml --out OUT " SIM, NULL},
	{"compare", "compare scenarios/uncertain_retention.yaml scenarios/uncertain_campaign.yaml "
	            "--out OUT " SIM, NULL},
	{"sweep", "sweep scenarios/brand_a.yaml --vary discount_rate=0.02:0.2:0.06 --out OUT " SIM,
	 "KEY=discount_rate"},
	{"sweep", "sweep scenarios/brand_a.yaml --vary discount_rate=0.05:0.15:0.05 "
	          "--vary retention.A=0.6:0.8:0.1 --out OUT " SIM,
	 "KEY1=discount_rate;KEY2=retention.A"},
	{"sweep", "sweep scenarios/brand_a.yaml scenarios/retention_campaign.yaml "
	          "--vary campaign.retention_uplift=0:0.2:0.05 --out OUT " SIM,
	 "KEY=campaign.retention_uplift"},
	{"sweep", "sweep scenarios/brand_a.yaml scenarios/retention_campaign.yaml "
	          "--vary campaign.retention_uplift=0:0.2:0.05 --vary campaign.cost=0:50:25 "
	          "--out OUT " SIM,
	 "KEY1=campaign.retention_uplift;KEY2=campaign.cost"},
	{"solve", "solve scenarios/brand_a.yaml scenarios/retention_campaign.yaml "
	          "--find campaign.retention_uplift=0:0.2 --replications 8 --seed 5 --quiet "
	          "--plot none --out OUT",
	 "KEY=campaign.retention_uplift"},
	{"solve", "solve scenarios/uncertain_retention.yaml --find margin.Ours=20:40 --target 400 "
	          "--replications 8 --seed 5 --quiet --plot none --out OUT",
	 "KEY=margin.Ours"},
	{"tornado", "tornado scenarios/uncertain_retention.yaml --state Ours --out OUT " SIM, NULL},
	{"tornado", "tornado tests/data/good/retention.yaml --out OUT " SIM, NULL},
	{"fit", "fit scenarios/data/purchases.csv --churn-after 3 --holdout 2024-07-01 "
	        "--plot none --summary OUT",
	 NULL},
	{"fit", "fit --survival scenarios/data/cohort.csv --period year --plot none --summary OUT",
	 NULL},
	{"simulate", "simulate scenarios/uncertain_retention.yaml --customers 20 --seed 5 "
	             "--out OUT/records.csv",
	 NULL},
};

static void run_and_check(const run_case *rc)
{
	char *dir = th_tmpdir("tables"), buf[1024], file[4096], *argv[64], *save = NULL, *tok;
	size_t n = 0, tables = 0;
	th_child c;
	DIR *dp;
	struct dirent *e;

	snprintf(buf, sizeof buf, "%s", rc->args);
	for (tok = strtok_r(buf, " ", &save); tok && n < 63; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "OUT", 3) == 0) { /* the folder, or a file in it: OUT/NAME */
			snprintf(file, sizeof file, "%s%s", dir, tok + 3);
			tok = file;
		}
		argv[n++] = tok;
	}
	argv[n] = NULL;
	th_run(&c, (const char *const *)argv);
	th_expect_exit(&c, 0);
	th_child_free(&c);
	dp = opendir(dir);
	assert_non_null(dp);
	while ((e = readdir(dp)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 4 && strcmp(e->d_name + len - 4, ".csv") == 0) {
			check_table(dir, e->d_name, rc);
			tables++;
		}
	}
	closedir(dp);
	if (tables == 0)
		fail_msg("`clvsim %s` wrote no table", rc->args);
	th_tmpdir_remove(dir);
}

static void every_table_as_documented(void **state)
{
	size_t k;
	bool all = true;

	(void)state;
	parse_docs();
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++)
		run_and_check(&cases[k]);
	for (k = 0; k < n_docs; k++)
		if (!docs[k].seen) {
			fprintf(stderr, "docs/tables.md: %s%s%s%s is written by no command run here\n",
			        docs[k].file, docs[k].command[0] ? " (" : "", docs[k].command,
			        docs[k].command[0] ? ")" : "");
			all = false;
		}
	assert_true(all);
}

/* The checker itself refuses what the tables must not hold. */
static void the_checker_refuses(void **state)
{
	static const doc_column cols[] = {
		{"KEY", "number", REPEAT_ONCE},
		{"clv.STATE", "number", REPEAT_ONE_OR_MORE},
		{"INPUT", "number", REPEAT_ZERO_OR_MORE},
	};
	const char *good[] = {"discount_rate", "clv.A", "clv.B"};
	const char *bad[] = {"x", "clv.A"};
	size_t assign[8];

	(void)state;
	assert_true(match(cols, 0, 3, good, 0, 3, "KEY=discount_rate", assign));
	assert_false(match(cols, 0, 2, bad, 0, 2, "KEY=discount_rate", assign));
	assert_true(cell_ok("number", "0.1") && cell_ok("number", "") && cell_ok("number", "1e-5"));
	assert_false(cell_ok("number", "0.09809999913000000")); /* not the shortest */
	assert_false(cell_ok("number", "1.0"));
	assert_false(cell_ok("number", "inf"));
	assert_false(cell_ok("number", "-0"));
	assert_false(cell_ok("number", "1e-05"));
	assert_false(cell_ok("integer", ""));
	assert_false(cell_ok("text", ""));
	assert_true(cell_ok("date", "2024-04-04") && cell_ok("date", "7"));
	assert_false(cell_ok("date", "2024-13-01"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_checker_refuses),
		cmocka_unit_test(every_table_as_documented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
