/*
 * html_report.h - stage output: the shareable report of a command
 * (--report FILE.html), one self-contained HTML file: the command's text
 * report (what it prints on stdout), the figures inline
 * as SVG (gnuplot's svg terminal, the same plots/NAME.gp scripts as the
 * --out figures), every CSV table of the command as an HTML table, the
 * scenario files' text and the manifest (manifest.h). No JavaScript, no
 * external resource: it opens offline, reads on a phone (viewport meta,
 * CSS that reflows, tables that scroll sideways) and prints (print CSS:
 * no navigation, figures and rows not split across pages).
 *
 * The document is also well-formed XML (polyglot HTML: every element
 * closed, only the five XML entities), so strict XML tools read it too.
 */
#ifndef CLV_HTML_REPORT_H
#define CLV_HTML_REPORT_H

#include <stdio.h>

#include <jansson.h>

#include "clvsim.h"
#include "base/diag.h"
#include "output/manifest.h"
#include "output/outfile.h"

/* Rows of a table shown in the report; the rest are counted ("N more
   rows"), as the whole table is in the --out folder. */
#define HTML_REPORT_MAX_ROWS 200
/* Significant digits of the numbers shown in its tables (the CSV keeps all). */
#define HTML_REPORT_DIGITS 6

typedef struct html_report_input {
	const outfile_group *tables;  /* the command's group: its *.csv members (finished) */
	const outfile_group *figures; /* *.svg members (finished), or NULL */
	const char *figures_note;     /* why there are no figures, or NULL */
	const json_t *manifest;       /* manifest_build's document */
	const manifest_info *mi;      /* the command and its scenario files */
	void (*summary)(FILE *f, const void *data); /* writes the text report, or NULL */
	const void *summary_data;
} html_report_input;

/* Write the report of in into f (errors of f are the caller's to catch
   when it commits the file). CLV_OK, or CLV_ERR_IO naming a table or
   figure that cannot be read back, CLV_ERR_INPUT for a malformed table,
   CLV_ERR_NOMEM. */
clv_status html_report_write(FILE *f, const html_report_input *in, clv_error *err);

/* text HTML-escaped into f (& < > " ' as entities). */
void html_escape(FILE *f, const char *text);

#endif
