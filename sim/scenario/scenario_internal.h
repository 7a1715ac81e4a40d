/*
 * scenario_internal.h - what the files of the scenario stage share; not for
 * other stages. A load runs through them in this order (load.c drives it):
 *
 *   files.c       read the files, follow `base:` chains, overlay the layers
 *   values.c      one node into a checked number, word or assumption
 *   keys.c        the merged tree key by key into the clv_scenario
 *   keys_offers.c campaign, price_discount and correlations
 *   keys_base.c   customer_base
 *   validate.c    the rules between keys (scenario_validate)
 *   scenario_limits.c  the limits the engines need (reach, correlations,
 *                 Dirichlet concentration), part of validation
 *   segments.c    each segment: the tree overlaid with its keys, built again
 *
 * and after a load: params.c lists and finds assumptions, edit.c edits a
 * loaded scenario, copy.c copies one.
 *
 * Functions here take the loader of the load in progress and report errors
 * at a node's place ("FILE:LINE:COLUMN: ...") in ld->err; they return
 * CLV_OK or the error's status, and keep nothing on failure beyond what the
 * scenario being built owns (scenario_free releases it).
 *
 * Every problem of a file: a load keeps each problem in ld->err->all
 * (diag_keep) and goes on with the next part that does not depend on the
 * failed one (value_part): each top-level key, each state's entry of a
 * per-state key, each switching row, each offer field. What failed is
 * marked in ld->gaps, and the rules that need it are not checked, so a
 * problem that follows from an earlier one is not reported (no row sum
 * for a row with a bad entry, nothing per state when `states` is bad).
 * A function that fails after its problems were kept returns a non-OK
 * status with ld->err clear. Load.c sorts the problems in file order.
 */
#ifndef CLV_SCENARIO_INTERNAL_H
#define CLV_SCENARIO_INTERNAL_H

#include "clvsim.h"
#include "base/diag.h"
#include "scenario/yamlnode.h"

#define SUM_TOLERANCE 1e-9      /* fixed rows and `initial` sum to 1 within it */
#define MEAN_SUM_TOLERANCE 1e-6 /* rows with uncertain entries, at their means */
/* Amounts of money are bounded so sums over periods cannot overflow. */
#define MONEY_LIMIT 1e15
/* A finite horizon may grow the discounted margin by at most e^200
   (about 7e86): T (log(1 + g) - log(1 + r)) <= GROWTH_LOG_LIMIT. */
#define GROWTH_LOG_LIMIT 200.0
#define COUNT(a) (sizeof(a) / sizeof(a)[0])
#define NOT_FOUND ((size_t)-1)

#define MAX_FILE_BYTES (16L * 1024 * 1024)
#define MAX_BASE_LINKS 32
#define MAX_FILES (MAX_BASE_LINKS + 1)

/* The parts of a scenario whose problems were kept: the rules that need
   them are skipped (scenario_validate_gaps). */
typedef struct load_gaps {
	bool states;                   /* states unusable: nothing per state */
	bool initial;
	bool row[CLV_MAX_STATES];      /* switching row of state i */
	bool retention[CLV_MAX_STATES];
	bool horizon, period, discount, growth, purchases;
	bool money;                    /* margin, cost_per_period, referral_value,
	                                  acquisition_cost */
	bool offers, correlations, sizes, base;
	bool any;                      /* some problem was kept */
} load_gaps;

/* The files of one load and the names positions point to. */
typedef struct loader {
	clv_error *err;
	char *shown[MAX_FILES];      /* names as shown in messages (owned) */
	char *real[MAX_FILES];       /* canonical names, to find cycles (owned) */
	int n_files;                 /* index = yamlnode.file */
	const char *name[MAX_FILES]; /* the names positions point to: shown[]
	                                while parsing, then the path block of
	                                the scenario being built */
	load_gaps *gaps;             /* of the scenario being built (keys_build) */
} loader;

/* ------------------------------------------------------------------ */
/* files.c: reading files, `base:` chains, layers.                     */

