/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend: WAL, synchronous=FULL, a busy timeout, BEGIN IMMEDIATE for writers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store_impl.h"

#define BUSY_TIMEOUT_MS 30000

static int sqlite_fail(struct ms_store *s, struct ms_err *err, const char *what)
{
	sqlite3 *db = s->db;
	int code = sqlite3_errcode(db);
	const char *hint = code == SQLITE_READONLY || code == SQLITE_CANTOPEN ? " (the store is read-only or its "
										"directory is not writable)"
			   : code == SQLITE_BUSY ? " (another process held the store too long)"
			   : code == SQLITE_NOTADB || code == SQLITE_CORRUPT ? " (not a SQLite database, or damaged)"
									    : "";

	return ms_fail(err, MS_BAD_INPUT, "%s: %s: %s%s", s->where, what, sqlite3_errmsg(db), hint);
}

static int sqlite_exec(struct ms_store *s, const char *sql, int nparams, const char *const *params,
		       ms_store_row_fn fn, void *ctx, struct ms_err *err)
{
	sqlite3 *db = s->db;
	sqlite3_stmt *stmt = NULL;
	const char *vals[16];
	int st = MS_OK, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		st = sqlite_fail(s, err, "query");
		goto out;
	}
	for (int i = 0; i < nparams; i++) {
		char name[16];
		int at;

		snprintf(name, sizeof(name), "$%d", i + 1);
		at = sqlite3_bind_parameter_index(stmt, name);
		if (at && sqlite3_bind_text(stmt, at, params[i], -1, SQLITE_STATIC) != SQLITE_OK) {
			st = sqlite_fail(s, err, "bind");
			goto out;
		}
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int n = sqlite3_column_count(stmt);

		if (n > 16)
			n = 16;
		for (int i = 0; i < n; i++) {
			vals[i] = (const char *)sqlite3_column_text(stmt, i);
			/* a value with a NUL inside would be read here as less than what another client reads */
			if (vals[i] && strlen(vals[i]) != (size_t)sqlite3_column_bytes(stmt, i)) {
				st = ms_fail(err, MS_MISMATCH, "%s: column %d of a row holds a NUL byte: the store was edited",
					     s->where, i);
				goto out;
			}
		}
		if (fn && (st = fn(ctx, n, vals)))
			goto out;
	}
	if (rc != SQLITE_DONE)
		st = sqlite_fail(s, err, "query");
out:
	sqlite3_finalize(stmt);
	return st;
}

static int sqlite_begin(struct ms_store *s, bool write, struct ms_err *err)
{
	if (sqlite3_exec(s->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite_fail(s, err, write ? "cannot start a write transaction" : "cannot start a transaction");
	return MS_OK;
}

static int sqlite_commit(struct ms_store *s, struct ms_err *err)
{
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int st = sqlite_fail(s, err, "commit");

		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		return st;
	}
	return MS_OK;
}

static void sqlite_rollback(struct ms_store *s)
{
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

static void sqlite_close(struct ms_store *s)
{
	sqlite3_close(s->db);
	s->db = NULL;
}

static const struct ms_store_backend sqlite_backend = {
	sqlite_exec, sqlite_begin, sqlite_commit, sqlite_rollback, sqlite_close,
};

/* Runs a PRAGMA and returns its first value (or "" when it has none). */
static int pragma(struct ms_store *s, const char *sql, char *out, size_t size, struct ms_err *err)
{
	sqlite3_stmt *stmt = NULL;
	int st = MS_OK, rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		return sqlite_fail(s, err, sql);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
	else if (rc != SQLITE_DONE)
		st = sqlite_fail(s, err, sql);
	sqlite3_finalize(stmt);
	return st;
}

int ms_store_sqlite_open(struct ms_store *s, const char *path, bool create, struct ms_err *err)
{
	struct stat sb;
	char mode[32];
	sqlite3 *db = NULL;
	int st;

	s->kind = MS_STORE_SQLITE;
	s->b = &sqlite_backend;
	snprintf(s->where, sizeof(s->where), "%s", path);
	if (stat(path, &sb)) {
		if (errno != ENOENT || !create)
			return ms_fail(err, MS_BAD_INPUT, "%s: no pin store here (%s)", path, strerror(errno));
	} else if (!S_ISREG(sb.st_mode)) {
		return ms_fail(err, MS_BAD_INPUT, "%s: not a regular file", path);
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: cannot open: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return st;
	}
	s->db = db;
	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db, 0);
	/* the WAL is checkpointed as it grows (every 1000 pages), not by each short-lived process on exit */
	sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/* WAL: readers never block the writer; FULL: a committed entry survives a power cut */
	if ((st = pragma(s, "PRAGMA journal_mode=WAL", mode, sizeof(mode), err)))
		goto fail;
	if (strcmp(mode, "wal") && !(sqlite3_db_readonly(db, "main") == 1 && !create)) {
		st = ms_fail(err, MS_BAD_INPUT, "%s: cannot switch to WAL mode (journal mode '%s')", path, mode);
		goto fail;
	}
	if ((st = pragma(s, "PRAGMA synchronous=FULL", mode, sizeof(mode), err)) ||
	    (st = pragma(s, "PRAGMA foreign_keys=OFF", mode, sizeof(mode), err)))
		goto fail;
	return MS_OK;
fail:
	sqlite3_close(db);
	s->db = NULL;
	return st;
}
