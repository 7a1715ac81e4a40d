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

/* Close o's stream before anything is written to it, for a file another
   program writes by name (outfile_temp_path; e.g. gnuplot's `set
   output`). outfile_commit then fsyncs the temp by its path. */
void outfile_close_stream(outfile *o);

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

/* A group: all output files of one run (tables and figures), committed
   together, so that a failure half-way (disk full on the third file)
   leaves the earlier set of files whole. Commit runs in two phases:
   flush, fsync and close every member (any failure: every temp removed,
   no file replaced), then, holding the folder's lock (dirlock.h, so two
   processes never interleave their renames), rename each member over its
   final name. */
typedef struct outfile_group outfile_group;

/* An empty group writing into dir (copied). NULL with CLV_ERR_NOMEM. */
outfile_group *outfile_group_create(const char *dir, clv_error *err);

/* The folder the group writes into (owned by g; "." for the current one). */
const char *outfile_group_dir(const outfile_group *g);

/* Aborts every member not yet committed, then frees. NULL is a no-op. */
void outfile_group_free(outfile_group *g);

/* Open dir/name as a member; returns its stream (owned by the group) or
   NULL with err set as for outfile_open. */
FILE *outfile_group_add(outfile_group *g, const char *name, clv_error *err);

/* Add dir/name as a member written by another program (gnuplot): its
   temp is created empty and closed; returns its path (owned by the
   group), or NULL with err set as for outfile_open. Phase 1 fsyncs it by
   path. */
const char *outfile_group_add_external(outfile_group *g, const char *name, clv_error *err);

/* The temp path of the member called name (its final file name), or NULL
   when there is none. */
const char *outfile_group_temp(const outfile_group *g, const char *name);

/* Abort the member called name (its temp removed); no-op when absent. */
void outfile_group_drop(outfile_group *g, const char *name);

/* Phase 1 now, for every member not yet through it: flushed, fsynced and
   closed, so another program can read the temps (gnuplot drawing the
   tables). Later members are added as usual; commit finishes them. On
   failure every member is aborted (the group is empty) and CLV_ERR_IO
   names the first failing path. */
clv_status outfile_group_finish(outfile_group *g, clv_error *err);

/* The members of g, in the order they were added: their number, and
   member i's final file name (its last path part) and temp path (owned
   by g). After outfile_group_finish the temps are whole and can be
   read (manifest.c hashes them). */
size_t outfile_group_count(const outfile_group *g);
const char *outfile_group_name_at(const outfile_group *g, size_t i);
const char *outfile_group_temp_at(const outfile_group *g, size_t i);

/* A step run by outfile_group_commit while it holds the folder's lock,
   after phase 1 and before the first rename (manifest.c: removing the
   files of the folder's previous manifest that this group does not
   replace). Its failure fails the commit (nothing renamed). */
typedef clv_status (*outfile_group_hook)(const outfile_group *g, void *ctx, clv_error *err);
void outfile_group_set_hook(outfile_group *g, outfile_group_hook fn, void *ctx);

/* Commit every member (two phases, above). After it, the group is empty
   whatever the outcome; free it with outfile_group_free. CLV_ERR_IO with
   the first failing path; the lock's errors (dirlock_take: another
   process holding it too long, CLV_ERR_INTERRUPTED), the hook's. */
clv_status outfile_group_commit(outfile_group *g, clv_error *err);

#endif
