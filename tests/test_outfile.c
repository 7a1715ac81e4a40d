/*
 * test_outfile.c - atomic output files: commit, abort, failures that must
 * keep an earlier file (disk full, directory gone, read-only directory),
 * signal cleanup of temps, mkdir -p, and groups committed all or nothing.
 *
 * Disk full is made two ways: the stream's descriptor is pointed at
 * /dev/full (always), and a 64 KiB tmpfs (only when mounting is allowed,
 * i.e. as root with CAP_SYS_ADMIN; skipped otherwise).
 *
 * Members written by another program (outfile_group_add_external, as
 * gnuplot writes figures), finishing a group before its commit, and the
 * folder lock (dirlock.h): a second process's commit waits while the
 * lock is held (a forked child, its files absent until the parent
 * releases), and no lock file stays behind.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/dirlock.h"
#include "output/outfile.h"
#include "test_helpers.h"

/* A fresh empty directory per test, removed with what it holds. */
static int make_tmpdir(void **state)
{
	*state = th_tmpdir("test-outfile");
	return 0;
}

static int drop_tmpdir(void **state)
{
	th_tmpdir_remove(*state);
	return 0;
}

/* Number of entries in dir; *hidden gets how many start with '.'. */
static int count_entries(const char *dir, int *hidden)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	*hidden = 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		*hidden += e->d_name[0] == '.';
	}
	closedir(d);
	return n;
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void assert_content(const char *dir, const char *name, const char *text)
{
	char path[4096], buf[256] = {0};
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	assert_int_equal(n, strlen(text));
	assert_string_equal(buf, text);
}

/* Point the stream's descriptor at /dev/full: every write fails ENOSPC. */
static void make_full(FILE *f)
{
	int fd = open("/dev/full", O_WRONLY);

	assert_true(fd >= 0);
	assert_true(dup2(fd, fileno(f)) >= 0);
	close(fd);
}

static void commit_creates_file(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o = outfile_open(dir, "share.csv", &err);
	struct stat st;
	int hidden, n;
	const char *tmp;

	assert_non_null(o);
	tmp = strrchr(outfile_temp_path(o), '/') + 1;
	/* ".share.XXXXXX.csv": hidden, keeps the extension */
	assert_int_equal(strncmp(tmp, ".share.", 7), 0);
	assert_string_equal(tmp + strlen(tmp) - 4, ".csv");
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 1);
	fputs("a,b\n1,2\n", outfile_stream(o));
	assert_int_equal(outfile_commit(o, &err), CLV_OK);
	assert_content(dir, "share.csv", "a,b\n1,2\n");
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 0);
	/* mode as for a plain file under umask 022 (set in main) */
	n = 0;
	{
		char path[4096];
		snprintf(path, sizeof path, "%s/share.csv", dir);
		n = stat(path, &st);
	}
	assert_int_equal(n, 0);
	assert_int_equal(st.st_mode & 0777, 0644);
}

static void commit_replaces_earlier(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o;

	write_file(dir, "clv.csv", "old\n");
	o = outfile_open(dir, "clv.csv", &err);
	assert_non_null(o);
	fputs("new\n", outfile_stream(o));
	assert_content(dir, "clv.csv", "old\n"); /* not yet */
	assert_int_equal(outfile_commit(o, &err), CLV_OK);
	assert_content(dir, "clv.csv", "new\n");
}

static void abort_leaves_nothing(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o = outfile_open(dir, "x.csv", &err);
	int hidden;

	assert_non_null(o);
	fputs("partial", outfile_stream(o));
	outfile_abort(o);
	assert_int_equal(count_entries(dir, &hidden), 0);
	outfile_abort(NULL); /* no-op */
	assert_int_equal(outfile_commit(NULL, &err), CLV_OK);
}

static void abort_keeps_earlier(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o;
	int hidden;

	write_file(dir, "x.csv", "earlier\n");
	o = outfile_open(dir, "x.csv", &err);
	assert_non_null(o);
	fputs("replacement that is dropped\n", outfile_stream(o));
	outfile_abort(o);
	assert_content(dir, "x.csv", "earlier\n");
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 0);
}

