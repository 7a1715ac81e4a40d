/*
 * exact_internal.h - what the files of the exact engine share (stage:
 * engine; not for other stages): the phases of a model (periods with and
 * without the offers), row-vector products and the geometric matrix
 * series. exact.c runs the forward pass (shares, CLV per state, offer
 * spend); exact_value.c the backward pass (value by starting state);
 * equity.c the customer base (counts over time, equity).
 */
#ifndef CLV_EXACT_INTERNAL_H
#define CLV_EXACT_INTERNAL_H

#include "clvsim.h"
#include "base/diag.h"
#include "engine/exact.h"

/* One phase of the model: the matrices and money of the periods in it. */
typedef struct exact_phase {
	double *E, *W;           /* period matrices (exact_period_matrices) (owned) */
	const double *P, *margin, *cost; /* margin: at full price (the states') */
	const double *spend;     /* offers' cost per period and state, or NULL
	                            outside the offers */
	double *forgone;         /* n: margin a price discount gives up per
	                            purchase (with spend; owned) */
} exact_phase;

/* The phase of period t: the offer phase while t < m->offer_periods. */
const exact_phase *exact_phase_at(const clv_model *m, const exact_phase *base,
                                  const exact_phase *offer, long t);

/* The phase of the closed-form tail of an infinite horizon (the offers'
   when they run for ever). */
const exact_phase *exact_phase_tail(const clv_model *m, const exact_phase *base,
                                    const exact_phase *offer);

/* Periods summed one by one before an infinite horizon's tail: the offer
   periods (0 when there are none or they never end). */
long exact_tail_start(const clv_model *m);

/* (1 + r)^-t and (1 + g)^t / (1 + r)^t of m. */
double exact_disc(const clv_model *m, long t);
double exact_grow(const clv_model *m, long t);

/* out = u A for a row vector u (n) and matrix A (n * n). */
void exact_row_times(const double *u, const double *A, size_t n, double *out);

/* y = u (I - a E)^-1 (row vector; transpose = true: the column vector
   y = (I - a E)^-1 u). CLV_ERR_NOMEM, CLV_ERR_NUMERIC when singular. */
clv_status exact_geometric(const double *u, const double *E, double a, size_t n, bool column,
                           double *y, clv_error *err);

/* The value by starting state into r->value (exact_value.c). */
clv_status exact_value(const clv_model *m, const exact_phase *base, const exact_phase *offer,
                       exact_result *r, clv_error *err);

/* The customer base into r->equity, r->cohort and r->customers (equity.c),
   after r's CLV and offer spend; a no-op without a base. */
clv_status exact_equity(const clv_model *m, const exact_phase *base, const exact_phase *offer,
                        exact_result *r, clv_error *err);

#endif
