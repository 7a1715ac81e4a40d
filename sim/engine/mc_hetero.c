/*
 * mc_hetero.c - engine stage: customers with assumptions of their own in
 * a Monte Carlo run (contract in mc_hetero.h).
 *
 * The rows path, per block: the replication's values are copied once;
 * each own assumption's draws for the block's customers are made a
 * column at a time (dist_draw_customers, from the stream initstate of
 * its key and the replication, computed once); then per customer its
 * values go into the copy, its own rows are rebuilt (model_rows_rebuild:
 * only the rows those values decide) and turned into thresholds in the
 * block's chain_own (an impossible draw leaves it the replication's
 * rows, as model_rebuild's failure leaves it the replication's model);
 * chain_run_own walks the block on the lock-step path.
 *
 * The general path (any own assumption of money or time), per customer
 * in a lane: the same draws (dist_draw_pcg of the same streams), then
 * model_rebuild of the parts they decide into the lane's model and
 * chain_table_refill of those parts into the lane's table (copies of the
 * replication's, made once per block), walked by chain_run_lanes.
 */
#include "engine/mc_hetero.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "base/dist.h"
#include "base/rng.h"
#include "engine/mc.h"

struct mc_hetero {
	gsl_rng *g;              /* draws of the kinds GSL samples */
	model_values *values;    /* the replication's, with a customer's own values */
	/* the general path: a model and a table per lane */
	clv_model *model[CHAIN_LANES];
	chain_table *table[CHAIN_LANES];
	/* the rows path */
	model_rows_plan *plan;   /* NULL: the general path */
	chain_own *own;          /* MC_BLOCK customers' own rows */
	double *draws;           /* n_drawn columns of MC_BLOCK values */
	double *P, *P_offer;     /* n x n: a customer's rows */
};

void mc_hetero_free(mc_hetero *h)
{
	int l;

	if (h == NULL)
		return;
	if (h->g)
		gsl_rng_free(h->g);
	model_values_free(h->values);
	for (l = 0; l < CHAIN_LANES; l++) {
		model_free(h->model[l]);
		chain_table_free(h->table[l]);
	}
	model_rows_plan_free(h->plan);
	chain_own_free(h->own);
	free(h->draws);
	free(h->P);
	free(h->P_offer);
	free(h);
}

/* The rows path's scratch, or false (out of memory, or an own
   assumption the rows plan does not take: h->plan stays NULL). */
static bool rows_path_init(mc_hetero *h, const segment *sg)
{
	const size_t n = sg->s->n;
	clv_error err = {0};
	bool own[2][CLV_MAX_STATES];
	size_t i;
	int ph;

	if (sg->parts & ~(unsigned)MODEL_PART_ROWS)
		return true; /* money or time: the general path */
	h->plan = model_rows_plan_create(sg->s, sg->means, sg->drawn, sg->n_drawn, &err);
	if (h->plan == NULL)
		return err.status != CLV_ERR_NOMEM;
	for (ph = 0; ph < 2; ph++)
		for (i = 0; i < n; i++)
			own[ph][i] = model_rows_plan_has(h->plan, ph, i);
	h->own = chain_own_create(n, own[0], own[1], MC_BLOCK);
	h->draws = malloc((sg->n_drawn * MC_BLOCK + 1) * sizeof *h->draws);
	h->P = calloc(n * n, sizeof *h->P);
	h->P_offer = calloc(n * n, sizeof *h->P_offer);
	return h->own && h->draws && h->P && h->P_offer;
}

mc_hetero *mc_hetero_create(const segment *sg, long periods)
{
	mc_hetero *h = calloc(1, sizeof *h);
	clv_error err = {0};
	size_t n = sg->s->n;
	int l;

	if (h == NULL)
		return NULL;
	h->g = gsl_rng_alloc(rng_gsl_pcg32);
	h->values = model_values_copy(sg->means, n);
	if (h->g == NULL || h->values == NULL || !rows_path_init(h, sg)) {
		mc_hetero_free(h);
		return NULL;
	}
	for (l = 0; l < CHAIN_LANES && h->plan == NULL; l++) {
		h->model[l] = model_create(n);
		h->table[l] = chain_table_create(sg->mean_model, periods, &err);
		if (!h->model[l] || !h->table[l]) {
			mc_hetero_free(h);
			return NULL;
		}
	}
	return h;
}

