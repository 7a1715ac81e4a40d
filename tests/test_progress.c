/*
 * test_progress.c - the progress bar's time words, its ETA and end line,
 * and the one-line prediction of a long run (base/progress.h). The clock
 * is not waited on: a bar's start is set back by hand, so the measured
 * rate (and so every printed figure) is known.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"

static void test_duration_words(void **state)
{
	char buf[32];

	(void)state;
	progress_duration(0.2, buf, sizeof buf);
	assert_string_equal(buf, "0 s");
	progress_duration(45.4, buf, sizeof buf);
	assert_string_equal(buf, "45 s");
	progress_duration(59.7, buf, sizeof buf);
	assert_string_equal(buf, "1 min 00 s");
	progress_duration(200.0, buf, sizeof buf);
	assert_string_equal(buf, "3 min 20 s");
	progress_duration(7500.0, buf, sizeof buf);
	assert_string_equal(buf, "2 h 05 min");
	progress_duration(-3.0, buf, sizeof buf);
	assert_string_equal(buf, "0 s");
}

/* A bar started `ago` seconds back, writing into a memory stream. */
static FILE *bar_in_memory(progress_bar *p, bool draw, bool predict, double ago, char **text,
                           size_t *len)
{
	FILE *f = open_memstream(text, len);

	assert_non_null(f);
	progress_start(p, draw, predict, 1e9, "purchase steps", 2);
	p->out = f;
	p->t0 -= ago;
	return f;
}

/* 2 s for 1% of the work: 200 s in all, predicted once, with the rate. */
static void test_long_run_predicted_once(void **state)
{
	progress_bar p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = bar_in_memory(&p, false, true, 2.0, &text, &len);

	(void)state;
	progress_update(&p, 1.0, 100.0, 1, 100, "replication");
	progress_update(&p, 2.0, 100.0, 2, 100, "replication");
	fclose(f);
	assert_non_null(strstr(text, "clvsim: this run will take about 3 min 2")); /* 200 s and a little */
	assert_non_null(strstr(text, "1e+09 purchase steps"));
	assert_non_null(strstr(text, "on 2 threads"));
	assert_null(strstr(strstr(text, "about") + 1, "about")); /* once */
	assert_null(strchr(text, '[')); /* no bar asked for */
	free(text);
}

/* A short run (2 s for half the work) says nothing; nor before the pilot. */
static void test_short_run_not_predicted(void **state)
{
	progress_bar p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = bar_in_memory(&p, false, true, 2.0, &text, &len);

	(void)state;
	progress_update(&p, 50.0, 100.0, 50, 100, "replication");
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
	f = bar_in_memory(&p, false, true, 0.0, &text, &len); /* within the pilot: too early */
	progress_update(&p, 0.001, 100.0, 0, 100, "replication");
	fclose(f);
	assert_int_equal(len, 0);
	free(text);
}

/* The bar: its ETA from the rate (10 s for a quarter: 30 s to go), and at
   the end 100% with the time taken and a newline. */
static void test_bar_eta_and_end(void **state)
{
	progress_bar p;
	char *text = NULL;
	size_t len = 0;
	FILE *f = bar_in_memory(&p, true, false, 10.0, &text, &len);

	(void)state;
	progress_update(&p, 25.0, 100.0, 25, 100, "replication");
	fflush(f);
	assert_non_null(strstr(text, " 25%  replication 25/100  ETA 30 s"));
	p.t0 -= 10.0; /* 20 s in all */
	progress_update(&p, 100.0, 100.0, 100, 100, "replication");
	fclose(f);
	assert_non_null(strstr(text, "100%  replication 100/100  took 20 s"));
	assert_int_equal(text[len - 1], '\n');
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_words),
		cmocka_unit_test(test_long_run_predicted_once),
		cmocka_unit_test(test_short_run_not_predicted),
		cmocka_unit_test(test_bar_eta_and_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
