/*
 * values.c - scenario stage, step 3's primitives: one YAML node into a
 * checked value. Numbers (finite, plain, whole where asked), words from a
 * fixed list, known and required keys of a map, and assumptions (a
 * clv_param: a number or a distribution {dist: KIND, ...} with its label,
 * its place and the support [lo, hi] of its quantity). Every problem is an
 * error at the node's place, "FILE:LINE:COLUMN: what is wrong (the rule)".
 *
 * lognormal may be given by its own {mean, sd}; they become the {mu, sigma}
 * of log X exactly: sigma^2 = log(1 + sd^2 / mean^2), mu = log(mean) -
 * sigma^2 / 2.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

const quantity Q_PROB = {"a probability", 0.0, 1.0, false, CLV_ERR_INPUT};
const quantity Q_SHARE = {"a fraction of the margin", 0.0, 1.0, false, CLV_ERR_INPUT};
const quantity Q_RATE = {"a discount rate", 0.0, 10.0, false, CLV_ERR_INPUT};
const quantity Q_MONEY = {"an amount of money", -MONEY_LIMIT, MONEY_LIMIT, false, CLV_ERR_INPUT};
const quantity Q_GROWTH = {"a growth rate", -1.0, HUGE_VAL, true, CLV_ERR_INPUT};
const quantity Q_COUNT = {"a number of purchases per period", 0.0, CLV_MAX_PURCHASES_PER_PERIOD,
                          true, CLV_ERR_LIMIT};

typedef struct dist_spec {
	const char *name;
	clv_dist_kind kind;
	const char *param[3]; /* names of a, b, c as written */
} dist_spec;

static const dist_spec DISTS[] = {
	{"uniform", DIST_UNIFORM, {"min", "max", NULL}},
	{"triangular", DIST_TRIANGULAR, {"min", "mode", "max"}},
	{"pert", DIST_PERT, {"min", "mode", "max"}},
	{"beta", DIST_BETA, {"a", "b", NULL}},
	{"normal", DIST_NORMAL, {"mean", "sd", NULL}},
	{"lognormal", DIST_LOGNORMAL, {"mu", "sigma", NULL}},
	{"gamma", DIST_GAMMA, {"shape", "scale", NULL}},
	{"poisson", DIST_POISSON, {"mean", NULL, NULL}},
};
static const char *const DIST_NAMES[] = {"uniform", "triangular", "pert", "beta", "normal",
                                         "lognormal", "gamma", "poisson", "dirichlet"};
static const char *const LEVELS[] = {"replication", "customer"};

/* ------------------------------------------------------------------ */
/* Small helpers: strings, places, messages.                           */

clv_pos value_pos(const loader *ld, const yamlnode *node)
{
	clv_pos pos = {ld->name[node->file], node->line, node->column};

	return pos;
}

/* Record an error at node's place. */
clv_status value_error(const loader *ld, const yamlnode *node, clv_status status,
                       const char *fmt, ...)
{
	char msg[CLV_ERROR_MAX];
	clv_pos pos = value_pos(ld, node);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_set(ld->err, status, &pos, "%s", msg);
}

clv_status value_part(const loader *ld, clv_status rc, bool *gap)
{
	if (rc == CLV_OK)
		return CLV_OK;
	if (!diag_keep(ld->err))
		return rc;
	if (gap != NULL)
		*gap = true;
	if (ld->gaps != NULL)
		ld->gaps->any = true;
	return CLV_OK;
}

clv_status value_nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory loading the scenario");
}

/* " (did you mean \"x\"?)" or "", into buf. */
const char *value_hint(const char *word, const char *const *candidates, size_t n,
                       char *buf, size_t cap)
{
	const char *best = diag_did_you_mean(word, candidates, n);

	if (best == NULL)
		buf[0] = '\0';
	else
		snprintf(buf, cap, " (did you mean \"%s\"?)", best);
	return buf;
}

/* The hint, or else " (one of: a, b, c)" when the list is short. */
const char *value_hint_or_list(const char *word, const char *const *candidates, size_t n,
                               char *buf, size_t cap)
{
	size_t i, used;

	if (value_hint(word, candidates, n, buf, cap)[0] != '\0' || n > 8)
		return buf;
	used = (size_t)snprintf(buf, cap, " (one of: ");
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", candidates[i]);
	if (used < cap)
		snprintf(buf + used, cap - used, ")");
	return buf;
}

