/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ms_store_log_verify: the whole tree recomputed from the entries, held against
 * everything stored, with bounded memory: the entries are streamed in order
 * into a compact tree (one hash per level), each joined with the tree head of
 * its size; the stored nodes are checked level by level against their children
 * (level 0 against the entries' leaf hashes, checked in the first pass), so no
 * pass keeps more than one row and the replayed deployments.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/hex.h"
#include "../common/json_strict.h"
#include "policy.h"
#include "sign.h"
#include "store_impl.h"

struct replayed {
	struct ms_deployment d;
	struct ms_pin_policy *policy; /* its own policy, when it has one */
	bool seen;                    /* its deployments row was found */
};

struct verify {
	struct ms_tlog_compact tree;
	struct replayed *deps;
	size_t ndeps, capdeps;
	struct ms_pin_policy store_policy;
	uint64_t heads_seen, old_size;
	const uint8_t *old_root;
	bool old_checked;
	unsigned levels_seen;
	struct ms_store *s;
	struct ms_err *err;
};

static int parse_u64(const char *text, uint64_t *out)
{
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -1;
	*out = strtoull(text, &end, 10);
	return *end ? -1 : 0;
}

static struct replayed *find_dep(struct verify *t, const char *name)
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

/* An update, destroy or policy entry must stand under the policies in force for its scope (pin/policy.h). */
static int check_policy(struct verify *t, const struct ms_entry *e, const cJSON *j, struct replayed *r)
{
	uint8_t prev_root[MS_TLOG_HASH_LEN];
	struct ms_err why = { 0 };
	struct ms_pin_policy next;
	int st;

	ms_tlog_compact_root(&t->tree, prev_root);
	if ((st = ms_pin_policy_check_entry(&t->store_policy, r ? r->policy : NULL, j, prev_root, &why)))
		return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " (%s of %s): %s", t->s->where, e->seq, e->kind,
			       e->deployment[0] ? e->deployment : "the store", why.msg);
	if (strcmp(e->kind, "policy"))
		return MS_OK;
	if ((st = ms_pin_policy_parse(j, e->seq, &next, &why)))
		return ms_fail(t->err, MS_MISMATCH, "%s: %s", t->s->where, why.msg);
	if (!r) {
		t->store_policy = next;
		return MS_OK;
	}
	if (!r->policy && !(r->policy = malloc(sizeof(*r->policy))))
		return ms_fail(t->err, MS_NO_MEMORY, "out of memory");
	*r->policy = next;
	return MS_OK;
}

/* The deployment state the entries imply, as the CLI writes it. */
static int replay(struct verify *t, const struct ms_entry *e, const cJSON *j)
{
	struct replayed *r = find_dep(t, e->deployment);
	const char *platform = json_str(j, "platform");
	int st;

	if (!strcmp(e->kind, "policy") && !e->deployment[0])
		return check_policy(t, e, j, NULL);
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
	if (!strcmp(e->kind, "policy"))
		return check_policy(t, e, j, r); /* the deployment row is not changed by a policy */
	if (strcmp(e->kind, "add")) {
		/* every later entry names the pin it was judged against (pin_seq) or replaced (previous_pin_seq) */
		const cJSON *ps = cJSON_GetObjectItemCaseSensitive(j, !strcmp(e->kind, "update") ? "previous_pin_seq" : "pin_seq");

		if (!cJSON_IsNumber(ps) || ps->valuedouble != (double)r->d.pin_seq)
			return ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " (%s of %s) names another pin than entry %" PRIu64,
				       t->s->where, e->seq, e->kind, e->deployment, r->d.pin_seq);
	}
	if ((!strcmp(e->kind, "update") || !strcmp(e->kind, "destroy")) && (st = check_policy(t, e, j, r)))
		return st;
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

/* Any other signed entry: its operator signature covers the entry without its signature member. */
static int check_signature(struct verify *t, const struct ms_entry *e, const cJSON *j)
{
	char *text = ms_pin_signed_text(j);
	struct ms_err why = { 0 };
	int st;

	if (!text)
		st = ms_fail(t->err, MS_NO_MEMORY, "out of memory");
	else if (ms_pin_signature_verify(text, strlen(text), cJSON_GetObjectItemCaseSensitive(j, "signature"), &why))
		st = ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": %s", t->s->where, e->seq, why.msg);
	else
		st = MS_OK;
	free(text);
	return st;
}

static int copy_col(char *dst, size_t size, const char *src)
{
	if (!src || strlen(src) >= size)
		return -1;
	strcpy(dst, src);
	return 0;
}

