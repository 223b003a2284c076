/* SPDX-License-Identifier: Apache-2.0 */
/* The pin store: schema, queries and the log, for either backend (store_sqlite.c, store_pg.c). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json_strict.h"
#include "policy.h"
#include "store_impl.h"

/* The same statements create the schema in SQLite and PostgreSQL (BIGINT has integer affinity in SQLite). */
static const char *const schema_ddl[] = {
	"CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS deployments (name TEXT PRIMARY KEY, platform TEXT NOT NULL, state TEXT NOT NULL, "
	"pin_seq BIGINT NOT NULL, created TEXT NOT NULL, updated TEXT NOT NULL)",
	"CREATE TABLE IF NOT EXISTS entries (seq BIGINT PRIMARY KEY, deployment TEXT NOT NULL, kind TEXT NOT NULL, "
	"entry TEXT NOT NULL, leaf_hash TEXT NOT NULL, time TEXT NOT NULL)",
	"CREATE INDEX IF NOT EXISTS entries_by_deployment ON entries (deployment, seq)",
	"CREATE TABLE IF NOT EXISTS tree_nodes (level INTEGER NOT NULL, idx BIGINT NOT NULL, hash TEXT NOT NULL, "
	"PRIMARY KEY (level, idx))",
	"CREATE TABLE IF NOT EXISTS tree_heads (size BIGINT PRIMARY KEY, root TEXT NOT NULL, time TEXT NOT NULL)",
};

static int exec(struct ms_store *s, const char *sql, int n, const char *const *p, ms_store_row_fn fn, void *ctx,
		struct ms_err *err)
{
	return s->b->exec(s, sql, n, p, fn, ctx, err);
}

static int parse_u64(const char *text, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!text || !*text || *text == '-' || *text == '+' || *text == ' ')
		return -1;
	v = strtoull(text, &end, 10);
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static int decode_hash(struct ms_store *s, const char *text, uint8_t out[MS_TLOG_HASH_LEN], const char *what,
		       struct ms_err *err)
{
	if (!text || strlen(text) != 2 * MS_TLOG_HASH_LEN || ms_hex_decode(text, out, MS_TLOG_HASH_LEN, what, NULL))
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is not 64 hex digits", s->where, what);
	return MS_OK;
}

/* A single text value: *out (strdup'ed) or NULL when there is no row. */
struct one_value {
	char *value;
	bool found;
};

static int one_value_row(void *ctx, int ncols, const char *const *vals)
{
	struct one_value *v = ctx;

	if (v->found || ncols < 1)
		return MS_OK;
	v->found = true;
	if (vals[0] && !(v->value = strdup(vals[0])))
		return MS_NO_MEMORY;
	return MS_OK;
}

static int query_value(struct ms_store *s, const char *sql, int n, const char *const *p, char **out, struct ms_err *err)
{
	struct one_value v = { 0 };
	int st = exec(s, sql, n, p, one_value_row, &v, err);

	if (st) {
		free(v.value);
		*out = NULL;
		return st == MS_NO_MEMORY ? (int)ms_fail(err, MS_NO_MEMORY, "out of memory") : st;
	}
	*out = v.value;
	return MS_OK;
}

