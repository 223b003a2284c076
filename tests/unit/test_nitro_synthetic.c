/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Nitro attestation documents made here, signed by a test chain (root ->
 * intermediate -> leaf, P-384), to drive every verification failure. No value
 * asserted here comes from measure itself: the documents are built by this test.
 */
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include "../helpers.h"
#include "../pki.h"

#include <cbor.h>

/* SPEC() gives defaults that each case overrides by designated initializers */
#pragma GCC diagnostic ignored "-Woverride-init"
#ifdef __clang__
#pragma clang diagnostic ignored "-Winitializer-overrides"
#endif

#include "../../compare/evidence.h"

extern char **environ;

#define NOW 1700000000LL /* all validity windows are around this time */
#define DAY 86400LL


struct doc_spec {
	X509 *bundle[3];
	int nbundle;
	X509 *leaf;
	EVP_PKEY *leaf_key;
	uint8_t pcr_fill; /* PCR0..2 bytes */
	const uint8_t *nonce;
	size_t nonce_len;
	bool flip_signature;
	bool crit;   /* a crit parameter (label 2) in the protected header */
	bool tagged; /* the document under CBOR tag 18 */
	cbor_item_t *(*edit)(cbor_item_t *payload); /* optional change to the payload map */
};

static cbor_item_t *bstr(const uint8_t *p, size_t n)
{
	return cbor_build_bytestring(p, n);
}

static cbor_item_t *der_bstr(X509 *c)
{
	uint8_t *der = NULL;
	int n = i2d_X509(c, &der);
	cbor_item_t *b = bstr(der, (size_t)n);

	OPENSSL_free(der);
	return b;
}

static void put(cbor_item_t *map, const char *key, cbor_item_t *value)
{
	cbor_map_add(map, (struct cbor_pair){ cbor_move(cbor_build_string(key)), cbor_move(value) });
}

static uint8_t *encode(cbor_item_t *item, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap;

	*len = cbor_serialize_alloc(item, &buf, &cap);
	return buf;
}

/* A COSE_Sign1 over the payload, ES384 with the leaf key, raw r||s. */
static uint8_t *make_doc(const struct doc_spec *s, size_t *len)
{
	cbor_item_t *payload = cbor_new_definite_map(10), *pcrs = cbor_new_definite_map(4),
		    *bundle = cbor_new_definite_array((size_t)s->nbundle), *prot = cbor_new_definite_map(2),
		    *sig_structure, *cose;
	uint8_t pcr[48], *pl, *pr, *tbs, *der = NULL, rs[96], *out;
	size_t pl_len, pr_len, tbs_len, der_len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const unsigned char *p;
	ECDSA_SIG *sig;

	put(payload, "module_id", cbor_build_string("i-0123456789abcdef0-enc0123456789abcdef"));
	put(payload, "digest", cbor_build_string("SHA384"));
	put(payload, "timestamp", cbor_build_uint64((uint64_t)NOW * 1000));
	for (int i = 0; i < 4; i++) {
		memset(pcr, i < 3 ? s->pcr_fill : 0x44, sizeof(pcr));
		cbor_map_add(pcrs, (struct cbor_pair){ cbor_move(cbor_build_uint8((uint8_t)i)), cbor_move(bstr(pcr, 48)) });
	}
	put(payload, "pcrs", pcrs);
	put(payload, "certificate", der_bstr(s->leaf));
	for (int i = 0; i < s->nbundle; i++)
		cbor_array_push(bundle, cbor_move(der_bstr(s->bundle[i])));
	put(payload, "cabundle", bundle);
	put(payload, "public_key", cbor_new_null());
	put(payload, "user_data", cbor_new_null());
	put(payload, "nonce", s->nonce ? bstr(s->nonce, s->nonce_len) : cbor_new_null());
	if (s->edit)
		payload = s->edit(payload);
	pl = encode(payload, &pl_len);
	cbor_map_add(prot, (struct cbor_pair){ cbor_move(cbor_build_uint8(1)), cbor_move(cbor_build_negint8(34)) });
	if (s->crit) {
		cbor_item_t *names = cbor_new_definite_array(1);

		cbor_array_push(names, cbor_move(cbor_build_uint8(4)));
		cbor_map_add(prot, (struct cbor_pair){ cbor_move(cbor_build_uint8(2)), cbor_move(names) });
	}
	pr = encode(prot, &pr_len);
	sig_structure = cbor_new_definite_array(4);
	cbor_array_push(sig_structure, cbor_move(cbor_build_string("Signature1")));
	cbor_array_push(sig_structure, cbor_move(bstr(pr, pr_len)));
	cbor_array_push(sig_structure, cbor_move(bstr(NULL, 0)));
	cbor_array_push(sig_structure, cbor_move(bstr(pl, pl_len)));
	tbs = encode(sig_structure, &tbs_len);
	EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, s->leaf_key);
	EVP_DigestSign(ctx, NULL, &der_len, tbs, tbs_len);
	der = malloc(der_len);
	EVP_DigestSign(ctx, der, &der_len, tbs, tbs_len);
	p = der;
	sig = d2i_ECDSA_SIG(NULL, &p, (long)der_len);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), rs, 48);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), rs + 48, 48);
	if (s->flip_signature)
		rs[10] ^= 1;
	cose = cbor_new_definite_array(4);
	cbor_array_push(cose, cbor_move(bstr(pr, pr_len)));
	cbor_array_push(cose, cbor_move(cbor_new_definite_map(0)));
	cbor_array_push(cose, cbor_move(bstr(pl, pl_len)));
	cbor_array_push(cose, cbor_move(bstr(rs, 96)));
	out = encode(cose, len);
	if (s->tagged) {
		uint8_t *t = malloc(*len + 1);

		t[0] = 0xd2; /* tag 18, COSE_Sign1 */
		memcpy(t + 1, out, *len);
		free(out);
		out = t;
		(*len)++;
	}
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	free(der);
	free(tbs);
	free(pl);
	free(pr);
	cbor_decref(&payload);
	cbor_decref(&prot);
	cbor_decref(&sig_structure);
	cbor_decref(&cose);
	return out;
}

