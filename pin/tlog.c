/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RFC 9162 Merkle tree over stored complete subtrees. Every subtree that the
 * RFC's recursive definitions name, D[a:b], starts at a multiple of the
 * smallest power of two >= b - a, so it is the right fold of the complete
 * nodes given by the binary digits of b - a: at most 64 reads.
 */
#include <string.h>

#include "../common/digest.h"
#include "tlog.h"

void ms_tlog_leaf_hash(const void *entry, size_t len, uint8_t out[MS_TLOG_HASH_LEN])
{
	struct ms_hash h;
	static const uint8_t prefix = 0x00;

	if (ms_hash_init(&h, MS_SHA256) != MS_OK) {
		/* Only an allocation failure inside OpenSSL gets here; an all-zero hash never verifies. */
		memset(out, 0, MS_TLOG_HASH_LEN);
		return;
	}
	ms_hash_update(&h, &prefix, 1);
	ms_hash_update(&h, entry, len);
	ms_hash_final(&h, out);
	ms_hash_free(&h);
}

void ms_tlog_node_hash(const uint8_t l[MS_TLOG_HASH_LEN], const uint8_t r[MS_TLOG_HASH_LEN],
		       uint8_t out[MS_TLOG_HASH_LEN])
{
	uint8_t buf[1 + 2 * MS_TLOG_HASH_LEN];

	buf[0] = 0x01;
	memcpy(buf + 1, l, MS_TLOG_HASH_LEN);
	memcpy(buf + 1 + MS_TLOG_HASH_LEN, r, MS_TLOG_HASH_LEN);
	ms_sha256(buf, sizeof(buf), out);
}

/* Largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k < n - k)
		k <<= 1;
	return k;
}

static int read_node(const struct ms_tlog_reader *r, unsigned level, uint64_t index, uint8_t out[MS_TLOG_HASH_LEN],
		     struct ms_err *err)
{
	int rc;

	if (!r || !r->node)
		return ms_fail(err, MS_BAD_INPUT, "tlog: no node reader");
	rc = r->node(r->ctx, level, index, out);
	if (rc != MS_OK)
		return ms_fail(err, rc, "tlog: node (level %u, index %llu) cannot be read from the store", level,
			       (unsigned long long)index);
	return MS_OK;
}

/* MTH(D[a:b]) for a range the RFC recursion produces (see the top of the file); b > a. */
static int range_hash(const struct ms_tlog_reader *r, uint64_t a, uint64_t b, uint8_t out[MS_TLOG_HASH_LEN],
		      struct ms_err *err)
{
	uint8_t parts[64][MS_TLOG_HASH_LEN];
	uint64_t n = b - a, start = a;
	size_t count = 0;
	int rc = MS_OK;

	if (b <= a)
		return ms_fail(err, MS_BAD_INPUT, "tlog: empty range [%llu, %llu)", (unsigned long long)a,
			       (unsigned long long)b);
	for (int level = 63; level >= 0; level--) {
		uint64_t width = (uint64_t)1 << level;

		if (!(n & width))
			continue;
		rc = read_node(r, (unsigned)level, start >> level, parts[count++], err);
		if (rc != MS_OK)
			goto out;
		start += width;
	}
	memcpy(out, parts[count - 1], MS_TLOG_HASH_LEN);
	for (size_t i = count - 1; i > 0; i--)
		ms_tlog_node_hash(parts[i - 1], out, out);
out:
	return rc;
}

int ms_tlog_append(const struct ms_tlog_reader *r, uint64_t index, const uint8_t leaf[MS_TLOG_HASH_LEN],
		   struct ms_tlog_node out[MS_TLOG_MAX_APPEND], size_t *count, struct ms_err *err)
{
	uint8_t cur[MS_TLOG_HASH_LEN], left[MS_TLOG_HASH_LEN];
	uint64_t i = index;
	unsigned level = 0;
	size_t n = 0;
	int rc = MS_OK;

