/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The collateral cache: key rules, layout, corruption. Digests are the FIPS
 * 180-2 examples (SHA-256 of "abc" and of the empty string).
 */
#include "../helpers.h"

#include <dirent.h>
#include <sys/stat.h>

#include "../../common/cache.h"

#define SHA256_ABC "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static char *make_dir(void)
{
	char tmpl[] = "/tmp/test_cache.XXXXXX";
	char *d = mkdtemp(tmpl);

	assert_non_null(d);
	return strdup(d);
}

static void remove_tree(const char *path)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void keys(void **state)
{
	static const char *const good[] = {
		"intel/tdx/tcbinfo/00906ed50000",
		"intel/tdx/tcbinfo/00906ed50000.issuer-chain",
		"intel/tdx/qe-identity",
		"intel/pckcrl/platform",
		"intel/rootcrl",
		"amd/Milan/vcek/0a1b/0300000000000873",
		"amd/Genoa/cert_chain",
		"a",
		"x_y-z.1",
	};
	static const char *const bad[] = {
		"", "/etc/passwd", "../x", "a/../b", "a/..", "a/./b", ".", "a/.hidden", "a//b",
		"a/", "a b", "a\\b", "a\nb", "amd/Milan/vcek/\xff", "a:b", "a%2fb",
	};
	char longkey[MS_CACHE_KEY_MAX + 2];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct ms_err err = { 0 };

		if (ms_cache_key_check(good[i], &err) != MS_OK)
			fail_msg("refused %s: %s", good[i], err.msg);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ms_cache_key_check(bad[i], NULL) != MS_BAD_INPUT)
			fail_msg("accepted '%s'", bad[i]);
	memset(longkey, 'k', sizeof(longkey) - 1);
	longkey[sizeof(longkey) - 1] = '\0';
	assert_int_equal(ms_cache_key_check(longkey, NULL), MS_BAD_INPUT);
	longkey[MS_CACHE_KEY_MAX] = '\0';
	assert_int_equal(ms_cache_key_check(longkey, NULL), MS_OK);
	assert_int_equal(ms_cache_key_check(NULL, NULL), MS_BAD_INPUT);
}

static void round_trip(void **state)
{
	char *dir = make_dir();
	char path[512];
	struct ms_err err = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;
	uint8_t digest[MS_SHA256_LEN];
	char hex[2 * MS_SHA256_LEN + 1];
	struct stat st;

	(void)state;
	assert_int_equal(ms_cache_get(dir, "amd/Milan/crl", &data, &len, &err), MS_NO_COLLATERAL);
	assert_null(data);
	assert_non_null(strstr(err.msg, "amd/Milan/crl"));

	assert_int_equal(ms_cache_put(dir, "amd/Milan/crl", (const uint8_t *)"abc", 3, &err), MS_OK);
	snprintf(path, sizeof(path), "%s/blobs/sha256/" SHA256_ABC, dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 3);
	assert_int_equal(ms_cache_ref(dir, "amd/Milan/crl", digest, &err), MS_OK);
	ms_hex_encode(digest, sizeof(digest), hex);
	assert_string_equal(hex, SHA256_ABC);
	assert_int_equal(ms_cache_get(dir, "amd/Milan/crl", &data, &len, &err), MS_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(data, "abc", 3);
	free(data);

	/* A second key on the same content shares the blob; a key can be repointed. */
	assert_int_equal(ms_cache_put(dir, "amd/Genoa/crl", (const uint8_t *)"abc", 3, &err), MS_OK);
	assert_int_equal(ms_cache_put(dir, "amd/Milan/crl", (const uint8_t *)"", 0, &err), MS_OK);
	assert_int_equal(ms_cache_ref(dir, "amd/Milan/crl", digest, &err), MS_OK);
	ms_hex_encode(digest, sizeof(digest), hex);
	assert_string_equal(hex, SHA256_EMPTY);
	assert_int_equal(ms_cache_get(dir, "amd/Milan/crl", &data, &len, &err), MS_OK);
	assert_int_equal(len, 0);
	free(data);
	assert_int_equal(ms_cache_get(dir, "amd/Genoa/crl", &data, &len, &err), MS_OK);
	assert_int_equal(len, 3);
	free(data);

	/* No temporary file is left beside the blobs or refs. */
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	DIR *d = opendir(path);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, ".tmp", 4) == 0)
			fail_msg("left behind: %s", e->d_name);
	closedir(d);

	assert_int_equal(ms_cache_put(dir, "../escape", (const uint8_t *)"x", 1, &err), MS_BAD_INPUT);
	assert_int_equal(ms_cache_get(dir, "/etc/passwd", &data, &len, &err), MS_BAD_INPUT);
	remove_tree(dir);
	free(dir);
}

static void corruption(void **state)
{
	char *dir = make_dir();
	char path[512];
	struct ms_err err = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ms_cache_put(dir, "intel/rootcrl", (const uint8_t *)"abc", 3, &err), MS_OK);

	/* The blob changed under its name. */
	snprintf(path, sizeof(path), "%s/blobs/sha256/" SHA256_ABC, dir);
	write_file(path, "abd");
	assert_int_equal(ms_cache_get(dir, "intel/rootcrl", &data, &len, &err), MS_BAD_INPUT);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "corrupted"));

	/* The blob is gone. */
	unlink(path);
	assert_int_equal(ms_cache_get(dir, "intel/rootcrl", &data, &len, &err), MS_BAD_INPUT);

	/* Refs that are not 64 lowercase hex digits and a newline. */
	static const char *const bad_refs[] = {
		"", "\n", SHA256_ABC, SHA256_ABC "\n\n",
		"BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n",
		"../../../../etc/passwd\n",
		"zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
	};
	snprintf(path, sizeof(path), "%s/refs/intel/rootcrl", dir);
	for (size_t i = 0; i < sizeof(bad_refs) / sizeof(bad_refs[0]); i++) {
		write_file(path, bad_refs[i]);
		if (ms_cache_get(dir, "intel/rootcrl", &data, &len, &err) != MS_BAD_INPUT)
			fail_msg("ref %zu accepted", i);
	}
	remove_tree(dir);
	free(dir);
}

/* A directory on the way to an entry that others may write is refused: they could swap in older collateral. */
static void others_may_write(void **state)
{
	static const char *const sub[] = { "", "/refs", "/refs/intel", "/blobs/sha256" };
	char *dir = make_dir();
	char path[512];
	struct ms_err err = { 0 };
	uint8_t *data = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(ms_cache_put(dir, "intel/rootcrl", (const uint8_t *)"abc", 3, &err), MS_OK);
	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, sub[i]);
		for (mode_t mode = 0720; mode <= 0702; mode = mode == 0720 ? 0702 : 01000) {
			assert_int_equal(chmod(path, mode), 0);
			if (ms_cache_get(dir, "intel/rootcrl", &data, &len, &err) != MS_BAD_INPUT)
				fail_msg("%s with mode %o accepted", path, (unsigned)mode);
			assert_non_null(strstr(err.msg, "writable by group or others"));
			assert_non_null(strstr(err.msg, path));
		}
		assert_int_equal(chmod(path, 0700), 0);
	}
	assert_int_equal(ms_cache_get(dir, "intel/rootcrl", &data, &len, &err), MS_OK);
	free(data);
	/* a missing entry under a directory others may write is refused too, not "not in the cache" */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(ms_cache_get(dir, "amd/Milan/crl", &data, &len, &err), MS_BAD_INPUT);
	assert_int_equal(chmod(dir, 0700), 0);
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(keys),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(corruption),
		cmocka_unit_test(others_may_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
