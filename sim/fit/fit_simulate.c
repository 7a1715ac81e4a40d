/*
 * fit_simulate.c - purchase records from the engine's walk (see
 * fit_simulate.h). Stage: fit.
 *
 * The walk reuses the engine's prepared table (engine/chain.h: integer
 * thresholds per row, the Poisson count table, the dead states) and draws
 * in the engine's order, so customer c's states are those customer c of
 * replication 0 visits in `clvsim run` (for a scenario without
 * per-replication draws). The step itself (`pick`) repeats chain.c's
 * three-line inversion: the number of thresholds <= one 32-bit output.
 */
#include "fit/fit_simulate.h"

#include <gsl/gsl_rng.h>

#include "base/dist.h"
#include "base/rng.h"
#include "engine/chain.h"
#include "engine/model.h"

static size_t pick(const uint64_t *thr, size_t n1, uint64_t u)
{
	size_t j, x = 0;

	for (j = 0; j < n1; j++)
		x += u >= thr[j];
	return x;
}

static uint32_t poisson_count(const chain_table *tb, uint64_t u)
{
	size_t lo = 0, hi = tb->poisson_len - 1;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (u < tb->poisson_thr[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return (uint32_t)lo;
}

typedef struct walk {
	const clv_scenario *s;
	const chain_table *tb;
	gsl_rng *money;      /* the customer's second stream, for amounts */
	fit_sim_emit emit;
	void *ctx;
} walk;

static double amount_of(const walk *w, size_t x, int ph)
{
	const clv_param *p = &w->s->margin[x];

	return dist_is_uncertain(p) ? dist_draw(p, w->money) : w->tb->margin[ph][x];
}

static clv_status walk_customer(const walk *w, uint64_t seed, uint64_t c, clv_error *err)
{
	const chain_table *tb = w->tb;
	const size_t n1 = tb->n - 1;
	rng_pcg32 r, m;
	size_t x;
	long t;

	rng_stream(&r, seed, 0, c);
	rng_stream(&m, seed, 1, c);
	rng_gsl_set_state(w->money, &m);
	x = pick(tb->init_thr, n1, rng_next(&r));
	for (t = 0; t <= tb->periods; t++) {
		const int ph = t < tb->offer_periods;
		uint32_t k, count = tb->poisson ? poisson_count(tb, rng_next(&r)) : tb->purchases;
		for (k = 0; k < count; k++) {
			if (!tb->dead[x]) {
				fit_sim_purchase p = {c, t, k, count, x, amount_of(w, x, ph)};
				clv_status rc = w->emit(w->ctx, &p, err);
				if (rc != CLV_OK)
					return rc;
			}
			x = pick(tb->thr[ph] + x * n1, n1, rng_next(&r));
		}
		if (tb->dead[x] && t + 1 >= tb->offer_periods)
			break;
	}
	return CLV_OK;
}

clv_status fit_simulate(clv_scenario *s, uint64_t customers, uint64_t seed, fit_sim_emit emit,
                        void *ctx, clv_error *err)
{
	clv_model *mod = NULL;
	chain_table *tb = NULL;
	walk w = {s, NULL, NULL, emit, ctx};
	clv_status rc = CLV_OK;
	uint64_t c;

	if (s->infinite)
		return diag_set_file(err, CLV_ERR_INPUT, s->path,
		                     "simulate needs a finite horizon (the periods to write)");
	if (s->n_segments > 0)
		return diag_set_file(err, CLV_ERR_INPUT, s->path,
		                     "simulate does not take a scenario with segments");
	mod = model_at_means(s, err);
	if (mod == NULL)
		return err->status;
	tb = chain_table_create(mod, s->horizon, err);
	w.money = gsl_rng_alloc(rng_gsl_pcg32);
	if (tb == NULL || w.money == NULL) {
		rc = tb == NULL ? err->status : diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		goto cleanup;
	}
	w.tb = tb;
	for (c = 0; c < customers && rc == CLV_OK; c++)
		rc = walk_customer(&w, seed, c, err);
cleanup:
	gsl_rng_free(w.money);
	chain_table_free(tb);
	model_free(mod);
	return rc;
}
