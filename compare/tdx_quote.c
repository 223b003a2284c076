/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509v3.h>

#include "../common/bytes.h"
#include "../common/digest.h"
#include "../common/hex.h"
#include "../common/json.h"
#include "../common/x509.h"
#include "anchors.h"
#include "evidence.h"

#define HEADER_LEN 48
#define BODY_V4 584
#define BODY_V5_15 648
#define QE_REPORT_LEN 384
#define INTEL_QE_VENDOR "939a7233f79c4ca9940a0db3957f0607"
#define TDX_QE_MRSIGNER "dc9e2a7c6f948f17474e34a7fc43ed030f7c1563f1babddf6340c82e0e54a8c5"
#define MAX_QUOTE (1u << 20)



/* The parts of a quote, as offsets into it. */
struct quote {
	const uint8_t *q;
	size_t len;
	unsigned version, body_type;
	size_t body, body_len, signed_len;
	const uint8_t *sig, *att_key, *qe_report, *qe_sig, *auth;
	size_t auth_len;
	const uint8_t *pck_chain;
	size_t pck_chain_len;
	size_t trailing; /* unsigned bytes after the signature data */
};

static enum ms_status parse(const uint8_t *q, size_t len, struct quote *o, struct ms_err *err)
{
	size_t at, sig_len, cert_size, inner;

	memset(o, 0, sizeof(*o));
	o->q = q;
	o->len = len;
	if (len < HEADER_LEN + 6)
		return ms_fail(err, MS_BAD_INPUT, "TDX quote is %zu bytes, too short for its header", len);
	o->version = ms_le16(q);
	if (o->version != 4 && o->version != 5)
		return ms_fail(err, MS_UNSUPPORTED, "quote version (offset 0x0) is %u; 4 and 5 are known", o->version);
	if (ms_le16(q + 2) != 2)
		return ms_fail(err, MS_UNSUPPORTED, "attestation key type (offset 0x2) is %u, not 2 (ECDSA P-256)", ms_le16(q + 2));
	if (ms_le32(q + 4) != 0x81)
		return ms_fail(err, MS_BAD_INPUT, "TEE type (offset 0x4) is 0x%x, not 0x81 (TDX)", ms_le32(q + 4));
	if (o->version == 4) {
		o->body = HEADER_LEN;
		o->body_len = BODY_V4;
		o->body_type = 2;
	} else {
		o->body_type = ms_le16(q + HEADER_LEN);
		o->body_len = ms_le32(q + HEADER_LEN + 2);
		o->body = HEADER_LEN + 6;
		if (!((o->body_type == 2 && o->body_len == BODY_V4) || (o->body_type == 3 && o->body_len == BODY_V5_15)))
			return ms_fail(err, MS_UNSUPPORTED,
				       "quote body type %u of %zu bytes (offset 0x30): TDX 1.0 (2, 584) and 1.5 (3, 648) are known",
				       o->body_type, o->body_len);
	}
	o->signed_len = o->body + o->body_len;
	if (o->signed_len + 4 > len)
		return ms_fail(err, MS_BAD_INPUT, "quote body runs past the end (0x%zx bytes)", len);
	sig_len = ms_le32(q + o->signed_len);
	at = o->signed_len + 4;
	if (sig_len > len - at || sig_len < 64 + 64 + 6)
		return ms_fail(err, MS_BAD_INPUT, "signature data length %zu (offset 0x%zx) runs past the end", sig_len,
			       o->signed_len);
	/* bytes after the signature data are covered by nothing and ignored (padding, test data) */
	len = at + sig_len;
	o->trailing = o->len - len;
	o->sig = q + at;
	o->att_key = q + at + 64;
	at += 128;
	if (ms_le16(q + at) != 6)
		return ms_fail(err, MS_UNSUPPORTED, "certification data type (offset 0x%zx) is %u, not 6 (QE report)", at,
			       ms_le16(q + at));
	cert_size = ms_le32(q + at + 2);
	at += 6;
	if (cert_size > len - at || cert_size < QE_REPORT_LEN + 64 + 2)
		return ms_fail(err, MS_BAD_INPUT, "certification data size %zu (offset 0x%zx) runs past the end", cert_size,
			       at - 4);
	o->qe_report = q + at;
	o->qe_sig = q + at + QE_REPORT_LEN;
	at += QE_REPORT_LEN + 64;
	o->auth_len = ms_le16(q + at);
	at += 2;
	if (o->auth_len > len - at || at + o->auth_len + 6 > len)
		return ms_fail(err, MS_BAD_INPUT, "QE authentication data size %zu (offset 0x%zx) runs past the end",
			       o->auth_len, at - 2);
	o->auth = q + at;
	at += o->auth_len;
	if (ms_le16(q + at) != 5)
		return ms_fail(err, MS_UNSUPPORTED, "inner certification data type (offset 0x%zx) is %u, not 5 (PCK chain)",
			       at, ms_le16(q + at));
	inner = ms_le32(q + at + 2);
	at += 6;
	if (inner > len - at)
		return ms_fail(err, MS_BAD_INPUT, "PCK certificate chain size %zu (offset 0x%zx) runs past the end", inner,
			       at - 4);
	o->pck_chain = q + at;
	o->pck_chain_len = inner;
	return MS_OK;
}

