/*
 * chain.h - the inner loop: customers walking the switching chain purchase
 * by purchase, earning margin and paying cost, with their CLV accumulated
 * per state. This is the product's hot path (bench/ measures it).
 *
 * A chain_table is a clv_model prepared for the loop: integer thresholds
 * per row instead of probabilities, discount factors per period, the
 * Poisson purchase-count table, absorbing states with nothing to earn.
 * A customer's CLV per state is its margin minus its own cost to serve
 * there; what the offers cost is its offer spend, and its total is the
 * states' sum minus offer spend minus acquisition.
 */
#ifndef CLV_CHAIN_H
#define CLV_CHAIN_H

#include <stdint.h>

#include "clvsim.h"
#include "base/diag.h"
#include "base/stats.h"

/* For an infinite horizon the walk stops at the first period whose
   discount factors are below this (truncation bias below 1e-10 of CLV
   times 1 / (1 - discount factor)). */
#define CHAIN_INFINITE_CUTOFF CLV_INFINITE_CUTOFF
/* An infinite horizon is walked up to the first period T after which
   the rest of any customer's CLV is at most this fraction of the largest
   CLV the model allows (chain_periods, chain_truncation_bound). */
#define CHAIN_TRUNCATION_TOLERANCE 1e-12

typedef struct chain_table {
	size_t n;
	long periods;        /* simulated periods 0..periods */
	long offer_periods;  /* phase 1 (offers) for t < offer_periods */
	uint64_t *init_thr;  /* n - 1 cumulative thresholds of `initial` in units of 2^-32 */
	uint64_t *thr[2];    /* [phase]: row i at thr + i * (n - 1) */
	double *margin[2];   /* [phase]: n, per purchase */
	double *cost[2];     /* [phase]: n, per period */
	double *grow_disc;   /* periods + 1: (1 + g)^t / (1 + r)^t */
	double *disc;        /* periods + 1: (1 + r)^-t */
	double *first;       /* (periods + 1) x n: what the first purchase of
	                        period t in state x adds, its cost included:
	                        margin (1+g)^t/(1+r)^t - cost (1+r)^-t (fixed F) */
	double *spend;       /* n: the offers' cost per period while they run
	                        (model offer_cost), booked as offer spend */
	double *forgone;     /* n: margin a price discount gives up per
	                        purchase while it runs, booked as offer spend
	                        (margin[1] is the full margin) */
	bool has_spend, has_forgone; /* some entry of spend, forgone is not 0 */
	uint32_t purchases;  /* fixed F when !poisson */
	bool poisson;
	uint64_t *poisson_thr; /* poisson_len cumulative thresholds of Poisson(F) */
	size_t poisson_len;
	bool *dead;          /* n: absorbing in phase 0 and its future known
	                        (fixed F, or no margin): a customer who lands
	                        there after the offer periods stops walking */
	double *tail;        /* (periods + 2) x n: what periods t..periods in
	                        state x add for a customer who stays there
	                        (phase 0; margins, costs, F purchases) */
	double acquisition;
} chain_table;

/* Accumulators of one block of customers (one replication). */
typedef struct chain_acc {
	uint64_t *count;     /* (periods + 1) * n: customers in state i at the
	                        start of period t (shared by the replication's
	                        blocks on one thread; integer, order-free) */
	uint32_t *dead_from; /* (periods + 2) * n scratch, zero between blocks */
	stats_ksum *sum;     /* n + 1: sum of customer CLV per state, total */
	stats_ksum *sumsq;   /* n + 1: sum of squares */
	stats_hist **hist;   /* n + 1 histograms (thread's own), or NULL */
	stats_ksum *spend;   /* 2: sum of the customers' offer spend and of its
	                        squares, or NULL (not kept) */
	uint64_t *below;     /* n + 2: customers whose CLV in state i (i = n:
	                        the total) is < 0, then [n + 1] those whose
	                        total is > 0 (earns back its acquisition and
	                        offer spend), or NULL (not kept) */
} chain_acc;

/* Bytes of a table for n states walking periods 0..periods. */
double chain_table_bytes(size_t n, long periods);

/* Allocate a table for m walking periods 0..periods (see chain_periods),
   filled by chain_table_fill. NULL with err set on failure. */
chain_table *chain_table_create(const clv_model *m, long periods, clv_error *err);
void chain_table_free(chain_table *tb);

/* Fill tb (created for a model of the same shape) from m: every part.
   Cost O(n^2 + n periods) with two exp() per period. */
void chain_table_fill(chain_table *tb, const clv_model *m);

