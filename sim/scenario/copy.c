/*
 * copy.c - scenario stage, after a load: a deep copy of a loaded scenario
 * (scenario_copy, contract in scenario.h), so a what-if can edit its own
 * copy of a scenario loaded once.
 *
 * Everything the scenario owns is copied: states, per-state arrays,
 * switching rows, every clv_param with its label, offers, correlations,
 * the customer base,
 * segments (recursively, each with its own path block) and the path block
 * itself, which also holds the names of the `base:` files. A position's
 * file name points to the start of one name of the owner's block; in the
 * copy it points to the same name of the copy's block, so the copy lives
 * on after the original is freed. A name from anywhere else (none comes
 * from the loader) is kept as the borrowed pointer it was.
 *
 * A failed copy frees what it built (scenario_free copes with a scenario
 * whose owned arrays are partly filled) and returns NULL.
 */
#include "scenario/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"

/* The names of the original's path block and where the copy's are. */
typedef struct names {
	const char *from;
	char *to;
	size_t size;
} names;

/* file in the copy: the same name of the copy's block, found by walking
   the original's names (each position points to the start of one). */
static const char *remap(const names *nm, const char *file)
{
	size_t at;

	for (at = 0; file != NULL && at < nm->size; at += strlen(nm->from + at) + 1)
		if (nm->from + at == file)
			return nm->to + at;
	return file;
}

static bool dup_string(char **dst, const char *src)
{
	*dst = NULL;
	return src == NULL || (*dst = strdup(src)) != NULL;
}

static void *dup_array(const void *src, size_t n, size_t size)
{
	void *dst;

	if (src == NULL || n == 0)
		return NULL;
	if ((dst = malloc(n * size)) != NULL)
		memcpy(dst, src, n * size);
	return dst;
}

static bool copy_param(const names *nm, clv_param *dst, const clv_param *src)
{
	*dst = *src;
	dst->pos.file = remap(nm, src->pos.file);
	return dup_string(&dst->label, src->label);
}

/* n params into a new array at *dst (NULL when src is). */
static bool copy_params(const names *nm, clv_param **dst, const clv_param *src, size_t n)
{
	size_t i;

	*dst = NULL;
	if (src == NULL)
		return true;
	if ((*dst = calloc(n, sizeof **dst)) == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!copy_param(nm, &(*dst)[i], &src[i]))
			return false;
	return true;
}

static bool copy_rows(const names *nm, clv_scenario *c, const clv_scenario *s)
{
	size_t i;

	if ((c->switching = calloc(s->n, sizeof *c->switching)) == NULL)
		return false;
	for (i = 0; i < s->n; i++) {
		const clv_row *r = &s->switching[i];
		clv_row *d = &c->switching[i];
		d->dirichlet = r->dirichlet;
		d->pos = r->pos;
		d->pos.file = remap(nm, r->pos.file);
		if (r->alpha != NULL && (d->alpha = dup_array(r->alpha, s->n, sizeof *r->alpha)) == NULL)
			return false;
		if (!copy_params(nm, &d->p, r->p, s->n))
			return false;
	}
	return true;
}

/* The state names and every per-state array. */
static bool copy_states(const names *nm, clv_scenario *c, const clv_scenario *s)
{
	size_t i;

	if (s->n == 0)
		return true;
	c->states = calloc(s->n, sizeof *c->states);
	c->initial = dup_array(s->initial, s->n, sizeof *s->initial);
	c->has_retention = dup_array(s->has_retention, s->n, sizeof *s->has_retention);
	if (c->states == NULL || c->initial == NULL || c->has_retention == NULL)
		return false;
	for (i = 0; i < s->n; i++)
		if (!dup_string(&c->states[i], s->states[i]))
			return false;
	return copy_rows(nm, c, s) && copy_params(nm, &c->retention, s->retention, s->n) &&
	       copy_params(nm, &c->margin, s->margin, s->n) &&
	       copy_params(nm, &c->cost, s->cost, s->n) &&
	       copy_params(nm, &c->referral, s->referral, s->n);
}

static bool copy_offer(const names *nm, clv_offer *d, const clv_offer *o, size_t n)
{
	*d = *o;
	d->label = NULL;
	d->cost.label = d->margin_cut.label = d->retention_uplift.label = NULL;
	d->win_from = NULL;
	d->pos.file = remap(nm, o->pos.file);
	return dup_string(&d->label, o->label) && copy_param(nm, &d->cost, &o->cost) &&
	       copy_param(nm, &d->margin_cut, &o->margin_cut) &&
	       copy_param(nm, &d->retention_uplift, &o->retention_uplift) &&
	       copy_params(nm, &d->win_from, o->win_from, n);
}

static bool copy_offers(const names *nm, clv_scenario *c, const clv_scenario *s)
{
	size_t k;

	if (s->n_offers == 0)
		return true;
	if ((c->offers = calloc(s->n_offers, sizeof *c->offers)) == NULL)
		return false;
	for (k = 0; k < s->n_offers; k++) {
		c->n_offers = k + 1;
		if (!copy_offer(nm, &c->offers[k], &s->offers[k], s->n))
			return false;
	}
	return true;
}

