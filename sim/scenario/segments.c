/*
 * segments.c - scenario stage, step 5 of a load: customer tiers. Each
 * entry of `segments:` is a map of overrides with a weight (weights > 0,
 * summing to 1 within 1e-9); a segment is the parent's merged tree
 * (without `segments` and `name`) overlaid with its own keys and built by
 * keys_build into a full clv_scenario named "PARENT / SEGMENT". Only the
 * keys of SEGMENT_KEYS may differ between segments; a segment's error
 * ends with " (in segment \"NAME\")". The name "all" is reserved (the
 * whole base in segments.csv). Each segment is checked on its own (its
 * problems do not stop the next one); one whose own keys or weight are
 * wrong is not built.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

static const char *const SEGMENT_KEYS[] = {
	"weight", "initial", "switching", "retention", "discount_rate", "purchases_per_period",
	"margin", "cost_per_period", "referral_value", "acquisition_cost", "spend_growth",
	"campaign", "price_discount", "correlations"};

/* ------------------------------------------------------------------ */
/* Segments.                                                           */

/* Each key that cannot differ between segments a problem of its own; when
   there is none, each unknown key. */
static clv_status check_segment_keys(const loader *ld, const yamlnode *seg, const char *name)
{
	char where[256];
	clv_status rc = CLV_OK;
	bool bad = false;
	size_t i;

	snprintf(where, sizeof where, "segment \"%s\"", name);
	for (i = 0; i < seg->n && rc == CLV_OK; i++) {
		const char *key = seg->key[i]->text;
		if (value_index_of(key, SEGMENT_KEYS, COUNT(SEGMENT_KEYS)) == NOT_FOUND &&
		    keys_is_top(key))
			rc = value_part(ld, value_error(ld, seg->key[i], CLV_ERR_INPUT, "key \"%s\" "
			                                "cannot differ between segments (a segment may "
			                                "set: weight, initial, switching, retention, "
			                                "discount_rate, purchases_per_period, margin, "
			                                "cost_per_period, referral_value, "
			                                "acquisition_cost, spend_growth, campaign, "
			                                "price_discount, correlations)", key), &bad);
	}
	if (rc != CLV_OK || bad)
		return rc != CLV_OK ? rc : CLV_ERR_INPUT; /* not again as unknown keys */
	return value_check_keys(ld, seg, SEGMENT_KEYS, COUNT(SEGMENT_KEYS), where);
}

/* The segment's keys, then its weight, each on its own. */
static clv_status segment_weight(const loader *ld, const yamlnode *seg, const char *name,
                                 double *w)
{
	const yamlnode *node = yamlnode_get(seg, "weight");
	char what[256], desc[64];
	bool bad = false;
	clv_status rc;

	snprintf(what, sizeof what, "segment \"%s\"", name);
	if (seg->kind != YAMLNODE_MAP)
		return value_error(ld, seg, CLV_ERR_INPUT, "%s must be a map of overrides with a weight, "
		                   "found %s", what, yamlnode_describe(seg, desc, sizeof desc));
	rc = value_part(ld, check_segment_keys(ld, seg, name), &bad);
	if (rc != CLV_OK)
		return rc;
	rc = value_check_required(ld, seg, (const char *const[]){"weight"}, 1, what);
	snprintf(what, sizeof what, "segment \"%s\": weight", name);
	if (rc == CLV_OK)
		rc = value_number(ld, node, what, w);
	if (rc == CLV_OK && !(*w > 0.0))
		rc = value_error(ld, node, CLV_ERR_INPUT, "%s = %s must be > 0", what, node->text);
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}

/* The parent's tree overlaid with one segment's keys. */
static clv_scenario *build_segment(loader *ld, const clv_scenario *s, const yamlnode *top,
                                   const yamlnode *seg, const char *name)
{
	yamlnode *tree = yamlnode_copy(top), *over = yamlnode_copy(seg);
	clv_scenario *out = NULL;
	char *full = diag_strdupf("%s / %s", s->name, name);

	if (tree == NULL || over == NULL || full == NULL) {
		yamlnode_free(over);
		value_nomem(ld->err);
		goto cleanup;
	}
	yamlnode_remove(tree, "segments");
	yamlnode_remove(tree, "name");
	yamlnode_remove(over, "weight");
	if (files_overlay(ld, &tree, over) == CLV_OK)
		out = keys_build(ld, tree, full, true);
cleanup:
	yamlnode_free(tree);
	free(full);
	return out;
}

