/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_PIN_SIGN_H
#define MS_PIN_SIGN_H

/*
 * Operator signatures over pin log entries (an authorized update): Ed25519, or
 * ECDSA P-256 with SHA-256 (DER signature). The signature object recorded in
 * the entry is {"algorithm": "ed25519" | "ecdsa-p256-sha256", "public_key":
 * base64 DER SubjectPublicKeyInfo, "key_sha256": hex SHA-256 of that DER,
 * "value": base64 signature} and covers the canonical JSON of the entry
 * without its "signature" member.
 */

#include <stddef.h>

#include <cjson/cJSON.h>

#include "../common/status.h"

/* Signs text with a PEM private key; *out receives the signature object. MS_UNSUPPORTED for another key type. */
int ms_pin_sign(const char *text, size_t len, const void *key_pem, size_t key_len, cJSON **out, struct ms_err *err);
/*
 * The key object {"algorithm", "public_key", "key_sha256"} (as in a signature
 * object, without "value") of a PEM public key, or of the public half of a PEM
 * private key. MS_UNSUPPORTED for another key type.
 */
int ms_pin_public_key(const void *pem, size_t len, cJSON **out, struct ms_err *err);
/* Checks a key object: a DER public key of the named algorithm with its own SHA-256. MS_BAD_INPUT if not. */
int ms_pin_key_check(const cJSON *key, struct ms_err *err);
/* Verifies a signature object over text: MS_OK, MS_BAD_SIGNATURE, or MS_BAD_INPUT when it is malformed. */
int ms_pin_signature_verify(const char *text, size_t len, const cJSON *sig, struct ms_err *err);

#endif