size_t value_index_of(const char *word, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return i;
	return NOT_FOUND;
}

bool value_is_string(const yamlnode *node)
{
	return node != NULL && node->kind == YAMLNODE_SCALAR && !yamlnode_is_null(node) &&
	       node->text[0] != '\0';
}

bool value_is_dist(const yamlnode *node)
{
	return yamlnode_has(node, "dist");
}

/* "[0, 1]", "(-1, inf)" ... */
static const char *range_text(const quantity *q, char *buf, size_t cap)
{
	char lo[24], hi[24];

	snprintf(lo, sizeof lo, "%.10g", q->lo);
	snprintf(hi, sizeof hi, "%.10g", q->hi);
	snprintf(buf, cap, "%s%s, %s%s", q->lo_open || isinf(q->lo) ? "(" : "[", lo, hi,
	         isinf(q->hi) ? ")" : "]");
	return buf;
}

/* ------------------------------------------------------------------ */
/* Numbers.                                                            */

/* YAML's own spellings of NaN and infinity: .nan, .NaN, .inf, -.Inf ... */
bool value_yaml_special(const char *t, const char *word)
{
	char low[8];
	size_t i;

	if (*t == '-' || *t == '+')
		t++;
	for (i = 0; t[i] != '\0' && i + 1 < sizeof low; i++)
		low[i] = (char)tolower((unsigned char)t[i]);
	low[i] = '\0';
	return t[i] == '\0' && strcmp(low, word) == 0;
}

/* A finite number, written plain (not quoted). */
clv_status value_number(const loader *ld, const yamlnode *node, const char *what,
                        double *out)
{
	char desc[64], *end;
	double v;

	if (node->kind != YAMLNODE_SCALAR || !node->plain || yamlnode_is_null(node))
		return value_error(ld, node, CLV_ERR_INPUT, "%s: expected a number, found %s", what,
		                   yamlnode_describe(node, desc, sizeof desc));
	if (value_yaml_special(node->text, ".nan") || value_yaml_special(node->text, ".inf"))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s is %s: numbers must be finite (no NaN or infinity)", what,
		                   node->text);
	errno = 0;
	v = strtod(node->text, &end);
	if (end == node->text || *end != '\0')
		return value_error(ld, node, CLV_ERR_INPUT, "%s: expected a number, found %s", what,
		                   yamlnode_describe(node, desc, sizeof desc));
	if (!isfinite(v))
		return value_error(ld, node, CLV_ERR_INPUT, "%s = %s is not a finite number%s", what,
		                   node->text, isinf(v) ? " (it overflows to infinity)" : "");
	*out = v;
	return CLV_OK;
}

/* A whole number in [lo, hi]; above hi is `over` (CLV_ERR_LIMIT for sizes). */
clv_status value_whole(const loader *ld, const yamlnode *node, const char *what,
                       double lo, double hi, clv_status over, double *out)
{
	clv_status rc = value_number(ld, node, what, out);

	if (rc != CLV_OK)
		return rc;
	if (*out != floor(*out))
		return value_error(ld, node, CLV_ERR_INPUT, "%s must be a whole number, found %s", what,
		                   node->text);
	if (*out < lo)
		return value_error(ld, node, CLV_ERR_INPUT, "%s must be >= %.0f, found %s", what, lo,
		                   node->text);
	if (*out > hi)
		return value_error(ld, node, over,
		                   "%s = %s is over the limit of %.0f", what, node->text, hi);
	return CLV_OK;
}

/* A fixed value of quantity q. */
clv_status value_check_range(const loader *ld, const yamlnode *node, const char *label,
                             const quantity *q, double v)
{
	char range[64];

	if (v < q->lo || (q->lo_open && v == q->lo))
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s = %s is outside %s, the range of %s", label,
		                   node->text, range_text(q, range, sizeof range), q->what);
	if (v > q->hi)
		return value_error(ld, node, q->over, "%s = %s is outside %s, the range of %s", label,
		                   node->text, range_text(q, range, sizeof range), q->what);
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Keys.                                                               */

