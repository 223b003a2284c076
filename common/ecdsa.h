/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ECDSA over a raw signature: r and s as fixed-width integers (TDX quotes and
 * Intel's collateral: big-endian; SEV-SNP reports: little-endian; COSE:
 * big-endian), not the DER that OpenSSL verifies.
 */
#ifndef MS_ECDSA_H
#define MS_ECDSA_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "status.h"

enum ms_ecdsa_endian {
	MS_ECDSA_BIG_ENDIAN,
	MS_ECDSA_LITTLE_ENDIAN,
};

/*
 * Verifies that r and s (each len bytes, in the byte order given) are an ECDSA
 * signature of msg by key (an EC key) with the digest md ("SHA256", "SHA384",
 * "SHA512"). MS_OK when it verifies; MS_BAD_SIGNATURE when it does not (or key
 * is NULL or not an EC key); MS_NO_MEMORY when OpenSSL cannot allocate. Writes
 * no message: the caller names what was signed.
 */
enum ms_status ms_ecdsa_verify_raw(EVP_PKEY *key, const char *md, const uint8_t *msg, size_t msg_len, const uint8_t *r,
				   const uint8_t *s, size_t len, enum ms_ecdsa_endian endian);

#endif
