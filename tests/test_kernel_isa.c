/*
 * test_kernel_isa.c - the inner loop gives the same bytes on every path
 * (sim/engine/chain.c, kernel_*.c): the portable scalar lock-step kernel,
 * AVX2 and AVX-512 each against the four-lane general path
 * (chain_run_block_general) on blocks of many shapes (1 to 8 states,
 * absorbing states, offers with spend and forgone margin, several
 * purchases per period, block sizes that do not fill a vector group,
 * shipped scenarios) and with rows of the customers' own (chain_run_own
 * against per-customer tables on the general path, chain_run_lanes):
 * state counts, compensated sums and sums of squares,
 * histograms, offer spend and sign counts compared with memcmp. Then the
 * whole engine (mc_run) and the binary (`clvsim run`, JSON and the CSV
 * tables of --out) under each CLVSIM_ISA and 1 and 2 threads, byte for
 * byte; the vector lanes' draws against the C++ reference PCG32
 * (tests/pcg_ref.cpp); and CLVSIM_ISA values that must be refused. A path
 * this processor lacks is skipped with the reason printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "base/rng.h"
#include "engine/chain.h"
#include "engine/model.h"
#include "scenario/scenario.h"
#include "test_helpers.h"

/* tests/pcg_ref.cpp: n outputs of pcg32(initstate, initseq) after advance(delta). */
void pcgref_outputs(uint64_t initstate, uint64_t initseq, uint64_t delta, uint32_t *out,
                    size_t n);

/* ------------------------------------------------------------------ */
/* Accumulators.                                                       */

typedef struct accs {
	chain_acc a;
	stats_ksum spend[2];
	uint64_t below[CLV_MAX_STATES + 2];
	size_t n;
	long periods;
} accs;

static void accs_init(accs *x, const chain_table *tb)
{
	size_t n = tb->n, i;

	memset(x, 0, sizeof *x);
	x->n = n;
	x->periods = tb->periods;
	x->a.count = calloc((size_t)(tb->periods + 1) * n, sizeof *x->a.count);
	x->a.dead_from = calloc((size_t)(tb->periods + 2) * n, sizeof *x->a.dead_from);
	x->a.sum = calloc(n + 1, sizeof *x->a.sum);
	x->a.sumsq = calloc(n + 1, sizeof *x->a.sumsq);
	x->a.hist = calloc(n + 1, sizeof *x->a.hist);
	assert_true(x->a.count && x->a.dead_from && x->a.sum && x->a.sumsq && x->a.hist);
	for (i = 0; i <= n; i++)
		assert_non_null(x->a.hist[i] = stats_hist_create());
	x->a.spend = x->spend;
	x->a.below = x->below;
}

static void accs_free(accs *x)
{
	size_t i;

	for (i = 0; i <= x->n; i++)
		stats_hist_free(x->a.hist[i]);
	free(x->a.hist);
	free(x->a.count);
	free(x->a.dead_from);
	free(x->a.sum);
	free(x->a.sumsq);
}

/* Every accumulator of a and b equal, byte for byte (what names the case). */
static void accs_same(const accs *a, const accs *b, const char *what)
{
	size_t n = a->n, i;
	bool same = true;

	same = same && memcmp(a->a.count, b->a.count, (size_t)(a->periods + 1) * n * 8) == 0;
	same = same && memcmp(a->a.sum, b->a.sum, (n + 1) * sizeof *a->a.sum) == 0;
	same = same && memcmp(a->a.sumsq, b->a.sumsq, (n + 1) * sizeof *a->a.sumsq) == 0;
	same = same && memcmp(a->spend, b->spend, sizeof a->spend) == 0;
	same = same && memcmp(a->below, b->below, sizeof a->below) == 0;
	for (i = 0; i <= n; i++)
		same = same && memcmp(a->a.hist[i], b->a.hist[i], sizeof(stats_hist)) == 0;
	/* dead_from is scratch: zero again after every block */
	for (i = 0; i < (size_t)(a->periods + 2) * n; i++)
		same = same && b->a.dead_from[i] == 0;
	if (!same)
		print_error("%s: the accumulators differ from the general path\n", what);
	assert_true(same);
}

