/*
 * test_helpers.c - the suites' shared helpers (contracts in test_helpers.h):
 * fixtures, temporary folders, files, and the binary run as a child.
 *
 * A child is started with fork/execv (no shell), stdin from /dev/null, and
 * stdout and stderr each into a pipe; th_finish reads both pipes with
 * poll() until they close (so neither can fill up and stall the child),
 * then reaps it. A child still running at the deadline is killed and the
 * test fails: no timing is asserted, a hang just cannot last for ever.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "test_helpers.h"

#include "engine/model.h"
#include "scenario/scenario.h"

#define MAX_ARGS 60

/* ------------------------------------------------------------------ */
/* Fixtures.                                                           */

static clv_scenario *loaded(clv_scenario *s, const char *what, const clv_error *err)
{
	if (s == NULL)
		fprintf(stderr, "cannot load %s: %s\n", what, err->msg);
	assert_non_null(s);
	return s;
}

clv_scenario *th_load(const char *path)
{
	clv_error err = {0};

	return loaded(scenario_load(path, &err), path, &err);
}

clv_scenario *th_scenario(const char *name)
{
	char path[256];

	assert_true((size_t)snprintf(path, sizeof path, "scenarios/%s.yaml", name) < sizeof path);
	return th_load(path);
}

clv_scenario *th_load_text(const char *path, const char *text)
{
	clv_error err = {0};

	return loaded(scenario_load_buffer(path, text, strlen(text), &err), path, &err);
}

clv_scenario *th_scenario_with(const char *name, const char *extra)
{
	char path[256], *text = diag_strdupf("base: %s.yaml\n%s", name, extra);
	clv_scenario *s;

	assert_non_null(text);
	assert_true((size_t)snprintf(path, sizeof path, "scenarios/%s+test.yaml", name) < sizeof path);
	s = th_load_text(path, text);
	free(text);
	return s;
}

clv_model *th_model(const char *name)
{
	clv_scenario *s = th_scenario(name);
	clv_error err = {0};
	clv_model *m = model_at_means(s, &err);

	if (m == NULL)
		fprintf(stderr, "no model for %s: %s\n", name, err.msg);
	assert_non_null(m);
	scenario_free(s);
	return m;
}

void th_mc_config(mc_config *cfg, const clv_scenario *s, uint64_t replications,
                  uint64_t customers, int threads)
{
	mc_config_defaults(cfg, s);
	cfg->replications = replications;
	cfg->customers = customers;
	cfg->threads = threads;
	cfg->sampling = SAMPLE_MC;
	cfg->progress = false;
}

mc_result *th_mc_run(clv_scenario *s, const mc_config *cfg)
{
	clv_error err = {0};
	mc_result *r = mc_run(s, cfg, &err);

	if (r == NULL)
		fprintf(stderr, "mc_run failed: %s\n", err.msg);
	assert_non_null(r);
	return r;
}

/* ------------------------------------------------------------------ */
/* Files and folders.                                                  */

char *th_path(char *buf, size_t cap, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(buf, cap, "%s/%s", dir, name) < cap);
	return buf;
}

char *th_tmpdir(const char *tag)
{
	const char *top = getenv("TMPDIR");
	char *dir;

	if (top == NULL || top[0] == '\0')
		top = P_tmpdir;
	dir = diag_strdupf("%s/clvsim-%s-XXXXXX", top, tag);
	assert_non_null(dir);
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", dir, strerror(errno));
		fail();
	}
	return dir;
}

void th_rm_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	char sub[4096];
	DIR *d;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	d = opendir(path);
	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (size_t)snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) < sizeof sub)
			th_rm_tree(sub);
	if (d != NULL)
		closedir(d);
	rmdir(path);
}

void th_tmpdir_remove(char *dir)
{
	if (dir == NULL)
		return;
	th_rm_tree(dir);
	free(dir);
}

char *th_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4096 + 1 > cap) {
			cap = 2 * cap + 4096 + 1;
			buf = realloc(buf, cap);
			assert_non_null(buf);
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
	} while (got > 0);
	fclose(f);
	buf[n] = '\0';
	if (len != NULL)
		*len = n;
	return buf;
}

char *th_list_dir(const char *dir)
{
	struct dirent **names;
	int i, n = scandir(dir, &names, NULL, alphasort);
	size_t len = 1;
	char *all;

	if (n < 0)
		fprintf(stderr, "cannot list %s: %s\n", dir, strerror(errno));
	assert_true(n >= 0);
	for (i = 0; i < n; i++)
		len += strlen(names[i]->d_name) + 1;
	all = calloc(1, len);
	assert_non_null(all);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 && strcmp(names[i]->d_name, "..") != 0) {
			strcat(all, names[i]->d_name);
			strcat(all, "\n");
		}
		free(names[i]);
	}
	free(names);
	return all;
}

