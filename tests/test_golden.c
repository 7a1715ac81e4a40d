/*
 * test_golden.c - whole outputs stored under tests/golden/, compared byte
 * for byte: the JSON of run, compare, sweep and tornado on shipped
 * scenarios at a fixed seed, the text of run on the textbook, and the
 * exact JSON of every shipped scenario. A change of numbers at a fixed
 * seed, or of any key or format, shows here.
 *
 * The cases are the lines of tests/golden/cases.txt (its header explains
 * the format); tests/golden/refresh.sh reads the same list (`make golden`).
 * A simulating case is run at --threads 1 and at --threads 2 and both must
 * equal the stored file: the promise that results do not depend on the
 * thread count (`run` records the count it used, "threads": N in JSON and
 * "N thread(s)" in text: that record alone is put back to 1 before the
 * --threads 2 output is compared). On a mismatch the suite prints the
 * first differing line, the command, and how to refresh.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#define GOLDEN "tests/golden"
#define MAX_CASES 128
#define MAX_CASE_ARGS 40

typedef struct golden_case {
	char *name;                            /* stored file in GOLDEN/ */
	const char *arg[MAX_CASE_ARGS + 3];    /* clvsim's arguments, room for --threads N */
	int n_args;
	char *line;                            /* the line (owned; arg[] points into it) */
} golden_case;

static golden_case cases[MAX_CASES];
static int n_cases;
static char *list_text;

/* ------------------------------------------------------------------ */
/* The list.                                                           */

/* Split one line of cases.txt (modified in place) into cases[n_cases]. */
static void add_case(char *line)
{
	golden_case *c = &cases[n_cases];
	char *tok, *save = NULL;

	assert_true(n_cases < MAX_CASES);
	c->line = line;
	c->name = strtok_r(line, " \t", &save);
	while ((tok = strtok_r(NULL, " \t", &save)) != NULL) {
		assert_true(c->n_args < MAX_CASE_ARGS);
		c->arg[c->n_args++] = tok;
	}
	if (c->n_args == 0)
		fail_msg("cases.txt: case %s has no command", c->name);
	n_cases++;
}

static int read_cases(void **state)
{
	char *line, *next;

	(void)state;
	list_text = th_read_file(GOLDEN "/cases.txt", NULL);
	if (list_text == NULL) {
		fprintf(stderr, "test_golden: cannot read " GOLDEN "/cases.txt\n");
		return -1;
	}
	for (line = list_text; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line += strspn(line, " \t");
		if (*line != '\0' && *line != '#')
			add_case(line);
	}
	return n_cases > 0 ? 0 : -1;
}

static int free_cases(void **state)
{
	(void)state;
	free(list_text);
	return 0;
}

static bool simulates(const golden_case *c)
{
	return strcmp(c->arg[0], "exact") != 0;
}

/* ------------------------------------------------------------------ */
/* Running and comparing.                                              */

/* Replace every `from` in *text (length *len) by `to`. */
static void replace_all(char **text, size_t *len, const char *from, const char *to)
{
	size_t lf = strlen(from), lt = strlen(to), n = 0, out = 0;
	char *p, *res;

	for (p = strstr(*text, from); p != NULL; p = strstr(p + lf, from))
		n++;
	if (n == 0)
		return;
	res = malloc(*len + n * (lt > lf ? lt - lf : 0) + 1);
	assert_non_null(res);
	for (p = *text; *p != '\0';) {
		if (strncmp(p, from, lf) == 0) {
			memcpy(res + out, to, lt);
			out += lt;
			p += lf;
		} else {
			res[out++] = *p++;
		}
	}
	res[out] = '\0';
	free(*text);
	*text = res;
	*len = out;
}

/* The command line of case c at `threads` (0: none), for messages. */
static void command_of(const golden_case *c, const char *threads, char *buf, size_t cap)
{
	size_t used = (size_t)snprintf(buf, cap, "clvsim");
	int i;

	for (i = 0; i < c->n_args && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, " %s", c->arg[i]);
	if (threads != NULL && used < cap)
		snprintf(buf + used, cap - used, " --threads %s", threads);
}

/* Run case c (at --threads `threads` when not NULL) and compare its stdout
   with the stored file. Returns true when equal; prints why not. */
