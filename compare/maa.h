/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_MAA_H
#define MS_MAA_H

/*
 * Microsoft Azure Attestation tokens: compact JWS (RFC 7515) signed RS256 by
 * the attestation instance, whose keys the user supplies as a JWKS (RFC 7517).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>

#include "../common/base64.h"
#include "../common/status.h"

#define MS_JWT_MAX_LEN (1u << 20)

struct ms_jwt {
	cJSON *header, *payload; /* strictly parsed JSON objects */
	uint8_t *signature;
	size_t signature_len;
	size_t signed_len; /* the signing input is the token's first signed_len bytes (header.payload) */
	const char *alg, *kid; /* inside header; kid may be NULL */
};

/*
 * A compact JWS: three base64url parts (RFC 4648 section 5, no padding, no
 * other character, unused bits zero), the header and payload strict JSON
 * objects, "alg" a string. Trailing whitespace (a newline) is allowed.
 * MS_BAD_INPUT naming the part and offset.
 */
enum ms_status ms_jwt_parse(const char *tok, size_t len, struct ms_jwt *out, struct ms_err *err);
void ms_jwt_free(struct ms_jwt *j);

/* Whether buf looks like a compact JWS ("eyJ" and two dots): for recognising evidence. */
bool ms_jwt_detect(const uint8_t *buf, size_t len);

/*
 * The RSA key of a JWKS ({"keys": [{"kty": "RSA", "kid", "n", "e"}, ...]}) whose
 * kid is kid. MS_BAD_INPUT for a malformed JWKS; MS_BAD_SIGNATURE when no
 * key has that kid (the token is signed by a key not trusted); MS_UNSUPPORTED
 * for a key that is not RSA or is meant for another algorithm.
 */
enum ms_status ms_jwks_key(const char *jwks, size_t len, const char *kid, EVP_PKEY **out, struct ms_err *err);

/*
 * The token's signature: alg RS256 only (none and HS256 are refused, never
 * verified: MS_BAD_SIGNATURE for none, MS_UNSUPPORTED for others), a kid
 * (MS_BAD_SIGNATURE without), the key from the JWKS, RSASSA-PKCS1-v1_5 with
 * SHA-256 over the signing input, a modulus of at least 2048 bits.
 */
enum ms_status ms_jwt_verify_rs256(const char *tok, const struct ms_jwt *j, const char *jwks, size_t jwks_len,
				   struct ms_err *err);

/*
 * An RSA public key from a JWK's base64url "n" and "e" (strict) or its x5c[0]. A key below 2048
 * bits or with an exponent below 65537 is refused with weak: MS_UNSUPPORTED for a JWKS the user
 * gives (a profile not supported), MS_BAD_SIGNATURE for a key evidence carries (its signatures
 * prove nothing).
 */
enum ms_status ms_jwk_rsa(const cJSON *jwk, enum ms_status weak, EVP_PKEY **out, struct ms_err *err);

#endif
