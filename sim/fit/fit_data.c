/*
 * fit_data.c - read, check and sort purchase records (see fit_data.h for
 * the rules). Stage: fit.
 *
 * Method: the file is read whole (fit_file: size limit, SHA-256) and
 * parsed by the RFC 4180 reader; customer and brand names are interned in
 * open-addressing hash tables (FNV-1a) as they come; at the end both are
 * ranked by fit_name_cmp, records renumbered and sorted (customer rank,
 * time, line), and rows repeated exactly found among neighbours of the same
 * customer and time.
 */
#include "fit/fit_data.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_read.h"
#include "fit/fit_file.h"

static const char *const col_name[] = {"customer", "date", "period", "brand", "amount"};
#define N_NAMES 5

/* ------------------------------------------------------------------ */
/* Names: an interning table.                                          */

typedef struct intern {
	char *arena;        /* names, each NUL-terminated */
	size_t len, cap;
	size_t *off;        /* offset of name i in arena */
	clv_pos *pos;       /* where name i first appears */
	size_t n, ncap;
	uint32_t *slot;     /* hash table of index + 1; 0 = empty */
	size_t nslot;       /* a power of two, > 2 n */
} intern;

static void intern_free(intern *t)
{
	free(t->arena);
	free(t->off);
	free(t->pos);
	free(t->slot);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static const char *intern_name(const intern *t, size_t i)
{
	return t->arena + t->off[i];
}

static int intern_grow_slots(intern *t)
{
	size_t nslot = t->nslot ? 2 * t->nslot : 1024, i;
	uint32_t *slot = calloc(nslot, sizeof *slot);

	if (slot == NULL)
		return -1;
	for (i = 0; i < t->n; i++) {
		size_t k = (size_t)fnv1a(intern_name(t, i)) & (nslot - 1);
		while (slot[k] != 0)
			k = (k + 1) & (nslot - 1);
		slot[k] = (uint32_t)i + 1;
	}
	free(t->slot);
	t->slot = slot;
	t->nslot = nslot;
	return 0;
}

/* Append name s (first seen at pos) as entry t->n. */
static int intern_push(intern *t, const char *s, clv_pos pos)
{
	size_t len = strlen(s) + 1;

	if (t->len + len > t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 4096;
		char *p;
		while (cap < t->len + len)
			cap *= 2;
		if ((p = realloc(t->arena, cap)) == NULL)
			return -1;
		t->arena = p;
		t->cap = cap;
	}
	if (t->n == t->ncap) {
		size_t cap = t->ncap ? 2 * t->ncap : 256;
		size_t *o = realloc(t->off, cap * sizeof *o);
		clv_pos *p;
		if (o == NULL)
			return -1;
		t->off = o;
		if ((p = realloc(t->pos, cap * sizeof *p)) == NULL)
			return -1;
		t->pos = p;
		t->ncap = cap;
	}
	memcpy(t->arena + t->len, s, len);
	t->off[t->n] = t->len;
	t->pos[t->n] = pos;
	t->len += len;
	t->n++;
	return 0;
}

/* The index of name s, added if new (*added). -1 when out of memory. */
static long intern_get(intern *t, const char *s, clv_pos pos, bool *added)
{
	size_t k;

	*added = false;
	if (2 * (t->n + 1) >= t->nslot && intern_grow_slots(t) != 0)
		return -1;
	for (k = (size_t)fnv1a(s) & (t->nslot - 1); t->slot[k] != 0; k = (k + 1) & (t->nslot - 1))
		if (strcmp(intern_name(t, t->slot[k] - 1), s) == 0)
			return (long)t->slot[k] - 1;
	if (intern_push(t, s, pos) != 0)
		return -1;
	t->slot[k] = (uint32_t)t->n;
	*added = true;
	return (long)t->n - 1;
}

/* ------------------------------------------------------------------ */
/* Ordering.                                                            */

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int fit_name_cmp(const char *a, const char *b)
{
	bool da = all_digits(a), db = all_digits(b);

	if (da && db) {
		const char *x = a, *y = b;
		size_t lx, ly;
		int c;
		while (*x == '0' && x[1] != '\0')
			x++;
		while (*y == '0' && y[1] != '\0')
			y++;
		lx = strlen(x);
		ly = strlen(y);
		if (lx != ly)
			return lx < ly ? -1 : 1;
		if ((c = strcmp(x, y)) != 0)
			return c;
	} else if (da != db) {
		return da ? -1 : 1;
	}
	return strcmp(a, b);
}

/* A name and its index in the interning table, for sorting. */
typedef struct ranked {
	const char *name;
	size_t index;
} ranked;

static int ranked_cmp(const void *pa, const void *pb)
{
	return fit_name_cmp(((const ranked *)pa)->name, ((const ranked *)pb)->name);
}

static int record_cmp(const void *pa, const void *pb)
{
	const fit_record *a = pa, *b = pb;

	if (a->customer != b->customer)
		return a->customer < b->customer ? -1 : 1;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return (a->line > b->line) - (a->line < b->line);
}

/* Rank the names of t: names[rank] (owned copies), pos[rank] (when pos
   is not NULL), rank_of[index]. */
static clv_status rank_names(const intern *t, char ***names, clv_pos **pos, uint32_t **rank_of,
                             clv_error *err)
{
	size_t n = t->n ? t->n : 1, i;
	ranked *order = malloc(n * sizeof *order);
	clv_status rc = CLV_OK;

	*names = calloc(n, sizeof **names);
	*rank_of = malloc(n * sizeof **rank_of);
	if (pos != NULL)
		*pos = malloc(n * sizeof **pos);
	if (order == NULL || *names == NULL || *rank_of == NULL || (pos != NULL && *pos == NULL)) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory sorting the names");
		goto cleanup;
	}
	for (i = 0; i < t->n; i++)
		order[i] = (ranked){intern_name(t, i), i};
	if (t->n > 0)
		qsort(order, t->n, sizeof *order, ranked_cmp);
	for (i = 0; i < t->n && rc == CLV_OK; i++) {
		(*rank_of)[order[i].index] = (uint32_t)i;
		if (pos != NULL)
			(*pos)[i] = t->pos[order[i].index];
		if (((*names)[i] = strdup(order[i].name)) == NULL)
			rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory sorting the names");
	}
cleanup:
	free(order);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The reading state.                                                   */

typedef struct reader {
	fit_data *d;
	csv_reader *csv;
	int field_of[FIT_N_COLS]; /* field index of each column, -1 = absent */
	size_t n_fields;          /* fields in the header */
	intern customers, brands;
	size_t cap;               /* of d->rec */
	uint32_t *brand_index;    /* per record while reading: the interned index */
} reader;

/* s for a message: at most 40 bytes, control characters as '?'. */
static const char *shown(const char *s, char *buf, size_t cap)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n && i + 4 < cap && i < 40; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (i < n)
		buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

static clv_pos field_pos(const reader *r, int col)
{
	return csv_reader_pos(r->csv, (size_t)r->field_of[col]);
}

/* Which column a header name is: FIT_COL_*, or -1. */
static int column_of(const char *name)
{
	if (strcmp(name, "customer") == 0)
		return FIT_COL_CUSTOMER;
	if (strcmp(name, "date") == 0 || strcmp(name, "period") == 0)
		return FIT_COL_TIME;
	if (strcmp(name, "brand") == 0)
		return FIT_COL_BRAND;
	if (strcmp(name, "amount") == 0)
		return FIT_COL_AMOUNT;
	return -1;
}

static clv_status header_field(reader *r, size_t i, clv_error *err)
{
	const char *h = csv_reader_field(r->csv, i);
	clv_pos pos = csv_reader_pos(r->csv, i);
	int c = column_of(h);
	char buf[64];

	if (h[0] == '\0')
		return diag_set(err, CLV_ERR_INPUT, &pos, "empty column name");
	if (c < 0) {
		const char *hint = diag_did_you_mean(h, col_name, N_NAMES);
		return diag_set(err, CLV_ERR_INPUT, &pos,
		                "unknown column \"%s\"%s%s%s; the columns are customer, date or period, "
		                "brand, amount", shown(h, buf, sizeof buf), hint ? " (did you mean \"" : "",
		                hint ? hint : "", hint ? "\"?)" : "");
	}
	if (r->field_of[c] >= 0) {
		const char *first = csv_reader_field(r->csv, (size_t)r->field_of[c]);
		if (c == FIT_COL_TIME && strcmp(first, h) != 0)
			return diag_set(err, CLV_ERR_INPUT, &pos,
			                "both a date and a period column: give one of them");
		return diag_set(err, CLV_ERR_INPUT, &pos, "column \"%s\" named twice (first at column %d)",
		                h, r->d->col[c].column);
	}
	r->field_of[c] = (int)i;
	r->d->col[c] = pos;
	if (c == FIT_COL_TIME)
		r->d->has_date = strcmp(h, "date") == 0;
	return CLV_OK;
}

static clv_status read_header(reader *r, clv_error *err)
{
	clv_pos start = {r->d->path, 1, 1};
	clv_status rc;
	bool got;
	size_t i;
	int c;

	for (c = 0; c < FIT_N_COLS; c++)
		r->field_of[c] = -1;
	rc = csv_reader_next(r->csv, &got, err);
	if (rc != CLV_OK)
		return rc;
	if (!got || (csv_reader_count(r->csv) == 1 && csv_reader_field(r->csv, 0)[0] == '\0'))
		return diag_set(err, CLV_ERR_INPUT, &start,
		                "empty input: expected a header line naming the columns customer, date "
		                "(or period), brand and optionally amount");
	r->n_fields = csv_reader_count(r->csv);
	for (i = 0; i < r->n_fields && rc == CLV_OK; i++)
		rc = header_field(r, i, err);
	if (rc != CLV_OK)
		return rc;
	if (r->field_of[FIT_COL_CUSTOMER] < 0 || r->field_of[FIT_COL_BRAND] < 0 ||
	    r->field_of[FIT_COL_TIME] < 0) {
		const char *what = r->field_of[FIT_COL_CUSTOMER] < 0 ? "\"customer\""
		                   : r->field_of[FIT_COL_TIME] < 0 ? "\"date\" or \"period\""
		                                                    : "\"brand\"";
		return diag_set(err, CLV_ERR_INPUT, &start,
		                "no %s column; the header must name customer, date (or period) and "
		                "brand, and may name amount", what);
	}
	r->d->has_amount = r->field_of[FIT_COL_AMOUNT] >= 0;
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Values.                                                              */

/* NULL when s is valid UTF-8 without control characters; else why not. */
static const char *text_problem(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3
		          : (*p & 0xF8) == 0xF0 ? 4 : 0;
		int k;
		if (*p < 0x20 || *p == 0x7f)
			return "has a control character";
		if (len == 0 || (len == 2 && *p < 0xC2))
			return "is not valid UTF-8 text";
		for (k = 1; k < len; k++)
			if ((p[k] & 0xC0) != 0x80)
				return "is not valid UTF-8 text";
		p += len;
	}
	return NULL;
}

static clv_status parse_brand(reader *r, const char *s, clv_error *err)
{
	clv_pos pos = field_pos(r, FIT_COL_BRAND);
	const char *problem = text_problem(s);
	bool added;
	long b;

	if (s[0] == '\0')
		return diag_set(err, CLV_ERR_INPUT, &pos, "empty brand");
	if (problem != NULL)
		return diag_set(err, CLV_ERR_INPUT, &pos, "the brand name %s", problem);
	if (strcmp(s, "total") == 0 || strcmp(s, "dist") == 0)
		return diag_set(err, CLV_ERR_INPUT, &pos,
		                "brand \"%s\" is a name clvsim scenarios reserve (total: the sum over "
		                "states; dist: the key of a distribution)", s);
	b = intern_get(&r->brands, s, pos, &added);
	if (b < 0)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	if (added && r->brands.n > CLV_MAX_STATES)
		return diag_set(err, CLV_ERR_LIMIT, &pos,
		                "brand \"%s\" is brand number %zu: at most %d brands (the states of a "
		                "scenario)", s, r->brands.n, CLV_MAX_STATES);
	r->brand_index[r->d->n] = (uint32_t)b;
	return CLV_OK;
}

static clv_status parse_time(reader *r, const char *s, fit_record *rec, clv_error *err)
{
	clv_pos pos = field_pos(r, FIT_COL_TIME);
	char buf[64], *end;
	long long v;

	if (r->d->has_date) {
		const char *why = fit_parse_date(s, &rec->time);
		if (why != NULL)
			return diag_set(err, CLV_ERR_INPUT, &pos,
			                "date \"%s\": %s (dates are ISO 8601: YYYY-MM-DD)",
			                shown(s, buf, sizeof buf), why);
		return CLV_OK;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v > 1000000000LL)
		return diag_set(err, CLV_ERR_INPUT, &pos,
		                "period \"%s\" is not a whole number from 0 to 1000000000",
		                shown(s, buf, sizeof buf));
	rec->time = v;
	return CLV_OK;
}

static clv_status parse_amount(reader *r, const char *s, fit_record *rec, clv_error *err)
{
	clv_pos pos = field_pos(r, FIT_COL_AMOUNT);
	char buf[64], *end;
	double v;

	if (s[0] == '\0')
		return diag_set(err, CLV_ERR_INPUT, &pos, "empty amount");
	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end != '\0' || (s[0] != '-' && s[0] != '+' && s[0] != '.' &&
	                                 (s[0] < '0' || s[0] > '9')))
		return diag_set(err, CLV_ERR_INPUT, &pos, "amount \"%s\" is not a number",
		                shown(s, buf, sizeof buf));
	if (!isfinite(v) || fabs(v) > 1e15)
		return diag_set(err, CLV_ERR_INPUT, &pos,
		                "amount \"%s\" is not a finite number in [-1e15, 1e15]",
		                shown(s, buf, sizeof buf));
	rec->amount = v;
	return CLV_OK;
}

