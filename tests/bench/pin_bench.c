/* SPDX-License-Identifier: Apache-2.0 */
/*
 * make bench, pin part:
 *   pin_bench checks STORE DOC ROOT N   N pin checks in one process, each what 'measure pin check'
 *                                        does in its transaction: read the pin, verify the synthetic
 *                                        Nitro document (chain to ROOT), match, append, commit
 *                                        (SQLite, WAL, synchronous=FULL: one fsync per check)
 *   pin_bench proofs STORE N             builds (once) a store whose log has N leaves, then times
 *                                        inclusion proofs of random leaves read from the store
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "../../common/chain.h"
#include "../../common/file.h"
#include "../../common/hex.h"
#include "../../common/json.h"
#include "../../common/x509.h"
#include "../../compare/match.h"
#include "../../pin/store.h"
#include "../../pin/tlog.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what, const struct ms_err *err)
{
	fprintf(stderr, "pin_bench: %s: %s\n", what, err ? err->msg : "");
	return 1;
}

/*
 * A store is its file and, in WAL mode, its -wal and -shm files: a -wal left
 * behind (measure does not checkpoint on close) would be replayed into the
 * fresh file and bring back the old log.
 */
static int remove_store(const char *path)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };

	for (size_t i = 0; i < 3; i++) {
		char name[4096];

		snprintf(name, sizeof(name), "%s%s", path, suffix[i]);
		if (remove(name) && errno != ENOENT)
			return -1;
	}
	return 0;
}

static const char manifest[] =
	"{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\""
	"111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111\"}}";

/* One check as the CLI does it, inside one write transaction. */
static int one_check(struct ms_store *s, const uint8_t *doc, size_t len, X509 *root, struct ms_chain_cache *cache, bool verify,
		     struct ms_err *err)
{
	struct ms_verify_options vo = { .at_evidence = true, .root_override = root, .chain_cache = cache };
	struct ms_match_options mo = { 0 };
	struct ms_deployment d;
	struct ms_entry pin, e = { 0 };
	struct ms_expected x;
	struct ms_evidence ev;
	struct ms_checks checks = { 0 };
	uint8_t root_hash[32];
	uint64_t seq;
	cJSON *j = NULL, *m = NULL;
	char *text = NULL, when[32];
	bool found;
	int st;

	if ((st = ms_store_begin(s, true, err)) || (st = ms_store_size(s, &seq, root_hash, err)) ||
	    (st = ms_store_deployment_get(s, "bench", &d, &found, err)) ||
	    (st = ms_store_entry_get(s, d.pin_seq, &pin, &found, err)))
		goto out;
	m = cJSON_Parse(pin.json);
	free((char *)pin.json);
	text = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(m, "manifest"));
	memset(&ev, 0, sizeof(ev));
	if ((st = ms_expected_parse(text, strlen(text), &x, err)) ||
	    (verify && ((st = ms_nitro_verify(doc, len, &vo, &ev, &checks, err)) || (st = ms_match(&x, &ev, &mo, &checks, err)))))
		goto out;
	free(text);
	ms_format_time((int64_t)time(NULL), when);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "schema", MS_PIN_ENTRY_SCHEMA);
	cJSON_AddNumberToObject(j, "seq", (double)seq);
	cJSON_AddStringToObject(j, "time", when);
	cJSON_AddStringToObject(j, "deployment", "bench");
	cJSON_AddStringToObject(j, "kind", "verified");
	cJSON_AddStringToObject(j, "platform", "aws-nitro");
	/* as 'pin check' writes it: the pin the evidence was judged against, which log verify replays */
	cJSON_AddNumberToObject(j, "pin_seq", (double)d.pin_seq);
	ms_json_add_hex(j, "evidence_sha256", ev.sha256, 32);
	text = ms_json_canonical(j);
	e.seq = seq;
	strcpy(e.deployment, "bench");
	strcpy(e.kind, "verified");
	strcpy(e.time, when);
	e.json = text;
	strcpy(d.updated, when);
	if ((st = ms_store_append(s, &e, root_hash, err)) || (st = ms_store_deployment_put(s, &d, err)))
		goto out;
	st = ms_store_commit(s, err);
