/*
 * fit_file.c - read a data file whole, hash it (see fit_file.h).
 * Stage: fit.
 */
#include "fit/fit_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <nettle/sha2.h>

void fit_sha256_hex(const void *data, size_t len, char hex[65])
{
	struct sha256_ctx ctx;
	uint8_t digest[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, sizeof digest, digest);
	for (i = 0; i < sizeof digest; i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
}

void fit_file_release(fit_file *f)
{
	free(f->text);
	f->text = NULL;
	f->len = 0;
}

clv_status fit_file_read(const char *path, fit_file *f, clv_error *err)
{
	FILE *in = fopen(path, "rb");
	struct stat st;
	clv_status rc = CLV_OK;

	memset(f, 0, sizeof *f);
	if (in == NULL)
		return diag_set_file(err, CLV_ERR_IO, path, "cannot open: %s", strerror(errno));
	if (fstat(fileno(in), &st) != 0 || S_ISDIR(st.st_mode)) {
		rc = diag_set_file(err, CLV_ERR_IO, path, "cannot read: %s",
		                   S_ISDIR(st.st_mode) ? "is a directory" : strerror(errno));
		goto cleanup;
	}
	if (st.st_size > FIT_MAX_FILE_BYTES) {
		rc = diag_set_file(err, CLV_ERR_LIMIT, path,
		                   "%lld bytes: larger than the limit of %ld MiB for a data file",
		                   (long long)st.st_size, FIT_MAX_FILE_BYTES / (1024 * 1024));
		goto cleanup;
	}
	f->text = malloc((size_t)st.st_size + 1);
	if (f->text == NULL) {
		rc = diag_set(err, CLV_ERR_NOMEM, NULL, "out of memory reading %s", path);
		goto cleanup;
	}
	f->len = fread(f->text, 1, (size_t)st.st_size + 1, in);
	if (ferror(in) || f->len > (size_t)st.st_size) {
		rc = diag_set_file(err, CLV_ERR_IO, path, "cannot read: %s",
		                   ferror(in) ? strerror(errno) : "the file grew while being read");
		goto cleanup;
	}
	f->text[f->len] = '\0';
	fit_sha256_hex(f->text, f->len, f->sha256);
cleanup:
	fclose(in);
	if (rc != CLV_OK)
		fit_file_release(f);
	return rc;
}
