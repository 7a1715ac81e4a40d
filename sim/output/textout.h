/*
 * textout.h - stage output: the single place results reach stdout.
 *
 * A report is built in memory (an open_memstream buffer) and written to
 * stdout in one piece, so a failure half-way writes nothing. Failures
 * come back as clv_status with the reason in clv_error; the command line
 * turns them into exit codes.
 */
#ifndef CLV_TEXTOUT_H
#define CLV_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"

typedef struct textout {
	char *buf;
	size_t len;
	FILE *f;
} textout;

/* Open t->f on a memory buffer and return it; NULL with CLV_ERR_NOMEM. */
FILE *textout_open(textout *t, clv_error *err);

/* Close t, write its text to stdout, free it. CLV_ERR_NOMEM or
   CLV_ERR_IO (stdout failed, with strerror) on failure; t is freed
   either way. */
clv_status textout_print(textout *t, clv_error *err);

/* Write len bytes to stdout and flush. CLV_ERR_IO on failure. */
clv_status textout_write(const char *text, size_t len, clv_error *err);

#endif
