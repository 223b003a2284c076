/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "file.h"
#include "hex.h"

#define REF_TEXT_LEN (2 * MS_SHA256_LEN + 1) /* hex and a newline */

static int key_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '-' || c == '/';
}

enum ms_status ms_cache_key_check(const char *key, struct ms_err *err)
{
	size_t len = key ? strlen(key) : 0;

	if (len == 0 || len > MS_CACHE_KEY_MAX)
		return ms_fail(err, MS_BAD_INPUT, "cache key: length %zu, not 1 to %d", len,
			       MS_CACHE_KEY_MAX);
	for (size_t i = 0; i < len; i++) {
		int starts_component = i == 0 || key[i - 1] == '/';

		if (!key_char_ok(key[i]))
			return ms_fail(err, MS_BAD_INPUT,
				       "cache key '%.*s': character 0x%02x at offset %zu not allowed", 64,
				       key, (unsigned char)key[i], i);
		if (starts_component && key[i] == '/')
			return ms_fail(err, MS_BAD_INPUT, "cache key '%.64s': empty component at offset %zu",
				       key, i);
		if (starts_component && key[i] == '.')
			return ms_fail(err, MS_BAD_INPUT,
				       "cache key '%.64s': component starting with '.' at offset %zu", key, i);
	}
	if (key[len - 1] == '/')
		return ms_fail(err, MS_BAD_INPUT, "cache key '%.64s': trailing '/'", key);
	return MS_OK;
}

static char *join(const char *a, const char *b, const char *c)
{
	size_t n = strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3;
	char *s = malloc(n);

	if (s)
		snprintf(s, n, "%s/%s%s%s", a, b, c ? "/" : "", c ? c : "");
	return s;
}

/* mkdir -p path (each component from the first), mode 0700. */
static enum ms_status make_dirs(const char *path, struct ms_err *err)
{
	enum ms_status st = MS_OK;
	char *copy = strdup(path);

	if (!copy)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			st = ms_fail(err, MS_BAD_INPUT, "cache: cannot create directory %s: %s", copy,
				     strerror(errno));
			goto out;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
out:
	free(copy);
	return st;
}

static enum ms_status write_all(int fd, const uint8_t *data, size_t len, const char *path,
				struct ms_err *err)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ms_fail(err, MS_BAD_INPUT, "cache: cannot write %s: %s", path,
				       n < 0 ? strerror(errno) : "short write");
		data += n;
		len -= (size_t)n;
	}
	return MS_OK;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Writes data as path: temporary file in path's directory, fsync, rename. */
static enum ms_status write_atomically(const char *path, const uint8_t *data, size_t len,
				       struct ms_err *err)
{
	enum ms_status st = MS_OK;
	char *dir = strdup(path);
	char *tmp = NULL;
	int fd = -1;

	if (!dir)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	char *slash = strrchr(dir, '/');

