/*
 * diag.h - error reports: what went wrong, where, and the exit status.
 *
 * Every failing function fills a clv_error. A message that has a place in
 * a scenario file reads "FILE:LINE:COLUMN: MESSAGE"; one without, "FILE:
 * MESSAGE" or just "MESSAGE". main() prints it once to stderr as
 * "clvsim: error: ..." and exits with diag_exit_code(status).
 */
#ifndef CLV_DIAG_H
#define CLV_DIAG_H

#include "clvsim.h"

#define CLV_ERROR_MAX 1024

typedef struct clv_error {
	clv_status status;
	char msg[CLV_ERROR_MAX];
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

/* Reset to "no error". */
void diag_clear(clv_error *err);

/* Exit status for a status: 0, 1, 2 or 130 (see clvsim.h). */
int diag_exit_code(clv_status status);

/* The candidate closest to `word` by edit distance, if close enough to be
   a plausible typo (distance <= max(2, len/3)); NULL otherwise. */
const char *diag_did_you_mean(const char *word, const char *const *candidates,
                              size_t n_candidates);

#endif