/* ------------------------------------------------------------------ */
/* Models.                                                             */

/* A random model of n states: rows with some zero entries, state n - 1
   absorbing when `absorb` (no margin: it stops walking), offers for the
   first offer_periods periods with a cost and a price cut, F purchases. */
static clv_model *random_model(size_t n, unsigned seed, long horizon, bool absorb, long offer_periods,
                               double purchases)
{
	clv_model *m = model_create(n);
	rng_pcg32 r;
	size_t i, j;

	assert_non_null(m);
	rng_seed(&r, seed, 77);
	for (i = 0; i < n; i++) {
		double sum = 0.0, *row = m->P + i * n, *off = m->P_offer + i * n;
		for (j = 0; j < n; j++)
			sum += row[j] = rng_uniform(&r) < 0.2 ? 0.0 : rng_uniform(&r);
		if (sum == 0.0)
			row[i] = sum = 1.0;
		for (j = 0; j < n; j++)
			row[j] /= sum;
		for (j = 0; j < n; j++)
			off[j] = 0.5 * row[j] + (j == 0 ? 0.5 : 0.0);
		m->initial[i] = 1.0 / (double)n;
		m->margin[i] = 10.0 + 90.0 * rng_uniform(&r);
		m->margin_offer[i] = offer_periods > 0 ? 0.8 * m->margin[i] : m->margin[i];
		m->cost[i] = 5.0 * rng_uniform(&r);
		m->cost_offer[i] = m->cost[i] + 1.0;
		m->offer_cost[i] = offer_periods > 0 ? 2.0 + (double)i : 0.0;
	}
	if (absorb && n > 1) {
		for (j = 0; j < n; j++)
			m->P[(n - 1) * n + j] = m->P_offer[(n - 1) * n + j] = j == n - 1 ? 1.0 : 0.0;
		m->margin[n - 1] = m->margin_offer[n - 1] = 0.0;
	}
	m->offer_periods = offer_periods;
	m->discount = 0.04;
	m->growth = 0.01;
	m->purchases = purchases;
	m->acquisition = 25.0;
	m->horizon = horizon;
	return m;
}

static chain_table *table_of(const clv_model *m)
{
	clv_error err = {0};
	chain_table *tb = chain_table_create(m, chain_periods(m), &err);

	if (tb == NULL)
		print_error("chain_table_create: %s\n", err.msg);
	assert_non_null(tb);
	return tb;
}

/* ------------------------------------------------------------------ */
/* Every path against the general one.                                 */

/* Skip (printing why) unless this processor runs isa. */
static void need(chain_isa isa)
{
	if (!chain_isa_supported(isa)) {
		print_message("skipped: this processor cannot run the %s path\n", chain_isa_name(isa));
		skip();
	}
}

static const uint64_t block_sizes[] = {1, 3, 8, 31, 33, 100, 2048, 2500};

/* Blocks of tb of several sizes and first customers: isa against the general path. */
static void compare_table(const chain_table *tb, chain_isa isa, const char *what)
{
	size_t b;

	for (b = 0; b < sizeof block_sizes / sizeof *block_sizes; b++) {
		accs ref, got;
		char label[160];
		accs_init(&ref, tb);
		accs_init(&got, tb);
		/* two blocks into the same accumulators, as a thread does */
		chain_run_block_general(tb, 2027, 3, 0, block_sizes[b], &ref.a);
		chain_run_block_general(tb, 2027, 3, 4096 + block_sizes[b], block_sizes[b], &ref.a);
		chain_isa_set(isa);
		assert_int_equal(chain_isa_get(), isa);
		chain_run_block(tb, 2027, 3, 0, block_sizes[b], &got.a);
		chain_run_block(tb, 2027, 3, 4096 + block_sizes[b], block_sizes[b], &got.a);
		snprintf(label, sizeof label, "%s, %s path, blocks of %llu", what, chain_isa_name(isa),
		         (unsigned long long)block_sizes[b]);
		accs_same(&ref, &got, label);
		accs_free(&ref);
		accs_free(&got);
	}
	chain_isa_set(chain_isa_best());
}