/* No top-level key that file `file` gave (a base: file, after merging)
   is a scenario key, nor close to one: the file is not a scenario (e.g.
   `base: /etc/shadow`), and little of it may be quoted. */
static bool foreign_file(const yamlnode *map, int file, const char *const *known,
                         size_t n_known)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (map->key[i]->file == file &&
		    (value_index_of(map->key[i]->text, known, n_known) != NOT_FOUND ||
		     diag_did_you_mean(map->key[i]->text, known, n_known) != NULL))
			return false;
	return true;
}

/* Every key of map must be in `known`; `where` names the map ("" = top).
   Keys are quoted to 40 characters at most. Each unknown key is kept as a
   problem of its own; a file that is not a scenario stops the load. */
clv_status value_check_keys(const loader *ld, const yamlnode *map,
                            const char *const *known, size_t n_known, const char *where)
{
	clv_status rc, out = CLV_OK;
	char tip[128];
	size_t i;

	for (i = 0; i < map->n; i++) {
		const char *key = map->key[i]->text;
		if (value_index_of(key, known, n_known) != NOT_FOUND)
			continue;
		if (where[0] == '\0' && foreign_file(map, map->key[i]->file, known, n_known))
			return value_error(ld, map->key[i], CLV_ERR_INPUT, "unknown key \"%.40s%s\": this "
			                   "file is not a scenario (none of its keys is a scenario key)", key,
			                   strlen(key) > 40 ? "..." : "");
		out = rc = value_error(ld, map->key[i], CLV_ERR_INPUT, "unknown key \"%.40s%s\"%s%s%s",
		                       key, strlen(key) > 40 ? "..." : "", where[0] ? " in " : "", where,
		                       value_hint_or_list(key, known, n_known, tip, sizeof tip));
		if (!diag_keep(ld->err))
			return rc;
	}
	return out;
}

/* True when some unknown key of map would be taken for `key` (its "did
   you mean" names it). */
static bool misspelt_in(const yamlnode *map, const char *key)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->key[i]->text, key) != 0 &&
		    diag_did_you_mean(map->key[i]->text, &key, 1) != NULL)
			return true;
	return false;
}

/* Every one of keys must be in map: the missing ones are one problem
   ("missing required key \"a\"", or "keys \"a\", \"b\""), leaving out
   a key an unknown key of map was taken for. */
clv_status value_check_required(const loader *ld, const yamlnode *map,
                                const char *const *keys, size_t n, const char *where)
{
	char names[512];
	size_t i, used = 0, missing = 0;
	bool left_out = false;

	names[0] = '\0';
	for (i = 0; i < n; i++) {
		if (yamlnode_has(map, keys[i]))
			continue;
		if (ld->err->all != NULL && misspelt_in(map, keys[i])) {
			left_out = true; /* its unknown key was reported */
			continue;
		}
		if (ld->err->all == NULL && missing > 0)
			break; /* only the first counts */
		if (used < sizeof names)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s\"%s\"",
			                         missing > 0 ? ", " : "", keys[i]);
		missing++;
	}
	if (missing > 0)
		return value_error(ld, map, CLV_ERR_INPUT, "missing required key%s %s%s%s",
		                   missing > 1 ? "s" : "", names, where[0] ? " in " : "", where);
	return left_out ? CLV_ERR_INPUT : CLV_OK;
}

/* One of a fixed list of words (e.g. period: year). */
clv_status value_word(const loader *ld, const yamlnode *node, const char *what,
                      const char *const *words, size_t n, size_t *out)
{
	char desc[64], tip[128];

	if (!value_is_string(node))
		return value_error(ld, node, CLV_ERR_INPUT, "%s: expected a word, found %s", what,
		                   yamlnode_describe(node, desc, sizeof desc));
	*out = value_index_of(node->text, words, n);
	if (*out != NOT_FOUND)
		return CLV_OK;
	return value_error(ld, node, CLV_ERR_INPUT, "%s: unknown value \"%s\"%s", what, node->text,
	                   value_hint_or_list(node->text, words, n, tip, sizeof tip));
}

/* ------------------------------------------------------------------ */
/* Assumptions (clv_param): numbers and distributions.                 */

