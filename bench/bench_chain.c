/*
 * bench_chain.c - customer-steps per second of clvsim's inner loop
 * (chain_run_block), against the hardware floor measured in the same run.
 *
 * What is timed, for each thread count (1 and 2 by default):
 *   floor            a bare loop: one PCG32 output per step (rng_next) and
 *                    a 3-state chain with integer thresholds (2 compares),
 *                    the state in a register, nothing accumulated but the
 *                    final states (summed into a volatile) - the reference
 *                    of the target (kernel >= half of it);
 *   floor4           the same with 4 customers interleaved (4 streams, 4
 *                    states): the bare loop when the dependency chains of
 *                    several customers overlap, as chain.c's lanes do;
 *                    shown for information, not the target's reference;
 *   kernel           chain_run_block on the textbook model (domain.md:
 *                    P = 0.7 0.2 0.1 / 0.1 0.8 0.1 / 0.25 0.15 0.6, initial
 *                    0.6 0.3 0.1, margin 500, discount 0.09, one purchase
 *                    per period), moments per state, no histograms;
 *   kernel + hist    the same with the n + 1 CLV histograms;
 *   engine           mc_run on the same scenario loaded from YAML text
 *                    (only when built with -DBENCH_ENGINE, i.e. when
 *                    the scenario stage and mc.c link).
 * Customer-steps = customers x (periods + 1) x purchases, the same count
 * for every row. Threads split the customers into MC_BLOCK blocks with an
 * OpenMP dynamic loop, each thread with its own chain_acc (as mc.c does).
 * Each timing is repeated and the best kept (shared, noisy machine).
 *
 * Invariant: the benchmark never times a wrong answer - every clvsim row
 * prints the mean CLV its customers earned in state A (the total is the
 * same for every customer here: one margin for all states), its standard
 * error and the exact figure (exact_run); run.sh flags rows more than 5
 * standard errors off.
 *
 * Output: one tab-separated line per row, "approach threads steps seconds
 * mean_A se_A exact_A" (the format numpy_chain.py and r_markovchain.R
 * print too);
 * run.sh turns them into the table of bench/README.md.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include <gsl/gsl_errno.h>

#include "engine/chain.h"
#include "engine/exact.h"
#include "engine/mc.h"
#include "engine/model.h"
#include "base/rng.h"
#include "base/stats.h"
#ifdef BENCH_ENGINE
#include "scenario/scenario.h"
#endif

#define N_STATES 3
#define SEED 20240607ULL
#define TWO32 4294967296.0

static const double textbook_P[N_STATES * N_STATES] = {
	0.70, 0.20, 0.10,
	0.10, 0.80, 0.10,
	0.25, 0.15, 0.60,
};
static const double textbook_initial[N_STATES] = {0.6, 0.3, 0.1};

typedef struct bench_opts {
	uint64_t customers;
	long periods;
	int repeat;
	int max_threads;
} bench_opts;

/* One row's result. */
typedef struct bench_row {
	double steps;       /* customer-steps of one pass */
	double seconds;     /* best of the repeats */
	double mean, se;    /* mean CLV in state A and its standard error; NAN for the floor */
} bench_row;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int thread_id(void)
{
#ifdef _OPENMP
	return omp_get_thread_num();
#else
	return 0;
#endif
}

/* ---- the model ----------------------------------------------------- */

/* The textbook model with the given horizon. NULL on allocation failure. */
static clv_model *textbook_model(long horizon)
{
	clv_model *m = model_create(N_STATES);
	size_t i;

	if (m == NULL)
		return NULL;
	memcpy(m->P, textbook_P, sizeof textbook_P);
	memcpy(m->P_offer, textbook_P, sizeof textbook_P);
	memcpy(m->initial, textbook_initial, sizeof textbook_initial);
	for (i = 0; i < N_STATES; i++) {
		m->margin[i] = 500.0;
		m->margin_offer[i] = 500.0;
	}
	m->discount = 0.09;
	m->purchases = 1.0;
	m->horizon = horizon;
	m->offer_periods = 0;
	return m;
}

/* Expected CLV earned in state A (index 0) from the exact engine; NAN on failure. */
static double exact_clv(const clv_model *m)
{
	clv_error err = {0};
	exact_result *ex = exact_run(m, 0, &err);
	double v = ex ? ex->clv[0] : (double)NAN;

	if (ex == NULL)
		fprintf(stderr, "bench_chain: exact engine failed: %s\n", err.msg);
	exact_free(ex);
	return v;
}

/* ---- the floor ----------------------------------------------------- */