static void compare_models(chain_isa isa)
{
	static const char *const shipped[] = {"textbook",     "brand_a",   "retention_campaign",
	                                      "discount_offer", "lifecycle", "customer_pyramid",
	                                      "loyal_customer"};
	size_t n, i;
	char what[128];

	for (n = 1; n <= 9; n++) {
		/* every shape: plain, absorbing, offers, several purchases */
		const struct {
			bool absorb;
			long offers;
			double purchases;
			long horizon;
		} shape[] = {{false, 0, 1.0, 20}, {true, 0, 1.0, 60}, {true, 5, 1.0, 30},
		             {true, 3, 3.0, 12},  {false, 0, 2.0, 0}, {true, 0, 1.0, 1}};
		for (i = 0; i < sizeof shape / sizeof *shape; i++) {
			clv_model *m = random_model(n, (unsigned)(10 * n + i), shape[i].horizon,
			                            shape[i].absorb, shape[i].offers, shape[i].purchases);
			chain_table *tb = table_of(m);
			snprintf(what, sizeof what, "%zu states, shape %zu", n, i);
			compare_table(tb, isa, what);
			chain_table_free(tb);
			model_free(m);
		}
	}
	for (i = 0; i < sizeof shipped / sizeof *shipped; i++) {
		clv_model *m = th_model(shipped[i]);
		chain_table *tb = table_of(m);
		compare_table(tb, isa, shipped[i]);
		chain_table_free(tb);
		model_free(m);
	}
}

static void scalar_matches_general(void **state)
{
	(void)state;
	compare_models(CHAIN_ISA_SCALAR);
}

static void avx2_matches_general(void **state)
{
	(void)state;
	need(CHAIN_ISA_AVX2);
	compare_models(CHAIN_ISA_AVX2);
}

static void avx512_matches_general(void **state)
{
	(void)state;
	need(CHAIN_ISA_AVX512);
	compare_models(CHAIN_ISA_AVX512);
}

/* ------------------------------------------------------------------ */
/* Customers with rows of their own (chain_run_own).                   */

/* Customer c's own row x: the base row moved toward state (c + x) % n by
   a draw w of the customer's own stream, and made absorbing (all on x)
   for about one customer in eight; its acquisition cost 25 + c % 7. */
static void own_row_of(const double *base, size_t n, size_t x, uint64_t c, int ph, double *p)
{
	rng_pcg32 r;
	double w;
	size_t j;

	rng_keyed_stream(&r, 31, 12345 + (uint64_t)(ph * 64) + x, 2, c);
	w = rng_uniform(&r);
	for (j = 0; j < n; j++)
		p[j] = base[j] * (1.0 - w);
	p[(c + x) % n] += w;
	if (rng_uniform(&r) < 0.125)
		for (j = 0; j < n; j++)
			p[j] = j == x ? 1.0 : 0.0;
}

/* Which rows are own in a case: own[0] (P) of the first shape, own[1]
   (P_offer) adds one more. */
typedef struct own_shape {
	bool own[2][CLV_MAX_STATES];
} own_shape;

static own_shape own_shape_of(size_t n, unsigned which)
{
	own_shape sh;
	size_t x;

	memset(&sh, 0, sizeof sh);
	for (x = 0; x < n; x++) {
		/* 0: one row; 1: every other row; 2: every row */
		sh.own[0][x] = which == 0 ? x == n / 2 : which == 1 ? x % 2 == 0 : true;
		sh.own[1][x] = sh.own[0][x] || x + 1 == n;
	}
	return sh;
}

/* The general path's way (chain_run_lanes): each customer's rows put into
   a model, its table refilled from it. */
typedef struct own_lanes {
	const clv_model *base;
	clv_model *m[CHAIN_LANES];
	chain_table *const *tables;
	own_shape sh;
	uint64_t seed, rep;
} own_lanes;

