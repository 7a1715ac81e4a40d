/*
 * test_csv_read.c - the RFC 4180 reader (base/csv_read.c) on everything
 * the RFC allows and on what spreadsheets write: the RFC's own examples
 * (section 2, rules 1-7), CRLF and LF record ends, a final record without
 * one, quoted separators, doubled quotes, CRLF and LF inside quotes, empty
 * fields, a UTF-8 byte order mark, a CRLF split across the reader's input
 * blocks, and the place (line, column in characters) of every field; and
 * what it refuses, with its place: an open quote, text after a closing
 * quote, a NUL byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_read.h"

/* The records of text, each field joined by '|' and records by '\n', or
   the error message when reading fails. (len: text may hold NULs.) */
static char *read_all(const char *text, size_t len, clv_status *status)
{
	FILE *f = fmemopen((void *)(uintptr_t)text, len, "r");
	clv_error err = {0};
	csv_reader *r;
	char *out = NULL;
	size_t out_len = 0, i;
	FILE *o = open_memstream(&out, &out_len);
	bool got = true;

	assert_non_null(f);
	assert_non_null(o);
	r = csv_reader_create(f, "in.csv", &err);
	assert_non_null(r);
	*status = CLV_OK;
	while (got && *status == CLV_OK) {
		*status = csv_reader_next(r, &got, &err);
		for (i = 0; got && *status == CLV_OK && i < csv_reader_count(r); i++)
			fprintf(o, "%s%s", i ? "|" : "", csv_reader_field(r, i));
		if (got && *status == CLV_OK)
			fputc('\n', o);
	}
	if (*status != CLV_OK)
		fprintf(o, "ERROR %s", err.msg);
	fclose(o);
	csv_reader_free(r);
	fclose(f);
	return out;
}

static void expect(const char *text, const char *records)
{
	clv_status st;
	char *got = read_all(text, strlen(text), &st);

	assert_int_equal(st, CLV_OK);
	assert_string_equal(got, records);
	free(got);
}

static void expect_error(const char *text, size_t len, const char *msg)
{
	clv_status st;
	char *got = read_all(text, len, &st);

	assert_int_equal(st, CLV_ERR_INPUT);
	assert_non_null(strstr(got, "ERROR "));
	assert_string_equal(strstr(got, "ERROR "), msg);
	free(got);
}

/* RFC 4180 section 2, rules 1 to 7, with the RFC's own examples. */
static void rfc4180_examples(void **state)
{
	expect("aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n", "aaa|bbb|ccc\nzzz|yyy|xxx\n");   /* 1 */
	expect("aaa,bbb,ccc\r\nzzz,yyy,xxx", "aaa|bbb|ccc\nzzz|yyy|xxx\n");       /* 2 */
	expect("field_name,field_name,field_name\r\naaa,bbb,ccc\r\n",
	       "field_name|field_name|field_name\naaa|bbb|ccc\n");                 /* 3 */
	expect("aaa,bbb,ccc", "aaa|bbb|ccc\n");                                    /* 4 */
	expect(" aaa , bbb ,ccc ", " aaa | bbb |ccc \n");       /* 4: spaces are data */
	expect("\"aaa\",\"bbb\",\"ccc\"\r\nzzz,yyy,xxx", "aaa|bbb|ccc\nzzz|yyy|xxx\n"); /* 5 */
	expect("\"aaa\",\"b\r\nbb\",\"ccc\"\r\nzzz,yyy,xxx",
	       "aaa|b\r\nbb|ccc\nzzz|yyy|xxx\n");                                  /* 6 */
	expect("\"aaa\",\"b,bb\",\"ccc\"", "aaa|b,bb|ccc\n");                      /* 6 */
	expect("\"aaa\",\"b\"\"bb\",\"ccc\"", "aaa|b\"bb|ccc\n");                  /* 7 */
}

static void line_ends_and_empty_fields(void **state)
{
	expect("a,b\nc,d\n", "a|b\nc|d\n");              /* bare LF */
	expect("a,b\r\nc,d\n", "a|b\nc|d\n");            /* mixed */
	expect("a,,b,\n,\n", "a||b|\n|\n");              /* empty fields, trailing comma */
	expect("\"\",\"\"\n", "|\n");                    /* quoted empty fields */
	expect("a\n\nb\n", "a\n\nb\n");                  /* a blank line: one empty field */
	expect("a\rb,c\n", "a\rb|c\n");                  /* a lone CR is data */
	expect("\"x\ny\",\"\"\"\"\n", "x\ny|\"\n");      /* LF inside quotes; a lone quote */
	expect("ab\"c,d\n", "ab\"c|d\n");                /* a quote inside an unquoted field */
	expect("", "");                                  /* no records at all */
}

