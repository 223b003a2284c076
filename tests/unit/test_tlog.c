/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin/tlog.c against fixtures/tlog/vectors.txt, which tests/tlog_vectors.py
 * computes from RFC 9162's recursive definitions (tests/cli/test_tlog.sh
 * regenerates and compares it), and against the Certificate Transparency
 * reference values of the eight-leaf test tree (copied as facts).
 */
#include <time.h>

#include "../helpers.h"
#include "../tlog_mem.h"

#include "../../pin/tlog.h"

#define MAX_SIZE 70
#define MAX_PATH 16

struct hash_list {
	size_t n;
	uint8_t h[MAX_PATH][MS_TLOG_HASH_LEN];
};

static struct {
	uint8_t entry[MAX_SIZE][64];
	size_t entry_len[MAX_SIZE];
	uint8_t leaf[MAX_SIZE][MS_TLOG_HASH_LEN];
	uint8_t root[MAX_SIZE + 1][MS_TLOG_HASH_LEN];
	struct hash_list incl[MAX_SIZE + 1][MAX_SIZE];      /* [size][index] */
	struct hash_list cons[MAX_SIZE + 1][MAX_SIZE + 1];  /* [size][old size] */
	bool have_root[MAX_SIZE + 1], have_incl[MAX_SIZE + 1][MAX_SIZE], have_cons[MAX_SIZE + 1][MAX_SIZE + 1];
} V;

static void decode(const char *hex, uint8_t out[MS_TLOG_HASH_LEN])
{
	struct ms_err err = { 0 };

	if (ms_hex_decode(hex, out, MS_TLOG_HASH_LEN, "vector", &err) != MS_OK)
		fail_msg("vectors: %s", err.msg);
}

static void decode_list(char *text, struct hash_list *l)
{
	char *save = NULL;

	l->n = 0;
	if (strcmp(text, "-") == 0)
		return;
	for (char *t = strtok_r(text, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		assert_true(l->n < MAX_PATH);
		decode(t, l->h[l->n++]);
	}
}

static int load_vectors(void **state)
{
	size_t len = 0;
	char *text = (char *)load_fixture("tlog/vectors.txt", &len);
	char *save = NULL;

	(void)state;
	text = realloc(text, len + 1);
	assert_non_null(text);
	text[len] = '\0';
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char kind[16], a[4096], b[4096];
		unsigned long x, y;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "leaf %lu %4095s %4095s", &x, a, b) == 3) {
			assert_true(x < MAX_SIZE);
			V.entry_len[x] = strcmp(a, "-") == 0 ? 0 : strlen(a) / 2;
			assert_true(V.entry_len[x] <= sizeof(V.entry[x]));
			if (V.entry_len[x]) {
				struct ms_err err = { 0 };

				assert_int_equal(ms_hex_decode(a, V.entry[x], V.entry_len[x], "entry", &err), MS_OK);
			}
			decode(b, V.leaf[x]);
		} else if (sscanf(line, "root %lu %4095s", &x, a) == 2) {
			assert_true(x <= MAX_SIZE);
			decode(a, V.root[x]);
			V.have_root[x] = true;
		} else if (sscanf(line, "%15s %lu %lu %4095s", kind, &x, &y, a) == 4) {
			assert_true(y <= MAX_SIZE && x <= y);
			if (strcmp(kind, "inclusion") == 0) {
				assert_true(x < y);
				decode_list(a, &V.incl[y][x]);
				V.have_incl[y][x] = true;
			} else if (strcmp(kind, "consistency") == 0) {
				decode_list(a, &V.cons[y][x]);
				V.have_cons[y][x] = true;
			} else {
				fail_msg("vectors: unknown line %s", line);
			}
		} else {
			fail_msg("vectors: bad line %s", line);
		}
	}
	free(text);
	for (unsigned n = 0; n <= MAX_SIZE; n++) {
		assert_true(V.have_root[n]);
		for (unsigned i = 0; i < n; i++)
			assert_true(V.have_incl[n][i]);
		for (unsigned m = 1; m <= n; m++)
			assert_true(V.have_cons[n][m]);
	}
	return 0;
}

static void build(struct tlog_mem *m, unsigned size)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < size; i++)
		assert_int_equal(tlog_mem_append(m, V.leaf[i], NULL), MS_OK);
}

static unsigned bit_length(uint64_t n)
{
	unsigned b = 0;

	while (n) {
		b++;
		n >>= 1;
	}
	return b;
}

