/*
 * test_tutorial.c - docs/tutorial.md cannot rot: every command in it is
 * run through the binary ($CLVSIM) and the output it shows is compared
 * with what the binary prints.
 *
 * The tutorial's form: in each ```console block, a line "$ clvsim ARGS"
 * is a command (ARGS split at spaces; a trailing backslash continues the
 * line); the lines after it, up to the next command or the end of the
 * block, are its output. A line "..." stands for output left out. Each
 * run of lines between "..." must appear in the printed output as
 * consecutive lines (trailing spaces ignored), the runs in the order
 * given; the command must exit with status 0. At least
 * MIN_TUTORIAL_COMMANDS commands must be found, so a tutorial that lost
 * its examples (or a parser that finds none) fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#define TUTORIAL "docs/tutorial.md"
#define MIN_TUTORIAL_COMMANDS 10
#define MAX_LINES 4096
#define TUTORIAL_MAX_ARGS 60 /* th_run's limit */

/* Split text into lines in place; returns the count (at most max). */
static size_t split_lines(char *text, char **lines, size_t max)
{
	size_t n = 0;
	char *p = text;

	while (*p != '\0' && n < max) {
		char *end = strchr(p, '\n');
		size_t len;
		if (end != NULL)
			*end = '\0';
		len = strlen(p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\r'))
			p[--len] = '\0';
		lines[n++] = p;
		if (end == NULL)
			break;
		p = end + 1;
	}
	return n;
}

/* Expected lines exp[0..n_exp) ("..." = a gap) against the output
   (split in place). Returns NULL when they match, else the first line of
   the run that was not found. */
static const char *mismatch(char **exp, size_t n_exp, char *out)
{
	static char *got[MAX_LINES];
	size_t n_got = split_lines(out, got, MAX_LINES), at = 0, k = 0;

	while (k < n_exp) {
		size_t run = 0, start;
		bool found = false;
		while (k < n_exp && strcmp(exp[k], "...") == 0)
			k++;
		while (k + run < n_exp && strcmp(exp[k + run], "...") != 0)
			run++;
		if (run == 0)
			break;
		for (start = at; start + run <= n_got && !found; start++) {
			size_t j = 0;
			while (j < run && strcmp(got[start + j], exp[k + j]) == 0)
				j++;
			if (j == run) {
				found = true;
				at = start + run;
			}
		}
		if (!found)
			return exp[k];
		k += run;
	}
	return NULL;
}

static void expect_output(const char *cmd, char **exp, size_t n_exp, char *out)
{
	const char *missing = mismatch(exp, n_exp, out);

	if (missing != NULL)
		fail_msg("tutorial: `%s` did not print, in order, the lines starting with:\n%s", cmd,
		         missing);
}

/* Run one tutorial command line ("clvsim ARGS") and compare. */
static void check_command(char *cmdline, char **exp, size_t n_exp)
{
	const char *argv[TUTORIAL_MAX_ARGS + 1] = {NULL};
	char shown[2048], *tok, *save = NULL;
	size_t n = 0;
	th_child c;

	snprintf(shown, sizeof shown, "%s", cmdline);
	tok = strtok_r(cmdline, " ", &save);
	assert_non_null(tok);
	assert_string_equal(tok, "clvsim");
	while ((tok = strtok_r(NULL, " ", &save)) != NULL && n < TUTORIAL_MAX_ARGS)
		argv[n++] = tok;
	argv[n] = NULL;
	print_message("$ %s\n", shown);
	th_run(&c, argv);
	if (c.code != 0)
		fail_msg("tutorial: `%s` exited with %d: %s", shown, c.code, c.err);
	expect_output(shown, exp, n_exp, c.out);
	th_child_free(&c);
}

static void tutorial_commands(void **state)
{
	static char *lines[MAX_LINES], *exp[MAX_LINES];
	char *text = th_read_file(TUTORIAL, NULL), cmd[2048];
	size_t n_lines, i, n_exp = 0, commands = 0;
	bool in_block = false, have_cmd = false;

	assert_non_null(text);
	n_lines = split_lines(text, lines, MAX_LINES);
	for (i = 0; i < n_lines; i++) {
		char *l = lines[i];
		bool fence = strncmp(l, "```", 3) == 0;
		if (fence || (in_block && strncmp(l, "$ ", 2) == 0)) {
			if (have_cmd) {
				check_command(cmd, exp, n_exp);
				commands++;
			}
			have_cmd = false;
			n_exp = 0;
		}
		if (fence) {
			in_block = !in_block && strcmp(l, "```console") == 0;
			continue;
		}
		if (!in_block)
			continue;
		if (strncmp(l, "$ ", 2) == 0) {
			snprintf(cmd, sizeof cmd, "%s", l + 2);
			while (strlen(cmd) > 0 && cmd[strlen(cmd) - 1] == '\\' && i + 1 < n_lines) {
				cmd[strlen(cmd) - 1] = ' ';
				snprintf(cmd + strlen(cmd), sizeof cmd - strlen(cmd), "%s", lines[++i]);
			}
			have_cmd = true;
		} else if (have_cmd)
			exp[n_exp++] = l;
	}
	assert_false(in_block);
	print_message("%zu commands of %s checked\n", commands, TUTORIAL);
	assert_true(commands >= MIN_TUTORIAL_COMMANDS);
	free(text);
}

/* The comparison itself can fail: a changed figure, lines out of order,
   a gap where consecutive lines are required. */
static void comparison_catches_changes(void **state)
{
	char a[] = "a 1.00", c[] = "c 3.00", d[] = "d 4.00", dots[] = "...", c2[] = "c 3.01";
	char *good[] = {a, dots, c, d}, *changed[] = {c2}, *order[] = {c, dots, a}, *gap[] = {a, c};
	char o1[] = "a 1.00\nb 2.00\nc 3.00\nd 4.00\n", o2[sizeof o1], o3[sizeof o1],
	     o4[sizeof o1];

	memcpy(o2, o1, sizeof o1);
	memcpy(o3, o1, sizeof o1);
	memcpy(o4, o1, sizeof o1);
	assert_null(mismatch(good, 4, o1));
	assert_string_equal(mismatch(changed, 1, o2), "c 3.01");
	assert_string_equal(mismatch(order, 3, o3), "a 1.00");
	assert_string_equal(mismatch(gap, 2, o4), "a 1.00");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(comparison_catches_changes),
		cmocka_unit_test(tutorial_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