static clv_status init_param(const loader *ld, const yamlnode *node, const char *label,
                             const quantity *q, clv_param *p)
{
	free(p->label);
	memset(p, 0, sizeof *p);
	p->label = strdup(label);
	if (p->label == NULL)
		return value_nomem(ld->err);
	p->lo = q->lo;
	p->hi = q->hi;
	p->kind = DIST_FIXED;
	p->per = PER_REPLICATION;
	if (node != NULL)
		p->pos = value_pos(ld, node);
	else
		p->pos = (clv_pos){ld->name[0], 0, 0};
	return CLV_OK;
}

/* A fixed default value (the key was not given). */
clv_status value_default_param(const loader *ld, const char *label, const quantity *q,
                               double value, clv_param *p)
{
	clv_status rc = init_param(ld, NULL, label, q, p);

	p->a = value;
	return rc;
}

static const dist_spec *find_dist(const char *name)
{
	size_t i;

	for (i = 0; i < COUNT(DISTS); i++)
		if (strcmp(DISTS[i].name, name) == 0)
			return &DISTS[i];
	return NULL;
}

/* The kind named by {dist: NAME}, checking where it may be used. */
static clv_status dist_kind_of(const loader *ld, const yamlnode *map, const char *label,
                               allow allowed, const dist_spec **out)
{
	const yamlnode *name = yamlnode_get(map, "dist");
	char desc[64], tip[128];

	if (!value_is_string(name))
		return value_error(ld, name, CLV_ERR_INPUT, "%s: dist must name a distribution, found %s",
		                   label, yamlnode_describe(name, desc, sizeof desc));
	*out = find_dist(name->text);
	if (strcmp(name->text, "dirichlet") == 0)
		return value_error(ld, name, CLV_ERR_INPUT,
		                   "%s: dirichlet is only allowed as a whole switching row", label);
	if (*out == NULL)
		return value_error(ld, name, CLV_ERR_INPUT, "%s: unknown distribution \"%s\"%s", label,
		                   name->text, value_hint(name->text, DIST_NAMES, COUNT(DIST_NAMES), tip,
		                                          sizeof tip));
	if ((*out)->kind == DIST_POISSON && allowed != ALLOW_POISSON_ONLY)
		return value_error(ld, name, CLV_ERR_INPUT,
		                   "%s: poisson is only allowed for purchases_per_period", label);
	if ((*out)->kind != DIST_POISSON && allowed == ALLOW_POISSON_ONLY)
		return value_error(ld, name, CLV_ERR_INPUT,
		                   "%s: takes a whole number or {dist: poisson, mean: M}, not %s", label,
		                   name->text);
	return CLV_OK;
}

/* Keys a distribution map may have: dist, per (not for poisson), params. */
static size_t dist_keys(const dist_spec *spec, bool moments, const char **keys)
{
	size_t n = 0, i;

	keys[n++] = "dist";
	if (spec->kind != DIST_POISSON)
		keys[n++] = "per";
	for (i = 0; i < 3 && spec->param[i] != NULL; i++)
		keys[n++] = moments ? (i == 0 ? "mean" : "sd") : spec->param[i];
	return n;
}

static clv_status dist_values(const loader *ld, const yamlnode *map, const char *label,
                              const dist_spec *spec, bool moments, double v[3])
{
	const char *keys[6];
	size_t n = dist_keys(spec, moments, keys), i, first = n - (spec->param[2] ? 3 :
	                                                               spec->param[1] ? 2 : 1);
	clv_status rc = CLV_OK;

	for (i = first; i < n && rc == CLV_OK; i++) {
		const yamlnode *node = yamlnode_get(map, keys[i]);
		char what[256];
		if (node == NULL)
			return value_error(ld, map, CLV_ERR_INPUT,
			                   "%s: a %s distribution needs \"%s\"", label,
			                   spec->name, keys[i]);
		snprintf(what, sizeof what, "%s: %s %s", label, spec->name, keys[i]);
		rc = value_number(ld, node, what, &v[i - first]);
	}
	return rc;
}

/* lognormal {mean, sd} of X -> {mu, sigma} of log X, exactly:
   sigma^2 = log(1 + sd^2 / mean^2), mu = log(mean) - sigma^2 / 2. */
