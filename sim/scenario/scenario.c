/*
 * scenario.c - scenario files: read a YAML file into a clv_scenario,
 * check every rule, and make the edits sweeps and what-ifs need.
 *
 * Method, in the order a load runs:
 *  1. read the file (CLV_ERR_IO with the OS reason; over 16 MiB is
 *     CLV_ERR_LIMIT) and parse it into a yamlnode tree (yamlnode.c: no
 *     anchors, depth <= 64, unique keys, every node with its line/column);
 *  2. follow `base:` links (relative to the including file's folder, at
 *     most 32, no cycles) and overlay each file on its base: maps merge per
 *     entry, anything else (lists, numbers, distributions) replaces. A base
 *     list of rows (switching) or of shares (initial) is first turned into
 *     a map by state name when the overriding file gives a map;
 *  3. interpret the merged tree key by key into the clv_scenario, checking
 *     types, names and ranges where the node (so the place) is at hand;
 *  4. scenario_validate (scenario_validate.c): the rules between keys (rows
 *     sum to 1, retention leaves room, uplifts stay <= 1, offers share
 *     their periods, ...);
 *  5. segments: each is the merged tree overlaid with its own keys, built
 *     by steps 3-4 into a full clv_scenario.
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

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/dist.h"
#include "engine/model.h"
#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

#define MAX_FILE_BYTES (16L * 1024 * 1024)
#define MAX_BASE_LINKS 32
#define MAX_FILES (MAX_BASE_LINKS + 1)
#define DEFAULT_CUSTOMERS 10000
#define DEFAULT_REPLICATIONS 200
#define DEFAULT_SEED 42
#define NOT_FOUND ((size_t)-1)

/* The files of one load and the names positions point to. */
typedef struct loader {
	clv_error *err;
	char *shown[MAX_FILES];      /* names as shown in messages (owned) */
	char *real[MAX_FILES];       /* canonical names, to find cycles (owned) */
	int n_files;                 /* index = yamlnode.file */
	const char *name[MAX_FILES]; /* the names positions point to: shown[]
	                                while parsing, then the path block of
	                                the scenario being built */
} loader;

/* The range a quantity may take, for checks and truncation. */
typedef struct quantity {
	const char *what; /* "a probability", for messages */
	double lo, hi;
	bool lo_open;     /* lo itself excluded */
	clv_status over;  /* status when above hi */
} quantity;

static const quantity Q_PROB = {"a probability", 0.0, 1.0, false, CLV_ERR_INPUT};
static const quantity Q_SHARE = {"a fraction of the margin", 0.0, 1.0, false, CLV_ERR_INPUT};
static const quantity Q_RATE = {"a discount rate", 0.0, 10.0, false, CLV_ERR_INPUT};
static const quantity Q_MONEY = {"an amount of money", -MONEY_LIMIT, MONEY_LIMIT, false,
                                 CLV_ERR_INPUT};
static const quantity Q_GROWTH = {"a growth rate", -1.0, HUGE_VAL, true, CLV_ERR_INPUT};
static const quantity Q_COUNT = {"a number of purchases per period", 0.0,
                                 CLV_MAX_PURCHASES_PER_PERIOD, true, CLV_ERR_LIMIT};

/* Which distributions a key accepts. */
typedef enum allow { ALLOW_ANY = 0, ALLOW_POISSON_ONLY } allow;

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

static const char *const TOP_KEYS[] = {
	"name", "states", "initial", "switching", "retention", "horizon", "period",
	"discount_rate", "purchases_per_period", "margin", "cost_per_period", "referral_value",
	"acquisition_cost", "spend_growth", "campaign", "price_discount", "correlations",
	"segments", "base", "customers", "replications", "seed", "currency"};
static const char *const REQUIRED_KEYS[] = {"states", "initial", "switching", "horizon",
                                            "discount_rate", "margin"};
static const char *const SEGMENT_KEYS[] = {
	"weight", "initial", "switching", "retention", "discount_rate", "purchases_per_period",
	"margin", "cost_per_period", "referral_value", "acquisition_cost", "spend_growth",
	"campaign", "price_discount", "correlations"};
static const char *const OFFER_KEYS[] = {"brand", "cost", "target", "retention_uplift",
                                         "win_from", "margin_cut", "periods"};
static const char *const TARGETS[] = {"own", "all"};
static const char *const LEVELS[] = {"replication", "customer"};

static const struct {
	const char *name;
	double per_year;
} PERIODS[] = {{"day", 365}, {"week", 52}, {"month", 12}, {"quarter", 4},
               {"half-year", 2}, {"year", 1}, {"period", 0}};

/* ------------------------------------------------------------------ */
/* Small helpers: strings, places, messages.                           */

static clv_pos pos_of(const loader *ld, const yamlnode *node)
{
	clv_pos pos = {ld->name[node->file], node->line, node->column};

	return pos;
}