static void own_prepare(void *data, int lane, uint64_t c, rng_pcg32 *walk)
{
	own_lanes *o = data;
	clv_model *m = o->m[lane];
	size_t n = m->n, x;
	int ph;

	model_copy(m, o->base);
	for (ph = 0; ph < 2; ph++)
		for (x = 0; x < n; x++)
			if (o->sh.own[ph][x])
				own_row_of((ph ? o->base->P_offer : o->base->P) + x * n, n, x, c - 500, ph,
				           (ph ? m->P_offer : m->P) + x * n);
	m->acquisition = 25.0 + (double)((c - 500) % 7);
	chain_table_refill(o->tables[lane], m, CHAIN_FILL_ROWS);
	rng_stream(walk, o->seed, o->rep, c);
}

static void own_rows_case(const clv_model *base, unsigned which, uint64_t count, const char *what)
{
	const size_t n = base->n;
	own_shape sh = own_shape_of(n, which);
	chain_table *tab[CHAIN_LANES], *tb = table_of(base);
	chain_own *own = chain_own_create(n, sh.own[0], sh.own[1], count);
	accs ref, gen, got;
	own_lanes o;
	double p[CLV_MAX_STATES];
	uint64_t c;
	size_t x;
	int l, ph, isa;

	assert_non_null(own);
	for (l = 0; l < CHAIN_LANES; l++)
		tab[l] = table_of(base);
	memset(&o, 0, sizeof o);
	o.base = base;
	o.tables = tab;
	o.sh = sh;
	o.seed = 31;
	o.rep = 2;
	for (l = 0; l < CHAIN_LANES; l++)
		assert_non_null(o.m[l] = model_create(n));
	for (c = 0; c < count; c++) {
		for (ph = 0; ph < 2; ph++)
			for (x = 0; x < n; x++)
				if (sh.own[ph][x]) {
					own_row_of((ph ? base->P_offer : base->P) + x * n, n, x, c, ph, p);
					chain_own_set_row(own, tb, c, ph, x, p);
				}
		chain_own_set_acquisition(own, c, 25.0 + (double)(c % 7));
	}
	accs_init(&ref, tb);
	accs_init(&gen, tb);
	chain_run_lanes(tab, CHAIN_FILL_ROWS, own_prepare, &o, 500, count, &ref.a);
	chain_run_own_general(tb, own, 31, 2, 500, count, &gen.a);
	accs_same(&ref, &gen, what);
	for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
		char label[200];
		if (!chain_isa_supported((chain_isa)isa))
			continue;
		accs_init(&got, tb);
		chain_isa_set((chain_isa)isa);
		chain_run_own(tb, own, 31, 2, 500, count, &got.a);
		chain_isa_set(chain_isa_best());
		snprintf(label, sizeof label, "%s, %s path", what, chain_isa_name((chain_isa)isa));
		accs_same(&ref, &got, label);
		accs_free(&got);
	}
	accs_free(&ref);
	accs_free(&gen);
	for (l = 0; l < CHAIN_LANES; l++) {
		model_free(o.m[l]);
		chain_table_free(tab[l]);
	}
	chain_table_free(tb);
	chain_own_free(own);
}

/* Every path (the lock-step kernels of this processor, chain_run_own's
   general path) against per-customer tables on the general path, for
   models of 2 to 9 states (9: only the general path), plain or
   absorbing with offers, one, half or every row own, blocks of 77 and
   2048 customers. */
static void own_rows_match_general(void **state)
{
	size_t n, i;
	unsigned which;
	char what[128];

	(void)state;
	for (n = 2; n <= 9; n++) {
		const bool absorb[] = {false, true};
		for (i = 0; i < 2; i++) {
			clv_model *m = random_model(n, (unsigned)(7 * n + i), 40, absorb[i], i ? 4 : 0, 1.0);
			for (which = 0; which < 3; which++) {
				snprintf(what, sizeof what, "own rows, %zu states, %s, shape %u", n,
				         absorb[i] ? "absorbing, offers" : "plain", which);
				own_rows_case(m, which, 77, what);
				if (n % 3 == 2)
					own_rows_case(m, which, 2048, what);
			}
			model_free(m);
		}
	}
}

