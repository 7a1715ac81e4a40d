/*
 * diag.c - error reports with their place in a file, and "did you mean".
 *
 * The hint uses the Levenshtein distance (Wagner-Fischer, two rows). A
 * diag_list keeps every problem of a check that goes on past them.
 */
#include "base/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vset(clv_error *err, clv_status status, const char *file, int line,
                 int column, const char *fmt, va_list ap)
{
	size_t used = 0;

	if (err == NULL || err->status != CLV_OK)
		return;
	err->status = status;
	err->msg[0] = '\0';
	err->file = file;
	err->line = file != NULL ? line : 0;
	err->column = file != NULL ? column : 0;
	if (file != NULL && line > 0)
		used = (size_t)snprintf(err->msg, sizeof err->msg, "%s:%d:%d: ", file, line, column);
	else if (file != NULL)
		used = (size_t)snprintf(err->msg, sizeof err->msg, "%s: ", file);
	if (used >= sizeof err->msg)
		used = sizeof err->msg - 1;
	vsnprintf(err->msg + used, sizeof err->msg - used, fmt, ap);
}

clv_status diag_set(clv_error *err, clv_status status, const clv_pos *pos,
                    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (pos != NULL)
		vset(err, status, pos->file, pos->line, pos->column, fmt, ap);
	else
		vset(err, status, NULL, 0, 0, fmt, ap);
	va_end(ap);
	return status;
}

clv_status diag_set_file(clv_error *err, clv_status status, const char *file,
                         const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset(err, status, file, 0, 0, fmt, ap);
	va_end(ap);
	return status;
}

char *diag_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || (out = malloc((size_t)len + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)len + 1, fmt, ap);
	va_end(ap);
	return out;
}

void diag_clear(clv_error *err)
{
	err->status = CLV_OK;
	err->msg[0] = '\0';
	err->file = NULL;
	err->line = err->column = 0;
}

/* ------------------------------------------------------------------ */
/* Kept problems.                                                      */

bool diag_keep(clv_error *err)
{
	diag_list *l = err != NULL ? err->all : NULL;
	diag_problem *p;

	if (l == NULL)
		return false;
	if (err->status == CLV_OK)
		return true;
	if (err->status != CLV_ERR_INPUT && err->status != CLV_ERR_LIMIT)
		return false;
	if (l->n >= DIAG_KEEP_MAX) {
		l->dropped++;
		diag_clear(err);
		return true;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		diag_problem *grown = realloc(l->item, cap * sizeof *grown);
		if (grown == NULL)
			return false;
		l->item = grown;
		l->cap = cap;
	}
	p = &l->item[l->n];
	p->status = err->status;
	p->line = err->line;
	p->column = err->column;
	p->seq = l->n + l->dropped;
	p->file = err->file != NULL ? strdup(err->file) : NULL;
	p->msg = strdup(err->msg);
	if (p->msg == NULL || (err->file != NULL && p->file == NULL)) {
		free(p->file);
		free(p->msg);
		return false;
	}
	l->n++;
	diag_clear(err);
	return true;
}

size_t diag_kept(const clv_error *err)
{
	return err != NULL && err->all != NULL ? err->all->n + err->all->dropped : 0;
}

void diag_list_suffix(diag_list *l, size_t from, const char *suffix)
{
	size_t i;

	for (i = from; i < l->n; i++) {
		char *longer = diag_strdupf("%s%s", l->item[i].msg, suffix);
		if (longer == NULL)
			continue; /* out of memory: the message stays without it */
		free(l->item[i].msg);
		l->item[i].msg = longer;
	}
}

/* A problem and the rank of its file, for sorting. */
typedef struct ranked {
	diag_problem p;
	size_t rank;
} ranked;

static size_t file_rank(const char *file, const char *const *files, size_t n_files)
{
	size_t k;

	for (k = 0; file != NULL && k < n_files; k++)
		if (files[k] != NULL && strcmp(files[k], file) == 0)
			return k + 1;
	return 0;
}

static int cmp_size(size_t a, size_t b)
{
	return (a > b) - (a < b);
}

static int same_place(const ranked *a, const ranked *b)
{
	if (a->rank != b->rank)
		return cmp_size(a->rank, b->rank);
	if (a->p.line != b->p.line)
		return a->p.line < b->p.line ? -1 : 1;
	if (a->p.column != b->p.column)
		return a->p.column < b->p.column ? -1 : 1;
	return 0;
}

/* File order; at one place, the order found. */
static int cmp_ranked(const void *x, const void *y)
{
	const ranked *a = x, *b = y;
	int c = same_place(a, b);

	return c != 0 ? c : cmp_size(a->p.seq, b->p.seq);
}

static bool same(const diag_problem *a, const diag_problem *b)
{
	return strcmp(a->msg, b->msg) == 0 &&
	       (a->file == NULL ? b->file == NULL : b->file != NULL && strcmp(a->file, b->file) == 0);
}

void diag_list_sort(diag_list *l, const char *const *files, size_t n_files)
{
	ranked *r;
	size_t i, j, start = 0, kept = 0;

	if (l->n < 2)
		return;
	if ((r = malloc(l->n * sizeof *r)) == NULL)
		return; /* out of memory: left in the order found */
	for (i = 0; i < l->n; i++) {
		r[i].p = l->item[i];
		r[i].rank = file_rank(r[i].p.file, files, n_files);
	}
	qsort(r, l->n, sizeof *r, cmp_ranked);
	/* repeats are at one place: compare within each run of one place */
	for (i = 0; i < l->n; i++) {
		if (i > 0 && same_place(&r[i], &r[i - 1]) != 0)
			start = kept;
		for (j = start; j < kept && !same(&r[i].p, &l->item[j]); j++)
			;
		if (j < kept) {
			free(r[i].p.file);
			free(r[i].p.msg);
			continue;
		}
		l->item[kept++] = r[i].p;
	}
	l->n = kept;
	free(r);
}

void diag_list_take(const diag_list *l, size_t i, clv_error *err)
{
	diag_clear(err);
	err->status = l->item[i].status;
	snprintf(err->msg, sizeof err->msg, "%s", l->item[i].msg);
}

void diag_list_free(diag_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->item[i].file);
		free(l->item[i].msg);
	}
	free(l->item);
	l->item = NULL;
	l->n = l->cap = l->dropped = 0;
}

int diag_exit_code(clv_status status)
{
	switch (status) {
	case CLV_OK:
		return CLV_EXIT_OK;
	case CLV_ERR_USAGE:
	case CLV_ERR_INPUT:
	case CLV_ERR_LIMIT:
		return CLV_EXIT_INPUT;
	case CLV_ERR_INTERRUPTED:
		return CLV_EXIT_INTERRUPTED;
	default:
		return CLV_EXIT_RUNTIME;
	}
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *prev, *cur, i, j, d;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	prev = calloc(2 * (lb + 1), sizeof *prev);
	if (prev == NULL)
		return (size_t)-1;
	cur = prev + lb + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *t;
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		t = prev;
		prev = cur;
		cur = t;
	}
	d = prev[lb];
	free(prev < cur ? prev : cur);
	return d;
}

const char *diag_did_you_mean(const char *word, const char *const *candidates,
                              size_t n_candidates)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(word) / 3, i;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < n_candidates; i++) {
		size_t d = edit_distance(word, candidates[i]);
		if (d < best_d) {
			best_d = d;
			best = candidates[i];
		}
	}
	return best_d <= limit ? best : NULL;
}

void diag_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "clvsim: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
