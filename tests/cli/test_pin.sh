# SPDX-License-Identifier: Apache-2.0
# measure pin and measure pin log, the same suite against SQLite and against a throwaway PostgreSQL
# cluster (initdb + pg_ctl on a Unix socket in a temporary directory). Roots and leaf hashes are held
# against tests/pin_log_oracle.py (RFC 9162 by its recursive definition); the store is tampered with
# through the sqlite3 and psql clients. MEASURE_REQUIRE_PG=1 (CI) turns a missing PostgreSQL into a
# failure instead of a skip.
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/pin_lib.sh"

tdx_manifest() { # QUOTE FILE: mrtd and rtmr0-3 read from the v4 quote's TD report by Python (Intel TDX DCAP layout)
	python3 - "$1" >"$2" <<'PY'
import json, sys
b = open(sys.argv[1], "rb").read()
assert int.from_bytes(b[0:2], "little") == 4
body = 48
m = {"mrtd": b[body + 136:body + 184].hex()}
for i in range(4):
    o = body + 328 + 48 * i
    m["rtmr%d" % i] = b[o:o + 48].hex()
print(json.dumps({"schema": "measure/v1", "platform": "tdx", "algorithm": "sha384", "measurements": m}))
PY
}

suite() {
	S=$STORE
	B=$BACKEND
	# --- add ---------------------------------------------------------------------------------------
	expect_rc 0 "$B: add pins matching synthetic Nitro evidence" pin add web --store "$S" --expected "$NMAN" \
		--evidence "$NDOC" --root "$NROOT" --at evidence
	expect_out "$B: add names the entry" "pinned web: aws-nitro pinned at entry 0"
	expect_refused 1 "$B: a second add of the same deployment is refused" "already pinned" pin add web --store "$S" \
		--expected "$NMAN" --evidence "$NDOC" --root "$NROOT" --at evidence
	run pin add other --store "$S" --expected "$F/synthetic-nitro-differ.json" --evidence "$NDOC" --root "$NROOT" --at evidence
	if [ "$rc" = 1 ] && grep -q "does not match" "$TMP/err"; then ok "$B: add of evidence that does not match the manifest: exit 1"
	else not_ok "$B: add of evidence that does not match the manifest: exit 1" "rc $rc" "$(cat "$TMP/err")"; fi
	expect_rc 3 "$B: add of evidence whose chain fails (no --root): exit 3" pin add other --store "$S" --expected "$NMAN" \
		--evidence "$NDOC" --at evidence
	expect_sql "refused adds leave no deployment and no entry" "web|1" "SELECT min(name), count(*) FROM deployments"
	expect_sql "one entry so far" "1" "SELECT count(*) FROM entries"

	# --- check -------------------------------------------------------------------------------------
	expect_rc 0 "$B: check of the same evidence: verified" pin check web --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence
	expect_out "$B: check says verified" "verified web: the evidence matches the pin (entry 1)"
	expect_rc 3 "$B: check of evidence that fails its chain: compare's exit 3" pin check web --store "$S" --evidence "$NDOC" --at evidence
	expect_out "$B: and it is REJECTED" "REJECTED web"
	got=$(sql "SELECT kind FROM entries ORDER BY seq" | tr '\n' ' ')
	if [ "$got" = "add verified rejected " ]; then ok "$B: the entries are add, verified, rejected"; else not_ok "$B: entry kinds" "$got"; fi
	expect_rc 2 "$B: check of an unknown deployment: exit 2" pin check nosuch --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence
	expect_rc 2 "$B: --nonce of the wrong length for nothing: usage" pin check web --store "$S" --evidence "$NDOC" --report-data-prefix

	# --- show, list, export ------------------------------------------------------------------------
	expect_rc 0 "$B: show" pin show web --store "$S"
	expect_out "$B: show counts" "checks      1 verified, 0 mismatched, 1 rejected"
	expect_out "$B: show state" "state       pinned"
	expect_out "$B: show pcr0 with its first pin" "pcr0       $ONES  since"
	expect_rc 0 "$B: show --json" pin show web --store "$S" --json
	if python3 -c '
import json,sys; d=json.load(open(sys.argv[1]))
assert d["state"]=="pinned" and d["platform"]=="aws-nitro"
assert d["checks"]=={"verified":1,"mismatched":0,"rejected":1}, d["checks"]
assert d["pinned"]["pcr0"]["value"]==sys.argv[2] and d["pinned"]["pcr0"]["since_seq"]==0
assert [t["kind"] for t in d["timeline"]]==["add","verified","rejected"]
assert d["last_check"]["kind"]=="rejected"' "$TMP/out" "$ONES" 2>"$TMP/py"; then ok "$B: show --json holds state, counts, pins, timeline"
	else not_ok "$B: show --json holds state, counts, pins, timeline" "$(cat "$TMP/py")"; fi
	expect_rc 0 "$B: list" pin list --store "$S"
	expect_out "$B: list names web" "web"
	expect_rc 0 "$B: export --format env" pin export web --store "$S" --format env
	printf 'EPHEMERALML_EXPECTED_PCR0=%s\nEPHEMERALML_EXPECTED_PCR2=%s\n' "$ONES" "$ONES" >"$TMP/env.want"
	expect_golden "$B: export env lines" "$TMP/env.want"
	expect_rc 0 "$B: export --env-prefix" pin export web --store "$S" --format env --env-prefix APP_
	expect_out "$B: export with a prefix" "APP_PCR2=$ONES"
	expect_rc 0 "$B: export --format json" pin export web --store "$S" --format json
	if python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); assert a==b' \
		"$TMP/out" "$NMAN" 2>/dev/null; then ok "$B: export json is the pinned manifest"; else not_ok "$B: export json is the pinned manifest"; fi
	expect_failure 2 "$B: export without --format" "--format env or --format json" pin export web --store "$S"

	# --- the log, against the independent oracle ---------------------------------------------------
	expect_rc 0 "$B: log verify of an intact log" pin log verify --store "$S"
	want=$(oracle_of sql)
	got="size $(sql "SELECT count(*) FROM entries") root $(checkpoint_root "$S")"
	if [ "$want" = "$got" ]; then ok "$B: checkpoint root equals the RFC 9162 oracle's ($want)"
	else not_ok "$B: checkpoint root equals the RFC 9162 oracle's" "oracle: $want" "measure: $got"; fi
	"$MEASURE" pin log checkpoint --store "$S" >"$TMP/cp3"
	expect_rc 0 "$B: log prove web" pin log prove web --store "$S"
	cp "$TMP/out" "$TMP/proof.json"
	expect_rc 0 "$B: check-proof offline against the checkpoint" pin log check-proof "$TMP/proof.json" --checkpoint "$TMP/cp3"
	expect_out "$B: check-proof names the entry" "entry 2 (rejected of web) is in the log of 3 entries"
	expect_rc 0 "$B: log prove by seq" pin log prove 0 --store "$S"
	expect_failure 2 "$B: log prove of a seq past the end" "no entry 99" pin log prove 99 --store "$S"
	expect_rc 0 "$B: log export" pin log export --store "$S"
	if [ "$(wc -l <"$TMP/out")" = 3 ] && python3 -c '
