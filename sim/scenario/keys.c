/*
 * keys.c - scenario stage, step 3 of a load: interpret the merged YAML tree
 * key by key into a clv_scenario (keys_build), checking types, names and
 * ranges where the node, and so the place, is at hand: name, currency,
 * states, initial, switching (rows of entries or Dirichlet rows),
 * retention, horizon, period, discount_rate, purchases_per_period, the
 * money keys (per state or single), customers, replications, seed. The
 * offers and correlations are read by keys_offers.c, the rules between
 * keys checked by validate.c, segments built by segments.c.
 *
 * A per-state key is a list in state order or a map state: value; a map
 * must name every state unless the key is optional per state (retention).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"
#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

#define DEFAULT_CUSTOMERS 10000
#define DEFAULT_REPLICATIONS 200
#define DEFAULT_SEED 42

static const char *const TOP_KEYS[] = {
	"name", "states", "initial", "switching", "retention", "horizon", "period",
	"discount_rate", "purchases_per_period", "margin", "cost_per_period", "referral_value",
	"acquisition_cost", "spend_growth", "campaign", "price_discount", "correlations",
	"segments", "base", "customers", "replications", "seed", "currency", "customer_base"};
static const char *const REQUIRED_KEYS[] = {"states", "initial", "switching", "horizon",
                                            "discount_rate", "margin"};

static const struct {
	const char *name;
	double per_year;
} PERIODS[] = {{"day", 365}, {"week", 52}, {"month", 12}, {"quarter", 4},
               {"half-year", 2}, {"year", 1}, {"period", 0}};

bool keys_is_top(const char *key)
{
	return value_index_of(key, TOP_KEYS, COUNT(TOP_KEYS)) != NOT_FOUND;
}

/* ------------------------------------------------------------------ */
/* States and per-state maps.                                          */

static clv_status state_name(const loader *ld, const clv_scenario *s, size_t i,
                             const yamlnode *node)
{
	char desc[64];
	size_t j;

	if (!value_is_string(node))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "states: a state name must be a non-empty string, found %s",
		                   yamlnode_describe(node, desc, sizeof desc));
	if (strcmp(node->text, "total") == 0 || strcmp(node->text, "offer_spend") == 0)
		return value_error(ld, node, CLV_ERR_INPUT, "state name \"%s\" is reserved (reports "
		                   "use it for %s)", node->text, node->text[0] == 't' ?
		                   "the sum over states" : "what the offers cost, beside the states");
	for (j = 0; j < i; j++)
		if (strcmp(s->states[j], node->text) == 0)
			return value_error(ld, node, CLV_ERR_INPUT,
			                   "duplicate state \"%s\" (state names must "
			                   "be unique)", node->text);
	return CLV_OK;
}

/* Every per-state array, n entries, zeroed. */
static clv_status alloc_states(const loader *ld, clv_scenario *s, size_t n)
{
	s->states = calloc(n, sizeof *s->states);
	s->initial = calloc(n, sizeof *s->initial);
	s->switching = calloc(n, sizeof *s->switching);
	s->retention = calloc(n, sizeof *s->retention);
	s->has_retention = calloc(n, sizeof *s->has_retention);
	s->margin = calloc(n, sizeof *s->margin);
	s->cost = calloc(n, sizeof *s->cost);
	s->referral = calloc(n, sizeof *s->referral);
	s->n = n;
	if (!s->states || !s->initial || !s->switching || !s->retention || !s->has_retention ||
	    !s->margin || !s->cost || !s->referral)
		return value_nomem(ld->err);
	return CLV_OK;
}

static clv_status parse_states(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	char desc[64];
	clv_status rc;
	size_t i;

	if (node->kind != YAMLNODE_SEQ)
		return value_error(ld, node, CLV_ERR_INPUT, "states must be a list of names, found %s",
		                   yamlnode_describe(node, desc, sizeof desc));
	if (node->n == 0)
		return value_error(ld, node, CLV_ERR_INPUT, "states: at least one state is needed");
	if (node->n > CLV_MAX_STATES)
		return value_error(ld, node, CLV_ERR_LIMIT, "states: %zu states, over the limit of %d",
		                   node->n, CLV_MAX_STATES);
	rc = alloc_states(ld, s, node->n);
	for (i = 0; i < node->n && rc == CLV_OK; i++) {
		rc = state_name(ld, s, i, node->item[i]);
		if (rc == CLV_OK && (s->states[i] = strdup(node->item[i]->text)) == NULL)
			rc = value_nomem(ld->err);
	}
	return rc;
}

