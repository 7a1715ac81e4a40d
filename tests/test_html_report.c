/*
 * test_html_report.c - --report FILE.html (output/html_report.h) for run,
 * compare, sweep, tornado and solve: the command's text report is its
 * Results; the file parses as HTML (libxml2's
 * HTML parser, whose only complaints may be HTML5 or SVG element names
 * it does not know) and as well-formed XML (libxml2, strict: no
 * recovery); every figure of the --out folder is inline as an <svg>,
 * every CSV table of the manifest is there as a <table> whose header row
 * is the CSV's, the scenario text and the manifest are there, HTML-
 * escaped; nothing is fetched (no script, no external src or link); it
 * has a viewport and print CSS. Without --out the report stands alone (no
 * table or temporary file beside it); a bad --report is refused before
 * the run, leaving nothing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "test_helpers.h"

/* ---- parsing ------------------------------------------------------------ */

static int html_errors; /* errors other than an unknown (HTML5/SVG) tag */
static char html_first_error[256];

static void count_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if (e->code == XML_HTML_UNKNOWN_TAG)
		return;
	if (html_errors++ == 0)
		snprintf(html_first_error, sizeof html_first_error, "line %d: %s", e->line,
		         e->message ? e->message : "?");
}

/* text parsed by the HTML parser; html_errors counts its errors. */
static htmlDocPtr html_parse_counting(const char *text, size_t len)
{
	htmlDocPtr doc;

	html_errors = 0;
	xmlSetStructuredErrorFunc(NULL, count_error);
	doc = htmlReadMemory(text, (int)len, "report.html", "UTF-8", HTML_PARSE_NONET);
	xmlSetStructuredErrorFunc(NULL, NULL);
	return doc;
}

/* The report parsed by the HTML parser; fails on any error but unknown tags. */
static htmlDocPtr parse_html(const char *text, size_t len)
{
	htmlDocPtr doc = html_parse_counting(text, len);

	assert_non_null(doc);
	if (html_errors != 0)
		fail_msg("the HTML parser found %d errors, the first %s", html_errors, html_first_error);
	return doc;
}

static xmlDocPtr xml_parse(const char *text, size_t len)
{
	return xmlReadMemory(text, (int)len, "report.html", "UTF-8",
	                     XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
}

/* Well-formed XML, strictly (no recovery, no network). */
static void expect_well_formed(const char *text, size_t len)
{
	xmlDocPtr doc = xml_parse(text, len);

	if (doc == NULL) {
		const xmlError *e = xmlGetLastError();
		fail_msg("not well-formed: line %d: %s", e ? e->line : 0, e && e->message ? e->message : "?");
	}
	xmlFreeDoc(doc);
}

/* The first element called name whose attribute attr is value (attr NULL:
   any), in document order below n. */
static xmlNodePtr find(xmlNodePtr n, const char *name, const char *attr, const char *value)
{
	for (; n != NULL; n = n->next) {
		xmlNodePtr hit;
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0) {
			xmlChar *v = attr ? xmlGetProp(n, (const xmlChar *)attr) : NULL;
			bool ok = attr == NULL || (v != NULL && strcmp((const char *)v, value) == 0);
			xmlFree(v);
			if (ok)
				return n;
		}
		if ((hit = find(n->children, name, attr, value)) != NULL)
			return hit;
	}
	return NULL;
}

static size_t count(xmlNodePtr n, const char *name)
{
	size_t k = 0;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0)
			k++;
		k += count(n->children, name);
	}
	return k;
}

/* Nothing to fetch: no script, no src=, every href an anchor of the page. */
static void expect_self_contained(xmlNodePtr n)
{
	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE) {
			xmlChar *src = xmlGetProp(n, (const xmlChar *)"src");
			xmlChar *href = xmlGetProp(n, (const xmlChar *)"href");
			if (strcmp((const char *)n->name, "script") == 0 ||
			    strcmp((const char *)n->name, "link") == 0)
				fail_msg("the report has a <%s>", n->name);
			if (src != NULL)
				fail_msg("<%s src=\"%s\">: fetched from outside", n->name, src);
			if (href != NULL && href[0] != '#')
				fail_msg("<%s href=\"%s\">: a link out of the page", n->name, href);
			xmlFree(src);
			xmlFree(href);
		}
		expect_self_contained(n->children);
	}
}

/* The anchor the report gives a file: prefix + name with every character
   but letters and digits as '-'. */
static void anchor_of(char *buf, size_t cap, const char *prefix, const char *name)
{
	size_t i, p = strlen(prefix);

	assert_true(p + strlen(name) < cap);
	strcpy(buf, prefix);
	for (i = 0; name[i] != '\0'; i++) {
		char ch = name[i];
		buf[p + i] = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')
		                     ? ch : '-';
	}
	buf[p + i] = '\0';
}

