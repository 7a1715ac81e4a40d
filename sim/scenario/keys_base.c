/*
 * keys_base.c - scenario stage, step 3 of a load: the optional key
 * customer_base (docs/scenarios.md, "Customer base"), read into s->base:
 *
 *   customer_base:
 *     customers: 120000               # N, customers at period 0
 *     acquired_per_period: 8000       # M, a number, a distribution (drawn
 *                                     #    per replication) or a list M_1..M_L
 *     acquired_initial: [0.5, 0.3, 0.2]  # where new customers start
 *                                     #    (default: initial)
 *
 * The rules: N a whole number in [0, 1e12]; M at least 0 (at most 1e12),
 * a distribution only per replication; a list's entries fixed numbers, as
 * many as the periods 1..horizon for a finite horizon (any number for an
 * infinite one: none are acquired after the list); acquired_initial like
 * `initial` (fixed shares summing to 1 within 1e-9, a list or a map).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

#define BASE_LIMIT 1e12

static const quantity Q_CUSTOMERS = {"a number of customers", 0.0, BASE_LIMIT, false,
                                     CLV_ERR_INPUT};
static const char LABEL[] = "customer_base.acquired_per_period";

static clv_status parse_customers(const loader *ld, clv_scenario *s, const yamlnode *map)
{
	const yamlnode *node = yamlnode_get(map, "customers");

	return value_whole(ld, node, "customer_base.customers", 0.0, BASE_LIMIT, CLV_ERR_INPUT,
	                   &s->base.customers);
}

/* A list M_1..M_L of fixed counts. */
static clv_status parse_list(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	clv_base *b = &s->base;
	clv_status rc = CLV_OK;
	size_t t;

	if (node->n == 0)
		return value_error(ld, node, CLV_ERR_INPUT, "%s: a list needs one entry per period "
		                   "1, 2, ...", LABEL);
	if (!s->infinite && node->n != (size_t)s->horizon)
		return value_error(ld, node, CLV_ERR_INPUT, "%s has %zu entries, expected %ld (one per "
		                   "period 1..%ld of the horizon; new customers arrive at the start "
		                   "of each)", LABEL, node->n, s->horizon, s->horizon);
	if ((b->acquired_list = calloc(node->n, sizeof *b->acquired_list)) == NULL)
		return value_nomem(ld->err);
	b->n_acquired_list = node->n;
	for (t = 0; t < node->n && rc == CLV_OK; t++) {
		char label[96];
		snprintf(label, sizeof label, "%s[%zu]", LABEL, t + 1);
		if (node->item[t]->kind == YAMLNODE_MAP)
			return value_error(ld, node->item[t], CLV_ERR_INPUT, "%s: the entries of a list "
			                   "are fixed numbers (give one distribution for every period "
			                   "instead)", label);
		rc = value_number(ld, node->item[t], label, &b->acquired_list[t]);
		if (rc == CLV_OK)
			rc = value_check_range(ld, node->item[t], label, &Q_CUSTOMERS, b->acquired_list[t]);
	}
	return rc;
}

static clv_status parse_acquired(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	clv_status rc;

	if (node != NULL && node->kind == YAMLNODE_SEQ) {
		rc = value_default_param(ld, LABEL, &Q_CUSTOMERS, 1.0, &s->base.acquired);
		return rc == CLV_OK ? parse_list(ld, s, node) : rc;
	}
	rc = value_param_or_default(ld, node, LABEL, &Q_CUSTOMERS, 0.0, &s->base.acquired);
	if (rc == CLV_OK && s->base.acquired.kind != DIST_FIXED &&
	    s->base.acquired.per != PER_REPLICATION)
		rc = value_error(ld, node, CLV_ERR_INPUT, "%s: new customers per period are drawn "
		                 "once per replication (the whole market's inflow), not per %s",
		                 LABEL, "customer");
	return rc;
}

/* acquired_initial: fixed shares, a list in state order or a map. */
static clv_status parse_start(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	double sum = 0.0;
	char desc[64];
	clv_status rc = CLV_OK;
	size_t i;

	if (node->kind == YAMLNODE_MAP && !value_is_dist(node))
		rc = keys_by_state(ld, s, node, "customer_base.acquired_initial", true, slot);
	else if (node->kind == YAMLNODE_SEQ && node->n == s->n)
		for (i = 0; i < s->n; i++)
			slot[i] = node->item[i];
	else
		return value_error(ld, node, CLV_ERR_INPUT, "customer_base.acquired_initial must be a "
		                   "list of %zu fixed shares in state order or a map state: share, "
		                   "found %s", s->n, value_is_dist(node) ? "a distribution" :
		                   yamlnode_describe(node, desc, sizeof desc));
	if (rc == CLV_OK && (s->base.acquired_initial = calloc(s->n, sizeof(double))) == NULL)
		return value_nomem(ld->err);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char label[512];
		snprintf(label, sizeof label, "customer_base.acquired_initial.%s", s->states[i]);
		rc = value_number(ld, slot[i], label, &s->base.acquired_initial[i]);
		if (rc == CLV_OK)
			rc = value_check_range(ld, slot[i], label, &Q_PROB, s->base.acquired_initial[i]);
		sum += s->base.acquired_initial[i];
	}
	if (rc == CLV_OK && fabs(sum - 1.0) > SUM_TOLERANCE)
		rc = value_error(ld, node, CLV_ERR_INPUT, "customer_base.acquired_initial sums to "
		                 "%.12g, not 1 (difference %.3g; it must sum to 1 within 1e-9; clvsim "
		                 "never renormalises)", sum, sum - 1.0);
	return rc;
}

clv_status keys_base(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	static const char *const keys[] = {"customers", "acquired_per_period", "acquired_initial"};
	const yamlnode *map = yamlnode_get(top, "customer_base"), *start;
	char desc[64];
	bool bad;
	clv_status rc;

	if (map == NULL)
		return CLV_OK;
	if (map->kind != YAMLNODE_MAP || value_is_dist(map))
		return value_error(ld, map, CLV_ERR_INPUT, "customer_base must be a map {customers: N, "
		                   "acquired_per_period: M}, found %s", value_is_dist(map) ?
		                   "a distribution" : yamlnode_describe(map, desc, sizeof desc));
	s->base.given = true;
	s->base.pos = value_pos(ld, map);
	/* unknown keys, then each field on its own */
	rc = value_check_keys(ld, map, keys, COUNT(keys), "customer_base");
	if (rc != CLV_OK && ld->err->status != CLV_OK)
		return rc;
	bad = rc != CLV_OK;
	rc = value_part(ld, value_check_required(ld, map, keys, 1, "customer_base"), &bad);
	if (rc == CLV_OK && yamlnode_has(map, "customers"))
		rc = value_part(ld, parse_customers(ld, s, map), &bad);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_acquired(ld, s, yamlnode_get(map, "acquired_per_period")),
		                &bad);
	if (rc == CLV_OK && (start = yamlnode_get(map, "acquired_initial")) != NULL)
		rc = value_part(ld, parse_start(ld, s, start), &bad);
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}