/* ECDSA P-256 / SHA-256 with r||s (big-endian, 32 bytes each). */
static bool p256_verify(EVP_PKEY *key, const uint8_t rs[64], const uint8_t *data, size_t len)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, 32, NULL), *s = BN_bin2bn(rs + 32, 32, NULL);
	uint8_t *der = NULL;
	int n;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = false;

	if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(sig, &der);
		ok = n > 0 && ctx && EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
		     EVP_DigestVerify(ctx, der, (size_t)n, data, len) == 1;
	}
	BN_free(r);
	BN_free(s);
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	EVP_MD_CTX_free(ctx);
	return ok;
}

/* The attestation key: a raw P-256 point x||y. */
static EVP_PKEY *p256_key(const uint8_t xy[64])
{
	uint8_t point[65] = { 4 };
	OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *key = NULL;

	memcpy(point + 1, xy, 64);
	if (b && ctx && OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) &&
	    OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof(point)) &&
	    (params = OSSL_PARAM_BLD_to_param(b)) && EVP_PKEY_fromdata_init(ctx) == 1)
		EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(b);
	EVP_PKEY_CTX_free(ctx);
	return key;
}

enum ms_status ms_tdx_verify(const uint8_t *q, size_t len, const struct ms_verify_options *o,
			     struct ms_evidence *ev, struct ms_checks *checks, struct ms_err *err)
{
	struct quote p;
	STACK_OF(X509) *chain = NULL;
	X509 *root = NULL, *leaf;
	EVP_PKEY *att = NULL;
	enum ms_status st;
	uint8_t binding[MS_SHA256_LEN], *buf = NULL, mrsigner[32];
	char a[112], b[112];
	const uint8_t *body;
	int n;

