/*
 * test_yamlnode.c - the YAML node tree (sim/scenario/yamlnode.c): the tree
 * a document becomes (kinds, keys in order, plain or quoted scalars), the
 * place of every node (1-based line and column, file index), every refusal
 * with its FILE:LINE:COLUMN (duplicate keys, anchors, tags, complex keys,
 * NUL, a second document, syntax, invalid UTF-8), the depth and node
 * limits at and past their bounds, and the tree operations the loader
 * builds on: lookup, removal, deep copy, merge (a `base:` chain) with an
 * atomic key, list to map, null and describe.
 *
 * These tests are about particular texts, so the texts are written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/yamlnode.h"
#include "test_helpers.h"

/* Parse text as file `file` of "f.yaml"; fails the test on an error. */
static yamlnode *parse_as(const char *text, int file)
{
	clv_error err = {0};
	yamlnode *root = NULL;
	clv_status rc = yamlnode_parse(text, strlen(text), "f.yaml", file, &root, &err);

	if (rc != CLV_OK)
		fprintf(stderr, "parse failed: %s\n", err.msg);
	assert_int_equal(rc, CLV_OK);
	assert_non_null(root);
	return root;
}

static yamlnode *parse(const char *text)
{
	return parse_as(text, 0);
}

/* Parse text expecting `status`, a message starting "f.yaml:LINE:COL: "
   and containing `words`. */
static void expect_refused(const char *text, size_t len, clv_status status, int line, int col,
                           const char *words)
{
	clv_error err = {0};
	yamlnode *root = (yamlnode *)1;
	char head[64];

	assert_int_equal(yamlnode_parse(text, len, "f.yaml", 0, &root, &err), status);
	assert_null(root);
	assert_int_equal(err.status, status);
	snprintf(head, sizeof head, "f.yaml:%d:%d: ", line, col);
	if (strncmp(err.msg, head, strlen(head)) != 0 || strstr(err.msg, words) == NULL)
		fprintf(stderr, "expected \"%s...%s\", got \"%s\"\n", head, words, err.msg);
	assert_int_equal(strncmp(err.msg, head, strlen(head)), 0);
	assert_non_null(strstr(err.msg, words));
}

#define REFUSED(text, status, line, col, words) \
	expect_refused((text), sizeof(text) - 1, (status), (line), (col), (words))

static void assert_at(const yamlnode *node, int line, int column)
{
	assert_non_null(node);
	if (node->line != line || node->column != column)
		fprintf(stderr, "node at %d:%d, expected %d:%d\n", node->line, node->column, line,
		        column);
	assert_int_equal(node->line, line);
	assert_int_equal(node->column, column);
}

/* ------------------------------------------------------------------ */
/* The tree and its places.                                            */

static void tree_kinds_keys_and_places(void **state)
{
	yamlnode *root = parse_as("# a comment\n"
	                          "a: 1\n"
	                          "b: [x, 'y']\n"
	                          "c:\n"
	                          "  d: ~\n"
	                          "  e: \"two words\"\n", 3);
	yamlnode *b, *c;

	(void)state;
	assert_int_equal(root->kind, YAMLNODE_MAP);
	assert_int_equal(root->n, 3);
	assert_at(root, 2, 1);
	assert_string_equal(root->key[0]->text, "a");
	assert_string_equal(root->key[1]->text, "b");
	assert_string_equal(root->key[2]->text, "c");
	assert_at(root->key[1], 3, 1);
	assert_int_equal(root->item[0]->kind, YAMLNODE_SCALAR);
	assert_string_equal(root->item[0]->text, "1");
	assert_true(root->item[0]->plain);
	assert_at(root->item[0], 2, 4);
	b = yamlnode_get(root, "b");
	assert_int_equal(b->kind, YAMLNODE_SEQ);
	assert_null(b->key);
	assert_int_equal(b->n, 2);
	assert_at(b, 3, 4);
	assert_at(b->item[1], 3, 8);
	assert_false(b->item[1]->plain); /* 'y' is quoted: never a number */
	c = yamlnode_get(root, "c");
	assert_int_equal(c->kind, YAMLNODE_MAP);
	assert_at(c, 5, 3);
	assert_true(yamlnode_is_null(yamlnode_get(c, "d")));
	assert_string_equal(yamlnode_get(c, "e")->text, "two words");
	assert_at(yamlnode_get(c, "e"), 6, 6);
	/* every node carries the file index it was parsed as */
	assert_int_equal(root->file, 3);
	assert_int_equal(c->key[1]->file, 3);
	assert_int_equal(b->item[0]->file, 3);
	yamlnode_free(root);
}

