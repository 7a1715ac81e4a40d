/*
 * test_faults.c - faults the first hardening missed (issue: a full disk,
 * signals while plotting, hangs, silent truncation, concurrent writers),
 * end to end: the built binary run as a child process, as test_cli.c
 * does (same method and helpers).
 *
 * What is checked: help, version and results written into /dev/full
 * (exit 1, one message); `run --out` failures reported (a file, a
 * dangling symlink, a read-only folder, a disk that fills during the
 * tables); a full disk while drawing (exit 1 naming the figure and
 * ENOSPC, the earlier tables and figures byte for byte; a 1 MiB tmpfs,
 * skipped where mounting is not allowed); SIGTERM while the tables are
 * written and SIGINT while gnuplot draws (exit 130 with the message,
 * gnuplot gone, the folder as it was); eight concurrent runs into one
 * folder, five times, never mixing their groups; a Dirichlet row that
 * hung `tornado` refused at once; numeric edges (tests/data/edges) that
 * every command accepts, and refusals that every command makes as
 * `check` does, with the same place.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clvsim.h"
#include "test_helpers.h"

extern char **environ;

/* A child still running after this many seconds has hung: killed, failed. */
#define CHILD_DEADLINE_S 60.0

#define DATA "tests/data/cli/"

/* The suite's temporary folder (mkdtemp), the file that catches the
   stderr of a child spawned by hand (stdout on /dev/full), and the
   binary under test. */
static char tmp_dir[64], err_file[128];
static const char *binary;

/* A child run by test_helpers.h: exit status, stdout and stderr. */
typedef th_child child;

/* ------------------------------------------------------------------ */
/* Helpers: files and folders.                                         */

/* tmp_dir/name, in one of 8 rotating buffers (a test uses at most 3). */
static char *tmp_path(const char *name)
{
	static char path[8][256];
	static int next;
	char *p = path[next++ % 8];

	snprintf(p, sizeof path[0], "%s/%s", tmp_dir, name);
	return p;
}

/* A fresh, empty folder tmp_dir/name; returns its path. */
static char *fresh_dir(const char *name)
{
	char *p = tmp_path(name);

	th_rm_tree(p);
	assert_int_equal(mkdir(p, 0700), 0);
	return p;
}

/* ------------------------------------------------------------------ */
/* Helpers: children.                                                  */

/* posix_spawn takes char *const argv[]; it does not write the strings. */
static char *unconst(const char *s)
{
	union {
		const char *c;
		char *m;
	} u;

	u.c = s;
	return u.m;
}

static void finish_within(pid_t pid, child *c, double seconds)
{
	th_collect(pid, c, seconds);
}

#define RUN(c, ...) TH_RUN((c), __VA_ARGS__)

/* A usage or input failure: exit 2, a message on stderr, nothing on stdout. */
static void expect_refusal(const child *c)
{
	th_expect_exit(c, CLV_EXIT_INPUT);
	assert_true(c->err_len > 0);
	assert_int_equal(c->out_len, 0);
}

/* ------------------------------------------------------------------ */
/* Set-up.                                                             */

static int suite_setup(void **state)
{
	(void)state;
	binary = th_binary();
	if (access(binary, X_OK) != 0) {
		fprintf(stderr, "test_faults: no executable %s (set CLVSIM)\n", binary);
		return -1;
	}
	/* The gnuplot scripts, wherever the binary was built. */
	setenv("CLVSIM_PLOTS_DIR", "plots", 0);
	snprintf(tmp_dir, sizeof tmp_dir, "/tmp/clvsim-test-faults-XXXXXX");
	if (mkdtemp(tmp_dir) == NULL)
		return -1;
	snprintf(err_file, sizeof err_file, "%s/.stderr", tmp_dir);
	return 0;
}

static int suite_teardown(void **state)
{
	static const char *const mounts[] = {"full-disk", "tiny-disk", "read-only"};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof mounts / sizeof mounts[0]; k++) /* a failed test's tmpfs */
		umount2(tmp_path(mounts[k]), MNT_DETACH);
	th_rm_tree(tmp_dir);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Standard output on a full disk.                                     */

/* Exit status of `binary args...` with stdout on /dev/full (a full
   disk); stderr into err_file. */
