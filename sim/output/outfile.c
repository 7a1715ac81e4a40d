/*
 * outfile.c - stage output: atomic output files (write a temp, fsync,
 * rename), one by one or as a group committed together.
 *
 * Invariants:
 *   - dir/name is only ever replaced by rename(2) of a complete, fsynced
 *     temp in the same directory, so readers see the old file or the new
 *     one, never a part;
 *   - every temp that exists on disk belongs to an open outfile, which
 *     renames or unlinks it when it ends (an interrupt is handled by the
 *     caller aborting its group in normal context: base/interrupt.h).
 * Method: mkstemps for the temp (unique, O_EXCL, mode fixed up to
 * 0666 & ~umask), stdio for writing; a write error caught by ferror is
 * named by flushing again (glibc keeps unwritten data buffered, so the
 * retry fails with the same errno, e.g. ENOSPC). After the rename, the
 * directory is fsynced too (best effort) so the new name is durable.
 * Reference: the write-fsync-rename pattern, e.g. SQLite's "atomic
 * commit" notes and POSIX rename(2) ("shall be atomic").
 */
#include "output/outfile.h"

#include "output/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

struct outfile {
	FILE *f;      /* NULL once closed, or for a file another program writes */
	char *final_path;
	char *temp_path;
	bool on_disk; /* the temp exists (not yet renamed or unlinked) */
	bool done;    /* phase 1 passed: complete, durable and closed */
};

/* ------------------------------------------------------------------ */
/* One file.                                                            */

static mode_t file_mode;
static pthread_once_t file_mode_once = PTHREAD_ONCE_INIT;

/* umask can only be read by setting it: done once, before any output. */
static void read_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	file_mode = 0666 & ~m;
}

static bool plain_name(const char *name)
{
	return name != NULL && name[0] != '\0' && strchr(name, '/') == NULL &&
	       strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

static char *join(const char *dir, const char *sep, const char *a, const char *b,
                  const char *c)
{
	size_t len = strlen(dir) + strlen(sep) + strlen(a) + strlen(b) + strlen(c) + 1;
	char *p = malloc(len);

	if (p != NULL)
		snprintf(p, len, "%s%s%s%s%s", dir, sep, a, b, c);
	return p;
}

/* final = dir/name; temp = dir/.stem.XXXXXX.ext (template). */
static int make_paths(outfile *o, const char *dir, const char *name, size_t *ext_len)
{
	const char *ext = strrchr(name, '.');
	size_t stem;
	char *stem_copy;

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	if (ext == NULL || ext == name)
		ext = name + strlen(name);
	stem = (size_t)(ext - name);
	*ext_len = strlen(ext);
	stem_copy = strndup(name, stem);
	o->final_path = join(dir, "/", name, "", "");
	if (stem_copy != NULL)
		o->temp_path = join(dir, "/.", stem_copy, ".XXXXXX", ext);
	free(stem_copy);
	return o->final_path != NULL && o->temp_path != NULL ? 0 : -1;
}

static void release(outfile *o)
{
	free(o->final_path);
	free(o->temp_path);
	free(o);
}

static clv_status create_temp(outfile *o, size_t ext_len, clv_error *err)
{
	int fd = mkstemps(o->temp_path, (int)ext_len);

	if (fd < 0)
		return diag_set_file(err, CLV_ERR_IO, o->final_path, "cannot create a file: %s",
		                     strerror(errno));
	o->on_disk = true;
	fcntl(fd, F_SETFD, FD_CLOEXEC); /* not inherited by gnuplot (plot.c) */
	pthread_once(&file_mode_once, read_umask);
	fchmod(fd, file_mode);
	o->f = fdopen(fd, "w");
	if (o->f == NULL) {
		int e = errno;
		close(fd);
		unlink(o->temp_path);
		return diag_set_file(err, CLV_ERR_IO, o->final_path, "cannot open: %s", strerror(e));
	}
	return CLV_OK;
}

outfile *outfile_open(const char *dir, const char *name, clv_error *err)
{
	clv_status rc = CLV_OK;
	outfile *o = NULL;
	size_t ext_len = 0;

	if (!plain_name(name)) {
		diag_set(err, CLV_ERR_USAGE, NULL, "'%s': not a plain file name", name ? name : "");
		return NULL;
	}
	o = calloc(1, sizeof *o);
	if (o == NULL || make_paths(o, dir, name, &ext_len) != 0) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		goto cleanup;
	}
	rc = create_temp(o, ext_len, err);
cleanup:
	if (rc != CLV_OK && o != NULL) {
		release(o);
		o = NULL;
	}
	return o;
}

