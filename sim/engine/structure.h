/*
 * structure.h - the structure of a switching chain (engine stage): its
 * communicating classes, which of them are closed and their periods,
 * the absorbing and transient states, one stationary distribution per
 * closed class, and for the transient states the fundamental matrix
 * N = (I - Q)^-1, the expected periods before absorption N 1 and the
 * absorption probabilities N R.
 *
 * Two matrices are involved. The classes, periods and stationary
 * distributions belong to the purchase chain P (one step per purchase).
 * N, N 1 and N R are counted in periods, so they use the period matrix E
 * (E = P when a period holds one purchase; E = P^F or E[P^N] otherwise,
 * see exact_period_matrices). Both chains have the same transient states.
 */
#ifndef CLV_STRUCTURE_H
#define CLV_STRUCTURE_H

#include "clvsim.h"
#include "base/diag.h"

/* One communicating class: states that reach each other. */
typedef struct structure_class {
	size_t *states;     /* state indices, ascending (owned by the result) */
	size_t size;
	bool closed;        /* no probability leaves the class */
	long period;        /* gcd of the lengths of the class's cycles; 0 when
	                       the class has none (a state never revisited) */
	double *stationary; /* n entries (0 outside the class) when closed,
	                       else NULL (owned by the result) */
} structure_class;

typedef struct structure_result {
	size_t n;
	size_t n_classes;
	structure_class *classes; /* in the order of their first state (owned) */
	size_t *class_of;         /* n: class index of each state (owned) */
	size_t n_closed;          /* closed classes */
	size_t n_absorbing;
	size_t *absorbing;        /* states with P[i][i] = 1, ascending (owned) */
	size_t n_transient;
	size_t *transient;        /* states of classes that are not closed (owned) */
	size_t n_recurrent;
	size_t *recurrent;        /* states of closed classes (owned) */
	double *fundamental;      /* n_transient x n_transient, N = (I - Q)^-1 of
	                             E: expected periods spent in transient
	                             state j starting from i (owned; NULL when
	                             n_transient = 0) */
	double *to_absorption;    /* n_transient: N 1, expected periods before
	                             entering a closed class, counting the
	                             current one (owned; NULL likewise) */
	double *absorption;       /* n_transient x n_recurrent: N R, the
	                             probability that the first period spent in
	                             a closed class starts in recurrent state j
	                             (owned; NULL likewise) */
	double *class_weight;     /* n_classes: probability that a customer
	                             drawn from `initial` ends in each closed
	                             class (0 for classes that are not closed;
	                             owned) */
	bool periodic;            /* some closed class has period > 1 */
} structure_result;

/* Analyse the purchase chain P with period matrix E (both n * n,
   row-major; E may equal P) and starting shares initial (n). Returns
   NULL with err set: CLV_ERR_NOMEM, or CLV_ERR_NUMERIC when a linear
   system is singular (not for a stochastic P). */
structure_result *structure_analyse(const double *P, const double *E, size_t n,
                                    const double *initial, clv_error *err);

/* The structure of the chain a model settles in: its base matrix, or the
   offer matrix when offers run for ever (the matrix the exact engine's
   steady state uses), with the model's period matrix. NULL with err set
   as structure_analyse. */
structure_result *structure_of_model(const clv_model *m, clv_error *err);

void structure_free(structure_result *st);

/* The long-run (Cesaro) distribution from `initial`: the closed classes'
   stationary distributions weighted by class_weight. out: n. */
void structure_long_run(const structure_result *st, double *out);

#endif
