/*
 * test_csv.c - RFC 4180 fields: exact bytes written, round trips of
 * awkward fields (commas, quotes, line breaks, empty, UTF-8), the number
 * format, and the reader on CRLF, final records and malformed input.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv.h"

/* What fn wrote, as a string (caller frees). */
static char *capture_field(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	csv_field(f, text);
	fclose(f);
	return buf;
}

static char *capture_number(double x)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	csv_number(f, x);
	fclose(f);
	return buf;
}

static void check_field(const char *text, const char *expected)
{
	char *got = capture_field(text);

	assert_string_equal(got, expected);
	free(got);
}

static void check_number(double x, const char *expected)
{
	char *got = capture_number(x);

	assert_string_equal(got, expected);
	free(got);
}

static void fields_quoted_only_when_needed(void **state)
{
	check_field("Brand A", "Brand A");
	check_field("", "");
	check_field(NULL, "");
	check_field("a,b", "\"a,b\"");
	check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
	check_field("two\nlines", "\"two\nlines\"");
	check_field("cr\rhere", "\"cr\rhere\"");
	check_field("\"", "\"\"\"\"");
	check_field("caf\xc3\xa9 \xe5\x93\x81\xe7\x89\x8c", "caf\xc3\xa9 \xe5\x93\x81\xe7\x89\x8c");
	check_field(" padded ", " padded "); /* spaces are data, not quoted */
	assert_true(csv_needs_quotes("a,b"));
	assert_false(csv_needs_quotes("a;b"));
	assert_false(csv_needs_quotes(NULL));
}

static void number_format(void **state)
{
	check_number(0.475, "0.475");
	check_number(689.37672020, "689.3767202");
	check_number(1.0 / 3.0, "0.3333333333333333"); /* the shortest that reads back */
	check_number(0.0981, "0.0981");
	check_number(1e-12, "1e-12");
	check_number(12345678901.0, "12345678901"); /* whole: an integer */
	check_number(1e300, "1e300");
	check_number(42, "42");
	check_number(-2.5, "-2.5");
	check_number(-0.0, "0");
	check_number(NAN, "");
	check_number(INFINITY, ""); /* not a number: missing */
	check_number(-INFINITY, "");
}

static void separators_and_line_ends(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	csv_field(f, "period");
	csv_sep(f);
	csv_field(f, "state");
	csv_end(f);
	csv_number(f, 0);
	csv_sep(f);
	csv_field(f, "A, Inc.");
	csv_sep(f);
	csv_number(f, NAN);
	csv_end(f);
	fclose(f);
	assert_string_equal(buf, "period,state\n0,\"A, Inc.\",\n");
	free(buf);
}

/* Awkward fields, written as rows and read back byte for byte. */
static const char *const awkward[] = {
	"plain", "", "comma, inside", "\"quoted\"", "say \"\"twice\"\"",
	"line\nbreak", "crlf\r\nbreak", "trailing\n", "\n", ",", "\"", "\"\"",
	"UTF-8: \xe5\x93\x81\xe7\x89\x8c \xc3\xa9\xc3\xa8 \xf0\x9f\x98\x80",
	"`touch x` $(y) @z {/Symbol a} ^ _", "  spaces  ", "tab\there",
};
#define N_AWKWARD (sizeof awkward / sizeof awkward[0])

static void round_trip_fields(void **state)
{
	FILE *f = tmpfile();
	clv_error err = {0};
	csv_reader *r;
	bool got;
	size_t row, i;

	assert_non_null(f);
	for (row = 0; row < N_AWKWARD; row++) { /* row k: field k, then a number */
		csv_field(f, awkward[row]);
		csv_sep(f);
		csv_number(f, (double)row + 0.5);
		csv_sep(f);
		for (i = 0; i < N_AWKWARD; i++) { /* and all of them again */
			if (i)
				csv_sep(f);
			csv_field(f, awkward[(row + i) % N_AWKWARD]);
		}
		csv_end(f);
	}
	rewind(f);
	r = csv_reader_create(f, "mem.csv", &err);
	assert_non_null(r);
	for (row = 0; row < N_AWKWARD; row++) {
		assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
		assert_true(got);
		assert_int_equal(csv_reader_count(r), 2 + N_AWKWARD);
		assert_string_equal(csv_reader_field(r, 0), awkward[row]);
		assert_true(strtod(csv_reader_field(r, 1), NULL) == (double)row + 0.5);
		for (i = 0; i < N_AWKWARD; i++)
			assert_string_equal(csv_reader_field(r, 2 + i), awkward[(row + i) % N_AWKWARD]);
	}
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_false(got);
	assert_null(csv_reader_field(r, 0));
	csv_reader_free(r);
	fclose(f);
}

/* A reader on (a copy of) text, positioned before the first record. */
static csv_reader *reader_on(const char *text, FILE **f)
{
	static char copy[256];
	clv_error err = {0};
	csv_reader *r;

	assert_true(strlen(text) < sizeof copy);
	strcpy(copy, text);
	*f = fmemopen(copy, strlen(copy), "r");
	assert_non_null(*f);
	r = csv_reader_create(*f, "in.csv", &err);
	assert_non_null(r);
	return r;
}

static void reader_accepts_crlf_and_last_line(void **state)
{
	FILE *f;
	csv_reader *r = reader_on("a,b\r\n\"x\r\ny\",2\r\n\r\nlast,\"q\"", &f);
	clv_error err = {0};
	bool got;

	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_int_equal(csv_reader_count(r), 2);
	assert_string_equal(csv_reader_field(r, 1), "b");
	assert_int_equal(csv_reader_line(r), 1);
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_string_equal(csv_reader_field(r, 0), "x\r\ny"); /* kept inside quotes */
	assert_string_equal(csv_reader_field(r, 1), "2");
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK); /* blank line */
	assert_true(got);
	assert_int_equal(csv_reader_line(r), 4);
	assert_int_equal(csv_reader_count(r), 1);
	assert_string_equal(csv_reader_field(r, 0), "");
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_int_equal(csv_reader_line(r), 5);
	assert_string_equal(csv_reader_field(r, 0), "last");
	assert_string_equal(csv_reader_field(r, 1), "q");
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_false(got);
	csv_reader_free(r);
	fclose(f);
}

static void reader_rejects_malformed(void **state)
{
	static const char *const bad[] = {"ok\n\"open quote,1\n", "ok\n\"closed\"junk,1\n"};
	static const char *const where[] = {"in.csv:2:1:", "in.csv:2:9:"};
	size_t k;

	for (k = 0; k < 2; k++) {
		FILE *f;
		csv_reader *r = reader_on(bad[k], &f);
		clv_error err = {0};
		bool got;

		assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
		assert_int_equal(csv_reader_next(r, &got, &err), CLV_ERR_INPUT);
		assert_false(got);
		assert_non_null(strstr(err.msg, where[k]));
		csv_reader_free(r);
		fclose(f);
	}
	csv_reader_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fields_quoted_only_when_needed),
		cmocka_unit_test(number_format),
		cmocka_unit_test(separators_and_line_ends),
		cmocka_unit_test(round_trip_fields),
		cmocka_unit_test(reader_accepts_crlf_and_last_line),
		cmocka_unit_test(reader_rejects_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