static int create_schema(struct ms_store *s, bool create, struct ms_err *err)
{
	char *version = NULL;
	uint64_t v = 0;
	int st;

	if ((st = ms_store_begin(s, create, err)))
		return st;
	if (create && (st = exec(s, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)", 0, NULL, NULL,
				 NULL, err)))
		goto out;
	if ((st = query_value(s, "SELECT max(version) FROM schema_version", 0, NULL, &version, err))) {
		if (!create)
			st = ms_fail(err, MS_BAD_INPUT, "%s: not a measure pin store (no schema_version table)", s->where);
		goto out;
	}
	if (version && parse_u64(version, &v)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: schema_version holds '%.32s', not a version number", s->where, version);
		goto out;
	}
	if (v > MS_STORE_SCHEMA_VERSION) {
		st = ms_fail(err, MS_UNSUPPORTED, "%s: store schema version %" PRIu64 " is newer than this measure knows (%d)",
			     s->where, v, MS_STORE_SCHEMA_VERSION);
		goto out;
	}
	if (!version && !create) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: not a measure pin store (no schema version)", s->where);
		goto out;
	}
	if (!version) {
		for (size_t i = 0; i < sizeof(schema_ddl) / sizeof(schema_ddl[0]); i++)
			if ((st = exec(s, schema_ddl[i], 0, NULL, NULL, NULL, err)))
				goto out;
		if ((st = exec(s, "INSERT INTO schema_version (version) VALUES (2)", 0, NULL, NULL, NULL, err)))
			goto out;
		v = 2;
	}
	s->version = v;
	st = ms_store_commit(s, err);
out:
	if (st)
		ms_store_rollback(s);
	free(version);
	return st;
}

int ms_store_open(const char *uri, bool create, struct ms_store **out, struct ms_err *err)
{
	struct ms_store *s = NULL;
	int st;

	*out = NULL;
	if (!uri || !*uri)
		return ms_fail(err, MS_USAGE, "store: an empty URI");
	if (!(s = calloc(1, sizeof(*s))))
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (!strncmp(uri, "postgresql://", 13) || !strncmp(uri, "postgres://", 11)) {
		st = ms_store_pg_open(s, uri, err);
	} else if (!strncmp(uri, "sqlite:", 7)) {
		st = uri[7] ? ms_store_sqlite_open(s, uri + 7, create, err)
			    : (int)ms_fail(err, MS_USAGE, "store: 'sqlite:' names no file");
	} else if (strstr(uri, "://") || !strncmp(uri, "postgres", 8)) {
		st = ms_fail(err, MS_USAGE, "store: '%.64s' is neither a path, sqlite:PATH nor postgresql://...", uri);
	} else {
		st = ms_store_sqlite_open(s, uri, create, err);
	}
	if (st) {
		free(s);
		return st;
	}
	if ((st = create_schema(s, create, err))) {
		ms_store_close(s);
		return st;
	}
	*out = s;
	return MS_OK;
}

void ms_store_close(struct ms_store *s)
{
	if (!s)
		return;
	if (s->in_tx)
		ms_store_rollback(s);
	if (s->b)
		s->b->close(s);
	free(s);
}

enum ms_store_kind ms_store_kind(const struct ms_store *s)
{
	return s->kind;
}

int ms_store_begin(struct ms_store *s, bool write, struct ms_err *err)
{
	int st = s->b->begin(s, write, err);

	s->in_tx = st == MS_OK;
	return st;
}

int ms_store_commit(struct ms_store *s, struct ms_err *err)
{
	int st = s->b->commit(s, err);

	s->in_tx = false;
	return st;
}

void ms_store_rollback(struct ms_store *s)
{
	if (s->in_tx)
		s->b->rollback(s);
	s->in_tx = false;
}

int ms_store_require_version2(struct ms_store *s, struct ms_err *err)
{
	int st;

	if (s->version >= 2)
		return MS_OK;
	if ((st = exec(s, "INSERT INTO schema_version (version) VALUES (2)", 0, NULL, NULL, NULL, err)))
		return st;
	s->version = 2;
	return MS_OK;
}

struct entry_rows {
	struct ms_store *s;
	int (*fn)(void *ctx, const struct ms_entry *e);
	void *ctx;
	struct ms_err *err;
};

static int entry_row(void *ctx, int ncols, const char *const *v);

#define ENTRY_COLUMNS "seq, deployment, kind, entry, leaf_hash, time"

struct policy_rows {
	struct ms_store *s;
	struct ms_pin_policy *store_wide, *own;
	struct ms_err *err;
};

