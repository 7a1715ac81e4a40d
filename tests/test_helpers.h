/*
 * test_helpers.h - what the cmocka suites share (tests/test_helpers.c,
 * linked into every suite by the Makefile): fixtures loaded from the
 * shipped scenarios/, a small Monte Carlo configuration, temporary
 * folders, whole files, and the built `clvsim` binary run as a child
 * process (fork/exec, no shell) with its stdout, stderr and exit status.
 *
 * Every helper that can fail fails the running test through a cmocka
 * assertion (after printing the reason), so a test reads as its steps.
 * Suites run from the top of the repository (scenarios/, tests/data/).
 * Include after <cmocka.h> and its prerequisites.
 */
#ifndef CLV_TEST_HELPERS_H
#define CLV_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

#include "clvsim.h"
#include "engine/mc.h"

/* ------------------------------------------------------------------ */
/* Fixtures.                                                           */

/* The shipped scenario scenarios/NAME.yaml (e.g. "textbook"), loaded and
   validated; fails the test with the loader's message otherwise. Free it
   with scenario_free. */
clv_scenario *th_scenario(const char *name);

/* A scenario file at any path (e.g. "tests/data/good/offers.yaml"). */
clv_scenario *th_load(const char *path);

/* A scenario written in the test: `text` named `path` in messages (a
   relative `base:` resolves from path's folder, so a path under
   scenarios/ can build on a shipped file). */
clv_scenario *th_load_text(const char *path, const char *text);

/* A shipped scenario with a few keys of the test on top: `base: NAME.yaml`
   followed by `extra`, loaded as if it were scenarios/NAME+test.yaml. */
clv_scenario *th_scenario_with(const char *name, const char *extra);

/* The model of a shipped scenario at its assumptions' means (model_free). */
clv_model *th_model(const char *name);

/* A small Monte Carlo configuration for s: its seed, `replications` x
   `customers`, `threads` OpenMP threads (0 = default), plain sampling,
   no progress bar. */
void th_mc_config(mc_config *cfg, const clv_scenario *s, uint64_t replications,
                  uint64_t customers, int threads);

/* mc_run(s, cfg), failing the test with the engine's message if it fails. */
mc_result *th_mc_run(clv_scenario *s, const mc_config *cfg);

/* ------------------------------------------------------------------ */
/* Files and folders.                                                  */

/* A new empty folder $TMPDIR/clvsim-TAG-XXXXXX (default P_tmpdir); the
   returned path is owned by the caller, removed by th_tmpdir_remove. */
char *th_tmpdir(const char *tag);

/* Remove dir and everything in it (symlinks are not followed), then
   free(dir). NULL is a no-op. */
void th_tmpdir_remove(char *dir);

/* Remove path: a file, or a folder and what it holds. Missing is fine. */
void th_rm_tree(const char *path);

/* The whole file, NUL-terminated (free() it), its length in *len (len may
   be NULL); NULL when it cannot be opened. */
char *th_read_file(const char *path, size_t *len);

/* The names in folder dir but "." and "..", sorted, each followed by
   '\n' (free() it); fails the test when dir cannot be read. */
char *th_list_dir(const char *dir);

/* Write text to path (created or truncated); fails the test on error. */
void th_write_file(const char *path, const char *text);

/* dir/name into buf (size cap); fails the test if it does not fit. */
char *th_path(char *buf, size_t cap, const char *dir, const char *name);

/* ------------------------------------------------------------------ */
/* The binary as a child process.                                      */

/* A child still running after this many seconds has hung: killed. */
#define TH_CHILD_DEADLINE_S 60.0

typedef struct th_child {
	pid_t pid;
	int out_fd, err_fd;  /* read ends of its stdout and stderr pipes */
	int code;            /* exit status, or 128 + signal when killed */
	bool signaled;       /* ended by a signal (a crash, or the deadline) */
	char *out, *err;     /* stdout and stderr, NUL-terminated (owned) */
	size_t out_len, err_len;
} th_child;

/* The binary under test: $CLVSIM, default ./clvsim (make test sets it). */
const char *th_binary(void);

/* Start `clvsim args...` (args NULL-terminated, at most 60) with stdin
   from /dev/null and stdout/stderr into pipes; fills c->pid. */
