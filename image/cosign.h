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

struct ms_cosign {
	uint8_t *payload; /* owned */
	size_t payload_len;
	uint8_t *signature; /* DER, owned */
	size_t signature_len;
};

void ms_cosign_free(struct ms_cosign *c);

/*
 * Verifies c with key_pem (a PEM public key: ECDSA P-256, else MS_UNSUPPORTED)
 * and, when the signature holds (else MS_BAD_SIGNATURE), parses the payload
 * strictly: critical.type "cosign container image signature" and
 * critical.image.docker-manifest-digest "sha256:<64 hex>" into digest.
 * A malformed payload is MS_BAD_INPUT.
 */
enum ms_status ms_cosign_verify(const struct ms_cosign *c, const uint8_t *key_pem, size_t key_len,
				uint8_t digest[MS_SHA256_LEN], struct ms_err *err);

/* Signature given as text (base64 of DER, as cosign prints it; whitespace around it allowed). */
enum ms_status ms_cosign_set_signature_b64(struct ms_cosign *c, const char *text, size_t len, struct ms_err *err);

/*
 * The signature of `cosign download signature` (one JSON object, keys
 * Base64Signature and Payload, base64; Cert, Chain, Bundle, RFC3161Timestamp
 * may be present and are not used: key mode only).
 */
enum ms_status ms_cosign_parse_bundle(const char *json, size_t len, struct ms_cosign *c, struct ms_err *err);

/*
 * The signature cosign stores beside an image in an OCI layout directory
 * (cosign save, or skopeo copying the tag sha256-<hex>.sig): the index entry
 * whose org.opencontainers.image.ref.name is "sha256-<manifest hex>.sig", its
 * first simple-signing layer as payload and the layer's signature annotation.
 * Blobs are checked against their descriptors. None: MS_BAD_INPUT naming the tag.
 */
enum ms_status ms_cosign_from_layout(int dirfd, const uint8_t manifest_digest[MS_SHA256_LEN], struct ms_cosign *c,
				     struct ms_err *err);

#endif
