/*
 * decision.c - the what-if stage: the decision of a comparison
 * (whatif_compare_decide, contract in whatif.h; definitions in evpi.h).
 *
 * Each scenario of a comparison is one decision; each replication one
 * possible world. A world's value for a scenario is its expected total
 * CLV per customer given the world's draws (engine/expect_draws.h: exact,
 * the per-customer assumptions integrated), not the Monte Carlo average
 * of its C customers: that average adds the noise of C customers, which
 * max() would turn into value of information where there is none. The
 * draws are those of the arms' Monte Carlo runs (same seed, replications
 * and plain sampling; keyed by identity, so shared assumptions take the
 * same value in every scenario), and the inputs of the EVPPI are their
 * recorded draws (mc_result's rep_input), merged across the scenarios by
 * key path.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/expect_draws.h"
#include "whatif/whatif.h"
#include "whatif/whatif_internal.h"

/* Arm a's expected CLV in each of R replications, into a->rep_exact. */
static clv_status arm_worlds(whatif_arm *a, uint64_t R, uint64_t seed, int threads,
                             clv_error *err)
{
	expect_draws *d = expect_draws_create(a->s, R, SAMPLE_MC, seed, err);
	clv_status rc;

	if (d == NULL)
		return err->status;
	a->rep_exact = malloc(((size_t)R * (a->s->n + 1) + 1) * sizeof *a->rep_exact);
	rc = a->rep_exact == NULL ? whatif_nomem(err) : expect_draws_all(d, threads, a->rep_exact, err);
	expect_draws_free(d);
	return rc;
}

/* Index of name among c's inputs, or n_inputs. */
static size_t input_index(const whatif_compare *c, const char *name)
{
	size_t j;

	for (j = 0; j < c->n_inputs && strcmp(c->input_name[j], name) != 0; j++)
		;
	return j;
}

/* The inputs of every arm, by key path (first seen), with their draws. */
static clv_status merge_inputs(whatif_compare *c, clv_error *err)
{
	size_t R = (size_t)c->replications, k, j, total = 0, at;

	for (k = 0; k < c->n_arms; k++)
		total += c->arm[k].mc->n_inputs;
	c->input_name = calloc(total + 1, sizeof *c->input_name);
	c->rep_input = malloc((R * total + 1) * sizeof *c->rep_input);
	if (c->input_name == NULL || c->rep_input == NULL)
		return whatif_nomem(err);
	for (k = 0; k < c->n_arms; k++) {
		const mc_result *m = c->arm[k].mc;
		for (j = 0; j < m->n_inputs; j++) {
			if (input_index(c, m->input_name[j]) < c->n_inputs)
				continue;
			if ((c->input_name[c->n_inputs] = strdup(m->input_name[j])) == NULL)
				return whatif_nomem(err);
			c->n_inputs++;
		}
	}
	for (k = c->n_arms; k-- > 0;) { /* the first arm's draws win (they are equal) */
		const mc_result *m = c->arm[k].mc;
		size_t r;
		for (j = 0; j < m->n_inputs; j++) {
			at = input_index(c, m->input_name[j]);
			for (r = 0; r < R; r++)
				c->rep_input[r * c->n_inputs + at] = m->rep_input[r * m->n_inputs + j];
		}
	}
	return CLV_OK;
}

clv_status whatif_compare_decide(whatif_compare *c, int threads, clv_error *err)
{
	size_t K = c->n_arms, R = (size_t)c->replications, k, r;
	double *v = NULL;
	clv_status rc = CLV_OK;

	if (c->independent)
		return CLV_OK;
	for (k = 0; k < K && rc == CLV_OK; k++)
		rc = arm_worlds(&c->arm[k], c->replications, c->seed, threads, err);
	if (rc == CLV_OK)
		rc = merge_inputs(c, err);
	if (rc == CLV_OK && ((v = malloc((R * K + 1) * sizeof *v)) == NULL ||
	                     (c->decision = calloc(1, sizeof *c->decision)) == NULL))
		rc = whatif_nomem(err);
	for (r = 0; rc == CLV_OK && r < R; r++)
		for (k = 0; k < K; k++)
			v[r * K + k] = c->arm[k].rep_exact[r * (c->arm[k].s->n + 1) + c->arm[k].s->n];
	if (rc == CLV_OK)
		rc = whatif_decision_compute(v, R, K, c->rep_input, c->n_inputs, c->input_name,
		                             c->decision, err);
	free(v);
	return rc;
}
