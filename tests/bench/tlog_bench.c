/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make bench: the transparency log in memory. Builds a 1,000,000-leaf tree with
 * ms_tlog_append, then times inclusion and consistency proofs (which read only
 * stored complete nodes) and their verification. Prints figures; asserts only
 * that every proof verifies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../tlog_mem.h"

#define LEAVES 1000000u
#define PROOFS 1000

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* xorshift: reproducible indices without libc's rand. */
static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

int main(void)
{
	struct tlog_mem m = { 0 };
	struct ms_tlog_reader r = tlog_mem_reader(&m);
	struct ms_err err = { 0 };
	uint8_t leaf[MS_TLOG_HASH_LEN], root[MS_TLOG_HASH_LEN], old_root[MS_TLOG_HASH_LEN];
	uint8_t proof[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN];
	double t0, t, worst = 0, total = 0, vtotal = 0, ctotal = 0, cworst = 0;
	uint64_t seed = 0x9e3779b97f4a7c15u, max_reads = 0;
	size_t count;
	int rc = 1;

	t0 = now_ms();
	for (uint32_t i = 0; i < LEAVES; i++) {
		ms_tlog_leaf_hash(&i, sizeof(i), leaf);
		if (tlog_mem_append(&m, leaf, NULL) != MS_OK)
			goto out;
	}
	t = now_ms() - t0;
	printf("append      %u leaves in %.0f ms (%.2f us per entry, leaf hash included)\n", LEAVES, t,
	       t * 1e3 / LEAVES);
	if (ms_tlog_root(&r, LEAVES, root, &err) != MS_OK)
		goto out;
	for (int k = 0; k < PROOFS; k++) {
		uint64_t index = next(&seed) % LEAVES;
		double a, b, c;

		m.reads = 0;
		a = now_ms();
		if (ms_tlog_inclusion_proof(&r, index, LEAVES, proof, MS_TLOG_MAX_PROOF, &count, &err) != MS_OK)
			goto out;
		b = now_ms();
		if (!ms_tlog_verify_inclusion(m.level[0][index], index, LEAVES, proof, count, root)) {
			fprintf(stderr, "tlog_bench: inclusion proof of %llu does not verify\n", (unsigned long long)index);
			goto out;
		}
		c = now_ms();
		total += b - a;
		vtotal += c - b;
		if (b - a > worst)
			worst = b - a;
		if (m.reads > max_reads)
			max_reads = m.reads;
	}
	printf("inclusion   %d proofs in a %u-leaf log: mean %.4f ms, worst %.4f ms, at most %llu node reads"
	       " (target: under 5 ms); verify mean %.4f ms\n",
	       PROOFS, LEAVES, total / PROOFS, worst, (unsigned long long)max_reads, vtotal / PROOFS);
	max_reads = 0;
	for (int k = 0; k < PROOFS; k++) {
		uint64_t old = 1 + next(&seed) % (LEAVES - 1);
		double a, b;

		if (ms_tlog_root(&r, old, old_root, &err) != MS_OK)
			goto out;
		m.reads = 0;
		a = now_ms();
		if (ms_tlog_consistency_proof(&r, old, LEAVES, proof, MS_TLOG_MAX_PROOF, &count, &err) != MS_OK)
			goto out;
		b = now_ms();
		if (!ms_tlog_verify_consistency(old, LEAVES, old_root, root, proof, count)) {
			fprintf(stderr, "tlog_bench: consistency proof from %llu does not verify\n", (unsigned long long)old);
			goto out;
		}
		ctotal += b - a;
		if (b - a > cworst)
			cworst = b - a;
		if (m.reads > max_reads)
			max_reads = m.reads;
	}
	printf("consistency %d proofs to a %u-leaf log: mean %.4f ms, worst %.4f ms, at most %llu node reads\n",
	       PROOFS, LEAVES, ctotal / PROOFS, cworst, (unsigned long long)max_reads);
	rc = 0;
out:
	if (rc && err.msg[0])
		fprintf(stderr, "tlog_bench: %s\n", err.msg);
	tlog_mem_free(&m);
	return rc;
}