/* One row: seq, deployment, kind, entry, leaf_hash, time, and the root of the tree head of size seq + 1. */
static int check_entry(void *ctx, int ncols, const char *const *v)
{
	struct verify *t = ctx;
	struct ms_entry e = { 0 };
	struct ms_tlog_node nodes[MS_TLOG_MAX_APPEND];
	uint8_t leaf[MS_TLOG_HASH_LEN], root[MS_TLOG_HASH_LEN], stored[MS_TLOG_HASH_LEN];
	const cJSON *sv;
	cJSON *j = NULL;
	char *canon = NULL;
	size_t count;
	uint64_t seq;
	int st = MS_MISMATCH;

	if (ncols != 7 || parse_u64(v[0], &e.seq) || copy_col(e.deployment, sizeof(e.deployment), v[1]) ||
	    copy_col(e.kind, sizeof(e.kind), v[2]) || !v[3] || copy_col(e.time, sizeof(e.time), v[5]) || !v[4] ||
	    strlen(v[4]) != 64 || ms_hex_decode(v[4], e.leaf, MS_TLOG_HASH_LEN, "leaf_hash", NULL)) {
		ms_fail(t->err, MS_MISMATCH, "%s: a malformed entries row after entry %" PRIu64, t->s->where, t->tree.size);
		goto out;
	}
	e.json = v[3];
	if (e.seq != t->tree.size) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 " where entry %" PRIu64 " belongs: an entry is missing",
			t->s->where, e.seq, t->tree.size);
		goto out;
	}
	ms_tlog_leaf_hash(e.json, strlen(e.json), leaf);
	if (memcmp(leaf, e.leaf, MS_TLOG_HASH_LEN)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its text does not hash to its stored leaf hash",
			t->s->where, e.seq);
		goto out;
	}
	/* strict: an entry with a duplicate key could mean one thing to one reader and another to the next */
	if (ms_json_parse_strict(e.json, strlen(e.json), "entry", &j, NULL))
		j = NULL;
	canon = j ? ms_json_canonical(j) : NULL;
	if (!canon || strcmp(canon, e.json)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": not canonical JSON", t->s->where, e.seq);
		goto out;
	}
	sv = cJSON_GetObjectItemCaseSensitive(j, "seq");
	if (!cJSON_IsNumber(sv) || sv->valuedouble < 0 || sv->valuedouble > 9007199254740992.0 ||
	    (seq = (uint64_t)sv->valuedouble, seq != e.seq)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its text says another seq", t->s->where, e.seq);
		goto out;
	}
	if (!json_str(j, "deployment") || strcmp(json_str(j, "deployment"), e.deployment) || !json_str(j, "kind") ||
	    strcmp(json_str(j, "kind"), e.kind) || !json_str(j, "time") || strcmp(json_str(j, "time"), e.time) ||
	    !json_str(j, "schema") || strcmp(json_str(j, "schema"), MS_PIN_ENTRY_SCHEMA)) {
		ms_fail(t->err, MS_MISMATCH, "%s: entry %" PRIu64 ": its columns disagree with its text (schema, deployment, "
			"kind or time)", t->s->where, e.seq);
		goto out;
	}
	/* updates, destroys and policy entries have their signatures checked under the policy in force (replay) */
	if (strcmp(e.kind, "update") && strcmp(e.kind, "policy") && strcmp(e.kind, "destroy") &&
	    cJSON_GetObjectItemCaseSensitive(j, "signature") &&
	    (st = check_signature(t, &e, j)))
		goto out;
	if ((st = replay(t, &e, j)))
		goto out;
	if ((st = ms_tlog_compact_append(&t->tree, leaf, nodes, &count, t->err)))
		goto out;
	ms_tlog_compact_root(&t->tree, root);
	st = MS_MISMATCH;
	if (v[6]) {
		if (strlen(v[6]) != 64 || ms_hex_decode(v[6], stored, MS_TLOG_HASH_LEN, "root", NULL) ||
		    memcmp(root, stored, MS_TLOG_HASH_LEN)) {
			ms_fail(t->err, MS_MISMATCH, "%s: the tree head of size %" PRIu64 " has a root the entries do not give",
				t->s->where, t->tree.size);
			goto out;
		}
		t->heads_seen++;
	}
	if (t->old_size == t->tree.size) {
		if (memcmp(root, t->old_root, MS_TLOG_HASH_LEN)) {
			ms_fail(t->err, MS_MISMATCH, "%s: the log is not an append-only extension of the checkpoint of size %" PRIu64
				" (a forked or rewritten log)", t->s->where, t->old_size);
			goto out;
		}
		t->old_checked = true;
	}
	st = MS_OK;
