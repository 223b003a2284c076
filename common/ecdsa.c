/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>

#include <openssl/bn.h>
#include <openssl/ec.h>

#include "ecdsa.h"

enum ms_status ms_ecdsa_verify_raw(EVP_PKEY *key, const char *md, const uint8_t *msg, size_t msg_len, const uint8_t *r,
				   const uint8_t *s, size_t len, enum ms_ecdsa_endian endian)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint8_t *der = NULL;
	enum ms_status st = MS_BAD_SIGNATURE;
	int der_len;

	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC || len == 0 || len > INT_MAX)
		goto out;
	st = MS_NO_MEMORY;
	sig = ECDSA_SIG_new();
	ctx = EVP_MD_CTX_new();
	if (endian == MS_ECDSA_LITTLE_ENDIAN) {
		br = BN_lebin2bn(r, (int)len, NULL);
		bs = BN_lebin2bn(s, (int)len, NULL);
	} else {
		br = BN_bin2bn(r, (int)len, NULL);
		bs = BN_bin2bn(s, (int)len, NULL);
	}
	if (!sig || !ctx || !br || !bs || !ECDSA_SIG_set0(sig, br, bs))
		goto out;
	br = bs = NULL; /* owned by sig now */
	if ((der_len = i2d_ECDSA_SIG(sig, &der)) <= 0)
		goto out;
	st = EVP_DigestVerifyInit_ex(ctx, NULL, md, NULL, NULL, key, NULL) == 1 &&
			     EVP_DigestVerify(ctx, der, (size_t)der_len, msg, msg_len) == 1
		     ? MS_OK
		     : MS_BAD_SIGNATURE;
out:
	BN_free(br);
	BN_free(bs);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return st;
}