	memset(ev, 0, sizeof(*ev));
	ev->type = MS_EVIDENCE_TDX;
	ev->platform = "tdx";
	ms_sha256(q, len, ev->sha256);
	if ((st = parse(q, len, &p, err)))
		return st;
	body = q + p.body;
	/* the PCK chain: leaf -> platform/processor CA -> Intel SGX Root CA (pinned) */
	if ((st = ms_x509_parse_bundle(p.pck_chain, p.pck_chain_len, "PCK certificate chain", &chain, err)))
		goto out;
	n = sk_X509_num(chain);
	if (o->root_override) {
		if (!(root = X509_dup(o->root_override))) {
			st = ms_fail(err, MS_NO_MEMORY, "out of memory");
			goto out;
		}
	} else if ((st = ms_anchor_load(MS_ANCHOR_INTEL_SGX_ROOT, &root, err))) {
		goto out;
	}
	if (n < 2 || X509_cmp(sk_X509_value(chain, n - 1), root)) {
		ms_check_add(checks, false, "root", o->root_override ? "the root given with --root" : "Intel SGX Root CA (pinned)",
			     "another certificate");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the PCK chain does not end in the %s",
			     o->root_override ? "root given with --root" : "pinned Intel SGX Root CA");
		goto out;
	}
	ms_check_add(checks, true, "root", o->root_override ? "OVERRIDE: the root given with --root" : "Intel SGX Root CA (pinned)",
		     "the chain ends in it");
	for (int i = n - 1; i >= 0; i--) {
		X509 *c = sk_X509_value(chain, i);
		const char *what = i == 0 ? "PCK certificate" : i == n - 1 ? "Intel SGX Root CA" : "PCK CA certificate";

		if ((st = ms_x509_check_issued(c, sk_X509_value(chain, i + 1 < n ? i + 1 : i), what, err)) ||
		    (i > 0 && X509_check_ca(c) < 1 && (st = ms_fail(err, MS_BAD_SIGNATURE, "%s is not a CA", what))) ||
		    (st = ms_x509_check_time(c, o->at, what, err))) {
			ms_check_add(checks, false, "PCK chain", "root -> CA -> PCK, valid", err->msg);
			goto out;
		}
	}
	ms_format_time(o->at, b);
	ms_check_add(checks, true, "PCK chain", "root -> CA -> PCK", b);
	{
		X509 *all[8];
		int k = n < 8 ? n : 8;

		for (int i = 0; i < k; i++) /* root first */
			all[i] = sk_X509_value(chain, n - 1 - i);
		if ((st = ms_evidence_crls(o, all, (size_t)k, o->at, ev, checks, err)))
			goto out;
	}
	leaf = sk_X509_value(chain, 0);
	if (!p256_verify(X509_get0_pubkey(leaf), p.qe_sig, p.qe_report, QE_REPORT_LEN)) {
		ms_check_add(checks, false, "QE report signature", "ECDSA P-256 by the PCK", "does not verify");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the QE report's signature does not verify with the PCK key");
		goto out;
	}
	ms_check_add(checks, true, "QE report signature", "ECDSA P-256 by the PCK", "verifies");
	/* the QE binds the attestation key: REPORTDATA = SHA-256(key || auth data) || 32 zero bytes */
	buf = malloc(64 + p.auth_len);
	if (!buf) {
		st = ms_fail(err, MS_NO_MEMORY, "out of memory");
		goto out;
	}
	memcpy(buf, p.att_key, 64);
	memcpy(buf + 64, p.auth, p.auth_len);
	ms_sha256(buf, 64 + p.auth_len, binding);
	{
		static const uint8_t zeros[32];

		if (memcmp(p.qe_report + 320, binding, 32) || memcmp(p.qe_report + 352, zeros, 32)) {
			ms_check_add(checks, false, "attestation key binding", "QE REPORTDATA = SHA-256(key || auth)", "differs");
			st = ms_fail(err, MS_BAD_SIGNATURE, "the QE report does not bind the attestation key");
			goto out;
		}
	}
	ms_check_add(checks, true, "attestation key binding", "QE REPORTDATA = SHA-256(key || auth)", "equal");
	/* the QE identity: Intel's TDX quoting enclave */
	ms_hex_decode(TDX_QE_MRSIGNER, mrsigner, 32, "mrsigner", NULL);
	ms_hex_encode(p.qe_report + 128, 32, a);
	if (memcmp(p.qe_report + 128, mrsigner, 32) || ms_le16(p.qe_report + 256) != 2) {
		snprintf(b, sizeof(b), "MRSIGNER %.16s..., ISVPRODID %u", a, ms_le16(p.qe_report + 256));
		ms_check_add(checks, false, "QE identity", "Intel TDX QE (MRSIGNER dc9e2a7c..., ISVPRODID 2)", b);
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quoting enclave is not Intel's TDX QE");
		goto out;
	}
	snprintf(b, sizeof(b), "ISVSVN %u", ms_le16(p.qe_report + 258));
	ms_check_add(checks, true, "QE identity", "Intel TDX QE", b);
	att = p256_key(p.att_key);
	if (!att || !p256_verify(att, p.sig, q, p.signed_len)) {
		ms_check_add(checks, false, "quote signature", "ECDSA P-256 by the attestation key", "does not verify");
		st = ms_fail(err, MS_BAD_SIGNATURE, "the quote's signature does not verify with its attestation key");
		goto out;
	}
	ms_check_add(checks, true, "quote signature", "ECDSA P-256 by the attestation key", "verifies");
	{
		char *s = ms_x509_name(X509_get_subject_name(leaf));

		snprintf(ev->signed_by, sizeof(ev->signed_by), "%s", s ? s : "?");
		free(s);
	}
	ev->raw = q;
	ev->body_offset = p.body;
	ev->qe_report = p.qe_report;
	ms_evidence_add(ev, "mrtd", body + 136, 48);
	for (int i = 0; i < 4; i++) {
		char name[8];

		snprintf(name, sizeof(name), "rtmr%d", i);
		ms_evidence_add(ev, name, body + 328 + 48 * i, 48);
	}
	ms_evidence_add(ev, "mrseam", body + 16, 48);
	ms_evidence_add(ev, "mrconfigid", body + 184, 48);
	ms_evidence_add(ev, "mrowner", body + 232, 48);
	ms_evidence_add(ev, "mrownerconfig", body + 280, 48);
	memcpy(ev->freshness, body + 520, 64);
	ev->freshness_len = 64;
	if (body[120] & 1) {
		ev->debug = true;
		snprintf(ev->debug_why, sizeof(ev->debug_why), "TDATTRIBUTES has DEBUG (bit 0) set");
	}
