/*
 * structure.c - the structure of a switching chain (see structure.h).
 *
 * Method (Kemeny and Snell, Finite Markov Chains, chapters 2 and 3):
 *  - reachability by the transitive closure of the graph i -> j where
 *    P[i][j] > 0 (Warshall's algorithm; n <= 64); i and j communicate when
 *    each reaches the other, and the classes are numbered by their first
 *    state;
 *  - a class is closed when no edge leaves it; its states are recurrent,
 *    the states of the other classes transient;
 *  - the period of a class: breadth-first levels from its first state
 *    along the class's edges, then the gcd of level[u] + 1 - level[v]
 *    over its edges u -> v;
 *  - the stationary distribution of a closed class: pi (P_C - I) = 0 with
 *    one equation replaced by sum pi = 1, solved by GSL's LU decomposition;
 *  - with Q the transient block of E and R the transient-to-recurrent
 *    block: N = (I - Q)^-1 (LU inverse), N 1, and N R.
 * Edges are exact: an entry counts when it is > 0, however small.
 */
#include "engine/structure.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_permutation.h>

#include "engine/exact.h"

void structure_free(structure_result *st)
{
	size_t c;

	if (st == NULL)
		return;
	for (c = 0; c < st->n_classes && st->classes != NULL; c++) {
		free(st->classes[c].states);
		free(st->classes[c].stationary);
	}
	free(st->classes);
	free(st->class_of);
	free(st->absorbing);
	free(st->transient);
	free(st->recurrent);
	free(st->fundamental);
	free(st->to_absorption);
	free(st->absorption);
	free(st->class_weight);
	free(st);
}

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory analysing the chain's structure");
}

/* reach[i * n + j]: j can be reached from i in zero or more steps. */
static void closure(const double *P, size_t n, unsigned char *reach)
{
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			reach[i * n + j] = i == j || P[i * n + j] > 0.0;
	for (k = 0; k < n; k++)
		for (i = 0; i < n; i++)
			if (reach[i * n + k])
				for (j = 0; j < n; j++)
					reach[i * n + j] |= reach[k * n + j];
}

