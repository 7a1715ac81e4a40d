/*
 * clvsim.h - the central header: what every module shares.
 *
 * Data flows through clvsim in this order, one folder of sim/ per stage;
 * a stage includes only the headers of the stages above it in this list
 * (layers look down, never up):
 *
 *   base/      diagnostics (diag), the interrupt flag, PCG32 streams keyed by
 *              identity (rng), compensated sums and histograms (stats),
 *              distributions (dist), stochastic-row arithmetic (rowmath)
 *   scenario/  scenario file --yamlnode, files (base: chains), values, keys,
 *              segments, validate--> clv_scenario (assumptions, each
 *              possibly uncertain: a clv_param); params (listing), edit
 *              (what-if edits), copy
 *   engine/    clv_scenario --model (draw or take means)--> clv_model;
 *              exact (shares, CLV, steady state), structure (classes,
 *              absorption), expect + quad (the expectation over uncertain
 *              assumptions), outer + sample (the outer design), chain (the
 *              inner loop), mc (replications, OpenMP, honest se)
 *   whatif/    compare, sweep, tornado: several engine runs on copies
 *   output/    textout (stdout), report_* (text and JSON), output_* and csv
 *              (tables in --out DIR, atomic through outfile), plot (gnuplot),
 *              explain (the lesson)
 *   cli/       options (cli), options to settings (cli_settings), one thin
 *              cmd_*.c per command, main; the only stage that knows exit
 *              codes
 *
 * Ownership rule, once for the whole code base:
 *   - objects come in pairs `x_create` (or `x_load`) / `x_free`;
 *     `x_free(NULL)` is a no-op;
 *   - arguments are borrowed unless the contract says otherwise;
 *   - a constructor that fails frees what it half-built and returns NULL
 *     with the reason in the caller's clv_error.
 *
 * Errors: functions that can fail return clv_status and fill a clv_error
 * (see diag.h). One `rc` chain and one `goto cleanup` per function.
 * GSL's own error handler is switched off once in main(), before any
 * parallel region; GSL failures come back as status codes.
 *
 * Matrices are dense, row-major `double` arrays of n * n entries:
 * P[i * n + j] is the probability of moving from state i to state j.
 */
#ifndef CLVSIM_H
#define CLVSIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLVSIM_VERSION "0.1.0"

/* Limits that protect the machine; checked when a scenario is validated. */
#define CLV_MAX_STATES 64
#define CLV_MAX_HORIZON 100000L
#define CLV_MAX_PURCHASES_PER_PERIOD 1000.0
#define CLV_MAX_CUSTOMERS 1000000000ULL
#define CLV_MAX_REPLICATIONS 10000000ULL
#define CLV_MAX_SEGMENTS 16
/* A run whose customers * replications * purchase steps exceed this is refused
   before it starts (about an hour of CPU at 1e9 steps per second). */
#define CLV_MAX_TOTAL_STEPS 4.0e12
/* An infinite horizon is walked until the discount factors fall below
   this; a scenario whose walk (at the lowest rate and highest growth it
   can draw) would need more than CLV_MAX_HORIZON periods is refused. */
#define CLV_INFINITE_CUTOFF 1e-10
/* Memory budget for one run's tables (bytes); refused up front beyond it. */
#define CLV_MEMORY_BUDGET (2048.0 * 1024 * 1024)

/* Exit statuses of the command line. */
enum { CLV_EXIT_OK = 0, CLV_EXIT_RUNTIME = 1, CLV_EXIT_INPUT = 2, CLV_EXIT_INTERRUPTED = 130 };

typedef enum clv_status {
	CLV_OK = 0,
	CLV_ERR_USAGE,       /* bad command line: exit 2 */
	CLV_ERR_INPUT,       /* bad scenario file or value: exit 2 */
	CLV_ERR_LIMIT,       /* over a size or memory limit: exit 2 */
	CLV_ERR_IO,          /* cannot read or write a file: exit 1 */
	CLV_ERR_NOMEM,       /* allocation failed: exit 1 */
	CLV_ERR_NUMERIC,     /* a computation failed (singular matrix...): exit 1 */
	CLV_ERR_INTERRUPTED  /* SIGINT/SIGTERM: exit 130 */
} clv_status;

