# SPDX-License-Identifier: Apache-2.0
# measure pin policy: the signed-update rule and the operators' keys as log entries, against SQLite
# and a throwaway PostgreSQL cluster. Keys are made by the openssl CLI; key fingerprints and
# signatures are checked with openssl; an attacker with write access to the database is played by
# tests/pin_forge.py (an entry appended with the whole tree recomputed) and the sqlite3 / psql clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/pin_lib.sh"

if ! command -v sqlite3 >/dev/null || ! command -v python3 >/dev/null || ! command -v openssl >/dev/null; then
	skip "the sqlite3 client, python3 or openssl is not installed: the pin policy suite needs them"
	echo "1..$n"
	exit 0
fi

openssl genpkey -algorithm ed25519 -out "$TMP/a.key" 2>/dev/null
openssl pkey -in "$TMP/a.key" -pubout -out "$TMP/a.pub" 2>/dev/null
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/b.key" 2>/dev/null
openssl pkey -in "$TMP/b.key" -pubout -out "$TMP/b.pub" 2>/dev/null
openssl genpkey -algorithm ed25519 -out "$TMP/x.key" 2>/dev/null # the attacker's
openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/p384.key" 2>/dev/null
openssl pkey -in "$TMP/p384.key" -pubout -out "$TMP/p384.pub" 2>/dev/null
fp() { openssl pkey -pubin -in "$1" -outform DER 2>/dev/null | sha256sum | cut -c1-64; }
FA=$(fp "$TMP/a.pub")
FB=$(fp "$TMP/b.pub")
V="--root $NROOT --at evidence"

count() { sql "SELECT count(*) FROM entries"; }
# forge NAME ARGS...: a clone of the store with one entry forged by pin_forge.py; prints its URI
forge() {
	name=$1
	shift
	uri=$(clone "$name")
	sql_on "$name" "SELECT entry FROM entries ORDER BY seq" >"$TMP/$name.entries"
	python3 tests/pin_forge.py "$TMP/$name.entries" "$@" >"$TMP/$name.sql" || return 1
	sql_on "$name" "$(cat "$TMP/$name.sql")" >/dev/null
	echo "$uri"
}
# verify_fails DESC URI WORDS: log verify exit 1, its message holding WORDS
verify_fails() {
	run pin log verify --store "$2"
	if [ "$rc" = 1 ] && grep -qF -- "$3" "$TMP/err"; then ok "$B: $1 ($(head -c 160 "$TMP/err"))"
	else not_ok "$B: $1" "rc $rc" "$(cat "$TMP/err")" "want words: $3"; fi
}

