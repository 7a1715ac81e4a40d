/*
 * explain_lesson.h - what the parts of a lesson share (output stage,
 * private to explain.c and explain_long_run.c): the scenario's model at
 * its means, its period matrices, the shares and purchases of every
 * period computed term by term, and which periods are written out.
 */
#ifndef CLV_EXPLAIN_LESSON_H
#define CLV_EXPLAIN_LESSON_H

#include "clvsim.h"
#include "base/diag.h"
#include "engine/exact.h"
#include "engine/expect.h"
#include "engine/mc.h"
#include "output/explain_doc.h"

/* Periods written out in full when there are more than FULL_MAX: the
   first HEAD and the last TAIL. */
#define EXPLAIN_FULL_MAX 8
#define EXPLAIN_HEAD 4
#define EXPLAIN_TAIL 2

typedef struct lesson {
	explain_doc *d;
	clv_scenario *s;       /* the scenario, or one of its segments */
	clv_model *m;          /* at the assumptions' means (owned) */
	exact_result *r;       /* the exact engine on m (owned): final figures */
	size_t n;
	long last;             /* last period summed term by term */
	long K;                /* offer periods (0 none, LONG_MAX always) */
	double *E, *W;         /* period matrices, base phase (owned) */
	double *E_off, *W_off; /* the same while offers run (owned) */
	double *u;             /* (last + 2) x n: shares S_0..S_{last+1} (owned) */
	double *x;             /* (last + 1) x n: expected purchases (owned) */
	const char *unit;      /* "year" */
	bool one_purchase;     /* exactly one purchase a period: E = P, W = I */
	int section;           /* number of the last section written */
	int level;             /* heading level of this lesson's sections */
} lesson;

/* Period t is written out in full (else it is in the summarised middle). */
bool explain_shown(const lesson *l, long t);

/* The matrix of period t's step and its money: offer phase or base. */
const double *explain_E(const lesson *l, long t);

/* "A" -> "S_t[A]"-style names are built from these. */
const char *explain_state(const lesson *l, size_t i);

/* The steady state section: pi = pi P, how it was found, the chain's
   structure, warnings. */
clv_status explain_steady(lesson *l, clv_error *err);

/* The uncertainty section: the Monte Carlo mean and interval beside the
   exact figure at the means, and why they differ. exact: the whole
   scenario's exact result (mixture of segments). */
void explain_uncertainty(explain_doc *d, clv_scenario *s, const exact_result *exact,
                         const expect_result *x, const mc_result *mc, int level, int section);

/* The uncertain assumptions of s as paragraphs (nothing when none). */
void explain_uncertain_inputs(explain_doc *d, clv_scenario *s);

#endif
