/*
 * test_json_write.c - the JSON serialiser of every --format json
 * (output/json_write.c): the exact layout, shortest round-trip reals,
 * whole reals as integers, escapes, and a tree that reads back equal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "output/json_write.h"

static char *text_of(json_t *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	json_write(f, v);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void layout_and_numbers(void **state)
{
	json_t *doc = json_object(), *a = json_array();
	char *got;

	(void)state;
	json_object_set_new(doc, "schema", json_integer(1));
	json_object_set_new(doc, "purchases_per_period", json_real(1.0));
	json_object_set_new(doc, "annual", json_real(0.1));
	json_object_set_new(doc, "third", json_real(1.0 / 3.0));
	json_object_set_new(doc, "tiny", json_real(5e-324));
	json_object_set_new(doc, "big", json_real(DBL_MAX));
	json_object_set_new(doc, "neg_zero", json_real(-0.0));
	json_object_set_new(doc, "currency", json_null());
	json_array_append_new(a, json_true());
	json_array_append_new(a, json_false());
	json_array_append_new(a, json_array());
	json_array_append_new(a, json_object());
	json_object_set_new(doc, "list", a);
	json_object_set_new(doc, "text", json_string("say \"hi\"\\\n\t\x01 caf\xc3\xa9 a/b"));
	got = text_of(doc);
	assert_string_equal(got,
		"{\n"
		"  \"schema\": 1,\n"
		"  \"purchases_per_period\": 1,\n"
		"  \"annual\": 0.1,\n"
		"  \"third\": 0.3333333333333333,\n"
		"  \"tiny\": 5e-324,\n"
		"  \"big\": 1.7976931348623157e308,\n"
		"  \"neg_zero\": 0,\n"
		"  \"currency\": null,\n"
		"  \"list\": [\n"
		"    true,\n"
		"    false,\n"
		"    [],\n"
		"    {}\n"
		"  ],\n"
		"  \"text\": \"say \\\"hi\\\"\\\\\\n\\t\\u0001 caf\xc3\xa9 a/b\"\n"
		"}");
	free(got);
	json_decref(doc);
}

/* Every real reads back (jansson's strtod) to the same double, and the
   document parses back to the same tree. */
static void reads_back(void **state)
{
	json_t *doc = json_object(), *a = json_array(), *back;
	json_error_t jerr;
	char *got;
	size_t k;
	double x = 0.1;

	(void)state;
	for (k = 0; k < 2000; k++) {
		json_array_append_new(a, json_real(x));
		x = x * 1.37 + 1.0 / (double)(k + 3);
		if (x > 1e12)
			x = 1e-9 * (double)k;
	}
	json_object_set_new(doc, "values", a);
	json_object_set_new(doc, "name", json_string("Brand \"A\""));
	got = text_of(doc);
	back = json_loads(got, 0, &jerr);
	assert_non_null(back);
	assert_string_equal(json_string_value(json_object_get(back, "name")), "Brand \"A\"");
	a = json_object_get(back, "values");
	assert_int_equal(json_array_size(a), 2000);
	for (k = 0; k < 2000; k++)
		assert_true(json_number_value(json_array_get(a, k)) ==
		            json_real_value(json_array_get(json_object_get(doc, "values"), k)));
	json_decref(back);
	free(got);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layout_and_numbers),
		cmocka_unit_test(reads_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
