/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MS_STORE_IMPL_H
#define MS_STORE_IMPL_H

/*
 * What pin/store.c needs of a database: parameterized SQL with text parameters
 * ($1, $2, ... in both dialects) and text results, and transactions. Every
 * query of the store is written once, in store.c, for both backends.
 */

#include "store.h"

/* One result row; vals[i] is NULL for SQL NULL. Returning non-zero stops and becomes exec's result. */
typedef int (*ms_store_row_fn)(void *ctx, int ncols, const char *const *vals);

struct ms_store_backend {
	int (*exec)(struct ms_store *s, const char *sql, int nparams, const char *const *params, ms_store_row_fn fn,
		    void *ctx, struct ms_err *err);
	int (*begin)(struct ms_store *s, bool write, struct ms_err *err);
	int (*commit)(struct ms_store *s, struct ms_err *err);
	void (*rollback)(struct ms_store *s);
	void (*close)(struct ms_store *s);
};

struct ms_store {
	enum ms_store_kind kind;
	const struct ms_store_backend *b;
	void *db;
	bool in_tx;
	uint64_t version; /* the schema version found (or created) on open */
	char where[200]; /* how messages name the store: a path, or "postgresql host/db" without credentials */
};

int ms_store_sqlite_open(struct ms_store *s, const char *path, bool create, struct ms_err *err);
int ms_store_pg_open(struct ms_store *s, const char *conninfo, struct ms_err *err);

#endif