FILE *outfile_stream(outfile *o)
{
	return o->f;
}

const char *outfile_temp_path(const outfile *o)
{
	return o->temp_path;
}

const char *outfile_final_path(const outfile *o)
{
	return o->final_path;
}

void outfile_close_stream(outfile *o)
{
	if (o->f != NULL)
		fclose(o->f); /* nothing written: nothing to lose */
	o->f = NULL;
}

/* errno of the write that failed earlier: flush again (see top). */
static int write_errno(FILE *f)
{
	clearerr(f);
	errno = 0;
	if (fflush(f) != 0 && errno != 0)
		return errno;
	return EIO;
}

/* Flush, fsync and close o->f (always closed after). 0 or an errno. */
static int close_stream(outfile *o)
{
	int e = 0;

	if (fflush(o->f) != 0)
		e = errno;
	else if (ferror(o->f))
		e = write_errno(o->f);
	else if (fsync(fileno(o->f)) != 0)
		e = errno;
	if (fclose(o->f) != 0 && e == 0)
		e = errno;
	o->f = NULL;
	return e;
}

/* Drop the temp: close it if open, unlink. */
static void drop_temp(outfile *o)
{
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	if (o->on_disk)
		unlink(o->temp_path);
	o->on_disk = false;
}

/* fsync a temp written by another program (o->f closed). 0 or an errno. */
static int sync_path(const outfile *o)
{
	int fd = open(o->temp_path, O_RDONLY | O_CLOEXEC), e = 0;

	if (fd < 0)
		return errno;
	if (fsync(fd) != 0)
		e = errno;
	close(fd);
	return e;
}

/* Phase 1 of a commit: the temp is complete and durable, or dropped. */
static clv_status finish(outfile *o, clv_error *err)
{
	int e;

	if (o->done)
		return CLV_OK;
	e = o->f != NULL ? close_stream(o) : sync_path(o);
	o->done = e == 0;
	if (e == 0)
		return CLV_OK;
	drop_temp(o);
	return diag_set_file(err, CLV_ERR_IO, o->final_path, "cannot write: %s", strerror(e));
}

