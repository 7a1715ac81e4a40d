/*
 * test_manifest.c - manifest.json of an --out folder (output/manifest.h,
 * docs/outputs.md): every file of the folder listed with a sha256 that
 * matches the file (computed here, with nettle over the whole file read
 * back), the scenario files with their `base:` chain and hashes, the
 * command line, seed, threads and times; and the folder rule: a second,
 * different command into the same folder leaves none of the first
 * command's files behind, keeps a file of the user's untouched, and
 * keeps a listed file that was changed since it was written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <nettle/sha2.h>

#include "test_helpers.h"

#define BASED "scenarios/textbook_whatif1.yaml" /* base: textbook.yaml */
#define BASE "scenarios/textbook.yaml"

static void sha256_hex(const char *path, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	size_t len = 0, i;
	char *text = th_read_file(path, &len);

	assert_non_null(text);
	sha256_init(&ctx);
	sha256_update(&ctx, len, (const uint8_t *)text);
	sha256_digest(&ctx, sizeof d, d);
	for (i = 0; i < sizeof d; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	free(text);
}

static json_t *load_manifest(const char *dir)
{
	char path[512];
	json_error_t je;
	json_t *doc = json_load_file(th_path(path, sizeof path, dir, "manifest.json"), 0, &je);

	if (doc == NULL)
		fail_msg("manifest.json: %s (line %d)", je.text, je.line);
	return doc;
}

/* The entry of "files" called name, or NULL. */
static json_t *listed(json_t *doc, const char *name)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(doc, "files"), i, f)
		if (strcmp(json_string_value(json_object_get(f, "path")), name) == 0)
			return f;
	return NULL;
}

/* Every file of dir but manifest.json (and `except`) is listed once with
   its true sha256, and every listed file exists; returns the count. */
static size_t expect_files_match(const char *dir, json_t *doc, const char *except)
{
	char *names = th_list_dir(dir), *line, *save = NULL, path[512], hex[65];
	size_t n = 0, i;
	json_t *f;

	for (line = strtok_r(names, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (strcmp(line, "manifest.json") == 0 || (except && strcmp(line, except) == 0))
			continue;
		f = listed(doc, line);
		if (f == NULL)
			fail_msg("%s is in the folder but not in manifest.json", line);
		sha256_hex(th_path(path, sizeof path, dir, line), hex);
		assert_string_equal(json_string_value(json_object_get(f, "sha256")), hex);
		n++;
	}
	free(names);
	json_array_foreach(json_object_get(doc, "files"), i, f) {
		th_path(path, sizeof path, dir, json_string_value(json_object_get(f, "path")));
		if (access(path, F_OK) != 0)
			fail_msg("manifest.json lists %s, which is not in the folder", path);
	}
	assert_int_equal(json_array_size(json_object_get(doc, "files")), n);
	return n;
}

static void expect_iso_time(json_t *doc, const char *key)
{
	regex_t re;
	const char *t = json_string_value(json_object_get(doc, key));

	assert_non_null(t);
	assert_int_equal(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$",
	                         REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, t, 0, NULL, 0) != 0)
		fail_msg("%s \"%s\" is not UTC ISO 8601", key, t);
	regfree(&re);
}

static void test_run_manifest(void **state)
{
	char *dir = th_tmpdir("manifest-run"), hex[65];
	json_t *doc, *scen, *base, *argv;
	th_child c;

	(void)state;
	TH_RUN(&c, "run", BASED, "--out", dir, "--seed", "7", "--threads", "1", "--quiet",
	       "--replications", "20", "--customers", "300");
	th_expect_exit(&c, 0);
	doc = load_manifest(dir);
	assert_true(expect_files_match(dir, doc, NULL) >= 4);
	assert_non_null(listed(doc, "share.csv"));
	assert_non_null(listed(doc, "clv.csv"));
	assert_int_equal(json_integer_value(json_object_get(doc, "schema")), 1);
	assert_string_equal(json_string_value(json_object_get(doc, "clvsim")), "0.1.0");
	assert_int_equal(json_integer_value(json_object_get(doc, "seed")), 7);
	assert_int_equal(json_integer_value(json_object_get(doc, "threads")), 1);
	expect_iso_time(doc, "started");
	expect_iso_time(doc, "finished");
	assert_true(strcmp(json_string_value(json_object_get(doc, "started")),
	                   json_string_value(json_object_get(doc, "finished"))) <= 0);
	argv = json_object_get(json_object_get(doc, "command"), "argv");
	assert_int_equal(json_array_size(argv), 14); /* "clvsim" and 13 words */
	assert_string_equal(json_string_value(json_array_get(argv, 1)), "run");
	assert_string_equal(json_string_value(json_array_get(argv, 2)), BASED); /* as typed */
	assert_string_equal(json_string_value(json_array_get(argv, 13)), "300");
	/* the scenario and its base chain, each with its hash */
	assert_int_equal(json_array_size(json_object_get(doc, "scenarios")), 1);
	scen = json_array_get(json_object_get(doc, "scenarios"), 0);
	assert_string_equal(json_string_value(json_object_get(scen, "path")), BASED);
	sha256_hex(BASED, hex);
	assert_string_equal(json_string_value(json_object_get(scen, "sha256")), hex);
	assert_int_equal(json_array_size(json_object_get(scen, "base")), 1);
	base = json_array_get(json_object_get(scen, "base"), 0);
	assert_string_equal(json_string_value(json_object_get(base, "path")), BASE);
	sha256_hex(BASE, hex);
	assert_string_equal(json_string_value(json_object_get(base, "sha256")), hex);
	json_decref(doc);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* A seed not given on the command line: the file's (textbook.yaml: 42 or
   its own), recorded all the same. */