/* One step of the bare chain: next state = number of thresholds <= u. */
static inline uint32_t floor_step(const uint64_t thr[N_STATES][N_STATES - 1], uint32_t x,
                                  uint64_t u)
{
	return (uint32_t)(u >= thr[x][0]) + (uint32_t)(u >= thr[x][1]);
}

/* count customers of `steps` steps each on one stream; their final states summed. */
static uint64_t floor_block(const uint64_t thr[N_STATES][N_STATES - 1], uint64_t block,
                            uint64_t count, long steps)
{
	rng_pcg32 r;
	uint64_t c, sum = 0;
	long s;

	rng_stream(&r, SEED, 0, block);
	for (c = 0; c < count; c++) {
		uint32_t x = 0;
		for (s = 0; s < steps; s++)
			x = floor_step(thr, x, rng_next(&r));
		sum += x;
	}
	return sum;
}

#define FLOOR_LANES 4

/* The same work with FLOOR_LANES customers in flight (independent
   streams and states, interleaved step by step): what the hardware can do
   when the dependency chains of several customers overlap. */
static uint64_t floor_block_lanes(const uint64_t thr[N_STATES][N_STATES - 1], uint64_t block,
                                  uint64_t count, long steps)
{
	rng_pcg32 r[FLOOR_LANES];
	uint32_t x[FLOOR_LANES];
	uint64_t c, sum = 0;
	long s;
	int l;

	for (l = 0; l < FLOOR_LANES; l++)
		rng_stream(&r[l], SEED, 1 + (uint64_t)l, block);
	for (c = 0; c + FLOOR_LANES <= count; c += FLOOR_LANES) {
		for (l = 0; l < FLOOR_LANES; l++)
			x[l] = 0;
		for (s = 0; s < steps; s++)
			for (l = 0; l < FLOOR_LANES; l++)
				x[l] = floor_step(thr, x[l], rng_next(&r[l]));
		for (l = 0; l < FLOOR_LANES; l++)
			sum += x[l];
	}
	return sum + floor_block(thr, block, count - c, steps);
}

static volatile uint64_t floor_sink;

static double time_floor(const bench_opts *o, int threads, bool lanes)
{
	uint64_t thr[N_STATES][N_STATES - 1];
	int64_t b, nblocks = (int64_t)((o->customers + MC_BLOCK - 1) / MC_BLOCK);
	uint64_t sum = 0;
	size_t i, j;
	double t0;

	for (i = 0; i < N_STATES; i++) {
		double cum = 0.0;
		for (j = 0; j + 1 < N_STATES; j++) {
			cum += textbook_P[i * N_STATES + j];
			thr[i][j] = (uint64_t)llround(cum * TWO32);
		}
	}
	t0 = now();
#pragma omp parallel for num_threads(threads) schedule(dynamic) reduction(+ : sum)
	for (b = 0; b < nblocks; b++) {
		uint64_t first = (uint64_t)b * MC_BLOCK;
		uint64_t cnt = o->customers - first < MC_BLOCK ? o->customers - first : MC_BLOCK;
		const uint64_t(*const t)[N_STATES - 1] = (const uint64_t(*)[N_STATES - 1])thr;
		sum += lanes ? floor_block_lanes(t, (uint64_t)b, cnt, o->periods + 1)
		             : floor_block(t, (uint64_t)b, cnt, o->periods + 1);
	}
	floor_sink += sum;
	return now() - t0;
}

/* ---- the kernel ---------------------------------------------------- */

static void acc_free(chain_acc *a, size_t n)
{
	size_t i;

	free(a->count);
	free(a->dead_from);
	free(a->sum);
	free(a->sumsq);
	if (a->hist)
		for (i = 0; i <= n; i++)
			stats_hist_free(a->hist[i]);
	free(a->hist);
	memset(a, 0, sizeof *a);
}

/* A thread's accumulators for tb, with histograms. 0, or -1 when out of memory. */
static int acc_init(chain_acc *a, const chain_table *tb)
{
	size_t n = tb->n, rows = (size_t)tb->periods + 1, i;

	memset(a, 0, sizeof *a);
	a->count = calloc(rows * n, sizeof *a->count);
	a->dead_from = calloc((rows + 1) * n, sizeof *a->dead_from);
	a->sum = calloc(n + 1, sizeof *a->sum);
	a->sumsq = calloc(n + 1, sizeof *a->sumsq);
	a->hist = calloc(n + 1, sizeof *a->hist);
	if (!a->count || !a->dead_from || !a->sum || !a->sumsq || !a->hist)
		return -1;
	for (i = 0; i <= n; i++)
		if ((a->hist[i] = stats_hist_create()) == NULL)
			return -1;
	return 0;
}

