/*
 * output_run.h - stage output: what the tables of `run` read, and the
 * writers of the tables beside share.csv, clv.csv and clv_hist.csv
 * (output.c):
 *
 *   replications.csv  replication,<every assumption drawn per replication,
 *                     by its key path>,[customer_base.acquired_per_period,]
 *                     clv.<state>...,clv.total,[offer_spend,]
 *                     share_end.<state>...,[equity]
 *                     one row per replication (1..R): the iteration table
 *                     (output_replications.c); the bracketed columns with
 *                     offers and with a customer base
 *   segments.csv      segment,state,mean,se,sd,p05,p25,p50,p75,p95,exact,
 *                     p_negative,share_of_value: each tier (and "all", the
 *                     whole base) across its customers (output_segments.c)
 *   customers.csv     period,state,customers: expected customers of the
 *                     customer base per state (and "total") at the start
 *                     of each period (output_segments.c)
 *
 * Columns are the public interface (docs/plots.md).
 */
#ifndef CLV_OUTPUT_RUN_H
#define CLV_OUTPUT_RUN_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/breakdown.h"
#include "engine/exact.h"
#include "engine/mc.h"

/* What run's table writers read (b may be NULL). */
typedef struct output_run_data {
	const clv_scenario *s;
	const mc_result *r;
	const exact_result *ex;
	const breakdown *b;
} output_run_data;

/* Writers in the form of output_table.write (data: output_run_data). */
clv_status output_write_replications(FILE *f, const void *data, clv_error *err);
clv_status output_write_segments(FILE *f, const void *data, clv_error *err);
clv_status output_write_customers(FILE *f, const void *data, clv_error *err);

#endif
