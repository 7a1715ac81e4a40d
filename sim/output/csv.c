/*
 * csv.c - RFC 4180 fields out, records in.
 *
 * Invariants: a written field reads back byte for byte (csv_reader); a
 * record is one line unless a quoted field holds a line break.
 * Reader method: a character state machine (field start, unquoted,
 * quoted, after a closing quote) over getc; the fields of one record are
 * kept NUL-separated in one growing buffer with an offset per field.
 * Reference: RFC 4180, "Common Format and MIME Type for CSV Files", 2005.
 */
#include "output/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

bool csv_needs_quotes(const char *text)
{
	return text != NULL && strpbrk(text, ",\"\r\n") != NULL;
}

void csv_field(FILE *f, const char *text)
{
	const char *p;

	if (text == NULL)
		return;
	if (!csv_needs_quotes(text)) {
		fputs(text, f);
		return;
	}
	putc('"', f);
	for (p = text; *p != '\0'; p++) {
		if (*p == '"')
			putc('"', f);
		putc(*p, f);
	}
	putc('"', f);
}

void csv_numbers(FILE *f, const double *v, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		csv_sep(f);
		csv_number(f, v[k]);
	}
}

void csv_number(FILE *f, double x)
{
	if (isnan(x))
		return;
	if (isinf(x)) {
		fputs(x > 0 ? "inf" : "-inf", f);
		return;
	}
	if (x == 0)
		x = 0; /* no "-0" */
	fprintf(f, "%.10g", x);
}

void csv_sep(FILE *f)
{
	putc(',', f);
}

void csv_end(FILE *f)
{
	putc('\n', f);
}

/* ------------------------------------------------------------------ */
/* Reader.                                                              */

struct csv_reader {
	FILE *f;
	const char *name;
	char *buf;        /* field bytes, each field NUL-terminated */
	size_t len, cap;
	size_t *start;    /* offset of each field in buf */
	size_t n, ncap;
	long line;        /* current line (1-based) */
	long record_line; /* line where the last record began */
};

csv_reader *csv_reader_create(FILE *f, const char *name, clv_error *err)
{
	csv_reader *r = calloc(1, sizeof *r);

	if (r == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	r->f = f;
	r->name = name != NULL ? name : "(csv)";
	r->line = 1;
	return r;
}

void csv_reader_free(csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->start);
	free(r);
}

static int put_byte(csv_reader *r, char c)
{
	if (r->len == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		char *p = realloc(r->buf, cap);
		if (p == NULL)
			return -1;
		r->buf = p;
		r->cap = cap;
	}
	r->buf[r->len++] = c;
	return 0;
}

/* Start a new field at the current end of buf. */
static int new_field(csv_reader *r)
{
	if (r->n == r->ncap) {
		size_t cap = r->ncap ? 2 * r->ncap : 16;
		size_t *p = realloc(r->start, cap * sizeof *p);
		if (p == NULL)
			return -1;
		r->start = p;
		r->ncap = cap;
	}
	r->start[r->n++] = r->len;
	return 0;
}

/* Next character; counts lines. */
static int next_char(csv_reader *r)
{
	int c = getc(r->f);

	if (c == '\n')
		r->line++;
	return c;
}

/* After '\r': true (and consumed) when it is followed by '\n'. */
static bool crlf(csv_reader *r)
{
	int c = getc(r->f);

	if (c == '\n') {
		r->line++;
		return true;
	}
	if (c != EOF)
		ungetc(c, r->f);
	return false;
}

enum { FIELD_SEP, FIELD_END, FIELD_EOF, FIELD_BAD, FIELD_NOMEM };

/* What character c ends a field with (FIELD_SEP, FIELD_END, FIELD_EOF),
   or -1 when it does not end one. */
static int field_end(csv_reader *r, int c)
{
	if (c == ',')
		return FIELD_SEP;
	if (c == '\n')
		return FIELD_END;
	if (c == EOF)
		return FIELD_EOF;
	if (c == '\r' && crlf(r))
		return FIELD_END;
	return -1;
}

/* Rest of an unquoted field; first is its first character. */
static int read_plain(csv_reader *r, int c)
{
	for (;; c = next_char(r)) {
		int end = field_end(r, c);
		if (end >= 0)
			return end;
		if (put_byte(r, (char)c) != 0)
			return FIELD_NOMEM;
	}
}

/* A quoted field, after its opening quote. */
static int read_quoted(csv_reader *r)
{
	int c;

	for (;;) {
		c = next_char(r);
		if (c == EOF)
			return FIELD_BAD;
		if (c == '"') {
			c = next_char(r);
			if (c != '"')
				break;
		}
		if (put_byte(r, (char)c) != 0)
			return FIELD_NOMEM;
	}
	c = field_end(r, c);
	return c >= 0 ? c : FIELD_BAD;
}

static int read_field(csv_reader *r, int c)
{
	int how;

	if (new_field(r) != 0)
		return FIELD_NOMEM;
	how = c == '"' ? read_quoted(r) : read_plain(r, c);
	if (how != FIELD_NOMEM && put_byte(r, '\0') != 0)
		return FIELD_NOMEM;
	return how;
}

clv_status csv_reader_next(csv_reader *r, bool *got, clv_error *err)
{
	int c, how = FIELD_SEP;

	*got = false;
	r->n = r->len = 0;
	r->record_line = r->line;
	c = next_char(r);
	if (c == EOF)
		return ferror(r->f) ? diag_set_file(err, CLV_ERR_IO, r->name, "cannot read: %s",
		                                    strerror(errno)) : CLV_OK;
	while (how == FIELD_SEP) {
		how = read_field(r, c);
		if (how == FIELD_SEP)
			c = next_char(r);
	}
	if (how == FIELD_NOMEM)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (how == FIELD_BAD)
		return diag_set(err, CLV_ERR_INPUT, &(clv_pos){r->name, (int)r->record_line, 1},
		                "malformed CSV record (quote left open or text after a closing quote)");
	if (ferror(r->f))
		return diag_set_file(err, CLV_ERR_IO, r->name, "cannot read: %s", strerror(errno));
	*got = true;
	return CLV_OK;
}

size_t csv_reader_count(const csv_reader *r)
{
	return r->n;
}

const char *csv_reader_field(const csv_reader *r, size_t i)
{
	return i < r->n ? r->buf + r->start[i] : NULL;
}

long csv_reader_line(const csv_reader *r)
{
	return r->record_line;
}
