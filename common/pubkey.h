/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_PUBKEY_H
#define MS_PUBKEY_H

#include <openssl/evp.h>

#include "status.h"

/*
 * The one test every key that signs evidence passes before its signature is trusted (a TPM AK
 * from a public area, PEM/DER or a JWK, and a JWKS key from n/e or x5c):
 *  - RSA (PKCS#1 or RSA-PSS keys): 2048 to 16384 bits, an odd exponent of at least 65537, and
 *    OpenSSL's public-key check (which refuses, among others, a modulus with small factors);
 *    else `weak` (more than 16384 bits: MS_UNSUPPORTED);
 *  - EC: the named curves P-256 and P-384 only (any other curve, or explicit parameters:
 *    MS_UNSUPPORTED), with a point on the curve (else MS_BAD_INPUT);
 *  - any other key type: MS_UNSUPPORTED.
 * `what` names the key in the message.
 */
enum ms_status ms_sig_key_acceptable(EVP_PKEY *key, const char *what, enum ms_status weak, struct ms_err *err);

#endif
