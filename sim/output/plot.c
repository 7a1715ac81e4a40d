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
 *   4. run gnuplot on the preamble and script (gnuplot_run.h: no shell,
 *      killed at once on SIGINT/SIGTERM);
 *   5. exit status 0 and a whole figure (figure_check.h): keep it (commit
 *      it, or leave it in the caller's group); otherwise abort, with
 *      gnuplot's stderr or what is missing in the message. A figure cut
 *      short, or a gnuplot failure on a full disk, is a write failure
 *      (fatal: the command fails); any other gnuplot failure is not (the
 *      command warns and keeps its tables).
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
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "output/csv.h"
#include "output/figure_check.h"
#include "output/gnuplot_run.h"
#include "output/outfile.h"
#include "output/plot_legend.h"
#include "scenario/scenario.h"

#define MAX_DATA 4          /* data files per figure */
#define POLL_ROWS 4096      /* rows copied between looks at the interrupt flag */
#define WARNINGS 600        /* bytes of gnuplot's warnings kept */

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

void plot_key_value(const clv_scenario *s, const char *key, char *buf, size_t cap)
{
	clv_error err = {0};
	clv_scenario *copy;
	const clv_param *p;

	if (cap > 0)
		buf[0] = '\0';
	if (s == NULL || key == NULL || key[0] == '\0' || cap == 0)
		return;
	copy = scenario_copy(s, &err); /* the lookup takes a scenario it may edit */
	p = copy != NULL ? scenario_param(copy, key) : NULL;
	if (p != NULL && p->kind == DIST_FIXED)
		snprintf(buf, cap, "%.17g", p->a);
	scenario_free(copy);
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

/* Code (1-based) of text in list, or 0 when it is not there. */
static size_t label_find(const label_list *list, const char *text)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (strcmp(list->name[i], text) == 0)
			return i + 1;
	return 0;
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

/* Copy the CSV at path into the stream out, labels coded; *n_rows gets
   the number of records after the header. */
static clv_status copy_csv(const char *path, FILE *out, labels *l, size_t *n_rows,
                           clv_error *err)
{
	clv_status rc = CLV_OK;
	copier c = {NULL, out, NULL, 0, l};
	FILE *in = fopen(path, "r");
	bool got = true;
	size_t rows;

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
	for (rows = 1; rc == CLV_OK && got; rows++) {
		rc = csv_reader_next(c.in, &got, err);
		if (rc == CLV_OK && got) {
			rc = copy_row(&c, err);
			(*n_rows)++;
		}
		if (rc == CLV_OK && rows % POLL_ROWS == 0 && interrupt_requested())
			rc = diag_set(err, CLV_ERR_INTERRUPTED, NULL, "interrupted: no results written");
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

/* Where data file `value` is read from: the temp of the member of src
   called value (a table not yet committed), else dir/value (malloc'd). */
static char *data_path(const char *dir, const outfile_group *src, const char *value)
{
	const char *temp = src != NULL ? outfile_group_temp(src, value) : NULL;

	return temp != NULL ? strdup(temp) : in_dir(dir, value);
}

/* The copy of data file `value` as a temp in dir (aborted by the caller). */
static outfile *make_copy(const char *dir, const outfile_group *src, const char *value,
                          labels *l, size_t *n_rows, clv_error *err)
{
	char *path = data_path(dir, src, value);
	const char *base = strrchr(value, '/');
	outfile *copy = NULL;

	if (path == NULL) {
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
		return NULL;
	}
	copy = outfile_open(dir, base != NULL ? base + 1 : value, err);
	if (copy != NULL && copy_csv(path, outfile_stream(copy), l, n_rows, err) != CLV_OK) {
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
/* One figure.                                                          */

typedef struct figure_run {
	const outfile_group *src; /* tables read from its temps (or NULL) */
	outfile *copy[MAX_DATA];
	size_t rows[MAX_DATA];    /* data records of each copy */
	size_t n_copies;
	const char *out_path;     /* where gnuplot writes (a temp) */
	labels labels;
	char *script;
	size_t script_len;
	char *text; /* preamble + script */
	size_t text_len;
	bool fatal; /* a write failed (not gnuplot or its script): an error */
	const plot_legend_spec *legend_spec; /* the report's numbers quoted (or NULL) */
	plot_legend legend;
	char warnings[WARNINGS]; /* what gnuplot said on stderr while succeeding */
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
		r->rows[r->n_copies] = 0;
		r->copy[r->n_copies] = make_copy(dir, r->src, vars[i].value, &r->labels,
		                                 &r->rows[r->n_copies], err);
		if (r->copy[r->n_copies] == NULL)
			return err->status;
		r->n_copies++;
	}
	return CLV_OK;
}

/* The terminal of out_name's extension, as the variables every script
   sets its terminal from (`eval 'set terminal ' . terminal_name . ' size
   W,H ' . terminal_options`, sizes in pixels times terminal_scale): the
   scripts choose no terminal of their own, so the same script draws PNG,
   SVG (e.g. for an HTML report) or PDF. */
static void terminal_preamble(FILE *t, const char *out_name)
{
	const char *ext = strrchr(out_name, '.');

	if (ext != NULL && strcasecmp(ext, ".svg") == 0)
		fputs("terminal_name = 'svg'\n"
		      "terminal_options = \"dynamic noenhanced font 'Sans,12' background rgb 'white'\"\n"
		      "terminal_scale = 1\n", t);
	else if (ext != NULL && strcasecmp(ext, ".pdf") == 0)
		fputs("terminal_name = 'pdfcairo'\n"
		      "terminal_options = \"noenhanced font 'Sans,9'\"\n"
		      "terminal_scale = 1 / 96.0\n", t);
	else
		fputs("terminal_name = 'pngcairo'\n"
		      "terminal_options = \"noenhanced font 'Sans,10'\"\n"
		      "terminal_scale = 1\n", t);
}

/* Preamble (variables, label arrays, the report's numbers, terminal,
   outfile) and the script, in one text. */
static clv_status build_text(figure_run *r, const plot_var *vars, size_t n_vars,
                             const char *out_name, clv_error *err)
{
	FILE *t = open_memstream(&r->text, &r->text_len);
	size_t i, k = 0;

	if (t == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	fputs("# preamble written by clvsim (plot.c)\n", t);
	for (i = 0; i < n_vars; i++) {
		/* NAME_rows: the table's records, so that a script need not run
		   `stats` on an empty table (gnuplot warns) */
		if (vars[i].kind == PLOT_DATA)
			fprintf(t, "%s_rows = %zu\n", vars[i].name, r->rows[k]);
		fprintf(t, "%s = ", vars[i].name);
		if (vars[i].kind == PLOT_DATA) {
			gp_path(t, outfile_temp_path(r->copy[k++]));
		} else {
			gp_string(t, vars[i].value);
		}
		putc('\n', t);
	}
	labels_preamble(t, &r->labels);
	if (r->legend_spec != NULL)
		plot_legend_write(t, r->legend_spec, &r->legend);
	terminal_preamble(t, out_name);
	fputs("outfile = ", t);
	gp_path(t, r->out_path);
	fputs("\n# ---- script ----\n", t);
	fwrite(r->script, 1, r->script_len, t);
	fputs("\n", t);
	if (fclose(t) != 0 || r->text == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	return CLV_OK;
}

/* The script's text, found and read. */
static clv_status load_script(figure_run *r, const char *script_name, clv_error *err)
{
	char *path = plot_find_script(script_name, err);

	if (path == NULL)
		return err->status;
	r->script = read_text(path, &r->script_len, err);
	free(path);
	return r->script != NULL ? CLV_OK : err->status;
}

/* After gnuplot (status rc): a figure not whole is a failure to write it,
   named with its cause (a full disk, else the cut); a gnuplot failure on
   a full disk is one too. Either is fatal; other gnuplot failures are
   not (a script error, no gnuplot: the caller warns). */
static clv_status judge(figure_run *r, clv_status rc, const char *dir, const char *out_name,
                        clv_error *err)
{
	clv_error why = {0};
	bool full;
	char *final;

	if (rc == CLV_OK && figure_check(r->out_path, out_name, &why) == CLV_OK)
		return CLV_OK;
	full = figure_disk_full(dir);
	if (rc == CLV_ERR_INTERRUPTED || (rc != CLV_OK && !full))
		return rc;
	if (rc != CLV_OK) {
		why = *err; /* gnuplot's own message */
		diag_clear(err);
	}
	r->fatal = true;
	final = in_dir(dir, out_name);
	rc = diag_set_file(err, CLV_ERR_IO, final ? final : out_name, "cannot write the figure: "
	                   "%s (%s)", full ? strerror(ENOSPC) : "gnuplot's output was cut short",
	                   why.msg);
	free(final);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The report's numbers a figure quotes (plot_legend.h).                */

/* clv_dist: each state's (and the total's) figures across customers, as
   the run report prints them. */
static const plot_legend_spec clv_legend = {
	"clv.csv", "state", "level", "customers",
	{{"mean", 2, false}, {"exact", 2, false}, {"sd", 2, false}, {"p05", 2, false},
	 {"p50", 2, false}, {"p95", 2, false}}, 6, false};

/* compare: each scenario's total and its difference from the first, as
   the compare report prints them. */
static const plot_legend_spec compare_legend = {
	"compare.csv", "scenario", "state", "total",
	{{"exact", 2, false}, {"mean", 2, false}, {"se", 2, false}, {"diff_exact", 2, true},
	 {"diff_mean", 2, true}, {"diff_se", 2, false}, {"diff_lo90", 2, false},
	 {"diff_hi90", 2, false}, {"p_beats_first", 3, false}}, 9, true};

static const struct {
	const char *script;
	const plot_legend_spec *spec;
} legends[] = {
	{"clv_dist.gp", &clv_legend},
	{"compare.gp", &compare_legend},
};

static size_t legend_code(void *ctx, const char *key, const char *label)
{
	const figure_run *r = ctx;
	int c = label_index(key);

	return c < 0 ? 0 : label_find(&r->labels.col[c], label);
}

/* Adds the label (a row of a table that defines the codes); stores
   nothing (returns 0). */
static size_t legend_seed(void *ctx, const char *key, const char *label)
{
	figure_run *r = ctx;
	int c = label_index(key);

	if (c >= 0)
		label_code(&r->labels.col[c], label);
	return 0;
}

/* The summary table of script_name's legend (NULL: it quotes none, or
   the table is not there: a figure drawn from its data alone); *spec
   set. Malloc'd. */
static char *legend_path(const figure_run *r, const char *script_name, const char *dir,
                         const plot_legend_spec **spec)
{
	char *path;
	size_t i;

	*spec = NULL;
	for (i = 0; i < sizeof legends / sizeof legends[0]; i++)
		if (strcmp(legends[i].script, script_name) == 0)
			*spec = legends[i].spec;
	if (*spec == NULL)
		return NULL;
	path = data_path(dir, r->src, (*spec)->file);
	if (path != NULL && access(path, R_OK) != 0) {
		free(path);
		path = NULL;
	}
	return path;
}

/* Before the data is copied: the codes of a table that defines them. */
static clv_status seed_legend(figure_run *r, const char *script_name, const char *dir,
                              clv_error *err)
{
	const plot_legend_spec *spec;
	char *path = legend_path(r, script_name, dir, &spec);
	clv_status rc = CLV_OK;

	if (path != NULL && spec->defines_codes) {
		plot_legend none;
		rc = plot_legend_read(spec, path, 0, legend_seed, r, &none, err);
		plot_legend_free(&none);
	}
	free(path);
	return rc;
}

/* The report's numbers of script_name, when it quotes some and their
   table is there. */
static clv_status load_legend(figure_run *r, const char *script_name, const char *dir,
                              clv_error *err)
{
	const plot_legend_spec *spec;
	char *path = legend_path(r, script_name, dir, &spec);
	clv_status rc = CLV_OK;

	if (path != NULL) {
		rc = plot_legend_read(spec, path, r->labels.col[label_index(spec->key)].n, legend_code,
		                      r, &r->legend, err);
		if (rc == CLV_OK)
			r->legend_spec = spec;
	}
	free(path);
	return rc;
}

/* Draw script_name with vars into r->out_path (a temp in dir). */
static clv_status draw_into(figure_run *r, const char *script_name, const char *dir,
                            const plot_var *vars, size_t n_vars, const char *out_name,
                            clv_error *err)
{
	clv_status rc = check_vars(vars, n_vars, err);

	if (rc == CLV_OK)
		rc = load_script(r, script_name, err);
	if (rc == CLV_OK)
		rc = seed_legend(r, script_name, dir, err);
	if (rc == CLV_OK) {
		rc = make_copies(r, dir, vars, n_vars, err);
		r->fatal = rc == CLV_ERR_IO || rc == CLV_ERR_NOMEM; /* a table could not be copied */
	}
	if (rc == CLV_OK)
		rc = load_legend(r, script_name, dir, err);
	if (rc == CLV_OK)
		rc = build_text(r, vars, n_vars, out_name, err);
	if (rc == CLV_OK)
		rc = judge(r, gnuplot_run(r->text, r->text_len, out_name, r->warnings,
		                          sizeof r->warnings, err), dir, out_name, err);
	return rc;
}

static void figure_run_clear(figure_run *r)
{
	size_t i;

	for (i = 0; i < r->n_copies; i++)
		outfile_abort(r->copy[i]);
	labels_free(&r->labels);
	plot_legend_free(&r->legend);
	free(r->script);
	free(r->text);
	memset(r, 0, sizeof *r);
}

/* What gnuplot wrote on stderr while drawing r, into warn (when empty). */
static void note_warnings(const figure_run *r, const char *out_name, clv_error *warn)
{
	if (r->warnings[0] != '\0' && warn != NULL && warn->status == CLV_OK)
		diag_set(warn, CLV_ERR_IO, NULL, "gnuplot warned drawing %s: %s", out_name,
		         r->warnings);
}

clv_status plot_figure(const char *script_name, const char *dir, const plot_var *vars,
                       size_t n_vars, const char *out_name, clv_error *err)
{
	clv_error warn = {0};
	clv_status rc = plot_figure_warned(script_name, dir, vars, n_vars, out_name, &warn, err);

	if (rc == CLV_OK && warn.status != CLV_OK)
		diag_warn("%s", warn.msg);
	return rc;
}

clv_status plot_figure_warned(const char *script_name, const char *dir, const plot_var *vars,
                              size_t n_vars, const char *out_name, clv_error *warn,
                              clv_error *err)
{
	clv_status rc;
	figure_run r;
	outfile *out = outfile_open(dir, out_name, err);

	memset(&r, 0, sizeof r);
	if (out == NULL)
		return err->status;
	outfile_close_stream(out); /* gnuplot writes it by name */
	r.out_path = outfile_temp_path(out);
	rc = draw_into(&r, script_name, dir, vars, n_vars, out_name, err);
	if (rc == CLV_OK)
		note_warnings(&r, out_name, warn);
	figure_run_clear(&r);
	if (rc == CLV_OK)
		return outfile_commit(out, err);
	outfile_abort(out);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Every figure of a run.                                               */

/* A figure of a command: its script, and the tables it needs. A table
   with a variable is handed to gnuplot (a coded copy); one without is
   read by clvsim itself (the report's numbers, plot_legend.h). An
   optional table that is not there reaches the script as '' (e.g. the
   break-even of a sweep, which only a sweep against a base writes). */
#define FIG_FILES 3
typedef struct figure {
	const char *script, *stem;
	const char *var[FIG_FILES], *file[FIG_FILES];
	bool optional[FIG_FILES];
} figure;

static const figure figures[] = {
	{"share_fan.gp", "share_fan", {"datafile"}, {"share.csv"}, {false}},
	{"clv_dist.gp", "clv_dist", {"datafile", NULL}, {"clv_hist.csv", "clv.csv"}, {false}},
	{"compare.gp", "compare", {"datafile", NULL}, {"compare_diff.csv", "compare.csv"}, {false}},
	{"compare_decision.gp", "compare_decision", {"datafile", "evppifile"},
	 {"compare_p_best.csv", "compare_evppi.csv"}, {false}},
	{"tornado.gp", "tornado", {"datafile"}, {"tornado.csv"}, {false}},
	{"spider.gp", "spider", {"datafile"}, {"spider.csv"}, {false}},
	{"sweep_line.gp", "sweep_line", {"datafile", "bevenfile", "difffile"},
	 {"sweep.csv", "sweep_breakeven.csv", "sweep_diff.csv"}, {false, true, true}},
	{"sweep_heat.gp", "sweep_heat", {"datafile", "contourfile", "difffile"},
	 {"sweep2.csv", "sweep2_breakeven.csv", "sweep2_diff.csv"}, {false, true, true}},
	{"sweep_diff.gp", "sweep_diff", {"datafile", "bevenfile"},
	 {"sweep_diff.csv", "sweep_breakeven.csv"}, {false}},
	{"sweep_diff_heat.gp", "sweep_diff_heat", {"datafile", "contourfile"},
	 {"sweep2_diff.csv", "sweep2_breakeven.csv"}, {false}},
	{"solve.gp", "solve", {"datafile", "summaryfile"}, {"solve.csv", "solve_summary.csv"}, {false}},
};
#define N_FIGURES (sizeof figures / sizeof figures[0])
#define MAX_TEXT_VARS 16

/* The table name is a member of src (src NULL: a file in dir). */
static bool have_file(const char *name, const char *dir, const outfile_group *src)
{
	char *path;
	bool ok;

	if (src != NULL)
		return outfile_group_temp(src, name) != NULL;
	path = in_dir(dir, name);
	ok = path != NULL && access(path, R_OK) == 0;
	free(path);
	return ok;
}

/* Every table fig needs is there. */
static bool have_data(const figure *fig, const char *dir, const outfile_group *src)
{
	size_t k;

	for (k = 0; k < FIG_FILES && fig->file[k] != NULL; k++)
		if (!fig->optional[k] && !have_file(fig->file[k], dir, src))
			return false;
	return true;
}

/* Draw fig as the member <stem>.<ext> of g, its tables read from src (or
   dir). A failure drops the member; *fatal tells whether it was a write
   failure (see judge). */
static clv_status draw_member(const figure *fig, outfile_group *g, const char *dir,
                              const outfile_group *src, const char *ext,
                              const plot_var *text_vars, size_t n_text, bool *fatal,
                              clv_error *warn, clv_error *err)
{
	plot_var vars[MAX_TEXT_VARS + FIG_FILES];
	char name[64];
	size_t n = 0, k;
	figure_run r;
	clv_status rc;

	*fatal = false;
	if (n_text > MAX_TEXT_VARS)
		return diag_set(err, CLV_ERR_USAGE, NULL, "at most %d plot variables", MAX_TEXT_VARS);
	for (k = 0; k < FIG_FILES && fig->file[k] != NULL; k++) {
		if (fig->var[k] == NULL)
			continue; /* read by clvsim (the report's numbers) */
		if (have_file(fig->file[k], dir, src))
			vars[n++] = (plot_var){fig->var[k], fig->file[k], PLOT_DATA};
		else
			vars[n++] = (plot_var){fig->var[k], "", PLOT_TEXT};
	}
	for (k = 0; k < n_text; k++)
		vars[n++] = text_vars[k];
	snprintf(name, sizeof name, "%s.%s", fig->stem, ext);
	memset(&r, 0, sizeof r);
	r.src = src;
	r.out_path = outfile_group_add_external(g, name, err);
	if (r.out_path == NULL) {
		*fatal = true;
		return err->status;
	}
	rc = draw_into(&r, fig->script, dir, vars, n, name, err);
	if (rc == CLV_OK)
		note_warnings(&r, name, warn);
	*fatal = r.fatal || rc == CLV_ERR_INTERRUPTED;
	figure_run_clear(&r);
	if (rc != CLV_OK)
		outfile_group_drop(g, name);
	return rc;
}

/* Every figure whose tables are there, into g. The first failure that is
   not fatal goes into warn and the loop goes on; a fatal one ends it. */
static clv_status draw_all(outfile_group *g, const char *dir, const outfile_group *src,
                           plot_format fmt, const plot_var *text_vars, size_t n_text,
                           size_t *n_drawn, clv_error *warn, clv_error *err)
{
	size_t i;

	*n_drawn = 0;
	for (i = 0; i < N_FIGURES && fmt != PLOT_NONE; i++) {
		clv_error one = {0};
		bool fatal = false;
		if (!have_data(&figures[i], dir, src))
			continue;
		if (draw_member(&figures[i], g, dir, src, plot_format_ext(fmt), text_vars, n_text,
		                &fatal, warn, &one) == CLV_OK)
			(*n_drawn)++;
		else if (fatal)
			return diag_set(err, one.status, NULL, "%s", one.msg);
		else if (warn->status == CLV_OK)
			diag_set(warn, one.status, NULL, "%s", one.msg);
	}
	return CLV_OK;
}

clv_status plot_group(outfile_group *g, plot_format fmt, const plot_var *text_vars,
                      size_t n_text_vars, size_t *n_drawn, clv_error *warn, clv_error *err)
{
	size_t drawn = 0;
	clv_status rc = draw_all(g, outfile_group_dir(g), g, fmt, text_vars, n_text_vars, &drawn,
	                         warn, err);

	if (n_drawn != NULL)
		*n_drawn = rc == CLV_OK ? drawn : 0;
	return rc;
}

clv_status plot_group_from(outfile_group *dst, const outfile_group *src, plot_format fmt,
                           const plot_var *text_vars, size_t n_text_vars, size_t *n_drawn,
                           clv_error *warn, clv_error *err)
{
	size_t drawn = 0;
	clv_status rc = draw_all(dst, outfile_group_dir(src), src, fmt, text_vars, n_text_vars,
	                         &drawn, warn, err);

	if (n_drawn != NULL)
		*n_drawn = rc == CLV_OK ? drawn : 0;
	return rc;
}

clv_status plot_all(const char *dir, plot_format fmt, const plot_var *text_vars,
                    size_t n_text_vars, size_t *n_drawn, clv_error *err)
{
	clv_error warn = {0};
	outfile_group *g = outfile_group_create(dir, err);
	size_t drawn = 0;
	clv_status rc;

	if (n_drawn != NULL)
		*n_drawn = 0;
	if (g == NULL)
		return err->status;
	rc = draw_all(g, dir, NULL, fmt, text_vars, n_text_vars, &drawn, &warn, err);
	if (rc == CLV_OK)
		rc = outfile_group_commit(g, err);
	outfile_group_free(g);
	if (rc == CLV_OK && n_drawn != NULL)
		*n_drawn = drawn;
	if (rc == CLV_OK && warn.status != CLV_OK)
		rc = diag_set(err, warn.status, NULL, "%s", warn.msg);
	return rc;
}