/* The state named by key node k of a per-state map. */
static clv_status state_key(const loader *ld, const clv_scenario *s, const yamlnode *k,
                            const char *what, size_t *out)
{
	char tip[128];

	*out = scenario_state_index(s, k->text);
	if (*out != NOT_FOUND)
		return CLV_OK;
	return value_error(ld, k, CLV_ERR_INPUT, "%s: \"%s\" is not a state%s", what, k->text,
	                   value_hint(k->text, (const char *const *)s->states, s->n, tip,
	                              sizeof tip));
}

/* Sort the values of a map by state: slot[i] = value for state i or NULL.
   With `all`, every state must be named. */
clv_status keys_by_state(const loader *ld, const clv_scenario *s, const yamlnode *map,
                         const char *what, bool all, const yamlnode **slot)
{
	clv_status rc = CLV_OK;
	bool unknown = false;
	size_t i, at;

	for (i = 0; i < s->n; i++)
		slot[i] = NULL;
	for (i = 0; i < map->n && rc == CLV_OK; i++) {
		if (state_key(ld, s, map->key[i], what, &at) == CLV_OK)
			slot[at] = map->item[i];
		else
			rc = value_part(ld, ld->err->status, &unknown);
	}
	/* a state missing beside a key that is not a state: the key was
	   probably meant for it (said once, at the key) */
	if (rc == CLV_OK && unknown)
		return CLV_ERR_INPUT;
	for (i = 0; i < s->n && rc == CLV_OK && all; i++)
		if (slot[i] == NULL)
			rc = value_error(ld, map, CLV_ERR_INPUT,
			                 "%s: no value for state \"%s\" (a map must name every state)", what,
			                 s->states[i]);
	return rc;
}

/* A per-state list (length n) or map (every state) into slot[]. */
static clv_status list_or_map(const loader *ld, const clv_scenario *s, const yamlnode *node,
                              const char *what, const yamlnode **slot)
{
	char desc[64];
	size_t i;

	if (node->kind == YAMLNODE_MAP)
		return keys_by_state(ld, s, node, what, true, slot);
	if (node->kind != YAMLNODE_SEQ)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s must be a list in state order or a map state: value, found %s",
		                   what, yamlnode_describe(node, desc, sizeof desc));
	if (node->n != s->n)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s has %zu entries, expected %zu (one per state)", what, node->n,
		                   s->n);
	for (i = 0; i < s->n; i++)
		slot[i] = node->item[i];
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* initial, switching, retention.                                      */

static clv_status check_sum(const loader *ld, const yamlnode *node, const char *what,
                            double sum)
{
	if (fabs(sum - 1.0) <= SUM_TOLERANCE)
		return CLV_OK;
	return value_error(ld, node, CLV_ERR_INPUT,
	                   "%s sums to %.12g, not 1 (difference %.3g; it must sum to 1 within 1e-9; "
	                   "clvsim never renormalises)", what, sum, sum - 1.0);
}

static clv_status parse_initial(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	double sum = 0.0;
	bool bad = false;
	clv_status rc;
	size_t i;

	if (node->kind == YAMLNODE_MAP && value_is_dist(node))
		return value_error(ld, node, CLV_ERR_INPUT, "initial takes fixed numbers only");
	rc = list_or_map(ld, s, node, "initial", slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char label[512];
		clv_status one;
		snprintf(label, sizeof label, "initial.%s", s->states[i]);
		one = value_number(ld, slot[i], label, &s->initial[i]);
		if (one == CLV_OK)
			one = value_check_range(ld, slot[i], label, &Q_PROB, s->initial[i]);
		rc = value_part(ld, one, &bad);
		sum += s->initial[i];
	}
	if (rc == CLV_OK && bad)
		return CLV_ERR_INPUT; /* no sum of entries that could not be read */
	if (rc == CLV_OK)
		rc = check_sum(ld, node, "initial", sum);
	return rc;
}

