/*
 * gnuplot_run.h - stage output: run one gnuplot process on a script,
 * without a shell, and stop it when the user interrupts.
 *
 * gnuplot is started with posix_spawnp("gnuplot", {"gnuplot", "-d",
 * "/dev/stdin"}) (-d: no ~/.gnuplot; a file rather than interactive
 * stdin, so the first error stops it); the script reaches it on a pipe,
 * its stdout goes to /dev/null and its stderr to an anonymous temp file
 * that the error message quotes. While feeding the script and while
 * waiting for gnuplot to end, the interrupt flag (base/interrupt.h) is
 * polled every GNUPLOT_POLL_MS: once set, gnuplot is killed (SIGKILL)
 * and reaped, and the run ends with CLV_ERR_INTERRUPTED.
 */
#ifndef CLV_GNUPLOT_RUN_H
#define CLV_GNUPLOT_RUN_H

#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

#define GNUPLOT_POLL_MS 10

/* Run gnuplot with text (len bytes) on its stdin; what names the figure
   in messages. CLV_OK when gnuplot exited with status 0; then what it
   still wrote on stderr (its warnings, e.g. "empty x range", trimmed, at
   most size - 1 bytes) is in warnings ("" when none; warnings may be
   NULL). Errors:
   CLV_ERR_IO "no figures: gnuplot not found on PATH; install ..." or
   gnuplot's own error text (the first bytes of its stderr);
   CLV_ERR_INTERRUPTED (gnuplot killed, nothing waited for). */
clv_status gnuplot_run(const char *text, size_t len, const char *what, char *warnings,
                       size_t size, clv_error *err);

#endif