/* Read all of path (<= 16 MiB) into a new NUL-terminated *buf (free() it).
   `from` is the base: node that named it, or NULL for the top file.
   CLV_ERR_IO with the OS reason, CLV_ERR_LIMIT over 16 MiB. */
clv_status files_read(const char *path, const clv_pos *from, char **buf, size_t *len,
                      clv_error *err);

/* Parse the file `shown` (its text given) and overlay it on its base
   chain; *out gets the merged tree (owned by the caller). */
clv_status files_load_layer(loader *ld, const char *shown, const char *text, size_t len,
                            yamlnode **out);

/* Overlay `over` on *below (consuming over): maps merge per entry, the rest
   replaces; a base list of per-state entries becomes a map first. */
clv_status files_overlay(const loader *ld, yamlnode **below, yamlnode *over);

/* s->path: the top file's name, then every base file's ("a\0b\0c\0"), and
   point the loader's names into it (files_point_names). */
clv_status files_set_paths(loader *ld, clv_scenario *s);

/* Point the loader's file names into s->path. */
void files_point_names(loader *ld, const clv_scenario *s);

/* ------------------------------------------------------------------ */
/* values.c: one node into a checked value.                            */

/* The range a quantity may take, for checks and truncation. */
typedef struct quantity {
	const char *what; /* "a probability", for messages */
	double lo, hi;
	bool lo_open;     /* lo itself excluded */
	clv_status over;  /* status when above hi */
} quantity;

extern const quantity Q_PROB, Q_SHARE, Q_RATE, Q_MONEY, Q_GROWTH, Q_COUNT;

/* Which distributions a key accepts. */
typedef enum allow { ALLOW_ANY = 0, ALLOW_POISSON_ONLY } allow;

/* The place of node, its file name from the loader. */
clv_pos value_pos(const loader *ld, const yamlnode *node);