/* The eight CT test leaves and the published roots of sizes 1..8 (certificate-transparency testdata). */
static void ct_reference_roots(void **state)
{
	static const char *const entries[] = { "", "00", "10", "2021", "3031", "40414243", "5051525354555657",
					       "606162636465666768696a6b6c6d6e6f" };
	static const char *const roots[] = {
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
		"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
		"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
	};
	/* Inclusion (0, 8), (5, 8) and consistency (2, 8), (6, 8), (2, 5) of the same testdata. */
	static const struct { unsigned a, n; bool inclusion; const char *hashes[3]; size_t count; } proofs[] = {
		{ 0, 8, true, { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
				"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
				"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 3 },
		{ 5, 8, true, { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
				"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
				"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 8, false, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
				 "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" }, 2 },
		{ 6, 8, false, { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
				 "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
				 "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" }, 3 },
		{ 2, 5, false, { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
				 "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" }, 2 },
	};
	struct tlog_mem m = { 0 };
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t root[MS_TLOG_HASH_LEN], leaf[MS_TLOG_HASH_LEN], proof[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN];
	uint8_t root_a[MS_TLOG_HASH_LEN], root_n[MS_TLOG_HASH_LEN];
	size_t count;

	(void)state;
	for (unsigned i = 0; i < 8; i++) {
		uint8_t entry[16];
		size_t len = strlen(entries[i]) / 2;

		if (len)
			assert_int_equal(ms_hex_decode(entries[i], entry, len, "entry", &err), MS_OK);
		ms_tlog_leaf_hash(entry, len, leaf);
		assert_int_equal(tlog_mem_append(&m, leaf, NULL), MS_OK);
	}
	for (unsigned n = 0; n <= 8; n++) {
		assert_int_equal(ms_tlog_root(&r, n, root, &err), MS_OK);
		assert_hex_equal(root, MS_TLOG_HASH_LEN, roots[n]);
	}
	for (size_t p = 0; p < sizeof(proofs) / sizeof(proofs[0]); p++) {
		if (proofs[p].inclusion)
			assert_int_equal(ms_tlog_inclusion_proof(&r, proofs[p].a, proofs[p].n, proof, MS_TLOG_MAX_PROOF,
								 &count, &err), MS_OK);
		else
			assert_int_equal(ms_tlog_consistency_proof(&r, proofs[p].a, proofs[p].n, proof,
								   MS_TLOG_MAX_PROOF, &count, &err), MS_OK);
		assert_int_equal(count, proofs[p].count);
		for (size_t i = 0; i < count; i++)
			assert_hex_equal(proof[i], MS_TLOG_HASH_LEN, proofs[p].hashes[i]);
		decode(roots[proofs[p].n], root_n);
		if (proofs[p].inclusion) {
			assert_int_equal(tlog_mem_node(&m, 0, proofs[p].a, leaf), MS_OK);
			assert_true(ms_tlog_verify_inclusion(leaf, proofs[p].a, proofs[p].n, proof, count, root_n));
		} else {
			decode(roots[proofs[p].a], root_a);
			assert_true(ms_tlog_verify_consistency(proofs[p].a, proofs[p].n, root_a, root_n, proof, count));
		}
	}
	tlog_mem_free(&m);
}

static void leaf_and_node_hashes(void **state)
{
	uint8_t h[MS_TLOG_HASH_LEN];

	(void)state;
	for (unsigned i = 0; i < MAX_SIZE; i++) {
		ms_tlog_leaf_hash(V.entry[i], V.entry_len[i], h);
		assert_memory_equal(h, V.leaf[i], MS_TLOG_HASH_LEN);
	}
	ms_tlog_node_hash(V.leaf[0], V.leaf[1], h);
	assert_memory_equal(h, V.root[2], MS_TLOG_HASH_LEN);
}

static void append_and_roots(void **state)
{
	struct tlog_mem m = { 0 };
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t root[MS_TLOG_HASH_LEN];

	(void)state;
	assert_int_equal(ms_tlog_root(&r, 0, root, &err), MS_OK);
	assert_memory_equal(root, V.root[0], MS_TLOG_HASH_LEN);
	for (unsigned i = 0; i < MAX_SIZE; i++) {
		size_t completed = 0, want = 1;

		assert_int_equal(tlog_mem_append(&m, V.leaf[i], &completed), MS_OK);
		for (unsigned j = i; j & 1; j >>= 1)
			want++;
		assert_int_equal(completed, want);
		m.reads = 0;
		assert_int_equal(ms_tlog_root(&r, i + 1, root, &err), MS_OK);
		assert_memory_equal(root, V.root[i + 1], MS_TLOG_HASH_LEN);
		assert_true(m.reads <= bit_length(i + 1));
	}
	/* Older sizes from the full store read only nodes complete in them. */
	m.limit = 0;
	for (unsigned n = 0; n <= MAX_SIZE; n++) {
		assert_int_equal(ms_tlog_root(&r, n, root, &err), MS_OK);
		assert_memory_equal(root, V.root[n], MS_TLOG_HASH_LEN);
	}
	/* A node the store does not have is an error naming it, never a made-up root. */
	assert_int_equal(ms_tlog_root(&r, MAX_SIZE + 1, root, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "level 0, index 70"));
	/* Appending at the wrong index: the left sibling the store lacks is reported. */
	{
		struct ms_tlog_node out[MS_TLOG_MAX_APPEND];
		size_t count = 99;

		assert_int_equal(ms_tlog_append(&r, 127, V.leaf[0], out, &count, &err), MS_BAD_INPUT);
		assert_int_equal(count, 0);
		assert_int_equal(ms_tlog_append(&r, UINT64_MAX, V.leaf[0], out, &count, &err), MS_BAD_INPUT);
	}
	tlog_mem_free(&m);
}

/* The store-less recomputation gives the same roots and the same completed nodes as the store. */
static void compact_recompute(void **state)
{
	struct ms_tlog_compact c;
	struct tlog_mem m = { 0 };
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t root[MS_TLOG_HASH_LEN];

	(void)state;
	ms_tlog_compact_init(&c);
	ms_tlog_compact_root(&c, root);
	assert_memory_equal(root, V.root[0], MS_TLOG_HASH_LEN);
	for (unsigned i = 0; i < MAX_SIZE; i++) {
		struct ms_tlog_node a[MS_TLOG_MAX_APPEND], b[MS_TLOG_MAX_APPEND];
		size_t na = 0, nb = 0;

		assert_int_equal(ms_tlog_append(&r, i, V.leaf[i], a, &na, &err), MS_OK);
		assert_int_equal(tlog_mem_append(&m, V.leaf[i], NULL), MS_OK);
		assert_int_equal(ms_tlog_compact_append(&c, V.leaf[i], b, &nb, &err), MS_OK);
		assert_int_equal(na, nb);
		for (size_t k = 0; k < na; k++) {
			assert_int_equal(a[k].level, b[k].level);
			assert_true(a[k].index == b[k].index);
			assert_memory_equal(a[k].hash, b[k].hash, MS_TLOG_HASH_LEN);
		}
		ms_tlog_compact_root(&c, root);
		assert_memory_equal(root, V.root[i + 1], MS_TLOG_HASH_LEN);
	}
	assert_int_equal(ms_tlog_compact_append(&c, V.leaf[0], NULL, NULL, &err), MS_OK);
	c.size = UINT64_MAX;
	assert_int_equal(ms_tlog_compact_append(&c, V.leaf[0], NULL, NULL, &err), MS_BAD_INPUT);
	tlog_mem_free(&m);
}

static void flip(uint8_t h[MS_TLOG_HASH_LEN], unsigned bit)
{
	h[(bit / 8) % MS_TLOG_HASH_LEN] ^= (uint8_t)(1u << (bit % 8));
}

static void inclusion_all_pairs(void **state)
{
	struct tlog_mem m;
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t proof[MS_TLOG_MAX_PROOF + 1][MS_TLOG_HASH_LEN];
	size_t checked = 0;

	(void)state;
	build(&m, MAX_SIZE);
	for (unsigned n = 1; n <= MAX_SIZE; n++) {
		for (unsigned i = 0; i < n; i++) {
			const struct hash_list *want = &V.incl[n][i];
			const uint8_t *root = V.root[n];
			size_t count = 99;

			m.reads = 0;
			assert_int_equal(ms_tlog_inclusion_proof(&r, i, n, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_OK);
			assert_true(m.reads <= 2 * bit_length(n));
			if (count != want->n)
				fail_msg("inclusion (%u, %u): %zu hashes, want %zu", i, n, count, want->n);
			for (size_t k = 0; k < count; k++)
				if (memcmp(proof[k], want->h[k], MS_TLOG_HASH_LEN) != 0)
					fail_msg("inclusion (%u, %u): hash %zu differs from the RFC recursion", i, n, k);
			if (!ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count, root))
				fail_msg("inclusion (%u, %u) does not verify", i, n);

			/* Each hash flipped, at a few bit positions. */
			for (size_t k = 0; k < count; k++) {
				for (unsigned bit = 0; bit < 256; bit += 85) {
					flip(proof[k], bit);
					assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count, root));
					flip(proof[k], bit);
				}
			}
			{
				uint8_t leaf[MS_TLOG_HASH_LEN], bad_root[MS_TLOG_HASH_LEN];

				memcpy(leaf, V.leaf[i], sizeof(leaf));
				flip(leaf, 3);
				assert_false(ms_tlog_verify_inclusion(leaf, i, n, proof, count, root));
				memcpy(bad_root, root, sizeof(bad_root));
				flip(bad_root, 200);
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count, bad_root));
				/* The proof of another leaf's hash at this index. */
				if (n > 1)
					assert_false(ms_tlog_verify_inclusion(V.leaf[(i + 1) % n], i, n, proof, count,
									      root));
			}
			/* Wrong index. */
			if (i > 0)
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i - 1, n, proof, count, root));
			if (i + 1 < n)
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i + 1, n, proof, count, root));
			if ((i ^ 2) < n)
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i ^ 2, n, proof, count, root));
			assert_false(ms_tlog_verify_inclusion(V.leaf[i], n, n, proof, count, root));
			assert_false(ms_tlog_verify_inclusion(V.leaf[i], UINT64_MAX, n, proof, count, root));
			/* Wrong size, each with its own honest root. */
			if (n > 1 && i < n - 1)
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n - 1, proof, count, V.root[n - 1]));
			if (n < MAX_SIZE)
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n + 1, proof, count, V.root[n + 1]));
			assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, 0, proof, count, V.root[0]));
			/* An extra element (zero, or a copy of the root), a missing one at either end. */
			memset(proof[count], 0, MS_TLOG_HASH_LEN);
			assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count + 1, root));
			memcpy(proof[count], root, MS_TLOG_HASH_LEN);
			assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count + 1, root));
			if (count > 0) {
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof, count - 1, root));
				assert_false(ms_tlog_verify_inclusion(V.leaf[i], i, n, proof + 1, count - 1, root));
			}
			checked++;
		}
	}
	assert_int_equal(checked, MAX_SIZE * (MAX_SIZE + 1) / 2);
	tlog_mem_free(&m);
}

