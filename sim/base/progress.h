/*
 * progress.h - stage base: the progress bar of a long computation on
 * stderr, with the time still to go (ETA), and the one-line prediction of
 * a run that will take over a minute.
 *
 * The estimate is the measured rate so far: elapsed / done x (total -
 * done), in units of work the caller counts (the Monte Carlo engine:
 * blocks of customers, equal in cost). The prediction is made once, from
 * the rate over the first PROGRESS_PILOT_S seconds (the first blocks of
 * the run are its pilot), and printed when it exceeds
 * PROGRESS_LONG_RUN_S.
 */
#ifndef CLV_PROGRESS_H
#define CLV_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Seconds measured before the prediction is made, and the predicted
   length above which it is printed. */
#define PROGRESS_PILOT_S 1.0
#define PROGRESS_LONG_RUN_S 60.0
/* Seconds between two redraws of the bar. */
#define PROGRESS_REDRAW_S 0.1

typedef struct progress_bar {
	FILE *out;               /* stderr */
	bool draw;               /* draw the bar */
	bool predict;            /* print the prediction of a long run */
	bool predicted;          /* the prediction was made */
	double t0, last_draw;    /* monotonic seconds */
	double steps;            /* what the whole run does, for the prediction's
	                            wording (e.g. purchase steps); 0 = not said */
	const char *steps_unit;  /* e.g. "purchase steps" */
	int threads;
} progress_bar;

/* Monotonic seconds (CLOCK_MONOTONIC). */
double progress_now(void);

/* Start the clock of p. draw: the bar; predict: the prediction line.
   steps (of steps_unit) and threads only word the prediction. */
void progress_start(progress_bar *p, bool draw, bool predict, double steps,
                    const char *steps_unit, int threads);

/* done of total units of work; items_done of items_total (e.g.
   replications) is what the bar shows. Redraws at most every
   PROGRESS_REDRAW_S (always at the end, with a newline), and makes the
   prediction once PROGRESS_PILOT_S have passed. Call from one thread. */
void progress_update(progress_bar *p, double done, double total, uint64_t items_done,
                     uint64_t items_total, const char *item);

/* seconds as words: "45 s", "3 min 20 s", "2 h 05 min" (buf of 24+). */
void progress_duration(double seconds, char *buf, size_t size);

#endif