static clv_status parse_dirichlet(const loader *ld, clv_scenario *s, size_t i,
                                  const yamlnode *map)
{
	static const char *const keys[] = {"dist", "alpha"};
	const yamlnode *alpha = yamlnode_get(map, "alpha");
	clv_row *r = &s->switching[i];
	char where[512], what[512];
	bool bad = false;
	clv_status rc;
	size_t j;

	snprintf(where, sizeof where, "the dirichlet row of \"%s\"", s->states[i]);
	rc = value_check_keys(ld, map, keys, COUNT(keys), where);
	if (rc == CLV_OK && alpha == NULL)
		rc = value_error(ld, map, CLV_ERR_INPUT, "switching row \"%s\": a dirichlet row needs "
		                 "\"alpha\"", s->states[i]);
	if (rc == CLV_OK && (alpha->kind != YAMLNODE_SEQ || alpha->n != s->n))
		rc = value_error(ld, alpha, CLV_ERR_INPUT,
		                 "switching row \"%s\": alpha must be a list of "
		                 "%zu numbers (one per state)", s->states[i], s->n);
	if (rc != CLV_OK)
		return rc;
	r->dirichlet = true;
	if ((r->alpha = calloc(s->n, sizeof *r->alpha)) == NULL)
		return value_nomem(ld->err);
	for (j = 0; j < s->n && rc == CLV_OK; j++) {
		clv_status one;
		snprintf(what, sizeof what, "switching row \"%s\": alpha for \"%s\"", s->states[i],
		         s->states[j]);
		one = value_number(ld, alpha->item[j], what, &r->alpha[j]);
		if (one == CLV_OK && !(r->alpha[j] > 0.0))
			one = value_error(ld, alpha->item[j], CLV_ERR_INPUT, "%s = %s must be > 0", what,
			                  alpha->item[j]->text);
		rc = value_part(ld, one, &bad);
	}
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}

static clv_status parse_entries(const loader *ld, clv_scenario *s, size_t i,
                                const yamlnode *row)
{
	clv_row *r = &s->switching[i];
	clv_status rc = CLV_OK;
	bool bad = false;
	size_t j;

	if (row->n != s->n)
		return value_error(ld, row, CLV_ERR_INPUT,
		                   "switching row \"%s\" has %zu entries, expected %zu (one per state)",
		                   s->states[i], row->n, s->n);
	if ((r->p = calloc(s->n, sizeof *r->p)) == NULL)
		return value_nomem(ld->err);
	for (j = 0; j < s->n && rc == CLV_OK; j++) {
		char *label = diag_strdupf("switching.%s.%s", s->states[i], s->states[j]);
		if (label == NULL)
			return value_nomem(ld->err);
		rc = value_part(ld, value_param(ld, row->item[j], label, &Q_PROB, ALLOW_ANY, &r->p[j]),
		                &bad);
		free(label);
	}
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}

static clv_status parse_row(const loader *ld, clv_scenario *s, size_t i, const yamlnode *row)
{
	const yamlnode *kind = yamlnode_get(row, "dist");
	char desc[64];

	s->switching[i].pos = value_pos(ld, row);
	if (row->kind == YAMLNODE_SEQ)
		return parse_entries(ld, s, i, row);
	if (kind != NULL && kind->kind == YAMLNODE_SCALAR && strcmp(kind->text, "dirichlet") == 0)
		return parse_dirichlet(ld, s, i, row);
	if (kind != NULL)
		return value_error(ld, row, CLV_ERR_INPUT,
		                   "switching row \"%s\": a whole row can only be "
		                   "{dist: dirichlet, alpha: [...]}; give other distributions per entry",
		                   s->states[i]);
	return value_error(ld, row, CLV_ERR_INPUT,
	                   "switching row \"%s\" must be a list of %zu entries "
	                   "or {dist: dirichlet, alpha: [...]}, found %s", s->states[i], s->n,
	                   yamlnode_describe(row, desc, sizeof desc));
}