static struct ca root, inter, other;
static X509 *leaf, *leaf_expired, *leaf_future, *inter_not_ca, *inter_by_other;
static EVP_PKEY *leaf_key;

static int setup(void **state)
{
	(void)state;
	root.key = p384();
	root.cert = make_cert("test root", root.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	other.key = p384();
	other.cert = make_cert("test root", other.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	inter.key = p384();
	inter.cert = make_cert("test intermediate", inter.key, &root, true, NOW - 30 * DAY, NOW + 30 * DAY);
	inter_not_ca = make_cert("test intermediate", inter.key, &root, false, NOW - 30 * DAY, NOW + 30 * DAY);
	inter_by_other = make_cert("test intermediate", inter.key, &other, true, NOW - 30 * DAY, NOW + 30 * DAY);
	leaf_key = p384();
	leaf = make_cert("test enclave", leaf_key, &inter, false, NOW - DAY, NOW + DAY);
	leaf_expired = make_cert("test enclave", leaf_key, &inter, false, NOW - 3 * DAY, NOW - 2 * DAY);
	leaf_future = make_cert("test enclave", leaf_key, &inter, false, NOW + DAY, NOW + 2 * DAY);
	return 0;
}

static enum ms_status verify(const struct doc_spec *s, bool override, struct ms_evidence *ev, struct ms_err *err)
{
	size_t len;
	uint8_t *doc = make_doc(s, &len);
	struct ms_verify_options o = { .at_evidence = true, .root_override = override ? root.cert : NULL };
	struct ms_checks checks = { 0 };
	enum ms_status st = ms_nitro_verify(doc, len, &o, ev, &checks, err);

	ms_checks_free(&checks);
	free(doc);
	return st;
}

#define SPEC(...) ((struct doc_spec){ .bundle = { root.cert, inter.cert }, .nbundle = 2, .leaf = leaf, \
				       .leaf_key = leaf_key, .pcr_fill = 0x11, __VA_ARGS__ })

static void expect(struct doc_spec s, bool override, enum ms_status want, const char *words)
{
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	enum ms_status st = verify(&s, override, &ev, &err);

	if (st != want || (words && !strstr(err.msg, words)))
		fail_msg("want %d \"%s\", got %d: %s", want, words ? words : "", st, err.msg);
}

static void good_chain(void **state)
{
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	struct doc_spec s = SPEC(.nonce = (const uint8_t *)"abc", .nonce_len = 3);
	uint8_t pcr0[48];

	(void)state;
	assert_int_equal(verify(&s, true, &ev, &err), MS_OK);
	memset(pcr0, 0x11, 48);
	assert_string_equal(ev.m[0].name, "pcr0");
	assert_memory_equal(ev.m[0].value, pcr0, 48);
	assert_false(ev.debug);
	assert_int_equal(ev.freshness_len, 3);
	assert_int_equal(ev.timestamp, NOW);
}

