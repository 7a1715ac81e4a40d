/*
 * outfile.h - atomic output files: a result file appears whole or not at
 * all, and an earlier file of the same name survives any failure.
 *
 * Lifecycle of one outfile:
 *
 *   outfile_open --> writing (temp ".stem.XXXXXX.ext" in the same dir)
 *      |-- outfile_commit: flush, fsync, close, rename over NAME --> gone
 *      '-- outfile_abort:  close, unlink the temp                --> gone
 *
 * Both end the object (it is freed, also when commit fails). A signal
 * only sets the interrupt flag (base/interrupt.h); the code that polls it
 * aborts its outfiles in normal context, so no temp is left behind.
 */
#ifndef CLV_OUTFILE_H
#define CLV_OUTFILE_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"

typedef struct outfile outfile;

/* Create a temporary file for dir/name (dir NULL or "" = the current
   directory): ".stem.XXXXXX.ext" when name has an extension, else
   ".name.XXXXXX", created with mkstemp and given mode 0666 & ~umask, as
   a plain file would. name must be a plain file name (no '/').
   NULL with CLV_ERR_IO naming the path (no such directory, permission
   denied), CLV_ERR_USAGE (bad name) or CLV_ERR_NOMEM. */
outfile *outfile_open(const char *dir, const char *name, clv_error *err);

/* The stream to write to (owned by o). Write errors are caught by
   outfile_commit. */
FILE *outfile_stream(outfile *o);

/* The temporary file's path (owned by o), for a writer that opens the
   file by name (e.g. gnuplot's `set output`). */
const char *outfile_temp_path(const outfile *o);

/* The final path dir/name (owned by o). */
const char *outfile_final_path(const outfile *o);

/* Flush, check for write errors, fsync, close and rename the temp over
   dir/name. Frees o in every case. On failure (disk full, I/O error,
   directory gone...) the temp is removed, an earlier dir/name is left
   untouched, and the result is CLV_ERR_IO with the OS reason naming the
   path. o NULL: CLV_OK. */
clv_status outfile_commit(outfile *o, clv_error *err);

/* Close and remove the temp, free o. NULL is a no-op. */
void outfile_abort(outfile *o);

/* mkdir -p dir (mode 0777 & ~umask for the parts it creates). CLV_OK if
   it already exists as a directory; CLV_ERR_IO naming the path if it or
   a parent exists and is not a directory, or cannot be created. */
clv_status outfile_make_dir(const char *dir, clv_error *err);

/* A group: all output files of one run, committed together, so that a
   failure half-way (disk full on the third file) leaves the earlier set
   of files whole. Commit runs in two phases: flush, fsync and close
   every member (any failure: every temp removed, no file replaced), then
   rename each member over its final name. */
typedef struct outfile_group outfile_group;

/* An empty group writing into dir (copied). NULL with CLV_ERR_NOMEM. */
outfile_group *outfile_group_create(const char *dir, clv_error *err);

/* Aborts every member not yet committed, then frees. NULL is a no-op. */
void outfile_group_free(outfile_group *g);

/* Open dir/name as a member; returns its stream (owned by the group) or
   NULL with err set as for outfile_open. */
FILE *outfile_group_add(outfile_group *g, const char *name, clv_error *err);

/* Commit every member (two phases, above). After it, the group is empty
   whatever the outcome; free it with outfile_group_free. CLV_ERR_IO with
   the first failing path. */
clv_status outfile_group_commit(outfile_group *g, clv_error *err);

#endif
