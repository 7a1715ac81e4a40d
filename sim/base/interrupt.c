/*
 * interrupt.c - stage base: the interrupt flag and its signal handlers
 * (interrupt.h).
 */
#include "base/interrupt.h"

#include <signal.h>
#include <string.h>

static volatile sig_atomic_t interrupted = 0;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

void interrupt_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

bool interrupt_requested(void)
{
	return interrupted != 0;
}

void interrupt_raise(void)
{
	interrupted = 1;
}
