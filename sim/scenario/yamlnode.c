/*
 * yamlnode.c - build a yamlnode tree from libyaml's event stream, and the
 * few tree operations the scenario loader needs (lookup, copy, merge).
 *
 * Method: libyaml's parser (yaml_parser_parse) delivers events; an explicit
 * stack of open lists and maps turns them into nodes, so a hostile file can
 * neither recurse deeply nor expand: depth and node count are checked as
 * each node opens, anchors and aliases are refused outright (the "billion
 * laughs" expansion needs them), and duplicate keys are found when a map
 * closes by sorting its keys (O(k log k), not O(k^2)). libyaml marks are
 * 0-based; nodes store them 1-based. Reader errors (invalid UTF-8, control
 * characters) carry a byte offset only: the line and column are counted
 * from the text up to it.
 *
 * Reference: libyaml 0.2 (yaml.h), YAML 1.1 spec sections 3 and 7.
 */
#include "scenario/yamlnode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#define DESCRIBE_MAX 40

typedef struct builder {
	yamlnode *stack[YAMLNODE_MAX_DEPTH + 1];
	int depth;          /* open collections on the stack */
	size_t count;       /* nodes made so far */
	yamlnode *root;
	bool had_document;
	const char *file_name;
	int file;
	clv_error *err;
} builder;

/* ---- nodes ------------------------------------------------------- */

static yamlnode *node_new(yamlnode_kind kind, int file, yaml_mark_t mark)
{
	yamlnode *node = calloc(1, sizeof *node);

	if (node == NULL)
		return NULL;
	node->kind = kind;
	node->file = file;
	node->line = (int)mark.line + 1;
	node->column = (int)mark.column + 1;
	return node;
}

void yamlnode_free(yamlnode *node)
{
	size_t i;

	if (node == NULL)
		return;
	for (i = 0; i < node->n; i++) {
		yamlnode_free(node->item[i]);
		if (node->key != NULL)
			yamlnode_free(node->key[i]);
	}
	free(node->item);
	free(node->key);
	free(node->text);
	free(node);
}

/* Make room for one more child (and key, for a map). */
static bool reserve(yamlnode *node, size_t want)
{
	size_t cap = node->cap ? node->cap : 4;
	yamlnode **item, **key;

	if (want <= node->cap)
		return true;
	while (cap < want)
		cap *= 2;
	item = realloc(node->item, cap * sizeof *item);
	if (item == NULL)
		return false;
	node->item = item;
	if (node->kind == YAMLNODE_MAP) {
		key = realloc(node->key, cap * sizeof *key);
		if (key == NULL)
			return false;
		node->key = key;
	}
	node->cap = cap;
	return true;
}

yamlnode *yamlnode_copy(const yamlnode *node)
{
	yamlnode *c;
	size_t i;

	if (node == NULL)
		return NULL;
	c = calloc(1, sizeof *c);
	if (c == NULL)
		return NULL;
	*c = *node;
	c->text = NULL;
	c->item = c->key = NULL;
	c->n = c->cap = 0;
	if (node->text != NULL && (c->text = strdup(node->text)) == NULL)
		goto fail;
	if (!reserve(c, node->n))
		goto fail;
	for (i = 0; i < node->n; i++) {
		c->item[i] = yamlnode_copy(node->item[i]);
		if (c->key != NULL)
			c->key[i] = yamlnode_copy(node->key[i]);
		c->n = i + 1;
		if (c->item[i] == NULL || (c->key != NULL && c->key[i] == NULL))
			goto fail;
	}
	return c;
fail:
	yamlnode_free(c);
	return NULL;
}

size_t yamlnode_find(const yamlnode *map, const char *key)
{
	size_t i;

	if (map == NULL || map->kind != YAMLNODE_MAP)
		return (size_t)-1;
	for (i = 0; i < map->n; i++)
		if (strcmp(map->key[i]->text, key) == 0)
			return i;
	return (size_t)-1;
}

yamlnode *yamlnode_get(const yamlnode *map, const char *key)
{
	size_t i = yamlnode_find(map, key);

	return i == (size_t)-1 ? NULL : map->item[i];
}

