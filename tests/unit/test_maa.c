/* SPDX-License-Identifier: Apache-2.0 */
/*
 * base64url (RFC 4648 section 10's test vectors, URL alphabet, no padding), the compact
 * JWS splitter (RFC 7515 appendix A.1's header and payload), and the HCL report's bounds.
 */
#include "../helpers.h"

#include "../../compare/azure.h"
#include "../../compare/maa.h"

static void base64url_rfc4648(void **state)
{
	static const struct { const char *enc, *dec; } v[] = {
		{ "", "" }, { "Zg", "f" }, { "Zm8", "fo" }, { "Zm9v", "foo" },
		{ "Zm9vYg", "foob" }, { "Zm9vYmE", "fooba" }, { "Zm9vYmFy", "foobar" },
		{ "-_8", "\xfb\xff" }, /* the two characters the URL alphabet changes */
	};
	struct ms_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		uint8_t *out = NULL;
		size_t n = 0;

		assert_int_equal(ms_base64url_decode(v[i].enc, strlen(v[i].enc), &out, &n, "t", &err), MS_OK);
		assert_int_equal(n, strlen(v[i].dec));
		assert_memory_equal(out, v[i].dec, n);
		free(out);
	}
}

static void base64url_strict(void **state)
{
	/* padding, the standard alphabet, whitespace, a lone character, bits set past the data */
	static const char *const bad[] = { "Zg==", "Zm8=", "+/8", "Zm 9v", "Z", "Zh", "Zm9", "Zm9vYmF" };
	struct ms_err err;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t *out = NULL;
		size_t n;

		if (ms_base64url_decode(bad[i], strlen(bad[i]), &out, &n, "t", &err) != MS_BAD_INPUT)
			fail_msg("accepted: %s", bad[i]);
		assert_null(out);
	}
}

/* RFC 7515 A.1: the header {"typ":"JWT",\r\n "alg":"HS256"} and its example payload */
static const char rfc7515[] =
	"eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
	".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
	".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

static void jws_split(void **state)
{
	struct ms_jwt j;
	struct ms_err err;

	(void)state;
	assert_true(ms_jwt_detect((const uint8_t *)rfc7515, strlen(rfc7515)));
	assert_int_equal(ms_jwt_parse(rfc7515, strlen(rfc7515), &j, &err), MS_OK);
	assert_string_equal(j.alg, "HS256");
	assert_null(j.kid);
	assert_int_equal(j.signature_len, 32);
	assert_int_equal(j.signed_len, strchr(strchr(rfc7515, '.') + 1, '.') - rfc7515);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(j.payload, "iss")->valuestring, "joe");
	/* the RFC's HS256: refused before any key is looked at */
	assert_int_equal(ms_jwt_verify_rs256(rfc7515, &j, "{\"keys\":[]}", 11, &err), MS_UNSUPPORTED);
	ms_jwt_free(&j);
}

static void hcl_bounds(void **state)
{
	uint8_t buf[MS_HCL_VAR_OFF + 8] = { 0 };
	struct ms_hcl_report h;
	struct ms_err err;

	(void)state;
	memcpy(buf, "HCLA", 4);
	buf[4] = 1;                                  /* version */
	buf[8] = (uint8_t)(MS_HCL_VAR_OFF + 2);      /* report size, little-endian */
	buf[9] = (uint8_t)((MS_HCL_VAR_OFF + 2) >> 8);
	buf[MS_HCL_REQUEST_OFF] = MS_HCL_REQUEST_LEN + 2; /* data size */
	buf[MS_HCL_REQUEST_OFF + 8] = MS_HCL_TYPE_SNP;
	buf[MS_HCL_REQUEST_OFF + 12] = 1;
	buf[MS_HCL_REQUEST_OFF + 16] = 2;            /* runtime data size */
	buf[MS_HCL_VAR_OFF] = '{';
	buf[MS_HCL_VAR_OFF + 1] = '}';
	assert_int_equal(ms_hcl_parse(buf, sizeof(buf), &h, &err), MS_OK);
	assert_int_equal(h.var_size, 2);
	assert_ptr_equal(h.var_data, buf + MS_HCL_VAR_OFF);
	assert_int_equal(ms_hcl_parse(buf, MS_HCL_VAR_OFF + 1, &h, &err), MS_BAD_INPUT); /* runtime data cut */
	assert_int_equal(ms_hcl_parse(buf, MS_HCL_VAR_OFF - 1, &h, &err), MS_BAD_INPUT); /* header cut */
	buf[sizeof(buf) - 1] = 1;                    /* padding that is not zero */
	assert_int_equal(ms_hcl_parse(buf, sizeof(buf), &h, &err), MS_BAD_INPUT);
	buf[sizeof(buf) - 1] = 0;
	buf[MS_HCL_REQUEST_OFF + 19] = 0xff;         /* a runtime data size of 4 GiB */
	assert_int_equal(ms_hcl_parse(buf, sizeof(buf), &h, &err), MS_BAD_INPUT);
	buf[MS_HCL_REQUEST_OFF + 19] = 0;
	buf[MS_HCL_REQUEST_OFF + 8] = 3;             /* neither SNP nor TDX */
	assert_int_equal(ms_hcl_parse(buf, sizeof(buf), &h, &err), MS_UNSUPPORTED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(base64url_rfc4648),
		cmocka_unit_test(base64url_strict),
		cmocka_unit_test(jws_split),
		cmocka_unit_test(hcl_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
