/*
 * manifest.c - stage output: manifest.json of an --out folder, and the
 * folder rule applied when it is committed (manifest.h,
 * docs/outputs.md). Hashes are nettle's SHA-256 (FIPS 180-4); the
 * document is built and written by jansson.
 */
#include "output/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nettle/sha2.h>

#ifdef _OPENMP
#include <omp.h>
#endif

int manifest_sha256_file(const char *path, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE], buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;
	ssize_t got;
	size_t i;

	if (fd < 0)
		return errno;
	sha256_init(&ctx);
	while ((got = read(fd, buf, sizeof buf)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			e = errno;
			break;
		}
		sha256_update(&ctx, (size_t)got, buf);
	}
	close(fd);
	if (e != 0)
		return e;
	sha256_digest(&ctx, SHA256_DIGEST_SIZE, digest);
	for (i = 0; i < SHA256_DIGEST_SIZE; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	return 0;
}

void manifest_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "%s", "");
}

static json_t *time_json(time_t t)
{
	char buf[32];

	manifest_time(t, buf, sizeof buf);
	return json_string(buf);
}

/* A word as a POSIX shell would need it: bare when safe, else quoted. */
static void shell_word(FILE *f, const char *w)
{
	const char *p;
	bool bare = w[0] != '\0';

	for (p = w; *p != '\0' && bare; p++)
		bare = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		              "-_./=:,+%@", *p) != NULL;
	if (bare) {
		fputs(w, f);
		return;
	}
	fputc('\'', f);
	for (p = w; *p != '\0'; p++)
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	fputc('\'', f);
}

/* {"argv": ["clvsim", "run", ...], "line": "clvsim run ..."} */
static json_t *command_json(const manifest_info *mi)
{
	json_t *argv = json_array(), *o = json_object();
	char *line = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&line, &len);
	int k;

	json_array_append_new(argv, json_string("clvsim"));
	if (f != NULL)
		fputs("clvsim", f);
	for (k = 0; k < mi->argc; k++) {
		json_array_append_new(argv, json_string(mi->argv[k]));
		if (f != NULL) {
			fputc(' ', f);
			shell_word(f, mi->argv[k]);
		}
	}
	if (f != NULL)
		fclose(f);
	json_object_set_new(o, "argv", argv);
	json_object_set_new(o, "line", line != NULL ? json_string(line) : json_null());
	free(line);
	return o;
}

/* {"path": P, "sha256": H}: the file as it is now (a file that can no
   longer be read has sha256 null). */
static json_t *file_json(const char *path)
{
	char hex[65];
	json_t *o = json_object();

	json_object_set_new(o, "path", json_string(path));
	json_object_set_new(o, "sha256",
	                    manifest_sha256_file(path, hex) == 0 ? json_string(hex) : json_null());
	return o;
}

/* One scenario: its top file, then its `base:` chain in order (the path
   block: "top\0base1\0base2\0"). */
static json_t *scenario_json(const manifest_info *mi, const clv_scenario *s)
{
	json_t *o, *bases = json_array();
	size_t at;

	if (mi->builtin) {
		o = json_object();
		json_object_set_new(o, "path", json_null());
		json_object_set_new(o, "builtin", json_true());
	} else
		o = file_json(s->path);
	json_object_set_new(o, "name", json_string(s->name));
	for (at = strlen(s->path) + 1; at < s->path_size; at += strlen(s->path + at) + 1)
		json_array_append_new(bases, file_json(s->path + at));
	json_object_set_new(o, "base", bases);
	return o;
}

static int threads_used(const manifest_info *mi)
{
#ifdef _OPENMP
	return mi->threads > 0 ? mi->threads : omp_get_max_threads();
#else
	return 1;
#endif
}

/* Every member of g but the manifest, with its sha256 and size. */
static json_t *files_json(const outfile_group *g, clv_error *err)
{
	json_t *files = json_array();
	size_t i;

	for (i = 0; i < outfile_group_count(g); i++) {
		const char *name = outfile_group_name_at(g, i);
		char hex[65];
		json_t *o;
		int e;
		if (strcmp(name, MANIFEST_NAME) == 0)
			continue;
		if ((e = manifest_sha256_file(outfile_group_temp_at(g, i), hex)) != 0) {
			json_decref(files);
			diag_set_file(err, CLV_ERR_IO, name, "cannot read it back: %s", strerror(e));
			return NULL;
		}
		o = json_object();
		json_object_set_new(o, "path", json_string(name));
		json_object_set_new(o, "sha256", json_string(hex));
		json_array_append_new(files, o);
	}
	return files;
}