out:
	cJSON_Delete(j);
	free(canon);
	return st;
}

/* One stored node with the hashes it must be made of: level 0 the entry's leaf hash, above its two children. */
static int check_node(void *ctx, int ncols, const char *const *v)
{
	struct verify *t = ctx;
	uint8_t hash[MS_TLOG_HASH_LEN], a[MS_TLOG_HASH_LEN], b[MS_TLOG_HASH_LEN], want[MS_TLOG_HASH_LEN];
	uint64_t level, idx;

	if (ncols != 5 || parse_u64(v[0], &level) || parse_u64(v[1], &idx) || !v[2] || strlen(v[2]) != 64 ||
	    ms_hex_decode(v[2], hash, MS_TLOG_HASH_LEN, "hash", NULL))
		return ms_fail(t->err, MS_MISMATCH, "%s: a malformed tree_nodes row", t->s->where);
	if (level == 0) {
		if (!v[3] || strlen(v[3]) != 64 || ms_hex_decode(v[3], want, MS_TLOG_HASH_LEN, "leaf", NULL))
			return ms_fail(t->err, MS_MISMATCH, "%s: a stored node (level 0, index %" PRIu64 ") that the %" PRIu64
				       "-entry log does not have", t->s->where, idx, t->tree.size);
	} else {
		if (!v[3] || !v[4] || strlen(v[3]) != 64 || strlen(v[4]) != 64 ||
		    ms_hex_decode(v[3], a, MS_TLOG_HASH_LEN, "left", NULL) || ms_hex_decode(v[4], b, MS_TLOG_HASH_LEN, "right", NULL))
			return ms_fail(t->err, MS_MISMATCH, "%s: a stored node (level %" PRIu64 ", index %" PRIu64 ") without "
				       "both children", t->s->where, level, idx);
		ms_tlog_node_hash(a, b, want);
	}
	if (memcmp(hash, want, MS_TLOG_HASH_LEN))
		return ms_fail(t->err, MS_MISMATCH, "%s: stored node (level %" PRIu64 ", index %" PRIu64 ") differs from the "
			       "recomputed tree", t->s->where, level, idx);
	return MS_OK;
}

/* Per level: count, distinct indexes, lowest and highest index: exactly 0 .. (size >> level) - 1. */
static int check_level(void *ctx, int ncols, const char *const *v)
{
	struct verify *t = ctx;
	uint64_t level, n, distinct, lo, hi, want;

	if (ncols != 5 || parse_u64(v[0], &level) || parse_u64(v[1], &n) || parse_u64(v[2], &distinct) ||
	    parse_u64(v[3], &lo) || parse_u64(v[4], &hi))
		return ms_fail(t->err, MS_MISMATCH, "%s: a malformed tree_nodes level", t->s->where);
	if (level != t->levels_seen++)
		return ms_fail(t->err, MS_MISMATCH, "%s: no tree nodes stored at level %u", t->s->where, t->levels_seen - 1);
	want = level < 64 ? t->tree.size >> level : 0;
	if (n != want || distinct != n || lo != 0 || hi != n - 1)
		return ms_fail(t->err, MS_MISMATCH, "%s: %" PRIu64 " tree nodes stored at level %" PRIu64 ", the %" PRIu64
			       "-entry log has %" PRIu64, t->s->where, n, level, t->tree.size, want);
	return MS_OK;
}

struct head_count {
	struct verify *t;
	uint64_t n, distinct, lo, hi;
	bool any;
};

static int head_count_row(void *ctx, int ncols, const char *const *v)
{
	struct head_count *h = ctx;

	if (ncols != 4 || parse_u64(v[0], &h->n) || (h->n && (parse_u64(v[1], &h->distinct) ||
							       parse_u64(v[2], &h->lo) || parse_u64(v[3], &h->hi))))
		return ms_fail(h->t->err, MS_MISMATCH, "%s: a malformed tree_heads row", h->t->s->where);
	h->any = h->n > 0;
	return MS_OK;
}

