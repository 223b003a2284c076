/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TCB status from Intel-style collateral made here: a test root signs a PCK CA (whose
 * PCK carries an SGX extension written below, DER by hand) and an "Intel SGX TCB
 * Signing" certificate, which signs TCB infos and QE identities written as text, so
 * that the signed bytes are exactly what a PCS body carries. Each case builds the
 * collateral so that the expected status follows from its construction.
 */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include "../helpers.h"
#include "../pki.h"
#include "../tdx_quote.h"

#include "../../common/digest.h"
#include "../../common/rfc3339.h"
#include "../../compare/evidence.h"

#define NOW 1700000000LL
#define DAY 86400LL

static struct ca root, pck_ca, signer_ca;
static X509 *pck, *pck_other_fmspc, *not_signer;
static EVP_PKEY *pck_key, *att_key, *not_signer_key;

static uint8_t *make_quote(const struct tdx_quote_spec *s, size_t *len)
{
	return make_tdx_quote(s, pck_key, att_key, pck_ca.cert, root.cert, len);
}

/* A tiny DER writer for the SGX extension. */
struct der {
	uint8_t b[1024];
	size_t n;
};

static void der_raw(struct der *d, const void *p, size_t n)
{
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

/* tag, length, then what w holds */
static void der_wrap(struct der *d, uint8_t tag, const struct der *w)
{
	uint8_t h[4] = { tag };
	size_t hl = 2;

	if (w->n < 128) {
		h[1] = (uint8_t)w->n;
	} else {
		h[1] = 0x82, h[2] = (uint8_t)(w->n >> 8), h[3] = (uint8_t)w->n;
		hl = 4;
	}
	der_raw(d, h, hl);
	der_raw(d, w->b, w->n);
}

/* SEQUENCE { OID 1.2.840.113741.1.13.1[.sub].arc, value } */
static void der_pair(struct der *d, int sub, int arc, uint8_t tag, const void *v, size_t vn)
{
	static const uint8_t base[] = { 0x2a, 0x86, 0x48, 0x86, 0xf8, 0x4d, 0x01, 0x0d, 0x01 };
	struct der oid = { .n = 0 }, val = { .n = 0 }, pr = { .n = 0 };

	der_raw(&oid, base, sizeof(base));
	if (sub)
		oid.b[oid.n++] = (uint8_t)sub;
	oid.b[oid.n++] = (uint8_t)arc;
	der_wrap(&pr, 0x06, &oid);
	der_raw(&val, v, vn);
	if (tag)
		der_wrap(&pr, tag, &val);
	else
		der_raw(&pr, v, vn); /* already encoded */
	der_wrap(d, 0x30, &pr);
}

struct ext_spec {
	uint8_t comp[16];
	uint8_t pcesvn;
	uint8_t fmspc[6];
	bool dup_fmspc, no_ppid, fmspc_short, comp_as_octets;
};

static size_t sgx_ext(const struct ext_spec *e, uint8_t *out)
{
	struct der tcb = { .n = 0 }, tcbseq = { .n = 0 }, all = { .n = 0 }, top = { .n = 0 };
	uint8_t ppid[16], cpusvn[16], pceid[2] = { 0, 0 }, type = 1;

	memset(ppid, 0x11, sizeof(ppid));
	memcpy(cpusvn, e->comp, 16);
	for (int i = 0; i < 16; i++)
		der_pair(&tcb, 2, i + 1, e->comp_as_octets && i == 3 ? 0x04 : 0x02, &e->comp[i], 1);
	der_pair(&tcb, 2, 17, 0x02, &e->pcesvn, 1);
	der_pair(&tcb, 2, 18, 0x04, cpusvn, 16);
	der_wrap(&tcbseq, 0x30, &tcb);
	if (!e->no_ppid)
		der_pair(&all, 0, 1, 0x04, ppid, 16);
	der_pair(&all, 0, 2, 0, tcbseq.b, tcbseq.n);
	der_pair(&all, 0, 3, 0x04, pceid, 2);
	der_pair(&all, 0, 4, 0x04, e->fmspc, e->fmspc_short ? 5 : 6);
	if (e->dup_fmspc)
		der_pair(&all, 0, 4, 0x04, e->fmspc, 6);
	der_pair(&all, 0, 5, 0x0a, &type, 1);
	der_wrap(&top, 0x30, &all);
	memcpy(out, top.b, top.n);
	return top.n;
}

static const struct ext_spec platform = {
	.comp = { 5, 5, 2, 2, 3, 1, 0, 3 }, .pcesvn = 11, .fmspc = { 0x50, 0x80, 0x6f, 0, 0, 0 },
};

static X509 *make_pck(const struct ext_spec *e)
{
	X509 *c = make_cert("test PCK", pck_key, &pck_ca, false, NOW - DAY, NOW + DAY);
	uint8_t der[1024];
	size_t n = sgx_ext(e, der);
	ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	ASN1_OBJECT *oid = OBJ_txt2obj("1.2.840.113741.1.13.1", 1);
	X509_EXTENSION *ext;

	ASN1_OCTET_STRING_set(os, der, (int)n);
	ext = X509_EXTENSION_create_by_OBJ(NULL, oid, 0, os);
	X509_add_ext(c, ext, -1);
	X509_sign(c, pck_ca.key, EVP_sha384());
	X509_EXTENSION_free(ext);
	ASN1_OBJECT_free(oid);
	ASN1_OCTET_STRING_free(os);
	return c;
}

static int setup(void **state)
{
	struct ext_spec other = platform;

	(void)state;
	root.key = p256();
	root.cert = make_cert("test SGX root", root.key, NULL, true, NOW - 365 * DAY, NOW + 365 * DAY);
	pck_ca.key = p256();
	pck_ca.cert = make_cert("test PCK CA", pck_ca.key, &root, true, NOW - 30 * DAY, NOW + 30 * DAY);
	signer_ca.key = p256();
	signer_ca.cert = make_cert("Intel SGX TCB Signing", signer_ca.key, &root, false, NOW - 30 * DAY, NOW + 30 * DAY);
	not_signer_key = p256();
	not_signer = make_cert("test PCK", not_signer_key, &root, false, NOW - 30 * DAY, NOW + 30 * DAY);
	pck_key = p256();
	att_key = p256();
	pck = make_pck(&platform);
	other.fmspc[5] = 1;
	pck_other_fmspc = make_pck(&other);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	X509_free(root.cert), X509_free(pck_ca.cert), X509_free(signer_ca.cert), X509_free(not_signer);
	X509_free(pck), X509_free(pck_other_fmspc);
	EVP_PKEY_free(root.key), EVP_PKEY_free(pck_ca.key), EVP_PKEY_free(signer_ca.key), EVP_PKEY_free(not_signer_key);
	EVP_PKEY_free(pck_key), EVP_PKEY_free(att_key);
	remove_tmpdir();
	return 0;
}

/* A PCS-style body: {"<key>":<inner>,"signature":"<hex>"}, signed over inner as written. */
static char *signed_body(const char *key, const char *inner, EVP_PKEY *by)
{
	uint8_t sig[64];
	char hex[129], *body;

	sign_p256_raw(by, (const uint8_t *)inner, strlen(inner), sig);
	ms_hex_encode(sig, 64, hex);
	assert_true(asprintf(&body, "{\"%s\":%s,\"signature\":\"%s\"}", key, inner, hex) > 0);
	return body;
}

#define COMPS(a) "[{\"svn\":" #a "},{\"svn\":" #a "},{\"svn\":2},{\"svn\":2},{\"svn\":3},{\"svn\":1},{\"svn\":0},{\"svn\":3}," \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}]"
#define TDXC(a) "[{\"svn\":" #a "},{\"svn\":0},{\"svn\":5},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}," \
	"{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0},{\"svn\":0}]"

/* A TDX TCB info: a level above the platform (skipped), then one it reaches with `status`. */
static char *tcb_info_text(const char *fmspc, const char *status, const char *next, const char *modules)
{
	char *t;

	assert_true(asprintf(&t,
		"{\"id\":\"TDX\",\"version\":3,\"issueDate\":\"2023-11-01T00:00:00Z\",\"nextUpdate\":\"%s\","
		"\"fmspc\":\"%s\",\"pceId\":\"0000\",\"tcbType\":0,\"tcbEvaluationDataNumber\":17,"
		"\"tdxModule\":{\"mrsigner\":\"%096d\",\"attributes\":\"0000000000000000\",\"attributesMask\":\"FFFFFFFFFFFFFFFF\"}%s,"
		"\"tcbLevels\":["
		"{\"tcb\":{\"sgxtcbcomponents\":" COMPS(9) ",\"pcesvn\":13,\"tdxtcbcomponents\":" TDXC(3) "},"
		"\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
		"{\"tcb\":{\"sgxtcbcomponents\":" COMPS(5) ",\"pcesvn\":11,\"tdxtcbcomponents\":" TDXC(3) "},"
		"\"tcbDate\":\"2023-02-15T00:00:00Z\",\"tcbStatus\":\"%s\",\"advisoryIDs\":[\"INTEL-SA-00837\",\"INTEL-SA-00615\"]},"
		"{\"tcb\":{\"sgxtcbcomponents\":" COMPS(1) ",\"pcesvn\":5,\"tdxtcbcomponents\":" TDXC(0) "},"
		"\"tcbDate\":\"2018-01-04T00:00:00Z\",\"tcbStatus\":\"OutOfDate\",\"advisoryIDs\":[\"INTEL-SA-00106\"]}]}",
		next, fmspc, 0, modules, status) > 0);
	return t;
}

static char *qe_text(const char *status4, const char *next)
{
	char *t;

	assert_true(asprintf(&t,
		"{\"id\":\"TD_QE\",\"version\":2,\"issueDate\":\"2023-11-01T00:00:00Z\",\"nextUpdate\":\"%s\","
		"\"tcbEvaluationDataNumber\":17,\"miscselect\":\"00000000\",\"miscselectMask\":\"FFFFFFFF\","
		"\"attributes\":\"00000000000000000000000000000000\",\"attributesMask\":\"FBFFFFFFFFFFFFFF0000000000000000\","
		"\"mrsigner\":\"DC9E2A7C6F948F17474E34A7FC43ED030F7C1563F1BABDDF6340C82E0E54A8C5\",\"isvprodid\":2,"
		"\"tcbLevels\":[{\"tcb\":{\"isvsvn\":5},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":\"UpToDate\"},"
		"{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2023-02-15T00:00:00Z\",\"tcbStatus\":\"%s\",\"advisoryIDs\":[\"INTEL-SA-00615\",\"INTEL-SA-00999\"]}]}",
		next, status4) > 0);
	return t;
}

struct run {
	const char *tcb_body, *qe_body;
	X509 *pck;
	X509 *signer; /* NULL: signer_ca */
	uint8_t tee_tcb_svn[16];
	uint8_t mrsignerseam_fill;
	STACK_OF(X509_CRL) *crls;
	int64_t at;
	struct ms_tcb_policy policy;
	const char *policy_file; /* applied instead of policy when given */
};

/* Verifies the quote with the collateral, then the TCB policy: the worse status of both. */
static enum ms_status run(const struct run *r, struct ms_evidence *ev, struct ms_err *err)
{
	struct tdx_quote_spec s = { .pck = r->pck ? r->pck : pck, .mrsignerseam_fill = r->mrsignerseam_fill };
	struct ms_tcb_collateral tc = { .info_name = "tcbinfo.json", .qe_name = "qe.json" };
	struct ms_verify_options o = { .at = r->at ? r->at : NOW, .root_override = root.cert, .crls = r->crls, .tcb = &tc };
	struct ms_checks checks = { 0 };
	enum ms_status st;
	size_t len;
	uint8_t *q;

	memcpy(s.tee_tcb_svn, r->tee_tcb_svn, 16);
	if (!s.tee_tcb_svn[0] && !s.tee_tcb_svn[2])
		s.tee_tcb_svn[0] = 3, s.tee_tcb_svn[2] = 5;
	q = make_quote(&s, &len);
	memset(err, 0, sizeof(*err));
	tc.info_body = (const uint8_t *)r->tcb_body;
	tc.qe_body = (const uint8_t *)r->qe_body;
	st = ms_tcb_info_parse(tc.info_body, strlen(r->tcb_body), "tcbinfo.json", &tc.info, err);
	if (!st)
		st = ms_qe_identity_parse(tc.qe_body, strlen(r->qe_body), "qe.json", &tc.qe, err);
	if (!st) {
		tc.info_chain = sk_X509_new_null();
		sk_X509_push(tc.info_chain, X509_dup(r->signer ? r->signer : signer_ca.cert));
		tc.qe_chain = sk_X509_new_null();
		sk_X509_push(tc.qe_chain, X509_dup(signer_ca.cert));
		st = ms_tdx_verify(q, len, &o, ev, &checks, err);
		if (!st && r->policy_file) {
			cJSON *pol = NULL;

			st = ms_policy_parse(r->policy_file, strlen(r->policy_file), &pol, err);
			if (!st)
				st = ms_policy_apply(pol, ev, &checks, err);
			cJSON_Delete(pol);
		} else if (!st) {
			st = ms_tcb_policy_apply(ev, &r->policy, &checks, err);
		}
	}
	ms_tcb_info_free(tc.info);
	ms_qe_identity_free(tc.qe);
	sk_X509_pop_free(tc.info_chain, X509_free);
	sk_X509_pop_free(tc.qe_chain, X509_free);
	ms_checks_free(&checks);
	free(q);
	return st;
}

static void expect_status(const char *level_status, const char *qe_status, const char *want, enum ms_status want_st)
{
	char *ti = tcb_info_text("50806f000000", level_status, "2023-12-01T00:00:00Z", "");
	char *qi = qe_text(qe_status, "2023-12-01T00:00:00Z");
	char *tb = signed_body("tcbInfo", ti, signer_ca.key), *qb = signed_body("enclaveIdentity", qi, signer_ca.key);
	struct run r = { .tcb_body = tb, .qe_body = qb };
	struct ms_evidence ev;
	struct ms_err err;
	enum ms_status st = run(&r, &ev, &err);

	if (st != want_st || ev.tcb_state != MS_TCB_EVALUATED || strcmp(ms_tcb_status_name(ev.tcb.status), want))
		fail_msg("%s + QE %s: want %s (%d), got %s (%d): %s", level_status, qe_status, want, want_st,
			 ms_tcb_status_name(ev.tcb.status), st, err.msg);
	/* the chosen level is the second: its date, and the advisories of level and QE, each once */
	assert_string_equal(ev.tcb.tcb_date_text, "2023-02-15T00:00:00Z");
	assert_int_equal(ev.tcb.sgx_level, 1);
	assert_int_equal(ev.tcb.tdx_level, 1);
	assert_int_equal(ev.tcb.nadv, 3);
	assert_string_equal(ev.tcb.adv[0], "INTEL-SA-00837");
	assert_string_equal(ev.tcb.adv[1], "INTEL-SA-00615");
	assert_string_equal(ev.tcb.adv[2], "INTEL-SA-00999");
	free(ti), free(qi), free(tb), free(qb);
}

/* Every status, alone and merged with the QE's as Intel's QVL merges them. */
static void statuses(void **state)
{
	(void)state;
	expect_status("UpToDate", "UpToDate", "UpToDate", MS_OK);
	expect_status("SWHardeningNeeded", "UpToDate", "SWHardeningNeeded", MS_MISMATCH);
	expect_status("ConfigurationNeeded", "UpToDate", "ConfigurationNeeded", MS_MISMATCH);
	expect_status("ConfigurationAndSWHardeningNeeded", "UpToDate", "ConfigurationAndSWHardeningNeeded", MS_MISMATCH);
	expect_status("OutOfDate", "UpToDate", "OutOfDate", MS_MISMATCH);
	expect_status("OutOfDateConfigurationNeeded", "UpToDate", "OutOfDateConfigurationNeeded", MS_MISMATCH);
	expect_status("Revoked", "UpToDate", "Revoked", MS_MISMATCH);
	/* a QE out of date drags the platform down; a revoked QE revokes */
	expect_status("UpToDate", "OutOfDate", "OutOfDate", MS_MISMATCH);
	expect_status("SWHardeningNeeded", "OutOfDate", "OutOfDate", MS_MISMATCH);
	expect_status("ConfigurationNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", MS_MISMATCH);
	expect_status("ConfigurationAndSWHardeningNeeded", "OutOfDate", "OutOfDateConfigurationNeeded", MS_MISMATCH);
	expect_status("UpToDate", "Revoked", "Revoked", MS_MISMATCH);
}

static enum ms_status with(const char *ti, const char *qi, struct run r, struct ms_evidence *ev, struct ms_err *err)
{
	char *tb = signed_body("tcbInfo", ti, signer_ca.key), *qb = signed_body("enclaveIdentity", qi, signer_ca.key);
	enum ms_status st;

	r.tcb_body = tb;
	r.qe_body = qb;
	st = run(&r, ev, err);
	free(tb), free(qb);
	return st;
}

static void policy(void **state)
{
	char *ti = tcb_info_text("50806f000000", "SWHardeningNeeded", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .policy = { .requested = true,
				     .accept_mask = 1u << MS_TCB_UP_TO_DATE | 1u << MS_TCB_SW_HARDENING_NEEDED } };

	(void)state;
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_OK);
	r.policy.has_min_date = true;
	assert_int_equal(ms_time_parse("2023-02-15T00:00:00Z", &r.policy.min_date), 0);
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_OK);
	r.policy.min_date += 1;
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_non_null(strstr(err.msg, "older than"));
	free(ti), free(qi);
}

