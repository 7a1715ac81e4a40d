/*
 * fit_simulate.h - purchase records walked by clvsim's own engine from a
 * scenario with a known switching matrix: the data `clvsim simulate`
 * writes and the tests fit back. Stage: fit.
 *
 * Each customer c walks exactly as customer c of replication 0 of the
 * Monte Carlo engine does (engine/chain.c, with the scenario at its
 * assumptions' means): its own PCG stream rng_stream(seed, 0, c), the
 * first state drawn from `initial` through the engine's threshold table,
 * then per period F purchases (or Poisson(F) of them), one chain step
 * each. A purchase in an absorbing state with nothing to earn or pay
 * (the engine's "dead" states, e.g. `lost`) is not a purchase: the
 * customer has left, and its walk ends as the engine's does. The amount
 * of a purchase is the margin of its state, or, where the margin is
 * uncertain, a draw of its distribution per purchase from the customer's
 * second stream rng_stream(seed, 1, c).
 */
#ifndef CLV_FIT_SIMULATE_H
#define CLV_FIT_SIMULATE_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"

typedef struct fit_sim_purchase {
	uint64_t customer; /* 0-based */
	long period;       /* 0..horizon */
	uint32_t index;    /* the k-th purchase slot of the period (0-based) */
	uint32_t count;    /* purchase slots of the customer in this period */
	size_t state;      /* index into the scenario's states */
	double amount;
} fit_sim_purchase;

/* Called for each purchase, customer by customer, in time order. A
   status other than CLV_OK stops the walk and is returned. */
typedef clv_status (*fit_sim_emit)(void *ctx, const fit_sim_purchase *p, clv_error *err);

/* Walk customers 0..customers-1 of s. Errors: CLV_ERR_INPUT (an infinite
   horizon, segments: not supported), CLV_ERR_NOMEM, or what emit returns. */
clv_status fit_simulate(clv_scenario *s, uint64_t customers, uint64_t seed, fit_sim_emit emit,
                        void *ctx, clv_error *err);

#endif
