/* SPDX-License-Identifier: Apache-2.0 */
/* An in-memory node store for the tlog tests and benchmark: one growing array of hashes per level. */
#ifndef MS_TEST_TLOG_MEM_H
#define MS_TEST_TLOG_MEM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../pin/tlog.h"

struct tlog_mem {
	uint8_t (*level[64])[MS_TLOG_HASH_LEN];
	uint64_t count[64], cap[64];
	uint64_t size;
	uint64_t reads;          /* node() calls, to hold the O(log n) promise */
	uint64_t limit;          /* when nonzero, nodes past this many leaves "do not exist" */
};

static inline int tlog_mem_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MS_TLOG_HASH_LEN])
{
	struct tlog_mem *m = ctx;

	m->reads++;
	if (level >= 64 || index >= m->count[level])
		return MS_BAD_INPUT;
	if (m->limit && ((index + 1) << level) > m->limit)
		return MS_BAD_INPUT;
	memcpy(out, m->level[level][index], MS_TLOG_HASH_LEN);
	return MS_OK;
}

static inline struct ms_tlog_reader tlog_mem_reader(struct tlog_mem *m)
{
	struct ms_tlog_reader r = { m, tlog_mem_node };

	return r;
}

/* Appends one leaf hash through ms_tlog_append and stores what it returns; returns the append's status. */
static inline int tlog_mem_append(struct tlog_mem *m, const uint8_t leaf[MS_TLOG_HASH_LEN], size_t *completed)
{
	struct ms_tlog_node nodes[MS_TLOG_MAX_APPEND];
	struct ms_tlog_reader r = tlog_mem_reader(m);
	struct ms_err err = { 0 };
	size_t count = 0;
	int rc;

	rc = ms_tlog_append(&r, m->size, leaf, nodes, &count, &err);
	if (rc != MS_OK)
		return rc;
	for (size_t i = 0; i < count; i++) {
		unsigned l = nodes[i].level;

		if (nodes[i].index != m->count[l])
			return MS_BAD_INPUT; /* out of order: the test fails on it */
		if (m->count[l] == m->cap[l]) {
			uint64_t cap = m->cap[l] ? 2 * m->cap[l] : 16;
			void *p = realloc(m->level[l], cap * MS_TLOG_HASH_LEN);

			if (!p)
				return MS_NO_MEMORY;
			m->level[l] = p;
			m->cap[l] = cap;
		}
		memcpy(m->level[l][m->count[l]++], nodes[i].hash, MS_TLOG_HASH_LEN);
	}
	m->size++;
	if (completed)
		*completed = count;
	return MS_OK;
}

static inline void tlog_mem_free(struct tlog_mem *m)
{
	for (int l = 0; l < 64; l++)
		free(m->level[l]);
	memset(m, 0, sizeof(*m));
}

#endif
