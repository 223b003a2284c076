/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_COSE_H
#define MS_COSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cbor.h>

#include "status.h"

/* Nesting beyond this is refused before libcbor sees the data. */
#define MS_CBOR_MAX_DEPTH 16

/*
 * Checks that buf holds exactly one well-formed CBOR item, nested at most
 * max_depth deep, and decodes it with libcbor. what names the data in errors.
 */
enum ms_status ms_cbor_load(const uint8_t *buf, size_t len, int max_depth, const char *what,
			    cbor_item_t **out, struct ms_err *err);

/*
 * A byte string, or an array of integers 0..255 (serde_cbor's encoding of
 * Vec<u8>), copied into a new buffer.
 */
enum ms_status ms_cbor_byte_array(const cbor_item_t *item, const char *what, uint8_t **out,
				  size_t *len, struct ms_err *err);

/* The value for a text-string key in a map, or NULL. */
cbor_item_t *ms_cbor_map_get(const cbor_item_t *map, const char *key);

/* COSE_Sign1 (RFC 9052), pointers into the decoded item. */
struct ms_cose_sign1 {
	const uint8_t *protected_hdr;
	size_t protected_len;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *signature;
	size_t signature_len;
	int64_t alg; /* -7 ES256, -35 ES384, -36 ES512 */
	bool tagged;
};

/* Parses [protected, unprotected, payload, signature], optionally tag 18. */
enum ms_status ms_cose_sign1_parse(const cbor_item_t *item, struct ms_cose_sign1 *out,
				   struct ms_err *err);

/*
 * Verifies the signature over Sig_structure ["Signature1", protected, h'',
 * payload] with pkey (EVP_PKEY *); the algorithm must fit the key's curve.
 * MS_BAD_SIGNATURE when it does not verify.
 */
enum ms_status ms_cose_sign1_verify(const struct ms_cose_sign1 *cose, void *pkey,
				    struct ms_err *err);

const char *ms_cose_alg_name(int64_t alg);

#endif
