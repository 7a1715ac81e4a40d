/*
 * textout.c - stage output: reports built in memory, written to stdout
 * in one piece (textout.h).
 */
#include "output/textout.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

clv_status textout_write(const char *text, size_t len, clv_error *err)
{
	if (fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0)
		return diag_set(err, CLV_ERR_IO, NULL, "cannot write to standard output: %s",
		                strerror(errno));
	return CLV_OK;
}

FILE *textout_open(textout *t, clv_error *err)
{
	t->buf = NULL;
	t->len = 0;
	t->f = open_memstream(&t->buf, &t->len);
	if (t->f == NULL)
		diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the report");
	return t->f;
}

clv_status textout_print(textout *t, clv_error *err)
{
	clv_status rc;

	if (fclose(t->f) != 0) {
		free(t->buf);
		return diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory for the report");
	}
	rc = textout_write(t->buf, t->len, err);
	free(t->buf);
	return rc;
}