static clv_status bad(const loader *ld, const yamlnode *node, clv_status status,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Record an error at node's place. */
static clv_status bad(const loader *ld, const yamlnode *node, clv_status status,
                      const char *fmt, ...)
{
	char msg[CLV_ERROR_MAX];
	clv_pos pos = pos_of(ld, node);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return diag_set(ld->err, status, &pos, "%s", msg);
}

static clv_status nomem(clv_error *err)
{
	return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory loading the scenario");
}

/* " (did you mean \"x\"?)" or "", into buf. */
static const char *hint(const char *word, const char *const *candidates, size_t n,
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
static const char *hint_or_list(const char *word, const char *const *candidates, size_t n,
                                char *buf, size_t cap)
{
	size_t i, used;

	if (hint(word, candidates, n, buf, cap)[0] != '\0' || n > 8)
		return buf;
	used = (size_t)snprintf(buf, cap, " (one of: ");
	for (i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", candidates[i]);
	if (used < cap)
		snprintf(buf + used, cap - used, ")");
	return buf;
}

static size_t index_of(const char *word, const char *const *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(word, list[i]) == 0)
			return i;
	return NOT_FOUND;
}

static bool is_string(const yamlnode *node)
{
	return node != NULL && node->kind == YAMLNODE_SCALAR && !yamlnode_is_null(node) &&
	       node->text[0] != '\0';
}

static bool is_dist(const yamlnode *node)
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
static bool yaml_special(const char *t, const char *word)
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
static clv_status get_number(const loader *ld, const yamlnode *node, const char *what,
                             double *out)
{
	char desc[64], *end;
	double v;

	if (node->kind != YAMLNODE_SCALAR || !node->plain || yamlnode_is_null(node))
		return bad(ld, node, CLV_ERR_INPUT, "%s: expected a number, found %s", what,
		           yamlnode_describe(node, desc, sizeof desc));
	if (yaml_special(node->text, ".nan") || yaml_special(node->text, ".inf"))
		return bad(ld, node, CLV_ERR_INPUT,
		           "%s is %s: numbers must be finite (no NaN or infinity)", what, node->text);
	errno = 0;
	v = strtod(node->text, &end);
	if (end == node->text || *end != '\0')
		return bad(ld, node, CLV_ERR_INPUT, "%s: expected a number, found %s", what,
		           yamlnode_describe(node, desc, sizeof desc));
	if (!isfinite(v))
		return bad(ld, node, CLV_ERR_INPUT, "%s = %s is not a finite number%s", what,
		           node->text, isinf(v) ? " (it overflows to infinity)" : "");
	*out = v;
	return CLV_OK;
}

/* A whole number in [lo, hi]; above hi is `over` (CLV_ERR_LIMIT for sizes). */
static clv_status get_whole(const loader *ld, const yamlnode *node, const char *what,
                            double lo, double hi, clv_status over, double *out)
{
	clv_status rc = get_number(ld, node, what, out);

	if (rc != CLV_OK)
		return rc;
	if (*out != floor(*out))
		return bad(ld, node, CLV_ERR_INPUT, "%s must be a whole number, found %s", what,
		           node->text);
	if (*out < lo)
		return bad(ld, node, CLV_ERR_INPUT, "%s must be >= %.0f, found %s", what, lo,
		           node->text);
	if (*out > hi)
		return bad(ld, node, over, "%s = %s is over the limit of %.0f", what, node->text, hi);
	return CLV_OK;
}

/* A fixed value of quantity q. */
static clv_status check_value(const loader *ld, const yamlnode *node, const char *label,
                              const quantity *q, double v)
{
	char range[64];

	if (v < q->lo || (q->lo_open && v == q->lo))
		return bad(ld, node, CLV_ERR_INPUT, "%s = %s is outside %s, the range of %s", label,
		           node->text, range_text(q, range, sizeof range), q->what);
	if (v > q->hi)
		return bad(ld, node, q->over, "%s = %s is outside %s, the range of %s", label,
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
		    (index_of(map->key[i]->text, known, n_known) != NOT_FOUND ||
		     diag_did_you_mean(map->key[i]->text, known, n_known) != NULL))
			return false;
	return true;
}

/* Every key of map must be in `known`; `where` names the map ("" = top). */
static clv_status check_keys(const loader *ld, const yamlnode *map, const char *const *known,
                             size_t n_known, const char *where)
{
	char tip[128];
	size_t i;

	for (i = 0; i < map->n; i++) {
		const char *key = map->key[i]->text;
		if (index_of(key, known, n_known) != NOT_FOUND)
			continue;
		if (where[0] == '\0' && foreign_file(map, map->key[i]->file, known, n_known))
			return bad(ld, map->key[i], CLV_ERR_INPUT, "unknown key \"%.40s%s\": this file "
			           "is not a scenario (none of its keys is a scenario key)", key,
			           strlen(key) > 40 ? "..." : "");
		return bad(ld, map->key[i], CLV_ERR_INPUT, "unknown key \"%.40s%s\"%s%s%s", key,
		           strlen(key) > 40 ? "..." : "", where[0] ? " in " : "", where,
		           hint_or_list(key, known, n_known, tip, sizeof tip));
	}
	return CLV_OK;
}

static clv_status check_required(const loader *ld, const yamlnode *map,
                                 const char *const *keys, size_t n, const char *where)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!yamlnode_has(map, keys[i]))
			return bad(ld, map, CLV_ERR_INPUT, "missing required key \"%s\"%s%s", keys[i],
			           where[0] ? " in " : "", where);
	return CLV_OK;
}

/* One of a fixed list of words (e.g. period: year). */
static clv_status get_word(const loader *ld, const yamlnode *node, const char *what,
                           const char *const *words, size_t n, size_t *out)
{
	char desc[64], tip[128];

	if (!is_string(node))
		return bad(ld, node, CLV_ERR_INPUT, "%s: expected a word, found %s", what,
		           yamlnode_describe(node, desc, sizeof desc));
	*out = index_of(node->text, words, n);
	if (*out != NOT_FOUND)
		return CLV_OK;
	return bad(ld, node, CLV_ERR_INPUT, "%s: unknown value \"%s\"%s", what, node->text,
	           hint_or_list(node->text, words, n, tip, sizeof tip));
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
		return nomem(ld->err);
	p->lo = q->lo;
	p->hi = q->hi;
	p->kind = DIST_FIXED;
	p->per = PER_REPLICATION;
	if (node != NULL)
		p->pos = pos_of(ld, node);
	else
		p->pos = (clv_pos){ld->name[0], 0, 0};
	return CLV_OK;
}

