/*
 * files.c - scenario stage, steps 1 and 2 of a load: read the files and
 * merge their layers into one YAML tree.
 *  1. read a file (CLV_ERR_IO with the OS reason; over 16 MiB is
 *     CLV_ERR_LIMIT) and parse it into a yamlnode tree (yamlnode.c: no
 *     anchors, depth <= 64, unique keys, every node with its line/column);
 *  2. follow `base:` links (relative to the including file's folder, at
 *     most 32, no cycles) and overlay each file on its base: maps merge per
 *     entry, anything else (lists, numbers, distributions) replaces. A base
 *     list of rows (switching) or of shares (initial) is first turned into
 *     a map by state name when the overriding file gives a map. A name is
 *     never inherited.
 * The loader keeps the name of every file read; files_set_paths copies
 * them into the scenario's path block ("top\0base1\0base2\0"), so the
 * positions of inherited values live exactly as long as the scenario.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scenario/scenario_internal.h"
#include "scenario/yamlnode.h"

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
clv_status files_read(const char *path, const clv_pos *from, char **buf, size_t *len,
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
		return value_nomem(err);
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
		return value_nomem(ld->err);
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
	return value_error(ld, base, CLV_ERR_INPUT,
	                   "base: the chain of base files has a cycle: %s", chain);
}

/* Load the file named by `base:` (the chain below it merged). */
static clv_status load_base(loader *ld, const yamlnode *base, yamlnode **below)
{
	char desc[64], *path, *real, *text = NULL;
	clv_pos from = value_pos(ld, base);
	clv_status rc = CLV_OK;
	size_t len = 0;
	int k;

	if (!value_is_string(base))
		return value_error(ld, base, CLV_ERR_INPUT, "base must be a file name (relative to this "
		                   "file's folder), found %s",
		                   yamlnode_describe(base, desc, sizeof desc));
	if (ld->n_files > MAX_BASE_LINKS)
		return value_error(ld, base, CLV_ERR_LIMIT, "base: more than %d base files in a chain",
		                   MAX_BASE_LINKS);
	if ((path = join_path(ld->shown[base->file], base->text)) == NULL)
		return value_nomem(ld->err);
	real = realpath(path, NULL);
	for (k = 0; k < ld->n_files && rc == CLV_OK; k++)
		if (strcmp(real != NULL ? real : path, ld->real[k]) == 0)
			rc = cycle_error(ld, base, path);
	free(real);
	if (rc == CLV_OK)
		rc = files_read(path, &from, &text, &len, ld->err);
	if (rc == CLV_OK)
		rc = files_load_layer(ld, path, text, len, below);
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
		if (!value_is_string(states->item[i]))
			return CLV_OK;
	for (k = 0; k < COUNT(keys); k++) {
		yamlnode *b = yamlnode_get(below, keys[k]);
		const yamlnode *o = yamlnode_get(over, keys[k]);
		if (b == NULL || o == NULL || b->kind != YAMLNODE_SEQ || o->kind != YAMLNODE_MAP ||
		    value_is_dist(o) || b->n != states->n)
			continue;
		if (yamlnode_seq_to_map(b, states) != CLV_OK)
			return value_nomem(ld->err);
	}
	return CLV_OK;
}

/* Overlay `over` on *below (consuming over). */
clv_status files_overlay(const loader *ld, yamlnode **below, yamlnode *over)
{
	clv_status rc = align_lists(ld, *below, over);

	if (rc != CLV_OK) {
		yamlnode_free(over);
		return rc;
	}
	if (yamlnode_merge(below, over, "dist") != CLV_OK)
		return value_nomem(ld->err);
	return CLV_OK;
}

static clv_status check_document(const loader *ld, const yamlnode *root, int file)
{
	char desc[64];

	if (root == NULL || yamlnode_is_null(root))
		return diag_set_file(ld->err, CLV_ERR_INPUT, ld->shown[file],
		                     "empty scenario file (no YAML content)");
	if (root->kind != YAMLNODE_MAP)
		return value_error(ld, root, CLV_ERR_INPUT,
		                   "the top level of a scenario must be a map of "
		                   "keys (states:, switching:, ...), found %s",
		                   yamlnode_describe(root, desc, sizeof desc));
	return CLV_OK;
}

/* Parse one file of the chain and overlay it on its base, if any. */
clv_status files_load_layer(loader *ld, const char *shown, const char *text, size_t len,
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
	rc = files_overlay(ld, &below, tree);
	*out = below;
	return rc;
}

/* ------------------------------------------------------------------ */
/* The path block of a built scenario.                                 */

/* Point the loader's file names into s->path (see files_set_paths). */
void files_point_names(loader *ld, const clv_scenario *s)
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
clv_status files_set_paths(loader *ld, clv_scenario *s)
{
	size_t total = 0, at = 0;
	int k;

	for (k = 0; k < ld->n_files; k++)
		total += strlen(ld->shown[k]) + 1;
	if ((s->path = malloc(total)) == NULL)
		return value_nomem(ld->err);
	s->path_size = total;
	for (k = 0; k < ld->n_files; k++) {
		memcpy(s->path + at, ld->shown[k], strlen(ld->shown[k]) + 1);
		at += strlen(ld->shown[k]) + 1;
	}
	files_point_names(ld, s);
	return CLV_OK;
}
