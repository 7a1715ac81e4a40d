/*
 * edit.c - scenario stage, after a load: the one set of rules for editing
 * a loaded scenario (contract in scenario.h), used by sweeps
 * (scenario_set_number) and by the what-ifs, which edit copies
 * (scenario_copy) of a scenario loaded once.
 *
 * The rules:
 *  - an assumption set to a value becomes fixed at it (per replication);
 *  - setting entry (I, J) of a switching row rescales the row's other
 *    fixed entries proportionally so that, with its uncertain entries at
 *    their means, the row sums to 1 (for a fixed row: the retention rule
 *    of docs/scenarios.md, P[I][K] *= (1 - v) / (1 - P[I][J])); when the
 *    other fixed entries are all 0, v must already close the row within
 *    1e-9 and the entry closes it exactly;
 *  - a Dirichlet row can be fixed at its mean, alpha / sum(alpha); its
 *    diagonal's marginal is Beta(alpha_I, sum(alpha) - alpha_I);
 *  - a fixed value has no rank to correlate: correlations naming it go;
 *  - edits reach the scenarios the engines evaluate, the "leaves": the
 *    segments when there are segments, else the scenario itself;
 *    scenario_set_number applies to the scenario and every segment.
 * Run scenario_validate after edits that may break the rules between keys.
 */
#include "scenario/scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "scenario/scenario_internal.h"

#define ROW_TOLERANCE 1e-9

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory editing the scenario");
}

/* ------------------------------------------------------------------ */
/* Where edits reach.                                                  */

size_t scenario_n_leaves(const clv_scenario *s)
{
	return s->n_segments ? s->n_segments : 1;
}

clv_scenario *scenario_leaf(clv_scenario *s, size_t k)
{
	return s->n_segments ? s->segments[k] : s;
}

bool scenario_has_offers(const clv_scenario *s)
{
	size_t k;

	for (k = 0; k < s->n_segments; k++)
		if (s->segments[k]->n_offers > 0)
			return true;
	return s->n_offers > 0;
}

void scenario_start_in(clv_scenario *s, size_t i)
{
	size_t k, j;

	for (k = 0; k < s->n_segments; k++)
		scenario_start_in(s->segments[k], i);
	for (j = 0; j < s->n; j++)
		s->initial[j] = j == i;
	scenario_fix(&s->acquisition, 0.0);
	scenario_drop_correlations(s, "acquisition_cost");
}

/* ------------------------------------------------------------------ */
/* Assumptions and switching entries.                                  */

void scenario_fix(clv_param *p, double v)
{
	p->kind = DIST_FIXED;
	p->a = v;
	p->b = p->c = 0.0;
	p->per = PER_REPLICATION;
}

bool scenario_entry_of(const clv_scenario *s, const clv_param *p, size_t *i, size_t *j)
{
	size_t r, c;

	for (r = 0; r < s->n; r++)
		for (c = 0; !s->switching[r].dirichlet && c < s->n; c++)
			if (&s->switching[r].p[c] == p) {
				*i = r;
				*j = c;
				return true;
			}
	return false;
}

/* The row rule on the n entries p of a non-Dirichlet row: fix p[j] at v,
   rescale the other fixed entries. False (p unchanged) when they cannot
   make the row sum to 1. */
static bool pin_row(clv_param *p, size_t n, size_t j, double v)
{
	double fixed = 0.0, drawn = 0.0, room;
	size_t k;

	for (k = 0; k < n; k++) {
		if (k == j)
			continue;
		if (dist_is_uncertain(&p[k]))
			drawn += dist_mean(&p[k]);
		else
			fixed += p[k].a;
	}
	room = 1.0 - v - drawn;
	if (room < -ROW_TOLERANCE || (fixed <= 0.0 && fabs(room) > ROW_TOLERANCE))
		return false;
	for (k = 0; k < n && fixed > 0.0; k++)
		if (k != j && !dist_is_uncertain(&p[k]))
			p[k].a *= fmax(room, 0.0) / fixed;
	scenario_fix(&p[j], fixed > 0.0 ? v : 1.0 - drawn);
	return true;
}

clv_status scenario_pin_entry(clv_scenario *s, size_t i, size_t j, double v, clv_error *err)
{
	clv_param *p = s->switching[i].p;

	if (pin_row(p, s->n, j, v))
		return CLV_OK;
	return diag_set(err, CLV_ERR_INPUT, NULL, "%s = %.10g: the rest of row \"%s\" cannot be "
	                "rescaled to make the row sum to 1", p[j].label, v, s->states[i]);
}

clv_status scenario_set_value(clv_scenario *s, clv_param *p, double v, clv_error *err)
{
	size_t i, j;

	if (scenario_entry_of(s, p, &i, &j))
		return scenario_pin_entry(s, i, j, v, err);
	scenario_fix(p, v);
	return CLV_OK;
}

void scenario_zero_offer_spend(clv_scenario *s)
{
	size_t k, o;

	for (k = 0; k < scenario_n_leaves(s); k++)
		for (o = 0; o < scenario_leaf(s, k)->n_offers; o++) {
			scenario_fix(&scenario_leaf(s, k)->offers[o].cost, 0.0);
			scenario_fix(&scenario_leaf(s, k)->offers[o].margin_cut, 0.0);
		}
}

/* ------------------------------------------------------------------ */
/* Dirichlet rows, inputs at a quantile, assumptions at their means.   */

