/*
 * test_figure_check.c - a figure is whole or refused (output/figure_check):
 * a PNG built here chunk by chunk passes whole and fails cut at every
 * length short of its end (mid-IDAT is what a full disk gives) or with
 * bytes after IEND; SVG and PDF pass with their end and fail cut inside
 * it; the message names the file, its size and what is missing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output/figure_check.h"

static char path[64];

static int make_file(void **state)
{
	int fd;

	(void)state;
	snprintf(path, sizeof path, "/tmp/clvsim-test-figure-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	return 0;
}

static int drop_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void put(const unsigned char *bytes, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* Append a chunk (CRC left 0: it is not checked) to buf at *len. */
static void chunk(unsigned char *buf, size_t *len, const char *type, size_t data_len)
{
	unsigned char *p = buf + *len;

	p[0] = (unsigned char)(data_len >> 24);
	p[1] = (unsigned char)(data_len >> 16);
	p[2] = (unsigned char)(data_len >> 8);
	p[3] = (unsigned char)data_len;
	memcpy(p + 4, type, 4);
	memset(p + 8, 0x5a, data_len);
	memset(p + 8 + data_len, 0, 4);
	*len += 12 + data_len;
}

/* A PNG: signature, IHDR, two IDATs, IEND. Returns its length. */
static size_t make_png(unsigned char *buf)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	size_t len = 8;

	memcpy(buf, sig, 8);
	chunk(buf, &len, "IHDR", 13);
	chunk(buf, &len, "IDAT", 300);
	chunk(buf, &len, "IDAT", 77);
	chunk(buf, &len, "IEND", 0);
	return len;
}

static clv_status check(const char *name, clv_error *err)
{
	diag_clear(err);
	return figure_check(path, name, err);
}

static void png_whole_and_cut(void **state)
{
	unsigned char png[512];
	size_t len = make_png(png), cut;
	clv_error err = {0};

	(void)state;
	put(png, len);
	assert_int_equal(check("fig.png", &err), CLV_OK);
	for (cut = 0; cut < len; cut++) {
		put(png, cut);
		if (check("fig.png", &err) != CLV_ERR_IO)
			fail_msg("a PNG cut at %zu of %zu bytes passed", cut, len);
		assert_non_null(strstr(err.msg, "fig.png"));
	}
	put(png, 8 + 25 + 100); /* mid-IDAT */
	check("share_fan.png", &err);
	assert_non_null(strstr(err.msg, "share_fan.png is incomplete: 133 bytes"));
	assert_non_null(strstr(err.msg, "no IEND"));
	png[len] = '\n';
	put(png, len + 1);
	assert_int_equal(check("fig.png", &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "after the IEND"));
	memcpy(png + 12, "IDAT", 4); /* IHDR must come first */
	put(png, len);
	assert_int_equal(check("fig.png", &err), CLV_ERR_IO);
}

static void text_formats_need_their_end(void **state)
{
	static const char svg[] = "<?xml version=\"1.0\"?>\n<svg width=\"8\">\n<g></g>\n</svg>\n\n";
	static const char pdf[] = "%PDF-1.5\n1 0 obj\n<< >>\nendobj\nstartxref\n7376\n%%EOF\n";
	clv_error err = {0};
	size_t cut;

	(void)state;
	put((const unsigned char *)svg, strlen(svg));
	assert_int_equal(check("a.svg", &err), CLV_OK);
	for (cut = strlen(svg) - 9; cut < strlen(svg) - 2; cut++) {
		put((const unsigned char *)svg, cut);
		assert_int_equal(check("a.svg", &err), CLV_ERR_IO);
		assert_non_null(strstr(err.msg, "</svg>"));
	}
	put((const unsigned char *)pdf, strlen(pdf));
	assert_int_equal(check("a.pdf", &err), CLV_OK);
	for (cut = strlen(pdf) - 7; cut < strlen(pdf) - 1; cut++) {
		put((const unsigned char *)pdf, cut);
		assert_int_equal(check("a.pdf", &err), CLV_ERR_IO);
		assert_non_null(strstr(err.msg, "%%EOF"));
	}
	put((const unsigned char *)pdf + 1, strlen(pdf) - 1);
	assert_int_equal(check("a.pdf", &err), CLV_ERR_IO);
}

static void other_files_need_bytes(void **state)
{
	clv_error err = {0};

	(void)state;
	put((const unsigned char *)"", 0);
	assert_int_equal(check("echo.txt", &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "empty"));
	put((const unsigned char *)"x", 1);
	assert_int_equal(check("echo.txt", &err), CLV_OK);
	unlink(path);
	assert_int_equal(check("x.png", &err), CLV_ERR_IO);
	assert_non_null(strstr(err.msg, "was not written"));
	assert_false(figure_disk_full("/tmp"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(png_whole_and_cut, make_file, drop_file),
		cmocka_unit_test_setup_teardown(text_formats_need_their_end, make_file, drop_file),
		cmocka_unit_test_setup_teardown(other_files_need_bytes, make_file, drop_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
