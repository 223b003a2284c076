/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_CACHE_H
#define MS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "status.h"

/*
 * A content-addressed store for vendor collateral, shared by `measure fetch`
 * (which writes it) and the verifiers (which read it offline).
 *
 * Layout under the cache directory DIR:
 *   DIR/blobs/sha256/<64 lowercase hex>   the bytes, named by their SHA-256
 *   DIR/refs/<key>                        "<64 lowercase hex>\n": the blob a key names
 * Every file is written to a temporary file in its final directory, fsynced
 * and renamed, so a reader sees the old content or the new, never a part.
 * A get hashes the blob again: a blob whose SHA-256 is not the one its ref
 * names is corrupted and an error (MS_BAD_INPUT), never data.
 *
 * Keys: 1..255 characters of [A-Za-z0-9._-] in '/'-separated components; no
 * leading or trailing '/', no empty component, no component starting with
 * '.' (so no "." or "..", and no clash with the temporary files). In use:
 *   intel/tdx/tcbinfo/<fmspc, 12 lowercase hex>   TDX TCB info JSON (PCS v4)
 *   intel/tdx/tcbinfo/<fmspc>.issuer-chain        PEM, header TCB-Info-Issuer-Chain (URL-decoded)
 *   intel/tdx/qe-identity                         TDX QE identity JSON (PCS v4)
 *   intel/tdx/qe-identity.issuer-chain            PEM, header SGX-Enclave-Identity-Issuer-Chain
 *   intel/pckcrl/platform, intel/pckcrl/processor PCK CRL, DER
 *   intel/pckcrl/<ca>.issuer-chain                PEM, header SGX-PCK-CRL-Issuer-Chain
 *   intel/rootcrl                                 Intel SGX Root CA CRL, DER
 *   amd/<Milan|Genoa|Turin>/vcek/<hwid hex>/<reported TCB, 16 lowercase hex>   VCEK, DER
 *       (hwid: the report's CHIP_ID, 128 hex; 16 hex for Turin, whose KDS uses the first 8 bytes;
 *        TCB: the report's REPORTED_TCB as a little-endian u64, printed as %016llx)
 *   amd/<product>/cert_chain                      ASK then ARK, PEM (KDS cert_chain)
 *   amd/<product>/crl                             the ARK's CRL, DER (KDS crl)
 */

#define MS_CACHE_KEY_MAX 255
/* Blobs larger than this are refused on read and write. */
#define MS_CACHE_BLOB_MAX ((size_t)16 << 20)

/* MS_OK when key is well formed (see above), MS_BAD_INPUT with a reason otherwise. */
enum ms_status ms_cache_key_check(const char *key, struct ms_err *err);

/*
 * Reads the blob key names into a new buffer (*data, *len; NUL-terminated for
 * text, not counted). MS_NO_COLLATERAL when the key is not in the cache;
 * MS_BAD_INPUT when the key is malformed or the ref or blob is corrupt or
 * missing. On failure *data is NULL and *len 0.
 */
enum ms_status ms_cache_get(const char *dir, const char *key, uint8_t **data, size_t *len,
			    struct ms_err *err);

/* The SHA-256 a key's ref names (the digest of what ms_cache_get returns), same statuses. */
enum ms_status ms_cache_ref(const char *dir, const char *key, uint8_t digest[MS_SHA256_LEN],
			    struct ms_err *err);

/*
 * Stores data and points key at it, creating directories as needed (mode
 * 0700); ms_cache_ref then gives the blob's SHA-256.
 */
enum ms_status ms_cache_put(const char *dir, const char *key, const uint8_t *data, size_t len,
			    struct ms_err *err);

#endif