bool yamlnode_has(const yamlnode *node, const char *key)
{
	return yamlnode_find(node, key) != (size_t)-1;
}

void yamlnode_remove(yamlnode *map, const char *key)
{
	size_t i = yamlnode_find(map, key);

	if (i == (size_t)-1)
		return;
	yamlnode_free(map->key[i]);
	yamlnode_free(map->item[i]);
	memmove(map->key + i, map->key + i + 1, (map->n - i - 1) * sizeof *map->key);
	memmove(map->item + i, map->item + i + 1, (map->n - i - 1) * sizeof *map->item);
	map->n--;
}

bool yamlnode_is_null(const yamlnode *node)
{
	const char *t;

	if (node == NULL || node->kind != YAMLNODE_SCALAR || !node->plain)
		return false;
	t = node->text;
	return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
	       strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

const char *yamlnode_describe(const yamlnode *node, char *buf, size_t cap)
{
	if (node == NULL)
		snprintf(buf, cap, "nothing");
	else if (node->kind == YAMLNODE_SEQ)
		snprintf(buf, cap, "a list");
	else if (node->kind == YAMLNODE_MAP)
		snprintf(buf, cap, "a map");
	else if (yamlnode_is_null(node))
		snprintf(buf, cap, "nothing (null)");
	else if (strlen(node->text) > DESCRIBE_MAX)
		snprintf(buf, cap, "%s\"%.*s...\"", node->plain ? "" : "the quoted string ",
		         DESCRIBE_MAX, node->text);
	else
		snprintf(buf, cap, "%s\"%s\"", node->plain ? "" : "the quoted string ", node->text);
	return buf;
}

/* ---- merge ------------------------------------------------------- */

static bool mergeable(const yamlnode *node, const char *atomic)
{
	return node->kind == YAMLNODE_MAP && !yamlnode_has(node, atomic);
}

static size_t count_new_keys(const yamlnode *base, const yamlnode *over)
{
	size_t i, fresh = 0;

	for (i = 0; i < over->n; i++)
		if (!yamlnode_has(base, over->key[i]->text))
			fresh++;
	return fresh;
}

clv_status yamlnode_merge(yamlnode **base, yamlnode *over, const char *atomic)
{
	yamlnode *b = *base;
	size_t i;

	if (b == NULL || !mergeable(b, atomic) || !mergeable(over, atomic)) {
		yamlnode_free(b);
		*base = over;
		return CLV_OK;
	}
	if (!reserve(b, b->n + count_new_keys(b, over))) {
		yamlnode_free(over);
		return CLV_ERR_NOMEM;
	}
	for (i = 0; i < over->n; i++) {
		size_t at = yamlnode_find(b, over->key[i]->text);
		clv_status rc;
		if (at == (size_t)-1) {
			b->key[b->n] = over->key[i];
			b->item[b->n++] = over->item[i];
			over->key[i] = over->item[i] = NULL;
			continue;
		}
		yamlnode_free(b->key[at]);
		b->key[at] = over->key[i];
		over->key[i] = NULL;
		rc = yamlnode_merge(&b->item[at], over->item[i], atomic);
		over->item[i] = NULL;
		if (rc != CLV_OK) {
			yamlnode_free(over);
			return rc;
		}
	}
	b->file = over->file;
	b->line = over->line;
	b->column = over->column;
	yamlnode_free(over);
	return CLV_OK;
}

clv_status yamlnode_seq_to_map(yamlnode *seq, const yamlnode *keys)
{
	yamlnode **key = calloc(seq->n + 1, sizeof *key);
	size_t i;

	if (key == NULL)
		return CLV_ERR_NOMEM;
	for (i = 0; i < seq->n; i++) {
		key[i] = yamlnode_copy(keys->item[i]);
		if (key[i] != NULL)
			continue;
		while (i-- > 0)
			yamlnode_free(key[i]);
		free(key);
		return CLV_ERR_NOMEM;
	}
	seq->kind = YAMLNODE_MAP;
	seq->key = key;
	seq->cap = seq->n; /* key[] holds n + 1, item[] at least n */
	return CLV_OK;
}

/* ---- parsing: errors --------------------------------------------- */

static clv_status fail_at(builder *b, clv_status status, yaml_mark_t mark, const char *what)
{
	clv_pos pos = {b->file_name, (int)mark.line + 1, (int)mark.column + 1};

	return diag_set(b->err, status, &pos, "%s", what);
}

/* Line and column (1-based) of byte `offset` in text. */
static clv_pos pos_of_offset(const char *file_name, const char *text, size_t len, size_t offset)
{
	clv_pos pos = {file_name, 1, 1};
	size_t i;

	for (i = 0; i < offset && i < len; i++) {
		if (text[i] == '\n') {
			pos.line++;
			pos.column = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			pos.column++;
		}
	}
	return pos;
}

/* Byte offset of character `index` (libyaml counts characters). */
static size_t byte_of_char(const char *text, size_t len, size_t index)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)text[i] & 0xC0) != 0x80 && chars++ == index)
			return i;
	return len;
}

