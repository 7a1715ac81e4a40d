/*
 * load.c - scenario stage, the entry points (contract in scenario.h):
 * scenario_load and scenario_load_buffer run a load, scenario_free
 * releases a scenario. A load, in order:
 *  1. read the file and parse it (files.c);
 *  2. follow `base:` links and overlay each file on its base (files.c);
 *  3. interpret the merged tree key by key into the clv_scenario (keys.c,
 *     keys_offers.c, one node at a time through values.c);
 *  4. scenario_validate (validate.c): the rules between keys (rows sum to
 *     1, retention leaves room, uplifts stay <= 1, offers share their
 *     periods, ...);
 *  5. segments: each the merged tree overlaid with its own keys, built by
 *     steps 3-4 into a full clv_scenario (segments.c).
 * Nothing is ever renormalised or guessed: every problem is an error
 * "FILE:LINE:COLUMN: what is wrong (the rule)".
 *
 * A load goes on past each problem to the next independent part (see
 * scenario_internal.h) and keeps them all; at the end they are sorted in
 * file order. With err->all set (clvsim check) the caller gets them all
 * there and err is set to the first; without, err gets the first, and a
 * note of how many more there are.
 *
 * Invariants of a loaded scenario (scenario_validate re-checks them):
 * every per-state array has n entries; every clv_param has a label (its
 * dotted key path), its place, and the support [lo, hi] of its quantity;
 * fixed rows and `initial` sum to 1 within 1e-9. The positions of params
 * may name base files: their names are stored in the allocation of
 * s->path, after the top file's name and its NUL ("top\0base1\0base2\0"),
 * so they live exactly as long as the scenario.
 *
 * The format is documented in docs/scenarios.md.
 */
#include "scenario/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

/* ------------------------------------------------------------------ */
/* Public: load and free.                                              */

static void loader_free(loader *ld)
{
	int k;

	for (k = 0; k < ld->n_files; k++) {
		free(ld->shown[k]);
		free(ld->real[k]);
	}
}

/* After a failed load: the problems in file order, the first in err. The
   error that stopped the load, if it is not one of the input (out of
   memory, a base file that cannot be read), stays in err instead. */
static void report(loader *ld, diag_list *own, size_t kept_before, size_t dropped_before)
{
	clv_error *err = ld->err;
	diag_list *all = err->all;
	size_t more;

	if (err->status != CLV_OK && !diag_keep(err))
		return;
	if (all->n == kept_before)
		return; /* nothing kept (cannot happen: the first problems are) */
	/* the caller's earlier problems (other files) stay where they are */
	{
		diag_list mine = {.item = all->item + kept_before, .n = all->n - kept_before,
		                  .cap = all->n - kept_before};
		diag_list_sort(&mine, (const char *const *)ld->shown, (size_t)ld->n_files);
		all->n = kept_before + mine.n;
	}
	diag_list_take(all, kept_before, err);
	more = all->n - kept_before - 1 + (all->dropped - dropped_before);
	if (all == own && more > 0) {
		size_t used = strlen(err->msg);
		if (used < sizeof err->msg)
			snprintf(err->msg + used, sizeof err->msg - used, " (and %zu more problem%s: "
			         "clvsim check lists them all)", more, more == 1 ? "" : "s");
	}
}

clv_scenario *scenario_load_buffer(const char *path, const char *text, size_t len,
                                   clv_error *err)
{
	loader ld = {.err = err};
	diag_list own = {0}, *caller = err->all;
	size_t kept_before, dropped_before;
	clv_scenario *s = NULL;
	yamlnode *tree = NULL;

	if (len > (size_t)MAX_FILE_BYTES) {
		diag_set_file(err, CLV_ERR_LIMIT, path, "the scenario is larger than 16 MiB");
		return NULL;
	}
	if (caller == NULL)
		err->all = &own;
	kept_before = err->all->n;
	dropped_before = err->all->dropped;
	if (files_load_layer(&ld, path, text, len, &tree) == CLV_OK)
		s = keys_build(&ld, tree, NULL, false);
	if (s == NULL)
		report(&ld, &own, kept_before, dropped_before);
	yamlnode_free(tree);
	loader_free(&ld);
	err->all = caller;
	diag_list_free(&own);
	return s;
}

clv_scenario *scenario_load(const char *path, clv_error *err)
{
	clv_scenario *s = NULL;
	char *text = NULL;
	size_t len = 0;

	if (files_read(path, NULL, &text, &len, err) == CLV_OK)
		s = scenario_load_buffer(path, text, len, err);
	free(text);
	return s;
}

static void free_param(clv_param *p)
{
	if (p != NULL)
		free(p->label);
}

static void free_params(clv_param *p, size_t n)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < n; i++)
		free_param(&p[i]);
	free(p);
}

static void free_offer(clv_offer *o, size_t n)
{
	free(o->label);
	free_param(&o->cost);
	free_param(&o->margin_cut);
	free_param(&o->retention_uplift);
	free_params(o->win_from, n);
}

static void free_states(clv_scenario *s)
{
	size_t i;

	for (i = 0; s->states != NULL && i < s->n; i++)
		free(s->states[i]);
	for (i = 0; s->switching != NULL && i < s->n; i++) {
		free(s->switching[i].alpha);
		free_params(s->switching[i].p, s->n);
	}
	free(s->states);
	free(s->initial);
	free(s->switching);
	free_params(s->retention, s->n);
	free(s->has_retention);
	free_params(s->margin, s->n);
	free_params(s->cost, s->n);
	free_params(s->referral, s->n);
}

void scenario_free(clv_scenario *s)
{
	size_t k;

	if (s == NULL)
		return;
	free_states(s);
	free_param(&s->discount);
	free_param(&s->purchases);
	free_param(&s->acquisition);
	free_param(&s->spend_growth);
	free_param(&s->base.acquired);
	free(s->base.acquired_list);
	free(s->base.acquired_initial);
	for (k = 0; k < s->n_offers; k++)
		free_offer(&s->offers[k], s->n);
	free(s->offers);
	for (k = 0; k < s->n_correlations; k++) {
		free(s->correlations[k].a);
		free(s->correlations[k].b);
	}
	free(s->correlations);
	for (k = 0; k < s->n_segments; k++) {
		scenario_free(s->segments != NULL ? s->segments[k] : NULL);
		free(s->segment_name != NULL ? s->segment_name[k] : NULL);
	}
	free(s->segments);
	free(s->segment_weight);
	free(s->segment_name);
	free(s->period);
	free(s->name);
	free(s->currency);
	free(s->path);
	free(s);
}
