/*
 * explain_doc.h - the few kinds of block a lesson is made of (headings,
 * paragraphs, worked lines, tables), written either as plain text for a
 * terminal or a handout, or as Markdown (output stage; used by explain.c).
 *
 * Plain text: headings underlined, paragraphs wrapped at 78 columns,
 * worked lines indented by four spaces, tables in aligned columns.
 * Markdown: `#` headings, the same paragraphs, worked lines in a fenced
 * block, tables as pipe tables.
 */
#ifndef CLV_EXPLAIN_DOC_H
#define CLV_EXPLAIN_DOC_H

#include <stdbool.h>
#include <stdio.h>

typedef struct explain_doc {
	FILE *f;
	bool markdown;
	bool in_lines; /* inside a block of worked lines */
} explain_doc;

/* A heading of level 1 (the title), 2 (a section) or 3 (a subsection). */
void explain_heading(explain_doc *d, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A paragraph (wrapped; in Markdown, `*` and `_` are written as they are). */
void explain_para(explain_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One worked line; consecutive lines form one block (closed by the next
   heading, paragraph or table, or by explain_end). */
void explain_line(explain_doc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Close an open block of worked lines. */
void explain_end(explain_doc *d);

/* A table of cells built row by row; the first row is the header. The
   first column is aligned left, the others right. */
typedef struct explain_table {
	size_t cols, rows, cap;
	char **cell; /* rows * cols strings (owned) */
	bool failed; /* an allocation failed: the table prints nothing */
} explain_table;

void explain_table_init(explain_table *t, size_t cols);

/* Append a row of t->cols cells (copied). */
void explain_table_row(explain_table *t, const char *const *cells);

/* Append a row formatted by fmt, its cells separated by tabs, e.g.
   explain_table_rowf(t, "%ld\t%.4f", t, x). Missing cells are empty. */
void explain_table_rowf(explain_table *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append a row: first, then n_values numbers with `decimals` decimals;
   at most 63 values. */
void explain_table_values(explain_table *t, const char *first, int decimals,
                          const double *values, size_t n_values);

/* Print t (a blank line before it) and free its cells. */
void explain_table_print(explain_doc *d, explain_table *t);

#endif
