/*
 * keys_offers.c - scenario stage, step 3 of a load (after keys.c's
 * per-state keys, since these name states and assumptions): `campaign`
 * and `price_discount` (one map or a list of maps each) into s->offers,
 * and `correlations` ([label, label, rho] entries naming uncertain
 * assumptions) into s->correlations. An offer's labels are "campaign.cost",
 * or "campaign[1].cost" when there are several of a kind.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "scenario/scenario.h"
#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

static const char *const OFFER_KEYS[] = {"brand", "cost", "target", "retention_uplift",
                                         "win_from", "margin_cut", "periods"};
static const char *const TARGETS[] = {"own", "all"};

/* ------------------------------------------------------------------ */
/* Offers: campaign and price_discount.                                */

static size_t offers_in(const yamlnode *node)
{
	if (node == NULL)
		return 0;
	return node->kind == YAMLNODE_SEQ ? node->n : 1;
}

static clv_status offer_brand(const loader *ld, const clv_scenario *s, const yamlnode *map,
                              const char *prefix, clv_offer *o)
{
	const yamlnode *brand = yamlnode_get(map, "brand");
	char desc[64], tip[128];

	if (brand == NULL)
		return value_error(ld, map, CLV_ERR_INPUT,
		                   "missing required key \"brand\" in %s (the state "
		                   "running it)", prefix);
	if (!value_is_string(brand))
		return value_error(ld, brand, CLV_ERR_INPUT, "%s.brand: expected a state name, found %s",
		                   prefix, yamlnode_describe(brand, desc, sizeof desc));
	o->brand = scenario_state_index(s, brand->text);
	if (o->brand == NOT_FOUND)
		return value_error(ld, brand, CLV_ERR_INPUT, "%s.brand: \"%s\" is not a state%s", prefix,
		                   brand->text, value_hint(brand->text, (const char *const *)s->states,
		                                           s->n, tip, sizeof tip));
	return CLV_OK;
}

static clv_status offer_win_from(const loader *ld, const clv_scenario *s, const yamlnode *map,
                                 const char *prefix, clv_offer *o)
{
	const yamlnode *node = yamlnode_get(map, "win_from"), *slot[CLV_MAX_STATES];
	char what[256], desc[64];
	clv_status rc = CLV_OK;
	bool bad = false;
	size_t r;

	if ((o->win_from = calloc(s->n, sizeof *o->win_from)) == NULL)
		return value_nomem(ld->err);
	snprintf(what, sizeof what, "%s.win_from", prefix);
	if (node != NULL && (node->kind != YAMLNODE_MAP || value_is_dist(node)))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s must be a map rival: probability, found %s",
		                   what, yamlnode_describe(node, desc, sizeof desc));
	if (node != NULL)
		rc = keys_by_state(ld, s, node, what, false, slot);
	if (rc == CLV_OK && node != NULL && slot[o->brand] != NULL)
		return value_error(ld, slot[o->brand], CLV_ERR_INPUT,
		                   "%s: a brand cannot win customers from "
		                   "itself (use retention_uplift)", what);
	for (r = 0; r < s->n && rc == CLV_OK; r++) {
		char *label = diag_strdupf("%s.%s", what, s->states[r]);
		if (label == NULL)
			return value_nomem(ld->err);
		if (node == NULL || slot[r] == NULL)
			rc = value_default_param(ld, label, &Q_PROB, 0.0, &o->win_from[r]);
		else
			rc = value_part(ld, value_param(ld, slot[r], label, &Q_PROB, ALLOW_ANY,
			                                &o->win_from[r]), &bad);
		free(label);
	}
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}

static clv_status offer_field(const loader *ld, const yamlnode *map, const char *prefix,
                              const char *key, const quantity *q, clv_param *p)
{
	char label[256];

	snprintf(label, sizeof label, "%s.%s", prefix, key);
	return value_param_or_default(ld, yamlnode_get(map, key), label, q, 0.0, p);
}