static void test_seed_from_file(void **state)
{
	char *dir = th_tmpdir("manifest-seed");
	json_t *doc;
	th_child c;

	(void)state;
	TH_RUN(&c, "tornado", "scenarios/uncertain_retention.yaml", "--out", dir, "--quiet",
	       "--replications", "20", "--customers", "200", "--plot", "none");
	th_expect_exit(&c, 0);
	doc = load_manifest(dir);
	assert_true(json_is_integer(json_object_get(doc, "seed")));
	expect_files_match(dir, doc, NULL);
	assert_non_null(listed(doc, "tornado.csv"));
	json_decref(doc);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

static void test_second_command_replaces_first(void **state)
{
	char *dir = th_tmpdir("manifest-rule"), path[512], *text;
	json_t *first, *second, *f;
	const char *compare_files[] = {"compare.csv", "compare_diff.csv"};
	size_t i;
	th_child c;

	(void)state;
	TH_RUN(&c, "run", BASE, "--out", dir, "--quiet", "--replications", "20", "--customers",
	       "300");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	first = load_manifest(dir);
	th_write_file(th_path(path, sizeof path, dir, "notes.txt"), "the user's own file\n");
	TH_RUN(&c, "compare", BASE, BASED, "--out", dir, "--quiet", "--replications", "20",
	       "--customers", "300");
	th_expect_exit(&c, 0);
	second = load_manifest(dir);
	/* nothing of the run is left, unless compare wrote it again */
	json_array_foreach(json_object_get(first, "files"), i, f) {
		const char *name = json_string_value(json_object_get(f, "path"));
		th_path(path, sizeof path, dir, name);
		if (listed(second, name) == NULL && access(path, F_OK) == 0)
			fail_msg("%s of the earlier run is still in the folder", name);
	}
	for (i = 0; i < 2; i++)
		assert_non_null(listed(second, compare_files[i]));
	assert_null(listed(second, "share.csv"));
	assert_int_equal(access(th_path(path, sizeof path, dir, "share.csv"), F_OK), -1);
	/* the user's file: kept, byte for byte, and not claimed */
	text = th_read_file(th_path(path, sizeof path, dir, "notes.txt"), NULL);
	assert_non_null(text);
	assert_string_equal(text, "the user's own file\n");
	free(text);
	assert_null(listed(second, "notes.txt"));
	expect_files_match(dir, second, "notes.txt");
	assert_int_equal(json_array_size(json_object_get(second, "scenarios")), 2);
	json_decref(first);
	json_decref(second);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* A listed file the user changed after the run is no longer clvsim's: kept. */
static void test_changed_output_is_kept(void **state)
{
	char *dir = th_tmpdir("manifest-changed"), path[512], *text;
	th_child c;

	(void)state;
	TH_RUN(&c, "run", BASE, "--out", dir, "--quiet", "--replications", "20", "--customers",
	       "300", "--plot", "none");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	th_write_file(th_path(path, sizeof path, dir, "clv.csv"), "edited by hand\n");
	TH_RUN(&c, "tornado", "scenarios/uncertain_retention.yaml", "--out", dir, "--quiet",
	       "--replications", "20", "--customers", "200", "--plot", "none");
	th_expect_exit(&c, 0);
	assert_non_null(strstr(c.err, "changed since"));
	text = th_read_file(path, NULL);
	assert_non_null(text);
	assert_string_equal(text, "edited by hand\n");
	free(text);
	assert_int_equal(access(th_path(path, sizeof path, dir, "share.csv"), F_OK), -1);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_run_manifest),
		cmocka_unit_test(test_seed_from_file),
		cmocka_unit_test(test_second_command_replaces_first),
		cmocka_unit_test(test_changed_output_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
