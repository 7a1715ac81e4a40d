/*
 * manifest.h - stage output: manifest.json, the provenance of an --out
 * folder: which clvsim made it, with which command line, when, from
 * which seed and threads, from which scenario files (path and sha256,
 * with their `base:` chain), and every file the command wrote there
 * with its sha256 (docs/outputs.md).
 *
 * The manifest is the last member of the command's file group
 * (outfile.h), so it is written atomically with the tables and figures
 * it lists, under the folder's lock. The same lock covers the folder
 * rule: files listed by the folder's previous manifest that this
 * command does not write again are clvsim's own outputs of an earlier
 * command, and are removed (unless changed since: their sha256 no
 * longer the listed one); files no manifest lists are the user's, kept.
 */
#ifndef CLV_MANIFEST_H
#define CLV_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "output/outfile.h"

#define MANIFEST_NAME "manifest.json"
#define MANIFEST_SCHEMA 1

/* What the command knows of its own making (the cli fills it). */
typedef struct manifest_info {
	int argc;                /* the command's words: "run", options, operands */
	char *const *argv;
	time_t started;          /* when the command started */
	uint64_t seed;           /* the seed the runs used */
	bool has_seed;
	int threads;             /* OpenMP threads the runs used */
	const clv_scenario *const *scenarios; /* the scenarios read, in operand order */
	size_t n_scenarios;
	bool builtin;            /* the scenario is the built-in default (no file) */
	const char *builtin_text; /* its text, for the report */
	const char *report;      /* --report FILE.html, or NULL */
} manifest_info;

/* sha256 of the file at path as 64 lowercase hex digits (hex[65]);
   0, or an errno value. */
int manifest_sha256_file(const char *path, char hex[65]);

/* The manifest of g (its members finished: their temps are hashed),
   written into out_dir (NULL: the tables went to no folder, only into
   a report). A new reference, or NULL with err set (CLV_ERR_IO naming
   the file that cannot be read, CLV_ERR_NOMEM). */
json_t *manifest_build(const manifest_info *mi, const outfile_group *g, const char *out_dir,
                       clv_error *err);

/* Write doc as the member manifest.json of g (added last), and set g's
   commit hook to the folder rule (see the top). CLV_OK or err set. */
clv_status manifest_add(outfile_group *g, const json_t *doc, clv_error *err);

/* The time t as UTC ISO 8601, "2026-12-02T05:57:43Z" (buf of 21 or more). */
void manifest_time(time_t t, char *buf, size_t size);

#endif
