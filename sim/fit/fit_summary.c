/*
 * fit_summary.c - the per-customer summary (see fit_summary.h).
 * Stage: fit.
 */
#include "fit/fit_summary.h"

#include <stdlib.h>

static void summarise(const fit_markov *m, size_t k, fit_customer *out)
{
	const fit_seq *s = &m->seq;
	size_t e, a = s->off[k], b = s->off[k + 1];
	double sum = 0.0;

	out->customer = s->customer[k];
	out->frequency = 0;
	out->switches = 0;
	out->latest = s->state[b - 1];
	for (e = a; e < b; e++) {
		const fit_record *r = s->rec[e];
		if (r == NULL)
			continue; /* the `lost` entry */
		if (out->frequency == 0)
			out->first = r->time;
		out->last = r->time;
		out->recency = m->end_period - r->period;
		out->frequency++;
		sum += r->amount;
		if (e > a && s->state[e] != s->state[e - 1])
			out->switches++;
	}
	out->monetary = sum / (double)out->frequency; /* NaN without amounts */
}

fit_customer *fit_summary_customers(const fit_markov *m, clv_error *err)
{
	fit_customer *c = calloc(m->seq.n ? m->seq.n : 1, sizeof *c);
	size_t k;

	if (c == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the customer summary");
		return NULL;
	}
	for (k = 0; k < m->seq.n; k++)
		summarise(m, k, &c[k]);
	return c;
}