static int policy_row(void *ctx, const struct ms_entry *e)
{
	struct policy_rows *r = ctx;
	struct ms_pin_policy *p = e->deployment[0] ? r->own : r->store_wide;
	uint8_t leaf[MS_TLOG_HASH_LEN];
	cJSON *j = NULL;
	int st;

	ms_tlog_leaf_hash(e->json, strlen(e->json), leaf);
	if (memcmp(leaf, e->leaf, sizeof(leaf)) || ms_json_parse_strict(e->json, strlen(e->json), "entry", &j, NULL))
		return ms_fail(r->err, MS_MISMATCH, "%s: policy entry %" PRIu64 " does not hash to its leaf or is not JSON: "
			       "the store was edited (run 'measure pin log verify')", r->s->where, e->seq);
	if (!p) {
		cJSON_Delete(j);
		return MS_OK;
	}
	st = ms_pin_policy_parse(j, e->seq, p, r->err);
	cJSON_Delete(j);
	return st == MS_BAD_INPUT ? MS_MISMATCH : st;
}

int ms_store_policies(struct ms_store *s, const char *deployment, struct ms_pin_policy *store_wide,
		      struct ms_pin_policy *own, struct ms_err *err)
{
	struct policy_rows r = { s, store_wide, deployment ? own : NULL, err };
	const char *p[] = { deployment ? deployment : "" };
	uint8_t root[MS_TLOG_HASH_LEN];
	char *count = NULL;
	uint64_t size, n = 0;
	int st;

	memset(store_wide, 0, sizeof(*store_wide));
	if (own)
		memset(own, 0, sizeof(*own));
	if ((st = ms_store_size(s, &size, root, err)) ||
	    (st = query_value(s, "SELECT count(*) FROM entries", 0, NULL, &count, err)))
		goto out;
	if (!count || parse_u64(count, &n) || n != size) {
		st = ms_fail(err, MS_MISMATCH, "%s: the log holds %s entries, its tree head says %" PRIu64 ": the store was "
			     "edited (run 'measure pin log verify')", s->where, count ? count : "?", size);
		goto out;
	}
	{
		struct entry_rows er = { s, policy_row, &r, err };

		st = exec(s, "SELECT " ENTRY_COLUMNS " FROM entries WHERE kind = 'policy' AND deployment IN ('', $1) "
			     "ORDER BY seq", 1, p, entry_row, &er, err);
	}
out:
	free(count);
	return st;
}

int ms_store_setting_get(struct ms_store *s, const char *key, char **value, struct ms_err *err)
{
	const char *p[] = { key };

	return query_value(s, "SELECT value FROM settings WHERE key = $1", 1, p, value, err);
}

int ms_store_setting_set(struct ms_store *s, const char *key, const char *value, struct ms_err *err)
{
	const char *p[] = { key, value };
	int st = exec(s, "DELETE FROM settings WHERE key = $1", 1, p, NULL, NULL, err);

	return st ? st : exec(s, "INSERT INTO settings (key, value) VALUES ($1, $2)", 2, p, NULL, NULL, err);
}

bool ms_pin_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n < 1 || n > MS_PIN_NAME_MAX || name[0] == '-' || strspn(name, "0123456789") == n)
		return false; /* all digits would read as an entry number (pin log prove) */
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x21 || name[i] > 0x7e || name[i] == '/' || name[i] == '\\')
			return false;
	return true;
}

static int copy_field(struct ms_store *s, char *dst, size_t size, const char *src, const char *what, struct ms_err *err)
{
	if (!src || strlen(src) >= size)
		return ms_fail(err, MS_BAD_INPUT, "%s: %s is missing or too long", s->where, what);
	strcpy(dst, src);
	return MS_OK;
}

struct deployment_rows {
	struct ms_store *s;
	int (*fn)(void *ctx, const struct ms_deployment *d);
	void *ctx;
	struct ms_err *err;
};