/* The name of the column in field i of the header. */
static const char *column_name(const reader *r, size_t i)
{
	int c;

	for (c = 0; c < FIT_N_COLS; c++)
		if (r->field_of[c] == (int)i)
			return c == FIT_COL_TIME ? (r->d->has_date ? "date" : "period")
			                         : col_name[c == 0 ? 0 : c + 1];
	return "?";
}

static clv_status check_field_count(reader *r, clv_error *err)
{
	size_t n = csv_reader_count(r->csv);
	clv_pos pos = csv_reader_pos(r->csv, n < r->n_fields ? n : r->n_fields);

	if (n == r->n_fields)
		return CLV_OK;
	if (n > r->n_fields)
		return diag_set(err, CLV_ERR_INPUT, &pos, "%zu fields, but the header names %zu columns",
		                n, r->n_fields);
	return diag_set(err, CLV_ERR_INPUT, &pos,
	                "%zu field%s, but the header names %zu columns: no %s", n, n == 1 ? "" : "s",
	                r->n_fields, column_name(r, n));
}

static clv_status grow_records(reader *r, clv_error *err)
{
	fit_data *d = r->d;
	size_t cap = r->cap ? 2 * r->cap : 1024;
	fit_record *p;
	uint32_t *b;

	if (d->n < r->cap)
		return CLV_OK;
	if ((p = realloc(d->rec, cap * sizeof *p)) == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the records");
	d->rec = p;
	if ((b = realloc(r->brand_index, cap * sizeof *b)) == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the records");
	r->brand_index = b;
	r->cap = cap;
	return CLV_OK;
}

/* One record of the body (not blank). */
static clv_status read_record(reader *r, clv_error *err)
{
	fit_data *d = r->d;
	fit_record *rec;
	const char *cust;
	clv_pos cpos;
	clv_status rc;
	bool added;
	long c;

	if (d->n >= (size_t)FIT_MAX_ROWS)
		return diag_set(err, CLV_ERR_LIMIT, &(clv_pos){d->path, (int)csv_reader_line(r->csv), 1},
		                "more than %ld records: the limit for one data file", FIT_MAX_ROWS);
	if ((rc = check_field_count(r, err)) != CLV_OK || (rc = grow_records(r, err)) != CLV_OK)
		return rc;
	rec = &d->rec[d->n];
	rec->line = csv_reader_line(r->csv);
	rec->amount = NAN;
	rec->period = 0;
	cust = csv_reader_field(r->csv, (size_t)r->field_of[FIT_COL_CUSTOMER]);
	cpos = field_pos(r, FIT_COL_CUSTOMER);
	if (cust[0] == '\0')
		return diag_set(err, CLV_ERR_INPUT, &cpos, "empty customer");
	rc = parse_time(r, csv_reader_field(r->csv, (size_t)r->field_of[FIT_COL_TIME]), rec, err);
	if (rc == CLV_OK)
		rc = parse_brand(r, csv_reader_field(r->csv, (size_t)r->field_of[FIT_COL_BRAND]), err);
	if (rc == CLV_OK && d->has_amount)
		rc = parse_amount(r, csv_reader_field(r->csv, (size_t)r->field_of[FIT_COL_AMOUNT]), rec,
		                  err);
	if (rc != CLV_OK)
		return rc;
	c = intern_get(&r->customers, cust, cpos, &added);
	if (c < 0)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	rec->customer = (uint32_t)c;
	d->n++;
	return CLV_OK;
}

static clv_status read_body(reader *r, clv_error *err)
{
	clv_status rc;
	bool got = true;

	for (;;) {
		rc = csv_reader_next(r->csv, &got, err);
		if (rc != CLV_OK || !got)
			return rc;
		if (csv_reader_count(r->csv) == 1 && csv_reader_field(r->csv, 0)[0] == '\0')
			continue; /* a blank line */
		if ((rc = read_record(r, err)) != CLV_OK)
			return rc;
	}
}

/* ------------------------------------------------------------------ */
/* After reading: rank, sort, check.                                    */

static clv_status rank_and_sort(reader *r, clv_error *err)
{
	fit_data *d = r->d;
	uint32_t *cust_rank = NULL, *brand_rank = NULL;
	clv_status rc;
	size_t i;

	rc = rank_names(&r->customers, &d->customer, NULL, &cust_rank, err);
	d->n_customers = r->customers.n;
	if (rc == CLV_OK) {
		rc = rank_names(&r->brands, &d->brand, &d->brand_pos, &brand_rank, err);
		d->n_brands = r->brands.n;
	}
	if (rc == CLV_OK) {
		for (i = 0; i < d->n; i++) {
			d->rec[i].customer = cust_rank[d->rec[i].customer];
			d->rec[i].brand = brand_rank[r->brand_index[i]];
		}
		if (d->n > 0)
			qsort(d->rec, d->n, sizeof *d->rec, record_cmp);
	}
	free(cust_rank);
	free(brand_rank);
	return rc;
}

static bool same_amount(double a, double b)
{
	return (isnan(a) && isnan(b)) || a == b;
}

/* Rows repeated exactly: among the records of one customer and time. */
static clv_status find_repeated_rows(const fit_data *d, clv_error *err)
{
	size_t i = 0, j, k;

	while (i < d->n) {
		for (j = i + 1; j < d->n && d->rec[j].customer == d->rec[i].customer &&
		                d->rec[j].time == d->rec[i].time; j++)
			;
		for (k = i + 1; k < j; k++) {
			size_t m;
			for (m = i; m < k; m++) {
				const fit_record *a = &d->rec[m], *b = &d->rec[k];
				if (a->brand == b->brand && same_amount(a->amount, b->amount))
					return diag_set(err, CLV_ERR_INPUT, &(clv_pos){d->path, (int)b->line, 1},
					                "an exact duplicate of line %ld (the same customer, %s%s "
					                "brand%s): refused, as a record counted twice would count a "
					                "switch that never happened", a->line,
					                d->has_date ? "date" : "period", d->has_amount ? "," : " and",
					                d->has_amount ? " and amount" : "");
			}
		}
		i = j;
	}
	return CLV_OK;
}

static clv_status check_repeat_buyers(const fit_data *d, clv_error *err)
{
	size_t i;

	if (d->n == 0)
		return diag_set(err, CLV_ERR_INPUT, &(clv_pos){d->path, 2, 1},
		                "no purchase records after the header");
	for (i = 1; i < d->n; i++)
		if (d->rec[i].customer == d->rec[i - 1].customer)
			return CLV_OK;
	return diag_set(err, CLV_ERR_INPUT, &d->col[FIT_COL_CUSTOMER],
	                "no customer has two purchases (%zu customers, one purchase each): there is "
	                "no switching to estimate", d->n_customers);
}

void fit_data_free(fit_data *d)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; d->customer != NULL && i < d->n_customers; i++)
		free(d->customer[i]);
	for (i = 0; d->brand != NULL && i < d->n_brands; i++)
		free(d->brand[i]);
	free(d->customer);
	free(d->brand);
	free(d->brand_pos);
	free(d->rec);
	free(d->path);
	free(d);
}

