/*
 * csv_read.c - RFC 4180 records in (see csv_read.h for what is accepted).
 * Stage: base.
 *
 * Method: a character state machine (field start, unquoted, quoted, after
 * a closing quote) over a block-buffered byte source with two bytes of
 * look-ahead (CRLF, the byte order mark needs three at the start); the fields of one record are kept NUL-separated
 * in one growing buffer with an offset and a starting place per field.
 * Invariant: `line` and `col` always give the place of the next byte to
 * be read; a written field (output/csv.c) reads back byte for byte.
 * Reference: RFC 4180, "Common Format and MIME Type for CSV Files", 2005.
 */
#include "base/csv_read.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CSV_BLOCK 65536

typedef struct field_info {
	size_t start; /* offset in buf */
	int line, col;
} field_info;

struct csv_reader {
	FILE *f;
	const char *name;
	unsigned char in[CSV_BLOCK]; /* input block: bytes in_pos..in_len-1 unread */
	size_t in_pos, in_len;
	bool eof, bom_checked;
	char *buf;        /* field bytes, each field NUL-terminated */
	size_t len, cap;
	field_info *field;
	size_t n, ncap;
	int line, col;    /* place of the next byte */
	int end_line, end_col; /* place just after the last field */
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
	r->col = 1;
	return r;
}

void csv_reader_free(csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->buf);
	free(r->field);
	free(r);
}

/* ------------------------------------------------------------------ */
/* Byte source.                                                         */

/* Make at least k bytes available (fewer only at the end of the input):
   unread bytes move to the front of the block, which is then topped up.
   Returns the number available. */
static size_t ensure(csv_reader *r, size_t k)
{
	while (r->in_len - r->in_pos < k && !r->eof) {
		size_t keep = r->in_len - r->in_pos, got;
		memmove(r->in, r->in + r->in_pos, keep);
		r->in_pos = 0;
		r->in_len = keep;
		got = fread(r->in + keep, 1, sizeof r->in - keep, r->f);
		r->in_len += got;
		if (got == 0)
			r->eof = true;
	}
	return r->in_len - r->in_pos;
}

/* The byte `ahead` places on (0 = the next one) without taking it, or
   EOF. ahead < 2. */
static int peek_at(csv_reader *r, size_t ahead)
{
	return ensure(r, ahead + 1) > ahead ? r->in[r->in_pos + ahead] : EOF;
}

static int peek(csv_reader *r)
{
	return peek_at(r, 0);
}

/* Take the next byte (or EOF) and advance the place. */
static int take(csv_reader *r)
{
	int c = peek(r);

	if (c == EOF)
		return EOF;
	r->in_pos++;
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else if ((c & 0xC0) != 0x80) {
		r->col++; /* a UTF-8 continuation byte is not a new character */
	}
	return c;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static void skip_bom(csv_reader *r)
{
	r->bom_checked = true;
	if (ensure(r, 3) >= 3 && r->in[r->in_pos] == 0xEF && r->in[r->in_pos + 1] == 0xBB &&
	    r->in[r->in_pos + 2] == 0xBF)
		r->in_pos += 3;
}

/* ------------------------------------------------------------------ */
/* Fields.                                                              */

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

/* Start a new field at the current end of buf, at the current place. */
static int new_field(csv_reader *r)
{
	if (r->n == r->ncap) {
		size_t cap = r->ncap ? 2 * r->ncap : 16;
		field_info *p = realloc(r->field, cap * sizeof *p);
		if (p == NULL)
			return -1;
		r->field = p;
		r->ncap = cap;
	}
	r->field[r->n++] = (field_info){r->len, r->line, r->col};
	return 0;
}

enum { FIELD_SEP, FIELD_END, FIELD_EOF, FIELD_OPEN, FIELD_JUNK, FIELD_NUL, FIELD_NOMEM };

/* Does the next byte end a field? Takes the separator or line end (LF
   or CRLF; a lone CR is data), notes the place just before it, and returns
   FIELD_SEP / FIELD_END / FIELD_EOF; -1 when it does not end one. */
static int field_end(csv_reader *r)
{
	int c = peek(r), how;

	if (c == ',')
		how = FIELD_SEP;
	else if (c == '\n' || (c == '\r' && peek_at(r, 1) == '\n'))
		how = FIELD_END;
	else if (c == EOF)
		how = FIELD_EOF;
	else
		return -1;
	r->end_line = r->line;
	r->end_col = r->col;
	if (c == '\r')
		take(r);
	take(r);
	return how;
}

/* Rest of an unquoted field. */
static int read_plain(csv_reader *r)
{
	for (;;) {
		int end = field_end(r), c;
		if (end >= 0)
			return end;
		c = take(r);
		if (c == '\0')
			return FIELD_NUL;
		if (put_byte(r, (char)c) != 0)
			return FIELD_NOMEM;
	}
}

/* A quoted field, from its opening quote. */
static int read_quoted(csv_reader *r)
{
	int c, end;

	take(r); /* the opening quote */
	for (;;) {
		c = take(r);
		if (c == EOF)
			return FIELD_OPEN;
		if (c == '\0')
			return FIELD_NUL;
		if (c == '"') {
			if (peek(r) != '"')
				break;
			take(r);
		}
		if (put_byte(r, (char)c) != 0)
			return FIELD_NOMEM;
	}
	end = field_end(r);
	return end >= 0 ? end : FIELD_JUNK;
}

static int read_field(csv_reader *r)
{
	int how;

	if (new_field(r) != 0)
		return FIELD_NOMEM;
	how = peek(r) == '"' ? read_quoted(r) : read_plain(r);
	if (how != FIELD_NOMEM && put_byte(r, '\0') != 0)
		return FIELD_NOMEM;
	return how;
}

/* The error for a record that ended badly (how), at the current place. */
static clv_status record_error(csv_reader *r, int how, clv_error *err)
{
	const field_info *fi = &r->field[r->n - 1];
	clv_pos here = {r->name, r->line, r->col};
	clv_pos open = {r->name, fi->line, fi->col};

	if (how == FIELD_NOMEM)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (how == FIELD_OPEN)
		return diag_set(err, CLV_ERR_INPUT, &open,
		                "malformed CSV: the quote opened here is never closed");
	if (how == FIELD_NUL) {
		here.column--; /* the NUL was taken */
		return diag_set(err, CLV_ERR_INPUT, &here, "a NUL byte: not a text file");
	}
	return diag_set(err, CLV_ERR_INPUT, &here,
	                "malformed CSV: text after a closing quote (a quote inside a quoted "
	                "field is written twice: \"\")");
}

clv_status csv_reader_next(csv_reader *r, bool *got, clv_error *err)
{
	int how = FIELD_SEP;

	*got = false;
	r->n = r->len = 0;
	if (!r->bom_checked)
		skip_bom(r);
	r->record_line = r->line;
	if (peek(r) == EOF)
		return ferror(r->f) ? diag_set_file(err, CLV_ERR_IO, r->name, "cannot read: %s",
		                                    strerror(errno)) : CLV_OK;
	while (how == FIELD_SEP)
		how = read_field(r);
	if (how != FIELD_END && how != FIELD_EOF)
		return record_error(r, how, err);
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
	return i < r->n ? r->buf + r->field[i].start : NULL;
}

long csv_reader_line(const csv_reader *r)
{
	return r->record_line;
}

clv_pos csv_reader_pos(const csv_reader *r, size_t i)
{
	if (i < r->n)
		return (clv_pos){r->name, r->field[i].line, r->field[i].col};
	return (clv_pos){r->name, r->end_line, r->end_col};
}