static clv_status parse_switching(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	char desc[64];
	clv_status rc;
	size_t i;

	for (i = 0; i < s->n; i++)
		ld->gaps->row[i] = true; /* until read */
	if (node->kind == YAMLNODE_SEQ && node->n != s->n)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "switching has %zu rows, expected %zu (one per "
		                   "state)", node->n, s->n);
	if (node->kind == YAMLNODE_MAP && value_is_dist(node))
		return value_error(ld, node, CLV_ERR_INPUT, "switching must be a list of rows or a map "
		                   "state: row, found a distribution");
	if (node->kind == YAMLNODE_SCALAR)
		return value_error(ld, node, CLV_ERR_INPUT, "switching must be a list of rows or a map "
		                   "state: row, found %s", yamlnode_describe(node, desc, sizeof desc));
	rc = list_or_map(ld, s, node, "switching", slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++)
		ld->gaps->row[i] = false;
	for (i = 0; i < s->n && rc == CLV_OK; i++)
		rc = value_part(ld, parse_row(ld, s, i, slot[i]), &ld->gaps->row[i]);
	return rc;
}

static clv_status parse_retention(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	char desc[64];
	clv_status rc;
	size_t i;

	if (node->kind != YAMLNODE_MAP || value_is_dist(node))
		return value_error(ld, node, CLV_ERR_INPUT, "retention must be a map state: value (e.g. "
		                   "{A: 0.8}), found %s", value_is_dist(node) ? "a distribution" :
		                   yamlnode_describe(node, desc, sizeof desc));
	rc = keys_by_state(ld, s, node, "retention", false, slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char *label;
		if (slot[i] == NULL)
			continue;
		if ((label = diag_strdupf("retention.%s", s->states[i])) == NULL)
			return value_nomem(ld->err);
		rc = value_part(ld, value_param(ld, slot[i], label, &Q_PROB, ALLOW_ANY,
		                                &s->retention[i]), &ld->gaps->retention[i]);
		s->has_retention[i] = true;
		free(label);
	}
	return rc;
}

/* ------------------------------------------------------------------ */
/* Time: horizon, period, discount rate, purchases.                    */

static bool numeric_text(const yamlnode *node)
{
	char *end;

	if (node->kind != YAMLNODE_SCALAR || !node->plain || yamlnode_is_null(node))
		return false;
	strtod(node->text, &end);
	return end != node->text && *end == '\0';
}

static clv_status parse_horizon(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	char desc[64];
	double v;

	if (node->kind == YAMLNODE_SCALAR && node->plain && strcmp(node->text, "infinite") == 0) {
		s->infinite = true;
		s->horizon = 0;
		return CLV_OK;
	}
	if (!numeric_text(node) && !value_yaml_special(node->text ? node->text : "", ".inf"))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "horizon must be a whole number of periods >= 0 or the word "
		                   "infinite, found %s", yamlnode_describe(node, desc, sizeof desc));
	if (value_whole(ld, node, "horizon", 0.0, (double)CLV_MAX_HORIZON, CLV_ERR_LIMIT, &v) !=
	    CLV_OK)
		return ld->err->status;
	s->horizon = (long)v;
	return CLV_OK;
}

static clv_status parse_period(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const char *words[COUNT(PERIODS)];
	size_t i, at = COUNT(PERIODS) - 1;
	clv_status rc = CLV_OK;

	for (i = 0; i < COUNT(PERIODS); i++)
		words[i] = PERIODS[i].name;
	if (node != NULL)
		rc = value_word(ld, node, "period", words, COUNT(words), &at);
	if (rc != CLV_OK)
		return rc;
	s->period = strdup(words[at]);
	s->periods_per_year = PERIODS[at].per_year;
	return s->period != NULL ? CLV_OK : value_nomem(ld->err);
}

static clv_status parse_discount(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	static const char *const keys[] = {"annual", "dist"};
	const yamlnode *value = node;
	clv_status rc;

	if (node->kind == YAMLNODE_MAP && !value_is_dist(node)) {
		rc = value_check_keys(ld, node, keys, COUNT(keys), "discount_rate");
		if (rc != CLV_OK)
			return rc;
		if ((value = yamlnode_get(node, "annual")) == NULL)
			return value_error(ld, node, CLV_ERR_INPUT, "discount_rate: a map must be {annual: "
			                   "RATE} or a distribution {dist: ...}");
		s->discount_annual = true;
		if (s->periods_per_year <= 0.0 && !ld->gaps->period)
			return value_error(ld, node, CLV_ERR_INPUT,
			                   "discount_rate: {annual: ...} needs a period "
			                   "of known length, but period is \"%s\" (set period: to day, week, "
			                   "month, quarter, half-year or year, or give the rate per period)",
			                   s->period);
	}
	return value_param(ld, value, "discount_rate", &Q_RATE, ALLOW_ANY, &s->discount);
}