json_t *manifest_build(const manifest_info *mi, const outfile_group *g, const char *out_dir,
                       clv_error *err)
{
	json_t *doc = json_object(), *scen = json_array(), *files = files_json(g, err);
	size_t k;

	if (files == NULL) {
		json_decref(doc);
		json_decref(scen);
		return NULL;
	}
	for (k = 0; k < mi->n_scenarios; k++)
		json_array_append_new(scen, scenario_json(mi, mi->scenarios[k]));
	json_object_set_new(doc, "schema", json_integer(MANIFEST_SCHEMA));
	json_object_set_new(doc, "clvsim", json_string(CLVSIM_VERSION));
	json_object_set_new(doc, "command", command_json(mi));
	json_object_set_new(doc, "started", time_json(mi->started));
	json_object_set_new(doc, "finished", time_json(time(NULL)));
	json_object_set_new(doc, "seed", mi->has_seed ? json_integer((json_int_t)mi->seed)
	                                              : json_null());
	json_object_set_new(doc, "threads", json_integer(threads_used(mi)));
	json_object_set_new(doc, "scenarios", scen);
	json_object_set_new(doc, "out", out_dir != NULL ? json_string(out_dir) : json_null());
	json_object_set_new(doc, "report", mi->report != NULL ? json_string(mi->report)
	                                                      : json_null());
	json_object_set_new(doc, "files", files);
	return doc;
}

/* ------------------------------------------------------------------ */
/* The folder rule, under the lock.                                     */

static bool member(const outfile_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < outfile_group_count(g); i++)
		if (strcmp(outfile_group_name_at(g, i), name) == 0)
			return true;
	return false;
}

/* A name the previous manifest may list: a plain file name of the folder. */
static bool plain(const char *name)
{
	return name != NULL && name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL;
}

/* Remove dir/name when it is still the file the old manifest lists
   (sha256 equal); a file changed since is kept, with a warning. */
static void remove_stale(const char *dir, const char *name, const char *sha)
{
	char *path = diag_strdupf("%s/%s", dir, name), hex[65];
	int e;

	if (path == NULL)
		return;
	e = manifest_sha256_file(path, hex);
	if (e == 0 && sha != NULL && strcmp(hex, sha) == 0) {
		if (unlink(path) != 0)
			diag_warn("%s: cannot remove the earlier output: %s", path, strerror(errno));
	} else if (e == 0)
		diag_warn("%s: written by an earlier clvsim command and changed since: kept", path);
	free(path);
}

static clv_status apply_rule(const outfile_group *g, void *ctx, clv_error *err)
{
	const char *dir = outfile_group_dir(g);
	char *path = diag_strdupf("%s/%s", dir, MANIFEST_NAME);
	json_t *old, *files, *f;
	size_t i;

	(void)ctx;
	if (path == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	old = json_load_file(path, 0, NULL);
	free(path);
	files = json_object_get(old, "files"); /* no or a broken manifest: nothing removed */
	json_array_foreach(files, i, f) {
		const char *name = json_string_value(json_object_get(f, "path"));
		if (plain(name) && strcmp(name, MANIFEST_NAME) != 0 && !member(g, name))
			remove_stale(dir, name, json_string_value(json_object_get(f, "sha256")));
	}
	json_decref(old);
	return CLV_OK;
}

clv_status manifest_add(outfile_group *g, const json_t *doc, clv_error *err)
{
	FILE *f = outfile_group_add(g, MANIFEST_NAME, err);

	if (f == NULL)
		return err->status;
	if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF)
		return diag_set_file(err, CLV_ERR_IO, MANIFEST_NAME, "cannot write: %s",
		                     strerror(errno));
	outfile_group_set_hook(g, apply_rule, NULL);
	return CLV_OK;
}
