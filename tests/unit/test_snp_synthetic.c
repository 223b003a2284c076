/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP reports made here, signed by a test VCEK under a test ASK and ARK
 * (given to the verifier as an explicit override). Each case changes one input
 * and expects its check to fail.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

/* R() gives defaults that each case overrides by designated initializers */
#pragma GCC diagnostic ignored "-Woverride-init"
#ifdef __clang__
#pragma clang diagnostic ignored "-Winitializer-overrides"
#endif

#include "../helpers.h"
#include "../pki.h"

#include "../../common/bytes.h"
#include "../../compare/evidence.h"

#define NOW 1700000000LL
#define DAY 86400LL
#define TCB 0x7308000000000003ull /* bl 3, tee 0, snp 8, ucode 0x73 */

static struct ca ark, ask, other_ask;
static X509 *vcek, *vcek_tcb2, *vcek_expired, *vcek_other;
static EVP_PKEY *vcek_key;

/* An AMD VCEK extension: its value is a DER item (INTEGER, IA5String) or raw bytes (hwID). */
static void add_ext(X509 *c, const char *arc, const uint8_t *value, size_t len)
{
	char oid[64];
	ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	X509_EXTENSION *e;

	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.3704.1.%s", arc);
	obj = OBJ_txt2obj(oid, 1);
	ASN1_OCTET_STRING_set(os, value, (int)len);
	e = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
	X509_add_ext(c, e, -1);
	X509_EXTENSION_free(e);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(obj);
}

static X509 *make_vcek(const struct ca *issuer, uint8_t bl, int64_t from, int64_t to)
{
	X509 *c = make_cert("SEV-VCEK", vcek_key, issuer, false, from, to);
	uint8_t spl[3] = { 0x02, 0x01, 0 }, name[10] = { 0x16, 8 }, hw[64];

	memcpy(name + 2, "Milan-B0", 8);
	add_ext(c, "2", name, sizeof(name));
	spl[2] = bl;
	add_ext(c, "3.1", spl, 3);
	spl[2] = 0;
	add_ext(c, "3.2", spl, 3);
	spl[2] = 8;
	add_ext(c, "3.3", spl, 3);
	{
		uint8_t ucode[4] = { 0x02, 0x01, 0x73 };

		add_ext(c, "3.8", ucode, 3);
	}
	memset(hw, 0x5a, sizeof(hw));
	add_ext(c, "4", hw, sizeof(hw));
	X509_sign(c, issuer->key, EVP_sha384()); /* again, now with the extensions */
	return c;
}

struct report_spec {
	uint32_t version, signer_info, sig_algo;
	uint64_t policy;
	uint8_t measurement_fill, chip_fill, cpuid_family, cpuid_model;
	bool tamper_after_signing, mbz, author_key_en, tcb_reserved;
	const uint8_t *report_data;
};