suite() {
	S=$STORE
	B=$BACKEND
	expect_rc 0 "$B: add web" pin add web --store "$S" --expected "$NMAN" --evidence "$NDOC" $V
	expect_rc 0 "$B: add api" pin add api --store "$S" --expected "$NMAN" --evidence "$NDOC" $V
	expect_sql "a new store is schema version 2" "2" "SELECT max(version) FROM schema_version"
	expect_rc 0 "$B: no policy yet" pin policy --store-wide --store "$S"
	expect_out "$B: it says none" "none (updates need no signature)"
	expect_rc 0 "$B: without a policy an unsigned update passes" pin update web --store "$S" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "before any policy"

	# --- the CLI: wrong uses and refusals write nothing ---------------------------------------------
	expect_failure 2 "$B: --require-signed-updates without an operator key" "needs at least one --operator-key" \
		pin policy --store-wide --store "$S" --require-signed-updates
	expect_failure 2 "$B: require and allow at once" "give one of" pin policy --store-wide --store "$S" \
		--require-signed-updates --allow-unsigned-updates --operator-key "$TMP/a.pub"
	expect_failure 2 "$B: neither DEPLOY nor --store-wide" "give the deployment name or --store-wide" pin policy --store "$S"
	expect_failure 5 "$B: a P-384 operator key is unsupported" "Ed25519 or ECDSA P-256" pin policy --store-wide \
		--store "$S" --require-signed-updates --operator-key "$TMP/p384.pub"
	expect_failure 2 "$B: the same key twice" "the same key given twice" pin policy --store-wide --store "$S" \
		--require-signed-updates --operator-key "$TMP/a.pub" --operator-key "$TMP/a.key"
	expect_failure 2 "$B: --require-signed-updates on add points at pin policy" "measure pin policy" pin add z \
		--store "$S" --expected "$NMAN" --evidence "$NDOC" $V --require-signed-updates
	before=$(count)
	expect_failure 1 "$B: a requiring policy must be signed by one of its own keys (unsigned)" \
		"not signed by one of its own operator keys" pin policy --store-wide --store "$S" --require-signed-updates \
		--operator-key "$TMP/a.pub"
	expect_failure 1 "$B: a requiring policy must be signed by one of its own keys (another key)" \
		"not signed by one of its own operator keys" pin policy --store-wide --store "$S" --require-signed-updates \
		--operator-key "$TMP/a.pub" --signed-by "$TMP/x.key"
	expect_sql "refused policies wrote nothing" "$before" "SELECT count(*) FROM entries"

	# --- the store-wide rule -----------------------------------------------------------------------
	expect_rc 0 "$B: store-wide: signed updates by the Ed25519 or the P-256 key" pin policy --store-wide --store "$S" \
		--require-signed-updates --operator-key "$TMP/a.pub" --operator-key "$TMP/b.pub" --signed-by "$TMP/a.key" \
		--reason "two operators"
	pseq=$before
	expect_out "$B: it names the entry" "policy of the store (entry $pseq): signed updates required, 2 operator keys (signed)"
	expect_rc 0 "$B: policy of web --json" pin policy web --store "$S" --json
	if python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["in_force"]=="store-wide" and d["seq"]==int(sys.argv[2]) and d["require_signed_updates"] is True
assert d["operator_keys"]==sorted([sys.argv[3],sys.argv[4]]), d' "$TMP/out" "$pseq" "$FA" "$FB" 2>"$TMP/py"
	then ok "$B: the policy in force lists the keys by the SHA-256 openssl gives their DER"
	else not_ok "$B: the policy in force lists the keys by the SHA-256 openssl gives their DER" "$(cat "$TMP/py")"; fi
	# the policy entry's signature, checked by openssl over the canonical entry without it
	sql "SELECT entry FROM entries WHERE seq = $pseq" >"$TMP/pol.json"
	python3 - "$TMP/pol.json" "$TMP" <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1])); d = sys.argv[2]
sig = e.pop("signature")
open(d + "/pol.msg", "wb").write(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
open(d + "/pol.sig", "wb").write(base64.b64decode(sig["value"]))
PY
	if openssl pkeyutl -verify -pubin -inkey "$TMP/a.pub" -rawin -in "$TMP/pol.msg" -sigfile "$TMP/pol.sig" >/dev/null 2>&1
	then ok "$B: the policy entry's Ed25519 signature verifies with openssl"
	else not_ok "$B: the policy entry's Ed25519 signature verifies with openssl"; fi
	before=$(count)
	expect_failure 1 "$B: an unsigned update is refused" "requires signed updates" pin update web --store "$S" \
		--expected "$NMAN" --evidence "$NDOC" $V --reason "unsigned"
	expect_failure 1 "$B: an update signed by a key not in the allow-list is refused" "not an operator key of the store-wide policy entry $pseq" \
		pin update web --store "$S" --expected "$NMAN" --evidence "$NDOC" $V --reason "stranger" --signed-by "$TMP/x.key"
	expect_sql "refused updates wrote nothing" "$before" "SELECT count(*) FROM entries"
	expect_rc 0 "$B: an update signed by the P-256 operator key" pin update web --store "$S" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "image 2" --signed-by "$TMP/b.key"
	useq=$before
	# what the update's signature covers, and the root it names, against the independent oracle
	sql "SELECT entry FROM entries WHERE seq < $useq ORDER BY seq" >"$TMP/prefix"
	want_root=$(python3 tests/pin_log_oracle.py <"$TMP/prefix" | sed 's/.* root //')
	sql "SELECT entry FROM entries WHERE seq = $useq" >"$TMP/upd.json"
	python3 - "$TMP/upd.json" "$TMP" <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1])); d = sys.argv[2]