	*count = 0;
	if (index == UINT64_MAX) {
		rc = ms_fail(err, MS_BAD_INPUT, "tlog: the log is full (index %llu)", (unsigned long long)index);
		goto out;
	}
	memcpy(cur, leaf, MS_TLOG_HASH_LEN);
	out[n].level = 0;
	out[n].index = index;
	memcpy(out[n++].hash, cur, MS_TLOG_HASH_LEN);
	while (i & 1) {
		rc = read_node(r, level, i - 1, left, err);
		if (rc != MS_OK)
			goto out;
		ms_tlog_node_hash(left, cur, cur);
		i >>= 1;
		level++;
		out[n].level = level;
		out[n].index = i;
		memcpy(out[n++].hash, cur, MS_TLOG_HASH_LEN);
	}
	*count = n;
out:
	return rc;
}

int ms_tlog_root(const struct ms_tlog_reader *r, uint64_t size, uint8_t out[MS_TLOG_HASH_LEN], struct ms_err *err)
{
	if (size == 0) {
		ms_sha256("", 0, out);
		return MS_OK;
	}
	return range_hash(r, 0, size, out, err);
}

/* Appends one hash to proof; MS_BAD_INPUT past max. */
static int push(uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, const uint8_t h[MS_TLOG_HASH_LEN],
		struct ms_err *err)
{
	if (*count >= max)
		return ms_fail(err, MS_BAD_INPUT, "tlog: proof longer than %zu hashes", max);
	memcpy(proof[(*count)++], h, MS_TLOG_HASH_LEN);
	return MS_OK;
}

/* PATH(m, D[a:b]) of RFC 9162 2.1.3.1, appended to proof. */
static int inclusion_path(const struct ms_tlog_reader *r, uint64_t m, uint64_t a, uint64_t b,
			  uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, struct ms_err *err)
{
	uint8_t sibling[MS_TLOG_HASH_LEN];
	uint64_t k;
	int rc = MS_OK;

	if (b - a == 1)
		goto out;
	k = split_point(b - a);
	if (m < a + k) {
		rc = inclusion_path(r, m, a, a + k, proof, max, count, err);
		if (rc == MS_OK)
			rc = range_hash(r, a + k, b, sibling, err);
	} else {
		rc = inclusion_path(r, m, a + k, b, proof, max, count, err);
		if (rc == MS_OK)
			rc = range_hash(r, a, a + k, sibling, err);
	}
	if (rc == MS_OK)
		rc = push(proof, max, count, sibling, err);
out:
	return rc;
}

int ms_tlog_inclusion_proof(const struct ms_tlog_reader *r, uint64_t index, uint64_t size,
			    uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, struct ms_err *err)
{
	*count = 0;
	if (index >= size)
		return ms_fail(err, MS_BAD_INPUT, "tlog: leaf index %llu is not below the tree size %llu",
			       (unsigned long long)index, (unsigned long long)size);
	return inclusion_path(r, index, 0, size, proof, max, count, err);
}

/* SUBPROOF(m, D[a:b], complete) of RFC 9162 2.1.4.1, appended to proof; m counts leaves from a. */
static int subproof(const struct ms_tlog_reader *r, uint64_t m, uint64_t a, uint64_t b, bool complete,
		    uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, struct ms_err *err)
{
	uint8_t h[MS_TLOG_HASH_LEN];
	uint64_t n = b - a, k;
	int rc = MS_OK;

	if (m == n) {
		if (!complete) {
			rc = range_hash(r, a, b, h, err);
			if (rc == MS_OK)
				rc = push(proof, max, count, h, err);
		}
		goto out;
	}
	k = split_point(n);
	if (m <= k) {
		rc = subproof(r, m, a, a + k, complete, proof, max, count, err);
		if (rc == MS_OK)
			rc = range_hash(r, a + k, b, h, err);
	} else {
		rc = subproof(r, m - k, a + k, b, false, proof, max, count, err);
		if (rc == MS_OK)
			rc = range_hash(r, a, a + k, h, err);
	}
	if (rc == MS_OK)
		rc = push(proof, max, count, h, err);
out:
	return rc;
}

int ms_tlog_consistency_proof(const struct ms_tlog_reader *r, uint64_t old_size, uint64_t size,
			      uint8_t proof[][MS_TLOG_HASH_LEN], size_t max, size_t *count, struct ms_err *err)
{
	*count = 0;
	if (old_size == 0 || old_size > size)
		return ms_fail(err, MS_BAD_INPUT, "tlog: no consistency proof from size %llu to size %llu",
			       (unsigned long long)old_size, (unsigned long long)size);
	return subproof(r, old_size, 0, size, true, proof, max, count, err);
}

