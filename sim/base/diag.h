/*
 * diag.h - error reports: what went wrong, where, and the exit status.
 *
 * Every failing function fills a clv_error. A message that has a place in
 * a scenario file reads "FILE:LINE:COLUMN: MESSAGE"; one without, "FILE:
 * MESSAGE" or just "MESSAGE". main() prints it once to stderr as
 * "clvsim: error: ..." and exits with diag_exit_code(status).
 *
 * A check that can go on past a problem (the scenario loader: every
 * independent problem of a file) gives the clv_error a diag_list in `all`
 * and, after each problem it can step over, calls diag_keep: the problem
 * moves into the list and the error is clear again for the next one.
 */
#ifndef CLV_DIAG_H
#define CLV_DIAG_H

#include "clvsim.h"

#define CLV_ERROR_MAX 1024

/* One kept problem: its status, place (line 0: none) and full message
   ("FILE:LINE:COLUMN: MESSAGE"). */
typedef struct diag_problem {
	clv_status status;
	char *file; /* owned; NULL when the message names no file */
	int line, column;
	char *msg;  /* owned */
	size_t seq; /* the order it was found in */
} diag_problem;

/* At most this many problems are kept; later ones are only counted (a
   file of a million unknown keys must not take a million messages). */
#define DIAG_KEEP_MAX 10000

/* The problems kept so far, in the order they were found, and how many
   more were found past DIAG_KEEP_MAX. */
typedef struct diag_list {
	diag_problem *item;
	size_t n, cap;
	size_t dropped;
} diag_list;

typedef struct clv_error {
	clv_status status;
	char msg[CLV_ERROR_MAX];
	/* The place of the error set (borrowed; valid while the caller's
	   names live), for diag_keep. */
	const char *file;
	int line, column;
	/* Where diag_keep moves problems; NULL: only the first error counts. */
	diag_list *all;
} clv_error;

/* Record an error (only the first one: a later call does not overwrite a
   set error). pos may be NULL or have line 0: then only the file, if any,
   is named. Returns status, so callers can write `return diag_set(...)`. */
clv_status diag_set(clv_error *err, clv_status status, const clv_pos *pos,
                    const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Same, with a file name but no line (e.g. cannot open the file). */
clv_status diag_set_file(clv_error *err, clv_status status, const char *file,
                         const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A new string formatted as printf would (free() it); NULL when out of
   memory. */
char *diag_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print a warning "clvsim: warning: MSG" (one line) to stderr: for what
   the user should know but that does not fail the command. */
void diag_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Reset to "no error" (err->all stays). */
void diag_clear(clv_error *err);

/* Move the error set in err into err->all and clear it, so the caller can
   go on to the next independent part. True when the caller may go on: the
   problem was kept, or none was pending (kept already) and err->all is
   set. False when err->all is NULL, the error is not one of the input
   (CLV_ERR_INPUT or CLV_ERR_LIMIT: e.g. out of memory, unreadable) or the
   list cannot grow: then err is left as it is and the caller stops. */
bool diag_keep(clv_error *err);

/* Number of problems found into err->all, kept or only counted (0
   without a list). */
size_t diag_kept(const clv_error *err);

/* Append `suffix` to the message of every problem from index `from` on
   (e.g. " (in segment \"x\")"). */
void diag_list_suffix(diag_list *l, size_t from, const char *suffix);

/* Sort the problems in file order: by the file's rank in files[] (names
   not there, or none, first), then line, then column; problems at one
   place keep the order they were found in. Drop exact repeats (same place
   and message). O(n log n). */
void diag_list_sort(diag_list *l, const char *const *files, size_t n_files);

/* Set err (cleared first) to problem i of l, its status and message. */
void diag_list_take(const diag_list *l, size_t i, clv_error *err);

/* Free the problems (the list itself is the caller's); empty again. */
void diag_list_free(diag_list *l);

/* Exit status for a status: 0, 1, 2 or 130 (see clvsim.h). */
int diag_exit_code(clv_status status);

/* The candidate closest to `word` by edit distance, if close enough to be
   a plausible typo (distance <= max(2, len/3)); NULL otherwise. */
const char *diag_did_you_mean(const char *word, const char *const *candidates,
                              size_t n_candidates);

#endif