import hashlib,json,sys
for i,l in enumerate(open(sys.argv[1])):
    o=json.loads(l); assert o["seq"]==i and o["entry"]["seq"]==i
' "$TMP/out"; then ok "$B: log export: 3 JSON lines in seq order"; else not_ok "$B: log export: 3 JSON lines in seq order"; fi

	# --- signed checkpoints ------------------------------------------------------------------------
	openssl genpkey -algorithm ed25519 -out "$TMP/log.key" 2>/dev/null
	openssl pkey -in "$TMP/log.key" -pubout -out "$TMP/log.pub" 2>/dev/null
	openssl genpkey -algorithm ed25519 -out "$TMP/other.key" 2>/dev/null
	expect_rc 0 "$B: a signed checkpoint" pin log checkpoint --store "$S" --key "$TMP/log.key" --origin example.com/pins
	cp "$TMP/out" "$TMP/cp3.note"
	expect_out "$B: the note carries a signature line" "— example.com/pins "
	expect_rc 0 "$B: log verify against the signed checkpoint with its public key" pin log verify --store "$S" \
		--checkpoint "$TMP/cp3.note" --key "$TMP/log.pub"
	expect_rc 3 "$B: log verify against the signed checkpoint with another key: exit 3" pin log verify --store "$S" \
		--checkpoint "$TMP/cp3.note" --key "$TMP/other.key"
	expect_rc 0 "$B: a signed proof" pin log prove 1 --store "$S" --key "$TMP/log.key" --origin example.com/pins
	cp "$TMP/out" "$TMP/proof1.json"
	expect_rc 0 "$B: check-proof with the key" pin log check-proof "$TMP/proof1.json" --checkpoint "$TMP/cp3.note" --key "$TMP/log.pub"
	expect_rc 1 "$B: check-proof against another checkpoint (other origin): exit 1" pin log check-proof "$TMP/proof1.json" --checkpoint "$TMP/cp3"
	sed 's/"leaf_index": 1/"leaf_index": 2/' "$TMP/proof1.json" >"$TMP/proof-bad.json"
	expect_rc 1 "$B: a proof with another leaf index does not hold" pin log check-proof "$TMP/proof-bad.json" --checkpoint "$TMP/cp3.note"

	# --- real TDX quotes: pin, drift, update, signed updates ---------------------------------------
	if [ -f "$T/tdx_prod_quote_SPR_E4.dat" ] && [ -f "$T/cos-113-tdx-quote.dat" ]; then
		tdx_manifest "$T/tdx_prod_quote_SPR_E4.dat" "$TMP/spr.json"
		tdx_manifest "$T/cos-113-tdx-quote.dat" "$TMP/cos.json"
		expect_rc 0 "$B: add a TDX deployment from the SPR quote" pin add td --store "$S" --expected "$TMP/spr.json" \
			--evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT
		expect_rc 0 "$B: check the same quote: verified" pin check td --store "$S" --evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT
		expect_rc 1 "$B: check a genuine quote of another TD: drift, exit 1" pin check td --store "$S" \
			--evidence "$T/cos-113-tdx-quote.dat" --at $TAT
		expect_out "$B: drift shows mrtd" "FAIL mrtd"
		expect_out "$B: drift shows the pinned mrtd" "pinned   $(python3 -c 'import json,sys;print(json.load(open(sys.argv[1]))["measurements"]["mrtd"])' "$TMP/spr.json")"
		expect_sql "the deployment is drifted" "drifted" "SELECT state FROM deployments WHERE name = 'td'"
		expect_rc 0 "$B: show of a drifted deployment" pin show td --store "$S"
		expect_out "$B: show counts the drift" "1 verified, 1 mismatched, 0 rejected"
		expect_failure 2 "$B: update needs --reason" "give --reason" pin update td --store "$S" --expected "$TMP/cos.json" \
			--evidence "$T/cos-113-tdx-quote.dat" --at $TAT
		expect_rc 1 "$B: update whose evidence does not match the new manifest: refused" pin update td --store "$S" \
			--expected "$TMP/cos.json" --evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT --reason "new image"
		openssl genpkey -algorithm ed25519 -out "$TMP/op.key" 2>/dev/null
		openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/op256.key" 2>/dev/null
		openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:P-384 -out "$TMP/op384.key" 2>/dev/null
		expect_rc 0 "$B: an Ed25519-signed update" pin update td --store "$S" --expected "$TMP/cos.json" \
			--evidence "$T/cos-113-tdx-quote.dat" --at $TAT --reason "image 2 (ticket 42)" --signed-by "$TMP/op.key"
		expect_sql "the update pinned the deployment again" "pinned" "SELECT state FROM deployments WHERE name = 'td'"
		expect_rc 0 "$B: check of the new image: verified" pin check td --store "$S" --evidence "$T/cos-113-tdx-quote.dat" --at $TAT
		expect_rc 1 "$B: the old image is now drift" pin check td --store "$S" --evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT
		# the recorded signature verifies with the openssl CLI over the entry without its signature
		sql "SELECT entry FROM entries WHERE kind = 'update'" | head -1 >"$TMP/upd.json"
		python3 - "$TMP/upd.json" "$TMP" <<'PY'