static int deployment_row(void *ctx, int ncols, const char *const *v)
{
	struct deployment_rows *r = ctx;
	struct ms_deployment d = { 0 };
	int st;

	if (ncols != 6)
		return ms_fail(r->err, MS_BAD_INPUT, "%s: deployments row of %d columns", r->s->where, ncols);
	if ((st = copy_field(r->s, d.name, sizeof(d.name), v[0], "deployments.name", r->err)) ||
	    (st = copy_field(r->s, d.platform, sizeof(d.platform), v[1], "deployments.platform", r->err)) ||
	    (st = copy_field(r->s, d.state, sizeof(d.state), v[2], "deployments.state", r->err)) ||
	    (st = copy_field(r->s, d.created, sizeof(d.created), v[4], "deployments.created", r->err)) ||
	    (st = copy_field(r->s, d.updated, sizeof(d.updated), v[5], "deployments.updated", r->err)))
		return st;
	if (parse_u64(v[3], &d.pin_seq))
		return ms_fail(r->err, MS_BAD_INPUT, "%s: deployments.pin_seq of %s is not a number", r->s->where, d.name);
	return r->fn(r->ctx, &d);
}

#define DEPLOYMENT_COLUMNS "name, platform, state, pin_seq, created, updated"

struct deployment_get {
	struct ms_deployment *d;
	bool found;
};

static int deployment_get_one(void *ctx, const struct ms_deployment *d)
{
	struct deployment_get *g = ctx;

	*g->d = *d;
	g->found = true;
	return MS_OK;
}

int ms_store_deployment_get(struct ms_store *s, const char *name, struct ms_deployment *d, bool *found,
			    struct ms_err *err)
{
	struct deployment_get g = { d, false };
	struct deployment_rows r = { s, deployment_get_one, &g, err };
	const char *p[] = { name };
	int st = exec(s, "SELECT " DEPLOYMENT_COLUMNS " FROM deployments WHERE name = $1", 1, p, deployment_row, &r, err);

	*found = g.found;
	return st;
}

int ms_store_deployment_put(struct ms_store *s, const struct ms_deployment *d, struct ms_err *err)
{
	char seq[24];
	const char *p[] = { d->name, d->platform, d->state, seq, d->created, d->updated };
	int st;

	snprintf(seq, sizeof(seq), "%" PRIu64, d->pin_seq);
	if ((st = exec(s, "DELETE FROM deployments WHERE name = $1", 1, p, NULL, NULL, err)))
		return st;
	return exec(s, "INSERT INTO deployments (" DEPLOYMENT_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL,
		    NULL, err);
}

int ms_store_deployment_each(struct ms_store *s, int (*fn)(void *ctx, const struct ms_deployment *d), void *ctx,
			     struct ms_err *err)
{
	struct deployment_rows r = { s, fn, ctx, err };

	return exec(s, "SELECT " DEPLOYMENT_COLUMNS " FROM deployments ORDER BY name", 0, NULL, deployment_row, &r, err);
}

struct head_row {
	struct ms_store *s;
	uint64_t size;
	char *root;
	bool found;
};

static int head_row(void *ctx, int ncols, const char *const *v)
{
	struct head_row *h = ctx;

	if (ncols != 2 || parse_u64(v[0], &h->size) || !v[1])
		return ms_fail(NULL, MS_BAD_INPUT, "bad tree head");
	h->found = true;
	return (h->root = strdup(v[1])) ? MS_OK : MS_NO_MEMORY;
}

int ms_store_size(struct ms_store *s, uint64_t *size, uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err)
{
	struct head_row h = { s, 0, NULL, false };
	int st = exec(s, "SELECT size, root FROM tree_heads ORDER BY size DESC LIMIT 1", 0, NULL, head_row, &h, err);

	if (st == MS_BAD_INPUT && !err->msg[0])
		st = ms_fail(err, MS_BAD_INPUT, "%s: malformed tree_heads row", s->where);
	if (!st && h.found)
		st = decode_hash(s, h.root, root, "tree_heads.root", err);
	else if (!st)
		ms_sha256("", 0, root);
	*size = h.found ? h.size : 0;
	free(h.root);
	return st;
}

