/*
 * json_write.c - a jansson tree to text with shortest round-trip reals
 * (output stage; layout in json_write.h). Recursion depth is the tree's
 * depth, a handful of levels in every report.
 */
#include "output/json_write.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "base/shortest.h"

static void indent(FILE *f, int depth)
{
	putc('\n', f);
	for (int k = 0; k < depth; k++)
		fputs("  ", f);
}

static void write_string(FILE *f, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t k;

	putc('"', f);
	for (k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\b': fputs("\\b", f); break;
		case '\f': fputs("\\f", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20) {
				fputs("\\u00", f);
				putc(hex[c >> 4], f);
				putc(hex[c & 15], f);
			} else
				putc(c, f);
		}
	}
	putc('"', f);
}

static void write_real(FILE *f, double x)
{
	char buf[SHORTEST_MAX];

	fputs(shortest_format(x, buf) ? buf : "null", f);
}

static void write_value(FILE *f, json_t *v, int depth)
{
	const char *key;
	size_t k, n;
	bool first = true;
	json_t *item;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (json_object_size(v) == 0) {
			fputs("{}", f);
			return;
		}
		putc('{', f);
		json_object_foreach(v, key, item) {
			if (!first)
				putc(',', f);
			first = false;
			indent(f, depth + 1);
			write_string(f, key, strlen(key));
			fputs(": ", f);
			write_value(f, item, depth + 1);
		}
		indent(f, depth);
		putc('}', f);
		return;
	case JSON_ARRAY:
		n = json_array_size(v);
		if (n == 0) {
			fputs("[]", f);
			return;
		}
		putc('[', f);
		for (k = 0; k < n; k++) {
			if (k > 0)
				putc(',', f);
			indent(f, depth + 1);
			write_value(f, json_array_get(v, k), depth + 1);
		}
		indent(f, depth);
		putc(']', f);
		return;
	case JSON_STRING:
		write_string(f, json_string_value(v), json_string_length(v));
		return;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return;
	case JSON_REAL:
		write_real(f, json_real_value(v));
		return;
	case JSON_TRUE:
		fputs("true", f);
		return;
	case JSON_FALSE:
		fputs("false", f);
		return;
	case JSON_NULL:
	default:
		fputs("null", f);
		return;
	}
}

void json_write(FILE *f, json_t *v)
{
	write_value(f, v, 0);
}
