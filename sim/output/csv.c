/*
 * csv.c - RFC 4180 fields out (the reader is base/csv_read.c).
 *
 * Invariants: a written field reads back byte for byte (csv_reader); a
 * record is one line unless a quoted field holds a line break.
 * Reference: RFC 4180, "Common Format and MIME Type for CSV Files", 2005.
 */
#include "output/csv.h"

#include <string.h>

#include "base/shortest.h"

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
	char buf[SHORTEST_MAX];

	if (shortest_format(x, buf)) /* NaN, +-Inf: nothing, a missing value */
		fputs(buf, f);
}

void csv_sep(FILE *f)
{
	putc(',', f);
}

void csv_end(FILE *f)
{
	putc('\n', f);
}
