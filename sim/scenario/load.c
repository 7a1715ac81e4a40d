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

#include <stdlib.h>

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

clv_scenario *scenario_load_buffer(const char *path, const char *text, size_t len,
                                   clv_error *err)
{
	loader ld = {.err = err};
	clv_scenario *s = NULL;
	yamlnode *tree = NULL;

	if (len > (size_t)MAX_FILE_BYTES) {
		diag_set_file(err, CLV_ERR_LIMIT, path, "the scenario is larger than 16 MiB");
		return NULL;
	}
	if (files_load_layer(&ld, path, text, len, &tree) == CLV_OK)
		s = keys_build(&ld, tree, NULL, false);
	yamlnode_free(tree);
	loader_free(&ld);
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