static void sync_dir(const char *final_path)
{
	const char *slash = strrchr(final_path, '/');
	char *dir = slash ? strndup(final_path, (size_t)(slash - final_path)) : NULL;
	int fd;

	if (dir == NULL)
		return;
	fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

/* Phase 2: rename over the final name. */
static clv_status install(outfile *o, clv_error *err)
{
	if (rename(o->temp_path, o->final_path) != 0) {
		int e = errno;
		drop_temp(o);
		return diag_set_file(err, CLV_ERR_IO, o->final_path, "cannot replace: %s",
		                     strerror(e));
	}
	o->on_disk = false;
	sync_dir(o->final_path);
	return CLV_OK;
}

clv_status outfile_commit(outfile *o, clv_error *err)
{
	clv_status rc = CLV_OK;

	if (o == NULL)
		return CLV_OK;
	rc = finish(o, err);
	if (rc != CLV_OK)
		goto cleanup;
	rc = install(o, err);
cleanup:
	release(o);
	return rc;
}

void outfile_abort(outfile *o)
{
	if (o == NULL)
		return;
	drop_temp(o);
	release(o);
}

/* ------------------------------------------------------------------ */
/* mkdir -p.                                                            */

/* Make one directory level; fine if it already is a directory. */
static int make_one(const char *path)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno != EEXIST)
		return errno;
	if (stat(path, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

clv_status outfile_make_dir(const char *dir, clv_error *err)
{
	clv_status rc = CLV_OK;
	char *path = NULL, *p;
	int e = 0;

	if (dir == NULL || dir[0] == '\0')
		return diag_set(err, CLV_ERR_USAGE, NULL, "empty output directory name");
	path = strdup(dir);
	if (path == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	for (p = path + 1; *p != '\0' && e == 0; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		e = make_one(path);
		*p = '/';
	}
	if (e == 0)
		e = make_one(path);
	if (e != 0)
		rc = diag_set_file(err, CLV_ERR_IO, dir, "cannot make directory: %s", strerror(e));
	free(path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Groups.                                                              */

struct outfile_group {
	char *dir;
	outfile **member;
	size_t n, cap;
	outfile_group_hook hook; /* run under the lock before the renames */
	void *hook_ctx;
};

outfile_group *outfile_group_create(const char *dir, clv_error *err)
{
	outfile_group *g = calloc(1, sizeof *g);

	if (g != NULL)
		g->dir = strdup(dir != NULL && dir[0] != '\0' ? dir : ".");
	if (g == NULL || g->dir == NULL) {
		free(g);
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	return g;
}

const char *outfile_group_dir(const outfile_group *g)
{
	return g->dir;
}

static void abort_members(outfile_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		outfile_abort(g->member[i]);
	g->n = 0;
}

void outfile_group_free(outfile_group *g)
{
	if (g == NULL)
		return;
	abort_members(g);
	free(g->member);
	free(g->dir);
	free(g);
}

/* Room for one more member. */
static clv_status grow(outfile_group *g, clv_error *err)
{
	size_t cap;
	outfile **m;

	if (g->n < g->cap)
		return CLV_OK;
	cap = g->cap ? 2 * g->cap : 8;
	m = realloc(g->member, cap * sizeof *m);
	if (m == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	g->member = m;
	g->cap = cap;
	return CLV_OK;
}

static outfile *add(outfile_group *g, const char *name, clv_error *err)
{
	outfile *o;

	if (grow(g, err) != CLV_OK)
		return NULL;
	o = outfile_open(g->dir, name, err);
	if (o != NULL)
		g->member[g->n++] = o;
	return o;
}

FILE *outfile_group_add(outfile_group *g, const char *name, clv_error *err)
{
	outfile *o = add(g, name, err);

	return o != NULL ? o->f : NULL;
}

const char *outfile_group_add_external(outfile_group *g, const char *name, clv_error *err)
{
	outfile *o = add(g, name, err);

	if (o == NULL)
		return NULL;
	outfile_close_stream(o); /* the temp stays on disk */
	return o->temp_path;
}

/* Index of the member called name (by its final path's last part), or n. */
static size_t member_index(const outfile_group *g, const char *name)
{
	size_t i;

	for (i = 0; i < g->n; i++) {
		const char *slash = strrchr(g->member[i]->final_path, '/');
		if (strcmp(slash != NULL ? slash + 1 : g->member[i]->final_path, name) == 0)
			return i;
	}
	return g->n;
}

const char *outfile_group_temp(const outfile_group *g, const char *name)
{
	size_t i = member_index(g, name);

	return i < g->n ? g->member[i]->temp_path : NULL;
}

void outfile_group_drop(outfile_group *g, const char *name)
{
	size_t i = member_index(g, name);

	if (i == g->n)
		return;
	outfile_abort(g->member[i]);
	memmove(g->member + i, g->member + i + 1, (g->n - i - 1) * sizeof *g->member);
	g->n--;
}

size_t outfile_group_count(const outfile_group *g)
{
	return g->n;
}

const char *outfile_group_name_at(const outfile_group *g, size_t i)
{
	const char *slash;

	if (i >= g->n)
		return NULL;
	slash = strrchr(g->member[i]->final_path, '/');
	return slash != NULL ? slash + 1 : g->member[i]->final_path;
}

const char *outfile_group_temp_at(const outfile_group *g, size_t i)
{
	return i < g->n ? g->member[i]->temp_path : NULL;
}

void outfile_group_set_hook(outfile_group *g, outfile_group_hook fn, void *ctx)
{
	g->hook = fn;
	g->hook_ctx = ctx;
}

clv_status outfile_group_finish(outfile_group *g, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t i;

	for (i = 0; i < g->n && rc == CLV_OK; i++)
		rc = finish(g->member[i], err);
	if (rc != CLV_OK)
		abort_members(g);
	return rc;
}

clv_status outfile_group_commit(outfile_group *g, clv_error *err)
{
	clv_status rc = outfile_group_finish(g, err);
	dirlock *lock = NULL;
	size_t i;

	if (rc == CLV_OK && g->n > 0 && (lock = dirlock_take(g->dir, err)) == NULL)
		rc = err->status;
	if (lock != NULL && g->hook != NULL && (rc = g->hook(g, g->hook_ctx, err)) != CLV_OK) {
		dirlock_release(lock); /* nothing renamed */
		lock = NULL;
	}
	for (i = 0; i < g->n && lock != NULL; i++) {
		clv_status one = install(g->member[i], err);
		if (rc == CLV_OK)
			rc = one;
	}
	dirlock_release(lock);
	abort_members(g);
	return rc;
}
