# SPDX-License-Identifier: Apache-2.0
# Shared by the pin test scripts (after lib.sh): the synthetic fixtures, a throwaway PostgreSQL
# cluster (initdb + pg_ctl on a Unix socket in $TMP), and per backend STORE, sql, clone and sql_on.
F=$FIXTURES/compare
NDOC=$F/synthetic-nitro.doc
NROOT=$F/synthetic-nitro-root.pem
NMAN=$F/synthetic-nitro.json
ONES=$(printf '11%.0s' $(seq 48)) # fixtures/compare/README.md: PCR0 = PCR2 = 48 bytes of 0x11
T=$VECTORS/tdx
TAT=2025-06-01T00:00:00Z # both TDX vector quotes below verify then (the COS PCK certificate dates from 2024-07)
PG_DIR=""
PG_BIN=""

pg_stop() {
	if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1
	fi
}
trap 'pg_stop; rm -rf "$TMP"' EXIT

# initdb and postgres refuse to run as root: as root, the cluster belongs to nobody.
as_pg() {
	if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

pg_start() {
	PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] && command -v psql >/dev/null || return 1
	PG_DIR=$TMP/pg
	mkdir -p "$PG_DIR"
	chmod 711 "$TMP"
	if [ "$(id -u)" = 0 ]; then chown nobody "$PG_DIR"; fi
	as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U measure --auth=trust -E UTF8 --no-sync >"$TMP/initdb.log" 2>&1 ||
		{ cat "$TMP/initdb.log" >&2; return 1; }
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
		-o "-k $PG_DIR -c listen_addresses= -c fsync=off -c max_connections=40" start >/dev/null 2>&1 ||
		{ cat "$PG_DIR/log" >&2; return 1; }
}

# --- per backend: STORE (a URI), sql (runs one statement, prints rows), clone (a copy of the store) ---
use_sqlite() {
	BACKEND=sqlite
	DB=$TMP/sqlite-pins.db
	STORE=$DB
	sql() { sqlite3 -batch -noheader "$DB" "$1"; }
	# clone NAME: a consistent copy; prints its URI and makes sql_on work on it
	clone() { sqlite3 "$DB" ".backup '$TMP/$1.db'" && echo "$TMP/$1.db"; }
	sql_on() { sqlite3 -batch -noheader "$TMP/$1.db" "$2"; }
}

use_pg() {
	BACKEND=postgresql
	STORE="postgresql:///pins?host=$PG_DIR&user=measure"
	psql -q -h "$PG_DIR" -U measure -d postgres -c "CREATE DATABASE pins" >/dev/null
	sql() { psql -q -X -A -t -h "$PG_DIR" -U measure -d pins -c "$1"; }
	clone() {
		psql -q -h "$PG_DIR" -U measure -d postgres -c "CREATE DATABASE $1 TEMPLATE pins" >/dev/null &&
			echo "postgresql:///$1?host=$PG_DIR&user=measure"
	}
	sql_on() { psql -q -X -A -t -h "$PG_DIR" -U measure -d "$1" -c "$2"; }
}

# oracle [SQL-RUNNER ARGS]: "size N root HEX" of the stored entries, computed by the Python oracle.
oracle_of() { "$@" "SELECT entry FROM entries ORDER BY seq" | python3 tests/pin_log_oracle.py; }
# oracle_of_consistency M: the RFC 9162 consistency proof PROOF(M, D[n]) of the stored entries, one hash a line.
oracle_of_consistency() { sql "SELECT entry FROM entries ORDER BY seq" | python3 tests/pin_log_oracle.py --consistency "$1"; }

# checkpoint_root URI: the root of 'pin log checkpoint', as hex.
checkpoint_root() {
	"$MEASURE" pin log checkpoint --store "$1" | sed -n 3p | base64 -d | xxd -p -c 64
}

expect_sql() { # DESC WANT SQL
	got=$(sql "$3")
	if [ "$got" = "$2" ]; then ok "$BACKEND: $1"; else not_ok "$BACKEND: $1" "got '$got', want '$2'"; fi
}