/* A place in a scenario file: 1-based line and column; line 0 = no place. */
typedef struct clv_pos {
	const char *file; /* borrowed; lives as long as the scenario */
	int line;
	int column;
} clv_pos;

/* ------------------------------------------------------------------ */
/* Assumptions: a number that may be uncertain.                        */

typedef enum clv_dist_kind {
	DIST_FIXED = 0,  /* value = a */
	DIST_UNIFORM,    /* min = a, max = b */
	DIST_TRIANGULAR, /* min = a, mode = b, max = c */
	DIST_PERT,       /* min = a, mode = b, max = c (beta-PERT, lambda 4) */
	DIST_BETA,       /* shape a = a, shape b = b, on [0, 1] */
	DIST_NORMAL,     /* mean = a, sd = b (truncated to [lo, hi]) */
	DIST_LOGNORMAL,  /* mu = a, sigma = b of the underlying normal */
	DIST_GAMMA,      /* shape = a, scale = b */
	DIST_POISSON     /* mean = a; only for purchases_per_period */
} clv_dist_kind;

typedef enum clv_draw_level {
	PER_REPLICATION = 0, /* drawn once per replication (the default) */
	PER_CUSTOMER,        /* drawn once per customer, for its whole life */
	PER_CUSTOMER_PERIOD  /* drawn per customer and period (poisson F) */
} clv_draw_level;

typedef struct clv_param {
	clv_dist_kind kind;
	double a, b, c;      /* parameters, meaning by kind (above) */
	double lo, hi;       /* support the quantity demands; draws outside are
	                        resampled (truncation) - see dist.h */
	clv_draw_level per;
	char *label;         /* owned; dotted key path, e.g. "switching.A.B",
	                        "retention.A", "margin.B", "discount_rate" */
	clv_pos pos;         /* where it was written */
} clv_param;

/* A switching row: fixed or per-entry uncertain, or a Dirichlet row. */
typedef struct clv_row {
	bool dirichlet;      /* true: alpha[] gives the row's Dirichlet draw */
	double *alpha;       /* n entries when dirichlet, else NULL (owned) */
	clv_param *p;        /* n entries when !dirichlet, else NULL (owned) */
	clv_pos pos;
} clv_row;

/* A campaign or price discount run by one brand (docs/theory.md section 8). */
typedef struct clv_offer {
	char *label;             /* "campaign" or "price_discount" (owned) */
	size_t brand;            /* index of the state running it */
	clv_param cost;          /* per targeted customer per period */
	bool target_all;         /* cost charged for customers in every state
	                            (true) or only while in `brand` (false) */
	clv_param margin_cut;    /* fraction of brand's margin given up, 0..1 */
	clv_param retention_uplift; /* added to P[brand][brand] */
	clv_param *win_from;     /* n entries: added to P[rival][brand] (owned) */
	long periods;            /* active in periods 0..periods-1; LONG_MAX =
	                            always. All offers of a scenario share it. */
	clv_pos pos;
} clv_offer;

typedef struct clv_correlation {
	char *a, *b;             /* assumption labels (owned) */
	double rho;              /* target rank correlation */
	clv_pos pos;
} clv_correlation;

/* The customer base (scenario key customer_base, docs/scenarios.md): the
   customers today and those acquired later, whose value is the equity. */
typedef struct clv_base {
	bool given;              /* customer_base was written */
	double customers;        /* N: customers at period 0 */
	clv_param acquired;      /* M: customers acquired at the start of each
	                            period t >= 1; fixed or a distribution
	                            drawn per replication (label
	                            "customer_base.acquired_per_period"); never
	                            one of scenario_params (it moves no CLV) */
	double *acquired_list;   /* M_1..M_L when given as a list per period,
	                            else NULL (owned) */
	size_t n_acquired_list;  /* L */
	double *acquired_initial; /* n: where new customers start; NULL =
	                            `initial` (owned) */
	clv_pos pos;             /* where customer_base was written */
} clv_base;

