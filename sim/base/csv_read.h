/*
 * csv_read.h - an RFC 4180 record reader, for every CSV file clvsim reads:
 * purchase records and cohorts (fit/), and its own tables (plot.c makes
 * gnuplot-safe copies of them, the tests read them back). Stage: base.
 *
 * What it accepts (RFC 4180, "Common Format and MIME Type for CSV Files",
 * 2005, and what spreadsheets write):
 *   - fields separated by ',', records ended by CRLF or a bare LF, the last
 *     record with or without a line end;
 *   - quoted fields holding separators, doubled quotes ("") and line
 *     breaks (kept byte for byte: a CRLF inside quotes stays CRLF);
 *   - a UTF-8 byte order mark (EF BB BF) at the very start, skipped;
 *   - spaces are part of a field (RFC 4180 section 2.4); a quote inside an
 *     unquoted field is taken literally.
 * What it refuses (CLV_ERR_INPUT, "NAME:LINE:COLUMN: ..."): a quote left
 * open at the end of the input, text after a closing quote, a NUL byte.
 *
 * Positions: lines and columns count from 1; a column counts characters
 * (UTF-8 sequences, not bytes) from the start of its line, the byte order
 * mark not included. Every field knows where it began.
 */
#ifndef CLV_CSV_READ_H
#define CLV_CSV_READ_H

#include <stdbool.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"

typedef struct csv_reader csv_reader;

/* A reader over the borrowed stream f; name labels messages and positions
   (borrowed: it must outlive the reader). NULL with CLV_ERR_NOMEM. */
csv_reader *csv_reader_create(FILE *f, const char *name, clv_error *err);

/* NULL is a no-op. Does not close the stream. */
void csv_reader_free(csv_reader *r);

/* Read the next record. *got is false at the end of the input. Errors:
   CLV_ERR_INPUT naming the place (see above), CLV_ERR_IO on a read error,
   CLV_ERR_NOMEM. A blank line is a record of one empty field. */
clv_status csv_reader_next(csv_reader *r, bool *got, clv_error *err);

/* Fields of the last record read: their number, and field i (0-based,
   NUL-terminated, valid until the next read; NULL when i is out of
   range). */
size_t csv_reader_count(const csv_reader *r);
const char *csv_reader_field(const csv_reader *r, size_t i);

/* Line (1-based) on which the last record read began. */
long csv_reader_line(const csv_reader *r);

/* Where field i of the last record began (its opening quote, if quoted);
   for i >= count, the place just after the record's last field. */
clv_pos csv_reader_pos(const csv_reader *r, size_t i);

#endif