import base64, json, sys
e = json.load(open(sys.argv[1])); d = sys.argv[2]
sig = e.pop("signature")
open(d + "/upd.msg", "wb").write(json.dumps(e, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
open(d + "/upd.sig", "wb").write(base64.b64decode(sig["value"]))
open(d + "/upd.der", "wb").write(base64.b64decode(sig["public_key"]))
PY
		if openssl pkeyutl -verify -pubin -keyform DER -inkey "$TMP/upd.der" -rawin -in "$TMP/upd.msg" -sigfile "$TMP/upd.sig" >/dev/null 2>&1 &&
			cmp -s "$TMP/upd.der" <(openssl pkey -in "$TMP/op.key" -pubout -outform DER 2>/dev/null); then
			ok "$B: the update's Ed25519 signature verifies with openssl, by the operator's key"
		else not_ok "$B: the update's Ed25519 signature verifies with openssl, by the operator's key"; fi
		expect_rc 0 "$B: a P-256-signed update" pin update td --store "$S" \
			--expected "$TMP/cos.json" --evidence "$T/cos-113-tdx-quote.dat" --at $TAT --reason "rotate" \
			--signed-by "$TMP/op256.key"
		expect_failure 2 "$B: --require-signed-updates on update points at pin policy" "measure pin policy" pin update td \
			--store "$S" --expected "$TMP/cos.json" --evidence "$T/cos-113-tdx-quote.dat" --at $TAT --reason "x" \
			--signed-by "$TMP/op256.key" --require-signed-updates
		expect_rc 0 "$B: a store-wide policy requiring updates signed by the P-256 or Ed25519 key" pin policy --store-wide \
			--store "$S" --require-signed-updates --operator-key "$TMP/op256.key" --operator-key "$TMP/op.key" \
			--signed-by "$TMP/op256.key" --reason "two operators"
		expect_failure 1 "$B: then an unsigned update fails" "requires signed updates" pin update td --store "$S" \
			--expected "$TMP/spr.json" --evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT --reason "unsigned"
		expect_failure 5 "$B: a P-384 operator key is unsupported" "Ed25519 or ECDSA P-256" pin update td --store "$S" \
			--expected "$TMP/spr.json" --evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT --reason "x" --signed-by "$TMP/op384.key"
		expect_rc 0 "$B: show after updates" pin show td --store "$S"
		expect_out "$B: show lists the signed update's reason" "reason: image 2 (ticket 42) (signed)"
		expect_rc 0 "$B: log verify checks the update signatures too" pin log verify --store "$S"
		# the TDX TCB status is judged as compare judges it (Intel's sample collateral, FMSPC 50806f000000)
		TCBARGS="--tcb-info $T/sample_tcbInfo_response --qe-identity $T/sample_qeIdentity_response --tcb-issuer-chain fixtures/compare/intel_tcb_signing_chain.urlenc"
		run pin add tdt --store "$S" --expected "$TMP/spr.json" --evidence "$T/tdx_prod_quote_SPR_E4.dat" \
			--at 2023-07-01T00:00:00Z $TCBARGS
		if [ "$rc" = 1 ] && grep -q "FAIL TCB status" "$TMP/err"; then ok "$B: a TCB level Intel's collateral does not cover: not pinned, exit 1"
		else not_ok "$B: a TCB level Intel's collateral does not cover: not pinned, exit 1" "exit $rc" "$(head -c 600 "$TMP/err")"; fi
		run pin add tdt --store "$S" --expected "$TMP/spr.json" --evidence "$T/tdx_prod_quote_SPR_E4.dat" \
			--at 2024-01-01T00:00:00Z $TCBARGS
		if [ "$rc" = 4 ]; then ok "$B: the same collateral, stale at the check time: exit 4"
		else not_ok "$B: the same collateral, stale at the check time: exit 4" "exit $rc" "$(head -c 600 "$TMP/err")"; fi
		expect_refused 4 "$B: --require-tcb without collateral: exit 4" "a TCB check was asked for" pin check td --store "$S" \
			--evidence "$T/cos-113-tdx-quote.dat" --at $TAT --require-tcb
		expect_sql "no TCB-refused add pinned anything" "0" "SELECT count(*) FROM deployments WHERE name = 'tdt'"
		# a deployment row pointed at another deployment's pin must not make that pin its own
		expect_rc 0 "$B: a second TDX deployment" pin add tdb --store "$S" --expected "$TMP/cos.json" \
			--evidence "$T/cos-113-tdx-quote.dat" --at $TAT
		expect_rc 0 "$B: a third TDX deployment" pin add tdc --store "$S" --expected "$TMP/spr.json" \
			--evidence "$T/tdx_prod_quote_SPR_E4.dat" --at $TAT
		own=$(sql "SELECT pin_seq FROM deployments WHERE name = 'tdc'")
		sql "UPDATE deployments SET pin_seq = (SELECT pin_seq FROM deployments WHERE name = 'tdb') WHERE name = 'tdc'" >/dev/null
		run pin check tdc --store "$S" --evidence "$T/cos-113-tdx-quote.dat" --at $TAT
		if [ "$rc" != 0 ]; then ok "$B: a pin row pointed at another deployment's pin: the check is refused (exit $rc)"
		else not_ok "$B: a pin row pointed at another deployment's pin: the check is refused" "exit 0"; fi
		sql "UPDATE deployments SET pin_seq = $own WHERE name = 'tdc'" >/dev/null
		expect_rc 0 "$B: log verify once the row is restored" pin log verify --store "$S"
	else
		skip "$B: TDX vectors not found at $T: real-quote pins not checked"
	fi

	# --- destroy -----------------------------------------------------------------------------------
	expect_rc 0 "$B: add a deployment to destroy" pin add gone --store "$S" --expected "$NMAN" --evidence "$NDOC" --root "$NROOT" --at evidence
	if [ -f "$TMP/op.key" ]; then # the store-wide policy above requires signed updates: destroy too
		expect_failure 1 "$B: an unsigned destroy under the policy is refused" "requires signed updates" \
			pin destroy gone --store "$S" --reason "decommissioned"
		expect_rc 0 "$B: destroy" pin destroy gone --store "$S" --reason "decommissioned" --signed-by "$TMP/op.key"
	else
		expect_rc 0 "$B: destroy" pin destroy gone --store "$S" --reason "decommissioned"
	fi
	expect_refused 1 "$B: a check after destroy is refused" "was destroyed" pin check gone --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence
	expect_refused 1 "$B: an export after destroy is refused" "was destroyed" pin export gone --store "$S" --format env
	expect_rc 0 "$B: show of a destroyed deployment" pin show gone --store "$S"
	expect_out "$B: state destroyed" "state       destroyed"
	expect_rc 0 "$B: log verify after destroy" pin log verify --store "$S"

	# --- names and bad input -----------------------------------------------------------------------
	long=$(printf 'a%.0s' $(seq 129))
	for name in "a/b" 'a\b' "-x" "a b" "$long" ""; do
		expect_failure 2 "$B: deployment name '${name:0:20}' is refused" "deployment name" pin show --store "$S" -- "$name"
	done
	expect_failure 2 "$B: a name of digits only is refused (it would read as an entry number)" "deployment name" pin show --store "$S" -- 0123
	expect_failure 2 "$B: a --reason with a newline is refused" "no control characters" pin destroy web --store "$S" --reason "$(printf 'a\nverified')"
	expect_failure 2 "$B: add without --evidence" "give --expected MANIFEST and --evidence FILE" pin add x --store "$S" --expected "$NMAN"
	expect_failure 2 "$B: --reason on check does not apply" "--reason does not apply here" pin check web --store "$S" --evidence "$NDOC" --reason x
	expect_failure 2 "$B: an evidence file that is not evidence" "" pin check web --store "$S" --evidence "$NMAN"

	# --- tamper: every change behind the tool's back is found by log verify ------------------------
	"$MEASURE" pin log checkpoint --store "$S" >"$TMP/cp-before"
	cnt=$(sql "SELECT count(*) FROM entries")
	tamper() { # NAME DESC SQL
		uri=$(clone "$1")
		sql_on "$1" "$3" >/dev/null
		run pin log verify --store "$uri"
		if [ "$rc" = 1 ] && grep -qi "not intact" "$TMP/out"; then ok "$B: tamper: $2 -> log verify fails ($(head -c 120 "$TMP/err"))"
		else not_ok "$B: tamper: $2 -> log verify fails" "rc $rc" "$(cat "$TMP/err")"; fi
	}
	tamper t_edit "an entry edited" "UPDATE entries SET entry = replace(entry, '\"kind\":\"verified\"', '\"kind\":\"drift\"') WHERE seq = 1"
	tamper t_kind "an entry's kind column edited" "UPDATE entries SET kind = 'drift' WHERE seq = 1"
	leaf=$(sql "SELECT entry FROM entries WHERE seq = 1" | sed 's/"verified"/"drift"/' | tr -d '\n' |
		python3 -c 'import hashlib,sys; print(hashlib.sha256(b"\0"+sys.stdin.buffer.read()).hexdigest())')
	tamper t_edit_leaf "an entry edited with its leaf hash recomputed" \
		"UPDATE entries SET entry = replace(entry, '\"kind\":\"verified\"', '\"kind\":\"drift\"'), kind = 'drift', leaf_hash = '$leaf' WHERE seq = 1"
	tamper t_delete "an entry deleted" "DELETE FROM entries WHERE seq = 1"
	tamper t_delete_last "the last entry, its nodes and head deleted" \
		"DELETE FROM entries WHERE seq = $((cnt - 1)); DELETE FROM tree_heads WHERE size = $cnt"
	tamper t_reorder "two entries swapped" \
		"UPDATE entries SET seq = 1000000 WHERE seq = 1; UPDATE entries SET seq = 1 WHERE seq = 2; UPDATE entries SET seq = 2 WHERE seq = 1000000"
	tamper t_append "an entry appended" \
		"INSERT INTO entries (seq, deployment, kind, entry, leaf_hash, time) SELECT $cnt, deployment, kind, replace(entry, '\"seq\":1,', '\"seq\":$cnt,'), leaf_hash, time FROM entries WHERE seq = 1"
	tamper t_state "a deployment's state edited" "UPDATE deployments SET state = 'pinned' WHERE name = 'gone'"
	tamper t_pin "a deployment's pin entry edited" "UPDATE deployments SET pin_seq = 1 WHERE name = 'web'"
	tamper t_node "a tree node edited" "UPDATE tree_nodes SET hash = '$(printf '0%.0s' $(seq 64))' WHERE level = 1 AND idx = 0"
	tamper t_head "a tree head edited" "UPDATE tree_heads SET root = '$(printf 'a%.0s' $(seq 64))' WHERE size = 2"

	# a forked log: two stores from one prefix grow to the same size with different entries
	fork=$(clone t_fork)
	expect_rc 0 "$B: fork: one more check on the original" pin check web --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence
	expect_rc 3 "$B: fork: a different entry on the fork" pin check web --store "$fork" --evidence "$NDOC" --at evidence
	"$MEASURE" pin log checkpoint --store "$S" >"$TMP/cp-a"
	"$MEASURE" pin log checkpoint --store "$fork" >"$TMP/cp-b"
	if [ "$(sed -n 2p "$TMP/cp-a")" = "$(sed -n 2p "$TMP/cp-b")" ] && ! cmp -s "$TMP/cp-a" "$TMP/cp-b"; then
		ok "$B: fork: two different trees of the same size"; else not_ok "$B: fork: two different trees of the same size"; fi
	expect_rc 0 "$B: fork: each log verifies on its own" pin log verify --store "$fork"
	expect_rc 1 "$B: fork: detected against the original's checkpoint" pin log verify --store "$fork" --checkpoint "$TMP/cp-a"
	expect_rc 0 "$B: fork: both extend the common older checkpoint" pin log verify --store "$fork" --checkpoint "$TMP/cp-before"
	expect_rc 0 "$B: the original extends its older checkpoint" pin log verify --store "$S" --checkpoint "$TMP/cp-before"
	# consistency proofs: prove between two sizes, checked offline against two checkpoints
	old=$(sed -n 2p "$TMP/cp-before")
	expect_rc 0 "$B: log prove --old-size (a consistency proof)" pin log prove --old-size "$old" --store "$S"
	cp "$TMP/out" "$TMP/cons.json"
	"$MEASURE" pin log checkpoint --store "$S" >"$TMP/cp-now"
	want=$(oracle_of_consistency "$old")
	got=$(python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["consistency_path"]))' "$TMP/cons.json")
	if [ -n "$want" ] && [ "$want" = "$got" ]; then ok "$B: the consistency path is the RFC 9162 oracle's PROOF($old, D[n])"
	else not_ok "$B: the consistency path is the RFC 9162 oracle's" "oracle: $want" "measure: $got"; fi
	expect_rc 0 "$B: check-proof of the consistency proof against the old and the new checkpoint" pin log check-proof \
		"$TMP/cons.json" --old-checkpoint "$TMP/cp-before" --checkpoint "$TMP/cp-now"
	expect_out "$B: it says append-only" "extends the checkpoint of $old entries, append-only"
	expect_rc 1 "$B: the fork's checkpoint of the same size is not extended" pin log check-proof "$TMP/cons.json" \
		--old-checkpoint "$TMP/cp-b" --checkpoint "$TMP/cp-now"
	expect_rc 1 "$B: a consistency proof against another new checkpoint (the fork's)" pin log check-proof "$TMP/cons.json" \
		--old-checkpoint "$TMP/cp-before" --checkpoint "$TMP/cp-b"
	python3 -c '
import json,sys; p=json.load(open(sys.argv[1])); h=p["consistency_path"][0]
p["consistency_path"][0]=("0" if h[0]!="0" else "1")+h[1:]; json.dump(p,open(sys.argv[2],"w"))' "$TMP/cons.json" "$TMP/cons-bad.json"
	expect_rc 1 "$B: a consistency path with one hash changed does not hold" pin log check-proof "$TMP/cons-bad.json" \
		--old-checkpoint "$TMP/cp-before" --checkpoint "$TMP/cp-now"
	expect_failure 2 "$B: a consistency proof with only --old-checkpoint: nothing trusted covers its new tree" \
		"--key PUB.pem" pin log check-proof "$TMP/cons.json" --old-checkpoint "$TMP/cp-before"
	expect_failure 2 "$B: a consistency proof without --old-checkpoint" "--old-checkpoint" pin log check-proof "$TMP/cons.json" \
		--checkpoint "$TMP/cp-now"
	expect_failure 2 "$B: --old-size 0" "--old-size" pin log prove --old-size 0 --store "$S"
	expect_failure 2 "$B: an inclusion proof with --old-checkpoint" "--old-checkpoint is for consistency proofs" \
		pin log check-proof "$TMP/proof.json" --old-checkpoint "$TMP/cp3"
	expect_rc 0 "$B: a consistency proof between two older sizes" pin log prove --old-size 1 --size "$old" --store "$S"
	cp "$TMP/out" "$TMP/cons-old.json"
	expect_rc 0 "$B: checked against the size-1 checkpoint (root: entry 0's leaf hash) and the older one" pin log check-proof "$TMP/cons-old.json" \
		--old-checkpoint <(printf '%s\n1\n%s\n' "$(sed -n 1p "$TMP/cp-now")" \
		"$(sql "SELECT leaf_hash FROM entries WHERE seq = 0" | xxd -r -p | base64)") --checkpoint "$TMP/cp-before"
	# the checkpoint origin is kept in the store: later checkpoints without --origin keep it
	expect_failure 2 "$B: another --origin than the store's" "this store's checkpoints are of 'example.com/pins'" \
		pin log checkpoint --store "$S" --origin other.example
	if [ "$(sed -n 1p "$TMP/cp-now")" = "example.com/pins" ]; then ok "$B: checkpoints keep the store's origin"
	else not_ok "$B: checkpoints keep the store's origin" "$(sed -n 1p "$TMP/cp-now")"; fi

	# the whole log rewritten consistently (a new tree from other entries) is caught by the old checkpoint
	tamper_fork=$(clone t_rewrite)
	sql_on t_rewrite "DELETE FROM entries WHERE seq >= 1; DELETE FROM tree_nodes WHERE idx >= 0 AND NOT (level = 0 AND idx = 0); DELETE FROM tree_heads WHERE size > 1; DELETE FROM deployments WHERE name <> 'web'; UPDATE deployments SET state = 'pinned', updated = created WHERE name = 'web'" >/dev/null
	expect_rc 0 "$B: rewrite: the truncated log verifies by itself" pin log verify --store "$tamper_fork"
	expect_rc 1 "$B: rewrite: a truncated log fails against the old checkpoint" pin log verify --store "$tamper_fork" --checkpoint "$TMP/cp-before"

	# --- concurrency: N checks at once, exactly N entries, the log verifies ------------------------
	before=$(sql "SELECT count(*) FROM entries")
	pids=""
	for i in $(seq "$CONC"); do
		"$MEASURE" pin check web --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence >"$TMP/conc$i" 2>&1 &
		pids="$pids $!"
	done
	fails=0
	for p in $pids; do wait "$p" || fails=$((fails + 1)); done
	after=$(sql "SELECT count(*) FROM entries")
	if [ "$fails" = 0 ] && [ "$((after - before))" = "$CONC" ]; then ok "$B: $CONC concurrent checks all succeed, $CONC entries added"
	else not_ok "$B: $CONC concurrent checks all succeed, $CONC entries added" "$fails failed, $((after - before)) added" "$(cat "$TMP"/conc* | head -5)"; fi
	expect_rc 0 "$B: the log verifies after concurrent checks" pin log verify --store "$S"
	want=$(oracle_of sql)
	got="size $(sql "SELECT count(*) FROM entries") root $(checkpoint_root "$S")"
	if [ "$want" = "$got" ]; then ok "$B: root still equals the oracle's after concurrent appends"
	else not_ok "$B: root still equals the oracle's after concurrent appends" "oracle: $want" "measure: $got"; fi

	# --- a store of a newer schema version ---------------------------------------------------------
	newer=$(clone t_newer)
	sql_on t_newer "UPDATE schema_version SET version = 3" >/dev/null
	expect_failure 5 "$B: a store of schema version 3: exit 5 naming it" "store schema version 3 is newer" pin list --store "$newer"
	expect_failure 5 "$B: and writes are refused too" "store schema version 3" pin check web --store "$newer" --evidence "$NDOC" --root "$NROOT" --at evidence
}

