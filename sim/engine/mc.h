/*
 * mc.h - the Monte Carlo engine: replications (outer level: assumptions
 * drawn once per replication) of customers (inner level: each customer's
 * walk through the chain, with its own assumptions where `per: customer`).
 *
 * Reproducible: every (replication, customer) has its own PCG stream and
 * partial results are reduced in a fixed order (replication, segment,
 * block), so the same scenario and seed give the same numbers, byte for
 * byte, whatever the number of threads. Memory does not grow with the
 * customer count: customers are summarised on the fly (moments and
 * fixed-size histograms); per-replication tables grow with replications x
 * periods x states, task slots with customers x replications per wave:
 * every such allocation is counted against CLV_MEMORY_BUDGET up front
 * (mc_budget.h), and a wave is only as large as the budget allows.
 */
#ifndef CLV_MC_H
#define CLV_MC_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "engine/mc_budget.h"
#include "engine/sample.h"
#include "base/stats.h"

/* Customers per block: the unit of parallel work and of ordered reduction. */
#define MC_BLOCK 2048

/* Which engine runs a scenario (--mode):
   - MC_MODE_CUSTOMERS: every customer walks the chain (mc.c);
   - MC_MODE_AGGREGATE: the state counts of the whole population move by
     multinomial splits (aggregate.h): share of wallet and customer equity
     of C customers in O(states^2 x periods x replications) whatever C, no
     figures of single customers; refuses per-customer assumptions;
   - MC_MODE_AUTO: aggregate when it applies and the per-customer run
     would take more than MC_AUTO_AGGREGATE_STEPS purchase steps, else
     customers. */
typedef enum mc_mode { MC_MODE_CUSTOMERS = 0, MC_MODE_AUTO, MC_MODE_AGGREGATE } mc_mode;

/* Purchase steps above which MC_MODE_AUTO aggregates (a few seconds). */
#define MC_AUTO_AGGREGATE_STEPS 2e9

/* "customers", "auto", "aggregate". */
const char *mc_mode_name(mc_mode m);

typedef struct mc_config {
	uint64_t seed;
	uint64_t replications;   /* per batch */
	uint64_t customers;      /* per replication */
	int threads;             /* 0 = OpenMP default */
	sample_method sampling;
	bool progress;           /* progress bar on stderr */
	bool predict;            /* a line on stderr when the run will take over
	                            a minute (base/progress.h) */
	double precision;        /* target half-width of the 95% CI of mean total
	                            CLV; 0 = off */
	bool precision_relative; /* precision is a fraction of |mean| */
	uint64_t max_batches;    /* cap for the precision loop */
	bool independent;        /* streams offset by scenario_index (no CRN) */
	uint64_t scenario_index; /* see independent */
	long share_periods;      /* rows reported for an infinite horizon */
	bool keep_rep_share;     /* keep mc_result.rep_share after the run (it
	                            is freed once summarised otherwise) */
	double held_bytes;       /* bytes the command holds besides this run
	                            (earlier results of a comparison), counted
	                            in its memory budget */
	double report_cell_bytes; /* bytes the caller's report will hold per
	                            share cell (period x state), e.g. a JSON
	                            document; counted too */
	bool exact_replications; /* when nothing is drawn per customer and
	                            something per replication: each
	                            replication's values are the exact figures
	                            given its draws (mc_result.exact_replications) */
	mc_mode mode;            /* the engine (default MC_MODE_CUSTOMERS) */
	void (*beside)(void *ctx); /* when set: called once, on one of the run's
	                            threads, beside the first blocks of
	                            customers (work that needs nothing of the
	                            run: it takes that thread's share of the
	                            run, not a thread of its own); not called
	                            by the aggregate engine nor when the run
	                            fails before its first block: the caller
	                            checks */
	void *beside_ctx;
} mc_config;

