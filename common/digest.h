/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_DIGEST_H
#define MS_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define MS_SHA256_LEN 32
#define MS_SHA384_LEN 48
#define MS_SHA512_LEN 64
#define MS_DIGEST_MAX 64

enum ms_hash_alg { MS_SHA256, MS_SHA384, MS_SHA512 };

/* A streaming hash. Owned by the caller; release with ms_hash_free. */
struct ms_hash {
	void *ctx; /* EVP_MD_CTX */
	enum ms_hash_alg alg;
};

size_t ms_hash_len(enum ms_hash_alg alg);
const char *ms_hash_name(enum ms_hash_alg alg);

enum ms_status ms_hash_init(struct ms_hash *h, enum ms_hash_alg alg);
void ms_hash_update(struct ms_hash *h, const void *data, size_t len);
/* Writes ms_hash_len(alg) bytes; the context may then be re-initialised. */
void ms_hash_final(struct ms_hash *h, uint8_t *out);
/* dst becomes an independent copy of src (dst must not be initialised). */
enum ms_status ms_hash_copy(struct ms_hash *dst, const struct ms_hash *src);
void ms_hash_free(struct ms_hash *h);

void ms_digest(enum ms_hash_alg alg, const void *data, size_t len, uint8_t *out);
void ms_sha256(const void *data, size_t len, uint8_t out[MS_SHA256_LEN]);
void ms_sha384(const void *data, size_t len, uint8_t out[MS_SHA384_LEN]);

/* TPM-style extend: reg := H(reg || digest), both ms_hash_len(alg) bytes. */
void ms_extend(enum ms_hash_alg alg, uint8_t *reg, const uint8_t *digest);

#endif