static long gcd(long a, long b)
{
	while (b != 0) {
		long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* The period of class c (see the method above). level: n scratch. */
static long class_period(const double *P, size_t n, const structure_result *st, size_t c,
                         long *level, size_t *queue)
{
	const structure_class *cl = &st->classes[c];
	size_t head = 0, tail = 0, k, v;
	long g = 0;

	for (k = 0; k < cl->size; k++)
		level[cl->states[k]] = -1;
	level[cl->states[0]] = 0;
	queue[tail++] = cl->states[0];
	while (head < tail) {
		size_t u = queue[head++];
		for (v = 0; v < n; v++) {
			if (!(P[u * n + v] > 0.0) || st->class_of[v] != c)
				continue;
			if (level[v] < 0) {
				level[v] = level[u] + 1;
				queue[tail++] = v;
			} else {
				long d = level[u] + 1 - level[v];
				g = gcd(g, d < 0 ? -d : d);
			}
		}
	}
	return g;
}

/* Number the classes and fill their states, closed flags and periods. */
static clv_status find_classes(const double *P, size_t n, structure_result *st, clv_error *err)
{
	unsigned char *reach = malloc(n * n);
	long *level = malloc(n * sizeof *level);
	size_t *queue = malloc(n * sizeof *queue), i, j, c;
	clv_status rc = CLV_OK;

	if (reach == NULL || level == NULL || queue == NULL) {
		rc = nomem(err);
		goto cleanup;
	}
	closure(P, n, reach);
	for (i = 0; i < n; i++)
		st->class_of[i] = SIZE_MAX;
	for (i = 0; i < n; i++) {
		structure_class *cl;
		if (st->class_of[i] != SIZE_MAX)
			continue;
		cl = &st->classes[st->n_classes];
		cl->states = malloc(n * sizeof *cl->states);
		if (cl->states == NULL) {
			rc = nomem(err);
			goto cleanup;
		}
		st->n_classes++;
		cl->closed = true;
		for (j = i; j < n; j++)
			if (reach[i * n + j] && reach[j * n + i]) {
				st->class_of[j] = st->n_classes - 1;
				cl->states[cl->size++] = j;
			}
		for (j = 0; j < n; j++)
			if (reach[i * n + j] && !reach[j * n + i])
				cl->closed = false;
	}
	for (c = 0; c < st->n_classes; c++) {
		st->classes[c].period = class_period(P, n, st, c, level, queue);
		st->n_closed += st->classes[c].closed;
		st->periodic |= st->classes[c].closed && st->classes[c].period > 1;
	}
cleanup:
	free(reach);
	free(level);
	free(queue);
	return rc;
}

/* Solve A x = b (A k * k, overwritten) by LU; b and x may not alias. */
static clv_status lu_solve(gsl_matrix *A, const double *b, double *x, size_t k, clv_error *err)
{
	gsl_permutation *perm = gsl_permutation_alloc(k);
	gsl_vector_const_view bv = gsl_vector_const_view_array(b, k);
	gsl_vector_view xv = gsl_vector_view_array(x, k);
	clv_status rc = CLV_OK;
	int sign;

	if (perm == NULL)
		return nomem(err);
	if (gsl_linalg_LU_decomp(A, perm, &sign) != 0 ||
	    gsl_linalg_LU_solve(A, perm, &bv.vector, &xv.vector) != 0)
		rc = diag_set(err, CLV_ERR_NUMERIC, NULL,
		              "the stationary equations of a closed class are singular");
	gsl_permutation_free(perm);
	return rc;
}

/* pi of closed class cl: M[j][i] = P[c_i][c_j] - (i == j), last row ones. */
static clv_status class_stationary(const double *P, size_t n, structure_class *cl,
                                   clv_error *err)
{
	size_t k = cl->size, i, j;
	gsl_matrix *A = gsl_matrix_alloc(k, k);
	double *b = calloc(k, sizeof *b), *x = calloc(k, sizeof *x);
	clv_status rc = CLV_OK;

	cl->stationary = calloc(n, sizeof *cl->stationary);
	if (A == NULL || b == NULL || x == NULL || cl->stationary == NULL) {
		rc = nomem(err);
		goto cleanup;
	}
	for (j = 0; j < k; j++)
		for (i = 0; i < k; i++)
			gsl_matrix_set(A, j, i, j == k - 1 ? 1.0 :
			               P[cl->states[i] * n + cl->states[j]] - (i == j));
	b[k - 1] = 1.0;
	rc = lu_solve(A, b, x, k, err);
	for (i = 0; i < k && rc == CLV_OK; i++)
		cl->stationary[cl->states[i]] = x[i] < 0.0 ? 0.0 : x[i]; /* rounding below 0 */
cleanup:
	gsl_matrix_free(A);
	free(b);
	free(x);
	return rc;
}

/* Absorbing, transient and recurrent state lists. */
static void list_states(const double *P, size_t n, structure_result *st)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const structure_class *cl = &st->classes[st->class_of[i]];
		if (cl->closed && cl->size == 1 && P[i * n + i] > 0.0)
			st->absorbing[st->n_absorbing++] = i;
		if (cl->closed)
			st->recurrent[st->n_recurrent++] = i;
		else
			st->transient[st->n_transient++] = i;
	}
}

