/*
 * csv.h - comma-separated tables (RFC 4180): a field and number writer for
 * every CSV file clvsim writes into --out DIR, and a record reader (used by
 * plot.c to make gnuplot-safe copies, and by the tests to read tables back).
 *
 * Written format, the public interface of every *.csv file:
 *   - fields are separated by ',' and records end with a bare LF ("\n"),
 *     never CRLF (RFC 4180 says CRLF; every CSV reader in use accepts LF,
 *     and LF keeps the files diff- and grep-friendly);
 *   - a text field is enclosed in double quotes when it contains a comma,
 *     a double quote, a CR or an LF, and a double quote inside it is
 *     doubled; otherwise it is written as is (bytes pass through: UTF-8
 *     names stay UTF-8);
 *   - numbers are printed with "%.10g" in the C locale (ten significant
 *     digits: "0.475", "689.3767202", "1e-12"); NaN is an empty field
 *     (a missing value: spreadsheets and gnuplot skip it); +-Inf are
 *     "inf" and "-inf" (what strtod reads back); -0 is written as 0.
 */
#ifndef CLV_CSV_H
#define CLV_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"

/* Write text as one field, quoted only when it must be. text NULL is an
   empty field. Write errors show in ferror(f). */
void csv_field(FILE *f, const char *text);

/* Write x as one field: "%.10g", NaN as an empty field (see above). */
void csv_number(FILE *f, double x);

/* v[0], ..., v[n-1], each preceded by a separator (the rest of a record
   after its leading fields). */
void csv_numbers(FILE *f, const double *v, size_t n);

/* The field separator: ",". */
void csv_sep(FILE *f);

/* The record terminator: "\n" (LF, see above). */
void csv_end(FILE *f);

/* True when text must be quoted (contains , " CR or LF). */
bool csv_needs_quotes(const char *text);

/* A record reader over a borrowed FILE. Accepts LF or CRLF record ends,
   quoted fields with embedded separators, doubled quotes and line breaks;
   a final record without a line end. name labels error messages. */
typedef struct csv_reader csv_reader;

/* NULL with CLV_ERR_NOMEM in err when out of memory. */
csv_reader *csv_reader_create(FILE *f, const char *name, clv_error *err);
void csv_reader_free(csv_reader *r);

/* Read the next record into r. *got is false at the end of the input.
   CLV_ERR_INPUT (with name:line) for a malformed record: text after a
   closing quote, or a quote left open at the end of the input;
   CLV_ERR_IO on a read error; CLV_ERR_NOMEM. */
clv_status csv_reader_next(csv_reader *r, bool *got, clv_error *err);

/* Fields of the last record read: their number, and field i (0-based,
   NUL-terminated, valid until the next read). A blank line is a record
   of one empty field. */
size_t csv_reader_count(const csv_reader *r);
const char *csv_reader_field(const csv_reader *r, size_t i);

/* Line (1-based) on which the last record read began. */
long csv_reader_line(const csv_reader *r);

#endif