# --- crash safety (SQLite): SIGKILL at random points never loses an acknowledged entry -------------
crash_suite() {
	S=$STORE
	acked=$TMP/acked
	: >"$acked"
	# the loop forks nothing but the killed check: bash's read -t on a FIFO nobody writes is the
	# sleep, and the acknowledgement is read with builtins (under load, each fork costs tens of ms)
	mkfifo "$TMP/never"
	exec 3<>"$TMP/never"
	# kill points spread over 1.2 times one check's duration (longer under sanitizers or load)
	t0=$(date +%s%N)
	"$MEASURE" pin check web --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence >"$TMP/crash.out" 2>/dev/null
	sed -n 's/.*(entry \([0-9]*\)).*/\1/p' "$TMP/crash.out" >>"$acked"
	span=$(( ($(date +%s%N) - t0) * 6 / 5000000 + 1 )) # milliseconds
	start=$(date +%s)
	for ((i = 0; i < 200; i++)); do
		"$MEASURE" pin check web --store "$S" --evidence "$NDOC" --root "$NROOT" --at evidence >"$TMP/crash.out" 2>/dev/null &
		p=$!
		ms=$((RANDOM % span))
		printf -v frac '%03d' $((ms % 1000))
		read -r -t "$((ms / 1000)).$frac" -u 3
		kill -9 "$p" 2>/dev/null
		if wait "$p" 2>/dev/null; then
			line=""
			read -r line <"$TMP/crash.out"
			if [[ $line =~ \(entry\ ([0-9]+)\) ]]; then echo "${BASH_REMATCH[1]}" >>"$acked"; fi
		fi
	done
	exec 3<&-
	# every acknowledged entry is there, as a verified entry (one query for all of them)
	sql "SELECT seq FROM entries WHERE kind = 'verified'" | sort >"$TMP/stored"
	missing=$(sort "$acked" | comm -23 - "$TMP/stored" | wc -l)
	if [ "$missing" = 0 ] && [ -s "$acked" ]; then ok "$BACKEND: 200 SIGKILLed checks: all $(wc -l <"$acked") acknowledged entries are there ($(($(date +%s) - start)) s)"
	else not_ok "$BACKEND: 200 SIGKILLed checks: acknowledged entries are there" "$missing missing of $(wc -l <"$acked")"; fi
	killed=$((201 - $(wc -l <"$acked")))
	if [ "$killed" -gt 0 ]; then ok "$BACKEND: $killed of the 200 runs were killed before acknowledging"
	else not_ok "$BACKEND: some of the 200 runs were killed before acknowledging"; fi
	expect_rc 0 "$BACKEND: the log verifies after 200 SIGKILLs" pin log verify --store "$S"
	want=$(oracle_of sql)
	got="size $(sql "SELECT count(*) FROM entries") root $(checkpoint_root "$S")"
	if [ "$want" = "$got" ]; then ok "$BACKEND: root equals the oracle's after the kills"
	else not_ok "$BACKEND: root equals the oracle's after the kills" "oracle: $want" "measure: $got"; fi
}