/* A text with no document: OK, and no tree. */
static void empty_text_has_no_tree(void **state)
{
	static const char *const texts[] = {"", "# only a comment\n\n", "   \n"};
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		clv_error err = {0};
		yamlnode *root = (yamlnode *)1;
		assert_int_equal(yamlnode_parse(texts[i], strlen(texts[i]), "f.yaml", 0, &root, &err),
		                 CLV_OK);
		assert_null(root);
	}
	yamlnode_free(NULL); /* a no-op */
}

/* ------------------------------------------------------------------ */
/* Refusals, each with its place.                                      */

static void refusals_name_their_place(void **state)
{
	(void)state;
	REFUSED("a: 1\nb: 2\na: 3\n", CLV_ERR_INPUT, 3, 1,
	        "duplicate key \"a\" (first given at line 1, column 1)");
	/* the first repeat in document order, whatever the sort order */
	REFUSED("z: 1\nm: 2\nz: 3\nm: 4\n", CLV_ERR_INPUT, 3, 1, "duplicate key \"z\"");
	REFUSED("a: &x 1\nb: *x\n", CLV_ERR_INPUT, 1, 4, "anchors and aliases");
	REFUSED("a: 1\nb: !!str 2\n", CLV_ERR_INPUT, 2, 4, "tags");
	REFUSED("? [a, b]\n: 1\n", CLV_ERR_INPUT, 1, 3, "a map key must be a plain string");
	REFUSED("a: \"x\\0y\"\n", CLV_ERR_INPUT, 1, 4, "NUL character");
	REFUSED("a: 1\n---\nb: 2\n", CLV_ERR_INPUT, 2, 1, "a second YAML document");
	REFUSED("a: [1, 2\nb: 3\n", CLV_ERR_INPUT, 2, 2, "YAML syntax error");
	REFUSED("a: [1, 2\nb: 3\n", CLV_ERR_INPUT, 2, 2, "which started at line 1, column 4");
	REFUSED("a: 1\nb: \xff\n", CLV_ERR_INPUT, 2, 4, "not a valid UTF-8");
	REFUSED("a: 1\nbb: x\x01y\n", CLV_ERR_INPUT, 2, 6, "not a valid UTF-8");
}

/* "[[...[0]...]]" with `depth` nested lists. */
static char *nested_lists(int depth)
{
	char *text = calloc(1, 2 * (size_t)depth + 2);
	int i;

	assert_non_null(text);
	for (i = 0; i < depth; i++)
		text[i] = '[';
	text[depth] = '0';
	for (i = 0; i < depth; i++)
		text[depth + 1 + i] = ']';
	return text;
}

/* YAMLNODE_MAX_DEPTH nested lists are read; one more is refused at the
   bracket that opens it. */
static void depth_limit(void **state)
{
	char *ok = nested_lists(YAMLNODE_MAX_DEPTH), *deep = nested_lists(YAMLNODE_MAX_DEPTH + 1);
	yamlnode *root = parse(ok), *node = root;
	int depth = 1;

	(void)state;
	while (node->kind == YAMLNODE_SEQ && node->item[0]->kind == YAMLNODE_SEQ) {
		node = node->item[0];
		depth++;
	}
	assert_int_equal(depth, YAMLNODE_MAX_DEPTH);
	assert_string_equal(node->item[0]->text, "0");
	expect_refused(deep, strlen(deep), CLV_ERR_INPUT, 1, YAMLNODE_MAX_DEPTH + 1,
	               "nested deeper than 64 levels");
	yamlnode_free(root);
	free(ok);
	free(deep);
}