out:
	if (st)
		ms_store_rollback(s);
	ms_checks_free(&checks);
	cJSON_Delete(j);
	cJSON_Delete(m);
	free(text);
	return st;
}

static int checks(const char *path, const char *doc_path, const char *root_path, int n)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };
	struct ms_deployment d = { 0 };
	struct ms_entry e = { 0 };
	uint8_t *doc = NULL, *pem = NULL, root_hash[32];
	size_t doc_len, pem_len;
	X509 *root = NULL;
	struct ms_chain_cache *cache = NULL;
	char when[32], *add = NULL;
	cJSON *j;
	double t0, t;

	if (remove_store(path))
		return fail("setup: cannot remove the old store", NULL);
	if (ms_file_load(doc_path, 1 << 20, &doc, &doc_len, &err) || ms_file_load(root_path, 1 << 16, &pem, &pem_len, &err) ||
	    ms_x509_parse(pem, pem_len, "root", &root, &err) || ms_store_open(path, true, &s, &err))
		return fail("setup", &err);
	/* the pin: an add entry holding the manifest */
	ms_format_time((int64_t)time(NULL), when);
	j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "schema", MS_PIN_ENTRY_SCHEMA);
	cJSON_AddNumberToObject(j, "seq", 0);
	cJSON_AddStringToObject(j, "time", when);
	cJSON_AddStringToObject(j, "deployment", "bench");
	cJSON_AddStringToObject(j, "kind", "add");
	cJSON_AddStringToObject(j, "platform", "aws-nitro");
	cJSON_AddItemToObject(j, "manifest", cJSON_Parse(manifest));
	add = ms_json_canonical(j);
	cJSON_Delete(j);
	strcpy(e.deployment, "bench");
	strcpy(e.kind, "add");
	strcpy(e.time, when);
	e.json = add;
	strcpy(d.name, "bench");
	strcpy(d.platform, "aws-nitro");
	strcpy(d.state, "pinned");
	strcpy(d.created, when);
	strcpy(d.updated, when);
	if (ms_store_begin(s, true, &err) || ms_store_append(s, &e, root_hash, &err) ||
	    ms_store_deployment_put(s, &d, &err) || ms_store_commit(s, &err))
		return fail("add", &err);
	t0 = now();
	for (int i = 0; i < n; i++)
		if (one_check(s, doc, doc_len, root, NULL, true, &err))
			return fail("check", &err);
	t = now() - t0;
	printf("in one process: %d checks in %.2f s: %.0f checks/s (%.2f ms each), each verified from nothing\n", n, t,
	       n / t, t * 1e3 / n);
	if (ms_chain_cache_new(&cache, &err))
		return fail("cache", &err);
	t0 = now();
	for (int i = 0; i < n; i++)
		if (one_check(s, doc, doc_len, root, cache, true, &err))
			return fail("check", &err);
	t = now() - t0;
	ms_chain_cache_free(cache);
	printf("in one process with a chain cache (a pin service): %.0f checks/s (%.2f ms each; target: at least 200/s)\n",
	       n / t, t * 1e3 / n);
	t0 = now();
	for (int i = 0; i < n; i++)
		if (one_check(s, doc, doc_len, root, NULL, false, &err))
			return fail("check", &err);
	t = now() - t0;
	printf("the same transactions without the evidence verification: %.0f/s (%.2f ms each): the store's share\n",
	       n / t, t * 1e3 / n);
	{
		uint64_t size;

		if (ms_store_log_verify(s, 0, NULL, &size, root_hash, &err))
			return fail("log verify", &err);
	}
	ms_store_close(s);
	free(add);
	free(doc);
	free(pem);
	X509_free(root);
	return 0;
}

