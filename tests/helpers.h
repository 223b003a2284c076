/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the cmocka tests: fixture loading and in-memory files. */
#ifndef MS_TEST_HELPERS_H
#define MS_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/file.h"
#include "../common/hex.h"

static inline char *test_path(const char *env, const char *dflt, const char *rel)
{
	const char *base = getenv(env);
	char *p;

	if (!base)
		base = dflt;
	p = malloc(strlen(base) + strlen(rel) + 2);
	assert_non_null(p);
	sprintf(p, "%s/%s", base, rel);
	return p;
}

/* Loads fixtures/REL; fails the test when missing. */
static inline uint8_t *load_fixture(const char *rel, size_t *len)
{
	char *path = test_path("MEASURE_FIXTURES", "fixtures", rel);
	uint8_t *buf = NULL;
	struct ms_err err = { 0 };

	if (ms_file_load(path, 1u << 30, &buf, len, &err))
		fail_msg("%s: %s", path, err.msg);
	free(path);
	return buf;
}

/* An anonymous file holding len bytes of buf, positioned at 0. */
static inline int memfile(const void *buf, size_t len)
{
	int fd = memfd_create("test", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static inline void assert_hex_equal(const uint8_t *bytes, size_t len, const char *hex)
{
	char *got = ms_hex_alloc(bytes, len);

	assert_non_null(got);
	assert_string_equal(got, hex);
	free(got);
}

#endif