static void make_report(const struct report_spec *s, uint8_t r[1184])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	uint8_t der[128];
	size_t n = sizeof(der);
	const uint8_t *p = der;
	ECDSA_SIG *sig;

	memset(r, 0, 1184);
	ms_put_le32(r, s->version ? s->version : 2);
	ms_put_le64(r + 8, s->policy ? s->policy : 0x30000);
	ms_put_le32(r + 0x34, s->sig_algo ? s->sig_algo : 1);
	ms_put_le64(r + 0x38, TCB);
	ms_put_le32(r + 0x48, s->signer_info | (s->author_key_en ? 1 : 0));
	memset(r + 0xe0, 0x1d, 48);  /* ID_KEY_DIGEST */
	memset(r + 0x110, 0xa7, 48); /* AUTHOR_KEY_DIGEST */
	if (s->report_data)
		memcpy(r + 0x50, s->report_data, 64);
	memset(r + 0x90, s->measurement_fill, 48);
	memset(r + 0x160, 0xff, 32);
	ms_put_le64(r + 0x180, TCB);
	if (s->cpuid_family)
		r[0x188] = s->cpuid_family, r[0x189] = s->cpuid_model;
	memset(r + 0x1a0, s->chip_fill, 64);
	ms_put_le64(r + 0x1e0, TCB);
	r[0x1e8] = 4, r[0x1e9] = 52, r[0x1ea] = 1;
	r[0x1ec] = 4, r[0x1ed] = 52, r[0x1ee] = 1;
	ms_put_le64(r + 0x1f0, TCB);
	if (s->mbz)
		r[0x4c] = 1;
	if (s->tcb_reserved)
		r[0x38 + 3] = 1; /* CURRENT_TCB byte 3: reserved before Turin */
	EVP_DigestSignInit(ctx, NULL, EVP_sha384(), NULL, vcek_key);
	EVP_DigestSign(ctx, der, &n, r, 0x2a0);
	sig = d2i_ECDSA_SIG(NULL, &p, (long)n);
	BN_bn2lebinpad(ECDSA_SIG_get0_r(sig), r + 0x2a0, 72);
	BN_bn2lebinpad(ECDSA_SIG_get0_s(sig), r + 0x2e8, 72);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	if (s->tamper_after_signing)
		r[0x90] ^= 1;
}

