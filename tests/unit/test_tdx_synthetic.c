/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX quotes (v4) made here: a test PCK chain (root -> PCK CA -> PCK), a QE
 * report signed by the PCK key and binding an attestation key, and the quote
 * signed by that key. Each case changes one input and expects its check to fail.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include "../helpers.h"
#include "../pki.h"

#include "../../common/digest.h"
#include "../../compare/evidence.h"

#define NOW 1700000000LL
#define DAY 86400LL

static struct ca root, pck_ca, other;
static X509 *pck, *pck_expired, *pck_by_other;
static EVP_PKEY *pck_key, *att_key;

struct quote_spec {
	X509 *pck;
	uint8_t mrtd_fill, td_attributes0;
	const uint8_t *reportdata;
	bool qe_report_tampered, auth_tampered, body_tampered, foreign_qe, qe_debug, foreign_vendor, junk_after_chain;
	X509 *pad[12]; /* certificates appended after the root in the PCK chain */
	int npad;
};

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v), put16(p + 2, (uint16_t)(v >> 16)); }

/* ECDSA P-256 / SHA-256, as r||s big-endian. */
static void sign(EVP_PKEY *key, const uint8_t *data, size_t len, uint8_t out[64])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[80];
	size_t n = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *sig;

	EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key);
	EVP_DigestSign(ctx, der, &n, data, len);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + 32, 32);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
}