clv_status scenario_fix_dirichlet(clv_scenario *s, size_t i, clv_error *err)
{
	clv_row *row = &s->switching[i];
	clv_param *p = calloc(s->n, sizeof *p);
	double sum = 0.0;
	size_t j;

	if (p == NULL)
		return nomem(err);
	for (j = 0; j < s->n; j++)
		sum += row->alpha[j];
	for (j = 0; j < s->n; j++) {
		p[j].label = diag_strdupf("switching.%s.%s", s->states[i], s->states[j]);
		if (p[j].label == NULL) {
			while (j-- > 0)
				free(p[j].label);
			free(p);
			return nomem(err);
		}
		scenario_fix(&p[j], row->alpha[j] / sum);
		p[j].lo = 0.0;
		p[j].hi = 1.0;
		p[j].pos = row->pos;
	}
	free(row->alpha);
	row->alpha = NULL;
	row->p = p;
	row->dirichlet = false;
	return CLV_OK;
}

/* The Dirichlet row of s whose diagonal is called label, or NOT_FOUND. */
static size_t dirichlet_row_of(const clv_scenario *s, const char *label)
{
	static const char prefix[] = "switching.";
	size_t i, len;

	if (strncmp(label, prefix, sizeof prefix - 1) != 0)
		return NOT_FOUND;
	label += sizeof prefix - 1;
	for (i = 0; i < s->n; i++) {
		len = strlen(s->states[i]);
		if (s->switching[i].dirichlet && strncmp(label, s->states[i], len) == 0 &&
		    label[len] == '.' && strcmp(label + len + 1, s->states[i]) == 0)
			return i;
	}
	return NOT_FOUND;
}

clv_param scenario_dirichlet_diagonal(const clv_scenario *s, size_t i)
{
	clv_param p;
	double sum = 0.0;
	size_t j;

	memset(&p, 0, sizeof p);
	for (j = 0; j < s->n; j++)
		sum += s->switching[i].alpha[j];
	p.a = s->switching[i].alpha[i] / sum;
	p.hi = 1.0;
	if (s->switching[i].alpha[i] > 0.0 && sum - s->switching[i].alpha[i] > 0.0) {
		p.kind = DIST_BETA;
		p.a = s->switching[i].alpha[i];
		p.b = sum - s->switching[i].alpha[i];
	}
	return p;
}

clv_status scenario_pin_input(clv_scenario *s, const char *label, double u, clv_error *err)
{
	clv_param *p = scenario_param(s, label), d;
	size_t i;
	clv_status rc;

	if (p != NULL)
		return scenario_set_value(s, p, dist_quantile(p, u), err);
	i = dirichlet_row_of(s, label);
	if (i == NOT_FOUND)
		return CLV_OK;
	d = scenario_dirichlet_diagonal(s, i);
	rc = scenario_fix_dirichlet(s, i, err);
	if (rc == CLV_OK)
		rc = scenario_pin_entry(s, i, i, dist_quantile(&d, u), err);
	return rc;
}

void scenario_drop_correlations(clv_scenario *s, const char *label)
{
	size_t k, kept = 0;

	for (k = 0; k < s->n_correlations; k++) {
		clv_correlation *c = &s->correlations[k];
		if (label == NULL || strcmp(c->a, label) == 0 || strcmp(c->b, label) == 0) {
			free(c->a);
			free(c->b);
			continue;
		}
		s->correlations[kept++] = *c;
	}
	s->n_correlations = kept;
}

clv_status scenario_fix_outer_at_means(clv_scenario *s, clv_error *err)
{
	size_t k, n_params;
	clv_param **params = scenario_params_alloc(s, &n_params);
	clv_status rc = CLV_OK;

	if (params == NULL)
		return nomem(err);
	for (k = 0; k < n_params && rc == CLV_OK; k++)
		if (dist_is_per_replication(params[k]))
			rc = scenario_set_value(s, params[k], dist_mean(params[k]), err);
	for (k = 0; k < s->n && rc == CLV_OK; k++)
		if (s->switching[k].dirichlet)
			rc = scenario_fix_dirichlet(s, k, err);
	scenario_drop_correlations(s, NULL);
	free(params);
	return rc;
}

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
		return nomem(err);
	all = realloc(labels, (n + COUNT(words)) * sizeof *all);
	if (all == NULL) {
		free(labels);
		return nomem(err);
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
		nomem(err);
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

/* Entry (i, j) of a fixed row: set it, rescale the others (the row rule). */
static clv_status set_entry(clv_scenario *s, size_t i, size_t j, double value, clv_error *err)
{
	clv_row *r = &s->switching[i];
	size_t k;

	for (k = 0; k < s->n; k++)
		if (r->p[k].kind != DIST_FIXED)
			return diag_set(err, CLV_ERR_USAGE, NULL, "%s: row \"%s\" has uncertain entries; "
			                "only entries of a fixed row can be set", r->p[j].label,
			                s->states[i]);
	if (!pin_row(r->p, s->n, j, value))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g: the other entries of row \"%s\" "
		                "are all 0, so nothing can be rescaled", r->p[j].label, value,
		                s->states[i]);
	return CLV_OK;
}

static clv_status set_param(clv_scenario *s, const char *key, double value, clv_error *err)
{
	clv_param *p = scenario_param(s, key);
	size_t i, j;

	if (p == NULL && (p = add_retention(s, key, err)) == NULL)
		return err->status != CLV_OK ? err->status : unknown_key(s, key, err);
	if (value < p->lo || value > p->hi || (validate_lo_open(p) && value == p->lo))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g is outside %s%.10g, %.10g]", key,
		                value, validate_lo_open(p) ? "(" : "[", p->lo, p->hi);
	if (strcmp(key, "purchases_per_period") == 0 && value != floor(value))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g must be a whole number", key,
		                value);
	if (scenario_entry_of(s, p, &i, &j))
		return set_entry(s, i, j, value, err);
	scenario_fix(p, value);
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