/* The policy file's accept_tcb_status and min_tcb_date judge the status like the options. */
static void policy_file(void **state)
{
	char *ti = tcb_info_text("50806f000000", "SWHardeningNeeded", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .policy_file = "{\"accept_tcb_status\":[\"UpToDate\",\"SWHardeningNeeded\"]}" };

	(void)state;
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_OK);
	r.policy_file = "{\"acceptTcbStatus\":[\"UpToDate\"]}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_non_null(strstr(err.msg, "SWHardeningNeeded is not accepted"));
	r.policy_file = "{\"accept_tcb_status\":[\"SWHardeningNeeded\"],\"min_tcb_date\":\"2023-03-01T00:00:00Z\"}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_non_null(strstr(err.msg, "older than 2023-03-01"));
	r.policy_file = "{\"accept_tcb_status\":[]}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_INPUT);
	r.policy_file = "{\"accept_tcb_status\":[\"Fine\"]}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_INPUT);
	r.policy_file = "{\"min_tcb_date\":\"soon\"}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_INPUT);
	r.policy_file = "{\"accept_tcb_status\":\"UpToDate\"}";
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_INPUT);
	free(ti), free(qi);
}

/* No collateral and a TCB check asked for: exit 4, never a silent skip. */
static void missing_collateral(void **state)
{
	struct tdx_quote_spec s = { .pck = pck };
	struct ms_verify_options o = { .at = NOW, .root_override = root.cert };
	struct ms_checks checks = { 0 };
	struct ms_evidence ev;
	struct ms_err err = { 0 };
	struct ms_tcb_policy p = { .requested = true };
	size_t len;
	uint8_t *q = make_quote(&s, &len);

	(void)state;
	assert_int_equal(ms_tdx_verify(q, len, &o, &ev, &checks, &err), MS_OK);
	assert_int_equal(ms_tcb_policy_apply(&ev, &(struct ms_tcb_policy){ 0 }, &checks, &err), MS_OK);
	assert_int_equal(ms_tcb_policy_apply(&ev, &p, &checks, &err), MS_NO_COLLATERAL);
	ms_checks_free(&checks);
	free(q);
}

