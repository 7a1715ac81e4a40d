/*
 * yamlnode.h - a YAML document as a small tree of scalars, lists and maps,
 * every node knowing the file, line and column it was written at. The
 * scenario loader reads this tree instead of libyaml's document, so that
 * files of a `base:` chain and segment overrides can be merged node by node
 * while each node keeps its own place for error messages.
 *
 * Invariants of a tree built by yamlnode_parse:
 *   - map keys are scalars, unique within their map;
 *   - no anchors, aliases or tags; no scalar holds a NUL byte;
 *   - depth <= YAMLNODE_MAX_DEPTH, node count <= YAMLNODE_MAX_NODES.
 * Every node owns its children (yamlnode_free frees the whole subtree).
 */
#ifndef CLV_YAMLNODE_H
#define CLV_YAMLNODE_H

#include <stdbool.h>
#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

/* Nesting deeper than this is refused (a scenario needs about 5 levels). */
#define YAMLNODE_MAX_DEPTH 64
/* More nodes than this in one file is refused (CLV_ERR_LIMIT). */
#define YAMLNODE_MAX_NODES 1000000
/* The longest plain (implicit) map key YAML allows, in characters; a
   longer one is refused with its length (libyaml's own message misleads). */
#define YAMLNODE_MAX_KEY_CHARS 1024

typedef enum yamlnode_kind { YAMLNODE_SCALAR = 0, YAMLNODE_SEQ, YAMLNODE_MAP } yamlnode_kind;

typedef struct yamlnode yamlnode;

struct yamlnode {
	yamlnode_kind kind;
	char *text;        /* scalar: its value, NUL-terminated (owned); else NULL */
	bool plain;        /* scalar written without quotes (may be a number) */
	size_t n;          /* number of items (list) or of pairs (map) */
	size_t cap;        /* allocated slots in item[] and key[] */
	yamlnode **item;   /* list items, or map values (owned) */
	yamlnode **key;    /* map keys, all scalars (owned); NULL for a list */
	int file;          /* index of the file in the caller's list of files */
	int line, column;  /* 1-based place of the node's first character */
};

/* Parse one YAML document from text[0..len). `file_name` names the text in
   messages and `file` is stored in every node. On success *out is the
   root, or NULL when the text holds no document at all (empty, or only
   comments). Errors (CLV_ERR_INPUT unless said): YAML syntax, invalid
   UTF-8 or control characters, anchors/aliases, tags, complex or duplicate
   keys, NUL in a scalar, depth over the limit, a second document, a plain
   key longer than YAMLNODE_MAX_KEY_CHARS;
   CLV_ERR_LIMIT for more than YAMLNODE_MAX_NODES nodes; CLV_ERR_NOMEM. */
clv_status yamlnode_parse(const char *text, size_t len, const char *file_name, int file,
                          yamlnode **out, clv_error *err);

/* Free a node and its subtree; NULL is a no-op. */
void yamlnode_free(yamlnode *node);

/* A deep copy of node, or NULL when memory runs out (or node is NULL). */
yamlnode *yamlnode_copy(const yamlnode *node);

/* Index of the pair whose key is `key` in map, or (size_t)-1. */
size_t yamlnode_find(const yamlnode *map, const char *key);

/* The value for `key` in map, or NULL (also when map is not a map). */
yamlnode *yamlnode_get(const yamlnode *map, const char *key);

/* Remove the pair `key` from map (freeing it), if present. */
void yamlnode_remove(yamlnode *map, const char *key);

/* True for a plain empty scalar, "~" or "null" (YAML's null). */
bool yamlnode_is_null(const yamlnode *node);

/* True for a map that has the key `key`. */
bool yamlnode_has(const yamlnode *node, const char *key);

/* Overlay `over` on *base, consuming `over`: when both are maps and
   neither has the key `atomic` (e.g. "dist": a distribution is replaced
   whole), each pair of `over` is merged into the pair of *base with the
   same key, or appended; otherwise `over` replaces *base. A merged map
   takes over's place (file, line, column). Returns CLV_ERR_NOMEM (and
   frees `over`, leaving *base valid) when memory runs out. */
clv_status yamlnode_merge(yamlnode **base, yamlnode *over, const char *atomic);

/* Turn the list `seq` into a map in place, the i-th item keyed by a copy
   of the i-th scalar of the list `keys` (same length). Returns
   CLV_ERR_NOMEM (seq unchanged) when memory runs out. */
clv_status yamlnode_seq_to_map(yamlnode *seq, const yamlnode *keys);

/* What the node is, for messages: "a list", "a map", "nothing (null)",
   or the scalar quoted, e.g. "\"abc\"" (shortened past 40 bytes). Written
   into buf (size cap) and returned. */
const char *yamlnode_describe(const yamlnode *node, char *buf, size_t cap);

#endif