/* "[0,0,...,0]" with `items` items: items + 1 nodes. */
static char *long_list(size_t items)
{
	char *text = malloc(2 * items + 2);
	size_t i;

	assert_non_null(text);
	text[0] = '[';
	for (i = 0; i < items; i++) {
		text[1 + 2 * i] = '0';
		text[2 + 2 * i] = i + 1 < items ? ',' : ']';
	}
	text[2 * items + 1] = '\0';
	return text;
}

/* YAMLNODE_MAX_NODES nodes are read; one more is a limit error
   (CLV_ERR_LIMIT: exit 2 like bad input, but named as a limit). */
static void node_limit(void **state)
{
	char *at = long_list(YAMLNODE_MAX_NODES - 1), *over = long_list(YAMLNODE_MAX_NODES);
	yamlnode *root = parse(at);

	(void)state;
	assert_int_equal(root->n, YAMLNODE_MAX_NODES - 1);
	yamlnode_free(root);
	expect_refused(over, strlen(over), CLV_ERR_LIMIT, 1, 2 * YAMLNODE_MAX_NODES,
	               "too many YAML nodes");
	free(at);
	free(over);
}

/* ------------------------------------------------------------------ */
/* Operations.                                                         */

static void find_get_has_remove(void **state)
{
	yamlnode *root = parse("a: 1\nb: 2\nc: 3\n");

	(void)state;
	assert_int_equal(yamlnode_find(root, "b"), 1);
	assert_int_equal(yamlnode_find(root, "zz"), (size_t)-1);
	assert_null(yamlnode_get(root, "zz"));
	assert_true(yamlnode_has(root, "c"));
	assert_false(yamlnode_has(root->item[0], "a")); /* a scalar has no keys */
	assert_null(yamlnode_get(root->item[0], "a"));
	yamlnode_remove(root, "b");
	yamlnode_remove(root, "zz"); /* absent: nothing happens */
	assert_int_equal(root->n, 2);
	assert_string_equal(root->key[0]->text, "a");
	assert_string_equal(root->key[1]->text, "c");
	assert_string_equal(yamlnode_get(root, "c")->text, "3");
	yamlnode_free(root);
}

static void copy_is_deep(void **state)
{
	yamlnode *root = parse("a: [1, {b: two}]\nc: 'q'\n"), *c = yamlnode_copy(root);

	(void)state;
	assert_non_null(c);
	assert_null(yamlnode_copy(NULL));
	assert_true(c != root && c->item[0] != root->item[0]);
	assert_int_equal(c->n, 2);
	assert_string_equal(yamlnode_get(c->item[0]->item[1], "b")->text, "two");
	assert_at(c->item[0]->item[1], 1, 8);
	assert_false(yamlnode_get(c, "c")->plain);
	/* changing the copy leaves the original alone */
	yamlnode_remove(c, "a");
	c->item[0]->text[0] = 'Q';
	assert_int_equal(root->n, 2);
	assert_string_equal(yamlnode_get(root, "c")->text, "q");
	yamlnode_free(c);
	yamlnode_free(root);
}

/* Overlay as a `base:` chain does: maps merge key by key (new keys
   appended, the overlay's values and places win), a map holding the
   atomic key is replaced whole, anything else replaces. */