/* ------------------------------------------------------------------ */
/* The lanes' draws against the reference generator.                   */

static uint64_t splitmix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30u)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27u)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31u);
}

#define DRAW_CUSTOMERS 77 /* more than two groups of 32 lanes, a partial third */
#define DRAW_PERIODS 40

/* Eight states, every row and the initial distribution uniform: the state
   a customer is in after draw u is u >> 29 (thresholds (j + 1) 2^29), so
   the state counts of period t are the histogram of the top three bits of
   every customer's draw t, which pcg32 of pcg_random.hpp gives for the
   stream of rng.h (initstate splitmix64(seed ^ splitmix64(rep)), initseq
   the customer). */
static void draws_of(chain_isa isa)
{
	clv_model *m = model_create(8);
	chain_table *tb;
	accs got;
	uint64_t want[(DRAW_PERIODS + 1) * 8] = {0};
	uint32_t u[DRAW_PERIODS + 1];
	const uint64_t seed = 99, rep = 5, first = 1000;
	size_t i, j;
	uint64_t c;
	long t;

	assert_non_null(m);
	for (i = 0; i < 8; i++) {
		for (j = 0; j < 8; j++)
			m->P[i * 8 + j] = m->P_offer[i * 8 + j] = 0.125;
		m->initial[i] = 0.125;
		m->margin[i] = m->margin_offer[i] = 1.0;
	}
	m->horizon = DRAW_PERIODS;
	m->purchases = 1.0;
	tb = table_of(m);
	for (c = first; c < first + DRAW_CUSTOMERS; c++) {
		pcgref_outputs(splitmix64(seed ^ splitmix64(rep)), c, 0, u, DRAW_PERIODS + 1);
		for (t = 0; t <= DRAW_PERIODS; t++)
			want[(size_t)t * 8 + (u[t] >> 29)]++;
	}
	accs_init(&got, tb);
	chain_isa_set(isa);
	chain_run_block(tb, seed, rep, first, DRAW_CUSTOMERS, &got.a);
	chain_isa_set(chain_isa_best());
	for (t = 0; t <= DRAW_PERIODS; t++)
		for (i = 0; i < 8; i++)
			assert_int_equal(got.a.count[(size_t)t * 8 + i], want[(size_t)t * 8 + i]);
	accs_free(&got);
	chain_table_free(tb);
	model_free(m);
}

static void scalar_draws_are_pcg32(void **state)
{
	(void)state;
	draws_of(CHAIN_ISA_SCALAR);
}

static void avx2_draws_are_pcg32(void **state)
{
	(void)state;
	need(CHAIN_ISA_AVX2);
	draws_of(CHAIN_ISA_AVX2);
}

static void avx512_draws_are_pcg32(void **state)
{
	(void)state;
	need(CHAIN_ISA_AVX512);
	draws_of(CHAIN_ISA_AVX512);
}

/* ------------------------------------------------------------------ */
/* The engine: mc_run under every path and 1 and 2 threads.            */

/* Customers with their own rows (mc_hetero.h's rows path): retention per
   customer from beta shapes above and below 1, a campaign whose uplift is
   each customer's own, a state that absorbs. */
static const char own_rows_market[] =
	"states: [A, B, C, lost]\n"
	"initial: [0.6, 0.3, 0.1, 0]\n"
	"switching:\n"
	"  A: [0.70, 0.15, 0.10, 0.05]\n"
	"  B: [0.10, 0.75, 0.10, 0.05]\n"
	"  C: [0.25, 0.15, 0.55, 0.05]\n"
	"  lost: [0, 0, 0, 1]\n"
	"retention: {A: {dist: beta, a: 70, b: 30, per: customer},\n"
	"            C: {dist: beta, a: 0.6, b: 0.9, per: customer}}\n"
	"campaign: {brand: A, cost: 2, periods: 5,\n"
	"           retention_uplift: {dist: uniform, min: 0, max: 0.1, per: customer}}\n"
	"horizon: 40\ndiscount_rate: 0.09\n"
	"margin: {A: 500, B: 300, C: 200, lost: 0}\n";

