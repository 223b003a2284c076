/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (libpq). Writers serialize on one transaction-level
 * advisory lock, so appends never race for a sequence number; readers use a
 * REPEATABLE READ snapshot, so a verb sees one state of the log.
 */
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_impl.h"

/* The advisory lock key of the pin log ("mspn"). */
#define APPEND_LOCK "1836282990"

static void quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* The first line of libpq's message, without its trailing newline. */
static int pg_fail(struct ms_store *s, struct ms_err *err, const char *what, const char *msg)
{
	size_t n = strcspn(msg ? msg : "", "\n");

	return ms_fail(err, MS_BAD_INPUT, "%s: %s: %.*s", s->where, what, (int)n, msg ? msg : "");
}

static int pg_exec(struct ms_store *s, const char *sql, int nparams, const char *const *params, ms_store_row_fn fn,
		   void *ctx, struct ms_err *err)
{
	PGresult *res = PQexecParams(s->db, sql, nparams, NULL, params, NULL, NULL, 0);
	ExecStatusType rs = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	const char *vals[16];
	int st = MS_OK;

	if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
		st = pg_fail(s, err, "query", res ? PQresultErrorMessage(res) : PQerrorMessage(s->db));
		goto out;
	}
	if (rs == PGRES_TUPLES_OK && fn) {
		int rows = PQntuples(res), cols = PQnfields(res);

		if (cols > 16)
			cols = 16;
		for (int r = 0; r < rows; r++) {
			for (int c = 0; c < cols; c++)
				vals[c] = PQgetisnull(res, r, c) ? NULL : PQgetvalue(res, r, c);
			if ((st = fn(ctx, cols, vals)))
				goto out;
		}
	}
out:
	PQclear(res);
	return st;
}

static int pg_begin(struct ms_store *s, bool write, struct ms_err *err)
{
	int st = pg_exec(s, write ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ", 0,
			 NULL, NULL, NULL, err);

	/* after the lock, every statement of this writer sees every earlier writer's commit */
	if (!st && write && (st = pg_exec(s, "SELECT pg_advisory_xact_lock(" APPEND_LOCK ")", 0, NULL, NULL, NULL, err)))
		pg_exec(s, "ROLLBACK", 0, NULL, NULL, NULL, NULL);
	return st;
}

static int pg_commit(struct ms_store *s, struct ms_err *err)
{
	return pg_exec(s, "COMMIT", 0, NULL, NULL, NULL, err);
}

static void pg_rollback(struct ms_store *s)
{
	struct ms_err ignored;

	pg_exec(s, "ROLLBACK", 0, NULL, NULL, NULL, &ignored);
}

static void pg_close(struct ms_store *s)
{
	PQfinish(s->db);
	s->db = NULL;
}

static const struct ms_store_backend pg_backend = {
	pg_exec, pg_begin, pg_commit, pg_rollback, pg_close,
};

int ms_store_pg_open(struct ms_store *s, const char *conninfo, struct ms_err *err)
{
	PQconninfoOption *opts;
	char *perr = NULL;
	const char *host = NULL, *db = NULL;
	int st;

	s->kind = MS_STORE_POSTGRES;
	s->b = &pg_backend;
	/* the URI is parsed first, so that a malformed one is a usage error and no password is ever printed */
	if (!(opts = PQconninfoParse(conninfo, &perr))) {
		size_t n = strcspn(perr ? perr : "", "\n");

		st = ms_fail(err, MS_USAGE, "store: a malformed PostgreSQL URI: %.*s", (int)n, perr ? perr : "out of memory");
		PQfreemem(perr);
		return st;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!strcmp(o->keyword, "host") && o->val)
			host = o->val;
		if (!strcmp(o->keyword, "dbname") && o->val)
			db = o->val;
	}
	snprintf(s->where, sizeof(s->where), "postgresql %s/%s", host ? host : "(default host)", db ? db : "(default)");
	PQconninfoFree(opts);
	s->db = PQconnectdb(conninfo);
	if (!s->db)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (PQstatus(s->db) != CONNECTION_OK) {
		st = pg_fail(s, err, "cannot connect", PQerrorMessage(s->db));
		PQfinish(s->db);
		s->db = NULL;
		return st;
	}
	PQsetNoticeProcessor(s->db, quiet_notices, NULL);
	return MS_OK;
}
