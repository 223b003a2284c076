/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pin/store.c, pin/log_verify.c and pin/sign.c on a temporary SQLite store.
 * Roots are those Python's hashlib gives by RFC 9162's recursive MTH over the
 * same entry texts (computed once, copied here as facts); the canonical JSON
 * is what Python's json.dumps(sort_keys=True, separators=(",", ":")) prints.
 */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sqlite3.h>

#include "../helpers.h"

#include "../../pin/sign.h"
#include "../../pin/store.h"

static const char *const roots[] = {
	[1] = "173e026ea21d8403fb843a0abff50442ccb4c29db0234d2104904206bf963272",
	[2] = "5220ff869369dd4af120de3926340b97923b643ce25f517c33a84b3521bb20a4",
	[3] = "a35d85e3fb0ef0e6c40f11c494abf3833fedd7d2300fca2c2ef8caa878b1b396",
	[5] = "8017fa7ee4164db0a83676e33cc2aad7d2a8a08d351d89906f3b0079a28f7101",
};

static char dir[64];
static char path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/measure-pin-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/pins.db", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[160];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void sql(const char *stmt)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, stmt, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* Five entries: an add of d, then four verified checks against that pin (entry 0), one second apart. */
static struct ms_store *make_log(unsigned count)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };
	struct ms_deployment d = { .name = "d", .platform = "tdx", .state = "pinned", .pin_seq = 0,
				   .created = "2026-01-01T00:00:00Z" };
	uint8_t root[32];

	remove(path);
	assert_int_equal(ms_store_open(path, true, &s, &err), MS_OK);
	for (unsigned i = 0; i < count; i++) {
		struct ms_entry e = { .seq = i, .deployment = "d" };
		char json[256];

		snprintf(e.kind, sizeof(e.kind), "%s", i ? "verified" : "add");
		snprintf(e.time, sizeof(e.time), "2026-01-01T00:00:0%uZ", i);
		snprintf(json, sizeof(json),
			 "{\"deployment\":\"d\",\"kind\":\"%s\"%s,\"platform\":\"tdx\",\"schema\":\"measure/pin-entry/v1\","
			 "\"seq\":%u,\"time\":\"%s\"}", e.kind, i ? ",\"pin_seq\":0" : "", i, e.time);
		e.json = json;
		snprintf(d.updated, sizeof(d.updated), "%s", e.time);
		assert_int_equal(ms_store_begin(s, true, &err), MS_OK);
		assert_int_equal(ms_store_append(s, &e, root, &err), MS_OK);
		assert_int_equal(ms_store_deployment_put(s, &d, &err), MS_OK);
		assert_int_equal(ms_store_commit(s, &err), MS_OK);
		if (roots[i + 1]) {
			char hex[65];

			ms_hex_encode(root, 32, hex);
			assert_string_equal(hex, roots[i + 1]);
		}
	}
	return s;
}

static void test_canonical_json(void **state)
{
	cJSON *j = cJSON_Parse("{\"b\":1,\"a\":{\"d\":[{\"z\":1,\"y\":\"\\u00e9\\n\"}],\"c\":\"x\"},\"B\":[]}");
	char *text = ms_json_canonical(j);

	(void)state;
	assert_string_equal(text, "{\"B\":[],\"a\":{\"c\":\"x\",\"d\":[{\"y\":\"\xc3\xa9\\n\",\"z\":1}]},\"b\":1}");
	free(text);
	cJSON_Delete(j);
}