static void acc_reset(chain_acc *a, const chain_table *tb)
{
	size_t n = tb->n, i;

	memset(a->count, 0, (size_t)(tb->periods + 1) * n * sizeof *a->count);
	memset(a->sum, 0, (n + 1) * sizeof *a->sum);
	memset(a->sumsq, 0, (n + 1) * sizeof *a->sumsq);
	for (i = 0; i <= n; i++)
		stats_hist_reset(a->hist[i]);
}

/* Mean CLV in state A and its standard error over the threads' accumulators. */
static void acc_mean(const chain_acc *acc, int threads, uint64_t customers, bench_row *row)
{
	stats_ksum s = {0, 0}, ss = {0, 0};
	double N = (double)customers, mean, var;
	int k;

	for (k = 0; k < threads; k++) {
		stats_ksum_merge(&s, &acc[k].sum[0]);
		stats_ksum_merge(&ss, &acc[k].sumsq[0]);
	}
	mean = stats_ksum_value(&s) / N;
	var = (stats_ksum_value(&ss) - N * mean * mean) / (N - 1.0);
	row->mean = mean;
	row->se = sqrt(fmax(var, 0.0) / N);
}

/* One timed pass of chain_run_block over all customers. */
static double time_kernel(const chain_table *tb, chain_acc *acc, int threads,
                          uint64_t customers, bool hist)
{
	int64_t b, nblocks = (int64_t)((customers + MC_BLOCK - 1) / MC_BLOCK);
	stats_hist **saved[2];
	double t0;
	int k;

	for (k = 0; k < threads; k++) {
		acc_reset(&acc[k], tb);
		saved[k] = acc[k].hist;
		if (!hist)
			acc[k].hist = NULL;
	}
	t0 = now();
#pragma omp parallel for num_threads(threads) schedule(dynamic)
	for (b = 0; b < nblocks; b++) {
		uint64_t first = (uint64_t)b * MC_BLOCK;
		uint64_t cnt = customers - first < MC_BLOCK ? customers - first : MC_BLOCK;
		chain_run_block(tb, SEED, 0, first, cnt, &acc[thread_id()]);
	}
	t0 = now() - t0;
	for (k = 0; k < threads; k++)
		acc[k].hist = saved[k];
	return t0;
}

/* ---- the whole engine ---------------------------------------------- */

#ifdef BENCH_ENGINE
#define ENGINE_REPLICATIONS 16

/* The same model as a scenario file. NULL with a message on failure. */
static clv_scenario *textbook_scenario(long horizon)
{
	char text[512];
	clv_error err = {0};
	clv_scenario *s;

	snprintf(text, sizeof text,
	         "states: [A, B, C]\n"
	         "initial: [0.6, 0.3, 0.1]\n"
	         "switching:\n"
	         "  A: [0.70, 0.20, 0.10]\n"
	         "  B: [0.10, 0.80, 0.10]\n"
	         "  C: [0.25, 0.15, 0.60]\n"
	         "horizon: %ld\n"
	         "discount_rate: 0.09\n"
	         "margin: 500\n",
	         horizon);
	s = scenario_load_buffer("bench.yaml", text, strlen(text), &err);
	if (s == NULL)
		fprintf(stderr, "bench_chain: scenario: %s\n", err.msg);
	return s;
}

/* One timed mc_run; fills mean and se; negative on failure. */
static double time_engine(clv_scenario *s, const bench_opts *o, int threads, bench_row *row)
{
	clv_error err = {0};
	mc_config cfg;
	mc_result *r;
	double t0;

	mc_config_defaults(&cfg, s);
	cfg.seed = SEED;
	cfg.threads = threads;
	cfg.replications = ENGINE_REPLICATIONS;
	cfg.customers = o->customers / ENGINE_REPLICATIONS;
	t0 = now();
	r = mc_run(s, &cfg, &err);
	t0 = now() - t0;
	if (r == NULL) {
		fprintf(stderr, "bench_chain: mc_run: %s\n", err.msg);
		return -1.0;
	}
	/* mc_result.steps when the engine fills it, else the same count by hand */
	row->steps = r->steps ? (double)r->steps
	                      : (double)(cfg.replications * cfg.customers) * (double)(o->periods + 1);
	row->mean = r->clv[0].mean;
	row->se = r->clv[0].se;
	mc_free(r);
	return t0;
}
#endif

