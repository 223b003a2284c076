/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Weak RSA keys: a JWK (MAA's JWKS, the HCL runtime data's HCLAkPub) with a small exponent or
 * modulus is refused with the status its caller gives (exit 5 for a JWKS the user gives, exit 3
 * for an AK evidence carries), and ms_sig_key_acceptable applies the same floor to any key.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include "../helpers.h"

#include "../../compare/maa.h"
#include "../../common/pubkey.h"
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
	j = jwk(256, "AQAB"); /* e = 65537, but n = 2^2048 - 1 has small factors (3, 5, 17, ...) */
	assert_int_equal(ms_jwk_rsa(j, MS_BAD_SIGNATURE, &key, &err), MS_BAD_SIGNATURE);
	assert_null(key);
	assert_non_null(strstr(err.msg, "public-key check"));
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
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "exponent 3"));
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
}

/* EC keys: only the named curves P-256 and P-384; explicit parameters and other curves are unsupported */
static void ec_curves(void **state)
{
	static const struct {
		const char *curve;
		enum ms_status want;
	} cases[] = {
		{ "prime256v1", MS_OK },        { "secp384r1", MS_OK },         { "secp521r1", MS_UNSUPPORTED },
		{ "prime192v1", MS_UNSUPPORTED }, { "secp112r1", MS_UNSUPPORTED }, { "secp160r1", MS_UNSUPPORTED },
		{ "sect163k1", MS_UNSUPPORTED },  { "secp256k1", MS_UNSUPPORTED },
	};
	struct ms_err err = { 0 };

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", cases[i].curve);

		if (!key) /* a curve this OpenSSL build lacks cannot reach the check either */
			continue;
		assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), cases[i].want);
		if (cases[i].want)
			assert_non_null(strstr(err.msg, cases[i].curve));
		EVP_PKEY_free(key);
	}
}

static void ec_explicit_parameters(void **state)
{
	struct ms_err err = { 0 };
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "prime256v1");

	(void)state;
	assert_non_null(key);
	assert_int_equal(EVP_PKEY_set_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING,
							OSSL_PKEY_EC_ENCODING_EXPLICIT), 1);
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "explicit"));
	EVP_PKEY_free(key);
}

/* a public RSA key of n and e, as a TPM public area or a JWK gives one */
static EVP_PKEY *rsa_from(const BIGNUM *n, unsigned long e_word)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	BIGNUM *e = BN_new();
	OSSL_PARAM *params;
	EVP_PKEY *key = NULL;

	assert_true(bld && ctx && e && BN_set_word(e, e_word));
	assert_true(OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e));
	assert_non_null(params = OSSL_PARAM_BLD_to_param(bld));
	assert_true(EVP_PKEY_fromdata_init(ctx) > 0 && EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) > 0);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(e);
	return key;
}

/* a 2048-bit odd modulus with the factor 3 (MEDIUM-1): size and exponent pass, OpenSSL's check refuses it */
static void rsa_small_factor(void **state)
{
	struct ms_err err = { 0 };
	BIGNUM *n = BN_new();
	EVP_PKEY *key;
	BN_ULONG r;

	(void)state;
	assert_true(BN_rand(n, 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD));
	r = BN_mod_word(n, 3);
	assert_true(BN_sub_word(n, r));
	if (!BN_is_odd(n))
		assert_true(BN_sub_word(n, 3));
	assert_int_equal(BN_num_bits(n), 2048);
	key = rsa_from(n, 65537);
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "public-key check"));
	EVP_PKEY_free(key);
	BN_free(n);
}

static EVP_PKEY *pss_key(int bits)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA-PSS", NULL);
	EVP_PKEY *key = NULL;

	assert_non_null(ctx);
	assert_true(EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0);
	assert_true(EVP_PKEY_generate(ctx, &key) > 0);
	EVP_PKEY_CTX_free(ctx);
	assert_int_equal(EVP_PKEY_get_base_id(key), EVP_PKEY_RSA_PSS);
	return key;
}

/* RSA-PSS keys pass the same floor as PKCS#1 ones; a DSA key is unsupported */
static void rsa_pss_and_others(void **state)
{
	struct ms_err err = { 0 };
	EVP_PKEY *key = pss_key(1024);

	(void)state;
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "1024 bits"));
	EVP_PKEY_free(key);
	key = pss_key(2048);
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_OK);
	EVP_PKEY_free(key);
	key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(key);
	assert_int_equal(ms_sig_key_acceptable(key, "test", MS_BAD_SIGNATURE, &err), MS_UNSUPPORTED);
	EVP_PKEY_free(key);
}

/* a JWKS key from x5c only: its exponent must be odd too (n/e were checked; x5c was not) */
static void x5c_even_exponent(void **state)
{
	struct ms_err err = { 0 };
	BIGNUM *n = BN_new();
	EVP_PKEY *key;

	(void)state;
	assert_true(BN_rand(n, 2048, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD));
	key = rsa_from(n, 65538);
	assert_int_equal(ms_sig_key_acceptable(key, "JWK", MS_UNSUPPORTED, &err), MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "exponent 65538"));
	EVP_PKEY_free(key);
	BN_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(jwk_weak_exponent),
		cmocka_unit_test(jwk_small_modulus),
		cmocka_unit_test(generated_e3),
		cmocka_unit_test(ec_curves),
		cmocka_unit_test(ec_explicit_parameters),
		cmocka_unit_test(rsa_small_factor),
		cmocka_unit_test(rsa_pss_and_others),
		cmocka_unit_test(x5c_even_exponent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
