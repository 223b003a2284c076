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
#include "../tdx_quote.h"

#include "../../common/digest.h"
#include "../../compare/evidence.h"

#define NOW 1700000000LL
#define DAY 86400LL

static struct ca root, pck_ca, other;
static X509 *pck, *pck_expired, *pck_by_other;
static EVP_PKEY *pck_key, *att_key;

static uint8_t *make_quote(const struct tdx_quote_spec *s, size_t *len)
{
	return make_tdx_quote(s, pck_key, att_key, pck_ca.cert, root.cert, len);
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

static void expect(struct tdx_quote_spec s, bool override, enum ms_status want, const char *words, bool *debug)
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
	expect((struct tdx_quote_spec){ .pck = pck, .mrtd_fill = 0x11 }, true, MS_OK, NULL, &debug);
	assert_false(debug);
	expect((struct tdx_quote_spec){ .pck = pck, .mrtd_fill = 0x11, .td_attributes0 = 1 }, true, MS_OK, NULL, &debug);
	assert_true(debug);
	expect((struct tdx_quote_spec){ .pck = pck }, false, MS_BAD_SIGNATURE, "does not chain to the trusted root", NULL);
	expect((struct tdx_quote_spec){ .pck = pck_by_other }, true, MS_BAD_SIGNATURE, "(depth 0): certificate signature failure", NULL);
	expect((struct tdx_quote_spec){ .pck = pck_expired }, true, MS_BAD_SIGNATURE, "has expired", NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .qe_report_tampered = true }, true, MS_BAD_SIGNATURE,
	       "QE report's signature does not verify", NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .auth_tampered = true }, true, MS_BAD_SIGNATURE,
	       "does not bind the attestation key", NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .foreign_qe = true }, true, MS_BAD_SIGNATURE,
	       "not Intel's TDX QE", NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .body_tampered = true }, true, MS_BAD_SIGNATURE,
	       "quote's signature does not verify", NULL);
}

static enum ms_status verify_with_crls(const struct tdx_quote_spec *s, STACK_OF(X509_CRL) *crls, struct ms_err *err)
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
	struct tdx_quote_spec s = { .pck = pck, .mrtd_fill = 0x11 };

	(void)state;
	sk_X509_CRL_push(crls, pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	sk_X509_CRL_push(crls, pki_crl(&pck_ca, pck, NOW - DAY, NOW + DAY, EVP_sha256()));
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
	sk_X509_CRL_push(crls, pki_crl(&pck_ca, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	s.npad = 0;
	assert_int_equal(verify_with_crls(&s, crls, &err), MS_NO_COLLATERAL);
	assert_non_null(strstr(err.msg, "no CRL was given for test PCK CA"));
	/* both current and nothing revoked: verifies, and says revocation was checked */
	sk_X509_CRL_push(crls, pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	assert_int_equal(verify_with_crls(&s, crls, &err), MS_OK);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
}

static void qe_debug(void **state)
{
	(void)state;
	expect((struct tdx_quote_spec){ .pck = pck, .junk_after_chain = true }, true, MS_BAD_INPUT,
	       "before its certification data does", NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .foreign_vendor = true }, true, MS_BAD_SIGNATURE, "QE vendor ID (offset 0xc) is not Intel's",
	       NULL);
	expect((struct tdx_quote_spec){ .pck = pck, .qe_debug = true }, true, MS_BAD_SIGNATURE, "quoting enclave runs in debug mode",
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
	q = make_quote(&(struct tdx_quote_spec){ .pck = pck, .mrtd_fill = 0x11, .reportdata = rd }, &len);
	write_file("q.dat", q, len);
	free(q);
	q = make_quote(&(struct tdx_quote_spec){ .pck = pck, .mrtd_fill = 0x11, .td_attributes0 = 1 }, &len);
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
