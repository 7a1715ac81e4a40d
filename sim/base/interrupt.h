/*
 * interrupt.h - stage base: the one interrupt flag of the process.
 *
 * The command line installs the handlers once (interrupt_install); a
 * SIGINT or SIGTERM then only sets a flag, and long computations poll it
 * between blocks of work (interrupt_requested) and stop with
 * CLV_ERR_INTERRUPTED (exit 130). Nothing else happens in the handler, so
 * it is async-signal-safe.
 */
#ifndef CLV_INTERRUPT_H
#define CLV_INTERRUPT_H

#include <stdbool.h>

/* Install SIGINT/SIGTERM handlers that set the flag. Idempotent. */
void interrupt_install(void);

/* True once SIGINT or SIGTERM has been received (or interrupt_raise). */
bool interrupt_requested(void);

/* Set the flag as a signal would (tests; a fatal condition elsewhere). */
void interrupt_raise(void);

#endif