static void refusals(void **state)
{
	char *ti = tcb_info_text("50806f000000", "UpToDate", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	char *other = tcb_info_text("50806f000001", "UpToDate", "2023-12-01T00:00:00Z", "");
	char *tb = signed_body("tcbInfo", ti, signer_ca.key), *qb = signed_body("enclaveIdentity", qi, signer_ca.key);
	char *edited;
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .tcb_body = tb, .qe_body = qb };

	(void)state;
	assert_int_equal(run(&r, &ev, &err), MS_OK);
	/* stale: nextUpdate passed at the check time */
	{
		char *old = tcb_info_text("50806f000000", "UpToDate", "2023-11-14T00:00:00Z", ""); /* before NOW */
		char *ob = signed_body("tcbInfo", old, signer_ca.key);

		r.tcb_body = ob;
		assert_int_equal(run(&r, &ev, &err), MS_NO_COLLATERAL);
		assert_non_null(strstr(err.msg, "stale"));
		r.tcb_body = tb;
		free(old), free(ob);
	}
	/* tampered: the signature, the FMSPC, a level's status (each after signing) */
	edited = strdup(tb);
	edited[strlen(edited) - 3] = edited[strlen(edited) - 3] == '0' ? '1' : '0'; /* still hex */
	r.tcb_body = edited;
	assert_int_equal(run(&r, &ev, &err), MS_BAD_SIGNATURE);
	strcpy(edited, tb);
	memcpy(strstr(edited, "50806f000000"), "50806f000001", 12);
	assert_int_equal(run(&r, &ev, &err), MS_BAD_SIGNATURE);
	free(edited);
	edited = strdup(tb);
	r.tcb_body = edited;
	memcpy(strstr(edited, "\"pcesvn\":11"), "\"pcesvn\":10", 11);
	assert_int_equal(run(&r, &ev, &err), MS_BAD_SIGNATURE);
	free(edited);
	/* signed right, but for another FMSPC: the right collateral is missing */
	edited = signed_body("tcbInfo", other, signer_ca.key);
	r.tcb_body = edited;
	assert_int_equal(run(&r, &ev, &err), MS_NO_COLLATERAL);
	assert_non_null(strstr(err.msg, "FMSPC 50806f000001"));
	free(edited);
	r.tcb_body = tb;
	/* the PCK's FMSPC differs */
	r.pck = pck_other_fmspc;
	assert_int_equal(run(&r, &ev, &err), MS_NO_COLLATERAL);
	r.pck = NULL;
	/* signed by a certificate of the root that is not the TCB signing one */
	edited = signed_body("tcbInfo", ti, not_signer_key);
	r.tcb_body = edited;
	r.signer = not_signer;
	assert_int_equal(run(&r, &ev, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "not Intel SGX TCB Signing"));
	free(edited);
	r.tcb_body = tb;
	r.signer = NULL;
	/* TEE_TCB_SVN below every TDX level: "not supported", a policy failure */
	r.tee_tcb_svn[0] = 2, r.tee_tcb_svn[2] = 1;
	assert_int_equal(run(&r, &ev, &err), MS_MISMATCH);
	assert_int_equal(ev.tcb_state, MS_TCB_NO_LEVEL);
	memset(r.tee_tcb_svn, 0, 16);
	/* a TDX module not the TCB info's */
	r.mrsignerseam_fill = 1;
	assert_int_equal(run(&r, &ev, &err), MS_BAD_SIGNATURE);
	assert_non_null(strstr(err.msg, "MRSIGNERSEAM"));
	free(ti), free(qi), free(other), free(tb), free(qb);
}

