/*
 * mc_hetero.h - engine stage: the customers of a Monte Carlo run (mc.c)
 * with assumptions of their own (`per: customer`): a thread's scratch for
 * one segment, and each block of such customers drawn and walked.
 *
 * A customer's own values come from its own streams, one per assumption
 * (rng_keyed_stream of the assumption's key, the replication and the
 * customer), so they depend on the seed, replication and customer only,
 * never on the thread or the block; its walk is on rng_stream(seed,
 * replication, customer) as for any customer.
 *
 * Two ways, the same rules (model.h): when every own assumption decides
 * only switching rows or the acquisition cost (retention, switching
 * entries, offers' uplifts and wins), the block's values are drawn a
 * column at a time, each customer's own rows rebuilt alone
 * (model_rows_plan) into a struct of arrays (chain_own) and walked by
 * chain_run_own (the lock-step kernels); otherwise each customer gets
 * its own model and table (model_rebuild, chain_table_refill) on the
 * general path (chain_run_lanes).
 */
#ifndef CLV_MC_HETERO_H
#define CLV_MC_HETERO_H

#include <stdint.h>

#include "clvsim.h"
#include "engine/chain.h"
#include "engine/mc_population.h"
#include "engine/model.h"

typedef struct mc_hetero mc_hetero;

/* A thread's scratch for segment sg (sg->hetero) walking periods
   0..periods; NULL when out of memory. */
mc_hetero *mc_hetero_create(const segment *sg, long periods);
void mc_hetero_free(mc_hetero *h);

/* Bytes of mc_hetero_create for n states, `periods` and n_params
   assumptions, at most (mc_budget.c). */
double mc_hetero_bytes(size_t n, long periods, size_t n_params);

/* Simulate customers first .. first + count - 1 (count <= MC_BLOCK) of
   segment sg in replication rep, whose values, model and table are
   given, each with its own draws, adding to acc (chain.h). */
void mc_hetero_run_block(mc_hetero *h, const segment *sg, const model_values *values,
                         const clv_model *model, const chain_table *table, uint64_t seed,
                         uint64_t rep, uint64_t first, uint64_t count, chain_acc *acc);

#endif