static clv_status alloc_segments(const loader *ld, clv_scenario *s, size_t n)
{
	s->segments = calloc(n, sizeof *s->segments);
	s->segment_weight = calloc(n, sizeof *s->segment_weight);
	s->segment_name = calloc(n, sizeof *s->segment_name);
	s->n_segments = n;
	if (!s->segments || !s->segment_weight || !s->segment_name)
		return value_nomem(ld->err);
	return CLV_OK;
}

static clv_status check_segments_node(const loader *ld, const yamlnode *segs)
{
	char desc[64];

	if (segs->kind != YAMLNODE_MAP)
		return value_error(ld, segs, CLV_ERR_INPUT,
		                   "segments must be a map name: {weight: W, ...}, "
		                   "found %s", yamlnode_describe(segs, desc, sizeof desc));
	if (segs->n == 0)
		return value_error(ld, segs, CLV_ERR_INPUT, "segments: at least one segment is needed");
	if (segs->n > CLV_MAX_SEGMENTS)
		return value_error(ld, segs, CLV_ERR_LIMIT,
		                   "segments: %zu segments, over the limit of %d",
		                   segs->n, CLV_MAX_SEGMENTS);
	return CLV_OK;
}

/* Add " (in segment \"name\")" to the message of a failed segment. */
static clv_status in_segment(clv_error *err, const char *name)
{
	size_t used = strlen(err->msg);

	if (err->status != CLV_ERR_NOMEM && used < sizeof err->msg)
		snprintf(err->msg + used, sizeof err->msg - used, " (in segment \"%s\")", name);
	return err->status;
}

clv_status segments_build(loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *segs = yamlnode_get(top, "segments");
	clv_status rc;
	double sum = 0.0;
	bool *read = NULL, all_read = true;
	size_t k;

	if (segs == NULL)
		return CLV_OK;
	rc = check_segments_node(ld, segs);
	if (rc == CLV_OK)
		rc = alloc_segments(ld, s, segs->n);
	if (rc == CLV_OK && (read = calloc(s->n_segments, sizeof *read)) == NULL)
		rc = value_nomem(ld->err);
	/* each segment's name, keys and weight on their own; the sum of the
	   weights only when every one was read */
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		clv_status one = CLV_OK;
		bool bad = false;
		if (strcmp(segs->key[k]->text, "all") == 0)
			one = value_error(ld, segs->key[k], CLV_ERR_INPUT, "segment name \"all\" is "
			                  "reserved (reports use it for the whole customer base)");
		if (one == CLV_OK)
			one = segment_weight(ld, segs->item[k], segs->key[k]->text, &s->segment_weight[k]);
		rc = value_part(ld, one, &bad);
		read[k] = !bad;
		all_read = all_read && !bad;
		sum += s->segment_weight[k];
		if (rc == CLV_OK && (s->segment_name[k] = strdup(segs->key[k]->text)) == NULL)
			rc = value_nomem(ld->err);
	}
	if (rc == CLV_OK && all_read && fabs(sum - 1.0) > SUM_TOLERANCE)
		rc = value_part(ld, value_error(ld, segs, CLV_ERR_INPUT,
		                                "segment weights sum to %.12g, not 1 (difference "
		                                "%.3g; they must sum to 1 within 1e-9)", sum,
		                                sum - 1.0), NULL);
	/* each segment on its own: the problems of one do not stop the next */
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		size_t before = diag_kept(ld->err);
		char *suffix;
		if (!read[k])
			continue; /* its keys would be refused again */
		s->segments[k] = build_segment(ld, s, top, segs->item[k], segs->key[k]->text);
		files_point_names(ld, s);
		if (s->segments[k] != NULL)
			continue;
		if (ld->err->status != CLV_OK)
			rc = in_segment(ld->err, segs->key[k]->text);
		suffix = diag_strdupf(" (in segment \"%s\")", segs->key[k]->text);
		if (suffix != NULL && ld->err->all != NULL)
			diag_list_suffix(ld->err->all, before, suffix);
		if (suffix == NULL && rc == CLV_OK)
			rc = value_nomem(ld->err);
		free(suffix);
	}
	free(read);
	return rc == CLV_OK && !all_read ? CLV_ERR_INPUT : rc;
}