static clv_status offer_periods(const loader *ld, const yamlnode *map, const char *prefix,
                                clv_offer *o)
{
	const yamlnode *node = yamlnode_get(map, "periods");
	char what[256];
	double v;

	o->periods = LONG_MAX;
	if (node == NULL)
		return CLV_OK;
	snprintf(what, sizeof what, "%s.periods", prefix);
	if (value_whole(ld, node, what, 1.0, (double)CLV_MAX_HORIZON + 1.0, CLV_ERR_LIMIT, &v) !=
	    CLV_OK)
		return ld->err->status;
	o->periods = (long)v;
	return CLV_OK;
}

static clv_status parse_offer(const loader *ld, const clv_scenario *s, const yamlnode *map,
                              const char *kind, const char *prefix, clv_offer *o)
{
	const yamlnode *target = yamlnode_get(map, "target");
	char desc[64], what[256];
	size_t which = 0;
	bool unknown, no_brand = false, bad = false;
	clv_status rc;

	if ((o->label = strdup(kind)) == NULL)
		return value_nomem(ld->err);
	o->pos = value_pos(ld, map);
	if (map->kind != YAMLNODE_MAP)
		return value_error(ld, map, CLV_ERR_INPUT,
		                   "%s must be a map (brand, cost, ...) or a list of "
		                   "maps, found %s", prefix, yamlnode_describe(map, desc, sizeof desc));
	/* each field on its own; win_from needs the brand, and a brand taken
	   for an unknown key ("brnad") is not missing twice */
	rc = value_check_keys(ld, map, OFFER_KEYS, COUNT(OFFER_KEYS), prefix);
	if (rc != CLV_OK && ld->err->status != CLV_OK)
		return rc;
	unknown = rc != CLV_OK;
	rc = CLV_OK;
	if (unknown && !yamlnode_has(map, "brand"))
		no_brand = true;
	else
		rc = value_part(ld, offer_brand(ld, s, map, prefix, o), &no_brand);
	if (rc == CLV_OK)
		rc = value_part(ld, offer_field(ld, map, prefix, "cost", &Q_MONEY, &o->cost), &bad);
	if (rc == CLV_OK)
		rc = value_part(ld, offer_field(ld, map, prefix, "margin_cut", &Q_SHARE,
		                                &o->margin_cut), &bad);
	if (rc == CLV_OK)
		rc = value_part(ld, offer_field(ld, map, prefix, "retention_uplift", &Q_PROB,
		                                &o->retention_uplift), &bad);
	if (rc == CLV_OK && !no_brand)
		rc = value_part(ld, offer_win_from(ld, s, map, prefix, o), &bad);
	snprintf(what, sizeof what, "%s.target", prefix);
	if (rc == CLV_OK && target != NULL)
		rc = value_part(ld, value_word(ld, target, what, TARGETS, COUNT(TARGETS), &which),
		                &bad);
	o->target_all = which == 1;
	if (rc == CLV_OK)
		rc = value_part(ld, offer_periods(ld, map, prefix, o), &bad);
	return rc == CLV_OK && (unknown || no_brand || bad) ? CLV_ERR_INPUT : rc;
}

static clv_status parse_offer_kind(const loader *ld, clv_scenario *s, const yamlnode *node,
                                   const char *kind)
{
	size_t k, n = offers_in(node);
	clv_status rc = CLV_OK;

	for (k = 0; k < n && rc == CLV_OK; k++) {
		const yamlnode *map = node->kind == YAMLNODE_SEQ ? node->item[k] : node;
		char prefix[64];
		if (n > 1)
			snprintf(prefix, sizeof prefix, "%s[%zu]", kind, k);
		else
			snprintf(prefix, sizeof prefix, "%s", kind);
		rc = value_part(ld, parse_offer(ld, s, map, kind, prefix, &s->offers[s->n_offers++]),
		                &ld->gaps->offers);
	}
	return rc;
}