/* Where the uncertainty of a Monte Carlo mean comes from, and so how its
   standard error is estimated (docs/statistics.md):
   - MC_SE_REPLICATIONS: assumptions are drawn per replication, so the
     customers of one replication are not independent: se = sd of the R
     replication means / sqrt(R), R - 1 degrees of freedom;
   - MC_SE_STRATA: no per-replication draws, customer tiers (segments) of
     fixed shares w_k: se^2 = sum_k w_k^2 s_k^2 / N_k over the tiers'
     within-tier variances, Welch-Satterthwaite degrees of freedom;
   - MC_SE_CUSTOMERS: neither: every customer is independent,
     se = sd / sqrt(customers x R). */
typedef enum mc_se_method {
	MC_SE_CUSTOMERS = 0, MC_SE_STRATA, MC_SE_REPLICATIONS
} mc_se_method;

/* The method's name in reports: "customers", "strata", "replications". */
const char *mc_se_method_name(mc_se_method m);

/* Student t quantile for a two-sided interval of `level` (0.95) with df
   degrees of freedom (normal beyond 1e7; NaN for df < 1). */
double mc_t_quantile(double level, double df);

/* The figures of one customer tier (segment) of a run. Its se is honest
   for the tier alone: by replications (R - 1 df) when the tier draws an
   assumption per replication, else over its independent customers. */
typedef struct mc_segment {
	uint64_t customers;      /* simulated per replication */
	mc_se_method se_method;  /* MC_SE_REPLICATIONS or MC_SE_CUSTOMERS */
	double se_df;
	stats_summary *clv;      /* n + 1: across the tier's customers (owned);
	                            percentiles NaN when the run could not keep
	                            a histogram per tier (memory) */
	stats_summary offer_spend; /* mean, se, sd (no percentiles) */
	double *p_negative;      /* n + 1: P(CLV < 0) per state, total (owned) */
	double *p_negative_se;   /* n + 1 (owned) */
	double p_exceeds_acquisition, p_exceeds_acquisition_se;
} mc_segment;

typedef struct mc_result {
	mc_mode engine;          /* the engine that ran: MC_MODE_CUSTOMERS or
	                            MC_MODE_AGGREGATE (then clv[].sd, p05..p95
	                            and hist are empty: no single customers) */
	size_t n;                /* states */
	long periods;            /* share rows 0..periods */
	uint64_t replications, customers, seed;
	int threads;
	double *rep_share;       /* replications x (periods + 1) x n (owned);
	                            NULL unless cfg->keep_rep_share */
	double *rep_share_end;   /* replications x n: each replication's shares
	                            at the last reported period (owned) */
	double *rep_clv;         /* replications x (n + 1): average CLV per state
	                            and total, per replication (owned) */
	bool exact_replications; /* rep_share and rep_clv are the exact
	                            figures given each replication's draws (no
	                            inner noise), and clv[].mean their average;
	                            else the simulated customers' averages */
	stats_summary *clv;      /* n + 1: across all customers (owned); .se is
	                            the standard error of .mean, by se_method */
	stats_summary *clv_avg;  /* n + 1: across replications (owned) */
	stats_hist **hist;       /* n + 1 merged histograms (owned) */
	double *share_mean, *share_p05, *share_p25, *share_p50, *share_p75, *share_p95;
	                         /* (periods + 1) x n each (owned) */
	mc_se_method se_method;  /* how every .se of clv was estimated */
	double se_df;            /* its degrees of freedom (for Student t) */
	double half_width;       /* 95% CI half-width of mean total CLV:
	                            t(0.975, se_df) x clv[n].se */
	size_t n_inputs;         /* assumptions drawn per replication (design
	                            columns; a Dirichlet row counts n) */
	char **input_name;       /* n_inputs: key paths, "retention.Us",
	                            "switching.Rival.Ours", with "segments.NAME."
	                            in front in a segment (owned) */
	double *rep_input;       /* replications x n_inputs: the drawn values
	                            (owned) */
	/* beside the CLV tables (engine/mc_figures.c): */
	stats_summary offer_spend; /* the offers' cost per customer, on its own
	                            line (in no state's CLV): mean, se by
	                            se_method, sd; percentiles NaN */
	double *rep_offer_spend; /* replications: its average (owned) */
	double *p_negative;      /* n + 1: fraction of customers whose CLV in
	                            state i (n: total) is below 0 (owned) */
	double *p_negative_se;   /* n + 1: its se, by se_method (owned) */
	double p_exceeds_acquisition; /* fraction whose total is above 0: the
	                            states' CLV less offer spend exceeds the
	                            acquisition cost */
	double p_exceeds_acquisition_se;
	size_t n_segments;       /* customer tiers of the scenario (0: none) */
	mc_segment *segment;     /* n_segments, in scenario order (owned) */
	long simulated_periods;  /* periods 0..simulated_periods walked (an
	                            infinite horizon's truncation) */
	double truncation_bound; /* infinite horizon: the most the periods
	                            after the simulated ones could add to a
	                            customer's CLV, the largest over the
	                            replications' models (chain.h
	                            chain_truncation_bound); 0 when finite */
	bool precision_reached;
	uint64_t steps;          /* nominal purchase steps: replications x
	                            customers x periods x purchases (customers
	                            absorbed early take fewer) */
} mc_result;