static int exit_into_full(const char *const *args)
{
	char *argv[8];
	posix_spawn_file_actions_t fa;
	int i, status = 0;
	pid_t pid;

	argv[0] = unconst(binary);
	for (i = 0; args[i] != NULL && i < 6; i++)
		argv[i + 1] = unconst(args[i]);
	argv[i + 1] = NULL;
	assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/full", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_int_equal(posix_spawn(&pid, binary, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Help, version and results written into a full disk: exit 1 and one
   message, never 0. */
static void test_stdout_full(void **state)
{
	static const char *const cases[][4] = {
		{"--help", NULL}, {"--version", NULL}, {"run", "--help", NULL},
		{"check", DATA "small.yaml", NULL}, {"exact", DATA "small.yaml", NULL},
	};
	size_t k;

	(void)state;
	if (access("/dev/full", W_OK) != 0)
		skip();
	for (k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		char *err, *first;
		assert_int_equal(exit_into_full(cases[k]), CLV_EXIT_RUNTIME);
		err = th_read_file(err_file, NULL);
		first = strstr(err, "clvsim: error: cannot write to standard output");
		assert_non_null(first);
		assert_null(strstr(first + 1, "clvsim: error:")); /* said once */
		free(err);
	}
}

/* "FILE:LINE:COLUMN:" on stderr, LINE as given, COLUMN a positive number. */
static void expect_place(const char *err, const char *file, int line)
{
	char head[256];
	const char *p;
	int col = 0, used = 0;

	snprintf(head, sizeof head, "%s:%d:", file, line);
	p = strstr(err, head);
	if (p == NULL)
		fprintf(stderr, "no '%s' in:\n%s\n", head, err);
	assert_non_null(p);
	assert_int_equal(sscanf(p + strlen(head), "%d:%n", &col, &used), 1);
	assert_true(col >= 1);
	assert_true(used > 0);
}

#define REFUSAL_DEADLINE_S 10.0

/* A Dirichlet row whose tornado marginal looped for ever in GSL is
   refused at once, by check and by tornado, with its place. */
static void test_tornado_dirichlet_refused(void **state)
{
	child c = {0};
	const char *bad = "tests/data/bad/dirichlet_concentration.yaml";

	(void)state;
	finish_within(th_spawn((const char *const[]){"tornado", bad, "--quiet", NULL}), &c,
	              REFUSAL_DEADLINE_S);
	expect_refusal(&c);
	expect_place(c.err, bad, 6);
	assert_non_null(strstr(c.err, "100000"));
	th_child_free(&c);
}

/* ------------------------------------------------------------------ */
/* Faults: failing --out, full disks, signals at set moments, writers  */
/* in parallel.                                                        */

/* A failure of --out: exit 1, one "clvsim: error:" naming `what`, no
   results on stdout. */
static void expect_out_failure(const child *c, const char *what)
{
	th_expect_exit(c, CLV_EXIT_RUNTIME);
	assert_int_equal(c->out_len, 0);
	assert_int_equal(strncmp(c->err, "clvsim: error: ", 15), 0);
	if (strstr(c->err, what) == NULL)
		fail_msg("the message does not name %s: %s", what, c->err);
}

/* --out onto a regular file, a dangling symlink, a read-only folder and a
   disk that fills while the tables are written: each an error message. */
static void test_run_out_failures_reported(void **state)
{
	child c = {0};
	char *file = tmp_path("plain-file"), *link = tmp_path("dangling");
	char *ro = fresh_dir("read-only"), *tiny = fresh_dir("tiny-disk"), *names;
	bool mounted;

	(void)state;
	th_write_file(file, "x\n");
	unlink(link);
	assert_int_equal(symlink("/nonexistent-clvsim/out", link), 0);
	RUN(&c, "run", DATA "small.yaml", "--out", file, "--plot", "none", "--quiet");
	expect_out_failure(&c, "plain-file");
	th_child_free(&c);
	RUN(&c, "run", DATA "small.yaml", "--out", link, "--plot", "none", "--quiet");
	expect_out_failure(&c, "dangling");
	th_child_free(&c);
	/* root ignores permission bits: a read-only mount is needed */
	mounted = geteuid() == 0 && mount("tmpfs", ro, "tmpfs", MS_RDONLY, "size=16k") == 0;
	if (geteuid() != 0)
		assert_int_equal(chmod(ro, 0555), 0);
	if (mounted || geteuid() != 0) {
		RUN(&c, "run", DATA "small.yaml", "--out", ro, "--plot", "none", "--quiet");
		expect_out_failure(&c, "read-only/share.csv");
		th_child_free(&c);
	}
	if (mounted)
		umount(ro);
	chmod(ro, 0700);
	if (mount("tmpfs", tiny, "tmpfs", 0, "size=64k") != 0)
		return; /* not root: the disk-full case needs a small file system */
	RUN(&c, "run", DATA "long_table.yaml", "--out", tiny, "--plot", "none", "--quiet");
	expect_out_failure(&c, "tiny-disk/share.csv");
	assert_non_null(strstr(c.err, strerror(ENOSPC)));
	th_child_free(&c);
	names = th_list_dir(tiny);
	assert_string_equal(names, "");
	free(names);
	umount(tiny);
}

/* The bytes of dir/name (owned), or fail. */
static char *read_in(const char *dir, const char *name, size_t *len)
{
	char path[512];
	char *text;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	text = th_read_file(path, len);
	if (text == NULL)
		fail_msg("missing %s", path);
	return text;
}

/* Every file of dir, concatenated with its name (owned): a fingerprint. */
static char *snapshot(const char *dir, size_t *len)
{
	char *names = th_list_dir(dir), *name, *end, *all = NULL;
	size_t total = 0;

	for (name = names; *name != '\0'; name = end + 1) {
		size_t n;
		char *text;
		end = strchr(name, '\n');
		*end = '\0';
		text = read_in(dir, name, &n);
		all = realloc(all, total + strlen(name) + 1 + n);
		assert_non_null(all);
		memcpy(all + total, name, strlen(name) + 1);
		memcpy(all + total + strlen(name) + 1, text, n);
		total += strlen(name) + 1 + n;
		free(text);
	}
	free(names);
	*len = total;
	return all;
}

/* Fill the file system of dir but `room` bytes. */
static void fill_but(const char *dir, long room)
{
	char filler[1024];
	struct statvfs v;
	int fd;

	assert_int_equal(statvfs(dir, &v), 0);
	snprintf(filler, sizeof filler, "%.900s/../filler-%d", dir, (int)getpid());
	fd = open(filler, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(posix_fallocate(fd, 0, (long long)v.f_bavail * (long long)v.f_frsize - room), 0);
	close(fd);
}

/* A full disk while drawing: gnuplot cuts the PNG and exits 0; clvsim
   exits 1 naming the figure and the cause, and the earlier group (tables
   and figures) is left byte for byte. Needs gnuplot and a tmpfs. */
static void test_run_full_disk_keeps_group(void **state)
{
	child c = {0};
	char *mnt = fresh_dir("full-disk"), out[512], *before, *after;
	size_t len_before, len_after;

	(void)state;
	if (access("/usr/bin/gnuplot", X_OK) != 0 || mount("tmpfs", mnt, "tmpfs", 0, "size=1m") != 0)
		skip();
	snprintf(out, sizeof out, "%s/out", mnt);
	RUN(&c, "run", "scenarios/textbook.yaml", "--out", out, "--quiet", "--replications", "20",
	    "--customers", "2000");
	th_expect_exit(&c, 0);
	th_child_free(&c);
	before = snapshot(out, &len_before);
	fill_but(out, 40 * 1024); /* the tables fit, the figures do not */
	RUN(&c, "run", "scenarios/textbook.yaml", "--out", out, "--quiet", "--replications", "20",
	    "--customers", "2000", "--seed", "7");
	expect_out_failure(&c, ".png");
	assert_non_null(strstr(c.err, strerror(ENOSPC)));
	th_child_free(&c);
	after = snapshot(out, &len_after);
	assert_int_equal(len_after, len_before);
	assert_memory_equal(after, before, len_before);
	free(before);
	free(after);
	assert_int_equal(umount(mnt), 0);
}

/* pid of a gnuplot child of parent, or 0. */
static pid_t gnuplot_child(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d != NULL && found == 0 && (e = readdir(d)) != NULL) {
		char path[300], *text, *close_paren;
		int ppid = 0;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		if ((text = th_read_file(path, NULL)) == NULL)
			continue;
		close_paren = strrchr(text, ')');
		if (close_paren != NULL && sscanf(close_paren + 2, "%*c %d", &ppid) == 1 &&
		    ppid == (int)parent && strstr(text, "(gnuplot)") != NULL)
			found = (pid_t)atoi(e->d_name);
		free(text);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/* Whether dir holds a temp whose name starts with prefix (".share."). */
static bool has_temp(const char *dir, const char *prefix)
{
	char *names = th_list_dir(dir);
	char *hit = strstr(names, prefix);
	bool found = hit != NULL && (hit == names || hit[-1] == '\n');

	free(names);
	return found;
}

/* Start a run of long_table.yaml into dir (its earlier share.csv given);
   wait for `ready` (polled every 10 ms), send sig, expect exit 130 with
   the message within `seconds`, and dir as it was. */
static void signal_run_when(const char *dir, const char *plot, int sig,
                            bool (*ready)(pid_t pid, const char *dir), double seconds)
{
	child c = {0};
	char earlier[512], *names, *text;
	double deadline = th_now() + CHILD_DEADLINE_S;
	pid_t pid;

	snprintf(earlier, sizeof earlier, "%s/share.csv", dir);
	th_write_file(earlier, "earlier\n");
	pid = th_spawn((const char *const[]){"run", DATA "long_table.yaml", "--out", dir, "--plot", plot,
	                                  "--quiet", NULL});
	while (!ready(pid, dir) && th_now() < deadline && th_catches_sigint(pid) >= 0)
		th_sleep(0.01);
	assert_true(th_catches_sigint(pid) == 1);
	assert_int_equal(kill(pid, sig), 0);
	finish_within(pid, &c, seconds);
	th_expect_exit(&c, CLV_EXIT_INTERRUPTED);
	assert_non_null(strstr(c.err, "interrupted: no results written"));
	assert_int_equal(c.out_len, 0);
	names = th_list_dir(dir);
	assert_string_equal(names, "share.csv\n");
	text = th_read_file(earlier, NULL);
	assert_string_equal(text, "earlier\n");
	free(names);
	free(text);
	th_child_free(&c);
}

static bool writing_tables(pid_t pid, const char *dir)
{
	(void)pid;
	return has_temp(dir, ".share.");
}

static bool drawing(pid_t pid, const char *dir)
{
	(void)dir;
	return gnuplot_child(pid) != 0;
}

/* SIGTERM while the 37 MB share table is being written: exit 130 with the
   message, nothing replaced. */
static void test_signal_during_tables(void **state)
{
	(void)state;
	signal_run_when(fresh_dir("signal-tables"), "none", SIGTERM, writing_tables,
	                CHILD_DEADLINE_S);
}

/* SIGINT while gnuplot draws the 600,000-row fan chart (tens of seconds
   of work): gnuplot is killed, the group's temps removed, exit 130 long
   before gnuplot could have finished (the deadline is generous for a
   loaded machine; the stop itself takes milliseconds). */
static void test_signal_during_plotting(void **state)
{
	char *dir = fresh_dir("signal-plot");
	pid_t gp;

	(void)state;
	if (access("/usr/bin/gnuplot", X_OK) != 0)
		skip();
	signal_run_when(dir, "png", SIGINT, drawing, 5.0);
	gp = gnuplot_child(getpid());
	assert_int_equal(gp, 0);
}

/* Eight runs of different seeds into one --out, five times over: each
   time the three tables come from one run (the reference run of some
   seed, alone in its own folder), never a mix. (tests/test_outfile.c
   proves the lock itself deterministically: this is the end-to-end view.) */
#define WRITERS 8
#define ROUNDS 5

static void test_concurrent_writers(void **state)
{
	static const char *const files[] = {"share.csv", "clv.csv", "clv_hist.csv",
	                                    "replications.csv"};
	char *shared = fresh_dir("shared"), ref[WRITERS][256], seed[WRITERS][8];
	char *want[WRITERS][4], *names;
	size_t len[WRITERS][4];
	int k, r, f;

	(void)state;
	for (k = 0; k < WRITERS; k++) {
		child c = {0};
		snprintf(seed[k], sizeof seed[k], "%d", k + 1);
		snprintf(ref[k], sizeof ref[k], "%s", fresh_dir(seed[k]));
		RUN(&c, "run", DATA "small.yaml", "--seed", seed[k], "--out", ref[k], "--plot", "none",
		    "--quiet", "--threads", "1", "--customers", "300", "--replications", "3");
		th_expect_exit(&c, 0);
		th_child_free(&c);
		for (f = 0; f < 4; f++)
			want[k][f] = read_in(ref[k], files[f], &len[k][f]);
	}
	for (r = 0; r < ROUNDS; r++) {
		pid_t pid[WRITERS];
		int status, from = -1;
		for (k = 0; k < WRITERS; k++) {
			char *argv[] = {unconst(binary), unconst("run"), unconst(DATA "small.yaml"),
			                unconst("--seed"), seed[k], unconst("--out"), shared,
			                unconst("--plot"), unconst("none"), unconst("--quiet"),
			                unconst("--threads"), unconst("1"), unconst("--customers"),
			                unconst("300"), unconst("--replications"), unconst("3"), NULL};
			posix_spawn_file_actions_t fa;
			assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
			posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
			assert_int_equal(posix_spawn(&pid[k], binary, &fa, NULL, argv, environ), 0);
			posix_spawn_file_actions_destroy(&fa);
		}
		for (k = 0; k < WRITERS; k++) {
			assert_int_equal(waitpid(pid[k], &status, 0), pid[k]);
			assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		}
		for (f = 0; f < 4; f++) {
			size_t n;
			char *got = read_in(shared, files[f], &n);
			int who = -1;
			for (k = 0; k < WRITERS && who < 0; k++)
				if (n == len[k][f] && memcmp(got, want[k][f], n) == 0)
					who = k;
			free(got);
			if (who < 0 || (from >= 0 && who != from))
				fail_msg("round %d: %s is from seed %d, the tables before it from seed %d",
				         r, files[f], who + 1, from + 1);
			from = who;
		}
		{ /* the manifest is the same writer's: its seed */
			size_t man_len;
			char *man = read_in(shared, "manifest.json", &man_len), key[64];
			snprintf(key, sizeof key, "\"seed\": %s,", seed[from]);
			if (strstr(man, key) == NULL)
				fail_msg("round %d: manifest.json is not from seed %s's writer", r, seed[from]);
			free(man);
		}
		names = th_list_dir(shared);
		assert_string_equal(names, "clv.csv\nclv_hist.csv\nmanifest.json\nreplications.csv\nshare.csv\n");
		free(names);
	}
	for (k = 0; k < WRITERS; k++)
		for (f = 0; f < 4; f++)
			free(want[k][f]);
}

/* Numeric edges (tests/data/edges): what `check` accepts, `exact`, `run`,
   `tornado` and `compare` accept too; and what they refuse (the bad
   corpus), `check` refuses first, with the same message and place. */
static void expect_all_accept(const char *path)
{
	const char *const cmds[][5] = {
		{"check", path, NULL}, {"exact", path, NULL}, {"run", path, "--quiet", NULL},
		{"tornado", path, "--quiet", NULL}, {"compare", path, path, "--quiet", NULL},
	};
	size_t k;

	for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		child c = {0};
		th_run(&c, cmds[k]);
		/* tornado refuses a scenario with nothing uncertain, by design */
		if (c.code != 0 && !(strcmp(cmds[k][0], "tornado") == 0 && c.code == 2 &&
		                     strstr(c.err, "has no uncertain assumption to rank") != NULL))
			fail_msg("`clvsim %s %s` exits %d: %s", cmds[k][0], path, c.code, c.err);
		th_child_free(&c);
	}
}

static void expect_all_refuse_as_check(const char *path)
{
	child check = {0};
	const char *const cmds[][4] = {
		{"exact", path, NULL}, {"run", path, "--quiet", NULL}, {"tornado", path, "--quiet", NULL},
	};
	size_t k;

	RUN(&check, "check", path);
	assert_true(check.code != 0);
	for (k = 0; k < sizeof cmds / sizeof cmds[0]; k++) {
		child c = {0};
		th_run(&c, cmds[k]);
		if (c.code != check.code || strcmp(c.err, check.err) != 0)
			fail_msg("`clvsim %s %s`: exit %d, %s\n(check: exit %d, %s)", cmds[k][0], path,
			         c.code, c.err, check.code, check.err);
		th_child_free(&c);
	}
	th_child_free(&check);
}

static void test_commands_agree_with_check(void **state)
{
	static const char *const refused[] = {
		"infinite_rate_tiny", "infinite_rate_low", "infinite_growth_close",
		"infinite_rate_drawn_low", "infinite_annual_month", "correlation_contradiction",
		"correlation_per_customer", "correlation_poisson", "dirichlet_concentration",
	};
	struct dirent **names;
	char path[512];
	int i, seen = 0, n = scandir("tests/data/edges", &names, NULL, alphasort);
	size_t k;

	(void)state;
	for (i = 0; i < n; i++) {
		if (strstr(names[i]->d_name, ".yaml") != NULL) {
			snprintf(path, sizeof path, "tests/data/edges/%s", names[i]->d_name);
			expect_all_accept(path);
			seen++;
		}
		free(names[i]);
	}
	if (n > 0)
		free(names);
	assert_true(seen >= 15);
	for (k = 0; k < sizeof refused / sizeof refused[0]; k++) {
		snprintf(path, sizeof path, "tests/data/bad/%s.yaml", refused[k]);
		expect_all_refuse_as_check(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stdout_full),
		cmocka_unit_test(test_tornado_dirichlet_refused),
		cmocka_unit_test(test_run_out_failures_reported),
		cmocka_unit_test(test_run_full_disk_keeps_group),
		cmocka_unit_test(test_signal_during_tables),
		cmocka_unit_test(test_signal_during_plotting),
		cmocka_unit_test(test_concurrent_writers),
		cmocka_unit_test(test_commands_agree_with_check),
	};

	return cmocka_run_group_tests(tests, suite_setup, suite_teardown);
}
