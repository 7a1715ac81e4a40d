/*
 * whatif_internal.h - what the files of the what-if stage share
 * (whatif.c: settings and helpers; compare.c, sweep.c, tornado.c, solve.c, evpi.c:
 * one what-if each). Not for other stages.
 */
#ifndef CLV_WHATIF_INTERNAL_H
#define CLV_WHATIF_INTERNAL_H

#include "engine/sample.h"
#include "whatif/whatif.h"

/* CLV_ERR_NOMEM with the planner's message; returns it. */
clv_status whatif_nomem(clv_error *err);

/* Free v[0..n-1] and v (v may be NULL). */
void whatif_free_strings(char **v, size_t n);

/* The n state names of s in a new array (whatif_free_strings), or NULL. */
char **whatif_copy_states(const clv_scenario *s);

/* CLV_ERR_INTERRUPTED once SIGINT/SIGTERM was seen (mc.h), between runs. */
clv_status whatif_check_interrupt(clv_error *err);

/* Copy a run's mean CLV (n + 1) out of r (clv_avg: across replications),
   and their SEs when se is not NULL. */
void whatif_mc_means(const mc_result *r, double *mean, double *se);

/* CLV (n + 1) of s with every assumption at its mean (elasticities). */
clv_status whatif_means_clv(clv_scenario *s, double *clv, clv_error *err);

/* Exact CLV of s: n + 1 values into clv and the total into *total, each
   when not NULL. Errors: exact_scenario's. */
clv_status whatif_exact_clv(clv_scenario *s, double *clv, double *total, clv_error *err);

/* How setting `key` on s applies when it is a matrix entry or a
   retention (a sentence for the reports, malloc'd); NULL otherwise. */
char *whatif_rule_text(clv_scenario *s, const char *key);

/* ---- a sweep's points (sweep.c, sweep_exact.c) ---- */

/* A copy of `given` at grid point p of w: the keys set, their
   correlations dropped (scenario_free it); NULL with err set. */
clv_scenario *whatif_sweep_point_copy(const whatif_sweep *w, const clv_scenario *given, size_t p,
                                      clv_error *err);

/* The exact replication values of a sweep (WHATIF_SWEEP_EXACT_REPLICATIONS):
   every point's replications on the uniforms of the first point's. */
typedef struct whatif_sweep_draws whatif_sweep_draws;

/* For sweep w of `given`, `reps` replications from w's seed by method. */
whatif_sweep_draws *whatif_sweep_draws_create(const whatif_sweep *w, const clv_scenario *given,
                                              uint64_t reps, sample_method method,
                                              clv_error *err);
void whatif_sweep_draws_free(whatif_sweep_draws *d);

/* The replication values of s (a point copy of the sweep's scenario with
   `reps` replications) into rep (reps x (n + 1)), over `threads`:
   the template's uniforms when reps is the template's (a swept
   `replications` key draws afresh). */
clv_status whatif_sweep_draws_point(const whatif_sweep_draws *d, clv_scenario *s, uint64_t reps,
                                    int threads, double *rep, clv_error *err);

/* Mean and se of each of the n + 1 columns of rep (R rows), as mc_run
   summarises its replications (stats_summary_from_array: se = sd /
   sqrt(R), NaN when R < 2). CLV_ERR_NOMEM. */
clv_status whatif_rep_means(const double *rep, size_t R, size_t n, double *mean, double *se,
                            clv_error *err);

/* ---- a sweep against a base (sweep_vs.c), called by sweep.c ---- */

typedef struct whatif_sweep_base whatif_sweep_base;

/* base's runs for sweep w of `changed` (w's states, seed, replications
   and customers known, w's tables allocated): its Monte Carlo run and
   the expectation options both sides use; NULL with err set. */
whatif_sweep_base *whatif_sweep_base_create(whatif_sweep *w, const clv_scenario *base,
                                            const clv_scenario *changed,
                                            const whatif_settings *set, clv_error *err);
void whatif_sweep_base_free(whatif_sweep_base *b);

/* Point p's differences: s is changed with the point's keys set, rep
   its replication values (replications x (n + 1): the Monte Carlo run's
   rep_clv, or the exact replication values; NULL when w->method is
   WHATIF_SWEEP_EXACT: the difference is exact, se 0). */
clv_status whatif_sweep_base_point(whatif_sweep *w, const whatif_sweep_base *b, size_t p,
                                   clv_scenario *s, const double *rep, clv_error *err);

/* w->breakeven from w->diff_exact (every point done). */
clv_status whatif_sweep_breakeven(whatif_sweep *w, clv_error *err);

#endif
