/*
 * child.h - run the clvsim binary as a child process (no shell) and
 * collect its exit status, stdout and stderr; shared by the suites that
 * test the command line from outside (test_explain, test_tutorial,
 * test_manpage). Header-only: every function is static.
 *
 * The binary is $CLVSIM (default ./clvsim). stdout and stderr go into
 * files of a private temporary folder (child_setup / child_teardown),
 * stdin is /dev/null. A child still running after CHILD_DEADLINE_S
 * seconds is killed and reported.
 */
#ifndef CLV_TEST_CHILD_H
#define CLV_TEST_CHILD_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define CHILD_DEADLINE_S 60.0
#define CHILD_MAX_ARGS 64

typedef struct child {
	int code;      /* exit status, or 128 + signal */
	char *out;     /* stdout, NUL-terminated (owned) */
	char *err;     /* stderr (owned) */
	size_t out_len, err_len;
} child;

static char child_dir[256], child_out[300], child_err[300];
static const char *child_binary;

static char *child_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return NULL;
	do {
		if (n + 4097 > cap) {
			char *grown;
			cap = 2 * cap + 4097;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
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

/* Find the binary and make the temporary folder; -1 on failure. */
static int child_setup(void)
{
	const char *env = getenv("CLVSIM"), *tmp = getenv("TMPDIR");

	child_binary = env != NULL && env[0] != '\0' ? env : "./clvsim";
	if (access(child_binary, X_OK) != 0 && strncmp(child_binary, ".//", 3) == 0)
		child_binary += 2;
	if (access(child_binary, X_OK) != 0) {
		fprintf(stderr, "no executable %s (set CLVSIM)\n", child_binary);
		return -1;
	}
	snprintf(child_dir, sizeof child_dir, "%s/clvsim-test-XXXXXX",
	         tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	if (mkdtemp(child_dir) == NULL)
		return -1;
	snprintf(child_out, sizeof child_out, "%s/stdout", child_dir);
	snprintf(child_err, sizeof child_err, "%s/stderr", child_dir);
	return 0;
}

static void child_teardown(void)
{
	unlink(child_out);
	unlink(child_err);
	rmdir(child_dir);
}

static double child_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Run program argv[0] (NULL: the clvsim binary) with argv[1..] (NULL-
   terminated); fills c. Returns 0, or -1 when it could not be started. */
static int child_run_program(child *c, const char *const *argv)
{
	char *args[CHILD_MAX_ARGS + 1];
	const char *prog = argv[0] != NULL ? argv[0] : child_binary;
	posix_spawn_file_actions_t fa;
	double deadline;
	int i, status = 0, rc;
	pid_t pid, got;

	memset(c, 0, sizeof *c);
	memcpy(&args[0], &prog, sizeof args[0]); /* posix_spawn does not write them */
	for (i = 1; argv[i] != NULL; i++) {
		if (i >= CHILD_MAX_ARGS)
			return -1;
		memcpy(&args[i], &argv[i], sizeof args[i]);
	}
	args[i] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, child_out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 2, child_err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	rc = argv[0] != NULL ? posix_spawnp(&pid, prog, &fa, NULL, args, environ)
	                     : posix_spawn(&pid, prog, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	deadline = child_now() + CHILD_DEADLINE_S;
	while ((got = waitpid(pid, &status, WNOHANG)) == 0 && child_now() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	if (got == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fprintf(stderr, "child %s still running after %.0f s: killed\n", prog, CHILD_DEADLINE_S);
	}
	c->code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	c->out = child_slurp(child_out, &c->out_len);
	c->err = child_slurp(child_err, &c->err_len);
	return c->out != NULL && c->err != NULL ? 0 : -1;
}

static void child_free(child *c)
{
	free(c->out);
	free(c->err);
	c->out = c->err = NULL;
}

#endif