void th_start(th_child *c, const char *const *args);

/* th_start for another program, found on PATH (NULL: the binary);
   exit status 127 when it cannot be run. */
void th_start_program(th_child *c, const char *program, const char *const *args);

/* Collect the child's output until it ends, killing it after `seconds`
   (the test then fails). */
void th_finish(th_child *c, double seconds);

/* th_start + th_finish within TH_CHILD_DEADLINE_S. */
void th_run(th_child *c, const char *const *args);

/* th_run_program: th_start_program + th_finish within TH_CHILD_DEADLINE_S. */
void th_run_program(th_child *c, const char *program, const char *const *args);

/* A 4-state market whose customers' own draws decide only their rows
   (switching rows drawn per customer, impossible draws included, a
   Dirichlet row, per-customer retention, a campaign with uplift and win),
   with an absorbing state: the start of the own-rows tests' scenarios,
   which add horizon, money and the rest. */
#define TH_OWN_ROWS_MARKET                                                                  \
	"states: [A, B, C, lost]\n" \
	"initial: [0.5, 0.3, 0.2, 0]\n" \
	"switching:\n" \
	"  A: [0.6, 0.2, 0.1, 0.1]\n" \
	"  B: [{dist: uniform, min: 0.05, max: 0.55, per: customer},\n" \
	"      {dist: uniform, min: 0.2, max: 0.8, per: customer}, 0.1, 0.1]\n" \
	"  C: {dist: dirichlet, alpha: [10, 20, 60, 10]}\n" \
	"  lost: [0, 0, 0, 1]\n" \
	"retention: {A: {dist: beta, a: 7, b: 3, per: customer},\n" \
	"            C: {dist: beta, a: 0.5, b: 0.4, per: customer}}\n" \
	"campaign: {brand: A, retention_uplift: {dist: uniform, min: 0, max: 0.2, per: customer},\n" \
	"           win_from: {B: {dist: uniform, min: 0, max: 0.1, per: customer}}, cost: 3,\n" \
	"           periods: 4}\n"

#define TH_RUN(c, ...) th_run((c), (const char *const[]){__VA_ARGS__, NULL})

/* Free the captured output (the struct can be reused). */
void th_child_free(th_child *c);

/* Monotonic seconds, and a sleep that resumes after signals. */
double th_now(void);
void th_sleep(double seconds);

/* The suite's one child in flight, for tests that act on its pid before
   collecting it (signals): th_spawn starts `clvsim args...` (ending a
   child a failed test left behind) and returns its pid; th_collect
   collects it into c, killing it after `seconds`. */
pid_t th_spawn(const char *const *args);
void th_collect(pid_t pid, th_child *c, double seconds);

/* 1 once /proc/PID/status shows SIGINT caught (the run's handler is
   installed), -1 when the child has ended (a zombie, or gone), else 0. */
int th_catches_sigint(pid_t pid);

/* Exit status `code` and no crash; on a mismatch stderr is shown. */
void th_expect_exit(const th_child *c, int code);

/* ------------------------------------------------------------------ */
/* Comparing outputs.                                                  */

/* 0 when a[0..alen) and b[0..blen) are equal, else the 1-based number of
   the first line where they differ. */
size_t th_first_diff_line(const char *a, size_t alen, const char *b, size_t blen);

/* Line `line` (1-based) of text: a pointer into it and its length
   without the newline in *len; "" past the end. */
const char *th_line(const char *text, size_t text_len, size_t line, int *len);

/* Fail the test unless a[0..alen) and b[0..blen) are equal byte for
   byte; on a difference print the first differing line of each, labelled
   what_a and what_b. */
void th_expect_same_text(const char *what_a, const char *a, size_t alen, const char *what_b,
                         const char *b, size_t blen);

/* The number at a dotted path of a JSON document, e.g. "exact.clv.A";
   fails the test when there is no number there. */
double th_json_number(json_t *doc, const char *path);

/* The child's stdout as a JSON document (json_decref it). */
json_t *th_json_of(const th_child *c);

/* `clvsim ARGS --format json` (ARGS split at spaces; no quoting), which
   must exit 0: its document (json_decref it). */
json_t *th_clvsim_json(const char *args);

#endif