/* A fixed default value (the key was not given). */
static clv_status default_param(const loader *ld, const char *label, const quantity *q,
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

	if (!is_string(name))
		return bad(ld, name, CLV_ERR_INPUT, "%s: dist must name a distribution, found %s",
		           label, yamlnode_describe(name, desc, sizeof desc));
	*out = find_dist(name->text);
	if (strcmp(name->text, "dirichlet") == 0)
		return bad(ld, name, CLV_ERR_INPUT,
		           "%s: dirichlet is only allowed as a whole switching row", label);
	if (*out == NULL)
		return bad(ld, name, CLV_ERR_INPUT, "%s: unknown distribution \"%s\"%s", label,
		           name->text, hint(name->text, DIST_NAMES, COUNT(DIST_NAMES), tip, sizeof tip));
	if ((*out)->kind == DIST_POISSON && allowed != ALLOW_POISSON_ONLY)
		return bad(ld, name, CLV_ERR_INPUT,
		           "%s: poisson is only allowed for purchases_per_period", label);
	if ((*out)->kind != DIST_POISSON && allowed == ALLOW_POISSON_ONLY)
		return bad(ld, name, CLV_ERR_INPUT,
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
			return bad(ld, map, CLV_ERR_INPUT, "%s: a %s distribution needs \"%s\"", label,
			           spec->name, keys[i]);
		snprintf(what, sizeof what, "%s: %s %s", label, spec->name, keys[i]);
		rc = get_number(ld, node, what, &v[i - first]);
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
		return bad(ld, map, CLV_ERR_INPUT,
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
	rc = get_word(ld, per, what, LEVELS, COUNT(LEVELS), &level);
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
	rc = check_keys(ld, map, keys, dist_keys(spec, moments, keys), where);
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
static clv_status parse_param(const loader *ld, const yamlnode *node, const char *label,
                              const quantity *q, allow allowed, clv_param *p)
{
	clv_status rc = init_param(ld, node, label, q, p);

	if (rc != CLV_OK)
		return rc;
	if (node->kind == YAMLNODE_MAP && is_dist(node))
		return parse_dist(ld, node, allowed, p);
	if (node->kind == YAMLNODE_MAP)
		return bad(ld, node, CLV_ERR_INPUT,
		           "%s: expected a number or a distribution {dist: ...}, found a map "
		           "without \"dist\"", label);
	rc = get_number(ld, node, label, &p->a);
	if (rc == CLV_OK)
		rc = check_value(ld, node, label, q, p->a);
	return rc;
}

/* A number or distribution at node, or the fixed default when node is NULL. */
static clv_status param_or_default(const loader *ld, const yamlnode *node, const char *label,
                                   const quantity *q, double dflt, clv_param *p)
{
	if (node == NULL)
		return default_param(ld, label, q, dflt, p);
	return parse_param(ld, node, label, q, ALLOW_ANY, p);
}

/* A single number or distribution under `key` of top. */
static clv_status parse_single(const loader *ld, const yamlnode *top, const char *key,
                               const quantity *q, double dflt, clv_param *out)
{
	return param_or_default(ld, yamlnode_get(top, key), key, q, dflt, out);
}

/* ------------------------------------------------------------------ */
/* States and per-state maps.                                          */

size_t scenario_state_index(const clv_scenario *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->states[i], name) == 0)
			return i;
	return NOT_FOUND;
}

static clv_status state_name(const loader *ld, const clv_scenario *s, size_t i,
                             const yamlnode *node)
{
	char desc[64];
	size_t j;

	if (!is_string(node))
		return bad(ld, node, CLV_ERR_INPUT,
		           "states: a state name must be a non-empty string, found %s",
		           yamlnode_describe(node, desc, sizeof desc));
	if (strcmp(node->text, "total") == 0)
		return bad(ld, node, CLV_ERR_INPUT,
		           "state name \"total\" is reserved (reports use it for the sum over states)");
	for (j = 0; j < i; j++)
		if (strcmp(s->states[j], node->text) == 0)
			return bad(ld, node, CLV_ERR_INPUT, "duplicate state \"%s\" (state names must "
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
		return nomem(ld->err);
	return CLV_OK;
}

static clv_status parse_states(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	char desc[64];
	clv_status rc;
	size_t i;

	if (node->kind != YAMLNODE_SEQ)
		return bad(ld, node, CLV_ERR_INPUT, "states must be a list of names, found %s",
		           yamlnode_describe(node, desc, sizeof desc));
	if (node->n == 0)
		return bad(ld, node, CLV_ERR_INPUT, "states: at least one state is needed");
	if (node->n > CLV_MAX_STATES)
		return bad(ld, node, CLV_ERR_LIMIT, "states: %zu states, over the limit of %d",
		           node->n, CLV_MAX_STATES);
	rc = alloc_states(ld, s, node->n);
	for (i = 0; i < node->n && rc == CLV_OK; i++) {
		rc = state_name(ld, s, i, node->item[i]);
		if (rc == CLV_OK && (s->states[i] = strdup(node->item[i]->text)) == NULL)
			rc = nomem(ld->err);
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
	return bad(ld, k, CLV_ERR_INPUT, "%s: \"%s\" is not a state%s", what, k->text,
	           hint(k->text, (const char *const *)s->states, s->n, tip, sizeof tip));
}

/* Sort the values of a map by state: slot[i] = value for state i or NULL.
   With `all`, every state must be named. */
static clv_status by_state(const loader *ld, const clv_scenario *s, const yamlnode *map,
                           const char *what, bool all, const yamlnode **slot)
{
	clv_status rc = CLV_OK;
	size_t i, at;

	for (i = 0; i < s->n; i++)
		slot[i] = NULL;
	for (i = 0; i < map->n && rc == CLV_OK; i++) {
		rc = state_key(ld, s, map->key[i], what, &at);
		if (rc == CLV_OK)
			slot[at] = map->item[i];
	}
	for (i = 0; i < s->n && rc == CLV_OK && all; i++)
		if (slot[i] == NULL)
			rc = bad(ld, map, CLV_ERR_INPUT,
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
		return by_state(ld, s, node, what, true, slot);
	if (node->kind != YAMLNODE_SEQ)
		return bad(ld, node, CLV_ERR_INPUT,
		           "%s must be a list in state order or a map state: value, found %s", what,
		           yamlnode_describe(node, desc, sizeof desc));
	if (node->n != s->n)
		return bad(ld, node, CLV_ERR_INPUT,
		           "%s has %zu entries, expected %zu (one per state)", what, node->n, s->n);
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
	return bad(ld, node, CLV_ERR_INPUT,
	           "%s sums to %.12g, not 1 (difference %.3g; it must sum to 1 within 1e-9; "
	           "clvsim never renormalises)", what, sum, sum - 1.0);
}

static clv_status parse_initial(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	double sum = 0.0;
	clv_status rc;
	size_t i;

	if (node->kind == YAMLNODE_MAP && is_dist(node))
		return bad(ld, node, CLV_ERR_INPUT, "initial takes fixed numbers only");
	rc = list_or_map(ld, s, node, "initial", slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char label[512];
		snprintf(label, sizeof label, "initial.%s", s->states[i]);
		rc = get_number(ld, slot[i], label, &s->initial[i]);
		if (rc == CLV_OK)
			rc = check_value(ld, slot[i], label, &Q_PROB, s->initial[i]);
		sum += s->initial[i];
	}
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
	clv_status rc;
	size_t j;

	snprintf(where, sizeof where, "the dirichlet row of \"%s\"", s->states[i]);
	rc = check_keys(ld, map, keys, COUNT(keys), where);
	if (rc == CLV_OK && alpha == NULL)
		rc = bad(ld, map, CLV_ERR_INPUT, "switching row \"%s\": a dirichlet row needs "
		         "\"alpha\"", s->states[i]);
	if (rc == CLV_OK && (alpha->kind != YAMLNODE_SEQ || alpha->n != s->n))
		rc = bad(ld, alpha, CLV_ERR_INPUT, "switching row \"%s\": alpha must be a list of "
		         "%zu numbers (one per state)", s->states[i], s->n);
	if (rc != CLV_OK)
		return rc;
	r->dirichlet = true;
	if ((r->alpha = calloc(s->n, sizeof *r->alpha)) == NULL)
		return nomem(ld->err);
	for (j = 0; j < s->n && rc == CLV_OK; j++) {
		snprintf(what, sizeof what, "switching row \"%s\": alpha for \"%s\"", s->states[i],
		         s->states[j]);
		rc = get_number(ld, alpha->item[j], what, &r->alpha[j]);
		if (rc == CLV_OK && !(r->alpha[j] > 0.0))
			rc = bad(ld, alpha->item[j], CLV_ERR_INPUT, "%s = %s must be > 0", what,
			         alpha->item[j]->text);
	}
	return rc;
}

static clv_status parse_entries(const loader *ld, clv_scenario *s, size_t i,
                                const yamlnode *row)
{
	clv_row *r = &s->switching[i];
	clv_status rc = CLV_OK;
	size_t j;

	if (row->n != s->n)
		return bad(ld, row, CLV_ERR_INPUT,
		           "switching row \"%s\" has %zu entries, expected %zu (one per state)",
		           s->states[i], row->n, s->n);
	if ((r->p = calloc(s->n, sizeof *r->p)) == NULL)
		return nomem(ld->err);
	for (j = 0; j < s->n && rc == CLV_OK; j++) {
		char *label = diag_strdupf("switching.%s.%s", s->states[i], s->states[j]);
		if (label == NULL)
			return nomem(ld->err);
		rc = parse_param(ld, row->item[j], label, &Q_PROB, ALLOW_ANY, &r->p[j]);
		free(label);
	}
	return rc;
}

static clv_status parse_row(const loader *ld, clv_scenario *s, size_t i, const yamlnode *row)
{
	const yamlnode *kind = yamlnode_get(row, "dist");
	char desc[64];

	s->switching[i].pos = pos_of(ld, row);
	if (row->kind == YAMLNODE_SEQ)
		return parse_entries(ld, s, i, row);
	if (kind != NULL && kind->kind == YAMLNODE_SCALAR && strcmp(kind->text, "dirichlet") == 0)
		return parse_dirichlet(ld, s, i, row);
	if (kind != NULL)
		return bad(ld, row, CLV_ERR_INPUT, "switching row \"%s\": a whole row can only be "
		           "{dist: dirichlet, alpha: [...]}; give other distributions per entry",
		           s->states[i]);
	return bad(ld, row, CLV_ERR_INPUT, "switching row \"%s\" must be a list of %zu entries "
	           "or {dist: dirichlet, alpha: [...]}, found %s", s->states[i], s->n,
	           yamlnode_describe(row, desc, sizeof desc));
}

static clv_status parse_switching(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	char desc[64];
	clv_status rc;
	size_t i;

	if (node->kind == YAMLNODE_SEQ && node->n != s->n)
		return bad(ld, node, CLV_ERR_INPUT, "switching has %zu rows, expected %zu (one per "
		           "state)", node->n, s->n);
	if (node->kind == YAMLNODE_MAP && is_dist(node))
		return bad(ld, node, CLV_ERR_INPUT, "switching must be a list of rows or a map "
		           "state: row, found a distribution");
	if (node->kind == YAMLNODE_SCALAR)
		return bad(ld, node, CLV_ERR_INPUT, "switching must be a list of rows or a map "
		           "state: row, found %s", yamlnode_describe(node, desc, sizeof desc));
	rc = list_or_map(ld, s, node, "switching", slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++)
		rc = parse_row(ld, s, i, slot[i]);
	return rc;
}

static clv_status parse_retention(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const yamlnode *slot[CLV_MAX_STATES];
	char desc[64];
	clv_status rc;
	size_t i;

	if (node->kind != YAMLNODE_MAP || is_dist(node))
		return bad(ld, node, CLV_ERR_INPUT, "retention must be a map state: value (e.g. "
		           "{A: 0.8}), found %s", is_dist(node) ? "a distribution" :
		           yamlnode_describe(node, desc, sizeof desc));
	rc = by_state(ld, s, node, "retention", false, slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char *label;
		if (slot[i] == NULL)
			continue;
		if ((label = diag_strdupf("retention.%s", s->states[i])) == NULL)
			return nomem(ld->err);
		rc = parse_param(ld, slot[i], label, &Q_PROB, ALLOW_ANY, &s->retention[i]);
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
	if (!numeric_text(node) && !yaml_special(node->text ? node->text : "", ".inf"))
		return bad(ld, node, CLV_ERR_INPUT, "horizon must be a whole number of periods >= 0 "
		           "or the word infinite, found %s", yamlnode_describe(node, desc, sizeof desc));
	if (get_whole(ld, node, "horizon", 0.0, (double)CLV_MAX_HORIZON, CLV_ERR_LIMIT, &v) !=
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
		rc = get_word(ld, node, "period", words, COUNT(words), &at);
	if (rc != CLV_OK)
		return rc;
	s->period = strdup(words[at]);
	s->periods_per_year = PERIODS[at].per_year;
	return s->period != NULL ? CLV_OK : nomem(ld->err);
}

static clv_status parse_discount(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	static const char *const keys[] = {"annual", "dist"};
	const yamlnode *value = node;
	clv_status rc;

	if (node->kind == YAMLNODE_MAP && !is_dist(node)) {
		rc = check_keys(ld, node, keys, COUNT(keys), "discount_rate");
		if (rc != CLV_OK)
			return rc;
		if ((value = yamlnode_get(node, "annual")) == NULL)
			return bad(ld, node, CLV_ERR_INPUT, "discount_rate: a map must be {annual: "
			           "RATE} or a distribution {dist: ...}");
		s->discount_annual = true;
		if (s->periods_per_year <= 0.0)
			return bad(ld, node, CLV_ERR_INPUT, "discount_rate: {annual: ...} needs a period "
			           "of known length, but period is \"%s\" (set period: to day, week, "
			           "month, quarter, half-year or year, or give the rate per period)",
			           s->period);
	}
	return parse_param(ld, value, "discount_rate", &Q_RATE, ALLOW_ANY, &s->discount);
}

static clv_status parse_purchases(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	const char *label = "purchases_per_period";
	clv_status rc;

	if (node == NULL)
		return default_param(ld, label, &Q_COUNT, 1.0, &s->purchases);
	rc = parse_param(ld, node, label, &Q_COUNT, ALLOW_POISSON_ONLY, &s->purchases);
	if (rc == CLV_OK && s->purchases.kind == DIST_FIXED &&
	    s->purchases.a != floor(s->purchases.a))
		rc = bad(ld, node, CLV_ERR_INPUT, "purchases_per_period must be a whole number, found "
		         "%s (for an average, use {dist: poisson, mean: %s})", node->text, node->text);
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
	size_t i;

	bool per_state = node != NULL && node->kind == YAMLNODE_MAP && !is_dist(node);

	if (node != NULL && node->kind == YAMLNODE_SEQ)
		return bad(ld, node, CLV_ERR_INPUT, "%s must be a number, a distribution {dist: ...} "
		           "or a map state: value, found a list", key);
	if (per_state)
		rc = by_state(ld, s, node, key, true, slot);
	for (i = 0; i < s->n && rc == CLV_OK; i++) {
		char *label = diag_strdupf("%s.%s", key, s->states[i]);
		if (label == NULL)
			return nomem(ld->err);
		rc = param_or_default(ld, per_state ? slot[i] : node, label, q, dflt, &out[i]);
		free(label);
	}
	return rc;
}

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
		return bad(ld, map, CLV_ERR_INPUT, "missing required key \"brand\" in %s (the state "
		           "running it)", prefix);
	if (!is_string(brand))
		return bad(ld, brand, CLV_ERR_INPUT, "%s.brand: expected a state name, found %s",
		           prefix, yamlnode_describe(brand, desc, sizeof desc));
	o->brand = scenario_state_index(s, brand->text);
	if (o->brand == NOT_FOUND)
		return bad(ld, brand, CLV_ERR_INPUT, "%s.brand: \"%s\" is not a state%s", prefix,
		           brand->text, hint(brand->text, (const char *const *)s->states, s->n, tip,
		                             sizeof tip));
	return CLV_OK;
}

static clv_status offer_win_from(const loader *ld, const clv_scenario *s, const yamlnode *map,
                                 const char *prefix, clv_offer *o)
{
	const yamlnode *node = yamlnode_get(map, "win_from"), *slot[CLV_MAX_STATES];
	char what[256], desc[64];
	clv_status rc = CLV_OK;
	size_t r;

	if ((o->win_from = calloc(s->n, sizeof *o->win_from)) == NULL)
		return nomem(ld->err);
	snprintf(what, sizeof what, "%s.win_from", prefix);
	if (node != NULL && (node->kind != YAMLNODE_MAP || is_dist(node)))
		return bad(ld, node, CLV_ERR_INPUT, "%s must be a map rival: probability, found %s",
		           what, yamlnode_describe(node, desc, sizeof desc));
	if (node != NULL)
		rc = by_state(ld, s, node, what, false, slot);
	if (rc == CLV_OK && node != NULL && slot[o->brand] != NULL)
		return bad(ld, slot[o->brand], CLV_ERR_INPUT, "%s: a brand cannot win customers from "
		           "itself (use retention_uplift)", what);
	for (r = 0; r < s->n && rc == CLV_OK; r++) {
		char *label = diag_strdupf("%s.%s", what, s->states[r]);
		if (label == NULL)
			return nomem(ld->err);
		if (node == NULL || slot[r] == NULL)
			rc = default_param(ld, label, &Q_PROB, 0.0, &o->win_from[r]);
		else
			rc = parse_param(ld, slot[r], label, &Q_PROB, ALLOW_ANY, &o->win_from[r]);
		free(label);
	}
	return rc;
}

static clv_status offer_field(const loader *ld, const yamlnode *map, const char *prefix,
                              const char *key, const quantity *q, clv_param *p)
{
	char label[256];

	snprintf(label, sizeof label, "%s.%s", prefix, key);
	return param_or_default(ld, yamlnode_get(map, key), label, q, 0.0, p);
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
	if (get_whole(ld, node, what, 1.0, (double)CLV_MAX_HORIZON + 1.0, CLV_ERR_LIMIT, &v) !=
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
	clv_status rc;

	if ((o->label = strdup(kind)) == NULL)
		return nomem(ld->err);
	o->pos = pos_of(ld, map);
	if (map->kind != YAMLNODE_MAP)
		return bad(ld, map, CLV_ERR_INPUT, "%s must be a map (brand, cost, ...) or a list of "
		           "maps, found %s", prefix, yamlnode_describe(map, desc, sizeof desc));
	rc = check_keys(ld, map, OFFER_KEYS, COUNT(OFFER_KEYS), prefix);
	if (rc == CLV_OK)
		rc = offer_brand(ld, s, map, prefix, o);
	if (rc == CLV_OK)
		rc = offer_field(ld, map, prefix, "cost", &Q_MONEY, &o->cost);
	if (rc == CLV_OK)
		rc = offer_field(ld, map, prefix, "margin_cut", &Q_SHARE, &o->margin_cut);
	if (rc == CLV_OK)
		rc = offer_field(ld, map, prefix, "retention_uplift", &Q_PROB, &o->retention_uplift);
	if (rc == CLV_OK)
		rc = offer_win_from(ld, s, map, prefix, o);
	snprintf(what, sizeof what, "%s.target", prefix);
	if (rc == CLV_OK && target != NULL)
		rc = get_word(ld, target, what, TARGETS, COUNT(TARGETS), &which);
	o->target_all = which == 1;
	if (rc == CLV_OK)
		rc = offer_periods(ld, map, prefix, o);
	return rc;
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
		rc = parse_offer(ld, s, map, kind, prefix, &s->offers[s->n_offers++]);
	}
	return rc;
}

static clv_status parse_offers(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *campaign = yamlnode_get(top, "campaign");
	const yamlnode *discount = yamlnode_get(top, "price_discount");
	size_t n = offers_in(campaign) + offers_in(discount);
	clv_status rc;

	if (n == 0)
		return CLV_OK;
	if ((s->offers = calloc(n, sizeof *s->offers)) == NULL)
		return nomem(ld->err);
	rc = parse_offer_kind(ld, s, campaign, "campaign");
	if (rc == CLV_OK)
		rc = parse_offer_kind(ld, s, discount, "price_discount");
	if (rc == CLV_OK)
		rc = scenario_offers_share_periods(s, ld->err);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Correlations.                                                       */

/* Labels of every assumption, for "did you mean" (NULL on no memory). */
static const char **all_labels(clv_scenario *s, size_t *n)
{
	size_t k, count;
	clv_param **params = scenario_params_alloc(s, &count);
	const char **labels = calloc(count + 1, sizeof *labels);

	if (params == NULL || labels == NULL) {
		free(params);
		free(labels);
		return NULL;
	}
	for (k = 0; k < count; k++)
		labels[k] = params[k]->label;
	free(params);
	*n = count;
	return labels;
}

static clv_status corr_label(const loader *ld, clv_scenario *s, const yamlnode *node,
                             char **out)
{
	const clv_param *p;
	char desc[64], tip[128];
	const char **labels;
	size_t n = 0;

	if (!is_string(node))
		return bad(ld, node, CLV_ERR_INPUT, "correlations: expected an assumption label "
		           "(e.g. margin.A), found %s", yamlnode_describe(node, desc, sizeof desc));
	p = scenario_param(s, node->text);
	if (p != NULL && !dist_is_uncertain(p))
		return bad(ld, node, CLV_ERR_INPUT, "correlations: \"%s\" is a fixed number; only "
		           "uncertain assumptions (distributions) can be correlated", node->text);
	if (p == NULL) {
		if ((labels = all_labels(s, &n)) == NULL)
			return nomem(ld->err);
		hint(node->text, labels, n, tip, sizeof tip);
		free(labels);
		return bad(ld, node, CLV_ERR_INPUT, "correlations: no assumption is labelled "
		           "\"%s\"%s", node->text, tip);
	}
	*out = strdup(node->text);
	return *out != NULL ? CLV_OK : nomem(ld->err);
}

static clv_status parse_correlation(const loader *ld, clv_scenario *s, const yamlnode *node,
                                    clv_correlation *c)
{
	clv_status rc;

	c->pos = pos_of(ld, node);
	if (node->kind != YAMLNODE_SEQ || node->n != 3)
		return bad(ld, node, CLV_ERR_INPUT, "correlations: each entry must be a list "
		           "[label, label, rho]");
	rc = corr_label(ld, s, node->item[0], &c->a);
	if (rc == CLV_OK)
		rc = corr_label(ld, s, node->item[1], &c->b);
	if (rc == CLV_OK)
		rc = get_number(ld, node->item[2], "correlations: rho", &c->rho);
	if (rc == CLV_OK && !(c->rho > -1.0 && c->rho < 1.0))
		rc = bad(ld, node->item[2], CLV_ERR_INPUT, "correlations: rho = %s must lie strictly "
		         "between -1 and 1", node->item[2]->text);
	return rc;
}

static clv_status parse_correlations(const loader *ld, clv_scenario *s, const yamlnode *node)
{
	char desc[64];
	clv_status rc = CLV_OK;
	size_t k;

	if (node == NULL)
		return CLV_OK;
	if (node->kind != YAMLNODE_SEQ)
		return bad(ld, node, CLV_ERR_INPUT, "correlations must be a list of [label, label, "
		           "rho], found %s", yamlnode_describe(node, desc, sizeof desc));
	if (node->n == 0)
		return CLV_OK;
	if ((s->correlations = calloc(node->n, sizeof *s->correlations)) == NULL)
		return nomem(ld->err);
	for (k = 0; k < node->n && rc == CLV_OK; k++)
		rc = parse_correlation(ld, s, node->item[k], &s->correlations[s->n_correlations++]);
	return rc;
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
	if (get_whole(ld, node, key, 1.0, max, CLV_ERR_LIMIT, &v) != CLV_OK)
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
			return bad(ld, node, CLV_ERR_INPUT, "seed = %s is over the limit of %lld",
			           node->text, (long long)INT64_MAX);
	}
	if (get_whole(ld, node, "seed", 0.0, 9.2e18, CLV_ERR_INPUT, &v) != CLV_OK)
		return ld->err->status;
	s->seed = (uint64_t)v;
	return CLV_OK;
}

/* ------------------------------------------------------------------ */
/* Reading files and following base: chains.                           */

static clv_status read_error(const char *path, const clv_pos *from, clv_status status,
                             const char *why, clv_error *err)
{
	if (from != NULL)
		return diag_set(err, status, from, "base: cannot read \"%s\": %s", path, why);
	return diag_set_file(err, status, path, "cannot read the scenario file: %s", why);
}

/* Read fd to the end into a growing buffer; stops past MAX_FILE_BYTES.
   Returns 0 or an errno value. */
static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 0;
	ssize_t got;

	for (;;) {
		if (*len + 1 >= cap) {
			char *grown = realloc(*buf, cap = cap ? 2 * cap : 1 << 16);
			if (grown == NULL)
				return ENOMEM;
			*buf = grown;
		}
		got = read(fd, *buf + *len, cap - *len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return errno;
		if (got == 0 || *len > (size_t)MAX_FILE_BYTES)
			return 0;
		*len += (size_t)got;
	}
}

/* Read all of path (<= 16 MiB) into a NUL-terminated buffer. `from` is the
   base: node that named it, or NULL for the top file. */
static clv_status read_file(const char *path, const clv_pos *from, char **buf, size_t *len,
                            clv_error *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY), e;

	*buf = NULL;
	*len = 0;
	if (fd < 0)
		return read_error(path, from, CLV_ERR_IO, strerror(errno), err);
	e = fstat(fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
	if (e == 0 && S_ISREG(st.st_mode) && st.st_size > MAX_FILE_BYTES) {
		close(fd);
		return read_error(path, from, CLV_ERR_LIMIT, "the file is larger than 16 MiB", err);
	}
	if (e == 0)
		e = read_all(fd, buf, len);
	close(fd);
	if (e == ENOMEM)
		return nomem(err);
	if (e != 0)
		return read_error(path, from, CLV_ERR_IO, strerror(e), err);
	if (*len > (size_t)MAX_FILE_BYTES)
		return read_error(path, from, CLV_ERR_LIMIT, "the file is larger than 16 MiB", err);
	(*buf)[*len] = '\0';
	return CLV_OK;
}

static clv_status add_file(loader *ld, const char *shown)
{
	char *real = realpath(shown, NULL);
	int k = ld->n_files;

	ld->shown[k] = strdup(shown);
	ld->real[k] = real != NULL ? real : strdup(shown);
	if (ld->shown[k] == NULL || ld->real[k] == NULL) {
		free(ld->shown[k]);
		free(ld->real[k]);
		return nomem(ld->err);
	}
	ld->name[k] = ld->shown[k];
	ld->n_files++;
	return CLV_OK;
}

/* base relative to the folder of `from`. */
static char *join_path(const char *from, const char *base)
{
	const char *slash = strrchr(from, '/');

	if (base[0] == '/' || slash == NULL)
		return strdup(base);
	return diag_strdupf("%.*s/%s", (int)(slash - from), from, base);
}

/* "a.yaml -> b.yaml -> a.yaml" */
static clv_status cycle_error(const loader *ld, const yamlnode *base, const char *next)
{
	char chain[CLV_ERROR_MAX] = "";
	size_t used = 0;
	int k;

	for (k = 0; k < ld->n_files && used < sizeof chain; k++)
		used += (size_t)snprintf(chain + used, sizeof chain - used, "%s -> ", ld->shown[k]);
	if (used < sizeof chain)
		snprintf(chain + used, sizeof chain - used, "%s", next);
	return bad(ld, base, CLV_ERR_INPUT, "base: the chain of base files has a cycle: %s", chain);
}

static clv_status load_layer(loader *ld, const char *shown, const char *text, size_t len,
                             yamlnode **out);

/* Load the file named by `base:` (the chain below it merged). */
static clv_status load_base(loader *ld, const yamlnode *base, yamlnode **below)
{
	char desc[64], *path, *real, *text = NULL;
	clv_pos from = pos_of(ld, base);
	clv_status rc = CLV_OK;
	size_t len = 0;
	int k;

	if (!is_string(base))
		return bad(ld, base, CLV_ERR_INPUT, "base must be a file name (relative to this "
		           "file's folder), found %s", yamlnode_describe(base, desc, sizeof desc));
	if (ld->n_files > MAX_BASE_LINKS)
		return bad(ld, base, CLV_ERR_LIMIT, "base: more than %d base files in a chain",
		           MAX_BASE_LINKS);
	if ((path = join_path(ld->shown[base->file], base->text)) == NULL)
		return nomem(ld->err);
	real = realpath(path, NULL);
	for (k = 0; k < ld->n_files && rc == CLV_OK; k++)
		if (strcmp(real != NULL ? real : path, ld->real[k]) == 0)
			rc = cycle_error(ld, base, path);
	free(real);
	if (rc == CLV_OK)
		rc = read_file(path, &from, &text, &len, ld->err);
	if (rc == CLV_OK)
		rc = load_layer(ld, path, text, len, below);
	free(text);
	free(path);
	return rc;
}

/* A base list of per-state entries becomes a map by state name when the
   overriding file gives a map, so the two merge entry by entry. */
static clv_status align_lists(const loader *ld, yamlnode *below, const yamlnode *over)
{
	static const char *const keys[] = {"initial", "switching"};
	const yamlnode *states = yamlnode_get(below, "states");
	size_t i, k;

	if (states == NULL || states->kind != YAMLNODE_SEQ)
		return CLV_OK;
	for (i = 0; i < states->n; i++)
		if (!is_string(states->item[i]))
			return CLV_OK;
	for (k = 0; k < COUNT(keys); k++) {
		yamlnode *b = yamlnode_get(below, keys[k]);
		const yamlnode *o = yamlnode_get(over, keys[k]);
		if (b == NULL || o == NULL || b->kind != YAMLNODE_SEQ || o->kind != YAMLNODE_MAP ||
		    is_dist(o) || b->n != states->n)
			continue;
		if (yamlnode_seq_to_map(b, states) != CLV_OK)
			return nomem(ld->err);
	}
	return CLV_OK;
}

/* Overlay `over` on *below (consuming over). */
static clv_status overlay(const loader *ld, yamlnode **below, yamlnode *over)
{
	clv_status rc = align_lists(ld, *below, over);

	if (rc != CLV_OK) {
		yamlnode_free(over);
		return rc;
	}
	if (yamlnode_merge(below, over, "dist") != CLV_OK)
		return nomem(ld->err);
	return CLV_OK;
}

static clv_status check_document(const loader *ld, const yamlnode *root, int file)
{
	char desc[64];

	if (root == NULL || yamlnode_is_null(root))
		return diag_set_file(ld->err, CLV_ERR_INPUT, ld->shown[file],
		                     "empty scenario file (no YAML content)");
	if (root->kind != YAMLNODE_MAP)
		return bad(ld, root, CLV_ERR_INPUT, "the top level of a scenario must be a map of "
		           "keys (states:, switching:, ...), found %s",
		           yamlnode_describe(root, desc, sizeof desc));
	return CLV_OK;
}

/* Parse one file of the chain and overlay it on its base, if any. */
static clv_status load_layer(loader *ld, const char *shown, const char *text, size_t len,
                             yamlnode **out)
{
	yamlnode *tree = NULL, *below = NULL;
	const yamlnode *base;
	int file = ld->n_files;
	clv_status rc;

	*out = NULL;
	rc = add_file(ld, shown);
	if (rc == CLV_OK)
		rc = yamlnode_parse(text, len, ld->shown[file], file, &tree, ld->err);
	if (rc == CLV_OK)
		rc = check_document(ld, tree, file);
	base = rc == CLV_OK ? yamlnode_get(tree, "base") : NULL;
	if (base != NULL)
		rc = load_base(ld, base, &below);
	if (rc != CLV_OK) {
		yamlnode_free(tree);
		yamlnode_free(below);
		return rc;
	}
	yamlnode_remove(tree, "base");
	if (below == NULL) {
		*out = tree;
		return CLV_OK;
	}
	yamlnode_remove(below, "name"); /* a name is never inherited */
	rc = overlay(ld, &below, tree);
	*out = below;
	return rc;
}

/* ------------------------------------------------------------------ */
/* Building a scenario from the merged tree.                           */

/* Point the loader's file names into s->path (see set_paths). */
static void point_names(loader *ld, const clv_scenario *s)
{
	const char *at = s->path;
	int k;

	for (k = 0; k < ld->n_files; k++) {
		ld->name[k] = at;
		at += strlen(at) + 1;
	}
}

/* s->path: the top file's name, then every base file's ("a\0b\0c\0");
   positions of params point into it. */
static clv_status set_paths(loader *ld, clv_scenario *s)
{
	size_t total = 0, at = 0;
	int k;

	for (k = 0; k < ld->n_files; k++)
		total += strlen(ld->shown[k]) + 1;
	if ((s->path = malloc(total)) == NULL)
		return nomem(ld->err);
	for (k = 0; k < ld->n_files; k++) {
		memcpy(s->path + at, ld->shown[k], strlen(ld->shown[k]) + 1);
		at += strlen(ld->shown[k]) + 1;
	}
	point_names(ld, s);
	return CLV_OK;
}

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

	if (node != NULL && !is_string(node))
		return bad(ld, node, CLV_ERR_INPUT, "name must be a string, found %s",
		           yamlnode_describe(node, desc, sizeof desc));
	s->name = node != NULL ? strdup(node->text) : dflt != NULL ? strdup(dflt)
	                                                           : name_from_path(s->path);
	return s->name != NULL ? CLV_OK : nomem(ld->err);
}

/* currency: optional text of at most 16 bytes, no control characters. */
static clv_status parse_currency(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *node = yamlnode_get(top, "currency");
	char desc[64];
	const char *c;

	if (node != NULL && !is_string(node))
		return bad(ld, node, CLV_ERR_INPUT, "currency must be a string, found %s",
		           yamlnode_describe(node, desc, sizeof desc));
	if (node != NULL) {
		if (strlen(node->text) > 16)
			return bad(ld, node, CLV_ERR_INPUT, "currency must be at most 16 bytes "
			           "(e.g. EUR, USD, CNY)");
		for (c = node->text; *c != '\0'; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				return bad(ld, node, CLV_ERR_INPUT, "currency must not contain control "
				           "characters");
	}
	s->currency = strdup(node != NULL ? node->text : "");
	return s->currency != NULL ? CLV_OK : nomem(ld->err);
}

static clv_status parse_chain_states(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *retention = yamlnode_get(top, "retention");
	clv_status rc;

	rc = parse_states(ld, s, yamlnode_get(top, "states"));
	if (rc == CLV_OK)
		rc = parse_initial(ld, s, yamlnode_get(top, "initial"));
	if (rc == CLV_OK)
		rc = parse_switching(ld, s, yamlnode_get(top, "switching"));
	if (rc == CLV_OK && retention != NULL)
		rc = parse_retention(ld, s, retention);
	return rc;
}

static clv_status parse_time(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	clv_status rc;

	rc = parse_horizon(ld, s, yamlnode_get(top, "horizon"));
	if (rc == CLV_OK)
		rc = parse_period(ld, s, yamlnode_get(top, "period"));
	if (rc == CLV_OK)
		rc = parse_discount(ld, s, yamlnode_get(top, "discount_rate"));
	if (rc == CLV_OK)
		rc = parse_purchases(ld, s, yamlnode_get(top, "purchases_per_period"));
	return rc;
}

static clv_status parse_money(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	clv_status rc;

	rc = parse_per_state(ld, s, yamlnode_get(top, "margin"), "margin", &Q_MONEY, 0.0,
	                     s->margin);
	if (rc == CLV_OK)
		rc = parse_per_state(ld, s, yamlnode_get(top, "cost_per_period"), "cost_per_period",
		                     &Q_MONEY, 0.0, s->cost);
	if (rc == CLV_OK)
		rc = parse_per_state(ld, s, yamlnode_get(top, "referral_value"), "referral_value",
		                     &Q_MONEY, 0.0, s->referral);
	if (rc == CLV_OK)
		rc = parse_single(ld, top, "acquisition_cost", &Q_MONEY, 0.0, &s->acquisition);
	if (rc == CLV_OK)
		rc = parse_single(ld, top, "spend_growth", &Q_GROWTH, 0.0, &s->spend_growth);
	return rc;
}

static clv_status parse_sizes(const loader *ld, clv_scenario *s, const yamlnode *top)
{
	clv_status rc;

	rc = parse_count(ld, top, "customers", (double)CLV_MAX_CUSTOMERS, DEFAULT_CUSTOMERS,
	                 &s->customers);
	if (rc == CLV_OK)
		rc = parse_count(ld, top, "replications", (double)CLV_MAX_REPLICATIONS,
		                 DEFAULT_REPLICATIONS, &s->replications);
	if (rc == CLV_OK)
		rc = parse_seed(ld, s, top);
	return rc;
}

static clv_status build_segments(loader *ld, clv_scenario *s, const yamlnode *top);

/* Interpret the merged tree `top` into a new scenario. `name` overrides the
   default name (segments); `segment` marks a segment (no segments of its
   own). Returns NULL with ld->err set on failure. */
static clv_scenario *build_scenario(loader *ld, const yamlnode *top, const char *name,
                                    bool segment)
{
	clv_scenario *s = calloc(1, sizeof *s);
	clv_status rc;

	if (s == NULL) {
		nomem(ld->err);
		return NULL;
	}
	rc = set_paths(ld, s);
	if (rc == CLV_OK)
		rc = check_keys(ld, top, TOP_KEYS, COUNT(TOP_KEYS), "");
	if (rc == CLV_OK)
		rc = check_required(ld, top, REQUIRED_KEYS, COUNT(REQUIRED_KEYS), "");
	if (rc == CLV_OK)
		rc = parse_name(ld, s, top, name);
	if (rc == CLV_OK)
		rc = parse_currency(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_chain_states(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_time(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_money(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_offers(ld, s, top);
	if (rc == CLV_OK)
		rc = parse_correlations(ld, s, yamlnode_get(top, "correlations"));
	if (rc == CLV_OK)
		rc = parse_sizes(ld, s, top);
	if (rc == CLV_OK)
		rc = scenario_validate(s, ld->err);
	if (rc == CLV_OK && !segment)
		rc = build_segments(ld, s, top);
	if (rc == CLV_OK)
		return s;
	scenario_free(s);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Segments.                                                           */

static clv_status check_segment_keys(const loader *ld, const yamlnode *seg, const char *name)
{
	char where[256];
	size_t i;

	snprintf(where, sizeof where, "segment \"%s\"", name);
	for (i = 0; i < seg->n; i++) {
		const char *key = seg->key[i]->text;
		if (index_of(key, SEGMENT_KEYS, COUNT(SEGMENT_KEYS)) == NOT_FOUND &&
		    index_of(key, TOP_KEYS, COUNT(TOP_KEYS)) != NOT_FOUND)
			return bad(ld, seg->key[i], CLV_ERR_INPUT, "key \"%s\" cannot differ between "
			           "segments (a segment may set: weight, initial, switching, retention, "
			           "discount_rate, purchases_per_period, margin, cost_per_period, "
			           "referral_value, acquisition_cost, spend_growth, campaign, "
			           "price_discount, correlations)", key);
	}
	return check_keys(ld, seg, SEGMENT_KEYS, COUNT(SEGMENT_KEYS), where);
}

static clv_status segment_weight(const loader *ld, const yamlnode *seg, const char *name,
                                 double *w)
{
	const yamlnode *node = yamlnode_get(seg, "weight");
	char what[256], desc[64];
	clv_status rc;

	snprintf(what, sizeof what, "segment \"%s\"", name);
	if (seg->kind != YAMLNODE_MAP)
		return bad(ld, seg, CLV_ERR_INPUT, "%s must be a map of overrides with a weight, "
		           "found %s", what, yamlnode_describe(seg, desc, sizeof desc));
	rc = check_segment_keys(ld, seg, name);
	if (rc == CLV_OK)
		rc = check_required(ld, seg, (const char *const[]){"weight"}, 1, what);
	snprintf(what, sizeof what, "segment \"%s\": weight", name);
	if (rc == CLV_OK)
		rc = get_number(ld, node, what, w);
	if (rc == CLV_OK && !(*w > 0.0))
		rc = bad(ld, node, CLV_ERR_INPUT, "%s = %s must be > 0", what, node->text);
	return rc;
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
		nomem(ld->err);
		goto cleanup;
	}
	yamlnode_remove(tree, "segments");
	yamlnode_remove(tree, "name");
	yamlnode_remove(over, "weight");
	if (overlay(ld, &tree, over) == CLV_OK)
		out = build_scenario(ld, tree, full, true);
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
		return nomem(ld->err);
	return CLV_OK;
}

static clv_status check_segments_node(const loader *ld, const yamlnode *segs)
{
	char desc[64];

	if (segs->kind != YAMLNODE_MAP)
		return bad(ld, segs, CLV_ERR_INPUT, "segments must be a map name: {weight: W, ...}, "
		           "found %s", yamlnode_describe(segs, desc, sizeof desc));
	if (segs->n == 0)
		return bad(ld, segs, CLV_ERR_INPUT, "segments: at least one segment is needed");
	if (segs->n > CLV_MAX_SEGMENTS)
		return bad(ld, segs, CLV_ERR_LIMIT, "segments: %zu segments, over the limit of %d",
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

static clv_status build_segments(loader *ld, clv_scenario *s, const yamlnode *top)
{
	const yamlnode *segs = yamlnode_get(top, "segments");
	clv_status rc;
	double sum = 0.0;
	size_t k;

	if (segs == NULL)
		return CLV_OK;
	rc = check_segments_node(ld, segs);
	if (rc == CLV_OK)
		rc = alloc_segments(ld, s, segs->n);
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		rc = segment_weight(ld, segs->item[k], segs->key[k]->text, &s->segment_weight[k]);
		sum += s->segment_weight[k];
		if (rc == CLV_OK && (s->segment_name[k] = strdup(segs->key[k]->text)) == NULL)
			rc = nomem(ld->err);
	}
	if (rc == CLV_OK && fabs(sum - 1.0) > SUM_TOLERANCE)
		rc = bad(ld, segs, CLV_ERR_INPUT, "segment weights sum to %.12g, not 1 (difference "
		         "%.3g; they must sum to 1 within 1e-9)", sum, sum - 1.0);
	for (k = 0; k < s->n_segments && rc == CLV_OK; k++) {
		s->segments[k] = build_segment(ld, s, top, segs->item[k], segs->key[k]->text);
		point_names(ld, s);
		if (s->segments[k] == NULL)
			rc = in_segment(ld->err, segs->key[k]->text);
	}
	return rc;
}

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
	if (load_layer(&ld, path, text, len, &tree) == CLV_OK)
		s = build_scenario(&ld, tree, NULL, false);
	yamlnode_free(tree);
	loader_free(&ld);
	return s;
}

clv_scenario *scenario_load(const char *path, clv_error *err)
{
	clv_scenario *s = NULL;
	char *text = NULL;
	size_t len = 0;

	if (read_file(path, NULL, &text, &len, err) == CLV_OK)
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

/* ------------------------------------------------------------------ */
/* Every assumption, in scenario_params order.                         */

/* Called per assumption; returns true to stop the walk. */
typedef bool (*visit_fn)(clv_param *p, void *ctx);

static bool visit_states(clv_scenario *s, visit_fn visit, void *ctx)
{
	size_t i, j;

	for (i = 0; i < s->n; i++)
		for (j = 0; !s->switching[i].dirichlet && j < s->n; j++)
			if (visit(&s->switching[i].p[j], ctx))
				return true;
	for (i = 0; i < s->n; i++)
		if (s->has_retention[i] && visit(&s->retention[i], ctx))
			return true;
	return false;
}

static bool visit_money(clv_scenario *s, visit_fn visit, void *ctx)
{
	clv_param *per_state[] = {s->margin, s->cost, s->referral};
	size_t i, k;

	for (k = 0; k < COUNT(per_state); k++)
		for (i = 0; i < s->n; i++)
			if (visit(&per_state[k][i], ctx))
				return true;
	return visit(&s->acquisition, ctx) || visit(&s->spend_growth, ctx);
}

static bool visit_offers(clv_scenario *s, visit_fn visit, void *ctx)
{
	size_t k, r;

	for (k = 0; k < s->n_offers; k++) {
		clv_offer *o = &s->offers[k];
		if (visit(&o->cost, ctx) || visit(&o->margin_cut, ctx) ||
		    visit(&o->retention_uplift, ctx))
			return true;
		for (r = 0; r < s->n; r++)
			if (visit(&o->win_from[r], ctx))
				return true;
	}
	return false;
}

/* The walk: switching entries by row, retention, discount_rate,
   purchases_per_period, margin, cost_per_period, referral_value,
   acquisition_cost, spend_growth, offers (cost, margin_cut,
   retention_uplift, win_from by state). */
static void walk(clv_scenario *s, visit_fn visit, void *ctx)
{
	if (visit_states(s, visit, ctx) || visit(&s->discount, ctx) ||
	    visit(&s->purchases, ctx) || visit_money(s, visit, ctx))
		return;
	visit_offers(s, visit, ctx);
}

typedef struct collect {
	clv_param **out;
	size_t cap, count;
} collect;

static bool collect_one(clv_param *p, void *ctx)
{
	collect *c = ctx;

	if (c->count < c->cap)
		c->out[c->count] = p;
	c->count++;
	return false;
}

size_t scenario_params(clv_scenario *s, clv_param **out, size_t cap)
{
	collect c = {out, cap, 0};

	walk(s, collect_one, &c);
	return c.count;
}

clv_param **scenario_params_alloc(clv_scenario *s, size_t *count)
{
	clv_param **params;

	*count = scenario_params(s, NULL, 0);
	params = calloc(*count + 1, sizeof *params);
	if (params != NULL)
		scenario_params(s, params, *count);
	return params;
}

typedef struct match {
	const char *label;
	clv_param *found;
} match;

static bool match_one(clv_param *p, void *ctx)
{
	match *m = ctx;

	if (p->label == NULL || strcmp(p->label, m->label) != 0)
		return false;
	m->found = p;
	return true;
}

/* "switching.I.J", trying the longest state name I first, since names may
   hold dots. */
static clv_param *switching_param(clv_scenario *s, const char *label)
{
	static const char prefix[] = "switching.";
	const char *rest = label + sizeof prefix - 1;
	clv_param *best = NULL;
	size_t i, j, best_len = 0;

	if (strncmp(label, prefix, sizeof prefix - 1) != 0)
		return NULL;
	for (i = 0; i < s->n; i++) {
		size_t len = strlen(s->states[i]);
		if (s->switching[i].dirichlet || strncmp(rest, s->states[i], len) != 0 ||
		    rest[len] != '.' || (best != NULL && len <= best_len))
			continue;
		j = scenario_state_index(s, rest + len + 1);
		if (j == NOT_FOUND)
			continue;
		best = &s->switching[i].p[j];
		best_len = len;
	}
	return best;
}

clv_param *scenario_param(clv_scenario *s, const char *label)
{
	match m = {label, NULL};

	if (strncmp(label, "switching.", 10) == 0)
		return switching_param(s, label);
	walk(s, match_one, &m);
	return m.found;
}

/* ------------------------------------------------------------------ */
/* Edits: scenario_set_number.                                         */

static clv_status unknown_key(clv_scenario *s, const char *key, clv_error *err)
{
	size_t n = 0;
	const char **labels = all_labels(s, &n);
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
	hint(key, all, n + COUNT(words), tip, sizeof tip);
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
	if (model_row_pin(row, s->n, j, value) != 0)
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
	if (value < p->lo || value > p->hi || (scenario_lo_open(p) && value == p->lo))
		return diag_set(err, CLV_ERR_USAGE, NULL, "%s = %.10g is outside %s%.10g, %.10g]", key,
		                value, scenario_lo_open(p) ? "(" : "[", p->lo, p->hi);
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
