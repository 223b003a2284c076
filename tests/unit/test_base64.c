/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/base64: the one decoder behind the lenient standard decoder, the
 * canonical padded one of checkpoints and the unpadded base64url one of JWS.
 * Vectors from RFC 4648 section 10; the URL forms are the same bytes with
 * the padding dropped.
 */
#include "../helpers.h"

#include "../../common/base64.h"

static const struct ms_b64_rules canonical_std = { MS_B64_STD, MS_B64_PAD_REQUIRED, false, true };
static const struct ms_b64_rules strict_url = { MS_B64_URL, MS_B64_PAD_NONE, false, true };
static const struct ms_b64_rules lenient_std = { MS_B64_STD, MS_B64_PAD_OPTIONAL, true, false };

static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
static const char *const padded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
static const char *const unpadded[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy" };

static enum ms_b64_fault decode(const char *s, const struct ms_b64_rules *r, uint8_t *out, size_t max, size_t *n)
{
	size_t at;

	return ms_base64_decode_into(s, strlen(s), r, out, max, n, &at);
}

static void rfc4648_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		uint8_t out[8];
		char enc[16];
		size_t n;

		ms_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), enc);
		assert_string_equal(enc, padded[i]);
		assert_int_equal(ms_base64_len(strlen(plain[i])), strlen(padded[i]));

		assert_int_equal(decode(padded[i], &canonical_std, out, sizeof(out), &n), MS_B64_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);

		assert_int_equal(decode(unpadded[i], &strict_url, out, sizeof(out), &n), MS_B64_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(out, plain[i], n);

		/* the lenient rules take both spellings */
		assert_int_equal(decode(unpadded[i], &lenient_std, out, sizeof(out), &n), MS_B64_OK);
		assert_int_equal(n, strlen(plain[i]));
		assert_int_equal(decode(padded[i], &lenient_std, out, sizeof(out), &n), MS_B64_OK);
		assert_memory_equal(out, plain[i], n);
		/* exactly enough room is enough; one byte less is not */
		if (n) {
			assert_int_equal(decode(padded[i], &canonical_std, out, n, &n), MS_B64_OK);
			assert_int_equal(decode(padded[i], &canonical_std, out, n - 1, &n), MS_B64_TOO_LONG);
		}
		assert_true(ms_base64_decoded_max(strlen(unpadded[i])) == strlen(plain[i]));
	}
}

/* 0xfb 0xff uses the two characters the alphabets spell differently. */
static void alphabets(void **state)
{
	uint8_t out[4];
	size_t n;

	(void)state;
	assert_int_equal(decode("+/8=", &canonical_std, out, sizeof(out), &n), MS_B64_OK);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\xfb\xff", 2);
	assert_int_equal(decode("-_8", &strict_url, out, sizeof(out), &n), MS_B64_OK);
	assert_memory_equal(out, "\xfb\xff", 2);
	assert_int_equal(decode("-_8=", &canonical_std, out, sizeof(out), &n), MS_B64_BAD_CHAR);
	assert_int_equal(decode("+/8", &strict_url, out, sizeof(out), &n), MS_B64_BAD_CHAR);
	assert_int_equal(ms_base64_value('+', MS_B64_STD), 62);
	assert_int_equal(ms_base64_value('_', MS_B64_URL), 63);
	assert_int_equal(ms_base64_value('=', MS_B64_STD), -1);
	assert_int_equal(ms_base64_value('\0', MS_B64_URL), -1);
}

