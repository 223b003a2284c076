/* SPDX-License-Identifier: Apache-2.0 */
#include "../helpers.h"

#include "../../common/cose.h"
#include "../../common/digest.h"
#include "../../common/json.h"
#include "../../common/text.h"

static void hex_round_trip(void **state)
{
	uint8_t out[4];
	char hex[9];
	struct ms_err err = { 0 };

	(void)state;
	assert_int_equal(ms_hex_decode("0xDEADbeef", out, 4, "value", &err), MS_OK);
	ms_hex_encode(out, 4, hex);
	assert_string_equal(hex, "deadbeef");
	assert_int_equal(ms_hex_decode("deadbee", out, 4, "value", &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "expected 8 hex digits"));
	assert_int_equal(ms_hex_decode("deadbeeg", out, 4, "value", &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "position 7"));
}

/* RFC 4648 section 10 test vectors. */
static void base64_rfc4648(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	struct ms_err err = { 0 };

	(void)state;
	for (int i = 0; i < 7; i++) {
		char out[16];
		uint8_t *dec;
		size_t n;

		ms_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
		assert_string_equal(out, coded[i]);
		assert_int_equal(ms_base64_decode(coded[i], strlen(coded[i]), &dec, &n, "b64", &err), MS_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(dec, plain[i], n);
		free(dec);
	}
	{
		uint8_t *dec;
		size_t n;

		assert_int_equal(ms_base64_decode("Zm9v!", 5, &dec, &n, "b64", &err), MS_BAD_INPUT);
		assert_int_equal(ms_base64_decode("Z", 1, &dec, &n, "b64", &err), MS_BAD_INPUT);
	}
}

/* FIPS 180-2 "abc" examples. */
static void sha_known_answers(void **state)
{
	uint8_t d[64];
	struct ms_hash h, copy;

	(void)state;
	ms_sha256("abc", 3, d);
	assert_hex_equal(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ms_sha384("abc", 3, d);
	assert_hex_equal(d, 48,
			 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	/* streaming in pieces and a copied context give the same digest */
	assert_int_equal(ms_hash_init(&h, MS_SHA384), MS_OK);
	ms_hash_update(&h, "a", 1);
	assert_int_equal(ms_hash_copy(&copy, &h), MS_OK);
	ms_hash_update(&copy, "bc", 2);
	ms_hash_final(&copy, d);
	assert_hex_equal(d, 48,
			 "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7");
	ms_hash_free(&copy);
	ms_hash_free(&h);
}

/* Extending an all-zero register with SHA384("") gives the one-ramdisk PCR2 of the Nitro vectors. */
static void extend_empty(void **state)
{
	uint8_t reg[48] = { 0 }, d[48];

	(void)state;
	ms_sha384("", 0, d);
	ms_extend(MS_SHA384, reg, d);
	assert_hex_equal(reg, 48,
			 "21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a");
}

static void json_layout(void **state)
{
	cJSON *o = cJSON_CreateObject(), *a;
	char *s;

	(void)state;
	cJSON_AddStringToObject(o, "b", "q\"\\\n\x01");
	cJSON_AddNumberToObject(o, "a", 4988);
	a = cJSON_AddArrayToObject(o, "list");
	cJSON_AddItemToArray(a, cJSON_CreateTrue());
	cJSON_AddItemToArray(a, cJSON_CreateNull());
	cJSON_AddObjectToObject(o, "empty");
	s = ms_json_format(o);
	assert_string_equal(s, "{\n  \"b\": \"q\\\"\\\\\\n\\u0001\",\n  \"a\": 4988,\n  \"list\": [\n    true,\n    null\n  ],\n  \"empty\": {}\n}\n");
	free(s);
	cJSON_Delete(o);
}

static void cbor_limits(void **state)
{
	uint8_t deep[64];
	cbor_item_t *item = NULL;
	struct ms_err err = { 0 };
	static const uint8_t truncated[] = { 0x59, 0x01, 0x00, 0x41 };      /* bstr(256), 1 byte */
	static const uint8_t huge_array[] = { 0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t trailing[] = { 0x01, 0x02 };
	static const uint8_t ok[] = { 0x82, 0x01, 0x9f, 0x02, 0xff };      /* [1, [_ 2]] */

	(void)state;
	memset(deep, 0x81, sizeof(deep)); /* [[[[...]]]] */
	deep[63] = 0x00;
	assert_int_equal(ms_cbor_load(deep, sizeof(deep), 16, "deep", &item, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "nested deeper"));
	assert_int_equal(ms_cbor_load(truncated, sizeof(truncated), 16, "t", &item, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "runs past the end"));
	assert_int_equal(ms_cbor_load(huge_array, sizeof(huge_array), 16, "h", &item, &err), MS_BAD_INPUT);
	assert_int_equal(ms_cbor_load(trailing, sizeof(trailing), 16, "x", &item, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "after the CBOR item"));
	assert_int_equal(ms_cbor_load(ok, sizeof(ok), 16, "ok", &item, &err), MS_OK);
	assert_true(cbor_isa_array(item));
	cbor_decref(&item);
}

/* A pipe holding len bytes, its write end closed: a stream at /proc/self/fd/N. */
static char *pipe_path(size_t len, int *rfd)
{
	int fds[2];
	uint8_t *junk = calloc(1, len + 1);
	char *path = malloc(32);

	assert_non_null(junk);
	assert_non_null(path);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], junk, len), (ssize_t)len);
	close(fds[1]);
	free(junk);
	snprintf(path, 32, "/proc/self/fd/%d", fds[0]);
	*rfd = fds[0];
	return path;
}

/*
 * Every failure leaves the outputs defined (NULL, 0, an empty mapping that
 * ms_file_unmap accepts) and names the limit; streams are cut off at it.
 */
static void file_limits(void **state)
{
	struct ms_err err = { 0 };
	struct ms_mapping m;
	uint8_t *buf, d[MS_SHA256_LEN];
	size_t len;
	uint64_t size;
	int fd;
	char *path;

	(void)state;
	/* a device that never ends: refused at the limit, outputs cleared */
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(ms_file_map("/dev/zero", 1u << 20, &m, &err), MS_BAD_INPUT);
	assert_null(m.data);
	assert_int_equal(m.len, 0);
	assert_false(m.mapped);
	ms_file_unmap(&m);
	assert_non_null(strstr(err.msg, "larger than the 1 MiB limit (1048576 bytes)"));
	buf = (uint8_t *)&len, len = 7;
	assert_int_equal(ms_file_load("/dev/zero", 100, &buf, &len, &err), MS_BAD_INPUT);
	assert_null(buf);
	assert_int_equal(len, 0);
	assert_non_null(strstr(err.msg, "larger than the 100-byte limit"));
	size = 7;
	assert_int_equal(ms_file_digest("/dev/zero", MS_SHA256, 1u << 20, d, &size, &err), MS_BAD_INPUT);
	assert_int_equal(size, 0);
	assert_non_null(strstr(err.msg, "1 MiB limit"));
	buf = (uint8_t *)&len;
	assert_int_equal(ms_file_load("/nonexistent/x", 100, &buf, &len, &err), MS_BAD_INPUT);
	assert_null(buf);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(ms_file_map("/nonexistent/x", 100, &m, &err), MS_BAD_INPUT);
	assert_null(m.data);
	ms_file_unmap(&m);

	/* a pipe of exactly the limit is read; one byte more is not */
	path = pipe_path(4096, &fd);
	assert_int_equal(ms_file_load(path, 4096, &buf, &len, &err), MS_OK);
	assert_int_equal(len, 4096);
	free(buf);
	close(fd);
	free(path);
	path = pipe_path(4097, &fd);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(ms_file_map(path, 4096, &m, &err), MS_BAD_INPUT);
	assert_null(m.data);
	ms_file_unmap(&m);
	close(fd);
	free(path);
	path = pipe_path(4097, &fd);
	assert_int_equal(ms_file_digest(path, MS_SHA256, 4096, d, &size, &err), MS_BAD_INPUT);
	close(fd);
	free(path);

	/* a regular file past the limit is refused before it is read */
	fd = memfile("0123456789", 10);
	path = malloc(32);
	assert_non_null(path);
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	assert_int_equal(ms_file_map(path, 9, &m, &err), MS_BAD_INPUT);
	assert_null(m.data);
	assert_non_null(strstr(err.msg, "larger than the 9-byte limit"));
	assert_int_equal(ms_file_digest(path, MS_SHA256, 9, d, &size, &err), MS_BAD_INPUT);
	assert_int_equal(ms_file_map(path, 10, &m, &err), MS_OK);
	assert_int_equal(m.len, 10);
	ms_file_unmap(&m);
	close(fd);
	free(path);
}

static void exit_codes(void **state)
{
	(void)state;
	assert_int_equal(ms_exit_code(MS_OK), 0);
	assert_int_equal(ms_exit_code(MS_MISMATCH), 1);
	assert_int_equal(ms_exit_code(MS_BAD_INPUT), 2);
	assert_int_equal(ms_exit_code(MS_USAGE), 2);
	assert_int_equal(ms_exit_code(MS_BAD_SIGNATURE), 3);
	assert_int_equal(ms_exit_code(MS_NO_COLLATERAL), 4);
	assert_int_equal(ms_exit_code(MS_UNSUPPORTED), 5);
}

/* Expected strings written by hand from the UTF-8 definition (RFC 3629, Table 3-7 of Unicode). */
static void text_escape(void **state)
{
	char out[64];
	struct ms_err err = { 0 };
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain text, \\x0a kept", 21, "plain text, \\x0a kept" },
		{ "a\nb\rc\x1b[2K\x7f", 10, "a\\x0ab\\x0dc\\x1b[2K\\x7f" },
		{ "nul\0x", 5, "nul\\x00x" },
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "\xc3", 1, "\\xc3" },                   /* truncated sequence */
		{ "\xc0\xaf", 2, "\\xc0\\xaf" },         /* overlong '/' */
		{ "\xed\xa0\x80", 3, "\\xed\\xa0\\x80" }, /* a surrogate */
		{ "\xc2\x9b", 2, "\\xc2\\x9b" },         /* C1 CSI */
		{ "\xff", 1, "\\xff" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ms_text_escape(out, sizeof(out), cases[i].in, cases[i].len);
		assert_string_equal(out, cases[i].want);
	}
	/* cut at a whole escape, never half of one */
	assert_int_equal(ms_text_escape(out, 6, "ab\ncd", 5), 2);
	assert_string_equal(out, "ab");
	/* every ms_err message is escaped, and escaping again changes nothing */
	ms_fail(&err, MS_BAD_SIGNATURE, "name %s", "V\nline 2: match");
	assert_string_equal(err.msg, "name V\\x0aline 2: match");
	ms_text_escape(out, sizeof(out), err.msg, strlen(err.msg));
	assert_string_equal(out, err.msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hex_round_trip),  cmocka_unit_test(base64_rfc4648),
		cmocka_unit_test(sha_known_answers), cmocka_unit_test(extend_empty),
		cmocka_unit_test(json_layout),     cmocka_unit_test(cbor_limits),
		cmocka_unit_test(exit_codes),      cmocka_unit_test(file_limits),
		cmocka_unit_test(text_escape),
	};
	return cmocka_run_group_tests_name("common", tests, NULL, NULL);
}
