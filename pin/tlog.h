/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_TLOG_H
#define MS_TLOG_H

/*
 * Merkle tree of an append-only transparency log, as in RFC 9162 section 2.1
 * (the same tree as RFC 6962). The library keeps no state: the caller's store
 * holds every COMPLETE subtree hash and lends them through a reader callback.
 *
 * Node (level, index) covers leaves [index << level, (index + 1) << level);
 * level 0 holds the leaf hashes. A node exists once all of its leaves do.
 * Roots and proofs read O(log n) nodes and never recompute from leaves.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"

#define MS_TLOG_HASH_LEN 32
/* Most hashes an inclusion or consistency proof can hold (a 2^64 tree). */
#define MS_TLOG_MAX_PROOF 64
/* Most nodes one append can complete: the leaf plus up to 63 parents. */
#define MS_TLOG_MAX_APPEND 64

/* SHA-256(0x00 || entry): the hash of one log entry. */
void ms_tlog_leaf_hash(const void *entry, size_t len, uint8_t out[MS_TLOG_HASH_LEN]);
/* SHA-256(0x01 || l || r): an interior node. */
void ms_tlog_node_hash(const uint8_t l[MS_TLOG_HASH_LEN], const uint8_t r[MS_TLOG_HASH_LEN],
		       uint8_t out[MS_TLOG_HASH_LEN]);

/*
 * How the library reads the store: node() fills out with the hash of the
 * complete node (level, index) and returns 0, or returns an ms_status
 * (MS_BAD_INPUT when the node is missing). It is only ever asked for nodes
 * that are complete in the tree size the call is about.
 */
struct ms_tlog_reader {
	void *ctx;
	int (*node)(void *ctx, unsigned level, uint64_t index, uint8_t out[MS_TLOG_HASH_LEN]);
};

struct ms_tlog_node {
	unsigned level;
	uint64_t index;
	uint8_t hash[MS_TLOG_HASH_LEN];
};

/*
 * Appends leaf number `index` (which must equal the old tree size): fills out[]
 * with every node that becomes complete, the leaf itself (level 0) first, then
 * its parents by increasing level; *count receives how many (1..64). Reads the
 * left siblings, complete earlier, through r. The caller stores all of out[].
 */
int ms_tlog_append(const struct ms_tlog_reader *r, uint64_t index, const uint8_t leaf[MS_TLOG_HASH_LEN],
		   struct ms_tlog_node out[MS_TLOG_MAX_APPEND], size_t *count, struct ms_err *err);

/* RFC 9162 MTH of the first `size` leaves; size 0 gives SHA-256(""). */
int ms_tlog_root(const struct ms_tlog_reader *r, uint64_t size, uint8_t out[MS_TLOG_HASH_LEN],
		 struct ms_err *err);

/*
 * RFC 9162 section 2.1.3.1 inclusion proof of leaf `index` in the tree of
 * `size` leaves, into proof[0..*count), leaf side first. index >= size, or more
 * than `max` hashes, is MS_BAD_INPUT.
 */
int ms_tlog_inclusion_proof(const struct ms_tlog_reader *r, uint64_t index, uint64_t size,
			    uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, struct ms_err *err);

/*
 * RFC 9162 section 2.1.4.1 consistency proof between the tree of `old_size`
 * leaves and the tree of `size` leaves. 0 < old_size <= size is required
 * (old_size == size gives an empty proof); otherwise MS_BAD_INPUT.
 */
int ms_tlog_consistency_proof(const struct ms_tlog_reader *r, uint64_t old_size, uint64_t size,
			      uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count,
			      struct ms_err *err);

/* RFC 9162 section 2.1.3.2, exactly: false for index >= size or a proof of the wrong length. */
bool ms_tlog_verify_inclusion(const uint8_t leaf[MS_TLOG_HASH_LEN], uint64_t index, uint64_t size,
			      const uint8_t proof[][MS_TLOG_HASH_LEN], size_t count,
			      const uint8_t root[MS_TLOG_HASH_LEN]);

/*
 * RFC 9162 section 2.1.4.2, exactly. old_size == size verifies only with an
 * empty proof and equal roots; old_size 0 or old_size > size is false.
 */
bool ms_tlog_verify_consistency(uint64_t old_size, uint64_t size, const uint8_t old_root[MS_TLOG_HASH_LEN],
				const uint8_t root[MS_TLOG_HASH_LEN], const uint8_t proof[][MS_TLOG_HASH_LEN],
				size_t count);

/*
 * The whole tree recomputed from its leaves in order, without a store (for
 * `pin log verify`): keeps one complete node per set bit of the size, so
 * O(log n) memory. Zero-initialise (or ms_tlog_compact_init) before use.
 */
struct ms_tlog_compact {
	uint64_t size;
	uint8_t peak[64][MS_TLOG_HASH_LEN];   /* peak[l] is valid when bit l of size is set */
};

void ms_tlog_compact_init(struct ms_tlog_compact *c);
/*
 * Appends the next leaf; out[] (may be NULL) receives the nodes that become
 * complete, exactly as ms_tlog_append gives them, so a verifier can compare
 * them with the stored ones. MS_BAD_INPUT when the tree is full.
 */
int ms_tlog_compact_append(struct ms_tlog_compact *c, const uint8_t leaf[MS_TLOG_HASH_LEN],
			   struct ms_tlog_node out[MS_TLOG_MAX_APPEND], size_t *count, struct ms_err *err);
/* The RFC 9162 root of the c->size leaves appended so far. */
void ms_tlog_compact_root(const struct ms_tlog_compact *c, uint8_t out[MS_TLOG_HASH_LEN]);

#endif
