/*
 * csv.h - comma-separated tables (RFC 4180): a field and number writer for
 * every CSV file clvsim writes into --out DIR. The record reader that
 * reads them back (plot.c's gnuplot-safe copies, the tests) lives below,
 * in base/csv_read.h, which this header includes.
 *
 * Written format, the public interface of every *.csv file:
 *   - fields are separated by ',' and records end with a bare LF ("\n"),
 *     never CRLF (RFC 4180 says CRLF; every CSV reader in use accepts LF,
 *     and LF keeps the files diff- and grep-friendly);
 *   - a text field is enclosed in double quotes when it contains a comma,
 *     a double quote, a CR or an LF, and a double quote inside it is
 *     doubled; otherwise it is written as is (bytes pass through: UTF-8
 *     names stay UTF-8);
 *   - numbers are the shortest decimal that reads back (strtod) to the
 *     same double (base/shortest.h): "0.475", "1", "0.0981", "1e-12",
 *     whole numbers as integers; -0 is written as 0; NaN and +-Inf are
 *     an empty field (a missing value: R, pandas, spreadsheets and
 *     gnuplot skip it). docs/tables.md documents every table.
 */
#ifndef CLV_CSV_H
#define CLV_CSV_H

#include <stdbool.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/csv_read.h"
#include "base/diag.h"

/* Write text as one field, quoted only when it must be. text NULL is an
   empty field. Write errors show in ferror(f). */
void csv_field(FILE *f, const char *text);

/* Write x as one field: the shortest round-trip decimal, empty for
   NaN and +-Inf (see above). */
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

#endif