/* TEE_TCB_SVN[1] > 0: the module identity TDX_01 and its level by TEE_TCB_SVN[0]. */
static void module_identity(void **state)
{
	static const char modules[] =
		",\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000\",\"attributes\":\"0000000000000000\",\"attributesMask\":"
		"\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[{\"tcb\":{\"isvsvn\":4},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":"
		"\"UpToDate\"},{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2022-01-01T00:00:00Z\",\"tcbStatus\":\"OutOfDate\","
		"\"advisoryIDs\":[\"INTEL-SA-00960\"]}]}]";
	char *ti = tcb_info_text("50806f000000", "UpToDate", "2023-12-01T00:00:00Z", modules);
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .tee_tcb_svn = { 4, 1, 5 } };

	(void)state;
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_OK);
	assert_true(ev.tcb.module_checked);
	assert_string_equal(ms_tcb_status_name(ev.tcb.status), "UpToDate");
	r.tee_tcb_svn[0] = 3; /* module SVN 3: the OutOfDate module level */
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_string_equal(ms_tcb_status_name(ev.tcb.status), "OutOfDate");
	assert_string_equal(ev.tcb.tcb_date_text, "2022-01-01T00:00:00Z");
	r.tee_tcb_svn[0] = 1; /* below every module level */
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_int_equal(ev.tcb_state, MS_TCB_NO_LEVEL);
	r.tee_tcb_svn[0] = 4, r.tee_tcb_svn[1] = 2; /* no identity TDX_02 */
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_non_null(strstr(ev.tcb_why, "TDX_02"));
	free(ti), free(qi);
}