clv_status keys_offers(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *campaign = yamlnode_get(top, "campaign");
	const yamlnode *discount = yamlnode_get(top, "price_discount");
	size_t n = offers_in(campaign) + offers_in(discount);
	clv_status rc;

	if (n == 0)
		return CLV_OK;
	if ((s->offers = calloc(n, sizeof *s->offers)) == NULL)
		return value_nomem(ld->err);
	rc = parse_offer_kind(ld, s, campaign, "campaign");
	if (rc == CLV_OK)
		rc = parse_offer_kind(ld, s, discount, "price_discount");
	if (rc == CLV_OK && !ld->gaps->offers)
		rc = validate_offers_share_periods(s, ld->err);
	return rc == CLV_OK && ld->gaps->offers ? CLV_ERR_INPUT : rc;
}

/* ------------------------------------------------------------------ */
/* Correlations.                                                       */

static clv_status corr_label(const loader *ld, clv_scenario *s, const yamlnode *node,
                             char **out)
{
	const clv_param *p;
	char desc[64], tip[128];
	const char **labels;
	size_t n = 0;

	if (!value_is_string(node))
		return value_error(ld, node, CLV_ERR_INPUT, "correlations: expected an assumption label "
		                   "(e.g. margin.A), found %s",
		                   yamlnode_describe(node, desc, sizeof desc));
	p = scenario_param(s, node->text);
	if (p != NULL && !dist_is_uncertain(p))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "correlations: \"%s\" is a fixed number; only "
		                   "uncertain assumptions (distributions) can be correlated", node->text);
	if (p == NULL) {
		if ((labels = params_labels_alloc(s, &n)) == NULL)
			return value_nomem(ld->err);
		value_hint(node->text, labels, n, tip, sizeof tip);
		free(labels);
		return value_error(ld, node, CLV_ERR_INPUT, "correlations: no assumption is labelled "
		                   "\"%s\"%s", node->text, tip);
	}
	*out = strdup(node->text);
	return *out != NULL ? CLV_OK : value_nomem(ld->err);
}

static clv_status parse_correlation(const loader *ld, clv_scenario *s, const yamlnode *node,
                                    clv_correlation *c)
{
	clv_status rc;

	c->pos = value_pos(ld, node);
	if (node->kind != YAMLNODE_SEQ || node->n != 3)
		return value_error(ld, node, CLV_ERR_INPUT, "correlations: each entry must be a list "
		                   "[label, label, rho]");
	rc = corr_label(ld, s, node->item[0], &c->a);
	if (rc == CLV_OK)
		rc = corr_label(ld, s, node->item[1], &c->b);
	if (rc == CLV_OK)
		rc = value_number(ld, node->item[2], "correlations: rho", &c->rho);
	if (rc == CLV_OK && !(c->rho > -1.0 && c->rho < 1.0))
		rc = value_error(ld, node->item[2], CLV_ERR_INPUT,
		                 "correlations: rho = %s must lie strictly "
		                 "between -1 and 1", node->item[2]->text);
	return rc;
}

clv_status keys_correlations(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	char desc[64];
	clv_status rc = CLV_OK;
	size_t k;

	if (node == NULL)
		return CLV_OK;
	if (node->kind != YAMLNODE_SEQ)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "correlations must be a list of [label, label, "
		                   "rho], found %s", yamlnode_describe(node, desc, sizeof desc));
	if (node->n == 0)
		return CLV_OK;
	if ((s->correlations = calloc(node->n, sizeof *s->correlations)) == NULL)
		return value_nomem(ld->err);
	/* each entry on its own; the rules between them (a pair given twice,
	   consistency) only when all were read */
	for (k = 0; k < node->n && rc == CLV_OK; k++)
		rc = value_part(ld, parse_correlation(ld, s, node->item[k],
		                                      &s->correlations[s->n_correlations++]),
		                &ld->gaps->correlations);
	return rc == CLV_OK && ld->gaps->correlations ? CLV_ERR_INPUT : rc;
}