static int node_read(void *ctx, unsigned level, uint64_t index, uint8_t out[MS_TLOG_HASH_LEN])
{
	struct ms_store *s = ctx;
	char lv[16], ix[24], *hash = NULL;
	const char *p[] = { lv, ix };
	int st;

	snprintf(lv, sizeof(lv), "%u", level);
	snprintf(ix, sizeof(ix), "%" PRIu64, index);
	st = query_value(s, "SELECT hash FROM tree_nodes WHERE level = $1 AND idx = $2", 2, p, &hash, NULL);
	if (!st && (!hash || strlen(hash) != 64 || ms_hex_decode(hash, out, MS_TLOG_HASH_LEN, "node", NULL)))
		st = MS_BAD_INPUT;
	free(hash);
	return st;
}

struct ms_tlog_reader ms_store_reader(struct ms_store *s)
{
	return (struct ms_tlog_reader){ s, node_read };
}

int ms_store_append(struct ms_store *s, struct ms_entry *e, uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err)
{
	struct ms_tlog_reader r = ms_store_reader(s);
	struct ms_tlog_node nodes[MS_TLOG_MAX_APPEND];
	uint8_t old_root[MS_TLOG_HASH_LEN];
	char seq[24], size_text[24], leaf_hex[65], root_hex[65];
	size_t count = 0;
	uint64_t size;
	int st;

	if ((st = ms_store_size(s, &size, old_root, err)))
		return st;
	if (e->seq != size)
		return ms_fail(err, MS_BAD_INPUT, "%s: entry %" PRIu64 " appended to a log of %" PRIu64 " entries", s->where,
			      e->seq, size);
	ms_tlog_leaf_hash(e->json, strlen(e->json), e->leaf);
	if ((st = ms_tlog_append(&r, e->seq, e->leaf, nodes, &count, err)))
		return ms_fail(err, st, "%s: %s", s->where, err->msg);
	snprintf(seq, sizeof(seq), "%" PRIu64, e->seq);
	ms_hex_encode(e->leaf, MS_TLOG_HASH_LEN, leaf_hex);
	{
		const char *p[] = { seq, e->deployment, e->kind, e->json, leaf_hex, e->time };

		if ((st = exec(s, "INSERT INTO entries (seq, deployment, kind, entry, leaf_hash, time) "
				  "VALUES ($1, $2, $3, $4, $5, $6)", 6, p, NULL, NULL, err)))
			return st;
	}
	for (size_t i = 0; i < count; i++) {
		char lv[16], ix[24], hex[65];
		const char *p[] = { lv, ix, hex };

		snprintf(lv, sizeof(lv), "%u", nodes[i].level);
		snprintf(ix, sizeof(ix), "%" PRIu64, nodes[i].index);
		ms_hex_encode(nodes[i].hash, MS_TLOG_HASH_LEN, hex);
		if ((st = exec(s, "INSERT INTO tree_nodes (level, idx, hash) VALUES ($1, $2, $3)", 3, p, NULL, NULL, err)))
			return st;
	}
	if ((st = ms_tlog_root(&r, size + 1, root, err)))
		return ms_fail(err, st, "%s: %s", s->where, err->msg);
	snprintf(size_text, sizeof(size_text), "%" PRIu64, size + 1);
	ms_hex_encode(root, MS_TLOG_HASH_LEN, root_hex);
	{
		const char *p[] = { size_text, root_hex, e->time };

		return exec(s, "INSERT INTO tree_heads (size, root, time) VALUES ($1, $2, $3)", 3, p, NULL, NULL, err);
	}
}

