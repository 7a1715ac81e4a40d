/*
 * mc_population.h - stage engine, private to the Monte Carlo driver
 * (mc.c): the population of a run, one segment per customer tier, each
 * with its assumptions' columns in the outer design and its share of the
 * customers, and the periods the walk covers.
 */
#ifndef CLV_MC_POPULATION_H
#define CLV_MC_POPULATION_H

#include <stdbool.h>
#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/model.h"

typedef struct segment {
	clv_scenario *s;
	uint64_t first, count;   /* customers [first, first + count) */
	model_values *means;
	size_t col0;             /* first design column of this segment */
	size_t *col;             /* n_params: design column or SIZE_MAX */
	size_t dir_col;          /* first column of its Dirichlet rows */
	size_t n_cols;
	bool hetero;             /* has per-customer assumptions */
	clv_model *mean_model;   /* the model at the means (table shapes) */
	uint64_t *key;           /* n_params: rng_key of each assumption's
	                            identity (per-customer draws) */
} segment;

typedef struct population {
	segment *seg;
	size_t n_seg;
	size_t n_cols;           /* design width */
	uint64_t *col_key;       /* n_cols: the key of each design column */
	char **col_name;         /* n_cols: its identity (owned) */
	size_t n;                /* states */
	long periods;            /* simulated periods */
} population;

/* Build the population of s for `customers` per replication: segments
   at their means, design columns keyed by identity, customers split by
   weight, the walked periods (an infinite horizon: twice what the means
   need, at least what the lowest rate and highest growth need; refused
   beyond CLV_MAX_HORIZON). CLV_OK, or the error (pop half-built: free
   it with mc_population_free). */
clv_status mc_population_init(population *pop, clv_scenario *s, uint64_t customers,
                              clv_error *err);

/* Free what mc_population_init built (pop itself is the caller's). */
void mc_population_free(population *pop);

#endif