sig = e.pop("signature")
open(d + "/upd.msg", "wb").write(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
open(d + "/upd.sig", "wb").write(base64.b64decode(sig["value"]))
open(d + "/upd.fields", "w").write(" ".join([e["deployment"], e["manifest_sha256"], e["evidence_sha256"],
                                             str(e["previous_pin_seq"]), e["previous_root"]]))
PY
	if openssl dgst -sha256 -verify "$TMP/b.pub" -signature "$TMP/upd.sig" "$TMP/upd.msg" >/dev/null 2>&1
	then ok "$B: the update's P-256 signature verifies with openssl"
	else not_ok "$B: the update's P-256 signature verifies with openssl"; fi
	want_fields="web $(sha256sum <"$NMAN" | cut -c1-64) $(sha256sum <"$NDOC" | cut -c1-64) 2 $want_root"
	if [ "$(cat "$TMP/upd.fields")" = "$want_fields" ]; then
		ok "$B: the signed update names the deployment, manifest and evidence SHA-256, the pin it replaces and the log root it follows"
	else not_ok "$B: the signed update names what it must" "got $(cat "$TMP/upd.fields")" "want $want_fields"; fi
	expect_rc 0 "$B: show lists the policy entry" pin show web --store "$S"
	expect_rc 0 "$B: log verify replays the policy" pin log verify --store "$S"

	# --- loosening is itself a signed entry ---------------------------------------------------------
	before=$(count)
	expect_failure 1 "$B: dropping the requirement unsigned is refused" "requires signed updates" pin policy --store-wide \
		--store "$S" --allow-unsigned-updates
	expect_failure 1 "$B: dropping it with a stranger's key is refused" "not an operator key" pin policy --store-wide \
		--store "$S" --allow-unsigned-updates --signed-by "$TMP/x.key"
	expect_failure 1 "$B: a deployment policy that loosens is refused unsigned" "requires signed updates" pin policy web \
		--store "$S" --allow-unsigned-updates
	expect_failure 1 "$B: adding the stranger's key, signed by the stranger, is refused" "not an operator key" \
		pin policy --store-wide --store "$S" --require-signed-updates --operator-key "$TMP/a.pub" \
		--operator-key "$TMP/x.key" --signed-by "$TMP/x.key"
	expect_sql "nothing was written" "$before" "SELECT count(*) FROM entries"
	"$MEASURE" pin log checkpoint --store "$S" >"$TMP/cp-policy"
	expect_rc 0 "$B: web's own policy: unsigned updates, signed by an operator" pin policy web --store "$S" \
		--allow-unsigned-updates --signed-by "$TMP/b.key" --reason "canary"
	expect_failure 1 "$B: the store-wide rule is a floor: web's own loose policy does not lift it" "requires signed updates" \
		pin update web --store "$S" --expected "$NMAN" --evidence "$NDOC" $V --reason "canary build"
	expect_failure 1 "$B: a destroy is gated like an update (unsigned)" "requires signed updates" pin destroy api --store "$S"
	expect_failure 1 "$B: a destroy signed by a stranger is refused" "not an operator key" pin destroy api --store "$S" \
		--signed-by "$TMP/x.key"
	expect_failure 1 "$B: api still follows the store-wide rule" "requires signed updates" pin update api --store "$S" \
		--expected "$NMAN" --evidence "$NDOC" $V --reason "unsigned"
	expect_rc 0 "$B: key rotation step 1: add a second Ed25519 key, signed by a" pin policy --store-wide --store "$S" \
		--require-signed-updates --operator-key "$TMP/a.pub" --operator-key "$TMP/x.key" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: key rotation step 2: drop a and b, signed by the new key" pin policy --store-wide --store "$S" \
		--require-signed-updates --operator-key "$TMP/x.key" --signed-by "$TMP/x.key"
	expect_failure 1 "$B: a retired key no longer signs updates" "not an operator key" pin update api --store "$S" \
		--expected "$NMAN" --evidence "$NDOC" $V --reason "old key" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: log verify after loosening and rotation" pin log verify --store "$S"
	expect_rc 0 "$B: and against the checkpoint taken before them" pin log verify --store "$S" --checkpoint "$TMP/cp-policy"

	# --- an attacker who writes to the database: log verify names the entry ---------------------------
	api_pin=$(sql "SELECT pin_seq FROM deployments WHERE name = 'api'")
	n0=$(count)
	u=$(forge f_unsigned --from "$useq" --set 'deployment="api"' --set "previous_pin_seq=$api_pin" --set 'reason="forged"')
	want=$(oracle_of sql_on f_unsigned)
	got="size $((n0 + 1)) root $(checkpoint_root "$u")"
	if [ "$want" = "$got" ]; then ok "$B: forged: the forged log's tree is consistent (its root is the oracle's)"
	else not_ok "$B: forged: the forged log's tree is consistent" "oracle: $want" "measure: $got"; fi
	verify_fails "forged unsigned update after the requirement: log verify fails naming it" "$u" \
		"entry $n0 (update of api): it is unsigned, but policy entry"
	u=$(forge f_stranger --from "$useq" --set 'deployment="api"' --set "previous_pin_seq=$api_pin" --sign "$TMP/b.key")
	verify_fails "forged update signed by a key the policy in force dropped" "$u" "entry $n0 (update of api): it is signed by key"
	u=$(forge f_loosen --from "$pseq" --set require_signed_updates=false --set 'operator_keys=[]')
	verify_fails "forged unsigned store-wide policy that drops the requirement" "$u" "entry $n0 (policy of the store): it is unsigned"
	u=$(forge f_nokeys --from "$pseq" --set require_signed_updates=true --set 'operator_keys=[]' --sign "$TMP/x.key")
	verify_fails "forged policy requiring signatures with no key" "$u" "lists no operator key"
	u=$(forge f_noroot --from "$useq" --set 'deployment="api"' --set "previous_pin_seq=$api_pin" --drop previous_root --sign "$TMP/x.key")
	verify_fails "forged signed update without previous_root" "$u" "names no previous_root"
	w_pin=$(sql "SELECT pin_seq FROM deployments WHERE name = 'web'")
	u=$(forge f_floor --from "$useq" --set "previous_pin_seq=$w_pin" --drop signature)
	verify_fails "forged unsigned update of web, whose own policy is loose: the store-wide floor holds in replay" "$u" \
		"entry $n0 (update of web): it is unsigned, but policy entry"
	u=$(forge f_destroy --from "$useq" --set 'deployment="api"' --set 'kind="destroy"' --set "pin_seq=$api_pin" \
		--drop previous_pin_seq --drop signature)
	verify_fails "forged unsigned destroy under the requirement: log verify fails naming it" "$u" \
		"entry $n0 (destroy of api): it is unsigned"
	# a tree head pointed at a fork: the operator's key refuses to sign its root
	fk=$(clone f_head)
	sql_on f_head "UPDATE tree_heads SET root = '$(printf '%064d' 7)' WHERE size = (SELECT max(size) FROM tree_heads)" >/dev/null
	n1=$(sql_on f_head "SELECT count(*) FROM entries")
	expect_failure 1 "$B: a signed update over a tree head that is not the entries' root is refused" "refused to sign" \
		pin update api --store "$fk" --expected "$NMAN" --evidence "$NDOC" $V --reason "fork" --signed-by "$TMP/x.key"
	if [ "$(sql_on f_head "SELECT count(*) FROM entries")" = "$n1" ]; then ok "$B: and nothing was signed or written"
	else not_ok "$B: and nothing was signed or written"; fi
	# the settings row of older stores means nothing now
	sql "INSERT INTO settings (key, value) VALUES ('require_signed_updates', '0')" >/dev/null 2>&1
	expect_failure 1 "$B: a settings row cannot switch the rule off" "requires signed updates" pin update api --store "$S" \
		--expected "$NMAN" --evidence "$NDOC" $V --reason "settings"

	# --- replay: a genuinely signed update copied onto another log state ----------------------------
	r1=$(clone r_a)
	r2=$(clone r_b)
	expect_rc 0 "$B: replay: one more check on log A" pin check api --store "$r1" --evidence "$NDOC" $V
	expect_rc 3 "$B: replay: a different entry on log B (same size)" pin check api --store "$r2" --evidence "$NDOC" --at evidence
	expect_rc 0 "$B: replay: a signed update of api on log A" pin update api --store "$r1" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "signed on A" --signed-by "$TMP/x.key"
	sql_on r_a "SELECT entry FROM entries ORDER BY seq" | tail -1 >"$TMP/replayed"
	sql_on r_b "SELECT entry FROM entries ORDER BY seq" >"$TMP/rb.entries"
	python3 tests/pin_forge.py "$TMP/rb.entries" --entry "$TMP/replayed" >"$TMP/replay.sql"
	sql_on r_b "$(cat "$TMP/replay.sql")" >/dev/null
	verify_fails "replay: a signed update copied onto log B is refused (its previous_root is A's)" "$r2" "previous_root"

	# --- a policy entry deleted from a rewritten log: caught against a checkpoint ---------------------
	expect_rc 0 "$B: checkpoint after the policies" pin log checkpoint --store "$S"
	cp "$TMP/out" "$TMP/cp-now"
	{ echo "another/origin"; sed -n '2,$p' "$TMP/cp-now"; } >"$TMP/cp-other"
	expect_failure 1 "$B: log verify against a checkpoint of another origin" "this store's are of" \
		pin log verify --store "$S" --checkpoint "$TMP/cp-other"
	{ head -1 "$TMP/cp-now"; echo 0; sed -n 3p "$TMP/cp-now"; } >"$TMP/cp-zero-bad"
	expect_failure 1 "$B: log verify against a size-0 checkpoint whose root is not SHA-256 of nothing" "empty tree" \
		pin log verify --store "$S" --checkpoint "$TMP/cp-zero-bad"
	{ head -1 "$TMP/cp-now"; echo 0; printf '' | openssl dgst -sha256 -binary | base64; } >"$TMP/cp-zero"
	expect_rc 0 "$B: log verify against the true empty-tree checkpoint (root from openssl)" \
		pin log verify --store "$S" --checkpoint "$TMP/cp-zero"
	del=$(clone d_pol)
	sql_on d_pol "DELETE FROM entries WHERE seq = $pseq" >/dev/null
	verify_fails "a policy entry deleted" "$del" "an entry is missing"

}

