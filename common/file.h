/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_FILE_H
#define MS_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <errno.h>

#include "status.h"

/* An open input: a regular file or a stream (stdin, a pipe). */
struct ms_file {
	int fd;
	const char *name; /* as given on the command line; "-" is stdin */
	bool regular;     /* size is known and pread works */
	uint64_t size;    /* valid when regular */
};

/*
 * Opens name (relative to dirfd, or AT_FDCWD) read-only and only if it is a
 * regular file: opened non-blocking, so a FIFO in its place cannot hang the
 * open, then checked with fstat, then made blocking again. extra_flags are
 * added to O_RDONLY | O_CLOEXEC | O_NONBLOCK (O_NOFOLLOW, say). -1 and errno
 * otherwise; errno MS_ENOTREG when it is not a regular file (ms_open_error
 * names it).
 */
#define MS_ENOTREG ENOSTR
int ms_open_regular_at(int dirfd, const char *name, int extra_flags);
/* strerror(e), or "not a regular file" for MS_ENOTREG. */
const char *ms_open_error(int e);

/* Opens path for reading ("-" is stdin); refuses directories. */
enum ms_status ms_file_open(struct ms_file *f, const char *path, struct ms_err *err);
void ms_file_close(struct ms_file *f);

/*
 * Reads up to len bytes, retrying short reads; *got < len only at end of
 * file.
 */
enum ms_status ms_file_read(struct ms_file *f, void *buf, size_t len, size_t *got,
			    struct ms_err *err);

/*
 * Reads the whole input into a new buffer (NUL-terminated for text
 * convenience, not counted in *len). Inputs larger than max are refused,
 * streams after reading at most max + 1 bytes into at most max + 2 bytes of
 * memory. On failure *buf is NULL and *len 0.
 */
enum ms_status ms_file_slurp(struct ms_file *f, size_t max, uint8_t **buf, size_t *len,
			     struct ms_err *err);

/* Opens, slurps and closes path (*buf is NULL and *len 0 on failure). */
enum ms_status ms_file_load(const char *path, size_t max, uint8_t **buf, size_t *len,
			    struct ms_err *err);

/*
 * Hashes the whole input with bounded memory; *size receives its length.
 * alg is an enum ms_hash_alg. Inputs larger than max bytes are refused: a
 * regular file before reading, a stream (pipe, device) after max + 1 bytes.
 */
enum ms_status ms_file_digest(const char *path, int alg, uint64_t max, uint8_t *out, uint64_t *size,
			      struct ms_err *err);

/*
 * A read-only view of a whole input: mapped when it is a regular file (no
 * copy), read into memory otherwise. Inputs larger than max are refused. *m
 * is empty on every failure; ms_file_unmap is safe on it either way.
 */
struct ms_mapping {
	const uint8_t *data;
	size_t len;
	bool mapped;
};
enum ms_status ms_file_map(const char *path, size_t max, struct ms_mapping *m, struct ms_err *err);
void ms_file_unmap(struct ms_mapping *m);

/* The last path component, for manifests (no absolute paths). */
const char *ms_basename(const char *path);

#endif