/* Parse the text of file into d. */
static clv_status parse(fit_data *d, const fit_file *file, clv_error *err)
{
	reader r;
	FILE *mem = NULL;
	clv_status rc = CLV_OK;

	memset(&r, 0, sizeof r);
	r.d = d;
	if (file->len == 0)
		return diag_set(err, CLV_ERR_INPUT, &(clv_pos){d->path, 1, 1},
		                "empty input: expected a header line naming the columns customer, date "
		                "(or period), brand and optionally amount");
	mem = fmemopen(file->text, file->len, "r");
	if (mem == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	r.csv = csv_reader_create(mem, d->path, err);
	if (r.csv == NULL)
		rc = CLV_ERR_NOMEM;
	if (rc == CLV_OK)
		rc = read_header(&r, err);
	if (rc == CLV_OK)
		rc = read_body(&r, err);
	if (rc == CLV_OK)
		rc = rank_and_sort(&r, err);
	csv_reader_free(r.csv);
	fclose(mem);
	intern_free(&r.customers);
	intern_free(&r.brands);
	free(r.brand_index);
	return rc;
}

fit_data *fit_data_read(const char *path, clv_error *err)
{
	fit_data *d = calloc(1, sizeof *d);
	fit_file file;
	clv_status rc;

	if (d == NULL || (d->path = strdup(path)) == NULL) {
		free(d);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	rc = fit_file_read(path, &file, err);
	if (rc != CLV_OK) {
		fit_data_free(d);
		return NULL;
	}
	memcpy(d->sha256, file.sha256, sizeof d->sha256);
	d->bytes = file.len;
	rc = parse(d, &file, err);
	fit_file_release(&file);
	if (rc == CLV_OK)
		rc = find_repeated_rows(d, err);
	if (rc == CLV_OK)
		rc = check_repeat_buyers(d, err);
	if (rc == CLV_OK)
		rc = fit_data_set_unit(d, d->has_date ? FIT_MONTH : FIT_PERIOD, err);
	if (rc != CLV_OK) {
		fit_data_free(d);
		return NULL;
	}
	return d;
}

/* ------------------------------------------------------------------ */
/* Periods.                                                             */

static int64_t absolute_period(const fit_data *d, int64_t time)
{
	return d->has_date ? fit_period_of(d->unit, time) : time;
}

clv_status fit_data_set_unit(fit_data *d, fit_unit unit, clv_error *err)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	size_t i, first = 0, last = 0;

	d->unit = unit;
	for (i = 0; i < d->n; i++) {
		int64_t p = absolute_period(d, d->rec[i].time);
		if (p < lo) {
			lo = p;
			first = i;
		}
		if (p > hi) {
			hi = p;
			last = i;
		}
	}
	if (d->n > 0 && hi - lo >= CLV_MAX_HORIZON)
		return diag_set(err, CLV_ERR_LIMIT, &d->col[FIT_COL_TIME],
		                "the data span %lld %ss (line %ld to line %ld), more than the %ld "
		                "periods a scenario may have%s", (long long)(hi - lo + 1),
		                fit_unit_name(d->unit), d->rec[first].line, d->rec[last].line,
		                CLV_MAX_HORIZON, d->has_date ? "; choose a longer --period" : "");
	d->first_period = d->n > 0 ? lo : 0;
	d->periods = d->n > 0 ? (long)(hi - lo + 1) : 0;
	for (i = 0; i < d->n; i++)
		d->rec[i].period = (long)(absolute_period(d, d->rec[i].time) - lo);
	return CLV_OK;
}

long fit_data_period_of(const fit_data *d, int64_t time)
{
	return (long)(absolute_period(d, time) - d->first_period);
}

void fit_data_period_label(const fit_data *d, long p, char *buf, size_t cap)
{
	fit_period_label(d->has_date ? d->unit : FIT_PERIOD, d->first_period + p, buf, cap);
}