/* ---- driver -------------------------------------------------------- */

static void print_row(const char *name, int threads, const bench_row *row, double exact)
{
	printf("%s\t%d\t%.0f\t%.6f\t%.6f\t%.6f\t%.6f\n", name, threads, row->steps, row->seconds,
	       row->mean, row->se, exact);
	fflush(stdout);
}

static void keep_best(bench_row *row, double seconds)
{
	if (seconds >= 0 && (row->seconds < 0 || seconds < row->seconds))
		row->seconds = seconds;
}

/* The rows of one thread count. */
static void bench_threads(const bench_opts *o, const chain_table *tb, chain_acc *acc,
                          int threads, double exact, void *scenario)
{
	double steps = (double)o->customers * (double)(o->periods + 1) * tb->purchases;
	bench_row fl = {steps, -1, NAN, NAN}, fl4 = {steps, -1, NAN, NAN};
	bench_row k = {steps, -1, 0, 0}, kh = {steps, -1, 0, 0};
	bench_row en = {0, -1, 0, 0};
	int rep;

	for (rep = 0; rep < o->repeat; rep++) {
		keep_best(&fl, time_floor(o, threads, false));
		keep_best(&fl4, time_floor(o, threads, true));
		keep_best(&k, time_kernel(tb, acc, threads, o->customers, false));
		keep_best(&kh, time_kernel(tb, acc, threads, o->customers, true));
	}
	acc_mean(acc, threads, o->customers, &kh);
	k.mean = kh.mean; /* same streams, same customers: identical figures */
	k.se = kh.se;
	print_row("floor", threads, &fl, (double)NAN);
	print_row("floor4", threads, &fl4, (double)NAN);
	print_row("kernel", threads, &k, exact);
	print_row("kernel+hist", threads, &kh, exact);
#ifdef BENCH_ENGINE
	for (rep = 0; rep < o->repeat; rep++)
		keep_best(&en, time_engine(scenario, o, threads, &en));
	if (en.seconds > 0)
		print_row("engine", threads, &en, exact);
#else
	(void)en;
	(void)scenario;
	printf("# engine row skipped: bench_chain was built without mc_run/scenario_load_buffer\n");
#endif
}

static void usage(void)
{
	fprintf(stderr, "usage: bench_chain [-c customers] [-p periods] [-r repeats] [-t max_threads]\n");
	exit(2);
}

static void parse_opts(int argc, char **argv, bench_opts *o)
{
	int ch;

	o->customers = 100000;
	o->periods = 1000;
	o->repeat = 3;
	o->max_threads = 2;
	while ((ch = getopt(argc, argv, "c:p:r:t:")) != -1) {
		switch (ch) {
		case 'c': o->customers = strtoull(optarg, NULL, 10); break;
		case 'p': o->periods = strtol(optarg, NULL, 10); break;
		case 'r': o->repeat = atoi(optarg); break;
		case 't': o->max_threads = atoi(optarg); break;
		default: usage();
		}
	}
	if (o->customers < 2 || o->periods < 0 || o->periods > CLV_MAX_HORIZON || o->repeat < 1 ||
	    o->max_threads < 1 || o->max_threads > 2)
		usage();
}

int main(int argc, char **argv)
{
	bench_opts o;
	clv_error err = {0};
	clv_model *m = NULL;
	chain_table *tb = NULL;
	chain_acc acc[2];
	void *scenario = NULL;
	double exact;
	int threads, rc = 1;

	memset(acc, 0, sizeof acc);
	parse_opts(argc, argv, &o);
	gsl_set_error_handler_off();
	m = textbook_model(o.periods);
	if (m == NULL)
		goto cleanup;
	exact = exact_clv(m);
	tb = chain_table_create(m, chain_periods(m), &err);
	if (tb == NULL || acc_init(&acc[0], tb) != 0 || acc_init(&acc[1], tb) != 0)
		goto cleanup;
#ifdef BENCH_ENGINE
	scenario = textbook_scenario(o.periods);
#endif
	for (threads = 1; threads <= o.max_threads; threads++)
		bench_threads(&o, tb, acc, threads, exact, scenario);
	rc = 0;
cleanup:
	if (rc != 0)
		fprintf(stderr, "bench_chain: setup failed: %s\n", err.msg[0] ? err.msg : "out of memory");
#ifdef BENCH_ENGINE
	scenario_free(scenario);
#endif
	if (tb) {
		acc_free(&acc[0], tb->n);
		acc_free(&acc[1], tb->n);
	}
	chain_table_free(tb);
	model_free(m);
	return rc;
}
