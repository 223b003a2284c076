/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_ecdsa_verify_raw: RFC 6979 A.2.5's P-256 / SHA-256 signature of "sample"
 * (r and s as the RFC prints them), and P-384 signatures OpenSSL made (DER,
 * taken apart here) given big- and little-endian as SNP reports carry them.
 */
#include "../helpers.h"

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "../../common/ecdsa.h"

static void unhex(const char *h, uint8_t *out, size_t n)
{
	size_t got = 0;

	assert_int_equal(strlen(h), 2 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
		got++;
	}
	assert_int_equal(got, n);
}

static EVP_PKEY *p256_public(const char *x, const char *y)
{
	uint8_t point[65];
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;

	point[0] = 0x04;
	unhex(x, point + 1, 32);
	unhex(y, point + 33, 32);
	assert_non_null(b);
	assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0), 1);
	assert_int_equal(OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)), 1);
	assert_non_null(params = OSSL_PARAM_BLD_to_param(b));
	assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
	assert_int_equal(EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params), 1);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static void rfc6979_p256(void **state)
{
	EVP_PKEY *key = p256_public("60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
				    "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
	uint8_t r[32], s[32], rl[32], sl[32];
	const uint8_t *msg = (const uint8_t *)"sample";

	(void)state;
	unhex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716", r, 32);
	unhex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8", s, 32);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, r, s, 32, MS_ECDSA_BIG_ENDIAN), MS_OK);
	for (size_t i = 0; i < 32; i++)
		rl[i] = r[31 - i], sl[i] = s[31 - i];
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, rl, sl, 32, MS_ECDSA_LITTLE_ENDIAN), MS_OK);
	/* the wrong byte order, another message, another digest, a changed s, swapped r and s: refused */
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, rl, sl, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", (const uint8_t *)"samplf", 6, r, s, 32, MS_ECDSA_BIG_ENDIAN),
			 MS_BAD_SIGNATURE);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA384", msg, 6, r, s, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, s, r, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	s[31] ^= 1;
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, r, s, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	/* zero r and s are no signature */
	memset(r, 0, 32);
	memset(s, 0, 32);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA256", msg, 6, r, s, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	assert_int_equal(ms_ecdsa_verify_raw(NULL, "SHA256", msg, 6, r, s, 32, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	EVP_PKEY_free(key);
}

/* P-384 as SNP carries it: r and s little-endian, zero-padded to 72 bytes. */
static void p384_little_endian_padded(void **state)
{
	EVP_PKEY *key = EVP_EC_gen("secp384r1"), *rsa = EVP_RSA_gen(2048);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t msg[100], der[128], r[72] = { 0 }, s[72] = { 0 }, rb[72] = { 0 }, sb[72] = { 0 };
	size_t der_len = sizeof(der);
	const unsigned char *p = der;
	ECDSA_SIG *sig;

	(void)state;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7);
	assert_non_null(key);
	assert_int_equal(EVP_DigestSignInit_ex(ctx, NULL, "SHA384", NULL, NULL, key, NULL), 1);
	assert_int_equal(EVP_DigestSign(ctx, der, &der_len, msg, sizeof(msg)), 1);
	assert_non_null(sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len));
	assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), r, 72), 72);
	assert_int_equal(BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), s, 72), 72);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_r(sig), rb, 72), 72);
	assert_int_equal(BN_bn2binpad(ECDSA_SIG_get0_s(sig), sb, 72), 72);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA384", msg, sizeof(msg), r, s, 72, MS_ECDSA_LITTLE_ENDIAN), MS_OK);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA384", msg, sizeof(msg), rb, sb, 72, MS_ECDSA_BIG_ENDIAN), MS_OK);
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA384", msg, sizeof(msg), r, s, 72, MS_ECDSA_BIG_ENDIAN), MS_BAD_SIGNATURE);
	/* an RSA key is not an ECDSA key, whatever the bytes */
	assert_int_equal(ms_ecdsa_verify_raw(rsa, "SHA384", msg, sizeof(msg), r, s, 72, MS_ECDSA_LITTLE_ENDIAN), MS_BAD_SIGNATURE);
	msg[0] ^= 1;
	assert_int_equal(ms_ecdsa_verify_raw(key, "SHA384", msg, sizeof(msg), r, s, 72, MS_ECDSA_LITTLE_ENDIAN), MS_BAD_SIGNATURE);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	EVP_PKEY_free(rsa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc6979_p256),
		cmocka_unit_test(p384_little_endian_padded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
