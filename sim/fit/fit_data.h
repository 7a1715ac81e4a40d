/*
 * fit_data.h - purchase records: a CSV file read, checked and sorted,
 * ready to be fitted. Stage: fit.
 *
 * The file (docs/fit.md): a header naming the columns `customer`, `date`
 * (ISO 8601 YYYY-MM-DD) or `period` (a whole number), `brand`, and
 * optionally `amount`, in any order; then one purchase per record, RFC
 * 4180 (base/csv_read.h), rows in any order. Every problem is an error
 * naming FILE:LINE:COLUMN (line 1 is the header), status CLV_ERR_INPUT
 * (CLV_ERR_LIMIT over a limit, CLV_ERR_IO when unreadable):
 *   - an empty file; a header without `customer`, `brand` or one of
 *     `date` / `period`, with an unknown or repeated column, or with both
 *     `date` and `period`;
 *   - a record with too few or too many fields; an empty customer or
 *     brand; a brand name clvsim scenarios reserve (`total`, `dist`) or
 *     that is not text (control characters, invalid UTF-8);
 *   - a date that is not a valid YYYY-MM-DD day, a period that is not a
 *     whole number (0 to 1e9), an amount that is not a finite number in
 *     [-1e15, 1e15];
 *   - an exact duplicate (same customer, date or period, brand and
 *     amount): the message names both lines;
 *   - no records after the header; no customer with two purchases;
 *   - over FIT_MAX_ROWS records or CLV_MAX_STATES brands (limit).
 * Blank lines are skipped.
 *
 * Order: customers and brands are ranked by name (numbers by value, so
 * "2" < "10"; otherwise byte order); records are sorted by customer, then
 * date (or period), then file order. Nothing depends on the order of rows
 * in the file.
 */
#ifndef CLV_FIT_DATA_H
#define CLV_FIT_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_time.h"

/* Most records read from one file. */
#define FIT_MAX_ROWS 10000000L

typedef struct fit_record {
	uint32_t customer; /* rank of the customer's name: fit_data.customer[] */
	uint32_t brand;    /* rank of the brand's name: fit_data.brand[] */
	int64_t time;      /* day number (date column) or the period as written */
	long period;       /* period index from the data's first period (0) */
	double amount;     /* NaN without an amount column */
	long line;         /* line on which the record began */
} fit_record;

/* Columns, in the order of fit_data.col. */
enum { FIT_COL_CUSTOMER, FIT_COL_TIME, FIT_COL_BRAND, FIT_COL_AMOUNT, FIT_N_COLS };

typedef struct fit_data {
	char *path;            /* the file as named (owned) */
	char sha256[65];       /* hex SHA-256 of its bytes */
	size_t bytes;
	bool has_date;         /* a date column (else a period column) */
	bool has_amount;
	clv_pos col[FIT_N_COLS]; /* where each column's name stands in the
	                            header (line 0 when absent); file = path */
	size_t n;              /* records */
	fit_record *rec;       /* n, sorted (owned) */
	size_t n_customers;
	char **customer;       /* names by rank (owned) */
	size_t n_brands;
	char **brand;          /* names by rank (owned) */
	clv_pos *brand_pos;    /* n_brands: where each brand first appears */
	fit_unit unit;         /* of `period` (fit_data_set_unit) */
	long periods;          /* data periods 0..periods-1 */
	int64_t first_period;  /* absolute number of period 0 */
} fit_data;

/* Read, check and sort path (every rule above), with periods set for
   FIT_MONTH (dates) or as written (period column). NULL with err set. */
fit_data *fit_data_read(const char *path, clv_error *err);
void fit_data_free(fit_data *d);

/* Set every record's period for unit (dates only; a period column keeps
   its numbers whatever the unit, which then only names them). CLV_OK, or
   CLV_ERR_LIMIT when the data span more than CLV_MAX_HORIZON periods. */
clv_status fit_data_set_unit(fit_data *d, fit_unit unit, clv_error *err);

/* The period index (0 = the data's first) of a time: a day number for
   dates, a period as written otherwise. May be negative or beyond the
   data. */
long fit_data_period_of(const fit_data *d, int64_t time);

/* A label for period index p ("2024-03", "2024-Q1", ...; the number for
   a period column). */
void fit_data_period_label(const fit_data *d, long p, char *buf, size_t cap);

/* Order of names: all-digit names by value (then bytes), others by byte;
   digits before other names. A total order (strcmp on ties). */
int fit_name_cmp(const char *a, const char *b);

#endif
