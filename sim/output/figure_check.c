/*
 * figure_check.c - stage output: a figure is whole or it is not committed
 * (figure_check.h).
 *
 * Method. PNG (ISO/IEC 15948, section 5): an 8-byte signature, then
 * chunks of a 4-byte big-endian length, a 4-byte type, the data and a
 * 4-byte CRC; the first chunk is IHDR and the last IEND (length 0). The
 * chunk chain is walked by seeking over each chunk's data, so the check
 * reads a few bytes per chunk whatever the image size, and a file cut
 * anywhere (mid-IDAT is what a full disk gives) fails: the chain runs
 * past the end, or stops before an IEND. The CRCs are not recomputed
 * (a cut, not corruption, is the failure being caught). SVG and PDF are
 * text formats whose writers (gnuplot's svg and pdfcairo terminals) end
 * them with "</svg>" and "%%EOF": a cut file lacks that end.
 */
#include "output/figure_check.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define TAIL_BYTES 64           /* how much of a text format's end is read */
#define FULL_BELOW (64 * 1024.0) /* bytes free under which a disk is full */

static unsigned long be32(const unsigned char *p)
{
	return ((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) |
	       ((unsigned long)p[2] << 8) | (unsigned long)p[3];
}

/* NULL when the PNG in f (of `size` bytes) is whole, else what is wrong. */
static const char *png_problem(FILE *f, long size)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char head[8];
	long at = 8;
	bool first = true;

	if (fread(head, 1, 8, f) != 8 || memcmp(head, sig, 8) != 0)
		return "no PNG signature";
	while (at + 12 <= size) {
		unsigned long len;
		if (fseek(f, at, SEEK_SET) != 0 || fread(head, 1, 8, f) != 8)
			return "unreadable chunk header";
		len = be32(head);
		if (first && memcmp(head + 4, "IHDR", 4) != 0)
			return "the first chunk is not IHDR";
		first = false;
		if (len > 0x7fffffffUL || at + 12 + (long)len > size)
			return "cut inside a chunk (no IEND)";
		at += 12 + (long)len;
		if (memcmp(head + 4, "IEND", 4) == 0)
			return at == size ? NULL : "data after the IEND chunk";
	}
	return "cut between chunks (no IEND)";
}

/* NULL when the last non-blank bytes of f are `end`, else what is wrong. */
static const char *tail_problem(FILE *f, long size, const char *end, const char *missing)
{
	char tail[TAIL_BYTES + 1];
	long from = size > TAIL_BYTES ? size - TAIL_BYTES : 0;
	size_t n, k = strlen(end);

	if (fseek(f, from, SEEK_SET) != 0)
		return "unreadable";
	n = fread(tail, 1, (size_t)(size - from), f);
	while (n > 0 && (tail[n - 1] == '\n' || tail[n - 1] == '\r' || tail[n - 1] == ' ' ||
	                 tail[n - 1] == '\t'))
		n--;
	if (n < k || memcmp(tail + n - k, end, k) != 0)
		return missing;
	return NULL;
}

static const char *pdf_problem(FILE *f, long size)
{
	char head[5];

	if (fread(head, 1, 5, f) != 5 || memcmp(head, "%PDF-", 5) != 0)
		return "no %PDF- header";
	return tail_problem(f, size, "%%EOF", "no %%EOF at its end");
}

/* The problem of f by the extension of name; NULL when whole. */
static const char *problem(FILE *f, long size, const char *name)
{
	const char *ext = strrchr(name, '.');

	if (size == 0)
		return "empty";
	if (ext == NULL)
		return NULL;
	if (strcasecmp(ext, ".png") == 0)
		return png_problem(f, size);
	if (strcasecmp(ext, ".svg") == 0)
		return tail_problem(f, size, "</svg>", "no closing </svg>");
	if (strcasecmp(ext, ".pdf") == 0)
		return pdf_problem(f, size);
	return NULL;
}

clv_status figure_check(const char *path, const char *name, clv_error *err)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	const char *why;

	if (f == NULL || fstat(fileno(f), &st) != 0) {
		int e = errno;
		if (f != NULL)
			fclose(f);
		return diag_set(err, CLV_ERR_IO, NULL, "%s was not written: %s", name, strerror(e));
	}
	why = problem(f, (long)st.st_size, name);
	fclose(f);
	if (why == NULL)
		return CLV_OK;
	return diag_set(err, CLV_ERR_IO, NULL, "%s is incomplete: %lld bytes, %s", name,
	                (long long)st.st_size, why);
}

bool figure_disk_full(const char *dir)
{
	struct statvfs v;

	if (statvfs(dir != NULL && dir[0] != '\0' ? dir : ".", &v) != 0)
		return errno == ENOSPC;
	return (double)v.f_bavail * (double)v.f_frsize < FULL_BELOW;
}