static bool copy_correlations(const names *nm, clv_scenario *c, const clv_scenario *s)
{
	size_t k;

	if (s->n_correlations == 0)
		return true;
	if ((c->correlations = calloc(s->n_correlations, sizeof *c->correlations)) == NULL)
		return false;
	for (k = 0; k < s->n_correlations; k++) {
		const clv_correlation *x = &s->correlations[k];
		clv_correlation *d = &c->correlations[k];
		c->n_correlations = k + 1;
		d->rho = x->rho;
		d->pos = x->pos;
		d->pos.file = remap(nm, x->pos.file);
		if (!dup_string(&d->a, x->a) || !dup_string(&d->b, x->b))
			return false;
	}
	return true;
}

/* customer_base: its M, the list per period, the new customers' start. */
static bool copy_base(const names *nm, clv_scenario *c, const clv_scenario *s)
{
	c->base.pos.file = remap(nm, s->base.pos.file);
	if (s->base.acquired_list != NULL &&
	    (c->base.acquired_list = dup_array(s->base.acquired_list, s->base.n_acquired_list,
	                                       sizeof *s->base.acquired_list)) == NULL)
		return false;
	if (s->base.acquired_initial != NULL &&
	    (c->base.acquired_initial = dup_array(s->base.acquired_initial, s->n,
	                                          sizeof *s->base.acquired_initial)) == NULL)
		return false;
	return copy_param(nm, &c->base.acquired, &s->base.acquired);
}

static bool copy_segments(clv_scenario *c, const clv_scenario *s, clv_error *err)
{
	size_t k;

	if (s->n_segments == 0)
		return true;
	c->segments = calloc(s->n_segments, sizeof *c->segments);
	c->segment_name = calloc(s->n_segments, sizeof *c->segment_name);
	c->segment_weight = dup_array(s->segment_weight, s->n_segments, sizeof *s->segment_weight);
	c->n_segments = s->n_segments;
	if (c->segments == NULL || c->segment_name == NULL || c->segment_weight == NULL)
		return false;
	for (k = 0; k < s->n_segments; k++) {
		if (!dup_string(&c->segment_name[k], s->segment_name[k]))
			return false;
		if ((c->segments[k] = scenario_copy(s->segments[k], err)) == NULL)
			return false;
	}
	return true;
}

/* Every owned pointer of c to NULL and every count of what they hold to 0,
   so a half-made copy frees cleanly. */
static void clear_owned(clv_scenario *c)
{
	c->path = c->name = c->currency = c->period = NULL;
	c->states = NULL;
	c->initial = NULL;
	c->switching = NULL;
	c->retention = c->margin = c->cost = c->referral = NULL;
	c->has_retention = NULL;
	c->discount.label = c->purchases.label = NULL;
	c->acquisition.label = c->spend_growth.label = NULL;
	c->base.acquired.label = NULL;
	c->base.acquired_list = c->base.acquired_initial = NULL;
	c->offers = NULL;
	c->n_offers = 0;
	c->correlations = NULL;
	c->n_correlations = 0;
	c->segments = NULL;
	c->segment_weight = NULL;
	c->segment_name = NULL;
	c->n_segments = 0;
}

/* The path block: s->path_size bytes, or just the top name when unknown. */
static bool copy_path(clv_scenario *c, const clv_scenario *s, names *nm)
{
	nm->from = s->path;
	nm->size = s->path == NULL ? 0 : s->path_size ? s->path_size : strlen(s->path) + 1;
	nm->to = c->path = dup_array(s->path, nm->size, 1);
	c->path_size = nm->size;
	return s->path == NULL || c->path != NULL;
}

static bool copy_all(clv_scenario *c, const clv_scenario *s, clv_error *err)
{
	names nm;

	return copy_path(c, s, &nm) && dup_string(&c->name, s->name) &&
	       dup_string(&c->currency, s->currency) && dup_string(&c->period, s->period) &&
	       copy_states(&nm, c, s) && copy_param(&nm, &c->discount, &s->discount) &&
	       copy_param(&nm, &c->purchases, &s->purchases) &&
	       copy_param(&nm, &c->acquisition, &s->acquisition) &&
	       copy_param(&nm, &c->spend_growth, &s->spend_growth) && copy_base(&nm, c, s) &&
	       copy_offers(&nm, c, s) &&
	       copy_correlations(&nm, c, s) && copy_segments(c, s, err);
}

clv_scenario *scenario_copy(const clv_scenario *s, clv_error *err)
{
	clv_scenario *c = malloc(sizeof *c);

	if (c != NULL) {
		*c = *s;
		clear_owned(c);
		if (copy_all(c, s, err))
			return c;
	}
	diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory copying scenario \"%s\"", s->name);
	scenario_free(c);
	return NULL;
}
