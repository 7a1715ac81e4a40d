/*
 * plot.c - run gnuplot on a figure script, safely, into an atomic output.
 *
 * One figure, step by step (plot_figure):
 *   1. find the script (plot_find_script) and read it;
 *   2. copy each data CSV into a temp file in dir, with every label
 *      column (state, scenario, assumption, level) replaced by a code
 *      1..n and every other field passed through only when it is plain
 *      (no quote, comma or line break: gnuplot 5.4 cannot read quoted
 *      line breaks and cuts quoted text at a comma); collect the names;
 *   3. write a preamble: each variable as `name = '...'`, each label
 *      column as `array lbl_<column>[n] = ['...', ...]`, outfile = the
 *      temp output's path; then the script text;
 *   4. posix_spawnp("gnuplot", {"gnuplot", "-d", "/dev/stdin"}) with the
 *      preamble and script on a pipe as stdin (-d: no ~/.gnuplot; a file
 *      rather than interactive stdin, so the first error stops it),
 *      stdout to /dev/null, stderr to an anonymous temp file;
 *   5. exit status 0 and a non-empty output: commit (rename); otherwise
 *      abort, with gnuplot's stderr in the message.
 *
 * Quoting invariant (why user text cannot run anything): a value is
 * emitted as single-quoted gnuplot strings joined by '.', where each
 * single quote and each control character (< 0x20, 0x7f) is a separate
 * double-quoted octal escape "\ooo" (not the '' escape: gnuplot 5.4
 * misreads it next to another quote, e.g. 'a''''' fails to parse).
 * gnuplot performs no backquote command substitution and no @macro
 * expansion inside single quotes, and a double-quoted string holding only
 * an octal escape has nothing to substitute (gnuplot docs,
 * "substitution"; proved by tests/test_plot.c). The scripts never pass
 * user text to eval, sprintf formats or system().
 * Reference: gnuplot 5.4 manual, "Substitution and Command line macros",
 * "Strings", "Arrays", "set datafile separator".
 */
#include "output/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "output/csv.h"
#include "output/outfile.h"

extern char **environ;

#define INSTALL_HINT "install gnuplot-nox: apt-get install gnuplot-nox"
#define MAX_DATA 4          /* data files per figure */
#define STDERR_SHOWN 600    /* bytes of gnuplot's stderr in a message */

/* ------------------------------------------------------------------ */
/* Formats.                                                             */

static const char *const format_name[] = {"none", "png", "svg", "pdf"};

clv_status plot_parse_format(const char *text, plot_format *out, clv_error *err)
{
	int i;

	for (i = 0; text != NULL && i < 4; i++) {
		if (strcasecmp(text, format_name[i]) == 0) {
			*out = (plot_format)i;
			return CLV_OK;
		}
	}
	return diag_set(err, CLV_ERR_USAGE, NULL, "--plot '%s': expected png, svg, pdf or none",
	                text != NULL ? text : "");
}

const char *plot_format_ext(plot_format fmt)
{
	return fmt == PLOT_NONE ? NULL : format_name[fmt];
}

/* True when an executable `gnuplot` is in one of PATH's directories. */
static bool gnuplot_on_path(void)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, file[PATH_MAX];
	bool found = false;

	copy = strdup(path != NULL ? path : "/bin:/usr/bin");
	if (copy == NULL)
		return false;
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	     dir = strtok_r(NULL, ":", &save)) {
		snprintf(file, sizeof file, "%s/gnuplot", dir[0] ? dir : ".");
		found = access(file, X_OK) == 0;
	}
	free(copy);
	return found;
}

plot_format plot_default_format(void)
{
	return gnuplot_on_path() ? PLOT_PNG : PLOT_NONE;
}

/* ------------------------------------------------------------------ */
/* Script lookup.                                                       */

