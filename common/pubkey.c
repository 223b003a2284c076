/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "pubkey.h"

/* OpenSSL's own consistency check of a public key: 1 passes, 0 fails, -1 out of memory. */
static int public_check(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	int ok;

	if (!ctx)
		return -1;
	ok = EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static enum ms_status rsa_acceptable(EVP_PKEY *key, const char *what, enum ms_status weak, struct ms_err *err)
{
	BIGNUM *e = NULL;
	enum ms_status st = MS_OK;
	int bits = EVP_PKEY_get_bits(key), checked;

	if (bits > 16384)
		return ms_fail(err, MS_UNSUPPORTED, "%s: an RSA modulus of %d bits is more than 16384", what, bits);
	if (bits < 2048)
		return ms_fail(err, weak, "%s: an RSA modulus of %d bits is below 2048: a weak key proves nothing", what, bits);
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_RSA_E, &e))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!BN_is_odd(e) || BN_num_bits(e) < 17) {
		char *dec = BN_bn2dec(e);

		st = ms_fail(err, weak, "%s: RSA exponent %s is not an odd number of at least 65537: a weak key proves nothing",
			     what, dec ? dec : "?");
		OPENSSL_free(dec);
		goto out;
	}
	checked = public_check(key);
	if (checked < 0)
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
	else if (!checked)
		st = ms_fail(err, weak, "%s: the RSA key fails OpenSSL's public-key check (a modulus with small factors, or "
					"an exponent out of range): a weak key proves nothing", what);
out:
	BN_free(e);
	return st;
}

static enum ms_status ec_acceptable(EVP_PKEY *key, const char *what, struct ms_err *err)
{
	char group[64] = "", encoding[32] = "";
	int checked;

	/* a key with explicit parameters has no group name, or an encoding other than named_curve */
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL) ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding, sizeof(encoding), NULL) ||
	    strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP))
		return ms_fail(err, MS_UNSUPPORTED, "%s: an EC key with explicit curve parameters is not supported (the named "
						    "curves P-256, P-384)", what);
	if (strcmp(group, "prime256v1") && strcmp(group, "P-256") && strcmp(group, "secp384r1") && strcmp(group, "P-384"))
		return ms_fail(err, MS_UNSUPPORTED, "%s: EC curve %.40s is not supported (P-256, P-384)", what, group);
	checked = public_check(key);
	if (checked < 0)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!checked)
		return ms_fail(err, MS_BAD_INPUT, "%s: the EC point is not on the curve", what);
	return MS_OK;
}

enum ms_status ms_sig_key_acceptable(EVP_PKEY *key, const char *what, enum ms_status weak, struct ms_err *err)
{
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		return rsa_acceptable(key, what, weak, err);
	case EVP_PKEY_EC:
		return ec_acceptable(key, what, err);
	default:
		return ms_fail(err, MS_UNSUPPORTED, "%s: a %.20s key is not supported (RSA, or EC on P-256 or P-384)", what,
			       EVP_PKEY_get0_type_name(key) ? EVP_PKEY_get0_type_name(key) : "non-RSA, non-EC");
	}
}
