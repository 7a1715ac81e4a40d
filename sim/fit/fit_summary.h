/*
 * fit_summary.h - one line per customer of a fit: recency, frequency,
 * monetary value (RFM) and the number of brand switches, the summary
 * `--summary DIR` writes as customers.csv. Stage: fit.
 *
 *   recency    periods from the customer's last purchase to the fit's last
 *              period (0: bought in the last period)
 *   frequency  purchases in the fit
 *   monetary   mean amount per purchase (NaN without an amount column)
 *   switches   consecutive purchases in different brands
 *   latest     the customer's latest state (its last brand, or `lost`)
 */
#ifndef CLV_FIT_SUMMARY_H
#define CLV_FIT_SUMMARY_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "fit/fit_markov.h"

typedef struct fit_customer {
	uint32_t customer;      /* rank of the name in fit_data */
	int64_t first, last;    /* times of the first and last purchase */
	long recency;
	uint64_t frequency;
	double monetary;
	uint64_t switches;
	uint32_t latest;        /* index into fit_markov.state */
} fit_customer;

/* m->seq.n summaries in customer order (free() them); NULL when out of
   memory (err set). */
fit_customer *fit_summary_customers(const fit_markov *m, clv_error *err);

#endif