/* N = (I - Q)^-1 with Q the transient block of E; N 1; N R. */
static clv_status fundamental(const double *E, size_t n, structure_result *st, clv_error *err)
{
	size_t t = st->n_transient, r = st->n_recurrent, i, j, k;
	gsl_matrix *A = gsl_matrix_alloc(t, t), *inv = gsl_matrix_alloc(t, t);
	gsl_permutation *perm = gsl_permutation_alloc(t);
	clv_status rc = CLV_OK;
	int sign;

	st->fundamental = calloc(t * t, sizeof *st->fundamental);
	st->to_absorption = calloc(t, sizeof *st->to_absorption);
	st->absorption = calloc(t * r + 1, sizeof *st->absorption);
	if (!A || !inv || !perm || !st->fundamental || !st->to_absorption || !st->absorption) {
		rc = nomem(err);
		goto cleanup;
	}
	for (i = 0; i < t; i++)
		for (j = 0; j < t; j++)
			gsl_matrix_set(A, i, j, (i == j) - E[st->transient[i] * n + st->transient[j]]);
	if (gsl_linalg_LU_decomp(A, perm, &sign) != 0 || gsl_linalg_LU_invert(A, perm, inv) != 0) {
		rc = diag_set(err, CLV_ERR_NUMERIC, NULL, "the fundamental matrix (I - Q) is singular");
		goto cleanup;
	}
	for (i = 0; i < t; i++)
		for (j = 0; j < t; j++) {
			/* N >= 0: rounding below 0 (and -0) is cleared */
			st->fundamental[i * t + j] = fmax(0.0, gsl_matrix_get(inv, i, j));
			st->to_absorption[i] += st->fundamental[i * t + j];
		}
	for (i = 0; i < t; i++)
		for (j = 0; j < r; j++)
			for (k = 0; k < t; k++)
				st->absorption[i * r + j] += st->fundamental[i * t + k] *
				                             E[st->transient[k] * n + st->recurrent[j]];
	for (i = 0; i < t * r; i++)
		st->absorption[i] = fmin(1.0, st->absorption[i]);
cleanup:
	gsl_matrix_free(A);
	gsl_matrix_free(inv);
	gsl_permutation_free(perm);
	return rc;
}

/* class_weight[c] = initial mass in c + mass absorbed into c. */
static void class_weights(const double *initial, structure_result *st)
{
	size_t i, j;

	for (i = 0; i < st->n_recurrent; i++)
		st->class_weight[st->class_of[st->recurrent[i]]] += initial[st->recurrent[i]];
	for (i = 0; i < st->n_transient; i++)
		for (j = 0; j < st->n_recurrent; j++)
			st->class_weight[st->class_of[st->recurrent[j]]] +=
				initial[st->transient[i]] * st->absorption[i * st->n_recurrent + j];
}

static structure_result *result_create(size_t n)
{
	structure_result *st = calloc(1, sizeof *st);

	if (st == NULL)
		return NULL;
	st->n = n;
	st->classes = calloc(n, sizeof *st->classes);
	st->class_of = calloc(n, sizeof *st->class_of);
	st->absorbing = calloc(n, sizeof *st->absorbing);
	st->transient = calloc(n, sizeof *st->transient);
	st->recurrent = calloc(n, sizeof *st->recurrent);
	st->class_weight = calloc(n, sizeof *st->class_weight);
	if (!st->classes || !st->class_of || !st->absorbing || !st->transient || !st->recurrent ||
	    !st->class_weight) {
		structure_free(st);
		return NULL;
	}
	return st;
}

structure_result *structure_analyse(const double *P, const double *E, size_t n,
                                    const double *initial, clv_error *err)
{
	structure_result *st = result_create(n);
	clv_status rc = CLV_OK;
	size_t c;

	if (st == NULL) {
		nomem(err);
		return NULL;
	}
	rc = find_classes(P, n, st, err);
	for (c = 0; c < st->n_classes && rc == CLV_OK; c++)
		if (st->classes[c].closed)
			rc = class_stationary(P, n, &st->classes[c], err);
	if (rc == CLV_OK) {
		list_states(P, n, st);
		if (st->n_transient > 0)
			rc = fundamental(E, n, st, err);
	}
	if (rc != CLV_OK) {
		structure_free(st);
		return NULL;
	}
	class_weights(initial, st);
	return st;
}

structure_result *structure_of_model(const clv_model *m, clv_error *err)
{
	size_t n = m->n;
	const double *P = m->offer_periods == LONG_MAX ? m->P_offer : m->P;
	double *E = malloc(n * n * sizeof *E), *W = malloc(n * n * sizeof *W);
	structure_result *st = NULL;

	if (E == NULL || W == NULL)
		nomem(err);
	else if (exact_period_matrices(P, n, m->purchases, m->poisson, E, W, err) == CLV_OK)
		st = structure_analyse(P, E, n, m->initial, err);
	free(E);
	free(W);
	return st;
}

void structure_long_run(const structure_result *st, double *out)
{
	size_t c, i;

	memset(out, 0, st->n * sizeof *out);
	for (c = 0; c < st->n_classes; c++)
		if (st->classes[c].closed)
			for (i = 0; i < st->n; i++)
				out[i] += st->class_weight[c] * st->classes[c].stationary[i];
}