static void byte_order_mark(void **state)
{
	expect("\xEF\xBB\xBF" "customer,brand\r\n1,A\r\n", "customer|brand\n1|A\n");
	expect("\xEF\xBB\xBF", "");                      /* only the mark */
	expect("\xEF\xBB" "x\n", "\xEF\xBB" "x\n");      /* not a mark: data */
	expect("a,\xEF\xBB\xBF\n", "a|\xEF\xBB\xBF\n");  /* not at the start: data */
}

/* A CRLF and a doubled quote exactly on the 64 KiB block boundary. */
static void block_boundaries(void **state)
{
	const size_t block = 65536;
	size_t k;

	for (k = 0; k < 3; k++) {
		size_t n = block - 1 + k, i;
		char *text = malloc(n + 16), *want = malloc(n + 16);
		clv_status st;
		char *got;

		memset(text, 'x', n - 1);
		memcpy(text + n - 1, "\r\ny\r\n\"a\"\"b\"\n", 13);
		text[n + 12] = '\0';
		memset(want, 'x', n - 1);
		strcpy(want + n - 1, "\ny\na\"b\n");
		got = read_all(text, strlen(text), &st);
		assert_int_equal(st, CLV_OK);
		assert_string_equal(got, want);
		free(got);
		/* a doubled quote split by the boundary */
		for (i = 0; i + 1 < n; i++)
			text[i] = 'q';
		text[0] = '"';
		text[n - 2] = '"';
		text[n - 1] = '"';
		strcpy(text + n, "\"\n");
		got = read_all(text, strlen(text), &st);
		assert_int_equal(st, CLV_OK);
		assert_int_equal(strlen(got), n - 1); /* n - 3 q's, a quote, a LF */
		assert_int_equal(got[n - 3], '"');
		free(got);
		free(text);
		free(want);
	}
}

/* Every field knows its line and column (characters, after the mark). */
static void field_places(void **state)
{
	static const char text[] = "\xEF\xBB\xBF" "id,\"na\nme\",x\r\n\xC3\xA9t\xC3\xA9,\"b\",,\n";
	FILE *f = fmemopen((void *)(uintptr_t)text, sizeof text - 1, "r");
	clv_error err = {0};
	csv_reader *r = csv_reader_create(f, "p.csv", &err);
	clv_pos p;
	bool got;

	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_int_equal(csv_reader_line(r), 1);
	p = csv_reader_pos(r, 0);
	assert_string_equal(p.file, "p.csv");
	assert_int_equal(p.line, 1);
	assert_int_equal(p.column, 1);
	p = csv_reader_pos(r, 1);
	assert_int_equal(p.line * 100 + p.column, 104);
	p = csv_reader_pos(r, 2);
	assert_int_equal(p.line * 100 + p.column, 205); /* after the quoted line break */
	p = csv_reader_pos(r, 3);                       /* just after the record */
	assert_int_equal(p.line * 100 + p.column, 206);
	assert_int_equal(csv_reader_next(r, &got, &err), CLV_OK);
	assert_int_equal(csv_reader_line(r), 3);
	assert_string_equal(csv_reader_field(r, 0), "\xC3\xA9t\xC3\xA9");
	p = csv_reader_pos(r, 1);
	assert_int_equal(p.line * 100 + p.column, 305); /* "été," is 4 characters */
	p = csv_reader_pos(r, 2);
	assert_int_equal(p.column, 9);
	p = csv_reader_pos(r, 3);
	assert_int_equal(p.column, 10);
	assert_int_equal(csv_reader_count(r), 4);
	assert_null(csv_reader_field(r, 4));
	csv_reader_free(r);
	fclose(f);
}

static void refusals_name_their_place(void **state)
{
	expect_error("a,b\n1,\"open\n", 12,
	             "ERROR in.csv:2:3: malformed CSV: the quote opened here is never closed");
	expect_error("a,b\n\"x\"y,2\n", 11,
	             "ERROR in.csv:2:4: malformed CSV: text after a closing quote (a quote inside "
	             "a quoted field is written twice: \"\")");
	expect_error("a,b\nx\0y,2\n", 10, "ERROR in.csv:2:2: a NUL byte: not a text file");
	expect_error("a,\"b\0\"\n", 7, "ERROR in.csv:1:5: a NUL byte: not a text file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4180_examples),
		cmocka_unit_test(line_ends_and_empty_fields),
		cmocka_unit_test(byte_order_mark),
		cmocka_unit_test(block_boundaries),
		cmocka_unit_test(field_places),
		cmocka_unit_test(refusals_name_their_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