void th_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL)
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

/* ------------------------------------------------------------------ */
/* The binary as a child process.                                      */

const char *th_binary(void)
{
	const char *env = getenv("CLVSIM");
	const char *bin = env != NULL && env[0] != '\0' ? env : "./clvsim";

	/* `make test BIN=/abs/path` passes CLVSIM=.//abs/path: same file. */
	if (access(bin, X_OK) != 0 && strncmp(bin, ".//", 3) == 0)
		bin += 2;
	if (access(bin, X_OK) != 0)
		fprintf(stderr, "no executable %s (set CLVSIM)\n", bin);
	assert_int_equal(access(bin, X_OK), 0);
	return bin;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* execv takes char *const argv[]; it does not write the strings. */
static char *unconst(const char *s)
{
	union {
		const char *c;
		char *m;
	} u;

	u.c = s;
	return u.m;
}

/* In the forked child: only async-signal-safe calls, then exec (bin
   found on PATH when search). */
static void become(const char *bin, bool search, char *const *argv, const int out[2],
                   const int err[2])
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
		_exit(127);
	close(null);
	close(out[0]);
	close(out[1]);
	close(err[0]);
	close(err[1]);
	if (search)
		execvp(bin, argv);
	else
		execv(bin, argv);
	_exit(127);
}

void th_start(th_child *c, const char *const *args)
{
	th_start_program(c, NULL, args);
}

void th_start_program(th_child *c, const char *program, const char *const *args)
{
	const char *bin = program != NULL ? program : th_binary();
	char *argv[MAX_ARGS + 2];
	int out[2], err[2], i;

	memset(c, 0, sizeof *c);
	argv[0] = unconst(bin);
	for (i = 0; args[i] != NULL; i++) {
		assert_true(i < MAX_ARGS);
		argv[i + 1] = unconst(args[i]);
	}
	argv[i + 1] = NULL;
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	fflush(NULL);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0)
		become(bin, program != NULL, argv, out, err);
	close(out[1]);
	close(err[1]);
	c->out_fd = out[0];
	c->err_fd = err[0];
}

/* Append what fd has to *buf; close it and set *fd = -1 at its end. */
static void drain(int *fd, char **buf, size_t *len, size_t *cap)
{
	ssize_t got;

	if (*len + 4096 + 1 > *cap) {
		*cap = 2 * *cap + 4096 + 1;
		*buf = realloc(*buf, *cap);
		assert_non_null(*buf);
	}
	got = read(*fd, *buf + *len, *cap - *len - 1);
	if (got > 0) {
		*len += (size_t)got;
	} else if (got == 0 || errno != EINTR) {
		close(*fd);
		*fd = -1;
	}
	(*buf)[*len] = '\0';
}

/* Read both pipes until they close or the deadline passes. */
static void collect(th_child *c, double deadline)
{
	size_t out_cap = 4096, err_cap = 4096;

	c->out = calloc(1, out_cap);
	c->err = calloc(1, err_cap);
	assert_non_null(c->out);
	assert_non_null(c->err);
	while ((c->out_fd >= 0 || c->err_fd >= 0) && now_s() < deadline) {
		struct pollfd p[2] = {{c->out_fd, POLLIN, 0}, {c->err_fd, POLLIN, 0}};
		int wait_ms = (int)((deadline - now_s()) * 1000.0) + 1;
		if (poll(p, 2, wait_ms) <= 0)
			continue;
		if (c->out_fd >= 0 && p[0].revents != 0)
			drain(&c->out_fd, &c->out, &c->out_len, &out_cap);
		if (c->err_fd >= 0 && p[1].revents != 0)
			drain(&c->err_fd, &c->err, &c->err_len, &err_cap);
	}
}

void th_finish(th_child *c, double seconds)
{
	double deadline = now_s() + seconds;
	struct timespec tick = {0, 10000000};
	int status = 0;
	pid_t got;

	collect(c, deadline);
	while ((got = waitpid(c->pid, &status, WNOHANG)) == 0 && now_s() < deadline)
		nanosleep(&tick, NULL);
	if (got == 0) {
		kill(c->pid, SIGKILL);
		waitpid(c->pid, &status, 0);
		fprintf(stderr, "child still running: killed after %.0f s\n", seconds);
	}
	if (c->out_fd >= 0)
		close(c->out_fd);
	if (c->err_fd >= 0)
		close(c->err_fd);
	c->out_fd = c->err_fd = -1;
	c->signaled = WIFSIGNALED(status);
	c->code = c->signaled ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	if (c->signaled)
		fprintf(stderr, "child ended by signal %d; stderr:\n%s\n", c->code - 128, c->err);
	assert_true(got != 0);
}

