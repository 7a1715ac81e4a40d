/*
 * output_decision.h - stage output: the decision tables of
 * `clvsim compare` in --out DIR (written in compare's group by
 * output_compare.c when the comparison has a decision, i.e. on common
 * random numbers), and the figure compare_decision.png drawn from them:
 *
 *   compare_replications.csv  replication,total_1,...,total_K,INPUT...
 *                             (one row per replication, 1-based: each
 *                             scenario's expected total CLV per customer
 *                             given the replication's draws, scenarios in
 *                             command-line order, then every assumption
 *                             drawn per replication, by key path; p_best
 *                             and evpi are computed from these columns)
 *   compare_p_best.csv        scenario,mean_total,p_best,evpi
 *   compare_evppi.csv         assumption,evppi,evpi
 *                             (largest EVPPI first; no rows when nothing is drawn per
 *                             replication, or too few replications)
 */
#ifndef CLV_OUTPUT_DECISION_H
#define CLV_OUTPUT_DECISION_H

#include <stdio.h>

#include "clvsim.h"
#include "base/diag.h"
#include "whatif/whatif.h"

/* The writers (output_table.write): data is the whatif_compare. */
clv_status output_decision_replications(FILE *f, const void *data, clv_error *err);
clv_status output_decision_p_best(FILE *f, const void *data, clv_error *err);
clv_status output_decision_evppi(FILE *f, const void *data, clv_error *err);

#endif