/* Bulk-builds the tree nodes and head of an n-leaf log straight into SQLite (once). */
static int build_big(const char *path, uint64_t n)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *node = NULL;
	uint8_t(*level)[32] = malloc(n * 32);
	uint64_t len = n;
	char *sql = NULL, hex[65], when[32];
	int rc = 1;

	if (!level)
		return 1;
	for (uint64_t i = 0; i < n; i++) {
		char text[64];
		int l = snprintf(text, sizeof(text), "{\"bench\":%" PRIu64 "}", i);

		ms_tlog_leaf_hash(text, (size_t)l, level[i]);
	}
	if (sqlite3_open(path, &db) || sqlite3_exec(db, "PRAGMA journal_mode=WAL; BEGIN", NULL, NULL, NULL) ||
	    sqlite3_prepare_v2(db, "INSERT INTO tree_nodes (level, idx, hash) VALUES (?1, ?2, ?3)", -1, &node, NULL))
		goto out;
	for (unsigned lv = 0; len; lv++) {
		for (uint64_t i = 0; i < len; i++) {
			ms_hex_encode(level[i], 32, hex);
			sqlite3_bind_int(node, 1, (int)lv);
			sqlite3_bind_int64(node, 2, (sqlite3_int64)i);
			sqlite3_bind_text(node, 3, hex, 64, SQLITE_TRANSIENT);
			if (sqlite3_step(node) != SQLITE_DONE)
				goto out;
			sqlite3_reset(node);
		}
		for (uint64_t i = 0; i < len / 2; i++)
			ms_tlog_node_hash(level[2 * i], level[2 * i + 1], level[i]);
		len /= 2;
	}
	ms_format_time((int64_t)time(NULL), when);
	/* the head's root is not needed to time proofs; it is recomputed from the nodes below */
	if (asprintf(&sql, "INSERT INTO tree_heads (size, root, time) VALUES (%" PRIu64 ", '%064d', '%s'); COMMIT", n, 0,
		     when) < 0 || sqlite3_exec(db, sql, NULL, NULL, NULL))
		goto out;
	rc = 0;
out:
	if (rc)
		fprintf(stderr, "pin_bench: building the big log: %s\n", db ? sqlite3_errmsg(db) : "?");
	free(sql);
	sqlite3_finalize(node);
	sqlite3_close(db);
	free(level);
	return rc;
}

static int proofs(const char *path, uint64_t n)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };
	struct ms_tlog_reader r;
	uint8_t proof[MS_TLOG_MAX_PROOF][32], root[32], leaf[32];
	uint64_t size = 0;
	size_t count;
	double t0, t, worst = 0;
	int runs = 1000;

	if (ms_store_open(path, true, &s, &err))
		return fail("open", &err);
	if (ms_store_size(s, &size, root, &err))
		return fail("size", &err);
	ms_store_close(s);
	if (size != n) {
		double b0 = now();

		if (remove_store(path))
			return fail("cannot remove the old store", NULL);
		if (ms_store_open(path, true, &s, &err))
			return fail("open", &err);
		ms_store_close(s);
		if (build_big(path, n))
			return 1;
		printf("built a %" PRIu64 "-leaf log in %.1f s (once; kept in %s)\n", n, now() - b0, path);
	}
	if (ms_store_open(path, false, &s, &err) || ms_store_begin(s, false, &err))
		return fail("open", &err);
	r = ms_store_reader(s);
	if (ms_tlog_root(&r, n, root, &err))
		return fail("root", &err);
	srand(1);
	t0 = now();
	for (int i = 0; i < runs; i++) {
		uint64_t idx = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % n;
		double p0 = now(), p;
		char text[64];
		int l = snprintf(text, sizeof(text), "{\"bench\":%" PRIu64 "}", idx);

		if (ms_tlog_inclusion_proof(&r, idx, n, proof, MS_TLOG_MAX_PROOF, &count, &err))
			return fail("proof", &err);
		p = now() - p0;
		worst = p > worst ? p : worst;
		ms_tlog_leaf_hash(text, (size_t)l, leaf);
		if (!ms_tlog_verify_inclusion(leaf, idx, n, (const uint8_t(*)[32])proof, count, root))
			return fail("a proof that does not verify", NULL);
	}
	t = now() - t0;
	printf("inclusion proof in a %" PRIu64 "-leaf log, read from SQLite: mean %.3f ms, worst %.3f ms of %d (target: "
	       "under 5 ms)\n", n, t * 1e3 / runs, worst * 1e3, runs);
	ms_store_close(s);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "checks"))
		return checks(argv[2], argv[3], argv[4], atoi(argv[5]));
	if (argc == 4 && !strcmp(argv[1], "proofs"))
		return proofs(argv[2], strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: pin_bench checks STORE DOC ROOT N | proofs STORE N\n");
	return 2;
}