/* A revoked PCK fails before any TCB level is looked at; the root CRL covers the TCB signing chain too. */
static void revoked_pck(void **state)
{
	char *ti = tcb_info_text("50806f000000", "UpToDate", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .crls = crls };

	(void)state;
	sk_X509_CRL_push(crls, pki_crl(&pck_ca, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	sk_X509_CRL_push(crls, pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_OK);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	crls = sk_X509_CRL_new_null();
	r.crls = crls;
	sk_X509_CRL_push(crls, pki_crl(&pck_ca, pck, NOW - DAY, NOW + DAY, EVP_sha256()));
	sk_X509_CRL_push(crls, pki_crl(&root, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_SIGNATURE);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	/* the TCB signing certificate revoked by the root's CRL */
	crls = sk_X509_CRL_new_null();
	r.crls = crls;
	sk_X509_CRL_push(crls, pki_crl(&pck_ca, NULL, NOW - DAY, NOW + DAY, EVP_sha256()));
	sk_X509_CRL_push(crls, pki_crl(&root, signer_ca.cert, NOW - DAY, NOW + DAY, EVP_sha256()));
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_BAD_SIGNATURE);
	sk_X509_CRL_pop_free(crls, X509_CRL_free);
	free(ti), free(qi);
}

static void expect_bad(const char *body, bool qe, enum ms_status want, const char *words)
{
	struct ms_err err = { 0 };
	struct ms_tcb_info *t = NULL;
	struct ms_qe_identity *q = NULL;
	enum ms_status st = qe ? ms_qe_identity_parse((const uint8_t *)body, strlen(body), "f.json", &q, &err)
			       : ms_tcb_info_parse((const uint8_t *)body, strlen(body), "f.json", &t, &err);

	if (st != want || !strstr(err.msg, words))
		fail_msg("want %d \"%s\", got %d: %s", want, words, st, err.msg);
	assert_null(t);
	assert_null(q);
}

static char *replace(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);
	char *o;

	assert_non_null(at);
	assert_true(asprintf(&o, "%.*s%s%s", (int)(at - s), s, to, at + strlen(from)) > 0);
	return o;
}

/* A module level's status is UpToDate, OutOfDate or Revoked (as Intel's QVL takes it); any other is refused, not UpToDate. */
static void module_status_other(void **state)
{
	static const char modules[] =
		",\"tdxModuleIdentities\":[{\"id\":\"TDX_01\",\"mrsigner\":\"000000000000000000000000000000000000000000000000"
		"000000000000000000000000000000000000000000000000\",\"attributes\":\"0000000000000000\",\"attributesMask\":"
		"\"FFFFFFFFFFFFFFFF\",\"tcbLevels\":[{\"tcb\":{\"isvsvn\":2},\"tcbDate\":\"2023-08-09T00:00:00Z\",\"tcbStatus\":"
		"\"ConfigurationNeeded\"}]}]";
	char *ti = tcb_info_text("50806f000000", "UpToDate", "2023-12-01T00:00:00Z", modules);
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .tee_tcb_svn = { 4, 1, 5 } };

	(void)state;
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "not a module status"));
	free(ti), free(qi);
}