/* Record an error at node's place; returns status. */
clv_status value_error(const loader *ld, const yamlnode *node, clv_status status,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* The end of one independent part whose status is rc: CLV_OK when it
   passed, or when it failed and its problem was kept (then *gap, if not
   NULL, and ld->gaps->any are set, and the caller goes on); rc when the
   load must stop (out of memory, or nothing collects). */
clv_status value_part(const loader *ld, clv_status rc, bool *gap);

/* CLV_ERR_NOMEM with the loader's message. */
clv_status value_nomem(clv_error *err);

/* " (did you mean \"x\"?)" or "", into buf; returns buf. */
const char *value_hint(const char *word, const char *const *candidates, size_t n, char *buf,
                       size_t cap);

/* The hint, or else " (one of: a, b, c)" when the list is short. */
const char *value_hint_or_list(const char *word, const char *const *candidates, size_t n,
                               char *buf, size_t cap);

/* Index of word in list, or NOT_FOUND. */
size_t value_index_of(const char *word, const char *const *list, size_t n);

/* A non-empty, non-null scalar. */
bool value_is_string(const yamlnode *node);

/* A map with a "dist" key. */
bool value_is_dist(const yamlnode *node);

/* True when t is YAML's spelling of `word` (".nan", ".inf"), any case and sign. */
bool value_yaml_special(const char *t, const char *word);

/* A finite number, written plain (not quoted). */
clv_status value_number(const loader *ld, const yamlnode *node, const char *what,
                        double *out);

/* A whole number in [lo, hi]; above hi is `over` (CLV_ERR_LIMIT for sizes). */
clv_status value_whole(const loader *ld, const yamlnode *node, const char *what, double lo,
                       double hi, clv_status over, double *out);

/* v (written at node) within the range of quantity q. */
clv_status value_check_range(const loader *ld, const yamlnode *node, const char *label,
                             const quantity *q, double v);

/* Every key of map must be in `known`; `where` names the map ("" = top).
   Each unknown key is a problem of its own (all are kept); the status is
   not OK when there was one. At the top, a map none of whose keys is a
   scenario key stops the load ("this file is not a scenario"). */
clv_status value_check_keys(const loader *ld, const yamlnode *map, const char *const *known,
                            size_t n_known, const char *where);

/* Every one of keys must be in map (each missing key a problem of its own,
   but not one an unknown key of map was taken for: its "did you mean"
   says it already). */
clv_status value_check_required(const loader *ld, const yamlnode *map, const char *const *keys,
                                size_t n, const char *where);

/* One of a fixed list of words (e.g. period: year); *out gets its index. */
clv_status value_word(const loader *ld, const yamlnode *node, const char *what,
                      const char *const *words, size_t n, size_t *out);

/* p = the fixed default `value` (the key was not given), labelled. */
clv_status value_default_param(const loader *ld, const char *label, const quantity *q,
                               double value, clv_param *p);

/* A number or a distribution at node, for the quantity q, into p. */
clv_status value_param(const loader *ld, const yamlnode *node, const char *label,
                       const quantity *q, allow allowed, clv_param *p);

/* value_param, or value_default_param when node is NULL. */
clv_status value_param_or_default(const loader *ld, const yamlnode *node, const char *label,
                                  const quantity *q, double dflt, clv_param *p);

/* A single number or distribution under `key` of top (default dflt). */
clv_status value_single(const loader *ld, const yamlnode *top, const char *key,
                        const quantity *q, double dflt, clv_param *out);

/* ------------------------------------------------------------------ */
/* keys.c, keys_offers.c: the merged tree into a scenario.             */

/* Interpret the merged tree `top` into a new scenario. `name` overrides the
   default name (segments); `segment` marks a segment (no segments of its
   own). Returns NULL with ld->err set on failure. */
clv_scenario *keys_build(loader *ld, const yamlnode *top, const char *name, bool segment);

/* True when key is a top-level key of a scenario file. */
bool keys_is_top(const char *key);

/* Sort the values of a map by state: slot[i] = value for state i or NULL.
   With `all`, every state must be named. */
clv_status keys_by_state(const loader *ld, const clv_scenario *s, const yamlnode *map,
                         const char *what, bool all, const yamlnode **slot);

/* campaign and price_discount of top into s->offers. */
clv_status keys_offers(const loader *ld, clv_scenario *s, const yamlnode *top);

/* correlations (node may be NULL) into s->correlations. */
clv_status keys_correlations(const loader *ld, clv_scenario *s, const yamlnode *node);

/* customer_base of top (optional) into s->base (keys_base.c). */
clv_status keys_base(const loader *ld, clv_scenario *s, const yamlnode *top);

/* ------------------------------------------------------------------ */
/* segments.c, params.c, validate.c                                    */

/* The segments of top, each built into a full scenario under s. */
clv_status segments_build(loader *ld, clv_scenario *s, const yamlnode *top);

/* Labels of every assumption of s, borrowed from it, in a new array (free()
   it; *n its length), for "did you mean". NULL on no memory. */
const char **params_labels_alloc(clv_scenario *s, size_t *n);

/* scenario_validate, skipping the rules that need a part in gaps (NULL:
   none) and, when err->all is set, going on past each broken rule to the
   next independent one. */
clv_status scenario_validate_gaps(const clv_scenario *s, const load_gaps *gaps,
                                  clv_error *err);

/* True for quantities whose lower bound is excluded (spend_growth,
   purchases_per_period). */
bool validate_lo_open(const clv_param *p);

/* The rules of scenario_limits.c (the engines' limits: Dirichlet
   concentration...), after the rules of scenario_validate.c, skipping
   those that need a part in gaps (NULL: none). CLV_OK or the first broken
   rule with its place (with err->all, each kept and a non-OK status). */
clv_status scenario_check_limits(const clv_scenario *s, const load_gaps *gaps,
                                 clv_error *err);

/* The lowest discount rate per period and the highest spend growth s can
   draw (their values when fixed; the 1e-9 and 1 - 1e-9 quantiles when
   uncertain). */
void scenario_rate_extremes(const clv_scenario *s, double *r_lo, double *g_hi);

/* CLV_OK when every offer has the same `periods`, else an error at the
   first that differs. */
clv_status validate_offers_share_periods(const clv_scenario *s, clv_error *err);

#endif
