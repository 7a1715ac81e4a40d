/*
 * dirlock.c - stage output: an output folder's lock (dirlock.h).
 *
 * Protocol (the classic removable lock file): open(O_CREAT) the path,
 * flock(LOCK_EX | LOCK_NB) it, retrying every DIRLOCK_POLL_MS; once
 * held, fstat the descriptor and stat the path: when they are not the
 * same inode, the previous holder removed the file after we opened it,
 * so close and start again. Release = unlink the path while still
 * holding the lock, then close. Every holder therefore holds the lock of
 * the inode currently at the path, and only one can.
 */
#include "output/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"

#define DIRLOCK_POLL_MS 5

struct dirlock {
	int fd;
	char *path;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void nap(void)
{
	struct timespec ts = {0, DIRLOCK_POLL_MS * 1000000L};

	nanosleep(&ts, NULL);
}

/* The descriptor still names the file at path (not a removed one). */
static bool still_there(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

/* One attempt: 1 = held, 0 = busy or removed meanwhile, -1 = error. */
static int try_once(dirlock *l, clv_error *err)
{
	int e;

	if (l->fd < 0) {
		l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (l->fd < 0) {
			diag_set_file(err, CLV_ERR_IO, l->path, "cannot create the lock file: %s",
			              strerror(errno));
			return -1;
		}
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		e = errno;
		if (e == EWOULDBLOCK || e == EINTR)
			return 0;
		diag_set_file(err, CLV_ERR_IO, l->path, "cannot lock: %s", strerror(e));
		return -1;
	}
	if (still_there(l->fd, l->path))
		return 1;
	close(l->fd); /* the holder before us removed it: take the new one */
	l->fd = -1;
	return 0;
}

dirlock *dirlock_take(const char *dir, clv_error *err)
{
	dirlock *l = calloc(1, sizeof *l);
	double deadline = now_s() + DIRLOCK_WAIT_S;
	int got = 0;

	if (l != NULL)
		l->path = diag_strdupf("%s/%s", dir != NULL && dir[0] != '\0' ? dir : ".",
		                       DIRLOCK_NAME);
	if (l == NULL || l->path == NULL) {
		free(l);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	l->fd = -1;
	while ((got = try_once(l, err)) == 0) {
		if (interrupt_requested()) {
			diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
			break;
		}
		if (now_s() > deadline) {
			diag_set_file(err, CLV_ERR_IO, l->path, "another process has held this lock for "
			              "over %.0f s: is another clvsim writing into the same folder?",
			              DIRLOCK_WAIT_S);
			break;
		}
		nap();
	}
	if (got == 1)
		return l;
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l);
	return NULL;
}

void dirlock_release(dirlock *l)
{
	if (l == NULL)
		return;
	unlink(l->path); /* while held: see the protocol on top */
	close(l->fd);
	free(l->path);
	free(l);
}