/* YAML allows a plain (implicit) key of at most 1024 characters; libyaml
   then fails with a misleading "could not find expected ':'" or "did not
   find expected ',' or '}'" at the ':' after it. The characters of the
   key that ends at character `index` (a ':'), or 0 when there is none
   that long; *from gets the byte where the key starts. */
static size_t long_key_chars(const char *text, size_t len, size_t index, size_t *from)
{
	size_t at = byte_of_char(text, len, index), start = at, chars = 0, i;

	if (at >= len || text[at] != ':')
		return 0;
	while (start > 0 && strchr("\n{[,", text[start - 1]) == NULL)
		start--;
	while (start < at && (text[start] == ' ' || text[start] == '\t'))
		start++;
	for (i = start; i < at; i++)
		chars += ((unsigned char)text[i] & 0xC0) != 0x80;
	*from = start;
	return chars > YAMLNODE_MAX_KEY_CHARS ? chars : 0;
}

static clv_status parser_error(builder *b, const yaml_parser_t *p, const char *text, size_t len)
{
	clv_pos pos = {b->file_name, (int)p->problem_mark.line + 1, (int)p->problem_mark.column + 1};
	const char *problem = p->problem ? p->problem : "unknown problem";
	size_t from = 0, key = p->error == YAML_SCANNER_ERROR || p->error == YAML_PARSER_ERROR
	                               ? long_key_chars(text, len, p->problem_mark.index, &from) : 0;

	if (p->error == YAML_MEMORY_ERROR)
		return diag_set(b->err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", b->file_name);
	if (p->error == YAML_READER_ERROR) {
		pos = pos_of_offset(b->file_name, text, len, p->problem_offset);
		return diag_set(b->err, CLV_ERR_INPUT, &pos,
		                "not a valid UTF-8 text file: %s (byte 0x%02x at offset %zu)",
		                problem, (unsigned)p->problem_value & 0xFFu, p->problem_offset);
	}
	if (key > 0) {
		pos = pos_of_offset(b->file_name, text, len, from);
		return diag_set(b->err, CLV_ERR_INPUT, &pos, "a key of %zu characters: YAML allows at "
		                "most %d in a plain key (a state name used as a map key must be "
		                "shorter)", key, YAMLNODE_MAX_KEY_CHARS);
	}
	if (p->context != NULL)
		return diag_set(b->err, CLV_ERR_INPUT, &pos,
		                "YAML syntax error: %s (%s, which started at line %d, column %d)",
		                problem, p->context, (int)p->context_mark.line + 1,
		                (int)p->context_mark.column + 1);
	return diag_set(b->err, CLV_ERR_INPUT, &pos, "YAML syntax error: %s", problem);
}

/* ---- parsing: events --------------------------------------------- */

static clv_status check_plain(builder *b, const yaml_event_t *ev, const yaml_char_t *anchor,
                              const yaml_char_t *tag)
{
	if (anchor != NULL)
		return fail_at(b, CLV_ERR_INPUT, ev->start_mark,
		               "YAML anchors and aliases (&name, *name) are not allowed in "
		               "scenario files (they can expand a small file into a huge one)");
	if (tag != NULL)
		return fail_at(b, CLV_ERR_INPUT, ev->start_mark,
		               "YAML tags (!!str, !name) are not allowed in scenario files");
	return CLV_OK;
}

/* Attach a finished node to the open collection (or make it the root).
   Takes ownership of node whatever happens. */
static clv_status attach(builder *b, yamlnode *node)
{
	yamlnode *parent;
	size_t at;

	if (b->depth == 0) {
		b->root = node;
		return CLV_OK;
	}
	parent = b->stack[b->depth - 1];
	if (parent->kind == YAMLNODE_SEQ) {
		if (!reserve(parent, parent->n + 1))
			goto nomem;
		parent->item[parent->n++] = node;
		return CLV_OK;
	}
	/* A map holds key[0..n) and item[0..n); an unpaired key waits in
	   key[n] with item[n] == NULL until its value arrives. */
	at = parent->n;
	if (!reserve(parent, at + 2))
		goto nomem;
	if (parent->item[at] == NULL && parent->key[at] != NULL) {
		parent->item[at] = node;
		parent->n++;
		parent->key[parent->n] = NULL;
		parent->item[parent->n] = NULL;
		return CLV_OK;
	}
	if (node->kind != YAMLNODE_SCALAR) {
		clv_pos pos = {b->file_name, node->line, node->column};
		yamlnode_free(node);
		return diag_set(b->err, CLV_ERR_INPUT, &pos,
		                "a map key must be a plain string, not a list or a map");
	}
	parent->key[at] = node;
	parent->item[at] = NULL;
	return CLV_OK;
nomem:
	yamlnode_free(node);
	return diag_set(b->err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", b->file_name);
}

static clv_status count_node(builder *b, const yaml_event_t *ev)
{
	if (++b->count <= YAMLNODE_MAX_NODES)
		return CLV_OK;
	return fail_at(b, CLV_ERR_LIMIT, ev->start_mark,
	               "too many YAML nodes (the limit is 1000000 per file)");
}

static clv_status on_scalar(builder *b, const yaml_event_t *ev)
{
	const char *value = (const char *)ev->data.scalar.value;
	size_t len = ev->data.scalar.length;
	yamlnode *node;
	clv_status rc;

	rc = check_plain(b, ev, ev->data.scalar.anchor, ev->data.scalar.tag);
	if (rc == CLV_OK)
		rc = count_node(b, ev);
	if (rc != CLV_OK)
		return rc;
	if (strlen(value) != len)
		return fail_at(b, CLV_ERR_INPUT, ev->start_mark,
		               "a string holds a NUL character (\\0), which is not allowed");
	node = node_new(YAMLNODE_SCALAR, b->file, ev->start_mark);
	if (node == NULL || (node->text = strdup(value)) == NULL) {
		yamlnode_free(node);
		return diag_set(b->err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", b->file_name);
	}
	node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return attach(b, node);
}

static clv_status on_open(builder *b, const yaml_event_t *ev, yamlnode_kind kind)
{
	const yaml_char_t *anchor = kind == YAMLNODE_SEQ ? ev->data.sequence_start.anchor
	                                                 : ev->data.mapping_start.anchor;
	const yaml_char_t *tag = kind == YAMLNODE_SEQ ? ev->data.sequence_start.tag
	                                              : ev->data.mapping_start.tag;
	yamlnode *node;
	clv_status rc;

	rc = check_plain(b, ev, anchor, tag);
	if (rc == CLV_OK)
		rc = count_node(b, ev);
	if (rc != CLV_OK)
		return rc;
	if (b->depth >= YAMLNODE_MAX_DEPTH)
		return fail_at(b, CLV_ERR_INPUT, ev->start_mark,
		               "lists and maps nested deeper than 64 levels");
	node = node_new(kind, b->file, ev->start_mark);
	if (node == NULL || !reserve(node, 2)) {
		yamlnode_free(node);
		return diag_set(b->err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", b->file_name);
	}
	if (kind == YAMLNODE_MAP)
		node->key[0] = node->item[0] = NULL;
	b->stack[b->depth++] = node;
	return CLV_OK;
}

/* Document order of two nodes: negative when a comes first. */
static int place_order(const yamlnode *a, const yamlnode *b)
{
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return (a->column > b->column) - (a->column < b->column);
}

/* Keys by text, then by place. */
static int compare_keys(const void *pa, const void *pb)
{
	const yamlnode *const *a = pa, *const *b = pb;
	int c = strcmp((*a)->text, (*b)->text);

	return c != 0 ? c : place_order(*a, *b);
}

/* Report the first duplicate key in document order: after sorting, each
   key equal to its predecessor is a repeat. */
static clv_status check_duplicates(builder *b, const yamlnode *map)
{
	yamlnode **sorted, *dup = NULL, *first = NULL;
	clv_pos pos;
	size_t i;

	if (map->n < 2)
		return CLV_OK;
	sorted = malloc(map->n * sizeof *sorted);
	if (sorted == NULL)
		return diag_set(b->err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", b->file_name);
	memcpy(sorted, map->key, map->n * sizeof *sorted);
	qsort(sorted, map->n, sizeof *sorted, compare_keys);
	for (i = 1; i < map->n; i++) {
		if (strcmp(sorted[i - 1]->text, sorted[i]->text) != 0)
			continue;
		if (dup == NULL || place_order(sorted[i], dup) < 0) {
			dup = sorted[i];
			first = sorted[i - 1];
		}
	}
	free(sorted);
	if (dup == NULL)
		return CLV_OK;
	pos = (clv_pos){b->file_name, dup->line, dup->column};
	return diag_set(b->err, CLV_ERR_INPUT, &pos,
	                "duplicate key \"%s\" (first given at line %d, column %d)", dup->text,
	                first->line, first->column);
}

static clv_status on_close(builder *b)
{
	yamlnode *node = b->stack[--b->depth];
	clv_status rc = CLV_OK;

	if (node->kind == YAMLNODE_MAP)
		rc = check_duplicates(b, node);
	if (rc != CLV_OK) {
		yamlnode_free(node);
		return rc;
	}
	return attach(b, node);
}

static clv_status on_event(builder *b, const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (b->had_document)
			return fail_at(b, CLV_ERR_INPUT, ev->start_mark,
			               "a second YAML document (---): a scenario file holds one");
		b->had_document = true;
		return CLV_OK;
	case YAML_ALIAS_EVENT:
		return check_plain(b, ev, ev->data.alias.anchor, NULL);
	case YAML_SCALAR_EVENT:
		return on_scalar(b, ev);
	case YAML_SEQUENCE_START_EVENT:
		return on_open(b, ev, YAMLNODE_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_open(b, ev, YAMLNODE_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_close(b);
	default:
		return CLV_OK;
	}
}

static void builder_drop(builder *b)
{
	while (b->depth > 0) {
		yamlnode *open = b->stack[--b->depth];
		if (open->kind == YAMLNODE_MAP)
			yamlnode_free(open->key[open->n]); /* a key still waiting for its value */
		yamlnode_free(open);
	}
	yamlnode_free(b->root);
	b->root = NULL;
}

clv_status yamlnode_parse(const char *text, size_t len, const char *file_name, int file,
                          yamlnode **out, clv_error *err)
{
	builder b = {.file_name = file_name, .file = file, .err = err};
	yaml_parser_t parser;
	clv_status rc = CLV_OK;
	bool done = false;

	*out = NULL;
	if (!yaml_parser_initialize(&parser))
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory parsing %s", file_name);
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (rc == CLV_OK && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = parser_error(&b, &parser, text, len);
			break;
		}
		done = ev.type == YAML_STREAM_END_EVENT;
		rc = on_event(&b, &ev);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc != CLV_OK)
		builder_drop(&b);
	*out = b.root;
	return rc;
}
