/*
 * output_segments.c - stage output: segments.csv (each customer tier and
 * the whole base across their customers, beside the exact figures) and
 * customers.csv (the customer base's expected customers per state over
 * time); layouts in output_run.h.
 */
#include "output/output_run.h"

#include <math.h>

#include "output/csv.h"
#include "scenario/scenario.h"

/* One row: segment, state, the summary, exact, p_negative, share. */
static void row(FILE *f, const char *segment, const char *state, const stats_summary *sm,
                double exact, double p_negative, double share)
{
	const double v[] = {sm->mean, sm->se, sm->sd, sm->p05, sm->p25, sm->p50, sm->p75, sm->p95,
	                    exact, p_negative, share};

	csv_field(f, segment);
	csv_sep(f);
	csv_field(f, state);
	csv_numbers(f, v, sizeof v / sizeof v[0]);
	csv_end(f);
}

/* The rows of one population: states, offer spend (with offers), total. */
static void rows(FILE *f, const clv_scenario *s, const char *name, const stats_summary *clv,
                 const stats_summary *spend, const double *p_negative, const exact_result *ex,
                 double share)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		row(f, name, s->states[i], &clv[i], ex->clv[i], p_negative[i], NAN);
	if (scenario_has_offers(s))
		row(f, name, "offer_spend", spend, ex->offer_spend, NAN, NAN);
	row(f, name, "total", &clv[s->n], ex->clv[s->n], p_negative[s->n], share);
}

clv_status output_write_segments(FILE *f, const void *data, clv_error *err)
{
	const output_run_data *d = data;
	const clv_scenario *s = d->s;
	const mc_result *r = d->r;
	size_t k;

	fputs("segment,state,mean,se,sd,p05,p25,p50,p75,p95,exact,p_negative,share_of_value\n", f);
	for (k = 0; k < r->n_segments; k++) {
		const mc_segment *sg = &r->segment[k];
		double w = (double)sg->customers / (double)r->customers;
		rows(f, s, s->segment_name[k], sg->clv, &sg->offer_spend, sg->p_negative,
		     d->b->segment[k]->mean, w * sg->clv[s->n].mean / r->clv[s->n].mean);
	}
	rows(f, s, "all", r->clv, &r->offer_spend, r->p_negative, d->ex, 1.0);
	return CLV_OK;
}

clv_status output_write_customers(FILE *f, const void *data, clv_error *err)
{
	const output_run_data *d = data;
	const exact_result *ex = d->ex;
	size_t n = ex->n, i;
	long t;

	fputs("period,state,customers\n", f);
	for (i = 0; i <= n; i++)
		for (t = 0; t <= ex->periods; t++) {
			double v = 0.0;
			size_t j;
			for (j = 0; j < n; j++)
				if (i == n || j == i)
					v += ex->customers[(size_t)t * n + j];
			fprintf(f, "%ld,", t);
			csv_field(f, i < n ? d->s->states[i] : "total");
			csv_numbers(f, &v, 1);
			csv_end(f);
		}
	return CLV_OK;
}
