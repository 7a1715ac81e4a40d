/*
 * html_report.c - stage output: the self-contained HTML report
 * (html_report.h). Sections: the facts of the run (command, version,
 * times, seed, threads), the command's text report, the figures (gnuplot's SVG, inlined with their
 * ids made unique per figure, so that two figures' definitions never
 * collide in one document), the tables (read back from the command's CSV
 * members with the RFC 4180 reader), the scenario files and the manifest.
 */
#include "output/html_report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/csv_read.h"

static const char style[] =
	":root{color-scheme:light}"
	"body{font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;"
	"margin:0 auto;max-width:64rem;padding:0 1rem 3rem;color:#1b1b1b;background:#fff}"
	"h1{font-size:1.5rem;margin:1.2rem 0 .3rem}h2{font-size:1.25rem;margin:2rem 0 .6rem;"
	"border-bottom:1px solid #ccc;padding-bottom:.2rem}h3{font-size:1rem;margin:1.2rem 0 .4rem}"
	"p.sub{color:#555;margin:0 0 1rem}"
	"nav ul{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem}"
	"a{color:#0b57a8}"
	"dl.facts{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem 1rem;"
	"margin:0}dl.facts dt{font-weight:600}dl.facts dd{margin:0;overflow-wrap:anywhere}"
	"figure{margin:1rem 0 1.8rem}figure svg{display:block;width:100%;height:auto}"
	"figcaption{font-size:.9rem;color:#444;margin-top:.3rem}"
	".scroll{overflow-x:auto;border:1px solid #ddd;max-width:100%;width:fit-content}"
	"table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums}"
	"caption{text-align:left;font-size:.85rem;color:#555;padding:.3rem .5rem}"
	"th,td{padding:.2rem .55rem;border-bottom:1px solid #eee;white-space:nowrap;text-align:left}"
	"th{background:#f3f3f3}td.num{text-align:right}"
	"p.more{font-size:.85rem;color:#555;margin:.3rem 0 0}"
	"pre{background:#f6f6f6;border:1px solid #e3e3e3;padding:.6rem .8rem;font-size:.8rem;"
	"white-space:pre-wrap;overflow-wrap:anywhere}"
	"code{font-size:.9em}pre.report{white-space:pre;overflow-x:auto;overflow-wrap:normal;"
	"font-size:.78rem;line-height:1.35}"
	"@media (max-width:40rem){body{font-size:15px;padding:0 .6rem 2rem}"
	"dl.facts{grid-template-columns:minmax(0,1fr)}dl.facts dd{margin:0 0 .35rem}"
	/* a phone: figures keep a readable size and scroll sideways */
	"figure{overflow-x:auto}figure svg{width:46rem;max-width:none}"
	"figcaption{position:sticky;left:0;max-width:calc(100vw - 1.2rem)}}"
	"@media print{body{max-width:none;font-size:10pt;padding:0}nav{display:none}"
	"a{color:inherit;text-decoration:none}.scroll{overflow:visible;border:0}"
	"table{font-size:7.5pt}th,td{white-space:normal;padding:.1rem .3rem}"
	"figure,tr{break-inside:avoid}h2,h3{break-after:avoid}"
	"pre.report{white-space:pre-wrap;font-size:7.5pt}"
	"figure{overflow:visible}figure svg{width:100%;max-height:24cm}}";

void html_escape(FILE *f, const char *text)
{
	const char *p;

	for (p = text; *p != '\0'; p++)
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '\r': break; /* CRLF files: one line end */
		default: fputc(*p, f);
		}
}

/* What each figure answers, by its file's stem (plot.c's table). */
static const struct {
	const char *stem, *caption;
} captions[] = {
	{"share_fan", "Share over time: the mean, with the bands where 50% and 90% of the "
	              "replications fall"},
	{"clv_dist", "Distribution of CLV across customers, by starting state and in total"},
	{"compare", "Difference in CLV from the first scenario, with its interval"},
	{"compare_decision", "The decision: P(best) of each scenario and what knowing each "
	                     "assumption is worth (EVPPI)"},
	{"tornado", "What moves CLV most: each assumption from its low to its high value"},
	{"spider", "CLV as each assumption moves through its percentiles"},
	{"sweep_line", "CLV across the swept key"},
	{"sweep_heat", "CLV across the two swept keys"},
	{"sweep_diff", "Difference from the base across the swept key, with the break-even"},
	{"sweep_diff_heat", "Difference from the base across the two swept keys, with the "
	                    "break-even contour"},
	{"solve", "The key's value at the target, and the chance it pays across the interval"},
};