static void failures(void **state)
{
	(void)state;
	expect(SPEC(), false, MS_BAD_SIGNATURE, "not the pinned AWS Nitro root G1");
	expect(SPEC(.bundle = { other.cert, inter.cert }), true, MS_BAD_SIGNATURE, "not the root given by the caller (override)");
	expect(SPEC(.bundle = { root.cert, inter_by_other }), true, MS_BAD_SIGNATURE,
	       "test intermediate does not chain to the trusted root");
	expect(SPEC(.bundle = { inter.cert, root.cert }), true, MS_BAD_SIGNATURE, "cabundle[0] is not the root");
	expect(SPEC(.bundle = { root.cert, inter_not_ca }), true, MS_BAD_SIGNATURE, "test intermediate (depth 1): invalid CA certificate");
	expect(SPEC(.leaf = leaf_expired), true, MS_BAD_SIGNATURE, "test enclave has expired");
	expect(SPEC(.leaf = leaf_future), true, MS_BAD_SIGNATURE, "test enclave is not yet valid");
	expect(SPEC(.flip_signature = true), true, MS_BAD_SIGNATURE, "ES384 signature does not verify");
	expect(SPEC(.bundle = { root.cert }, .nbundle = 1), true, MS_BAD_SIGNATURE, "test enclave does not chain to the trusted root");
}

static void revoked_leaf(void **state)
{
	X509_CRL *crl = pki_crl(&inter, leaf, NOW - DAY, NOW + DAY, EVP_sha384());
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	size_t len;
	struct doc_spec s = SPEC();
	uint8_t *doc = make_doc(&s, &len);
	struct ms_verify_options o = { .at_evidence = true, .root_override = root.cert, .crls = crls };
	struct ms_checks checks = { 0 };
	struct ms_evidence ev;
	struct ms_err err = { 0 };

	(void)state;
	sk_X509_CRL_push(crls, crl);
	assert_int_equal(ms_nitro_verify(doc, len, &o, &ev, &checks, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "test enclave is revoked by its issuer's CRL"));
	/* the same CRL signed by another key does not verify */
	X509_CRL_sign(crl, other.key, EVP_sha384());
	ms_checks_free(&checks);
	assert_int_equal(ms_nitro_verify(doc, len, &o, &ev, &checks, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "CRL signature failure"));
	ms_checks_free(&checks);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	free(doc);
}

static void debug_enclave(void **state)
{
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	struct doc_spec s = SPEC(.pcr_fill = 0);

	(void)state;
	assert_int_equal(verify(&s, true, &ev, &err), MS_OK);
	assert_true(ev.debug);
}

static void replace(cbor_item_t *map, size_t i, cbor_item_t *value)
{
	cbor_decref(&cbor_map_handle(map)[i].value);
	cbor_map_handle(map)[i].value = value;
}

static cbor_item_t *timestamp_as_text(cbor_item_t *m)
{
	replace(m, 2, cbor_build_string("yesterday"));
	return m;
}

static cbor_item_t *pcrs_as_array(cbor_item_t *m)
{
	replace(m, 3, cbor_new_definite_array(0));
	return m;
}

static cbor_item_t *nonce_as_int(cbor_item_t *m)
{
	replace(m, 8, cbor_build_uint8(7));
	return m;
}

static cbor_item_t *cabundle_as_map(cbor_item_t *m)
{
	replace(m, 5, cbor_new_definite_map(0));
	return m;
}

static cbor_item_t *module_id_as_bytes(cbor_item_t *m)
{
	replace(m, 0, cbor_build_bytestring((const uint8_t *)"x", 1));
	return m;
}

static cbor_item_t *digest_as_int(cbor_item_t *m)
{
	replace(m, 1, cbor_build_uint8(384 & 0xff));
	return m;
}

static cbor_item_t *certificate_as_text(cbor_item_t *m)
{
	replace(m, 4, cbor_build_string("certificate"));
	return m;
}

static cbor_item_t *public_key_as_map(cbor_item_t *m)
{
	replace(m, 6, cbor_new_definite_map(0));
	return m;
}

