/*
 * test_diag.c - error reports (sim/base/diag.c): the message forms
 * "FILE:LINE:COLUMN: MSG", "FILE: MSG" and "MSG"; the first error kept;
 * truncation at CLV_ERROR_MAX; diag_strdupf; the exit status of every
 * clv_status; the "did you mean" hint at and past its distance bound; and
 * the same reports as a user meets them from the binary (stderr, exit
 * status) for a misspelt scenario key, a misspelt --state and a missing
 * file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "test_helpers.h"

static void message_forms(void **state)
{
	clv_pos at = {"scenarios/x.yaml", 3, 7}, nowhere = {"scenarios/x.yaml", 0, 0};
	clv_pos no_file = {NULL, 4, 2};
	clv_error err = {0};

	(void)state;
	assert_int_equal(diag_set(&err, CLV_ERR_INPUT, &at, "bad %s %d", "value", 5), CLV_ERR_INPUT);
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_string_equal(err.msg, "scenarios/x.yaml:3:7: bad value 5");
	diag_clear(&err);
	assert_int_equal(err.status, CLV_OK);
	assert_string_equal(err.msg, "");
	diag_set(&err, CLV_ERR_INPUT, &nowhere, "no place");
	assert_string_equal(err.msg, "scenarios/x.yaml: no place");
	diag_clear(&err);
	diag_set(&err, CLV_ERR_NOMEM, NULL, "out of memory");
	assert_string_equal(err.msg, "out of memory");
	diag_clear(&err);
	diag_set(&err, CLV_ERR_INPUT, &no_file, "a line but no file");
	assert_string_equal(err.msg, "a line but no file");
	diag_clear(&err);
	assert_int_equal(diag_set_file(&err, CLV_ERR_IO, "out/share.csv", "cannot write: %s", "full"),
	                 CLV_ERR_IO);
	assert_string_equal(err.msg, "out/share.csv: cannot write: full");
	/* a NULL error is allowed: the status still comes back */
	assert_int_equal(diag_set(NULL, CLV_ERR_LIMIT, &at, "x"), CLV_ERR_LIMIT);
}

/* The first error is the one reported: later ones do not overwrite it,
   though each call still returns its own status. */
static void first_error_kept(void **state)
{
	clv_pos at = {"a.yaml", 1, 1};
	clv_error err = {0};

	(void)state;
	diag_set(&err, CLV_ERR_INPUT, &at, "first");
	assert_int_equal(diag_set(&err, CLV_ERR_NOMEM, NULL, "second"), CLV_ERR_NOMEM);
	assert_int_equal(diag_set_file(&err, CLV_ERR_IO, "b", "third"), CLV_ERR_IO);
	assert_int_equal(err.status, CLV_ERR_INPUT);
	assert_string_equal(err.msg, "a.yaml:1:1: first");
}

/* Over-long messages and file names are cut at CLV_ERROR_MAX - 1 bytes,
   still NUL-terminated. */
static void long_messages_truncated(void **state)
{
	char word[3 * CLV_ERROR_MAX];
	clv_error err = {0};
	clv_pos at = {word, 12, 34};

	(void)state;
	memset(word, 'w', sizeof word - 1);
	word[sizeof word - 1] = '\0';
	diag_set(&err, CLV_ERR_INPUT, NULL, "%s", word);
	assert_int_equal(strlen(err.msg), CLV_ERROR_MAX - 1);
	diag_clear(&err);
	diag_set(&err, CLV_ERR_INPUT, &at, "after a long file name");
	assert_int_equal(strlen(err.msg), CLV_ERROR_MAX - 1);
	assert_int_equal(err.msg[0], 'w');
	diag_clear(&err);
	at.file = "f.yaml";
	diag_set(&err, CLV_ERR_INPUT, &at, "%s", word);
	assert_int_equal(strlen(err.msg), CLV_ERROR_MAX - 1);
	assert_int_equal(strncmp(err.msg, "f.yaml:12:34: www", 17), 0);
}

static void strdupf_formats(void **state)
{
	char *s = diag_strdupf("%s-%03d-%.2f", "x", 7, 1.5);

	(void)state;
	assert_string_equal(s, "x-007-1.50");
	free(s);
	s = diag_strdupf("%s", "");
	assert_string_equal(s, "");
	free(s);
}