static void nonexistent_dir_fails(void **state)
{
	char dir[4200];
	clv_error err = {0};

	snprintf(dir, sizeof dir, "%s/missing", (const char *)*state);
	assert_null(outfile_open(dir, "x.csv", &err));
	assert_int_equal(err.status, CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "missing/x.csv"));
	assert_non_null(strstr(err.msg, strerror(ENOENT)));
}

static void dir_removed_before_commit_fails(void **state)
{
	char dir[4200];
	clv_error err = {0};
	outfile *o;

	snprintf(dir, sizeof dir, "%s/gone", (const char *)*state);
	assert_int_equal(mkdir(dir, 0777), 0);
	o = outfile_open(dir, "x.csv", &err);
	assert_non_null(o);
	fputs("data\n", outfile_stream(o));
	assert_int_equal(unlink(outfile_temp_path(o)), 0); /* the directory is empty */
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(outfile_commit(o, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "gone/x.csv"));
}

static void read_only_dir_fails(void **state)
{
	char dir[4200];
	clv_error err = {0};
	bool mounted = false;

	snprintf(dir, sizeof dir, "%s/ro", (const char *)*state);
	assert_int_equal(mkdir(dir, 0777), 0);
	if (geteuid() == 0) {
		/* root ignores permission bits: a read-only mount is needed */
		mounted = mount("tmpfs", dir, "tmpfs", MS_RDONLY, "size=16k") == 0;
		if (!mounted)
			skip();
	} else {
		assert_int_equal(chmod(dir, 0555), 0);
	}
	assert_null(outfile_open(dir, "x.csv", &err));
	assert_int_equal(err.status, CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "ro/x.csv"));
	if (mounted)
		umount(dir);
	chmod(dir, 0755);
}

static void disk_full_keeps_earlier(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o;
	int hidden, i;

	write_file(dir, "share.csv", "earlier\n");
	o = outfile_open(dir, "share.csv", &err);
	assert_non_null(o);
	make_full(outfile_stream(o));
	for (i = 0; i < 10000; i++) /* well past the stdio buffer */
		fprintf(outfile_stream(o), "%d,0.5\n", i);
	assert_int_equal(outfile_commit(o, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "share.csv"));
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	assert_content(dir, "share.csv", "earlier\n");
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 0);
}

/* The last write sits in the stdio buffer: the failure shows at commit. */
static void disk_full_on_flush(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile *o = outfile_open(dir, "a.csv", &err);
	int hidden;

	assert_non_null(o);
	make_full(outfile_stream(o));
	fputs("small\n", outfile_stream(o));
	assert_int_equal(outfile_commit(o, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	assert_int_equal(count_entries(dir, &hidden), 0);
}

static void tiny_tmpfs_full(void **state)
{
	char dir[4200];
	clv_error err = {0};
	outfile *o;
	int hidden, i;

	snprintf(dir, sizeof dir, "%s/tiny", (const char *)*state);
	assert_int_equal(mkdir(dir, 0777), 0);
	if (mount("tmpfs", dir, "tmpfs", 0, "size=64k") != 0)
		skip(); /* not root or no CAP_SYS_ADMIN: /dev/full tests cover it */
	write_file(dir, "clv.csv", "earlier\n");
	o = outfile_open(dir, "clv.csv", &err);
	assert_non_null(o);
	for (i = 0; i < 40000; i++) /* about 300 KB into 64 KB */
		fprintf(outfile_stream(o), "%d,%d\n", i, i);
	assert_int_equal(outfile_commit(o, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "tiny/clv.csv"));
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	assert_content(dir, "clv.csv", "earlier\n");
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 0);
	assert_int_equal(umount(dir), 0);
}

static void many_open_then_aborted_leave_nothing(void **state)
{
	const char *dir = *state;
	outfile *o[200];
	clv_error err = {0};
	char name[32];
	int i, hidden;

	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "f%d.csv", i);
		o[i] = outfile_open(dir, name, &err);
		assert_non_null(o[i]);
		fputs("x\n", outfile_stream(o[i]));
	}
	assert_int_equal(count_entries(dir, &hidden), 200);
	for (i = 0; i < 200; i++)
		outfile_abort(o[i]);
	assert_int_equal(count_entries(dir, &hidden), 0);
}