static clv_status parse_purchases(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const char *label = "purchases_per_period";
	clv_status rc;

	if (node == NULL)
		return value_default_param(ld, label, &Q_COUNT, 1.0, &s->purchases);
	rc = value_param(ld, node, label, &Q_COUNT, ALLOW_POISSON_ONLY, &s->purchases);
	if (rc == CLV_OK && s->purchases.kind == DIST_FIXED &&
	    s->purchases.a != floor(s->purchases.a))
		rc = value_error(ld, node, CLV_ERR_INPUT,
		                 "purchases_per_period must be a whole number, found %s (for an "
		                 "average, use {dist: poisson, mean: %s})", node->text, node->text);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Money: per state or single.                                         */

/* A number, a distribution (each state its own copy) or a map per state. */
static clv_status parse_per_state(const loader *ld, const clv_scenario *s, const yamlnode *node,
                                  const char *key, const quantity *q, double dflt,
                                  clv_param *out)
{
	const yamlnode *slot[CLV_MAX_STATES];
	clv_status rc = CLV_OK;
	bool bad = false;
	size_t i;

	bool per_state = node != NULL && node->kind == YAMLNODE_MAP && !value_is_dist(node);

	if (node != NULL && node->kind == YAMLNODE_SEQ)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s must be a number, a distribution {dist: ...} "
		                   "or a map state: value, found a list", key);
	if (per_state)
		rc = keys_by_state(ld, s, node, key, true, slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char *label = diag_strdupf("%s.%s", key, s->states[i]);
		if (label == NULL)
			return value_nomem(ld->err);
		rc = value_part(ld, value_param_or_default(ld, per_state ? slot[i] : node, label, q,
		                                           dflt, &out[i]), &bad);
		free(label);
		/* one number or distribution for every state: one problem */
		if (bad && !per_state)
			break;
	}
	return rc == CLV_OK && bad ? CLV_ERR_INPUT : rc;
}
/* ------------------------------------------------------------------ */
/* Sizes: customers, replications, seed.                               */

static clv_status parse_count(const loader *ld, const yamlnode *top, const char *key,
                              double max, uint64_t dflt, uint64_t *out)
{
	const yamlnode *node = yamlnode_get(top, key);
	double v;

	*out = dflt;
	if (node == NULL)
		return CLV_OK;
	if (value_whole(ld, node, key, 1.0, max, CLV_ERR_LIMIT, &v) != CLV_OK)
		return ld->err->status;
	*out = (uint64_t)v;
	return CLV_OK;
}

/* seed: a whole number 0..2^63-1 (JSON reports write it as a signed
   integer, and --seed has the same range). Digits are read exactly. */
static clv_status parse_seed(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *node = yamlnode_get(top, "seed");
	char *end;
	double v;

	s->seed = DEFAULT_SEED;
	if (node == NULL)
		return CLV_OK;
	s->has_seed = true;
	if (node->kind == YAMLNODE_SCALAR && node->plain && isdigit((unsigned char)node->text[0])) {
		errno = 0;
		s->seed = strtoull(node->text, &end, 10);
		if (*end == '\0' && errno == 0 && s->seed <= INT64_MAX)
			return CLV_OK;
		if (*end == '\0')
			return value_error(ld, node, CLV_ERR_INPUT, "seed = %s is over the limit of %lld",
			                   node->text, (long long)INT64_MAX);
	}
	if (value_whole(ld, node, "seed", 0.0, 9.2e18, CLV_ERR_INPUT, &v) != CLV_OK)
		return ld->err->status;
	s->seed = (uint64_t)v;
	return CLV_OK;
}
/* ------------------------------------------------------------------ */
/* Building a scenario from the merged tree.                           */

/* "scenarios/textbook.yaml" -> "textbook" */
static char *name_from_path(const char *path)
{
	const char *slash = strrchr(path, '/'), *start = slash ? slash + 1 : path;
	const char *dot = strrchr(start, '.');

	if (dot == NULL || dot == start)
		return strdup(start);
	return diag_strdupf("%.*s", (int)(dot - start), start);
}

