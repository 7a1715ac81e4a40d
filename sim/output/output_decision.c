/*
 * output_decision.c - stage output: the decision tables of
 * `clvsim compare` (columns in output_decision.h).
 */
#include "output/output_decision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "output/csv.h"

/* The scenario's name, or its file when an earlier one has that name. */
static const char *label_of(const whatif_compare *c, size_t k)
{
	size_t j;

	for (j = 0; j < k; j++)
		if (strcmp(c->arm[j].s->name, c->arm[k].s->name) == 0)
			return c->arm[k].s->path;
	return c->arm[k].s->name;
}

clv_status output_decision_replications(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
	size_t k, j, r, R = (size_t)c->replications;

	fputs("replication", f);
	for (k = 0; k < c->n_arms; k++)
		fprintf(f, ",total_%zu", k + 1);
	for (j = 0; j < c->n_inputs; j++) {
		csv_sep(f);
		csv_field(f, c->input_name[j]);
	}
	csv_end(f);
	for (r = 0; r < R; r++) {
		fprintf(f, "%zu", r + 1);
		for (k = 0; k < c->n_arms; k++) {
			const whatif_arm *a = &c->arm[k];
			csv_sep(f);
			csv_number(f, a->rep_exact[r * (a->s->n + 1) + a->s->n]);
		}
		csv_numbers(f, c->rep_input + r * c->n_inputs, c->n_inputs);
		csv_end(f);
	}
	return CLV_OK;
}

clv_status output_decision_p_best(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
	const whatif_decision *d = c->decision;
	size_t k;

	fputs("scenario,mean_total,p_best,evpi\n", f);
	for (k = 0; k < d->n_arms; k++) {
		const double v[] = {d->mean[k], d->p_best[k], d->evpi};
		csv_field(f, label_of(c, k));
		csv_numbers(f, v, 3);
		csv_end(f);
	}
	return CLV_OK;
}

clv_status output_decision_evppi(FILE *f, const void *data, clv_error *err)
{
	const whatif_compare *c = data;
	const whatif_decision *d = c->decision;
	size_t *order = malloc((d->n_inputs + 1) * sizeof *order), i, j;

	if (order == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory writing compare_evppi.csv");
	for (j = 0; j < d->n_inputs; j++) { /* largest first; ties keep their order */
		for (i = j; i > 0 && d->evppi[order[i - 1]] < d->evppi[j]; i--)
			order[i] = order[i - 1];
		order[i] = j;
	}
	fputs("assumption,evppi,evpi\n", f);
	for (i = 0; i < d->n_inputs && d->evppi_done; i++) {
		const double v[] = {d->evppi[order[i]], d->evpi};
		csv_field(f, d->input[order[i]]);
		csv_numbers(f, v, 2);
		csv_end(f);
	}
	free(order);
	return CLV_OK;
}