static void consistency_all_pairs(void **state)
{
	struct tlog_mem m;
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t proof[MS_TLOG_MAX_PROOF + 1][MS_TLOG_HASH_LEN];
	uint8_t fork_root[MAX_SIZE + 1][MS_TLOG_HASH_LEN];
	size_t checked = 0;

	(void)state;
	/* The same leaves in reverse order: every size is another tree. */
	build(&m, 0);
	for (unsigned i = 0; i < MAX_SIZE; i++) {
		assert_int_equal(tlog_mem_append(&m, V.leaf[MAX_SIZE - 1 - i], NULL), MS_OK);
		assert_int_equal(ms_tlog_root(&r, i + 1, fork_root[i + 1], &err), MS_OK);
		assert_memory_not_equal(fork_root[i + 1], V.root[i + 1], MS_TLOG_HASH_LEN);
	}
	tlog_mem_free(&m);
	build(&m, MAX_SIZE);
	for (unsigned n = 1; n <= MAX_SIZE; n++) {
		for (unsigned o = 1; o <= n; o++) {
			const struct hash_list *want = &V.cons[n][o];
			const uint8_t *old_root = V.root[o], *root = V.root[n];
			size_t count = 99;

			m.reads = 0;
			assert_int_equal(ms_tlog_consistency_proof(&r, o, n, proof, MS_TLOG_MAX_PROOF, &count, &err),
					 MS_OK);
			assert_true(m.reads <= 3 * bit_length(n));
			if (count != want->n)
				fail_msg("consistency (%u, %u): %zu hashes, want %zu", o, n, count, want->n);
			for (size_t k = 0; k < count; k++)
				if (memcmp(proof[k], want->h[k], MS_TLOG_HASH_LEN) != 0)
					fail_msg("consistency (%u, %u): hash %zu differs from the RFC recursion", o, n, k);
			if (!ms_tlog_verify_consistency(o, n, old_root, root, proof, count))
				fail_msg("consistency (%u, %u) does not verify", o, n);

			for (size_t k = 0; k < count; k++) {
				for (unsigned bit = 0; bit < 256; bit += 85) {
					flip(proof[k], bit);
					if (ms_tlog_verify_consistency(o, n, old_root, root, proof, count))
						fail_msg("consistency (%u, %u) verifies with hash %zu flipped", o, n, k);
					flip(proof[k], bit);
				}
			}
			{
				uint8_t bad[MS_TLOG_HASH_LEN];

				memcpy(bad, old_root, sizeof(bad));
				flip(bad, 9);
				assert_false(ms_tlog_verify_consistency(o, n, bad, root, proof, count));
				memcpy(bad, root, sizeof(bad));
				flip(bad, 9);
				assert_false(ms_tlog_verify_consistency(o, n, old_root, bad, proof, count));
				/* A fork: an old tree of the same size, made of other leaves. */
				assert_false(ms_tlog_verify_consistency(o, n, fork_root[o], root, proof, count));
			}
			/* Wrong sizes, each with its honest root. */
			if (o > 1)
				assert_false(ms_tlog_verify_consistency(o - 1, n, V.root[o - 1], root, proof, count));
			if (o < n)
				assert_false(ms_tlog_verify_consistency(o + 1, n, V.root[o + 1], root, proof, count));
			if (n < MAX_SIZE)
				assert_false(ms_tlog_verify_consistency(o, n + 1, old_root, V.root[n + 1], proof, count));
			if (n > o)
				assert_false(ms_tlog_verify_consistency(o, n - 1, old_root, V.root[n - 1], proof, count));
			assert_false(ms_tlog_verify_consistency(0, n, V.root[0], root, proof, count));
			assert_false(ms_tlog_verify_consistency(n, o, root, old_root, proof, count) && o != n);
			/* An extra element, a missing one at either end. */
			memset(proof[count], 0, MS_TLOG_HASH_LEN);
			assert_false(ms_tlog_verify_consistency(o, n, old_root, root, proof, count + 1));
			memcpy(proof[count], root, MS_TLOG_HASH_LEN);
			assert_false(ms_tlog_verify_consistency(o, n, old_root, root, proof, count + 1));
			if (count > 0) {
				assert_false(ms_tlog_verify_consistency(o, n, old_root, root, proof, count - 1));
				assert_false(ms_tlog_verify_consistency(o, n, old_root, root, proof + 1, count - 1));
			}
			checked++;
		}
	}
	assert_int_equal(checked, MAX_SIZE * (MAX_SIZE + 1) / 2);
	tlog_mem_free(&m);
}