static clv_status parse_name(const loader *ld, clv_scenario *s, const yamlnode *top,
                             const char *dflt)
{
	const yamlnode *node = yamlnode_get(top, "name");
	char desc[64];

	if (node != NULL && !value_is_string(node))
		return value_error(ld, node, CLV_ERR_INPUT, "name must be a string, found %s",
		                   yamlnode_describe(node, desc, sizeof desc));
	s->name = node != NULL ? strdup(node->text) : dflt != NULL ? strdup(dflt)
	                                                           : name_from_path(s->path);
	return s->name != NULL ? CLV_OK : value_nomem(ld->err);
}

/* currency: optional text of at most 16 bytes, no control characters. */
static clv_status parse_currency(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *node = yamlnode_get(top, "currency");
	char desc[64];
	const char *c;

	if (node != NULL && !value_is_string(node))
		return value_error(ld, node, CLV_ERR_INPUT, "currency must be a string, found %s",
		                   yamlnode_describe(node, desc, sizeof desc));
	if (node != NULL) {
		if (strlen(node->text) > 16)
			return value_error(ld, node, CLV_ERR_INPUT, "currency must be at most 16 bytes "
			                   "(e.g. EUR, USD, CNY)");
		for (c = node->text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return value_error(ld, node, CLV_ERR_INPUT, "currency must not contain control "
				                   "characters");
	}
	s->currency = strdup(node != NULL ? node->text : "");
	return s->currency != NULL ? CLV_OK : value_nomem(ld->err);
}

/* The keys per state; nothing of them when `states` could not be read. */
static clv_status parse_chain_states(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *initial = yamlnode_get(top, "initial");
	const yamlnode *switching = yamlnode_get(top, "switching");
	const yamlnode *retention = yamlnode_get(top, "retention");
	load_gaps *g = ld->gaps;
	clv_status rc;
	size_t i;

	if (g->states) /* missing */
		return CLV_OK;
	rc = value_part(ld, parse_states(ld, s, yamlnode_get(top, "states")), &g->states);
	if (rc != CLV_OK || g->states)
		return rc;
	if (initial != NULL)
		rc = value_part(ld, parse_initial(ld, s, initial), &g->initial);
	for (i = 0; i < s->n && switching == NULL; i++)
		g->row[i] = true;
	if (rc == CLV_OK && switching != NULL)
		rc = value_part(ld, parse_switching(ld, s, switching), NULL);
	if (rc == CLV_OK && retention != NULL) {
		bool whole = false; /* the map itself, not one entry */
		rc = value_part(ld, parse_retention(ld, s, retention), &whole);
		for (i = 0; i < s->n && whole; i++)
			g->retention[i] = true;
	}
	return rc;
}

static clv_status parse_time(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *horizon = yamlnode_get(top, "horizon");
	const yamlnode *discount = yamlnode_get(top, "discount_rate");
	load_gaps *g = ld->gaps;
	clv_status rc = CLV_OK;

	if (horizon != NULL)
		rc = value_part(ld, parse_horizon(ld, s, horizon), &g->horizon);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_period(ld, s, yamlnode_get(top, "period")), &g->period);
	if (rc == CLV_OK && discount != NULL)
		rc = value_part(ld, parse_discount(ld, s, discount), &g->discount);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_purchases(ld, s, yamlnode_get(top, "purchases_per_period")),
		                &g->purchases);
	return rc;
}

static clv_status parse_money(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	static const char *const per_state[] = {"margin", "cost_per_period", "referral_value"};
	clv_param *out[] = {s->margin, s->cost, s->referral};
	load_gaps *g = ld->gaps;
	clv_status rc = CLV_OK;
	size_t k;

	for (k = 0; k < COUNT(per_state) && rc == CLV_OK && !g->states; k++)
		rc = value_part(ld, parse_per_state(ld, s, yamlnode_get(top, per_state[k]),
		                                    per_state[k], &Q_MONEY, 0.0, out[k]), &g->money);
	if (rc == CLV_OK)
		rc = value_part(ld, value_single(ld, top, "acquisition_cost", &Q_MONEY, 0.0,
		                                 &s->acquisition), &g->money);
	if (rc == CLV_OK)
		rc = value_part(ld, value_single(ld, top, "spend_growth", &Q_GROWTH, 0.0,
		                                 &s->spend_growth), &g->growth);
	return rc;
}