static void engine_same_on_every_path(void **state)
{
	static const char *const names[] = {"textbook", "brand_a", "retention_campaign",
	                                    "uncertain_retention", "customer_pyramid", NULL};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof names / sizeof *names; k++) {
		clv_scenario *s = names[k] ? th_scenario(names[k]) : th_load_text("own.yaml", own_rows_market);
		mc_result *ref = NULL;
		int isa, threads;
		for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
			if (!chain_isa_supported((chain_isa)isa)) {
				print_message("%s path not on this processor: not compared\n",
				              chain_isa_name((chain_isa)isa));
				continue;
			}
			for (threads = 1; threads <= 2; threads++) {
				mc_config cfg;
				mc_result *r;
				size_t i;
				th_mc_config(&cfg, s, 6, 1500, threads);
				chain_isa_set((chain_isa)isa);
				r = th_mc_run(s, &cfg);
				if (ref == NULL) {
					ref = r;
					continue;
				}
				for (i = 0; i <= s->n; i++)
					if (memcmp(&ref->clv[i], &r->clv[i], sizeof r->clv[i]) != 0) {
						print_error("%s: clv[%zu] differs on the %s path at %d threads\n",
						            names[k] ? names[k] : "own rows", i, chain_isa_name((chain_isa)isa), threads);
						fail();
					}
				mc_free(r);
			}
		}
		chain_isa_set(chain_isa_best());
		mc_free(ref);
		scenario_free(s);
	}
}

/* ------------------------------------------------------------------ */
/* The binary: JSON and CSV byte for byte under every CLVSIM_ISA.      */

/* The CSV files of dir, concatenated with their names (free it). */
static char *csv_of(const char *dir)
{
	char *names = th_list_dir(dir), *all = NULL, *line, *save = NULL;
	size_t len = 0;

	for (line = strtok_r(names, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		char path[1024];
		size_t flen = 0, nl = strlen(line);
		char *text;
		if (nl < 4 || strcmp(line + nl - 4, ".csv") != 0)
			continue;
		text = th_read_file(th_path(path, sizeof path, dir, line), &flen);
		assert_non_null(text);
		all = realloc(all, len + nl + flen + 3);
		assert_non_null(all);
		memcpy(all + len, line, nl);
		all[len + nl] = '\n';
		memcpy(all + len + nl + 1, text, flen);
		len += nl + 1 + flen;
		all[len] = '\0';
		free(text);
	}
	free(names);
	assert_non_null(all);
	return all;
}

/* `"threads": 2` put back to 1 (the one line the thread count may change). */
static void threads_as_one(char *json)
{
	char *p = strstr(json, "\"threads\": 2");

	if (p != NULL)
		p[strlen("\"threads\": ")] = '1';
}

static void binary_same_on_every_path(void **state)
{
	static const char *const files[] = {"scenarios/textbook.yaml", "scenarios/brand_a.yaml",
	                                    "scenarios/discount_offer.yaml",
	                                    "scenarios/uncertain_retention.yaml",
	                                    "scenarios/lifecycle.yaml",
	                                    "tests/data/good/retention.yaml",
	                                    "tests/data/good/distributions.yaml"};
	size_t f;

	(void)state;
	for (f = 0; f < sizeof files / sizeof *files; f++) {
		char *ref_json = NULL, *ref_csv = NULL;
		int isa, threads;
		for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
			if (!chain_isa_supported((chain_isa)isa))
				continue;
			for (threads = 1; threads <= 2; threads++) {
				char *dir = th_tmpdir("isa"), tstr[16], *csv;
				th_child c;
				snprintf(tstr, sizeof tstr, "%d", threads);
				setenv("CLVSIM_ISA", chain_isa_name((chain_isa)isa), 1);
				TH_RUN(&c, "run", files[f], "--format", "json", "--customers", "3000",
				       "--replications", "6", "--seed", "7", "--quiet", "--threads", tstr,
				       "--out", dir, "--plot", "none");
				unsetenv("CLVSIM_ISA");
				th_expect_exit(&c, 0);
				threads_as_one(c.out);
				csv = csv_of(dir);
				th_tmpdir_remove(dir);
				if (ref_json == NULL) {
					ref_json = strdup(c.out);
					ref_csv = csv;
				} else {
					char what[160];
					snprintf(what, sizeof what, "%s on the %s path at %d threads", files[f],
					         chain_isa_name((chain_isa)isa), threads);
					th_expect_same_text("scalar at 1 thread", ref_json, strlen(ref_json), what,
					                    c.out, strlen(c.out));
					th_expect_same_text("scalar at 1 thread (CSV)", ref_csv, strlen(ref_csv),
					                    what, csv, strlen(csv));
					free(csv);
				}
				th_child_free(&c);
			}
		}
		free(ref_json);
		free(ref_csv);
	}
}

