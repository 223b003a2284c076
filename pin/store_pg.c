/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PostgreSQL backend (libpq). Writers serialize on one transaction-level
 * advisory lock, so appends never race for a sequence number; readers use a
 * REPEATABLE READ snapshot, so a verb sees one state of the log.
 */
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>

#include "store_impl.h"

/*
 * libpq is loaded when a PostgreSQL store is opened, not linked: it brings
 * some twenty shared libraries (Kerberos, LDAP, ...) whose loading would
 * triple the start-up time of every measure command, SQLite pins included.
 */
static struct {
	bool loaded;
	PGresult *(*exec_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *,
				 const int *, int);
	ExecStatusType (*result_status)(const PGresult *);
	char *(*result_error_message)(const PGresult *);
	char *(*error_message)(const PGconn *);
	int (*ntuples)(const PGresult *);
	int (*nfields)(const PGresult *);
	int (*getisnull)(const PGresult *, int, int);
	char *(*getvalue)(const PGresult *, int, int);
	void (*clear)(PGresult *);
	void (*finish)(PGconn *);
	PQconninfoOption *(*conninfo_parse)(const char *, char **);
	void (*freemem)(void *);
	void (*conninfo_free)(PQconninfoOption *);
	PGconn *(*connectdb)(const char *);
	ConnStatusType (*status)(const PGconn *);
	PQnoticeProcessor (*set_notice_processor)(PGconn *, PQnoticeProcessor, void *);
	int (*send_query_params)(PGconn *, const char *, int, const Oid *, const char *const *, const int *, const int *,
				 int);
	int (*set_single_row_mode)(PGconn *);
	PGresult *(*get_result)(PGconn *);
} pq;

static int load_libpq(struct ms_err *err)
{
	static const struct {
		const char *name;
		size_t offset;
	} syms[] = {
		{ "PQexecParams", offsetof(__typeof__(pq), exec_params) },
		{ "PQresultStatus", offsetof(__typeof__(pq), result_status) },
		{ "PQresultErrorMessage", offsetof(__typeof__(pq), result_error_message) },
		{ "PQerrorMessage", offsetof(__typeof__(pq), error_message) },
		{ "PQntuples", offsetof(__typeof__(pq), ntuples) },
		{ "PQnfields", offsetof(__typeof__(pq), nfields) },
		{ "PQgetisnull", offsetof(__typeof__(pq), getisnull) },
		{ "PQgetvalue", offsetof(__typeof__(pq), getvalue) },
		{ "PQclear", offsetof(__typeof__(pq), clear) },
		{ "PQfinish", offsetof(__typeof__(pq), finish) },
		{ "PQconninfoParse", offsetof(__typeof__(pq), conninfo_parse) },
		{ "PQfreemem", offsetof(__typeof__(pq), freemem) },
		{ "PQconninfoFree", offsetof(__typeof__(pq), conninfo_free) },
		{ "PQconnectdb", offsetof(__typeof__(pq), connectdb) },
		{ "PQstatus", offsetof(__typeof__(pq), status) },
		{ "PQsetNoticeProcessor", offsetof(__typeof__(pq), set_notice_processor) },
		{ "PQsendQueryParams", offsetof(__typeof__(pq), send_query_params) },
		{ "PQsetSingleRowMode", offsetof(__typeof__(pq), set_single_row_mode) },
		{ "PQgetResult", offsetof(__typeof__(pq), get_result) },
	};
	void *lib;

	if (pq.loaded)
		return MS_OK;
	if (!(lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL)))
		return ms_fail(err, MS_UNSUPPORTED, "postgresql store: libpq.so.5 cannot be loaded (Debian: apt-get install "
			       "libpq5): %s", dlerror());
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *f = dlsym(lib, syms[i].name);

		if (!f)
			return ms_fail(err, MS_UNSUPPORTED, "postgresql store: libpq lacks %s", syms[i].name);
		memcpy((char *)&pq + syms[i].offset, &f, sizeof(f));
	}
	pq.loaded = true;
	return MS_OK;
}

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

/*
 * Rows are taken one at a time (libpq's single-row mode), so a query over a
 * 1,000,000-entry log (pin log verify) never holds its whole result in memory.
 */
static int pg_exec(struct ms_store *s, const char *sql, int nparams, const char *const *params, ms_store_row_fn fn,
		   void *ctx, struct ms_err *err)
{
	const char *vals[16];
	PGresult *res;
	int st = MS_OK;

	if (!pq.send_query_params(s->db, sql, nparams, NULL, params, NULL, NULL, 0))
		return pg_fail(s, err, "query", pq.error_message(s->db));
	pq.set_single_row_mode(s->db);
	/* every result must be taken, even after a failure, before the connection takes another query */
	while ((res = pq.get_result(s->db))) {
		ExecStatusType rs = pq.result_status(res);

		if (st) {
			/* a row function failed: the rest is drained */
		} else if (rs == PGRES_SINGLE_TUPLE && fn) {
			int cols = pq.nfields(res);

			if (cols > 16)
				cols = 16;
			for (int c = 0; c < cols; c++)
				vals[c] = pq.getisnull(res, 0, c) ? NULL : pq.getvalue(res, 0, c);
			st = fn(ctx, cols, vals);
		} else if (rs != PGRES_SINGLE_TUPLE && rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
			st = pg_fail(s, err, "query", pq.result_error_message(res));
		}
		pq.clear(res);
	}
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
	pq.finish(s->db);
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
	snprintf(s->where, sizeof(s->where), "postgresql store");
	if ((st = load_libpq(err)))
		return st;
	/* the URI is parsed first, so that a malformed one is a usage error and no password is ever printed */
	if (!(opts = pq.conninfo_parse(conninfo, &perr))) {
		size_t n = strcspn(perr ? perr : "", "\n");

		st = ms_fail(err, MS_USAGE, "store: a malformed PostgreSQL URI: %.*s", (int)n, perr ? perr : "out of memory");
		pq.freemem(perr);
		return st;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++) {
		if (!strcmp(o->keyword, "host") && o->val)
			host = o->val;
		if (!strcmp(o->keyword, "dbname") && o->val)
			db = o->val;
	}
	snprintf(s->where, sizeof(s->where), "postgresql %s/%s", host ? host : "(default host)", db ? db : "(default)");
	pq.conninfo_free(opts);
	s->db = pq.connectdb(conninfo);
	if (!s->db)
		return ms_fail(err, MS_NO_MEMORY, "out of memory");
	if (pq.status(s->db) != CONNECTION_OK) {
		st = pg_fail(s, err, "cannot connect", pq.error_message(s->db));
		pq.finish(s->db);
		s->db = NULL;
		return st;
	}
	pq.set_notice_processor(s->db, quiet_notices, NULL);
	return MS_OK;
}