static void edge_cases(void **state)
{
	struct tlog_mem m;
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t proof[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN];
	size_t count = 99;

	(void)state;
	build(&m, 8);
	/* Generation: index >= size, old size 0 or past size, too small a buffer. */
	assert_int_equal(ms_tlog_inclusion_proof(&r, 8, 8, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_BAD_INPUT);
	assert_int_equal(count, 0);
	assert_int_equal(ms_tlog_inclusion_proof(&r, 0, 0, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_BAD_INPUT);
	assert_int_equal(ms_tlog_consistency_proof(&r, 0, 8, proof, MS_TLOG_MAX_PROOF, &count, &err),
			 MS_BAD_INPUT);
	assert_int_equal(ms_tlog_consistency_proof(&r, 5, 4, proof, MS_TLOG_MAX_PROOF, &count, &err),
			 MS_BAD_INPUT);
	assert_int_equal(ms_tlog_inclusion_proof(&r, 3, 8, proof, 2, &count, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "longer than 2"));
	assert_int_equal(ms_tlog_consistency_proof(&r, 3, 8, proof, 0, &count, &err), MS_BAD_INPUT);
	/* A store that lacks a node makes generation fail, not guess. */
	assert_int_equal(ms_tlog_inclusion_proof(&r, 3, 9, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_BAD_INPUT);
	/* A one-leaf tree: the empty path, root = leaf hash. */
	assert_int_equal(ms_tlog_inclusion_proof(&r, 0, 1, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_OK);
	assert_int_equal(count, 0);
	assert_true(ms_tlog_verify_inclusion(V.leaf[0], 0, 1, proof, 0, V.root[1]));
	assert_false(ms_tlog_verify_inclusion(V.leaf[0], 0, 0, proof, 0, V.root[1]));
	assert_false(ms_tlog_verify_inclusion(V.leaf[0], 1, 1, proof, 0, V.root[1]));
	/* old == size: only the empty proof, only equal roots. */
	assert_int_equal(ms_tlog_consistency_proof(&r, 8, 8, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_OK);
	assert_int_equal(count, 0);
	assert_true(ms_tlog_verify_consistency(8, 8, V.root[8], V.root[8], proof, 0));
	assert_false(ms_tlog_verify_consistency(8, 8, V.root[8], V.root[7], proof, 0));
	memcpy(proof[0], V.root[8], MS_TLOG_HASH_LEN);
	assert_false(ms_tlog_verify_consistency(8, 8, V.root[8], V.root[8], proof, 1));
	/* old_size 0 is never a proof, even between empty trees; old > size neither. */
	assert_false(ms_tlog_verify_consistency(0, 0, V.root[0], V.root[0], proof, 0));
	assert_false(ms_tlog_verify_consistency(0, 8, V.root[0], V.root[8], proof, 0));
	assert_false(ms_tlog_verify_consistency(9, 8, V.root[8], V.root[8], proof, 0));
	/* old < size with an empty proof, even for a power-of-two old size. */
	assert_false(ms_tlog_verify_consistency(4, 8, V.root[4], V.root[8], proof, 0));
	assert_false(ms_tlog_verify_consistency(3, 8, V.root[3], V.root[8], proof, 0));
	/* Huge sizes do not loop or overflow. */
	assert_false(ms_tlog_verify_inclusion(V.leaf[0], UINT64_MAX - 1, UINT64_MAX, proof, 1, V.root[8]));
	assert_false(ms_tlog_verify_consistency(UINT64_MAX - 1, UINT64_MAX, V.root[8], V.root[8], proof, 1));
	tlog_mem_free(&m);
}

/* A 1,000,000-leaf log: proofs verify, read O(log n) nodes; the time is printed, not asserted (make bench). */
static void million_leaves(void **state)
{
	enum { N = 1000000 };
	struct tlog_mem m;
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t proof[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN], root[MS_TLOG_HASH_LEN], old_root[MS_TLOG_HASH_LEN];
	uint8_t leaf[MS_TLOG_HASH_LEN];
	static const uint64_t idx[] = { 0, 1, 499999, 524287, 524288, 999998, 999999 };
	struct timespec t0, t1;
	uint64_t max_reads = 0;
	size_t count;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (uint32_t i = 0; i < N; i++) {
		ms_tlog_leaf_hash(&i, sizeof(i), leaf);
		assert_int_equal(tlog_mem_append(&m, leaf, NULL), MS_OK);
	}
	assert_int_equal(ms_tlog_root(&r, N, root, &err), MS_OK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t k = 0; k < sizeof(idx) / sizeof(idx[0]); k++) {
		m.reads = 0;
		assert_int_equal(ms_tlog_inclusion_proof(&r, idx[k], N, proof, MS_TLOG_MAX_PROOF, &count, &err), MS_OK);
		if (m.reads > max_reads)
			max_reads = m.reads;
		assert_true(m.reads <= 2 * bit_length(N));
		assert_true(ms_tlog_verify_inclusion(m.level[0][idx[k]], idx[k], N, proof, count, root));
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# note: 1,000,000 leaves: %zu inclusion proofs in %.3f ms total, at most %llu node reads each\n",
	       sizeof(idx) / sizeof(idx[0]),
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
	       (unsigned long long)max_reads);
	for (uint64_t old = 1; old < N; old = old * 3 + 1) {
		assert_int_equal(ms_tlog_root(&r, old, old_root, &err), MS_OK);
		m.reads = 0;
		assert_int_equal(ms_tlog_consistency_proof(&r, old, N, proof, MS_TLOG_MAX_PROOF, &count, &err),
				 MS_OK);
		assert_true(m.reads <= 3 * bit_length(N));
		assert_true(ms_tlog_verify_consistency(old, N, old_root, root, proof, count));
	}
	tlog_mem_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ct_reference_roots),
		cmocka_unit_test(leaf_and_node_hashes),
		cmocka_unit_test(append_and_roots),
		cmocka_unit_test(compact_recompute),
		cmocka_unit_test(inclusion_all_pairs),
		cmocka_unit_test(consistency_all_pairs),
		cmocka_unit_test(edge_cases),
		cmocka_unit_test(million_leaves),
	};

	return cmocka_run_group_tests(tests, load_vectors, NULL);
}
