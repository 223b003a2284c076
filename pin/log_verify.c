/* SPDX-License-Identifier: Apache-2.0 */
/* ms_store_log_verify: the whole tree recomputed from the entries, held against everything stored. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/hex.h"
#include "../common/json_strict.h"
#include "sign.h"
#include "store_impl.h"

struct replayed {
	struct ms_deployment d;
};

struct tree {
	uint8_t (*level[64])[MS_TLOG_HASH_LEN];
	uint64_t len[64];
	uint64_t cap0;
	unsigned levels;
	struct replayed *deps;
	size_t ndeps, capdeps;
	uint64_t nodes_seen;
	struct ms_store *s;
	struct ms_err *err;
};

static int tree_node(void *ctx, unsigned level, uint64_t index, uint8_t out[MS_TLOG_HASH_LEN])
{
	const struct tree *t = ctx;

	if (level >= 64 || index >= t->len[level])
		return MS_BAD_INPUT;
	memcpy(out, t->level[level][index], MS_TLOG_HASH_LEN);
	return MS_OK;
}

static struct replayed *find_dep(struct tree *t, const char *name)
{
	for (size_t i = 0; i < t->ndeps; i++)
		if (!strcmp(t->deps[i].d.name, name))
			return &t->deps[i];
	return NULL;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The deployment state the entries imply, as the CLI writes it. */
static int replay(struct tree *t, const struct ms_entry *e, const cJSON *j)
{
	struct replayed *r = find_dep(t, e->deployment);
	const char *platform = json_str(j, "platform");

	if (!strcmp(e->kind, "add")) {
		if (r)
			return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " adds %s a second time", t->s->where, e->seq,
				       e->deployment);
		if (t->ndeps == t->capdeps) {
			size_t cap = t->capdeps ? 2 * t->capdeps : 16;
			struct replayed *n = realloc(t->deps, cap * sizeof(*n));

			if (!n)
				return ms_fail(t->err, MS_NO_MEMORY, "out of memory");
			t->deps = n;
			t->capdeps = cap;
		}
		r = &t->deps[t->ndeps++];
		memset(r, 0, sizeof(*r));
		strcpy(r->d.name, e->deployment);
		snprintf(r->d.created, sizeof(r->d.created), "%s", e->time);
	} else if (!r) {
		return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " (%s) for %s, which was never added", t->s->where,
			       e->seq, e->kind, e->deployment);
	} else if (!strcmp(r->d.state, "destroyed")) {
		return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " (%s) for %s after it was destroyed", t->s->where,
			       e->seq, e->kind, e->deployment);
	}
	if (strcmp(e->kind, "add")) {
		/* every later entry names the pin it was judged against (pin_seq) or replaced (previous_pin_seq) */
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, !strcmp(e->kind, "update") ? "previous_pin_seq" : "pin_seq");

		if (!cJSON_IsNumber(ps) || ps->valuedouble != (double)r->d.pin_seq)
			return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " (%s of %s) names another pin than entry %" PRIu64,
				       t->s->where, e->seq, e->kind, e->deployment, r->d.pin_seq);
	}
	if (!strcmp(e->kind, "add") || !strcmp(e->kind, "update")) {
		if (!platform || strlen(platform) >= sizeof(r->d.platform))
			return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " has no platform", t->s->where, e->seq);
		strcpy(r->d.platform, platform);
		strcpy(r->d.state, "pinned");
		r->d.pin_seq = e->seq;
	} else if (!strcmp(e->kind, "drift")) {
		strcpy(r->d.state, "drifted");
	} else if (!strcmp(e->kind, "destroy")) {
		strcpy(r->d.state, "destroyed");
	} else if (strcmp(e->kind, "verified") && strcmp(e->kind, "rejected")) {
		return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " has an unknown kind '%s'", t->s->where, e->seq,
			       e->kind);
	}
	snprintf(r->d.updated, sizeof(r->d.updated), "%s", e->time);
	return MS_OK;
}

/* An operator signature covers the entry without its signature member. */
static int check_signature(struct tree *t, const struct ms_entry *e, const cJSON *j)
{
	cJSON *copy = cJSON_Duplicate(j, true);
	cJSON *sig = copy ? cJSON_DetachItemFromObjectCaseSensitive(copy, "signature") : NULL;
	char *text = sig ? ms_json_canonical(copy) : NULL;
	struct ms_err e2 = { 0 };
	int st;

	if (!text)
		st = ms_fail(t->err, MS_NO_MEMORY, "out of memory");
	else if (ms_pin_signature_verify(text, strlen(text), sig, &e2))
		st = ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": %s", t->s->where, e->seq, e2.msg);
	else
		st = MS_OK;
	free(text);
	cJSON_Delete(sig);
	cJSON_Delete(copy);
	return st;
}