static void test_names(void **state)
{
	char long_name[MS_PIN_NAME_MAX + 2];

	(void)state;
	assert_true(ms_pin_name_valid("web-1.prod_eu"));
	assert_false(ms_pin_name_valid(""));
	assert_false(ms_pin_name_valid("a/b"));
	assert_false(ms_pin_name_valid("a\\b"));
	assert_false(ms_pin_name_valid("-rf"));
	assert_false(ms_pin_name_valid("a b"));
	assert_false(ms_pin_name_valid("a\x7f"));
	assert_false(ms_pin_name_valid("caf\xc3\xa9"));
	memset(long_name, 'a', sizeof(long_name));
	long_name[MS_PIN_NAME_MAX] = '\0';
	assert_true(ms_pin_name_valid(long_name));
	long_name[MS_PIN_NAME_MAX] = 'a';
	long_name[MS_PIN_NAME_MAX + 1] = '\0';
	assert_false(ms_pin_name_valid(long_name));
}

static void test_roots_and_verify(void **state)
{
	struct ms_store *s = make_log(5);
	struct ms_err err = { 0 };
	uint8_t root[32];
	uint64_t size;
	char hex[65];

	(void)state;
	assert_int_equal(ms_store_begin(s, false, &err), MS_OK);
	assert_int_equal(ms_store_log_verify(s, 0, NULL, &size, root, &err), MS_OK);
	assert_int_equal(size, 5);
	ms_hex_encode(root, 32, hex);
	assert_string_equal(hex, roots[5]);
	ms_store_rollback(s);
	ms_store_close(s);
}

static void test_consistency(void **state)
{
	struct ms_store *s = make_log(5);
	struct ms_err err = { 0 };
	uint8_t old[32], other[32], root[32];
	uint64_t size;

	(void)state;
	assert_int_equal(ms_hex_decode(roots[3], old, 32, "root", &err), MS_OK);
	assert_int_equal(ms_store_begin(s, false, &err), MS_OK);
	assert_int_equal(ms_store_log_verify(s, 3, old, &size, root, &err), MS_OK);
	/* the root of size 2 claimed for size 3: a fork */
	assert_int_equal(ms_hex_decode(roots[2], other, 32, "root", &err), MS_OK);
	assert_int_equal(ms_store_log_verify(s, 3, other, &size, root, &err), MS_MISMATCH);
	assert_non_null(strstr(err.msg, "not an append-only extension"));
	/* a checkpoint larger than the log: truncated */
	assert_int_equal(ms_store_log_verify(s, 6, old, &size, root, &err), MS_MISMATCH);
	assert_non_null(strstr(err.msg, "fewer than the checkpoint"));
	ms_store_rollback(s);
	ms_store_close(s);
}

static void expect_tamper(const char *stmt, const char *words)
{
	struct ms_store *s = make_log(5);
	struct ms_err err = { 0 };
	uint8_t root[32];
	uint64_t size;

	ms_store_close(s);
	sql(stmt);
	assert_int_equal(ms_store_open(path, false, &s, &err), MS_OK);
	assert_int_equal(ms_store_begin(s, false, &err), MS_OK);
	assert_int_equal(ms_store_log_verify(s, 0, NULL, &size, root, &err), MS_MISMATCH);
	if (!strstr(err.msg, words))
		fail_msg("after '%s': '%s' lacks '%s'", stmt, err.msg, words);
	ms_store_close(s);
}

static void test_tamper(void **state)
{
	(void)state;
	expect_tamper("UPDATE entries SET entry = replace(entry, 'verified', 'drift') WHERE seq = 2",
		      "does not hash to its stored leaf hash");
	expect_tamper("DELETE FROM entries WHERE seq = 2", "an entry is missing");
	expect_tamper("UPDATE entries SET kind = 'drift' WHERE seq = 3", "columns disagree");
	expect_tamper("DELETE FROM tree_nodes WHERE level = 1 AND idx = 1", "tree nodes stored");
	expect_tamper("UPDATE tree_heads SET root = '00' || substr(root, 3) WHERE size = 4",
		      "tree head of size 4 has a root the entries do not give");
	expect_tamper("DELETE FROM tree_heads WHERE size = 5", "added outside measure");
	expect_tamper("UPDATE deployments SET state = 'drifted'", "deployment d is stored as drifted");
	expect_tamper("INSERT INTO deployments VALUES ('ghost', 'tdx', 'pinned', 0, 'x', 'y')", "no entries in the log");
}