static const char *caption_of(const char *name)
{
	size_t k, len = strcspn(name, ".");

	for (k = 0; k < sizeof captions / sizeof captions[0]; k++)
		if (strlen(captions[k].stem) == len && strncmp(captions[k].stem, name, len) == 0)
			return captions[k].caption;
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && strcmp(s + n - m, tail) == 0;
}

/* An anchor for a file name: "t-share-csv" (letters and digits kept). */
static void anchor(FILE *f, const char *prefix, const char *name)
{
	const char *p;

	fputs(prefix, f);
	for (p = name; *p != '\0'; p++)
		fputc((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
		              ? *p : '-', f);
}

/* ---- the facts ---------------------------------------------------------- */

static void fact(FILE *f, const char *term, const char *value)
{
	if (value == NULL)
		return;
	fputs("<dt>", f);
	html_escape(f, term);
	fputs("</dt><dd>", f);
	html_escape(f, value);
	fputs("</dd>\n", f);
}

static const char *mstr(const json_t *doc, const char *key)
{
	return json_string_value(json_object_get(doc, key));
}

static void facts(FILE *f, const html_report_input *in)
{
	const json_t *m = in->manifest;
	char num[32];

	fputs("<dl class=\"facts\">\n", f);
	fact(f, "Command", json_string_value(json_object_get(json_object_get(m, "command"), "line")));
	fact(f, "clvsim", mstr(m, "clvsim"));
	fact(f, "Started", mstr(m, "started"));
	fact(f, "Finished", mstr(m, "finished"));
	if (json_is_integer(json_object_get(m, "seed"))) {
		snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(m, "seed")));
		fact(f, "Seed", num);
	}
	snprintf(num, sizeof num, "%lld", (long long)json_integer_value(json_object_get(m, "threads")));
	fact(f, "Threads", num);
	fact(f, "Tables and figures in", mstr(m, "out"));
	fputs("</dl>\n", f);
}

/* ---- figures ------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, got;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (*len + 65536 + 1 > cap) {
			char *grown = realloc(buf, cap = 2 * cap + 65536 + 1);
			if (grown == NULL) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = grown;
		}
		got = fread(buf + *len, 1, cap - *len - 1, f);
		*len += got;
	} while (got > 0);
	if (ferror(f)) {
		free(buf);
		buf = NULL;
	} else
		buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* The <svg> element of a gnuplot SVG file (its XML declaration and
   doctype dropped), every id and reference to one prefixed "fK-". */
static void inline_svg(FILE *f, const char *svg, size_t k)
{
	static const char *const refs[] = {" id=\"", " id='", "href=\"#", "href='#", "url(#"};
	const char *p = strstr(svg, "<svg");
	char prefix[16];

	snprintf(prefix, sizeof prefix, "f%zu-", k);
	if (p == NULL)
		return;
	while (*p != '\0') {
		size_t r, best_at = strlen(p), best = 0;
		for (r = 0; r < sizeof refs / sizeof refs[0]; r++) {
			const char *q = strstr(p, refs[r]);
			if (q != NULL && (size_t)(q - p) < best_at) {
				best_at = (size_t)(q - p);
				best = r;
			}
		}
		if (best_at == strlen(p)) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, best_at + strlen(refs[best]), f);
		fputs(prefix, f);
		p += best_at + strlen(refs[best]);
	}
	fputc('\n', f);
}

static clv_status figures(FILE *f, const html_report_input *in, clv_error *err)
{
	const outfile_group *g = in->figures;
	size_t i, n = g != NULL ? outfile_group_count(g) : 0, shown = 0;

	fputs("<section id=\"figures\">\n<h2>Figures</h2>\n", f);
	for (i = 0; i < n; i++) {
		const char *name = outfile_group_name_at(g, i), *cap = caption_of(name);
		size_t len;
		char *svg;
		if (!ends_with(name, ".svg"))
			continue;
		if ((svg = slurp(outfile_group_temp_at(g, i), &len)) == NULL)
			return diag_set_file(err, CLV_ERR_IO, name, "cannot read the figure back: %s",
			                     strerror(errno ? errno : EIO));
		fputs("<figure id=\"", f);
		anchor(f, "f-", name);
		fputs("\">\n", f);
		inline_svg(f, svg, shown);
		fputs("<figcaption>", f);
		if (cap != NULL) {
			html_escape(f, cap);
			fputs(" (", f);
		}
		fputs("<code>", f);
		html_escape(f, name);
		fputs("</code>", f);
		fputs(cap != NULL ? ")</figcaption>\n</figure>\n" : "</figcaption>\n</figure>\n", f);
		free(svg);
		shown++;
	}
	if (shown == 0) {
		fputs("<p>No figures", f);
		if (in->figures_note != NULL) {
			fputs(": ", f);
			html_escape(f, in->figures_note);
		}
		fputs(".</p>\n", f);
	}
	fputs("</section>\n", f);
	return CLV_OK;
}