double mc_hetero_bytes(size_t n, long periods, size_t n_params)
{
	double nn = (double)n, values = (double)n_params * 16.0 + nn * nn * 8.0 + 64.0;
	double model = (2.0 * nn * nn + 5.0 * nn) * 8.0 + 128.0;
	double general = CHAIN_LANES * (chain_table_bytes(n, periods) + model);
	double rows = chain_own_bytes(n, MC_BLOCK) + (double)n_params * MC_BLOCK * 8.0 +
	              2.0 * nn * nn * 8.0;

	return sizeof(mc_hetero) + values + (general > rows ? general : rows);
}

/* ---- the rows path ---------------------------------------------------- */

static void run_rows_block(mc_hetero *h, const segment *sg, const clv_model *model,
                           const chain_table *table, uint64_t seed, uint64_t rep, uint64_t first,
                           uint64_t count, chain_acc *acc)
{
	const size_t n = sg->s->n;
	const chain_own *own = h->own;
	model_values *v = h->values;
	size_t k, r;
	uint64_t c;
	int ph;

	for (k = 0; k < sg->n_drawn; k++) {
		const size_t at = sg->drawn[k];
		dist_draw_customers(v->params[at], rng_keyed_initstate(seed, sg->outer->key[at], rep),
		                    first, count, h->g, h->draws + k * MC_BLOCK);
	}
	for (c = 0; c < count; c++) {
		const double *P = h->P, *P_offer = h->P_offer;
		double acquisition;
		for (k = 0; k < sg->n_drawn; k++)
			v->param[sg->drawn[k]] = h->draws[k * MC_BLOCK + c];
		if (model_rows_rebuild(h->plan, v, h->P, h->P_offer, &acquisition) != CLV_OK) {
			/* an impossible draw for this customer: the replication's model */
			P = model->P;
			P_offer = model->P_offer;
			acquisition = model->acquisition;
		}
		/* as model_rebuild: the acquisition cost is rebuilt with the money,
		   or alone when nothing else is the customer's own */
		if (sg->parts & MODEL_PART_ROWS)
			acquisition = model->acquisition;
		for (ph = 0; ph < 2; ph++)
			for (r = 0; r < own->n_rows[ph]; r++) {
				const size_t x = own->row[ph][r];
				chain_own_set_row(h->own, table, c, ph, x, (ph ? P_offer : P) + x * n);
			}
		chain_own_set_acquisition(h->own, c, acquisition);
	}
	chain_run_own(table, own, seed, rep, first, count, acc);
}

/* ---- the general path -------------------------------------------------- */

typedef struct lanes_ctx {
	mc_hetero *h;
	const segment *sg;
	const clv_model *model;
	uint64_t seed, rep;
} lanes_ctx;

/* chain_prepare: customer c's draws, then its model and table in `lane`. */
static void prepare_lane(void *data, int lane, uint64_t c, rng_pcg32 *walk)
{
	lanes_ctx *x = data;
	const segment *sg = x->sg;
	model_values *v = x->h->values;
	clv_model *m = x->h->model[lane];
	clv_error err = {0};
	size_t j;

	for (j = 0; j < sg->n_drawn; j++) {
		size_t k = sg->drawn[j];
		rng_keyed_stream(walk, x->seed, sg->outer->key[k], x->rep, c); /* the assumption's own */
		v->param[k] = dist_draw_pcg(v->params[k], walk, x->h->g);
	}
	rng_stream(walk, x->seed, x->rep, c); /* the walk's stream: the same whatever is drawn */
	if (model_rebuild(sg->s, v, m, sg->parts, &err) != CLV_OK) {
		/* an impossible draw for this customer: the replication's model */
		diag_clear(&err);
		model_copy(m, x->model);
	}
	chain_table_refill(x->h->table[lane], m, sg->refill);
}

void mc_hetero_run_block(mc_hetero *h, const segment *sg, const model_values *values,
                         const clv_model *model, const chain_table *table, uint64_t seed,
                         uint64_t rep, uint64_t first, uint64_t count, chain_acc *acc)
{
	lanes_ctx x = {h, sg, model, seed, rep};
	size_t n = sg->s->n;
	int l;

	/* the replication's values; only the customer's own draws change */
	memcpy(h->values->param, values->param, values->n_params * sizeof(double));
	memcpy(h->values->dirichlet, values->dirichlet, n * n * sizeof(double));
	if (h->plan != NULL) {
		run_rows_block(h, sg, model, table, seed, rep, first, count, acc);
		return;
	}
	for (l = 0; l < CHAIN_LANES; l++) {
		model_copy(h->model[l], model);
		chain_table_copy(h->table[l], table);
	}
	chain_run_lanes(h->table, sg->refill, prepare_lane, &x, first, count, acc);
}
