/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_STORE_H
#define MS_STORE_H

/*
 * The pin store: deployments, the log entries and the Merkle tree of the log,
 * in SQLite (a file) or PostgreSQL (libpq), with one schema and one behaviour.
 * Every verb runs in one transaction: ms_store_begin, work, ms_store_commit
 * (or ms_store_rollback). Writers are serialized (SQLite BEGIN IMMEDIATE,
 * PostgreSQL pg_advisory_xact_lock), readers see one snapshot.
 *
 * Failures: MS_BAD_INPUT for a malformed URI, a store that cannot be opened,
 * reached or written, or holds malformed rows; MS_UNSUPPORTED for a store of a
 * newer schema version (the message names it); MS_MISMATCH from
 * ms_store_log_verify when the log is not intact.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/status.h"
#include "tlog.h"

/*
 * 1: the first schema. 2: the same tables; the log may hold "policy" entries,
 * which a measure that knows only version 1 would not enforce, so a store is
 * marked version 2 when its first policy entry is written (new stores start at 2).
 */
#define MS_STORE_SCHEMA_VERSION 2
#define MS_PIN_NAME_MAX 128
#define MS_PIN_ENTRY_SCHEMA "measure/pin-entry/v1"

struct ms_store;

enum ms_store_kind { MS_STORE_SQLITE = 1, MS_STORE_POSTGRES };

/*
 * uri: "postgresql://..." or "postgres://..." (libpq), "sqlite:PATH" or a plain
 * PATH (SQLite). With create, a missing SQLite file (not its directory) is
 * created and an empty database gets the schema; without it a missing store is
 * MS_BAD_INPUT. The schema version is checked either way.
 */
int ms_store_open(const char *uri, bool create, struct ms_store **out, struct ms_err *err);
void ms_store_close(struct ms_store *s);
enum ms_store_kind ms_store_kind(const struct ms_store *s);

int ms_store_begin(struct ms_store *s, bool write, struct ms_err *err);
int ms_store_commit(struct ms_store *s, struct ms_err *err);
void ms_store_rollback(struct ms_store *s);

/* Marks the store schema version 2 (inside the caller's write transaction); no-op when it is. */
int ms_store_require_version2(struct ms_store *s, struct ms_err *err);

/*
 * The policies in force (pin/policy.h): the store-wide one and, when
 * deployment is not NULL, that deployment's own, read from the log's policy
 * entries (each one's text must still hash to its leaf; the number of entries
 * must equal the log size, so a deleted entry is noticed). Their authority is
 * not re-checked here: that is ms_store_log_verify's replay.
 */
struct ms_pin_policy;
int ms_store_policies(struct ms_store *s, const char *deployment, struct ms_pin_policy *store_wide,
		      struct ms_pin_policy *own, struct ms_err *err);

/* Store-wide settings (key, value text); *value is NULL when unset; free() it. */
int ms_store_setting_get(struct ms_store *s, const char *key, char **value, struct ms_err *err);
int ms_store_setting_set(struct ms_store *s, const char *key, const char *value, struct ms_err *err);

struct ms_deployment {
	char name[MS_PIN_NAME_MAX + 1];
	char platform[16];
	char state[16];         /* pinned, drifted, destroyed */
	uint64_t pin_seq;       /* the add or update entry that set the current pin */
	char created[32], updated[32];
};

/* true when name is 1..128 printable ASCII characters, no '/', '\\' or leading '-'. */
bool ms_pin_name_valid(const char *name);

int ms_store_deployment_get(struct ms_store *s, const char *name, struct ms_deployment *d, bool *found,
			    struct ms_err *err);
/* Inserts or replaces the row of d->name. */
int ms_store_deployment_put(struct ms_store *s, const struct ms_deployment *d, struct ms_err *err);
/* Calls fn for every deployment, by name. */
int ms_store_deployment_each(struct ms_store *s, int (*fn)(void *ctx, const struct ms_deployment *d), void *ctx,
			     struct ms_err *err);

struct ms_entry {
	uint64_t seq;
	char deployment[MS_PIN_NAME_MAX + 1];
	char kind[16];          /* add, verified, drift, rejected, update, destroy */
	const char *json;       /* the canonical entry: the leaf is SHA-256(0x00 || json) */
	uint8_t leaf[MS_TLOG_HASH_LEN];
	char time[32];
};

/* The size of the log: the size of its latest tree head (0 when empty). */
int ms_store_size(struct ms_store *s, uint64_t *size, uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err);
/*
 * Appends entry e (e->seq must be the current size; leaf computed here), the
 * tree nodes it completes and the new tree head; *root receives the new root.
 */
int ms_store_append(struct ms_store *s, struct ms_entry *e, uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err);
/* Calls fn for each entry in seq order: all of them (deployment NULL) or one deployment's. */
int ms_store_entry_each(struct ms_store *s, const char *deployment, int (*fn)(void *ctx, const struct ms_entry *e),
			void *ctx, struct ms_err *err);
/* Entry seq; *found false when there is none. e->json is owned by the caller (free()). */
int ms_store_entry_get(struct ms_store *s, uint64_t seq, struct ms_entry *e, bool *found, struct ms_err *err);

/* Reads stored tree nodes (for roots and proofs of the current log). */
struct ms_tlog_reader ms_store_reader(struct ms_store *s);

/*
 * Recomputes the whole tree from the entries' canonical JSON and checks every
 * stored leaf hash, node and tree head, the seq, deployment and kind of every
 * entry against its JSON, and every deployment row against the replayed log.
 * *size and root receive the verified size and root. MS_MISMATCH naming the
 * first difference. With old_size > 0 also proves that the tree of old_size
 * with root old_root is a prefix (RFC 9162 consistency proof); MS_MISMATCH if not.
 */
int ms_store_log_verify(struct ms_store *s, uint64_t old_size, const uint8_t *old_root, uint64_t *size,
			uint8_t root[MS_TLOG_HASH_LEN], struct ms_err *err);

/* Canonical JSON: keys sorted bytewise at every level, no whitespace. New string; free() it. */
char *ms_json_canonical(const void *cjson_item);

#endif