static clv_status lognormal_moments(const loader *ld, const yamlnode *map, const char *label,
                                    double v[3])
{
	double s2;

	if (!(v[0] > 0.0) || !(v[1] > 0.0))
		return value_error(ld, map, CLV_ERR_INPUT,
		                   "%s: lognormal {mean, sd} needs mean > 0 and sd > 0", label);
	s2 = log1p((v[1] / v[0]) * (v[1] / v[0]));
	v[0] = log(v[0]) - s2 / 2.0;
	v[1] = sqrt(s2);
	return CLV_OK;
}

static clv_status dist_level(const loader *ld, const yamlnode *map, const char *label,
                             clv_param *p)
{
	const yamlnode *per = yamlnode_get(map, "per");
	char what[256];
	size_t level;
	clv_status rc;

	if (p->kind == DIST_POISSON) {
		p->per = PER_CUSTOMER_PERIOD;
		return CLV_OK;
	}
	if (per == NULL)
		return CLV_OK;
	snprintf(what, sizeof what, "%s: per", label);
	rc = value_word(ld, per, what, LEVELS, COUNT(LEVELS), &level);
	p->per = level == 1 ? PER_CUSTOMER : PER_REPLICATION;
	return rc;
}

/* {dist: KIND, ...} into p (label, support and place already set). */
static clv_status parse_dist(const loader *ld, const yamlnode *map, allow allowed,
                             clv_param *p)
{
	const dist_spec *spec = NULL;
	const char *keys[6];
	double v[3] = {0.0, 0.0, 0.0};
	bool moments;
	char where[256];
	clv_status rc;

	rc = dist_kind_of(ld, map, p->label, allowed, &spec);
	if (rc != CLV_OK)
		return rc;
	moments = spec->kind == DIST_LOGNORMAL && !yamlnode_has(map, "mu") &&
	          !yamlnode_has(map, "sigma") &&
	          (yamlnode_has(map, "mean") || yamlnode_has(map, "sd"));
	snprintf(where, sizeof where, "the %s distribution of %s", spec->name, p->label);
	rc = value_check_keys(ld, map, keys, dist_keys(spec, moments, keys), where);
	if (rc == CLV_OK)
		rc = dist_values(ld, map, p->label, spec, moments, v);
	if (rc == CLV_OK && moments)
		rc = lognormal_moments(ld, map, p->label, v);
	p->kind = spec->kind;
	p->a = v[0];
	p->b = v[1];
	p->c = v[2];
	if (rc == CLV_OK)
		rc = dist_level(ld, map, p->label, p);
	if (rc == CLV_OK)
		rc = dist_validate(p, ld->err);
	return rc;
}

/* A number or a distribution, for the quantity q, into p. */
clv_status value_param(const loader *ld, const yamlnode *node, const char *label,
                       const quantity *q, allow allowed, clv_param *p)
{
	clv_status rc = init_param(ld, node, label, q, p);

	if (rc != CLV_OK)
		return rc;
	if (node->kind == YAMLNODE_MAP && value_is_dist(node))
		return parse_dist(ld, node, allowed, p);
	if (node->kind == YAMLNODE_MAP)
		return value_error(ld, node, CLV_ERR_INPUT,
		                   "%s: expected a number or a distribution {dist: ...}, found a map "
		                   "without \"dist\"", label);
	rc = value_number(ld, node, label, &p->a);
	if (rc == CLV_OK)
		rc = value_check_range(ld, node, label, q, p->a);
	return rc;
}

/* A number or distribution at node, or the fixed default when node is NULL. */
clv_status value_param_or_default(const loader *ld, const yamlnode *node,
                                  const char *label, const quantity *q, double dflt,
                                  clv_param *p)
{
	if (node == NULL)
		return value_default_param(ld, label, q, dflt, p);
	return value_param(ld, node, label, q, ALLOW_ANY, p);
}

/* A single number or distribution under `key` of top. */
clv_status value_single(const loader *ld, const yamlnode *top, const char *key,
                        const quantity *q, double dflt, clv_param *out)
{
	return value_param_or_default(ld, yamlnode_get(top, key), key, q, dflt, out);
}
