/*
 * plot.h - forecast figures: clvsim's CSV tables drawn by gnuplot, one
 * script per figure (plots/NAME.gp), written atomically into the output
 * directory.
 *
 * gnuplot runs without a shell (posix_spawnp, argv array) and reads the
 * figure's script through a pipe, after a preamble that sets the script's
 * variables. User text (scenario and state names, paths) never becomes
 * gnuplot code: each value is one single-quoted gnuplot string (no
 * backquote or macro substitution happens there), control characters are
 * spliced in as "\ooo" escapes, paths are prefixed "./" unless absolute
 * (gnuplot treats '<' and '|' at the start of a name as a command), and
 * every script draws text with `noenhanced`. The terminal is chosen here
 * too, by the output's extension (the scripts set theirs from the
 * variables terminal_name, terminal_options, terminal_scale), so one
 * script draws PNG, SVG or PDF. The data itself reaches
 * gnuplot as a label-free copy: text columns (state, scenario,
 * assumption, level) hold codes 1..n, the names go into string arrays
 * lbl_<column> (docs/plots.md, "Labels").
 *
 * gnuplot ignores write errors (on a full disk it writes a PNG cut
 * mid-IDAT and exits 0), so a figure is kept only when it is whole
 * (figure_check.h). Two kinds of failure: gnuplot missing or a script
 * error (CLV_ERR_IO, which the command reports as a warning: the tables
 * are still written), and a failure to write a figure or the data copies
 * (disk full, output cut short: an error, exit 1, nothing committed).
 * SIGINT/SIGTERM kill gnuplot at once (gnuplot_run.h).
 */
#ifndef CLV_PLOT_H
#define CLV_PLOT_H

#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"
#include "output/outfile.h"

typedef enum { PLOT_NONE, PLOT_PNG, PLOT_SVG, PLOT_PDF } plot_format;

typedef enum {
	PLOT_TEXT, /* value is text, drawn literally */
	PLOT_DATA  /* value is a CSV file: a name in dir, or a path */
} plot_var_kind;

/* One variable of a script, e.g. {"scenario", "Brand A, 2025", PLOT_TEXT}
   or {"datafile", "share.csv", PLOT_DATA}. name is a gnuplot identifier
   ([A-Za-z_][A-Za-z0-9_]*); value is any NUL-terminated text. */
typedef struct plot_var {
	const char *name;
	const char *value;
	plot_var_kind kind;
} plot_var;

/* "png", "svg", "pdf" or "none" (any case). CLV_ERR_USAGE otherwise. */
clv_status plot_parse_format(const char *text, plot_format *out, clv_error *err);

/* PLOT_PNG when an executable gnuplot is on PATH, else PLOT_NONE. */
plot_format plot_default_format(void);

/* File extension without the dot: "png", "svg", "pdf"; NULL for NONE. */
const char *plot_format_ext(plot_format fmt);

/* Path of the script name (e.g. "share_fan.gp"), looked up in
   $CLVSIM_PLOTS_DIR, then <dir of the executable>/plots, then
   <dir of the executable>/../share/clvsim/plots. Returns a malloc'd path,
   or NULL with CLV_ERR_IO naming the places looked in. */
char *plot_find_script(const char *script_name, clv_error *err);

/* Draw one figure: run gnuplot on script_name with vars, writing
   dir/out_name (its extension picks the terminal) through a temp file
   renamed when the figure is whole (figure_check.h). PLOT_DATA values
   are read as RFC 4180 CSV and handed over as a gnuplot-safe copy (a temp
   file in dir, removed after). On failure nothing is left in dir and an
   earlier dir/out_name is kept; CLV_ERR_IO with "gnuplot not found ...
   install gnuplot-nox", with gnuplot's own error text, or "cannot write
   the figure: CAUSE (...)" naming dir/out_name; CLV_ERR_INPUT for a
   malformed CSV; CLV_ERR_USAGE for a bad variable name; CLV_ERR_NOMEM;
   CLV_ERR_INTERRUPTED (gnuplot killed). */
clv_status plot_figure(const char *script_name, const char *dir, const plot_var *vars,
                       size_t n_vars, const char *out_name, clv_error *err);

/* plot_figure, with what gnuplot wrote on stderr while succeeding (a
   warning such as "empty x range": the scripts are meant to draw
   silently) put in *warn (CLV_ERR_IO "gnuplot warned drawing NAME:
   ...", when warn holds nothing yet) instead of printed. The figure is
   kept either way. */
clv_status plot_figure_warned(const char *script_name, const char *dir, const plot_var *vars,
                              size_t n_vars, const char *out_name, clv_error *warn,
                              clv_error *err);


/* The value key (a dotted label, e.g. "campaign.retention_uplift") has
   in s as written, as "%.17g" text in buf (cap bytes); "" when key is
   NULL, not a number of s, or uncertain there (a distribution). The
   sweep figures mark it as the scenario's own point (its baseline). */
void plot_key_value(const clv_scenario *s, const char *key, char *buf, size_t cap);

/* Draw every figure whose CSV tables are members of g (not yet
   committed: read from their temps, after outfile_group_finish), as new
   members <figure>.<ext of fmt> of g (table in plot.c and docs/plots.md:
   share_fan, clv_dist, compare, tornado, spider, sweep_line,
   sweep_heat), passing text_vars (scenario, period_unit, currency,
   xlabel, ylabel...) to each. A figure that gnuplot cannot draw (not
   installed, a script error) is left out of g, the loop goes on, and the
   first such failure, or gnuplot's first warning on a figure it drew,
   is put in *warn (for the caller to print). A figure
   that cannot be written whole is an error: CLV_ERR_IO naming its path
   and the cause (e.g. "No space left on device"), as is
   CLV_ERR_INTERRUPTED; then the caller discards g. n_drawn (may be NULL)
   gets the number of figures added. PLOT_NONE: nothing, CLV_OK. */
clv_status plot_group(outfile_group *g, plot_format fmt, const plot_var *text_vars,
                      size_t n_text_vars, size_t *n_drawn, clv_error *warn, clv_error *err);

/* As plot_group, but the tables are read from the members of src
   (finished) and the figures become members of dst, a group of the same
   folder that may never be committed (the SVG figures inlined in an HTML
   report, then discarded). */
clv_status plot_group_from(outfile_group *dst, const outfile_group *src, plot_format fmt,
                           const plot_var *text_vars, size_t n_text_vars, size_t *n_drawn,
                           clv_error *warn, clv_error *err);

/* Draw every figure whose CSV files are all in dir (as plot_group, from
   tables already committed there) and commit the figures as one group.
   Returns the first failure (err holds its message): a fatal one (see
   plot_group) leaves every earlier figure untouched; otherwise the
   figures that could be drawn are committed. n_drawn (may be NULL) gets
   the number of figures written. PLOT_NONE: nothing, CLV_OK. */
clv_status plot_all(const char *dir, plot_format fmt, const plot_var *text_vars,
                    size_t n_text_vars, size_t *n_drawn, clv_error *err);

#endif
