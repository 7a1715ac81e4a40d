/*
 * gnuplot_run.c - stage output: one gnuplot process, fed a script on a
 * pipe, stopped on interrupt (gnuplot_run.h).
 *
 * Feeding: the pipe's write end is non-blocking and poll(2) waits for
 * room at most GNUPLOT_POLL_MS at a time, so a gnuplot busy drawing (not
 * reading its stdin) cannot keep us from seeing the interrupt flag.
 * SIGPIPE is blocked while writing (gnuplot may quit early on an error)
 * and a SIGPIPE raised by our write is consumed. Waiting: waitpid with
 * WNOHANG between naps of GNUPLOT_POLL_MS. A signal handler never runs
 * any of this: it only sets the flag (base/interrupt.h).
 */
#include "output/gnuplot_run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"

extern char **environ;

#define INSTALL_HINT "install gnuplot-nox: apt-get install gnuplot-nox"
#define STDERR_SHOWN 600    /* bytes of gnuplot's stderr in a message */

static clv_status interrupted(clv_error *err)
{
	return diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
}

/* Write all of buf to the non-blocking fd, polling the interrupt flag.
   0, an errno (EPIPE: gnuplot quit), or -1 when interrupted. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t k;
		if (interrupt_requested())
			return -1;
		k = write(fd, buf, len);
		if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			struct pollfd p = {fd, POLLOUT, 0};
			poll(&p, 1, GNUPLOT_POLL_MS);
			continue;
		}
		if (k < 0)
			return errno;
		buf += k;
		len -= (size_t)k;
	}
	return 0;
}

/* Feed text to fd without dying of SIGPIPE if gnuplot quit early. */
static int feed(int fd, const char *text, size_t len)
{
	sigset_t pipe_set, old, pending;
	bool was_pending;
	int e;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	sigpending(&pending);
	was_pending = sigismember(&pending, SIGPIPE);
	e = write_all(fd, text, len);
	if (e == EPIPE && !was_pending) {
		struct timespec zero = {0, 0};
		sigtimedwait(&pipe_set, NULL, &zero); /* consume ours */
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return e;
}

/* gnuplot's stderr (the first STDERR_SHOWN bytes, trimmed) into buf. */
static void read_stderr(FILE *errf, char *buf, size_t size)
{
	size_t n;

	rewind(errf);
	n = fread(buf, 1, size - 1, errf);
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
}

static clv_status spawn_gnuplot(int in_fd, int err_fd, pid_t *pid, clv_error *err)
{
	static char arg0[] = "gnuplot", arg1[] = "-d", arg2[] = "/dev/stdin";
	char *const argv[] = {arg0, arg1, arg2, NULL};
	posix_spawn_file_actions_t fa;
	int e;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in_fd, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	e = posix_spawnp(pid, "gnuplot", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e == ENOENT)
		return diag_set(err, CLV_ERR_IO, NULL, "no figures: gnuplot not found on PATH; "
		                INSTALL_HINT);
	if (e != 0)
		return diag_set(err, CLV_ERR_IO, NULL, "cannot run gnuplot: %s", strerror(e));
	return CLV_OK;
}

/* Kill pid and reap it (after an interrupt). */
static void stop(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* Wait for pid, polling the interrupt flag; *status its wait status.
   CLV_OK, CLV_ERR_INTERRUPTED (pid killed and reaped) or CLV_ERR_IO. */
static clv_status wait_for(pid_t pid, int *status, clv_error *err)
{
	struct timespec nap = {0, GNUPLOT_POLL_MS * 1000000L};

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);
		if (got == pid)
			return CLV_OK;
		if (got < 0 && errno != EINTR)
			return diag_set(err, CLV_ERR_IO, NULL, "waiting for gnuplot: %s", strerror(errno));
		if (interrupt_requested()) {
			stop(pid);
			return interrupted(err);
		}
		nanosleep(&nap, NULL);
	}
}

/* Wait for pid; CLV_OK when it exited with status 0 (its stderr then in
   warnings). */
static clv_status reap(pid_t pid, FILE *errf, const char *what, char *warnings, size_t size,
                       clv_error *err)
{
	char text[STDERR_SHOWN + 1];
	int status = 0;
	clv_status rc = wait_for(pid, &status, err);

	if (rc != CLV_OK)
		return rc;
	if (interrupt_requested()) /* gnuplot got the terminal's Ctrl-C too */
		return interrupted(err);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		if (warnings != NULL && size > 0)
			read_stderr(errf, warnings, size);
		return CLV_OK;
	}
	read_stderr(errf, text, sizeof text);
	if (WIFSIGNALED(status))
		return diag_set(err, CLV_ERR_IO, NULL, "gnuplot was killed by signal %d drawing %s%s%s",
		                WTERMSIG(status), what, text[0] ? ": " : "", text);
	return diag_set(err, CLV_ERR_IO, NULL, "gnuplot failed drawing %s: %s", what,
	                text[0] ? text : "(no message)");
}

clv_status gnuplot_run(const char *text, size_t len, const char *what, char *warnings,
                       size_t size, clv_error *err)
{
	clv_status rc = CLV_OK;
	FILE *errf = tmpfile();
	int fds[2] = {-1, -1};
	pid_t pid = 0;

	if (warnings != NULL && size > 0)
		warnings[0] = '\0';
	if (errf == NULL || pipe(fds) != 0) {
		rc = diag_set(err, CLV_ERR_IO, NULL, "cannot run gnuplot: %s", strerror(errno));
		goto cleanup;
	}
	/* only the dup2'd copies (0 and 2) reach gnuplot */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	fcntl(fileno(errf), F_SETFD, FD_CLOEXEC);
	rc = spawn_gnuplot(fds[0], fileno(errf), &pid, err);
	close(fds[0]);
	fds[0] = -1;
	if (rc != CLV_OK)
		goto cleanup;
	if (feed(fds[1], text, len) < 0) { /* a write error shows as gnuplot's failure */
		stop(pid);
		rc = interrupted(err);
		goto cleanup;
	}
	close(fds[1]);
	fds[1] = -1;
	rc = reap(pid, errf, what, warnings, size, err);
cleanup:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (errf != NULL)
		fclose(errf);
	return rc;
}