void th_run(th_child *c, const char *const *args)
{
	th_start(c, args);
	th_finish(c, TH_CHILD_DEADLINE_S);
}

void th_run_program(th_child *c, const char *program, const char *const *args)
{
	th_start_program(c, program, args);
	th_finish(c, TH_CHILD_DEADLINE_S);
}

double th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void th_sleep(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static th_child pending; /* th_spawn's child, until th_collect */

pid_t th_spawn(const char *const *args)
{
	if (pending.pid != 0) { /* a failed test left its child: end it */
		kill(pending.pid, SIGKILL);
		th_finish(&pending, TH_CHILD_DEADLINE_S);
		th_child_free(&pending);
	}
	th_start(&pending, args);
	return pending.pid;
}

void th_collect(pid_t pid, th_child *c, double seconds)
{
	assert_int_equal(pid, pending.pid);
	*c = pending;
	memset(&pending, 0, sizeof pending);
	th_finish(c, seconds);
}

int th_catches_sigint(pid_t pid)
{
	char path[64], *text, *p;
	unsigned long long mask = 0;
	bool ended;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	text = th_read_file(path, NULL);
	if (text == NULL)
		return -1;
	ended = strstr(text, "State:\tZ") != NULL;
	p = strstr(text, "SigCgt:");
	if (p != NULL)
		mask = strtoull(p + 7, NULL, 16);
	free(text);
	if (ended)
		return -1;
	return (int)((mask >> (SIGINT - 1)) & 1);
}

void th_child_free(th_child *c)
{
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
	c->out_len = c->err_len = 0;
}

void th_expect_exit(const th_child *c, int code)
{
	if (c->code != code)
		fprintf(stderr, "expected exit %d, got %d; stderr:\n%s\n", code, c->code, c->err);
	assert_false(c->signaled);
	assert_int_equal(c->code, code);
}

/* ------------------------------------------------------------------ */
/* Comparing outputs.                                                  */

size_t th_first_diff_line(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t k = 0, line = 1;

	while (k < alen && k < blen && a[k] == b[k])
		line += a[k++] == '\n';
	return k == alen && k == blen ? 0 : line;
}

const char *th_line(const char *text, size_t text_len, size_t line, int *len)
{
	const char *p = text, *end = text + text_len, *nl;

	while (line > 1 && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl != NULL ? nl + 1 : end;
		line--;
	}
	nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
	*len = (int)((nl != NULL ? nl : end) - p);
	return p;
}

void th_expect_same_text(const char *what_a, const char *a, size_t alen, const char *what_b,
                         const char *b, size_t blen)
{
	size_t line = th_first_diff_line(a, alen, b, blen);
	int la, lb;
	const char *pa, *pb;

	if (line == 0)
		return;
	pa = th_line(a, alen, line, &la);
	pb = th_line(b, blen, line, &lb);
	fprintf(stderr, "outputs differ at line %zu:\n  %s: %.*s\n  %s: %.*s\n", line, what_a, la, pa,
	        what_b, lb, pb);
	fail();
}

double th_json_number(json_t *doc, const char *path)
{
	char key[256], *dot, *k = key;
	json_t *node = doc;

	assert_true((size_t)snprintf(key, sizeof key, "%s", path) < sizeof key);
	while (node != NULL && k != NULL) {
		dot = strchr(k, '.');
		if (dot != NULL)
			*dot = '\0';
		node = json_object_get(node, k);
		k = dot != NULL ? dot + 1 : NULL;
	}
	if (!json_is_number(node))
		fprintf(stderr, "no number at %s\n", path);
	assert_true(json_is_number(node));
	return json_number_value(node);
}

json_t *th_json_of(const th_child *c)
{
	json_error_t jerr;
	json_t *doc = json_loadb(c->out, c->out_len, 0, &jerr);

	if (doc == NULL)
		fprintf(stderr, "invalid JSON at line %d: %s\n", jerr.line, jerr.text);
	assert_non_null(doc);
	return doc;
}

json_t *th_clvsim_json(const char *args)
{
	const char *argv[64];
	char buf[1024], *save = NULL, *tok;
	size_t n = 0;
	th_child c;
	json_t *doc;

	assert_true((size_t)snprintf(buf, sizeof buf, "%s --format json", args) < sizeof buf);
	for (tok = strtok_r(buf, " ", &save); tok != NULL && n < 60; tok = strtok_r(NULL, " ", &save))
		argv[n++] = tok;
	argv[n] = NULL;
	th_run(&c, argv);
	th_expect_exit(&c, 0);
	doc = th_json_of(&c);
	th_child_free(&c);
	return doc;
}
