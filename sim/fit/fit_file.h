/*
 * fit_file.h - a data file read whole into memory, with its size limit
 * checked before reading and its SHA-256 (nettle) for the fitted
 * scenario's header. Stage: fit.
 */
#ifndef CLV_FIT_FILE_H
#define CLV_FIT_FILE_H

#include <stddef.h>

#include "clvsim.h"
#include "base/diag.h"

/* Largest data file read (bytes): refused before reading beyond it. */
#define FIT_MAX_FILE_BYTES (256L * 1024 * 1024)

typedef struct fit_file {
	char *text;       /* the bytes, NUL-terminated (owned) */
	size_t len;
	char sha256[65];  /* lower-case hex of SHA-256(text[0..len-1]) */
} fit_file;

/* Read path whole. CLV_ERR_IO naming the path with the system's reason
   (missing, unreadable, a folder), CLV_ERR_LIMIT over FIT_MAX_FILE_BYTES,
   CLV_ERR_NOMEM. On failure f holds nothing to free. */
clv_status fit_file_read(const char *path, fit_file *f, clv_error *err);

/* Free what f holds; f may be zeroed. */
void fit_file_release(fit_file *f);

/* Hex SHA-256 of len bytes at data into hex[65]. */
void fit_sha256_hex(const void *data, size_t len, char hex[65]);

#endif