/* Defaults from the scenario (customers, replications, seed). */
void mc_config_defaults(mc_config *cfg, const clv_scenario *s);

/* What a caller (the command line) may override; 0 / false = the
   scenario's value or the engine's default. */
typedef struct mc_settings {
	uint64_t seed;
	bool has_seed;
	uint64_t replications;
	uint64_t customers;
	int threads;             /* 0 = OpenMP's default */
	bool progress;           /* progress bar on stderr */
	bool predict;            /* as mc_config */
	sample_method sampling;
	double precision;        /* as mc_config; 0 = off */
	bool precision_relative;
	long share_periods;      /* rows for an infinite horizon, when */
	bool has_share_periods;  /* given (else the default) */
	bool exact_replications; /* as mc_config (false: simulated values) */
	mc_mode mode;            /* as mc_config (0: per customer) */
} mc_settings;

/* cfg = the scenario's defaults (mc_config_defaults), then set's
   overrides. */
void mc_config_from(mc_config *cfg, const clv_scenario *s, const mc_settings *set);

/* The plan of running s under cfg (steps, bytes, wave size; mc_budget.h),
   without running it: what mc_run checks before it starts. CLV_OK, or the
   errors of building the population at the means (CLV_ERR_INPUT,
   CLV_ERR_LIMIT for an unreachable infinite horizon, CLV_ERR_NOMEM). */
clv_status mc_estimate(clv_scenario *s, const mc_config *cfg, mc_budget *out, clv_error *err);
/* ---- for the engines (mc.c, aggregate.c; mc_result.c) ---------------------- */

/* A result of n states and share rows 0..periods, its per-replication
   tables empty; NULL when out of memory. */
mc_result *mc_result_create(size_t n, long periods);

/* Grow r's per-replication tables (shares, CLV, inputs of n_inputs
   columns) to hold reps replications. CLV_ERR_NOMEM with err set. */
clv_status mc_result_grow(mc_result *r, uint64_t reps, size_t n_inputs, clv_error *err);

/* r->rep_share_end (each replication's final shares) from r->rep_share,
   which may be freed after. CLV_ERR_NOMEM with err set. */
clv_status mc_result_keep_share_end(mc_result *r, clv_error *err);

/* From r->rep_clv and r->rep_share of r->replications replications:
   clv_avg and the share mean and percentiles. */
void mc_result_summarise_replications(mc_result *r);

/* Run s. Returns NULL with err set: CLV_ERR_LIMIT (over the memory or step
   budget, with the numbers; an infinite horizon the walk cannot reach),
   CLV_ERR_INPUT (a drawn model is impossible), CLV_ERR_NOMEM,
   CLV_ERR_INTERRUPTED (SIGINT/SIGTERM seen). */
mc_result *mc_run(clv_scenario *s, const mc_config *cfg, clv_error *err);
void mc_free(mc_result *r);

#endif