static void bad_names_refused(void **state)
{
	clv_error err = {0};

	assert_null(outfile_open(*state, "a/b.csv", &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	diag_clear(&err);
	assert_null(outfile_open(*state, "..", &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
	diag_clear(&err);
	assert_null(outfile_open(*state, "", &err));
	assert_int_equal(err.status, CLV_ERR_USAGE);
}

static void make_dir_nested(void **state)
{
	char dir[4200], file[4300], sub[4400];
	clv_error err = {0};
	struct stat st;

	snprintf(dir, sizeof dir, "%s/a//b/c/", (const char *)*state);
	assert_int_equal(outfile_make_dir(dir, &err), CLV_OK);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(outfile_make_dir(dir, &err), CLV_OK); /* exists: fine */
	snprintf(file, sizeof file, "%s/a/file", (const char *)*state);
	write_file(*state, "a/file", "x");
	assert_int_equal(outfile_make_dir(file, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "a/file"));
	diag_clear(&err);
	snprintf(sub, sizeof sub, "%s/sub", file);
	assert_int_equal(outfile_make_dir(sub, &err), CLV_ERR_IO);
}

static void group_commits_all(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile_group *g = outfile_group_create(dir, &err);
	FILE *a, *b;
	int hidden;

	assert_non_null(g);
	a = outfile_group_add(g, "a.csv", &err);
	b = outfile_group_add(g, "b.csv", &err);
	assert_non_null(a);
	assert_non_null(b);
	fputs("A\n", a);
	fputs("B\n", b);
	assert_int_equal(count_entries(dir, &hidden), 2);
	assert_int_equal(hidden, 2);
	assert_int_equal(outfile_group_commit(g, &err), CLV_OK);
	outfile_group_free(g);
	assert_content(dir, "a.csv", "A\n");
	assert_content(dir, "b.csv", "B\n");
	assert_int_equal(count_entries(dir, &hidden), 2);
	assert_int_equal(hidden, 0);
}

static void group_failure_keeps_earlier_set(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile_group *g;
	FILE *a, *b, *c;
	int hidden;

	write_file(dir, "a.csv", "old A\n");
	write_file(dir, "b.csv", "old B\n");
	write_file(dir, "c.csv", "old C\n");
	g = outfile_group_create(dir, &err);
	assert_non_null(g);
	a = outfile_group_add(g, "a.csv", &err);
	b = outfile_group_add(g, "b.csv", &err);
	c = outfile_group_add(g, "c.csv", &err);
	assert_non_null(c);
	fputs("new A\n", a);
	make_full(b); /* the second file hits a full disk */
	fputs("new B\n", b);
	fputs("new C\n", c);
	assert_int_equal(outfile_group_commit(g, &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "b.csv"));
	outfile_group_free(g);
	assert_content(dir, "a.csv", "old A\n");
	assert_content(dir, "b.csv", "old B\n");
	assert_content(dir, "c.csv", "old C\n");
	assert_int_equal(count_entries(dir, &hidden), 3);
	assert_int_equal(hidden, 0);
}

static void group_free_aborts(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile_group *g = outfile_group_create(dir, &err);
	int hidden;

	assert_non_null(outfile_group_add(g, "a.csv", &err));
	assert_non_null(outfile_group_add(g, "b.csv", &err));
	outfile_group_free(g);
	outfile_group_free(NULL);
	assert_int_equal(count_entries(dir, &hidden), 0);
}

/* A member another program writes by its temp path, beside a table
   finished early so that program can read it; dropping one removes it. */
static void group_external_members(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	outfile_group *g = outfile_group_create(dir, &err);
	const char *fig, *gone;
	FILE *t, *f;
	char buf[16] = {0};
	int hidden;

	assert_non_null(g);
	t = outfile_group_add(g, "t.csv", &err);
	assert_non_null(t);
	fputs("table\n", t);
	assert_int_equal(outfile_group_finish(g, &err), CLV_OK);
	f = fopen(outfile_group_temp(g, "t.csv"), "r"); /* whole before the commit */
	assert_non_null(f);
	assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 6);
	fclose(f);
	assert_string_equal(buf, "table\n");
	assert_null(outfile_group_temp(g, "fig.png"));
	fig = outfile_group_add_external(g, "fig.png", &err);
	gone = outfile_group_add_external(g, "gone.png", &err);
	assert_non_null(fig);
	assert_non_null(gone);
	assert_string_equal(outfile_group_temp(g, "fig.png"), fig);
	f = fopen(fig, "w");
	assert_non_null(f);
	fputs("figure\n", f);
	assert_int_equal(fclose(f), 0);
	outfile_group_drop(g, "gone.png");
	assert_null(outfile_group_temp(g, "gone.png"));
	assert_int_equal(count_entries(dir, &hidden), 2);
	assert_int_equal(outfile_group_commit(g, &err), CLV_OK);
	outfile_group_free(g);
	assert_content(dir, "t.csv", "table\n");
	assert_content(dir, "fig.png", "figure\n");
	assert_int_equal(count_entries(dir, &hidden), 2);
	assert_int_equal(hidden, 0); /* no temp, no lock file */
}

static void nap_s(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* The child of group_commit_waits_for_lock: write a.csv and b.csv of a
   group into dir, say so (a byte on ready), and once told (a byte on go)
   commit them. Its exit status: 0 when committed. */
static void commit_when_told(const char *dir, int ready, int go)
{
	clv_error e = {0};
	outfile_group *g = outfile_group_create(dir, &e);
	FILE *a = g ? outfile_group_add(g, "a.csv", &e) : NULL;
	FILE *b = a ? outfile_group_add(g, "b.csv", &e) : NULL;
	char byte;

	if (b == NULL || write(ready, "!", 1) != 1 || read(go, &byte, 1) != 1)
		_exit(3);
	fputs("child A\n", a);
	fputs("child B\n", b);
	if (outfile_group_commit(g, &e) != CLV_OK) {
		fprintf(stderr, "child: %s\n", e.msg);
		_exit(4);
	}
	_exit(0);
}

/* While this process holds the folder's lock, another process's group
   commit waits: its files appear only after the release. (The child is
   forked before the lock is taken: a forked copy of the lock's
   descriptor would hold the lock too.) */
static void group_commit_waits_for_lock(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	int status = 0, hidden, go[2], ready[2];
	dirlock *lock;
	char byte;
	pid_t pid;

	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		commit_when_told(dir, ready[1], go[0]);
	assert_int_equal(read(ready[0], &byte, 1), 1);
	lock = dirlock_take(dir, &err);
	assert_non_null(lock);
	assert_int_equal(write(go[1], "!", 1), 1);
	nap_s(0.5);
	/* the child's temps and our lock file, but no a.csv or b.csv yet */
	assert_int_equal(count_entries(dir, &hidden), 3);
	assert_int_equal(hidden, 3);
	dirlock_release(lock);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_content(dir, "a.csv", "child A\n");
	assert_content(dir, "b.csv", "child B\n");
	assert_int_equal(count_entries(dir, &hidden), 2);
	assert_int_equal(hidden, 0);
}

/* The lock file goes with the lock; the lock can be taken again. */
static void lock_leaves_no_file(void **state)
{
	const char *dir = *state;
	clv_error err = {0};
	dirlock *a = dirlock_take(dir, &err), *b;
	int hidden;

	assert_non_null(a);
	assert_int_equal(count_entries(dir, &hidden), 1);
	assert_int_equal(hidden, 1);
	dirlock_release(a);
	assert_int_equal(count_entries(dir, &hidden), 0);
	b = dirlock_take(dir, &err);
	assert_non_null(b);
	dirlock_release(b);
	dirlock_release(NULL);
	assert_int_equal(count_entries(dir, &hidden), 0);
	assert_null(dirlock_take("/nonexistent-clvsim-dir", &err));
	assert_int_equal(err.status, CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "/nonexistent-clvsim-dir/" DIRLOCK_NAME));
}

#define T(f) cmocka_unit_test_setup_teardown(f, make_tmpdir, drop_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(commit_creates_file),
		T(commit_replaces_earlier),
		T(abort_leaves_nothing),
		T(abort_keeps_earlier),
		T(nonexistent_dir_fails),
		T(dir_removed_before_commit_fails),
		T(read_only_dir_fails),
		T(disk_full_keeps_earlier),
		T(disk_full_on_flush),
		T(tiny_tmpfs_full),
		
		T(many_open_then_aborted_leave_nothing),
		T(bad_names_refused),
		T(make_dir_nested),
		T(group_commits_all),
		T(group_failure_keeps_earlier_set),
		T(group_free_aborts),
		T(group_external_members),
		T(group_commit_waits_for_lock),
		T(lock_leaves_no_file),
	};

	umask(022);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