# --- store URIs and availability (no store needed) ---------------------------------------------------
expect_failure 2 "a URI of an unknown scheme" "neither a path, sqlite:PATH nor postgresql://" pin list --store mysql://x/y
expect_failure 2 "an empty sqlite: URI" "names no file" pin list --store sqlite:
expect_failure 2 "a malformed PostgreSQL URI" "malformed PostgreSQL URI" pin list --store "postgresql://host/x?nosuchoption=1"
expect_failure 2 "an unreachable PostgreSQL" "cannot connect" pin list --store "postgresql:///x?host=$TMP/nowhere&connect_timeout=2"
expect_failure 2 "a store that does not exist (read verbs do not create one)" "no pin store here" pin list --store "$TMP/none.db"
echo "not a database" >"$TMP/garbage.db"
expect_failure 2 "a file that is not a database" "not a SQLite database" pin list --store "$TMP/garbage.db"
expect_failure 2 "pin without a verb" "give a verb" pin
expect_failure 2 "an unknown pin verb" "unknown verb" pin frobnicate
expect_rc 0 "pin --help" pin --help
for v in add check update show list destroy export; do expect_rc 0 "pin $v --help" pin "$v" --help; done
expect_rc 0 "pin log --help" pin log --help
# the default store: $XDG_STATE_HOME/measure/pins.db, created by the first add
XDG_STATE_HOME=$TMP/state "$MEASURE" pin add d --expected "$NMAN" --evidence "$NDOC" --root "$NROOT" --at evidence >/dev/null 2>&1
if [ -f "$TMP/state/measure/pins.db" ]; then ok "the default store is \$XDG_STATE_HOME/measure/pins.db"; else not_ok "the default store is \$XDG_STATE_HOME/measure/pins.db"; fi