static int check_deployment(void *ctx, const struct ms_deployment *d)
{
	struct verify *t = ctx;
	struct replayed *r = find_dep(t, d->name);

	if (!r)
		return ms_fail(t->err, MS_MISMATCH, "%s: deployment %s has no entries in the log", t->s->where, d->name);
	if (strcmp(r->d.platform, d->platform) || strcmp(r->d.state, d->state) || r->d.pin_seq != d->pin_seq ||
	    strcmp(r->d.created, d->created) || strcmp(r->d.updated, d->updated))
		return ms_fail(t->err, MS_MISMATCH, "%s: deployment %s is stored as %s (pin entry %" PRIu64 "), the log says "
			       "%s (pin entry %" PRIu64 ")", t->s->where, d->name, d->state, d->pin_seq, r->d.state,
			       r->d.pin_seq);
	r->seen = true;
	return MS_OK;
}

int ms_store_log_verify(struct ms_store *s, uint64_t old_size, const uint8_t *old_root, uint64_t *size,
			uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err)
{
	struct verify t = { .s = s, .err = err, .old_size = old_size, .old_root = old_root };
	struct head_count h = { &t, 0, 0, 0, 0, false };
	int st;

	memset(err, 0, sizeof(*err));
	ms_tlog_compact_init(&t.tree);
	if ((st = s->b->exec(s, "SELECT e.seq, e.deployment, e.kind, e.entry, e.leaf_hash, e.time, h.root FROM entries e "
				"LEFT JOIN tree_heads h ON h.size = e.seq + 1 ORDER BY e.seq", 0, NULL, check_entry, &t, err)))
		goto out;
	if ((st = s->b->exec(s, "SELECT level, count(*), count(DISTINCT idx), min(idx), max(idx) FROM tree_nodes "
				"GROUP BY level ORDER BY level", 0, NULL, check_level, &t, err)))
		goto out;
	{
		/* a level the log has but the store lacks has no GROUP BY row */
		unsigned want = 0;

		while (want < 64 && t.tree.size >> want)
			want++;
		if (t.levels_seen != want) {
			st = ms_fail(err, MS_MISMATCH, "%s: tree nodes stored on %u levels, the %" PRIu64 "-entry log has %u",
				     s->where, t.levels_seen, t.tree.size, want);
			goto out;
		}
	}
	if ((st = s->b->exec(s, "SELECT n.level, n.idx, n.hash, e.leaf_hash, NULL FROM tree_nodes n LEFT JOIN entries e "
				"ON e.seq = n.idx WHERE n.level = 0", 0, NULL, check_node, &t, err)) ||
	    (st = s->b->exec(s, "SELECT p.level, p.idx, p.hash, a.hash, b.hash FROM tree_nodes p "
				"LEFT JOIN tree_nodes a ON a.level = p.level - 1 AND a.idx = 2 * p.idx "
				"LEFT JOIN tree_nodes b ON b.level = p.level - 1 AND b.idx = 2 * p.idx + 1 WHERE p.level > 0",
			     0, NULL, check_node, &t, err)))
		goto out;
	if ((st = s->b->exec(s, "SELECT count(*), count(DISTINCT size), min(size), max(size) FROM tree_heads", 0, NULL,
			     head_count_row, &h, err)))
		goto out;
	if (h.any ? h.distinct != h.n || h.n != t.heads_seen || h.lo < 1 || h.hi != t.tree.size : t.tree.size != 0) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log holds %" PRIu64 " entries, its latest tree head covers %" PRIu64
			     ": entries were added outside measure (or tree heads changed)", s->where, t.tree.size,
			     h.any ? h.hi : 0);
		goto out;
	}
	ms_tlog_compact_root(&t.tree, root);
	if ((st = ms_store_deployment_each(s, check_deployment, &t, err)))
		goto out;
	for (size_t i = 0; i < t.ndeps; i++)
		if (!t.deps[i].seen) {
			st = ms_fail(err, MS_MISMATCH, "%s: deployment %s is in the log but not in the deployments table",
				     s->where, t.deps[i].d.name);
			goto out;
		}
	*size = t.tree.size;
	if (old_size > t.tree.size) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log has %" PRIu64 " entries, fewer than the checkpoint's %" PRIu64
			     ": it was truncated or replaced", s->where, t.tree.size, old_size);
		goto out;
	}
	if (old_size && !t.old_checked) {
		st = ms_fail(err, MS_MISMATCH, "%s: the checkpoint of size %" PRIu64 " was not reached", s->where, old_size);
		goto out;
	}
	st = MS_OK;
out:
	for (size_t i = 0; i < t.ndeps; i++)
		free(t.deps[i].policy);
	free(t.deps);
	return st;
}