static clv_status parse_sizes(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	load_gaps *g = ld->gaps;
	clv_status rc;

	rc = value_part(ld, parse_count(ld, top, "customers", (double)CLV_MAX_CUSTOMERS,
	                                DEFAULT_CUSTOMERS, &s->customers), &g->sizes);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_count(ld, top, "replications", (double)CLV_MAX_REPLICATIONS,
		                                DEFAULT_REPLICATIONS, &s->replications), &g->sizes);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_seed(ld, s, top), &g->sizes);
	return rc;
}

/* The required keys: a missing one leaves its part unread. */
static clv_status check_required(const loader *ld, const yamlnode *top)
{
	load_gaps *g = ld->gaps;
	clv_status rc = value_check_required(ld, top, REQUIRED_KEYS, COUNT(REQUIRED_KEYS), "");

	if (rc == CLV_OK)
		return CLV_OK;
	g->states = g->states || !yamlnode_has(top, "states");
	g->initial = g->initial || !yamlnode_has(top, "initial");
	g->horizon = g->horizon || !yamlnode_has(top, "horizon");
	g->discount = g->discount || !yamlnode_has(top, "discount_rate");
	g->money = g->money || !yamlnode_has(top, "margin");
	return value_part(ld, rc, NULL);
}

/* What follows the keys: the offers, correlations (only when every
   assumption they may name was read), customer_base, then the rules
   between keys and the segments (only for a file without problems). */
static clv_status parse_rest(loader *ld, clv_scenario *s, const yamlnode *top, bool segment,
                             size_t kept_before)
{
	load_gaps *g = ld->gaps;
	clv_status rc = CLV_OK;

	if (!g->states)
		rc = value_part(ld, keys_offers(ld, s, top), &g->offers);
	if (rc == CLV_OK && !g->any)
		rc = value_part(ld, keys_correlations(ld, s, yamlnode_get(top, "correlations")),
		                &g->correlations);
	if (rc == CLV_OK)
		rc = parse_sizes(ld, s, top);
	if (rc == CLV_OK && !g->states && !g->horizon)
		rc = value_part(ld, keys_base(ld, s, top), &g->base);
	if (rc == CLV_OK)
		rc = value_part(ld, scenario_validate_gaps(s, g, ld->err), NULL);
	if (rc == CLV_OK && !segment && diag_kept(ld->err) == kept_before)
		rc = segments_build(ld, s, top);
	return rc;
}

/* Interpret the merged tree `top` into a new scenario. `name` overrides the
   default name (segments); `segment` marks a segment (no segments of its
   own). Each independent problem is kept (value_part); returns NULL when
   there was any, with the last, if it stopped the load, in ld->err. */
clv_scenario *keys_build(loader *ld, const yamlnode *top, const char *name, bool segment)
{
	clv_scenario *s = calloc(1, sizeof *s);
	load_gaps gaps = {0}, *outer = ld->gaps;
	size_t kept_before = diag_kept(ld->err);
	clv_status rc;

	if (s == NULL) {
		value_nomem(ld->err);
		return NULL;
	}
	ld->gaps = &gaps;
	rc = files_set_paths(ld, s);
	if (rc == CLV_OK)
		rc = value_check_keys(ld, top, TOP_KEYS, COUNT(TOP_KEYS), "");
	if (rc != CLV_OK && ld->err->status == CLV_OK)
		rc = CLV_OK; /* unknown keys, all kept: the rest does not need them */
	if (rc == CLV_OK)
		rc = check_required(ld, top);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_name(ld, s, top, name), NULL);
	if (rc == CLV_OK)
		rc = value_part(ld, parse_currency(ld, s, top), NULL);
	if (rc == CLV_OK)
		rc = parse_chain_states(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_time(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_money(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_rest(ld, s, top, segment, kept_before);
	ld->gaps = outer;
	if (rc == CLV_OK && diag_kept(ld->err) == kept_before)
		return s;
	diag_keep(ld->err); /* while the names it points to live */
	scenario_free(s);
	return NULL;
}
