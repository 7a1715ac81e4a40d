/*
 * outer.h - stage engine: the outer level of a run, shared by the Monte
 * Carlo driver (mc.c) and the expectation (expect_scenario.c).
 *
 * Every assumption drawn per replication owns one column of the outer
 * design (a Dirichlet row owns n, one per entry). A column is named by the
 * assumption's key path ("retention.Us", "switching.Rival.Ours", with
 * "segments.NAME." in front inside a customer tier) and its uniforms come
 * from the stream of that name (rng_keyed_stream through sample_design),
 * so they do not depend on which other columns exist. Columns are laid
 * out tier by tier, each tier's assumptions in scenario_params order, then
 * its Dirichlet rows; the layout only decides where a value is stored.
 * Each tier's rank correlations are imposed on its own columns.
 */
#ifndef CLV_OUTER_H
#define CLV_OUTER_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/model.h"
#include "engine/sample.h"

/* One population: a customer tier, or the scenario without tiers. */
typedef struct outer_part {
	const clv_scenario *s;
	const model_values *means; /* borrowed: its assumptions, in order */
	char prefix[160];        /* "segments.NAME." or "" */
	size_t col0, n_cols;     /* its columns [col0, col0 + n_cols) */
	size_t *col;             /* n_params: design column or SIZE_MAX (owned) */
	size_t dir_col;          /* first column of its Dirichlet rows */
	uint64_t *key;           /* n_params: key of prefix + label (owned) */
} outer_part;

typedef struct outer_design {
	outer_part *part;        /* n_parts (owned) */
	size_t n_parts;
	size_t n_cols;
	uint64_t *col_key;       /* n_cols: the key of each column (owned) */
	char **col_name;         /* n_cols: its key path (owned) */
} outer_design;

/* The design of s whose tiers (or s itself) have the assumption lists
   means[0..n_tiers-1] (model_values_at_means of each; borrowed, must
   outlive d). CLV_ERR_NOMEM on failure (d is then cleared by
   outer_design_clear as usual). */
clv_status outer_design_init(outer_design *d, const clv_scenario *s,
                             const model_values *const *means, clv_error *err);

/* Free what d owns; d may be half-built or zeroed. */
void outer_design_clear(outer_design *d);

/* u (reps x n_cols) for seed: every column from its key's stream, then
   each tier's rank correlations (CLV_ERR_INPUT naming the correlation
   when one side is not drawn per replication, or when they contradict
   each other). */
clv_status outer_design_sample(const outer_design *d, uint64_t reps, sample_method method,
                               uint64_t seed, double *u, clv_error *err);

/* The replication values of part p from its design row (the whole row of
   n_cols): v's per-replication assumptions take dist_quantile of their
   column, its Dirichlet rows dist_dirichlet_quantile of theirs; the rest
   of v is left as it is. */
void outer_part_draw(const outer_part *p, const double *row, model_values *v);

/* The values v drawn for p's columns, into their places of row. */
void outer_part_record(const outer_part *p, const model_values *v, double *row);

/* The inverse of outer_part_record: v's per-replication assumptions and
   Dirichlet rows take the values recorded in row (e.g. a Monte Carlo
   run's rep_input); the rest of v is left as it is. */
void outer_part_apply(const outer_part *p, const double *row, model_values *v);

#endif