/* The text of the first <th> cells of the row after h3, joined by ','. */
static void header_of_table_after(xmlNodePtr h3, char *buf, size_t cap)
{
	xmlNodePtr n = h3->next, tr, c;

	buf[0] = '\0';
	while (n != NULL && n->type != XML_ELEMENT_NODE)
		n = n->next;
	assert_non_null(n);
	tr = find(n, "tr", NULL, NULL);
	assert_non_null(tr);
	for (c = tr->children; c != NULL; c = c->next) {
		xmlChar *t;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		assert_string_equal((const char *)c->name, "th");
		t = xmlNodeGetContent(c);
		if (buf[0] != '\0')
			strncat(buf, ",", cap - strlen(buf) - 1);
		strncat(buf, (const char *)t, cap - strlen(buf) - 1);
		xmlFree(t);
	}
}

/* The two checks can fail: markup the HTML parser objects to (a stray end
   tag, an unknown entity) and text that is not well-formed XML. */
static void test_checks_catch_bad_markup(void **state)
{
	static const char stray[] = "<!DOCTYPE html><html><head><title>t</title></head><body>"
	                            "<p>a</b></p><p>&nosuch;</p></body></html>";
	static const char unclosed[] = "<!DOCTYPE html><html><body><p>a<br></p></body></html>";
	htmlDocPtr doc;

	(void)state;
	doc = html_parse_counting(stray, sizeof stray - 1);
	assert_true(html_errors > 0);
	xmlFreeDoc(doc);
	assert_null(xml_parse(unclosed, sizeof unclosed - 1));
	assert_null(xml_parse(stray, sizeof stray - 1));
}

/* ---- one command -------------------------------------------------------- */

/* Figures can be drawn: gnuplot is installed and the binary finds its
   scripts ($CLVSIM_PLOTS_DIR, or plots/ beside it, as plot.h says). */
static bool has_gnuplot(void)
{
	const char *bin = th_binary(), *slash = strrchr(bin, '/');
	char path[1024];

	if (access("/usr/bin/gnuplot", X_OK) != 0)
		return false;
	if (getenv("CLVSIM_PLOTS_DIR") != NULL)
		return true;
	snprintf(path, sizeof path, "%.*s/plots/share_fan.gp", slash ? (int)(slash - bin) : 1,
	         slash ? bin : ".");
	return access(path, R_OK) == 0;
}

/* The first line of dir/name (the CSV header), without its line end. */
static void csv_header(const char *dir, const char *name, char *buf, size_t cap)
{
	char path[512], *text = th_read_file(th_path(path, sizeof path, dir, name), NULL);

	assert_non_null(text);
	text[strcspn(text, "\r\n")] = '\0';
	snprintf(buf, cap, "%s", text);
	free(text);
}

/* The report of a command run with --out dir: every table and figure of
   the manifest in it, parsed strictly; returns the report's text. */
static char *expect_report(const char *dir, const char *report, size_t min_figures)
{
	char path[512], id[128], want[1024], got[1024];
	size_t len = 0, i, figures = 0, tables = 0;
	char *text = th_read_file(report, &len);
	json_t *man, *f;
	htmlDocPtr doc;
	xmlNodePtr root, node;

	assert_non_null(text);
	expect_well_formed(text, len);
	doc = parse_html(text, len);
	root = xmlDocGetRootElement(doc);
	assert_non_null(find(root, "meta", "name", "viewport"));
	assert_non_null(strstr(text, "@media print"));
	assert_non_null(strstr(text, "@media (max-width"));
	expect_self_contained(root);
	man = json_load_file(th_path(path, sizeof path, dir, "manifest.json"), 0, NULL);
	assert_non_null(man);
	json_array_foreach(json_object_get(man, "files"), i, f) {
		const char *name = json_string_value(json_object_get(f, "path"));
		size_t n = strlen(name);
		if (n > 4 && strcmp(name + n - 4, ".csv") == 0) {
			anchor_of(id, sizeof id, "t-", name);
			node = find(root, "h3", "id", id);
			if (node == NULL)
				fail_msg("table %s is not in the report", name);
			header_of_table_after(node, got, sizeof got);
			csv_header(dir, name, want, sizeof want);
			assert_string_equal(got, want);
			tables++;
		} else if (n > 4 && strcmp(name + n - 4, ".png") == 0) {
			char svg_name[128];
			snprintf(svg_name, sizeof svg_name, "%.*s.svg", (int)(n - 4), name);
			anchor_of(id, sizeof id, "f-", svg_name);
			node = find(root, "figure", "id", id);
			if (node == NULL)
				fail_msg("figure %s is not in the report", name);
			assert_non_null(find(node->children, "svg", NULL, NULL));
			figures++;
		}
	}
	assert_true(tables > 0);
	assert_true(figures >= (has_gnuplot() ? min_figures : 0));
	if (figures == 0) /* then the report says so */
		assert_non_null(strstr(text, "<p>No figures"));
	assert_int_equal(count(root, "svg"), figures);
	assert_int_equal(count(root, "table"), tables);
	/* the manifest itself, and the scenario section */
	assert_non_null(find(root, "section", "id", "manifest"));
	assert_non_null(find(root, "section", "id", "scenario"));
	assert_non_null(strstr(text, json_string_value(json_object_get(
		json_array_get(json_object_get(man, "files"), 0), "sha256"))));
	json_decref(man);
	xmlFreeDoc(doc);
	return text;
}

