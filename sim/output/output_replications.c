/*
 * output_replications.c - stage output: replications.csv, the iteration
 * table of a run (layout in output_run.h): per replication the values of
 * the assumptions drawn for it (mc_result.rep_input, columns named by key
 * path, "segments.NAME." in front inside a tier) and its outputs, the
 * average CLV of its customers per state and in total, the offer spend,
 * each state's share at the last period, and with a customer base the
 * replication's draw of new customers per period and its equity. Every
 * Monte Carlo figure of the run can be recomputed from it (the mean of
 * clv.total is mc.clv.total.mean; mc.p_share_falls is the fraction of
 * rows whose share_end is below the initial share).
 */
#include "output/output_run.h"

#include <stdio.h>

#include "output/csv.h"
#include "scenario/scenario.h"

static void header(FILE *f, const output_run_data *d, bool spend, bool equity)
{
	const clv_scenario *s = d->s;
	char name[600];
	size_t i;

	fputs("replication", f);
	for (i = 0; i < d->r->n_inputs; i++) {
		csv_sep(f);
		csv_field(f, d->r->input_name[i]);
	}
	if (equity)
		fputs(",customer_base.acquired_per_period", f);
	for (i = 0; i <= s->n; i++) {
		snprintf(name, sizeof name, "clv.%s", i < s->n ? s->states[i] : "total");
		csv_sep(f);
		csv_field(f, name);
	}
	if (spend)
		fputs(",offer_spend", f);
	for (i = 0; i < s->n; i++) {
		snprintf(name, sizeof name, "share_end.%s", s->states[i]);
		csv_sep(f);
		csv_field(f, name);
	}
	if (equity)
		fputs(",equity", f);
	csv_end(f);
}

clv_status output_write_replications(FILE *f, const void *data, clv_error *err)
{
	const output_run_data *d = data;
	const mc_result *r = d->r;
	size_t n = r->n;
	bool spend = scenario_has_offers(d->s);
	bool equity = d->b != NULL && d->b->replications == r->replications;
	uint64_t k;

	header(f, d, spend, equity);
	for (k = 0; k < r->replications; k++) {
		fprintf(f, "%llu", (unsigned long long)(k + 1));
		csv_numbers(f, r->rep_input + (size_t)k * r->n_inputs, r->n_inputs);
		if (equity)
			csv_numbers(f, d->b->acquired + k, 1);
		csv_numbers(f, r->rep_clv + (size_t)k * (n + 1), n + 1);
		if (spend && r->rep_offer_spend != NULL)
			csv_numbers(f, r->rep_offer_spend + k, 1);
		else if (spend) /* --mode aggregate: no single customers' spend */
			fputc(',', f);
		csv_numbers(f, r->rep_share_end + (size_t)k * n, n);
		if (equity)
			csv_numbers(f, d->b->equity + k, 1);
		csv_end(f);
	}
	return CLV_OK;
}