static cbor_item_t *user_data_as_text(cbor_item_t *m)
{
	replace(m, 7, cbor_build_string("hello"));
	return m;
}

static cbor_item_t *pcr_too_short(cbor_item_t *m)
{
	cbor_item_t *pcrs = cbor_map_handle(m)[3].value;

	cbor_decref(&cbor_map_handle(pcrs)[0].value);
	cbor_map_handle(pcrs)[0].value = cbor_build_bytestring((const uint8_t *)"short", 5);
	return m;
}

static cbor_item_t *pcr_sha256_sized(cbor_item_t *m)
{
	cbor_item_t *pcrs = cbor_map_handle(m)[3].value;
	uint8_t v[32] = { 0 };

	cbor_decref(&cbor_map_handle(pcrs)[1].value);
	cbor_map_handle(pcrs)[1].value = cbor_build_bytestring(v, 32);
	return m;
}

static cbor_item_t *pcr_index_too_large(cbor_item_t *m)
{
	cbor_item_t *pcrs = cbor_map_handle(m)[3].value;

	cbor_decref(&cbor_map_handle(pcrs)[1].key);
	cbor_map_handle(pcrs)[1].key = cbor_build_uint8(40);
	return m;
}

static cbor_item_t *cabundle_entry_as_int(cbor_item_t *m)
{
	cbor_item_t *bundle = cbor_map_handle(m)[5].value;

	cbor_array_set(bundle, 1, cbor_move(cbor_build_uint8(1)));
	return m;
}

static cbor_item_t *user_data_too_long(cbor_item_t *m)
{
	static uint8_t big[1025];

	replace(m, 7, cbor_build_bytestring(big, sizeof(big)));
	return m;
}

static cbor_item_t *no_module_id(cbor_item_t *m)
{
	cbor_decref(&cbor_map_handle(m)[0].key);
	cbor_map_handle(m)[0].key = cbor_build_string("module");
	return m;
}

static cbor_item_t *second_nonce(cbor_item_t *p)
{
	put(p, "nonce", bstr((const uint8_t *)"other nonce", 11));
	return p;
}

static cbor_item_t *second_pcrs(cbor_item_t *p)
{
	cbor_item_t *pcrs = cbor_new_definite_map(1);
	uint8_t v[48] = { 0 };

	cbor_map_add(pcrs, (struct cbor_pair){ cbor_move(cbor_build_uint8(0)), cbor_move(bstr(v, 48)) });
	put(p, "pcrs", pcrs);
	return p;
}

/* Each CBOR strictness rule: duplicate keys (the later one would win in some decoders), crit, tag 18. */
static void cbor_strictness(void **state)
{
	(void)state;
	expect(SPEC(.edit = second_nonce), true, MS_BAD_INPUT, "the same key twice");
	expect(SPEC(.edit = second_pcrs), true, MS_BAD_INPUT, "the same key twice");
	expect(SPEC(.crit = true), true, MS_UNSUPPORTED, "crit (label 2)");
	expect(SPEC(.bundle = { root.cert, inter.cert, leaf }, .nbundle = 3), true, MS_BAD_SIGNATURE,
	       "cabundle[2] is the leaf certificate itself");
	expect(SPEC(.edit = pcr_sha256_sized), true, MS_BAD_INPUT, "PCR1 is 32 bytes; a SHA384 PCR is 48");
	expect(SPEC(.tagged = true), true, MS_OK, NULL);
}

static void wrong_types(void **state)
{
	(void)state;
	expect(SPEC(.edit = module_id_as_bytes), true, MS_BAD_INPUT, "module_id is missing or not text");
	expect(SPEC(.edit = no_module_id), true, MS_BAD_INPUT, "module_id is missing or not text");
	expect(SPEC(.edit = digest_as_int), true, MS_BAD_INPUT, "digest is missing or not text");
	expect(SPEC(.edit = certificate_as_text), true, MS_BAD_INPUT, "certificate is missing or not a byte string");
	expect(SPEC(.edit = public_key_as_map), true, MS_BAD_INPUT, "public_key is not a byte string or null");
	expect(SPEC(.edit = user_data_as_text), true, MS_BAD_INPUT, "user_data is not a byte string or null");
	expect(SPEC(.edit = user_data_too_long), true, MS_BAD_INPUT, "user_data is 1025 bytes, more than 1024");
	expect(SPEC(.edit = pcr_too_short), true, MS_BAD_INPUT, "PCR0 is 5 bytes");
	expect(SPEC(.edit = pcr_index_too_large), true, MS_BAD_INPUT, "pcrs entry 1 is not index -> byte string");
	expect(SPEC(.edit = cabundle_entry_as_int), true, MS_BAD_INPUT, "cabundle[1] is not a byte string");
	expect(SPEC(.edit = timestamp_as_text), true, MS_BAD_INPUT, "timestamp is missing or not an unsigned integer");
	expect(SPEC(.edit = pcrs_as_array), true, MS_BAD_INPUT, "pcrs is not a map");
	expect(SPEC(.edit = nonce_as_int), true, MS_BAD_INPUT, "nonce is not a byte string or null");
	expect(SPEC(.edit = cabundle_as_map), true, MS_BAD_INPUT, "cabundle is not an array");
}