static int entry_row(void *ctx, int ncols, const char *const *v)
{
	struct entry_rows *r = ctx;
	struct ms_entry e = { 0 };
	int st;

	if (ncols != 6)
		return ms_fail(r->err, MS_BAD_INPUT, "%s: entries row of %d columns", r->s->where, ncols);
	if (parse_u64(v[0], &e.seq))
		return ms_fail(r->err, MS_BAD_INPUT, "%s: entries.seq '%.24s' is not a number", r->s->where,
			       v[0] ? v[0] : "NULL");
	if ((st = copy_field(r->s, e.deployment, sizeof(e.deployment), v[1], "entries.deployment", r->err)) ||
	    (st = copy_field(r->s, e.kind, sizeof(e.kind), v[2], "entries.kind", r->err)) ||
	    (st = copy_field(r->s, e.time, sizeof(e.time), v[5], "entries.time", r->err)) ||
	    (st = decode_hash(r->s, v[4], e.leaf, "entries.leaf_hash", r->err)))
		return st;
	if (!v[3])
		return ms_fail(r->err, MS_BAD_INPUT, "%s: entry %" PRIu64 " has no text", r->s->where, e.seq);
	e.json = v[3];
	return r->fn(r->ctx, &e);
}

int ms_store_entry_each(struct ms_store *s, const char *deployment, int (*fn)(void *ctx, const struct ms_entry *e),
			void *ctx, struct ms_err *err)
{
	struct entry_rows r = { s, fn, ctx, err };
	const char *p[] = { deployment };

	if (deployment)
		return exec(s, "SELECT " ENTRY_COLUMNS " FROM entries WHERE deployment = $1 ORDER BY seq", 1, p, entry_row,
			    &r, err);
	return exec(s, "SELECT " ENTRY_COLUMNS " FROM entries ORDER BY seq", 0, NULL, entry_row, &r, err);
}

struct entry_get {
	struct ms_entry *e;
	bool found;
};

static int entry_get_one(void *ctx, const struct ms_entry *e)
{
	struct entry_get *g = ctx;

	if (g->found)
		return MS_OK;
	*g->e = *e;
	g->found = true;
	return (g->e->json = strdup(e->json)) ? MS_OK : MS_NO_MEMORY;
}

int ms_store_entry_get(struct ms_store *s, uint64_t seq, struct ms_entry *e, bool *found, struct ms_err *err)
{
	struct entry_get g = { e, false };
	struct entry_rows r = { s, entry_get_one, &g, err };
	char text[24];
	const char *p[] = { text };
	int st;

	snprintf(text, sizeof(text), "%" PRIu64, seq);
	memset(e, 0, sizeof(*e));
	st = exec(s, "SELECT " ENTRY_COLUMNS " FROM entries WHERE seq = $1", 1, p, entry_row, &r, err);
	if (st == MS_NO_MEMORY)
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
	*found = g.found && !st;
	return st;
}

/* --- canonical JSON --------------------------------------------------------------------------- */

static void sort_object(cJSON *item)
{
	for (cJSON *c = item->child; c; c = c->next)
		sort_object(c);
	if (!cJSON_IsObject(item) || !item->child)
		return;
	/* insertion sort of the child list by key, bytewise */
	cJSON *sorted = NULL;

	for (cJSON *c = item->child, *next; c; c = next) {
		cJSON **at = &sorted;

		next = c->next;
		while (*at && strcmp((*at)->string, c->string) <= 0)
			at = &(*at)->next;
		c->next = *at;
		*at = c;
	}
	/* cJSON's list: prev of the head points at the tail */
	cJSON *prev = NULL, *c;

	for (c = sorted; c; c = c->next) {
		c->prev = prev;
		prev = c;
	}
	sorted->prev = prev;
	item->child = sorted;
}

char *ms_json_canonical(const void *cjson_item)
{
	cJSON *copy = cJSON_Duplicate(cjson_item, true);
	char *text;

	if (!copy)
		return NULL;
	sort_object(copy);
	text = cJSON_PrintUnformatted(copy);
	cJSON_Delete(copy);
	return text;
}
