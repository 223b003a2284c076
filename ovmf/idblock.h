/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_IDBLOCK_H
#define MS_IDBLOCK_H

#include <stdint.h>

#include "../common/digest.h"

#define MS_SNP_ID_BLOCK_LEN 96
#define MS_SNP_ID_AUTH_LEN 4096
#define MS_SNP_PUBKEY_LEN 1028

/* SNP_LAUNCH_FINISH's ID block fields (spec/snp.md section 6). */
struct ms_snp_id_block {
	uint8_t measurement[MS_SHA384_LEN];
	uint8_t family_id[16], image_id[16];
	uint32_t version; /* 1 */
	uint32_t guest_svn;
	uint64_t policy;  /* default 0x30000 */
};

/*
 * The 96-byte ID block, and the 4096-byte ID auth structure signed with the
 * P-384 ID key and author key (EVP_PKEY *, private). ECDSA is randomized: only
 * the block and the two key digests are reproducible. The digests are what a
 * report's ID_KEY_DIGEST and AUTHOR_KEY_DIGEST will hold.
 */
enum ms_status ms_snp_id_block_sign(const struct ms_snp_id_block *in, void *id_key, void *author_key,
				    uint8_t block[MS_SNP_ID_BLOCK_LEN], uint8_t auth[MS_SNP_ID_AUTH_LEN],
				    uint8_t id_key_digest[MS_SHA384_LEN],
				    uint8_t author_key_digest[MS_SHA384_LEN], struct ms_err *err);

/* The 1028-byte SNP public key structure of a P-384 key. */
enum ms_status ms_snp_public_key(void *key, uint8_t out[MS_SNP_PUBKEY_LEN], struct ms_err *err);

#endif
