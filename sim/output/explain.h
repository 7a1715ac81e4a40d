/*
 * explain.h - the exact calculation of a scenario written out as a course
 * would (output stage): the inputs; each share step S_{t+1} = S_t P with
 * its products and sums; each discount factor (1 + r)^t; each CLV term
 * and the running sum, per state and in total; the steady state and how
 * it was found, with the chain's structure; for an uncertain scenario,
 * the Monte Carlo mean and interval beside the exact figure at the means,
 * and why they differ. Plain text or Markdown (explain_doc.h).
 *
 * Long horizons: up to 8 periods are written out in full; beyond, the
 * first 4 and the last 2, the middle summarised (the lesson says so). An
 * infinite horizon is summed term by term for periods 0..N-1 (N =
 * --periods, and at least the offer periods), then in closed form.
 */
#ifndef CLV_EXPLAIN_H
#define CLV_EXPLAIN_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/expect.h"
#include "engine/mc.h"

typedef struct explain_options {
	bool markdown;          /* Markdown instead of plain text */
	long periods;           /* infinite horizon: periods summed term by term */
	const mc_result *mc;    /* the Monte Carlo run of an uncertain scenario,
	                           or NULL (borrowed) */
	const char *theory;     /* where the reader finds docs/theory.md, or NULL */
	const expect_result *expect; /* with mc: the expectation (borrowed) */
} explain_options;

/* Write the lesson for s to f. Returns CLV_OK, or the failure with err
   set (CLV_ERR_NOMEM; the exact engine's errors). What was written to f
   before a failure is incomplete: the caller discards it. */
clv_status explain_write(FILE *f, clv_scenario *s, const explain_options *o, clv_error *err);

#endif