if ! command -v sqlite3 >/dev/null || ! command -v python3 >/dev/null; then
	skip "the sqlite3 client or python3 is not installed: the pin suite needs them"
	echo "1..$n"
	exit 0
fi

use_sqlite
CONC=8
suite
crash_suite
# a reason written into the store behind the tool's back (the CLI refuses control bytes in --reason):
# pin show prints it escaped, on one line, and log verify names the edited entry
cp "$DB" "$TMP/edit.db"
sqlite3 "$TMP/edit.db" "UPDATE entries SET entry = replace(entry, '\"reason\":\"image 2 (ticket 42)\"', '\"reason\":\"x\\nline 2: forged\"')"
run pin show td --store "$TMP/edit.db"
if grep -qF 'reason: x\x0aline 2: forged' "$TMP/out" && ! grep -q '^line 2: forged' "$TMP/out"; then
	ok "sqlite: show prints a reason's control bytes escaped, on one line"
else not_ok "sqlite: show prints a reason's control bytes escaped, on one line" "$(grep -a 'forged' "$TMP/out" | head -3)"; fi
expect_rc 1 "sqlite: log verify refuses the edited entry" pin log verify --store "$TMP/edit.db"

# a read-only store: refused with a clear message, nothing lost
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null; then
	cp "$DB" "$TMP/ro.db"
	chmod 755 "$TMP"
	chmod 444 "$TMP/ro.db"
	before=$(sqlite3 "$TMP/ro.db" "SELECT count(*) FROM entries")
	runuser -u nobody -- "$MEASURE" pin check web --store "$TMP/ro.db" --evidence "$NDOC" --root "$NROOT" --at evidence >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" = 2 ] && grep -q "read-only" "$TMP/err" && [ "$(wc -l <"$TMP/err")" = 1 ] &&
		[ "$(sqlite3 "$TMP/ro.db" "SELECT count(*) FROM entries")" = "$before" ]; then ok "sqlite: a read-only store: exit 2, one line, nothing changed"
	else not_ok "sqlite: a read-only store: exit 2, one line, nothing changed" "rc $rc" "$(cat "$TMP/err")"; fi
