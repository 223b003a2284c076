/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_IMAGE_COSIGN_H
#define MS_IMAGE_COSIGN_H

#include <stddef.h>
#include <stdint.h>

#include "../common/digest.h"
#include "../common/status.h"

/*
 * cosign signatures checked offline with a public key (cosign's key-pair mode):
 * an ECDSA P-256 signature (DER, as cosign writes it base64 in the
 * dev.cosignproject.cosign/signature annotation) over the SHA-256 of a
 * "simple signing" payload, which names the signed manifest by digest.
 */
#define MS_COSIGN_MAX_PAYLOAD (64u << 10)
#define MS_COSIGN_MAX_BUNDLE (1u << 20)

#define MS_COSIGN_MAX_SIGNATURES 64u /* simple-signing layers of one .sig manifest */

struct ms_cosign {
	uint8_t *payload; /* owned */
	size_t payload_len;
	uint8_t *signature; /* DER, owned */
	size_t signature_len;
	struct ms_err problem; /* status set: the signature could not be loaded (ms_cosign_from_layout), why */
};

void ms_cosign_free(struct ms_cosign *c);
void ms_cosign_free_all(struct ms_cosign *sigs, size_t count);

/*
 * Verifies c with key_pem (a PEM public key: ECDSA P-256, else MS_UNSUPPORTED)
 * and, when the signature holds (else MS_BAD_SIGNATURE), parses the payload
 * strictly: critical.type "cosign container image signature" and
 * critical.image.docker-manifest-digest "sha256:<64 hex>" into digest.
 * A malformed payload is MS_BAD_INPUT.
 */
enum ms_status ms_cosign_verify(const struct ms_cosign *c, const uint8_t *key_pem, size_t key_len,
				uint8_t digest[MS_SHA256_LEN], struct ms_err *err);

/*
 * cosign's rule: an image verifies when any of its signatures does. Tries
 * each of sigs in turn; the first that verifies with the key and names want
 * is *which, MS_OK, so a bad signature cannot mask a good one. Else, in this
 * order: MS_MISMATCH when one verified but names another manifest,
 * MS_BAD_SIGNATURE when one did not verify, the first other error (a layer
 * that could not be loaded, a malformed payload). A bad key fails at once.
 */
enum ms_status ms_cosign_verify_any(const struct ms_cosign *sigs, size_t count, const uint8_t *key_pem,
				    size_t key_len, const uint8_t want[MS_SHA256_LEN], size_t *which, struct ms_err *err);

/* Signature given as text (base64 of DER, as cosign prints it; whitespace around it allowed). */
enum ms_status ms_cosign_set_signature_b64(struct ms_cosign *c, const char *text, size_t len, struct ms_err *err);

/*
 * The signature of `cosign download signature` (one JSON object, keys
 * Base64Signature and Payload, base64; Cert, Chain, Bundle, RFC3161Timestamp
 * may be present and are not used: key mode only).
 */
enum ms_status ms_cosign_parse_bundle(const char *json, size_t len, struct ms_cosign *c, struct ms_err *err);

/*
 * The signatures cosign stores beside an image in an OCI layout directory
 * (cosign save, or skopeo copying the tag sha256-<hex>.sig): the index entry
 * whose org.opencontainers.image.ref.name is "sha256-<manifest hex>.sig", and
 * each of its simple-signing layers (at most MS_COSIGN_MAX_SIGNATURES) as a
 * payload with the layer's signature annotation, into *sigs (free with
 * ms_cosign_free_all). Blobs are checked against their descriptors (digests
 * sha256:<64 lowercase hex>); a layer that cannot be loaded keeps why in its
 * problem and the others are still read. No tag or no such layer: MS_BAD_INPUT.
 */
enum ms_status ms_cosign_from_layout(int dirfd, const uint8_t manifest_digest[MS_SHA256_LEN], struct ms_cosign **sigs,
				     size_t *count, struct ms_err *err);

#endif