/* dir/rel/name if readable, malloc'd; else NULL. */
static char *try_script(const char *dir, const char *rel, const char *name)
{
	size_t len = strlen(dir) + strlen(rel) + strlen(name) + 3;
	char *p = malloc(len);

	if (p == NULL)
		return NULL;
	snprintf(p, len, "%s/%s%s%s", dir, rel, rel[0] ? "/" : "", name);
	if (access(p, R_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *plot_find_script(const char *script_name, clv_error *err)
{
	const char *env = getenv("CLVSIM_PLOTS_DIR");
	char exe[PATH_MAX], *slash, *p = NULL;
	ssize_t n;

	if (env != NULL && env[0] != '\0')
		p = try_script(env, "", script_name);
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (p == NULL && n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL)
			*slash = '\0';
		p = try_script(exe, "plots", script_name);
		if (p == NULL)
			p = try_script(exe, "../share/clvsim/plots", script_name);
	}
	if (p == NULL)
		diag_set(err, CLV_ERR_IO, NULL,
		         "cannot find the plot script %s (looked in $CLVSIM_PLOTS_DIR, "
		         "<dir of clvsim>/plots, <dir of clvsim>/../share/clvsim/plots); "
		         "set CLVSIM_PLOTS_DIR to the plots/ directory", script_name);
	return p;
}

/* Whole file as a string (malloc'd), or NULL with err set. */
static char *read_text(const char *path, size_t *len, clv_error *err)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;
	FILE *mem;

	if (f == NULL) {
		diag_set_file(err, CLV_ERR_IO, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	mem = open_memstream(&buf, &cap);
	if (mem != NULL) {
		char chunk[4096];
		size_t got;
		while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
			fwrite(chunk, 1, got, mem);
		fclose(mem);
	}
	if (buf == NULL || ferror(f)) {
		diag_set_file(err, buf ? CLV_ERR_IO : CLV_ERR_NOMEM, path, "cannot read");
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = cap;
	return buf;
}

/* ------------------------------------------------------------------ */
/* Quoting user text as gnuplot string expressions.                    */

/* A byte that goes into a single-quoted piece as it is. */
static bool plain_byte(unsigned char c)
{
	return c >= 0x20 && c != 0x7f && c != '\'';
}

/* Emit s as a gnuplot string expression (see the invariant on top):
   runs of plain bytes in single quotes, every other byte as "\ooo". */
static void gp_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool first = true;

	if (*p == '\0')
		fputs("''", out);
	while (*p != '\0') {
		if (!first)
			putc('.', out);
		first = false;
		if (!plain_byte(*p)) {
			fprintf(out, "\"\\%03o\"", *p++);
			continue;
		}
		putc('\'', out);
		while (plain_byte(*p))
			putc(*p++, out);
		putc('\'', out);
	}
}

/* A path gnuplot opens as a plain file: "./" before a relative one, so
   that '<cmd', '|cmd', '-', '+' or '' cannot be special. */
static void gp_path(FILE *out, const char *path)
{
	if (path[0] == '/') {
		gp_string(out, path);
		return;
	}
	fputs("'./'.", out);
	gp_string(out, path);
}

static bool identifier(const char *s)
{
	const char *p;

	if (s == NULL || !((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (p = s + 1; *p != '\0'; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Label columns: names collected while copying the data.               */

static const char *const label_column[] = {"state", "scenario", "assumption", "level"};
#define N_LABEL_COLUMNS (sizeof label_column / sizeof label_column[0])

typedef struct label_list {
	char **name;
	size_t n, cap;
	size_t last; /* index of the last hit: rows come grouped */
} label_list;

typedef struct labels {
	label_list col[N_LABEL_COLUMNS];
} labels;

static void labels_free(labels *l)
{
	size_t c, i;

	for (c = 0; c < N_LABEL_COLUMNS; c++) {
		for (i = 0; i < l->col[c].n; i++)
			free(l->col[c].name[i]);
		free(l->col[c].name);
	}
}

/* Code (1-based) of text in list, added if new; 0 when out of memory. */
static size_t label_code(label_list *list, const char *text)
{
	size_t i;

	if (list->last < list->n && strcmp(list->name[list->last], text) == 0)
		return list->last + 1;
	for (i = 0; i < list->n; i++)
		if (strcmp(list->name[i], text) == 0)
			return (list->last = i) + 1;
	if (list->n == list->cap) {
		size_t cap = list->cap ? 2 * list->cap : 16;
		char **p = realloc(list->name, cap * sizeof *p);
		if (p == NULL)
			return 0;
		list->name = p;
		list->cap = cap;
	}
	list->name[list->n] = strdup(text);
	if (list->name[list->n] == NULL)
		return 0;
	list->last = list->n;
	return ++list->n;
}

/* Index into label_column of a header name, or -1. */
static int label_index(const char *header)
{
	size_t c;

	for (c = 0; c < N_LABEL_COLUMNS; c++)
		if (strcmp(header, label_column[c]) == 0)
			return (int)c;
	return -1;
}

/* `array lbl_<column>[n] = ['...', ...]` for each column that has names. */
static void labels_preamble(FILE *out, const labels *l)
{
	size_t c, i;

	for (c = 0; c < N_LABEL_COLUMNS; c++) {
		const label_list *list = &l->col[c];
		if (list->n == 0)
			continue;
		fprintf(out, "array lbl_%s[%zu] = [", label_column[c], list->n);
		for (i = 0; i < list->n; i++) {
			if (i)
				fputs(", ", out);
			gp_string(out, list->name[i]);
		}
		fputs("]\n", out);
	}
}

/* ------------------------------------------------------------------ */
/* The gnuplot-safe copy of one data file.                              */

typedef struct copier {
	csv_reader *in;
	FILE *out;
	int *kind;   /* per column: label index, or -1 */
	size_t ncol;
	labels *labels;
} copier;

static clv_status copy_header(copier *c, clv_error *err)
{
	size_t i, n = csv_reader_count(c->in);

	c->kind = malloc((n ? n : 1) * sizeof *c->kind);
	if (c->kind == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	c->ncol = n;
	for (i = 0; i < n; i++) {
		const char *h = csv_reader_field(c->in, i);
		c->kind[i] = label_index(h);
		if (i)
			csv_sep(c->out);
		fputs(csv_needs_quotes(h) ? "" : h, c->out);
	}
	csv_end(c->out);
	return CLV_OK;
}

static clv_status copy_row(copier *c, clv_error *err)
{
	size_t i, n = csv_reader_count(c->in);

	for (i = 0; i < n; i++) {
		const char *f = csv_reader_field(c->in, i);
		if (i)
			csv_sep(c->out);
		if (i < c->ncol && c->kind[i] >= 0) {
			size_t code = label_code(&c->labels->col[c->kind[i]], f);
			if (code == 0)
				return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
			fprintf(c->out, "%zu", code);
		} else if (!csv_needs_quotes(f)) {
			fputs(f, c->out);
		}
	}
	csv_end(c->out);
	return CLV_OK;
}

/* Copy the CSV at path into the stream out, labels coded. */
static clv_status copy_csv(const char *path, FILE *out, labels *l, clv_error *err)
{
	clv_status rc = CLV_OK;
	copier c = {NULL, out, NULL, 0, l};
	FILE *in = fopen(path, "r");
	bool got = true;

	if (in == NULL)
		return diag_set_file(err, CLV_ERR_IO, path, "cannot open: %s", strerror(errno));
	c.in = csv_reader_create(in, path, err);
	if (c.in == NULL) {
		rc = CLV_ERR_NOMEM;
		goto cleanup;
	}
	rc = csv_reader_next(c.in, &got, err);
	if (rc == CLV_OK && got)
		rc = copy_header(&c, err);
	while (rc == CLV_OK && got) {
		rc = csv_reader_next(c.in, &got, err);
		if (rc == CLV_OK && got)
			rc = copy_row(&c, err);
	}
cleanup:
	free(c.kind);
	csv_reader_free(c.in);
	fclose(in);
	return rc;
}

/* dir/name, or name itself when it is absolute (malloc'd). */
static char *in_dir(const char *dir, const char *name)
{
	size_t len;
	char *p;

	if (name[0] == '/' || dir == NULL || dir[0] == '\0')
		return strdup(name);
	len = strlen(dir) + strlen(name) + 2;
	p = malloc(len);
	if (p != NULL)
		snprintf(p, len, "%s/%s", dir, name);
	return p;
}

/* The copy of data file `value` as a temp in dir (aborted by the caller). */
static outfile *make_copy(const char *dir, const char *value, labels *l, clv_error *err)
{
	char *path = in_dir(dir, value);
	const char *base = strrchr(value, '/');
	outfile *copy = NULL;

	if (path == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	copy = outfile_open(dir, base != NULL ? base + 1 : value, err);
	if (copy != NULL && copy_csv(path, outfile_stream(copy), l, err) != CLV_OK) {
		outfile_abort(copy);
		copy = NULL;
	}
	if (copy != NULL && (fflush(outfile_stream(copy)) != 0 || ferror(outfile_stream(copy)))) {
		diag_set_file(err, CLV_ERR_IO, outfile_temp_path(copy), "cannot write: %s",
		              strerror(errno));
		outfile_abort(copy);
		copy = NULL;
	}
	free(path);
	return copy;
}

/* ------------------------------------------------------------------ */
/* Running gnuplot.                                                     */

/* Write all of buf to fd; SIGPIPE is blocked by the caller. 0 or errno. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t k = write(fd, buf, len);
		if (k < 0 && errno == EINTR)
			continue;
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

/* Wait for pid; CLV_OK when it exited with status 0. */
static clv_status reap(pid_t pid, FILE *errf, const char *what, clv_error *err)
{
	char text[STDERR_SHOWN + 1];
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return diag_set(err, CLV_ERR_IO, NULL, "waiting for gnuplot: %s", strerror(errno));
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return CLV_OK;
	read_stderr(errf, text, sizeof text);
	if (WIFSIGNALED(status))
		return diag_set(err, CLV_ERR_IO, NULL, "gnuplot was killed by signal %d drawing %s%s%s",
		                WTERMSIG(status), what, text[0] ? ": " : "", text);
	return diag_set(err, CLV_ERR_IO, NULL, "gnuplot failed drawing %s: %s", what,
	                text[0] ? text : "(no message)");
}

/* Run gnuplot with text on its stdin. what names the figure. */
static clv_status run_gnuplot(const char *text, size_t len, const char *what, clv_error *err)
{
	clv_status rc = CLV_OK;
	FILE *errf = tmpfile();
	int fds[2] = {-1, -1};
	pid_t pid = 0;

	if (errf == NULL || pipe(fds) != 0) {
		rc = diag_set(err, CLV_ERR_IO, NULL, "cannot run gnuplot: %s", strerror(errno));
		goto cleanup;
	}
	/* only the dup2'd copies (0 and 2) reach gnuplot */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	fcntl(fileno(errf), F_SETFD, FD_CLOEXEC);
	rc = spawn_gnuplot(fds[0], fileno(errf), &pid, err);
	close(fds[0]);
	fds[0] = -1;
	if (rc != CLV_OK)
		goto cleanup;
	feed(fds[1], text, len); /* a write error shows as gnuplot's failure */
	close(fds[1]);
	fds[1] = -1;
	rc = reap(pid, errf, what, err);
cleanup:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	if (errf != NULL)
		fclose(errf);
	return rc;
}

/* ------------------------------------------------------------------ */
/* One figure.                                                          */

typedef struct figure_run {
	outfile *copy[MAX_DATA];
	size_t n_copies;
	outfile *out;
	labels labels;
	char *script;
	size_t script_len;
	char *text; /* preamble + script */
	size_t text_len;
} figure_run;

static clv_status check_vars(const plot_var *vars, size_t n_vars, clv_error *err)
{
	size_t i, n_data = 0;

	for (i = 0; i < n_vars; i++) {
		if (!identifier(vars[i].name) || vars[i].value == NULL)
			return diag_set(err, CLV_ERR_USAGE, NULL, "plot variable '%s': not a name",
			                vars[i].name != NULL ? vars[i].name : "");
		n_data += vars[i].kind == PLOT_DATA;
	}
	if (n_data > MAX_DATA)
		return diag_set(err, CLV_ERR_USAGE, NULL, "at most %d data files per figure", MAX_DATA);
	return CLV_OK;
}

static clv_status make_copies(figure_run *r, const char *dir, const plot_var *vars,
                              size_t n_vars, clv_error *err)
{
	size_t i;

	for (i = 0; i < n_vars; i++) {
		if (vars[i].kind != PLOT_DATA)
			continue;
		r->copy[r->n_copies] = make_copy(dir, vars[i].value, &r->labels, err);
		if (r->copy[r->n_copies] == NULL)
			return err->status;
		r->n_copies++;
	}
	return CLV_OK;
}

/* Preamble (variables, label arrays, outfile) and the script, in one text. */
static clv_status build_text(figure_run *r, const plot_var *vars, size_t n_vars,
                             clv_error *err)
{
	FILE *t = open_memstream(&r->text, &r->text_len);
	size_t i, k = 0;

	if (t == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	fputs("# preamble written by clvsim (plot.c)\n", t);
	for (i = 0; i < n_vars; i++) {
		fprintf(t, "%s = ", vars[i].name);
		if (vars[i].kind == PLOT_DATA)
			gp_path(t, outfile_temp_path(r->copy[k++]));
		else
			gp_string(t, vars[i].value);
		putc('\n', t);
	}
	labels_preamble(t, &r->labels);
	fputs("outfile = ", t);
	gp_path(t, outfile_temp_path(r->out));
	fputs("\n# ---- script ----\n", t);
	fwrite(r->script, 1, r->script_len, t);
	fputs("\n", t);
	if (fclose(t) != 0 || r->text == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return CLV_OK;
}

/* The output exists and is not empty. */
static clv_status check_output(const figure_run *r, const char *what, clv_error *err)
{
	struct stat st;

	if (stat(outfile_temp_path(r->out), &st) != 0 || st.st_size == 0)
		return diag_set(err, CLV_ERR_IO, NULL, "gnuplot wrote nothing for %s", what);
	return CLV_OK;
}

clv_status plot_figure(const char *script_name, const char *dir, const plot_var *vars,
                       size_t n_vars, const char *out_name, clv_error *err)
{
	clv_status rc = CLV_OK;
	figure_run r;
	char *script_path = NULL;
	size_t i;

	memset(&r, 0, sizeof r);
	rc = check_vars(vars, n_vars, err);
	if (rc != CLV_OK)
		goto cleanup;
	script_path = plot_find_script(script_name, err);
	if (script_path == NULL) {
		rc = err->status;
		goto cleanup;
	}
	r.script = read_text(script_path, &r.script_len, err);
	if (r.script == NULL) {
		rc = err->status;
		goto cleanup;
	}
	rc = make_copies(&r, dir, vars, n_vars, err);
	if (rc != CLV_OK)
		goto cleanup;
	r.out = outfile_open(dir, out_name, err);
	if (r.out == NULL) {
		rc = err->status;
		goto cleanup;
	}
	rc = build_text(&r, vars, n_vars, err);
	if (rc == CLV_OK)
		rc = run_gnuplot(r.text, r.text_len, out_name, err);
	if (rc == CLV_OK)
		rc = check_output(&r, out_name, err);
	if (rc == CLV_OK) {
		rc = outfile_commit(r.out, err);
		r.out = NULL; /* freed by the commit, whatever its outcome */
	}
cleanup:
	outfile_abort(r.out);
	for (i = 0; i < r.n_copies; i++)
		outfile_abort(r.copy[i]);
	labels_free(&r.labels);
	free(r.script);
	free(r.text);
	free(script_path);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Every figure of a run.                                               */

typedef struct figure {
	const char *script, *stem;
	const char *var[2], *file[2]; /* data variables and their CSV files */
} figure;

static const figure figures[] = {
	{"share_fan.gp", "share_fan", {"datafile", NULL}, {"share.csv", NULL}},
	{"clv_dist.gp", "clv_dist", {"datafile", "clvfile"}, {"clv_hist.csv", "clv.csv"}},
	{"compare.gp", "compare", {"datafile", "difffile"}, {"compare_hist.csv", "compare_diff.csv"}},
	{"compare_decision.gp", "compare_decision", {"datafile", "evppifile"},
	 {"compare_p_best.csv", "compare_evppi.csv"}},
	{"tornado.gp", "tornado", {"datafile", NULL}, {"tornado.csv", NULL}},
	{"spider.gp", "spider", {"datafile", NULL}, {"spider.csv", NULL}},
	{"sweep_line.gp", "sweep_line", {"datafile", NULL}, {"sweep.csv", NULL}},
	{"sweep_heat.gp", "sweep_heat", {"datafile", NULL}, {"sweep2.csv", NULL}},
	{"sweep_diff.gp", "sweep_diff", {"datafile", "bevenfile"},
	 {"sweep_diff.csv", "sweep_breakeven.csv"}},
	{"sweep_diff_heat.gp", "sweep_diff_heat", {"datafile", "contourfile"},
	 {"sweep2_diff.csv", "sweep2_breakeven.csv"}},
	{"solve.gp", "solve", {"datafile", "summaryfile"}, {"solve.csv", "solve_summary.csv"}},
};
#define N_FIGURES (sizeof figures / sizeof figures[0])
#define MAX_TEXT_VARS 16

/* All data files of fig are in dir. */
static bool have_data(const figure *fig, const char *dir)
{
	size_t k;
	bool ok = true;

	for (k = 0; k < 2 && ok && fig->file[k] != NULL; k++) {
		char *path = in_dir(dir, fig->file[k]);
		ok = path != NULL && access(path, R_OK) == 0;
		free(path);
	}
	return ok;
}

static clv_status draw(const figure *fig, const char *dir, const char *ext,
                       const plot_var *text_vars, size_t n_text, clv_error *err)
{
	plot_var vars[MAX_TEXT_VARS + 2];
	char name[64];
	size_t n = 0, k;

	if (n_text > MAX_TEXT_VARS)
		return diag_set(err, CLV_ERR_USAGE, NULL, "at most %d plot variables", MAX_TEXT_VARS);
	for (k = 0; k < 2 && fig->file[k] != NULL; k++)
		vars[n++] = (plot_var){fig->var[k], fig->file[k], PLOT_DATA};
	for (k = 0; k < n_text; k++)
		vars[n++] = text_vars[k];
	snprintf(name, sizeof name, "%s.%s", fig->stem, ext);
	return plot_figure(fig->script, dir, vars, n, name, err);
}

clv_status plot_all(const char *dir, plot_format fmt, const plot_var *text_vars,
                    size_t n_text_vars, size_t *n_drawn, clv_error *err)
{
	clv_status rc = CLV_OK;
	size_t i, drawn = 0;

	for (i = 0; i < N_FIGURES && fmt != PLOT_NONE; i++) {
		clv_error one = {0};
		if (!have_data(&figures[i], dir))
			continue;
		if (draw(&figures[i], dir, plot_format_ext(fmt), text_vars, n_text_vars, &one) == CLV_OK)
			drawn++;
		else if (rc == CLV_OK)
			rc = diag_set(err, one.status, NULL, "%s", one.msg);
	}
	if (n_drawn != NULL)
		*n_drawn = drawn;
	return rc;
}