static void test_open_errors(void **state)
{
	struct ms_store *s = NULL;
	struct ms_err err = { 0 };

	(void)state;
	assert_int_equal(ms_store_open("mysql://h/db", true, &s, &err), MS_USAGE);
	assert_int_equal(ms_store_open("sqlite:", true, &s, &err), MS_USAGE);
	assert_int_equal(ms_store_open("", true, &s, &err), MS_USAGE);
	assert_int_equal(ms_store_open("/nonexistent-dir/x.db", false, &s, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "no pin store here"));
	assert_null(s);
	s = make_log(1);
	ms_store_close(s);
	sql("UPDATE schema_version SET version = 7");
	assert_int_equal(ms_store_open(path, true, &s, &err), MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "schema version 7 is newer"));
	assert_int_equal(ms_store_open(path, false, &s, &err), MS_UNSUPPORTED);
	sql("DROP TABLE schema_version");
	assert_int_equal(ms_store_open(path, false, &s, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "not a measure pin store"));
}

static void test_append_wrong_seq(void **state)
{
	struct ms_store *s = make_log(2);
	struct ms_err err = { 0 };
	struct ms_entry e = { .seq = 5, .deployment = "d", .kind = "verified", .time = "t", .json = "{}" };
	uint8_t root[32];

	(void)state;
	assert_int_equal(ms_store_begin(s, true, &err), MS_OK);
	assert_int_equal(ms_store_append(s, &e, root, &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "entry 5 appended to a log of 2 entries"));
	ms_store_rollback(s);
	ms_store_close(s);
}

static char *pem_of(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &data);
	out = strndup(data, (size_t)n);
	BIO_free(b);
	return out;
}

static void sign_and_verify(EVP_PKEY *k, const char *alg)
{
	struct ms_err err = { 0 };
	char *pem = pem_of(k);
	const char text[] = "{\"kind\":\"update\",\"seq\":3}";
	cJSON *sig = NULL, *v;

	assert_int_equal(ms_pin_sign(text, strlen(text), pem, strlen(pem), &sig, &err), MS_OK);
	assert_string_equal(cJSON_GetObjectItem(sig, "algorithm")->valuestring, alg);
	assert_int_equal(ms_pin_signature_verify(text, strlen(text), sig, &err), MS_OK);
	assert_int_equal(ms_pin_signature_verify("{\"kind\":\"update\",\"seq\":4}", strlen(text), sig, &err),
			 MS_BAD_SIGNATURE);
	/* a key_sha256 that is not the key's */
	v = cJSON_GetObjectItem(sig, "key_sha256");
	v->valuestring[0] = v->valuestring[0] == '0' ? '1' : '0';
	assert_int_equal(ms_pin_signature_verify(text, strlen(text), sig, &err), MS_BAD_INPUT);
	cJSON_Delete(sig);
	free(pem);
}

static void test_signatures(void **state)
{
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	EVP_PKEY *p256 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	EVP_PKEY *p384 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	struct ms_err err = { 0 };
	cJSON *sig = NULL;
	char *pem;

	(void)state;
	sign_and_verify(ed, "ed25519");
	sign_and_verify(p256, "ecdsa-p256-sha256");
	pem = pem_of(p384);
	assert_int_equal(ms_pin_sign("x", 1, pem, strlen(pem), &sig, &err), MS_UNSUPPORTED);
	assert_null(sig);
	assert_int_equal(ms_pin_sign("x", 1, "not a key", 9, &sig, &err), MS_BAD_INPUT);
	free(pem);
	EVP_PKEY_free(ed);
	EVP_PKEY_free(p256);
	EVP_PKEY_free(p384);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_roots_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consistency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tamper, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_wrong_seq, setup, teardown),
		cmocka_unit_test(test_signatures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