static void merge_overlays_maps(void **state)
{
	yamlnode *base = parse_as("a: 1\n"
	                          "b: {x: 1, y: 2}\n"
	                          "d: {dist: normal, mean: 1, sd: 2}\n"
	                          "e: [1, 2]\n", 0);
	yamlnode *over = parse_as("b: {y: 3, z: 4}\n"
	                          "c: 5\n"
	                          "d: {dist: uniform, min: 0, max: 1}\n"
	                          "e: {k: v}\n", 1);
	yamlnode *b, *d;

	(void)state;
	assert_int_equal(yamlnode_merge(&base, over, "dist"), CLV_OK);
	assert_int_equal(base->n, 5);
	assert_string_equal(base->key[0]->text, "a");
	assert_string_equal(base->key[1]->text, "b");
	assert_string_equal(base->key[2]->text, "d");
	assert_string_equal(base->key[3]->text, "e");
	assert_string_equal(base->key[4]->text, "c");
	assert_int_equal(base->item[0]->file, 0); /* untouched, from the base */
	b = yamlnode_get(base, "b");
	assert_int_equal(b->n, 3);
	assert_string_equal(yamlnode_get(b, "x")->text, "1");
	assert_string_equal(yamlnode_get(b, "y")->text, "3");
	assert_string_equal(yamlnode_get(b, "z")->text, "4");
	assert_int_equal(b->file, 1); /* a merged map takes the overlay's place */
	assert_at(b, 1, 4);
	assert_int_equal(yamlnode_get(b, "x")->file, 0);
	assert_int_equal(yamlnode_get(b, "y")->file, 1);
	d = yamlnode_get(base, "d");
	assert_int_equal(d->n, 3);
	assert_string_equal(yamlnode_get(d, "dist")->text, "uniform");
	assert_false(yamlnode_has(d, "mean"));
	assert_int_equal(yamlnode_get(base, "e")->kind, YAMLNODE_MAP);
	assert_string_equal(yamlnode_get(base, "c")->text, "5");
	yamlnode_free(base);

	/* onto nothing, the overlay is the result */
	base = NULL;
	over = parse("k: v\n");
	assert_int_equal(yamlnode_merge(&base, over, "dist"), CLV_OK);
	assert_true(base == over);
	yamlnode_free(base);
}

static void seq_to_map_keys_items(void **state)
{
	yamlnode *root = parse("states: [A, B, C]\nrows: [[1], [2], [3]]\n");
	yamlnode *rows = yamlnode_get(root, "rows");

	(void)state;
	assert_int_equal(yamlnode_seq_to_map(rows, yamlnode_get(root, "states")), CLV_OK);
	assert_int_equal(rows->kind, YAMLNODE_MAP);
	assert_int_equal(rows->n, 3);
	assert_string_equal(yamlnode_get(rows, "B")->item[0]->text, "2");
	assert_at(rows->key[2], 1, 16); /* the key keeps the place of its name */
	yamlnode_free(root);
}

static void null_and_describe(void **state)
{
	yamlnode *root = parse("a: ~\nb: null\nc: NULL\nd:\ne: 'null'\nf: [1]\ng: {h: 1}\n"
	                       "i: plain\nj: \"quoted\"\n"
	                       "k: 0123456789012345678901234567890123456789toolong\n");
	char buf[128];

	(void)state;
	assert_true(yamlnode_is_null(yamlnode_get(root, "a")));
	assert_true(yamlnode_is_null(yamlnode_get(root, "b")));
	assert_true(yamlnode_is_null(yamlnode_get(root, "c")));
	assert_true(yamlnode_is_null(yamlnode_get(root, "d")));
	assert_false(yamlnode_is_null(yamlnode_get(root, "e"))); /* quoted: a string */
	assert_false(yamlnode_is_null(NULL));
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "a"), buf, sizeof buf),
	                    "nothing (null)");
	assert_string_equal(yamlnode_describe(NULL, buf, sizeof buf), "nothing");
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "f"), buf, sizeof buf), "a list");
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "g"), buf, sizeof buf), "a map");
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "i"), buf, sizeof buf), "\"plain\"");
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "j"), buf, sizeof buf),
	                    "the quoted string \"quoted\"");
	assert_string_equal(yamlnode_describe(yamlnode_get(root, "k"), buf, sizeof buf),
	                    "\"0123456789012345678901234567890123456789...\"");
	yamlnode_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tree_kinds_keys_and_places),
		cmocka_unit_test(empty_text_has_no_tree),
		cmocka_unit_test(refusals_name_their_place),
		cmocka_unit_test(depth_limit),
		cmocka_unit_test(node_limit),
		cmocka_unit_test(find_get_has_remove),
		cmocka_unit_test(copy_is_deep),
		cmocka_unit_test(merge_overlays_maps),
		cmocka_unit_test(seq_to_map_keys_items),
		cmocka_unit_test(null_and_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