static void bad_inputs(void **state)
{
	static const struct {
		const char *text;
		const struct ms_b64_rules *rules;
		enum ms_b64_fault fault;
		size_t at;
	} bad[] = {
		{ "Zg", &canonical_std, MS_B64_BAD_LENGTH, 0 },     /* padding left out */
		{ "Zm9vY", &strict_url, MS_B64_BAD_LENGTH, 0 },     /* a lone character */
		{ "!", &strict_url, MS_B64_BAD_LENGTH, 0 },         /* the length is looked at first */
		{ "Zm9vY", &lenient_std, MS_B64_BAD_LENGTH, 0 },
		{ "Zm 9", &canonical_std, MS_B64_BAD_CHAR, 2 },     /* whitespace */
		{ "Zm9v\n", &strict_url, MS_B64_BAD_LENGTH, 0 },
		{ "Zm9v\nZg==", &canonical_std, MS_B64_BAD_LENGTH, 0 },
		{ "Zm9\nv", &lenient_std, MS_B64_OK, 0 },
		{ "Zg==", &strict_url, MS_B64_BAD_CHAR, 2 },        /* no "=" in unpadded text */
		{ "Zh==", &canonical_std, MS_B64_STRAY_BITS, 0 },   /* "f" with bits set past it */
		{ "Zm9=", &canonical_std, MS_B64_STRAY_BITS, 0 },
		{ "Zh", &strict_url, MS_B64_STRAY_BITS, 0 },
		{ "Zm9", &strict_url, MS_B64_STRAY_BITS, 0 },
		{ "Zh==", &lenient_std, MS_B64_OK, 0 },             /* the lenient rules do not look */
		{ "Zg==Zg==", &canonical_std, MS_B64_BAD_CHAR, 4 }, /* data after padding */
		{ "Zg=A", &canonical_std, MS_B64_BAD_CHAR, 3 },
		{ "Z===", &canonical_std, MS_B64_BAD_LENGTH, 0 },
		{ "====", &canonical_std, MS_B64_BAD_PADDING, 0 },
		{ "Zm9v=", &lenient_std, MS_B64_BAD_PADDING, 0 },
		{ "Zg=", &lenient_std, MS_B64_BAD_PADDING, 0 },
		{ "Zg===", &lenient_std, MS_B64_BAD_PADDING, 0 },
		{ "Zm9v\x80", &lenient_std, MS_B64_BAD_CHAR, 4 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t out[8];
		size_t n = 99, at = 99;
		enum ms_b64_fault f =
			ms_base64_decode_into(bad[i].text, strlen(bad[i].text), bad[i].rules, out, sizeof(out), &n, &at);

		if (f != bad[i].fault || (f == MS_B64_BAD_CHAR && at != bad[i].at))
			fail_msg("%zu \"%s\": fault %d at %zu", i, bad[i].text, (int)f, at);
		if (f != MS_B64_OK)
			assert_int_equal(n, 0);
	}
}

/* A long text into a short buffer stops at the buffer, and an embedded NUL is not a character. */
static void bounded(void **state)
{
	char text[4096];
	uint8_t out[32];
	size_t n, at;

	(void)state;
	memset(text, 'A', sizeof(text));
	assert_int_equal(ms_base64_decode_into(text, sizeof(text), &canonical_std, out, sizeof(out), &n, &at),
			 MS_B64_TOO_LONG);
	assert_int_equal(ms_base64_decode_into("Zm\0v", 4, &canonical_std, out, sizeof(out), &n, &at), MS_B64_BAD_CHAR);
	assert_int_equal(at, 2);
}

/* The allocating wrappers keep their messages. */
static void wrappers(void **state)
{
	struct ms_err err = { 0 };
	uint8_t *out = NULL;
	size_t n;

	(void)state;
	assert_int_equal(ms_base64_decode(" Zm9v\r\nYmFy\t", 12, &out, &n, "b", &err), MS_OK);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "foobar", 6);
	free(out);
	assert_int_equal(ms_base64_decode("Zm9v!", 5, &out, &n, "b", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "b: not base64 at offset 4");
	assert_int_equal(ms_base64_decode("Zm9vY", 5, &out, &n, "b", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "b: base64 length is not valid");
	assert_int_equal(ms_base64_decode("Zg=", 3, &out, &n, "b", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "b: bad base64 padding");
	out = NULL;
	assert_int_equal(ms_base64url_decode("Zm9vY", 5, &out, &n, "u", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "u: 5 base64url characters is not a whole number of bytes");
	assert_int_equal(ms_base64url_decode("Zm9=", 4, &out, &n, "u", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "u: character 0x3d at offset 3 is not base64url (no padding)");
	assert_int_equal(ms_base64url_decode("Zh", 2, &out, &n, "u", &err), MS_BAD_INPUT);
	assert_string_equal(err.msg, "u: the last base64url character has bits set past the data");
	assert_null(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc4648_vectors), cmocka_unit_test(alphabets), cmocka_unit_test(bad_inputs),
		cmocka_unit_test(bounded),	   cmocka_unit_test(wrappers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
