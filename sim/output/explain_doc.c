/*
 * explain_doc.c - headings, paragraphs, worked lines and tables as plain
 * text or Markdown (output stage; see explain_doc.h).
 */
#include "output/explain_doc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "output/report_structure.h"

#define WIDTH 78

/* vprintf into a new string; NULL when out of memory. */
static char *vformat(const char *fmt, va_list ap)
{
	va_list copy;
	int len;
	char *s;

	va_copy(copy, ap);
	len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		return NULL;
	s = malloc((size_t)len + 1);
	if (s != NULL)
		vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

/* Close a block of lines and separate the next block by a blank line. */
static void begin_block(explain_doc *d)
{
	explain_end(d);
	if (ftell(d->f) > 0)
		fputc('\n', d->f);
}

void explain_end(explain_doc *d)
{
	if (!d->in_lines)
		return;
	if (d->markdown)
		fputs("```\n", d->f);
	d->in_lines = false;
}

void explain_heading(explain_doc *d, int level, const char *fmt, ...)
{
	va_list ap;
	char *text;
	size_t k, len;

	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return;
	begin_block(d);
	len = strlen(text);
	if (d->markdown)
		fprintf(d->f, "%.*s %s\n", level, "###", text);
	else {
		fprintf(d->f, "%s\n", text);
		for (k = 0; level < 3 && k < len; k++)
			fputc(level == 1 ? '=' : '-', d->f);
		if (level < 3)
			fputc('\n', d->f);
	}
	free(text);
}

void explain_para(explain_doc *d, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL)
		return;
	begin_block(d);
	report_text_wrapped(d->f, "", "", text, WIDTH);
	free(text);
}

void explain_line(explain_doc *d, const char *fmt, ...)
{
	va_list ap;

	if (!d->in_lines) {
		begin_block(d);
		if (d->markdown)
			fputs("```text\n", d->f);
		d->in_lines = true;
	}
	if (!d->markdown)
		fputs("    ", d->f);
	va_start(ap, fmt);
	vfprintf(d->f, fmt, ap);
	va_end(ap);
	fputc('\n', d->f);
}

/* ------------------------------------------------------------------ */
/* Tables.                                                             */

void explain_table_init(explain_table *t, size_t cols)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
}

void explain_table_row(explain_table *t, const char *const *cells)
{
	size_t j;

	if (t->failed)
		return;
	if (t->rows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		char **grown = realloc(t->cell, cap * t->cols * sizeof *grown);
		if (grown == NULL) {
			t->failed = true;
			return;
		}
		t->cell = grown;
		t->cap = cap;
	}
	for (j = 0; j < t->cols; j++) {
		char *c = strdup(cells[j] != NULL ? cells[j] : "");
		t->failed |= c == NULL;
		t->cell[t->rows * t->cols + j] = c;
	}
	t->rows++;
}

void explain_table_rowf(explain_table *t, const char *fmt, ...)
{
	va_list ap;
	char *text, *p;
	const char *cells[32] = {0};
	size_t j = 0;

	va_start(ap, fmt);
	text = vformat(fmt, ap);
	va_end(ap);
	if (text == NULL || t->cols > 32) {
		t->failed = true;
		free(text);
		return;
	}
	for (p = text; j < t->cols; j++) {
		cells[j] = p;
		p = strchr(p, '\t');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	explain_table_row(t, cells);
	free(text);
}

void explain_table_values(explain_table *t, const char *first, int decimals,
                          const double *values, size_t n_values)
{
	char buf[64][32];
	const char *cells[64];
	size_t k;

	if (n_values > 63) {
		t->failed = true;
		return;
	}
	cells[0] = first;
	for (k = 0; k < n_values; k++) {
		snprintf(buf[k], sizeof buf[k], "%.*f", decimals, values[k]);
		cells[k + 1] = buf[k];
	}
	for (k = n_values + 1; k < t->cols && k < 64; k++)
		cells[k] = "";
	explain_table_row(t, cells);
}

static void free_cells(explain_table *t)
{
	size_t k;

	for (k = 0; k < t->rows * t->cols; k++)
		free(t->cell[k]);
	free(t->cell);
	t->cell = NULL;
	t->rows = t->cap = 0;
}

/* A cell in Markdown: '|' escaped. */
static void md_cell(FILE *f, const char *c)
{
	for (; *c != '\0'; c++) {
		if (*c == '|')
			fputc('\\', f);
		fputc(*c, f);
	}
}

/* Column j holds text (aligned left), not numbers (aligned right): the
   first column, or one with a body cell that starts with a letter or a
   brace. */
static bool text_column(const explain_table *t, size_t j)
{
	size_t i;

	if (j == 0)
		return true;
	for (i = 1; i < t->rows; i++) {
		unsigned char c = (unsigned char)t->cell[i * t->cols + j][0];
		if (c == '{' || c == '(' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
			return true;
	}
	return false;
}

static void print_markdown(explain_doc *d, const explain_table *t)
{
	size_t i, j;

	for (i = 0; i < t->rows; i++) {
		for (j = 0; j < t->cols; j++) {
			fputs("| ", d->f);
			md_cell(d->f, t->cell[i * t->cols + j]);
			fputc(' ', d->f);
		}
		fputs("|\n", d->f);
		if (i == 0) {
			for (j = 0; j < t->cols; j++)
				fputs(text_column(t, j) ? "| --- " : "| ---: ", d->f);
			fputs("|\n", d->f);
		}
	}
}

static void print_text(explain_doc *d, const explain_table *t)
{
	size_t width[32] = {0}, i, j, k;

	for (i = 0; i < t->rows; i++)
		for (j = 0; j < t->cols; j++) {
			size_t len = strlen(t->cell[i * t->cols + j]);
			if (len > width[j])
				width[j] = len;
		}
	for (i = 0; i < t->rows; i++) {
		char line[4096];
		size_t len = 2;
		memcpy(line, "  ", 3);
		for (j = 0; j < t->cols && len < sizeof line; j++) {
			const char *c = t->cell[i * t->cols + j];
			len += (size_t)snprintf(line + len, sizeof line - len, text_column(t, j) ? "%s%-*s" : "%s%*s",
			                        j > 0 ? "  " : "", (int)width[j], c);
		}
		if (len >= sizeof line)
			len = sizeof line - 1;
		while (len > 0 && line[len - 1] == ' ')
			len--;
		fprintf(d->f, "%.*s\n", (int)len, line);
		if (i == 0) {
			fputs("  ", d->f);
			for (j = 0; j < t->cols; j++) {
				fputs(j == 0 ? "" : "  ", d->f);
				for (k = 0; k < width[j]; k++)
					fputc('-', d->f);
			}
			fputc('\n', d->f);
		}
	}
}

void explain_table_print(explain_doc *d, explain_table *t)
{
	if (!t->failed && t->rows > 0 && t->cols <= 32) {
		begin_block(d);
		if (d->markdown)
			print_markdown(d, t);
		else
			print_text(d, t);
	}
	free_cells(t);
}