	if (slash)
		*slash = '\0';
	st = make_dirs(dir, err);
	if (st)
		goto out;
	tmp = join(dir, ".tmp-XXXXXX", NULL);
	if (!tmp) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		st = ms_fail(err, MS_BAD_INPUT, "cache: cannot create a file in %s: %s", dir,
			     strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	st = write_all(fd, data, len, tmp, err);
	if (st)
		goto out;
	if (fsync(fd) < 0) {
		st = ms_fail(err, MS_BAD_INPUT, "cache: cannot sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (close(fd) < 0) {
		fd = -1;
		st = ms_fail(err, MS_BAD_INPUT, "cache: cannot close %s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0) {
		st = ms_fail(err, MS_BAD_INPUT, "cache: cannot rename %s to %s: %s", tmp, path,
			     strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	sync_dir(dir);
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	return st;
}

enum ms_status ms_cache_put(const char *dir, const char *key, const uint8_t *data, size_t len,
			    struct ms_err *err)
{
	enum ms_status st;
	uint8_t digest[MS_SHA256_LEN];
	char hex[2 * MS_SHA256_LEN + 1];
	char ref_text[REF_TEXT_LEN + 1];
	char *blob_path = NULL, *ref_path = NULL;

	st = ms_cache_key_check(key, err);
	if (st)
		goto out;
	if (len > MS_CACHE_BLOB_MAX) {
		st = ms_fail(err, MS_BAD_INPUT, "cache: %s: %zu bytes, larger than the %zu-byte limit",
			     key, len, MS_CACHE_BLOB_MAX);
		goto out;
	}
	ms_sha256(data, len, digest);
	ms_hex_encode(digest, sizeof(digest), hex);
	blob_path = join(dir, "blobs/sha256", hex);
	ref_path = join(dir, "refs", key);
	if (!blob_path || !ref_path) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	st = write_atomically(blob_path, data, len, err);
	if (st)
		goto out;
	snprintf(ref_text, sizeof(ref_text), "%s\n", hex);
	st = write_atomically(ref_path, (const uint8_t *)ref_text, REF_TEXT_LEN, err);
out:
	free(blob_path);
	free(ref_path);
	return st;
}

/* A cache entry is a regular file: a FIFO or a device in its place would block or never end. */
static enum ms_status regular_file(const char *path, struct ms_err *err)
{
	struct stat sb;

	if (stat(path, &sb) < 0)
		return ms_fail(err, MS_BAD_INPUT, "%s", strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return ms_fail(err, MS_BAD_INPUT, "not a regular file");
	return MS_OK;
}

/*
 * Each directory from the cache's own down to the entry's must be owned by this user (or root) and
 * writable by no one else: another user who can rename entries could put an older collateral
 * file (a CRL that predates a revocation, say) in place of the newer one.
 */
static enum ms_status trusted_dirs(const char *dir, const char *path, struct ms_err *err)
{
	size_t root_len = strlen(dir);
	char *copy = strdup(path);
	enum ms_status st = MS_OK;
	struct stat sb;

	if (!copy)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	for (char *slash = strrchr(copy, '/'); slash && (size_t)(slash - copy) >= root_len; slash = strrchr(copy, '/')) {
		*slash = '\0';
		if (stat(copy, &sb) < 0) {
			if (errno == ENOENT)
				continue;
			st = ms_fail(err, MS_BAD_INPUT, "cache directory %s: %s", copy, strerror(errno));
			break;
		}
		if (!S_ISDIR(sb.st_mode)) {
			st = ms_fail(err, MS_BAD_INPUT, "cache directory %s: not a directory", copy);
			break;
		}
		if (sb.st_uid != geteuid() && sb.st_uid != 0) {
			st = ms_fail(err, MS_BAD_INPUT, "cache directory %s: owned by uid %u, not by this user (uid %u) or root",
				     copy, (unsigned)sb.st_uid, (unsigned)geteuid());
			break;
		}
		if (sb.st_mode & (S_IWGRP | S_IWOTH)) {
			st = ms_fail(err, MS_BAD_INPUT, "cache directory %s: writable by group or others (mode %04o)", copy,
				     (unsigned)(sb.st_mode & 07777));
			break;
		}
		if ((size_t)(slash - copy) == root_len)
			break;
	}
	free(copy);
	return st;
}

enum ms_status ms_cache_ref(const char *dir, const char *key, uint8_t digest[MS_SHA256_LEN],
			    struct ms_err *err)
{
	enum ms_status st;
	char *ref_path = NULL;
	uint8_t *text = NULL;
	size_t len = 0;
	struct ms_err load_err = { 0 };

	st = ms_cache_key_check(key, err);
	if (st)
		goto out;
	ref_path = join(dir, "refs", key);
	if (!ref_path) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((st = trusted_dirs(dir, ref_path, err)))
		goto out;
	if (access(ref_path, F_OK) < 0 && errno == ENOENT) {
		st = ms_fail(err, MS_NO_COLLATERAL, "%s: not in the cache %s", key, dir);
		goto out;
	}
	st = regular_file(ref_path, &load_err);
	if (!st)
		st = ms_file_load(ref_path, 4096, &text, &len, &load_err);
	if (st) {
		st = ms_fail(err, MS_BAD_INPUT, "cache ref %s: %s", ref_path, load_err.msg);
		goto out;
	}
	if (len != REF_TEXT_LEN || text[REF_TEXT_LEN - 1] != '\n') {
		st = ms_fail(err, MS_BAD_INPUT, "cache ref %s: %zu bytes, not 64 hex digits and a newline",
			     ref_path, len);
		goto out;
	}
	text[REF_TEXT_LEN - 1] = '\0';
	for (size_t i = 0; i < 2 * MS_SHA256_LEN; i++) {
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'))) {
			st = ms_fail(err, MS_BAD_INPUT,
				     "cache ref %s: offset %zu is not a lowercase hex digit", ref_path, i);
			goto out;
		}
	}
	st = ms_hex_decode((const char *)text, digest, MS_SHA256_LEN, "cache ref", err);
out:
	free(ref_path);
	free(text);
	return st;
}

enum ms_status ms_cache_get(const char *dir, const char *key, uint8_t **data, size_t *len,
			    struct ms_err *err)
{
	enum ms_status st;
	uint8_t want[MS_SHA256_LEN], got[MS_SHA256_LEN];
	char want_hex[2 * MS_SHA256_LEN + 1], got_hex[2 * MS_SHA256_LEN + 1];
	char *blob_path = NULL;
	struct ms_err load_err = { 0 };

	*data = NULL;
	*len = 0;
	st = ms_cache_ref(dir, key, want, err);
	if (st)
		goto out;
	ms_hex_encode(want, sizeof(want), want_hex);
	blob_path = join(dir, "blobs/sha256", want_hex);
	if (!blob_path) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	if ((st = trusted_dirs(dir, blob_path, err)))
		goto out;
	st = regular_file(blob_path, &load_err);
	if (!st)
		st = ms_file_load(blob_path, MS_CACHE_BLOB_MAX, data, len, &load_err);
	if (st) {
		st = ms_fail(err, MS_BAD_INPUT, "cache blob %s (for %s): %s", blob_path, key,
			     load_err.msg);
		goto out;
	}
	ms_sha256(*data, *len, got);
	if (memcmp(got, want, sizeof(got)) != 0) {
		ms_hex_encode(got, sizeof(got), got_hex);
		st = ms_fail(err, MS_BAD_INPUT, "cache blob %s (for %s) is corrupted: its sha256 is %s",
			     blob_path, key, got_hex);
		goto out;
	}
out:
	if (st) {
		free(*data);
		*data = NULL;
		*len = 0;
	}
	free(blob_path);
	return st;
}
