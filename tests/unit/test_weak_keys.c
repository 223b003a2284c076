/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Weak RSA keys: a JWK (MAA's JWKS, the HCL runtime data's HCLAkPub) with a small exponent or
 * modulus is refused with the status its caller gives (exit 5 for a JWKS the user gives, exit 3
 * for an AK evidence carries), and ms_rsa_key_strong applies the same floor to any key.
 */
#include <string.h>

#include <openssl/rsa.h>

#include "../helpers.h"

#include "../../compare/maa.h"
#include "../../compare/tpm.h"

/* A JWK of an RSA "modulus" of nbytes (top bit set, odd) and the base64url exponent e. */
static cJSON *jwk(size_t nbytes, const char *e)
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	char n[1400];
	size_t chars = (nbytes * 8 + 5) / 6;
	cJSON *j = cJSON_CreateObject();

	assert_true(chars < sizeof(n));
	/* 0xff.. bytes: every character all ones, the last one's unused bits zero */
	for (size_t i = 0; i < chars; i++)
		n[i] = '_';
	if (nbytes % 3 == 1)
		n[chars - 1] = b64url[0x30];
	else if (nbytes % 3 == 2)
		n[chars - 1] = b64url[0x3c];
	n[chars] = '\0';
	cJSON_AddStringToObject(j, "kty", "RSA");
	cJSON_AddStringToObject(j, "n", n);
	cJSON_AddStringToObject(j, "e", e);
	return j;
}

static void jwk_weak_exponent(void **state)
{
	struct ms_err err = { 0 };
	EVP_PKEY *key = NULL;
	cJSON *j = jwk(256, "Aw"); /* e = 3 */

	(void)state;
	assert_int_equal(ms_jwk_rsa(j, MS_BAD_SIGNATURE, &key, &err), MS_BAD_SIGNATURE);
	assert_null(key);
	assert_non_null(strstr(err.msg, "exponent 3"));
	assert_int_equal(ms_jwk_rsa(j, MS_UNSUPPORTED, &key, &err), MS_UNSUPPORTED);
	cJSON_Delete(j);
	j = jwk(256, "AQAB"); /* e = 65537 */
	assert_int_equal(ms_jwk_rsa(j, MS_BAD_SIGNATURE, &key, &err), MS_OK);
	assert_int_equal(ms_rsa_key_strong(key, "test", MS_BAD_SIGNATURE, &err), MS_OK);
	EVP_PKEY_free(key);
	cJSON_Delete(j);
}

static void jwk_small_modulus(void **state)
{
	struct ms_err err = { 0 };
	EVP_PKEY *key = NULL;
	cJSON *j = jwk(128, "AQAB"); /* 1024 bits */

	(void)state;
	assert_int_equal(ms_jwk_rsa(j, MS_BAD_SIGNATURE, &key, &err), MS_BAD_SIGNATURE);
	assert_null(key);
	cJSON_Delete(j);
}

/* OpenSSL's own key generator with e = 3: refused by the floor whatever the modulus. */
static void generated_e3(void **state)
{
	struct ms_err err = { 0 };
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	EVP_PKEY *key = NULL;
	BIGNUM *e = BN_new();

	(void)state;
	assert_non_null(ctx);
	assert_true(BN_set_word(e, 3));
	assert_true(EVP_PKEY_keygen_init(ctx) > 0);
	assert_true(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0);
	assert_true(EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e) > 0);
	assert_true(EVP_PKEY_generate(ctx, &key) > 0);
	assert_int_equal(ms_rsa_key_strong(key, "test", MS_BAD_SIGNATURE, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "exponent 3"));
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jwk_weak_exponent),
		cmocka_unit_test(jwk_small_modulus),
		cmocka_unit_test(generated_e3),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