# --- a deployment's own policy set first by someone else (the operator's store-wide rule still binds) -----
precedence_suite() {
	B=$BACKEND
	P=$1
	expect_rc 0 "$B: precedence: add web" pin add web --store "$P" --expected "$NMAN" --evidence "$NDOC" $V
	expect_rc 0 "$B: precedence: add api" pin add api --store "$P" --expected "$NMAN" --evidence "$NDOC" $V
	expect_rc 0 "$B: precedence: a keyless user loosens web first" pin policy web --store "$P" --allow-unsigned-updates
	expect_rc 0 "$B: precedence: an attacker locks api with their own key" pin policy api --store "$P" \
		--require-signed-updates --operator-key "$TMP/x.key" --signed-by "$TMP/x.key"
	expect_rc 0 "$B: precedence: the operator's strict store-wide policy" pin policy --store-wide --store "$P" \
		--require-signed-updates --operator-key "$TMP/a.pub" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: precedence: the policy of web shows the store-wide floor under its own" pin policy web --store "$P"
	expect_out "$B: precedence: it names the floor" "as a floor, the store-wide policy of entry 4"
	expect_failure 1 "$B: precedence: an unsigned update of web is refused" "requires signed updates" \
		pin update web --store "$P" --expected "$NMAN" --evidence "$NDOC" $V --reason "unsigned"
	expect_failure 1 "$B: precedence: the attacker's key is not a store-wide key" "not an operator key of the store-wide" \
		pin update api --store "$P" --expected "$NMAN" --evidence "$NDOC" $V --reason "x" --signed-by "$TMP/x.key"
	expect_rc 0 "$B: precedence: the operator updates web" pin update web --store "$P" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "signed" --signed-by "$TMP/a.key"
	expect_failure 1 "$B: precedence: a deployment policy by the attacker is refused" "not an operator key of the store-wide" \
		pin policy api --store "$P" --require-signed-updates --operator-key "$TMP/x.key" --signed-by "$TMP/x.key"
	expect_rc 0 "$B: precedence: the operator replaces the attacker's lock on api" pin policy api --store "$P" \
		--require-signed-updates --operator-key "$TMP/a.pub" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: precedence: then updates api" pin update api --store "$P" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "signed" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: precedence: a signed destroy" pin destroy web --store "$P" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: precedence: log verify replays the floor" pin log verify --store "$P"
}