static int setup(void **state)
{
	(void)state;
	ark.key = p384();
	ark.cert = make_cert("ARK-Milan", ark.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	ask.key = p384();
	ask.cert = make_cert("SEV-Milan", ask.key, &ark, true, NOW - 365 * DAY, NOW + 365 * DAY);
	other_ask.key = p384();
	other_ask.cert = make_cert("SEV-Milan", other_ask.key, &ark, true, NOW - 365 * DAY, NOW + 365 * DAY);
	vcek_key = p384();
	vcek = make_vcek(&ask, 3, NOW - DAY, NOW + DAY);
	vcek_tcb2 = make_vcek(&ask, 2, NOW - DAY, NOW + DAY);
	vcek_expired = make_vcek(&ask, 3, NOW - 3 * DAY, NOW - 2 * DAY);
	vcek_other = make_vcek(&other_ask, 3, NOW - DAY, NOW + DAY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(ark.cert), X509_free(ask.cert), X509_free(other_ask.cert);
	X509_free(vcek), X509_free(vcek_tcb2), X509_free(vcek_expired), X509_free(vcek_other);
	EVP_PKEY_free(ark.key), EVP_PKEY_free(ask.key), EVP_PKEY_free(other_ask.key), EVP_PKEY_free(vcek_key);
	remove_tmpdir();
	return 0;
}

static void expect(struct report_spec s, X509 *cert, bool override, enum ms_status want, const char *words, bool *debug)
{
	uint8_t r[1184], *der = NULL;
	int n = i2d_X509(cert, &der);
	struct ms_verify_options o = { .at = NOW, .vcek = der, .vcek_len = (size_t)n,
				       .root_override = override ? ark.cert : NULL, .ask_override = override ? ask.cert : NULL };
	struct ms_checks checks = { 0 };
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	enum ms_status st;

	make_report(&s, r);
	st = ms_snp_verify(r, sizeof(r), &o, &ev, &checks, &err);
	if (st != want || (words && !strstr(err.msg, words)))
		fail_msg("want %d \"%s\", got %d: %s", want, words ? words : "", st, err.msg);
	if (debug)
		*debug = ev.debug;
	ms_checks_free(&checks);
	OPENSSL_free(der);
}

#define R(...) ((struct report_spec){ .measurement_fill = 0x11, .chip_fill = 0x5a, __VA_ARGS__ })

static void checks(void **state)
{
	bool debug = true;

	(void)state;
	expect(R(), vcek, true, MS_OK, NULL, &debug);
	assert_false(debug);
	expect(R(.chip_fill = 0), vcek, true, MS_OK, NULL, NULL); /* CHIP_ID masked */
	expect(R(.policy = 0x30000 | 1u << 19), vcek, true, MS_OK, NULL, &debug);
	assert_true(debug);
	expect(R(.version = 3, .cpuid_family = 0x19, .cpuid_model = 0x01), vcek, true, MS_OK, NULL, NULL);
	expect(R(), vcek, false, MS_BAD_SIGNATURE, "does not chain to the trusted root", NULL);
	expect(R(), vcek_other, true, MS_BAD_SIGNATURE, "does not chain to the trusted root", NULL);
	expect(R(), vcek_expired, true, MS_BAD_SIGNATURE, "has expired", NULL);
	expect(R(.tamper_after_signing = true), vcek, true, MS_BAD_SIGNATURE, "report signature (offset 0x2a0) does not verify", NULL);
	expect(R(), vcek_tcb2, true, MS_BAD_SIGNATURE, "REPORTED_TCB (offset 0x180) is not the TCB the VCEK was issued for", NULL);
	expect(R(.chip_fill = 0x5b), vcek, true, MS_BAD_SIGNATURE, "the VCEK's hwID is not this report's CHIP_ID (offset 0x1a0)", NULL);
	expect(R(.signer_info = 1 << 2), vcek, true, MS_BAD_SIGNATURE, "signed by a VLEK, a VCEK was given", NULL);
	expect(R(.version = 3, .cpuid_family = 0x19, .cpuid_model = 0x11), vcek, true, MS_BAD_SIGNATURE,
	       "the report's CPUID says Genoa, the VCEK is for Milan-B0", NULL);
	expect(R(.mbz = true), vcek, true, MS_BAD_INPUT, "report bytes 0x4c..0x4f are reserved and must be zero", NULL);
	expect(R(.policy = 0x10000), vcek, true, MS_BAD_INPUT, "reserved bit 17 is not set", NULL);
	expect(R(.version = 4), vcek, true, MS_UNSUPPORTED, "versions 2, 3 and 5 are known", NULL);
	expect(R(.sig_algo = 2), vcek, true, MS_UNSUPPORTED, "SIGNATURE_ALGO (offset 0x34) is 2", NULL);
	{
		struct ms_verify_options o = { .at = NOW, .root_override = ark.cert };
		struct ms_checks c = { 0 };
		struct ms_evidence ev;
		struct ms_err err = { 0 };
		uint8_t r[1184];

		make_report(&R(), r);
		assert_int_equal(ms_snp_verify(r, sizeof(r), &o, &ev, &c, &err), MS_NO_COLLATERAL);
		ms_checks_free(&c);
	}
}

static enum ms_status verify_vcek_file(const char *file, size_t len, const struct report_spec *spec, struct ms_err *err)
{
	uint8_t r[1184];
	struct ms_verify_options o = { .at = NOW, .vcek = (const uint8_t *)file, .vcek_len = len,
				       .root_override = ark.cert, .ask_override = ask.cert };
	struct ms_checks c = { 0 };
	struct ms_evidence ev;
	enum ms_status st;

	make_report(spec, r);
	memset(err, 0, sizeof(*err));
	st = ms_snp_verify(r, sizeof(r), &o, &ev, &c, err);
	ms_checks_free(&c);
	return st;
}

/* The VCEK as AMD serves it: alone, or in a PEM bundle with the ASK (and ARK); and no signing key at all. */
static void vcek_forms(void **state)
{
	char buf[8192];
	size_t n;
	struct ms_err err;

	(void)state;
	n = pem_of(ask.cert, buf);
	n += pem_of(vcek, buf + n);
	assert_int_equal(verify_vcek_file(buf, n, &R(), &err), MS_OK);
	n = pem_of(vcek, buf);
	n += pem_of(ask.cert, buf + n);
	n += pem_of(ark.cert, buf + n);
	assert_int_equal(verify_vcek_file(buf, n, &R(), &err), MS_OK);
	/* a bundle whose ASK did not issue the VCEK: refused, not ignored */
	n = pem_of(other_ask.cert, buf);
	n += pem_of(vcek, buf + n);
	assert_int_equal(verify_vcek_file(buf, n, &R(), &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "not on the verified path"));
	/* two VCEKs, or none */
	n = pem_of(vcek, buf);
	n += pem_of(vcek_tcb2, buf + n);
	assert_int_equal(verify_vcek_file(buf, n, &R(), &err), MS_BAD_INPUT);
	assert_int_equal(err.input, MS_INPUT_VCEK);
	n = pem_of(ask.cert, buf);
	assert_int_equal(verify_vcek_file(buf, n, &R(), &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "none of the 1 certificates is a VCEK"));
	/* another chip's VCEK is named as such, not as a bad signature */
	n = pem_of(vcek, buf);
	assert_int_equal(verify_vcek_file(buf, n, &R(.chip_fill = 0x33), &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "the VCEK's hwID is not this report's CHIP_ID"));
	/* MASK_CHIP_KEY with a CHIP_ID; reserved TCB bits; a CPUID that names no product */
	assert_int_equal(verify_vcek_file(buf, n, &R(.signer_info = 2), &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "MASK_CHIP_KEY, yet CHIP_ID"));
	assert_int_equal(verify_vcek_file(buf, n, &R(.version = 3, .cpuid_family = 0x17, .cpuid_model = 0x31), &err),
			 MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "not a known SEV-SNP product"));
	assert_int_equal(verify_vcek_file(buf, n, &R(.tcb_reserved = true), &err), MS_BAD_INPUT);
	assert_non_null(strstr(err.msg, "CURRENT_TCB (offset 0x38) 0x0000000100000003 has reserved bits set") ||
			strstr(err.msg, "has reserved bits set"));
	/* SIGNING_KEY 7: the report says it is not signed */
	assert_int_equal(verify_vcek_file(buf, n, &R(.signer_info = 7 << 2), &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "SIGNING_KEY 7"));
}

static void missing_vcek_url(void **state)
{
	uint8_t r[1184];
	struct ms_verify_options o = { .at = NOW };
	struct ms_checks c = { 0 };
	struct ms_evidence ev;
	struct ms_err err = { 0 };

	(void)state;
	make_report(&R(.version = 3, .cpuid_family = 0x19, .cpuid_model = 0x01), r);
	assert_int_equal(ms_snp_verify(r, sizeof(r), &o, &ev, &c, &err), MS_NO_COLLATERAL);
	assert_int_equal(err.input, MS_INPUT_COLLATERAL);
	/* the hwID is the CHIP_ID (64 bytes of 0x5a); the SPLs are REPORTED_TCB's parts */
	assert_non_null(strstr(err.msg, "https://kdsintf.amd.com/vcek/v1/Milan/5a5a5a5a"));
	assert_non_null(strstr(err.msg, "5a5a?blSPL=3&teeSPL=0&snpSPL=8&ucodeSPL=115"));
	ms_checks_free(&c);
}

static void policy_keys(void **state)
{
	uint8_t r[1184], *der = NULL;
	int n = i2d_X509(vcek, &der);
	struct ms_verify_options o = { .at = NOW, .vcek = der, .vcek_len = (size_t)n, .root_override = ark.cert,
				       .ask_override = ask.cert };
	static const struct {
		const char *policy;
		bool author_key_en;
		enum ms_status want;
	} cases[] = {
		/* base64 of 48 bytes of 0xa7 (the author key digest) and of 0x1d (the ID key digest) */
		{ "{\"policy\":{\"require_author_key\":true,\"trusted_author_key_hashes\":[\"p6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6en\"]}}", true, MS_OK },
		{ "{\"policy\":{\"require_author_key\":true,\"trusted_author_key_hashes\":[\"p6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6enp6en\"]}}", false, MS_MISMATCH },
		{ "{\"policy\":{\"require_author_key\":true,\"trusted_author_key_hashes\":[]}}", true, MS_MISMATCH },
		{ "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[\"HR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0dHR0d\"]}}", false, MS_OK },
		{ "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[\"AAAA\"]}}", false, MS_BAD_INPUT }, /* not 48 bytes */
		{ "{\"policy\":{\"require_id_block\":true,\"trusted_id_key_hashes\":[\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}}", false, MS_MISMATCH },
		{ "{\"policy\":{\"require_id_block\":true,\"trusted_id_keys\":[\"AAAA\"]}}", false, MS_UNSUPPORTED },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ms_checks checks = { 0 };
		struct ms_evidence ev;
		struct ms_err err = { 0 };
		cJSON *policy;
		enum ms_status st;

		make_report(&R(.author_key_en = cases[i].author_key_en), r);
		assert_int_equal(ms_snp_verify(r, sizeof(r), &o, &ev, &checks, &err), MS_OK);
		assert_int_equal(ms_policy_parse(cases[i].policy, strlen(cases[i].policy), &policy, &err), MS_OK);
		st = ms_policy_apply(policy, &ev, &checks, &err);
		if (st != cases[i].want)
			fail_msg("case %zu: want %d, got %d: %s", i, cases[i].want, st, err.msg);
		cJSON_Delete(policy);
		ms_checks_free(&checks);
	}
	OPENSSL_free(der);
}

static void compare_cli(void **state)
{
	uint8_t r[1184], rd[64] = { 0xca, 0xfe }, *der = NULL;
	int n;
	char manifest[512], path[512], hex[97];
	FILE *f;

	(void)state;
	tmpdir = strdup("/tmp/measure-snp-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/chain.pem", tmpdir); /* AMD's cert_chain order: ASK, then ARK */
	f = fopen(path, "w");
	PEM_write_X509(f, ask.cert);
	PEM_write_X509(f, ark.cert);
	fclose(f);
	n = i2d_X509(vcek, &der);
	write_file("vcek.der", der, (size_t)n);
	OPENSSL_free(der);
	make_report(&R(.report_data = rd), r);
	write_file("report.bin", r, sizeof(r));
	make_report(&R(.policy = 0x30000 | 1u << 19), r);
	write_file("debug.bin", r, sizeof(r));
	memset(hex, '1', 96);
	hex[96] = '\0';
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"sev-snp\",\"measurements\":{\"measurement\":\"%s\"}}", hex);
	write_file("ok.json", manifest, strlen(manifest));
	hex[0] = '0';
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"sev-snp\",\"measurements\":{\"measurement\":\"%s\"}}", hex);
	write_file("differ.json", manifest, strlen(manifest));

	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "%s/ok.json", "%s/report.bin", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "%s/differ.json", "%s/report.bin", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--nonce", "cafe0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "%s/ok.json", "%s/report.bin", NULL }), 0);
	/* the whole REPORT_DATA, or a prefix of at least 16 bytes only when asked for */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--nonce", "cafe", "%s/ok.json", "%s/report.bin", NULL }), 2);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--report-data-prefix", "--nonce", "cafe", "%s/ok.json", "%s/report.bin", NULL }), 2);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--report-data-prefix", "--nonce", "cafe0000000000000000000000000000", "%s/ok.json", "%s/report.bin", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--report-data-prefix", "--nonce", "cafd0000000000000000000000000000", "%s/ok.json", "%s/report.bin", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--nonce", "cafd0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000", "%s/ok.json", "%s/report.bin", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "%s/ok.json", "%s/debug.bin", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "--vcek", "%s/vcek.der", "--allow-debug", "%s/ok.json", "%s/debug.bin", NULL }), 0);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--vcek", "%s/vcek.der", "%s/ok.json", "%s/report.bin", NULL }), 3);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/chain.pem", "%s/ok.json", "%s/report.bin", NULL }), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(checks), cmocka_unit_test(vcek_forms), cmocka_unit_test(missing_vcek_url), cmocka_unit_test(policy_keys),
					    cmocka_unit_test(compare_cli) };

	return cmocka_run_group_tests_name("snp-synthetic", tests, setup, teardown);
}