/* The parts of a table a model's assumptions decide (for customers with
   their own assumptions, only the parts their draws touch are refilled):
   ROWS  the thresholds of the initial distribution and of both phases'
         rows, and the absorbing flags: O(n^2);
   MONEY margins and costs; the first-purchase rewards of the states
         whose margin or cost changed: O(periods) per such state;
   TIME  discount and growth factors (exp per period), then everything
         (the offer periods and the Poisson table included);
   the acquisition cost is always copied. */
enum { CHAIN_FILL_ROWS = 1u, CHAIN_FILL_MONEY = 2u, CHAIN_FILL_TIME = 4u, CHAIN_FILL_ALL = 7u };

/* Refill the given parts of tb from m; the other parts must already hold
   m's values (e.g. tb is a chain_table_copy of the replication's table
   and m differs from the replication's model only in those parts). */
void chain_table_refill(chain_table *tb, const clv_model *m, unsigned parts);

/* Copy every filled entry of src into dst (created with the same n,
   periods and purchase model). */
void chain_table_copy(chain_table *dst, const chain_table *src);

/* Number of periods the walk should cover for m: T, or for an infinite
   horizon the smallest T (at least the offer periods) whose truncation
   bound (chain_truncation_bound) is at most CHAIN_TRUNCATION_TOLERANCE
   times the same bound from period 0 (the largest |CLV| the model
   allows); CLV_MAX_HORIZON when none is. */
long chain_periods(const clv_model *m);

/* The same with tolerance tol instead of CHAIN_TRUNCATION_TOLERANCE. */
long chain_periods_within(const clv_model *m, double tol);

/* The truncation error of walking an infinite horizon only through
   periods 0..periods (>= the offer periods): the most the periods after
   it can add to a customer's CLV,
     sum_{t > periods} [ F max_x |margin_x| a_m^t + max_x |cost_x| a_c^t ]
     = F M a_m^(periods+1) / (1 - a_m) + C a_c^(periods+1) / (1 - a_c),
   a_m = (1 + g) / (1 + r), a_c = 1 / (1 + r), margins and costs of the
   base phase (F the mean for Poisson purchases: a bound in expectation).
   0 for a finite horizon; infinity when a_m or a_c is not below 1. */
double chain_truncation_bound(const clv_model *m, long periods);

/* Simulate customers first .. first + count - 1 of replication rep,
   each on its own PCG stream (rng_stream(seed, rep, customer)), adding to
   acc. Adds the dead_from counts into acc->count and clears them. Runs on
   the instruction set chain_isa_get names when the table has at most 8
   states and a fixed number of purchases, else on the general path; the
   same bits either way. */
void chain_run_block(const chain_table *tb, uint64_t seed, uint64_t rep, uint64_t first,
                     uint64_t count, chain_acc *acc);

/* The same on the general path: CHAIN_LANES customers in flight, any
   table. chain_run_block takes it for tables the lock-step kernels do not
   (Poisson purchases, more than 8 states); tests compare with it. */
void chain_run_block_general(const chain_table *tb, uint64_t seed, uint64_t rep, uint64_t first,
                             uint64_t count, chain_acc *acc);

/* Simulate one customer whose own stream r is already positioned (used
   for customers with their own drawn assumptions). */
struct rng_pcg32;
void chain_run_customer(const chain_table *tb, struct rng_pcg32 *r, chain_acc *acc);

/* Customers in flight per thread on the general path (chain.c), and the
   order every path records customers into the sums: the order in which
   CHAIN_LANES round-robin lanes finish them. */
#define CHAIN_LANES 4

/* The instruction sets chain_run_block can walk customers with (chain.c,
   kernel.h): the same results, bit for bit, on every one. */
typedef enum chain_isa { CHAIN_ISA_SCALAR = 0, CHAIN_ISA_AVX2, CHAIN_ISA_AVX512 } chain_isa;
#define CHAIN_ISA_COUNT 3

/* "scalar", "avx2", "avx512". */
const char *chain_isa_name(chain_isa isa);

/* Whether this processor (and build) can run isa. */
bool chain_isa_supported(chain_isa isa);

/* The fastest supported instruction set. */
chain_isa chain_isa_best(void);

/* Choose the path from the environment: CLVSIM_ISA=scalar|avx2|avx512
   forces one, unset or empty takes chain_isa_best. CLV_ERR_INPUT with err
   set for an unknown name or a path this processor cannot run (the path
   is then left unchanged). Called once by the command line before any
   work; chain_run_block calls it on first use when nobody did (and exits
   with status 2 on a bad value). */