static int check_entry(void *ctx, const struct ms_entry *e)
{
	struct tree *t = ctx;
	uint8_t leaf[MS_TLOG_HASH_LEN];
	const cJSON *v;
	cJSON *j = NULL;
	char *canon = NULL;
	uint64_t seq;
	int st = MS_MISMATCH;

	if (e->seq != t->len[0]) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " where entry %" PRIu64 " belongs: an entry is missing",
			t->s->where, e->seq, t->len[0]);
		goto out;
	}
	ms_tlog_leaf_hash(e->json, strlen(e->json), leaf);
	if (memcmp(leaf, e->leaf, MS_TLOG_HASH_LEN)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its text does not hash to its stored leaf hash",
			t->s->where, e->seq);
		goto out;
	}
	/* strict: an entry with a duplicate key could mean one thing to one reader and another to the next */
	if (ms_json_parse_strict(e->json, strlen(e->json), "entry", &j, NULL))
		j = NULL;
	canon = j ? ms_json_canonical(j) : NULL;
	if (!canon || strcmp(canon, e->json)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": not canonical JSON", t->s->where, e->seq);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 9007199254740992.0 ||
	    (seq = (uint64_t)v->valuedouble, seq != e->seq)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its text says another seq", t->s->where, e->seq);
		goto out;
	}
	if (!json_str(j, "deployment") || strcmp(json_str(j, "deployment"), e->deployment) || !json_str(j, "kind") ||
	    strcmp(json_str(j, "kind"), e->kind) || !json_str(j, "time") || strcmp(json_str(j, "time"), e->time) ||
	    !json_str(j, "schema") || strcmp(json_str(j, "schema"), MS_PIN_ENTRY_SCHEMA)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its columns disagree with its text (schema, deployment, "
			"kind or time)", t->s->where, e->seq);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(j, "signature") && (st = check_signature(t, e, j)))
		goto out;
	if ((st = replay(t, e, j)))
		goto out;
	if (t->len[0] == t->cap0) {
		uint64_t cap = t->cap0 ? 2 * t->cap0 : 1024;
		void *n = realloc(t->level[0], cap * MS_TLOG_HASH_LEN);

		if (!n) {
			st = ms_fail(t->err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
		t->level[0] = n;
		t->cap0 = cap;
	}
	memcpy(t->level[0][t->len[0]++], leaf, MS_TLOG_HASH_LEN);
	st = MS_OK;
out:
	cJSON_Delete(j);
	free(canon);
	return st;
}

static int build_levels(struct tree *t)
{
	t->levels = 1;
	for (unsigned l = 1; l < 64 && t->len[l - 1] >= 2; l++) {
		t->len[l] = t->len[l - 1] / 2;
		if (!(t->level[l] = malloc(t->len[l] * MS_TLOG_HASH_LEN)))
			return ms_fail(t->err, MS_NO_MEMORY, "out of memory");
		for (uint64_t i = 0; i < t->len[l]; i++)
			ms_tlog_node_hash(t->level[l - 1][2 * i], t->level[l - 1][2 * i + 1], t->level[l][i]);
		t->levels = l + 1;
	}
	return MS_OK;
}

static int check_node(void *ctx, int ncols, const char *const *v)
{
	struct tree *t = ctx;
	uint8_t hash[MS_TLOG_HASH_LEN];
	char *end;
	unsigned long long level, idx;

	if (ncols != 3 || !v[0] || !v[1] || !v[2])
		return ms_fail(t->err, MS_MISMATCH, "%s: a malformed tree_nodes row", t->s->where);
	level = strtoull(v[0], &end, 10);
	if (*end || *v[0] == '-')
		return ms_fail(t->err, MS_MISMATCH, "%s: tree_nodes.level '%.20s'", t->s->where, v[0]);
	idx = strtoull(v[1], &end, 10);
	if (*end || *v[1] == '-')
		return ms_fail(t->err, MS_MISMATCH, "%s: tree_nodes.idx '%.20s'", t->s->where, v[1]);
	if (level >= 64 || idx >= t->len[level])
		return ms_fail(t->err, MS_MISMATCH, "%s: a stored node (level %llu, index %llu) that the %" PRIu64
			       "-entry log does not have", t->s->where, level, idx, t->len[0]);
	if (strlen(v[2]) != 64 || ms_hex_decode(v[2], hash, MS_TLOG_HASH_LEN, "hash", NULL) ||
	    memcmp(hash, t->level[level][idx], MS_TLOG_HASH_LEN))
		return ms_fail(t->err, MS_MISMATCH, "%s: stored node (level %llu, index %llu) differs from the recomputed tree",
			       t->s->where, level, idx);
	t->nodes_seen++;
	return MS_OK;
}

struct heads {
	struct tree *t;
	uint64_t last;
	bool any;
};

static int check_head(void *ctx, int ncols, const char *const *v)
{
	struct heads *h = ctx;
	struct tree *t = h->t;
	struct ms_tlog_reader r = { t, tree_node };
	uint8_t stored[MS_TLOG_HASH_LEN], root[MS_TLOG_HASH_LEN];
	char *end;
	unsigned long long size;

	if (ncols != 2 || !v[0] || !v[1])
		return ms_fail(t->err, MS_MISMATCH, "%s: a malformed tree_heads row", t->s->where);
	size = strtoull(v[0], &end, 10);
	if (*end || *v[0] == '-' || size == 0 || size > t->len[0])
		return ms_fail(t->err, MS_MISMATCH, "%s: a tree head of size %.20s, but the log has %" PRIu64 " entries",
			       t->s->where, v[0], t->len[0]);
	if (strlen(v[1]) != 64 || ms_hex_decode(v[1], stored, MS_TLOG_HASH_LEN, "root", NULL) ||
	    ms_tlog_root(&r, size, root, NULL) || memcmp(root, stored, MS_TLOG_HASH_LEN))
		return ms_fail(t->err, MS_MISMATCH, "%s: the tree head of size %llu has a root the entries do not give",
			       t->s->where, size);
	h->last = size;
	h->any = true;
	return MS_OK;
}

static int check_deployment(void *ctx, const struct ms_deployment *d)
{
	struct tree *t = ctx;
	struct replayed *r = find_dep(t, d->name);

	if (!r)
		return ms_fail(t->err, MS_MISMATCH, "%s: deployment %s has no entries in the log", t->s->where, d->name);
	if (strcmp(r->d.platform, d->platform) || strcmp(r->d.state, d->state) || r->d.pin_seq != d->pin_seq ||
	    strcmp(r->d.created, d->created) || strcmp(r->d.updated, d->updated))
		return ms_fail(t->err, MS_MISMATCH, "%s: deployment %s is stored as %s (pin entry %" PRIu64 "), the log says "
			       "%s (pin entry %" PRIu64 ")", t->s->where, d->name, d->state, d->pin_seq, r->d.state,
			       r->d.pin_seq);
	r->d.pin_seq |= UINT64_C(1) << 63; /* seen */
	return MS_OK;
}

int ms_store_log_verify(struct ms_store *s, uint64_t old_size, const uint8_t *old_root, uint64_t *size,
			uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err)
{
	struct tree t = { .s = s, .err = err };
	struct ms_tlog_reader r = { &t, tree_node };
	struct heads h = { &t, 0, false };
	uint8_t proof[MS_TLOG_MAX_PROOF][MS_TLOG_HASH_LEN];
	uint64_t want_nodes = 0;
	size_t count;
	int st;

	memset(err, 0, sizeof(*err));
	if ((st = ms_store_entry_each(s, NULL, check_entry, &t, err)) || (st = build_levels(&t)))
		goto out;
	for (unsigned l = 0; l < t.levels; l++)
		want_nodes += t.len[l];
	if ((st = s->b->exec(s, "SELECT level, idx, hash FROM tree_nodes ORDER BY level, idx", 0, NULL, check_node, &t,
			     err)))
		goto out;
	if (t.nodes_seen != want_nodes) {
		st = ms_fail(err, MS_MISMATCH, "%s: %" PRIu64 " tree nodes stored, the %" PRIu64 "-entry log has %" PRIu64,
			     s->where, t.nodes_seen, t.len[0], want_nodes);
		goto out;
	}
	if ((st = s->b->exec(s, "SELECT size, root FROM tree_heads ORDER BY size", 0, NULL, check_head, &h, err)))
		goto out;
	if (h.last != t.len[0]) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log holds %" PRIu64 " entries, its latest tree head covers %" PRIu64
			     ": entries were added outside measure", s->where, t.len[0], h.last);
		goto out;
	}
	if ((st = ms_tlog_root(&r, t.len[0], root, err)))
		goto out;
	if ((st = ms_store_deployment_each(s, check_deployment, &t, err)))
		goto out;
	for (size_t i = 0; i < t.ndeps; i++)
		if (!(t.deps[i].d.pin_seq >> 63)) {
			st = ms_fail(err, MS_MISMATCH, "%s: deployment %s is in the log but not in the deployments table",
				     s->where, t.deps[i].d.name);
			goto out;
		}
	*size = t.len[0];
	if (old_size > t.len[0]) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log has %" PRIu64 " entries, fewer than the checkpoint's %" PRIu64
			     ": it was truncated or replaced", s->where, t.len[0], old_size);
		goto out;
	}
	if (old_size && (ms_tlog_consistency_proof(&r, old_size, t.len[0], proof, MS_TLOG_MAX_PROOF, &count, err) ||
			 !ms_tlog_verify_consistency(old_size, t.len[0], old_root, root, proof, count))) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log is not an append-only extension of the checkpoint of size %" PRIu64
			     " (a forked or rewritten log)", s->where, old_size);
		goto out;
	}
	st = MS_OK;
out:
	for (unsigned l = 0; l < 64; l++)
		free(t.level[l]);
	free(t.deps);
	return st;
}