static bool matches(golden_case *c, const char *threads)
{
	char path[512], cmd[2048];
	th_child ch = {0};
	size_t stored_len = 0, line;
	char *stored;
	int n = c->n_args, la, lb;
	const char *pa, *pb;
	bool ok;

	if (threads != NULL) {
		c->arg[n++] = "--threads";
		c->arg[n++] = threads;
	}
	c->arg[n] = NULL;
	command_of(c, threads, cmd, sizeof cmd);
	th_path(path, sizeof path, GOLDEN, c->name);
	stored = th_read_file(path, &stored_len);
	if (stored == NULL) {
		fprintf(stderr, "golden %s: no stored file %s (make golden writes it)\n", c->name, path);
		c->arg[c->n_args] = NULL;
		return false;
	}
	th_run(&ch, c->arg);
	c->arg[c->n_args] = NULL;
	if (ch.code != 0 || ch.signaled || ch.err_len > 0) {
		fprintf(stderr, "golden %s: %s\n  exit %d, stderr:\n%s\n", c->name, cmd, ch.code, ch.err);
		th_child_free(&ch);
		free(stored);
		return false;
	}
	if (threads != NULL && strcmp(threads, "1") != 0) {
		char json_from[64], text_from[64];
		snprintf(json_from, sizeof json_from, "\"threads\": %s,", threads);
		snprintf(text_from, sizeof text_from, ", %s threads\n", threads);
		replace_all(&ch.out, &ch.out_len, json_from, "\"threads\": 1,");
		replace_all(&ch.out, &ch.out_len, text_from, ", 1 thread\n");
	}
	line = th_first_diff_line(stored, stored_len, ch.out, ch.out_len);
	ok = line == 0;
	if (!ok) {
		pa = th_line(stored, stored_len, line, &la);
		pb = th_line(ch.out, ch.out_len, line, &lb);
		fprintf(stderr,
		        "golden %s: the output differs from %s at line %zu\n"
		        "  stored: %.*s\n  now:    %.*s\n  command: %s\n"
		        "  If the change of numbers is intended, refresh with `make golden` and say\n"
		        "  why in the commit; if it is not, the change broke reproducibility.\n",
		        c->name, path, line, la, pa, lb, pb, cmd);
	}
	th_child_free(&ch);
	free(stored);
	return ok;
}

/* Every case of command `command`: at --threads 1 and 2 when it
   simulates. Reports every mismatch, then fails if there was one. */
static void golden_command(const char *command)
{
	int i, seen = 0, bad = 0;

	for (i = 0; i < n_cases; i++) {
		golden_case *c = &cases[i];
		if (strcmp(c->arg[0], command) != 0)
			continue;
		seen++;
		if (simulates(c)) {
			bad += !matches(c, "1");
			bad += !matches(c, "2");
		} else {
			bad += !matches(c, NULL);
		}
	}
	assert_true(seen > 0);
	if (bad > 0)
		fail_msg("%d golden comparison(s) of `%s` failed", bad, command);
}

static void golden_run(void **state)
{
	(void)state;
	golden_command("run");
}

static void golden_compare(void **state)
{
	(void)state;
	golden_command("compare");
}

static void golden_sweep(void **state)
{
	(void)state;
	golden_command("sweep");
}

static void golden_tornado(void **state)
{
	(void)state;
	golden_command("tornado");
}

static void golden_exact(void **state)
{
	(void)state;
	golden_command("exact");
}

/* ------------------------------------------------------------------ */
/* The list itself.                                                    */

static const golden_case *case_named(const char *name)
{
	int i;

	for (i = 0; i < n_cases; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

/* Every scenarios/NAME.yaml has the case exact_NAME.json =
   `exact scenarios/NAME.yaml --format json`; names are unique; the
   simulating cases use a fixed seed. */
static void list_covers_every_scenario(void **state)
{
	struct dirent **names;
	int i, j, n = scandir("scenarios", &names, NULL, alphasort), found = 0;

	(void)state;
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		const char *f = names[i]->d_name;
		size_t len = strlen(f);
		if (len > 5 && strcmp(f + len - 5, ".yaml") == 0) {
			char want[256], file[256];
			const golden_case *c;
			snprintf(want, sizeof want, "exact_%.*s.json", (int)(len - 5), f);
			snprintf(file, sizeof file, "scenarios/%s", f);
			c = case_named(want);
			if (c == NULL)
				fprintf(stderr, "cases.txt: no case %s for %s\n", want, file);
			assert_non_null(c);
			assert_int_equal(c->n_args, 4);
			assert_string_equal(c->arg[0], "exact");
			assert_string_equal(c->arg[1], file);
			assert_string_equal(c->arg[2], "--format");
			assert_string_equal(c->arg[3], "json");
			found++;
		}
		free(names[i]);
	}
	free(names);
	assert_true(found >= 10);
	for (i = 0; i < n_cases; i++) {
		bool seeded = false;
		for (j = i + 1; j < n_cases; j++)
			assert_string_not_equal(cases[i].name, cases[j].name);
		for (j = 0; j + 1 < cases[i].n_args; j++)
			seeded = seeded || strcmp(cases[i].arg[j], "--seed") == 0;
		if (simulates(&cases[i]) && !seeded)
			fail_msg("cases.txt: %s simulates without --seed", cases[i].name);
	}
}

/* tests/golden/ holds the list, the refresh script and the cases' files:
   nothing stale. */
static void no_stray_files(void **state)
{
	DIR *d = opendir(GOLDEN);
	struct dirent *e;

	(void)state;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		const char *f = e->d_name;
		if (strcmp(f, ".") == 0 || strcmp(f, "..") == 0 || strcmp(f, "cases.txt") == 0 ||
		    strcmp(f, "refresh.sh") == 0)
			continue;
		if (case_named(f) == NULL)
			fprintf(stderr, GOLDEN "/%s is no case of cases.txt (stale? remove it)\n", f);
		assert_non_null(case_named(f));
	}
	closedir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_covers_every_scenario),
		cmocka_unit_test(no_stray_files),
		cmocka_unit_test(golden_run),
		cmocka_unit_test(golden_compare),
		cmocka_unit_test(golden_sweep),
		cmocka_unit_test(golden_tornado),
		cmocka_unit_test(golden_exact),
	};

	return cmocka_run_group_tests(tests, read_cases, free_cases);
}
