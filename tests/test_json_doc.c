/*
 * test_json_doc.c - docs/json.md against the binary: every example's
 * command ("$ clvsim ..." before it) is run, and the document it prints
 * must hold exactly the keys of the example (every path of object keys,
 * arrays taken as the union of their elements), start with "schema" (the
 * integer REPORT_JSON_SCHEMA) and "command" (the command's name), print
 * every real in its shortest round-trip form, and every command with
 * --format json must have an example.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/shortest.h"
#include "output/report.h"
#include "test_helpers.h"

#define MAX_PATHS 4096

typedef struct paths {
	char *p[MAX_PATHS];
	size_t n;
} paths;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_path(paths *ps, const char *path)
{
	size_t k;

	for (k = 0; k < ps->n; k++)
		if (strcmp(ps->p[k], path) == 0)
			return;
	assert_true(ps->n < MAX_PATHS);
	ps->p[ps->n++] = strdup(path);
}

/* Every key path under v ("exact.clv.A", "mc.share.A[]"), into ps. */
static void collect(json_t *v, const char *at, paths *ps)
{
	char sub[1024];
	const char *key;
	json_t *item;
	size_t k;

	if (json_is_object(v)) {
		json_object_foreach(v, key, item) {
			snprintf(sub, sizeof sub, "%s%s%s", at, at[0] ? "." : "", key);
			add_path(ps, sub);
			collect(item, sub, ps);
		}
	} else if (json_is_array(v)) {
		snprintf(sub, sizeof sub, "%s[]", at);
		json_array_foreach(v, k, item)
			collect(item, sub, ps);
	}
}

static void paths_free(paths *ps)
{
	for (size_t k = 0; k < ps->n; k++)
		free(ps->p[k]);
	ps->n = 0;
}

/* Fail naming the first key one side has and the other lacks. */
static void expect_same_keys(const char *cmd, paths *doc, paths *got)
{
	size_t i = 0, j = 0;

	qsort(doc->p, doc->n, sizeof doc->p[0], by_name);
	qsort(got->p, got->n, sizeof got->p[0], by_name);
	while (i < doc->n || j < got->n) {
		int c = i == doc->n ? 1 : j == got->n ? -1 : strcmp(doc->p[i], got->p[j]);
		if (c < 0)
			fail_msg("docs/json.md: `clvsim %s` shows key %s, which the binary does not print",
			         cmd, doc->p[i]);
		if (c > 0)
			fail_msg("docs/json.md: `clvsim %s` prints key %s, which the example lacks", cmd,
			         got->p[j]);
		i++;
		j++;
	}
}

/* Every number of the printed text (outside strings) in the form the
   shortest round trip gives: no "1.0", no "0.10000000000000001", no
   "1e-05". Integers (no '.' or exponent) are taken as printed. */
static void expect_shortest_numbers(const char *cmd, const char *text)
{
	const char *p = text;

	while (*p != '\0') {
		if (*p == '"') { /* skip a string, escapes included */
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '"')
				p++;
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			size_t n = strspn(p, "-+.eE0123456789");
			char tok[64], again[SHORTEST_MAX];
			assert_true(n < sizeof tok);
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (strpbrk(tok, ".eE") != NULL) {
				assert_true(shortest_format(strtod(tok, NULL), again));
				if (strcmp(again, tok) != 0)
					fail_msg("`clvsim %s` printed %s, not its shortest form %s", cmd, tok, again);
			}
			p += n;
			continue;
		}
		p++;
	}
}

static void check_example(const char *cmdline, const char *example, char *seen)
{
	char buf[2048], *argv[64], *save = NULL, *tok;
	json_error_t jerr;
	json_t *doc = json_loads(example, 0, &jerr), *got;
	paths pd = {0}, pg = {0};
	size_t n = 0;
	th_child c;

	if (doc == NULL)
		fail_msg("docs/json.md: the example of `clvsim %s` is not JSON: %s (line %d)", cmdline,
		         jerr.text, jerr.line);
	snprintf(buf, sizeof buf, "%s", cmdline);
	for (tok = strtok_r(buf, " ", &save); tok && n < 63; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	assert_true(n > 0);
	th_run(&c, (const char *const *)argv);
	th_expect_exit(&c, 0);
	expect_shortest_numbers(cmdline, c.out);
	got = th_json_of(&c);
	th_child_free(&c);
	/* the head every document starts with */
	assert_string_equal(json_object_iter_key(json_object_iter(got)), "schema");
	assert_true(json_is_integer(json_object_get(got, "schema")));
	assert_int_equal(json_integer_value(json_object_get(got, "schema")), REPORT_JSON_SCHEMA);
	assert_string_equal(json_string_value(json_object_get(got, "command")), argv[0]);
	assert_true(json_equal(json_object_get(doc, "schema"), json_object_get(got, "schema")));
	strncat(seen, argv[0], 63);
	strcat(seen, " ");
	collect(doc, "", &pd);
	collect(got, "", &pg);
	expect_same_keys(cmdline, &pd, &pg);
	paths_free(&pd);
	paths_free(&pg);
	json_decref(doc);
	json_decref(got);
}

static void every_example_matches(void **state)
{
	size_t len, examples = 0;
	char *text = th_read_file("docs/json.md", &len), *p, seen[512] = " ";
	static const char *const commands[] = {"exact", "run", "compare", "sweep", "solve",
	                                       "tornado", "fit"};

	(void)state;
	assert_non_null(text);
	for (p = strstr(text, "\n$ clvsim "); p != NULL; p = strstr(p + 1, "\n$ clvsim ")) {
		char *cmd = p + strlen("\n$ clvsim "), *eol = strchr(cmd, '\n'), *open, *close;
		assert_non_null(eol);
		*eol = '\0';
		open = strstr(eol + 1, "```json\n");
		assert_non_null(open);
		open += strlen("```json\n");
		close = strstr(open, "\n```");
		assert_non_null(close);
		*close = '\0';
		check_example(cmd, open, seen);
		examples++;
		p = close;
	}
	assert_true(examples >= sizeof commands / sizeof commands[0]);
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		char word[32];
		snprintf(word, sizeof word, " %s ", commands[k]);
		if (strstr(seen, word) == NULL)
			fail_msg("docs/json.md: no example of `clvsim %s --format json`", commands[k]);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_example_matches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