# --- legacy stores (schema 1, the rule a settings row) ------------------------------------------------
legacy_suite() {
	B=$BACKEND
	L=$1
	expect_rc 0 "$B: legacy: add" pin add web --store "$L" --expected "$NMAN" --evidence "$NDOC" $V
	lsql "UPDATE schema_version SET version = 1"
	lsql "INSERT INTO settings (key, value) VALUES ('require_signed_updates', '1')"
	expect_rc 0 "$B: legacy: a schema 1 store is read and verified" pin log verify --store "$L"
	expect_failure 1 "$B: legacy: an unsigned update waits for the rule to be restated" "restate it first" \
		pin update web --store "$L" --expected "$NMAN" --evidence "$NDOC" $V --reason "x"
	expect_failure 1 "$B: legacy: so does a signed one (the row never named a key)" "restate it first" \
		pin update web --store "$L" --expected "$NMAN" --evidence "$NDOC" $V --reason "x" --signed-by "$TMP/a.key"
	expect_failure 1 "$B: legacy: the restated rule may not loosen it" "restate it first" \
		pin policy --store-wide --store "$L" --allow-unsigned-updates --operator-key "$TMP/a.pub" --signed-by "$TMP/a.key"
	expect_failure 1 "$B: legacy: restating needs --restate-legacy (the first policy names the operators)" \
		"--restate-legacy" pin policy --store-wide --store "$L" --require-signed-updates --operator-key "$TMP/x.key" \
		--signed-by "$TMP/x.key"
	expect_failure 1 "$B: legacy: a deployment policy does not sidestep the row" "restate it first" \
		pin policy web --store "$L" --allow-unsigned-updates
	expect_rc 0 "$B: legacy: restated as a signed store-wide policy" pin policy --store-wide --store "$L" \
		--require-signed-updates --operator-key "$TMP/a.pub" --signed-by "$TMP/a.key" --restate-legacy
	expect_failure 2 "$B: legacy: --restate-legacy once restated is a usage error" "--restate-legacy applies only" \
		pin policy --store-wide --store "$L" --require-signed-updates --operator-key "$TMP/a.pub" \
		--signed-by "$TMP/a.key" --restate-legacy
	if [ "$(lsql "SELECT max(version) FROM schema_version")" = 2 ]; then ok "$B: legacy: the first policy marks the store schema 2"
	else not_ok "$B: legacy: the first policy marks the store schema 2" "$(lsql "SELECT max(version) FROM schema_version")"; fi
	expect_rc 0 "$B: legacy: then a signed update passes" pin update web --store "$L" --expected "$NMAN" \
		--evidence "$NDOC" $V --reason "x" --signed-by "$TMP/a.key"
	expect_rc 0 "$B: legacy: log verify" pin log verify --store "$L"
}

use_sqlite
suite
precedence_suite "$TMP/precedence.db"
lsql() { sqlite3 -batch -noheader "$TMP/legacy.db" "$1"; }
legacy_suite "$TMP/legacy.db"

if pg_start; then
	use_pg
	suite
	psql -q -h "$PG_DIR" -U measure -d postgres -c "CREATE DATABASE precedence" >/dev/null
	precedence_suite "postgresql:///precedence?host=$PG_DIR&user=measure"
	psql -q -h "$PG_DIR" -U measure -d postgres -c "CREATE DATABASE legacy" >/dev/null
	lsql() { psql -q -X -A -t -h "$PG_DIR" -U measure -d legacy -c "$1"; }
	legacy_suite "postgresql:///legacy?host=$PG_DIR&user=measure"
else
	if [ "${MEASURE_REQUIRE_PG:-0}" = 1 ]; then
		not_ok "PostgreSQL (initdb, pg_ctl, psql) is required here (MEASURE_REQUIRE_PG=1) but could not be started"
	else
		skip "PostgreSQL is not installed (Debian: apt-get install postgresql): the PostgreSQL suite is skipped"
	fi
fi
echo "1..$n"