fi

if pg_start; then
	use_pg
	CONC=4
	suite
else
	if [ "${MEASURE_REQUIRE_PG:-0}" = 1 ]; then
		not_ok "PostgreSQL (initdb, pg_ctl, psql) is required here (MEASURE_REQUIRE_PG=1) but could not be started"
	else
		skip "PostgreSQL is not installed (Debian: apt-get install postgresql): the PostgreSQL suite is skipped"
	fi
fi

# check-proof prints an entry only as log verify reads it: a duplicate key is refused, not shown either way
python3 - "$TMP" <<'EOF'
import base64, hashlib, json, sys
entry = '{"deployment":"web","kind":"add","kind":"destroy"}'
leaf = hashlib.sha256(b"\x00" + entry.encode()).digest()
cp = "measure/pin\n1\n" + base64.b64encode(leaf).decode() + "\n"
open(sys.argv[1] + "/dup.cp", "w").write(cp)
json.dump({"schema": "measure/tlog-proof/v1", "leaf_index": 0, "tree_size": 1, "leaf_hash": leaf.hex(),
           "inclusion_path": [], "entry": entry, "checkpoint": cp}, open(sys.argv[1] + "/dup.json", "w"))
EOF
expect_failure 2 "check-proof: an entry with a duplicate key is refused" 'duplicate key "kind"' \
	pin log check-proof "$TMP/dup.json" --checkpoint "$TMP/dup.cp"
echo "1..$n"