/* ------------------------------------------------------------------ */
/* Refused values.                                                     */

static void bad_isa_refused(void **state)
{
	static const char *const bad[] = {"sse9", "AVX2", "avx512 ", "scalar,avx2"};
	size_t i;
	int isa;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		th_child c;
		setenv("CLVSIM_ISA", bad[i], 1);
		TH_RUN(&c, "run", "scenarios/textbook.yaml", "--customers", "100", "--replications",
		       "2", "--quiet");
		unsetenv("CLVSIM_ISA");
		th_expect_exit(&c, 2);
		assert_non_null(strstr(c.err, "CLVSIM_ISA"));
		assert_non_null(strstr(c.err, "unknown instruction set"));
		assert_int_equal(c.out_len, 0);
		th_child_free(&c);
	}
	for (isa = 0; isa < CHAIN_ISA_COUNT; isa++) {
		th_child c;
		if (chain_isa_supported((chain_isa)isa))
			continue;
		setenv("CLVSIM_ISA", chain_isa_name((chain_isa)isa), 1);
		TH_RUN(&c, "run", "scenarios/textbook.yaml", "--customers", "100", "--replications",
		       "2", "--quiet");
		unsetenv("CLVSIM_ISA");
		th_expect_exit(&c, 2);
		assert_non_null(strstr(c.err, "cannot run"));
		th_child_free(&c);
	}
	/* and in the library: an unknown name leaves the path unchanged */
	{
		clv_error err = {0};
		chain_isa before = chain_isa_get();
		setenv("CLVSIM_ISA", "neon", 1);
		assert_int_equal(chain_isa_init(&err), CLV_ERR_INPUT);
		assert_non_null(strstr(err.msg, "CLVSIM_ISA=neon"));
		assert_int_equal(chain_isa_get(), before);
		setenv("CLVSIM_ISA", "scalar", 1);
		assert_int_equal(chain_isa_init(&err), CLV_OK);
		assert_int_equal(chain_isa_get(), CHAIN_ISA_SCALAR);
		unsetenv("CLVSIM_ISA");
		assert_int_equal(chain_isa_init(&err), CLV_OK);
		assert_int_equal(chain_isa_get(), chain_isa_best());
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scalar_matches_general),
		cmocka_unit_test(avx2_matches_general),
		cmocka_unit_test(avx512_matches_general),
		cmocka_unit_test(own_rows_match_general),
		cmocka_unit_test(scalar_draws_are_pcg32),
		cmocka_unit_test(avx2_draws_are_pcg32),
		cmocka_unit_test(avx512_draws_are_pcg32),
		cmocka_unit_test(engine_same_on_every_path),
		cmocka_unit_test(binary_same_on_every_path),
		cmocka_unit_test(bad_isa_refused),
	};

	gsl_set_error_handler_off();
	unsetenv("CLVSIM_ISA");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