/* Levels are searched best first (SGX SVNs, PCESVN, TDX SVNs), whatever order the document lists them in. */
static void levels_listed_out_of_order(void **state)
{
	char *made = tcb_info_text("50806f000000", "OutOfDate", "2023-12-01T00:00:00Z", "");
	char *good = strdup(made); /* a copy: gcc 12 takes pointers into asprintf's result for dangling */
	/* the lowest level (OutOfDate, reached by every platform) moved first and marked UpToDate */
	const char *low = strstr(good, "{\"tcb\":{\"sgxtcbcomponents\":" COMPS(1));
	const char *levels = strstr(good, "\"tcbLevels\":[") + strlen("\"tcbLevels\":[");
	char *ti, *lowlevel, *up;
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	struct ms_evidence ev;
	struct ms_err err;
	struct run r = { .tee_tcb_svn = { 4, 0, 5 } };

	(void)state;
	assert_non_null(low);
	lowlevel = strndup(low, strlen(low) - 2); /* without the closing "]}" */
	up = replace(lowlevel, "\"OutOfDate\"", "\"UpToDate\"");
	assert_true(asprintf(&ti, "%.*s%s,%.*s]}", (int)(levels - good), good, up, (int)(low - 1 - levels), levels) > 0);
	assert_int_equal(with(ti, qi, r, &ev, &err), MS_MISMATCH);
	assert_string_equal(ms_tcb_status_name(ev.tcb.status), "OutOfDate");
	free(made), free(good), free(ti), free(lowlevel), free(up), free(qi);
}