out:
	free(buf);
	EVP_PKEY_free(att);
	X509_free(root);
	sk_X509_pop_free(chain, X509_free);
	return st;
}

enum ms_status ms_tdx_inspect(const uint8_t *q, size_t len, cJSON **out, struct ms_err *err)
{
	struct quote p;
	enum ms_status st = parse(q, len, &p, err);
	const uint8_t *b;
	cJSON *o, *h, *body, *qe, *certs;
	STACK_OF(X509) *chain = NULL;
	static const struct {
		const char *name;
		size_t at, n;
	} fields[] = {
		{ "tee_tcb_svn", 0, 16 }, { "mrseam", 16, 48 }, { "mrsignerseam", 64, 48 },
		{ "seamattributes", 112, 8 }, { "tdattributes", 120, 8 }, { "xfam", 128, 8 },
		{ "mrtd", 136, 48 }, { "mrconfigid", 184, 48 }, { "mrowner", 232, 48 },
		{ "mrownerconfig", 280, 48 }, { "rtmr0", 328, 48 }, { "rtmr1", 376, 48 },
		{ "rtmr2", 424, 48 }, { "rtmr3", 472, 48 }, { "reportdata", 520, 64 },
	};

	if (st)
		return st;
	b = q + p.body;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "tdx quote");
	h = cJSON_AddObjectToObject(o, "header");
	cJSON_AddNumberToObject(h, "version", p.version);
	cJSON_AddNumberToObject(h, "attestation_key_type", ms_le16(q + 2));
	cJSON_AddStringToObject(h, "tee_type", "0x81 (tdx)");
	ms_json_add_hex(h, "qe_vendor_id", q + 12, 16);
	ms_json_add_hex(h, "user_data", q + 28, 20);
	body = cJSON_AddObjectToObject(o, "body");
	cJSON_AddNumberToObject(body, "body_type", p.body_type);
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		ms_json_add_hex(body, fields[i].name, b + fields[i].at, fields[i].n);
	if (p.body_type == 3) {
		ms_json_add_hex(body, "tee_tcb_svn2", b + 584, 16);
		ms_json_add_hex(body, "mrservicetd", b + 600, 48);
	}
	cJSON_AddBoolToObject(body, "debug", b[120] & 1);
	ms_json_add_hex(o, "signature", p.sig, 64);
	ms_json_add_hex(o, "attestation_key", p.att_key, 64);
	qe = cJSON_AddObjectToObject(o, "qe_report");
	ms_json_add_hex(qe, "cpusvn", p.qe_report, 16);
	ms_json_add_hex(qe, "mrenclave", p.qe_report + 64, 32);
	ms_json_add_hex(qe, "mrsigner", p.qe_report + 128, 32);
	cJSON_AddNumberToObject(qe, "isvprodid", ms_le16(p.qe_report + 256));
	cJSON_AddNumberToObject(qe, "isvsvn", ms_le16(p.qe_report + 258));
	ms_json_add_hex(qe, "reportdata", p.qe_report + 320, 64);
	ms_json_add_hex(qe, "signature", p.qe_sig, 64);
	ms_json_add_hex(o, "qe_auth_data", p.auth, p.auth_len);
	cJSON_AddNumberToObject(o, "trailing_bytes", (double)p.trailing);
	certs = cJSON_AddArrayToObject(o, "pck_chain");
	if (!ms_x509_parse_bundle(p.pck_chain, p.pck_chain_len, "PCK chain", &chain, NULL)) {
		for (int i = 0; i < sk_X509_num(chain); i++)
			cJSON_AddItemToArray(certs, ms_cert_json(sk_X509_value(chain, i), NULL, 0));
		sk_X509_pop_free(chain, X509_free);
	}
	*out = o;
	return MS_OK;
}
