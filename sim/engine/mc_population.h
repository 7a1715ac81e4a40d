/*
 * mc_population.h - stage engine, private to the Monte Carlo driver
 * (mc.c): the population of a run, one segment per customer tier, each
 * with its assumptions' columns in the outer design (engine/outer.h) and
 * its share of the customers, and the periods the walk covers.
 */
#ifndef CLV_MC_POPULATION_H
#define CLV_MC_POPULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/model.h"
#include "engine/outer.h"

typedef struct segment {
	clv_scenario *s;
	uint64_t first, count;   /* customers [first, first + count) */
	model_values *means;
	const outer_part *outer; /* its design columns and identities */
	bool hetero;             /* has per-customer assumptions */
	unsigned parts;          /* MODEL_PART_* parts they decide */
	unsigned refill;         /* the same as CHAIN_FILL_* parts */
	size_t *drawn;           /* n_drawn: their indices in means (owned) */
	size_t n_drawn;
	clv_model *mean_model;   /* the model at the means (table shapes) */
} segment;

typedef struct population {
	segment *seg;
	size_t n_seg;
	outer_design outer;      /* the outer design's columns */
	size_t n_cols;           /* design width (outer.n_cols) */
	size_t n;                /* states */
	long periods;            /* simulated periods */
} population;

/* Build the population of s for `customers` per replication: segments
   at their means, the outer design (columns keyed by identity), customers
   split by weight, the walked periods (an infinite horizon: twice what
   the means need, at least what the lowest rate and highest growth need;
   refused beyond CLV_MAX_HORIZON). CLV_OK, or the error (pop half-built:
   free it with mc_population_free). */
clv_status mc_population_init(population *pop, clv_scenario *s, uint64_t customers,
                              clv_error *err);

/* Free what mc_population_init built (pop itself is the caller's). */
void mc_population_free(population *pop);

#endif