/* ---- tables ------------------------------------------------------------- */

static bool numeric(const char *s)
{
	char *end;

	if (s[0] == '\0')
		return false;
	errno = 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

/* A number cell: shown to HTML_REPORT_DIGITS significant digits, every
   digit of the CSV in its title (shown on hover). */
static void number_cell(FILE *f, const char *v)
{
	char shown[64];

	snprintf(shown, sizeof shown, "%.*g", HTML_REPORT_DIGITS, strtod(v, NULL));
	if (strcmp(shown, v) == 0) {
		fprintf(f, "<td class=\"num\">%s</td>", v);
		return;
	}
	fputs("<td class=\"num\" title=\"", f);
	html_escape(f, v);
	fprintf(f, "\">%s</td>", shown);
}

static void row(FILE *f, const csv_reader *r, bool head)
{
	size_t k, n = csv_reader_count(r);

	fputs("<tr>", f);
	for (k = 0; k < n; k++) {
		const char *v = csv_reader_field(r, k);
		if (!head && numeric(v)) {
			number_cell(f, v);
			continue;
		}
		fputs(head ? "<th>" : "<td>", f);
		html_escape(f, v);
		fputs(head ? "</th>" : "</td>", f);
	}
	fputs("</tr>\n", f);
}

static clv_status table(FILE *f, const char *name, const char *path, clv_error *err)
{
	FILE *in = fopen(path, "r");
	csv_reader *r;
	clv_status rc = CLV_OK;
	long rows = 0;
	bool got = true;

	if (in == NULL)
		return diag_set_file(err, CLV_ERR_IO, name, "cannot read the table back: %s",
		                     strerror(errno));
	if ((r = csv_reader_create(in, name, err)) == NULL) {
		fclose(in);
		return err->status;
	}
	fputs("<h3 id=\"", f);
	anchor(f, "t-", name);
	fputs("\"><code>", f);
	html_escape(f, name);
	fputs("</code></h3>\n<div class=\"scroll\"><table>\n", f);
	while (rc == CLV_OK && (rc = csv_reader_next(r, &got, err)) == CLV_OK && got) {
		if (rows == 0)
			fputs("<thead>\n", f);
		if (rows <= HTML_REPORT_MAX_ROWS)
			row(f, r, rows == 0);
		if (rows == 0)
			fputs("</thead>\n<tbody>\n", f);
		rows++;
	}
	fputs(rows > 0 ? "</tbody>\n</table></div>\n" : "</table></div>\n", f);
	if (rows - 1 > HTML_REPORT_MAX_ROWS)
		fprintf(f, "<p class=\"more\">The first %d of %ld rows; the whole table is "
		        "<code>", HTML_REPORT_MAX_ROWS, rows - 1);
	if (rows - 1 > HTML_REPORT_MAX_ROWS) {
		html_escape(f, name);
		fputs("</code> in the tables' folder.</p>\n", f);
	}
	csv_reader_free(r);
	fclose(in);
	return rc;
}

static clv_status tables(FILE *f, const html_report_input *in, clv_error *err)
{
	size_t i, n = outfile_group_count(in->tables);
	clv_status rc = CLV_OK;

	fputs("<section id=\"tables\">\n<h2>Tables</h2>\n", f);
	fprintf(f, "<p class=\"sub\">Numbers to %d significant digits (hover over one for every "
	        "digit); the CSV files hold them in full.</p>\n", HTML_REPORT_DIGITS);
	for (i = 0; i < n && rc == CLV_OK; i++) {
		const char *name = outfile_group_name_at(in->tables, i);
		if (ends_with(name, ".csv"))
			rc = table(f, name, outfile_group_temp_at(in->tables, i), err);
	}
	fputs("</section>\n", f);
	return rc;
}

/* ---- scenarios and manifest --------------------------------------------- */

static void file_text(FILE *f, const char *label, const char *path, const char *text)
{
	size_t len = 0;
	char *own = text == NULL ? slurp(path, &len) : NULL;

	fputs("<h3><code>", f);
	html_escape(f, label);
	fputs("</code></h3>\n<pre>", f);
	if (text != NULL || own != NULL)
		html_escape(f, text != NULL ? text : own);
	else
		fputs("(the file can no longer be read)", f);
	fputs("</pre>\n", f);
	free(own);
}

static void scenarios(FILE *f, const html_report_input *in)
{
	const manifest_info *mi = in->mi;
	size_t k, at;

	fputs("<section id=\"scenario\">\n<h2>Scenario</h2>\n", f);
	for (k = 0; k < mi->n_scenarios; k++) {
		const clv_scenario *s = mi->scenarios[k];
		if (mi->builtin) {
			file_text(f, s->path, NULL, mi->builtin_text != NULL ? mi->builtin_text : "");
			continue;
		}
		file_text(f, s->path, s->path, NULL);
		for (at = strlen(s->path) + 1; at < s->path_size; at += strlen(s->path + at) + 1) {
			char *label = diag_strdupf("%s (base: of the file above)", s->path + at);
			file_text(f, label != NULL ? label : s->path + at, s->path + at, NULL);
			free(label);
		}
	}
	fputs("</section>\n", f);
}

static clv_status manifest_section(FILE *f, const html_report_input *in, clv_error *err)
{
	char *text = json_dumps(in->manifest, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (text == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	fputs("<section id=\"manifest\">\n<h2>Manifest</h2>\n<p>How these results were made: "
	      "<code>manifest.json</code> of the output folder.</p>\n<pre>", f);
	html_escape(f, text);
	fputs("</pre>\n</section>\n", f);
	free(text);
	return CLV_OK;
}

/* The command's text report (what it prints on stdout), as written. */
static clv_status summary(FILE *f, const html_report_input *in, clv_error *err)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (in->summary == NULL)
		return CLV_OK;
	if ((mem = open_memstream(&text, &len)) == NULL)
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	in->summary(mem, in->summary_data);
	if (fclose(mem) != 0 || text == NULL) {
		free(text);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory");
	}
	fputs("<section id=\"results\">\n<h2>Results</h2>\n<pre class=\"report\">", f);
	html_escape(f, text);
	fputs("</pre>\n</section>\n", f);
	free(text);
	return CLV_OK;
}

/* ---- the document ------------------------------------------------------- */

static void title(FILE *f, const html_report_input *in)
{
	const manifest_info *mi = in->mi;
	size_t k;

	fputs("clvsim ", f);
	html_escape(f, mi->argc > 0 ? mi->argv[0] : "report");
	for (k = 0; k < mi->n_scenarios; k++) {
		fputs(k == 0 ? ": " : " vs ", f); /* compare, or a base and its change */
		html_escape(f, mi->scenarios[k]->name);
	}
}

static void contents(FILE *f, const html_report_input *in)
{
	size_t i, n = outfile_group_count(in->tables);

	fputs("<nav><ul>", f);
	if (in->summary != NULL)
		fputs("<li><a href=\"#results\">Results</a></li>", f);
	fputs("<li><a href=\"#figures\">Figures</a></li>", f);
	for (i = 0; i < n; i++) {
		const char *name = outfile_group_name_at(in->tables, i);
		if (!ends_with(name, ".csv"))
			continue;
		fputs("<li><a href=\"#", f);
		anchor(f, "t-", name);
		fputs("\">", f);
		html_escape(f, name);
		fputs("</a></li>", f);
	}
	fputs("<li><a href=\"#scenario\">Scenario</a></li><li><a href=\"#manifest\">Manifest</a>"
	      "</li></ul></nav>\n", f);
}

clv_status html_report_write(FILE *f, const html_report_input *in, clv_error *err)
{
	clv_status rc;

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
	      "<meta name=\"generator\" content=\"clvsim " CLVSIM_VERSION "\"/>\n<title>", f);
	title(f, in);
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header>\n<h1>", style);
	title(f, in);
	fputs("</h1>\n<p class=\"sub\">A report written by clvsim: the figures and tables of one "
	      "command, the scenario it read and how it ran.</p>\n", f);
	facts(f, in);
	contents(f, in);
	fputs("</header>\n<main>\n", f);
	rc = summary(f, in, err);
	if (rc == CLV_OK)
		rc = figures(f, in, err);
	if (rc == CLV_OK)
		rc = tables(f, in, err);
	if (rc == CLV_OK) {
		scenarios(f, in);
		rc = manifest_section(f, in, err);
	}
	fputs("</main>\n</body>\n</html>\n", f);
	return rc;
}