/* 0 ok, 2 bad usage or input (limits included), 1 runtime, 130 interrupted. */
static void exit_codes(void **state)
{
	(void)state;
	assert_int_equal(diag_exit_code(CLV_OK), 0);
	assert_int_equal(diag_exit_code(CLV_ERR_USAGE), 2);
	assert_int_equal(diag_exit_code(CLV_ERR_INPUT), 2);
	assert_int_equal(diag_exit_code(CLV_ERR_LIMIT), 2);
	assert_int_equal(diag_exit_code(CLV_ERR_IO), 1);
	assert_int_equal(diag_exit_code(CLV_ERR_NOMEM), 1);
	assert_int_equal(diag_exit_code(CLV_ERR_NUMERIC), 1);
	assert_int_equal(diag_exit_code(CLV_ERR_INTERRUPTED), 130);
	assert_int_equal(CLV_EXIT_OK, 0);
	assert_int_equal(CLV_EXIT_RUNTIME, 1);
	assert_int_equal(CLV_EXIT_INPUT, 2);
	assert_int_equal(CLV_EXIT_INTERRUPTED, 130);
}

/* The closest candidate within max(2, len / 3) edits; the first of equals. */
static void did_you_mean_bounds(void **state)
{
	static const char *const keys[] = {"horizon", "discount_rate", "margin", "retention",
	                                   "replications"};
	static const char *const ab[] = {"ab", "ba"};
	char long_word[80];

	(void)state;
	assert_string_equal(diag_did_you_mean("horizn", keys, 5), "horizon");
	assert_string_equal(diag_did_you_mean("Margin", keys, 5), "margin");
	assert_string_equal(diag_did_you_mean("discount_rat", keys, 5), "discount_rate");
	/* 12 letters allow 4 edits: "replicatoins" is 2, "rxxlicxxions" 4, 5 is too many */
	assert_string_equal(diag_did_you_mean("replicatoins", keys, 5), "replications");
	assert_string_equal(diag_did_you_mean("rxxlicxxions", keys, 5), "replications");
	assert_null(diag_did_you_mean("rxxlicxxioxs", keys, 5));
	/* short words allow 2 edits */
	assert_string_equal(diag_did_you_mean("mxrgxn", keys, 5), "margin");
	assert_null(diag_did_you_mean("xyz", keys, 5));
	assert_null(diag_did_you_mean("discount", keys, 5)); /* 5 edits from discount_rate */
	assert_null(diag_did_you_mean("horizon", keys, 0));
	assert_string_equal(diag_did_you_mean("aa", ab, 2), "ab"); /* a tie: the first */
	/* words over 64 characters are never matched */
	memset(long_word, 'h', sizeof long_word - 1);
	long_word[sizeof long_word - 1] = '\0';
	{
		const char *const self[] = {long_word};
		assert_null(diag_did_you_mean(long_word, self, 1));
	}
}

/* ------------------------------------------------------------------ */
/* As a user meets them.                                               */

static void binary_reports_place_hint_and_status(void **state)
{
	char *dir = th_tmpdir("test-diag"), path[512], want[1200];
	th_child c = {0};

	(void)state;
	th_path(path, sizeof path, dir, "typo.yaml");
	th_write_file(path, "states: [A, B]\ninitial: [1, 0]\nswitching: [[0.5, 0.5], [0, 1]]\n"
	                    "margin: 1\n  \nhorizn: 3\n");
	TH_RUN(&c, "check", path);
	th_expect_exit(&c, CLV_EXIT_INPUT);
	/* every problem, in file order: the missing key is the map's (1:1) */
	snprintf(want, sizeof want,
	         "clvsim: error: %s:1:1: missing required key \"discount_rate\"\n"
	         "clvsim: error: %s:6:1: unknown key \"horizn\" (did you mean \"horizon\"?)\n",
	         path, path);
	assert_string_equal(c.err, want);
	assert_int_equal(c.out_len, 0);
	th_child_free(&c);

	TH_RUN(&c, "tornado", "scenarios/uncertain_retention.yaml", "--state", "ours");
	th_expect_exit(&c, CLV_EXIT_INPUT);
	assert_non_null(strstr(c.err, "(did you mean \"Ours\"?)"));
	th_child_free(&c);

	th_path(path, sizeof path, dir, "missing.yaml");
	TH_RUN(&c, "check", path);
	th_expect_exit(&c, CLV_EXIT_RUNTIME);
	snprintf(want, sizeof want, "clvsim: error: %s: cannot read", path);
	assert_int_equal(strncmp(c.err, want, strlen(want)), 0);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(message_forms),
		cmocka_unit_test(first_error_kept),
		cmocka_unit_test(long_messages_truncated),
		cmocka_unit_test(strdupf_formats),
		cmocka_unit_test(exit_codes),
		cmocka_unit_test(did_you_mean_bounds),
		cmocka_unit_test(binary_reports_place_hint_and_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
