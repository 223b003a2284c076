/* SPDX-License-Identifier: Apache-2.0 */
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "../common/bytes.h"
#include "idblock.h"

#define COORD_LEN 72 /* P-384 coordinates and signature halves, little-endian, zero-padded */
#define SIG_LEN 512

/* ID auth layout */
#define AUTH_ID_BLOCK_SIG 0x40
#define AUTH_ID_KEY 0x240
#define AUTH_ID_KEY_SIG 0x680
#define AUTH_AUTHOR_KEY 0x880


static enum ms_status check_p384(EVP_PKEY *key, const char *what, struct ms_err *err)
{
	char curve[64] = "";

	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve, sizeof(curve), NULL) ||
	    strcmp(curve, "secp384r1"))
		return ms_fail(err, MS_BAD_INPUT, "%s: not an ECDSA P-384 key", what);
	return MS_OK;
}

enum ms_status ms_snp_public_key(void *key_, uint8_t out[MS_SNP_PUBKEY_LEN], struct ms_err *err)
{
	EVP_PKEY *key = key_;
	BIGNUM *x = NULL, *y = NULL;
	enum ms_status st = check_p384(key, "key", err);

	if (st)
		return st;
	memset(out, 0, MS_SNP_PUBKEY_LEN);
	if (!EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_X, &x) ||
	    !EVP_PKEY_get_bn_param(key, OSSL_PKEY_PARAM_EC_PUB_Y, &y) ||
	    BN_bn2lebinpad(x, out + 4, COORD_LEN) != COORD_LEN ||
	    BN_bn2lebinpad(y, out + 4 + COORD_LEN, COORD_LEN) != COORD_LEN)
		st = ms_fail(err, MS_BAD_INPUT, "cannot read the public key's coordinates");
	ms_put_le32(out, 2); /* curve P-384 */
	BN_free(x);
	BN_free(y);
	return st;
}

/* ECDSA P-384 / SHA-384 over data, as the SNP signature structure (R, S little-endian). */
static enum ms_status sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t out[SIG_LEN],
			   struct ms_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[160];
	size_t der_len = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *sig = NULL;
	enum ms_status st = MS_OK;

	memset(out, 0, SIG_LEN);
	if (!ctx || EVP_DigestSignInit_ex(ctx, NULL, "SHA384", NULL, NULL, key, NULL) != 1 ||
	    EVP_DigestSign(ctx, der, &der_len, data, len) != 1 ||
	    !(sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len)) ||
	    BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), out, COORD_LEN) != COORD_LEN ||
	    BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), out + COORD_LEN, COORD_LEN) != COORD_LEN)
		st = ms_fail(err, MS_BAD_INPUT, "ECDSA P-384 signing failed (is the key a private key?)");
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return st;
}

enum ms_status ms_snp_id_block_sign(const struct ms_snp_id_block *in, void *id_key_, void *author_key_,
				    uint8_t block[MS_SNP_ID_BLOCK_LEN], uint8_t auth[MS_SNP_ID_AUTH_LEN],
				    uint8_t id_key_digest[MS_SHA384_LEN],
				    uint8_t author_key_digest[MS_SHA384_LEN], struct ms_err *err)
{
	EVP_PKEY *id_key = id_key_, *author_key = author_key_;
	enum ms_status st;

	if ((st = check_p384(id_key, "ID key", err)) || (st = check_p384(author_key, "author key", err)))
		return st;
	memset(block, 0, MS_SNP_ID_BLOCK_LEN);
	memcpy(block, in->measurement, MS_SHA384_LEN);
	memcpy(block + 0x30, in->family_id, 16);
	memcpy(block + 0x40, in->image_id, 16);
	ms_put_le32(block + 0x50, in->version);
	ms_put_le32(block + 0x54, in->guest_svn);
	for (int i = 0; i < 8; i++)
		block[0x58 + i] = (uint8_t)(in->policy >> (8 * i));

	memset(auth, 0, MS_SNP_ID_AUTH_LEN);
	ms_put_le32(auth, 1);     /* ID key algorithm: ECDSA P-384 with SHA-384 */
	ms_put_le32(auth + 4, 1); /* author key algorithm */
	if ((st = ms_snp_public_key(id_key, auth + AUTH_ID_KEY, err)) ||
	    (st = ms_snp_public_key(author_key, auth + AUTH_AUTHOR_KEY, err)) ||
	    (st = sign(id_key, block, MS_SNP_ID_BLOCK_LEN, auth + AUTH_ID_BLOCK_SIG, err)) ||
	    (st = sign(author_key, auth + AUTH_ID_KEY, MS_SNP_PUBKEY_LEN, auth + AUTH_ID_KEY_SIG, err)))
		return st;
	ms_sha384(auth + AUTH_ID_KEY, MS_SNP_PUBKEY_LEN, id_key_digest);
	ms_sha384(auth + AUTH_AUTHOR_KEY, MS_SNP_PUBKEY_LEN, author_key_digest);
	return MS_OK;
}
