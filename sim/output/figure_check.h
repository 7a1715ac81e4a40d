/*
 * figure_check.h - stage output: is a figure file whole? gnuplot ignores
 * write errors (a full disk gives a PNG cut mid-IDAT and exit status 0),
 * so a figure is committed only when its format's end is there.
 */
#ifndef CLV_FIGURE_CHECK_H
#define CLV_FIGURE_CHECK_H

#include <stdbool.h>

#include "clvsim.h"
#include "base/diag.h"

/* Check the figure at path, by the extension of `name` (the final file
   name): .png must be a PNG whose chunks run from the signature to an
   IEND chunk ending exactly at the end of the file; .svg must end (after
   white space) with "</svg>"; .pdf must start with "%PDF-" and end (after
   white space) with "%%EOF". Other extensions only need a non-empty
   file. CLV_OK, or CLV_ERR_IO naming `name` and what is missing (err->msg,
   e.g. "share_fan.png is incomplete: 36864 bytes, cut inside a chunk
   (no IEND)"). */
clv_status figure_check(const char *path, const char *name, clv_error *err);

/* True when the file system holding dir has (about) no room left: under
   64 KiB available to this user, or statvfs fails with ENOSPC. Used to
   name the cause of an incomplete figure. */
bool figure_disk_full(const char *dir);

#endif
