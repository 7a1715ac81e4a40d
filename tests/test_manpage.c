/*
 * test_manpage.c - docs/clvsim.1 documents what the binary offers: every
 * command that `clvsim --help` lists, and every option that any
 * `clvsim COMMAND --help` prints, appear in it; and `man -l` renders it
 * without a warning (MANWIDTH=80 man --warnings -l docs/clvsim.1: exit 0,
 * nothing on stderr; needs man-db and groff-base, see .ci/deps.sh).
 *
 * Commands and options are read from the help output, not from a list
 * kept here, so a new command or option that the manual lacks fails.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test_helpers.h"

#define MANPAGE "docs/clvsim.1"
#define MIN_COMMANDS 7

/* The command names listed under "Commands:" in `clvsim --help`. */
static size_t help_commands(char names[][32], size_t max)
{
	const char *argv[] = {"--help", NULL};
	th_child c;
	char *p;
	size_t n = 0;

	th_run(&c, argv);
	assert_int_equal(c.code, 0);
	p = strstr(c.out, "Commands:\n");
	assert_non_null(p);
	for (p = strchr(p, '\n') + 1; strncmp(p, "  ", 2) == 0 && n < max;) {
		sscanf(p, " %31s", names[n++]);
		p = strchr(p, '\n');
		if (p == NULL)
			break;
		p++;
	}
	th_child_free(&c);
	return n;
}

/* "--name" written in the manual as \-\-name followed by a non-name
   character. */
static bool man_has_option(const char *man, const char *name)
{
	char pat[80];
	const char *p = man;

	snprintf(pat, sizeof pat, "\\-\\-%s", name);
	while ((p = strstr(p, pat)) != NULL) {
		char next = p[strlen(pat)];
		if (!isalnum((unsigned char)next) && next != '_' && next != '-')
			return true;
		p++;
	}
	return false;
}

/* Every option of `clvsim CMD --help` (lines "  --name ...") in the man
   page; returns how many were checked. */
static size_t check_command_options(const char *man, const char *cmd)
{
	const char *argv[] = {cmd, "--help", NULL};
	th_child c;
	char *p;
	size_t checked = 0;

	th_run(&c, argv);
	assert_int_equal(c.code, 0);
	p = strstr(c.out, "\nOptions:\n");
	assert_non_null(p);
	for (p = strstr(p + 1, "\n"); p != NULL; p = strchr(p + 1, '\n')) {
		char name[64];
		if (sscanf(p + 1, " --%63[a-z0-9-]", name) != 1)
			continue;
		if (!man_has_option(man, name))
			fail_msg("%s: option --%s of `clvsim %s --help` is missing", MANPAGE, name, cmd);
		checked++;
	}
	th_child_free(&c);
	return checked;
}

static void every_command_and_option(void **state)
{
	char names[32][32], pat[64], *man = th_read_file(MANPAGE, NULL);
	size_t n = help_commands(names, 32), k, options = 0;

	assert_non_null(man);
	assert_true(n >= MIN_COMMANDS);
	for (k = 0; k < n; k++) {
		snprintf(pat, sizeof pat, ".BI \"%.31s ", names[k]);
		if (strstr(man, pat) == NULL)
			fail_msg("%s: command %s (listed by clvsim --help) has no entry", MANPAGE, names[k]);
		options += check_command_options(man, names[k]);
	}
	assert_true(man_has_option(man, "version"));
	assert_false(man_has_option(man, "no-such-option"));
	print_message("%zu commands, %zu option entries checked\n", n, options);
	assert_true(options >= 20);
	free(man);
}

static void renders_without_warnings(void **state)
{
	const char *argv[] = {"--warnings", "-l", MANPAGE, NULL};
	th_child c;

	setenv("MANWIDTH", "80", 1);
	setenv("MAN_KEEP_FORMATTING", "", 1);
	th_run_program(&c, "man", argv);
	if (c.code == 127)
		fail_msg("cannot run man (install man-db and groff-base: .ci/deps.sh)");
	if (c.code != 0 || c.err_len != 0)
		fail_msg("man -l %s: exit %d, stderr:\n%s", MANPAGE, c.code, c.err);
	assert_non_null(strstr(c.out, "EXIT STATUS"));
	assert_non_null(strstr(c.out, "explain FILE"));
	th_child_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_command_and_option),
		cmocka_unit_test(renders_without_warnings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