static uint8_t *make_quote(const struct quote_spec *s, size_t *len)
{
	uint8_t *q = calloc(1, 32768), *p, qe[384] = { 0 }, auth[32], key[65], tmp[64 + 32];
	size_t klen = sizeof(key), at, chain_len;
	static const uint8_t mrsigner[32] = { 0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34,
					      0xa7, 0xfc, 0x43, 0xed, 0x03, 0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba,
					      0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5 };
	static const uint8_t intel[16] = { 0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
					   0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07 };

	/* header and body */
	put16(q, 4), put16(q + 2, 2), put32(q + 4, 0x81);
	memcpy(q + 12, intel, 16);
	if (s->foreign_vendor)
		q[12] ^= 0xff;
	p = q + 48;
	memset(p + 136, s->mrtd_fill, 48);                     /* MRTD */
	for (int i = 0; i < 4; i++)
		memset(p + 328 + 48 * i, 0x50 + i, 48);        /* RTMR0..3 */
	p[120] = s->td_attributes0;                            /* TDATTRIBUTES */
	if (s->reportdata)
		memcpy(p + 520, s->reportdata, 64);
	/* the attestation key, and the QE report binding it */
	EVP_PKEY_get_octet_string_param(att_key, "pub", key, sizeof(key), &klen);
	memset(auth, 0xaa, sizeof(auth));
	memcpy(tmp, key + 1, 64);
	memcpy(tmp + 64, auth, 32);
	memcpy(qe + 128, mrsigner, 32);
	if (s->foreign_qe)
		qe[128] ^= 1;
	put16(qe + 256, 2), put16(qe + 258, 4);               /* ISVPRODID, ISVSVN */
	if (s->qe_debug)
		qe[48] |= 2;                                   /* ATTRIBUTES.DEBUG */
	ms_sha256(tmp, sizeof(tmp), qe + 320);
	/* signature data: quote signature, key, certification data (type 6) */
	at = 48 + 584;
	sign(att_key, q, at, q + at + 4);
	memcpy(q + at + 4 + 64, key + 1, 64);
	p = q + at + 4 + 128;
	put16(p, 6);
	memcpy(p + 6, qe, 384);
	sign(pck_key, qe, 384, p + 6 + 384);
	if (s->qe_report_tampered)
		p[6 + 10] ^= 1;
	put16(p + 6 + 384 + 64, 32);
	memcpy(p + 6 + 384 + 64 + 2, auth, 32);
	if (s->auth_tampered)
		p[6 + 384 + 64 + 2] ^= 1;
	chain_len = pem_of(s->pck, p + 6 + 384 + 64 + 2 + 32 + 6);
	chain_len += pem_of(pck_ca.cert, p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	chain_len += pem_of(root.cert, p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	for (int i = 0; i < s->npad; i++)
		chain_len += pem_of(s->pad[i], p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len);
	put16(p + 6 + 384 + 64 + 2 + 32, 5);
	put32(p + 6 + 384 + 64 + 2 + 32 + 2, (uint32_t)chain_len);
	if (s->junk_after_chain) { /* unsigned bytes inside the certification data, after the chain */
		memcpy(p + 6 + 384 + 64 + 2 + 32 + 6 + chain_len, "JUNKJUNK", 8);
		chain_len += 8;
	}
	put32(p + 2, (uint32_t)(384 + 64 + 2 + 32 + 6 + chain_len));
	put32(q + at, (uint32_t)(128 + 6 + 384 + 64 + 2 + 32 + 6 + chain_len));
	if (s->body_tampered)
		q[48 + 200] ^= 1;
	*len = at + 4 + 128 + 6 + 384 + 64 + 2 + 32 + 6 + chain_len;
	return q;
}

static int setup(void **state)
{
	(void)state;
	root.key = p256();
	root.cert = make_cert("test SGX root", root.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	other.key = p256();
	other.cert = make_cert("test SGX root", other.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	pck_ca.key = p256();
	pck_ca.cert = make_cert("test PCK CA", pck_ca.key, &root, true, NOW - 30 * DAY, NOW + 30 * DAY);
	pck_key = p256();
	att_key = p256();
	pck = make_cert("test PCK", pck_key, &pck_ca, false, NOW - DAY, NOW + DAY);
	pck_expired = make_cert("test PCK", pck_key, &pck_ca, false, NOW - 3 * DAY, NOW - 2 * DAY);
	{
		struct ca fake = { other.key, pck_ca.cert };

		pck_by_other = make_cert("test PCK", pck_key, &fake, false, NOW - DAY, NOW + DAY);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(root.cert), X509_free(other.cert), X509_free(pck_ca.cert);
	X509_free(pck), X509_free(pck_expired), X509_free(pck_by_other);
	EVP_PKEY_free(root.key), EVP_PKEY_free(other.key), EVP_PKEY_free(pck_ca.key);
	EVP_PKEY_free(pck_key), EVP_PKEY_free(att_key);
	remove_tmpdir();
	return 0;
}

static void expect(struct quote_spec s, bool override, enum ms_status want, const char *words, bool *debug)
{
	size_t len;
	uint8_t *q = make_quote(&s, &len);
	struct ms_verify_options o = { .at = NOW, .root_override = override ? root.cert : NULL };
	struct ms_checks checks = { 0 };
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	enum ms_status st = ms_tdx_verify(q, len, &o, &ev, &checks, &err);

	if (st != want || (words && !strstr(err.msg, words)))
		fail_msg("want %d \"%s\", got %d: %s", want, words ? words : "", st, err.msg);
	if (debug)
		*debug = ev.debug;
	ms_checks_free(&checks);
	free(q);
}

static void checks(void **state)
{
	bool debug = true;

	(void)state;
	expect((struct quote_spec){ .pck = pck, .mrtd_fill = 0x11 }, true, MS_OK, NULL, &debug);
	assert_false(debug);
	expect((struct quote_spec){ .pck = pck, .mrtd_fill = 0x11, .td_attributes0 = 1 }, true, MS_OK, NULL, &debug);
	assert_true(debug);
	expect((struct quote_spec){ .pck = pck }, false, MS_BAD_SIGNATURE, "does not chain to the trusted root", NULL);
	expect((struct quote_spec){ .pck = pck_by_other }, true, MS_BAD_SIGNATURE, "(depth 0): certificate signature failure", NULL);
	expect((struct quote_spec){ .pck = pck_expired }, true, MS_BAD_SIGNATURE, "has expired", NULL);
	expect((struct quote_spec){ .pck = pck, .qe_report_tampered = true }, true, MS_BAD_SIGNATURE,
	       "QE report's signature does not verify", NULL);
	expect((struct quote_spec){ .pck = pck, .auth_tampered = true }, true, MS_BAD_SIGNATURE,
	       "does not bind the attestation key", NULL);
	expect((struct quote_spec){ .pck = pck, .foreign_qe = true }, true, MS_BAD_SIGNATURE,
	       "not Intel's TDX QE", NULL);
	expect((struct quote_spec){ .pck = pck, .body_tampered = true }, true, MS_BAD_SIGNATURE,
	       "quote's signature does not verify", NULL);
}

static X509_CRL *crl_revoking(const struct ca *issuer, X509 *revoked)
{
	X509_CRL *crl = X509_CRL_new();
	ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)(NOW - DAY)), *next = ASN1_TIME_set(NULL, (time_t)(NOW + DAY));

	X509_CRL_set_version(crl, 1);
	X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->cert));
	X509_CRL_set1_lastUpdate(crl, t);
	X509_CRL_set1_nextUpdate(crl, next);
	if (revoked) {
		X509_REVOKED *rev = X509_REVOKED_new();

		X509_REVOKED_set_serialNumber(rev, X509_get_serialNumber(revoked));
		X509_REVOKED_set_revocationDate(rev, t);
		X509_CRL_add0_revoked(crl, rev);
	}
	X509_CRL_sort(crl);
	X509_CRL_sign(crl, issuer->key, EVP_sha256());
	ASN1_TIME_free(t);
	ASN1_TIME_free(next);
	return crl;
}

static enum ms_status verify_with_crls(const struct quote_spec *s, STACK_OF(X509_CRL) *crls, struct ms_err *err)
{
	size_t len;
	uint8_t *q = make_quote(s, &len);
	struct ms_verify_options o = { .at = NOW, .root_override = root.cert, .crls = crls };
	struct ms_checks checks = { 0 };
	struct ms_evidence ev;
	enum ms_status st = ms_tdx_verify(q, len, &o, &ev, &checks, err);

	ms_checks_free(&checks);
	free(q);
	return st;
}

/*
 * The review's revocation bypass: the PCK chain is unsigned, and padding it
 * pushed the PCK out of the CRL check. However it is padded now, a revoked
 * PCK never verifies, and a chain with anything off the path is refused.
 */
static void revocation_bypass(void **state)
{
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	struct ms_err err = { 0 };
	struct quote_spec s = { .pck = pck, .mrtd_fill = 0x11 };

	(void)state;
	sk_X509_CRL_push(crls, crl_revoking(&root, NULL));
	sk_X509_CRL_push(crls, crl_revoking(&pck_ca, pck));
	assert_int_equal(verify_with_crls(&s, crls, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "test PCK is revoked"));
	for (int n = 1; n <= 12; n++) {
		for (int i = 0; i < n; i++)
			s.pad[i] = i % 3 == 0 ? other.cert : i % 3 == 1 ? pck_ca.cert : root.cert;
		s.npad = n;
		memset(&err, 0, sizeof(err));
		assert_int_equal(verify_with_crls(&s, crls, &err), MS_BAD_SIGNATURE);
		/* and without any CRL, padding alone is refused too */
		memset(&err, 0, sizeof(err));
		assert_int_equal(verify_with_crls(&s, NULL, &err), MS_BAD_SIGNATURE);
	}
	/* an unrelated certificate, once */
	s.pad[0] = other.cert;
	s.npad = 1;
	assert_int_equal(verify_with_crls(&s, NULL, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "not on the verified path"));
	/* the intermediate twice */
	s.pad[0] = pck_ca.cert;
	assert_int_equal(verify_with_crls(&s, NULL, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "given twice"));
	/* the PCK CRL alone: the CA above the PCK goes unchecked, so that is missing collateral */
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	crls = sk_X509_CRL_new_null();
	sk_X509_CRL_push(crls, crl_revoking(&pck_ca, NULL));
	s.npad = 0;
	assert_int_equal(verify_with_crls(&s, crls, &err), MS_NO_COLLATERAL);
	assert_non_null(strstr(err.msg, "no CRL was given for test PCK CA"));
	/* both current and nothing revoked: verifies, and says revocation was checked */
	sk_X509_CRL_push(crls, crl_revoking(&root, NULL));
	assert_int_equal(verify_with_crls(&s, crls, &err), MS_OK);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
}

static void qe_debug(void **state)
{
	(void)state;
	expect((struct quote_spec){ .pck = pck, .junk_after_chain = true }, true, MS_BAD_INPUT,
	       "before its certification data does", NULL);
	expect((struct quote_spec){ .pck = pck, .foreign_vendor = true }, true, MS_BAD_SIGNATURE, "QE vendor ID (offset 0xc) is not Intel's",
	       NULL);
	expect((struct quote_spec){ .pck = pck, .qe_debug = true }, true, MS_BAD_SIGNATURE, "quoting enclave runs in debug mode",
	       NULL);
}

static void compare_cli(void **state)
{
	uint8_t *q, rd[64] = { 0xde, 0xad };
	size_t len;
	char manifest[1024], hex[97], path[512];
	FILE *f;

	(void)state;
	tmpdir = strdup("/tmp/measure-tdx-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/root.pem", tmpdir);
	f = fopen(path, "w");
	PEM_write_X509(f, root.cert);
	fclose(f);
	q = make_quote(&(struct quote_spec){ .pck = pck, .mrtd_fill = 0x11, .reportdata = rd }, &len);
	write_file("q.dat", q, len);
	free(q);
	q = make_quote(&(struct quote_spec){ .pck = pck, .mrtd_fill = 0x11, .td_attributes0 = 1 }, &len);
	write_file("debug.dat", q, len);
	free(q);
	memset(hex, '1', 96);
	hex[96] = '\0';
	snprintf(manifest, sizeof(manifest),
		 "{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"%s\",\"rtmr3\":\"%s\"}}", hex,
		 "535353535353535353535353535353535353535353535353535353535353535353535353535353535353535353535353");
	write_file("ok.json", manifest, strlen(manifest));
	snprintf(manifest, sizeof(manifest),
		 "{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"%s\",\"rtmr1\":\"%s\"}}", hex, hex);
	write_file("rtmr.json", manifest, strlen(manifest));
	hex[0] = '2';
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"%s\"}}", hex);
	write_file("mrtd.json", manifest, strlen(manifest));

	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/ok.json", "%s/q.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/mrtd.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/rtmr.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--nonce", "dead0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "%s/ok.json", "%s/q.dat", NULL }), 0);
	/* the whole REPORTDATA: a 2-byte prefix is refused */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--nonce", "dead", "%s/ok.json", "%s/q.dat", NULL }), 2);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--nonce", "beef0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "%s/ok.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/ok.json", "%s/debug.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--allow-debug", "%s/ok.json", "%s/debug.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "%s/ok.json", "%s/q.dat", NULL }), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(checks), cmocka_unit_test(revocation_bypass), cmocka_unit_test(qe_debug), cmocka_unit_test(compare_cli) };

	return cmocka_run_group_tests_name("tdx-synthetic", tests, setup, teardown);
}