/* The command's text report (its stdout) is the report's Results, as
   escaped text. */
static void expect_results(const char *report_text, const char *out)
{
	char *want = malloc(6 * strlen(out) + 1), *w = want;
	const char *p;

	assert_non_null(want);
	for (p = out; *p != '\0'; p++)
		switch (*p) {
		case '&': w += sprintf(w, "&amp;"); break;
		case '<': w += sprintf(w, "&lt;"); break;
		case '>': w += sprintf(w, "&gt;"); break;
		case '"': w += sprintf(w, "&quot;"); break;
		case '\'': w += sprintf(w, "&#39;"); break;
		default: *w++ = *p;
		}
	*w = '\0';
	assert_true(strlen(out) > 100);
	if (strstr(report_text, "<section id=\"results\">") == NULL || strstr(report_text, want) == NULL)
		fail_msg("the report's Results are not the command's text report");
	free(want);
}

static void run_and_check(const char *tag, const char *const *args, size_t min_figures)
{
	char *dir = th_tmpdir(tag), report[512], *text;
	const char *argv[40];
	size_t n = 0, k;
	th_child c;

	th_path(report, sizeof report, dir, "report.html");
	for (k = 0; args[k] != NULL; k++)
		argv[n++] = args[k];
	argv[n++] = "--out";
	argv[n++] = dir;
	argv[n++] = "--report";
	argv[n++] = report;
	argv[n++] = "--quiet";
	argv[n] = NULL;
	th_run(&c, argv);
	th_expect_exit(&c, 0);
	text = expect_report(dir, report, min_figures);
	expect_results(text, c.out);
	free(text);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

static void test_run_report(void **state)
{
	char *text, *dir = th_tmpdir("report-run"), report[512];
	th_child c;

	(void)state;
	th_path(report, sizeof report, dir, "r.html");
	TH_RUN(&c, "run", "scenarios/textbook_whatif1.yaml", "--out", dir, "--report", report,
	       "--quiet", "--replications", "20", "--customers", "500");
	th_expect_exit(&c, 0);
	text = expect_report(dir, report, 2);
	expect_results(text, c.out);
	/* the scenario file and its base, as text */
	assert_non_null(strstr(text, "scenarios/textbook_whatif1.yaml"));
	assert_non_null(strstr(text, "scenarios/textbook.yaml (base:"));
	assert_non_null(strstr(text, "base: textbook.yaml"));
	free(text);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

static void test_compare_report(void **state)
{
	const char *args[] = {"compare", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml",
	                      "--replications", "20", "--customers", "500", NULL};

	(void)state;
	run_and_check("report-compare", args, 2);
}

static void test_sweep_report(void **state)
{
	const char *args[] = {"sweep", "scenarios/brand_a.yaml", "--vary", "discount_rate=0.02:0.2:0.06",
	                      "--replications", "4", "--customers", "300", NULL};

	(void)state;
	run_and_check("report-sweep", args, 1);
}

static void test_tornado_report(void **state)
{
	const char *args[] = {"tornado", "scenarios/uncertain_retention.yaml", "--replications", "20",
	                      "--customers", "300", NULL};

	(void)state;
	run_and_check("report-tornado", args, 2);
}

static void test_solve_report(void **state)
{
	const char *args[] = {"solve", "scenarios/brand_a.yaml", "scenarios/retention_campaign.yaml",
	                      "--find", "campaign.retention_uplift=0:0.2", NULL};

	(void)state;
	run_and_check("report-solve", args, 1);
}

/* Markup in a scenario (its name, a comment) reaches the report escaped. */
static void test_scenario_text_escaped(void **state)
{
	char *dir = th_tmpdir("report-escape"), scen[512], report[512], *text;
	size_t len;
	th_child c;

	(void)state;
	th_path(scen, sizeof scen, dir, "s.yaml");
	th_path(report, sizeof report, dir, "r.html");
	th_write_file(scen, "# <script>alert(1)</script> & \"quotes\"\n"
	                    "name: \"A <b>bold</b> & co\"\n"
	                    "states: [A, B]\ninitial: [0.5, 0.5]\n"
	                    "switching:\n  A: [0.8, 0.2]\n  B: [0.3, 0.7]\n"
	                    "horizon: 3\ndiscount_rate: 0.1\nmargin: 10\n"
	                    "customers: 200\nreplications: 4\n");
	TH_RUN(&c, "run", scen, "--report", report, "--quiet");
	th_expect_exit(&c, 0);
	text = th_read_file(report, &len);
	assert_non_null(text);
	expect_well_formed(text, len);
	xmlFreeDoc(parse_html(text, len));
	assert_null(strstr(text, "<script"));
	assert_null(strstr(text, "<b>"));
	assert_non_null(strstr(text, "# &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;"));
	assert_non_null(strstr(text, "A &lt;b&gt;bold&lt;/b&gt; &amp; co"));
	free(text);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* Without --out: the report alone; the tables are in it, not beside it. */
static void test_report_without_out(void **state)
{
	char *dir = th_tmpdir("report-alone"), report[512], *names, *text;
	htmlDocPtr doc;
	size_t len;
	th_child c;

	(void)state;
	th_path(report, sizeof report, dir, "alone.html");
	TH_RUN(&c, "run", "scenarios/textbook.yaml", "--report", report, "--quiet",
	       "--replications", "10", "--customers", "300");
	th_expect_exit(&c, 0);
	names = th_list_dir(dir);
	assert_string_equal(names, "alone.html\n"); /* no table, manifest or temporary file */
	free(names);
	text = th_read_file(report, &len);
	assert_non_null(text);
	expect_well_formed(text, len);
	doc = parse_html(text, len);
	assert_non_null(find(xmlDocGetRootElement(doc), "h3", "id", "t-share-csv"));
	assert_non_null(find(xmlDocGetRootElement(doc), "h3", "id", "t-clv-csv"));
	if (has_gnuplot())
		assert_non_null(find(xmlDocGetRootElement(doc), "figure", "id", "f-share-fan-svg"));
	assert_non_null(strstr(text, "&quot;out&quot;: null"));
	xmlFreeDoc(doc);
	free(text);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

/* A report into a folder that is not there, or onto a folder: refused at
   once (exit 2), nothing written. */
static void test_bad_report_refused(void **state)
{
	char *dir = th_tmpdir("report-bad"), report[512], out[512], *names;
	th_child c;

	(void)state;
	th_path(report, sizeof report, dir, "missing/r.html");
	th_path(out, sizeof out, dir, "out");
	TH_RUN(&c, "run", "scenarios/textbook.yaml", "--report", report, "--out", out, "--quiet");
	th_expect_exit(&c, 2);
	assert_non_null(strstr(c.err, "missing"));
	th_child_free(&c);
	TH_RUN(&c, "run", "scenarios/textbook.yaml", "--report", dir, "--quiet");
	th_expect_exit(&c, 2);
	th_child_free(&c);
	names = th_list_dir(dir);
	assert_string_equal(names, "");
	free(names);
	th_tmpdir_remove(dir);
}

/* When the --out files cannot be written (--out names a file), no report
   is written either, and nothing temporary stays beside it. */
static void test_no_report_when_out_fails(void **state)
{
	char *dir = th_tmpdir("report-outfails"), report[512], file[512], *names;
	th_child c;

	(void)state;
	th_path(report, sizeof report, dir, "r.html");
	th_path(file, sizeof file, dir, "plain");
	th_write_file(file, "keep\n");
	TH_RUN(&c, "run", "scenarios/textbook.yaml", "--out", file, "--report", report, "--quiet",
	       "--replications", "10", "--customers", "300");
	th_expect_exit(&c, 1);
	names = th_list_dir(dir);
	assert_string_equal(names, "plain\n");
	free(names);
	th_child_free(&c);
	th_tmpdir_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks_catch_bad_markup),
		cmocka_unit_test(test_run_report),
		cmocka_unit_test(test_compare_report),
		cmocka_unit_test(test_sweep_report),
		cmocka_unit_test(test_tornado_report),
		cmocka_unit_test(test_solve_report),
		cmocka_unit_test(test_scenario_text_escaped),
		cmocka_unit_test(test_report_without_out),
		cmocka_unit_test(test_bad_report_refused),
		cmocka_unit_test(test_no_report_when_out_fails),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
