/*
 * edit.c - scenario stage, after a load: edit a loaded scenario, as a
 * sweep does (scenario_set_number, contract in scenario.h). A key is any
 * assumption's label, or horizon, customers, replications; setting entry
 * (I, J) of a fixed switching row rescales the row's other entries
 * proportionally so it still sums to 1. Edits apply to every segment too.
 * Run scenario_validate after edits.
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/rowmath.h"
#include "scenario/scenario_internal.h"

/* ------------------------------------------------------------------ */
/* Edits: scenario_set_number.                                         */

static clv_status unknown_key(clv_scenario *s, const char *key, clv_error *err)
{
	size_t n = 0;
	const char **labels = params_labels_alloc(s, &n);
	const char *words[] = {"horizon", "customers", "replications"};
	const char **all;
	char tip[128] = "";

	if (labels == NULL)
		return value_nomem(err);
	all = realloc(labels, (n + COUNT(words)) * sizeof *all);
	if (all == NULL) {
		free(labels);
		return value_nomem(err);
	}
	memcpy(all + n, words, sizeof words);
	value_hint(key, all, n + COUNT(words), tip, sizeof tip);
	free(all);
	return diag_set(err, CLV_ERR_USAGE, NULL, "no numeric key \"%s\" in scenario \"%s\"%s", key,
	                s->name, tip);
}

static clv_status set_whole(const char *key, double value, double lo, double hi, double *out,
                            clv_error *err)
{
	if (value != floor(value) || value < lo || value > hi)
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g must be a whole number in "
		                "[%.0f, %.0f]", key, value, lo, hi);
	*out = value;
	return CLV_OK;
}

/* "retention.X" on a state without retention: add it (fixed, so a sweep
   can vary a retention the file did not give). */
static clv_param *add_retention(clv_scenario *s, const char *key, clv_error *err)
{
	static const char prefix[] = "retention.";
	size_t i;
	clv_param *p;

	if (strncmp(key, prefix, sizeof prefix - 1) != 0)
		return NULL;
	i = scenario_state_index(s, key + sizeof prefix - 1);
	if (i == NOT_FOUND || s->has_retention[i])
		return NULL;
	p = &s->retention[i];
	memset(p, 0, sizeof *p);
	if ((p->label = strdup(key)) == NULL) {
		value_nomem(err);
		return NULL;
	}
	p->kind = DIST_FIXED;
	p->a = s->switching[i].dirichlet ? 0.0 : s->switching[i].p[i].a;
	p->lo = 0.0;
	p->hi = 1.0;
	p->pos = (clv_pos){s->path, 0, 0};
	s->has_retention[i] = true;
	return p;
}

/* Entry (i, j) of a fixed row: set it, rescale the others. */
static clv_status set_entry(clv_scenario *s, size_t i, size_t j, double value, clv_error *err)
{
	clv_row *r = &s->switching[i];
	double row[CLV_MAX_STATES];
	size_t k;

	for (k = 0; k < s->n; k++) {
		if (r->p[k].kind != DIST_FIXED)
			return diag_set(err, CLV_ERR_USAGE, NULL, "%s: row \"%s\" has uncertain entries; "
			                "only entries of a fixed row can be set", r->p[j].label,
			                s->states[i]);
		row[k] = r->p[k].a;
	}
	if (rowmath_pin(row, s->n, j, value) != 0)
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g: the other entries of row \"%s\" "
		                "are all 0, so nothing can be rescaled", r->p[j].label, value,
		                s->states[i]);
	for (k = 0; k < s->n; k++)
		r->p[k].a = row[k];
	return CLV_OK;
}

/* If p is a switching entry, set it as a row edit; *done tells. */
static clv_status set_if_entry(clv_scenario *s, const clv_param *p, double value, bool *done,
                               clv_error *err)
{
	size_t i, j;

	*done = false;
	for (i = 0; i < s->n; i++)
		for (j = 0; !s->switching[i].dirichlet && j < s->n; j++)
			if (&s->switching[i].p[j] == p) {
				*done = true;
				return set_entry(s, i, j, value, err);
			}
	return CLV_OK;
}

static clv_status set_param(clv_scenario *s, const char *key, double value, clv_error *err)
{
	clv_param *p = scenario_param(s, key);
	clv_status rc;
	bool done;

	if (p == NULL && (p = add_retention(s, key, err)) == NULL)
		return err->status != CLV_OK ? err->status : unknown_key(s, key, err);
	if (value < p->lo || value > p->hi || (validate_lo_open(p) && value == p->lo))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g is outside %s%.10g, %.10g]", key,
		                value, validate_lo_open(p) ? "(" : "[", p->lo, p->hi);
	if (strcmp(key, "purchases_per_period") == 0 && value != floor(value))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g must be a whole number", key,
		                value);
	rc = set_if_entry(s, p, value, &done, err);
	if (rc != CLV_OK || done)
		return rc;
	p->kind = DIST_FIXED;
	p->a = value;
	p->b = p->c = 0.0;
	p->per = PER_REPLICATION;
	return CLV_OK;
}

clv_status scenario_set_number(clv_scenario *s, const char *key, double value, clv_error *err)
{
	clv_status rc;
	double v = 0.0;
	size_t k;

	if (!isfinite(value))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s: the value must be a finite number", key);
	if (strcmp(key, "horizon") == 0) {
		rc = set_whole(key, value, 0.0, (double)CLV_MAX_HORIZON, &v, err);
		s->horizon = rc == CLV_OK ? (long)v : s->horizon;
		s->infinite = s->infinite && rc != CLV_OK;
	} else if (strcmp(key, "customers") == 0) {
		rc = set_whole(key, value, 1.0, (double)CLV_MAX_CUSTOMERS, &v, err);
		s->customers = rc == CLV_OK ? (uint64_t)v : s->customers;
	} else if (strcmp(key, "replications") == 0) {
		rc = set_whole(key, value, 1.0, (double)CLV_MAX_REPLICATIONS, &v, err);
		s->replications = rc == CLV_OK ? (uint64_t)v : s->replications;
	} else {
		rc = set_param(s, key, value, err);
	}
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++)
		rc = scenario_set_number(s->segments[k], key, value, err);
	return rc;
}
