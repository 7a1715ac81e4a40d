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
 * every script draws text with `noenhanced`. The data itself reaches
 * gnuplot as a label-free copy: text columns (state, scenario,
 * assumption, level) hold codes 1..n, the names go into string arrays
 * lbl_<column> (docs/plots.md, "Labels").
 *
 * A failure here (no gnuplot, a script error) is CLV_ERR_IO, which the
 * command reports as a warning: the tables are already written.
 */
#ifndef CLV_PLOT_H
#define CLV_PLOT_H

#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

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
   renamed on success. PLOT_DATA values are read as RFC 4180 CSV and
   handed over as a gnuplot-safe copy (a temp file in dir, removed after).
   On failure nothing is left in dir and an earlier dir/out_name is kept;
   CLV_ERR_IO with "gnuplot not found ... install gnuplot-nox" or with
   gnuplot's own error text; CLV_ERR_INPUT for a malformed CSV;
   CLV_ERR_USAGE for a bad variable name; CLV_ERR_NOMEM. */
clv_status plot_figure(const char *script_name, const char *dir, const plot_var *vars,
                       size_t n_vars, const char *out_name, clv_error *err);

/* Draw every figure whose CSV files are all in dir (table in plot.c and
   docs/plots.md: share_fan, clv_dist, compare, tornado, spider,
   sweep_line, sweep_heat) as <figure>.<ext of fmt>, passing text_vars
   (scenario, period_unit, currency, xlabel, ylabel...) to each. Goes on
   after a failure; returns the first one (err holds its message).
   n_drawn (may be NULL) gets the number of figures written. PLOT_NONE:
   nothing, CLV_OK. */
clv_status plot_all(const char *dir, plot_format fmt, const plot_var *text_vars,
                    size_t n_text_vars, size_t *n_drawn, clv_error *err);

#endif