typedef struct clv_scenario clv_scenario;

struct clv_scenario {
	char *path;              /* file it came from (owned); the same block
	                            also holds the names of its `base:` files
	                            after the NUL ("top\0base1\0..."), so the
	                            pos.file of inherited values stays valid */
	size_t path_size;        /* bytes of that block, every NUL included */
	char *name;              /* `name:` or the file name (owned) */
	char *currency;          /* `currency:` unit of money in reports, e.g.
	                            "EUR"; "" when not given (owned) */
	size_t n;                /* number of states */
	char **states;           /* n state names (owned) */

	double *initial;         /* n, sums to 1 (owned) */
	clv_row *switching;      /* n rows (owned) */
	clv_param *retention;    /* n; kind meaningful where has_retention[i] */
	bool *has_retention;     /* n (owned) */

	long horizon;            /* T: periods 0..T valued (0 when infinite) */
	bool infinite;           /* horizon: infinite */
	char *period;            /* "period" unit name, e.g. "year" (owned) */
	double periods_per_year; /* 0 when the unit has no fixed length */
	clv_param discount;      /* rate as written (per period or annual) */
	bool discount_annual;    /* discount_rate: {annual: ...} */

	clv_param purchases;     /* F; fixed or DIST_POISSON per customer-period */
	clv_param *margin;       /* n (owned); money is bounded by 1e15 */
	clv_param *cost;         /* n: cost_per_period (owned) */
	clv_param *referral;     /* n: referral_value per period (owned) */
	clv_param acquisition;   /* acquisition_cost */
	clv_param spend_growth;  /* margin growth per period */

	clv_offer *offers;       /* campaigns and price discounts (owned) */
	size_t n_offers;

	clv_correlation *correlations; /* rank correlations (owned) */
	size_t n_correlations;

	clv_base base;           /* customer_base (base.given false: none) */

	clv_scenario **segments; /* customer tiers; each a full scenario (owned) */
	double *segment_weight;  /* sums to 1 (owned) */
	char **segment_name;     /* (owned) */
	size_t n_segments;       /* 0 = one homogeneous population */

	uint64_t customers;      /* default 10000 */
	uint64_t replications;   /* default 200 */
	uint64_t seed;           /* default 42 */
	bool has_seed;           /* seed given in the file */
};

/* ------------------------------------------------------------------ */
/* A model: one replication's assumptions as plain numbers.            */

typedef struct clv_model {
	size_t n;
	double *P;          /* n * n, base switching matrix (owned) */
	double *P_offer;    /* n * n, matrix while offers run (owned; equal to
	                       P when there are none) */
	long offer_periods; /* *_offer arrays apply to periods
	                       0..offer_periods-1; 0 = no offers; LONG_MAX =
	                       always */
	double *initial;    /* n (owned) */
	double *margin;     /* n, per purchase, after margin cuts (owned) */
	double *margin_offer; /* n, margin while offers run (owned) */
	double *cost;       /* n, per period, includes referral as -value (owned) */
	double *cost_offer; /* n, per period while offers run: the state's own
	                       cost to serve, the offers' cost excluded (owned) */
	double *offer_cost; /* n, per period while offers run: what the offers
	                       (campaign, price_discount `cost`) charge for a
	                       customer whose period starts in each state; kept
	                       apart from the states' CLV as offer spend (owned) */
	double discount;    /* per period rate r */
	double purchases;   /* F (the mean when poisson) */
	bool poisson;       /* F ~ Poisson(purchases) per customer-period */
	double growth;      /* margin grows by (1 + growth)^t */
	double acquisition;
	long horizon;
	bool infinite;
	/* the customer base (clv_base), for the equity: */
	bool has_base;
	double base_customers;   /* N */
	double acquired;         /* M at its mean (1 when given as a list: the
	                            list itself is the inflow) */
	const double *acquired_list; /* M_1..M_L or NULL (borrowed from the
	                            scenario, which outlives its models) */
	size_t n_acquired_list;
	double *acquired_initial; /* n: where new customers start (owned) */
} clv_model;

#endif /* CLVSIM_H */