/* The comparison itself, through the command line, with the test root given as --root. */

static void compare_cli(void **state)
{
	char hex11[97], manifest[512];
	size_t len;
	uint8_t *doc;
	FILE *f;
	char path[512];

	(void)state;
	tmpdir = strdup("/tmp/measure-nitro-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
	f = fopen(path, "w");
	PEM_write_X509(f, root.cert);
	fclose(f);
	doc = make_doc(&SPEC(.nonce = (const uint8_t *)"\x01\x02\x03", .nonce_len = 3), &len);
	write_file("good.doc", doc, len);
	free(doc);
	doc = make_doc(&SPEC(.pcr_fill = 0), &len);
	write_file("debug.doc", doc, len);
	free(doc);
	memset(hex11, '1', 96);
	hex11[96] = '\0';
	snprintf(manifest, sizeof(manifest),
		 "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"%s\",\"pcr2\":\"%s\"}}",
		 hex11, hex11);
	write_file("match.json", manifest, strlen(manifest));
	hex11[95] = '2';
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"%s\"}}",
		 hex11);
	write_file("differ.json", manifest, strlen(manifest));
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{}}");
	write_file("empty.json", manifest, strlen(manifest));
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"%s\"}}",
		 hex11);
	write_file("tdx.json", manifest, strlen(manifest));
	memset(hex11, '0', 96);
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"aws-nitro\",\"measurements\":{\"pcr0\":\"%s\"}}",
		 hex11);
	write_file("zero.json", manifest, strlen(manifest));

	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/match.json", "%s/good.doc", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "%s/match.json", "%s/good.doc", NULL }), 3);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/match.json", "%s/good.doc", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "2030-01-01T00:00:00Z", "--root", "%s/root.pem", "%s/match.json", "%s/good.doc", NULL }), 3);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/differ.json", "%s/good.doc", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/empty.json", "%s/good.doc", NULL }), 2); /* no expected values: refused, not compared */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/tdx.json", "%s/good.doc", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "--nonce", "010203", "%s/match.json", "%s/good.doc", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "--nonce", "010204", "%s/match.json", "%s/good.doc", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "--nonce", "0102", "%s/match.json", "%s/good.doc", NULL }), 1);
	/* a debug enclave never matches, not even its own zero PCRs, not even with --allow-debug */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "--allow-debug", "%s/zero.json", "%s/debug.doc", NULL }), 1);
	/* every pair must pass */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/match.json", "%s/good.doc", "%s/differ.json", "%s/good.doc", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "evidence", "--root", "%s/root.pem", "%s/match.json", "%s/good.doc", "%s/match.json", "%s/good.doc", NULL }), 0);
}

static int teardown(void **state)
{
	(void)state;
	X509_free(root.cert), X509_free(other.cert), X509_free(inter.cert);
	X509_free(inter_not_ca), X509_free(inter_by_other);
	X509_free(leaf), X509_free(leaf_expired), X509_free(leaf_future);
	EVP_PKEY_free(root.key), EVP_PKEY_free(other.key), EVP_PKEY_free(inter.key), EVP_PKEY_free(leaf_key);
	remove_tmpdir();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_chain), cmocka_unit_test(failures), cmocka_unit_test(revoked_leaf),
		cmocka_unit_test(debug_enclave),
		cmocka_unit_test(wrong_types), cmocka_unit_test(cbor_strictness), cmocka_unit_test(compare_cli),
	};
	return cmocka_run_group_tests_name("nitro-synthetic", tests, setup, teardown);
}