bool ms_tlog_verify_inclusion(const uint8_t leaf[MS_TLOG_HASH_LEN], uint64_t index, uint64_t size,
			      const uint8_t proof[][MS_TLOG_HASH_LEN], size_t count,
			      const uint8_t root[MS_TLOG_HASH_LEN])
{
	uint8_t h[MS_TLOG_HASH_LEN];
	uint64_t fn, sn;

	if (index >= size)
		return false;
	fn = index;
	sn = size - 1;
	memcpy(h, leaf, MS_TLOG_HASH_LEN);
	for (size_t i = 0; i < count; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ms_tlog_node_hash(proof[i], h, h);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			ms_tlog_node_hash(h, proof[i], h);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && memcmp(h, root, MS_TLOG_HASH_LEN) == 0;
}

bool ms_tlog_verify_consistency(uint64_t old_size, uint64_t size, const uint8_t old_root[MS_TLOG_HASH_LEN],
				const uint8_t root[MS_TLOG_HASH_LEN], const uint8_t proof[][MS_TLOG_HASH_LEN],
				size_t count)
{
	uint8_t fr[MS_TLOG_HASH_LEN], sr[MS_TLOG_HASH_LEN];
	uint64_t fn, sn;
	size_t i;

	if (old_size == 0 || old_size > size)
		return false;
	if (old_size == size)
		return count == 0 && memcmp(old_root, root, MS_TLOG_HASH_LEN) == 0;
	if (count == 0)
		return false;
	/* Step 2: a power-of-two old tree is its own first path element, which the proof omits. */
	if ((old_size & (old_size - 1)) == 0) {
		memcpy(fr, old_root, MS_TLOG_HASH_LEN);
		i = 0;
	} else {
		memcpy(fr, proof[0], MS_TLOG_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MS_TLOG_HASH_LEN);
	fn = old_size - 1;
	sn = size - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < count; i++) {
		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			ms_tlog_node_hash(proof[i], fr, fr);
			ms_tlog_node_hash(proof[i], sr, sr);
			if (!(fn & 1)) {
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
			}
		} else {
			ms_tlog_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return memcmp(fr, old_root, MS_TLOG_HASH_LEN) == 0 && memcmp(sr, root, MS_TLOG_HASH_LEN) == 0 &&
	       sn == 0;
}

void ms_tlog_compact_init(struct ms_tlog_compact *c)
{
	memset(c, 0, sizeof(*c));
}

int ms_tlog_compact_append(struct ms_tlog_compact *c, const uint8_t leaf[MS_TLOG_HASH_LEN],
			   struct ms_tlog_node out[MS_TLOG_MAX_APPEND], size_t *count, struct ms_err *err)
{
	uint8_t cur[MS_TLOG_HASH_LEN];
	uint64_t i = c->size;
	unsigned level = 0;
	size_t n = 0;

	if (count)
		*count = 0;
	if (c->size == UINT64_MAX)
		return ms_fail(err, MS_BAD_INPUT, "tlog: the log is full (size %llu)", (unsigned long long)c->size);
	memcpy(cur, leaf, MS_TLOG_HASH_LEN);
	for (;;) {
		if (out) {
			out[n].level = level;
			out[n].index = i;
			memcpy(out[n].hash, cur, MS_TLOG_HASH_LEN);
		}
		n++;
		if (!(i & 1))
			break;
		/* bit `level` of the old size is set: its peak is this node's left sibling */
		ms_tlog_node_hash(c->peak[level], cur, cur);
		i >>= 1;
		level++;
	}
	memcpy(c->peak[level], cur, MS_TLOG_HASH_LEN);
	c->size++;
	if (count)
		*count = n;
	return MS_OK;
}

void ms_tlog_compact_root(const struct ms_tlog_compact *c, uint8_t out[MS_TLOG_HASH_LEN])
{
	bool have = false;

	if (c->size == 0) {
		ms_sha256("", 0, out);
		return;
	}
	/* The smallest subtree is the rightmost; fold the larger ones in from the left. */
	for (unsigned level = 0; level < 64; level++) {
		if (!(c->size >> level & 1))
			continue;
		if (!have) {
			memcpy(out, c->peak[level], MS_TLOG_HASH_LEN);
			have = true;
		} else {
			ms_tlog_node_hash(c->peak[level], out, out);
		}
	}
}