clv_status chain_isa_init(clv_error *err);

/* Force a supported path (tests and benchmarks); the current one. */
void chain_isa_set(chain_isa isa);
chain_isa chain_isa_get(void);

/* Make tables[lane] the table of `customer` and position *walk at the
   start of its walk's stream. */
typedef void (*chain_prepare)(void *ctx, int lane, uint64_t customer, struct rng_pcg32 *walk);

/* Simulate customers first .. first + count - 1, each with a table of
   its own (customers with their own assumptions) on the general path:
   lane l walks tables[l] (CHAIN_LANES of them, the same n and periods,
   equal copies at the start), prepared by prepare before each customer
   it takes; prepare refills only the parts `refill` (CHAIN_FILL_*) and
   its result must depend on the customer only. Customers whose own
   draws decide only rows (and the acquisition cost) go faster through
   chain_run_own. */
void chain_run_lanes(chain_table *const *tables, unsigned refill, chain_prepare prepare, void *ctx,
                     uint64_t first, uint64_t count, chain_acc *acc);

/* The rows the customers of a block have of their own, beside a table
   whose every other part (and every other row) they share: a struct of
   arrays, one column per (phase, own row, threshold), one entry per
   customer of the block (index c from its first customer), filled by
   chain_own_set_row and chain_own_set_acquisition. */
typedef struct chain_own {
	size_t n;                 /* states */
	size_t n_rows[2];         /* own rows of phase 0 (P) and 1 (P_offer) */
	size_t row[2][CLV_MAX_STATES]; /* their states, ascending */
	int slot[2][CLV_MAX_STATES];   /* row x's place in row[ph], or -1: the table's */
	uint64_t own_dead;        /* bit x: row x of phase 0 is own (its absorbing flag too) */
	size_t cap;               /* customers it holds */
	size_t stride;            /* entries per column: cap rounded up to CHAIN_OWN_ROUND */
	uint64_t *thr;            /* column (ph, r, j) at chain_own_column */
	uint64_t *dead;           /* per customer: bit x when its own row x absorbs */
	double *acquisition;      /* per customer */
	uint64_t *lane_thr;       /* scratch of the general path: each lane's rows */
} chain_own;

/* Columns are padded to a multiple of this (the widest kernel group), so
   a vector kernel may read a whole group past the block's last customer. */
#define CHAIN_OWN_ROUND 32

/* Threshold j of own row r of phase ph, for customer 0 (customer c at
   [c]). */
static inline const uint64_t *chain_own_column(const chain_own *own, int ph, size_t r, size_t j)
{
	return own->thr + ((ph ? own->n_rows[0] : 0) + r) * (own->n - 1) * own->stride + j * own->stride;
}

/* Room for cap customers of a table of n states whose rows own[0][x]
   (P) and own[1][x] (P_offer) are the customers' own; own[0] implies
   own[1]. NULL when out of memory. */
chain_own *chain_own_create(size_t n, const bool *own0, const bool *own1, size_t cap);
void chain_own_free(chain_own *own);

/* Bytes of chain_own_create(n, ..., cap) at most (every row own). */
double chain_own_bytes(size_t n, size_t cap);

/* Customer c's own row x of phase ph (an own row) from its probabilities
   p[0 .. n - 1]: the thresholds (and, for phase 0, the absorbing flag)
   chain_table_fill makes of them for tb. */
void chain_own_set_row(chain_own *own, const chain_table *tb, uint64_t c, int ph, size_t x,
                       const double *p);

/* Customer c's acquisition cost. */
static inline void chain_own_set_acquisition(chain_own *own, uint64_t c, double acquisition)
{
	own->acquisition[c] = acquisition;
}

/* Simulate customers first .. first + count - 1 (count <= own->cap) of
   replication rep on the streams of chain_run_block, each walking tb
   with its own rows and acquisition cost from own; the lock-step path
   when tb fits it (chain_isa_get names the kernel), else the general
   one (chain_run_own_general): the same bits. */
void chain_run_own(const chain_table *tb, const chain_own *own, uint64_t seed, uint64_t rep,
                   uint64_t first, uint64_t count, chain_acc *acc);

/* The same on the general path (tests compare with it). */
void chain_run_own_general(const chain_table *tb, const chain_own *own, uint64_t seed,
                           uint64_t rep, uint64_t first, uint64_t count, chain_acc *acc);

/* Fold acc->dead_from into acc->count (prefix sums) and clear it. */
void chain_acc_flush(const chain_table *tb, chain_acc *acc);

#endif