static void bad_input(void **state)
{
	char *ti = tcb_info_text("50806f000000", "UpToDate", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	char *tb = signed_body("tcbInfo", ti, signer_ca.key), *qb = signed_body("enclaveIdentity", qi, signer_ca.key);
	char *b, *huge;

	(void)state;
	expect_bad("{\"tcbInfo\":", false, MS_BAD_INPUT, "f.json");
	expect_bad("[]", false, MS_BAD_INPUT, "not a JSON object");
	b = replace(tb, "\"version\":3", "\"version\":2"), expect_bad(b, false, MS_UNSUPPORTED, "version: 2"), free(b);
	b = replace(qb, "\"version\":2", "\"version\":3"), expect_bad(b, true, MS_UNSUPPORTED, "version: 3"), free(b);
	b = replace(tb, "\"version\":3", "\"version\":3,\"version\":3"), expect_bad(b, false, MS_BAD_INPUT, "duplicate"), free(b);
	b = replace(tb, "\"pcesvn\":11", "\"pcesvn\":\"11\""), expect_bad(b, false, MS_BAD_INPUT, "pcesvn"), free(b);
	b = replace(tb, "\"pcesvn\":11", "\"pcesvn\":70000"), expect_bad(b, false, MS_BAD_INPUT, "pcesvn"), free(b);
	b = replace(tb, "\"tcbStatus\":\"UpToDate\"", "\"tcbStatus\":\"Fine\""), expect_bad(b, false, MS_BAD_INPUT, "tcbStatus"), free(b);
	b = replace(tb, "\"fmspc\":\"50806f000000\"", "\"fmspc\":\"50806f00\""), expect_bad(b, false, MS_BAD_INPUT, "fmspc"), free(b);
	b = replace(tb, "\"issueDate\":\"2023-11-01T00:00:00Z\"", "\"issueDate\":\"yesterday\""), expect_bad(b, false, MS_BAD_INPUT, "issueDate"), free(b);
	b = replace(tb, "\"tcbType\":0", "\"tcbType\":0,\"extra\":1"), expect_bad(b, false, MS_BAD_INPUT, "unknown field \"extra\""), free(b);
	b = replace(tb, "\"id\":\"TDX\"", "\"id\":\"TDXX\""), expect_bad(b, false, MS_UNSUPPORTED, "id"), free(b);
	b = replace(qb, "\"isvprodid\":2", "\"isvprodid\":-2"), expect_bad(b, true, MS_BAD_INPUT, "isvprodid"), free(b);
	b = replace(qb, "\"mrsigner\"", "\"mrsignerx\""), expect_bad(b, true, MS_BAD_INPUT, "mrsignerx"), free(b);
	b = replace(tb, "\"signature\":\"", "\"signature\":\"0"), expect_bad(b, false, MS_BAD_INPUT, "signature"), free(b);
	b = replace(tb, ",{\"svn\":0}]", "]"), expect_bad(b, false, MS_BAD_INPUT, "16 components"), free(b);
	b = replace(tb, "}", "} "), free(b);
	huge = calloc(1, MS_COLLATERAL_MAX_BYTES + 2);
	memset(huge, ' ', MS_COLLATERAL_MAX_BYTES + 1);
	expect_bad(huge, false, MS_BAD_INPUT, "larger than any PCS collateral");
	free(huge);
	free(ti), free(qi), free(tb), free(qb);
}

static void expect_ext(const struct ext_spec *e, enum ms_status want, const char *words)
{
	uint8_t der[1024];
	size_t n = sgx_ext(e, der);
	struct ms_sgx_ext x;
	struct ms_err err = { 0 };
	enum ms_status st = ms_sgx_ext_parse(der, n, &x, &err);

	if (st != want || (words && !strstr(err.msg, words)))
		fail_msg("want %d \"%s\", got %d: %s", want, words ? words : "", st, err.msg);
	if (!st) {
		assert_memory_equal(x.comp_svn, e->comp, 16);
		assert_int_equal(x.pcesvn, e->pcesvn);
		assert_memory_equal(x.fmspc, e->fmspc, 6);
		assert_int_equal(x.sgx_type, 1);
	}
	/* every truncation is refused, none crashes */
	for (size_t cut = 0; cut < n; cut += 7)
		assert_int_equal(ms_sgx_ext_parse(der, cut, &x, &err), MS_BAD_INPUT);
}

static void sgx_extension(void **state)
{
	struct ext_spec e = platform;

	(void)state;
	expect_ext(&e, MS_OK, NULL);
	e.dup_fmspc = true, expect_ext(&e, MS_BAD_INPUT, ".4 (FMSPC) given twice"), e.dup_fmspc = false;
	e.no_ppid = true, expect_ext(&e, MS_BAD_INPUT, "lacks the PPID"), e.no_ppid = false;
	e.fmspc_short = true, expect_ext(&e, MS_BAD_INPUT, "FMSPC, 6 bytes"), e.fmspc_short = false;
	e.comp_as_octets = true, expect_ext(&e, MS_BAD_INPUT, ".2.4: not an INTEGER"), e.comp_as_octets = false;
	/* one content byte 0xc8 is the DER INTEGER -56: a negative SVN is refused */
	e.comp[0] = 200, expect_ext(&e, MS_BAD_INPUT, ".2.1: not an INTEGER 0-255");
}

/* The command line with a test root (--root): exit codes for a status, its acceptance, staleness, tampering. */
static void compare_cli(void **state)
{
	char *ti = tcb_info_text("50806f000000", "OutOfDate", "2023-12-01T00:00:00Z", "");
	char *qi = qe_text("UpToDate", "2023-12-01T00:00:00Z");
	char *tb = signed_body("tcbInfo", ti, signer_ca.key), *qb = signed_body("enclaveIdentity", qi, signer_ca.key);
	char manifest[256], pem[4096], mrtd[97];
	struct tdx_quote_spec s = { .pck = pck, .mrtd_fill = 0x11, .tee_tcb_svn = { 3, 0, 5 } };
	size_t len, n;
	uint8_t *q = make_quote(&s, &len);

	(void)state;
	tmpdir = strdup("/tmp/measure-tcb-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	write_file("q.dat", q, len);
	free(q);
	n = pem_of(root.cert, pem);
	write_file("root.pem", pem, n);
	n = pem_of(signer_ca.cert, pem);
	write_file("tcb.json.issuer-chain", pem, n);
	write_file("qe.json.issuer-chain", pem, n);
	write_file("tcb.json", tb, strlen(tb));
	write_file("qe.json", qb, strlen(qb));
	tb[strlen(tb) - 3] = tb[strlen(tb) - 3] == 'a' ? 'b' : 'a';
	write_file("bad.json", tb, strlen(tb));
	write_file("bad.json.issuer-chain", pem, n);
	memset(mrtd, '1', 96);
	mrtd[96] = '\0';
	snprintf(manifest, sizeof(manifest), "{\"schema\":\"measure/v1\",\"platform\":\"tdx\",\"measurements\":{\"mrtd\":\"%s\"}}", mrtd);
	write_file("m.json", manifest, strlen(manifest));
#define TCB_ARGS "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--tcb-info", "%s/tcb.json", "--qe-identity", "%s/qe.json"
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "%s/m.json", "%s/q.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "%s/m.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--accept-tcb", "UpToDate,OutOfDate", "%s/m.json", "%s/q.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--accept-tcb", "OutOfDate", "--min-tcb-date", "2023-02-16T00:00:00Z", "%s/m.json", "%s/q.dat", NULL }), 1);
	/* --min-tcb-date beside a policy file's accept_tcb_status adds the date and keeps the policy's statuses */
	write_file("pol.json", "{\"accept_tcb_status\":[\"UpToDate\",\"OutOfDate\"]}", 46);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--policy", "%s/pol.json", "%s/m.json", "%s/q.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--policy", "%s/pol.json", "--min-tcb-date", "2023-02-15T00:00:00Z", "%s/m.json", "%s/q.dat", NULL }), 0);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--policy", "%s/pol.json", "--min-tcb-date", "2023-02-16T00:00:00Z", "%s/m.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ TCB_ARGS, "--policy", "%s/pol.json", "--accept-tcb", "UpToDate", "%s/m.json", "%s/q.dat", NULL }), 1);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "2023-12-02T00:00:00Z", "--root", "%s/root.pem", "--tcb-info", "%s/tcb.json", "--qe-identity", "%s/qe.json", "%s/m.json", "%s/q.dat", NULL }), 3); /* the PCK has expired first */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--tcb-info", "%s/bad.json", "--qe-identity", "%s/qe.json", "%s/m.json", "%s/q.dat", NULL }), 3);
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--root", "%s/root.pem", "--require-tcb", "%s/m.json", "%s/q.dat", NULL }), 4);
	/* without --root the test collateral's chain does not reach the pinned Intel root */
	assert_int_equal(cli((const char *[]){ "compare", "--at", "@1700000000", "--tcb-info", "%s/tcb.json", "--qe-identity", "%s/qe.json", "%s/m.json", "%s/q.dat", NULL }), 3);
#undef TCB_ARGS
	free(ti), free(qi), free(tb), free(qb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(statuses),	   cmocka_unit_test(policy),	     cmocka_unit_test(missing_collateral),
		cmocka_unit_test(refusals),	   cmocka_unit_test(module_identity), cmocka_unit_test(module_status_other),
		cmocka_unit_test(levels_listed_out_of_order), cmocka_unit_test(revoked_pck),
		cmocka_unit_test(bad_input),	   cmocka_unit_test(sgx_extension), cmocka_unit_test(policy_file),
		cmocka_unit_test(compare_cli),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
